"""How names and headers from files are compared: one rule for every reader."""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=65536)
def _normalised(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    return " ".join(re.sub(r"[^a-z0-9/]+", " ", plain).split())


def normalise(text: object) -> str:
    """Lowercase, without accents, punctuation as single spaces, the slash kept:
    'Zuid-Éind ' -> 'zuid eind', 'Taal/spraak' -> 'taal/spraak'."""
    return _normalised(str(text))


# Dutch month names and their abbreviations (as Excel writes them in a date: '1-mrt-12'), with
# the few English ones that differ and people type: month name -> month number.
MONTHS = {
    name: i for i, names in enumerate(
        [(), ("januari", "jan"), ("februari", "feb"), ("maart", "mrt", "mar"), ("april", "apr"),
         ("mei",), ("juni", "jun"), ("juli", "jul"), ("augustus", "aug"),
         ("september", "sep", "sept"), ("oktober", "okt", "oct"), ("november", "nov"),
         ("december", "dec")]
    ) for name in names
}


# The apostrophes other than the straight one that a name may carry: Excel's AutoCorrect and
# word processors turn "'s-Hertogenbosch" into "’s-Hertogenbosch" (U+2019), some keyboards and
# fonts give ‘ (U+2018), ʼ (U+02BC) or ´ and `. CBS writes the straight one.
_APOSTROPHES = re.compile("[\u2018\u2019\u201b\u02bc\u02b9\u0060\u00b4\u2032]")


def straight_apostrophes(text: str) -> str:
    """A name with every curly or typographic apostrophe written as the straight one CBS uses:
    '’s-Gravenhage' -> "'s-Gravenhage"."""
    return _APOSTROPHES.sub("'", text)


def compact(text: object) -> str:
    """normalise() without the spaces, for headers spelled with or without separators:
    'Opvanglocatie_Postcode' and 'opvanglocatie postcode' -> 'opvanglocatiepostcode'."""
    return normalise(text).replace(" ", "")


def delimiter(header: str) -> str:
    """The separator of a CSV file, from its header line: ';' (StatLine, the LRK register, CBS's
    postcode file), ',' or a tab (copies saved again in Excel), whichever the line has most of."""
    return max((";", ",", "\t"), key=header.count)


# C0 control characters but tab, line feed and carriage return: a NUL from a file would end up in
# the tables, the pages and the HTML report.
CONTROL_CHARACTERS = r"[\x00-\x08\x0b\x0c\x0e-\x1f]"
_CONTROLS = re.compile(CONTROL_CHARACTERS)


def without_controls(text: str) -> str:
    """Text from a file without control characters (NUL, ESC, ...) other than tab and line breaks
    (CONTROL_CHARACTERS, also for pandas' str.replace)."""
    return _CONTROLS.sub("", text)


# Every control character (C0 with tab and line breaks, DEL, C1: 0x9b starts an escape sequence
# in some terminals) and the bidirectional overrides that make text read in another order
_NAME_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def file_name_shown(name: str) -> str:
    """A file name as sent by a browser (the partner's: any characters) fit to store and print:
    without control characters or bidirectional overrides, on one line. Escape sequences in it
    reached the terminal of whoever ran `history`, and a line break printed a made-up line. Bytes
    that are no UTF-8 (a name on the command line, kept by Python as lone surrogates, which
    DuckDB refuses to store) become the replacement character."""
    return " ".join(_NAME_CONTROLS.sub(lambda m: " " if m.group() in "\t\n\r" else "",
                                       storable(str(name))).split())


def given_path(path: str | Path) -> Path:
    """A file or folder as the user gave it, resolved when its name says nothing: `.`, `./` and
    `map/..` have no name of their own (Path('.').name is ''), so the line after loading read
    ': kerncijfers ...' and the load stored no file name. A symlink given by its name keeps it."""
    path = Path(path)
    return path.resolve() if path.name in ("", "..") else path


# The number of a CBS StatLine table (85984NED, 03759ned); Kindkaart's own ids of a file without
# one (odata-2024, statline-2023, kwb-2024) are no such number.
CBS_TABLE_ID = re.compile(r"^\d{5}(?:NED|ENG)$", re.IGNORECASE)

# The datasets of CBS tables (loads.dataset): a file of one without its number gets an id
# Kindkaart makes up (odata-2024, statline-2023, kwb-2024). Boundaries, postcodes, the LRK and
# partner registrations are named by their source or soort, not by the file.
CBS_TABLE_DATASETS = frozenset({"kerncijfers", "nabijheid", "bevolking-leeftijd", "jeugdzorg-wijk"})


def is_cbs_table_id(table_id: object) -> bool:
    """Whether `table_id` is the number of a CBS table (85984NED), not an id Kindkaart made up for
    a file without one (odata-2024, statline-2023, kwb-2024)."""
    return isinstance(table_id, str) and bool(CBS_TABLE_ID.match(table_id.strip()))


def table_shown(dataset: object, table_id: object, file_name: object) -> object:
    """How a load's table (loads.table_id) is named to a user, under 'Tabel' or 'Tabel of soort'
    on every page, export and report: the CBS table number, or for a CBS file without one the name
    of the file or folder loaded (not odata-2024, an id Kindkaart made up, which stays stored: it
    keys replacements). Any other load keeps its table_id (the soort of a registration, LRK)."""
    if (dataset in CBS_TABLE_DATASETS and isinstance(file_name, str) and file_name
            and not is_cbs_table_id(table_id)):
        return file_name
    return table_id


_SURROGATES = re.compile("[\ud800-\udfff]")


def storable(text: str) -> str:
    """Text DuckDB can store: the lone surrogates by which Python keeps bytes that are no UTF-8 (a
    file name or argument on the command line) replaced by the replacement character."""
    return _SURROGATES.sub("\ufffd", text)


# A line break typed in a cell (Alt+Enter in Excel, CR LF from some programs), with the spaces
# around it: what wraps a header or a sheet's name onto a second line in the cell.
_LINE_BREAKS = re.compile("[ \t]*(?:\r\n|[\r\n\u2028\u2029])[ \t\r\n\u2028\u2029]*")


def on_one_line(text: str) -> str:
    """Text for a message, with each line break typed in a cell as one space ('leeftijds-\\ngroep'
    -> 'leeftijds- groep'): as the cell reads, and a line break in a message broke the command
    line's output. A log, which must show what was typed, uses one_line."""
    return _LINE_BREAKS.sub(" ", text)


def one_line(text: str) -> str:
    """Text for one line of a log: control characters, line breaks and bidirectional overrides
    written as escapes (a line break as \\n), so that what someone typed shows as typed and never
    starts a line of its own."""
    return _NAME_CONTROLS.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), str(text))


# Characters that show as nothing or change how the rest shows: format characters (zero-width
# spaces, marks and overrides of writing direction) and control characters but tab and line breaks
_UNSEEN = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f"
                     "\ufeff\ufff9-\ufffb\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def visible(text: str) -> str:
    """Text for a message with every character that shows as nothing (or turns what follows)
    written as <U+200B>: "'2024' is not '2024'" hid a zero-width space."""
    if _UNSEEN.search(text):
        return _UNSEEN.sub(lambda found: f"<U+{ord(found.group()):04X}>", text)
    return text


def as_seen(text: str) -> str:
    """Text as a reader sees it, for the checks on personal data: without the characters that
    show as nothing (a zero-width space or soft hyphen in 'Sve\u200bn Jansen', '1234\u00ad56782'
    kept a name and a BSN from being recognised), every kind of space a space and wide digits
    plain ones (NFKC: 'Sven\u00a0Jansen', a BSN typed in full-width digits)."""
    if text.isascii() and not _UNSEEN.search(text):
        return text
    return unicodedata.normalize("NFKC", _UNSEEN.sub("", text))


# The five bytes Windows-1252 has no character for. Python refuses them; Windows itself (and a
# browser, by the WHATWG encoding standard) reads each as the C1 control character of the same
# number, U+0081 for 0x81: invisible, so a reader that lets them through names where they are.
WINDOWS_1252_UNDEFINED = re.compile("[\x81\x8d\x8f\x90\x9d]")


def _as_windows_reads_it(error: UnicodeError) -> tuple[str, int]:
    # Windows-1252 maps byte by byte: the error is the one byte it has no character for
    return chr(error.object[error.start]), error.start + 1


codecs.register_error("kindkaart-windows-1252-undefined", _as_windows_reads_it)


# A byte that is no UTF-8 in a text that otherwise is (decode's `not_utf8`), kept as a character
# of the private use area for the caller to name: U+F780 + the byte (U+F7E9 for 0xE9). Python's
# own 'surrogateescape' keeps it as a lone surrogate, which pandas refuses to read.
NOT_UTF8 = re.compile("[\uf780-\uf7ff]")
_NOT_UTF8_BASE = 0xF700
_ESCAPED = re.compile("[\udc80-\udcff]")


def not_utf8_byte(ch: str) -> int:
    """The byte that a character of NOT_UTF8 stands for: 0xE9 for U+F7E9."""
    return ord(ch) - _NOT_UTF8_BASE


def shown(value: str) -> str:
    """A value as a message shows it: a byte that is no UTF-8 (NOT_UTF8) as <0xE9>, a character
    that shows as nothing as <U+0081> (visible)."""
    return visible(NOT_UTF8.sub(lambda m: f"<0x{not_utf8_byte(m.group()):02X}>", value))


def not_utf8_said(value: str) -> str:
    """Why a value with a byte that is no UTF-8 (NOT_UTF8) in a file that otherwise is UTF-8 is
    not read, in Dutch, with the letter the byte is in Windows-1252: "'Caf<0xE9>' bevat de byte
    0xE9, die geen UTF-8 is, terwijl de rest van het bestand UTF-8 is (in Windows-1252 is het
    'é': ...)"."""
    byte = not_utf8_byte(NOT_UTF8.search(value).group())
    said = (f"'{shown(value)}' bevat de byte 0x{byte:02X}, die geen UTF-8 is, terwijl de rest van "
            "het bestand UTF-8 is")
    try:
        letter = bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        # 0x81, 0x8D, 0x8F, 0x90, 0x9D: no pasted letter ('�' was shown as the letter it is)
        return f"{said} (en ook in Windows-1252 geen teken: het bestand is beschadigd)"
    return f"{said} (in Windows-1252 is het '{shown(letter)}': een rij uit een ander bestand geplakt?)"


def windows_undefined_said(value: str, of: str = "het bestand") -> str:
    """Why a value with a byte Windows-1252 leaves undefined (WINDOWS_1252_UNDEFINED, read as
    Windows reads it) is not read, in Dutch: "'Caf<U+0081>' bevat de byte 0x81, die in
    Windows-1252 (de codering van het bestand) geen teken is: ..."; `of`: what is in Windows-1252."""
    byte = ord(WINDOWS_1252_UNDEFINED.search(value).group())
    return (f"'{shown(value)}' bevat de byte 0x{byte:02X}, die in Windows-1252 (de codering van "
            f"{of}) geen teken is: het bestand is beschadigd of in een andere codering opgeslagen")


def bad_byte_said(value: str) -> str:
    """Why a value with a byte its file's encoding does not read (bad_bytes_of) is not read, in
    Dutch: not_utf8_said or windows_undefined_said."""
    return not_utf8_said(value) if NOT_UTF8.search(value) else windows_undefined_said(value)


# What UTF-8 gives Dutch text beyond ASCII: the letters with accents and signs of Latin-1 and
# Latin Extended-A (é is C3 A9, ş C5 9F) and the typographic quotes, dashes and euro sign (’ is
# E2 80 99). Read as Windows-1252 their bytes are 'Ã©' and 'â€™', which Dutch text does not have;
# two bytes of Windows-1252 that happen to be UTF-8 give other characters ('É' and a no-break space:
# U+0260), and the C1 controls (U+0080-U+009F) are no letters either.
_UTF8_LETTERS = re.compile("[\u00a0-\u017f\u2000-\u20ff]")
# How many lines with bytes that are no UTF-8 one line of UTF-8 letters outweighs in a CBS file
# (_utf8_but_for_some_lines; an LRK export decides line by line, decoded_by_line).
STRAY_LINES_PER_UTF8_LINE = 100


def _mixed_lines(text: str) -> tuple[int, int]:
    """Of a text decoded as UTF-8 with 'surrogateescape': the lines that read as UTF-8 with a
    letter beyond ASCII (_UTF8_LETTERS) and no byte that is no UTF-8, and the lines with such a
    byte."""
    utf8_lines = stray_lines = 0
    for line in text.split("\n"):
        if line.isascii():
            continue
        if _ESCAPED.search(line):
            stray_lines += 1
        elif _UTF8_LETTERS.search(line):
            utf8_lines += 1
    return utf8_lines, stray_lines


def _utf8_but_for_some_lines(raw: bytes) -> str | None:
    """`raw` as UTF-8 with its bytes that are no UTF-8 as NOT_UTF8 characters, when it is UTF-8
    with lines pasted from elsewhere; None when it is Windows-1252.

    The rule, line by line, because a file is pasted together by lines: UTF-8 writes a letter
    beyond ASCII as a lead byte and one to three continuation bytes, Windows-1252 as one byte.
    A line of Windows-1252 with an accented letter nearly always has a byte that is no UTF-8
    ('é' is E9, a lead byte without its continuation), and it reads as a UTF-8 letter only by
    accident: 'Ã' or 'â€' before a sign, i.e. text that was already read wrongly once. A line of
    UTF-8 has no such byte at all. So a line with UTF-8 letters and no stray byte is evidence of
    UTF-8 that Windows-1252 hardly ever gives, and a line with a stray byte is a line that is no
    UTF-8. A file with no UTF-8 line is Windows-1252 (the register's own download); a file with
    UTF-8 lines is UTF-8 with the other lines pasted in (8 rows of Amsterdam from the register's
    copy in a national copy saved as CSV UTF-8, whose own 'Crèche' was stored as 'CrÃ¨che' when
    the whole file was read as Windows-1252), unless they are fewer than 1 in
    STRAY_LINES_PER_UTF8_LINE of its lines with stray bytes: then they are the accidents of a
    Windows-1252 file of thousands of accented lines, which is read as a whole. Counting bytes
    over the whole file instead made a UTF-8 copy with few accents of its own Windows-1252 as
    soon as the pasted rows had more accented letters than it.

    This is the rule of the CBS readers (decoded's `not_utf8`), which refuse a stray byte as the
    damage it is in a file CBS writes in UTF-8. An LRK export, pasted together from the
    register's Windows-1252 download and copies saved as CSV UTF-8, is read line by line instead
    (decoded_by_line): there a small download with one name the register stored misread was
    UTF-8 by this rule, and its accented rows refused."""
    body = raw.removeprefix(b"\xef\xbb\xbf")
    text = body.decode("utf-8", errors="surrogateescape")
    utf8_lines, stray_lines = _mixed_lines(text)
    if not utf8_lines or utf8_lines * STRAY_LINES_PER_UTF8_LINE < stray_lines:
        return None
    return _ESCAPED.sub(lambda found: chr(ord(found.group()) - 0xDC00 + _NOT_UTF8_BASE), text)


# The characters Windows-1252 gives its bytes 0x80-0xFF: UTF-8 read as Windows-1252 and saved
# again shows as a run of two or more of them ('Ã¨' for 'è', 'â€™' for '’').
_WINDOWS_1252_HIGH = "".join(bytes([byte]).decode("cp1252", errors="ignore") for byte in range(0x80, 0x100))
MISREAD_UTF8 = re.compile(f"[{re.escape(_WINDOWS_1252_HIGH)}]{{2,}}")


def misread_utf8(text: str) -> str | None:
    """`text` as it was written when it holds UTF-8 that was read as Windows-1252 once and saved
    so ('CrÃ¨che' -> 'Crèche', 'Ã‰Ã©n' -> 'Één'); None when it holds none. A run counts when
    its Windows-1252 bytes are UTF-8 for letters Dutch text has (_UTF8_LETTERS): 'É' and a no-break
    space, two bytes UTF-8 reads as U+0260, are the letters they are."""
    def written(found: re.Match) -> str:
        try:
            letters = found.group().encode("cp1252").decode("utf-8")
        except UnicodeError:
            return found.group()
        return letters if len(_UTF8_LETTERS.findall(letters)) == len(letters) else found.group()

    repaired = MISREAD_UTF8.sub(written, text)
    return repaired if repaired != text else None


def decode(raw: bytes, *, windows_undefined: bool = False, not_utf8: bool = False) -> str:
    """The text of a CSV or JSON file (decoded, without the name of its encoding)."""
    return decoded(raw, windows_undefined=windows_undefined, not_utf8=not_utf8)[0]


# The encodings decoded() names: the last two leave characters for the caller to name by row.
UTF8_NOT_UTF8, WINDOWS_1252 = "utf-8 with bytes that are no utf-8", "windows-1252"


def json_error_at_bad_byte(error: BaseException, encoding: str) -> BaseException:
    """A JSON error where the text breaks at a byte its encoding does not read (kept by decoded():
    a damaged byte between values, not in a value) as the UnicodeDecodeError it stands for, which
    errors.unreadable names as unreadable bytes on that line; any other error as it is."""
    bad, doc, pos = bad_bytes_of(encoding), getattr(error, "doc", None), getattr(error, "pos", None)
    if bad is None or not isinstance(doc, str) or pos is None or not bad.match(doc, pos):
        return error
    before = doc[:pos].encode("utf-8", errors="replace")
    return UnicodeDecodeError(encoding, before + b"\x81", len(before), len(before) + 1, "not read")


def bad_bytes_of(encoding: str) -> re.Pattern | None:
    """The characters by which decoded(..., windows_undefined=True, not_utf8=True) kept the bytes
    that `encoding` (as decoded() names it) does not read, for the reader to name where a value is
    read: NOT_UTF8, WINDOWS_1252_UNDEFINED, or None."""
    return {UTF8_NOT_UTF8: NOT_UTF8, WINDOWS_1252: WINDOWS_1252_UNDEFINED}.get(encoding)


def _unicode(raw: bytes) -> tuple[str, str] | None:
    """`raw` as UTF-16 with its BOM or as UTF-8 (with or without BOM), and which; None when it is
    neither. Raises UnicodeDecodeError for UTF-16 without a BOM (decoded)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), "utf-16"
    head = raw[:4096]
    if len(head) >= 8 and head.count(b"\x00") * 3 > len(head):
        raise UnicodeDecodeError("utf-16", raw, 0, 1, "UTF-16 without a byte order mark")
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return None


def decoded(raw: bytes, *, windows_undefined: bool = False, not_utf8: bool = False
            ) -> tuple[str, str]:
    """The text of a CSV or JSON file as Excel and CBS save them: UTF-8 (with or without BOM),
    UTF-16 with its BOM (Excel's 'Unicode-tekst'), else Windows-1252. Raises UnicodeDecodeError
    for bytes none of these read, and for UTF-16 without a BOM (every other byte zero), which
    Windows-1252 would turn into text with a NUL between the letters. With `windows_undefined`,
    a byte Windows-1252 leaves undefined is read as Windows reads it (WINDOWS_1252_UNDEFINED),
    for the caller to name by row and column, instead of refusing the whole file. With
    `not_utf8`, UTF-8 text with lines whose bytes are no UTF-8 (rows pasted from a Windows-1252
    copy, a damaged byte; the rule in _utf8_but_for_some_lines) is read as UTF-8 with those
    bytes as NOT_UTF8 characters, for the caller to name by row and column: read as
    Windows-1252 as a whole, every 'é' of the file became 'Ã©' without a word. Returns the
    text and the encoding read: 'utf-16', 'utf-8', UTF8_NOT_UTF8 or WINDOWS_1252."""
    if (unicode := _unicode(raw)) is not None:
        return unicode
    if not_utf8 and (text := _utf8_but_for_some_lines(raw)) is not None:
        return text, UTF8_NOT_UTF8
    # saved by Excel on Windows; a UTF-8 BOM before Windows-1252 text (a header pasted from a
    # UTF-8 file, or the BOM a script wrote before appending an export) is no part of the
    # first column's name: 'ï»¿lrk_id' was reported as a missing column lrk_id
    return raw.removeprefix(b"\xef\xbb\xbf").decode(
        "cp1252", errors="kindkaart-windows-1252-undefined" if windows_undefined else "strict"
    ), WINDOWS_1252


# A character of a line that UTF-8 reads but Dutch text written in UTF-8 does not have: not ASCII
# and none of _UTF8_LETTERS ('É' and a no-break space in Windows-1252 read as UTF-8 give U+0260).
_NO_UTF8_LETTER = re.compile(f"[^\x00-\x7f{_UTF8_LETTERS.pattern[1:-1]}]")


@dataclass(frozen=True)
class LineByLine:
    """A text decoded line by line (decoded_by_line): the text, and of its lines with a character
    beyond ASCII (0-based, split at line feeds) those read as Windows-1252 and those read as
    UTF-8."""

    text: str
    windows_1252: list[int]
    utf8: list[int]
    # lines with letters of both (a value typed or pasted in the other encoding), and per such
    # line the words that hold its Windows-1252 letters, to name their column
    both: dict[int, list[str]] = field(default_factory=dict)


def decoded_by_line(raw: bytes) -> LineByLine:
    """The text of a CSV file whose lines may each have their own encoding, as a file pasted
    together from copies is (rows of the register's Windows-1252 download in a copy saved as CSV
    UTF-8, or the reverse): UTF-16 with its BOM and valid UTF-8 as a whole (decoded), else line
    by line. A line that is valid UTF-8 and has only letters Dutch text has beyond ASCII
    (_UTF8_LETTERS) is UTF-8; every other line is Windows-1252, a byte it leaves undefined read
    as Windows reads it (WINDOWS_1252_UNDEFINED), for the caller to name by row and column.

    Why a line can be judged on its own: UTF-8 writes a letter beyond ASCII as a lead byte and
    one to three continuation bytes, Windows-1252 as one byte. A line of Windows-1252 with an
    accented letter nearly always has a byte that is no UTF-8 ('é' is E9, a lead byte without
    its continuation); it reads as UTF-8 letters only when its bytes are the UTF-8 of those
    letters, i.e. text that was read wrongly once ('CafÃ©' stored by the register is C3 A9: read
    so it is 'Café'), and two bytes that happen to be UTF-8 for something else ('É' and a
    no-break space: U+0260) are no letter and keep the line Windows-1252. Deciding for the file
    as a whole by counting such lines refused every row of the one kind or the other: a
    Windows-1252 download of 30 accented names with one 'CafÃ©' became UTF-8 and its 30 rows
    were refused, rows pasted into a UTF-8 copy were refused where they could be read."""
    if (unicode := _unicode(raw)) is not None:
        return LineByLine(unicode[0], [], [])
    body = raw.removeprefix(b"\xef\xbb\xbf")
    # Windows-1252 reads byte by byte, a line feed as a line feed: the whole text at once, and
    # below the lines read otherwise (a decode per line of the register's download of 100,000
    # accented lines took a third of a second). UTF-8 writes every character beyond ASCII with a
    # byte 80-BF: a line without one is no UTF-8, and a file without one all Windows-1252.
    windows_text = body.decode("cp1252", errors="kindkaart-windows-1252-undefined")
    byte_lines = body.split(b"\n")
    if not body.translate(None, _NO_UTF8_CONTINUATION):
        return LineByLine(windows_text, [number for number, line in enumerate(byte_lines)
                                         if not line.isascii()], [])
    lines = windows_text.split("\n")
    windows_1252, utf8, both = [], [], {}
    maybe_both = any(lead in raw for lead in _UTF8_LETTER_LEADS)
    for number, line in enumerate(byte_lines):
        if line.isascii():
            continue
        if not line.translate(None, _NO_UTF8_CONTINUATION):
            windows_1252.append(number)
            continue
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            text = None
            if maybe_both and _UTF8_LETTER_BYTES.search(line) and (
                    mixed := _utf8_and_windows_1252(line)) is not None:
                lines[number], both[number] = mixed
                continue
        if text is None or _NO_UTF8_LETTER.search(text):
            windows_1252.append(number)  # as read above
        else:
            utf8.append(number)
            lines[number] = text
    return LineByLine("\n".join(lines), windows_1252, utf8, both)


# The UTF-8 of a letter of _UTF8_LETTERS: a line without one is read as Windows-1252 at once (the
# register's download has tens of thousands of such lines)
_UTF8_LETTER_BYTES = re.compile(rb"\xc2[\xa0-\xbf]|[\xc3-\xc5][\x80-\xbf]|\xe2[\x80-\x83][\x80-\xbf]")
_UTF8_LETTER_LEADS = (b"\xc2", b"\xc3", b"\xc4", b"\xc5", b"\xe2")  # in the file at all?
# Every byte but UTF-8's continuation bytes (80-BF), for bytes.translate to delete.
_NO_UTF8_CONTINUATION = bytes([*range(0x80), *range(0xC0, 0x100)])


def _utf8_and_windows_1252(line: bytes) -> tuple[str, list[str]] | None:
    """A line that is no UTF-8 as a whole but holds UTF-8 letters (_UTF8_LETTERS) beside bytes
    that are no UTF-8 (or UTF-8 of no letter): each part read in its own encoding, with the
    words that hold the Windows-1252 parts. A name in UTF-8 and an address typed in a Windows
    program on one line was read as Windows-1252 whole, its UTF-8 letters stored as 'CrÃ¨che'.
    None for a line without a UTF-8 letter: a Windows-1252 line."""
    pieces: list[str] = []
    foreign: list[tuple[int, int]] = []  # character ranges read as Windows-1252
    at, length, letters = 0, 0, False

    def windows_1252(part: bytes) -> None:
        nonlocal length
        pieces.append(part.decode("cp1252", errors="kindkaart-windows-1252-undefined"))
        foreign.append((length, length + len(pieces[-1])))
        length += len(pieces[-1])

    while at < len(line):
        try:
            part, end = line[at:].decode("utf-8"), len(line)
        except UnicodeDecodeError as error:
            part, end = line[at:at + error.start].decode("utf-8"), at + error.end
        for kept in re.split(f"({_NO_UTF8_LETTER.pattern})", part):
            if _NO_UTF8_LETTER.fullmatch(kept):  # UTF-8 of no letter: Windows-1252 bytes
                windows_1252(kept.encode("utf-8"))
            elif kept:
                letters = letters or not kept.isascii()
                pieces.append(kept)
                length += len(kept)
        if end > (done := at + len(part.encode("utf-8"))):
            windows_1252(line[done:end])
        at = end
    if not letters:
        return None
    text = "".join(pieces)
    words = [match[0] for match in re.finditer(r"[^\s;,\t\"]+", text)
             if any(match.start() < stop and start < match.end() for start, stop in foreign)]
    return text, list(dict.fromkeys(words))
