"""Nabijheid voorzieningen (CBS): the distances and counts nearby that Kindkaart maps, by title path."""

from __future__ import annotations

import dataclasses
import re

from data_sources.cbs.odata import CbsTable, stem

# The measures Kindkaart uses, matched on the end of their title path in the StatLine CSV header
# ("Kinderopvang/Kinderdagverblijf/Afstand tot kinderdagverblijf (km)") or in the OData topic
# groups. The same last title occurs under several groups ("Afstand tot school" under
# Basisonderwijs, Voortgezet onderwijs totaal, Vmbo, Havo/vwo), so the group decides.
# Stems start with Nabijheid: the kwb has its own AfstandTotKinderdagverblijf and AfstandTotSchool.
NABIJHEID_PATHS: dict[tuple[str, ...], str] = {
    ("kinderdagverblijf", "afstand tot kinderdagverblijf"): "NabijheidAfstandKinderdagverblijf",
    ("aantal kinderdagverblijven", "binnen 1 km"): "NabijheidKinderdagverblijvenBinnen1Km",
    ("aantal kinderdagverblijven", "binnen 3 km"): "NabijheidKinderdagverblijvenBinnen3Km",
    ("buitenschoolse opvang", "afstand tot buitenschoolse opvang"): "NabijheidAfstandBso",
    ("aantal buitenschoolse opvang", "binnen 1 km"): "NabijheidBsoBinnen1Km",
    ("aantal buitenschoolse opvang", "binnen 3 km"): "NabijheidBsoBinnen3Km",
    ("basisonderwijs", "afstand tot school"): "NabijheidAfstandBasisschool",
    ("basisonderwijs", "aantal scholen", "binnen 1 km"): "NabijheidBasisscholenBinnen1Km",
    ("basisonderwijs", "aantal scholen", "binnen 3 km"): "NabijheidBasisscholenBinnen3Km",
}
NABIJHEID_STEMS = frozenset(NABIJHEID_PATHS.values())


def normalise_path(parts: list[str]) -> tuple[str, ...]:
    """Title path segments, lower case, without the unit '(km)' and with single spaces."""
    return tuple(re.sub(r"\s+", " ", re.sub(r"\s*\([^)]*\)\s*$", "", p)).strip().lower() for p in parts)


def stem_for_path(parts: list[str]) -> str | None:
    """The Nabijheid stem of a title path, or None when Kindkaart does not use that measure."""
    path = normalise_path(parts)
    for suffix, measure in NABIJHEID_PATHS.items():
        if path[-len(suffix):] == suffix:
            return measure
    return None


def with_nabijheid_stems(table: CbsTable) -> CbsTable | None:
    """An OData table (cbsodata directory or JSON with DataProperties) whose topics, read with
    their topic groups, include Nabijheid measures: a copy keyed by the Nabijheid stems (the other
    topics left out); None when it has none."""
    by_id = {p.get("ID"): p for p in table.data_properties if p.get("ID") is not None}

    def path(prop: dict) -> list[str]:
        parts, seen = [prop.get("Title") or ""], set()
        parent = prop.get("ParentID")
        while parent is not None and parent in by_id and parent not in seen:
            seen.add(parent)
            parts.insert(0, by_id[parent].get("Title") or "")
            parent = by_id[parent].get("ParentID")
        return parts

    renamed = {p["Key"]: stem_for_path(path(p)) for p in table.data_properties
               if p.get("Type") == "Topic" and p.get("Key")}
    renamed = {key: measure for key, measure in renamed.items() if measure}
    if not renamed:
        return None
    region_topics = {"Codering", "Gemeentenaam", "SoortRegio"}
    keep = {p["Key"] for p in table.data_properties
            if p.get("Type") != "Topic" or stem(p.get("Key") or "") in region_topics}
    props = [p for p in table.data_properties if p.get("Key") in keep]
    props += [{"Type": "Topic", "Key": new, "Title": new, "Datatype": "Double"} for new in renamed.values()]
    records = [{renamed.get(key, key): value for key, value in record.items()
                if key in keep or key in renamed} for record in table.records]
    return dataclasses.replace(table, data_properties=props, records=records)
