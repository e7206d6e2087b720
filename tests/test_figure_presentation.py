"""What the figures say about themselves: a gemeente without children per wijk is told what is
missing (never 0 children in 0 wijken), the population says per year whether it is counted or
estimated (and a change of source is not drawn as a trend), and distances keep their decimal."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import duckdb
import openpyxl
import pytest
from conftest import app_db_with_files, run_page
from kwb_files import KWB_COLUMNS, kwb_rows
from streamlit.testing.v1 import AppTest

from data_sources.cli import main
from outputs import exports, report
from transforms.population import source_break_note, sources_by_year_text, sources_label

ROOT = Path(__file__).resolve().parent.parent
# The real kwb-2024 files of CBS hold the wijken of a gemeente without their ages (no a_00_14).
AGE_COLUMNS = {"a_00_14", "a_15_24", "a_25_44", "a_45_64", "a_65_oo"}
MISSING = "kolom a_00_14"
SAMPLE_SOURCES = {2020: "cbs-schatting", 2021: "cbs-schatting", 2022: "cbs-schatting", 2023: "cbs-schatting",
                  2024: "brp"}


def _kwb_without_ages(path: Path) -> Path:
    """kwb-2024.xlsx of four wijken of Zwolle in CBS's layout, without the age columns."""
    keep = [i for i, name in enumerate(KWB_COLUMNS) if name not in AGE_COLUMNS]
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "kwb_2024"
    sheet.append([KWB_COLUMNS[i] for i in keep])
    for row in kwb_rows():
        sheet.append([row[i] for i in keep])
    workbook.save(path)
    return path


@pytest.fixture
def ageless_db(tmp_path, monkeypatch) -> Path:
    """An app database with nothing but Zwolle's kwb-2024 without ages, and an analist account."""
    from conftest import add_account

    path = app_db_with_files(tmp_path, monkeypatch, _kwb_without_ages(tmp_path / "kwb-2024.xlsx"))
    add_account(path, "analist", "analist")
    return path


def _open(page: str, params: dict[str, str], analist: bool = False) -> AppTest:
    from data_sources.accounts import Account

    at = run_page(page, 90, account=Account("analist", "analist", None) if analist else None, params=params)
    assert not at.exception, at.exception
    return at


def _text(at: AppTest) -> str:
    return "\n".join(str(e.value) for e in [*at.markdown, *at.caption, *at.warning, *at.info, *at.title])


# --- a gemeente without children per wijk ----------------------------------------------------

@pytest.mark.parametrize("dia", ["kerncijfers", "kaart", "per_wijk", "continuum", "tekort"])
def test_every_slide_that_needs_children_says_what_is_missing(ageless_db, dia):
    at = _open("presentatie", {"gemeente": "GM0193", "dia": dia}, analist=True)
    text = _text(at)
    assert at.main.title[-1].value != "Kerncijfers" or dia == "kerncijfers"  # the slide asked for
    warnings = [w.value for w in at.warning]
    assert any(MISSING in w and "Gemeente laden" in w and "Zwolle" in w for w in warnings), warnings
    # before: '0 kinderen 0-2 jaar ... in 0 wijken van Zwolle', '(telling)', 'Geen zichtbare waarden.'
    assert "kk-value'>0<" not in text and "in 0 wijken" not in text
    assert "(telling)" not in text and "Geen zichtbare waarden" not in text


def test_the_map_slide_names_the_wijken_as_the_kaart_does(ageless_db):
    at = _open("presentatie", {"gemeente": "GM0193", "dia": "kaart"}, analist=True)
    svg = next(m.value for m in at.markdown if "<svg" in m.value)
    assert "Wijk 10 Binnenstad: geen gegevens" in svg  # before: 'WK019310: geen gegevens'
    assert "WK019310" not in svg


def test_the_factsheet_picker_says_why_it_is_empty(ageless_db):
    at = _open("presentatie", {"gemeente": "GM0193"}, analist=True)
    assert not [s for s in at.selectbox if s.key == "_wijk_choice"]  # before: an empty picker
    # what is missing the slide says (once: tests/test_load_hints.py); the picker points there
    assert any("wijkfactsheet" in i.value and "dia Kerncijfers" in i.value for i in at.info)


def test_trends_says_what_is_missing(ageless_db):
    at = _open("trends", {"gemeente": "GM0193"}, analist=True)
    infos = [i.value for i in at.info]
    assert any(MISSING in i and "Zwolle" in i for i in infos), infos
    assert not any("in geen enkel jaar gegevens" in i for i in infos)


def test_export_names_the_missing_column_not_the_sample(ageless_db, tmp_path, capsys):
    assert main(["export", "-o", str(tmp_path / "z.xlsx"), "--gemeente", "GM0193", "--db", str(ageless_db)]) == 1
    out = capsys.readouterr().out
    assert "Voor Zwolle in 2024 ontbreekt" in out and MISSING in out and "import-cbs kwb-2024.xlsx" in out
    assert "wel andere kolommen, maar niet a_00_14" in out  # the kwb file loaded lacks the ages
    assert "init --sample" not in out and "**" not in out
    # without --gemeente: the one gemeente loaded
    assert main(["export", "-o", str(tmp_path / "z.xlsx"), "--db", str(ageless_db)]) == 1
    assert "Voor Zwolle in 2024 ontbreekt" in capsys.readouterr().out
    assert not list(tmp_path.glob("z.*"))


def test_the_report_of_a_gemeente_without_children_shows_no_zeros(ageless_db):
    con = duckdb.connect(str(ageless_db), read_only=True)
    try:
        html = report.gemeente_report(con, "GM0193", 2024)
    finally:
        con.close()
    kerncijfers = html.split('<section id="kerncijfers">')[1].split("</section>")[0]
    assert MISSING in kerncijfers and 'class="value">0<' not in kerncijfers
    assert '<section id="kaart">' not in html  # no map of unknown children


# --- counted or estimated, per year ----------------------------------------------------------

def test_sources_per_year_in_words():
    assert sources_by_year_text(SAMPLE_SOURCES) == "2020-2023 schatting (CBS 03759ned × kwb), 2024 telling (BRP)"
    assert sources_label(SAMPLE_SOURCES) == "2020-2023 schatting, 2024 telling"
    assert sources_label({2020: "brp", 2021: "brp"}) == "tellingen"
    assert "tussen 2023 en 2024 van schatting naar telling" in source_break_note(SAMPLE_SOURCES)
    assert source_break_note({2022: "cbs-schatting", 2023: "cbs-schatting"}) == ""


@pytest.mark.parametrize("year, kind", [("2023", "schatting (CBS 03759ned × kwb)"), ("2024", "telling (BRP)")])
def test_kaart_says_whether_the_children_are_counted_or_estimated(app_db, year, kind):
    at = _open("kaart", {"jaar": year, "indicator": "kinderen_0_2"})
    assert any(f"Kinderen in {year}: {kind}." in c.value for c in at.caption), [c.value for c in at.caption]


def test_trends_breaks_the_line_where_the_source_changes(app_db):
    at = _open("trends", {})
    assert at.selectbox(key="trend_indicator").value == "kinderen_0_2"
    captions = " ".join(c.value for c in at.caption)
    assert "per jaar: 2020-2023 schatting (CBS 03759ned × kwb), 2024 telling (BRP)" in captions
    assert any("tussen 2023 en 2024 van schatting naar telling" in w.value for w in at.warning)
    chart = json.loads(at.get("plotly_chart")[0].proto.spec)
    oude_haven = [t for t in chart["data"] if t.get("name") == "Oude Haven"]
    # the estimates 2020-2023 and the count 2024 are two pieces, never one line from 55 to 42
    assert [t["x"] for t in oude_haven] == [[2020, 2021, 2022, 2023], [2024]]
    # the wijk's own shape (Oude Haven: the second), open for the estimates, filled for the count
    assert [t["marker"]["symbol"] for t in oude_haven] == ["square-open", "square"]
    assert any(shape.get("x0") == 2023.5 for shape in chart["layout"]["shapes"])
    table = next(m.value for m in at.markdown if "per wijk en jaar" in m.value)
    assert "2023 (schatting)" in table and "2024 (telling)" in table


def test_the_trend_slide_says_which_years_are_estimates(app_db):
    at = _open("presentatie", {"gemeente": "GM9999", "dia": "trend"})
    text = _text(at)
    assert "2020-2024 (2020-2023 schatting, 2024 telling)" in text
    assert "(schattingen)" not in text  # before: 2024's BRP count called an estimate
    assert "Bron per jaar: 2020-2023 schatting (CBS 03759ned × kwb), 2024 telling (BRP)." in text
    table = next(m.value for m in at.markdown if "Kinderen per leeftijdsgroep in Voorbeeldstad per jaar" in m.value)
    assert re.search(r"2024</t[hd]>\s*<td[^>]*>telling \(BRP\)", table), table
    chart = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert [t["x"] for t in chart["data"] if t.get("name") == "0-2 jaar"] == [[2020, 2021, 2022, 2023], [2024]]


def _slide_marks(chart: dict) -> tuple[dict, list, dict]:
    """The trend slide's marks of the routes: (line colour, year) -> open marker, the breaks as
    (between which years, text), and the key: route -> open marker."""
    points = {(trace["line"]["color"], year): str(trace["marker"]["symbol"]).endswith("-open")
              for trace in chart["data"] if "lines" in trace.get("mode", "") for year in trace["x"]}
    breaks = [(shape["x0"], annotation["text"]) for shape, annotation
              in zip(chart["layout"]["shapes"], chart["layout"]["annotations"], strict=True)]
    key = {trace["name"]: trace["marker"]["symbol"].endswith("-open") for trace in chart["data"]
           if str(trace.get("legendgroup", "")).startswith("bron ")}
    return points, breaks, key


def _centre_x(marker: str) -> float:
    if marker.startswith("<circle"):
        return float(re.search(r'cx="([^"]*)"', marker).group(1))
    if marker.startswith("<rect"):
        left, width = (float(re.search(rf' {name}="([^"]*)"', marker).group(1)) for name in ("x", "width"))
        return left + width / 2
    corners = re.search(r'points="([^"]*)"', marker).group(1).split()
    return sum(float(corner.split(",")[0]) for corner in corners) / len(corners)


def _without_halos(svg: str) -> str:
    """The report's SVG without the white band under each line and marker (palette.HALO)."""
    return re.sub(r'<[^>]*\bclass="halo"[^>]*>', "", svg)


def _report_marks(svg: str) -> tuple[dict, list, dict]:
    """The same marks read from the report's SVG chart: the points by where they stand among the
    years on the axis, the dashed vertical lines with the text beside them, the key under the years."""
    svg = _without_halos(svg)
    year_x = {float(x): int(year) for x, year in re.findall(r'<text x="([^"]*)"[^>]*>(\d{4})</text>', svg)}
    first, second = sorted(year_x)[:2]

    def year_at(x: float) -> float:
        return year_x[sorted(year_x)[0]] + (x - first) / (second - first)

    points = {}
    for marker in re.findall(r"<(?:circle|rect|polygon)\b[^>]*>", svg):
        colour = re.search(r'(?:fill|stroke)="(#[0-9A-Fa-f]{6})"', marker).group(1)
        at = year_at(_centre_x(marker))
        if colour != "#000000" and abs(at - round(at)) < 0.01 and round(at) in year_x.values():  # not a name's sample
            points[(colour, round(at))] = 'fill="none"' in marker
    vertical_dashed = r'<line x1="([^"]*)" y1="[^"]*" x2="\1"[^>]*stroke-dasharray[^>]*/><text[^>]*>([^<]*)</text>'
    breaks = [(year_at(float(x)), text) for x, text in re.findall(vertical_dashed, svg)]
    key = {route: 'fill="none"' in marker
           for marker, route in re.findall(r'(<circle[^>]*stroke="#000000"[^>]*/>|<circle[^>]*fill="#000000"[^>]*/>)'
                                           r'<text[^>]*>([^<]*)</text>', svg)}
    return points, breaks, key


@pytest.mark.parametrize("wijk", [None, "WK999902"])
def test_the_report_marks_a_change_of_source_as_the_trend_slide_does(app_db, wijk):
    """An estimate's point open and a count's filled, a dashed line with 'bron wisselt: schatting →
    telling' between the years, and a key of both markers: in the SVG of the gemeenterapport and
    the wijkfactsheet as on the trend slide of the same gemeente (or wijk)."""
    at = _open("presentatie", {"gemeente": "GM9999", "dia": "trend", **({"wijk": wijk} if wijk else {})})
    slide = _slide_marks(json.loads(at.get("plotly_chart")[0].proto.spec))
    con = duckdb.connect(str(app_db), read_only=True)
    try:
        html = (report.wijk_factsheet(con, "GM9999", 2024, wijk) if wijk
                else report.gemeente_report(con, "GM9999", 2024))
    finally:
        con.close()
    [svg] = [svg for svg in re.findall(r"<svg\b.*?</svg>", html, flags=re.S) if "<polyline" in svg]
    points, breaks, key = _report_marks(svg)
    assert set(slide[0].values()) == {True, False}  # estimates and counts both on the slide
    assert points == slide[0]
    assert breaks == slide[1] and breaks
    assert key == slide[2] and len(key) == 2


def test_workbook_and_report_say_the_source_of_every_year(app_db):
    con = duckdb.connect(str(app_db), read_only=True)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(exports.export_workbook(con, "GM9999", 2024)))
        html = report.gemeente_report(con, "GM9999", 2024)
        factsheet = report.wijk_factsheet(con, "GM9999", 2024, "WK999902")
    finally:
        con.close()
    rows = list(workbook["Kinderen per jaar"].iter_rows(values_only=True))
    header = next(r for r in rows if r and r[0] == "Jaar")
    by_year = {r[0]: r[header.index("Bron")] for r in rows[rows.index(header) + 1:] if isinstance(r[0], int)}
    assert by_year == {2020: "schatting (CBS 03759ned × kwb)", 2021: "schatting (CBS 03759ned × kwb)",
                       2022: "schatting (CBS 03759ned × kwb)", 2023: "schatting (CBS 03759ned × kwb)",
                       2024: "telling (BRP)"}
    about = [r[0] for r in workbook["Toelichting"].iter_rows(values_only=True) if r[0]]
    notes = " ".join(about[about.index("Kinderen per jaar") + 1:])  # the sheet's notes, on the first sheet
    notes = notes.split("Vraag per wijk en niveau")[0]
    assert "per jaar en leeftijdsgroep (2020-2023 schatting, 2024 telling)" in notes
    assert "(schattingen)" not in notes and "van schatting naar telling" in notes
    for page in (html, factsheet):
        trend = page.split('<section id="trend">')[1].split("</section>")[0]
        assert "Bron per jaar: 2020-2023 schatting (CBS 03759ned × kwb), 2024 telling (BRP)" in trend
        assert "Schattingen;" not in trend


def test_report_and_factsheet_break_the_lines_where_the_source_changes(app_db):
    """The charts of the report and the factsheet said the change of source (estimates 2020-2023,
    a BRP count 2024) in their note, but joined each age group's line from 2023 to 2024, unlike
    the slide and Trends: now they break it there by the same rule."""
    con = duckdb.connect(str(app_db), read_only=True)
    try:
        pages = [report.gemeente_report(con, "GM9999", 2024), report.wijk_factsheet(con, "GM9999", 2024, "WK999902")]
    finally:
        con.close()
    for page in pages:
        trend = _without_halos(page.split('<section id="trend">')[1].split("</section>")[0])
        lines = re.findall(r'<polyline [^>]*points="([^"]*)"', trend)
        # one line per age group over the four estimates; 2024's count stands alone, still drawn
        assert [len(points.split()) for points in lines] == [4] * 3, lines
        # a marker per age group and year (3 × 5), one in each age group's key (its shape) and one
        # per route in the key under the years (open: schatting, filled: telling)
        assert sum(trend.count(f"<{shape} ") for shape in ("circle", "rect", "polygon")) == 15 + 3 + 2


# --- decimals ----------------------------------------------------------------------------------

def test_distances_keep_one_decimal_on_the_kaart_the_slide_and_trends(app_db):
    at = _open("kaart", {"indicator": "nabijheid_afstand_kinderdagverblijf"})
    table = next(m.value for m in at.markdown if "Afstand tot kinderdagverblijf (km) per wijk" in m.value)
    assert re.search(r"Nieuwland</t[hd]>\s*<td[^>]*>0,5<", table), table  # before: 0
    features = json.loads(at.get("deck_gl_json_chart")[0].proto.json)["layers"][0]["data"]["features"]
    assert {f["properties"]["wijk_name"]: f["properties"]["value_text"] for f in features}["Nieuwland"] == "0,5"
    at = _open("presentatie", {"gemeente": "GM9999", "dia": "kaart",
                               "indicator": "nabijheid_afstand_kinderdagverblijf"})
    svg = next(m.value for m in at.markdown if "<svg" in m.value)
    assert "Nieuwland: 0,5<" in svg
    at = _open("trends", {})
    at.selectbox(key="trend_indicator").set_value("nabijheid_afstand_kinderdagverblijf").run()
    table = next(m.value for m in at.markdown if "per wijk en jaar" in m.value)
    assert re.search(r"Nieuwland</t[hd]>(\s*<td[^>]*>[^<]*</td>)*\s*<td[^>]*>0,5<", table), table


def test_overzicht_names_every_wijk_of_a_city_of_many_wijken(tmp_path, monkeypatch):
    # Side by side, plotly labelled only every other name of Amsterdam's 110 wijken: a city of
    # more than 20 wijken gets one line per wijk, as tall as it needs.
    from kwb_files import write_kwb_xlsx

    wijken = [(f"WK0193{number:02d}", f"Wijk {number:02d}", 2000 + 10 * number, 300) for number in range(30)]
    ages = ['"ID";"Geslacht";"Leeftijd";"BurgerlijkeStaat";"RegioS";"Perioden";"BevolkingOp1Januari_1"']
    for age in range(15):
        ages.append(f'"{age}";"T001038";"{10010 if age == 0 else 10000 + age * 100}";"T001019";"GM0193";'
                    f'"2024JJ00";"{700 - 10 * age:>8}"')
    age_file = tmp_path / "03759ned_UntypedDataSet_05122026_120000.csv"
    age_file.write_text("\ufeff" + "\r\n".join(ages) + "\r\n", encoding="utf-8")
    from conftest import add_account

    path = app_db_with_files(tmp_path, monkeypatch,
                             write_kwb_xlsx(tmp_path / "kwb-2024.xlsx", kwb_rows(wijken=wijken)), age_file)
    add_account(path, "analist", "analist")
    at = _open("", {"gemeente": "GM0193", "jaar": "2024"}, analist=True)
    assert at.get("plotly_chart"), _text(at)
    chart = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert [trace["orientation"] for trace in chart["data"]] == ["h", "h", "h"]
    assert chart["data"][0]["y"] == [name for _, name, *_ in wijken]
    assert chart["layout"]["height"] >= 30 * 30  # room for every name
    assert chart["layout"]["yaxis"]["autorange"] == "reversed"  # the first wijk on top, as in the table


def test_overzicht_of_a_gemeente_of_few_wijken_keeps_standing_bars(app_db):
    chart = json.loads(_open("", {"gemeente": "GM9999", "jaar": "2024"}).get("plotly_chart")[0].proto.spec)
    assert {trace.get("orientation", "v") for trace in chart["data"]} == {"v"}
    assert len(chart["data"][0]["x"]) == 10 and chart["layout"]["height"] == 480
