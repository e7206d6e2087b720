"""Checks on a workbook file (.xlsx, .xlsm, .xls, .ods) before any reader unpacks its cells.

calamine holds a sheet as one dense block as large as its farthest cell sets: a 2 kB workbook
with one cell at XFD1048576 makes it ask for 549 GB, and the process aborts (no exception to
catch; in the app it takes the server down). A zip part can unpack a thousand times its size.
Every reader of workbooks (partner uploads, the LRK export, the kwb download) goes through the
checks here first, each with the limits of what it reads (WorkbookLimits)."""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from data_sources.errors import InputRefused, member_shown, points_outside
from data_sources.text import on_one_line, visible

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a compound file: .xls, or an encrypted .xlsx
ENCRYPTED_MARKER = "EncryptionInfo".encode("utf-16-le")
MAX_COMPRESSION_RATIO = 150  # a part that unpacks more than this is a zip bomb
MAX_PARTS = 500
# What opening a damaged zip or reading its member raises (a bad header, a broken deflate stream,
# cut short, or a version or compression method in a damaged header that zipfile does not know).
DAMAGED_ZIP = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError)

_SPREADSHEETML = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
# What may stand before the first element of a part (an XML declaration, comments, whitespace, a
# byte-order mark), and that element's start, in an upper-cased head
_PROLOG = re.compile(rb"\A(?:\s|\xef\xbb\xbf|\xff\xfe|\xfe\xff|<\?.*?\?>|<!--.*?-->)*", re.DOTALL)
_ELEMENT_FIRST = re.compile(rb"<[A-Z_]")
# The encoding an XML part declares (<?xml ... encoding="UTF-16"?>); none declared is UTF-8.
_DECLARED_ENCODING = re.compile(rb"""\A(?:\xef\xbb\xbf)?\s*<\?xml\b[^>]*?\bencoding\s*=\s*["']([^"']*)["']""")
_STRICT_SPREADSHEETML = "http://purl.oclc.org/ooxml/spreadsheetml/main"


@dataclass(frozen=True)
class WorkbookLimits:
    """What a workbook of one kind may be: `kind` names it in messages ('een LRK-export'),
    `advice` says what else to deliver ('sla de export op als CSV')."""

    kind: str
    max_rows: int
    max_columns: int
    max_bytes: int
    max_unpacked_bytes: int
    advice: str


def password_protected(shown: str) -> InputRefused:
    """The refusal of a workbook saved with a password (Excel writes it as a compound file)."""
    return InputRefused(
        f"{shown} is met een wachtwoord beveiligd. Kindkaart kan het niet openen: sla het op "
        "zonder wachtwoord (Bestand > Info > Werkmap beveiligen) en lever het opnieuw aan."
    )


def strict_open_xml(shown: str) -> InputRefused:
    return InputRefused(
        f"{shown} is opgeslagen als 'Strict Open XML-werkmap'; die vorm kan Kindkaart niet "
        "lezen. Open het in Excel en sla het op als gewone Excel-werkmap (.xlsx)."
    )


def check_zip(data: bytes, shown: str, *, max_uncompressed: int,
              kind: str = "een registratie") -> zipfile.ZipFile:
    """The zip archive of a workbook (.xlsx or .ods), opened after the checks that need no
    unpacking of its cells: damage, the number of parts, zip bombs (a part that unpacks far more
    than it is packed), XML bombs (a DTD in any XML part) and the total unpacked size. Refuses
    with a Dutch message naming the file as `shown` and what it should be as `kind`."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except DAMAGED_ZIP:
        raise InputRefused(
            f"{shown} is beschadigd en kan niet worden gelezen. Sla het in Excel opnieuw op als "
            ".xlsx."
        ) from None
    if len(infos) > MAX_PARTS:
        raise InputRefused(f"{shown} bevat ongewoon veel onderdelen en wordt niet gelezen.")
    # Part names are one name whatever their case (Office Open XML and OpenDocument); a zip can
    # hold the same name twice, and which copy a reader takes differs (the checks here one, the
    # cells another, Excel a third): what is checked must be what is read and what is seen.
    seen: set[str] = set()
    for info in infos:
        # Office and LibreOffice write a part's name with forward slashes within the package
        # only: a backslash, a '..', a full path or a NUL there is a crafted file's sign
        if "\\" in info.orig_filename or points_outside(info):
            raise InputRefused(
                f"{shown} is geen gewone werkmap: het onderdeel '{member_shown(info)}' heeft een "
                "naam die buiten de werkmap wijst (met '..', '\\', een volledig pad of een "
                "nul-teken), zoals Excel die nooit schrijft. Kindkaart leest het bestand daarom "
                "niet; sla het in Excel opnieuw op als .xlsx.")
        key = info.filename.lower()
        if key in seen:
            raise InputRefused(
                f"{shown} is beschadigd: het onderdeel {info.filename} staat er twee keer in. "
                "Sla het in Excel opnieuw op als .xlsx.")
        seen.add(key)
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > MAX_COMPRESSION_RATIO and info.file_size > 1024 * 1024:
            raise InputRefused(
                f"{shown} pakt verdacht groot uit (mogelijk een 'zip-bom') en wordt niet gelezen."
            )
    for info in infos:
        if info.filename.endswith((".xml", ".rels", ".vml")):
            try:
                with archive.open(info) as part:
                    head = part.read(4096)
            except DAMAGED_ZIP:
                raise InputRefused(
                    f"{shown} is beschadigd (onderdeel {info.filename} is niet uit te pakken) en "
                    "kan niet worden gelezen. Sla het in Excel opnieuw op als .xlsx."
                ) from None
            # Office never writes a DTD; entity declarations are how XML bombs and XXE start.
            # A DTD stands before the first element: a part whose head does not reach that
            # element (a prolog padded past it with a comment) is refused too. UTF-16 text is
            # read without its zero bytes.
            whole = len(head) < 4096
            # (Excel's VML drawings are legacy markup, not read as XML by the checks)
            encoding = None if info.filename.endswith(".vml") else _not_utf8(head)
            head = head.upper().replace(b"\0", b"")
            if b"<!DOCTYPE" in head or b"<!ENTITY" in head or (
                    not whole and not _ELEMENT_FIRST.match(_PROLOG.sub(b"", head))):
                raise InputRefused(
                    f"{shown} bevat verboden XML-constructies (mogelijk een 'XML-bom') en wordt "
                    "niet gelezen."
                )
            if encoding:
                raise InputRefused(
                    f"{shown} is geen gewone werkmap: het onderdeel {info.filename} is geschreven "
                    f"in {encoding} in plaats van UTF-8, zoals Excel en andere "
                    "spreadsheetprogramma's nooit doen. Kindkaart leest het daarom niet; open het "
                    "in Excel en sla het opnieuw op als .xlsx.")
            if _SHARED_STRINGS_ROOT.match(_PROLOG.sub(b"", head)) and _too_many_strings(
                    archive, info):
                raise InputRefused(
                    f"{shown} is beschadigd: het onderdeel {info.filename} geeft een onmogelijk "
                    "aantal teksten op. Kindkaart leest het niet; sla het in Excel opnieuw op als "
                    ".xlsx.")
    if total > max_uncompressed:
        raise InputRefused(
            f"{shown} is uitgepakt {total / 1024 / 1024:.0f} MB; dat is veel groter dan "
            f"{kind} kan zijn en wordt niet gelezen."
        )
    return archive


def _not_utf8(head: bytes) -> str | None:
    """The encoding of an XML part written otherwise than in UTF-8 (as Office, LibreOffice and
    every other spreadsheet program write them), from its first bytes; None for UTF-8. The checks
    of the cells, notes and headers read the parts as UTF-8 bytes: a sheet in UTF-16 was read as
    empty ('is leeg') and none of them saw its cells."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\0" in head[:4]:
        return "UTF-16"
    declared = _DECLARED_ENCODING.match(head)
    if declared and declared.group(1).strip().upper().replace(b"_", b"-") not in (b"UTF-8", b"UTF8"):
        return visible(declared.group(1).decode("ascii", "replace")[:40])
    return None


# The shared strings of an .xlsx (<sst uniqueCount="...">, whatever its part's name): calamine
# reserves room for uniqueCount texts before it reads one, 24 bytes each, so a 2 kB workbook that
# says 4,294,967,295 made it ask for 103 GB and the process aborted (no exception to catch; in the
# app it takes the server down). Every text takes at least the bytes of <si><t/></si>.
_SHARED_STRINGS_ROOT = re.compile(rb"<(?:[A-Z_][\w.-]*:)?SST[\s>/]")
_UNIQUE_COUNT = re.compile(rb"""\s(?:[A-Z_][\w.-]*:)?UNIQUECOUNT\s*=\s*["']\s*\+?([0-9]+)""")
_LEAST_STRING_BYTES = 8


def _too_many_strings(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """True when the shared strings part `info` says it holds more texts than its size can."""
    with archive.open(info) as part:
        head = part.read(1024 * 1024)
    whole = len(head) < 1024 * 1024
    head = _PROLOG.sub(b"", head.upper().replace(b"\0", b""))
    # its start tag ends before the next element ('>' may stand in an attribute's value, '<' not)
    end = head.find(b"<", 1)
    if end < 0 and not whole:
        return True  # a start tag longer than a megabyte: no workbook writes that
    count = _UNIQUE_COUNT.search(head, 0, len(head) if end < 0 else end)
    return count is not None and int(count[1]) > max(info.file_size // _LEAST_STRING_BYTES, 1000)


def is_strict(archive: zipfile.ZipFile) -> bool:
    """True for a Strict Open XML workbook (Excel's 'Strict Open XML-werkmap'), from the head of
    its xl/workbook.xml: its parts use other namespaces, and readers take its sheets for empty
    ('alle bladen zijn leeg')."""
    if "xl/workbook.xml" not in archive.namelist():
        return False
    with archive.open("xl/workbook.xml") as part:
        head = part.read(4096)
    return _STRICT_SPREADSHEETML.encode() in head and _SPREADSHEETML.encode() not in head


def check_package(archive: zipfile.ZipFile, shown: str) -> None:
    """Refuse a Strict Open XML workbook (for the readers that do not map it, see
    as_transitional)."""
    if is_strict(archive):
        raise strict_open_xml(shown)


# A Strict Open XML namespace or relationship type: http://purl.oclc.org/ooxml/<area>/<name>, a
# relationship type with /<type> after it. Its transitional form is
# http://schemas.openxmlformats.org/<area>/2006/<name>[/<type>], two names hyphenated.
_STRICT_URI = re.compile(rb"http://purl\.oclc\.org/ooxml/([A-Za-z]+)/([A-Za-z]+)(?:/([A-Za-z]+))?")
_TRANSITIONAL_NAMES = {b"extendedProperties": b"extended-properties",
                       b"customProperties": b"custom-properties"}


def _transitional_uri(found: re.Match[bytes]) -> bytes:
    area, name, kind = found.group(1), found.group(2), found.group(3)
    uri = (b"http://schemas.openxmlformats.org/" + area + b"/2006/"
           + _TRANSITIONAL_NAMES.get(name, name))
    return uri + b"/" + _TRANSITIONAL_NAMES.get(kind, kind) if kind else uri


def as_transitional(archive: zipfile.ZipFile, shown: str, *, max_uncompressed: int,
                    kind: str = "een registratie") -> bytes:
    """A Strict Open XML workbook (`archive`, checked by check_zip) as the same workbook in the
    transitional namespaces and relationship types that every reader knows: what Excel changes
    when it saves as 'Strict Open XML-werkmap' is mapped back in every XML part. The result is
    checked by check_zip again (the names are longer: a part full of them must not get past the
    limit on the unpacked size)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in archive.infolist():
            content = archive.read(info)
            if info.filename.endswith((".xml", ".rels")) and b"purl.oclc.org" in content:
                content = _STRICT_URI.sub(_transitional_uri, content)
            copy.writestr(info.filename, content)
    data = out.getvalue()
    check_zip(data, shown, max_uncompressed=max_uncompressed, kind=kind)
    return data


def check_workbook(path: Path, limits: WorkbookLimits) -> None:
    """Refuse, before calamine reads it, a workbook larger than `limits` allow, whose sheets
    reach beyond limits.max_rows x limits.max_columns, a zip or XML bomb, one saved with a
    password or in Strict Open XML. An .xls has at most 65,536 x 256 cells by its
    format, still 1.6 GB to read: its cells are checked too. A file that is no workbook at all,
    or a damaged one, passes: the reader words that refusal."""
    shown = f"Bestand {path.name}"
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise InputRefused(
            f"{shown} is {size / 1024 / 1024:.0f} MB; {limits.kind} als werkmap is hoogstens "
            f"{limits.max_bytes // 1024 // 1024} MB. Er is niets opgeslagen."
        )
    data = path.read_bytes()
    if data.startswith(OLE2_MAGIC):
        if ENCRYPTED_MARKER in data:
            raise password_protected(shown)
        farthest = xls_farthest_cell(data)
        if farthest and (farthest[0] > limits.max_rows or farthest[1] > limits.max_columns):
            raise _too_large(shown, limits, farthest[0], column_letters(farthest[1]))
        return
    if not data.startswith(b"PK\x03\x04"):
        return  # no workbook at all: the reader refuses what it cannot read
    try:
        zipfile.ZipFile(io.BytesIO(data)).infolist()
    except DAMAGED_ZIP:
        return  # damaged: the reader's refusal is worded by the caller
    archive = check_zip(data, shown, kind=limits.kind, max_uncompressed=limits.max_unpacked_bytes)
    if "xl/workbook.bin" in archive.namelist():
        # its sheets are binary records, which the checks below cannot bound (whatever its name)
        raise InputRefused(
            f"{shown} is een binaire Excel-werkmap (.xlsb); Kindkaart leest die niet. Sla het op "
            f"als Excel-werkmap (.xlsx) of {limits.advice}. Er is niets opgeslagen.")
    try:
        check_package(archive, shown)
        _check_sheets(shown, archive, limits)
    except (*DAMAGED_ZIP, SyntaxError):  # ElementTree's ParseError is a SyntaxError
        raise InputRefused(f"{shown}: niet leesbaar als {limits.kind.removeprefix('een ')}: "
                           "het bestand is beschadigd of heeft een onverwachte opbouw.") from None


def _too_large(shown: str, limits: WorkbookLimits, rows: object, columns: object,
               sheet: str | None = None) -> InputRefused:
    where = f"werkblad '{sheet_shown(sheet)}'" if sheet else "het werkblad"
    return InputRefused(
        f"{shown}: {where} loopt tot rij {rows} en kolom {columns}; {limits.kind} heeft "
        f"hoogstens {f'{limits.max_rows:_}'.replace('_', '.')} rijen en {limits.max_columns} "
        f"kolommen. Kindkaart leest het niet: verwijder de cellen buiten de tabel (of "
        f"{limits.advice}). Er is niets opgeslagen."
    )


def _greater_than(limit: str, digits: str) -> str:
    """A pattern for a whole string of `digits` (an alphabet in order, no leading zero) that
    counts more than `limit`: longer, or as long and larger at the first place it differs."""
    first, last = digits[0], digits[-1]
    if first == "0":
        first = digits[1]
    alternatives = [f"[{first}-{last}][{digits[0]}-{last}]{{{len(limit)},}}"]
    for i, char in enumerate(limit):
        if char != last:
            higher = digits[digits.index(char) + 1]
            rest = f"[{digits[0]}-{last}]{{{len(limit) - i - 1}}}"
            alternatives.append(f"{limit[:i]}[{higher}-{last}]{rest}")
    return "|".join(alternatives)


def _surely_below(limit: str, digits: str) -> str:
    """A pattern for a whole string of `digits` (as _greater_than) that is below `limit` at a
    glance: shorter, or as long with a smaller first place; '' when there is none."""
    first, last = digits[0], digits[-1]
    alternatives = []
    if len(limit) > 1:
        lowest = digits[1] if first == "0" else first
        alternatives.append(f"[{lowest}-{last}][{first}-{last}]{{0,{len(limit) - 2}}}")
    if limit[0] != (digits[1] if first == "0" else first):
        lowest = digits[1] if first == "0" else first
        below = digits[digits.index(limit[0]) - 1]
        alternatives.append(f"[{lowest}-{below}][{first}-{last}]{{{len(limit) - 1}}}")
    return "|".join(alternatives)


def cells_beyond(max_rows: int, max_columns: int, prefixed: bool = False) -> re.Pattern[bytes]:
    """A pattern that finds, in a worksheet's XML, a cell past `max_rows` or `max_columns` (or one
    whose address is not where Excel writes it, first): calamine holds a sheet as one dense block
    of the size its farthest cell sets, so such a cell is refused before anything is read.
    `prefixed`: also a cell written with a namespace prefix (<x:c r="XFD1048576">), which
    calamine reads as any other (slower: the search has no literal to start from)."""
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    columns = _greater_than(column_letters(max_columns), letters)
    rows = _greater_than(str(max_rows), "0123456789")
    # A cell plainly within the limits (A1 ... AZ19999 for 20,000 rows and 60 columns) is passed
    # over by its first test: the search tries every cell of every upload, and trying the
    # alternatives below on each took twice as long.
    near_columns = _surely_below(column_letters(max_columns), letters)
    near_rows = _surely_below(str(max_rows), "0123456789")
    within = f'(?! r="(?:{near_columns})(?:{near_rows})")' if near_columns and near_rows else ""
    # a cell without its address first (Excel writes r first), a column past the limit, a row
    # past the limit, or a row number with a leading zero
    start = "<(?:[A-Za-z_][\\w.-]*:)?c" if prefixed else "<c"
    return re.compile(
        f'{start}{within}(?:(?! r=")| r="(?:(?:{columns})[0-9]|[A-Z]+(?:(?:{rows})"|0)))'.encode())


# A cell's tag with a namespace prefix (<x:c r="A1">, as some writers save every element): the
# checks of the cells then look for cells so written too
PREFIXED_CELL = re.compile(rb"<[A-Za-z_][\w.-]*:c[\s>/]")
_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s>]")
_CELL_ADDRESS_FIRST = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?c r="([A-Z]+)([0-9]+)"')


_DIMENSION = re.compile(rb'<(?:[A-Za-z0-9_]+:)?dimension [^>]*ref="(?:[A-Z]+[0-9]+:)?([A-Z]+)([0-9]+)"')
# A cell that holds nothing, only a style: <c r="A30000" s="3"/> or <c r="A30000" s="3"></c>.
# Excel writes one for every empty cell of a formatted selection (a border down to row 30,000);
# calamine reads none of them, so they make no sheet larger than its table.
_EMPTY_CELL = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?c\b[^>]*?(?:/>|></(?:[A-Za-z_][\w.-]*:)?c>)')


def filled_cell_beyond(pattern: re.Pattern[bytes], sheet_data: bytes) -> re.Match[bytes] | None:
    """The first match of `pattern` (cells_beyond) in a sheet's cells that is no empty cell with
    only a style, or None."""
    for found in pattern.finditer(sheet_data):
        if not _EMPTY_CELL.match(sheet_data, found.start()):
            return found
    return None


def without_empty_cells(sheet_xml: bytes) -> bytes:
    """A sheet's XML without its empty cells (those with only a style), for a reader that would
    make an object of each (openpyxl) or count them in the sheet's size."""
    return _EMPTY_CELL.sub(b"", sheet_xml)


def cells_bounds(xml: bytes) -> tuple[int, int]:
    """Where the cells of a worksheet's XML lie, for the checks that look at cells only: from its
    <sheetData> to its last </sheetData>, or the whole XML when the first sheetData is not so
    written. calamine reads the first sheetData element whatever its prefix: with a prefixed one
    first (<x:sheetData>) and an empty <sheetData/> after it, the cells it reads lay outside
    what was checked, and one at XFD1048576 aborted the process."""
    begin, end = xml.find(b"<sheetData"), xml.rfind(b"</sheetData>")
    if 0 <= begin < end and xml.find(b"sheetData") == begin + 1:
        return begin, end
    return 0, len(xml)


_SHEET = re.compile(rb'<(?:\w+:)?sheet\b[^>]*>')
_ATTRIBUTE = re.compile(rb'([\w:]+)\s*=\s*"([^"]*)"')
_ODS = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_PATTERNS: dict[tuple[int, int, bool], re.Pattern[bytes]] = {}


def sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """The name of each worksheet of an .xlsx by its part ('xl/worksheets/sheet1.xml' -> 'kwb'),
    from the workbook and its relationships; empty when they cannot be followed."""
    try:
        workbook = archive.read("xl/workbook.xml")
        relations = archive.read("xl/_rels/workbook.xml.rels")
    except (KeyError, *DAMAGED_ZIP):
        return {}
    targets = {}
    for tag in re.finditer(rb"<(?:\w+:)?Relationship\b[^>]*>", relations):
        attributes = dict(_ATTRIBUTE.findall(tag.group(0)))
        target = attributes.get(b"Target", b"").decode(errors="replace")
        target = target.lstrip("/") if target.startswith("/") else "xl/" + target
        targets[attributes.get(b"Id", b"")] = target
    names = {}
    for tag in _SHEET.finditer(workbook):
        attributes = {key.split(b":")[-1]: value
                      for key, value in _ATTRIBUTE.findall(tag.group(0))}
        part = targets.get(attributes.get(b"id", b""))
        if part:
            from html import unescape

            names[part] = unescape(attributes.get(b"name", b"").decode(errors="replace"))
    return names


_SHEET_DATA = re.compile(rb"<(?:\w+:)?sheetData\b")


def worksheet_xml(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes | None:
    """The XML of a worksheet, or None for any other part: a part under xl/worksheets/, or any
    other XML part with cells. The workbook's relationships may put a sheet anywhere
    ('xl/data/sheet1.xml'), and calamine follows them: a sheet there was never checked, and one
    cell at XFD1048576 in it aborted the process."""
    name = info.filename
    if not name.endswith(".xml") or name == "content.xml":
        return None
    xml = archive.read(info)
    if name.startswith("xl/worksheets/") or _SHEET_DATA.search(xml):
        return xml
    return None


def _check_sheets(shown: str, archive: zipfile.ZipFile, limits: WorkbookLimits) -> None:
    names = None
    for info in archive.infolist():
        name = info.filename
        xml = worksheet_xml(archive, info)
        if xml is not None:
            begin, end = cells_bounds(xml)
            sheet_data = xml[begin:end]
            prefixed = b":c" in sheet_data and PREFIXED_CELL.search(sheet_data) is not None
            key = (limits.max_rows, limits.max_columns, prefixed)
            if key not in _PATTERNS:
                _PATTERNS[key] = cells_beyond(*key)
            beyond = _PATTERNS[key]
            # the dimension Excel writes counts formatted empty cells too (a border down to row
            # 1,048,576): it refuses the sheet only when a cell that holds something lies beyond
            dimension = _DIMENSION.search(xml[:4096])
            if dimension and (len(dimension[1]) > 3 or int(dimension[2]) > limits.max_rows
                              or column_number(dimension[1].decode()) > limits.max_columns) and (
                    filled_cell_beyond(beyond, sheet_data)):
                names = sheet_names(archive) if names is None else names
                raise _too_large(shown, limits, int(dimension[2]), dimension[1].decode(),
                                 names.get(name))
            for cells in beyond.finditer(sheet_data):
                tag = sheet_data[cells.start():cells.start() + 80]
                if not _CELL_TAG.match(tag):
                    continue  # another tag that starts with c (<color> in rich text)
                if _EMPTY_CELL.match(sheet_data, cells.start()):
                    continue  # only a style: calamine reads nothing there
                names = sheet_names(archive) if names is None else names
                where = _CELL_ADDRESS_FIRST.match(tag)
                if where is None:  # calamine would place it after the cell before
                    sheet = (f"werkblad '{sheet_shown(names[name])}'" if name in names
                             else "het werkblad")
                    raise InputRefused(
                        f"{shown}: {sheet} heeft cellen zonder adres voorop (r=\"A1\"); Kindkaart "
                        f"leest het niet: sla het opnieuw op in Excel (of {limits.advice}). Er is "
                        "niets opgeslagen.")
                raise _too_large(shown, limits, where[2].decode(), where[1].decode(),
                                 names.get(name))
        elif name == "content.xml":
            _check_ods(shown, archive.open(info), limits)


def _check_ods(shown: str, content, limits: WorkbookLimits) -> None:
    """The farthest filled cell of every sheet in an .ods: LibreOffice writes runs of equal rows
    and cells once, with a repeat count (the empty rest of a sheet is one such run)."""
    from defusedxml.ElementTree import iterparse  # no DTD or entities (a ValueError: 'damaged')

    row, filled_rows, filled_columns, sheet = 0, 0, 0, None
    for event, element in iterparse(content, events=("start", "end"), forbid_dtd=True):
        tag = element.tag
        if event == "start":
            if tag == f"{_ODS}table":
                row, filled_rows, filled_columns = 0, 0, 0
                sheet = element.get(f"{_ODS}name")
            continue
        if tag == f"{_ODS}table-row":
            repeat = int(element.get(f"{_ODS}number-rows-repeated", "1"))
            column, last_filled = 0, 0
            for cell in element:
                span = int(cell.get(f"{_ODS}number-columns-repeated", "1"))
                column += span
                if len(cell) or any(key.endswith("value-type") for key in cell.keys()):
                    last_filled = column
            if last_filled:
                filled_rows = max(filled_rows, row + repeat)
                filled_columns = max(filled_columns, last_filled)
            row += repeat
            element.clear()
            if filled_rows > limits.max_rows or filled_columns > limits.max_columns:
                raise _too_large(shown, limits, filled_rows, column_letters(filled_columns),
                                 sheet)


# BIFF8 records that hold one cell (row and column first), several (MULRK, MULBLANK: the last
# column at the end) or a sheet's used range (DIMENSIONS).
_XLS_CELLS = {0x0006, 0x0201, 0x0203, 0x0204, 0x0205, 0x027E, 0x00FD, 0x00D6}
_XLS_CELL_RUNS = {0x00BD, 0x00BE}
_XLS_DIMENSIONS = 0x0200


def xls_farthest_cell(data: bytes) -> tuple[int, int] | None:
    """The (row, column), 1-based, that the cells of an .xls reach, from its BIFF records; None
    when the compound file cannot be followed (calamine then words the refusal)."""
    try:
        stream = _ole_stream(data, ("Workbook", "Book"))
        if stream is None:
            return None
        rows = columns = 0
        position = 0
        while position + 4 <= len(stream):
            kind, length = struct.unpack_from("<HH", stream, position)
            body = position + 4
            if kind in _XLS_CELLS and length >= 4:
                row, column = struct.unpack_from("<HH", stream, body)
            elif kind in _XLS_CELL_RUNS and length >= 6:
                row = struct.unpack_from("<H", stream, body)[0]
                column = struct.unpack_from("<H", stream, body + length - 2)[0]
            elif kind == _XLS_DIMENSIONS and length >= 14:
                last_row, last_column = struct.unpack_from("<IxxH", stream, body + 4)
                row, column = max(last_row - 1, 0), max(last_column - 1, 0)
            else:
                position = body + length
                continue
            rows, columns = max(rows, row + 1), max(columns, column + 1)
            position = body + length
        return rows, columns
    except (struct.error, IndexError, ValueError):
        return None


def _ole_stream(data: bytes, names: tuple[str, ...]) -> bytes | None:
    """A stream of an OLE2 compound file (the container of an .xls), by name."""
    end_of_chain = 0xFFFFFFFE
    sector_size = 1 << struct.unpack_from("<H", data, 30)[0]
    mini_size = 1 << struct.unpack_from("<H", data, 32)[0]
    sector_count = len(data) // sector_size

    def sector(number: int) -> bytes:
        return data[(number + 1) * sector_size:(number + 2) * sector_size]

    difat = list(struct.unpack_from("<109I", data, 76))
    following, guard = struct.unpack_from("<I", data, 68)[0], 0
    while following < sector_count and guard < sector_count:
        entries = struct.unpack(f"<{sector_size // 4}I", sector(following))
        difat += entries[:-1]
        following, guard = entries[-1], guard + 1
    fat = []
    for number in difat:
        if number < sector_count:
            fat += struct.unpack(f"<{sector_size // 4}I", sector(number))

    def chain(first: int, table: list[int]) -> list[int]:
        numbers = []
        while first != end_of_chain and first < len(table) and len(numbers) <= len(table):
            numbers.append(first)
            first = table[first]
        return numbers

    directory = b"".join(sector(n) for n in chain(struct.unpack_from("<I", data, 48)[0], fat))
    entries = [directory[i:i + 128] for i in range(0, len(directory) - 127, 128)]
    if not entries:
        return None
    for entry in entries:
        name_length = struct.unpack_from("<H", entry, 64)[0]
        name = entry[:max(name_length - 2, 0)].decode("utf-16-le", errors="replace")
        if name not in names:
            continue
        first, size = struct.unpack_from("<II", entry, 116)
        if size >= struct.unpack_from("<I", data, 56)[0]:
            return b"".join(sector(n) for n in chain(first, fat))[:size]
        # a small stream lies in the mini stream, which the root entry holds
        mini_fat = []
        for n in chain(struct.unpack_from("<I", data, 60)[0], fat):
            mini_fat += struct.unpack(f"<{sector_size // 4}I", sector(n))
        root = b"".join(sector(n) for n in chain(struct.unpack_from("<I", entries[0], 116)[0], fat))
        return b"".join(root[n * mini_size:(n + 1) * mini_size] for n in chain(first, mini_fat))[:size]
    return None


# Excel's escape of a character in a text of a workbook's XML (ST_Xstring): _x000D_ for a carriage
# return, which XML cannot keep, and any other character written so (_x0020_ a space); _x005F_
# is the underscore that keeps a text like '_x000D_' from being read as an escape
_OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_SURROGATE = re.compile("[\ud800-\udfff]")


def ooxml_text(text: str) -> str:
    """A text from a workbook's XML as Excel shows it: every _xHHHH_ the character of that UTF-16
    code unit, read from left to right ('_x005F_x000D_' is the text '_x000D_'), a pair of
    surrogates the one character they make, a lone surrogate (no character) U+FFFD."""
    if "_x" not in text:
        return text
    decoded = _OOXML_ESCAPE.sub(lambda found: chr(int(found.group(1), 16)), text)
    if _SURROGATE.search(decoded):
        decoded = decoded.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return decoded


def sheet_shown(name: str) -> str:
    """A sheet's name for a message, as Excel shows it on its tab and as a cell's text is shown:
    its _xHHHH_ escapes decoded (ooxml_text: 'Blad_x0020_2' is the tab 'Blad 2'), a character that
    shows as nothing written out (text.visible: a control character as <U+0007>). The readers
    (calamine, openpyxl) give the name as the workbook's XML holds it; a line break in it
    (_x000A_) as a space (text.on_one_line)."""
    return visible(on_one_line(ooxml_text(name)))


def column_letters(number: int) -> str:
    """1 -> 'A', 27 -> 'AA', 16384 -> 'XFD'."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number
