"""A sweep over real gemeenten of every kind, as an outside tester loads them: kwb-2024.xlsx built
from ../shared/real_data (skipped when absent) with CBS's secret cells, imported by name with the
command line, then every page and slide. Vlieland (an island of one wijk, its jeugdzorg secret),
Rotterdam (one of the four largest, five harbour wijken secret), Súdwest-Fryslân (diacritics),
Nuenen, Gerwen en Nederwetten (commas), Bergen (L.) (its name shared with Bergen (NH.), in the
file too) and Voorne aan Zee (formed in 2023)."""

from __future__ import annotations

import html
import json
import re
import zlib

import openpyxl
import pytest
from conftest import REAL_DATA, XLSX_MIME, add_account, app_copy, run_page, shown_text
from kwb_files import KWB_COLUMNS

from data_sources import accounts, store
from data_sources.accounts import Account
from data_sources.cli import main

pytestmark = pytest.mark.skipif(not REAL_DATA.exists(), reason="../shared/real_data ontbreekt")

GEMEENTEN = {"GM0096": "Vlieland", "GM0599": "Rotterdam", "GM1900": "Súdwest-Fryslân",
             "GM0820": "Nuenen, Gerwen en Nederwetten", "GM0893": "Bergen (L.)", "GM1992": "Voorne aan Zee"}
IN_THE_FILE = {**GEMEENTEN, "GM0373": "Bergen (NH.)"}  # in the download, not chosen
BEHEERDER = Account("beheer", "beheerder", None)
PAGES = [None, "kaart", "continuum", "tekorten", "trends", "presentatie", "databronnen",
         "analysevragen", "scenarios", "aanleveren", "gemeente_laden"]
SLIDES = ["kerncijfers", "per_wijk", "continuum", "tekort"]
SECRET = "onbekend (CBS geheim)"


def _five(value: float) -> int:
    return int(round(value / 5) * 5)


def kwb_rows() -> list[list]:
    """The rows of kwb-2024.xlsx for IN_THE_FILE as CBS publishes them: the real inhabitants,
    men, women and dwellings of 2024 and the real wijk names. The extract has no ages, so a_00_14
    is made up (12 to 18 % of the inhabitants, rounded to fives); as in CBS's download a wijk of
    fewer than 50 inhabitants has '.' for its 0-15 year olds and households with children, and
    jeugdzorg (a_jz_tn, p_jz_tn) is '.' where fewer than 25 young people would have it."""
    values = json.loads((REAL_DATA / "kwb2024_odata_85984NED" / "stripped_filtered_data_2024.json")
                        .read_text(encoding="utf-8"))
    names = {f["properties"]["statcode"]: f["properties"]["name"] for f in json.loads(
        (REAL_DATA / "geo" / "wijk_2024_wgs84_cartomap.geojson").read_text(encoding="utf-8"))["features"]}

    def row(code, level, figures, young):
        gemeente = "GM" + code[2:6]
        known = isinstance(young, int)
        jeugdzorg = _five(young * 0.1) if known and young * 0.1 >= 25 else "."
        return [code, code[2:], names.get(code, IN_THE_FILE[gemeente]), IN_THE_FILE[gemeente], level, code, 1,
                figures["AantalInwoners_5"], figures["Mannen_6"], figures["Vrouwen_7"], young, ".", ".", ".",
                ".", ".", _five(figures["AantalInwoners_5"] / 9) if known else ".",
                figures["Woningvoorraad_35"], jeugdzorg,
                round(100 * jeugdzorg / (young * 1.4), 1) if jeugdzorg != "." else ".", 0.7, 0.9]

    rows = []
    for gemeente in IN_THE_FILE:
        wijken = []
        for code, figures in values.items():
            if code.startswith("WK" + gemeente[2:]):
                inhabitants = figures["AantalInwoners_5"]
                share = 0.12 + (zlib.crc32(code.encode()) % 7) / 100
                wijken.append(row(code, "Wijk", figures,
                                  _five(inhabitants * share) if inhabitants >= 50 else "."))
        # the gemeente counts its secret wijken too
        young = sum(w[10] for w in wijken if w[10] != ".") + 5 * sum(w[10] == "." for w in wijken)
        rows += [row(gemeente, "Gemeente", values[gemeente], young), *wijken]
    return rows


def _ages_03759ned(path, rows):
    """03759ned as StatLine's 'CSV met codes': ages 0-14 of GEMEENTEN adding up to their
    a_00_14."""
    lines = ['"ID";"Geslacht";"Leeftijd";"BurgerlijkeStaat";"RegioS";"Perioden";'
             '"BevolkingOp1Januari_1";"GemiddeldeBevolking_2"']
    for code, *_, young in ((r[0], r[10]) for r in rows if r[4] == "Gemeente" and r[0] in GEMEENTEN):
        for age in range(15):
            persons = int(young / 15 * (1.07 - age * 0.01))
            lines.append(f'"{len(lines)}";"T001038";"{10010 if age == 0 else 10000 + age * 100}";"T001019";'
                         f'"{code}";"2024JJ00";"{persons:>8}";"{persons:>8}.0"')
    path.write_text("\ufeff" + "\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


def write_kwb(path, rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "kwb_2024"
    sheet.append(KWB_COLUMNS)
    sheet.append(["NL00", "0", "Nederland", "Nederland", "Land", "NL00", 1, 17942942, 8900000, 9042942,
                  2770000, ".", ".", ".", ".", ".", 2100000, 8100000, 480000, 11.2, 0.7, 1.0])
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


@pytest.fixture(scope="module")
def swept_db(tmp_path_factory):
    """GEMEENTEN imported by name with the command line from one kwb-2024.xlsx (that also holds
    Bergen (NH.)), then 03759ned; one beheerder."""
    folder = tmp_path_factory.mktemp("sweep")
    path = folder / "kindkaart.duckdb"
    rows = kwb_rows()
    kwb = write_kwb(folder / "kwb-2024.xlsx", rows)
    ages = _ages_03759ned(folder / "03759ned_UntypedDataSet_05122026_120000.csv", rows)
    names = [arg for name in GEMEENTEN.values() for arg in ("--gemeente", name)]
    assert main(["import-cbs", str(kwb), *names, "--db", str(path)]) == 0
    assert main(["import-cbs", str(ages), "--db", str(path)]) == 0
    con = store.connect(path)
    try:
        accounts.add_account(con, "beheer", "beheerder", "correct paard batterij", None)
        assert {code for (code,) in con.execute("select distinct gemeente_code from population_by_wijk_age")
                .fetchall()} == set(GEMEENTEN)
    finally:
        con.close()
    return path


@pytest.fixture
def swept_app(swept_db, tmp_path, monkeypatch):
    return app_copy(swept_db, tmp_path, monkeypatch)


def _page(page, gemeente, **params):
    return run_page(page, account=BEHEERDER, params={"gemeente": gemeente, "jaar": "2024", **params})


def _shown(at) -> str:
    return shown_text(at)


def _html_table(at, caption_part: str) -> list[list[str]]:
    markup = next(m.value for m in at.markdown if "<table" in m.value and caption_part in m.value)
    return [[html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
             for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, flags=re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", markup, flags=re.S)]


def _number(text: str) -> float:
    return 0.5 if text == "<1" else float(text.replace(".", "").replace(",", "."))


@pytest.mark.parametrize("gemeente", sorted(GEMEENTEN))
def test_every_page_and_slide_of_a_real_gemeente(swept_app, gemeente):
    name = GEMEENTEN[gemeente]
    for page, params in [*((p, {}) for p in PAGES), *(("presentatie", {"dia": s}) for s in SLIDES)]:
        at = _page(page, gemeente, **params)
        assert not at.exception, (page, params, at.exception)
        shown = _shown(at)
        for token in ("nan", "NaN", "None", "NaT", "<NA>", "inf"):
            assert not re.search(rf"(?<![\w-]){re.escape(token)}(?![\w-])", shown), (page, params, token)
        assert "Laad eerst gegevens" not in shown, page
        assert name in html.unescape(shown), (page, params)
        if page not in ("presentatie", "aanleveren", "gemeente_laden", "scenarios", "analysevragen"):
            assert name in at.title[0].value, (page, at.title[0].value)


@pytest.mark.parametrize("gemeente", sorted(GEMEENTEN))
def test_children_agree_on_overzicht_kaart_continuum_and_the_workbook(swept_app, gemeente):
    """The children 0-12 per wijk: Overzicht, the table under the Kaart, the Continuüm's 'Alle
    kinderen' and the workbook give the same figures; secret wijken are unknown everywhere, never
    0; the niveaus and 'geen kinderopvang' partition each wijk's children (within rounding)."""
    import duckdb

    from outputs import exports

    overzicht = _html_table(_page(None, gemeente), "Kinderen per wijk en leeftijdsgroep")
    header = overzicht[0]
    rows = {r[1]: r for r in overzicht[1:] if r[0] != "Totaal"}
    per_wijk = {wijk: r[header.index("Totaal")] for wijk, r in rows.items()}
    total = next(r for r in overzicht if r[0] == "Totaal")[header.index("Totaal")]
    secret = {wijk for wijk, r in rows.items() if r[-1] == SECRET}
    assert all(set(rows[w][2:6]) == {"onbekend"} for w in secret)
    known = {w: v for w, v in per_wijk.items() if w not in secret}

    kaart = _page("kaart", gemeente, indicator="kinderen_0_12")
    on_kaart = {r[0]: r[1] for r in _html_table(kaart, "per wijk")[1:]}
    assert {w: on_kaart[w] for w in known} == known
    assert all(on_kaart.get(w) in (None, "onbekend", SECRET) for w in secret)

    continuum = _page("continuum", gemeente)
    table = next(d.value for d in continuum.dataframe if "Alle kinderen" in d.value.columns)
    wijken = table[table["Wijkcode"] != "Totaal"]
    assert dict(zip(wijken["Wijk"], wijken["Alle kinderen"], strict=True)) == known
    assert table.loc[table["Wijkcode"] == "Totaal", "Alle kinderen"].tolist() == [total]
    parts = ["Niveau 1", "Niveau 2", "Niveau 3", "Niveau 4", "Geen kinderopvang"]
    for _, row in table.iterrows():
        assert abs(sum(_number(row[p]) for p in parts) - _number(row["Alle kinderen"])) <= 12, row.tolist()
    if secret:
        assert all(w in _shown(continuum) for w in secret)

    con = duckdb.connect(str(swept_app), read_only=True)
    try:
        sheet = next(s for s in exports.build_sheets(con, gemeente, 2024) if s.title == "Kinderen per wijk")
    finally:
        con.close()
    frame = sheet.frame
    in_workbook = {w: f"{v:,.0f}".replace(",", ".") if isinstance(v, int | float) else v
                   for w, v in zip(frame["Wijk"], frame["Totaal"], strict=True)}
    assert in_workbook.pop(None, in_workbook.pop("", None)) == total
    assert {w: in_workbook[w] for w in known} == known
    assert {w: in_workbook[w] for w in secret} == dict.fromkeys(secret, SECRET)


def test_jeugdzorg_that_cbs_keeps_secret_is_unknown_not_zero(swept_app):
    """Rotterdam's harbour wijken and Spaanse Polder have '.' for jongeren met jeugdzorg (a_jz_tn):
    the Continuüm's table of CBS jeugdzorg per wijk showed 0 young people for them, and the
    wijkprofiel ' per 100' without a figure."""
    at = _page("continuum", "GM0599")
    table = next(d.value for d in at.dataframe if "Jongeren" in d.value.columns)
    by_wijk = dict(zip(table["Wijk"], table["Jongeren"], strict=True))
    assert by_wijk["Vondelingenplaat"] == by_wijk["Spaanse Polder"] == SECRET
    assert by_wijk["Delfshaven"] not in ("0", SECRET)
    kaart = _page("kaart", "GM0599")
    kaart.selectbox(key="_profiel_wijk_choice").set_value("WK059918").run()  # Spaanse Polder
    assert not kaart.exception
    profile = _shown(kaart)
    assert f"CBS: jongeren met jeugdzorg (terugval) (jongeren tot 23 jaar): {SECRET}" in profile
    assert ":  per 100" not in profile


def test_the_loaded_data_of_gemeente_laden_shows_dutch_moments_and_no_nat(swept_app):
    """The table 'Geladen gegevens' showed the bundled boundaries' date as NaT (None in the
    browser) and moments as 2026-12-05 17:34:44.090996."""
    at = _page("gemeente_laden", "GM1900")
    loaded = next(d.value for d in at.dataframe if "Geladen op" in d.value.columns)
    moments = [*loaded["Geladen op"], *loaded["Gegevensdatum (opgehaald)"]]
    assert all(re.fullmatch(r"(\d\d-\d\d-\d{4} \d\d:\d\d)?", m) for m in moments), moments
    assert "" in set(loaded.loc[loaded["Bron"] == "PDOK", "Gegevensdatum (opgehaald)"])


def test_overzicht_of_estimates_does_not_claim_small_numbers_are_hidden(swept_app):
    """Bergen (L.)'s Aijen has an estimated 4 children of 0-2 years (public CBS figures, rounded
    and not hidden, transforms.privacy): the caption beneath said 'Aantallen van 1 tot 5 kinderen
    staan als afgeschermd'."""
    at = _page(None, "GM0893")
    rows = _html_table(at, "Kinderen per wijk en leeftijdsgroep")
    assert any(0 < _number(r[2]) < 5 for r in rows[1:] if r[2] not in ("onbekend", "afgeschermd"))
    captions = " ".join(c.value for c in at.caption)
    assert "Aantallen van 1 tot" not in captions
    assert "afgerond, niet afgeschermd" in captions


def test_a_real_gemeente_loaded_on_the_page_gemeente_laden(tmp_path, monkeypatch):
    """Súdwest-Fryslân from the same download through the page, 'Alleen Súdwest-Fryslân': only
    its rows are stored, and Overzicht shows it."""
    path = tmp_path / "kindkaart.duckdb"
    add_account(path, "beheer", "beheerder")
    monkeypatch.setenv("KINDKAART_DB", str(path))
    data = write_kwb(tmp_path / "kwb-2024.xlsx", kwb_rows()).read_bytes()
    at = _page("gemeente_laden", "GM1900")
    # an empty database has no gemeente in the sidebar: the page starts at the link's gemeente
    # (the user had to pick it again)
    assert at.selectbox(key="laden_gemeente").value == "GM1900"
    at.file_uploader(key="laden_bestand").set_value(("kwb-2024.xlsx", data, XLSX_MIME))
    at.run()
    choice = at.radio(key="laden_bestand_bereik")
    assert choice.value is False and "Alleen Súdwest-Fryslân (GM1900)" in choice.options
    next(b for b in at.button if b.label == "Bestand inlezen").click().run()
    assert not at.exception
    assert at.success, [e.value for e in [*at.error, *at.warning]]
    con = store.connect(path)
    try:
        assert con.execute("select distinct gemeente_code from population_by_wijk_age").fetchall() == [("GM1900",)]
    finally:
        con.close()
    overzicht = _page(None, "GM1900")
    assert "Overzicht Súdwest-Fryslân 2024" in [t.value for t in overzicht.title]


def test_the_estimate_with_signals_of_a_wijk_below_one_child_reads_as_on_the_table_per_wijk(swept_app):
    """Rotterdam's Spaanse Polder (8 children): niveau 3 is '<1' in the table Per wijk, and was
    '0' beside it in the estimate with local signals (no signal there: the same estimate)."""
    at = _page("continuum", "GM0599")
    per_wijk = next(d.value for d in at.dataframe if "Alle kinderen" in d.value.columns)
    with_signals = next(d.value for d in at.dataframe if "Niveau 3: met signalen" in d.value.columns)
    assert per_wijk.loc[per_wijk["Wijk"] == "Spaanse Polder", "Niveau 3"].tolist() == ["<1"]
    assert with_signals.loc[with_signals["Wijk"] == "Spaanse Polder", "Niveau 3: met signalen"].tolist() == ["<1"]
    # and the model's range beside it read '0' (both ends below one child)
    assert with_signals.loc[with_signals["Wijk"] == "Spaanse Polder", "Niveau 3: model (laag-hoog)"].tolist() == ["<1"]


def test_a_gemeente_of_one_wijk_is_not_ranked(swept_app):
    """Vlieland has one wijk: the Kaart said 'het hoogst in Wijk 00 (20)', a ranking of one."""
    for page, params in (("kaart", {}), (None, {}), ("presentatie", {"dia": "per_wijk"})):
        summaries = [m.value for m in _page(page, "GM0096", **params).markdown
                     if m.value.startswith("<p class='kk-summary'>")]
        assert summaries and all("de enige wijk" in s for s in summaries), (page, summaries)
        assert not [s for s in summaries if re.search("het hoogst|het laagst|de meeste|de minste", s)]
