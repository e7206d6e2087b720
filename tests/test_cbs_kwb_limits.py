"""A kwb download that is no honest kwb table (a stray far cell, a zip bomb, a password) is
refused before calamine reads it, in Dutch, with nothing stored; a national kwb passes."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import refusal
from kwb_files import KWB_COLUMNS, kwb_rows, write_kwb_csv, write_kwb_xlsx

from data_sources import jobs, store
from data_sources.cbs.formats import KWB_WORKBOOK_LIMITS, read_cbs_file
from data_sources.errors import InputRefused
from data_sources.workbooks import check_workbook, column_letters

ROOT = Path(__file__).parent.parent


@pytest.fixture
def db(sample_copy):
    return sample_copy


def refused(con, path: Path) -> str:
    return refusal(con, lambda: jobs.import_cbs_file(con, path))


def kwb_with_a_cell_at(path: Path, row: int, column: int) -> Path:
    write_kwb_xlsx(path)
    book = openpyxl.load_workbook(path)
    book.active.cell(row=row, column=column, value=1)
    book.save(path)
    return path


def test_a_kwb_workbook_with_a_cell_at_the_last_excel_address_is_refused_not_an_abort(tmp_path):
    """A 2 kB kwb with one cell at XFD1048576 made calamine ask for 549 GB: the process aborted
    (SIGABRT, exit 134; in the app every user got 'Connection error'). Run as a process."""
    db = tmp_path / "k.duckdb"
    store.connect(db).close()
    path = kwb_with_a_cell_at(tmp_path / "kwb-2024.xlsx", 1_048_576, 16_384)
    done = subprocess.run(
        [sys.executable, "-m", "data_sources", "import-cbs", str(path), "--db", str(db)],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stderr) == (1, "")
    assert done.stdout.startswith(
        "Bestand kwb-2024.xlsx: werkblad 'kwb_2024' loopt tot rij 1048576 en kolom XFD; een "
        "kwb-bestand heeft hoogstens 40.000 rijen en 200 kolommen. Kindkaart leest het niet: "
        "verwijder de cellen buiten de tabel (of download het kwb-bestand opnieuw bij CBS). Er is "
        "niets opgeslagen."), done.stdout


# the place named is the corner of the sheet's range (its <dimension>; the table is 11 x 22, A-V)
@pytest.mark.parametrize(("row", "column", "where"), [(40_001, 1, "rij 40001 en kolom V"),
                                                       (2, 201, "rij 11 en kolom GS")])
def test_a_kwb_workbook_reaching_beyond_a_national_kwb_is_refused(db, tmp_path, row, column,
                                                                  where):
    path = kwb_with_a_cell_at(tmp_path / "kwb-2024.xlsx", row, column)
    assert f"werkblad 'kwb_2024' loopt tot {where};" in refused(db, path)


def test_a_kwb_xls_with_a_cell_at_its_last_address_is_refused(db, tmp_path):
    """An .xls holds at most 65,536 x 256 cells; one cell at IV65536 of a 5 kB file took 1.8 GB
    and 15 s, and the file was stored."""
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("kwb")
    for r, values in enumerate(kwb_rows()):
        for c, value in enumerate(values):
            sheet.write(r + 1, c, value)
    for c, name in enumerate(KWB_COLUMNS):
        sheet.write(0, c, name)
    sheet.write(65_535, 255, 1)
    path = tmp_path / "kwb-2019.xls"
    book.save(str(path))
    assert "het werkblad loopt tot rij 65536 en kolom IV;" in refused(db, path)


def test_a_kwb_zip_bomb_is_refused(db, tmp_path):
    """2.4 MB that unpacked to 793 MB of sheet XML peaked at 5.2 GB and took 100 s."""
    path = write_kwb_xlsx(tmp_path / "kwb-2024.xlsx")
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    row = b"<row>" + b"<c><v>1</v></c>" * 50 + b"</row>"
    parts[sheet] = parts[sheet].replace(b"</sheetData>", row * 40_000 + b"</sheetData>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    assert "pakt verdacht groot uit (mogelijk een 'zip-bom')" in refused(db, path)


def test_a_kwb_workbook_larger_unpacked_than_a_national_kwb_is_refused(db, tmp_path,
                                                                       monkeypatch):
    """The unpacked limit (300 MB; a national kwb's sheet unpacks to some 75 MB), here lowered
    to 1 MB so that the test needs no 300 MB file."""
    import dataclasses

    from data_sources.cbs import formats

    monkeypatch.setattr(formats, "KWB_WORKBOOK_LIMITS", dataclasses.replace(
        KWB_WORKBOOK_LIMITS, max_unpacked_bytes=1024 * 1024))
    rows = kwb_rows() * 400
    for number, row in enumerate(rows):
        row[0] = f"BU0193{number:04d}"
    path = write_kwb_xlsx(tmp_path / "kwb-2024.xlsx", rows)
    assert "is uitgepakt 4 MB; dat is veel groter dan een kwb-bestand kan zijn" in refused(db, path)


def test_an_encrypted_kwb_workbook_says_it_has_a_password(db, tmp_path):
    """Excel saves a workbook with a password as a compound file with an EncryptionInfo stream;
    it was called damaged ('beschadigd')."""
    path = tmp_path / "kwb-2024.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 200
                     + "EncryptionInfo".encode("utf-16-le") + b"\0" * 4000)
    assert refused(db, path) == (
        "Bestand kwb-2024.xlsx is met een wachtwoord beveiligd. Kindkaart kan het niet openen: "
        "sla het op zonder wachtwoord (Bestand > Info > Werkmap beveiligen) en lever het opnieuw "
        "aan.")


def test_the_farthest_cell_of_a_national_kwb_is_within_the_limits(tmp_path):
    """A national kwb has some 18,500 rows and 120-140 columns: its farthest cell passes with
    room, as the dimension Excel writes and as a cell."""
    path = kwb_with_a_cell_at(tmp_path / "kwb-2024.xlsx", 20_000, 150)
    check_workbook(path, KWB_WORKBOOK_LIMITS)
    assert column_letters(150) == "ET"



def test_a_cbs_csv_above_the_limit_is_refused_before_it_is_read(db, tmp_path):
    """A 95 MB kwb CSV took 5 GB and 92 s and stored 12 million values; a national one is
    10-20 MB. Here 31 MB (the limit is 30)."""
    path = write_kwb_csv(tmp_path / "kwb-2024.csv")
    with path.open("a", encoding="utf-8") as handle:
        handle.write(("\r\n" * 1024) * 31 * 512)
    assert refused(db, path) == (
        "Bestand kwb-2024.csv is 31 MB; een CSV van CBS mag hoogstens 30 MB zijn (het landelijke "
        "kwb-bestand is 10 à 20 MB). Kindkaart leest het niet; er is niets opgeslagen. Download "
        "het kwb-bestand opnieuw bij CBS, of alleen de gemeenten die u nodig hebt.")


def test_a_kwb_csv_with_more_rows_than_a_national_kwb_is_refused(db, tmp_path):
    """Each cell of a kwb is read on its own: a file of made-up rows is refused by its number of
    rows before that (a national kwb has some 18,500)."""
    rows = [list(row) for row in kwb_rows()[2:4]] * 20_001
    path = write_kwb_csv(tmp_path / "kwb-2024.csv", rows)
    assert refused(db, path) == (
        "Bestand kwb-2024.csv heeft 40003 rijen; een kwb-bestand heeft er hoogstens 40.000 (het "
        "landelijke bestand heeft er zo'n 18.500). Kindkaart leest het niet; er is niets "
        "opgeslagen.")


AMSTERDAM = ("GM0363", "Amsterdam")
AMSTERDAM_WIJKEN = [("WK036300", "Burgwallen-Oude Zijde", 4000, 300)]


def test_a_kwb_read_for_one_gemeente_keeps_only_its_rows_and_says_so(db, tmp_path):
    """A national file read for one gemeente: the other gemeenten's rows are neither checked
    (here one has a negative count) nor kept, and the import says so."""
    other = kwb_rows(AMSTERDAM, AMSTERDAM_WIJKEN)[1:]
    other[-1][KWB_COLUMNS.index("a_00_14")] = -5
    path = write_kwb_csv(tmp_path / "kwb-2024.csv", kwb_rows() + other)
    stored = jobs.import_cbs_file(db, path, gemeenten=["GM0193"])
    assert stored.notes == [
        "Het bestand heeft ook 1 andere gemeente(n) (GM0363); alleen de gekozen gemeente(n) zijn "
        "opgeslagen, van de andere niets."]
    assert db.execute(
        "select distinct gemeente_code from loads where load_id in (select unnest(?))",
        [stored.load_ids]).fetchall() == [("GM0193",)]
    assert db.execute("select count(*) from regions where gemeente_code = 'GM0363'"
                      ).fetchone() == (0,)
    with pytest.raises(InputRefused, match="GM0599 staat niet in het bestand \\(wel: GM0193"):
        jobs.import_cbs_file(db, path, gemeenten=["GM0599"])


def test_a_kwb_csv_saved_as_utf16_is_read(tmp_path):
    """Excel's 'Unicode-tekst' is UTF-16 with a byte order mark: it was refused as 'geen kolom
    met regiocodes'."""
    source = write_kwb_csv(tmp_path / "kwb-2024.csv")
    path = tmp_path / "utf16" / "kwb-2024.csv"
    path.parent.mkdir()
    text = source.read_text(encoding="utf-8-sig")
    path.write_bytes(text.encode("utf-16"))
    assert read_cbs_file(path).table.records == read_cbs_file(source).table.records


def test_a_kwb_csv_in_utf16_without_its_mark_is_refused_saying_so(tmp_path):
    path = tmp_path / "kwb-2024.csv"
    path.write_bytes(write_kwb_csv(path).read_text(encoding="utf-8-sig").encode("utf-16-le"))
    with pytest.raises(InputRefused) as refusal:
        read_cbs_file(path)
    assert refusal.value.messages == [
        "Bestand kwb-2024.csv: het bestand is opgeslagen als UTF-16 ('Unicode-tekst') zonder het "
        "teken dat dat aangeeft, of is beschadigd; sla het op als 'CSV UTF-8'."]
