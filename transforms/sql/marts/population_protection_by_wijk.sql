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
-- transaction (the state of this model), which every view then protects beside. Each row
-- carries a digest of its table's input (input_digest: the table's rows below and the pattern it
-- is protected beside): a table whose input is that of the build before keeps what that build
-- stored (transforms.population.cell_protection), so that a build protects only the tables
-- that changed.
-- Source: population_by_wijk_age, published_population_patterns.
-- python: transforms.population:cell_protection
-- state: published_population_patterns (gemeente_code, year)
-- rebuild: per gemeente
with input_rows as (
    select
        gemeente_code,
        year,
        wijk_code,
        wijk_name,
        age_group,
        children,
        is_estimate,
        population_source,
        -- everything protect_population reads of a table: each row hashed twice (DuckDB's hash of
        -- its values, the second time with a salt), added up per table with their number (the
        -- rows' order is no input; a row that comes twice counts twice, where bit_xor would
        -- cancel it)
        sum(hash(wijk_code, wijk_name, age_group, children, is_estimate, population_source))
            over tables as rows_hash,
        sum(hash(wijk_code, wijk_name, age_group, children, is_estimate, population_source,
            'kindkaart')) over tables as rows_salted_hash,
        count(*) over tables as rows_count
    from population_by_wijk_age
    window tables as (partition by gemeente_code, year)
    qualify bool_or(population_source = 'brp') over tables
),

-- the pattern each table is protected beside, hashed the same way (none before the first build
-- that published it)
patterns as (
    select
        gemeente_code,
        year,
        hash(threshold, wijken, age_groups, counts, hidden)::varchar || '-'
        || hash(threshold, wijken, age_groups, counts, hidden, 'kindkaart')::varchar
            as pattern_digest
    from published_population_patterns
),

final as (
    select
        i.gemeente_code,
        i.year,
        i.wijk_code,
        i.wijk_name,
        i.age_group,
        i.children,
        i.is_estimate,
        i.population_source,
        concat_ws('-', i.rows_hash, i.rows_salted_hash, i.rows_count,
            coalesce(p.pattern_digest, 'unpublished')) as input_digest
    from input_rows as i
    left join patterns as p using (gemeente_code, year)
)

select * from final
