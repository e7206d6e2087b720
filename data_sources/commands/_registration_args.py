"""Arguments and helpers shared by the registration commands (not a command itself)."""

from __future__ import annotations

import argparse
from pathlib import Path

from data_sources.errors import InputRefused, not_a_plain_file, unreadable_reason
from data_sources.registrations.schemas import REGISTRATION_TYPES


def add_soort(parser) -> None:
    """The registration type, `--soort` as in every command, checked against the schemas (wrong
    value: exit 2)."""
    parser.add_argument("--soort", required=True, choices=list(REGISTRATION_TYPES), metavar="SOORT",
                        help="soort registratie: " + ", ".join(REGISTRATION_TYPES))


# The years a --jaar can name: wide enough for every year a command explains itself ('for 1999
# no children per wijk are loaded'), narrow enough to refuse 0, -1 and 99999999999999
YEARS = (1900, 2100)


def year(text: str) -> int:
    """`--jaar` of every command: a whole year from 1900 to 2100 (wrong value: exit 2 with a Dutch
    sentence). 99999999999999 ended an LRK import in an OverflowError blamed on the file, and 0 was
    taken for 'no year given'."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is geen jaar; schrijf het jaar voluit, "
                                         "bijvoorbeeld 2024") from None
    if not YEARS[0] <= value <= YEARS[1]:
        raise argparse.ArgumentTypeError(f"{text} ligt niet tussen {YEARS[0]} en {YEARS[1]}")
    return value


def add_gemeente(parser) -> None:
    """The gemeente a file is for, when the database holds more than one."""
    parser.add_argument("--gemeente", metavar="NAAM of GMxxxx",
                        help="gemeentenaam of -code (nodig als er meer gemeenten geladen zijn)")


def read_file(path: str) -> tuple[bytes, str]:
    """The bytes and name of an uploaded file; a Dutch refusal when it cannot be read."""
    file = Path(path)
    if (odd := not_a_plain_file(file)) is not None:
        raise InputRefused(f"Het bestand '{path}' {odd}: kies een bestand. Er is niets opgeslagen.")
    try:
        if not file.is_file():  # looks into the folder: may be refused too
            raise InputRefused(f"Het bestand '{path}' bestaat niet.")
        return file.read_bytes(), file.name
    except OSError as exc:
        raise InputRefused(f"Het bestand '{path}' kan niet worden gelezen: {unreadable_reason(exc)}.") from None
