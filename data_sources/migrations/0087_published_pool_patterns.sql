-- The pattern of every row 10 pool (the group kinds of Analysevragen row 10 whose children the
-- model pools into one observed children per place: plus-groups, KDC/MKD) as last published, per
-- gemeente, year and pool (transforms.analysis.protected_pools): its group kinds, their children
-- and whether row 10 hides them. The next version of the pool (a corrected groepsgrootte upload,
-- a restore, a rebuild) is protected beside it, so that a kind left out or hidden before that is
-- 0 now, or no longer delivered, gives its old count not back as the pool's total before minus
-- the kinds shown after. Written by the build of pool_protection_by_gemeente, in the transaction
-- of the upload or restore it follows; kept across builds (a migration makes it, not the build).
create table published_pool_patterns (
    gemeente_code varchar not null,
    year integer not null,
    pool varchar not null,              -- transforms.analysis.PLACE_POOLS: plusgroep, kdc_mkd
    threshold integer not null,         -- the smallest count shown it was made with
    kinds varchar[] not null,
    counts double[] not null,
    hidden boolean[] not null
);
