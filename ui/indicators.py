"""Indicators a page can show per wijk (map colours, rankings): a registry, one entry each."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import pandas as pd

from transforms.labels import LRK_EXPORT, LoadHint, lrk_missing_text, lrk_year_text, row_10_missing_text
from transforms.population import source_kind
from ui.auth import where_to_load
from ui.population import (
    TOTAL_LABEL,
    indicator_frame,
    model_children_note,
    national_indicator_frame,
    population_missing,
    population_table,
    source_note,
)


@dataclass(frozen=True)
class Indicator:
    """One figure per wijk. `load(gemeente_code, year)` returns wijk_code, wijk_name, value
    (NaN where hidden) and hidden, and for a partner signal unknown (a rate over children CBS
    keeps secret); `kind` says whether the value is observed or modelled."""

    key: str
    label: str
    unit: str
    kind: str  # 'waargenomen' | 'schatting' | 'model'
    load: Callable[[str, int], pd.DataFrame]
    note: str = ""
    # Optional: every wijk of the country for a year in one go (the national map); without it
    # national_values() asks `load` gemeente by gemeente.
    load_national: Callable[[int], pd.DataFrame] | None = None
    # For an observed figure: where it comes from (a Dutch sentence) and where to load it
    # (said for the account, ui.auth.where_to_load), when a gemeente and year have none ({gemeente}
    # and {year} are filled in). Without it an empty map means the population is missing.
    missing: str = ""
    missing_hints: tuple[LoadHint, ...] = ()
    # What would complete the figure, said after the note (for the account)
    note_hint: LoadHint | None = None
    # Built on the regular places of the LRK: without an export of the gemeente there is no figure
    needs_lrk: bool = False
    # Built on the plus-group places partners deliver (row 10, groepsgrootte): without them there
    # is no figure ('niet geleverd', not 0)
    needs_row_10: bool = False

    @property
    def decimals(self) -> int:
        """Decimals to show: one for distances (km), averages ('gemiddeld') and rates per 100
        (0,5 km is not '0', 2,3 kinderdagverblijven not '2'); none for counts and estimates."""
        return 1 if self.unit in ("km", "per 100") or "gemiddeld" in self.label else 0

    def shown_note(self) -> str:
        """The note under the figure, with what would complete it said for this account."""
        return f"{self.note} {where_to_load(self.note_hint)}" if self.note_hint else self.note

    @property
    def needs_population(self) -> bool:
        """True when the figure is made from the children per wijk (the population itself, or the
        model's estimates over it): without them it is missing, not zero."""
        return self.kind in ("bevolking", "model")


def missing_message(indicator: Indicator, gemeente_code: str, year: int, name: str) -> str:
    """What a page or slide says when `indicator` has no figures for a gemeente and year: the
    observed figure's own source and where to load it when the children are there, else what is
    missing to count or estimate the children (population_missing)."""
    if indicator.needs_row_10 and population_table(gemeente_code, year).wijk_codes:
        return f"{indicator.label}: " + row_10_missing_text(name, "plusgroepen")
    if indicator.needs_lrk and population_table(gemeente_code, year).wijk_codes:
        return f"{indicator.label}: " + lrk_missing_text(name, where_to_load).replace(
            "Hieronder staat alleen hoeveel plekken nodig zijn. ", "")
    if indicator.missing and population_table(gemeente_code, year).wijk_codes:
        hints = [replace(hint, command=hint.command.format(gemeente=gemeente_code, year=year))
                 for hint in indicator.missing_hints]
        return (f"{indicator.label}: voor {name} in {year} zijn geen gegevens geladen. "
                f"{indicator.missing.format(gemeente=gemeente_code, year=year)}"
                + (f" {where_to_load(*hints)}" if hints else ""))
    return population_missing(gemeente_code, year, name)


def national_lrk_note(indicator: Indicator, year: int) -> str:
    """For the national map of a figure made from the LRK's regular places: which loaded gemeenten
    it leaves out because no LRK export of theirs is loaded (their places are unknown, not 0), and
    where to load one; '' when it leaves none out."""
    if not indicator.needs_lrk:
        return ""
    from ui.data import rows
    from ui.state import gemeenten

    with_children = {code for (code,) in rows(
        "select distinct gemeente_code from gap_by_wijk_niveau where year = ?", [year])}
    with_lrk = {code for (code,) in rows(
        "select distinct gemeente_code from gap_by_wijk_niveau where year = ? and supply_year is not null"
        " and component in ('reguliere_plekken', 'opnamegrens')", [year])}
    names = gemeenten()
    left_out = sorted(names.get(code, code) for code in with_children - with_lrk)
    if not left_out:
        return ""
    return (f"Niet op deze kaart: {', '.join(left_out)}. Voor "
            f"{'deze gemeente' if len(left_out) == 1 else 'deze gemeenten'} is geen LRK-export geladen, "
            "dus de reguliere plekken zijn niet bekend (niet 0). " + where_to_load(LRK_EXPORT))


def national_row_10_note(indicator: Indicator, year: int) -> str:
    """For the national map of a figure on the plus-group places (row 10): which loaded gemeenten
    it leaves out because no partner delivered row 10 for them (places unknown, not 0); ''
    when it leaves none out."""
    if not indicator.needs_row_10:
        return ""
    from ui.data import rows
    from ui.state import gemeenten

    left = [code for (code,) in rows(
        "select gemeente_code from gap_by_wijk_niveau where year = ? and component = 'aparte_groep'"
        " group by gemeente_code having count(supply) = 0 order by gemeente_code", [year])]
    if not left:
        return ""
    names = gemeenten()
    return (f"Niet op deze kaart: {', '.join(sorted(names.get(c, c) for c in left))}. Daar heeft geen "
            "partner rij 10 van de handreiking (groepsgrootte) geleverd, dus de plekken in "
            "plusgroepen en het tekort zijn niet bekend (niet geleverd, geen 0).")


def lrk_year_note(indicator: Indicator, gemeente_code: str, year: int) -> str:
    """For a figure on the LRK's places (the places, or a gap or cap built on them): which
    year's export it comes from when that is not `year` (transforms.labels.lrk_year_text, as
    Tekorten, the slides and the exports say it); '' otherwise."""
    if not (indicator.needs_lrk or indicator.key == "kindplaatsen"):
        return ""
    from ui.data import query

    years = query("select distinct supply_year from gap_by_wijk_niveau where gemeente_code = ?"
                  " and year = ?", [gemeente_code, year])
    return lrk_year_text(years["supply_year"].tolist(), year)


def row_10_year_note(indicator: Indicator, gemeente_code: str, year: int) -> str:
    """For the places of the LRK and partners: that the places of `year` hold no plus-group and
    KDC/MKD places where no partner delivered row 10 (groepsgrootte) for the export year they come
    from, as Tekorten, the wijk profile and the exports say 'niet geleverd' (not 0); '' otherwise,
    and for an account that sees only the LRK's places (its note says so)."""
    from ui.auth import partner_places_allowed

    if indicator.key != "kindplaatsen" or not partner_places_allowed():
        return ""
    from ui.data import rows

    chosen = rows(
        """
        with chosen as (
            select nearest_year(year, ?) as year from supply_by_wijk where gemeente_code = ?
        )
        select count(*), count(*) filter (where s.places_source = 'partner')
        from supply_by_wijk as s join chosen using (year) where s.gemeente_code = ?
        """, [year, gemeente_code, gemeente_code])
    places, partner_places = chosen[0]
    if not places or partner_places:  # no places at all: the missing message says what to load
        return ""
    return (f"Alleen de plekken uit het LRK: plekken in plusgroepen en KDC/MKD komen van partners "
            f"(rij 10 van de handreiking, groepsgrootte), en voor {year} leverde geen partner ze "
            "(niet geleverd, niet 0).")


def population_route_note(indicator: Indicator, gemeente_code: str, year: int) -> str:
    """For a figure made from the children: whether that year's children are counted or estimated,
    and how (source_note); '' for other figures or without children."""
    if not indicator.needs_population:
        return ""
    source = population_table(gemeente_code, year).source
    if not source:
        return ""
    if indicator.kind == "bevolking":
        return f"Kinderen in {year}: {source_kind(source)}. {source_note(source)}"
    return model_children_note(gemeente_code, year)


def _children(column: str) -> Callable[[str, int], pd.DataFrame]:
    return lambda gemeente_code, year: indicator_frame(gemeente_code, year, column)


def _children_national(column: str) -> Callable[[int], pd.DataFrame]:
    return lambda year: national_indicator_frame(year, column)


# Children per age group (the map's first indicators); ui.map_indicators adds the others.
POPULATION_INDICATORS: dict[str, Indicator] = {
    "kinderen_0_2": Indicator("kinderen_0_2", "Kinderen 0-2 jaar", "kinderen", "bevolking",
                              _children("0-2"),
                              load_national=_children_national("0-2")),
    "kinderen_2_4": Indicator("kinderen_2_4", "Kinderen 2-4 jaar (peuters)", "kinderen",
                              "bevolking", _children("2-4"),
                              load_national=_children_national("2-4")),
    "kinderen_4_12": Indicator("kinderen_4_12", "Kinderen 4-12 jaar (bso-leeftijd)", "kinderen",
                               "bevolking", _children("4-12"),
                              load_national=_children_national("4-12")),
    "kinderen_0_12": Indicator("kinderen_0_12", "Kinderen 0-12 jaar", "kinderen", "bevolking",
                               _children(TOTAL_LABEL),
                              load_national=_children_national(TOTAL_LABEL)),
}


def national_values(indicator: Indicator, year: int) -> pd.DataFrame:
    """The indicator for every wijk of every loaded gemeente (each gemeente protected on its own,
    exactly as on its own map, so that two views never reveal more than one)."""
    if indicator.load_national is not None:
        return indicator.load_national(year)
    from ui.state import gemeenten

    frames = [indicator.load(code, year) for code in gemeenten()]
    # Only wijk rows: some indicators add a gemeente total row.
    frames = [f[f["wijk_code"].astype(str).str.startswith("WK")] for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(columns=["wijk_code", "wijk_name", "value", "hidden"])
    return pd.concat(frames, ignore_index=True)

