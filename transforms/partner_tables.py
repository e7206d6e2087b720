"""Partner counts as one protected table per signal type; the gap's supply figures protected from it.

Every view of a partner count (signal pages, the map, Tekorten, Analysevragen, the workbook, the
report, the slides) takes its figures from one protected table per signal type, wijk x kind x
age with all its margins (joint_cube; joint_table is its 2-D view), so that no margin on one
page gives away a cell of another, and
the contributor rule (transforms.privacy.protect_contributions) keeps a partner from learning
another's small count by subtracting its own padded delivery.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from data_sources.config import min_count
from data_sources.store import has_table
from transforms.privacy import protect_contributions, protect_cube

SIGNALS_SQL = ("select * from signals_by_wijk where gemeente_code = ? and year = ?"
               " order by signal_type, signal_kind, age_group, wijk_code")
# Each organisation's children per signal type and kind, age group, wijk and the school or
# aanbieder its rows name (named_organisation); {where} is
# "year = ?" or "year = ? and gemeente_code = ?".
CONTRIBUTIONS_SQL = ("select gemeente_code, signal_type, signal_kind, age_group, wijk_code, organisation,"
                     " named_organisation,"
                     " sum(children_count) as children_count from int_signals__partner_counts"
                     " where {where} and wijk_code is not null group by all")

# Row 7 (ondersteuningstrajecten) is the signal type 'ondersteuningstrajecten' with one kind per
# niveau; the gap's support components are its cells of niveau 2 and 3.
SUPPORT_TYPE = "ondersteuningstrajecten"
SUPPORT_NIVEAUS = {"ondersteuning_professionals": 2, "specialistische_inzet": 3}
# The children behind an observed children-per-place figure (rows 3 and 10), per organisation.
CHILDREN_BY_ORGANISATION_SQL = ("select * from int_supply__children_by_organisation"
                                " where gemeente_code = ?")
CHILDREN_PER_PLACE_SQL = ("select * from int_supply__children_per_place"
                          " where gemeente_code = ? and year = ?")
REGULAR_PROVISIONS = ("dagopvang", "bso", "gastouderopvang")
# Provision types whose places only partners deliver (row 10, groepsgrootte), never the LRK
PARTNER_PROVISIONS = ("plusgroep", "kdc_mkd")
# What follows from the children reached and is hidden with them.
SUPPORT_FOLLOWERS = ("supply", "trajectories_count", "support_hours", "gap_low", "gap_mid",
                     "gap_high", "gap_signal_adjusted")


def support_kind(niveau: int) -> str:
    """The signal kind of row 7 support of a niveau."""
    return f"{SUPPORT_TYPE}_niveau_{niveau}"


# A frame's columns as arrays: one gemeente's share of a national frame is then cheap to take
# (take_rows), where every pandas operation costs a fraction of a millisecond, 343 times over.
Rows = dict[str, np.ndarray]


def as_rows(frame: pd.DataFrame) -> Rows:
    """The columns of `frame` as arrays (strings as Python objects)."""
    return {name: frame[name].to_numpy() for name in frame.columns}


def take_rows(rows: Rows, index) -> Rows:
    """The rows at `index` (positions or a boolean mask)."""
    return {name: values[index] for name, values in rows.items()}


def group_index(values: np.ndarray) -> dict:
    """Positions of each distinct value (e.g. per gemeente_code), in order."""
    if len(values) == 0:
        return {}
    uniques, inverse = np.unique(values, return_inverse=True)
    order = np.argsort(inverse, kind="stable")
    return dict(zip(uniques.tolist(), np.split(order, np.cumsum(np.bincount(inverse))[:-1]),
                    strict=True))


def column_keys(rows: Rows | pd.DataFrame) -> list[tuple]:
    """The column in joint_table of every row, in order: its signal kind (vve criterion, jeugdhulp
    type, so status, niveau of row 2 or row 7) and age group."""
    missing = [None] * len(rows["wijk_code"])
    kinds = rows["signal_kind"].tolist() if "signal_kind" in rows else missing
    ages = rows["age_group"].tolist() if "age_group" in rows else missing
    return list(zip(kinds, ages, strict=True))


@dataclass(frozen=True)
class JointCube:
    """One signal type of one gemeente and year protected as ONE table wijk x kind x age with all
    its margins (transforms.privacy.protect_cube): `counts` and `hidden` have the shape (wijken+1,
    kinds+1, ages+1), the last index of each axis its total. So counts[w, k, a] is a cell,
    counts[-1, k, a] the gemeente per kind and age, counts[w, -1, -1] the wijk total (the map),
    counts[-1, k, -1] the gemeente per kind, counts[-1, -1, a] per age, and counts[-1, -1, -1]
    the grand total. Every view of these counts reads them here, hidden where they are hidden."""

    row_of: dict
    kinds: list
    ages: list
    counts: np.ndarray
    hidden: np.ndarray

    def gemeente_table(self) -> tuple[np.ndarray, np.ndarray]:
        """The gemeente's kind x age table with its margins (the last row and column): counts,
        hidden."""
        return self.counts[-1], self.hidden[-1]


# The pattern of every signal type's table as last published, per gemeente, year and type (the
# table published_signal_patterns, written with the model signals_protection_by_wijk in the
# transaction of every build): the next version of the table is protected beside it (cube_rows).
PUBLISHED_TABLE = "published_signal_patterns"
PUBLISHED_SQL = f"select * from {PUBLISHED_TABLE} where gemeente_code = ? and year = ?"
PUBLISHED_SCHEMA = pa.schema([
    ("gemeente_code", pa.string()), ("year", pa.int32()), ("signal_type", pa.string()),
    ("input_digest", pa.string()), ("threshold", pa.int32()), ("wijken", pa.list_(pa.string())),
    ("kinds", pa.list_(pa.string())), ("ages", pa.list_(pa.string())),
    ("counts", pa.list_(pa.float64())), ("hidden", pa.list_(pa.bool_())),
])


@dataclass(frozen=True)
class Published:
    """One table as last published: its axes, and counts and hidden of every cell with all its
    margins (JointCube's shape), made with the smallest count `threshold` from the input whose
    digest is `input_digest`."""

    wijken: list
    kinds: list
    ages: list
    counts: np.ndarray
    hidden: np.ndarray
    threshold: int
    input_digest: str

    def aligned(self, wijken: list, kinds: list, ages: list) -> tuple[np.ndarray, np.ndarray]:
        """(counts, hidden) on the axes of a new version, totals last: a cell or margin the
        published version did not have counts as a shown 0."""
        index = [np.array([{v: i for i, v in enumerate(old)}.get(v, -1) for v in new] + [len(old)])
                 for old, new in ((self.wijken, wijken), (self.kinds, kinds), (self.ages, ages))]
        present = ((index[0] >= 0)[:, None, None] & (index[1] >= 0)[None, :, None]
                   & (index[2] >= 0)[None, None, :])
        cells = np.ix_(*(np.maximum(i, 0) for i in index))
        return (np.where(present, self.counts[cells], 0.0),
                np.where(present, self.hidden[cells], False))


Patterns = dict[tuple, Published]


def published_patterns(rows) -> Patterns:
    """The rows of PUBLISHED_SQL (a DataFrame or an Arrow table) by (gemeente_code, year,
    signal_type)."""
    if isinstance(rows, pa.Table):
        rows = rows.to_pylist()
    else:
        rows = rows.to_dict("records")
    return {(row["gemeente_code"], int(row["year"]), row["signal_type"]): _published(row)
            for row in rows}


def read_published(con, gemeente_code: str, year: int) -> Patterns:
    """published_patterns of one gemeente and year, read through `con` (none before the
    migration that makes the table)."""
    if not has_table(con, PUBLISHED_TABLE):
        return {}
    return published_patterns(con.sql(PUBLISHED_SQL, params=[gemeente_code, year]).to_arrow_table())


def _published(row: dict) -> Published:
    shape = tuple(len(row[axis]) + 1 for axis in ("wijken", "kinds", "ages"))
    return Published(list(row["wijken"]), list(row["kinds"]), list(row["ages"]),
                     np.asarray(row["counts"], dtype=float).reshape(shape),
                     np.asarray(row["hidden"], dtype=bool).reshape(shape), int(row["threshold"]),
                     row["input_digest"])


def joint_table(whole: pd.DataFrame, contributions: pd.DataFrame | None,
                published: Patterns | None = None):
    """One signal type of one gemeente and year (`whole`: its rows of signals_by_wijk) as ONE
    protected table: wijken x (kind, age group) with the wijk totals (the map), the gemeente per
    kind and age group and the grand total, as a 2-D view of joint_cube (so protected jointly
    with the per-kind and per-age margins as well). With each organisation's share
    (`contributions`, rows of CONTRIBUTIONS_SQL; without them every cell counts as one
    organisation's) the contributor rule applies. `published`: the patterns as published
    (read_published), see cube_rows. Returns (row_of wijk_code, col_of (kind, age group), counts,
    hidden); the last row and column are the totals."""
    shares = None if contributions is None or contributions.empty else as_rows(contributions)
    return joint_rows(as_rows(whole), shares, published)


def joint_cube(whole: pd.DataFrame, contributions: pd.DataFrame | None,
               published: Patterns | None = None) -> JointCube:
    """joint_table as the whole protected table wijk x kind x age with all margins (JointCube)."""
    shares = None if contributions is None or contributions.empty else as_rows(contributions)
    return cube_rows(as_rows(whole), shares, published)


def joint_rows(whole: Rows, shares: Rows | None, published: Patterns | None = None):
    """joint_table on rows as arrays (as_rows); `shares` None where no contributions are known."""
    cube = cube_rows(whole, shares, published)
    keys = sorted(set(column_keys(whole)), key=repr)
    col_of = {key: j for j, key in enumerate(keys)}
    kind_of = {kind: k for k, kind in enumerate(cube.kinds)}
    age_of = {age: a for a, age in enumerate(cube.ages)}
    kinds = [kind_of[kind] for kind, _ in keys] + [-1]
    ages = [age_of[age] for _, age in keys] + [-1]
    return cube.row_of, col_of, cube.counts[:, kinds, ages], cube.hidden[:, kinds, ages]


def cube_rows(whole: Rows, shares: Rows | None, published: Patterns | None = None) -> JointCube:
    """joint_cube on rows as arrays (as_rows). With `published` (read_published; `whole` then
    has gemeente_code and year) the table as the build published it: its stored pattern where it
    holds these same counts (the pattern of signals_protection_by_wijk, which the build made
    beside the versions before), else protected beside it (protect_cube's `previous`); fresh
    only where nothing is stored."""
    stored = None
    if published and "gemeente_code" in whole and len(whole["wijk_code"]):
        stored = published.get((whole["gemeente_code"][0], int(whole["year"][0]),
                                whole["signal_type"][0]))
    return _cube(whole, shares, stored)


def _cube(whole: Rows, shares: Rows | None, stored: Published | None, *,
          reuse: bool = True) -> JointCube:
    """cube_rows beside the `stored` pattern (None: fresh; ignored when made with another
    smallest count); with `reuse` the stored pattern itself where its counts are these."""
    wijken = list(dict.fromkeys(whole["wijk_code"].tolist()))
    keys = column_keys(whole)
    row_of = {code: i for i, code in enumerate(wijken)}
    kinds = sorted({kind for kind, _ in keys}, key=repr)
    ages = sorted({age for _, age in keys}, key=repr)
    kind_of = {kind: k for k, kind in enumerate(kinds)}
    age_of = {age: a for a, age in enumerate(ages)}
    knowers = None
    if shares is None:
        parts = np.zeros((1, len(wijken), len(kinds), len(ages)))
        cells = ([0] * len(keys), [row_of[code] for code in whole["wijk_code"].tolist()],
                 [kind_of[kind] for kind, _ in keys], [age_of[age] for _, age in keys])
        np.add.at(parts, cells, whole["children_count"].astype(float))
    else:
        signal_type = whole["signal_type"][0]
        known = set(keys)
        keep = np.array([kind == signal_type and code in row_of and key in known
                         for kind, code, key in zip(shares["signal_type"].tolist(),
                                                    shares["wijk_code"].tolist(),
                                                    column_keys(shares), strict=True)], dtype=bool)
        mine = take_rows(shares, keep)
        organisations = {name: k for k, name in enumerate(dict.fromkeys(mine["organisation"].tolist()))}
        parts = np.zeros((max(len(organisations), 1), len(wijken), len(kinds), len(ages)))
        mine_keys = column_keys(mine)
        cells = ([organisations[name] for name in mine["organisation"].tolist()],
                 [row_of[code] for code in mine["wijk_code"].tolist()],
                 [kind_of[kind] for kind, _ in mine_keys], [age_of[age] for _, age in mine_keys])
        np.add.at(parts, cells, mine["children_count"].astype(float))
        knowers = _knowers(mine, cells[1:], parts.shape[1:])
    if stored is None or stored.threshold != min_count():
        counts, hidden = protect_cube(parts, knowers=knowers)
        return JointCube(row_of, kinds, ages, counts, hidden)
    if (reuse and stored.wijken == wijken and stored.kinds == kinds and stored.ages == ages
            and np.array_equal(stored.counts, _with_margins(parts.sum(axis=0)))):
        return JointCube(row_of, kinds, ages, stored.counts, stored.hidden)
    counts, hidden = protect_cube(parts, previous=stored.aligned(wijken, kinds, ages),
                                  knowers=knowers)
    return JointCube(row_of, kinds, ages, counts, hidden)


def party_name(name: object) -> str:
    """An organisation, school or aanbieder as one party, however its name was typed."""
    return " ".join(str(name).split()).casefold()


def named_parties(named: list, organisations: list) -> tuple[int, list[tuple[int, int]]]:
    """The schools and aanbieders the rows name (named_organisation, by party_name) as parties to
    the contributor rule: how many, and each (row, party) a row's children count for: the party it
    names, and its organisation where that is one of them too (what it delivered itself). (0, [])
    where no row names one."""
    names = [party_name(n) if isinstance(n, str) and n.strip() else None for n in named]
    known = {n: k for k, n in enumerate(sorted({n for n in names if n}))}
    pairs = [(row, known[party])
             for row, (uploader, name) in enumerate(zip(organisations, names, strict=True))
             for party in {name, party_name(uploader)} & known.keys()]
    return len(known), pairs


def _knowers(mine: Rows, cells: tuple, shape: tuple) -> np.ndarray | None:
    """What each school or aanbieder named in the rows (named_organisation) knows of the cells:
    its own children there, with all the organisation of the same name delivered itself
    (protect_cube's `knowers`). None where no row names one."""
    named = mine.get("named_organisation")
    if named is None:
        return None
    count, pairs = named_parties(named.tolist(), mine["organisation"].tolist())
    if not count:
        return None
    knowers = np.zeros((count, *shape))
    at = np.asarray([row for row, _ in pairs], dtype=int)
    parties = np.asarray([party for _, party in pairs], dtype=int)
    np.add.at(knowers, (parties, *(np.asarray(axis)[at] for axis in cells)),
              np.asarray(mine["children_count"], dtype=float)[at])
    return knowers


def _with_margins(cells: np.ndarray) -> np.ndarray:
    """`cells` with a total appended along every axis (protect_cube's layout)."""
    for axis in range(cells.ndim):
        cells = np.concatenate([cells, cells.sum(axis=axis, keepdims=True)], axis=axis)
    return cells


# The rows of signals_protection_by_wijk: a cell of a signal type's joint table, the digest of
# that table's input, and whether the pages hide the cell and its gemeente total.
CELL_SCHEMA = pa.schema([
    ("gemeente_code", pa.string()), ("year", pa.int32()), ("signal_type", pa.string()),
    ("signal_kind", pa.string()), ("age_group", pa.string()), ("wijk_code", pa.string()),
    ("input_digest", pa.string()), ("cell_hidden", pa.bool_()),
    ("gemeente_cell_hidden", pa.bool_()),
])
# One table per gemeente, year and signal type; its cells first, in the pages' order (SIGNALS_SQL:
# the wijken of a joint table come in the order they first appear, and the protection breaks
# ties between equal cells by position), then the organisations' shares.
INPUT_ORDER = ["gemeente_code", "year", "signal_type", "is_share", "signal_kind", "age_group",
               "wijk_code"]


def protected_cells(rows: pa.Table, previous: pa.Table | None = None,
                    published: pa.Table | None = None) -> tuple[pa.Table, pa.Table]:
    """The model signals_protection_by_wijk: for every cell of every signal type's joint table
    whether the pages hide it (cell_hidden) and its gemeente total of the kind and age group
    (gemeente_cell_hidden). `rows` (the model's SQL) holds each table's cells (is_share false:
    the rows of signals_by_wijk) and each organisation's share of a cell (is_share true: the
    rows of CONTRIBUTIONS_SQL), with the table's input_digest. The protection is cube_rows, the
    function every page and export protects the partner counts with, on the same cells in the
    same order with the same shares: the same pattern, contributor rule and bounds audit.

    `published` holds the rows of PUBLISHED_TABLE of these gemeenten: each table's pattern as
    published before. A table whose input changed is protected beside it (protect_cube's
    `previous`: what was hidden stays hidden, what was shown and is unchanged counts as known),
    so that the versions of a table together give away no more than each alone; a table with
    nothing published, or published with another smallest count, is protected fresh.

    A table whose digest is among the `previous` rows (what this model stored before, made by the
    same code and smallest count) and its published pattern keeps those rows: same input, same
    protection, so an upload computes only the tables it changed. A type of which no cell
    reaches the smallest count shown is left out (none of its signals can adjust an estimate),
    but its pattern is published: the pages show it.
    Returns (the model's rows, the published patterns that changed: rows of PUBLISHED_SCHEMA)."""
    threshold = min_count()
    rows = _sorted(rows, INPUT_ORDER)
    starts, ends = table_runs(rows, ["gemeente_code", "year", "signal_type"])
    keys = _keys(rows, starts)
    counts = rows.column("children_count").to_numpy(zero_copy_only=False).astype(float)
    is_share = rows.column("is_share").to_numpy(zero_copy_only=False).astype(bool)
    # per table: its number of cells (they come first) and its largest cell; a table whose cells
    # all stay below the threshold is left out
    cells, largest = np.zeros(len(starts), dtype=int), np.full(len(starts), -np.inf)
    if len(starts):
        cells = np.add.reduceat((~is_share).astype(int), starts)
        largest = np.maximum.reduceat(np.where(is_share, -np.inf, counts), starts)
    stored, previous = _stored_tables(previous)
    at, digests, thresholds = _published_index(published)
    taken, cell_hidden, gemeente_hidden, reused, patterns = [], [], [], [], []
    for table, (start, end, split) in enumerate(zip(starts.tolist(), ends.tolist(),
                                                    (starts + cells).tolist(), strict=True)):
        if cells[table] == 0:
            continue  # shares of cells no table has (no page shows them)
        entry = at.get(keys[table][:3])
        current = entry is not None and thresholds[entry] == threshold
        same = current and digests[entry] == keys[table][3]
        if same and (largest[table] < threshold or keys[table] in stored):
            if largest[table] >= threshold:
                reused.append(stored[keys[table]])
            continue
        part = rows.slice(start, end - start)
        column = {name: part.column(name).to_numpy(zero_copy_only=False)
                  for name in ("signal_type", "signal_kind", "age_group", "wijk_code", "organisation",
                               "named_organisation")}
        names = ("signal_type", "signal_kind", "age_group", "wijk_code")
        split -= start
        whole = {name: column[name][:split] for name in names}
        whole["children_count"] = counts[start:start + split]
        shares = None
        if split < end - start:
            shares = {name: column[name][split:]
                      for name in (*names, "organisation", "named_organisation")}
            shares["children_count"] = counts[start + split:end]
        before = _published(published.slice(entry, 1).to_pylist()[0]) if current else None
        cube = (_cube(whole, shares, None) if before is None else
                _cube(whole, shares, before, reuse=False))
        patterns.append({"gemeente_code": keys[table][0], "year": keys[table][1],
                         "signal_type": keys[table][2], "input_digest": keys[table][3],
                         "threshold": threshold, "wijken": list(cube.row_of), "kinds": cube.kinds,
                         "ages": cube.ages, "counts": cube.counts.ravel().tolist(),
                         "hidden": cube.hidden.ravel().tolist()})
        if largest[table] < threshold:
            continue
        kind_of = {kind: k for k, kind in enumerate(cube.kinds)}
        age_of = {age: a for a, age in enumerate(cube.ages)}
        wijken = [cube.row_of[code] for code in whole["wijk_code"].tolist()]
        kinds = [kind_of[kind] for kind in whole["signal_kind"].tolist()]
        ages = [age_of[age] for age in whole["age_group"].tolist()]
        taken.append(np.arange(start, start + split))
        cell_hidden.append(cube.hidden[wijken, kinds, ages])
        gemeente_hidden.append(cube.hidden[-1, kinds, ages])
    index = np.concatenate(taken) if taken else np.array([], dtype=np.int64)
    out = rows.select(CELL_SCHEMA.names[:-2]).take(pa.array(index, type=pa.int64()))
    flags = [np.concatenate(part) if part else np.array([], dtype=bool)
             for part in (cell_hidden, gemeente_hidden)]
    out = pa.Table.from_arrays([*out.columns, *(pa.array(f, type=pa.bool_()) for f in flags)],
                               names=CELL_SCHEMA.names).cast(CELL_SCHEMA)
    if reused:
        again = previous.take(pa.array(np.concatenate(reused), type=pa.int64()))
        out = pa.concat_tables([out, again.select(CELL_SCHEMA.names).cast(CELL_SCHEMA)])
    return out, pa.Table.from_pylist(patterns, schema=PUBLISHED_SCHEMA)


def _published_index(published: pa.Table | None) -> tuple[dict, list, list]:
    """Of PUBLISHED_TABLE's rows: the position of each (gemeente, year, type), and every row's
    input digest and smallest count (the patterns themselves are read only where needed)."""
    if published is None or published.num_rows == 0:
        return {}, [], []
    keys = zip(*(published.column(name).to_pylist()
                 for name in ("gemeente_code", "year", "signal_type")), strict=True)
    return ({key: i for i, key in enumerate(keys)}, published.column("input_digest").to_pylist(),
            published.column("threshold").to_pylist())


def _sorted(rows: pa.Table, names: list[str]) -> pa.Table:
    """`rows` sorted by `names` (ascending, nulls last); as they are when they are so already (the
    model's SQL orders them, and the stored rows are written in that order): checking takes a
    few comparisons per column, sorting 150,000 rows of the whole country a tenth of a second."""
    n = rows.num_rows
    if n > 1:
        undecided = np.ones(n - 1, dtype=bool)  # adjacent rows equal in the columns so far
        for name in names:
            values = rows.column(name).combine_chunks()
            after, before = values.slice(1), values.slice(0, n - 1)
            if values.null_count:
                return rows.sort_by([(name, "ascending") for name in names])
            if (undecided & pc.less(after, before).to_numpy(zero_copy_only=False)).any():
                return rows.sort_by([(name, "ascending") for name in names])
            undecided &= pc.equal(after, before).to_numpy(zero_copy_only=False)
            if not undecided.any():
                break
    return rows


def table_runs(rows: pa.Table, names: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(starts, ends) of the runs of equal `names` in `rows` (sorted by them): each table's rows
    in the output of a Python model (here and transforms.population.cell_protection)."""
    n = rows.num_rows
    if n == 0:
        return np.array([], dtype=np.int64), np.array([], dtype=np.int64)
    changed = np.zeros(n - 1, dtype=bool)
    for name in names:
        values = rows.column(name).combine_chunks()
        differs = pc.not_equal(values.slice(1), values.slice(0, n - 1))
        changed |= pc.fill_null(differs, True).to_numpy(zero_copy_only=False)
    starts = np.concatenate([[0], np.flatnonzero(changed) + 1]).astype(np.int64)
    return starts, np.append(starts[1:], n)


def _keys(rows: pa.Table, starts: np.ndarray) -> list[tuple]:
    """(gemeente, year, type, digest) of the tables that start at `starts`."""
    first = rows.select(["gemeente_code", "year", "signal_type", "input_digest"]).take(
        pa.array(starts, type=pa.int64()))
    return list(zip(*(first.column(name).to_pylist() for name in first.column_names), strict=True))


def _stored_tables(previous: pa.Table | None) -> tuple[dict, pa.Table | None]:
    """The tables of `previous` rows, keyed (gemeente, year, type, digest): their positions in
    the returned (sorted) rows."""
    if previous is None or previous.num_rows == 0:
        return {}, previous
    names = ["gemeente_code", "year", "signal_type", "input_digest"]
    previous = _sorted(previous, names)
    starts, ends = table_runs(previous, names)
    return ({key: np.arange(a, b) for key, a, b in zip(_keys(previous, starts), starts.tolist(),
                                                        ends.tolist(), strict=True)}, previous)


def protect_support(gap: pd.DataFrame, signals: pd.DataFrame,
                    contributions: pd.DataFrame | None,
                    published: Patterns | None = None) -> pd.DataFrame:
    """Rows of gap_by_wijk_niveau of one gemeente and year with the row 7 support protected: the
    children reached on niveau 2 and 3 (`supply` of ondersteuning_professionals and
    specialistische_inzet) are cells of the signal type's joint table (`signals`: signals_by_wijk
    of that gemeente and year). Where a cell is hidden, its supply and all that follows from it
    (trajecten, hours, the gap) are NaN and `supply_hidden` is True; `gemeente_supply` and
    `gemeente_supply_hidden` are the protected gemeente total of the niveau and age group.
    Places are no count of children and pass unchanged. `published`: see cube_rows."""
    out = gap.reset_index(drop=True).copy()
    out["supply_hidden"] = False
    out["gemeente_supply"] = np.nan
    out["gemeente_supply_hidden"] = False
    whole = signals[signals["signal_type"] == SUPPORT_TYPE]
    if whole.empty:
        return out
    row_of, col_of, counts, hidden = joint_table(whole, contributions, published)
    columns = np.array([col_of.get((support_kind(SUPPORT_NIVEAUS[component]), age_group), -1)
                        if component in SUPPORT_NIVEAUS else -1
                        for component, age_group in zip(out["component"], out["age_group"],
                                                        strict=True)], dtype=int)
    rows = np.array([row_of.get(code, -1) for code in out["wijk_code"]], dtype=int)
    # rows of other components, or of a niveau and age group none delivered, have no cell
    cell = columns >= 0
    out.loc[cell, "gemeente_supply"] = counts[-1, columns[cell]]
    out.loc[cell, "gemeente_supply_hidden"] = hidden[-1, columns[cell]]
    in_table = cell & (rows >= 0)
    supply_hidden = np.zeros(len(out), dtype=bool)
    supply_hidden[in_table] = hidden[rows[in_table], columns[in_table]]
    out["supply_hidden"] = supply_hidden
    out.loc[supply_hidden, list(SUPPORT_FOLLOWERS)] = np.nan
    return out


def summed(frame: pd.DataFrame, by: list[str], columns: list[str]) -> pd.DataFrame:
    """`columns` of protected gap rows summed per `by`: a sum is hidden (NaN, supply_hidden) where
    any of its rows is, so a subtotal never gives a hidden cell away."""
    grouped = frame.groupby(by, as_index=False, sort=False)
    out = grouped[columns].sum(min_count=1)
    out["supply_hidden"] = grouped["supply_hidden"].any()["supply_hidden"].to_numpy()
    followers = [c for c in columns if c in SUPPORT_FOLLOWERS]
    out.loc[out["supply_hidden"], followers] = np.nan
    return out


def gemeente_rows(frame: pd.DataFrame, by: list[str], columns: list[str]) -> pd.DataFrame:
    """Protected gap rows of all wijken summed per `by` (which holds component and age group):
    the row 7 support from the joint table's protected gemeente total (hidden where it is), other
    supply summed; `columns` are summed too, and the gap is need - supply again."""
    grouped = frame.groupby(by, as_index=False, sort=False)
    out = grouped[columns].sum(min_count=1)
    firsts = grouped[["gemeente_supply", "gemeente_supply_hidden"]].first()
    protected = firsts["gemeente_supply"].notna().to_numpy()
    out["supply"] = np.where(protected, firsts["gemeente_supply"], grouped["supply"].sum(min_count=1)["supply"])
    out["supply_hidden"] = protected & firsts["gemeente_supply_hidden"].astype(bool).to_numpy()
    for level in ("low", "mid", "high"):
        if f"need_{level}" in out:
            out[f"gap_{level}"] = out[f"need_{level}"] - out["supply"]
    out.loc[out["supply_hidden"], [c for c in out.columns if c in SUPPORT_FOLLOWERS]] = np.nan
    return out


def hidden_provisions(children_per_place: pd.DataFrame, by_organisation: pd.DataFrame) -> set[str]:
    """Provision types whose observed children per place is hidden: children ÷ places is a rate
    of a count of children (places are public in the LRK), so it is hidden where that count (the
    deliveries of its observed year, per organisation: `by_organisation`, rows of
    CHILDREN_BY_ORGANISATION_SQL) is under the threshold or fails the contributor rule. A
    parameter is no count and never hidden."""
    hidden = set()
    for row in children_per_place.itertuples(index=False):
        if row.children_per_place_source == "parameter" or pd.isna(row.observed_year):
            continue
        parts = by_organisation.loc[(by_organisation["provision_type"] == row.provision_type)
                                    & (by_organisation["year"] == row.observed_year),
                                    "children_count"].to_numpy(dtype=float)
        _, mask = protect_contributions(parts.reshape(-1, 1, 1), row_totals=False,
                                        column_totals=False)
        if mask[0, 0]:
            hidden.add(row.provision_type)
    return hidden


def protect_gap(gap: pd.DataFrame, signals: pd.DataFrame, contributions: pd.DataFrame | None,
                hidden_types: set[str], published: Patterns | None = None) -> pd.DataFrame:
    """Rows of gap_by_wijk_niveau of one gemeente and year as every page and export shows them:
    the row 7 support protected (protect_support), and the children per place hidden
    (`children_per_place_hidden`, NaN) where an observed figure behind it is (hidden_provisions):
    the regular places' mix where any regular provision's is, the plus-groups' where theirs is.
    Places, needs and gaps in places are estimates and pass, rounded where shown."""
    out = protect_support(gap, signals, contributions, published)
    regular = bool(hidden_types & set(REGULAR_PROVISIONS))
    out["children_per_place_hidden"] = (
        ((out["component"] == "reguliere_plekken") & regular)
        | ((out["component"] == "aparte_groep") & ("plusgroep" in hidden_types)))
    out.loc[out["children_per_place_hidden"], "children_per_place"] = np.nan
    return out


def protected_gap(con, gemeente_code: str, year: int) -> pd.DataFrame:
    """gap_by_wijk_niveau (the built mart: the default parameters) of one gemeente and year,
    protected as on the pages (protect_gap), for the exports and the report."""
    gap = con.execute("select * from gap_by_wijk_niveau where gemeente_code = ? and year = ?"
                      " order by wijk_code, age_group, niveau, perspective, component",
                      [gemeente_code, year]).df()
    signals = con.execute(SIGNALS_SQL, [gemeente_code, year]).df()
    contributions = con.execute(CONTRIBUTIONS_SQL.format(where="year = ? and gemeente_code = ?"),
                                [year, gemeente_code]).df()
    return protect_gap(gap, signals, contributions, provisions_hidden(con, gemeente_code, year),
                       read_published(con, gemeente_code, year))


def provisions_hidden(con, gemeente_code: str, year: int) -> set[str]:
    """hidden_provisions of one gemeente and year, read through `con`."""
    return hidden_provisions(con.execute(CHILDREN_PER_PLACE_SQL, [gemeente_code, year]).df(),
                             con.execute(CHILDREN_BY_ORGANISATION_SQL, [gemeente_code]).df())


def gemeente_cells(signals: pd.DataFrame, contributions: pd.DataFrame | None, signal_type: str,
                   signal_kind: str, published: Patterns | None = None
                   ) -> dict[str, tuple[float, bool]]:
    """The protected gemeente totals of one signal kind per age group, from its type's joint
    table (the same cells as the gemeente figures on the signal pages): age group -> (count,
    hidden)."""
    whole = signals[signals["signal_type"] == signal_type]
    if whole.empty:
        return {}
    _, col_of, counts, hidden = joint_table(whole, contributions, published)
    return {age_group: (float(counts[-1, column]), bool(hidden[-1, column]))
            for (kind, age_group), column in col_of.items() if kind == signal_kind}


def dagbehandeling(con, gemeente_code: str, year: int) -> dict[str, tuple[float, bool]]:
    """Children with jeugdhulp dagbehandeling (row 8) per age group in the gemeente, protected
    (gemeente_cells), for niveau 4 in the exports."""
    signals = con.execute(SIGNALS_SQL, [gemeente_code, year]).df()
    contributions = con.execute(CONTRIBUTIONS_SQL.format(where="year = ? and gemeente_code = ?"),
                                [year, gemeente_code]).df()
    return gemeente_cells(signals, contributions, "jeugdhulp", "jeugdhulp_dagbehandeling",
                          read_published(con, gemeente_code, year))
