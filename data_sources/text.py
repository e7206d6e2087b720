"""How names and headers from files are compared: one rule for every reader."""

from __future__ import annotations

import codecs
import re
import unicodedata
from functools import lru_cache


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


_SURROGATES = re.compile("[\ud800-\udfff]")


def storable(text: str) -> str:
    """Text DuckDB can store: the lone surrogates by which Python keeps bytes that are no UTF-8 (a
    file name or argument on the command line) replaced by the replacement character."""
    return _SURROGATES.sub("\ufffd", text)


def one_line(text: str) -> str:
    """Text for one line of a log: control characters, line breaks and bidirectional overrides
    written as escapes (a line break as \\n), so that what someone typed shows as typed and never
    starts a line of its own."""
    return _NAME_CONTROLS.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), str(text))


# The five bytes Windows-1252 has no character for. Python refuses them; Windows itself (and a
# browser, by the WHATWG encoding standard) reads each as the C1 control character of the same
# number, U+0081 for 0x81: invisible, so a reader that lets them through names where they are.
WINDOWS_1252_UNDEFINED = re.compile("[\x81\x8d\x8f\x90\x9d]")


def _as_windows_reads_it(error: UnicodeError) -> tuple[str, int]:
    # Windows-1252 maps byte by byte: the error is the one byte it has no character for
    return chr(error.object[error.start]), error.start + 1


codecs.register_error("kindkaart-windows-1252-undefined", _as_windows_reads_it)


def decode(raw: bytes, *, windows_undefined: bool = False) -> str:
    """The text of a CSV or JSON file as Excel and CBS save them: UTF-8 (with or without BOM),
    UTF-16 with its BOM (Excel's 'Unicode-tekst'), else Windows-1252. Raises UnicodeDecodeError
    for bytes none of these read, and for UTF-16 without a BOM (every other byte zero), which
    Windows-1252 would turn into text with a NUL between the letters. With `windows_undefined`,
    a byte Windows-1252 leaves undefined is read as Windows reads it (WINDOWS_1252_UNDEFINED),
    for the caller to name by row and column, instead of refusing the whole file."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    head = raw[:4096]
    if len(head) >= 8 and head.count(b"\x00") * 3 > len(head):
        raise UnicodeDecodeError("utf-16", raw, 0, 1, "UTF-16 without a byte order mark")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # saved by Excel on Windows; a UTF-8 BOM before Windows-1252 text (a header pasted from a
        # UTF-8 file, or the BOM a script wrote before appending an export) is no part of the
        # first column's name: 'ï»¿lrk_id' was reported as a missing column lrk_id
        return raw.removeprefix(b"\xef\xbb\xbf").decode(
            "cp1252", errors="kindkaart-windows-1252-undefined" if windows_undefined else "strict")
