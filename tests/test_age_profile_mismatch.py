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


def _mismatch_lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if "passen niet bij elkaar" in line]


@pytest.mark.parametrize("order", ["kwb first", "03759ned first"])
def test_import_cbs_says_it_right_after_the_file_that_makes_them_disagree(tmp_path, capsys, order):
    from data_sources import cli

    kwb = write_kwb_xlsx(tmp_path / "kwb-2024.xlsx", kwb_rows(ZWOLLE))
    ages = _ages_03759ned(tmp_path / "03759ned_UntypedDataSet_05122026_120000.csv", "GM0193", 1000)
    db = tmp_path / "k.duckdb"
    first, second = (kwb, ages) if order == "kwb first" else (ages, kwb)
    assert cli.main(["import-cbs", str(first), "--db", str(db)]) == 0
    assert _mismatch_lines(capsys.readouterr().out) == []  # one table alone: nothing to compare
    assert cli.main(["import-cbs", str(second), "--db", str(db)]) == 0
    [line] = _mismatch_lines(capsys.readouterr().out)
    assert line.startswith("Let op: De twee CBS-tabellen van deze schatting passen niet bij elkaar.")
    assert "Zwolle" in line and "15.000" in line and "7.660" in line and "96 % meer" in line
    assert "**" not in line  # plain text on a terminal
    assert "python -m data_sources import-cbs BESTAND --vervang" in line


def test_import_cbs_says_nothing_when_they_agree(tmp_path, capsys):
    from data_sources import cli

    db = tmp_path / "k.duckdb"
    for path in (write_kwb_xlsx(tmp_path / "kwb-2024.xlsx", kwb_rows(ZWOLLE)),
                 _ages_03759ned(tmp_path / "03759ned_UntypedDataSet_05122026_120000.csv", "GM0193", 510)):
        assert cli.main(["import-cbs", str(path), "--db", str(db)]) == 0
    assert _mismatch_lines(capsys.readouterr().out) == []


@pytest.mark.parametrize("ages, per_age, rows, said", [
    # 03759ned without the school ages: named after the import as on Overzicht
    (range(4), 510, None, "er ontbreken 4 tot en met 11 jaar"),
    # no gemeente row: 7.650 in the three wijken against 15 x 520 = 7.800 is within 2 % (153),
    # 15 x 521 = 7.815 is not: the notes find the gemeenten to ask all at once, and must not drop
    # one the warning itself would give
    (range(15), 521, "without", "de som van de 3 wijken"),
    (range(15), 520, "without", None),
])
def test_import_cbs_names_every_warning_overzicht_gives(tmp_path, capsys, ages, per_age, rows, said):
    from data_sources import cli

    db = tmp_path / "k.duckdb"
    kwb = write_kwb_xlsx(tmp_path / "kwb-2024.xlsx",
                         _without_the_gemeente_row() if rows == "without" else kwb_rows(ZWOLLE))
    for path in (kwb, _ages_03759ned(tmp_path / "03759ned_UntypedDataSet_05122026_120000.csv",
                                     "GM0193", per_age, ages)):
        assert cli.main(["import-cbs", str(path), "--db", str(db)]) == 0
    out = capsys.readouterr().out
    if said is None:
        assert "03759ned (" not in out and _mismatch_lines(out) == []
    else:
        assert said in out, out


def test_gemeente_laden_says_it_after_reading_the_file(tmp_path, monkeypatch):
    path = app_db_with_files(tmp_path, monkeypatch, write_kwb_xlsx(tmp_path / "kwb-2024.xlsx", kwb_rows(ZWOLLE)))
    add_account(path, "analist", "analist")
    ages = _ages_03759ned(tmp_path / "03759ned_UntypedDataSet_05122026_120000.csv", "GM0193", 1000)
    at = run_page("gemeente_laden", 120, account=ANALIST, params={"gemeente": "GM0193", "jaar": "2024"})
    at.file_uploader(key="laden_bestand").set_value((ages.name, ages.read_bytes(), "text/csv"))
    at.run()
    next(b for b in at.button if b.label == "Bestand inlezen").click()
    at.run(timeout=120)
    assert not at.exception, at.exception
    assert any(str(s.value).startswith(ages.name) for s in at.success), shown_text(at)
    [warning] = [str(w.value) for w in at.warning if "passen niet bij elkaar" in str(w.value)]
    assert "15.000" in warning and "7.660" in warning and "96 % meer" in warning
    assert "**" not in warning


def _recorded_cbs_with_age_14(tmp_path, monkeypatch, children_of_14: int):
    """The recorded CBS responses (tests/fixtures/cbs) served from a copy whose 03759ned also has
    age 14 for Utrecht in 2024 (the recording stops at 13): `children_of_14` of them."""
    import importlib.util
    import json
    import shutil
    from pathlib import Path

    fixtures = Path(__file__).parent / "fixtures" / "cbs"
    copy = shutil.copytree(fixtures, tmp_path / "cbs", ignore=shutil.ignore_patterns("downloads"))
    typed = copy / "odata_v3" / "03759ned" / "TypedDataSet.json"
    rows = json.loads(typed.read_text(encoding="utf-8"))
    rows.append({**next(r for r in rows if r["RegioS"].strip() == "GM0344" and r["Perioden"] == "2024JJ00"),
                 "ID": len(rows), "Leeftijd": "11400", "BevolkingOp1Januari_1": children_of_14})
    typed.write_text(json.dumps(rows), encoding="utf-8")
    spec = importlib.util.spec_from_file_location("cbs_fixture_server_copy", copy / "server.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.HERE = copy
    server = module.CbsServer()
    endpoints = server.endpoints()
    monkeypatch.setenv("KINDKAART_CBS_V3_URL", endpoints.cbs_v3)
    monkeypatch.setenv("KINDKAART_CBS_V3_FEED_URL", endpoints.cbs_v3_feed)
    monkeypatch.setenv("KINDKAART_CBS_V4_URL", endpoints.cbs_v4)
    monkeypatch.setenv("KINDKAART_PDOK_WFS_URL", endpoints.pdok_wfs)
    return server


@pytest.mark.parametrize("children_of_14, warned", [(10000, True), (1800, False)])
def test_load_cbs_says_it_after_fetching_tables_that_disagree(tmp_path, monkeypatch, capsys, children_of_14, warned):
    from data_sources import cli

    # Utrecht's recorded 0-13 year olds in 2024: 20.390; its kwb a_00_14: 22.210
    with _recorded_cbs_with_age_14(tmp_path, monkeypatch, children_of_14):
        assert cli.main(["load-cbs", "--gemeente", "GM0344", "--jaar", "2024", "--db", str(tmp_path / "k.duckdb"),
                         "--cache", str(tmp_path / "cache")]) == 0
    lines = _mismatch_lines(capsys.readouterr().out)
    assert bool(lines) is warned
    if warned:
        [line] = lines
        assert line.startswith("Let op: De twee CBS-tabellen")
        assert "Utrecht" in line and "30.390" in line and "22.210" in line and "opgehaald bij CBS" in line


@pytest.mark.parametrize("per_age, warned", [(1000, True), (510, False)])
def test_databronnen_says_it_beside_the_loads(tmp_path, monkeypatch, per_age, warned):
    at = _overzicht(tmp_path, monkeypatch, per_age=per_age)
    on_overzicht = _warnings(at)
    at.switch_page("pages/databronnen.py")
    at.run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Databronnen Zwolle 2024"
    assert bool(on_overzicht) is warned
    assert _warnings(at) == on_overzicht  # the same words as Overzicht


def test_many_gemeenten_that_disagree_get_one_note_naming_them(tmp_path, capsys):
    # a national 03759ned of the wrong selection: one note, not a screen of them
    from data_sources import cli

    gemeenten = [("GM0014", "Groningen"), ("GM0193", "Zwolle"), ("GM0344", "Utrecht"), ("GM0363", "Amsterdam")]
    rows = []
    for code, name in gemeenten:
        wijken = [(f"WK{code[2:]}{number:02d}", f"Wijk {number}", 5000, 800) for number in range(3)]
        rows += kwb_rows((code, name), wijken)[0 if not rows else 1:]  # one row of Nederland
    kwb = write_kwb_xlsx(tmp_path / "kwb-2024.xlsx", rows)
    ages = tmp_path / "03759ned_UntypedDataSet_05122026_120000.csv"
    lines = ['"ID";"Geslacht";"Leeftijd";"BurgerlijkeStaat";"RegioS";"Perioden";'
             '"BevolkingOp1Januari_1";"GemiddeldeBevolking_2"']
    for code, _ in gemeenten:
        for age in range(15):
            lines.append(f'"{len(lines)}";"T001038";"{10010 if age == 0 else 10000 + age * 100}";"T001019";'
                         f'"{code}";"2024JJ00";"1000";"1000.0"')
    ages.write_text("\ufeff" + "\r\n".join(lines) + "\r\n", encoding="utf-8")
    db = tmp_path / "k.duckdb"
    assert cli.main(["import-cbs", str(kwb), "--db", str(db)]) == 0
    capsys.readouterr()
    assert cli.main(["import-cbs", str(ages), "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert _mismatch_lines(out) == []  # not four paragraphs
    [line] = [line for line in out.splitlines() if "passen de twee CBS-tabellen" in line]
    assert line.startswith("Let op: Voor 4 gemeenten passen de twee CBS-tabellen van de schatting per wijk")
    assert "Groningen (2024), Zwolle (2024), Utrecht (2024), Amsterdam (2024)." in line
    assert "meer dan 2 % af" in line


def test_gemeente_laden_says_it_after_fetching_tables_that_disagree(app_db, tmp_path, monkeypatch):
    add_account(app_db, "analist", "analist")
    with _recorded_cbs_with_age_14(tmp_path, monkeypatch, 10000):
        at = run_page("gemeente_laden", 120, account=ANALIST)
        at.selectbox(key="laden_gemeente").set_value("GM0344")
        at.multiselect(key="laden_jaren").set_value([2024])
        at.run()
        next(b for b in at.button if b.label == "Laden").click()
        at.run(timeout=120)
    assert not at.exception, at.exception
    assert any("Utrecht (GM0344) is geladen" in str(s.value) for s in at.success), shown_text(at)
    [warning] = [str(w.value) for w in at.warning if "passen niet bij elkaar" in str(w.value)]
    assert "30.390" in warning and "22.210" in warning and "opgehaald bij CBS" in warning
