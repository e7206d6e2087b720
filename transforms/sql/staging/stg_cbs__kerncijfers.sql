-- One row per region, year and variable stem from CBS Kerncijfers wijken en buurten.
select
    k.table_id,
    k.year,
    k.region_code,
    k.region_level,
    k.stem,
    k.value,
    k.load_id
from raw_cbs__kerncijfers as k
