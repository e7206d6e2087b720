"""`validate`: check a registration workbook without storing anything (exit 0 valid, 1 not)."""

from __future__ import annotations

from data_sources import store
from data_sources.commands._gemeente import choose
from data_sources.commands._registration_args import add_gemeente, add_soort, read_file
from data_sources.registrations.importing import check_period
from data_sources.registrations.validate import validate_workbook

NAME = "validate"
HELP = "Controleer een aangeleverd Excel-bestand; er wordt niets opgeslagen."


def add_arguments(parser) -> None:
    parser.add_argument("file", metavar="BESTAND", help="het Excel-bestand (.xlsx)")
    add_soort(parser)
    parser.add_argument("--periode", help="periode waarvoor het bestand is (voor wachttijden)")
    add_gemeente(parser)


def run(args) -> int:
    data, name = read_file(args.file)
    if args.periode is not None:
        # the period as import judges it: a period import refuses is no file 'in orde'
        check_period(args.periode)
    con = store.connect(args.db, read_only=True)
    try:
        # by name or code, refused in Dutch as in template and export; without it the file's own
        # gemeente (blad 'Organisatie') or the only one loaded
        gemeente_code = choose(con, args.gemeente) if args.gemeente else None
        result = validate_workbook(data, args.soort, con, name, gemeente_code, args.periode)
    finally:
        con.close()
    for notice in result.notices:
        print(f"Let op: {notice}")
    if not result.ok:
        for line in result.message_texts():
            print(line)
        print(f"{name} is niet in orde: {result.count_text().replace('hieronder', 'hierboven')}. "
              "Er is niets opgeslagen.")
        return 1
    print(f"{name} is in orde: {result.rows_read} rijen gelezen, {len(result.aggregates_df)} "
          "rijen om op te slaan.")
    return 0
