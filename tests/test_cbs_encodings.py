"""CBS and PDOK files that are UTF-8 but for a few bytes (a row pasted from a Windows-1252 copy):
read as UTF-8, the value with such a byte refused by row and column, files that are Windows-1252
as a whole read as before. The names are real (Tytsjerksteradiel's wijken of 2024)."""

from __future__ import annotations

import json

import pytest
from conftest import REAL_DATA, refusal
from kwb_files import KWB_COLUMNS, kwb_rows
from test_cbs_real_variants import kwb_observations, write_download

from data_sources.errors import InputRefused
from data_sources.jobs import import_cbs_file as import_file

TYTSJERKSTERADIEL = ("GM0737", "Tytsjerksteradiel")
# real wijken of 2024 (PDOK's wijk_gegeneraliseerd); the counts are made up
TYTSJERKSTERADIEL_WIJKEN = [("WK073702", "Wijk 02 Mûnein", 2400, 400),
                            ("WK073705", "Wijk 05 Earnewâld", 400, 60)]
PASTED = "Wijk 05 Earnewâld"
REFUSAL = ("'{value}' bevat de byte 0x{byte}, die geen UTF-8 is, terwijl de rest van het bestand "
           "UTF-8 is (in Windows-1252 is het '{letter}': een rij uit een ander bestand geplakt?).")


def _csv_lines(rows: list[list]) -> list[str]:
    return [";".join(KWB_COLUMNS)] + [";".join(str(value) for value in row) for row in rows]


def _saved(path, lines: list[str], pasted: str | None = None, encoding: str = "utf-8"):
    """The lines as Excel saves them (CRLF; 'CSV UTF-8' with a BOM), the lines with `pasted` in
    Windows-1252, as pasted from the other copy."""
    bom = b"\xef\xbb\xbf" if encoding == "utf-8" else b""
    path.write_bytes(bom + b"".join(
        (line + "\r\n").encode("cp1252" if pasted and pasted in line else encoding) for line in lines))
    return path


def _names(con) -> dict[str, str]:
    return dict(con.execute("select region_code, region_name from regions"
                            " where region_level in ('gemeente', 'wijk')").fetchall())


def _two_gemeenten() -> list[list]:
    zwolle = kwb_rows()
    return zwolle + kwb_rows(TYTSJERKSTERADIEL, TYTSJERKSTERADIEL_WIJKEN)[1:]  # one Nederland row


def test_a_kwb_csv_utf8_with_a_row_pasted_from_windows_1252_is_refused_naming_row_and_column(
        con, tmp_path):
    """kwb-2024 saved as 'CSV UTF-8' with one wijk pasted from a Windows-1252 copy: read as
    Windows-1252 as a whole, 'Wijk 02 Mûnein' was stored as 'Wijk 02 MÃ»nein' without a word.
    Now the row with the byte is refused naming row, column and byte, nothing is stored and what
    was stored before stays."""
    lines = _csv_lines(_two_gemeenten())
    clean = _saved(tmp_path / "kwb-2024.csv", lines)
    import_file(con, clean, gemeenten=["GM0737"])
    before = _names(con)
    assert before["WK073702"] == "Wijk 02 Mûnein"
    row = next(i for i, line in enumerate(lines, start=1) if f";{PASTED};" in line)
    with pytest.raises(InputRefused) as refused:
        import_file(con, _saved(tmp_path / "kwb-2024.csv", lines, pasted=PASTED))
    assert refused.value.messages[0] == (
        f"Bestand kwb-2024.csv, rij {row}, kolom regio: "
        + REFUSAL.format(value="Wijk 05 Earnew<0xE2>ld", byte="E2", letter="â"))
    assert len(refused.value.messages) == 2  # the buurt below it was pasted too
    assert _names(con) == before


def test_a_byte_that_is_no_utf8_in_a_row_of_another_gemeente_is_passed_over(con, tmp_path):
    """An analist of Zwolle reading the national kwb with a wijk of Tytsjerksteradiel pasted in:
    that row is not read, so not refused; an analist of Tytsjerksteradiel gets the names as
    written where read as Windows-1252 they were 'Wijk 02 MÃ»nein'."""
    rows = _two_gemeenten()
    rows = [[*row[:2], "Wijk 10 Binnenstad", *row[3:]] if row[0] == "WK019310" else row
            for row in rows]
    lines = [line.replace("Wijk 10 Binnenstad", "Wijk 10 Binnenstad-Zuidoost â") for line in
             _csv_lines(rows)]
    path = _saved(tmp_path / "kwb-2024.csv", lines, pasted="Binnenstad-Zuidoost")
    import_file(con, path, gemeenten=["GM0737"])
    assert _names(con) == {"GM0737": "Tytsjerksteradiel", "WK073702": "Wijk 02 Mûnein",
                           "WK073705": "Wijk 05 Earnewâld"}
    with pytest.raises(InputRefused) as refused:
        import_file(con, path, gemeenten=["GM0193"])
    assert "kolom regio: 'Wijk 10 Binnenstad-Zuidoost <0xE2>'" in refused.value.messages[0]


def test_a_kwb_csv_in_windows_1252_as_a_whole_is_read_as_written(con, tmp_path):
    """Excel's 'CSV (gescheiden door lichtpuntkomma)' is Windows-1252 throughout: every name read
    as written, nothing refused."""
    rows = kwb_rows(TYTSJERKSTERADIEL, TYTSJERKSTERADIEL_WIJKEN)
    import_file(con, _saved(tmp_path / "kwb-2024.csv", _csv_lines(rows), encoding="cp1252"))
    assert _names(con) == {"GM0737": "Tytsjerksteradiel", "WK073702": "Wijk 02 Mûnein",
                           "WK073705": "Wijk 05 Earnewâld"}


@pytest.mark.skipif(not REAL_DATA.exists(), reason="../shared/real_data ontbreekt")
def test_a_statline_csv_with_a_row_pasted_from_windows_1252_is_refused_naming_row_and_column(
        con, tmp_path):
    """The real StatLine download of Nabijheid voorzieningen 2023 (UTF-8 with BOM, padded, quoted)
    with wijken of Tytsjerksteradiel, one pasted from a Windows-1252 copy."""
    header, nederland = (REAL_DATA / "statline_nabijheid_voorzieningen_2023_header.csv"
                         ).read_text(encoding="utf-8-sig").splitlines()[:2]
    figures = nederland.split(";")[5:]

    def row(name, gemeente, kind, code):
        return ";".join([f'"{name}"', f'"{gemeente}"', f'"{kind}"', f'"{code}"', '"1"', *figures])

    lines = [header, nederland, row("Tytsjerksteradiel", "Tytsjerksteradiel", "Gemeente", "GM0737"),
             *(row(name, "Tytsjerksteradiel", "Wijk", code) for code, name, *_ in TYTSJERKSTERADIEL_WIJKEN)]
    path = tmp_path / "85830NED_nabijheid_2023.csv"
    _saved(path, lines)
    import_file(con, path)
    before = _names(con)
    assert before["WK073702"] == "Wijk 02 Mûnein"
    with pytest.raises(InputRefused) as refused:
        import_file(con, _saved(path, lines, pasted=PASTED))
    assert refused.value.messages == [
        f"Bestand {path.name}, rij 5, kolom 'Wijken en buurten': "
        + REFUSAL.format(value="Wijk 05 Earnew<0xE2>ld", byte="E2", letter="â"),
        "Er is niets opgeslagen."]
    assert _names(con) == before


def test_observations_with_a_name_pasted_from_windows_1252_are_refused_naming_file_row_and_column(
        con, tmp_path):
    """The new CBS open data: the regions' names in WijkenEnBuurtenCodes.csv, the gemeente's name
    as a StringValue in Observations.csv."""
    folder = write_download(tmp_path / "86165NED", observations=[
        (code, measure, "Tytsjerksteradiel" if value == "Zwolle" else value)
        for code, measure, value in kwb_observations()])
    codes = folder / "WijkenEnBuurtenCodes.csv"
    lines = codes.read_text(encoding="utf-8-sig").splitlines()
    lines = [line.replace("Wijk 10 Binnenstad", "Wijk 10 Mûnein")
             .replace("Wijk 11 Diezerpoort", "Wijk 11 Earnewâld") for line in lines]
    _saved(codes, lines, pasted="Earnewâld")
    with pytest.raises(InputRefused) as refused:
        import_file(con, folder)
    assert refused.value.messages == [
        "Bestand WijkenEnBuurtenCodes.csv, rij 5, kolom Title: "
        + REFUSAL.format(value="Wijk 11 Earnew<0xE2>ld", byte="E2", letter="â")
        + " Er is niets opgeslagen."]
    _saved(codes, lines)
    observations = folder / "Observations.csv"
    lines = observations.read_text(encoding="utf-8-sig").splitlines()
    # the name of every region with a letter UTF-8 reads, one row pasted from Windows-1252
    lines = [line.replace("Tytsjerksteradiel", "Tytsjerksteradiël") for line in lines]
    row = next(i for i, line in enumerate(lines, start=1) if "Tytsjerksteradiël" in line)
    _saved(observations, lines, pasted=lines[row - 1])
    with pytest.raises(InputRefused) as refused:
        import_file(con, folder)
    assert refused.value.messages == [
        f"Bestand Observations.csv, rij {row}, kolom StringValue: "
        + REFUSAL.format(value="Tytsjerksteradi<0xEB>l", byte="EB", letter="ë")
        + " Er is niets opgeslagen."]
    assert con.execute("select count(*) from raw_cbs__kerncijfers").fetchone() == (0,)
    _saved(observations, lines)
    import_file(con, folder)
    assert _names(con)["WK019311"] == "Wijk 11 Earnewâld"


def test_an_odata_answer_with_a_name_pasted_from_windows_1252_is_refused_naming_row_and_key(
        con, tmp_path):
    """A saved OData answer of the kwb 2024 (85984NED) written as UTF-8 with one record pasted
    from a Windows-1252 copy: 'Súdwest-Fryslân' was stored as 'SÃºdwest-FryslÃ¢n'."""
    records = [{"WijkenEnBuurten": code, "Gemeentenaam_1": "Súdwest-Fryslân", "Codering_3": code,
                "AantalInwoners_5": 2400, "k_0Tot15Jaar_8": 400} for code in ("WK190000", "WK190001")]
    lines = ['{"odata.metadata": "https://opendata.cbs.nl/ODataApi/OData/85984NED/$metadata#'
             'Cbs.OData.WebAPI.TypedDataSet", "value": [',
             ",\n".join(json.dumps(record, ensure_ascii=False) for record in records), "]}"]
    lines = "\n".join(lines).splitlines()
    path = tmp_path / "85984NED_TypedDataSet.json"
    with pytest.raises(InputRefused) as refused:
        import_file(con, _saved(path, lines, pasted="WK190001"))
    assert refused.value.messages == [
        f"Bestand {path.name}: rij 2 van 'value', sleutel Gemeentenaam_1: "
        + REFUSAL.format(value="S<0xFA>dwest-Frysl<0xE2>n", byte="FA", letter="ú"),
        "Er is niets opgeslagen."]
    assert con.execute("select count(*) from raw_cbs__kerncijfers").fetchone() == (0,)


def test_gemeente_laden_refuses_a_kwb_csv_utf8_with_a_pasted_row_naming_it(app_db, tmp_path):
    """On the page: the refusal names file, row, column and byte, without a traceback or a
    server path, and the sample gemeente's regions stay as they were."""
    import duckdb
    from conftest import add_account, run_page

    from data_sources import store
    from data_sources.accounts import Account

    def names() -> list[tuple]:
        connection = duckdb.connect(str(app_db), config=store.CONNECT_CONFIG)
        try:
            return connection.execute("select * from regions order by all").fetchall()
        finally:
            connection.close()

    before = names()
    lines = _csv_lines(kwb_rows(TYTSJERKSTERADIEL, TYTSJERKSTERADIEL_WIJKEN))
    path = _saved(tmp_path / "kwb-2024.csv", lines, pasted=PASTED)
    add_account(app_db, "beheer", "beheerder")
    at = run_page("gemeente_laden", account=Account("beheer", "beheerder"))
    at.file_uploader(key="laden_bestand").set_value((path.name, path.read_bytes(), "text/csv"))
    at.run()
    next(b for b in at.button if b.label == "Bestand inlezen").click()
    at.run()
    assert not at.exception and not at.success
    errors = " ".join(e.value for e in at.error).replace("\\", "")  # markdown escapes '<'
    row = next(i for i, line in enumerate(lines, start=1) if f";{PASTED};" in line)
    assert (f"rij {row}, kolom regio: 'Wijk 05 Earnew<0xE2>ld' bevat de byte 0xE2, die geen UTF-8 "
            "is" in errors), errors
    assert "Traceback" not in errors and str(tmp_path) not in errors
    assert names() == before


def _boundaries(path, *, damaged: str | None = None, damage: tuple[bytes, bytes] | None = None,
                ascii_only: bool = False):
    """The real 2024 boundaries of Zwolle and Tytsjerksteradiel (the bundled PDOK wijken) as
    cartomap writes its national file: UTF-8, one feature a line (`ascii_only`: every letter
    beyond ASCII as a \\u escape, as Python's json writes). The line of the region `damaged` is
    pasted from a Windows-1252 copy, or, with `damage` (bytes, bytes), has those bytes replaced."""
    from data_sources.offline_boundaries import bundled_features

    lines = []
    for feature in bundled_features(["GM0193", "GM0737"]):
        line = json.dumps(feature, ensure_ascii=ascii_only).encode()
        if feature["properties"]["statcode"] == damaged:
            line = line.replace(*damage) if damage else line.decode().encode("cp1252")
        lines.append(line)
    path.write_bytes(b'{"type":"FeatureCollection", "features": [\n' + b",\n".join(lines) + b"\n]}\n")
    return path


def _feature_number(code: str) -> int:
    from data_sources.offline_boundaries import bundled_features

    return next(number for number, feature in enumerate(bundled_features(["GM0193", "GM0737"]), start=1)
                if feature["properties"]["statcode"] == code)


DAMAGED = ("bevat de byte 0x81, die geen UTF-8 is, terwijl de rest van het bestand UTF-8 is (en ook "
           "in Windows-1252 geen teken: het bestand is beschadigd).")
UNDEFINED = ("bevat de byte 0x81, die in Windows-1252 (de codering van het bestand) geen teken is: "
             "het bestand is beschadigd of in een andere codering opgeslagen.")


@pytest.mark.parametrize(("damaged", "damage", "ascii_only", "said"), [
    ("WK073705", None, False, REFUSAL.format(value="Wijk 05 Earnew<0xE2>ld", byte="E2", letter="â")),
    ("WK073705", ("Earnewâld".encode(), b"Earnew\x81ld"), False, f"'Wijk 05 Earnew<0x81>ld' {DAMAGED}"),
    ("WK073700", (b"Burgum", b"Bur\x81gum"), True, f"'Wijk 00 Bur<U+0081>gum' {UNDEFINED}"),
], ids=["pasted-from-windows-1252", "damaged-byte-in-utf8", "damaged-byte-in-ascii"])
def test_a_geojson_with_a_bad_byte_in_one_feature_refuses_only_that_gemeente(
        con, tmp_path, damaged, damage, ascii_only, said):
    """The national GeoJSON was decoded whole: a damaged byte in a feature of Tytsjerksteradiel
    refused the file for an analist of Zwolle ('geen UTF-8 en geen Windows-1252'), and a feature
    pasted from a Windows-1252 copy made the whole file Windows-1252 without a word. Now the byte
    is refused, naming feature, property and byte, only where the feature is of a gemeente read."""
    from data_sources.offline_boundaries import bundled_features

    path = _boundaries(tmp_path / "wijk_2024.geojson", damaged=damaged, damage=damage,
                       ascii_only=ascii_only)
    import_file(con, path, gemeenten=["GM0193"])
    zwolle = {f["properties"]["statcode"] for f in bundled_features(["GM0193"])}
    assert {code for (code,) in con.execute("select region_code from geometries"
                                            " where region_code like '%0193%'").fetchall()} == zwolle
    said_now = refusal(con, lambda: import_file(con, path, gemeenten=["GM0737"]))
    assert said_now == (f"Bestand wijk_2024.geojson: feature {_feature_number(damaged)} ({damaged}), "
                        f"eigenschap name: {said} Er is niets opgeslagen; sla het bestand opnieuw "
                        "op als UTF-8, of download het opnieuw.")
    assert not con.execute("select 1 from geometries where region_code like '%0737%'").fetchall()
    # the whole file, as on the command line without --gemeente: refused the same
    assert refusal(con, lambda: import_file(con, path)) == said_now


@pytest.mark.skipif(not REAL_DATA.exists(), reason="../shared/real_data ontbreekt")
def test_the_real_national_geojson_with_a_pasted_feature_still_gives_amsterdam(con, tmp_path):
    """The real cartomap file of all 3,393 wijken with Tytsjerksteradiel's Earnewâld damaged:
    Amsterdam's 110 wijken are stored."""
    raw = (REAL_DATA / "geo" / "wijk_2024_wgs84_cartomap.geojson").read_bytes()
    path = tmp_path / "wijk_2024.geojson"
    path.write_bytes(raw.replace("Earnewâld".encode(), b"Earnew\x81ld"))
    import_file(con, path, gemeenten=["GM0363"])
    assert con.execute("select count(*) from geometries where region_code like 'WK0363%'"
                       ).fetchone() == (110,)
    assert "feature 1800 (WK073705), eigenschap name: 'Wijk 05 Earnew<0x81>ld'" in refusal(
        con, lambda: import_file(con, path, gemeenten=["GM0737"]))


def _cbsodata_folder(folder, *, pasted: str | None = None, damaged: str | None = None):
    """Kerncijfers wijken en buurten 2024 (85984NED) as cbsodata saves them: the real TableInfos
    and DataProperties, the real 2024 figures of Zwolle and Tytsjerksteradiel and their wijken in
    TypedDataSet.json (padded codes, the gemeente's name), the real names of the wijken in
    WijkenEnBuurten.json; written as UTF-8 (a folder saved again by a script). The item of the
    region `pasted` in WijkenEnBuurten.json is pasted from a Windows-1252 copy; in the record of
    the region `damaged` the gemeente's name has a damaged byte (0x81)."""
    import shutil

    from data_sources.cbs.gemeenten import bundled
    from data_sources.offline_boundaries import bundled_features

    kwb = REAL_DATA / "kwb2024_odata_85984NED"
    folder.mkdir()
    for name in ("TableInfos.json", "DataProperties.json"):
        shutil.copy(kwb / name, folder / name)
    figures = json.loads((kwb / "stripped_filtered_data_2024.json").read_text(encoding="utf-8"))
    gemeenten = bundled()
    names = {f["properties"]["statcode"]: f["properties"].get("name") or gemeenten[f["properties"]["statcode"]]
             for f in bundled_features(["GM0193", "GM0737"])}
    records = [{"ID": number, "WijkenEnBuurten": code.ljust(10),
                "Gemeentenaam_1": gemeenten[f"GM{code[2:6]}"].ljust(40), "Codering_3": code.ljust(10),
                **figures[code]} for number, code in enumerate(names)]
    lines = json.dumps(records, ensure_ascii=False, indent=1).encode().split(b"\n")
    if damaged:
        at = next(i for i, line in enumerate(lines) if f'"{damaged.ljust(10)}"'.encode() in line)
        lines[at + 1] = lines[at + 1].replace(b"Tytsjerksteradiel", b"Tytsjerkster\x81adiel")
    (folder / "TypedDataSet.json").write_bytes(b"\n".join(lines))
    items = [{"Key": code.ljust(10), "Title": name, "Description": None} for code, name in names.items()]
    (folder / "WijkenEnBuurten.json").write_bytes(b"\n".join(
        line.encode("cp1252") if pasted and line.startswith(f'{{"Key": "{pasted}') else line.encode()
        for line in (json.dumps(item, ensure_ascii=False) for item in items)).join([b"[", b"]"])
        .replace(b"}\n{", b"},\n{"))
    return folder, list(names)


def _wijk_names(con, gemeente: str) -> dict[str, str]:
    return dict(con.execute("select region_code, region_name from regions where region_level = 'wijk'"
                            " and gemeente_code = ?", [gemeente]).fetchall())


@pytest.mark.skipif(not REAL_DATA.exists(), reason="../shared/real_data ontbreekt")
@pytest.mark.parametrize(("pasted", "damaged", "said"), [
    ("WK073705", None, "WijkenEnBuurten.json: rij {row}, sleutel Title: "
     + REFUSAL.format(value="Wijk 05 Earnew<0xE2>ld", byte="E2", letter="â")),
    # TypedDataSet.json has no letter beyond ASCII: read as Windows-1252, which has no 0x81
    (None, "WK073702", "TypedDataSet.json: rij {row}, sleutel Gemeentenaam_1: "
     f"'Tytsjerkster<U+0081>adiel' {UNDEFINED}"),
], ids=["name-pasted-from-windows-1252", "damaged-byte"])
def test_a_cbsodata_folder_with_a_bad_byte_refuses_only_that_gemeente(con, tmp_path, pasted, damaged,
                                                                     said):
    """A folder saved by cbsodata was read as strict UTF-8 file by file: one byte pasted from a
    Windows-1252 copy, or damaged, in a record of Tytsjerksteradiel refused the national table for
    an analist of Zwolle ('geen geldige CBS JSON'). Now it is refused, naming file, record, key and
    byte, only where the record is of a gemeente read."""
    folder, codes = _cbsodata_folder(tmp_path / "85984NED", pasted=pasted, damaged=damaged)
    import_file(con, folder, gemeenten=["GM0193"])
    assert set(_wijk_names(con, "GM0193")) == {code for code in codes if code.startswith("WK0193")}
    assert _wijk_names(con, "GM0193")["WK019310"] == "Wijk 10 Binnenstad"
    row = codes.index(pasted or damaged) + 1
    said_now = refusal(con, lambda: import_file(con, folder, gemeenten=["GM0737"]))
    assert said_now == f"Bestand {said.format(row=row)} Er is niets opgeslagen."
    assert _wijk_names(con, "GM0737") == {}
    assert refusal(con, lambda: import_file(con, folder)) == said_now


@pytest.mark.skipif(not REAL_DATA.exists(), reason="../shared/real_data ontbreekt")
def test_a_cbsodata_folder_read_whole_keeps_the_names_as_written(con, tmp_path):
    """Without a bad byte every name of the folder is stored as written."""
    folder, _codes = _cbsodata_folder(tmp_path / "85984NED")
    import_file(con, folder)
    assert _wijk_names(con, "GM0737")["WK073702"] == "Wijk 02 Mûnein"


def test_an_odata_answer_with_a_pasted_record_of_another_gemeente_is_read_for_ones_own(con, tmp_path):
    """The saved OData answer of the kwb 2024 with a record of Súdwest-Fryslân pasted from a
    Windows-1252 copy: refused for Súdwest-Fryslân (above), read for Zwolle, whose records are
    UTF-8; before, the whole answer was refused for it."""
    records = [{"WijkenEnBuurten": code, "Gemeentenaam_1": name, "Codering_3": code,
                "AantalInwoners_5": 2400, "k_0Tot15Jaar_8": 400}
               for code, name in (("WK190000", "Súdwest-Fryslân"), ("WK190001", "Súdwest-Fryslân"),
                                  ("GM0193", "Zwolle"), ("WK019310", "Zwolle"))]
    lines = ['{"odata.metadata": "https://opendata.cbs.nl/ODataApi/OData/85984NED/$metadata#'
             'Cbs.OData.WebAPI.TypedDataSet", "value": [',
             ",\n".join(json.dumps(record, ensure_ascii=False) for record in records), "]}"]
    path = _saved(tmp_path / "85984NED_TypedDataSet.json", "\n".join(lines).splitlines(),
                  pasted="WK190001")
    import_file(con, path, gemeenten=["GM0193"])
    assert con.execute("select region_code, value from raw_cbs__kerncijfers where stem = 'k_0Tot15Jaar'"
                       " order by 1").fetchall() == [("GM0193", 400.0), ("WK019310", 400.0)]
    assert "rij 2 van 'value', sleutel Gemeentenaam_1: 'S<0xFA>dwest" in refusal(
        con, lambda: import_file(con, path, gemeenten=["GM1900"]))


def test_gemeente_laden_reads_a_national_geojson_with_a_damaged_feature_of_another_gemeente(
        app_db, tmp_path):
    """On the page, as a beheerder choosing Zwolle: the national file
    with a damaged byte in Tytsjerksteradiel's feature is read for Zwolle; for Tytsjerksteradiel
    the refusal names feature and byte, without a traceback or a server path, and nothing stored
    before is lost."""
    import duckdb
    from conftest import add_account, read_in_boundaries

    from data_sources import store

    def boundaries() -> list[tuple]:
        connection = duckdb.connect(str(app_db), config=store.CONNECT_CONFIG)
        try:
            return connection.execute("select region_code, geometry_json from geometries order by all").fetchall()
        finally:
            connection.close()

    path = _boundaries(tmp_path / "wijk_2024.geojson", damaged="WK073705",
                       damage=("Earnewâld".encode(), b"Earnew\x81ld"))
    add_account(app_db, "beheer", "beheerder")

    at = read_in_boundaries(path, "GM0193")
    assert at.success and not at.error, [e.value for e in at.error]
    before = boundaries()
    assert any(code.startswith("WK0193") for code, _ in before)
    at = read_in_boundaries(path, "GM0737")
    assert not at.success
    errors = " ".join(e.value for e in at.error).replace("\\", "")  # markdown escapes '<'
    assert (f"Bestand wijk_2024.geojson: feature {_feature_number('WK073705')} (WK073705), eigenschap "
            f"name: 'Wijk 05 Earnew<0x81>ld' {DAMAGED}") in errors, errors
    assert "Traceback" not in errors and str(tmp_path) not in errors
    assert boundaries() == before
