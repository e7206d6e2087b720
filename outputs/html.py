"""HTML pieces for pages, reports and slides: escaping and one table writer."""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from outputs.palette import TABLE_RULE
from transforms.privacy import format_number

if TYPE_CHECKING:
    import pandas as pd

VISUALLY_HIDDEN = ("position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);"
                   "white-space:nowrap")
# Inline styles for a table drawn on a page (the report styles its tables with a style sheet).
# The line under each row has the report's colour (3:1 on white, WCAG 1.4.11): on a page cells
# wrap too (a wijk's name of 56 characters, the route of its figures, at 1280 px on a projector
# every row of Overzicht took two lines), and a light grey is lost on a projector. Each cell
# starts at the top, as in the report, so that a row's first lines stand side by side.
_CELL_STYLE = (f"padding:0.4rem 0.75rem;border:none;border-bottom:1px solid {TABLE_RULE};"
               "vertical-align:top")
_TABLE_STYLE = "border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums"

# (text, is_number): a number is right-aligned
Cell = tuple[str, bool]


def esc(text: object) -> str:
    """Text made safe for HTML content and attribute values."""
    return html.escape(str(text), quote=True)


def table(header: Sequence[Cell], rows: Sequence[Sequence[Cell]], *, caption: str | None = None,
          total_last: bool = False, inline_style: bool = False) -> str:
    """A table: header cells with their scope, numbers (and, on a page, their column headers)
    right-aligned, text escaped. A caption is
    for screen readers (hidden on screen: the heading above says it). With `total_last` the last
    row is the total, in the table's foot. `inline_style` for a page (no style sheet there)."""

    def cells(row: Sequence[Cell], tag: str) -> str:
        scope = " scope='col'" if tag == "th" else ""
        out = []
        for text, number in row:
            if inline_style:
                style = f" style='text-align:{'right' if number else 'left'};{_CELL_STYLE}'"
            else:
                style = " class='num'" if number else ""
            out.append(f"<{tag}{scope}{style}>{esc(text)}</{tag}>")
        return "".join(out)

    body, foot = (rows[:-1], rows[-1:]) if total_last else (rows, [])
    head_html = f"<thead><tr>{cells(header, 'th')}</tr></thead>"
    body_html = "".join(f"<tr>{cells(row, 'td')}</tr>" for row in body)
    foot_html = "".join(f"<tr style='font-weight:600'>{cells(row, 'td')}</tr>" for row in foot)
    foot_html = f"<tfoot>{foot_html}</tfoot>" if foot_html else ""
    caption_html = (f"<caption style='{VISUALLY_HIDDEN}'>{esc(caption)}</caption>"
                    if caption else "")
    table_style = f" style='{_TABLE_STYLE}'" if inline_style else ""
    return (f"<table{table_style}>{caption_html}{head_html}<tbody>{body_html}</tbody>"
            f"{foot_html}</table>")


def html_table(frame: pd.DataFrame, decimals: int = 0) -> str:
    """A frame as a table of text and numbers (Dutch number format) for the report."""
    rows = []
    for record in frame.itertuples(index=False):
        row = []
        for value in record:
            if isinstance(value, (int, float)) and not isinstance(value, bool) and not math.isnan(value):
                row.append((format_number(value, decimals), True))
            elif value is None or (isinstance(value, float) and math.isnan(value)) or str(value) == "NaT":
                row.append(("", False))
            else:
                row.append((str(value), False))
        rows.append(row)
    return table([(str(c), False) for c in frame.columns], rows)
