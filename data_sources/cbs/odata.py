"""Read CBS OData v3 tables as `cbsodata` saves them (one JSON file per OData entity set)."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from data_sources.cbs.http import MAX_ANSWER_BYTES
from data_sources.errors import InputRefused, unreadable
from data_sources.text import (
    bad_byte_said,
    bad_bytes_of,
    decoded,
    given_path,
    is_cbs_table_id,
    json_error_at_bad_byte,
)

_SUFFIX = re.compile(r"_\d+$")
DIMENSION_TYPES = frozenset({"GeoDetail", "GeoDimension", "Dimension", "TimeDimension"})
NUMERIC_TYPES = {"Long", "Double", "Integer", "Float", "Decimal", "Short"}
REGION_LEVELS = {"GM": "gemeente", "WK": "wijk", "BU": "buurt"}


def refuse_large_file(path: Path, what: str, advice: str) -> None:
    """A JSON file read whole from disk (GeoJSON, a saved OData answer) may be no larger than an
    answer of CBS or PDOK (MAX_ANSWER_BYTES, 200 MB): a larger one is refused before reading it,
    as a page upload is above 100 MB, instead of taking all memory on the command line."""
    size = path.stat().st_size
    if size > MAX_ANSWER_BYTES:
        raise InputRefused(
            f"Bestand {path.name} is {size / 1024 ** 2:.0f} MB; {what} mag hoogstens "
            f"{MAX_ANSWER_BYTES // 1024 ** 2} MB zijn, net als een antwoord van CBS of PDOK. "
            f"Kindkaart leest het niet; er is niets opgeslagen. {advice}")


def read_json_file(path: Path, refusal: str,
                   too_large: tuple[str, str] | None = None) -> tuple[object, str]:
    """The JSON value of a file on disk (a saved OData answer, GeoJSON) and the encoding it was
    decoded in (data_sources.text.decoded, as every CSV and JSON reader does). A byte that neither
    UTF-8 nor Windows-1252 reads stays in the text, for the caller to name by record
    (bad_bytes_of the encoding). An unreadable file is refused as 'Bestand <name>: <refusal>:
    <why>.'; `too_large` (what, advice): first refuse_large_file."""
    try:
        if too_large:
            refuse_large_file(path, *too_large)
        text, encoding = decoded(path.read_bytes(), windows_undefined=True, not_utf8=True)
        try:
            return json.loads(text), encoding
        except ValueError as exc:
            raise json_error_at_bad_byte(exc, encoding) from None
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        # ValueError: also JSONDecodeError, and a number of thousands of digits
        raise InputRefused(f"Bestand {path.name}: {refusal}: {unreadable(exc, 'regel')}.") from None


def stem(key: str) -> str:
    """A CBS column key without its numeric suffix: 'k_0Tot15Jaar_8' -> 'k_0Tot15Jaar'."""
    return _SUFFIX.sub("", key)


def clean(value: object) -> object:
    """Strip CBS padding from strings; other values pass unchanged."""
    return value.strip() if isinstance(value, str) else value


# CBS's symbols in a cell (Verklaring van symbolen, in every StatLine table and in the kwb's
# Toelichting): '.' unknown, unreliable or secret and 'x' secret give no number; empty: cannot
# occur. '-' (also typeset as an en or em dash) is nihil in most StatLine tables, but in the kwb
# "not available for that year" (the kwb's own legend has only '.'; whole columns such as
# jeugdzorg are '-' in years CBS did not publish them): Kindkaart never turns it into a 0 and
# reads it as unknown in every table. '0' and '0,0' (less than half the unit) are 0; a trailing
# '*' or '**' marks a (further) provisional figure, read as the figure.
UNKNOWN_SYMBOLS = frozenset({"", ".", "x", "X", "?", "-", "\u2013", "\u2014"})


def without_provisional_mark(text: str) -> str:
    """'1234*' and '1234 **' -> '1234': the figure, without CBS's mark for a provisional one."""
    return text.rstrip("*").rstrip() if text.endswith("*") and text.rstrip("*") else text


def to_number(value: object) -> float | None:
    """A CBS cell as a float: secret or unknown ('.', 'x'), '-' and empty give None, a
    provisional figure ('12*') its figure (UNKNOWN_SYMBOLS)."""
    if value is None:
        return None
    try:
        if isinstance(value, (int, float)):
            number = float(value)
        else:
            text = without_provisional_mark(str(value).strip().replace("\u00a0", ""))
            if text in UNKNOWN_SYMBOLS:
                return None
            number = float(text.replace(",", ".")) if text.count(",") == 1 and "." not in text else float(text)
    except (ValueError, OverflowError):
        return None
    # NaN, Infinity and 1e309 (JSON and float() read them) are no figure: None, refused by
    # is_unreadable, not stored as a number that breaks every sum
    return number if math.isfinite(number) else None


def is_unreadable(value: object, number: float | None) -> bool:
    """True for a cell to_number gave None although it is none of CBS's symbols: text such as
    'n.v.t.' or '1.234,5' in a column of numbers, which must be refused, not read as unknown;
    and a figure no region has (NaN, Infinity, a billion or more: MAX_FIGURE)."""
    if number is not None:
        return abs(number) >= MAX_FIGURE
    if isinstance(value, (int, float)):
        return True  # NaN, Infinity, 1e309 or a number too large for a float
    return (number is None and isinstance(value, str)
            and without_provisional_mark(value.strip().replace("\u00a0", "")) not in UNKNOWN_SYMBOLS)


# No CBS figure of one region comes near a billion (Nederland has 18 million inhabitants and
# 4 million hectares): a larger one (1e308 in a JSON) is a damaged file, not a figure to sum.
MAX_FIGURE = 1e9


def unreadable_message(table: CbsTable, where: str, value: object) -> str:
    """The Dutch refusal of a cell is_unreadable found: `where` names region and topic or age;
    the table is named as the user knows it (CbsTable.named)."""
    number = to_number(value)
    if number is not None and abs(number) >= MAX_FIGURE:
        return (f"{table.named()}, {where}: '{str(value).strip()[:40]}' is groter dan elk "
                "CBS-cijfer van een gebied (hoogstens een miljard); het bestand is beschadigd. Er is "
                "niets opgeslagen.")
    return (f"{table.named()}, {where}: '{str(value).strip()[:40]}' is geen getal en geen teken "
            "van het CBS ('.' of 'x' geheim, '-' niet beschikbaar, leeg). Er is niets opgeslagen.")


def region_figures(table: CbsTable, record: dict, code: str, numeric: dict[str, str],
                   unreadable: list[str]) -> Iterator[tuple[str, str, float | None]]:
    """The figures of one region's record, as every CBS reader reads them: (key, stem, number) for
    each numeric topic (`numeric`: key -> stem) the record has, None where CBS has no figure. A
    cell is_unreadable finds adds its refusal to `unreadable` (the first ten): a word is not
    'unknown'."""
    for key, topic_stem in numeric.items():
        if key in record:
            number = to_number(record[key])
            if is_unreadable(record[key], number) and len(unreadable) < 10:
                unreadable.append(unreadable_message(table, f"regio {code}, onderwerp {key}",
                                                     record[key]))
            yield key, topic_stem, number


def region_level(code: str) -> str | None:
    """'gemeente', 'wijk' or 'buurt' from a CBS region code, None for other codes (NL00, PV..)."""
    return REGION_LEVELS.get(code[:2]) if code else None


@dataclass
class CbsTable:
    """One CBS table: its metadata, its topics and its rows (padding still in place)."""

    table_id: str
    title: str
    period: str
    modified: str | None
    data_properties: list[dict]
    records: list[dict]
    dimensions: dict[str, dict[str, str]] = field(default_factory=dict)
    # 'Bestand <name>' or 'Map <name>' for a table read from what the user gave (read_cbs_file);
    # None for a table fetched from CBS, named by its id
    source: str | None = None

    def named(self) -> str:
        """How a message names the table: the file or folder the user gave ('Bestand
        stripped_filtered_data_2024.json'), not an id Kindkaart made up ('odata-2024'); a table
        fetched from CBS by its id ('Tabel 85984NED')."""
        return self.source or f"Tabel {self.table_id}"

    def named_with_id(self) -> str:
        """named(), with the CBS table number beside the file's name where the name lacks it
        ('Bestand wijkcijfers.json (tabel 85830NED)'): the number says which table the file is.
        An id Kindkaart made up (odata-2024) is never shown."""
        if (self.source and is_cbs_table_id(self.table_id)
                and self.table_id.strip().upper() not in self.source.upper()):
            return f"{self.source} (tabel {self.table_id.strip()})"
        return self.named()

    def topic_keys(self) -> dict[str, str]:
        """Map of stem -> full key for every Topic (numeric and string)."""
        return {
            stem(p["Key"]): p["Key"]
            for p in self.data_properties
            if p.get("Type") == "Topic" and p.get("Key")
        }

    def numeric_topics(self) -> dict[str, str]:
        """Map of full key -> stem for the numeric topics."""
        return {
            p["Key"]: stem(p["Key"])
            for p in self.data_properties
            if p.get("Type") == "Topic" and p.get("Datatype") in NUMERIC_TYPES
        }

    def dimension_keys(self) -> list[str]:
        """Keys of the table's dimensions (GeoDetail, Dimension, TimeDimension)."""
        return [
            p["Key"]
            for p in self.data_properties
            if p.get("Type") in DIMENSION_TYPES
        ]


def _record_region(record: dict, region_key: str | None) -> object:
    """The region code of an OData record (WijkenEnBuurten, RegioS, Codering_3), or of an item of
    a dimension file (`region_key`: Key); None for a record without one (TableInfos)."""
    if region_key is not None:
        return record.get(region_key)
    return next((value for key, value in record.items()
                 if key in ("WijkenEnBuurten", "RegioS") or stem(key) == "Codering"), None)


def bad_byte_refusals(records: list, file_name: str, bad_bytes: re.Pattern | None,
                      gemeenten: list[str] | None, region_key: str | None = None,
                      of_value: bool = True) -> list[str]:
    """The refusals of the values of OData records that hold a byte their file's encoding does
    not read (text.bad_bytes_of: a record pasted from a Windows-1252 copy, a damaged byte), by
    record and key. With `gemeenten`, a record of a region of another gemeente is passed over, as
    it is not stored; a record without a region (the table's description, Nederland) or whose code
    holds such a byte (whose it is cannot be told) is refused. `of_value`: the records are the
    'value' of an OData answer (else a bare list, as cbsodata saves them)."""
    if bad_bytes is None or not isinstance(records, list):
        return []
    wanted = {g.strip().upper() for g in gemeenten} if gemeenten else None
    problems = []
    of = " van 'value'" if of_value else ""
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            continue
        found = [(key, value) for key, value in record.items()
                 if isinstance(value, str) and bad_bytes.search(value)]
        if not found:
            continue
        code = _record_region(record, region_key)
        if wanted is not None and isinstance(code, str) and not bad_bytes.search(code):
            code = code.strip()
            if region_level(code) and f"GM{code[2:6]}" not in wanted:
                continue
        problems += [f"Bestand {file_name}: rij {number}{of}, sleutel {key}: "
                     f"{bad_byte_said(value.strip())}." for key, value in found]
    return problems


def _read_json(path: Path, gemeenten: list[str] | None, problems: list[str],
               region_key: str | None = None) -> object:
    """The rows of one file of the folder. A byte that is no UTF-8 in a file that otherwise is,
    or that Windows-1252 leaves undefined, is added to `problems` where its record is read
    (bad_byte_refusals): decoded whole, such a byte in another gemeente's record refused the
    national table."""
    data, encoding = read_json_file(path, "geen geldige CBS JSON")
    # A raw HTTP response wraps the rows in an envelope; cbsodata saves the bare list.
    envelope = isinstance(data, dict) and "value" in data
    if envelope:
        data = data["value"]
    rows = [data] if isinstance(data, dict) else data
    problems += bad_byte_refusals(rows, path.name, bad_bytes_of(encoding), gemeenten, region_key,
                                  of_value=envelope)
    return data


def _dimension_file(path: Path, props: object) -> bool:
    """Whether `path` is the codes of a dimension that DataProperties names (WijkenEnBuurten.json)."""
    keys = {str(item.get("Key")) for item in props if isinstance(item, dict)} if isinstance(props, list) else set()
    return path.stem in keys


def read_table_dir(directory: str | Path, gemeenten: list[str] | None = None, *,
                   copy_of: str | None = None, zipped: str | None = None,
                   name: str | None = None) -> CbsTable:
    """Read a directory written by `cbsodata.get_data(table_id, dir=...)` or `download_data`.
    With `gemeenten`, the records of other gemeenten are not checked for bytes their file's
    encoding does not read (bad_byte_refusals): they are not stored. A refusal names the folder
    by its own name ('Map 85984NED'), never by its path (a folder on the server in the app);
    with `copy_of`, the table a fetched copy in the cache is of, as that copy, without advice on
    the files in a folder the user never saw. `zipped`: the name of the zip the folder was
    unpacked from, which the refusals name instead of the scratch folder; `name`: the folder's
    own name (the table id when TableInfos has none), else the directory's."""
    directory = Path(directory)
    named = (f"De opgeslagen kopie van CBS-tabel {copy_of}" if copy_of
             else f"Bestand {zipped}" if zipped
             else f"Map {given_path(directory).name}")
    problems: list[str] = []
    infos_path = directory / "TableInfos.json"
    props_path = directory / "DataProperties.json"
    if not infos_path.exists() or not props_path.exists():
        raise InputRefused(
            f"{named}: TableInfos.json en DataProperties.json ontbreken; "
            "dit is geen CBS-tabel zoals cbsodata die opslaat."
        )
    infos = _read_json(infos_path, gemeenten, problems)
    info = infos[0] if isinstance(infos, list) and infos else infos
    props = _read_json(props_path, gemeenten, problems)
    data_file = next(
        (directory / name for name in ("TypedDataSet.json", "UntypedDataSet.json")
         if (directory / name).exists()),
        None,
    )
    if data_file is None:
        # a folder of the description beside data saved otherwise (a dict of rows by region
        # code): say which file holds the figures, not only what is missing
        described = {"tableinfos", "dataproperties", "categorygroups"}
        others = sorted(path.name for path in directory.glob("*.json")
                        if path.stem.lower() not in described and not _dimension_file(path, props))
        read_it = ("pak het zip-bestand uit en lees dat bestand zelf in" if zipped
                   else "lees dat bestand zelf in (import-cbs met het pad van het bestand)")
        hint = (f" In {'het zip-bestand' if zipped else 'de map'} staat wel {', '.join(others[:3])}"
                + (f" en nog {len(others) - 3}" if len(others) > 3 else "")
                + f": {read_it}." if others and not copy_of else "")
        raise InputRefused(f"{named}: geen TypedDataSet.json of UntypedDataSet.json.{hint}")
    records = _read_json(data_file, gemeenten, problems)
    table = CbsTable(
        table_id=clean(info.get("Identifier", name or directory.name)),
        title=clean(info.get("Title", "")),
        period=clean(info.get("Period", "")),
        modified=info.get("Modified"),
        data_properties=props,
        records=records,
    )
    for key in table.dimension_keys():
        path = directory / f"{key}.json"
        if path.exists():
            table.dimensions[key] = {
                clean(item["Key"]): clean(item.get("Title", item["Key"]))
                for item in _read_json(path, gemeenten, problems, region_key="Key")
            }
    if problems:
        more = [f"En nog {len(problems) - 10} zulke waarden."] if len(problems) > 10 else []
        raise InputRefused([*problems[:10], *more, "Er is niets opgeslagen."])
    return table
