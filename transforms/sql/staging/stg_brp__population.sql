-- One row per region (buurt or wijk), year and single age from the gemeente's register, active
-- uploads only, and per gemeente and year only one upload: the one made active last (an import
-- or a restore supersedes the other BRP uploads of that year, data_sources.registrations; this
-- also holds for a database in which two were left active). Two extracts of the same children
-- (2024 and 2024-09) are never added up.
with active as (
    select load_id
    from loads
    where status = 'active' and source = 'brp'
    qualify row_number() over (
        partition by gemeente_code, year
        order by coalesce(status_changed_at, loaded_at) desc, load_id desc
    ) = 1
)

select
    b.year,
    b.region_code,
    b.age,
    b.children as children_count,
    b.load_id
from raw_brp__population as b
inner join active using (load_id)
