"""Session 33 red team of the newest figures (issue 16): small counts stay small, also against
differencing. The attacks on what came since the last review (the report's and factsheets'
specialistische inzet, Databronnen's wijken without rows, the CBS Jeugdmonitor per wijk on the
Kaart) read the real pages and exports of the sample gemeente and solve what they read exactly
(README "Privacy")."""

from __future__ import annotations

import io
import math
import re
import sys
from html import unescape
from pathlib import Path

import duckdb
import openpyxl
from conftest import ROOT, app_db_with_files, run_page, run_page_as_analist
from kwb_files import write_kwb_xlsx
from test_cbs_jeugdmonitor import write_jeugdmonitor
from test_privacy_vve_criteria import Attacker, _too_narrow

from data_sources import jobs, store
from data_sources.config import min_count

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "registrations"))
from support import filled_template  # noqa: E402

HIDDEN = "afgeschermd"
PADDING = 10
# row 7 support types -> the niveau they count on (the sample delivers 2-4 year olds only)
SUPPORT_KINDS = {"coaching pm'ers": 2, "logopedie": 3}
# the report's rows of children reached with row 7 support, per niveau
SUPPORT_ROWS = {2: "coaching van professionals (rij 7)", 3: "specialistische inzet in de groep (rij 7)"}


def _support_truth(con) -> dict[tuple[int, str], int]:
    """The children reached per (niveau, wijk) of 2-4 year olds, all organisations together."""
    return {(int(niveau), wijk): int(count) for wijk, niveau, count in con.execute(
        "select wijk_code, niveau, sum(support_children) from int_support__by_wijk_age"
        " where gemeente_code = 'GM9999' and year = 2024 and age_group = '2-4'"
        " and niveau in (2, 3) group by all").fetchall()}


def _report_rows(con, wijk_code: str | None) -> list[dict[str, str]]:
    """The rows of the table 'Vraag, aanbod en tekort per niveau' of the gemeente report (or of
    the wijk factsheet of `wijk_code`), each as header -> text."""
    from outputs import report

    html = report._gap(report.Context(con, "GM9999", 2024, wijk_code))
    rows = [[unescape(re.sub(r"<[^>]+>", "", cell)).strip()
             for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", html, re.S)]
    header = rows[0]
    return [dict(zip(header, row, strict=True)) for row in rows[1:] if len(row) == len(header)]


def _number(text: str) -> int:
    return int(text.replace(".", ""))


def _shown_range(text: str) -> tuple[int, int]:
    """The counts a shown support figure can stand for: the report rounds 100 and more to fives
    (transforms.privacy.round_estimate), and writes a count below 100 as it is."""
    value = _number(text)
    return (value, value) if value < 100 else (value - 2, value + 2)


def test_the_reports_specialistische_inzet_pins_no_hidden_support_of_another(app_db):
    # The gemeente report and every wijk factsheet now hold Tekorten's specialistische inzet
    # (niveau 3, passend and inclusief) beside coaching (niveau 2): children reached with row 7
    # support, a count of children. A second zorgaanbieder pads every wijk with 10 toddlers per
    # niveau and reads the report and all ten factsheets, and the Kaart's wijk totals over the
    # niveaus: every figure minus its own 10s, each wijk's niveaus adding up to its Kaart total,
    # the wijken to the gemeente's figure, a hidden figure at least 1 (0 is shown), solved exactly
    # over whole numbers. The 9 small counts of the sample (6 coaching, 3 niveau 3) stay 1 up to
    # the threshold; without the protection of the support (protect_support) the report printed
    # them.
    from ui import continuum

    con = store.connect(app_db)
    try:
        wijken = [code for (code,) in con.execute(
            "select distinct wijk_code from population_by_wijk_age where gemeente_code = 'GM9999'"
            " order by 1").fetchall()]
        others = _support_truth(con)
        rows = [[wijk, None, kind, "2-4", PADDING, PADDING, 100.0] for wijk in wijken for kind in SUPPORT_KINDS]
        jobs.import_registration(con, filled_template("ondersteuningstrajecten", rows),
                                 "ondersteuningstrajecten", "Padding Zorg", "2024", "padding.xlsx")
    finally:
        con.close()
    small = {key for key, count in others.items() if 0 < count < min_count()}
    assert len(small) == 9

    con = duckdb.connect(str(app_db), read_only=True)
    try:
        read = {wijk: _report_rows(con, None if wijk == "gemeente" else wijk) for wijk in ["gemeente", *wijken]}
    finally:
        con.close()
    signals = continuum.signals("GM9999", 2024)
    whole = signals[signals["signal_type"] == "ondersteuningstrajecten"]
    kaart = continuum.protected_signal_totals(whole, continuum.contributions("GM9999", 2024))

    attacker = Attacker()
    hidden = set()
    seen_shown = 0
    for where, rows in read.items():
        own = PADDING * (len(wijken) if where == "gemeente" else 1)
        for niveau, label in SUPPORT_ROWS.items():
            mine = [r for r in rows if r["Onderdeel"] == label and r["Leeftijd"] == "2-4 jaar"]
            assert mine, (where, niveau)  # the row is there: both perspectives on niveau 3
            texts = {r["Aanbod (waargenomen)"] for r in mine}
            assert len(texts) == 1, (where, niveau, texts)  # the same support in both perspectives
            text = texts.pop()
            for r in mine:  # the gap follows from the support: hidden with it
                gap = r.get("Tekort") or r["Tekort (saldo over de wijken)"]
                assert (gap == HIDDEN) == (text == HIDDEN), (where, niveau, r)
            name = (niveau, where)
            if text == HIDDEN:
                attacker.figure(name, max(1 - own, 0), math.inf)
                hidden.add(name)
            else:
                low, high = _shown_range(text)
                attacker.figure(name, low - own, high - own)
                seen_shown += 1
    for row in kaart.itertuples(index=False):
        total = ("2+3", row.wijk_code)
        if row.hidden:
            attacker.figure(total, max(1 - 2 * PADDING, 0), math.inf)
        else:
            attacker.figure(total, row.children_count - 2 * PADDING, row.children_count - 2 * PADDING)
        attacker.line([(2, row.wijk_code), (3, row.wijk_code)], total)
    for niveau in SUPPORT_ROWS:
        attacker.line([(niveau, wijk) for wijk in wijken], (niveau, "gemeente"))
    assert seen_shown >= 8  # not simply everything hidden
    truth = {**{(niveau, wijk): count for (niveau, wijk), count in others.items()},
             **{(niveau, "gemeente"): sum(c for (n, _), c in others.items() if n == niveau)
                for niveau in SUPPORT_ROWS}}
    bounds = attacker.solved()
    assert small <= hidden, small - hidden
    assert not _too_narrow(bounds, truth, hidden)
    # and, as README's rule says it, every small count of the others still reaches from 1 (or 0)
    # to the threshold: a line that said '1 to 4' would tell a small count
    assert not {name: bounds[name] for name in small
                if bounds[name][0] > 1 or bounds[name][1] < min_count()}


def _support_without(db: Path, wijk_name: str) -> None:
    """The zorgaanbieder corrects its row 7 delivery for 2024: `wijk_name`'s rows left out."""
    book = openpyxl.load_workbook(ROOT / "sample_data" / "registrations" / "ondersteuningstrajecten.xlsx")
    sheet = book["Gegevens"]
    for row in range(sheet.max_row, 1, -1):
        if sheet.cell(row, 1).value == wijk_name:
            sheet.delete_rows(row)
    data = io.BytesIO()
    book.save(data)
    con = store.connect(db)
    try:
        result = jobs.import_registration(con, data.getvalue(), "ondersteuningstrajecten", "Zorggroep De Linde",
                                          "2024", "ondersteuning-correctie.xlsx")
    finally:
        con.close()
    assert result.status == "imported" and result.superseded


def _databronnen_support_row(analist) -> dict[str, str]:
    at = run_page("databronnen", account=analist)
    assert not at.exception, at.exception
    table = next(d.value for d in at.dataframe if "Wijken" in d.value.columns and "Rij" in d.value.columns)
    row = table[table["Rij"].astype(str) == "7"].iloc[0]
    return {str(k): str(v) for k, v in row.items()}


def _gemeente_support(con) -> dict[int, str]:
    return {niveau: next(r["Aanbod (waargenomen)"] for r in _report_rows(con, None)
                         if r["Onderdeel"] == label and r["Leeftijd"] == "2-4 jaar")
            for niveau, label in SUPPORT_ROWS.items()}


def test_databronnen_names_no_wijk_without_rows_whose_hidden_support_went_to_0(app_db, analist):
    # Databronnen's column Wijken names the wijken without rows in a delivery ("9 van 10; geen
    # rijen voor 1 wijk: Oude Haven (op de pagina's 0)"). Oude Haven's toddlers reached with
    # support (1 coaching, 3 niveau 3; hidden, and its wijk total too) left: the zorgaanbieder's
    # correction has no rows for it. Its cells stay hidden (hidden before, 0 now), but had the page
    # said that it is 0 now, every gemeente figure shown in both versions minus its new value gave
    # its old count: 3 on niveau 3 (the report's gemeente row: 90 -> 87).
    from test_privacy_versions import _cube

    con = duckdb.connect(str(app_db), read_only=True)
    try:
        before = _gemeente_support(con)
        truth = _support_truth(con)
    finally:
        con.close()
    assert truth[2, "WK999902"] == 1 and truth[3, "WK999902"] == 3
    kept = _databronnen_support_row(analist)
    _support_without(app_db, "Oude Haven")
    after_cube, _ = _cube(app_db, "ondersteuningstrajecten")
    wijk = after_cube.row_of["WK999902"]
    assert after_cube.counts[wijk, -1, -1] == 0 and after_cube.hidden[wijk, -1, -1]  # carried
    con = duckdb.connect(str(app_db), read_only=True)
    try:
        after = _gemeente_support(con)
    finally:
        con.close()
    # the gemeente's niveau 3 is shown in both versions (niveau 2 is hidden now: 31 -> 30 would
    # have told the 1): its change is Oude Haven's old count for whoever knows that only Oude
    # Haven changed, and that it is 0 now
    changed = {n: _number(before[n]) - _number(after[n]) for n in before
               if HIDDEN not in (before[n], after[n])}
    assert changed == {3: 3}, (before, after)
    row = _databronnen_support_row(analist)
    assert "Oude Haven" not in row["Wijken"] and "Oude Haven" not in row["Ontbreekt"], row
    assert row["Wijken"] == kept["Wijken"]  # not told apart from a version that kept its toddlers


JEUGDMONITOR_KEYS = {"0-4": "jeugdmonitor_0_4", "4-12": "jeugdmonitor_4_12", "tot 23": "jeugdmonitor_tot_23"}


def test_the_jeugdmonitor_on_the_kaart_is_what_cbs_published_and_nothing_derived(tmp_path, monkeypatch):
    # The Kaart's Jeugdmonitor indicators are CBS's own figures (85075NED/85685NED: rounded to
    # fives, small counts secret), shown as CBS publishes them, like p_jz_tn: no rate, no total,
    # no model input, nothing combined with partner figures. What an attacker could want is a
    # secret cell: Binnenstad's 0-4 year olds ('.'), which CBS's own figures bound (95 in total,
    # 40 of 4-12, 35 of 12-18, 15 of 18-23: 0 to 7 after rounding). The Kaart shows no figure
    # there (not 0 nor a difference of the other figures), and every other cell as CBS has it.
    from test_cbs_jeugdmonitor import COUNTS

    app_db_with_files(tmp_path, monkeypatch, write_kwb_xlsx(tmp_path / "kwb-2021.xlsx"),
                      write_jeugdmonitor(tmp_path))
    published = COUNTS["T001171"]
    ages = {"tot 23": 0, "0-4": 1, "4-12": 2}
    for age_group, key in JEUGDMONITOR_KEYS.items():
        at = run_page_as_analist("kaart", params={"indicator": key})
        assert not at.exception, at.exception
        assert at.selectbox(key="_indicator_choice").value == key
        table = next(m.value for m in at.markdown if "<table" in m.value and "per wijk (" in m.value)
        shown = {}
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S):
            cells = [unescape(re.sub(r"<[^>]+>", "", c)).strip()
                     for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]
            if len(cells) == 2 and cells[0] != "Wijk":
                shown[cells[0]] = cells[1]
        for code, name in (("WK019310", "Wijk 10 Binnenstad"), ("WK019311", "Wijk 11 Diezerpoort")):
            value = published[code][ages[age_group]]
            if value == ".":
                # no figure at all: not 0, not 95 - 40 - 35 - 15
                assert not re.search(r"\d", shown[name]), (age_group, name, shown[name])
            else:
                assert shown[name] == str(value), (age_group, name, shown)
        # no total for the gemeente that a secret wijk could be subtracted from
        assert str(published["GM0193"][ages[age_group]]) not in shown.values()
