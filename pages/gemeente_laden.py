"""Gemeente laden: fetch any gemeente's CBS figures and boundaries, see their dates, refresh; read a
downloaded CBS file or an LRK export."""

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path

import streamlit as st

from data_sources import jobs, store
from data_sources.cbs import gemeenten as gemeente_list
from data_sources.cbs.fetch import Endpoints
from data_sources.cbs.formats import MAX_FILE_MEGABYTES
from data_sources.cbs.http import HttpClient
from data_sources.cbs.loading import KERNCIJFERS_TABLES
from data_sources.cbs.pipeline import CbsLoader, data_dates, default_cache_dir
from data_sources.config import SAMPLE_GEMEENTE_CODE, db_path
from data_sources.errors import InputRefused, SourceUnavailable, severity
from data_sources.gemeentenamen import common_name
from data_sources.gemeentenamen import label as gemeente_label
from data_sources.lrk import note_sentence
from transforms.labels import CBS_DATASET_LABELS
from transforms.privacy import format_moment
from ui.auth import actor, gemeente_allowed, gemeente_scope, guard_page
from ui.data import READ_ONLY_NOTE, clear_caches, cursor, query, read_only
from ui.population import source_note
from ui.safe import plain

guard_page()
st.title("Gemeente laden")
st.write(
    "Haal de CBS-cijfers en de wijk- en buurtgrenzen van een gemeente op. Alles wordt bewaard, "
    "zodat de gemeente daarna ook zonder internet beschikbaar is. Zonder internet kunt u een "
    "handmatig gedownload CBS-bestand inlezen met `python -m data_sources import-cbs BESTAND`."
)
locked = read_only()  # a read-only copy: what is loaded shows, nothing is fetched to be stored
if locked:
    st.info(READ_ONLY_NOTE, icon=":material/lock:")

DONE_KEY = "laden_klaar"


def finished(*messages: tuple[str, str]) -> None:
    """After a load: forget the cached queries and run again, so that the sidebar (drawn before
    this page) lists the new gemeente at once; `messages` ((kind, text), kind success, warning or
    info) are shown at the top of that run."""
    clear_caches()
    st.session_state[DONE_KEY] = list(messages)
    st.rerun()


for kind, text in st.session_state.pop(DONE_KEY, []):
    getattr(st, kind)(text)

CACHE_DIR = default_cache_dir(db_path())
loaded_names = query(
    "select gemeente_code, arg_max(region_name, year) as name from regions"
    " where region_level = 'gemeente' group by gemeente_code"
)
# an account tied to gemeenten (users set-gemeente) is not told which others are loaded
loaded = {code: name for code, name in zip(loaded_names["gemeente_code"], loaded_names["name"], strict=True)
          if gemeente_allowed(code)}
options = gemeente_list.choices(CACHE_DIR, loaded)


def label(code: str) -> str:
    # the sample is marked fictief, as in the sidebar; 's-Gravenhage also reads Den Haag, so that
    # typing the common name in the box finds it (as --gemeente "Den Haag" does)
    marker = " ✓" if code in loaded else ""
    common = common_name(code)
    return gemeente_label(code, options) + (f" – {common}" if common else "") + marker


codes = list(options)
# The gemeente asked for (?laden=), else the one the sidebar shows when it is a real one: a
# national file read here then keeps that gemeente, not all 342, unless the user says so. An
# empty database has no sidebar choice: then the link's ?gemeente= (a shared link to a gemeente
# not loaded yet), if the account may load it.
sidebar = st.session_state.get("gemeente_code")
from_link = st.query_params.get("gemeente")
wanted = (st.query_params.get("laden") or (sidebar if sidebar != SAMPLE_GEMEENTE_CODE else None)
          or (from_link if from_link != SAMPLE_GEMEENTE_CODE and gemeente_allowed(from_link) else None))
chosen = st.selectbox(
    "Gemeente", codes, index=codes.index(wanted) if wanted in codes else None,
    format_func=label, placeholder="Kies een gemeente (typ een naam of code)",
    help="✓ = al geladen. Namen die ontbreken haalt u op met de knop hieronder.",
    key="laden_gemeente",
)
all_years = sorted(KERNCIJFERS_TABLES, reverse=True)
years = st.multiselect("Jaren", all_years, default=all_years[:1], key="laden_jaren",
                       placeholder="kies een of meer jaren",
                       help="Per jaar een CBS-tabel Kerncijfers wijken en buurten.")

left, middle, right = st.columns(3)
load_clicked = left.button("Laden", type="primary", disabled=chosen is None or not years or locked)
refresh_clicked = middle.button(
    "Vernieuwen bij CBS", disabled=chosen is None or not years or locked,
    help="Opnieuw ophalen, ook als er al een opgeslagen kopie is.",
)
if right.button("Gemeentenamen ophalen bij CBS"):
    try:
        fetched = gemeente_list.fetch_names(HttpClient(), Endpoints.from_environment(), CACHE_DIR)
        st.success(f"{len(fetched)} gemeentenamen opgehaald.")
        st.rerun()
    except SourceUnavailable as exc:
        st.error(plain(exc))
    except InputRefused as refused:  # the names could not be kept (a full disk, no write rights)
        st.error(plain(refused.messages[0]))

if (load_clicked or refresh_clicked) and chosen and not gemeente_allowed(chosen):
    st.error("Deze gemeente hoort niet bij uw account: u laadt alleen uw eigen gemeenten.")
elif (load_clicked or refresh_clicked) and chosen:
    st.query_params["laden"] = chosen
    bar = st.progress(0.0, text="Starten…")

    last = {"fraction": 0.0}

    def show_progress(fraction, message):
        # None: a step within the current one (a page of boundaries); keep the bar where it is.
        if fraction is not None:
            last["fraction"] = max(0.0, min(fraction, 1.0))
        bar.progress(last["fraction"], text=message)

    try:
        loader = CbsLoader(cursor(), cache_dir=CACHE_DIR, progress=show_progress,
                           refresh=refresh_clicked)
        report = jobs.load_cbs(loader, [chosen], sorted(years), actor=actor())
    except (SourceUnavailable, InputRefused) as exc:
        bar.empty()
        messages = exc.messages if isinstance(exc, InputRefused) else [str(exc)]
        for message in messages:
            st.error(plain(message))
    else:
        bar.progress(1.0, text="Klaar")
        name = cursor().execute(
            "select region_name from regions where region_code = ? order by year desc limit 1",
            [chosen],
        ).fetchone()
        shown = plain(f"{name[0]} ({chosen})" if name and name[0] else chosen)
        finished(("success", f"{shown} is geladen: {len(report.loaded)} tabellen."),
                 *((severity(warning), plain(warning)) for warning in report.warnings))

if chosen and gemeente_allowed(chosen):
    st.header("Geladen gegevens")
    dates = data_dates(cursor(), chosen)
    if not dates:
        st.info("Voor deze gemeente is nog niets geladen.")
    else:
        st.dataframe(
            [{"Bron": source.upper(), "Gegevens": CBS_DATASET_LABELS.get(dataset, dataset),
              "Tabel": table_id, "Jaar": year,
              "Gegevensdatum (opgehaald)": format_moment(retrieved), "Geladen op": format_moment(loaded_at)}
             for source, dataset, table_id, year, retrieved, loaded_at in dates],
            hide_index=True, width="stretch",
        )
        if chosen in query("select distinct gemeente_code from population_by_wijk_age")[
                "gemeente_code"].tolist():

            def show_on_map(code=chosen):
                st.session_state.gemeente_code = code

            if st.button("Bekijk op de kaart", on_click=show_on_map):
                st.switch_page("pages/kaart.py")

@contextlib.contextmanager
def as_file(upload) -> Iterator[Path]:
    """The uploaded file as a path in a temporary folder, under its own name: the readers take a
    path, and the name carries the year and the kind (kwb-2024.xlsx, lrk_export_2024.csv). A
    folder for temporary files that takes no file (a full disk, no write rights) is InputRefused:
    it showed Python's OSError on the page."""
    with contextlib.ExitStack() as stack:
        try:
            folder = stack.enter_context(store.scratch_folder())
            path = folder / Path(upload.name).name
            path.write_bytes(upload.getvalue())
        except OSError as error:
            raise InputRefused(f"De server kon het bestand niet neerzetten om het te lezen: "
                               f"{store.os_reason(error)} (in de map voor tijdelijke bestanden). Er is "
                               "niets opgeslagen. Vraag de beheerder om daar ruimte te maken of "
                               "schrijfrechten te geven, en probeer het daarna opnieuw.") from None
        yield path


def show_refusal(upload, refused: InputRefused) -> None:
    """Why a file was not read; the command line's --jaar is this page's box Jaar."""
    st.error(f"{plain(upload.name)} is niet ingelezen; er is niets opgeslagen.")
    for message in refused.messages:
        st.error(plain(message.replace("--jaar", "het vak Jaar")))


def show_unforeseen(upload, error: Exception) -> None:
    """An error nobody foresaw (the jobs turn the readers' own into refusals): a Dutch sentence
    on the page, the traceback only in the server's log."""
    logging.getLogger(__name__).error("Onverwachte fout bij %s", upload.name, exc_info=error)
    st.error(f"{upload.name} is niet te lezen; er is niets opgeslagen.")


st.header("CBS-bestand inlezen")
st.write(
    "Zonder internet, of met bestanden die u zelf downloadde: het kwb-bestand (kwb-2024.xlsx van "
    "cbs.nl, *Kerncijfers wijken en buurten*; tot en met 2020 kwb-2020.xls), een StatLine-CSV "
    "(03759ned, Nabijheid voorzieningen), "
    "een OData-antwoord (.json) of een map zoals cbsodata die opslaat, als zip, de download "
    "van de nieuwe CBS-open data (de zip met "
    "Observations.csv en MeasureCodes.csv), wijkgrenzen (.geojson, ook geëxporteerd uit een "
    "shapefile van CBS, of de wijk- en buurtkaart van CBS: wijkenbuurten_<jaar>_v1.gpkg of de zip "
    "ervan, of PDOK's cbsgebiedsindelingen<jaar>.gpkg) of het postcodebestand (de zip "
    "pc6hnr…_gwb.zip van cbs.nl, of de csv eruit). Het jaar komt uit het tabelnummer "
    "(85984NED is 2024) of de bestandsnaam (kwb-2024.xlsx), anders uit het vak Jaar."
)
file_left, file_right = st.columns([3, 1])
cbs_upload = file_left.file_uploader("CBS-bestand", key="laden_bestand",
                                     type=["xlsx", "xls", "csv", "txt", "json", "geojson", "gpkg", "zip",
                                           # refused with what to do instead (not by the browser,
                                           # in English): a shapefile, TopoJSON
                                           "shp", "topojson"],
                                     max_upload_size=MAX_FILE_MEGABYTES)
file_year = file_right.number_input("Jaar (als het niet in de naam staat)", min_value=2010,
                                    max_value=2030, value=None, step=1, key="laden_bestand_jaar")
keep = None
# an account tied to gemeenten (users set-gemeente) stores nothing of another gemeente from a file
own = gemeente_scope()
own_shown = (", ".join(sorted(own)[:5]) + (f" en nog {len(own) - 5}" if len(own) > 5 else "")
             if own is not None else "")
if cbs_upload is not None:
    if chosen and gemeente_allowed(chosen):
        # a download of heel Nederland holds every gemeente: the user says what is kept
        keep_all = st.radio(
            "Welke gemeenten uit het bestand bewaren?", [False, True], key="laden_bestand_bereik",
            format_func=lambda everything: (
                ("Alle gemeenten in het bestand" if own is None
                 else f"Alle gemeenten van uw account in het bestand ({own_shown})")
                if everything else f"Alleen {label(chosen).removesuffix(' ✓')}"),
            help="Een landelijk bestand (kwb-2024.xlsx, het postcodebestand) heeft alle gemeenten. "
                 "Alleen de gekozen gemeente is sneller en houdt de database klein.")
        keep = None if keep_all else [chosen]
    elif own is not None:
        st.caption(f"Uit het bestand worden alleen de gemeenten van uw account bewaard "
                   f"({own_shown}); van de andere gemeenten niets.")
    else:
        st.caption("Kies hierboven bij Gemeente een gemeente om alleen die uit het bestand te "
                   "bewaren; zonder keuze worden alle gemeenten in het bestand bewaard.")
replace_confirmed = False
refused_file, refused_messages = st.session_state.get("laden_bestand_leegmaken", (None, []))
if cbs_upload is not None and refused_file == cbs_upload.file_id:
    # The previous click was refused because this file empties values an earlier load had.
    for message in refused_messages:
        st.warning(plain(message))
    replace_confirmed = st.checkbox("Ja, vervang de eerdere cijfers, ook waar dit bestand ze leeg "
                                    "laat", key="laden_bestand_vervang")
if cbs_upload is not None and st.button("Bestand inlezen", key="laden_bestand_knop", disabled=locked):
    from data_sources.errors import WouldEmptyValues

    try:  # the server keeps the upload in a file for the readers
        with as_file(cbs_upload) as path:
            try:
                kind, load_ids, notes = jobs.import_cbs_file(
                    cursor(), path, gemeenten=keep, year=int(file_year) if file_year else None,
                    replace=replace_confirmed, actor=actor(), within=own)
            except InputRefused as refused:
                if isinstance(refused, WouldEmptyValues):
                    # Shown with a confirmation box above the button on the next run.
                    st.session_state.laden_bestand_leegmaken = (cbs_upload.file_id, refused.on_page)
                    st.rerun()
                show_refusal(cbs_upload, refused)
            except Exception as error:  # noqa: BLE001 - no traceback or server path on the page
                show_unforeseen(cbs_upload, error)
            else:
                st.session_state.pop("laden_bestand_leegmaken", None)
                # the loads, not their number: 03759ned of Zwolle and Nederland is one gemeente
                held = jobs.stored_gemeenten_phrase(cursor(), load_ids)
                finished(("success", f"{plain(cbs_upload.name)} is ingelezen ({CBS_DATASET_LABELS.get(kind, kind)}, "
                                     f"{held}). Kies de gemeente links in de zijbalk."),
                         # what to act on as a warning, first; what only informs as information
                         *((severity(note), plain(note))
                           for note in sorted(notes, key=lambda note: severity(note) != "warning")))
    except InputRefused as refused:  # raised by as_file only: the jobs' refusals are said inside
        show_refusal(cbs_upload, refused)

st.header("LRK-export inlezen")
st.write(
    "De export van het Landelijk Register Kinderopvang: de kindplaatsen per locatie (KDV, BSO, VGO; "
    "een gastouderbureau, GOB, heeft er geen). Zoals het register hem geeft (CSV met `;`) of "
    "opnieuw opgeslagen in Excel (CSV met `,` of tabs, .xlsx, .xls). Elke locatie komt via haar "
    "postcode in een wijk: lees daarvoor eerst het CBS-postcodebestand in (hierboven, "
    "pc6hnr…_gwb.zip). Een nieuwe export van hetzelfde jaar vervangt de vorige alleen voor de "
    "gemeenten die hij dekt: die van zijn kolom verantwoordelijke_gemeente (zonder die kolom: van "
    "de postcodes), waar de meeste locaties van de export onder vallen of waarvan hij meer dan de "
    "helft van de geldende locaties heeft. Een paar locaties van een buurgemeente vervangen haar "
    "cijfers niet. Na het inlezen staat hier wat de export vervangt."
)
lrk_left, lrk_right = st.columns([3, 1])
lrk_upload = lrk_left.file_uploader("LRK-export", key="laden_lrk",
                                    type=["csv", "txt", "xlsx", "xls", "ods", "zip", "gz"],
                                    max_upload_size=MAX_FILE_MEGABYTES)
lrk_year = lrk_right.number_input("Jaar van de export (als het niet in de naam staat)", min_value=2010,
                                  max_value=2030, value=None, step=1, key="laden_lrk_jaar")
if lrk_upload is not None and st.button("LRK-export inlezen", key="laden_lrk_knop", disabled=locked):
    try:  # the server keeps the upload in a file for the reader
        with as_file(lrk_upload) as path:
            try:
                imported = jobs.import_lrk(cursor(), path, year=int(lrk_year) if lrk_year else None, actor=actor(),
                                           within=own)
            except InputRefused as refused:
                show_refusal(lrk_upload, refused)
            except Exception as error:  # noqa: BLE001 - no traceback or server path on the page
                show_unforeseen(lrk_upload, error)
            else:
                clear_caches()
                st.success(f"{plain(lrk_upload.name)} is ingelezen: {imported.locations} ingeschreven locaties "
                           f"met samen {imported.places} kindplaatsen, jaar {imported.year}.")
                # what to act on as a warning, first; what only informs as information
                said = [(severity(line), line) for line in imported.coverage_lines()]
                unmapped = imported.unmapped_postcodes
                if unmapped:
                    more = f" en nog {len(unmapped) - 10}" if len(unmapped) > 10 else ""
                    said.append(("warning", f"{len(unmapped)} postcode(s) staan niet in de postcodetabel "
                                 f"({', '.join(unmapped[:10])}{more}): die locaties tellen niet mee per "
                                 "wijk. Lees het CBS-postcodebestand van de gemeente in en daarna de "
                                 "export opnieuw."))
                if imported.without_address:
                    said.append(("warning", f"{imported.without_address} gastouder(s) zonder adres in de "
                                 "export: hun kindplaatsen tellen niet mee per wijk."))
                if imported.deregistered:
                    said.append(("info", imported.deregistered_line()))
                said += [(severity(note), note.replace("--jaar", "het vak Jaar"))
                         for note in map(note_sentence, imported.notes)]
                for kind, line in sorted(said, key=lambda item: item[0] != "warning"):
                    getattr(st, kind)(plain(line))
    except InputRefused as refused:  # raised by as_file only: the job's refusals are said inside
        show_refusal(lrk_upload, refused)

st.header("Wat is geschat")
st.info(source_note("cbs-schatting"))
st.info(source_note("cbs-landelijk-profiel"))
st.info(source_note("kwb-gelijk-verdeeld"))
st.caption(
    "CBS publiceert per wijk alleen de groep 0 tot 15 jaar, afgerond op vijftallen; losse "
    "leeftijden alleen per gemeente. Levert de gemeente eigen BRP-cijfers aan, dan vervangen die "
    "de schatting voor de wijken en jaren waarvoor ze er zijn."
)
