"""The Presentatie page in AppTest: slides, next/previous, the URL round trip, new data on refresh."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data_sources import store

ROOT = Path(__file__).resolve().parent.parent


def _open(params: dict[str, str]) -> AppTest:
    """Open the app on the Presentatie page as a shared URL would (query parameters first)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    at.switch_page("pages/presentatie.py")
    at.run()
    assert not at.exception, at.exception
    return at


def _slide_title(at: AppTest) -> str:
    return at.main.title[-1].value


def _counter(at: AppTest) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("<div class='kk-counter'>"))


def _slide_keys() -> list[str]:
    from ui.slides import all_slides

    return [slide.key for slide in all_slides()]


def test_slides_step_forward_and_back_with_number_and_url(app_db):
    at = _open({"gemeente": "GM9999", "jaar": "2023"})
    assert _slide_title(at) == "Kerncijfers"
    assert "Dia 1 van" in _counter(at) and "2023" in _counter(at)
    total = int(_counter(at).split("Dia 1 van ")[1].split(" ")[0])
    assert total >= 5
    seen = [_slide_title(at)]
    for number in range(2, total + 1):
        at.button(key="dia_volgende").click().run()
        assert not at.exception, at.exception
        assert f"Dia {number} van {total}" in _counter(at)
        assert at.query_params["dia"] == str(number)
        seen.append(_slide_title(at))
    assert len(set(seen)) == total  # every slide is different
    assert {"Kerncijfers", "Kaart", "Kinderen per wijk", "Aanlevering van gegevens", "Ontwikkeling"} <= set(seen)
    at.button(key="dia_volgende").click().run()  # wraps around
    assert _slide_title(at) == "Kerncijfers"
    at.button(key="dia_vorige").click().run()
    assert _slide_title(at) == seen[-1]
    assert at.query_params["gemeente"] == "GM9999" and at.query_params["jaar"] == "2023"


def test_each_slide_shows_one_chart_or_the_key_figures(app_db):
    at = _open({"dia": "kerncijfers"})
    assert "kk-card" in "".join(m.value for m in at.markdown)
    at = _open({"dia": "kaart"})
    # a static SVG map with every wijk name on it, no WebGL deck
    assert len(at.get("deck_gl_json_chart")) == 0
    maps = [m.value for m in at.markdown if m.value.startswith("<div class='kk-map'>")]
    assert len(maps) == 1
    assert maps[0].count("<path ") == 10
    assert ">Nieuwland</text>" in maps[0] and ">Centrum</text>" in maps[0]
    at = _open({"dia": "per_wijk"})
    charts = at.get("plotly_chart")
    assert len(charts) == 1
    import json

    figure = json.loads(charts[0].proto.spec)
    assert figure["layout"]["font"]["size"] >= 20  # readable from the back of the room
    assert len(figure["data"][0]["y"]) == 10


@pytest.mark.parametrize("dia, expected", [("3", "Kinderen per wijk"), ("kaart", "Kaart"), ("99", "Kerncijfers"),
                                           ("x", "Kerncijfers")])
def test_shared_url_opens_the_same_slide(app_db, dia, expected):
    at = _open({"gemeente": "GM9999", "jaar": "2022", "dia": dia})
    assert _slide_title(at) == expected
    assert at.session_state["year"] == 2022
    assert "2022" in _counter(at)


def test_wijk_and_indicator_round_trip(app_db):
    at = _open({"gemeente": "GM9999", "jaar": "2024", "wijk": "WK999903", "indicator": "kinderen_0_2",
                "dia": "kaart"})
    assert at.session_state["wijk"] == "WK999903"
    assert at.query_params["wijk"] == "WK999903"
    assert at.query_params["indicator"] == "kinderen_0_2"
    assert "Kinderen 0-2 jaar" in "".join(m.value for m in at.markdown)
    keys = [slide for slide in _slide_keys()]
    assert "wijk" in keys
    # the wijk slide exists only with a wijk chosen; a wijk of another gemeente is ignored
    at = _open({"wijk": "WK000101"})
    assert at.session_state["wijk"] == ""
    assert "wijk" not in at.query_params


def test_the_refresh_switch_is_kept_in_the_url_and_the_slide_says_it_is_off(app_db):
    """WCAG 2.2.2: 'Automatisch verversen' off stays off from slide to slide and in a shared link,
    and the slide says how to get new figures; on again, the note and the URL mark go."""
    def paused_note(at: AppTest) -> list[str]:
        return [m.value for m in at.markdown if m.value.startswith("<p class='kk-paused'")]

    at = _open({"gemeente": "GM9999", "jaar": "2024"})
    switch = at.toggle(key="dia_verversen")
    assert switch.value is True and switch.label == "Automatisch verversen: aan"
    assert not paused_note(at) and "verversen" not in at.query_params
    switch.set_value(False).run()
    assert not at.exception, at.exception
    assert at.toggle(key="dia_verversen").label == "Automatisch verversen: uit"
    assert at.query_params["verversen"] == "uit"
    assert "weer aanzet of naar een andere dia gaat" in paused_note(at)[0]
    at.button(key="dia_volgende").click().run()
    assert at.query_params["dia"] == "2" and at.query_params["verversen"] == "uit"
    assert at.toggle(key="dia_verversen").value is False and paused_note(at)

    shared = _open({"gemeente": "GM9999", "jaar": "2024", "dia": "2", "verversen": "uit"})
    assert shared.toggle(key="dia_verversen").value is False and paused_note(shared)
    shared.toggle(key="dia_verversen").set_value(True).run()
    assert not paused_note(shared) and "verversen" not in shared.query_params
    assert shared.query_params["dia"] == "2"


def test_choosing_a_wijk_puts_it_in_the_url_and_offers_its_factsheet(app_db):
    at = _open({"gemeente": "GM9999"})
    labels = [b.label for b in at.get("download_button")]
    assert any("Gemeenterapport" in label for label in labels)
    assert not any("Wijkfactsheet" in label for label in labels)
    at.selectbox(key="_wijk_choice").set_value("WK999905").run()
    assert at.query_params["wijk"] == "WK999905"
    labels = [b.label for b in at.get("download_button")]
    assert "Wijkfactsheet De Horst (HTML)" in labels


def test_new_delivery_appears_and_the_slide_stays(app_db):
    at = _open({"dia": "levering"})
    assert _slide_title(at) == "Aanlevering van gegevens"
    page_text = "".join(m.value for m in at.markdown)
    assert "Kinderopvang De Vlinder" not in page_text
    con = store.connect(app_db)
    store.new_load(con, source="partner", dataset="groepsgrootte", gemeente_code="GM9999", year=2024,
                   period="2024", organisation="Kinderopvang De Vlinder", file_name="vlinder.xlsx")
    con.close()
    at.run()  # what the fragment's timer does in the browser
    assert not at.exception, at.exception
    assert _slide_title(at) == "Aanlevering van gegevens"
    page_text = "".join(m.value for m in at.markdown)
    assert "Kinderopvang De Vlinder" in page_text
    # named as the table below names it, not by its key ('groepsgrootte')
    assert ("Laatste levering: Groepsgrootte in kinderopvanglocaties van Kinderopvang De Vlinder"
            in page_text)


def test_organisation_names_are_escaped_on_the_delivery_slide(app_db):
    con = store.connect(app_db)
    store.new_load(con, source="partner", dataset="jeugdhulp", gemeente_code="GM9999", year=2024, period="2024",
                   organisation="<img src=x onerror=alert(1)>")
    con.close()
    at = _open({"dia": "levering"})
    page_text = "".join(m.value for m in at.markdown)
    assert "<img src=x" not in page_text and "&lt;img src=x" in page_text


def test_the_slides_are_one_list_in_order():
    assert _slide_keys() == ["kerncijfers", "kaart", "per_wijk", "continuum", "tekort", "scenarios",
                             "scenario_risicos", "levering", "trend", "wijk"]


def test_delivery_slide_shows_what_is_missing_per_handreiking_row(app_db):
    at = _open({"dia": "levering"})
    page_text = "".join(m.value for m in at.markdown)
    assert "<th scope='col'>Ontbreekt</th>" in page_text and "<th scope='col'>Geleverd door</th>" in page_text
    assert "Kinderen met een vve-indicatie" in page_text


def test_no_legend_or_label_of_a_slide_chart_lies_over_its_data(app_db):
    import json

    from ui.slides import FONT_SIZE, MAX_BARS

    for dia in _slide_keys():
        at = _open({"dia": dia})
        for chart in at.get("plotly_chart"):
            figure = json.loads(chart.proto.spec)
            layout = figure["layout"]
            legend = layout.get("legend", {})
            entries = [t for t in figure["data"] if t.get("showlegend", True)]
            shown = layout.get("showlegend", len(entries) > 1)  # plotly: a legend from two traces
            if shown and "y" in legend:
                # plotly anchors a legend at y >= 2/3 at its top and at y <= 1/3 at its bottom: a
                # legend outside the plot that is not anchored away from it hangs over the bars
                if legend["y"] > 1:
                    assert legend.get("yanchor") == "bottom", (dia, legend)
                if legend["y"] < 0:
                    assert legend.get("yanchor") == "top", (dia, legend)
            for trace in figure["data"]:
                if trace.get("type") == "bar" and trace.get("textposition") == "outside":
                    # at most ten bars in one panel, so the labels keep their size
                    assert len(trace.get("y") or trace.get("x")) <= MAX_BARS == 10, dia
                    per_axis = sum(1 for t in figure["data"]
                                   if t.get("xaxis", "x") == trace.get("xaxis", "x")
                                   and t.get("type") == "bar")
                    # grouped: no more than 20 bars side by side in one panel
                    assert layout.get("barmode") != "group" or \
                        per_axis * len(trace.get("y") or trace.get("x")) <= 20, dia
            # a panel's title is read from the back of the room too: the 16 px plotly gives
            # subplot titles was the smallest text on the 'Tekort per wijk' slide
            for note in layout.get("annotations", []):
                assert note.get("font", {}).get("size", 0) >= FONT_SIZE - 4, (dia, note["text"])


def test_the_continuum_slide_has_one_panel_per_niveau_with_every_wijk(app_db):
    import json

    at = _open({"dia": "continuum"})
    figure = json.loads(at.get("plotly_chart")[0].proto.spec)
    bars = figure["data"]
    assert [t["name"] for t in bars] == ["niveau 2", "niveau 3", "niveau 4"]
    assert [t.get("xaxis", "x") for t in bars] == ["x", "x2", "x3"]
    assert all(len(t["y"]) == 10 for t in bars)
    # the panels are ordered by niveau 3 (the top bar last): the ranking sentence names that wijk
    top = bars[1]["y"][-1]
    assert any(f"{top} heeft de meeste kinderen op niveau 3" in m.value for m in at.markdown)


def test_the_lea_gap_slide_says_why_passend_is_not_on_it_until_released(app_db):
    """Review (session 23): the LEA view's 'Tekort per wijk' showed only the inclusief panel under
    the heading 'beide perspectieven naast elkaar', with no word on passend (the separate groups
    rest on partners' places, which wait for the gemeente's release)."""
    from html import unescape

    from conftest import add_account, run_page

    from data_sources import accounts
    from data_sources.accounts import Account
    from ui.auth import PARTNER_PLACES
    from ui.slides import PASSEND_NOT_RELEASED

    add_account(app_db, "zaal", "lea", gemeenten=["GM9999"])

    def slide_text() -> str:
        at = run_page(account=Account("zaal", "lea"), params={"dia": "tekort"})
        assert not at.exception, at.exception
        assert _slide_title(at) == "Tekort per wijk"
        return unescape(" ".join(m.value for m in at.markdown))

    text = slide_text()
    assert PASSEND_NOT_RELEASED in text
    assert "beide perspectieven naast elkaar" not in text
    assert "Niveau 3 per wijk, inclusief (schatting min waargenomen)" in text
    connection = store.connect(app_db)
    try:
        accounts.set_released(connection, "GM9999", PARTNER_PLACES, "lea", True, "beheer")
    finally:
        connection.close()
    text = slide_text()
    assert PASSEND_NOT_RELEASED not in text
    assert "Niveau 3 per wijk, beide perspectieven naast elkaar" in text


def _downloads_text(at: AppTest) -> str:
    return next(m.value for m in at.markdown if "Het werkboek bevat alle tabellen" in m.value)


def test_the_downloads_say_how_figures_are_protected_in_plain_dutch(app_db, tmp_path, monkeypatch):
    """'Overal gelden dezelfde afscherming' (not Dutch), and it said that small numbers are hidden
    where a gemeente's figures are public CBS estimates alone, which are rounded, not hidden."""
    from conftest import app_db_with_files, run_page_as_analist
    from kwb_files import write_kwb_xlsx

    counted = _downloads_text(_open({"gemeente": "GM9999"}))  # BRP and partner counts
    assert "Overal gelden" not in counted
    assert "Aantallen van 1 tot 5 kinderen staan als 'afgeschermd'" in counted
    app_db_with_files(tmp_path, monkeypatch, write_kwb_xlsx(tmp_path / "kwb-2024.xlsx"))
    estimated = _downloads_text(run_page_as_analist("presentatie", params={"gemeente": "GM0193", "jaar": "2024"}))
    assert "Aantallen van 1 tot" not in estimated and "afgeschermd" not in estimated.replace("niet afgeschermd", "")
    assert "afgerond, niet afgeschermd" in estimated
