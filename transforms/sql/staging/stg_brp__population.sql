-- One row per region (buurt or wijk), year and single age from the gemeente's register, active uploads only.
with active as (
    select load_id from loads where status = 'active'
)

select
    b.year,
    b.region_code,
    b.age,
    b.children as children_count,
    b.load_id
from raw_brp__population as b
inner join active using (load_id)
