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
    """The trend section, without the white band under each line and marker (palette.HALO)."""
    section = html.split('<section id="trend">')[1].split("</section>")[0]
    return re.sub(r'<[^>]*\bclass="halo"[^>]*>', "", section)


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
        # the sentence all three say; the charts that break their lines add that they do
        expected = gemeente_note(indeling_of(con, "GM0439"), "Purmerend", lines=False)
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


def _slide_lines(at) -> list[tuple[str, list[int]]]:
    """The 'Wijk in beeld' chart's lines: (name, the years each drawn piece joins)."""
    import json

    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    return [(trace["legendgroup"], [x for x, y in zip(trace["x"], trace["y"], strict=True) if y is not None])
            for trace in spec["data"] if trace.get("mode", "").startswith("lines") and trace.get("legendgroup")]


def test_the_wijk_slide_breaks_the_lines_where_the_wijk_became_another_area(other_wijk):
    """The slide drew Binnenstad's children of 2023 and 2024 as one line per age group, joined
    across the year CBS re-bounded it: the jump read as a change in children. Now each line breaks
    there, as on Trends (transforms.indeling: the same rule), and the note says so."""
    at = run_page("presentatie", params={"gemeente": "GM0193", "dia": "wijk", "wijk": "WK019310"})
    assert not at.exception
    pieces = _slide_lines(at)
    assert {name for name, _ in pieces} == {"0-2 jaar", "2-4 jaar", "4-12 jaar"}
    assert sorted(years for _, years in pieces) == [[2023]] * 3 + [[2024]] * 3
    assert WIJK_WARNING + " Een lijn volgt één wijk in één afbakening: daarom breken de lijnen in 2024." \
        in _slide_text(at)
    # a wijk CBS did not re-bound stays one line per age group
    at = run_page("presentatie", params={"gemeente": "GM0193", "dia": "wijk", "wijk": "WK019311"})
    assert sorted(years for _, years in _slide_lines(at)) == [[2023, 2024]] * 3


def _factsheet_lines(html: str) -> list[int]:
    """The number of points of each line in the trend chart of a report or factsheet."""
    return [len(points.split()) for points in re.findall(r'<polyline [^>]*points="([^"]*)"', _trend_section(html))]


def _keys(section: str) -> int:
    """The keys at the ends of the lines of a report's trend chart (a piece of line each), having
    named every age group."""
    names = " ".join(re.findall(r'<text [^>]*fill="#141414">([^<]*)</text>', section))
    assert all(re.search(rf"(^| ){group}( |,)", names) for group in ("0-2", "2-4", "4-12")), names
    return len(re.findall(r'<line [^>]*stroke-width="3"', section))


def test_the_wijkfactsheet_breaks_the_lines_where_the_wijk_became_another_area(other_wijk, tmp_path):
    """The factsheet's chart joined Binnenstad's 2023 and 2024 as one line per age group."""
    html = _export(tmp_path, other_wijk, "factsheet.html", "--wijk", "WK019310")
    assert not any(points > 1 for points in _factsheet_lines(html))  # no line from 2023 to 2024
    # each year's figures are still drawn: a marker per age group and year (3 × 2), and one in
    # the key at the end of each line (lines that lie on each other share one key)
    section = _trend_section(html)
    assert sum(section.count(f"<{shape} ") for shape in ("circle", "rect", "polygon")) == 6 + _keys(section)
    assert (WIJK_WARNING + " Een lijn volgt één wijk in één afbakening: daarom breken de lijnen in 2024.") \
        in _trend_section(html)
    assert _factsheet_lines(_export(tmp_path, other_wijk, "factsheet-11.html", "--wijk", "WK019311")) == [2] * 3


def _profile_lines(at) -> list[tuple[str, list[int]]]:
    """The wijk profile's trend on the Kaart: (niveau, the years each drawn piece joins)."""
    import json

    spec = json.loads(at.get("plotly_chart")[-1].proto.spec)
    return [(trace["legendgroup"], [int(x) for x in _plotly_list(trace["x"])]) for trace in spec["data"]]


def _plotly_list(values) -> list:
    # plotly sends a numeric array as {'dtype': 'i4', 'bdata': base64}
    import base64

    import numpy as np

    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]).tolist()
    return list(values)


def test_the_wijk_profile_breaks_its_trend_where_the_wijk_became_another_area(other_wijk):
    """The wijk profile on the Kaart drew Binnenstad's niveau 3 and 4 of 2023 and 2024 as one line
    each, without a word that 2024's Binnenstad is another area."""
    at = run_page("kaart", params={"gemeente": "GM0193"})
    at.selectbox(key="_profiel_wijk_choice").set_value("WK019310").run()
    assert not at.exception
    assert sorted(_profile_lines(at)) == [("niveau 3", [2023]), ("niveau 3", [2024]),
                                          ("niveau 4", [2023]), ("niveau 4", [2024])]
    assert (WIJK_WARNING + " Een lijn volgt één wijk in één afbakening: daarom breken de lijnen in 2024.") \
        in " ".join(str(w.value) for w in at.warning)
    at.selectbox(key="_profiel_wijk_choice").set_value("WK019311").run()
    assert sorted(_profile_lines(at)) == [("niveau 3", [2023, 2024]), ("niveau 4", [2023, 2024])]
    assert "anders afgebakend" not in " ".join(str(w.value) for w in at.warning)


LRK_HEADER = ("lrk_id;type_oko;actuele_naam_oko;aantal_kindplaatsen;vve;status;inschrijfdatum;uitschrijfdatum;"
              "opvanglocatie_adres;opvanglocatie_postcode;opvanglocatie_woonplaats;verantwoordelijke_gemeente;"
              "naam_houder;kvk_nummer_houder;rechtsvorm_houder;houder_adres;houder_postcode;houder_woonplaats;"
              "contact_telefoon;contact_emailadres;contact_website;lrk_url")


def _load_places(database, tmp_path, postcode_years: tuple[int, ...], lrk_years=(2023, 2024)) -> None:
    """Zwolle's postcode files of `postcode_years` (Binnenstad 8011AA, Diezerpoort 8011AB) and an LRK
    export of each of `lrk_years` (Binnenstad 40 places in 2023, 56 in 2024; Diezerpoort 30)."""
    from data_sources import jobs, store

    con = store.connect(database)
    try:
        for year in postcode_years:
            postcodes = tmp_path / f"pc6hnr{year}0801_gwb.csv"
            postcodes.write_text(f"PC6;Huisnummer;Buurt{year};Wijk{year};Gemeente{year}\n"
                                 "8011AA;1;01931000;019310;0193\n8011AB;1;01931100;019311;0193\n", encoding="utf-8")
            jobs.import_cbs_file(con, postcodes, gemeenten=["GM0193"])
        for year in lrk_years:
            places = {2023: 40, 2024: 56}[year]
            lrk = tmp_path / f"lrk_export_GM0193_{year}.csv"
            lrk.write_text(LRK_HEADER + "\n" + "\n".join(
                f"{lrk_id};KDV;Kindcentrum {name};{count};J;Ingeschreven;01-05-2018;;Straat 1;{postcode};Zwolle;"
                "Zwolle;;;;;;;;;;" for lrk_id, name, count, postcode in
                ((100000001, "Binnenstad", places, "8011 AA"), (100000002, "Diezerpoort", 30, "8011 AB"))) + "\n",
                encoding="utf-8")
            jobs.import_lrk(con, lrk, year=year)
    finally:
        con.close()


def _profile_of(wijk_code: str):
    at = run_page("kaart", params={"gemeente": "GM0193"})
    at.selectbox(key="_profiel_wijk_choice").set_value(wijk_code).run()
    assert not at.exception
    return at


WIJK_LINES_BREAK = " Een lijn volgt één wijk in één afbakening: daarom breken de lijnen in 2024."


def test_the_wijk_profiles_places_per_year_say_the_wijk_became_another_area(other_wijk, tmp_path):
    """'Plekken per jaar' in the wijk profile put the places of 2023's Binnenstad (the LRK export of
    2023 with the postcodes of 2023) and of 2024's, another area under the same code, in one row
    without a word; its neighbour says nothing. The profile then said it twice: the trend's
    warning and, below the table, the same sentence again. Now one warning, under the trend, says
    both: the lines break, and which columns of the table count which area."""
    _load_places(other_wijk, tmp_path, postcode_years=(2023, 2024))
    at = _profile_of("WK019310")
    per_year = next(d.value for d in at.dataframe if "2023" in d.value.columns)
    assert list(per_year[["2023", "2024"]].iloc[0]) == ["40", "56"]
    warnings = [str(w.value) for w in at.warning]
    assert warnings == [WIJK_WARNING + WIJK_LINES_BREAK + (
        " In *Plekken per jaar* telt elke LRK-export in de wijk volgens de postcodes van zijn eigen "
        "jaar of het dichtstbijzijnde geladen jaar (2023: postcodes van 2023; 2024: postcodes van "
        "2024): de kolommen vóór 2024 tellen de plekken van het andere gebied.")], warnings
    assert " ".join(warnings).count("anders afgebakend") == 1
    at = _profile_of("WK019311")
    assert "anders afgebakend" not in " ".join(str(w.value) for w in at.warning)


def test_one_postcode_file_gives_the_places_per_year_one_area(other_wijk, tmp_path):
    """With only the postcodes of 2024 loaded, the LRK exports of 2023 and 2024 both count in
    2024's Binnenstad: 'Plekken per jaar' compares one area, yet the profile warned below it that
    the years before 2024 may count the other area. Now it says that every column counts the area
    of the one postcode file, and what is needed to see the other; no warning of it."""
    _load_places(other_wijk, tmp_path, postcode_years=(2024,))
    at = _profile_of("WK019310")
    per_year = next(d.value for d in at.dataframe if "2023" in d.value.columns)
    assert list(per_year[["2023", "2024"]].iloc[0]) == ["40", "56"]
    warnings = [str(w.value) for w in at.warning]
    places = ("In *Plekken per jaar* tellen alle jaren de plekken in de wijk volgens het enige geladen "
              "postcodebestand, dat van 2024: één afbakening over de hele rij, geen ander gebied. "
              "Welke plekken in de afbakening van vóór 2024 lagen, is pas te zien met een "
              "postcodebestand van vóór 2024.")
    # the trend's warning stays (its children are two areas), with the table's sentence in it
    assert warnings == [WIJK_WARNING + WIJK_LINES_BREAK + " " + places], warnings
    assert "de kolommen vóór" not in " ".join(warnings)


def test_places_of_the_postcodes_of_one_side_of_the_change_are_one_area(other_wijk, tmp_path):
    """The postcodes of 2023 only: both exports count in 2023's Binnenstad."""
    _load_places(other_wijk, tmp_path, postcode_years=(2023,))
    warnings = " ".join(str(w.value) for w in _profile_of("WK019310").warning)
    assert ("volgens het enige geladen postcodebestand, dat van 2023: één afbakening over de hele rij, "
            "geen ander gebied. Welke plekken in de afbakening van 2024 of later lagen, is pas te zien "
            "met een postcodebestand van 2024 of later.") in warnings
    assert warnings.count("anders afgebakend") == 1


GEMEENTE_LINES_BREAK = " Een lijn volgt Purmerend in één afbakening: daarom breken de lijnen in 2022."


def test_the_trend_slide_breaks_the_lines_at_the_herindeling(herindeling):
    """The slide "Ontwikkeling" drew Purmerend's children of 2021 and of 2022 (with Beemster) as
    one line per age group across the herindeling, while its note said the difference is another
    area: now each line breaks there, as a wijk's does, and the note says so."""
    at = run_page("presentatie", params={"gemeente": "GM0439", "dia": "trend"})
    assert not at.exception
    pieces = _slide_lines(at)
    assert {name for name, _ in pieces} == {"0-2 jaar", "2-4 jaar", "4-12 jaar"}
    assert sorted(years for _, years in pieces) == [[2021]] * 3 + [[2022]] * 3
    assert GEMEENTE_WARNING + GEMEENTE_LINES_BREAK in _slide_text(at)


def test_the_trend_slide_of_a_gemeente_that_kept_its_area_draws_one_line(other_wijk):
    at = run_page("presentatie", params={"gemeente": "GM0193", "dia": "trend"})
    assert not at.exception
    assert sorted(years for _, years in _slide_lines(at)) == [[2023, 2024]] * 3
    assert "anders afgebakend" not in _slide_text(at)


def test_the_gemeenterapport_breaks_the_lines_at_the_herindeling(herindeling, tmp_path):
    """The report's chart joined Purmerend's 2021 and 2022 as one line per age group."""
    html = _export(tmp_path, herindeling, "rapport.html")
    assert not any(points > 1 for points in _factsheet_lines(html))  # no line from 2021 to 2022
    # each year's figures are still drawn: a marker per age group and year (3 × 2), and one in
    # the key at the end of each line (lines that lie on each other share one key)
    section = _trend_section(html)
    assert sum(section.count(f"<{shape} ") for shape in ("circle", "rect", "polygon")) == 6 + _keys(section)
    assert GEMEENTE_WARNING + GEMEENTE_LINES_BREAK in _trend_section(html)
    # the workbook's sheet is a table: no line to break, so it says none breaks
    _export(tmp_path, herindeling, "werkboek.xlsx")
    notes = _sheet_notes(tmp_path / "werkboek.xlsx", "Kinderen per jaar")
    assert GEMEENTE_WARNING in notes and "breken de lijnen" not in notes


def test_the_gemeenterapport_of_a_gemeente_that_kept_its_area_draws_one_line(other_wijk, tmp_path):
    assert _factsheet_lines(_export(tmp_path, other_wijk, "rapport.html")) == [2] * 3


def _continuum_lines(at) -> list[tuple[str, list[int]]]:
    """Continuüm's trend: (niveau, the years each drawn piece joins)."""
    import json

    chart = next(c for c in at.get("plotly_chart") if c.proto.id and "continuum_trend" in c.proto.id)
    spec = json.loads(chart.proto.spec)
    return [(trace["name"], [int(x) for x in _plotly_list(trace["x"])]) for trace in spec["data"]]


def test_continuum_breaks_its_trend_at_the_herindeling(herindeling):
    """Continuüm's trend drew Purmerend's expected children per niveau of 2021 and 2022 as one line
    each across the herindeling."""
    at = run_page("continuum", params={"gemeente": "GM0439"})
    assert not at.exception
    assert sorted(_continuum_lines(at)) == [(f"Niveau {n}", [year]) for n in (2, 3, 4) for year in (2021, 2022)]
    assert GEMEENTE_WARNING + GEMEENTE_LINES_BREAK in " ".join(str(w.value) for w in at.warning)
    # Trends draws no line of the gemeente: it says the herindeling, not that a line breaks
    at = run_page("trends", params={"gemeente": "GM0439"})
    warning = " ".join(str(w.value) for w in at.warning)
    assert GEMEENTE_WARNING in warning and "Een lijn volgt Purmerend" not in warning


def test_continuum_of_a_gemeente_that_kept_its_area_draws_one_line(other_wijk):
    at = run_page("continuum", params={"gemeente": "GM0193"})
    assert not at.exception
    assert sorted(_continuum_lines(at)) == [(f"Niveau {n}", [2023, 2024]) for n in (2, 3, 4)]


def _rows_of_kwb(years_and_marks: dict[int, int | None]) -> list[tuple]:
    # INDELING_SQL's rows of Zwolle and its Binnenstad in each year, with Binnenstad's ind_wbi
    return [row for year, mark in years_and_marks.items()
            for row in ((year, "GM0193", "gemeente", "Zwolle", 1), (year, "WK019310", "wijk", "Binnenstad", mark))]


@pytest.mark.parametrize(("placed", "expected"), [
    # the exports of 2023 and 2024 each with its own postcodes: two areas, a warning
    ([(2023, 2023), (2024, 2024)], True),
    # both with the postcodes of 2024 or both of 2025 (the nearest to 2024 after 2024): one area
    ([(2023, 2024), (2024, 2024)], False),
    ([(2024, 2025), (2025, 2025)], False),
    # no LRK export in the table (partner places only): the columns follow each year's wijken
    ([], True),
])
def test_places_note_warns_only_where_the_postcode_years_straddle_the_change(placed, expected):
    from transforms.indeling import indeling, places_note

    found = indeling(_rows_of_kwb({2023: 1, 2024: 3, 2025: 1}))
    text, warns = places_note(found, "WK019310", placed)
    assert warns is expected, text
    assert ("de kolommen vóór 2024 tellen de plekken van het andere gebied" in text) is (bool(placed) and expected)
    # a wijk CBS never re-bounded has no note at all
    assert places_note(indeling(_rows_of_kwb({2023: 1, 2024: 1})), "WK019310", placed) is None


def test_places_note_names_every_postcode_year_of_an_export():
    # a postcode missing from the file of its export's year is placed by the next nearest year
    from transforms.indeling import indeling, places_note

    found = indeling(_rows_of_kwb({2023: 1, 2024: 3}))
    text, warns = places_note(found, "WK019310", [(2023, 2023), (2023, 2024), (2024, 2024)])
    assert warns
    assert "(2023: postcodes van 2023 en 2024; 2024: postcodes van 2024)" in text, text


def test_places_note_names_the_postcode_file_that_would_show_the_other_area():
    from transforms.indeling import indeling, places_note

    found = indeling(_rows_of_kwb({2023: 1, 2024: 3, 2025: 1}))
    text, _ = places_note(found, "WK019310", [(2024, 2025), (2025, 2025)])
    assert text == ("In *Plekken per jaar* tellen alle jaren de plekken in de wijk volgens het enige geladen "
                    "postcodebestand, dat van 2025: één afbakening over de hele rij, geen ander gebied. "
                    "Welke plekken in de afbakening van vóór 2024 lagen, is pas te zien met een "
                    "postcodebestand van vóór 2024.")


@pytest.mark.parametrize(("loaded", "source", "seen"), [
    # the one file loaded: said so, and the file that would show the other area asked for
    ([2023], "het enige geladen postcodebestand, dat van 2023",
     "is pas te zien met een postcodebestand van 2024 of later."),
    # an older file loaded too, farther from both exports: not 'the only one', the same request
    ([2021, 2023], "het postcodebestand van 2023", "is pas te zien met een postcodebestand van 2024 of later."),
    # a file of the other area loaded but placing no export: not asked for again
    ([2023, 2025], "het postcodebestand van 2023",
     "is niet te zien: de postcodes van 2025 zijn geladen, maar geen LRK-export is ermee geplaatst."),
])
def test_places_note_names_the_postcode_files_loaded_beside_those_used(loaded, source, seen):
    """The exports of 2022 and 2023, both placed by 2023's postcodes (the nearest, the later on a
    tie): with 2021's loaded too the note called 2023's 'het enige geladen postcodebestand'; with
    2025's loaded, it asked for a file of 2024 or later."""
    from transforms.indeling import indeling, places_note

    found = indeling(_rows_of_kwb({2023: 1, 2024: 3}))
    text, warns = places_note(found, "WK019310", [(2022, 2023), (2023, 2023)], loaded)
    assert not warns
    assert text == (f"In *Plekken per jaar* tellen alle jaren de plekken in de wijk volgens {source}: één "
                    "afbakening over de hele rij, geen ander gebied. Welke plekken in de afbakening van "
                    f"2024 of later lagen, {seen}")
