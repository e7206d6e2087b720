-- One row per region and year (gemeente, wijk, buurt), named as that year named it, else by the
-- latest known name of the code (stg_region_names).
select
    r.year,
    r.region_code,
    r.region_level,
    coalesce(r.region_name, n.region_name) as region_name,
    r.gemeente_code,
    r.wijk_code,
    r.load_id
from regions as r
left join stg_region_names as n using (region_code)
