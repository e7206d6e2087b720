-- One row per gemeente, year and group kind of Analysevragen row 10 (groepsgrootte): whether the
-- page hides the kind's children (children_hidden). Made in Python (transforms.analysis
-- :protected_pools, with the function row 10 protects its kinds with, _pool_hidden) from the rows
-- below: per kind its groups and each organisation's children, and those in groups with places
-- (what the model's children per place pools). The kinds pooled into one observed children per
-- place (plus-groups, KDC/MKD) are protected beside the pool's pattern as published before
-- (published_pool_patterns: where a kind was hidden, every kind of the pool stays hidden while
-- the pool has children), and the new pattern is published there in the same transaction (the
-- state of this model), so that two versions side by side give no kind's count away; and
-- whether the pool's total is hidden (pool_total_hidden: a kind hidden now that was shown before
-- would be the total now minus the total before), where int_supply__children_per_place takes the
-- parameter instead of the observed figure.
-- Source: stg_partner__groepsgrootte, published_pool_patterns.
-- python: transforms.analysis:protected_pools
-- state: published_pool_patterns (gemeente_code, year, pool)
-- rebuild: per gemeente
with per_organisation as (
    select
        gemeente_code,
        year,
        group_kind,
        organisation,
        count(*) as groups,
        sum(places) as places,
        sum(children_count) as children,
        sum(professionals_count) as professionals,
        sum(children_count) filter (where places > 0) as pooled
    from stg_partner__groepsgrootte
    group by all
),

final as (
    select
        gemeente_code,
        year,
        group_kind,
        sum(groups)::bigint as groups,
        (sum(places) / sum(groups))::double as places_per_group,
        (sum(children) / sum(groups))::double as children_per_group,
        (sum(places) / nullif(sum(professionals), 0))::double as places_per_professional,
        list(coalesce(children, 0)::double order by organisation) as children_per_organisation,
        list(coalesce(pooled, 0)::double order by organisation) as pooled_per_organisation,
        list(organisation order by organisation) as organisations
    from per_organisation
    group by all
)

select * from final
