"""`template`: write the Excel template of a registration type."""

from __future__ import annotations

import io
from pathlib import Path

from data_sources import store
from data_sources.commands._gemeente import choose
from data_sources.commands._registration_args import add_gemeente, add_soort
from data_sources.config import db_path
from data_sources.errors import InputRefused
from data_sources.registrations.template import write_template
from outputs.files import write_whole

NAME = "template"
HELP = "Schrijf het Excel-sjabloon van een soort registratie (met de wijken van de gemeente)."


def add_arguments(parser) -> None:
    add_soort(parser)
    parser.add_argument("-o", "--output", required=True, metavar="BESTAND.xlsx",
                        help="waar het sjabloon komt")
    add_gemeente(parser)


def run(args) -> int:
    output = Path(args.output)
    if output.suffix.lower() != ".xlsx":
        raise InputRefused("Het sjabloon is een Excel-werkmap: geef een bestandsnaam op .xlsx.")
    # where nothing can be written (a part of the path a file, /proc, no rights): refused first
    store.check_output(args.output, "Er is niets geschreven.", database=db_path(args.db), make_folder=True)
    con = None
    gemeente_code = None
    if db_path(args.db).exists():
        con = store.connect(args.db, read_only=True)
    try:
        if con is not None:
            # by name or code; of several gemeenten loaded none is picked silently
            gemeente_code = choose(con, args.gemeente)
        elif args.gemeente:
            raise InputRefused([f"De database {db_path(args.db)} bestaat niet, dus er is geen gemeente "
                                "geladen. Laad de gemeente op de pagina Gemeente laden of met "
                                "`python -m data_sources import-cbs kwb-2024.xlsx --gemeente GM0193`."])
        workbook = io.BytesIO()
        write_template(args.soort, workbook, con, gemeente_code)
        # killed while writing: no half workbook, and no new folder without it
        write_whole(output, workbook.getvalue())
    finally:
        if con is not None:
            con.close()
    print(f"Sjabloon {args.soort} geschreven naar {output}.")
    return 0
