"""The slides, the gemeenterapport, the wijkfactsheet and the workbook over the years say where CBS
marks the gemeente or the wijk as another area than the year before (kwb column ind_wbi 3), as
Continuüm and Trends do: each year a kwb-<year>.xlsx in CBS's layout."""

from __future__ import annotations

import re

import openpyxl
import pytest
from conftest import app_db_with_files
from conftest import run_page_as_analist as run_page
from kwb_files import kwb_rows, write_kwb_xlsx
from test_gemeente_herindeling import PURMEREND, PURMEREND_2021, PURMEREND_2024
from test_trends_indeling import WIJKEN_BEFORE, kwb_2024

from data_sources.cli import main

GEMEENTE_WARNING = ("Purmerend is in 2022 anders afgebakend dan het jaar ervoor (gemeentelijke herindeling of "
                    "grenswijziging, volgens CBS, kolom ind_wbi van de kwb): het verschil tussen de jaren ervoor "
                    "en erna is (ook) dat andere gebied, geen ontwikkeling.")
WIJK_WARNING = ("Wijk 10 Binnenstad (WK019310) is in 2024 anders afgebakend dan het jaar ervoor (volgens CBS, "
                "kolom ind_wbi van de kwb): het verschil tussen de jaren ervoor en erna is (ook) dat andere "
                "gebied, geen ontwikkeling.")


@pytest.fixture
def herindeling(tmp_path, monkeypatch):
    """Purmerend in kwb-2021 and, with Beemster, in kwb-2022, where CBS marks the gemeente itself
    as another area than in 2021 (ind_wbi 3)."""
    rows_2022 = kwb_rows(PURMEREND, PURMEREND_2024)
    rows_2022[1][6] = 3  # the gemeente's row, ind_wbi
    return app_db_with_files(tmp_path, monkeypatch,
                             write_kwb_xlsx(tmp_path / "kwb-2021.xlsx", kwb_rows(PURMEREND, PURMEREND_2021)),
                             write_kwb_xlsx(tmp_path / "kwb-2022.xlsx", rows_2022))


@pytest.fixture
def other_wijk(tmp_path, monkeypatch):
    """Zwolle in kwb-2023 and kwb-2024, where CBS marks Binnenstad (WK019310) as another area
    under the same code."""
    return app_db_with_files(tmp_path, monkeypatch,
                             write_kwb_xlsx(tmp_path / "kwb-2023.xlsx", kwb_rows(wijken=WIJKEN_BEFORE)),
                             kwb_2024(tmp_path, other_area=("WK019310",)))


def _slide_text(at) -> str:
    return " ".join(str(e.value) for e in [*at.markdown, *at.caption, *at.warning])


def _export(tmp_path, database, name: str, *extra: str) -> str:
    target = tmp_path / name
    assert main(["export", "-o", str(target), "--db", str(database), *extra]) == 0
    return target.read_text(encoding="utf-8") if target.suffix == ".html" else ""


def _trend_section(html: str) -> str:
    return html.split('<section id="trend">')[1].split("</section>")[0]


def _sheet_notes(path, sheet: str) -> str:
    """The notes of one sheet, as the workbook's Toelichting lists them under its title."""
    about = [r[0] for r in openpyxl.load_workbook(path)["Toelichting"].iter_rows(values_only=True)]
    start = about.index(sheet) + 1
    return " ".join(about[start:about.index(None, start)])


def test_the_trend_slide_says_the_gemeente_is_another_area(herindeling):
    at = run_page("presentatie", params={"gemeente": "GM0439", "dia": "trend"})
    assert not at.exception
    assert at.main.title[-1].value == "Ontwikkeling"
    assert GEMEENTE_WARNING in _slide_text(at)


def test_the_wijk_slide_says_the_wijk_is_another_area(other_wijk):
    at = run_page("presentatie", params={"gemeente": "GM0193", "dia": "wijk", "wijk": "WK019310"})
    assert not at.exception
    assert at.main.title[-1].value == "Wijk in beeld"
    assert WIJK_WARNING in _slide_text(at)
    # a wijk CBS did not re-bound says nothing of it
    at = run_page("presentatie", params={"gemeente": "GM0193", "dia": "wijk", "wijk": "WK019311"})
    assert not at.exception and "anders afgebakend" not in _slide_text(at)


def test_report_and_workbook_say_the_gemeente_is_another_area(herindeling, tmp_path):
    assert GEMEENTE_WARNING in _trend_section(_export(tmp_path, herindeling, "rapport.html"))
    _export(tmp_path, herindeling, "werkboek.xlsx")
    assert GEMEENTE_WARNING in _sheet_notes(tmp_path / "werkboek.xlsx", "Kinderen per jaar")


def test_the_wijkfactsheet_says_the_wijk_is_another_area(other_wijk, tmp_path):
    html = _export(tmp_path, other_wijk, "factsheet.html", "--wijk", "WK019310")
    assert WIJK_WARNING in _trend_section(html)
    # the gemeente report and workbook of Zwolle: the gemeente itself kept its area
    assert "anders afgebakend" not in _trend_section(_export(tmp_path, other_wijk, "rapport.html"))
    _export(tmp_path, other_wijk, "werkboek.xlsx")
    assert "anders afgebakend" not in _sheet_notes(tmp_path / "werkboek.xlsx", "Kinderen per jaar")


def _other_area_sentences(text: str, subject: str) -> set[str]:
    return set(re.findall(rf"{re.escape(subject)}(?: zelf)? is in [^:]+ anders afgebakend dan het jaar ervoor .*?"
                          r"(?:geen ontwikkeling)\.", text))


def test_continuum_trends_and_the_trend_slide_say_the_herindeling_in_one_sentence(herindeling):
    """Continuüm, Trends and the trend slide each built the herindeling note from the store
    themselves; Trends said it in a sentence of its own ('Purmerend zelf is in 2022 anders
    afgebakend ...: een totaal van de gemeente over deze jaren is geen ontwikkeling') beside the
    others' ('Purmerend is in 2022 anders afgebakend ...: het verschil tussen de jaren ervoor en
    erna is (ook) dat andere gebied'). Now one cached helper (ui.indeling) gives all three the
    sentence of transforms.indeling.gemeente_note, which the report and the workbook say too."""
    import duckdb

    from transforms.indeling import gemeente_note, indeling_of

    con = duckdb.connect(str(herindeling), read_only=True)
    try:
        expected = gemeente_note(indeling_of(con, "GM0439"), "Purmerend")
    finally:
        con.close()
    assert expected == GEMEENTE_WARNING
    said = {}
    for place, page, params in (("Continuüm", "continuum", {}), ("Trends", "trends", {}),
                                ("Dia Ontwikkeling", "presentatie", {"dia": "trend"})):
        at = run_page(page, params={"gemeente": "GM0439", **params})
        assert not at.exception, (place, at.exception)
        said[place] = _other_area_sentences(_slide_text(at), "Purmerend")
    assert said == {place: {expected} for place in said}, said
