-- One row per region code (gemeente, wijk, buurt): its latest known name, else the code; the name
-- every year's rows, marts and maps show for the code. Source: regions.
select
    region_code,
    any_value(region_level) as region_level,
    arg_max(gemeente_code, year) as gemeente_code,
    coalesce(arg_max(region_name, year) filter (where region_name is not null), region_code)
        as region_name
from regions
group by region_code
