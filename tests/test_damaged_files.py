"""Damaged and odd files get a Dutch refusal that names where they break, without the reading
library's own English words, and nothing from them is stored."""

import io
import json
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import refusal

from data_sources import jobs

sys.path.insert(0, str(Path(__file__).parent))
import kwb_files  # noqa: E402

ROOT = Path(__file__).parent.parent
LRK = ROOT / "sample_data" / "lrk" / "lrk_export_GM9999_2024.csv"
VVE = ROOT / "sample_data" / "registrations" / "vve-indicaties.xlsx"
# Words of Python, pandas, calamine and zipfile that must never reach a user.
ENGLISH = ("codec", "Error", "error", "Expected", "columns to parse", "Cannot", "invalid", "magic")


@pytest.fixture
def db(sample_copy):
    return sample_copy


def refused(con, call) -> str:
    text = refusal(con, call)
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


def test_an_lrk_export_with_unreadable_bytes_names_the_row_and_column(db, tmp_path):
    # 0x81 is undefined in cp1252: named where it is, not the whole file refused as unreadable
    # (tests/test_lrk_exports.py: in a row of another gemeente it refuses nothing)
    path = lrk_with_line(tmp_path, 4, b"BSO De Speelwerf", b"BSO De \x81Speelwerf")
    text = refused(db, lambda: jobs.import_lrk(db, path, year=2024))
    assert text == ("Bestand lrk_export_GM9999_2024.csv, rij 5, kolom actuele_naam_oko: 'BSO De "
                    "<U+0081>Speelwerf Centrum' bevat de byte 0x81, die in Windows-1252 (de codering "
                    "van de export) geen teken is: het bestand is beschadigd of in een andere "
                    "codering opgeslagen. Verbeter de waarde, of lees de export in zoals het "
                    "register hem geeft. Er is niets opgeslagen.")


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


def test_a_cbs_file_that_is_a_pipe_or_device_is_refused_not_read_for_ever(tmp_path):
    """import-cbs of a pipe (kwb-2024.csv made with mkfifo, a <(unzip -p ...) of the shell) waited
    for ever, and of a device such as /dev/zero read until memory ran out; the other commands that
    read a file refuse what is no regular file."""
    import os
    import subprocess

    os.mkfifo(tmp_path / "kwb-2024.csv")
    done = subprocess.run([sys.executable, "-m", "data_sources", "import-cbs",
                           str(tmp_path / "kwb-2024.csv"), "--db", str(tmp_path / "k.duckdb")],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout.strip() == ("Bestand kwb-2024.csv is geen gewoon bestand (maar een pipe of "
                                   "apparaat): lees een bestand of map in. Er is niets opgeslagen.")
    assert not (tmp_path / "k.duckdb").exists()


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


def kwb_csv(path: Path, rows: list[list] | None = None, lines: list[str] | None = None) -> Path:
    """kwb-<year>.csv as CBS publishes it (';', a header of short names), or these lines."""
    if lines is None:
        lines = [";".join(kwb_files.KWB_COLUMNS),
                 *(";".join(map(str, row)) for row in rows or kwb_files.kwb_rows())]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_kwb_csv_with_a_quote_left_open_names_the_row(db, tmp_path):
    # before: a quote left open in a file of ~1 MB made the rest one value, and csv's
    # "field larger than field limit" a traceback; in a small file a message without the row
    lines = [";".join(kwb_files.KWB_COLUMNS)]
    for i in range(8000):
        code = f"BU0193{i:04d}"
        lines.append(";".join([code, code[2:], f"Buurt {i}", "Zwolle", "Buurt", code, "1", "1000",
                               "500", "500", "150", "100", "300", "250", "200", "450", "120", "430",
                               "15", "10", "0,8", "0,6"]))
    lines[3] = lines[3].replace("Buurt 2", '"Buurt 2', 1)
    said = ('Bestand kwb-2024.csv: in rij 4 wordt een aanhalingsteken (") niet gesloten, zodat de '
            "regels erna één waarde zouden worden. Er is niets opgeslagen; herstel die rij of "
            "download het bestand opnieuw.")
    path = kwb_csv(tmp_path / "kwb-2024.csv", lines=lines)
    assert path.stat().st_size > 900_000
    assert refused(db, lambda: jobs.import_cbs_file(db, path)) == said
    path = kwb_csv(tmp_path / "kwb-2024.csv", lines=lines[:12])
    assert refused(db, lambda: jobs.import_cbs_file(db, path)) == said


def test_a_cbs_csv_with_a_value_longer_than_csv_reads_names_the_row(db, tmp_path):
    rows = kwb_files.kwb_rows()
    rows[2][2] = "x" * 200_000
    path = kwb_csv(tmp_path / "kwb-2024.csv", rows)
    assert refused(db, lambda: jobs.import_cbs_file(db, path)) == (
        "Bestand kwb-2024.csv: rij 4 heeft een waarde van meer dan 131.072 tekens; zo'n waarde "
        "heeft geen CBS-tabel. Er is niets opgeslagen.")
    path = tmp_path / "statline_85984NED_2024.csv"
    path.write_text('"Wijken en buurten";"Codering (code)";"Aantal inwoners (aantal)"\n'
                    '"Zwolle";"GM0193";"130000"\n"' + "y" * 200_000 + '";"WK019310";"7115"\n',
                    encoding="utf-8")
    assert refused(db, lambda: jobs.import_cbs_file(db, path)) == (
        "Bestand statline_85984NED_2024.csv: rij 3 heeft een waarde van meer dan 131.072 tekens; "
        "zo'n waarde heeft geen CBS-tabel. Er is niets opgeslagen.")


def odata_rows() -> list[dict]:
    source = ROOT / "tests" / "fixtures" / "cbs" / "odata_85984NED_TypedDataSet.json"
    return json.loads(source.read_text(encoding="utf-8"))["value"]


METADATA = "https://opendata.cbs.nl/ODataApi/odata/85984NED/$metadata#Cbs.OData.WebAPI.TypedDataSet"


@pytest.mark.parametrize("member", ["odata.nextLink", "@odata.nextLink"])
def test_the_first_page_of_an_odata_response_is_refused(db, tmp_path, member):
    # before: 24 of 49 records were stored as the whole table ("ingelezen ... 216 rijen")
    rows = odata_rows()
    path = tmp_path / "85984NED_page1.json"
    path.write_text(json.dumps({"odata.metadata": METADATA, "value": rows[:4],
                                member: "https://opendata.cbs.nl/ODataApi/odata/85984NED/"
                                        "TypedDataSet?$skip=4"}), encoding="utf-8")
    assert refused(db, lambda: jobs.import_cbs_file(db, path)) == (
        "Bestand 85984NED_page1.json: dit is pagina 1 van een groter OData-antwoord (er staat een "
        "odata.nextLink in naar de volgende rijen); download de volledige tabel (of gebruik "
        "load-cbs). Er is niets opgeslagen.")


def test_an_odata_value_that_is_an_object_or_a_list_is_refused_naming_record_and_key(db, tmp_path):
    # before: stored as empty (NULL), without a word
    rows = odata_rows()
    rows[2]["AantalInwoners_5"] = {"a": [1]}
    rows[5]["k_0Tot15Jaar_8"] = [100]
    path = tmp_path / "85984NED_2024.json"
    path.write_text(json.dumps({"odata.metadata": METADATA, "value": rows}), encoding="utf-8")
    assert refused(db, lambda: jobs.import_cbs_file(db, path)) == (
        "Bestand 85984NED_2024.json: rij 3 van 'value', sleutel AantalInwoners_5: een object waar "
        "een getal of tekst hoort. Bestand 85984NED_2024.json: rij 6 van 'value', sleutel "
        "k_0Tot15Jaar_8: een lijst waar een getal of tekst hoort. Er is niets opgeslagen.")


def test_json_nested_deeper_than_python_reads_is_refused_in_dutch(db, tmp_path):
    path = tmp_path / "85984NED_2024.json"
    path.write_text('{"value": ' + "[" * 50_000 + "]" * 50_000 + "}", encoding="utf-8")
    assert refused(db, lambda: jobs.import_cbs_file(db, path)) == (
        "Bestand 85984NED_2024.json: de JSON is te diep genest (lijsten of objecten honderden "
        "lagen in elkaar; een CBS- of GeoJSON-bestand heeft er hooguit enkele).")


def test_control_characters_in_kwb_names_are_not_stored(db, tmp_path):
    # before: a NUL in a kwb region name reached regions (and the HTML report)
    rows = kwb_files.kwb_rows()
    rows[2][2] = "Wijk 10 Binnen\x00stad\x1b"
    jobs.import_cbs_file(db, kwb_csv(tmp_path / "kwb-2024.csv", rows))
    assert db.execute("select distinct region_name from regions where region_code = 'WK019310'"
                      ).fetchall() == [("Wijk 10 Binnenstad",)]


def test_control_characters_in_lrk_names_are_not_stored(db, tmp_path):
    raw = LRK.read_bytes().decode("cp1252")
    name = raw.splitlines()[3].split(";")[2]
    path = tmp_path / "lrk_export_GM9999_2024.csv"
    path.write_bytes(raw.replace(name, name[:3] + "\x00\x07" + name[3:], 1).encode("cp1252"))
    jobs.import_lrk(db, path, year=2024)
    assert db.execute("select count(*) from raw_lrk__locations where location_name = ?",
                      [name]).fetchone()[0] >= 1
    assert db.execute("select count(*) from raw_lrk__locations where regexp_matches("
                      "location_name, '[\\x00-\\x08]')").fetchone() == (0,)


@pytest.mark.parametrize("cut", ["WK019311;19311;Wijk 11 Diezerpoort;Zwolle;Wijk;WK019311;1;8.200;4.018",
                                 "BU"])
def test_a_kwb_csv_broken_off_mid_row_is_refused_not_stored_without_its_last_rows(db, tmp_path, cut):
    # a broken download: its last row cut short was taken for a note below the table ('Bron: CBS')
    # and left out, so the wijken after it were missing without a word
    path = kwb_files.write_kwb_csv(tmp_path / "kwb-2024.csv")
    text = path.read_text(encoding="utf-8-sig")
    whole = text.splitlines()
    row = next(i for i, line in enumerate(whole) if line.startswith(cut[:2]) and line != cut) + 1
    path.write_text("\n".join(whole[:row - 1]) + "\n" + cut, encoding="utf-8-sig")
    fields = cut.count(";") + 1
    assert refused(db, lambda: jobs.import_cbs_file(db, path)) == (
        f"Bestand kwb-2024.csv: rij {row} heeft {fields} {'veld' if fields == 1 else 'velden'} waar "
        f"de kopregel er {whole[0].count(';') + 1} heeft; het bestand is afgebroken of beschadigd "
        "(onvolledig gedownload?). Er is niets opgeslagen; download het bestand opnieuw.")


def test_a_03759ned_csv_broken_off_mid_row_is_refused(db, tmp_path):
    source = ROOT / "tests" / "fixtures" / "cbs" / "downloads" / "03759ned_UntypedDataSet_GM0363_2021.csv"
    path = tmp_path / source.name
    path.write_bytes(source.read_bytes()[:9650])  # ends in '"GM0363";"2021JJ00";"' of row 120
    assert refused(db, lambda: jobs.import_cbs_file(db, path)).startswith(
        f"Bestand {source.name}: rij 120 heeft 6 velden waar de kopregel er 8 heeft;")


def test_a_row_cut_short_inside_a_statline_csv_is_refused(db, tmp_path):
    path = tmp_path / "statline_85984NED.csv"
    lines = (ROOT / "tests" / "fixtures" / "cbs" / "statline_85984NED.csv").read_text(
        encoding="utf-8").splitlines()
    lines[3] = ";".join(lines[3].split(";")[:4])
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert refused(db, lambda: jobs.import_cbs_file(db, path)).startswith(
        "Bestand statline_85984NED.csv: rij 4 heeft 4 velden waar de kopregel er 11 heeft;")


def test_a_note_below_a_statline_table_is_still_left_out(db, tmp_path):
    path = tmp_path / "statline_85984NED.csv"
    source = (ROOT / "tests" / "fixtures" / "cbs" / "statline_85984NED.csv").read_text(encoding="utf-8")
    path.write_text(source.rstrip("\n") + '\n\n"Bron: CBS"\n"© CBS, Den Haag/Heerlen"\n', encoding="utf-8")
    kind, _loads, _notes = jobs.import_cbs_file(db, path)
    assert kind == "kerncijfers"


@pytest.mark.parametrize(("data", "what"), [(b"", "het bestand is leeg"),
                                            (b"<html>502 Bad Gateway</html>", "het begint niet zoals een GeoPackage")])
def test_a_gpkg_that_is_empty_or_no_sqlite_file_is_refused_as_a_damaged_geopackage(db, tmp_path, data, what):
    # before: 'dit bestandstype (.gpkg) kan niet worden gelezen', while Kindkaart reads GeoPackages
    path = tmp_path / "wijkenbuurten_2024_v1.gpkg"
    path.write_bytes(data)
    assert refused(db, lambda: jobs.import_cbs_file(db, path)) == (
        f"Bestand wijkenbuurten_2024_v1.gpkg: geen GeoPackage ({what}); het is beschadigd of "
        "onvolledig. Download de wijk- en buurtkaart opnieuw bij CBS of PDOK. Er is niets opgeslagen.")


def locked(data: bytes) -> bytes:
    """The zip with every member marked as encrypted (a password-protected zip, as 7-Zip or
    Windows makes one), in the local headers and the central directory."""
    raw = bytearray(data)
    for mark, flag in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(mark)
        while at != -1:
            raw[at + flag] |= 1
            at = data.find(mark, at + 4)
    return bytes(raw)


def test_a_cbs_zip_locked_with_a_password_is_refused_naming_the_member(db, tmp_path):
    # before: zipfile's RuntimeError, shown as 'een opbouw die Kindkaart niet kent'
    sys.path.insert(0, str(Path(__file__).parent))
    from test_cbs_real_variants import write_download

    folder = write_download(tmp_path / "86165NED")
    path = tmp_path / "86165NED.zip"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.write(folder / "Observations.csv", "86165NED/Observations.csv")
    path.write_bytes(locked(out.getvalue()))
    assert refused(db, lambda: jobs.import_cbs_file(db, path)) == (
        "Bestand 86165NED.zip: 86165NED/Observations.csv in de zip is versleuteld (met een "
        "wachtwoord) en kan niet worden gelezen. Pak de zip zelf uit en lees het bestand in, of "
        "download het opnieuw. Er is niets opgeslagen.")


def test_a_zipped_geopackage_locked_with_a_password_is_refused_naming_the_member(db, tmp_path):
    path = tmp_path / "wijkenbuurten_2024.zip"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("wijkenbuurten_2024_v1.gpkg", b"SQLite format 3\x00" + bytes(4080))
    path.write_bytes(locked(out.getvalue()))
    assert refused(db, lambda: jobs.import_cbs_file(db, path)).startswith(
        "Bestand wijkenbuurten_2024.zip: wijkenbuurten_2024_v1.gpkg in de zip is versleuteld")


def _zipped(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def _padded_csv(text: bytes, megabytes: float) -> bytes:
    # a CSV grown past a limit by spaces at the end of its first line (packs to almost nothing)
    first, rest = text.split(b"\n", 1)
    return first + b" " * int(megabytes * 1024 * 1024) + b"\n" + rest


@pytest.mark.parametrize("given", ["CBS-bestand", "LRK-export", "wijk- en buurtkaart"])
def test_a_zipped_file_that_unpacks_beyond_its_limit_is_refused_naming_it_and_what_was_given(
        db, tmp_path, monkeypatch, given):
    """One helper (data_sources.archives) unpacks every zip a user gives; its refusal names the
    member and what the zip should have held. The limits (200 MB, 200 MB, 3 GB) are lowered to 1
    MB here, so that the test needs no file of that size."""
    from test_cbs_real_variants import write_download

    from data_sources import geopackage, lrk
    from data_sources.cbs import observations

    if given == "CBS-bestand":
        monkeypatch.setattr(observations, "MAX_MEGABYTES", 1)
        folder = write_download(tmp_path / "86165NED")
        members = {f"86165NED/{f.name}": f.read_bytes() for f in sorted(folder.iterdir())}
        member = "86165NED/Observations.csv"
        members[member] = _padded_csv(members[member], 1.5)
        path, read = tmp_path / "86165NED.zip", jobs.import_cbs_file
    elif given == "LRK-export":
        monkeypatch.setattr(lrk, "MAX_UNPACKED_MEGABYTES", 1)
        member = "LRK/lrk_export_GM9999_2024.csv"
        members = {member: _padded_csv(LRK.read_bytes(), 1.5)}
        path, read = tmp_path / "lrk_2024.zip", jobs.import_lrk
    else:
        monkeypatch.setattr(geopackage, "MAX_BYTES", 1024 * 1024)
        member = "wijkenbuurten_2024_v1.gpkg"
        members = {member: b"SQLite format 3\x00" + bytes(2 * 1024 * 1024)}
        path, read = tmp_path / "WijkBuurtkaart_2024_v1.zip", jobs.import_cbs_file
    path.write_bytes(_zipped(members))
    assert refused(db, lambda: read(db, path)) == (
        f"Bestand {path.name}: {member} pakt uit tot meer dan 1 MB; zo groot leest Kindkaart geen "
        f"{given}. Er is niets opgeslagen.")


def test_a_zipped_lrk_export_with_a_damaged_member_says_so_as_a_cbs_zip_does(db, tmp_path):
    path = tmp_path / "lrk_2024.zip"
    path.write_bytes(broken_member(_zipped({"LRK/lrk_export_GM9999_2024.csv": LRK.read_bytes()}),
                                   "LRK/lrk_export_GM9999_2024.csv"))
    assert refused(db, lambda: jobs.import_lrk(db, path)) == (
        "Bestand lrk_2024.zip: LRK/lrk_export_GM9999_2024.csv in de zip is beschadigd en niet uit "
        "te pakken (onvolledig gedownload?). Download het bestand opnieuw. Er is niets opgeslagen.")


@pytest.mark.parametrize("inner", ["open data", "wijk- en buurtkaart", "postcodes"])
def test_a_zip_inside_a_zip_is_refused_naming_the_inner_zip(db, tmp_path, inner):
    # before: 'dit bestandstype (.zip) kan niet worden gelezen zonder Observations.csv erin'
    # (or the postcode reader's words): someone zipped the CBS download again
    from test_cbs_real_variants import write_download

    if inner == "open data":
        folder = write_download(tmp_path / "86165NED")
        name, data = "86165NED.zip", _zipped({f"86165NED/{f.name}": f.read_bytes()
                                              for f in sorted(folder.iterdir())})
    elif inner == "wijk- en buurtkaart":
        name, data = "WijkBuurtkaart_2024_v1.zip", _zipped(
            {"wijkenbuurten_2024_v1.gpkg": b"SQLite format 3\x00" + bytes(4080)})
    else:
        name, data = "pc6hnr20240801_gwb.zip", _zipped(
            {"pc6hnr20240801_gwb.csv": b"PC6;Huisnummer;Buurt2024;Wijk2024;Gemeente2024\n"
                                       b"1011AB;1;03630000;036300;0363\n"})
    path = tmp_path / "download.zip"
    # a zip program may add a folder, macOS its __MACOSX copies, CBS a text file beside it
    path.write_bytes(_zipped({f"download/{name}": data, f"__MACOSX/download/._{name}": b"\0",
                              "download/leesmij.txt": b"CBS"}))
    assert refused(db, lambda: jobs.import_cbs_file(db, path)) == (
        f"Bestand download.zip: het zip-bestand bevat een ander zip-bestand ({name}): pak dat "
        f"eerst uit en lees {name} zelf in. Er is niets opgeslagen.")


@pytest.mark.parametrize(("name", "head", "what"), [
    ("wijken_2024.geojson", b'{"type": "FeatureCollection", "features": [', "een GeoJSON-bestand"),
    ("odata_85984NED_TypedDataSet.json", b'{"odata.metadata": "", "value": [',
     "een opgeslagen OData-antwoord")])
def test_a_json_file_larger_than_a_cbs_answer_is_refused_before_reading_it(db, tmp_path, capsys,
                                                                            name, head, what):
    # before: read whole into memory (only the page's 100 MB upload limit stood in the way; on
    # the command line none), then refused as JSON that breaks off. A sparse file: 201 MB on
    # paper, nothing on disk.
    path = tmp_path / name
    with path.open("wb") as handle:
        handle.write(head)
        handle.truncate(201 * 1024 * 1024)
    expected = (f"Bestand {name} is 201 MB; {what} mag hoogstens 200 MB zijn, net als een "
                "antwoord van CBS of PDOK. Kindkaart leest het niet; er is niets opgeslagen.")
    assert refused(db, lambda: jobs.import_cbs_file(db, path)).startswith(expected)
    from data_sources.cli import main

    database = tmp_path / "k.duckdb"
    assert main(["init", "--db", str(database)]) == 0
    capsys.readouterr()
    assert main(["import-cbs", str(path), "--db", str(database), "--jaar", "2024"]) == 1
    assert expected in capsys.readouterr().out


def test_a_cbsodata_folder_with_a_data_file_larger_than_a_cbs_answer_is_refused(db, tmp_path):
    # the folder as cbsodata saves it, its TypedDataSet.json 201 MB (sparse): refused by name
    import shutil

    folder = tmp_path / "85984NED"
    shutil.copytree(ROOT / "tests" / "fixtures" / "cbs" / "odata_v3" / "85984NED", folder)
    with (folder / "TypedDataSet.json").open("r+b") as handle:
        handle.truncate(201 * 1024 * 1024)
    assert refused(db, lambda: jobs.import_cbs_file(db, folder)).startswith(
        "Bestand TypedDataSet.json is 201 MB; een opgeslagen OData-antwoord mag hoogstens 200 MB "
        "zijn, net als een antwoord van CBS of PDOK.")


@pytest.mark.parametrize(("number", "shown", "why"), [
    ("NaN", "nan", "is geen getal"), ("Infinity", "inf", "is geen getal"),
    ("-Infinity", "-inf", "is geen getal"), ("1e309", "inf", "is geen getal"),
    ("1e308", "1e+308", "is groter dan elk CBS-cijfer"),
    ("12345678901234567890123", "12345678901234567890123", "is groter dan elk CBS-cijfer")])
def test_an_odata_figure_that_is_nan_infinite_or_absurd_is_refused(db, tmp_path, number, shown, why):
    # Python's json reads NaN, Infinity and 1e309 (as inf): they were stored as figures
    source = json.loads((ROOT / "tests" / "fixtures" / "cbs" / "odata_85984NED_TypedDataSet.json")
                        .read_text(encoding="utf-8"))
    record = source["value"][1]
    record["AantalInwoners_5"] = "__figure__"
    path = tmp_path / "odata_85984NED_TypedDataSet.json"
    path.write_text(json.dumps(source).replace('"__figure__"', number), encoding="utf-8")
    code = record["Codering_3"].strip()
    assert refused(db, lambda: jobs.import_cbs_file(db, path)).startswith(
        f"Bestand {path.name}, regio {code}, onderwerp AantalInwoners_5: '{shown}' {why}")


def test_a_kwb_figure_of_a_billion_is_refused(db, tmp_path):
    rows = kwb_files.kwb_rows()
    rows[1][kwb_files.KWB_COLUMNS.index("a_inw")] = 10 ** 12
    path = kwb_files.write_kwb_xlsx(tmp_path / "kwb-2024.xlsx", rows)
    assert "'1000000000000' is groter dan elk CBS-cijfer van een gebied" in refused(
        db, lambda: jobs.import_cbs_file(db, path))


def test_a_geopackage_geometry_cut_short_is_refused_without_struct_s_english(db, tmp_path):
    import sqlite3

    from test_cbs_geopackage import cbs_map

    path = tmp_path / "wijkenbuurten_2024_v1.gpkg"
    cbs_map(path)
    con = sqlite3.connect(path)
    con.execute("update wijken set geom = x'4750000100000000deadbeef'")  # header, then 4 of 13+ bytes
    con.commit()
    con.close()
    text = refused(db, lambda: jobs.import_cbs_file(db, path))
    assert "in de laag 'wijken' is niet te lezen (de geometrie houdt eerder op dan haar opbouw zegt)" in text
    assert "buffer" not in text


def test_an_lrk_location_with_a_trillion_places_is_refused_naming_row_and_column(db, tmp_path):
    # before: DuckDB's integer overflow, shown as 'een opbouw die Kindkaart niet kent'
    path = lrk_with_line(tmp_path, 1, b";32;", b";1000000000000;")
    assert refused(db, lambda: jobs.import_lrk(db, path, year=2024)) == (
        "Bestand lrk_export_GM9999_2024.csv, rij 2, kolom aantal_kindplaatsen: 1000000000000 "
        "kindplaatsen op één locatie kan niet (een locatie heeft er hoogstens enkele honderden; "
        "Kindkaart neemt er tot 10.000 aan). Er is niets opgeslagen.")


def test_an_uitgeschreven_lrk_location_with_a_trillion_places_is_stored_with_places_unknown(db, tmp_path):
    # a location that no longer counts is not checked; its absurd number is not stored
    path = lrk_with_line(tmp_path, 2, b";80;", b";1000000000000;")
    jobs.import_lrk(db, path, year=2024)
    assert db.execute("select places from raw_lrk__locations where lrk_id = '165208338' and year = 2024"
                      " order by load_id desc limit 1").fetchall() == [(None,)]


def test_a_wijk_without_a_shape_in_a_geojson_is_named_in_a_note_not_dropped_unseen(db, tmp_path):
    collection = json.loads((ROOT / "sample_data" / "geo" / "wijken.geojson").read_text(encoding="utf-8"))
    code = collection["features"][0]["properties"]["statcode"]
    collection["features"][0]["geometry"] = None  # an empty shape, as a GIS exports it
    path = tmp_path / "wijk_2024.geojson"
    path.write_text(json.dumps(collection), encoding="utf-8")
    _kind, _loads, notes = jobs.import_cbs_file(db, path)
    assert f"{code} heeft in het bestand geen vlak (de geometrie is leeg of bevat geen Polygon/MultiPolygon) " \
           "en staat niet op de kaart. Controleer die grenzen in het GIS-programma." in notes


def test_a_wijk_without_a_shape_in_a_geopackage_is_named_in_a_note(tmp_path):
    import sqlite3

    from test_cbs_geopackage import cbs_map

    from data_sources import geo, geopackage

    path = tmp_path / "wijkenbuurten_2024_v1.gpkg"
    cbs_map(path)
    con = sqlite3.connect(path)
    [(code,)] = con.execute("select wijkcode from wijken order by wijkcode limit 1").fetchall()
    con.execute("update wijken set geom = null where wijkcode = ?", [code])
    con.commit()
    con.close()
    collection, _notes = geopackage.read_geopackage(path)
    assert code in geo.features_frame(collection).attrs["shapeless"]


def test_gemeente_laden_refuses_a_broken_off_kwb_csv_and_a_locked_zip_in_dutch(app_db, tmp_path):
    from conftest import run_page_as_analist

    kwb = kwb_files.write_kwb_csv(tmp_path / "kwb-2024.csv").read_bytes()
    cut = kwb[:kwb.rindex(b"\n", 0, len(kwb) - 2) + 30]  # the last row cut off after 30 bytes
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("86165NED/Observations.csv", "Id;Measure\n")
    for name, data, said in [
            ("kwb-2024.csv", cut, "het bestand is afgebroken of beschadigd (onvolledig gedownload?)"),
            ("86165NED.zip", locked(out.getvalue()), "86165NED/Observations.csv in de zip is versleuteld")]:
        at = run_page_as_analist("gemeente_laden")
        at.file_uploader(key="laden_bestand").set_value((name, data, "application/octet-stream"))
        at.run()
        next(b for b in at.button if b.label == "Bestand inlezen").click()
        at.run()
        assert not at.exception
        errors = [e.value for e in at.error]
        assert errors[0] == f"{name} is niet ingelezen; er is niets opgeslagen.", errors
        assert any(said in text for text in errors), errors
        assert not any("Traceback" in text or "Error" in text for text in errors), errors


@pytest.fixture
def hostile_server():
    """A real local HTTP server with hostile answers: /declared says 2 GB, /long sends 3 MB,
    /deep is a JSON nested 100,000 levels deep."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):  # noqa: N802 - http.server API
            body = {"/long": b'"' + b"x" * 3_000_000 + b'"', "/deep": b"[" * 100_000 + b"]" * 100_000,
                    "/declared": b"[]"}[self.path.split("?")[0]]
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(2 * 1024 ** 3 if self.path == "/declared" else len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize(("path", "problem"), [
    ("/declared", "het antwoord is groter dan 1 MB"), ("/long", "het antwoord is groter dan 1 MB"),
    ("/deep", "het antwoord is geen geldige JSON")])
def test_a_hostile_answer_of_cbs_or_pdok_is_not_read_into_memory(hostile_server, monkeypatch, path, problem):
    # before: the whole answer was read (a declared 2 GB as well), and a deep JSON a RecursionError
    from data_sources.cbs import http
    from data_sources.errors import SourceUnavailable

    monkeypatch.setattr(http, "MAX_ANSWER_BYTES", 1024 * 1024)
    client = http.HttpClient(connect_timeout=2, read_timeout=5, retries=0, backoff=0)
    with pytest.raises(SourceUnavailable) as caught:
        client.get_json(hostile_server + path, source="PDOK")
    assert str(caught.value).startswith(f"PDOK is op dit moment niet bereikbaar ({problem}; ")
