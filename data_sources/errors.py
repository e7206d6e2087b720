"""Errors that carry Dutch messages for the user instead of tracebacks."""

from __future__ import annotations

import re
import stat
from pathlib import Path

from data_sources.text import visible


class InputRefused(Exception):
    """Input that Kindkaart refuses; `messages` are Dutch sentences fit to show a user."""

    def __init__(self, messages: str | list[str]):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("; ".join(self.messages))


class SourceUnavailable(Exception):
    """A remote source (CBS, PDOK) could not be reached; the message is Dutch."""


class WouldEmptyValues(InputRefused):
    """A file that would empty values an earlier load had; the caller may ask to replace anyway.
    `messages` say how on the command line (--vervang); `on_page` says it for the page Gemeente
    laden, which asks with a box to tick (it read there: 'opnieuw in met --vervang, of bevestig
    het vervangen op de pagina Gemeente laden', on that very page)."""

    def __init__(self, messages: str | list[str], on_page: str | list[str] | None = None):
        super().__init__(messages)
        self.on_page = (self.messages if on_page is None
                        else [on_page] if isinstance(on_page, str) else list(on_page))


class Note(str):
    """A Dutch note after a load: what a file held but was not stored, what to check. A note is a
    warning (something is missing or may be wrong: the reader should act) unless the loader made
    it with `info`. It is the text itself, so that it prints, compares and joins as one."""

    severity = "warning"


class InfoNote(Note):
    """A note that only informs (what was left out as asked, where the figures show): the page
    Gemeente laden shows it as information, the command without 'Let op:'."""

    severity = "info"


def info(text: str) -> InfoNote:
    """`text` as a note that only informs (InfoNote)."""
    return InfoNote(text)


def severity(note: str) -> str:
    """'warning' or 'info': how a note after a load is shown (Note); a plain text is a warning."""
    return getattr(note, "severity", Note.severity)


_FIELDS = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
# DuckDB's CSV reader: "CSV Error on Line: 2 ... Expected Number of Columns: 5 Found: 6"
_DUCKDB_LINE = re.compile(r"CSV Error on Line: (\d+)")
_DUCKDB_COLUMNS = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")


def refuse_encrypted(file_name: str, member) -> None:
    """Refuse a zip member (zipfile.ZipInfo) locked with a password, naming it: zipfile's own
    RuntimeError reached the user as 'een opbouw die Kindkaart niet kent'."""
    if member.flag_bits & 0x1:
        raise InputRefused(f"Bestand {file_name}: {member.filename} in de zip is versleuteld (met een "
                           "wachtwoord) en kan niet worden gelezen. Pak de zip zelf uit en lees het "
                           "bestand in, of download het opnieuw. Er is niets opgeslagen.")


# A drive letter before a member's name (C:evil.csv, C:/Windows/...): a path outside the zip on
# Windows, as a name with a leading slash is anywhere
_DRIVE = re.compile(r"[A-Za-z]:")


def points_outside(member) -> bool:
    """Whether the name of a zip member (zipfile.ZipInfo) points outside the zip: a '..' among
    its folders, an absolute path (/..., \\..., C:...) or a NUL (zipfile reads 'a.csv<NUL>.txt'
    as 'a.csv', other programs otherwise). No zip program writes such a name for a file in the
    zip; a crafted file does, to write (or show) a file elsewhere on unpacking. A backslash
    counts as a folder's separator: Windows' own zip tools wrote it so for years."""
    name = member.orig_filename
    path = name.replace("\\", "/")
    return ("\0" in name or path.startswith("/") or _DRIVE.match(path) is not None
            or ".." in path.split("/"))


def member_shown(member) -> str:
    """The name of a zip member (zipfile.ZipInfo) for a message: as the zip holds it, with the
    characters that show as nothing (a NUL) written out as <U+0000>."""
    return visible(member.orig_filename)


def refuse_outside(file_name: str, member) -> None:
    """Refuse a zip member (zipfile.ZipInfo) whose name points outside the zip (points_outside),
    naming it. Kindkaart unpacks a member by its last name only, so nothing lands outside its
    scratch folder either way: the name is refused as the sign of a crafted file."""
    if points_outside(member):
        raise InputRefused(f"Bestand {file_name}: het onderdeel '{member_shown(member)}' in de zip "
                           "heeft een naam die buiten de zip wijst (met '..', een volledig pad of "
                           "een nul-teken). Geen zip-programma schrijft zo'n naam; Kindkaart leest "
                           "dit bestand daarom niet. Download het opnieuw bij de bron. Er is niets "
                           "opgeslagen.")


def unreadable(exc: BaseException, line: str = "rij") -> str:
    """Why a file could not be read, in Dutch and without the library's own (English) words:
    the row with the bad bytes, the row with too many fields, the place where JSON breaks.
    `line` names a line of the file: 'rij' in a table (CSV), 'regel' in JSON."""
    kind = type(exc).__name__
    if isinstance(exc, UnicodeDecodeError):
        row = exc.object[:exc.start].count(b"\n") + 1
        advice = "sla het op als 'CSV UTF-8'" if line == "rij" else "sla het op in UTF-8"
        if exc.encoding.startswith("utf-16"):
            return (f"het bestand is opgeslagen als UTF-16 ('Unicode-tekst') zonder het teken "
                    f"dat dat aangeeft, of is beschadigd; {advice}")
        return (f"{line} {row} bevat tekens die niet te lezen zijn (het bestand is geen UTF-8 en "
                f"geen Windows-1252); {advice}")
    if kind == "JSONDecodeError":
        return f"geen geldige JSON (regel {exc.lineno}, kolom {exc.colno})"
    if isinstance(exc, RecursionError):
        return ("de JSON is te diep genest (lijsten of objecten honderden lagen in elkaar; een "
                "CBS- of GeoJSON-bestand heeft er hooguit enkele)")
    if kind == "EmptyDataError":
        return "het bestand is leeg"
    fields = _FIELDS.search(str(exc))
    if fields:
        expected, row, seen = fields.groups()
        return (f"rij {row} heeft {seen} velden waar de kopregel er {expected} heeft (een "
                "scheidingsteken te veel in een waarde?)")
    line_error = _DUCKDB_LINE.search(str(exc))
    if line_error:
        row = line_error.group(1)
        columns = _DUCKDB_COLUMNS.search(str(exc))
        if columns:
            expected, seen = columns.groups()
            return (f"rij {row} heeft {seen} velden waar de kopregel er {expected} heeft (een "
                    "scheidingsteken te veel of te weinig?)")
        if "unterminated quote" in str(exc):
            return f"rij {row} heeft een aanhalingsteken (\") dat niet wordt gesloten"
        return f"rij {row} is niet te lezen"
    if isinstance(exc, OSError):
        return "het bestand kan niet worden gelezen (geen toegang of niet meer aanwezig)"
    return "het bestand is beschadigd of heeft een onverwachte opbouw"


def unreadable_reason(error: OSError) -> str:
    """Why a file to load could not be read, in Dutch (the OS says it in English)."""
    if isinstance(error, PermissionError):
        return "geen toegang (tot het bestand of tot de map waarin het staat)"
    if isinstance(error, IsADirectoryError):
        return "het is een map"
    return "het besturingssysteem weigert het"


def not_a_plain_file(path: str | Path) -> str | None:
    """Why a file to read that is there is no file to read, in Dutch ('is een map', 'is geen gewoon
    bestand (maar een pipe of apparaat)'); None for a regular file, a path that is not there or
    that cannot be looked at (the reader says why). A pipe was read for ever, waiting for a writer,
    and a device such as /dev/zero until memory ran out."""
    try:
        mode = Path(path).stat().st_mode
    except OSError:
        return None
    if stat.S_ISDIR(mode):
        return "is een map, geen bestand"
    if not stat.S_ISREG(mode):
        return "is geen gewoon bestand (maar een pipe of apparaat)"
    return None
