"""Children per wijk and age group for one gemeente and year, protected once for every view.

The pages, the exports and the report all show this table, and all of them get it from
`protect_population`. It works on the rows DuckDB returns and on numpy, without pandas, so the
first page a person opens (Overzicht) draws its key figures, chart and table without loading
pandas: most of a second of the first render on a two-core machine (benchmarks/run.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from data_sources.config import AGE_GROUPS, min_count
from transforms.labels import LoadHint, Where
from transforms.privacy import (
    BELOW_ONE,
    TOTAL_LABEL,
    SuppressedTable,
    format_number,
    hidden_label,
    hidden_rule,
    protect_observed_and_estimated,
    round_estimate,
    shown_figure_text,
)

AGE_GROUP_LABELS = list(AGE_GROUPS)
# What each age group holds (population_by_wijk_age: 0-2 is ages 0 and 1, 4-12 is 4 to 11), for
# headers and labels that must say it
AGE_GROUP_CONTENTS = {"0-2": "0-2 jaar (0 en 1 jaar)", "2-4": "2-4 jaar (2 en 3 jaar, peuters)",
                      "4-12": "4-12 jaar (4 tot en met 11 jaar)"}
COLUMNS = [*AGE_GROUP_LABELS, TOTAL_LABEL]
# The same for the pages and slides that show the handreiking's short labels ('0-2 jaar'): one
# sentence under their key figures, so that no one reads 0-2 as three years or 0-12 as counting
# the twelve year olds (only the files' headers said it: '4-12 jaar (4 tot en met 11 jaar)')
AGE_GROUPS_NOTE = ("Leeftijdsgroepen van de handreiking: 0-2 jaar is 0 en 1 jaar, 2-4 jaar is 2 en 3 "
                   "jaar (peuters), 4-12 jaar is 4 tot en met 11 jaar; 0-12 jaar is 0 tot en met 11 "
                   "jaar.")

# The rows protect_population expects, in this order.
# Gemeenten with any loaded data (population, active loads of a gemeente, regions): the app's
# sidebar (ui.state) and the export command list the same ones.
LOADED_GEMEENTEN_SQL = """
    select gemeente_code from population_by_wijk_age
    union
    select gemeente_code from loads
    where status = 'active' and regexp_matches(gemeente_code, '^GM[0-9]{4}$')
    union
    select gemeente_code from regions where gemeente_code is not null
"""
POPULATION_SQL = """
    select wijk_code, wijk_name, age_group, children, is_estimate, population_source
    from population_by_wijk_age
    where gemeente_code = ? and year = ?
    order by wijk_code
"""

# The pattern of the gemeente's BRP table as last published (published_population_patterns,
# written by the build of population_protection_by_wijk): every view protects the table beside
# it (protect_population's `published`), so that a corrected BRP of the same year gives back no
# count the version before hid, and every view hides the cells the model hides.
PUBLISHED_TABLE = "published_population_patterns"
PUBLISHED_SQL = f"""
    select wijken, age_groups, counts, hidden, threshold
    from {PUBLISHED_TABLE}
    where gemeente_code = ? and year = ?
"""
# the same for every gemeente of a year (the national map)
PUBLISHED_YEAR_SQL = f"""
    select gemeente_code, wijken, age_groups, counts, hidden, threshold
    from {PUBLISHED_TABLE}
    where year = ?
"""

# Wijken of the same gemeente and year whose children cannot be estimated (CBS keeps their 0-15
# year olds secret): shown as unknown, never spread over the other wijken unsaid.
UNKNOWN_SQL = """
    select wijk_code, wijk_name, reason
    from population_unknown_by_wijk
    where gemeente_code = ? and year = ?
    order by wijk_code
"""

# The wijk x age group cells the model leaves out because the pages hide their BRP count
# (population_protection_by_wijk), for model_hidden_note.
MODEL_HIDDEN_SQL = """
    select h.wijk_code, coalesce(any_value(p.wijk_name), h.wijk_code), h.age_group
    from population_protection_by_wijk as h
    left join population_by_wijk_age as p using (gemeente_code, year, wijk_code, age_group)
    where h.gemeente_code = ? and h.year = ? and h.cell_hidden
    group by h.wijk_code, h.age_group
    order by h.wijk_code, h.age_group
"""


def model_hidden_note(rows: Iterable[tuple]) -> str:
    """A Dutch sentence naming the wijken and age groups without a model estimate because their
    BRP count is hidden (rows of MODEL_HIDDEN_SQL), or '' when there are none."""
    per_wijk: dict[tuple[str, str], list[str]] = {}
    for code, name, age_group in rows:
        per_wijk.setdefault((code, name or code), []).append(age_group)
    if not per_wijk:
        return ""
    cells = "; ".join(f"{name} ({code}): {', '.join(groups)} jaar" for (code, name), groups in per_wijk.items())
    return (f"Geen schatting voor {cells}: het aantal kinderen (BRP) is daar afgeschermd (kleine "
            "aantallen, zie Overzicht), dus het model rekent er niet mee. De totalen van de wijk en "
            "de gemeente tellen deze kinderen niet mee.")


# The gemeente's own ages loaded but of no use (population_by_wijk_age, wijk_share): without the
# kwb's gemeente row and with a secret wijk, 03759ned's ages 0-14 are the total each wijk's share
# is taken of (else the share would hand the secret wijk's children to the others)
_PROFILE_UNUSABLE = (" (of zonder de leeftijden 12 tot en met 14 jaar geladen, terwijl de kwb geen cijfer "
                     "van de gemeente zelf heeft en CBS de kinderen van een wijk geheimhoudt)")
SOURCE_NOTES = {
    "brp": "Bron: basisregistratie personen (BRP) van de gemeente; kleine aantallen zijn afgeschermd.",
    "cbs-schatting": "Schatting: het aantal kinderen per leeftijd in de hele gemeente (CBS, tabel 03759ned) "
                     "is over de wijken verdeeld naar het aandeel van elke wijk in de kinderen van 0 tot 15 "
                     "jaar (CBS Kerncijfers wijken en buurten). Afgerond; geen telling.",
    "cbs-landelijk-profiel": "Schatting: de kinderen van 0 tot 15 jaar per wijk (CBS Kerncijfers wijken en "
                             "buurten, kolom a_00_14) zijn over de leeftijden 0 tot en met 14 verdeeld "
                             "zoals in heel Nederland (CBS, tabel 03759ned, regio Nederland, zelfde jaar), "
                             "omdat de leeftijdsopbouw van de gemeente zelf voor dit jaar niet is geladen"
                             f"{_PROFILE_UNUSABLE}. Afgerond; geen telling.",
    "kwb-gelijk-verdeeld": "Schatting: de kinderen van 0 tot 15 jaar per wijk (CBS Kerncijfers wijken en "
                           "buurten, kolom a_00_14) zijn gelijk verdeeld over de leeftijden 0 tot en met 14 "
                           "jaar (elk 1/15), omdat de leeftijdsopbouw van de gemeente (CBS-tabel 03759ned) "
                           f"voor dit jaar niet is geladen{_PROFILE_UNUSABLE}, en ook die van Nederland niet. "
                           "Afgerond; geen telling. Met 03759ned (van de gemeente met de leeftijden 0 tot en "
                           "met 14 jaar, of van Nederland) wordt de verdeling beter.",
}
# What makes a route's figures better, said after its note (source_note)
SOURCE_LOAD_HINTS = {
    "kwb-gelijk-verdeeld": LoadHint("03759ned", "CBS-bestand inlezen, of van CBS",
                                    "python -m data_sources import-cbs 03759ned.csv"),
}

# A figure of a wijk whose children CBS keeps secret (a_00_14 '.'): its count, or a rate over it
SECRET_LABEL = "onbekend (CBS geheim)"
# Short names of the routes, for a column per wijk.
SOURCE_LABELS = {
    "brp": "BRP (telling)",
    "cbs-schatting": "CBS 03759ned × kwb",
    "cbs-landelijk-profiel": "kwb × landelijk profiel (03759ned)",
    "kwb-gelijk-verdeeld": "kwb, gelijk verdeeld",
    "onbekend": SECRET_LABEL,
}
UNKNOWN_TEXT = "onbekend"


def source_note(source: str, where: Where) -> str:
    """A Dutch sentence on where the population figures come from and how they were made, and
    (`where`, see transforms.labels.LoadHint) what to load to make them better."""
    parts = [part.strip() for part in source.split(",") if part.strip()]
    return " ".join(f"{SOURCE_NOTES[part]} {where(SOURCE_LOAD_HINTS[part])}" if part in SOURCE_LOAD_HINTS
                    else SOURCE_NOTES.get(part, part) for part in parts)


# What a route makes, in a few words: 'telling (BRP)', 'schatting (CBS 03759ned × kwb)'.
SOURCE_KINDS = {
    "brp": "telling (BRP)",
    "cbs-schatting": "schatting (CBS 03759ned × kwb)",
    "cbs-landelijk-profiel": "schatting (kwb × landelijk profiel 03759ned)",
    "kwb-gelijk-verdeeld": "schatting (kwb, gelijk verdeeld over de leeftijden)",
}


def source_kind(source: str) -> str:
    """The routes of one year's figures in a few words ('telling (BRP)', 'schatting (CBS 03759ned
    × kwb)'; several routes joined with 'en'); '' when there are none."""
    parts = [part.strip() for part in source.split(",") if part.strip()]
    return " en ".join(SOURCE_KINDS.get(part, part) for part in parts)


def figure_kind(is_estimate: bool, source: str) -> str:
    """What a table of children is, in one word for its title: 'telling' (BRP only), 'schatting'
    (CBS routes only) or 'telling en schatting' (a BRP that covers some wijken, estimates for the
    rest). `is_estimate`: whether any cell is an estimate; `source`: PopulationTable.source."""
    if not is_estimate:
        return "telling"
    kinds = {SOURCE_KINDS.get(part.strip(), part).split(" ")[0] for part in source.split(",") if part.strip()}
    return "telling en schatting" if "telling" in kinds else "schatting"


def sources_by_year_text(sources: dict[int, str], short: bool = False) -> str:
    """The route of every year, consecutive years with the same route together:
    '2020-2023 schatting (CBS 03759ned × kwb), 2024 telling (BRP)'; `short`: '2020-2023
    schatting, 2024 telling' (for a title). `sources`: year -> the source of that year's table
    (PopulationTable.source)."""
    runs: list[list] = []  # [first year, last year, kind]
    for year in sorted(sources):
        kind = source_kind(sources[year]) or "bron onbekend"
        kind = kind.split(" (")[0] if short else kind
        if runs and runs[-1][2] == kind and runs[-1][1] == year - 1:
            runs[-1][1] = year
        else:
            runs.append([year, year, kind])
    return ", ".join(f"{first}{'' if first == last else f'-{last}'} {kind}" for first, last, kind in runs)


def source_breaks(sources: dict[int, str]) -> list[int]:
    """The years whose route differs from the year before (the first year of each new route)."""
    years = sorted(sources)
    return [year for before, year in zip(years, years[1:], strict=False)
            if source_kind(sources[before]) != source_kind(sources[year])]


def source_route(source: str) -> str:
    """The route of a year's figures in one word ('schatting', 'telling'; '' without a source):
    what a chart over the years shows with an open or a filled marker (outputs.palette)."""
    return source_kind(source).split(" ")[0]


@dataclass(frozen=True)
class SourceBreak:
    """Where a chart over the years marks a change of route: a dashed line between the year before
    and `year`, with `text` beside it, on the side of the earlier years when `text_before` (a break
    in the later half has more room there: centred near the last year the text ran off a narrow
    chart, WCAG 1.4.10)."""

    year: int
    text: str
    text_before: bool


def source_break_marks(sources: dict[int, str]) -> list[SourceBreak]:
    """The marks of every change of route (source_breaks) on a chart over the years: 'bron wisselt:
    schatting → telling', or 'andere telling' where only the source of the same kind changes. The
    slides and pages (ui.theme.mark_source_breaks) and the report (outputs.report.svg_lines) draw
    these."""
    years = sorted(sources)
    marks = []
    for year in source_breaks(sources):
        before, after = source_route(sources[years[years.index(year) - 1]]), source_route(sources[year])
        text = f"bron wisselt: {before} → {after}" if before != after else f"andere {after}"
        marks.append(SourceBreak(year, text, years.index(year) > len(years) / 2))
    return marks


def source_routes(sources: dict[int, str]) -> list[str]:
    """The routes of the years in a chart's key, a count before an estimate."""
    return sorted({source_route(source) for source in sources.values()}, reverse=True)


def source_break_note(sources: dict[int, str]) -> str:
    """A Dutch sentence warning that a change of route is no trend, or '' when every year has the
    same route."""
    breaks = source_breaks(sources)
    if not breaks:
        return ""
    years = sorted(sources)
    changes = []
    for year in breaks:
        before = years[years.index(year) - 1]
        old, new = source_kind(sources[before]), source_kind(sources[year])
        if old.split(" (")[0] != new.split(" (")[0]:  # 'schatting' -> 'telling' says it
            old, new = old.split(" (")[0], new.split(" (")[0]
        changes.append(f"tussen {before} en {year} van {old} naar {new}")
    return (f"Let op: de bron wisselt {' en '.join(changes)}. Het verschil tussen die jaren komt ook "
            "door de andere manier van tellen of schatten; het is niet alleen een ontwikkeling van het "
            "aantal kinderen.")


def sources_label(sources: dict[int, str]) -> str:
    """A short label for a title over years: 'schattingen', 'tellingen' or, with both, the kind
    of every year ('2020-2023 schatting, 2024 telling')."""
    kinds = {source_kind(source).split(" ")[0] for source in sources.values() if source}
    if kinds == {"schatting"}:
        return "schattingen"
    if kinds == {"telling"}:
        return "tellingen"
    return sources_by_year_text(sources, short=True)


# What population_missing_text counts: the kwb column a_00_14 (stem k_0Tot15Jaar) of the gemeente
# and its wijken in a year, and the years it is loaded for.
_MISSING_SQL = """
    select
        count(*) filter (where k.region_level = 'wijk'),
        count(k.value) filter (where k.region_level = 'wijk'),
        count(*) filter (where k.region_level = 'gemeente'),
        (select string_agg(distinct year::varchar, ', ' order by year::varchar)
         from stg_cbs__kerncijfers
         where stem = 'k_0Tot15Jaar' and region_level = 'wijk'
           and region_code like 'WK' || substr(?, 3, 4) || '%'),
        -- other kwb columns of its wijken that year: a file without the ages was loaded (not
        -- Nabijheid voorzieningen, stored beside them: no kwb file, and it has no ages to lack)
        (select count(*) from stg_cbs__kerncijfers
         where year = ? and region_level = 'wijk' and region_code like 'WK' || substr(?, 3, 4) || '%'
           and stem not like 'Nabijheid%'),
        -- the files they came from (none: fetched from CBS), to name what was loaded as it was
        -- (a JSON file was called 'het geladen kwb-bestand')
        (select list(distinct l.file_name order by l.file_name) filter (where l.file_name is not null)
         from stg_cbs__kerncijfers as o
         inner join loads as l on l.load_id = o.load_id
         where o.year = ? and o.region_level = 'wijk'
           and o.region_code like 'WK' || substr(?, 3, 4) || '%' and o.stem not like 'Nabijheid%'),
        -- its buurten that year: a download of only the buurten has no wijk to count children in
        (select count(distinct region_code) from stg_cbs__kerncijfers
         where year = ? and region_level = 'buurt' and region_code like 'BU' || substr(?, 3, 4) || '%')
    from stg_cbs__kerncijfers as k
    where k.stem = 'k_0Tot15Jaar' and k.year = ?
      and (k.region_code = ? or k.region_code like 'WK' || substr(?, 3, 4) || '%')
"""


def population_missing_text(rows: Callable[[str, list], list[tuple]], gemeente_code: str, year: int,
                            name: str | None = None, *, where: Where) -> str:
    """What is missing to count or estimate the children of a gemeente and year, and where to
    load it (Dutch), for every page, slide and command that has no children to show instead of
    a generic 'load data first'. `rows(sql, params)` runs a query (a page's cached ui.data.rows,
    or a connection's execute().fetchall()); `where(*hints)` words where to load (LoadHint)."""
    name = name or gemeente_code
    [(wijk_rows, wijk_values, gemeente_rows, kwb_years, other_columns, other_files, buurten)] = rows(
        _MISSING_SQL, [gemeente_code, year, gemeente_code, year, gemeente_code, year, gemeente_code,
                       year, gemeente_code, gemeente_code])
    kwb = LoadHint(f"kwb-{year}.xlsx", "onderdeel CBS-bestand inlezen, of van CBS",
                   f"python -m data_sources import-cbs kwb-{year}.xlsx --gemeente {gemeente_code}")
    brp = LoadHint("de BRP-telling per wijk", "soort bevolking", page="aanleveren", by_the_gemeente=True)
    if wijk_rows and not wijk_values:
        return (f"Voor {name} in {year} houdt CBS het aantal kinderen van 0 tot 15 jaar van alle "
                f"{wijk_rows} wijken geheim ('.' in de kerncijfers: kwb-kolom a_00_14, in StatLine "
                f"'0 tot 15 jaar'): er is geen schatting per wijk te "
                f"maken. {where(brp)}")
    other_years = f" (wel geladen voor {kwb_years})" if kwb_years else ""
    if buurten and not wijk_rows and not other_columns:
        return (f"Voor {name} in {year} zijn alleen buurten geladen ({buurten}), geen wijken: "
                "Kindkaart rekent per wijk, en telt geen buurten op tot een wijk (CBS rondt elke "
                "buurt apart af en houdt kleine buurten geheim). Er ontbreekt dus het aantal "
                f"kinderen van 0 tot 15 jaar per wijk (CBS Kerncijfers wijken en buurten {year}, "
                f"bestand kwb-{year}.xlsx, kolom a_00_14; in StatLine de wijken erbij kiezen)"
                f"{other_years}. {where(kwb, brp)}")
    if gemeente_rows and not wijk_rows:
        return (f"Voor {name} in {year} zijn alleen gemeentecijfers geladen, geen wijken: er "
                "ontbreekt het aantal kinderen van 0 tot 15 jaar per wijk (CBS Kerncijfers wijken en "
                f"buurten {year}, bestand kwb-{year}.xlsx, kolom a_00_14){other_years}. {where(kwb, brp)}")
    loaded = (f" {_loaded_without_ages(list(other_files or []), year)} per wijk wel andere kolommen, "
              "maar niet a_00_14." if other_columns and not wijk_rows else "")
    return (f"Voor {name} in {year} ontbreekt het aantal kinderen van 0 tot 15 jaar per wijk (CBS "
            f"Kerncijfers wijken en buurten {year}, bestand kwb-{year}.xlsx van cbs.nl, kolom "
            f"a_00_14){other_years}.{loaded} {where(kwb, brp)}")


def _loaded_without_ages(files: list[str], year: int) -> str:
    # named as what was loaded: a kwb, a StatLine CSV or an OData JSON file, or the table from CBS
    if not files:
        return f"De kerncijfers van {year} die van CBS zijn opgehaald, hebben"
    if len(files) == 1:
        return f"Het geladen bestand {files[0]} heeft"
    return f"De geladen bestanden {', '.join(files[:-1])} en {files[-1]} hebben"


# The route 'CBS 03759ned × kwb' spreads the gemeente's children per age (03759ned) over its wijken
# by their share of the 0-15 year olds (kwb a_00_14), so its total is 03759ned's. Both tables count
# the inhabitants registered in the gemeente (BRP) on 1 January of the year, and the kwb figure of
# a gemeente is not rounded (only wijken and buurten are, to fives): the same gemeente and year
# agree to a few children. What lies between them is revision (a preliminary figure corrected
# later) and, for a small gemeente, a handful of children; 2 % (at least 10 children) is well above
# that and well below what the wrong file gives (another gemeente or one before a herindeling:
# tens of %, only boys or girls: half). A file of the year before can stay under it (the 0-15 year
# olds of a gemeente change by 0 to 3 % a year); its year comes from the file itself (Perioden).
PROFILE_MISMATCH_SHARE = 0.02
PROFILE_MISMATCH_MIN_CHILDREN = 10

# CBS rounds every wijk's count to fives: the sum of a gemeente's wijken is its own figure to at
# most this much per wijk (as kerncijfers_reconciliation), the margin when only the sum is there.
WIJK_ROUNDING_CHILDREN = 5

# The gemeente's ages 0-14 in 03759ned and its 0-15 year olds in the kwb, same year, with the
# file (or CBS table) each came from; and the sum of its wijken's 0-15 year olds, for a kwb (or a
# StatLine selection) without the gemeente's own row.
_PROFILE_CHECK_SQL = """
    with ages as (
        select sum(persons_count) as children, list(distinct age order by age) as ages,
               min(load_id) as load_id
        from stg_cbs__population_by_age
        where gemeente_code = ? and year = ? and age between 0 and 14 and persons_count is not null
    ),
    kwb as (
        select min(value) as children, min(load_id) as load_id
        from stg_cbs__kerncijfers
        where region_level = 'gemeente' and stem = 'k_0Tot15Jaar' and region_code = ? and year = ?
          and value is not null
    ),
    wijken as (
        select sum(value) as children, count(*) as wijken, count(*) filter (where value is null) as secret,
               min(load_id) as load_id
        from stg_cbs__kerncijfers
        where region_level = 'wijk' and stem = 'k_0Tot15Jaar' and year = ?
          and region_code like 'WK' || substr(?, 3, 4) || '%'
    )
    select a.children, a.ages, k.children, la.file_name, la.table_id, lk.file_name, lk.table_id,
           w.children, w.wijken, w.secret, lw.file_name, lw.table_id
    from ages as a
    cross join kwb as k
    cross join wijken as w
    left join loads as la on la.load_id = a.load_id
    left join loads as lk on lk.load_id = k.load_id
    left join loads as lw on lw.load_id = w.load_id
"""


def profile_mismatch_text(rows: Callable[[str, list], list[tuple]], gemeente_code: str, year: int,
                          name: str | None = None, *, where: Where) -> str:
    """A Dutch warning when the gemeente's children of 0-14 in 03759ned and its 0-15 year olds in the
    kwb (a_00_14) of the same year differ by more than PROFILE_MISMATCH_SHARE: the route 'CBS
    03759ned × kwb' then gives every wijk too many or too few children. Without the gemeente's own
    row in the kwb (a StatLine selection of the wijken) the sum of its wijken is compared instead,
    said as such, with WIJK_ROUNDING_CHILDREN per wijk more room; with a secret wijk only when
    03759ned counts fewer (the sum misses the secret wijk's children, so more says nothing). Names
    both totals, both files and what to check; '' when they agree, or when either is missing or
    03759ned lacks an age (then there is nothing to compare). `rows` and `where` as population_missing_text."""
    found = rows(_PROFILE_CHECK_SQL, [gemeente_code, year, gemeente_code, year, year, gemeente_code])
    if not found:
        return ""
    (ages_children, ages, kwb_children, ages_file, ages_table, kwb_file, kwb_table,
     wijken_children, wijken, secret_wijken, wijken_file, wijken_table) = found[0]
    name = name or gemeente_code
    ages_source = f"bestand {ages_file}" if ages_file else f"opgehaald bij CBS, tabel {ages_table or '03759ned'}"
    hint = LoadHint("het juiste bestand", "CBS-bestand inlezen", "python -m data_sources import-cbs BESTAND --vervang")
    lacking = [age for age in range(12) if age not in (ages or [])]
    if ages and lacking:
        # an age group sums the ages it has: without them it is too low, by the missing ages
        return (f"Let op: CBS-tabel 03759ned ({ages_source}) heeft voor {name} in {year} niet alle "
                f"leeftijden; er ontbreken {_ages_text(lacking)}. De leeftijdsgroepen met die leeftijden "
                "zijn per wijk daardoor te laag. Download 03759ned opnieuw met Leeftijd 0 jaar tot en "
                f"met 14 jaar. {where(hint)}")
    if ages_children is None or not ages or len(ages) != 15:
        return ""
    margin = max(PROFILE_MISMATCH_SHARE * (kwb_children or 0), PROFILE_MISMATCH_MIN_CHILDREN)
    kwb_source_is_gemeente = bool(kwb_children)
    if kwb_children:
        kwb_source = f"bestand {kwb_file}" if kwb_file else f"opgehaald bij CBS, tabel {kwb_table}"
        kwb_said = f"({kwb_source}, kolom a_00_14, het cijfer van de gemeente)"
        explained = (f"latere correcties en afronding verklaren hooguit "
                     f"{format_number(PROFILE_MISMATCH_SHARE * 100)} %")
    elif wijken_children and wijken:
        # no figure of the gemeente itself: the sum of its wijken, each rounded to fives
        kwb_children = wijken_children
        margin = max(PROFILE_MISMATCH_SHARE * wijken_children, PROFILE_MISMATCH_MIN_CHILDREN,
                     WIJK_ROUNDING_CHILDREN * (wijken - (secret_wijken or 0)))
        kwb_source = f"bestand {wijken_file}" if wijken_file else f"opgehaald bij CBS, tabel {wijken_table}"
        kwb_said = (f"({kwb_source}, kolom a_00_14, de som van de {wijken} wijken: het bestand heeft "
                    "geen cijfer van de gemeente zelf)")
        explained = (f"latere correcties, afronding van elke wijk op vijftallen en inwoners zonder "
                     f"bekende wijk verklaren hooguit {format_number(PROFILE_MISMATCH_SHARE * 100)} % of "
                     f"{WIJK_ROUNDING_CHILDREN} kinderen per wijk")
        if secret_wijken:
            # the sum misses the secret wijken's children: 03759ned may count more, never fewer
            if ages_children >= kwb_children - margin:
                return ""
            known = wijken - secret_wijken
            kwb_said = (f"({kwb_source}, kolom a_00_14, de som van de {known} bekende wijken: het "
                        f"bestand heeft geen cijfer van de gemeente zelf, en CBS houdt de kinderen van "
                        f"{secret_wijken} {'wijk' if secret_wijken == 1 else 'wijken'} geheim, dus de "
                        "gemeente heeft er eerder meer)")
    else:
        return ""
    difference = ages_children - kwb_children
    if abs(difference) <= margin:
        return ""
    # beside a secret wijk each wijk's share is of the gemeente's total in the kwb, so the wijken
    # do not add up to 03759ned; without that total they do where it is below the known wijken
    # (population_by_wijk_age, wijk_share), the one case said then
    adds_up = ("De kinderen per wijk zijn de kinderen van 03759ned, verdeeld naar het aandeel van elke "
               "wijk in het totaal van de gemeente in de kwb" if secret_wijken and kwb_source_is_gemeente else
               "De kinderen per wijk tellen op tot 03759ned (ze zijn de kinderen van 03759ned, verdeeld "
               "naar het aandeel van elke wijk in de kwb)")
    share = format_number(abs(difference) / kwb_children * 100)
    more = "meer" if difference > 0 else "minder"
    return (f"Let op: de twee CBS-tabellen van deze schatting passen niet bij elkaar. Volgens CBS-tabel "
            f"03759ned ({ages_source}) had {name} op 1 januari {year} {format_number(ages_children)} "
            f"kinderen van 0 tot en met 14 jaar; volgens de Kerncijfers wijken en buurten {year} "
            f"{kwb_said} {format_number(kwb_children)}: "
            f"{share} % {more}. Beide tellen dezelfde kinderen op dezelfde dag; {explained}. {adds_up}: "
            f"klopt de kwb, dan is elke wijk {share} % te "
            f"{'hoog' if difference > 0 else 'laag'}. Controleer of 03759ned van deze gemeente "
            f"is (na een herindeling de nieuwe gemeente, niet een oude of een buurgemeente), van {year}, "
            "en gedownload met Geslacht 'Totaal mannen en vrouwen' en Burgerlijke staat 'Totaal "
            f"burgerlijke staat'; en of het kwb-bestand echt dat van {year} is (het jaar komt uit de "
            f"bestandsnaam of `--jaar`). {where(hint)}")


def _ages_text(ages: list[int]) -> str:
    # consecutive ages together: '4 tot en met 11 jaar', '0 en 3 jaar'
    runs: list[list[int]] = []
    for age in ages:
        if runs and runs[-1][1] == age - 1:
            runs[-1][1] = age
        else:
            runs.append([age, age])
    parts = [str(a) if a == b else f"{a} en {b}" if b == a + 1 else f"{a} tot en met {b}" for a, b in runs]
    return (", ".join(parts[:-1]) + " en " + parts[-1] if len(parts) > 1 else parts[0]) + " jaar"


# How figures that are estimates are protected, in one sentence for captions, exports and the
# presentation: they are no count of children, so rounded and never hidden (transforms.privacy).
ESTIMATES_NOT_HIDDEN = ("Schattingen uit openbare CBS-cijfers zijn geen tellingen van kinderen: ze zijn "
                        "afgerond, niet afgeschermd, ook waar ze klein zijn.")


@dataclass(frozen=True)
class PopulationTable:
    """The protected wijk x age group table. Rows are the wijken (sorted by code, then name) and,
    last, the gemeente total; columns are COLUMNS (the age groups, then the wijk total).
    `values` is NaN where a count is hidden; estimates are rounded, kept between 0 and 1 (shown
    as '<1')."""

    wijk_codes: tuple[str, ...]
    wijk_names: tuple[str, ...]
    values: np.ndarray
    hidden: np.ndarray
    threshold: int
    is_estimate: bool
    source: str
    wijk_sources: tuple[str, ...] = ()
    unknown_wijken: tuple[tuple[str, str], ...] = ()
    # the BRP counts with their totals (an estimated cell 0): the pattern the build publishes
    counted: np.ndarray | None = None

    def text(self, row: int, column: int) -> str:
        """One cell as the screen shows it: '1.234', '<1' for an estimate between 0 and 1, or
        'afgeschermd' when hidden."""
        if self.hidden[row, column]:
            return hidden_label()
        return shown_figure_text(self.values[row, column])

    def rounding_note(self) -> str:
        """The Dutch sentence that the age groups of a wijk or the gemeente as shown may not add
        up to its total as shown (each figure is rounded on its own: 26 + 26 + 96
        children under a total of 150), when that is so in a row with nothing hidden; else ''."""
        for row in range(len(self.values)):
            parts, total = self.values[row, :-1], self.values[row, -1]
            if self.hidden[row].any() or ((parts > 0) & (parts < 1)).any():
                continue  # '<1' is no figure to add up
            if abs(parts.sum() - total) >= 0.5:
                return ("Elk getal is apart afgerond (onder 100 op hele kinderen, daarboven op "
                        "vijftallen), dus de leeftijdsgroepen samen kunnen een paar kinderen van het "
                        "getoonde totaal verschillen.")
        return ""

    def source_label(self, row: int) -> str:
        """The route that made a wijk's figures, in words ('BRP (telling)', ...)."""
        source = self.wijk_sources[row] if row < len(self.wijk_sources) else ""
        return ", ".join(SOURCE_LABELS.get(part, part) for part in source.split(",") if part)

    def protection_note(self) -> str:
        """How the figures of the table are protected, in Dutch: the rule for BRP counts, or, for
        a table of estimates alone, that they are rounded and not hidden (the rule alone said
        that 1 to 5 children are hidden beside a wijk of 1 estimated child)."""
        if "brp" not in self.source.split(", "):
            return ESTIMATES_NOT_HIDDEN
        return f"{hidden_rule(self.threshold)} {ESTIMATES_NOT_HIDDEN}"

    def unknown_note(self) -> str:
        """A Dutch sentence naming the wijken without figures, or '' when there are none."""
        if not self.unknown_wijken:
            return ""
        names = ", ".join(f"{name} ({code})" for code, name in self.unknown_wijken)
        these = "deze wijk" if len(self.unknown_wijken) == 1 else "deze wijken"
        return (f"Aantal kinderen onbekend voor {names}: CBS houdt het aantal kinderen van 0 tot 15 "
                f"jaar van {these} geheim ('.' in de kerncijfers). Hun kinderen zijn niet over "
                "de andere wijken verdeeld, dus het gemeentetotaal hierboven telt ze niet mee. "
                "Lever BRP-cijfers aan (pagina Aanleveren, soort bevolking) om ze te tellen.")

    def suppressed_table(self) -> SuppressedTable:
        """The same table as pandas frames with wijk_code and wijk_name columns and a total row
        labelled 'Totaal' (as suppress_table makes it), for exports and the other pages."""
        import pandas as pd

        labels = pd.DataFrame({"wijk_code": [*self.wijk_codes, TOTAL_LABEL],
                               "wijk_name": [*self.wijk_names, None]}, dtype=object)
        values = pd.concat([labels, pd.DataFrame(self.values, columns=COLUMNS)], axis=1)
        hidden = pd.concat([labels.assign(wijk_code=False, wijk_name=False),
                            pd.DataFrame(self.hidden, columns=COLUMNS)], axis=1)
        return SuppressedTable(values=values, hidden=hidden, threshold=self.threshold,
                               value_columns=list(COLUMNS), estimate=self.is_estimate)


def shown_children(children: float, sources: Iterable[str]) -> float | str:
    """Children of the model's rows (population_children) as Overzicht shows them
    (protect_observed_and_estimated): a count (BRP) as it is, a figure that holds an estimate
    rounded, and '<1' between 0 and 1. For the pages that show the children beside model
    figures: Continuüm's 'Alle kinderen' is Oude Haven's 308 children, not a model estimate of
    310, and an estimated 0,7 children is '<1' there as on Overzicht."""
    if all(source == "brp" for source in sources):
        return float(children)
    return BELOW_ONE if 0 < children < 1 else round_estimate(children)


def shown_children_text(children: float, sources: Iterable[str]) -> str:
    """shown_children as text ('1.234', '<1')."""
    return shown_figure_text(shown_children(children, sources))


def published_previous(published: Iterable[tuple], wijk_codes: Iterable[str]
                       ) -> tuple[np.ndarray, np.ndarray] | None:
    """The table as published before (a row of PUBLISHED_SQL, or none) on the wijken of a new
    version, with the age groups and totals of COLUMNS: (counts, hidden), a wijk the published
    version did not have counted as a shown 0; None when nothing was published, or published
    with another smallest count (the table then starts fresh)."""
    published = list(published)
    if not published:
        return None
    wijken, age_groups, counts, hidden, threshold = published[0]
    if int(threshold) != min_count():
        return None
    shape = (len(wijken) + 1, len(age_groups) + 1)
    counts = np.asarray(counts, dtype=float).reshape(shape)
    hidden = np.asarray(hidden, dtype=bool).reshape(shape)
    row_of = {code: i for i, code in enumerate(wijken)}
    group_of = {group: i for i, group in enumerate(age_groups)}
    rows = np.array([row_of.get(code, -1) for code in wijk_codes] + [len(wijken)])
    columns = np.array([group_of.get(group, -1) for group in AGE_GROUP_LABELS] + [len(age_groups)])
    present = (rows >= 0)[:, None] & (columns >= 0)[None, :]
    cells = np.ix_(np.maximum(rows, 0), np.maximum(columns, 0))
    return np.where(present, counts[cells], 0.0), np.where(present, hidden[cells], False)


def protect_beside_published(counted: np.ndarray, estimated: np.ndarray, wijk_codes: Iterable[str],
                             published: Iterable[tuple] = ()) -> tuple[np.ndarray, np.ndarray]:
    """protect_observed_and_estimated of one gemeente's wijken x age groups (BRP counts and CBS
    estimates apart), beside its pattern as published before (rows of PUBLISHED_SQL: the first,
    if any). A wijk the published version counted that is not among `wijk_codes` now (left out
    of a corrected BRP, its children secret at CBS: unknown, outside the totals) is a row of
    known zeros in the protection: the old totals held its counts, and old total minus new
    would give back every count of it hidden then, so those totals are hidden now (as for a
    wijk whose figure became a CBS estimate). Returns (values, hidden) of `wijk_codes` with the
    age totals and the gemeente total row appended, as protect_observed_and_estimated."""
    wijk_codes = list(wijk_codes)
    published = list(published)
    previous = published_previous(published, wijk_codes)
    gone = ([code for code in published[0][0] if code not in set(wijk_codes)]
            if previous is not None else [])
    if gone:
        previous = published_previous(published, [*wijk_codes, *gone])
        padding = np.zeros((len(gone), np.shape(counted)[1]))
        counted, estimated = np.vstack([counted, padding]), np.vstack([estimated, padding])
    known_zero = np.zeros(np.shape(counted), dtype=bool)
    known_zero[len(wijk_codes):] = True
    values, hidden = protect_observed_and_estimated(counted, estimated, previous=previous,
                                                    known_zero=known_zero)
    kept = [*range(len(wijk_codes)), len(values) - 1]
    return values[kept], hidden[kept]


def protect_population(rows: Iterable[tuple], unknown: Iterable[tuple] = (),
                       published: Iterable[tuple] = ()) -> PopulationTable:
    """Rows of POPULATION_SQL (one gemeente and year) -> the protected table with totals.
    Counts of the same wijk and age group are added up; other age groups are left out; a
    missing count counts as 0. Decided per cell (protect_observed_and_estimated): a BRP count and
    every total that holds one is suppressed (threshold and secondary suppression), a CBS estimate
    only rounded (never hidden; '<1' between 0 and 1), also in a year whose BRP covers some
    wijken only.
    `unknown`: rows of UNKNOWN_SQL, wijken kept apart as unknown (not in the totals).
    `published`: the row of PUBLISHED_SQL, the counts' pattern as published before (by the build
    of population_protection_by_wijk): the counts are protected beside it (what was hidden stays
    hidden, also a 0, a cell shown with the same count is known; a wijk it counted that is gone
    now hides the totals that held it: protect_beside_published), so that two versions of the
    year's BRP side by side give back no hidden count and every view hides the same cells."""
    # per wijk and age group: [counted (BRP), estimated (CBS)]
    wijken: dict[tuple[str, str], dict[str, list[float]]] = {}
    per_wijk_sources: dict[tuple[str, str], set[str]] = {}
    estimate = False
    sources: set[str] = set()
    for wijk_code, wijk_name, age_group, children, is_estimate, source in rows:
        per_group = wijken.setdefault((wijk_code, wijk_name), {})
        if age_group in AGE_GROUPS:
            per_group.setdefault(age_group, [0.0, 0.0])[1 if is_estimate else 0] += float(children or 0)
        estimate = estimate or bool(is_estimate)
        if source:
            sources.add(source)
            per_wijk_sources.setdefault((wijk_code, wijk_name), set()).add(source)
    order = sorted(wijken)
    parts = np.array([[wijken[key].get(group, [0.0, 0.0]) for group in AGE_GROUP_LABELS] for key in order],
                     dtype=float).reshape(len(order), len(AGE_GROUP_LABELS), 2)
    # decided per cell: a BRP count (and every total that holds one) is suppressed, only an
    # estimate is merely rounded, also when the BRP covers some of the wijken of a year
    values, hidden = protect_beside_published(parts[..., 0], parts[..., 1], (code for code, _ in order),
                                              published)
    counted = np.column_stack([parts[..., 0], parts[..., 0].sum(axis=1)])
    counted = np.vstack([counted, counted.sum(axis=0)])
    return PopulationTable(
        wijk_codes=tuple(code for code, _ in order),
        wijk_names=tuple(name for _, name in order),
        values=values,
        hidden=hidden,
        threshold=min_count(),
        is_estimate=estimate,
        source=", ".join(sorted(sources)),
        wijk_sources=tuple(",".join(sorted(per_wijk_sources.get(key, ()))) for key in order),
        unknown_wijken=tuple((code, name or code) for code, name, *_ in unknown
                             if code not in {known for known, _ in order}),
        counted=counted,
    )


def cell_protection(rows, previous=None, published=None):
    """The model population_protection_by_wijk: for every wijk x age group cell of a gemeente and
    year with BRP figures whether the pages hide it (cell_hidden), its wijk total
    (wijk_total_hidden), the gemeente total of its age group (gemeente_hidden) and the gemeente's
    grand total (gemeente_total_hidden), computed by protect_population,
    the one function Overzicht, the map, the exports and the report protect the population with,
    on the same rows (POPULATION_SQL's columns; protect_population orders them itself). The model
    (int_population__model_by_wijk_age) leaves a hidden cell out, so that no estimate carries it,
    and signals_by_wijk hides every rate per 100 children over a hidden population.
    `rows`: the model's SQL (an Arrow table), with each table's input_digest (its rows and the
    pattern it is protected beside); `published`: the rows of PUBLISHED_TABLE of these gemeenten,
    each table's pattern as published before: the table is protected beside it
    (protect_population's `published`), fresh without one or with another smallest count.
    `previous`: what this model stored before (made by the same code and smallest count: the
    build passes it only then). A table whose stored rows carry the digest of its input now
    keeps those rows, taken over as Arrow rows: a national build protects only the tables that
    changed (all 343 of the benchmark took 0.15 s). A table's rows carry that digest
    (input_digest: the SQL's, with the smallest count and the age groups) only where its
    protection published nothing new (the pattern it made is the one it was protected beside):
    the same input then gives the same rows and again publishes nothing, which is what keeping
    them does. Where it published a new pattern the digest is null, and the next build protects
    the table again, beside that pattern.
    Returns (the model's rows, the patterns that changed: rows of PUBLISHED_TABLE), the state the
    build stores in the same transaction and every view then protects beside."""
    import pyarrow as pa

    schema = pa.schema([("gemeente_code", pa.string()), ("year", pa.int32()), ("wijk_code", pa.string()),
                        ("age_group", pa.string()), ("cell_hidden", pa.bool_()),
                        ("wijk_total_hidden", pa.bool_()), ("gemeente_hidden", pa.bool_()),
                        ("gemeente_total_hidden", pa.bool_()), ("input_digest", pa.string())])
    pattern_schema = pa.schema([("gemeente_code", pa.string()), ("year", pa.int32()),
                                ("threshold", pa.int32()), ("wijken", pa.list_(pa.string())),
                                ("age_groups", pa.list_(pa.string())),
                                ("counts", pa.list_(pa.float64())), ("hidden", pa.list_(pa.bool_()))])
    threshold = min_count()
    # what the protection reads besides the SQL's input: the smallest count and the age groups
    salt = "\0".join([str(threshold), *AGE_GROUP_LABELS, ""])
    rows, tables = _tables(rows)
    # each stored table: (its digest, start, end) in `previous`, sorted as `rows`
    stored: dict[tuple[str, int], tuple[str | None, int, int]] = {}
    if previous is not None and previous.num_rows and "input_digest" in previous.column_names:
        previous, runs = _tables(previous.select(schema.names).cast(schema))
        digests = previous.column("input_digest").take(
            pa.array([start for _, start, _ in runs], type=pa.int64())).to_pylist()
        stored = {key: (digest, start, end) for (key, start, end), digest in zip(runs, digests, strict=True)}
    published_at: dict[tuple[str, int], int] = {}
    if published is not None and published.num_rows:
        published_at = {(code, int(year)): i for i, (code, year) in enumerate(zip(
            published.column("gemeente_code").to_pylist(), published.column("year").to_pylist(), strict=True))}
    input_digests = rows.column("input_digest").take(
        pa.array([start for _, start, _ in tables], type=pa.int64())).to_pylist()
    # the model's rows in table order: runs of kept tables (positions in `previous`) and of
    # tables protected again (their rows as columns)
    parts: list[tuple[str, list | dict[str, list]]] = []
    patterns: list[dict] = []
    columns = ["wijk_code", "wijk_name", "age_group", "children", "is_estimate", "population_source"]
    pattern_names = ["wijken", "age_groups", "counts", "hidden", "threshold"]
    for ((gemeente_code, year), start, end), input_digest in zip(tables, input_digests, strict=True):
        digest = hashlib.md5(f"{salt}{input_digest}".encode()).hexdigest()
        kept = stored.get((gemeente_code, year))
        if kept is not None and kept[0] == digest:
            if not parts or parts[-1][0] != "kept":
                parts.append(("kept", []))
            parts[-1][1].append(np.arange(kept[1], kept[2]))
            continue
        part = rows.slice(start, end - start)
        table_rows = list(zip(*(part.column(name).to_pylist() for name in columns), strict=True))
        at = published_at.get((gemeente_code, year))
        before = (None if at is None else
                  tuple(published.slice(at, 1).select(pattern_names).to_pylist()[0].values()))
        table = protect_population(table_rows, published=() if before is None else [before])
        pattern = (list(table.wijk_codes), list(AGE_GROUP_LABELS), table.counted.ravel().tolist(),
                   table.hidden.ravel().tolist(), threshold)
        republished = pattern != (None if before is None else (list(before[0]), list(before[1]),
                                                               list(before[2]), list(before[3]),
                                                               int(before[4])))
        if republished:
            patterns.append(dict(zip(pattern_names, pattern, strict=True), gemeente_code=gemeente_code,
                                 year=year))
        if not parts or parts[-1][0] != "new":
            parts.append(("new", {name: [] for name in schema.names}))
        out = parts[-1][1]
        for row, wijk_code in enumerate(table.wijk_codes):
            for column, age_group in enumerate(AGE_GROUP_LABELS):
                out["gemeente_code"].append(gemeente_code)
                out["year"].append(year)
                out["wijk_code"].append(wijk_code)
                out["age_group"].append(age_group)
                out["cell_hidden"].append(bool(table.hidden[row, column]))
                out["wijk_total_hidden"].append(bool(table.hidden[row, -1]))
                out["gemeente_hidden"].append(bool(table.hidden[-1, column]))
                out["gemeente_total_hidden"].append(bool(table.hidden[-1, -1]))
                out["input_digest"].append(None if republished else digest)
    made = [previous.take(pa.array(np.concatenate(part), type=pa.int64())) if kind == "kept" else
            pa.Table.from_pydict(part, schema=schema) for kind, part in parts]
    return (pa.concat_tables(made) if made else schema.empty_table(),
            pa.Table.from_pylist(patterns, schema=pattern_schema))


def _tables(rows):
    """`rows` (Arrow) ordered by gemeente_code and year, and the run of each gemeente and year in
    them: ((gemeente_code, year), start, end). The sort is stable: a table's rows keep their
    order (protect_population adds up a wijk's counts in it)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from transforms.partner_tables import table_runs  # pandas: not for the first page

    keys = ["gemeente_code", "year"]
    rows = rows.take(pc.sort_indices(rows, [(name, "ascending") for name in keys]))
    starts, ends = table_runs(rows, keys)
    first = rows.select(keys).take(pa.array(starts, type=pa.int64()))
    return rows, list(zip(zip(*(first.column(name).to_pylist() for name in keys), strict=True),
                          starts.tolist(), ends.tolist(), strict=True))
