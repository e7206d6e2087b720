"""Numbers in charts are written the Dutch way, as in the tables and key figures beside them:
18.000 kinderen and 2,5 per 100 (plotly's `separators`). Plotly's own default writes 18,000,
which a Dutch reader takes for eighteen, and 2.5. Each page set it on its own charts; the house
look (ui.theme.screen_look) now sets it on any chart that does not, so that a new chart cannot
forget it. Checked on every chart of every page that draws one, in AppTest on the sample gemeente."""

from __future__ import annotations

import json
from pathlib import Path

import plotly.graph_objects as go
import pytest
from streamlit.testing.v1 import AppTest

from ui.theme import screen_look

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["overzicht", "continuum", "tekorten", "trends", "analysevragen", "scenarios"]


def test_the_house_look_writes_dutch_numbers_and_keeps_a_charts_own_choice():
    assert screen_look(go.Figure(go.Bar(x=["Centrum"], y=[18000]))).layout.separators == ",."
    own = go.Figure(layout={"separators": ". "})
    assert screen_look(own).layout.separators == ". "


@pytest.mark.parametrize("page", PAGES)
def test_every_chart_on_the_page_writes_dutch_numbers(app_db, page):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    at.switch_page(f"pages/{page}.py")
    at.run()
    assert not at.exception, at.exception
    charts = at.get("plotly_chart")
    if page in ("overzicht", "continuum", "tekorten", "trends"):
        assert charts, f"{page} tekent geen grafiek"
    for chart in charts:
        layout = json.loads(chart.proto.spec)["layout"]
        assert layout.get("separators") == ",.", (page, layout.get("title"))
