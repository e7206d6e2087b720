"""Write an export to a file: the form follows the file's extension."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from outputs import report
from outputs.exports import build_sheets, csv_bytes, export_workbook


def write_export(con: duckdb.DuckDBPyConnection, path: Path, gemeente_code: str, year: int,
                 wijk_code: str | None = None) -> Path:
    """Write the export that the file extension asks for: .xlsx (workbook), .csv (children per wijk),
    .html (gemeente report, or the wijk factsheet with `wijk_code`)."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        path.write_bytes(export_workbook(con, gemeente_code, year))
    elif suffix == ".csv":
        sheets = build_sheets(con, gemeente_code, year, keys=["kinderen_per_wijk"])
        path.write_bytes(csv_bytes(sheets[0].frame if sheets else pd.DataFrame()))
    elif suffix in (".html", ".htm"):
        html = (report.wijk_factsheet(con, gemeente_code, year, wijk_code) if wijk_code
                else report.gemeente_report(con, gemeente_code, year))
        path.write_text(html, encoding="utf-8")
    else:
        raise ValueError(suffix)
    return path
