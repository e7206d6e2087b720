"""Which year's boundaries a map of another year uses (the rule: nearest_year in sql/macros.sql)."""

from __future__ import annotations

# wijk_code, geometry_json of the wijken whose code matches $1 ('WK0344%', or 'WK%' for all), from
# the nearest year to $2 for which wijk boundaries are loaded; the caller adds its order. A wijk
# that CBS marks as another area than the year before (kwb ind_wbi 3) in a year between the
# boundaries' year and $2 is left out: that year's boundary under its code is another area
# (boundary_changed_sql says which).
_WIJK_GEOMETRIES_SQL = """
    with candidates as (
        select year from geometries
        where region_level = 'wijk' and region_code like $1
        group by year
    ),
    chosen as (select nearest_year(year, $2) as year from candidates)
    select g.region_code as wijk_code, g.geometry_json
    from geometries as g, chosen
    where g.year = chosen.year and g.region_level = 'wijk' and g.region_code like $1
      and not {changed}
"""


def boundary_changed_sql(code: str, boundary_year: str, year: str) -> str:
    """A SQL condition: CBS marks the region `code` as another area than the year before (kwb
    ind_wbi 3) in a year after the earlier of `boundary_year` and `year`, up to the later one (all
    three SQL expressions). The rule WIJK_GEOMETRIES_SQL leaves such a wijk off the map by."""
    return f"""exists (
          select 1 from stg_cbs__kerncijfers as k
          where k.region_code = {code} and k.stem = 'IndelingswijzigingGemeenteWijkBuurt'
            and k.value = 3
            and k.year > least({boundary_year}, {year}) and k.year <= greatest({boundary_year}, {year}))"""


WIJK_GEOMETRIES_SQL = _WIJK_GEOMETRIES_SQL.format(
    changed=boundary_changed_sql("g.region_code", "chosen.year", "$2"))
