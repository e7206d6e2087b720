-- One row per gemeente, wijk, year, age group and niveau: modelled demand (int_continuum__demand)
-- and the observed places of the provision that serves the niveau (regulier, plusgroep or
-- KDC/MKD, by perspective). One stored table for both: demand_by_wijk_niveau and
-- gap_by_wijk_niveau are views on it (writing the same 200,000 rows twice was most of a rebuild).
-- Source: int_continuum__demand, int_supply__places_by_wijk_span, population_by_wijk_age,
-- stg_model__parameters.
with demand as (
    select * from int_continuum__demand
),

supply_years as (
    select distinct gemeente_code, year as supply_year from int_supply__places_by_wijk_span
),

-- places of the same year, else the latest earlier export, else the earliest one there is
year_map as (
    select
        d.gemeente_code,
        d.year,
        coalesce(
            max(s.supply_year) filter (where s.supply_year <= d.year), min(s.supply_year)
        ) as supply_year
    from (select distinct gemeente_code, year from demand) as d
    left join supply_years as s using (gemeente_code)
    group by all
),

span_groups as (
    select *
    from (
        values
            ('0-2', '0-2'), ('2-4', '2-4'), ('4-12', '4-12'),
            ('0-4', '0-2'), ('0-4', '2-4'),
            ('0-12', '0-2'), ('0-12', '2-4'), ('0-12', '4-12')
    ) as t (age_span, age_group)
),

-- places serving several age groups are shared in proportion to the children of each group
span_weights as (
    select
        p.gemeente_code,
        p.wijk_code,
        p.year,
        sg.age_span,
        sg.age_group,
        p.children / nullif(
            sum(p.children) over (partition by p.gemeente_code, p.wijk_code, p.year, sg.age_span), 0
        ) as weight
    from population_by_wijk_age as p
    inner join span_groups as sg using (age_group)
),

places_by_age as (
    select
        y.gemeente_code,
        s.wijk_code,
        y.year,
        w.age_group,
        s.provision_group as provision_type,
        sum(s.places * w.weight) as places
    from year_map as y
    inner join int_supply__places_by_wijk_span as s
        on s.gemeente_code = y.gemeente_code and s.year = y.supply_year
    inner join span_weights as w
        on w.gemeente_code = s.gemeente_code and w.wijk_code = s.wijk_code and w.year = y.year
        and w.age_span = s.age_span
    group by all
),

plusgroup_sizes as (
    select
        max(value) filter (where name = 'plusgroup_size_0_4') as size_0_4,
        max(value) filter (where name = 'plusgroup_size_bso') as size_bso
    from stg_model__parameters
),

-- the demand of all niveaus one provision serves (an aggregate joined back: a window over the
-- five keys took twice as long)
provision_demand as (
    select
        gemeente_code,
        wijk_code,
        year,
        age_group,
        provision_type,
        sum(children_mid) as provision_demand_mid,
        count(*) as niveaus_sharing
    from demand
    group by all
),

joined as (
    select
        d.*,
        y.supply_year,
        coalesce(p.places, 0) as provision_places,
        t.provision_demand_mid,
        t.niveaus_sharing
    from demand as d
    inner join provision_demand as t using (gemeente_code, wijk_code, year, age_group, provision_type)
    left join year_map as y using (gemeente_code, year)
    left join places_by_age as p
        on p.gemeente_code = d.gemeente_code and p.wijk_code = d.wijk_code and p.year = d.year
        and p.age_group = d.age_group and p.provision_type = d.provision_type
),

-- niveaus served by the same provision share its places in proportion to their demand
allocated as (
    select
        j.*,
        case
            when j.provision_demand_mid > 0
                then j.provision_places * j.children_mid / j.provision_demand_mid
            else j.provision_places / j.niveaus_sharing
        end as places
    from joined as j
),

final as (
    select
        a.gemeente_code,
        a.wijk_code,
        a.wijk_name,
        a.year,
        a.age_group,
        a.niveau,
        a.niveau_name,
        a.provision_type,
        a.perspective,
        a.denominator,
        a.population_children,
        a.population_source,
        a.base_children_low,
        a.base_children_mid,
        a.base_children_high,
        a.share_low,
        a.share_mid,
        a.share_high,
        a.children_low,
        a.children_mid,
        a.children_high,
        a.signal_index,
        a.signal_types,
        a.children_signal_adjusted,
        a.places,
        a.provision_places,
        a.niveaus_sharing > 1 as places_shared,
        a.supply_year,
        -- whole children short (a shortage below one half child needs no group)
        case
            when a.provision_type = 'plusgroep' and round(a.children_mid - a.places) >= 1
                then ceil(
                    round(a.children_mid - a.places)
                    / case when a.age_group = '4-12' then g.size_bso else g.size_0_4 end
                )
            else 0
        end as plusgroups_needed_mid
    from allocated as a
    cross join plusgroup_sizes as g
)

select * from final
