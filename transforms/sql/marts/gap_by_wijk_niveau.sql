-- materialized: view
-- One row per gemeente, wijk, year, age group and niveau: modelled demand minus observed places of
-- the provision that serves the niveau (regulier, plusgroep or KDC/MKD, by perspective).
-- A view on continuum_by_wijk_niveau, where demand is stored once with the places.
-- Source: continuum_by_wijk_niveau (int_continuum__demand, int_supply__places_by_wijk_span).
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
    children_low as demand_low,
    children_mid as demand_mid,
    children_high as demand_high,
    children_signal_adjusted as demand_signal_adjusted,
    places,
    provision_places,
    places_shared,
    supply_year,
    children_low - places as gap_low,
    children_mid - places as gap_mid,
    children_high - places as gap_high,
    children_signal_adjusted - places as gap_signal_adjusted,
    plusgroups_needed_mid,
    'model min waargenomen' as figure_kind
from continuum_by_wijk_niveau
