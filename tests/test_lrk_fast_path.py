"""The LRK reader's fast path (_plainly_valid) never passes a row the checks row by row
(_row_faults) would refuse or note: exports of many varied rows, valid ones and ones with each
fault the checks know, as CSV and as a workbook, read for real; every row the fast path calls
plainly valid is then gone through by the checks, which must find nothing in it, and the rows it
leaves to them are those they refuse or note."""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import random

import pytest

from benchmarks.readers import LRK_HEADER
from data_sources import lrk
from data_sources.errors import InputRefused

# Per column of LRK_HEADER, values as exports and copies hold them: the register's own, those the
# reader mends before the checks ('1234 ab', '48,00', 'Kinderdagverblijf') and faults.
LRK_IDS = ["100000000001", "", " ", "'", "'100000000002", "938.831.367", "938831367,00",
           "x12", "12 34", "１２３"]
TYPES = ["KDV", "BSO", "VGO", "GOB", "PSZ", "kdv", " bso ", "Kinderdagverblijf",
         "Buitenschoolse opvang", "Gastouderbureau", "Gastouderopvang", "Kinderdagverblijf (KDV)",
         "", "XYZ", "K-D-V", "ＫＤＶ", "KDV\x07", "KD\u00a0V", "Peuteropvang"]
PLACES = ["48", "0", "0048", "9999", "10000", "10001", "99999", "123456", "", " ", "48,00",
          "48.0", "48.00", "1.200", "1,200", "1 200", "1.200,00", "4,5", "4.5", "-5", "+48",
          "4²", "٤٨", "４８", "abc", "1e3", "48\x01", "4\u200b8", "n.v.t."]
STATUSES = ["Ingeschreven", "Uitgeschreven", "", "ingeschreven", "Actief", "Afgemeld"]
REGISTERED_ON = ["01-01-2015", "", "2015-01-01", "1-3-12", "5/1/2008", "01-01-2030",
                 "43221", "1 mrt 2012"]
DEREGISTERED_ON = ["", "01-01-2020", "01-01-2030", "2020-06-30", "31-12-2024"]
POSTCODES = ["1234 AB", "1234AB", "1234ab", "1234\u00a0AB", " 1234 AB ", "", "0123AB",
             "1234 A", "12345AB", "1234-AB", "1234 ÅB", "１２３４AB", "1234AB\x07", "AB1234",
             "1234 AB 5"]
COLUMNS = [LRK_IDS, TYPES, ["De Boomhut"], PLACES, STATUSES, REGISTERED_ON, DEREGISTERED_ON,
           POSTCODES, ["Zwolle"]]
VALID = ["100000000001", "KDV", "De Boomhut", "48", "Ingeschreven", "01-01-2015", "", "1234 AB",
         "Zwolle"]


def _varied_rows(count: int, seed: int) -> list[list[str]]:
    """Each value of each column on an otherwise valid row, for every type, and `count` rows of
    values drawn at random from all columns at once."""
    rows = []
    for column, values in enumerate(COLUMNS):
        for value, kind in itertools.product(values, ["KDV", "GOB", "VGO", "BSO"]):
            row = [*VALID]
            row[1] = kind
            row[column] = value
            rows.append(row)
    draw = random.Random(seed)
    rows += [[draw.choice(values) for values in COLUMNS] for _ in range(count)]
    # a number of its own per row: a repeated one is a question of its own, after the checks
    for number, row in enumerate(rows):
        if row[0] == VALID[0]:
            row[0] = str(100_000_000_000 + number)
    return rows


def _checked(monkeypatch, path, year):
    """Read the export for real, keeping what the fast path was given and what it said; then per
    row of it, what the checks row by row find: (fast path's verdict, faults, without places)."""
    seen = []
    plainly_valid = lrk._plainly_valid

    def watched(frame, ambiguous_places):
        verdict = plainly_valid(frame, ambiguous_places)
        seen.append((frame.copy(), dict(ambiguous_places), verdict.copy()))
        return verdict

    monkeypatch.setattr(lrk, "_plainly_valid", watched)
    try:
        lrk.read_lrk_export(path, year)
    except InputRefused:
        pass  # the faults refuse the file; the rows were checked before that
    assert len(seen) == 1, "the export was refused before its rows were checked"
    frame, ambiguous_places, verdict = seen[0]
    columns = {field: field for field in lrk.COLUMN_ALIASES}
    found = []
    for position in range(len(frame)):
        row = frame.iloc[[position]]
        errors, without_places = lrk._row_faults(row, columns, ambiguous_places, path.name)
        found.append((bool(verdict.iloc[position]), errors, without_places, row.iloc[0].to_dict()))
    return found


def _assert_agree(found):
    passed = [(errors, without, row) for valid, errors, without, row in found if valid]
    wrongly = [(errors, without, row) for errors, without, row in passed if errors or without]
    assert not wrongly, f"{len(wrongly)} row(s) called plainly valid that the checks refuse: {wrongly[:3]}"
    # and the other way: a row the checks pass goes by the fast path, but for MAX_PLACES itself
    # (its pattern counts digits); each row more through the checks slows a national export
    unsure = [row for valid, errors, without, row in found if not (valid or errors or without)]
    assert all(row["places"] == str(lrk.MAX_PLACES) for row in unsure), unsure[:3]
    # both kinds of row are there, or the comparison says nothing
    assert len(passed) > 50
    assert sum(1 for _, errors, without, _ in found if errors or without) > 100


def _write_csv(path, rows, sep):
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=sep, lineterminator="\r\n")
        writer.writerows([LRK_HEADER, *rows])
    return path


@pytest.mark.parametrize("sep", [";", ","])
@pytest.mark.parametrize("year", [2024, None])
def test_the_fast_path_passes_no_row_the_checks_refuse_in_a_csv(monkeypatch, tmp_path, sep, year):
    path = _write_csv(tmp_path / "lrk_2024.csv", _varied_rows(1500, seed=len(sep) + (year or 0)), sep)
    _assert_agree(_checked(monkeypatch, path, year))


def test_the_fast_path_passes_no_row_the_checks_refuse_with_an_unknown_status(monkeypatch, tmp_path):
    """An unknown status refuses the file before its dates are read: the rows are checked all the
    same, counted by their status alone."""
    rows = _varied_rows(800, seed=7)
    rows[5][4] = "In behandeling"
    path = _write_csv(tmp_path / "lrk_2024.csv", rows, ";")
    _assert_agree(_checked(monkeypatch, path, 2024))


def test_the_fast_path_passes_no_row_the_checks_refuse_in_a_workbook(monkeypatch, tmp_path):
    """A workbook's cells are numbers and dates as typed: 48, 48.0, 1200.5, a date cell."""
    import openpyxl

    numbers = [48, 48.0, 0, 9999, 10000, 10001, 1200.5, -5, 4.5, True, 1e12]
    dates = [dt.datetime(2015, 1, 1), dt.datetime(1900, 1, 5), dt.datetime(2030, 1, 1)]
    draw = random.Random(11)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(LRK_HEADER)
    for row in _varied_rows(600, seed=11):
        cells: list[object] = [value.replace("\x07", "").replace("\x01", "") for value in row]
        if draw.random() < 0.4:
            cells[3] = draw.choice(numbers)
        if draw.random() < 0.3:
            cells[5] = draw.choice(dates)
        if draw.random() < 0.2:
            cells[6] = draw.choice(dates)
        if draw.random() < 0.1:
            cells[0] = draw.randrange(10**11, 10**12)
        sheet.append(cells)
    path = tmp_path / "lrk_2024.xlsx"
    book.save(path)
    _assert_agree(_checked(monkeypatch, path, 2024))
