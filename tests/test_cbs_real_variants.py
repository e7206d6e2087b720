"""CBS files in the variants real downloads come in (older kwb years, rows of titles, the long
observations of the new CBS open data), each built small in the test in its real layout."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest
from conftest import refusal
from kwb_files import KWB_COLUMNS, kwb_rows, write_kwb_xlsx

from data_sources.cbs.formats import read_cbs_file
from data_sources.cbs.loading import kerncijfers_frames
from data_sources.errors import InputRefused
from data_sources.jobs import import_cbs_file as import_file


def stored_values(cbs_file) -> dict:
    _, values = kerncijfers_frames(cbs_file.table)
    return {(r, s): None if pd.isna(v) else v
            for r, s, v in zip(values["region_code"], values["stem"], values["value"], strict=True)}


def write_sheet(path, header: list, rows: list[list]):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Blad1"
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def without_prefix(as_number: bool) -> tuple[list, list[list]]:
    """The kwb columns and rows as older years have them: the code in gwb_code without GM/WK/BU
    (the level in recs) and Nederland as code 0 with recs 'Land'; as numbers or as text."""
    columns = [c for c in KWB_COLUMNS if c != "gwb_code_10"]
    rows = []
    for row in kwb_rows():
        code, *rest = row
        bare = 0 if code.startswith("NL") else int(code[2:])
        rest[columns.index("gwb_code")] = bare if as_number else str(bare)
        rows.append(rest)
    return columns, rows


@pytest.mark.parametrize("as_number", [False, True])
def test_codes_without_prefix_and_the_nederland_row_of_older_kwb_years(tmp_path, as_number):
    plain = stored_values(read_cbs_file(write_kwb_xlsx(tmp_path / "kwb-2016.xlsx")))
    columns, rows = without_prefix(as_number)
    cbs_file = read_cbs_file(write_sheet(tmp_path / "kwb-2016_oud.xlsx", columns, rows), year=2016)
    assert stored_values(cbs_file) == plain
    assert "NL00" in {r["WijkenEnBuurten"] for r in cbs_file.table.records}


# The row of titles some copies of the kwb have below the short names (the titles of 85984NED).
TITLES = ["Codering", "Code", "Regioaanduiding", "Gemeentenaam", "Soort regio", "Codering",
          "Indelingswijziging wijken en buurten", "Aantal inwoners", "Mannen", "Vrouwen",
          "0 tot 15 jaar", "15 tot 25 jaar", "25 tot 45 jaar", "45 tot 65 jaar", "65 jaar of ouder",
          "Huishoudens totaal", "Huishoudens met kinderen", "Woningvoorraad",
          "Jongeren met jeugdzorg in natura", "Percentage jongeren met jeugdzorg",
          "Afstand tot kinderdagverblijf", "Afstand tot school"]


def test_a_row_of_titles_below_the_short_names_is_skipped(con, tmp_path):
    plain = stored_values(read_cbs_file(write_kwb_xlsx(tmp_path / "kwb-2021.xlsx")))
    path = write_sheet(tmp_path / "kwb-2021_titels.xlsx", KWB_COLUMNS, [TITLES, *kwb_rows()])
    assert stored_values(read_cbs_file(path, year=2021)) == plain
    import_file(con, path, year=2021, gemeenten=["GM0193"])
    assert con.execute("select count(*) from regions where gemeente_code = 'GM0193'").fetchone() == (9,)


def test_words_in_a_data_row_are_still_refused_naming_row_and_column(tmp_path):
    rows = kwb_rows()
    rows.insert(3, ["Onbekend", *TITLES[1:]])
    path = write_sheet(tmp_path / "kwb-2021.xlsx", KWB_COLUMNS, rows)
    with pytest.raises(InputRefused, match="rij 5, kolom gwb_code_10: 'ONBEKEND' is geen CBS-regiocode"):
        read_cbs_file(path)


# The new CBS open data (datasets.cbs.nl) as its CSV download holds it: Observations.csv with one
# row per region and measure (the measure as a code), MeasureCodes.csv and MeasureGroups.csv
# explaining the codes, <dimension>Codes.csv with the region names; ';', UTF-8 with BOM.
KWB_MEASURES = [("T001036", "Aantal inwoners", "1", "Long"), ("M000352", "0 tot 15 jaar", "2", "Long"),
                ("D000025", "Gemeentenaam", "0", "String"), ("D000038", "Codering", "0", "String"),
                ("D000028", "Afstand tot kinderdagverblijf", "3", "Double"),
                ("D000030", "Afstand tot school", "4", "Double")]
# the kwb's own distances lie under Nabijheid voorzieningen (and its Basisonderwijs), as in 85984NED
KWB_GROUPS = [("0", "Regioaanduiding", ""), ("1", "Bevolking", ""), ("2", "Leeftijdsgroepen", "1"),
              ("3", "Nabijheid voorzieningen", ""), ("4", "Basisonderwijs", "3")]
REGIONS = [("NL01", "Nederland"), ("GM0193", "Zwolle"), ("WK019310", "Wijk 10 Binnenstad"),
           ("WK019311", "Wijk 11 Diezerpoort")]


def kwb_observations() -> list[tuple]:
    rows = []
    for code, _ in REGIONS:
        young = None if code == "WK019311" else 450  # secret: no Value, ValueAttribute Confidential
        rows += [(code, "T001036", 7115), (code, "M000352", young), (code, "D000025", "Zwolle"),
                 (code, "D000038", code), (code, "D000028", 0.6), (code, "D000030", 0.8)]
    return rows


def write_download(folder, measures=KWB_MEASURES, groups=KWB_GROUPS, observations=None,
                   codes: bool = True, json_observations: bool = False):
    folder.mkdir(exist_ok=True)

    def table(name, header, rows):
        lines = [";".join(header)] + [";".join("" if v is None else (f'"{v}"' if isinstance(v, str) else str(v))
                                               for v in row) for row in rows]
        (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8-sig")

    if codes:
        table("MeasureCodes.csv", ["Identifier", "Index", "Title", "Description", "MeasureGroupId",
                                   "DataType", "Unit", "Decimals", "PresentationType"],
              [(c, i, t, "", g, d, "", 0, "Absolute") for i, (c, t, g, d) in enumerate(measures, 1)])
        table("MeasureGroups.csv", ["Id", "Index", "Title", "Description", "ParentId"],
              [(g, i, t, "", p) for i, (g, t, p) in enumerate(groups, 1)])
    table("WijkenEnBuurtenCodes.csv", ["Identifier", "Index", "Title", "Description", "DimensionGroupId"],
          [(c, i, t, "", "") for i, (c, t) in enumerate(REGIONS, 1)])
    rows = []
    for i, (code, measure, value) in enumerate(observations or kwb_observations()):
        text = isinstance(value, str)
        rows.append((i, measure, "Confidential" if value is None else "None",
                     None if text else value, value if text else None, code))
    if json_observations:
        import json

        (folder / "Observations.json").write_text(json.dumps({
            "@odata.context": "https://datasets.cbs.nl/odata/v1/CBS/86165NED/$metadata#Observations",
            "value": [dict(zip(["Id", "Measure", "ValueAttribute", "Value", "StringValue",
                                "WijkenEnBuurten"], row, strict=True)) for row in rows]}))
    else:
        table("Observations.csv", ["Id", "Measure", "ValueAttribute", "Value", "StringValue",
                                   "WijkenEnBuurten"], rows)
    return folder


EXPECTED_KWB = {**{(code, "AfstandTotSchool"): 0.8 for code in ("GM0193", "WK019310", "WK019311")},
                ("GM0193", "AantalInwoners"): 7115, ("GM0193", "k_0Tot15Jaar"): 450,
                ("GM0193", "AfstandTotKinderdagverblijf"): 0.6,
                ("WK019310", "AantalInwoners"): 7115, ("WK019310", "k_0Tot15Jaar"): 450,
                ("WK019310", "AfstandTotKinderdagverblijf"): 0.6,
                ("WK019311", "AantalInwoners"): 7115, ("WK019311", "k_0Tot15Jaar"): None,
                ("WK019311", "AfstandTotKinderdagverblijf"): 0.6}


@pytest.mark.parametrize("shape", ["folder", "zip", "observations.csv", "observations.json",
                                   "prefixed"])
def test_the_new_cbs_open_data_download_of_the_kwb(con, tmp_path, shape):
    import zipfile

    folder = write_download(tmp_path / "86165NED", json_observations=shape == "observations.json")
    path = {"folder": folder, "observations.csv": folder / "Observations.csv",
            "observations.json": folder / "Observations.json"}.get(shape)
    if shape == "prefixed":  # the files named after the table: 86165NED_MeasureCodes.csv
        for member in list(folder.iterdir()):
            member.rename(folder / f"86165NED_{member.name}")
        path = folder / "86165NED_Observations.csv"
    if shape == "zip":
        path = tmp_path / "86165NED.zip"
        with zipfile.ZipFile(path, "w") as archive:
            for member in folder.iterdir():
                archive.write(member, f"86165NED/{member.name}")
    cbs_file = read_cbs_file(path)
    assert (cbs_file.kind, cbs_file.table.table_id, cbs_file.table.period) == ("kerncijfers", "86165NED", "2025")
    assert stored_values(cbs_file) == EXPECTED_KWB
    import_file(con, path, gemeenten=["GM0193"])
    assert con.execute("select region_code, region_name from regions order by 1").fetchall() == [
        ("GM0193", "Zwolle"), ("WK019310", "Wijk 10 Binnenstad"), ("WK019311", "Wijk 11 Diezerpoort")]


@pytest.mark.parametrize("name", ["86165NED_Observations.csv", "Observations.csv"])
def test_observations_without_their_measure_codes_are_refused_not_stored_as_codes(con, tmp_path, name):
    # before, a file named after the kwb table was stored as kerncijfers with a column 'Measure'
    folder = write_download(tmp_path / "download", codes=False)
    path = (folder / "Observations.csv").rename(folder / name)
    with pytest.raises(InputRefused, match="MeasureCodes uit dezelfde download"):
        import_file(con, path, year=2025)
    assert con.execute("select count(*) from loads").fetchone() == (0,)


NABIJHEID_MEASURES = [("D1", "Afstand tot kinderdagverblijf", "K1", "Double"),
                      ("D2", "Binnen 1 km", "K2", "Double"),
                      ("D3", "Afstand tot school", "O1", "Double"),
                      ("D4", "Afstand tot school", "O2", "Double")]
NABIJHEID_GROUPS = [("K0", "Kinderopvang", ""), ("K1", "Kinderdagverblijf", "K0"),
                    ("K2", "Aantal kinderdagverblijven", "K1"), ("O0", "Onderwijs", ""),
                    ("O1", "Basisonderwijs", "O0"), ("O2", "Voortgezet onderwijs totaal", "O0")]
NABIJHEID_OBSERVATIONS = [(code, m, v) for code, _ in REGIONS
                          for m, v in [("D1", 0.5), ("D2", 3), ("D3", 0.7), ("D4", 2.5)]]


def test_nabijheid_from_the_new_open_data_by_its_groups_and_year_of_its_title(con, tmp_path):
    import json

    folder = write_download(tmp_path / "download", NABIJHEID_MEASURES, NABIJHEID_GROUPS,
                            NABIJHEID_OBSERVATIONS)
    (folder / "Properties.json").write_text(json.dumps({
        "Identifier": "86134NED",
        "Title": "Nabijheid voorzieningen; afstand locatie, wijk- en buurtcijfers 2024"}))
    cbs_file = read_cbs_file(folder)
    assert (cbs_file.kind, cbs_file.table.period) == ("nabijheid", "2024")
    record = next(r for r in cbs_file.table.records if r["WijkenEnBuurten"] == "WK019310")
    # the school distance of the basisschool, not of voortgezet onderwijs
    assert {k.rsplit("_", 1)[0]: float(v) for k, v in record.items() if k != "WijkenEnBuurten"} == {
        "NabijheidAfstandKinderdagverblijf": 0.5, "NabijheidKinderdagverblijvenBinnen1Km": 3.0,
        "NabijheidAfstandBasisschool": 0.7}
    import_file(con, folder, gemeenten=["GM0193"])
    assert con.execute("select dataset, period from loads where dataset = 'nabijheid'").fetchall() == [
        ("nabijheid", "2024")]


def test_a_statline_title_export_without_the_codering_column_is_refused_saying_what_to_add(con, tmp_path):
    # 'Wijken en buurten' holds names only; 'Centrum' is a wijk in many gemeenten
    header = ('"Wijken en buurten";"Regioaanduiding/Gemeentenaam (naam)";"Regioaanduiding/Soort regio '
              '(omschrijving)";"Bevolking/Aantal inwoners (aantal)";"Bevolking/Leeftijdsgroepen/0 tot 15 '
              'jaar (aantal)"')
    rows = ['"Zwolle";"Zwolle                                  ";"Gemeente  ";"133141";"24000"',
            '"Wijk 10 Binnenstad";"Zwolle                                  ";"Wijk      ";"7115";"450"']
    path = tmp_path / "Kerncijfers_wijken_en_buurten_2024_04122026_101010.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8-sig")
    with pytest.raises(InputRefused, match="Codering \\(Regioaanduiding/Codering\\) ontbreekt"):
        import_file(con, path)
    assert con.execute("select count(*) from loads").fetchone() == (0,)


def test_nabijheid_by_its_keys_alone_is_refused_saying_which_download_reads(con, tmp_path):
    import json

    records = [{"ID": i, "WijkenEnBuurten": code, "Gemeentenaam_1": "Zwolle    ", "Codering_3": code,
                "AfstandTotKinderdagverblijf_52": 0.5, "Binnen1Km_53": 3.0, "AfstandTotSchool_60": 0.7,
                "AfstandTotSchool_64": 2.5} for i, code in enumerate(["GM0193    ", "WK019310  "])]
    path = tmp_path / "TypedDataSet.json"
    path.write_text(json.dumps({"odata.metadata": "https://opendata.cbs.nl/ODataApi/OData/85830NED/"
                                                  "$metadata#Cbs.OData.WebAPI.TypedDataSet",
                                "value": records}))
    with pytest.raises(InputRefused, match="lijkt Nabijheid voorzieningen met alleen kolomsleutels"):
        import_file(con, path, year=2023)
    assert con.execute("select count(*) from loads").fetchone() == (0,)


def test_03759ned_from_the_new_open_data_keeps_one_record_per_age(tmp_path):
    from data_sources.cbs.loading import population_by_age_frame

    folder = tmp_path / "03759ned"
    folder.mkdir()
    (folder / "MeasureCodes.csv").write_text(
        "Identifier;Index;Title;Description;MeasureGroupId;DataType;Unit;Decimals;PresentationType\n"
        '"M000352";1;"Bevolking op 1 januari";"";"";"Long";"aantal";0;"Absolute"\n'
        '"M000353";2;"Gemiddelde bevolking";"";"";"Long";"aantal";0;"Absolute"\n')
    ages = {age: "10010" if age == 0 else str(10000 + 100 * age) for age in range(15)}
    (folder / "LeeftijdCodes.csv").write_text(
        "Identifier;Index;Title\n" + "".join(f'"{c}";{a};"{a} jaar"\n' for a, c in ages.items()))
    lines = ["ID;Measure;ValueAttribute;Value;Geslacht;Leeftijd;BurgerlijkeStaat;RegioS;Perioden"]
    for age, code in ages.items():
        for measure, value, sex in [("M000352", 1000 + age, "T001038"), ("M000353", 1, "T001038"),
                                    ("M000352", 500, "3000")]:
            lines.append(f'{len(lines)};"{measure}";"None";{value};"{sex}";"{code}";"T001019";'
                         f'"GM0193";"2024JJ00"')
    (folder / "Observations.csv").write_text("\n".join(lines) + "\n")
    cbs_file = read_cbs_file(folder)
    assert (cbs_file.kind, len(cbs_file.table.records)) == ("bevolking-leeftijd", 30)
    frame = population_by_age_frame(cbs_file.table)
    assert frame.sort_values("age")["persons"].tolist() == [1000 + age for age in range(15)]


def test_a_kwb_without_the_regio_column_takes_the_bundled_names_not_the_codes(con, tmp_path):
    columns = [c for c in KWB_COLUMNS if c != "regio"]
    rows = [[v for c, v in zip(KWB_COLUMNS, row, strict=True) if c != "regio"] for row in kwb_rows()]
    import_file(con, write_sheet(tmp_path / "kwb-2024.xlsx", columns, rows), gemeenten=["GM0193"])
    names = dict(con.execute("select region_code, region_name from regions").fetchall())
    assert names["GM0193"] == "Zwolle"
    assert names["WK019310"] != "WK019310" and "Binnenstad" in names["WK019310"]


def test_one_cbs_file_zipped_is_read_as_itself(con, tmp_path):
    import zipfile

    plain = stored_values(read_cbs_file(write_kwb_xlsx(tmp_path / "kwb-2024.xlsx")))
    path = tmp_path / "kwb-2024.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(tmp_path / "kwb-2024.xlsx", "kwb-2024/kwb-2024.xlsx")
        archive.writestr("kwb-2024/", "")
    assert stored_values(read_cbs_file(path)) == plain
    import_file(con, path, gemeenten=["GM0193"])
    assert con.execute("select period from loads where dataset = 'kerncijfers'").fetchall() == [("2024",)]


def test_provinces_and_corop_areas_by_code_are_no_gemeenten_left_out(tmp_path):
    from data_sources.cbs.loading import population_by_age_frame, population_by_age_notes

    header = '"ID";"Geslacht";"Leeftijd";"BurgerlijkeStaat";"RegioS";"Perioden";"BevolkingOp1Januari_1"'
    rows = []
    for region in ["NL01  ", "LD01  ", "PV23  ", "CR22  ", "GM0193", "GM0398"]:
        rows += [f'"{len(rows)}";"T001038";"{10010 if age == 0 else 10000 + 100 * age}";"T001019";'
                 f'"{region}";"2024JJ00";"{1000 + age}"' for age in range(15)]
    path = tmp_path / "03759ned.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8-sig")
    table = read_cbs_file(path).table
    assert sorted(set(population_by_age_frame(table)["gemeente_code"])) == ["GM0193", "GM0398", "NL01"]
    # a landsdeel, province or COROP area is not a gemeente left out after a merger
    assert population_by_age_notes(table) == []


def test_a_kwb_csv_with_its_titles_above_the_short_names_is_read_as_the_kwb(tmp_path):
    from kwb_files import write_kwb_csv

    plain = stored_values(read_cbs_file(write_kwb_xlsx(tmp_path / "kwb-2024.xlsx")))
    saved = write_kwb_csv(tmp_path / "kwb-2024.csv")
    path = tmp_path / "kwb-2024_met_titels.csv"
    lines = saved.read_bytes().decode("utf-8-sig").split("\r\n")
    path.write_text("\r\n".join([";".join(TITLES), *lines]), encoding="utf-8-sig")
    # before, the titles were the header: 'Code' and 'Regioaanduiding' became measures
    assert stored_values(read_cbs_file(path)) == plain
    lines[3] = lines[3].replace("WK019310", "WK0193XYZ")
    path.write_text("\r\n".join([";".join(TITLES), *lines]), encoding="utf-8-sig")
    with pytest.raises(InputRefused, match="rij 5, kolom gwb_code_10: 'WK0193XYZ'"):
        read_cbs_file(path)


@pytest.mark.parametrize("added", ["a title above", "an empty line"])
def test_a_bad_cell_of_a_kwb_csv_is_named_by_the_files_own_row(tmp_path, added):
    """A title line above the short names (left out as StatLine's), or an empty line among the rows,
    was not counted: the row named was one too early."""
    from kwb_files import write_kwb_csv

    lines = write_kwb_csv(tmp_path / "kwb-2024.csv").read_bytes().decode("utf-8-sig").split("\r\n")
    lines[3] = lines[3].replace("WK019310", "WK0193XYZ")  # row 4 of the download
    lines.insert(0 if added == "a title above" else 2, "Kerncijfers wijken en buurten 2024"
                 if added == "a title above" else "")
    path = tmp_path / "kwb-2024.csv"
    path.write_text("\r\n".join(lines), encoding="utf-8-sig")
    with pytest.raises(InputRefused, match="rij 5, kolom gwb_code_10: 'WK0193XYZ'"):
        read_cbs_file(path)


def test_nabijheid_from_the_new_open_data_without_its_groups_is_refused(con, tmp_path):
    folder = write_download(tmp_path / "86134NED", NABIJHEID_MEASURES, NABIJHEID_GROUPS,
                            NABIJHEID_OBSERVATIONS)
    (folder / "MeasureGroups.csv").unlink()
    with pytest.raises(InputRefused, match="Map 86134NED: Nabijheid voorzieningen zonder MeasureGroups"):
        import_file(con, folder, year=2024)
    assert con.execute("select count(*) from loads").fetchone() == (0,)


def test_pupils_and_the_woz_value_under_the_names_of_their_years(tmp_path):
    """kwb2024.xlsx and kwb2025.xlsx name the pupils of primary schools a_ons_po ('Leerlingen po'
    in 85984NED; a public crosswalk of 86165NED's measures to the kwb2024.xlsx columns maps
    A025301 to a_ons_po), and kwb-2016 to kwb-2019 the average WOZ value g_woz (g_wozbag from
    2020, as a public KWB pipeline renames it). Both columns were left out."""
    columns = [*KWB_COLUMNS, "a_ons_po", "g_woz"]
    rows = [[*row, 1520 if row[0] == "GM0193" else ".", 312 if row[0] == "GM0193" else "."]
            for row in kwb_rows()]
    values = stored_values(read_cbs_file(write_sheet(tmp_path / "kwb-2019.xlsx", columns, rows)))
    assert values[("GM0193", "LeerlingenPo")] == 1520
    assert values[("GM0193", "GemiddeldeWOZWaardeVanWoningen")] == 312
    assert values[("WK019310", "LeerlingenPo")] is None  # '.' stays unknown


def test_a_kwb_of_2016_with_only_the_percentage_of_children_says_so(con, tmp_path):
    """Up to kwb-2016 CBS gives the age groups as percentages (p_00_14, p_15_24, ...); counts
    (a_00_14) from kwb-2017 on (a public KWB panel script: 'as of 2017, the number of people by age
    categories ... is reported, instead of the percentage'). Such a file loaded without a word,
    and the year then had no children per wijk."""
    columns = ["p_00_14" if c == "a_00_14" else c for c in KWB_COLUMNS]
    rows = [[18 if c == "p_00_14" and v != "." else v for c, v in zip(columns, row, strict=True)]
            for row in kwb_rows()]
    stored = import_file(con, write_sheet(tmp_path / "kwb-2016.xlsx", columns, rows), gemeenten=["GM0193"])
    assert stored.kind == "kerncijfers"
    assert stored.notes == [
        "Dit bestand heeft geen aantal kinderen van 0 tot 15 jaar (kwb-kolom a_00_14): de andere "
        "cijfers zijn opgeslagen, maar voor 2016 maakt Kindkaart hiermee geen kinderen per wijk. "
        "Kwb-bestanden tot en met 2016 geven alleen het percentage (p_00_14); dat rekent Kindkaart "
        "niet om naar een aantal. Laad een kwb van 2017 of later, of de kolom '0 tot 15 jaar' uit "
        "StatLine."]
    stems = {row[0] for row in con.execute("select distinct stem from raw_cbs__kerncijfers").fetchall()}
    assert "AantalInwoners" in stems and "k_0Tot15Jaar" not in stems


def without_recs(as_number: bool) -> tuple[list, list[list]]:
    """The rows of without_prefix with the column recs (soort regio) left out, as a user who
    deleted it in Excel, or a copy of only the codes and figures, has them."""
    columns, rows = without_prefix(as_number)
    at = columns.index("recs")
    return columns[:at] + columns[at + 1:], [row[:at] + row[at + 1:] for row in rows]


def test_codes_that_kept_their_zeros_are_read_by_their_length_without_recs(con, tmp_path):
    # '0193' a gemeente, '019310' a wijk, '01931000' a buurt: CBS's own lengths (4, 6, 8)
    plain = stored_values(read_cbs_file(write_kwb_xlsx(tmp_path / "kwb-2016.xlsx")))
    columns, rows = without_recs(as_number=False)
    for row in rows:
        code = row[columns.index("gwb_code")]
        if code != "0":
            row[columns.index("gwb_code")] = code.zfill({3: 4, 5: 6, 7: 8}[len(code)])
    path = write_sheet(tmp_path / "kwb-2016_zonder_recs.xlsx", columns, rows)
    assert stored_values(read_cbs_file(path)) == plain
    import_file(con, path, gemeenten=["GM0193"])
    # the wijken with their 0-15 year olds (WK019352's are secret), as the same file with recs
    assert con.execute("select list(distinct wijk_code order by wijk_code) from population_by_wijk_age"
                       " where year = 2016").fetchone() == (["WK019310", "WK019311", "WK019322"],)


def test_codes_as_numbers_without_recs_are_refused_naming_the_missing_column(con, tmp_path):
    # 19310 as a number: WK019310, or a buurt of a gemeente below 10; the length cannot tell
    path = write_sheet(tmp_path / "kwb-2016.xlsx", *without_recs(as_number=True))
    message = refusal(con, lambda: import_file(con, path))
    assert "rij 3, kolom gwb_code: '193' is een code zonder GM, WK of BU ervoor" in message
    assert "kolom recs (soort regio: Gemeente, Wijk of Buurt) ontbreekt" in message
    assert "geen CBS-regiocode" not in message


def test_a_zip_of_several_downloads_is_refused_naming_them(con, tmp_path):
    # before: the kwb in it was stored and the boundaries beside it left out without a word
    import zipfile

    kwb = write_kwb_xlsx(tmp_path / "kwb-2024.xlsx")
    with zipfile.ZipFile(tmp_path / "downloads.zip", "w") as archive:
        archive.write(kwb, "downloads/kwb-2024.xlsx")
        archive.writestr("downloads/wijk_2024.geojson", '{"type": "FeatureCollection", "features": []}')
        archive.writestr("downloads/LEESMIJ.txt", "Bron: CBS")
    assert refusal(con, lambda: import_file(con, tmp_path / "downloads.zip")) == (
        "Bestand downloads.zip: het zip-bestand bevat 2 bestanden (kwb-2024.xlsx, "
        "wijk_2024.geojson); Kindkaart leest één bestand tegelijk. Pak het zip-bestand uit en lees "
        "elk bestand apart in. Er is niets opgeslagen.")


def test_a_zipped_kwb_beside_a_readme_is_read(con, tmp_path):
    # a readme beside the one CBS file is no second file to read (it was refused as one)
    import zipfile

    kwb = write_kwb_xlsx(tmp_path / "kwb-2024.xlsx")
    with zipfile.ZipFile(tmp_path / "kwb-2024.zip", "w") as archive:
        archive.write(kwb, "kwb-2024.xlsx")
        archive.writestr("LEESMIJ.txt", "Bron: CBS")
    assert import_file(con, tmp_path / "kwb-2024.zip").kind == "kerncijfers"
