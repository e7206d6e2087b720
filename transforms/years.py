"""Which year's boundaries a map of another year uses (the rule: nearest_year in sql/macros.sql)."""

from __future__ import annotations

# wijk_code, geometry_json of the wijken whose code matches $1 ('WK0344%', or 'WK%' for all), from
# the nearest year to $2 for which wijk boundaries are loaded; the caller adds its order.
WIJK_GEOMETRIES_SQL = """
    with candidates as (
        select year from geometries
        where region_level = 'wijk' and region_code like $1
        group by year
    ),
    chosen as (select nearest_year(year, $2) as year from candidates)
    select g.region_code as wijk_code, g.geometry_json
    from geometries as g, chosen
    where g.year = chosen.year and g.region_level = 'wijk' and g.region_code like $1
"""
