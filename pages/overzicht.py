"""Overzicht: children per age group per wijk, for the chosen gemeente and year."""

import plotly.graph_objects as go
import streamlit as st

from transforms.privacy import TOTAL_LABEL, format_number, hidden_label
from ui import theme
from ui.downloads import chart_config, chart_downloads, table_downloads
from ui.population import AGE_GROUP_LABELS, children_by_wijk, source_note
from ui.state import current, gemeente_name

gemeente_code, year = current()
if gemeente_code is None:
    st.info("Laad eerst gegevens: zie de pagina Databronnen.")
    st.stop()

st.title(f"Overzicht {gemeente_name(gemeente_code)} {year}")
table, is_estimate, source = children_by_wijk(gemeente_code, year)
total_index = table.values.index[-1]

figures = []
for label in [*AGE_GROUP_LABELS, TOTAL_LABEL]:
    hidden = bool(table.hidden.loc[total_index, label])
    value = hidden_label() if hidden else format_number(table.values.loc[total_index, label])
    figures.append(("Kinderen 0-12 jaar" if label == TOTAL_LABEL else f"Kinderen {label} jaar",
                    value))
theme.key_figures(figures)
st.caption(source_note(source))

wijken = table.values.iloc[:-1]
wijk_hidden = table.hidden.iloc[:-1]
figure = go.Figure()
for age_group in AGE_GROUP_LABELS:
    figure.add_bar(
        name=f"{age_group} jaar",
        x=wijken["wijk_name"],
        y=wijken[age_group],
        marker_color=theme.AGE_GROUP_COLOURS[age_group],
        text=[hidden_label() if h else "" for h in wijk_hidden[age_group]],
        textposition="outside",
        hovertemplate="%{x}<br>%{fullData.name}: %{y:,.0f}<extra></extra>",
    )
figure.update_layout(
    barmode="group",
    title=f"Kinderen per wijk en leeftijdsgroep ({'schatting' if is_estimate else 'telling'})",
    xaxis_title=None,
    yaxis_title="aantal kinderen",
    legend_title_text="Leeftijd",
    font={"size": 16},
    separators=",.",
    height=480,
    margin={"t": 60, "b": 40},
)
chart_name = f"Kinderen per wijk {gemeente_name(gemeente_code)} {year}"
st.plotly_chart(figure, width="stretch", key="overzicht_chart", config=chart_config(chart_name))
chart_downloads(figure, chart_name)

st.subheader("Per wijk")
shown = table.display().rename(columns={"wijk_code": "Wijkcode", "wijk_name": "Wijk"})
shown = shown.rename(columns={g: f"{g} jaar" for g in AGE_GROUP_LABELS})
# A plain HTML table, not the interactive grid: a summary of ten to a hundred rows reads better
# on a projector, prints, and is a real table for screen readers; the grid's code alone took the
# browser longer than the chart on the first page (benchmarks/run.py, first render).
st.table(shown, hide_index=True, border="horizontal",
         alt=f"Kinderen per wijk en leeftijdsgroep in {gemeente_name(gemeente_code)}, {year}")
table_downloads(table, chart_name, [source_note(source)], columns={"wijk_code": "Wijkcode", "wijk_name": "Wijk"})
st.caption(
    f"Aantallen van 1 tot {table.threshold} kinderen worden getoond als '{hidden_label()}'; "
    "waar nodig is ook een tweede cel afgeschermd, zodat een verborgen aantal niet uit een "
    "totaal kan worden teruggerekend. Bij een kleine wijk: kijk naar de hele gemeente."
)
