"""The vve-indicaties per criterion on the Kaart (and so on Trends and the map slide), attacked as
the pages show them: each criterion's rate per 100 peuters times the peuters Overzicht shows is a
count, and must be the cell of the one protected vve table that Continuüm shows (hidden where it
is hidden); together with the gemeente rates, Continuüm's cells per age group (a criterion over
two age groups), a padding upload of another JGZ and a corrected upload, they pin no hidden count
(README "Privacy", "marges samen", "bijdragers", "Verschillen tussen versies"). Each test fails
when a part of the protection is taken away: secondary suppression on the Kaart or in the table,
the contributor rule, or the published pattern of the version before."""

from __future__ import annotations

import math
import re
import sys
from html import unescape
from pathlib import Path

import pytest
from conftest import add_account, run_page

from data_sources import accounts, jobs, store
from data_sources.accounts import Account
from data_sources.config import min_count
from transforms.rates import BASE_TOO_SMALL_LABEL

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "registrations"))
from support import filled_template  # noqa: E402
from test_privacy_exact import _feasible  # noqa: E402

# map indicator -> (signal kind, the criterion as the template and the wijk profile name it)
CRITERIA = {
    "vve_taal_spraak_per_100": ("vve_taal_spraak", "taal/spraak"),
    "vve_sociaal_emotioneel_per_100": ("vve_sociaal_emotioneel", "sociaal-emotioneel"),
    "vve_ses_per_100": ("vve_ses", "SES"),
}
HIDDEN = "afgeschermd"
JGZ = "GGD Voorbeeldregio (JGZ)"  # the sample's vve comes from this JGZ alone
PADDING = 10


def _rows_of(at, caption: str) -> list[list[str]]:
    """The body rows of the page's HTML table whose text holds `caption`, as texts."""
    table = next(m.value for m in at.markdown if "<table" in m.value and caption in m.value)
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S):
        cells = [unescape(re.sub(r"<[^>]+>", "", cell)).strip()
                 for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]
        if cells:
            rows.append(cells)
    return rows


def _number(text: str) -> float:
    return float(text.replace(".", "").replace(",", "."))


def _peuters(account) -> tuple[dict[str, int], int]:
    """Overzicht's 2-4 year olds per wijk (by name) and of the gemeente, as `account` reads them."""
    at = run_page("overzicht", account=account)
    assert not at.exception, at.exception
    rows = _rows_of(at, "Kinderen per wijk")
    header = next(r for r in rows if "2-4 jaar" in r)
    column = header.index("2-4 jaar")
    per_wijk = {r[1]: int(_number(r[column])) for r in rows if r[0].startswith("WK")}
    total = next(r for r in rows if r is not header and "Totaal" in r)
    assert len(total) == len(header), (header, total)
    gemeente = int(_number(total[column]))
    return per_wijk, gemeente


def _kaart(account, key: str) -> dict[str, str]:
    """The Kaart's figure per wijk of indicator `key` (its table as text), as `account` reads it."""
    at = run_page("kaart", account=account, params={"indicator": key})
    assert not at.exception, at.exception
    assert at.selectbox(key="_indicator_choice").value == key
    return {r[0]: r[1] for r in _rows_of(at, "per wijk (") if len(r) == 2 and r[0] != "Wijk"}


def _gemeente_rates(account) -> dict[str, float | None]:
    """The wijk profile's gemeente rate per criterion (None where hidden), as `account` reads it."""
    at = run_page("kaart", account=account)
    at.selectbox(key="_profiel_wijk_choice").set_value("WK999901").run()
    assert not at.exception, at.exception
    rates = {}
    for line in (line for m in at.markdown for line in m.value.splitlines() if line.startswith("- vve")):
        for _, criterion in CRITERIA.values():
            if re.match(rf"- vve-indicatie: {re.escape(criterion)}\b", line):
                shown = line.rsplit("; gemeente ", 1)[1]
                rates[criterion] = None if shown == HIDDEN else _number(shown.removesuffix(" per 100"))
    assert len(rates) == len(CRITERIA), rates
    return rates


def _counts_of(rate: float, children: int) -> list[int]:
    """The counts a rate shown with one decimal can stand for over `children` children."""
    low, high = (rate - 0.05) * children / 100, (rate + 0.05) * children / 100
    return list(range(math.ceil(low - 1e-9), math.floor(high + 1e-9) + 1))


def _truth(db: Path, organisation: str | None = None) -> dict[tuple[str, str], int]:
    """The children per (criterion kind, wijk name) of the vve uploads in force (of one
    organisation, or of all)."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        names = dict(con.execute("select distinct wijk_code, wijk_name from signals_by_wijk"
                                 " where gemeente_code = 'GM9999'").fetchall())
        found = con.execute(
            "select signal_kind, wijk_code, sum(children_count) from int_signals__partner_counts"
            " where gemeente_code = 'GM9999' and year = 2024 and signal_type = 'vve_indicaties'"
            + ("" if organisation is None else " and organisation = ?") + " group by all",
            [] if organisation is None else [organisation]).fetchall()
    finally:
        con.close()
    return {(kind, names[wijk]): int(n) for kind, wijk, n in found}


class Attacker:
    """What an attacker writes down: figures (whole numbers within an interval) and lines between
    them (cells adding up to a total; one cell and a total: the same figure twice), solved
    exactly by its own search over whole numbers (tests/test_privacy_exact.py: no interval
    shortcut, so that a sum two lines tell together, such as the hidden cells of a kind in two
    versions, is seen)."""

    def __init__(self) -> None:
        self.low: list[float] = []
        self.high: list[float] = []
        self.names: dict[tuple, int] = {}
        self.lines: list[tuple[list[int], int]] = []

    def figure(self, name: tuple, low: float, high: float) -> None:
        if name in self.names:
            index = self.names[name]
            self.low[index], self.high[index] = max(self.low[index], low), min(self.high[index], high)
        else:
            self.names[name] = len(self.low)
            self.low.append(low)
            self.high.append(high)

    def line(self, cells: list[tuple], total: tuple) -> None:
        self.lines.append(([self.names[c] for c in cells], self.names[total]))

    def solved(self) -> dict[tuple, tuple[int, int]]:
        # a ceiling far above every count (an unbounded figure is at most this): it only leaves
        # tables out, so the bounds found are never wider than the attacker's
        ceiling = int(10 * max(h for h in self.high if h != math.inf)) + 100
        low = [int(v) for v in self.low]
        high = [ceiling if h == math.inf else int(h) for h in self.high]
        assert _feasible(low, high, self.lines)  # what was read holds together

        def fits(i: int, lo: int, hi: int) -> bool:
            bounded_low, bounded_high = list(low), list(high)
            bounded_low[i], bounded_high[i] = lo, hi
            return _feasible(bounded_low, bounded_high, self.lines)

        found = {}
        for name, i in self.names.items():
            lo, hi = low[i], high[i]
            while lo < hi:  # the least value
                middle = (lo + hi) // 2
                lo, hi = (lo, middle) if fits(i, low[i], middle) else (middle + 1, hi)
            least = lo
            lo, hi = least, high[i]
            while lo < hi:  # the greatest value
                middle = (lo + hi + 1) // 2
                lo, hi = (middle, hi) if fits(i, middle, high[i]) else (lo, middle - 1)
            found[name] = (least, lo)
        return found


def _too_narrow(bounds: dict[tuple, tuple[float, float]], truth: dict[tuple, int],
                hidden: set[tuple]) -> list[str]:
    """The hidden figures whose bounds say more than 'hidden': a small count (1 to the threshold
    minus 1) not inside bounds that hold 1 up to the threshold minus 1, or any figure pinned."""
    threshold = min_count()
    found = []
    for name in sorted(hidden):
        low, high = bounds[name]
        count = truth[name]
        if low == high or (0 < count < threshold and (low > 1 or high < threshold - 1)):
            found.append(f"{name}: {low:.1f}..{high:.1f} (echt {count})")
    return found


def _read_as(account, attacker: Attacker, version: str, own: dict | None = None
             ) -> tuple[set[tuple], dict[tuple, int]]:
    """Read Overzicht, the Kaart of each criterion and the wijk profile's gemeente rates as
    `account`, and write down what they say of every criterion's cells of the others (the cell
    minus `own`, the attacker's own children per (kind, wijk), known to it), per `version`.
    Returns the hidden cells' names and the Kaart's shown counts per name."""
    own = own or {}
    peuters, gemeente_peuters = _peuters(account)
    rates = _gemeente_rates(account)
    hidden, shown = set(), {}
    for key, (kind, criterion) in CRITERIA.items():
        figures = _kaart(account, key)
        assert set(figures) == set(peuters), (figures, peuters)
        cells = []
        for wijk, text in figures.items():
            name = (version, kind, wijk)
            mine = own.get((kind, wijk), 0)
            cells.append(name)
            if text == BASE_TOO_SMALL_LABEL:  # says nothing of the count, not even that it is 1 or more
                attacker.figure(name, 0, math.inf)
                hidden.add(name)
            elif text == HIDDEN:
                # 0 is shown: a hidden cell holds at least 1 child, or the attacker's own
                attacker.figure(name, max(1 - mine, 0), math.inf)
                hidden.add(name)
            else:
                counts = _counts_of(_number(text), peuters[wijk])
                assert counts, (key, wijk, text)
                attacker.figure(name, counts[0] - mine, counts[-1] - mine)
                if len(counts) == 1:
                    shown[name] = counts[0]
        total = (version, kind, "gemeente")
        own_total = sum(v for (k, _), v in own.items() if k == kind)
        rate = rates[criterion]
        if rate is None:
            attacker.figure(total, 0, math.inf)
        else:
            counts = _counts_of(rate, gemeente_peuters)
            attacker.figure(total, counts[0] - own_total, counts[-1] - own_total)
        attacker.line(cells, total)
    return hidden, shown


def _continuum_cells(analist) -> dict[tuple[str, str], str]:
    """Continuüm's vve cells per (kind, wijk name), as its signal tables show them (none where
    the page shows no signal tables: where the model uses no signal at all)."""
    at = run_page("continuum", account=analist)
    assert not at.exception, at.exception
    titles = [m.value for m in at.markdown if re.match(r"\*\*.+\*\* \(.+\); gemeente: ", m.value)]
    frames = [d.value for d in at.dataframe if any(str(c).startswith("Per 100") for c in d.value.columns)]
    assert len(titles) == len(frames)
    cells = {}
    for title, frame in zip(titles, frames, strict=True):
        for kind, criterion in CRITERIA.values():
            if title.lower().startswith(f"**vve-indicatie: {criterion.lower()}"):
                count = next(c for c in frame.columns if c not in ("Wijk",) and not str(c).startswith("Per 100"))
                cells |= {(kind, wijk): str(text) for wijk, text in zip(frame["Wijk"], frame[count], strict=True)}
    assert len(cells) in (0, 3 * 10), cells
    return cells


def _write_down_continuum(attacker: Attacker, version: str, cells: dict[tuple[str, str], str],
                          own: dict | None = None) -> None:
    """What Continuüm shows of the cells (minus the attacker's own), the attacker knows."""
    own = own or {}
    for (kind, wijk), text in cells.items():
        if text != HIDDEN:
            count = int(_number(text)) - own.get((kind, wijk), 0)
            attacker.figure((version, kind, wijk), count, count)


def test_each_criterion_on_the_kaart_is_the_cell_continuum_shows_and_pins_nothing(app_db, analist):
    """Rate times peuters is Continuüm's count where both show it, hidden where Continuüm hides it;
    and the three criteria on the Kaart, the peuters, Continuüm's cells and the gemeente rates
    together pin no hidden cell (the gemeente counts taken as known, the worst case)."""
    attacker = Attacker()
    hidden, shown = _read_as(analist, attacker, "kaart")
    continuum = _continuum_cells(analist)
    assert continuum
    truth = {("kaart", *key): count for key, count in _truth(app_db).items()}
    for (_, kind, wijk), count in shown.items():
        assert continuum[kind, wijk] == str(count), (kind, wijk, count)
    for _, kind, wijk in hidden:
        # a hidden count, or a rate over too few peuters (its count stands on Continuüm)
        assert continuum[kind, wijk] == HIDDEN or truth["kaart", kind, wijk] == int(continuum[kind, wijk])
    for (kind, wijk), text in continuum.items():
        if text == HIDDEN:
            assert ("kaart", kind, wijk) in hidden, (kind, wijk)
    _write_down_continuum(attacker, "kaart", continuum)
    for kind, _ in CRITERIA.values():  # worst case: the gemeente counts known exactly
        total = sum(n for (_, k, _), n in truth.items() if k == kind)
        attacker.figure(("kaart", kind, "gemeente"), total, total)
    hidden = {name for name in hidden if continuum[name[1:]] == HIDDEN}
    assert len(hidden) >= 10, "the sample hides vve cells to attack"
    assert not _too_narrow(attacker.solved(), truth, hidden)


WIJKEN = ["Centrum", "Oude Haven", "Molenwijk", "Nieuwland", "De Horst", "Kerkebuurt",
          "Buitengebied", "Vlietzoom", "Bloemhof", "Zuiderpark"]
SAMPLE_VVE = Path(__file__).resolve().parent.parent / "sample_data" / "registrations" / "vve-indicaties.xlsx"


def _pad(db: Path, organisations: list[str]) -> dict[tuple[str, str], int]:
    """Each of `organisations` delivers PADDING children per wijk and criterion (2-4) for 2024."""
    rows = [[wijk, "2-4", criterion, PADDING] for wijk in WIJKEN for _, criterion in CRITERIA.values()]
    con = store.connect(db)
    try:
        for organisation in organisations:
            result = jobs.import_registration(con, filled_template("vve-indicaties", rows),
                                              "vve-indicaties", organisation, "2024", "opvulling.xlsx")
            assert result.status == "imported", result
    finally:
        con.close()
    return {(kind, wijk): PADDING * len(organisations) for wijk in WIJKEN for kind, _ in CRITERIA.values()}


def _sample_without_vve(folder: Path) -> Path:
    """The sample gemeente loaded without its vve-indicaties (nothing of them ever published)."""
    import shutil

    sample = folder / "sample_data"
    shutil.copytree(SAMPLE_VVE.parent.parent, sample)
    (sample / "registrations" / "vve-indicaties.xlsx").unlink()
    path = folder / "kindkaart.duckdb"
    con = store.connect(path)
    try:
        jobs.load_sample(con, sample)
    finally:
        con.close()
    return path


@pytest.mark.parametrize("padders", [["JGZ Opvulling"], ["Kinderopvang Zonnestraal", "Zorggroep De Linde"]],
                         ids=["a partner", "a beheerder as two organisations"])
@pytest.mark.parametrize("first", [False, True], ids=["after the JGZ", "before the JGZ"])
def test_a_padding_upload_learns_no_small_count_from_the_criteria(tmp_path, monkeypatch, padders,
                                                                  first):
    """Another JGZ (or a beheerder delivering as two organisations) puts 10 peuters in every wijk
    and criterion, reads each criterion's rate on the Kaart, the peuters on Overzicht and the
    gemeente rates in the wijk profile, and subtracts its own: no small count of the JGZ comes
    out, alone or through a gemeente rate minus the wijken shown. Padded before the JGZ delivers
    (no pattern of the JGZ's cells published yet to keep them hidden), only the contributor rule
    stands between the padding and the JGZ's small counts."""
    from conftest import app_copy

    from data_sources.registrations.sample import import_sample_workbooks

    db = app_copy(_sample_without_vve(tmp_path / "bouw"), tmp_path, monkeypatch)
    jgz = tmp_path / "jgz"
    jgz.mkdir()
    (jgz / "vve-indicaties.xlsx").write_bytes(SAMPLE_VVE.read_bytes())

    def deliver_jgz() -> None:
        import transforms

        con = store.connect(db)
        try:
            with store.transaction(con):
                import_sample_workbooks(con, jgz)
                transforms.build(con)
        finally:
            con.close()

    if not first:
        deliver_jgz()
    own = _pad(db, padders)
    if first:
        deliver_jgz()
    if len(padders) == 1:
        add_account(db, "opvulling", "partner", padders[0])
        account = Account("opvulling", "partner", padders[0])
        con = store.connect(db)
        try:
            accounts.set_released(con, "GM9999", "vve_per_100", "partner", True, "beheer")
        finally:
            con.close()
    else:
        add_account(db, "beheer", "beheerder")
        account = Account("beheer", "beheerder", None)
    attacker = Attacker()
    hidden, shown = _read_as(account, attacker, "opvulling", own)
    if account.role == "beheerder":  # Continuüm too
        cells = _continuum_cells(account)
        _write_down_continuum(attacker, "opvulling", cells, own)
        hidden = {name for name in hidden if cells.get(name[1:], HIDDEN) == HIDDEN}
    truth = {("opvulling", *key): count for key, count in _truth(db, JGZ).items()}
    threshold = min_count()
    assert any(0 < n < threshold for n in truth.values()), "the JGZ has small counts to attack"
    # a shown cell minus the padding is none or at least the threshold
    for name, count in shown.items():
        rest = count - own[name[1:]]
        assert rest == 0 or rest >= threshold, (name, rest)
    for kind, _ in CRITERIA.values():  # worst case: the JGZ's gemeente counts known
        total = sum(n for (_, k, _), n in truth.items() if k == kind)
        attacker.figure(("opvulling", kind, "gemeente"), total, total)
    small_hidden = {name for name in hidden if 0 < truth.get(name, 0) < threshold}
    assert not _too_narrow(attacker.solved(), truth, small_hidden)


def _correct(db: Path, wijk: str, criterion: str, count: int) -> None:
    """The JGZ uploads its vve again with one cell corrected (the new upload supersedes the old)."""
    import openpyxl

    book = openpyxl.load_workbook(SAMPLE_VVE)
    sheet = book["Gegevens"]
    rows = [r for r in range(2, sheet.max_row + 1)
            if (sheet.cell(r, 1).value, sheet.cell(r, 3).value) == (wijk, criterion)]
    assert len(rows) == 1
    sheet.cell(rows[0], 4).value = count
    import io

    data = io.BytesIO()
    book.save(data)
    con = store.connect(db)
    try:
        result = jobs.import_registration(con, data.getvalue(), "vve-indicaties", JGZ, "2024",
                                          "vve-correctie.xlsx")
    finally:
        con.close()
    assert result.status == "imported" and result.superseded


@pytest.mark.parametrize(("wijk", "criterion", "count"), [
    ("Oude Haven", "taal/spraak", 0),  # a hidden 3 corrected to 0
    ("Oude Haven", "sociaal-emotioneel", 9),  # a hidden 1 corrected above the threshold
])
def test_a_corrected_upload_read_before_and_after_pins_no_other_cell(app_db, analist, wijk,
                                                                     criterion, count):
    """An analist reads the three criteria (Kaart, Overzicht, wijk profile) before and after the
    JGZ corrects one hidden cell, and assumes every other cell stayed: the two versions together
    narrow no other hidden cell, and give the corrected cell's old count not back."""
    from ui.data import clear_caches

    kind = next(k for k, c in CRITERIA.values() if c == criterion)
    attacker = Attacker()
    before_hidden, _ = _read_as(analist, attacker, "voor")
    cells = _continuum_cells(analist)
    _write_down_continuum(attacker, "voor", cells)
    before_hidden = {name for name in before_hidden if cells[name[1:]] == HIDDEN}
    truth = {("voor", *key): n for key, n in _truth(app_db).items()}
    assert ("voor", kind, wijk) in before_hidden and 0 < truth["voor", kind, wijk] < min_count()
    _correct(app_db, wijk, criterion, count)
    clear_caches()
    after_hidden, _ = _read_as(analist, attacker, "na")
    cells = _continuum_cells(analist)
    _write_down_continuum(attacker, "na", cells)
    after_hidden = {name for name in after_hidden if cells[name[1:]] == HIDDEN}
    truth |= {("na", *key): n for key, n in _truth(app_db).items()}
    assert truth["na", kind, wijk] == count
    for kind_, _ in CRITERIA.values():
        for version in ("voor", "na"):  # worst case: every gemeente count known
            total = sum(n for (v, k, _), n in truth.items() if v == version and k == kind_)
            attacker.figure((version, kind_, "gemeente"), total, total)
    # every other cell the same in both versions
    for (version, other_kind, other_wijk) in list(attacker.names):
        if version == "voor" and other_wijk != "gemeente" and (other_kind, other_wijk) != (kind, wijk):
            attacker.line([(version, other_kind, other_wijk)], ("na", other_kind, other_wijk))
    bounds = attacker.solved()
    others = {name for name in before_hidden | after_hidden if name[1:] != (kind, wijk)}
    assert not _too_narrow(bounds, truth, others)
    low, high = bounds["voor", kind, wijk]
    assert high > low, f"de oude telling {truth['voor', kind, wijk]} vastgezet: {low}..{high}"


# Small vve-indicaties taal/spraak of 0-2 year olds beside the sample's 2-4 (the template allows
# both): the Kaart's figure of a wijk is then its total over the two age groups, Continuüm shows
# each age group
TODDLER_ROWS = {"Centrum": 2, "Molenwijk": 6, "Nieuwland": 3, "De Horst": 1, "Bloemhof": 7,
                "Zuiderpark": 9}


def _children(account) -> dict[str, dict[str, int]]:
    """Overzicht's children per wijk name (and 'Totaal') and age group ('0-2', '2-4')."""
    at = run_page("overzicht", account=account)
    assert not at.exception, at.exception
    rows = _rows_of(at, "Kinderen per wijk")
    header = next(r for r in rows if "2-4 jaar" in r)
    columns = {age: header.index(f"{age} jaar") for age in ("0-2", "2-4")}
    found = {r[1]: {age: int(_number(r[c])) for age, c in columns.items()}
             for r in rows if r[0].startswith("WK")}
    total = next(r for r in rows if r is not header and "Totaal" in r)
    found["Totaal"] = {age: int(_number(total[c])) for age, c in columns.items()}
    return found


def _continuum_by_age(analist, kind: str) -> dict[str, tuple[dict[str, str], str]]:
    """Continuüm's tables of one vve criterion per age group: {age: ({wijk: count text}, the
    gemeente rate text)}."""
    criterion = next(c for k, c in CRITERIA.values() if k == kind)
    at = run_page("continuum", account=analist)
    assert not at.exception, at.exception
    titles = [m.value for m in at.markdown if re.match(r"\*\*.+\*\* \(.+\); gemeente: ", m.value)]
    frames = [d.value for d in at.dataframe if any(str(c).startswith("Per 100") for c in d.value.columns)]
    assert len(titles) == len(frames)
    found = {}
    for title, frame in zip(titles, frames, strict=True):
        if title.lower().startswith(f"**vve-indicatie: {criterion.lower()}**"):
            age = next(a for a in ("0-2", "2-4") if f"({a} jaar)" in title)
            count = next(c for c in frame.columns if c != "Wijk" and not str(c).startswith("Per 100"))
            found[age] = ({wijk: str(text) for wijk, text in zip(frame["Wijk"], frame[count], strict=True)},
                          title.rsplit("gemeente: ", 1)[1])
    return found


def test_a_criterion_over_two_age_groups_gives_no_age_cell_away(tmp_path, monkeypatch):
    """Cross-page margins: the Kaart's figure of a criterion per wijk (its total over the age
    groups, per 100 children of those age groups) beside Continuüm's cells per age group and its
    gemeente rates per age group: solved together (the gemeente counts as known, the worst case),
    they pin no hidden cell of either age group."""
    import io

    import openpyxl
    from conftest import app_copy

    db = app_copy(_sample_without_vve(tmp_path / "bouw"), tmp_path, monkeypatch)
    book = openpyxl.load_workbook(SAMPLE_VVE)
    sheet = book["Gegevens"]
    for wijk, count in TODDLER_ROWS.items():
        sheet.append([wijk, "0-2", "taal/spraak", count])
    data = io.BytesIO()
    book.save(data)
    con = store.connect(db)
    try:
        assert jobs.import_registration(con, data.getvalue(), "vve-indicaties", JGZ, "2024",
                                        "vve-indicaties.xlsx").status == "imported"
    finally:
        con.close()
    add_account(db, "analist", "analist")
    analist = Account("analist", "analist", None)
    kind = "vve_taal_spraak"
    children = _children(analist)
    tables = _continuum_by_age(analist, kind)
    assert set(tables) == {"0-2", "2-4"}, tables
    kaart = _kaart(analist, "vve_taal_spraak_per_100")
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        names = dict(con.execute("select distinct wijk_code, wijk_name from signals_by_wijk").fetchall())
        truth = {(age, names[wijk]): int(n) for age, wijk, n in con.execute(
            "select age_group, wijk_code, sum(children_count) from int_signals__partner_counts"
            " where year = 2024 and signal_kind = ? group by all", [kind]).fetchall()}
    finally:
        con.close()
    attacker, hidden = Attacker(), set()
    wijken = [w for w in children if w != "Totaal"]
    for age, (cells, _) in tables.items():
        for wijk in wijken:
            text = cells.get(wijk, "0")  # a wijk without a row of that age group: none
            if text == HIDDEN:
                attacker.figure((age, wijk), 1, math.inf)
                hidden.add((age, wijk))
            else:
                attacker.figure((age, wijk), int(_number(text)), int(_number(text)))
        total = sum(n for (a, _), n in truth.items() if a == age)
        attacker.figure((age, "gemeente"), total, total)
        attacker.line([(age, wijk) for wijk in wijken], (age, "gemeente"))
    shown_margins = 0
    for wijk in wijken:
        text = kaart[wijk]
        if text in (HIDDEN, BASE_TOO_SMALL_LABEL):
            attacker.figure(("alle", wijk), 0, math.inf)
        else:
            # the children of the age groups the criterion's rows cover in the wijk
            covered = sum(children[wijk][age] for age, (cells, _) in tables.items() if wijk in cells)
            counts = _counts_of(_number(text), covered)
            assert counts, (wijk, text, covered)
            attacker.figure(("alle", wijk), counts[0], counts[-1])
            shown_margins += 1
        attacker.line([("0-2", wijk), ("2-4", wijk)], ("alle", wijk))
    assert shown_margins >= 4 and len(hidden) >= 4, (kaart, hidden)
    assert any(0 < truth.get(name, 0) < min_count() for name in hidden)
    assert not _too_narrow(attacker.solved(), {n: truth.get(n, 0) for n in attacker.names}, hidden)
