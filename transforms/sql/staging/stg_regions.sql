-- One row per region and year (gemeente, wijk, buurt), with the latest known name of each code.
with latest_name as (
    select region_code, arg_max(region_name, year) as latest_region_name
    from regions
    where region_name is not null
    group by region_code
)

select
    r.year,
    r.region_code,
    r.region_level,
    coalesce(r.region_name, n.latest_region_name, r.region_code) as region_name,
    r.gemeente_code,
    r.wijk_code,
    r.load_id
from regions as r
left join latest_name as n using (region_code)
