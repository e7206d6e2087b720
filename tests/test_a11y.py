"""Text alternatives (ui.a11y) say what a chart shows, from the protected figures only; the pages show them."""

import math
import re

from conftest import run_page

from ui import a11y


def test_ranking_names_highest_and_lowest_with_the_shown_texts():
    items = [("Bloemhof", 120.0, "120"), ("Nieuwland", 460.0, "460"), ("Centrum", 300.0, "300")]
    assert a11y.ranking_sentence(items, noun="peuters") == \
        "Nieuwland heeft de meeste peuters: 460; Bloemhof de minste: 120."
    assert a11y.ranking_sentence(items, subject="Tekort niveau 3") == \
        "Tekort niveau 3: het hoogst in Nieuwland (460), het laagst in Bloemhof (120)."


def test_ranking_never_ranks_a_hidden_value():
    # The hidden wijk's true value (3) is the lowest: naming it "de minste" would reveal it.
    items = [("Nieuwland", 460.0, "460"), ("Buitengebied", None, "afgeschermd"), ("Centrum", math.nan, ""),
             ("Bloemhof", 120.0, "120")]
    sentence = a11y.ranking_sentence(items, noun="peuters")
    assert sentence == ("Nieuwland heeft de meeste peuters: 460; Bloemhof de minste: 120. "
                        "Afgeschermd of zonder gegevens: 2 wijken.")
    assert "Buitengebied" not in sentence
    assert a11y.ranking_sentence([("Buitengebied", None, "afgeschermd")], subject="Vve") == \
        "Geen zichtbare waarden voor Vve. Afgeschermd of zonder gegevens: 1 wijk."


def test_a_gemeente_of_one_wijk_is_not_ranked():
    # Vlieland has one wijk: the Kaart said 'het hoogst in Wijk 00 (20)', a ranking of one
    only = [("Wijk 00", 20.0, "20")]
    assert a11y.ranking_sentence(only, subject="Kinderen 0-12 jaar (Vlieland)") == \
        "Kinderen 0-12 jaar (Vlieland): Wijk 00 (20), de enige wijk."
    assert a11y.ranking_sentence(only, noun="kinderen van 0-2 jaar") == \
        "Wijk 00, de enige wijk, heeft 20 kinderen van 0-2 jaar."
    # one wijk shown beside a secret one: named, not ranked, the other counted
    assert a11y.ranking_sentence(only, noun="peuters", unknown=1) == (
        "Wijk 00, de enige wijk met een zichtbare waarde, heeft 20 peuters. "
        "Aantal kinderen onbekend (CBS geheim), niet gerangschikt: 1 wijk.")


def test_the_pages_and_slides_of_a_gemeente_of_one_wijk_rank_nothing(tmp_path, monkeypatch):
    """A real gemeente is shown after a login: an analist, with a kwb file of one wijk."""
    from conftest import app_db_with_files, run_page_as_analist
    from kwb_files import kwb_rows, write_kwb_xlsx

    rows = kwb_rows(("GM0096", "Vlieland"), [("WK009600", "Wijk 00 Vlieland", 1150, 150)])
    app_db_with_files(tmp_path, monkeypatch, write_kwb_xlsx(tmp_path / "kwb-2024.xlsx", rows))
    pages = [run_page_as_analist(page, params={"gemeente": "GM0096", "jaar": "2024"})
             for page in (None, "kaart", "continuum", "tekorten", "trends")]
    slides = [run_page_as_analist("presentatie", params={"gemeente": "GM0096", "jaar": "2024", "dia": dia})
              for dia in ("per_wijk", "continuum", "tekort")]
    said = [re.sub(r"<[^>]+>", "", m.value) for at in [*pages, *slides] for m in at.markdown
            if m.value.startswith("<p class='kk-summary'>")]
    assert not [at.exception for at in [*pages, *slides] if at.exception]
    assert said and all("Wijk 00 Vlieland" in s for s in said), said
    assert not [s for s in said if re.search(r"het hoogst|het laagst|de meeste|de minste", s)], said
    assert any("de enige wijk" in s for s in said), said


def _summaries(at) -> list[str]:
    return [re.sub(r"<[^>]+>", "", m.value) for m in at.markdown if "kk-summary" in m.value]


def _tables(at) -> list[str]:
    return [m.value for m in at.markdown if "<table" in m.value]


def test_overzicht_says_what_its_chart_shows(app_db):
    at = run_page()
    (summary,) = _summaries(at)
    assert summary.startswith("Nieuwland heeft de meeste kinderen van 0-2 jaar: ")
    assert "kinderen van 2-4 jaar" in summary and "kinderen van 4-12 jaar" in summary


def test_kaart_map_has_a_summary_and_every_wijk_in_a_table(app_db):
    at = run_page("kaart")
    (summary,) = _summaries(at)
    assert summary.startswith("Kinderen 0-2 jaar (Voorbeeldstad): het hoogst in ")
    (table,) = _tables(at)
    assert table.count("<tr>") == 11  # header and ten wijken
    assert "De kaart als tabel" in [e.label for e in at.expander]


def test_hidden_cells_show_as_hidden_in_the_map_table():
    from streamlit.testing.v1 import AppTest

    def page():  # AppTest runs the function's body as a script: it imports what it uses
        import numpy as np
        import pandas as pd

        from ui import a11y

        a11y.map_alternative(pd.DataFrame({"wijk_name": ["A", "B", "C"], "value": [12.0, np.nan, np.nan],
                                           "hidden": [False, True, None]}), "Kinderen", "Test")

    at = AppTest.from_function(page).run()
    (summary,) = _summaries(at)
    # one visible wijk is no ranking: before, 'het hoogst in A (12)'
    assert summary == ("Kinderen (Test): A (12), de enige wijk met een zichtbare waarde. "
                       "Afgeschermd of zonder gegevens: 2 wijken.")
    cells = re.findall(r"<td[^>]*>(.*?)</td>", _tables(at)[0])
    assert cells == ["A", "12", "B", "afgeschermd", "C", "geen gegevens"]


def test_trends_continuum_tekorten_and_slides_have_text_alternatives(app_db):
    trends = run_page("trends")
    assert _summaries(trends)[0].startswith("Kinderen 0-2 jaar in 2024: het hoogst in ")
    assert not [info for info in trends.info if "Alleen" in str(info.value)]  # several years
    continuum = run_page("continuum")
    assert "heeft de meeste kinderen op niveau 3 (schatting)" in _summaries(continuum)[0]
    assert any("Verwachte kinderen per niveau in Voorbeeldstad, per jaar" in t for t in _tables(continuum))
    assert _summaries(run_page("tekorten"))[0].startswith(
        "Tekort aan reguliere plekken voor peuters (2-4 jaar) (schatting, midden): ")


def test_a_national_map_table_lists_the_highest_wijken():
    from streamlit.testing.v1 import AppTest

    def page():  # AppTest runs the function's body as a script: it imports what it uses
        import pandas as pd

        from ui import a11y

        a11y.map_alternative(pd.DataFrame({"wijk_name": [f"Wijk {i:03d}" for i in range(250)],
                                           "value": [float(i) for i in range(250)],
                                           "hidden": [False] * 250}), "Kinderen", "Nederland",
                            national=True)

    at = AppTest.from_function(page).run()
    assert _summaries(at) == ["Kinderen (Nederland): het hoogst in Wijk 249 (249), het laagst in Wijk 000 (0)."]
    (table,) = _tables(at)
    assert "in de 100 wijken met de hoogste waarde (Nederland)" in table
    names = re.findall(r"<td[^>]*>(Wijk \d+)</td>", table)
    assert names[0] == "Wijk 249" and names[-1] == "Wijk 150" and len(names) == 100


def test_the_map_table_of_a_city_of_many_wijken_lists_every_wijk():
    # Amsterdam has 110 wijken: its table listed only the 100 highest, leaving out the smallest
    # (a wijk whose children are estimated below one was nowhere but in a hover).
    from streamlit.testing.v1 import AppTest

    def page():
        import pandas as pd

        from ui import a11y

        a11y.map_alternative(pd.DataFrame({"wijk_name": [f"Wijk {i:03d}" for i in range(110)],
                                           "value": [float(i) for i in range(110)],
                                           "hidden": [False] * 110}), "Kinderen", "Amsterdam")

    (table,) = _tables(AppTest.from_function(page).run())
    assert "Kinderen per wijk (Amsterdam)" in table
    names = re.findall(r"<td[^>]*>(Wijk \d+)</td>", table)
    assert names == [f"Wijk {i:03d}" for i in range(110)]


def test_the_accessibility_statement_covers_every_page_and_names_existing_tests():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    statement = (root / "docs" / "toegankelijkheid.md").read_text(encoding="utf-8")
    for title in re.findall(r"st\.Page\([^)]*title=\"([^\"]+)\"", (root / "app.py").read_text(encoding="utf-8")):
        assert title in statement, f"page {title} missing from docs/toegankelijkheid.md"
    for path in set(re.findall(r"`((?:tests|ui)/[\w/]+\.py)`", statement)):
        assert (root / path).exists(), path


def test_a_titled_chart_keeps_room_only_for_its_title_and_panel_titles_keep_theirs():
    # the title stands above a chart as page text; in the chart it is hidden but still laid out,
    # so the chart asks only for the room it needs (automargin), unless text sits above the panels
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    from ui.safe import TITLE_MARGIN, tight_title

    plain = go.Figure(go.Bar(x=["a"], y=[1])).update_layout(title="Kinderen per wijk", margin={"t": 60})
    tight_title(plain)
    assert (plain.layout.margin.t, plain.layout.title.automargin, plain.layout.title.yanchor) == \
        (TITLE_MARGIN, True, "bottom")
    panels = make_subplots(rows=1, cols=2, subplot_titles=["niveau 2", "niveau 3"])
    panels.update_layout(title="Tekort per niveau", margin={"t": 60})
    tight_title(panels)
    assert panels.layout.margin.t == 60


def test_wijken_sharing_the_highest_or_lowest_figure_are_named_together():
    """Almere has eight wijken without inhabitants: 'Twentsekant de minste: 0' named one of them
    (the last in the alphabet) as if it alone had the fewest."""
    items = [("Stedenwijk", 235.0, "235"), ("Filmwijk", 220.0, "220"), ("Twentsekant", 0.0, "0"),
             ("Hogekant", 0.0, "0"), ("Lagekant", 0.0, "0"), ("Sallandsekant", 0.0, "0"),
             ("Hollandsekant", 0.0, "0")]
    assert a11y.ranking_sentence(items, noun="kinderen van 0-2 jaar") == (
        "Stedenwijk heeft de meeste kinderen van 0-2 jaar: 235; Hogekant, Hollandsekant en 3 andere "
        "wijken de minste: 0.")
    # ties are judged on the figure as shown: 0,3 and 0,4 children both read '<1'
    items = [("Nieuwland", 120.2, "120"), ("Zuiderpark", 119.6, "120"), ("Molenwijk", 0.3, "<1"),
             ("Bloemhof", 0.4, "<1"), ("Centrum", 80.0, "80")]
    assert a11y.ranking_sentence(items, subject="Tekort") == (
        "Tekort: het hoogst in Nieuwland en Zuiderpark (120), het laagst in Bloemhof en Molenwijk (<1).")
    assert a11y.ranking_sentence(items[:2], noun="peuters") == "De 2 wijken hebben elk 120 peuters."
