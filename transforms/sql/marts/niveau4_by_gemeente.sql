-- materialized: view
-- One row per gemeente, year and age group: niveau 4 (geen opvang maar behandeling, 000:L208-212)
-- is regional, because a KDC or MKD serves several wijken: the modelled children over all
-- children of the gemeente, the KDC/MKD places partners registered (row 10; null, "niet geleverd",
-- where no partner delivered row 10 for the gemeente and supply year) in places needed via
-- children per place, and the observed children with jeugdhulp dagbehandeling (row 8; null where
-- the gemeente delivered no jeugdhulp for the year).
-- Source: continuum_by_wijk_niveau, int_supply__by_wijk_age, int_supply__children_per_place,
-- stg_partner__jeugdhulp.
with demand as (
    select
        gemeente_code,
        year,
        age_group,
        sum(population_children) as population_children,
        sum(children_low) as demand_low,
        sum(children_mid) as demand_mid,
        sum(children_high) as demand_high,
        sum(children_signal_adjusted) as demand_signal_adjusted
    from continuum_by_wijk_niveau
    where niveau = 4
    group by all
),

places as (
    select gemeente_code, year, age_group, sum(places) as places
    from int_supply__by_wijk_age
    where provision_type = 'kdc_mkd'
    group by all
),

-- row 10 delivered for the gemeente and the supply year the model uses (only partner rows have
-- these provision types): its KDC/MKD places are then counted, 0 where none
places_delivered as (
    select distinct gemeente_code, year
    from int_supply__by_wijk_age
    where provision_type in ('plusgroep', 'kdc_mkd')
),

children_per_place as (
    select gemeente_code, year, children_per_place, children_per_place_source
    from int_supply__children_per_place
    where provision_type = 'kdc_mkd'
),

jeugdhulp_delivered as (
    select distinct gemeente_code, year from stg_partner__jeugdhulp
),

dagbehandeling as (
    select gemeente_code, year, age_group, sum(children_count) as dagbehandeling_count
    from stg_partner__jeugdhulp
    where youth_care_type = 'dagbehandeling'
    group by all
),

final as (
    select
        d.*,
        case when pd.gemeente_code is not null then coalesce(p.places, 0) end as places,
        c.children_per_place,
        c.children_per_place_source,
        d.demand_low / c.children_per_place
            - case when pd.gemeente_code is not null then coalesce(p.places, 0) end as gap_low,
        d.demand_mid / c.children_per_place
            - case when pd.gemeente_code is not null then coalesce(p.places, 0) end as gap_mid,
        d.demand_high / c.children_per_place
            - case when pd.gemeente_code is not null then coalesce(p.places, 0) end as gap_high,
        case when jd.gemeente_code is not null then coalesce(b.dagbehandeling_count, 0) end
            as dagbehandeling_count,
        'model min waargenomen' as figure_kind
    from demand as d
    left join places as p using (gemeente_code, year, age_group)
    left join places_delivered as pd using (gemeente_code, year)
    left join children_per_place as c using (gemeente_code, year)
    left join jeugdhulp_delivered as jd using (gemeente_code, year)
    left join dagbehandeling as b using (gemeente_code, year, age_group)
)

select * from final
