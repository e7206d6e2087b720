"""Local accounts (argon2-hashed passwords), the audit log and the indicators released per audience."""

from __future__ import annotations

import contextlib
import hashlib
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

import duckdb
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from data_sources import store
from data_sources.errors import InputRefused
from data_sources.text import file_name_shown, storable

ROLES = {
    "beheerder": "beheerder (accounts, organisaties, alles)",
    "analist": "analist (alle cijfers, aannames, scenario's, exports)",
    "partner": "partner (eigen aanleveringen en de vrijgegeven cijfers)",
    "lea": "LEA-weergave (alleen de presentatie)",
}
AUDIENCES = {"partner": "partners", "lea": "de LEA-weergave"}
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
# After this many failed logins of one login name, it waits LOCKOUT_MINUTES: guessing passwords
# through the form takes for ever, and the real user is told why.
MAX_FAILURES = 5
LOCKOUT_MINUTES = 15
# And after this many failed logins from one client (its network address; every browser on this
# machine, or behind one proxy, is one client) over all logins: spraying one password over many
# logins is slowed too. A generous limit: colleagues behind one address mistype now and then.
MAX_CLIENT_FAILURES = 30
LOCAL_CLIENT = "lokaal"
_LOGIN = re.compile(r"^[A-Za-z0-9._@+-]{2,100}$")
_HASHER = PasswordHasher()  # argon2id with the library's current recommended parameters


@cache
def _dummy_hash() -> str:
    """Verified against when a login does not exist, so that an unknown login takes as long as a
    wrong password (no way to tell which logins exist from the time an answer takes). Made at the
    first login attempt, not on import: hashing costs a few tenths of a second, which every fresh
    server would otherwise spend before its first page."""
    return _HASHER.hash("kindkaart-geen-account")


@dataclass(frozen=True)
class Account:
    """Who is signed in: login, role and (for partners) organisation."""

    login: str
    role: str
    organisation: str | None = None
    # which password it signed in with (credential_of its hash, verify_login): a session signed in
    # before `users set-wachtwoord` ends at its next click (ui.auth). None: not signed in with a
    # password (the identity provider).
    credential: str | None = field(default=None, compare=False, repr=False)


def credential_of(password_hash: str | None) -> str | None:
    """A digest of a stored password hash, kept in the session instead of the hash itself."""
    return hashlib.sha256(password_hash.encode()).hexdigest() if password_hash else None


def has_accounts(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether any account exists (active or not): then every page requires a login."""
    return con.execute("select count(*) from accounts").fetchone()[0] > 0


def check_password(password: str) -> str:
    """The password if it is long enough, not too long and without control characters;
    InputRefused otherwise (no default or short passwords). 50 MB of NUL bytes piped into
    `users add --wachtwoord-stdin` (a file given by mistake) was accepted as a password that no
    login form can type."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputRefused(f"Een wachtwoord heeft minstens {MIN_PASSWORD_LENGTH} tekens.")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InputRefused(f"Een wachtwoord heeft hoogstens {MAX_PASSWORD_LENGTH} tekens.")
    if file_name_shown(password) != " ".join(password.split()) or "\t" in password:
        raise InputRefused("Een wachtwoord bevat geen stuurtekens (zoals een nulteken, tab of "
                           "escape-teken): die zijn op het inlogscherm niet te typen.")
    return password


def _organisation_name(organisation: str | None) -> str:
    # Control characters (an escape sequence) reached the terminal of whoever ran `users list`,
    # and colour or a cleared line there hid or forged what is stored: refused, not stored.
    name = " ".join(str(organisation or "").split())
    if file_name_shown(name) != name:
        raise InputRefused("De naam van de organisatie bevat stuurtekens (zoals een escape-teken of "
                           "een teken dat de leesrichting omkeert): die horen niet in een naam. "
                           "Typ de naam opnieuw. Er is niets gewijzigd.")
    return name


def add_account(con: duckdb.DuckDBPyConnection, login: str, role: str, password: str | None,
                organisation: str | None = None, gemeenten: list[str] | None = None,
                all_gemeenten: bool = False) -> Account:
    """Create an account; a partner needs an organisation. `password` None: an OIDC account.
    `gemeenten` (codes): the gemeenten it may see; `all_gemeenten`: every gemeente, also those
    loaded later (users add --alle). Without either, beheerder and analist see every gemeente,
    and a partner or LEA account the one loaded gemeente (refused when there is not exactly one:
    which of several would it be? A partner or LEA account never sees every gemeente by accident)."""
    if not _LOGIN.match(login or ""):
        raise InputRefused("Een login bestaat uit 2 tot 100 letters, cijfers of . _ @ + -.")
    if role not in ROLES:
        raise InputRefused(f"Onbekende rol '{role}'; kies uit {', '.join(ROLES)}.")
    organisation = _organisation_name(organisation) or None
    if role == "partner" and not organisation:
        raise InputRefused("Een partneraccount hoort bij een organisatie: geef --organisatie op.")
    store.refuse_other_spelling(con, organisation)
    password_hash = _HASHER.hash(check_password(password)) if password is not None else None
    if con.execute("select count(*) from accounts where lower(login) = lower(?)", [login]).fetchone()[0]:
        raise InputRefused(f"Het account '{login}' bestaat al.")
    if gemeenten and all_gemeenten:
        raise InputRefused("Geef --gemeente of --alle op, niet allebei.")
    if not gemeenten and not all_gemeenten and role in RESTRICTED_ROLES:
        loaded = loaded_gemeenten(con)
        if len(loaded) != 1:
            raise InputRefused(
                f"Een {'partner' if role == 'partner' else 'LEA'}-account ziet alleen de gemeenten "
                f"die u opgeeft: geef --gemeente op (er zijn {len(loaded)} gemeenten geladen, "
                "dus Kindkaart kiest er niet zelf een), of --alle voor alle gemeenten.")
        gemeenten = sorted(loaded)
    con.execute("insert into accounts (login, role, organisation, password_hash, all_gemeenten)"
                " values (?, ?, ?, ?, ?)",
                [login, role, organisation, password_hash, all_gemeenten or not gemeenten])
    if gemeenten:
        _tie(con, login, gemeenten)
    return Account(login, role, organisation)


# Partner and LEA accounts are tied to gemeenten when they are made; beheerder and analist only
# when asked (users add/set-gemeente --gemeente). An account sees every gemeente only when
# accounts.all_gemeenten says so (--alle, or a beheerder or analist made without --gemeente): an
# account without gemeenten and without it sees none (migration 0075).
RESTRICTED_ROLES = ("partner", "lea")
_GEMEENTE_CODE = re.compile(r"^GM[0-9]{4}$")


def loaded_gemeenten(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Codes of the gemeenten with any loaded data: the set transforms.population's
    LOADED_GEMEENTEN_SQL gives (the mart population_by_wijk_age only once the models were built)."""
    parts = ["select gemeente_code from loads where status = 'active'"
             " and regexp_matches(gemeente_code, '^GM[0-9]{4}$')",
             "select gemeente_code from regions where gemeente_code is not null"]
    if store.has_table(con, "population_by_wijk_age"):
        parts.append("select gemeente_code from population_by_wijk_age")
    return {code for (code,) in con.execute(" union ".join(parts)).fetchall()}


def gemeente_scope(con: duckdb.DuckDBPyConnection, login: str) -> set[str] | None:
    """The gemeenten an account may see; None: every loaded gemeente (all_gemeenten, said with
    --alle). An empty set: none (a partner or LEA account not yet tied to a gemeente, or no such
    account)."""
    row = con.execute("select coalesce(all_gemeenten, false) from accounts where lower(login) = lower(?)",
                      [login]).fetchone()
    if row is not None and row[0]:
        return None
    return {code for (code,) in con.execute(
        "select gemeente_code from account_gemeenten where lower(login) = lower(?)", [login]).fetchall()}


def all_scopes(con: duckdb.DuckDBPyConnection) -> dict[str, list[str] | None]:
    """login -> its gemeenten (sorted; empty: not yet tied to any), None for an account that sees
    every gemeente."""
    found: dict[str, list[str] | None] = {
        login: None if every else [] for login, every in con.execute(
            "select login, coalesce(all_gemeenten, false) from accounts").fetchall()}
    for login, code in con.execute(
            "select login, gemeente_code from account_gemeenten order by login, gemeente_code").fetchall():
        if found.get(login) is not None:
            found[login].append(code)
    return found


def scope_label(scope: list[str] | set[str] | None) -> str:
    """How users list, Beheer and the audit log name an account's gemeenten."""
    if scope is None:
        return "alle"
    return ", ".join(sorted(scope)) or "geen (nog niet gebonden)"


def _tie(con: duckdb.DuckDBPyConnection, login: str, gemeenten: list[str]) -> None:
    bad = [code for code in gemeenten if not _GEMEENTE_CODE.match(code)]
    if bad:
        raise InputRefused(f"Geen gemeentecode: {', '.join(bad)} (een code is GM en vier cijfers).")
    con.execute("delete from account_gemeenten where lower(login) = lower(?)", [login])
    for code in sorted(set(gemeenten)):
        con.execute("insert into account_gemeenten values (?, ?)", [login, code])


def set_gemeenten(con: duckdb.DuckDBPyConnection, login: str, gemeenten: list[str] | None) -> str:
    """Tie an account to these gemeenten (codes), or (None: --alle) let it see every gemeente,
    also those loaded later; returns the login as stored. InputRefused when there is no such
    account."""
    row = con.execute("select login from accounts where lower(login) = lower(?)", [login]).fetchone()
    if row is None:
        raise InputRefused(f"Er is geen account '{login}'.")
    if gemeenten:
        _tie(con, row[0], gemeenten)
    else:
        con.execute("delete from account_gemeenten where lower(login) = lower(?)", [login])
    con.execute("update accounts set all_gemeenten = ? where login = ?", [not gemeenten, row[0]])
    return row[0]


def set_role(con: duckdb.DuckDBPyConnection, login: str, role: str, organisation: str | None = None,
             keep_all: bool = False) -> tuple[str, Account, Account]:
    """Give an account another role (and, with `organisation`, another organisation); returns
    (login as stored, before, after). Sessions signed in with the old role end at their next click
    (ui.auth checks role and organisation against the database). A partner needs an organisation
    (its own, or `organisation`). Refused for an unknown login, a role that changes nothing, and a
    partner or LEA role for an account that sees every gemeente (accounts.all_gemeenten: made as
    beheerder or analist) unless `keep_all` says it may (users set-rol --alle): which gemeenten
    it may see is said first (users set-gemeente), as users add asks, so that no partner or LEA
    account sees every gemeente by accident."""
    if role not in ROLES:
        raise InputRefused(f"Onbekende rol '{role}'; kies uit {', '.join(ROLES)}.")
    row = con.execute("select login, role, organisation, coalesce(all_gemeenten, false) from accounts"
                      " where lower(login) = ?", [login_key(login)]).fetchone()
    if row is None:
        raise InputRefused(f"Er is geen account '{login}'.")
    stored, old_role, old_organisation, sees_all = row
    organisation = _organisation_name(organisation) or old_organisation
    if role == "partner" and not organisation:
        raise InputRefused("Een partneraccount hoort bij een organisatie: geef --organisatie op.")
    if organisation != old_organisation:
        store.refuse_other_spelling(con, organisation)
    if (role, organisation) == (old_role, old_organisation):
        raise InputRefused(f"Het account '{stored}' is al {role}"
                           f"{' van ' + organisation if organisation else ''}: er verandert niets.")
    if role in RESTRICTED_ROLES and old_role not in RESTRICTED_ROLES and sees_all and not keep_all:
        raise InputRefused(
            f"Het account '{stored}' ziet alle gemeenten. Een {'partner' if role == 'partner' else 'LEA'}"
            f"-account ziet alleen de gemeenten die u opgeeft: bind het eerst met `users set-gemeente "
            f"{stored} --gemeente GEMEENTE`, of geef --alle mee als het alle gemeenten mag blijven zien.")
    con.execute("update accounts set role = ?, organisation = ? where login = ?",
                [role, organisation, stored])
    return stored, Account(stored, old_role, old_organisation), Account(stored, role, organisation)


def login_key(login: str | None) -> str:
    """A typed login as the lockout counts it and the check of its password finds the account:
    lowered by Python, once. Lowered by DuckDB as well, 'analİst' (a capital I with a dot) found
    the account 'analist' while the lockout counted it apart from it (Python lowers 'İ' to 'i'
    with a combining dot), a fresh five guesses per spelling. Stored logins are ASCII (_LOGIN),
    where both lower alike."""
    return (login or "").lower()


def verify_login(con: duckdb.DuckDBPyConnection, login: str, password: str) -> Account | None:
    """The account when login and password match an active account, else None."""
    row = con.execute(
        "select login, role, organisation, password_hash from accounts"
        " where lower(login) = ? and active", [login_key(login)]).fetchone()
    stored = row[3] if row and row[3] else _dummy_hash()
    try:
        _HASHER.verify(stored, password or "")
    except (VerificationError, InvalidHashError):
        return None
    return Account(row[0], row[1], row[2], credential_of(row[3])) if row and row[3] else None


def set_password(con: duckdb.DuckDBPyConnection, login: str, password: str) -> str:
    """Give an account a new password (a forgotten or leaked one); returns the login as stored.
    Sessions signed in with the old one end at their next click (Account.credential). Refused for
    an unknown login and for an account that signs in through the identity provider."""
    check_password(password)
    row = con.execute("select login, password_hash from accounts where lower(login) = ?",
                      [login_key(login)]).fetchone()
    if row is None:
        raise InputRefused(f"Er is geen account '{login}'.")
    if row[1] is None:
        raise InputRefused(f"Het account '{row[0]}' logt in via de identiteitsprovider en heeft geen "
                           "wachtwoord in Kindkaart.")
    con.execute("update accounts set password_hash = ? where login = ?", [_HASHER.hash(password), row[0]])
    return row[0]


_RECENT = f"outcome <> 'gelukt' and started_at > current_timestamp - interval {LOCKOUT_MINUTES} minute"


def recent_failures(con: duckdb.DuckDBPyConnection, login: str) -> int:
    """Failed logins for this login name in the last LOCKOUT_MINUTES, with the attempts still
    being checked (each counts as a failure until it turned out right)."""
    return con.execute(f"select count(*) from login_attempts where login = ? and {_RECENT}",
                       [login_key(login)]).fetchone()[0]


def begin_login(con: duckdb.DuckDBPyConnection, login: str, client: str | None) -> int | None:
    """Record a login attempt before its password is checked; its id, or None when the login (or
    the client) has had its failures and must wait. Check and record are one transaction that
    first updates the guard rows of the login and the client: attempts at the same moment (other
    sessions, another process on the same database) conflict there and are retried one by one,
    so no more than MAX_FAILURES wrong passwords of a login are ever checked per LOCKOUT_MINUTES
    (an attempt that turned out right no longer counts). The attempt's audit line ("inlogpoging")
    is written in the same transaction; its outcome follows in another (finish_login's caller).
    A refusal writes "inloggen geblokkeerd", once per login (or client) per lockout window."""
    key = login_key(login)
    client = client or LOCAL_CLIENT
    for attempt in range(400):  # a conflict costs milliseconds; 400 tries cover a burst of tabs
        try:
            con.execute("begin transaction")
            for guard in (f"login:{key}", f"client:{client}"):
                con.execute("insert into login_guards values (?, current_timestamp) on conflict"
                            " (guard) do update set touched_at = excluded.touched_at", [guard])
            by_login = recent_failures(con, key)
            by_client = con.execute(f"select count(*) from login_attempts where client = ? and {_RECENT}",
                                    [client]).fetchone()[0]
            if by_login >= MAX_FAILURES or by_client >= MAX_CLIENT_FAILURES:
                _audit_blocked(con, login, f"login '{key}'" if by_login >= MAX_FAILURES
                               else f"adres '{client}'")
                con.execute("commit")
                return None
            attempt_id = con.execute(
                "insert into login_attempts (attempt_id, login, client)"
                " select coalesce(max(attempt_id), 0) + 1, ?, ? from login_attempts"
                " returning attempt_id", [key, client]).fetchone()[0]
            # the audit line of the attempt, with it: a login stopped before its outcome (the
            # server killed while checking) still leaves a trace the beheerder finds
            audit(con, login or "?", "inlogpoging", f"login '{login}'")
            con.execute("commit")
            return attempt_id
        except (duckdb.TransactionException, duckdb.ConstraintException) as error:
            with contextlib.suppress(duckdb.Error):  # a conflict at commit ended it already
                con.execute("rollback")
            if (reason := store.write_failure_reason(error)) is not None:
                # the commit found the disk full or the folder not writable: not a busy moment
                raise store.write_refused(reason) from None
            time.sleep(0.002 * (1 + attempt % 10))
    raise InputRefused("Inloggen lukt nu niet: te veel pogingen tegelijk. Probeer het zo opnieuw.")


BLOCKED = "inloggen geblokkeerd"


def _audit_blocked(con: duckdb.DuckDBPyConnection, login: str, blocked: str) -> None:
    """The audit line of a login refused by the lockout, at most one per login name (or client,
    `blocked`) per LOCKOUT_MINUTES: a line per refusal would let anyone grow the log without limit
    by retrying, and a locked client with ever new login names. The earlier line is found in the
    audit log itself (the login in lower case: the lockout ignores letter case); the guard rows
    begin_login updated first make two refusals at once take turns here."""
    detail = (f"{blocked}: te veel mislukte pogingen (verdere weigeringen binnen {LOCKOUT_MINUTES}"
              " minuten staan niet apart in het logboek)")
    already = con.execute(
        "select count(*) from audit_log where action = ? and detail = ?"
        f" and happened_at > current_timestamp - interval {LOCKOUT_MINUTES} minute",
        [BLOCKED, detail]).fetchone()[0]
    if not already:
        audit(con, login or "?", BLOCKED, detail)


def finish_login(con: duckdb.DuckDBPyConnection, attempt_id: int, succeeded: bool) -> None:
    """The outcome of an attempt begin_login recorded (in the caller's transaction)."""
    con.execute("update login_attempts set outcome = ? where attempt_id = ?",
                ["gelukt" if succeeded else "mislukt", attempt_id])


def oidc_account(con: duckdb.DuckDBPyConnection, email: str) -> Account | None:
    """The active account of a user signed in through the identity provider (login = e-mail)."""
    row = con.execute("select login, role, organisation from accounts"
                      " where lower(login) = ? and active", [login_key(email)]).fetchone()
    return Account(*row) if row else None


def list_accounts(con: duckdb.DuckDBPyConnection, scope: set[str] | None = None) -> list[tuple]:
    """(login, role, organisation, active, created_at, kind) per account, by login. With `scope`
    (the gemeenten of a beheerder tied to them) only the accounts tied to one of those gemeenten."""
    where, params = "", []
    if scope is not None:
        where = (" where login in (select login from account_gemeenten"
                 " where list_contains(?::varchar[], gemeente_code))")
        params = [sorted(scope)]
    return con.execute(
        "select login, role, organisation, active, created_at,"
        " case when password_hash is null then 'oidc' else 'wachtwoord' end"
        " from accounts" + where + " order by login", params).fetchall()


def disable_account(con: duckdb.DuckDBPyConnection, login: str) -> None:
    """Disable an account (kept for the audit log); InputRefused when it does not exist."""
    changed = con.execute(
        "update accounts set active = false, disabled_at = current_timestamp"
        " where lower(login) = lower(?) and active returning login", [login]).fetchall()
    if not changed:
        raise InputRefused(f"Er is geen actief account '{login}'.")


def enable_account(con: duckdb.DuckDBPyConnection, login: str) -> None:
    """Enable a disabled account again (same role, organisation and password); InputRefused when
    there is no disabled account of that login."""
    changed = con.execute(
        "update accounts set active = true, disabled_at = null"
        " where lower(login) = lower(?) and not active returning login", [login]).fetchall()
    if not changed:
        known = con.execute("select count(*) from accounts where lower(login) = lower(?)",
                            [login]).fetchone()[0]
        raise InputRefused(f"Het account '{login}' is niet uitgeschakeld." if known
                           else f"Er is geen account '{login}'.")


def audit(con: duckdb.DuckDBPyConnection, actor: str, action: str, detail: str = "",
          gemeenten: Iterable[str] | None = None) -> None:
    """Record who did what (in the caller's transaction, so it is stored exactly with the deed);
    `gemeenten`: the codes of the gemeenten it concerns (a beheerder tied to gemeenten sees the
    entries of its own)."""
    codes = sorted({code for code in gemeenten or () if code}) or None
    # a path or name from the command line may hold bytes that are no UTF-8 (text.storable)
    con.execute("insert into audit_log (actor, action, detail, gemeenten) values (?, ?, ?, ?)",
                [storable(actor), action, storable(detail), codes])


def audit_log(con: duckdb.DuckDBPyConnection, limit: int | None = None,
              scope: set[str] | None = None) -> list[tuple]:
    """(event_id, happened_at, actor, action, detail), newest first. With `scope` (the gemeenten of
    a beheerder tied to them) only the entries of those gemeenten: an entry that names one of
    them, and an entry that names no gemeente (a login) of an account tied to one of them."""
    where, params = "", []
    if scope is not None:
        where = (" where list_has_any(gemeenten, ?::varchar[]) or (coalesce(len(gemeenten), 0) = 0"
                 " and lower(actor) in (select lower(login) from account_gemeenten"
                 " where list_contains(?::varchar[], gemeente_code)))")
        params = [sorted(scope), sorted(scope)]
    sql = "select event_id, happened_at, actor, action, detail from audit_log" + where + " order by event_id desc"
    return con.execute(sql + (" limit ?" if limit else ""), params + ([limit] if limit else [])).fetchall()


def released(con: duckdb.DuckDBPyConnection, audience: str, gemeente_code: str | None) -> set[str]:
    """Keys of the partner-based indicators released to this audience ('partner' or 'lea') for
    this gemeente; gemeente_code None: those released for every loaded gemeente (the national map)."""
    if gemeente_code is not None:
        return {key for (key,) in con.execute(
            "select indicator_key from indicator_releases where audience = ? and gemeente_code = ?",
            [audience, gemeente_code]).fetchall()}
    loaded = loaded_gemeenten(con)
    per_gemeente = [released(con, audience, code) for code in sorted(loaded)]
    return set.intersection(*per_gemeente) if per_gemeente else set()


def set_released(con: duckdb.DuckDBPyConnection, gemeente_code: str, indicator_key: str, audience: str,
                 release: bool, actor: str) -> None:
    """Release an indicator of one gemeente to an audience, or withdraw it; recorded in the audit
    log with the gemeente."""
    if audience not in AUDIENCES:
        raise InputRefused(f"Onbekende doelgroep '{audience}'.")
    con.execute("delete from indicator_releases where gemeente_code = ? and indicator_key = ?"
                " and audience = ?", [gemeente_code, indicator_key, audience])
    if release:
        con.execute("insert into indicator_releases (gemeente_code, indicator_key, audience, released_by)"
                    " values (?, ?, ?, ?)", [gemeente_code, indicator_key, audience, actor])
    audit(con, actor, "vrijgave" if release else "vrijgave ingetrokken",
          f"{indicator_key} voor {AUDIENCES[audience]} in {gemeente_code}", [gemeente_code])
