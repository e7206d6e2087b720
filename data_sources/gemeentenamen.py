"""Gemeente names and codes of 2024 (bundled list) and names as StatLine writes them -> codes."""

from __future__ import annotations

import csv
import re
import unicodedata
from functools import cache
from pathlib import Path

from data_sources.text import straight_apostrophes

# The 342 gemeenten of 2024 with their CBS names; names taken from the public gemeente list of
# minvws/nl-covid19-data-dashboard (packages/common/src/data/gm.ts, commit e32c09e), codes checked
# against the CBS/PDOK 2024 indeling (85984NED and the 2024 wijk boundaries).
BUNDLED_LIST = Path(__file__).with_name("gemeenten_2024.csv")
# StatLine marks a region's kind after its name where names repeat: "Utrecht (gemeente)" beside
# "Utrecht (PV)". Only the gemeente suffix names a gemeente.
_KIND_SUFFIX = re.compile(r"\s*\((gemeente|PV|LD|CR|GGD|JZ|RES|VR|AMR|CBSAB)\)\s*$", re.IGNORECASE)


@cache
def bundled_names() -> dict[str, str]:
    """code -> CBS name of the 342 gemeenten of 2024."""
    with BUNDLED_LIST.open(encoding="utf-8") as handle:
        return {row["gemeente_code"]: row["gemeente_naam"]
                for row in csv.DictReader(handle, delimiter=";")}


def _key(name: str) -> str:
    # "’s-Hertogenbosch" as Excel or a browser writes it is "'s-Hertogenbosch"
    return re.sub(r"\s+", " ", straight_apostrophes(name)).strip().lower()


@cache
def _codes_by_name() -> dict[str, str]:
    return {_key(name): code for code, name in bundled_names().items() if name}


def gemeente_code_for(title: str, extra: dict[str, str] | None = None) -> str | None:
    """The GM code of a region title as StatLine writes it ('Zwolle (gemeente)', "'s-Gravenhage",
    'Bergen (NH.)'), or None for other kinds of region (a province, Nederland) and unknown names.
    `extra`: more code -> name pairs (names of loaded regions, other years)."""
    title = (title or "").strip()
    if title.upper().startswith("GM") and title[2:6].isdigit():
        return title[:6].upper()
    suffix = _KIND_SUFFIX.search(title)
    if suffix and suffix.group(1).lower() != "gemeente":
        return None
    name = _key(_KIND_SUFFIX.sub("", title))
    if extra:
        for code, other in extra.items():
            if other and _key(other) == name:
                return code
    return _codes_by_name().get(name)


def _base(name: str) -> str:
    # 'Bergen (NH.)' -> 'bergen', "'s-Gravenhage" stays: the name without a distinguishing suffix
    return _key(re.sub(r"\s*\([^)]*\)\s*$", "", name))


def _folded(name: str) -> str:
    # a name as typed without its accents, case, hyphens, spaces, apostrophes and other marks:
    # 'Sudwest Fryslan' and 'Súdwest-Fryslân' are 'sudwestfryslan', "s Gravenhage" 'sgravenhage'
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^0-9a-z]", "", plain)


# The names by which two gemeenten are commonly called beside their official (CBS) names: the
# gemeente 's-Gravenhage calls itself Den Haag (denhaag.nl; CBS signs its own tables "Den
# Haag/Heerlen"), 's-Hertogenbosch is Den Bosch in its own city marketing ("Den Bosch. Zin in
# morgen."). Only these two are this common; anything else is matched on the official name.
COMMON_NAMES = {"Den Haag": "GM0518", "Den Bosch": "GM0796"}


def common_name(code: str) -> str | None:
    """'Den Haag' for GM0518, 'Den Bosch' for GM0796, else None (COMMON_NAMES)."""
    return next((name for name, its_code in COMMON_NAMES.items() if its_code == code), None)


def _one_or_none(codes) -> str | None:
    found = sorted(set(codes))
    return found[0] if len(found) == 1 else None


def resolve(wanted: str, names: dict[str, str]) -> str:
    """The GM code of `wanted`, a code ('GM0193', '0193') or a name ('Zwolle', 'bergen (l.)')
    among `names` (code -> name: the loaded gemeenten and the bundled list). Refuses (Dutch,
    InputRefused) an unknown name, with the nearest names, and a name that fits several
    gemeenten, listing them."""
    import difflib

    from data_sources.errors import InputRefused

    text = " ".join((wanted or "").split())
    code = text.upper()
    if re.fullmatch(r"\d{4}", code):
        code = "GM" + code
    if re.fullmatch(r"GM\d{4}", code):
        return code
    exact = sorted(c for c, name in names.items() if name and _key(name) == _key(text))
    if len(exact) == 1:
        return exact[0]
    # typed without accents, hyphens, spaces or apostrophes ('Sudwest Fryslan', 's Gravenhage'),
    # or a common name ('Den Haag'): only when exactly one gemeente fits
    folded = _folded(text)
    if not exact and folded and (code := _one_or_none(
            [c for c, name in names.items() if name and _folded(name) == folded]
            or [c for name, c in COMMON_NAMES.items() if _folded(name) == folded])):
        return code
    candidates = exact or sorted({c for c, name in names.items()
                                  if name and _folded(_base(name)) == _folded(_base(text))})
    if len(candidates) == 1:
        return candidates[0]
    if candidates:
        listed = ", ".join(f"{names[c]} ({c})" for c in candidates)
        raise InputRefused([f"'{text}' past bij meer gemeenten: {listed}. Geef de naam precies of de "
                            "gemeentecode."])
    by_name = {name: c for c, name in names.items() if name}
    by_name.update({name: c for name, c in COMMON_NAMES.items() if c in names})  # 'Den Hag': Den Haag?
    by_folded = {_folded(name): name for name in by_name}
    near = [by_folded[f] for f in difflib.get_close_matches(folded, list(by_folded), n=5, cutoff=0.75)]
    near += [name for name in by_name if folded and folded in _folded(name) and name not in near][:5 - len(near)]
    hint = f" Bedoelt u: {', '.join(f'{n} ({by_name[n]})' for n in near)}?" if near else ""
    raise InputRefused([f"Onbekende gemeente '{text}': geef een gemeentenaam of een code als GM0193."
                        + hint])


def label(code: str, names: dict[str, str]) -> str:
    """'Zwolle (GM0193)', 'Voorbeeldstad (GM9999, fictief)', or the bare code when the name is
    unknown."""
    from data_sources.config import SAMPLE_GEMEENTE_CODE, SAMPLE_GEMEENTE_NAME

    if code == SAMPLE_GEMEENTE_CODE:
        # the sample is never mistaken for a real gemeente wherever one is chosen
        return f"{SAMPLE_GEMEENTE_NAME} ({code}, fictief)"
    name = names.get(code)
    return f"{name} ({code})" if name and name != code else code
