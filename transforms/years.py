"""Which year's data a view of another year uses: one rule for boundaries, places and reports."""

from __future__ import annotations


def nearest_year(wanted: str = "?", column: str = "year") -> str:
    """An SQL aggregate over `column`: the latest year at or before `wanted` (a parameter or an
    expression), else the earliest after it. Boundaries, LRK exports and deliveries of another
    year stand in for a year without their own this way, and the page says so."""
    return f"coalesce(max({column}) filter (where {column} <= {wanted}), min({column}))"


# wijk_code, geometry_json of the wijken whose code matches $1 ('WK0344%', or 'WK%' for all), from
# the nearest year to $2 for which wijk boundaries are loaded; the caller adds its order.
WIJK_GEOMETRIES_SQL = f"""
    with candidates as (
        select year from geometries
        where region_level = 'wijk' and region_code like $1
        group by year
    ),
    chosen as (select {nearest_year('$2')} as year from candidates)
    select g.region_code as wijk_code, g.geometry_json
    from geometries as g, chosen
    where g.year = chosen.year and g.region_level = 'wijk' and g.region_code like $1
"""
