-- CBS estimate per wijk, year and single age: the wijk's share of the gemeente's 0-15 year olds
-- (kerncijfers k_0Tot15Jaar, kwb a_00_14) times an age profile. Route cbs-schatting: the
-- gemeente's own children per age (03759ned, same year). Route kwb-gelijk-verdeeld, when the
-- gemeente has no 03759ned for that year: the wijk's 0-15 year olds spread evenly over the ages
-- 0-14 (no national age profile is shipped: its real figures were not at hand).
with wijk_young as (
    select k.year, r.gemeente_code, k.region_code as wijk_code, k.value as young_count
    from stg_cbs__kerncijfers as k
    inner join stg_regions as r on r.year = k.year and r.region_code = k.region_code
    where k.region_level = 'wijk' and k.stem = 'k_0Tot15Jaar'
),

gemeente_young as (
    select year, region_code as gemeente_code, value as young_count
    from stg_cbs__kerncijfers
    where region_level = 'gemeente' and stem = 'k_0Tot15Jaar' and value is not null
),

wijk_totals as (
    select
        year,
        gemeente_code,
        sum(young_count) as known_young_count,
        count(*) filter (where young_count is null) as secret_wijken
    from wijk_young
    group by all
),

wijk_share as (
    -- With a secret wijk the share is of the gemeente's own total, so that its children are not
    -- spread over the other wijken (they stay unknown, see population_unknown_by_wijk).
    select
        w.year,
        w.gemeente_code,
        w.wijk_code,
        w.young_count,
        w.young_count / nullif(
            case
                when t.secret_wijken > 0 and g.young_count >= t.known_young_count then g.young_count
                else t.known_young_count
            end, 0
        ) as young_share
    from wijk_young as w
    inner join wijk_totals as t using (year, gemeente_code)
    left join gemeente_young as g using (year, gemeente_code)
    where w.young_count is not null
),

by_gemeente_profile as (
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
),

gemeente_years_with_profile as (
    select distinct gemeente_code, year from by_gemeente_profile
),

evenly_spread as (
    select
        s.gemeente_code,
        s.wijk_code,
        s.year,
        ages.age,
        s.young_count / 15.0 as children,
        'kwb-gelijk-verdeeld' as population_source
    from wijk_share as s
    cross join (select unnest(range(0, 15)) as age) as ages
    anti join gemeente_years_with_profile as p
        on p.gemeente_code = s.gemeente_code and p.year = s.year
),

final as (
    select * from by_gemeente_profile
    union all by name
    select * from evenly_spread
)

select * from final
