"""`users`: add, list, disable and enable the accounts that may sign in to the app, and set their password."""

from __future__ import annotations

import argparse
import sys

from data_sources import accounts, store
from data_sources.config import db_path
from data_sources.errors import InputRefused

NAME = "users"
HELP = ("Beheer de accounts: toevoegen (add), tonen (list), uitschakelen (disable), weer "
        "inschakelen (enable), aan gemeenten binden (set-gemeente), een andere rol geven (set-rol) "
        "en een nieuw wachtwoord geven (set-wachtwoord).")
GEMEENTE_HELP = ("een gemeente die het account mag zien: code (GM0363) of naam (Amsterdam); herhaalbaar "
                 "of met komma's. Verplicht voor partner en LEA tenzij er precies één gemeente geladen is; "
                 "beheerder en analist zien zonder --gemeente alle gemeenten")
ALLE_HELP = ("alle gemeenten, ook later geladen; zonder --gemeente of --alle ziet een partner- of "
             "LEA-account geen enkele gemeente")


def add_arguments(parser) -> None:
    actions = parser.add_subparsers(dest="actie", metavar="ACTIE", required=True,
                                    parser_class=type(parser))
    add = actions.add_parser("add", help="een account toevoegen", description="Een account toevoegen.")
    add.add_argument("login", metavar="LOGIN",
                     help="loginnaam (bij inloggen via de identiteitsprovider: het e-mailadres)")
    add.add_argument("--rol", required=True, choices=list(accounts.ROLES),
                     help="; ".join(accounts.ROLES.values()))
    add.add_argument("--organisatie", metavar="ORG",
                     help="de organisatie van een partner; haar aanleveringen dragen deze naam")
    add_scope = add.add_mutually_exclusive_group()
    add_scope.add_argument("--gemeente", metavar="GEMEENTE", action="append", help=GEMEENTE_HELP)
    add_scope.add_argument("--alle", action="store_true", help=ALLE_HELP)
    how = add.add_mutually_exclusive_group(required=True)
    how.add_argument("--wachtwoord-stdin", action="store_true",
                     help=f"lees het wachtwoord (minstens {accounts.MIN_PASSWORD_LENGTH} tekens) van "
                          "de standaardinvoer; het staat zo nooit in de opdrachtgeschiedenis")
    how.add_argument("--oidc", action="store_true",
                     help="geen wachtwoord: de gebruiker logt in via de identiteitsprovider")
    listing = actions.add_parser("list", help="alle accounts tonen", description="Alle accounts tonen.")
    disable = actions.add_parser("disable", help="een account uitschakelen",
                                 description="Een account uitschakelen (blijft in het logboek).")
    disable.add_argument("login", metavar="LOGIN")
    enable = actions.add_parser("enable", help="een uitgeschakeld account weer inschakelen",
                                description="Een uitgeschakeld account weer inschakelen (zelfde rol, "
                                            "organisatie en wachtwoord; komt in het logboek).")
    enable.add_argument("login", metavar="LOGIN")
    scope = actions.add_parser("set-gemeente", help="de gemeenten van een account wijzigen",
                               description="De gemeenten die een account mag zien vervangen (komt in het "
                                           "logboek).")
    scope.add_argument("login", metavar="LOGIN")
    which = scope.add_mutually_exclusive_group(required=True)
    which.add_argument("--gemeente", metavar="GEMEENTE", action="append", help=GEMEENTE_HELP)
    which.add_argument("--alle", action="store_true", help=ALLE_HELP)
    new_password = actions.add_parser(
        "set-wachtwoord", help="een account een nieuw wachtwoord geven",
        description="Een account een nieuw wachtwoord geven (vergeten of uitgelekt); wie met het oude "
                    "is ingelogd, is bij de volgende klik afgemeld. Komt in het logboek.")
    new_password.add_argument("login", metavar="LOGIN")
    new_password.add_argument("--wachtwoord-stdin", action="store_true", required=True,
                              help=f"lees het nieuwe wachtwoord (minstens {accounts.MIN_PASSWORD_LENGTH} "
                                   "tekens) van de standaardinvoer")
    new_role = actions.add_parser(
        "set-rol", help="een account een andere rol (of organisatie) geven",
        description="Een account een andere rol geven, en met --organisatie een andere organisatie; wie "
                    "met de oude rol is ingelogd, is bij de volgende klik afgemeld. Komt in het logboek. "
                    "Aanleveringen die een partner al deed, houden de naam van hun organisatie.")
    new_role.add_argument("login", metavar="LOGIN")
    new_role.add_argument("--rol", required=True, choices=list(accounts.ROLES),
                          help="; ".join(accounts.ROLES.values()))
    new_role.add_argument("--organisatie", metavar="ORG",
                          help="de organisatie (verplicht voor een partner zonder organisatie)")
    new_role.add_argument("--alle", action="store_true",
                          help="een account dat alle gemeenten ziet, mag dat als partner of LEA blijven "
                               "doen (zonder --alle geweigerd: bind het eerst met set-gemeente)")
    for action in (add, listing, disable, enable, scope, new_password, new_role):
        # --db also after the action (users add X --db PAD); SUPPRESS keeps the outer value
        action.add_argument("--db", metavar="PAD", default=argparse.SUPPRESS,
                            help="DuckDB-bestand (standaard: $KINDKAART_DB, anders data/kindkaart.duckdb)")


def _password_from_stdin() -> str:
    # bytes, at most one line of a length a password can have: a file piped in by mistake (a
    # binary, /dev/zero) is refused, not read whole, and bytes that are no UTF-8 are said in Dutch
    limit = 4 * accounts.MAX_PASSWORD_LENGTH + 2
    if sys.stdin is None:  # started with standard input closed (`<&-`)
        raise InputRefused("Er kwam geen wachtwoord binnen: de standaardinvoer is gesloten. Er is "
                           "niets gewijzigd.")
    try:
        raw = getattr(sys.stdin, "buffer", None)  # a text stream put in its place has none
        line = raw.readline(limit).decode("utf-8") if raw is not None else sys.stdin.readline(limit)
        password = line.rstrip("\r\n")
    except UnicodeDecodeError:
        raise InputRefused("Het wachtwoord op de standaardinvoer is geen UTF-8-tekst (of het is een "
                           "ander bestand): typ het opnieuw. Er is niets gewijzigd.") from None
    if not password:
        raise InputRefused("Er kwam geen wachtwoord binnen op de standaardinvoer.")
    return password


def gemeente_codes(con, given: list[str] | None) -> list[str] | None:
    """The GM codes of the --gemeente values (codes or names, comma separated or repeated); a name
    is looked up among the loaded gemeenten and in the bundled list of 2024. InputRefused names
    every value that is no gemeente."""
    if not given:
        return None
    from data_sources.gemeentenamen import bundled_names, gemeente_code_for

    names = dict(con.execute(
        "select region_code, arg_max(region_name, year) from regions where region_level = 'gemeente'"
        " and region_name is not null group by region_code").fetchall())
    codes, unknown = [], []
    for value in (part.strip() for item in given for part in item.split(",")):
        if not value:
            continue
        code = gemeente_code_for(value, names)
        if code is None or (code not in bundled_names() and code not in names
                            and code not in accounts.loaded_gemeenten(con)):
            unknown.append(value)
        else:
            codes.append(code)
    if unknown:
        raise InputRefused(f"Onbekende gemeente: {', '.join(unknown)}. Geef een code (GM0363) of de "
                           "naam zoals het CBS die schrijft (Amsterdam).")
    if not codes:
        raise InputRefused("--gemeente is leeg: geef een gemeentecode of -naam op.")
    return codes


def run(args) -> int:
    password = _password_from_stdin() if getattr(args, "wachtwoord_stdin", False) else None
    if password is not None:
        accounts.check_password(password)
    # listing reads only: it works on a database this user may only read (a read-only copy); on
    # one it may write it is opened as by every command, so that a pending migration is applied
    target = db_path(args.db)
    read_only = args.actie == "list" and target.exists() and not store.writable(target)
    con = store.connect(args.db, create=False, read_only=read_only)
    try:
        if args.actie == "list":
            found = accounts.list_accounts(con)
            if not found:
                print("Er zijn nog geen accounts: de app draait in demomodus (alleen Voorbeeldstad).")
            scopes = accounts.all_scopes(con)
            for login, role, organisation, active, created_at, kind in found:
                state = "actief" if active else "uitgeschakeld"
                scope = scopes.get(login, [])
                print(f"{login:<30} {role:<10} {organisation or '-':<30} {state:<13} {kind:<10} "
                      f"{created_at:%Y-%m-%d} gemeenten: "
                      f"{'alle' if scope is None else ','.join(scope) or 'geen (nog niet gebonden)'}")
            return 0
        with store.transaction(con):
            if args.actie == "add":
                account = accounts.add_account(con, args.login, args.rol, password, args.organisatie,
                                               gemeente_codes(con, args.gemeente), args.alle)
                scope = accounts.gemeente_scope(con, account.login)
                accounts.audit(con, "opdrachtregel", "account toegevoegd",
                               f"{account.login} ({account.role}"
                               f"{', ' + account.organisation if account.organisation else ''}; gemeenten: "
                               f"{accounts.scope_label(scope)})", scope)
                first = con.execute("select count(*) from accounts").fetchone()[0] == 1
            elif args.actie == "set-gemeente":
                codes = None if args.alle else gemeente_codes(con, args.gemeente)
                before = accounts.gemeente_scope(con, args.login)
                stored = accounts.set_gemeenten(con, args.login, codes)
                after = set(codes) if codes else None
                accounts.audit(con, "opdrachtregel", "gemeenten gewijzigd",
                               f"{stored}: {accounts.scope_label(before)} -> {accounts.scope_label(after)}",
                               (before or set()) | (after or set()))
            elif args.actie == "set-rol":
                stored, before, after = accounts.set_role(con, args.login, args.rol, args.organisatie,
                                                          args.alle)

                def said(account):
                    return account.role + (f" van {account.organisation}" if account.organisation else "")

                accounts.audit(con, "opdrachtregel", "rol gewijzigd",
                               f"{stored}: {said(before)} -> {said(after)}",
                               accounts.gemeente_scope(con, stored))
            elif args.actie == "set-wachtwoord":
                stored = accounts.set_password(con, args.login, password)
                accounts.audit(con, "opdrachtregel", "wachtwoord gewijzigd", stored,
                               accounts.gemeente_scope(con, stored))
            elif args.actie == "enable":
                accounts.enable_account(con, args.login)
                accounts.audit(con, "opdrachtregel", "account ingeschakeld", args.login,
                               accounts.gemeente_scope(con, args.login))
            else:
                accounts.disable_account(con, args.login)
                accounts.audit(con, "opdrachtregel", "account uitgeschakeld", args.login,
                               accounts.gemeente_scope(con, args.login))
    finally:
        con.close()
    if args.actie == "add":
        # only the first account ends the demo mode; the next ones change nothing for the pages
        print(f"Account {args.login} ({args.rol}) toegevoegd."
              + (" Vanaf nu vraagt elke pagina om in te loggen." if first else ""))
    elif args.actie == "enable":
        print(f"Account {args.login} is weer ingeschakeld.")
    elif args.actie == "set-wachtwoord":
        print(f"Account {args.login} heeft een nieuw wachtwoord; wie met het oude is ingelogd, is bij "
              "de volgende klik afgemeld.")
    elif args.actie == "set-rol":
        print(f"Account {stored} is nu {said(after)}; wie met de oude rol is ingelogd, is bij de "
              "volgende klik afgemeld.")
    elif args.actie == "set-gemeente":
        seen = "alle gemeenten" if args.alle else "alleen " + ", ".join(sorted(set(codes)))
        print(f"Account {args.login} ziet nu {seen}.")
    else:
        print(f"Account {args.login} is uitgeschakeld.")
    return 0
