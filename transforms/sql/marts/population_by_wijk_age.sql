-- One row per gemeente, wijk, year and age group (0-2, 2-4, 4-12 = ages 0-1, 2-3, 4-11).
-- Per wijk and year the register (BRP) where the gemeente delivered it, else a CBS estimate:
-- the wijk's share of the gemeente's 0-15 year olds (kerncijfers k_0Tot15Jaar, kwb a_00_14)
-- times an age profile, the first route that has one for the gemeente and year:
-- 1. cbs-schatting: the gemeente's own children per age (03759ned, same year);
-- 2. cbs-landelijk-profiel: the wijk's 0-15 year olds spread as Nederland's ages 0-14 (03759ned
--    region NL01, same year, when loaded; none is shipped: its real figures were not at hand);
-- 3. kwb-gelijk-verdeeld: the wijk's 0-15 year olds spread evenly over the ages 0-14.
-- Buurten of the BRP map to their wijk.
-- Source: stg_brp__population, stg_cbs__kerncijfers (k_0Tot15Jaar, AantalInwoners), stg_cbs__population_by_age, stg_regions, stg_region_names.
-- rebuild: per gemeente
with age_groups as (
    -- the ages of each age group, and the group's share of an even spread over the ages 0-14
    select *
    from (values ('0-2', 0, 1), ('2-4', 2, 3), ('4-12', 4, 11)) as t (age_group, age_from, age_to)
),

mapped as (
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

brp_wijken as (
    -- a wijk and year with any BRP row is counted, never estimated
    select distinct gemeente_code, wijk_code, year
    from mapped
),

brp_by_age_group as (
    select
        m.gemeente_code,
        m.wijk_code,
        m.year,
        a.age_group,
        sum(m.children_count)::double as children,
        'brp' as population_source
    from mapped as m
    inner join age_groups as a on m.age between a.age_from and a.age_to
    group by all
),

wijk_young as (
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

wijk_inhabitants as (
    select year, region_code as wijk_code, value as inhabitants_count
    from stg_cbs__kerncijfers
    where region_level = 'wijk' and stem = 'AantalInwoners'
),

wijk_totals as (
    select
        w.year,
        w.gemeente_code,
        sum(w.young_count) as known_young_count,
        count(*) filter (where w.young_count is null) as secret_wijken,
        -- the most children the secret wijken can have: all their inhabitants (a_inw); null when
        -- the kwb has no a_inw of one of them
        case
            when count(*) filter (where w.young_count is null and i.inhabitants_count is null) = 0
                then coalesce(sum(i.inhabitants_count) filter (where w.young_count is null), 0)
        end as secret_inhabitants_count
    from wijk_young as w
    left join wijk_inhabitants as i using (year, wijk_code)
    group by all
),

profile_young as (
    -- the gemeente's 0-15 year olds by 03759ned (ages 0-14, all fifteen of them): the same
    -- children as the kwb's gemeente row counts, for a kwb without that row
    select gemeente_code, year, sum(persons_count) as young_count
    from stg_cbs__population_by_age
    where age between 0 and 14 and persons_count is not null
    group by all
    having count(distinct age) = 15
),

wijk_share as (
    -- With a secret wijk the share is of the gemeente's own total, so that its children are not
    -- spread over the other wijken (they stay unknown, see population_unknown_by_wijk): the kwb's
    -- gemeente row, else (a StatLine selection of only the wijken) 03759ned's ages 0-14, the same
    -- children; never less than the known wijken's sum (rounding of each wijk to fives). Without
    -- either, the known wijken plus at most every inhabitant of the secret wijken (they get no
    -- more than their own share: conservative), and without that no share at all (the next route
    -- spreads each wijk's own 0-15 year olds). Without a secret wijk the wijken share the whole
    -- of 03759ned, also its children without a known wijk.
    select
        w.year,
        w.gemeente_code,
        w.wijk_code,
        w.young_count,
        w.young_count / nullif(
            case
                when t.secret_wijken = 0 then t.known_young_count
                when coalesce(g.young_count, p.young_count) is not null
                    then greatest(coalesce(g.young_count, p.young_count), t.known_young_count)
                else t.known_young_count + t.secret_inhabitants_count
            end, 0
        ) as young_share
    from wijk_young as w
    inner join wijk_totals as t using (year, gemeente_code)
    left join gemeente_young as g using (year, gemeente_code)
    left join profile_young as p using (year, gemeente_code)
    where w.young_count is not null
),

-- The three routes work on age groups: a wijk's children of an age group are its share times
-- the sum of the profile over the group's ages, which equals the sum of the shares per age.
gemeente_profile as (
    select gemeente_code, year, age, persons_count
    from stg_cbs__population_by_age
    where persons_count is not null
),

gemeente_profile_by_age_group as (
    select p.gemeente_code, p.year, a.age_group, sum(p.persons_count) as persons_count
    from gemeente_profile as p
    inner join age_groups as a on p.age between a.age_from and a.age_to
    group by all
),

by_gemeente_profile as (
    select
        s.gemeente_code,
        s.wijk_code,
        p.year,
        p.age_group,
        p.persons_count * s.young_share as children,
        'cbs-schatting' as population_source
    from gemeente_profile_by_age_group as p
    inner join wijk_share as s on s.gemeente_code = p.gemeente_code and s.year = p.year
    where s.young_share is not null
),

national_profile as (
    -- Nederland's ages 0-14 as shares of its 0-15 year olds, for a year with all fifteen ages
    select year, age, persons_count / sum(persons_count) over (partition by year) as age_share
    from stg_cbs__population_by_age
    where gemeente_code = 'NL01' and age between 0 and 14 and persons_count is not null
    qualify count(*) over (partition by year) = 15
),

national_profile_by_age_group as (
    select p.year, a.age_group, sum(p.age_share) as age_share
    from national_profile as p
    inner join age_groups as a on p.age between a.age_from and a.age_to
    group by all
),

by_national_profile as (
    select
        s.gemeente_code,
        s.wijk_code,
        s.year,
        p.age_group,
        s.young_count * p.age_share as children,
        'cbs-landelijk-profiel' as population_source
    from wijk_share as s
    inner join national_profile_by_age_group as p using (year)
),

evenly_spread as (
    select
        s.gemeente_code,
        s.wijk_code,
        s.year,
        a.age_group,
        s.young_count * (a.age_to - a.age_from + 1) / 15.0 as children,
        'kwb-gelijk-verdeeld' as population_source
    from wijk_share as s
    cross join age_groups as a
),

-- per gemeente and year the first route with a profile: the gemeente's own 03759ned when it has
-- a figure for a wijk with a share, else Nederland's when loaded for the year, else the even
-- spread; and an estimate only for a wijk and year without BRP. Joins on the gemeente's own keys,
-- not anti joins: a filter on the gemeente (the rebuild of one gemeente) then reaches every source.
route_per_gemeente as (
    select
        s.gemeente_code,
        s.year,
        case
            when bool_or(s.young_share is not null and own.gemeente_code is not null) then 1
            when bool_or(nat.year is not null) then 2
            else 3
        end as route
    from wijk_share as s
    left join (select distinct gemeente_code, year from gemeente_profile) as own
        using (gemeente_code, year)
    left join (select distinct year from national_profile) as nat using (year)
    group by all
),

estimated_by_age_group as (
    select e.* exclude (route)
    from (
        select *, 1 as route from by_gemeente_profile
        union all by name
        select *, 2 as route from by_national_profile
        union all by name
        select *, 3 as route from evenly_spread
    ) as e
    inner join route_per_gemeente as r using (gemeente_code, year, route)
),

grouped as (
    select * from brp_by_age_group
    union all by name
    select e.*
    from estimated_by_age_group as e
    left join (select *, true as has_brp from brp_wijken) as b using (gemeente_code, wijk_code, year)
    where b.has_brp is null
),

final as (
    select
        g.gemeente_code,
        g.wijk_code,
        coalesce(n.region_name, g.wijk_code) as wijk_name,
        g.year,
        g.age_group,
        g.children,
        g.population_source,
        g.population_source <> 'brp' as is_estimate
    from grouped as g
    left join stg_region_names as n on n.region_code = g.wijk_code
)

select * from final
