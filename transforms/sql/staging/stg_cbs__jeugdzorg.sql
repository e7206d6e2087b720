-- One row per region, year, category and topic from the CBS Jeugdmonitor tables per wijk, active loads.
with active as (
    select load_id from loads where status = 'active'
)

select
    j.table_id,
    j.year,
    j.region_code,
    j.region_level,
    j.category,
    j.stem,
    j.topic_title,
    j.value,
    j.load_id
from raw_cbs__jeugdzorg as j
inner join active using (load_id)
