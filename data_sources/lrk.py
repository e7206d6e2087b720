"""Landelijk Register Kinderopvang (LRK) export: locations and places, mapped to wijk."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import gzip
import io
import re
import warnings
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from data_sources import archives, store
from data_sources.errors import InputRefused, Note, info, not_a_plain_file, severity, unreadable
from data_sources.text import (
    CONTROL_CHARACTERS,
    MISREAD_UTF8,
    MONTHS,
    WINDOWS_1252_UNDEFINED,
    LineByLine,
    compact,
    decode,
    decoded_by_line,
    delimiter,
    misread_utf8,
    normalise,
    windows_undefined_said,
)
from data_sources.text import shown as _shown
from data_sources.workbooks import DAMAGED_ZIP, OLE2_MAGIC, WorkbookLimits, check_workbook, sheet_shown

PROVISION_TYPES = {
    "KDV": "kinderdagverblijf (dagopvang, sinds 2018 ook peuteropvang)",
    "BSO": "buitenschoolse opvang",
    "VGO": "voorziening voor gastouderopvang (het huis van de gastouder, met kindplaatsen)",
    "GOB": "gastouderbureau (heeft geen kindplaatsen)",
    "PSZ": "peuterspeelzaal (oudere exports; telt als peuteropvang)",
}
# The same types written out, as the register's website shows them ("Type opvang" in a search
# result copied to a spreadsheet): compared after lower-casing and removing spaces, '-' and '_'.
# "Gastouderopvang" alone is the gastouder's home on the website, but some copies name the bureau
# so too: it is read by its places (_read_gastouderopvang).
EITHER_GASTOUDER = "GASTOUDEROPVANG"
PROVISION_TYPE_NAMES = {
    "kinderdagverblijf": "KDV", "dagopvang": "KDV",
    "buitenschoolseopvang": "BSO",
    "voorzieningvoorgastouderopvang": "VGO",
    "gastouderbureau": "GOB",
    "peuterspeelzaal": "PSZ", "peuteropvang": "PSZ",
    "gastouderopvang": EITHER_GASTOUDER,
}
# A name followed by its code, as a legend or a filter shows them: 'Kinderdagverblijf (KDV)'.
_NAME_AND_CODE = re.compile(r"^.*\(\s*(KDV|BSO|VGO|GOB|PSZ)\s*\)$", re.IGNORECASE)
# Types without places of their own: an empty aantal_kindplaatsen and any address are fine.
WITHOUT_PLACES = {"GOB"}
# Types whose address the public register may leave out (the gastouder's home).
ADDRESS_MAY_BE_EMPTY = {"VGO"}
# Column names in LRK exports vary a little between the website export and open-data copies;
# each field accepts these spellings (compared after lower-casing and removing spaces, '_' and '-').
# The location's own columns are named with 'opvanglocatie' before or after the word, as the
# register's (opvanglocatie_postcode) and a copy typed over in Dutch ('Postcode opvanglocatie')
# write them; 'Postcode opvanglocatie' was refused as a missing column, and a name or address so
# spelled was left out without a word. The houder's columns (houder_postcode) are never read.
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "lrk_id": ("lrkid", "lrknummer", "registratienummer", "lrkregistratienummer"),
    "provision_type": ("typeoko", "type", "soortopvang", "typeopvang"),
    "location_name": ("actuelenaamoko", "naam", "naamopvanglocatie", "opvanglocatienaam",
                      "naamoko", "opvanglocatie"),
    "places": ("aantalkindplaatsen", "kindplaatsen", "aantalkindplaatsenoko"),
    "street_address": ("opvanglocatieadres", "adresopvanglocatie", "adres"),
    "postcode": ("opvanglocatiepostcode", "postcodeopvanglocatie", "postcode"),
    "woonplaats": ("opvanglocatiewoonplaats", "woonplaatsopvanglocatie", "opvanglocatieplaats",
                   "plaatsopvanglocatie", "woonplaats", "plaats"),
    "registration_status": ("status", "statusoko", "registratiestatus"),
    "registered_on": ("inschrijfdatum", "datuminschrijving"),
    "deregistered_on": ("uitschrijfdatum", "datumuitschrijving"),
    # the gemeente whose register the location is in (the register's search 'per gemeente')
    "responsible_gemeente": ("verantwoordelijkegemeente", "gemeente"),
    # the open-data export also has that gemeente's CBS code, without 'GM' ('0518')
    "responsible_gemeente_code": ("cbscode", "gemeentecode", "cbsgemeentecode"),
}
REQUIRED = ("lrk_id", "provision_type", "places", "postcode")
# Columns of CBS's files (kwb, StatLine by title or key such as Codering_3, the postcode file),
# by how their compacted names begin: read on the wrong button, said so.
_CBS_COLUMNS = ("gwbcode", "codering", "wijkenenbuurten", "regios", "pc6")
CBS_FILE_HINT = (" Dit is een CBS-bestand: lees het in op de pagina Gemeente laden onder CBS-bestand "
                 "inlezen, of met python -m data_sources import-cbs.")
# The names of the required columns as the register's export writes them, for messages.
HEADER_NAMES = {"lrk_id": "lrk_id", "provision_type": "type_oko", "places": "aantal_kindplaatsen",
                "postcode": "opvanglocatie_postcode"}
_PC6 = re.compile(r"^[1-9][0-9]{3}[A-Z]{2}$")
# The register writes 'Ingeschreven' and 'Uitgeschreven' (other words for them: STATUS_WORDS); an
# empty status (or none) counts. Any other value is refused by name: counting it either way could
# be wrong.
REGISTERED, DEREGISTERED = "ingeschreven", "uitgeschreven"
# More places than any location has (the largest have a few hundred): a damaged export.
MAX_PLACES = 10_000
DATE_FIELDS = {"registered_on": "inschrijfdatum", "deregistered_on": "uitschrijfdatum"}
# Dates as the register writes them (dd-mm-jjjj), as Excel and LibreOffice save a date cell or
# ISO text (jjjj-mm-dd, a time may follow), and with slashes as an English Excel writes them, also
# with the time of a date-time cell ('5/1/2008 0:00', or '5/1/2008 12:00:00 AM' as English
# Windows programs write a database's timestamp); the time is not read. A
# date cell formatted with a short year (d-m-jj, as a Dutch Excel can save a CSV: '1-3-12') has
# two digits: the register began in 2005 (with the registrations of the years before), so such a
# year is 20jj (TWO_DIGIT_CENTURY); one that would lie after today is refused (_dates).
_DUTCH_DATE = re.compile(r"^(\d{1,2})-(\d{1,2})-(?P<year>\d{4}|\d{2})(?: \d{1,2}:\d{2}(?::\d{2})?)?$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_SLASH_DATE = re.compile(
    r"^(\d{1,2})/(\d{1,2})/(?P<year>\d{4}|\d{2})(?: \d{1,2}:\d{2}(?::\d{2})?(?: ?[AP]M)?)?$", re.IGNORECASE)
TWO_DIGIT_CENTURY = 2000
# A date cell formatted with the month's name, as a Dutch Excel offers them ('1-mrt-12', '1 mrt
# 2012', 'donderdag 1 maart 2012') and saves them so in a CSV; a weekday must be the date's.
_MONTH_NAME_DATE = re.compile(
    r"^(?:(?P<weekday>[a-z]+),?\s+)?(?P<day>\d{1,2})[-\s]+(?P<month>[a-z]+)\.?[-\s]+"
    r"(?P<year>\d{4}|\d{2})(?: \d{1,2}:\d{2}(?::\d{2})?)?$", re.IGNORECASE)
_WEEKDAYS = {name: number for number, names in enumerate(
    [("maandag", "ma"), ("dinsdag", "di"), ("woensdag", "wo"), ("donderdag", "do"),
     ("vrijdag", "vr"), ("zaterdag", "za"), ("zondag", "zo")]) for name in names}
# A date as Excel stores it, days since 30-12-1899 ('43221' is 01-05-2018): five digits, as every
# date in DATE_YEARS has.
_EXCEL_SERIAL = re.compile(r"^(\d{5})(?:[.,]0+)?$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
# The years a date of the register can have: the register (2005) took over the registrations of
# the years before; a year such as 9999 (a 'no end' of another system) or 1900 (an empty date
# cell of Excel) is no date of a location and would count it wrongly, so it is not read.
DATE_YEARS = (1990, 2099)
_YEAR_IN_NAME = re.compile(r"(?<!\d)(20\d{2})(?!\d)")
_DATE_IN_NAME = re.compile(r"(?<!\d)(\d{8})(?!\d)")


@dataclass(frozen=True)
class LrkImport:
    """What an import stored: the load, the number of locations, and those without a wijk."""

    load_id: int
    year: int
    locations: int
    places: int
    unmapped_postcodes: list[str]
    # Gastouder homes published without an address: their places count, but in no wijk.
    without_address: int = 0
    # Locations in the export that are no longer registered: stored, never counted.
    deregistered: int = 0
    # What else the user is told (dates left empty on deregistered locations): each a warning or,
    # made with errors.info, only information (data_sources.errors.Note); note_sentence says it.
    notes: list[str] = dataclasses.field(default_factory=list)
    # The gemeenten this export counts for, and per gemeente the earlier export it replaces there.
    covered: list[str] = dataclasses.field(default_factory=list)
    replaced: list[Replacement] = dataclasses.field(default_factory=list)
    # Gemeenten in the export whose earlier export stays (this one holds too few of its locations).
    kept: list[Replacement] = dataclasses.field(default_factory=list)
    # Counted locations whose postcode lies in another gemeente than their register gemeente.
    elsewhere: int = 0
    gemeente_names: dict[str, str] = dataclasses.field(default_factory=dict)

    def coverage_lines(self) -> list[str]:
        """What this export replaces, in Dutch, for the command line and the page: information,
        but a gemeente where it replaces nothing (errors.Note: a warning)."""
        lines = [f"Deze export telt voor {self._gemeenten(self.covered)}."] if self.covered else []
        by_load: dict[int, list[Replacement]] = {}
        for replacement in self.replaced:
            by_load.setdefault(replacement.load_id, []).append(replacement)
        for load_id, replacements in sorted(by_load.items()):
            lines.append(f"Vervangt de export van lading {load_id} ({replacements[0].file_name}) voor "
                         f"{self._gemeenten([r.gemeente_code for r in replacements])}.")
        lines = [info(line) for line in lines]
        lines += [Note(_kept_line(kept, self.name(kept.gemeente_code))) for kept in self.kept]
        if self.elsewhere:
            lines.append(info(f"{self.elsewhere} locatie(s) liggen volgens hun postcode in een andere "
                              "gemeente dan hun verantwoordelijke gemeente: ze tellen mee in de wijk "
                              "van hun postcode."))
        return lines

    def deregistered_line(self) -> str:
        """What the page and the command line say of the locations stored that do not count."""
        return (f"{self.deregistered} uitgeschreven locatie(s) in de export zijn bewaard maar tellen "
                f"niet mee. Dat zijn locaties met een uitschrijfdatum in {self.year} of eerder, of "
                "met de status Uitgeschreven zonder uitschrijfdatum.")

    def name(self, gemeente_code: str) -> str:
        return _gemeente_label(gemeente_code, self.gemeente_names)

    def _gemeenten(self, codes: list[str]) -> str:
        if len(codes) == 1:
            return f"gemeente {self.name(codes[0])}"
        shown = ", ".join(self.name(code) for code in codes[:5])
        more = f" en nog {len(codes) - 5}" if len(codes) > 5 else ""
        return f"{len(codes)} gemeenten ({shown}{more})"


@dataclass(frozen=True)
class Replacement:
    """An earlier export that counted for a gemeente: replaced there by a new one, or kept."""

    gemeente_code: str
    load_id: int
    file_name: str | None
    earlier_locations: int = 0   # counted locations of the earlier export in the gemeente
    held: int = 0                # of those, how many the new export holds
    in_export: int = 0           # the new export's locations in the gemeente


def note_sentence(note: str) -> Note:
    """A note of LrkImport.notes as a sentence of its own, of the same severity (errors.severity):
    'rij 4 herhaalt de kopregel ...' -> 'Rij 4 herhaalt de kopregel ....'. The command line puts
    'Let op:' before a warning only; the page shows a warning as such, first."""
    sentence = note[:1].upper() + note[1:] + "."
    return info(sentence) if severity(note) == "info" else Note(sentence)


def _gemeente_label(gemeente_code: str, names: dict[str, str]) -> str:
    named = names.get(gemeente_code)
    return f"{named} ({gemeente_code})" if named else gemeente_code


def _kept_line(kept: Replacement, gemeente: str) -> str:
    return (f"Vervangt niets voor gemeente {gemeente}: daar blijft de export van lading "
            f"{kept.load_id} ({kept.file_name}) gelden, want deze export heeft maar {kept.held} van "
            f"de {kept.earlier_locations} locaties die daar nu tellen. De {kept.in_export} "
            "locatie(s) van die gemeente in deze export tellen niet mee.")


def _decode(path: Path) -> LineByLine:
    """The text of a CSV export: UTF-8, UTF-16 with a BOM, or (exports saved on Windows, Excel,
    the register's open data) cp1252: 'Kinderopvang Café', line by line where a copy holds lines
    of both (text.decoded_by_line). Deciding for the file as a whole refused the rows of the
    other encoding: the register's download with one name it stored misread ('CafÃ©', which is
    UTF-8) was read as UTF-8 and its accented rows refused, and rows pasted from that download
    into a copy saved as CSV UTF-8 were refused where they could be read. A byte cp1252 leaves
    undefined is kept as Windows reads it, and refused only in a row that is read (_bad_bytes):
    one in a row of Amsterdam refused the national export for every gemeente."""
    return decoded_by_line(path.read_bytes())


# A copy opened and saved again in Excel or LibreOffice: a workbook of any of their formats.
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
# A national export has about 70,000 locations in some 25 columns. calamine holds a sheet as one
# dense block as large as its farthest cell sets (a cell at XFD1048576 asks for 549 GB and aborts
# the process), so a workbook is checked on its XML before it is read (workbooks.check_workbook).
WORKBOOK_LIMITS = WorkbookLimits(
    kind="een LRK-export", max_rows=250_000, max_columns=60, max_bytes=60 * 1024 * 1024,
    max_unpacked_bytes=800 * 1024 * 1024, advice="sla de export op als CSV")


def _workbook_text(value: object) -> object:
    """A workbook cell as the CSV export would have it: a date cell as ISO text, a whole number
    without '.0', empty as NA."""
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return pd.NA
    if isinstance(value, (dt.datetime, dt.date)):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_lrk_export(path: str | Path, year: int | None = None,
                    keep: Within | None = None) -> pd.DataFrame:
    """Read an LRK export (CSV with ';', ',' or tabs, or a workbook: .xlsx, .xls, .ods) into one row per location with
    the columns of raw_lrk__locations (without year, wijk and load). Refuses bad rows with Dutch
    messages naming row and column; contact columns of the export are not kept. With `year`, a
    location deregistered by the end of it is not held to the rules (it never counts). What was
    left empty on such a location is said in frame.attrs["notes"]. `keep`: the gemeenten whose
    rows are read (before they are checked; import_lrk_file's `within`), a note on the others."""
    path = Path(path)
    if not path.is_file():
        raise InputRefused(f"Bestand {path} bestaat niet.")
    try:
        if _is_workbook(path):
            check_workbook(path, WORKBOOK_LIMITS)
            try:
                # values as typed (a date cell is a date, not text to guess a day order from);
                # every sheet, without a header: the export may sit below a title, or on a sheet
                # after a sheet of notes
                sheets = pd.read_excel(path, sheet_name=None, header=None, dtype=object,
                                       engine="calamine")
            except Exception as exc:  # noqa: BLE001 - calamine's own errors (a damaged workbook)
                # are no subclass of anything the CSV route raises: one Dutch message for all
                raise ValueError(str(exc)) from exc
            raw, header_row, file_name = _workbook_table(sheets, path.name)
            undefined_bytes = False  # cells are text, not bytes of a code page
            controls = True  # a cell may hold any character
            by_line: tuple[set[int], ...] = (set(), set())
            both: dict[int, list[str]] = {}
            replaced = True  # a workbook saved from a copy whose letters were lost (_lost_letters)
            decimal_sign = None  # a number cell has none; text cells say nothing of the locale
            beyond, sep = {}, ""  # cells cannot spill into the next column
        else:
            decoding = _decode(path)
            text = decoding.text
            undefined_bytes = bool(decoding.windows_1252 or decoding.both)
            # the values are parts of the text: where it has no control character, none has
            controls = any(character in text for character in _CONTROL_CHARACTER_SET)
            replaced = "\ufffd" in text
            first, _, rest = text.partition("\n")
            separator = _SEP_LINE.match(first)
            if separator:  # Excel's hint of the separator ('sep=;'), above the header
                text = rest
            header_row, sep = _csv_header(text, separator[1] if separator else None)
            above: list[str] = []
            if header_row:  # lines of a title above the header
                *_, above_line, text = text.split("\n", header_row)
                above = next(csv.reader([above_line.strip("\r\ufeff")], delimiter=sep), [])
            by_line = (set(), set())
            skipped = bool(separator) + header_row
            if decoding.windows_1252 and decoding.utf8:  # rows pasted from a copy of the other
                by_line = tuple(_row_numbers(text, sep, header_row, [line - skipped for line in lines])
                                for lines in (decoding.windows_1252, decoding.utf8))
            # a value typed or pasted in the other encoding: each part read in its own
            both = {}
            for line, row in _rows_of_lines(text, sep, header_row,
                                            [line - skipped for line in decoding.both]).items():
                both.setdefault(row, []).extend(decoding.both[line + skipped])
            file_name = path.name
            # Excel saves a CSV with ';' where the comma is the decimal sign (Dutch), with ','
            # where the point is; the register writes ';' and Dutch numbers
            decimal_sign = {";": ",", ",": "."}.get(sep)
            width, beyond = _rows_beyond_the_header(text, sep, header_row)
            if beyond and keep is None:  # every row is read
                raise _beyond_the_header(sorted(beyond), sep, file_name)
            with warnings.catch_warnings():
                # index_col=False: a separator after the last field of every row (';' at the end
                # of the line, not of the header) made pandas take the LRK numbers for the index
                # and shift every column by one: refused as 'onbekende status 01-01-2015'. Fields
                # beyond the header are empty here, or in rows that may be of other gemeenten: those
                # are read as far as the header goes (usecols; pandas refused a row with a field
                # too many, but the first), and judged by Within.shifted_rows.
                warnings.simplefilter("ignore", pd.errors.ParserWarning)
                # skip_blank_lines=False: an empty line is a row, as Excel shows it, so that the
                # rows named in messages are the file's (empty rows are passed over below)
                raw = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False,
                                  na_values=[""], index_col=False, skip_blank_lines=False,
                                  usecols=range(width) if beyond else None)
            header = next(csv.reader([text.partition("\n")[0].strip("\r\ufeff")], delimiter=sep), [])
            grouped = _under_group_headings(header, above)
            if grouped != header and len(grouped) == len(raw.columns):
                raw.columns = _column_names([name or pd.NA for name in grouped])
    except (OSError, UnicodeDecodeError, ValueError, pd.errors.ParserError) as exc:
        raise InputRefused(f"Bestand {path.name}: niet leesbaar als LRK-export: {unreadable(exc)}.") from None
    by_normalised = {compact(c): c for c in raw.columns}
    columns = {}
    for field, aliases in COLUMN_ALIASES.items():
        for alias in aliases:
            if alias in by_normalised:
                columns[field] = by_normalised[alias]
                break
    _refuse_columns_twice(raw.columns, columns, file_name)
    missing = [f for f in REQUIRED if f not in columns]
    if missing:
        expected = ", ".join(HEADER_NAMES[f] for f in missing)
        raise InputRefused(
            f"Bestand {file_name}: de kolom(men) {expected} ontbreken. Een LRK-export heeft onder "
            "meer lrk_id, type_oko, aantal_kindplaatsen en opvanglocatie_postcode."
            + (CBS_FILE_HINT if any(name.startswith(_CBS_COLUMNS) for name in by_normalised) else "")
        )
    # a NUL in a location's name ended up in the tables and the HTML report
    frame = pd.DataFrame({
        field: _without_controls(raw[columns[field]].astype("string"), controls).str.strip()
        if field in columns else pd.NA
        for field in COLUMN_ALIASES
    })
    frame["row_number"] = range(header_row + 2, header_row + len(frame) + 2)
    # An LRK number typed with Excel's text prefix ('938831367, so that Excel keeps it as text) or
    # spaces around it is that number: kept with the apostrophe, it was a location of its own
    # beside the same number in another export, and no duplicate of it in the same one.
    frame["lrk_id"] = _replaced(frame["lrk_id"], frame["lrk_id"].str.startswith(_TEXT_PREFIXES),
                                _TEXT_PREFIX, "")
    frame = frame[frame.drop(columns="row_number").notna().any(axis=1)].copy()
    notes: list[str] = []
    frame = _without_repeated_headers(frame, notes)
    frame = _without_totals_rows(frame, notes)
    if frame.empty:
        raise InputRefused(f"Bestand {file_name}: geen locaties gevonden.")
    frame["lrk_id"] = _lrk_numbers(frame["lrk_id"])
    # '1234 AB', also with the no-break space of a postcode copied from a web page
    postcode = frame["postcode"].str.replace(" ", "", regex=False)
    frame["postcode"] = _replaced(postcode, ~postcode.str.isalnum(), r"\s", "").str.upper()
    other_gemeenten = ""
    if keep is not None:
        # the locations of other gemeenten in the national export are not checked: a row of
        # Amsterdam with a damaged postcode refused the export for an analist of Zwolle. They are
        # left out before any decision over the column is taken (the decimal sign of the places,
        # the counts in the notes): '60.00' in a row of Amsterdam made Zwolle's '1.200' ambiguous.
        kept, other_gemeenten = keep.rows(frame)
        frame = frame[kept.to_numpy()].copy()
        if beyond:
            refused, unknown = keep.shifted_rows(beyond, list(raw.columns), columns)
            if refused:
                raise _beyond_the_header(refused, sep, file_name, unknown)
    ambiguous_places = _read_grouped_places(frame, columns, decimal_sign, notes)
    # A whole number with one or two zero decimals is the count: '48.0' as pandas writes the column
    # once a gastouderbureau's empty places made it a float (an export filtered in Python and saved
    # again), '48,00' as a Dutch Excel writes a cell formatted as a number. Not three: '1.000' may
    # be a thousand (_read_grouped_places).
    frame["places"] = frame["places"].str.replace(r"^([0-9]+)[.,]0{1,2}$", r"\1", regex=True)
    # per value written, not per row: an export has a few types in 100,000 rows
    types = frame["provision_type"]
    frame["provision_type"] = types.map(
        {value: _provision_type_code(value) for value in types.dropna().unique()}.get)
    _read_gastouderopvang(frame, columns, notes)
    notes += [other_gemeenten] if other_gemeenten else []
    _refuse_rounded_numbers(frame, file_name, columns)

    undefined = _bad_bytes(frame, file_name, columns) if undefined_bytes else []
    if replaced:
        notes += _lost_letters(frame, columns)
    notes += _misread_letters(frame, columns)
    notes += _read_by_line(frame, *by_line)
    notes += _read_in_both(frame, both, columns)
    _read_other_status_words(frame, columns, notes)
    errors = _unknown_statuses(frame, file_name, columns)
    if not errors:
        registered = counts(frame["registration_status"])
        slash_order = _slash_order(frame)
        for date_field in DATE_FIELDS:
            frame[date_field] = _dates(frame, date_field, registered, slash_order, file_name,
                                       columns, errors, notes)
    errors += undefined
    # Only counted locations (counts()) are held to the rules: a deregistered one in a national
    # export may have lost its places or postcode, and must not refuse the file. Its type, places
    # and postcode are kept where valid, else left empty; it is stored, never counted.
    frame["counts"] = counts(frame["registration_status"],
                             frame["deregistered_on"] if not errors else None, year,
                             frame["registered_on"] if not errors else None)
    # only the rows that may be refused or lack places go through the checks row by row: stepping
    # through arrow-backed columns took most of the time of a national export (100,000 rows)
    row_errors, without_places = _row_faults(frame[~_plainly_valid(frame, ambiguous_places)],
                                             columns, ambiguous_places, file_name)
    errors += row_errors
    if errors:
        shown = errors[:20]
        if len(errors) > 20:
            shown.append(f"... en nog {len(errors) - 20} fouten. Er is niets opgeslagen.")
        else:
            shown.append("Er is niets opgeslagen.")
        raise InputRefused(shown)
    if frame["lrk_id"].duplicated().any():
        frame = _without_repeated_locations(frame, file_name, columns, notes)
        kept = set(frame["row_number"])
        without_places = [row_number for row_number in without_places if row_number in kept]
    if without_places:
        rows = ", ".join(str(r) for r in without_places[:5]) + (" ..." if len(without_places) > 5 else "")
        notes.append(f"{len(without_places)} ingeschreven locatie(s) zonder aantal kindplaatsen "
                     f"(rij {rows}): hun plekken zijn onbekend en tellen niet mee")
    # an uitgeschreven location is not checked (it does not count): a number of places beyond
    # MAX_PLACES is left unknown there, not stored (it broke the database's integer column)
    places = frame["places"].where(frame["places"].str.isdigit() & frame["places"].str.isascii()
                                   & (frame["places"].str.len() <= len(str(MAX_PLACES))))
    places = pd.to_numeric(places, errors="coerce")
    frame["places"] = places.where(places <= MAX_PLACES).astype("Int64")
    frame["postcode"] = frame["postcode"].where(frame["postcode"].str.match(_PC6.pattern))
    frame = frame.drop(columns="counts").reset_index(drop=True)
    if header_row:
        notes.insert(0, info(f"de kopregel staat op rij {header_row + 1}; wat erboven staat is "
                             "overgeslagen"))
    frame.attrs["notes"] = notes
    # the column of the register gemeente as this file names it, for store_lrk's note on a name
    # that is no gemeente it knows
    frame.attrs["gemeente_column"] = columns.get("responsible_gemeente")
    return frame


def _row_faults(rows: pd.DataFrame, columns: dict, ambiguous_places: dict[int, str],
                file_name: str) -> tuple[list[str], list[int]]:
    """The checks of read_lrk_export, row by row: the Dutch refusals of `rows`, and the row numbers
    of counted locations without places (a note, not a refusal). Only a counted location
    (counts()) is held to the rules beyond its LRK number."""
    errors: list[str] = []
    without_places: list[int] = []
    # as Python lists: stepping through arrow-backed columns row by row is slow
    for row_number, lrk_id, counted, provision_type, places, postcode in zip(*(
            rows[c].tolist() for c in ("row_number", "lrk_id", "counts", "provision_type",
                                       "places", "postcode")), strict=True):
        where = f"Bestand {file_name}, rij {row_number}"
        if not isinstance(lrk_id, str) or not lrk_id:  # NaN when empty
            errors.append(f"{where}, kolom {columns['lrk_id']}: het LRK-nummer ontbreekt.")
        if not counted:
            continue
        if not isinstance(provision_type, str):  # NA when empty
            errors.append(f"{where}, kolom {columns['provision_type']}: het type ontbreekt; "
                          f"verwacht {', '.join(PROVISION_TYPES)}.")
        elif provision_type not in PROVISION_TYPES:
            errors.append(
                f"{where}, kolom {columns['provision_type']}: '{_shown(provision_type)}' is geen "
                f"LRK-type; verwacht {', '.join(PROVISION_TYPES)}."
            )
        if provision_type not in WITHOUT_PLACES:
            if not isinstance(places, str) or not places.strip():
                # the register left it empty: unknown, not 0, and no reason to refuse a national
                # export of 100,000 locations for one of them
                without_places.append(row_number)
            elif row_number in ambiguous_places:
                errors.append(f"{where}, kolom {columns['places']}: {ambiguous_places[row_number]}")
            elif not (places.isascii() and places.isdigit()):  # not '4²' or '٤٨'
                errors.append(
                    f"{where}, kolom {columns['places']}: '{_shown(places) if isinstance(places, str) else ''}' is "
                    "geen aantal kindplaatsen (een heel getal van 0 of meer)."
                )
            elif int(places) > MAX_PLACES:
                errors.append(
                    f"{where}, kolom {columns['places']}: {places} kindplaatsen op één locatie kan "
                    "niet (een locatie heeft er hoogstens enkele honderden; Kindkaart neemt er tot "
                    f"{MAX_PLACES // 1000}.000 aan)."
                )
        postcode = postcode if isinstance(postcode, str) else ""
        # A gastouder's home may be published without its address: kept, but in no wijk.
        may_be_empty = provision_type in WITHOUT_PLACES | ADDRESS_MAY_BE_EMPTY
        if not postcode and not may_be_empty:
            errors.append(f"{where}, kolom {columns['postcode']}: de postcode ontbreekt.")
        elif postcode and not _PC6.match(postcode):
            errors.append(
                f"{where}, kolom {columns['postcode']}: '{_shown(postcode)}' is geen postcode "
                "(vier cijfers en twee letters, bijvoorbeeld 1234 AB)."
            )
    return errors, without_places


def _plainly_valid(frame: pd.DataFrame, ambiguous_places: dict[int, str]) -> pd.Series:
    """Per row, whether the checks of _row_faults find nothing in it at a glance: an
    LRK number, and if it counts a known type, places as a plain number below MAX_PLACES (or a
    type without places) and a postcode (or a type whose address may be empty). The other rows
    are gone through one by one; a row this is unsure of is one of them."""
    provision_type = frame["provision_type"]
    places = frame["places"].str.fullmatch(f"[0-9]{{1,{len(str(MAX_PLACES)) - 1}}}", na=False)
    postcode = frame["postcode"].fillna("")
    valid = (provision_type.isin(list(PROVISION_TYPES)).fillna(False)
             & (provision_type.isin(list(WITHOUT_PLACES)).fillna(False)
                | (places & ~frame["row_number"].isin(list(ambiguous_places))))
             & (postcode.str.fullmatch(_PC6.pattern.strip("^$"), na=False)
                | ((postcode == "") & provision_type.isin(list(WITHOUT_PLACES | ADDRESS_MAY_BE_EMPTY))
                   .fillna(False))))
    return ((frame["lrk_id"].fillna("") != "") & (~frame["counts"] | valid)).astype(bool)


# How far down a title may push the header of an export ('LRK-export Zwolle, juni 2024' and an
# empty row typed above it in Excel); the header is the first row that names the required columns.
HEADER_SEARCH_ROWS = 20


def _names_the_required_columns(cells: list) -> bool:
    names = {compact(cell) for cell in cells if isinstance(cell, str)}
    return all(names & {compact(HEADER_NAMES[field]), *COLUMN_ALIASES[field]} for field in REQUIRED)


def _csv_header(text: str, sep: str | None) -> tuple[int, str]:
    """The 0-based line of the header of a CSV export and its separator: the first of the first
    lines that names the required columns, else the first line (whose columns are then said to be
    missing). `sep`: the separator Excel's 'sep=' line gave, if any."""
    # the head only: a national export is some 30 MB of text
    lines = text[:1_000_000].split("\n", HEADER_SEARCH_ROWS)[:HEADER_SEARCH_ROWS]
    for number, line in enumerate(lines):
        line_sep = sep or delimiter(line)
        if _names_the_required_columns(line.strip("\r\ufeff").split(line_sep)):
            return number, line_sep
    return 0, sep or delimiter(lines[0] if lines else "")


def _workbook_table(sheets: dict[str, pd.DataFrame], file_name: str) -> tuple[pd.DataFrame, int, str]:
    """The export in a workbook read without a header: the first sheet with a row (among its first
    HEADER_SEARCH_ROWS) that names the required columns, as a frame under that row; its 0-based row;
    and the file's name for messages, with the sheet's when the workbook has more than one. Without
    such a row: the first sheet under its first row, named by the file alone (no sheet has them)."""
    found = next(((name, sheet, number) for name, sheet in sheets.items()
                  for number, cells in enumerate(sheet.head(HEADER_SEARCH_ROWS).itertuples(index=False))
                  if _names_the_required_columns(list(cells))), None)
    if found is None:
        name, sheet = next(iter(sheets.items()))
        number = 0
    else:
        name, sheet, number = found
    header = [_workbook_text(cell) for cell in sheet.iloc[number]] if len(sheet) else []
    if number:
        header = _under_group_headings(header, [_workbook_text(cell) for cell in sheet.iloc[number - 1]])
    raw = sheet.iloc[number + 1:].map(_workbook_text).reset_index(drop=True)
    raw.columns = _column_names(header)
    label = f"{file_name}, werkblad '{sheet_shown(name)}'" if len(sheets) > 1 and found else file_name
    return raw, number, label


def _column_names(header: list) -> list[str]:
    """The header's cells as column names, as pandas names them: an empty one 'Unnamed: 3', a
    repeated one 'Postcode.1'."""
    columns, seen = [], {}
    for index, cell in enumerate(header):
        column = f"Unnamed: {index}" if cell is pd.NA else str(cell)
        seen[column] = seen.get(column, -1) + 1
        columns.append(f"{column}.{seen[column]}" if seen[column] else column)
    return columns


# Headings over groups of columns, as a copy laid out for reading has them: merged cells 'Houder'
# and 'Opvanglocatie' above 'Naam', 'Adres', 'Postcode', 'Plaats'. Under a heading of another party
# than the location those names are that party's: the houder's postcode was read as the location's
# (every location in the houder's wijk). A heading stands above the first of its columns (a merged
# cell) and reaches to the next heading; only these names are renamed ('Houder Postcode'), so a
# heading that seems to reach too far changes no other column.
_OTHER_PARTIES = {"houder", "houdergegevens", "gegevenshouder", "correspondentie",
                  "correspondentieadres", "contact", "contactgegevens", "contactpersoon",
                  "gastouderbureau", "geschillencommissie"}
_NAMES_OF_EVERY_PARTY = {"naam", "adres", "postcode", "plaats", "woonplaats"}


def _under_group_headings(header: list, above: list) -> list:
    """The header with the names under a heading of another party (_OTHER_PARTIES) in the row
    `above` it prefixed with that heading; as it was when there is no such heading."""
    named, party = [], None
    for index, cell in enumerate(header):
        heading = above[index] if index < len(above) else None
        if isinstance(heading, str) and heading.strip():
            party = heading.strip() if compact(heading) in _OTHER_PARTIES else None
        if party and isinstance(cell, str) and compact(cell) in _NAMES_OF_EVERY_PARTY:
            cell = f"{party} {cell}"
        named.append(cell)
    return named


def _refuse_columns_twice(names: pd.Index, columns: dict, file_name: str) -> None:
    """Refuse a header that has a column read twice ('Postcode' of the houder and of the location,
    without a heading above that tells them apart): the first was read, whichever it was."""
    from openpyxl.utils import get_column_letter

    bare = [compact(re.sub(r"\.[0-9]+$", "", str(name))) for name in names]
    for column in columns.values():
        same = [index for index, name in enumerate(bare) if name == compact(column)]
        if len(same) > 1:
            letters = ", ".join(get_column_letter(index + 1) for index in same)
            raise InputRefused(
                f"Bestand {file_name}: de kolom {column} staat {len(same)} keer in de kopregel "
                f"(kolom {letters}); daaruit is niet te zien welke bij de opvanglocatie hoort (de "
                "andere is bijvoorbeeld die van de houder). Geef de andere kolom een eigen naam, "
                f"zoals '{column} houder', of zet de kop 'Houder' erboven, of laad de export zoals "
                "het register hem geeft. Er is niets opgeslagen.")


def _without_controls(values: pd.Series, controls: bool) -> pd.Series:
    """The values without control characters (CONTROL_CHARACTERS); `controls`: whether the file
    has any (a CSV export has none as a rule: the regular expression over every column of a
    national export was a tenth of its reading)."""
    return values.str.replace(CONTROL_CHARACTERS, "", regex=True) if controls else values


# The characters of CONTROL_CHARACTERS, to look for in a text with `in` (a regular expression
# over the text of a national export took a tenth of a second).
_CONTROL_CHARACTER_SET = [chr(code) for code in range(32) if re.fullmatch(CONTROL_CHARACTERS, chr(code))]


def _all_ascii(values: pd.Series) -> bool:
    """Whether every value of a column of text is ASCII (or empty): a regular expression for
    characters beyond it has nothing to look for there (a tenth of a second per check over the
    columns of a national export)."""
    return bool(values.str.isascii().all())


_SEP_LINE = re.compile(r"^\ufeff?sep=(.)\s*$")
# Excel's text prefix before a typed number (an apostrophe; a curly one after autocorrect).
_TEXT_PREFIXES = ("'", "\u2018", "\u2019", "`")
_TEXT_PREFIX = f"^[{''.join(_TEXT_PREFIXES)}]+\\s*"


def _replaced(values: pd.Series, where: pd.Series, pattern: str, replacement: str) -> pd.Series:
    """values.str.replace(pattern, replacement, regex=True) in the rows `where` (NA: no), which
    hold every match: a pattern pyarrow cannot run (\\s is Unicode in Python) goes through
    Python's re value by value, a third of a second for a column of a national export."""
    where = where.fillna(False).astype(bool)
    if not where.any():
        return values
    values = values.copy()
    values[where] = values[where].str.replace(pattern, replacement, regex=True)
    return values


def _rows_beyond_the_header(text: str, sep: str, header_row: int = 0) -> tuple[int, dict[int, list[str]]]:
    """The number of columns of the header, and the rows with more filled fields than that ('De
    Boom; hut' without quotes: every field after the separator lands in the wrong column), by row
    number, with their fields. `header_row`: the 0-based row of the header (a title above it)."""
    rows = csv.reader(io.StringIO(text), delimiter=sep)
    try:
        width = len(next(rows, []))
        if max(map(len, rows), default=0) <= width:  # as the register writes it: no row to name
            return width, {}
        rows = csv.reader(io.StringIO(text), delimiter=sep)
        next(rows)
        return width, {number: fields for number, fields in enumerate(rows, start=header_row + 2)
                       if len(fields) > width and any(f.strip() for f in fields[width:])}
    except csv.Error:
        return 0, {}  # a field beyond csv's limit (128 kB): pandas reads it, the checks judge it


def _beyond_the_header(rows: list[int], sep: str, file_name: str,
                       unknown: list[int] | None = None) -> InputRefused:
    shown = ", ".join(str(r) for r in rows[:10]) + (" ..." if len(rows) > 10 else "")
    untold = ", ".join(str(r) for r in (unknown or [])[:10]) + (
        " ..." if len(unknown or []) > 10 else "")
    return InputRefused(
        f"Bestand {file_name}: rij {shown} {'heeft' if len(rows) == 1 else 'hebben'} meer "
        f"velden dan de kopregel kolommen heeft (mogelijk een '{sep}' in een naam zonder "
        "aanhalingstekens eromheen)"
        + (f"; door de verschoven kolommen is van rij {untold} niet te zien bij welke gemeente de "
           "locatie hoort" if untold else "")
        + ". Laad de export zoals het register hem geeft, of zet die namen tussen "
        "aanhalingstekens. Er is niets opgeslagen.")


# A 12-digit LRK number as Excel shows it, and writes it to a CSV: '1,00E+11', '1.23457E+11'.
_ROUNDED = r"^[0-9]+(?:[.,][0-9]+)?E\+[0-9]+$"


def _is_workbook(path: Path) -> bool:
    """A workbook by its content, whatever its name says (an .xlsx saved as .csv is no text);
    a name of a workbook whose content is not one is read as the CSV it then is."""
    with path.open("rb") as file:
        head = file.read(8)
    if head.startswith((b"PK\x03\x04", OLE2_MAGIC)):
        return True
    return path.suffix.lower() in EXCEL_SUFFIXES and not _looks_like_text(path)


def _looks_like_text(path: Path) -> bool:
    try:
        head = decode(path.read_bytes()[:4096], windows_undefined=True)
    except UnicodeDecodeError:
        return False
    return "\x00" not in head and ("\n" in head or ";" in head)


def _refuse_rounded_numbers(frame: pd.DataFrame, file_name: str, columns: dict) -> None:
    """Refuse LRK numbers that Excel rounded ('1,00E+11') when the export was opened and saved
    again: they no longer say which location it is, and equal ones look like duplicates."""
    rounded = frame[frame["lrk_id"].str.upper().str.match(_ROUNDED, na=False)]
    if rounded.empty:
        return
    rows = ", ".join(str(r) for r in rounded["row_number"].head(5)) + (
        " ..." if len(rounded) > 5 else "")
    numbers = "1 LRK-nummer is" if len(rounded) == 1 else f"{len(rounded)} LRK-nummers zijn"
    raise InputRefused(
        f"Bestand {file_name}, kolom {columns['lrk_id']}: {numbers} door "
        f"Excel afgerond tot een getal als '{rounded['lrk_id'].iloc[0]}' (rij {rows}); daarmee is "
        "niet meer te zien welke locatie het is. Laad de export zoals het register hem geeft (niet "
        "eerst opgeslagen in Excel), of zet in Excel de kolom lrk_id op Tekst voordat u de export "
        "opent.")


def _rows_shown(rows: pd.Series, most: int = 5) -> str:
    return ", ".join(str(r) for r in rows.head(most)) + (" ..." if len(rows) > most else "")


def _without_repeated_headers(frame: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    """The rows without those that repeat the header (two exports pasted one under the other in
    Excel): they are no locations, and their 'status' was refused as an unknown status."""
    ids = frame["lrk_id"]
    candidates = ids.notna() & ~ids.str.contains(r"[0-9]", na=False)  # few rows, if any
    if not candidates.any():
        return frame
    repeated = candidates.copy()
    for field in ("lrk_id", "provision_type"):
        names = {compact(HEADER_NAMES[field]), *COLUMN_ALIASES[field]}
        repeated[candidates] &= frame.loc[candidates, field].map(compact).isin(names)
    if not repeated.any():
        return frame
    notes.append(info(f"rij {_rows_shown(frame.loc[repeated, 'row_number'])} herhaalt de kopregel "
                      "(twee exports onder elkaar geplakt?) en is overgeslagen"))
    return frame[~repeated]


def _without_totals_rows(frame: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    """The rows without those at the bottom that hold no location: no LRK number, type, postcode,
    status, date or address, only a label ('Totaal') or a sum of the places as Excel adds them."""
    no_location = ~frame["lrk_id"].str.contains(r"[0-9]", na=False)
    for field in ("provision_type", "postcode", "street_address", "registration_status",
                  "registered_on", "deregistered_on"):
        no_location &= frame[field].isna()
    # only the rows below the last location: one in the middle is a location with cells lost
    at_bottom = no_location[::-1].cummin()[::-1].astype(bool)
    if not at_bottom.any():
        return frame
    rows = frame.loc[at_bottom, "row_number"]
    notes.append(info(f"rij {_rows_shown(rows)} onderaan {'heeft' if len(rows) == 1 else 'hebben'} "
                      "geen LRK-nummer, type of postcode (een totaalregel?) en "
                      f"{'is' if len(rows) == 1 else 'zijn'} overgeslagen"))
    return frame[~at_bottom]


# An LRK number Excel shows as a number and writes so: with zero decimals ('938831367,00',
# '938831367.0' as pandas writes it) or groups of thousands ('938.831.367'). Kept so, it was a
# location of its own beside the same number in another export.
_ZERO_DECIMALS = r"^([0-9][0-9., \u00a0]*)[.,]0{1,2}$"
_THOUSANDS = r"^[0-9]{1,3}([., \u00a0])[0-9]{3}(?:\1[0-9]{3})+$"


def _lrk_numbers(ids: pd.Series) -> pd.Series:
    digits = ids.str.isdigit().fillna(True).astype(bool)
    if digits.all():  # the register's own export: the regular expressions only where needed
        return ids
    numbers = ids[~digits].str.replace(_ZERO_DECIMALS, r"\1", regex=True)
    grouped = numbers.str.match(_THOUSANDS, na=False)
    numbers = numbers.where(~grouped, numbers.str.replace(r"[^0-9]", "", regex=True))
    return ids.where(digits, numbers)


# Other words for the register's two statuses, as copies kept by a gemeente or another system
# write them (compared after lower-casing and removing spaces, '-' and '_'): stored as the
# register's word, so that the import and stg_lrk__locations count them by the one rule.
STATUS_WORDS = {
    "geregistreerd": "Ingeschreven", "actief": "Ingeschreven",
    "afgemeld": "Uitgeschreven", "nietmeeractief": "Uitgeschreven",
}


# Places written with a separator between groups of three digits, as a cell formatted '#.##0'
# saves them ('1.200', '1,200', '1 200'), also with zero decimals after the other sign ('1.200,00').
_GROUPED_PLACES = re.compile(r"^([0-9]{1,3})([.,\u00a0\u202f ])([0-9]{3}(?:\2[0-9]{3})*)(?:([.,])0{1,2})?$")
# A decimal sign used as such: one or two digits after it (or four and more), never groups of three.
_DECIMAL_PLACES = re.compile(r"^[0-9]+([.,])(?:[0-9]{1,2}|[0-9]{4,})$")
_SIGN_NAMES = {".": "de punt", ",": "de komma"}


def _read_grouped_places(frame: pd.DataFrame, columns: dict, decimal_sign: str | None,
                         notes: list[str]) -> dict[int, str]:
    """Read places written with a separator of thousands ('1.200') as the whole number: the
    places of a location are a whole number, so a point or comma before groups of three digits
    can only separate thousands, unless that sign is the decimal sign here: another value of the
    column uses it so ('48,00'), or no value shows the other sign as the decimal sign and the CSV's
    separator says so (';' as a Dutch Excel saves it, and the register writes: the comma; ',': the
    point), or every value of the column has three digits
    after it (a format with three decimals: '48.000' is 48). Those are left as written and returned
    by row number with why they are ambiguous (refused when the location counts); those read are
    said in a note."""
    places = frame["places"]
    # the signs as characters, not as \u escapes: pandas runs those with Python's re, value by value
    if not places.str.contains("[0-9][.,\u00a0\u202f ][0-9]{3}", regex=True, na=False).any():
        return {}  # the register's own export: plain whole numbers
    given = places.dropna()
    given = given[given.str.strip() != ""]
    grouped = given.str.match(_GROUPED_PLACES.pattern, na=False)
    decimals = given.str.extract(_DECIMAL_PLACES.pattern, expand=False).dropna()
    ambiguous: dict[int, str] = {}
    read: list[tuple[object, str, int, str]] = []  # index, as written, row number, the number
    for index, text in given[grouped].items():
        _, separator, _, decimal = _GROUPED_PLACES.match(text).groups()
        whole = text if decimal is None else text.rsplit(decimal, 1)[0]
        number = re.sub(r"[^0-9]", "", whole)
        row_number = frame.at[index, "row_number"]
        why = None
        if decimal is None and separator in ".,":
            sign = _SIGN_NAMES[separator]
            used = decimals[decimals == separator]
            if len(used):
                example = used.index[0]
                why = (f"{sign} is in deze kolom het decimaalteken (zoals in "
                       f"'{given[example]}' op rij {frame.at[example, 'row_number']})")
            elif separator == decimal_sign and decimals.empty:
                why = (f"{sign} is het decimaalteken van een CSV-bestand met "
                       f"'{';' if separator == ',' else ','}' als scheidingsteken")
            elif grouped.all():
                why = f"elk getal in de kolom heeft drie cijfers na {sign}, dus het kunnen decimalen zijn"
        if why is None:
            read.append((index, text, row_number, number))
        else:
            ambiguous[row_number] = (
                f"'{text}' is niet eenduidig: {why}. Het kan {int(number)} kindplaatsen zijn of een "
                f"getal met decimalen; schrijf het aantal zonder scheidingsteken ({int(number)}).")
    if read:
        frame.loc[[index for index, *_ in read], "places"] = [number for *_, number in read]
        shown = ", ".join(f"'{text}' (rij {row})" for _, text, row, _ in read[:3])
        values = ", ".join(str(int(number)) for *_, number in read[:3])
        signs = {_GROUPED_PLACES.match(text)[2] for _, text, _, _ in read}
        sign = _SIGN_NAMES.get(signs.pop(), "de spatie") if len(signs) == 1 else "het teken"
        notes.append(info(f"kolom {columns['places']}: {shown}{' ...' if len(read) > 3 else ''} "
                          f"gelezen als {values}: een aantal kindplaatsen is een heel getal, dus "
                          f"{sign} scheidt daar duizendtallen (en is nergens in de kolom een "
                          "decimaalteken)"))
    return ambiguous


def _read_other_status_words(frame: pd.DataFrame, columns: dict, notes: list[str]) -> None:
    status = frame["registration_status"]
    values = status.dropna().unique()
    if not len(values):
        return
    read_as = {value: STATUS_WORDS.get(compact(value)) for value in values}
    read_as = {value: word for value, word in read_as.items() if word}
    if not read_as:
        return
    frame["registration_status"] = status.replace(read_as)
    counted = status.value_counts()
    read = [f"'{_shown(value)}' ({counted[value]} {'rij' if counted[value] == 1 else 'rijen'}) gelezen als {word}"
            for value, word in read_as.items()]
    notes.append(info(f"kolom {columns['registration_status']}: {', '.join(read)} (Ingeschreven "
                      "telt mee, Uitgeschreven niet)"))


def _read_gastouderopvang(frame: pd.DataFrame, columns: dict, notes: list[str]) -> None:
    """'Gastouderopvang' with places as the gastouder's home (VGO), without (empty or 0) as the
    gastouderbureau, which has no places of its own (GOB): refused before, so a website export
    with gastouders did not load. Either way only the places of a home count."""
    either = frame["provision_type"].isin([EITHER_GASTOUDER])
    if not either.any():
        return
    places = frame["places"].fillna("").str.strip()
    home = either & ~places.isin(["", "0"])
    frame.loc[home, "provision_type"] = "VGO"
    frame.loc[either & ~home, "provision_type"] = "GOB"
    homes, bureaus = int(home.sum()), int((either & ~home).sum())
    read = ([f"als VGO (het huis van de gastouder) in {homes} rij(en) met kindplaatsen"] if homes
            else []) + ([f"als GOB (gastouderbureau, zonder eigen plekken) in {bureaus} rij(en) "
                         "zonder kindplaatsen"] if bureaus else [])
    notes.append(info(f"kolom {columns['provision_type']}: 'Gastouderopvang' gelezen {' en '.join(read)}"))


def _without_repeated_locations(frame: pd.DataFrame, file_name: str, columns: dict,
                                notes: list[str]) -> pd.DataFrame:
    """The rows without a location's repeats with the same values in every column read (two
    exports merged): counted once. A location twice with different values (two exports of
    different dates merged: its places or status changed in between) counts by its newest row:
    the one row with the latest inschrijf- or uitschrijfdatum (a deregistration is entered after
    the registration, never taken back), said in a note. Refused, naming rows and columns, when
    no date settles it (the same dates in every row: which row holds its places is not to say)
    or when the rows are no one location (another type or postcode under the same number)."""
    values = frame.drop(columns=["row_number", "counts"])
    repeat = values.duplicated(keep="first")
    if repeat.any():
        notes.append(info(f"rij {_rows_shown(frame.loc[repeat, 'row_number'])} "
                          f"{'herhaalt een locatie' if repeat.sum() == 1 else 'herhalen locaties'} "
                          "met dezelfde gegevens (twee exports samengevoegd?): elke locatie telt "
                          "één keer"))
        frame = frame[~repeat]
        values = values[~repeat]
    duplicated = frame["lrk_id"].duplicated(keep=False)
    if not duplicated.any():
        return frame

    def differing(rows: pd.Index) -> str:
        differ = [columns[field] for field in values.columns
                  if field in columns and values.loc[rows, field].nunique(dropna=False) > 1]
        return (f"kolom {differ[0]} verschilt" if len(differ) == 1
                else f"kolommen {', '.join(differ)} verschillen")

    older: list = []      # index of the rows a newer row of their location replaces
    settled: list = []    # per location read by its newest row: (lrk_id, kept row, date, others)
    unsettled = None
    for lrk_id, group in frame[duplicated].groupby("lrk_id", sort=False):
        newest, why = _newest_row(group)
        if newest is None:
            unsettled = unsettled or (lrk_id, group.index, *why)
            continue
        others = group.index.drop(newest)
        older.extend(others)
        settled.append((lrk_id, group.index, newest, others))
    if unsettled is not None:
        lrk_id, rows, why, advice = unsettled
        repeating = int(duplicated.sum()) - len(rows)
        raise InputRefused(
            f"Bestand {file_name}: LRK-nummer {lrk_id} staat meer dan eens in het bestand met andere "
            f"gegevens (rijen {_rows_shown(frame.loc[rows, 'row_number'], 10)}; {differing(rows)})"
            + why
            + (f"; ook {repeating} andere rij(en) herhalen een LRK-nummer" if repeating else "")
            + f". Laat elke locatie één keer in de export staan{advice}. Er is niets opgeslagen.")
    lrk_id, rows, newest, others = settled[0]
    date = _latest_date(frame.loc[newest])
    more = len(settled) - 1
    notes.append(
        f"{len(settled)} LRK-nummer(s) staan meer dan eens in het bestand met andere gegevens "
        "(exports van verschillende datum samengevoegd?): per locatie telt alleen de rij met de "
        f"laatste inschrijf- of uitschrijfdatum. LRK-nummer {lrk_id}: rij "
        f"{frame.loc[newest, 'row_number']} ({date:%d-%m-%Y}) telt, rij "
        f"{_rows_shown(frame.loc[others, 'row_number'])} niet ({differing(rows)})"
        + (f"; zo ook bij {more} ander(e) LRK-nummer(s)" if more else ""))
    return frame.drop(index=older)


def _latest_date(row: pd.Series) -> dt.date | None:
    dates = [row[field] for field in DATE_FIELDS if isinstance(row[field], dt.date)]
    return max(dates) if dates else None


def _newest_row(group: pd.DataFrame) -> tuple[object, tuple[str, str]]:
    """The index of the newest of one location's rows, or None with why not and what to do
    (for the message)."""
    for field in ("provision_type", "postcode"):
        if group[field].nunique(dropna=False) > 1:
            return None, (" en het zijn niet dezelfde locatie (een ander type of een andere "
                          "postcode)", "")
    latest = group.apply(_latest_date, axis=1)
    merged = " (lees van exports van verschillende datum alleen de nieuwste in, niet samengevoegd)"
    if latest.isna().any():
        return None, (" en niet elke rij heeft een inschrijf- of uitschrijfdatum die zegt welke de "
                      "nieuwste is", merged)
    newest = latest[latest == latest.max()]
    if len(newest) > 1:
        return None, (" en geen inschrijf- of uitschrijfdatum zegt welke rij de nieuwste is (ze "
                      "hebben dezelfde datums)", merged)
    return newest.index[0], ("", "")


def _bad_bytes(frame: pd.DataFrame, file_name: str, columns: dict) -> list[str]:
    """The refusals of the values read that hold a byte Windows-1252 leaves undefined
    (WINDOWS_1252_UNDEFINED, shown as <U+0081>: on screen it is nothing, and 'Caf' would be
    stored with a character no one sees), by row and column."""
    found = []
    for field, column in columns.items():
        values = frame[field]
        if _all_ascii(values):  # the five characters lie beyond ASCII
            continue
        hit = values.str.contains(WINDOWS_1252_UNDEFINED.pattern, regex=True, na=False)
        found += [(row_number, column, value) for row_number, value
                  in zip(frame.loc[hit, "row_number"].tolist(), values[hit].tolist(), strict=True)]
    refusals = []
    for row_number, column, value in sorted(found):
        where = f"Bestand {file_name}, rij {row_number}, kolom {column}:"
        refusals.append(f"{where} {windows_undefined_said(value, 'de export')}. Verbeter de "
                        "waarde, of lees de export in zoals het register hem geeft.")
    return refusals


def _row_numbers(table: str, sep: str, header_row: int, lines: list[int]) -> set[int]:
    """The row numbers, as messages name them, of the rows of `table` (the CSV from its header
    on) that its lines `lines` (0-based) belong to: a row with a line break in a quoted value
    spans lines, and the rows after it are named by their own number, not by the line."""
    return set(_rows_of_lines(table, sep, header_row, lines).values())


def _rows_of_lines(table: str, sep: str, header_row: int, lines: list[int]) -> dict[int, int]:
    """Each of the lines `lines` (0-based) of `table` with the row number it belongs to
    (_row_numbers)."""
    wanted = sorted(line for line in lines if line > 0)  # the header and a title are no rows
    if not wanted:  # as a rule: then the text need not be copied for csv
        return {}
    rows, index = {}, 0
    reader = csv.reader(io.StringIO(table), delimiter=sep)
    try:
        for record, _ in enumerate(reader):
            while index < len(wanted) and wanted[index] < reader.line_num:
                rows[wanted[index]] = header_row + 1 + record
                index += 1
            if index == len(wanted):
                break
    except csv.Error:  # a field beyond csv's limit (128 kB): a line per row from there
        rows |= {line: header_row + 1 + line for line in wanted[index:]}
    return rows


def _row_ranges(rows: list[int], most: int = 5) -> str:
    """Sorted row numbers as runs: [7, 8, 9, 10, 11, 14] -> '7-11, 14'."""
    runs: list[list[int]] = []
    for row in rows:
        if runs and row == runs[-1][1] + 1:
            runs[-1][1] = row
        else:
            runs.append([row, row])
    shown = ", ".join(f"{first}-{last}" if last > first else str(first) for first, last in runs[:most])
    return shown + (" ..." if len(runs) > most else "")


def _read_by_line(frame: pd.DataFrame, windows_1252: set[int], utf8: set[int]) -> list[str]:
    """A note naming the rows read in the other encoding than most rows read, when those hold
    letters of both (text.decoded_by_line; as many: the Windows-1252 ones): a row pasted from
    another copy, or a name the register stored misread ('CafÃ©', UTF-8 in its Windows-1252
    download), is read as written but worth a look. Rows of other gemeenten are not counted: an
    analist of Oord whose rows are all UTF-8 is told nothing of Amsterdam's pasted rows."""
    read = set(frame["row_number"].tolist())
    windows_1252, utf8 = sorted(read & windows_1252), sorted(read & utf8)
    if not windows_1252 or not utf8:
        return []
    if len(windows_1252) <= len(utf8):
        return [info(f"rij {_row_ranges(windows_1252)} {'is' if len(windows_1252) == 1 else 'zijn'} "
                     "gelezen als Windows-1252, de rest van het bestand als UTF-8 (geplakt uit een "
                     "ander bestand?); controleer de namen")]
    return [info(f"rij {_row_ranges(utf8)} {'is' if len(utf8) == 1 else 'zijn'} gelezen als UTF-8, "
                 "de rest van het bestand als Windows-1252 (een naam die al eens verkeerd gelezen en "
                 "zo opgeslagen is, of geplakt uit een ander bestand?); controleer de namen")]


def _read_in_both(frame: pd.DataFrame, both: dict[int, list[str]], columns: dict) -> list[str]:
    """A note per row read that holds letters of both encodings (text.decoded_by_line: a value
    typed or pasted in the other encoding), naming the columns of its Windows-1252 words: each
    part is read in its own encoding, so 'Crèche' and 'Café' are stored as written (the row was
    read as Windows-1252 whole, its UTF-8 letters stored as 'CrÃ¨che'), but worth a look."""
    notes = []
    for row_number, values in frame.loc[frame["row_number"].isin(both)].set_index("row_number").iterrows():
        words = both[row_number]
        named = [column for field, column in columns.items()
                 if isinstance(values[field], str) and any(word in values[field] for word in words)]
        if named:
            notes.append(info(
                f"rij {row_number}, kolom {', '.join(named)}: gelezen als Windows-1252, de rest van "
                "de rij als UTF-8 (getypt of geplakt in een ander programma?); controleer de namen"))
    return notes


def _lost_letters(frame: pd.DataFrame, columns: dict) -> list[str]:
    """A note per column of the rows read whose values hold the replacement character '\ufffd':
    letters a program could not read and replaced. The register's open data is Windows-1252 text
    behind a UTF-8 byte order mark, so a program that trusts the mark (Excel) reads 'Crèche' as
    'Cr\ufffdche', and a copy saved from it keeps that: it was stored without a word."""
    notes = []
    for field, column in columns.items():
        hit = frame[field].str.contains("\ufffd", regex=False, na=False)
        if hit.any():
            example = frame.loc[hit, field].iloc[0]
            example = example if len(example) <= 60 else f"{example[:60]}..."
            notes.append(
                f"kolom {column}: {int(hit.sum())} waarde(n) met het teken \ufffd (rij "
                f"{_rows_shown(frame.loc[hit, 'row_number'])}, zoals '{_shown(example)}'): "
                "daar zijn letters verloren gegaan, meestal doordat de export als UTF-8 is geopend "
                "en weer opgeslagen (het register zet een UTF-8-markering vóór Windows-1252-tekst; "
                "Excel leest hem daardoor verkeerd). De locaties tellen mee; lees voor de juiste "
                "namen het bestand in zoals het register het geeft")
    return notes


def _misread_letters(frame: pd.DataFrame, columns: dict) -> list[str]:
    """A note per column of the rows read whose values hold UTF-8 that was read as Windows-1252
    once and saved so ('CrÃ¨che' for 'Crèche', text.misread_utf8): valid UTF-8 as the file now is,
    so it was stored without a word."""
    notes = []
    for field, column in columns.items():
        values = frame[field]
        if _all_ascii(values):  # MISREAD_UTF8 is of letters beyond ASCII
            continue
        candidates = values.str.contains(MISREAD_UTF8.pattern, regex=True, na=False)
        repaired = values[candidates].map(misread_utf8).dropna()
        if repaired.empty:
            continue
        example = values[repaired.index[0]]
        notes.append(
            f"kolom {column}: {len(repaired)} waarde(n) met letters die al eens verkeerd gelezen "
            f"zijn (rij {_rows_shown(frame.loc[repaired.index, 'row_number'])}, zoals "
            f"'{_shown(example)}', waarschijnlijk '{_shown(repaired.iloc[0])}'): UTF-8-tekst is "
            "daar als Windows-1252 geopend en zo weer opgeslagen. De locaties tellen mee onder de "
            "naam zoals die in het bestand staat; verbeter de waarden, of lees de export in zoals het "
            "register hem geeft")
    return notes


def _unknown_statuses(frame: pd.DataFrame, file_name: str, columns: dict) -> list[str]:
    status = frame["registration_status"].str.strip().str.lower()
    unknown = frame[status.notna() & ~status.isin(["", REGISTERED, DEREGISTERED])]
    if unknown.empty:
        return []
    found = []
    for value, rows in unknown.groupby("registration_status", sort=False)["row_number"]:
        shown = ", ".join(str(r) for r in rows.head(5)) + (" ..." if len(rows) > 5 else "")
        found.append(f"'{_shown(value)}' (rij {shown})")
    return [f"Bestand {file_name}, kolom {columns['registration_status']}: onbekende status "
            f"{', '.join(found)}. Kindkaart kent Ingeschreven, Geregistreerd en Actief (telt mee) "
            "en Uitgeschreven, Afgemeld en Niet meer actief (telt niet mee); pas de status aan of "
            "laad de export zoals het register hem geeft."]


def _dates(frame: pd.DataFrame, date_field: str, registered: pd.Series, slash_order: str | None,
           file_name: str, columns: dict, errors: list[str], notes: list[str]) -> pd.Series:
    """The dates of one column, read by their form: dd-mm-jjjj (the register), jjjj-mm-dd (a date
    cell, ISO text), or with slashes in the order the file's own dates show (an English Excel
    writes m/d/jjjj). A date that cannot be read, or of a year outside DATE_YEARS, refuses the
    file, except on a location that no longer counts: there it is left empty, with a note."""
    if date_field not in columns:
        return pd.Series([None] * len(frame), index=frame.index, dtype=object)
    column = columns[date_field]
    texts = frame[date_field].tolist()
    unreadable_rows = []
    # an export repeats the same few thousand dates: each read once, and only the rows of a date
    # that is refused or left empty (a few, if any) are gone through one by one
    known: dict[str, dt.date | None] = {}
    this_year, ahead = dt.date.today().year, set()  # two-digit years after this one
    for text in filter(None, frame[date_field].dropna().unique().tolist()):  # '' when spaces
        date = known[text] = _date(text, slash_order)
        # '1-3-45': no date of the register either way (2045 lies ahead, 1945 before it began)
        if date is not None and date.year > this_year and _two_digit_year(text):
            ahead.add(text)
    refused = {text for text, date in known.items()
               if date is None or text in ahead or not DATE_YEARS[0] <= date.year <= DATE_YEARS[1]}
    parsed = list(map(known.get, texts))  # None when empty (NA, or '')
    rows = zip(texts, registered.tolist(), frame["row_number"].tolist(), strict=True) if refused else ()
    for at, (text, counted, row_number) in enumerate(rows):
        if not isinstance(text, str) or text not in refused:
            continue
        date, parsed[at] = known[text], None
        outside = date is not None and not DATE_YEARS[0] <= date.year <= DATE_YEARS[1]
        future = text in ahead
        if future and counted:
            errors.append(f"Bestand {file_name}, rij {row_number}, kolom {column}: '{text}' heeft "
                          f"een jaar van twee cijfers; als {date.year} ligt het in de toekomst, als "
                          f"{date.year - 100} vóór het register. Schrijf de datum met vier cijfers "
                          "voor het jaar (dd-mm-jjjj).")
        elif future:
            unreadable_rows.append(row_number)
        elif outside and counted:
            empty = (" Heeft de locatie geen uitschrijfdatum, laat het vak dan leeg."
                     if date_field == "deregistered_on" else "")
            errors.append(f"Bestand {file_name}, rij {row_number}, kolom {column}: '{text}' is geen "
                          f"datum van het register (het jaar {date.year} ligt niet tussen "
                          f"{DATE_YEARS[0]} en {DATE_YEARS[1]}).{empty}")
        elif outside:
            unreadable_rows.append(row_number)
        elif counted:  # no date
            if slash_order is None and _SLASH_DATE.match(text):
                why = ("de volgorde van dag en maand is niet uit het bestand af te leiden; sla de "
                       "export op met datums als dd-mm-jjjj")
            else:
                why = "verwacht dd-mm-jjjj, bijvoorbeeld 01-05-2018"
            errors.append(f"Bestand {file_name}, rij {row_number}, kolom {column}: '{_shown(text)}' is "
                          f"geen datum ({why}).")
        else:
            unreadable_rows.append(row_number)
    if unreadable_rows:
        notes.append(f"kolom {column}: {len(unreadable_rows)} onleesbare datum(s) of jaren buiten "
                     f"{DATE_YEARS[0]}-{DATE_YEARS[1]} bij uitgeschreven "
                     f"locaties leeg gelaten (rij {', '.join(map(str, unreadable_rows[:5]))}"
                     f"{' ...' if len(unreadable_rows) > 5 else ''})")
    return pd.Series(parsed, index=frame.index, dtype=object)


def _slash_order(frame: pd.DataFrame) -> str | None:
    """'dm' or 'md' for the file's dates with slashes: the order in which a part above 12 sits;
    None when no date tells (or they contradict each other)."""
    day_first = month_first = False
    for date_field in DATE_FIELDS:
        for text in frame[date_field].dropna().unique().tolist():
            match = _SLASH_DATE.match(text)
            if match:
                day_first |= int(match[1]) > 12
                month_first |= int(match[2]) > 12
    if day_first == month_first:
        return None
    return "dm" if day_first else "md"


def _date(text: str, slash_order: str | None) -> dt.date | None:
    weekday = None
    if match := _DUTCH_DATE.match(text):
        day, month, year = match.groups()
    elif (match := _MONTH_NAME_DATE.match(text)) and match["month"].lower() in MONTHS:
        day, month, year = match["day"], MONTHS[match["month"].lower()], match["year"]
        if match["weekday"] is not None:
            weekday = _WEEKDAYS.get(match["weekday"].lower(), -1)
    elif match := _ISO_DATE.match(text):
        year, month, day = match.groups()
    elif (match := _SLASH_DATE.match(text)) and slash_order:
        first, second, year = match.groups()
        day, month = (first, second) if slash_order == "dm" else (second, first)
    elif match := _EXCEL_SERIAL.match(text):
        # a date cell whose format was lost (set to Standaard) shows, and is saved as, its number
        return _EXCEL_EPOCH + dt.timedelta(days=int(match[1]))
    else:
        return None
    try:
        date = dt.date(int(year) + (TWO_DIGIT_CENTURY if len(year) == 2 else 0), int(month), int(day))
    except ValueError:
        return None
    return None if weekday is not None and weekday != date.weekday() else date


def _two_digit_year(text: str) -> bool:
    match = _DUTCH_DATE.match(text) or _SLASH_DATE.match(text) or _MONTH_NAME_DATE.match(text)
    return match is not None and len(match["year"]) == 2


def counts(status: pd.Series, deregistered_on: pd.Series | None = None,
           year: int | None = None, registered_on: pd.Series | None = None) -> pd.Series:
    """Whether each location counts in the export's year: not deregistered by the end of that year.
    With an uitschrijfdatum (and `year`), that date says it, whatever the status: one after the
    year leaves the location in it (a planned deregistration, or one that took place after the
    year in an export downloaded later: 'Uitgeschreven' on 15-02-2025 was registered all of 2024);
    without one, the status ('Ingeschreven', or empty). With `registered_on`, also registered by
    the end of that year (an export of 2025 read as 2024 has locations that did not exist in 2024).
    stg_lrk__locations counts by the same rule (tests/test_model_lrk.py compares the two)."""
    registered = status.isna() | status.str.strip().str.lower().isin(["", REGISTERED])
    if deregistered_on is not None and year is not None:
        dates = pd.to_datetime(deregistered_on)
        registered = (registered & dates.isna()) | (dates > pd.Timestamp(year, 12, 31))
    if registered_on is not None and year is not None:
        registered &= ~registered_after(registered_on, year)
    return registered.astype(bool)


def registered_after(registered_on: pd.Series, year: int) -> pd.Series:
    """Whether each location's inschrijfdatum lies after the end of `year`."""
    dates = pd.to_datetime(registered_on)
    return (dates.notna() & (dates > pd.Timestamp(year, 12, 31))).astype(bool)


def year_from_file_name(path: str | Path) -> int | None:
    """The year in an export's file name (lrk_export_2024.csv -> 2024), also of a date stamp
    written without separators (LRK_export_20240501.csv, or 01052024: the two orders never both
    make a date), if there is exactly one."""
    stem = Path(path).stem
    years = set(_YEAR_IN_NAME.findall(stem))
    for digits in _DATE_IN_NAME.findall(stem):
        for year, month, day in ((digits[:4], digits[4:6], digits[6:]), (digits[4:], digits[2:4], digits[:2])):
            try:
                if year.startswith("20"):
                    years.add(str(dt.date(int(year), int(month), int(day)).year))
            except ValueError:
                pass
    return int(years.pop()) if len(years) == 1 else None


def store_lrk(
    con: duckdb.DuckDBPyConnection,
    frame: pd.DataFrame,
    *,
    year: int,
    source: str = "lrk",
    file_name: str | None = None,
    file_hash: str | None = None,
    within: set[str] | None = None,
) -> LrkImport:
    """Map each location's postcode to buurt and wijk (postcodes of the nearest year) and store the
    export as one load. It counts, and replaces an earlier export of the year, only for the
    gemeenten it covers (see _register_gemeenten and _coverage); an earlier export that no longer
    counts anywhere is superseded. With `within` (the gemeenten of the account that reads it) only
    the locations of those register gemeenten are stored, so that an analist of one gemeente can
    read the register's national export; the others are named in a note. Call inside a
    transaction."""
    mapped = _with_postcode_areas(con, frame, year)
    gemeenten = sorted(mapped["gemeente_code"].dropna().unique())
    if not gemeenten:
        raise InputRefused(
            "Geen enkele postcode uit de LRK-export komt voor in de postcodetabel. Laad eerst de "
            "postcodes van de gemeente (CBS postcode-huisnummerbestand). Er is niets opgeslagen."
        )
    names = _gemeente_names(con)
    mapped["register_gemeente_code"] = _register_gemeenten(mapped, names)
    # a gemeente not (yet) in the regions table is named as the export names it
    for code, name in mapped.dropna(subset=["register_gemeente_code", "responsible_gemeente"]).groupby(
            "register_gemeente_code")["responsible_gemeente"].first().items():
        if name.strip().upper() != code:
            names.setdefault(code, name.strip())
    if within is not None:
        mapped, skipped_note = _only_within(mapped, within, names)
        frame.attrs["notes"] = [*frame.attrs.get("notes", []), *([skipped_note] if skipped_note else [])]
    if unrecognised := _unrecognised_note(mapped, frame.attrs.get("gemeente_column")):
        frame.attrs["notes"] = [*frame.attrs.get("notes", []), unrecognised]
    replaced, kept = _coverage(con, mapped, year)
    mapped["covers_register"] = ~mapped["register_gemeente_code"].isin(
        [k.gemeente_code for k in kept])
    covered = sorted(mapped.loc[mapped["covers_register"], "register_gemeente_code"].dropna().unique())
    if not mapped["covers_register"].any():
        raise InputRefused([_kept_line(k, _gemeente_label(k.gemeente_code, names)) for k in kept]
                           + ["Er is niets opgeslagen."])
    # what the user is told about is what counts: registered locations with places of their own,
    # in a gemeente this export covers
    registered = counts(mapped["registration_status"], mapped["deregistered_on"], year)
    deregistered = int((~registered).sum())
    # registered only after the export's year (an export of a later year, read as this one): they
    # did not exist in it, so they do not count, and the user is told which year the file shows
    later = registered & registered_after(mapped["registered_on"], year)
    if later.any():
        frame.attrs["notes"] = [*frame.attrs.get("notes", []), _later_note(mapped[later], year)]
    registered &= ~later & mapped["covers_register"]
    if (ended_later := registered & ~counts(mapped["registration_status"])).any():
        frame.attrs["notes"] = [*frame.attrs.get("notes", []),
                                _ended_after_note(mapped[ended_later], year)]
    counted = registered & ~mapped["provision_type"].isin(WITHOUT_PLACES)
    unmapped = _unmapped_postcodes(mapped, counted)
    if other_wijken := _wijken_not_of_the_year(con, mapped[counted], year):
        frame.attrs["notes"] = [*frame.attrs.get("notes", []), other_wijken]
    without_address = int((mapped["postcode"].isna() & counted).sum())
    # a location whose register gemeente is not known lies in no 'other' gemeente than it
    elsewhere = int((counted & mapped["gemeente_code"].notna() & mapped["register_gemeente_code"].notna()
                     & (mapped["gemeente_code"] != mapped["register_gemeente_code"])).sum())
    replaces = {}
    for replacement in replaced:
        replaces.setdefault(replacement.load_id, []).append(replacement.gemeente_code)
    load_id = store.new_load(
        con, source=source, dataset="lrk-locaties", table_id="LRK", year=year, period=str(year),
        gemeente_code=covered[0] if len(covered) == 1 else None, file_name=file_name,
        file_hash=file_hash, row_count=len(mapped),
        note="; ".join(part for part in (
            # no gemeente named where the export covers none by name (_unrecognised_note says why)
            "" if len(covered) <= 1 else f"telt voor {', '.join(covered)}" if len(covered) <= 5
            else f"telt voor {len(covered)} gemeenten",
            *(f"vervangt lading {earlier} voor {', '.join(codes) if len(codes) <= 5 else f'{len(codes)} gemeenten'}"
              for earlier, codes in replaces.items()),
            *(f"lading {k.load_id} blijft voor {k.gemeente_code}" for k in kept),
            _unmapped_part(len(unmapped)),
            f"{deregistered} uitgeschreven locatie(s), niet meegeteld" if deregistered else "",
            f"{without_address} gastouder(s) zonder adres" if without_address else "",
            *frame.attrs.get("notes", [])) if part) or None,
    )
    mapped = mapped.assign(year=year, load_id=load_id)
    con.register("_lrk_mapped", mapped)
    try:
        con.execute(
            """
            insert into raw_lrk__locations (year, lrk_id, provision_type, location_name, places,
                street_address, postcode, woonplaats, gemeente_code, wijk_code, buurt_code,
                registration_status, registered_on, deregistered_on, row_number, load_id,
                register_gemeente_code, covers_register, postcode_year)
            select year, lrk_id, provision_type, location_name, places, street_address, postcode,
                woonplaats, gemeente_code, wijk_code, buurt_code, registration_status,
                registered_on, deregistered_on, row_number, load_id, register_gemeente_code,
                covers_register, postcode_year
            from _lrk_mapped
            """
        )
    finally:
        con.unregister("_lrk_mapped")
    _supersede_replaced(con, year)
    places = int(mapped.loc[counted, "places"].fillna(0).sum())
    return LrkImport(load_id, year, int(registered.sum()), places, unmapped, without_address,
                     deregistered=deregistered, notes=list(frame.attrs.get("notes", [])),
                     covered=covered, replaced=replaced, kept=kept, elsewhere=elsewhere,
                     gemeente_names={code: names[code] for code in
                                     {*covered, *(k.gemeente_code for k in kept)} if code in names})


def _unmapped_postcodes(locations: pd.DataFrame, counted: pd.Series) -> list[str]:
    """The postcodes of counted locations that no postcode year places in a wijk."""
    return sorted(locations.loc[locations["wijk_code"].isna() & counted, "postcode"].dropna().unique())


def _unmapped_part(count: int) -> str:
    return f"{count} postcode(s) niet in de postcodetabel" if count else ""


# The part of a load's note that _unmapped_part wrote, and the '; ' that joins it to the one before.
_UNMAPPED_PART = re.compile(r"(^|; )\d+( postcode\(s\) niet in de postcodetabel)(?=; |$)")


def _with_unmapped_part(note: str | None, count: int) -> str | None:
    """A load's note with its count of postcodes not in the postcode table made `count`: where
    the part stood, else before the other counts (as store_lrk orders them); none at 0."""
    if note and (found := _UNMAPPED_PART.search(note)):
        if count:
            return f"{note[:found.start()]}{found[1]}{count}{found[2]}{note[found.end():]}"
        return (note[:found.start()] + note[found.end():]).removeprefix("; ") or None
    if not count:
        return note
    parts = note.split("; ") if note else []
    at = next((i for i, part in enumerate(parts) if re.match(
        r"\d+ (uitgeschreven locatie|gastouder\(s\) zonder adres)", part)), None)
    if at is None:  # after what the export covers, replaces and keeps, before the other notes
        at = sum(1 for part in parts if re.match(r"(telt voor|vervangt lading|lading \d+ blijft) ", part))
    return "; ".join([*parts[:at], _unmapped_part(count), *parts[at:]])


def _restate_unmapped(con: duckdb.DuckDBPyConnection, load_ids: list[int]) -> None:
    """Make the count of postcodes not in the postcode table in the notes of these LRK loads
    true again after their locations were placed again (store_lrk's rule over the stored rows)."""
    for load_id, year, note in con.execute(
            "select load_id, year, note from loads where load_id in (select unnest(?)) order by load_id",
            [load_ids]).fetchall():
        rows = con.execute(
            "select postcode, wijk_code, provision_type, registration_status, registered_on,"
            " deregistered_on, covers_register from raw_lrk__locations where load_id = ?",
            [load_id]).df()
        counted = (counts(rows["registration_status"], rows["deregistered_on"], year, rows["registered_on"])
                   & rows["covers_register"].fillna(True).astype(bool)
                   & ~rows["provision_type"].isin(WITHOUT_PLACES))
        restated = _with_unmapped_part(note, len(_unmapped_postcodes(rows, counted)))
        if restated != note:
            con.execute("update loads set note = ? where load_id = ?", [restated, load_id])


# The one rule that places an LRK location: per postcode, the postcode file of the export's year
# or else the nearest year loaded, the later one on a tie. `wanted` is a query of (year, postcode):
# the export years and postcodes to place. The import places an export by it (_with_postcode_areas),
# a postcode year loaded later places the locations again (place_again), and the year it used is
# stored with each location (raw_lrk__locations.postcode_year), which the wijk profile reads.
_PLACED_SQL = """
    select w.year as lrk_year, w.postcode, p.gemeente_code, p.wijk_code, p.buurt_code,
           p.year as postcode_year
    from (select distinct year, postcode from ({wanted}) where postcode is not null) as w
    inner join postcodes as p on p.pc6 = w.postcode
    qualify row_number() over (partition by w.year, w.postcode
                               order by abs(p.year - w.year), p.year desc) = 1
"""


def _with_postcode_areas(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, year: int) -> pd.DataFrame:
    """The export's rows (by row_number) with the gemeente, wijk and buurt of their postcode in the
    postcodes of the nearest year (_PLACED_SQL), and that year (postcode_year)."""
    con.register("_lrk_frame", frame)
    try:
        placed = _PLACED_SQL.format(wanted="select ?::integer as year, postcode from _lrk_frame")
        return con.execute(
            f"""
            select f.*, pc.gemeente_code, pc.wijk_code, pc.buurt_code, pc.postcode_year
            from _lrk_frame as f
            left join ({placed}) as pc on pc.postcode = f.postcode
            order by f.row_number
            """,
            [year],
        ).df()
    finally:
        con.unregister("_lrk_frame")


def place_again(con: duckdb.DuckDBPyConnection, postcode_year: int) -> str | None:
    """Place again, by _PLACED_SQL, the stored LRK locations (of every export) for which the
    postcodes of `postcode_year`, just loaded, are now the nearest year, and those that year placed
    before (loaded again, it may place them elsewhere or not at all); store the year with each,
    and make the count of postcodes not in the postcode table in those exports' notes true.
    Returns the Dutch note on how many locations of which export years were placed again (the
    exports that count), or None when none moved to another postcode year, wijk or buurt. Call in
    the transaction that stores the postcodes, before the marts are built."""
    changed = f"""
        select l.load_id, l.row_number, l.year, l.lrk_id, l.postcode_year as before_year,
               l.wijk_code as before_wijk, p.gemeente_code, p.wijk_code, p.buurt_code, p.postcode_year
        from raw_lrk__locations as l
        left join ({_PLACED_SQL.format(wanted="select year, postcode from raw_lrk__locations")}) as p
            on p.lrk_year = l.year and p.postcode = l.postcode
        where (p.postcode_year = $year or l.postcode_year = $year)
          and (l.postcode_year is distinct from p.postcode_year
               or l.gemeente_code is distinct from p.gemeente_code
               or l.wijk_code is distinct from p.wijk_code
               or l.buurt_code is distinct from p.buurt_code)
    """
    # per export year, the locations of the exports that count (a location in a national and a
    # gemeente's export once), where they were placed before, and how many in another wijk
    moved = [load_id for (load_id,) in con.execute(
        f"select distinct load_id from ({changed})", {"year": postcode_year}).fetchall()]
    per_year = con.execute(
        f"""
        with a as ({changed})
        select a.year, count(distinct a.lrk_id),
               list(distinct coalesce(a.before_year::varchar,
                                      if(a.before_wijk is null, 'geen', 'onbekend'))),
               count(distinct a.lrk_id) filter (where a.before_wijk is distinct from a.wijk_code)
        from a
        inner join loads using (load_id)
        where loads.status = 'active'
        group by a.year order by a.year
        """, {"year": postcode_year}).fetchall()
    con.execute(
        f"""
        update raw_lrk__locations as l
        set gemeente_code = a.gemeente_code, wijk_code = a.wijk_code, buurt_code = a.buurt_code,
            postcode_year = a.postcode_year
        from ({changed}) as a
        where a.load_id = l.load_id and a.row_number = l.row_number
        """, {"year": postcode_year})
    _restate_unmapped(con, moved)
    return _placed_again_note(postcode_year, per_year) if per_year else None


def _placed_again_note(postcode_year: int, per_year: list[tuple]) -> str:
    def placed_before(year: str) -> str:
        return {"geen": "zonder wijk", "onbekend": "met postcodes van een onbekend jaar",
                str(postcode_year): f"met de vorige versie van de postcodes van {postcode_year}"
                }.get(year, f"met de postcodes van {year}")

    parts = [f"{locations} van de export van {lrk_year} (eerder "
             f"{' of '.join(placed_before(year) for year in sorted(before))}"
             + (f"; {other_wijk} daarvan nu in een andere wijk)" if other_wijk else ")")
             for lrk_year, locations, before, other_wijk in per_year]
    total = sum(locations for _, locations, _, _ in per_year)
    return (f"Nu de postcodes van {postcode_year} zijn geladen, zijn {total} LRK-locatie(s) opnieuw in "
            "een wijk geplaatst (elke locatie volgens de postcodes van het jaar van haar export, of "
            f"anders het dichtstbijzijnde geladen jaar): {'; '.join(parts)}.")


def _of_gemeenten(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, year: int,
                  within: set[str]) -> tuple[pd.Series, str]:
    """Which rows of an export being read are locations of `within` (their register gemeente, as
    store_lrk finds it), and the note on the others; refused when there are none."""
    mapped = _with_postcode_areas(con, frame[["row_number", "postcode", "responsible_gemeente",
                                              "responsible_gemeente_code"]], year)
    names = _gemeente_names(con)
    mapped["register_gemeente_code"] = _register_gemeenten(mapped, names)
    _, note = _only_within(mapped, within, names)
    own = dict(zip(mapped["row_number"], mapped["register_gemeente_code"].isin(within), strict=True))
    return frame["row_number"].map(own).astype(bool), note


# The columns that say a location's gemeente (_register_gemeenten).
_GEMEENTE_FIELDS = ("responsible_gemeente", "responsible_gemeente_code", "postcode")


@dataclass(frozen=True)
class Within:
    """The gemeenten of the account that reads an export (import_lrk_file's `within`): which of
    its rows are read, and which rows with fields beyond the header may be theirs."""

    con: duckdb.DuckDBPyConnection
    year: int
    gemeenten: set[str]

    def rows(self, frame: pd.DataFrame) -> tuple[pd.Series, str]:
        """Which rows are locations of the gemeenten, and the note on the others."""
        return _of_gemeenten(self.con, frame, self.year, self.gemeenten)

    def shifted_rows(self, beyond: dict[int, list[str]], header: list[str],
                     columns: dict) -> tuple[list[int], list[int]]:
        """Of the rows with more fields than the header (by row number, their fields): those that
        may be locations of the gemeenten, and of those the ones no reading ties to any gemeente.
        A separator without quotes shifts every later field to the right, by as many fields as
        the row has too many, so a column's value is one of the fields from its own position to
        that many further on. Each such field is read alone as that column (a gemeente's name or
        code, a postcode): a row may be the account's when one reading says one of its gemeenten,
        or when none says any gemeente (it cannot be told, and a location dropped without a word
        would make the wijk look short). Only a row that readings place elsewhere, and none here,
        is passed over as the other rows of other gemeenten are."""
        readings = []
        for row_number, fields in beyond.items():
            extra = len(fields) - len(header)
            for field in _GEMEENTE_FIELDS:
                if field not in columns:
                    continue
                at = header.index(columns[field])
                readings += [{"row_number": row_number, field: fields[at + shift]}
                             for shift in range(extra + 1) if fields[at + shift].strip()]
        frame = pd.DataFrame(readings, columns=["row_number", *_GEMEENTE_FIELDS]).astype(object)
        frame["postcode"] = frame["postcode"].str.replace(r"\s", "", regex=True).str.upper()
        frame["responsible_gemeente"] = frame["responsible_gemeente"].str.strip()
        frame["reading"] = range(len(frame))
        mapped = _with_postcode_areas(self.con, frame, self.year).sort_values("reading")
        mapped["gemeente"] = _register_gemeenten(mapped, _gemeente_names(self.con)).to_numpy()
        told = mapped.dropna(subset=["gemeente"]).groupby("row_number")["gemeente"].agg(set)
        unknown = sorted(set(beyond) - set(told.index))
        ours = [row for row, gemeenten in told.items() if gemeenten & self.gemeenten]
        return sorted([*ours, *unknown]), unknown


def _wijken_not_of_the_year(con: duckdb.DuckDBPyConnection, counted: pd.DataFrame, year: int) -> str:
    """A note on counted locations that the postcodes of another year put in wijken their
    gemeente does not have in the export's year (CBS renumbered its wijken: Amsterdam's of 2021
    are none of 2024's); '' when there are none, or the year's wijken are not loaded. Their places
    would count in no wijk of the year, so the wijk they lie in would show a shortage."""
    mapped = counted[counted["wijk_code"].notna()]
    if mapped.empty:
        return ""
    wijken = con.execute(
        "select gemeente_code, region_code from regions where year = ? and region_level = 'wijk'"
        " and gemeente_code in (select unnest(?::varchar[]))",
        [year, sorted(mapped["gemeente_code"].unique())]).fetchall()
    known = {code for _, code in wijken}
    with_wijken = {gemeente for gemeente, _ in wijken}
    other = mapped[mapped["gemeente_code"].isin(with_wijken) & ~mapped["wijk_code"].isin(known)]
    if other.empty:
        return ""
    codes = sorted(other["wijk_code"].unique())
    shown = ", ".join(codes[:5]) + (f" en nog {len(codes) - 5}" if len(codes) > 5 else "")
    postcode_years = ", ".join(str(int(y)) for y in sorted(other["postcode_year"].unique()))
    return (f"{len(other)} locatie(s) liggen volgens de postcodes van {postcode_years} in wijken die "
            f"er in {year} niet zijn ({shown}; CBS heeft de wijken tussen die jaren anders "
            f"ingedeeld): hun plekken tellen in geen wijk van {year}, dus hun wijk lijkt een groter "
            f"tekort te hebben. Lees het CBS-bestand Buurt, wijk en gemeente {year} voor "
            "postcode-huisnummer in: de locaties van deze export worden dan opnieuw geplaatst")


def _later_note(later: pd.DataFrame, year: int) -> str:
    """The note on locations registered after the export's year, with the newest inschrijfdatum."""
    newest = pd.to_datetime(later["registered_on"]).max()
    rows = ", ".join(str(r) for r in later["row_number"].head(5)) + (" ..." if len(later) > 5 else "")
    return (f"{len(later)} locatie(s) zijn pas na {year} ingeschreven (rij {rows}; de laatste op "
            f"{newest:%d-%m-%Y}): ze tellen niet mee in {year}. Is dit een export van {newest.year}, "
            f"lees hem dan in met dat jaar (--jaar {newest.year})")


def _ended_after_note(ended: pd.DataFrame, year: int) -> str:
    """The note on locations whose status says Uitgeschreven, but only after the export's year."""
    first = pd.to_datetime(ended["deregistered_on"]).min()
    return info(f"{len(ended)} locatie(s) met de status Uitgeschreven zijn pas na {year} uitgeschreven "
                f"(rij {_rows_shown(ended['row_number'])}; de eerste op {first:%d-%m-%Y}): ze "
                f"waren heel {year} ingeschreven en tellen dus mee in {year}")


def _unrecognised_note(mapped: pd.DataFrame, column: str | None) -> str:
    """A note on the locations whose verantwoordelijke gemeente (a name) is no gemeente Kindkaart
    knows and whose postcodes point to no one gemeente (_register_gemeenten leaves them without
    one), naming those names and their rows; '' when there are none. They count in the wijk of
    their postcode, but a later export of their gemeente does not replace them: the coverage of
    an export is per register gemeente."""
    responsible = mapped["responsible_gemeente"].fillna("").str.strip()
    unknown = mapped[(responsible != "") & mapped["register_gemeente_code"].isna()]
    if unknown.empty:
        return ""
    by_name = unknown.groupby(responsible[unknown.index], sort=True)["row_number"]
    named = [f"'{_shown(name)}' (rij {_rows_shown(rows.sort_values())})" for name, rows in by_name][:5]
    more = f" en nog {by_name.ngroups - 5}" if by_name.ngroups > 5 else ""
    column = column or "verantwoordelijke_gemeente"
    return (f"kolom {column}: {len(unknown)} locatie(s) hebben een verantwoordelijke gemeente die "
            f"Kindkaart niet kent: {', '.join(named)}{more}. Geen geladen gemeente heet zo, en hun "
            "postcodes wijzen niet op één gemeente. Ze tellen mee in de wijk van hun postcode, maar "
            "horen bij geen gemeente: een latere export van hun gemeente, ook met de naam verbeterd, "
            "vervangt alleen de locaties die daarin ook staan (hetzelfde LRK-nummer); een locatie die "
            "alleen in deze export staat, blijft meetellen. Gebruik in die kolom de naam van de "
            "gemeente zoals CBS die nu schrijft, of haar CBS-code (zoals GM0518)")


def _only_within(mapped: pd.DataFrame, within: set[str], names: dict[str, str]
                 ) -> tuple[pd.DataFrame, str]:
    """The locations whose register gemeente is one of `within`, and a note on the others (empty
    when there are none); refused when no location is left."""
    own = mapped["register_gemeente_code"].isin(within)
    others = sorted(mapped.loc[~own, "register_gemeente_code"].dropna().unique())
    label = ", ".join(_gemeente_label(code, names) for code in sorted(within)[:5])
    if not own.any():
        raise InputRefused(
            f"De export heeft geen locaties waarvoor {label} de verantwoordelijke gemeente is; "
            "er is niets opgeslagen. Kies in het register de gemeente van uw account, of lees de "
            "landelijke export in met een account voor alle gemeenten.")
    skipped = int((~own).sum())
    note = ""
    if skipped:
        where = (f"{len(others)} andere gemeente(n)" if others else "geen bekende gemeente")
        note = info(f"{skipped} locatie(s) van {where} niet opgeslagen: alleen de locaties van "
                    f"{label} horen bij uw account")
    return mapped.loc[own].reset_index(drop=True), note


def _gemeente_names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Gemeente code -> name, from the regions loaded (the newest year's name)."""
    return dict(con.execute(
        "select region_code, arg_max(region_name, year) from regions"
        " where region_level = 'gemeente' and region_name is not null group by region_code"
    ).fetchall())


def _register_gemeenten(mapped: pd.DataFrame, names: dict[str, str]) -> pd.Series:
    """Each location's register gemeente: its verantwoordelijke_gemeente, as a code ('GM0193'),
    by name among the gemeenten loaded, or else the gemeente where most (more than half) of the
    locations with that name lie by postcode; without that value, the gemeente of its postcode."""
    by_name = {normalise(name): code for code, name in names.items()}
    responsible = mapped["responsible_gemeente"]
    given = responsible.notna() & (responsible.fillna("").str.strip() != "")
    resolved: dict[str, str | None] = {}
    for name, rows in mapped[given].groupby("responsible_gemeente"):
        code = name.strip().upper()
        if not re.fullmatch(r"GM[0-9]{4}", code):
            code = by_name.get(normalise(name))
        if code is None:
            stated = _stated_code(rows["responsible_gemeente_code"])
            lying = rows["gemeente_code"].value_counts()
            if stated is not None:
                code = stated
            elif len(lying) and lying.iloc[0] * 2 > len(rows):
                code = lying.index[0]
        resolved[name] = code
    by_code = mapped["responsible_gemeente_code"].map(_code_of)
    return (responsible.map(resolved).where(given, by_code.fillna(mapped["gemeente_code"]))
            .astype(object))


def _code_of(value: object) -> str | None:
    """'0518', '518', 'GM0518' as the open-data export's cbs_code gives a gemeente: 'GM0518'."""
    if value is None or pd.isna(value):
        return None
    match = re.fullmatch(r"(?:GM)?([0-9]{1,4})", str(value).strip().upper())
    return f"GM{int(match.group(1)):04d}" if match and int(match.group(1)) > 0 else None


def _stated_code(values: pd.Series) -> str | None:
    """The one gemeente code the rows of one verantwoordelijke_gemeente state, or None (no code,
    or codes that disagree)."""
    codes = set(values.map(_code_of).dropna())
    return codes.pop() if len(codes) == 1 else None


def _coverage(con: duckdb.DuckDBPyConnection, mapped: pd.DataFrame,
              year: int) -> tuple[list[Replacement], list[Replacement]]:
    """Per register gemeente of the export, the earlier export that counts there now: replaced
    when most of this export's locations are of that gemeente (a newer export of the gemeente,
    in which locations may have closed) or when it holds more than half of the locations that
    count there now (a newer export of the country); kept otherwise (an export of another gemeente
    with a location or two of this one: they must not hide its register)."""
    codes = sorted(mapped["register_gemeente_code"].dropna().unique())
    if not codes:
        return [], []
    earlier = con.execute(
        """
        with newest as (
            select l.register_gemeente_code as gemeente_code, max(l.load_id) as load_id
            from raw_lrk__locations as l
            inner join loads as d using (load_id)
            where d.status = 'active' and l.year = ? and l.covers_register
                and l.register_gemeente_code in (select unnest(?::varchar[]))
            group by 1
        )
        select n.gemeente_code, n.load_id, d.file_name, l.lrk_id, l.registration_status,
               l.deregistered_on, l.registered_on
        from newest as n
        inner join raw_lrk__locations as l
            on l.load_id = n.load_id and l.register_gemeente_code = n.gemeente_code
            and l.covers_register
        inner join loads as d on d.load_id = n.load_id
        """,
        [year, codes],
    ).df()
    in_export = set(mapped["lrk_id"])
    replaced, kept = [], []
    for (code, load_id, file_name), rows in earlier.groupby(
            ["gemeente_code", "load_id", "file_name"], dropna=False):
        counting = rows[counts(rows["registration_status"], rows["deregistered_on"], year,
                               rows["registered_on"]).to_numpy()]
        held = int(counting["lrk_id"].isin(in_export).sum())
        replacement = Replacement(code, int(load_id), None if pd.isna(file_name) else file_name,
                                  len(counting), held,
                                  int((mapped["register_gemeente_code"] == code).sum()))
        main = replacement.in_export * 2 > len(mapped)
        (replaced if main or held * 2 > len(counting) or counting.empty else kept).append(replacement)
    return replaced, kept


def _supersede_replaced(con: duckdb.DuckDBPyConnection, year: int) -> None:
    # an LRK export of the year that counts for no gemeente any more is superseded (the locations
    # without any gemeente, neither by name nor by postcode, count from the newest export as before)
    con.execute(
        """
        update loads set status = 'superseded', status_changed_at = current_timestamp
        where status = 'active' and dataset = 'lrk-locaties' and year = ?
            and load_id not in (
                select max(l.load_id)
                from raw_lrk__locations as l
                inner join loads as d using (load_id)
                where d.status = 'active' and l.year = ? and l.covers_register
                group by l.register_gemeente_code
            )
        """,
        [year, year],
    )


# An export zipped or gzipped to send it on: the export inside is read. No more than a national
# export unpacks to (some 30 MB as CSV), with room to spare.
MAX_UNPACKED_MEGABYTES = 200
EXPORT_SUFFIXES = (".csv", ".txt", *EXCEL_SUFFIXES)


@contextmanager
def _unpacked(path: Path) -> Iterator[Path]:
    """The export itself: `path`, or when it is a zip (not a workbook, which is a zip too) or a
    gzip the one export in it, unpacked into a scratch folder. A damaged zip is left to the
    reader, which says so."""
    try:
        with path.open("rb") as file:
            head = file.read(4)
    except OSError:
        yield path  # the reader says it does not exist
        return
    if head[:2] == b"\x1f\x8b":
        with store.scratch_folder() as folder:
            target = folder / (path.stem if path.suffix.lower() == ".gz" else path.name)
            try:
                with gzip.open(path) as source:
                    data = source.read(MAX_UNPACKED_MEGABYTES * 1024 * 1024 + 1)
            except DAMAGED_ZIP as exc:  # gzip's BadGzipFile is an OSError
                raise InputRefused(f"Bestand {path.name}: het gzip-bestand is niet uit te pakken "
                                   f"({unreadable(exc)}). Er is niets opgeslagen.") from None
            if len(data) > MAX_UNPACKED_MEGABYTES * 1024 * 1024:
                raise archives.too_large(path.name, None, MAX_UNPACKED_MEGABYTES * 1024 * 1024,
                                         "LRK-export")
            target.write_bytes(data)
            yield target
        return
    member = _zipped_export(path) if head == b"PK\x03\x04" else None
    if member is None:
        yield path
        return
    with archives.unpacked(path, lambda info: info.header_offset == member.header_offset,
                           noun="LRK-export",
                           max_bytes=MAX_UNPACKED_MEGABYTES * 1024 * 1024) as folder:
        yield folder / Path(member.filename).name


def _zipped_export(path: Path) -> zipfile.ZipInfo | None:
    """The one export (.csv, .txt or a workbook) in a zip that is no workbook itself; None for a
    workbook (or a damaged zip: the reader says so). Refused when the zip holds none or more."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = [info for info in archive.infolist() if not info.is_dir()
                     and not info.filename.startswith("__MACOSX/")]
    except DAMAGED_ZIP:
        return None
    names = {info.filename for info in infos}
    if "[Content_Types].xml" in names or "mimetype" in names:  # .xlsx or .ods
        return None
    exports = [info for info in infos if Path(info.filename).suffix.lower() in EXPORT_SUFFIXES]
    if len(exports) == 1:
        return exports[0]
    # by their paths in the zip: a/export.csv and b/export.csv are two files, not one name twice
    shown = ", ".join(info.filename for info in (exports or infos)[:5])
    raise InputRefused(
        f"Bestand {path.name}: de zip bevat "
        + (f"meer dan één bestand dat een export kan zijn ({shown}); pak de juiste uit en lees die in."
           if exports else f"geen LRK-export (een .csv of werkmap){f' maar {shown}' if shown else ''}.")
        + " Er is niets opgeslagen.")


def import_lrk_file(
    con: duckdb.DuckDBPyConnection, path: str | Path, *, year: int | None = None,
    source: str = "lrk", within: set[str] | None = None,
) -> LrkImport:
    """Read, map and store one LRK export in a single transaction (nothing stored on refusal);
    with `within`, only the locations of those gemeenten (store_lrk)."""
    path = Path(path)
    if (odd := not_a_plain_file(path)) is not None:  # a pipe: _unpacked waited for ever
        raise InputRefused(f"Bestand {path.name} {odd}: kies een LRK-export. Er is niets opgeslagen.")
    with _unpacked(path) as export:
        year = year or year_from_file_name(path) or year_from_file_name(export)
        if year is None:
            raise InputRefused(
                f"Bestand {path.name}: geef het jaar van de export op (--jaar), het staat niet in de "
                "bestandsnaam."
            )
        keep = None if within is None else Within(con, year, within)
        frame = read_lrk_export(export, year, keep)
    with store.transaction(con):
        return store_lrk(con, frame, year=year, source=source, file_name=path.name,
                         file_hash=store.file_sha256(path), within=within)


def import_sample_lrk(con: duckdb.DuckDBPyConnection, sample_dir: Path) -> list[LrkImport]:
    """Load every sample LRK export (sample_data/lrk/*.csv); runs inside the sample transaction."""
    done = []
    for path in sorted((sample_dir / "lrk").glob("*.csv")):
        year = year_from_file_name(path)
        done.append(store_lrk(con, read_lrk_export(path, year), year=year, source="sample",
                              file_name=path.name, file_hash=store.file_sha256(path)))
    return done


def _provision_type_code(value):
    """The LRK type code of a cell: the code itself in any case ('kdv'), or a written-out name of
    one type ('Buitenschoolse opvang'); anything else as written (upper case), to be refused."""
    if not isinstance(value, str):
        return value
    if match := _NAME_AND_CODE.match(value.strip()):
        return match[1].upper()
    name = re.sub(r"[\s_-]+", "", value).lower()
    return PROVISION_TYPE_NAMES.get(name, value.strip().upper())
