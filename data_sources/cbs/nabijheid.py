"""Nabijheid voorzieningen (CBS): the distances and counts nearby that Kindkaart maps, by title path."""

from __future__ import annotations

import dataclasses
import re

from data_sources.cbs.columns import NABIJHEID_PATHS
from data_sources.cbs.odata import CbsTable, stem

# The StatLine tables "Nabijheid voorzieningen; afstand locatie, wijk- en buurtcijfers <jaar>", by
# year, as their pages on cbs.nl/nl-nl/cijfers/detail/<id> title them (2017, 2020-2023) or CBS
# names them (2018, 2019: cbs.nl/nl-nl/maatwerk/2020/24/nabijheid-voorzieningen-buurtcijfers-2019
# links 84718NED; 2025: 86270NED; 2024: 86134NED, "Proximity to facilities; distance/location,
# districts and neighbourhoods 2024", as public code that reads the table from
# opendata.cbs.nl/ODataApi/odata/86134NED names it, with 86270NED as its successor; its cbs.nl
# page was not reachable offline). A saved OData answer names only its table, not its year.
NABIJHEID_TABLES: dict[int, str] = {
    2017: "84334NED", 2018: "84463NED", 2019: "84718NED", 2020: "84953NED", 2021: "85231NED",
    2022: "85560NED", 2023: "85830NED", 2024: "86134NED", 2025: "86270NED",
}


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
