-- Access: local accounts (argon2 hashes, never passwords), an audit log of who did what when,
-- and the partner-based indicators the gemeente released to partners and to the LEA view.
create table accounts (
    login varchar primary key,            -- a local login name, or the e-mail of an OIDC user
    role varchar not null check (role in ('beheerder', 'analist', 'partner', 'lea')),
    organisation varchar,                 -- required for partners: their uploads carry it
    password_hash varchar,                -- argon2id; null for accounts that sign in through OIDC
    active boolean not null default true,
    created_at timestamp not null default current_timestamp,
    disabled_at timestamp,
    check (role <> 'partner' or organisation is not null)
);

create sequence audit_log_id start 1;
create table audit_log (
    event_id integer primary key default nextval('audit_log_id'),
    happened_at timestamp not null default current_timestamp,
    actor varchar not null,               -- login, 'demo' (no accounts) or 'opdrachtregel'
    action varchar not null,              -- upload, vervanging, terugzetten, parameter, export, cbs-lading, inloggen, ...
    detail varchar not null default ''
);

create table indicator_releases (
    indicator_key varchar not null,
    audience varchar not null check (audience in ('partner', 'lea')),
    released_by varchar not null,
    released_at timestamp not null default current_timestamp,
    primary key (indicator_key, audience)
);
