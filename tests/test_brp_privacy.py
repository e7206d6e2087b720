"""The gemeente's own BRP population (registration bevolking) under attack, after the fourth
privacy review: a BRP that covers only some wijken of a year, rates per 100 children over a
hidden BRP cell, and two BRP uploads of the same year."""

from __future__ import annotations

import io
import json
import re
from html import unescape
from pathlib import Path

import duckdb
import numpy as np
import openpyxl
import pytest
from conftest import ROOT, add_account, run_page

from data_sources import jobs, store
from data_sources.accounts import Account
from data_sources.cli import main
from transforms.population import POPULATION_SQL, PUBLISHED_SQL, UNKNOWN_SQL, protect_population
from transforms.privacy import bounds_from_margins, suppress_array, unsafe_bounds

BRP_BOOK = ROOT / "sample_data" / "registrations" / "bevolking.xlsx"
VVE_BOOK = ROOT / "sample_data" / "registrations" / "vve-indicaties.xlsx"
GEMEENTE = "Gemeente Voorbeeldstad"
GGD = "GGD Voorbeeldregio (JGZ)"
BUITENGEBIED, OUDE_HAVEN, CENTRUM = "WK999907", "WK999902", "WK999901"


def brp_workbook(children: dict[tuple[str, int], int] | None = None, *, period: str = "2024",
                 leave_out: tuple[str, ...] = (), only: tuple[str, ...] | None = None,
                 shift: dict[tuple[str, int], int] | None = None) -> bytes:
    """The sample's BRP extract (per buurt and age) with: `children` a wijk's children of one age
    (all in its first buurt, its other buurten 0); `shift` children added to a wijk's age (its
    first buurt); the wijken of `leave_out` left out, or `only` those wijken; for `period`."""
    book = openpyxl.load_workbook(BRP_BOOK)
    sheet = book["Gegevens"]
    rows = [list(row) for row in sheet.iter_rows(min_row=2, values_only=True) if row[0]]
    seen: set[tuple[str, int]] = set()
    kept = []
    for code, age, count in rows:
        wijk = "WK" + str(code)[2:8]
        if wijk in leave_out or (only is not None and wijk not in only):
            continue
        key = (wijk, int(age))
        if children and key in children:
            count = 0 if key in seen else children[key]
        elif shift and key in shift and key not in seen:
            count += shift[key]
        seen.add(key)
        kept.append([code, age, count])
    sheet.delete_rows(2, sheet.max_row)
    for row in kept:
        sheet.append(row)
    for row in book["Organisatie"].iter_rows(min_row=2):
        if row[0].value == "periode":
            row[1].value = period
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def import_brp(db: Path, data: bytes, period: str = "2024") -> None:
    con = store.connect(db)
    try:
        jobs.import_registration(con, data, "bevolking", GEMEENTE, period, "brp.xlsx")
    finally:
        con.close()


def shown_table(db: Path, year: int = 2024):
    """The table as every view protects it: beside the pattern the build published."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return protect_population(con.execute(POPULATION_SQL, ["GM9999", year]).fetchall(),
                                  con.execute(UNKNOWN_SQL, ["GM9999", year]).fetchall(),
                                  published=con.execute(PUBLISHED_SQL, ["GM9999", year]).fetchall())
    finally:
        con.close()


def hidden_in_the_model(db: Path, year: int = 2024) -> set[tuple[str, str]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return set(con.execute("select wijk_code, age_group from population_protection_by_wijk"
                               " where year = ? and cell_hidden", [year]).fetchall())
    finally:
        con.close()


def html_table_row(at, caption: str, name: str) -> list[str]:
    """The cells after `name` in the page's HTML table whose text holds `caption`."""
    table = next(m.value for m in at.markdown if "<table" in m.value and caption in m.value)
    cells = [unescape(c).strip() for c in re.sub(r"<[^>]+>", "|", table).split("|")]
    cells = [c for c in cells if c]
    return cells[cells.index(name) + 1:cells.index(name) + 5]


# --- HIGH 1: a BRP for some wijken only ----------------------------------------------------------

def _mixed_rows():
    """Nine counted wijken (one with 2, 3 and 64 children) and one CBS-estimated wijk."""
    rows = []
    for i in range(9):
        counts = (2, 3, 64) if i == 6 else (40 + 3 * i, 50 + 2 * i, 200 + 5 * i)
        rows += [(f"WK0{i}", f"W{i}", group, n, False, "brp")
                 for group, n in zip(("0-2", "2-4", "4-12"), counts, strict=True)]
    rows += [("WK09", "Geschat", group, n, True, "cbs-schatting")
             for group, n in (("0-2", 30.4), ("2-4", 33.2), ("4-12", 150.7))]
    return rows


def test_a_brp_for_some_wijken_hides_its_small_counts_and_leaves_the_estimates_rounded():
    """Review 4, HIGH 1 (unit): one estimated wijk made the whole table an estimate, so 2 and 3
    BRP children were shown. Now a count is protected as a count, an estimate as an estimate."""
    table = protect_population(_mixed_rows())
    small = table.wijk_codes.index("WK06")
    assert table.hidden[small, 0] and table.hidden[small, 1]
    assert table.text(small, 0) == table.text(small, 1) == "afgeschermd"
    estimated = table.wijk_codes.index("WK09")
    assert not table.hidden[estimated].any()
    assert [table.text(estimated, c) for c in range(4)] == ["30", "33", "150", "215"]
    # counted wijken keep their exact counts where shown (not rounded to fives)
    shown = [(table.text(r, 2), 200 + 5 * r) for r in range(9) if r != small and not table.hidden[r, 2]]
    assert shown and all(text == str(count) for text, count in shown)


def test_the_estimates_are_known_to_an_attacker_and_never_stand_in_for_a_hidden_count():
    """An estimate follows from public CBS figures: subtracted from every total, what is left is
    the counted table, and in it every hidden count must still be safe (as in a table of counts
    alone). No estimate is chosen as the second hidden cell of a line."""
    rows = _mixed_rows()
    table = protect_population(rows)
    n = len(table.wijk_codes)
    counted = np.zeros((n, 3))
    for code, _, group, children, is_estimate, _ in rows:
        if not is_estimate:
            counted[table.wijk_codes.index(code), ("0-2", "2-4", "4-12").index(group)] += children
    counts, alone = suppress_array(counted)
    assert (table.hidden == alone).all()
    low, high = bounds_from_margins(counts, table.hidden)
    assert not unsafe_bounds(counts, table.hidden, low, high, 5).any()


@pytest.fixture
def partial_brp(app_db):
    """The sample with a 2024 BRP for 9 of its 10 wijken (Centrum stays a CBS estimate),
    Buitengebied 0-2 = 2 and 2-4 = 3 (the reviewer's attack_partial_wijken.py)."""
    import_brp(app_db, brp_workbook({(BUITENGEBIED, 0): 1, (BUITENGEBIED, 1): 1,
                                     (BUITENGEBIED, 2): 1, (BUITENGEBIED, 3): 2},
                                    leave_out=(CENTRUM,)))
    return app_db


def test_a_partial_brp_is_hidden_on_every_page_export_and_in_the_model(partial_brp, tmp_path):
    """Review 4, HIGH 1: Overzicht (partner and LEA), the csv, the workbook, the report and the
    wijk factsheet showed Buitengebied as 2 | 3 | 64 | 69, and the model computed on it."""
    db = partial_brp
    table = shown_table(db)
    row = table.wijk_codes.index(BUITENGEBIED)
    assert table.wijk_sources[row] == "brp" and table.wijk_sources[table.wijk_codes.index(CENTRUM)] != "brp"
    assert table.hidden[row, 0] and table.hidden[row, 1]
    assert {(BUITENGEBIED, "0-2"), (BUITENGEBIED, "2-4")} <= hidden_in_the_model(db)
    # the national map protects each gemeente with the same function
    from ui.data import release
    from ui.population import national_indicator_frame

    try:
        for column in ("0-2", "2-4"):
            national = national_indicator_frame(2024, column).set_index("wijk_code")
            assert national.loc[BUITENGEBIED, "hidden"]
            assert national["hidden"].tolist() == table.hidden[:-1, ("0-2", "2-4").index(column)].tolist()
    finally:
        release()
    csv = tmp_path / "kinderen.csv"
    assert main(["export", "-o", str(csv), "--db", str(db)]) == 0
    line = next(x for x in csv.read_text(encoding="utf-8-sig").splitlines() if BUITENGEBIED in x)
    assert line.split(";")[2:4] == ["afgeschermd", "afgeschermd"], line
    factsheet = tmp_path / "buitengebied.html"
    assert main(["export", "-o", str(factsheet), "--wijk", BUITENGEBIED, "--db", str(db)]) == 0
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", factsheet.read_text(encoding="utf-8")))
    assert "2 Kinderen 0-2" not in text and "3 Kinderen 2-4" not in text
    assert "afgeschermd Kinderen 0-2" in text
    workbook = tmp_path / "kindkaart.xlsx"
    assert main(["export", "-o", str(workbook), "--db", str(db)]) == 0
    sheet = openpyxl.load_workbook(workbook)["Kinderen per wijk"]
    cells = next(r for r in sheet.iter_rows(values_only=True) if BUITENGEBIED in r)
    assert list(cells[2:4]) == ["afgeschermd", "afgeschermd"], cells
    for login, role, organisation in (("ggd", "partner", GGD), ("lea", "lea", None)):
        add_account(db, login, role, organisation)
        at = run_page("overzicht", account=Account(login, role, organisation))
        assert not at.exception, at.exception
        shown = html_table_row(at, "Kinderen per wijk", "Buitengebied")
        assert shown[:2] == ["afgeschermd", "afgeschermd"], (role, shown)


def test_a_brp_for_one_wijk_of_a_year_is_hidden(app_db, tmp_path):
    """Review 4, HIGH 1 (attack_partial_year.py): a 2023 BRP for Buitengebied only, in a year
    whose other wijken are CBS estimates; the csv of 2023 showed 2;1;3;6."""
    import_brp(app_db, brp_workbook({(BUITENGEBIED, 0): 1, (BUITENGEBIED, 1): 1, (BUITENGEBIED, 2): 1,
                                     (BUITENGEBIED, 3): 0, (BUITENGEBIED, 4): 2, (BUITENGEBIED, 7): 1,
                                     **{(BUITENGEBIED, age): 0 for age in (5, 6, 8, 9, 10, 11, 12)}},
                                    period="2023", only=(BUITENGEBIED,)), period="2023")
    table = shown_table(app_db, 2023)
    row = table.wijk_codes.index(BUITENGEBIED)
    assert table.hidden[row, :3].all()
    assert {(BUITENGEBIED, g) for g in ("0-2", "2-4", "4-12")} <= hidden_in_the_model(app_db, 2023)
    csv = tmp_path / "kinderen-2023.csv"
    assert main(["export", "-o", str(csv), "--jaar", "2023", "--db", str(app_db)]) == 0
    line = next(x for x in csv.read_text(encoding="utf-8-sig").splitlines() if BUITENGEBIED in x)
    assert line.split(";")[2:5] == ["afgeschermd"] * 3, line


# --- HIGH 2 and MEDIUM 3: rates per 100 children over a hidden BRP cell ----------------------

# Buitengebied 0-2 = 2 and 2-4 = 8 (hidden, with Oude Haven 0-2 and 2-4 as second cells), or
# 4 and 6 with 2 of Oude Haven's children moved from age 0 to age 2: the same visible cells and
# margins, different hidden cells (the reviewer's diff_hidden.py)
HIDDEN_A = {(BUITENGEBIED, 0): 1, (BUITENGEBIED, 1): 1, (BUITENGEBIED, 2): 4, (BUITENGEBIED, 3): 4}
HIDDEN_B = {(BUITENGEBIED, 0): 2, (BUITENGEBIED, 1): 2, (BUITENGEBIED, 2): 3, (BUITENGEBIED, 3): 3}
SHIFT_B = {(OUDE_HAVEN, 0): -2, (OUDE_HAVEN, 2): 2}


def padded_vve() -> bytes:
    """The GGD's own vve file plus 10 peuters 'sociaal-emotioneel' in every wijk (a partner that
    pads its own counts, review 4 HIGH 2): every wijk's vve count is then visible."""
    book = openpyxl.load_workbook(VVE_BOOK)
    for row in book["Gegevens"].iter_rows(min_row=2):
        if row[2].value == "sociaal-emotioneel":
            row[3].value += 10
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def rate_db(source: Path, folder: Path, hidden: dict, shift: dict | None = None) -> Path:
    import shutil

    folder.mkdir()
    db = folder / "kindkaart.duckdb"
    shutil.copy(source, db)
    # the two worlds compared differ only inside hidden cells: in each this extract is the first
    # BRP of 2024 (without it, each would be a correction of the sample's own BRP, protected
    # beside the sample's pattern, and B's shifted Oude Haven cells are shown in that pattern)
    con = store.connect(db)
    try:
        con.execute("delete from published_population_patterns where gemeente_code = 'GM9999'")
    finally:
        con.close()
    import_brp(db, brp_workbook(hidden, shift=shift))
    con = store.connect(db)
    try:
        jobs.import_registration(con, padded_vve(), "vve-indicaties", GGD, "2024", "vve.xlsx")
    finally:
        con.close()
    return db


def rate_views(db: Path, monkeypatch) -> dict:
    """Every rate per 100 children the pages, slides and exports take from ui.continuum: per
    signal kind and age group (Continuüm, wijkprofiel, Tekorten) and per signal type (Kaart,
    Trends, slides), with what is hidden."""
    from ui import continuum
    from ui.data import clear_caches, release

    monkeypatch.setenv("KINDKAART_DB", str(db))
    clear_caches()
    try:
        signals = continuum.signals("GM9999", 2024)
        shares = continuum.contributions("GM9999", 2024)
        views = {}
        for (signal_kind, group), part in signals.groupby(["signal_kind", "age_group"]):
            signal_type = part["signal_type"].iloc[0]
            protected = continuum.protected_signal(part, signals[signals["signal_type"] == signal_type],
                                                   shares)
            views[signal_kind, group] = protected[[c for c in (
                "wijk_code", "hidden", "children_count", "rate_hidden", "rate_per_100", "ratio_to_gemeente",
                "gemeente_hidden", "gemeente_rate_hidden", "gemeente_rate_per_100") if c in protected]
            ].round(9).fillna(-1).to_dict("records")
        for signal_type, whole in signals.groupby("signal_type"):
            totals = continuum.protected_signal_totals(whole, shares)
            views[signal_type] = totals[[c for c in ("wijk_code", "hidden", "children_count", "rate_hidden",
                                                     "rate_per_100") if c in totals]
                                        ].round(9).fillna(-1).to_dict("records")
        return views
    finally:
        release()
        clear_caches()


@pytest.fixture(scope="module")
def rate_dbs(sample_db, tmp_path_factory):
    folder = tmp_path_factory.mktemp("brp-rates")
    return (rate_db(sample_db, folder / "a", HIDDEN_A),
            rate_db(sample_db, folder / "b", HIDDEN_B, SHIFT_B))


def test_no_rate_per_100_tells_two_hidden_brp_cells_apart(rate_dbs, monkeypatch):
    """Review 4, HIGH 2 and MEDIUM 3: 'per 100 kinderen' divided by the BRP count also where
    Overzicht hides it, so count / rate gave a hidden cell back (a padding partner pinned
    Buitengebied 2-4 = 8 and Oude Haven 2-4 = 51 from the Kaart). Two databases that differ only
    inside hidden BRP cells now show the same rates, per wijk and for the gemeente, everywhere
    the pages read them; and no rate is shown where the population cell is hidden."""
    a, b = rate_dbs
    table_a, table_b = shown_table(a), shown_table(b)
    assert (table_a.hidden == table_b.hidden).all()  # the same hiding pattern ...
    assert [table_a.text(r, c) for r in range(11) for c in range(4)] == [
        table_b.text(r, c) for r in range(11) for c in range(4)]  # ... and visible cells
    row = table_a.wijk_codes.index(BUITENGEBIED)
    assert table_a.hidden[row, 1] and table_a.hidden[table_a.wijk_codes.index(OUDE_HAVEN), 1]
    views_a, views_b = rate_views(a, monkeypatch), rate_views(b, monkeypatch)
    assert views_a == views_b
    # the padded vve counts are visible, their rates are not
    counted = 0
    for (kind, group), rows in ((key, rows) for key, rows in views_a.items() if isinstance(key, tuple)):
        for r in rows:
            # (CBS jeugdzorg is CBS's own percentage of young people, not over the BRP)
            if (r["wijk_code"] in (BUITENGEBIED, OUDE_HAVEN) and group in ("0-2", "2-4", "alle")
                    and kind != "cbs_jeugdzorg"):
                assert r["rate_hidden"] and r["rate_per_100"] == r["ratio_to_gemeente"] == -1, (kind, r)
                counted += not r["hidden"]
    assert counted >= 2  # visible counts (the padding) beside hidden rates
    vve = {r["wijk_code"]: r for r in views_a["vve_sociaal_emotioneel", "2-4"]}
    visible = [r for r in vve.values()
               if r["wijk_code"] not in (BUITENGEBIED, OUDE_HAVEN) and not r["hidden"]]
    assert visible and all(not r["rate_hidden"] and r["rate_per_100"] > 0 for r in visible)
    for wijk in (BUITENGEBIED, OUDE_HAVEN):
        assert {r["wijk_code"]: r for r in views_a["vve_indicaties"]}[wijk]["rate_hidden"]
    con = duckdb.connect(str(a), read_only=True)
    try:
        leaks = con.execute(
            "select count(*) from signals_by_wijk as s join population_protection_by_wijk as h"
            " using (gemeente_code, year, wijk_code, age_group)"
            " where h.cell_hidden and (s.rate_per_100 is not null or s.ratio_to_gemeente is not null"
            " or s.population_children is not null)").fetchone()[0]
        used = con.execute(
            "select count(*) from signals_used_by_wijk where used_in_index and wijk_code in (?, ?)"
            " and year = 2024 and age_group in ('0-2', '2-4', 'alle') and signal_type <> 'cbs_jeugdzorg'",
            [BUITENGEBIED, OUDE_HAVEN]).fetchone()[0]
    finally:
        con.close()
    assert leaks == 0 and used == 0


def test_the_pages_show_no_rate_over_a_hidden_brp_cell(rate_dbs, monkeypatch):
    """The reviewer's pages: the Kaart's vve indicator per 100 as the padding partner (released
    to partners), and Continuüm's 'De signalen per wijk' as analist (count and rate side by
    side): Buitengebied's and Oude Haven's peuters are hidden on Overzicht, so are their rates."""
    import shutil

    from data_sources import accounts

    db = rate_dbs[0].parent / "pages.duckdb"
    shutil.copy(rate_dbs[0], db)
    monkeypatch.setenv("KINDKAART_DB", str(db))
    con = store.connect(db)
    try:
        accounts.set_released(con, "GM9999", "vve_per_100", "partner", True, "beheerder")
    finally:
        con.close()
    add_account(db, "ggd", "partner", GGD)
    add_account(db, "analist", "analist")
    at = run_page("kaart", account=Account("ggd", "partner", GGD))
    at.selectbox(key="_indicator_choice").set_value("vve_taal_spraak_per_100").run()
    assert not at.exception, at.exception
    for name in ("Buitengebied", "Oude Haven"):
        assert html_table_row(at, "Vve-indicaties taal/spraak per 100", name)[0] == "afgeschermd", name
    assert html_table_row(at, "Vve-indicaties taal/spraak per 100", "Centrum")[0] != "afgeschermd"
    at = run_page("continuum", account=Account("analist", "analist", None))
    assert not at.exception, at.exception
    # the signals expander: a title '**Kind** (2-4 jaar); gemeente: ...' above each table
    titles = [m.value for m in at.markdown if re.match(r"\*\*.+\*\* \(.+\); gemeente: ", m.value)]
    frames = [d.value for d in at.dataframe if any(str(c).startswith("Per 100") for c in d.value.columns)]
    assert len(titles) == len(frames) > 10
    checked = 0
    for title, frame in zip(titles, frames, strict=True):
        if "2-4" not in title and "peuters" not in title:
            continue
        rate = next(c for c in frame.columns if str(c).startswith("Per 100"))
        for wijk, shown in zip(frame["Wijk"], frame[rate], strict=True):
            if wijk in ("Buitengebied", "Oude Haven"):
                assert shown in ("", "afgeschermd"), (title, wijk, shown)
                checked += 1
    assert checked >= 6


def test_the_wijkprofiel_shows_no_rate_over_a_hidden_brp_cell(rate_dbs, monkeypatch):
    """Review 4, HIGH 2: the wijkprofiel's 'Signalen van partners' showed Buitengebied's vve
    rates per 100 peuters over its hidden BRP count."""
    import shutil

    db = rate_dbs[0].parent / "profiel.duckdb"
    shutil.copy(rate_dbs[0], db)
    monkeypatch.setenv("KINDKAART_DB", str(db))
    add_account(db, "analist", "analist")
    at = run_page("kaart", account=Account("analist", "analist", None))
    at.selectbox(key="_profiel_wijk_choice").set_value(BUITENGEBIED).run()
    assert not at.exception, at.exception
    lines = [line for m in at.markdown for line in m.value.splitlines()
             if line.startswith("- ") and "per 100" in line or line.startswith("- ") and "; gemeente" in line]
    vve = [line for line in lines if line.startswith("- vve")]
    assert len(vve) == 3, lines
    assert all(line.split(";")[0].endswith("afgeschermd") for line in vve), vve



def test_no_gemeente_rate_or_share_over_a_hidden_gemeente_total(app_db):
    """A gemeente total of an age group that Overzicht hides (here 0-2: 2 children in one wijk,
    0 elsewhere, so the total is the only other cell of the line) is not given back by a
    gemeente rate per 100 (count / rate) nor by Analysevragen's share of all children (row 3)."""
    from transforms.analysis import participation

    wijken = [f"WK9999{n:02d}" for n in range(1, 11)]
    import_brp(app_db, brp_workbook({**{(w, age): 0 for w in wijken for age in (0, 1)},
                                     (BUITENGEBIED, 0): 2}))
    table = shown_table(app_db)
    assert table.hidden[-1, 0]  # the gemeente's 0-2 year olds
    con = store.connect(app_db)
    try:
        rates = con.execute(
            "select count(*), count(gemeente_rate_per_100), count(gemeente_population_children)"
            " from signals_by_wijk where year = 2024 and age_group = '0-2'"
            " and signal_type <> 'cbs_jeugdzorg'").fetchone()
        shares = participation(con, "GM9999", 2024)
    finally:
        con.close()
    assert rates[0] > 0 and rates[1:] == (0, 0)
    # (the 2-4 total is hidden with it, as the second cell of the total row)
    gemeente_hidden = {group: bool(table.hidden[-1, c]) for c, group in enumerate(("0-2", "2-4", "4-12"))}
    assert gemeente_hidden["0-2"] and not gemeente_hidden["4-12"]
    shown = shares[~shares["hidden"].astype(bool)]
    assert set(shown["age_group"]) >= {"0-2", "4-12"}
    assert (shown["share_of_children"].isna() == shown["age_group"].map(gemeente_hidden)).all()


# --- two BRP uploads of the same year -----------------------------------------------------------

def _children(db: Path, year: int = 2024) -> float:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("select sum(children) from population_by_wijk_age"
                           " where gemeente_code = 'GM9999' and year = ?", [year]).fetchone()[0]
    finally:
        con.close()


def test_a_later_brp_of_the_same_year_replaces_the_earlier_and_is_never_added(app_db):
    """Review 4, open question: a BRP for period 2024 and one for 2024-09 were both active and
    stg_brp__population added them up (9.990 children became 19.980). Now the later upload
    replaces the earlier one of the same year (it says so, in Dutch), and a restore of the
    earlier one replaces the later one."""
    from data_sources.registrations.history import uploads

    before = _children(app_db)
    con = store.connect(app_db)
    try:
        first = con.execute("select load_id from loads where status = 'active' and source = 'brp'"
                            " and year = 2024").fetchall()
        assert len(first) == 1
        result = jobs.import_registration(con, brp_workbook({(BUITENGEBIED, 5): 100}, period="2024-09"),
                                          "bevolking", GEMEENTE, "2024-09", "brp-september.xlsx")
    finally:
        con.close()
    assert result.superseded == [first[0][0]]
    assert "vervangt de eerdere BRP-telling van 2024 (periode 2024)" in result.summary()
    assert "niet opgeteld" in result.summary()
    later = _children(app_db)
    assert before < later < 1.5 * before  # the September extract alone, not both
    assert shown_table(app_db).values[-1, -1] == later
    con = store.connect(app_db)
    try:
        jobs.restore_upload(con, first[0][0])
        history = uploads(con, "bevolking")
    finally:
        con.close()
    assert _children(app_db) == before
    assert history[history["status"] == "active"]["load_id"].tolist() == [first[0][0]]


def test_two_active_brp_uploads_of_a_year_in_an_older_database_are_not_added(app_db):
    """A database from before this rule may hold two active BRP uploads of one year: the staging
    view takes the one made active last."""
    before = _children(app_db)
    con = store.connect(app_db)
    try:
        jobs.import_registration(con, brp_workbook({(BUITENGEBIED, 5): 100}, period="2024-09"),
                                 "bevolking", GEMEENTE, "2024-09", "brp-september.xlsx")
        later = con.execute("select sum(children) from population_by_wijk_age"
                            " where gemeente_code = 'GM9999' and year = 2024").fetchone()[0]
        with store.transaction(con):
            # as an older version left it: both active
            con.execute("update loads set status = 'active' where source = 'brp' and year = 2024")
            import transforms

            transforms.build(con)
        assert con.execute("select count(*) from loads where status = 'active' and source = 'brp'"
                           " and year = 2024").fetchone()[0] == 2
    finally:
        con.close()
    assert before < later < 1.5 * before  # the September extract alone
    assert _children(app_db) == later


def test_a_partial_brp_is_titled_telling_en_schatting(partial_brp):
    """A table of BRP counts for nine wijken and a CBS estimate for one was titled "(schatting)"
    as a whole; the title now says it holds both."""
    from transforms.population import figure_kind

    assert figure_kind(False, "brp") == "telling"
    assert figure_kind(True, "cbs-schatting") == "schatting"
    assert figure_kind(True, "brp, cbs-schatting") == "telling en schatting"
    table = shown_table(partial_brp)
    assert table.is_estimate and figure_kind(table.is_estimate, table.source) == "telling en schatting"
    at = run_page("overzicht")
    assert not at.exception, at.exception
    chart = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert chart["layout"]["title"]["text"].endswith("(telling en schatting)")


# --- review 11: two versions of the same year's BRP side by side --------------------------------

# Buitengebied's children per age (0-2, 2-4, 4-12: 2, 8 and 64), and the gemeente's correction
# of its 2-4 year olds to 70 (a new BRP upload of the same year)
SMALL = {(BUITENGEBIED, 0): 2, (BUITENGEBIED, 1): 0, (BUITENGEBIED, 2): 8, (BUITENGEBIED, 3): 0,
         (BUITENGEBIED, 4): 64, **{(BUITENGEBIED, age): 0 for age in range(5, 12)}}
CORRECTED = {**SMALL, (BUITENGEBIED, 2): 70}
# a year the sample has no BRP for: its first extract is protected fresh, as the reviewer's was
YEAR = 2023


def _cells(table) -> dict[tuple[str, str], str]:
    """Every wijk x column cell of a table as shown ('afgeschermd' where hidden)."""
    return {(code, column): table.text(row, c) for row, code in enumerate((*table.wijk_codes, "Totaal"))
            for c, column in enumerate(("0-2", "2-4", "4-12", "Totaal"))}


def test_a_corrected_brp_gives_no_hidden_count_back_beside_the_version_before(app_db):
    """Review 11: Buitengebied 2 | 8 | 64 hid the 2 and the 8 beside it; the corrected extract
    (2-4 = 70) showed 70 and hid another cell instead, and 136 - 70 - 64 = 2 gave the small count
    back from the two versions side by side. Now the second version is protected beside the
    first: what was hidden stays hidden, and the 2 follows from no line of either version."""
    import_brp(app_db, brp_workbook(SMALL, period="2023"), "2023")
    first = shown_table(app_db, YEAR)
    row = first.wijk_codes.index(BUITENGEBIED)
    assert first.hidden[row, 0] and first.counted[row, 0] == 2
    import_brp(app_db, brp_workbook(CORRECTED, period="2023"), "2023")
    second = shown_table(app_db, YEAR)
    assert second.counted[row, 1] == 70 and second.counted[row, 0] == 2
    # every cell hidden in the first version (and not 0 now) is hidden in the second
    assert (second.hidden | (second.counted == 0) >= first.hidden).all()
    assert second.hidden[row, 1], "the corrected 2-4 cell is shown: 136 - 70 - 64 gives the 2 back"
    # what someone who kept both versions knows: every cell shown in either; the 2 stays unknown,
    # and no hidden cell of the second version narrows below the smallest count shown
    known = ~first.hidden & (first.counted == second.counted)
    low, high = bounds_from_margins(second.counted, second.hidden & ~known)
    assert not unsafe_bounds(second.counted, second.hidden & ~known, low, high, 5).any()
    assert high[row, 0] - low[row, 0] >= 4
    # the model hides the same cells as the views, and the build published this pattern
    assert hidden_in_the_model(app_db, YEAR) == {(code, group) for (code, group), text in _cells(second).items()
                                          if text == "afgeschermd" and "Totaal" not in (code, group)}


def test_after_a_correction_the_page_the_map_the_model_and_the_export_hide_the_same_cells(app_db, tmp_path):
    """Review 11: every view protects the BRP beside the pattern the build published, so after a
    correction Overzicht, the national map, the csv export and the model all hide the same cells
    (a view protecting the table fresh would hide others: the two side by side give counts back)."""
    import_brp(app_db, brp_workbook(SMALL, period="2023"), "2023")
    import_brp(app_db, brp_workbook(CORRECTED, period="2023"), "2023")
    con = duckdb.connect(str(app_db), read_only=True)
    try:
        rows = con.execute(POPULATION_SQL, ["GM9999", YEAR]).fetchall()
        names = dict(con.execute("select distinct wijk_code, wijk_name from population_by_wijk_age"
                                 " where gemeente_code = 'GM9999' and year = ?", [YEAR]).fetchall())
    finally:
        con.close()
    shown = shown_table(app_db, YEAR)
    assert (shown.hidden != protect_population(rows).hidden).any(), "the correction changed nothing"
    hidden = {cell for cell, text in _cells(shown).items() if text == "afgeschermd"}
    model = hidden_in_the_model(app_db, YEAR)
    assert model == {cell for cell in hidden if "Totaal" not in cell}
    csv = tmp_path / "kinderen.csv"
    assert main(["export", "-o", str(csv), "--jaar", str(YEAR), "--db", str(app_db)]) == 0
    lines = [line.split(";") for line in csv.read_text(encoding="utf-8-sig").splitlines()]
    exported = {(cells[0], column) for cells in lines if cells[0] in names
                for column, text in zip(("0-2", "2-4", "4-12", "Totaal"), cells[2:6], strict=True)
                if text == "afgeschermd"}
    assert exported == {cell for cell in hidden if cell[0] != "Totaal"}
    from ui.data import release
    from ui.population import national_indicator_frame

    try:
        national = {(code, column) for column in ("0-2", "2-4", "4-12", "Totaal")
                    for code, is_hidden in national_indicator_frame(YEAR, column)
                    .set_index("wijk_code")["hidden"].items() if is_hidden and code in names}
    finally:
        release()
    assert national == {cell for cell in hidden if cell[0] != "Totaal"}
    at = run_page("overzicht", params={"jaar": str(YEAR)})
    assert not at.exception, at.exception
    page = {(code, column) for code, name in names.items()
            for column, text in zip(("0-2", "2-4", "4-12", "Totaal"),
                                    html_table_row(at, "Kinderen per wijk", name), strict=True)
            if text == "afgeschermd"}
    assert page == {cell for cell in hidden if cell[0] != "Totaal"}


def test_a_corrected_brp_with_another_smallest_count_starts_fresh(app_db, monkeypatch):
    """A pattern published with another smallest count says nothing about what this one hides:
    the corrected table is protected as if nothing were published, and its pattern replaces it."""
    import_brp(app_db, brp_workbook(SMALL, period="2023"), "2023")
    monkeypatch.setenv("KINDKAART_MIN_COUNT", "4")
    import_brp(app_db, brp_workbook(CORRECTED, period="2023"), "2023")
    con = duckdb.connect(str(app_db), read_only=True)
    try:
        rows = con.execute(POPULATION_SQL, ["GM9999", YEAR]).fetchall()
        [(threshold,)] = con.execute("select threshold from published_population_patterns"
                                     " where gemeente_code = 'GM9999' and year = ?", [YEAR]).fetchall()
    finally:
        con.close()
    assert threshold == 4
    fresh = protect_population(rows)
    assert (shown_table(app_db, YEAR).hidden == fresh.hidden).all()
    assert hidden_in_the_model(app_db, YEAR) == {cell for cell, text in _cells(fresh).items()
                                          if text == "afgeschermd" and "Totaal" not in cell}


# three small 0-2 counts in one column: its gemeente total is shown, Buitengebied's 2 hidden
SMALL_COLUMN = {**SMALL, (OUDE_HAVEN, 0): 3, (OUDE_HAVEN, 1): 0, ("WK999906", 0): 4, ("WK999906", 1): 0}


def _secret_at_cbs(db: Path, wijk: str, year: int) -> None:
    """CBS keeps the wijk's 0-15 year olds secret ('.') that year: without BRP it is unknown."""
    import transforms

    con = store.connect(db)
    try:
        with store.transaction(con):
            con.execute("update raw_cbs__kerncijfers set value = null where region_code = ?"
                        " and year = ? and stem = 'k_0Tot15Jaar'", [wijk, year])
            transforms.build(con)
    finally:
        con.close()


def _on_wijken(table, wijken: list[str]):
    """A shown table (counts, hidden) on other wijken, totals last: a wijk it does not have is a
    shown 0, as an attacker reads a wijk left out of the totals."""
    from types import SimpleNamespace

    rows = [table.wijk_codes.index(code) if code in table.wijk_codes else None for code in wijken]
    counts = np.array([table.counted[r] if r is not None else np.zeros(4) for r in rows]
                      + [table.counted[-1]])
    hidden = np.array([table.hidden[r] if r is not None else np.zeros(4, dtype=bool) for r in rows]
                      + [table.hidden[-1]])
    return SimpleNamespace(counts=counts, hidden=hidden)


@pytest.mark.parametrize("secret", [True, False])
def test_a_wijk_gone_from_a_corrected_brp_gives_its_hidden_counts_not_back(app_db, secret):
    """Gap of "Verschillen tussen versies": a corrected BRP of the same year leaves Buitengebied
    out (2 | 8 | 64, its 2 hidden beside the 3 and 4 of two other wijken, the gemeente's 0-2 total
    shown). CBS keeps its children secret, so it is listed as unknown, outside the totals (or,
    `secret` False, it is a CBS estimate: its count part a known 0). The new 0-2 total was shown:
    1.605 before minus 1.603 now gave the 2 back, the grand totals its wijk total. Now its count
    is a known 0 beside the published pattern, and the totals that held its hidden cells are
    hidden: both versions together narrow none of its cells, on every view."""
    from test_privacy_versions import _pinned_where_changed

    from ui.data import release
    from ui.population import national_indicator_frame

    if secret:
        _secret_at_cbs(app_db, BUITENGEBIED, YEAR)
    import_brp(app_db, brp_workbook(SMALL_COLUMN, period=str(YEAR)), str(YEAR))
    first = shown_table(app_db, YEAR)
    row = first.wijk_codes.index(BUITENGEBIED)
    assert first.hidden[row, 0] and first.counted[row, 0] == 2 and not first.hidden[-1, 0]
    import_brp(app_db, brp_workbook(SMALL_COLUMN, period=str(YEAR), leave_out=(BUITENGEBIED,)), str(YEAR))
    second = shown_table(app_db, YEAR)
    if secret:
        assert BUITENGEBIED not in second.wijk_codes and second.unknown_wijken[0][0] == BUITENGEBIED
    else:
        assert second.wijk_sources[second.wijk_codes.index(BUITENGEBIED)] != "brp"
    wijken = list(first.wijk_codes)
    versions = [_on_wijken(first, wijken), _on_wijken(second, wijken)]
    changed = np.zeros(versions[0].counts.shape, dtype=bool)
    changed[row, :-1] = True
    assert _pinned_where_changed(versions, changed) == []
    # the model, the national map and Overzicht hide what this table hides
    assert hidden_in_the_model(app_db, YEAR) == {
        (code, group) for (code, group), text in _cells(second).items()
        if text == "afgeschermd" and "Totaal" not in (code, group)}
    try:
        for c, column in enumerate(("0-2", "2-4", "4-12", "Totaal")):
            national = national_indicator_frame(YEAR, column).set_index("wijk_code")
            assert [bool(national.loc[code, "hidden"]) for code in second.wijk_codes] == \
                second.hidden[:-1, c].tolist()
    finally:
        release()


def test_a_wijk_that_comes_into_a_corrected_brp_gives_its_small_counts_not_back():
    """The reverse of the wijk that goes: a wijk that was a CBS estimate (its count a known 0,
    the estimate public) comes into the corrected BRP with 2 | 8 | 64. Protected in the new
    version alone, the 0-2 and 2-4 totals (shown in both) changed by exactly its hidden counts,
    which were back (2 and 8). Now every total whose change is only such cells is hidden."""
    from types import SimpleNamespace

    from test_privacy_versions import _pinned_where_changed

    from transforms.privacy import protect_observed_and_estimated

    def with_totals(cells):
        return np.vstack([np.column_stack([cells, cells.sum(axis=1)]),
                          np.append(cells.sum(axis=0), cells.sum())])

    observed = np.array([[0.0, 0, 0], [3, 40, 70], [4, 12, 80], [30, 45, 90]])
    estimated = np.zeros_like(observed)
    estimated[0] = [1.4, 6.2, 60.3]
    _, first = protect_observed_and_estimated(observed, estimated)
    counted = observed.copy()
    counted[0] = [2, 8, 64]
    _, second = protect_observed_and_estimated(counted, np.zeros_like(counted),
                                               previous=(with_totals(observed), first))
    assert second[0, :2].all()
    changed = np.zeros(second.shape, dtype=bool)
    changed[0, :-1] = True
    versions = [SimpleNamespace(counts=with_totals(observed), hidden=first),
                SimpleNamespace(counts=with_totals(counted), hidden=second)]
    assert _pinned_where_changed(versions, changed) == []
