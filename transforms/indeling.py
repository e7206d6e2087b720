"""How a gemeente's wijkindeling changed between the kwb years loaded, and where a wijk's line breaks."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field

import duckdb

# CBS's kwb marks each region and year against the year before (ind_wbi, OData
# IndelingswijzigingGemeenteWijkBuurt): 1 same code and area (a new name is possible), 2 another
# code for the same area, 3 another area: "De cijfers kunnen niet zonder meer worden vergeleken".
OTHER_AREA = 3

# year, region_code, region_level, the name the kwb of that year gave it (else null), and CBS's
# ind_wbi for it in that year (null when the file had no such column), for the gemeente ($1) and
# its wijken as the kerncijfers of each year define them.
INDELING_SQL = """
    select r.year, r.region_code, r.region_level, r.region_name, k.value as ind_wbi
    from regions as r
    left join stg_cbs__kerncijfers as k
        on k.year = r.year and k.region_code = r.region_code
        and k.stem = 'IndelingswijzigingGemeenteWijkBuurt'
    where r.gemeente_code = $1 and r.region_level in ('gemeente', 'wijk')
    order by r.year, r.region_code
"""


@dataclass
class Step:
    """What changed from one kwb year loaded to the next one loaded."""

    earlier: int
    later: int
    gone: list[tuple[str, str]] = field(default_factory=list)        # (code, name in earlier)
    new: list[tuple[str, str]] = field(default_factory=list)         # (code, name in later)
    other_area: list[tuple[str, str]] = field(default_factory=list)  # same code, ind_wbi 3 in later
    renamed: list[tuple[str, str, str]] = field(default_factory=list)  # (code, earlier, later name)
    gemeente_other_area: bool = False                                # the gemeente's own ind_wbi 3

    def changed(self) -> bool:
        return bool(self.gone or self.new or self.other_area or self.gemeente_other_area)


@dataclass
class Indeling:
    """The wijkindeling of a gemeente over the kwb years loaded."""

    steps: list[Step]
    # code -> the years from which a new line starts (the code's area changed from that year on)
    breaks: dict[str, list[int]]
    # (code, year) -> the name the kwb of that year gave the region
    names: dict[tuple[str, int], str] = field(default_factory=dict)
    # the years from which the gemeente's own line starts anew (CBS: another area, a herindeling)
    gemeente_breaks: list[int] = field(default_factory=list)

    def series(self, code: str, year: int) -> str:
        """The key of the line a wijk's figure of a year is on: its code, plus the first year of
        its area when CBS changed that area in a year loaded."""
        starts = [start for start in self.breaks.get(code, []) if start <= year]
        return f"{code}@{starts[-1]}" if starts else code

    def gemeente_series(self, year: int) -> str:
        """The key of the line a figure of the whole gemeente of a year is on: the first year of
        its area when CBS marks the gemeente as another area in a year loaded (a herindeling),
        'gemeente' before; as series is for a wijk."""
        starts = [start for start in self.gemeente_breaks if start <= year]
        return f"gemeente@{starts[-1]}" if starts else "gemeente"

    def series_label(self, name: str, series: str, years: Iterable[int]) -> str:
        """'Wijk 30 (WK019330, tot 2022)' or '(WK019330, vanaf 2024)' for a broken line, each
        named as the kwb of its last year named it; else `name`."""
        code, _, start = series.partition("@")
        if code not in self.breaks:
            return name
        shown = sorted(years)
        name = self.names.get((code, shown[-1]), name)
        if not start:
            return f"{name} ({code}, tot {shown[-1]})"
        later = [b for b in self.breaks[code] if b > int(start)]
        span = f"vanaf {start}" if not later else f"{start}-{shown[-1]}" if shown[-1] > int(start) else start
        return f"{name} ({code}, {span})"


def line_runs(keys: Sequence[Hashable]) -> list[list[int]]:
    """The points of one series drawn as one line: the indices of consecutive points with the same
    key, a new line where the key changes. The key of a wijk's point is Indeling.series (its area:
    Trends, the slide "Wijk in beeld", the wijkfactsheet, the wijk profile), of the gemeente's
    Indeling.gemeente_series (the slide "Ontwikkeling", the report, Continuüm); sourced_line_runs
    adds the route of the figures, where a change of source breaks the line too."""
    runs: list[list[int]] = []
    for index, key in enumerate(keys):
        if runs and keys[index - 1] == key:
            runs[-1].append(index)
        else:
            runs.append([index])
    return runs


def sourced_line_runs(years: Sequence[int], sources: dict[int, str],
                      areas: Sequence[str] | None = None) -> list[list[int]]:
    """line_runs of a series of children over the years, as every chart of them draws it
    (theme.add_sourced_line, report.svg_lines): a new line where the route of the figures changes
    (`sources`: year -> PopulationTable.source; an estimate and a count are no trend) or where the
    area does (`areas`: per year Indeling.series or Indeling.gemeente_series)."""
    from transforms.population import source_kind

    return line_runs([(source_kind(sources.get(year, "")), areas[index] if areas is not None else None)
                      for index, year in enumerate(years)])


def indeling(found: list[tuple]) -> Indeling:
    """The steps between the kwb years in `found` (rows of INDELING_SQL) and the breaks of lines:
    a wijk breaks in a year where CBS marks its area as other than the year before (ind_wbi 3)
    and an earlier year of it is loaded; the gemeente's own line where CBS marks the gemeente so."""
    by_year: dict[int, dict[str, tuple[str, str | None, float | None]]] = {}
    names = {}
    for year, code, level, name, mark in found:
        by_year.setdefault(int(year), {})[code] = (level, name, mark)
        if name:
            names[(code, int(year))] = name
    years = sorted(by_year)
    steps, breaks = [], {}
    for earlier, later in zip(years, years[1:], strict=False):
        before, after = by_year[earlier], by_year[later]
        wijken_before = {c for c, (level, *_) in before.items() if level == "wijk"}
        wijken_after = {c for c, (level, *_) in after.items() if level == "wijk"}
        step = Step(earlier, later)
        step.gemeente_other_area = any(level == "gemeente" and mark == OTHER_AREA
                                       for level, _, mark in after.values())
        if not wijken_before or not wijken_after:
            # a kwb of only the gemeente says nothing about its wijken
            steps += [step] if step.gemeente_other_area else []
            continue
        step.gone = [(c, before[c][1] or c) for c in sorted(wijken_before - wijken_after)]
        step.new = [(c, after[c][1] or c) for c in sorted(wijken_after - wijken_before)]
        for code in sorted(wijken_before & wijken_after):
            if after[code][2] == OTHER_AREA:
                step.other_area.append((code, after[code][1] or code))
                breaks.setdefault(code, []).append(later)
            old_name, new_name = before[code][1], after[code][1]
            if old_name and new_name and old_name != new_name:
                step.renamed.append((code, old_name, new_name))
        steps.append(step)
    return Indeling(steps, breaks, names, [step.later for step in steps if step.gemeente_other_area])


def gemeente_note(found: Indeling, gemeente_name: str, lines: bool = True) -> str | None:
    """Dutch, for a figure of the whole gemeente over the years: the years in which CBS marks the
    gemeente itself as another area than the year before (a herindeling), and (`lines`: beside a
    chart whose lines break there by line_runs and Indeling.gemeente_series) that its lines break
    there; or None."""
    note = _other_area_note(gemeente_name, found.gemeente_breaks, "gemeentelijke herindeling of grenswijziging, ")
    if note and lines:
        note += " " + _lines_break(gemeente_name, found.gemeente_breaks)
    return note


# Trends' sentence on its lines (indeling_note), which every other figure over the years whose lines
# break where CBS re-bounded the area says too (of a wijk: 'één wijk'; of the gemeente: its name)
ONE_AREA_PER_LINE = "Een lijn volgt {area} in één afbakening"


def _lines_break(area: str, years: list[int]) -> str:
    return f"{ONE_AREA_PER_LINE.format(area=area)}: daarom breken de lijnen in {_listed([str(y) for y in years])}."


def wijk_note(found: Indeling, wijk_code: str, wijk_name: str, lines: bool = True) -> str | None:
    """Dutch, for a figure of one wijk over the years: the years in which CBS marks the wijk as
    another area than the year before under the same code, and (`lines`: beside a chart whose
    lines break there by line_runs and Indeling.series) that its lines break there; or None."""
    years = found.breaks.get(wijk_code, [])
    note = _other_area_note(f"{wijk_name} ({wijk_code})", years)
    if note and lines:
        note += " " + _lines_break("één wijk", years)
    return note


# Per LRK export year of a gemeente, the year of the postcode file its locations were placed in a
# wijk by, as the loader stored it with each location (data_sources.lrk: the export's year or the
# nearest loaded; a postcode year loaded later places them again); null where it is not known (a
# location stored before Kindkaart kept the year). $1 gemeente_code.
PLACES_POSTCODE_YEARS_SQL = """
    select distinct year as lrk_year, postcode_year
    from stg_lrk__locations
    where gemeente_code = $1 and wijk_code is not null
    order by lrk_year, postcode_year nulls last
"""


# The years of the postcode files loaded with postcodes of a gemeente ($1): which the note names
# as loaded, beside the years that placed its locations (PLACES_POSTCODE_YEARS_SQL).
LOADED_POSTCODE_YEARS_SQL = """
    select distinct year from postcodes where gemeente_code = $1 order by year
"""


def places_note(found: Indeling, wijk_code: str, placed: list[tuple[int, int | None]],
                loaded: Iterable[int] | None = None) -> tuple[str, bool] | None:
    """Dutch, for the wijk profile's 'Plekken per jaar' of a wijk CBS re-bounded under the same code
    (Indeling.breaks): whether its columns count different areas, and a warning flag. An LRK
    export counts in the wijken of the postcode file of its year or the nearest loaded
    (`placed`: rows of PLACES_POSTCODE_YEARS_SQL, the postcode year None where it is not known),
    so the columns are two areas only where the postcode years used lie on both sides of a year
    CBS re-bounded the wijk; with one postcode file (or all on one side) every column is the same
    area, which it says instead of a warning. An unknown postcode year may be either side: a
    warning that says so. None where CBS did not re-bound the wijk; without any LRK export, the
    warning of wijk_note. `loaded`: the postcode years loaded for the gemeente
    (LOADED_POSTCODE_YEARS_SQL; None: only those that placed the locations), so that a file loaded
    but used by no export is not called the only one, nor asked for."""
    breaks = found.breaks.get(wijk_code, [])
    if not breaks:
        return None
    used = sorted({int(postcode_year) for _, postcode_year in placed if postcode_year is not None})
    unknown = sorted({int(lrk_year) for lrk_year, postcode_year in placed if postcode_year is None})
    if not used and not unknown:  # no LRK export placed by postcode: the columns follow each year's own wijken
        return ("In *Plekken per jaar* kunnen de jaren vóór de nieuwe afbakening de plekken van het "
                "andere gebied tellen."), True
    between = [year for year in breaks if used and used[0] < year <= used[-1]]
    if between or unknown:
        by_year: dict[int, list[str]] = {}
        for lrk_year, postcode_year in sorted(placed, key=lambda row: (row[0], row[1] is None, row[1] or 0)):
            by_year.setdefault(int(lrk_year), []).append(
                "een onbekend jaar" if postcode_year is None else str(int(postcode_year)))
        per_year = "; ".join(f"{lrk_year}: postcodes van {_listed(years)}" for lrk_year, years in by_year.items())
        text = (f"In *Plekken per jaar* telt elke LRK-export in de wijk volgens de postcodes van zijn "
                f"eigen jaar of het dichtstbijzijnde geladen jaar ({per_year})")
        if between:
            text += (f": de kolommen vóór {_listed([str(y) for y in between])} tellen de plekken van "
                     "het andere gebied.")
        else:
            text += "."
        if unknown:
            text += (f" Met welk postcodejaar (een deel van) de locaties van "
                     f"{_listed([str(y) for y in unknown])} in een wijk is geplaatst, is onbekend (ze "
                     "zijn geladen voordat Kindkaart dat bewaarde): die kolommen kunnen de plekken van "
                     "het andere gebied tellen. Lees het postcodebestand van het jaar van die export "
                     "(of het dichtstbijzijnde geladen jaar) opnieuw in: dan worden ze ermee geplaatst "
                     "en staat het jaar hier.")
        return text, True
    # every column in the area of the postcode files used, on one side of each change
    loaded = sorted({int(year) for year in loaded}) if loaded is not None else used
    if len(used) == 1:
        only = loaded == used
        source = (f"het enige geladen postcodebestand, dat van {used[0]}" if only
                  else f"het postcodebestand van {used[0]}")
    else:
        source = f"de postcodes van {_listed([str(y) for y in used])}, die haar gelijk afbakenen"
    # the other area: before the last change up to the postcode year, or from the first change after it
    earlier = [year for year in breaks if year <= used[0]]
    later = [year for year in breaks if year > used[-1]]
    missing = " en ".join(part for part in (f"vóór {earlier[-1]}" if earlier else "",
                                            f"{later[0]} of later" if later else "") if part)
    # postcode years of that other area loaded but used by no export (further from each export's
    # year, or loaded before Kindkaart placed locations again): asking for one would mislead
    other_side = [year for year in loaded
                  if (earlier and year < earlier[-1]) or (later and year >= later[0])]
    if other_side:
        shown = _listed([str(y) for y in other_side])
        seen = (f"is niet te zien: de postcodes van {shown} zijn geladen, maar geen LRK-export is "
                "ermee geplaatst.")
    else:
        seen = f"is pas te zien met een postcodebestand van {missing}."
    return (f"In *Plekken per jaar* tellen alle jaren de plekken in de wijk volgens {source}: één "
            f"afbakening over de hele rij, geen ander gebied. Welke plekken in de afbakening van "
            f"{missing} lagen, {seen}"), False


def _other_area_note(subject: str, years: list[int], why: str = "") -> str | None:
    # one sentence for the gemeente (Continuüm, slides, report, workbook) and a wijk (its slide and
    # factsheet): a line through two areas is no development
    if not years:
        return None
    return (f"{subject} is in {_listed([str(y) for y in years])} anders afgebakend dan het jaar ervoor "
            f"({why}volgens CBS, kolom ind_wbi van de kwb): het verschil tussen de jaren ervoor en erna is "
            "(ook) dat andere gebied, geen ontwikkeling.")


def indeling_of(con: duckdb.DuckDBPyConnection, gemeente_code: str) -> Indeling:
    """The wijkindeling of a gemeente over the kwb years in the store (for outputs without the
    app's cached queries)."""
    return indeling(con.execute(INDELING_SQL, [gemeente_code]).fetchall())


def _listed(parts: list[str]) -> str:
    return ", ".join(parts[:-1]) + " en " + parts[-1] if len(parts) > 1 else parts[0]


def _wijken(pairs: list[tuple[str, str]]) -> str:
    return _listed([f"{name} ({code})" if name != code else code for code, name in pairs])


def indeling_note(found: Indeling, gemeente_name: str) -> str | None:
    """Dutch: how the wijkindeling changed between the years loaded and what that means for the
    lines, or None when it did not change (as far as the files loaded show)."""
    sentences = []
    for step in found.steps:
        parts = []
        if step.gone:
            parts.append(f"niet meer in {step.later}: {_wijken(step.gone)}")
        if step.new:
            parts.append(f"nieuw in {step.later}: {_wijken(step.new)}")
        if step.other_area:
            parts.append(f"in {step.later} anders afgebakend dan het jaar ervoor (volgens CBS, kolom "
                         f"ind_wbi), met dezelfde code: {_wijken(step.other_area)}; hun lijn breekt "
                         f"in {step.later}")
        if parts:
            sentences.append(f"Van {step.earlier} naar {step.later}: " + "; ".join(parts) + ".")
        if (step.gone or step.new) and step.later - step.earlier > 1:
            skipped = list(range(step.earlier + 1, step.later))
            sentences.append(
                f"De kwb van {_listed([str(y) for y in skipped])} is niet geladen: of een wijk die in "
                "beide jaren dezelfde code heeft daartussen anders is afgebakend, zegt alleen CBS' "
                "kolom ind_wbi van elk jaar; laad die jaren om het te zien.")
    renamed = [f"{code} heette in {step.earlier} {old} en in {step.later} {new}"
               for step in found.steps for code, old, new in step.renamed]
    # the gemeente itself in another area: gemeente_note's sentence, as Continuüm, the slides,
    # the report and the workbook say it (Trends had a sentence of its own for it); Trends draws
    # no line of the gemeente, so none breaks here
    other_area = gemeente_note(found, gemeente_name, lines=False)
    if not sentences and not renamed and not other_area:
        return None
    text = ""
    if sentences:
        text = (f"De wijkindeling van {gemeente_name} is veranderd. " + " ".join(sentences)
                + f" {ONE_AREA_PER_LINE.format(area='één wijk')}: waar CBS een wijk splitste, "
                "samenvoegde of een nieuwe code gaf, staan de kinderen in de lijnen van de wijken "
                "van elke indeling apart, en zijn die lijnen niet met elkaar te vergelijken.")
    if renamed:
        text += (" " if text else "") + (
            f"{_listed(renamed)} (dezelfde code, een andere naam: volgens CBS hetzelfde gebied tenzij "
            "de kolom ind_wbi anders zegt; de pagina's noemen de wijk bij haar laatste naam).")
    if other_area:
        text += (" " if text else "") + other_area
    return text
