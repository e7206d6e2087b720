-- Jeugdmonitor per wijk (CBS 85685NED 2023, 85075NED 2021 ...) in long form: one row per region,
-- year, category (the table's other dimensions, e.g. the form of jeugdzorg) and topic stem.
create table raw_cbs__jeugdzorg (
    table_id varchar not null,
    year integer not null,
    region_code varchar not null,
    region_level varchar not null,      -- gemeente | wijk | buurt
    category varchar not null,          -- titles of the non-region dimensions, '' when none
    stem varchar not null,              -- topic key without its numeric suffix
    topic_title varchar,
    value double,                       -- null = secret or unknown
    load_id integer not null
);
