"""A CBS download is named as the user gave it: refusals while deciding which table a file is
name the file or folder (not 'Tabel odata-2024'), and the line and table after loading a download
without a CBS table number name it too. Files built small in their real formats (an OData v3
answer as 84489NED_TypedDataSet_excerpt.json in ../shared/real_data has it, the new CBS open data as
its download holds it, a cbsodata folder as cbsodata saves it)."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import duckdb
import openpyxl
import pytest
from conftest import app_db_with_files, shown_text
from conftest import run_page_as_analist as run_page
from test_cbs_real_variants import write_download

from data_sources import cli
from data_sources.cbs.formats import read_cbs_file
from data_sources.text import table_shown

FIXTURES = Path(__file__).parent / "fixtures" / "cbs"
UNKNOWN_TABLE = (": dit is geen tabel die Kindkaart kent (kerncijfers wijken en buurten, 03759ned "
                 "bevolking naar leeftijd, Nabijheid voorzieningen of Jeugdmonitor per wijk).")


def import_cbs(tmp_path: Path, path: Path, *options: str, capsys) -> tuple[int, str]:
    code = cli.main(["import-cbs", str(path), *options, "--db", str(tmp_path / "k.duckdb")])
    return code, capsys.readouterr().out


def income_answer(path: Path, table_id: str | None) -> Path:
    """A saved OData v3 answer (envelope, padded strings) of a table Kindkaart does not read: the
    income per inhabitant per wijk; `table_id` in its odata.metadata, or none (a bare list)."""
    rows = [{"ID": 0, "WijkenEnBuurten": "WK019310  ", "GemiddeldInkomenPerInwoner_66": 30.1},
            {"ID": 1, "WijkenEnBuurten": "WK019311  ", "GemiddeldInkomenPerInwoner_66": 24.7}]
    data = rows if table_id is None else {
        "odata.metadata": f"https://opendata.cbs.nl/ODataApi/OData/{table_id}/$metadata"
                          "#Cbs.OData.WebAPI.TypedDataSet", "value": rows}
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.parametrize(("table_id", "named"), [
    (None, "Bestand wijkinkomen_2024.json"),
    # the number only the answer's metadata holds says which table the file is
    ("85146NED", "Bestand wijkinkomen_2024.json (tabel 85146NED)")])
def test_a_table_kindkaart_does_not_read_is_refused_naming_the_file(tmp_path, capsys, table_id, named):
    """Before: 'Tabel odata-2024: dit is geen tabel die Kindkaart kent', an id Kindkaart made up,
    and 'Tabel 85146NED: ...', a number the user never gave."""
    path = income_answer(tmp_path / "wijkinkomen_2024.json", table_id)
    code, out = import_cbs(tmp_path, path, capsys=capsys)
    assert code == 1
    assert out.splitlines() == [named + UNKNOWN_TABLE]


def income_folder(folder: Path) -> Path:
    """A cbsodata folder of 85146NED (income per wijk), a table Kindkaart does not read."""
    folder.mkdir()
    income_answer(folder / "TypedDataSet.json", None)
    (folder / "TableInfos.json").write_text(json.dumps([{"Identifier": "85146NED", "Title": "Inkomen"}]))
    (folder / "DataProperties.json").write_text(json.dumps([
        {"Key": "WijkenEnBuurten", "Type": "GeoDetail"},
        {"Key": "GemiddeldInkomenPerInwoner_66", "Type": "Topic", "Datatype": "Double"}]))
    return folder


def test_a_folder_named_after_its_table_does_not_say_the_number_twice(tmp_path, capsys):
    folder = income_folder(tmp_path / "85146NED")
    code, out = import_cbs(tmp_path, folder, capsys=capsys)
    assert code == 1
    assert out.splitlines() == ["Map 85146NED" + UNKNOWN_TABLE]


def _upload(at, name: str, data: bytes, mime: str = "application/octet-stream"):
    at.file_uploader(key="laden_bestand").set_value((name, data, mime))
    at.run()
    next(b for b in at.button if b.label == "Bestand inlezen").click()
    at.run()
    assert not at.exception, at.exception


def loaded_rows_after_zip_upload(path: Path) -> list[dict]:
    """Gemeente laden for Zwolle: upload the zipped download at `path`, and the rows of the page's
    tables of loaded data afterwards."""
    at = run_page("gemeente_laden")
    at.selectbox(key="laden_gemeente").set_value("GM0193").run()
    _upload(at, path.name, path.read_bytes(), "application/zip")
    assert [s.value for s in at.success][0].startswith(f"{path.name} is ingelezen")
    at.run()
    return [row for frame in at.dataframe for row in frame.value.to_dict("records")]


def test_gemeente_laden_names_the_uploaded_file_of_a_table_it_does_not_read(app_db, tmp_path):
    path = income_answer(tmp_path / "wijkinkomen_2024.json", "85146NED")
    at = run_page("gemeente_laden")
    _upload(at, path.name, path.read_bytes(), "application/json")
    assert [str(e.value) for e in at.error] == [
        "wijkinkomen_2024.json is niet ingelezen; er is niets opgeslagen.",
        "Bestand wijkinkomen_2024.json (tabel 85146NED)" + UNKNOWN_TABLE]


def open_data_zip(tmp_path: Path, name: str) -> Path:
    """The new CBS open data download of the kwb 2025 (Zwolle, two wijken) zipped under `name`,
    without Properties: no table number in it, the year in its name."""
    folder = write_download(tmp_path / Path(name).stem)
    path = tmp_path / name
    with zipfile.ZipFile(path, "w") as archive:
        for member in folder.iterdir():
            archive.write(member, f"{folder.name}/{member.name}")
    return path


@pytest.mark.parametrize("zipped", [False, True])
def test_the_line_after_loading_an_open_data_download_names_no_made_up_table(tmp_path, capsys, zipped):
    """Before: 'wijkcijfers_2025.zip: kerncijfers (odata-2025, 2025) ingelezen ...'."""
    path = open_data_zip(tmp_path, "wijkcijfers_2025.zip")
    if not zipped:
        path = path.with_suffix("")
    code, out = import_cbs(tmp_path, path, capsys=capsys)
    assert code == 0, out
    assert out.splitlines()[0] == (f"{path.name}: kerncijfers (2025) ingelezen voor 1 gemeente(n): "
                                   "12 cijfers (gebied × kenmerk).")


def test_the_line_after_loading_a_download_with_its_table_number_keeps_the_number(tmp_path, capsys):
    folder = write_download(tmp_path / "86165NED")
    code, out = import_cbs(tmp_path, folder, capsys=capsys)
    assert code == 0, out
    assert out.splitlines()[0] == ("86165NED: kerncijfers (86165NED, 2025) ingelezen voor 1 "
                                   "gemeente(n): 12 cijfers (gebied × kenmerk).")


def test_gemeente_laden_lists_the_uploaded_download_by_its_name(app_db, tmp_path):
    """Before: the table of loaded data said 'odata-2025' under Tabel after the upload."""
    shown = loaded_rows_after_zip_upload(open_data_zip(tmp_path, "wijkcijfers_2025.zip"))
    kerncijfers = [row for row in shown if row.get("Jaar") == 2025 and row.get("Bron") == "CBS"]
    assert [row["Tabel"] for row in kerncijfers] == ["wijkcijfers_2025.zip"], shown
    assert "odata-" not in json.dumps(shown, default=str)


def test_a_cbsodata_folder_with_both_data_sets_reads_the_typed_one(tmp_path):
    """cbsodata saves TypedDataSet.json (get_data(typed=True)) or UntypedDataSet.json (every
    figure as text); a folder downloaded both ways holds both. The typed figures are read,
    whatever order the folder lists its files in."""
    folder = tmp_path / "85984NED"
    shutil.copytree(FIXTURES / "odata_v3" / "85984NED", folder)
    typed = json.loads((folder / "TypedDataSet.json").read_text(encoding="utf-8"))
    untyped = [{key: f"{value:>12}" if isinstance(value, int | float) and key != "ID" else value
                for key, value in row.items()} for row in typed]
    for row in untyped:
        row["AantalInwoners_5"] = "       11111"  # an older download: other figures
    (folder / "UntypedDataSet.json").write_text(json.dumps(untyped), encoding="utf-8")
    records = read_cbs_file(folder).table.records
    assert [row["AantalInwoners_5"] for row in records] == [row["AantalInwoners_5"] for row in typed]


def _zwolle_from_an_open_data_download(tmp_path: Path, monkeypatch) -> Path:
    """An app database (KINDKAART_DB) with nothing but Zwolle's kwb 2025 from the open data
    download wijkcijfers_2025.zip, stored as table odata-2025 (no number in the download)."""
    path = app_db_with_files(tmp_path, monkeypatch, open_data_zip(tmp_path, "wijkcijfers_2025.zip"))
    connection = duckdb.connect(str(path), read_only=True)
    try:
        # the made-up id stays stored: a later load of the same download replaces by it
        assert connection.execute("select distinct table_id, file_name from loads where dataset ="
                                  " 'kerncijfers'").fetchall() == [("odata-2025", "wijkcijfers_2025.zip")]
    finally:
        connection.close()
    return path


def test_databronnen_lists_a_download_without_a_table_number_by_its_name(tmp_path, monkeypatch):
    """Before: 'odata-2025' under Tabel of soort, an id Kindkaart made up."""
    _zwolle_from_an_open_data_download(tmp_path, monkeypatch)
    at = run_page("databronnen", params={"gemeente": "GM0193", "jaar": "2025"})
    assert not at.exception, at.exception
    assert at.title[0].value == "Databronnen Zwolle 2025"
    loads = next(frame.value for frame in at.dataframe if "Tabel of soort" in frame.value.columns)
    kerncijfers = loads[loads["Gegevens"] == "kerncijfers"]
    assert list(kerncijfers["Tabel of soort"]) == ["wijkcijfers_2025.zip"], loads
    assert "odata-" not in shown_text(at)


def test_the_workbook_and_report_name_a_download_without_a_table_number_by_its_name(tmp_path, monkeypatch):
    """Before: the sheet Databronnen and the report's sources said 'odata-2025' under Tabel of soort."""
    db = _zwolle_from_an_open_data_download(tmp_path, monkeypatch)
    workbook, report = tmp_path / "zwolle.xlsx", tmp_path / "zwolle.html"
    for target in (workbook, report):
        assert cli.main(["export", "-o", str(target), "--gemeente", "GM0193", "--jaar", "2025",
                         "--db", str(db)]) == 0
    sheet = openpyxl.load_workbook(workbook)["Databronnen"]
    header, *rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    loads = [dict(zip(header, row, strict=True)) for row in rows if row[0] is not None]
    assert [load["Tabel of soort"] for load in loads if load["Gegevens"] == "kerncijfers"] == [
        "wijkcijfers_2025.zip"], loads
    assert not [cell for row in rows for cell in row if "odata-" in str(cell)]
    html = report.read_text(encoding="utf-8")
    assert "<td>wijkcijfers_2025.zip</td>" in html
    assert "odata-" not in html


@pytest.mark.parametrize(("dataset", "table_id", "file_name", "shown"), [
    ("kerncijfers", "odata-2025", "wijkcijfers_2025.zip", "wijkcijfers_2025.zip"),
    ("kerncijfers", "kwb-2024", "kwb-2024.csv", "kwb-2024.csv"),
    ("bevolking-leeftijd", "statline-2023", "leeftijden/", "leeftijden/"),
    # a real CBS table number is what the user looks up on StatLine: kept, also beside a file
    ("kerncijfers", "85984NED", "wijkcijfers.json", "85984NED"),
    ("bevolking-leeftijd", "03759ned", None, "03759ned"),
    # not a CBS table: the soort of a registration, the register
    ("vve-indicaties", "vve-indicaties", "vve.xlsx", "vve-indicaties"),
    ("lrk-locaties", "LRK", "lrk_export.csv", "LRK")])
def test_one_rule_names_a_loaded_table(dataset, table_id, file_name, shown):
    assert table_shown(dataset, table_id, file_name) == shown


@pytest.mark.parametrize("given", ["absolute", "here"])
def test_a_cbsodata_folder_without_its_figures_is_named_as_the_folder_not_its_path(
        tmp_path, capsys, monkeypatch, given):
    """Before: 'Map /home/…/85146NED: geen TypedDataSet.json …', the whole path; given as '.',
    'Map .: …'."""
    folder = tmp_path / "data" / "85146NED"
    folder.mkdir(parents=True)
    (folder / "TableInfos.json").write_text(json.dumps([{"Identifier": "85146NED", "Title": "Inkomen"}]))
    (folder / "DataProperties.json").write_text(json.dumps([
        {"Key": "WijkenEnBuurten", "Type": "GeoDetail"},
        {"Key": "GemiddeldInkomenPerInwoner_66", "Type": "Topic", "Datatype": "Double"}]))
    if given == "here":
        monkeypatch.chdir(folder)
    code, out = import_cbs(tmp_path, folder if given == "absolute" else Path("."), capsys=capsys)
    assert code == 1
    assert out.splitlines() == ["Map 85146NED: geen TypedDataSet.json of UntypedDataSet.json."]


@pytest.mark.parametrize("given", [".", "./", "../kerncijfers_utrecht/", "sub/.."])
def test_a_cbsodata_folder_given_as_dot_is_named_as_the_folder_after_loading(
        tmp_path, capsys, monkeypatch, given):
    """Before: ': kerncijfers (85984NED, 2024) ingelezen ...', Path('.').name being '', and the
    load stored an empty file name. The recorded Utrecht folder, copied and given as the folder
    one stands in."""
    folder = tmp_path / "kerncijfers_utrecht"
    shutil.copytree(FIXTURES / "odata_v3" / "85984NED", folder)
    (folder / "sub").mkdir()
    monkeypatch.chdir(folder)
    code, out = import_cbs(tmp_path, given, capsys=capsys)  # as typed, the slash kept
    assert code == 0, out
    assert out.splitlines() == ["kerncijfers_utrecht: kerncijfers (85984NED, 2024) ingelezen voor 2 gemeente(n): "
                                "90 cijfers (gebied × kenmerk)."]
    with duckdb.connect(str(tmp_path / "k.duckdb"), read_only=True) as con:
        assert con.execute("select distinct file_name from loads where dataset = 'kerncijfers'").fetchall() == [
            ("kerncijfers_utrecht",)]
