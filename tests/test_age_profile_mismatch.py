"""The route 'CBS 03759ned × kwb' spreads the gemeente's children per age (03759ned) over the
wijken by their share of the 0-15 year olds (kwb a_00_14). Both count the same children on the
same 1 January, so their gemeente totals agree; a 03759ned of another gemeente (before a
herindeling) or of part of the children made every wijk twice as large without a word."""

from __future__ import annotations

import pytest
from conftest import add_account, app_db_with_files, run_page, shown_text
from kwb_files import ZWOLLE_WIJKEN, kwb_rows, write_kwb_xlsx

from data_sources.accounts import Account

ANALIST = Account("analist", "analist", None)
ZWOLLE = ("GM0193", "Zwolle")
# Zwolle's 0-15 year olds in the kwb file: 7.650 in its wijken, 7.660 for the gemeente
KWB_GEMEENTE = 7660


def _ages_03759ned(path, gemeente_code: str, per_age: int, ages=range(15)):
    """03759ned as StatLine's 'CSV met codes': `per_age` children of every age in `ages` in 2024."""
    lines = ['"ID";"Geslacht";"Leeftijd";"BurgerlijkeStaat";"RegioS";"Perioden";'
             '"BevolkingOp1Januari_1";"GemiddeldeBevolking_2"']
    for age in ages:
        lines.append(f'"{len(lines)}";"T001038";"{10010 if age == 0 else 10000 + age * 100}";"T001019";'
                     f'"{gemeente_code}";"2024JJ00";"{per_age:>8}";"{per_age:>8}.0"')
    path.write_text("\ufeff" + "\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


def _overzicht(tmp_path, monkeypatch, per_age: int, ages=range(15), rows=None):
    kwb = write_kwb_xlsx(tmp_path / "kwb-2024.xlsx", rows or kwb_rows(ZWOLLE))
    ages_file = _ages_03759ned(tmp_path / "03759ned_UntypedDataSet_05122026_120000.csv", "GM0193", per_age, ages)
    path = app_db_with_files(tmp_path, monkeypatch, kwb, ages_file)
    add_account(path, "analist", "analist")
    at = run_page(None, 120, account=ANALIST, params={"gemeente": "GM0193", "jaar": "2024"})
    assert not at.exception, at.exception
    return at


def _warnings(at) -> list[str]:
    return [w.value for w in at.warning if "03759ned" in w.value]


def test_a_03759ned_twice_the_kwb_children_is_named_on_overzicht(tmp_path, monkeypatch):
    # 1.000 children of every age: 15.000 of 0-14, where the kwb has 7.660 (a 03759ned of a
    # larger gemeente, or a herindeling)
    at = _overzicht(tmp_path, monkeypatch, per_age=1000)
    assert "CBS 03759ned × kwb" in shown_text(at)  # the route in question
    [warning] = _warnings(at)
    assert "15.000" in warning and "7.660" in warning  # both totals
    assert "03759ned" in warning and "a_00_14" in warning and "kwb-2024.xlsx" in warning  # both sources
    assert "2024" in warning
    assert "96 % meer" in warning  # 15.000 / 7.660 = 1,958
    assert "herindeling" in warning and "Totaal mannen en vrouwen" in warning  # what to check
    assert "elke wijk 96 % te hoog" in warning  # what it means for the figures below


def test_a_03759ned_of_half_the_children_is_named_too(tmp_path, monkeypatch):
    at = _overzicht(tmp_path, monkeypatch, per_age=250)  # 3.750: only the boys, say
    [warning] = _warnings(at)
    assert "3.750" in warning and "7.660" in warning and "51 % minder" in warning


@pytest.mark.parametrize("per_age", [510, 518])
def test_totals_within_two_percent_say_nothing(tmp_path, monkeypatch, per_age):
    # 7.650 and 7.770 beside 7.660: 0,1 % and 1,4 %, what revisions and rounding can explain
    at = _overzicht(tmp_path, monkeypatch, per_age=per_age)
    assert "CBS 03759ned × kwb" in shown_text(at)
    assert _warnings(at) == []


def test_a_03759ned_without_the_school_ages_is_named(tmp_path, monkeypatch):
    # only ages 0-3 downloaded: the group 4-12 summed no age and every wijk had too few children
    at = _overzicht(tmp_path, monkeypatch, per_age=510, ages=range(4))
    [warning] = _warnings(at)
    assert "er ontbreken 4 tot en met 11 jaar" in warning and "Leeftijd 0 jaar tot en met 14 jaar" in warning


def test_a_03759ned_of_the_ages_0_to_11_says_nothing(tmp_path, monkeypatch):
    # every age of the age groups is there; without 12-14 there is no total to compare
    at = _overzicht(tmp_path, monkeypatch, per_age=510, ages=range(12))
    assert "CBS 03759ned × kwb" in shown_text(at)
    assert _warnings(at) == []


def _without_the_gemeente_row(wijken=ZWOLLE_WIJKEN[:3]) -> list[list]:
    # a StatLine selection of only the wijken: no row of the gemeente itself (recs 'Gemeente')
    return [row for row in kwb_rows(ZWOLLE, wijken) if row[4] != "Gemeente"]


def test_without_the_gemeente_row_the_sum_of_the_wijken_is_compared_and_said_so(tmp_path, monkeypatch):
    # 450 + 1.200 + 6.000 = 7.650 children of 0-15 in the three wijken, no figure of the gemeente
    at = _overzicht(tmp_path, monkeypatch, per_age=1000, rows=_without_the_gemeente_row())
    assert "CBS 03759ned × kwb" in shown_text(at)
    [warning] = _warnings(at)
    assert "15.000" in warning and "7.650" in warning and "96 % meer" in warning
    assert "de som van de 3 wijken: het bestand heeft geen cijfer van de gemeente zelf" in warning
    assert "elke wijk 96 % te hoog" in warning


@pytest.mark.parametrize("per_age", [510, 511])
def test_without_the_gemeente_row_rounding_of_the_wijken_says_nothing(tmp_path, monkeypatch, per_age):
    # 7.650 and 7.665 beside the wijken's 7.650: what rounding each wijk to fives can explain
    at = _overzicht(tmp_path, monkeypatch, per_age=per_age, rows=_without_the_gemeente_row())
    assert "CBS 03759ned × kwb" in shown_text(at)
    assert _warnings(at) == []


@pytest.mark.parametrize("per_age, warned", [(1000, True), (510, False)])
def test_the_workbook_the_report_and_the_slide_say_it_as_overzicht_does(tmp_path, monkeypatch, per_age, warned):
    import duckdb

    from outputs import exports, report

    at = _overzicht(tmp_path, monkeypatch, per_age=per_age)
    on_overzicht = _warnings(at)
    assert bool(on_overzicht) is warned
    slide = run_page("presentatie", 120, account=ANALIST,
                     params={"gemeente": "GM0193", "jaar": "2024", "dia": "kerncijfers"})
    assert not slide.exception, slide.exception
    # the same words everywhere, up to where to load it (the slide leaves out the command line)
    said = [text.split(" Laad het juiste bestand")[0] for text in on_overzicht]
    assert [text.split(" Laad het juiste bestand")[0] for text in _warnings(slide)] == said
    con = duckdb.connect(str(tmp_path / "kindkaart.duckdb"), read_only=True)
    try:
        sheet = next(s for s in exports.build_sheets(con, "GM0193", 2024) if s.title == "Kinderen per wijk")
        html = report.gemeente_report(con, "GM0193", 2024)
    finally:
        con.close()
    in_workbook = [note.split(" Laad het juiste bestand")[0] for note in sheet.notes if "03759ned" in note
                   and "Let op" in note]
    assert in_workbook == said
    assert [text for text in said if text.replace("'", "&#x27;") in html] == said
    assert ("15.000" in html and "7.660" in html) is warned
