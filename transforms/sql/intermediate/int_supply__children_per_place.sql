-- materialized: table
-- One row per gemeente, year (of the population) and provision type: how many children one place
-- (a simultaneous slot) serves. Observed where partners delivered children and places (row 3
-- kinderopvang-bezetting for regular childcare; row 10 groepsgrootte for plus-groups and
-- KDC/MKD), from the same year or else the latest earlier one; otherwise the parameter.
-- An observed figure is a rate of a count of children (places are public), so it is used only
-- where the pages may show it (transforms.partner_tables.hidden_provisions: the children behind
-- it reach the smallest count shown, also after the largest organisation's share, and no
-- organisation's share is from 1 to below it); otherwise
-- the model's needs in places would carry the hidden figure (needed = children / this).
-- Nor where row 10 hides the pool's total (pool_protection_by_gemeente.pool_total_hidden): a kind
-- hidden now that was shown before would be that total minus the total before. Nor where row 3
-- (Analysevragen, care type x age group) hides a cell of the pool on its own (a small count, or
-- the contributor rule): the pool's total minus its other cells as shown in a version before (a
-- correction of one care type) would give that count back; the model then uses the parameter.
-- Source: int_supply__children_by_organisation (rows 3 and 10), pool_protection_by_gemeente,
-- stg_partner__kinderopvang_bezetting,
-- population_by_wijk_age, stg_model__parameters, stg_model__settings.
-- rebuild: per gemeente
with hidden_pools as (
    select distinct
        gemeente_code,
        year,
        case when group_kind in ('plusgroep', 'bso-plus') then 'plusgroep' else 'kdc_mkd' end
            as provision_type,
        true as total_hidden
    from pool_protection_by_gemeente
    where pool_total_hidden
),

-- the row 3 cells (care type x age group per organisation, as transforms.analysis.participation
-- protects them) hidden on their own (small_pool, sql/macros.sql)
small_row_3_pools as (
    select distinct
        gemeente_code,
        year,
        case when care_type = 'peuteropvang' then 'dagopvang' else care_type end as provision_type,
        true as small_cell
    from (
        select
            gemeente_code, year, coalesce(care_type, 'onbekend') as care_type,
            coalesce(age_group, 'onbekend') as age_group, organisation,
            sum(coalesce(children_count, 0)) as children_count
        from stg_partner__kinderopvang_bezetting
        group by all
    )
    group by gemeente_code, year, care_type, age_group
    having small_pool(children_count, (select min_count from stg_model__settings))
),

observed as (
    select
        c.gemeente_code,
        c.year as observed_year,
        c.provision_type,
        any_value(c.children_per_place_source) as children_per_place_source,
        sum(c.children_count) / sum(c.places) as children_per_place
    from int_supply__children_by_organisation as c
    left join hidden_pools as h using (gemeente_code, year, provision_type)
    left join small_row_3_pools as s using (gemeente_code, year, provision_type)
    where h.total_hidden is null and s.small_cell is null
    group by all
    -- the pool of one provision type and year (its organisations' children) is not small
    having not small_pool(children_count, (select min_count from stg_model__settings))
),

population_years as (
    select distinct gemeente_code, year from population_by_wijk_age
),

provision_types as (
    select
        replace(name, 'children_per_place_', '') as provision_type,
        value as parameter_value
    from stg_model__parameters
    where starts_with(name, 'children_per_place_')
),

-- the same year, else the latest earlier delivery (as for the LRK places); observed is read
-- once, so that a filter on the gemeente reaches the partner rows (a CTE read twice is
-- materialised first, for every gemeente)
final as (
    select
        y.gemeente_code,
        y.year,
        t.provision_type,
        coalesce(arg_max(o.children_per_place, o.observed_year), any_value(t.parameter_value))
            as children_per_place,
        coalesce(arg_max(o.children_per_place_source, o.observed_year), 'parameter')
            as children_per_place_source,
        max(o.observed_year) as observed_year
    from population_years as y
    cross join provision_types as t
    left join observed as o
        on o.gemeente_code = y.gemeente_code and o.provision_type = t.provision_type
        and o.observed_year <= y.year
    group by y.gemeente_code, y.year, t.provision_type
)

select * from final
