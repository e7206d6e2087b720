"""Scenario's for the Planvorming in the app: cached inputs, the comparison chart and the LEA slides.

Its slides 'Scenario's naast elkaar' and 'Risico's per scenario' are in SLIDES (ui.slides.all_slides).
"""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from outputs import plan as plan_output
from outputs.html import esc
from transforms import scenarios
from transforms.labels import cited
from transforms.planning import Plan, Scenario, WijkInput
from ui import theme
from ui.data import cursor, data_version
from ui.slides import FONT_SIZE, Slide, SlideContext, big_layout, show_chart

SELECTED_KEY = "scenarios_selected"  # session state and URL (?scenarios=1,2): the compared ids
MAX_COMPARED = 3
# A plan starts from the shared marts (the model's standard assumptions); a session may have
# changed those on Continuüm or Tekorten, whose figures then differ from the plans'
STANDARD_ASSUMPTIONS_NOTE = (
    "De scenario's rekenen met de standaardaannames van het continuümmodel, niet met de aannames "
    "die in deze sessie op Continuüm of Tekorten zijn aangepast: daar staan daarom andere aantallen "
    "kinderen per niveau. De eigen aannames van een scenario (groepsgrootte, uren, bouwstenen) "
    "staan bij het scenario.")


def standard_assumptions_note() -> str:
    """STANDARD_ASSUMPTIONS_NOTE where this session changed the model's assumptions, else ''."""
    from ui.continuum import defaults_in_use

    return "" if defaults_in_use() else STANDARD_ASSUMPTIONS_NOTE


@st.cache_data(show_spinner=False, max_entries=32)
def _inputs(gemeente_code: str, year: int, version: str) -> list[WijkInput]:
    return scenarios.plan_inputs(cursor(), gemeente_code, year)


def inputs(gemeente_code: str, year: int) -> list[WijkInput]:
    """The continuum model's figures per wijk a plan starts from; read once per data version, so
    that recomputing a scenario after a change is arithmetic only."""
    return _inputs(gemeente_code, int(year), data_version())


def stored(gemeente_code: str) -> list[Scenario]:
    """The gemeente's stored scenarios (read fresh: they change on this page)."""
    return scenarios.list_scenarios(cursor(), gemeente_code)


def compute(scenario: Scenario) -> Plan:
    """The plan of a scenario on the current data and tariffs."""
    return scenarios.compute(cursor(), scenario, inputs(scenario.gemeente_code, scenario.year))


def selected_ids(available: list[Scenario]) -> list[int]:
    """The compared scenarios: chosen on the page (or in the URL), else the first ones."""
    ids = [s.scenario_id for s in available]
    chosen = st.session_state.get(SELECTED_KEY)
    if chosen is None:
        wanted = st.query_params.get("scenarios", "")
        chosen = [int(x) for x in wanted.split(",") if x.strip().isdecimal()]
    chosen = [i for i in chosen if i in ids][:MAX_COMPARED]
    return chosen or ids[:MAX_COMPARED]


def comparison_chart(plans: list[Plan], height: int = 520, font_size: int = 14,
                     keys: tuple[str, ...] = plan_output.CHART_FIGURES) -> go.Figure:
    """Groups, FTE, m² (and costs when tariffs exist) per catchment, one bar per scenario."""
    long = plan_output.comparison_long(plans)
    keys = [k for k in keys if k in set(long["key"])]
    labels = {f.key: f.label for f in plan_output.FIGURES}
    figure = make_subplots(rows=1, cols=len(keys), subplot_titles=[theme.title_lines(labels[k], 16) for k in keys],
                           horizontal_spacing=0.06)
    for index, plan in enumerate(plans):
        name = plan.scenario.name
        colour = theme.CATEGORICAL[index % len(theme.CATEGORICAL)]
        for column, key in enumerate(keys, start=1):
            part = long[(long["scenario"] == name) & (long["key"] == key)]
            figure.add_trace(go.Bar(
                x=[_wrapped(c) for c in part["catchment"]], y=part["value"], name=name, legendgroup=name,
                showlegend=column == 1, marker_color=colour, text=part["text"],
                textposition="outside", cliponaxis=False,
                hovertemplate="%{x}: %{text}<extra>" + esc(name) + "</extra>"), row=1, col=column)
    figure.update_layout(barmode="group", height=height, separators=",.",
                         font={"size": font_size, "color": "#000000"},
                         # below the catchments' names (two lines): anchored at its top, or it
                         # grows upwards over them
                         legend={"orientation": "h", "yanchor": "top", "y": -0.3, "x": 0},
                         # room beside the outer panels for their titles (wider with more
                         # letter spacing, WCAG 1.4.12)
                         margin={"t": 60, "b": 40, "l": 30, "r": 30})
    figure.update_annotations(font_size=font_size)
    figure.update_yaxes(rangemode="tozero", showticklabels=False)
    return theme.white_background(figure)


def _wrapped(name: str, width: int = 10) -> str:
    # long catchment names on two lines under the bars
    if len(name) <= width or " " not in name:
        return name
    middle = min((i for i, ch in enumerate(name) if ch == " "), key=lambda i: abs(i - len(name) / 2))
    return name[:middle] + "<br>" + name[middle + 1:]


def comparison_sentences(plans: list[Plan], name=str) -> list[str]:
    """The chart in words (its text alternative): the gemeente's figures of each scenario. `name`
    writes a scenario's name (ui.safe.plain for markdown)."""
    sentences = []
    for plan in plans:
        t = plan.totals()
        s = plan.scenario
        text = (f"{name(s.name)} ({s.perspective}): {t['plusgroepen_nieuw']:g} nieuwe peuterplusgroepen, "
                f"{t['bso_plus_nieuw']:g} nieuwe BSO-plusgroepen, {t['groepen_extra_inzet']:g} reguliere "
                f"groepen met extra inzet, {plan_output.shown(t['fte'], 'fte')} fte en "
                f"{plan_output.shown(t['m2_nieuw'], 'm2')} m² nieuwe binnenspeelruimte")
        if plan_output.has_costs(plan):
            text += f", € {plan_output.shown(t['kosten'], 'euro')} per jaar"
        sentences.append(text + ".")
    return sentences


# --- slides -------------------------------------------------------------------------------

def _slide_plans(context: SlideContext) -> list[Plan]:
    available = [s for s in stored(context.gemeente_code)]
    chosen = selected_ids(available)
    return [compute(s) for s in available if s.scenario_id in chosen]


def _has_scenarios(context: SlideContext) -> bool:
    # asked on every step of the slides: a count, read fresh (scenarios change on their own page)
    return scenarios.count_scenarios(cursor(), context.gemeente_code) > 0


def _comparison_slide(context: SlideContext) -> None:
    plans = _slide_plans(context)
    st.markdown("<p class='kk-big'>Wat is er nodig? Groepen, fte en m² per verzorgingsgebied, de "
                "scenario's naast elkaar (schatting uit het continuümmodel, afgerond)</p>",
                unsafe_allow_html=True)
    figure = comparison_chart(plans, font_size=FONT_SIZE - 4, keys=plan_output.SLIDE_FIGURES)
    # the legend below the catchments, not over the panels' titles (a legend at y 1.14 hangs down
    # from there: plotly anchors a legend above two thirds at its top)
    big_layout(figure, legend={"font": {"size": FONT_SIZE}, "orientation": "h", "yanchor": "top", "y": -0.3,
                               "x": 0},
               margin={"t": 80, "b": 40, "l": 20, "r": 20}, font={"size": FONT_SIZE - 4, "color": "#000"})
    figure.update_xaxes(tickangle=0)
    show_chart(figure, "dia_scenarios", f"scenario's {context.gemeente_name}")
    for sentence in comparison_sentences(plans):
        st.markdown(f"<p class='kk-big' style='font-size:1.5rem !important'>{esc(sentence)}</p>",
                    unsafe_allow_html=True)
    if note := standard_assumptions_note():
        st.markdown(f"<p class='kk-note'>{esc(note)}</p>", unsafe_allow_html=True)
    for plan in plans:
        # the gap slide counts the groups for the whole gemeente: say why a scenario differs
        if plan.catchment_note:
            st.markdown(f"<p class='kk-note'>{esc(plan.catchment_note)}</p>", unsafe_allow_html=True)


def _risk_slide(context: SlideContext) -> None:
    plans = _slide_plans(context)
    st.markdown("<p class='kk-big'>Risico's uit de handreiking, naast elk scenario</p>",
                unsafe_allow_html=True)
    columns = st.columns(len(plans))
    for column, plan in zip(columns, plans, strict=True):
        # the handreiking's line, in words: '000:L157' meant nothing to a room that did not prepare
        items = "".join(f"<li><b>{esc(risk.title)}</b> ({esc(cited(risk.source))})</li>"
                        for risk, _ in plan.risks)
        column.markdown(f"<p class='kk-big'>{esc(plan.scenario.name)}</p>"
                        f"<ul style='font-size:1.4rem;color:#000'>{items}</ul>", unsafe_allow_html=True)


# The scenario slides; ui.slides.all_slides() puts them after the gap.
SLIDES = [
    Slide("scenarios", "Scenario's naast elkaar", _comparison_slide, _has_scenarios),
    Slide("scenario_risicos", "Risico's per scenario", _risk_slide, _has_scenarios),
]
