"""Hand-downloaded CBS files (StatLine CSV, kwb, OData JSON, cbsodata map, GeoJSON, postcodes) into raw tables."""

from __future__ import annotations

import contextlib
import json
import re
import stat
import zipfile
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from data_sources import archives, geo, geopackage, lrk, postcodes, store
from data_sources.cbs import pdok
from data_sources.cbs.formats import read_cbs_file, year_in_file_name
from data_sources.cbs.http import MAX_ANSWER_BYTES
from data_sources.cbs.jeugdzorg import store_jeugdzorg
from data_sources.cbs.loading import (
    KERNCIJFERS_TABLES,
    NATIONAL_CODE,
    absent_gemeenten,
    gemeenten_in_table,
    no_regions_refused,
    population_by_age_frame,
    population_by_age_notes,
    store_kerncijfers,
    store_population_by_age,
)
from data_sources.cbs.pipeline import store_geometries
from data_sources.errors import InputRefused, info
from data_sources.offline_boundaries import store_bundled_boundaries
from data_sources.text import given_path
from data_sources.workbooks import DAMAGED_ZIP

STORERS = {
    "kerncijfers": store_kerncijfers,
    "nabijheid": partial(store_kerncijfers, dataset="nabijheid"),
    "bevolking-leeftijd": store_population_by_age,
    "jeugdzorg-wijk": store_jeugdzorg,
}
# The kinds store_kerncijfers stores: it refuses a table without a gemeente, wijk or buurt.
_BY_REGION = {"kerncijfers", "nabijheid"}
# Kinds whose values a later file can empty: refused unless the user asks to replace.
REPLACEABLE = {"kerncijfers", "nabijheid"}


class StoredFile(NamedTuple):
    """What store_file stored: the kind of file, the new load ids, and Dutch notes on what the
    file held but was not stored (to show beside the success message)."""

    kind: str
    load_ids: list[int]
    notes: list[str]


def _is_geojson(path: Path) -> bool:
    if path.suffix.lower() == ".geojson":
        return True
    if path.suffix.lower() != ".json" or not path.is_file():
        return False
    with path.open(encoding="utf-8-sig", errors="replace") as handle:
        return '"FeatureCollection"' in handle.read(4096)


def _zipped_geojsons(path: Path) -> list[str]:
    """The names in the zip at `path` of its GeoJSON files (.geojson, or .json holding a
    FeatureCollection), when it holds nothing else but what a zip program adds; [] for any other
    zip."""
    if path.suffix.lower() != ".zip" or not path.is_file():
        return []
    try:
        with zipfile.ZipFile(path) as archive:
            names = [info.filename for info in archive.infolist() if not info.is_dir()
                     and not info.filename.startswith("__MACOSX/")
                     and not info.filename.lower().endswith(archives.ZIP_EXTRAS)]
            if not names or not all(name.lower().endswith((".geojson", ".json")) for name in names):
                return []
            for name in names:
                if name.lower().endswith(".json"):
                    with archive.open(name) as member:
                        if '"FeatureCollection"' not in member.read(4096).decode("utf-8", errors="replace"):
                            return []
    except DAMAGED_ZIP:
        return []  # a damaged zip: the readers say so in their own words
    return names


def _files_said(names: list[str]) -> str:
    shown = [Path(name).name for name in names]
    return ", ".join(shown[:-1]) + " en " + shown[-1] if len(shown) > 1 else shown[0]


def _zipped_geojson_frames(path: Path, members: list[str], year: int | None,
                           notes: list[str]) -> tuple[pd.DataFrame, int | None]:
    """The regions of several GeoJSON files in one zip as one frame, as the GeoPackage's layers
    are read together: the gemeenten, wijken (and buurten) of one year, such as cartomap's
    gemeente_2024.geojson and wijk_2024.geojson zipped to be sent on. Files of different years,
    or two files with the same regions, are refused naming the files: which one is meant is the
    user's to say. Returns the frame and the year the names give: the zip's, else the one year
    the files' names give (the boundaries' own jrstatcodes go before it: _boundaries_year)."""
    frames = {}
    for member in members:
        with archives.unpacked(path, lambda info, member=member: info.filename == member,
                               noun="GeoJSON-bestand", max_bytes=MAX_ANSWER_BYTES) as folder:
            frames[member] = geo.read_geojson(folder / Path(member).name, per_gemeente=True)
    regional = {member: frame for member, frame in frames.items() if not frame.empty}
    # (code, refusal) of every file, also of one whose regions were all refused
    refusals = {key: [item for frame in frames.values() for item in frame.attrs.get(key, [])]
                for key in ("bad_bytes", "undrawable", "clashes")}
    if not regional:
        frames[members[0]].attrs.update(refusals)
        return frames[members[0]], None
    listing = f"het zip-bestand bevat {len(members)} GeoJSON-bestanden ({_files_said(members)})"
    years = {member: year_in_file_name(member) for member in regional}
    if not year and len(set(years.values()) - {None}) > 1:
        said = ", ".join(f"{Path(m).name}: {y}" for m, y in years.items() if y)
        raise InputRefused(f"Bestand {path.name}: {listing} van verschillende jaren ({said}). Pak "
                           "het zip-bestand uit en lees de grenzen van één jaar in, met --jaar als "
                           "het jaar niet in de naam staat. Er is niets opgeslagen.")
    seen: dict[str, str] = {}
    for member, frame in regional.items():
        twice = [code for code in frame["region_code"] if code in seen]
        if twice:
            shown = ", ".join(twice[:3]) + (f" en nog {len(twice) - 3}" if len(twice) > 3 else "")
            raise InputRefused(
                f"Bestand {path.name}: {listing}, en {Path(seen[twice[0]]).name} en "
                f"{Path(member).name} hebben dezelfde gebieden ({shown}). Pak het zip-bestand uit "
                "en lees er één in. Er is niets opgeslagen.")
        seen.update(dict.fromkeys(frame["region_code"], member))
    skipped = [member for member in members if member not in regional]
    if skipped:
        has, is_ = ("heeft", "is") if len(skipped) == 1 else ("hebben", "zijn")
        notes.append(info(f"{_files_said(skipped)} in {path.name} {has} geen gemeente-, wijk- of "
                          f"buurtvlakken (eigenschap statcode, wijkcode of WK_CODE) en {is_} overgeslagen."))
    merged = pd.concat(list(regional.values()), ignore_index=True)
    for key in ("closed", "water", "shapeless", "years"):
        merged.attrs[key] = sorted({code for frame in regional.values() for code in frame.attrs.get(key, [])})
    merged.attrs.update(refusals)
    return merged, year_in_file_name(path.name) or next((y for y in years.values() if y), None)


def _is_postcode_file(path: Path) -> bool:
    if path.suffix.lower() == ".zip" and path.is_file():
        # CBS publishes the postcode file zipped (pc6hnr20240801_gwb.csv with lists of names)
        try:
            with zipfile.ZipFile(path) as archive:
                return any(Path(name).name.lower().startswith("pc6") for name in archive.namelist())
        except DAMAGED_ZIP:
            # a damaged download of it: the postcode reader says so in its own words
            return path.name.lower().startswith("pc6")
    if path.suffix.lower() not in {".csv", ".txt"} or not path.is_file():
        return False
    with path.open(encoding="utf-8-sig", errors="replace") as handle:
        return handle.readline().strip().upper().startswith("PC6")


def _import_geojson(con, path: Path, gemeenten, year, notes: list[str],
                    of_account: bool, collection: dict | None = None,
                    frame: pd.DataFrame | None = None, name_year: int | None = None,
                    retrieved: datetime | None = None) -> tuple[str, list[int]]:
    """Boundaries from a GeoJSON file, from `collection` (read from the GeoPackage at `path`) or
    from `frame` (the GeoJSON files of the zip at `path`). The year: `year` (given by the user),
    else the one year the file's jrstatcodes give (PDOK), else `name_year` or the year in its name.
    `retrieved`: the date of the zip the GeoJSON file at `path` was unpacked from (retrieved_at)."""
    if frame is None:
        # a GeoJSON is often the national file: a damaged region of another gemeente is passed
        # over (refuse_damaged_regions); the GeoPackage reader kept only the gemeenten asked for
        frame = (geo.read_geojson(path, per_gemeente=True) if collection is None
                 else geo.features_frame(collection, file_name=path.name))
    geo.refuse_damaged_regions(frame, gemeenten)
    if frame.empty and frame.attrs.get("other_codes"):
        raise _other_regions_refused(path.name, frame.attrs["other_codes"])
    if frame.empty:
        raise InputRefused(f"Bestand {path.name}: geen gemeente-, wijk- of buurtvlakken "
                           "(eigenschap statcode, wijkcode of WK_CODE) gevonden"
                           + (" buiten de delen die water zijn" if frame.attrs.get("water") else "")
                           + ".")
    if not year:
        year = _boundaries_year(path, frame.attrs.get("years", []),
                                name_year or year_in_file_name(path.name), notes)
    features = [{"type": "Feature", "properties": {"statcode": row.region_code},
                 "geometry": json.loads(row.geometry_json)} for row in frame.itertuples()]
    if gemeenten:
        gemeenten = _kept(path, gemeenten, ("GM" + frame["region_code"].str[2:6]).unique(),
                          of_account, notes)
    bad_bytes = geo.bad_bytes_refusals(frame, gemeenten)
    if bad_bytes:
        more = [f"En nog {len(bad_bytes) - 10} zulke waarden."] if len(bad_bytes) > 10 else []
        raise InputRefused([*bad_bytes[:10], *more, "Er is niets opgeslagen; sla het bestand "
                            "opnieuw op als UTF-8, of download het opnieuw."])
    features = pdok.features_of({"features": features}, gemeenten)
    closed = [code for code in frame.attrs["closed"]
              if any(f["properties"]["statcode"] == code for f in features)]
    if closed:
        more = f" en nog {len(closed) - 10}" if len(closed) > 10 else ""
        notes.append(f"De grens van {', '.join(closed[:10])}{more} was niet gesloten (de laatste "
                     "positie van een ring was niet de eerste); Kindkaart heeft hem gesloten, "
                     "zoals GIS-programma's doen. Controleer die grens op de kaart.")
    notes += geo.crossing_notes(geo.crossing_codes(features))
    shapeless = [code for code in frame.attrs.get("shapeless", [])
                 if not gemeenten or f"GM{code[2:6]}" in set(gemeenten)]
    if shapeless:
        more = f" en nog {len(shapeless) - 10}" if len(shapeless) > 10 else ""
        has, stands = ("heeft", "staat") if len(shapeless) == 1 else ("hebben", "staan")
        notes.append(f"{', '.join(shapeless[:10])}{more} {has} in het bestand geen vlak (de "
                     f"geometrie is leeg of bevat geen Polygon/MultiPolygon) en {stands} niet op de "
                     "kaart. Controleer die grenzen in het GIS-programma.")
    water = [code for code in frame.attrs.get("water", [])
             if not gemeenten or f"GM{code[2:6]}" in set(gemeenten)]
    if water:
        notes.append(info(f"{len(water)} gemeente(n), wijk(en) of buurt(en) hebben delen die water zijn "
                          "(water of H2O = JA); die delen zijn niet op de kaart gezet."))
    return "geometrie", store_geometries(con, features, year=year,
                                         retrieved_at=retrieved or retrieved_at(path),
                                         file_name=path.name, file_hash=store.file_sha256(path))


# The kinds of region CBS and PDOK publish boundaries of besides gemeenten, wijken and buurten,
# by the letters of their statcode (PV20, AM01): said when a file holds only such regions.
_OTHER_REGIONS = {"PV": "provincies", "LD": "landsdelen", "CR": "COROP-gebieden",
                  "AM": "arbeidsmarktregio's", "GG": "GGD-regio's", "JZ": "jeugdzorgregio's",
                  "VR": "veiligheidsregio's", "RE": "RES-regio's", "NL": "Nederland"}


def _other_regions_refused(file_name: str, codes: list[str]) -> InputRefused:
    """A GeoJSON of regions with a statcode of another kind (the provinces, arbeidsmarktregio's
    of cartomap and PDOK): said as such, not as a file without the property statcode."""
    kinds = {_OTHER_REGIONS.get(code[:2].upper()) for code in codes}
    kind = next(iter(kinds)) if len(kinds) == 1 and None not in kinds else "andere gebieden"
    shown = ", ".join(codes[:3]) + (f" en nog {len(codes) - 3}" if len(codes) > 3 else "")
    return InputRefused(
        f"Bestand {file_name}: geen gemeente-, wijk- of buurtvlakken; de vlakken zijn {kind} "
        f"(statcode {shown}). Kindkaart tekent gemeenten en wijken: lees de wijkgrenzen in "
        "(wijk_<jaar>.geojson van PDOK of cartomap, of de wijk- en buurtkaart van CBS). Er is "
        "niets opgeslagen.")


def _boundaries_year(path: Path, data_years: list[int], name_year: int | None,
                     notes: list[str]) -> int:
    """The year of boundaries not given by the user: the year of their jrstatcodes (PDOK writes
    each region's code with its year, 2024WK036300; a download from its WFS has no year in its
    name), else the year in the name; refused when neither gives one, or the file has several."""
    if len(data_years) > 1:
        raise InputRefused(f"Bestand {path.name}: de grenzen zijn van meer jaren (jrstatcode "
                           f"{', '.join(map(str, data_years))}). Lees de grenzen van één jaar in, "
                           "of geef het jaar op met --jaar. Er is niets opgeslagen.")
    if data_years:
        if name_year and name_year != data_years[0]:
            # the year the boundaries carry themselves goes before the name's: said, not asked
            notes.append(info(f"De naam {path.name} noemt {name_year}, maar de grenzen zelf zijn van "
                              f"{data_years[0]} (jrstatcode {data_years[0]}WK…): opgeslagen als "
                              f"grenzen van {data_years[0]}. Geef met --jaar een ander jaar op als u dat "
                              "bedoelt."))
        return data_years[0]
    if not name_year:
        raise InputRefused(f"Bestand {path.name}: het jaar van de grenzen is niet af te leiden uit "
                           "de naam of de gebieden (jrstatcode); geef het op met --jaar.")
    return name_year


def _import_geopackage(con, path: Path, member: str | None, gemeenten, year, notes: list[str],
                       of_account: bool) -> tuple[str, list[int]]:
    """The CBS wijk- en buurtkaart (wijkenbuurten_<jaar>_v1.gpkg, or its zip): gemeenten and wijken."""
    if member is not None:
        with geopackage.unzipped(path, member) as unpacked:
            collection, read_notes = geopackage.read_geopackage(unpacked, gemeenten)
        if not year:
            # the year from the zip's name, else from the GeoPackage's own name
            year = year_in_file_name(path.name) or year_in_file_name(Path(member).name)
    else:
        collection, read_notes = geopackage.read_geopackage(path, gemeenten)
    if not collection["features"]:
        raise InputRefused(f"Bestand {path.name}: geen wijk- of gemeentegrenzen gevonden"
                           + (f" voor {', '.join(gemeenten)}" if gemeenten else "") + ". Er is niets opgeslagen.")
    notes += read_notes
    return _import_geojson(con, path, gemeenten, year, notes, of_account, collection)


def _import_postcodes(con, path: Path, gemeenten, year, notes: list[str],
                      of_account: bool) -> tuple[str, list[int]]:
    file_year, frame = postcodes.read_postcode_file(path)
    if gemeenten and of_account:
        gemeenten = _kept(path, gemeenten, frame["gemeente_code"].dropna().unique(), of_account, notes)
    year = year or file_year
    if not year:
        raise InputRefused(f"Bestand {path.name}: het jaar is onbekend; geef het op met --jaar.")
    with store.transaction(con):
        load_id = postcodes.store_postcodes(con, frame, year=year, gemeenten=gemeenten,
                                            file_name=path.name,
                                            file_hash=store.file_sha256(path))
        # the LRK locations for which this year is now the nearest follow it, in the same
        # transaction (the caller builds the marts in it too)
        if placed := lrk.place_again(con, year):
            notes.append(info(placed))
    return "postcodes", [load_id]


def _left_out_note(others: set[str], of_account: bool = False) -> list[str]:
    """What happens to the other gemeenten of a file read for some: nothing of them is kept."""
    if not others:
        return []
    shown = ", ".join(sorted(others)[:5]) + (f" en nog {len(others) - 5}" if len(others) > 5 else "")
    kept = "de gemeenten van uw account" if of_account else "de gekozen gemeente(n)"
    return [info(f"Het bestand heeft ook {len(others)} andere gemeente(n) ({shown}); alleen "
                 f"{kept} zijn opgeslagen, van de andere niets.")]


def _kept(path: Path, gemeenten: list[str], present, of_account: bool, notes: list[str]) -> list[str]:
    """The gemeenten of a file to store. Asked for on the command line or the page, each must be
    in the file; the gemeenten of an account (of_account: a whole file read by an account tied to
    gemeenten) are stored where the file has them, the others named in a note, and the file is
    refused when it has none of them."""
    national = NATIONAL_CODE in set(present)
    present = set(present) - {NATIONAL_CODE}
    wanted = {g.strip().upper() for g in gemeenten}
    if not of_account:
        absent = absent_gemeenten(gemeenten, present)
        if absent:
            raise InputRefused(f"Bestand {path.name}: {absent}")
        return sorted(wanted)
    kept = wanted & present
    if not kept and national:
        # 03759ned of Nederland alone: the national age profile is no other gemeente's figure;
        # filtered on the account's gemeenten, only the Nederland rows are stored
        notes += _left_out_note(present, of_account=True)
        return sorted(wanted)
    if not kept:
        raise InputRefused(f"Bestand {path.name}: geen van de gemeenten van uw account "
                           f"({', '.join(sorted(wanted))}) staat in het bestand; er is niets opgeslagen.")
    notes += _left_out_note(present - kept, of_account=True)
    return sorted(kept)


def store_file(con, path: str | Path, *, gemeenten: list[str] | None = None,
               year: int | None = None, replace: bool = False,
               within: set[str] | None = None) -> StoredFile:
    """Read and store one hand-downloaded file in one transaction (or the caller's); the caller
    builds the marts (data_sources.jobs.import_cbs_file). Returns the kind, the load ids and
    notes on what was left out (StoredFile). Nothing is stored when the file is refused (also
    when it does not hold a gemeente asked for); a table that would empty values an earlier load had is
    refused (WouldEmptyValues) unless `replace`. Besides CBS tables this takes GeoJSON
    boundaries (statcode) and the CBS postcode-huisnummer file; a gemeente from files without
    boundaries gets the bundled 2024 ones.

    `within`: the gemeenten of an account tied to them (the page Gemeente laden; None: no limit,
    as on the command line). `gemeenten` must lie within them; without `gemeenten` only the
    file's gemeenten within them are stored (a note names the others), and a file with none of
    them is refused."""
    path = given_path(path)  # '.' names the folder (its file name, the year in it)
    # a pipe was read for ever (waiting for a writer), a device such as /dev/zero until memory ran
    # out; a file or a folder (cbsodata's) is what this reads
    with contextlib.suppress(OSError):  # a path that is not there is refused where it is read
        if not stat.S_ISREG(path.stat().st_mode) and not path.is_dir():
            raise InputRefused(f"Bestand {path.name} is geen gewoon bestand (maar een pipe of apparaat): "
                               "lees een bestand of map in. Er is niets opgeslagen.")
    notes: list[str] = []
    of_account = False
    if within is not None:
        outside = sorted({g.strip().upper() for g in gemeenten or ()} - within)
        if outside or not within:
            raise InputRefused(f"Bestand {path.name}: {', '.join(outside) or 'deze gemeente'} hoort niet "
                               "bij uw account; u slaat alleen uw eigen gemeenten op. Er is niets opgeslagen.")
        if not gemeenten:
            gemeenten, of_account = sorted(within), True
    with store.transaction(con):
        kind, load_ids = _store_one(con, path, gemeenten, year, replace, notes, of_account)
        if kind != "geometrie":
            # A gemeente from files draws its map without network: the bundled 2024 boundaries.
            loaded = [row[0] for row in con.execute(
                "select distinct gemeente_code from loads where load_id in (select unnest(?::integer[]))",
                [load_ids]).fetchall()]
            store_bundled_boundaries(con, loaded)
    return StoredFile(kind, load_ids, notes)


# A kerncijfers file without the 0-15 year olds stores, but makes no children per wijk: said at
# once, not only on the pages later, in the words of the file that was read (a 2024 OData JSON was
# told about kwb files up to 2016). The kwb up to 2016 gives the age groups as percentages only
# (p_00_14; counts a_00_14 from kwb-2017 on): a rounded percentage is not turned into a count.
LAST_KWB_WITH_PERCENTAGES = 2016
_CHILDREN_TOPIC = {
    "kwb": "kwb-kolom a_00_14",
    "statline": "in StatLine het onderwerp '0 tot 15 jaar'",
    "odata": "in OData het onderwerp k_0Tot15Jaar",
    "cbsodata": "in OData het onderwerp k_0Tot15Jaar",
    "opendata": "in de CBS-open data de meting '0 tot 15 jaar'",
}


def _no_children_note(cbs_file) -> str:
    """What a kerncijfers file without the 0-15 year olds means, and what to load instead, for
    its kind (kwb, StatLine, OData, open data) and year."""
    year = cbs_file.table.period if str(cbs_file.table.period).isdecimal() else None
    kwb = f"kwb-{year}.xlsx" if year else "het kwb-bestand van dat jaar"
    table_id = KERNCIJFERS_TABLES.get(int(year)) if year else None
    table = f"tabel {table_id}" if table_id else "de tabel"
    if cbs_file.form == "kwb" and year and int(year) <= LAST_KWB_WITH_PERCENTAGES:
        instead = ("Kwb-bestanden tot en met 2016 geven alleen het percentage (p_00_14); dat "
                   "rekent Kindkaart niet om naar een aantal. Laad een kwb van 2017 of later, of de "
                   "kolom '0 tot 15 jaar' uit StatLine.")
    elif cbs_file.form == "kwb":
        instead = (f"Laad {kwb} van cbs.nl zoals CBS het publiceert (met de kolom a_00_14), of de "
                   f"kerncijfers{f' van {year}' if year else ''} uit StatLine met het onderwerp "
                   "'0 tot 15 jaar'.")
    elif cbs_file.form == "statline":
        instead = (f"Download {table} in StatLine opnieuw met het onderwerp '0 tot 15 jaar' (onder "
                   f"Bevolking, Leeftijdsgroepen) erbij, of laad {kwb} van cbs.nl.")
    elif cbs_file.form == "opendata":
        instead = (f"Download {table} opnieuw met de meting '0 tot 15 jaar' erbij, of laad {kwb} "
                   "van cbs.nl.")
    else:
        instead = (f"Het OData-bestand heeft een deel van de onderwerpen van {table}: download "
                   f"{table} opnieuw met k_0Tot15Jaar erbij (of haal de hele tabel op bij CBS: knop "
                   f"Laden op Gemeente laden, of load-cbs), of laad {kwb} van cbs.nl.")
    return (f"Dit bestand heeft geen aantal kinderen van 0 tot 15 jaar ({_CHILDREN_TOPIC[cbs_file.form]}): "
            f"de andere cijfers zijn opgeslagen, maar voor {year or 'dit jaar'} maakt Kindkaart "
            f"hiermee geen kinderen per wijk. {instead}")


# The description files cbsodata writes beside the data (TypedDataSet.json): no figures in them.
# UntypedDataSet.json is no description: it is the data with every figure as text (OData v3's
# UntypedDataSet, saved from the browser), and was refused as having no figures.
METADATA_FILES = ("dataproperties", "tableinfos", "categorygroups")
_METADATA_MARKS = ('"Cbs.OData.', '"ShortTitle"', '"Identifier"')


def _has_children(table) -> bool:
    """Whether a row of the table has the 0-15 year olds. cbsodata saves the whole DataProperties
    beside a selection of columns (get_data(select=...)): a topic described but in no row said
    'alleen gemeentecijfers, geen wijken' of a file of every wijk, and not that the ages lacked."""
    key = table.topic_keys().get("k_0Tot15Jaar")
    return key is not None and any(key in record for record in table.records)


def _refuse_metadata(path: Path) -> None:
    """A cbsodata description file (DataProperties.json, TableInfos.json, ...) is refused with
    what to read instead, not taken for a file without data or of an unknown year."""
    if path.suffix.lower() != ".json" or not path.is_file():
        return
    with path.open(encoding="utf-8-sig", errors="replace") as handle:
        head = handle.read(4096)
    if path.stem.lower() in METADATA_FILES or (
            head.lstrip().startswith("[") and any(mark in head for mark in _METADATA_MARKS)):
        raise InputRefused(
            f"Bestand {path.name} beschrijft een CBS-tabel (onderwerpen, titels; zoals cbsodata het "
            "naast de gegevens opslaat) maar bevat geen cijfers. Lees de gegevens zelf in: "
            "TypedDataSet.json uit dezelfde map, de hele map, of het kwb-bestand (kwb-2024.xlsx).")


def _refuse_topojson(path: Path) -> None:
    """TopoJSON (cartomap/nl publishes every CBS map as .geojson and as .topojson) is refused with
    what to read instead, not as an unknown file type or 'geen lijst met CBS-rijen'."""
    if not path.is_file() or path.suffix.lower() not in {".topojson", ".json"}:
        return
    with path.open(encoding="utf-8-sig", errors="replace") as handle:
        head = handle.read(4096)
    if path.suffix.lower() == ".topojson" or re.search(r'"type"\s*:\s*"Topology"', head):
        raise InputRefused(
            f"Bestand {path.name} is een kaart als TopoJSON. Kindkaart leest grenzen als GeoJSON of "
            "als GeoPackage: download dezelfde kaart als GeoJSON (bij cartomap het bestand .geojson "
            "in plaats van .topojson), of zet haar om met mapshaper of QGIS. Er is niets opgeslagen.")




def _refuse_nested_zip(path: Path) -> None:
    """A zip whose only content is another zip (the CBS download, or the wijk- en buurtkaart,
    zipped again) is refused naming the inner zip, not with 'dit bestandstype (.zip) kan niet
    worden gelezen zonder Observations.csv erin'."""
    if path.suffix.lower() != ".zip" or not path.is_file():
        return
    try:
        with zipfile.ZipFile(path) as archive:
            names = [info.filename for info in archive.infolist() if not info.is_dir()
                     and not info.filename.startswith("__MACOSX/")]
    except DAMAGED_ZIP:
        return  # a damaged zip: the readers say so in their own words
    inner = [name for name in names if name.lower().endswith(".zip")]
    others = [name for name in names if not name.lower().endswith((".zip", *archives.ZIP_EXTRAS))]
    if inner and not others:
        shown = ", ".join(Path(name).name for name in inner[:3]) + (
            f" en nog {len(inner) - 3}" if len(inner) > 3 else "")
        first = Path(inner[0]).name
        raise InputRefused(
            f"Bestand {path.name}: het zip-bestand bevat een ander zip-bestand ({shown}): pak dat "
            f"eerst uit en lees {first} zelf in. Er is niets opgeslagen.")


def retrieved_at(path: Path) -> datetime:
    """When a hand-downloaded file was fetched (loads.retrieved_at, 'Opgehaald op'): its
    modification time; for a zip the date of the data files inside (archives.data_date), as the
    zip's own is when it was saved from a mail or uploaded, else the zip's own date."""
    if path.suffix.lower() == ".zip" and path.is_file():
        inside = archives.data_date(path)
        if inside is not None:
            return inside
    return datetime.fromtimestamp(path.stat().st_mtime)


def _store_one(con, path: Path, gemeenten, year, replace: bool, notes: list[str],
               of_account: bool = False) -> tuple[str, list[int]]:
    _refuse_metadata(path)
    _refuse_topojson(path)
    _refuse_nested_zip(path)
    if _is_geojson(path):
        return _import_geojson(con, path, gemeenten, year, notes, of_account)
    inner = _zipped_geojsons(path)
    if len(inner) == 1:
        # boundaries zipped to be sent or as downloaded (wijken_2024.zip with wijken_2024.geojson):
        # read as the GeoJSON, the year from the zip's name, else from the GeoJSON's own name
        with archives.unpacked(path, lambda info: info.filename == inner[0], noun="GeoJSON-bestand",
                               max_bytes=MAX_ANSWER_BYTES) as folder:
            return _import_geojson(con, folder / Path(inner[0]).name, gemeenten, year, notes,
                                   of_account, name_year=year_in_file_name(path.name),
                                   retrieved=retrieved_at(path))
    if inner:
        frame, name_year = _zipped_geojson_frames(path, inner, year, notes)
        return _import_geojson(con, path, gemeenten, year, notes, of_account, frame=frame,
                               name_year=name_year)
    member = geopackage.zipped_geopackage(path)
    if member is not None or geopackage.is_geopackage(path):
        return _import_geopackage(con, path, member, gemeenten, year, notes, of_account)
    if path.is_file() and path.suffix.lower() == ".gpkg":
        # named as the wijk- en buurtkaart but no SQLite file: not 'dit bestandstype (.gpkg) kan
        # niet worden gelezen', as Kindkaart does read GeoPackages
        what = "het bestand is leeg" if path.stat().st_size == 0 else "het begint niet zoals een GeoPackage"
        raise InputRefused(f"Bestand {path.name}: geen GeoPackage ({what}); het is beschadigd of "
                           "onvolledig. Download de wijk- en buurtkaart opnieuw bij CBS of PDOK. Er "
                           "is niets opgeslagen.")
    geopackage.refuse_shapefile(path)
    if _is_postcode_file(path):
        return _import_postcodes(con, path, gemeenten, year, notes, of_account)
    cbs_file = read_cbs_file(path, year=year, gemeenten=gemeenten)
    if gemeenten:
        present = (set(population_by_age_frame(cbs_file.table)["gemeente_code"])
                   if cbs_file.kind == "bevolking-leeftijd" else gemeenten_in_table(cbs_file.table))
        present |= cbs_file.left_out
        if not present - {NATIONAL_CODE} and cbs_file.kind in _BY_REGION:
            # Nederland alone, or no region at all: said as it is without a gemeente
            raise no_regions_refused(cbs_file.table, path.name)
        kept = _kept(path, gemeenten, present, of_account, notes)
        if not of_account:
            notes += _left_out_note(present - set(kept) - {NATIONAL_CODE})
        gemeenten = kept
    if cbs_file.kind == "bevolking-leeftijd":
        notes += population_by_age_notes(cbs_file.table)
    children = _has_children(cbs_file.table)
    if cbs_file.kind == "kerncijfers" and not children:
        notes.append(_no_children_note(cbs_file))
    file_hash = store.file_sha256(path) if path.is_file() else None
    retrieved = retrieved_at(path)
    options = {"replace": replace} if cbs_file.kind in REPLACEABLE else {}
    if cbs_file.kind == "bevolking-leeftijd":
        options["notes"] = notes  # former gemeenten (a herindeling) are named, not stored
    with store.transaction(con):
        load_ids = STORERS[cbs_file.kind](
            con, cbs_file.table, gemeenten=gemeenten, file_name=path.name, file_hash=file_hash,
            retrieved_at=retrieved, **options,
        )
        if not load_ids:
            raise InputRefused(f"Bestand {path.name}: geen gegevens voor de gekozen gemeente(n).")
        if cbs_file.kind == "kerncijfers" and children:
            notes += _without_wijken_note(con, load_ids)
        if cbs_file.kind == "jeugdzorg-wijk":
            notes += _jeugdmonitor_note(con, load_ids)
    return cbs_file.kind, load_ids


# The Jeugdmonitor's columns that the map shows (transforms/sql/marts/cbs_jeugdzorg_by_wijk.sql),
# with the words of their map indicators (ui/jeugdmonitor.py)
_JEUGDMONITOR_SHOWN = {"k_0Tot4Jaar": "Kinderen 0-4 jaar", "k_4Tot12Jaar": "Kinderen 4-12 jaar",
                       "TotaalJongerenMetJeugdzorgInNatura": "Jongeren tot 23 jaar",
                       "JongerenMetJeugdzorgInNatura": "Jongeren tot 23 jaar",
                       "JongerenMetJeugdzorg": "Jongeren tot 23 jaar"}


def _jeugdmonitor_note(con, load_ids: list[int]) -> list[str]:
    """Where the Jeugdmonitor per wijk is shown (the Kaart), or, for a file without a wijk with
    the young people in total or by age (a selection of other topics, or of the gemeente alone),
    that it is stored but shows nothing, with what to download."""
    found = con.execute(
        "select list(distinct stem), list(distinct year order by year) from raw_cbs__jeugdzorg"
        " where load_id in (select unnest(?::integer[])) and region_level = 'wijk'"
        " and stem in (select unnest(?::varchar[]))", [load_ids, list(_JEUGDMONITOR_SHOWN)]).fetchone()
    stems, years = found if found and found[0] else ([], [])
    if stems:
        shown = list(dict.fromkeys(label for stem, label in _JEUGDMONITOR_SHOWN.items() if stem in stems))
        said = " of ".join(f"'{label} met jeugdzorg (CBS Jeugdmonitor)'" for label in shown)
        return [info(f"Te zien op de Kaart ({', '.join(map(str, years))}): kies de indicator {said}.")]
    return ["Dit bestand heeft geen wijken met het aantal jongeren met jeugdzorg in natura (de "
            "onderwerpen 'Totaal jongeren met jeugdzorg in natura', '0 tot 4 jaar' en '4 tot 12 "
            "jaar'): het is opgeslagen, maar Kindkaart toont er niets van. Download de tabel in "
            "StatLine opnieuw met die onderwerpen en bij 'Wijken' de wijken van uw gemeente."]


def _without_wijken_note(con, load_ids: list[int]) -> list[str]:
    """A kerncijfers file of only buurten, or only the gemeente (a StatLine selection without the
    wijken), stored but made no children per wijk: said at once, with what to download, unless an
    earlier load gave that gemeente and year its wijken. One note per year and kind of file."""
    rows = con.execute(
        """
        select l.year, bool_or(k.region_level = 'buurt'), list(distinct l.gemeente_code order by l.gemeente_code)
        from loads as l
        inner join raw_cbs__kerncijfers as k using (load_id)
        where l.load_id in (select unnest(?::integer[]))
          and not exists (
              select 1 from raw_cbs__kerncijfers as w
              inner join loads as wl on wl.load_id = w.load_id and wl.status = 'active'
                  and wl.dataset = 'kerncijfers'
              where w.year = l.year and w.region_level = 'wijk' and w.stem = 'k_0Tot15Jaar'
                and w.region_code like 'WK' || substr(l.gemeente_code, 3, 4) || '%')
        group by l.year order by l.year
        """, [load_ids]).fetchall()
    notes = []
    for year, buurten, gemeenten in rows:
        held = "alleen buurten" if buurten else "alleen gemeentecijfers"
        shown = ", ".join(gemeenten[:5]) + (f" en nog {len(gemeenten) - 5}" if len(gemeenten) > 5 else "")
        notes.append(
            f"Dit bestand heeft {held}, geen wijken ({shown}, {year}): het is opgeslagen, maar "
            "Kindkaart rekent per wijk en maakt hiermee geen kinderen per wijk"
            + (" (buurten worden niet opgeteld tot een wijk: CBS rondt elke buurt apart af en houdt "
               "kleine buurten geheim)" if buurten else "")
            + f". Download de kerncijfers van {year} met de wijken erbij: kwb-{year}.xlsx van "
            "cbs.nl, of in StatLine bij 'Wijken en buurten' ook de wijken (of 'Alles') kiezen.")
    return notes
