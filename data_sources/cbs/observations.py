"""CBS's new open data (OData v4, datasets.cbs.nl, and its CSV download): long observations, one row
per region and measure, the measures as codes (M000352) explained in MeasureCodes."""

from __future__ import annotations

import contextlib
import csv
import filecmp
import io
import itertools
import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from data_sources import archives
from data_sources.cbs.columns import DIMENSION_KEYS, kwb_key_for_title
from data_sources.cbs.kwb_values import CellRefused, file_decimal_mark, read_number
from data_sources.cbs.nabijheid import stem_for_path
from data_sources.cbs.odata import CbsTable, clean, to_number
from data_sources.errors import InputRefused, unreadable
from data_sources.text import (
    NOT_UTF8,
    UTF8_NOT_UTF8,
    decode,
    decoded,
    delimiter,
    not_utf8_said,
    without_controls,
)

# The columns of an observation that are not a dimension.
OBSERVATION_COLUMNS = frozenset({"Id", "Measure", "ValueAttribute", "Value", "StringValue"})
# The files of the download, beside Observations.
OBSERVATION_FILES = ("Observations", "MeasureCodes", "MeasureGroups", "Properties")
# The files of a zip that are read: the download's tables, or the one CBS file zipped.
ZIPPED_SUFFIXES = frozenset({".csv", ".txt", ".json", ".xlsx", ".xls"})
# A file of the download is read whole: a national table of one year is some 100-150 MB as CSV.
MAX_MEGABYTES = 200


def is_observations(columns: Iterable[str]) -> bool:
    """Whether rows with these columns are long observations (Measure and Value per row)."""
    return {"Measure", "Value"} <= {str(c).strip() for c in columns}


def rows_of(path: Path, *, lazy: bool = False) -> list[dict] | Iterator[dict]:
    """The rows of one file of the download, .json (an OData answer or a bare list) or .csv.
    `lazy`: a CSV's rows one by one (Observations of a national table are millions of rows; only
    the measures read are kept). A file that is UTF-8 but for a few bytes (a row pasted from a
    Windows-1252 copy) is read as UTF-8 and refused at the first value with such a byte, naming its
    row and column: read as Windows-1252 as a whole, every accented letter became 'Ã©'."""
    if path.stat().st_size > MAX_MEGABYTES * 1024 * 1024:
        raise InputRefused(f"Bestand {path.name} is groter dan {MAX_MEGABYTES} MB; download alleen "
                           "de gemeenten die u nodig hebt. Er is niets opgeslagen.")
    try:
        text, encoding = decoded(path.read_bytes(), not_utf8=True)
        text = without_controls(text)
        if path.suffix.lower() == ".json":
            data = json.loads(text)
            data = data.get("value", data) if isinstance(data, dict) else data
            if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
                raise InputRefused(f"Bestand {path.name}: geen lijst met CBS-rijen.")
            if encoding == UTF8_NOT_UTF8:
                for number, record in enumerate(data, start=1):
                    _refuse_not_utf8(record, f"Bestand {path.name}: rij {number} van 'value', sleutel")
            return data
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise InputRefused(f"Bestand {path.name}: {unreadable(exc)}. Er is niets opgeslagen.") from None
    rows = _csv_rows(text, path, encoding == UTF8_NOT_UTF8)
    return rows if lazy else list(rows)


def _refuse_not_utf8(record: dict, where: str) -> None:
    for key, value in record.items():
        if isinstance(value, str) and NOT_UTF8.search(value):
            raise InputRefused(f"{where} {key}: {not_utf8_said(value)}. Er is niets opgeslagen.")


def _csv_rows(text: str, path: Path, not_utf8: bool = False) -> Iterator[dict]:
    first = text.split("\n", 1)[0]
    try:
        reader = csv.DictReader(io.StringIO(text), delimiter=delimiter(first))
        if not not_utf8:
            yield from reader
            return
        for row in reader:
            _refuse_not_utf8(row, f"Bestand {path.name}, rij {reader.line_num}, kolom")
            yield row
    except csv.Error as exc:
        raise InputRefused(f"Bestand {path.name}: {unreadable(exc)}. Er is niets opgeslagen.") from None


def _sibling(folder: Path, stem: str, name: str | None = None) -> Path | None:
    """The file `stem`.csv or .json of the download, also with the table id before it
    (86165NED_MeasureCodes.csv). Two such files that differ (Observations.csv beside
    86165NED_Observations.csv, or beside Observations.json) are refused naming both: the first by
    name was read without a word, perhaps the figures of an older download or another table.
    `name`: the file or folder the user gave (the zip), for the message."""
    found = [candidate for suffix in (".csv", ".json") for candidate in sorted(folder.glob(f"*{suffix}"))
             if candidate.stem.lower() == stem.lower() or candidate.stem.lower().endswith(f"_{stem.lower()}")]
    if any(not filecmp.cmp(found[0], other, shallow=False) for other in found[1:]):
        raise _two_candidates(folder, stem, found, name or folder.name)
    return found[0] if found else None


def _two_candidates(folder: Path, stem: str, found: list[Path], name: str) -> InputRefused:
    shown = ", ".join(file.name for file in found[:-1]) + " en " + found[-1].name
    zipped = name.lower().endswith(".zip")
    where = ("het zip-bestand" if zipped else "de map van dit bestand" if Path(name).suffix
             else "de map")
    table_id = None
    if stem != "Properties":
        with contextlib.suppress(InputRefused):
            table_id = str(properties_of(folder, name).get("Identifier") or "").strip() or None
    named = [file for file in found if table_id and file.stem.lower() == f"{table_id}_{stem}".lower()]
    if len(named) == 1:
        others = " en ".join(file.name for file in found if file != named[0])
        keep = (f"Volgens {_sibling(folder, 'Properties', name).name} is de download tabel "
                f"{table_id}, en {named[0].name} draagt die naam: "
                + (f"pak het zip-bestand uit, haal {others} weg en lees de map (of een nieuwe zip) in."
                   if zipped else f"haal {others} uit de map en lees opnieuw in."))
    else:
        keep = ((
            "Pak het zip-bestand uit, houd alleen het bestand van de download die u bedoelt (met "
            "hetzelfde tabelnummer als de andere bestanden, of het nieuwste) en lees de map (of een "
            "nieuwe zip) in.") if zipped else (
            "Houd in de map alleen het bestand van de download die u bedoelt (met hetzelfde "
            "tabelnummer als de andere bestanden, of het nieuwste) en lees opnieuw in."))
    count = "twee" if len(found) == 2 else len(found)
    return InputRefused(
        f"{_kind(name)} {name}: {where} bevat {count} verschillende bestanden die elk {stem} "
        f"van de CBS-download kunnen zijn ({shown}); welke Kindkaart moet lezen, is niet zeker. "
        f"{keep} Er is niets opgeslagen.")


def observations_file(folder: Path, name: str | None = None) -> Path | None:
    """The Observations file of a folder of the download (None when it has none); two that differ
    are refused (_sibling), `name` being the file or folder the user gave."""
    return _sibling(folder, "Observations", name)


# Nabijheid titles that only their group tells apart
_GROUPED_TITLES = frozenset({"afstand tot school", "afstand tot kinderdagverblijf",
                             "afstand tot buitenschoolse opvang", "binnen 1 km", "binnen 3 km"})


def _kind(name: str) -> str:
    # a folder of the download is named after the table (86165NED), its files have a suffix
    return "Bestand" if Path(name).suffix else "Map"


def _missing_codes(name: str) -> InputRefused:
    return InputRefused(
        f"{_kind(name)} {name}: dit zijn losse waarnemingen van de nieuwe CBS-open data (één rij per "
        "regio en onderwerp, de onderwerpen als code zoals M000352). Welke code welk onderwerp is, "
        "staat in MeasureCodes uit dezelfde download: lees de hele map of het zip-bestand in. "
        "Er is niets opgeslagen.")


def read_observations(records: Iterable[dict], folder: Path, name: str, *, table_id: str | None,
                      period: str, kwb_ids: Iterable[str] = ()) -> CbsTable:
    """The observations as one CbsTable in the OData v3 layout the other readers give: a record
    per combination of dimensions, the measures Kindkaart reads keyed by their stem (by title, and
    the Nabijheid measures by their group path), the others left out. The explaining files
    (MeasureCodes, MeasureGroups, <dimension>Codes) are taken from `folder`. A kwb table (its id
    in `kwb_ids`, or with Aantal inwoners or 0 tot 15 jaar) keeps its own distances: its
    'Nabijheid voorzieningen/Basisonderwijs/Afstand tot school' is AfstandTotSchool."""
    codes_path = _sibling(folder, "MeasureCodes", name)
    if codes_path is None:
        raise _missing_codes(name)
    measures = [m for m in rows_of(codes_path) if str(m.get("Identifier") or "").strip()]
    if not measures:
        raise _missing_codes(name)
    groups_path = _sibling(folder, "MeasureGroups", name)
    groups = {str(g.get("Id")).strip(): g for g in (rows_of(groups_path) if groups_path else [])}

    def group_path(group_id: object) -> list[str]:
        parts, seen = [], set()
        group_id = str(group_id or "").strip()
        while group_id and group_id in groups and group_id not in seen:
            seen.add(group_id)
            parts.insert(0, str(groups[group_id].get("Title") or "").strip())
            group_id = str(groups[group_id].get("ParentId") or "").strip()
        return parts

    props: list[dict] = []
    keys: dict[str, str] = {}  # measure code -> key of the topic
    titles: dict[str, str] = {}  # key of the topic -> its title, for messages
    textual_keys: set[str] = set()
    by_title = {}
    for measure in measures:
        title = str(measure.get("Title") or "").strip()
        by_title.setdefault(kwb_key_for_title(title), []).append(measure)
    kwb = (str(table_id or "").upper() in {t.upper() for t in kwb_ids}
           or bool({"AantalInwoners", "k_0Tot15Jaar"} & set(by_title)))
    if not kwb and groups_path is None and any(
            str(m.get("Title") or "").strip().lower() in _GROUPED_TITLES for m in measures):
        raise InputRefused(
            f"{_kind(name)} {name}: Nabijheid voorzieningen zonder MeasureGroups: 'Afstand tot school' "
            "en 'Binnen 1 km' staan onder meerdere groepen (basisschool en voortgezet onderwijs, "
            "kinderdagverblijf en bso) en zijn alleen met hun groep te onderscheiden. Lees de hele "
            "map of het zip-bestand van de download in, met MeasureGroups. Er is niets opgeslagen.")
    for index, measure in enumerate(measures, start=1):
        code = str(measure["Identifier"]).strip()
        title = str(measure.get("Title") or "").strip()
        path = [*group_path(measure.get("MeasureGroupId")), title]
        nabijheid = None if kwb else stem_for_path(path)
        stem = kwb_key_for_title(title)
        # a title under several groups (Afstand tot school) names none of them on its own
        if nabijheid:
            stem = nabijheid
        elif stem is None or len(by_title[stem]) > 1:
            continue
        keys[code] = f"{stem}_{index}"
        titles[keys[code]] = title
        textual = str(measure.get("DataType") or "").strip().lower() in {"string", "text"}
        if textual:
            textual_keys.add(keys[code])
        props.append({"Type": "Topic", "Key": keys[code], "Title": title,
                      "Datatype": "String" if textual else "Double"})
    if not keys:
        raise InputRefused(f"{_kind(name)} {name}: geen van de onderwerpen in MeasureCodes is er een die "
                           "Kindkaart leest (zoals Aantal inwoners, 0 tot 15 jaar, Afstand tot "
                           "kinderdagverblijf). Er is niets opgeslagen.")
    records = iter(records)
    first = next(records, None)
    records = itertools.chain([first] if first is not None else [], records)
    dimensions = [c for c in (first or {})
                  if c.strip().lower() not in {o.lower() for o in OBSERVATION_COLUMNS}]
    for key in dimensions:
        props.insert(0, {"Type": DIMENSION_KEYS.get(key, "Dimension"), "Key": key})
    combined: dict[tuple, dict] = {}
    for row in records:
        key = keys.get(str(row.get("Measure") or "").strip())
        if key is None:
            continue
        combo = tuple(clean(row.get(d)) for d in dimensions)
        record = combined.setdefault(combo, dict(zip(dimensions, combo, strict=True)))
        value = row.get("Value")
        if value is None or (isinstance(value, str) and not value.strip()):
            value = row.get("StringValue")
        record[key] = value
    _read_separated_figures(combined, {k for k in keys.values() if k not in textual_keys}, titles,
                            name)
    table = CbsTable(table_id=table_id or f"odata-{period}", title=f"CBS-open data {name}",
                     period=period, modified=None, data_properties=props,
                     records=list(combined.values()))
    for key in dimensions:
        path = _sibling(folder, f"{key}Codes", name)
        if path is not None:
            table.dimensions[key] = {clean(str(c.get("Identifier") or "")): clean(str(c.get("Title") or ""))
                                     for c in rows_of(path)}
    return table


def _read_separated_figures(combined: dict[tuple, dict], numeric: set[str], titles: dict[str, str],
                            name: str) -> None:
    """The figures of a CSV's observations that have a '.' or ',' read with the file's own decimal
    mark, in place: Observations.csv saved again by Excel has '7.115' inhabitants beside '0,6' km,
    which was read as 7.115. A figure that does not show which mark it has is refused, naming its
    region and topic (its text, such as n.v.t., is left to the loaders' check)."""
    separated = [(combo, key) for combo, record in combined.items() for key in numeric
                 if isinstance(record.get(key), str) and ("." in record[key] or "," in record[key])]
    if not separated:
        return
    mark = file_decimal_mark(combined[combo][key] for combo, key in separated)
    problems = []
    for combo, key in separated:
        record = combined[combo]
        try:
            record[key] = read_number(record[key], mark)
        except CellRefused as refused:
            if to_number(record[key]) is not None and len(problems) < 10:
                region = ", ".join(str(part) for part in combo if part)
                problems.append(f"{_kind(name)} {name}, regio {region}, onderwerp "
                                f"'{titles.get(key, key)}': {refused}.")
    if problems:
        raise InputRefused([*problems, "Er is niets opgeslagen."])


def properties_of(folder: Path, name: str | None = None) -> dict:
    """Properties of the download (json or csv: Identifier, Title, TemporalCoverage), if there."""
    path = _sibling(folder, "Properties", name)
    if path is None:
        return {}
    if path.suffix.lower() == ".csv":
        rows = rows_of(path)
    else:
        try:
            data = json.loads(decode(path.read_bytes()))
        except (UnicodeDecodeError, ValueError, RecursionError):
            return {}
        rows = data.get("value", [data]) if isinstance(data, dict) else data
    return next((row for row in rows if isinstance(row, dict)), {}) if isinstance(rows, list) else {}


def unpacked(path: Path):
    """The CBS files of a zipped download (.csv, .json, .xlsx, .xls) in a temporary folder
    (checked: no more than MAX_MEGABYTES each, no folders outside it)."""
    return archives.unpacked(path, lambda info: Path(info.filename).suffix.lower() in ZIPPED_SUFFIXES,
                             noun="CBS-bestand", max_bytes=MAX_MEGABYTES * 1024 * 1024)
