-- One row per gemeente, year, wijk and age group of a gemeente and year with BRP figures, with
-- whether the pages hide the cell (cell_hidden): transforms.population.protect_population, the
-- one function Overzicht, the map, the exports and the report protect the children per wijk and
-- age group with, on the rows they read (POPULATION_SQL). The model's population
-- (int_population__model_by_wijk_age) leaves a hidden cell out, so that no estimate (continuum,
-- Tekorten, workbook, factsheet, map) gives a hidden BRP count back. Estimates (CBS) are never
-- hidden (public figures protect no count): listed with cell_hidden false. A table is protected
-- beside its pattern as published before (published_population_patterns: what was hidden stays
-- hidden, what was shown and is unchanged counts as known), so that a corrected BRP of the same
-- year gives back no hidden count, and its new pattern is published there in the same
-- transaction (the state of this model), which every view then protects beside.
-- Source: population_by_wijk_age, published_population_patterns.
-- python: transforms.population:cell_protection
-- state: published_population_patterns (gemeente_code, year)
-- rebuild: per gemeente
select
    gemeente_code,
    year,
    wijk_code,
    wijk_name,
    age_group,
    children,
    is_estimate,
    population_source
from population_by_wijk_age
qualify bool_or(population_source = 'brp') over (partition by gemeente_code, year)
