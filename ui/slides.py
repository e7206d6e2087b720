"""Slides for the LEA meeting: a registry, one entry per slide, each drawing one large chart."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from outputs import exports, report
from outputs.html import esc
from transforms.deliveries import dataset_label
from transforms.labels import (
    LOAD_SOURCE_LABELS,
    capitalised,
    lrk_missing_text,
    lrk_year_text,
    noemer_clause,
    noemer_words,
)
from transforms.population import (
    AGE_GROUPS_NOTE,
    figure_kind,
    source_break_note,
    source_kind,
    sources_by_year_text,
    sources_label,
)
from transforms.privacy import TOTAL_LABEL, format_number, hidden_label, shown_figure_text
from ui import a11y, safe, theme
from ui.auth import indicator_allowed, partner_places_allowed, where_to_load, withheld_registrations
from ui.data import cursor, data_version, query, rows
from ui.downloads import chart_config
from ui.indeling import other_area_note, wijkindeling
from ui.indicators import lrk_year_note, missing_message, population_route_note, row_10_year_note
from ui.map_indicators import INDICATORS, resolved
from ui.population import (
    AGE_GROUP_LABELS,
    children_by_wijk,
    model_children_note,
    population_missing,
    population_table,
    profile_mismatch,
    secret_on_map,
    secret_wijk_codes,
    source_note,
    unranked_secret,
)
from ui.wijkprofiel import PLACES_NOT_RELEASED

FONT_SIZE = 24
# The presentation reruns this often: a partner's upload shows while people are still talking about it.
REFRESH_SECONDS = 15
# The chart with the slide's title and headline fits a projector of 1280x720 or 1024x768
CHART_HEIGHT = 440
# A bar per wijk stays readable from the back of a room up to this many wijken (names of 24 px in a
# chart of 440 px). A gemeente with more ('s-Gravenhage 44, Amsterdam 110) got a bar per wijk so thin
# that its number was a speck and only every fourth name showed: the slide shows the wijken with
# the most, says so, and every wijk stays in the table under the chart.
MAX_BARS = 10


def most_wijken_note(shown: int, total: int, most: str) -> str:
    """The line over a chart that shows only the wijken with the most `most`: where the others are."""
    return (f"<p class='kk-note'>Op de dia de {shown} van de {total} wijken met de meeste {most}; alle "
            f"{total} wijken staan in 'Cijfers als tabel' onder de grafiek.</p>") if shown < total else ""


_COMMAND = re.compile(r",? (?:of )?met `python -m [^`]*`| \(`python -m [^`]*`\)")


def for_the_room(text: str) -> str:
    """A page's note for the projector: without the command line (`python -m ...`), which is for
    whoever runs the server, not for the meeting; the page to load on stays (named only to a role
    that may open it: ui.auth.where_to_load)."""
    return _COMMAND.sub("", text)


@dataclass
class SlideContext:
    """What a slide draws for: gemeente, year and the shared choices from the URL."""

    gemeente_code: str
    gemeente_name: str
    year: int
    indicator: str | None = None
    wijk_code: str | None = None


@dataclass(frozen=True)
class Slide:
    """One slide: `draw(context)` puts one chart (or a few big numbers) on the page; `available`
    says whether it has something to show (e.g. only once a mart or a delivery exists)."""

    key: str
    title: str
    draw: Callable[[SlideContext], None]
    available: Callable[[SlideContext], bool] = lambda context: True


def all_slides() -> list[Slide]:
    """Every slide, in the order the room sees them: the analysis, then the scenarios of the
    Planvorming after the gap, then deliveries, trend and one wijk."""
    # ui.scenarios draws its slides with this module's helpers: imported here, not at the top
    from ui import scenarios

    gap = [slide.key for slide in CORE_SLIDES].index("tekort") + 1
    return [*CORE_SLIDES[:gap], *scenarios.SLIDES, *CORE_SLIDES[gap:]]


# Slides whose figures are built on partners' places (the plans count the existing plus-groups):
# for partners and the LEA view only once the gemeente released those places.
SLIDES_ON_PARTNER_PLACES = {"scenarios"}


def available_slides(context: SlideContext) -> list[Slide]:
    """The slides that have something to show for this gemeente and year (and that this account
    may see), in order."""
    released = partner_places_allowed()
    return [slide for slide in all_slides()
            if (released or slide.key not in SLIDES_ON_PARTNER_PLACES) and slide.available(context)]


def has_table(name: str) -> bool:
    """True when the store has this table or view (e.g. a mart another part adds)."""
    return (name,) in rows("select table_name from information_schema.tables")


def big_layout(figure: go.Figure, **layout) -> go.Figure:
    """Large type, high contrast, no clutter: readable from the back of a room."""
    settings = {
        "font": {"size": FONT_SIZE, "color": "#000000"},
        "separators": ",.",
        "height": CHART_HEIGHT,
        "margin": {"t": 20, "b": 40, "l": 20, "r": 20},
        # below the plot, hanging down from there (plotly anchors a legend at y <= 1/3 at its
        # bottom: it would grow upwards over the axis)
        "legend": {"font": {"size": FONT_SIZE}, "orientation": "h", "yanchor": "top", "y": -0.12},
        "hoverlabel": {"font": {"size": FONT_SIZE}},
    }
    figure.update_layout(**{**settings, **layout})
    return theme.white_background(figure)


def show_chart(figure: go.Figure, key: str, name: str) -> None:
    """A chart on a slide; the modebar's camera saves it as PNG. Made for a projector, in its large
    type: on a narrow screen it keeps a projector's width and scrolls sideways in its own box."""
    safe.plotly_chart(figure, wide=True, width="stretch", key=key, config=chart_config(name), theme=None)


def _children_missing(context: SlideContext) -> bool:
    """True when the gemeente has no children for this year; the slide then says what is missing
    and where to load it (as Overzicht, Kaart, Continuüm and Tekorten do), never a 0 for unknown."""
    if population_table(context.gemeente_code, context.year).wijk_codes:
        return False
    st.warning(for_the_room(population_missing(context.gemeente_code, context.year, context.gemeente_name)))
    return True


def _key_figures(context: SlideContext) -> None:
    if _children_missing(context):
        return
    table, is_estimate, source = children_by_wijk(context.gemeente_code, context.year)
    total = table.values.index[-1]
    cards = []
    for column in [*AGE_GROUP_LABELS, TOTAL_LABEL]:
        hide = bool(table.hidden.loc[total, column])
        value = hidden_label() if hide else shown_figure_text(table.values.loc[total, column])
        label = "kinderen 0-12 jaar" if column == TOTAL_LABEL else f"kinderen {column} jaar"
        cards.append(f"<div class='kk-card'><div class='kk-value'>{value}</div><div>{label}</div></div>")
    st.markdown(f"<div class='kk-cards'>{''.join(cards)}</div>", unsafe_allow_html=True)
    wijken = len(table.values) - 1
    unknown = population_table(context.gemeente_code, context.year).unknown_note()
    # wijken whose children CBS keeps secret are not in the total: 'in 3 van de 4 wijken'
    secret = len(population_table(context.gemeente_code, context.year).unknown_wijken)
    # a gemeente of one wijk (Schiermonnikoog): 'in 1 wijk', not 'in 1 wijken'
    where = (f"{wijken} van de {wijken + secret} wijken" if secret
             else f"{wijken} {'wijk' if wijken == 1 else 'wijken'}")
    st.markdown(f"<p class='kk-big'>in {where} van {esc(context.gemeente_name)}, {context.year}: "
                f"{esc(source_kind(source))}</p>", unsafe_allow_html=True)
    st.caption(f"{source_note(source)} {AGE_GROUPS_NOTE}")
    mismatch = profile_mismatch(context.gemeente_code, context.year, context.gemeente_name) \
        if "cbs-schatting" in source else ""
    if mismatch:
        st.warning(for_the_room(mismatch))
    if unknown:
        st.caption(unknown)


def map_indicator(context: SlideContext) -> str:
    """The indicator of the map slide: the one in the URL, else a gap indicator, else children 0-12."""
    wanted = resolved(context.indicator)
    if wanted in INDICATORS and indicator_allowed(wanted):
        return wanted
    for key in INDICATORS:
        if "tekort" in key and indicator_allowed(key):
            return key
    return "kinderen_0_12" if "kinderen_0_12" in INDICATORS else next(iter(INDICATORS))


def _map(context: SlideContext) -> None:
    """The map of the Kaart page as a static SVG with the wijk names on it: on a projector
    nobody hovers, and it needs no WebGL (a meeting-room laptop or a shared screen often has
    none, and drawing deck.gl in software took seconds)."""
    from ui.maps import legend_markdown, no_boundaries_message, prepared_shapes, region_names, svg_choropleth

    indicator = INDICATORS[map_indicator(context)]
    values = indicator.load(context.gemeente_code, context.year)
    # the names the Kaart page uses: a wijk without figures is named too, not labelled by its code
    shapes = prepared_shapes(context.gemeente_code, context.year)
    names = region_names(context.gemeente_code)
    secret = secret_wijk_codes(context.gemeente_code, context.year) if indicator.needs_population else set()
    svg, breaks = svg_choropleth(values, shapes, indicator.label, decimals=indicator.decimals,
                                 names=names, highlight=context.wijk_code, secret=secret)
    st.markdown(f"<p class='kk-big'>{indicator.label}</p>", unsafe_allow_html=True)
    if values.empty:
        st.warning(for_the_room(missing_message(indicator, context.gemeente_code, context.year,
                                                context.gemeente_name)))
    # a stored boundary that cannot be drawn is left off the map, and the slide says so (as the Kaart)
    if shapes.left_out:
        st.warning(shapes.left_out_note(names))
    if not svg:
        if not shapes.left_out:
            st.warning(for_the_room(no_boundaries_message(context.gemeente_code, context.gemeente_name,
                                                          context.year)))
        return
    st.markdown(f"<div class='kk-map'>{svg}</div>", unsafe_allow_html=True)
    st.markdown(f"<div class='kk-legend'>{legend_markdown(breaks, indicator.decimals, values['value'].tolist())}</div>",
                unsafe_allow_html=True)
    if route := population_route_note(indicator, context.gemeente_code, context.year):
        st.caption(for_the_room(route))
    if secret and (unknown := secret_on_map(context.gemeente_code, context.year, indicator.kind == "model")):
        st.caption(unknown)
    if lrk_year := lrk_year_note(indicator, context.gemeente_code, context.year):
        st.caption(for_the_room(lrk_year))
    if row_10_year := row_10_year_note(indicator, context.gemeente_code, context.year):
        st.caption(for_the_room(row_10_year))
    if indicator.key == "kindplaatsen" and not partner_places_allowed():
        # the room sees the LRK's places only until the gemeente releases partner places: said as
        # on the Kaart (before, Centrum's 162 LRK places stood under 'LRK en partners' where the
        # analist's Kaart, the report and Tekorten count 172 with its plus-group)
        st.caption(PLACES_NOT_RELEASED)
    if not values.empty:
        a11y.map_alternative(values, indicator.label, context.gemeente_name, decimals=indicator.decimals,
                             secret=unranked_secret(context.gemeente_code, context.year, values["wijk_code"])
                             if indicator.needs_population else 0)


def _per_wijk(context: SlideContext) -> None:
    if _children_missing(context):
        return
    table, is_estimate, source = children_by_wijk(context.gemeente_code, context.year)
    rows = table.values.iloc[:-1].assign(hidden=table.hidden.iloc[:-1][TOTAL_LABEL].to_numpy())
    rows = rows.sort_values(TOTAL_LABEL, na_position="first")
    texts = [hidden_label() if h else shown_figure_text(v) for v, h in zip(rows[TOTAL_LABEL], rows["hidden"],
                                                                         strict=True)]
    on_slide = rows.tail(MAX_BARS)  # the wijken with the most children: the last, in ascending order
    figure = go.Figure(go.Bar(
        x=on_slide[TOTAL_LABEL], y=on_slide["wijk_name"], orientation="h", marker_color=theme.CATEGORICAL[0],
        text=texts[-len(on_slide):], textposition="outside", cliponaxis=False,
        hovertemplate="%{y}: %{text}<extra></extra>",
    ))
    # room right of the longest bar for its number (cut off on a 1024 px wide projector)
    longest = float(rows[TOTAL_LABEL].max()) if rows[TOTAL_LABEL].notna().any() else 0.0
    big_layout(figure, xaxis={"visible": False, "range": [0, longest * 1.2 or 1]}, yaxis={"title": None})
    kind = figure_kind(is_estimate, source)
    st.markdown(f"<p class='kk-big'>Kinderen van 0-12 jaar per wijk ({kind})</p>"
                + most_wijken_note(len(on_slide), len(rows), "kinderen"), unsafe_allow_html=True)
    show_chart(figure, "dia_per_wijk", f"kinderen per wijk {context.gemeente_name} {context.year}")
    items = [(name, None if h else v, text) for name, v, h, text in
             zip(rows["wijk_name"], rows[TOTAL_LABEL], rows["hidden"], texts, strict=True)]
    a11y.summary([a11y.ranking_sentence(items, noun="kinderen van 0-12 jaar", unknown=unranked_secret(
        context.gemeente_code, context.year, table.values["wijk_code"]))])
    a11y.data_table(["Wijk", "Kinderen 0-12 jaar"], [[name, text] for name, _, text in reversed(items)],
                    f"Kinderen van 0-12 jaar per wijk in {context.gemeente_name}, {context.year} ({kind})")


@st.cache_data(show_spinner=False, max_entries=64)
def _rows_over_years(gemeente_code: str, wijk_code: str | None, version: str):
    return exports.wijk_rows_over_years(cursor(), gemeente_code, wijk_code)


def _trend_figure(values: pd.DataFrame, hidden: pd.DataFrame, sources: dict[int, str],
                  areas: list[str] | None = None) -> go.Figure:
    """A line per age group over the years; where the source changes (estimates, then a BRP
    count) the line breaks and the marker changes (theme.add_sourced_line): no trend is drawn
    across a change of source, nor (`areas`: per year a wijk's Indeling.series or the gemeente's
    Indeling.gemeente_series) across the year CBS re-bounded the wijk or the gemeente."""
    figure = go.Figure()
    for group in AGE_GROUP_LABELS:
        style = theme.AGE_GROUP_LINES[group]
        theme.add_sourced_line(figure, [int(y) for y in values.index], values[group].where(~hidden[group]).tolist(),
                               sources, name=f"{group} jaar", colour=style.colour, width=5, marker_size=14,
                               dash=style.dash, shape=style.symbol, areas=areas,
                               # a hidden figure's text is never sent (its point is not drawn)
                               texts=[hidden_label() if h else shown_figure_text(v)
                                      for v, h in zip(values[group], hidden[group], strict=True)],
                               hovertemplate="%{x}: %{text}<extra>%{fullData.name}</extra>")
    theme.mark_source_breaks(figure, sources, font_size=FONT_SIZE - 4)
    return big_layout(figure, yaxis={"title": "aantal kinderen", "rangemode": "tozero"},
                      xaxis={"title": None, "dtick": 1})


def _trend_table(values: pd.DataFrame, hidden: pd.DataFrame, sources: dict[int, str], caption: str) -> None:
    """The trend chart's figures as a table (a year per row, with its source), hidden cells as on
    the chart."""
    a11y.data_table(["Jaar", "Bron", *(f"{group} jaar" for group in AGE_GROUP_LABELS)],
                    [[str(year), source_kind(sources.get(int(year), "")),
                      *(hidden_label() if hidden.loc[year, group] else shown_figure_text(values.loc[year, group])
                        for group in AGE_GROUP_LABELS)] for year in values.index],
                    caption)


def _sources_caption(sources: dict[int, str], context: SlideContext, wijk_name: str | None = None) -> None:
    """The source of every year, and a warning where it changes or where CBS marks the gemeente
    (or the wijk) as another area than the year before (no trend across either), in the room's
    large type."""
    st.caption(f"Bron per jaar: {sources_by_year_text(sources)}.")
    other_area = other_area_note(context.gemeente_code, context.gemeente_name,
                                 context.wijk_code if wijk_name is not None else None, wijk_name)
    for note in (source_break_note(sources), other_area):
        if note:
            st.markdown(f"<p class='kk-summary'>{esc(note)}</p>", unsafe_allow_html=True)


def _trend(context: SlideContext) -> None:
    values, hidden, sources = _rows_over_years(context.gemeente_code, None, data_version())
    kind = sources_label(sources)
    st.markdown(f"<p class='kk-big'>Kinderen per leeftijdsgroep in {esc(context.gemeente_name)}, "
                f"{values.index.min()}-{values.index.max()} ({esc(kind)})</p>", unsafe_allow_html=True)
    # one line per age group and area of the gemeente: Purmerend's 2021 and 2022 (with Beemster)
    # were joined across the herindeling
    areas = [wijkindeling(context.gemeente_code).gemeente_series(int(y)) for y in values.index]
    show_chart(_trend_figure(values, hidden, sources, areas), "dia_trend", f"trend {context.gemeente_name}")
    _sources_caption(sources, context)
    _trend_table(values, hidden, sources,
                 f"Kinderen per leeftijdsgroep in {context.gemeente_name} per jaar ({kind})")


def _has_years(context: SlideContext) -> bool:
    frame = query("select count(distinct year) as n from population_by_wijk_age where gemeente_code = ?",
                  [context.gemeente_code])
    return int(frame["n"].iloc[0]) > 1


def _delivery_status(context: SlideContext) -> pd.DataFrame | None:
    # the registrations part brings the status of the handreiking's ten deliveries
    # the LEA view is not told where an unreleased registration has rows (README "Vrijgave")
    return _cached_delivery_status(context.gemeente_code, context.year, withheld_registrations(),
                                   data_version())


@st.cache_data(show_spinner=False, max_entries=16)
def _cached_delivery_status(gemeente_code: str, year: int, withheld: tuple[str, ...],
                            version: str) -> pd.DataFrame:
    # some forty small queries: once per data version, not on every step of the slides
    return exports.delivery_status(cursor(), gemeente_code, year, withheld)


def _deliveries(context: SlideContext) -> None:
    loads = exports.deliveries(cursor(), context.gemeente_code)
    if not loads.empty:
        newest = loads.iloc[0]
        who = newest["organisation"] if isinstance(newest["organisation"], str) and newest["organisation"] else \
            LOAD_SOURCE_LABELS.get(newest["source"], newest["source"])
        # the registration's name, as in the table below ('extra-ondersteuning' was its key)
        st.markdown(f"<p class='kk-big'>Laatste levering: {esc(dataset_label(newest['dataset']))} van "
                    f"{esc(who)}, {newest['loaded_at']:%d-%m-%Y %H:%M}</p>", unsafe_allow_html=True)
    status = _delivery_status(context)
    if status is not None and not status.empty:
        frame = status.rename(columns={"Rij handreiking": "#"})
        frame = frame[[c for c in ["#", "Gegevens", "Geleverd door", "Periode", "Wijken", "Ontbreekt"]
                       if c in frame.columns]]
        frame["#"] = frame["#"].astype(str)
    else:
        grouped = loads.assign(
            Bron=loads["source"].map(lambda s: LOAD_SOURCE_LABELS.get(s, s)),
            Organisatie=loads["organisation"].fillna(""),
        ).groupby(["Bron", "Organisatie", "dataset"], as_index=False).agg(
            Perioden=("period", lambda p: ", ".join(sorted({str(x) for x in p if isinstance(x, str)}))),
            Laatst=("loaded_at", "max"))
        grouped["Laatst"] = grouped["Laatst"].map(lambda t: f"{t:%d-%m-%Y %H:%M}")
        frame = grouped.rename(columns={"dataset": "Gegevens", "Laatst": "Laatst geleverd"})
    # in a box of its own that scrolls sideways on a narrow screen (WCAG 1.4.10), as on the pages
    st.markdown(f"<div class='kk-table' role='region' tabindex='0' aria-label='Aanlevering van gegevens' "
                f"style='overflow-x:auto;max-width:100%'>{report.html_table(frame)}</div>",
                unsafe_allow_html=True)


def _wijk(context: SlideContext) -> None:
    table, _, _ = children_by_wijk(context.gemeente_code, context.year)
    values, hidden, sources = _rows_over_years(context.gemeente_code, context.wijk_code, data_version())
    names = dict(zip(table.values["wijk_code"], table.values["wijk_name"], strict=True))
    kind = sources_label(sources)
    st.markdown(f"<p class='kk-big'>Wijk {esc(names.get(context.wijk_code, context.wijk_code))}: kinderen per "
                f"leeftijdsgroep ({esc(kind)})</p>", unsafe_allow_html=True)
    # one line per age group and area: Binnenstad's 2023 and 2024 were joined across the year CBS
    # re-bounded it, and the jump read as a change in children
    areas = [wijkindeling(context.gemeente_code).series(context.wijk_code, int(y)) for y in values.index]
    show_chart(_trend_figure(values, hidden, sources, areas), "dia_wijk", f"wijk {context.wijk_code}")
    _sources_caption(sources, context, names.get(context.wijk_code, context.wijk_code))
    _trend_table(values, hidden, sources, f"Kinderen per leeftijdsgroep in wijk "
                                          f"{names.get(context.wijk_code, context.wijk_code)} per jaar ({kind})")


def _has_wijk(context: SlideContext) -> bool:
    if not context.wijk_code:
        return False
    frame = query("select count(*) as n from population_by_wijk_age where gemeente_code = ? and wijk_code = ?",
                  [context.gemeente_code, context.wijk_code])
    return bool(frame["n"].iloc[0])


def _model_ready(context: SlideContext) -> bool:
    return has_table("gap_by_wijk_niveau") and has_table("demand_by_wijk_niveau")


def _continuum(context: SlideContext) -> None:
    from transforms.privacy import estimate_range, model_estimate_text, round_estimate
    from ui import continuum

    if _children_missing(context):
        return
    demand = continuum.demand(context.gemeente_code)
    rows = demand[(demand["year"] == context.year) & (demand["niveau"] > 1)]
    # rows: one per wijk, age group and niveau -> one per wijk and niveau (0-12 jaar)
    per_wijk = rows.groupby(["wijk_name", "niveau"], as_index=False)[["children_low", "children_mid",
                                                                      "children_high"]].sum()
    order = (per_wijk[per_wijk["niveau"] == 3].sort_values("children_mid")["wijk_name"].tolist())
    on_slide = order[-MAX_BARS:]  # the wijken with the most children on niveau 3
    # One panel per niveau, each on its own scale: grouped bars put 30 thin bars in one chart, whose
    # labels shrank below what a room can read, and niveau 2 dwarfed niveau 3 and 4.
    figure = make_subplots(rows=1, cols=3, shared_yaxes=True, horizontal_spacing=0.06,
                           subplot_titles=[f"niveau {niveau}" for niveau in (2, 3, 4)])
    for column, niveau in enumerate((2, 3, 4), start=1):
        part = per_wijk[per_wijk["niveau"] == niveau].set_index("wijk_name").reindex(on_slide)
        mid = part["children_mid"].map(round_estimate)
        figure.add_bar(
            y=on_slide, x=mid, orientation="h", name=f"niveau {niveau}", showlegend=False,
            marker_color=theme.NIVEAU_COLOURS[niveau],
            text=[model_estimate_text(v) for v in part["children_mid"]],
            textposition="outside", cliponaxis=False, textfont={"size": FONT_SIZE - 4},
            # as the table under the chart shows them ('<1' for 0,9 children, where ',.0f' said 1)
            customdata=[[model_estimate_text(m), estimate_range(low, high)] for m, low, high in
                        zip(part["children_mid"], part["children_low"], part["children_high"], strict=True)],
            hovertemplate="%{y}: %{customdata[0]} (%{customdata[1]})<extra>%{fullData.name}</extra>",
            row=1, col=column,
        )
    big_layout(figure, margin={"t": 50, "b": 20, "l": 20, "r": 50})
    figure.update_xaxes(visible=False)
    figure.update_yaxes(title=None)
    figure.update_annotations(font={"size": FONT_SIZE, "color": "#000000"})
    st.markdown("<p class='kk-big'>Verwachte kinderen van 0-12 jaar per niveau en wijk (schatting, midden)</p>"
                + most_wijken_note(len(on_slide), len(order), "kinderen op niveau 3"),
                unsafe_allow_html=True)
    show_chart(figure, "dia_continuum", f"continuum {context.gemeente_name} {context.year}")
    st.markdown(f"<p class='kk-note'>{esc(capitalised(noemer_clause()))}; "
                "geldt voor beide perspectieven. "
                f"{esc(model_children_note(context.gemeente_code, context.year))}</p>", unsafe_allow_html=True)
    # as on Continuüm: '<1' between 0 and 1 (transforms.privacy.shown_estimate)
    mids = {niveau: per_wijk[per_wijk["niveau"] == niveau].set_index("wijk_name")["children_mid"]
            for niveau in (2, 3, 4)}
    a11y.summary([a11y.ranking_sentence([(wijk, v, model_estimate_text(v)) for wijk, v in mids[3].items()],
                                        noun="kinderen op niveau 3 (schatting)", unknown=unranked_secret(
                                            context.gemeente_code, context.year, rows["wijk_code"]))])
    a11y.data_table(["Wijk", "Niveau 2", "Niveau 3", "Niveau 4"],
                    [[wijk, *(model_estimate_text(mids[n].get(wijk)) for n in (2, 3, 4))] for wijk in reversed(order)],
                    f"Verwachte kinderen van 0-12 jaar per niveau en wijk, {context.gemeente_name} "
                    f"{context.year} (schatting, midden)")


PASSEND_NOT_RELEASED = ("Passend (aparte groepen) staat niet op deze dia: dat tekort rekent met de plekken "
                        "in plusgroepen die partners aanleverden, en die heeft de gemeente voor deze "
                        "weergave nog niet vrijgegeven (pagina Beheer).")


PASSEND_NOT_DELIVERED = ("Passend (aparte groepen): hoeveel plekken er in plusgroepen zijn, is niet "
                         "geleverd (rij 10 van de handreiking, groepsgrootte), dus het tekort ook "
                         "niet; geen 0.")


def _gap(context: SlideContext) -> None:
    from plotly.subplots import make_subplots

    from transforms.privacy import model_estimate_text, round_estimate
    from ui import continuum

    if _children_missing(context):
        return
    gap = continuum.protected_gap(context.gemeente_code, context.year)
    rows = gap[gap["niveau"] == 3]
    # per wijk the sum of the shortages per age group: room for 4-12 never cancels a peuter's
    # shortage (as the Kaart, continuum.per_wijk)
    rows = rows.assign(**{c: rows[c].clip(lower=0) for c in ("gap_low", "gap_mid", "gap_high")})
    panels = (("aparte_groep", "Passend: tekort plekken in aparte groepen"),
              ("opnamegrens", "Inclusief: kinderen boven de opnamegrens"))
    places_released = partner_places_allowed()
    if not places_released:  # the separate groups are partners' places: under their release
        panels = panels[1:]
    # say why passend is not on the slide: the handreiking's perspectives stand side by side
    withheld = "" if places_released else f"<p class='kk-note'>{PASSEND_NOT_RELEASED}</p>"
    separate = rows[rows["component"] == "aparte_groep"]
    row_10_missing = places_released and not separate.empty and separate["supply"].isna().all()
    if row_10_missing:
        # no partner delivered row 10: the plus-group places, and so the shortage, are unknown
        # (not 0, not the whole need)
        panels = tuple(panel for panel in panels if panel[0] != "aparte_groep")
        withheld = f"<p class='kk-note'>{esc(for_the_room(PASSEND_NOT_DELIVERED))}</p>"
    if rows["supply_year"].isna().all():
        # no LRK export: the regular places, and so the opnamegrens, are unknown (not 0)
        st.markdown(f"<p class='kk-big'>Inclusief: de opnamegrens is niet bekend. "
                    f"{esc(lrk_missing_text(context.gemeente_name, where_to_load).split(': ', 1)[0])}.</p>",
                    unsafe_allow_html=True)
        panels = tuple(panel for panel in panels if panel[0] != "opnamegrens")
        if not panels:
            if withheld:
                st.markdown(withheld, unsafe_allow_html=True)
            return
    per_component = {key: rows[rows["component"] == key].groupby("wijk_name", as_index=False)[
        ["gap_low", "gap_mid", "gap_high"]].sum() for key, _ in panels}
    order = sorted(set(rows["wijk_name"]))
    figure = make_subplots(rows=1, cols=len(panels), shared_yaxes=True, horizontal_spacing=0.12,
                           subplot_titles=[theme.title_lines(title, 24) for _, title in panels])
    for column, (key, _) in enumerate(panels, start=1):
        part = per_component[key].set_index("wijk_name").reindex(order).fillna(0.0)
        mid = part["gap_mid"].map(round_estimate)
        figure.add_trace(go.Bar(
            y=order, x=mid, orientation="h", showlegend=False,
            marker_color=[theme.NIVEAU_COLOURS[4] if g > 0 else theme.NIVEAU_COLOURS[1] for g in mid],
            text=[model_estimate_text(v) for v in part["gap_mid"]], textposition="outside",
            cliponaxis=False, error_x={"type": "data", "symmetric": False, "array": part["gap_high"] - part["gap_mid"],
                     "arrayminus": part["gap_mid"] - part["gap_low"], "thickness": 3, "color": "#000"},
            customdata=[[model_estimate_text(v)] for v in part["gap_mid"]],
            hovertemplate="%{y}: %{customdata[0]}<extra></extra>",
        ), row=1, col=column)
    # room above the panels for their titles on two lines
    big_layout(figure, yaxis={"title": None, "autorange": "reversed"}, margin={"t": 80, "b": 40, "l": 20, "r": 20})
    figure.update_xaxes(zeroline=True, zerolinewidth=3, zerolinecolor="#000")
    # the panels' titles in the slide's type, not plotly's 16 px for subplot titles
    figure.update_annotations(font={"size": FONT_SIZE - 4, "color": "#000000"})
    shown = ("beide perspectieven naast elkaar" if len(panels) == 2
             else panels[0][1].split(":", 1)[0].lower())
    st.markdown(f"<p class='kk-big'>Niveau 3 per wijk, {shown} (schatting min waargenomen)</p>"
                + withheld, unsafe_allow_html=True)
    show_chart(figure, "dia_tekort", f"tekort {context.gemeente_name} {context.year}")
    st.markdown("<p class='kk-note'>Per wijk de som van de tekorten per leeftijdsgroep (vóór afronding): "
                "ruimte over in de ene leeftijdsgroep telt niet mee voor een andere. Oranjerood = tekort, "
                f"blauw = geen tekort. Noemer: de {noemer_words(3)}. "
                f"{esc(model_children_note(context.gemeente_code, context.year))}</p>", unsafe_allow_html=True)
    if "opnamegrens" in per_component and (lrk_year := lrk_year_text(rows["supply_year"], context.year)):
        st.markdown(f"<p class='kk-note'>Opnamegrens: {esc(lrk_year)}</p>", unsafe_allow_html=True)
    sentences, table = [], {}
    for key, title in panels:
        part = per_component[key]
        # as the Kaart: '<1' between 0 and 1 (transforms.privacy.shown_estimate)
        items = [(wijk, round_estimate(v), model_estimate_text(v))
                 for wijk, v in zip(part["wijk_name"], part["gap_mid"], strict=True)]
        sentences.append(a11y.ranking_sentence(items, subject=f"{title} (schatting, midden)", unknown=unranked_secret(
            context.gemeente_code, context.year, rows["wijk_code"])))
        table[key] = {wijk: continuum.estimate_text(lo, hi) for wijk, lo, hi in
                      zip(part["wijk_name"], part["gap_low"], part["gap_high"], strict=True)}
    a11y.summary(sentences)
    a11y.data_table(["Wijk", *(title for _, title in panels)],
                    [[wijk, *(table[key].get(wijk, "") for key, _ in panels)] for wijk in order],
                    f"Niveau 3 per wijk, {context.gemeente_name} {context.year} (schatting, laag-hoog)")
    groups = continuum.groups(context.gemeente_code)
    groups = groups[groups["year"] == context.year]
    if not groups.empty and places_released and not row_10_missing:
        needed = ", ".join(f"{format_number(g.groups_needed_mid)} voor {g.age_group} jaar"
                           for g in groups.itertuples(index=False))
        st.markdown(f"<p class='kk-big'>Passend: aparte groepen nodig in de gemeente (midden): {needed}. "
                    "Inclusief: geen aparte groepen; wie boven de opnamegrens uitkomt vraagt meer "
                    "specialistische inzet of meer groepen.</p>", unsafe_allow_html=True)


# The analysis slides; all_slides() adds the scenario slides after the gap.
CORE_SLIDES = [
    Slide("kerncijfers", "Kerncijfers", _key_figures),
    Slide("kaart", "Kaart", _map),
    Slide("per_wijk", "Kinderen per wijk", _per_wijk),
    Slide("continuum", "Continuüm per wijk", _continuum, _model_ready),
    Slide("tekort", "Tekort per wijk", _gap, _model_ready),
    Slide("levering", "Aanlevering van gegevens", _deliveries),
    Slide("trend", "Ontwikkeling", _trend, _has_years),
    Slide("wijk", "Wijk in beeld", _wijk, _has_wijk),
]
