"""A sheet's name in a message is shown as Excel shows it on its tab: the _xHHHH_ escapes with
which the workbook's XML holds some characters decoded, a control character written out as
<U+0007>, as a cell's text is (the readers give the name as the XML holds it)."""

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import refusal

from data_sources import jobs
from data_sources.errors import InputRefused
from data_sources.workbooks import WorkbookLimits, check_workbook

ROOT = Path(__file__).parent.parent
VVE = ROOT / "sample_data" / "registrations" / "vve-indicaties.xlsx"


def saved(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_sheet_named(data: bytes, name: str, raw: str) -> bytes:
    """The workbook with its sheet `name` called `raw` in xl/workbook.xml, as Excel writes a name
    with a character XML cannot hold ('_x0007_')."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "xl/workbook.xml":
                assert content.count(f'name="{name}"'.encode()) == 1
                content = content.replace(f'name="{name}"'.encode(), f'name="{raw}"'.encode())
            archive.writestr(info, content)
    return out.getvalue()


def refused_upload(con, data: bytes) -> str:
    return refusal(con, lambda: jobs.import_registration(
        con, data, "vve-indicaties", "GGD Voorbeeldregio (JGZ)", "2024", "vve.xlsx",
        gemeente_code="GM9999"))


def test_a_copy_of_the_data_sheet_is_named_as_its_tab_shows_it(sample_copy):
    book = openpyxl.load_workbook(VVE)
    book.copy_worksheet(book["Gegevens"]).title = "Eigen"
    data = with_sheet_named(saved(book), "Eigen", "Eigen_x0007_telling_x0020_2024")
    assert refused_upload(sample_copy, data) == (
        "De werkmap heeft naast het blad 'Gegevens' ook 'Eigen<U+0007>telling 2024' met gegevens. "
        "Kindkaart leest alleen 'Gegevens'. Zet de juiste gegevens in dat blad, verwijder de kopie "
        "en lever het bestand opnieuw aan.")


def test_the_place_of_a_wrong_cell_names_its_sheet_as_its_tab_shows_it(sample_copy):
    # the data sheet under another name, the only one with data: read, and its errors placed
    book = openpyxl.load_workbook(VVE)
    book["Gegevens"]["D2"] = -3
    data = with_sheet_named(saved(book), "Gegevens", "Telling_x0020_2024_x001B_")
    text = refused_upload(sample_copy, data)
    assert "Blad 'Telling 2024<U+001B>', rij 2, kolom D (aantal kinderen): " in text, text
    assert "_x" not in text, text


def test_a_sheet_too_large_to_read_is_named_as_its_tab_shows_it(tmp_path):
    # the check before calamine reads a workbook (LRK export, kwb): its own limits, its own words
    book = openpyxl.Workbook()
    book.active.title = "Export"
    book.active["A1"], book.active["B50"] = "lrk_id", 1
    path = tmp_path / "lrk_export.xlsx"
    path.write_bytes(with_sheet_named(saved(book), "Export", "Export_x0020_LRK_x0007_"))
    limits = WorkbookLimits("een LRK-export", max_rows=20, max_columns=10, max_bytes=10 ** 6,
                            max_unpacked_bytes=10 ** 7, advice="sla de export op als CSV")
    with pytest.raises(InputRefused) as refused:
        check_workbook(path, limits)
    assert str(refused.value).startswith(
        "Bestand lrk_export.xlsx: werkblad 'Export LRK<U+0007>' loopt tot rij 50 en kolom B; ")
