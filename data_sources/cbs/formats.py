"""Read CBS files an analyst downloads by hand: StatLine CSV, kwb spreadsheet, OData JSON, cbsodata dir."""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pandas as pd

from data_sources import archives
from data_sources.cbs.columns import (
    DIMENSION_KEYS,
    KEY_ALIASES,
    KWB_CODE_COLUMNS,
    KWB_STEMS,
    KWB_TEXT_COLUMNS,
    NABIJHEID_STEMS,
    key_for_title,
    kwb_key_for_title,
)
from data_sources.cbs.http import MAX_ANSWER_BYTES
from data_sources.cbs.jeugdzorg import JEUGDMONITOR_TABLES
from data_sources.cbs.kwb_values import (
    CellRefused,
    check_value,
    file_decimal_mark,
    parts_larger_than_whole,
    read_number,
)
from data_sources.cbs.loading import KERNCIJFERS_TABLES, POPULATION_BY_AGE_TABLE
from data_sources.cbs.nabijheid import NABIJHEID_TABLES, stem_for_path, with_nabijheid_stems
from data_sources.cbs.observations import (
    is_observations,
    observations_file,
    properties_of,
    read_observations,
    rows_of,
    unpacked,
)
from data_sources.cbs.odata import (
    REGION_LEVELS,
    CbsTable,
    bad_byte_refusals,
    clean,
    read_table_dir,
    refuse_large_file,
    stem,
    to_number,
)
from data_sources.errors import InputRefused, unreadable
from data_sources.text import (
    NOT_UTF8,
    compact,
    decoded,
    delimiter,
    not_utf8_said,
    shown,
    without_controls,
)
from data_sources.workbooks import WorkbookLimits, check_workbook, sheet_shown

# the kwb's `recs` (gemeente, wijk, buurt) -> the prefix of a region code
KWB_LEVEL_PREFIX = {level: prefix for prefix, level in REGION_LEVELS.items()}
# the code of the Nederland row of a kwb file
NATIONAL_KWB_CODE = "NL00"
REGION_CODE = re.compile(r"^(NL\d{2}|GM\d{4}|WK\d{4}[0-9A-Z]{2}|BU\d{4}[0-9A-Z]{4})$")
# The largest CBS download the page Gemeente laden takes (MB): a national kwb of 2013-2020 as .xls
# is some 25 MB, a national kwb .xlsx some 10 MB. .streamlit/config.toml allows this much.
MAX_FILE_MEGABYTES = 100
# A national kwb has some 18,500 rows (Nederland, 342 gemeenten, 3,400 wijken, 14,600 buurten)
# and 120-140 columns; as .xlsx its sheet unpacks to some 75 MB (a made-up one of 18,810 x 130:
# 12.9 MB packed, 74 MB unpacked). calamine holds the sheet it reads as one dense block as large
# as its farthest cell sets (a cell at XFD1048576 asks for 549 GB and aborts the process; one at
# IV65536 of an .xls for 1.8 GB), so no cell may lie beyond these limits.
KWB_WORKBOOK_LIMITS = WorkbookLimits(
    kind="een kwb-bestand", max_rows=40_000, max_columns=200,
    max_bytes=MAX_FILE_MEGABYTES * 1024 * 1024, max_unpacked_bytes=300 * 1024 * 1024,
    advice="download het kwb-bestand opnieuw bij CBS")
# A CBS CSV is read whole, and the kwb's cells one by one: a national kwb CSV is 10-20 MB (a
# made-up one of 18,810 rows x 130 columns, 12.7 MB: 30 s and 710 MB to store, 17 s and 350 MB
# for one gemeente); one of 95 MB took 5 GB and 92 s. So no CSV above this is read.
MAX_CSV_MEGABYTES = 30
SUPPORTED = ("Verwacht: een StatLine-CSV (;-gescheiden; kerncijfers, 03759ned, Nabijheid "
             "voorzieningen), het kwb-<jaar> bestand (.xlsx, .xls of .csv), "
             "een opgeslagen OData-antwoord (.json), een map zoals cbsodata die opslaat of de "
             "download van de nieuwe CBS-open data (map of zip met Observations.csv en MeasureCodes.csv).")


_SMALLER_ODATA = ("Download alleen de gemeenten die u nodig hebt (een filter op de regio), of "
                  "laad de tabel met load-cbs.")


@dataclass
class CbsFile:
    """A CBS file read into the common CbsTable shape, with what kind of table it is."""

    kind: str  # kerncijfers | bevolking-leeftijd | jeugdzorg-wijk | nabijheid
    table: CbsTable
    description: str
    form: str  # kwb | statline | odata | cbsodata | opendata: where its topics are to be found
    # gemeenten whose rows were left out while reading (not asked for): their codes
    left_out: frozenset[str] = frozenset()


def read_cbs_file(path: str | Path, *, year: int | None = None,
                  gemeenten: list[str] | None = None) -> CbsFile:
    """Read any supported CBS download; refuses unknown files with a Dutch message. With
    `gemeenten`, a kwb file keeps only their rows (the others are neither checked nor kept;
    CbsFile.left_out names their gemeenten)."""
    path = Path(path)
    cbs_file = _read_cbs_file(path, year, gemeenten)
    if cbs_file.table.source is None:
        # a file in a zip is named by itself, as its other messages name it
        cbs_file.table.source = _named(path)
    return cbs_file


def _named(path: Path) -> str:
    """How a message names what the user gave: 'Bestand kwb-2024.xlsx', 'Map 85984NED'."""
    return f"{'Map' if path.is_dir() else 'Bestand'} {path.name}"


def _classified(table: CbsTable, path: Path) -> str:
    """classify, its refusals naming the file or folder the user gave (`path`), not 'Tabel
    odata-2024', an id Kindkaart made up."""
    table.source = _named(path)
    return classify(table)


def _read_cbs_file(path: Path, year: int | None, gemeenten: list[str] | None) -> CbsFile:
    if not path.exists():
        raise InputRefused(f"Bestand {path} bestaat niet.")
    if path.is_dir():
        observations = observations_file(path, path.name)
        if observations is not None and not (path / "TableInfos.json").exists():
            return _read_observations(observations, path, year)
        return _read_cbsodata_folder(path, path, gemeenten)
    suffix = path.suffix.lower()
    if suffix == ".json":
        return _read_json_response(path, year, gemeenten)
    if suffix in {".xlsx", ".xls", ".xlsm"}:
        sheet = _read_spreadsheet(path)
        if sheet.statline_text is not None:
            # a StatLine CSV opened in Excel and saved as a workbook: read as that CSV
            return _read_csv_table(sheet.statline_text, path, year, gemeenten)
        return _read_kwb(sheet, path, year, gemeenten)
    if suffix == ".zip":
        inner = _zipped_cbsodata_folder(path)
        if inner is not None:
            # the folder zipped to be mailed, with or without the folder itself in the zip
            with archives.unpacked(path, partial(_in_folder, inner), noun="CBS-bestand",
                                   max_bytes=MAX_ANSWER_BYTES) as folder:
                return _read_cbsodata_folder(folder, path, gemeenten,
                                             name=inner.rpartition("/")[2] or path.stem)
        with unpacked(path) as folder:
            observations = observations_file(folder, path.name)
            if observations is not None:
                return _read_observations(observations, path, year, folder)
            inside = sorted(folder.iterdir())
            members = archives.data_members(path)
            named = [file for file in inside
                     if file.name in {archives.folder_and_name(name)[1] for name in members}]
            if len(members) == 1 and len(named) == 1:
                # one CBS file zipped (a StatLine CSV, a kwb workbook), perhaps beside a readme:
                # read as itself
                return read_cbs_file(named[0], year=year, gemeenten=gemeenten)
            if not members and len(inside) == 1:
                return read_cbs_file(inside[0], year=year, gemeenten=gemeenten)  # a CSV as .txt
            if len(members) > 1:
                # a folder of downloads zipped (kwb-2024.xlsx beside wijk_2024.geojson): the
                # first CBS file was read and the boundaries left out without a word
                shown = ", ".join(Path(name).name for name in members[:5]) + (
                    f" en nog {len(members) - 5}" if len(members) > 5 else "")
                raise InputRefused(f"Bestand {path.name}: het zip-bestand bevat {len(members)} "
                                   f"bestanden ({shown}); Kindkaart leest één bestand tegelijk. "
                                   "Pak het zip-bestand uit en lees elk bestand apart in. Er is "
                                   "niets opgeslagen.")
            raise InputRefused(f"Bestand {path.name}: dit bestandstype (.zip) kan niet worden "
                               "gelezen zonder Observations.csv erin (zoals in de download van de "
                               "CBS-open data), één CBS-bestand of een postcodebestand. "
                               f"{SUPPORTED}")
    if suffix in {".csv", ".txt"}:
        with path.open(encoding="utf-8-sig", errors="replace") as handle:
            first = handle.readline(65536)
        if is_observations(_split_header(first, path)):
            return _read_observations(path, path, year)
        _check_csv_size(path)
        return _read_csv_table(without_controls(_read_text(path)), path, year, gemeenten)
    raise InputRefused(f"Bestand {path.name}: dit bestandstype ({suffix or 'geen extensie'}) "
                       f"kan niet worden gelezen. {SUPPORTED}")


def _read_cbsodata_folder(folder: Path, path: Path, gemeenten: list[str] | None,
                          name: str | None = None) -> CbsFile:
    """A table as cbsodata saves it, in `folder`: the folder the user gave (`path`), or the one
    unpacked from the zip `path` (whose refusals name the zip), `name` being the folder's own."""
    for file in sorted(folder.glob("*.json")):
        refuse_large_file(file, "een opgeslagen OData-antwoord", _SMALLER_ODATA)
    zipped = path.name if folder != path else None
    table = read_table_dir(folder, gemeenten, zipped=zipped, name=name)
    table = _nabijheid_or_same(table)
    return CbsFile(_classified(table, path), table, "map zoals cbsodata die opslaat", "cbsodata")


# The files cbsodata writes for every table beside its data (TypedDataSet.json) and the codes of
# its dimensions (WijkenEnBuurten.json): what marks a zip as a zipped cbsodata folder.
_CBSODATA_DESCRIPTIONS = {"tableinfos.json", "dataproperties.json"}


def _zipped_cbsodata_folder(path: Path) -> str | None:
    """The folder in the zip at `path` that holds a table as cbsodata saves it ('' for its files
    at the top of the zip), None for a zip without one (also a download of the new open data:
    Observations without TableInfos, read as a folder of it is). Two such folders, or one beside
    other files, are refused naming what the zip holds: one table is read at a time, and a file
    left out without a word may be the one that was meant."""
    members = archives.data_members(path)
    split = [archives.folder_and_name(member) for member in members]
    names = {name.casefold() for _, name in split}
    if not names & _CBSODATA_DESCRIPTIONS or (
            "tableinfos.json" not in names
            and any(Path(name).stem.casefold().endswith("observations") for name in names)):
        return None
    folders = sorted({folder for folder, name in split if name.casefold() in _CBSODATA_DESCRIPTIONS})
    if len(folders) > 1:
        shown = _listed([folder or "bovenaan in het zip-bestand" for folder in folders])
        raise InputRefused(f"Bestand {path.name}: het zip-bestand bevat {len(folders)} mappen zoals "
                           f"cbsodata die opslaat ({shown}); Kindkaart leest één tabel tegelijk. Pak "
                           "het zip-bestand uit en lees elke map apart in. Er is niets opgeslagen.")
    others = [member for member, (folder, name) in zip(members, split, strict=True)
              if folder != folders[0] or not name.lower().endswith(".json")]
    if others:
        shown = _listed(others)
        files = "ander bestand" if len(others) == 1 else "andere bestanden"
        raise InputRefused(f"Bestand {path.name}: het zip-bestand bevat een map zoals cbsodata die "
                           f"opslaat ({_folder_said(folders[0])}) en daarnaast {len(others)} {files} "
                           f"({shown}); Kindkaart leest één tabel tegelijk. Pak het zip-bestand uit "
                           "en lees de map en elk ander bestand apart in. Er is niets opgeslagen.")
    return folders[0]


def _in_folder(folder: str, info) -> bool:
    # the files of a zipped cbsodata folder to unpack (_zipped_cbsodata_folder): its JSON files
    inner, name = archives.folder_and_name(info.filename)
    return inner == folder and name.lower().endswith(".json")


def _folder_said(folder: str) -> str:
    return f"map {folder}" if folder else "de bestanden bovenaan in het zip-bestand"


def _listed(names: list[str]) -> str:
    shown = names[:5]
    more = f" en nog {len(names) - 5}" if len(names) > 5 else ""
    return (", ".join(shown[:-1]) + " en " + shown[-1] if len(shown) > 1 and not more
            else ", ".join(shown)) + more


def _read_csv_table(text: str, path: Path, year: int | None, gemeenten: list[str] | None) -> CbsFile:
    """A CBS table as CSV text (the file's, or a workbook's sheet written as CSV): the kwb by its
    short names (also below a row of titles), else a StatLine CSV, flat or 'volgens tabelindeling'."""
    text, header_row = _table_part(text, path)
    header = _split_header(text, path)
    short_names = set(KWB_CODE_COLUMNS) | set(KWB_STEMS) | KWB_TEXT_COLUMNS
    # the rows are named as the file has them: below a title that _table_part left out
    if any(h.strip().lower() in short_names for h in header):
        return _read_kwb(_Sheet(_read_csv_frame(text, path), first_row=header_row + 2), path,
                         year, gemeenten)
    _, _, below = text.partition("\n")
    if below and set(KWB_CODE_COLUMNS) & {h.strip().lower() for h in _split_header(below, path)}:
        # a row of titles above the short names (a kwb saved with its titles): the short
        # names are the header, read as the kwb file they name
        return _read_kwb(_Sheet(_read_csv_frame(below, path), first_row=header_row + 3), path,
                         year, gemeenten)
    layered = _one_header_row(text, path)
    if layered is None:
        return _read_statline_csv(text, header, path, year, header_row)
    text, header, count, header_year = layered
    try:
        return _read_statline_csv(text, header, path, year or header_year, header_row + count - 1)
    except InputRefused as refused:
        raise InputRefused([_layout_said(path, count), *refused.messages, _FLAT_DOWNLOAD]) from None


def _read_observations(observations: Path, path: Path, year: int | None,
                       folder: Path | None = None, records: list[dict] | None = None,
                       table_id: str | None = None) -> CbsFile:
    """The long observations of the new CBS open data (a file, its folder or its zip: `path`),
    explained by the files beside `observations`."""
    folder = folder or observations.parent
    # the rows one by one: only the measures Kindkaart reads are kept (a national table has
    # millions of observations)
    rows = iter(rows_of(observations, lazy=True) if records is None else records)
    first = next(rows, None)
    properties = properties_of(folder, path.name)
    table_id = (table_id or str(properties.get("Identifier") or "").strip() or None
                or _table_id_from_name(path) or _table_id_from_name(observations.parent))
    dims = set(first or {})
    period = ""
    if "Perioden" not in dims:
        # the year in the title of the table (Properties), else from the name or the table id
        match = re.search(r"(?<!\d)((?:19|20)\d{2})(?!\d)",
                          f"{properties.get('TemporalCoverage') or ''} {properties.get('Title') or ''}")
        period = str(year or (match and int(match.group(1))) or _year_from(path, year, table_id))
    rows = itertools.chain([first] if first is not None else [], rows)
    table = read_observations(rows, folder, path.name, table_id=table_id, period=period,
                              kwb_ids=KERNCIJFERS_TABLES.values())
    return CbsFile(_classified(table, path), table, "CBS-open data (waarnemingen)", "opendata")


# What each kind of table is called in messages.
KIND_NAMES = {"kerncijfers": "de Kerncijfers wijken en buurten",
              "bevolking-leeftijd": "03759ned (bevolking naar leeftijd)",
              "nabijheid": "Nabijheid voorzieningen", "jeugdzorg-wijk": "de Jeugdmonitor per wijk"}


def _kind_by_id(table_id: str) -> str | None:
    table_id = table_id.upper()
    if table_id in {t.upper() for t in KERNCIJFERS_TABLES.values()} or table_id.startswith("KWB"):
        return "kerncijfers"
    if table_id == POPULATION_BY_AGE_TABLE.upper():
        return "bevolking-leeftijd"
    if table_id in {t.upper() for t in JEUGDMONITOR_TABLES.values()}:
        return "jeugdzorg-wijk"
    if table_id in {t.upper() for t in NABIJHEID_TABLES.values()}:
        return "nabijheid"
    return None


def _kind_by_columns(table: CbsTable) -> str | None:
    """The kind of table its columns show beyond doubt: the ages of 03759ned, the kerncijfers'
    population; None when they show neither (a table of some topics only)."""
    dims = set(table.dimension_keys())
    if "Leeftijd" in dims and "RegioS" in dims:
        return "bevolking-leeftijd"
    if {"k_0Tot15Jaar", "AantalInwoners"} & set(table.topic_keys()):
        return "kerncijfers"
    return None


def _refuse_other_table(table: CbsTable) -> None:
    """A table whose id (from its name or its metadata) says one table and whose columns another
    is refused naming both: a kwb file named 85685NED was stored as Jeugdmonitor, one named
    85830NED as kerncijfers of a Nabijheid table, one named 03759ned refused as without gemeente."""
    by_id, by_columns = _kind_by_id(table.table_id), _kind_by_columns(table)
    if by_id and by_columns and by_id != by_columns:
        raise InputRefused(
            f"{table.named()}: volgens het tabelnummer {table.table_id.strip()} (in de naam of de "
            f"beschrijving van het bestand) is dit {KIND_NAMES[by_id]}, maar de kolommen zijn die van "
            f"{KIND_NAMES[by_columns]}. Kindkaart leest het niet; er is niets opgeslagen. Kies het "
            "bestand van de tabel die u bedoelt, of geef het bestand de naam die CBS het gaf.")


def classify(table: CbsTable) -> str:
    """kerncijfers, bevolking-leeftijd, nabijheid or jeugdzorg-wijk, by table id or its columns;
    a table whose id and columns say different tables is refused (_refuse_other_table). Its
    refusals name the table as CbsTable.named does (the file, when its source is set)."""
    _refuse_other_table(table)
    by_id = _kind_by_id(table.table_id)
    if by_id and by_id != "nabijheid":
        return by_id
    stems = set(table.topic_keys())
    dims = set(table.dimension_keys())
    if "Leeftijd" in dims and "RegioS" in dims:
        return "bevolking-leeftijd"
    if "k_0Tot15Jaar" in stems or "AantalInwoners" in stems:
        return "kerncijfers"
    if stems & NABIJHEID_STEMS:
        return "nabijheid"
    if any("jeugd" in s.lower() for s in stems) and dims & {"WijkenEnBuurten", "RegioS"}:
        return "jeugdzorg-wijk"
    if {"AfstandTotBuitenschoolseOpvang", "AfstandTotKinderdagverblijf"} & stems:
        # Nabijheid voorzieningen by its keys alone: 'Afstand tot school' and 'Binnen 1 km' occur
        # under several groups (basisschool, vmbo; kinderdagverblijf, bso), told apart only by them
        raise InputRefused(
            f"{table.named_with_id()}: dit lijkt Nabijheid voorzieningen met alleen kolomsleutels "
            "(AfstandTotKinderdagverblijf_52, Binnen1Km_53) en zonder hun kolomgroepen; zonder die "
            "groepen is niet te zien welke 'Afstand tot school' of 'Binnen 1 km' bij de basisschool "
            "of de kinderopvang hoort. Download de StatLine-CSV met titels (de kolomkoppen zoals "
            "'Kinderopvang/Kinderdagverblijf/Afstand tot kinderdagverblijf (km)'), of lees de map "
            "zoals cbsodata die opslaat (met DataProperties.json). Er is niets opgeslagen.")
    raise InputRefused(
        f"{table.named_with_id()}: dit is geen tabel die Kindkaart kent (kerncijfers wijken en "
        "buurten, 03759ned bevolking naar leeftijd, Nabijheid voorzieningen of Jeugdmonitor per wijk)."
    )


def _check_csv_size(path: Path) -> None:
    size = path.stat().st_size
    if size > MAX_CSV_MEGABYTES * 1024 * 1024:
        raise InputRefused(
            f"Bestand {path.name} is {size / 1024 / 1024:.0f} MB; een CSV van CBS mag hoogstens "
            f"{MAX_CSV_MEGABYTES} MB zijn (het landelijke kwb-bestand is 10 à 20 MB). Kindkaart "
            "leest het niet; er is niets opgeslagen. Download het kwb-bestand opnieuw bij CBS, of "
            "alleen de gemeenten die u nodig hebt.")


def _read_text(path: Path, line: str = "rij") -> str:
    """The text of a CBS CSV or JSON file. A file that is UTF-8 but for a few bytes (a row pasted
    from a Windows-1252 copy) is read as UTF-8 with those bytes kept as NOT_UTF8 characters, which
    the readers refuse by row and column where a value is read (_not_utf8): read as Windows-1252 as
    a whole, every 'Één' and '’s-Hertogenbosch' of the file was stored as 'Ã‰Ã©n' without a word."""
    raw = path.read_bytes()
    if not raw.strip():
        raise InputRefused(f"Bestand {path.name}: het bestand is leeg.")
    try:
        return decoded(raw, not_utf8=True)[0]
    except UnicodeDecodeError as exc:
        raise InputRefused(f"Bestand {path.name}: {unreadable(exc, line)}.") from None


def _table_part(text: str, path: Path) -> tuple[str, int]:
    """The table without the lines StatLine may put around it: a title above the header, and an
    empty line, 'Bron: CBS' or a copyright line below the data (lines with fewer fields than the
    header), with the file's row of its header (0-based). The header is the first line as wide as
    the widest line of titles among the first ten (a line without a region code or a figure):
    empty fields at the end of a line do not count, so a separator after the last field of every
    data row (Excel's CSV save) is no extra column; it is left out. A row with filled fields beyond
    the header (a ';' in a name without quotes) is refused: every value after it shifts."""
    lines = text.splitlines()
    head = lines[:10]
    separator = delimiter(max(head, key=lambda line: max(map(line.count, ";,\t"))))
    rows = list(_csv_fields(lines, separator, path))
    widths = [len(fields) for fields in rows]
    filled = [len(_without_trailing_empties(fields)) for fields in rows]
    titles = [filled[i] for i in range(min(10, len(rows))) if not _is_data_row(rows[i])]
    width = max(titles) if titles else max(widths[:10])
    if max(filled[:10], default=0) <= 1:
        _refuse_text(rows, path)
    start = next((i for i, (w, f) in enumerate(zip(widths, filled, strict=True))
                  if w >= width and f >= min(2, width)), widths.index(max(widths[:10])))
    for row in range(start, len(lines)):
        if widths[row] <= width:
            continue
        if filled[row] > width:
            raise InputRefused(
                f"Bestand {path.name}: rij {row + 1} heeft {filled[row]} gevulde velden waar de "
                f"kopregel er {width} heeft (in kolom {width + 1}, na de laatste kolom, staat "
                f"'{shown(rows[row][width].strip()[:40])}'); mogelijk staat een '{separator}' in een naam "
                "zonder aanhalingstekens eromheen, zodat elke waarde erna een kolom opschuift. "
                "Er is niets opgeslagen; download het bestand opnieuw of zet die naam tussen "
                "aanhalingstekens.")
        # a separator after the last field: the same row without its empty fields at the end
        lines[row] = _csv_line(rows[row][:width], separator)
        widths[row] = width
    end = len(lines)
    while end > start and widths[end - 1] < width:
        end -= 1
    for row in range(start, len(lines)):
        if 0 < widths[row] < width and (row < end or _looks_like_data(lines[row], separator)):
            # a row cut short (a download broken off, a row damaged): read as a footer before,
            # it left a wijk or the last ages out without a word
            raise InputRefused(
                f"Bestand {path.name}: rij {row + 1} heeft {widths[row]} "
                f"{'veld' if widths[row] == 1 else 'velden'} waar de kopregel er "
                f"{width} heeft; het bestand is afgebroken of beschadigd (onvolledig gedownload?). "
                "Er is niets opgeslagen; download het bestand opnieuw.")
    return "\n".join(lines[start:end]) + "\n", start


def _refuse_text(rows: list[list[str]], path: Path) -> None:
    # a text saved as .txt or .csv (CBS's Toelichting variabelen kwb beside the kwb): refused for
    # a ';' in a sentence further on, with advice to quote a name
    first = next((" ".join(fields).strip() for fields in rows if " ".join(fields).strip()), "")
    raise InputRefused(
        f"Bestand {path.name}: dit is geen tabel. De eerste tien regels hebben elk hoogstens één "
        "waarde, zonder kolommen gescheiden door ';', ',' of een tab (de eerste regel is "
        f"'{shown(first[:60])}'). Het lijkt een tekst, zoals de toelichting bij de kerncijfers. "
        "Lees de tabel zelf in: het kwb-bestand (kwb-2024.xlsx) of een StatLine-CSV. Er is niets "
        "opgeslagen.")


def _without_trailing_empties(fields: list[str]) -> list[str]:
    end = len(fields)
    while end and not fields[end - 1].strip():
        end -= 1
    return fields[:end]


def _csv_line(fields: list[str], separator: str) -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=separator, lineterminator="").writerow(fields)
    return out.getvalue()


def _looks_like_data(line: str, separator: str) -> bool:
    """A line below the table that is the start of a row, not a note such as 'Bron: CBS': two
    or more values, or one that begins as a number or a region code does."""
    values = [value.strip().strip('"').strip() for value in line.split(separator)]
    filled = [value for value in values if value]
    return len(filled) > 1 or any(_DATA_START.match(value) for value in filled)


_DATA_START = re.compile(r"^([0-9]|(NL|GM|WK|BU)([0-9]|$))", re.IGNORECASE)


def _csv_fields(lines: list[str], separator: str, path: Path):
    """The fields of each line (of the file: row 1 is its first line). A quote left open
    and a value longer than csv's limit (131,072 characters) are refused naming the row: no CBS
    table has a value over several lines or that long (an open quote made the rest of the file one
    value, and csv's own error a traceback)."""
    reader = csv.reader(lines, delimiter=separator)
    done = 0  # lines read, each one record
    try:
        for fields in reader:
            if reader.line_num > done + 1:
                raise InputRefused(_open_quote(path, done + 1))
            done = reader.line_num
            yield fields
    except csv.Error:
        if reader.line_num > done + 1:
            raise InputRefused(_open_quote(path, done + 1)) from None
        limit = f"{csv.field_size_limit():_}".replace("_", ".")
        raise InputRefused(f"Bestand {path.name}: rij {done + 1} heeft een waarde van meer dan "
                           f"{limit} tekens; zo'n waarde heeft geen CBS-tabel. Er is niets "
                           "opgeslagen.") from None


def _open_quote(path: Path, row: int) -> str:
    return (f"Bestand {path.name}: in rij {row} wordt een aanhalingsteken (\") niet gesloten, zodat "
            "de regels erna één waarde zouden worden. Er is niets opgeslagen; herstel die rij of "
            "download het bestand opnieuw.")


def _split_header(text: str, path: Path) -> list[str]:
    first = text.splitlines()[0] if text.strip() else ""
    return next(_csv_fields([first], delimiter(first), path), [])


# A year in a file name (wijkenbuurten_2024_v1, cbsgebiedsindelingen2024, a date 20240801), not
# other digits of a longer number nor of a region code: 'GM1900_wijken_2024' is of 2024, not 1900.
_YEAR_IN_NAME = re.compile(r"(?<!\d)(?<!gm)(?<!wk)(?<!bu)((?:19|20)\d{2})(?:\d{4})?(?!\d)",
                           re.IGNORECASE)


def year_in_file_name(name: str) -> int | None:
    """The first year in a file name that is not part of a longer number or a region code
    (GM1900, WK190001); None when there is none."""
    match = _YEAR_IN_NAME.search(name)
    return int(match.group(1)) if match else None


def _year_from(path: Path, year: int | None, table_id: str | None = None) -> int:
    if year:
        return year
    # A table of one year says it before the name does: a download named with the day it was
    # saved (84583NED_UntypedDataSet_2024-05-01.csv) was stored as kwb 2024 with 2019's figures.
    # The lists are keyed by year: merged as dicts, the Jeugdmonitor's 2021 and 2023 would hide
    # kwb 85039NED and 85618NED.
    by_id = {table.upper(): table_year
             for tables in (KERNCIJFERS_TABLES, JEUGDMONITOR_TABLES, NABIJHEID_TABLES)
             for table_year, table in tables.items()}
    if table_id and table_id.upper() in by_id:
        return by_id[table_id.upper()]
    match = re.search(r"(?:kwb|jaar|_|-|^)((?:19|20)\d{2})(?!\d)", path.stem.lower())
    if match:
        return int(match.group(1))
    raise InputRefused(f"Bestand {path.name}: het jaar is niet af te leiden uit de naam; "
                       "geef het op met --jaar.")


@dataclass
class _Sheet:
    """The rows of a kwb table and where they are: `first_row` is the spreadsheet row of the first
    data row (2 when the header is row 1), `place` names the sheet in messages when there are more."""

    frame: pd.DataFrame
    first_row: int = 2
    place: str = ""
    # a StatLine table saved as a workbook: its sheet as CSV text (read as the StatLine CSV)
    statline_text: str | None = None


def _read_spreadsheet(path: Path) -> _Sheet:
    """The kwb table of a workbook: checked first (workbooks.check_workbook: size, zip bombs, no
    cell beyond KWB_WORKBOOK_LIMITS, so calamine never holds a block larger than a national kwb
    needs), then the data sheet chosen from the first rows of each sheet, and only that sheet read."""
    check_workbook(path, KWB_WORKBOOK_LIMITS)
    try:
        heads = _sheet_heads(path)
        # The data sheet is the one whose header (row 1, or below a title) has the region codes
        # and the most kwb columns; a workbook may open with an explanation sheet.
        found = []
        for name, head in heads.items():
            for row, cells in enumerate(head):
                header = {str(c).strip().lower() for c in cells if c is not None}
                if header & set(KWB_CODE_COLUMNS):
                    found.append((len(header & set(KWB_STEMS)), name, row))
                    break
        if not found:
            if not heads:
                return _Sheet(pd.DataFrame())
            _refuse_other_route(path, [cells for head in heads.values() for cells in head])
            statline = next((name for name, head in heads.items() if _names_statline_regions(head)),
                            None)
            if statline is not None:
                return _Sheet(pd.DataFrame(), statline_text=_sheet_as_csv(path, statline))
            name, row = next(iter(heads)), 0
        else:
            _, name, row = max(found, key=lambda item: item[0])
        cells = pd.read_excel(path, dtype=str, engine="calamine", sheet_name=name, header=None)
    except InputRefused:
        raise  # a file for another route (_refuse_other_route), said as such
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook gets the same message
        raise InputRefused(f"Bestand {path.name}: het werkblad is niet te lezen: {unreadable(exc)}.") from None
    if not found:
        return _Sheet(_with_header(cells, 0))
    return _Sheet(_with_header(cells, row), first_row=row + 2,
                  place=f", werkblad {sheet_shown(name)}" if len(heads) > 1 else "")


def _names_statline_regions(head: list[list[object]]) -> bool:
    """Whether a row among the first of a sheet is a StatLine header: a column of regions by its
    key or title (Codering_3, 'Regioaanduiding/Codering (code)', 'Wijken en buurten', "Regio's")."""
    return any(key and (stem(key) == "Codering" or key in {"WijkenEnBuurten", "RegioS"})
               for cells in head for key in (_header_key(str(c)) for c in cells
                                             if isinstance(c, str) and c.strip()))


def _sheet_as_csv(path: Path, name: str) -> str:
    """The sheet `name` as ';'-separated CSV text, a line per row of the sheet (so that a message
    names the sheet's own rows): a number as CBS writes it (90421, 0.7), text as it stands."""
    from python_calamine import CalamineWorkbook

    def cell(value: object) -> str:
        if isinstance(value, bool) or value is None:
            return "" if value is None else str(value)
        if isinstance(value, float):
            return str(int(value)) if value.is_integer() else repr(value)
        return str(value)

    book = CalamineWorkbook.from_path(str(path))
    try:
        rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    finally:
        book.close()
    return "\n".join(_csv_line([cell(v) for v in row], ";") for row in rows) + "\n"


# Files that Kindkaart reads by another route, known by their header among the first rows: said
# so, instead of the column a CBS file would have ('kolom gwb_code_10 ontbreekt').
_LRK_COLUMNS = {"lrkid", "typeoko", "aantalkindplaatsen", "opvanglocatiepostcode"}
# The attribute table of CBS's wijk- en buurtkaart, saved as CSV or workbook from QGIS or the
# PDOK services: its codes (WK_CODE up to 2021, wijkcode from 2022) beside the ages as a
# percentage of the inhabitants (P_00_14_JR, percentage_personen_0_tot_15_jaar), never a count.
_KAART_CODES = {"gmcode", "wkcode", "bucode", "gemeentecode", "wijkcode", "buurtcode"}
_KAART_YOUNG = {"p0014jr", "percentagepersonen0tot15jaar"}
# A kwb of 2012 or before (kwb-2012.xls): its code column with the year (GWB_CODE12) beside the
# parts (GM_CODE, WK_CODE, BU_CODE), long names (AANT_INW) and RECS as one letter; from kwb-2013 on
# CBS writes the short names Kindkaart reads (gwb_code, a_inw, recs 'Gemeente').
_OLD_KWB_CODE = re.compile(r"gwbcode\d{2}")


def _refuse_other_route(path: Path, rows: list) -> None:
    """Refuse an LRK export, CBS's postcode file saved as a workbook, or the wijk- en buurtkaart's
    table of figures, by what it is."""
    for cells in rows:
        spelled = {compact(cell): cell.strip() for cell in cells if isinstance(cell, str)}
        names = set(spelled)
        young = sorted(names & _KAART_YOUNG)
        old_code = next((spelled[n] for n in sorted(names) if _OLD_KWB_CODE.fullmatch(n)), None)
        if old_code is not None:
            raise InputRefused(
                f"Bestand {path.name} is een kwb-bestand van 2012 of eerder (kolom {old_code}): "
                "daarin heten de kolommen anders (AANT_INW, P_00_14_JR) en staan de kinderen van 0 "
                "tot 15 jaar alleen als percentage. Kindkaart leest de kwb-bestanden vanaf 2013 "
                "(gwb_code, a_inw), met het aantal kinderen vanaf kwb-2017. Er is niets opgeslagen.")
        if names & _KAART_CODES and young:
            raise InputRefused(
                f"Bestand {path.name} is de tabel van de wijk- en buurtkaart van CBS (kolom "
                f"{spelled[young[0]]}): die geeft de leeftijden alleen als percentage van de "
                "inwoners, en dat rekent Kindkaart niet om naar een aantal kinderen. Lees voor de "
                "cijfers het kwb-bestand (kwb-<jaar>.xlsx) of de kerncijfers uit StatLine in, en "
                "voor de grenzen de wijk- en buurtkaart als GeoPackage. Er is niets opgeslagen.")
        if len(names & _LRK_COLUMNS) >= 3:
            raise InputRefused(
                f"Bestand {path.name} is een export van het Landelijk Register Kinderopvang, geen "
                "CBS-bestand: lees hem in op de pagina Gemeente laden onder LRK-export inlezen, of "
                "met python -m data_sources import-lrk. Er is niets opgeslagen.")
        if "pc6" in names and any(re.fullmatch(r"(buurt|wijk|gemeente)(code)?(\d{4})?", n) for n in names):
            raise InputRefused(
                f"Bestand {path.name} is het postcodebestand van CBS, opgeslagen als werkmap: "
                "Kindkaart leest het zoals CBS het publiceert, als zip of als de CSV eruit "
                "(pc6hnr…_gwb.csv). Excel toont van het landelijke bestand alleen de eerste "
                "1.048.576 rijen; sla het daarom niet op vanuit Excel. Er is niets opgeslagen.")


def _sheet_heads(path: Path, rows: int = 10) -> dict[str, list[list[object]]]:
    """The first `rows` rows of every worksheet, by name. calamine loads one sheet at a time, as
    one block that check_workbook kept within KWB_WORKBOOK_LIMITS, and each is let go before the
    next. (openpyxl's read-only mode would stream only the head, but parses a whole sheet that
    lacks its <dimension>: 90 s for 40,000 x 200 cells, against calamine's 4 s.)"""
    from python_calamine import CalamineWorkbook, SheetTypeEnum

    book = CalamineWorkbook.from_path(str(path))
    try:
        return {meta.name: book.get_sheet_by_name(meta.name).to_python(nrows=rows)
                for meta in book.sheets_metadata if meta.typ == SheetTypeEnum.WorkSheet}
    finally:
        book.close()


def _with_header(cells: pd.DataFrame, row: int) -> pd.DataFrame:
    if cells.empty:
        return cells
    frame = cells.iloc[row + 1:].reset_index(drop=True)
    # an empty header cell gets the name pandas gives it ('Unnamed: 7'), so names stay unique
    frame.columns = [f"Unnamed: {i}" if pd.isna(c) else str(c)
                     for i, c in enumerate(cells.iloc[row])]
    return frame


def _read_csv_frame(text: str, path: Path) -> pd.DataFrame:
    first = text.splitlines()[0]
    try:
        # an empty line is a row, as Excel shows it (_numbered passes it over): the rows named in
        # messages are the file's
        return pd.read_csv(io.StringIO(text), sep=delimiter(first), dtype=str,
                           keep_default_na=False, skip_blank_lines=False)
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputRefused(f"Bestand {path.name}: de CSV is niet te lezen: {unreadable(exc)}.") from None


def _read_kwb(sheet: _Sheet, path: Path, year: int | None,
              gemeenten: list[str] | None = None) -> CbsFile:
    """The kwb-<year> download: one row per gemeente, wijk and buurt, short column names; with
    `gemeenten` only their rows (and Nederland's)."""
    frame = sheet.frame.rename(columns=lambda c: str(c).strip().lower())
    if len(frame) > KWB_WORKBOOK_LIMITS.max_rows:
        # each cell is read on its own: a CSV of a million made-up rows took 5 GB
        raise InputRefused(
            f"Bestand {path.name} heeft {len(frame) + 1} rijen; een kwb-bestand heeft er "
            f"hoogstens {f'{KWB_WORKBOOK_LIMITS.max_rows:_}'.replace('_', '.')} (het landelijke "
            "bestand heeft er zo'n 18.500). Kindkaart leest het niet; er is niets opgeslagen.")
    code_column = next((c for c in KWB_CODE_COLUMNS if c in frame.columns), None)
    if code_column is None:
        _refuse_other_route(path, [list(sheet.frame.columns)])
        raise InputRefused(f"Bestand {path.name}: kolom gwb_code_10 (of gwb_code) ontbreekt.")
    year = _year_from(path, year)
    mapped = {c: KWB_STEMS[c] for c in frame.columns if c in KWB_STEMS}
    if not mapped:
        raise InputRefused(f"Bestand {path.name}: geen bekende kwb-kolommen (zoals a_inw, "
                           "a_00_14) gevonden.")
    props = [{"Type": "GeoDetail", "Key": "WijkenEnBuurten", "Title": "Wijken en buurten"},
             {"Type": "Topic", "Key": "Gemeentenaam_1", "Datatype": "String"},
             {"Type": "Topic", "Key": "Codering_3", "Datatype": "String"}]
    props += [{"Type": "Topic", "Key": s, "Title": c, "Datatype": "Double"}
              for c, s in mapped.items()]
    # only the columns read below (a national kwb has some 130, of which some 70 are known)
    read_columns = [c for c in dict.fromkeys(frame.columns)
                    if c in mapped or c in KWB_CODE_COLUMNS or c in {"gm_naam", "regio", "recs"}]
    rows = list(_numbered(frame.loc[:, ~frame.columns.duplicated(keep="last")][read_columns],
                          sheet.first_row))
    # A copy may repeat the header in words below the short names (a_inw: 'Aantal inwoners',
    # gwb_code_10: 'Codering'): rows with words where the code and the numbers go are skipped.
    while rows and _is_description_row(rows[0][1], code_column, mapped):
        rows.pop(0)
    # Saved from Excel, counts may have thousands separators ('133.141' where decimals are '2,1',
    # '133,141' where they are '2.1'): the file's own decimals say which mark is which.
    decimal_mark = file_decimal_mark(row.get(c) for _, row in rows for c in mapped)
    records, names, problems = [], {}, []
    wanted = {g.strip().upper() for g in gemeenten} if gemeenten else None
    left_out = set()
    by_length = "recs" not in frame.columns and _zeros_kept([_bare_code(row, code_column) for _, row in rows])
    for row_number, row in rows:
        code = _kwb_code(row, code_column, by_length)
        if not code:
            continue
        where = f"Bestand {path.name}{sheet.place}, rij {row_number}, kolom"
        if NOT_UTF8.search(code):
            # whose row it is cannot be told
            problems.append(f"{where} {code_column}: {not_utf8_said(_cell(row.get(code_column)))}.")
            continue
        if code.isdigit() and "recs" not in frame.columns:
            raise InputRefused(
                f"{where} {code_column}: '{code}' is een code zonder GM, WK of BU ervoor, en de "
                "kolom recs (soort regio: Gemeente, Wijk of Buurt) ontbreekt; zo is niet te zien of "
                "het een gemeente, wijk of buurt is (als getal opgeslagen verliest een code zijn "
                "voorloopnullen, zodat de lengte het ook niet zegt). Laat de kolom recs in het "
                "bestand staan zoals CBS het publiceert, of lees het kwb-bestand met de kolom "
                "gwb_code_10 (GM0193, WK019310, BU01931000). Er is niets opgeslagen.")
        if not REGION_CODE.match(code):
            problems.append(f"{where} {code_column}: "
                            f"'{code}' is geen CBS-regiocode (GM0344, WK034401 of BU03440101).")
            continue
        if wanted and not code.startswith("NL") and f"GM{code[2:6]}" not in wanted:
            left_out.add(f"GM{code[2:6]}")
            continue  # a byte that is no UTF-8 in a row not read is no matter: nothing is stored
        bad_bytes = _not_utf8({column: _cell(row.get(column)) for column in read_columns}, where)
        if bad_bytes:
            problems += bad_bytes
            continue
        record = {"WijkenEnBuurten": code, "Codering_3": code,
                  "Gemeentenaam_1": _cell(row.get("gm_naam"))}
        numbers = {}
        for column, topic in mapped.items():
            value = row.get(column)
            try:
                number = read_number(value, decimal_mark)
                if number is not None:
                    check_value(column, value, number)
            except CellRefused as refused:
                problems.append(f"{where} {column}: {refused}.")
                number = None
            numbers[column] = record[topic] = number
        for part, whole in parts_larger_than_whole(numbers):
            problems.append(f"{where} {part}: {_cell(row.get(part))} is meer dan {whole} "
                            f"({_cell(row.get(whole))}) in dezelfde rij, meer dan CBS' afronding "
                            "kan verklaren; dat kan niet.")
        records.append(record)
        if _cell(row.get("regio")):
            # without a name the bundled 2024 names are used (kerncijfers_frames), not the code
            names[code] = _cell(row.get("regio"))
        if len(problems) >= 20:
            break
    if problems:
        raise InputRefused(problems)
    table = CbsTable(table_id=f"kwb-{year}", title=f"Kerncijfers wijken en buurten {year} (kwb)",
                     period=str(year), modified=None, data_properties=props, records=records,
                     dimensions={"WijkenEnBuurten": names})
    return CbsFile("kerncijfers", table, f"kwb-{year} spreadsheet", "kwb", frozenset(left_out))


def _not_utf8(values: dict[str, object], where: str) -> list[str]:
    """The refusals of the values of a row read that hold a byte that is no UTF-8 in a file that
    otherwise is (text.NOT_UTF8), by column: `where` names the file and row, up to 'kolom'."""
    return [f"{where} {column}: {not_utf8_said(value)}." for column, value in values.items()
            if isinstance(value, str) and NOT_UTF8.search(value)]


def _is_description_row(row: dict, code_column: str, mapped: dict[str, str]) -> bool:
    """A row of column titles below the header: words in the code cell and in every filled
    kwb column, no region code and no number."""
    if REGION_CODE.match(_kwb_code(row, code_column)):
        return False
    cells = [_cell(row.get(c)) for c in mapped]
    filled = [c for c in cells if c]
    return bool(filled) and all(re.search(r"[A-Za-z]{2}", c) for c in filled) and bool(
        re.search(r"[A-Za-z]{2}", _cell(row.get(code_column)) or ""))


def _numbered(frame: pd.DataFrame, first_row: int):
    # (spreadsheet row, row) for the rows with any content; empty rows (deleted in Excel, or
    # below the data) are skipped, as csv skips empty lines.
    for index, row in enumerate(frame.to_dict("records")):
        if any(_cell(v) for v in row.values()):
            yield index + first_row, row


def _cell(value: object) -> str | None:
    # A cell as stripped text; None for an empty cell (NaN from the spreadsheet reader).
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return without_controls(str(value)).strip() or None


def _bare_code(row: dict, code_column: str) -> str:
    code = (_cell(row.get(code_column)) or "").upper()
    if re.fullmatch(r"\d+\.0", code):
        code = code[:-2]  # a code stored as a number in the workbook (193.0)
    return code


# Without recs, the length of a code that kept its zeros tells its level (CBS: gemeente 4 digits,
# wijk 6, buurt 8).
_LEVEL_BY_LENGTH = {4: "GM", 6: "WK", 8: "BU"}


def _zeros_kept(codes: list[str]) -> bool:
    """Whether the codes without prefix (a kwb without recs) show their level by their length:
    every one 4, 6 or 8 digits and at least one with a leading zero. Stored as numbers, codes lose
    their zeros (WK019310 becomes 19310, and the wijk 001401 of Groningen 1401, the length of a
    gemeente); a file without one code starting with 0 cannot tell that apart."""
    codes = [code for code in codes if code.isdigit() and code.strip("0")]
    return bool(codes) and all(len(code) in _LEVEL_BY_LENGTH for code in codes) and any(
        code.startswith("0") for code in codes)


def _kwb_code(row: dict, code_column: str, by_length: bool = False) -> str:
    code = _bare_code(row, code_column)
    if code and code[:2].isdigit():
        # Older kwb files give codes without prefix; the level comes from `recs` (or, without
        # recs, from the length of codes that kept their zeros), and the Nederland row (recs
        # 'Land') has code 0.
        level = (_cell(row.get("recs")) or "").lower()
        if level in {"land", "nederland", ""} and code.strip("0") == "":
            return NATIONAL_KWB_CODE
        prefix = KWB_LEVEL_PREFIX.get(level, "")
        if not level and by_length:
            prefix = _LEVEL_BY_LENGTH.get(len(code), "") if code.isdigit() else ""
        width = {"GM": 4, "WK": 6, "BU": 8}.get(prefix, len(code))
        code = prefix + code.zfill(width)
    return code


# The header rows of a StatLine table downloaded 'volgens tabelindeling' are looked for among
# the first lines of its table part; a header block this high is no StatLine table.
_MAX_HEADER_ROWS = 12
_FLAT_DOWNLOAD = ("Download de tabel anders opnieuw als 'CSV zonder statistische symbolen' (één "
                  "kopregel met de titels, zoals 'Bevolking/Aantal inwoners (aantal)'), één jaar "
                  "per bestand.")


def _layout_said(path: Path, count: int) -> str:
    return (f"Bestand {path.name} is een StatLine-tabel 'CSV volgens tabelindeling' ({count} "
            "kopregels boven de gegevens); Kindkaart heeft de kopregels per kolom samengevoegd.")


def _is_data_row(fields: list[str]) -> bool:
    """A row of figures: a region code or a number in it. A header row has titles and units, or
    the years of the columns ('2024', below an empty first cell or 'Perioden')."""
    values = [field.strip() for field in fields]
    if any(value and REGION_CODE.match(value.upper()) for value in values):
        return True
    numbers = [value for value in values if value and to_number(value) is not None]
    if not numbers:
        return False
    label = values[0].lower() if values else ""
    return not (all(_YEAR.fullmatch(value) for value in numbers)
                and (not label or label in _COLUMN_LABELS))


_YEAR = re.compile(r"(?:19|20)\d{2}")
_COLUMN_LABELS = frozenset({"perioden", "onderwerp", "onderwerpen"})


def _one_header_row(text: str, path: Path) -> tuple[str, list[str], int, int | None] | None:
    """A StatLine table 'CSV volgens tabelindeling' has its column titles over several rows (the
    group above its titles, then the unit: 'Bevolking' / 'Aantal inwoners' / 'aantal') between
    its title and its figures; read with the first row as the header it had no column Codering.
    Returns the table with one header row as the flat StatLine CSV has it ('Bevolking/Aantal
    inwoners (aantal)'), its header, the number of header rows and the year of its columns (a
    row 'Perioden' with one year); None for a table with one header row. Refused when the rows do
    not say unambiguously which column is which topic (a row of units or not, two columns of one
    topic) or hold several years side by side."""
    lines = text.splitlines()
    separator = delimiter(lines[0])
    head = list(_csv_fields(lines[:_MAX_HEADER_ROWS + 1], separator, path))
    count = next((i for i, fields in enumerate(head) if _is_data_row(fields)), None)
    if count is None or count < 2:
        return None
    width = max(len(fields) for fields in head[:count])
    parts = [[fields[c].strip() for fields in head[:count] if c < len(fields) and fields[c].strip()]
             for c in range(width)]
    years = sorted({part for column in parts for part in column if _YEAR.fullmatch(part)})
    if len(years) > 1:
        raise InputRefused(
            f"Bestand {path.name} is een StatLine-tabel 'CSV volgens tabelindeling' met de jaren "
            f"{', '.join(years)} naast elkaar in de kolommen; Kindkaart leest één jaar per bestand. "
            "Er is niets opgeslagen. " + _FLAT_DOWNLOAD.replace("anders opnieuw", "opnieuw"))
    # the years and the names of the column dimensions above the row labels are no titles
    parts = [[part for part in column if not _YEAR.fullmatch(part)
              and part.lower() not in _COLUMN_LABELS] for column in parts]
    flat = ["/".join(p) for p in parts]
    with_unit = ["/".join(p[:-1]) + f" ({p[-1]})" if len(p) > 1 else None for p in parts]

    def key(header: str | None) -> str | None:
        return (_header_key(header) or _header_key(header, kwb=True)) if header else None

    header, unclear, keys = [], [], {}
    for column, (plain, united) in enumerate(zip(flat, with_unit, strict=True), start=1):
        plain_key, unit_key = key(plain), key(united)
        if plain_key and unit_key and plain_key != unit_key:
            unclear.append(f"kolom {column} ('{plain}')")
        chosen = united if unit_key and not plain_key else plain
        header.append(chosen)
        if plain_key or unit_key:
            keys.setdefault(plain_key or unit_key, []).append(column)
    unclear += [f"kolommen {', '.join(map(str, columns))} ('{header[columns[0] - 1]}')"
                for columns in keys.values() if len(columns) > 1]
    if unclear:
        raise InputRefused(
            f"Bestand {path.name} is een StatLine-tabel 'CSV volgens tabelindeling' ({count} "
            "kopregels boven de gegevens); daaruit is niet eenduidig te zien welk onderwerp in "
            f"welke kolom staat: {'; '.join(unclear[:5])}. Er is niets opgeslagen. "
            + _FLAT_DOWNLOAD.replace("anders opnieuw", "opnieuw"))
    body = lines[count:]
    while body and not _is_data_row(next(_csv_fields([body[-1]], separator, path), [])):
        body.pop()  # a note below the figures ('Bron: CBS') as wide as the table
    quoted = separator.join('"' + h.replace('"', '""') + '"' for h in header)
    return "\n".join([quoted, *body]) + "\n", header, count, int(years[0]) if years else None


def _read_statline_csv(text: str, header: list[str], path: Path, year: int | None,
                       header_row: int = 0) -> CbsFile:
    """A StatLine/OData CSV: keys (WijkenEnBuurten;Codering_3;AantalInwoners_5;...) or titles
    (Wijken en buurten;Codering;Aantal inwoners (aantal);...), padded quoted values, '.' secret.
    `header_row`: the file's row of the header (0-based), to name rows in messages."""
    lines = text.splitlines()
    records = _csv_fields(lines, delimiter(lines[0]), path)
    fieldnames = next(records)
    last_titles = [_last_title(h) for h in header]
    repeated = {t for t in last_titles if last_titles.count(t) > 1}
    # The kwb's own table has Nabijheid-like titles (Nabijheid voorzieningen/Basisonderwijs/
    # Afstand tot school): read as the kwb's columns, as in the kwb-<year> download.
    kwb = (str(_table_id_from_name(path) or "").upper() in {t.upper() for t in KERNCIJFERS_TABLES.values()}
           or {"aantal inwoners", "0 tot 15 jaar"} & set(last_titles))
    keys = [_header_key(h, repeated, kwb=bool(kwb)) for h in header]
    if "Codering" not in {stem(k) for k in keys if k} and not {"WijkenEnBuurten", "RegioS"} & set(keys):
        _refuse_other_route(path, [header])
        raise InputRefused(f"Bestand {path.name}: geen kolom met regiocodes (Codering, "
                           f"WijkenEnBuurten of RegioS). {SUPPORTED}")
    rows, row_numbers = [], []
    for number, fields in enumerate(records, start=header_row + 2):
        if not fields:
            continue  # an empty line, as csv.DictReader skips it
        raw = dict(zip(fieldnames, fields, strict=False))
        rows.append({key: raw.get(h) for h, key in zip(header, keys, strict=True) if key})
        row_numbers.append(number)
    titles = {key: h.strip().strip('"').strip() for h, key in zip(header, keys, strict=True) if key}
    bad_bytes = [problem for number, row in zip(row_numbers, rows, strict=True)
                 for problem in _not_utf8({f"'{titles[key]}'": value for key, value in row.items()},
                                          f"Bestand {path.name}, rij {number}, kolom")]
    if bad_bytes:
        raise InputRefused([*bad_bytes[:10], "Er is niets opgeslagen."])
    props = []
    for key in keys:
        if not key:
            continue
        if key in DIMENSION_KEYS:
            props.append({"Type": DIMENSION_KEYS[key], "Key": key})
        elif stem(key) in _TEXT_STEMS:
            props.append({"Type": "Topic", "Key": key, "Datatype": "String"})
        else:
            props.append({"Type": "Topic", "Key": key, "Datatype": "Double"})
    _read_figures(rows, row_numbers, {key: h for h, key in zip(header, keys, strict=True)
                                      if key and stem(key) not in _TEXT_STEMS
                                      and key not in DIMENSION_KEYS}, path)
    table_id = _table_id_from_name(path)
    if "Leeftijd" in keys:
        table_id = table_id or POPULATION_BY_AGE_TABLE
        period = ""
    else:
        period = str(_year_from(path, year, table_id))
    names = {}
    if "WijkenEnBuurten" in keys:
        # A title export puts names in 'Wijken en buurten' and the code in 'Codering'.
        code_key = next((k for k in keys if k and stem(k) == "Codering"), None)
        for row in rows:
            name = clean(row.get("WijkenEnBuurten"))
            code = clean(row.get(code_key)) if code_key else None
            if code and name and name != code:
                names[name] = name
        if code_key is None and rows and not any(
                REGION_CODE.match(str(clean(row.get("WijkenEnBuurten")) or "")) for row in rows):
            # a title export with only the names ('Zwolle', 'Wijk 10 Binnenstad'): names repeat
            # over gemeenten, so no region can be told without its code
            raise InputRefused(
                f"Bestand {path.name}: de kolom 'Wijken en buurten' heeft alleen namen en de kolom "
                "Codering (Regioaanduiding/Codering) ontbreekt, zodat niet te zien is welke gemeente, "
                "wijk of buurt een rij is. Download de tabel opnieuw met het onderwerp Codering "
                "(onder Regioaanduiding) erbij. Er is niets opgeslagen.")
    table = CbsTable(table_id=table_id or f"statline-{period}", title=f"StatLine-export {path.name}",
                     period=period, modified=None, data_properties=props, records=rows,
                     dimensions={"WijkenEnBuurten": names} if names else {})
    return CbsFile(_classified(table, path), table, "StatLine-CSV", "statline")


# The columns of a StatLine CSV that hold text, not figures.
_TEXT_STEMS = frozenset({"Codering", "Gemeentenaam", "SoortRegio", "ID"})


def _read_figures(rows: list[dict], row_numbers: list[int], columns: dict[str, str],
                  path: Path) -> None:
    """The figures of a StatLine CSV as numbers, in place, read with the file's own decimal mark:
    saved again by Excel, a count has a thousands separator ('120.750' where decimals are '10,1',
    '120,750' where they are '10.1'), which was read as 120.75. A figure that does not show which
    mark it has is refused with its row and column; text (n.v.t.) is left to the loaders' check."""
    mark = file_decimal_mark(row.get(key) for row in rows for key in columns)
    problems = []
    for number, row in zip(row_numbers, rows, strict=True):
        for key, title in columns.items():
            value = row.get(key)
            try:
                row[key] = read_number(value, mark)
            except CellRefused as refused:
                if to_number(value) is not None and len(problems) < 10:
                    problems.append(f"Bestand {path.name}, rij {number}, kolom "
                                    f"'{title.strip().strip(chr(34)).strip()}': {refused}.")
    if problems:
        raise InputRefused([*problems, "Er is niets opgeslagen."])


def _last_title(header: str) -> str:
    return re.sub(r"\s*\([^)]*\)\s*$", "", header.strip().strip('"').strip()).split("/")[-1].strip().lower()


def _header_key(header: str, repeated: set[str] = frozenset(), *, kwb: bool = False) -> str | None:
    header = header.strip().strip('"').strip()
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", header):
        return KEY_ALIASES.get(header, header)
    # Titles repeat under different groups (Nabijheid: "Afstand tot school" four times): the
    # whole path decides, and a repeated last title never stands for all of them.
    nabijheid = None if kwb else stem_for_path(header.split("/"))
    if nabijheid:
        return nabijheid
    title = _last_title(header)
    if title in repeated:
        return None
    return kwb_key_for_title(title) if kwb else key_for_title(title)


def _table_id_from_name(path: Path) -> str | None:
    match = re.search(r"(\d{5}(?:NED|ned|ENG|eng))", path.name)
    return match.group(1) if match else None


def _read_json_response(path: Path, year: int | None, gemeenten: list[str] | None = None) -> CbsFile:
    """A saved OData response (envelope with odata.metadata and value, or the bare list). With
    `gemeenten`, a record of another gemeente is not refused for a byte that is no UTF-8."""
    refuse_large_file(path, "een opgeslagen OData-antwoord", _SMALLER_ODATA)
    try:
        data = json.loads(_read_text(path, "regel"))
    except (ValueError, RecursionError) as exc:
        # ValueError: also JSONDecodeError, and a number of thousands of digits
        raise InputRefused(f"Bestand {path.name}: {unreadable(exc)}.") from None
    table_id = None
    if isinstance(data, dict):
        if data.get("odata.nextLink") or data.get("@odata.nextLink"):
            raise InputRefused(f"Bestand {path.name}: dit is pagina 1 van een groter OData-antwoord "
                               "(er staat een odata.nextLink in naar de volgende rijen); download "
                               "de volledige tabel (of gebruik load-cbs). Er is niets opgeslagen.")
        match = re.search(r"/odata/(?:v1/CBS/)?([0-9A-Za-z]+)/",
                          str(data.get("odata.metadata") or data.get("@odata.context") or ""),
                          re.IGNORECASE)
        table_id = match.group(1) if match else None
        data = data.get("value") if "value" in data else _keyed_by_region(data)
    if not isinstance(data, list) or not data or not all(isinstance(r, dict) for r in data):
        raise InputRefused(f"Bestand {path.name}: geen lijst met CBS-rijen gevonden. {SUPPORTED}")
    data = _plain_records(data, path, gemeenten)
    if is_observations(data[0]):
        return _read_observations(path, path, year, records=data, table_id=table_id)
    table_id = table_id or _table_id_from_name(path)
    sibling = path.parent / "DataProperties.json"
    if sibling.exists():
        try:
            props = json.loads(_read_text(sibling, "regel"))
        except (ValueError, RecursionError) as exc:
            raise InputRefused(f"Bestand {sibling.name}: {unreadable(exc)}.") from None
        props = props.get("value", props) if isinstance(props, dict) else props
        if not isinstance(props, list) or not all(isinstance(p, dict) for p in props):
            raise InputRefused(f"Bestand {sibling.name}: geen lijst met kolombeschrijvingen "
                               "(DataProperties) van CBS.")
    else:
        props = _guess_properties(data)
    keys = {p.get("Key") for p in props}
    if not ({"WijkenEnBuurten", "RegioS", *KEY_ALIASES} & keys or any(stem(k or "") == "Codering" for k in keys)):
        raise InputRefused(f"Bestand {path.name}: geen regiocodes (WijkenEnBuurten, RegioS of "
                           f"Codering) in de rijen. {SUPPORTED}")
    period = ""
    if "Perioden" not in keys:
        period = str(_year_from(path, year, table_id))
    table = CbsTable(table_id=table_id or f"odata-{period}", title=f"OData-antwoord {path.name}",
                     period=period, modified=None, data_properties=props, records=data)
    table = _nabijheid_or_same(table)
    return CbsFile(_classified(table, path), table, "OData-antwoord (JSON)", "odata")


def _keyed_by_region(data: dict) -> list[dict] | None:
    """The rows of a table saved keyed by region code ({"GM0014": {"AantalInwoners_5": ...}}, as
    pandas writes a cbsodata table with to_json(orient="index")), each with its code as
    WijkenEnBuurten; None when a key is no region code or a value no row. Refused before as 'geen
    lijst met CBS-rijen'."""
    if not data or not all(isinstance(row, dict) and REGION_CODE.match(str(code).strip())
                           for code, row in data.items()):
        return None
    return [{"WijkenEnBuurten": str(code).strip(), **row} for code, row in data.items()]


def _plain_records(records: list[dict], path: Path, gemeenten: list[str] | None = None) -> list[dict]:
    """The records with their text free of control characters; a value that is an object or a
    list (stored as empty before), or a region code that is no text, is refused naming the
    record and key, and so is a value with a byte that is no UTF-8 in a file that otherwise is
    (but in a record of a gemeente not among `gemeenten`: not stored, so no matter)."""
    problems = []
    for number, record in enumerate(records, start=1):
        for key, value in record.items():
            if isinstance(value, (dict, list)):
                kind = "een object" if isinstance(value, dict) else "een lijst"
                problems.append(f"Bestand {path.name}: rij {number} van 'value', sleutel {key}: "
                                f"{kind} waar een getal of tekst hoort.")
            elif value is not None and not isinstance(value, str) and _is_region_key(key):
                # a code as true or 344 broke the reading of region codes (a TypeError)
                kind = "waar/onwaar" if isinstance(value, bool) else "een getal"
                problems.append(f"Bestand {path.name}: rij {number} van 'value', sleutel {key}: "
                                f"{kind} waar een regiocode (tekst, zoals GM0344) hoort.")
            elif isinstance(value, str) and NOT_UTF8.search(value):
                continue  # refused below, where the record is of a gemeente read
            elif isinstance(value, str):
                record[key] = without_controls(value)
        if len(problems) >= 10:
            break
    if len(problems) < 10:
        problems += bad_byte_refusals(records, path.name, NOT_UTF8, gemeenten)
    if problems:
        raise InputRefused([*problems[:10], "Er is niets opgeslagen."])
    return records


def _is_region_key(key: str) -> bool:
    return key in ("WijkenEnBuurten", "RegioS") or stem(key) == "Codering"


def _nabijheid_or_same(table: CbsTable) -> CbsTable:
    # A table without the kerncijfers' population but with Nabijheid topics (by their groups).
    stems = set(table.topic_keys())
    if "AantalInwoners" in stems or "k_0Tot15Jaar" in stems:
        return table
    return with_nabijheid_stems(table) or table


def _guess_properties(records: list[dict]) -> list[dict]:
    props = []
    for key in records[0]:
        if key == "ID":
            continue
        if key in DIMENSION_KEYS:
            props.append({"Type": DIMENSION_KEYS[key], "Key": key})
            continue
        values = [r.get(key) for r in records[:200]]
        filled = [v for v in values if v is not None and not (isinstance(v, str) and v.strip() in {".", ""})]
        words = sum(1 for v in filled if isinstance(v, str) and to_number(v) is None)
        # a text topic (names, codes) is text in most rows; one word among numbers ('onbekend' for
        # a number) made the whole topic text, left out for every region without a word: now it
        # is a number, and the word is refused naming region and topic (unreadable_message), as
        # with DataProperties.json beside the file
        textual = words > 0 and 2 * words > len(filled)
        props.append({"Type": "Topic", "Key": key, "Datatype": "String" if textual else "Double"})
    return props
