"""The thirtieth privacy review, as an attacker (README "Privacy"): routes the earlier reviews
left open or did not take. Each test is an attack; one that recovers nothing says so and shows
that the same attack does recover something where the protection it relies on is left out."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from conftest import add_account, app_copy, run_page
from test_privacy_hidden_cells import ANALIST, LEA, PARTNER
from test_privacy_versions import _lines, _others_bounds, _with_margins

from data_sources.config import min_count
from transforms.privacy import bounds_from_equations, protect_cube, unsafe_bounds


def _cube(parts, previous=None) -> SimpleNamespace:
    counts, hidden = protect_cube(np.stack(parts), previous=previous)
    return SimpleNamespace(counts=counts, hidden=hidden)


def _bystander_narrowed(rng, shape: tuple[int, ...], corrections: int, beside_before: bool) -> list[str]:
    """Three organisations deliver a table (A, B and C). A corrects `corrections` cells of its
    own share; B, who did not, knows its own share in both versions and (generously) which cells A
    corrected. The hidden cells of the others' part (A + C) whose bounds over both versions
    together are unsafe while neither version alone makes them so, apart from the cells that hold
    a corrected one (their change follows from the totals). `beside_before`: the second version
    is protected beside the first, as the build does; without it the attack must find cells."""
    a = rng.choice([0.0, 1, 2, 3, 6, 9, 12], size=shape)
    b = rng.choice([0.0, 0, 1, 2, 4, 8, 11], size=shape)
    c = rng.choice([0.0, 0, 0, 1, 2, 3, 7], size=shape)
    first = _cube([a, b, c])
    corrected = np.zeros(shape, dtype=bool)
    corrected.reshape(-1)[rng.choice(a.size, size=corrections, replace=False)] = True
    a2 = np.where(corrected, rng.choice([0.0, 1, 4, 10], size=shape), a)
    second = _cube([a2, b, c], (first.counts, first.hidden) if beside_before else None)
    if beside_before:
        assert not (first.hidden & ~second.hidden).any()
    own = _with_margins(b)
    changed = _with_margins(corrected.astype(float)) > 0
    low, high, equations, n, full = _others_bounds([first, second], own)
    per_version = len(_lines(full))
    # the others' part of every figure that holds no corrected cell is one unknown in both
    for flat in np.flatnonzero(~changed.reshape(-1)):
        equations.append((np.array([flat, flat + n]), np.array([1.0, -1.0])))
    together = bounds_from_equations(np.concatenate(low), np.concatenate(high), equations)
    found = []
    for v, cube in enumerate((first, second)):
        lines = [(line - v * n, signs) for line, signs in equations[v * per_version:(v + 1) * per_version]]
        alone = bounds_from_equations(low[v], high[v], lines)
        others = cube.counts - own
        both_low, both_high = (bound[v * n:(v + 1) * n].reshape(full) for bound in together)
        narrowed = (unsafe_bounds(others, cube.hidden, both_low, both_high, min_count())
                    & ~unsafe_bounds(others, cube.hidden, alone[0].reshape(full), alone[1].reshape(full),
                                     min_count())
                    & ~changed)
        found += [f"versie {v + 1}, cel {cell}: {both_low[cell]:.0f}..{both_high[cell]:.0f} "
                  f"(anderen echt {others[cell]:.0f})" for cell in zip(*np.nonzero(narrowed), strict=True)]
    return found


def test_a_bystander_who_knows_its_own_unchanged_share_learns_nothing_from_a_correction():
    # README "Verschillen tussen versies" left this open: an organisation that did not correct
    # (its share the same in both versions) lays the version before and after another's
    # correction side by side. Random tables of three organisations, wijk x age and wijk x kind x
    # age, one or two cells corrected: nothing narrows beyond what either version alone says.
    rng = np.random.default_rng(30)
    found = []
    for shape, trials in (((3, 3), 120), ((4, 3), 60), ((3, 3, 2), 30)):
        for corrections in (1, 2):
            for _ in range(trials):
                found += _bystander_narrowed(rng, shape, corrections, beside_before=True)
    assert not found, found[:5]


def test_the_bystander_attack_narrows_cells_of_a_version_protected_on_its_own():
    # The attack above can fail: the second version protected afresh (not beside the first) lets
    # the bystander narrow hidden cells of the others
    rng = np.random.default_rng(30)
    found = []
    for _ in range(120):
        found += _bystander_narrowed(rng, (3, 3), 1, beside_before=False)
    assert found


# Two small wijken whose every BRP cell and total is small (a business park, a hamlet): 1 | 1 | 1
# and 2 | 1 | 1 children of 0-2, 2-4 and 4-12 in one database, the 0-2 year olds the other way
# round in the other. Every cell shown and every age total is the same in both; what differs is
# only inside hidden cells and hidden wijk totals (3 against 4 children), a margin that earlier
# comparisons kept the same.
TINY_WIJKEN = ("WK999907", "WK999906")  # Buitengebied, Kerkebuurt


def _tiny(first_0_2: dict[str, int]) -> dict[tuple[str, int], int]:
    children = {}
    for wijk in TINY_WIJKEN:
        children.update({(wijk, age): 0 for age in range(13)})
        children.update({(wijk, 0): first_0_2[wijk], (wijk, 2): 1, (wijk, 4): 1})
    return children


@pytest.fixture(scope="module")
def tiny_dbs(sample_db, tmp_path_factory):
    from test_privacy_hidden_cells import _with_brp

    folder = tmp_path_factory.mktemp("tiny")
    return (_with_brp(sample_db, folder / "one", _tiny({"WK999907": 1, "WK999906": 2})),
            _with_brp(sample_db, folder / "two", _tiny({"WK999907": 2, "WK999906": 1})))


def test_the_tiny_wijken_differ_only_inside_hidden_figures(tiny_dbs):
    from test_brp_privacy import shown_table

    one, two = (shown_table(db) for db in tiny_dbs)
    assert np.array_equal(one.hidden, two.hidden)
    assert np.array_equal(np.nan_to_num(one.values, nan=-1), np.nan_to_num(two.values, nan=-1))
    rows = [one.wijk_codes.index(code) for code in TINY_WIJKEN]
    assert one.hidden[rows].all()  # every cell and the wijk total of both


@pytest.mark.parametrize("account", [ANALIST, PARTNER, LEA], ids=["analist", "partner", "lea"])
def test_no_role_is_sent_anything_of_what_hidden_wijk_totals_of_the_brp_hold(account, tiny_dbs, tmp_path,
                                                                            monkeypatch):
    from test_privacy_hidden_cells import _differences, _indicators, _views
    from test_privacy_sent import _capture_downloads, _release_all_to

    downloads = _capture_downloads(monkeypatch)
    sent = {}
    for name, db in zip(("one", "two"), tiny_dbs, strict=True):
        (tmp_path / name).mkdir()
        path = app_copy(db, tmp_path / name, monkeypatch)
        add_account(path, account.login, account.role, account.organisation)
        if account.role != "analist":
            _release_all_to(path, account.role, True)
        sent[name] = _views(account, downloads, _indicators(population=True))
    differing = _differences(sent["one"], sent["two"])
    assert not differing, differing


def test_no_export_tells_what_hidden_wijk_totals_of_the_brp_hold(tiny_dbs, tmp_path):
    from test_privacy_hidden_cells import _exports

    first, second = (_exports(db, tmp_path / name) for name, db in zip(("one", "two"), tiny_dbs, strict=True))
    differing = {name: sorted(set(first[name].splitlines()) ^ set(second[name].splitlines()))[:4]
                 for name in first if first[name] != second[name]}
    assert not differing, differing


# Buitengebied's jeugdhulp in the sample: 3 ambulant, 1 dagbehandeling, 1 jeugdbescherming and 1
# pleegzorg child of 4-12, every cell and its wijk total hidden
BUITENGEBIED = "WK999907"


def _jeugdhulp_without(db, wijk: str, zero: bool) -> None:
    """The gemeente corrects its jeugdhulp 2024: `wijk`'s rows left out (those children moved
    away), or kept with 0 children (`zero`)."""
    import io

    import openpyxl
    from test_privacy_versions import ROOT

    from data_sources import jobs, store

    book = openpyxl.load_workbook(ROOT / "sample_data" / "registrations" / "jeugdhulp.xlsx")
    sheet = book["Gegevens"]
    for row in range(sheet.max_row, 1, -1):
        if sheet.cell(row, 1).value == wijk:
            if zero:
                sheet.cell(row, 5).value = 0
            else:
                sheet.delete_rows(row)
    data = io.BytesIO()
    book.save(data)
    con = store.connect(db)
    try:
        result = jobs.import_registration(con, data.getvalue(), "jeugdhulp", "Gemeente Voorbeeldstad",
                                          "2024", "jeugdhulp-correctie.xlsx")
    finally:
        con.close()
    assert result.status == "imported" and result.superseded


def _jeugdhulp_status(db) -> dict[str, str]:
    """The row of jeugdhulp in the delivery status as the werkboek, the report, Databronnen and
    the slide 'Aanlevering van gegevens' give it to the analist."""
    import duckdb

    from outputs import exports

    con = duckdb.connect(str(db), read_only=True)
    try:
        frame = exports.delivery_status(con, "GM9999", 2024)
    finally:
        con.close()
    return {str(k): str(v) for k, v in frame[frame["Soort"] == "jeugdhulp"].iloc[0].items()}


def test_the_delivery_status_names_no_wijk_empty_whose_hidden_counts_went_to_0(app_db):
    # The gemeente corrected its jeugdhulp: Buitengebied's children (3, 1, 1 and 1, all hidden)
    # moved away. Its cells stay hidden in the new version (hidden before, 0 now: carried, so
    # that the old totals minus the new do not give their old counts back; README "Verschillen
    # tussen versies"). But the delivery status (werkboek 'Aanlevering', report, Databronnen, the
    # slide 'Aanlevering van gegevens') said "geen rijen voor 1 wijk: Buitengebied": it is 0 now,
    # and each total shown in both versions minus its new value gave Buitengebied's old count:
    # 3 ambulant, 1 dagbehandeling, 1 jeugdbescherming children, 6 in all, exactly.
    from test_privacy_versions import _cube

    before, _ = _cube(app_db)
    wijk = before.row_of[BUITENGEBIED]
    assert before.counts[wijk, -1, -1] == 6 and before.hidden[wijk, -1, -1]
    _jeugdhulp_without(app_db, BUITENGEBIED, zero=False)
    after, _ = _cube(app_db)
    assert after.counts[wijk, -1, -1] == 0 and after.hidden[wijk, -1, -1]  # carried
    status = _jeugdhulp_status(app_db)
    empty_now = "Buitengebied" in status["Ontbreekt"] or "Buitengebied" in status["Wijken"]
    recovered = {}
    if empty_now:
        # only Buitengebied changed (the attacker's assumption, as in test_privacy_versions):
        # every gemeente figure shown in both versions changed by its old count
        gemeente = before.counts.shape[0] - 1
        for index in np.ndindex(*before.counts.shape[1:]):
            if not before.hidden[(gemeente, *index)] and not after.hidden[(gemeente, *index)]:
                old = before.counts[(gemeente, *index)] - after.counts[(gemeente, *index)]
                if before.hidden[(wijk, *index)] and before.counts[(wijk, *index)] > 0:
                    assert old == before.counts[(wijk, *index)]
                    recovered[index] = old
    assert not recovered, (status, recovered)
    # and it is not told apart from a version in which Buitengebied kept its children
    assert "Buitengebied" not in status["Ontbreekt"] and "Buitengebied" not in status["Wijken"]


def test_the_delivery_status_counts_no_wijk_as_0_whose_hidden_counts_went_to_0(app_db):
    # The same correction with Buitengebied's rows kept at 0 children: the status said "(1 met 0
    # gemeld)", and only Buitengebied's total was hidden among the wijken with rows
    from test_privacy_versions import _cube

    kept = _jeugdhulp_status(app_db)
    _jeugdhulp_without(app_db, BUITENGEBIED, zero=True)
    after, _ = _cube(app_db)
    assert after.hidden[after.row_of[BUITENGEBIED], -1, -1]
    assert _jeugdhulp_status(app_db)["Wijken"] == kept["Wijken"]


def _so_without_need(db, left_out: str | None = None) -> None:
    """The samenwerkingsverband delivers the sample's speciaal-onderwijs rows without the column
    'aantal met bso-behoefte' filled in (it is optional), and without the enrolled 4-12 pupils of
    `left_out` (they left the school)."""
    import io

    import openpyxl
    from test_privacy_attacks import SO_ORGANISATION
    from test_privacy_versions import ROOT

    from data_sources import jobs, store

    book = openpyxl.load_workbook(ROOT / "sample_data" / "registrations" / "speciaal-onderwijs.xlsx")
    sheet = book["Gegevens"]
    names = {"WK999907": "Buitengebied"}
    for row in range(sheet.max_row, 1, -1):
        sheet.cell(row, 9).value = None
        if (left_out is not None and sheet.cell(row, 1).value == names[left_out]
                and sheet.cell(row, 6).value == "ingeschreven" and sheet.cell(row, 7).value == "4-12"):
            sheet.delete_rows(row)
    data = io.BytesIO()
    book.save(data)
    con = store.connect(db)
    try:
        result = jobs.import_registration(con, data.getvalue(), "speciaal-onderwijs", SO_ORGANISATION,
                                          "schooljaar 2024-2025", "so-zonder-bso.xlsx")
    finally:
        con.close()
    assert result.status == "imported"


def _bso_table(account) -> pd.DataFrame:
    """Tekorten's table 'BSO voor leerlingen van so en sbo' for 4-12 year olds."""
    from test_privacy_attacks import _clear

    _clear()
    at = run_page("tekorten", account=account)
    at.selectbox(key="tekorten_age").set_value("4-12").run()
    assert not at.exception, at.exception
    return next(d.value for d in at.dataframe if "Leerlingen (waargenomen)" in d.value.columns)


def _sbo_pupils(db) -> str:
    """Row 5 of Analysevragen: the enrolled sbo pupils as shown."""
    import duckdb

    from transforms.analysis import so_by_type_and_status

    con = duckdb.connect(str(db), read_only=True)
    try:
        shown = so_by_type_and_status(con, "GM9999", 2024).display()
    finally:
        con.close()
    return shown.set_index("soort").loc["sbo", "ingeschreven"]


def test_tekorten_keeps_a_wijk_whose_hidden_pupils_went_to_0_without_an_observed_need(app_db, analist):
    # Buitengebied has 1 enrolled sbo pupil of 4-12, hidden. Tekorten lists the wijken with
    # pupils beside their modelled BSO need; a wijk whose observed need was hidden keeps its row
    # when its pupils are gone (bso_need_wijken), but without an observed need (an optional
    # column) the row went: the version after the pupil left said Buitengebied has none now,
    # and the enrolled sbo pupils of row 5 on Analysevragen, shown in both versions (76, then
    # 75), gave its hidden 1 back, the cell itself hidden in both.
    from test_privacy_versions import _cube

    _so_without_need(app_db)
    before = _bso_table(analist)
    cube, _ = _cube(app_db, "speciaal_onderwijs")
    cell = (cube.row_of[BUITENGEBIED], cube.kinds.index("so_ingeschreven"), cube.ages.index("4-12"))
    assert cube.counts[cell] == 1 and cube.hidden[cell]
    assert "Buitengebied" in set(before["Wijk"])
    sbo_before = _sbo_pupils(app_db)
    _so_without_need(app_db, left_out=BUITENGEBIED)
    after = _bso_table(analist)
    cube_after, _ = _cube(app_db, "speciaal_onderwijs")
    assert cube_after.counts[cell] == 0 and cube_after.hidden[cell]  # carried
    assert (sbo_before, _sbo_pupils(app_db)) == ("76", "75")  # the decrease, in both shown
    # the list of wijken, in its order, is the same: nothing says Buitengebied has none now
    assert list(after["Wijk"]) == list(before["Wijk"])
    assert after.set_index("Wijk").loc["Buitengebied", "Leerlingen (waargenomen)"] == "afgeschermd"


def _bezetting(db, peuteropvang: int) -> None:
    """A small organisation's only delivery of row 3 (kinderopvang-bezetting, as Kinderopvang
    Zonnestraal, replacing the sample's): 30 and 25 children of 0-2 and 2-4 in dagopvang on 18 and
    15 places, `peuteropvang` children of 2-4 in peuteropvang on 8 places, and a bso."""
    import io

    import openpyxl
    from test_privacy_versions import ROOT

    from data_sources import jobs, store

    book = openpyxl.load_workbook(ROOT / "sample_data" / "registrations" / "kinderopvang-bezetting.xlsx")
    sheet = book["Gegevens"]
    sheet.delete_rows(2, sheet.max_row)
    for row in (("WK999901", "Zonnestraal Centrum", "dagopvang", "0-2", 30, 18),
                ("WK999901", "Zonnestraal Centrum", "dagopvang", "2-4", 25, 15),
                ("WK999901", "Zonnestraal Centrum", "peuteropvang", "2-4", peuteropvang, 8),
                ("WK999901", "Zonnestraal Centrum", "bso", "4-12", 60, 30)):
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    con = store.connect(db)
    try:
        result = jobs.import_registration(con, data.getvalue(), "kinderopvang-bezetting",
                                          "Kinderopvang Zonnestraal", "2024", "bezetting.xlsx")
    finally:
        con.close()
    assert result.status == "imported"


def _row_3_seen(db) -> tuple[pd.DataFrame, str]:
    """Row 3 on Analysevragen as the analist sees it: the table per care type and age group, and
    the sentence with the children per place the model uses."""
    import duckdb

    from transforms import analysis

    con = duckdb.connect(str(db), read_only=True)
    try:
        return (analysis.participation(con, "GM9999", 2024),
                analysis.model_children_per_place(con, "GM9999", 2024))
    finally:
        con.close()


def _pool_rate(sentence: str) -> float | None:
    import re

    found = re.search(r"dagopvang \(met peuteropvang\) (\d+),(\d\d) \(rij 3\)", sentence)
    return None if found is None else float(f"{found.group(1)}.{found.group(2)}")


def test_a_corrected_row_3_gives_no_small_count_back_through_the_models_children_per_place(app_db):
    # Row 3 (children per care type and age group) hides every cell of the model's pool
    # (dagopvang with peuteropvang) where one is hidden, because the model's children per place
    # times the public places is the pool's total. But across two versions: before, every cell
    # shown (30, 25 and 12 on 18, 15 and 8 places) and the model's 1,63 per place (so 41 places);
    # after a correction of peuteropvang to 3, every cell hidden and the model's 1,41 per place:
    # 41 x 1,41 is 58 children (57,6 to 58,0), minus the 30 and 25 shown before gave the 3.
    _bezetting(app_db, 12)
    before, sentence_before = _row_3_seen(app_db)
    assert not before["hidden"].any() and _pool_rate(sentence_before) == 1.63
    pooled = before[before["care_type"].isin(["dagopvang", "peuteropvang"])]
    _bezetting(app_db, 3)
    after, sentence_after = _row_3_seen(app_db)
    peuter = (after["care_type"] == "peuteropvang") & (after["age_group"] == "2-4")
    assert after.loc[peuter, "hidden"].all()
    rate_after = _pool_rate(sentence_after)
    candidates = set(range(1, 60))
    if rate_after is not None:
        # the places (public, unchanged) from the version before, then the children after
        rate_before = _pool_rate(sentence_before)
        total_before = pooled["children"].sum()
        places = [p for p in range(1, 200) if abs(total_before / p - rate_before) <= 0.005]
        others = pooled.loc[pooled["care_type"] == "dagopvang", "children"].sum()
        candidates = {total - others for p in places for total in range(0, 200)
                      if abs(total / p - rate_after) <= 0.005 and total > others}
    assert not (max(candidates) < min_count() - 1 or max(candidates) - min(candidates) < min_count() - 2), (
        sentence_after, sorted(candidates))


def _kaart_table(at, label: str) -> dict[str, str]:
    """The Kaart as a table (the a11y table under the map): wijk name -> the figure shown."""
    import re

    table = next(m.value for m in at.markdown if f"aria-label='{label} per wijk" in m.value)
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S):
        cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]
        if len(cells) >= 2:
            rows[cells[0]] = cells[1]
    return rows


def test_a_school_learns_no_small_count_of_other_schools_from_the_samenwerkingsverbands_upload(app_db):
    # The sample's so pupils are delivered by the samenwerkingsverband, one row per wijk and
    # school. Released to partners, the Kaart showed SBO De Brug the enrolled pupils per wijk;
    # Vlietzoom's 8 minus its own 4 left 4 of other schools (the rule hid a remainder after the
    # largest uploader's share under 5, and the one uploader has all), and with SO De Wissel's own
    # (3 there, 5 in Molenwijk, 6 in De Horst) the two read SO Auris's 1, 1 and 2 pupils there
    # exactly. The schools a row names are parties to the contributor rule now.
    import openpyxl
    from test_privacy_sent import _release_all_to
    from test_privacy_versions import ROOT

    from data_sources.accounts import Account

    book = openpyxl.load_workbook(ROOT / "sample_data" / "registrations" / "speciaal-onderwijs.xlsx")
    own: dict[str, dict[str, int]] = {}
    for wijk, school, _, _, _, status, age, children, *_ in book["Gegevens"].iter_rows(min_row=2, values_only=True):
        if wijk and status == "ingeschreven" and age == "4-12":
            own.setdefault(school, {}).setdefault(wijk, 0)
            own[school][wijk] += children
    add_account(app_db, "brug", "partner", "SBO De Brug")
    _release_all_to(app_db, "partner", True)
    at = run_page("kaart", account=Account("brug", "partner", "SBO De Brug"),
                  params={"indicator": "vso_leerlingen"})
    assert not at.exception, at.exception
    shown = {wijk: int(text.replace(".", "")) for wijk, text in
             _kaart_table(at, "Leerlingen (v)so/sbo (waargenomen)").items() if text.replace(".", "").isdigit()}
    # the table still shows the wijken where no school's remainder is small
    assert len(shown) >= 3, shown
    # every school subtracting its own (the table is the same for every partner)
    recovered = {}
    for school, counts in own.items():
        for wijk, count in shown.items():
            others = count - counts.get(wijk, 0)
            if 0 < others < min_count():
                recovered[school, wijk] = others
    assert not recovered, recovered
    assert len(own) == 4  # SBO De Brug, SO De Wissel, SO Auris and SO Visio
