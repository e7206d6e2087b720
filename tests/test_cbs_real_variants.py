"""CBS files in the variants real downloads come in (older kwb years, rows of titles, the long
observations of the new CBS open data), each built small in the test in its real layout."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest
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
