"""A gemeente loaded only from the real kwb download: population by route, unknown wijken, pages."""

from __future__ import annotations

import re

import pytest
from conftest import XLSX_MIME, app_db_with_files
from conftest import run_page_as_analist as run_page
from kwb_files import ZWOLLE_WIJKEN, kwb_rows, write_kwb_xlsx

from data_sources import store
from data_sources.errors import WouldEmptyValues
from data_sources.jobs import import_cbs_file as import_file
from transforms.labels import CAPACITY_UNKNOWN, PLUS_PLACES_NOT_DELIVERED, REGULAR_PLACES_UNKNOWN

KWB_LOADS = "select file_name, status from loads where dataset = 'kerncijfers' order by load_id"
KNOWN = {code: young for code, _, _, young in ZWOLLE_WIJKEN if isinstance(young, int)}


@pytest.fixture
def kwb_con(con, tmp_path):
    """A store with nothing but kwb-2024.xlsx of Zwolle imported."""
    import_file(con, write_kwb_xlsx(tmp_path / "kwb-2024.xlsx"))
    return con


def test_kwb_alone_spreads_each_wijk_evenly_over_the_ages(kwb_con):
    rows = kwb_con.execute(
        "select wijk_code, wijk_name, age_group, children, population_source, is_estimate"
        " from population_by_wijk_age where gemeente_code = 'GM0193' and year = 2024"
        " order by wijk_code, age_group"
    ).fetchall()
    assert {r[0] for r in rows} == set(KNOWN)  # the secret wijk is not estimated
    for wijk, name, age_group, children, source, is_estimate in rows:
        years_in_group = {"0-2": 2, "2-4": 2, "4-12": 8}[age_group]
        assert children == pytest.approx(KNOWN[wijk] * years_in_group / 15)
        assert (source, is_estimate) == ("kwb-gelijk-verdeeld", True)
        assert name.startswith("Wijk ")


def test_a_secret_wijk_is_unknown_not_spread(kwb_con):
    assert kwb_con.execute("select gemeente_code, wijk_code, wijk_name, year, reason"
                           " from population_unknown_by_wijk").fetchall() == [
        ("GM0193", "WK019352", "Wijk 52 Soestweteringlanden", 2024, "k_0Tot15Jaar geheim")]


def test_the_gemeente_profile_replaces_the_even_spread_and_keeps_secret_wijken_out(con, tmp_path):
    import_file(con, write_kwb_xlsx(tmp_path / "kwb-2024.xlsx"))
    # 03759ned of Zwolle: 100 children of every age 0-14 (made-up), as cbsodata saves it
    with store.transaction(con):
        load = store.new_load(con, source="cbs", dataset="bevolking-leeftijd", table_id="03759ned",
                              gemeente_code="GM0193", period="2024-2024")
        con.executemany("insert into raw_cbs__population_by_age values ('03759ned', 2024, 'GM0193', ?, 100, ?)",
                        [[age, load] for age in range(13)])
    from transforms import build

    build(con)
    rows = dict(con.execute(
        "select wijk_code, sum(children) from population_by_wijk_age"
        " where population_source = 'cbs-schatting' group by wijk_code").fetchall())
    gemeente_young = sum(KNOWN.values()) + 10
    for wijk, young in KNOWN.items():
        # share of the gemeente's own total: the secret wijk's 10 children are not spread
        assert rows[wijk] == pytest.approx(1200 * young / gemeente_young)
    assert con.execute("select count(*) from population_by_wijk_age"
                       " where population_source = 'kwb-gelijk-verdeeld'").fetchone() == (0,)


def test_a_kwb_only_gemeente_is_on_every_page(tmp_path, monkeypatch):
    app_db_with_files(tmp_path, monkeypatch, write_kwb_xlsx(tmp_path / "kwb-2024.xlsx"))
    at = run_page()
    assert not at.exception
    gemeente = at.sidebar.selectbox[0]
    assert gemeente.options == ["Zwolle (GM0193)"]
    text = " ".join(str(e.value) for e in [*at.markdown, *at.caption, *at.warning, *at.title])
    assert "Overzicht Zwolle 2024" in text
    assert "gelijk verdeeld over de leeftijden 0 tot en met 14" in text
    assert "Aantal kinderen onbekend voor Wijk 52 Soestweteringlanden (WK019352)" in text
    assert "kwb, gelijk verdeeld" in text and "onbekend (CBS geheim)" in text
    for page in ["kaart", "continuum", "tekorten", "trends", "presentatie", "databronnen"]:
        at.switch_page(f"pages/{page}.py")
        at.run()
        assert not at.exception, page
        shown = " ".join(str(e.value) for e in [*at.markdown, *at.info, *at.warning, *at.title])
        assert "Laad eerst gegevens" not in shown, page
        assert "Er zijn nog geen gegevens geladen" not in shown, page


def test_a_year_without_wijk_figures_says_what_is_missing(tmp_path, monkeypatch):
    rows = [row for row in kwb_rows() if row[4] != "Wijk" and row[4] != "Buurt"]
    app_db_with_files(tmp_path, monkeypatch, write_kwb_xlsx(tmp_path / "kwb-2023.xlsx", rows))
    at = run_page()
    assert not at.exception
    assert at.sidebar.selectbox[0].options == ["Zwolle (GM0193)"]
    warnings = " ".join(str(w.value) for w in at.warning)
    assert "Voor Zwolle in 2023 zijn alleen gemeentecijfers geladen, geen wijken" in warnings
    assert "kwb-2023.xlsx" in warnings and "Gemeente laden" in warnings


def test_an_unknown_gemeente_in_the_link_gets_a_message(app_db):
    from conftest import ROOT
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["gemeente"] = "GM0363"
    at.run()
    assert not at.exception
    assert any("Gemeente GM0363 uit de link is niet geladen; u ziet nu Voorbeeldstad" in str(w.value)
               for w in at.warning)


def test_databronnen_reconciles_wijken_with_the_gemeente(tmp_path, monkeypatch):
    path = tmp_path / "kindkaart.duckdb"
    con = store.connect(path)
    import_file(con, write_kwb_xlsx(tmp_path / "kwb-2024.xlsx"))
    rows = con.execute(
        "select kwb_column, gemeente_value, wijken_sum, difference, wijken_unknown_count"
        " from kerncijfers_reconciliation where kwb_column in ('a_inw', 'a_00_14') order by 1"
    ).fetchall()
    con.close()
    assert rows == [("a_00_14", 7660, 7650, 10, 1), ("a_inw", 41390, 41390, 0, 0)]
    monkeypatch.setenv("KINDKAART_DB", str(path))
    at = run_page("databronnen")
    assert not at.exception
    assert at.metric[1].value == "2"  # kwb and the bundled boundaries (the handreiking metric first)
    table = at.dataframe[-1].value
    verdicts = dict(zip(table["kwb-kolom"], table["Beoordeling"], strict=True))
    assert verdicts["a_inw"] == "binnen afronding"
    assert verdicts["a_00_14"] == "1 wijk geheim"
    # figures with Dutch thousands separators, as everywhere else (review: 566221)
    inwoners = table[table["kwb-kolom"] == "a_inw"].iloc[0]
    assert (inwoners["Gemeente"], inwoners["Som van de wijken"], inwoners["Verschil"]) == (
        "41.390", "41.390", "0")


def test_databronnen_shows_an_earlier_version_in_dutch(tmp_path, monkeypatch):
    """Review (session 23): the same kwb read twice; 'Eerdere versies (vervangen)' showed the
    loads table as stored: source, dataset, table_id, ... and 'superseded'."""
    path = tmp_path / "kindkaart.duckdb"
    con = store.connect(path)
    kwb = write_kwb_xlsx(tmp_path / "kwb-2024.xlsx")
    import_file(con, kwb)
    import_file(con, kwb)
    con.close()
    monkeypatch.setenv("KINDKAART_DB", str(path))
    at = run_page("databronnen")
    assert not at.exception
    active, earlier = at.dataframe[1].value, at.dataframe[2].value
    assert list(earlier.columns) == [*active.columns, "Status"]
    assert list(active.columns) == ["Bron", "Gegevens", "Tabel of soort", "Organisatie", "Periode",
                                    "Bestand", "Rijen", "Geladen op", "Opgehaald op"]
    assert earlier[["Bron", "Bestand", "Status"]].values.tolist() == [["CBS", "kwb-2024.xlsx", "vervangen"]]
    for frame in (active, earlier):  # moments as a Dutch reader writes them, no NaT
        assert all(re.fullmatch(r"(\d\d-\d\d-\d{4} \d\d:\d\d)?", m)
                   for m in [*frame["Geladen op"], *frame["Opgehaald op"]])


def read_in(at, name: str, data: bytes):
    """On the Gemeente laden page in `at`: upload a CBS file and press 'Bestand inlezen'."""
    at.file_uploader(key="laden_bestand").set_value((name, data, XLSX_MIME))
    at.run()
    next(b for b in at.button if b.label == "Bestand inlezen").click()
    at.run()


def test_gemeente_laden_reads_an_uploaded_kwb_file(app_db, tmp_path):
    data = write_kwb_xlsx(tmp_path / "kwb-2024.xlsx").read_bytes()
    at = run_page("gemeente_laden")
    read_in(at, "kwb-2024.xlsx", data)
    assert not at.exception
    assert at.success, [e.value for e in [*at.error, *at.warning, *at.info]]
    assert "kwb-2024.xlsx is ingelezen (Kerncijfers wijken en buurten, 1 gemeente(n))" in at.success[0].value
    assert _zwolle_loads(app_db) == 1


def test_gemeente_laden_refuses_a_bad_file_and_stores_nothing(app_db, tmp_path):
    rows = kwb_rows()
    rows[3][10] = "veel"
    data = write_kwb_xlsx(tmp_path / "kwb-2024.xlsx", rows).read_bytes()
    at = run_page("gemeente_laden")
    read_in(at, "kwb-2024.xlsx", data)
    assert not at.exception
    errors = [str(e.value) for e in at.error]
    assert errors == ["kwb-2024.xlsx is niet ingelezen; er is niets opgeslagen.",
                      "Bestand kwb-2024.xlsx, rij 5, kolom a_00_14: 'veel' is geen getal."]
    assert _zwolle_loads(app_db) == 0


def _zwolle_loads(path) -> int:
    import duckdb

    with duckdb.connect(str(path)) as connection:  # the app in this process holds it read-write
        return connection.execute("select count(*) from loads where gemeente_code = 'GM0193'"
                                  " and dataset = 'kerncijfers'").fetchone()[0]


def _emptier_kwb(tmp_path):
    """The same kwb-2024 as an early release: a_jz_tn and p_jz_tn '.' where they were filled."""
    return write_kwb_xlsx(tmp_path / "kwb-2024-voorlopig.xlsx", kwb_rows(secret_jeugdzorg=True))


def test_a_file_that_empties_values_is_refused_unless_replaced(con, tmp_path):
    import_file(con, write_kwb_xlsx(tmp_path / "kwb-2024.xlsx", kwb_rows(secret_jeugdzorg=False)))
    before = con.execute("select count(value) from raw_cbs__kerncijfers").fetchone()
    with pytest.raises(WouldEmptyValues) as refused:
        import_file(con, _emptier_kwb(tmp_path))
    assert refused.value.messages == [
        "Bestand kwb-2024-voorlopig.xlsx: dit zou waarden van 2024 leegmaken die kwb-2024.xlsx wel "
        "had, in de kolommen a_jz_tn (JongerenMetJeugdzorgInNatura), p_jz_tn "
        "(PercentageJongerenMetJeugdzorg) (tot 9 gebieden). Er is niets opgeslagen. Is dit bewust "
        "(bijvoorbeeld een gecorrigeerde CBS-versie)? Lees het bestand dan opnieuw in met --vervang, "
        "of bevestig het vervangen op de pagina Gemeente laden."]
    assert con.execute("select count(value) from raw_cbs__kerncijfers").fetchone() == before
    assert con.execute("select count(*) from loads where status = 'active' and dataset = 'kerncijfers'"
                       ).fetchone() == (1,)
    import_file(con, _emptier_kwb(tmp_path), replace=True)
    assert con.execute(KWB_LOADS).fetchall() == [
        ("kwb-2024.xlsx", "superseded"), ("kwb-2024-voorlopig.xlsx", "active")]


def test_a_gemeente_only_file_keeps_the_wijken_of_an_earlier_load(con, tmp_path):
    import_file(con, write_kwb_xlsx(tmp_path / "kwb-2024.xlsx"))
    gemeente_only = [row for row in kwb_rows() if row[4] in ("Land", "Gemeente")]
    import_file(con, write_kwb_xlsx(tmp_path / "kwb-2024-gemeente.xlsx", gemeente_only))
    assert con.execute(KWB_LOADS).fetchall() == [
        ("kwb-2024.xlsx", "active"), ("kwb-2024-gemeente.xlsx", "active")]
    assert con.execute("select count(distinct wijk_code) from population_by_wijk_age").fetchone() == (3,)


def test_cli_vervang_flag(tmp_path, capsys):
    from data_sources import cli

    db = str(tmp_path / "k.duckdb")
    first = write_kwb_xlsx(tmp_path / "kwb-2024.xlsx", kwb_rows(secret_jeugdzorg=False))
    assert cli.main(["import-cbs", str(first), "--db", db]) == 0
    assert cli.main(["import-cbs", str(_emptier_kwb(tmp_path)), "--db", db]) == 1
    assert "a_jz_tn (JongerenMetJeugdzorgInNatura)" in capsys.readouterr().out
    assert cli.main(["import-cbs", str(_emptier_kwb(tmp_path)), "--db", db, "--vervang"]) == 0


def test_gemeente_laden_asks_before_emptying_values(app_db, tmp_path):
    at = run_page("gemeente_laden")
    full = write_kwb_xlsx(tmp_path / "kwb-2024.xlsx", kwb_rows(secret_jeugdzorg=False)).read_bytes()
    read_in(at, "kwb-2024.xlsx", full)
    read_in(at, "kwb-2024.xlsx", _emptier_kwb(tmp_path).read_bytes())
    at.run()
    assert not at.exception
    assert any("a_jz_tn (JongerenMetJeugdzorgInNatura)" in str(w.value) for w in at.warning)
    at.checkbox(key="laden_bestand_vervang").check()
    at.run()
    next(b for b in at.button if b.label == "Bestand inlezen").click()
    at.run()
    assert "kwb-2024.xlsx is ingelezen" in at.success[0].value


def test_a_gemeente_from_files_draws_its_map_offline(tmp_path, monkeypatch):
    path = tmp_path / "kindkaart.duckdb"
    con = store.connect(path)
    import_file(con, write_kwb_xlsx(tmp_path / "kwb-2024.xlsx"))
    stored = con.execute("select region_level, count(*) from geometries group by 1 order by 1").fetchall()
    source = con.execute("select source, file_name, year from loads where dataset = 'geometrie'").fetchall()
    con.close()
    assert stored == [("gemeente", 1), ("wijk", 16)]  # Zwolle has 16 wijken in 2024
    assert source == [("pdok", "meegeleverd: wijk_2024.geojson.gz (CBS/PDOK, CC BY 4.0)", 2024)]
    monkeypatch.setenv("KINDKAART_DB", str(path))
    at = run_page("kaart")
    assert not at.exception
    assert not [w for w in at.warning if "wijkgrenzen" in str(w.value)]
    assert len(at.get("deck_gl_json_chart")) == 1
    assert any("Aantal kinderen onbekend voor Wijk 52 Soestweteringlanden" in str(c.value) for c in at.caption)


def test_another_year_uses_the_nearest_boundaries_with_a_note(tmp_path, monkeypatch):
    wijken = [*ZWOLLE_WIJKEN, ("WK019399", "Wijk 99 Verdwenen", 100, 20)]
    app_db_with_files(tmp_path, monkeypatch, write_kwb_xlsx(tmp_path / "kwb-2021.xlsx", kwb_rows(wijken=wijken)))
    at = run_page("kaart")
    assert not at.exception
    notes = " ".join(str(c.value) for c in [*at.caption, *at.info, *at.warning])
    assert "wijkgrenzen van 2024" in notes
    assert "Wijk 99 Verdwenen (WK019399)" in notes


def test_a_gemeente_that_renumbered_every_wijk_gets_one_sentence_not_a_list(tmp_path, monkeypatch):
    # as Amsterdam: its wijk codes of 2019 (WK036300-) are none of 2024's
    wijken = [("WK019390", "Wijk 90 Oud", 4000, 600), ("WK019391", "Wijk 91 Oud", 5000, 700)]
    app_db_with_files(tmp_path, monkeypatch, write_kwb_xlsx(tmp_path / "kwb-2019.xlsx", kwb_rows(wijken=wijken)))
    at = run_page("kaart")
    assert not at.exception
    notes = " ".join(str(c.value) for c in at.caption)
    assert ("Geen van de 2 wijkcodes van 2019 bestaat in 2024 (de wijken zijn sindsdien opnieuw "
            "ingedeeld), dus de kaart blijft leeg. Laad de grenzen van 2019 op de pagina "
            "**Gemeente laden**") in notes
    assert "WK019390" not in notes


def test_wijken_without_a_name_are_counted_and_the_page_says_where_names_come_from(tmp_path, monkeypatch):
    # a StatLine CSV "met codes" of a year whose codes the bundled 2024 names do not have
    wijken = [("WK019390", "WK019390", 4000, 600), ("WK019322", "Wijk 22 Stadshagen", 5000, 700)]
    app_db_with_files(tmp_path, monkeypatch, write_kwb_xlsx(tmp_path / "kwb-2019.xlsx", kwb_rows(wijken=wijken)))
    at = run_page()
    assert not at.exception
    captions = " ".join(str(c.value) for c in at.caption)
    assert ("Voor 1 van de 2 wijken is geen naam geladen; ze staan hier met hun CBS-code. Het "
            "kwb-bestand van 2019 (kwb-2019.xlsx) of de StatLine-CSV 'met titels' geeft de namen") in captions


def test_the_map_names_its_wijken_and_the_pdok_background_is_off_until_switched_on(tmp_path, monkeypatch):
    import json
    import urllib.parse

    app_db_with_files(tmp_path, monkeypatch, write_kwb_xlsx(tmp_path / "kwb-2024.xlsx"))
    at = run_page("kaart")
    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    names = next(layer for layer in spec["layers"] if layer["id"] == "wijknamen")
    # the wijken of the bundled boundaries, named from the kwb (or the boundaries), without "Wijk 10";
    # a wijk too small for its name at the first view (the Binnenstad) is named in its tooltip
    shown = {row["name"] for row in names["data"]}
    assert shown >= {"Diezerpoort", "Stadshagen", "Soestweteringlanden"} and "Binnenstad" not in shown
    assert names["getSize"] == 15 and names["outlineWidth"] == 4
    assert "pdok" not in spec["mapStyle"]
    at.toggle(key="kaart_achtergrond").set_value(True)
    at.run()
    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    assert ("https://service.pdok.nl/brt/achtergrondkaart/wmts/v2_0/grijs/EPSG:3857/{z}/{x}/{y}.png"
            in urllib.parse.unquote(spec["mapStyle"]))


def test_regions_without_names_take_the_bundled_ones():
    from data_sources.cbs.loading import kerncijfers_frames
    from data_sources.cbs.odata import CbsTable

    table = CbsTable(
        table_id="85984NED", title="Kerncijfers wijken en buurten 2024", period="2024", modified=None,
        data_properties=[{"Type": "GeoDetail", "Key": "WijkenEnBuurten"},
                         {"Type": "Topic", "Key": "AantalInwoners_5", "Datatype": "Long"}],
        records=[{"WijkenEnBuurten": "GM0193    ", "AantalInwoners_5": 133141},
                 {"WijkenEnBuurten": "WK019310  ", "AantalInwoners_5": 7115}],
    )
    regions, _ = kerncijfers_frames(table)
    assert dict(zip(regions["region_code"], regions["region_name"], strict=True)) == {
        "GM0193": "Zwolle", "WK019310": "Wijk 10 Binnenstad"}


def test_a_kwb_workbook_opening_with_an_explanation_sheet(con, tmp_path):
    import openpyxl

    path = write_kwb_xlsx(tmp_path / "kwb-2024.xlsx")
    book = openpyxl.load_workbook(path)
    book.create_sheet("Toelichting", 0).append(["Kerncijfers wijken en buurten 2024, bron: CBS"])
    book.save(path)
    kind, load_ids, _notes = import_file(con, path)
    assert (kind, len(load_ids)) == ("kerncijfers", 1)


def test_the_export_names_the_unknown_wijken(kwb_con):
    from outputs.exports import build_sheets

    [sheet] = build_sheets(kwb_con, "GM0193", 2024, keys=["kinderen_per_wijk"])
    assert any("Aantal kinderen onbekend voor Wijk 52 Soestweteringlanden (WK019352)" in note
               for note in sheet.notes)
    [row] = sheet.frame[sheet.frame["Wijkcode"] == "WK019352"].to_dict("records")
    assert row["Wijk"] == "Wijk 52 Soestweteringlanden"
    assert {value for key, value in row.items() if key not in ("Wijkcode", "Wijk")} == {"onbekend (CBS geheim)"}
    assert sheet.frame["Wijkcode"].iloc[-1] == "Totaal"  # the total stays the last row


def test_the_overzicht_downloads_list_the_secret_wijk_as_the_page_does(tmp_path, monkeypatch):
    # the page lists Wijk 52 as 'onbekend'; its CSV and Excel left the wijk out
    from test_privacy_sent import _capture_downloads, _download_text

    app_db_with_files(tmp_path, monkeypatch, write_kwb_xlsx(tmp_path / "kwb-2024.xlsx"))
    downloads = _capture_downloads(monkeypatch)
    at = run_page()
    assert not at.exception, at.exception
    texts = [_download_text(data) for data in downloads.values()]
    csv = next(text for text in texts if text.lstrip("\ufeff").startswith("Wijkcode"))
    rows = [line.split(";") if ";" in line else line.split(",") for line in csv.splitlines()]
    [secret] = [row for row in rows if row[0].strip('"') == "WK019352"]
    assert [cell.strip('"') for cell in secret[2:]] == ["onbekend (CBS geheim)"] * 5  # the figures and Bron
    assert rows[-1][0].strip('"') == "Totaal"
    workbook = next(text for text in texts if "WK019352" in text and not text.startswith("Wijkcode"))
    assert "onbekend (CBS geheim)" in workbook


def test_a_factsheet_of_a_secret_wijk_says_why_there_is_none(tmp_path, monkeypatch, capsys):
    from data_sources.cli import main

    path = app_db_with_files(tmp_path, monkeypatch, write_kwb_xlsx(tmp_path / "kwb-2024.xlsx"))
    sheet = tmp_path / "wijk.html"
    assert main(["export", "-o", str(sheet), "--gemeente", "GM0193", "--wijk", "WK019352",
                 "--db", str(path)]) == 1
    out = capsys.readouterr().out
    assert "Voor Wijk 52 Soestweteringlanden (WK019352) in 2024 houdt CBS het aantal kinderen" in out
    assert "kwb-kolom a_00_14, in StatLine '0 tot 15 jaar'" in out
    assert "Aanleveren" in out and not sheet.exists()


def test_an_observed_map_figure_without_data_says_where_it_comes_from(tmp_path, monkeypatch):
    # Zwolle from kwb alone: children, but no LRK export and no partner upload
    app_db_with_files(tmp_path, monkeypatch, write_kwb_xlsx(tmp_path / "kwb-2024.xlsx"))
    at = run_page("kaart")
    for key, expected in [
        ("kindplaatsen", "`python -m data_sources import-lrk LRK-export.csv --jaar 2024`"),
        ("vve_taal_spraak_per_100", "registratie vve-indicaties, die de JGZ aanlevert op de pagina **Aanleveren**"),
        ("nabijheid_bso_1km", "`python -m data_sources import-cbs BESTAND.csv --gemeente GM0193`"),
    ]:
        at.selectbox(key="_indicator_choice").set_value(key)
        at.run()
        assert not at.exception
        info = " ".join(str(i.value) for i in at.info)
        assert "voor Zwolle in 2024 zijn geen gegevens geladen" in info, key
        assert expected in info, key
        assert "ontbreekt het aantal kinderen" not in info, key


def test_a_gemeente_above_its_wijken_is_explained_by_inhabitants_without_a_wijk(tmp_path, monkeypatch):
    # CBS counts inhabitants whose whereabouts in the gemeente are unknown in the gemeente only
    rows = kwb_rows()
    rows[1][7] += 300  # a_inw of the gemeente: 41.690 against 41.390 in its wijken
    rows[1][15] += 200  # a_hh: households likewise
    app_db_with_files(tmp_path, monkeypatch, write_kwb_xlsx(tmp_path / "kwb-2024.xlsx", rows))
    at = run_page("databronnen")
    assert not at.exception
    table = at.dataframe[-1].value
    verdicts = dict(zip(table["kwb-kolom"], table["Beoordeling"], strict=True))
    assert verdicts["a_inw"] == ("gemeente 300 hoger (0,7 %): inwoners zonder bekende wijk tellen "
                                 "alleen in de gemeente")
    assert verdicts["a_hh"].endswith("hoger (1,0 %): huishoudens zonder bekende wijk tellen alleen "
                                     "in de gemeente")


def test_the_older_xls_download_loads_as_the_xlsx(con, tmp_path):
    """CBS published kwb-2013 to kwb-2020 as Excel 97-2003 workbooks (.xls): the same rows as the
    .xlsx of the later years."""
    from kwb_files import write_kwb_xls

    from data_sources.cbs.formats import read_cbs_file

    old = read_cbs_file(write_kwb_xls(tmp_path / "kwb-2020.xls"))
    new = read_cbs_file(write_kwb_xlsx(tmp_path / "kwb-2020.xlsx"))
    assert (old.kind, old.table.period) == (new.kind, new.table.period) == ("kerncijfers", "2020")
    assert old.table.records == new.table.records
    assert old.table.dimensions == new.table.dimensions
    import_file(con, tmp_path / "kwb-2020.xls")
    assert con.execute("select wijk_code, sum(children) from population_by_wijk_age"
                       " where gemeente_code = 'GM0193' and year = 2020 group by wijk_code"
                       " order by wijk_code").fetchall() == [
        (code, pytest.approx(young * 12 / 15)) for code, young in sorted(KNOWN.items())]


def test_without_an_lrk_export_places_are_unknown_not_a_shortage_of_the_whole_demand(tmp_path, monkeypatch):
    """Zwolle from kwb alone: Tekorten said "er zijn 0 plekken" and ranked a shortage equal to the
    whole demand; the map, the slide, the report and the workbook likewise. Now the places are
    'niet geladen', with where to load them, and no shortage is shown for them."""
    import openpyxl

    from data_sources.cli import main

    db = app_db_with_files(tmp_path, monkeypatch, write_kwb_xlsx(tmp_path / "kwb-2024.xlsx"))
    at = run_page("tekorten")
    assert not at.exception
    warning = " ".join(str(w.value) for w in at.warning)
    assert "geen export van het Landelijk Register Kinderopvang (LRK) geladen" in warning
    assert "Gemeente laden" in warning and "import-lrk" in warning
    text = " ".join(str(m.value) for m in at.markdown)
    regular = next(str(m.value) for m in at.markdown if "reguliere opvang" in str(m.value)
                   and str(m.value).startswith("**Gemeente Zwolle:**"))
    assert REGULAR_PLACES_UNKNOWN in regular and "er zijn 0 plekken" not in regular
    assert "Tekort aan reguliere plekken" not in text
    assert "Reguliere plekken nodig voor peuters (2-4 jaar) (schatting, midden)" in text
    assert CAPACITY_UNKNOWN in text
    assert set(at.dataframe[0].value["Plekken, gelijktijdig (LRK)"]) == {"niet geladen"}
    for key in ("tekort_reguliere_plekken", "boven_opnamegrens_niveau_3"):
        kaart = run_page("kaart", params={"indicator": key})
        assert not kaart.exception
        assert "geen export van het Landelijk Register Kinderopvang" in " ".join(str(i.value) for i in kaart.info)
    report = tmp_path / "zwolle.html"
    assert main(["export", "-o", str(report), "--db", str(db)]) == 0
    html = report.read_text(encoding="utf-8")
    assert "niet geladen (LRK)" in html
    workbook = tmp_path / "zwolle.xlsx"
    assert main(["export", "-o", str(workbook), "--db", str(db)]) == 0
    sheet = openpyxl.load_workbook(workbook)["Tekort per wijk en niveau"]
    rows = [r for r in sheet.iter_rows(values_only=True) if r[5] == "reguliere plekken voor niveau 1-3"]
    assert rows and {r[9] for r in rows} == {"niet geladen (LRK)"} and {r[11] for r in rows} == {"niet geladen (LRK)"}


def _gemeente_only_2023(tmp_path, monkeypatch):
    """An app database with Zwolle 2023 of kwb (no wijken: no children per wijk) and one stored
    scenario of that year."""
    from transforms import scenarios
    from transforms.planning import Scenario, default_separate_share

    rows = [row for row in kwb_rows() if row[4] != "Wijk" and row[4] != "Buurt"]
    path = app_db_with_files(tmp_path, monkeypatch, write_kwb_xlsx(tmp_path / "kwb-2023.xlsx", rows))
    connection = store.connect(path)
    try:
        scenario_id = scenarios.save_scenario(connection, Scenario(
            name="Eigen plan", gemeente_code="GM0193", year=2023,
            separate_share=default_separate_share()))
    finally:
        connection.close()
    return path, scenario_id


def test_a_scenario_without_children_per_wijk_is_refused_by_the_command(tmp_path, monkeypatch, capsys):
    from data_sources.cli import main

    path, scenario_id = _gemeente_only_2023(tmp_path, monkeypatch)
    assert main(["scenario", "show", str(scenario_id), "--db", str(path)]) == 1
    out = capsys.readouterr().out
    assert "Scenario 1 (Eigen plan) is niet te berekenen" in out
    assert "alleen gemeentecijfers geladen, geen wijken" in out and "Gemeente laden" in out
    assert "Fte totaal" not in out
    plan = tmp_path / "plan.xlsx"
    assert main(["scenario", "export", str(scenario_id), "-o", str(plan), "--db", str(path)]) == 1
    assert "Er is niets geschreven" in capsys.readouterr().out and not plan.exists()


def test_the_scenarios_page_says_what_is_missing_and_cannot_seed_or_save(tmp_path, monkeypatch):
    path, _ = _gemeente_only_2023(tmp_path, monkeypatch)
    connection = store.connect(path)
    try:
        connection.execute("delete from scenarios")
    finally:
        connection.close()
    at = run_page("scenarios")
    assert not at.exception, at.exception
    warnings = " ".join(str(w.value) for w in at.warning)
    assert "Een scenario rekent met de kinderen per wijk in 2023, en die ontbreken" in warnings
    assert "kwb-2023.xlsx" in warnings and "Gemeente laden" in warnings
    assert at.button(key="scenarios_seed").disabled
    assert all(button.disabled for button in at.button if button.label == "Opslaan en berekenen")


def test_a_stored_scenario_of_a_year_without_children_per_wijk_shows_no_zeros(tmp_path, monkeypatch):
    _gemeente_only_2023(tmp_path, monkeypatch)
    at = run_page("scenarios")
    assert not at.exception, at.exception
    assert "Een scenario rekent met de kinderen per wijk in 2023" in " ".join(str(w.value) for w in at.warning)
    assert at.multiselect(key="scenarios_compare").value == [1]
    captions = " ".join(str(c.value) for c in at.caption)
    assert "Groepen per verzorgingsgebied" not in captions  # no comparison of a plan of zeros


def test_the_report_shows_a_secret_wijk_as_unknown(kwb_con):
    from outputs import report

    html = report.gemeente_report(kwb_con, "GM0193", 2024)
    row = html[html.index("<td>WK019352</td>"):]
    row = row[:row.index("</tr>")]
    assert "Wijk 52 Soestweteringlanden" in row and row.count("onbekend (CBS geheim)") == 5  # 3 ages, total, Bron
    assert "Aantal kinderen onbekend voor Wijk 52 Soestweteringlanden (WK019352)" in html
    # and on its map, as on the Kaart (before: 'Wijk 52 Soestweteringlanden: ', empty); a wijk of
    # the boundaries without figures (not in this kwb) says 'geen gegevens'
    assert "<title>Wijk 52 Soestweteringlanden: onbekend (CBS geheim)</title>" in html
    assert re.search(r"<title>WK0193\d\d: geen gegevens</title>", html)
    assert "<title>Wijk 22 Stadshagen: " in html and "<title>Wijk 22 Stadshagen: geen gegevens" not in html


def test_the_report_of_one_year_says_it_shows_no_development(kwb_con, sample_con):
    """Review (session 23): a real gemeente with one kwb got 'Ontwikkeling over de jaren' with a
    one-point chart titled '2024-2024', where Trends says a trend needs two or more years."""
    from outputs import report

    html = report.gemeente_report(kwb_con, "GM0193", 2024)
    assert "2024-2024" not in html
    assert "Kinderen per leeftijdsgroep, Zwolle, 2024" in html
    assert "Alleen 2024 heeft cijfers: een ontwikkeling vraagt om twee of meer jaren." in html
    sample = report.gemeente_report(sample_con, "GM9999", 2024)
    assert "Kinderen per leeftijdsgroep, Voorbeeldstad, 2020-2024" in sample
    assert "een ontwikkeling vraagt om twee of meer jaren" not in sample

def test_every_page_that_leaves_out_a_secret_wijk_names_it(tmp_path, monkeypatch):
    app_db_with_files(tmp_path, monkeypatch, write_kwb_xlsx(tmp_path / "kwb-2024.xlsx"))
    at = run_page()
    # one wijk: 'van deze wijk(en) geheim' said Overzicht, where the Kaart said 'van deze wijk'
    assert any(w.value.startswith("Aantal kinderen onbekend voor Wijk 52 Soestweteringlanden "
                                  "(WK019352): CBS houdt het aantal kinderen van 0 tot 15 jaar van "
                                  "deze wijk geheim") for w in at.warning), [w.value for w in at.warning]
    for page in ["continuum", "tekorten", "trends", "analysevragen", "scenarios"]:
        at.switch_page(f"pages/{page}.py")
        at.run(timeout=120)
        assert not at.exception, (page, at.exception)
        shown = " ".join(str(e.value) for e in [*at.info, *at.caption])
        assert "Niet op deze pagina: Wijk 52 Soestweteringlanden (WK019352)" in shown, page
        # the column in either form CBS gives it: the analyst may have loaded a StatLine CSV
        assert "kwb-kolom a_00_14, in StatLine '0 tot 15 jaar'" in shown and "Aanleveren" in shown, page


def test_the_national_map_names_the_gemeenten_it_leaves_out_without_an_lrk_export(app_db, tmp_path):
    from data_sources import jobs

    connection = store.connect(app_db)
    try:
        jobs.import_cbs_file(connection, write_kwb_xlsx(tmp_path / "kwb-2024.xlsx"))
    finally:
        connection.close()
    at = run_page("kaart", params={"gebied": "nederland", "indicator": "tekort_reguliere_plekken"})
    assert not at.exception, at.exception
    assert at.session_state["gebied"] == "nederland"
    captions = " ".join(str(c.value) for c in at.caption)
    assert "Niet op deze kaart: Zwolle. Voor deze gemeente is geen LRK-export geladen" in captions
    assert "Voorbeeldstad" not in captions.split("Niet op deze kaart:")[1].split(".")[0]


def test_ranking_sentences_count_the_secret_wijken(tmp_path, monkeypatch):
    app_db_with_files(tmp_path, monkeypatch, write_kwb_xlsx(tmp_path / "kwb-2024.xlsx"))
    at = run_page()
    for page in ["overzicht", "continuum", "tekorten"]:
        at.switch_page(f"pages/{page}.py")
        at.run(timeout=120)
        assert not at.exception, (page, at.exception)
        shown = " ".join(str(m.value) for m in at.markdown)
        assert "Aantal kinderen onbekend (CBS geheim), niet gerangschikt: 1 wijk." in shown, page
        if page == "overzicht":  # one sentence per age group: the unknown wijk is said once
            assert shown.count("niet gerangschikt") == 1


def test_trends_with_one_year_says_a_trend_needs_a_second(tmp_path, monkeypatch):
    app_db_with_files(tmp_path, monkeypatch, write_kwb_xlsx(tmp_path / "kwb-2024.xlsx"))
    at = run_page()
    at.switch_page("pages/trends.py")
    at.run(timeout=120)
    assert not at.exception
    assert any("Alleen 2024 heeft cijfers" in str(info.value) for info in at.info)
    figure = at.get("plotly_chart")[0].proto.spec
    assert '"tickvals":[2024]' in figure.replace(" ", "")  # no empty years either side


# --- partner signals of the secret wijk: counted, their rate unknown; rankings count the wijk


def _with_signals(tmp_path, monkeypatch):
    """The kwb-only Zwolle app database with vve-indicaties and a wachtlijst-zorg delivered for
    every wijk, the secret Wijk 52 too (8 and 9 children: at least the smallest count shown)."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "registrations"))
    from support import filled_template

    from data_sources.cli import main

    db = app_db_with_files(tmp_path, monkeypatch, write_kwb_xlsx(tmp_path / "kwb-2024.xlsx"))
    counts = {"WK019310": 12, "WK019311": 15, "WK019322": 30, "WK019352": 8}
    uploads = {
        "vve-indicaties": [[wijk, "2-4", "taal/spraak", n] for wijk, n in counts.items()],
        "wachtlijst-zorg": [[wijk, "Zorg", "behandeling", "2-4", n + 1, 6] for wijk, n in counts.items()],
    }
    for soort, rows in uploads.items():
        upload = tmp_path / f"{soort}.xlsx"
        upload.write_bytes(filled_template(soort, rows))
        assert main(["import", str(upload), "--soort", soort, "--organisatie", "Partner",
                     "--periode", "2024", "--db", str(db)]) == 0
    return db


def _shown(at) -> str:
    return " ".join([*(str(e.value) for e in [*at.markdown, *at.caption, *at.info]),
                     *(d.value.to_string() for d in at.dataframe)])


def test_signals_of_a_secret_wijk_are_shown_as_counts_with_an_unknown_rate(tmp_path, monkeypatch):
    import re

    _with_signals(tmp_path, monkeypatch)
    at = run_page("kaart", params={"indicator": "vve_per_100"})
    assert not at.exception, at.exception
    shown = _shown(at)
    assert re.search(r"Wijk 52 Soestweteringlanden</td><td[^>]*>onbekend \(CBS geheim\)", shown)
    assert ("het laagst in Wijk 22 Stadshagen (3,8). Aantal kinderen onbekend (CBS geheim), niet "
            "gerangschikt: 1 wijk.") in shown
    # its profile gives the count it has, as the map's count does, and no rate
    at.selectbox(key="_profiel_wijk_choice").set_value("WK019352").run(timeout=120)
    assert not at.exception, at.exception
    assert [h.value for h in at.header] == ["Wijkprofiel Wijk 52 Soestweteringlanden"]
    assert ("- vve-indicatie: taal/spraak (2-4 jaar): 8 geteld, per 100 onbekend (CBS geheim); "
            "gemeente onbekend (CBS geheim)") in _shown(at)
    at.switch_page("pages/continuum.py")
    at.run(timeout=120)
    assert not at.exception, at.exception
    # the signals per wijk: the count, and no rate over children nobody knows
    assert re.search(r"Wijk 52 Soestweteringlanden\s+8\s+onbekend \(CBS geheim\)", _shown(at))
    # the gemeente rate would count Wijk 52's 8 children over the other wijken's children only
    # (6,4 where 5,6 per 100 is true): unknown too
    assert "**Vve-indicatie: taal/spraak** (2-4 jaar); gemeente: onbekend (CBS geheim)" in _shown(at)
    at.switch_page("pages/tekorten.py")
    at.run(timeout=120)
    assert not at.exception, at.exception
    waiting = next(d.value for d in at.dataframe if "Kinderen op de wachtlijst" in d.value.columns)
    assert dict(zip(waiting["Wijk"], waiting["Kinderen op de wachtlijst"], strict=True))[
        "Wijk 52 Soestweteringlanden"] == "9"
    # the gemeente total counts the secret wijk's 9 too: 13 + 16 + 31 + 9
    assert "**Wachtlijst zorg/ondersteuning** (2-4 jaar), gemeente: 69 kinderen" in _shown(at)
    at.switch_page("pages/trends.py")
    at.run(timeout=120)
    at.selectbox(key="trend_indicator").set_value("wachtlijst_zorg").run(timeout=120)
    assert not at.exception, at.exception
    # a count is known: the secret wijk is ranked like any other
    assert ("Wachtlijst zorg en ondersteuning (waargenomen) in 2024: het hoogst in Wijk 22 Stadshagen "
            "(31), het laagst in Wijk 52 Soestweteringlanden (9).") in _shown(at)


def test_slides_and_trends_count_the_secret_wijk_in_their_rankings(tmp_path, monkeypatch):
    app_db_with_files(tmp_path, monkeypatch, write_kwb_xlsx(tmp_path / "kwb-2024.xlsx"))
    unranked = "Aantal kinderen onbekend (CBS geheim), niet gerangschikt: 1 wijk."
    at = run_page("trends")
    assert not at.exception, at.exception
    assert "het laagst in Wijk 10 Binnenstad (60). " + unranked in _shown(at)
    for dia in ["kaart", "per_wijk", "continuum"]:
        at = run_page("presentatie", params={"dia": dia, "indicator": "kinderen_0_12"})
        assert not at.exception, (dia, at.exception)
        assert unranked in _shown(at), dia


def test_the_workbook_counts_the_secret_wijks_dagbehandeling_in_the_gemeente(kwb_con):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "registrations"))
    from support import filled_template

    from data_sources.jobs import import_registration
    from outputs.exports import build_sheets

    rows = [[wijk, "Zorg", "dagbehandeling", "2-4", n]
            for wijk, n in {"WK019310": 12, "WK019311": 15, "WK019322": 30, "WK019352": 8}.items()]
    import_registration(kwb_con, filled_template("jeugdhulp", rows), "jeugdhulp", "Zorg", "2024",
                        "jeugdhulp.xlsx")
    [sheet] = build_sheets(kwb_con, "GM0193", 2024, keys=["niveau_4"])
    shown = dict(zip(sheet.frame["Leeftijdsgroep"],
                     sheet.frame["Jeugdhulp dagbehandeling, kinderen (waargenomen)"], strict=True))
    assert [value for age, value in shown.items() if age.startswith("2-4")] == [65]  # 57 + Wijk 52's 8


def test_the_national_map_counts_the_secret_wijk_as_not_ranked(sample_db, tmp_path, monkeypatch):
    # Voorbeeldstad and the kwb-only Zwolle: on the map of Nederland, Wijk 52 (CBS secret) has no
    # number of children and is counted as not ranked, as on the map of Zwolle
    from conftest import app_copy

    db = app_copy(sample_db, tmp_path, monkeypatch)
    connection = store.connect(db)
    try:
        import_file(connection, write_kwb_xlsx(tmp_path / "kwb-2024.xlsx"))
    finally:
        connection.close()
    at = run_page("kaart", params={"gebied": "nederland", "indicator": "kinderen_0_12"})
    assert not at.exception, at.exception
    assert at.title[0].value.startswith("Kaart Nederland (alle gemeenten)")
    assert "Aantal kinderen onbekend (CBS geheim), niet gerangschikt: 1 wijk." in _shown(at)


def test_slides_say_where_to_load_without_the_command_line(tmp_path, monkeypatch):
    # Zwolle from its kwb alone: no LRK export, no 03759ned. The Kaart tells the analist the
    # page and the command; a slide on the projector tells the meeting the page only.
    from ui.slides import for_the_room

    app_db_with_files(tmp_path, monkeypatch, write_kwb_xlsx(tmp_path / "kwb-2024.xlsx"))
    at = run_page("kaart", params={"indicator": "kindplaatsen"})
    assert not at.exception, at.exception
    assert "python -m data_sources import-lrk" in " ".join(str(i.value) for i in at.info)
    for dia, indicator in [("kaart", "kindplaatsen"), ("kaart", "kinderen_0_12")]:
        at = run_page("presentatie", params={"dia": dia, "indicator": indicator})
        assert not at.exception, (dia, at.exception)
        notes = " ".join(str(e.value) for e in [*at.warning, *at.caption, *at.info])
        assert "Gemeente laden" in notes and "python -m" not in notes, (dia, indicator, notes)
    assert for_the_room(
        "Laad een LRK-export op de pagina **Gemeente laden** (LRK-export inlezen) of met "
        "`python -m data_sources import-lrk BESTAND`.") == (
        "Laad een LRK-export op de pagina **Gemeente laden** (LRK-export inlezen).")


def test_tekorten_says_plus_group_places_were_not_delivered_not_zero(tmp_path, monkeypatch):
    """Review (session 23): a real gemeente without partner data read 'er zijn 0 plekken' in
    plusgroepen and 'Plekken KDC/MKD: 0' on Tekorten, as if partners had counted none; the places
    come only from row 10 (groepsgrootte), which nobody delivered."""
    app_db_with_files(tmp_path, monkeypatch, write_kwb_xlsx(tmp_path / "kwb-2024.xlsx"))
    at = run_page("tekorten")
    assert not at.exception, at.exception
    passend = next(d.value for d in at.dataframe if "Plekken plusgroep" in d.value.columns)
    # the places and the shortage are unknown (the model's null), not 0 and not the whole need
    assert set(passend["Plekken plusgroep"]) == {"niet geleverd"}
    assert set(passend["Tekort plekken (laag-hoog)"]) == {"niet geleverd"}
    assert "niet geleverd" not in set(passend["Plekken nodig (laag-hoog)"])  # the need stays
    niveau_4 = next(d.value for d in at.dataframe if "Plekken KDC/MKD (gelijktijdig)" in d.value.columns)
    assert set(niveau_4["Plekken KDC/MKD (gelijktijdig)"]) == {"niet geleverd"}
    assert set(niveau_4["Tekort plekken (laag-hoog)"]) == {"niet geleverd"}
    text = " ".join(str(e.value) for e in [*at.markdown, *at.caption])
    assert "van niveau 3 in een aparte groep" in text
    assert "er zijn 0 plekken" not in text and "er zijn geen plekken" not in text
    assert PLUS_PLACES_NOT_DELIVERED in text
    assert "Voor Zwolle heeft geen partner rij 10 van de handreiking (groepsgrootte) geleverd" in text
    assert "Aparte groepen nodig in de gemeente" not in text  # no groups counted against 0 places


def test_plus_group_places_not_delivered_say_so_in_every_output(tmp_path, monkeypatch):
    """Review (session 23): with no row 10 (groepsgrootte) delivered, the workbook ('Plekken in
    plusgroepen (waargenomen) 0'), the report, the Kaart and the slides showed 0 places and a
    shortage of the whole need, as if counted. Now the model leaves them null, and each output
    says 'niet geleverd'."""
    import html

    import duckdb

    from outputs import exports, report
    from transforms.labels import ROW_10_NOT_DELIVERED
    from ui.slides import PASSEND_NOT_DELIVERED

    db = app_db_with_files(tmp_path, monkeypatch, write_kwb_xlsx(tmp_path / "kwb-2024.xlsx"))
    con = duckdb.connect(str(db), read_only=True)
    try:
        sheets = {s.title: s for s in exports.build_sheets(con, "GM0193", 2024)}
        wijk = con.execute("select min(wijk_code) from gap_by_wijk_niveau where gemeente_code = 'GM0193'"
                           " and component = 'aparte_groep' and need_mid > 0").fetchone()[0]
        texts = {"report": report.gemeente_report(con, "GM0193", 2024),
                 "factsheet": report.wijk_factsheet(con, "GM0193", 2024, wijk)}
    finally:
        con.close()
    groups = sheets["Aparte groepen (passend)"]
    assert set(groups.frame["Plekken in plusgroepen (waargenomen)"]) == {"niet geleverd"}
    assert set(groups.frame["Tekort in plekken (laag-hoog)"]) == {"niet geleverd"}
    assert set(groups.frame["Groepen nodig, midden"]) == {"niet geleverd"}
    assert ROW_10_NOT_DELIVERED in groups.notes
    niveau_4 = sheets["Niveau 4 (regionaal)"]
    assert set(niveau_4.frame["Plekken KDC/MKD, gelijktijdig (waargenomen)"]) == {"niet geleverd"}
    assert set(niveau_4.frame["Tekort in plekken (laag-hoog)"]) == {"niet geleverd"}
    assert ROW_10_NOT_DELIVERED in niveau_4.notes
    gap = sheets["Tekort per wijk en niveau"]
    separate = gap.frame[gap.frame["Onderdeel"] == "aparte groep (plusgroep)"]
    assert set(separate["Aanbod, waargenomen (afgerond)"]) == {"niet geleverd"}
    assert set(separate["Tekort (laag-hoog)"]) == {"niet geleverd"}
    assert "niet geleverd" not in set(separate["Nodig, schatting (laag-hoog)"])
    assert ROW_10_NOT_DELIVERED in gap.notes
    for where, text in texts.items():
        cells = [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<tr>(.*?)</tr>", text, flags=re.S)]
        separate_rows = [c for c in cells if "aparte groep (plusgroep)" in c]
        assert separate_rows and all("niet geleverd" in c for c in separate_rows), where
        assert ROW_10_NOT_DELIVERED.replace("'", "&#x27;") in text, where
    niveau_4_table = texts["report"].split("plekken nodig min plekken KDC/MKD.</p>")[1].split("</table>")[0]
    kdc_rows = [re.findall(r"<td[^>]*>(.*?)</td>", row)
                for row in re.findall(r"<tr>(.*?)</tr>", niveau_4_table, flags=re.S)]
    assert [row[4:6] for row in kdc_rows if row] == [["niet geleverd", "niet geleverd"]] * 3
    # the Kaart: no figure per wijk (not 0, not the whole need), and why
    at = run_page("kaart", params={"indicator": "tekort_niveau_3_passend"})
    assert not at.exception, at.exception
    info = " ".join(i.value for i in at.info)
    assert "Voor Zwolle heeft geen partner rij 10 van de handreiking (groepsgrootte) geleverd" in info
    # the wijk profile under the map
    at.selectbox(key="_profiel_wijk_choice").set_value(wijk).run()
    assert not at.exception, at.exception
    profile = " ".join(m.value for m in at.markdown)
    assert PLUS_PLACES_NOT_DELIVERED in profile
    assert "in plusgroepen. Tekort" not in profile
    # the gap slide: passend is left out, and the slide says why
    slide = run_page("presentatie", params={"dia": "tekort"})
    assert not slide.exception, slide.exception
    shown = " ".join(m.value for m in slide.markdown)
    assert PASSEND_NOT_DELIVERED in html.unescape(shown)
    assert "aparte groepen nodig in de gemeente" not in shown


def test_tekorten_shows_delivered_plus_group_places_as_counts(app_db):
    at = run_page("tekorten")
    assert not at.exception, at.exception
    passend = next(d.value for d in at.dataframe if "Plekken plusgroep" in d.value.columns)
    # row 10 delivered (a plus-group in Centrum): a wijk without one has 0 places, counted
    assert "niet geleverd" not in set(passend["Plekken plusgroep"])
    assert "0" in set(passend["Plekken plusgroep"])
    assert "niet geleverd" not in set(passend["Tekort plekken (laag-hoog)"])
    assert "geen partner rij 10" not in " ".join(str(c.value) for c in at.caption)


def test_delivered_plus_group_places_read_zero_where_a_wijk_has_none(app_db):
    # Voorbeeldstad: row 10 delivered (Zonnestraal's plus-group in Centrum): the other wijken
    # have 0 places ('0 gemeld') in the workbook and the report, and no 'niet geleverd' note
    import duckdb

    from outputs import exports, report
    from transforms.labels import ROW_10_NOT_DELIVERED

    con = duckdb.connect(str(app_db), read_only=True)
    try:
        sheets = {s.title: s for s in exports.build_sheets(con, "GM9999", 2024)}
        text = report.gemeente_report(con, "GM9999", 2024)
        factsheet = report.wijk_factsheet(con, "GM9999", 2024, "WK999909")
    finally:
        con.close()
    gap = sheets["Tekort per wijk en niveau"]
    separate = gap.frame[gap.frame["Onderdeel"] == "aparte groep (plusgroep)"]
    supply = separate.set_index(["Wijk", "Leeftijdsgroep"])["Aanbod, waargenomen (afgerond)"]
    assert "niet geleverd" not in set(supply) and 0 in set(supply)
    assert ROW_10_NOT_DELIVERED not in gap.notes
    assert "niet geleverd" not in set(sheets["Niveau 4 (regionaal)"].frame[
        "Plekken KDC/MKD, gelijktijdig (waargenomen)"])
    for where, html_text in (("report", text), ("factsheet", factsheet)):
        assert "groepsgrootte); &#x27;niet geleverd&#x27;" not in html_text, where
        rows = [re.sub(r"<[^>]+>", "|", r) for r in re.findall(r"<tr>(.*?)</tr>", html_text, flags=re.S)]
        assert not [r for r in rows if "aparte groep (plusgroep)" in r and "niet geleverd" in r], where


def test_the_national_passend_map_leaves_out_a_gemeente_without_row_10(sample_db, tmp_path,
                                                                       monkeypatch):
    # Voorbeeldstad (row 10 delivered) and the kwb-only Zwolle (none): Zwolle's wijken are not
    # on the map of plus-group shortages, and the map says why
    from conftest import app_copy

    db = app_copy(sample_db, tmp_path, monkeypatch)
    connection = store.connect(db)
    try:
        import_file(connection, write_kwb_xlsx(tmp_path / "kwb-2024.xlsx"))
        shown = {code[:6] for (code,) in connection.execute(
            "select distinct wijk_code from gap_by_wijk_niveau where year = 2024"
            " and component = 'aparte_groep' and supply is not null").fetchall()}
    finally:
        connection.close()
    assert shown == {"WK9999"}
    at = run_page("kaart", params={"gebied": "nederland", "indicator": "tekort_niveau_3_passend"})
    assert not at.exception, at.exception
    assert ("Niet op deze kaart: Zwolle. Daar heeft geen partner rij 10 van de handreiking "
            "(groepsgrootte) geleverd") in _shown(at)


def test_a_scenario_without_row_10_says_its_existing_plus_group_places_were_not_delivered(
        tmp_path, monkeypatch):
    """A plan needs a number for the existing plus-group places; without row 10 it counts 0. The
    Tekorten page says 'niet geleverd', so the plan says so too (its risks and its Wijken sheet)
    instead of '0 bestaande plekken' as if counted."""
    import duckdb

    from outputs.plan import inputs_frame
    from transforms import planning, scenarios

    db = app_db_with_files(tmp_path, monkeypatch, write_kwb_xlsx(tmp_path / "kwb-2024.xlsx"))
    con = duckdb.connect(str(db), read_only=True)
    try:
        inputs = scenarios.plan_inputs(con, "GM0193", 2024)
    finally:
        con.close()
    assert inputs and not any(w.plus_places_delivered for w in inputs if w.age_group != "0-2")
    for perspective in ("passend", "inclusief"):
        scenario = planning.Scenario(name="t", gemeente_code="GM0193", year=2024, perspective=perspective,
                                     separate_share=0.5 if perspective == "passend" else 0.0)
        plan = planning.compute_plan(scenario, inputs)
        assert not plan.existing_places_known
        afschalen = next(text for risk, text in plan.risks if risk == planning.RISKS["afschalen"])
        assert planning.NOT_DELIVERED_PLACES in afschalen and "0 bestaande" not in afschalen
    frame = inputs_frame(plan, inputs)
    shown = frame[frame["Leeftijdsgroep"] != "0-2 jaar"]["Plekken in aparte groepen"]
    assert set(shown) == {"niet geleverd"}


def test_a_scenario_of_the_sample_counts_its_delivered_plus_group_places(sample_db):
    import duckdb

    from transforms import planning, scenarios

    con = duckdb.connect(str(sample_db), read_only=True)
    try:
        inputs = scenarios.plan_inputs(con, "GM9999", 2024)
    finally:
        con.close()
    assert all(w.plus_places_delivered for w in inputs) and sum(w.plus_places for w in inputs) > 0
    plan = planning.compute_plan(planning.Scenario(name="t", gemeente_code="GM9999", year=2024,
                                                   perspective="inclusief"), inputs)
    assert plan.existing_places_known
    afschalen = next(text for risk, text in plan.risks if risk == planning.RISKS["afschalen"])
    assert "bestaande plekken in aparte groepen blijven zichtbaar" in afschalen
