-- One row per cell of a table protected beside a signal type's one protected table, per gemeente
-- and year: Analysevragen row 5 (pupils per onderwijssoort and status, beside speciaal_onderwijs),
-- rows 6 and 9 (children waiting per kind, beside wachtlijst_so and wachtlijst_zorg) and Tekorten's
-- observed BSO need of so and sbo pupils per wijk (vso_bso_need, beside their pupils), with
-- their totals ('Totaal'), whether the page hides the cell (`hidden`) and whether the page shows
-- more than the totals row (`breakdown`). Made in Python (transforms.analysis
-- :protected_beside_tables, the function Analysevragen protects these tables with) from the rows
-- below: each table's children per soort, kind, age group, wijk, organisation and the school or
-- aanbieder a row names (named_organisation: the contributor rule holds for it too), with the pattern
-- of the signal's table as published in this same build (published_signal_patterns, the state of
-- signals_protection_by_wijk: the reference to that model below only orders the build). A table is
-- protected beside its own pattern as published before (published_beside_patterns: what was
-- hidden stays hidden, what was shown and is unchanged counts as known), and its new pattern is
-- published there in the same transaction (the state of this model), so that two versions of an
-- upload kept side by side give away no hidden cell. A table whose rows and signal pattern are
-- those it had in the build before keeps what it stored (table_digest): same input, same
-- protection.
-- Source: stg_partner__speciaal_onderwijs, stg_partner__wachtlijst_so, stg_partner__wachtlijst_zorg,
-- published_signal_patterns, published_beside_patterns.
-- python: transforms.analysis:protected_beside_tables
-- state: published_beside_patterns (gemeente_code, year, table_key)
-- rebuild: per gemeente
-- the rows of speciaal onderwijs, read once for both tables that count them (the view parses
-- each row's JSON)
with speciaal_onderwijs as materialized (
    select * from stg_partner__speciaal_onderwijs where children_count is not null
),

beside_rows as (
    -- the age group as the signal's table has it (int_signals__partner_counts)
    select
        gemeente_code,
        year,
        'speciaal_onderwijs' as table_key,
        school_type || coalesce(' cluster ' || cluster, '') as soort,
        'so_' || replace(coalesce(enrolment_status, 'ingeschreven'), '-', '_') as signal_kind,
        coalesce(age_group, case when school_type = 'vso' then 'alle' else '4-12' end)
            as age_group,
        wijk_code,
        organisation,
        school as named_organisation,
        sum(children_count)::double as children_count
    from speciaal_onderwijs
    group by all
    union all
    select
        gemeente_code,
        year,
        'wachtlijst_so' as table_key,
        coalesce(school_type, 'onbekend') as soort,
        'wachtlijst_so' as signal_kind,
        '4-12' as age_group,
        wijk_code,
        organisation,
        school as named_organisation,
        sum(children_count)::double as children_count
    from stg_partner__wachtlijst_so
    where children_count is not null
    group by all
    union all
    select
        gemeente_code,
        year,
        'wachtlijst_zorg' as table_key,
        coalesce(request_kind, 'onbekend') as soort,
        'wachtlijst_zorg' as signal_kind,
        coalesce(age_group, 'alle') as age_group,
        wijk_code,
        organisation,
        provider as named_organisation,
        sum(children_count)::double as children_count
    from stg_partner__wachtlijst_zorg
    where children_count is not null
    group by all
    union all
    -- Tekorten's observed BSO need per wijk: the pupils of vso_bso_by_wijk (that mart reads the
    -- model's parameters; this one may not), a need left empty as null
    select
        gemeente_code,
        year,
        'vso_bso_need' as table_key,
        wijk_code as soort,
        'bso_nodig' as signal_kind,
        '4-12' as age_group,
        wijk_code,
        organisation,
        school as named_organisation,
        sum(bso_needed_count)::double as children_count
    from speciaal_onderwijs
    where wijk_code is not null
        and coalesce(enrolment_status, 'ingeschreven') = 'ingeschreven'
        and coalesce(age_group, case when school_type = 'vso' then 'alle' else '4-12' end) = '4-12'
    group by all
),

-- published_signal_patterns is written by the build of that model: this one is built after it
protected_signals as (
    select count(*) as cells from signals_protection_by_wijk
),

-- which row of a table carries the signal's pattern, numbered before the pattern is joined: a
-- window over rows that carry the pattern's lists took most of this model's time
numbered as (
    select
        *,
        row_number() over (partition by gemeente_code, year, table_key) = 1 as carries_pattern
    from beside_rows
),

final as (
    select
        r.* exclude (carries_pattern),
        p.input_digest,
        p.threshold,
        -- the signal's pattern once per table (on one of its rows): a national build has 1,368
        -- tables of 33,000 rows, and the pattern on every row took a while to hand over
        r.carries_pattern,
        case when r.carries_pattern then p.wijken end as wijken,
        case when r.carries_pattern then p.kinds end as kinds,
        case when r.carries_pattern then p.ages end as ages,
        case when r.carries_pattern then p.counts end as counts,
        case when r.carries_pattern then p.hidden end as hidden
    from numbered as r
    inner join published_signal_patterns as p
        on p.gemeente_code = r.gemeente_code and p.year = r.year
        and p.signal_type = case r.table_key when 'vso_bso_need' then 'speciaal_onderwijs'
                                 else r.table_key end
    cross join protected_signals
)

select * from final
