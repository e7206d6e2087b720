-- materialized: table
-- One row per gemeente, wijk, year (of the population), age group and provision type: the places
-- of the LRK export (and partner groups) nearest before the year, with places that serve several
-- age groups shared in proportion to the children of each group, and the children one place
-- serves. Source: int_supply__places_by_wijk_span, int_supply__children_per_place,
-- population_by_wijk_age, population_protection_by_wijk.
-- rebuild: per gemeente
with supply_years as (
    select distinct gemeente_code, year as supply_year from int_supply__places_by_wijk_span
),

-- places of the same year, else the latest earlier export, else the earliest one there is
year_map as (
    select
        d.gemeente_code,
        d.year,
        nearest_year(s.supply_year, d.year) as supply_year
    from (select distinct gemeente_code, year from population_by_wijk_age) as d
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

-- a span with a cell the pages hide (population_protection_by_wijk) is shared evenly over its
-- age groups in that wijk: a share by children would give the hidden count back (places are public)
span_weights as (
    select
        p.gemeente_code,
        p.wijk_code,
        p.year,
        sg.age_span,
        sg.age_group,
        case
            when bool_or(coalesce(h.cell_hidden, false))
                over (partition by p.gemeente_code, p.wijk_code, p.year, sg.age_span)
                then 1.0 / count(*) over (partition by p.gemeente_code, p.wijk_code, p.year, sg.age_span)
            else p.children / nullif(
                sum(p.children) over (partition by p.gemeente_code, p.wijk_code, p.year, sg.age_span), 0
            )
        end as weight
    from population_by_wijk_age as p
    -- only wijken with places: the weights of the others are never used
    inner join (select distinct gemeente_code, wijk_code from int_supply__places_by_wijk_span) as pw
        using (gemeente_code, wijk_code)
    inner join span_groups as sg using (age_group)
    left join population_protection_by_wijk as h
        on h.gemeente_code = p.gemeente_code and h.year = p.year and h.wijk_code = p.wijk_code
        and h.age_group = p.age_group
),

places_by_age as (
    select
        y.gemeente_code,
        s.wijk_code,
        y.year,
        w.age_group,
        s.provision_type,
        any_value(s.provision_group) as provision_group,
        y.supply_year,
        sum(s.places * w.weight) as places
    from year_map as y
    inner join int_supply__places_by_wijk_span as s
        on s.gemeente_code = y.gemeente_code and s.year = y.supply_year
    inner join span_weights as w
        on w.gemeente_code = s.gemeente_code and w.wijk_code = s.wijk_code and w.year = y.year
        and w.age_span = s.age_span
    group by all
),

final as (
    select
        p.*,
        c.children_per_place,
        c.children_per_place_source,
        p.places * c.children_per_place as capacity_children
    from places_by_age as p
    inner join int_supply__children_per_place as c using (gemeente_code, year, provision_type)
)

select * from final
