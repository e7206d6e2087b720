"""Exportable tables (a registry) and safe writers for Excel, CSV; the same suppression as the screen."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import duckdb
import pandas as pd

from data_sources.config import min_count
from data_sources.store import has_table
from data_sources.text import table_shown
from transforms import deliveries as deliveries_model
from transforms.indeling import gemeente_note, indeling_of
from transforms.labels import (
    COMPONENT_SHORT_LABELS,
    LOAD_SOURCE_LABELS,
    NOEMER_RULE,
    NOEMER_WORDS,
    ROW_10_NOT_DELIVERED,
    lrk_year_text,
    on_the_pages,
    regular_places_children,
    supply_unit_text,
)
from transforms.partner_tables import dagbehandeling, protected_gap, provisions_hidden
from transforms.population import (
    AGE_GROUP_CONTENTS,
    AGE_GROUP_LABELS,
    ESTIMATES_NOT_HIDDEN,
    MODEL_HIDDEN_SQL,
    POPULATION_SQL,
    PUBLISHED_SQL,
    PUBLISHED_TABLE,
    UNKNOWN_SQL,
    PopulationTable,
    figure_kind,
    model_hidden_note,
    population_missing_text,
    profile_mismatch_text,
    protect_population,
    source_break_note,
    source_kind,
    source_note,
    sources_label,
)
from transforms.privacy import (
    ROW_COUNT_NOTE,
    TOTAL_LABEL,
    SuppressedTable,
    estimate_range,
    format_number,
    hidden_label,
    hidden_rule,
    round_estimate,
    shown_estimate,
    shown_figure,
    without_child_row_counts,
)

# A spreadsheet treats text starting with one of these as a formula (or DDE in old Excel).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Sheet:
    """One exported table: `frame` holds numbers, or text where a count is hidden ('afgeschermd')."""

    title: str
    frame: pd.DataFrame
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ExportTable:
    """An exportable table: `build(con, gemeente_code, year)` returns a Sheet, or None
    when there is nothing to show. `requires` names tables that must exist (marts of other parts)."""

    key: str
    title: str
    build: Callable[[duckdb.DuckDBPyConnection, str, int], Sheet | None]
    requires: tuple[str, ...] = ()


def existing_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Names of the tables and views in the store."""
    rows = con.execute("select table_name from information_schema.tables").fetchall()
    return {name for (name,) in rows}


def available_tables(con: duckdb.DuckDBPyConnection,
                     tables: list[ExportTable] | None = None) -> list[ExportTable]:
    """The tables (default EXPORT_TABLES) whose required marts exist in this store, in order."""
    present = existing_tables(con)
    return [t for t in (EXPORT_TABLES if tables is None else tables) if set(t.requires) <= present]


# A wijk whose children CBS keeps secret, in an export (as on Overzicht)
UNKNOWN_LABEL = "onbekend (CBS geheim)"


def with_unknown_rows(frame: pd.DataFrame, unknown: dict[str, str]) -> pd.DataFrame:
    """A table per wijk (columns Wijkcode, Wijk, figures; the total row last) with a row
    'onbekend (CBS geheim)' for each wijk of `unknown` (code -> name, unknown_wijken) instead of
    leaving it out; rows by code, the total still last."""
    if not unknown:
        return frame
    value_columns = [c for c in frame.columns if c not in ("Wijkcode", "Wijk")]
    rows = pd.DataFrame([{"Wijkcode": code, "Wijk": name, **dict.fromkeys(value_columns, UNKNOWN_LABEL)}
                         for code, name in unknown.items()], dtype=object)
    is_total = frame["Wijkcode"] == TOTAL_LABEL
    wijken = pd.concat([frame[~is_total].astype(object), rows], ignore_index=True)
    return pd.concat([wijken.sort_values("Wijkcode", kind="stable"), frame[is_total].astype(object)],
                     ignore_index=True)


# The column of the table Per wijk that names the route of each wijk's figures, as on Overzicht
SOURCE_COLUMN = "Bron"


def children_per_wijk(population: PopulationTable, unknown: dict[str, str]) -> pd.DataFrame:
    """The table Per wijk of Overzicht as every file gives it (the page's downloads, the workbook,
    the CSV of the command, the report): columns Wijkcode, Wijk, the age groups and Totaal as
    shown, and Bron, the route of each wijk's figures as the page says it ('BRP (telling)', 'kwb,
    gelijk verdeeld'; before, the files left it out and a CSV of estimates read as a count); a row
    'onbekend (CBS geheim)' for each wijk of `unknown` (unknown_wijken), the total last."""
    frame = shown_frame(population.suppressed_table()).rename(
        columns={"wijk_code": "Wijkcode", "wijk_name": "Wijk"})
    frame[SOURCE_COLUMN] = [*(population.source_label(row) for row in range(len(population.wijk_codes))), ""]
    return with_unknown_rows(frame, unknown)


def population_table(con: duckdb.DuckDBPyConnection, gemeente_code: str, year: int) -> PopulationTable:
    """The protected wijk x age group table of a gemeente and year, with the same protection as on
    screen (transforms.population, beside the pattern the build published)."""
    published = (con.execute(PUBLISHED_SQL, [gemeente_code, year]).fetchall()
                 if has_table(con, PUBLISHED_TABLE) else [])
    return protect_population(con.execute(POPULATION_SQL, [gemeente_code, year]).fetchall(),
                              published=published)


def children_table(con: duckdb.DuckDBPyConnection, gemeente_code: str, year: int
                   ) -> tuple[SuppressedTable, bool, str]:
    """population_table as (table, is_estimate, source)."""
    table = population_table(con, gemeente_code, year)
    return table.suppressed_table(), table.is_estimate, table.source


def population_missing(con: duckdb.DuckDBPyConnection, gemeente_code: str, year: int) -> str:
    """What is missing to count or estimate the children of a gemeente and year and where to load
    it, as the pages say it (transforms.population.population_missing_text), in plain text for a
    file or a terminal."""
    text = population_missing_text(lambda sql, params: con.execute(sql, params).fetchall(), gemeente_code,
                                   year, gemeente_name(con, gemeente_code), where=on_the_pages)
    return text.replace("**", "")


def profile_mismatch(con: duckdb.DuckDBPyConnection, gemeente_code: str, year: int, source: str) -> str:
    """Overzicht's warning when the route 'CBS 03759ned × kwb' (in `source`) stands on a 03759ned
    and a kwb that disagree on the gemeente's children (transforms.population
    profile_mismatch_text), in plain text for a file; '' when they agree or the route is another."""
    if "cbs-schatting" not in source:
        return ""
    text = profile_mismatch_text(lambda sql, params: con.execute(sql, params).fetchall(), gemeente_code,
                                 year, gemeente_name(con, gemeente_code), where=on_the_pages)
    return text.replace("**", "")


def suppression_note(threshold: int, counts: bool = True) -> str:
    """The rule, in Dutch, for every export; without `counts` (the figures are estimates alone,
    no count of children from the BRP or partners behind them) that they are rounded, not hidden,
    as Overzicht says it (PopulationTable.protection_note)."""
    if not counts:
        return ESTIMATES_NOT_HIDDEN
    return f"{hidden_rule(threshold)} Schattingen zijn afgerond."


COUNTS_SQL = """
    select count(*) from loads
    where status = 'active' and gemeente_code = ? and source in ('partner', 'brp')
"""


def holds_counts(con: duckdb.DuckDBPyConnection, gemeente_code: str) -> bool:
    """Whether any count of children (an active BRP or partner delivery) is behind the figures of a
    gemeente; without one, every figure is an estimate from public CBS figures and the model."""
    return bool(con.execute(COUNTS_SQL, [gemeente_code]).fetchone()[0])


def shown_frame(table: SuppressedTable) -> pd.DataFrame:
    """Numbers where visible, the hidden label where hidden (for export: numbers stay numbers),
    and in a table of estimates '<1' between 0 and 1, as the pages show it (shown_figure)."""
    label = hidden_label()
    shown = table.values.copy().astype(object)
    figure = shown_figure if table.estimate or table.model else (lambda value: value)
    for column in table.value_columns:
        shown[column] = [label if hide else figure(value)
                         for value, hide in zip(table.values[column], table.hidden[column], strict=True)]
    return shown


def years(con: duckdb.DuckDBPyConnection, gemeente_code: str) -> list[int]:
    """Years with population figures for a gemeente, oldest first."""
    rows = con.execute("select distinct year from population_by_wijk_age where gemeente_code = ? order by year",
                       [gemeente_code]).fetchall()
    return [int(y) for (y,) in rows]


def wijk_rows_over_years(con: duckdb.DuckDBPyConnection, gemeente_code: str, wijk_code: str | None
                         ) -> tuple[pd.DataFrame, pd.DataFrame, dict[int, str]]:
    """Per year the row of one wijk (or the gemeente total, wijk_code None) taken from that year's
    protected table, so that no year shows a cell another view hides. Returns (values, hidden,
    sources), values and hidden indexed by year, columns the age groups and the total; sources:
    year -> the route of that year's figures (PopulationTable.source: 'brp', 'cbs-schatting', ...),
    for transforms.population.sources_by_year_text."""
    value_rows, hidden_rows, sources = [], [], {}
    for year in years(con, gemeente_code):
        table, _, source = children_table(con, gemeente_code, year)
        if wijk_code is None:
            index = table.values.index[-1]
        else:
            matches = table.values.index[table.values["wijk_code"] == wijk_code]
            if len(matches) == 0:
                continue
            index = matches[0]
        sources[int(year)] = source
        columns = table.value_columns
        value_rows.append(pd.Series(table.values.loc[index, columns].astype(float).to_numpy(), index=columns,
                                    name=year))
        hidden_rows.append(pd.Series(table.hidden.loc[index, columns].astype(bool).to_numpy(), index=columns,
                                     name=year))
    if not value_rows:
        empty = pd.DataFrame(columns=[*AGE_GROUP_LABELS, TOTAL_LABEL])
        return empty, empty, sources
    return pd.DataFrame(value_rows), pd.DataFrame(hidden_rows), sources


def wijken(con: duckdb.DuckDBPyConnection, gemeente_code: str, year: int) -> dict[str, str]:
    """wijk_code -> wijk_name of a gemeente and year (from the population mart)."""
    rows = con.execute(
        "select distinct wijk_code, wijk_name from population_by_wijk_age"
        " where gemeente_code = ? and year = ? order by wijk_code", [gemeente_code, year]).fetchall()
    return dict(rows)


def unknown_wijken(con: duckdb.DuckDBPyConnection, gemeente_code: str, year: int) -> dict[str, str]:
    """wijk_code -> wijk_name of the wijken whose children CBS keeps secret that year (a_00_14
    '.'), without a count of their own: not in `wijken`, yet part of the gemeente."""
    table = protect_population([], con.execute(UNKNOWN_SQL, [gemeente_code, year]).fetchall())
    return dict(table.unknown_wijken)


def unknown_note(con: duckdb.DuckDBPyConnection, gemeente_code: str, year: int) -> str:
    """The sentence naming the wijken of unknown_wijken (PopulationTable.unknown_note), or ''."""
    return protect_population([], con.execute(UNKNOWN_SQL, [gemeente_code, year]).fetchall()).unknown_note()


def gemeente_name(con: duckdb.DuckDBPyConnection, gemeente_code: str) -> str:
    """The name of a gemeente from regions, or its code."""
    row = con.execute("select max(region_name) from regions where region_code = ? and region_level = 'gemeente'",
                      [gemeente_code]).fetchone()
    return row[0] if row and row[0] else gemeente_code


def _model_hidden(con, gemeente_code, year) -> list[str]:
    """The note on wijken and age groups the model leaves out (hidden BRP count), as a list of
    zero or one sentence for a sheet's notes."""
    note = model_hidden_note(con.execute(MODEL_HIDDEN_SQL, [gemeente_code, year]).fetchall())
    return [note] if note else []


def _children_per_wijk(con, gemeente_code, year):
    population = population_table(con, gemeente_code, year)
    table, is_estimate, source = population.suppressed_table(), population.is_estimate, population.source
    if table.values.empty:
        return None
    # Wijken whose children CBS keeps secret: a row 'onbekend (CBS geheim)' each, and a note.
    frame = children_per_wijk(population, unknown_wijken(con, gemeente_code, year)).rename(
        columns=AGE_GROUP_CONTENTS)
    kind = figure_kind(is_estimate, source)
    unknown = unknown_note(con, gemeente_code, year)
    mismatch = profile_mismatch(con, gemeente_code, year, source)
    return Sheet("Kinderen per wijk", frame,
                 [f"Kinderen per wijk en leeftijdsgroep in {year} ({kind}).", source_note(source, on_the_pages),
                  *([mismatch] if mismatch else []), *([unknown] if unknown else []),
                  population.protection_note()])


def _children_over_years(con, gemeente_code, year):
    values, hidden, sources = wijk_rows_over_years(con, gemeente_code, None)
    if values.empty:
        return None
    label = hidden_label()
    frame = values.map(shown_figure).astype(object).where(~hidden, label)
    frame.insert(0, "Jaar", [int(y) for y in values.index])
    frame.insert(1, "Bron", [source_kind(sources.get(int(y), "")) for y in values.index])
    frame = frame.rename(columns=AGE_GROUP_CONTENTS).reset_index(drop=True)
    notes = [f"Kinderen in de hele gemeente per jaar en leeftijdsgroep ({sources_label(sources)}); elk jaar "
             "zoals het in zijn eigen tabel per wijk staat. De kolom Bron zegt per jaar of het een telling "
             "of een schatting is.",
             suppression_note(min_count(), any("brp" in source.split(", ") for source in sources.values()))]
    if note := source_break_note(sources):
        notes.insert(1, note)
    # a herindeling in a year shown: the total's jump is (also) another area, as Continuüm says
    # (a table: no line to break)
    if herindeling := gemeente_note(indeling_of(con, gemeente_code), gemeente_name(con, gemeente_code),
                                    lines=False):
        notes.insert(1, herindeling)
    return Sheet("Kinderen per jaar", frame, notes)


def deliveries(con: duckdb.DuckDBPyConnection, gemeente_code: str) -> pd.DataFrame:
    """Active loads of a gemeente (and national ones): what was delivered, by whom, when; no row
    count of a delivery about children (transforms.privacy.without_child_row_counts). `table_id`
    as a user reads it (data_sources.text.table_shown): a CBS file without a table number by its
    name, not by the id Kindkaart made up for it."""
    loads = without_child_row_counts(con.execute(
        """
        select source, dataset, table_id, organisation, period, file_name, row_count, loaded_at
        from loads
        where status = 'active' and (gemeente_code = ? or gemeente_code is null)
        order by loaded_at desc, load_id desc
        """,
        [gemeente_code],
    ).df())
    return loads.assign(table_id=[table_shown(*load) for load in zip(
        loads["dataset"], loads["table_id"], loads["file_name"], strict=True)])


def _data_sources(con, gemeente_code, year):
    loads = deliveries(con, gemeente_code)
    frame = loads.assign(source=loads["source"].map(lambda s: LOAD_SOURCE_LABELS.get(s, s))).rename(columns={
        "source": "Bron", "dataset": "Gegevens", "table_id": "Tabel of soort", "organisation": "Organisatie",
        "period": "Periode", "file_name": "Bestand", "row_count": "Rijen", "loaded_at": "Geladen op"})
    return Sheet("Databronnen", frame, ["Alle actieve gegevenssets voor deze gemeente, nieuwste eerst.",
                                        ROW_COUNT_NOTE])


MODEL_AGE_LABELS = AGE_GROUP_CONTENTS
PERSPECTIVE_LABELS = {"beide": "beide", "passend": "passend", "inclusief": "inclusief"}


def _ranges(frame: pd.DataFrame, prefix: str) -> list[str]:
    return [estimate_range(lo, hi) if pd.notna(lo) else "niet geleverd"
            for lo, hi in zip(frame[f"{prefix}_low"], frame[f"{prefix}_high"], strict=True)]


def _rounded(values: pd.Series) -> list:
    # as the pages show a model figure: '<1' between 0 and 1 (shown_estimate)
    return [shown_estimate(v) if pd.notna(v) else "niet geleverd" for v in values]


def _observed(values: pd.Series) -> list:
    # supply as Tekorten, the wijk profile and the report show it: places are capacities (shared
    # over the age groups in proportion, so 0,99 of a gastouder's places for peuters), rounded
    # as they are, never '<1', which says a model estimate of children
    return [round_estimate(v) if pd.notna(v) else "niet geleverd" for v in values]


def _protected_cell(cell: tuple[float, bool] | None, threshold: int):
    """A protected count (count, hidden) as exported; none delivered for it is 0."""
    if cell is None:
        return 0
    return hidden_label() if cell[1] else int(cell[0])


def protected_cell_text(cell: tuple[float, bool] | None) -> str:
    """A protected count as the report writes it: the workbook's cell, as text."""
    value = _protected_cell(cell, min_count())
    return value if isinstance(value, str) else format_number(value)


LRK_NOT_LOADED = "niet geladen (LRK)"


def _hidden_where(values: list, hidden: pd.Series, label: str = "afgeschermd") -> list:
    return [label if hide else value for value, hide in zip(values, hidden, strict=True)]


def _demand_sheet(con, gemeente_code, year):
    frame = con.execute("""
        select wijk_code, wijk_name, age_group, niveau, niveau_name, noemer, children_low,
               children_mid, children_high
        from demand_by_wijk_niveau where gemeente_code = ? and year = ?
        order by wijk_code, age_group, niveau""", [gemeente_code, year]).df()
    if frame.empty:
        return None
    out = pd.DataFrame({
        "Wijkcode": frame["wijk_code"], "Wijk": frame["wijk_name"],
        "Leeftijdsgroep": frame["age_group"].map(MODEL_AGE_LABELS),
        "Niveau": frame["niveau"], "Omschrijving": frame["niveau_name"],
        "Noemer": frame["noemer"].map(NOEMER_WORDS),
        "Kinderen, schatting (laag-hoog)": _ranges(frame, "children"),
        "Kinderen, schatting midden (afgerond)": _rounded(frame["children_mid"]),
    })
    return Sheet("Vraag per wijk en niveau", out, [
        "Modeluitkomst met de standaardaannames: geschat aantal kinderen per niveau van het "
        f"continuüm. {NOEMER_RULE} Schattingen, afgerond (onder 100 op hele kinderen, daarboven op vijftallen); "
        "geen tellingen. Geldt voor beide perspectieven.", *_model_hidden(con, gemeente_code, year)])


def _gap_sheet(con, gemeente_code, year):
    frame = protected_gap(con, gemeente_code, year)
    if frame.empty:
        return None
    hidden = frame["supply_hidden"]
    # without an LRK export of the gemeente its regular places (and the opnamegrens that follows
    # from them) are unknown, not 0: no shortage of the whole demand
    unknown = frame["component"].isin(["reguliere_plekken", "opnamegrens"]) & frame["supply_year"].isna()

    def shown(values: list) -> list:
        return _hidden_where(_hidden_where(values, hidden), unknown, LRK_NOT_LOADED)

    out = pd.DataFrame({
        "Wijkcode": frame["wijk_code"], "Wijk": frame["wijk_name"],
        "Leeftijdsgroep": frame["age_group"].map(MODEL_AGE_LABELS),
        "Niveau": frame["niveau"],
        "Perspectief": frame["perspective"].map(PERSPECTIVE_LABELS),
        "Onderdeel": frame["component"].map(COMPONENT_SHORT_LABELS),
        "Kinderen, schatting (laag-hoog)": _ranges(frame, "demand"),
        "Kinderen per plek": _hidden_where([round(v, 2) if pd.notna(v) else "" for v in
                                            frame["children_per_place"]],
                                           frame["children_per_place_hidden"]),
        "Nodig, schatting (laag-hoog)": _ranges(frame, "need"),
        "Aanbod, waargenomen (afgerond)": _hidden_where(
            _hidden_where(_observed(frame["supply"]), hidden, hidden_label()), unknown, LRK_NOT_LOADED),
        "Eenheid": [supply_unit_text(c, u) for c, u in zip(frame["component"], frame["supply_unit"],
                                                             strict=True)],
        "Tekort (laag-hoog)": shown(_ranges(frame, "gap")),
        "Tekort midden (afgerond)": shown(_rounded(frame["gap_mid"])),
    })
    return Sheet("Tekort per wijk en niveau", out, [
        "Tekort = nodig min aanbod, in de eenheid van het aanbod: plekken (gelijktijdig; kinderen ÷ "
        "kinderen per plek) of kinderen. Positief: te weinig. Niveau 1 is de balans van de reguliere "
        f"plekken voor de {regular_places_children()}; niveau 3 staat per perspectief. "
        "Niveau 4 is regionaal: zie het blad Niveau 4. 'niet geleverd': geen partnergegevens (rij 7; "
        "plekken in plusgroepen: rij 10). "
        f"'{LRK_NOT_LOADED}': geen export van het Landelijk Register Kinderopvang geladen, dus plekken "
        "en tekort onbekend. "
        "Schattingen afgerond. Waar de kinderen die ondersteuning kregen (rij 7) zijn afgeschermd, "
        "is ook het tekort afgeschermd. " + suppression_note(min_count(), holds_counts(con, gemeente_code))
        + (f" Reguliere plekken en de opnamegrens: {lrk_year}" if (
            lrk_year := lrk_year_text(frame["supply_year"], year)) else ""),
        *_model_hidden(con, gemeente_code, year),
        *([ROW_10_NOT_DELIVERED] if _row_10_missing(frame[frame["component"] == "aparte_groep"],
                                                   "supply") else [])])


def _row_10_missing(frame: pd.DataFrame, column: str) -> bool:
    """Whether the plus-group or KDC/MKD places of `frame` were not delivered (row 10: null)."""
    return not frame.empty and bool(frame[column].isna().all())


def _niveau4_sheet(con, gemeente_code, year):
    frame = con.execute("""
        select age_group, demand_low, demand_high, places, children_per_place, gap_low, gap_high,
               dagbehandeling_count
        from niveau4_by_gemeente where gemeente_code = ? and year = ? order by age_group""",
        [gemeente_code, year]).df()
    if frame.empty:
        return None
    threshold = min_count()
    hidden = provisions_hidden(con, gemeente_code, year)
    cells = dagbehandeling(con, gemeente_code, year)
    # children ÷ children per place = places needed: the conversion between the two units
    frame["need_low"] = frame["demand_low"] / frame["children_per_place"]
    frame["need_high"] = frame["demand_high"] / frame["children_per_place"]
    out = pd.DataFrame({
        "Leeftijdsgroep": frame["age_group"].map(MODEL_AGE_LABELS),
        "Niveau 4, schatting over alle kinderen (laag-hoog)": _ranges(frame, "demand"),
        "Kinderen per plek": ["afgeschermd" if "kdc_mkd" in hidden else round(v, 2)
                              for v in frame["children_per_place"]],
        "Plekken nodig, gelijktijdig (laag-hoog)": _ranges(frame, "need"),
        "Plekken KDC/MKD, gelijktijdig (waargenomen)": _observed(frame["places"]),
        "Tekort in plekken (laag-hoog)": _ranges(frame, "gap"),
        "Jeugdhulp dagbehandeling, kinderen (waargenomen)": [
            "niet geleverd" if pd.isna(v) else _protected_cell(cells.get(age), threshold)
            for v, age in zip(frame["dagbehandeling_count"], frame["age_group"], strict=True)],
    })
    return Sheet("Niveau 4 (regionaal)", out, [
        "Niveau 4 (behandeling: KDC, MKD, DJK, MOC) per gemeente: een behandelvoorziening bedient "
        "meer wijken. Plekken nodig = kinderen ÷ kinderen per plek; tekort = plekken nodig min "
        "plekken KDC/MKD. " + suppression_note(threshold, holds_counts(con, gemeente_code)),
        *([ROW_10_NOT_DELIVERED] if _row_10_missing(frame, "places") else [])])


def _groups_sheet(con, gemeente_code, year):
    frame = con.execute("""
        select age_group, group_size, places_needed_low, places_needed_high, places,
               shortage_places_low, shortage_places_high, groups_needed_low, groups_needed_mid,
               groups_needed_high
        from groups_by_gemeente where gemeente_code = ? and year = ? order by age_group""",
        [gemeente_code, year]).df()
    if frame.empty:
        return None
    out = pd.DataFrame({
        "Leeftijdsgroep": frame["age_group"].map(MODEL_AGE_LABELS),
        "Plekken per groep": frame["group_size"].astype(int),
        "Plekken nodig in aparte groepen (laag-hoog)": _ranges(frame, "places_needed"),
        "Plekken in plusgroepen (waargenomen)": _observed(frame["places"]),
        "Tekort in plekken (laag-hoog)": _ranges(frame, "shortage_places"),
        "Groepen nodig, midden": [int(v) if pd.notna(v) else "niet geleverd"
                                  for v in frame["groups_needed_mid"]],
        "Groepen nodig (laag-hoog)": [
            "niet geleverd" if pd.isna(lo) else f"{int(lo)}-{int(hi)}" if lo != hi else str(int(lo))
            for lo, hi in zip(frame["groups_needed_low"], frame["groups_needed_high"], strict=True)],
    })
    return Sheet("Aparte groepen (passend)", out, [
        "Perspectief passend: aparte groepen voor de gemeente als geheel (wijken delen een groep), "
        "in hele groepen; een tekort van minder dan één groep vraagt geen groep. Geen aparte groepen "
        "voor 0-2 jaar.", *([ROW_10_NOT_DELIVERED] if _row_10_missing(frame, "places") else [])])


DELIVERY_COLUMNS = {"rij": "Rij handreiking", "gegevens": "Gegevens", "soort": "Soort",
                    "geleverd_door": "Geleverd door", "organisaties": "Organisaties",
                    "periode": "Periode", "wijken": "Wijken",
                    "laatst_geleverd": "Laatst geleverd",
                    "ontbreekt": "Ontbreekt"}


def delivery_status(con: duckdb.DuckDBPyConnection, gemeente_code: str, year: int,
                    withheld: tuple[str, ...] = ()) -> pd.DataFrame:
    """Per row of the handreiking's data table: who delivered, what is missing (Dutch headers);
    without the wijken of the registrations in `withheld` (transforms.deliveries)."""
    return deliveries_model.delivery_status(con, gemeente_code, year, withheld).rename(columns=DELIVERY_COLUMNS)


def _delivery_sheet(con, gemeente_code, year):
    frame = delivery_status(con, gemeente_code, year)
    return Sheet("Aanlevering", frame, [f"Welke gegevens uit de tabel van de handreiking zijn aangeleverd, door wie, "
                                        f"en wat ontbreekt nog (voor {year})."])


# Every exportable table, in the workbook's order.
EXPORT_TABLES = [
    ExportTable("kinderen_per_wijk", "Kinderen per wijk", _children_per_wijk,
                requires=("population_by_wijk_age",)),
    ExportTable("kinderen_per_jaar", "Kinderen per jaar", _children_over_years,
                requires=("population_by_wijk_age",)),
    ExportTable("vraag_per_wijk_niveau", "Vraag per wijk en niveau", _demand_sheet,
                requires=("demand_by_wijk_niveau",)),
    ExportTable("tekort_per_wijk_niveau", "Tekort per wijk en niveau", _gap_sheet,
                requires=("gap_by_wijk_niveau",)),
    ExportTable("niveau_4", "Niveau 4 (regionaal)", _niveau4_sheet,
                requires=("niveau4_by_gemeente",)),
    ExportTable("aparte_groepen", "Aparte groepen (passend)", _groups_sheet,
                requires=("groups_by_gemeente",)),
    ExportTable("aanlevering", "Aanlevering", _delivery_sheet, requires=("loads",)),
    ExportTable("databronnen", "Databronnen", _data_sources, requires=("loads",)),
]


def build_sheets(con: duckdb.DuckDBPyConnection, gemeente_code: str, year: int,
                 keys: list[str] | None = None, tables: list[ExportTable] | None = None) -> list[Sheet]:
    """Every available table (or those in `keys`) for a gemeente and year."""
    sheets = []
    for table in available_tables(con, tables):
        if keys is not None and table.key not in keys:
            continue
        sheet = table.build(con, gemeente_code, year)
        if sheet is not None:
            sheets.append(sheet)
    return sheets


def is_formula_like(value: object) -> bool:
    """True for text that a spreadsheet would run as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def _cell_value(value: object) -> object:
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, str):
        try:
            return value.item()
        except (ValueError, AttributeError):
            return str(value)
    return value


def _safe_sheet_title(title: str, used: set[str]) -> str:
    cleaned = "".join("-" if ch in '[]:*?/\\' else ch for ch in title).strip("'")[:31] or "Blad"
    candidate, number = cleaned, 2
    while candidate.lower() in used:
        suffix = f" ({number})"
        candidate, number = cleaned[:31 - len(suffix)] + suffix, number + 1
    used.add(candidate.lower())
    return candidate


# A moment as the pages, the report and the slides write it ('06-12-2026 11:17',
# transforms.privacy.format_moment); openpyxl's default showed '2026-12-06 11:17:58' beside it
MOMENT_FORMAT = "dd-mm-yyyy hh:mm"


def _write_value(cell, value: object) -> None:
    value = _cell_value(value)
    cell.value = value
    if isinstance(value, datetime):
        cell.number_format = MOMENT_FORMAT
    if isinstance(value, str):
        # Never a formula: text stays text, even when it starts with '=' (openpyxl would make it 'f').
        cell.data_type = "s"


def workbook_bytes(sheets: list[Sheet], *, title: str = "", context: list[str] | None = None) -> bytes:
    """An .xlsx workbook: an explanation sheet, then one sheet per table. Text is never a formula."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    about = workbook.active
    used: set[str] = set()
    about.title = _safe_sheet_title("Toelichting", used)
    lines = [title or "Kindkaart", *(context or []),
             f"Gemaakt op {datetime.now():%d-%m-%Y %H:%M} met Kindkaart.", ""]
    for sheet in sheets:
        lines += [sheet.title, *sheet.notes, ""]
    for row, line in enumerate(lines, start=1):
        _write_value(about.cell(row=row, column=1), line)
    about.cell(row=1, column=1).font = Font(bold=True, size=14)
    about.column_dimensions["A"].width = 120

    for sheet in sheets:
        worksheet = workbook.create_sheet(_safe_sheet_title(sheet.title, used))
        for column, name in enumerate(sheet.frame.columns, start=1):
            _write_value(worksheet.cell(row=1, column=column), str(name))
            worksheet.cell(row=1, column=column).font = Font(bold=True)
            width = max([len(str(name))] + [len(str(v)) for v in sheet.frame[name].head(200)])
            worksheet.column_dimensions[get_column_letter(column)].width = min(max(width + 2, 8), 60)
        for row, record in enumerate(sheet.frame.itertuples(index=False), start=2):
            for column, value in enumerate(record, start=1):
                _write_value(worksheet.cell(row=row, column=column), value)
        worksheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_text(frame: pd.DataFrame) -> str:
    """CSV for Dutch Excel (';' separator, decimal comma); text that looks like a formula gets a
    leading apostrophe so that a spreadsheet shows it as text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([_csv_value(name) for name in frame.columns])
    for record in frame.itertuples(index=False):
        writer.writerow([_csv_value(value) for value in record])
    return buffer.getvalue()


def _csv_value(value: object) -> str:
    value = _cell_value(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, float):
        text = str(int(value)) if value.is_integer() else f"{value:.6g}"
        return text.replace(".", ",")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    text = str(value)
    return "'" + text if is_formula_like(text) else text


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """csv_text as UTF-8 with a byte order mark, so that Excel reads the accents right."""
    return csv_text(frame).encode("utf-8-sig")


def export_workbook(con: duckdb.DuckDBPyConnection, gemeente_code: str, year: int,
                    tables: list[ExportTable] | None = None) -> bytes:
    """The workbook the page and the `export` command write: every available table (default
    EXPORT_TABLES)."""
    name = gemeente_name(con, gemeente_code)
    return workbook_bytes(build_sheets(con, gemeente_code, year, tables=tables),
                          title=f"Kindkaart {name} ({gemeente_code}) {year}",
                          context=[f"Gemeente: {name} ({gemeente_code}); jaar: {year}."])
