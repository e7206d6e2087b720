"""The CBS postcode-huisnummer file (PC6 -> buurt, wijk, gemeente) into the postcodes table."""

from __future__ import annotations

import re
import shutil
import zipfile
from collections.abc import Iterable
from pathlib import Path

import duckdb
import pandas as pd

from data_sources import store
from data_sources.errors import InputRefused, refuse_encrypted, refuse_outside, unreadable
from data_sources.text import delimiter
from data_sources.workbooks import DAMAGED_ZIP

# The national file unpacks to some 250 MB; ten times that is no postcode file.
MAX_UNPACKED_BYTES = 2_500_000_000
_COLUMN = re.compile(r"^(buurt|wijk|gemeente)(?:code)?_?(\d{4})?$", re.IGNORECASE)


def read_postcode_file(path: str | Path) -> tuple[int | None, pd.DataFrame]:
    """Read 'pc6hnr<date>_gwb.csv' (PC6;Huisnummer;Buurt<jaar>;Wijk<jaar>;Gemeente<jaar>, codes
    without prefix), or the zip CBS publishes it in. Returns (year, frame of pc6, buurt_code,
    wijk_code, gemeente_code), one row per PC6: the buurt that holds most of its addresses.

    The national file has one row per address (nearly ten million, some 250 MB): DuckDB reads and
    counts it in a few seconds and little memory (pandas' sniffing reader took 50 s and 5 GB)."""
    path = Path(path)
    if is_zip(path):
        with store.scratch_folder() as folder:
            return read_postcode_file(_extract_csv(path, folder))
    try:
        with path.open(encoding="utf-8-sig") as handle:
            header = handle.readline().rstrip("\r\n")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputRefused(f"Bestand {path.name}: niet leesbaar als postcodebestand: {unreadable(exc)}.") from None
    separator = delimiter(header)
    names = [name.strip().strip('"') for name in header.split(separator)]
    columns, year = {}, None
    for index, name in enumerate(names):
        if name.upper() == "PC6":
            columns["pc6"] = index
        match = _COLUMN.match(name)
        if match:
            columns[match.group(1).lower()] = index
            year = int(match.group(2)) if match.group(2) else year
    missing = [c for c in ("pc6", "buurt", "wijk", "gemeente") if c not in columns]
    if missing:
        raise InputRefused(
            f"Bestand {path.name}: kolommen {', '.join(missing)} ontbreken; verwacht "
            "PC6;Huisnummer;Buurt<jaar>;Wijk<jaar>;Gemeente<jaar>."
        )
    column = {key: f"c{index}" for key, index in columns.items()}
    con = duckdb.connect(config=store.CONNECT_CONFIG)
    try:
        con.execute("set enable_progress_bar = false")  # a terminal running import-cbs shows no bar
        frame = con.execute(
            f"""
            with rows as (
                select upper(replace(trim({column['pc6']}), ' ', '')) as pc6,
                       {_code(column['buurt'], 'BU', 8)} as buurt_code,
                       {_code(column['wijk'], 'WK', 6)} as wijk_code,
                       {_code(column['gemeente'], 'GM', 4)} as gemeente_code,
                       {column['buurt']} as buurt, {column['wijk']} as wijk,
                       {column['gemeente']} as gemeente
                from read_csv(?, delim = ?, quote = '"', escape = '"', header = false, skip = 1,
                              auto_detect = false,
                              columns = {{{', '.join(f"'c{i}': 'VARCHAR'" for i in range(len(names)))}}})
                where nullif(trim({column['pc6']}), '') is not null
                  and nullif(trim({column['buurt']}), '') is not null
                  and nullif(trim({column['wijk']}), '') is not null
                  and nullif(trim({column['gemeente']}), '') is not null
            )
            select pc6, buurt_code, wijk_code, gemeente_code, buurt, wijk, gemeente
            from (select pc6, buurt_code, wijk_code, gemeente_code, count(*) as addresses,
                         any_value(buurt) as buurt, any_value(wijk) as wijk,
                         any_value(gemeente) as gemeente
                  from rows group by pc6, buurt_code, wijk_code, gemeente_code)
            qualify row_number() over (partition by pc6 order by addresses desc, buurt_code) = 1
            order by pc6
            """,
            [str(path), separator],
        ).df()
    except duckdb.Error as exc:
        store.raise_if_interrupted(exc)
        raise InputRefused(f"Bestand {path.name}: niet leesbaar als postcodebestand: {unreadable(exc)}.") from None
    finally:
        con.close()
    _refuse_codes_that_are_none(frame, path.name, {key: names[index] for key, index in columns.items()})
    return year, frame.drop(columns=["buurt", "wijk", "gemeente"])


def _code(column: str, prefix: str, digits: int) -> str:
    """SQL for a region code of the file as Kindkaart keeps it: CBS writes the digits alone
    ('0193', or '193' once Excel dropped the zero), other copies with their prefix ('GM0193')."""
    return (f"'{prefix}' || lpad(regexp_replace(upper(trim({column})), '^{prefix}', ''), "
            f"{digits}, '0')")


_CODES = {"buurt_code": r"^BU[0-9]{8}$", "wijk_code": r"^WK[0-9]{6}$", "gemeente_code": r"^GM[0-9]{4}$"}


def _refuse_codes_that_are_none(frame: pd.DataFrame, file_name: str, headers: dict[str, str]) -> None:
    """Refuse a file whose codes are no CBS codes (a name, a code of more digits): stored, they
    put the postcodes in no wijk, and every LRK location after them."""
    for field, pattern in _CODES.items():
        wrong = frame.loc[~frame[field].str.match(pattern), field]
        if not wrong.empty:
            level = field.removesuffix("_code")
            raise InputRefused(
                f"Bestand {file_name}, kolom {headers[level]}: {len(wrong)} postcode(s) met een code "
                f"die geen CBS-code is (bijvoorbeeld bij {frame.loc[wrong.index[0], 'pc6']}: "
                f"'{frame.loc[wrong.index[0], level].strip()}'); verwacht {_CODE_SHAPES[field]}. "
                "Er is niets opgeslagen.")


_CODE_SHAPES = {"buurt_code": "8 cijfers (03630000) of BU met 8 cijfers",
                "wijk_code": "6 cijfers (036300) of WK met 6 cijfers",
                "gemeente_code": "4 cijfers (0363) of GM met 4 cijfers"}


def is_zip(path: Path) -> bool:
    """Whether the file is a zip archive (by its first bytes, whatever its name)."""
    try:
        with path.open("rb") as handle:
            return handle.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def _extract_csv(path: Path, folder: Path) -> Path:
    """The postcode CSV from CBS's zip (pc6hnr<date>_gwb.csv beside the lists of names), extracted
    into `folder`; refused when there is none, more than one, or it unpacks suspiciously large."""
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                refuse_outside(path.name, info)  # a crafted zip: nothing in it is read
            members = [m for m in archive.infolist() if not m.is_dir()
                       and m.filename.lower().endswith((".csv", ".txt"))]
            chosen = [m for m in members if Path(m.filename).name.lower().startswith("pc6")] or members
            if len(chosen) != 1:
                raise InputRefused(
                    f"Bestand {path.name}: de zip bevat geen postcodebestand (pc6hnr…_gwb.csv)"
                    if not chosen else
                    f"Bestand {path.name}: de zip bevat meer dan één postcodebestand ("
                    + ", ".join(m.filename for m in chosen[:5])
                    + (f" en nog {len(chosen) - 5}" if len(chosen) > 5 else "")
                    + "); pak het juiste uit en lees dat in. Er is niets opgeslagen.")
            member = chosen[0]
            if member.file_size > MAX_UNPACKED_BYTES or member.file_size > 200 * max(member.compress_size, 1):
                raise InputRefused(f"Bestand {path.name}: pakt verdacht groot uit en wordt niet gelezen.")
            target = folder / Path(member.filename).name
            refuse_encrypted(path.name, member)
            with archive.open(member) as source, target.open("wb") as sink:
                shutil.copyfileobj(source, sink)
            return target
    except DAMAGED_ZIP as exc:
        raise InputRefused(f"Bestand {path.name}: de zip is beschadigd en kan niet worden gelezen "
                           f"({unreadable(exc)}).") from None


def store_postcodes(
    con: duckdb.DuckDBPyConnection,
    frame: pd.DataFrame,
    *,
    year: int,
    source: str = "cbs",
    gemeenten: Iterable[str] | None = None,
    file_name: str | None = None,
    file_hash: str | None = None,
) -> int:
    """Store the PC6 mapping of one year, replacing that year's rows of the same gemeenten.
    Call inside a transaction."""
    if gemeenten:
        frame = frame[frame["gemeente_code"].isin({g.upper() for g in gemeenten})]
    if frame.empty:
        raise InputRefused("Geen postcodes gevonden" + (" voor deze gemeente(n)." if gemeenten else
                                                        " in het bestand."))
    load_id = store.new_load(
        con, source=source, dataset="postcodes", year=year, period=str(year),
        gemeente_code=frame["gemeente_code"].iloc[0] if frame["gemeente_code"].nunique() == 1 else None,
        file_name=file_name, file_hash=file_hash, row_count=len(frame),
    )
    con.register("_postcode_frame", frame.assign(year=year, load_id=load_id))
    con.execute(
        "delete from postcodes where year = ? and gemeente_code in "
        "(select distinct gemeente_code from _postcode_frame)", [year]
    )
    con.execute(
        "insert into postcodes (year, pc6, buurt_code, wijk_code, gemeente_code, load_id)"
        " select year, pc6, buurt_code, wijk_code, gemeente_code, load_id from _postcode_frame"
    )
    con.unregister("_postcode_frame")
    return load_id
