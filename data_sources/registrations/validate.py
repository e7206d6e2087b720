"""Validate an uploaded registration workbook: Dutch messages per cell, and the aggregates."""

from __future__ import annotations

import datetime as dt
import gc
import re
from collections import Counter
from collections.abc import Container, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cache
from itertools import pairwise
from typing import Any

import duckdb
import pandas as pd
from openpyxl.utils import get_column_letter

from data_sources.errors import InputRefused
from data_sources.gemeentenamen import bundled_names
from data_sources.registrations import values as v
from data_sources.registrations.comments import workbook_comments
from data_sources.registrations.locations import LocationIndex, UnknownLocation
from data_sources.registrations.reading import (
    Sheet,
    SheetEntry,
    read_workbook,
    shown_otherwise,
    survey_workbook,
    transitional,
)
from data_sources.registrations.schemas import (
    MAX_CHILDREN_PER_PLACE,
    REGISTRATION_TYPES,
    Column,
    RegistrationType,
    registration_type,
)
from data_sources.registrations.template_text import (
    DATA_SHEET,
    INSTRUCTIONS_SHEET,
    LISTS_SHEET,
    META_SHEET,
    NO_PERSONAL_DATA_LINE,
    own_texts,
)
from data_sources.text import as_seen, normalise, on_one_line, visible
from data_sources.workbooks import DAMAGED_ZIP, ooxml_text, sheet_shown

HEADER_SEARCH_ROWS = 30
# How far a sheet Kindkaart does not count is searched for personal data when the survey streams it
# (more than six sheets, or a workbook with formulas); a plain workbook of a few sheets is read
# whole, and each of its sheets searched to the end.
SEARCH_ROWS = 2_000
MAX_MESSAGES = 200

# Headers that announce personal data; such columns are refused whatever they hold.
_PERSONAL_HEADERS = {
    "bsn": "burgerservicenummers", "burgerservicenummer": "burgerservicenummers",
    "sofinummer": "burgerservicenummers", "bsn kind": "burgerservicenummers",
    "naam": "namen", "namen": "namen", "voornaam": "namen", "achternaam": "namen",
    "roepnaam": "namen", "naam kind": "namen", "volledige naam": "namen", "name": "namen",
    "voorletters": "namen", "tussenvoegsel": "namen",
    "geboortedatum": "geboortedatums", "geb datum": "geboortedatums", "geboren": "geboortedatums",
    "geboortedag": "geboortedatums", "date of birth": "geboortedatums", "dob": "geboortedatums",
    "adres": "adressen", "straat": "adressen", "huisnummer": "adressen", "straatnaam": "adressen",
    "telefoon": "telefoonnummers", "telefoonnummer": "telefoonnummers", "e mail": "e-mailadressen",
    "email": "e-mailadressen", "e mailadres": "e-mailadressen", "emailadres": "e-mailadressen",
    "e mail adres": "e-mailadressen", "mailadres": "e-mailadressen", "mobiel": "telefoonnummers",
    "mobiel nummer": "telefoonnummers", "mobielnummer": "telefoonnummers", "tel": "telefoonnummers",
    "tel nr": "telefoonnummers", "telnr": "telefoonnummers", "06 nummer": "telefoonnummers",
    "gsm": "telefoonnummers", "huisnr": "adressen", "woonadres": "adressen",
    "postcode en huisnummer": "adressen", "postcode huisnummer": "adressen",
    "voornamen": "namen", "initialen": "namen",
    # as child and pupil lists abbreviate them (a leerlingadministratie, a kinderlijst)
    "gebdatum": "geboortedatums", "gebdat": "geboortedatums", "geb dat": "geboortedatums",
    "geboren op": "geboortedatums", "birthdate": "geboortedatums", "birth date": "geboortedatums",
    "sofinr": "burgerservicenummers", "sofi nummer": "burgerservicenummers",
    "sofi nr": "burgerservicenummers", "geb": "geboortedatums",
    # in English, as a system's export or a translated list names them
    "first name": "namen", "firstname": "namen", "last name": "namen", "lastname": "namen",
    "surname": "namen", "full name": "namen", "child name": "namen", "childs name": "namen",
    "child s name": "namen", "pupil name": "namen", "student name": "namen", "address": "adressen",
    "phone": "telefoonnummers", "phone number": "telefoonnummers", "mobile": "telefoonnummers",
    # a parent's bank account (an invoice list, an ouderbijdrage)
    "iban": "rekeningnummers", "rekeningnummer": "rekeningnummers",
    "bankrekening": "rekeningnummers", "bankrekeningnummer": "rekeningnummers",
    "rekeningnr": "rekeningnummers", "iban nummer": "rekeningnummers",
}
# Whose name a column holds: 'naam kind', or as one word ('kindnaam', 'Leerlingnaam');
# 'locatienaam' or 'wijknaam' names no person.
_PERSONS = ("kind", "leerling", "client", "ouder", "ouders", "verzorger", "moeder", "vader")
_PERSON_NAME_WORDS = frozenset({"kindernaam", *(f"{person}naam" for person in _PERSONS
                                                if person != "ouders")})
# Headers that name the persons a column is about ('Leerling', 'Kind', 'Cliënt'): a first name
# under one is a person's, even a single one ('Sanne' under 'Leerling' beside 'Centrum').
_PERSON_ROLE_HEADERS = frozenset({
    "kind", "kinderen", "leerling", "leerlingen", "client", "clienten", "deelnemer", "deelnemers",
    "ouder", "ouders", "verzorger", "verzorgers", "ouder verzorger", "moeder", "vader", "peuter",
    "peuters", "kleuter", "kleuters", "baby", "jeugdige", "jeugdigen", "pupil", "child",
    "children", "student", "patient", "pleegkind", "kind naam",
})
# Whose number a column holds ('Cliëntnummer', 'leerling nr', 'Dossiernummer'): a number that
# points at one person is personal data as much as a name (pseudonymised, still about a child).
_PERSON_NUMBER_OWNERS = ("client", "leerling", "kind", "deelnemer", "patient", "jeugdige",
                         "dossier", "persoons", "zorgdossier", "ouder", "pleegkind")
_NUMBER_WORDS = ("nummer", "nr", "id", "no")
_PERSON_NUMBER_HEADERS = frozenset({
    *(f"{owner}{word}" for owner in _PERSON_NUMBER_OWNERS for word in _NUMBER_WORDS),
    *(f"{owner} {word}" for owner in _PERSON_NUMBER_OWNERS for word in _NUMBER_WORDS),
    "onderwijsnummer", "pgn", "persoonsgebonden nummer", "a nummer", "anummer",
    "vreemdelingennummer", "v nummer", "zorgdossier", "client id", "kind id",
})
PERSON_NUMBERS = "nummers van personen (cliënt-, leerling- of dossiernummers)"
# The Organisatie fields copied into the load's note (importing._note): stored, so checked.
NOTE_FIELDS = ("definitie", "bron", "toelichting")
_XML_BOMB = ("Het bestand bevat verboden XML-constructies (mogelijk een 'XML-bom') en wordt niet "
             "gelezen.")
_PERSONAL_REFUSED = (
    "Kindkaart neemt geen burgerservicenummers, namen, adressen of geboortedatums aan. Verwijder "
    "deze gegevens en lever het bestand opnieuw aan; er is niets opgeslagen.")
_EMPTY_KEY = "\u2205"  # stands in for an empty breakdown while grouping (groupby drops None)
_TOTAL_WORDS = ("totaal", "total", "eindtotaal", "generaal totaal", "som", "subtotaal")
# A word that makes a label a total's when it opens or closes it: 'Subtotaal Centrum' and
# 'Gemeente totaal' label sums as much as 'Totaal' does.
_TOTAL_LABEL_WORDS = frozenset({"totaal", "total", "subtotaal", "subtotal", "eindtotaal"})


@dataclass
class Message:
    """One problem (or notice), with the place in the workbook as Excel shows it."""

    text: str
    sheet: str | None = None
    row: int | None = None
    column: int | None = None
    header: str | None = None

    def __str__(self) -> str:
        place = []
        if self.sheet:
            place.append(f"Blad '{sheet_shown(self.sheet)}'")
        if self.row:
            place.append(f"rij {self.row}")
        if self.column:
            letter = get_column_letter(self.column)
            place.append(f"kolom {letter} ({self.header})" if self.header else f"kolom {letter}")
        # a sheet's or column's name is the file's: a character in it that shows as nothing or
        # turns the writing direction (U+202E) is written out, not left to reverse the message,
        # and a line break typed in a header cell (Alt+Enter) is a space (on_one_line)
        return visible(on_one_line((", ".join(place) + ": " if place else "") + self.text))

    def as_dict(self) -> dict[str, Any]:
        """The message as a table row for the upload page."""
        return {
            "blad": sheet_shown(self.sheet or ""),
            "rij": self.row or None,
            "kolom": get_column_letter(self.column) if self.column else "",
            "kolomnaam": visible(on_one_line(self.header or "")),
            "melding": visible(on_one_line(self.text)),
        }


@dataclass
class ValidationResult:
    """What validation found: problems (messages), notices, and the aggregates to be stored."""

    soort: str
    messages: list[Message] = field(default_factory=list)
    notices: list[Message] = field(default_factory=list)
    aggregates_df: pd.DataFrame = field(default_factory=pd.DataFrame)
    rows_read: int = 0
    gemeente_code: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    # whether the rows below the header were checked: a refusal of the file as a whole (personal
    # data, a column, the sheet Organisatie) stops before them, and fixing it can bring new messages
    rows_checked: bool = False
    # problems beyond MAX_MESSAGES, left out of `messages` (whose last line says how many)
    dropped: int = 0

    @property
    def ok(self) -> bool:
        return not self.messages

    def count_text(self) -> str:
        """How many problems there are, in words: '3 melding(en)', or with more than
        MAX_MESSAGES '1.200 meldingen; de eerste 200 staan hieronder' (the page said '201
        melding(en)', counting the line that says how many more there are as one)."""
        if not self.dropped:
            return f"{len(self.messages)} melding(en)"
        shown = len(self.messages) - 1
        total = f"{shown + self.dropped:_}".replace("_", ".")
        return f"{total} meldingen; de eerste {shown} staan hieronder"

    @property
    def aggregates(self) -> pd.DataFrame:
        return self.aggregates_df

    def message_texts(self) -> list[str]:
        """Every problem as one Dutch line."""
        return [str(m) for m in self.messages]

    def messages_frame(self) -> pd.DataFrame:
        """Problems as a table (blad, rij, kolom, kolomnaam, melding)."""
        return pd.DataFrame(
            [m.as_dict() for m in self.messages],
            columns=["blad", "rij", "kolom", "kolomnaam", "melding"],
        )


class _Collector:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.notices: list[Message] = []
        self.dropped = 0

    def add(self, message: Message) -> None:
        if len(self.messages) >= MAX_MESSAGES:
            self.dropped += 1
            return
        self.messages.append(message)

    def final(self) -> list[Message]:
        if self.dropped:
            return [*self.messages, Message(
                f"... en nog {self.dropped} meldingen. Verbeter eerst de meldingen hierboven.")]
        return self.messages


def validate_workbook(
    data: bytes,
    soort: str,
    con: duckdb.DuckDBPyConnection,
    file_name: str = "",
    gemeente_code: str | None = None,
    period: str | None = None,
) -> ValidationResult:
    """Check an uploaded workbook against the schema of `soort`; never raises for bad input.
    Returns messages (refusals), notices and, when valid, the aggregated rows that would be stored.
    Personal data is reported by column only: its values are never echoed."""
    with _gc_paused():
        return _validate(data, soort, con, file_name, gemeente_code, period)


@dataclass(frozen=True)
class CheckedUpload:
    """A validation with what it was made from, so that saving the file need not check it again
    (the page checks a file when it goes in and saves it on a click): `reused` gives the result
    back only for the same bytes, type, name, gemeente and period, and while the regions and
    postcodes it read are unchanged (reference_version). Uploads of other organisations in between
    change nothing a check reads."""

    file_hash: str
    soort: str
    file_name: str
    gemeente_code: str | None
    period: str | None
    reference: str
    result: ValidationResult

    def reused(self, con: duckdb.DuckDBPyConnection, file_hash: str, soort: str, file_name: str,
               gemeente_code: str | None, period: str | None) -> ValidationResult | None:
        if (file_hash, soort, file_name, gemeente_code, period) != (
                self.file_hash, self.soort, self.file_name, self.gemeente_code, self.period):
            return None
        return self.result if reference_version(con, gemeente_code) == self.reference else None


def reference_version(con: duckdb.DuckDBPyConnection, gemeente_code: str | None) -> str:
    """A token of everything validation reads from the store: the gemeenten (by code and name),
    and the gemeente's wijken, buurten and postcodes (LocationIndex); every gemeente's without
    `gemeente_code`. The regions by their content; the postcodes (thousands of rows, written only
    by a load of the postcode file, which replaces whole years) by their count and loads. About a
    millisecond."""
    return "/".join(str(part) for part in con.execute(
        """
        select (select count(*) || '-' || coalesce(sum(hash(year, region_code, region_level, region_name,
                                                           gemeente_code, wijk_code)), 0)
                from regions where region_level = 'gemeente' or gemeente_code = coalesce(?, gemeente_code)),
               (select count(*) || '-' || coalesce(max(load_id), 0) || '-' || coalesce(min(load_id), 0)
                from postcodes where gemeente_code = coalesce(?, gemeente_code))
        """, [gemeente_code, gemeente_code]).fetchone())


def check_upload(data: bytes, soort: str, con: duckdb.DuckDBPyConnection, file_name: str = "",
                 gemeente_code: str | None = None, period: str | None = None) -> CheckedUpload:
    """validate_workbook, kept with what it was made from (CheckedUpload)."""
    import hashlib

    reference = reference_version(con, gemeente_code)  # before: a change meanwhile makes it stale
    result = validate_workbook(data, soort, con, file_name, gemeente_code, period)
    return CheckedUpload(hashlib.sha256(data).hexdigest(), soort, file_name, gemeente_code, period,
                         reference, result)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Python's cycle collector paused while a workbook is read and checked. Reading a sheet makes
    tens of thousands of lists at once; each makes the collector walk every object of the
    process again, which took longer than the reading itself (0.3 s of a 20,000-row upload).
    Nothing made here forms cycles; the collector runs again right after."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _validate(data: bytes, soort: str, con: duckdb.DuckDBPyConnection, file_name: str,
              gemeente_code: str | None, period: str | None) -> ValidationResult:
    rtype = registration_type(soort)
    result = ValidationResult(soort)
    try:
        # Only the data sheet and the Organisatie sheet are read whole; every other sheet is seen
        # through its first rows (a workbook of hundreds of sheets must not take the memory).
        data = transitional(data, file_name)  # a Strict Open XML workbook, else unchanged
        entries = survey_workbook(data, file_name, HEADER_SEARCH_ROWS, SEARCH_ROWS,
                                  lambda name: normalise(name) != normalise(DATA_SHEET))
        chosen = _data_sheet(entries, result, rtype)
        if chosen is None:
            return result
        places = PlaceNames(con)
        # first and alone: every other message names the sheets, and would show the name
        result.messages = _personal_in_sheet_names(_sheet_names(data, entries), places)
        if result.messages:
            return result
        result.messages = (_hidden_window(data) + _sheet_problems(entries, chosen, places, rtype)
                           + _personal_in_headers(data, entries, places)
                           + _personal_in_properties(data, places) + _personal_in_comments(data, places)
                           + _personal_in_copies(data, places) + _personal_in_text_boxes(data, entries, places)
                           + _personal_in_phonetic(data, entries, places))
        if result.messages:
            return result
        meta_entry = _meta_entry(entries)
        sheets = read_workbook(data, file_name,
                               only=[chosen] if meta_entry is None else [chosen, meta_entry])
    except InputRefused as refused:
        result.messages = [Message(text) for text in refused.messages]
        return result
    meta = read_meta(sheets)
    result.meta = meta
    sheet = next(s for s in sheets if s.name == chosen.name)
    if sheet.is_empty():
        result.messages.append(Message(
            "is leeg. Vul de gegevens in onder de kopregel van het sjabloon.", sheet.name))
        return result
    result.messages = _personal_in_meta(sheets, places) + _errors_in_meta(sheets)
    if result.messages:
        return result
    header_row, mapping, unknown = _find_header(sheet, rtype, result)
    if header_row is None:
        return result
    personal = _personal_data(sheet, rtype, header_row, mapping, unknown, places)
    if personal:
        result.messages = personal
        return result
    _school_type_from_cluster(sheet, rtype, header_row, mapping, result)
    try:
        gemeente = _gemeente(con, gemeente_code, meta)
        index = LocationIndex(con, gemeente)
    except InputRefused as refused:
        result.messages = [Message(text) for text in refused.messages]
        return result
    result.gemeente_code = gemeente
    reference = _reference_date(period or meta.get("periode"), meta, result, _meta_places(sheets),
                                _month_first_fields(sheets))
    collector = _Collector()
    collector.messages += result.messages  # an unreadable peildatum or periode
    _check_columns(sheet, rtype, header_row, mapping, unknown, collector)
    _check_merged(sheet, header_row, collector)
    _check_hidden(sheet, header_row, mapping, collector)
    _check_reordered(sheet, header_row, mapping, collector)
    result.notices += collector.notices
    if collector.messages:
        result.messages, result.dropped = collector.final(), collector.dropped
        return result
    rows = _parse_rows(sheet, rtype, header_row, mapping, index, reference, collector, result)
    result.rows_checked = True
    if not rows and not collector.messages:
        collector.add(Message(
            f"bevat onder de kopregel (rij {header_row}) geen gegevens.", sheet.name))
    result.messages, result.dropped = collector.final(), collector.dropped
    result.rows_read = sum(times for _row, times in rows)
    if result.ok:
        result.aggregates_df = aggregate(rtype, rows, gemeente)
    return result


_META_KEYS = frozenset({"organisatie", "periode", "gemeente", "peildatum", "definitie",
                        "contactpersoon", "toelichting", "bron"})


def _meta_fields(sheet: Sheet) -> dict[str, tuple[int, Any]]:
    """The filled-in fields of an Organisatie sheet, each with its row."""
    fields = {}
    for r, row in enumerate(sheet.rows[:30], start=1):
        if len(row) >= 2 and isinstance(row[0], str) and row[1] is not None:
            key = normalise(row[0]).rstrip(":")
            if key in _META_KEYS:
                fields[key] = (r, row[1].strip() if isinstance(row[1], str) else row[1])
    return fields


def _is_meta_sheet(name: str) -> bool:
    return normalise(name) == normalise(META_SHEET)


def read_meta(sheets: list[Sheet]) -> dict[str, Any]:
    """The filled-in fields of the sheet 'Organisatie' (organisatie, periode, peildatum, ...)."""
    for sheet in sheets:
        if _is_meta_sheet(sheet.name):
            return {key: value for key, (_r, value) in _meta_fields(sheet).items()}
    return {}


def _meta_entry(entries: list[SheetEntry]) -> SheetEntry | None:
    return next((e for e in entries if _is_meta_sheet(e.name)), None)


def _personal_in_meta(sheets: list[Sheet], places: Container[str] = ()) -> list[Message]:
    """Personal data in the Organisatie fields that are copied into the load's note."""
    found = []
    for sheet in sheets:
        if not _is_meta_sheet(sheet.name):
            continue
        for key, (r, value) in _meta_fields(sheet).items():
            kind = (v.personal_in_text(value, reference_dates=True, places=places)
                    if key in NOTE_FIELDS else None)
            if kind:
                found.append(Message(
                    f"persoonsgegevens geweigerd: het veld '{key}' bevat mogelijk {kind}. "
                    + _PERSONAL_REFUSED, sheet.name, r, 2, key))
    return found


def _errors_in_meta(sheets: list[Sheet]) -> list[Message]:
    """An Organisatie field whose formula Excel could not compute (#N/B, #VERW!), or that shows in
    another order than it is read (values.REORDERING): named by its cell, before its code is taken
    for a gemeente or period."""
    found = []
    for sheet in sheets:
        if _is_meta_sheet(sheet.name):
            for key, (r, value) in _meta_fields(sheet).items():
                error = v.excel_error(value)
                if error:
                    found.append(Message(
                        f"het veld '{key}' toont een foutwaarde van Excel ({error}): de formule "
                        "kan niet worden berekend. Verbeter de formule of vul het veld zelf in.",
                        sheet.name, r, 2, key))
                refused = v.reordered_text(value) or v.control_text(value)
                if refused:
                    found.append(Message(refused, sheet.name, r, 2, key))
    return found


# The document properties a partner fills in (Bestand > Info > Eigenschappen), by their Dutch
# name in Excel. The author and 'last modified by' are not checked: they name the partner's
# employee who saved the file, not a child or parent, and Kindkaart reads nor stores them.
_PROPERTIES = {"title": "Titel", "subject": "Onderwerp", "description": "Opmerkingen",
               "keywords": "Labels", "category": "Categorie"}
_CORE_PART, _CUSTOM_PART, _WORKBOOK_PART = "docProps/core.xml", "docProps/custom.xml", "xl/workbook.xml"
_PROPERTY_ADVICE = ("Ook de eigenschappen van het bestand mogen geen persoonsgegevens bevatten: "
                    "pas ze aan in Excel (Bestand > Info > Eigenschappen) of maak de werkmap "
                    "opnieuw vanuit het sjabloon. ")


# Custom properties that programs, not people, write: SharePoint's document ID ('_dlc_DocId':
# 'PREFIX-123456789-12', nine digits that pass the elfproef once in eleven), Outlook's review
# ('_AuthorEmail': the employee), a sensitivity label ('MSIP_Label_<guid>_...'), the content type.
_SYSTEM_PROPERTIES = ("_", "MSIP_", "ContentTypeId")


def _personal_in_properties(data: bytes, places: Container[str]) -> list[Message]:
    """Personal data in the workbook's document properties ('Titel: Kinderlijst Sven Jansen'), its
    own properties (Eigenschappen > Geavanceerde eigenschappen > Aangepast: 'Kind: Jan de Vries')
    and its names (Formules > Namen beheren: a range named Jan_de_Vries, a name holding the
    constant ="Jansen, P." or a BSN): the workbook as a whole is refused, as for personal data in
    a sheet it does not count. The property or name is never shown: it may be the personal data."""
    found = []
    try:
        root = _small_part(data, _CORE_PART)
        custom = _small_part(data, _CUSTOM_PART)
        book = _small_part(data, _WORKBOOK_PART)
    except ValueError:
        return [Message(_XML_BOMB)]
    for element in [] if root is None else root:
        field = _PROPERTIES.get(element.tag.rsplit("}", 1)[-1])
        if field and element.text and element.text.strip():
            kind = v.personal_in_text(element.text.strip(), reference_dates=True, places=places)
            if kind:
                found.append(Message(
                    f"persoonsgegevens geweigerd: de documenteigenschap '{field}' bevat mogelijk "
                    f"{kind}. " + _PROPERTY_ADVICE + _PERSONAL_REFUSED))
    for prop in [] if custom is None else custom:
        if prop.get("name", "").startswith(_SYSTEM_PROPERTIES):
            continue
        texts = [prop.get("name", "")] + [value.text for value in prop
                                         if value.text and not value.tag.endswith("}bool")]
        # no dates: a property of type date is a date by itself, and a sensitivity label
        # (Microsoft Purview, common at gemeenten and GGD's) stores when it was set as text
        # (MSIP_Label_..._SetDate); a birth date comes with its word ('geb.', 'Geboortedatum')
        kind = next(filter(None, (_personal_in_name_or_value(t, places, dates=False)
                                  for t in texts)), None)
        if kind:
            found.append(Message(
                f"persoonsgegevens geweigerd: een aangepaste documenteigenschap (Bestand > Info > "
                f"Eigenschappen > Geavanceerde eigenschappen > Aangepast) bevat mogelijk {kind}. "
                + _PROPERTY_ADVICE + _PERSONAL_REFUSED))
    names = [] if book is None else [e for e in book.iter() if e.tag.endswith("}definedName")]
    for name in names:
        if name.get("name", "").startswith("_xl"):
            continue  # Excel's own: print area, filter range, newer functions (_xlfn.XLOOKUP)
        value = ooxml_text(name.text or "").strip()
        constant = value[1:-1].replace('""', '"') if value[:1] == value[-1:] == '"' and len(value) > 1 else (
            value if re.fullmatch(r"[0-9][0-9 .]*", value) else "")
        kind = _personal_in_name_or_value(ooxml_text(name.get("name", "")), places) or (
            _personal_in_name_or_value(constant, places) if constant else None)
        if kind:
            found.append(Message(
                f"persoonsgegevens geweigerd: een naam in Namen beheren (Formules > Namen beheren) "
                f"is of bevat mogelijk {kind}. Verwijder die naam, of maak de werkmap opnieuw "
                "vanuit het sjabloon. " + _PERSONAL_REFUSED))
            break  # one message: the names are not shown, so a second adds nothing
    return found


def _sheet_names(data: bytes, entries: list[SheetEntry]) -> list[str]:
    """The name of every sheet in the order of the tabs: worksheets, and also chart sheets (a
    chart moved to a sheet of its own) and dialog or macro sheets, which the survey (worksheets
    only) leaves out. The worksheets' names where the workbook part cannot be read."""
    try:
        book = _small_part(data, "xl/workbook.xml")
    except ValueError:  # an XML bomb: the survey refused the file before, on its own
        book = None
    # a name as Excel shows it: 'Sven_x0020_Jansen' is the tab 'Sven Jansen' (ooxml_text)
    names = [ooxml_text(element.get("name", "")) for element in book.iter()
             if element.tag.rsplit("}", 1)[-1] == "sheet"] if book is not None else []
    return names or [entry.name for entry in entries]


def _personal_in_sheet_names(names: list[str], places: Container[str]) -> list[Message]:
    """A sheet named after a child ('Sven Jansen', 'Jansen, P.', a BSN), as a partner keeps a
    sheet (or a chart) per child: refused without its name (every other message would show it). A
    date is no birth date here: sheets are often named after their counting date ('31-12-2024')."""
    found = []
    for number, name in enumerate(names, start=1):
        name = name.strip()
        kind = (("een burgerservicenummer" if v.looks_like_bsn(re.sub(r"[ .]", "", name)) else None)
                if re.fullmatch(r"[0-9][0-9 .]*", name)
                else v.personal_in_text(name, dates=False, reference_dates=True, places=places))
        if kind:
            found.append(Message(
                f"persoonsgegevens geweigerd: de naam van het {number}e blad van de werkmap bevat "
                f"mogelijk {kind}. Geef het blad een naam zonder persoonsgegevens (of verwijder "
                "het) en lever het bestand opnieuw aan. " + _PERSONAL_REFUSED))
    return found


# A header or footer as Excel stores it: '&L', '&C', '&R' start its parts; '&P', '&N', '&D', '&T',
# '&F', '&A' stand for page, pages, date, time, file and sheet; '&"Arial,Vet"', '&12', '&K00FF00',
# '&B' and the like set the font; '&&' is an ampersand.
_HEADER_FOOTER = re.compile(rb"<(?:\w+:)?(odd|even|first)(Header|Footer)>(.*?)</(?:\w+:)?\1\2>",
                            re.DOTALL)
_HEADER_CODES = re.compile(r'&(?:"[^"]*"|K[0-9A-Fa-f]{6}|K[0-9]{2}[+-][0-9]{3}|[0-9]+|[A-Za-z])')


_HYPERLINK = re.compile(rb"<(?:\w+:)?hyperlink\b[^>]*>")
_ATTRIBUTE = re.compile(rb'([\w:]+)\s*=\s*"([^"]*)"')
_RELATIONSHIP = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")
_INLINE_LIST = re.compile(
    rb"<(?:\w+:)?dataValidation\b([^>]*)>\s*<(?:\w+:)?formula1>(.*?)</(?:\w+:)?formula1>", re.DOTALL)
# The input and error message of a data validation (Gegevensvalidatie > Invoerbericht,
# Foutmelding), which Excel shows when the cell is chosen or filled in wrongly.
_VALIDATION = re.compile(rb"<(?:\w+:)?dataValidation\b([^>]*)>")
_VALIDATION_TEXTS = (b"promptTitle", b"prompt", b"errorTitle", b"error")


def _outside_cells(xml: bytes) -> bytes:
    """A worksheet's XML without its cells (what lies between <sheetData> and </sheetData>), where
    headers and footers, links and data validations are (after the cells, in the order Excel
    and LibreOffice write a sheet): three searches over 20,000 rows of cells cost a sixth of an
    upload. The whole XML where the word occurs other than in one opening and one closing tag (a
    cell that says 'sheetData', a second sheetData, an empty <sheetData/>)."""
    begin, end = xml.find(b"sheetData"), xml.rfind(b"sheetData>")
    if begin < 0 or end <= begin or xml.count(b"sheetData") != 2 or not _SHEET_DATA_END.search(
            xml, max(end - 40, 0), end + len(b"sheetData>")):
        return xml
    return xml[:begin] + xml[end:]


_SHEET_DATA_END = re.compile(rb"</(?:\w+:)?sheetData>")


def _personal_in_headers(data: bytes, entries: list[SheetEntry],
                         places: Container[str]) -> list[Message]:
    """Personal data a sheet carries outside its cells: in the header or footer it prints on every
    page ('Kinderlijst Sven Jansen', 'BSN ...'; Pagina-indeling > Kop- en voettekst), behind a
    link in a cell (mailto:sven.jansen@..., tel:06...) and in a choice list typed into the
    check of a cell (Gegevensvalidatie: 'Sven Jansen,Emma Bakker'). Refused naming the sheet,
    and the cell where there is one."""
    import io
    import zipfile
    from html import unescape
    from urllib.parse import unquote

    from data_sources.workbooks import column_number

    found = []
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except DAMAGED_ZIP:
        return []
    with archive:
        for entry in entries:
            if not entry.part.startswith("xl/"):
                continue  # an OpenDocument sheet keeps them in its styles, not read here
            try:
                xml = _outside_cells(entry.xml or archive.read(entry.part))
            except (KeyError, *DAMAGED_ZIP):
                continue
            for match in _HEADER_FOOTER.finditer(xml):
                text = ooxml_text(unescape(match.group(3).decode("utf-8", errors="replace")))
                parts = re.split(r"&[LCR]", text.replace("&&", "\0"))
                kind = next(filter(None, (
                    v.personal_in_text(" ".join(_HEADER_CODES.sub(" ", part).replace("\0", "&")
                                                .split()), reference_dates=True, places=places)
                    for part in parts)), None)
                if kind:
                    where = "koptekst" if match.group(2) == b"Header" else "voettekst"
                    found.append(Message(
                        f"persoonsgegevens geweigerd: de {where} van dit blad (Pagina-indeling > "
                        f"Kop- en voettekst) bevat mogelijk {kind}. Maak de {where} leeg of zet "
                        "er alleen de naam van de organisatie in. " + _PERSONAL_REFUSED,
                        entry.name))
                    break
            links = _HYPERLINK.findall(xml)
            if links:
                folder, _, base = entry.part.rpartition("/")
                try:
                    relations = archive.read(f"{folder}/_rels/{base}.rels")
                except (KeyError, *DAMAGED_ZIP):
                    relations = b""
                targets = {}
                for tag in _RELATIONSHIP.findall(relations):
                    attributes = {k.split(b":")[-1]: val for k, val in _ATTRIBUTE.findall(tag)}
                    targets[attributes.get(b"Id")] = attributes.get(b"Target", b"")
                for tag in links:
                    attributes = {k.split(b":")[-1]: val for k, val in _ATTRIBUTE.findall(tag)}
                    target = unquote(unescape(targets.get(attributes.get(b"id"), b"").decode(
                        "utf-8", errors="replace")))
                    # a person is reached by a mail or phone link; a web page's address is no
                    # person's, and its numbers (a SharePoint document ID) no BSN
                    address = re.match(r"(?:mailto|tel|callto|sms):([^?]*)", target,
                                       re.IGNORECASE)
                    kind = address and v.personal_in_text(address[1], dates=False, places=places)
                    if kind:
                        cell = re.match(r"([A-Z]{1,3})([0-9]+)",
                                        attributes.get(b"ref", b"").decode(errors="replace"))
                        found.append(Message(
                            f"persoonsgegevens geweigerd: de koppeling (hyperlink) in deze cel "
                            f"bevat mogelijk {kind}. Verwijder de koppeling (rechtermuisknop op "
                            "de cel > Koppeling verwijderen). " + _PERSONAL_REFUSED, entry.name,
                            int(cell[2]) if cell else None,
                            column_number(cell[1]) if cell else None))
                        break
            for attributes, formula in _INLINE_LIST.findall(xml):
                text = ooxml_text(unescape(formula.decode("utf-8", errors="replace"))).strip()
                if not (text.startswith('"') and text.endswith('"')):
                    continue  # a range (the template's lists on its sheet Lijsten), no text
                items, names = [item.strip() for item in text[1:-1].split(",")], _NameCount()
                kind = next(filter(None, (v.personal_in_text(item, places=places)
                                          for item in items)), None)
                for item in items if kind is None else ():
                    names.add(item, None, 1, places)
                if names.is_a_name_column():  # 'Sanne,Daan,Emma': a list of children
                    kind = "namen (een lijst met voornamen)"
                elif names.is_a_surname_column():  # 'Jansen,de Vries,Bakker'
                    kind = "namen (een lijst met achternamen)"
                if kind:
                    cells = dict(_ATTRIBUTE.findall(attributes)).get(b"sqref", b"").decode()
                    found.append(Message(
                        f"persoonsgegevens geweigerd: de keuzelijst van cel(len) {cells} "
                        f"(Gegevens > Gegevensvalidatie) bevat mogelijk {kind}. Verwijder die "
                        "keuzelijst of zet er alleen keuzes zonder persoonsgegevens in. "
                        + _PERSONAL_REFUSED, entry.name))
                    break
            for tag in _VALIDATION.findall(xml) if b"rompt" in xml or b"rror" in xml else ():
                attributes = {k.split(b":")[-1]: val for k, val in _ATTRIBUTE.findall(tag)}
                kind = next(filter(None, (
                    v.personal_in_text(ooxml_text(unescape(attributes[key].decode(
                        "utf-8", errors="replace"))), reference_dates=True, places=places)
                    for key in _VALIDATION_TEXTS if attributes.get(key))), None)
                if kind:
                    cells = attributes.get(b"sqref", b"").decode(errors="replace")
                    found.append(Message(
                        f"persoonsgegevens geweigerd: het invoerbericht of de foutmelding van "
                        f"cel(len) {cells} (Gegevens > Gegevensvalidatie) bevat mogelijk {kind}. "
                        "Maak die teksten leeg of zet er alleen uitleg zonder persoonsgegevens "
                        "in. " + _PERSONAL_REFUSED, entry.name))
                    break
    return found


def _personal_in_name_or_value(text: str, places: Container[str], dates: bool = True) -> str | None:
    text = (text or "").strip()
    if re.fullmatch(r"[0-9][0-9 .]*", text) and v.looks_like_bsn(re.sub(r"[ .]", "", text)):
        return "een burgerservicenummer"
    if re.fullmatch(r"\{?[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}\}?|0x[0-9A-Fa-f]+", text):
        return None  # an identifier (a label's GUID, SharePoint's ContentTypeId), not a BSN in it
    # a name of Excel has no spaces: Jan_de_Vries, Jansen_P
    return v.personal_in_text(text.replace("_", " "), dates=dates, reference_dates=True,
                              places=places)


def _small_part(data: bytes, part: str):
    """The parsed XML of a part of at most 256 kB, or None (absent, larger, damaged: the reader
    refuses a damaged file by itself). Raises ValueError for an XML bomb."""
    import io
    import xml.etree.ElementTree as ElementTree
    import zipfile

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            info = archive.getinfo(part)
            if info.file_size > 256 * 1024:
                return None
            return fromstring(archive.read(info), forbid_dtd=True)
    except DefusedXmlException:
        raise ValueError(part) from None
    except (KeyError, ElementTree.ParseError, *DAMAGED_ZIP):
        return None


def _personal_in_comments(data: bytes, places: Container[str]) -> list[Message]:
    """Personal data in a note or comment on any cell of any sheet ('Sven Jansen, geb.
    12-03-2021' beside a count): Kindkaart neither counts nor stores them, but the file may not
    carry them in. The cell is named, the text never."""
    from defusedxml import DefusedXmlException

    found, seen = [], set()
    try:
        comments = workbook_comments(data)
    except DefusedXmlException:
        return [Message(_XML_BOMB)]
    for comment in comments:
        place = (comment.sheet, comment.row, comment.column)
        if place in seen:
            continue  # a threaded comment and the note Excel keeps of it for older versions
        kind = v.personal_in_text(comment.text, reference_dates=True, places=places)
        if kind:
            seen.add(place)
            found.append(Message(
                f"persoonsgegevens geweigerd: de notitie of opmerking bij deze cel bevat mogelijk "
                f"{kind}. Kindkaart leest notities niet mee, maar ook daarin mogen geen "
                "persoonsgegevens staan: verwijder de notitie (rechtermuisknop op de cel > Notitie "
                "of Opmerking verwijderen). " + _PERSONAL_REFUSED,
                comment.sheet, comment.row, comment.column))
    return found


_DRAWINGS = "xl/drawings/"


def _personal_in_text_boxes(data: bytes, entries: list[SheetEntry],
                            places: Container[str]) -> list[Message]:
    """Personal data in a text box or shape on a sheet ('Let op: Sven Jansen, geb. 12-03-2020'
    beside the table), as Excel keeps it in a drawing, or in the title of a chart: each paragraph
    is checked as a note is. The sheet of a drawing is named (its relationship), the text never."""
    import posixpath

    from defusedxml.ElementTree import fromstring, iterparse

    def scan(archive, found: list[Message]) -> None:
        names = set(archive.namelist())
        drawings = sorted(name for name in names if name.startswith((_DRAWINGS, _CHART))
                          and name.endswith(".xml") and "/_rels/" not in name)
        if not drawings:
            return
        sheet_of: dict[str, str] = {}
        for entry in entries:
            folder, file = posixpath.split(entry.part)
            relations = f"{folder}/_rels/{file}.rels"
            if relations not in names or archive.getinfo(relations).file_size > 256 * 1024:
                continue
            for element in fromstring(archive.read(relations), forbid_dtd=True).iter():
                target = element.get("Target") or ""
                if target.endswith(".xml") and "drawings/" in target:
                    sheet_of[posixpath.normpath(posixpath.join(folder, target))] = entry.name
        for part in drawings:
            words: list[str] = []
            with archive.open(part) as stream:
                for _event, element in iterparse(stream, forbid_dtd=True):
                    tag = element.tag.rsplit("}", 1)[-1]
                    if tag == "t" and element.text:
                        words.append(element.text)
                    elif tag == "p":
                        kind = v.personal_in_text("".join(words), reference_dates=True,
                                                  places=places) if words else None
                        words = []
                        element.clear()
                        if kind:
                            found.append(Message(
                                f"persoonsgegevens geweigerd: een tekstvak, vorm of grafiektitel "
                                f"{'op dit blad' if sheet_of.get(part) else 'in dit bestand'} "
                                f"bevat mogelijk {kind}. Kindkaart leest ze niet mee, maar ook "
                                "daarin mogen geen persoonsgegevens staan: verwijder het "
                                "tekstvak of de tekst. " + _PERSONAL_REFUSED,
                                sheet_of.get(part)))
                            break

    return _scan_parts(data, scan)


_PHONETIC_ADVICE = (
    "Excel toont die tekst meestal niet (Start > Fonetische velden weergeven), maar ze staat wel in "
    "het bestand: typ de cel opnieuw in, dan is ze weg. ")
_STRING_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*)>\s*<(?:\w+:)?v>\s*([0-9]+)\s*</")
_TYPE_SHARED = re.compile(rb"""\bt\s*=\s*["']s["']""")
_PHONETIC = re.compile(rb"rPh\b")


def _personal_in_phonetic(data: bytes, entries: list[SheetEntry],
                          places: Container[str]) -> list[Message]:
    """Personal data in the phonetic text of a cell (<rPh>, Japanese furigana, which Excel keeps
    with a text and hides unless asked: Start > Fonetische velden weergeven): no reader gives it as
    the cell's value, yet it is text in the file. Only a shared-strings part or sheet that holds
    'rPh' at all is read further; the cell is named, the text never."""
    import io

    if entries and all(entry.sheet is not None for entry in entries):
        # surveyed whole with calamine: the workbook is plain (reading._plain_workbook), which a
        # workbook with a phonetic text in any sheet or shared text is not
        return []

    from defusedxml.ElementTree import iterparse

    from data_sources.workbooks import column_number

    def phonetic_kind(element) -> str | None:
        texts = [ooxml_text(t.text or "") for run in element.iter()
                 if run.tag.rsplit("}", 1)[-1] == "rPh"
                 for t in run.iter() if t.tag.rsplit("}", 1)[-1] == "t"]
        return next(filter(None, (_personal_in_name_or_value(text, places) for text in texts)),
                    None)

    def message(kind: str, sheet: str | None, address: bytes | str | None) -> Message:
        address = address.decode(errors="replace") if isinstance(address, bytes) else address
        cell = re.fullmatch(r"([A-Z]{1,3})([0-9]{1,7})", address or "")
        return Message(
            f"persoonsgegevens geweigerd: de fonetische tekst bij deze cel bevat mogelijk {kind}. "
            + _PHONETIC_ADVICE + _PERSONAL_REFUSED, sheet, int(cell[2]) if cell else None,
            column_number(cell[1]) if cell else None)

    def scan(archive, found: list[Message]) -> None:
        # the shared texts with personal data in their phonetic text, by index
        shared: dict[int, str] = {}
        if "xl/sharedStrings.xml" in archive.namelist():
            strings = archive.read("xl/sharedStrings.xml")
            if _PHONETIC.search(strings):
                texts = (e for _, e in iterparse(io.BytesIO(strings), forbid_dtd=True)
                         if e.tag.rsplit("}", 1)[-1] == "si")
                for index, element in enumerate(texts):
                    kind = phonetic_kind(element)
                    if kind:
                        shared[index] = kind
                    element.clear()
        for entry in entries:
            if not entry.part.startswith("xl/"):
                continue
            xml = entry.xml or archive.read(entry.part)
            for attributes, number in _STRING_CELL.findall(xml) if shared else ():
                kind = shared.pop(int(number), None)
                if kind and _TYPE_SHARED.search(attributes):
                    found.append(message(kind, entry.name,
                                         dict(_ATTRIBUTE.findall(attributes)).get(b"r")))
                elif kind:
                    shared[int(number)] = kind  # a number cell, not the shared text
            if not _PHONETIC.search(xml):
                continue
            for _event, element in iterparse(io.BytesIO(xml), forbid_dtd=True):
                if element.tag.rsplit("}", 1)[-1] == "c":
                    kind = phonetic_kind(element)
                    if kind:
                        found.append(message(kind, entry.name, element.get("r")))
                    element.clear()
        # a shared text no cell shows still travels in the file
        found += [message(kind, None, None) for kind in shared.values()]

    return _scan_parts(data, scan)


def _scan_parts(data: bytes, scan) -> list[Message]:
    """The messages `scan(archive, found)` adds to `found` while it reads the workbook's parts:
    an XML bomb in any of them is the one message; a damaged part ends the scan with what it found
    (the workbook reader refuses the file by itself)."""
    import io
    import xml.etree.ElementTree as ElementTree
    import zipfile

    from defusedxml import DefusedXmlException

    found: list[Message] = []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            scan(archive, found)
    except DefusedXmlException:
        return [Message(_XML_BOMB)]
    except (KeyError, ElementTree.ParseError, *DAMAGED_ZIP):
        return found
    return found


# Parts that keep a copy of cells Kindkaart does not read: the cache of a pivot table ('draaitabel',
# all rows of its source, also when that sheet was deleted) and the cache of a link to another
# workbook ('externe koppeling', the cells the formulas took from it).
_PIVOT_CACHE, _EXTERNAL_LINK, _CHART = "xl/pivotCache/", "xl/externalLinks/", "xl/charts/"
_COPY_ADVICE = {
    _CHART: ("een grafiek in dit bestand bewaart een kopie van de cellen die ze toont (ook als dat "
             "blad verwijderd is)", "verwijder de grafiek, of maak haar opnieuw van gegevens zonder "
             "namen"),
    _PIVOT_CACHE: ("de draaitabel in dit bestand bewaart een kopie van haar brongegevens (ook als "
                   "dat blad verwijderd is)", "verwijder de draaitabel (of plak haar als waarden: "
                   "kopiëren, Plakken speciaal > Waarden)"),
    _EXTERNAL_LINK: ("de koppeling naar een ander bestand bewaart een kopie van cellen uit dat "
                     "bestand", "verbreek de koppeling (Gegevens > Koppelingen bewerken > "
                     "Koppeling verbreken)"),
}


def _personal_in_copies(data: bytes, places: Container[str]) -> list[Message]:
    """Personal data in the copies a workbook keeps of other cells (_PIVOT_CACHE, _EXTERNAL_LINK,
    and the caches of a chart: _CHART): a pivot table of a list of children carries every name and
    BSN of that list along, a chart every name on its axis. Kindkaart
    neither counts nor stores them, but the file may not carry them in. Only workbooks with such
    parts read anything more. The values are never named."""
    from defusedxml.ElementTree import iterparse

    def scan(archive, found: list[Message]) -> None:
        parts = [name for name in archive.namelist()
                 if name.startswith((_PIVOT_CACHE, _EXTERNAL_LINK, _CHART)) and name.endswith(".xml")]
        for part in parts:
            kind = next(k for k in (_PIVOT_CACHE, _EXTERNAL_LINK, _CHART) if part.startswith(k))
            fields: dict[int, str] = {}
            values: dict[int, list[Any]] = {}
            dates: dict[int, set[str]] = {}
            with archive.open(part) as stream:
                # no DTD, no entities: check_zip looks at the head of each part only
                _cached_values(iterparse(stream, events=("start", "end"), forbid_dtd=True),
                               fields, values, dates)
            what = _personal_in_copy(fields, values, places) or _birth_dates_in_copy(dates)
            if what:
                copy, advice = _COPY_ADVICE[kind]
                found.append(Message(
                    f"persoonsgegevens geweigerd: {copy}, en daarin staan mogelijk {what}. "
                    f"Kindkaart leest die kopie niet mee, maar het bestand mag haar niet "
                    f"bevatten: {advice}. " + _PERSONAL_REFUSED))
                break

    return _scan_parts(data, scan)


def _cached_values(events, fields: dict[int, str], values: dict[int, list[Any]],
                   dates: dict[int, set[str]]) -> None:
    """The values of a pivot cache or external link part by field (a pivot field, or a column of
    the linked sheet: all under -1), the names of the pivot fields, and the distinct dates of each
    field (a date item, `<d v="2021-03-12T00:00:00"/>`)."""
    field_index, position, in_record = -1, 0, False
    for event, element in events:
        tag = element.tag.rsplit("}", 1)[-1]
        if event == "start":
            if tag == "cacheField":
                field_index += 1
                fields[field_index] = element.get("name") or ""
            elif tag == "r":
                position, in_record = 0, True
            continue
        if tag == "d" and element.get("v"):
            dates.setdefault(position if in_record else field_index, set()).add(element.get("v")[:10])
        if tag in ("s", "n") and element.get("v") is not None:
            # a shared item belongs to the field it is listed under; a record's value to its
            # place in the record; a text as Excel shows it (_x0040_ is an @: ooxml_text)
            values.setdefault(position if in_record else field_index, []).append(
                ooxml_text(element.get("v")))
        elif tag == "v" and element.text:
            values.setdefault(-1, []).append(ooxml_text(element.text))
        if in_record and tag in ("s", "n", "x", "b", "d", "e", "m"):
            position += 1
        if tag == "r":
            in_record = False
        if tag in ("r", "cacheField", "cell", "row"):
            element.clear()


def _birth_dates_in_copy(dates: dict[int, set[str]]) -> str | None:
    """A field of many dates on scattered days, as birth dates are, whatever the field is called.
    A series of counting dates (the first or the last day of each month or quarter) passes."""
    for field_dates in dates.values():
        scattered = {day[8:10] for day in field_dates if "02" <= day[8:10] <= "27"}
        if len(field_dates) >= 5 and len(scattered) >= 3:
            return "geboortedatums (een veld met datums op verschillende dagen)"
    return None


def _personal_in_copy(fields: dict[int, str], values: dict[int, list[Any]],
                      places: Container[str]) -> str | None:
    """What personal data the fields and values of a cached copy seem to hold, or None."""
    for name in fields.values():
        kind = _personal_header(name) if name else None
        if kind:
            return kind
    for field_values in values.values():
        names = _NameCount()
        for value in field_values:
            if v.looks_like_bsn(value):
                return "burgerservicenummers"
            kind = v.personal_in_text(value, reference_dates=True, places=places)
            if kind:
                return kind
            names.add(value, None, 1, places)
        if names.is_a_name_column():
            return "namen (een veld met alleen voornamen)"
        if names.is_a_surname_column():
            return "namen (een veld met alleen achternamen)"
    return None


def _data_sheet(entries: list[SheetEntry], result: ValidationResult,
                rtype: RegistrationType) -> SheetEntry | None:
    for entry in entries:
        if normalise(entry.name) == normalise(DATA_SHEET):
            return entry
    skip = {normalise(n) for n in (META_SHEET, INSTRUCTIONS_SHEET, LISTS_SHEET)}
    # a data sheet has its header in the first rows, so the survey's head shows whether it is one
    candidates = [e for e in entries if normalise(e.name) not in skip and e.has_content()]
    if len(candidates) == 1:
        return candidates[0]
    # Several sheets with content and only one with the header of this type: the others are a
    # program's own (Apple Numbers exports an 'Exportoverzicht' sheet first) or the partner's;
    # they are still checked for personal data, and a notice names them as not read.
    with_header = [e for e in candidates if _type_header_row(e, rtype) is not None]
    if len(with_header) == 1:
        chosen = with_header[0]
        names = ", ".join(f"'{sheet_shown(e.name)}'" for e in candidates if e is not chosen)
        result.notices.append(Message(
            f"Kindkaart leest het blad '{sheet_shown(chosen.name)}' (het enige met de kopregel van "
            f"{rtype.key}); {names} {'wordt' if len(candidates) == 2 else 'worden'} niet "
            "gelezen en telt dus niet mee."))
        return chosen
    if not candidates:
        result.messages.append(Message(
            "De werkmap bevat geen gegevens: alle bladen zijn leeg. Vul het blad "
            f"'{DATA_SHEET}' van het sjabloon."))
    else:
        names = ", ".join(f"'{sheet_shown(e.name)}'" for e in candidates)
        result.messages.append(Message(
            f"De werkmap heeft meer bladen met gegevens ({names}) en geen blad '{DATA_SHEET}'. "
            f"Zet de gegevens in één blad met de naam '{DATA_SHEET}'."))
    return None


def _type_header_row(entry: SheetEntry, rtype: RegistrationType) -> int | None:
    """The first row (1-based) of the sheet's head that holds the header of this type (at least
    two of its column names), or None."""
    keys = _column_keys(rtype)
    for r, row in enumerate(entry.head, start=1):
        if len({keys[_header_key(c)].name for c in row if isinstance(c, str)
                and _header_key(c) in keys}) >= min(2, len(rtype.columns)):
            return r
    return None


def _filled_below_header(entry: SheetEntry, rtype: RegistrationType) -> bool:
    """Whether the sheet's head holds the header of this type with a filled row below it."""
    header = _type_header_row(entry, rtype)
    return header is not None and any(
        any(_has_value(cell) for cell in row) for row in entry.head[header:])


_WORKBOOK_VIEW = re.compile(rb"<(?:\w+:)?workbookView\b[^>]*>")
_HIDDEN_VIEW = re.compile(rb"""\bvisibility\s*=\s*["'](?:hidden|veryHidden)["']""")


def _hidden_window(data: bytes) -> list[Message]:
    """A workbook whose every window is hidden (workbookView visibility="hidden", Beeld >
    Verbergen): Excel opens it without showing anything, yet its sheets would be counted. Only a
    workbook whose xl/workbook.xml says 'visibility' at all is looked at further."""
    import io
    import zipfile

    try:
        book = zipfile.ZipFile(io.BytesIO(data)).read("xl/workbook.xml")
    except (KeyError, *DAMAGED_ZIP):
        return []
    if b"visibility" not in book:
        return []
    views = _WORKBOOK_VIEW.findall(book)
    if not views or not all(_HIDDEN_VIEW.search(view) for view in views):
        return []
    return [Message(
        "De werkmap is verborgen: Excel opent haar zonder venster, zodat u de gegevens niet ziet, "
        "maar Kindkaart zou ze wel tellen. Maak de werkmap zichtbaar (Beeld > Zichtbaar maken), "
        "controleer de gegevens en lever het bestand opnieuw aan.")]


# A copy of the data sheet by its name, as Excel ('Gegevens (2)'), LibreOffice ('Gegevens_2') and
# Google Sheets ('Kopie van Gegevens', 'Copy of Gegevens') name one
_COPY_OF_DATA_SHEET = re.compile(rf"^(?:kopie van |copy of )?{normalise(DATA_SHEET)}\b")


def _sheet_problems(entries: list[SheetEntry], chosen: SheetEntry,
                    places: Container[str] = (), rtype: RegistrationType | None = None
                    ) -> list[Message]:
    """A hidden data sheet, a visible copy of it (by its name, or another sheet with the header
    of this type and rows below it: the partner may have filled in the copy), and personal-data
    headers on any other sheet: what a partner sees must be what is counted, and no sheet may
    hold personal data."""
    problems = []
    if not chosen.visible:
        problems.append(Message(
            "is verborgen. Kindkaart leest alleen dit blad, maar u ziet het niet in Excel. Maak "
            "het zichtbaar (klik met de rechtermuisknop op een bladtab > Zichtbaar maken), "
            "controleer de gegevens en lever het bestand opnieuw aan.", chosen.name))
    copies = [e for e in entries if e is not chosen and e.visible and e.has_content()
              and (_COPY_OF_DATA_SHEET.match(normalise(e.name)) or rtype is not None
                   and normalise(e.name) not in _TEMPLATE_SHEETS
                   and _filled_below_header(e, rtype))]
    if copies:
        names = ", ".join(f"'{sheet_shown(e.name)}'" for e in copies)
        problems.append(Message(
            f"De werkmap heeft naast het blad '{sheet_shown(chosen.name)}' ook {names} met "
            f"gegevens. Kindkaart leest alleen '{sheet_shown(chosen.name)}'. Zet de juiste gegevens in dat blad, "
            "verwijder de kopie en lever het bestand opnieuw aan."))
    for entry in _within_budget(entries, chosen):
        if entry is chosen:
            continue  # its columns are checked with their values (_personal_data)
        reported = set()
        # headers such as 'straat' and 'naam', judged by the cells below them (_PLACE_HEADERS)
        pending: dict[int, tuple[int, str, str]] = {}
        below: dict[int, list[Any]] = {}
        headers: list[tuple[int, int, Message]] = []  # by row and column, as the sheet reads
        for r, row in entry.whole_rows():
            for c, cell in enumerate(row, start=1):
                if c in pending:
                    if cell is not None:
                        below[c].append(cell)
                    continue
                if c in reported or not isinstance(cell, str) or len(cell) > 40:
                    continue
                kind = _personal_header(cell)
                if kind:
                    reported.add(c)
                    if _header_key(cell) in _PLACE_HEADERS:
                        pending[c], below[c] = (r, cell, kind), []
                    else:
                        headers.append((r, c, _personal_header_refused(entry.name, r, c, cell, kind)))
        for c, (r, cell, kind) in pending.items():
            if _places_below(_PLACE_HEADERS[_header_key(cell)], below[c], places):
                reported.discard(c)  # a list of locations: its cells are checked as any others
            else:
                headers.append((r, c, _personal_header_refused(entry.name, r, c, cell, kind)))
        problems += [message for _r, _c, message in sorted(headers, key=lambda h: h[:2])]
        if normalise(entry.name) != normalise(META_SHEET):
            problems += _personal_values(_without_own_text(entry, rtype), reported, places)
        else:
            problems += _child_data_on_meta_sheet(entry, reported)
    return problems


# Headers that announce personal data unless their column lists places or organisations: a
# street's name without a number is no address ('straat | Kerkstraat'), and a partner's list of
# locations may head its names 'naam' ('naam | Kinderopvang Smit & Co'). One cell below that is
# neither ('naam | Jansen', 'straat | Dorpsstraat 12', a number) and the header refuses the column.
_PLACE_HEADERS = {"straat": "street", "straatnaam": "street", "naam": "organisation",
                  "namen": "organisation"}


def _places_below(what: str, cells: list[Any], places: Container[str]) -> bool:
    if not cells:
        return False
    if what == "street":
        return all(v.is_street_name(cell) for cell in cells)
    return all(v.is_organisation_name(cell, places) for cell in cells)


def _personal_header_refused(sheet_name: str, row: int, column: int, header: str,
                             kind: str) -> Message:
    return Message(
        f"persoonsgegevens geweigerd: de kolomnaam wijst op {kind}. Ook een blad dat Kindkaart "
        "niet telt, mag geen persoonsgegevens bevatten. " + _PERSONAL_REFUSED, sheet_name, row,
        column, header_or_letter(header.strip(), column))


# The filled cells past their first HEADER_SEARCH_ROWS rows that the search for personal data
# reads on the sheets not counted, all together: every rule costs some 25 µs a text cell, and two
# extra sheets of 20,000 rows of text took 8 s to check when read to their last rows. A list of
# children is found by its first rows; within this budget a sheet of a few thousand rows is read
# whole, and the check of any workbook stays within about half a second.
_SEARCHED_CELLS = 20_000


def _within_budget(entries: list[SheetEntry], chosen: SheetEntry) -> list[SheetEntry]:
    """The sheets, each not counted one read (SheetEntry.last_row) as far as _SEARCHED_CELLS
    filled cells past the first rows of all of them together reach, in the workbook's order."""
    left, limited = _SEARCHED_CELLS, []
    for entry in entries:
        last = None
        if entry is not chosen:
            for r, row in entry.whole_rows():
                if r <= HEADER_SEARCH_ROWS:
                    continue
                filled = sum(1 for cell in row if cell is not None)
                if filled > left:
                    last, left = r - 1, 0
                    break
                left -= filled
        limited.append(entry if last is None else replace(entry, last_row=last))
    return limited


# What no cell of the sheet Organisatie may hold: it may name a contact for questions (name,
# e-mail, telephone: no child's data, not stored), but a child's BSN or birth date stood beside
# the fields unchecked ('Sven Jansen geb. 12-03-2020' in D3, a BSN in F10)
_CHILD_DATA = ("een burgerservicenummer", "een geboortedatum", "de leeftijd van een kind",
               v.NAME_WITH_DATE)


def _child_data_on_meta_sheet(entry: SheetEntry, reported: set[int]) -> list[Message]:
    """A child's BSN, birth date or age in a cell of the sheet Organisatie other than a field's
    value (_personal_in_meta checks those, naming the field). Rows are named, values never."""
    found: dict[int, tuple[str, list[int]]] = {}
    for r, row in enumerate(entry.head, start=1):
        field = len(row) >= 2 and isinstance(row[0], str) and (
            normalise(row[0]).rstrip(":") in _META_KEYS)
        name_at = date_at = age_at = 0
        for c, cell in enumerate(row, start=1):
            if c in reported or cell is None or (field and c == 2):
                continue
            if not age_at and _age_or_birth_year(cell):
                age_at = c
            if isinstance(cell, str):
                kind = v.personal_in_text(cell, dates=False, names=False)
                if kind is None and not name_at and v.is_first_name(cell, capitals=True):
                    name_at = c
                elif kind is None and not date_at and v.looks_like_date_text(cell):
                    date_at = c
            else:
                kind = "een burgerservicenummer" if len(str(cell)) == 9 and v.looks_like_bsn(
                    cell) else None
                date_at = date_at or (c if isinstance(cell, dt.date) else 0)
            if kind in _CHILD_DATA:
                found.setdefault(c, (kind, []))[1].append(r)
        if name_at and (date_at or age_at):  # beside the fields, 'Sanne | 12-03-2021', 'Sanne | 3'
            reason = _name_beside_date(date_at) if date_at else _name_beside_age(age_at)
            found.setdefault(name_at, (reason, []))[1].append(r)
    return [Message(
        f"persoonsgegevens geweigerd: {len(rows)} cel(len) met mogelijk {kind} ({_rows(rows)}). "
        "Op dit blad mag een contactpersoon staan, maar geen gegevens van een kind. "
        + _PERSONAL_REFUSED, entry.name, None, c) for c, (kind, rows) in found.items()]


# Sheets of the template besides Gegevens: Kindkaart's own text, the lists, and the Organisatie
# fields (checked by _personal_in_meta; a contact for questions is no child's data, not stored).
_TEMPLATE_SHEETS = {normalise(n) for n in (META_SHEET, INSTRUCTIONS_SHEET, LISTS_SHEET)}
# Kindkaart's own texts on the template's sheets Toelichting and Lijsten (its lines, the table of
# columns, the choices: template_text.own_texts) are passed over; every other cell of the two is
# checked as any sheet's is: the two were left out, and a BSN or 'Sven Jansen geb. 12-03-2020' on
# the hidden sheet Lijsten went through. Checking the template's own prose cost every upload of
# the template some 3 ms of name searches that can find nothing.
_OWN_TEXT_SHEETS = {normalise(INSTRUCTIONS_SHEET), normalise(LISTS_SHEET)}


def _without_own_text(entry: SheetEntry, rtype: RegistrationType | None) -> SheetEntry:
    if normalise(entry.name) not in _OWN_TEXT_SHEETS:
        return entry
    own = own_texts(rtype.key) if rtype is not None else frozenset({NO_PERSONAL_DATA_LINE})

    def kept(row: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(None if cell.__class__ is str and cell in own else cell for cell in row)

    if entry.sheet is not None:  # read whole: searched to its last row (SheetEntry.whole_rows)
        return SheetEntry(entry.name, entry.state, entry.part, [kept(row) for row in entry.sheet.rows],
                          last_row=entry.last_row)
    far = [(r, c, None if cell.__class__ is str and cell in own else cell)
           for r, c, cell in entry.far]
    return SheetEntry(entry.name, entry.state, entry.part, [kept(row) for row in entry.head],
                      far=far, tail=[(r, kept(row)) for r, row in entry.tail], last_row=entry.last_row)


_NOT_COUNTED = "Ook een blad dat Kindkaart niet telt, mag geen persoonsgegevens bevatten. "


def _personal_values(entry: SheetEntry, reported: Container[int],
                     places: Container[str] = (), where: str = _NOT_COUNTED) -> list[Message]:
    """Per column of a sheet Kindkaart does not count, the cells in its first rows that hold a
    BSN, an e-mail address, a phone number, an address or a name, a column of first names
    ('Kinderlijst': a column of names beside one of ages), and a first name alone with a date in
    the same row ('Sanne | 12-03-2021' under 'kind | geb', _name_beside_date): a partner's own list
    next to the data must not carry them into Kindkaart either. Rows are named, values never."""
    found: dict[int, tuple[str, list[int]]] = {}
    lone: dict[int, _NameCount] = {}
    persons: dict[int, str] = {}  # columns under a header that names persons ('Leerling')
    beside_age: dict[int, tuple[str, list[int]]] = {}  # a first name with an age in its row
    dates: dict[int, list[tuple[int, Any]]] = {}  # the dates of each column, with their rows
    location_numbers = _location_number_columns(entry.whole_rows())
    for r, row in entry.whole_rows():
        name_at = date_at = age_at = postcode_at = 0
        for c, cell in enumerate(row, start=1):
            if c in reported or cell is None:
                continue
            if c not in persons and _names_persons(cell):
                persons[c] = cell.strip()
                continue
            if not age_at and _age_or_birth_year(cell):
                age_at = c
            if postcode_at and c == postcode_at + 1 and _house_number(cell):
                found.setdefault(postcode_at, (_ADDRESS_IN_TWO_CELLS, []))[1].append(r)
            postcode_at = c if cell.__class__ is str and _FULL_POSTCODE.match(cell) else 0
            # a date alone is no birth date here (a counting date), nor with a name after
            # 'per' or 'op' ('Telling per 31-12-2024 door Roos'): reference_dates
            if c in location_numbers and _number_digits(cell):
                continue  # an LRK number that passes the elfproef by chance
            kind = ("een burgerservicenummer" if v.looks_like_bsn(cell) else
                    _MOBILE_AS_NUMBER if v.looks_like_mobile_number(cell) else
                    v.personal_in_text(cell, dates=False, reference_dates=True, places=places)
                    if isinstance(cell, str) else None)
            if kind:
                found.setdefault(c, (kind, []))[1].append(r)
            elif isinstance(cell, str):
                if lone.setdefault(c, _NameCount()).add(cell, r, 1, places):
                    name_at = name_at or c
                elif v.looks_like_date_text(cell):
                    date_at = date_at or c
                    dates.setdefault(c, []).append((r, cell))
            elif isinstance(cell, dt.date):
                date_at = date_at or c
                dates.setdefault(c, []).append((r, cell))
        if name_at and date_at:
            found.setdefault(name_at, (_name_beside_date(date_at), []))[1].append(r)
        elif name_at and age_at:
            beside_age.setdefault(name_at, (_name_beside_age(age_at), []))[1].append(r)
    for c, count in lone.items():
        if c in found:
            continue
        if count.is_a_name_column():
            found[c] = ("een voornaam, in een kolom die een lijst met namen lijkt", count.rows)
        elif count.is_a_surname_column():
            found[c] = ("een achternaam, in een kolom die een lijst met namen lijkt",
                        count.surname_rows())
        elif c in persons and (rows := count.person_names()[1]):
            name = "een voor- of achternaam" if count.surname_cells else "een voornaam"
            found[c] = (f"{name} onder de kolomnaam '{persons[c]}'", rows)
    for c, reason in beside_age.items():
        found.setdefault(c, reason)
    for c, cells in dates.items():
        if c not in found and _birth_dates([day for _r, day in cells]):
            found[c] = (_BIRTH_DATES_COLUMN, [r for r, _day in cells])
    if not found:
        return _rows_of_names(entry.name, entry.whole_rows(), reported, places, where)
    return [Message(
        f"persoonsgegevens geweigerd: {len(rows)} cel(len) met mogelijk {kind} ({_rows(rows)}). "
        + where + _PERSONAL_REFUSED, entry.name, None, c)
        for c, (kind, rows) in found.items()]


# Headers over the numbers of locations and organisations. An LRK number has nine digits, and
# about one in eleven passes the elfproef by chance: a column of them under such a header, most of
# whose numbers fail it, is no list of BSNs (every number of a list of BSNs passes).
_LOCATION_NUMBER_HEADERS = frozenset({
    "lrk", "lrk id", "lrk nummer", "lrknummer", "lrk nr", "lrk registratienummer",
    "registratienummer", "registratienummer lrk", "locatienummer", "locatie nummer", "kvk",
    "kvk nummer", "kvknummer", "kvk nr", "lrk id oko", "nummer lrk"})


def _number_digits(cell: object) -> str:
    if cell.__class__ is int or cell.__class__ is float and cell.is_integer():
        return str(int(cell))
    text = cell.strip() if cell.__class__ is str else ""
    return text if text.isdecimal() else ""


def _location_number_columns(rows: Iterator[tuple[int, Any]]) -> set[int]:
    headers: dict[int, str] = {}
    numbers: Counter[int] = Counter()
    passed: Counter[int] = Counter()
    for _r, row in rows:
        for c, cell in enumerate(row, start=1):
            if cell is None:
                continue
            if c not in headers:
                headers[c] = _header_key(cell) if cell.__class__ is str else ""
            elif headers[c] in _LOCATION_NUMBER_HEADERS and len(_number_digits(cell)) in (8, 9):
                numbers[c] += 1
                passed[c] += v.looks_like_bsn(cell)
    return {c for c, count in numbers.items() if count >= 3 and 2 * passed[c] < count}


def _name_beside_date(column: int) -> str:
    """What a first name alone with a date in its row is: a child's name and birth date, as a
    partner's own list of children holds them ('Sanne | 12-03-2021'), under whatever headers."""
    return (f"een voornaam met in dezelfde rij een datum (kolom {get_column_letter(column)}), "
            "zoals een geboortedatum")


# A column of children's birth dates with no name beside it and no header that says so ('datum',
# or none): at least _LEAST_BIRTH_DATES distinct days, all in the last _CHILD_YEARS years.
_LEAST_BIRTH_DATES, _CHILD_YEARS = 8, 13
_BIRTH_DATES_COLUMN = (f"een geboortedatum, in een kolom met datums op verschillende dagen van de "
                       f"laatste {_CHILD_YEARS} jaar")


def _birth_dates(cells: list[Any]) -> bool:
    """Whether a column's dates (date cells, or date texts) look like children's birth dates:
    at least _LEAST_BIRTH_DATES distinct days, none a timestamp, all in the last _CHILD_YEARS
    years, more than a year apart from first to last, on scattered days of the month (at least
    five different ones, at most a quarter on a month's first or last day), and no series. What
    passes: a series of counting dates (every first or last of the month, the 15th of each month,
    every week or fortnight, every workday), a year's meeting dates, a few dates, older or future
    dates."""
    days = set()
    for cell in cells:
        if isinstance(cell, dt.datetime):
            if cell.time() != dt.time():
                return False  # a moment of a log, not a day of birth
            cell = cell.date()
        elif not isinstance(cell, dt.date):
            cell = v.parse_date(cell)  # a date text (looks_like_date_text read it)
        days.add(cell)
    if len(days) < _LEAST_BIRTH_DATES:
        return False
    today = dt.date.today()
    earliest = dt.date(today.year - _CHILD_YEARS, today.month, min(today.day, 28))
    ordered = sorted(days)
    if ordered[0] < earliest or ordered[-1] > today or (ordered[-1] - ordered[0]).days <= 366:
        return False
    month_edges = sum(day.day == 1 or (day + dt.timedelta(days=1)).day == 1 for day in ordered)
    if month_edges * 4 > len(ordered) or len({day.day for day in ordered}) < 5:
        return False
    gaps = {(later - earlier).days for earlier, later in pairwise(ordered)}
    return len(gaps) > 1 and max(gaps) > 3 and any(gap % 7 for gap in gaps)


_MOBILE_AS_NUMBER = "een telefoonnummer (een 06-nummer als getal, zonder de 0)"
# A postcode of six positions with a house number in the next cell ('1234 AB | 12a'): an address
# typed over two columns, as a partner's own list of children or families holds it. Only on sheets
# Kindkaart does not count: in Gegevens a postcode places a row and the next column is data.
_ADDRESS_IN_TWO_CELLS = "een adres (een postcode met in de cel ernaast een huisnummer)"
_FULL_POSTCODE = re.compile(r"\s*[1-9][0-9]{3}\s?[A-Za-z]{2}\s*$")
_HOUSE_NUMBER = re.compile(r"\s*[1-9][0-9]{0,4}(?:\s?[A-Za-z]|\s?[-/]\s?[0-9A-Za-z]{1,4}|\s+bis)?\s*$")


def _house_number(cell: object) -> bool:
    """A whole number from 1 to 99999, or one with a letter or addition ('12a', '12-2', '3 bis')."""
    if cell.__class__ in (int, float):
        return cell == cell and not cell % 1 and 1 <= cell <= 99_999
    return cell.__class__ is str and _HOUSE_NUMBER.match(cell) is not None


def _name_beside_age(column: int) -> str:
    """What a first name alone with an age or a birth year in its row is ('Sanne | 3' under
    'kind | lft', 'Daan | 2021'): a child's name with what tells how old the child is."""
    return (f"een voornaam met in dezelfde rij een getal dat een leeftijd of geboortejaar kan "
            f"zijn (kolom {get_column_letter(column)})")


def _age_or_birth_year(cell: object) -> bool:
    """A whole number that can be a child's age (0-18) or birth year (the last 19 years)."""
    if cell.__class__ not in (int, float) or cell != cell or cell % 1:
        return False
    this_year = dt.date.today().year
    return 0 <= cell <= 18 or this_year - 18 <= cell <= this_year


def _rows_of_names(sheet_name: str, rows: Iterator[tuple[int, Any]], skipped: Container[int],
                   places: Container[str], where: str = "") -> list[Message]:
    """Rows in which most text cells are a first name alone ('Emma', 'Daan', 'Sven' side by
    side): a list of names typed across instead of down. Columns are named, values never."""
    found = []
    for r, row in rows:
        count = _NameCount(first_names_only=True)
        for c, cell in enumerate(row, start=1):
            if cell.__class__ is str and c not in skipped:
                count.add(cell, c, 1, places)
        if count.is_a_name_column():
            columns = [get_column_letter(c) for c in count.rows]
            shown = (f"kolommen {', '.join(columns[:-1])} en {columns[-1]}" if len(columns) > 1
                     else f"kolom {columns[0]}")
            found.append(Message(
                f"persoonsgegevens geweigerd: {count.names} cel(len) met alleen een voornaam "
                f"({shown}): de rij lijkt een lijst met namen. {where}" + _PERSONAL_REFUSED,
                sheet_name, r))
    return found


# A hyphen that ends a line of a header cell: 'leeftijds-' Alt+Enter 'groep'.
_HYPHEN_AT_LINE_END = re.compile("-[ \t]*(?:\r\n|[\r\n\u2028\u2029])\\s*")


def _header_key(text: object) -> str:
    """A header as it is compared: normalised, a line break a space ('aantal\\nkinderen'). A
    hyphen that ends a line is read as a word broken over two lines ('leeftijds-\\ngroep' is
    'leeftijdsgroep') only where that is unambiguous: the header as typed, the hyphen a space
    ('leeftijds groep'), names no column of any registration type, and the joined word does.
    Characters that show as nothing are left out (as_seen): a soft hyphen pasted along from a
    word processor made 'leeftijds\u00adgroep' no column, and 'ge\u00adboortedatum' no header of
    personal data."""
    text = as_seen(str(text))
    key = normalise(text).replace("/", " ")
    # the hyphen first: _known_header_keys reads the schemas' names through this function
    if not _HYPHEN_AT_LINE_END.search(text) or key in _known_header_keys():
        return key
    joined = normalise(_HYPHEN_AT_LINE_END.sub("", text)).replace("/", " ")
    return joined if joined in _known_header_keys() else key


@cache
def _known_header_keys() -> frozenset[str]:
    return frozenset().union(*(_column_keys(rtype) for rtype in REGISTRATION_TYPES.values()),
                             _REMARK_HEADERS)


def _column_keys(rtype: RegistrationType) -> dict[str, Column]:
    keys = {}
    for column in rtype.columns:
        for name in (column.label, column.name.replace("_", " "), *column.aliases):
            keys.setdefault(_header_key(name), column)
    # A label wins over another column's alias (e.g. 'locatie kinderopvang' vs 'locatie').
    for column in rtype.columns:
        keys[_header_key(column.label)] = column
    return keys


def _find_header(sheet: Sheet, rtype: RegistrationType, result: ValidationResult):
    keys = _column_keys(rtype)
    best_row, best_hits = None, 0
    for r in range(1, min(sheet.max_row, HEADER_SEARCH_ROWS) + 1):
        hits = {keys[_header_key(c)].name for c in sheet.rows[r - 1]
                if isinstance(c, str) and _header_key(c) in keys}
        if len(hits) > best_hits:
            best_row, best_hits = r, len(hits)
    needed = min(2, len(rtype.columns))
    if best_row is None or best_hits < needed:
        labels = ", ".join(f"'{c.label}'" for c in rtype.columns)
        result.messages.append(Message(
            f"geen kopregel gevonden in de eerste {HEADER_SEARCH_ROWS} rijen. Verwachte kolommen "
            f"voor {rtype.key}: {labels}. Gebruik het sjabloon van deze soort.", sheet.name))
        return None, {}, {}
    mapping: dict[int, Column] = {}
    unknown: dict[int, str] = {}
    seen: dict[str, int] = {}
    for c, cell in enumerate(sheet.rows[best_row - 1], start=1):
        if cell is None or (isinstance(cell, str) and not cell.strip()):
            continue
        key = _header_key(cell)
        column = keys.get(key)
        if column is None:
            unknown[c] = str(cell).strip()
        elif column.name in seen:
            result.messages.append(Message(
                f"de kolom '{column.label}' staat twee keer in de kopregel (ook kolom "
                f"{get_column_letter(seen[column.name])}). Verwijder een van beide.",
                sheet.name, best_row, c, str(cell).strip()))
        else:
            seen[column.name] = c
            mapping[c] = column
    if result.messages:
        return None, {}, {}
    if best_row > 1:
        result.notices.append(Message(
            f"de kopregel staat op rij {best_row}; de rijen daarboven zijn overgeslagen.",
            sheet.name))
    return best_row, mapping, unknown


# The cluster column of the templates of speciaal-onderwijs and wachtlijst-so before onderwijssoort
# had its own column held 'sbo' and 'vso' too (migration 0055 moved the uploads stored then).
_OLD_CLUSTERS = {"sbo": "sbo", "vso": "vso", "1": "so", "2": "so", "3": "so", "4": "so"}


def _school_type_from_cluster(sheet: Sheet, rtype: RegistrationType, header_row: int,
                              mapping: dict[int, Column], result: ValidationResult) -> None:
    """A file made with the older template (no column onderwijssoort, 'sbo' or 'vso' in cluster)
    read as migration 0055 read the uploads stored then: onderwijssoort from cluster ('sbo',
    'vso'; a cluster number is so), the cluster of sbo and vso left empty, with a notice. Only
    when every filled row has such a cluster; otherwise the missing column is refused as usual."""
    columns = {column.name: c for c, column in mapping.items()}
    school_type = next((col for col in rtype.columns if col.name == "school_type"), None)
    if school_type is None or "school_type" in columns or "cluster" not in columns:
        return
    c = columns["cluster"]
    body = sheet.rows[header_row:]
    derived = []
    for row in body:
        raw = row[c - 1] if c <= len(row) else None
        key = str(raw).strip().lower() if raw is not None else ""
        if key not in _OLD_CLUSTERS and any(_has_value(x) for x in row):
            return
        derived.append(_OLD_CLUSTERS.get(key))
    if not any(key in ("sbo", "vso") for key in derived):
        return  # cluster numbers alone: nothing says this is the older template
    width = max(len(row) for row in sheet.rows)
    for row, school in zip(body, derived, strict=True):
        if school in ("sbo", "vso"):
            row[c - 1] = None
        row.extend([None] * (width - len(row)))
        row.append(school)
    header = sheet.rows[header_row - 1]
    header.extend([None] * (width - len(header)))
    header.append(school_type.label)
    sheet.rows_changed()  # the columns made of the rows before (Sheet.columns_under) are stale
    mapping[width + 1] = school_type
    result.notices.append(Message(
        "dit bestand volgt het sjabloon van vóór de kolom onderwijssoort (sbo en vso stonden "
        "toen bij cluster). Kindkaart heeft de onderwijssoort uit de kolom cluster gehaald: sbo "
        "en vso, en so bij een clusternummer. Gebruik voortaan het nieuwe sjabloon.",
        sheet.name, header_row, c, "cluster"))


def _personal_data(sheet: Sheet, rtype: RegistrationType, header_row: int,
                   mapping: dict[int, Column], unknown: dict[int, str],
                   places: Container[str] = ()) -> list[Message]:
    """Columns that hold personal data, and personal data in the rows above the header and in
    the header's cells that are no column of the template. Values are counted, never quoted."""
    found = _personal_above_header(sheet, header_row, mapping, places)
    if found:
        return found
    columns = sheet.columns_under(header_row)
    for c, values in enumerate(columns, start=1):
        header = mapping[c].label if c in mapping else unknown.get(c)
        shown_header = _shown_header(sheet, header_row, c)
        kind = _personal_header(header) if header and c in unknown else None
        flagged: dict[Any, str] = {}  # the values refused, and why ('bsn', 'date', 'text')
        column = mapping.get(c)
        # a column of first names ('Emma', 'Daan'): not in a wijk column (a place there is looked
        # up, and an unknown one that is a name is refused by _parse_cell)
        lone = _NameCount() if column is None or column.kind == "text" else None
        # each distinct value is judged once (a per-child file repeats the same few values); equal
        # values of other types (1, 1.0, True) are judged alike, so they may share a count. Only
        # a column that may hold first names needs each value's count here; the others' counts
        # are those of the rows named below (a dict of the distinct values is quicker to make)
        for value, count in (Counter(values) if lone is not None else dict.fromkeys(values, 0)).items():
            if value is None:
                continue
            if v.looks_like_bsn(value):
                flagged[value] = "bsn"
            elif column is None and v.looks_like_mobile_number(value):
                flagged[value] = "phone"
            elif column is None or column.kind != "date":
                if isinstance(value, (dt.date, dt.datetime)) or v.looks_like_date_text(value):
                    if column is not None and column.kind == "choice" and _date_is_choice(
                            value, column):
                        continue
                    if column is not None and column.kind in ("count", "number", "age") and (
                            v.number_shown_as_date(value)):
                        continue  # a number formatted as a date: refused by _parse_cell
                    flagged[value] = "date"
                elif column is None and isinstance(value, str) and v.personal_in_text(
                        value, places=places):
                    flagged[value] = "text"  # template columns: named per cell (_parse_cell)
                elif lone is not None and isinstance(value, str):
                    lone.add(value, None, count, places)
        names, named, what = 0, [], "alleen een voornaam"
        if lone is not None and lone.is_a_name_column():
            names, named = lone.names, lone.values
        elif lone is not None and lone.is_a_surname_column():
            names, named, what = lone.surname_cells, lone.surname_values, "alleen een achternaam"
        elif lone is not None and c in unknown and _names_persons(header):
            names, _named_rows, named = lone.person_names()
        for value in named:
            flagged.setdefault(value, "name")
        # the rows, never the values: a row number is no personal data, and it says where to look
        rows: dict[str, list[int]] = {}
        if flagged:
            for i, value in enumerate(values, start=header_row + 1):
                if value is not None and value in flagged:
                    rows.setdefault(flagged[value], []).append(i)
        bsn, dates, in_text = (len(rows.get(reason, ())) for reason in ("bsn", "date", "text"))
        reasons = []
        if kind:
            reasons.append(f"de kolomnaam wijst op {kind}")
        if bsn:
            reasons.append(f"{bsn} cel(len) met een getal dat een burgerservicenummer kan zijn "
                           f"(9 cijfers die de elfproef doorstaan; {_rows(rows['bsn'])})")
        if dates:
            reasons.append(f"{dates} cel(len) met een volledige datum (mogelijk een "
                           f"geboortedatum; {_rows(rows['date'])})")
        if rows.get("phone"):
            reasons.append(f"{len(rows['phone'])} cel(len) met {_MOBILE_AS_NUMBER} "
                           f"({_rows(rows['phone'])})")
        if in_text:
            reasons.append(f"{in_text} cel(len) met tekst waarin een burgerservicenummer, "
                           "geboortedatum, leeftijd van een kind, e-mailadres, rekeningnummer, "
                           "telefoonnummer, adres of naam van een persoon lijkt te staan "
                           f"({_rows(rows['text'])})")
        if names:
            reasons.append(f"{names} cel(len) met {what}: de kolom lijkt namen van "
                           f"personen te bevatten ({_rows(rows['name'])})")
        if reasons:
            found.append(Message(
                "persoonsgegevens geweigerd: " + "; ".join(reasons) + ". Kindkaart neemt geen "
                "burgerservicenummers, namen, adressen of geboortedatums aan. Verwijder deze kolom "
                "(of de cellen) en lever het bestand opnieuw aan; er is niets opgeslagen.",
                sheet.name, None, c, shown_header if not bsn or kind else header_or_letter(
                    shown_header, c)))
    free = len(columns) - len(mapping)  # cells beside the table: a row of names typed across
    if not found and free >= _NameCount.LEAST:
        found = _rows_of_names(sheet.name, enumerate(sheet.rows[header_row:],
                                                     start=header_row + 1), mapping, places)
    return found


def _personal_above_header(sheet: Sheet, header_row: int, mapping: dict[int, Column],
                           places: Container[str]) -> list[Message]:
    """The rows above the header ('Kinderlijst Sanne Jansen' as a title, skipped as no data) and
    the header cells that name no column of the template ('Sanne Jansen' over an empty column),
    checked as a sheet Kindkaart does not count is (_personal_values)."""
    header = tuple(None if c in mapping else cell
                   for c, cell in enumerate(sheet.rows[header_row - 1], start=1))
    if header_row == 1 and not any(cell.__class__ is str for cell in header):
        return []
    above = SheetEntry(sheet.name, "visible", "", [*map(tuple, sheet.rows[:header_row - 1]), header])
    return _personal_values(above, (), places, "Ook boven en in de kopregel mogen geen "
                                                "persoonsgegevens staan. ")


class PlaceNames(Container[str]):
    """The gemeente, wijk and buurt names of every loaded gemeente and the 342 gemeenten of 2024
    (gemeentenamen), normalised: a place named after a person ('Sint Jan', 'Prins Hendrikpark',
    'Julianadorp', the gemeente Lisse, the wijk Fatima) is no person's name. Read from the store
    only when a cell looks like a name: a national store holds some 17,000 names, and most
    uploads have no cell to look up."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con
        self._names: frozenset[str] | None = None

    def __contains__(self, key: object) -> bool:
        if self._names is None:
            try:
                rows = self._con.execute(
                    "select distinct region_name from regions where region_level in "
                    "('gemeente', 'wijk', 'buurt') and region_name is not null").fetchall()
            except duckdb.Error:
                rows = []  # no regions yet: the upload is refused later for that
            self._names = frozenset(normalise(name) for name in (
                *(name for (name,) in rows), *bundled_names().values()))
        return key in self._names


class _NameCount:
    """The text cells of one column: how many are a first name alone ('Emma') or a name in full
    ('Jan de Vries'), against all text cells that are no number, no month and no known place."""

    SHARE = 0.5   # more than half of the text cells
    LEAST = 3     # and at least three cells: a lone 'Sara' or 'Emma' beside a table is no list

    def __init__(self, first_names_only: bool = False) -> None:
        # first names alone and the text cells they are measured against, no family names or
        # names in lowercase: all a row is judged by (_rows_of_names), and is_surname's check of
        # every other text cell of a sheet not counted was a third of what counting them cost
        self.first_names_only = first_names_only
        self.names = self.texts = 0
        self.rows: list[int] = []
        self.values: list[str] = []
        # first names typed in lowercase ('sanne'), by their name: counted apart, for a column
        # under a header that names persons (person_names)
        self.lowercase: dict[str, list[int]] = {}
        self.lowercase_cells = 0
        self.lowercase_values: list[str] = []
        # common family names alone ('Jansen', 'de Vries'), by their name: a list of persons when
        # there are LEAST distinct ones (is_a_surname_column); one 'Smit' is no list
        self.surnames: dict[str, list[int]] = {}
        self.surname_cells = 0
        self.surname_values: list[str] = []

    def add(self, text: str, row: int | None, times: int, places: Container[str]) -> bool:
        """Count `text`; True when it is a first name alone."""
        word = text.strip()
        if not word or word[0].isdigit():
            return False
        key = normalise(word)
        if key in v.MONTH_NAMES:
            return False
        if v.is_first_name(word, capitals=True):
            if key in places:
                return False
            self.texts += times
            self.names += times
            self.values.append(text)
            if row is not None:
                self.rows.append(row)
            return True
        self.texts += times
        if self.first_names_only:
            return False
        if v.is_surname(word) and key not in places:
            self.surnames.setdefault(key, []).extend([row] if row is not None else [])
            self.surname_cells += times
            self.surname_values.append(text)
            return False
        if word.islower() and v.is_first_name(word.capitalize()) and key not in places:
            self.lowercase.setdefault(key, []).extend([row] if row is not None else [])
            self.lowercase_cells += times
            self.lowercase_values.append(text)
        return False

    def is_a_name_column(self) -> bool:
        return self.names >= self.LEAST and self.names > self.SHARE * self.texts

    def is_a_surname_column(self) -> bool:
        """Family names of the list ('Jansen', 'de Vries', 'Bakker'): LEAST distinct ones, and
        with the first names alone more than half of the text cells."""
        return (len(self.surnames) >= self.LEAST
                and self.surname_cells + self.names > self.SHARE * self.texts)

    def surname_rows(self) -> list[int]:
        return sorted(r for rows in self.surnames.values() for r in rows)

    def person_names(self) -> tuple[int, list[int], list[str]]:
        """For a column under a header that names persons ('Leerling'): how many cells are a first
        name, their rows and their values. One capitalised name is enough; names in lowercase
        ('sanne', 'daan') count only when there are LEAST distinct ones and, with the capitalised
        names, more than half of the text cells: 'roos', 'mark' and 'bas' are words too."""
        names = self.names + self.lowercase_cells
        # a family name of the list under such a header is a person's too ('Leerling | Jansen')
        capitalised = (self.names + self.surname_cells, sorted(self.rows + self.surname_rows()),
                       self.values + self.surname_values)
        if len(self.lowercase) < self.LEAST or names <= self.SHARE * self.texts:
            return capitalised
        rows = sorted(capitalised[1] + [r for rows in self.lowercase.values() for r in rows])
        return names + self.surname_cells, rows, capitalised[2] + self.lowercase_values


def _rows(numbers: list[int], shown: int = 10) -> str:
    """'rij 5', 'rijen 5, 7 en 9', 'rijen 2, 3, ... 11 en nog 4'."""
    if len(numbers) == 1:
        return f"rij {numbers[0]}"
    if len(numbers) <= shown:
        return f"rijen {', '.join(map(str, numbers[:-1]))} en {numbers[-1]}"
    return f"rijen {', '.join(map(str, numbers[:shown]))} en nog {len(numbers) - shown}"


def _personal_header(header: str) -> str | None:
    """What kind of personal data a column header announces ('bsn kind', 'Geboortedatum', ...)."""
    key = _header_key(header)
    if key in _PERSONAL_HEADERS:
        return _PERSONAL_HEADERS[key]
    words = key.split()
    for prefix, kind in (("bsn", "burgerservicenummers"), ("burgerservice", "burgerservicenummers"),
                         ("geboorte", "geboortedatums"), ("voornaam", "namen"),
                         ("achternaam", "namen"), ("roepnaam", "namen"), ("voornamen", "namen"),
                         ("telefoon", "telefoonnummers"), ("emailadres", "e-mailadressen"),
                         ("woonadres", "adressen")):
        if words and words[0].startswith(prefix):
            return kind
    # 'e-mail ouder', 'adres ouders', 'postcode + huisnummer', 'huisnummer kind'
    if key.startswith(("e mail", "email ")) or (words and words[0] == "adres"):
        return "e-mailadressen" if "mail" in key else "adressen"
    if any(word in ("huisnummer", "huisnr") for word in words):
        return "adressen"
    if words and words[0] == "naam" and len(words) > 1 and words[1] in _PERSONS:
        return "namen"
    if words and words[0] in _PERSON_NAME_WORDS:
        return "namen"
    # 'Cliëntnummer', 'leerling nr kind', 'Dossiernummer JGZ'
    if words and (words[0] in _PERSON_NUMBER_HEADERS or " ".join(words[:2]) in _PERSON_NUMBER_HEADERS):
        return PERSON_NUMBERS
    return None


def _names_persons(header: object) -> bool:
    """Whether a header names the persons its column is about ('Leerling', 'Kind', 'Cliënt')."""
    return isinstance(header, str) and len(header) <= 40 and _header_key(header) in _PERSON_ROLE_HEADERS


def header_or_letter(header: str | None, column: int) -> str:
    """The header to name a column by, without echoing a personal value that sits in the header."""
    if header and not v.looks_like_bsn(header) and not v.looks_like_date_text(header):
        return header
    return get_column_letter(column)


def _shown_header(sheet: Sheet, header_row: int, column: int) -> str | None:
    value = sheet.value(header_row, column)
    if value is None:
        return None
    return header_or_letter(str(value).strip(), column)


def _date_is_choice(value: object, column: Column) -> bool:
    if not isinstance(value, dt.datetime):
        return False
    try:
        v.parse_choice(value, column.choices)
    except v.BadValue:
        return False
    return True


def _check_columns(sheet: Sheet, rtype: RegistrationType, header_row: int,
                   mapping: dict[int, Column], unknown: dict[int, str], out: _Collector) -> None:
    present = {col.name for col in mapping.values()}
    joined = _header_over_two_rows(sheet, rtype, header_row, unknown)
    if joined:
        c, label = joined[0]
        out.add(Message(
            f"de kopregel staat over twee rijen (rij {header_row} en {header_row + 1}); Kindkaart "
            f"leest één kopregel. Zet elke kolomnaam in één cel (hier '{label}') en verwijder rij "
            f"{header_row + 1}.", sheet.name, header_row, c, unknown[c]))
        return
    other = _other_template(sheet, rtype, header_row, mapping, unknown)
    if other is not None:  # one message, not 'rename aanbieder to criterium' per column
        out.add(Message(
            f"de kopregel is die van het sjabloon {other.key} ({other.label}), niet van "
            f"{rtype.key} ({rtype.label}). Lever het bestand aan als {other.key}, of vul het "
            f"sjabloon van {rtype.key} in.", sheet.name, header_row))
        return
    for c, header in unknown.items():
        has_data = any(sheet.value(r, c) is not None and str(sheet.value(r, c)).strip()
                       for r in range(header_row + 1, sheet.max_row + 1))
        if has_data and _header_key(header) in _REMARK_HEADERS:
            # a partner's own remarks: checked for personal data (_personal_data), never stored
            out.notices.append(Message(
                f"de kolom '{header}' is geen kolom van het sjabloon; Kindkaart leest en bewaart "
                "haar niet. Wat erin staat, telt dus niet mee: zet een toelichting die ertoe doet "
                "in het blad Organisatie (veld toelichting).", sheet.name, header_row, c, header))
            continue
        if has_data:
            out.add(Message(
                (f"'{header}' is geen kolom van het sjabloon {rtype.key}. Hernoem de kolom naar een "
                 "van: " + ", ".join(f"'{col.label}'" for col in rtype.columns
                                     if col.name not in present)
                 + " of verwijder hem." if len(present) < len(rtype.columns) else
                 f"'{header}' is geen kolom van het sjabloon {rtype.key}. Verwijder de kolom.")
                + _if_hidden(sheet, c), sheet.name, header_row, c, header))
    _check_unnamed_columns(sheet, header_row, mapping, unknown, out)
    for column in rtype.columns:
        if column.required and column.name not in present:
            out.add(Message(
                f"de verplichte kolom '{column.label}' ontbreekt in de kopregel (rij "
                f"{header_row}). {column.help}", sheet.name))


def _other_template(sheet: Sheet, rtype: RegistrationType, header_row: int,
                    mapping: dict[int, Column], unknown: dict[int, str]) -> RegistrationType | None:
    """The registration type whose header this is when it is not that of `rtype`: `rtype` misses
    a required column, and the other type has all of its own, knows every header cell and
    matches more of them (a workbook uploaded under the wrong type)."""
    present = {column.name for column in mapping.values()}
    if not unknown or all(column.name in present for column in rtype.columns if column.required):
        return None
    headers = [cell for cell in sheet.rows[header_row - 1] if isinstance(cell, str)
               and cell.strip() and _header_key(cell) not in _REMARK_HEADERS]
    best, best_hits = None, len(mapping)
    for other in REGISTRATION_TYPES.values():
        if other.key == rtype.key:
            continue
        keys = _column_keys(other)
        if not all(_header_key(cell) in keys for cell in headers):
            continue
        hits = {keys[_header_key(cell)].name for cell in headers}
        if len(hits) > best_hits and all(
                column.name in hits for column in other.columns if column.required):
            best, best_hits = other, len(hits)
    return best


def _header_over_two_rows(sheet: Sheet, rtype: RegistrationType, header_row: int,
                          unknown: dict[int, str]) -> list[tuple[int, str]]:
    """The unknown headers that, joined with the text below them, are a column of the template
    ('leeftijds-' above 'groep'), with that column's label: a header typed over two rows."""
    keys = _column_keys(rtype)
    found = []
    for c, header in unknown.items():
        below = sheet.value(header_row + 1, c)
        if not isinstance(below, str) or not below.strip():
            continue
        top, bottom = header.strip(), below.strip()
        for candidate in (f"{top} {bottom}", f"{top.rstrip('-')}{bottom}"):
            column = keys.get(_header_key(candidate))
            if column is not None:
                found.append((c, column.label))
                break
    return found


def _check_unnamed_columns(sheet: Sheet, header_row: int, mapping: dict[int, Column],
                           unknown: dict[int, str], out: _Collector) -> None:
    """A column without a name in the header row but with values below it would be dropped
    unseen. Numbers (a count whose header is missing) are refused naming the rows, unless they
    are only the running row numbers 0, 1, 2, ... or 1, 2, 3, ... (the index pandas writes with
    to_excel); those and a column of text alone (remarks) are named in a notice. Costs nothing
    for a sheet as wide as its header."""
    body = sheet.rows[header_row:]
    width = max(map(len, body), default=0)
    for c in range(1, width + 1):
        if c in mapping or c in unknown:
            continue
        filled = [(r, row[c - 1]) for r, row in enumerate(body, start=header_row + 1)
                  if c <= len(row) and _has_value(row[c - 1])]
        if not filled:
            continue
        numbers = [value for _r, value in filled if value.__class__ is int]
        if len(numbers) == len(filled) and len(filled) > 1 and (
                numbers == list(range(numbers[0], numbers[0] + len(numbers)))
                and numbers[0] in (0, 1) and filled[-1][0] - filled[0][0] == len(filled) - 1):
            out.notices.append(Message(
                "deze kolom heeft geen kolomnaam en bevat alleen volgnummers "
                f"({numbers[0]} tot en met {numbers[-1]}); Kindkaart leest haar niet.",
                sheet.name, header_row, c))
            continue
        rows = [r for r, _value in filled]
        if not any(_is_number(value) for _r, value in filled):
            # text alone: the partner's remarks, as in a column 'Opmerking' (_REMARK_HEADERS)
            out.notices.append(Message(
                "deze kolom heeft geen kolomnaam; Kindkaart leest en bewaart haar tekst niet "
                f"({'rij' if len(rows) == 1 else 'rijen'} {_row_list(rows)}). Wat erin staat, "
                "telt dus niet mee: zet een toelichting die ertoe doet in het blad Organisatie "
                "(veld toelichting).", sheet.name, header_row, c))
            continue
        out.add(Message(
            "deze kolom heeft geen kolomnaam in de kopregel, maar wel waarden "
            f"({'rij' if len(rows) == 1 else 'rijen'} {_row_list(rows)}). Kindkaart weet niet "
            "wat ze betekenen en zou ze niet meetellen. Zet de juiste kolomnaam van het sjabloon "
            "erboven of verwijder de waarden." + _if_hidden(sheet, c), sheet.name, header_row, c))


def _if_hidden(sheet: Sheet, column: int) -> str:
    """What a message about a column adds when the column is hidden: 'kolom E (controle): ...
    Verwijder de kolom.' sent a partner looking for a column E that Excel did not show."""
    if column not in sheet.hidden_columns:
        return ""
    return (" Deze kolom is verborgen: selecteer de kolommen ernaast en kies rechtsklik > "
            "Zichtbaar maken om hem te zien.")


def _is_number(value: Any) -> bool:
    """A number, a date, or text that reads as a number ('12', '1.234'): a value that counts."""
    if value.__class__ is not str:
        return True
    try:
        v.parse_number(value)
    except v.BadValue:
        return False
    return True


# Headers of a column partners add for their own remarks.
_REMARK_HEADERS = frozenset({"opmerking", "opmerkingen", "toelichting", "notitie", "notities",
                             "commentaar", "memo", "aantekening", "aantekeningen", "remarks",
                             "opmerking partner", "toelichting partner"})


def _check_merged(sheet: Sheet, header_row: int, out: _Collector) -> None:
    for r1, c1, r2, _c2, ref in sheet.merged:
        if r2 >= header_row:
            out.add(Message(
                f"de cellen {ref} zijn samengevoegd. Maak het samenvoegen ongedaan en vul elke "
                "cel apart in.", sheet.name, r1, c1))


def _row_list(rows: list[int]) -> str:
    shown = ", ".join(map(str, rows[:10]))
    return shown + (f" en nog {len(rows) - 10}" if len(rows) > 10 else "")


def _check_hidden(sheet: Sheet, header_row: int, mapping: dict[int, Column],
                  out: _Collector) -> None:
    """Hidden or filtered rows, and hidden columns of the template, would be counted unseen."""
    rows = sorted(r for r in sheet.hidden_rows if header_row < r <= sheet.max_row
                  and any(_has_value(x) for x in sheet.rows[r - 1]))
    if rows:
        word = "rij" if len(rows) == 1 else "rijen"
        out.add(Message(
            f"{word} {_row_list(rows)} {'is' if len(rows) == 1 else 'zijn'} verborgen (ook een "
            "filter of een rijhoogte van 0 verbergt rijen). Kindkaart telt alle rijen, ook verborgen rijen. Maak ze "
            "zichtbaar (Start > Sorteren en filteren > Wissen, of rechtsklik > Zichtbaar maken), "
            "verwijder wat niet meetelt en lever het bestand opnieuw aan.", sheet.name))
    for c in sorted(sheet.hidden_columns & set(mapping)):
        if any(_has_value(sheet.value(r, c)) for r in range(header_row + 1, sheet.max_row + 1)):
            out.add(Message(
                "deze kolom is verborgen, maar telt mee. Maak hem zichtbaar (rechtsklik > "
                "Zichtbaar maken), controleer hem en lever het bestand opnieuw aan.",
                sheet.name, None, c, _shown_header(sheet, header_row, c)))


def _check_reordered(sheet: Sheet, header_row: int, mapping: dict[int, Column],
                     out: _Collector) -> None:
    """A text Excel shows in another order than Kindkaart reads it (values.REORDERING: 'Centrum'
    after U+202E shows as 'murtneC', yet matched the wijk Centrum; a provider so written was
    stored reversed), in a column Kindkaart reads as text: refused naming the cell and the
    character. Numbers have their own rule (values.parse_number). Only a sheet whose XML holds
    such a character at all (Sheet.may_reorder) is looked at cell by cell. So is a text with a
    control character that Excel's escape brought (values.CONTROLS: Sheet.has_controls)."""
    if not (sheet.may_reorder or sheet.has_controls):
        return
    texts = [c for c, column in mapping.items() if column.kind not in _NUMBER_KINDS]
    for r in range(header_row + 1, sheet.max_row + 1):
        for c in texts:
            value = sheet.value(r, c)
            refusal = v.reordered_text(value) or v.control_text(value)
            if refusal:
                out.add(Message(refusal, sheet.name, r, c, _shown_header(sheet, header_row, c)))


_NUMBER_KINDS = ("count", "number", "age")


def _has_value(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _find_gemeente(con: duckdb.DuckDBPyConnection, wanted: object) -> tuple[str, set[str]] | None:
    """The code of a loaded gemeente given by code or by name (any year's), with the names it had
    (every year's), or None."""
    # a code, as the app and the command line pass it: its own few rows, in one query (every
    # upload asks, and each scan of the regions of all gemeenten costs milliseconds)
    code = str(wanted).strip().upper()
    direct = con.execute(
        "select region_name from regions where region_level = 'gemeente' and region_code = ?",
        [code]).fetchall()
    if direct:
        return code, {name for (name,) in direct if name}
    key = normalise(str(wanted))
    found = None
    names: set[str] = set()
    for code, name in con.execute(
            "select distinct region_code, region_name from regions"
            " where region_level = 'gemeente' order by region_code").fetchall():
        if found is None and (normalise(code) == key or (name and normalise(name) == key)):
            found = code
        if code == found and name:
            names.add(name)
    return (found, names) if found is not None else None


def _names_gemeente(code: str, names: set[str], named: object) -> bool:
    """Whether `named` (as typed on the Organisatie sheet: a code or a name of any year) is the
    gemeente `code`, which had `names`."""
    key = normalise(str(named))
    return normalise(code) == key or any(normalise(name) == key for name in names)


def _gemeente(con: duckdb.DuckDBPyConnection, explicit: str | None, meta: dict) -> str:
    named = meta.get("gemeente")
    named = None if named is None or not str(named).strip() else named
    wanted = explicit or named
    if wanted:
        found = _find_gemeente(con, wanted)
        if found is None:
            raise InputRefused(f"Gemeente '{wanted}' is niet geladen in Kindkaart.")
        code, names = found
        if explicit and named is not None and not _names_gemeente(code, names, named):
            # as for organisation and period (importing._check_meta): never store a file filled
            # in for one gemeente under another
            name = con.execute(
                "select arg_max(region_name, year) from regions where region_level = 'gemeente'"
                " and region_code = ?", [code]).fetchone()[0]
            raise InputRefused(
                f"Blad 'Organisatie': het bestand is ingevuld voor gemeente '{v.show(named)}', "
                f"maar wordt aangeleverd voor {name or code}. Kies de juiste gemeente of pas het "
                "blad aan.")
        return code
    gemeenten = con.execute(
        "select region_code from regions where region_level = 'gemeente'"
        " group by region_code order by region_code").fetchall()
    if len(gemeenten) == 1:
        return gemeenten[0][0]
    if not gemeenten:
        raise InputRefused("Er is nog geen gemeente geladen in Kindkaart.")
    raise InputRefused(
        "Er zijn meer gemeenten geladen; geef aan voor welke gemeente dit bestand is "
        "(in het blad 'Organisatie' of met --gemeente)."
    )


def _meta_places(sheets: list[Sheet]) -> dict[str, tuple[str, int]]:
    """Each filled-in Organisatie field's sheet and row, to name its cell in a message."""
    for sheet in sheets:
        if _is_meta_sheet(sheet.name):
            return {key: (sheet.name, r) for key, (r, _value) in _meta_fields(sheet).items()}
    return {}


def _month_first_fields(sheets: list[Sheet]) -> set[str]:
    """The Organisatie fields whose cell shows a date month first (reading.month_first_format)."""
    for sheet in sheets:
        if _is_meta_sheet(sheet.name):
            return {key for key, (r, _value) in _meta_fields(sheet).items()
                    if (r, 2) in sheet.month_first_cells}
    return set()


def _read_two_ways(value: dt.date) -> str:
    """The refusal of a date in a cell that shows it month first (m/d/yyyy), whose day and month
    can trade places: typed as 1-10-2024 with English (US) settings it became 10 January, and
    nothing in the file says which was meant."""
    other = v.swapped_date(value)
    return (f"de datum is op twee manieren te lezen: {v.date_in_words(value)} of "
            f"{v.date_in_words(other)}. De cel toont datums met de maand eerst (m/d/jjjj), zoals "
            "Google Sheets en Excel met Engelse (VS) instellingen: wie daar "
            f"{other.day}-{other.month}-{other.year} typt, krijgt {v.date_in_words(value)}. Zet de "
            "landinstelling op Nederland (Google Sheets: Bestand > Instellingen > "
            "Landinstelling), typ de datum opnieuw in als dd-mm-jjjj en lever het bestand "
            "opnieuw aan.")


def _reference_date(period: Any, meta: dict, result: ValidationResult,
                    places: dict[str, tuple[str, int]],
                    month_first: Container[str] = ()) -> dt.date:
    def in_cell(key: str, text: str) -> Message:
        # 'Blad 'Organisatie', rij 5, kolom B (peildatum): ...'; the field by name without its row
        if key in places:
            sheet, row = places[key]
            return Message(text, sheet, row, 2, key)
        return Message(f"{key}: {text}", META_SHEET)

    if "peildatum" in month_first and v.swapped_date(meta.get("peildatum")) is not None:
        result.messages.append(in_cell("peildatum", _read_two_ways(meta["peildatum"])))
    elif meta.get("peildatum") not in (None, ""):
        try:
            return v.parse_date(meta["peildatum"])
        except v.BadValue as bad:
            result.messages.append(in_cell("peildatum", str(bad)))
    if period:
        try:
            return v.parse_period(v.cell_text(period))[2]
        except v.BadValue as bad:
            if period is meta.get("periode"):
                # no period given with the upload: the Organisatie sheet's period sets the
                # reference date, and an unreadable one must not silently become today
                result.messages.append(in_cell(
                    "periode", f"{bad}" + (" (een datum hoort bij peildatum)"
                                           if isinstance(period, (dt.date, dt.datetime)) else "")))
    return dt.date.today()


def _is_total_row(cells: list[Any]) -> bool:
    for value in cells:
        if isinstance(value, str):
            key = normalise(value)
            if key in _TOTAL_WORDS:
                return True
            # 'Totaal Centrum', 'Subtotaal Centrum', 'Sub-totaal', 'Gemeente totaal'
            words = key.removeprefix("sub ").split()
            if words and (words[0] in _TOTAL_LABEL_WORDS or words[-1] in _TOTAL_LABEL_WORDS):
                return True
    return False


# How a note under or above a table starts: 'Bron: ...', '* voorlopig', 'Noot 1', 'NB', 'Let op'.
_NOTE_START = re.compile(
    r"^\s*(?:\*|\(|bron\b|bronnen\b|noot\b|nb\b|n\.b\.|let op\b|opmerking|toelichting|"
    r"voorlopig|peildatum\b|stand per\b|bijgewerkt\b|definitie\b|cijfers\b|excl\.?\b|incl\.?\b)",
    re.IGNORECASE)


def _note_row(cells: tuple) -> str | None:
    """The refusal of a row that holds only a note ('Bron: eigen registratie', '* voorlopig'):
    one text cell, starting as notes do. None for any other row."""
    filled = [x for x in cells if x is not None and not (x.__class__ is str and not x.strip())]
    if len(filled) != 1 or not isinstance(filled[0], str) or not _NOTE_START.match(filled[0]):
        return None
    found = v.personal_in_text(filled[0], reference_dates=True)
    if found:
        return personal_refusal(found)
    return (f"dit lijkt een notitie ('{v.show(filled[0])}'), geen rij met gegevens. Verwijder "
            "de regel uit dit blad; een bron of toelichting hoort in het blad Organisatie (velden "
            "bron en toelichting), en voorlopige cijfers meldt u daar bij toelichting.")


_BLANK = object()  # a parse outcome: the cell is empty


@dataclass
class _Row:
    """What one distinct set of cells gives: problems (text, column, header), the parsed row, and
    the rows of the sheet it stands for (a per-child file repeats the same cells many times)."""

    problems: list[tuple[str, int | None, str | None]]
    parsed: dict[str, Any] | None
    rows: list[int]
    explicit: bool = False  # the row gives its number of children (else: one row, one child)


def _parse_rows(sheet: Sheet, rtype: RegistrationType, header_row: int,
                mapping: dict[int, Column], index: LocationIndex, reference: dt.date,
                out: _Collector, result: ValidationResult) -> list[tuple[dict[str, Any], int]]:
    """The valid rows as (parsed row, how many sheet rows it stands for); problems go to `out` in
    the order of the sheet. Each distinct set of cells is checked once and each distinct value of
    a column parsed once: a 20,000-row per-child file holds a few hundred and a few dozen."""
    by_name = {col.name: c for c, col in mapping.items()}
    shown = {c: _shown_header(sheet, header_row, c) for c in mapping}
    # a number in a cell shown as a percentage, in a column of numbers: refused by its place
    percent = {(r, c) for r, c in sheet.percent_cells
               if c in mapping and mapping[c].kind in ("count", "number", "age")
               and isinstance(sheet.value(r, c), (int, float))
               and not isinstance(sheet.value(r, c), bool)}
    # a date in a cell that shows it month first, whose day and month can trade places
    two_ways = {(r, c) for r, c in sheet.month_first_cells
                if c in mapping and mapping[c].kind == "date"
                and v.swapped_date(sheet.value(r, c)) is not None}
    # a value that the cell's number format shows as something else ('0,' in thousands, ';;;')
    shown_as = {}
    for (r, c), code in sheet.custom_format_cells.items():
        if c in mapping:
            what = shown_otherwise(code, sheet.value(r, c))
            if what:
                shown_as[(r, c)] = (code, what)
    missing = (sheet.formula_without_value | set(sheet.formula_from_elsewhere) | percent
               | two_ways | set(shown_as))
    hints = _hint_rows(sheet, header_row, mapping, index)
    apart = sheet.table_totals_rows | hints
    body = sheet.rows[header_row:]
    transposed = sheet.columns_under(header_row)
    empty = (None,) * len(body)
    mapped = [transposed[c - 1] if c <= len(transposed) else empty for c in mapping]
    groups: dict[tuple, _Row] = {}
    for r, cells in enumerate(zip(*mapped, strict=True), start=header_row + 1):
        # a cell with a formula but no value, a table's totals row and a row of hints under the
        # header are problems of that row alone
        key = (r, *cells) if (missing and any((r, c) in missing for c in mapping)
                              or r in apart) else cells
        group = groups.get(key)
        if group is None:
            groups[key] = _Row([], None, [r])
        else:
            group.rows.append(r)
    checker = _RowChecker(sheet, rtype, mapping, shown, index, reference, result)
    checker.percent, checker.two_ways, checker.shown_as = percent, two_ways, shown_as
    checker.hints = hints
    problems: list[tuple[int, str, int | None, str | None]] = []
    counted: list[tuple[int, tuple, _Row]] = []
    valid: list[tuple[dict[str, Any], int]] = []
    for key, group in groups.items():
        cells = key[1:] if len(key) > len(mapping) else key
        checker.check(cells, group)
        for r in group.rows:
            problems += [(r, text, c, header) for text, c, header in group.problems]
        if group.parsed is None:
            continue
        row = group.parsed
        if row.get("registration_date") is not None and row.get("waiting_weeks") is None:
            days = (reference - row["registration_date"]).days
            if days < 0:
                c = by_name["registration_date"]
                problems += [(r, f"de datum van aanmelding ligt na de peildatum "
                              f"{reference:%d-%m-%Y}.", c, shown[c]) for r in group.rows]
                continue
            limit = rtype.column("waiting_weeks").maximum
            if limit is not None and days / 7 > limit:
                c = by_name["registration_date"]
                problems += [(r, f"de datum van aanmelding ligt meer dan {v.show(limit)} weken "
                              f"voor de peildatum {reference:%d-%m-%Y}; "
                              f"{rtype.column('waiting_weeks').maximum_reason}.", c, shown[c])
                             for r in group.rows]
                continue
            row["waiting_weeks"] = days / 7
        places, children = row.get("places"), row.get("children_count")
        if (group.explicit and places and children is not None
                and children > MAX_CHILDREN_PER_PLACE * places):
            # a typo (400 for 40) made one place serve 25 children in the model's supply
            # (int_supply__children_per_place), and hid the shortage of places in every wijk
            c = by_name["children_count"]
            problems += [(r, f"{children} kinderen op {places} kindplaatsen kan niet: een "
                          f"kindplaats wordt door hoogstens {MAX_CHILDREN_PER_PLACE} kinderen "
                          "gedeeld (elk één dagdeel per week). Controleer beide aantallen.",
                          c, shown[c]) for r in group.rows]
            continue
        if group.explicit:
            # an explicit count: the same place and breakdown twice is a mistake, not two children
            place = tuple(normalise(str(row.get("_location_raw"))) if col.kind == "location"
                          else row.get(col.name) for col in checker.key_columns)
            counted += [(r, place, group) for r in group.rows]
        else:
            valid.append((row, len(group.rows)))
    if counted and valid and "children_count" in by_name:
        # a table of counts with an empty 'aantal kinderen' here and there: each such row counts
        # as one child, which is right for a per-child row and wrong for an unknown number
        ones = sorted(r for row, _times in valid for r in _rows_of(groups, row))
        c = by_name["children_count"]
        result.notices.append(Message(
            f"{'rij' if len(ones) == 1 else 'rijen'} {_row_list(ones)} {'heeft' if len(ones) == 1 else 'hebben'} "
            "geen aantal kinderen en {} als één kind, terwijl andere rijen een aantal hebben. "
            "Klopt dat niet, vul dan het aantal in (0 als er geen kinderen zijn) of verwijder de "
            "rij.".format("telt" if len(ones) == 1 else "tellen elk"), sheet.name, None, c,
            shown[c]))
    first: dict[tuple, int] = {}
    for r, place, group in sorted(counted, key=lambda item: item[0]):
        if place in first:
            problems.append((r, f"herhaalt rij {first[place]}: dezelfde plaats en indeling staan "
                             "twee keer in het bestand. Tel ze op in één rij of verwijder er één.",
                             None, None))
        else:
            first[place] = r
            valid.append((group.parsed, 1))
    for r, text, c, header in sorted(problems, key=lambda item: item[0]):
        out.add(Message(text, sheet.name, r, c, header))
    return valid


# What a hint under a header looks like: '(aantal)', '[tekst]', a date's pattern ('jjjj-mm-dd',
# 'dd-mm-jjjj'), an instruction ('kies uit de lijst', 'vul in', 'bijv. Centrum', 'optioneel'), or
# what kind of value belongs there ('aantal', 'getal', 'tekst', 'datum', 'wijknaam of postcode').
_HINT = re.compile(
    r"^\s*[(\[].*[)\]]\s*$|\b(?:jjjj|yyyy)\b|\b(?:dd|mm)[-/.](?:mm|dd)\b|"
    r"^\s*(?:kies|selecteer|vul\b|invullen|in te vullen|bijv\b|bijvoorbeeld|b\.v\.|bv\b|"
    r"voorbeeld|optioneel|verplicht|niet verplicht|keuze|zie\b|e\.g\.|leeg\b|eenheid|"
    r"aantal\b|getal|geheel getal|tekst\b|datum\b|naam\b|code\b|wijkcode|wijknaam|postcode\b|"
    r"uren\b|weken\b|in uren|in weken|jaar\b|leeftijd\b|%)", re.IGNORECASE)
# How many rows right under the header are looked at for hints (a second row of examples).
_HINT_ROWS = 2


def _hint_rows(sheet: Sheet, header_row: int, mapping: dict[int, Column],
               index: LocationIndex) -> set[int]:
    """The rows right under the header that explain its columns ('(aantal)', 'jjjj-mm-dd',
    'kies uit de lijst') instead of holding data: every filled cell of the template's columns is
    such a hint, and none is a value of its column (a wijk, a count, a choice, a date). A row
    with one valid value is data, and is checked cell by cell."""
    found = set()
    for r in range(header_row + 1, min(sheet.max_row, header_row + _HINT_ROWS) + 1):
        filled = [(c, sheet.value(r, c)) for c in mapping if _has_value(sheet.value(r, c))]
        if not filled or not all(isinstance(value, str) and _HINT.search(value)
                                 and not _is_value_of(value, mapping[c], index)
                                 for c, value in filled):
            break
        found.add(r)
    return found


def _is_value_of(value: str, column: Column, index: LocationIndex) -> bool:
    """Whether the text `value` is a valid value of `column` (free text is one of none)."""
    try:
        if column.kind == "location":
            index.resolve(value)
        elif column.kind in ("count", "age"):
            v.parse_count(value)
        elif column.kind == "number":
            v.parse_amount(value)
        elif column.kind == "choice":
            v.parse_choice(value, column.choices)
        elif column.kind == "date":
            v.parse_date(value)
        else:
            return False
    except (v.BadValue, UnknownLocation):
        return False
    return True


def _rows_of(groups: dict[tuple, _Row], parsed: dict[str, Any]) -> list[int]:
    return next((g.rows for g in groups.values() if g.parsed is parsed), [])


class _RowChecker:
    """Checks one row's cells against the columns: parse problems, empty required cells, totals."""

    def __init__(self, sheet: Sheet, rtype: RegistrationType, mapping: dict[int, Column],
                 shown: dict[int, str | None], index: LocationIndex, reference: dt.date,
                 result: ValidationResult) -> None:
        self.sheet, self.index = sheet, index
        self.reference, self.result = reference, result
        self.plan = [(c, column, shown[c], column.kind == "location")
                     for c, column in mapping.items()]
        by_name = {col.name: c for c, col in mapping.items()}
        self.required = [(col, by_name[col.name], shown[by_name[col.name]])
                         for col in rtype.columns if col.required and col.name in by_name]
        self.key_columns = [col for col in rtype.columns if col.combine == "key"]
        self.per_child = rtype.per_child and "children_count" in {c.name for c in rtype.columns}
        # per column, the outcome of each distinct value; strings are their own key, other
        # values are keyed with their type (1 == 1.0 == True)
        self.outcomes: dict[int, dict[Any, Any]] = {c: {} for c in mapping}
        self.percent: set[tuple[int, int]] = set()  # numbers shown as a percentage
        self.two_ways: set[tuple[int, int]] = set()  # dates shown month first, day <= 12
        # values the number format shows as something else: (format code, what it shows)
        self.shown_as: dict[tuple[int, int], tuple[str, str]] = {}
        self.hints: set[int] = set()  # rows of hints under the header (_hint_rows)

    def _only_numbers(self, cells: tuple) -> bool:
        """A row with numbers and neither place nor any text: a total without its label."""
        numbers = 0
        for (_c, column, _header, is_location), raw in zip(self.plan, cells, strict=True):
            if raw is None or raw.__class__ is str and not raw.strip():
                continue
            if is_location or column.kind not in ("count", "number"):
                return False
            numbers += 1
        return numbers > 0 and any(is_location for *_x, is_location in self.plan)

    def check(self, cells: tuple, group: _Row) -> None:
        """Fill group.problems and group.parsed (None when the row is invalid or blank)."""
        r = group.rows[0]
        missing = (self.sheet.formula_without_value | set(self.sheet.formula_from_elsewhere)
                   | self.percent | self.two_ways | set(self.shown_as))
        if all(x is None or x.__class__ is str and not x.strip() for x in cells) and not (
                missing and any((r, c) in missing for c, *_ in self.plan)):
            return
        if r in self.sheet.table_totals_rows:
            group.problems.append((
                "dit is de totaalrij van een Excel-tabel. Zet die uit (klik in de tabel > "
                "Tabelontwerp > vinkje bij Totaalrij weg): Kindkaart telt zelf op.", None, None))
            return
        if r in self.hints:
            shown = list(dict.fromkeys(v.show(x) for x in cells if _has_value(x)))[:3]
            group.problems.append((
                "deze rij lijkt een rij met uitleg onder de kopregel ("
                + ", ".join(f"'{text}'" for text in shown) + "), geen gegevens. Haal die rij "
                "weg (de kopregel blijft staan) en lever het bestand opnieuw aan.", None, None))
            return
        note = _note_row(cells)
        if note is not None:
            group.problems.append((note, None, None))
            return
        if _is_total_row(list(cells)) or self._only_numbers(cells):
            group.problems.append((
                "dit lijkt een totaalrij. Verwijder totaal- en subtotaalrijen: Kindkaart telt zelf "
                "op.", None, None))
            return
        row: dict[str, Any] = {"_row": r}
        failed = set()
        for (c, column, header, is_location), raw in zip(self.plan, cells, strict=True):
            if missing and (r, c) in self.sheet.formula_from_elsewhere:
                group.problems.append((
                    f"formule die zijn waarde uit een {self.sheet.formula_from_elsewhere[(r, c)]} "
                    "haalt; Kindkaart telt alleen wat in dit bestand staat. Vervang de formule door "
                    "haar waarde (kopiëren, Plakken speciaal > Waarden) en lever het bestand "
                    "opnieuw aan.", c, header))
                failed.add(c)
                continue
            if missing and (r, c) in self.shown_as:
                _code, what = self.shown_as[(r, c)]
                group.problems.append((
                    f"de celopmaak (een aangepaste getalnotatie) laat Excel hier {what} zien, niet "
                    f"wat Kindkaart telt ('{v.show(raw)}'). Geef de cel de opmaak Standaard (Start > "
                    "Getal), controleer de waarde en lever het bestand opnieuw aan.", c, header))
                failed.add(c)
                continue
            if missing and (r, c) in self.percent:
                group.problems.append((
                    f"de cel is opgemaakt als percentage (Excel toont {raw * 100:g}%); een "
                    "aantal is geen percentage. Vul het aantal in en geef de cel de opmaak "
                    "Standaard of Getal (Start > Getal).", c, header))
                failed.add(c)
                continue
            if missing and (r, c) in self.two_ways:
                group.problems.append((_read_two_ways(raw), c, header))
                failed.add(c)
                continue
            if missing and (r, c) in missing:
                group.problems.append((
                    "formule zonder berekende waarde. Open het bestand in Excel, laat het "
                    "herberekenen en sla het op, of vul de waarde zelf in.", c, header))
                failed.add(c)
                continue
            known = self.outcomes[c]
            key = raw if raw.__class__ is str else (raw.__class__, raw)
            outcome = known.get(key)
            if outcome is None:
                outcome = known[key] = _outcome(raw, column, self.index, self.reference,
                                                self.result, self.sheet, r, c, header)
            if outcome is _BLANK:
                row[column.name] = None
                continue
            if is_location:
                row["_location_raw"] = raw
            good, value = outcome
            if good:
                row[column.name] = value
            else:
                group.problems.append((value, c, header))
                failed.add(c)
        for column, c, header in self.required:
            if row.get(column.name) is None and c not in failed:
                group.problems.append((f"is leeg; vul {column.label} in.", c, header))
                failed.add(c)
        if failed:
            return
        group.explicit = row.get("children_count") is not None
        if not group.explicit and self.per_child:
            row["children_count"] = 1
        group.parsed = row


def _outcome(raw: Any, column: Column, index: LocationIndex, reference: dt.date,
             result: ValidationResult, sheet: Sheet, r: int, c: int, header: str | None) -> Any:
    """_BLANK, (True, parsed value) or (False, the Dutch message) for one cell value."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return _BLANK
    try:
        return True, _parse_cell(raw, column, index, reference, result, sheet, r, c, header)
    except (v.BadValue, UnknownLocation) as bad:
        return False, str(bad)


def _parse_cell(raw: Any, column: Column, index: LocationIndex, reference: dt.date,
                result: ValidationResult, sheet: Sheet, r: int, c: int, header: str | None) -> Any:
    kind = column.kind
    error = v.excel_error(raw)
    if error:
        # openpyxl gives an error cell as its code: neither a value to count nor text to store
        raise v.BadValue(
            f"de cel toont een foutwaarde van Excel ({error}): de formule kan niet worden "
            "berekend. Verbeter de formule of vul de waarde zelf in.")
    if isinstance(raw, str):
        # text is stored (aanbieder, locatie) or quoted back (an unknown wijk): a BSN, birth date
        # or child's age inside it is refused without quoting it
        found = v.personal_in_text(raw, dates=kind != "date", names=kind != "location")
        if found:
            raise v.BadValue(personal_refusal(found))
    if kind == "location":
        try:
            place = index.resolve(raw)
        except UnknownLocation:
            # not a wijk of the gemeente, and typed as a person's name: refused without echoing it
            beside = LocationIndex.name_beside_code(raw) if isinstance(raw, str) else None
            if isinstance(raw, str) and (v.is_first_name(raw) or v.names_in_text(raw) or (
                    beside is not None and v.is_first_name(beside))):
                raise v.BadValue(personal_refusal("de naam van een persoon")) from None
            raise
        if place.notice and not any(n.text == place.notice for n in result.notices):
            # once per postcode: per-child files repeat the same PC4 many times
            result.notices.append(Message(place.notice, sheet.name, r, c, header))
        return place
    try:
        if kind == "count":
            return v.parse_count(raw)
        if kind == "number":
            amount = v.parse_amount(raw)
            if column.maximum is not None and amount > column.maximum:
                raise v.BadValue(f"'{v.show(raw)}' is te groot: meer dan "
                                 f"{v.show(column.maximum)} kan niet; {column.maximum_reason}")
            return amount
    except v.NoNumberWord as word:
        raise v.BadValue(f"{word}. {_instead_of_a_word(column)}") from None
    if kind == "age":
        age = v.parse_count(raw)
        if age > 12:
            raise v.BadValue(f"'{v.show(raw)}' ligt buiten 0 tot en met 12 jaar")
        return age
    if kind == "choice":
        return v.parse_choice(raw, column.choices)
    if kind == "date":
        date = v.parse_date(raw)
        if date > reference:
            raise v.BadValue(f"'{v.show(raw)}' ligt na de peildatum {reference:%d-%m-%Y}")
        return date
    text = v.cell_text(raw)
    if len(text) > 200:
        raise v.BadValue("tekst is langer dan 200 tekens")
    return text


def personal_refusal(found: str) -> str:
    """The refusal of a cell in which personal_in_text found `found`, saying what to type instead.
    An address: a kindercentrum's address is public (LRK), but a gastouder takes care of children
    at home, and that address is personal data; Kindkaart cannot tell the two apart and needs no
    address (the wijk column places the row), so an address is refused in every text cell."""
    if found.startswith("een adres"):
        return (f"persoonsgegevens geweigerd: de cel bevat mogelijk {found}. Kindkaart neemt geen "
                "adressen "
                "aan: het adres van een gastouder is een woonadres (een persoonsgegeven) en de "
                "kolom wijk zegt al waar de rij telt. Vul alleen de naam van de locatie of "
                "organisatie in ('Kinderopvang De Zon', eventueel met het LRK-nummer) en lever het "
                "bestand opnieuw aan; er is niets opgeslagen.")
    if found == "de naam van een persoon":
        return ("persoonsgegevens geweigerd: de cel bevat mogelijk de naam van een persoon "
                "(zoals een voornaam met een achternaam, 'dhr. ...', 'moeder van ...' of "
                "voorletters met een achternaam). Zet in tekstcellen alleen namen van "
                "organisaties, locaties, scholen en groepen, geen namen van kinderen, ouders of "
                "medewerkers, en lever het bestand opnieuw aan; er is niets opgeslagen.")
    return f"persoonsgegevens geweigerd: de cel bevat mogelijk {found}. " + _PERSONAL_REFUSED


def _instead_of_a_word(column: Column) -> str:
    """What to type instead of 'n.v.t.', 'nvt' or '-' in a number column: '-' may mean none or
    unknown, so the partner says which. An empty 'aantal kinderen' of a type that allows one row
    per child counts as one child, so there an unknown number is no empty cell."""
    if column.name == "children_count" and not column.required:
        return ("Zijn er geen kinderen, vul dan 0 in; is het aantal onbekend of niet van "
                "toepassing, verwijder dan de rij (een rij zonder aantal telt als één kind)")
    return ("Zijn er geen, vul dan 0 in; is het onbekend of niet van toepassing, laat de cel dan "
            "leeg")


def aggregate(rtype: RegistrationType, rows: list[tuple[dict[str, Any], int]],
              gemeente_code: str) -> pd.DataFrame:
    """Sum per-child and repeated-place rows into one row per place and breakdown: counts are
    summed (empty when every row is empty), means weighted by children_count. Each row comes with
    the number of sheet rows it stands for."""
    stored = rtype.stored_columns
    names = [c.name for c in stored]
    keys = [c.name for c in stored if c.combine == "key"]
    sums = [c.name for c in stored if c.combine == "sum"]
    means = [c.name for c in stored if c.combine == "mean"]
    weighted = "children_count" in names
    groups: dict[tuple, list[list[Any]]] = {}
    for row, times in rows:
        place = row.get("location")
        key = (gemeente_code, place.wijk_code if place else None,
               place.buurt_code if place else None, *(row.get(k) for k in keys))
        totals = groups.get(key)
        if totals is None:
            # [sums], [weighted sums of the means], [weights of the means]
            totals = groups[key] = [[None] * len(sums), [None] * len(means), [0] * len(means)]
        for i, name in enumerate(sums):
            value = row.get(name)
            if value is not None:
                value *= times
                totals[0][i] = value if totals[0][i] is None else totals[0][i] + value
        if means:
            weight = ((row.get("children_count") or 0) if weighted else 1) * times
            for i, name in enumerate(means):
                value = row.get(name)
                if value is not None:
                    part = value * weight
                    totals[1][i] = part if totals[1][i] is None else totals[1][i] + part
                    totals[2][i] += weight
    columns = ["gemeente_code", "wijk_code", "buurt_code", *names]
    if not groups:
        return pd.DataFrame(columns=columns)
    # sorted as the grouping sorts them, an empty breakdown after every value
    order = sorted(groups, key=lambda k: tuple(_EMPTY_KEY if x is None else x for x in k))
    data: dict[str, list[Any]] = {name: [] for name in columns}
    position = {name: 3 + i for i, name in enumerate(keys)}
    for key in order:
        summed, weighted_sums, weights = groups[key]
        data["gemeente_code"].append(key[0])
        data["wijk_code"].append(key[1])
        data["buurt_code"].append(key[2])
        for name in keys:
            data[name].append(key[position[name]])
        for i, name in enumerate(sums):
            data[name].append(summed[i])
        for i, name in enumerate(means):
            total = weighted_sums[i]
            data[name].append(None if total is None or weights[i] <= 0 else total / weights[i])
    frame = pd.DataFrame({name: pd.Series(values, dtype=object) for name, values in data.items()})
    for column in stored:
        if column.sql_type == "integer":
            frame[column.name] = frame[column.name].astype("Int64")
        elif column.sql_type == "double":
            frame[column.name] = frame[column.name].astype("float64")
    for name in means:
        frame[name] = frame[name].round(2)
    return frame
