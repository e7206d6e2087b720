-- Partner registrations: aggregated rows of every uploaded registration type, one JSON payload
-- per row holding the type's own columns (see data_sources/registrations/schemas.py); the
-- staging views stg_partner__<type> are generated from the schemas and read active loads only.
create table raw_partner__registration_rows (
    load_id integer not null,
    registration_type varchar not null,  -- schema key, e.g. vve-indicaties
    row_number integer not null,         -- order of the aggregated row within its load
    gemeente_code varchar not null,
    wijk_code varchar not null,
    buurt_code varchar,                  -- null when the partner gave a wijk or a PC4
    payload varchar not null             -- JSON object: column name -> value
);
