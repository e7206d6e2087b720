"""A folder as cbsodata saves it (TypedDataSet.json, DataProperties.json, TableInfos.json and one
file per dimension), zipped to be mailed on: read exactly as the folder is, with or without the
folder itself in the zip, with the __MACOSX copies macOS adds or Windows' backslashes; two such
folders, or one beside other files, refused naming what the zip holds. Built from the recorded
cbsodata folders in tests/fixtures/cbs."""

from __future__ import annotations

import json
import shutil
import tempfile
import zipfile
from pathlib import Path

import duckdb
import pytest
from conftest import refusal
from conftest import run_page_as_analist as run_page
from test_cbs_named_files import UNKNOWN_TABLE, income_folder

from data_sources import cli, jobs, store

FIXTURES = Path(__file__).parent / "fixtures" / "cbs"
# every cbsodata folder recorded: kerncijfers 2023 and 2024 (also untyped), the Jeugdmonitor per
# wijk, 03759ned
FOLDERS = ["odata_v3/85984NED", "odata_v3/85618NED", "odata_v3/85685NED", "odata_v3/03759ned",
           "untyped_85984NED"]


def zipped(folder: Path, path: Path, layout: str = "folder") -> Path:
    """`folder` zipped as `path`: 'folder' with the folder in the zip (Windows' 'Send to
    compressed folder'), 'flat' its files at the top, 'macos' as macOS' Finder zips it (the
    folder, __MACOSX/._ copies, a .DS_Store), 'windows' with backslashes between folder and file."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        if layout != "flat":
            archive.writestr(f"{folder.name}/", b"")
        for file in sorted(folder.iterdir()):
            inner = {"flat": file.name, "windows": f"{folder.name}\\{file.name}"}.get(
                layout, f"{folder.name}/{file.name}")
            archive.write(file, inner)
            if layout == "macos":
                archive.writestr(f"__MACOSX/{folder.name}/._{file.name}",
                                 b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        ")
        if layout == "macos":
            archive.writestr(f"{folder.name}/.DS_Store", b"\x00\x00\x00\x01Bud1")
    return path


def import_cbs(database: Path, path: Path, capsys) -> tuple[int, list[str]]:
    code = cli.main(["import-cbs", str(path), "--db", str(database)])
    return code, capsys.readouterr().out.splitlines()


def stored(database: Path) -> dict[str, list[tuple]]:
    """What an import stored, without what names the file itself (load ids, name, hash, dates)."""
    with duckdb.connect(str(database), read_only=True) as con:
        found = {"loads": con.execute(
            "select source, dataset, table_id, gemeente_code, period, year, row_count, status, note"
            " from loads order by all").fetchall()}
        for table in ("raw_cbs__kerncijfers", "raw_cbs__population_by_age", "raw_cbs__jeugdzorg"):
            found[table] = con.execute(f"select * exclude (load_id) from {table} order by all").fetchall()
    return found


@pytest.mark.parametrize("layout", ["folder", "flat", "macos", "windows"])
@pytest.mark.parametrize("fixture", FOLDERS)
def test_a_zipped_cbsodata_folder_is_read_as_the_folder(tmp_path, capsys, fixture, layout,
                                                        monkeypatch):
    """Before: 'Bestand 85984NED.zip: het zip-bestand bevat 4 bestanden (DataProperties.json, ...);
    Kindkaart leest één bestand tegelijk.' Now the same rows, load and notes as the folder, and no
    scratch folder left behind."""
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    folder = tmp_path / Path(fixture).name
    shutil.copytree(FIXTURES / fixture, folder)
    path = zipped(folder, tmp_path / f"{folder.name}-gemaild.zip", layout)
    code, folder_out = import_cbs(tmp_path / "map.duckdb", folder, capsys)
    assert code == 0, folder_out
    code, zip_out = import_cbs(tmp_path / "zip.duckdb", path, capsys)
    assert code == 0, zip_out
    assert zip_out == [line.replace(f"{folder.name}:", f"{path.name}:", 1) for line in folder_out]
    assert stored(tmp_path / "zip.duckdb") == stored(tmp_path / "map.duckdb")
    assert stored(tmp_path / "zip.duckdb")["loads"]
    assert not any(p.name.startswith(store.SCRATCH_PREFIX) for p in temporary.iterdir())


def folder_without_data(folder: Path) -> Path:
    # the layout of the real 85984NED folder in ../shared/real_data: TableInfos and DataProperties
    # beside a dict of rows by region code, no TypedDataSet.json
    folder.mkdir()
    (folder / "TableInfos.json").write_text(json.dumps([{"Identifier": "85984NED", "Title": "Kerncijfers"}]))
    (folder / "DataProperties.json").write_text(json.dumps([
        {"Key": "WijkenEnBuurten", "Type": "GeoDimension"},
        {"Key": "AantalInwoners_5", "Type": "Topic"}]))
    (folder / "WijkenEnBuurten.json").write_text(json.dumps([{"Key": "GM0193", "Title": "Zwolle"}]))
    (folder / "stripped_filtered_data_2024.json").write_text(json.dumps({"GM0193": {"AantalInwoners_5": 1}}))
    return folder


def test_a_zipped_cbsodata_folder_without_its_data_file_names_the_data_file_it_does_hold(
        sample_copy, tmp_path):
    path = zipped(folder_without_data(tmp_path / "85984NED"), tmp_path / "kwb2024.zip")
    assert refusal(sample_copy, lambda: jobs.import_cbs_file(sample_copy, path)) == (
        "Bestand kwb2024.zip: geen TypedDataSet.json of UntypedDataSet.json. In het zip-bestand "
        "staat wel stripped_filtered_data_2024.json: pak het zip-bestand uit en lees dat bestand "
        "zelf in.")


def test_a_zipped_cbsodata_folder_of_a_table_kindkaart_does_not_read_is_refused_as_the_folder(
        sample_copy, tmp_path):
    folder = income_folder(tmp_path / "85146NED")
    path = zipped(folder, tmp_path / "inkomen.zip", "flat")
    assert refusal(sample_copy, lambda: jobs.import_cbs_file(sample_copy, path)) == (
        "Bestand inkomen.zip (tabel 85146NED)" + UNKNOWN_TABLE)


def two_folders_zipped(path: Path, top: str = "") -> Path:
    """A zip of two recorded cbsodata folders (85618NED and 85984NED), under `top` if given."""
    with zipfile.ZipFile(path, "w") as archive:
        for fixture in ("odata_v3/85618NED", "odata_v3/85984NED"):
            for file in sorted((FIXTURES / fixture).iterdir()):
                archive.write(file, f"{top}{Path(fixture).name}/{file.name}")
    return path


def test_a_zip_of_two_cbsodata_folders_is_refused_naming_them(sample_copy, tmp_path):
    path = two_folders_zipped(tmp_path / "kerncijfers.zip", "kerncijfers/")
    assert refusal(sample_copy, lambda: jobs.import_cbs_file(sample_copy, path)) == (
        "Bestand kerncijfers.zip: het zip-bestand bevat 2 mappen zoals cbsodata die opslaat "
        "(kerncijfers/85618NED en kerncijfers/85984NED); Kindkaart leest één tabel tegelijk. Pak "
        "het zip-bestand uit en lees elke map apart in. Er is niets opgeslagen.")


@pytest.mark.parametrize(("extra", "listed"), [
    ("kwb-2024.xlsx", "1 ander bestand (kwb-2024.xlsx)"),
    # a file of the folder in a folder of its own is no file of the table
    ("85984NED/oud/TypedDataSet.json", "1 ander bestand (85984NED/oud/TypedDataSet.json)"),
    ("85984NED/wijken.csv", "1 ander bestand (85984NED/wijken.csv)")])
def test_a_zip_of_a_cbsodata_folder_beside_other_files_is_refused_naming_them(sample_copy, tmp_path,
                                                                             extra, listed):
    path = zipped(FIXTURES / "odata_v3" / "85984NED", tmp_path / "downloads.zip")
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr(extra, b"x")
        archive.writestr("LEESMIJ.txt", b"a readme beside is what a zip program adds")
    assert refusal(sample_copy, lambda: jobs.import_cbs_file(sample_copy, path)) == (
        "Bestand downloads.zip: het zip-bestand bevat een map zoals cbsodata die opslaat (map "
        f"85984NED) en daarnaast {listed}; Kindkaart leest één tabel tegelijk. Pak het zip-bestand "
        "uit en lees de map en elk ander bestand apart in. Er is niets opgeslagen.")


def test_a_zipped_cbsodata_folder_that_unpacks_beyond_a_cbs_answer_is_refused(sample_copy, tmp_path):
    # a zip bomb: 201 MB of spaces in TypedDataSet.json packs to a few hundred kB
    with zipfile.ZipFile(tmp_path / "bom.zip", "w", zipfile.ZIP_DEFLATED, compresslevel=1) as bomb:
        for file in sorted((FIXTURES / "odata_v3" / "85984NED").iterdir()):
            if file.name != "TypedDataSet.json":
                bomb.write(file, file.name)
        with bomb.open("TypedDataSet.json", "w") as member:
            member.write(b"[")
            for _ in range(201):
                member.write(b" " * 1024 ** 2)
            member.write(b"]")
    assert refusal(sample_copy, lambda: jobs.import_cbs_file(sample_copy, tmp_path / "bom.zip")) == (
        "Bestand bom.zip: TypedDataSet.json pakt uit tot meer dan 200 MB; zo groot leest Kindkaart "
        "geen CBS-bestand. Er is niets opgeslagen.")


def _upload(at, path: Path):
    at.file_uploader(key="laden_bestand").set_value((path.name, path.read_bytes(), "application/zip"))
    at.run()
    next(b for b in at.button if b.label == "Bestand inlezen").click()
    at.run()
    assert not at.exception, at.exception


def test_gemeente_laden_reads_a_zipped_cbsodata_folder(app_db, tmp_path):
    path = zipped(FIXTURES / "odata_v3" / "85984NED", tmp_path / "kerncijfers_utrecht.zip", "macos")
    at = run_page("gemeente_laden")
    at.selectbox(key="laden_gemeente").set_value("GM0344").run()
    _upload(at, path)
    assert not at.error, [e.value for e in at.error]
    assert [s.value for s in at.success][0].startswith("kerncijfers_utrecht.zip is ingelezen")
    with duckdb.connect(str(app_db), read_only=True) as con:
        assert con.execute("select count(*) from raw_cbs__kerncijfers as k join loads using (load_id)"
                           " where file_name = 'kerncijfers_utrecht.zip' and k.region_code = 'WK034401'"
                           " and k.stem = 'k_0Tot15Jaar'").fetchone() == (1,)


def test_gemeente_laden_names_what_a_zip_of_two_cbsodata_folders_holds(app_db, tmp_path):
    path = two_folders_zipped(tmp_path / "kerncijfers.zip")
    at = run_page("gemeente_laden")
    at.selectbox(key="laden_gemeente").set_value("GM0344").run()
    _upload(at, path)
    assert [e.value for e in at.error] == [
        "kerncijfers.zip is niet ingelezen; er is niets opgeslagen.",
        "Bestand kerncijfers.zip: het zip-bestand bevat 2 mappen zoals cbsodata die opslaat "
        "(85618NED en 85984NED); Kindkaart leest één tabel tegelijk. Pak het zip-bestand uit en "
        "lees elke map apart in. Er is niets opgeslagen."]
