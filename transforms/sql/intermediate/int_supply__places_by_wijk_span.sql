-- Places per wijk, year, provision type and the age span they serve: LRK locations (regular
-- childcare) plus partner-registered groups the LRK does not show (plus-groups, KDC/MKD and alike).
-- A gastouder's home (VGO, voorziening voor gastouderopvang) has places; a gastouderbureau (GOB)
-- has none of its own (its gastouders are the VGOs), so a GOB row never adds places.
with lrk as (
    select
        gemeente_code,
        wijk_code,
        year,
        case provision_type
            when 'KDV' then 'dagopvang'
            when 'BSO' then 'bso'
            when 'VGO' then 'gastouderopvang'
        end as provision_type,
        case provision_type
            when 'KDV' then '0-4'
            when 'BSO' then '4-12'
            when 'VGO' then '0-12'
        end as age_span,
        places,
        'lrk' as places_source
    from stg_lrk__locations
    where provision_type in ('KDV', 'BSO', 'VGO') and wijk_code is not null
),

partner as (
    select
        gemeente_code,
        wijk_code,
        year,
        case
            when group_kind in ('plusgroep', 'bso-plus') then 'plusgroep'
            when group_kind in ('kdc', 'mkd', 'djk', 'moc') then 'kdc_mkd'
        end as provision_type,
        coalesce(
            age_group,
            case when group_kind = 'bso-plus' then '4-12' else '0-4' end
        ) as age_span,
        places,
        'partner' as places_source
    from stg_partner__groepsgrootte
    where group_kind in ('plusgroep', 'bso-plus', 'kdc', 'mkd', 'djk', 'moc')
        and wijk_code is not null
        and places is not null
),

unioned as (
    select * from lrk
    union all
    select * from partner
),

final as (
    select
        gemeente_code,
        wijk_code,
        year,
        provision_type,
        case
            when provision_type in ('dagopvang', 'bso', 'gastouderopvang') then 'regulier'
            else provision_type
        end as provision_group,
        age_span,
        places_source,
        sum(places)::double as places,
        count(*) as locations_count
    from unioned
    group by all
)

select * from final
