-- One row per gemeente, wijk, year, age group and niveau (1-4) of the continuum: modelled demand
-- (children low/mid/high) over the niveau's own noemer, and a signal-adjusted estimate for
-- niveau 3 and 4. The niveaus partition the children: niveau 4 is a share of all children
-- (000:L208-212), niveau 1-3 are shares of the children who use or seek childcare, niveau 1 the
-- remainder (1 minus the mids of niveau 2-4), so the mids never add up to more than the children.
-- Stored once; demand_by_wijk_niveau is a view on it and gap_by_wijk_niveau compares it with
-- supply. Source: int_population__model_by_wijk_age (the population without the cells the pages
-- hide), stg_model__parameters, signals_used_by_wijk (the
-- signals that adjust the estimate: chosen kinds, and only cells the pages show).
-- rebuild: per gemeente
with niveaus as (
    select *
    from (
        values
            (1, 'regulier: stevige basisondersteuning'),
            (2, 'basisondersteuning met een plus'),
            (3, 'gespecialiseerde ondersteuning'),
            (4, 'geen opvang maar behandeling')
    ) as t (niveau, niveau_name)
),

age_groups as (
    select * from (values ('0-2'), ('2-4'), ('4-12')) as t (age_group)
),

-- an age group's own share (share_niveau_3_0_2) where the parameters have one, else the niveau's
shares_2_4 as (
    select
        n.niveau,
        a.age_group,
        coalesce(own.low, general.low) as share_low,
        coalesce(own.value, general.value) as share_mid,
        coalesce(own.high, general.high) as share_high,
        own.name is not null as share_per_age
    from niveaus as n
    cross join age_groups as a
    inner join stg_model__parameters as general on general.name = 'share_niveau_' || n.niveau
    left join stg_model__parameters as own
        on own.name = 'share_niveau_' || n.niveau || '_' || replace(a.age_group, '-', '_')
    where n.niveau >= 2
),

-- niveau 1 is the remainder; its range is the handreiking's 80-90 % (000:L194), widened to the
-- remainder where niveau 2-4 leave less than 80 % or more than 90 %, so that it holds its middle
shares as (
    select * from shares_2_4
    union all
    select
        1 as niveau,
        s.age_group,
        least(any_value(p.low), 1 - sum(s.share_mid)) as share_low,
        1 - sum(s.share_mid) as share_mid,
        greatest(any_value(p.high), 1 - sum(s.share_mid)) as share_high,
        bool_or(s.share_per_age) as share_per_age
    from shares_2_4 as s
    cross join (select low, high from stg_model__parameters where name = 'share_niveau_1') as p
    group by s.age_group
),

participation as (
    select
        replace(substr(name, length('participation_') + 1), '_', '-') as age_group,
        low,
        value as mid,
        high
    from stg_model__parameters
    where starts_with(name, 'participation_')
),

base as (
    select
        pop.gemeente_code,
        pop.wijk_code,
        pop.wijk_name,
        pop.year,
        pop.age_group,
        pop.children as population_children,
        pop.population_source,
        pa.low as participation_low,
        pa.mid as participation_mid,
        pa.high as participation_high
    from int_population__model_by_wijk_age as pop
    left join participation as pa using (age_group)
),

signal_rows as (
    select
        gemeente_code,
        wijk_code,
        year,
        signal_kind,
        ratio_to_gemeente,
        unnest(
            case when age_group = 'alle' then ['0-2', '2-4', '4-12'] else [age_group] end
        ) as age_group
    from signals_used_by_wijk
    where used_in_index
),

-- rounded to one decimal so that the estimate cannot be traced back to a partner's count
signal_index as (
    select
        gemeente_code,
        wijk_code,
        year,
        age_group,
        round(avg(ratio_to_gemeente), 1) as signal_index,
        -- the kinds' distinct names in order; a list, not an ordered aggregate (a sort per group)
        array_to_string(list_sort(list_distinct(list(signal_kind))), ', ') as signal_types
    from signal_rows
    group by all
),

modelled as (
    select
        b.gemeente_code,
        b.wijk_code,
        b.wijk_name,
        b.year,
        b.age_group,
        sh.niveau,
        n.niveau_name,
        case when sh.niveau = 4 then 'alle_kinderen' else 'in_opvang' end as noemer,
        b.population_children,
        b.population_source,
        case when sh.niveau = 4 then b.population_children
            else b.population_children * b.participation_low end as base_children_low,
        case when sh.niveau = 4 then b.population_children
            else b.population_children * b.participation_mid end as base_children_mid,
        case when sh.niveau = 4 then b.population_children
            else b.population_children * b.participation_high end as base_children_high,
        sh.share_low,
        sh.share_mid,
        sh.share_high,
        sh.share_per_age
    from base as b
    inner join shares as sh using (age_group)
    inner join niveaus as n on n.niveau = sh.niveau
),

final as (
    select
        m.*,
        m.base_children_low * m.share_low as children_low,
        m.base_children_mid * m.share_mid as children_mid,
        m.base_children_high * m.share_high as children_high,
        case when m.niveau >= 3 then si.signal_index end as signal_index,
        case when m.niveau >= 3 then si.signal_types end as signal_types,
        case
            when m.niveau >= 3 and si.signal_index is not null
                then greatest(
                    m.base_children_low * m.share_low,
                    least(
                        m.base_children_high * m.share_high,
                        m.base_children_mid * m.share_mid * si.signal_index
                    )
                )
            else m.base_children_mid * m.share_mid
        end as children_signal_adjusted
    from modelled as m
    left join signal_index as si using (gemeente_code, wijk_code, year, age_group)
)

select * from final
