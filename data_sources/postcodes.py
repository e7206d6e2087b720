"""The CBS postcode-huisnummer file (PC6 -> buurt, wijk, gemeente) into the postcodes table."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import duckdb
import pandas as pd

from data_sources import store
from data_sources.errors import InputRefused, unreadable

_COLUMN = re.compile(r"^(buurt|wijk|gemeente)(?:code)?_?(\d{4})?$", re.IGNORECASE)


def read_postcode_file(path: str | Path) -> tuple[int | None, pd.DataFrame]:
    """Read 'pc6hnr<date>_gwb.csv' (PC6;Huisnummer;Buurt<jaar>;Wijk<jaar>;Gemeente<jaar>, codes
    without prefix). Returns (year, frame of pc6, buurt_code, wijk_code, gemeente_code), one row
    per PC6: the buurt that holds most of its addresses."""
    path = Path(path)
    try:
        raw = pd.read_csv(path, sep=None, engine="python", dtype=str, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise InputRefused(f"Bestand {path.name}: niet leesbaar als postcodebestand: {unreadable(exc)}.") from None
    columns, year = {}, None
    for column in raw.columns:
        name = column.strip()
        if name.upper() == "PC6":
            columns["pc6"] = column
        match = _COLUMN.match(name)
        if match:
            columns[match.group(1).lower()] = column
            year = int(match.group(2)) if match.group(2) else year
    missing = [c for c in ("pc6", "buurt", "wijk", "gemeente") if c not in columns]
    if missing:
        raise InputRefused(
            f"Bestand {path.name}: kolommen {', '.join(missing)} ontbreken; verwacht "
            "PC6;Huisnummer;Buurt<jaar>;Wijk<jaar>;Gemeente<jaar>."
        )
    frame = pd.DataFrame({
        "pc6": raw[columns["pc6"]].str.replace(" ", "").str.upper(),
        "buurt_code": "BU" + raw[columns["buurt"]].str.strip().str.zfill(8),
        "wijk_code": "WK" + raw[columns["wijk"]].str.strip().str.zfill(6),
        "gemeente_code": "GM" + raw[columns["gemeente"]].str.strip().str.zfill(4),
    }).dropna()
    frame = (
        frame.groupby(["pc6", "buurt_code", "wijk_code", "gemeente_code"]).size()
        .reset_index(name="addresses")
        .sort_values(["pc6", "addresses"], ascending=[True, False])
        .drop_duplicates("pc6")
        .drop(columns="addresses")
    )
    return year, frame.reset_index(drop=True)


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
        raise InputRefused("Geen postcodes gevonden voor deze gemeente(n).")
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
