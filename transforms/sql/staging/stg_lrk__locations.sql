-- One row per LRK location and export year, active loads only; registered locations with places.
with active as (
    select load_id from loads where status = 'active'
)

select
    l.year,
    l.lrk_id,
    l.provision_type,
    l.location_name,
    coalesce(l.places, 0) as places,
    l.postcode,
    l.gemeente_code,
    l.wijk_code,
    l.buurt_code,
    l.registration_status,
    l.registered_on,
    l.deregistered_on,
    l.load_id
from raw_lrk__locations as l
inner join active using (load_id)
where coalesce(lower(l.registration_status), 'ingeschreven') = 'ingeschreven'
    and l.deregistered_on is null
