"""Every page runs in AppTest without an exception and shows the right figures."""

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest
from conftest import add_account, run_page

ROOT = Path(__file__).resolve().parent.parent
PAGE_FILES = sorted(p.stem for p in (ROOT / "pages").glob("*.py"))


def test_app_lists_every_page_file():
    app = (ROOT / "app.py").read_text()
    listed = set(re.findall(r'"pages" / "(\w+)\.py"', app))
    assert listed == set(PAGE_FILES)


@pytest.mark.parametrize("page", PAGE_FILES)
def test_page_runs_without_exception(app_db, page):
    from data_sources.accounts import Account
    from ui.auth import ROLE_PAGES

    account = None
    if page not in ROLE_PAGES["demo"]:  # Gemeente laden, Beheer: only once there are accounts
        add_account(app_db, "beheer", "beheerder")
        account = Account("beheer", "beheerder", None)
    at = run_page(page, account=account)
    assert not at.exception, at.exception
    assert at.title, f"{page} shows no title"
    # Streamlit's own placeholder of an empty choice is English ('Choose options', 'Choose an
    # option'): every choice that can be empty says it in Dutch (Beheer's releases start empty)
    english = [w.label for w in at.multiselect if not w.proto.placeholder.strip()]
    english += [w.label for w in at.selectbox if w.value is None and not w.proto.placeholder.strip()]
    assert not english, f"{page}: English placeholder in {english}"


def _expected_totals(db, year):
    con = duckdb.connect(str(db), read_only=True)
    rows = dict(con.execute(
        "select age_group, sum(children) from population_by_wijk_age"
        " where gemeente_code = 'GM9999' and year = ? group by age_group", [year]).fetchall())
    con.close()
    return rows


def _key_figures(at) -> dict[str, str]:
    """The key figures (ui.theme.key_figures) of a page: label -> value as shown."""
    import html
    import re

    block = next(m.value for m in at.markdown if "<dl" in m.value)
    pairs = re.findall(r"<dt[^>]*>(.*?)</dt><dd[^>]*>(.*?)</dd>", block)
    return {html.unescape(label): html.unescape(value) for label, value in pairs}


class _TableCells(HTMLParser):
    """Header and rows of the first HTML table in a piece of markup."""

    def __init__(self):
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("th", "td"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("th", "td") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _html_table(at) -> tuple[str, list[dict[str, str]]]:
    """The table a page draws with ui.theme.html_table: (caption, rows as column -> text)."""
    # in its scroll box (a div around the table)
    block = next(m.value for m in at.markdown if "<table" in m.value)
    parser = _TableCells()
    parser.feed(block)
    header, *body = parser.rows
    caption = re.search(r"<caption[^>]*>(.*?)</caption>", block).group(1)
    return caption, [dict(zip(header, row, strict=True)) for row in body]


def test_overzicht_shows_gemeente_totals_per_age_group(app_db, sample_db):
    at = run_page()
    assert "Voorbeeldstad" in at.title[0].value
    year = at.session_state["year"]
    assert year == 2024
    expected = _expected_totals(sample_db, year)
    metrics = _key_figures(at)
    for group, value in expected.items():
        # the sample's register (BRP) is loaded: exact counts, large enough to be shown
        assert metrics[f"Kinderen {group} jaar"] == f"{int(value):,}".replace(",", ".")
    caption, table = _html_table(at)
    assert caption == f"Kinderen per wijk en leeftijdsgroep in Voorbeeldstad, {year}"
    assert len(table) == 11  # ten wijken and the gemeente total
    assert "Bloemhof" in {row["Wijk"] for row in table}
    # the last row is the gemeente total, the same figures as the key figures
    assert table[-1]["Wijkcode"] == "Totaal"
    assert table[-1]["Totaal"] == metrics["Kinderen 0-12 jaar"]
    for group in expected:
        assert table[-1][f"{group} jaar"] == metrics[f"Kinderen {group} jaar"]
    assert at.caption[0].value.startswith("Bron: basisregistratie personen")
    # a hidden cell never stands alone in its row (small wijken such as Buitengebied)
    for row in table:
        hidden = [row[c] == "afgeschermd" for c in ["0-2 jaar", "2-4 jaar", "4-12 jaar", "Totaal"]]
        assert sum(hidden) != 1, row
    assert len(at.get("plotly_chart")) == 1


def test_year_from_url_and_sidebar_change(app_db):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["jaar"] = "2021"
    at.run()
    assert at.session_state["year"] == 2021
    assert "2021" in at.title[0].value
    at.sidebar.selectbox(key="_year_choice").set_value(2023).run()
    assert "2023" in at.title[0].value


def test_kaart_draws_every_wijk_with_tooltip(app_db):
    at = run_page("kaart")
    deck = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    layer = deck["layers"][0]
    features = layer["data"]["features"]
    assert len(features) == 10
    names = {f["properties"]["wijk_name"] for f in features}
    assert {"Centrum", "Bloemhof", "Buitengebied"} <= names
    assert all(f["properties"]["value_text"] for f in features)
    tooltip = json.loads(at.get("deck_gl_json_chart")[0].proto.tooltip)
    assert "{wijk_name}" in tooltip["html"] and "{value_text}" in tooltip["html"]


def test_kaart_indicator_choice_changes_values(app_db):
    at = run_page("kaart")
    before = json.loads(at.get("deck_gl_json_chart")[0].proto.json)["layers"][0]["data"]["features"]
    at.selectbox(key="_indicator_choice").set_value("kinderen_4_12").run()
    after = json.loads(at.get("deck_gl_json_chart")[0].proto.json)["layers"][0]["data"]["features"]
    assert [f["properties"]["value_text"] for f in before] != [f["properties"]["value_text"] for f in after]


def test_databronnen_lists_loaded_tables(app_db):
    at = run_page("databronnen")
    table = at.dataframe[1].value  # [0] is the handreiking's table
    assert {"85984NED", "03759ned"} <= set(table["Tabel of soort"].dropna())
    assert "Voorbeeldgegevens" in set(table["Bron"])


def test_choice_of_year_survives_page_changes(app_db):
    at = run_page()
    at.sidebar.selectbox(key="_year_choice").set_value(2021).run()
    at.switch_page("pages/kaart.py").run()
    assert "2021" in at.title[0].value
    at.run()
    assert "2021" in at.title[0].value


def test_key_figures_escape_their_text():
    from streamlit.testing.v1 import AppTest

    def page():
        from ui import theme

        theme.key_figures([("<b>Kinderen</b>", "afgeschermd"), ("Totaal", "1.234")])

    at = AppTest.from_function(page).run()
    assert not at.exception
    block = at.markdown[0].value
    assert "<b>" not in block and "&lt;b&gt;Kinderen&lt;/b&gt;" in block
    assert _key_figures(at) == {"<b>Kinderen</b>": "afgeschermd", "Totaal": "1.234"}
