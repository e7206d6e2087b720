-- CBS estimate: the gemeente's children per single age (03759ned) spread over its wijken by each
-- wijk's share of the gemeente's 0-15 year olds (kerncijfers k_0Tot15Jaar, same year).
with wijk_young as (
    select k.year, r.gemeente_code, k.region_code as wijk_code, k.value as young_count
    from stg_cbs__kerncijfers as k
    inner join stg_regions as r on r.year = k.year and r.region_code = k.region_code
    where k.region_level = 'wijk' and k.stem = 'k_0Tot15Jaar' and k.value is not null
),

wijk_share as (
    select
        year,
        gemeente_code,
        wijk_code,
        young_count / nullif(sum(young_count) over (partition by gemeente_code, year), 0)
            as young_share
    from wijk_young
),

final as (
    select
        s.gemeente_code,
        s.wijk_code,
        p.year,
        p.age,
        p.persons_count * s.young_share as children,
        'cbs-schatting' as population_source
    from stg_cbs__population_by_age as p
    inner join wijk_share as s on s.gemeente_code = p.gemeente_code and s.year = p.year
    where s.young_share is not null and p.persons_count is not null
)

select * from final
