-- One row per gemeente, year, wijk and age group of a gemeente and year with BRP figures, with
-- whether the pages hide the cell (cell_hidden): transforms.population.protect_population, the
-- one function Overzicht, the map, the exports and the report protect the children per wijk and
-- age group with, on the rows they read (POPULATION_SQL). The model's population
-- (int_population__model_by_wijk_age) leaves a hidden cell out, so that no estimate (continuum,
-- Tekorten, workbook, factsheet, map) gives a hidden BRP count back. Estimates (CBS) are never
-- hidden (public figures protect no count): listed with cell_hidden false.
-- Source: population_by_wijk_age.
-- python: transforms.population:cell_protection
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
