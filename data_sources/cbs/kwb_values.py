"""Cells of a kwb file as numbers: the file's decimal mark, thousands separators, whole counts, impossible values."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

from data_sources.cbs.odata import MAX_FIGURE, UNKNOWN_SYMBOLS, without_provisional_mark

# Cells CBS uses for a value it does not give: '.' secret or unknown, 'x' secret, '?' unknown, empty
# (cannot occur), '-' not available for that year: the same symbols as every CBS reader (odata).
MISSING = UNKNOWN_SYMBOLS
# The kwb's counts (a_inw, a_00_14, a_hh, ...) are whole numbers; the other columns are averages,
# percentages, distances and codes, which may have decimals.
COUNT_PREFIX = "a_"
# Parts that cannot be larger than their whole when both are in the same row.
PART_OF = {
    **{part: "a_inw" for part in ("a_man", "a_vrouw", "a_00_14", "a_15_24", "a_25_44", "a_45_64",
                                  "a_65_oo", "a_ongeh", "a_gehuwd", "a_gesch", "a_verwed",
                                  "a_jz_tn", "a_inkont")},
    **{part: "a_hh" for part in ("a_1p_hh", "a_hh_z_k", "a_hh_m_k")},
    "a_lan_ha": "a_opp_ha", "a_wat_ha": "a_opp_ha",
}
# The one kwb column that may be negative: the median wealth of households (debts).
MAY_BE_NEGATIVE = frozenset({"m_hh_ver"})

# '1.234', '12.345.678', '1,234': digits in groups of three after a first group of one to three
_GROUPED = re.compile(r"^[+-]?[1-9]\d{0,2}(?:([.,])\d{3})(?:\1\d{3})*$")
_NUMERAL = re.compile(r"^[+-]?\d[\d.,]*$")


class CellRefused(ValueError):
    """A cell that is not a usable number; the message is Dutch, without file, row or column."""


def _text(value: object) -> str:
    return str(value).strip().replace("\u00a0", "").replace("\u202f", "")


def decimal_evidence(value: object) -> str | None:
    """The decimal mark a single cell shows ('.' or ','), or None when it shows none: '2,1' and
    '0.75' show theirs, '1.234.567' shows that '.' groups thousands (so ',' is the decimal mark),
    '133.141' and '17' show nothing."""
    if value.__class__ is str and value.isascii() and value.isdigit():
        return None  # most cells of a kwb: a plain whole number
    text = _text(value)
    if not _NUMERAL.match(text):
        return None
    points, commas = text.count("."), text.count(",")
    if points and commas:
        return "." if text.rfind(".") > text.rfind(",") else ","
    if points + commas == 0:
        return None
    mark = "." if points else ","
    if points + commas > 1:
        return "," if mark == "." else "."
    return None if _GROUPED.match(text) else mark


def file_decimal_mark(values: Iterable[object]) -> str | None:
    """The decimal mark of a file, from every cell that shows one; None when no cell shows one
    or cells show both (a workbook with numbers and text typed in another language)."""
    seen = {mark for mark in map(decimal_evidence, values) if mark}
    return seen.pop() if len(seen) == 1 else None


def read_number(value: object, decimal_mark: str | None) -> float | None:
    """A kwb cell as a number: None for a missing value, thousands separators read as such where
    the file's decimal mark makes that unambiguous. Raises CellRefused (Dutch) for text, for
    '133.141' when the file does not show which mark is its decimal mark, and for values that
    are not finite."""
    if value.__class__ is str and value.isascii() and value.isdigit():
        return float(value)  # most cells of a kwb: a plain whole number
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = without_provisional_mark(_text(value))
    if text in MISSING:
        return None
    points, commas = text.count("."), text.count(",")
    if points and commas:
        thousands = "," if text.rfind(".") > text.rfind(",") else "."
        whole, _, fraction = text.rpartition("," if thousands == "." else ".")
        if (decimal_mark and thousands == decimal_mark) or not _GROUPED.match(whole) \
                or not fraction.isdecimal():
            raise CellRefused(f"'{text}' is geen getal")
        text = whole.replace(thousands, "") + "." + fraction
    elif points + commas:
        separator = "." if points else ","
        grouped = bool(_GROUPED.match(text))
        if points + commas > 1 or (decimal_mark and separator != decimal_mark):
            # a separator that is not the decimal mark groups thousands
            if not grouped or separator == decimal_mark:
                raise CellRefused(f"'{text}' is geen getal")
            text = text.replace(separator, "")
        elif decimal_mark is None and grouped:
            raise CellRefused(
                f"'{text}' is dubbelzinnig: uit het bestand blijkt niet of '{separator}' hier "
                "duizendtallen scheidt of het decimaalteken is; sla het bestand op zonder "
                "scheidingstekens voor duizendtallen")
        else:
            text = text.replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        raise CellRefused(f"'{text}' is geen getal") from None
    if not math.isfinite(number):
        raise CellRefused(f"'{text}' is geen getal")
    return number


def check_value(column: str, text: object, number: float) -> None:
    """Refuse (CellRefused, Dutch) a count that is not whole, a negative value and one no region
    has (MAX_FIGURE)."""
    shown = _text(text)
    if abs(number) >= MAX_FIGURE:
        raise CellRefused(f"'{shown}' is groter dan elk CBS-cijfer van een gebied (hoogstens een "
                          "miljard); het bestand is beschadigd")
    if number < 0 and column not in MAY_BE_NEGATIVE:
        raise CellRefused(f"'{shown}' is negatief; dat kan niet")
    if column.startswith(COUNT_PREFIX) and not number.is_integer():
        raise CellRefused(f"'{shown}' is geen geheel getal, terwijl de kolom een aantal is "
                          "(staat het decimaalteken goed?)")


# CBS rounds the counts of wijken and buurten at random, each on its own, to a multiple of 5 (some
# to 10): in a small wijk of almost only men the men can come out 5 or 10 above all inhabitants.
# Only a part more than this above its whole cannot come from rounding.
ROUNDING_MARGIN = 10


def parts_larger_than_whole(numbers: dict[str, float | None]) -> list[tuple[str, str]]:
    """(part, whole) for every part of a row larger than its whole by more than CBS's rounding
    can make it (an age group more than a_inw)."""
    return [(part, whole) for part, whole in PART_OF.items()
            if numbers.get(part) is not None and numbers.get(whole) is not None
            and numbers[part] > numbers[whole] + ROUNDING_MARGIN]
