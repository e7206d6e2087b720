"""The handreiking's analysis questions (000:L559-600) and the answers the data can give."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from data_sources.config import min_count
from transforms.partner_tables import (
    CONTRIBUTIONS_SQL,
    SIGNALS_SQL,
    SUPPORT_TYPE,
    JointCube,
    Patterns,
    has_table,
    joint_cube,
    joint_table,
    named_parties,
    read_published,
)
from transforms.privacy import (
    TOTAL_LABEL,
    SuppressedTable,
    bounds_from_equations,
    bounds_from_margins,
    bounds_seen_by,
    format_number,
    protect_beside,
    protect_contributions,
    protect_cube,
    unsafe_bounds,
)


@dataclass(frozen=True)
class Question:
    """One analysis question: its section and line in the handreiking, and where the data answer
    it (`page`: the page that shows the answer; `answer`: the key of a table below), or None when
    only people can answer it (status and note are stored per gemeente)."""

    key: str
    section: str
    line: int
    text: str
    page: str | None = None
    answer: str | None = None


QUESTIONS = (
    Question("vraag_en_plekken", "Algemeen", 561,
             "Hoeveel vraag is er naar aanpassingen in het aanbod ten opzichte van het beschikbare "
             "aantal locaties en plekken?", "pages/tekorten.py", "niveau_observed"),
    Question("wachttijden", "Algemeen", 562,
             "Wat is nodig om te voorkomen dat kinderen tussen wal en schip vallen door lange "
             "wachttijden of complexe procedures?", "pages/tekorten.py", "waiting"),
    Question("ouders_toegankelijkheid", "Ouders en kinderen", 566,
             "Hoe ervaren ouders met kinderen met extra ondersteuningsbehoeften de "
             "toegankelijkheid en kwaliteit van de kinderopvang?"),
    Question("ouders_activiteiten", "Ouders en kinderen", 567,
             "Welke activiteiten en aanpassingen dragen bij aan een positieve opvangervaring voor "
             "kinderen met extra ondersteuningsbehoeften?"),
    Question("ouders_drempels", "Ouders en kinderen", 568,
             "Welke drempels ervaren ouders bij het vinden en regelen van passende opvang?"),
    Question("ouders_nodig", "Ouders en kinderen", 569,
             "Wat zouden ouders nodig hebben om zich beter ondersteund te voelen in de opvang van "
             "hun kind?"),
    Question("ouders_zonder", "Ouders en kinderen", 570,
             "Hoe kijken ouders met kinderen zonder extra ondersteuningsbehoeften naar het "
             "vraagstuk van inclusieve kinderopvang?"),
    Question("opvang_capaciteit", "De kinderopvang", 574,
             "Hoeveel extra ondersteuning kan een reguliere opvanglocatie op dit moment bieden "
             "zonder overbelasting?", "pages/tekorten.py", "group_sizes"),
    Question("opvang_randvoorwaarden", "De kinderopvang", 575,
             "Wat zijn de randvoorwaarden (zoals personele bezetting, expertise, fysieke ruimte) om "
             "inclusieve opvang goed vorm te geven?", None, "participation"),
    Question("professionals_bekwaamheid", "De kinderopvang", 577,
             "Hoe ervaren pedagogisch professionals hun handelingsbekwaamheid bij het werken met "
             "kinderen met extra ondersteuningsbehoeften?"),
    Question("professionals_training", "De kinderopvang", 578,
             "Welke extra kennis of training hebben zij nodig om inclusieve kinderopvang goed vorm "
             "te geven?"),
    Question("professionals_motivatie", "De kinderopvang", 579,
             "Wat motiveert of belemmert professionals om te werken in een inclusieve "
             "opvangomgeving?"),
    Question("opvang_flexibel", "De kinderopvang", 580,
             "Zijn er mogelijkheden om de opvang flexibeler te maken voor kinderen met extra "
             "ondersteuningsbehoeften?"),
    Question("samenwerking", "De inzet van ondersteuning", 584,
             "Hoe verloopt de samenwerking tussen kinderopvangorganisaties en andere instanties? Is "
             "er sprake van een doorgaande ondersteuningsstructuur?"),
    Question("ondersteuning_per_leeftijd", "De inzet van ondersteuning", 585,
             "Welke ondersteuning wordt het meest ingezet voor kinderen in de leeftijd 0-4 en "
             "kinderen in de leeftijd 4-12?", "pages/continuum.py", "support_by_age"),
    Question("afspraken_laagdrempelig", "De inzet van ondersteuning", 586,
             "Welke afspraken zijn er nodig om ondersteuning en zorg laagdrempeliger te maken?"),
    Question("expertise_verbeteren", "De inzet van ondersteuning", 587,
             "Hoe kunnen opvangorganisaties hun expertise en werkwijze verbeteren om beter aan te "
             "sluiten bij de ondersteuningsbehoeften?"),
    Question("financiering", "Financiën", 593,
             "Welke financieringsmogelijkheden zijn er voor inclusieve kinderopvang, en hoe worden "
             "deze momenteel benut?"),
    Question("financieringsknelpunten", "Financiën", 594,
             "Zijn er financieringsknelpunten die inclusieve opvang belemmeren?"),
    Question("beleid_praktijk", "Financiën", 595,
             "Hoe kan het beleid van de gemeente beter aansluiten bij de praktijk van "
             "opvangorganisaties en de behoeften van gezinnen?"),
    Question("beleidsterreinen", "Financiën", 596,
             "Welke beleidsterreinen sluiten hierop aan en moeten betrokken worden?"),
)
AGE_LABELS = {"0-2": "0-2 jaar", "2-4": "2-4 jaar", "4-12": "4-12 jaar", None: "onbekend"}
# Row 5 is the signal type of int_signals__partner_counts with one kind per status.
SO_TYPE = "speciaal_onderwijs"
SO_STATUSES = ["ingeschreven", "thuiszitter", "niet-bereik"]


def support_by_niveau_and_age(con: duckdb.DuckDBPyConnection, gemeente_code: str,
                              year: int) -> pd.DataFrame | None:
    """Row 7 (L585): children reached per kind of support (its niveau) and age group in the
    gemeente, with their trajecten and hours; the gemeente cells of the one protected table of the
    signal 'ondersteuningstrajecten' (transforms.partner_tables), so that they agree with Tekorten
    and the map and no partner learns another's small count. Trajecten and hours are hidden with
    their children. Rows without a wijk are not in that table. None when nothing was delivered.
    Columns signal_kind, age_group, children_count, trajectories_count, support_hours (NaN where
    hidden), hidden."""
    delivered = _signal_rows(con, gemeente_code, year, SUPPORT_TYPE)
    if delivered is None:
        return None
    _, col_of, counts, hidden = joint_table(*delivered)
    effort = con.execute(
        f"""select '{SUPPORT_TYPE}_niveau_' || coalesce(niveau::varchar, 'overig') as signal_kind,
               coalesce(age_group, 'alle') as age_group,
               sum(trajectories_count) as trajectories_count, sum(support_hours) as support_hours
        from int_support__by_wijk_age
        where gemeente_code = ? and year = ? and wijk_code is not null group by all""",
        [gemeente_code, year]).df().set_index(["signal_kind", "age_group"])
    rows = []
    for (kind, age_group), column in sorted(col_of.items()):
        hide = bool(hidden[-1, column])
        trajectories, hours = (effort.loc[(kind, age_group)] if (kind, age_group) in effort.index
                               else (np.nan, np.nan))
        rows.append((kind, age_group, np.nan if hide else counts[-1, column],
                     np.nan if hide else trajectories, np.nan if hide else hours, hide))
    return pd.DataFrame(rows, columns=["signal_kind", "age_group", "children_count",
                                       "trajectories_count", "support_hours", "hidden"])


def so_by_type_and_status(con: duckdb.DuckDBPyConnection, gemeente_code: str,
                          year: int) -> SuppressedTable | None:
    """Row 5: pupils per onderwijssoort and cluster by status (ingeschreven, thuiszitter,
    niet-bereik), protected together with the signal 'speciaal_onderwijs', which counts the same
    pupils per wijk, status and age group: the same rows (those in that signal's one protected
    table, joint_cube: with a wijk whose children are known), its status totals and grand total
    are that table's gemeente cells, hidden exactly where it hides them, and the cells are
    protected so that with that table they give nothing away (transforms.privacy.protect_beside,
    with the contributor rule). Where no choice of cells does, the table is only its totals row.
    None when nothing was delivered."""
    delivered = _signal_rows(con, gemeente_code, year, SO_TYPE)
    if delivered is None:
        return None
    # the age group as the signal's table has it (int_signals__partner_counts)
    frame = con.execute(
        "select school_type || coalesce(' cluster ' || cluster, '') as soort,"
        " 'so_' || replace(coalesce(enrolment_status, 'ingeschreven'), '-', '_') as signal_kind,"
        " coalesce(age_group, case when school_type = 'vso' then 'alle' else '4-12' end)"
        " as age_group, wijk_code, organisation, school as named_organisation,"
        " sum(children_count) as children_count"
        " from stg_partner__speciaal_onderwijs where gemeente_code = ? and year = ?"
        " and children_count is not null group by all order by all",
        [gemeente_code, year]).df()
    return so_crosstab(joint_cube(*delivered), frame,
                       read_beside(con, gemeente_code, year).get(SO_TYPE))


def so_crosstab(cube: JointCube, frame: pd.DataFrame,
                stored: BesidePattern | None = None) -> SuppressedTable:
    """so_by_type_and_status on the signal's protected table (`cube`) and the pupils per soort,
    status (signal_kind), age group, wijk and organisation (`frame`), beside the crosstab as
    published before (`stored`, see _beside_cube)."""
    soorten, statuses, counts, hidden, breakdown = _beside_cube(cube, frame, vso_alle=True,
                                                                stored=stored)
    labels = [*soorten, TOTAL_LABEL]
    columns = [_so_status(kind) for kind in statuses] + [TOTAL_LABEL]
    if not breakdown:
        labels, counts, hidden = [TOTAL_LABEL], counts[-1:], hidden[-1:]
    values = pd.DataFrame(np.where(hidden, np.nan, counts), columns=columns)
    values.insert(0, "soort", labels)
    mask = pd.DataFrame(hidden, columns=columns)
    mask.insert(0, "soort", False)
    return SuppressedTable(values=values, hidden=mask, threshold=min_count(), value_columns=columns)


def _beside_cube(cube: JointCube, frame: pd.DataFrame, *, vso_alle: bool = False,
                 total_shown: bool = False, stored: BesidePattern | None = None
                 ) -> tuple[list, list, np.ndarray, np.ndarray, bool]:
    """A signal type's children by another breakdown (`frame`: soort, signal_kind, age_group,
    wijk_code, organisation, children_count), protected beside the type's one protected table
    (`cube`): only the rows in that table; its columns are the table's kinds, and its totals per
    kind and grand total the table's gemeente cells over all age groups, hidden where it hides them
    (protect_beside, with the contributor rule and each organisation's view). With `vso_alle` (row
    5) also through the age groups (_narrowed_by_age). With `total_shown` (rows 6 and 9) the cells
    are protected as if every total were shown, and where the table hides a total, they may not
    tell it. `stored` is the table as published before (published_beside_patterns: the build of
    beside_protection_by_gemeente keeps it; none made with another smallest count counts): the
    table is protected beside it (protect_beside's `previous`), so that a corrected upload moves
    no second hidden cell onto one shown before, and keeps every soort that had a hidden cell
    there (BesidePattern.kept_soorten: a row of 0s where none is delivered now). Returns
    (soorten, kinds, counts, hidden, breakdown): counts and hidden soorten x kinds with a total
    column and row; `breakdown` False when only the total row may be shown (every other cell is
    hidden then)."""
    kind_of = {kind: k for k, kind in enumerate(cube.kinds)}
    age_of = {age: a for a, age in enumerate(cube.ages)}
    frame = frame[frame["wijk_code"].isin(cube.row_of) & frame["signal_kind"].isin(kind_of)
                  & frame["age_group"].isin(age_of)].fillna({"soort": "onbekend", "organisation": ""})
    statuses = sorted(cube.kinds, key=lambda kind: (
        SO_STATUSES.index(_so_status(kind)) if _so_status(kind) in SO_STATUSES else len(SO_STATUSES),
        kind))
    current = stored is not None and stored.threshold == min_count()
    soorten = sorted(set(frame["soort"]) | (stored.kept_soorten() if current else set()))
    organisations = list(dict.fromkeys(frame["organisation"]))
    parts = np.zeros((max(len(organisations), 1), len(soorten), len(statuses)))
    shares = np.zeros((len(parts), *(n - 1 for n in cube.counts.shape)))
    for row in frame.itertuples(index=False):
        o = organisations.index(row.organisation)
        parts[o, soorten.index(row.soort), statuses.index(row.signal_kind)] += row.children_count
        shares[o, cube.row_of[row.wijk_code], kind_of[row.signal_kind], age_of[row.age_group]] += (
            row.children_count)
    # what each attacker knows of the cells: an organisation its own share and, with three or
    # more, all the others together (a beheerder delivers for every known organisation) every
    # share but one (transforms.privacy._views_of_others); and a school or aanbieder a row names
    # its own children (with what it delivered itself)
    known_parts, known_shares = parts, shares
    if len(parts) > 2:
        known_parts = np.concatenate([parts, parts.sum(axis=0) - parts])
        known_shares = np.concatenate([shares, shares.sum(axis=0) - shares])
    named_parts, named_shares = _named_knowledge(frame, soorten, statuses, cube)
    if len(named_parts):
        known_parts = np.concatenate([known_parts, named_parts])
        known_shares = np.concatenate([known_shares, named_shares])
    # the shared margins: the cube's gemeente cell of each status over all age groups, and its
    # grand total; what the cube's visible cells say of them, in all and to each attacker
    margin = (-1, [kind_of[kind] for kind in statuses] + [-1], -1)
    low, high = bounds_from_margins(cube.counts, cube.hidden)
    views = []
    for share in known_shares if len(known_shares) > 1 else []:
        for axis in range(share.ndim):
            share = np.concatenate([share, share.sum(axis=axis, keepdims=True)], axis=axis)
        view_low, view_high = bounds_seen_by(cube.counts, cube.hidden, share)
        views.append((view_low[margin], view_high[margin]))
    margin_hidden = cube.hidden[margin]
    previous = stored.aligned(soorten, statuses) if current else None
    counts, hidden, breakdown = protect_beside(
        parts, margin_hidden & ~total_shown, low[margin], high[margin], views, known=known_parts,
        previous=previous)
    if breakdown and total_shown and margin_hidden.any():
        # protected as if the totals were shown (where nothing shows them); a total the table
        # hides must then not be told by this one: what its visible cells and hidden ones (at
        # least 1, of the others where an organisation's own share is 0) say of it no more than
        # the table itself says
        seen = [(np.zeros(parts.shape[1:]), low[margin])]
        if views:
            seen += [(part, view[0]) for part, view in zip(known_parts, views, strict=True)]
        for part, bound in seen:
            share = np.concatenate([part, part.sum(axis=1, keepdims=True)], axis=1)
            share = np.concatenate([share, share.sum(axis=0, keepdims=True)], axis=0)
            cells, closed = (counts - share)[:-1], hidden[:-1]
            floor = np.where(share[:-1] > 0, 0.0, 1.0)
            told = np.where(closed, floor, cells).sum(axis=0)
            if (margin_hidden & ((~closed).all(axis=0) | (told > bound))).any():
                hidden[:-1], breakdown = True, False
                break
    vso = frame[frame["soort"].str.startswith("vso")]
    if vso_alle and breakdown and _narrowed_by_age(cube, counts, hidden, known_parts, known_shares, soorten,
                                                   margin[1], bool((vso["age_group"] == "alle").all())):
        hidden[:-1] = True
        breakdown = False
    return soorten, statuses, counts, hidden, breakdown


def _named_knowledge(frame: pd.DataFrame, soorten: list, statuses: list,
                     cube: JointCube) -> tuple[np.ndarray, np.ndarray]:
    """What each school or aanbieder named in the rows (named_organisation) knows of a table
    protected beside a signal's (`frame` as _beside_cube has it): its own children per soort and
    kind, and per cell of the signal's table, with all the organisation of the same name
    delivered itself. Empty arrays where no row names one."""
    shape = (len(soorten), len(statuses)), tuple(n - 1 for n in cube.counts.shape)
    count, pairs = (0, []) if "named_organisation" not in frame else named_parties(
        frame["named_organisation"].tolist(), frame["organisation"].tolist())
    parts, shares = np.zeros((count, *shape[0])), np.zeros((count, *shape[1]))
    kind_of = {kind: k for k, kind in enumerate(cube.kinds)}
    age_of = {age: a for a, age in enumerate(cube.ages)}
    rows = list(frame.itertuples(index=False)) if pairs else []
    for at, k in pairs:
        row = rows[at]
        parts[k, soorten.index(row.soort), statuses.index(row.signal_kind)] += row.children_count
        shares[k, cube.row_of[row.wijk_code], kind_of[row.signal_kind], age_of[row.age_group]] += (
            row.children_count)
    return parts, shares


def _narrowed_by_age(cube: JointCube, counts: np.ndarray, hidden: np.ndarray, parts: np.ndarray,
                     shares: np.ndarray, soorten: list[str], kinds: list[int],
                     vso_in_alle: bool) -> bool:
    """Whether the so crosstab (`counts`, `hidden`: soort x status with its totals, as
    protect_beside made it) narrows a hidden cell of itself or of the signal's table (`cube`)
    through the age groups. The signal puts a vso pupil without an age group in the age group
    'alle' (int_signals__partner_counts), and only a vso pupil can be there (the template knows no
    'alle'): so the crosstab's vso rows and the cube's gemeente cells of 'alle' count partly the
    same pupils, a link protect_beside, which shares the status totals only, does not see (a
    reviewer pinned 2 vso pupils of cluster 4 with it). An attacker's propagation over both tables,
    their shared totals and the pupils per soort, status and age group between them (at least 0,
    and 0 for a soort other than vso in 'alle'), for all and for each organisation (`parts`,
    `shares`: its share of the crosstab and of the cube's cells; `kinds`: the cube's kind of each
    status, the total last; `vso_in_alle`: every vso pupil is in 'alle'): True when it says more
    of a hidden figure than each table alone."""
    if "alle" not in cube.ages or all(soort.startswith("vso") for soort in soorten):
        return False  # without pupils that can only be vso, the tables share their totals only
    threshold = min_count()
    n_soorten, n_ages = len(soorten), len(cube.ages)
    n_statuses = counts.shape[1] - 1
    shape = cube.counts.shape
    start_x, start_y = cube.counts.size, cube.counts.size + counts.size

    def c(*index):  # a figure of the cube
        return int(np.ravel_multi_index(tuple(i % n for i, n in zip(index, shape, strict=True)),
                                        shape))

    def x(t, k):  # a figure of the crosstab
        return start_x + t * (n_statuses + 1) + k

    def y(t, k, a):  # the pupils of a soort, status and age group
        return start_y + (t * n_statuses + k) * n_ages + a

    def line(indices, total):
        return np.array([*indices, total]), np.array([1] * len(indices) + [-1])

    equations = []
    for axis in range(len(shape)):
        for index in np.ndindex(shape):
            if index[axis] == shape[axis] - 1:
                cells = [c(*index[:axis], i, *index[axis + 1:]) for i in range(shape[axis] - 1)]
                equations.append(line(cells, c(*index)))
    for t in range(n_soorten + 1):
        equations.append(line([x(t, k) for k in range(n_statuses)], x(t, n_statuses)))
    for k in range(n_statuses + 1):
        equations.append(line([x(t, k) for t in range(n_soorten)], x(n_soorten, k)))
        equations.append(line([x(n_soorten, k)], c(-1, kinds[k], -1)))
    for k in range(n_statuses):
        for t in range(n_soorten):
            equations.append(line([y(t, k, a) for a in range(n_ages)], x(t, k)))
        for a in range(n_ages):
            equations.append(line([y(t, k, a) for t in range(n_soorten)], c(-1, kinds[k], a)))
    # only a vso pupil is in 'alle'; and a vso pupil is 12 or older, so where every vso pupil
    # is in 'alle' an attacker may take that as known as well
    vso = np.array([soort.startswith("vso") for soort in soorten])
    alle = np.arange(n_ages) == cube.ages.index("alle")
    y_high = np.full((n_soorten, n_statuses, n_ages), np.inf)
    y_high[np.ix_(~vso, np.ones(n_statuses, bool), alle)] = 0.0
    if vso_in_alle:
        y_high[np.ix_(vso, np.ones(n_statuses, bool), ~alle)] = 0.0

    def with_totals(share):
        for axis in range(share.ndim):
            share = np.concatenate([share, share.sum(axis=axis, keepdims=True)], axis=axis)
        return share

    views = [(np.zeros(shape), np.zeros(counts.shape))]
    if len(parts) > 1:
        views += [(with_totals(c_share), with_totals(x_share))
                  for c_share, x_share in zip(shares, parts, strict=True) if c_share.any()]
    for c_share, x_share in views:
        c_values, x_values = cube.counts - c_share, counts - x_share
        c_low, c_high = bounds_seen_by(cube.counts, cube.hidden, c_share)
        # a hidden 0 (hidden in the version before) at 0, as bounds_seen_by starts the cube's
        x_floor = np.minimum(np.where(x_share > 0, 0.0, 1.0), x_values)
        low = np.concatenate([c_low.reshape(-1),
                              np.where(hidden, x_floor, x_values).reshape(-1),
                              np.zeros(y_high.size)])
        high = np.concatenate([c_high.reshape(-1),
                               np.where(hidden, np.inf, x_values).reshape(-1),
                               y_high.reshape(-1)])
        low, high = bounds_from_equations(low, high, equations)
        cube_low, cube_high = low[:start_x].reshape(shape), high[:start_x].reshape(shape)
        narrowed = cube.hidden & (c_values > 0) & ((cube_low > c_low) | (cube_high < c_high))
        x_low, x_high = low[start_x:start_y].reshape(counts.shape), high[start_x:start_y].reshape(
            counts.shape)
        unsafe = unsafe_bounds(x_values, hidden, x_low, x_high, threshold) & (x_values > 0)
        unsafe[-1] = False  # the cube's own cells, above
        if narrowed.any() or unsafe.any():
            return True
    return False


def _so_status(kind: str) -> str:
    # the signal kind so_niet_bereik is the status niet-bereik
    return kind.removeprefix("so_").replace("_", "-")


def jeugdhulp_by_type_and_age(con: duckdb.DuckDBPyConnection, gemeente_code: str,
                              year: int) -> SuppressedTable | None:
    """Row 8: children with jeugdhulp per type and age group with their totals: the gemeente cells
    and margins of the one protected table of the signal 'jeugdhulp' (signal_table)."""
    return signal_table(con, gemeente_code, year, "jeugdhulp", "youth_care_type",
                        lambda kind: kind.removeprefix("jeugdhulp_"))


def niveau_observed(con: duckdb.DuckDBPyConnection, gemeente_code: str,
                    year: int) -> SuppressedTable | None:
    """Row 2: children with an extra support need per niveau the partner gave and age group, with
    their totals: from the one protected table of the signal 'extra_ondersteuning'."""
    return signal_table(con, gemeente_code, year, "extra_ondersteuning", "niveau",
                        lambda kind: "niveau " + kind.removeprefix("extra_ondersteuning_niveau_"))


def signal_table(con: duckdb.DuckDBPyConnection, gemeente_code: str, year: int, signal_type: str,
                 row: str, label) -> SuppressedTable | None:
    """The gemeente's kind x age table of a signal type with its totals per kind, per age group
    and in all: the gemeente slice of the type's one protected table wijk x kind x age with all
    its margins (transforms.partner_tables.joint_cube), so that it hides exactly what the signal
    pages, Tekorten, the map and the exports hide. Rows without a wijk are not in that table.
    `row` names the label column, `label` turns a signal kind into its label. None when nothing
    was delivered."""
    delivered = _signal_rows(con, gemeente_code, year, signal_type)
    if delivered is None:
        return None
    cube = joint_cube(*delivered)
    counts, hidden = cube.gemeente_table()
    columns = ["onbekend" if age is None else str(age) for age in cube.ages] + [TOTAL_LABEL]
    labels = [label(kind) for kind in cube.kinds] + [TOTAL_LABEL]
    values = pd.DataFrame(np.where(hidden, np.nan, counts), columns=columns)
    values.insert(0, row, labels)
    mask = pd.DataFrame(hidden, columns=columns)
    mask.insert(0, row, False)
    return SuppressedTable(values=values, hidden=mask, threshold=min_count(), value_columns=columns)


# Row 10 group kinds whose children are pooled into one observed children-per-place figure of
# the model (int_supply__children_by_organisation): that figure times its places (public, and
# shown per group kind here) is the pool's children, the total of a line of this table.
PLACE_POOLS = {"plusgroep": "plusgroep", "bso-plus": "plusgroep", "kdc": "kdc_mkd",
               "mkd": "kdc_mkd", "djk": "kdc_mkd", "moc": "kdc_mkd"}
MIN_GROUPS = 3  # a group kind is shown with at least this many groups: no single group's mean


def group_sizes(con: duckdb.DuckDBPyConnection, gemeente_code: str, year: int) -> pd.DataFrame:
    """Row 10, its own question: groups per kind with the mean places (the group size: places are
    simultaneous) and placed children per group, and the places per professional (professionals
    are on the group at the same time, so places, not placed children, compare with them: the
    children per professional of a full group). Means over groups; no single group's count is
    shown (kinds of fewer than MIN_GROUPS groups are left out). The mean placed children times
    the groups is the kind's children: that figure is hidden (NaN, `children_hidden`) where the
    count fails the threshold or the contributor rule, and, for the kinds pooled into one
    observed children per place of the model (PLACE_POOLS: plus-groups, KDC/MKD), as a line
    whose total the model shows (that figure times the public places): no kind is ever the
    pool's total minus the other kinds (_pool_hidden), also beside the pool as published before.
    As the build protected it (pool_protection_by_gemeente, protected_pools). Places are public
    (LRK), so the places per professional is not hidden."""
    frame = con.execute(
        "select group_kind, groups, places_per_group, children_per_group, places_per_professional,"
        " children_hidden from pool_protection_by_gemeente where gemeente_code = ? and year = ?"
        " order by group_kind", [gemeente_code, year]).df()
    return frame[frame["groups"] >= MIN_GROUPS].reset_index(drop=True)


# The pattern of each row 10 pool as last published, per gemeente, year and pool: the state of
# the model pool_protection_by_gemeente (migration 0087). The next version is protected beside it.
POOL_TABLE = "published_pool_patterns"
POOL_SCHEMA = pa.schema([
    ("gemeente_code", pa.string()), ("year", pa.int32()), ("pool", pa.string()),
    ("threshold", pa.int32()), ("kinds", pa.list_(pa.string())),
    ("counts", pa.list_(pa.float64())), ("hidden", pa.list_(pa.bool_())),
])
# The rows of pool_protection_by_gemeente: row 10 per gemeente, year and group kind
GROUP_SIZES_SCHEMA = pa.schema([
    ("gemeente_code", pa.string()), ("year", pa.int32()), ("group_kind", pa.string()),
    ("groups", pa.int64()), ("places_per_group", pa.float64()),
    ("children_per_group", pa.float64()), ("places_per_professional", pa.float64()),
    ("children_hidden", pa.bool_()), ("pool_total_hidden", pa.bool_()),
])
# The entry of a pool's pattern (POOL_TABLE: kinds, counts, hidden) that holds the pool's total
POOL_TOTAL = "totaal"


def protected_pools(rows: pa.Table, previous: pa.Table | None = None,
                    published: pa.Table | None = None) -> tuple[pa.Table, pa.Table]:
    """The model pool_protection_by_gemeente: row 10 (group_sizes) of every gemeente and year
    from the model's SQL (`rows`: per group kind its groups, means, and each organisation's
    children and children in groups with places), each pool beside its pattern as published
    before (`published`, rows of POOL_TABLE; one made with another smallest count does not
    count): _pool_hidden. `previous` is not needed (cheap). Returns (the model's rows, the pool
    patterns that changed: rows of POOL_SCHEMA)."""
    threshold = min_count()
    stored: dict[tuple, dict[str, dict]] = {}
    for row in ([] if published is None else published.to_pylist()):
        if int(row["threshold"]) == threshold:
            stored.setdefault((row["gemeente_code"], int(row["year"])), {})[row["pool"]] = row
    # per gemeente and year in plain Python: a national build has 343 such tables, most without a
    # pooled kind, and pandas per table cost a second
    tables: dict[tuple, list[dict]] = {}
    for row in rows.to_pylist():
        tables.setdefault((row["gemeente_code"], int(row["year"])), []).append(row)
    out, patterns = [], []
    for (gemeente_code, year), table in sorted(tables.items()):
        table.sort(key=lambda row: row["group_kind"])
        hidden = [_hidden_total(row["children_per_organisation"]) for row in table]
        totals_hidden: set[str] = set()
        if any(row["group_kind"] in PLACE_POOLS for row in table):
            before = stored.get((gemeente_code, year), {})
            frame = pd.DataFrame(table)
            kind_hidden, totals_hidden = _pool_hidden(frame, before)
            hidden = (np.array(hidden) | kind_hidden.to_numpy(dtype=bool)).tolist()
            for pool in sorted({PLACE_POOLS[row["group_kind"]] for row in table
                                if row["group_kind"] in PLACE_POOLS}):
                kinds = [(row, hide) for row, hide in zip(table, hidden, strict=True)
                         if PLACE_POOLS.get(row["group_kind"]) == pool]
                pooled = float(sum(sum(row["pooled_per_organisation"]) for row, _ in kinds))
                pattern = {"gemeente_code": gemeente_code, "year": year, "pool": pool,
                           "threshold": threshold,
                           "kinds": [row["group_kind"] for row, _ in kinds] + [POOL_TOTAL],
                           "counts": [float(sum(row["children_per_organisation"])) for row, _ in kinds]
                           + [pooled],
                           "hidden": [bool(hide) for _, hide in kinds] + [pool in totals_hidden]}
                old = before.get(pool)
                if old is None or any(old[key] != pattern[key] for key in ("kinds", "counts", "hidden")):
                    patterns.append(pattern)
        for row, hide in zip(table, hidden, strict=True):
            out.append({**{name: row[name] for name in GROUP_SIZES_SCHEMA.names[:-2]},
                        "year": year, "children_hidden": bool(hide),
                        "children_per_group": None if hide else row["children_per_group"],
                        "pool_total_hidden": PLACE_POOLS.get(row["group_kind"]) in totals_hidden})
    return (pa.Table.from_pylist(out, schema=GROUP_SIZES_SCHEMA),
            pa.Table.from_pylist(patterns, schema=POOL_SCHEMA))


def _pool_hidden(frame: pd.DataFrame, stored: dict[str, dict] | None = None
                 ) -> tuple[pd.Series, set[str]]:
    """The group kinds of each PLACE_POOLS pool protected as one line (each organisation's
    children per kind, with the contributor rule) whose total is visible wherever the model may
    show the pool's observed children per place (the total passes the threshold and the
    contributor rule, as in int_supply__children_per_place): kinds left out (fewer than
    MIN_GROUPS groups) are hidden cells of that line. Where that line hides any kind, or the
    children of groups without places (in the kinds, not in the model's figure) are a count the
    threshold or the contributor rule hides, every kind of the pool is hidden: no second hidden
    kind that a corrected upload could move onto a kind shown before. `stored`: each pool's
    pattern as published before (rows of POOL_TABLE by pool): where it hid a kind, every kind
    stays hidden while the pool has children (a kind left out or hidden that is 0 now, or no
    longer delivered, made the line safe, and the total before minus the kinds shown after gave
    its old count back). Returns (hidden per kind, the pools whose total the model may not show):
    a pool where a kind is hidden now that was shown before (or not there) with another count,
    and no kind hidden before changed, would give that kind's count as the total now minus the
    total before (a djk group of 3 arriving beside the kdc, mkd and moc shown before: 60 - 57); its
    total then stays hidden while the pool has children, as the kinds do (POOL_TOTAL in the
    pattern), and the model takes the parameter (int_supply__children_per_place)."""
    hidden = pd.Series(False, index=frame.index)
    totals_hidden: set[str] = set()
    pools = frame["group_kind"].map(PLACE_POOLS)
    for pool, rows in frame[pools.notna()].groupby(pools[pools.notna()], sort=False):
        organisations = sorted({name for names in rows["organisations"] for name in names})
        parts = np.zeros((len(organisations), 1, len(rows)))
        for k, (names, values) in enumerate(zip(rows["organisations"],
                                                rows["pooled_per_organisation"], strict=True)):
            for name, value in zip(names, values, strict=True):
                parts[organisations.index(name), 0, k] += value
        # one line with its total, also as each organisation sees it (protect_cube; a table of
        # one row, whose column totals repeat its cells)
        _, mask = protect_cube(parts, unshown=(rows["groups"] < MIN_GROUPS).to_numpy()[None, :])
        line = mask[0]
        if line[-1] and not _hidden_total(parts.sum(axis=2)):
            line[:] = True  # the model shows the total: hiding it here protects nothing
        if line[:-1].any():
            # every kind, as row 3 hides its pools (_pooled_hidden): a second hidden kind chosen
            # per version moves with a correction (mkd 8 to 15 left moc hidden instead), and the
            # new total minus the kinds shown in either version gave a small kind back (3 djk)
            line[:] = True
        # children of groups without places are in the kinds shown, not in the model's total:
        # the kinds shown minus that total would give them
        unpooled = np.zeros(len(organisations))
        for names, values, pooled in zip(rows["organisations"], rows["children_per_organisation"],
                                         rows["pooled_per_organisation"], strict=True):
            for name, value, part in zip(names, values, pooled, strict=True):
                unpooled[organisations.index(name)] += value - part
        if _hidden_total(unpooled):
            line[:] = True
        before = (stored or {}).get(pool)
        children = sum(sum(parts) for parts in rows["children_per_organisation"])
        if before is not None and any(before["hidden"]) and children > 0:
            line[:] = True
        hidden[rows.index] = line[:-1]
        if before is not None and children > 0 and _pool_total_told(rows, line[:-1], before):
            totals_hidden.add(pool)
    return hidden, totals_hidden


def _pool_total_told(rows: pd.DataFrame, hidden: np.ndarray, before: dict) -> bool:
    # whether the pool's total now minus its total before (as published: POOL_TABLE) would give
    # a hidden kind's count: a kind hidden now that was shown (or not there: 0) before with
    # another count, and no kind hidden before that changed (transforms.privacy._told_totals for
    # one line); or the total was hidden before (it stays hidden)
    old = {kind: (count, hide) for kind, count, hide in zip(before["kinds"], before["counts"],
                                                          before["hidden"], strict=True)}
    if old.pop(POOL_TOTAL, (0.0, False))[1]:
        return True
    now = {kind: (float(sum(parts)), bool(hide)) for kind, parts, hide
           in zip(rows["group_kind"], rows["children_per_organisation"], hidden, strict=True)}
    fresh = mixed = False
    for kind in set(old) | set(now):
        (count_before, hidden_before), (count, hidden_now) = old.get(kind, (0.0, False)), now.get(kind, (0.0, False))
        if count != count_before:
            fresh |= hidden_now and not hidden_before
            mixed |= hidden_before
    return fresh and not mixed


def _hidden_total(parts) -> bool:
    # one count made of several organisations' shares: threshold and contributor rule
    _, hidden = protect_contributions(np.asarray(parts, dtype=float).reshape(-1, 1, 1),
                                      row_totals=False, column_totals=False)
    return bool(hidden[0, 0])


def participation(con: duckdb.DuckDBPyConnection, gemeente_code: str, year: int) -> pd.DataFrame:
    """Row 3: children in childcare per care type and age group as the delivering organisations
    reported them, their places and children per place, and the share of all children of the age
    group (a lower bound where not every organisation delivered). Children are a count: the care
    type x age group table with its totals is protected with each organisation's share
    (transforms.privacy.protect_contributions), and where a cell is hidden (`hidden`) so are its
    children per place and share (NaN), which give it away with the places or the population.
    The model's observed children per place of a care type (peuteropvang pooled with dagopvang)
    times its public places is the pool's children: where the model shows it, the pool's cells
    are all hidden if any is (_pooled_hidden), so that none is that total minus the others."""
    frame = con.execute(
        """
        with delivered as (
            select care_type, age_group, organisation, sum(children_count) as children,
                   sum(places) as places,
                   -- children the model's children per place leaves out (no places)
                   coalesce(sum(children_count) filter (where coalesce(places, 0) <= 0), 0)
                       as unpooled
            from stg_partner__kinderopvang_bezetting
            where gemeente_code = ? and year = ?
            group by all
        ),
        -- the gemeente's children of the age group; none where Overzicht hides that total (a
        -- share of it would give it back)
        population as (
            select p.age_group, sum(p.children) as population
            from population_by_wijk_age as p
            where p.gemeente_code = ? and p.year = ?
              and not exists (select 1 from population_protection_by_wijk as h
                              where h.gemeente_code = p.gemeente_code and h.year = p.year
                                and h.age_group = p.age_group and h.gemeente_hidden)
            group by all
        )
        select d.*, p.population
        from delivered as d left join population as p using (age_group)
        order by care_type, age_group, organisation
        """, [gemeente_code, year, gemeente_code, year]).df()
    columns = ["care_type", "age_group", "organisations", "children", "places",
               "children_per_place", "share_of_children", "hidden"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    frame = frame.fillna({"care_type": "onbekend", "age_group": "onbekend"})
    care_types = list(dict.fromkeys(frame["care_type"]))
    age_groups = list(dict.fromkeys(frame["age_group"]))
    organisations = list(dict.fromkeys(frame["organisation"]))
    parts = np.zeros((len(organisations), len(care_types), len(age_groups)))
    for row in frame.itertuples(index=False):
        parts[organisations.index(row.organisation), care_types.index(row.care_type),
              age_groups.index(row.age_group)] += 0 if pd.isna(row.children) else row.children
    _, hidden = protect_contributions(parts)
    out = frame.groupby(["care_type", "age_group"], as_index=False, sort=True).agg(
        organisations=("organisation", "nunique"), children=("children", "sum"),
        places=("places", "sum"), population=("population", "first"))
    out["hidden"] = [bool(hidden[care_types.index(c), age_groups.index(a)])
                     for c, a in zip(out["care_type"], out["age_group"], strict=True)]
    out["hidden"] |= _pooled_hidden(con, gemeente_code, year, frame, out)
    out["children_per_place"] = out["children"] / out["places"].where(out["places"] > 0)
    out["share_of_children"] = out["children"] / out["population"].where(out["population"] > 0)
    out.loc[out["hidden"], ["children", "children_per_place", "share_of_children"]] = np.nan
    return out[columns]


# The provision type of a row 3 care type in the model's children per place
# (int_supply__children_by_organisation): peuteropvang is dagopvang there.
CARE_POOLS = {"peuteropvang": "dagopvang"}
MODEL_RATE_LABELS = {"dagopvang": "dagopvang (met peuteropvang)", "bso": "bso",
                     "gastouderopvang": "gastouderopvang"}


def model_children_per_place(con: duckdb.DuckDBPyConnection, gemeente_code: str, year: int) -> str:
    """The children per place the model uses for the regular places (int_supply__children_per_place,
    the rates behind Tekorten's 'Kinderen per plek') in a Dutch sentence, each with where it comes
    from ('rij 3', of an earlier year where that one is used, or 'aanname'); '' without them. Row
    3's table per care type and age group is not what the model uses: it pools the ages and
    peuteropvang with dagopvang, so Analysevragen says which figure the model does use."""
    rows = con.execute(
        "select provision_type, children_per_place, children_per_place_source, observed_year"
        " from int_supply__children_per_place where gemeente_code = ? and year = ?",
        [gemeente_code, year]).fetchall()
    rates = {provision: (rate, source, observed) for provision, rate, source, observed in rows}
    parts = []
    for provision, label in MODEL_RATE_LABELS.items():
        if provision not in rates or rates[provision][0] is None:
            continue
        rate, source, observed = rates[provision]
        origin = ("aanname" if source == "parameter" else
                  "rij 3" + ("" if observed in (None, year) else f" van {observed}"))
        parts.append(f"{label} {format_number(rate, 2)} ({origin})")
    if not parts:
        return ""
    return ("Het model rekent per soort opvang met alle leeftijden samen: " + ", ".join(parts)
            + "; per wijk en leeftijdsgroep gewogen naar de plekken van elke soort, zoals in de "
            "kolom Kinderen per plek op Tekorten.")


def _pooled_hidden(con: duckdb.DuckDBPyConnection, gemeente_code: str, year: int,
                   frame: pd.DataFrame, cells: pd.DataFrame) -> pd.Series:
    """The row 3 cells (`cells`, per care type and age group) hidden because the model shows the
    observed children per place of their pool for this year (int_supply__children_per_place):
    with the public places that is the pool's children, a total the care type x age protection
    does not know (peuteropvang and dagopvang together, and only rows with places). Where any
    cell of such a pool is hidden, or the children without places (`frame`: per organisation)
    are a count the threshold or the contributor rule hides, every cell of the pool is."""
    shown = {provision for (provision,) in con.execute(
        "select distinct provision_type from int_supply__children_per_place"
        " where gemeente_code = ? and observed_year = ?"
        " and children_per_place_source = 'kinderopvang-bezetting'",
        [gemeente_code, year]).fetchall()}
    pools = cells["care_type"].map(lambda care_type: CARE_POOLS.get(care_type, care_type))
    hidden = pd.Series(False, index=cells.index)
    for pool in shown & set(pools):
        members = pools == pool
        rows = frame[frame["care_type"].map(lambda c: CARE_POOLS.get(c, c)) == pool]
        unpooled = rows.groupby("organisation")["unpooled"].sum().to_numpy(dtype=float)
        _, left_out = protect_contributions(unpooled.reshape(-1, 1, 1), row_totals=False,
                                            column_totals=False)
        if cells.loc[members, "hidden"].any() or left_out[0, 0]:
            hidden[members] = True
    return hidden


def waiting(con: duckdb.DuckDBPyConnection, gemeente_code: str, year: int) -> pd.DataFrame:
    """Rows 6 and 9: children waiting and their mean waiting time per list and kind of request.
    The kinds of a list count the children of the list's signal (wachtlijst_so, wachtlijst_zorg:
    only those with a wijk in its one protected table) and add up to its gemeente total, which
    Tekorten shows from that table: so they are protected beside it (_beside_cube: that total
    hidden where the table hides it, with the contributor rule and each organisation's view, so
    that no organisation learns another's small count by subtracting its own padded list), and
    where no choice of cells is safe, every kind of the list is hidden. Columns list, kind,
    children, weeks, hidden."""
    frame = con.execute(
        """
        select 'wachtlijst (v)so' as list, 'wachtlijst_so' as signal_kind,
               coalesce(school_type, 'onbekend') as soort, '4-12' as age_group, wijk_code,
               organisation, school as named_organisation, children_count, waiting_weeks
        from stg_partner__wachtlijst_so where gemeente_code = ? and year = ?
        union all
        select 'wachtlijst zorg', 'wachtlijst_zorg', coalesce(request_kind, 'onbekend'),
               coalesce(age_group, 'alle'), wijk_code, organisation,
               provider as named_organisation, children_count, waiting_weeks
        from stg_partner__wachtlijst_zorg where gemeente_code = ? and year = ?
        """, [gemeente_code, year, gemeente_code, year]).df()
    lists = []
    published = read_beside(con, gemeente_code, year)
    for (name, signal_type), rows in frame.groupby(["list", "signal_kind"], sort=True):
        delivered = _signal_rows(con, gemeente_code, year, signal_type)
        if delivered is None:
            continue
        cube = joint_cube(*delivered)
        rows = rows[rows["wijk_code"].isin(cube.row_of) & rows["children_count"].notna()]
        if rows.empty:
            continue
        grouped = rows.fillna({"organisation": "", "named_organisation": ""}).groupby(
            ["soort", "signal_kind", "age_group", "wijk_code", "organisation",
             "named_organisation"], as_index=False)
        kinds, _, counts, hidden, breakdown = _beside_cube(
            cube, grouped["children_count"].sum(), total_shown=True,
            stored=published.get(signal_type))
        timed = rows[rows["waiting_weeks"].notna()]
        weeks = ((timed["waiting_weeks"] * timed["children_count"]).groupby(timed["soort"]).sum()
                 / timed["children_count"].groupby(timed["soort"]).sum().replace(0, np.nan))
        lists.append(pd.DataFrame({
            "list": name, "kind": kinds, "children": counts[:-1, 0],
            "weeks": weeks.reindex(kinds).to_numpy(dtype=float),
            "hidden": hidden[:-1, 0] | (not breakdown)}))
    columns = ["list", "kind", "children", "weeks", "hidden"]
    return pd.concat(lists, ignore_index=True) if lists else pd.DataFrame(columns=columns)


def waiting_delivered(con: duckdb.DuckDBPyConnection, gemeente_code: str, year: int) -> tuple[bool, bool]:
    """Whether waiting-list rows (rows 6 and 9) were delivered for the gemeente and year, and
    whether some of them name no wijk the tables per wijk count (signals_by_wijk: CBS redrew the
    wijken after the upload). Those are not in the tables, so a page says so rather than 'none
    delivered' or a silent zero. Yes or no, not how many: a waiting list has a row per child, so
    the number of rows is a count of children, which no page shows unprotected (README Privacy)."""
    delivered, outside = con.execute(
        """
        with delivered as (
            select wijk_code from stg_partner__wachtlijst_so where gemeente_code = ? and year = ?
            union all
            select wijk_code from stg_partner__wachtlijst_zorg where gemeente_code = ? and year = ?)
        select count(*) > 0,
               count(*) filter (where wijk_code is null or wijk_code not in (
                   select wijk_code from signals_by_wijk where year = ? and gemeente_code = ?)) > 0
        from delivered
        """, [gemeente_code, year, gemeente_code, year, year, gemeente_code]).fetchone()
    return bool(delivered), bool(outside)


def _signal_rows(con: duckdb.DuckDBPyConnection, gemeente_code: str, year: int,
                 signal_type: str) -> tuple[pd.DataFrame, pd.DataFrame, Patterns] | None:
    """A signal type's rows of signals_by_wijk for the gemeente and year, each organisation's
    share of them and the published patterns (what joint_table and joint_cube protect with);
    None when nothing was delivered."""
    signals = con.execute(SIGNALS_SQL, [gemeente_code, year]).df()
    whole = signals[signals["signal_type"] == signal_type]
    if whole.empty:
        return None
    contributions = con.execute(CONTRIBUTIONS_SQL.format(where="year = ? and gemeente_code = ?"),
                                [year, gemeente_code]).df()
    return whole, contributions, read_published(con, gemeente_code, year)


# The tables protected beside a signal type's table (_beside_cube: row 5 per soort and status,
# rows 6 and 9 per kind), each by the signal type it is protected beside (`table_key`), as last
# published: the state of the model beside_protection_by_gemeente (migration 0085). The next
# version of a table is protected beside it.
BESIDE_TABLE = "published_beside_patterns"
BESIDE_SCHEMA = pa.schema([
    ("gemeente_code", pa.string()), ("year", pa.int32()), ("table_key", pa.string()),
    ("threshold", pa.int32()), ("soorten", pa.list_(pa.string())),
    ("kinds", pa.list_(pa.string())), ("counts", pa.list_(pa.float64())),
    ("hidden", pa.list_(pa.bool_())), ("breakdown", pa.bool_()),
])
# The rows of beside_protection_by_gemeente: every cell of such a table with its totals
BESIDE_CELLS_SCHEMA = pa.schema([
    ("gemeente_code", pa.string()), ("year", pa.int32()), ("table_key", pa.string()),
    ("soort", pa.string()), ("signal_kind", pa.string()), ("children_count", pa.float64()),
    ("hidden", pa.bool_()), ("breakdown", pa.bool_()), ("table_digest", pa.string()),
])
BESIDE_COLUMNS = ["soort", "signal_kind", "age_group", "wijk_code", "organisation",
                  "named_organisation", "children_count"]


@dataclass(frozen=True)
class BesidePattern:
    """One table protected beside a signal's table as last published: its soorten and kinds, and
    counts and hidden of every cell with its totals (the last row and column), made with the
    smallest count `threshold`; `breakdown` False where only its totals row was shown."""

    soorten: list
    kinds: list
    counts: np.ndarray
    hidden: np.ndarray
    breakdown: bool
    threshold: int

    def kept_soorten(self) -> set:
        """The soorten with a cell hidden as a cell (not in a version that showed only its totals
        row): the next version keeps them, as a line of 0s where none is delivered any more, so
        that what was hidden stays hidden. Left out, the totals (the signal's) dropped by their
        count and were protected without them: old total minus new gave a hidden count back."""
        hidden = self.hidden[:-1, :-1]
        if not self.breakdown:
            hidden = hidden & (self.counts[:-1, :-1] > 0)
        return {soort for soort, row in zip(self.soorten, hidden, strict=True) if row.any()}

    def aligned(self, soorten: list, kinds: list) -> tuple[np.ndarray, np.ndarray]:
        """(counts, hidden) on the soorten and kinds of a new version, totals last: a cell the
        published version did not have counts as a shown 0, and so does a 0 of a version that
        showed only its totals row (its other rows were left out as a whole, not hidden cell by
        cell: a 0 kept hidden in the next version would be a hidden 0 that told nothing before)."""
        index = [np.array([{v: i for i, v in enumerate(old)}.get(v, -1) for v in new] + [len(old)])
                 for old, new in ((self.soorten, soorten), (self.kinds, kinds))]
        present = (index[0] >= 0)[:, None] & (index[1] >= 0)[None, :]
        cells = np.ix_(*(np.maximum(i, 0) for i in index))
        counts, hidden = self.counts[cells], self.hidden[cells]
        if not self.breakdown:
            hidden = hidden & (counts > 0)
        return np.where(present, counts, 0.0), np.where(present, hidden, False)


def beside_patterns(rows: pa.Table) -> dict[tuple, BesidePattern]:
    """The rows of BESIDE_TABLE by (gemeente_code, year, table_key)."""
    patterns = {}
    for row in rows.to_pylist():
        shape = (len(row["soorten"]) + 1, len(row["kinds"]) + 1)
        patterns[(row["gemeente_code"], int(row["year"]), row["table_key"])] = BesidePattern(
            list(row["soorten"]), list(row["kinds"]),
            np.asarray(row["counts"], dtype=float).reshape(shape),
            np.asarray(row["hidden"], dtype=bool).reshape(shape), bool(row["breakdown"]),
            int(row["threshold"]))
    return patterns


def read_beside(con: duckdb.DuckDBPyConnection, gemeente_code: str, year: int
                ) -> dict[str, BesidePattern]:
    """The tables of one gemeente and year protected beside a signal's table as published, by
    table_key (none before migration 0085)."""
    if not has_table(con, BESIDE_TABLE):
        return {}
    rows = con.sql(f"select * from {BESIDE_TABLE} where gemeente_code = ? and year = ?",
                   params=[gemeente_code, year]).to_arrow_table()
    return {key[2]: pattern for key, pattern in beside_patterns(rows).items()}


# Tekorten's observed BSO need of so and sbo pupils per wijk (vso_bso_by_wijk) is kept in
# published_beside_patterns too: per wijk (its `soorten`) one kind
BSO_NEED_KEY, BSO_NEED_KIND = "vso_bso_need", "bso_nodig"


def bso_need_wijken(wijken, stored: BesidePattern | None = None) -> list:
    """The wijken of Tekorten's observed BSO need (bso_need_table), in order: those with pupils
    (`wijken`) and those whose need the table as published before (`stored`) hid, kept as a 0
    where none are left: left out, the gemeente total dropped by its need and was protected
    without it, and the total before minus the one after gave a hidden need back."""
    kept = stored.kept_soorten() if stored is not None and stored.threshold == min_count() else set()
    return sorted(set(wijken) | kept)


def bso_need_table(cube: JointCube | None, wijken: list, need: pd.DataFrame,
                   stored: BesidePattern | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Tekorten's observed BSO need of so and sbo pupils per wijk (`wijken`, in this order) with
    its gemeente total, from `need` (rows wijk_code, organisation, bso_needed_observed_count and
    optionally named_organisation, the school): a count of its own, protected with each
    organisation's and each school's share (protect_cube: the contributor rule, each one's view)
    and hidden where its pupils are. The pupils are the cells
    so_ingeschreven 4-12 of the signal's one protected table (`cube`; None: all hidden): a wijk
    whose pupils are hidden is left out (protect_cube's `unshown`: hidden in the total's line, so
    that it never stands alone there), and where their gemeente total is hidden, so is the
    need's. Beside the table as published before (`stored`, as _beside_cube), so that a
    correction moves no second hidden wijk onto one shown before. Returns (counts, hidden), wijken
    x (the need, its row total) with the gemeente total last."""
    kind, age = "so_ingeschreven", "4-12"
    pupils_hidden, total_hidden = np.ones(len(wijken), dtype=bool), True
    if cube is not None and kind in cube.kinds and age in cube.ages:
        k, a = cube.kinds.index(kind), cube.ages.index(age)
        pupils_hidden = np.array([bool(cube.hidden[cube.row_of[code], k, a]) if code in cube.row_of
                                  else True for code in wijken], dtype=bool)
        total_hidden = bool(cube.hidden[-1, k, a])
    # in one order wherever it is protected (an organisation's place orders its view)
    need = need.fillna({"organisation": ""}).sort_values(["wijk_code", "organisation"])
    organisations = list(dict.fromkeys(need["organisation"]))
    parts = np.zeros((max(len(organisations), 1), len(wijken), 1))
    for row in need.itertuples(index=False):
        if not pd.isna(row.bso_needed_observed_count):
            parts[organisations.index(row.organisation), wijken.index(row.wijk_code), 0] += (
                row.bso_needed_observed_count)
    # a school a row names knows its own pupils' need (with what it delivered itself)
    count, pairs = (0, []) if "named_organisation" not in need else named_parties(
        need["named_organisation"].tolist(), need["organisation"].tolist())
    knowers = np.zeros((count, len(wijken), 1))
    rows = list(need.itertuples(index=False)) if pairs else []
    for at, k in pairs:
        if not pd.isna(rows[at].bso_needed_observed_count):
            knowers[k, wijken.index(rows[at].wijk_code), 0] += rows[at].bso_needed_observed_count
    previous = None
    if stored is not None and stored.threshold == min_count():
        previous = stored.aligned(list(wijken), [BSO_NEED_KIND])
    counts, hidden = protect_cube(parts, unshown=pupils_hidden[:, None], previous=previous,
                                  knowers=knowers if count else None)
    hidden[:-1] |= pupils_hidden[:, None]  # also a 0 beside hidden pupils, as the pupils are
    if total_hidden:
        hidden[-1] = True
    return counts, hidden


def _table_heads(frame: pd.DataFrame) -> dict[tuple, dict]:
    """(gemeente_code, year, table_key) -> the table's row that carries the signal's pattern
    (carries_pattern), with `digest`: a digest of the table's input, its rows (BESIDE_COLUMNS, in
    any order) and the pattern it is protected beside (input digest, smallest count, counts and
    hidden)."""
    if frame.empty:
        return {}
    keys = ["gemeente_code", "year", "table_key"]
    # each row hashed once (vectorised); the rows of a table combined as a sum and a count: their
    # order is no input
    row_hash = pd.util.hash_pandas_object(frame[BESIDE_COLUMNS], index=False).to_numpy(dtype=np.uint64)
    table = frame.groupby(keys, sort=False, dropna=False).ngroup().to_numpy()
    sums = np.zeros(table.max() + 1, dtype=np.uint64)
    np.add.at(sums, table, row_hash)
    sizes = np.bincount(table)
    carries = frame["carries_pattern"].to_numpy(dtype=bool)
    heads = {}
    for position, head in zip(np.flatnonzero(carries).tolist(), frame[carries].to_dict("records"),
                              strict=True):
        digest = hashlib.md5(f"{head['input_digest']}|{head['threshold']}|{sums[table[position]]}|"
                             f"{sizes[table[position]]}|".encode())
        digest.update(np.asarray(head["counts"], dtype=float).tobytes())
        digest.update(np.asarray(head["hidden"], dtype=bool).tobytes())
        head["digest"] = digest.hexdigest()
        heads[(head["gemeente_code"], head["year"], head["table_key"])] = head
    return heads


def protected_beside_tables(rows: pa.Table, previous: pa.Table | None = None,
                            published: pa.Table | None = None) -> tuple[pa.Table, pa.Table]:
    """The model beside_protection_by_gemeente: every table protected beside a signal type's one
    protected table (row 5 beside speciaal_onderwijs, the waiting lists per kind beside their
    signals) protected as Analysevragen protects it (_beside_cube, on the signal's table as
    published in this build: the rows carry its pattern), beside its own pattern as published
    before (`published`, rows of BESIDE_TABLE), so that a corrected upload moves no second
    hidden cell onto one shown before. A table whose input (`table_digest`: its rows and the
    signal's pattern) is that of a table in `previous` (what this model stored before, made by the
    same code) and that was published keeps those rows and its published pattern: same input, same
    protection (as signals_protection_by_wijk), so a build computes only the tables that changed
    (all tables of Nederland: 1,368 in the benchmark, 4 ms each). Returns (the model's rows, the
    patterns published that changed: rows of BESIDE_SCHEMA)."""
    threshold = min_count()
    stored = beside_patterns(published) if published is not None else {}
    # each stored table's positions in `previous`: its rows are taken over as they are (Arrow),
    # not turned into Python values and back (18,000 rows in a national build)
    kept: dict[tuple, list[int]] = {}
    if previous is not None and previous.num_rows and "table_digest" in previous.column_names:
        previous = previous.select(BESIDE_CELLS_SCHEMA.names).cast(BESIDE_CELLS_SCHEMA)
        names = ("gemeente_code", "year", "table_key", "table_digest")
        for position, key in enumerate(zip(*(previous.column(name).to_pylist() for name in names),
                                           strict=True)):
            kept.setdefault(key, []).append(position)
    frame = rows.to_pandas()
    heads = _table_heads(frame)
    positions = None  # each table's rows, found once a table must be protected again
    # the model's rows in order: runs of positions in `previous` (kept tables) and of new cells
    parts: list[tuple[str, list]] = []
    patterns = []
    for (gemeente_code, year, table_key), first in sorted(heads.items()):
        if first["threshold"] != threshold:
            continue  # the signal's table is made again with this smallest count first
        digest = first["digest"]
        same = kept.get((gemeente_code, int(year), table_key, digest))
        if same is not None and (gemeente_code, int(year), table_key) in stored:
            if not parts or parts[-1][0] != "kept":
                parts.append(("kept", []))
            parts[-1][1].extend(same)
            continue
        if positions is None:
            positions = frame.groupby(["gemeente_code", "year", "table_key"], sort=False).indices
        part = frame.iloc[positions[(gemeente_code, year, table_key)]]
        wijken, kinds, ages = list(first["wijken"]), list(first["kinds"]), list(first["ages"])
        shape = (len(wijken) + 1, len(kinds) + 1, len(ages) + 1)
        cube = JointCube({code: i for i, code in enumerate(wijken)}, kinds, ages,
                         np.asarray(first["counts"], dtype=float).reshape(shape),
                         np.asarray(first["hidden"], dtype=bool).reshape(shape))
        before = stored.get((gemeente_code, int(year), table_key))
        if table_key == BSO_NEED_KEY:
            if part["children_count"].isna().all():
                continue  # no partner delivered the need: Tekorten shows none
            soorten, statuses, breakdown = bso_need_wijken(part["wijk_code"], before), [BSO_NEED_KIND], True
            counts, hidden = bso_need_table(cube, soorten, part.rename(
                columns={"children_count": "bso_needed_observed_count"}), before)
        else:
            # in the order the pages read them (an organisation's place in it orders its view)
            table = part[BESIDE_COLUMNS].sort_values(BESIDE_COLUMNS[:-1], na_position="last")
            soorten, statuses, counts, hidden, breakdown = _beside_cube(
                cube, table.reset_index(drop=True), vso_alle=table_key == SO_TYPE,
                total_shown=table_key != SO_TYPE, stored=before)
        patterns.append({"gemeente_code": gemeente_code, "year": int(year), "table_key": table_key,
                         "threshold": threshold, "soorten": soorten, "kinds": statuses,
                         "counts": counts.ravel().tolist(), "hidden": hidden.ravel().tolist(),
                         "breakdown": bool(breakdown)})
        if not parts or parts[-1][0] != "new":
            parts.append(("new", []))
        cells = parts[-1][1]
        for t, soort in enumerate([*soorten, TOTAL_LABEL]):
            for k, kind in enumerate([*statuses, TOTAL_LABEL]):
                cells.append({"gemeente_code": gemeente_code, "year": int(year),
                              "table_key": table_key, "soort": soort, "signal_kind": kind,
                              "children_count": float(counts[t, k]), "hidden": bool(hidden[t, k]),
                              "breakdown": bool(breakdown), "table_digest": digest})
    tables = [previous.take(pa.array(rows_of, type=pa.int64())) if kind == "kept" else
              pa.Table.from_pylist(rows_of, schema=BESIDE_CELLS_SCHEMA) for kind, rows_of in parts]
    return (pa.concat_tables(tables) if tables else BESIDE_CELLS_SCHEMA.empty_table(),
            pa.Table.from_pylist(patterns, schema=BESIDE_SCHEMA))
