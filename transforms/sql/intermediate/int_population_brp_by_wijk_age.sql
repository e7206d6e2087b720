-- The gemeente's register (BRP) summed per wijk, year and single age; buurten mapped to their wijk.
with mapped as (
    select
        b.year,
        b.age,
        b.children_count,
        coalesce(r.gemeente_code, 'GM' || substr(b.region_code, 3, 4)) as gemeente_code,
        case
            when b.region_code like 'BU%' then 'WK' || substr(b.region_code, 3, 6)
            else b.region_code
        end as wijk_code
    from stg_brp__population as b
    left join (select distinct region_code, gemeente_code from stg_regions) as r
        on r.region_code = b.region_code
),

final as (
    select
        gemeente_code,
        wijk_code,
        year,
        age,
        sum(children_count)::double as children,
        'brp' as population_source
    from mapped
    group by all
)

select * from final
