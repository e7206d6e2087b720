"""One figure, one value, on every page (issue 15), as a controller checks it: each figure is read
from every place it appears (Overzicht, Kaart with the wijk profile, Continuüm, Tekorten, Trends,
the slides, Analysevragen, Scenario's, Databronnen, the workbook, the CSV, the report and the
factsheet) and must read the same there, after the same rounding and suppression; and each place
says whether it is a count or an estimate. On the sample gemeente and on a real gemeente built from
../shared/real_data (as tests/test_real_pages.py loads one)."""

from __future__ import annotations

import html
import io
import os
import re
from collections import defaultdict
from pathlib import Path

import pytest
from conftest import REAL_DATA, ROOT

AGES = ("0-2", "2-4", "4-12")
# Tekorten's sentence on the whole gemeente per component, by a phrase of it, and the component
# as the report names it (Onderdeel (perspectief))
GEMEENTE_SENTENCES = (("reguliere opvang", "reguliere plekken voor niveau 1-3 (beide)"),
                      ("op niveau 2", "coaching van professionals (rij 7) (beide)"),
                      ("in een aparte groep", "aparte groep (plusgroep) (passend)"),
                      ("in de reguliere groep;", "specialistische inzet in de groep (rij 7) (passend)"),
                      ("allemaal in reguliere groepen", "opnamegrens reguliere groepen (inclusief)"),
                      ("met specialistische inzet", "specialistische inzet in de groep (rij 7) (inclusief)"))
# the supply of each component of gap_by_wijk_niveau, by the label the files give it
SUPPLY_FIGURES = {"reguliere plekken voor niveau 1-3": "reguliere plekken",
                  "aparte groep (plusgroep)": "plekken plusgroep",
                  "opnamegrens reguliere groepen": "opnamegrens",
                  "coaching van professionals (rij 7)": "rij 7 coaching: kinderen bereikt met coaching"}
GEMEENTE = "gemeente"


class Figures:
    """figure -> key (wijk, age group, ...) -> place -> the text shown there."""

    def __init__(self) -> None:
        self.seen: dict[str, dict[tuple, dict[str, str]]] = defaultdict(lambda: defaultdict(dict))

    def add(self, figure: str, key: tuple, place: str, text: object) -> None:
        # an empty cell of a workbook reads None (NaN in a frame)
        empty = text is None or (isinstance(text, float) and text != text)
        self.seen[figure][key][place] = "" if empty else html.unescape(str(text)).strip()

    def contradictions(self, figure: str) -> list[str]:
        assert self.seen[figure], f"{figure}: read from no place"
        return [f"{figure} {key}: {places}" for key, places in sorted(self.seen[figure].items())
                if len(set(places.values())) > 1]

    def places(self, figure: str) -> set[str]:
        return {place for places in self.seen[figure].values() for place in places}


def _cells(markup: str) -> dict[str, list[list[str]]]:
    """Every HTML table of some markup: its caption (or first header cell) -> rows of cell texts."""
    tables = {}
    for block in re.findall(r"<table.*?</table>", markup, flags=re.S):
        caption = re.search(r"<caption[^>]*>(.*?)</caption>", block, flags=re.S)
        rows = [[html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
                 for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, flags=re.S)]
                for row in re.findall(r"<tr[^>]*>(.*?)</tr>", block, flags=re.S)]
        title = html.unescape(re.sub(r"<[^>]+>", "", caption.group(1))).strip() if caption else str(len(tables))
        tables[title] = rows
    return tables


def _page_tables(at) -> dict[str, list[list[str]]]:
    return _cells(" ".join(m.value for m in at.markdown if "<table" in m.value))


def _table(tables: dict[str, list[list[str]]], part: str) -> list[list[str]]:
    found = [rows for caption, rows in tables.items() if part in caption]
    assert found, f"no table {part!r} in {list(tables)}"
    return found[0]


def _column(rows: list[list[str]], key: str, column: str) -> dict[str, str]:
    header = rows[0]
    return {row[header.index(key)]: row[header.index(column)] for row in rows[1:]}


def _cards(markup: str) -> dict[str, str]:
    """Key figures of Overzicht (<dt>label</dt><dd>value</dd>) and of a slide (kk-value, label)."""
    found = dict(re.findall(r"<dt[^>]*>(.*?)</dt><dd[^>]*>(.*?)</dd>", markup))
    found.update((label, value) for value, label in
                 re.findall(r"<div class=['\"](?:kk-)?value['\"]>(.*?)</div><div>(.*?)</div>", markup))
    return {html.unescape(label).lower(): html.unescape(value) for label, value in found.items()}


def _kind(said: str, page_text: str) -> str:
    """What a place says of the children: the kind it names (telling, schatting) and the source
    the place names anywhere (the BRP, or CBS's 03759ned × kwb)."""
    source = "BRP" if "BRP" in page_text else "CBS 03759ned × kwb" if "03759ned" in page_text else "geen bron"
    return f"{said} ({source})"


MODEL_CHILDREN = re.compile(r"Het model rekent met de kinderen van 2024: [^.]+\.")


def _model_children(text: str) -> str:
    """The sentence with which a place of model figures names the children they rest on."""
    found = MODEL_CHILDREN.search(html.unescape(text))
    return found.group(0) if found else "(niet genoemd)"


def _text(at) -> str:
    return " ".join(str(e.value) for kind in ("markdown", "caption", "info", "warning") for e in getattr(at, kind))


# --- collecting ----------------------------------------------------------------------------------


def _run(page, account, gemeente):
    from conftest import run_page

    at = run_page(page, 120, account=account, params={"gemeente": gemeente, "jaar": "2024"})
    assert not at.exception, (page, at.exception)
    return at


def _overzicht_children(figures: Figures, at_overzicht) -> None:
    tables = _page_tables(at_overzicht)
    rows = _table(tables, "Kinderen per wijk en leeftijdsgroep")
    header = rows[0]
    for row in rows[1:]:
        wijk = GEMEENTE if row[0] == "Totaal" else row[header.index("Wijk")]
        for age, column in (*((a, f"{a} jaar") for a in AGES), ("0-12", "Totaal")):
            figures.add("kinderen", (wijk, age), "Overzicht (tabel)", row[header.index(column)])
        figures.add("bron kinderen", (wijk,), "Overzicht", row[header.index("Bron")])
    cards = _cards(" ".join(m.value for m in at_overzicht.markdown))
    for age in (*AGES, "0-12"):
        figures.add("kinderen", (GEMEENTE, age), "Overzicht (kerncijfers)", cards[f"kinderen {age} jaar"])
    said = re.search(r"Kinderen per wijk en leeftijdsgroep \((\w+)\)", _text(at_overzicht)).group(1)
    figures.add("soort kinderen", (GEMEENTE,), "Overzicht", _kind(said, _text(at_overzicht)))


def collect(figures: Figures, gemeente: str, account) -> None:
    """Read every figure from every page, slide and file of `gemeente` in 2024."""
    from streamlit.testing.v1 import AppTest

    from ui.map_indicators import INDICATORS

    overzicht = _run(None, account, gemeente)
    _overzicht_children(figures, overzicht)
    wijk_names = {row[0]: row[1] for row in _table(_page_tables(overzicht), "Kinderen per wijk")[1:]
                  if row[0] != "Totaal"}

    # Kaart and Trends: the same indicators
    kaart = _run("kaart", account, gemeente)
    trends = _run("trends", account, gemeente)
    for key, figure, age in (("kinderen_0_2", "kinderen", "0-2"), ("kinderen_2_4", "kinderen", "2-4"),
                             ("kinderen_4_12", "kinderen", "4-12"), ("kinderen_0_12", "kinderen", "0-12"),
                             ("verwacht_niveau_3", "niveau 3 midden", "0-12"),
                             ("verwacht_niveau_4", "niveau 4 midden", "0-12"),
                             ("kindplaatsen", "kindplaatsen", "alle"),
                             ("wachtlijst_zorg", "wachtlijst zorg", "alle"),
                             ("wachtlijst_so", "wachtlijst (v)so", "alle"),
                             ("vso_leerlingen", "leerlingen (v)so", "alle")):
        label = INDICATORS[key].label
        for name, at in (("Kaart", kaart), ("Trends", trends)):
            box = next(s for s in at.selectbox if s.label == "Indicator")
            if label not in box.options:  # the options as shown: the labels
                continue
            box.set_value(key).run()
            assert not at.exception, at.exception
            tables = _page_tables(at)
            found = [rows for caption, rows in tables.items() if caption.startswith(label)]
            if not found:
                continue
            rows = found[0]
            for row in rows[1:]:
                figures.add(figure, (row[0], age), name, row[1] if name == "Kaart" else row[-1])
            if key == "verwacht_niveau_3" and name == "Kaart":  # Trends says it per year in its header
                figures.add("kinderen onder het model", (GEMEENTE,), name, _model_children(_text(at)))
            if key == "kinderen_0_12":
                said = (re.search(r"Kinderen in 2024: (\w+)", _text(at)) if name == "Kaart"
                        else re.fullmatch(r"2024 \((\w+)\)", rows[0][-1])).group(1)
                figures.add("soort kinderen", (GEMEENTE,), name, _kind(said, _text(at)))

    # the wijk profile of each wijk (on the Kaart)
    for code, wijk in wijk_names.items():
        box = next(s for s in kaart.selectbox if s.label.startswith("Wijkprofiel"))
        box.set_value(code).run()
        assert not kaart.exception, kaart.exception
        frames = [d.value for d in kaart.dataframe]
        ages = next((f for f in frames if "Leeftijd" in f.columns and wijk in f.columns), None)
        if ages is not None:
            for label, value, total in zip(ages["Leeftijd"], ages[wijk], ages["Gemeente"], strict=True):
                figures.add("kinderen", (wijk, label.split()[0]), "Wijkprofiel", value)
                figures.add("kinderen", (GEMEENTE, label.split()[0]), "Wijkprofiel", total)
        niveaus = next((f for f in frames if "Niveau" in f.columns and f"{wijk} (laag-hoog)" in f.columns), None)
        if niveaus is not None:
            for niveau, value, total in zip(niveaus["Niveau"], niveaus[f"{wijk} (laag-hoog)"],
                                            niveaus["Gemeente (laag-hoog)"], strict=True):
                figures.add(f"niveau {niveau} laag-hoog", (wijk, "0-12"), "Wijkprofiel", value)
                figures.add(f"niveau {niveau} laag-hoog", (GEMEENTE, "0-12"), "Wijkprofiel", total)
        places = next((f for f in frames if "Plekken (gelijktijdig)" in f.columns), None)
        if places is not None:
            total = sum(int(str(v).replace(".", "")) for v in places["Plekken (gelijktijdig)"])
            figures.add("kindplaatsen", (wijk, "alle"), "Wijkprofiel (som van de soorten)", _number_text(total))
        text = " ".join(m.value for m in kaart.markdown)
        for age, noun in (("0-2", "kinderen van 0-2 jaar"), ("2-4", "peuters"), ("4-12", "kinderen van 4-12 jaar")):
            said = re.search(rf"In {re.escape(wijk)} gebruiken of zoeken naar schatting (\S+) {noun} reguliere "
                             r"opvang.*?Er (?:zijn|is) (\S+) plek", text)
            if said:
                figures.add("reguliere opvang laag-hoog", (wijk, age), "Wijkprofiel", said.group(1))
                figures.add("reguliere plekken", (wijk, age), "Wijkprofiel", said.group(2))

    # Continuüm: per age group, the model per wijk and niveau, and the children beside it
    continuum = _run("continuum", account, gemeente)
    for age in ("alle", *AGES):
        continuum.radio(key="continuum_age").set_value(age).run()
        assert not continuum.exception, continuum.exception
        frame = next(d.value for d in continuum.dataframe if "Alle kinderen" in d.value.columns)
        shown_age = "0-12" if age == "alle" else age
        for _, row in frame.iterrows():
            wijk = GEMEENTE if row["Wijkcode"] == "Totaal" else row["Wijk"]
            figures.add("kinderen", (wijk, shown_age), "Continuüm", row["Alle kinderen"])
            for niveau in (2, 3, 4):
                figures.add(f"niveau {niveau} midden", (wijk, shown_age), "Continuüm", row[f"Niveau {niveau}"])
        if age == "alle":
            figures.add("kinderen onder het model", (GEMEENTE,), "Continuüm", _model_children(_text(continuum)))
            said = re.search(r"alle [\d.]+ kinderen \((\w+)\)", _text(continuum)).group(1)
            figures.add("soort kinderen", (GEMEENTE,), "Continuüm", _kind(said, _text(continuum)))
            for metric in continuum.metric:
                if metric.label.startswith("Niveau "):
                    figures.add(f"{metric.label.lower()} midden", (GEMEENTE, "0-12"), "Continuüm (kerncijfer)",
                                metric.value)
            # the range of each niveau under its key figure, and the 2024 row of the trend table
            ranges = [c.value.split()[0] for c in continuum.caption if re.match(r"[\d.<]+-[\d.]+ kinderen;", c.value)]
            for niveau, text in zip((1, 2, 3, 4), ranges, strict=True):
                figures.add(f"niveau {niveau} laag-hoog", (GEMEENTE, "0-12"), "Continuüm (kerncijfer)", text)
            trend = _table(_page_tables(continuum), "Verwachte kinderen per niveau in")
            row = next(r for r in trend[1:] if r[0] == "2024")
            for niveau in (2, 3, 4):
                mid, low_high = re.fullmatch(r"(\S+) \((\S+)\)", row[trend[0].index(
                    f"Niveau {niveau}: midden (laag-hoog)")]).groups()
                figures.add(f"niveau {niveau} midden", (GEMEENTE, "0-12"), "Continuüm (trend)", mid)
                figures.add(f"niveau {niveau} laag-hoog", (GEMEENTE, "0-12"), "Continuüm (trend)", low_high)
            signals = next((d.value for d in continuum.dataframe
                            if "Niveau 3: model (laag-hoog)" in d.value.columns), None)
            if signals is not None:
                for _, row in signals.iterrows():
                    for niveau in (3, 4):
                        figures.add(f"niveau {niveau} laag-hoog", (row["Wijk"], "0-12"), "Continuüm (signalen)",
                                    row[f"Niveau {niveau}: model (laag-hoog)"])
            row_2 = next((d.value for d in continuum.dataframe if "Niveau (partner)" in d.value.columns), None)
            if row_2 is not None:
                for _, row in row_2.iterrows():
                    for column in row_2.columns[1:]:
                        figures.add("rij 2 extra ondersteuning", (row["Niveau (partner)"], column), "Continuüm",
                                    row[column])

    # Tekorten: the regular places and the row 7 support per wijk and age group
    tekorten = _run("tekorten", account, gemeente)
    figures.add("kinderen onder het model", (GEMEENTE,), "Tekorten", _model_children(_text(tekorten)))
    for age in AGES:
        next(s for s in tekorten.selectbox if s.label == "Leeftijdsgroep").set_value(age).run()
        assert not tekorten.exception, tekorten.exception
        for frame in (d.value for d in tekorten.dataframe):
            if "Plekken, gelijktijdig (LRK)" in frame.columns:
                for wijk, places, children in zip(frame["Wijk"], frame["Plekken, gelijktijdig (LRK)"],
                                                  frame["Kinderen in of op zoek naar opvang (laag-hoog)"],
                                                  strict=True):
                    figures.add("reguliere plekken", (wijk, age), "Tekorten", places)
                    figures.add("reguliere opvang laag-hoog", (wijk, age), "Tekorten", children)
            for column, figure in (("Plekken plusgroep", "plekken plusgroep"),
                                   ("Opnamegrens reguliere groepen", "opnamegrens")):
                if column in frame.columns:
                    for wijk, value in zip(frame["Wijk"], frame[column], strict=True):
                        figures.add(figure, (wijk, age), "Tekorten", value)
            if "Plekken KDC/MKD (gelijktijdig)" in frame.columns and age == AGES[0]:
                for label, value in zip(frame["Leeftijd"], frame["Plekken KDC/MKD (gelijktijdig)"], strict=True):
                    figures.add("plekken KDC/MKD", (GEMEENTE, label.split()[0]), "Tekorten", value)
            reached = [c for c in frame.columns if c.startswith("Kinderen bereikt met coaching")]
            if reached:
                for _, row in frame.iterrows():
                    for column in (reached[0], "Trajecten", "Uren"):
                        figures.add(f"rij 7 coaching: {column.split(' (')[0].lower()}", (row["Wijk"], age),
                                    "Tekorten", row[column])
        # the gemeente's sentence of each component: its children, supply and balance
        for sentence in re.findall(r"\*\*Gemeente [^*]+:\*\* (naar schatting [^*]*)", _text(tekorten)):
            component = next((c for part, c in GEMEENTE_SENTENCES if part in sentence), None)
            supply = re.search(r"aanwezig: (\S+) kinderen|er (?:zijn|is) (\S+) plek|samen (\S+) opnemen|is (niet "
                               r"geleverd)", sentence)
            if component is None or supply is None:
                continue
            key = (component, age)
            figures.add("gemeente: kinderen", key, "Tekorten", re.match(r"naar schatting (\S+)", sentence).group(1))
            shown = next(g for g in supply.groups() if g)  # 'er zijn geen plekken' (labels.places_text)
            figures.add("gemeente: aanbod", key, "Tekorten", "0" if shown == "geen" else shown)
            balance = re.search(r"Saldo over de wijken: (.+?) (?:plekken|kinderen) tekort", sentence)
            figures.add("gemeente: saldo", key, "Tekorten", balance.group(1) if balance else "niet geleverd")
    # the waiting lists (one table per list, in the order of their headings)
    headings = re.findall(r"\*\*(Wachtlijst [^*]+)\*\* \(([^)]+)\), gemeente: (afgeschermd(?: kinderen)?|\S+ "
                          r"kinderen)",
                          " ".join(m.value for m in tekorten.markdown))
    lists = [d.value for d in tekorten.dataframe if "Kinderen op de wachtlijst" in d.value.columns]
    for (name, _ages, total), frame in zip(headings, lists, strict=True):
        figure = name.lower().replace("/ondersteuning", "")
        figures.add(figure, (GEMEENTE, "alle"), "Tekorten", total)
        for wijk, value in zip(frame["Wijk"], frame["Kinderen op de wachtlijst"], strict=True):
            figures.add(figure, (wijk, "alle"), "Tekorten", value)

    # Analysevragen: row 2 as on Continuüm, row 7 per kind and age group
    analyse = _run("analysevragen", account, gemeente)
    for frame in (d.value for d in analyse.dataframe):
        if "Niveau (partner)" in frame.columns:
            for _, row in frame.iterrows():
                for column in frame.columns[1:]:
                    figures.add("rij 2 extra ondersteuning", (row["Niveau (partner)"], column), "Analysevragen",
                                row[column])

    # Scenario's: the niveau 3 children of the whole gemeente (the baseline of every scenario)
    scenarios = _run("scenarios", account, gemeente)
    for frame in (d.value for d in scenarios.dataframe):
        if "Grootheid" in frame.columns:
            row = frame[frame["Grootheid"] == "Kinderen niveau 3 (schatting)"].iloc[0]
            for column in frame.columns:
                if column.startswith("Gemeente ·"):
                    figures.add("niveau 3 midden", (GEMEENTE, "0-12"), f"Scenario's ({column})", row[column])

    # Databronnen: completeness per row of the handreiking
    bronnen = _run("databronnen", account, gemeente)
    complete = next(m.value for m in bronnen.metric if m.label == "Rijen compleet")
    figures.add("rijen compleet", (GEMEENTE,), "Databronnen", complete)
    deliveries = next(d.value for d in bronnen.dataframe if "Ontbreekt" in d.value.columns)
    for _, row in deliveries.iterrows():
        figures.add("aanlevering: wijken", (str(row["Rij"]),), "Databronnen", row["Wijken"])
        figures.add("aanlevering: ontbreekt", (str(row["Rij"]),), "Databronnen", row["Ontbreekt"])

    # the slides
    for number in range(1, 14):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        if account is not None:
            at.session_state["kindkaart_account"] = account
        at.query_params.update({"gemeente": gemeente, "jaar": "2024", "dia": str(number)})
        at.run()
        at.switch_page("pages/presentatie.py")
        at.run()
        assert not at.exception, at.exception
        markup = " ".join(m.value for m in at.markdown)
        if f"Dia {number} van" not in markup:
            break
        title = at.title[0].value
        tables = _cells(markup)
        if title == "Kerncijfers":
            said = re.search(r"2024: (\w+)", markup).group(1)
            figures.add("soort kinderen", (GEMEENTE,), "Dia Kerncijfers", _kind(said, markup))
            cards = _cards(markup)
            for age in (*AGES, "0-12"):
                if f"kinderen {age} jaar" in cards:
                    figures.add("kinderen", (GEMEENTE, age), "Dia Kerncijfers", cards[f"kinderen {age} jaar"])
        elif title == "Kinderen per wijk":
            rows = next(iter(tables.values()))
            for wijk, value in _column(rows, "Wijk", "Kinderen 0-12 jaar").items():
                figures.add("kinderen", (wijk, "0-12"), "Dia Kinderen per wijk", value)
        elif title in ("Continuüm per wijk", "Tekort per wijk") and tables:  # with model figures
            figures.add("kinderen onder het model", (GEMEENTE,), f"Dia {title}", _model_children(markup))
        if title == "Continuüm per wijk":
            rows = next(iter(tables.values()))
            for niveau in (2, 3, 4):
                for wijk, value in _column(rows, "Wijk", f"Niveau {niveau}").items():
                    figures.add(f"niveau {niveau} midden", (wijk, "0-12"), "Dia Continuüm", value)
        elif title == "Aanlevering van gegevens":
            rows = next(iter(tables.values()))
            for row in rows[1:]:
                figures.add("aanlevering: wijken", (row[0],), "Dia Aanlevering", row[rows[0].index("Wijken")])
                figures.add("aanlevering: ontbreekt", (row[0],), "Dia Aanlevering",
                            row[rows[0].index("Ontbreekt")])

    # the files, as the command writes them (the app's downloads hold the same: tests/test_export.py)
    sheets, csv_rows, markup = _files(gemeente)
    factsheets = {code: _files(gemeente, code) for code in wijk_names}
    for row in csv_rows[1:]:
        wijk = GEMEENTE if row[0] == "Totaal" else row[1]
        for age, value in zip((*AGES, "0-12"), row[2:6], strict=True):
            figures.add("kinderen", (wijk, age), "CSV", _number_text(int(value)) if value.isdigit() else value)
        figures.add("bron kinderen", (wijk,), "CSV", row[-1])
    children = sheets["Kinderen per wijk"]
    for _, row in children.iterrows():
        wijk = GEMEENTE if row["Wijkcode"] == "Totaal" else row["Wijk"]
        for age in (*AGES, "0-12"):
            column = next(c for c in children.columns if str(c).startswith(f"{age} jaar") or
                          (age == "0-12" and str(c) == "Totaal"))
            figures.add("kinderen", (wijk, age), "Werkboek", _number_text(row[column]))
        figures.add("bron kinderen", (wijk,), "Werkboek", row["Bron"])
    if "Aanlevering" in sheets:
        delivered = sheets["Aanlevering"]
        for _, row in delivered.iterrows():
            figures.add("aanlevering: wijken", (str(row["Rij handreiking"]),), "Werkboek", row["Wijken"])
            figures.add("aanlevering: ontbreekt", (str(row["Rij handreiking"]),), "Werkboek", row["Ontbreekt"])
        figures.add("rijen compleet", (GEMEENTE,), "Werkboek (rijen met 'niets' ontbreekt)",
                    f"{(delivered['Ontbreekt'] == 'niets').sum()} van {len(delivered)}")
    for rows in _cells(markup).values():
        if rows and rows[0][:1] == ["Rij handreiking"]:
            for row in rows[1:]:
                figures.add("aanlevering: wijken", (row[0],), "Rapport", row[rows[0].index("Wijken")])
                figures.add("aanlevering: ontbreekt", (row[0],), "Rapport", row[rows[0].index("Ontbreekt")])
    if "Tekort per wijk en niveau" in sheets:
        gap = sheets["Tekort per wijk en niveau"]
        for _, row in gap.iterrows():
            age = row["Leeftijdsgroep"].split()[0]
            figure = SUPPLY_FIGURES.get(row["Onderdeel"])
            if figure:
                figures.add(figure, (row["Wijk"], age), "Werkboek", _number_text(row["Aanbod, waargenomen (afgerond)"]))
            if row["Onderdeel"] == "reguliere plekken voor niveau 1-3":
                figures.add("reguliere opvang laag-hoog", (row["Wijk"], age), "Werkboek",
                            row["Kinderen, schatting (laag-hoog)"])
    if "Niveau 4 (regionaal)" in sheets:
        for _, row in sheets["Niveau 4 (regionaal)"].iterrows():
            figures.add("plekken KDC/MKD", (GEMEENTE, row["Leeftijdsgroep"].split()[0]), "Werkboek",
                        _number_text(row["Plekken KDC/MKD, gelijktijdig (waargenomen)"]))
    report_tables = _cells(markup)
    rows = next((rows for rows in report_tables.values() if rows and "Wijkcode" in rows[0]), None)
    if rows:
        header = rows[0]
        for row in rows[1:]:
            wijk = GEMEENTE if row[0] == "Totaal" else row[header.index("Wijk")]
            for age, column in (*((a, a) for a in AGES), ("0-12", "Totaal")):
                figures.add("kinderen", (wijk, age), "Rapport", row[header.index(column)])
            figures.add("bron kinderen", (wijk,), "Rapport", row[header.index("Bron")])
    for label, value in _cards(markup).items():
        figures.add("kinderen", (GEMEENTE, label.split()[1]), "Rapport (kerncijfers)", value)
    for rows in report_tables.values():
        if rows and "Tekort (saldo over de wijken)" in rows[0]:
            header = rows[0]
            for row in rows[1:]:
                key = (f"{row[header.index('Onderdeel')]} ({row[header.index('Perspectief')]})",
                       row[header.index("Leeftijd")].split()[0])
                figures.add("gemeente: kinderen", key, "Rapport", row[header.index("Kinderen (schatting)")])
                figures.add("gemeente: aanbod", key, "Rapport", row[header.index("Aanbod (waargenomen)")])
                figures.add("gemeente: saldo", key, "Rapport", row[header.index("Tekort (saldo over de wijken)")])
        if rows and "Plekken KDC/MKD" in rows[0]:
            for row in rows[1:]:
                figures.add("plekken KDC/MKD", (GEMEENTE, row[0].split()[0]), "Rapport",
                            row[rows[0].index("Plekken KDC/MKD")])
    for code, sheet in factsheets.items():
        wijk = wijk_names[code]
        for label, value in _cards(sheet).items():
            figures.add("kinderen", (wijk, label.split()[1]), "Factsheet", value)
        for row in (rows for rows in _cells(sheet).values() if rows and "Onderdeel" in rows[0]):
            header = row[0]
            for cells in row[1:]:
                age = cells[header.index("Leeftijd")].split()[0]
                figure = SUPPLY_FIGURES.get(cells[header.index("Onderdeel")])
                if figure:
                    figures.add(figure, (wijk, age), "Factsheet", cells[header.index("Aanbod (waargenomen)")])
                if cells[header.index("Onderdeel")] == "reguliere plekken voor niveau 1-3":
                    figures.add("reguliere opvang laag-hoog", (wijk, age), "Factsheet",
                                cells[header.index("Kinderen (schatting)")])


def _files(gemeente: str, wijk_code: str | None = None):
    """The workbook (sheet title -> frame), the CSV (rows) and the report of `gemeente` in 2024 as
    `python -m data_sources export` writes them; with `wijk_code` the wijk's factsheet."""
    import csv

    import openpyxl
    import pandas as pd

    from data_sources.cli import main

    db = Path(os.environ["KINDKAART_DB"])

    def export(name: str, *extra: str) -> Path:
        target = db.parent / name
        assert main(["export", "-o", str(target), "--db", str(db), "--gemeente", gemeente, "--jaar", "2024",
                     *extra]) == 0
        return target

    if wijk_code:
        return export(f"{wijk_code}.html", "--wijk", wijk_code).read_text(encoding="utf-8")
    book = openpyxl.load_workbook(export("kindkaart.xlsx"))
    sheets = {}
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        sheets[sheet.title] = pd.DataFrame(rows[1:], columns=rows[0])
    text = export("kinderen.csv").read_text(encoding="utf-8").lstrip("\ufeff")
    return sheets, list(csv.reader(io.StringIO(text), delimiter=";")), export("rapport.html").read_text(
        encoding="utf-8")


def _number_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    return str(value)


# --- the tests ------------------------------------------------------------------------------------

FIGURES = ("kinderen", "niveau 2 midden", "niveau 3 midden", "niveau 4 midden", "niveau 3 laag-hoog",
           "niveau 4 laag-hoog", "kindplaatsen", "reguliere plekken", "reguliere opvang laag-hoog",
           "plekken plusgroep", "opnamegrens", "plekken KDC/MKD",
           "rij 7 coaching: kinderen bereikt met coaching", "rij 2 extra ondersteuning",
           "wachtlijst zorg", "wachtlijst (v)so", "aanlevering: wijken", "aanlevering: ontbreekt",
           "rijen compleet", "soort kinderen", "bron kinderen", "kinderen onder het model",
           "gemeente: kinderen", "gemeente: aanbod", "gemeente: saldo")


@pytest.fixture(scope="module")
def sample_figures(sample_db, tmp_path_factory) -> Figures:
    from conftest import app_copy

    from ui import data

    figures = Figures()
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(data, "IDLE_SECONDS", 0)  # as conftest's autouse fixture, for the module
        app_copy(sample_db, tmp_path_factory.mktemp("one_figure"), monkeypatch)
        collect(figures, "GM9999", None)
    return figures


@pytest.mark.parametrize("figure", FIGURES)
def test_the_sample_shows_each_figure_with_one_value_everywhere(sample_figures, figure):
    """Buitengebied's peuters have 0,99 regular places (a gastouder's 10 places shared over the
    age groups in proportion to the children): Tekorten, the wijk profile and the factsheet said
    1 place, the workbook '<1', the sign of a model estimate of children below one."""
    assert len(sample_figures.places(figure)) >= 2, sample_figures.places(figure)
    assert sample_figures.contradictions(figure) == [], "\n".join(sample_figures.contradictions(figure))



needs_real_data = pytest.mark.skipif(not REAL_DATA.exists(), reason="../shared/real_data ontbreekt")
# a real gemeente without BRP, LRK or partner data: every child is an estimate of CBS figures
REAL_FIGURES = ("kinderen", "niveau 2 midden", "niveau 3 midden", "niveau 4 midden", "niveau 3 laag-hoog",
                "niveau 4 laag-hoog", "reguliere opvang laag-hoog", "aanlevering: wijken",
                "aanlevering: ontbreekt", "rijen compleet", "soort kinderen", "bron kinderen",
                "kinderen onder het model", "gemeente: kinderen", "gemeente: aanbod", "gemeente: saldo")


@pytest.fixture(scope="module")
def real_figures(tmp_path_factory) -> Figures:
    """Houten (GM0321, wijk names with apostrophes) loaded as a user loads it: the real kwb 2024
    figures and 03759ned (tests/test_real_pages.py), one beheerder."""
    from conftest import app_copy
    from test_real_pages import BEHEERDER, _ages_03759ned, _kwb_2024

    from data_sources import accounts, store
    from data_sources.jobs import import_cbs_file
    from ui import data

    folder = tmp_path_factory.mktemp("one_figure_real")
    path = folder / "kindkaart.duckdb"
    con = store.connect(path)
    try:
        import_cbs_file(con, _kwb_2024(folder / "kwb-2024.xlsx"))
        import_cbs_file(con, _ages_03759ned(folder / "03759ned_UntypedDataSet_05122026_120000.csv"))
        accounts.add_account(con, "beheer", "beheerder", "correct paard batterij", None)
    finally:
        con.close()
    figures = Figures()
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(data, "IDLE_SECONDS", 0)
        app_copy(path, tmp_path_factory.mktemp("one_figure_real_app"), monkeypatch)
        collect(figures, "GM0321", BEHEERDER)
    return figures


@needs_real_data
@pytest.mark.parametrize("figure", REAL_FIGURES)
def test_a_real_gemeente_shows_each_figure_with_one_value_everywhere(real_figures, figure):
    assert len(real_figures.places(figure)) >= 2, real_figures.places(figure)
    assert real_figures.contradictions(figure) == [], "\n".join(real_figures.contradictions(figure))


def test_a_wijk_without_row_7_rows_reads_0_trajecten_and_hours_as_databronnen_says(sample_figures):
    """Row 7 (ondersteuningstrajecten) of the sample has no rows for Buitengebied: Databronnen says
    the pages read such a wijk as 0. Tekorten showed 0 toddlers reached by coaching there, beside
    empty trajecten and hours, which read as 'not given'."""
    wijken = sample_figures.seen["aanlevering: wijken"][("7",)]["Databronnen"]
    assert "Buitengebied (op de pagina's 0)" in wijken
    shown = {figure.removeprefix("rij 7 coaching: "): sample_figures.seen[figure][("Buitengebied", "2-4")]["Tekorten"]
             for figure in ("rij 7 coaching: kinderen bereikt met coaching", "rij 7 coaching: trajecten",
                            "rij 7 coaching: uren")}
    assert shown == {"kinderen bereikt met coaching": "0", "trajecten": "0", "uren": "0"}


def test_a_hidden_waiting_list_total_reads_afgeschermd_not_afgeschermd_kinderen(sample_figures):
    """The (v)so waiting list of the sample is hidden for the gemeente: Tekorten's heading said
    'gemeente: afgeschermd kinderen'; the shown one keeps its unit."""
    totals = {figure: sample_figures.seen[figure][(GEMEENTE, "alle")]["Tekorten"]
              for figure in ("wachtlijst (v)so", "wachtlijst zorg")}
    assert totals["wachtlijst (v)so"] == "afgeschermd"
    assert re.fullmatch(r"[\d.]+ kinderen", totals["wachtlijst zorg"]), totals
