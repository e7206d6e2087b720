"""One figure, one sentence (DESIGN 'What must hold', README 'Het model'): a noemer, and what a
gap sentence says where its supply is unknown, hidden or a capacity, is worded once
(transforms.labels) and read here from every place that says it: Continuüm, Tekorten, the Kaart
with its wijk profile, the slides, the report and the workbook. A place that words it on its own
and changes it fails here."""

from __future__ import annotations

import html
import re

import duckdb
import openpyxl
import pytest
from conftest import REAL_DATA, run_page, shown_text

from transforms import labels

if REAL_DATA.exists():
    from test_real_pages import real_app, real_db  # noqa: F401  (the real gemeenten, loaded once)


def _said(at) -> str:
    return html.unescape(shown_text(at))


def _profile(at, gemeente: str) -> None:
    """Open the wijk profile of the first wijk (by code) of 2024 on the Kaart `at`."""
    import os

    con = duckdb.connect(os.environ["KINDKAART_DB"], read_only=True)
    try:
        wijk = con.execute("select min(region_code) from regions where gemeente_code = ? and year = 2024 "
                           "and region_level = 'wijk'", [gemeente]).fetchone()[0]
    finally:
        con.close()
    next(s for s in at.selectbox if s.label.startswith("Wijkprofiel")).set_value(wijk).run()
    assert not at.exception, at.exception


def _workbook(db, tmp_path, gemeente: str):
    from data_sources.cli import main

    target = tmp_path / "werkboek.xlsx"
    assert main(["export", "-o", str(target), "--db", str(db), "--gemeente", gemeente, "--jaar", "2024"]) == 0
    return openpyxl.load_workbook(target)


def _notes(book, sheet: str) -> str:
    about = [r[0] for r in book["Toelichting"].iter_rows(values_only=True)]
    start = about.index(sheet) + 1
    return " ".join(str(line) for line in about[start:about.index(None, start)])


def test_every_place_says_the_noemer_in_the_same_words(app_db, tmp_path):
    """The noemer of niveau 1-3 was 'kinderen in of op zoek naar opvang' on the Kaart, in the wijk
    profile and on the gap slide, 'van wie opvang gebruikt of zoekt' on the Continuüm slide and
    'kinderen die opvang gebruiken of zoeken' in the workbook; the report said only 'Noemer:
    niveau 1-3 de kinderen die opvang gebruiken of zoeken' under its gap table, where the regular
    places' children are those without niveau 4 and the existing plus groups (Tekorten's
    caption), and the workbook worded the rule apart from Continuüm and Tekorten."""
    from outputs import report

    rule, clause = labels.NOEMER_RULE, labels.noemer_clause()
    words = [labels.noemer_words(niveau) for niveau in (1, 2, 3, 4)]

    continuum = run_page("continuum")
    assert not continuum.exception, continuum.exception
    assert rule in _said(continuum) and labels.as_sentence(clause) in _said(continuum)
    niveaus = next(t.value for t in continuum.table if "Noemer" in t.value.columns)
    assert list(niveaus["Noemer"]) == words

    tekorten = run_page("tekorten")
    assert not tekorten.exception, tekorten.exception
    assert rule in _said(tekorten)
    assert f"noemer: {labels.regular_places_children()})" in _said(tekorten)

    kaart = run_page("kaart")
    assert not kaart.exception, kaart.exception
    indicators = next(s for s in kaart.selectbox if s.label == "Indicator")
    shown = indicators.options  # as shown: the labels
    for niveau in (3, 4):
        assert any(f"niveau {niveau} (schatting; noemer: {labels.noemer_words(niveau)})" in label
                   for label in shown), shown
    _profile(kaart, "GM9999")
    assert f"**Verwachte kinderen per niveau** (schatting, alle leeftijden; {clause})" in _said(kaart)

    for dia, said in (("continuum", labels.capitalised(clause)),
                      ("tekort", f"Noemer: de {labels.noemer_words(3)}.")):
        at = run_page("presentatie", params={"gemeente": "GM9999", "dia": dia})
        assert not at.exception, (dia, at.exception)
        assert said in _said(at), dia

    con = duckdb.connect(str(app_db), read_only=True)
    try:
        gap = report.gemeente_report(con, "GM9999", 2024).split('<section id="tekort">')[1].split("</section>")[0]
    finally:
        con.close()
    assert rule in html.unescape(gap) and labels.regular_places_noemer() in html.unescape(gap)

    book = _workbook(app_db, tmp_path, "GM9999")
    rows = list(book["Vraag per wijk en niveau"].iter_rows(values_only=True))
    noemers = {row[rows[0].index("Noemer")] for row in rows[1:]}
    assert noemers == set(labels.NOEMER_WORDS.values())
    assert rule in _notes(book, "Vraag per wijk en niveau")


def _capacity(text: str) -> list[str]:
    """The opnamegrens clauses of `text`, in the words of labels.capacity_text (its figure free)."""
    before, after = labels.capacity_text(7).split(" 7 ")
    return re.findall(rf"{re.escape(before)} \S+ {re.escape(after)}", text)


def test_tekorten_and_the_wijk_profile_say_the_opnamegrens_in_the_same_words(app_db):
    """Tekorten's sentence of the gemeente said the regular groups 'kunnen er samen 62 opnemen
    (opnamegrens: een capaciteit, geen aanwezige kinderen)', a wijk's sentence (Tekorten, the wijk
    profile) only '(opnamegrens)': the same figure, worded twice."""
    tekorten = run_page("tekorten")
    assert not tekorten.exception, tekorten.exception
    gemeente = [s for s in re.findall(r"\*\*Gemeente [^*]+:\*\* [^\n]*", _said(tekorten))
                if "allemaal in reguliere groepen" in s]
    assert gemeente and all(_capacity(s) for s in gemeente), gemeente
    kaart = run_page("kaart")
    _profile(kaart, "GM9999")
    wijk = [line for line in _said(kaart).splitlines() if "allemaal in reguliere groepen" in line]
    assert wijk and all(_capacity(line) for line in wijk), wijk


needs_real_data = pytest.mark.skipif(not REAL_DATA.exists(), reason="../shared/real_data ontbreekt")


@needs_real_data
def test_without_lrk_and_row_10_tekorten_and_the_wijk_profile_say_what_is_unknown_in_the_same_words(
        real_app):
    """'s-Hertogenbosch from its kwb alone (no LRK export, no partner data): the gemeente's sentence
    on Tekorten said 'hoeveel plekken er zijn is niet bekend' and 'hoeveel plekken er in plusgroepen
    zijn is niet geleverd (rij 10 van de handreiking, groepsgrootte)', a wijk's sentence in the wijk
    profile 'Hoeveel reguliere plekken er zijn, is niet bekend ..., en dus ook het tekort niet' and
    '... zijn, is niet geleverd (rij 10)'."""
    from test_real_pages import BEHEERDER

    def page(name):
        at = run_page(name, account=BEHEERDER, params={"gemeente": "GM0796", "jaar": "2024"})
        assert not at.exception, (name, at.exception)
        return at

    tekorten = page("tekorten")
    sentences = " ".join(re.findall(r"\*\*Gemeente [^*]+:\*\* [^\n]*", _said(tekorten)))
    kaart = page("kaart")
    _profile(kaart, "GM0796")
    wijk = " ".join(line for line in _said(kaart).splitlines() if line.startswith("- In "))
    for clause in (labels.REGULAR_PLACES_UNKNOWN, labels.CAPACITY_UNKNOWN, labels.PLUS_PLACES_NOT_DELIVERED):
        assert clause in sentences, (clause, sentences)
        assert clause in wijk or labels.capitalised(clause) in wijk, (clause, wijk)
