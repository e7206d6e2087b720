-- materialized: view
-- One row per gemeente, wijk, year, age group and niveau (1-4) of the continuum: modelled children
-- (low/mid/high) over the niveau's noemer and a signal-adjusted estimate for niveau 3 and 4.
-- The mids of the four niveaus never add up to more than the children (niveau 1 is the rest).
-- A view on continuum_by_wijk_niveau. Source: continuum_by_wijk_niveau (int_continuum__demand).
with final as (
    select
        gemeente_code,
        wijk_code,
        wijk_name,
        year,
        age_group,
        niveau,
        niveau_name,
        noemer,
        population_children,
        population_source,
        base_children_low,
        base_children_mid,
        base_children_high,
        share_low,
        share_mid,
        share_high,
        share_per_age,
        children_low,
        children_mid,
        children_high,
        signal_index,
        signal_types,
        children_signal_adjusted,
        'model' as figure_kind
    from continuum_by_wijk_niveau
)

select * from final
