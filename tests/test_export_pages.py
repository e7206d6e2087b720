"""Download buttons on the analysis pages: every table as Excel and CSV, every chart as HTML (PNG via modebar)."""

import json

import plotly.graph_objects as go
import pytest
from conftest import run_page

from ui.downloads import chart_config, chart_html, file_stem


@pytest.mark.parametrize("page, tables, charts", [("overzicht", 1, 1), ("continuum", 1, 2), ("tekorten", 1, 1),
                                                  ("trends", 0, 1)])
def test_pages_offer_table_and_chart_downloads(app_db, page, tables, charts):
    at = run_page(page)
    assert not at.exception, at.exception
    labels = [button.label for button in at.get("download_button")]
    assert labels.count("Excel") == tables and labels.count("CSV") == tables
    assert labels.count("Interactieve grafiek (HTML)") == charts
    for chart in at.get("plotly_chart"):
        config = json.loads(chart.proto.config)
        assert config["toImageButtonOptions"]["format"] == "png"


def test_chart_html_is_standalone_and_names_the_png():
    figure = go.Figure(go.Bar(x=["Centrum"], y=[815]))
    html = chart_html(figure, "Kinderen per wijk Voorbeeldstad 2024")
    assert html.lower().startswith("<!doctype html>") and "Plotly.newPlot" in html
    assert 'src="https://cdn.plot.ly' not in html and len(html) > 1_000_000  # plotly.js inside: offline
    assert '"filename": "kinderen-per-wijk-voorbeeldstad-2024"' in html
    assert chart_config("Continuüm =SUM(A1)")["toImageButtonOptions"]["filename"] == "continuum-sum-a1"
    assert file_stem("") == "kindkaart"
