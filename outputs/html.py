"""HTML pieces for reports and slides: escaping and a table of text and numbers."""

from __future__ import annotations

import html
import math

import pandas as pd

from transforms.privacy import format_number


def esc(text: object) -> str:
    """Text made safe for HTML content and attribute values."""
    return html.escape(str(text), quote=True)


def html_table(frame: pd.DataFrame, decimals: int = 0) -> str:
    """A table of text and numbers (Dutch number format); text is escaped."""
    head = "".join(f"<th>{esc(c)}</th>" for c in frame.columns)
    rows = []
    for record in frame.itertuples(index=False):
        cells = []
        for value in record:
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                cells.append(f'<td class="num">{esc(format_number(value, decimals))}</td>')
            elif value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
                cells.append("<td></td>")
            else:
                cells.append(f"<td>{esc(value)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
