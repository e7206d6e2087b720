-- materialized: view
-- One row per gemeente, wijk, year, age group and niveau (1-4) of the continuum: modelled demand
-- (children low/mid/high) and a signal-adjusted estimate for niveau 3 and 4.
-- A view on continuum_by_wijk_niveau, where demand is stored once with the places and the gap.
-- Source: continuum_by_wijk_niveau (int_continuum__demand).
select
    gemeente_code,
    wijk_code,
    wijk_name,
    year,
    age_group,
    niveau,
    niveau_name,
    provision_type,
    perspective,
    denominator,
    population_children,
    population_source,
    base_children_low,
    base_children_mid,
    base_children_high,
    share_low,
    share_mid,
    share_high,
    children_low,
    children_mid,
    children_high,
    signal_index,
    signal_types,
    children_signal_adjusted,
    'model' as figure_kind
from continuum_by_wijk_niveau
