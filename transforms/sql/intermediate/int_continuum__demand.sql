-- One row per gemeente, wijk, year, age group and niveau (1-4) of the continuum: modelled demand
-- (children low/mid/high) and a signal-adjusted estimate for niveau 3 and 4. Stored with the
-- places and gap in continuum_by_wijk_niveau; read as demand_by_wijk_niveau.
-- Source: population_by_wijk_age, stg_model__parameters, stg_model__settings, signals_by_wijk.
with settings as (
    select perspective, denominator from stg_model__settings
),

niveaus as (
    select *
    from (
        values
            (1, 'regulier: stevige basisondersteuning'),
            (2, 'basisondersteuning met een plus'),
            (3, 'gespecialiseerde ondersteuning'),
            (4, 'geen opvang maar behandeling')
    ) as t (niveau, niveau_name)
),

shares as (
    select
        n.niveau,
        n.niveau_name,
        p.low as share_low,
        p.value as share_mid,
        p.high as share_high
    from niveaus as n
    inner join stg_model__parameters as p on p.name = 'share_niveau_' || n.niveau
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

-- the denominator: all children of the age group, or those in childcare (participation)
base as (
    select
        pop.gemeente_code,
        pop.wijk_code,
        pop.wijk_name,
        pop.year,
        pop.age_group,
        pop.children as population_children,
        pop.population_source,
        s.perspective,
        s.denominator,
        case when s.denominator = 'in_opvang' then pop.children * pa.low else pop.children end
            as base_children_low,
        case when s.denominator = 'in_opvang' then pop.children * pa.mid else pop.children end
            as base_children_mid,
        case when s.denominator = 'in_opvang' then pop.children * pa.high else pop.children end
            as base_children_high
    from population_by_wijk_age as pop
    cross join settings as s
    left join participation as pa using (age_group)
),

signal_rows as (
    select
        gemeente_code,
        wijk_code,
        year,
        signal_type,
        ratio_to_gemeente,
        unnest(
            case when age_group = 'alle' then ['0-2', '2-4', '4-12'] else [age_group] end
        ) as age_group
    from signals_by_wijk
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
        string_agg(distinct signal_type, ', ' order by signal_type) as signal_types
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
        sh.niveau_name,
        case
            when sh.niveau = 4 then 'kdc_mkd'
            when sh.niveau = 3 and b.perspective = 'passend' then 'plusgroep'
            else 'regulier'
        end as provision_type,
        b.perspective,
        b.denominator,
        b.population_children,
        b.population_source,
        b.base_children_low,
        b.base_children_mid,
        b.base_children_high,
        sh.share_low,
        sh.share_mid,
        sh.share_high,
        b.base_children_low * sh.share_low as children_low,
        b.base_children_mid * sh.share_mid as children_mid,
        b.base_children_high * sh.share_high as children_high
    from base as b
    cross join shares as sh
),

final as (
    select
        m.*,
        case when m.niveau >= 3 then si.signal_index end as signal_index,
        case when m.niveau >= 3 then si.signal_types end as signal_types,
        case
            when m.niveau >= 3 and si.signal_index is not null
                then greatest(m.children_low, least(m.children_high, m.children_mid * si.signal_index))
            else m.children_mid
        end as children_signal_adjusted
    from modelled as m
    left join signal_index as si using (gemeente_code, wijk_code, year, age_group)
)

select * from final
