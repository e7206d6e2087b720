-- The pattern of every table protected beside a signal's one protected table, as last published,
-- per gemeente, year and table (transforms.analysis.protected_beside_tables): the pupils per
-- onderwijssoort and status of Analysevragen row 5 (beside speciaal_onderwijs) and the children
-- waiting per kind of rows 6 and 9 (beside wachtlijst_so and wachtlijst_zorg). The next version of
-- such a table (a corrected upload, a restore, a rebuild) is protected beside it, as the signal's
-- own table is beside published_signal_patterns, so that two versions kept side by side give away
-- no hidden cell. Written by the build of beside_protection_by_gemeente, in the transaction of
-- the upload or restore it follows; kept across builds (a migration makes it, not the build).
-- The table with its totals (soorten+1 x kinds+1, the total last on both axes) is stored flat,
-- row-major: counts and hidden; `breakdown` false where only its totals row is shown.
create table published_beside_patterns (
    gemeente_code varchar not null,
    year integer not null,
    table_key varchar not null,         -- the signal type the table is protected beside
    threshold integer not null,         -- the smallest count shown it was made with
    soorten varchar[] not null,
    kinds varchar[] not null,
    counts double[] not null,
    hidden boolean[] not null,
    breakdown boolean not null
);
