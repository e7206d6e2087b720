"""Write an export to a file: the form follows the file's extension."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd

from data_sources import store
from data_sources.errors import InputRefused
from outputs import report
from outputs.exports import build_sheets, csv_bytes, export_workbook


def export_bytes(con: duckdb.DuckDBPyConnection, path: Path, gemeente_code: str, year: int,
                 wijk_code: str | None = None) -> bytes:
    """The export that the file extension asks for: .xlsx (workbook), .csv (children per wijk),
    .html (gemeente report, or the wijk factsheet with `wijk_code`); write it with write_whole."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        data = export_workbook(con, gemeente_code, year)
    elif suffix == ".csv":
        sheets = build_sheets(con, gemeente_code, year, keys=["kinderen_per_wijk"])
        data = csv_bytes(sheets[0].frame if sheets else pd.DataFrame())
    elif suffix in (".html", ".htm"):
        data = (report.wijk_factsheet(con, gemeente_code, year, wijk_code) if wijk_code
                else report.gemeente_report(con, gemeente_code, year)).encode("utf-8")
    else:
        raise ValueError(suffix)
    return data


def write_whole(path: Path, data: bytes, before_placing: Callable[[], None] | None = None) -> None:
    """Write `data` to `path` whole or not at all: into a file beside it, put in place when
    complete. A full disk leaves no half export, and an earlier file of that name stays. The
    scratch file carries this process's id: what a killed run left (kill -9 runs no clean-up) the
    next write of this name removes, and the next write of any name into that folder once it is
    store.OTHERS_LEFT_FOR old (store.remove_dead_scratch); never the file of a process still running.
    `before_placing` runs when the file is complete, before it takes its place (an export's audit
    line: an error there leaves no file). A device, pipe or folder at `path` is refused
    (store.refuse_special_output), never replaced; a place where the file cannot be written (no
    folder, no rights, a full disk) is refused in Dutch (InputRefused, store.output_refused).
    Callers check the path first (store.check_output), before the work."""
    nothing_done = "Er is niets geschreven."
    store.refuse_special_output(path, nothing_done)
    folders = contextlib.ExitStack()
    try:
        # a folder that is not there yet takes its name with the whole file in it (store.new_folders)
        folder, place = folders.enter_context(store.new_folders(path))
    except OSError as error:
        raise InputRefused(store.output_refused(path, error, nothing_done)) from None
    with folders:
        if folder == path.parent:
            with contextlib.suppress(OSError):  # a folder that cannot be listed: the write says why
                store.remove_leftovers(path.parent, ".deel", stem=f".{path.name}")
                store.remove_dead_scratch(path.parent, ".deel", store.OTHERS_LEFT_FOR)
        scratch = folder / f".{path.name}.{os.getpid()}.deel"
        try:
            try:
                with scratch.open("wb") as out:
                    out.write(data)
                    out.flush()
                    os.fsync(out.fileno())
            except OSError as error:
                raise InputRefused(store.output_refused(path, error, nothing_done)) from None
            if before_placing is not None:
                before_placing()  # a write to the database: its own errors, said as the database's
            try:
                place(scratch)
            except OSError as error:
                raise InputRefused(store.output_refused(path, error, nothing_done)) from None
        except BaseException:
            with contextlib.suppress(OSError):
                scratch.unlink(missing_ok=True)
            raise
