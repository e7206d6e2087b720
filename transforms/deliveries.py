"""Which rows of the handreiking's data table a gemeente has, from whom, and what is missing."""

from __future__ import annotations

from collections.abc import Iterable

import duckdb
import pandas as pd

from data_sources.config import min_count
from data_sources.registrations.schemas import REGISTRATION_TYPES
from transforms.labels import CBS_DATASET_LABELS
from transforms.partner_tables import read_published

MAX_NAMED_WIJKEN = 5
# The signal table (signals_by_wijk, int_signals__partner_counts) each registration type is
# counted in, per wijk: its published pattern says which wijk totals the pages hide
SIGNAL_TYPES = {"vve-indicaties": "vve_indicaties", "jeugdhulp": "jeugdhulp",
                "speciaal-onderwijs": "speciaal_onderwijs", "extra-ondersteuning": "extra_ondersteuning",
                "ondersteuningstrajecten": "ondersteuningstrajecten", "wachtlijst-so": "wachtlijst_so",
                "wachtlijst-zorg": "wachtlijst_zorg"}
# The wijken of a registration whose figures are not released to the reader (README "Vrijgave")
WITHHELD = "niet vrijgegeven"
# Registration types the pages show per wijk, where a wijk without rows in a delivery reads 0
# (the signals; row 10's plus-group and KDC/MKD places): 'geen rijen' there is not 'niet geleverd'
# (no partner delivered for the gemeente and year), and the overview says so beside the names.
# Not the BRP (a wijk without rows gets the CBS estimate) nor row 3 (used for the whole gemeente).
PER_WIJK_AS_ZERO = {*SIGNAL_TYPES, "groepsgrootte"}
SHOWN_AS_ZERO = " (op de pagina's 0)"
STATUS_COLUMNS = ["rij", "gegevens", "soort", "geleverd_door", "organisaties", "periode",
                  "wijken", "laatst_geleverd", "ontbreekt"]


def dataset_label(dataset: str) -> str:
    """A load's dataset (loads.dataset) as a reader names it: a registration type by its label
    ('Kinderen met een extra ondersteuningsbehoefte', not 'extra-ondersteuning'), a CBS table by
    its title, the LRK export as such."""
    if dataset in REGISTRATION_TYPES:
        return REGISTRATION_TYPES[dataset].label
    if dataset == "lrk-locaties":
        return "LRK-export"
    return CBS_DATASET_LABELS.get(dataset, dataset)


def delivery_status(con: duckdb.DuckDBPyConnection, gemeente_code: str,
                    year: int | None = None, withheld: Iterable[str] = ()) -> pd.DataFrame:
    """One row per row of the handreiking's table (1-10): who delivered it (active uploads), for
    which periods, how many of the gemeente's wijken it covers, when, and what is still missing
    (nothing delivered, nothing for `year`, or wijken without rows). For the registration types in
    `withheld` (keys; figures not released to the reader) the wijken are left out: which wijken
    have rows, and which report 0, says where children are."""
    withheld = set(withheld)
    wijken = dict(con.execute(
        "select region_code, arg_max(region_name, year) from regions"
        " where gemeente_code = ? and region_level = 'wijk' group by region_code",
        [gemeente_code],
    ).fetchall())
    rows = []
    for rtype in sorted(REGISTRATION_TYPES.values(), key=lambda t: t.handreiking_row):
        loads = con.execute(
            "select load_id, organisation, period, year, loaded_at from loads"
            " where status = 'active' and dataset = ? and gemeente_code = ?"
            " and source in ('partner', 'brp') order by loaded_at",
            [rtype.key, gemeente_code],
        ).fetchall()
        covered = _covered_wijken(con, rtype.target, [r[0] for r in loads])
        zero = _zero_wijken(con, rtype.target, [r[0] for r in loads]) & covered
        # a wijk without rows, or whose rows all say 0, has 0 children in every cell: said
        # only where the pages show its total (as 0). Where they hide it (a count hidden in the
        # version before and 0 now stays hidden), the old totals minus the new would give its
        # hidden counts back; it is then a wijk with rows like any other
        hidden_totals = _hidden_wijk_totals(con, rtype.key, gemeente_code, {r[3] for r in loads})
        covered |= hidden_totals
        zero -= hidden_totals
        organisations = {r[1] for r in loads if r[1]}
        shown_wijken = f"{len(covered & set(wijken))} van {len(wijken)}" if loads else ""
        if loads and rtype.key in withheld:
            covered, zero, shown_wijken = set(wijken), set(), WITHHELD
        if zero:
            # a wijk with rows that all say 0 is '0 gemeld', not 'niet geleverd'
            shown_wijken += f" ({len(zero & set(wijken))} met 0 gemeld)"
        row = {
            "rij": rtype.handreiking_row,
            "gegevens": rtype.label,
            "soort": rtype.key,
            "geleverd_door": ", ".join(sorted(organisations)),
            "organisaties": _organisations(con, rtype, loads, gemeente_code, year,
                                           len(organisations)),
            "periode": ", ".join(sorted({r[2] for r in loads if r[2]})),
            "wijken": shown_wijken,
            "laatst_geleverd": max((r[4] for r in loads), default=None),
        }
        missing = []
        if not loads:
            # who provides it: a room that did not prepare knows whom to ask (README "Presentatie")
            missing.append(f"nog niet aangeleverd (levert: {rtype.supplier})")
        else:
            if year is not None and not any(r[3] == year for r in loads):
                missing.append(f"niets voor {year}")
            absent = sorted(set(wijken) - covered, key=lambda code: wijken[code] or code)
            if absent:
                names = [wijken[code] or code for code in absent[:MAX_NAMED_WIJKEN]]
                more = len(absent) - len(names)
                without_rows = (
                    f"geen rijen voor {len(absent)} wijk{'en' if len(absent) > 1 else ''}: "
                    + ", ".join(names) + (f" en {more} meer" if more else "")
                    # only where the year's pages read the delivery (not beside 'niets voor')
                    + (SHOWN_AS_ZERO if rtype.key in PER_WIJK_AS_ZERO and not missing else ""))
                if rtype.target == "brp":
                    # the BRP covers the whole gemeente: a wijk it lacks gets the CBS estimate
                    missing.append(without_rows)
                else:
                    # a partner's delivery had nothing to report there: said beside its wijken,
                    # not owed (docs/aanleveren.md "Wat ontbreekt nog"), so the row counts as complete
                    row["wijken"] += f"; {without_rows}"
        if rtype.target == "brp":
            cbs = con.execute(
                "select count(*) from loads where status = 'active' and gemeente_code = ?"
                " and dataset = 'bevolking-leeftijd'", [gemeente_code]).fetchone()[0]
            if cbs:
                row["geleverd_door"] = ", ".join(filter(None, ["CBS", row["geleverd_door"]]))
                if not loads:
                    missing = ["geen BRP-uittreksel: de CBS-schatting wordt gebruikt"]
                elif year is not None and f"niets voor {year}" in missing:
                    missing[missing.index(f"niets voor {year}")] = (
                        f"geen BRP-uittreksel voor {year}: de CBS-schatting wordt gebruikt")
        # 'niets' would claim every wijk, which the reader of a withheld row is not told
        row["ontbreekt"] = "; ".join(missing) or (WITHHELD if shown_wijken == WITHHELD else "niets")
        rows.append(row)
    return pd.DataFrame(rows, columns=STATUS_COLUMNS)


def _hidden_wijk_totals(con: duckdb.DuckDBPyConnection, registration: str, gemeente_code: str,
                        years: Iterable[int | None]) -> set[str]:
    """The wijken whose total of the registration's signal table the pages hide in a year of its
    active uploads (published_signal_patterns, the pattern every page and export shows)."""
    signal_type = SIGNAL_TYPES.get(registration)
    if signal_type is None:
        return set()
    hidden = set()
    for year in years:
        if year is None:
            continue
        pattern = read_published(con, gemeente_code, int(year)).get((gemeente_code, int(year), signal_type))
        # a pattern of another smallest count is not what the pages show (they protect afresh,
        # and nothing hidden then is 0 now)
        if pattern is not None and pattern.threshold == min_count():
            hidden |= {wijk for w, wijk in enumerate(pattern.wijken) if pattern.hidden[w, -1, -1]}
    return hidden


def _covered_wijken(con: duckdb.DuckDBPyConnection, target: str, load_ids: list[int]) -> set[str]:
    if not load_ids:
        return set()
    if target == "brp":
        found = con.execute(
            "select distinct case when region_code like 'BU%' then 'WK' || substr(region_code, 3, 6)"
            " else region_code end from raw_brp__population where load_id in (select unnest(?))",
            [load_ids],
        ).fetchall()
    else:
        found = con.execute(
            "select distinct wijk_code from raw_partner__registration_rows"
            " where load_id in (select unnest(?))",
            [load_ids],
        ).fetchall()
    return {r[0] for r in found}


def _zero_wijken(con: duckdb.DuckDBPyConnection, target: str, load_ids: list[int]) -> set[str]:
    if not load_ids or target == "brp":
        return set()
    found = con.execute(
        "select wijk_code from raw_partner__registration_rows where load_id in (select unnest(?))"
        " group by wijk_code having max(coalesce(try_cast(json_extract_string(payload,"
        " '$.children_count') as integer), 0)) = 0",
        [load_ids],
    ).fetchall()
    return {r[0] for r in found}


def _organisations(con: duckdb.DuckDBPyConnection, rtype, loads: list, gemeente_code: str,
                   year: int | None, delivered: int) -> str:
    """How many organisations delivered; for the childcare rows (with a location column) also how
    many of the gemeente's LRK locations appear in the delivery, so that a partial delivery is
    not read as the whole gemeente."""
    if not loads:
        return "0"
    text = str(delivered)
    if "location_name" not in {c.name for c in rtype.columns} or rtype.target != "partner":
        return text
    # the locations the supply counts (stg_lrk__locations: the export that counts for the
    # gemeente, registered ones only), not every stored export and status
    lrk = con.execute(
        "with chosen as (select nearest_year(year, ?) as year"
        " from stg_lrk__locations where gemeente_code = ?)"
        " select count(distinct lrk_id) from stg_lrk__locations as l, chosen"
        " where l.gemeente_code = ? and l.year = chosen.year"
        " and l.provision_type in ('KDV', 'BSO', 'VGO')",
        [year if year is not None else 9999, gemeente_code, gemeente_code],
    ).fetchone()[0]
    if not lrk:
        return text
    locations = con.execute(
        "select count(distinct json_extract_string(payload, '$.location_name'))"
        " from raw_partner__registration_rows where load_id in (select unnest(?))",
        [[r[0] for r in loads]],
    ).fetchone()[0]
    return f"{text} ({locations} locaties; het LRK telt er {lrk})"
