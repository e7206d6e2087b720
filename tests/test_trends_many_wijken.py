"""Trends of a gemeente with many wijken: every line drawn has a style of its own (WCAG 1.4.1), the
reader picks which wijken are drawn, and every wijk stays in the table."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import pytest
from conftest import add_account, app_copy, run_page, sample_and_synthetic, shown_text

from data_sources.accounts import Account
from ui import theme


@pytest.fixture(scope="module")
def large_gemeente_db(tmp_path_factory) -> Path:
    """Voorbeeldstad and one synthetic gemeente, GM0001, of as many wijken as Amsterdam (the
    national benchmark's largest), five years, loaded through the real loaders."""
    return sample_and_synthetic(tmp_path_factory.mktemp("veel_wijken"), 1)


@pytest.fixture
def trends(large_gemeente_db, tmp_path, monkeypatch):
    db = app_copy(large_gemeente_db, tmp_path, monkeypatch)
    add_account(db, "analist", "analist")
    at = run_page("trends", 120, account=Account("analist", "analist", None), params={"gemeente": "GM0001"})
    assert not at.exception, at.exception
    return at


def _series_styles(at) -> dict[str, tuple[str, str, str]]:
    """Each wijk's line in the chart as drawn: legend group -> (colour, dash, marker shape)."""
    [chart] = at.get("plotly_chart")
    styles: dict[str, set] = {}
    for trace in json.loads(chart.proto.spec)["data"]:
        if "lines" not in trace.get("mode", ""):
            continue  # the key of the routes (open and filled markers)
        symbol = str(trace["marker"]["symbol"]).removesuffix("-open")  # open: an estimate
        styles.setdefault(trace["legendgroup"], set()).add(
            (trace["line"]["color"], trace["line"].get("dash", "solid"), symbol))
    assert all(len(style) == 1 for style in styles.values()), styles  # one style per wijk
    return {name: next(iter(style)) for name, style in styles.items()}


def _table_rows(at) -> int:
    [table] = [m.value for m in at.markdown if "<table" in m.value and "per wijk en jaar" in m.value]
    return len(re.findall(r"<tr\b", table.split("<tbody", 1)[1]))


def _wijk_codes(db: Path) -> list[str]:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return [code for (code,) in con.execute("select distinct wijk_code from population_by_wijk_age"
                                                " where wijk_code like 'WK0001%' order by 1").fetchall()]
    finally:
        con.close()


def test_no_two_wijken_on_the_chart_look_alike_and_every_wijk_is_in_the_table(trends, large_gemeente_db):
    wijken = len(_wijk_codes(large_gemeente_db))
    assert wijken > theme.SERIES_STYLES  # more wijken than there are styles
    styles = _series_styles(trends)
    alike = {style: [n for n, s in styles.items() if s == style] for style in styles.values()}
    assert len(set(styles.values())) == len(styles), {s: n for s, n in alike.items() if len(n) > 1}
    assert len(styles) == theme.MAX_TREND_LINES
    # and colour is never what alone tells two apart (1.4.1)
    assert len({(dash, symbol) for _, dash, symbol in styles.values()}) == len(styles)
    chosen = trends.multiselect(key="trend_wijken")
    assert len(chosen.value) == theme.MAX_TREND_LINES and len(chosen.options) == wijken
    text = shown_text(trends)
    assert f"De grafiek toont {theme.MAX_TREND_LINES} van de {wijken} wijken" in text
    assert _table_rows(trends) == wijken


def test_the_reader_chooses_the_wijken_drawn(trends, large_gemeente_db):
    chosen = trends.multiselect(key="trend_wijken")
    others = [code for code in _wijk_codes(large_gemeente_db) if code not in chosen.value][:3]
    chosen.set_value(others).run()
    assert not trends.exception, trends.exception
    styles = _series_styles(trends)
    assert len(styles) == 3 and len(set(styles.values())) == 3
    assert "De grafiek toont 3 van de" in shown_text(trends)


def test_every_style_up_to_series_styles_differs_in_two_of_colour_dash_and_marker():
    styles = [theme.series_style(index) for index in range(theme.SERIES_STYLES)]
    assert theme.MAX_TREND_LINES <= theme.SERIES_STYLES
    for first, second in itertools.combinations(styles, 2):
        differ = (first.colour != second.colour) + (first.dash != second.dash) + (first.symbol != second.symbol)
        assert differ >= 2, (first, second)
