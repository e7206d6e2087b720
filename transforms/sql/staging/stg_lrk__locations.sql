-- One row per LRK location and export year, active loads only; registered locations with places.
-- Per register gemeente (the location's verantwoordelijke gemeente) and year the newest export
-- that covers that gemeente counts: a national export and a later export of one gemeente (or the
-- other way round) are both active, as each still holds the only copy of other gemeenten, but a
-- gemeente's locations are never counted twice. An export does not cover a gemeente of which it
-- holds only a few locations (data_sources.lrk._coverage): its rows there have covers_register
-- false. Locations without any gemeente (no name, postcode not found) count from the newest export.
-- A location (its LRK number) counts once per year, from the newest of the exports chosen so: one
-- whose register gemeente differs between two exports (a name that matched no gemeente, corrected
-- in a later export; a gemeente merged into another) was counted in both.
with active as (
    select load_id from loads where status = 'active'
),

newest as (
    select l.year, l.register_gemeente_code, max(l.load_id) as load_id
    from raw_lrk__locations as l
    inner join active using (load_id)
    where l.covers_register
    group by l.year, l.register_gemeente_code
),

chosen as (
    select l.*
    from raw_lrk__locations as l
    inner join newest as n
        on n.year = l.year and n.register_gemeente_code is not distinct from l.register_gemeente_code
        and n.load_id = l.load_id and l.covers_register
    -- before the rule below: the newest export's word on the location holds (deregistered there)
    qualify row_number() over (partition by l.year, l.lrk_id order by l.load_id desc) = 1
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
    -- the year of the postcode file that placed it in its wijk (data_sources.lrk); null without a
    -- wijk, or where a database of before that was stored could not tell
    l.postcode_year,
    l.registration_status,
    l.registered_on,
    l.deregistered_on,
    l.load_id
from chosen as l
-- counted as data_sources.lrk.counts() counts for the import's message: not deregistered by the end
-- of the export's year, by the uitschrijfdatum where there is one (a date after the year counts,
-- also on 'Uitgeschreven' in an export downloaded after it), else by the status (registered or
-- none); and registered by then (an export of a later year read as this year's)
where (
        l.deregistered_on > make_date(l.year, 12, 31)
        or (l.deregistered_on is null
            and coalesce(nullif(lower(trim(l.registration_status)), ''), 'ingeschreven') = 'ingeschreven')
    )
    and (l.registered_on is null or l.registered_on <= make_date(l.year, 12, 31))
