"""Text from outside (links, files, accounts, organisations, scenarios) shown as plain text.

Every Streamlit text element (st.warning, st.caption, st.markdown, a title, ...) renders markdown,
and pages write text from outside into them: a query parameter, a file or sheet name, a cell, an
organisation, login or scenario name. Unescaped, `![](http://...)` makes every browser that shows
it fetch a foreign image and `[...](https://...)` puts a foreign link in a trusted notice. One
helper, one code path: `plain()` before any such text goes into markdown (or, inside our own HTML,
outputs.html.esc).
"""

from __future__ import annotations

import re

# What could make the browser show a link or fetch anything, each escaped with a backslash (then it
# stands for itself): links and images ([ ] !), HTML tags and <autolinks> (< >), entities (&),
# LaTeX ($), code (`), the backslash itself, and the autolink literals of GitHub markdown:
# "http://" and the like (the colon of "://"), "www." and e-mail addresses (@). Streamlit's colour
# directives (:red[...]) need a "[" too. Emphasis, headings and the like only change how the text
# looks; their characters (* _ # : . -) stay as they are, so that file names, columns
# (a_00_14) and messages read as they are.
_SPECIAL = re.compile(r"([\\\[\]!<>&$`@]|(?<=[A-Za-z]):(?=//)|(?<=[Ww]{3})\.)")


def plain(value: object) -> str:
    """`value` as text that markdown shows literally, on one line (a line break in a name could
    start a heading or a list)."""
    return _SPECIAL.sub(r"\\\1", " ".join(str(value).split()))


# plotly draws a small set of HTML tags in every label, tick, legend entry and hover text: <a href>
# (a link anywhere), <span style> (any look), <b>, <i>, <sup>, ... Text from outside (a wijk name
# from a CBS file, a scenario or catchment name) with "<" as an entity is shown as it is. Our own
# line breaks (<br>, ui.scenarios) stay.
_TAG_START = re.compile(r"<(?!br>)")
_TRACE_TEXT = ("x", "y", "text", "name", "hovertext", "customdata", "labels", "ids", "legendgroup")


def chart_text(value: object) -> str:
    """`value` as a plotly label that shows itself: no tag in it is drawn."""
    return _TAG_START.sub("&lt;", str(value))


def _escaped(value: object) -> tuple[object, bool]:
    # (value with every string escaped, whether anything changed); lists, tuples and arrays nested
    if isinstance(value, str):
        escaped = chart_text(value)
        return escaped, escaped != value
    if isinstance(value, (list, tuple)) or getattr(getattr(value, "dtype", None), "kind", None) == "O":
        items = [_escaped(item) for item in value]
        if any(changed for _, changed in items):
            return [item for item, _ in items], True
    return value, False


def chart_figure(figure):
    """`figure` with every text taken from data escaped for plotly (chart_text): trace values,
    names and texts, the title and annotations. Changes the figure in place and returns it."""
    for trace in figure.data:
        for attribute in _TRACE_TEXT:
            value = getattr(trace, attribute, None)
            if value is None:
                continue
            escaped, changed = _escaped(value)
            if changed:
                setattr(trace, attribute, escaped)
    title = figure.layout.title.text
    if title:
        figure.layout.title.text = chart_text(title)
    for annotation in figure.layout.annotations:
        if annotation.text:
            annotation.text = chart_text(annotation.text)
    return figure


def pandas_settled() -> None:
    """Wait until pandas is fully imported when another session's thread is importing it.
    plotly looks pandas up in sys.modules while it builds and sends a figure; on a freshly started
    server a page without pandas of its own (Overzicht) met the half-initialised module of another
    session ("partially initialized module 'pandas'"). An import statement waits for it; when no
    thread has started importing pandas, nothing is imported (the first page stays light)."""
    import sys

    if "pandas" in sys.modules:
        import pandas  # noqa: F401


# Room above the plot area of a chart whose title stands above it as page text: the hidden
# title still takes its place in the layout, so the margin is only what the title needs (plotly's
# title.automargin pushes it open), not the 60-100 px a chart sets for a title it shows.
TITLE_MARGIN = 8


def tight_title(figure) -> None:
    """Set `figure`'s top margin to what its title needs and no more: the title sits just above the
    plot area (for the PNG from the modebar, where it shows), the legend keeps its own room. A chart
    with a text above its plot area (panel titles) keeps its margin: such text does not push it."""
    above = any((a.yref or "paper").endswith(("paper", "domain")) and a.y is not None
                and (a.y > 1 or (a.y == 1 and a.yanchor != "top")) for a in figure.layout.annotations)
    if above:
        return
    figure.update_layout(margin_t=TITLE_MARGIN, title={"automargin": True, "yref": "paper", "y": 1,
                                                        "yanchor": "bottom", "pad": {"b": 8}})


def plotly_chart(figure, wide: bool | None = None, **kwargs) -> None:
    """st.plotly_chart for every chart of Kindkaart: text from outside cannot draw a link or
    restyle the chart (chart_figure), and the text has enough contrast: drawn without Streamlit's
    chart theme (its grey ticks and legends are 3.7:1), in the house look (ui.theme.screen_look).
    The title stands as text above the chart. A `wide` chart (by default: one of panels side by
    side) keeps its width on a narrow screen and scrolls sideways in its own box there."""
    import streamlit as st

    from ui import theme

    pandas_settled()
    kwargs.setdefault("theme", None)
    if kwargs["theme"] is None:
        theme.screen_look(figure)
    if title := figure.layout.title.text:
        # plotly draws its title as SVG text on one line: cut off on a narrow screen (WCAG 1.4.10)
        # and with wider letter spacing (1.4.12). As page text it wraps; on screen the chart's own
        # title is hidden (ui.a11y's style), in the figure it stays for the PNG.
        from outputs.html import esc

        text = esc(re.sub(r"<br\s*/?>", " ", title, flags=re.IGNORECASE))
        st.markdown(f"<p class='kk-chart-title'>{text}</p>", unsafe_allow_html=True)
        tight_title(figure)
    if wide is None:
        wide = sum(1 for name in figure.layout if name.startswith("xaxis")) > 1
    if wide:
        # panels side by side do not fit a narrow screen (320 px, WCAG 1.4.10): there the chart
        # keeps its width and scrolls sideways in its own box (ui.a11y's style and script)
        with st.container(key=f"kk_breed_{kwargs.get('key', 'grafiek')}"):
            st.plotly_chart(chart_figure(figure), **kwargs)
    else:
        st.plotly_chart(chart_figure(figure), **kwargs)
