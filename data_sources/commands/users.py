"""`users`: add, list, disable and enable the accounts that may sign in to the app."""

from __future__ import annotations

import argparse
import sys

from data_sources import accounts, store
from data_sources.errors import InputRefused

NAME = "users"
HELP = ("Beheer de accounts: toevoegen (add), tonen (list), uitschakelen (disable) en weer "
        "inschakelen (enable).")


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
    for action in (add, listing, disable, enable):
        # --db also after the action (users add X --db PAD); SUPPRESS keeps the outer value
        action.add_argument("--db", metavar="PAD", default=argparse.SUPPRESS,
                            help="DuckDB-bestand (standaard: $KINDKAART_DB, anders data/kindkaart.duckdb)")


def _password_from_stdin() -> str:
    line = sys.stdin.readline()
    password = line.rstrip("\r\n")
    if not password:
        raise InputRefused("Er kwam geen wachtwoord binnen op de standaardinvoer.")
    return password


def run(args) -> int:
    password = _password_from_stdin() if getattr(args, "wachtwoord_stdin", False) else None
    if password is not None:
        accounts.check_password(password)
    con = store.connect(args.db, create=False)
    try:
        if args.actie == "list":
            found = accounts.list_accounts(con)
            if not found:
                print("Er zijn nog geen accounts: de app draait in demomodus (alleen Voorbeeldstad).")
            for login, role, organisation, active, created_at, kind in found:
                state = "actief" if active else "uitgeschakeld"
                print(f"{login:<30} {role:<10} {organisation or '-':<30} {state:<13} {kind:<10} "
                      f"{created_at:%Y-%m-%d}")
            return 0
        with store.transaction(con):
            if args.actie == "add":
                account = accounts.add_account(con, args.login, args.rol, password, args.organisatie)
                accounts.audit(con, "opdrachtregel", "account toegevoegd",
                               f"{account.login} ({account.role}"
                               f"{', ' + account.organisation if account.organisation else ''})")
            elif args.actie == "enable":
                accounts.enable_account(con, args.login)
                accounts.audit(con, "opdrachtregel", "account ingeschakeld", args.login)
            else:
                accounts.disable_account(con, args.login)
                accounts.audit(con, "opdrachtregel", "account uitgeschakeld", args.login)
    finally:
        con.close()
    if args.actie == "add":
        print(f"Account {args.login} ({args.rol}) toegevoegd. Vanaf nu vraagt elke pagina om in te loggen.")
    elif args.actie == "enable":
        print(f"Account {args.login} is weer ingeschakeld.")
    else:
        print(f"Account {args.login} is uitgeschakeld.")
    return 0
