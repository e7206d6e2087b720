-- One row per gemeente, wijk, year, age group and niveau (1-4): the modelled children per niveau
-- (low/mid/high, niveau 1 the remainder), each over its own noemer (niveau 4 all children,
-- niveau 1-3 the children who use or seek childcare), and the signal-adjusted estimate. Stored
-- once; demand_by_wijk_niveau is a view on it and gap_by_wijk_niveau compares it with supply.
-- Source: int_continuum__demand (population_by_wijk_age, stg_model__parameters, signals_by_wijk).
with final as (
    select * from int_continuum__demand
)

select * from final
