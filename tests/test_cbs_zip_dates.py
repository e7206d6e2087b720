"""A CBS download read from a zip is dated by the files inside (when CBS's download was made), not
by the zip's own modification date (when it was saved from a mail, or uploaded): on import-cbs and
Gemeente laden, and so on Databronnen. A member date a tool zeroed (1980-01-01) is no date: then
the zip's own date is kept. Zips written with zipfile, each member's date set."""

from __future__ import annotations

import json
import os
import zipfile
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from conftest import run_page_as_analist as run_page
from test_cbs_geojson import zwolle_wijken
from test_cbs_named_files import loaded_rows_after_zip_upload
from test_cbs_real_variants import write_download

from data_sources import cli

FIXTURES = Path(__file__).parent / "fixtures" / "cbs"
# when the data files were written (the CBS download), and when the zip was saved from the mail
DOWNLOADED = (2025, 3, 14, 9, 26, 40)
SAVED = datetime(2025, 11, 2, 16, 5)


def zip_with_dates(path: Path, files: dict[str, bytes], date_time: tuple, *,
                   readme: tuple | None = None) -> Path:
    """`files` zipped as `path`, every member dated `date_time`; `readme`: a LEESMIJ.txt beside
    them with that date (added by whoever mailed it on). The zip itself dated SAVED."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=date_time), data)
        if readme:
            archive.writestr(zipfile.ZipInfo("LEESMIJ.txt", date_time=readme), b"Zie de bijlage.")
    os.utime(path, (SAVED.timestamp(), SAVED.timestamp()))
    return path


def open_data_download(tmp_path: Path) -> dict[str, bytes]:
    """The new CBS open data download of the kwb 2025 (Zwolle, two wijken), as its files."""
    folder = write_download(tmp_path / "wijkcijfers_2025")
    return {f"{folder.name}/{file.name}": file.read_bytes() for file in sorted(folder.iterdir())}


def cbsodata_folder(tmp_path: Path) -> dict[str, bytes]:
    """The kerncijfers 2024 as cbsodata saves them (recorded), as the folder's files."""
    folder = FIXTURES / "odata_v3" / "85984NED"
    return {f"85984NED/{file.name}": file.read_bytes() for file in sorted(folder.iterdir())}


def wijken_geojson(tmp_path: Path) -> dict[str, bytes]:
    return {"wijken_2024.geojson": json.dumps(
        {"type": "FeatureCollection", "features": zwolle_wijken()}).encode()}


# the files, the zip's name (with the year where the files do not say it) and the dataset
DOWNLOADS = {"open data": (open_data_download, "wijkcijfers_2025.zip", "kerncijfers"),
             "cbsodata-map": (cbsodata_folder, "85984NED.zip", "kerncijfers"),
             "GeoJSON": (wijken_geojson, "wijken_2024.zip", "geometrie")}


def retrieved(database: Path, dataset: str) -> list[datetime]:
    with duckdb.connect(str(database), read_only=True) as con:
        return [row[0] for row in con.execute(
            "select distinct retrieved_at from loads where dataset = ? order by 1", [dataset]).fetchall()]


def import_cbs(database: Path, path: Path, capsys) -> None:
    code = cli.main(["import-cbs", str(path), "--db", str(database)])
    assert code == 0, capsys.readouterr().out


@pytest.mark.parametrize("download", list(DOWNLOADS))
def test_import_cbs_dates_a_zip_by_the_files_inside(tmp_path, capsys, download):
    """Before: retrieved_at was 2025-11-02 16:05, the day the zip was saved from the mail."""
    files, name, dataset = DOWNLOADS[download]
    path = zip_with_dates(tmp_path / name, files(tmp_path), DOWNLOADED,
                          readme=(2025, 11, 1, 12, 0, 0))
    import_cbs(tmp_path / "k.duckdb", path, capsys)
    assert retrieved(tmp_path / "k.duckdb", dataset) == [datetime(*DOWNLOADED)]


@pytest.mark.parametrize("zeroed", [(1980, 1, 1, 0, 0, 0), (1980, 0, 0, 0, 0, 0)])
def test_a_zip_whose_members_carry_no_date_is_dated_by_the_zip(tmp_path, capsys, zeroed):
    """A tool that zeroes the dates writes 1980-01-01 (or DOS date 0, month and day 0): no date
    of the download, so the zip's own date stays; a readme's date is not the data's."""
    path = zip_with_dates(tmp_path / "wijkcijfers_2025.zip", open_data_download(tmp_path), zeroed,
                          readme=(2025, 11, 1, 12, 0, 0))
    import_cbs(tmp_path / "k.duckdb", path, capsys)
    assert retrieved(tmp_path / "k.duckdb", "kerncijfers") == [SAVED]


def test_a_zipped_data_file_and_its_unzipped_copy_get_the_same_date(tmp_path, capsys):
    """The files unpacked from the zip carry the same date as the zip's members."""
    path = zip_with_dates(tmp_path / "wijkcijfers_2025.zip", open_data_download(tmp_path), DOWNLOADED)
    folder = tmp_path / "uitgepakt"
    with zipfile.ZipFile(path) as archive:
        archive.extractall(folder)
    for member in (folder / "wijkcijfers_2025").iterdir():
        os.utime(member, (datetime(*DOWNLOADED).timestamp(),) * 2)
    os.utime(folder / "wijkcijfers_2025", (datetime(*DOWNLOADED).timestamp(),) * 2)
    import_cbs(tmp_path / "map.duckdb", folder / "wijkcijfers_2025", capsys)
    import_cbs(tmp_path / "zip.duckdb", path, capsys)
    assert retrieved(tmp_path / "zip.duckdb", "kerncijfers") == retrieved(
        tmp_path / "map.duckdb", "kerncijfers") == [datetime(*DOWNLOADED)]


def test_gemeente_laden_and_databronnen_show_the_date_of_the_files_in_an_uploaded_zip(
        app_db, tmp_path):
    """An upload is a fresh file on the server: before, 'Opgehaald op' was the moment of the upload."""
    path = zip_with_dates(tmp_path / "wijkcijfers_2025.zip", open_data_download(tmp_path), DOWNLOADED)
    shown = loaded_rows_after_zip_upload(path)
    loaded = [row for row in shown if row.get("Tabel") == "wijkcijfers_2025.zip"]
    assert [row["Gegevensdatum (opgehaald)"] for row in loaded] == ["14-03-2025 09:26"], shown

    at = run_page("databronnen", params={"gemeente": "GM0193", "jaar": "2025"})
    assert not at.exception, at.exception
    loads = next(frame.value for frame in at.dataframe if "Tabel of soort" in frame.value.columns)
    kerncijfers = loads[loads["Tabel of soort"] == "wijkcijfers_2025.zip"]
    assert list(kerncijfers["Opgehaald op"]) == ["14-03-2025 09:26"], loads


def test_the_newest_member_date_counts_and_one_in_the_future_does_not(tmp_path):
    """archives.data_date reads the newest usable member date; a future one is a wrong clock."""
    from data_sources import archives

    later = (2025, 3, 15, 8, 0, 0)
    path = tmp_path / "twee.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(zipfile.ZipInfo("a.csv", date_time=DOWNLOADED), b"x")
        archive.writestr(zipfile.ZipInfo("b.csv", date_time=later), b"y")
        archive.writestr(zipfile.ZipInfo("c.csv", date_time=(2107, 12, 31, 23, 59, 58)), b"z")
    assert archives.data_date(path) == datetime(*later)
