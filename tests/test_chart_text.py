"""Text from outside in charts: plotly draws <a href>, <span style> and the like in every label, so a
wijk name from a CBS file or a scenario name could put a foreign link into a chart. Every chart goes
through ui.safe.plotly_chart, which shows such text as it is."""

from __future__ import annotations

import json
import re
from pathlib import Path

import plotly.graph_objects as go
from conftest import ROOT, add_account, app_db_with_files, run_page
from kwb_files import ZWOLLE_WIJKEN, kwb_rows, write_kwb_xlsx

from ui.safe import chart_figure, chart_text

LINK = '<a href="https://evil.example/">Wijk 10 Binnenstad</a>'


def test_a_tag_is_shown_not_drawn_and_our_line_breaks_stay():
    assert chart_text(LINK) == '&lt;a href="https://evil.example/">Wijk 10 Binnenstad&lt;/a>'
    assert chart_text("Noord<br>Oost") == "Noord<br>Oost"
    assert chart_text("<span style='font-size:80px'>x</span>") == "&lt;span style='font-size:80px'>x&lt;/span>"


def test_every_text_of_a_figure_is_escaped_numbers_untouched():
    figure = go.Figure(go.Bar(x=[LINK, "Zuid"], y=[3, 4], name="<b>scenario</b>", text=["<i>1</i>", "2"],
                              customdata=[["<sup>a</sup>"], ["b"]]))
    figure.update_layout(title="<a href='https://evil.example/'>titel</a>")
    figure.add_annotation(text="<span style='color:red'>noot</span>", x=0, y=0)
    chart = json.loads(chart_figure(figure).to_json())
    assert "<a " not in json.dumps(chart) and "<b>" not in json.dumps(chart)
    trace = chart["data"][0]
    assert trace["x"][0].startswith("&lt;a href") and trace["y"] == [3, 4]
    assert trace["name"] == "&lt;b>scenario&lt;/b>" and trace["customdata"][0] == ["&lt;sup>a&lt;/sup>"]


def test_a_wijk_name_with_a_link_from_a_cbs_file_draws_no_link_on_overzicht(tmp_path, monkeypatch):
    wijken = [(code, LINK if code == "WK019310" else name, inw, young)
              for code, name, inw, young in ZWOLLE_WIJKEN]
    path = app_db_with_files(tmp_path, monkeypatch, write_kwb_xlsx(tmp_path / "kwb-2024.xlsx", kwb_rows(wijken=wijken)))
    add_account(path, "analist", "analist")
    from data_sources.accounts import Account

    at = run_page("overzicht", 90, account=Account("analist", "analist", None), params={"gemeente": "GM0193"})
    assert not at.exception, at.exception
    spec = at.get("plotly_chart")[0].proto.spec
    assert "evil.example" in spec  # the name is there, as text
    assert not re.search(r"<a\b", json.dumps(json.loads(spec)["data"])), "a link drawn in the chart"


def test_no_chart_bypasses_the_escaping():
    callers = [path.relative_to(ROOT).as_posix() for folder in ("pages", "ui", "outputs")
               for path in (ROOT / folder).rglob("*.py") if "st.plotly_chart(" in path.read_text()]
    assert callers == ["ui/safe.py"], callers
    assert Path(ROOT / "app.py").read_text().count("st.plotly_chart(") == 0
