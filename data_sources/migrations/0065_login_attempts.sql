-- Login attempts, each recorded before its password is checked: the lockout (5 failures per login,
-- a limit per client) counts them in the same transaction as it checks, so parallel attempts can
-- never check more passwords than the limit. login_guards has one row per login and per client
-- that every attempt updates first: two attempts at once conflict on it and one waits (DuckDB has
-- no row locks; a write-write conflict is its serialisation).
create table login_attempts (
    attempt_id bigint primary key,
    login varchar not null,                 -- lower case: the lockout ignores letter case
    client varchar not null,                -- the browser's address, or 'lokaal' (this machine)
    started_at timestamp not null default current_timestamp,
    outcome varchar not null default 'bezig' check (outcome in ('bezig', 'mislukt', 'gelukt'))
);

create table login_guards (
    guard varchar primary key,              -- 'login:<login>' or 'client:<address>'
    touched_at timestamp not null
);
