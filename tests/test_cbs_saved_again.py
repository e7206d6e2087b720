"""CBS CSV downloads as users have them after Excel or an editor saved them again: a separator
after every data row, an empty header cell at the end, a ';' in a name without quotes, thousands
separators; read the same as the download, or refused naming file, row and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from data_sources.cli import main
from data_sources.errors import InputRefused
from data_sources.jobs import import_cbs_file as import_file

FIXTURES = Path(__file__).parent / "fixtures" / "cbs"
# the StatLine CSV with titles, the one with keys, and the kwb download as CSV (all of Utrecht)
DOWNLOADS = {"statline_titels_kwb_2024.csv": "Kerncijfers_wijken_en_buurten_2024.csv",
             "statline_85984NED.csv": "85984NED_2024.csv", "kwb-2024.csv": "kwb-2024.csv"}
STORED = ("select region_code, stem, value from raw_cbs__kerncijfers where region_code like '%0344%'"
          " order by all")


def lines_of(fixture: str) -> list[str]:
    return (FIXTURES / fixture).read_bytes().decode("utf-8-sig").splitlines()


def write(path: Path, lines: list[str]) -> Path:
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8-sig"))
    return path


def stored(con, path: Path) -> list[tuple]:
    import_file(con, path, gemeenten=["GM0344"])
    return con.execute(STORED).fetchall()


@pytest.fixture(params=list(DOWNLOADS))
def download(request, con, tmp_path):
    """(fixture name, name of the download, its lines, what the download as CBS gives it stores)"""
    fixture = request.param
    expected = stored(con, write(_fresh(tmp_path, DOWNLOADS[fixture]), lines_of(fixture)))
    con.execute("delete from raw_cbs__kerncijfers")
    assert expected
    return fixture, DOWNLOADS[fixture], lines_of(fixture), expected


def _fresh(tmp_path: Path, name: str) -> Path:
    folder = tmp_path / "cbs"
    folder.mkdir(exist_ok=True)
    return folder / name


def test_a_separator_after_every_data_row_is_no_column(con, tmp_path, download):
    """Before: the data rows were taken for the header (one field wider) and the file refused as
    'geen kolom met regiocodes'."""
    _, name, lines, expected = download
    path = write(tmp_path / name, [lines[0], *(line + ";" for line in lines[1:])])
    assert stored(con, path) == expected


def test_an_empty_header_cell_after_the_last_column_is_no_column(con, tmp_path, download):
    """Before: every data row was refused as cut short ('rij 2 heeft 6 velden waar de kopregel er
    7 heeft; het bestand is afgebroken')."""
    _, name, lines, expected = download
    path = write(tmp_path / name, [lines[0] + ";", *lines[1:]])
    assert stored(con, path) == expected


def test_a_semicolon_in_a_name_without_quotes_is_refused_naming_the_row(con, tmp_path):
    """Before: that row (one field wider) was taken for the header and the next one refused as cut
    short, naming the wrong row and cause."""
    lines = lines_of("statline_titels_kwb_2024.csv")
    lines[2] = lines[2].replace('"Binnenstad"', "Binnen; stad")
    path = write(tmp_path / "Kerncijfers_wijken_en_buurten_2024.csv", lines)
    with pytest.raises(InputRefused) as refused:
        import_file(con, path, gemeenten=["GM0344"])
    assert refused.value.messages == [
        "Bestand Kerncijfers_wijken_en_buurten_2024.csv: rij 3 heeft 7 gevulde velden waar de "
        "kopregel er 6 heeft (in kolom 7, na de laatste kolom, staat '95'); mogelijk staat een ';' "
        "in een naam zonder aanhalingstekens eromheen, zodat elke waarde erna een kolom opschuift. "
        "Er is niets opgeslagen; download het bestand opnieuw of zet die naam tussen "
        "aanhalingstekens."]
    assert con.execute("select count(*) from loads").fetchone() == (0,)


def test_the_command_line_reads_a_separator_after_every_row(tmp_path, capsys):
    lines = lines_of("statline_titels_kwb_2024.csv")
    path = write(tmp_path / "Kerncijfers_wijken_en_buurten_2024.csv",
                 [lines[0], *(line + ";" for line in lines[1:])])
    database = str(tmp_path / "k.duckdb")
    assert main(["import-cbs", str(path), "--db", database, "--gemeente", "GM0344"]) == 0
    lines[2] = lines[2].replace('"Binnenstad"', "Binnen; stad")
    assert main(["import-cbs", str(write(path, lines)), "--db", database]) == 1
    out = capsys.readouterr().out
    assert "Kerncijfers_wijken_en_buurten_2024.csv: rij 3 heeft 7 gevulde velden" in out
    assert "Traceback" not in out
