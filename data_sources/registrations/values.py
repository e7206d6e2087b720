"""Parsing cell values as partners type them: Dutch numbers, dates in several formats, periods."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Container
from functools import lru_cache
from pathlib import Path

from data_sources.text import MONTHS, as_seen, compact, normalise, visible

_NL_THOUSANDS = re.compile(r"^-?\d{1,3}(\.\d{3})+(,\d+)?$")
_NL_DECIMAL = re.compile(r"^-?\d+,\d+$")
_EN_THOUSANDS = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")
_PLAIN = re.compile(r"^-?\d+(\.\d+)?$")
_MONTHS = MONTHS
MONTH_NAMES = frozenset(_MONTHS)  # 'januari', 'jan', 'mei', ...


# No cell counts more: a gemeente has at most some hundred thousand children, and a bound far
# below 2**53 keeps every sum exact (a float holds whole numbers exactly up to there).
MAX_COUNT = 1_000_000


class BadValue(ValueError):
    """A cell value that cannot be used; the message is Dutch and may quote the value."""


# Excel's error values as the file holds them (always in English), with what Dutch Excel shows.
EXCEL_ERRORS = {"#NULL!": "#LEEG!", "#DIV/0!": "#DEEL/0!", "#VALUE!": "#WAARDE!",
                "#REF!": "#VERW!", "#NAME?": "#NAAM?", "#NUM!": "#GETAL!", "#N/A": "#N/B",
                "#SPILL!": "#OVERLOOP!", "#CALC!": "#BEREKENEN!", "#GETTING_DATA": "#GEGEVENS_OPHALEN"}


def excel_error(value: object) -> str | None:
    """The error value as Dutch Excel shows it ('#DEEL/0!') when `value` is one, else None."""
    if value.__class__ is not str or not value.startswith("#"):
        return None
    return EXCEL_ERRORS.get(value.strip().upper())


class NoNumberWord(BadValue):
    """A word or sign typed where a number belongs ('n.v.t.', 'nvt', '-', 'onbekend'): what to
    type instead depends on the column (validate._parse_cell words it)."""


def cell_text(value: object) -> str:
    """A cell value as text, whole: as it is stored (aanbieder, the Organisatie notes)."""
    if isinstance(value, bool):
        return "WAAR" if value else "ONWAAR"  # as Dutch Excel shows TRUE and FALSE
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%d-%m-%Y")
    return str(value).strip()


SHOWN_CHARACTERS = 80


def show(value: object) -> str:
    """A cell value as a partner would recognise it in a message: a long text by its start and
    its length (a cell of 30,000 characters made a message, and the page's table, of that size),
    a character that shows as nothing as <U+200B> (the message "'2024' is not '2024'" hid a
    zero-width space)."""
    text = cell_text(value)
    if len(text) > SHOWN_CHARACTERS:
        text = f"{text[:SHOWN_CHARACTERS // 2]}... ({len(text)} tekens)"
    return visible(text)


_NO_PART_OF_A_NUMBER = re.compile("[\\s\u00a0\u2007\u202f\u200b\u200c\u200d\u2060\ufeff]+")
# The marks, embeddings and isolates of writing direction that text copied from an e-mail or a
# web page carries around a number (U+200E, U+202A ... U+202C). Around one run of digits none
# changes what shows; between two (a mark before '1 200') the groups can show in the other order
# ('200 1'), and an override (U+202D, U+202E) reverses the digits themselves ('12' shows as '21'):
# such a cell is refused, naming the character (_invisible_named).
_DIRECTION_MARKS = re.compile("[\u200e\u200f\u061c\u202a-\u202c\u2066-\u2069]")
_DIRECTION_OVERRIDES = re.compile("[\u202d\u202e]")
_DIRECTION = re.compile("[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")
# What makes a text show in another order than its characters stand: an override (U+202D, U+202E
# reverses 'Centrum' to 'murtneC'), and a right-to-left embedding or isolate (U+202B, U+2067),
# which moves digits and signs at the edge of a text ('12 kinderen' shows as 'kinderen 12'). The
# marks (U+200E, U+200F) and the left-to-right or first-strong embeddings and isolates that e-mail
# and web pages put around a text change nothing in a Dutch one.
REORDERING = re.compile("[\u202b\u202d\u202e\u2067]")


def reordered_text(value: object) -> str | None:
    """The refusal of a text cell that shows in another order than it is read (REORDERING),
    naming the character, or None."""
    if not isinstance(value, str) or not REORDERING.search(value):
        return None
    import unicodedata

    found = sorted(set(REORDERING.findall(value)))
    names = ", ".join(f"U+{ord(ch):04X} ({unicodedata.name(ch)})" for ch in found)
    return (f"'{show(value)}': de cel bevat een onzichtbaar teken dat de schrijfrichting "
            f"verandert, {names}: Excel toont de tekst in een andere volgorde dan Kindkaart haar "
            "leest. Typ de waarde opnieuw, zonder dat teken")


# The control characters XML cannot hold (all below U+0020 but tab and line breaks): a text only
# has them through Excel's escape (_x001B_, workbooks.ooxml_text), and an escape sequence in a
# stored provider would reach the terminal of whoever lists the uploads
CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def control_text(value: object) -> str | None:
    """The refusal of a text cell with a control character (CONTROLS), naming it, or None."""
    if not isinstance(value, str) or not CONTROLS.search(value):
        return None
    names = ", ".join(f"U+{ord(ch):04X}" for ch in sorted(set(CONTROLS.findall(value))))
    return (f"'{show(value)}': de cel bevat een stuurteken, {names}, dat Excel niet als teken "
            "toont en dat Kindkaart niet opslaat. Typ de waarde opnieuw, zonder dat teken")


# two groups of digits apart (a no-break space keeps them one group, as a point does)
_GROUPS = re.compile("[0-9][^\\S\u00a0\u202f]+[0-9]")
# How a partner's own report writes a small count it keeps back: '<5', '< 10', '≤4', '*'.
_SUPPRESSED = re.compile("^(?:[<≤][0-9]+|\\*+)$")


# Words and signs partners type for 'none', 'unknown' or 'not applicable' where a number belongs.
# '-' may mean nihil (0, as in CBS tables) or unknown: never guessed, the partner says which.
_NO_NUMBER_WORDS = frozenset({"nvt", "nv t", "n v t", "na", "n/a", "onbekend", "geen", "nb",
                              "n b", "ntb", "n t b", "x", "?", "-", "--", "\u2013", "\u2014"})
# One separator followed by exactly three digits: '1.234' or '1,234' reads as 1234 (grouping) or
# as 1,234 (a decimal mark), and which one depends on the language of whoever typed it.
_ONE_GROUP = re.compile(r"^-?[1-9][0-9]{0,2}([.,])[0-9]{3}$")


def _no_number_word(text: str) -> bool:
    key = " ".join(re.sub(r"[.]", " ", text.lower()).split())
    return key in _NO_NUMBER_WORDS or text.strip() in _NO_NUMBER_WORDS


# What Excel shows for the numbers 0 to 366 in a cell formatted as a date: no one's birth date.
# A workbook of Excel for Mac (or one that kept its 1904 date system, workbookPr date1904)
# counts its days from 1-1-1904: there 5 shows as 6-1-1904.
_NUMBERS_AS_DATES = ((dt.datetime(1899, 12, 30), dt.datetime(1901, 1, 1)),
                     (dt.datetime(1904, 1, 1), dt.datetime(1905, 1, 1)))


def number_shown_as_date(value: object) -> bool:
    """True for a date in 1900, or in 1904 for a workbook of the 1904 date system (or Excel's
    day 0, read as a time of day): a count typed in a cell formatted as a date (5 shows as
    5-1-1900, or 6-1-1904), not a date anyone meant."""
    if isinstance(value, dt.time):
        return True
    return isinstance(value, dt.datetime) and any(
        first <= value < end for first, end in _NUMBERS_AS_DATES)


def parse_number(value: object, ambiguous: str = "") -> float:
    """A number from a cell: 12, 12.5, '12', '1.234,5', '12,5', ' 1 234 '. Raises BadValue, also
    for text with one separator and three digits whose separator is in `ambiguous` ('1,234')."""
    if isinstance(value, bool):
        raise BadValue(f"'{show(value)}' is een ja/nee-waarde, geen getal")
    if isinstance(value, float):
        if value != value:  # NaN, as a program writes it (<v>NaN</v>): Excel shows no number
            raise BadValue(f"'{show(value)}' is geen getal")
        # as Excel shows it: to 15 significant digits. A count computed by a formula
        # (=0,1*50) is saved as 5.000000000000001 and shown, and meant, as 5.
        return float(f"{value:.15g}")
    if isinstance(value, int):
        return float(value)
    if number_shown_as_date(value):
        raise BadValue(
            f"de cel is opgemaakt als datum (Excel toont {show(value)}); een getal is geen datum. "
            "Geef de cel de opmaak Standaard of Getal (Start > Getal) en controleer het getal")
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        raise BadValue(f"'{show(value)}' is een datum, geen getal")
    text = str(value)
    if _DIRECTION.search(text):
        bare = _DIRECTION_MARKS.sub("", text)
        if _DIRECTION_OVERRIDES.search(bare) or _GROUPS.search(bare):
            raise BadValue(_invisible_named(f"'{show(value)}' is geen eenduidig getal", text))
        text = bare
    # spaces as thousands separators (also the no-break ones Excel and French locales write) and
    # zero-width characters pasted along are no part of the number
    text = _NO_PART_OF_A_NUMBER.sub("", text)
    # Excel's mark for 'keep as text', written into the cell by a program that copied what Excel
    # shows ('12 for 12), and the minus sign of typesetting (U+2212) that text pasted from a
    # report or web page carries
    if text[:1] in ("'", "\u2019") and text[1:2].isdigit():
        text = text[1:]
    if text[:1] == "\u2212":
        text = "-" + text[1:]
    if _SUPPRESSED.match(text):
        raise BadValue(
            f"'{show(value)}' is een afgeschermd aantal; lever het echte aantal aan (Kindkaart "
            "schermt kleine aantallen zelf af op elke pagina) of laat de cel leeg als het "
            "onbekend is")
    if _no_number_word(text):
        raise NoNumberWord(f"'{show(value)}' is geen getal")
    if text.endswith("*") and _PLAIN.match(text.rstrip("*").replace(",", ".")):
        raise BadValue(f"'{show(value)}': een sterretje (voorlopig cijfer) hoort niet in de cel. "
                       f"Typ {text.rstrip('*')} en meld in het blad Organisatie (veld "
                       "toelichting) dat de cijfers voorlopig zijn")
    if text.endswith("%") and _PLAIN.match(text[:-1].replace(",", ".")):
        raise BadValue(f"'{show(value)}' is een percentage; vul het aantal zelf in (een heel "
                       "getal), niet het percentage")
    grouped = _ONE_GROUP.match(text)
    if grouped and grouped.group(1) in ambiguous:
        whole = text.replace(",", "").replace(".", "")
        decimal = text.replace(",", ".")
        raise BadValue(
            f"'{show(value)}' is dubbelzinnig: {whole} (met '{grouped.group(1)}' tussen de "
            f"duizendtallen) of {decimal.replace('.', ',')} (met '{grouped.group(1)}' als "
            f"decimaalteken). Typ het getal zonder scheidingsteken voor duizendtallen: {whole}"
            + (", of met een komma voor decimalen" if "." in ambiguous else ""))
    if _NL_THOUSANDS.match(text):
        text = text.replace(".", "").replace(",", ".")
    elif _NL_DECIMAL.match(text):
        text = text.replace(",", ".")
    elif _EN_THOUSANDS.match(text):
        text = text.replace(",", "")
    elif not _PLAIN.match(text):
        raise BadValue(_invisible_named(f"'{show(value)}' is geen getal", text))
    return float(text)


def _invisible_named(message: str, text: str) -> str:
    """`message` with the invisible characters of `text` written as <U+202E> and named after it:
    an override of writing direction or another invisible character pasted along made a cell that
    shows '12' 'geen getal' without a word of why."""
    import unicodedata

    invisible = sorted({ch for ch in text if unicodedata.category(ch) in ("Cf", "Cc", "Co", "Cn")})
    if not invisible:
        return message
    for ch in invisible:
        message = message.replace(ch, f"<U+{ord(ch):04X}>")
    names = ", ".join(f"U+{ord(ch):04X} ({unicodedata.name(ch, 'zonder naam')})" for ch in invisible)
    return (f"{message}: de cel bevat een onzichtbaar teken, {names}; typ het getal opnieuw, "
            "zonder dat teken")


def parse_count(value: object) -> int:
    """A whole number of 0 or more (counts of children, places, professionals). Text '1.234' is
    1234 (a Dutch thousands separator: 1,234 children is no count); '1,234' is refused, as it
    is 1234 in English and a fraction in Dutch."""
    number = parse_number(value, ambiguous=",")
    if number < 0:
        raise BadValue(f"'{show(value)}' is negatief; een aantal is 0 of meer")
    _refuse_above_bound(value, number, "aantal")
    if not float(number).is_integer():
        if 0 < number < 1:
            raise BadValue(f"'{show(value)}' is geen heel getal; is het een percentage "
                           f"({number * 100:g}%)? Vul het aantal in, niet het percentage")
        raise BadValue(f"'{show(value)}' is geen heel getal; een aantal kan geen breuk zijn")
    return int(number)


def parse_amount(value: object) -> float:
    """A decimal number of 0 to 1,000,000 (hours, weeks). Text '1.234' and '1,234' are refused:
    either may be 1234 or 1,234."""
    number = parse_number(value, ambiguous=".,")
    if number < 0:
        raise BadValue(f"'{show(value)}' is negatief")
    # the bound of a count: a long number pasted into the column (10**15 hours) is no amount, and
    # no column of the marts (decimal(18, 3)) could hold it
    _refuse_above_bound(value, number, "getal")
    return number


def _refuse_above_bound(value: object, number: float, noun: str) -> None:
    if number > MAX_COUNT:
        bound = f"{MAX_COUNT:,}".replace(",", ".")
        raise BadValue(
            f"'{show(value)}' is geen aannemelijk {noun}; Kindkaart neemt hoogstens {bound} per cel aan")


def parse_date(value: object) -> dt.date:
    """A date: Excel date or serial, 31-12-2024, 31/12/2024, 2024-12-31, 31 december 2024."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 20000 <= value <= 80000:  # an Excel serial date (1954-2119)
            return dt.date(1899, 12, 30) + dt.timedelta(days=int(value))
        raise BadValue(f"'{show(value)}' is geen datum")
    text = " ".join(str(value).strip().lower().split())
    for pattern, order in (
        (r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$", "dmy"),
        (r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$", "ymd"),
        (r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{2})$", "dmy2"),
    ):
        match = re.match(pattern, text)
        if match:
            a, b, c = (int(g) for g in match.groups())
            day, month, year = {"dmy": (a, b, c), "ymd": (c, b, a), "dmy2": (a, b, 2000 + c)}[order]
            try:
                return dt.date(year, month, day)
            except ValueError:
                raise BadValue(f"'{show(value)}' is geen bestaande datum") from None
    match = re.match(r"^(\d{1,2}) ([a-z]+)\.? (\d{4})$", text)
    if match and match.group(2) in _MONTHS:
        try:
            return dt.date(int(match.group(3)), _MONTHS[match.group(2)], int(match.group(1)))
        except ValueError:
            raise BadValue(f"'{show(value)}' is geen bestaande datum") from None
    raise BadValue(
        f"'{show(value)}' is geen datum; schrijf bijvoorbeeld 31-12-2024 of gebruik een Excel-datum"
    )


_MONTHS_IN_FULL = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
                   "september", "oktober", "november", "december")


def date_in_words(date: dt.date) -> str:
    """'1 oktober 2024'."""
    return f"{date.day} {_MONTHS_IN_FULL[date.month - 1]} {date.year}"


def swapped_date(value: object) -> dt.date | None:
    """The other reading of a date whose day and month can trade places (day at most 12 and not
    equal to the month: 10 January 2024 is also 1 October 2024), else None."""
    if not isinstance(value, dt.date) or value.day > 12 or value.day == value.month:
        return None
    return dt.date(value.year, value.day, value.month)


def looks_like_date_text(value: object) -> bool:
    """True for text that reads as a full date (a possible birth date)."""
    # cheap test first: a full date is short and its text starts with a digit (every form that
    # parse_date reads does), so most cells are rejected without parsing
    if not isinstance(value, str) or not 6 <= len(value) <= 24:
        return False
    first = value.lstrip()[:1]
    if not first.isdigit():
        return False
    try:
        parse_date(value)
    except BadValue:
        return False
    return True


def parse_choice(value: object, choices: tuple[str, ...]) -> str:
    """One of `choices`, matched without regard to case, accents, spaces or punctuation."""
    if isinstance(value, dt.datetime):
        # Excel turns '2-4' typed in a general cell into 2 April; with English (US) settings,
        # as Google Sheets has them unless the partner changes its locale, into February 4.
        # Take it back, the Dutch reading first.
        readings = [f"{value.day}-{value.month}", f"{value.month}-{value.day}"]
    elif isinstance(value, float) and value.is_integer():
        readings = [str(int(value))]
    else:
        readings = [value]
    for reading in readings:
        key = _choice_key(reading)
        for choice in choices:
            if _choice_key(choice) == key:
                return choice
    raise BadValue(f"'{show(readings[0])}' is geen toegestane waarde; kies uit: {', '.join(choices)}")


@lru_cache(maxsize=4096)
def _choice_key_text(text: str) -> str:
    return compact(text).replace("/", "")


def _choice_key(value: object) -> str:
    return _choice_key_text(str(value))


def parse_period(period: str) -> tuple[str, int, dt.date]:
    """A reporting period ('2024', '2024-Q3', '2024-09', 'schooljaar 2024-2025') ->
    (cleaned period, reference year, last day). Raises BadValue."""
    text = " ".join(str(period or "").split())
    low = text.lower()
    match = re.match(r"^(\d{4})$", low)
    if match:
        year = int(match.group(1))
        end = dt.date(year, 12, 31)
    elif match := re.match(r"^(\d{4})[- ]?q([1-4])$", low):
        year, quarter = int(match.group(1)), int(match.group(2))
        month = quarter * 3
        end = dt.date(year, month, calendar.monthrange(year, month)[1])
        text = f"{year}-Q{quarter}"
    elif match := re.match(r"^(\d{4})-(\d{2})$", low):
        year, month = int(match.group(1)), int(match.group(2))
        if not 1 <= month <= 12:
            raise BadValue(f"'{text}' is geen geldige periode")
        end = dt.date(year, month, calendar.monthrange(year, month)[1])
    elif match := re.match(r"^(?:schooljaar )?(\d{4})[-/](\d{4})$", low):
        year, second = int(match.group(1)), int(match.group(2))
        if second != year + 1:
            raise BadValue(f"'{text}' is geen schooljaar (tweede jaar moet het jaar erna zijn)")
        end = dt.date(second, 7, 31)
        text = f"schooljaar {year}-{second}"
    else:
        raise BadValue(
            f"'{text}' is geen periode; schrijf bijvoorbeeld 2024, 2024-Q3, 2024-09 of "
            "schooljaar 2024-2025"
        )
    if not 2000 <= year <= 2100:
        raise BadValue(f"'{text}' ligt niet tussen 2000 en 2100")
    return text, year, end


def period_start(period: str) -> dt.date:
    """The first day of a period as parse_period cleans it ('2024', '2024-Q3', '2024-09',
    'schooljaar 2024-2025': 1 August)."""
    text, year, end = parse_period(period)
    if "-Q" in text:
        return dt.date(year, end.month - 2, 1)
    if text.startswith("schooljaar"):
        return dt.date(year, 8, 1)
    if "-" in text:
        return dt.date(year, end.month, 1)
    return dt.date(year, 1, 1)


def elfproef(digits: str) -> bool:
    """True when nine digits pass the BSN eleven test (the last digit weighs -1)."""
    if len(digits) != 9 or not digits.isdecimal() or digits == "000000000":
        return False
    total = sum(int(d) * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True))
    total -= int(digits[8])
    return total % 11 == 0


def looks_like_bsn(value: object) -> bool:
    """True for a possible BSN: 8 or 9 digits (lost leading zero) passing the elfproef."""
    if isinstance(value, bool):
        return False
    if isinstance(value, float):
        if not value.is_integer():
            return False
        value = int(value)
    text = str(value).strip().replace(".", "").replace(" ", "")
    # isdecimal, not isdigit: '12345678²' is no number (int() refuses a superscript)
    if not text.isdecimal() or len(text) not in (8, 9):
        return False
    return elfproef(text.zfill(9))


def looks_like_mobile_number(value: object) -> bool:
    """True for a Dutch mobile number stored as a number: Excel drops the leading 0 of 0612345678
    typed into a cell (612345678), and keeps +31 6 12345678 typed without signs as 31612345678.
    No count, amount of euros or LRK (12 digits) or KvK number (8) a partner sheet holds looks so."""
    if value.__class__ is float:
        if not value.is_integer():
            return False
        value = int(value)
    elif value.__class__ is str:
        text = value.strip()
        if not text.isdecimal():
            return False
        value = int(text) if text[0] != "0" else 0
    if value.__class__ is not int:
        return False
    return 600_000_000 <= value <= 699_999_999 or 31_600_000_000 <= value <= 31_699_999_999


# Personal data inside free text. A BSN: nine digits (optionally in groups, '1234.56.789'), not
# part of a longer number, passing the elfproef; an 8-digit KvK or 12-digit LRK number never
# matches. A date: day-month-year or year-month-day with - / or . (a period such as 2024, 2024-Q1,
# 2024-09 or 2024-2025 is no date), or a day and a month name and a year. Birth words: 'geb.',
# 'geboren', 'geboortedatum'. A child's age after a name: '(8 jr)', '(3 jaar)', '8 jaar oud'.
_BSN_IN_TEXT = re.compile(r"(?<![0-9.,])([0-9](?:[ .]?[0-9]){8})(?![0-9]|[.,][0-9])", re.ASCII)
_DMY_IN_TEXT = re.compile(
    r"(?<![0-9])([0-9]{1,2})([-/.])([0-9]{1,2})\2([0-9]{4}|[0-9]{2})(?![0-9])", re.ASCII)
_YMD_IN_TEXT = re.compile(r"(?<![0-9])([0-9]{4})([-/.])([0-9]{1,2})\2([0-9]{1,2})(?![0-9])",
                          re.ASCII)
_MONTH_DATE_IN_TEXT = re.compile(
    r"(?<![0-9])([0-9]{1,2})\s+(" + "|".join(sorted(_MONTHS, key=len, reverse=True))
    + r")\.?\s+([0-9]{4})(?![0-9])", re.IGNORECASE)
_BIRTH_WORDS = re.compile(r"\b(?:geb\.|geb\s*:|geb\s+[0-9]|geboren\b|geboortedatum|geboortedag)",
                          re.IGNORECASE)
_AGE_OF_A_PERSON = re.compile(
    r"\(\s*[0-9]{1,2}\s*(?:jr|jaar|j|mnd|maanden)\.?\s*\)"
    r"|(?<![-–0-9])\b[0-9]{1,2}\s*(?:jr|jaar)\.?\s+oud\b", re.IGNORECASE)


# In a definition or note a counting date is normal ('Wachtenden op 31-12-2024', 'peildatum 1
# januari 2024'): there, a date right after one of these words is taken as a reference date.
# Contact details: an e-mail address; a Dutch phone number (0 and nine digits, 06-12345678,
# 010-1234567, +31 6 12345678, in groups or not; a 12-digit LRK or 8-digit KvK number never
# matches); an address as postcode with house number ('1234 AB 12', 'Laan 3, 1234 AB'). A postcode
# alone is a place, not an address.
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# An e-mail address written so that programs miss it: 'j.jansen(at)school.nl', 'j.jansen [at]
# school.nl', 'j.jansen at school dot nl', 'j.jansen apenstaartje school punt nl'. An 'at' between
# spaces is English prose ('counted at cbs.nl') unless the part before it has a dot, digit or the
# like, as an address's has, or the dots are spelled out too (_spelled_email).
_SPELLED_DOT = r"(?:\.|\s*[(\[{<]\s*(?:dot|punt)\s*[)\]}>]\s*|\s+(?:dot|punt)\s+)"
_SPELLED_EMAIL = re.compile(
    r"([A-Za-z0-9._%+-]+)(\s*[(\[{<]\s*(?:at|a|apenstaartje)\s*[)\]}>]\s*|\s+(?:at|apenstaartje)\s+)"
    rf"([A-Za-z0-9-]+(?:{_SPELLED_DOT}[A-Za-z0-9-]+)*{_SPELLED_DOT}[A-Za-z]{{2,}})(?![A-Za-z0-9])",
    re.IGNORECASE | re.ASCII)
# A phone number's digits in groups of any kind: '06-12345678', '06 - 123 456 78', '06.12.34.56.78',
# '(06) 12345678', '(020) 123 4567', '+31 (0)6-12345678'.
_PHONE = re.compile(
    r"(?<![0-9+])(?:\+31|0031|\(?0)(?: ?-? ?)(?:\(0\)[ -]?)?[1-9](?:(?: ?[-.)]? ?)[0-9]){8}"
    r"(?![0-9])", re.ASCII)
# A bank account number (IBAN: country, two check digits, the account; 'NL91 ABNA 0417 1643 00'),
# told by its check digits (ISO 13616, modulo 97): a parent's account points at one family.
# Written as one word or, as printed, in groups of four.
_IBAN = re.compile(r"(?<![0-9A-Za-z])([A-Za-z]{2}[0-9]{2}(?:[0-9A-Za-z]{11,30}|(?: [0-9A-Za-z]{4}){2,7}"
                   r"(?: [0-9A-Za-z]{1,3})?))(?![0-9A-Za-z])", re.ASCII)
_POSTCODE = r"[1-9][0-9]{3} ?[A-Za-z]{2}"
_ADDRESS = re.compile(
    rf"(?<![0-9A-Za-z]){_POSTCODE}[ ,]*(?:nr\.? ?)?[0-9]{{1,5}}(?:[A-Za-z]|-[0-9A-Za-z]{{1,4}})?"
    r"(?= *(?:$|[,;)/]))"
    rf"|[A-Za-z][a-z]+ [0-9]{{1,5}}[A-Za-z]?(?: ?-? ?[0-9]{{1,3}})?,? +{_POSTCODE}(?![0-9A-Za-z])",
    re.ASCII)


# A street with a house number ('Dorpsstraat 12', 'Lange Laan 3a'): a street name alone is a place,
# with a number it is an address. Only names ending in a word for a street count: 'Groep 3',
# 'Locatie 2' and a wijk name with a number are none.
_STREET = re.compile(
    r"(?<![0-9A-Za-z])[A-Za-z][a-z'-]*(?:straat|laan|weg|plein|singel|gracht|kade|dijk|dreef|"
    r"steeg)\.? +[0-9]{1,5}(?:[ -]?[A-Za-z]|"
    r"-[0-9]{1,4})?(?![0-9A-Za-z])", re.ASCII)
# A person's name in free text, in the clear cases only: a form of address before a name
# ('dhr. Jansen', 'mevr de Vries', 'mw. Bakker'), a relative of a named person ('moeder van
# Sven', 'vader van Lisa'), initials before a surname ('J. de Vries', 'A.B. Jansen'). Words that
# end an organisation, school or street name ('J.P. Coenschool', 'A. Kuyperlaan') are no surname,
# and initials in a text that names an organisation ('Mr. J.C. van Oosterhout school',
# 'Kindcentrum A. Frank') are part of that name.
_PREFIXES = r"(?:(?:van|de|der|den|ter|ten|te|het|'t|la|le|du|di|da|op|in|'s)\s+)*"
_SURNAME = r"[A-Z][a-z'\u00e0-\u00ff]+(?:-[A-Z][a-z'\u00e0-\u00ff]+)?"
_PLACE_ENDINGS = re.compile(
    r"(?:school|college|lyceum|opvang|centrum|huis|straat|laan|weg|plein|singel|gracht|kade|"
    r"dijk|hof|park|wijk|buurt|kwartier|veld|stichting|groep)$", re.IGNORECASE)
_NAME_AFTER_ADDRESS = re.compile(
    rf"\b(?:dhr|mevr|mw|mevrouw|meneer|mijnheer|de heer|juf|meester|fam|familie)\.?\s+"
    rf"{_PREFIXES}({_SURNAME})",
    re.IGNORECASE)
_RELATIVE_OF = re.compile(
    rf"\b(?:moeder|vader|ouders?|broer(?:tje)?|zus(?:je)?|opa|oma|pleeg(?:moeder|vader|ouders?)|"
    rf"verzorgers?|voogd|zoon|dochter|(?:pleeg)?kind(?:je)?)\s+van\s+({_SURNAME})(?![0-9])",
    re.IGNORECASE)
_ORGANISATION_WORDS = re.compile(
    r"school|college|lyceum|opvang|centrum|kdv|bso|psz|stichting|b\.?v\.?\b|vereniging|"
    r"praktijk|zorg|huis\b|groep", re.IGNORECASE)
_INITIALS_NAME = re.compile(rf"(?<![A-Za-z.])(?:[A-Z]\.\s?){{1,4}}\s*{_PREFIXES}({_SURNAME})")
# ... and the other way round, as registers and class lists sort them: 'Jansen, P.', 'de Vries,
# J.P.', 'Vries, J. de'
_SURNAME_INITIALS = re.compile(
    rf"(?<![A-Za-z'\u00e0-\u00ff-])({_SURNAME}),\s*(?:[A-Z]\.\s?){{1,4}}(?![A-Za-z])")


def _names_a_person(text: str) -> bool:
    for pattern in (_NAME_AFTER_ADDRESS, _RELATIVE_OF, _INITIALS_NAME, _SURNAME_INITIALS):
        for match in pattern.finditer(text):
            surname = match.group(1)
            if pattern is _RELATIVE_OF and not surname[0].isupper():
                continue  # 'ouders van de kinderen'
            if pattern is _NAME_AFTER_ADDRESS and not surname[0].isupper():
                continue
            if pattern in (_INITIALS_NAME, _SURNAME_INITIALS) and _ORGANISATION_WORDS.search(text):
                continue
            if pattern is _SURNAME_INITIALS and not _is_surname(surname):
                continue  # 'Zuid, A.': a place before a list
            if not _PLACE_ENDINGS.search(surname):
                return True
    return False


# A name typed plainly ('Jan de Vries', 'Fatima el Amrani', 'Emma' in a column of names): a first
# name from the bundled list of common first names in the Netherlands (first_names.csv: its
# header names the sources) followed by particles and a capitalised surname. Guards, so that
# places and organisations named after people pass: a title or organisation word right before
# the name ('Prins Willem Alexander', 'Basisschool Anne Frank', 'Sint Jan'), a place or
# organisation word as or right after the surname ('Sint Jan Zuid', 'Anne Frank Huis'), a surname
# ending as streets, parks and schools do ('Willem de Zwijgerlaan'), a known wijk or buurt name.
_FIRST_NAMES_FILE = Path(__file__).with_name("first_names.csv")
# first names of the list that are also Dutch or English words or month names: never a name alone
_NOT_A_NAME = frozenset({"april", "augustus", "juli", "juni", "mei", "can", "mon", "nil", "sep",
                         "jul", "sky", "storm", "lot", "job", "fee", "han", "zon", "van", "de"})
_PARTICLES = frozenset({"van", "de", "der", "den", "ter", "ten", "te", "het", "'t", "el", "al",
                        "la", "le", "du", "di", "da", "op", "in", "'s", "von", "ben", "bin", "ait",
                        "ou", "dos", "das"})
# words before a first name that make it part of a place or organisation name
_NAME_OF_A_PLACE_BEFORE = frozenset({
    "prins", "prinses", "koning", "koningin", "sint", "st", "pater", "paus", "burgemeester",
    "dr", "mr", "ds", "pastoor", "kapelaan", "graaf", "gravin", "hertog", "stichting", "school",
    "basisschool", "kindcentrum", "ikc", "kdv", "bso", "psz", "obs", "cbs", "rkbs", "pcbs", "kbs",
    "opvang", "kinderopvang", "kinderdagverblijf", "peuterspeelzaal", "peutergroep", "locatie",
    "speelzaal", "kinderhuis", "gastouderbureau", "praktijk", "huize", "villa", "kerk", "wijk",
    "buurt", "park", "plein", "straat", "laan", "hof", "college", "lyceum", "ziekenhuis"})
# words as or after the surname that make the whole a place or organisation name
_NAME_OF_A_PLACE_AFTER = frozenset({
    "noord", "zuid", "oost", "west", "midden", "centrum", "binnenstad", "dorp", "stad", "park",
    "wijk", "buurt", "school", "basisschool", "kinderopvang", "opvang", "bso", "kdv", "psz",
    "peuterspeelzaal", "kindcentrum", "ikc", "stichting", "locatie", "groep", "huis", "college",
    "lyceum", "hof", "plein", "straat", "laan", "weg", "kade", "gracht", "singel", "dijk",
    "totaal", "overig", "overige", "onbekend", "bv", "nv", "vof", "fonds",
    "ziekenhuis", "kerk", "instituut", "academie", "zorg", "jeugdzorg", "gemeente",
    "peuters", "kinderen"})
_MORE_PLACE_ENDINGS = re.compile(r"(?:dorp|oord|stad|haven|polder)$", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+(?:['\u2019-][^\W\d_]+)*|'[st]\b")


def _bundled_names(path: Path) -> list[str]:
    """The names of a bundled list as written, one a line, without its comment lines (#: the
    sources), its header 'name' and blank lines."""
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines()
             if not line.startswith("#"))
    return [line for line in lines if line and line != "name"]


@lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    """The bundled first names, lowercase (first_names.csv; its header names the sources)."""
    return frozenset(_bundled_names(_FIRST_NAMES_FILE))  # the file writes them lowercase


_SURNAMES_FILE = Path(__file__).with_name("surnames.csv")


@lru_cache(maxsize=1)
def surnames() -> frozenset[str]:
    """The bundled common family names, lowercase (surnames.csv; its header names the sources)."""
    return frozenset(name.lower() for name in _bundled_names(_SURNAMES_FILE))  # 'de Vries'


def is_surname(text: object) -> bool:
    """True for a cell holding one common family name of the list and nothing else: 'Jansen',
    'de Vries', 'van den Berg', as a register sorts it ('Vries, de'), or in capitals ('JANSEN',
    as some systems export names). Its own word capitalised: 'bakker' is a trade. Only a column
    with several such names is a list of persons (validate._NameCount); one 'Smit' is not."""
    if not isinstance(text, str):
        return False
    words = text.replace(",", " , ").split()
    if not 1 <= len(words) <= 5:
        return False
    if "," in words:  # 'Vries, de' -> 'de Vries'
        i = words.index(",")
        words = words[i + 1:] + words[:i]
    if not words or "," in words:
        return False
    main = words[-1]
    if not main[:1].isupper() or any(not w.replace("-", "").isalpha() for w in words):
        return False
    return " ".join(words).lower() in surnames()


def _is_first_name(word: str, names: frozenset[str]) -> bool:
    """A capitalised first name of the list: 'Jan', 'Jan-Willem' (each part a name)."""
    if not word[:1].isupper() or (len(word) > 1 and word.isupper()):
        return False
    key = word.lower()
    if key in _NOT_A_NAME:
        return False
    if key in names:
        return True
    parts = key.split("-")
    return len(parts) > 1 and all(p in names for p in parts)


def is_first_name(text: object, capitals: bool = False) -> bool:
    """True for a cell holding one first name of the list and nothing else ('Emma', 'Jan-Willem');
    a month, a Dutch word that is also a name ('Storm', 'April') and an all-caps code are none.
    With `capitals`, a name in capitals of three letters or more counts too ('EMMA', as some
    registration systems export names), except codes that are also first names ('LEA'): for a
    column that holds mostly such cells, not for a single cell."""
    if not isinstance(text, str):
        return False
    word = text.strip()
    if not 2 <= len(word) <= 30 or not word.replace("-", "").isalpha():
        return False
    if capitals and len(word) > 2 and word.isupper():
        if word.lower() in _CODES_THAT_ARE_NAMES:
            return False
        word = word.capitalize()  # 'EMMA' -> 'Emma', 'JAN-WILLEM' -> 'Jan-willem'
    return _is_first_name(word, first_names())


def _is_surname(word: str) -> bool:
    if len(word) < 2 or not word[0].isupper() or word.isupper():
        return False
    key = word.lower()
    return (key not in _NAME_OF_A_PLACE_AFTER and key not in _MONTHS
            and not _PLACE_ENDINGS.search(key) and not _MORE_PLACE_ENDINGS.search(key))


# Codes written in capitals that are also first names: 'LEA' is the Lokale Educatieve Agenda
_CODES_THAT_ARE_NAMES = frozenset({"lea", "ada", "ivo", "max", "ben", "bas", "tim", "eva"})


def _capitals_as_names(match: re.Match) -> str:
    word = match.group()
    if len(word) > 1 and word.isupper() and word.lower() not in _CODES_THAT_ARE_NAMES:
        return word.capitalize()  # 'JAN' -> 'Jan', 'JAN-WILLEM' -> 'Jan-willem'
    return word


def names_in_text(text: str, places: Container[str] = ()) -> bool:
    """True when text holds a first name of the list followed by a surname ('Jan de Vries',
    'Sven Jansen', 'Fatima el Amrani', 'Jan de Vries heeft een indicatie', 'JAN DE VRIES'),
    outside the names of places and organisations (see above) and outside `places` (wijk and
    buurt names, as text.normalise writes them). Words in capitals are read as capitalised
    names, except codes that are also first names ('LEA')."""
    if " " not in text or not any(ch.isupper() for ch in text):
        return False
    if any(len(w) > 1 and w.isupper() for w in text.split()):
        text = _WORD.sub(_capitals_as_names, text)
    names = first_names()
    words = list(_WORD.finditer(text))
    for i, match in enumerate(words):
        word = match.group()
        if not _is_first_name(word, names):
            continue
        if _surname_before(text, words, i, places):
            return True
        if i > 0 and words[i - 1].group().lower().rstrip(".") in _NAME_OF_A_PLACE_BEFORE:
            continue
        j, end = i + 1, match.end()
        while j < len(words) and words[j].group().lower() in _PARTICLES and j - i <= 3:
            if text[end:words[j].start()].strip():
                break
            end = words[j].end()
            j += 1
        if j >= len(words) or text[end:words[j].start()].strip():
            continue  # no surname, or punctuation between ('Emma, Sara')
        surname = words[j].group()
        if not _is_surname(surname):
            continue
        if j + 1 < len(words) and not text[words[j].end():words[j + 1].start()].strip() and (
                words[j + 1].group().lower() in _NAME_OF_A_PLACE_AFTER):
            continue
        if places and (normalise(text) in places
                       or normalise(text[match.start():words[j].end()]) in places):
            continue
        return True
    return False


def first_name_in(text: str, places: Container[str] = ()) -> bool:
    """True when a word of `text` is a first name of the list ('Sanne 12-03-2021', 'SANNE'),
    outside `places` (wijk and buurt names, normalised)."""
    names = first_names()
    for match in _WORD.finditer(text):
        word = _capitals_as_names(match)
        if _is_first_name(word, names) and normalise(word) not in places:
            return True
    return False


# A street's name without a house number ('Kerkstraat', 'Jan van Galenstraat', 'Lange Laan'): a
# place, no address (with a number it is one, _STREET).
_STREET_NAME = re.compile(
    r"(?:straat|laan|weg|plein|singel|gracht|kade|dijk|dreef|steeg|hof|park|pad|ring|markt|baan|"
    r"allee|boulevard|wal|erf|passage|promenade)$", re.IGNORECASE)
# Words that make a text the name of an organisation or location ('Kinderopvang Smit & Co', 'BSO
# De Vries', 'Gastouderbureau Jansen', 'Team Jeugd gemeente Assen'), ending a word ('Basisschool',
# not 'Schoolderman'). A gastouder is a person: 'Gastouder Jansen' is no organisation.
_ORGANISATION = re.compile(
    r"(?:school|scholen|college|lyceum|opvang|dagverblijf|speelzaal|centrum|stichting|vereniging|"
    r"praktijk|zorg|groep|bureau|afdeling)\b|"
    r"\b(?:kdv|bso|psz|ikc|tso|ggd|jgz|cjg|bv|b\.v|nv|vof|team|huis|gemeente|co)\b", re.IGNORECASE)


def is_street_name(text: object) -> bool:
    """True for a street's name alone ('Kerkstraat', 'Jan van Galenstraat'): no house number, no
    person's name, ending as Dutch street names do."""
    if not isinstance(text, str):
        return False
    name = as_seen(text).strip().rstrip(".")
    if not name or len(name) > 60 or any(ch.isdigit() for ch in name):
        return False
    return bool(_STREET_NAME.search(name)) and personal_in_text(name) is None


def is_organisation_name(text: object, places: Container[str] = ()) -> bool:
    """True for the name of an organisation or location, by a word that says so ('Kinderopvang
    Smit & Co', 'BSO De Vries', 'Gastouderbureau Jansen'), or a known place in `places`, without
    other personal data in it. A name alone ('Jansen', 'De Regenboog') is none, and neither is
    one with a first name in it ('Groep 3 Sanne', 'BSO Sanne de Vries', 'Team Emma'): a child or
    a person beside an organisation's word."""
    if not isinstance(text, str):
        return False
    name = as_seen(text).strip()
    if not name or len(name) > 100 or personal_in_text(name, places=places) is not None:
        return False
    if normalise(name) in places:
        return True  # 'Sint Anna', a wijk
    return bool(_ORGANISATION.search(name)) and not first_name_in(name, places)


def _spelled_email(text: str) -> bool:
    """An e-mail address with its @ (and maybe its dots) written out (_SPELLED_EMAIL)."""
    for match in _SPELLED_EMAIL.finditer(text):
        local, at, domain = match.groups()
        bracketed = at.strip()[0] in "([{<"
        if bracketed or not local.isalpha() or not domain.replace(".", "").replace("-", "").isalnum():
            return True
    return False


def _surname_before(text: str, words: list[re.Match], i: int, places: Container[str]) -> bool:
    """True when the first name words[i] follows a surname and a comma, as a register sorts names
    ('de Vries, Jan', 'Jansen, Sophie'), and ends the text or its part ('Bakker, Emma; ...')."""
    if i == 0 or text[words[i - 1].end():words[i].start()].strip() != ",":
        return False
    if words[i].end() < len(text) and text[words[i].end():].lstrip()[:1] not in ("", ",", ";",
                                                                                 "(", ")", "/"):
        return False  # 'Centrum, Anna Paulowna': more words follow
    surname = words[i - 1].group()
    if not _is_surname(surname) or normalise(surname) in places:
        return False
    if i > 1 and words[i - 2].group().lower().rstrip(".") in _NAME_OF_A_PLACE_BEFORE:
        return False  # 'Stichting Bakker, Emma'
    start = max(text.rfind(mark, 0, words[i - 1].start()) for mark in ",;:(\n") + 1
    return normalise(text[start:words[i - 1].end()]) not in places  # 'Oude Haven, Emma'


_REFERENCE_WORD = re.compile(
    r"\b(?:op|per|peildatum|peilmoment|vanaf|van|tot|t/m|tot en met|sinds|tussen|en|na|voor|"
    r"datum|stand)\s*:?\s*$", re.IGNORECASE)


def is_iban(text: str) -> bool:
    """True for an account number whose check digits hold: 'NL91ABNA0417164300', 'nl91 abna
    0417 1643 00' (ISO 13616: the first four characters moved to the end, letters as 10-35, the
    number modulo 97 is 1)."""
    compact = text.replace(" ", "").upper()
    if not 15 <= len(compact) <= 34 or not compact.isalnum() or not compact[:2].isalpha():
        return False
    if compact[:2] == "NL" and not re.fullmatch(r"NL[0-9]{2}[A-Z]{4}[0-9]{10}", compact):
        return False
    digits = "".join(str(int(ch, 36)) for ch in compact[4:] + compact[:4])
    return int(digits) % 97 == 1


def _is_date(day: int, month: int, year: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def _dates_in(text: str):
    for match in _DMY_IN_TEXT.finditer(text):
        year = match.group(4)
        yield match, (int(match.group(1)), int(match.group(3)),
                      int(year) if len(year) == 4 else 2000 + int(year))
    for match in _YMD_IN_TEXT.finditer(text):
        yield match, (int(match.group(4)), int(match.group(3)), int(match.group(1)))
    for match in _MONTH_DATE_IN_TEXT.finditer(text):
        month = _MONTHS.get(match.group(2).lower())
        if month:
            yield match, (int(match.group(1)), month, int(match.group(3)))


# What personal_in_text finds in a first name beside a date, where a date alone is none.
NAME_WITH_DATE = "een voornaam met een datum, zoals een geboortedatum"


def personal_in_text(text: str, dates: bool = True, reference_dates: bool = False,
                     names: bool = True, places: Container[str] = ()) -> str | None:
    """What personal data free text seems to hold ('een burgerservicenummer', 'een
    geboortedatum', 'de leeftijd van een kind', 'een e-mailadres', 'een rekeningnummer (IBAN)',
    'een telefoonnummer', 'een adres (postcode met huisnummer)', 'een adres (straat met
    huisnummer)', 'de naam van een persoon'), or None. `dates=False` for a date column, where
    a date is the value itself; `reference_dates=True` for a definition or note, where a date
    after 'op', 'per', 'peildatum', 'tot' and the like is a counting date. `names=False` skips
    names typed plainly (names_in_text; a wijk column checks them only for an unknown place),
    `places` are the wijk and buurt names that are no person's name. Never returns the text."""
    if not isinstance(text, str):
        return None
    text = as_seen(text)
    if "@" in text and _EMAIL.search(text) or _spelled_email(text):
        return "een e-mailadres"
    if "." in text or " van " in text.lower() or text[:1].isupper() or " " in text:
        if _names_a_person(text):
            return "de naam van een persoon"
    # a name typed plainly last: 'Jan de Vries (8 jr)' is refused for the age it shows
    plain_name = "de naam van een persoon" if names and " " in text else None
    if not any(ch.isdigit() for ch in text) and "geb" not in text.lower():
        return plain_name if plain_name and names_in_text(text, places) else None
    for match in _BSN_IN_TEXT.finditer(text):
        if elfproef(re.sub(r"[ .]", "", match.group(1))):
            return "een burgerservicenummer"
    if _BIRTH_WORDS.search(text):
        return "een geboortedatum"
    for match, (day, month, year) in _dates_in(text):
        if not _is_date(day, month, year):
            continue
        if reference_dates and _REFERENCE_WORD.search(text, 0, match.start()):
            continue
        if dates:
            return "een datum (mogelijk een geboortedatum)"
        # where a date is no personal data by itself (a date column, a sheet's name, a sheet
        # Kindkaart does not count), a first name beside it is a child's birth date:
        # 'Sanne 12-03-2021', 'Sanne, 12-03-2021'
        if first_name_in(text, places):
            return NAME_WITH_DATE
    if _AGE_OF_A_PERSON.search(text):
        return "de leeftijd van een kind"
    if any(is_iban(match.group(1)) for match in _IBAN.finditer(text)):
        return "een rekeningnummer (IBAN)"
    if _PHONE.search(text):
        return "een telefoonnummer"
    if _ADDRESS.search(text):
        return "een adres (postcode met huisnummer)"
    if _STREET.search(text):
        return "een adres (straat met huisnummer)"
    return plain_name if plain_name and names_in_text(text, places) else None
