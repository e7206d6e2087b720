"""The privacy review of session 38, as an outsider (README "Privacy"): attacks the earlier reviews
did not try, on Voorbeeldstad with a BRP whose 0-2 and 2-4 year olds of Kerkebuurt and
Buitengebied are small (test_privacy_hidden_cells.BRP_SMALL), read from what the CLI exports (the
workbook, its csv, the gemeente report and the wijk factsheet). Each test assembles what a user
can see and tries to solve for a hidden cell."""

from __future__ import annotations

import csv
import io
import itertools
import re
import subprocess
import sys

import numpy as np
import openpyxl
import pytest
from conftest import ROOT
from test_privacy_hidden_cells import BRP_SMALL, _with_brp

from data_sources.config import min_count
from transforms.privacy import bounds_from_margins, choice_caps, hidden_label, protect_cube

KERKEBUURT, BUITENGEBIED = "WK999906", "WK999907"
AGES = ("0-2", "2-4", "4-12")


@pytest.fixture(scope="module")
def exported(sample_db, tmp_path_factory) -> dict[str, object]:
    """The sample with small BRP cells, exported as workbook, csv, report and Kerkebuurt's factsheet."""
    db = _with_brp(sample_db, tmp_path_factory.mktemp("redteam38") / "brp", BRP_SMALL["before"])
    out = db.parent
    files = {"xlsx": [], "csv": [], "html": [], "factsheet.html": ["--wijk", KERKEBUURT]}
    for name, extra in files.items():
        subprocess.run([sys.executable, "-m", "data_sources", "export", "--db", str(db),
                        "-o", str(out / f"export.{name}"), *extra], check=True, capture_output=True, cwd=ROOT)
    return {"workbook": openpyxl.load_workbook(out / "export.xlsx"),
            "csv": (out / "export.csv").read_text(encoding="utf-8-sig"),
            "report": _text((out / "export.html").read_text(encoding="utf-8")),
            "factsheet": _text((out / "export.factsheet.html").read_text(encoding="utf-8"))}


def _text(html: str) -> str:
    html = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _rows(workbook, sheet: str) -> list[tuple]:
    return [row for row in workbook[sheet].iter_rows(values_only=True) if any(v is not None for v in row)]


def _age(label: str) -> str:
    return label.split(" ")[0]


def _children_by_wijk(workbook) -> dict[tuple[str, str], object]:
    header, *rows = _rows(workbook, "Kinderen per wijk")
    return {(row[0], _age(str(column))): value for row in rows
            for column, value in zip(header[2:6], row[2:6], strict=True)}


def test_the_brp_cells_are_hidden_as_the_attacks_assume(exported):
    cells = _children_by_wijk(exported["workbook"])
    for wijk in (KERKEBUURT, BUITENGEBIED):
        assert cells[(wijk, "0-2")] == cells[(wijk, "2-4")] == hidden_label()
        assert isinstance(cells[(wijk, "4-12")], int)


def test_the_csv_and_the_workbook_show_the_same_cells(exported):
    # Attack: the csv is written apart from the workbook; a figure rounded or protected differently
    # in one (or a total the other hides) adds an equation to the table's lines.
    workbook = _rows(exported["workbook"], "Kinderen per wijk")
    reader = list(csv.reader(io.StringIO(exported["csv"]), delimiter=";"))
    assert len(reader) == len(workbook)
    for from_csv, from_book in zip(reader, workbook, strict=True):
        as_text = ["" if v is None else str(v) for v in from_book]
        assert from_csv == as_text


def test_the_years_table_adds_no_equation_to_the_wijk_table(exported):
    # Attack: 'Kinderen per jaar' gives the gemeente's children of 2024 per age group; where the
    # wijk table hides its total row, that row would close the columns of the hidden cells.
    book = exported["workbook"]
    header, *rows = _rows(book, "Kinderen per wijk")
    total_row = next(row for row in rows if row[0] == "Totaal")
    year_header, *years = _rows(book, "Kinderen per jaar")
    this_year = next(row for row in years if row[0] == 2024)
    assert [_age(str(c)) for c in year_header[2:6]] == [_age(str(c)) for c in header[2:6]]
    assert list(this_year[2:6]) == list(total_row[2:6])
    assert hidden_label() in this_year  # the attack had something to find


def test_the_niveau_partition_gives_no_hidden_population_back(exported):
    # Attack: the niveaus partition the children (DESIGN): niveau 1-3 of a wijk and age group add
    # up to its children times the public share that uses or seeks childcare, the same in every
    # wijk, so where the BRP cell is hidden no such estimate may be shown (in the workbook, the
    # report or the factsheet), or the cell follows by dividing.
    book = exported["workbook"]
    cells = _children_by_wijk(book)
    demand = {}
    for row in _rows(book, "Vraag per wijk en niveau")[1:]:
        if row[3] in (1, 2, 3):
            demand.setdefault((row[0], _age(row[2])), []).append(0.5 if row[7] == "<1" else row[7])
    shares = {}
    for key, value in cells.items():
        if key[0] == "Totaal" or key[1] == "Totaal":
            continue
        if value == hidden_label():
            assert key not in demand, key
        elif value >= 100:
            shares.setdefault(key[1], []).append(sum(demand[key]) / value)
    for age in AGES:  # where the cells are shown the division works: one share per age group
        assert max(shares[age]) - min(shares[age]) < 0.03 * np.median(shares[age]), (age, shares[age])
    gaps = {(row[0], _age(row[2])) for row in _rows(book, "Tekort per wijk en niveau")[1:]}
    hidden = {key for key, value in cells.items() if value == hidden_label()}
    assert not hidden & gaps
    for text in (exported["report"], exported["factsheet"]):
        assert "Geen schatting voor Kerkebuurt" in text or "Geen schatting" in text


def test_the_factsheet_hides_what_the_report_hides(exported):
    # Attack: the factsheet of one wijk is made on its own; a figure of Kerkebuurt it shows that
    # the report hides (or the reverse) is a second view of the same cell.
    report, factsheet = exported["report"], exported["factsheet"]
    kerncijfers = re.search(r"Kerncijfers (.*?) Bron:", factsheet).group(1)
    shown = dict((label, value) for value, label in
                 re.findall(r"(afgeschermd|[\d.]+) Kinderen (\d+-\d+) jaar", kerncijfers))
    row = re.search(r"WK999906 Kerkebuurt (\S+) (\S+) (\S+) (\S+) BRP", report).groups()
    assert [shown["0-2"], shown["2-4"], shown["4-12"], shown["0-12"]] == list(row)


def test_the_maps_legend_is_drawn_from_shown_wijken_only(exported):
    # Attack: the legend's class bounds are wijk figures; a bound computed with a hidden wijk total
    # (the lowest class starting at Buitengebied's hidden total) would print it.
    shown = {int(v.replace(".", "")) for v in
             re.findall(r"\b(?:Centrum|Oude Haven|Molenwijk|Nieuwland|De Horst|Vlietzoom|Bloemhof|"
                        r"Zuiderpark): ([\d.]+)", exported["report"])}
    for text in (exported["report"], exported["factsheet"]):
        legend = re.search(r"per wijk, 2024 (?:\(omrand: \w+\) )?(.*?) afgeschermd of onbekend", text).group(1)
        bounds = [int(v.replace(".", "")) for v in re.findall(r"[\d.]+", legend)]
        assert bounds and all(b in shown or b - 1 in shown for b in bounds), (legend, shown)


def test_the_report_orders_wijken_not_by_a_hidden_figure(exported):
    # Attack: a ranking puts a hidden wijk between two shown ones and so bounds its figure. The
    # report lists wijken in a fixed order (by code), so a hidden one's place says nothing.
    table = re.search(r"Wijkcode Wijk 0-2 2-4 4-12 Totaa?l?(.*?)Totaal", exported["report"]).group(1)
    codes = re.findall(r"WK\d{6}", table)
    assert codes == sorted(codes) and KERKEBUURT in codes


def test_no_export_shows_a_figure_per_100_children(exported):
    # Attack: a rate with one decimal times its base (the children shown elsewhere) gives back its
    # count; the exports show no rate (README "minimale basis"), so the attack has nothing to read.
    book = exported["workbook"]
    for sheet in book.sheetnames:
        for row in book[sheet].iter_rows(values_only=True):
            assert not any(isinstance(v, str) and "per 100" in v and re.search(r"\d,\d", v) for v in row)
    for text in (exported["report"], exported["factsheet"]):
        assert not re.search(r"\d+,\d per 100", text)


def _pattern_attack(cells: list[int]) -> dict[int, set[int]]:
    """An attacker who knows the rule runs protect_cube on every line that shows what the room
    sees (the same visible cells and total, every hidden cell at least 1) and keeps those that
    give the same pattern: the values each hidden cell can hold."""
    counts, hidden = protect_cube(np.array([cells], dtype=float))
    positions = np.flatnonzero(hidden[:-1])
    hidden_sum = int(counts[-1] - counts[:-1][~hidden[:-1]].sum())
    possible = {int(i): set() for i in positions}
    for values in itertools.product(range(1, hidden_sum + 1), repeat=len(positions) - 1):
        if hidden_sum - sum(values) < 1:
            continue
        trial = counts[:-1].copy()
        trial[positions] = [*values, hidden_sum - sum(values)]
        if (protect_cube(trial[np.newaxis])[1] == hidden).all():
            for i in positions:
                possible[int(i)].add(int(trial[i]))
    return possible


@pytest.mark.parametrize("cells", [[4, 20, 21], [4, 6, 7], [4, 20, 21, 60]])
def test_the_choice_of_the_second_hidden_cell_tells_nothing_of_the_small_one(cells):
    # Attack: README says the second hidden cell is "the smallest other cell". In the line
    # 4, 20, 21 with total 45 the room saw 21 and 45: the two hidden cells add up to 24, one is
    # 1..4 and the other, chosen as the smallest, is at most 21 (else 21 had been chosen), so
    # the small one was 3 or 4, where the promise is "1 to the threshold". The audit now counts
    # that bound (privacy.choice_caps) and hides 21 as well.
    assert min_count() == 5
    counts, hidden = protect_cube(np.array([cells], dtype=float))
    caps = choice_caps(counts, hidden, min_count())
    low, _ = bounds_from_margins(counts, hidden, high=caps)
    assert low[0] <= 1, f"de kleine cel is minstens {low[0]:.0f}"
    # and the attacker who tries every line that gives what the room sees finds 1 to the threshold
    possible = _pattern_attack(cells)[0]
    assert 1 in possible and min_count() - 1 in possible, sorted(possible)
