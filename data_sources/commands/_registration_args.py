"""Arguments and helpers shared by the registration commands (not a command itself)."""

from __future__ import annotations

from pathlib import Path

from data_sources.errors import InputRefused, unreadable_reason
from data_sources.registrations.schemas import REGISTRATION_TYPES


def add_soort(parser) -> None:
    """The registration type, `--soort` as in every command, checked against the schemas (wrong
    value: exit 2)."""
    parser.add_argument("--soort", required=True, choices=list(REGISTRATION_TYPES), metavar="SOORT",
                        help="soort registratie: " + ", ".join(REGISTRATION_TYPES))


def add_gemeente(parser) -> None:
    """The gemeente a file is for, when the database holds more than one."""
    parser.add_argument("--gemeente", metavar="NAAM of GMxxxx",
                        help="gemeentenaam of -code (nodig als er meer gemeenten geladen zijn)")


def read_file(path: str) -> tuple[bytes, str]:
    """The bytes and name of an uploaded file; a Dutch refusal when it cannot be read."""
    file = Path(path)
    try:
        if not file.is_file():  # looks into the folder: may be refused too
            raise InputRefused(f"Het bestand '{path}' bestaat niet.")
        return file.read_bytes(), file.name
    except OSError as exc:
        raise InputRefused(f"Het bestand '{path}' kan niet worden gelezen: {unreadable_reason(exc)}.") from None
