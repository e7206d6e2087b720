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
@pytest.mark.parametrize("name, text", [
    ("docs/model.md", MODEL_DOC), ("transforms/parameters.csv", PARAMETERS),
    # Planvorming (scenarios) cites the seeds as much as the model does
    *[(name, (ROOT / name).read_text(encoding="utf-8")) for name in (
        "docs/planvorming.md", "transforms/plan_parameters.csv", "transforms/planning.py")]])
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


def _workbook_sheet(app_db, title: str):
    """A sheet of the workbook export of Voorbeeldstad 2024, as a frame."""
    import duckdb

    from outputs import exports

    con = duckdb.connect(str(app_db), read_only=True)
    try:
        return next(s for s in exports.build_sheets(con, "GM9999", 2024) if s.title == title).frame
    finally:
        con.close()


def _continuum_table(age_group: str = "alle", year: int = 2024):
    from conftest import run_page

    at = run_page("continuum", params={"jaar": str(year)})
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


def test_a_modelled_range_below_one_child_reads_less_than_one_as_its_middle_does(app_db):
    """Buitengebied's 0-2 year olds on niveau 3 are 0,04 to 0,29 children: the range read '0'
    (and 0,16 to 1,12 of 4-12 '0-1') beside the middle's '<1' on Continuüm and in the workbook.
    Rotterdam's Spaanse Polder read the same in the real sweep."""
    from conftest import run_page

    at = run_page("continuum")
    at.radio(key="continuum_age").set_value("0-2").run()
    assert not at.exception, at.exception
    middle = next(d.value for d in at.dataframe if "Alle kinderen" in d.value.columns).set_index("Wijk")
    assert middle.loc["Buitengebied", "Niveau 3"] == "<1"
    model = next(d.value for d in at.dataframe if "Niveau 3: model (laag-hoog)" in d.value.columns)
    assert model.set_index("Wijk").loc["Buitengebied", "Niveau 3: model (laag-hoog)"] == "<1"
    sheet = _workbook_sheet(app_db, "Vraag per wijk en niveau")
    rows = sheet[(sheet["Wijk"] == "Buitengebied") & (sheet["Niveau"] == 3)].set_index("Leeftijdsgroep")
    assert rows.loc["0-2 jaar (0 en 1 jaar)", "Kinderen, schatting (laag-hoog)"] == "<1"
    assert rows.loc["4-12 jaar (4 tot en met 11 jaar)", "Kinderen, schatting (laag-hoog)"] == "<1-1"


def test_workbook_mid_estimates_read_as_on_continuum(app_db):

    from transforms.privacy import format_number

    for age_group, label in (("0-2", "0-2 jaar (0 en 1 jaar)"), ("4-12", "4-12 jaar (4 tot en met 11 jaar)")):
        continuum = _continuum_table(age_group)
        sheet = _workbook_sheet(app_db, "Vraag per wijk en niveau")
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


@pytest.mark.parametrize("year, oude_haven", [(2024, ["42", "51", "215", "308"]),  # BRP
                                               (2023, ["55", "56", "210", "320"])])  # CBS estimate
def test_continuum_all_children_are_the_children_on_overzicht(app_db, year, oude_haven):
    from conftest import run_page

    overzicht = _overzicht_children(run_page(params={"jaar": str(year)}))
    assert overzicht["Oude Haven"] == oude_haven
    for column, age_group in ((3, "alle"), (0, "0-2"), (1, "2-4"), (2, "4-12")):
        continuum = _continuum_table(age_group, year)
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


@pytest.mark.parametrize("age_group, noun, label", [
    ("2-4", "peuters (2-4 jaar)", "2-4 jaar (2 en 3 jaar, peuters)"),
    ("4-12", "kinderen van 4-12 jaar", "4-12 jaar (4 tot en met 11 jaar)"),
])
def test_tekorten_ranking_names_its_age_group_and_reads_as_the_workbook(app_db, age_group, noun,
                                                                         label):
    """Tekorten's sentence on the regular places is one age group's shortage: before it said
    'Tekort aan reguliere plekken (schatting, midden): het hoogst in Nieuwland (140)', the
    Kaart's 'Tekort reguliere plekken' of Nieuwland is the sum over the age groups (another
    number under the same name)."""
    from conftest import run_page

    from transforms.privacy import model_estimate_text

    at = run_page("tekorten")
    at.selectbox(key="tekorten_age").set_value(age_group).run()
    assert not at.exception, at.exception
    sentence = next(m.value for m in at.markdown if "Tekort aan reguliere plekken" in m.value
                    and "het hoogst in" in m.value)
    assert f"Tekort aan reguliere plekken voor {noun} (schatting, midden)" in sentence
    highest, value = re.search(r"het hoogst in (.+?) \((.+?)\)", html.unescape(sentence)).groups()
    sheet = _workbook_sheet(app_db, "Tekort per wijk en niveau")
    # wijken that share the highest figure are named together ('Nieuwland en Zuiderpark (120)')
    for wijk in re.split(r", | en ", highest):
        row = sheet[(sheet["Wijk"] == wijk) & (sheet["Leeftijdsgroep"] == label)
                    & (sheet["Onderdeel"] == "reguliere plekken voor niveau 1-3")]
        mid = row["Tekort midden (afgerond)"].iloc[0]
        assert value == (mid if isinstance(mid, str) else model_estimate_text(mid))


# --- A gemeente loaded from the real CBS files: the same statement everywhere ----------------------


@pytest.mark.skipif(not (ROOT.parent / "shared" / "real_data").exists(),
                    reason="../shared/real_data ontbreekt")
def test_a_real_gemeente_without_ages_says_the_same_on_every_page_and_export(tmp_path, monkeypatch):
    """Zwolle from the real kwb 2024 figures (inwoners per wijk, no ages in the excerpt): no page,
    slide or export shows a model figure or '0 kinderen'; each says the one sentence of what is
    missing and where to load it (transforms.population.population_missing_text)."""
    import os
    import subprocess
    import sys

    from conftest import run_page_as_analist
    from test_cbs_real_data import _real_kwb_workbook

    from data_sources import store
    from data_sources.jobs import import_cbs_file

    path = tmp_path / "kindkaart.duckdb"
    con = store.connect(path)
    try:
        import_cbs_file(con, _real_kwb_workbook(tmp_path / "kwb-2024.xlsx"))
    finally:
        con.close()
    monkeypatch.setenv("KINDKAART_DB", str(path))
    missing = ("Voor Zwolle in 2024 ontbreekt het aantal kinderen van 0 tot 15 jaar per wijk (CBS "
               "Kerncijfers wijken en buurten 2024, bestand kwb-2024.xlsx van cbs.nl, kolom a_00_14)")
    said = {}
    for page in (None, "continuum", "tekorten", "kaart", "presentatie"):
        at = run_page_as_analist(page, params={"gemeente": "GM0193"})
        assert not at.exception, at.exception
        texts = [str(e.value) for kind in ("warning", "info") for e in getattr(at, kind)]
        said[page or "overzicht"] = texts
        assert not at.metric, page  # no figure beside the sentence
    export = subprocess.run([sys.executable, "-m", "data_sources", "export", "-o",
                             str(tmp_path / "rapport.html"), "--gemeente", "GM0193"], cwd=ROOT,
                            capture_output=True, text=True, env={**os.environ}, timeout=120)
    assert export.returncode != 0 and not (tmp_path / "rapport.html").exists()
    said["export"] = [export.stdout + export.stderr]
    for where, texts in said.items():
        assert any(missing in text for text in texts), where
        assert not any("0 kinderen" in text for text in texts), where


# --- The sample with a hidden BRP cell: what the model leaves out, every page leaves out ----------


def test_continuum_children_add_up_to_the_cells_overzicht_shows(app_db):
    """Buitengebied's 0-2 year olds set to 2 in the BRP extract: hidden on Overzicht (and, so
    that it cannot be subtracted, a second cell). The model leaves the hidden cells out, so
    Continuüm's 'Alle kinderen' of every wijk and of the gemeente is the sum of the cells
    Overzicht shows: nothing a controller could subtract from Overzicht's totals to find it."""
    from conftest import run_page
    from test_privacy_attacks import _upload_brp

    _upload_brp(app_db, 2)
    overzicht = _overzicht_children(run_page())
    assert overzicht["Buitengebied"][0] == "afgeschermd"

    def number(text: str) -> int:
        return int(text.replace(".", ""))

    for column, age_group in ((0, "0-2"), (1, "2-4"), (2, "4-12"), (3, "alle")):
        continuum = _continuum_table(age_group)
        visible_sum = 0
        for wijk, cells in overzicht.items():
            if wijk == "Totaal":
                continue
            shown = [number(c) for c in (cells[:3] if column == 3 else [cells[column]])
                     if c != "afgeschermd"]
            visible_sum += sum(shown)
            if wijk in continuum.index:
                assert number(continuum.loc[wijk, "Alle kinderen"]) == sum(shown), (age_group, wijk)
            else:  # every cell of the wijk hidden: no row
                assert not shown, (age_group, wijk)
        gemeente = number(continuum.loc["Gemeente Voorbeeldstad", "Alle kinderen"])
        assert gemeente == visible_sum, age_group


def test_analysevragen_names_the_children_per_place_the_model_uses(app_db):
    """Row 3 per care type and age group (dagopvang 0-2 1,63, 2-4 1,64, peuteropvang 1,70) was
    captioned 'het model gebruikt deze kinderen per plek', while the model (and Tekorten's
    column) uses dagopvang with peuteropvang over all ages, 1,65, weighted per wijk with the
    gastouder places (1,50, an assumption)."""
    from conftest import run_page

    at = run_page("analysevragen")
    assert not at.exception, at.exception
    caption = next(c.value for c in at.caption if c.value.startswith("Waargenomen (rij 3)"))
    assert "gebruikt deze kinderen per plek" not in caption
    assert ("dagopvang (met peuteropvang) 1,65 (rij 3), bso 1,99 (rij 3), gastouderopvang 1,50 "
            "(aanname)") in caption
    rates = {"0-2": (1.5, 1.65), "2-4": (1.5, 1.65), "4-12": (1.5, 1.99)}
    for age_group, (low, high) in rates.items():
        at = run_page("tekorten")
        at.selectbox(key="tekorten_age").set_value(age_group).run()
        shown = next(d.value for d in at.dataframe if "Kinderen per plek" in d.value.columns)
        values = [float(v.replace(",", ".")) for v in shown["Kinderen per plek"]]
        assert all(low <= v <= high for v in values), (age_group, values)
    # a year without row 3: the model's assumptions, said as such
    at = run_page("analysevragen", params={"jaar": "2023"})
    assert not any("(rij 3)" in c.value and "Het model rekent" in c.value for c in at.caption)


# --- The sample with a second organisation's groups: its places read the same everywhere ----------


def test_a_second_organisations_bso_plus_places_read_the_same_everywhere(app_db):
    """A second organisation delivers a bso-plus group of 12 places in Nieuwland (row 10). Its
    places are one figure on Tekorten (passend, 4-12), the Kaart's places and wijk profile, the
    workbook, the report and the factsheet; the groups needed follow from them in one number on
    Tekorten, the slide and the workbook."""
    import duckdb
    from conftest import run_page
    from test_privacy_attacks import filled_template

    from data_sources import jobs, store
    from outputs import exports, report

    con = store.connect(app_db)
    try:
        jobs.import_registration(
            con, filled_template("groepsgrootte", [["BSO Plus Noord", "Nieuwland", "plus 1",
                                                   "bso-plus", "4-12", 12, 15, 2]]),
            "groepsgrootte", "Kleine Zorg", "2024", "groepen.xlsx")
    finally:
        con.close()
    con = duckdb.connect(str(app_db), read_only=True)
    try:
        sheets = {s.title: s.frame for s in exports.build_sheets(con, "GM9999", 2024)}
        gemeente_report = report.gemeente_report(con, "GM9999", 2024)
        factsheet = report.wijk_factsheet(con, "GM9999", 2024, "WK999904")
    finally:
        con.close()
    gap = sheets["Tekort per wijk en niveau"]
    row = gap[(gap["Wijk"] == "Nieuwland") & (gap["Onderdeel"] == "aparte groep (plusgroep)")
              & gap["Leeftijdsgroep"].str.startswith("4-12")]
    assert row["Aanbod, waargenomen (afgerond)"].tolist() == [12]
    workbook_range = row["Tekort (laag-hoog)"].iloc[0]

    def report_row(text: str, age: str) -> list[str]:
        rows = [[html.unescape(re.sub(r"<[^>]+>", "", c)) for c in
                 re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", r, flags=re.S)]
                for r in re.findall(r"<tr>(.*?)</tr>", text, flags=re.S)]
        return next(r for r in rows if len(r) > 6 and r[2].startswith("aparte groep") and r[3] == age)

    assert report_row(factsheet, "4-12 jaar")[6] == "12"
    assert report_row(factsheet, "4-12 jaar")[8] == workbook_range
    assert report_row(gemeente_report, "4-12 jaar")[6] == "12"  # the only plus places of 4-12
    at = run_page("tekorten")
    at.selectbox(key="tekorten_age").set_value("4-12").run()
    assert not at.exception, at.exception
    passend = next(d.value for d in at.dataframe if "Plekken plusgroep" in d.value.columns)
    nieuwland = passend.set_index("Wijk").loc["Nieuwland"]
    assert (nieuwland["Plekken plusgroep"], nieuwland["Tekort plekken (laag-hoog)"]) == ("12", workbook_range)
    groups_sentence = next(m.value for m in at.markdown if "Aparte groepen nodig in de gemeente" in m.value)
    groups = sheets["Aparte groepen (passend)"].set_index("Plekken per groep")
    bso_groups = groups.loc[14, "Groepen nodig, midden"]
    assert f"**{bso_groups}** bij de middenschatting" in groups_sentence
    # the report says the same number (it left the groups out); the factsheet points to it
    report_text = html.unescape(re.sub(r"<[^>]+>", "", gemeente_report))
    assert "Aparte groepen nodig in de gemeente (passend)" in report_text
    assert f"4-12 jaar (groepen van 14 plekken): {bso_groups} bij de middenschatting" in report_text
    assert "Het aantal staat in het gemeenterapport" in html.unescape(factsheet)
    slide = _slide("tekort")
    assert any(f"{bso_groups} voor 4-12 jaar" in m.value for m in slide.markdown)
    # the Kaart: its places and the wijk profile's places of Nieuwland
    at = run_page("kaart")
    at.selectbox(key="_indicator_choice").set_value("kindplaatsen").run()
    at.selectbox(key="_profiel_wijk_choice").set_value("WK999904").run()
    assert not at.exception, at.exception
    profile = next(d.value for d in at.dataframe if "Plekken (gelijktijdig)" in d.value.columns)
    plus = profile[profile["Soort"] == "Plusgroep"]["Plekken (gelijktijdig)"].tolist()
    assert plus == ["12"]
    on_map = dict(row for row in _table(at, "Kindplaatsen") if len(row) == 2)
    assert int(on_map["Nieuwland"].replace(".", "")) == sum(
        int(v.replace(".", "")) for v in profile["Plekken (gelijktijdig)"])


# --- A session with its own assumptions: what the downloads say they hold -----------------------


def test_downloads_beside_slides_of_changed_assumptions_say_they_hold_the_defaults(app_db):
    """Niveau 3 at 4 % on Continuüm: the continuum slide shows Nieuwland's 44 children (this
    session's assumptions), while the report and workbook offered under it hold the standard
    assumptions (33). The text over the downloads said 'De cijfers staan er zoals op het scherm'."""
    from conftest import run_page

    at = run_page("continuum")
    at.slider(key="w_param_share_niveau_3_mid").set_value(4.0).run()
    assert not at.exception, at.exception
    at.query_params["dia"] = "continuum"
    at.switch_page("pages/presentatie.py")
    at.run()
    assert not at.exception, at.exception
    slide = {row[0]: row[1:] for row in _table(at, "per niveau en wijk")}
    assert slide["Nieuwland"][1] == "44"
    sheet = _workbook_sheet(app_db, "Vraag per wijk en niveau")
    workbook = sheet[(sheet["Wijk"] == "Nieuwland") & (sheet["Niveau"] == 3)]
    assert workbook["Kinderen, schatting midden (afgerond)"].sum() == pytest.approx(33, abs=1)
    texts = [str(m.value) for m in [*at.markdown, *at.warning, *at.info, *at.caption]]
    assert not any("De cijfers staan er zoals op het scherm" in t for t in texts)
    assert any("standaardaannames" in t and "deze sessie" in t for t in texts)
    # with the defaults the downloads do hold what the slides show
    at.switch_page("pages/continuum.py")
    at.run()
    at.button(key="w_param_reset").click().run()
    at.switch_page("pages/presentatie.py")
    at.run()
    assert any("De cijfers staan er zoals op het scherm" in str(m.value) for m in at.markdown)


# --- The charts' hover says what the tables say ----------------------------------------------------


def _hover_texts(at, key: str | None) -> dict[str, dict]:
    """A plotly chart of a run: trace name -> {x or y label: the first hover field}, with the
    hover template (the test checks that the template shows that field)."""
    import json

    # by its title; a slide's chart has none (the slide's headline says it): the only chart
    chart = next(c for c in at.get("plotly_chart") if key is None
                 or key in json.dumps(json.loads(c.proto.spec).get("layout", {}).get("title", "")))
    traces = {}
    for trace in json.loads(chart.proto.spec)["data"]:
        template = trace.get("hovertemplate", "")
        assert "%{customdata[0]}" in template, template  # before: %{y:,.0f} of the raw figure
        labels = trace["x"] if trace.get("orientation") != "h" else trace["y"]
        if isinstance(labels, dict):  # plotly's binary array ({'dtype': 'i4', 'bdata': ...})
            import base64

            import numpy as np

            labels = np.frombuffer(base64.b64decode(labels["bdata"]), dtype=labels["dtype"]).tolist()
        # the chart escapes its texts (ui.safe.plotly_chart): the browser shows them unescaped
        traces[trace["name"]] = {str(label): html.unescape(data[0]) for label, data in
                                 zip(labels, trace["customdata"], strict=True)}
    return traces


def test_the_hover_of_the_model_charts_reads_as_their_tables(app_db):
    """Continuüm's stacked bars hovered Zuiderpark's niveau 2 as 158 (the table: 160, rounded to
    fives above 100) and Buitengebied's niveau 3 as 1 (the table: '<1'); Tekorten's bars hovered
    Nieuwland's shortage as 139 (its sentence: 140). The trend per year hovered 630,12."""
    from conftest import run_page

    at = run_page("continuum")
    at.checkbox(key="continuum_niveau_1").check().run()
    assert not at.exception, at.exception
    table = next(d.value for d in at.dataframe if "Alle kinderen" in d.value.columns).set_index("Wijk")
    bars = _hover_texts(at, "per niveau en wijk")
    for niveau in (1, 2, 3, 4):
        for wijk, text in bars[f"Niveau {niveau}"].items():
            assert text == table.loc[wijk, f"Niveau {niveau}"], (niveau, wijk)
    for wijk, text in bars["Geen kinderopvang"].items():
        assert text == table.loc[wijk, "Geen kinderopvang"], wijk
    assert bars["Niveau 2"]["Zuiderpark"] == "160" and bars["Niveau 3"]["Buitengebied"] == "<1"
    trend = _hover_texts(at, "per niveau in de gemeente, per jaar")
    rows = {row[0]: row[1:] for row in _table(at, "per niveau in Voorbeeldstad, per jaar")[1:]}
    for column, niveau in enumerate((2, 3, 4)):
        for year, text in trend[f"Niveau {niveau}"].items():
            assert rows[year][column].startswith(f"{text} ("), (niveau, year)
    at = run_page("tekorten")
    assert not at.exception, at.exception
    sentence = html.unescape(next(m.value for m in at.markdown if "het hoogst in" in m.value
                                  and "Tekort aan reguliere plekken" in m.value))
    highest, value = re.search(r"het hoogst in (.+?) \((.+?)\)", sentence).groups()
    assert _hover_texts(at, "Tekort aan reguliere plekken")["Tekort"][highest] == value == "140"


def test_the_hover_of_slides_trends_and_overzicht_reads_as_their_tables(app_db):
    """The continuum slide hovered Buitengebied's 0,9 children on niveau 3 as 1 (its bar's label
    and table: '<1'); Trends hovered the model's figures with ',.0f' beside its table's '<1'."""
    import json

    from conftest import run_page

    slide = _hover_texts(_slide("continuum"), None)
    assert slide["niveau 3"]["Buitengebied"] == "<1"
    at = run_page("trends")
    at.selectbox(key="trend_indicator").set_value("verwacht_niveau_3").run()
    assert not at.exception, at.exception
    table = {row[0]: row[1:] for row in _table(at, "per wijk en jaar")[1:]}
    assert table["Buitengebied"][-1] == "<1"
    for chart in at.get("plotly_chart"):
        for trace in json.loads(chart.proto.spec)["data"]:
            if trace.get("hoverinfo") == "skip":
                continue  # a legend entry of the markers (theme.mark_source_breaks)
            assert "%{text}" in trace["hovertemplate"], trace["hovertemplate"]
            if trace["name"] == "Buitengebied" and 2024 in trace["x"]:
                assert html.unescape(trace["text"][trace["x"].index(2024)]) == "<1"
    at = run_page(params={"jaar": "2023"})
    overzicht = _overzicht_children(at)
    bars = _hover_texts(at, "Kinderen per wijk en leeftijdsgroep")
    for column, age_group in enumerate(("0-2", "2-4", "4-12")):
        for wijk, text in bars[f"{age_group} jaar"].items():
            assert text == overzicht[wijk][column], (age_group, wijk)


def test_the_reports_assumptions_read_as_the_pages_table(app_db):
    # the report wrote a share as 0,650 where the assumptions on Continuüm and Tekorten say 65,0%
    import duckdb

    from outputs import report
    from ui.continuum import parameter_table

    con = duckdb.connect(str(app_db), read_only=True)
    try:
        text = html.unescape(re.sub(r"<[^>]+>", "|", report.gemeente_report(con, "GM9999", 2024)))
    finally:
        con.close()
    cells = [cell.strip() for cell in text.split("|") if cell.strip()]
    page = parameter_table()
    for row in page.itertuples(index=False):
        at = cells.index(row.Parameter)
        assert cells[at + 1:at + 5] == [row.Laag, row.Midden, row.Hoog, row.Eenheid], row.Parameter


def test_the_wijk_profile_without_an_lrk_export_shows_the_places_needed_as_tekorten(tmp_path,
                                                                                    monkeypatch):
    """Zwolle from its kwb alone (no LRK export): Tekorten shows per wijk and age group the
    regular places needed (plekken, gelijktijdig) with 'niet geladen' for the places; the wijk
    profile left the regular balance out altogether, and also the opnamegrens (its demand side).
    Now it says the same need as Tekorten, and that the places are not known, never a shortage."""
    import duckdb
    from conftest import app_db_with_files, run_page_as_analist
    from kwb_files import write_kwb_xlsx

    from ui.continuum import AGE_NOUNS_SHORT, LRK_PLACES_UNKNOWN

    db = app_db_with_files(tmp_path, monkeypatch, write_kwb_xlsx(tmp_path / "kwb-2024.xlsx"))
    wijk_name = "Wijk 10 Binnenstad"
    con = duckdb.connect(str(db), read_only=True)
    try:
        wijk = con.execute("select distinct wijk_code from gap_by_wijk_niveau where wijk_name = ?",
                           [wijk_name]).fetchone()[0]
    finally:
        con.close()
    needed = {}
    at = run_page_as_analist("tekorten")
    for age_group in ("0-2", "2-4", "4-12"):
        at.selectbox(key="tekorten_age").set_value(age_group).run()
        assert not at.exception, at.exception
        table = next(d.value for d in at.dataframe
                     if "Plekken nodig, gelijktijdig (laag-hoog)" in d.value.columns).set_index("Wijk")
        assert table.loc[wijk_name, "Plekken, gelijktijdig (LRK)"] == "niet geladen"
        needed[age_group] = table.loc[wijk_name, "Plekken nodig, gelijktijdig (laag-hoog)"]
    at = run_page_as_analist("kaart")
    at.selectbox(key="_profiel_wijk_choice").set_value(wijk).run()
    assert not at.exception, at.exception
    lines = [line for m in at.markdown for line in str(m.value).splitlines()]
    regular = [line for line in lines if "reguliere opvang (niveau 1-3" in line]
    assert len(regular) == 3, lines
    for age_group, line in zip(("0-2", "2-4", "4-12"), regular, strict=True):
        assert AGE_NOUNS_SHORT[age_group] in line, (age_group, line)
        assert f"zijn dat {needed[age_group]} plekken (gelijktijdig). {LRK_PLACES_UNKNOWN}" in line, (
            age_group, line)
        assert "Tekort" not in line and "er zijn geen plekken" not in line.lower()
    # the inclusief perspective: the children of niveau 3 stand, the opnamegrens is not known
    capped = [line for line in lines if "allemaal in reguliere groepen" in line]
    assert len(capped) == 3 and all("is niet bekend" in line and "Tekort" not in line
                                    for line in capped), capped
    text = " ".join(lines)
    assert "Hieronder staat alleen hoeveel plekken nodig zijn." in text


def test_vve_per_100_on_the_kaart_is_one_criterion_as_on_continuum(app_db):
    """'Vve-indicaties per 100 kinderen' added the criteria up (taal/spraak + sociaal-emotioneel
    + SES): a child with an indicatie on two criteria (000:L547 'en/of'; the template took one row
    per criterion) counted twice, and the SES criterion, no support signal, was in it (Bloemhof
    24,5 per 100 beside Continuüm's 11,0, 4,9 and 8,6). Now each criterion is its own map figure,
    the one Continuüm shows for it, and the template says how a child with more criteria counts."""
    from conftest import run_page

    from data_sources.registrations.schemas import REGISTRATION_TYPES
    from ui.continuum import SIGNAL_KIND_LABELS
    from ui.map_indicators import INDICATORS

    at = run_page("continuum")
    assert not at.exception, at.exception
    titles = [m.value for m in at.markdown if re.match(r"\*\*.+\*\* \(.+\); gemeente: ", m.value)]
    frames = [d.value for d in at.dataframe if any(str(c).startswith("Per 100") for c in d.value.columns)]
    on_continuum = {}
    for title, frame in zip(titles, frames, strict=True):
        label = re.match(r"\*\*(.+?)\*\*", title).group(1)
        if not label.startswith("Vve-indicatie"):
            continue
        # its gemeente rate and per wijk: the rate, or why there is none ('' where the count is hidden)
        on_continuum[label] = {wijk: rate or "afgeschermd" for wijk, rate
                               in zip(frame["Wijk"], frame["Per 100 kinderen"], strict=True)}
    assert len(on_continuum) == 3, titles
    vve_keys = [key for key in INDICATORS if key.startswith("vve")]
    assert sorted(vve_keys) == ["vve_ses_per_100", "vve_sociaal_emotioneel_per_100",
                                "vve_taal_spraak_per_100"]
    for key in vve_keys:
        kind = key.removesuffix("_per_100")
        label = SIGNAL_KIND_LABELS[kind]
        at = run_page("kaart", params={"indicator": key})
        assert not at.exception, at.exception
        indicator = INDICATORS[key]
        rows = _table(at, indicator.label)
        on_kaart = dict(rows[1:])
        assert on_kaart == on_continuum[label[:1].upper() + label[1:]], key
        note = " ".join(c.value for c in at.caption)
        assert "Een kind met een indicatie op meer criteria telt bij elk daarvan" in note
        assert "niet opgeteld" in note
        assert ("telt standaard niet mee" in note) == (kind == "vve_ses"), key
    assert on_kaart["Bloemhof"] == "8,6"  # SES, the last: its own rate, not the sum of three
    # a link to the former figure opens the first criterion
    at = run_page("kaart", params={"indicator": "vve_per_100"})
    assert at.selectbox(key="_indicator_choice").value == "vve_taal_spraak_per_100"
    criterion = REGISTRATION_TYPES["vve-indicaties"].column("criterion")
    assert "Een kind met een indicatie op meer criteria telt bij elk daarvan" in criterion.help


@pytest.mark.parametrize("year, heading", [
    (2024, "**Vve-indicatie: SES (sociaaleconomisch)** (2-4 jaar)"),
    (2022, "**CBS: jongeren met jeugdzorg (terugval)** (jongeren tot 23 jaar)"),
])
def test_signal_headings_keep_their_capitals(app_db, year, heading):
    """Continuüm's signal headings went through str.capitalize(), which lowers the rest: 'Vve-
    indicatie: ses (sociaaleconomisch)' and 'Cbs: jongeren met jeugdzorg', where the Kaart and the
    wijk profile say SES and CBS."""
    from conftest import run_page

    at = run_page("continuum", params={"jaar": str(year)})
    assert not at.exception, at.exception
    assert any(m.value.startswith(heading) for m in at.markdown), [m.value[:60] for m in at.markdown]


def test_plus_group_places_per_year_in_the_wijk_profile_say_not_delivered_as_tekorten(app_db):
    """Row 10 (groepsgrootte) is delivered for 2024 only: Tekorten of 2023 says the plus-group
    places were 'niet geleverd' (the model's null), while the wijk profile's 'Plekken per jaar'
    read 0 for Centrum's plus-group in 2022 and 2023 (pivot filled with 0), as if counted."""
    from conftest import run_page

    at = run_page("tekorten", params={"jaar": "2023"})
    assert not at.exception, at.exception
    passend = next(d.value for d in at.dataframe if "Plekken plusgroep" in d.value.columns)
    assert set(passend["Plekken plusgroep"]) == {"niet geleverd"}
    at = run_page("kaart")
    at.selectbox(key="_profiel_wijk_choice").set_value("WK999901").run()  # Centrum
    assert not at.exception, at.exception
    per_year = next(d.value for d in at.dataframe if "2023" in d.value.columns).set_index("Soort")
    assert list(per_year.loc["Plusgroep", ["2022", "2023", "2024"]]) == [
        "niet geleverd", "niet geleverd", "10"]
    # the LRK's types keep their counts, 0 only where an export has none in the wijk
    assert "niet geleverd" not in set(per_year.drop(index="Plusgroep").to_numpy().ravel())
    assert any("Plekken in plusgroepen en KDC/MKD komen alleen van partners" in c.value
               for c in at.caption)


@pytest.mark.parametrize("indicator", ["kindplaatsen", "tekort_reguliere_plekken"])
def test_trends_say_which_years_show_another_years_lrk_export(app_db, indicator):
    """Trends drew 2020 and 2021 with the places of the 2022 export (nearest_year) without a word,
    and said under the places 'een jaar zonder levering heeft geen punt'; the Kaart, Tekorten,
    the slides and the exports say LRK_2022 with them."""
    from conftest import run_page

    at = run_page("trends")
    at.selectbox(key="trend_indicator").set_value(indicator).run()
    assert not at.exception, at.exception
    captions = " ".join(c.value for c in at.caption)
    assert f"2020: {LRK_2022}" in captions and "2021: Plekken uit de LRK-export van 2022" in captions
    assert "2022: Plekken" not in captions and "2024: Plekken" not in captions
    assert ("een jaar zonder levering heeft geen punt." in captions) is False


def test_places_of_a_year_without_row_10_say_they_hold_only_the_lrk(app_db):
    """'Kindplaatsen (LRK en partners)' of 2023 on the Kaart, the map slide and Trends held only
    the LRK's places (no partner delivered row 10 for 2023), while Tekorten of 2023 says the
    plus-group places were 'niet geleverd'; Trends then read Centrum's 162 -> 172 in 2024 as more
    places, where 10 are the plus-group delivered for 2024."""
    from conftest import run_page

    said = "Alleen de plekken uit het LRK: plekken in plusgroepen en KDC/MKD komen van partners"
    for year, expected in (("2023", True), ("2024", False)):
        at = run_page("kaart", params={"jaar": year, "indicator": "kindplaatsen"})
        assert not at.exception, at.exception
        assert (said in " ".join(c.value for c in at.caption)) is expected, year
        slide = run_page("presentatie", params={"jaar": year, "dia": "kaart", "indicator": "kindplaatsen"})
        assert not slide.exception, slide.exception
        assert (said in " ".join(c.value for c in slide.caption)) is expected, year
    at = run_page("trends")
    at.selectbox(key="trend_indicator").set_value("kindplaatsen").run()
    assert not at.exception, at.exception
    assert "2020, 2021, 2022, 2023: alleen de plekken uit het LRK" in " ".join(c.value for c in at.caption)


# --- Every file of the children per wijk names its route, as Overzicht does ----------------------


def _csv_rows(text: str) -> list[list[str]]:
    import csv
    import io

    return list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))


def test_every_file_of_the_children_per_wijk_names_each_wijks_route_as_overzicht(tmp_path, monkeypatch):
    """Zwolle loaded from its kwb alone: Overzicht names each wijk's route in the column Bron ('kwb,
    gelijk verdeeld', the secret wijk 'onbekend (CBS geheim)'), but its CSV download, the CSV of
    the command and the workbook gave 90 children of 0-2 in Binnenstad as a bare number: read in a
    spreadsheet, an even spread of a CBS figure looked like a count."""
    import duckdb
    from conftest import app_db_with_files
    from conftest import run_page_as_analist as run_page
    from kwb_files import write_kwb_xlsx
    from test_privacy_sent import _capture_downloads, _download_text

    from data_sources.cli import main
    from outputs import exports, report

    db = app_db_with_files(tmp_path, monkeypatch, write_kwb_xlsx(tmp_path / "kwb-2024.xlsx"))
    downloads = _capture_downloads(monkeypatch)
    at = run_page()
    assert not at.exception, at.exception
    page = _table(at, "Kinderen per wijk en leeftijdsgroep")
    assert page[0][-1] == "Bron"
    on_page = {row[0]: row[-1] for row in page[1:] if row[0] != "Totaal"}
    assert on_page == {"WK019310": "kwb, gelijk verdeeld", "WK019311": "kwb, gelijk verdeeld",
                       "WK019322": "kwb, gelijk verdeeld", "WK019352": "onbekend (CBS geheim)"}

    def routes(rows: list[list]) -> dict:
        header = [str(cell) for cell in rows[0]]
        assert header[0] == "Wijkcode" and header[-1] == "Bron", header
        return {row[0]: row[-1] for row in rows[1:] if row[0] != "Totaal"}

    texts = [_download_text(data) for data in downloads.values()]
    page_csv = next(text for text in texts if text.lstrip("\ufeff").startswith("Wijkcode"))
    assert routes(_csv_rows(page_csv)) == on_page
    target = tmp_path / "kinderen.csv"
    assert main(["export", "-o", str(target), "--db", str(db), "--gemeente", "GM0193"]) == 0
    assert routes(_csv_rows(target.read_text(encoding="utf-8"))) == on_page
    con = duckdb.connect(str(db), read_only=True)
    try:
        sheet = next(s for s in exports.build_sheets(con, "GM0193", 2024) if s.title == "Kinderen per wijk")
        markup = report.gemeente_report(con, "GM0193", 2024)
    finally:
        con.close()
    assert routes([list(sheet.frame.columns), *sheet.frame.to_numpy().tolist()]) == on_page
    table = next(t for t in re.findall(r"<table.*?</table>", markup, flags=re.S) if "WK019310" in t)
    cells = [[html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
              for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, flags=re.S)]
             for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, flags=re.S)]
    assert routes(cells) == on_page


def test_continuum_names_the_children_as_overzicht_does(tmp_path, monkeypatch):
    """Zwolle from its kwb alone: Overzicht calls its children a 'schatting' (an even spread of a
    CBS figure); Continuüm's sentence under the gemeente total called the same 17.040 children a
    'middenschatting', the word the page uses for the model's own middle of a range."""
    from conftest import app_db_with_files
    from conftest import run_page_as_analist as run_page
    from kwb_files import write_kwb_xlsx

    app_db_with_files(tmp_path, monkeypatch, write_kwb_xlsx(tmp_path / "kwb-2024.xlsx"))
    overzicht = run_page()
    assert not overzicht.exception, overzicht.exception
    kind = re.search(r"Kinderen per wijk en leeftijdsgroep \((.+?)\)", " ".join(
        m.value for m in overzicht.markdown)).group(1)
    continuum = run_page("continuum")
    assert not continuum.exception, continuum.exception
    said = next(c.value for c in continuum.caption if "zijn samen, vóór afronding" in c.value)
    assert kind == "schatting"
    assert f"alle {overzicht_total(overzicht)} kinderen ({kind})" in said, said
    assert "middenschatting" not in said


def overzicht_total(at) -> str:
    """The key figure 'Kinderen 0-12 jaar' of Overzicht."""
    markup = " ".join(m.value for m in at.markdown)
    return html.unescape(re.search(r"Kinderen 0-12 jaar</dt><dd[^>]*>(.*?)</dd>", markup).group(1))


def test_row_2_stands_beside_the_model_of_the_same_ages(app_db):
    """Row 2 (extra ondersteuning) of the sample holds 0-2 and 2-4 year olds: childcare
    organisations registered 71 children on niveau 2. Beside it Continuüm gave the model of all
    children 0-12 (niveau 2: 355-975), almost twice the model of the ages registered (190-515):
    the 4-12 year olds, whom no registration covers, stood in the comparison."""
    import duckdb
    from conftest import run_page

    from ui.continuum import estimate_text

    at = run_page("continuum")
    assert not at.exception, at.exception
    observed = next(d.value for d in at.dataframe if "Niveau (partner)" in d.value.columns)
    ages = [c for c in observed.columns if c not in ("Niveau (partner)", "Totaal")]
    assert ages == ["0-2", "2-4"]
    said = next(c.value for c in at.caption if c.value.startswith("Model voor de hele gemeente"))
    con = duckdb.connect(str(app_db), read_only=True)
    try:
        model = con.execute(
            "select niveau, sum(children_low), sum(children_high) from demand_by_wijk_niveau"
            " where gemeente_code = 'GM9999' and year = 2024 and niveau between 2 and 4"
            " and list_contains(?, age_group) group by niveau order by niveau", [ages]).fetchall()
    finally:
        con.close()
    assert "dezelfde leeftijden als de registratie (0-2 en 2-4 jaar)" in said, said
    for niveau, low, high in model:
        assert f"niveau {niveau}: {estimate_text(low, high)}" in said, said


def test_a_wijk_without_rows_reads_as_databronnen_says_it_reads_on_the_pages(app_db):
    """Row 6 (wachtlijst (v)so) of the sample has no rows for Buitengebied, Centrum, Vlietzoom and
    Zuiderpark. Tekorten shows them with 0 children on the list (and row 7's Buitengebied with 0
    reached), but Databronnen, the slide and the workbook listed them under 'Ontbreekt' and the
    page said 'een wijk zonder rijen is niet geleverd', the words the model uses for a row no
    partner delivered at all."""
    from conftest import run_page

    databronnen = run_page("databronnen")
    assert not databronnen.exception, databronnen.exception
    assert not any("zonder rijen is niet geleverd" in c.value for c in databronnen.caption)
    status = databronnen.dataframe[0].value.set_index("Soort")["Wijken"]
    tekorten = run_page("tekorten")
    assert not tekorten.exception, tekorten.exception
    for soort, table_of in (("wachtlijst-so", "Kinderen op de wachtlijst"),
                            ("ondersteuningstrajecten", "Kinderen bereikt met coaching (rij 7)")):
        named = re.fullmatch(r"\d+ van \d+; geen rijen voor \d+ wijk(?:en)?: (.+) \(op de pagina's 0\)",
                             status[soort])
        assert named, status[soort]
        frames = [d.value for d in tekorten.dataframe if table_of in d.value.columns]
        if soort == "wachtlijst-so":  # the first of the two waiting lists
            frames = frames[:1]
        shown = frames[0].set_index("Wijk")[table_of]
        for wijk in named.group(1).split(", "):
            assert shown[wijk] == "0", (soort, wijk, shown[wijk])
    # the BRP: a wijk without rows gets the CBS estimate, not 0; it is not said of row 1
    assert "op de pagina's 0" not in status["bevolking"]


def test_trends_call_a_model_figure_an_estimate_as_the_kaart_does(app_db):
    """Centrum's 10 children on niveau 3 in 2024 are the model's estimate on the Kaart and
    Continuüm; Trends put them under '2024 (telling)' and its hover said 'telling (BRP)', the
    route of the children the model starts from."""
    import json

    from conftest import run_page

    kaart = run_page("kaart", params={"indicator": "verwacht_niveau_3"})
    assert not kaart.exception, kaart.exception
    on_kaart = dict(_table(kaart, "Verwachte kinderen op niveau 3")[1:])
    at = run_page("trends")
    at.selectbox(key="trend_indicator").set_value("verwacht_niveau_3").run()
    assert not at.exception, at.exception
    rows = _table(at, "per wijk en jaar")
    header = rows[0]
    assert header[-1] == "2024 (schatting; kinderen: telling)", header
    assert not any(h.endswith("(telling)") for h in header), header
    centrum = next(row for row in rows if row[0] == "Centrum")
    assert centrum[-1] == on_kaart["Centrum"]
    chart = json.loads(at.get("plotly_chart")[0].proto.spec)
    [counted] = [t for t in chart["data"] if t.get("name") == "Centrum" and 2024 in t["x"]]
    assert counted["hovertemplate"].startswith("%{x}: %{text} (schatting van het model; kinderen: %{customdata})")


def test_the_opnamegrens_is_a_capacity_in_the_workbook_and_report_as_on_tekorten(app_db):
    """Tekorten says the reguliere groepen 'kunnen er samen 62 opnemen (opnamegrens: een
    capaciteit, geen aanwezige kinderen)'; the workbook and the report put the same 62 (Centrum's
    6) under 'Aanbod (waargenomen)' with the unit 'kinderen', beside the 90 children row 7
    reached: a capacity from LRK places and two assumptions read as counted children."""
    import duckdb
    from conftest import run_page

    from outputs import report
    from transforms.labels import CAPACITY_UNIT

    at = run_page("tekorten")
    assert not at.exception, at.exception
    said = next(m.value for m in at.markdown if "opnamegrens: een capaciteit" in m.value)
    inclusief = next(d.value for d in at.dataframe if "Opnamegrens reguliere groepen" in d.value.columns)
    centrum = inclusief.set_index("Wijk").loc["Centrum", "Opnamegrens reguliere groepen"]
    sheet = _workbook_sheet(app_db, "Tekort per wijk en niveau")
    cap = sheet[sheet["Onderdeel"] == "opnamegrens reguliere groepen"]
    assert set(cap["Eenheid"]) == {CAPACITY_UNIT}
    row = cap[(cap["Wijk"] == "Centrum") & cap["Leeftijdsgroep"].str.startswith("2-4")]
    assert float(row["Aanbod, waargenomen (afgerond)"].iloc[0]) == float(centrum)
    others = sheet[sheet["Onderdeel"] != "opnamegrens reguliere groepen"]
    assert CAPACITY_UNIT not in set(others["Eenheid"])
    con = duckdb.connect(str(app_db), read_only=True)
    try:
        pages = [report.gemeente_report(con, "GM9999", 2024),
                 report.wijk_factsheet(con, "GM9999", 2024, "WK999901")]
    finally:
        con.close()
    total = re.search(r"samen (\d+) opnemen", said).group(1)
    for page in pages:
        rows = [[html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
                 for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", r, flags=re.S)]
                for r in re.findall(r"<tr[^>]*>(.*?)</tr>", page, flags=re.S)]
        capacity = [r for r in rows if "opnamegrens reguliere groepen" in r]
        assert capacity and all(CAPACITY_UNIT in r for r in capacity), capacity
        peuters = next(r for r in capacity if "2-4 jaar" in r)
        assert (total if page is pages[0] else centrum) in peuters, peuters


def test_the_rooms_map_of_places_says_it_holds_only_the_lrk_as_the_kaart_does(app_db):
    """Until the gemeente releases partner places, the LEA view's map slide 'Kindplaatsen (LRK en
    partners)' showed Centrum's 162 LRK places without a word, where the analist's Kaart (and
    Tekorten, the report) count 172 with its plus-group; the Kaart of such an account says that it
    shows the LRK's places only, the slide did not."""
    from conftest import add_account, run_page

    from data_sources.accounts import Account
    from ui.wijkprofiel import PLACES_NOT_RELEASED

    analist = run_page("kaart", params={"indicator": "kindplaatsen"})
    assert not analist.exception, analist.exception
    on_kaart = dict(_table(analist, "Kindplaatsen")[1:])
    assert PLACES_NOT_RELEASED not in [c.value for c in analist.caption]
    add_account(app_db, "lea", "lea")
    room = run_page("presentatie", account=Account("lea", "lea", None),
                    params={"dia": "kaart", "indicator": "kindplaatsen"})
    assert not room.exception, room.exception
    on_slide = dict(_table(room, "Kindplaatsen")[1:])
    assert on_slide["Centrum"] != on_kaart["Centrum"], (on_slide, on_kaart)  # 162 against 172
    assert PLACES_NOT_RELEASED in [c.value for c in room.caption]


def test_the_first_pages_say_what_each_age_group_holds_as_the_files_do(app_db):
    """The workbook and the CSV head their columns '0-2 jaar (0 en 1 jaar)', '4-12 jaar (4 tot en
    met 11 jaar)'; Overzicht and the Kerncijfers slide, the first things an analist and an LEA
    chair see, said '0-2 jaar' and 'Kinderen 0-12 jaar' without a word, readable as three years
    and as counting the twelve year olds."""
    from conftest import run_page

    from transforms.population import AGE_GROUP_CONTENTS

    sheet = _workbook_sheet(app_db, "Kinderen per wijk")
    assert set(AGE_GROUP_CONTENTS.values()) <= set(sheet.columns)
    said = {"0-2": "0-2 jaar is 0 en 1 jaar", "2-4": "2-4 jaar is 2 en 3 jaar (peuters)",
            "4-12": "4-12 jaar is 4 tot en met 11 jaar", "0-12": "0-12 jaar is 0 tot en met 11 jaar"}
    for at in (run_page(), _slide("kerncijfers")):
        assert not at.exception, at.exception
        captions = " ".join(c.value for c in at.caption)
        for age_group, sentence in said.items():
            assert sentence in captions, (age_group, captions)
        for age_group, header in AGE_GROUP_CONTENTS.items():  # the same contents as the files
            contents = header.split("(")[1].split(")")[0].replace(", peuters", "")
            assert f"{age_group} jaar is {contents}" in captions, (header, captions)


def test_the_workbook_writes_a_moment_as_databronnen_does(app_db):
    """Databronnen, the slide and the report give the last delivery as '06-12-2026 11:17'
    (format_moment); the workbook's Aanlevering and Databronnen sheets showed the same moment as
    '2026-12-06 11:17:58', a date a Dutch reader takes for another."""
    import io

    import duckdb
    import openpyxl
    from conftest import run_page

    from outputs import exports

    page = run_page("databronnen")
    assert not page.exception, page.exception
    on_page = page.dataframe[0].value.set_index("Soort")["Laatst geleverd"]
    con = duckdb.connect(str(app_db), read_only=True)
    try:
        book = openpyxl.load_workbook(io.BytesIO(exports.export_workbook(con, "GM9999", 2024)))
    finally:
        con.close()
    rows = list(book["Aanlevering"].iter_rows())
    header = [c.value for c in rows[0]]
    cells = {row[header.index("Soort")].value: row[header.index("Laatst geleverd")] for row in rows[1:]}
    cell = cells["wachtlijst-so"]
    assert cell.number_format == "dd-mm-yyyy hh:mm"
    assert f"{cell.value:%d-%m-%Y %H:%M}" == on_page["wachtlijst-so"]
    loaded = [row[-1] for row in book["Databronnen"].iter_rows(min_row=2) if row[-1].value is not None]
    assert loaded and {c.number_format for c in loaded} == {"dd-mm-yyyy hh:mm"}


def test_the_scenarios_count_of_one_catchment_names_its_assumptions_beside_tekorten(app_db):
    """With a BSO-plusgroep of 8 on Tekorten's sliders, Tekorten needs 4 BSO-plusgroepen for the
    gemeente; the Scenario's page said in the same session that 'met de hele gemeente als één
    verzorgingsgebied (zo telt Tekorten de aparte groepen)' it is 1: the scenario counts with its
    own assumptions, which it did not say."""
    from conftest import run_page

    at = run_page("tekorten")
    at.slider(key="w_param_plusgroup_size_bso_mid").set_value(8.0).run()
    at.selectbox(key="tekorten_age").set_value("4-12").run()
    assert not at.exception, at.exception
    on_tekorten = next(m.value for m in at.markdown if "Aparte groepen nodig in de gemeente" in m.value)
    tekorten_groups = re.search(r"\*\*(\d+)\*\* bij de middenschatting", on_tekorten).group(1)
    at.switch_page("pages/scenarios.py").run()
    assert not at.exception, at.exception
    note = next(c.value for c in at.caption if "met de hele gemeente als één verzorgingsgebied" in c.value)
    scenario_groups = re.search(r"(\d+) nieuwe BSO-plusgroep", note).group(1)
    assert scenario_groups != tekorten_groups  # 1 against 4: other assumptions
    assert "hier met de aannames van dit scenario" in note, note


def test_the_report_has_tekortens_specialistische_inzet_with_the_same_gemeente_figures(app_db):
    """Tekorten says per perspective how many children of niveau 3 get specialistische inzet in
    the regular group and how many are reached (row 7); the gemeente report and the wijk
    factsheet left that component out. Now they hold it, with the same children, support and
    balance as the page's gemeente sentence (2-4 jaar, the age group row 7 delivers)."""
    import duckdb
    from conftest import run_page

    from outputs import report

    con = duckdb.connect(str(app_db), read_only=True)
    try:
        text = report.gemeente_report(con, "GM9999", 2024)
        factsheet = report.wijk_factsheet(con, "GM9999", 2024, "WK999901")
    finally:
        con.close()

    def rows_of(document: str) -> list[list[str]]:
        return [[html.unescape(re.sub(r"<[^>]+>", "", c)) for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", r, re.S)]
                for r in re.findall(r"<tr>(.*?)</tr>", document, re.S)]

    inzet = {(r[1], r[3]): r for r in rows_of(text) if len(r) > 8 and r[2].startswith("specialistische inzet")}
    assert {p for p, _ in inzet} == {"passend", "inclusief"}
    assert any(r[2].startswith("specialistische inzet") for r in rows_of(factsheet))
    at = run_page("tekorten")
    at.selectbox(key="tekorten_age").set_value("2-4").run()
    assert not at.exception, at.exception
    for perspective, what in (("passend", "van niveau 3 in de reguliere groep"),
                              ("inclusief", "op niveau 3 met specialistische inzet")):
        sentence = html.unescape(next(m.value for m in at.markdown if what in m.value)).replace("**", "")
        row = inzet[(perspective, "2-4 jaar")]
        children, supply, balance = row[4], row[6], row[8]
        assert f"naar schatting {children} peuters {what}" in sentence, (sentence, row)
        assert f"aanwezig: {supply} kinderen" in sentence, (sentence, row)
        assert f"Saldo over de wijken: {balance} kinderen tekort" in sentence, (sentence, row)
