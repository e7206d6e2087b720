"""Safe reading of uploaded workbooks: file sniffing, size and zip-bomb limits, cached values."""

from __future__ import annotations

import datetime as dt
import io
import re
import warnings
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain, takewhile, zip_longest
from typing import Any

from data_sources.errors import InputRefused
from data_sources.workbooks import (
    DAMAGED_ZIP,
    ENCRYPTED_MARKER,
    MAX_COMPRESSION_RATIO,
    OLE2_MAGIC,
    PREFIXED_CELL,
    as_transitional,
    cells_beyond,
    cells_bounds,
    check_package,
    filled_cell_beyond,
    is_strict,
    ooxml_text,
    password_protected,
    sheet_names,
    sheet_shown,
    without_empty_cells,
    worksheet_xml,
)
from data_sources.workbooks import check_zip as _check_zip

MAX_FILE_BYTES = 5 * 1024 * 1024          # a real registration is a few hundred kB at most
MAX_UNCOMPRESSED_BYTES = 40 * 1024 * 1024  # sum of the unpacked XML parts
MAX_ROWS = 20_000
MAX_COLUMNS = 60

__all__ = ["DAMAGED_ZIP", "MAX_COMPRESSION_RATIO", "cells_beyond", "check_zip"]


@dataclass
class Sheet:
    """The cells of one worksheet: values (cached results for formulas) by 1-based row/column."""

    name: str
    rows: list[list[Any]]
    formula_without_value: set[tuple[int, int]] = field(default_factory=set)
    # merged ranges as (first row, first column, last row, last column, "A1:B2")
    merged: list[tuple[int, int, int, int, str]] = field(default_factory=list)
    # rows and columns that Excel hides (a filter hides rows too); filled for surveyed sheets
    hidden_rows: set[int] = field(default_factory=set)
    hidden_columns: set[int] = field(default_factory=set)
    # formulas whose value comes from another workbook ('ander bestand') or, through DDE, from
    # another program ('ander programma'): the saved value is whatever they gave back then
    formula_from_elsewhere: dict[tuple[int, int], str] = field(default_factory=dict)
    # cells shown as a percentage (number format 0% or 0,00%): 1 shows as 100%, so a count read
    # from one would be a misread; filled for surveyed sheets
    percent_cells: set[tuple[int, int]] = field(default_factory=set)
    # cells whose date format shows the month first as a number (m/d/yyyy: Google Sheets with
    # English (US) settings): a date typed there as 1-10-2024 became 10 January; filled for
    # surveyed sheets
    month_first_cells: set[tuple[int, int]] = field(default_factory=set)
    # the totals rows of the Excel tables (Invoegen > Tabel) on the sheet; filled for surveyed
    # sheets
    table_totals_rows: set[int] = field(default_factory=set)
    # cells with a number format of their own ('0,' in thousands, ';;;' shows nothing), by that
    # format's code: shown_otherwise says whether Excel shows their value as something else;
    # filled for surveyed sheets
    custom_format_cells: dict[tuple[int, int], str] = field(default_factory=dict)
    # whether the sheet's XML or the shared texts hold a character that shows a text in another
    # order (values.REORDERING), as written or as a character reference: only then are its texts checked one by
    # one; filled for surveyed sheets
    may_reorder: bool = False
    # whether a text decoded from Excel's escapes holds a control character (values.CONTROLS),
    # which XML cannot hold as written: only then are its texts checked for one
    has_controls: bool = False
    # the rows under a header as columns, by the header's row (Sheet.columns_under)
    _columns_under: dict[int, list[tuple[Any, ...]]] = field(default_factory=dict, repr=False,
                                                              compare=False)

    def columns_under(self, header_row: int) -> list[tuple[Any, ...]]:
        """The rows under `header_row` as columns, as wide as the widest row (missing cells
        None): the personal-data scan and the row check both read them (1-2 ms on 20,000 rows).
        Whoever changes the rows calls rows_changed."""
        if header_row not in self._columns_under:
            body = self.rows[header_row:]
            self._columns_under[header_row] = list(zip_longest(*body)) if body else []
        return self._columns_under[header_row]

    def rows_changed(self) -> None:
        """Forget the columns made of the rows (columns_under): the rows were changed."""
        self._columns_under.clear()

    @property
    def max_row(self) -> int:
        return len(self.rows)

    def value(self, row: int, column: int) -> Any:
        """The value at a 1-based row and column (None when empty or outside the sheet)."""
        if 1 <= row <= len(self.rows):
            cells = self.rows[row - 1]
            if 1 <= column <= len(cells):
                return cells[column - 1]
        return None

    def is_empty(self) -> bool:
        return not any(_filled(v) for row in self.rows for v in row)


@dataclass
class SheetEntry:
    """A worksheet as the workbook lists it: name, state ('visible', 'hidden', 'veryHidden'), its
    part in the zip, and its first rows (read without loading the rest of the sheet)."""

    name: str
    state: str
    part: str
    head: list[tuple[Any, ...]]
    # Set when the survey read the whole sheet already (a plain workbook of a few sheets, see
    # _survey_with_calamine): read_workbook then takes it from here instead of reading it again.
    sheet: Sheet | None = field(default=None, repr=False, compare=False)
    xml: bytes | None = field(default=None, repr=False, compare=False)
    # The filled cells of the first rows beyond MAX_COLUMNS, as (row, column, value): a system
    # export pasted beside the data is wider than the head, and its BSN column at BT was never
    # looked at. Kept apart, not in `head`: one cell at XFD1 would make every row 16,384 wide.
    far: list[tuple[int, int, Any]] = field(default_factory=list, repr=False, compare=False)
    # The filled rows past the head that the streaming survey read on to (survey_workbook's
    # `search_rows`), as (row, values) at most MAX_COLUMNS wide: a list of children from row 40
    # of a sheet not counted was never looked at.
    tail: list[tuple[int, tuple[Any, ...]]] = field(default_factory=list, repr=False,
                                                    compare=False)
    # The last row the search for personal data reads (None: every row read), set by the check
    # so that all sheets not counted together stay within its budget of cells.
    last_row: int | None = field(default=None, repr=False, compare=False)

    @property
    def visible(self) -> bool:
        return self.state == "visible"

    def whole_rows(self) -> Iterator[tuple[int, tuple[Any, ...]]]:
        """Every row the survey read, with its number, each as wide as its last filled cell, for
        the checks that must see every cell of a sheet not counted: the whole sheet where the
        survey read it whole (`sheet`), else the head, the rows past it (`tail`) and the cells
        beyond MAX_COLUMNS (`far`) together; up to `last_row` where that is set."""
        rows = self._whole_rows()
        yield from (rows if self.last_row is None else takewhile(lambda r: r[0] <= self.last_row, rows))

    def _whole_rows(self) -> Iterator[tuple[int, tuple[Any, ...]]]:
        if self.sheet is not None:
            yield from enumerate(map(tuple, self.sheet.rows), start=1)
            return
        beyond: dict[int, list[tuple[int, Any]]] = {}
        for r, c, value in self.far:
            beyond.setdefault(r, []).append((c, value))
        for r, row in chain(enumerate(self.head, start=1), self.tail):
            if r not in beyond:
                yield r, row
                continue
            cells = list(row) + [None] * (MAX_COLUMNS - len(row))
            cells += [None] * (max(c for c, _ in beyond[r]) - len(cells))
            for c, value in beyond[r]:
                cells[c - 1] = value
            yield r, tuple(cells)

    def has_content(self) -> bool:
        """True when the first rows hold a value."""
        return any(_filled(v) for row in self.head for v in row)


def _filled(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def sniff(data: bytes, file_name: str = "") -> None:
    """Refuse, with a Dutch message, anything that is not a modern Excel workbook of sane size."""
    shown = f"'{file_name}'" if file_name else "Het bestand"
    if not data:
        raise InputRefused(f"{shown} is leeg (0 bytes).")
    if len(data) > MAX_FILE_BYTES:
        raise InputRefused(
            f"{shown} is {len(data) / 1024 / 1024:.1f} MB; een registratie mag hoogstens "
            f"{MAX_FILE_BYTES // 1024 // 1024} MB zijn. Lever alleen het blad met de gegevens aan "
            "(bij heel veel kinderen: tel per wijk op in plaats van één rij per kind)."
        )
    if data.startswith(OLE2_MAGIC):
        if ENCRYPTED_MARKER in data:
            raise password_protected(shown)
        raise InputRefused(
            f"{shown} is een oud Excel-bestand (.xls, Excel 97-2003). Open het in Excel en kies "
            "Opslaan als > Excel-werkmap (.xlsx)."
        )
    if not data.startswith(b"PK\x03\x04"):
        # a PDF (Opslaan als PDF, or printed to one) was called a text file like a CSV, whose
        # remedy (open it in Excel and save it as a workbook) a PDF does not have
        if b"%PDF-" in data[:1024]:
            raise InputRefused(
                f"{shown} is geen Excel-werkmap maar een PDF-bestand. Kindkaart leest geen cijfers "
                "uit een PDF: lever het Excel-bestand aan waaruit de PDF is gemaakt (.xlsx), of "
                "gebruik het sjabloon.")
        saved_as = _saved_as_text(data)
        if saved_as:
            raise InputRefused(
                f"{shown} is geen Excel-werkmap maar {saved_as}. Open het in Excel en kies "
                "Opslaan als > Excel-werkmap (.xlsx), of gebruik het sjabloon.")
        if _looks_like_text(data):
            # a .csv is what it says it is; text under another name may be a CSV renamed
            what = ("een CSV-bestand (tekst)" if file_name.lower().endswith((".csv", ".txt")) else
                    "een tekstbestand (bijvoorbeeld CSV met een andere extensie)")
            raise InputRefused(
                f"{shown} is geen Excel-werkmap maar {what}. Open het in Excel en sla het op als "
                "Excel-werkmap (.xlsx), of gebruik het sjabloon."
            )
        raise InputRefused(
            f"{shown} is geen Excel-werkmap (.xlsx). Gebruik het sjabloon van Kindkaart."
        )
    archive = check_zip(data, shown)
    names = set(archive.namelist())
    if "mimetype" in names and "xl/workbook.xml" not in names:
        raise InputRefused(
            f"{shown} is een OpenDocument-bestand (.ods). Sla het op als Excel-werkmap (.xlsx)."
        )
    if "xl/workbook.bin" in names:
        raise InputRefused(
            f"{shown} is een binaire Excel-werkmap (.xlsb). Open het in Excel en sla het op als "
            "Excel-werkmap (.xlsx).")
    if "xl/workbook.xml" not in names:
        raise InputRefused(
            f"{shown} is geen Excel-werkmap (het is een ander soort zip- of Office-bestand). "
            "Gebruik het sjabloon van Kindkaart."
        )
    try:
        check_package(archive, shown)
    except DAMAGED_ZIP:
        pass  # a damaged part: the reader words the refusal


def transitional(data: bytes, file_name: str = "") -> bytes:
    """The uploaded workbook as the readers here take it: a Strict Open XML workbook (Excel's
    'Strict Open XML-werkmap') mapped to the usual namespaces (workbooks.as_transitional), after
    the same checks on zip and XML bombs as any upload; every other file as it is, at the cost of
    reading the head of its xl/workbook.xml (sniff refuses what is no workbook)."""
    if not data.startswith(b"PK\x03\x04") or len(data) > MAX_FILE_BYTES:
        return data
    try:
        if not is_strict(zipfile.ZipFile(io.BytesIO(data))):
            return data
    except (KeyError, *DAMAGED_ZIP):
        return data  # damaged: sniff or the reader words the refusal
    shown = f"'{file_name}'" if file_name else "Het bestand"
    archive = check_zip(data, shown)
    try:
        return as_transitional(archive, shown, max_uncompressed=MAX_UNCOMPRESSED_BYTES)
    except DAMAGED_ZIP:
        raise InputRefused(
            f"{shown} is beschadigd en kan niet worden gelezen. Sla het in Excel opnieuw op als "
            ".xlsx.") from None


def check_zip(data: bytes, shown: str, *, max_uncompressed: int = MAX_UNCOMPRESSED_BYTES,
              kind: str = "een registratie") -> zipfile.ZipFile:
    """workbooks.check_zip with the unpacked size of a registration."""
    return _check_zip(data, shown, max_uncompressed=max_uncompressed, kind=kind)


# What Excel writes as text under another name: 'Opslaan als webpagina' (HTML, or one file with
# everything in it, .mht), 'XML-werkblad 2003', and 'Unicode-tekst' (UTF-16 with a byte-order
# mark, which the check for text below takes for binary).
_SAVED_AS_TEXT = (
    (re.compile(r"^\s*(?:<\?xml[^>]*>\s*)?(?:<!doctype html|<html)|<table\b", re.IGNORECASE),
     "een webpagina (HTML, zoals Excel die bij 'Opslaan als webpagina' maakt)"),
    (re.compile(r"^mime-version:.*?\bcontent-type: multipart/related", re.IGNORECASE | re.DOTALL),
     "een webpagina in één bestand (.mht, 'Opslaan als webpagina')"),
    (re.compile(r"progid=\"Excel\.Sheet\"|urn:schemas-microsoft-com:office:spreadsheet"),
     "een XML-werkblad 2003 (.xml)"),
)


def _saved_as_text(data: bytes) -> str | None:
    """What text format Excel saved `data` in under a workbook's name (_SAVED_AS_TEXT), or None."""
    head = data[:4096]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", errors="replace")
    else:
        text = head.decode("utf-8", errors="replace")
    for pattern, what in _SAVED_AS_TEXT:
        if pattern.search(text):
            return what
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) and "\x00" not in text:
        return "Unicode-tekst (een tekstbestand, zoals Excel dat bij 'Opslaan als Unicode-tekst' maakt)"
    return None


def _looks_like_text(data: bytes) -> bool:
    head = data[:4096]
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        try:
            head.decode("cp1252")
        except UnicodeDecodeError:
            return False
    return True


def survey_workbook(data: bytes, file_name: str = "", head_rows: int = 30, search_rows: int = 0,
                    search: Callable[[str], bool] = lambda name: True) -> list[SheetEntry]:
    """Every worksheet of an uploaded .xlsx with its state and first `head_rows` rows (at most
    MAX_COLUMNS wide); raises InputRefused. Streams each sheet and stops after its head, so a
    workbook of hundreds of sheets costs little: only the sheets chosen from this survey are then
    read whole (read_workbook). A sheet whose name `search` takes is streamed on to row
    `search_rows`, its filled rows past the head kept apart (SheetEntry.tail), until MAX_ROWS rows
    past the heads are read in all (hundreds of sheets of thousands of rows stay bounded). A plain
    workbook of a few sheets is read whole (_survey_with_calamine)."""
    sniff(data, file_name)
    surveyed = _survey_with_calamine(data, head_rows)
    if surveyed is not None:
        return surveyed
    shown = f"'{file_name}'" if file_name else "Het bestand"
    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                entries, rows_left = [], MAX_ROWS  # past the heads, for all sheets together
                for ws in book.worksheets:
                    deeper = min(search_rows, head_rows + rows_left) if search(ws.title) else 0
                    entries.append(_streamed_entry(ws, head_rows, deeper))
                    if entries[-1].tail:
                        rows_left -= entries[-1].tail[-1][0] - head_rows
            finally:
                book.close()
    except Exception as exc:  # openpyxl raises many kinds; a refusal names none of its internals
        raise _unreadable(exc, shown, data) from None
    return entries


# At most this many cells beyond MAX_COLUMNS are kept of a sheet's head (SheetEntry.far): a
# partner's export fills a few dozen columns more; the bound keeps a file of thousands of
# far cells on hundreds of sheets from taking the memory.
MAX_FAR_CELLS = 5_000


def _streamed_entry(ws: Any, head_rows: int, search_rows: int = 0) -> SheetEntry:
    """A sheet's entry from openpyxl's streaming reader: its first `head_rows` rows, MAX_COLUMNS
    wide, the filled rows after them up to row `search_rows` (`tail`), and the filled cells beyond
    (`far`). The rows are read as wide as their last cell, not as wide as the sheet's recorded
    size says (`reset_dimensions`): a program may record A1."""
    ws.reset_dimensions()
    head, far, tail = [], [], []
    rows = ws.iter_rows(min_row=1, max_row=max(head_rows, search_rows), values_only=True)
    for r, row in enumerate(rows, start=1):
        if r > head_rows:
            if any(value is not None for value in row):
                row = _decoded(row)
                tail.append((r, tuple(row[:MAX_COLUMNS])))
            else:
                continue
        else:
            row = _decoded(row)
            head.append(tuple(row[:MAX_COLUMNS]) + (None,) * (MAX_COLUMNS - len(row)))
        for c in range(MAX_COLUMNS, len(row)):
            if row[c] is not None and len(far) < MAX_FAR_CELLS:
                far.append((r, c + 1, row[c]))
    return SheetEntry(ws.title, ws.sheet_state or "visible", str(ws._worksheet_path).lstrip("/"),
                      head, far=far, tail=tail)


# A plain workbook of at most this many worksheets is surveyed by reading every sheet whole with
# calamine (the template has four): cheaper than openpyxl's streaming survey and then reading the
# chosen sheets a second time. Each sheet is within MAX_ROWS x MAX_COLUMNS (_plain_workbook checks
# that on the XML first), so memory stays bounded; a workbook of more sheets is surveyed by head.
SURVEY_WHOLE_SHEETS = 6
_PLAIN_WORKBOOK_TYPE = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
_TRANSITIONAL_MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_STATES = {"Visible": "visible", "Hidden": "hidden", "VeryHidden": "veryHidden"}


def _survey_with_calamine(data: bytes, head_rows: int) -> list[SheetEntry] | None:
    """The survey of a plain workbook of a few sheets, each entry holding its whole sheet and its
    XML; None when the workbook is not plain, has more sheets, or calamine cannot read it (the
    streaming survey with openpyxl then reads it, or words the refusal)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        # only an ordinary workbook: a macro workbook, a template or Strict Open XML goes the way
        # that words their refusal or reads them
        types, workbook = archive.read("[Content_Types].xml"), archive.read("xl/workbook.xml")
        if (_PLAIN_WORKBOOK_TYPE not in types or b"macroEnabled" in types
                or _TRANSITIONAL_MAIN not in workbook):
            return None
        parts = {name: part for part, name in sheet_names(archive).items()}
        if not parts or len(parts) > SURVEY_WHOLE_SHEETS:
            return None
        read_parts: dict[str, bytes] = {}
        if not _plain_workbook(data, None, read_parts):
            return None
    except (KeyError, *DAMAGED_ZIP):
        return None
    states: dict[str, str] = {}
    sheets = _read_with_calamine(data, states=states)
    if sheets is None or any(sheet.name not in parts for sheet in sheets):
        return None
    entries = []
    for sheet in sheets:
        head = [tuple(row[:MAX_COLUMNS]) + (None,) * (MAX_COLUMNS - len(row))
                for row in sheet.rows[:head_rows]]
        part = parts[sheet.name]
        entries.append(SheetEntry(sheet.name, states[sheet.name], part, head, sheet,
                                  read_parts.get(part)))
    return entries


def read_workbook(data: bytes, file_name: str = "", fast: bool = True,
                  only: Sequence[SheetEntry] | None = None) -> list[Sheet]:
    """The worksheets of an uploaded .xlsx (every one, or `only` those surveyed entries, with
    their hidden rows and columns), with cached formula values; raises InputRefused.

    Plain workbooks (no formulas, error cells or escaped characters; within the size limits) are
    read with python-calamine, about fifteen times faster than openpyxl; everything else, and
    anything calamine cannot read, goes through openpyxl, which also words the refusals. Both give
    the same cells (tests/test_registrations_reading.py compares them on odd files)."""
    sniff(data, file_name)
    names = None if only is None else {entry.name for entry in only}
    parts = None if only is None else {entry.part for entry in only}
    read_parts: dict[str, bytes] = {}  # the sheets' XML as _plain_workbook unpacked it, once
    if fast and only and all(entry.sheet is not None for entry in only):
        # the survey read these sheets whole already (_survey_with_calamine)
        sheets = [entry.sheet for entry in only]
        read_parts = {entry.part: entry.xml for entry in only if entry.xml is not None}
        read_by_calamine = True
    else:
        try:
            plain = fast and _plain_workbook(data, parts, read_parts)
        except DAMAGED_ZIP:
            plain = False  # a damaged part: openpyxl reads what it can or words the refusal
        sheets = _read_with_calamine(data, names) if plain else None
        read_by_calamine = sheets is not None
        if sheets is None:
            sheets = _read_with_openpyxl(data, file_name, names)
    for entry in only or ():
        for sheet in sheets:
            if sheet.name == entry.name:
                xml = read_parts.get(entry.part)
                if xml is None:  # read by openpyxl: unpacked once for the checks below
                    try:
                        xml = read_parts[entry.part] = zipfile.ZipFile(
                            io.BytesIO(data)).read(entry.part)
                    except (KeyError, *DAMAGED_ZIP):
                        xml = None
                if xml is not None:
                    _refuse_cells_twice(sheet, xml, file_name, read_by_calamine)
                    _refuse_text_reference_damaged(sheet, xml, file_name)
                sheet.hidden_rows, sheet.hidden_columns = _hidden_rows_and_columns(
                    data, entry.part, xml)
                (sheet.percent_cells, sheet.month_first_cells,
                 sheet.custom_format_cells) = _formatted_cells(data, entry.part, xml)
                sheet.table_totals_rows = _table_totals_rows(data, entry.part)
                sheet.may_reorder = sheet.may_reorder or _may_reorder(data, entry.part, xml)
    return sheets


# every cell with its address, filled or empty, in the order of the sheet's XML: as Excel and
# calamine write a cell (the address first, in double quotes), and in any spelling XML allows
_CELL_ADDRESS_PLAIN = re.compile(rb"""<c\b[^>]*?\br\s*=\s*["']([A-Z]{1,3}[0-9]{1,7})["']""")
_CELL_ADDRESS_ANY = re.compile(
    rb"""<(?:\w+:)?c\b[^>]*?\br\s*=\s*["']([A-Z]{1,3}[0-9]{1,7})["']""")
_SELF_CLOSING = re.compile(rb"/>")
# the number of each row as Excel writes it (r first); b'' for a row without r first
_ROW_NUMBER = re.compile(rb'<row\b(?: r="([0-9]+)")?')
_ROW_TAG_ANY = re.compile(rb"<(?:\w+:)?row\b([^>]*)>")
_ROW_ATTRIBUTE = re.compile(rb"""(?:^|\s)r\s*=\s*["']([0-9]+)["']""")
_ROW_NUMBERS: list[bytes] = []  # b'1', b'2', ...: what the rows of most sheets are


# a cell that refers to a shared text (t="s") by something other than its number: '-1', '1.5',
# 'abc', ' 4 '. calamine read such a cell as the first text of the workbook and openpyxl '-1' as
# the last ('wijk' or 'SES' where Centrum stood); an empty reference is an empty cell to both. The
# search starts at the '=' of an attribute whose value is s (spaces around '=' are legal XML), a
# few milliseconds on 20,000 rows; a find is a damaged cell only when that attribute is the type
# (_CELL_TYPE_TEXT), as it is in every cell that programs write so.
_TEXT_REFERENCE_DAMAGED = re.compile(rb"""=\s*["']s["'][^>]*>\s*<(?:\w+:)?v>(?![0-9]*<)""")
_CELL_TYPE_TEXT = re.compile(rb"""\st\s*=\s*["']s["']""")
_CELL_ADDRESS = re.compile(rb"""\br\s*=\s*["']([A-Z]{1,3})([0-9]{1,7})["']""")


def _refuse_text_reference_damaged(sheet: Sheet, xml: bytes, file_name: str) -> None:
    """Refuse a sheet with a cell whose reference to a shared text is no number: both readers
    read another text than the cell's, Excel calls the file damaged."""
    begin, end = cells_bounds(xml)
    start = begin
    while (found := _TEXT_REFERENCE_DAMAGED.search(xml, start, end)) is not None:
        tag = xml[max(xml.rfind(b"<", begin, found.start()), begin):found.end()]
        if _CELL_TYPE_TEXT.search(tag):
            break
        start = found.end()
    else:
        return
    shown = f"'{file_name}'" if file_name else "Het bestand"
    address = _CELL_ADDRESS.search(tag)
    if address is None:
        raise InputRefused(f"Blad '{sheet_shown(sheet.name)}': {shown} is beschadigd: een cel "
                           f"verwijst naar een tekst die niet in het bestand staat. {_REPAIR}")
    column, row = address.group(1).decode(), int(address.group(2))
    raise InputRefused(
        f"Blad '{sheet_shown(sheet.name)}', rij {row}, kolom {column}: {shown} is beschadigd: cel "
        f"{column}{row} verwijst naar een tekst die niet in het bestand staat. {_REPAIR}")


def _refuse_cells_twice(sheet: Sheet, xml: bytes, file_name: str, plain: bool = False) -> None:
    """Refuse a sheet that writes a cell twice (<c r="D3"> twice in one row, or again in a second
    <row r="3">, also when one copy is empty: <c r="D3" s="1"/>), or its rows out of order
    (<row r="5"> before <row r="3">, or a row twice): calamine and openpyxl may take different
    copies, Excel another (or drops what follows when it repairs the file), so what is checked
    and seen would not be what is counted. Also a cell in another row than its <row> holds
    (<row r="3"><c r="D7">) or after a cell to its right (D3 before B3): both readers place it by
    its address, Excel repairs the file and leaves cells out (ORDER_CHECKED_BYTES: where).
    `plain`: the sheet was read by calamine, so its XML
    has no prefixed cells and every filled cell starts <c r=" (reading._plain_workbook).

    The first test counts: as many values read as cells with a closing tag, and no element
    closed by '/>' (an empty cell), means no two cells share an address; the row numbers as Excel
    writes them (1, 2, 3 ...) are compared as a whole. On 20,000 rows that costs a count and two
    searches of a literal (a few milliseconds); only otherwise are the addresses compared."""
    from itertools import repeat

    begin, end = cells_bounds(xml)
    shown = f"'{file_name}'" if file_name else "Het bestand"
    if not (plain and _SELF_CLOSING.search(xml, begin, end) is None and xml.count(
            b"</c>", begin, end) == sum(map(len, sheet.rows)) - sum(
                map(list.count, sheet.rows, repeat(None)))):
        cells = (_CELL_ADDRESS_PLAIN if plain else _CELL_ADDRESS_ANY).findall(xml, begin, end)
        if len(set(cells)) != len(cells):
            seen: set[bytes] = set()
            for cell in cells:
                if cell in seen:
                    where = re.fullmatch(r"([A-Z]+)([0-9]+)", cell.decode())
                    raise InputRefused(
                        f"Blad '{sheet_shown(sheet.name)}', rij {int(where[2])}, kolom {where[1]}: {shown} is "
                        f"beschadigd: cel {where[1]}{int(where[2])} staat er twee keer in, en "
                        f"Excel kan een andere waarde tonen dan Kindkaart zou tellen. {_REPAIR}")
                seen.add(cell)
    out_of_order = _row_out_of_order(xml, begin, end, plain)
    if out_of_order:
        row, before = out_of_order
        what = (f"rij {row} staat er twee keer in" if row == before else
                f"rij {row} staat in het bestand na rij {before}")
        raise InputRefused(
            f"Blad '{sheet_shown(sheet.name)}', rij {row}: {shown} is beschadigd: {what}, en Excel laat bij "
            "rijen die niet op volgorde staan cellen weg of toont andere waarden dan Kindkaart "
            "zou tellen. Open het in Excel (dat herstelt het bestand), controleer die rijen en "
            "sla het opnieuw op als .xlsx.")
    for region_begin, region_end in _cell_order_regions(xml, begin, end, plain):
        # a region from the sheet's start knows its first row; one at its end from the row tag
        row = 0 if region_begin == begin else None
        misplaced = (_plain_cell_out_of_place(xml, region_begin, region_end, row) if plain
                     else _cell_out_of_place(xml, region_begin, region_end, row))
        if misplaced:
            row, cell, before = misplaced
            what = (f"cel {cell} staat in het bestand na cel {before}" if before else
                    f"cel {cell} staat in het bestand in rij {row}, niet in rij "
                    f"{int(cell.lstrip('ABCDEFGHIJKLMNOPQRSTUVWXYZ'))}")
            raise InputRefused(
                f"Blad '{sheet_shown(sheet.name)}', rij {row}, cel {cell}: {shown} is beschadigd: {what}, en "
                "Excel laat bij cellen die niet op hun plaats staan cellen weg of toont andere "
                f"waarden dan Kindkaart zou tellen. {_REPAIR}")


# How much of a sheet read by calamine is checked cell by cell for cells in another row than
# their <row> or out of order within it: all of a sheet of up to twice this many bytes of cells
# (about 500 rows of a template), else its first and its last rows. No count sees the
# order of the cells (a cell moved to another row leaves every count as it was), and going
# through every cell of the upload benchmark's 20,000 rows took 37 ms, a third of the whole
# upload, which may grow by about one; these bytes take under a millisecond there. A program that
# writes cells out of place does so from its first rows; a file read by openpyxl is checked whole.
ORDER_CHECKED_BYTES = 48_000


def _cell_order_regions(xml: bytes, begin: int, end: int, plain: bool) -> list[tuple[int, int]]:
    if not plain or end - begin <= 2 * ORDER_CHECKED_BYTES:
        return [(begin, end)]
    # from a row's start, so that its number is known
    head_end = xml.find(b"<row", begin + ORDER_CHECKED_BYTES, end)
    tail_begin = xml.rfind(b"<row", begin, end - ORDER_CHECKED_BYTES)
    if head_end < 0 or tail_begin <= head_end:
        return [(begin, end)]
    return [(begin, head_end), (tail_begin, end)]


# each row and cell with its address first, as Excel and every writer that calamine reads write
# it (four times as fast as the general pattern below): b'row', b'', b'3' or b'', b'D', b'7'
_ROW_OR_CELL_PLAIN = re.compile(rb'<(?:(row)|c)\b(?: r="([A-Z]{0,3})([0-9]+)")?')
_ROW_OR_CELL = re.compile(rb"<(?:\w+:)?(row|c)\b([^>]*)")


def _plain_cell_out_of_place(xml: bytes, begin: int, end: int, row: int | None
                             ) -> tuple[int, str, str] | None:
    """_cell_out_of_place for a sheet read by calamine; a row or cell without its address first
    has the general pattern read the region."""
    column, before = 0, b""
    for is_row, letters, digits in _ROW_OR_CELL_PLAIN.findall(xml, begin, end):
        if not digits or bool(is_row) == bool(letters):
            return _cell_out_of_place(xml, begin, end, row)
        if is_row:
            row, column, before = int(digits), 0, b""
            continue
        number = 0
        for letter in letters:
            number = number * 26 + letter - 64
        if row is not None and int(digits) != row:
            return row, f"{letters.decode()}{int(digits)}", ""
        if number <= column:
            return int(digits), f"{letters.decode()}{int(digits)}", before.decode()
        column, before = number, b"%s%d" % (letters, int(digits))
    return None
_ADDRESS_ATTRIBUTE = re.compile(rb"""(?:^|\s)r\s*=\s*["']([A-Z]{0,3})([0-9]+)["']""")


def _cell_out_of_place(xml: bytes, begin: int, end: int, row: int | None = 0
                       ) -> tuple[int, str, str] | None:
    """The first cell that its <row> does not hold (<row r="3"><c r="D7">: (3, 'D7', '')) or
    that follows a cell to its right in the same row (<c r="D3"> before <c r="B3">: (3, 'B3',
    'D3')), as Excel sees them; None when every cell is in place. A row or cell without its
    number follows the one before, as every reader places it; `row`: the row before `begin`
    (None: not known, so the cells of rows without their number are not placed)."""
    column, before = 0, ""
    for tag in _ROW_OR_CELL.finditer(xml, begin, end):
        address = _ADDRESS_ATTRIBUTE.search(tag.group(2))
        if tag.group(1) == b"row":
            if address is not None and not address.group(1):
                row = int(address.group(2))
            elif row is not None:
                row += 1
            column, before = 0, ""
            continue
        if address is None or not address.group(1):
            column += 1  # no address (or no column in it): the next cell, as readers take it
            before = ""
            continue
        number = 0
        for letter in address.group(1):
            number = number * 26 + letter - 64
        cell = f"{address.group(1).decode()}{int(address.group(2))}"
        if row is not None and int(address.group(2)) != row:
            return row, cell, ""
        if number <= column and before:
            return int(address.group(2)), cell, before
        column, before = number, cell
    return None


def _row_out_of_order(xml: bytes, begin: int, end: int, plain: bool) -> tuple[int, int] | None:
    """The first row of the sheet's XML whose number is not above the one before it, with that
    one; a row without its number follows the one before (as every reader numbers it)."""
    import operator

    found = _ROW_NUMBER.findall(xml, begin, end) if plain else None
    if found is not None and b"" not in found:
        if not found:
            return None
        first = int(found[0])
        if first + len(found) <= MAX_ROWS + 2:
            if not _ROW_NUMBERS:
                _ROW_NUMBERS.extend(str(number).encode() for number in range(1, MAX_ROWS + 2))
            if found == _ROW_NUMBERS[first - 1:first - 1 + len(found)]:
                return None  # 1, 2, 3 ... or any other run without gaps
        numbers = list(map(int, found))
        if all(map(operator.lt, numbers, numbers[1:])):
            return None
    else:
        numbers, row = [], 0
        for tag in _ROW_TAG_ANY.finditer(xml, begin, end):
            number = _ROW_ATTRIBUTE.search(tag.group(1))
            row = int(number.group(1)) if number else row + 1
            numbers.append(row)
    for before, row in zip(numbers, numbers[1:], strict=False):
        if row <= before:
            return row, before
    return None


# values.REORDERING in UTF-8 (U+202B, U+202D, U+202E, U+2067) or any character reference
# (&#x202E;, &#8238;): each search starts with a literal, as fast as a search for it. (Excel's
# escape _x202E_ is found in the decoded texts: _decode.)
_REORDERING_BYTES = re.compile(rb"\xe2(?:\x80[\xab\xad\xae]|\x81\xa7)")
_CHARACTER_REFERENCE = re.compile(rb"&#")


def _may_reorder(data: bytes, part: str, xml: bytes | None = None) -> bool:
    """Whether the sheet in `part` (`xml` when unpacked already) or the shared texts may hold a
    character that shows a text in another order (values.REORDERING)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = [xml if xml is not None else archive.read(part)]
        if "xl/sharedStrings.xml" in archive.namelist():
            parts.append(archive.read("xl/sharedStrings.xml"))
    except (KeyError, *DAMAGED_ZIP):
        return False
    return any(_REORDERING_BYTES.search(content) or _CHARACTER_REFERENCE.search(content)
               for content in parts)


_TABLE_RELATION = re.compile(
    rb"""<(?:\w+:)?Relationship\b[^>]*?Type\s*=\s*["'][^"']*/table["'][^>]*>""")
_TARGET = re.compile(rb"""\bTarget\s*=\s*["']([^"']+)["']""")
_TABLE_TAG = re.compile(rb"<(?:\w+:)?table\b([^>]*)>")
_TABLE_REF = re.compile(rb"""\bref\s*=\s*["'][A-Z]{1,3}[0-9]{1,7}:[A-Z]{1,3}([0-9]{1,7})["']""")
_TOTALS_ROW_COUNT = re.compile(rb"""\btotalsRowCount\s*=\s*["']([0-9]+)["']""")


def _table_totals_rows(data: bytes, part: str) -> set[int]:
    """The rows of the sheet in `part` that are the totals row of an Excel table (its last rows,
    totalsRowCount of them): a few small parts, read only when the workbook has tables."""
    import posixpath

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        if not any(name.startswith("xl/tables/") for name in archive.namelist()):
            return set()
        folder, name = posixpath.split(part)
        relations = archive.read(posixpath.join(folder, "_rels", name + ".rels"))
        rows: set[int] = set()
        for relation in _TABLE_RELATION.finditer(relations):
            target = _TARGET.search(relation.group(0))
            if target is None:
                continue
            path = target.group(1).decode(errors="replace")
            path = (path.lstrip("/") if path.startswith("/")
                    else posixpath.normpath(posixpath.join(folder, path)))
            table = _TABLE_TAG.search(archive.read(path)[:4096])
            if table is None:
                continue
            count, ref = _TOTALS_ROW_COUNT.search(table.group(1)), _TABLE_REF.search(table.group(1))
            if count and ref and 0 < int(count.group(1)) <= 10:
                last = int(ref.group(1))
                rows.update(range(last - int(count.group(1)) + 1, last + 1))
        return rows
    except (KeyError, ValueError, *DAMAGED_ZIP):
        return set()


# a custom number format; its id and code are read apart (LibreOffice writes formatCode first)
_NUM_FMT_TAG = re.compile(rb"<(?:\w+:)?numFmt\b([^>]*)>")
_FORMAT_CODE = re.compile(rb"""(?:^|\s)formatCode\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_CELL_XFS = re.compile(rb"<(?:\w+:)?cellXfs\b.*?</(?:\w+:)?cellXfs>", re.DOTALL)
_XF = re.compile(rb"<(?:\w+:)?xf\b([^>]*)>")
_NUM_FMT_ID = re.compile(rb"""\bnumFmtId\s*=\s*["'](\d+)["']""")
# a cell tag with a style; its address and style are read apart (attributes come in any order:
# Excel writes r before s, other writers need not)
_STYLED_CELL = re.compile(rb"""<(?:\w+:)?c\b([^>]*?\bs\s*=\s*["']\d+["'][^>]*)>""")
_CELL_ADDRESS = re.compile(rb"""(?:^|\s)r\s*=\s*["']([A-Z]{1,3})([0-9]{1,7})["']""")
_CELL_STYLE = re.compile(rb"""(?:^|\s)s\s*=\s*["'](\d+)["']""")
_QUOTED = re.compile(rb'"[^"]*"')


def _styles_of_formats(archive: zipfile.ZipFile
                       ) -> tuple[set[bytes], set[bytes], dict[bytes, str]]:
    """The style indexes (the s of a cell) whose number format shows a percentage, those whose
    number format shows a date month first (month_first_format), and the code of every other
    number format the file spells out that may show a number as something else (shown_otherwise)
    by its style index."""
    try:
        styles = archive.read("xl/styles.xml")
    except (KeyError, *DAMAGED_ZIP):
        return set(), set(), {}
    # Excel's own formats 9 (0%) and 10 (0.00%), or a custom format with a % outside quoted text
    custom = _custom_formats(styles)
    percent_formats = {b"9", b"10"} | {
        number for number, code in custom
        if b"%" in _QUOTED.sub(b"", code.replace(b"&quot;", b'"'))}
    # Only a format the file spells out: Excel's built-in date format 14 (and 22) has no code in
    # the file and shows the date as the reader's computer does (d-m-yyyy in the Netherlands),
    # so it tells nothing about the order in which the date was typed.
    month_first_formats = {
        number for number, code in custom if month_first_format(_xml_text(code))}
    other_formats = {number: _xml_text(code) for number, code in custom
                     if number not in percent_formats and number not in month_first_formats
                     and _may_show_otherwise(_xml_text(code))}
    block = _CELL_XFS.search(styles)
    if block is None or not (percent_formats or month_first_formats or other_formats):
        return set(), set(), {}
    percent, month_first, other = set(), set(), {}
    for index, xf in enumerate(_XF.finditer(block.group(0))):
        number = _NUM_FMT_ID.search(xf.group(1))
        if number and number.group(1) in percent_formats:
            percent.add(str(index).encode())
        if number and number.group(1) in month_first_formats:
            month_first.add(str(index).encode())
        if number and number.group(1) in other_formats:
            other[str(index).encode()] = other_formats[number.group(1)]
    return percent, month_first, other


def _custom_formats(styles: bytes) -> list[tuple[bytes, bytes]]:
    """(numFmtId, formatCode) of every number format styles.xml spells out."""
    found = []
    for tag in _NUM_FMT_TAG.finditer(styles):
        number, code = _NUM_FMT_ID.search(tag.group(1)), _FORMAT_CODE.search(tag.group(1))
        if number and code:
            found.append((number.group(1), code.group(1) or code.group(2) or b""))
    return found


def _xml_text(code: bytes) -> str:
    from html import unescape

    return unescape(code.decode("utf-8", errors="replace"))


# What a number format code holds besides its date and time parts: quoted text, an escaped
# character, [$-409] (a language), [Red] or [h], a space the width of a character (_x), a fill
# (*x), and AM/PM, whose m is no month.
_FORMAT_NOISE = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.|am/pm|a/p', re.IGNORECASE)
_FORMAT_PART = re.compile(r"y+|m+|d+|h+|s+|e+", re.IGNORECASE)


def month_first_format(code: str) -> bool:
    """True when the number format `code` shows a date with the month before the day, both as
    numbers: 'm/d/yyyy' (Google Sheets and Excel with English (US) settings), 'MM/DD/YY'
    (LibreOffice), '[$-409]m/d/yy;@'. Not 'd-m-yyyy', 'yyyy-mm-dd', 'mmm d, yyyy' (the month by
    name) or 'h:mm' (minutes)."""
    parts = [part.lower() for part in _FORMAT_PART.findall(_FORMAT_NOISE.sub("", code.split(";")[0]))]
    dates = []
    for i, part in enumerate(parts):
        if part[0] == "m" and (i and parts[i - 1][0] == "h" or i + 1 < len(parts)
                               and parts[i + 1][0] == "s"):
            continue  # minutes: m after an hour or before seconds
        if part[0] in "ymde":
            dates.append(part)
    return (len(dates) >= 2 and dates[0] in ("m", "mm")
            and any(part in ("d", "dd") for part in dates[1:]))


def _formatted_cells(data: bytes, part: str, xml: bytes | None = None
                     ) -> tuple[set[tuple[int, int]], set[tuple[int, int]],
                                dict[tuple[int, int], str]]:
    """(row, column) of every cell of the sheet shown as a percentage, of every cell shown as a
    date month first (month_first_format), and of every cell with another number format that may
    show its value as something else, with that format's code (_styles_of_formats)."""
    from openpyxl.utils import column_index_from_string

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        percent_styles, month_first_styles, other_styles = _styles_of_formats(archive)
        if not (percent_styles or month_first_styles or other_styles):
            return set(), set(), {}
        if xml is None:
            xml = archive.read(part)
    except (KeyError, *DAMAGED_ZIP):
        return set(), set(), {}
    percent, month_first, other = set(), set(), {}
    for attributes in _STYLED_CELL.findall(xml):
        style = _CELL_STYLE.search(attributes)
        if style is None or not (style.group(1) in percent_styles
                                 or style.group(1) in month_first_styles
                                 or style.group(1) in other_styles):
            continue
        address = _CELL_ADDRESS.search(attributes)
        if address is None:
            continue
        cell = (int(address.group(2)), column_index_from_string(address.group(1).decode()))
        if style.group(1) in other_styles:
            other[cell] = other_styles[style.group(1)]
        else:
            (percent if style.group(1) in percent_styles else month_first).add(cell)
    return percent, month_first, other


# A number format's sections (positive;negative;zero;text), split where a ';' stands outside
# quoted text, an escaped character or brackets; a condition of a section ([<1000], [=5])
_SECTION_PART = re.compile(r'"[^"]*"?|\\.|\[[^\]]*\]?|[^;"\\\[]+|;')
_CONDITION = re.compile(r"\[(<=|>=|<>|<|>|=)\s*(-?[0-9]+(?:[.,][0-9]+)?)\]")
# What a section shows besides the number: quoted text, an escaped character, [Red] or [$-413],
# a space the width of a character (_x), a fill (*x)
_LITERAL = re.compile(r'"[^"]*"?|\\.|_.|\*.|!.')
_PLACEHOLDER = re.compile(r"[0#?]")
_GENERAL = re.compile(r"general|standaard|standard", re.IGNORECASE)
# a comma after the last digit placeholder scales the number by a thousand ('0,' shows 1500 as 2)
_SCALED = re.compile(r"[0#?],+(?![^0#?]*[0#?])")


@lru_cache(maxsize=256)
def _sections(code: str) -> tuple[str, ...]:
    sections, current = [], ""
    for part in _SECTION_PART.findall(code):
        if part == ";":
            sections.append(current)
            current = ""
        else:
            current += part
    return (*sections, current)


def _may_show_otherwise(code: str) -> bool:
    """A cheap first test of a format code: only one with sections, quoted or escaped text, a
    condition, a thousands separator or no digit placeholder can show a number otherwise. A date
    format is not one of them: a number in it is read as a date (and refused as such)."""
    from openpyxl.styles.numbers import is_date_format

    if not (any(ch in code for ch in ';"\\[,_*!') or not _PLACEHOLDER.search(code)) or (
            is_date_format(code)):
        return False
    sections = _sections(code)
    if any(_CONDITION.search(section) for section in sections[:3]):
        return True
    # the sections a value other than zero is shown with (a zero is still zero, shown_otherwise),
    # and the text section: '#,##0' or an accounting format shows every value as it is
    shown_with = [sections[0]] + ([sections[1]] if len(sections) > 1 else [])
    return (any(_section_shows(section) for section in shown_with)
            or len(sections) > 3 and shown_otherwise(code, "x") is not None)


def _applies(condition: re.Match[str], value: float) -> bool:
    operator, bound = condition.group(1), float(condition.group(2).replace(",", "."))
    return {"<": value < bound, ">": value > bound, "=": value == bound, "<=": value <= bound,
            ">=": value >= bound, "<>": value != bound}[operator]


def _section_for(sections: tuple[str, ...], value: float) -> str | None:
    """The section of a format that Excel shows a number with (None: none, Excel shows ###)."""
    numeric = sections[:3]
    conditions = [_CONDITION.search(section) for section in numeric]
    if any(conditions[:2]):
        for section, condition in zip(numeric[:2], conditions[:2], strict=False):
            if condition is None or _applies(condition, value):
                return section
        return numeric[2] if len(numeric) > 2 else None
    if len(numeric) == 1 or value > 0 or value == 0 and len(numeric) == 2:
        return numeric[0]
    if value < 0:
        return numeric[1]
    return numeric[2]


def shown_otherwise(code: str, value: Any) -> str | None:
    """What Excel shows instead of `value` in a cell with the number format `code`: 'niets' (the
    format ';;;' hides it), 'een ander getal' (a format in thousands, '0,', shows 1500 as 2; digits
    in quoted text beside the number, '0"0"', show 5 as 50), 'iets anders' (a section of text
    only, '"5"', or no section for it: Excel shows ###) or None when it shows the value as it
    is. A zero shown as '-' or as nothing (the accounting formats) is still zero; a text is only
    hidden by a text section without '@'."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    sections = _sections(code)
    if isinstance(value, str):
        if len(sections) < 4 or not value.strip() or "@" in _LITERAL.sub("", sections[3]):
            return None
        return "niets" if not _LITERAL.sub("", sections[3]).strip() and '"' not in sections[3] \
            else "iets anders"
    if value == 0:
        return None
    section = _section_for(sections, float(value))
    return "iets anders" if section is None else _section_shows(section)


@lru_cache(maxsize=1024)
def _section_shows(section: str) -> str | None:
    """What a section of a number format shows instead of the number (shown_otherwise)."""
    bare = _CONDITION.sub("", re.sub(r"\[[^\]]*\]", "", _LITERAL.sub("", section)))
    if "@" in bare or _GENERAL.search(bare):
        return None  # a text format or General (as LibreOffice spells it out): shown as it is
    literal_digits = any(ch.isdigit() for ch in "".join(_LITERAL.findall(section)))
    if not _PLACEHOLDER.search(bare):
        return "niets" if not "".join(_LITERAL.findall(section)).strip("_ *") else "iets anders"
    if literal_digits or _SCALED.search(bare):
        return "een ander getal"
    return None


_ROW_TAG = re.compile(rb"<(?:\w+:)?row\b([^>]*)>")
_COL_TAG = re.compile(rb"<(?:\w+:)?col\b([^>]*)>")
_ATTRIBUTE = re.compile(rb"""\b(r|min|max|hidden|ht|width)\s*=\s*["']([^"']*)["']""")
# The first test of every upload, as fast as a search for one literal: 'hidden', or a row height
# below 3 points (ht="0", ht="2.5"), up to the end of the cells (after them, pageMargins has
# right="0.7"); and a column width below one character, before them (defaultRowHeight="0" and
# defaultColWidth="0" match these too). 'ht' as a word of its own: summaryRight="1", which
# openpyxl writes in every sheet, would make every upload scan every row (32 ms on 20,000 rows);
# the look-behind after the 'h' keeps the search as fast as one for 'h'
_HIDDEN = re.compile(rb"""h(?:idden|(?<=\bh)t\s*=\s*["'][0-2](?:["'.,]|$))""")
_ZERO_WIDTH = re.compile(rb"""(?:\bw|W)idth\s*=\s*["']0""")
# The sheet's defaults: a row without a height of its own is hidden when the default row height is
# zero or zeroHeight="1" ('rows are hidden by default'), a column without a width of its own when
# the default column width is zero: a sheet can hide every row and column but a few that way
_SHEET_FORMAT = re.compile(rb"<(?:\w+:)?sheetFormatPr\b([^>]*)>")
_DEFAULTS = re.compile(
    rb"""\b(defaultRowHeight|zeroHeight|defaultColWidth)\s*=\s*["']([^"']*)["']""")
_ZERO_HEIGHT = re.compile(rb"""zeroHeight\s*=\s*["'](?:1|true)""", re.IGNORECASE)


# A row lower than this (points; a row of text is 15) or a column narrower than this (characters)
# shows nothing that can be read: the row or column is there, but nobody sees what it holds
MIN_ROW_HEIGHT = 3.0
MIN_COLUMN_WIDTH = 1.0


def _below(value: bytes | None, least: float) -> bool:
    """Whether a row height or column width (ht="0", width="0.5") is below `least`."""
    try:
        return value is not None and float(value) < least
    except ValueError:
        return False


def _is_true(value: bytes | None) -> bool:
    return value is not None and value.strip().lower() in (b"1", b"true")


def _hidden_rows_and_columns(data: bytes, part: str, xml: bytes | None = None
                             ) -> tuple[set[int], set[int]]:
    """The rows and columns a sheet hides: hidden="1" (an Excel filter hides rows the same way),
    a height or width of zero, as other programs than Excel hide them (Excel itself shows such
    a row or column as hidden), or too small to read (below MIN_ROW_HEIGHT, MIN_COLUMN_WIDTH),
    and a row or column without a size of its own where the sheet's default size is so
    (sheetFormatPr: defaultRowHeight="0" or zeroHeight="1", defaultColWidth="0"), up to
    MAX_COLUMNS; `xml`: the sheet's part when it was unpacked already."""
    if xml is None:
        try:
            xml = zipfile.ZipFile(io.BytesIO(data)).read(part)
        except (KeyError, *DAMAGED_ZIP):
            return set(), set()
    begin, end = xml.find(b"<sheetData"), xml.rfind(b"</sheetData>")
    if not 0 <= begin < end:
        begin, end = len(xml), len(xml)
    if (_HIDDEN.search(xml, 0, end) is None and _ZERO_WIDTH.search(xml, 0, begin) is None
            and _ZERO_HEIGHT.search(xml, 0, begin) is None):
        return set(), set()
    rows_hidden, columns_hidden = _hidden_by_default(xml[:begin])
    rows: set[int] = set()
    columns: set[int] = set()
    row = 0
    for match in _ROW_TAG.finditer(xml, begin, end):
        attributes = dict(_ATTRIBUTE.findall(match.group(1)))
        try:
            # a row without its number follows the one before (as every reader numbers it)
            row = int(attributes[b"r"]) if b"r" in attributes else row + 1
        except ValueError:
            continue
        height = attributes.get(b"ht")
        # without a height of its own, a row has the sheet's default height (zero: hidden)
        if (_is_true(attributes.get(b"hidden")) or _below(height, MIN_ROW_HEIGHT)
                or height is None and rows_hidden):
            rows.add(row)
    sized: set[int] = set()
    for match in _COL_TAG.finditer(xml, 0, begin):
        attributes = dict(_ATTRIBUTE.findall(match.group(1)))
        try:
            first, last = int(attributes[b"min"]), int(attributes[b"max"])
        except (KeyError, ValueError):
            continue
        span = range(max(first, 1), min(last, MAX_COLUMNS) + 1)
        width = attributes.get(b"width")
        if (_is_true(attributes.get(b"hidden")) or _below(width, MIN_COLUMN_WIDTH)
                or width is None and columns_hidden):
            columns.update(span)
        sized.update(span)
    if columns_hidden:
        columns.update(set(range(1, MAX_COLUMNS + 1)) - sized)
    return rows, columns


def _hidden_by_default(head: bytes) -> tuple[bool, bool]:
    """Whether the sheet's defaults (its sheetFormatPr, in `head`, the XML before the cells) hide
    every row without a height of its own, and every column without a width of its own."""
    found = _SHEET_FORMAT.search(head)
    if found is None:
        return False, False
    defaults = dict(_DEFAULTS.findall(found.group(1)))
    return (_is_true(defaults.get(b"zeroHeight"))
            or _below(defaults.get(b"defaultRowHeight"), MIN_ROW_HEIGHT),
            _below(defaults.get(b"defaultColWidth"), MIN_COLUMN_WIDTH))


# What makes a workbook need openpyxl, in its cells or shared strings: a formula without a cached
# value (calamine reads it as an empty cell; the refusal names it), error cells (#N/A: calamine
# reads them as empty), _xHHHH_ escapes and phonetic runs (read differently), namespace prefixes
# (the checks below would miss prefixed cells). Substring tests, each behind a test for one
# character that is absent from most files (one byte is found at memory speed). A pattern that
# starts with a literal is searched for as fast as that literal, and a compiled search for a
# literal of two or more bytes is two to three times faster than `in` (on a 3.6 MB sheet: 1,1
# against 2,7 ms for '<f'); a pattern that must be tried at every cell is slow (6 ms).
_PREFIXED = (b":f>", b":f ", b":c ", b":c>", b":row", b":si>", b":t>", b":t ", b":is>")
_ESCAPE = re.compile(rb"_x[0-9A-Fa-f]{4}_")
# A formula starts with <f> or <f ...> (a shared one may be <f t="shared" si="0"/>); one whose
# cached value Excel saved is followed at once by a <v> that is not empty. A text formula that
# Excel computed to "" (=ALS(A2="";"";...)) is saved as <c ... t="str"><f>...</f><v/></c>: an
# empty cell, not a formula without a value.
_FORMULA = re.compile(rb"<f[ >/]")
_FORMULA_WITH_VALUE = re.compile(rb"(?:</f>|<f [^>]*/>)<v>[^<]")
# A reference to another workbook: [1]Blad1!A1 as Excel saves it, or the file's name in brackets
# ('C:\\map\\[telling.xlsx]Blad1'!A1). DDE: program|topic!item (=cmd|' /C calc'!A0). A table's
# own column (Tabel1[aantal], [@aantal]) is neither.
_EXTERNAL_REFERENCE = re.compile(r"\[[0-9]+\]|\[[^\]\[]+\.(?:xl[a-z]*|csv|ods)\]", re.IGNORECASE)


def formula_source(formula: str) -> str | None:
    """'ander bestand' for a formula that takes a value from another workbook, 'ander programma'
    for a DDE formula, else None."""
    if _EXTERNAL_REFERENCE.search(formula):
        return "ander bestand"
    if "|" in formula:
        return "ander programma"
    return None


_FORMULA_FROM_ELSEWHERE = re.compile(rb"<f\b[^>]*>[^<]*(?:\[[0-9]+\]|\.xl[a-z]*\]|\.csv\]|\.ods\]|\|)",
                                     re.IGNORECASE)
_EMPTY_TEXT_FORMULA = re.compile(rb't="str"[^>]*>(?:<f[^>]*/>|<f[^>]*>[^<]*</f>)(?:<v */>|<v></v>)?</c>')
_OPENS_F = re.compile(rb"<f")
_ERROR_CELL = re.compile(rb't="e"')


def _plain_workbook(data: bytes, parts: set[str] | None = None,
                    read_parts: dict[str, bytes] | None = None) -> bool:
    """True when every worksheet (or those in `parts`) and the shared strings are plain enough
    for calamine, and every such sheet lies within MAX_ROWS x MAX_COLUMNS (calamine holds a sheet
    as one dense block, so the bounds are checked on the XML before it reads anything)."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    for info in archive.infolist():
        name = info.filename
        if (name.startswith("xl/worksheets/") and name.endswith(".xml") and parts is not None
                and name not in parts):
            continue  # a sheet that is not read
        if name == "xl/sharedStrings.xml":
            xml, worksheet = archive.read(info), False
        else:
            # a sheet wherever the workbook's relationships put it (calamine follows them): one
            # outside xl/worksheets/ is always checked
            xml = worksheet_xml(archive, info)
            if xml is None:
                continue
            worksheet = True
        if worksheet and read_parts is not None:
            read_parts[name] = xml
        if worksheet:
            # only the cells count: data validations outside them may hold formulas (<xm:f>).
            # Cells with a prefix (<x:sheetData>, <x:c r="XFD1048576">) are read by calamine as
            # any other: such a sheet is checked whole (and goes to openpyxl: _PREFIXED).
            begin, end = cells_bounds(xml)
            xml = xml[begin:end]
            # formulas: the fast path when every one has its cached value (as Excel saves them);
            # <f may also be <family> in inline rich text: the counts differ, openpyxl reads it.
            # (A compiled search finds a short literal in megabytes of XML two to three times
            # faster than `in`: this check runs on every upload.)
            formulas = _OPENS_F.search(xml) is not None
            if formulas and len(_FORMULA.findall(xml)) != (
                    len(_FORMULA_WITH_VALUE.findall(xml)) + len(_EMPTY_TEXT_FORMULA.findall(xml))):
                return False
            # openpyxl names the cells whose formula takes its value from elsewhere
            if formulas and _FORMULA_FROM_ELSEWHERE.search(xml):
                return False
            if _ERROR_CELL.search(xml) or b"'" in xml and b"t='e'" in xml:
                return False
            if filled_cell_beyond(_BEYOND_LIMITS, xml):
                return False
        if b"P" in xml and b"<rPh" in xml:
            return False
        if b":" in xml and any(prefixed in xml for prefixed in _PREFIXED):
            return False
        if b"_" in xml and _ESCAPE.search(xml):
            return False
    return True


_BEYOND_LIMITS = cells_beyond(MAX_ROWS, MAX_COLUMNS)
_BEYOND_LIMITS_PREFIXED = cells_beyond(MAX_ROWS, MAX_COLUMNS, prefixed=True)


def _read_with_calamine(data: bytes, names: set[str] | None = None,
                        states: dict[str, str] | None = None) -> list[Sheet] | None:
    """The worksheets (all, or those in `names`) read with python-calamine, with values as
    openpyxl gives them; None when calamine cannot read the file (openpyxl then reads it or words
    the refusal). `states` receives each sheet's state ('visible', 'hidden', 'veryHidden')."""
    try:
        from python_calamine import CalamineWorkbook, SheetTypeEnum

        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = []
        for meta in book.sheets_metadata:
            if meta.typ != SheetTypeEnum.WorkSheet:
                continue  # chart sheets hold no cells (openpyxl leaves them out too)
            if names is not None and meta.name not in names:
                continue  # never loaded: calamine holds each sheet it reads as one dense block
            if states is not None:
                states[meta.name] = _STATES.get(str(meta.visible).rsplit(".", 1)[-1], "visible")
            sheet = book.get_sheet_by_name(meta.name)
            # most cells are text, and most others empty (''): only the rest go through
            # _as_openpyxl (a call per empty cell cost half a millisecond on 20,000 rows)
            text = str
            rows = [[value if value.__class__ is text and value else None if value == ""
                     else _as_openpyxl(value)
                     for value in row] for row in sheet.to_python(skip_empty_area=False)]
            merged = [
                (r1 + 1, c1 + 1, r2 + 1, c2 + 1, _range_name(r1, c1, r2, c2))
                for (r1, c1), (r2, c2) in sheet.merged_cell_ranges or ()
            ]
            sheets.append(Sheet(meta.name, _trim(rows), set(), merged))
        return sheets
    except BaseException as exc:  # calamine raises its own errors and, from Rust, panics
        if isinstance(exc, (KeyboardInterrupt, SystemExit, MemoryError)):
            raise
        return None


def _as_openpyxl(value: Any) -> Any:
    """A calamine value as openpyxl reads it: empty cells None, whole numbers int (Excel writes
    them without a decimal point), dates at midnight as datetime."""
    kind = value.__class__
    if kind is str:
        return value or None
    if kind is float:
        return int(value) if value.is_integer() and -1e15 < value < 1e15 else value
    if kind is dt.date:
        return dt.datetime(value.year, value.month, value.day)
    return value


def _trim(rows: list[list[Any]]) -> list[list[Any]]:
    """Without the empty rows at the end (calamine gives a cell for an empty string)."""
    while rows and all(value is None for value in rows[-1]):
        rows.pop()
    return rows


def _range_name(r1: int, c1: int, r2: int, c2: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(c1 + 1)}{r1 + 1}:{get_column_letter(c2 + 1)}{r2 + 1}"


def _unreadable(exc: BaseException, shown: str, data: bytes = b"") -> InputRefused:
    """The Dutch refusal for a workbook openpyxl cannot read, naming none of its internals: a
    macro workbook (its content type says macroEnabled) is told to save as a plain workbook."""
    chain: list[str] = []
    cause: BaseException | None = exc
    while cause is not None and len(chain) < 10:
        chain.append(type(cause).__name__)
        cause = cause.__cause__ or cause.__context__
    if any("Forbidden" in name for name in chain):
        return InputRefused(
            f"{shown} bevat verboden XML-constructies (mogelijk een 'XML-bom') en wordt niet "
            "gelezen."
        )
    if _macro_enabled(data):
        return InputRefused(
            f"{shown} is een werkmap met macro's (.xlsm, ook als de naam op .xlsx eindigt); "
            "Kindkaart leest die niet. Open het in Excel en sla het op als gewone Excel-werkmap "
            "(.xlsx)."
        )
    damaged = damaged_cell(data)
    if damaged:
        return InputRefused(damaged.replace("{shown}", shown))
    return InputRefused(
        f"{shown} is beschadigd of geen geldige Excel-werkmap en kan niet worden gelezen. "
        "Open het in Excel en sla het opnieuw op als .xlsx."
    )


_CELL_REF = re.compile(r"([A-Z]{1,3})([1-9][0-9]{0,6})")
_SHARED_STRING = re.compile(rb"<(?:\w+:)?si[ >/]")
_REPAIR = ("Open het in Excel (dat herstelt het bestand), controleer die cel en sla het opnieuw op "
           "als .xlsx.")


def damaged_cell(data: bytes) -> str | None:
    """Where a workbook that a reader could not read is damaged, as the start of a Dutch refusal
    ('{shown}' stands for the file): the first cell whose value does not fit its type (a number
    cell holding text, a reference to a shared text that is not there, a yes/no cell holding
    something else), the row of a cell without a valid address, or the cell after which a sheet's
    XML breaks off; None when no sheet shows such damage. Only read when a file is refused."""
    import xml.etree.ElementTree as ElementTree

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import iterparse

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = sheet_names(archive)
        try:
            strings = len(_SHARED_STRING.findall(archive.read("xl/sharedStrings.xml")))
        except KeyError:
            strings = 0
        for info in archive.infolist():
            xml = worksheet_xml(archive, info)
            if xml is None:
                continue
            sheet = names.get(info.filename, info.filename)
            row, last = None, None
            try:
                for event, element in iterparse(io.BytesIO(xml), ("start", "end"),
                                                forbid_dtd=True):
                    tag = element.tag.rsplit("}", 1)[-1]
                    if tag == "row":
                        if event == "start":
                            row = element.get("r") or (str(int(row) + 1) if row else "1")
                        else:
                            element.clear()
                        continue
                    if tag != "c" or event == "start":
                        continue
                    found = _damage(element, strings)
                    address = element.get("r")
                    where = _CELL_REF.fullmatch(address or "")
                    if where is None and address is not None:
                        place = f"Blad '{sheet_shown(sheet)}'" + (f", rij {row}" if row else "")
                        return (f"{place}: {{shown}} is beschadigd: een cel heeft geen geldig "
                                f"celadres. {_REPAIR}")
                    if where is not None:
                        last = address
                        if found:
                            return (f"Blad '{sheet_shown(sheet)}', rij {where[2]}, kolom {where[1]}: {{shown}} "
                                    f"is beschadigd: cel {address} {found}. {_REPAIR}")
            except ElementTree.ParseError:
                after = f", na cel {last}" if last else ""
                return (f"Blad '{sheet_shown(sheet)}'{after}: {{shown}} is beschadigd: de opbouw van het blad "
                        f"breekt daar af. {_REPAIR}")
    except (DefusedXmlException, KeyError, *DAMAGED_ZIP):
        return None
    return None


def _damage(cell: Any, strings: int) -> str | None:
    """What is wrong with a cell's value for its type (t), or None."""
    kind = cell.get("t", "n")
    value = next((child.text for child in cell if child.tag.rsplit("}", 1)[-1] == "v"), None)
    if value is None or not value.strip():
        return None
    value = value.strip()
    if kind == "n":
        try:
            float(value)
        except ValueError:
            return "hoort volgens het bestand een getal te bevatten, maar er staat tekst in"
    elif kind == "b" and not value.lstrip("-").isdigit():
        return "hoort een ja/nee-waarde (WAAR of ONWAAR) te bevatten, maar er staat iets anders in"
    elif kind == "s" and not (value.isdecimal() and int(value) < strings):
        return "verwijst naar een tekst die niet in het bestand staat"
    return None


def _macro_enabled(data: bytes) -> bool:
    try:
        types = zipfile.ZipFile(io.BytesIO(data)).read("[Content_Types].xml")
    except (KeyError, *DAMAGED_ZIP):
        return False
    return b"macroEnabled" in types


def _read_with_openpyxl(data: bytes, file_name: str,
                        names: set[str] | None = None) -> list[Sheet]:
    shown = f"'{file_name}'" if file_name else "Het bestand"
    import openpyxl

    _refuse_large_merges(data)
    try:
        data = _for_openpyxl(data)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            values = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
            # A second read shows which cells are formulas; most files have none.
            formulas = (openpyxl.load_workbook(io.BytesIO(data), data_only=False)
                        if _has_formulas(data) else None)
    except Exception as exc:  # openpyxl raises many kinds; a refusal names none of its internals
        raise _unreadable(exc, shown, data) from None
    sheets = []
    for ws_values in values.worksheets:
        if names is not None and ws_values.title not in names:
            continue  # only the chosen sheets are made dense
        ws_formulas = formulas[ws_values.title] if formulas is not None else None
        if ws_values.max_row > MAX_ROWS or ws_values.max_column > MAX_COLUMNS:
            raise _too_large(ws_values)
        rows = _cell_values(ws_values)
        reorders, controls = _decode(rows)
        missing = set()
        elsewhere = {}
        for row in ws_formulas.iter_rows() if ws_formulas is not None else ():
            for cell in row:
                if cell.data_type == "f" or (isinstance(cell.value, str)
                                             and cell.value.startswith("=")):
                    r, c = cell.row, cell.column
                    source = formula_source(str(getattr(cell.value, "text", cell.value)))
                    if source:
                        elsewhere[(r, c)] = source
                    inside = r <= len(rows) and c <= len(rows[r - 1])
                    cached = rows[r - 1][c - 1] if inside else None
                    # a text formula computed to "" (Excel: t="str", empty <v/>) is an empty cell
                    if cached is None and ws_values.cell(r, c).data_type != "str":
                        missing.add((r, c))
        merged = [
            (m.min_row, m.min_col, m.max_row, m.max_col, m.coord)
            for m in ws_values.merged_cells.ranges
        ]
        sheets.append(Sheet(ws_values.title, rows, missing, merged, formula_from_elsewhere=elsewhere,
                            may_reorder=reorders, has_controls=controls))
    return sheets


def _dutch_number(number: int) -> str:
    return f"{number:_}".replace("_", ".")


def _too_large(ws: Any) -> InputRefused:
    """The refusal of a sheet past MAX_ROWS x MAX_COLUMNS, naming the first cell beyond them with
    something in it and what to do: a stray cell at XFD2 was refused as '2 rijen en 16384
    kolommen ... Tel per wijk op in plaats van één rij per kind', naming no cell and giving
    advice about rows."""
    from openpyxl.utils import get_column_letter

    rows, columns = ws.max_row > MAX_ROWS, ws.max_column > MAX_COLUMNS
    size = " en ".join(part for part, beyond in (
        (f"{_dutch_number(ws.max_row)} rijen", rows),
        (f"{_dutch_number(ws.max_column)} kolommen", columns)) if beyond)
    limit = " en ".join(part for part, beyond in (
        (f"{_dutch_number(MAX_ROWS)} rijen", rows),
        (f"{MAX_COLUMNS} kolommen (A tot en met {get_column_letter(MAX_COLUMNS)})", columns))
        if beyond)
    cells = getattr(ws, "_cells", None)
    beyond_cells = [(r, c) for (r, c), cell in cells.items()
                    if (r > MAX_ROWS or c > MAX_COLUMNS) and cell.value is not None
                    ] if isinstance(cells, dict) else []
    first = ""
    if beyond_cells:
        r, c = min(beyond_cells)
        first = f" De eerste cel met inhoud daarbuiten is {get_column_letter(c)}{r}."
    if columns:
        advice = (f" Verwijder wat rechts van de tabel staat (selecteer de kolommen vanaf "
                  f"{get_column_letter(MAX_COLUMNS + 1)}, rechtsklik > Verwijderen; ook een spatie "
                  "of een formule die niets toont, telt) en lever het bestand opnieuw aan.")
    else:
        advice = (f" Staat onder rij {_dutch_number(MAX_ROWS)} niets dat meetelt, verwijder dan "
                  "die rijen; zijn het echt zoveel rijen, tel dan per wijk op in plaats van één "
                  "rij per kind.")
    return InputRefused(f"Blad '{sheet_shown(ws.title)}' heeft {size}; Kindkaart leest "
                        f"hoogstens {limit}.{first}{advice}")


def _decode(rows: list[list[Any]]) -> tuple[bool, bool]:
    """Every text of `rows` as Excel shows it (_decoded), in place; whether a decoded text may
    show in another order (values.REORDERING: _x202E_ is no such character in the XML, so
    _may_reorder does not find it there), and whether one holds a control character
    (values.CONTROLS, which only an escape brings)."""
    from data_sources.registrations.values import CONTROLS, REORDERING

    reorders = controls = False
    for index, row in enumerate(rows):
        if any(value.__class__ is str and "_x" in value for value in row):
            rows[index] = row = _decoded(row)
            texts = [value for value in row if value.__class__ is str]
            reorders = reorders or any(REORDERING.search(text) for text in texts)
            controls = controls or any(CONTROLS.search(text) for text in texts)
    return reorders, controls


def _decoded(row: Sequence[Any]) -> list[Any]:
    """A row as openpyxl reads it with every text as Excel shows it: openpyxl leaves Excel's
    escapes (_x000D_, workbooks.ooxml_text) as they stand, so a wijk written 'Oude_x0020_Haven'
    was no wijk and a provider was stored with the escape. (A workbook with escapes never takes
    calamine's way: _plain_workbook.)"""
    text = str
    return [ooxml_text(value) if value.__class__ is text and "_x" in value else value
            for value in row]


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*\bref="([A-Z]{1,3})([0-9]{1,7}):([A-Z]{1,3})([0-9]{1,7})"')
# openpyxl makes an object of every cell of a merged range when it loads a sheet: one range of
# A1:XFD1048576 in a 3 kB upload ate all memory. A range in the rows above the header (a title)
# is small; one that reaches the data is refused anyway (validate._check_merged).
MAX_MERGED_CELLS = 10_000


def _refuse_large_merges(data: bytes) -> None:
    """Refuse, before openpyxl loads any sheet, a workbook with a merged range larger than
    MAX_MERGED_CELLS, naming its sheet and cells."""
    from openpyxl.utils import column_index_from_string

    archive = zipfile.ZipFile(io.BytesIO(data))
    for info in archive.infolist():
        try:
            xml = worksheet_xml(archive, info)
        except DAMAGED_ZIP:
            continue  # openpyxl words the refusal
        if xml is None or b"mergeCell" not in xml:
            continue
        for found in _MERGE.finditer(xml):
            first_column, first_row, last_column, last_row = (
                column_index_from_string(found[1].decode()), int(found[2]),
                column_index_from_string(found[3].decode()), int(found[4]))
            cells = (abs(last_row - first_row) + 1) * (abs(last_column - first_column) + 1)
            if cells > MAX_MERGED_CELLS:
                from data_sources.workbooks import sheet_names

                sheet = sheet_names(archive).get(info.filename, info.filename)
                ref = f"{found[1].decode()}{first_row}:{found[3].decode()}{last_row}"
                raise InputRefused(
                    f"Blad '{sheet_shown(sheet)}', rij {first_row}, kolom {found[1].decode()}: de cellen {ref} "
                    "zijn samengevoegd. Maak het samenvoegen ongedaan en vul elke cel apart in.")


_HYPERLINKS = re.compile(rb"<(?:\w+:)?hyperlinks\b.*?</(?:\w+:)?hyperlinks>", re.DOTALL)


def _for_openpyxl(data: bytes) -> bytes:
    """The workbook without what openpyxl would make an object of per cell and Kindkaart does not
    read: the empty cells (only a style) of a sheet that has such cells beyond MAX_ROWS x
    MAX_COLUMNS (a border down to row 30,000 is no table of 30,000 rows), and hyperlinks (one link
    on A1:XFD1048576 in a 3 kB file made openpyxl create a cell for each: all memory gone).
    Other workbooks are returned as they are."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    changed = {}
    for info in archive.infolist():
        try:
            xml = worksheet_xml(archive, info)
        except DAMAGED_ZIP:
            continue  # openpyxl words the refusal
        if xml is None:
            continue
        beyond = (_BEYOND_LIMITS_PREFIXED if b":c" in xml and PREFIXED_CELL.search(xml)
                  else _BEYOND_LIMITS)
        cleaned = without_empty_cells(xml) if beyond.search(xml) else xml
        if b"hyperlink" in cleaned:
            cleaned = _HYPERLINKS.sub(b"", cleaned)
        if cleaned is not xml:
            changed[info.filename] = cleaned
    if not changed:
        return data
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in archive.infolist():
            copy.writestr(info, changed.get(info.filename) or archive.read(info))
    return out.getvalue()


def _cell_values(ws: Any) -> list[list[Any]]:
    """The values of rows 1..max_row and columns 1..max_column, exactly as
    `iter_rows(values_only=True)` gives them, without creating a cell object for every empty
    cell (a large sheet has tens of thousands). Falls back to iter_rows when openpyxl's internals
    are not what this expects."""
    cells = getattr(ws, "_cells", None)
    current = getattr(ws, "_current_row", None)
    if not isinstance(cells, dict) or not isinstance(current, int):
        return [[_as_openpyxl(value) if value.__class__ is dt.date else value for value in r]
                for r in ws.iter_rows(values_only=True)]
    if current == 0:  # iter_rows yields nothing for a sheet without rows
        return []
    width = ws.max_column
    rows = [[None] * width for _ in range(ws.max_row)]
    for (r, c), cell in cells.items():
        value = cell.value
        # a date saved as text (t="d", as Excel saves dates in Strict Open XML): openpyxl gives a
        # date, calamine and every other cell a datetime at midnight
        rows[r - 1][c - 1] = _as_openpyxl(value) if value.__class__ is dt.date else value
    return rows


def _has_formulas(data: bytes) -> bool:
    archive = zipfile.ZipFile(io.BytesIO(data))
    for info in archive.infolist():
        if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
            content = archive.read(info)
            if b"<f>" in content or b"<f " in content or b":f>" in content or b":f " in content:
                return True
    return False
