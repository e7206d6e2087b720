-- One row per gemeente, wijk, year and provision type: places (observed, not modelled).
-- Source: int_supply__places_by_wijk_span (LRK export; partner registrations for plus-groups, KDC/MKD),
-- stg_region_names.
-- rebuild: per gemeente
with summed as (
    select
        gemeente_code,
        wijk_code,
        year,
        provision_type,
        any_value(provision_group) as provision_group,
        string_agg(distinct age_span, ', ' order by age_span) as age_spans,
        string_agg(distinct places_source, ', ' order by places_source) as places_source,
        sum(places) as places,
        sum(locations_count) as locations_count
    from int_supply__places_by_wijk_span
    group by gemeente_code, wijk_code, year, provision_type
),

final as (
    select
        s.gemeente_code,
        s.wijk_code,
        coalesce(n.region_name, s.wijk_code) as wijk_name,
        s.year,
        s.provision_type,
        s.provision_group,
        s.age_spans,
        s.places,
        s.locations_count,
        s.places_source,
        'waargenomen' as figure_kind
    from summed as s
    left join stg_region_names as n on n.region_code = s.wijk_code
)

select * from final
