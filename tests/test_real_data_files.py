"""Every file of ../shared/real_data read as a beheerder reads it, on the page Gemeente laden: each
is stored with its figures or refused saying what it is and what to read instead, never with the
wrong advice or under another name. The tests marked real skip without that folder; the others
use small files in the same formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import REAL_DATA, active_loads, add_account, refusal, run_page

from data_sources import jobs
from data_sources.accounts import Account
from data_sources.cbs.files import store_file

real = pytest.mark.skipif(not REAL_DATA.exists(), reason="../shared/real_data ontbreekt")
BEHEERDER = Account("beheer", "beheerder", None)
KWB = REAL_DATA / "kwb2024_odata_85984NED"
NO_CHILDREN = "Dit bestand heeft geen aantal kinderen van 0 tot 15 jaar"


def read_in(path: Path, gemeente: str | None = None):
    """On Gemeente laden as the beheerder: choose `gemeente` (or none: the whole file), upload the
    file at `path` and press 'Bestand inlezen'. Returns the AppTest, after a run without an
    exception."""
    at = run_page("gemeente_laden", account=BEHEERDER, timeout=300)
    if gemeente:
        at.selectbox(key="laden_gemeente").set_value(gemeente).run()
    at.file_uploader(key="laden_bestand").set_value((path.name, path.read_bytes(), "application/octet-stream"))
    at.run()
    next(b for b in at.button if b.label == "Bestand inlezen").click()
    at.run()
    assert not at.exception, at.exception
    return at


def said(at, kind: str) -> list[str]:
    return [str(element.value) for element in getattr(at, kind)]


@pytest.fixture
def page_db(app_db):
    add_account(app_db, "beheer", "beheerder")
    return app_db


# -- the files of real_data that are no data Kindkaart stores: refused saying what they are

@real
@pytest.mark.parametrize("name, expected", [
    ("CBS-Toelichting-variabelen-kwb-2024.txt",
     "Bestand CBS-Toelichting-variabelen-kwb-2024.txt: dit is geen tabel. De eerste tien regels "
     "hebben elk hoogstens één waarde, zonder kolommen gescheiden door ';', ',' of een tab (de "
     "eerste regel is 'Toelichting Kerncijfers wijken en buurten 2024 1'). Het lijkt een tekst, "
     "zoals de toelichting bij de kerncijfers. Lees de tabel zelf in: het kwb-bestand "
     "(kwb-2024.xlsx) of een StatLine-CSV. Er is niets opgeslagen."),
    ("geo/provincie_2020_wgs84.geojson",
     "Bestand provincie_2020_wgs84.geojson: geen gemeente-, wijk- of buurtvlakken; de vlakken zijn "
     "provincies (statcode PV20, PV21, PV22 en nog 9). Kindkaart tekent gemeenten en wijken: lees "
     "de wijkgrenzen in (wijk_\\<jaar\\>.geojson van PDOK of cartomap, of de wijk- en buurtkaart van "
     "CBS). Er is niets opgeslagen."),
    ("geo/arbeidsmarktregio_2024_wgs84.geojson",
     "Bestand arbeidsmarktregio_2024_wgs84.geojson: geen gemeente-, wijk- of buurtvlakken; de "
     "vlakken zijn arbeidsmarktregio's (statcode AM01, AM02, AM03 en nog 32). Kindkaart tekent "
     "gemeenten en wijken: lees de wijkgrenzen in (wijk_\\<jaar\\>.geojson van PDOK of cartomap, of "
     "de wijk- en buurtkaart van CBS). Er is niets opgeslagen."),
    ("statline_nabijheid_voorzieningen_2023_header.csv",
     "Bestand statline_nabijheid_voorzieningen_2023_header.csv: alleen Nederland, geen gemeente, "
     "wijk of buurt gevonden. Download de tabel opnieuw met de regio's van uw gemeente (in "
     "StatLine bij 'Wijken en buurten' de gemeente en haar wijken). Er is niets opgeslagen."),
])
def test_a_real_file_that_holds_no_data_to_store_is_refused_saying_what_it_is(page_db, name,
                                                                              expected):
    """Before: the toelichting was refused for a ';' in its row 33 with the advice to put a name
    in quotes; the provinces and arbeidsmarktregio's as lacking the property statcode, which they
    have; the StatLine download of Nederland alone as 'Tabel statline-2023'."""
    import duckdb

    before = duckdb.connect(str(page_db), read_only=True)
    loads = active_loads(before)
    before.close()
    at = read_in(REAL_DATA / name)
    assert said(at, "error") == [f"{Path(name).name} is niet ingelezen; er is niets opgeslagen.", expected]
    after = duckdb.connect(str(page_db), read_only=True)
    assert active_loads(after) == loads
    after.close()


# -- the real figures: read from the file keyed by region code, checked per wijk

def _amsterdam(values: dict) -> dict[str, dict]:
    return {code: row for code, row in values.items() if code[2:6] == "0363"}


@real
def test_the_real_figures_keyed_by_region_code_are_stored_for_every_wijk(page_db):
    """stripped_filtered_data_2024.json holds the real 2024 figures as an object keyed by region
    code ({"WK036300": {"AantalInwoners_5": ...}}, pandas' to_json(orient="index") of a cbsodata
    table): refused before as 'geen lijst met CBS-rijen'. Read for Amsterdam, every wijk has the
    file's own inhabitants, dwellings and area; the file has no ages, which is said at once."""
    import duckdb

    path = KWB / "stripped_filtered_data_2024.json"
    at = read_in(path, "GM0363")
    assert said(at, "success") == [f"{path.name} is ingelezen (Kerncijfers wijken en buurten, 1 "
                                   "gemeente(n)). Kies de gemeente links in de zijbalk."]
    assert [text for text in said(at, "warning") if text.startswith(NO_CHILDREN)], said(at, "warning")
    expected = {(code, stem): row[key] for code, row in _amsterdam(json.loads(path.read_text(
        encoding="utf-8"))).items() for stem, key in (("AantalInwoners", "AantalInwoners_5"),
                                                      ("Woningvoorraad", "Woningvoorraad_35"),
                                                      ("OppervlakteLand", "OppervlakteLand_123"))}
    con = duckdb.connect(str(page_db), read_only=True)
    stored = {(code, stem): value for code, stem, value in con.execute(
        "select region_code, stem, value from raw_cbs__kerncijfers where stem in"
        " ('AantalInwoners', 'Woningvoorraad', 'OppervlakteLand') and region_code like '%0363%'").fetchall()}
    wijken = con.execute("select count(*) from regions where region_level = 'wijk'"
                         " and region_code like 'WK0363%' and year = 2024").fetchone()[0]
    con.close()
    assert stored == expected
    assert wijken == len({code for code, _ in expected if code.startswith("WK")})


@real
def test_a_real_cbsodata_folder_with_a_selection_of_columns_says_the_ages_are_missing(sample_copy,
                                                                                     tmp_path):
    """cbsodata saves the whole DataProperties beside a selection of columns (get_data(select=
    ...)): the real DataProperties of 85984NED describe k_0Tot15Jaar_8, the rows (the real
    figures) lack it. Said before: 'alleen gemeentecijfers, geen wijken', of a file of 111 wijken."""
    folder = tmp_path / "85984NED"
    folder.mkdir()
    for name in ("DataProperties.json", "TableInfos.json"):
        (folder / name).write_bytes((KWB / name).read_bytes())
    values = _amsterdam(json.loads((KWB / "stripped_filtered_data_2024.json").read_text(encoding="utf-8")))
    (folder / "TypedDataSet.json").write_text(json.dumps(
        [{"ID": number, "WijkenEnBuurten": code.ljust(10), "Codering_3": code.ljust(10), **row}
         for number, (code, row) in enumerate(values.items())]), encoding="utf-8")
    stored = store_file(sample_copy, folder)
    assert [note for note in stored.notes if note.startswith(NO_CHILDREN)]
    assert not [note for note in stored.notes if "geen wijken" in note], stored.notes


# -- the same formats, small: these always run

def test_a_geojson_of_provinces_is_refused_as_provinces(sample_copy, tmp_path):
    # cartomap's provincie_2020.geojson: statcode, jrstatcode, name, rubriek
    path = tmp_path / "provincie_2020.geojson"
    square = {"type": "Polygon", "coordinates": [[[6.5, 53.0], [6.6, 53.0], [6.6, 53.1], [6.5, 53.0]]]}
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": square, "properties": {
            "id": number, "statcode": f"PV{20 + number}", "jrstatcode": f"2020PV{20 + number}",
            "name": name, "rubriek": "provincie"}}
        for number, name in enumerate(["Groningen", "Friesland", "Drenthe", "Overijssel"])]}),
        encoding="utf-8")
    assert refusal(sample_copy, lambda: jobs.import_cbs_file(sample_copy, path)) == (
        "Bestand provincie_2020.geojson: geen gemeente-, wijk- of buurtvlakken; de vlakken zijn "
        "provincies (statcode PV20, PV21, PV22 en nog 1). Kindkaart tekent gemeenten en wijken: lees "
        "de wijkgrenzen in (wijk_<jaar>.geojson van PDOK of cartomap, of de wijk- en buurtkaart van "
        "CBS). Er is niets opgeslagen.")


def test_a_text_beside_the_kwb_is_refused_as_no_table(sample_copy, tmp_path):
    """A text saved as .txt, with a ';' in a sentence below its first ten lines: refused before
    for that row, with the advice to put a name between quotes."""
    path = tmp_path / "Toelichting-kwb-2024.txt"
    path.write_text("Toelichting Kerncijfers wijken en buurten 2024 1 \n \n" + " \n" * 10
                    + "Overzicht inhoud van de StatLinetabel; stand per augustus 2024 \n"
                    "Variabelenaam \na_inw Aantal inwoners \n", encoding="utf-8")
    assert refusal(sample_copy, lambda: jobs.import_cbs_file(sample_copy, path)) == (
        "Bestand Toelichting-kwb-2024.txt: dit is geen tabel. De eerste tien regels hebben elk "
        "hoogstens één waarde, zonder kolommen gescheiden door ';', ',' of een tab (de eerste regel "
        "is 'Toelichting Kerncijfers wijken en buurten 2024 1'). Het lijkt een tekst, zoals de "
        "toelichting bij de kerncijfers. Lees de tabel zelf in: het kwb-bestand (kwb-2024.xlsx) of "
        "een StatLine-CSV. Er is niets opgeslagen.")


def test_a_statline_download_of_nederland_alone_is_refused_by_its_file_name(sample_copy, tmp_path):
    # StatLine's CSV as downloaded: BOM, ';', quoted and padded, the titles with their groups
    path = tmp_path / "Nabijheid_voorzieningen_2023.csv"
    path.write_text(
        '\ufeff"Wijken en buurten";"Regioaanduiding/Gemeentenaam (naam)";"Regioaanduiding/Soort '
        'regio (omschrijving)";"Regioaanduiding/Codering (code)";"Onderwijs/Basisonderwijs/Afstand '
        'tot school (km)";"Kinderopvang/Afstand tot kinderdagverblijf (km)"\n'
        '"Nederland";"Nederland                               ";"Land      ";"NL00      ";"       .";'
        '"       .0"\n', encoding="utf-8")
    assert refusal(sample_copy, lambda: jobs.import_cbs_file(sample_copy, path)) == (
        "Bestand Nabijheid_voorzieningen_2023.csv: alleen Nederland, geen gemeente, wijk of buurt "
        "gevonden. Download de tabel opnieuw met de regio's van uw gemeente (in StatLine bij "
        "'Wijken en buurten' de gemeente en haar wijken). Er is niets opgeslagen.")


def _keyed(path: Path) -> Path:
    path.write_text(json.dumps({
        "GM0193": {"AantalInwoners_5": 132000, "Mannen_6": 65000, "Woningvoorraad_35": 58000},
        "WK019310": {"AantalInwoners_5": 7115, "Mannen_6": 3500, "Woningvoorraad_35": 4200},
        "WK019311": {"AantalInwoners_5": 5020, "Mannen_6": 2480, "Woningvoorraad_35": None}}),
        encoding="utf-8")
    return path


def test_a_table_saved_keyed_by_region_code_is_stored(sample_copy, tmp_path):
    stored = jobs.import_cbs_file(sample_copy, _keyed(tmp_path / "kerncijfers_2024.json"))
    assert stored.kind == "kerncijfers"
    assert [note for note in stored.notes if note.startswith(NO_CHILDREN)]
    assert sample_copy.execute(
        "select region_code, region_level, stem, value from raw_cbs__kerncijfers where load_id in"
        " (select unnest(?::integer[])) and stem in ('AantalInwoners', 'Woningvoorraad') order by all",
        [stored.load_ids]).fetchall() == [
        ("GM0193", "gemeente", "AantalInwoners", 132000), ("GM0193", "gemeente", "Woningvoorraad", 58000),
        ("WK019310", "wijk", "AantalInwoners", 7115), ("WK019310", "wijk", "Woningvoorraad", 4200),
        ("WK019311", "wijk", "AantalInwoners", 5020), ("WK019311", "wijk", "Woningvoorraad", None)]


def test_a_cbsodata_selection_without_the_ages_says_so_not_that_it_lacks_wijken(sample_copy,
                                                                               tmp_path):
    folder = tmp_path / "85984NED"
    folder.mkdir()
    (folder / "TableInfos.json").write_text(json.dumps([{
        "Identifier": "85984NED", "Title": "Kerncijfers wijken en buurten 2024", "Period": "2024"}]),
        encoding="utf-8")
    (folder / "DataProperties.json").write_text(json.dumps([
        {"Type": "GeoDimension", "Key": "WijkenEnBuurten"},
        {"Type": "Topic", "Key": "Codering_3", "Datatype": "String"},
        {"Type": "Topic", "Key": "AantalInwoners_5", "Datatype": "Long"},
        {"Type": "Topic", "Key": "k_0Tot15Jaar_8", "Datatype": "Long"}]), encoding="utf-8")
    (folder / "TypedDataSet.json").write_text(json.dumps([
        {"ID": number, "WijkenEnBuurten": code.ljust(10), "Codering_3": code.ljust(10),
         "AantalInwoners_5": inhabitants}
        for number, (code, inhabitants) in enumerate([("GM0193", 132000), ("WK019310", 7115)])]),
        encoding="utf-8")
    notes = store_file(sample_copy, folder).notes
    assert [note for note in notes if note.startswith(NO_CHILDREN)], notes
    assert not [note for note in notes if "geen wijken" in note], notes
