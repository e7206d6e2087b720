"""Upload benchmark: validate and import a large partner workbook vs reading its cells with calamine."""

from __future__ import annotations

import io
import os
import shutil
import statistics
from datetime import date
from itertools import cycle

SOORT = "vve-indicaties"


def workbook(con, soort: str, gemeente_code: str, rows: int,
             organisation: str = "GGD Benchmark (JGZ)", period: str = "2024") -> bytes:
    """The real template of `soort`, filled with `rows` valid rows over the gemeente's wijken."""
    import openpyxl  # noqa: I001  (data_sources.registrations may be absent: then unsorted)

    from data_sources.registrations import template
    from data_sources.registrations.schemas import registration_type

    rtype = registration_type(soort)
    buffer = io.BytesIO()
    template.write_template(soort, buffer, con, gemeente_code=gemeente_code)
    book = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    data = book[template.DATA_SHEET]
    wijken = cycle(r[0] for r in con.execute(
        "select region_code from regions where region_level = 'wijk' and gemeente_code = ?"
        " and year = (select max(year) from regions) order by 1", [gemeente_code]).fetchall())
    choices = {c.name: cycle(c.choices) for c in rtype.columns if c.choices}
    for r in range(2, rows + 2):
        for c, column in enumerate(rtype.columns, start=1):
            if column.kind == "location":
                value = next(wijken)
            elif column.kind == "choice":
                value = next(choices[column.name])
            elif column.kind == "count" and rtype.per_child and not column.required:
                value = None  # one row per child, as partners that register per child deliver
            elif column.kind == "count":
                value = 1 + r % 3
            elif column.kind == "number":
                value = 1.5
            elif column.kind == "age":
                value = r % 13
            elif column.kind == "date":
                value = date(2024, 1 + r % 12, 1)
            else:
                value = f"Locatie {r % 50}"
            data.cell(row=r, column=c, value=value)
    meta = book[template.META_SHEET]
    for row in meta.iter_rows(min_row=2):
        field = row[0].value
        if field == "organisatie":
            row[1].value = organisation
        elif field == "periode":
            row[1].value = period
        elif field == "definitie":
            row[1].value = "Synthetische registratie voor de snelheidsmeting"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read_cells(data: bytes) -> int:
    """Every cell of every sheet with python-calamine (the floor): returns the number of rows."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return sum(len(book.get_sheet_by_name(name).to_python()) for name in book.sheet_names)


def measure(ctx, rows: int, Row, median_seconds) -> list:  # noqa: N803  (Row is a class)
    """Median of validating and importing the workbook into a fresh copy of the national store,
    without and with rebuilding the marts, against reading its cells."""
    from data_sources import jobs, store  # noqa: I001
    from data_sources.registrations.importing import import_workbook
    from data_sources.registrations.reading import MAX_ROWS

    gemeente = ctx.summary.largest_gemeente if ctx.summary else "GM9999"
    rows = min(rows, MAX_ROWS - 1)  # the reader's own limit counts the header row
    path = ctx.work_dir / "upload.duckdb"
    shutil.copy(ctx.db_path, path)
    con = store.connect(path)
    try:
        data = workbook(con, SOORT, gemeente, rows)
    finally:
        con.close()
    state = {}

    def fresh_store() -> None:
        if "con" in state:
            state["con"].close()
        shutil.copy(ctx.db_path, path)
        state["con"] = store.connect(path)
        # The copy leaves ~150 MB of unwritten pages; without this the import's commit (an fsync)
        # would pay for writing the benchmark's own copy to disk.
        os.sync()

    def upload(build: bool) -> None:
        # With the build: the job the page runs (upload and rebuild in one transaction).
        importer = jobs.import_registration if build else import_workbook
        importer(state["con"], data, SOORT, "GGD Benchmark (JGZ)", "2024", "benchmark.xlsx",
                 gemeente_code=gemeente)

    try:
        # Upload and floor take turns, so that whatever else the machine does weighs on both.
        seconds, floor = [], []
        for _ in range(ctx.repeats):
            seconds.append(median_seconds(lambda: upload(False), 1, setup=fresh_store))
            floor.append(median_seconds(lambda: read_cells(data), 1))
        seconds, floor = statistics.median(seconds), statistics.median(floor)
        with_build = median_seconds(lambda: upload(True), ctx.repeats, setup=fresh_store)
    finally:
        if "con" in state:
            state["con"].close()
    label = f"{SOORT}, {rows:_} rijen, {len(data) / 1e6:.1f} MB".replace("_", ".")
    return [Row("Upload", f"{label}: controleren en opslaan", seconds, "s", floor,
                "cellen lezen (python-calamine)", "≤ 3 × vloer", seconds <= 3 * floor,
                note=f"met marts herbouwen {with_build:.2f} s")]
