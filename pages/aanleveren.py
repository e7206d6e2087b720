"""Aanleveren: partners download a template, upload a registration, check it, confirm, see history."""

import hashlib
import io

import pandas as pd
import streamlit as st

from data_sources import jobs
from data_sources.errors import InputRefused
from data_sources.registrations import validate
from data_sources.registrations.history import own_numbers, uploads
from data_sources.registrations.importing import check_organisation, check_period
from data_sources.registrations.reading import MAX_FILE_BYTES
from data_sources.registrations.schemas import REGISTRATION_TYPES
from data_sources.registrations.template import write_template
from transforms.labels import LoadHint
from transforms.privacy import (
    ROW_COUNT_NOTE,
    empty_or_count,
    format_number,
    hidden_rule,
    suppress_table,
    without_child_row_counts,
)
from ui import theme
from ui.auth import (
    DEMO,
    REGISTRATION_RELEASES,
    actor,
    current_account,
    guard_page,
    indicator_allowed,
    release_of,
    where_to_load,
)
from ui.data import (
    READ_ONLY_NOTE,
    background_priority,
    cursor,
    data_changed,
    read_only,
    releasing,
    showing_refusals,
)
from ui.safe import plain
from ui.state import current, gemeente_name

account = guard_page()
gemeente_code, year = current()
st.title("Gegevens aanleveren")
if gemeente_code is None:
    st.info(f"Er is nog geen gemeente geladen. {where_to_load(LoadHint('de gemeente'))} Daarna kunt u "
            "hier aanleveren.")
    st.stop()
st.write(
    f"Partners leveren hier hun registratie voor {gemeente_name(gemeente_code)} aan: download "
    "het sjabloon, vul het in en upload het. U ziet meteen wat er eventueel verbeterd moet "
    "worden; er wordt pas iets opgeslagen als u bevestigt."
)
if read_only():  # a read-only copy: a file can still be checked, saving it is refused
    st.info(READ_ONLY_NOTE, icon=":material/lock:")


@st.cache_data(show_spinner=False, max_entries=32)
def registration_name(soort: str, short: bool = False) -> str:
    """A registration as a partner reads it: its Dutch name, and the key that names its template
    file and the command line's `--soort` ('Kinderen met een jeugdhulpindicatie (jeugdhulp)');
    `short`: the name alone, where the key would only widen the text (the history, a version
    to restore)."""
    rtype = REGISTRATION_TYPES.get(soort)
    if rtype is None:
        return soort
    return rtype.label if short else f"{rtype.label} ({soort})"


def template_bytes(soort: str, gemeente_code: str, organisation: str | None, version: str) -> bytes:
    buffer = io.BytesIO()
    write_template(soort, buffer, cursor(), gemeente_code, organisation)
    return buffer.getvalue()


def preview_table(frame: pd.DataFrame, rtype, gemeente_code: str) -> pd.DataFrame:
    """The aggregates as they will be stored, with Dutch headers and names, small counts hidden."""
    names = dict(cursor().execute(
        "select region_code, arg_max(region_name, year) from regions where gemeente_code = ?"
        " group by region_code", [gemeente_code]).fetchall())
    labels = {c.name: c.label for c in rtype.stored_columns}
    shown = pd.DataFrame({
        "wijk": frame["wijk_code"].map(lambda code: names.get(code, code)),
        "buurt": frame["buurt_code"].map(lambda code: names.get(code, code) if code else ""),
    })
    for column in rtype.stored_columns:
        shown[labels[column.name]] = frame[column.name].astype(object).where(
            frame[column.name].notna(), None)
    counts = [labels[c.name] for c in rtype.stored_columns if c.kind == "count"]
    preview = suppress_table(shown, counts, row_totals=False)
    table = preview.display()
    hidden_rows = preview.hidden[counts].any(axis=1) if counts else None
    for column in rtype.stored_columns:
        label = labels[column.name]
        if column.combine == "mean":  # an average over few children would reveal them
            table[label] = [
                "" if (hidden_rows is not None and hide) or pd.isna(value)
                else f"{value:.1f}".replace(".", ",")
                for value, hide in zip(preview.values[label],
                                       hidden_rows if hidden_rows is not None
                                       else [False] * len(table), strict=True)
            ]
        elif column.kind != "count":
            # other numbers (hours, weeks) as text in Dutch notation, like the counts beside them:
            # a column of numbers and the totals row's '' is no table the grid can type
            table[label] = [_number_text(value) for value in table[label]]
    return table.astype(object).where(table.notna(), "")


def _number_text(value) -> object:
    """A number as the preview shows it: whole without decimals, else one ('12,5'); text as is."""
    if isinstance(value, bool) or not pd.api.types.is_number(value):
        return "" if value is None else value
    if pd.isna(value):
        return ""
    return format_number(value, 0 if float(value).is_integer() else 1)


def checked(data: bytes, file_name: str, soort: str, period: str) -> validate.CheckedUpload:
    """The check of this upload, made once: typing an organisation or clicking reruns the page,
    and a 20,000-row workbook takes a noticeable moment to check. Kept in this session only (one
    result), and made again when the file, type, gemeente or period change, or what a check reads
    (the gemeente's regions and postcodes, validate.reference_version): not when another
    organisation uploads meanwhile. Saving reuses it (jobs.import_registration `checked`)."""
    cursor_ = cursor()
    key = (hashlib.sha256(data).hexdigest(), file_name, soort, gemeente_code, period,
           validate.reference_version(cursor_, gemeente_code))
    kept = st.session_state.get("aanleveren_controle")
    if kept is None or kept[0] != key:
        kept = key, validate.check_upload(data, soort, cursor_, file_name, gemeente_code,
                                          period or None), {}
        st.session_state["aanleveren_controle"] = kept
    return kept[1]


def checked_preview(result, rtype) -> pd.DataFrame:
    """preview_table of the checked upload, made once with its check (every click on the page
    reruns it; with partners uploading at once that was a third of each rerun)."""
    kept = st.session_state["aanleveren_controle"][2]
    if "preview" not in kept:
        kept["preview"] = preview_table(result.aggregates_df, rtype, gemeente_code)
    return kept["preview"]


def organisation_field(middle) -> str | None:
    """The organisation comes from the account: a partner delivers for its own organisation
    only. The beheerder chooses among the known organisations; only the demo (fictional data)
    types one."""
    if account is DEMO:
        return middle.text_input("Organisatie (demo)", key="aanleveren_organisatie",
                                 placeholder="bijvoorbeeld GGD Voorbeeldregio (JGZ)")
    if account.role == "partner":
        middle.text_input("Organisatie", value=account.organisation, disabled=True,
                          key="aanleveren_eigen_organisatie")
        return account.organisation
    known = sorted({name for (name,) in cursor().execute(
        "select organisation from accounts where organisation is not null union"
        " select organisation from loads where source in ('partner', 'brp')"
        " and organisation is not null").fetchall()})
    return middle.selectbox("Organisatie", known, index=known.index(account.organisation)
                            if account.organisation in known else None,
                            key="aanleveren_organisatie_keuze", placeholder="kies een organisatie")


def saved(notice: str, restored: bool = False) -> None:
    """After a save or restore: the notice stays until a new file goes in, and the uploader
    starts empty (a key of its own per saved file), so that the saved file's 'Bevestigen en
    opslaan' is not on the page to be clicked a second time. Only this part of the page runs
    again (the rest does not change with an upload), unless the click came in a run of the whole
    page (Streamlit merges a click with a pending full rerun). A restore's notice stands under
    the Terugzetten button: at the top of the page it was out of sight of whoever clicked. A
    save's stands under the uploader, and comes once as a toast too: the page gets shorter by the
    preview, and the browser, keeping its scroll position, can show only the history below."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    data_changed()  # every cached query is keyed by the data version the save changed
    st.session_state["aanleveren_done"] = notice
    st.session_state["aanleveren_done_restore"] = restored
    if not restored:
        # the first sentence only: Streamlit folds a toast of more than three lines behind an
        # English 'view more'; the whole notice stands under the uploader
        st.session_state["aanleveren_toast"] = notice.split(". ", 1)[0].removesuffix(".") + "."
    st.session_state["aanleveren_ronde"] = st.session_state.get("aanleveren_ronde", 0) + 1
    ctx = get_script_run_ctx()
    st.rerun(scope="fragment" if ctx is not None and ctx.fragment_ids_this_run else "app")


@st.fragment
@showing_refusals  # ... nor its handling of a database that cannot be used now
@releasing  # its own reruns do not run app.py, which closes the connection
def delivery() -> None:
    """Choosing, checking, saving and restoring: a part of the page that reruns on its own (an
    upload is three clicks; the title, the menu and the sidebar stay as they are)."""
    background_priority()  # the pages others read (the LEA's slides) go first
    if current_account() != account:  # signed out, disabled or changed since the page ran
        st.rerun()
    if toast := st.session_state.pop("aanleveren_toast", None):  # saved(): once, in sight
        st.toast(toast, icon=":material/check_circle:", duration="long")
    # The gemeente's own register (bevolking, BRP) replaces the population figures: not a partner's.
    soorten = [key for key, rtype in REGISTRATION_TYPES.items()
               if account.role != "partner" or rtype.target == "partner"]
    # a row of its own: beside the other two fields the longest name was cut off
    # ('Kinderen met een extra ondersteuningsbehoe')
    soort = st.selectbox(
        "Soort registratie", soorten, key="aanleveren_soort",
        format_func=registration_name,
    )
    rtype = REGISTRATION_TYPES[soort]
    st.caption(f"{rtype.description} Levert meestal: {rtype.supplier}.")
    middle, right = st.columns([3, 1])
    organisation = organisation_field(middle)
    period = right.text_input("Periode", value=str(year or ""), key="aanleveren_periode",
                              help="2024, 2024-Q3, 2024-09 of schooljaar 2024-2025")
    # What is wrong with a field is said under that field (WCAG 3.3.1), not only above the button.
    # An empty organisation is only an error once there is a file to save.
    field_errors = [(middle, check_organisation, organisation), (right, check_period, period)]
    st.download_button(
        "Sjabloon downloaden (.xlsx)",
        # the organisation filled in as the page delivers it (a partner's own, from its account)
        template_bytes(soort, gemeente_code, " ".join(str(organisation or "").split()) or None, "1"),
        file_name=f"kindkaart-sjabloon-{soort}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    upload = st.file_uploader("Ingevuld bestand uploaden", max_upload_size=MAX_FILE_BYTES // 2**20,
                              key=f"aanleveren_bestand_{soort}_{st.session_state.get('aanleveren_ronde', 0)}")
    for column, check, value in field_errors:
        if value or upload is not None:
            try:
                check(value)
            except InputRefused as refused:
                column.error(plain(" ".join(refused.messages)))
    if upload is None:
        st.session_state.pop("aanleveren_controle", None)
        # What the last save did: shown until a new file goes in (not only in the one run after
        # the save, which a reconnecting browser or a second rerun would lose); under the
        # uploader, where the check stood, not at the top of the page: the browser keeps its
        # scroll position, and whoever clicked 'Bevestigen en opslaan' below a preview did not
        # see a notice above the form.
        if "aanleveren_done" in st.session_state and not st.session_state.get("aanleveren_done_restore"):
            st.success(st.session_state["aanleveren_done"])
    else:
        st.session_state.pop("aanleveren_done", None)
        check_upload(upload, soort, organisation, period, rtype)
    history_section()


def check_upload(upload, soort: str, organisation: str | None, period: str, rtype) -> None:
    """The check of an uploaded file, its preview and the button that saves it."""
    data = upload.getvalue()
    checked_file = checked(data, upload.name, soort, period)
    result = checked_file.result
    for notice in result.notices:
        st.info(plain(notice))
    if not result.ok:
        # a refusal of the file as a whole comes before the rows: say so, or a partner who fixed
        # what was said is surprised by a second round of messages about the rows
        later = ("" if result.rows_checked else " De rijen zelf zijn nog niet gecontroleerd: dat "
                 "gebeurt zodra dit is opgelost.")
        st.error(f"{plain(upload.name)} is niet in orde ({result.count_text()}). Er is niets "
                 f"opgeslagen. Verbeter het bestand en upload het opnieuw.{later}")
        # A plain table, not the data grid: a screen reader reads it as a table right after the
        # alert, with no grid navigation to learn (there are at most 200 messages).
        columns = ["blad", "rij", "kolom", "kolomnaam", "melding"]
        theme.html_table([c.capitalize() for c in columns],
                         [["" if m[c] is None else str(m[c]) for c in columns]
                          for m in (message.as_dict() for message in result.messages)],
                         caption=f"Meldingen bij {upload.name}", numeric_from=len(columns))
        return
    frame = result.aggregates_df
    st.success(f"{plain(upload.name)} is in orde: {result.rows_read} rijen gelezen, "
               f"{len(frame)} rijen om op te slaan. Controleer het voorbeeld en bevestig.")
    st.dataframe(checked_preview(result, rtype), hide_index=True, width="stretch")
    st.caption(f"{hidden_rule()} Opgeslagen worden de echte aantallen; elke weergave in "
               "Kindkaart schermt kleine aantallen op dezelfde manier af.")
    problems = []
    for check, value in ((check_organisation, organisation), (check_period, period)):
        try:
            check(value)
        except InputRefused as refused:
            problems.extend(refused.messages)
    for problem in problems:
        st.warning(plain(problem))
    if st.button("Bevestigen en opslaan", type="primary", disabled=bool(problems)):
        try:
            outcome = jobs.import_registration(
                cursor(), data, soort, organisation, period, upload.name,
                loaded_by=actor(), gemeente_code=gemeente_code, actor=actor(), checked=checked_file,
            )
        except InputRefused as refused:
            for message in refused.messages:
                st.error(plain(message))
        else:
            saved(" ".join(filter(None, [outcome.summary(upload_number()),
                                         where_it_shows(soort) if outcome.status == "imported" else ""])))


def where_it_shows(soort: str) -> str:
    """For a partner, after a save: where its figures show, or that they wait for the gemeente's
    release. A partner sees no figures of most registrations on Overzicht and Kaart, and looked
    for its own upload there in vain."""
    if account.role != "partner":
        return ""
    release = REGISTRATION_RELEASES.get(soort)
    if release is None:
        return ("De gemeente gebruikt deze cijfers in haar analyses; partners en de LEA-weergave "
                "zien ze niet per wijk.")
    released = indicator_allowed(release, account)
    if soort == "groepsgrootte":  # a partner always sees its own places (ui.wijkprofiel)
        return "Uw plekken staan in het wijkprofiel op de Kaart, onder Plekken" + (
            "." if released else "; die van andere partners en de tekorten die erop rusten pas "
            "als de gemeente ze vrijgeeft.")
    if released:
        from ui.map_indicators import INDICATORS  # only after a save: not on every rerun

        shown = [i.label for key, i in INDICATORS.items() if release_of(key) == release]
        named = [f"'{label}'" for label in shown]
        return ("U ziet ze op de Kaart bij "
                + (", ".join(named[:-1]) + " en " if len(named) > 1 else "") + named[-1] + ".")
    return ("De gemeente ziet ze nu; u ziet ze op de Kaart pas als de gemeente ze voor "
            "partners vrijgeeft.")


def upload_number():
    """How an upload is named on this page: a partner sees its own numbering (1 for its first
    upload for this gemeente), never the load_id, which counts the uploads of every organisation;
    the beheerder and the demo see the load_id, as the command line and the audit log do. None:
    the load_id (ImportResult.summary)."""
    if account.role != "partner":
        return None
    numbers = own_numbers(cursor(), account.organisation, gemeente_code)
    return lambda load_id: numbers.get(int(load_id), "?")


def shown_file_names(history: pd.DataFrame) -> list[str]:
    """The file name of each upload; where one name stands for files with different contents, the
    first characters of its hash beside it ('vve.xlsx (inhoud 3f9a2c1b)'), so that the versions
    can be told apart. The whole hash stays in the database (`history` on the command line)."""
    contents = history.groupby("file_name")["file_hash"].nunique()
    return [f"{name} (inhoud {digest[:8]})" if contents.get(name, 0) > 1 and isinstance(digest, str) else name
            for name, digest in zip(history["file_name"], history["file_hash"], strict=True)]


HISTORY_LABELS = {
    "load_id": "Upload", "status_nl": "Status", "soort": "Soort", "period": "Periode",
    "loaded_at": "Geladen op", "organisation": "Organisatie", "file_name": "Bestand",
    "row_count": "Rijen", "loaded_by": "Door",
}
# the history in two tables that each fit a 1280 px screen, joined by the upload's number
HISTORY_COLUMNS = ["Upload", "Status", "Soort", "Periode", "Geladen op"]
ORIGIN_COLUMNS = ["Upload", "Organisatie", "Bestand", "Rijen", "Door"]


def history_columns(table: pd.DataFrame) -> dict:
    """The column_config of a table of the history: what each column means, on its header
    (help=), and a width that shows every value whole (the grid sizes a column from its first
    rows only, and cut off a longer value further down)."""
    texts = {
        "Upload": "Het nummer van de aanlevering: hetzelfde nummer staat in beide tabellen en bij "
                  "'Eerdere versie terugzetten'.",
        "Status": "actief: telt mee in de cijfers. vervangen: een latere aanlevering van dezelfde "
                  "organisatie, soort en periode telt mee; deze kunt u terugzetten. verwijderd: "
                  "telt niet mee.",
        "Soort": "De soort registratie, zoals bij 'Soort registratie' bovenaan.",
        "Periode": "De periode waarover de aanlevering gaat.",
        "Geladen op": "Wanneer de aanlevering is opgeslagen (dd-mm-jjjj uu:mm).",
        "Organisatie": "De organisatie die aanleverde.",
        "Bestand": "Het geüploade bestand. Staat één naam voor bestanden met verschillende inhoud, "
                   "dan staan de eerste tekens van de inhoud erachter.",
        "Rijen": "Het aantal rijen in het bestand, alleen bij de aanleveringen van uw eigen "
                 "organisatie: bij één rij per kind is het een telling van kinderen.",
        "Door": "De login die de aanlevering opsloeg.",
    }
    return {label: st.column_config.Column(label, help=texts[label],
                                           width=theme.grid_column_width(label, table[label]))
            for label in table.columns}


def history_section() -> None:
    """Every delivery for this gemeente (a partner: its own), and restoring an earlier one."""
    st.header("Geschiedenis")
    own = account.organisation if account.role == "partner" else None
    # a delivery's row count can be its children, one row each: only its own organisation sees it
    history = without_child_row_counts(uploads(cursor(), organisation=own, gemeente_code=gemeente_code,
                                               partner_only=own is not None),
                                       own_organisation=account.organisation)
    if own is not None:
        st.caption(f"Alleen de aanleveringen van {plain(own)}.")
    if history.empty:
        st.write("Nog geen aanleveringen voor deze gemeente.")
        return
    number = upload_number() or int
    # as on Databronnen: moments as dd-mm-jjjj uu:mm, and an empty cell (not 'None') for a row
    # count that is not shown or a delivery without a name of who delivered it
    shown = history.assign(file_name=shown_file_names(history),
                           soort=[registration_name(k, short=True) for k in history["soort"]],
                           load_id=[number(i) for i in history["load_id"]],
                           row_count=[empty_or_count(v) for v in history["row_count"]],
                           loaded_at=[f"{v:%d-%m-%Y %H:%M}" for v in history["loaded_at"]],
                           loaded_by=history["loaded_by"].fillna("")).rename(columns=HISTORY_LABELS)
    # Nine columns were 1,223 px wide in a grid of 818 px at 1280 x 720: what and when in the
    # first table, where it came from in the second, side by side by the upload's number
    st.dataframe(shown[HISTORY_COLUMNS], hide_index=True, width="stretch",
                 column_config=history_columns(shown[HISTORY_COLUMNS]))
    st.subheader("Herkomst per upload")
    if own is None:
        st.caption(ROW_COUNT_NOTE)
    st.dataframe(shown[ORIGIN_COLUMNS], hide_index=True, width="stretch",
                 column_config=history_columns(shown[ORIGIN_COLUMNS]))
    earlier = history[history["status"] == "superseded"]
    if earlier.empty:
        restore_notice()
        return
    labels = {
        int(r.load_id): f"Upload {number(r.load_id)}: {registration_name(r.soort, short=True)}, "
                        f"{r.organisation}, {r.period} ({r.loaded_at:%d-%m-%Y %H:%M})"
        for r in earlier.itertuples()
    }
    chosen = st.selectbox("Eerdere versie terugzetten", list(labels),
                          format_func=labels.get, key="aanleveren_herstel")
    if st.button("Terugzetten"):
        try:
            replaced = jobs.restore_upload(cursor(), chosen, organisation=own, actor=actor(),
                                           shown_as=number(chosen), gemeente_code=gemeente_code)
        except InputRefused as refused:
            st.error(plain(" ".join(refused.messages)))
        else:
            extra = f" (vervangt upload {', '.join(str(number(i)) for i in replaced)})" if replaced else ""
            saved(f"Upload {number(chosen)} is weer de actieve versie{extra}.", restored=True)
    restore_notice()


def restore_notice() -> None:
    """What the last restore did, where it was clicked (until a new file goes in)."""
    if st.session_state.get("aanleveren_done_restore") and "aanleveren_done" in st.session_state:
        st.success(st.session_state["aanleveren_done"])


delivery()
