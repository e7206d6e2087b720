-- One row per cell of the one protected table of a signal type (wijk x kind x age, per gemeente
-- and year: transforms.partner_tables.cube_rows, the table every page and export shows the
-- partner counts from) with whether the pages hide it (cell_hidden) and whether they hide its
-- gemeente total of the kind and age group (gemeente_cell_hidden): the same protection, the
-- contributor rule with each organisation's share included, computed once in the build.
-- signals_used_by_wijk (and so the estimate) uses a signal only where both are shown, so that no
-- estimate and no "Gebruikte signalen" depends on a hidden cell. Made in Python
-- (transforms.partner_tables.cell_protection) from the rows below: the cells of signals_by_wijk
-- (the rows the pages protect, is_share false) and each organisation's share of a cell, per
-- school or aanbieder its rows name (what
-- CONTRIBUTIONS_SQL gives the pages, is_share true), with a digest of all that per table
-- (input_digest): a table whose input is unchanged keeps its stored rows, so that an upload
-- computes only the tables it changed. Types of which no cell reaches the smallest count shown
-- are left out: none of their signals can be used. A table whose input changed is protected
-- beside its pattern as published before (published_signal_patterns: what was hidden stays
-- hidden, what was shown and is unchanged counts as known), and its new pattern is published
-- there in the same transaction (the state of this model).
-- Source: signals_by_wijk, int_signals__partner_counts, published_signal_patterns.
-- python: transforms.partner_tables:protected_cells
-- state: published_signal_patterns (gemeente_code, year, signal_type)
-- rebuild: per gemeente
with shares as (
    select
        gemeente_code,
        year,
        signal_type,
        signal_kind,
        age_group,
        wijk_code,
        organisation,
        -- the school or aanbieder a row names: the contributor rule holds for it too
        named_organisation,
        sum(children_count) as children_count
    from int_signals__partner_counts
    where wijk_code is not null
    group by all
),

input_rows as (
    select
        gemeente_code,
        year,
        signal_type,
        signal_kind,
        age_group,
        wijk_code,
        false as is_share,
        null::varchar as organisation,
        null::varchar as named_organisation,
        children_count::double as children_count
    from signals_by_wijk
    union all
    select
        gemeente_code,
        year,
        signal_type,
        signal_kind,
        age_group,
        wijk_code,
        true as is_share,
        organisation,
        named_organisation,
        children_count::double as children_count
    from shares
),

-- everything cube_rows reads of a table: each row hashed twice (DuckDB's hash of all its values,
-- the second time with a salt), combined per table; the rows' keys fix the pages' order, so the
-- set of rows is the whole input. Grouped and joined back rather than a window: no sort of the
-- input rows.
digests as (
    select
        gemeente_code,
        year,
        signal_type,
        bit_xor(hash(signal_kind, age_group, wijk_code, is_share, organisation,
            named_organisation, children_count))::varchar || '-'
        || bit_xor(hash(signal_kind, age_group, wijk_code, is_share, organisation,
            named_organisation, children_count, 'kindkaart'))::varchar as input_digest
    from input_rows
    group by all
),

final as (
    select
        i.*,
        d.input_digest
    from input_rows as i
    inner join digests as d using (gemeente_code, year, signal_type)
)

-- in the order protected_cells reads them (partner_tables.INPUT_ORDER): DuckDB sorts faster
-- than the Python side would
select * from final
order by gemeente_code, year, signal_type, is_share, signal_kind, age_group, wijk_code
