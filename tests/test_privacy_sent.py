"""The seventh privacy review: what a role is sent, not only what it is shown (README "Privacy").

An AppTest element is what the server sends the browser (a ForwardMsg per element), so these tests
read the elements of a page as that role receives them."""

from __future__ import annotations

import re

from conftest import ROOT, add_account, run_page

from data_sources import store
from data_sources.accounts import Account, set_released

LEA = Account("zaal", "lea", None)
WIJKEN = ("Buitengebied", "Centrum", "Vlietzoom", "Zuiderpark", "Kerkebuurt", "Oude Haven",
          "Molenwijk", "Nieuwland", "De Horst", "Bloemhof")


def _delivery_rows(at) -> dict[str, str]:
    """The rows of the table on the slide 'Aanlevering van gegevens' as text, by their Gegevens."""
    table = next(m.value for m in at.markdown if "<div class='kk-table'>" in m.value)
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
    # a registration the LEA view is not asked to release keeps its coverage
    assert "9 van 10" in rows["Ingezette extra ondersteuning"]

    con = store.connect(app_db)
    try:
        set_released(con, "GM9999", "wachtlijst_so", "lea", True, "beheer")
    finally:
        con.close()
    at = run_page("presentatie", account=LEA, params={"dia": "levering"})
    released = _delivery_rows(at)["Wachtlijst (v)so"]
    assert "6 van 10" in released and "Buitengebied" in released
    assert "van 10" not in _delivery_rows(at)["Kinderen met een vve-indicatie"]


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
    assert len(partner) == 3 and partner["Rijen"].isna().all(), partner
    assert loads.loc[loads["Gegevens"] == "lrk-locaties", "Rijen"].notna().all()  # a public register

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
    assert uploads["Rijen"].isna().all(), uploads


def test_a_partner_keeps_the_row_counts_of_its_own_deliveries(app_db):
    organisation = "Samenwerkingsverband PO Voorbeeldregio"
    add_account(app_db, "swv", "partner", organisation)
    at = run_page("aanleveren", account=Account("swv", "partner", organisation))
    assert not at.exception, at.exception
    uploads = next(frame.value for frame in at.dataframe if "Rijen" in frame.value.columns)
    assert set(uploads["Organisatie"]) == {organisation}
    assert 9 in set(uploads["Rijen"])


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
