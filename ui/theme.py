"""Colours: colour-blind-safe palettes (Okabe-Ito, viridis) readable on a projector; key figures
and plain tables drawn as single light elements."""

from __future__ import annotations

from outputs.palette import (  # noqa: F401  (the pages take their colours from ui.theme)
    AGE_GROUP_COLOURS,
    CATEGORICAL,
    HIDDEN_FILL,
    NIVEAU_COLOURS,
    SEQUENTIAL,
    class_breaks,
    class_colour,
)


def hex_to_rgb(colour: str, alpha: int = 220) -> list[int]:
    """'#0072B2' -> [0, 114, 178, alpha] for pydeck."""
    colour = colour.lstrip("#")
    return [int(colour[i:i + 2], 16) for i in (0, 2, 4)] + [alpha]


HIDDEN_COLOUR = hex_to_rgb(HIDDEN_FILL, alpha=200)


def sequential_colour(value: float, breaks: list[float]) -> list[int]:
    """The fill colour of a value in its class, for pydeck; grey for a hidden or missing value."""
    colour = class_colour(value, breaks)
    return HIDDEN_COLOUR if colour == HIDDEN_FILL else hex_to_rgb(colour)


def key_figures(figures: list[tuple[str, str]]) -> None:
    """Key figures in a row of large numbers with their labels, as one element (a row of
    st.metric columns is several components per figure and slows the first page in the browser).
    Labels and values are escaped; the structure is a description list for screen readers."""
    import html

    import streamlit as st

    items = "".join(
        f"<div style='flex:1 1 10rem'><dt style='font-size:0.95rem;color:#31333F'>"
        f"{html.escape(label)}</dt><dd style='margin:0;font-size:2.25rem;line-height:1.3'>"
        f"{html.escape(value)}</dd></div>"
        for label, value in figures
    )
    st.markdown(f"<dl style='display:flex;flex-wrap:wrap;gap:1rem;margin:0.5rem 0'>{items}</dl>",
                unsafe_allow_html=True)


_VISUALLY_HIDDEN = ("position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);"
                    "white-space:nowrap")


def html_table(columns: list[str], rows: list[list[str]], caption: str, *, numeric_from: int = 0,
               total_last: bool = False) -> None:
    """A plain table as one element: header cells with their scope, numbers right-aligned (the
    columns from `numeric_from` on), horizontal rules only, and a caption for screen readers
    (hidden on screen: the page's heading says it). With `total_last` the last row is the total,
    in bold in the table's foot. Cells are escaped. (st.table converts its data with pandas; the
    first page draws without it.)"""
    import html

    import streamlit as st

    def cells(row: list[str], tag: str) -> str:
        scope = " scope='col'" if tag == "th" else ""
        return "".join(
            f"<{tag}{scope} style='text-align:{'right' if i >= numeric_from else 'left'};"
            f"padding:0.4rem 0.75rem;border:none;border-bottom:1px solid #d0d0d6'>"
            f"{html.escape(str(value))}</{tag}>"
            for i, value in enumerate(row)
        )

    body, foot = (rows[:-1], rows[-1:]) if total_last else (rows, [])
    head = f"<thead><tr>{cells(columns, 'th')}</tr></thead>"
    body_html = "".join(f"<tr>{cells(row, 'td')}</tr>" for row in body)
    foot_html = "".join(f"<tr style='font-weight:600'>{cells(row, 'td')}</tr>" for row in foot)
    foot_html = f"<tfoot>{foot_html}</tfoot>" if foot_html else ""
    st.markdown(
        f"<table style='border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums'>"
        f"<caption style='{_VISUALLY_HIDDEN}'>{html.escape(caption)}</caption>{head}"
        f"<tbody>{body_html}</tbody>{foot_html}</table>",
        unsafe_allow_html=True,
    )
