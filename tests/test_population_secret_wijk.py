"""A wijk whose 0-15 year olds CBS keeps secret ('.' in a_00_14) stays unknown: its children are
never spread over the other wijken. With the kwb's row of the gemeente the wijken's shares were
taken of the gemeente's total; a StatLine selection of only the wijken has no such row, and the
route 'CBS 03759ned × kwb' then spread the whole of 03759ned over the known wijken, the secret
wijk's children included (7.320 children of 0-12 in three wijken where the gemeente row gave
6.120)."""

from __future__ import annotations

import re

import duckdb
import pytest
from conftest import add_account, app_db_with_files, run_page
from kwb_files import KWB_COLUMNS, kwb_rows, write_kwb_xlsx
from test_population_estimates import _cells, _shown_everywhere

from data_sources.accounts import Account

ANALIST = Account("analist", "analist", None)
ZWOLLE = ("GM0193", "Zwolle")
# Three known wijken (7.650 children of 0-15) and one whose children CBS keeps secret; the
# gemeente's own row counts 9.150: 1.500 in the secret wijk (CBS publishes the gemeente's total)
WIJKEN = [("WK019310", "Wijk 10 Binnenstad", 7115, 450), ("WK019311", "Wijk 11 Diezerpoort", 8200, 1200),
          ("WK019322", "Wijk 22 Stadshagen", 26020, 6000), ("WK019352", "Wijk 52 Soestweteringlanden", 9000, ".")]
KNOWN = {"Wijk 10 Binnenstad": 450, "Wijk 11 Diezerpoort": 1200, "Wijk 22 Stadshagen": 6000}
GEMEENTE_YOUNG = 9150
PER_AGE = 610  # 03759ned: 610 children of every age 0-14, 9.150 in all, as the kwb's gemeente row


def _ages_03759ned(path, per_age: int = PER_AGE, ages=range(15)):
    """03759ned as StatLine's 'CSV met codes': `per_age` children of every age in `ages`, Zwolle 2024."""
    lines = ['"ID";"Geslacht";"Leeftijd";"BurgerlijkeStaat";"RegioS";"Perioden";'
             '"BevolkingOp1Januari_1";"GemiddeldeBevolking_2"']
    for age in ages:
        lines.append(f'"{len(lines)}";"T001038";"{10010 if age == 0 else 10000 + age * 100}";"T001019";'
                     f'"GM0193";"2024JJ00";"{per_age:>8}";"{per_age:>8}.0"')
    path.write_text("\ufeff" + "\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


def _kwb(gemeente_row: bool, wijken=WIJKEN, gemeente_young=GEMEENTE_YOUNG) -> list[list]:
    rows = kwb_rows(ZWOLLE, wijken, gemeente_young=gemeente_young)
    # a StatLine selection of only the wijken: no row of the gemeente itself (recs 'Gemeente')
    return rows if gemeente_row else [row for row in rows if row[4] != "Gemeente"]


def _db(tmp_path, monkeypatch, kwb: list[list], ages=range(15), per_age: int = PER_AGE):
    tmp_path.mkdir(parents=True, exist_ok=True)
    files = (write_kwb_xlsx(tmp_path / "kwb-2024.xlsx", kwb),
             _ages_03759ned(tmp_path / "03759ned_UntypedDataSet_05122026_120000.csv", per_age, ages))
    path = app_db_with_files(tmp_path, monkeypatch, *files)
    add_account(path, "analist", "analist")
    return path


def _children(path) -> dict[str, dict[str, float]]:
    """wijk name -> age group -> children in population_by_wijk_age (the model's input)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        found = con.execute("select wijk_name, age_group, children, population_source from population_by_wijk_age "
                            "where gemeente_code = 'GM0193' and year = 2024").fetchall()
    finally:
        con.close()
    assert {source for *_, source in found} == {"cbs-schatting"}
    children: dict[str, dict[str, float]] = {}
    for name, age_group, count, _ in found:
        children.setdefault(name, {})[age_group] = count
    return children


def _overzicht(path) -> tuple[list[list[str]], list[str], list[str]]:
    """Overzicht of Zwolle 2024: its table of children per wijk, key figures and warnings."""
    at = run_page(None, 120, account=ANALIST, params={"gemeente": "GM0193", "jaar": "2024"})
    assert not at.exception, at.exception
    table = _cells(next(m.value for m in at.markdown
                        if "<table" in m.value and "Kinderen per wijk en leeftijdsgroep" in m.value))
    [figures] = [re.findall(r"<dt[^>]*>(.*?)</dt><dd[^>]*>(.*?)</dd>", m.value) for m in at.markdown
                 if "<dl" in m.value]
    return table, [f"{label} {value}" for label, value in figures], [str(w.value) for w in at.warning]


def test_without_the_gemeente_row_the_known_wijken_get_what_they_get_with_it(tmp_path, monkeypatch):
    with_row = _children(_db(tmp_path / "with", monkeypatch, _kwb(gemeente_row=True)))
    without_row = _children(_db(tmp_path / "without", monkeypatch, _kwb(gemeente_row=False)))
    assert set(without_row) == set(KNOWN)  # the secret wijk has no estimate
    # each wijk its own 0-15 year olds' share of the gemeente's 9.150: 12 of its 15 ages are 0-11
    for name, young in KNOWN.items():
        assert sum(with_row[name].values()) == pytest.approx(young / GEMEENTE_YOUNG * 12 * PER_AGE)
        for age_group, count in with_row[name].items():
            assert without_row[name][age_group] == pytest.approx(count)
    # the 1.500 children of the secret wijk are in no known wijk: 7.320 was what they got before
    assert sum(sum(groups.values()) for groups in without_row.values()) == pytest.approx(6120)


def test_overzicht_says_the_same_with_and_without_the_gemeente_row(tmp_path, monkeypatch):
    table_with, figures_with, warnings_with = _overzicht(_db(tmp_path / "with", monkeypatch, _kwb(True)))
    table_without, figures_without, warnings_without = _overzicht(_db(tmp_path / "without", monkeypatch,
                                                                      _kwb(False)))
    assert table_without == table_with
    assert figures_without == figures_with
    assert "Kinderen 0-12 jaar 6.120" in figures_without
    assert warnings_without == warnings_with
    [unknown] = [text for text in warnings_without if "Aantal kinderen onbekend" in text]
    assert "Wijk 52 Soestweteringlanden (WK019352)" in unknown
    assert "niet over de andere wijken verdeeld" in unknown
    secret_row = next(row for row in table_without if row[0] == "WK019352")
    assert "onbekend (CBS geheim)" in secret_row


@pytest.mark.parametrize("age_group", ["4-12"])
def test_without_the_gemeente_row_every_page_shows_the_same_figures(tmp_path, monkeypatch, age_group):
    path = _db(tmp_path, monkeypatch, _kwb(gemeente_row=False))
    shown = _shown_everywhere(path, "GM0193", 2024, age_group, ANALIST)
    # Stadshagen: 6.000 / 9.150 of the 8 ages 4-11 of 610 children each
    assert shown["Overzicht"]["Wijk 22 Stadshagen"] == "3.200"
    known = {name: text for name, text in shown["Overzicht"].items() if name in KNOWN}
    for where, texts in shown.items():
        assert {name: text for name, text in texts.items() if name in KNOWN} == known, where
        # the secret wijk has no figure anywhere ('onbekend (CBS geheim)', on the map too, with
        # the note under it; Continuüm leaves it out and names it)
        assert not any(c.isdigit() for c in texts.get("Wijk 52 Soestweteringlanden", "")), where


def test_without_the_gemeente_row_and_ages_12_to_14_the_secret_wijk_inhabitants_bound_it(tmp_path, monkeypatch):
    # 03759ned of the ages 0-11 only: no total of the 0-15 year olds to take the shares of. The
    # secret wijk has at most all its 9.000 inhabitants as children, so every known wijk gets at
    # most its share of 7.650 + 9.000 (conservative), never of 7.650 alone
    children = _children(_db(tmp_path, monkeypatch, _kwb(gemeente_row=False), ages=range(12)))
    for name, young in KNOWN.items():
        assert sum(children[name].values()) == pytest.approx(young / (7650 + 9000) * 12 * PER_AGE)


def test_without_any_bound_each_wijk_spreads_only_its_own_children(tmp_path, monkeypatch):
    # no gemeente row, no ages 12-14 and the secret wijk's inhabitants secret too: no share of the
    # gemeente's children can be taken; each known wijk's own 0-15 year olds are spread over the
    # ages (the next route), so none of them gets the secret wijk's children
    rows = _kwb(gemeente_row=False)
    inhabitants = KWB_COLUMNS.index("a_inw")
    for row in rows:
        if row[0].endswith("019352") or row[0].endswith("01935200"):
            row[inhabitants] = "."
    path = _db(tmp_path, monkeypatch, rows, ages=range(12))
    con = duckdb.connect(str(path), read_only=True)
    try:
        found = con.execute("select wijk_name, sum(children), any_value(population_source) "
                            "from population_by_wijk_age group by all").fetchall()
    finally:
        con.close()
    assert {name: (count, source) for name, count, source in found} == {
        name: (pytest.approx(young * 12 / 15), "kwb-gelijk-verdeeld") for name, young in KNOWN.items()}
    # and Overzicht says why the gemeente's 03759ned, loaded, is not used
    at = run_page(None, 120, account=ANALIST, params={"gemeente": "GM0193", "jaar": "2024"})
    assert not at.exception, at.exception
    [note] = [c.value for c in at.caption if c.value.startswith("Schatting: ")]
    assert ("(of zonder de leeftijden 12 tot en met 14 jaar geladen, terwijl de kwb geen cijfer van de "
            "gemeente zelf heeft en CBS de kinderen van een wijk geheimhoudt)") in note


@pytest.mark.parametrize("gemeente_row", [True, False])
def test_children_without_a_known_wijk_go_to_no_wijk_beside_a_secret_one(tmp_path, monkeypatch, gemeente_row):
    # the gemeente's 9.750 children of 0-15 (its kwb row and 03759ned's 15 ages of 650): 7.650 in
    # the known wijken, the rest in the secret wijk or without a known wijk (CBS counts those in
    # the gemeente only). Which is which is not known: no known wijk gets any of them
    path = _db(tmp_path, monkeypatch, _kwb(gemeente_row, gemeente_young=9750), per_age=650)
    children = _children(path)
    assert set(children) == set(KNOWN)
    for name, young in KNOWN.items():
        for age_group, ages in (("0-2", 2), ("2-4", 2), ("4-12", 8)):
            assert children[name][age_group] == pytest.approx(young / 9750 * ages * 650)


@pytest.mark.parametrize("per_age, warned", [(250, True), (510, False), (1000, False)])
def test_without_the_gemeente_row_fewer_children_in_03759ned_than_in_the_known_wijken_is_named(
        tmp_path, monkeypatch, per_age, warned):
    # the known wijken's 7.650 children miss the secret wijk's: 03759ned may count more (15.000:
    # nothing to say), not fewer (3.750: the boys alone, say)
    path = _db(tmp_path, monkeypatch, _kwb(gemeente_row=False), per_age=per_age)
    _, _, warnings = _overzicht(path)
    mismatch = [text for text in warnings if "passen niet bij elkaar" in text]
    assert bool(mismatch) is warned
    if warned:
        [warning] = mismatch
        assert "3.750" in warning and "7.650" in warning and "51 % minder" in warning
        assert "de som van de 3 bekende wijken" in warning and "CBS houdt de kinderen van 1 wijk geheim" in warning
        assert "De kinderen per wijk tellen op tot 03759ned" in warning and "elke wijk 51 % te laag" in warning
        # and so they do: 3.750 children of 0-14 in 03759ned, 12 * 250 of 0-11 over the known wijken
        assert sum(sum(groups.values()) for groups in _children(path).values()) == pytest.approx(12 * 250)


def test_with_the_gemeente_row_and_a_secret_wijk_the_warning_does_not_say_the_wijken_add_up(tmp_path, monkeypatch):
    # 03759ned of 15.000 beside the gemeente's 9.150: each wijk's share is of 9.150, so the wijken
    # hold 7.650 / 9.150 of 03759ned, not all of it
    _, _, warnings = _overzicht(_db(tmp_path, monkeypatch, _kwb(gemeente_row=True), per_age=1000))
    [warning] = [text for text in warnings if "passen niet bij elkaar" in text]
    assert "15.000" in warning and "9.150" in warning and "64 % meer" in warning
    assert "tellen op tot 03759ned" not in warning
    assert "verdeeld naar het aandeel van elke wijk in het totaal van de gemeente in de kwb" in warning
