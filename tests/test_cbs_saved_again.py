"""CBS CSV downloads as users have them after Excel or an editor saved them again: a separator
after every data row, an empty header cell at the end, a ';' in a name without quotes, thousands
separators; read the same as the download, or refused naming file, row and column."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from conftest import run_page_as_analist as run_page

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


def excel_saved(fixture: str, decimal: str, thousands: str) -> list[str]:
    """A StatLine CSV as Excel saves it again: figures with the decimal mark and thousands
    separator of the computer ('120.750', '10,1' in Dutch), unpadded."""
    rows = list(csv.reader(lines_of(fixture), delimiter=";"))
    text_columns = {i for i, title in enumerate(rows[0])
                    if any(word in title for word in ("Codering", "WijkenEnBuurten", "ID", "naam",
                                                      "Wijken en buurten", "SoortRegio"))}

    def figure(value: str) -> str:
        whole, point, fraction = value.strip().partition(".")
        if not whole.isdigit():
            return value.strip()
        return f"{int(whole):,}".replace(",", thousands) + (decimal + fraction if point else "")

    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(rows[0])
    for row in rows[1:]:
        writer.writerow([v.strip() if i in text_columns else figure(v) for i, v in enumerate(row)])
    return out.getvalue().splitlines()


@pytest.mark.parametrize(("decimal", "thousands"), [(",", "."), (".", ",")])
def test_thousands_separators_in_a_statline_csv_are_read_by_its_decimal_mark(
        con, tmp_path, decimal, thousands):
    """The keys download has decimals (10.1 %): they tell which mark is which. Before: '120.750'
    inhabitants were stored as 120.75, '120,750' as 120.75 too."""
    plain = stored(con, write(_fresh(tmp_path, "85984NED_2024.csv"), lines_of("statline_85984NED.csv")))
    con.execute("delete from raw_cbs__kerncijfers")
    lines = excel_saved("statline_85984NED.csv", decimal, thousands)
    assert f"120{thousands}750" in lines[2]
    assert stored(con, write(tmp_path / "85984NED_2024.csv", lines)) == plain
    assert (("GM0344", "AantalInwoners", 120750.0) in plain
            and ("GM0344", "PercentageJongerenMetJeugdzorg", 10.1) in plain)


def test_thousands_separators_without_decimals_are_refused_naming_row_and_column(con, tmp_path):
    """The titles download has no decimals: '120.750' may be 120,750 inhabitants or 120.75."""
    path = write(tmp_path / "Kerncijfers_wijken_en_buurten_2024.csv",
                 excel_saved("statline_titels_kwb_2024.csv", ",", "."))
    with pytest.raises(InputRefused) as refused:
        import_file(con, path, gemeenten=["GM0344"])
    assert refused.value.messages[0] == (
        "Bestand Kerncijfers_wijken_en_buurten_2024.csv, rij 2, kolom 'Bevolking/Aantal inwoners "
        "(aantal)': '120.750' is dubbelzinnig: uit het bestand blijkt niet of '.' hier "
        "duizendtallen scheidt of het decimaalteken is; sla het bestand op zonder scheidingstekens "
        "voor duizendtallen.")
    assert refused.value.messages[-1] == "Er is niets opgeslagen."
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


def _upload(at, name: str, data: bytes):
    at.file_uploader(key="laden_bestand").set_value((name, data, "text/csv"))
    at.run()
    next(b for b in at.button if b.label == "Bestand inlezen").click()
    at.run()


def test_gemeente_laden_reads_an_excel_saved_csv_and_refuses_an_unclear_one(app_db, analist):
    lines = lines_of("statline_titels_kwb_2024.csv")
    at = run_page("gemeente_laden")
    _upload(at, "Kerncijfers_wijken_en_buurten_2024.csv",
            ("\r\n".join([lines[0], *(line + ";" for line in lines[1:])]) + "\r\n").encode("utf-8-sig"))
    assert not at.exception
    assert at.success, [e.value for e in [*at.error, *at.warning]]
    at = run_page("gemeente_laden")
    _upload(at, "Kerncijfers_wijken_en_buurten_2025.csv",
            "\n".join(excel_saved("statline_titels_kwb_2024.csv", ",", ".")).encode("utf-8-sig"))
    assert not at.exception
    errors = [str(e.value) for e in at.error]
    assert errors[0] == "Kerncijfers_wijken_en_buurten_2025.csv is niet ingelezen; er is niets opgeslagen."
    assert "rij 2, kolom 'Bevolking/Aantal inwoners (aantal)': '120.750' is dubbelzinnig" in errors[1]
    import duckdb

    with duckdb.connect(str(app_db)) as connection:
        assert connection.execute("select count(*) from loads where file_name like 'Kerncijfers%'"
                                  ).fetchall() == [(1,)]
