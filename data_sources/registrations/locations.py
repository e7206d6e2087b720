"""Map a partner's location (wijk code or name, buurt code, PC6, PC4) to wijk and buurt."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

import duckdb

from data_sources.errors import InputRefused
from data_sources.registrations import values as v
from data_sources.text import normalise

_PC6 = re.compile(r"^([1-9][0-9]{3})\s*([A-Za-z]{2})$")
_PC4 = re.compile(r"^[1-9][0-9]{3}$")
# A code as CBS writes it (WK036301), or with its parts spaced as some reports print it
# ('WK 0363 01': gemeente, wijk; 'BU 0363 01 02'): it was 'geen wijk'.
_WIJK_CODE = re.compile(r"^WK\s*([0-9]{4})\s?([0-9]{2})$", re.IGNORECASE)
_BUURT_CODE = re.compile(r"^BU\s*([0-9]{4})\s?([0-9]{2})\s?([0-9]{2})$", re.IGNORECASE)
# CBS names many wijken 'Wijk 01 Centrum' (the number is the last two digits of the code); a
# partner types 'Centrum', or the other way round: both are one wijk when number and code agree.
_NUMBERED = re.compile(r"^wijk ([0-9]{1,2}) (.+)$")
# Code and name in one cell, as exports of a gemeente's own systems write them: 'WK019301
# Binnenstad', 'WK019301 - Binnenstad', 'Binnenstad (WK019301)'. One wijk when both agree.
_CODE_AND_NAME = re.compile(
    r"^(?:WK\s*([0-9]{6})\s*[-–:,]?\s*(.+)|(.+?)\s*[(\[]\s*WK\s*([0-9]{6})\s*[)\]])$",
    re.IGNORECASE)


@dataclass(frozen=True)
class Place:
    """A mapped location: always a wijk, a buurt when the input was precise enough."""

    wijk_code: str
    buurt_code: str | None = None
    notice: str | None = None


class UnknownLocation(ValueError):
    """The location could not be mapped; the message is Dutch and may quote the input."""


# A postcode needs CBS's postcode file (pc6 -> buurt, wijk, gemeente): which file, and who loads
# it. The partner who reads this on Aanleveren has neither Gemeente laden nor a command line
# (docs/toegang.md "Waar iets te laden is"), and a command in backticks showed raw in the table of messages.
NO_POSTCODES = ("het CBS-postcodebestand (pc6hnr…_gwb.zip van cbs.nl, 'Buurt, wijk en gemeente bij "
                "postcode en huisnummer') is voor {gemeente} nog niet geladen (dat doet de beheerder "
                "of een analist van de gemeente, op de pagina Gemeente laden); gebruik zolang een "
                "wijkcode of wijknaam")


class LocationIndex:
    """The wijken, buurten and postcodes of one gemeente, for mapping partner locations."""

    def __init__(self, con: duckdb.DuckDBPyConnection, gemeente_code: str):
        self.gemeente_code = gemeente_code
        # each name a region had, once, in the order of the last year it had it; the gemeente's
        # own rows (a gemeente is in its own gemeente_code) give its latest name: one scan of the
        # regions, as every upload asks
        rows = con.execute(
            "select region_code, region_level, region_name, wijk_code, max(year) as year"
            " from regions where gemeente_code = ? group by all order by year, region_code",
            [gemeente_code],
        ).fetchall()
        own = [row for row in rows if row[0] == gemeente_code]
        self.gemeente_name = own[-1][2] if own and own[-1][2] else gemeente_code
        regions = [row for row in rows if row[1] in ("wijk", "buurt")]
        if not regions:
            raise InputRefused(
                f"Van gemeente {self.gemeente_name} zijn nog geen wijken geladen; laad eerst de "
                "CBS-gegevens of de voorbeeldgemeente."
            )
        self.wijken: dict[str, str] = {}      # code -> latest name
        self.buurten: dict[str, str] = {}     # buurt code -> wijk code
        names: dict[str, set[str]] = {}
        buurt_names: dict[str, set[str]] = {}
        for code, level, region_name, wijk_code, _year in regions:
            if level == "wijk":
                self.wijken[code] = region_name or code
                if region_name:
                    names.setdefault(normalise(region_name), set()).add(code)
            else:
                self.buurten[code] = wijk_code or "WK" + code[2:8]
                if region_name:
                    buurt_names.setdefault(normalise(region_name), set()).add(code)
        self._wijk_by_name = names
        # the names without 'Wijk 01 ' in front, each with the number it had (None without one)
        self._wijk_by_bare_name: dict[str, set[tuple[str, str | None]]] = {}
        for key, codes in names.items():
            numbered = _NUMBERED.match(key)
            bare = numbered.group(2) if numbered else key
            number = numbered.group(1).zfill(2) if numbered else None
            for code in codes:
                self._wijk_by_bare_name.setdefault(bare, set()).add((code, number))
        self._buurt_by_name = buurt_names
        # the latest year's postcodes (one query)
        self.pc6: dict[str, tuple[str, str]] = {}
        for pc6, buurt, wijk in con.execute(
            "select distinct pc6, buurt_code, wijk_code from postcodes where gemeente_code = ?"
            " and year = (select max(year) from postcodes where gemeente_code = ?)",
            [gemeente_code, gemeente_code],
        ).fetchall():
            self.pc6[pc6.replace(" ", "").upper()] = (_code("WK", wijk), _code("BU", buurt))
        self._pc4: dict[str, Counter] = {}
        for pc6, (wijk, buurt) in self.pc6.items():
            self._pc4.setdefault(pc6[:4], Counter())[(wijk, buurt)] += 1

    def wijk_choices(self) -> list[str]:
        """Wijk names for a dropdown, sorted, with the code when two wijken share a name."""
        return sorted(self.wijken.values(), key=normalise)

    def resolve(self, raw: object) -> Place:
        """The wijk (and buurt) a location refers to; raises UnknownLocation (Dutch message)."""
        key = (type(raw).__name__, str(raw))
        cache = self.__dict__.setdefault("_resolved", {})
        if key not in cache:
            try:
                cache[key] = self._resolve(raw)
            except UnknownLocation as unknown:
                cache[key] = _with_invisible_named(unknown, str(raw))
        found = cache[key]
        if isinstance(found, UnknownLocation):
            raise UnknownLocation(str(found))
        return found

    def _resolve(self, raw: object) -> Place:
        text = " ".join(str(raw).split())
        if isinstance(raw, float) and raw.is_integer():
            text = str(int(raw))
        if len(text) > v.SHOWN_CHARACTERS:
            raise UnknownLocation(f"'{v.show(text)}' is geen wijk, buurt of postcode: de cel is "
                                  f"veel langer dan een naam of code")
        where = f"van {self.gemeente_name}"
        match = _WIJK_CODE.match(text)
        if match:
            code = "WK" + "".join(match.groups())
            if code in self.wijken:
                return Place(code)
            raise UnknownLocation(f"'{text}' is geen wijkcode {where}")
        match = _BUURT_CODE.match(text)
        if match:
            code = "BU" + "".join(match.groups())
            if code in self.buurten:
                return Place(self.buurten[code], code)
            # buurten not loaded (a kwb file without its buurt rows): a buurtcode holds its wijk's
            # code (BU01930101 lies in WK019301), so the location still counts for that wijk
            wijk = "WK" + code[2:8]
            if not self.buurten and wijk in self.wijken:
                return Place(wijk)
            raise UnknownLocation(f"'{text}' is geen buurtcode {where}")
        match = _PC6.match(text) or _PC4.match(text)
        if match and not self.pc6:
            raise UnknownLocation(f"postcode '{text}': " + NO_POSTCODES.format(gemeente=self.gemeente_name))
        match = _PC6.match(text)
        if match:
            pc6 = (match.group(1) + match.group(2)).upper()
            if pc6 in self.pc6:
                wijk, buurt = self.pc6[pc6]
                return Place(wijk, buurt)
            raise UnknownLocation(f"postcode '{text}' ligt niet in {self.gemeente_name}")
        if _PC4.match(text):
            counts = self._pc4.get(text)
            if not counts:
                raise UnknownLocation(f"postcode '{text}' ligt niet in {self.gemeente_name}")
            wijken = Counter()
            for (wijk, _buurt), n in counts.items():
                wijken[wijk] += n
            wijk = wijken.most_common(1)[0][0]
            buurten = {b for (w, b) in counts if w == wijk}
            buurt = next(iter(buurten)) if len(counts) == 1 else None
            notice = None
            if len(wijken) > 1:
                notice = (
                    f"postcode {text} ligt in {len(wijken)} wijken; toegewezen aan "
                    f"{self.wijken.get(wijk, wijk)}, waar de meeste postcodes liggen. "
                    "Gebruik een zescijferige postcode (1234 AB) voor een precieze wijk."
                )
            return Place(wijk, buurt, notice)
        both = _CODE_AND_NAME.match(text)
        if both:
            return self._code_and_name("WK" + (both.group(1) or both.group(4)),
                                       both.group(2) or both.group(3), text)
        key = normalise(text)
        codes = self._wijk_by_name.get(key)
        if codes and len(codes) == 1:
            return Place(next(iter(codes)))
        buurten = self._buurt_by_name.get(key)
        if not codes and buurten and len(buurten) == 1:
            buurt = next(iter(buurten))
            return Place(self.buurten[buurt], buurt)
        if codes:
            raise UnknownLocation(
                f"'{text}' is de naam van meer wijken {where}; gebruik de wijkcode"
            )
        numbered = _NUMBERED.match(key)
        bare = numbered.group(2) if numbered else key
        number = numbered.group(1).zfill(2) if numbered else None
        # 'Wijk 01 Centrum' for Centrum (WK…01), 'Centrum' for 'Wijk 01 Centrum'
        matches = {code for code, _had in self._wijk_by_bare_name.get(bare, ())
                   if number is None or code.endswith(number)}
        if len(matches) == 1:
            return Place(next(iter(matches)))
        if numbered and self._wijk_by_bare_name.get(bare):
            known = sorted(f"{self.wijken[code]} ({code})"
                           for code, _had in self._wijk_by_bare_name[bare])
            raise UnknownLocation(
                f"'{text}': het wijknummer {number} past niet bij {', '.join(known)}; gebruik de "
                "wijknaam uit de keuzelijst of de CBS-wijkcode")
        invisible = any(unicodedata.category(ch) in ("Cf", "Cc", "Co", "Cn") for ch in text)
        # with an invisible character the refusal names it (_with_invisible_named) instead
        raise UnknownLocation(f"'{text}' is geen wijk {where}"
                              + ("" if invisible else self._suggestion(key)))

    @staticmethod
    def name_beside_code(text: object) -> str | None:
        """The name in a cell that also holds a wijk code ('Centrum (WK019301)'), else None."""
        both = _CODE_AND_NAME.match(" ".join(str(text).split()))
        return (both.group(2) or both.group(3)).strip() if both else None

    def _code_and_name(self, code: str, name: str, text: str) -> Place:
        """The wijk of a cell holding its code and its name; refused when they disagree."""
        if code not in self.wijken:
            raise UnknownLocation(f"'{text}': {code} is geen wijkcode van {self.gemeente_name}")
        key = normalise(name)
        numbered = _NUMBERED.match(key)
        bare = numbered.group(2) if numbered else key
        if code in self._wijk_by_name.get(key, ()) or any(
                found == code for found, _had in self._wijk_by_bare_name.get(bare, ())):
            return Place(code)
        raise UnknownLocation(
            f"'{text}': de wijkcode {code} is {self.wijken[code]}, niet '{name.strip()}'; gebruik "
            "alleen de CBS-wijkcode of alleen de wijknaam")

    def _suggestion(self, key: str) -> str:
        """'; bedoelt u ...?' with the closest wijk names, or how to find the right one."""
        import difflib

        bare = {name: name for name in self._wijk_by_bare_name}
        close = difflib.get_close_matches(key, list(bare), n=2, cutoff=0.75)
        names = sorted({self.wijken[code] for name in close
                        for code, _had in self._wijk_by_bare_name[name]})
        if names:
            return "; bedoelt u " + " of ".join(f"'{name}'" for name in names) + "?"
        return ("; kies een wijk uit de keuzelijst van het sjabloon (blad Lijsten) of gebruik de "
                "CBS-wijkcode (WK…)")


def _with_invisible_named(unknown: UnknownLocation, text: str) -> UnknownLocation:
    """A refusal of a cell with an invisible character in it (a zero-width space pasted along:
    '9901<U+200B>CC' looks like 9901CC on screen) that names the character and shows where."""
    invisible = sorted({ch for ch in text if unicodedata.category(ch) in ("Cf", "Cc", "Co", "Cn")
                        and ch not in "\t\n\r"})
    if not invisible:
        return unknown
    message = str(unknown)
    for ch in invisible:
        message = message.replace(ch, f"<U+{ord(ch):04X}>")
    names = ", ".join(f"U+{ord(ch):04X} ({unicodedata.name(ch, 'zonder naam')})" for ch in invisible)
    return UnknownLocation(
        f"{message}: de cel bevat een onzichtbaar teken, {names}; typ de waarde opnieuw, zonder "
        "dat teken")


def _code(prefix: str, code: str) -> str:
    code = str(code).strip()
    return code if code.upper().startswith(prefix) else prefix + code
