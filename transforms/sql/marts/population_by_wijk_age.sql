-- One row per gemeente, wijk, year and age group (0-2, 2-4, 4-12 = ages 0-1, 2-3, 4-11).
-- Source: int_population_by_wijk_age (BRP where delivered, else CBS estimate), stg_regions.
with grouped as (
    select
        gemeente_code,
        wijk_code,
        year,
        case
            when age between 0 and 1 then '0-2'
            when age between 2 and 3 then '2-4'
            when age between 4 and 11 then '4-12'
        end as age_group,
        sum(children) as children,
        min(population_source) as population_source
    from int_population_by_wijk_age
    where age between 0 and 11
    group by all
),

wijk_names as (
    select region_code as wijk_code, arg_max(region_name, year) as wijk_name
    from stg_regions
    where region_level = 'wijk'
    group by region_code
),

final as (
    select
        g.gemeente_code,
        g.wijk_code,
        coalesce(n.wijk_name, g.wijk_code) as wijk_name,
        g.year,
        g.age_group,
        g.children,
        g.population_source,
        g.population_source <> 'brp' as is_estimate
    from grouped as g
    left join wijk_names as n using (wijk_code)
)

select * from final
