-- The rules the models and the Python-built queries share, created by transforms.build before
-- the models. The year rules are each an aggregate over the candidate years (a column), given the
-- wanted year (a column, an expression or a parameter).

-- The latest candidate at or before the wanted year; null when every candidate is later.
-- Observed children per place of another year: only an earlier delivery stands in.
create or replace macro latest_year_at_or_before(candidate, wanted) as
    max(candidate) filter (where candidate <= wanted);

-- The latest candidate at or before the wanted year, else the earliest after it. Boundaries,
-- LRK exports and deliveries of another year stand in for a year without their own this way,
-- and the page says so.
create or replace macro nearest_year(candidate, wanted) as
    coalesce(latest_year_at_or_before(candidate, wanted), min(candidate));

-- The last day of a partner's reporting period as data_sources.registrations.values.parse_period
-- stores it ('2024', '2024-Q3', '2024-09', 'schooljaar 2024-2025'); null for anything else.
create or replace macro period_end(period) as
    case
        when regexp_full_match(period, '\d{4}') then make_date(period::integer, 12, 31)
        when regexp_full_match(period, '\d{4}-Q[1-4]')
            then last_day(make_date(left(period, 4)::integer, right(period, 1)::integer * 3, 1))
        when regexp_full_match(period, '\d{4}-\d{2}')
            then last_day(make_date(left(period, 4)::integer, right(period, 2)::integer, 1))
        when regexp_full_match(period, 'schooljaar \d{4}-\d{4}')
            then make_date(right(period, 4)::integer, 7, 31)
    end;

-- The primary small-count rule of a pool of children delivered by several organisations, as an
-- aggregate over the organisations' counts (one row each): the pool is small when its count is
-- from 1 to below the smallest count shown, when the remainder after the largest organisation's
-- share is (that organisation reads the others off), or when one organisation's share is
-- (whoever knows the other shares reads it off). transforms.partner_tables applies the same rule
-- to the cells the pages show; the model uses no figure of a small pool.
create or replace macro small_pool(children_count, min_count) as
    (sum(children_count) > 0 and sum(children_count) < min_count)
    or (sum(children_count) - max(children_count) > 0
        and sum(children_count) - max(children_count) < min_count)
    or bool_or(children_count > 0 and children_count < min_count);

-- Whether a row of this gemeente is one that the running build makes: always in a full build;
-- in the rebuild of one gemeente's rows (new data of that gemeente: an upload, a restore) only
-- that gemeente's. transforms.build sets the variable around each model it rebuilds per gemeente
-- and only then; DuckDB folds the macro when it plans the query, so a model that filters its
-- sources with it reads one gemeente where the optimiser could not push the filter itself (a
-- common table expression read several times, the right side of a left join). Only for a model
-- declared '-- rebuild: per gemeente', and only on rows whose figures come from their own
-- gemeente's rows (tests/test_rebuild_gemeente.py holds the models that use it to that).
create or replace macro in_rebuilt_gemeente(gemeente) as
    getvariable('kindkaart_rebuilt_gemeente') is null
    or gemeente = getvariable('kindkaart_rebuilt_gemeente');
