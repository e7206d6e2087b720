"""One truth across pages (issue 15), as a controller checks it: the same figure read from every
place it is shown (Overzicht, Kaart, Continuüm, Tekorten, the slides, the workbook, the report,
the factsheet, the CLI export) has the same value, rounding, suppression and unit; and every
source line the model cites says what the model says it does."""

from __future__ import annotations

import html
import re

import pytest
from conftest import ROOT

SEEDS = ROOT.parent / "shared" / "seeds"
MODEL_DOC = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
PARAMETERS = (ROOT / "transforms" / "parameters.csv").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")
CITATION = re.compile(r"\b(00[0-4]):L(\d+)(?:-L?(\d+))?")

needs_seeds = pytest.mark.skipif(not SEEDS.exists(), reason="../shared/seeds ontbreekt")


def _seed(number: str) -> list[str]:
    path = next(SEEDS.glob(f"{number}_*.txt"))
    return path.read_text(encoding="utf-8").splitlines()


def _cited(number: str, first: str, last: str | None) -> str:
    lines = _seed(number)
    start, end = int(first), int(last or first)
    assert 1 <= start <= end <= len(lines), f"{number}:L{first}-{last} is not in the seed text"
    return " ".join(lines[start - 1:end])


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


@needs_seeds
@pytest.mark.parametrize("name, text", [("docs/model.md", MODEL_DOC),
                                        ("transforms/parameters.csv", PARAMETERS)])
def test_every_cited_seed_line_exists_and_has_text(name, text):
    citations = CITATION.findall(text)
    assert len(citations) > 10, name
    for number, first, last in citations:
        assert _cited(number, first, last).strip(), f"{name}: {number}:L{first} is an empty line"


@needs_seeds
def test_quoted_seed_lines_say_what_is_quoted():
    quotes = [
        # parameters.csv: 000:L204 'Voor ca. 1-5% van de kinderen'
        *re.findall(r"(00[0-4]):L(\d+)(?:-(\d+))? '([^']+)'", PARAMETERS),
        # model.md: (000:L200: "versterking van de professionals rond het kind")
        *re.findall(r"(00[0-4]):L(\d+)(?:-(\d+))?: \"([^\"]+)\"", MODEL_DOC),
        # model.md: "aangewezen op ... DJK/MKD/MOC/KDC", 000:L210
        *[(n, a, b, q) for q, n, a, b in
          re.findall(r"\"([^\"]+)\", (00[0-4]):L(\d+)(?:-(\d+))?", MODEL_DOC)],
        # model.md's niveau table: | 3 ... | "Voor ca. 1-5% van de kinderen" | 1-3-5 % | 000:L204 |
        *[(n, a, "", q) for q, n, a in
          re.findall(r"^\|[^|]*\| \"([^\"]+)\" \|[^|]*\| (00[0-4]):L(\d+) \|$", MODEL_DOC, re.M)],
    ]
    assert len(quotes) >= 10
    for number, first, last, quote in quotes:
        assert _plain(quote) in _plain(_cited(number, first, last)), \
            f"{number}:L{first} does not say {quote!r}"


# The rows of the handreiking's data table (000:L543-553) by the name the model uses for them
DATA_TABLE_ROWS = {
    "kinderopvang-bezetting": "Totaal aantal kinderen in de kinderopvang",  # row 3
    "vve criteria": "Aantal vve-indicaties",  # row 4
    "groepsgrootte": "Gemiddelde groepsgrootte",  # row 10
    "row 2": "Aantal kinderen met extra ondersteuningsbehoefte",
    "row 5": "Aantal kinderen in (voortgezet) speciaal onderwijs",
    "row 7": "Inzet van extra ondersteuningsmogelijkheden",
    "row 8": "Aantal kinderen met een jeugdhulpindicatie",
}


@needs_seeds
def test_the_data_table_rows_are_cited_at_their_own_line():
    # before: row 3 (kinderopvang-bezetting) was cited as 000:L547, the vve row, and the vve
    # criteria as 000:L548, the (v)so row
    checked = 0
    for text in (MODEL_DOC, PARAMETERS, README):
        for name, row_text in DATA_TABLE_ROWS.items():
            for line in re.findall(rf"{re.escape(name)}\*?,? (?:\(|)?000:L(\d+)\b", text):
                assert _cited("000", line, None).startswith(row_text), (name, line)
                checked += 1
    assert checked >= 10


# --- The sample gemeente: the same figure on every page ------------------------------------------


def _html_tables(at) -> dict[str, list[list[str]]]:
    """Every plain HTML table of a run (theme.html_table: the Overzicht table, the map and chart
    alternatives): caption -> rows of cell texts, header row first."""
    tables = {}
    for block in (m.value for m in at.markdown if "<caption" in m.value):
        caption = re.search(r"<caption[^>]*>(.*?)</caption>", block, flags=re.S).group(1)
        rows = [[html.unescape(cell) for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, flags=re.S)]
                for row in re.findall(r"<tr>(.*?)</tr>", block, flags=re.S)]
        tables[caption] = rows
    return tables


def _table(at, caption_part: str) -> list[list[str]]:
    return next(rows for caption, rows in _html_tables(at).items() if caption_part in caption)


def _slide(dia: str):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.query_params["dia"] = dia
    at.run()
    at.switch_page("pages/presentatie.py")
    at.run()
    assert not at.exception, at.exception
    return at


def _continuum_table(age_group: str = "alle"):
    from conftest import run_page

    at = run_page("continuum")
    if age_group != "alle":
        at.radio(key="continuum_age").set_value(age_group).run()
    assert not at.exception, at.exception
    return next(d.value for d in at.dataframe if "Alle kinderen" in d.value.columns).set_index("Wijk")


def test_a_model_estimate_below_one_child_reads_less_than_one_everywhere(app_db):
    from conftest import run_page

    # Buitengebied (81 children): niveau 3 is 0,9 children (model mid), '<1' on Continuüm
    continuum = _continuum_table()
    assert continuum.loc["Buitengebied", "Niveau 3"] == "<1"
    # the Kaart's indicator (map table and its sentence): before '1'
    at = run_page("kaart")
    at.selectbox(key="_indicator_choice").set_value("verwacht_niveau_3").run()
    assert not at.exception, at.exception
    shown = dict(row for row in _table(at, "Verwachte kinderen op niveau 3") if len(row) == 2)
    assert shown["Buitengebied"] == "<1"
    assert shown["Nieuwland"] == continuum.loc["Nieuwland", "Niveau 3"] == "33"
    assert any("het laagst in Buitengebied (&lt;1)" in m.value or "het laagst in Buitengebied (<1)"
               in m.value for m in at.markdown)
    # the Continuüm slide: before '1'
    slide = {row[0]: row[1:] for row in _table(_slide("continuum"), "per niveau en wijk")}
    assert slide["Buitengebied"] == ["5", "<1", "1"]
    assert slide["Nieuwland"] == [continuum.loc["Nieuwland", f"Niveau {n}"] for n in (2, 3, 4)]


def test_workbook_mid_estimates_read_as_on_continuum(app_db):
    import duckdb

    from outputs import exports
    from transforms.privacy import format_number

    for age_group, label in (("0-2", "0-2 jaar (0 en 1 jaar)"), ("4-12", "4-12 jaar (4 tot en met 11 jaar)")):
        continuum = _continuum_table(age_group)
        con = duckdb.connect(str(app_db), read_only=True)
        try:
            sheet = next(s for s in exports.build_sheets(con, "GM9999", 2024)
                         if s.title == "Vraag per wijk en niveau").frame
        finally:
            con.close()
        rows = sheet[(sheet["Wijk"] == "Buitengebied") & (sheet["Leeftijdsgroep"] == label)]
        workbook = dict(zip(rows["Niveau"], rows["Kinderen, schatting midden (afgerond)"], strict=True))
        for niveau in (1, 2, 3, 4):
            page = continuum.loc["Buitengebied", f"Niveau {niveau}"]
            # before: 0 in the workbook for Buitengebied's 0-2 niveau 3 and 4 ('<1' on the page)
            cell = workbook[niveau]
            assert (cell if isinstance(cell, str) else format_number(cell)) == page, (age_group, niveau)


def _overzicht_children(at) -> dict[str, list[str]]:
    rows = _table(at, "Kinderen per wijk en leeftijdsgroep")
    return {row[1] or row[0]: row[2:6] for row in rows[1:]}


def test_continuum_all_children_are_the_children_on_overzicht(app_db):
    from conftest import run_page

    overzicht = _overzicht_children(run_page())
    assert overzicht["Oude Haven"] == ["42", "51", "215", "308"]
    for column, age_group in ((3, "alle"), (0, "0-2"), (1, "2-4"), (2, "4-12")):
        continuum = _continuum_table(age_group)
        for wijk, children in overzicht.items():
            name = "Gemeente Voorbeeldstad" if wijk == "Totaal" else wijk
            # before: Oude Haven 310 (the count of 308 rounded as a model estimate)
            assert continuum.loc[name, "Alle kinderen"] == children[column], (age_group, wijk)


LRK_2022 = "Plekken uit de LRK-export van 2022: de dichtstbijzijnde export bij 2020."


def test_places_of_another_years_export_say_so_everywhere(app_db):
    """2020 has no LRK export in the sample: its places are those of 2022 (nearest_year). Before
    only Tekorten said so; the Kaart, the slides, the wijk profile, the report, the factsheet and
    the workbook showed 2022's places under 2020 without a word."""
    import duckdb
    from conftest import run_page

    from outputs import exports, report

    con = duckdb.connect(str(app_db), read_only=True)
    try:
        assert {y for (y,) in con.execute("select distinct supply_year from gap_by_wijk_niveau"
                                          " where year = 2020").fetchall()} == {2022}
        texts = {
            "report": report.gemeente_report(con, "GM9999", 2020),
            "factsheet": report.wijk_factsheet(con, "GM9999", 2020, "WK999909"),
            "workbook": " ".join(note for sheet in exports.build_sheets(con, "GM9999", 2020)
                                 if sheet.title == "Tekort per wijk en niveau" for note in sheet.notes),
        }
        texts_2024 = {"report": report.gemeente_report(con, "GM9999", 2024),
                      "workbook": " ".join(note for sheet in exports.build_sheets(con, "GM9999", 2024)
                                           for note in sheet.notes)}
    finally:
        con.close()
    params = {"jaar": "2020"}
    at = run_page("tekorten", params=params)
    assert not at.exception, at.exception
    texts["tekorten"] = " ".join(i.value for i in at.info)
    at = run_page("kaart", params=params)
    at.selectbox(key="_indicator_choice").set_value("tekort_reguliere_plekken").run()
    texts["kaart"] = " ".join(c.value for c in at.caption)
    at.selectbox(key="_indicator_choice").set_value("kindplaatsen").run()
    texts["kaart kindplaatsen"] = " ".join(c.value for c in at.caption)
    at.selectbox(key="_profiel_wijk_choice").set_value("WK999909").run()
    assert not at.exception, at.exception
    texts["wijkprofiel"] = " ".join(c.value for c in at.caption)
    for dia in ("kaart", "tekort"):
        from streamlit.testing.v1 import AppTest

        slide = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
        slide.query_params["dia"] = dia
        slide.query_params["jaar"] = "2020"
        slide.run()
        slide.switch_page("pages/presentatie.py")
        slide.run()
        assert not slide.exception, slide.exception
        texts[f"dia {dia}"] = " ".join([c.value for c in slide.caption]
                                       + [m.value for m in slide.markdown])
    for where, text in texts.items():
        assert LRK_2022 in html.unescape(text), where
    for where, text in texts_2024.items():
        assert "Plekken uit de LRK-export" not in text, where  # 2024 has its own export
