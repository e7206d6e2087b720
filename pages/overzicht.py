"""Overzicht: children per age group per wijk, for the chosen gemeente and year.

The first page people see draws from plain arrays (ui.population.population_table), without
pandas: on a two-core machine importing it delayed the chart by most of a second.
"""

import plotly.graph_objects as go
import streamlit as st

from transforms.labels import LoadHint
from transforms.population import AGE_GROUPS_NOTE, SECRET_LABEL, figure_kind
from transforms.privacy import TOTAL_LABEL, hidden_label
from ui import a11y, theme
from ui.auth import where_to_load
from ui.downloads import chart_config, chart_downloads, table_downloads
from ui.population import (
    AGE_GROUP_LABELS,
    population_missing,
    population_table,
    profile_mismatch,
    source_note,
)
from ui.safe import pandas_settled, plain, plotly_chart
from ui.state import current_loaded, gemeente_name

MAX_WIJKEN_STANDING = 20  # more wijken than this: one line per wijk

gemeente_code, year = current_loaded()

st.title(f"Overzicht {plain(gemeente_name(gemeente_code))} {year}")
table = population_table(gemeente_code, year)
total_row = len(table.wijk_codes)  # the gemeente total comes after the wijken
if not total_row:
    st.warning(population_missing(gemeente_code, year, plain(gemeente_name(gemeente_code))))
    st.stop()

theme.key_figures([
    ("Kinderen 0-12 jaar" if label == TOTAL_LABEL else f"Kinderen {label} jaar", table.text(total_row, column))
    for column, label in enumerate([*AGE_GROUP_LABELS, TOTAL_LABEL])
])
st.caption(" ".join(filter(None, [source_note(table.source), AGE_GROUPS_NOTE, table.rounding_note()])))
# 03759ned and the kwb that disagree on the gemeente's children make every estimated wijk too high
# or too low: said beside the route, never left to the reader to find
mismatch = profile_mismatch(gemeente_code, year, plain(gemeente_name(gemeente_code))) \
    if "cbs-schatting" in table.source else ""
if mismatch:
    st.warning(mismatch)
unnamed = sum(name == code for code, name in zip(table.wijk_codes, table.wijk_names, strict=True))
if unnamed:
    # a StatLine CSV "met codes" carries no names, and wijk codes that the bundled 2024 list
    # does not know get none from it
    st.caption(f"Voor {unnamed} van de {total_row} wijken is geen naam geladen; ze staan hier met "
               f"hun CBS-code. Het kwb-bestand van {year} (kwb-{year}.xlsx) of de StatLine-CSV "
               "'met titels' geeft de namen. " + where_to_load(LoadHint("een van beide", "CBS-bestand inlezen")))
if table.unknown_wijken:
    st.warning(table.unknown_note())

pandas_settled()  # plotly peeks at pandas while it builds the figure
# A city of a hundred wijken gets one line per wijk (horizontal bars, as tall as it needs): side
# by side, plotly labelled only every other wijk name.
lying = total_row > MAX_WIJKEN_STANDING
figure = go.Figure()
for column, age_group in enumerate(AGE_GROUP_LABELS):
    names, values = list(table.wijk_names), table.values[:total_row, column].tolist()
    figure.add_bar(
        name=f"{age_group} jaar",
        x=values if lying else names,
        y=names if lying else values,
        orientation="h" if lying else "v",
        marker_color=theme.AGE_GROUP_COLOURS[age_group],
        text=[hidden_label() if hidden else "" for hidden in table.hidden[:total_row, column]],
        textposition="outside",
        # as the table shows it ('<1' for an estimate below one child)
        customdata=[[table.text(row, column)] for row in range(total_row)],
        hovertemplate=("%{y}<br>%{fullData.name}: %{customdata[0]}<extra></extra>" if lying
                       else "%{x}<br>%{fullData.name}: %{customdata[0]}<extra></extra>"),
    )
figure.update_layout(
    barmode="group",
    title=f"Kinderen per wijk en leeftijdsgroep ({figure_kind(table.is_estimate, table.source)})",
    legend_title_text="Leeftijd",
    font={"size": 16},
    separators=",.",
    height=max(480, 36 * total_row + 140) if lying else 480,
    margin={"t": 60, "b": 40},
)
if lying:
    figure.update_layout(xaxis_title="aantal kinderen", yaxis_title=None,
                         yaxis={"autorange": "reversed", "automargin": True})
else:
    figure.update_layout(xaxis_title=None, yaxis_title="aantal kinderen")
chart_name = f"Kinderen per wijk {gemeente_name(gemeente_code)} {year}"
plotly_chart(figure, width="stretch", key="overzicht_chart", config=chart_config(chart_name))
chart_downloads(figure, chart_name)
a11y.summary([
    a11y.ranking_sentence(
        [(name, None if table.hidden[row, column] else table.values[row, column], table.text(row, column))
         for row, name in enumerate(table.wijk_names)],
        noun=f"kinderen van {age_group} jaar",
        # the wijken CBS keeps secret are the same for every age group: said once, after the last
        unknown=len(table.unknown_wijken) if column == len(AGE_GROUP_LABELS) - 1 else 0)
    for column, age_group in enumerate(AGE_GROUP_LABELS)
] + ["Alle getallen van de grafiek staan in de tabel Per wijk hieronder."])

st.header("Per wijk")
headers = {"wijk_code": "Wijkcode", "wijk_name": "Wijk", **{group: f"{group} jaar" for group in AGE_GROUP_LABELS}}
columns = len(AGE_GROUP_LABELS) + 1
# Each wijk says which route made its figures; wijken CBS keeps secret are listed as unknown.
wijk_rows = [[code, name, *[table.text(row, column) for column in range(columns)], table.source_label(row)]
             for row, (code, name) in enumerate(zip(table.wijk_codes, table.wijk_names, strict=True))]
wijk_rows += [[code, name, *["onbekend"] * columns, SECRET_LABEL] for code, name in table.unknown_wijken]
wijk_rows.sort(key=lambda row: row[0])
# A plain HTML table, not the interactive grid: a summary of ten to a hundred rows reads better
# on a projector, prints, and is a real table for screen readers; the grid's code alone took the
# browser longer than the chart on the first page (benchmarks/run.py, first render).
theme.html_table(
    [*headers.values(), TOTAL_LABEL, "Bron"],
    [*wijk_rows, [TOTAL_LABEL, "", *[table.text(total_row, column) for column in range(columns)], ""]],
    caption=f"Kinderen per wijk en leeftijdsgroep in {gemeente_name(gemeente_code)}, {year}",
    numeric_from=2,
    total_last=True,
)


def _shown_per_wijk():
    """The table Per wijk as the downloads give it: numbers where shown, the route of each wijk's
    figures (Bron) and the wijken CBS keeps secret as 'onbekend' (as on the screen), the total
    last. Made when a file is asked for (pandas only then: see the module's docstring)."""
    from outputs.exports import children_per_wijk

    return children_per_wijk(table, dict(table.unknown_wijken))


table_downloads(_shown_per_wijk, chart_name, [source_note(table.source), *([mismatch] if mismatch else [])],
                columns=headers)
st.caption(f"{table.protection_note()} Bij een kleine wijk: kijk naar de hele gemeente.")
