"""The kwb file after a round through Excel: thousands separators, empty rows, an explanation sheet,
and values that cannot be true (infinite, negative, a part larger than the whole)."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest
from kwb_files import KWB_COLUMNS, kwb_rows, write_kwb_csv, write_kwb_xlsx

from data_sources.cbs.formats import read_cbs_file
from data_sources.cbs.kwb_values import decimal_evidence, file_decimal_mark, read_number
from data_sources.cbs.loading import kerncijfers_frames
from data_sources.errors import InputRefused
from data_sources.jobs import import_cbs_file as import_file


def stored_values(cbs_file) -> dict:
    _, values = kerncijfers_frames(cbs_file.table)
    return {(r, s): None if pd.isna(v) else v
            for r, s, v in zip(values["region_code"], values["stem"], values["value"], strict=True)}


def snapshot(con) -> tuple:
    return (con.execute("select load_id, status from loads order by 1").fetchall(),
            con.execute("select region_code, stem, value from raw_cbs__kerncijfers order by 1, 2"
                        ).fetchall())


@pytest.mark.parametrize(("with_nederland"), [True, False])
@pytest.mark.parametrize(("separator", "decimal", "thousands"), [(";", ",", "."), (",", ".", ",")])
def test_excel_csv_with_thousands_separators_gives_the_xlsx_values(
        tmp_path, separator, decimal, thousands, with_nederland):
    rows = kwb_rows(secret_jeugdzorg=False)
    rows = rows if with_nederland else rows[1:]  # a user's own rows: no '17.942.942' to go by
    csv_path = write_kwb_csv(tmp_path / "kwb-2024.csv", rows, separator=separator,
                             decimal=decimal, thousands=thousands)
    assert ("7" + thousands + "115") in csv_path.read_text(encoding="utf-8-sig")
    from_csv = stored_values(read_cbs_file(csv_path))
    assert from_csv == stored_values(read_cbs_file(write_kwb_xlsx(tmp_path / "kwb-2024.xlsx", rows)))
    assert from_csv[("GM0193", "AantalInwoners")] == 41390
    assert from_csv[("WK019322", "AantalInwoners")] == 26020
    assert from_csv[("WK019311", "PercentageJongerenMetJeugdzorg")] == 9.5  # decimals stay
    assert from_csv[("WK019311", "AfstandTotKinderdagverblijf")] == 0.6


def test_the_import_stores_the_counts_whole(con, tmp_path):
    import_file(con, write_kwb_csv(tmp_path / "kwb-2024.csv", kwb_rows()[1:]), gemeenten=["GM0193"])
    assert con.execute("select value from raw_cbs__kerncijfers where region_code = 'WK019322'"
                       " and stem = 'AantalInwoners'").fetchone() == (26020.0,)


def test_a_file_that_does_not_show_its_decimal_mark_is_refused(con, tmp_path):
    import_file(con, write_kwb_xlsx(tmp_path / "kwb-2024.xlsx"))
    before = snapshot(con)
    # only counts, some with a '.': 7.115 people or 7,115?
    rows = [[*row[:19], ".", ".", "."] for row in kwb_rows()[1:]]
    path = write_kwb_csv(tmp_path / "kwb-2024.csv", rows)
    with pytest.raises(InputRefused) as refused:
        import_file(con, path)
    assert refused.value.messages[0] == (
        "Bestand kwb-2024.csv, rij 2, kolom a_inw: '41.390' is dubbelzinnig: uit het bestand "
        "blijkt niet of '.' hier duizendtallen scheidt of het decimaalteken is; sla het bestand "
        "op zonder scheidingstekens voor duizendtallen.")
    assert snapshot(con) == before


def test_a_count_with_decimals_is_refused(con, tmp_path):
    rows = kwb_rows()
    rows[2][7] = 10.97  # a_inw of WK019310, row 4: the decimal mark of an English file in a Dutch one
    with pytest.raises(InputRefused) as refused:
        import_file(con, write_kwb_csv(tmp_path / "kwb-2024.csv", rows))
    assert refused.value.messages == [
        "Bestand kwb-2024.csv, rij 4, kolom a_inw: '10,97' is geen geheel getal, terwijl de "
        "kolom een aantal is (staat het decimaalteken goed?)."]
    assert con.execute("select count(*) from loads").fetchone() == (0,)


@pytest.mark.parametrize(("text", "mark", "number"), [
    ("133.141", ",", 133141), ("17.942.942", None, 17942942), ("133,141", ".", 133141),
    ("1.234,5", None, 1234.5), ("1,234.5", None, 1234.5), ("2,1", ",", 2.1), ("0.75", None, 0.75),
    ("12", None, 12), (" 4225 ", ",", 4225), (".", ",", None), ("", None, None),
])
def test_numbers_as_excel_writes_them(text, mark, number):
    assert read_number(text, mark) == number


@pytest.mark.parametrize(("text", "mark"), [
    ("133.141", None), ("1.23", ","), ("1,2345", "."), ("1.234,5", "."), ("inf", ","),
    ("nan", ","), ("1e400", ","), ("veel", ","),
])
def test_numbers_that_are_refused(text, mark):
    from data_sources.cbs.kwb_values import CellRefused

    with pytest.raises(CellRefused):
        read_number(text, mark)


def test_the_decimal_mark_of_a_file():
    assert [decimal_evidence(v) for v in ["2,1", "0.6", "17.942.942", "133.141", ".", "12"]] == [
        ",", ".", ",", None, None, None]
    assert file_decimal_mark(["133.141", "2,1", "."]) == ","
    assert file_decimal_mark(["133.141", "."]) is None
    assert file_decimal_mark(["2,1", "0.6"]) is None  # both: each cell by itself


def write_workbook(path, sheets: dict[str, list[list]]):
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def test_empty_rows_and_an_explanation_sheet_are_skipped(con, tmp_path):
    plain = stored_values(read_cbs_file(write_kwb_xlsx(tmp_path / "kwb-2024.xlsx")))
    rows = kwb_rows()
    data = [["Kerncijfers wijken en buurten 2024"], KWB_COLUMNS, *rows[:4], [], [None] * 5,
            *rows[4:], [], [], [None, None, None]]
    path = write_workbook(tmp_path / "kwb-2024_bewerkt.xlsx", {
        "Toelichting": [["Kerncijfers wijken en buurten 2024"], [], ["gwb_code_10: regiocode"],
                        ["Bron: CBS"]],
        "Data": data,
    })
    cbs_file = read_cbs_file(path, year=2024)
    assert stored_values(cbs_file) == plain
    import_file(con, path, year=2024, gemeenten=["GM0193"])
    assert con.execute("select count(*) from regions where gemeente_code = 'GM0193'"
                       ).fetchone() == (9,)


def test_a_bad_cell_on_the_data_sheet_names_sheet_row_and_column(tmp_path):
    rows = kwb_rows()
    rows[2][10] = "veel"  # a_00_14 of WK019310: header on row 2 below a title, so row 5
    path = write_workbook(tmp_path / "kwb-2024.xlsx", {
        "Toelichting": [["Bron: CBS"]], "kwb_2024": [["Kerncijfers"], KWB_COLUMNS, *rows]})
    with pytest.raises(InputRefused) as refused:
        read_cbs_file(path)
    assert refused.value.messages == [
        "Bestand kwb-2024.xlsx, werkblad kwb_2024, rij 5, kolom a_00_14: 'veel' is geen getal."]


@pytest.mark.parametrize(("column", "value", "said"), [
    ("a_inw", "inf", "kolom a_inw: 'inf' is geen getal."),
    ("a_00_14", "nan", "kolom a_00_14: 'nan' is geen getal."),
    ("a_00_14", -5, "kolom a_00_14: '-5' is negatief; dat kan niet."),
    ("g_afs_kv", -0.4, "kolom g_afs_kv: '-0,4' is negatief; dat kan niet."),
    ("a_00_14", 10**8, "kolom a_00_14: 100.000.000 is meer dan a_inw (7.115) in "
                        "dezelfde rij, meer dan CBS' afronding kan verklaren; dat kan niet."),
    ("a_hh_m_k", 9000, "kolom a_hh_m_k: 9.000 is meer dan a_hh (3.388) in dezelfde rij, meer dan "
                       "CBS' afronding kan verklaren; dat kan niet."),
])
def test_impossible_values_are_refused_and_nothing_is_stored(con, tmp_path, column, value, said):
    import_file(con, write_kwb_xlsx(tmp_path / "kwb-2024.xlsx"))
    before = snapshot(con)
    rows = kwb_rows()
    rows[2][KWB_COLUMNS.index(column)] = value  # WK019310, row 4
    path = write_kwb_csv(tmp_path / "kwb-2024.csv", rows)
    with pytest.raises(InputRefused) as refused:
        import_file(con, path)
    assert refused.value.messages == [f"Bestand kwb-2024.csv, rij 4, {said}"]
    assert snapshot(con) == before


def test_a_part_rounded_above_its_whole_is_read(con, tmp_path):
    # CBS rounds each count of a wijk at random to a multiple of 5: in a wijk of almost only men
    # the men (88, rounded up to 90) can come out above all inhabitants (87, rounded down to 85)
    rows = kwb_rows()
    inhabitants = rows[2][KWB_COLUMNS.index("a_inw")]
    rows[2][KWB_COLUMNS.index("a_man")] = inhabitants + 5
    rows[2][KWB_COLUMNS.index("a_vrouw")] = 0
    import_file(con, write_kwb_csv(tmp_path / "kwb-2024.csv", rows))
    assert con.execute("select value from raw_cbs__kerncijfers where region_code = ? and stem = ?",
                       [rows[2][0], "Mannen"]).fetchone() == (inhabitants + 5,)
