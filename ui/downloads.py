"""Download buttons for pages: tables as Excel and CSV, charts as interactive HTML (PNG via the modebar).

Files are made when a button is clicked. Until then nothing here needs pandas or the Excel
writer, so a page with download buttons draws without loading them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

import streamlit as st

from transforms.privacy import SuppressedTable
from ui.auth import audited
from ui.safe import chart_figure

if TYPE_CHECKING:
    import pandas as pd
    import plotly.graph_objects as go

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def file_stem(name: str) -> str:
    """A safe file name stem: 'Kinderen per wijk 2024' -> 'kinderen-per-wijk-2024'."""
    stem = re.sub(r"[^a-z0-9]+", "-", name.lower().replace("ü", "u").replace("ë", "e")).strip("-")
    return stem or "kindkaart"


def chart_config(name: str, scale: int = 2) -> dict:
    """plotly config for st.plotly_chart: the modebar's camera button saves a PNG with this name."""
    return {
        "displaylogo": False,
        "toImageButtonOptions": {"format": "png", "filename": file_stem(name), "scale": scale},
    }


def _as_frame(table: pd.DataFrame | SuppressedTable) -> pd.DataFrame:
    if isinstance(table, SuppressedTable):
        from outputs.exports import shown_frame

        return shown_frame(table)
    return table


def table_downloads(frame: pd.DataFrame | SuppressedTable | Callable[[], pd.DataFrame | SuppressedTable],
                    name: str, notes: list[str] | None = None, key: str | None = None,
                    columns: dict[str, str] | None = None) -> None:
    """Two buttons: the table as Excel (with an explanation sheet) and as CSV. Pass what the
    screen shows (a SuppressedTable or an already protected frame, or a function that makes one
    when a file is asked for): downloads never show more. `columns` renames columns for the
    file (as the screen does)."""
    def shown() -> pd.DataFrame:
        return _as_frame(frame() if callable(frame) else frame).rename(columns=columns or {})

    def excel() -> bytes:
        from outputs.exports import Sheet, workbook_bytes

        return workbook_bytes([Sheet(name, shown(), list(notes or []))], title=name)

    def csv() -> bytes:
        from outputs.exports import csv_bytes

        return csv_bytes(shown())

    stem = file_stem(name)
    key = key or stem
    left, right = st.columns([1, 1, 4])[:2]
    left.download_button(
        "Excel", data=audited(f"{stem}.xlsx", excel), file_name=f"{stem}.xlsx", mime=XLSX_MIME,
        icon=":material/download:",
        key=f"{key}_xlsx", on_click="ignore",
    )
    right.download_button(
        "CSV", data=audited(f"{stem}.csv", csv), file_name=f"{stem}.csv", mime="text/csv", icon=":material/download:",
        key=f"{key}_csv", on_click="ignore",
    )


def chart_html(figure: go.Figure, title: str) -> str:
    """The chart as a standalone interactive HTML page (plotly.js inside, works offline)."""
    return chart_figure(figure).to_html(include_plotlyjs=True, full_html=True, config=chart_config(title),
                          default_width="100%", default_height="90vh")


def chart_downloads(figure: go.Figure, name: str, key: str | None = None) -> None:
    """A button for the interactive HTML of a chart; PNG comes from the camera in the chart's modebar."""
    stem = file_stem(name)
    st.download_button(
        "Interactieve grafiek (HTML)", data=audited(f"{stem}.html", lambda: chart_html(figure, name)),
        file_name=f"{stem}.html",
        mime="text/html", icon=":material/download:", key=f"{key or stem}_html", on_click="ignore",
        help="Een PNG-afbeelding bewaart u met het fototoestel rechtsboven in de grafiek.",
    )
