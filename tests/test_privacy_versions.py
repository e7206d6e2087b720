"""Differencing across versions (issue 16): a partner corrects ONE cell of its upload (a new upload
that supersedes the old, or Terugzetten of the old one); an analist who saved the protected
table before and after assumes every other cell stayed the same. Together the versions may
narrow no hidden cell more than either alone: the attacker's bounds are computed over the lines
of BOTH versions, every unchanged cell one unknown in both (transforms.privacy
.bounds_from_equations), and every hidden cell but the corrected one must keep the width
transforms.privacy.unsafe_bounds asks of one version. The corrected cell itself is left out:
its change follows from the difference of the totals that hold it, whatever is hidden."""

from __future__ import annotations

import io
from itertools import pairwise
from pathlib import Path
from types import SimpleNamespace

import duckdb
import numpy as np
import openpyxl
import pandas as pd
import pyarrow as pa
import pytest

from data_sources import jobs, store
from data_sources.config import min_count
from transforms.partner_tables import (
    CONTRIBUTIONS_SQL,
    SIGNALS_SQL,
    as_rows,
    cube_rows,
    joint_cube,
    read_published,
)
from transforms.privacy import (
    bounds_from_equations,
    bounds_from_margins,
    protect_cube,
    unsafe_bounds,
)

ROOT = Path(__file__).resolve().parent.parent
GEMEENTE, YEAR = "GM9999", 2024
# a 1 of the sample's jeugdhulp whose correction to 0 let the review pin another hidden 1
WIJK, KIND, AGE = "WK999902", "ambulant", "0-2"


def _cube(db: Path, signal_type: str = "jeugdhulp", published: bool = True, year: int = YEAR):
    """The one protected table of a signal type, as the pages and exports read it (with the
    published pattern), and the DAG's cell flags of it (signals_protection_by_wijk)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        signals = con.execute(SIGNALS_SQL, [GEMEENTE, year]).df()
        shares = con.execute(CONTRIBUTIONS_SQL.format(where="year = ? and gemeente_code = ?"),
                             [year, GEMEENTE]).df()
        patterns = read_published(con, GEMEENTE, year) if published else None
        dag = con.execute("select wijk_code, signal_kind, age_group, cell_hidden"
                          " from signals_protection_by_wijk where gemeente_code = ? and year = ?"
                          " and signal_type = ?", [GEMEENTE, year, signal_type]).fetchall()
    finally:
        con.close()
    whole = signals[signals["signal_type"] == signal_type].reset_index(drop=True)
    return joint_cube(whole, shares, patterns), dag


def _workbook(count: int, cell: tuple[str, str, str] = (WIJK, KIND, AGE)) -> bytes:
    """The sample's jeugdhulp workbook with one cell (wijk, kind, age group) set to `count`."""
    book = openpyxl.load_workbook(ROOT / "sample_data" / "registrations" / "jeugdhulp.xlsx")
    sheet = book["Gegevens"]
    rows = [r for r in range(2, sheet.max_row + 1)
            if tuple(sheet.cell(r, c).value for c in (1, 3, 4)) == cell]
    assert len(rows) == 1
    sheet.cell(rows[0], 5).value = count
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def _upload(db: Path, count: int, cell: tuple[str, str, str] = (WIJK, KIND, AGE)) -> int:
    con = store.connect(db)
    try:
        result = jobs.import_registration(con, _workbook(count, cell), "jeugdhulp",
                                          "Gemeente Voorbeeldstad", "2024", "jeugdhulp-correctie.xlsx")
    finally:
        con.close()
    assert result.status == "imported" and result.superseded
    return result.load_id


def _restore(db: Path, load_id: int) -> None:
    con = store.connect(db)
    try:
        jobs.restore_upload(con, load_id)
    finally:
        con.close()


def _original_load(db: Path) -> int:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("select load_id from loads where dataset = 'jeugdhulp'"
                           " and file_name = 'jeugdhulp.xlsx'").fetchone()[0]
    finally:
        con.close()


def _lines(shape: tuple[int, ...]) -> list[np.ndarray]:
    """Every line of a table with all its margins, as flat indices (its total last)."""
    index = np.arange(int(np.prod(shape))).reshape(shape)
    lines = []
    for axis in range(len(shape)):
        moved = np.moveaxis(index, axis, -1)
        lines += [moved[position] for position in np.ndindex(moved.shape[:-1])]
    return lines


def _combined_bounds(versions, corrected: tuple[int, ...], before=None):
    """What an attacker learns of every cell of every version from all of them together: each
    version's lines, each hidden cell at least 1 (0 is shown) but one hidden in the version
    before (it stays hidden when it is 0 now: at least 0), and every cell other than the
    `corrected` one the same in every version (`before`: the version before the first, if
    any). Returns [(low, high)] per version."""
    shape = versions[0].counts.shape
    n = int(np.prod(shape))
    low, high, equations = [], [], []
    for v, cube in enumerate(versions):
        counts, hidden = cube.counts.reshape(-1), cube.hidden.reshape(-1)
        previous = versions[v - 1] if v else before
        carried = np.zeros(n, dtype=bool) if previous is None else previous.hidden.reshape(-1)
        assert (counts[hidden & ~carried] > 0).all()
        low.append(np.where(hidden, np.where(carried, 0.0, 1.0), counts))
        high.append(np.where(hidden, np.inf, counts))
        for line in _lines(shape):
            signs = np.ones(len(line))
            signs[-1] = -1
            equations.append((line + v * n, signs))
    inner = np.zeros(shape, dtype=bool)
    inner[tuple(slice(0, s - 1) for s in shape)] = True
    inner[corrected] = False
    for v in range(1, len(versions)):
        for cell in np.flatnonzero(inner.reshape(-1)):
            equations.append((np.array([cell + (v - 1) * n, cell + v * n]), np.array([1.0, -1.0])))
    lows, highs = bounds_from_equations(np.concatenate(low), np.concatenate(high), equations)
    return [(lows[v * n:(v + 1) * n].reshape(shape), highs[v * n:(v + 1) * n].reshape(shape))
            for v in range(len(versions))]


def _public(cube) -> np.ndarray:
    """The hidden cells of a version that its own shown cells give exactly, whatever the hidden
    ones are (each at least 0): no secret of that version. A margin hidden before (so hidden
    still) can become one: WK999910's niveau 2 of extra_ondersteuning, 8 and a corrected 0 shown,
    is hidden as 8 in all; what it tells beside the version before is only the corrected cell's
    change."""
    low, high = bounds_from_margins(cube.counts, cube.hidden,
                                    low=np.where(cube.hidden, 0.0, cube.counts),
                                    high=np.where(cube.hidden, np.inf, cube.counts))
    return cube.hidden & (low == high)


def _pinned(versions, corrected, before=None) -> list[str]:
    """The hidden cells (not the corrected one, nor one its own version's shown cells give) that
    the versions together narrow below what unsafe_bounds allows one version; and the corrected
    cell (and a margin that holds only it) where they pin its count exactly (its change follows
    from the totals, so its old count is at least its decrease: that is all they may say)."""
    shape = versions[0].counts.shape
    # the corrected cell and each margin of it that holds nothing else (an axis of one position)
    same = [tuple(index) for index in np.ndindex(*((2,) * len(shape)))]
    same = [tuple(c if at == 0 else n - 1 for c, at, n in zip(corrected, index, shape, strict=True))
            for index in same]
    same = [cell for cell in same
            if all(cube.counts[cell] == cube.counts[corrected] for cube in versions)]
    found = []
    for v, (cube, (low, high)) in enumerate(zip(versions, _combined_bounds(versions, corrected,
                                                                           before), strict=True)):
        unsafe = unsafe_bounds(cube.counts, cube.hidden, low, high, min_count()) & ~_public(cube)
        for cell in same:
            unsafe[cell] = (cube.hidden[cell] and cube.counts[cell] > 0
                            and low[cell] == high[cell])
        found += [f"versie {v + 1}, cel {cell}: {low[cell]:.0f}..{high[cell]:.0f} "
                  f"(echt {cube.counts[cell]:.0f})" for cell in zip(*np.nonzero(unsafe), strict=True)]
    return found


def _position(cube) -> tuple[int, int, int]:
    return (cube.row_of[WIJK], cube.kinds.index(f"jeugdhulp_{KIND}"), cube.ages.index(AGE))


def _agrees_with_the_dag(cube, dag) -> None:
    """The pages' pattern is the DAG's (signals_protection_by_wijk) cell for cell."""
    kind_of = {kind: k for k, kind in enumerate(cube.kinds)}
    age_of = {age: a for a, age in enumerate(cube.ages)}
    assert dag
    for wijk, kind, age, hidden in dag:
        assert bool(cube.hidden[cube.row_of[wijk], kind_of[kind], age_of[age]]) == hidden


def test_a_corrected_cell_gives_no_hidden_cell_away_beside_the_version_before(app_db):
    before, _ = _cube(app_db)
    corrected = _position(before)
    assert before.counts[corrected] == 1 and before.hidden[corrected]
    _upload(app_db, 0)
    after, dag = _cube(app_db)
    assert after.counts.shape == before.counts.shape and after.counts[corrected] == 0
    _agrees_with_the_dag(after, dag)
    # every cell hidden before is hidden still (unchanged ones would be read directly), also the
    # corrected one, now 0: shown as 0, the old totals minus the new gave its 1 back
    assert not (before.hidden & ~after.hidden).any()
    assert after.hidden[corrected]
    assert _pinned([before, after], corrected) == []
    # the review's attack: protected from the new counts alone, the second hidden cell of the
    # line shows, and the old line total minus the shown cells gives the hidden ones away
    fresh, _ = _cube(app_db, published=False)
    assert _pinned([before, fresh], corrected)


def test_terugzetten_gives_no_hidden_cell_away_beside_either_version(app_db):
    original = _original_load(app_db)
    first, _ = _cube(app_db)
    corrected = _position(first)
    _upload(app_db, 0)
    second, _ = _cube(app_db)
    _restore(app_db, original)
    third, dag = _cube(app_db)
    assert np.array_equal(third.counts, first.counts)  # the same counts as the first version
    _agrees_with_the_dag(third, dag)
    assert not (second.hidden & ~third.hidden & (third.counts > 0)).any()
    assert _pinned([first, second, third], corrected) == []
    # the cell raised again (0 -> 1) beside a version that showed the line: still one version
    # stays safe beside the other
    assert _pinned([second, third], corrected, before=first) == []


def test_a_correction_of_a_large_cell_pins_nothing_either(app_db):
    # WK999902 ambulant 4-12 (10, hidden as the cover of the small cells beside it) corrected to
    # 12: its lines change, and nothing hidden may follow from the two versions
    before, _ = _cube(app_db)
    cell = (before.row_of[WIJK], before.kinds.index("jeugdhulp_ambulant"), before.ages.index("4-12"))
    assert before.counts[cell] == 10
    _upload(app_db, 12, (WIJK, "ambulant", "4-12"))
    after, dag = _cube(app_db)
    assert after.counts[cell] == 12
    _agrees_with_the_dag(after, dag)
    assert not (before.hidden & ~after.hidden).any()
    assert _pinned([before, after], cell) == []


@pytest.mark.parametrize("signal_type", ["jeugdhulp", "vve_indicaties", "wachtlijst_zorg"])
def test_a_fresh_build_publishes_the_fresh_pattern(sample_db, signal_type):
    # no version before: the sample's build publishes what the protection of its counts alone
    # gives, and the pages read exactly that
    cube, dag = _cube(sample_db, signal_type)
    fresh, _ = _cube(sample_db, signal_type, published=False)
    assert np.array_equal(cube.hidden, fresh.hidden)
    if signal_type != "wachtlijst_zorg":  # no cell reaches 5: the model leaves it out
        _agrees_with_the_dag(cube, dag)


def test_an_unchanged_version_keeps_its_pattern_and_protect_cube_keeps_what_was_hidden():
    # protect_cube beside its own pattern changes nothing; beside a pattern that hid more, the
    # extra cells stay hidden
    rng = np.random.default_rng(7)
    parts = rng.integers(0, 9, size=(1, 4, 3, 2)).astype(float)
    counts, hidden = protect_cube(parts)
    again = protect_cube(parts, previous=(counts, hidden))[1]
    assert np.array_equal(again, hidden)
    more = hidden.copy()
    visible = np.argwhere(~hidden & (counts > 0))
    more[tuple(visible[0])] = True
    assert more[tuple(visible[0])] and protect_cube(parts, previous=(counts, more))[1][tuple(visible[0])]


def test_versions_of_a_series_of_corrections_stay_safe_together(app_db):
    versions = [_cube(app_db)[0]]
    corrected = _position(versions[0])
    for count in (0, 3, 1):
        _upload(app_db, count)
        versions.append(_cube(app_db)[0])
    for before, pair in zip([None, *versions], pairwise(versions), strict=False):
        assert _pinned(list(pair), corrected, before) == []


def test_a_rebuild_of_everything_keeps_the_pattern_a_correction_published(app_db):
    # load-cbs, an upgrade: every model made again (here with the code's fingerprint gone, so
    # that no stored row is reused); the corrected table keeps what its correction published
    # rather than the pattern of its counts alone
    import transforms

    _upload(app_db, 0)
    published, _ = _cube(app_db)
    fresh, _ = _cube(app_db, published=False)
    assert not np.array_equal(published.hidden, fresh.hidden)  # the test tells them apart
    con = store.connect(app_db)
    try:
        con.execute(f"update {transforms.BUILD_STATE} set code_fingerprint = 'een oudere versie'")
        jobs.ensure_current_models(con)
    finally:
        con.close()
    rebuilt, dag = _cube(app_db)
    assert np.array_equal(rebuilt.hidden, published.hidden)
    _agrees_with_the_dag(rebuilt, dag)


def test_another_smallest_count_starts_fresh(app_db, monkeypatch):
    _upload(app_db, 0)
    monkeypatch.setenv("KINDKAART_MIN_COUNT", "4")
    con = store.connect(app_db)
    try:
        jobs.ensure_current_models(con)
        thresholds = con.execute("select distinct threshold from published_signal_patterns"
                                 " where gemeente_code = ?", [GEMEENTE]).fetchall()
    finally:
        con.close()
    assert thresholds == [(4,)]
    cube, dag = _cube(app_db)
    fresh, _ = _cube(app_db, published=False)
    assert np.array_equal(cube.hidden, fresh.hidden)
    _agrees_with_the_dag(cube, dag)


@pytest.mark.parametrize("signal_type", ["jeugdhulp", "extra_ondersteuning", "speciaal_onderwijs"])
def test_every_small_cell_corrected_to_0_pins_nothing(sample_db, signal_type):
    # each small count of the sample's table corrected to 0 on its own (its one organisation's
    # share with it), protected as the build does beside the published pattern (cube_rows: the
    # stored pattern for the counts it was made of, beside it for others)
    con = duckdb.connect(str(sample_db), read_only=True)
    try:
        signals = con.execute(SIGNALS_SQL, [GEMEENTE, YEAR]).df()
        shares = con.execute(CONTRIBUTIONS_SQL.format(where="year = ? and gemeente_code = ?"),
                             [YEAR, GEMEENTE]).df()
        published = read_published(con, GEMEENTE, YEAR)
    finally:
        con.close()
    whole = signals[signals["signal_type"] == signal_type].reset_index(drop=True)
    shares = shares[shares["signal_type"] == signal_type].reset_index(drop=True)
    before = cube_rows(as_rows(whole), as_rows(shares), published)
    keys = ["wijk_code", "signal_kind", "age_group"]
    tried = []
    for i in np.flatnonzero((whole["children_count"] > 0) & (whole["children_count"] < min_count())):
        share = (shares[keys] == whole.loc[i, keys]).all(axis=1)
        if share.sum() != 1:
            continue  # several organisations: not one partner's correction
        after = cube_rows(
            as_rows(whole.assign(children_count=np.where(whole.index == i, 0, whole["children_count"]))),
            as_rows(shares.assign(children_count=np.where(share, 0, shares["children_count"]))),
            published)
        corrected = (before.row_of[whole.loc[i, "wijk_code"]],
                     before.kinds.index(whole.loc[i, "signal_kind"]),
                     before.ages.index(whole.loc[i, "age_group"]))
        assert _pinned([before, after], corrected) == [], whole.loc[i, keys].tolist()
        tried.append(i)
    assert len(tried) >= 5


def _pupils_workbook(changes: dict[tuple[str, str], int]) -> bytes:
    """The sample's speciaal-onderwijs workbook with the enrolled pupils of (wijk, cluster) set."""
    book = openpyxl.load_workbook(ROOT / "sample_data" / "registrations" / "speciaal-onderwijs.xlsx")
    sheet = book["Gegevens"]
    for r in range(2, sheet.max_row + 1):
        key = (sheet.cell(r, 1).value, str(sheet.cell(r, 4).value))
        if key in changes and sheet.cell(r, 6).value == "ingeschreven":
            sheet.cell(r, 8).value = changes.pop(key)
    assert not changes
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def _crosstab(db: Path):
    """Row 5 of Analysevragen (pupils per onderwijssoort and status) as the page shows it, and its
    pattern as the build published it (counts and hidden with the totals)."""
    from transforms.analysis import SO_TYPE, read_beside, so_by_type_and_status

    con = duckdb.connect(str(db), read_only=True)
    try:
        return so_by_type_and_status(con, GEMEENTE, YEAR), read_beside(con, GEMEENTE, YEAR)[SO_TYPE]
    finally:
        con.close()


def test_a_corrected_so_upload_gives_no_hidden_pupils_of_row_5_away(app_db):
    # The crosstab of row 5 hides so cluster 1 (3 pupils) and, beside it, cluster 2 (22). The
    # samenwerkingsverband corrects its upload: 4 more pupils of cluster 2 in Zuiderpark (26).
    # Protected from the new counts alone, cluster 2 (26) is shown and cluster 3 (25, shown and
    # unchanged before) hidden instead: 172 - 76 - 26 - 42 - 25 gave the 3 of cluster 1 back.
    # Beside the pattern published before, what was hidden stays hidden and cluster 3 is known.
    from transforms.analysis import _beside_cube, _signal_rows

    shown, before = _crosstab(app_db)
    assert shown.display()["ingeschreven"].tolist()[1:4] == ["afgeschermd", "afgeschermd", "25"]
    clusters = before.soorten.index("so cluster 2"), before.kinds.index("so_ingeschreven")
    assert before.counts[clusters] == 22 and before.hidden[clusters]
    con = store.connect(app_db)
    try:
        jobs.import_registration(con, _pupils_workbook({("Zuiderpark", "2"): 9}), "speciaal-onderwijs",
                                 "Samenwerkingsverband PO Voorbeeldregio", "schooljaar 2024-2025",
                                 "speciaal-onderwijs-correctie.xlsx")
    finally:
        con.close()
    shown, after = _crosstab(app_db)
    assert after.counts[clusters] == 26 and after.soorten == before.soorten
    # the page shows the pattern the build published
    assert (shown.hidden[shown.value_columns].to_numpy() == after.hidden).all()
    assert not (before.hidden & ~after.hidden & (after.counts > 0)).any()
    assert _pinned([before, after], clusters) == []

    # the attack, on the crosstab protected from the new counts alone
    con = duckdb.connect(str(app_db), read_only=True)
    try:
        frame = con.execute(
            "select school_type || coalesce(' cluster ' || cluster, '') as soort,"
            " 'so_' || replace(coalesce(enrolment_status, 'ingeschreven'), '-', '_') as signal_kind,"
            " coalesce(age_group, '4-12') as age_group, wijk_code, organisation,"
            " sum(children_count) as children_count from stg_partner__speciaal_onderwijs"
            " where gemeente_code = ? and year = ? group by all order by all", [GEMEENTE, YEAR]).df()
        _, _, counts, hidden, _ = _beside_cube(joint_cube(*_signal_rows(con, GEMEENTE, YEAR,
                                                                         "speciaal_onderwijs")),
                                               frame, vso_alle=True)
    finally:
        con.close()
    fresh = type(after)(after.soorten, after.kinds, counts, hidden, True, after.threshold)
    pinned = _pinned([before, fresh], clusters)
    assert any("(echt 3)" in cell and "3..3" in cell for cell in pinned), pinned


def _groups_workbook(mkd_children: tuple[int, ...], djk_children: int | None = 3) -> bytes:
    """The sample's groepsgrootte workbook with, instead of its KDC and MKD groups, 3 kdc groups of
    10 children, mkd groups of `mkd_children`, 3 moc groups of 4 and one djk group of
    `djk_children` (none for None; 8 places each): the pool the model's KDC/MKD children per
    place is made of."""
    book = openpyxl.load_workbook(ROOT / "sample_data" / "registrations" / "groepsgrootte.xlsx")
    sheet = book["Gegevens"]
    for r in range(sheet.max_row, 1, -1):
        if sheet.cell(r, 4).value in ("kdc", "mkd", "djk", "moc"):
            sheet.delete_rows(r)
    groups = [("kdc", 10)] * 3 + [("mkd", c) for c in mkd_children] + [("moc", 4)] * 3
    groups += [] if djk_children is None else [("djk", djk_children)]
    for i, (kind, children) in enumerate(groups):
        sheet.append(("Zonnestraal Nieuwland 1", "9904 AA", f"{kind} {i}", kind, "2-4", 8, children, 2))
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def test_a_corrected_groups_upload_gives_no_small_kind_of_row_10_away(app_db):
    # Row 10 of Analysevragen shows the mean children per group of a kind with 3 or more groups;
    # times its groups that is the kind's children, and the model shows the children per place of
    # kdc, mkd, djk and moc together (Tekorten), which times their places is the pool's total. The
    # one djk group (3 children) is left out, and a second kind was hidden beside it: mkd (8) in the
    # first version. Corrected to 15 mkd children, moc (12, shown before) was hidden instead and
    # 60 - 30 - 15 - 12 gave the 3 djk children back. Now a pool hides every kind where it hides one.
    from transforms.analysis import group_sizes

    pool = {"kdc", "mkd", "moc", "djk"}
    versions = []
    for mkd in ((3, 3, 2), (5, 5, 5)):
        con = store.connect(app_db)
        try:
            jobs.import_registration(con, _groups_workbook(mkd), "groepsgrootte", "Kinderopvang Zonnestraal",
                                     "2024", f"groepsgrootte-{sum(mkd)}.xlsx")
        finally:
            con.close()
        con = duckdb.connect(str(app_db), read_only=True)
        try:
            sizes = group_sizes(con, GEMEENTE, YEAR).set_index("group_kind")
            source = con.execute("select children_per_place_source from int_supply__children_per_place"
                                 " where gemeente_code = ? and year = ? and provision_type = 'kdc_mkd'",
                                 [GEMEENTE, YEAR]).fetchone()[0]
        finally:
            con.close()
        assert source == "groepsgrootte"  # the pool's total is shown, through the model
        children = {"kdc": 30, "mkd": sum(mkd), "moc": 12, "djk": 3}
        shown = {kind for kind in pool & set(sizes.index) if not np.isnan(sizes.loc[kind, "children_per_group"])}
        for kind in shown:
            assert sizes.loc[kind, "children_per_group"] * sizes.loc[kind, "groups"] == children[kind]
        versions.append((children, shown))
    for (children, shown), (other, other_shown) in (versions, versions[::-1]):
        # what the attacker does not know of this version: neither shown in it nor shown unchanged
        # in the other; one such kind alone is the total minus the others
        unknown = pool - shown - {kind for kind in other_shown if other[kind] == children[kind]}
        assert len(unknown) != 1, unknown


def test_a_corrected_bso_need_gives_no_small_need_of_tekorten_away():
    # Tekorten shows the BSO need the samenwerkingsverband reported per wijk with its gemeente
    # total, beside pupils it shows (20 in each of 10 wijken). A need of 2 was hidden with the 6
    # beside it; corrected from 8 to 5 in a third wijk, the 5 was hidden instead and the 6 shown,
    # and the total before minus the wijken shown then gave the 2 back (86 - 78 - 6). Beside the
    # pattern published before (the build keeps it, published_beside_patterns), the 6 stays hidden.
    from transforms.analysis import BSO_NEED_KIND, BesidePattern, bso_need_table
    from transforms.partner_tables import JointCube

    wijken = [f"WK99990{i}" for i in range(10)]
    counts, hidden = protect_cube(np.full((1, 10, 1, 1), 20.0))
    pupils = JointCube({code: i for i, code in enumerate(wijken)}, ["so_ingeschreven"], ["4-12"],
                       counts, hidden)
    assert not pupils.hidden.any()

    def need(third: int):
        return pd.DataFrame({"wijk_code": wijken, "organisation": "SWV",
                             "bso_needed_observed_count": [2, 6, third] + [10] * 7})

    first = bso_need_table(pupils, wijken, need(8))
    assert first[1][:3, 0].tolist() == [True, True, False] and not first[1][-1, 0]
    published = BesidePattern(wijken, [BSO_NEED_KIND], *first, True, min_count())
    second = bso_need_table(pupils, wijken, need(5), published)
    versions = [SimpleNamespace(counts=c, hidden=h) for c, h in (first, second)]
    assert _pinned(versions, (2, 0)) == []
    # protected from the new counts alone, the versions together give the 2 back
    fresh = SimpleNamespace(**dict(zip(("counts", "hidden"), bso_need_table(pupils, wijken, need(5)),
                                       strict=True)))
    pinned = _pinned([versions[0], fresh], (2, 0))
    assert "versie 1, cel (np.int64(0), np.int64(0)): 2..2 (echt 2)" in pinned, pinned


def test_a_table_of_the_same_input_keeps_what_the_build_stored(sample_con):
    """beside_protection_by_gemeente protects a table again only when its input changed (its
    rows or the signal's pattern, table_digest): a national build has 1,368 such tables, and
    protecting them all took 5 s of the 2 s every model together may take. The kept rows are
    exactly those stored; a changed input is protected anew."""
    import transforms
    from transforms.analysis import protected_beside_tables

    model = next(m for m in transforms.all_models() if m.name == "beside_protection_by_gemeente")
    rows = sample_con.sql(model.sql.strip().rstrip(";")).to_arrow_table()
    stored = sample_con.sql("select * from beside_protection_by_gemeente order by all").to_arrow_table()
    published = sample_con.sql("select * from published_beside_patterns").to_arrow_table()
    assert stored.num_rows and set(stored.column("table_key").to_pylist()) >= {"speciaal_onderwijs"}

    fresh, _ = protected_beside_tables(rows, None, published)
    kept, republished = protected_beside_tables(rows, stored, published)
    assert kept.sort_by([(n, "ascending") for n in kept.column_names]).equals(
        fresh.sort_by([(n, "ascending") for n in fresh.column_names]))
    assert republished.num_rows == 0  # nothing protected again, nothing published again

    # what was stored is what is kept: marked rows come back marked (the table was not redone)
    marked = stored.set_column(stored.column_names.index("hidden"), "hidden",
                               pa.array([True] * stored.num_rows))
    again, _ = protected_beside_tables(rows, marked, published)
    assert all(again.column("hidden").to_pylist())
    # a changed row of one table: that table is protected anew, the others kept
    counts = rows.column("children_count").to_pylist()
    changed_key = rows.column("table_key")[0].as_py()
    counts[0] = (counts[0] or 0) + 7
    changed = rows.set_column(rows.column_names.index("children_count"), "children_count",
                              pa.array(counts, type=pa.float64()))
    redone, republished = protected_beside_tables(changed, marked, published)
    by_table = {}
    for key, hidden in zip(redone.column("table_key").to_pylist(), redone.column("hidden").to_pylist(),
                           strict=True):
        by_table.setdefault(key, []).append(hidden)
    assert not all(by_table[changed_key]) and republished.num_rows == 1
    assert all(all(v) for key, v in by_table.items() if key != changed_key)



def test_a_population_of_the_same_input_keeps_what_the_build_stored(sample_con, monkeypatch):
    """population_protection_by_wijk protects a BRP table again only when its input changed (its
    rows, the pattern it is protected beside, the smallest count: input_digest), as the tables
    above: a national build has 343 of them. The kept rows are exactly those stored; a table
    whose protection published a new pattern carries no digest and is protected again."""
    import transforms
    from transforms.population import cell_protection

    model = next(m for m in transforms.all_models() if m.name == "population_protection_by_wijk")
    rows = sample_con.sql(model.sql.strip().rstrip(";")).to_arrow_table()
    published = sample_con.sql("select * from published_population_patterns").to_arrow_table()
    assert published.num_rows == 1

    # beside the pattern it made itself the table publishes nothing new: its rows carry the digest
    stored, republished = cell_protection(rows, None, published)
    assert republished.num_rows == 0 and stored.column("input_digest").null_count == 0
    kept, republished = cell_protection(rows, stored, published)
    assert kept.equals(stored) and republished.num_rows == 0

    # what was stored is what is kept: marked rows come back marked (the table was not redone)
    marked = stored.set_column(stored.column_names.index("cell_hidden"), "cell_hidden",
                               pa.array([True] * stored.num_rows))
    again, _ = cell_protection(rows, marked, published)
    assert all(again.column("cell_hidden").to_pylist())
    # another input (the SQL's digest of its rows and of the pattern beside it, which
    # tests/test_rebuild_gemeente.py changes): protected anew
    digest = rows.column_names.index("input_digest")
    changed = rows.set_column(digest, "input_digest", pa.array(["another"] * rows.num_rows))
    redone, _ = cell_protection(changed, marked, published)
    assert redone.drop_columns(["input_digest"]).equals(stored.drop_columns(["input_digest"]))
    # nothing published before: the table publishes its pattern, and its rows carry no digest
    fresh, republished = cell_protection(rows, None, published.slice(0, 0))
    assert republished.num_rows == 1 and fresh.column("input_digest").null_count == fresh.num_rows
    # another smallest count: protected anew (the pattern, made with 5, says nothing of it)
    monkeypatch.setenv("KINDKAART_MIN_COUNT", "4")
    other, republished = cell_protection(rows, marked, published)
    assert not all(other.column("cell_hidden").to_pylist()) and republished.num_rows == 1


def test_a_cell_corrected_to_0_gives_its_old_count_not_back():
    # a line of 2, 3, 4 (hidden) and 20 with its total 29: the partner corrects the 2 to 0.
    # Shown as 0 (as every 0 was), the remaining 3 and 4 kept the line safe, its total (27)
    # stayed visible, and 29 - 27 gave the 2 back. Hidden as it was, the 0 is protected like a
    # small count: the two versions say the old count is at least 2 (its decrease), no more.
    parts = np.array([2.0, 3, 4, 20]).reshape(1, 4, 1)
    first = SimpleNamespace(**dict(zip(("counts", "hidden"), protect_cube(parts), strict=True)))
    assert first.hidden[:3, 0].all() and not first.hidden[-1, 0]
    corrected = parts.copy()
    corrected[0, 0, 0] = 0
    second = SimpleNamespace(**dict(zip(("counts", "hidden"),
                                        protect_cube(corrected, previous=(first.counts, first.hidden)),
                                        strict=True)))
    assert second.counts[0, 0] == 0 and not second.hidden[-1, 0]
    # the attack: the old total minus the new one plus what the cell shows now
    recovered = (None if second.hidden[0, 0] else
                 first.counts[-1, 0] - second.counts[-1, 0] + second.counts[0, 0])
    assert recovered is None, f"{recovered:.0f} kinderen terug"
    # what is left to him: the old count is its decrease (2) plus the new one, which the second
    # version bounds no narrower than a small count (its hidden cells at least 0: they were
    # hidden before): 0..7, so the old count is somewhere in 2..9
    low, high = bounds_from_margins(second.counts, second.hidden,
                                    low=np.where(second.hidden, np.where(first.hidden, 0.0, 1.0),
                                                 second.counts),
                                    high=np.where(second.hidden, np.inf, second.counts))
    assert (low[0, 0], high[0, 0]) == (0, 7)
    assert _pinned([first, second], (0, 0)) == []


def test_a_cell_hidden_before_that_shown_zeros_give_away_is_shown_as_0():
    # the partner takes back its 2 and 6 of a wijk (hidden in the first version, beside 20 and 30
    # of another): the wijk's total is now a shown 0, which says its cells are 0 whatever is
    # hidden. Kept hidden, those zeros could never be widened (no second cell makes a line with
    # a shown 0 total wider), and the audit hid the column totals and the grand total in vain;
    # shown as 0 they tell nothing the total does not. The 20 and 30 stay hidden (the first
    # version's totals minus them would give the 2 back), and with them their column totals
    parts = np.array([[2.0, 6], [20, 30], [25, 35], [40, 12]]).reshape(1, 4, 2)
    first = SimpleNamespace(**dict(zip(("counts", "hidden"), protect_cube(parts), strict=True)))
    assert first.hidden[:2, :2].all() and not first.hidden[:, -1].any()
    taken_back = parts.copy()
    taken_back[0, 0] = 0
    counts, hidden = protect_cube(taken_back, previous=(first.counts, first.hidden))
    assert counts[0].tolist() == [0, 0, 0] and not hidden[0].any()
    assert hidden[1, :2].all() and hidden[-1, :2].all() and not hidden[:, -1].any()
    # a 0 hidden before whose line total is not a shown 0 stays hidden: nothing else tells it
    only_the_2 = parts.copy()
    only_the_2[0, 0, 0] = 0
    counts, hidden = protect_cube(only_the_2, previous=(first.counts, first.hidden))
    assert counts[0, :2].tolist() == [0, 6] and hidden[0, :2].all()


def _so_tables(rows, before=None):
    """Row 5 beside the signal's table, from (soort, status, age group, wijk, pupils) of one
    organisation: the signal's protected cube and the crosstab as a BesidePattern, each
    protected beside `before` (the pair of the version before) when given."""
    from transforms.analysis import BesidePattern, _beside_cube
    from transforms.partner_tables import JointCube

    wijken, kinds, ages = ["WK999901", "WK999902", "WK999903"], ["so_ingeschreven", "so_thuiszitter"], ["4-12", "alle"]
    frame = pd.DataFrame([(soort, f"so_{status}", age, wijk, "SWV", pupils)
                          for soort, status, age, wijk, pupils in rows],
                         columns=["soort", "signal_kind", "age_group", "wijk_code", "organisation",
                                  "children_count"])
    parts = np.zeros((1, len(wijken), len(kinds), len(ages)))
    for row in frame.itertuples(index=False):
        parts[0, wijken.index(row.wijk_code), kinds.index(row.signal_kind),
              ages.index(row.age_group)] += row.children_count
    counts, hidden = protect_cube(parts, previous=None if before is None else
                                  (before[0].counts, before[0].hidden))
    cube = JointCube({code: i for i, code in enumerate(wijken)}, kinds, ages, counts, hidden)
    soorten, statuses, counts, hidden, breakdown = _beside_cube(
        cube, frame, vso_alle=True, stored=None if before is None else before[1])
    return cube, BesidePattern(soorten, statuses, counts, hidden, breakdown, min_count())


def test_a_row_5_cell_hidden_before_and_0_now_keeps_the_breakdown():
    # the 1 vso pupil of cluster 3 enrolled in WK999901 is taken back. Hidden before, its 0 stays
    # hidden; the check of row 5 through the age groups (_narrowed_by_age) started every hidden
    # cell of row 5 at 1, so this one at 1 where it is 0: its propagation had no solution (bounds
    # that run off, up to an overflow), which it took for a narrowed cell, and row 5 showed only
    # its totals
    import warnings

    rows = [("sbo", "ingeschreven", "4-12", "WK999901", 12), ("sbo", "ingeschreven", "4-12", "WK999902", 30),
            ("sbo", "thuiszitter", "4-12", "WK999901", 20), ("so cluster 4", "ingeschreven", "4-12", "WK999901", 8),
            ("so cluster 4", "ingeschreven", "4-12", "WK999902", 3),
            ("so cluster 4", "ingeschreven", "4-12", "WK999903", 5),
            ("vso cluster 3", "ingeschreven", "alle", "WK999901", 1),
            ("vso cluster 3", "thuiszitter", "alle", "WK999901", 20),
            ("vso cluster 3", "thuiszitter", "alle", "WK999903", 8),
            ("vso cluster 4", "thuiszitter", "alle", "WK999902", 2)]
    first = _so_tables(rows)
    cell = first[1].soorten.index("vso cluster 3"), first[1].kinds.index("so_ingeschreven")
    assert first[1].breakdown and first[1].hidden[cell] and first[1].counts[cell] == 1
    taken_back = [(*row[:4], 0) if row[:2] == ("vso cluster 3", "ingeschreven") else row for row in rows]
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        _, second = _so_tables(taken_back, first)
    assert second.breakdown and second.counts[cell] == 0 and second.hidden[cell]
    # the 0 is as wide as a small count to whoever kept the first version (at least 0 there)
    low, high = bounds_from_margins(second.counts, second.hidden,
                                    low=np.where(second.hidden, np.where(first[1].hidden, 0.0, 1.0),
                                                 second.counts),
                                    high=np.where(second.hidden, np.inf, second.counts))
    assert not unsafe_bounds(second.counts, second.hidden, low, high, min_count())[:-1].any()


def test_a_row_5_shown_as_its_totals_alone_hides_no_0_in_the_next_version():
    # a version of row 5 that showed only its totals row (no breakdown was safe) left its other
    # rows out as a whole, zeros too: such a 0 was never hidden as a cell, and carried into the
    # next version as a hidden 0 it is a secret that never was one. Every page protects row 5
    # beside the pattern the build published, so a totals-only table came back with its zeros
    # hidden in a breakdown; a 0 shown there tells nothing of a version before
    from transforms.analysis import BesidePattern

    counts = np.array([[0.0, 6, 6], [1, 20, 21], [2, 0, 2], [3, 26, 29]])
    hidden = np.ones(counts.shape, dtype=bool)
    hidden[-1, -1] = False
    kinds = ["so_ingeschreven", "so_thuiszitter"]
    totals_only = BesidePattern(["sbo", "vso cluster 3", "vso cluster 4"], kinds, counts, hidden,
                                False, min_count())
    _, carried = totals_only.aligned(["sbo", "vso cluster 3", "vso cluster 4"], kinds)
    assert np.array_equal(carried, hidden & (counts > 0))
    # a 0 hidden as a cell (a version with its breakdown) is carried
    _, carried = BesidePattern(totals_only.soorten, kinds, counts, hidden, True, min_count()).aligned(
        totals_only.soorten, kinds)
    assert np.array_equal(carried, hidden)


def test_a_brp_cell_now_an_estimate_is_not_hidden_and_one_now_0_is():
    # a corrected BRP of the same year: a hidden count that is 0 now stays hidden (protect_cube's
    # rule), but a wijk no longer in the BRP is a CBS estimate: never hidden, as every estimate
    from transforms.privacy import protect_observed_and_estimated

    observed = np.array([[2.0, 8, 64], [9, 11, 70], [7, 12, 80]])
    estimated = np.zeros_like(observed)
    values, hidden = protect_observed_and_estimated(observed, estimated)
    assert hidden[0, 0]
    previous = (np.vstack([np.column_stack([observed, observed.sum(axis=1)]),
                           np.append(observed.sum(axis=0), observed.sum())]), hidden)
    now_0 = observed.copy()
    now_0[0, 0] = 0
    assert protect_observed_and_estimated(now_0, estimated, previous=previous)[1][0, 0]
    # Buitengebied (row 0) no longer in the BRP: its cells are CBS estimates
    now_estimated = estimated.copy()
    now_estimated[0] = [1.4, 6.2, 60.3]
    observed_now = observed.copy()
    observed_now[0] = 0
    values, hidden = protect_observed_and_estimated(observed_now, now_estimated, previous=previous)
    assert not hidden[0, :3].any() and values[0, 0] == 1


def _others_bounds(versions, share):
    """What an organisation learns of the others' part of every cell of every version from all of
    them together, knowing its own `share` (cells with their margins, the same in every version:
    it did not correct) or its own shares per version (a list: it corrected its own upload): each
    version's lines, a hidden cell's others' part at least 1 where its own share is 0 and the cell
    was not hidden in the version before (else at least 0), and the others' part of every cell the
    same in every version but where the others corrected."""
    shares = share if isinstance(share, list) else [share] * len(versions)
    shape = versions[0].counts.shape
    n = int(np.prod(shape))
    low, high, equations = [], [], []
    for v, (cube, own) in enumerate(zip(versions, shares, strict=True)):
        others = cube.counts - own
        carried = versions[v - 1].hidden if v else np.zeros(shape, dtype=bool)
        floor = np.where(carried | (own > 0), 0.0, 1.0)
        low.append(np.where(cube.hidden, floor, others).reshape(-1))
        high.append(np.where(cube.hidden, np.inf, others).reshape(-1))
        for line in _lines(shape):
            signs = np.ones(len(line))
            signs[-1] = -1
            equations.append((line + v * n, signs))
    return low, high, equations, n, shape


def _with_margins(cells: np.ndarray) -> np.ndarray:
    for axis in range(cells.ndim):
        cells = np.concatenate([cells, cells.sum(axis=axis, keepdims=True)], axis=axis)
    return cells


def test_a_partner_correcting_its_own_upload_learns_nothing_of_the_others_it_did_not_know():
    # Only its own shares change: the others' part of every cell is the same in both versions,
    # and every cell hidden before is hidden still. What the partner sees of the others in the
    # two versions together is what it saw in the first: no more (README, "Verschillen tussen
    # versies"). Random tables of two organisations, each correction one cell of A's own share.
    rng = np.random.default_rng(16)
    tried = 0
    for _ in range(60):
        a = rng.choice([0.0, 1, 2, 3, 6, 9, 12], size=(3, 3))
        b = rng.choice([0.0, 0, 1, 2, 4, 8, 11], size=(3, 3))
        first = SimpleNamespace(**dict(zip(("counts", "hidden"), protect_cube(np.stack([a, b])),
                                           strict=True)))
        cell = tuple(rng.integers(0, 3, size=2))
        a2 = a.copy()
        a2[cell] = rng.choice([0.0, 1, 4, 10])
        second = SimpleNamespace(**dict(zip(("counts", "hidden"), protect_cube(
            np.stack([a2, b]), previous=(first.counts, first.hidden)), strict=True)))
        assert not (first.hidden & ~second.hidden).any()
        own = [_with_margins(a), _with_margins(a2)]
        low, high, equations, n, shape = _others_bounds([first, second], own)
        # the others' part of every cell is one unknown in both versions
        for flat in range(n):
            equations.append((np.array([flat, flat + n]), np.array([1.0, -1.0])))
        together = bounds_from_equations(np.concatenate(low), np.concatenate(high), equations)
        alone = bounds_from_equations(low[0], high[0], equations[:len(_lines(shape))])
        assert np.array_equal(together[0][:n], alone[0]) and np.array_equal(together[1][:n], alone[1])
        tried += 1
    assert tried == 60


def _jeugdhulp_rows_workbook(rows: list[tuple[str, str, str, int]], period: str) -> bytes:
    """The sample's jeugdhulp workbook for `period` with only these rows (wijk, kind, age group,
    children)."""
    book = openpyxl.load_workbook(ROOT / "sample_data" / "registrations" / "jeugdhulp.xlsx")
    book["Organisatie"]["B3"] = period
    sheet = book["Gegevens"]
    provider = sheet.cell(2, 2).value
    sheet.delete_rows(2, sheet.max_row - 1)
    for wijk, kind, age, children in rows:
        sheet.append((wijk, provider, kind, age, children))
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def _on_axes(cube, wijken: list, kinds: list, ages: list) -> SimpleNamespace:
    """A protected table on other axes (totals last): a cell it does not have is a shown 0, as a
    page that does not list a kind says it has no children (transforms.partner_tables.Published
    .aligned)."""
    from transforms.partner_tables import Published

    counts, hidden = Published(list(cube.row_of), cube.kinds, cube.ages, cube.counts, cube.hidden,
                               min_count(), "").aligned(wijken, kinds, ages)
    return SimpleNamespace(counts=counts, hidden=hidden)


def _pinned_where_changed(versions, changed: np.ndarray) -> list[str]:
    """_pinned for a correction of several cells (`changed`: a mask of the table's shape, its
    inner cells): every other inner cell the same in every version; a hidden cell outside them
    may not be narrowed below what unsafe_bounds allows one version, and a cell or margin that
    holds only changed cells may not be pinned exactly (its change follows from the totals: its
    old count is at least its decrease, no more)."""
    shape = versions[0].counts.shape
    n = int(np.prod(shape))
    low, high, equations = [], [], []
    for v, cube in enumerate(versions):
        counts, hidden = cube.counts.reshape(-1), cube.hidden.reshape(-1)
        carried = versions[v - 1].hidden.reshape(-1) if v else np.zeros(n, dtype=bool)
        low.append(np.where(hidden, np.where(carried, 0.0, 1.0), counts))
        high.append(np.where(hidden, np.inf, counts))
        for line in _lines(shape):
            signs = np.ones(len(line))
            signs[-1] = -1
            equations.append((line + v * n, signs))
    same = np.zeros(shape, dtype=bool)
    same[tuple(slice(0, s - 1) for s in shape)] = True
    same &= ~changed
    for v in range(1, len(versions)):
        for cell in np.flatnonzero(same.reshape(-1)):
            equations.append((np.array([cell + (v - 1) * n, cell + v * n]), np.array([1.0, -1.0])))
    # a line of one version minus the same line of the next: what is the same cancels, so the
    # change of the changed cells is the change of the total (interval propagation alone does not
    # subtract equations)
    holds = np.array([changed[tuple(slice(0, -1) if i == s - 1 else i
                                    for i, s in zip(cell, shape, strict=True))].any()
                      for cell in np.ndindex(shape)])
    for v in range(1, len(versions)):
        for line in _lines(shape):
            kept = line[holds[line]]
            if kept.size and kept[-1] == line[-1]:
                signs = np.where(kept == line[-1], -1.0, 1.0)
                equations.append((np.concatenate([kept + (v - 1) * n, kept + v * n]),
                                  np.concatenate([signs, -signs])))
    lows, highs = bounds_from_equations(np.concatenate(low), np.concatenate(high), equations)
    found = []
    for v, cube in enumerate(versions):
        lo, hi = lows[v * n:(v + 1) * n].reshape(shape), highs[v * n:(v + 1) * n].reshape(shape)
        unsafe = unsafe_bounds(cube.counts, cube.hidden, lo, hi, min_count()) & ~_public(cube)
        for cell in np.ndindex(shape):
            held = tuple(slice(0, -1) if i == s - 1 else i for i, s in zip(cell, shape, strict=True))
            if changed[held].all():
                unsafe[cell] = cube.hidden[cell] and cube.counts[cell] > 0 and lo[cell] == hi[cell]
        found += [f"versie {v + 1}, cel {cell}: {lo[cell]:.0f}..{hi[cell]:.0f} "
                  f"(echt {cube.counts[cell]:.0f})" for cell in zip(*np.nonzero(unsafe), strict=True)]
    return found


def test_a_kind_that_disappears_keeps_its_place_and_gives_no_count_back(app_db):
    # The provider's first upload of 2023 (no table published before) hides pleegzorg's 2 in
    # WK999901 beside the 3 and 4 there; its corrected upload has no pleegzorg row at all. Left
    # out of the new table, the wijk's line was protected without it: its total, shown in both,
    # went from 39 to 37, and the 2 was back. Kept as a line of 0s, its cells hidden before stay
    # hidden (nothing tells they are 0 now); the pages list the kind, as every kind of the table
    first = [("WK999901", "ambulant", "0-2", 3), ("WK999901", "pleegzorg", "0-2", 2),
             ("WK999901", "verblijf", "0-2", 4), ("WK999901", "dagbehandeling", "0-2", 30),
             ("WK999902", "ambulant", "0-2", 20), ("WK999902", "pleegzorg", "0-2", 6),
             ("WK999902", "verblijf", "0-2", 25), ("WK999902", "dagbehandeling", "0-2", 35),
             ("WK999903", "ambulant", "0-2", 22), ("WK999903", "pleegzorg", "0-2", 7),
             ("WK999903", "verblijf", "0-2", 28), ("WK999903", "dagbehandeling", "0-2", 40)]
    versions = []
    for rows in (first, [row for row in first if row[1] != "pleegzorg"]):
        con = store.connect(app_db)
        try:
            result = jobs.import_registration(con, _jeugdhulp_rows_workbook(rows, "2023"), "jeugdhulp",
                                              "Gemeente Voorbeeldstad", "2023",
                                              f"jeugdhulp-{len(rows)}.xlsx")
        finally:
            con.close()
        assert result.status == "imported" and bool(result.superseded) == bool(versions)
        versions.append(_cube(app_db, year=2023))
    (before, _), (after, dag) = versions
    pleegzorg = before.kinds.index("jeugdhulp_pleegzorg")
    assert before.hidden[before.row_of["WK999901"], pleegzorg, 0]
    axes = (list(before.row_of), before.kinds, before.ages)
    changed = np.zeros(before.counts.shape, dtype=bool)
    changed[:-1, pleegzorg, :-1] = True
    assert _pinned_where_changed([_on_axes(before, *axes), _on_axes(after, *axes)], changed) == []
    assert "jeugdhulp_pleegzorg" in after.kinds  # kept, as a line of 0s
    _agrees_with_the_dag(after, dag)
    # every page lists it: rows of signals_by_wijk (0 children) in every wijk
    con = duckdb.connect(str(app_db), read_only=True)
    try:
        listed = con.execute("select count(distinct wijk_code), sum(children_count) from signals_by_wijk"
                             " where gemeente_code = ? and year = ? and signal_kind = ?",
                             [GEMEENTE, 2023, "jeugdhulp_pleegzorg"]).fetchone()
    finally:
        con.close()
    assert listed[0] == len(before.row_of) and listed[1] == 0


def test_a_kind_that_arrives_gives_no_count_back(app_db):
    # The reverse of the test above: the provider's first upload of 2023 has no pleegzorg; its
    # corrected upload brings pleegzorg with a 2 in WK999901 (and 6 and 7 elsewhere). Read beside
    # the version before (where pleegzorg was a shown 0 everywhere), the new kind's cells were
    # protected in the new version alone: WK999901's total, shown in both, went from 37 to 39,
    # and gave the 2 back (so did the kind and age totals above it). Now a total through a cell
    # shown before and hidden now with another count is hidden where nothing else under it
    # changed unseen (transforms.privacy._told_totals), and so is every total above it
    first = [("WK999901", "ambulant", "0-2", 3), ("WK999901", "verblijf", "0-2", 4),
             ("WK999901", "dagbehandeling", "0-2", 30),
             ("WK999902", "ambulant", "0-2", 20), ("WK999902", "verblijf", "0-2", 25),
             ("WK999902", "dagbehandeling", "0-2", 35),
             ("WK999903", "ambulant", "0-2", 22), ("WK999903", "verblijf", "0-2", 28),
             ("WK999903", "dagbehandeling", "0-2", 40)]
    arrived = [("WK999901", "pleegzorg", "0-2", 2), ("WK999902", "pleegzorg", "0-2", 6),
               ("WK999903", "pleegzorg", "0-2", 7)]
    versions = []
    for rows in (first, first + arrived):
        con = store.connect(app_db)
        try:
            result = jobs.import_registration(con, _jeugdhulp_rows_workbook(rows, "2023"), "jeugdhulp",
                                              "Gemeente Voorbeeldstad", "2023",
                                              f"jeugdhulp-{len(rows)}.xlsx")
        finally:
            con.close()
        assert result.status == "imported" and bool(result.superseded) == bool(versions)
        versions.append(_cube(app_db, year=2023))
    (before, _), (after, dag) = versions
    pleegzorg = after.kinds.index("jeugdhulp_pleegzorg")
    assert "jeugdhulp_pleegzorg" not in before.kinds
    assert after.hidden[after.row_of["WK999901"], pleegzorg, 0]
    axes = (list(after.row_of), after.kinds, after.ages)
    changed = np.zeros(after.counts.shape, dtype=bool)
    changed[:-1, pleegzorg, :-1] = True
    assert _pinned_where_changed([_on_axes(before, *axes), _on_axes(after, *axes)], changed) == []
    _agrees_with_the_dag(after, dag)


def test_a_soort_that_disappears_from_row_5_keeps_its_place_and_gives_no_count_back():
    # Row 5 hides so cluster 1 (3 pupils) beside the 3 of cluster 2 and the 4 of cluster 3; the
    # corrected upload has no cluster 1 row at all. Left out of the new crosstab, the column of
    # ingeschreven was protected without it (3 and 4 hidden, safe alone) and its total, the
    # signal's, went from 94 to 91: the 3 were back. Kept as a row of 0s (hidden, as it was), the
    # versions say cluster 1 had at least 3 (its decrease), no more
    rows = [("sbo", "ingeschreven", "4-12", "WK999901", 12), ("sbo", "ingeschreven", "4-12", "WK999902", 30),
            ("so cluster 1", "ingeschreven", "4-12", "WK999901", 3),
            ("so cluster 2", "ingeschreven", "4-12", "WK999902", 3),
            ("so cluster 3", "ingeschreven", "4-12", "WK999901", 4),
            ("so cluster 4", "ingeschreven", "4-12", "WK999903", 42),
            ("sbo", "thuiszitter", "4-12", "WK999901", 20),
            ("so cluster 4", "thuiszitter", "4-12", "WK999902", 8)]
    first = _so_tables(rows)
    cluster_1 = first[1].soorten.index("so cluster 1")
    assert first[1].breakdown and first[1].hidden[cluster_1, 0] and first[1].counts[cluster_1, 0] == 3
    second = _so_tables([row for row in rows if row[0] != "so cluster 1"], first)
    soorten, kinds = first[1].soorten, first[1].kinds
    # as the attacker reads the second version on the first's soorten: a soort not listed has 0
    versions = [SimpleNamespace(counts=table.counts, hidden=table.hidden) for table in (
        first[1], SimpleNamespace(**dict(zip(("counts", "hidden"),
                                                        second[1].aligned(soorten, kinds), strict=True))))]
    changed = np.zeros(first[1].counts.shape, dtype=bool)
    changed[cluster_1, :-1] = True
    assert _pinned_where_changed(versions, changed) == []
    assert second[1].soorten == soorten and second[1].breakdown
    assert second[1].hidden[cluster_1, 0] and second[1].counts[cluster_1, 0] == 0


@pytest.mark.parametrize("djk", [(3, None), (3, 0), (None, 3)])
def test_a_row_10_kind_left_out_that_goes_gives_its_children_not_back(app_db, djk):
    # The one djk group (3 children) is left out of row 10 (fewer than 3 groups), so every kind of
    # the pool was hidden; the corrected upload has no djk group (or one of 0 children). Protected
    # from its own counts alone, nothing was hidden then: the pool's total before (the model's
    # children per place times the places: 60) minus kdc, mkd and moc shown after (30 + 15 + 12)
    # gave the 3 djk children back. Beside the pool's pattern as published before
    # (published_pool_patterns), every kind stays hidden while the pool has children.
    # (None, 3): the djk group arrives in the corrected upload. Every kind is hidden then (one
    # is), but kdc, mkd and moc were shown before: the pool's total after (60, the model's
    # children per place times the places) minus those before (57) gave the 3 back. Now a kind
    # that arrives hidden in a pool shown before hides the total: the model takes the parameter
    from transforms.analysis import group_sizes

    pool = {"kdc", "mkd", "moc", "djk"}
    versions = []
    for number, djk_children in enumerate(djk):
        con = store.connect(app_db)
        try:
            jobs.import_registration(con, _groups_workbook((5, 5, 5), djk_children), "groepsgrootte",
                                     "Kinderopvang Zonnestraal", "2024", f"groepsgrootte-{number}.xlsx")
        finally:
            con.close()
        con = duckdb.connect(str(app_db), read_only=True)
        try:
            sizes = group_sizes(con, GEMEENTE, YEAR).set_index("group_kind")
            # the model shows the pool's total (its children per place times the public places)
            # where its figure is observed
            [(source,)] = con.execute("select children_per_place_source from int_supply__children_per_place"
                                      " where gemeente_code = ? and year = ? and provision_type = 'kdc_mkd'",
                                      [GEMEENTE, YEAR]).fetchall()
            stored = (con.execute("select kinds, hidden from published_pool_patterns"
                                  " where gemeente_code = ? and year = ? and pool = 'kdc_mkd'",
                                  [GEMEENTE, YEAR]).fetchall()
                      if store.has_table(con, "published_pool_patterns") else [])
        finally:
            con.close()
        children = {"kdc": 30, "mkd": 15, "moc": 12, "djk": djk_children or 0}
        shown = {kind for kind in pool & set(sizes.index)
                 if not np.isnan(sizes.loc[kind, "children_per_group"])}
        for kind in shown:
            assert sizes.loc[kind, "children_per_group"] * sizes.loc[kind, "groups"] == children[kind]
        versions.append((children, shown, set(sizes.index), stored, source != "parameter"))
    if djk[0]:
        assert versions[0][1] == set()  # the djk group left out: every kind hidden
    else:
        assert versions[1][1] == set()  # the djk group arrives, left out: every kind hidden
    for (children, shown, *_), (other, other_shown, *_) in (versions, versions[::-1]):
        unknown = pool - shown - {kind for kind in other_shown if other[kind] == children[kind]}
        assert len(unknown) != 1, unknown
    # only djk changed: where both totals are shown, the total after minus the total before is its
    # change, and a djk hidden after that was not there before (a shown 0) would be that change
    if not djk[0]:
        assert not (versions[0][4] and versions[1][4]), "the pool's total after minus before gives djk"
    for _, shown, listed, stored, _ in versions:
        # the pattern the page shows is the one the build published
        assert len(stored) == 1
        pattern = dict(zip(*stored[0], strict=True))
        assert all(pattern[kind] == (kind not in shown) for kind in pool & listed)


def test_a_wijk_whose_pupils_are_gone_keeps_its_hidden_bso_need():
    # Tekorten's BSO need per wijk hides the 2 of WK999900 beside the 3 and 4 of the next two
    # wijken; the corrected upload has no pupils in WK999900 at all. Left out of the new table,
    # the 3 and 4 stayed hidden, safe alone, and the gemeente total, shown in both, went from 79
    # to 77: the 2 were back.
    # Kept (bso_need_wijken) as a hidden 0, the versions say its need was at least 2, no more.
    from transforms.analysis import BSO_NEED_KIND, BesidePattern, bso_need_table, bso_need_wijken
    from transforms.partner_tables import JointCube

    wijken = [f"WK99990{i}" for i in range(10)]

    def pupils(first_wijk: float):
        parts = np.full((1, 10, 1, 1), 20.0)
        parts[0, 0] = first_wijk
        counts, hidden = protect_cube(parts)
        return JointCube({code: i for i, code in enumerate(wijken)}, ["so_ingeschreven"], ["4-12"],
                         counts, hidden)

    need = pd.DataFrame({"wijk_code": wijken, "organisation": "SWV",
                         "bso_needed_observed_count": [2, 3, 4] + [10] * 7})
    first = bso_need_table(pupils(20), wijken, need)
    assert first[1][:3, 0].all() and not first[1][-1, 0] and first[0][-1, 0] == 79
    published = BesidePattern(wijken, [BSO_NEED_KIND], *first, True, min_count())
    left = need[need["wijk_code"] != wijken[0]]
    kept = bso_need_wijken(left["wijk_code"], published)
    assert kept == wijken
    second = bso_need_table(pupils(0), kept, left, published)
    assert second[1][0, 0] and second[0][0, 0] == 0
    changed = np.zeros(first[0].shape, dtype=bool)
    changed[0, :-1] = True
    versions = [SimpleNamespace(counts=c, hidden=h) for c, h in (first, second)]
    assert _pinned_where_changed(versions, changed) == []
    # the table without the wijk, as the attacker reads it (a wijk not listed has no need)
    gone = bso_need_table(pupils(0), wijken[1:], left, published)
    without = SimpleNamespace(counts=np.vstack([[[0.0, 0.0]], gone[0]]),
                              hidden=np.vstack([[[False, False]], gone[1]]))
    assert _pinned_where_changed([versions[0], without], changed)
