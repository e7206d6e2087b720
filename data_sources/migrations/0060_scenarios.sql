-- Planvorming (issue 17): stored scenarios and the tariffs users enter. Both live beside the
-- marts and are never touched by a rebuild (transforms.build only replaces model views/tables).
create sequence scenario_id_seq start 1;
create table scenarios (
    scenario_id integer primary key default nextval('scenario_id_seq'),
    gemeente_code varchar not null,
    year integer not null,                  -- the data year the scenario plans from
    name varchar not null,
    perspective varchar not null,           -- passend | inclusief
    separate_share double not null,         -- deel van niveau 3 in een aparte groep (passend)
    horizon varchar not null,               -- 1-2 | 3-5 | 5-10 jaar (000:L390-409)
    estimate varchar not null,              -- laag | midden | hoog: which model estimate
    catchments_json varchar not null,       -- {"verzorgingsgebied": ["WK...", ...]}
    building_blocks_json varchar not null,  -- ["extra_medewerker", ...] (000:L656-740)
    parameters_json varchar not null,       -- {"parameter": value}: changes from the defaults
    financing_json varchar not null,        -- {"group type": "financing model"} (001:L1910-2001)
    note varchar,
    created_by varchar,
    created_at timestamp not null default current_timestamp,
    updated_at timestamp not null default current_timestamp,
    input_fingerprint varchar,              -- the inputs (active loads, parameters) computed on
    computed_at timestamp,
    result_json varchar                     -- totals at computed_at
);
create sequence tariff_id_seq start 1;
create table tariffs (
    tariff_id integer primary key default nextval('tariff_id_seq'),
    gemeente_code varchar not null,
    stream varchar not null,                -- financing stream (000:L915-1233)
    unit varchar not null,                  -- what one amount pays for (transforms.planning.UNITS)
    group_type varchar,                     -- only for this group type; null: every group type
    amount double not null check (amount >= 0),  -- euro per unit, entered by a person
    owner varchar not null,                 -- who gave the amount
    tariff_date date not null,              -- when it was given / valid from
    note varchar,
    created_at timestamp not null default current_timestamp
);
