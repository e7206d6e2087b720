-- The pattern of every gemeente's BRP population table as last published, per gemeente and year
-- (transforms.population.cell_protection, protect_population): the next version of the table (a
-- corrected BRP upload of the same year, a restore, a rebuild) is protected beside it, so that
-- two versions kept side by side give away no hidden count. Written by the build of
-- population_protection_by_wijk, in the transaction of the upload or restore it follows; kept
-- across builds (a migration makes it, not the build). Every view (Overzicht, Kaart, the national
-- map, the exports, the report) protects the table beside this pattern, so that all hide the
-- same cells. The table with its totals (wijken+1 x age groups+1, the total last on both axes)
-- is stored flat, row-major: the BRP counts (an estimated cell counts 0) and hidden.
create table published_population_patterns (
    gemeente_code varchar not null,
    year integer not null,
    threshold integer not null,         -- the smallest count shown it was made with
    wijken varchar[] not null,
    age_groups varchar[] not null,
    counts double[] not null,
    hidden boolean[] not null
);
