-- The pattern of every partner signal table as last published, per gemeente, year and signal type
-- (transforms.partner_tables.protected_cells): the next version of a table (a corrected upload, a
-- restore, a rebuild) is protected beside it, so that two versions kept side by side give away no
-- hidden cell. Written by the build of signals_protection_by_wijk, in the transaction of the
-- upload or restore it follows; kept across builds (a migration makes it, not the build).
-- The cube of the table with all its margins (wijken+1 x kinds+1 x ages+1, the total last on
-- every axis) is stored flat, row-major: counts and hidden.
create table published_signal_patterns (
    gemeente_code varchar not null,
    year integer not null,
    signal_type varchar not null,
    input_digest varchar not null,      -- the digest of the table's input (signals_protection_by_wijk)
    threshold integer not null,         -- the smallest count shown it was made with
    wijken varchar[] not null,
    kinds varchar[] not null,
    ages varchar[] not null,
    counts double[] not null,
    hidden boolean[] not null
);
