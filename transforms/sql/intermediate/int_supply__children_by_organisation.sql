-- materialized: table
-- One row per gemeente, year, provision type and organisation: the children and places partners
-- delivered (row 3 kinderopvang-bezetting for regular childcare; row 10 groepsgrootte for
-- plus-groups and KDC/MKD), for the observed children per place and, per organisation, for the
-- contributor rule of transforms.privacy (the children behind a children-per-place figure are a
-- count of children). Stored: the staging views parse JSON, too slow to repeat per page view.
-- Source: stg_partner__kinderopvang_bezetting, stg_partner__groepsgrootte.
-- rebuild: per gemeente
with delivered as (
    select
        gemeente_code,
        year,
        organisation,
        case when care_type = 'peuteropvang' then 'dagopvang' else care_type end as provision_type,
        'kinderopvang-bezetting' as children_per_place_source,
        children_count,
        places
    from stg_partner__kinderopvang_bezetting
    where places > 0 and children_count is not null
    union all
    select
        gemeente_code,
        year,
        organisation,
        case
            when group_kind in ('plusgroep', 'bso-plus') then 'plusgroep' else 'kdc_mkd'
        end as provision_type,
        'groepsgrootte' as children_per_place_source,
        children_count,
        places
    from stg_partner__groepsgrootte
    where group_kind in ('plusgroep', 'bso-plus', 'kdc', 'mkd', 'djk', 'moc')
        and places > 0 and children_count is not null
),

final as (
    select
        gemeente_code,
        year,
        provision_type,
        organisation,
        any_value(children_per_place_source) as children_per_place_source,
        sum(children_count) as children_count,
        sum(places) as places
    from delivered
    group by gemeente_code, year, provision_type, organisation
)

select * from final
