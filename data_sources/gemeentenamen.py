"""Gemeente names and codes of 2024 (bundled list) and names as StatLine writes them -> codes."""

from __future__ import annotations

import csv
import re
from functools import cache
from pathlib import Path

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
    return re.sub(r"\s+", " ", name).strip().lower()


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
