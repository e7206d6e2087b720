"""The seventh privacy review: what a role is sent, not only what it is shown (README "Privacy").

An AppTest element is what the server sends the browser (a ForwardMsg per element), so these tests
read the elements of a page as that role receives them."""

from __future__ import annotations

import re

import pytest
from conftest import ROOT, add_account, app_copy, run_page

from data_sources import store
from data_sources.accounts import Account, set_released
from data_sources.registrations.schemas import REGISTRATION_TYPES
from ui.auth import PARTNER_INDICATORS, REGISTRATION_RELEASES

LEA = Account("zaal", "lea", None)
WIJKEN = ("Buitengebied", "Centrum", "Vlietzoom", "Zuiderpark", "Kerkebuurt", "Oude Haven",
          "Molenwijk", "Nieuwland", "De Horst", "Bloemhof")


def _delivery_rows(at) -> dict[str, str]:
    """The rows of the table on the slide 'Aanlevering van gegevens' as text, by their Gegevens."""
    return _delivery_rows_of(next(m.value for m in at.markdown if "<div class='kk-table'" in m.value))


def _delivery_rows_of(table: str) -> dict[str, str]:
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S):
        cells = [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        if len(cells) > 1:
            rows[cells[1]] = " | ".join(cells)
    return rows


def test_the_lea_is_not_told_per_wijk_where_an_unreleased_registration_has_children(app_db):
    # The slide "Aanlevering van gegevens" said, for each registration, in how many wijken it has
    # rows, which wijken have none and how many reported 0. For the waiting list (v)so, never
    # released to the LEA view, the room read "6 van 10, geen rijen voor 4 wijken: Buitengebied,
    # Centrum, Vlietzoom, Zuiderpark": the six others have children on the list. Figures from
    # partner registrations reach the LEA view only once released (README "Vrijgave").
    add_account(app_db, LEA.login, LEA.role)
    at = run_page("presentatie", account=LEA, params={"dia": "levering"})
    assert not at.exception, at.exception
    rows = _delivery_rows(at)
    for unreleased in ("Wachtlijst (v)so", "Kinderen met een vve-indicatie", "Kinderen in (v)so en sbo",
                       "Wachtlijst zorg en ondersteuning", "Groepsgrootte in kinderopvanglocaties"):
        row = rows[unreleased]
        assert "van 10" not in row and "met 0 gemeld" not in row and "geen rijen" not in row, row
        assert not [wijk for wijk in WIJKEN if wijk in row], row
        assert "niet vrijgegeven" in row  # it was delivered; who and when stay on the slide
    # a registration the LEA view cannot have released (test below) is withheld as well
    assert "9 van 10" not in rows["Ingezette extra ondersteuning"]

    con = store.connect(app_db)
    try:
        set_released(con, "GM9999", "wachtlijst_so", "lea", True, "beheer")
    finally:
        con.close()
    at = run_page("presentatie", account=LEA, params={"dia": "levering"})
    released = _delivery_rows(at)["Wachtlijst (v)so"]
    assert "6 van 10" in released and "Buitengebied" in released
    assert "van 10" not in _delivery_rows(at)["Kinderen met een vve-indicatie"]


def test_the_lea_is_not_told_per_wijk_where_a_registration_without_a_release_has_children(app_db):
    # Jeugdhulp, extra ondersteuning, ondersteuningstrajecten and the occupancy of childcare have no
    # release: the LEA view never sees their figures per wijk (ui.auth.signal_allowed), but the slide
    # "Aanlevering van gegevens" still said in which wijken they have rows and which reported 0
    # ("9 van 10, geen rijen voor 1 wijk: Buitengebied"): where children are (0 against 1 or more).
    add_account(app_db, LEA.login, LEA.role)
    con = store.connect(app_db)
    try:  # every release given: still none of these registrations is one the LEA view may read
        for key in PARTNER_INDICATORS:
            set_released(con, "GM9999", key, "lea", True, "beheer")
    finally:
        con.close()
    at = run_page("presentatie", account=LEA, params={"dia": "levering"})
    assert not at.exception, at.exception
    rows = _delivery_rows(at)
    without_release = [rtype.label for key, rtype in REGISTRATION_TYPES.items()
                       if rtype.target == "partner" and key not in REGISTRATION_RELEASES]
    assert len(without_release) == 4, without_release
    for label in without_release:
        row = rows[label]
        assert "van 10" not in row and "met 0 gemeld" not in row and "geen rijen" not in row, row
        assert not [wijk for wijk in WIJKEN if wijk in row], row
        assert "niet vrijgegeven" in row, row
    # released registrations show their coverage again; the BRP is the population of Overzicht
    assert "6 van 10" in rows["Wachtlijst (v)so"]
    assert "niet vrijgegeven" not in rows[REGISTRATION_TYPES["bevolking"].label]
    analist = Account("analist", "analist", None)
    add_account(app_db, analist.login, analist.role)
    full = _delivery_rows(run_page("presentatie", account=analist, params={"dia": "levering"}))
    assert "9 van 10" in full["Ingezette extra ondersteuning"]


def test_the_analist_keeps_the_whole_delivery_status(app_db):
    add_account(app_db, "analist", "analist")
    at = run_page("presentatie", account=Account("analist", "analist", None), params={"dia": "levering"})
    assert not at.exception, at.exception
    rows = _delivery_rows(at)
    assert "6 van 10" in rows["Wachtlijst (v)so"] and "Buitengebied" in rows["Wachtlijst (v)so"]
    assert "(1 met 0 gemeld)" in rows["Kinderen met een vve-indicatie"]


def _waiting_list_so(db) -> tuple[int, int]:
    """The sample's delivery of the waiting list (v)so: its row count and the children in it."""
    con = store.connect(db, read_only=True)
    try:
        return con.execute(
            "select any_value(l.row_count), sum(coalesce(try_cast(json_extract_string(r.payload,"
            " '$.children_count') as integer), 1)) from loads l join raw_partner__registration_rows r"
            " using (load_id) where l.status = 'active' and l.dataset = 'wachtlijst-so'").fetchone()
    finally:
        con.close()


def test_the_row_count_of_a_delivery_is_not_a_way_round_a_hidden_total(app_db):
    # A partner may deliver one row per child. The sample's waiting list (v)so is such a file: 9
    # rows, 9 children. Tekorten hides the gemeente total of that list; Databronnen (and the
    # workbook's sheet Databronnen, and the upload history on Aanleveren for the beheerder) put
    # "Rijen: 9" beside the file, and so the hidden total.
    import io

    import openpyxl

    from outputs import exports

    rows, children = _waiting_list_so(app_db)
    assert rows == children == 9
    add_account(app_db, "analist", "analist")
    analist = Account("analist", "analist", None)
    tekorten = run_page("tekorten", account=analist)
    assert not tekorten.exception, tekorten.exception
    assert any("**Wachtlijst (v)so** (4-12 jaar), gemeente: afgeschermd" in m.value for m in tekorten.markdown)

    at = run_page("databronnen", account=analist)
    assert not at.exception, at.exception
    loads = next(frame.value for frame in at.dataframe if "Rijen" in frame.value.columns
                 and "Bron" in frame.value.columns)
    partner = loads[loads["Gegevens"].isin(["wachtlijst-so", "jeugdhulp", "vve-indicaties"])]
    assert len(partner) == 3 and (partner["Rijen"] == "").all(), partner  # an empty cell, not None
    assert (loads.loc[loads["Gegevens"] == "lrk-locaties", "Rijen"] != "").all()  # a public register

    con = store.connect(app_db, read_only=True)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(exports.export_workbook(con, "GM9999", 2024)))
    finally:
        con.close()
    sheet = workbook["Databronnen"]
    header = next(row for row in sheet.iter_rows(values_only=True) if row and "Rijen" in row)
    column, dataset = header.index("Rijen"), header.index("Gegevens")
    shown = {row[dataset]: row[column] for row in sheet.iter_rows(values_only=True)
             if row and row[dataset] == "wachtlijst-so"}
    assert shown == {"wachtlijst-so": None}

    add_account(app_db, "beheer", "beheerder")
    history = run_page("aanleveren", account=Account("beheer", "beheerder", None))
    assert not history.exception, history.exception
    uploads = next(frame.value for frame in history.dataframe if "Rijen" in frame.value.columns)
    assert (uploads["Rijen"] == "").all(), uploads


def test_a_partner_keeps_the_row_counts_of_its_own_deliveries(app_db):
    organisation = "Samenwerkingsverband PO Voorbeeldregio"
    add_account(app_db, "swv", "partner", organisation)
    at = run_page("aanleveren", account=Account("swv", "partner", organisation))
    assert not at.exception, at.exception
    uploads = next(frame.value for frame in at.dataframe if "Rijen" in frame.value.columns)
    assert set(uploads["Organisatie"]) == {organisation}
    assert "9" in set(uploads["Rijen"])


def test_the_upload_history_names_a_file_not_its_hash(app_db):
    # The beheerder's history showed the first 12 characters of every file's sha256 as a column
    # "Hash": noise beside the file name. Only where one name stands for different contents does a
    # short prefix tell the versions apart; the whole hash stays in the database.
    import io

    import openpyxl

    from data_sources import jobs

    workbook = openpyxl.load_workbook(ROOT / "sample_data" / "registrations" / "wachtlijst-zorg.xlsx")
    workbook["Gegevens"]["E2"] = 3  # one more child waiting in Centrum: another file, the same name
    changed = io.BytesIO()
    workbook.save(changed)
    con = store.connect(app_db)
    try:
        jobs.import_registration(con, changed.getvalue(), "wachtlijst-zorg", "Zorggroep De Linde", "2024",
                                 "wachtlijst-zorg.xlsx", gemeente_code="GM9999")
        hashes = dict(con.execute("select load_id, file_hash from loads where file_name = 'wachtlijst-zorg.xlsx'")
                      .fetchall())
    finally:
        con.close()
    assert len(set(hashes.values())) == 2 and all(len(h) == 64 for h in hashes.values())

    add_account(app_db, "beheer", "beheerder")
    at = run_page("aanleveren", account=Account("beheer", "beheerder", None))
    assert not at.exception, at.exception
    uploads = next(frame.value for frame in at.dataframe if "Bestand" in frame.value.columns)
    assert "Hash" not in uploads.columns
    shown = dict(zip(uploads["Upload"], uploads["Bestand"], strict=True))
    assert {shown[load_id] for load_id in hashes} == {f"wachtlijst-zorg.xlsx (inhoud {h[:8]})" for h in
                                                      hashes.values()}
    others = [name for load_id, name in shown.items() if load_id not in hashes]
    assert others and all(name.endswith(".xlsx") for name in others), others  # no hash beside a unique name
    sent = " ".join(frame.value.to_csv() for frame in at.dataframe)
    assert not [h for h in hashes.values() if h[:9] in sent]  # nothing beyond the short prefix


# --- what a partner and the LEA view are sent before anything is released ---------------------
#
# A registration that waits for a release (ui.auth.REGISTRATION_RELEASES) may tell a partner or
# the LEA view who delivered it and when, and nothing more: everything else they are sent (every
# page and slide they may open, every element, every download) must be what they would be sent if
# no other organisation had delivered it at all.

PARTNER = Account("vlinder", "partner", "Kinderopvang De Vlinder")  # an organisation without uploads


def _without_waiting_registrations(sample_db, folder):
    """A copy of the sample as if nobody had delivered the registrations that wait for a release:
    their uploads superseded and every model rebuilt."""
    from ui.auth import REGISTRATION_RELEASES

    return _without_registrations(sample_db, folder, list(REGISTRATION_RELEASES))


def _without_registrations(sample_db, folder, datasets: list[str]):
    """A copy of the sample without the partners' uploads of these registration types."""
    import shutil

    import transforms

    path = folder / "kindkaart.duckdb"
    shutil.copy(sample_db, path)
    con = store.connect(path)
    try:
        # as data_sources.store supersedes a load (a new data version: the pages' caches see it)
        con.execute("update loads set status = 'superseded', status_changed_at = current_timestamp"
                    " where source = 'partner' and dataset in (select unnest(?::varchar[]))", [datasets])
        transforms.build(con)
    finally:
        con.close()
    return path


def _capture_downloads(monkeypatch) -> dict[str, object]:
    """What every download button of a run holds, by its id or url: the data of a static one,
    the function of a deferred one (called after the run, as a click does)."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    held: dict[str, object] = {}
    add, add_deferred = MediaFileManager.add, MediaFileManager.add_deferred

    def static(self, data, *args, **kwargs):
        url = add(self, data, *args, **kwargs)
        held[url] = data
        return url

    def deferred(self, make, *args, **kwargs):
        file_id = add_deferred(self, make, *args, **kwargs)
        held[file_id] = make
        return file_id

    monkeypatch.setattr(MediaFileManager, "add", static)
    monkeypatch.setattr(MediaFileManager, "add_deferred", deferred)
    return held


# random ids, and the minute a download was made ('Gemaakt op 04-12-2026 21:52')
_RANDOM = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32}"
                     r"|\d\d-\d\d-\d{4} \d\d:\d\d")


def _download_text(data) -> str:
    import io

    import openpyxl

    data = data() if callable(data) else data
    data = data.encode() if isinstance(data, str) else bytes(data)
    if data[:2] == b"PK":  # a workbook: its cells (the file also holds the moment it was written)
        workbook = openpyxl.load_workbook(io.BytesIO(data))
        return "\n".join(f"{sheet.title}: {row}" for sheet in workbook for row in sheet.iter_rows(values_only=True))
    return data.decode("utf-8", "replace")


def _sent(at, downloads: dict[str, object]) -> list[str]:
    """Every element of the run as the browser receives it, as text: tables as CSV, markdown, plotly
    and pydeck specs, widgets with their options, and the content of each download button (random
    ids and plotly's div ids left out)."""
    from google.protobuf.json_format import MessageToDict

    sent: list[str] = []

    def walk(node) -> None:
        kind = getattr(node, "type", "")
        proto = getattr(node, "proto", None)
        if kind in ("arrow_data_frame", "dataframe", "table"):
            sent.append(f"{kind}: {node.value.to_csv()}")
        elif proto is not None and hasattr(proto, "DESCRIPTOR"):
            fields = MessageToDict(proto)
            for random_field in ("id", "deferredFileId", "url", "formId"):
                fields.pop(random_field, None)
            sent.append(f"{kind}: {fields}")
            if kind == "download_button":
                data = downloads.get(proto.deferred_file_id) or downloads.get(proto.url)
                assert data is not None, fields
                sent.append(f"download {proto.label}: {_download_text(data)}")
        children = getattr(node, "children", None)
        for child in (children.values() if isinstance(children, dict) else ()):
            walk(child)

    walk(at._tree)
    return [_RANDOM.sub("<id>", text) for text in sent]


def _everything_sent(account: Account, downloads: dict[str, object]) -> dict[str, list[str]]:
    """What `account` is sent on every page it may open: for the LEA view every slide (?dia=N) and
    the map slide with every indicator, and Overzicht; for a partner Overzicht, the Kaart with every
    indicator and every wijkprofiel, and Aanleveren."""
    from ui.map_indicators import INDICATORS

    runs: dict[str, list[str]] = {}

    def keep(name: str, at) -> None:
        assert not at.exception, (name, at.exception)
        runs[name] = _sent(at, downloads)

    if account.role == "lea":
        first = run_page("presentatie", account=account, params={"dia": "1"})
        slides = int(re.search(r"Dia 1 van (\d+)", " ".join(m.value for m in first.markdown)).group(1))
        for number in range(1, slides + 1):
            keep(f"dia {number}", run_page("presentatie", account=account, params={"dia": str(number)}))
        for key in INDICATORS:
            keep(f"dia kaart {key}", run_page("presentatie", account=account,
                                               params={"dia": "kaart", "indicator": key}))
        keep("overzicht", run_page("overzicht", account=account))
        return runs
    keep("overzicht", run_page("overzicht", account=account))
    for key in INDICATORS:
        keep(f"kaart {key}", run_page("kaart", account=account, params={"indicator": key}))
    at = run_page("kaart", account=account)
    for wijk in [code for code in at.selectbox(key="_profiel_wijk_choice").options if code]:
        at.selectbox(key="_profiel_wijk_choice").set_value(wijk).run()
        keep(f"wijkprofiel {wijk}", at)
    keep("aanleveren", run_page("aanleveren", account=account))
    return runs


def _release_all_to(db, role: str, released: bool) -> None:
    from ui.auth import PARTNER_INDICATORS

    con = store.connect(db)
    try:
        for key in PARTNER_INDICATORS:
            set_released(con, "GM9999", key, role, released, "beheer")
    finally:
        con.close()


@pytest.mark.parametrize("account", [LEA, PARTNER], ids=["lea", "partner"])
def test_before_a_release_a_role_is_sent_nothing_of_a_waiting_registration(account, sample_db, tmp_path,
                                                                            monkeypatch):
    from ui.auth import REGISTRATION_RELEASES

    downloads = _capture_downloads(monkeypatch)
    sent = {}
    for name, db in (("delivered", sample_db), ("nobody delivered",
                                                _without_waiting_registrations(sample_db, tmp_path))):
        (tmp_path / name).mkdir()
        path = app_copy(db, tmp_path / name, monkeypatch)
        add_account(path, account.login, account.role, account.organisation)
        sent[name] = _everything_sent(account, downloads)
    delivered, absent = sent["delivered"], sent["nobody delivered"]
    assert delivered.keys() == absent.keys()

    if account.role == "lea":
        # the slide 'Aanlevering van gegevens': who delivered and when, for the rest 'niet vrijgegeven'
        slide = next(name for name, texts in delivered.items() if "Aanlevering van gegevens" in " ".join(texts))
        labels = {rtype.key: rtype.label for rtype in REGISTRATION_TYPES.values()}
        waiting = {labels[key] for key in REGISTRATION_RELEASES}
        table = "<div class='kk-table'"
        at_rows = {name: _delivery_rows_of(next(text for text in sent[name][slide] if table in text))
                   for name in sent}
        assert len(at_rows["delivered"]) == len(REGISTRATION_TYPES) == len(at_rows["nobody delivered"])
        for label, row in at_rows["delivered"].items():
            if label in waiting:
                assert row.endswith("niet vrijgegeven | niet vrijgegeven"), row
                assert re.search(r"nog niet aangeleverd \(levert: [^)]+\)$", at_rows["nobody delivered"][label]), label
            else:
                assert row == at_rows["nobody delivered"][label], (row, at_rows["nobody delivered"][label])
        for name in ("delivered", "nobody delivered"):
            sent[name][slide] = [text for text in sent[name][slide] if table not in text]

    differing = {name: sorted(set(delivered[name]) ^ set(absent[name]))[:4]
                 for name in delivered if delivered[name] != absent[name]}
    assert not differing, differing

    # released, the same pages do carry them (so the runs above would have seen a leak)
    released = tmp_path / "delivered" / "kindkaart.duckdb"
    _release_all_to(released, account.role, True)
    monkeypatch.setenv("KINDKAART_DB", str(released))
    if account.role == "lea":
        at = run_page("presentatie", account=account, params={"dia": "levering"})
        assert "van 10" in _delivery_rows(at)["Kinderen met een vve-indicatie"]
    else:
        at = run_page("kaart", account=account, params={"indicator": "vve_taal_spraak_per_100"})
        assert _sent(at, downloads) != absent["kaart vve_taal_spraak_per_100"]
        assert at.selectbox(key="_indicator_choice").value == "vve_taal_spraak_per_100"


@pytest.mark.parametrize("account", [LEA, PARTNER], ids=["lea", "partner"])
def test_a_page_a_role_may_not_open_sends_it_nothing_but_that(account, app_db):
    # The navigation offers a partner and the LEA view only their pages, but Streamlit can run a
    # page file on its own (a deep link): each page stops before it draws a figure.
    from streamlit.testing.v1 import AppTest

    from ui.auth import may_see

    add_account(app_db, account.login, account.role, account.organisation)
    forbidden = sorted(page.stem for page in (ROOT / "pages").glob("*.py") if not may_see(account, page.stem))
    assert {"continuum", "tekorten", "databronnen", "analysevragen", "beheer"} <= set(forbidden)
    for page in forbidden:
        at = AppTest.from_file(str(ROOT / "pages" / f"{page}.py"), default_timeout=60)
        at.session_state["kindkaart_account"] = account
        at.session_state["gemeente_code"] = "GM9999"
        at.run()
        assert not at.exception, (page, at.exception)
        sent = _sent(at, {})
        assert len(sent) == 1 and "U heeft geen toegang" in sent[0], (page, sent)


def test_a_partner_is_not_told_that_partners_delivered_signals_it_may_not_see(sample_db, tmp_path, monkeypatch):
    # A gemeente whose only partner signals are vve-indicaties, not released: the wijkprofiel on
    # the Kaart drew "Signalen van partners" with "Geen signalen voor deze wijk." (false, and it
    # said that a partner had delivered signals); as if nothing was delivered, it draws nothing.
    only_vve = _without_registrations(sample_db, tmp_path,
                                      [key for key in REGISTRATION_TYPES if key != "vve-indicaties"])
    (tmp_path / "app").mkdir()
    path = app_copy(only_vve, tmp_path / "app", monkeypatch)
    add_account(path, PARTNER.login, PARTNER.role, PARTNER.organisation)

    def profile() -> str:
        at = run_page("kaart", account=PARTNER)
        at.selectbox(key="_profiel_wijk_choice").set_value("WK999902").run()
        assert not at.exception, at.exception
        return " ".join(_sent(at, {}))

    shown = profile()
    assert "Wijkprofiel" in shown
    assert "Signalen van partners" not in shown and "Geen signalen" not in shown
    _release_all_to(path, "partner", True)
    shown = profile()
    assert "Signalen van partners" in shown and "vve-indicatie" in shown


# --- a partner's upload numbers ------------------------------------------------------------------

def _page_text(at) -> str:
    """Every text a page sends: messages, markdown, captions, tables and the options of its pickers."""
    parts = [element.value for kind in (at.success, at.info, at.error, at.warning, at.markdown, at.caption)
             for element in kind]
    parts += [d.value.to_csv() for d in at.dataframe]
    parts += [option for box in at.selectbox for option in box.options]
    return "\n".join(str(part) for part in parts)


def test_a_partner_sees_its_own_upload_numbers_not_the_global_ones(app_db):
    # The load_id counts the uploads of every organisation: "Opgeslagen als upload 17" and the
    # history's Upload column told a partner how many uploads all organisations made, and between
    # its own two uploads, how many others did. A partner now sees its own numbering (1 for its
    # first upload), also in Terugzetten; the beheerder, the command line and the log keep the load_id.
    import sys
    from pathlib import Path

    from conftest import uploader

    from data_sources import jobs

    sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "registrations"))
    from support import filled_template

    organisation = "Padding Zorg"
    add_account(app_db, "pad", "partner", organisation)
    partner = Account("pad", "partner", organisation)

    def other_upload(name: str) -> int:
        con = store.connect(app_db)
        try:
            workbook = filled_template("jeugdhulp", [["Centrum", None, "ambulant", "2-4", 7]])
            return jobs.import_registration(con, workbook, "jeugdhulp", "Andere Zorg", name,
                                            f"{name}.xlsx").load_id
        finally:
            con.close()

    def upload(at, children: int):
        rows = [["Centrum", None, "logopedie", "2-4", children, children, 100.0]]
        at.selectbox(key="aanleveren_soort").set_value("ondersteuningstrajecten").run()
        uploader(at, "ondersteuningstrajecten").set_value(
            (f"versie-{children}.xlsx", filled_template("ondersteuningstrajecten", rows),
             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")).run()
        [b for b in at.button if b.label == "Bevestigen en opslaan"][0].click().run()
        assert not at.exception, at.exception

    other_upload("2024-Q1")
    at = run_page("aanleveren", account=partner)
    upload(at, 10)
    assert at.success[0].value.startswith("Opgeslagen als upload 1: 1 rij. ")
    between = other_upload("2024-Q2")  # another organisation uploads in between
    at = run_page("aanleveren", account=partner)
    upload(at, 12)
    assert at.success[0].value.startswith("Opgeslagen als upload 2: 1 rij; vervangt upload 1. ")
    history = next(d.value for d in at.dataframe if "Organisatie" in d.value.columns)
    assert sorted(history["Upload"].astype(int)) == [1, 2]

    con = store.connect(app_db, read_only=True)
    try:
        mine = [load_id for (load_id,) in con.execute(
            "select load_id from loads where organisation = ? order by load_id", [organisation]).fetchall()]
    finally:
        con.close()
    assert mine[0] > 1 and mine[1] > between  # the global ids a partner read before
    text = _page_text(at)
    for global_id in (*mine, between):
        assert not re.search(rf"[Uu]pload {global_id}\b", text), global_id

    # restoring the first version still works, by its own number
    restore = at.selectbox(key="aanleveren_herstel")
    assert restore.options[0].startswith("Upload 1: Ingezette extra ondersteuning, Padding Zorg")
    restore.set_value(mine[0]).run()
    [b for b in at.button if b.label == "Terugzetten"][0].click().run()
    assert not at.exception, at.exception
    assert at.success[0].value == "Upload 1 is weer de actieve versie (vervangt upload 2)."
    con = store.connect(app_db, read_only=True)
    try:
        assert con.execute("select load_id from loads where organisation = ? and status = 'active'",
                           [organisation]).fetchall() == [(mine[0],)]
    finally:
        con.close()

    # the beheerder keeps the global id, as the command line and the log have it
    add_account(app_db, "baas", "beheerder")
    at = run_page("aanleveren", account=Account("baas", "beheerder", None))
    history = next(d.value for d in at.dataframe if "Organisatie" in d.value.columns)
    assert set(mine) <= set(history["Upload"].astype(int))
