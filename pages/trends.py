"""Trends: every indicator of the map registry per wijk over the years available."""

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from transforms.labels import LoadHint, wijk_labels
from transforms.population import source_break_note, source_kind, sources_by_year_text
from transforms.privacy import hidden_label
from ui import a11y, theme
from ui.auth import where_to_load
from ui.downloads import chart_config, chart_downloads
from ui.indeling import wijkindeling, wijkindeling_note
from ui.indicators import lrk_year_note, missing_message, row_10_year_note
from ui.map_indicators import INDICATORS
from ui.population import population_table, secret_left_out, unranked_secret
from ui.safe import plain, plotly_chart
from ui.state import current_loaded, gemeente_name, years

gemeente_code, year = current_loaded()

st.title(f"Trends {plain(gemeente_name(gemeente_code))}")
keys = list(INDICATORS)
key = st.selectbox("Indicator", keys, key="trend_indicator",
                   format_func=lambda k: INDICATORS[k].label)
indicator = INDICATORS[key]
available = sorted(years(gemeente_code))

frames = []
for each in available:
    frame = indicator.load(gemeente_code, each)
    if not frame.empty:
        frames.append(frame.assign(year=each))
if not frames:
    # say what is missing and where to load it, as the Kaart does (for the chosen year)
    st.info(missing_message(indicator, gemeente_code, year, gemeente_name(gemeente_code)))
    st.stop()
if secret_note := secret_left_out(gemeente_code, year):
    st.caption(secret_note)

combined = pd.concat(frames)
combined = combined[combined["wijk_code"].astype(str).str.startswith("WK")]  # wijken only
# Figures made from the children carry the route of each year's children: where it changes (CBS
# estimates, then a BRP count) the line breaks and the marker changes, so that a change of source
# is not read as a trend.
sources = ({int(each): population_table(gemeente_code, int(each)).source for each in combined["year"].unique()}
           if indicator.needs_population else {})
decimals = indicator.decimals
# A wijk that CBS renumbered between two kwb years has one name under two codes: two lines, each
# named with its code (only equal codes are one line; the report's rule, labels.wijk_labels, over
# the wijken of every year shown), and a caption that says why.
names = combined.groupby("wijk_code", sort=True)["wijk_name"].first().astype(str).to_dict()
named = wijk_labels(names)
renumbered = sorted({names[code] for code in names if named[code] != names[code]})
# A wijk whose area CBS changed (ind_wbi 3) between two years loaded is two lines, not one line
# through two areas: each line is a code within one afbakening (transforms.indeling).
indeling = wijkindeling(gemeente_code)
combined["series"] = [indeling.series(code, int(y)) for code, y in zip(combined["wijk_code"], combined["year"],
                                                                       strict=True)]
series_years = combined.groupby("series")["year"].apply(lambda ys: [int(y) for y in ys]).to_dict()
series_code = dict(zip(combined["series"], combined["wijk_code"], strict=False))
# a line broken by a change of area is named with its code by series_label itself
labels = {series: indeling.series_label(names[code] if code in indeling.breaks else named[code],
                                         series, series_years[series])
          for series, code in sorted(series_code.items())}
figure = go.Figure()
# A model figure is an estimate over each year's children, whether these were counted or
# estimated: before, '2024 (telling)' stood above Centrum's 10 children on niveau 3 (and its
# hover said 'telling (BRP)'), the model's estimate that the Kaart and Continuüm call a schatting.
MODEL_ROUTE = "schatting van het model; kinderen: " if indicator.kind == "model" else ""


def year_kind(source: str) -> str:
    """The kind of a year's figures for a table header: 'telling' (children), 'schatting;
    kinderen: telling' (a model figure over counted children)."""
    children = source_kind(source).split(" ")[0]
    return f"schatting; kinderen: {children}" if indicator.kind == "model" else children


def last_figure(series: str) -> float:
    """The series' figure in its last year with one shown, rounded as the page shows it (-inf
    without: it sorts last). Unrounded, which wijken come first would tell which of two equal
    shown figures is the larger."""
    part = combined[(combined["series"] == series) & ~combined["hidden"].astype(bool)].sort_values("year")
    shown = part["value"].dropna()
    return round(float(shown.iloc[-1]), decimals) if len(shown) else float("-inf")


# At most theme.MAX_TREND_LINES wijken drawn at once, each in a style of its own (colour, dash and
# marker: theme.series_style); the reader picks which, starting from those with the highest figure
# in their last year (where a gap or a need is largest). Every wijk stays in the table below.
drawn = list(labels)
if len(labels) > theme.MAX_TREND_LINES:
    highest = sorted(labels, key=lambda s: (-last_figure(s), labels[s]))[:theme.MAX_TREND_LINES]
    # the choice stays when the indicator changes, as far as its wijken have figures here
    kept = [s for s in st.session_state.get("trend_wijken", []) if s in labels]
    # in the order of the list, not ranked (the chips would rank the unrounded figures)
    st.session_state["trend_wijken"] = kept or [s for s in labels if s in highest]
    drawn = st.multiselect(
        f"Wijken in de grafiek (hoogstens {theme.MAX_TREND_LINES})", list(labels), format_func=labels.get,
        max_selections=theme.MAX_TREND_LINES, key="trend_wijken", placeholder="kies wijken")
    st.caption(f"De grafiek toont {len(drawn)} van de {len(labels)} wijken: meer lijnen tegelijk zijn niet "
               f"uit elkaar te houden. Eerst de {theme.MAX_TREND_LINES} met het hoogste cijfer in hun laatste "
               "jaar; kies hierboven andere. Alle wijken staan onder de grafiek in *Cijfers als tabel*.")
hidden_points = 0
by_series = dict(tuple(combined.groupby("series", sort=True)))
for index, series in enumerate(sorted(drawn)):
    part = by_series[series].sort_values("year")
    style = theme.series_style(index)
    hidden = part["hidden"].astype(bool)
    hidden_points += int(hidden.sum())
    # each point as the table below shows it ('<1' for an estimate below one child)
    # (a hidden figure's text is never sent: its point is not drawn)
    texts = [hidden_label() if h else a11y.figure_text(v, False, decimals)
             for v, h in zip(part["value"], hidden, strict=True)]
    theme.add_sourced_line(
        figure, [int(y) for y in part["year"]], part["value"].where(~hidden).tolist(), sources,
        name=labels[series], colour=style.colour, width=2.5, marker_size=10, dash=style.dash, shape=style.symbol,
        texts=texts, hovertemplate="%{x}: %{text}" + (f" ({MODEL_ROUTE}%{{customdata}})"
                                                      if sources else "")
                      + "<extra>%{fullData.name}</extra>")
theme.mark_source_breaks(figure, sources)
years_with_figures = sorted(int(y) for y in combined["year"].unique())
if len(years_with_figures) == 1:
    # one point per wijk is not a trend: say which year is there and what gives a second one
    st.info(f"Alleen {years_with_figures[0]} heeft cijfers voor {indicator.label.lower()}: een "
            "trend vraagt om twee of meer jaren. " + where_to_load(LoadHint(
                "de kerncijfers (kwb) van een ander jaar", command="python -m data_sources import-cbs kwb-2023.xlsx")))
figure.update_layout(
    title=f"{indicator.label} per wijk", yaxis_title=indicator.unit,
    # only the years that have figures on the axis (one year showed an empty year either side)
    xaxis={"tickvals": years_with_figures, "tickformat": "d"},
    font={"size": 16}, separators=",.", height=600, legend_title_text="Wijk",
    # below the chart: ten wijken beside it squeezed the lines and needed a scroll bar
    legend={"orientation": "h", "yanchor": "top", "y": -0.12, "xanchor": "left", "x": 0},
)
# a line per wijk and a legend of ten: on a narrow screen the chart keeps its width and scrolls
# sideways in its own box (squeezed to 320 px the lines were a smudge beside a scrolling legend)
plotly_chart(figure, wide=True, width="stretch", key="trend_chart", config=chart_config(f"trend {indicator.key}"))
chart_downloads(figure, f"Trend {indicator.label}")

# The chart's text alternative: the latest year ranked, and every point as a table (wijk x year).
shown_years = years_with_figures


def point_text(row) -> str:
    reason = getattr(row, "unknown", False)
    # a reason's text ('basis te klein': transforms.rates) or the CBS-secret flag
    return a11y.figure_text(row.value, bool(row.hidden), decimals,
                            reason if isinstance(reason, str) and reason else _unknown(row))


def _unknown(row) -> bool:
    # a rate over children CBS keeps secret (signal indicators), a count CBS keeps secret (the
    # Jeugdmonitor); other frames have no such column
    unknown = getattr(row, "unknown", False)
    return isinstance(unknown, bool | np.bool_) and bool(unknown) and not bool(row.hidden)


latest = combined[combined["year"] == shown_years[-1]]
# wijken whose figure is unknown (CBS keeps their children secret) are counted, not ranked
ranked = [r for r in latest.itertuples(index=False) if not _unknown(r)]
a11y.summary([a11y.ranking_sentence(
    # named as the legend and the table name them (a code beside a name two wijken share)
    [(labels[r.series], None if r.hidden else r.value, point_text(r)) for r in ranked],
    subject=f"{indicator.label} in {shown_years[-1]}",
    # a figure not made from the children (the CBS Jeugdmonitor) has its own secret cells
    unknown=unranked_secret(gemeente_code, int(shown_years[-1]), [r.wijk_code for r in ranked])
    if indicator.needs_population else len(latest) - len(ranked))])
points = {(r.series, r.year): point_text(r) for r in combined.itertuples(index=False)}
year_headers = [f"{y} ({year_kind(sources[int(y)])})" if sources.get(int(y)) else str(y)
                for y in shown_years]
a11y.data_table(["Wijk", *year_headers],
                [[labels[series], *(points.get((series, y), "") for y in shown_years)] for series in labels],
                f"{indicator.label} per wijk en jaar, {gemeente_name(gemeente_code)}")
kind = {"model": "schatting van het model", "waargenomen": "waargenomen",
        "bevolking": "bevolking"}.get(indicator.kind, indicator.kind)
if sources:
    # the route of every year, not one word for all of them
    per_year = sources_by_year_text(sources)
    kind += (f", per jaar: {per_year}" if indicator.kind == "bevolking"
             else f", elk jaar over de kinderen van dat jaar: {per_year}")
st.caption(f"Soort cijfer: {kind}. {indicator.shown_note()}".strip())
if note := source_break_note(sources):
    st.warning(note)
if indeling_changed := wijkindeling_note(gemeente_code, gemeente_name(gemeente_code)):
    st.warning(indeling_changed)
if renumbered:
    st.caption(f"{', '.join(renumbered)}: dezelfde naam onder meer wijkcodes (CBS heeft de wijk "
               "tussen de jaren een andere code gegeven of anders ingedeeld). Alleen een gelijke "
               "code is één lijn, dus elke code staat apart, met de code erbij.")
if indicator.kind == "model":
    # the model uses the same shares every year: its line only follows the children (and, for a
    # gap, the places); an observed change in need shows in the partners' own series
    st.caption("Alleen bevolkingseffect: het model rekent elk jaar met dezelfde aandelen, dus de "
               "lijn volgt het aantal kinderen (en bij een tekort ook de plekken). Een waargenomen "
               "verandering staat in de reeksen van partners (vve-indicaties, leerlingen, "
               "wachtlijsten).")
# places of a year without its own LRK export are those of the nearest export, as the Kaart,
# Tekorten, the slides and the exports say with them (transforms.labels.lrk_year_text)
other_exports = [f"{each}: {note}" for each in shown_years
                 if (note := lrk_year_note(indicator, gemeente_code, int(each)))]
# and the years whose places hold no partner places (row 10 not delivered): a rise where it comes
# is a delivery, not more places
without_row_10 = [int(each) for each in shown_years if row_10_year_note(indicator, gemeente_code, int(each))]
if indicator.kind == "waargenomen":
    st.caption("Waargenomen trend: de tellingen van partners of registers per jaar, zoals "
               "geleverd; een jaar zonder levering heeft geen punt"
               + (", behalve de plekken van een jaar zonder eigen LRK-export: die komen uit de "
                  "dichtstbijzijnde export (hieronder)." if other_exports else "."))
if other_exports:
    st.caption(" ".join(other_exports))
if without_row_10:
    st.caption(f"{', '.join(map(str, without_row_10))}: alleen de plekken uit het LRK; plekken in "
               "plusgroepen en KDC/MKD (partners, rij 10 van de handreiking, groepsgrootte) zijn voor "
               "die jaren niet geleverd (niet 0), dus een stijging daarna is ook de levering, niet "
               "alleen meer plekken.")
if hidden_points:
    st.caption(f"{hidden_points} punt(en) afgeschermd: daar is de lijn "
               "onderbroken, zodat ook de verandering niet te zien is.")
