"""`import`: store a registration workbook and rebuild the marts in one transaction (nothing stored when refused)."""

from __future__ import annotations

from data_sources import jobs, store
from data_sources.commands._gemeente import choose
from data_sources.commands._registration_args import add_gemeente, add_soort, read_file

NAME = "import"
HELP = "Sla een aangeleverd Excel-bestand op; een nieuwe versie vervangt de vorige."


def add_arguments(parser) -> None:
    parser.add_argument("file", metavar="BESTAND", help="het Excel-bestand (.xlsx)")
    add_soort(parser)
    parser.add_argument("--organisatie", required=True, metavar="NAAM",
                        help="de organisatie die aanlevert")
    parser.add_argument("--periode", required=True, metavar="PERIODE",
                        help="2024, 2024-Q3, 2024-09 of 'schooljaar 2024-2025'")
    parser.add_argument("--door", metavar="NAAM", help="wie het bestand aanlevert (optioneel)")
    add_gemeente(parser)


def run(args) -> int:
    data, name = read_file(args.file)
    con = store.connect(args.db, create=False)
    try:
        # by name or code, as in validate
        gemeente_code = choose(con, args.gemeente) if args.gemeente else None
        result = jobs.import_registration(
            con, data, args.soort, args.organisatie, args.periode, name,
            loaded_by=args.door, gemeente_code=gemeente_code,
        )
    finally:
        con.close()
    for notice in result.validation.notices if result.validation else []:
        print(f"Let op: {notice}")
    print(result.summary())
    return 0
