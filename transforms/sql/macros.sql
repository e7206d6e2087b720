-- The year rules the models and the Python-built queries share, created by transforms.build
-- before the models. Each is an aggregate over the candidate years (a column), given the wanted
-- year (a column, an expression or a parameter).

-- The latest candidate at or before the wanted year; null when every candidate is later.
-- Observed children per place of another year: only an earlier delivery stands in.
create or replace macro latest_year_at_or_before(candidate, wanted) as
    max(candidate) filter (where candidate <= wanted);

-- The latest candidate at or before the wanted year, else the earliest after it. Boundaries,
-- LRK exports and deliveries of another year stand in for a year without their own this way,
-- and the page says so.
create or replace macro nearest_year(candidate, wanted) as
    coalesce(latest_year_at_or_before(candidate, wanted), min(candidate));
