"""`import-lrk`: load a Landelijk Register Kinderopvang export (locations and kindplaatsen)."""

from __future__ import annotations

from data_sources import jobs, store
from data_sources.commands._registration_args import year
from data_sources.errors import severity
from data_sources.lrk import note_sentence

NAME = "import-lrk"
HELP = ("Laad een export van het Landelijk Register Kinderopvang (locaties en kindplaatsen); hij "
        "vervangt een eerdere export van hetzelfde jaar alleen voor de gemeenten die hij dekt.")


def add_arguments(parser) -> None:
    parser.add_argument("bestand", help="LRK-export (.csv of .xlsx)")
    parser.add_argument("--jaar", type=year, metavar="JAAR",
                        help="jaar van de export (standaard: het jaar in de bestandsnaam)")


def run(args) -> int:
    con = store.connect(args.db, create=False)
    try:
        result = jobs.import_lrk(con, args.bestand, year=args.jaar)
    finally:
        con.close()
    print(f"LRK {result.year}: {result.locations} ingeschreven locaties met samen {result.places} "
          "kindplaatsen geladen.")
    # what to act on first, marked 'Let op:'; then what only informs (data_sources.errors.Note)
    warnings, information = [], []
    for line in result.coverage_lines():
        (warnings if severity(line) == "warning" else information).append(line)
    if result.unmapped_postcodes:
        warnings.append(f"{len(result.unmapped_postcodes)} postcode(s) niet gevonden in de "
                        f"postcodetabel ({', '.join(result.unmapped_postcodes[:10])}); die locaties "
                        "tellen niet mee per wijk.")
    if result.without_address:
        warnings.append(f"{result.without_address} gastouder(s) zonder adres in de export; hun "
                        "kindplaatsen tellen niet mee per wijk.")
    if result.deregistered:
        information.append(result.deregistered_line())
    for note in map(note_sentence, result.notes):
        (warnings if severity(note) == "warning" else information).append(note)
    for warning in warnings:
        print(f"Let op: {warning}")
    for line in information:
        print(line)
    return 0
