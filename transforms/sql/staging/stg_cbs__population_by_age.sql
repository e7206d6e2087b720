-- One row per gemeente (and NL01, Nederland), year and single age (0-14) from CBS 03759ned.
select
    p.table_id,
    p.year,
    p.gemeente_code,
    p.age,
    p.persons as persons_count,
    p.load_id
from raw_cbs__population_by_age as p
