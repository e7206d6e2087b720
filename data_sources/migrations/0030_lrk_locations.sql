-- Landelijk Register Kinderopvang (LRK): one row per registered location in an export file.
-- Postcode mapped to buurt/wijk through the postcodes table at load time (null = not found).
create table raw_lrk__locations (
    year integer not null,              -- reference year of the export
    lrk_id varchar not null,            -- LRK registratienummer of the location
    provision_type varchar not null,    -- KDV | BSO | GOB | VGO, as the LRK writes it
    location_name varchar,
    places integer,                     -- aantal kindplaatsen (none for VGO)
    street_address varchar,
    postcode varchar,                   -- PC6 without space, upper case
    woonplaats varchar,
    gemeente_code varchar,
    wijk_code varchar,
    buurt_code varchar,
    registration_status varchar,        -- Ingeschreven | Uitgeschreven | ...
    registered_on date,
    deregistered_on date,
    row_number integer not null,        -- row in the export file (for messages)
    load_id integer not null
);
