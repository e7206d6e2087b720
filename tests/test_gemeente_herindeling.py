"""A herindeling over the kwb years loaded: Beemster (GM0370) merged into Purmerend (GM0439) in
2022, each year a kwb-<year>.xlsx in CBS's layout (the codes and the 2024 names are CBS's, the
counts and Beemster's wijken of 2021 made up)."""

from __future__ import annotations

import pytest
from conftest import app_db_with_files
from conftest import run_page_as_analist as run_page
from kwb_files import kwb_rows, write_kwb_xlsx

PURMEREND, BEEMSTER = ("GM0439", "Purmerend"), ("GM0370", "Beemster")
PURMEREND_2021 = [("WK043901", "Wijk 01 Centrum", 9000, 1200), ("WK043902", "Wijk 02 Overwhere", 20000, 3000)]
BEEMSTER_2021 = [("WK037000", "Middenbeemster", 6000, 1000), ("WK037001", "Zuidoostbeemster", 4000, 900)]
# after 2022 Beemster is a wijk of Purmerend under a code of Purmerend
PURMEREND_2024 = [("WK043901", "Wijk 01 Centrum", 9100, 1250), ("WK043902", "Wijk 02 Overwhere", 20100, 3050),
                  ("WK043908", "Beemster", 10100, 1950)]


@pytest.fixture
def merged(tmp_path, monkeypatch):
    """kwb-2021 with both gemeenten (as the national file has them), kwb-2024 with Purmerend."""
    kwb_2021 = kwb_rows(PURMEREND, PURMEREND_2021) + kwb_rows(BEEMSTER, BEEMSTER_2021)[1:]  # one Nederland
    return app_db_with_files(tmp_path, monkeypatch, write_kwb_xlsx(tmp_path / "kwb-2021.xlsx", kwb_2021),
                             write_kwb_xlsx(tmp_path / "kwb-2024.xlsx", kwb_rows(PURMEREND, PURMEREND_2024)))


def test_the_sidebar_marks_a_gemeente_merged_away(merged):
    at = run_page(params={"gemeente": "GM0439"})
    assert not at.exception
    assert at.selectbox(key="_gemeente_code_choice").options == [
        "Beemster (GM0370, opgeheven; cijfers t/m 2021)", "Purmerend (GM0439)"]


def test_a_link_to_a_merged_gemeente_in_a_later_year_says_why_it_shows_another_year(merged):
    at = run_page(params={"gemeente": "GM0370", "jaar": "2024"})
    assert not at.exception
    assert at.selectbox(key="_year_choice").value == 2021
    assert ("Beemster (GM0370) bestaat in 2024 niet meer als gemeente (opgeheven bij een gemeentelijke "
            "herindeling) en heeft geen cijfers van 2024; u ziet 2021. Kies voor 2024 de gemeente waarin "
            "Beemster is opgegaan") in [str(w.value) for w in at.warning][0]


def test_a_link_to_a_year_not_loaded_says_which_year_is_shown(merged):
    at = run_page(params={"gemeente": "GM0439", "jaar": "2019"})
    assert not at.exception
    assert "Voor Purmerend (GM0439) is 2019 niet geladen; u ziet 2024." in [str(w.value) for w in at.warning]
    # a year that is loaded is shown without a word
    at = run_page(params={"gemeente": "GM0439", "jaar": "2021"})
    assert at.selectbox(key="_year_choice").value == 2021 and not at.warning


def test_trends_of_the_successor_does_not_draw_the_merged_gemeente_as_its_wijken(merged):
    at = run_page("trends", params={"gemeente": "GM0439"})
    assert not at.exception
    table = " ".join(str(m.value) for m in at.markdown)
    # Beemster's wijken of 2021 belong to GM0370, not to Purmerend's lines
    assert "Middenbeemster" not in table and "Zuidoostbeemster" not in table
    warning = " ".join(str(w.value) for w in at.warning)
    assert ("De wijkindeling van Purmerend is veranderd. Van 2021 naar 2024: nieuw in 2024: Beemster "
            "(WK043908).") in warning


def test_the_gemeente_total_over_the_herindeling_says_it_is_another_area(tmp_path, monkeypatch):
    # kwb-2022, the first year of the new Purmerend: CBS marks the gemeente itself as another area
    # than in 2021 (ind_wbi 3); its total per year (Continuüm) jumps by Beemster's children
    rows_2022 = kwb_rows(PURMEREND, PURMEREND_2024)
    rows_2022[1][6] = 3  # the gemeente's row, ind_wbi
    app_db_with_files(tmp_path, monkeypatch,
                      write_kwb_xlsx(tmp_path / "kwb-2021.xlsx", kwb_rows(PURMEREND, PURMEREND_2021)),
                      write_kwb_xlsx(tmp_path / "kwb-2022.xlsx", rows_2022))
    at = run_page("continuum")
    assert not at.exception
    assert ("Purmerend is in 2022 anders afgebakend dan het jaar ervoor (gemeentelijke herindeling of "
            "grenswijziging, volgens CBS, kolom ind_wbi van de kwb): het verschil tussen de jaren ervoor "
            "en erna is (ook) dat andere gebied, geen ontwikkeling. Een lijn volgt Purmerend in één "
            "afbakening: daarom breken de lijnen in 2022.") in [str(w.value) for w in at.warning]
    at = run_page("trends")
    assert ("Purmerend is in 2022 anders afgebakend dan het jaar ervoor (gemeentelijke herindeling of "
            "grenswijziging, volgens CBS, kolom ind_wbi van de kwb)") in " ".join(str(w.value) for w in at.warning)
