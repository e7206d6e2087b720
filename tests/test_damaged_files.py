"""Damaged and odd files get a Dutch refusal that names where they break, without the reading
library's own English words, and nothing from them is stored."""

import io
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import private_connection

from data_sources import jobs
from data_sources.errors import InputRefused

sys.path.insert(0, str(Path(__file__).parent))
import kwb_files  # noqa: E402

ROOT = Path(__file__).parent.parent
LRK = ROOT / "sample_data" / "lrk" / "lrk_export_GM9999_2024.csv"
VVE = ROOT / "sample_data" / "registrations" / "vve-indicaties.xlsx"
# Words of Python, pandas, calamine and zipfile that must never reach a user.
ENGLISH = ("codec", "Error", "error", "Expected", "columns to parse", "Cannot", "invalid", "magic")


@pytest.fixture
def db(sample_db, tmp_path):
    with private_connection(sample_db, tmp_path) as connection:
        yield connection


def active_loads(con):
    return con.execute("select load_id from loads where status = 'active' order by 1").fetchall()


def refused(con, call) -> str:
    before = active_loads(con)
    with pytest.raises(InputRefused) as caught:
        call()
    assert active_loads(con) == before  # nothing stored, nothing lost
    text = " ".join(caught.value.messages)
    assert not any(word in text for word in ENGLISH), text
    return text


def broken_member(data: bytes, member: str) -> bytes:
    """The workbook with one zip member's compressed bytes cut short (its header intact)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            target.writestr(name, source.read(name))
    raw = bytearray(out.getvalue())
    info = zipfile.ZipFile(io.BytesIO(bytes(raw))).getinfo(member)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    raw[start:start + info.compress_size] = bytes(reversed(raw[start:start + info.compress_size]))
    return bytes(raw)


def test_a_workbook_with_a_damaged_part_is_refused_in_dutch(db):
    data = broken_member(VVE.read_bytes(), "docProps/app.xml")
    text = refused(db, lambda: jobs.import_registration(
        db, data, "vve-indicaties", "GGD Voorbeeldregio (JGZ)", "2024", "vve.xlsx",
        gemeente_code="GM9999"))
    assert text == ("'vve.xlsx' is beschadigd (onderdeel docProps/app.xml is niet uit te pakken) en "
                    "kan niet worden gelezen. Sla het in Excel opnieuw op als .xlsx.")


def test_a_workbook_whose_data_sheet_is_damaged_is_refused_in_dutch(db):
    data = VVE.read_bytes()
    sheets = [n for n in zipfile.ZipFile(io.BytesIO(data)).namelist()
              if n.startswith("xl/worksheets/sheet")]
    largest = max(sheets, key=lambda n: zipfile.ZipFile(io.BytesIO(data)).getinfo(n).file_size)
    text = refused(db, lambda: jobs.import_registration(
        db, broken_member(data, largest), "vve-indicaties", "GGD Voorbeeldregio (JGZ)", "2024",
        "vve.xlsx", gemeente_code="GM9999"))
    assert "'vve.xlsx' is beschadigd" in text


def lrk_with_line(tmp_path, index: int, old: bytes, new: bytes):
    """The sample's LRK export with the first `old` of line `index` (0 = the header) replaced."""
    lines = LRK.read_bytes().split(b"\n")
    lines[index] = lines[index].replace(old, new, 1)
    path = tmp_path / "lrk_export_GM9999_2024.csv"
    path.write_bytes(b"\n".join(lines))
    return path


def test_an_lrk_export_with_unreadable_bytes_names_the_row(db, tmp_path):
    # 0x81 is undefined in cp1252
    path = lrk_with_line(tmp_path, 4, b"BSO De Speelwerf", b"BSO De \x81Speelwerf")
    text = refused(db, lambda: jobs.import_lrk(db, path, year=2024))
    assert text == ("Bestand lrk_export_GM9999_2024.csv: niet leesbaar als LRK-export: rij 5 bevat "
                    "tekens die niet te lezen zijn (het bestand is geen UTF-8 en geen Windows-1252); "
                    "sla het op als 'CSV UTF-8'.")


def test_an_lrk_export_with_a_field_too_many_names_the_row(db, tmp_path):
    path = lrk_with_line(tmp_path, 9, b";", b";Kindcentrum; ")  # a name with its separator
    text = refused(db, lambda: jobs.import_lrk(db, path, year=2024))
    assert text == ("Bestand lrk_export_GM9999_2024.csv: niet leesbaar als LRK-export: rij 10 heeft "
                    "23 velden waar de kopregel er 22 heeft (een scheidingsteken te veel in een "
                    "waarde?).")


def test_an_lrk_export_without_its_columns_names_them_as_the_register_does(db, tmp_path):
    path = tmp_path / "lrk_export_GM9999_2024.csv"
    path.write_text("naam;adres\nKDV De Boom;Kerkweg 1\n", encoding="utf-8")
    text = refused(db, lambda: jobs.import_lrk(db, path, year=2024))
    assert text.startswith("Bestand lrk_export_GM9999_2024.csv: de kolom(men) lrk_id, type_oko, "
                           "aantal_kindplaatsen, opvanglocatie_postcode ontbreken.")


def test_an_empty_lrk_export_says_so(db, tmp_path):
    path = tmp_path / "lrk_export_GM9999_2024.csv"
    path.write_bytes(b"\n\n")
    text = refused(db, lambda: jobs.import_lrk(db, path, year=2024))
    assert text == "Bestand lrk_export_GM9999_2024.csv: niet leesbaar als LRK-export: het bestand is leeg."


def test_an_empty_cbs_csv_says_so(db, tmp_path):
    path = tmp_path / "kwb-2024.csv"
    path.write_bytes(b"  \n")
    assert refused(db, lambda: jobs.import_cbs_file(db, path)) == \
        "Bestand kwb-2024.csv: het bestand is leeg."


def test_a_statline_csv_with_an_unnamed_column_is_read(db, tmp_path):
    # a column title that maps to no key (here: empty) is left out, not a crash
    path = tmp_path / "statline_85984NED.csv"
    source = (ROOT / "tests" / "fixtures" / "cbs" / "statline_85984NED.csv").read_text(encoding="utf-8")
    header, rest = source.split("\n", 1)
    path.write_text(header + ';""\n' + "\n".join(line + ";" for line in rest.splitlines()) + "\n",
                    encoding="utf-8")
    kind, _loads, _notes = jobs.import_cbs_file(db, path)
    assert kind == "kerncijfers"


def test_a_damaged_kwb_workbook_is_refused_in_dutch(db, tmp_path):
    path = kwb_files.write_kwb_xlsx(tmp_path / "kwb-2024.xlsx")
    path.write_bytes(path.read_bytes()[:2000])
    text = refused(db, lambda: jobs.import_cbs_file(db, path))
    assert text == ("Bestand kwb-2024.xlsx: het werkblad is niet te lezen: het bestand is beschadigd "
                    "of heeft een onverwachte opbouw.")


def test_a_broken_odata_response_names_the_place(db, tmp_path):
    path = tmp_path / "odata_85984NED_TypedDataSet.json"
    source = (ROOT / "tests" / "fixtures" / "cbs" / "odata_85984NED_TypedDataSet.json").read_text(
        encoding="utf-8")
    path.write_text(source[:400], encoding="utf-8")  # cut off mid-way, as a broken download is
    text = refused(db, lambda: jobs.import_cbs_file(db, path))
    assert text.startswith("Bestand odata_85984NED_TypedDataSet.json: geen geldige JSON (regel ")


def test_a_geojson_with_unreadable_bytes_names_the_line(db, tmp_path):
    path = tmp_path / "wijk_2024.geojson"
    path.write_bytes(b'{"type": "FeatureCollection",\n"features": [\x81]}')
    assert refused(db, lambda: jobs.import_cbs_file(db, path)) == (
        "Bestand wijk_2024.geojson: geen leesbare GeoJSON: regel 2 bevat tekens die niet te lezen "
        "zijn (het bestand is geen UTF-8 en geen Windows-1252); sla het op in UTF-8.")


def vve_sample_with(change) -> bytes:
    import openpyxl

    book = openpyxl.load_workbook(VVE)
    change(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def huge_count(book):
    book["Gegevens"]["D2"] = 1e20  # an OverflowError traceback before


def hidden_data_sheet_with_visible_copy(book):
    copy = book.copy_worksheet(book["Gegevens"])
    copy.title = "Gegevens (2)"
    book["Gegevens"].sheet_state = "hidden"
    book.active = book.sheetnames.index("Gegevens (2)")


@pytest.mark.parametrize("change, expected", [
    (huge_count, "Blad 'Gegevens', rij 2, kolom D (aantal kinderen): '100000000000000000000' is "
                 "geen aannemelijk aantal"),
    (hidden_data_sheet_with_visible_copy, "Blad 'Gegevens': is verborgen."),
])
def test_an_odd_sample_workbook_is_refused_in_dutch_and_stores_nothing(db, change, expected):
    text = refused(db, lambda: jobs.import_registration(
        db, vve_sample_with(change), "vve-indicaties", "GGD Voorbeeldregio (JGZ)", "2024",
        "vve.xlsx", gemeente_code="GM9999"))
    assert expected in text, text
