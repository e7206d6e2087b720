-- Foundation schema: load provenance, regions, geometries, population sources.
create sequence load_id_seq start 1;

create table loads (
    load_id integer primary key default nextval('load_id_seq'),
    source varchar not null,            -- cbs | pdok | brp | partner | lrk | sample
    dataset varchar not null,           -- what kind of rows, e.g. kerncijfers, bevolking-leeftijd, vve-indicaties
    table_id varchar,                   -- CBS table id (85984NED) or registration type
    gemeente_code varchar,
    organisation varchar,
    period varchar,                     -- reporting period as given ('2024', '2024-Q3', 'schooljaar 2024-2025')
    year integer,                       -- reference year the rows describe
    file_name varchar,
    file_hash varchar,                  -- sha256 of the file loaded
    row_count integer not null default 0,
    loaded_at timestamp not null default current_timestamp,
    loaded_by varchar,                  -- user or organisation account that loaded it (roles come later)
    retrieved_at timestamp,             -- when the source was fetched (CBS, PDOK)
    status varchar not null default 'active',  -- active | superseded | removed
    status_changed_at timestamp,
    note varchar
);

-- One row per region and year: gemeente, wijk or buurt, as CBS publishes the indeling.
create table regions (
    year integer not null,
    region_code varchar not null,       -- GM0344, WK034401, BU03440101
    region_level varchar not null,      -- gemeente | wijk | buurt
    region_name varchar,
    gemeente_code varchar not null,
    wijk_code varchar,                  -- the wijk itself, or the wijk of a buurt; null for a gemeente
    load_id integer not null,
    primary key (year, region_code)
);

-- Polygons in WGS84 as GeoJSON geometry text, simplified for the browser.
create table geometries (
    year integer not null,
    region_code varchar not null,
    region_level varchar not null,
    geometry_json varchar not null,
    load_id integer not null,
    primary key (year, region_code)
);

-- Kerncijfers wijken en buurten in long form: one row per region, year and variable stem
-- (the CBS key without its numeric suffix, e.g. k_0Tot15Jaar). null = secret or unknown.
create table raw_cbs__kerncijfers (
    table_id varchar not null,
    year integer not null,
    region_code varchar not null,
    region_level varchar not null,
    stem varchar not null,
    value double,
    load_id integer not null
);

-- Bevolking by single year of age per gemeente (CBS 03759ned, both sexes).
create table raw_cbs__population_by_age (
    table_id varchar not null,
    year integer not null,
    gemeente_code varchar not null,
    age integer not null,
    persons double,
    load_id integer not null
);

-- The gemeente's own register (BRP): children by single year of age per buurt or wijk.
create table raw_brp__population (
    year integer not null,
    region_code varchar not null,       -- buurt or wijk code after postcode mapping
    age integer not null,
    children integer not null,
    load_id integer not null
);

-- PC6 -> buurt, wijk, gemeente (CBS "Buurt, wijk en gemeente <jaar> voor postcode-huisnummer").
create table postcodes (
    year integer not null,
    pc6 varchar not null,
    buurt_code varchar not null,
    wijk_code varchar not null,
    gemeente_code varchar not null,
    load_id integer not null
);
