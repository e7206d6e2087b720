"""The attacks of issue 16 against the shown figures: padding uploads, rates, cross-page margins, markers."""

from __future__ import annotations

import re
import sys
from html import unescape
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import run_page, uploader

import transforms
from data_sources import jobs, store
from data_sources.config import min_count
from transforms.privacy import format_number, protect_contributions

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "registrations"))
from support import filled_template  # noqa: E402

PADDING = 10


def _views(gemeente_code: str = "GM9999", year: int = 2024):
    """What the pages show of every signal: per kind and age group (Continuüm, Tekorten, wijk
    profile) and per type summed over kinds and age groups (Kaart), each protected as the pages
    do. per_age is keyed (signal_type, signal_kind, age_group)."""
    from ui import continuum

    signals = continuum.signals(gemeente_code, year)
    shares = continuum.contributions(gemeente_code, year)
    per_age, per_wijk = {}, {}
    for (signal_kind, group), part in signals.groupby(["signal_kind", "age_group"]):
        signal_type = part["signal_type"].iloc[0]
        per_age[signal_type, signal_kind, group] = continuum.protected_signal(
            part, signals[signals["signal_type"] == signal_type], shares)
    for signal_type, whole in signals.groupby("signal_type"):
        per_wijk[signal_type] = continuum.protected_signal_totals(whole, shares)
    return signals, per_age, per_wijk


def _clear():
    from ui.data import clear_caches

    clear_caches()


def _so_pupils_on_tekorten(app_db, analist, organisation: str, rows: list[list], file_name: str):
    """Upload speciaal-onderwijs `rows` as `organisation` and read the Tekorten table of so/sbo
    pupils of 4-12 (the pupils beside the modelled BSO need) as the analist sees it."""
    con = store.connect(app_db)
    try:
        jobs.import_registration(con, filled_template("speciaal-onderwijs", rows),
                                  "speciaal-onderwijs", organisation, "2024", file_name)
    finally:
        con.close()
    _clear()
    at = run_page("tekorten", account=analist)
    at.selectbox(key="tekorten_age").set_value("4-12").run()
    assert not at.exception, at.exception
    return next(d.value for d in at.dataframe if "Leerlingen (waargenomen)" in d.value.columns)


def test_a_padding_upload_reveals_no_small_count_of_another(app_db):
    signals, before, _ = _views()
    jeugdhulp = signals[signals["signal_type"] == "jeugdhulp"]
    original = jeugdhulp.set_index(["signal_kind", "wijk_name", "age_group"])["children_count"]
    small = original[(original > 0) & (original < min_count())]
    assert len(small) >= 5  # the sample has small jeugdhulp counts to attack
    # A partner pads every wijk and age group by 10 under its own name (ambulante jeugdhulp),
    # then subtracts 10.
    places = sorted(set(zip(jeugdhulp["wijk_name"], jeugdhulp["age_group"], strict=True)))
    rows = [[wijk, None, "ambulant", age, PADDING] for wijk, age in places]
    con = store.connect(app_db)
    try:
        jobs.import_registration(con, filled_template("jeugdhulp", rows), "jeugdhulp", "Padding BV",
                                 "2024", "padding.xlsx")
    finally:
        con.close()
    _clear()
    _, after, totals = _views()
    recovered = {}
    for (signal_type, kind, group), shown in after.items():
        if signal_type != "jeugdhulp":
            continue
        padding = PADDING if kind == "jeugdhulp_ambulant" else 0
        for row in shown.itertuples(index=False):
            if not row.hidden:
                recovered[kind, row.wijk_name, group] = row.children_count - padding
        if not shown["gemeente_hidden"].iloc[0]:
            # the gemeente total minus the padding and the visible cells: only sums of two or more
            assert shown["hidden"].sum() != 1
    for key, count in small.items():
        assert key not in recovered, f"{key}: {count} recovered as {recovered.get(key)}"
    # every visible jeugdhulp figure minus the padding is 0 or at least the threshold
    assert all(value == 0 or value >= min_count() for value in recovered.values())
    # the map's wijk totals: visible ones minus the padding of every age group are safe as well
    padded = pd.Series([wijk for wijk, _ in places]).value_counts() * PADDING
    for row in totals["jeugdhulp"].itertuples(index=False):
        if not row.hidden:
            rest = row.children_count - padded[row.wijk_name]
            assert rest == 0 or rest >= min_count(), row.wijk_name


def test_a_partner_flipping_between_its_own_versions_learns_no_small_count(app_db):
    """Upload history and Terugzetten: a partner uploads two versions of its jeugdhulp (10 in every
    wijk and age group; then 1 in half of them and 40 in the rest, to move the second hidden
    cells), reads the one protected table after each and after restoring the first, and puts
    together all it saw, minus its own share each time: the others' table is the same in every
    version. No small count of another organisation is narrowed below 'hidden'."""
    from transforms.partner_tables import joint_cube
    from transforms.privacy import bounds_from_margins
    from ui import continuum

    organisation = "Padding BV"
    signals, _, _ = _views()
    jeugdhulp = signals[signals["signal_type"] == "jeugdhulp"]
    places = sorted(set(zip(jeugdhulp["wijk_name"], jeugdhulp["age_group"], strict=True)))
    versions = [[[wijk, None, "ambulant", age, PADDING] for wijk, age in places],
                [[wijk, None, "ambulant", age, 1 if i % 2 else 40]
                 for i, (wijk, age) in enumerate(places)]]
    seen = []

    def read():
        _clear()
        whole = continuum.signals("GM9999", 2024)
        shares = continuum.contributions("GM9999", 2024)
        cube = joint_cube(whole[whole["signal_type"] == "jeugdhulp"], shares,
                          continuum.published("GM9999", 2024))
        own = np.zeros(tuple(n - 1 for n in cube.counts.shape))
        kind_of = {kind: k for k, kind in enumerate(cube.kinds)}
        age_of = {age: a for a, age in enumerate(cube.ages)}
        mine = shares[(shares["organisation"] == organisation) & (shares["signal_type"] == "jeugdhulp")]
        for row in mine.itertuples(index=False):
            own[cube.row_of[row.wijk_code], kind_of[row.signal_kind], age_of[row.age_group]] += (
                row.children_count)
        for axis in range(own.ndim):
            own = np.concatenate([own, own.sum(axis=axis, keepdims=True)], axis=axis)
        seen.append((cube, own))

    load_ids = []
    for number, rows in enumerate(versions):
        con = store.connect(app_db)
        try:
            load_ids.append(jobs.import_registration(
                con, filled_template("jeugdhulp", rows), "jeugdhulp", organisation, "2024",
                f"versie-{number}.xlsx"))
        finally:
            con.close()
        read()
    con = store.connect(app_db)
    try:
        jobs.restore_upload(con, load_ids[0].load_id, organisation=organisation)
    finally:
        con.close()
    read()
    first = seen[0][0]
    others = first.counts - seen[0][1]
    shapes = {cube.counts.shape for cube, _ in seen}
    assert len(shapes) == 1
    for cube, own in seen:  # the same others' table in every version
        assert np.array_equal(cube.counts - own, others)
    # what all versions say together: a cell shown in any version is known; a cell hidden where
    # the partner had no share is at least 1
    hidden = np.logical_and.reduce([cube.hidden for cube, _ in seen])
    floor = np.zeros(others.shape)
    for cube, own in seen:
        floor = np.maximum(floor, np.where(cube.hidden & (own == 0), 1.0, 0.0))
    low, high = bounds_from_margins(others, hidden, low=np.where(hidden, floor, others),
                                    high=np.where(hidden, np.inf, others))
    threshold = min_count()
    small = hidden & (others > 0) & (others < threshold)
    assert small.any()  # there are small counts of another to attack
    narrowed = small & ((high - low < threshold - 2) | (high < threshold - 1))
    assert not narrowed.any(), [(index, others[index], low[index], high[index])
                                for index in zip(*np.nonzero(narrowed), strict=True)][:5]
    # and nothing shown in any version is a small count of another
    shown = ~hidden & (others > 0) & (others < threshold)
    assert not shown.any()


def test_no_rate_or_margin_gives_a_hidden_cell_away(app_db):
    signals, per_age, per_wijk = _views()
    checked = 0
    for signal_type, whole in signals.groupby("signal_type"):
        groups = sorted({(kind, age) for kind, age in zip(whole["signal_kind"], whole["age_group"],
                                                          strict=True)})
        hidden = pd.DataFrame({g: per_age[signal_type, *g].set_index("wijk_code")["hidden"]
                               for g in groups})
        shown = pd.DataFrame({g: per_age[signal_type, *g].set_index("wijk_code")["children_count"]
                              for g in groups})
        wijk_totals = per_wijk[signal_type].set_index("wijk_code")
        for wijk_code in hidden.index:
            # the Kaart's wijk total minus the age groups shown elsewhere
            if not wijk_totals.loc[wijk_code, "hidden"]:
                assert hidden.loc[wijk_code].sum() != 1, (signal_type, wijk_code)
        for group in groups:
            first = per_age[signal_type, *group].iloc[0]
            if first["gemeente_hidden"]:
                assert np.isnan(first["gemeente_rate_per_100"])  # no rate from a hidden total
                continue
            # the gemeente rate times the population is the total; minus the visible cells
            total = first["gemeente_rate_per_100"] * first["gemeente_population_children"] / 100
            assert total == pytest.approx(first["gemeente_count"])
            assert hidden[group].sum() != 1, (signal_type, group)
            cells = whole[(whole["signal_kind"] == group[0]) & (whole["age_group"] == group[1])]
            assert total - shown[group].sum() == pytest.approx(
                cells.set_index("wijk_code").loc[hidden.index[hidden[group]], "children_count"].sum())
            checked += 1
    assert checked > 0


def test_the_contributor_rule_and_the_joint_margins_in_the_core():
    # two organisations: A delivers 3 (small), B pads with 10 -> 13 must not be shown
    parts = np.array([[[3.0, 20.0], [30.0, 40.0]],
                      [[10.0, 0.0], [0.0, 0.0]]])
    counts, hidden = protect_contributions(parts)
    assert counts[0, 0] == 13 and hidden[0, 0]
    assert hidden.sum(axis=1)[0] != 1 and hidden.sum(axis=0)[0] != 1  # never alone in a line
    # one organisation's count of 13 alone reveals nothing of another: shown
    counts, hidden = protect_contributions(parts[:1] + parts[1:])
    assert not hidden[0, 0]


def test_no_marker_tells_primary_from_secondary(app_db, analist):
    at = run_page("continuum", account=analist)
    assert not at.exception
    columns = {column for frame in at.dataframe for column in frame.value.columns}
    assert "Telt mee in de schatting" not in columns
    # '<1' in a table of model estimates is a shown estimate, never a hidden count: the
    # children per niveau ('Alle kinderen', or niveau 1, which only the model has) and the
    # estimate with signals beside the model's
    model_tables = [frame for frame in at.dataframe
                    if {"Alle kinderen", "Niveau 1", "Niveau 3: model (laag-hoog)"}
                    & set(frame.value.columns)]
    assert model_tables
    labels = {value for frame in at.dataframe if frame not in model_tables
              for column in frame.value.columns
              for value in frame.value[column].astype(str) if value.startswith("<")}
    assert labels <= {"afgeschermd"}  # one label for every hidden cell
    estimates = {value for frame in model_tables for column in frame.value.columns
                 for value in frame.value[column].astype(str) if value.startswith("<")}
    # a single estimate below 1, or a model range whose low end is below 1 ('<1-2')
    assert estimates and all(re.fullmatch(r"<1(-[0-9.]+)?", value) for value in estimates), estimates


SUPPORT_PADDING = {"coaching pm'ers": 2, "logopedie": 3}  # support type -> its niveau


def _support_seen(app_db, wijk_names):
    """Every figure of children reached by row 7 support that a page or export shows, after the
    padding upload: (where, niveau) -> (value, trajecten) for each wijk ('WK...') and for the
    gemeente ('GM9999'), each from the view it is shown in; None where it is hidden. Wijk totals
    over the niveaus come from the Kaart (protected_signal_totals)."""
    from outputs import exports, report
    from transforms import analysis
    from ui import continuum

    seen = {}
    # Tekorten and the wijk sentences: the protected gap; its gemeente sentence: gemeente_supply
    gap = continuum.protected_gap("GM9999", 2024)
    support = gap[gap["component"].isin(["ondersteuning_professionals", "specialistische_inzet"])
                  & (gap["age_group"] == "2-4") & (gap["perspective"] != "inclusief")]
    for row in support.itertuples(index=False):
        value = None if row.supply_hidden else (row.supply, row.trajectories_count)
        seen["tekorten", row.wijk_code, row.niveau] = value
        seen["tekorten", "GM9999", row.niveau] = (
            None if row.gemeente_supply_hidden else (row.gemeente_supply, None))
    # Analysevragen: the gemeente per niveau
    con = store.connect(app_db)
    for row in analysis.support_by_niveau_and_age(con, "GM9999", 2024).itertuples(index=False):
        niveau = int(row.signal_kind[-1])
        seen["analysevragen", "GM9999", niveau] = (
            None if row.hidden else (row.children_count, row.trajectories_count))
    # the workbook's gap sheet, the gemeente report and every wijk factsheet
    sheet = exports.build_sheets(con, "GM9999", 2024, ["tekort_per_wijk_niveau"])[0].frame
    labels = {"coaching van professionals (rij 7)": 2}
    for row in sheet.itertuples(index=False):
        niveau = labels.get(row.Onderdeel)
        if niveau and row.Leeftijdsgroep.startswith("2-4"):
            value = row[sheet.columns.get_loc("Aanbod, waargenomen (afgerond)")]
            seen["werkboek", row.Wijkcode, niveau] = None if value == "afgeschermd" else (value, None)
    for wijk_code in [None, *wijk_names]:
        html = report._gap(report.Context(con, "GM9999", 2024, wijk_code))
        rows = [[unescape(cell) for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row)]
                for row in re.findall(r"<tr>(.*?)</tr>", html)]
        # the report has a row per age group: support was delivered for 2-4
        row = dict(zip(rows[0], next(r for r in rows if "coaching van professionals (rij 7)" in r
                                     and "2-4 jaar" in r), strict=True))
        value = row["Aanbod (waargenomen)"]
        seen["rapport", wijk_code or "GM9999", 2] = (
            None if value == "afgeschermd" else (float(value.replace(".", "")), None))
    con.close()
    # the Kaart (wijk totals over the niveaus) and Continuüm (per niveau) from the signal's table
    signals = continuum.signals("GM9999", 2024)
    whole = signals[signals["signal_type"] == "ondersteuningstrajecten"]
    shares = continuum.contributions("GM9999", 2024)
    for row in continuum.protected_signal_totals(whole, shares).itertuples(index=False):
        seen["kaart", row.wijk_code, "2+3"] = None if row.hidden else (row.children_count, None)
    for kind, part in whole.groupby("signal_kind"):
        for row in continuum.protected_signal(part, whole, shares).itertuples(index=False):
            seen["continuum", row.wijk_code, int(kind[-1])] = (
                None if row.hidden else (row.children_count, None))
    return seen


def _coaching_on_tekorten(account) -> dict[str, tuple[str, str, str]]:
    at = run_page("tekorten", account=account)
    assert not at.exception, at.exception
    table = next(d.value for d in at.dataframe
                 if "Kinderen bereikt met coaching (rij 7)" in d.value.columns)
    return dict(zip(table["Wijk"], zip(table["Kinderen bereikt met coaching (rij 7)"],
                                       table["Trajecten"], table["Uren"], strict=True),
                    strict=True))


def test_a_padding_upload_of_support_reveals_no_small_count_of_another(app_db, analist):
    before = _coaching_on_tekorten(analist)
    _clear()
    con = store.connect(app_db)
    try:
        original = {(wijk, niveau): count for wijk, niveau, count in con.execute(
            "select wijk_code, niveau, sum(support_children) from int_support__by_wijk_age"
            " where gemeente_code = 'GM9999' and year = 2024 and age_group = '2-4'"
            " and niveau in (2, 3) group by all").fetchall()}
        wijk_names = dict(con.execute(
            "select distinct wijk_code, wijk_name from population_by_wijk_age"
            " where gemeente_code = 'GM9999' order by wijk_code").fetchall())
        # A zorgaanbieder pads every wijk with 10 toddlers (10 trajecten) per niveau
        rows = [[wijk, None, kind, "2-4", PADDING, PADDING, 100.0]
                for wijk in wijk_names for kind in SUPPORT_PADDING]
        jobs.import_registration(con, filled_template("ondersteuningstrajecten", rows),
                                 "ondersteuningstrajecten", "Padding Zorg", "2024", "padding.xlsx")
    finally:
        con.close()
    small = {key: count for key, count in original.items() if 0 < count < min_count()}
    assert len(small) == 9  # the sample's small counts of children reached (6 coaching, 3 niveau 3)
    _clear()
    seen = _support_seen(app_db, list(wijk_names))
    recovered = {}
    for (view, where, niveau), value in seen.items():
        if value is None:
            continue
        wijken = len(wijk_names) if where == "GM9999" else 1
        niveaus = 2 if niveau == "2+3" else 1
        for figure in value:
            if figure is None:
                continue
            rest = figure - PADDING * wijken * niveaus
            assert rest == 0 or rest >= min_count(), (view, where, niveau, figure)
            if where != "GM9999" and niveau != "2+3":
                recovered[where, niveau] = rest
    for key, count in small.items():
        assert key not in recovered, f"{key}: {count} recovered as {recovered.get(key)}"
    # a visible total never stands above a single hidden cell: per niveau over the wijken
    # (Tekorten's gemeente sentence) and per wijk over the niveaus (the Kaart)
    for niveau in (2, 3):
        if seen["tekorten", "GM9999", niveau] is not None:
            assert sum(seen["tekorten", w, niveau] is None for w in wijk_names) != 1
    for wijk in wijk_names:
        if seen["kaart", wijk, "2+3"] is not None:
            assert sum(seen["tekorten", wijk, n] is None for n in (2, 3)) != 1
    # every view hides the same cells
    for view in ("werkboek", "continuum"):
        assert {k[1:] for k, v in seen.items() if k[0] == view and v is None} <= \
            {k[1:] for k, v in seen.items() if k[0] == "tekorten" and v is None}
    # what the analist sees on Tekorten: the padder's own 10 on top of what was shown before,
    # and hidden what was hidden before (the others' table keeps its pattern: no second pattern
    # to combine with the first)
    at = run_page("tekorten", account=analist)
    shown = _coaching_on_tekorten(analist)
    hidden = ("afgeschermd", "afgeschermd", "afgeschermd")
    assert shown.keys() == before.keys()
    for wijk, figures in shown.items():
        if before[wijk] == hidden:
            assert figures == hidden, wijk
        elif figures != hidden:
            assert int(figures[0]) == int(before[wijk][0]) + PADDING, wijk
    assert sum(figures != hidden for figures in shown.values()) >= 1  # not simply all hidden
    sentences = [m.value for m in at.markdown if m.value.startswith("**Gemeente")]
    assert [s for s in sentences if "peuters op niveau 2" in s or "specialistische inzet" in s] == [
        "**Gemeente Voorbeeldstad:** naar schatting 115-295 peuters op niveau 2; aanwezig: 130 "
        "kinderen. Saldo over de wijken: -18 tot 165 kinderen tekort (negatief: ruimte over).",
        "**Gemeente Voorbeeldstad:** naar schatting 11-74 peuters op niveau 3 met specialistische "
        "inzet; aanwezig: 190 kinderen. Saldo over de wijken: -180 tot -115 kinderen tekort "
        "(negatief: ruimte over)."]


def test_children_per_place_hides_a_small_organisation(app_db, analist, tmp_path):
    # A second kinderopvang delivers a few children in BSO beside the sample's 1.188: the
    # gemeente's children per BSO place would give them away to the first (with the public LRK
    # places), and so would every need in places computed from it (needed = children / that
    # figure; a reviewer pinned 3 from Tekorten's 'Plekken nodig'). The model uses the parameter
    # instead: nothing shown depends on how many children the small organisation delivered.
    import shutil

    from outputs import exports
    from transforms import analysis

    other = tmp_path / "other.duckdb"
    shutil.copy(app_db, other)
    sheets, participations = [], []
    for path, children in ((app_db, 3), (other, 1)):
        con = store.connect(path)
        try:
            jobs.import_registration(
                con, filled_template("kinderopvang-bezetting",
                                     [["WK999904", "BSO De Kleine", "bso", "4-12", children, 4]]),
                "kinderopvang-bezetting", "BSO De Kleine", "2024", "klein.xlsx")
            participations.append(analysis.participation(con, "GM9999", 2024))
            sheets.append(exports.build_sheets(con, "GM9999", 2024, ["tekort_per_wijk_niveau"])[0].frame)
            source = con.execute(
                "select children_per_place_source from int_supply__children_per_place"
                " where gemeente_code = 'GM9999' and year = 2024 and provision_type = 'bso'").fetchone()
        finally:
            con.close()
        assert source == ("parameter",)
    _clear()
    assert participations[0][["care_type", "age_group", "children", "hidden"]].fillna(-1).to_records(
        index=False).tolist() == [("bso", "4-12", -1.0, True), ("dagopvang", "0-2", 589.0, False),
                                  ("dagopvang", "2-4", 424.0, False),
                                  ("peuteropvang", "2-4", 303.0, False)]
    pd.testing.assert_frame_equal(sheets[0], sheets[1])
    regular = sheets[0][sheets[0]["Onderdeel"] == "reguliere plekken voor niveau 1-3"]
    assert "afgeschermd" not in set(regular["Kinderen per plek"])
    at = run_page("tekorten", account=analist)
    at.selectbox(key="tekorten_age").set_value("4-12").run()
    assert not at.exception, at.exception
    table = next(d.value for d in at.dataframe if "Kinderen per plek" in d.value.columns)
    assert "afgeschermd" not in set(table["Kinderen per plek"])


def test_the_upload_preview_shows_a_partner_its_own_rows_only(app_db):
    from conftest import add_account

    from data_sources.accounts import Account

    add_account(app_db, "pad", "partner", "Padding Zorg")
    at = run_page("aanleveren", account=Account("pad", "partner", "Padding Zorg"))
    rows = [["Centrum", None, kind, "2-4", PADDING, PADDING, 100.0] for kind in SUPPORT_PADDING]
    at.selectbox(key="aanleveren_soort").set_value("ondersteuningstrajecten").run()
    uploader(at, "ondersteuningstrajecten").set_value(
        ("padding.xlsx", filled_template("ondersteuningstrajecten", rows),
         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")).run()
    assert not at.exception, at.exception
    # its own two rows and their total, not the wijk's total with the Zorggroep's 2 + 2 toddlers
    (preview,) = [d.value for d in at.dataframe]
    assert preview[["wijk", "soort ondersteuning", "aantal kinderen", "aantal trajecten"]].to_dict(
        "records") == [
        {"wijk": "Centrum", "soort ondersteuning": "coaching pm'ers", "aantal kinderen": "10",
         "aantal trajecten": "10"},
        {"wijk": "Centrum", "soort ondersteuning": "logopedie", "aantal kinderen": "10",
         "aantal trajecten": "10"},
        {"wijk": "Totaal", "soort ondersteuning": "", "aantal kinderen": "20",
         "aantal trajecten": "20"}]
    # hours in Dutch notation as text beside the counts: a column of numbers with the totals row's
    # '' could not be typed for the grid (pyarrow refused it, Streamlit logged a traceback)
    assert list(preview["uren"]) == ["100", "100", ""]
    [b for b in at.button if b.label == "Bevestigen en opslaan"][0].click().run()
    assert not at.exception, at.exception
    assert re.match(r"Opgeslagen als upload \d+: 2 rijen\. ", at.success[0].value), at.success[0].value
    # after the upload: only its own history, no figure of the gemeente
    history = next(d.value for d in at.dataframe if "Organisatie" in d.value.columns)
    assert set(history["Organisatie"]) == {"Padding Zorg"}


def test_niveau_4_dagbehandeling_is_the_protected_gemeente_cell(app_db, analist):
    # 3 babies in dagbehandeling in the sample; a partner pads every wijk with 10 and subtracts
    con = store.connect(app_db)
    try:
        wijken = [code for (code,) in con.execute(
            "select distinct wijk_code from population_by_wijk_age where gemeente_code = 'GM9999'"
            " order by 1").fetchall()]
        jobs.import_registration(
            con, filled_template("jeugdhulp", [[w, None, "dagbehandeling", "0-2", PADDING]
                                               for w in wijken]),
            "jeugdhulp", "Padding BV", "2024", "padding.xlsx")
        from outputs import exports
        from transforms import analysis

        sheet = exports.build_sheets(con, "GM9999", 2024, ["niveau_4"])[0].frame
        row8 = analysis.jeugdhulp_by_type_and_age(con, "GM9999", 2024).display()
        from outputs import report
        report_html = report.gemeente_report(con, "GM9999", 2024)
    finally:
        con.close()
    _clear()
    column = "Jeugdhulp dagbehandeling, kinderen (waargenomen)"
    assert sheet[column].iloc[0] == "afgeschermd"  # 0-2: 103 - 100 = 3
    # the same cells as Analysevragen's row 8 (one protection): 0-2, 2-4, 4-12
    shown = row8.set_index("youth_care_type").loc["dagbehandeling", ["0-2", "2-4", "4-12"]]
    assert [str(v) for v in sheet[column]] == list(shown)
    at = run_page("tekorten", account=analist)
    assert not at.exception, at.exception
    table = next(d.value for d in at.dataframe
                 if "Jeugdhulp dagbehandeling (waargenomen)" in d.value.columns)
    assert list(table["Jeugdhulp dagbehandeling (waargenomen)"]) == list(shown)
    # the report's niveau 4 table has the column too (it left it out), with the same cells
    import html
    import re
    rows = [[html.unescape(re.sub(r"<[^>]+>", "", c)) for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", r, re.S)]
            for r in re.findall(r"<tr>(.*?)</tr>", report_html, re.S)]
    header = next(r for r in rows if column in r)
    at_column = header.index(column)
    in_report = [r[at_column] for r in rows[rows.index(header) + 1:rows.index(header) + 4]]
    assert in_report == [str(v) for v in shown]


def test_a_padding_school_learns_no_small_count_of_so_pupils_needing_bso(app_db, analist):
    # A second school pads every wijk with 10 enrolled so pupils of 4-12 and reads the Tekorten
    # table of so/sbo pupils and BSO back; the Buitengebied's one pupil of the
    # Samenwerkingsverband would be 11 - 10 without the contributor rule.
    wijken = ["Bloemhof", "Buitengebied", "Centrum", "De Horst", "Kerkebuurt", "Molenwijk",
              "Nieuwland", "Oude Haven", "Vlietzoom", "Zuiderpark"]
    rows = [[wijk, "SO Padding", "so", "4", "gedrag", "ingeschreven", "4-12", PADDING, None]
            for wijk in wijken]
    table = _so_pupils_on_tekorten(app_db, analist, "SO Padding", rows, "padding.xlsx")
    shown = dict(zip(table["Wijk"], table["Leerlingen (waargenomen)"], strict=True))
    hidden = "afgeschermd"
    # the sample's pupils plus 10: the Buitengebied (1 + 10) hidden by the contributor rule, and
    # every figure the cell of the one protected speciaal_onderwijs table that Continuüm shows
    assert shown["Buitengebied"] == hidden
    _, per_age, _ = _views()
    continuum_cells = per_age["speciaal_onderwijs", "so_ingeschreven", "4-12"]
    expected = {row.wijk_name: hidden if row.hidden else format_number(row.children_count)
                for row in continuum_cells.itertuples(index=False)}
    first = continuum_cells.iloc[0]
    expected["Gemeente Voorbeeldstad"] = (hidden if first["gemeente_hidden"]
                                          else format_number(first["gemeente_count"]))
    assert shown == expected
    for wijk, text in shown.items():
        if text != hidden:
            assert int(text) - PADDING == 0 or int(text) - PADDING >= min_count(), wijk
    # nor from the total: a shown total never leaves exactly one hidden wijk
    hidden_wijken = [w for w, text in shown.items() if text == hidden and w.startswith("Gemeente") is False]
    assert shown["Gemeente Voorbeeldstad"] == hidden or len(hidden_wijken) != 1


def test_a_school_learns_no_small_bso_need_of_another_from_its_own_hidden_cell(app_db, analist):
    """The observed BSO need on Tekorten (one line: wijken and the gemeente total, with the
    contributor rule) hid a second cell beside a small one: the smallest shown, which was the
    attacking school's own wijk. The school knows its own figure: the total minus the shown wijken
    and its own 6 left the other school's 2 children of Oude Haven."""
    con = store.connect(app_db)
    try:  # the sample's so partner delivers again for its period
        jobs.import_registration(con, filled_template("speciaal-onderwijs", [
            [wijk, "De Brug", "sbo", None, "leren", "ingeschreven", "4-12", 20, need]
            for wijk, need in [("Centrum", 8), ("Oude Haven", 2), ("Molenwijk", 9)]]),
            "speciaal-onderwijs", SO_ORGANISATION, "schooljaar 2024-2025", "so.xlsx")
    finally:
        con.close()
    own = 6
    table = _so_pupils_on_tekorten(app_db, analist, "SO Aanvaller", [
        ["Bloemhof", "SO Aanvaller", "so", "4", "gedrag", "ingeschreven", "4-12", 20, own]],
        "own.xlsx")
    column = "BSO nodig volgens partner (waargenomen)"
    shown = dict(zip(table["Wijk"], table[column], strict=True))
    total = _number(shown.pop("Gemeente Voorbeeldstad"))
    if total is None:
        return
    others = total - own
    unknown = []
    for wijk, text in shown.items():
        value = _number(text) if text else 0.0
        if value is None:
            if wijk != "Bloemhof":  # its own cell: the school knows it is all its own
                unknown.append(wijk)
        else:
            others -= value - (own if wijk == "Bloemhof" else 0)
    # never exactly one hidden cell of the other school with a small remainder
    assert not (len(unknown) == 1 and 0 < others < min_count()), (unknown, others)
    assert len(unknown) != 1, unknown


# --- the review of small-count privacy (recovery 1 and 2): everything shown, solved together ---

def _number(text):
    return None if text == "afgeschermd" else float(str(text).replace(".", "").replace(",", "."))


def _propagate(variables, equations):
    """Interval propagation, as the reviewer's attacker: `variables` name -> [low, high];
    `equations` (terms, constant): sum of coef * variable == constant. Narrows in place."""
    for _ in range(200):
        changed = False
        for terms, constant in equations:
            for name, coef in terms:
                rest_low = sum(c * (variables[u][0] if c > 0 else variables[u][1])
                               for u, c in terms if u != name)
                rest_high = sum(c * (variables[u][1] if c > 0 else variables[u][0])
                                for u, c in terms if u != name)
                low, high = (constant - rest_high) / coef, (constant - rest_low) / coef
                if coef < 0:
                    low, high = high, low
                new = [max(variables[name][0], low), min(variables[name][1], high)]
                if new != variables[name]:
                    variables[name], changed = new, True
        if not changed:
            return


@pytest.mark.parametrize(("signal_type", "header", "prefix"), [
    ("jeugdhulp", "Soort jeugdhulp", "jeugdhulp_"),  # row 8: recovery 1 and 2 of the review
    ("extra_ondersteuning", "Niveau (partner)", "extra_ondersteuning_niveau_"),  # row 2: finding 3
])
def test_the_reviewers_recovery_from_every_view_fails(app_db, analist, signal_type, header,
                                                      prefix):
    """Recovery 1 of the review: Analysevragen's row 8 (kind x age with totals; row 2 likewise),
    Niveau 4 dagbehandeling (Tekorten, workbook), Continuüm's wijk cells and gemeente rates, and
    the rule that 0 is shown. Every view must show the same protected gemeente cells, and all of
    them together must pin no hidden cell nor narrow a small one below 1..threshold-1."""
    threshold = min_count()
    at = run_page("analysevragen", account=analist)
    assert not at.exception, at.exception
    crosstab = next(d.value for d in at.dataframe if header in d.value.columns)
    ages = [c for c in crosstab.columns if c not in (header, "Totaal")]
    kinds = [k for k in crosstab[header] if k != "Totaal"]

    def label_of(kind):
        rest = kind.removeprefix(prefix)
        return rest if signal_type == "jeugdhulp" else f"niveau {rest}"

    con = store.connect(app_db)
    try:
        from outputs import exports

        sheet = exports.build_sheets(con, "GM9999", 2024, ["niveau_4"])[0].frame
    finally:
        con.close()
    signals, per_age, _ = _views()
    variables, equations, gemeente, hidden = {}, [], {}, set()

    def cell(name, text):
        value = _number(text)
        if value is None:
            hidden.add(name)
            variables.setdefault(name, [1.0, float("inf")])  # zeros are shown: hidden is >= 1
        else:
            variables[name] = [value, value]

    # (a) Analysevragen's kind x age table with its totals
    table = crosstab.set_index(header)
    for kind in [*kinds, "Totaal"]:
        for age in [*ages, "Totaal"]:
            cell(("G", kind, age), table.loc[kind, age])
            gemeente[kind, age] = table.loc[kind, age]
    for kind in [*kinds, "Totaal"]:
        equations.append(([(("G", kind, a), 1) for a in ages] + [(("G", kind, "Totaal"), -1)], 0))
    for age in [*ages, "Totaal"]:
        equations.append(([(("G", k, age), 1) for k in kinds] + [(("G", "Totaal", age), -1)], 0))
    # (b) Niveau 4 (workbook and Tekorten): the same cells, hidden where row 8 hides them
    if signal_type == "jeugdhulp":
        column = sheet["Jeugdhulp dagbehandeling, kinderen (waargenomen)"]
        for age, text in zip(ages, column, strict=True):
            assert str(text) == str(gemeente["dagbehandeling", age]), age
    # (c) Continuüm: wijk cells per kind and age, and the gemeente rate per 100 children
    for (this_type, kind, age), shown in per_age.items():
        if this_type != signal_type:
            continue
        label = label_of(kind)
        first = shown.iloc[0]
        gemeente_text = ("afgeschermd" if first["gemeente_hidden"]
                         else format_number(first["gemeente_count"]))
        assert gemeente_text == gemeente[label, age], (label, age)  # one protection
        if first["gemeente_hidden"]:
            assert np.isnan(first["gemeente_rate_per_100"])  # (2) no rate of a hidden cell
        terms = [(("G", label, age), -1)]
        for row in shown.itertuples(index=False):
            name = ("W", row.wijk_name, kind, age)
            cell(name, "afgeschermd" if row.hidden else format_number(row.children_count))
            if row.hidden:
                assert np.isnan(row.rate_per_100)
            terms.append((name, 1))
        equations.append((terms, 0))
    _propagate(variables, equations)
    truth = signals[signals["signal_type"] == signal_type].set_index(
        ["wijk_name", "signal_kind", "age_group"])["children_count"]
    assert len(hidden) > 10, "the sample has hidden cells of this signal"
    for name in sorted(hidden):
        low, high = variables[name]
        assert high > low, f"{name} pinned at {low}"
        if name[0] == "W" and 0 < truth[name[1], name[2], name[3]] < threshold:
            assert low <= 1 and high >= threshold - 1, (name, low, high)
        assert high - low >= threshold - 2, (name, low, high)
    if signal_type == "jeugdhulp":
        # the review's own arithmetic: dagbehandeling 0-2 = Totaal - 4-12 - 2-4 needs a hidden
        assert any(_number(gemeente["dagbehandeling", a]) is None for a in ["2-4", "4-12", "Totaal"])


def test_waiting_lists_by_kind_cannot_be_subtracted_from_the_tekorten_total(app_db):
    # Analysevragen splits the (v)so waiting list by school type (sbo 4, so 5 in the sample);
    # Tekorten shows the list's gemeente total from its own protected table. Hiding only the 4
    # left it as that total minus the 5.
    from transforms import analysis

    con = store.connect(app_db)
    try:
        frame = analysis.waiting(con, "GM9999", 2024)
    finally:
        con.close()
    _, per_age, _ = _views()
    threshold = min_count()
    for name, signal_kind in [("wachtlijst (v)so", "wachtlijst_so"),
                              ("wachtlijst zorg", "wachtlijst_zorg")]:
        rows = frame[frame["list"] == name]
        assert rows.loc[(rows["children"] > 0) & (rows["children"] < threshold), "hidden"].all()
        hidden = rows[rows["hidden"]]
        if hidden.empty:
            continue
        # as if every gemeente total were shown: never one hidden kind, never k hidden kinds
        # that the total bounds below the threshold
        assert len(hidden) >= 2 or (hidden["children"] == 0).any()
        assert hidden["children"].sum() - (len(hidden) - 1) >= threshold
        assert any(key[1] == signal_kind for key in per_age)
    assert frame.loc[frame["kind"] == "sbo", "hidden"].all()
    assert frame.loc[frame["kind"] == "so", "hidden"].all()


@pytest.mark.parametrize(("template", "row"), [
    # (v)so: per school type; the sample's list holds 5 so and 4 sbo children
    ("wachtlijst-so", lambda kind: ["Centrum", "SO Padding", kind, "4" if kind != "sbo" else None,
                                    "gedrag" if kind != "sbo" else "leren", PADDING, 6.0, None]),
    # zorg: per kind of request; the sample's 2-4 list is one organisation's
    ("wachtlijst-zorg", lambda kind: ["Centrum", "Zorg Padding", kind, "2-4", PADDING, 6.0, None]),
])
def test_a_padding_upload_learns_no_small_count_from_the_waiting_lists_by_kind(app_db, analist,
                                                                               template, row):
    """Rows 6 and 9 on Analysevragen summed every organisation's children per kind before
    protecting them: a second organisation that put 10 children on each kind read 15 and 14 for
    the (v)so list and subtracted its 10, giving the sample's 4 sbo children away."""
    kinds = {"wachtlijst-so": ["sbo", "so", "vso"],
             "wachtlijst-zorg": ["ondersteuning in de opvang", "behandeling", "kdc/mkd"]}[template]
    list_name = {"wachtlijst-so": "wachtlijst (v)so", "wachtlijst-zorg": "wachtlijst zorg"}[template]
    organisation = row(kinds[0])[1]
    con = store.connect(app_db)
    try:
        jobs.import_registration(con, filled_template(template, [row(kind) for kind in kinds]),
                                 template, organisation, "2024", "padding.xlsx")
    finally:
        con.close()
    _clear()
    at = run_page("analysevragen", account=analist)
    assert not at.exception, at.exception
    table = next(d.value for d in at.dataframe if "Wachtlijst" in d.value.columns)
    rows = table[table["Wachtlijst"] == list_name]
    assert set(rows["Soort"]) >= set(kinds)
    for kind, text in zip(rows["Soort"], rows["Kinderen"], strict=True):
        value = _number(text)
        if value is not None and kind in kinds:
            rest = value - PADDING
            assert rest == 0 or rest >= min_count(), (kind, rest)


def test_no_signal_table_pins_a_hidden_cell_even_with_every_margin_shown(app_db):
    """The review's latent finding: each signal type's table solved by positivity. Worst case,
    every visible cell and margin of the one protected table wijk x kind x age is on some page;
    the attacker's own propagation (not the app's audit) narrows no hidden cell below 'hidden'."""
    from transforms.partner_tables import joint_cube
    from ui import continuum

    threshold = min_count()
    signals = continuum.signals("GM9999", 2024)
    shares = continuum.contributions("GM9999", 2024)
    narrowed, checked = [], 0
    for signal_type, whole in signals.groupby("signal_type"):
        cube = joint_cube(whole, shares, continuum.published("GM9999", 2024))
        counts, hidden = cube.counts, cube.hidden
        variables = {cell: ([1.0, float("inf")] if hidden[cell] else [counts[cell]] * 2)
                     for cell in np.ndindex(counts.shape)}
        equations = []
        for axis in range(counts.ndim):
            for cell in np.ndindex(counts.shape):
                if cell[axis] != counts.shape[axis] - 1:
                    continue  # one equation per line: from its total
                line = [(cell[:axis] + (i,) + cell[axis + 1:], 1)
                        for i in range(counts.shape[axis] - 1)]
                equations.append(([*line, (cell, -1)], 0))
        _propagate(variables, equations)
        for cell in zip(*np.nonzero(hidden), strict=True):
            low, high = variables[cell]
            checked += 1
            if high <= low or high - low < threshold - 2 or high < threshold - 1:
                narrowed.append((signal_type, cell, counts[cell], low, high))
    assert checked > 100
    assert not narrowed, narrowed[:5]


def _used_signals(gemeente_code: str = "GM9999", year: int = 2024) -> list[tuple[str, str, str]]:
    """(wijk_code, age_group, signal_kind) of every signal in "Gebruikte signalen": the continuum's
    signal_types of niveau 3 and 4, per wijk and age group."""
    from ui.data import rows as read

    rows = read("select distinct wijk_code, age_group, signal_types from continuum_by_wijk_niveau"
                " where gemeente_code = ? and year = ? and niveau >= 3 and signal_types is not null",
                [gemeente_code, year])
    return [(wijk, age, kind) for wijk, age, kinds in rows for kind in kinds.split(", ")]


def _assert_no_hidden_cell_used(gemeente_code: str = "GM9999", year: int = 2024) -> int:
    """Every signal the estimate uses is a cell the pages show, with its gemeente total shown (the
    ratio to the gemeente is part of the estimate); and the build's flags are the pages' own."""
    signals, per_age, _ = _views(gemeente_code, year)
    type_of = dict(zip(signals["signal_kind"], signals["signal_type"], strict=True))
    used = _used_signals(gemeente_code, year)
    hidden = []
    for wijk_code, age_group, kind in used:
        # a signal without an age group ('alle') adjusts every age group
        group = age_group if (type_of[kind], kind, age_group) in per_age else "alle"
        shown = per_age[type_of[kind], kind, group].set_index("wijk_code")
        if shown.loc[wijk_code, "hidden"] or shown.loc[wijk_code, "gemeente_hidden"]:
            hidden.append((wijk_code, age_group, kind))
    assert not hidden, f"{len(hidden)} of {len(used)} used signals are hidden on the pages: {hidden[:5]}"
    from ui.data import rows as read

    flags = read("select signal_type, signal_kind, age_group, wijk_code, cell_hidden,"
                 " gemeente_cell_hidden from signals_protection_by_wijk"
                 " where gemeente_code = ? and year = ?", [gemeente_code, year])
    for signal_type, kind, age_group, wijk_code, cell_hidden, gemeente_hidden in flags:
        shown = per_age[signal_type, kind, age_group].set_index("wijk_code")
        assert (cell_hidden, gemeente_hidden) == (bool(shown.loc[wijk_code, "hidden"]),
                                                  bool(shown.loc[wijk_code, "gemeente_hidden"])), \
            (signal_type, kind, age_group, wijk_code)
    assert len(flags) > 100
    return len(used)


def test_the_estimate_uses_no_cell_the_pages_hide(app_db):
    """The review's leak: a signal counted in the estimate as soon as its raw count reached the
    threshold, also where the pages hide the cell (secondary suppression), so "Gebruikte
    signalen" marked 25 hidden cells of Voorbeeldstad as at least the threshold (telling them
    from the small ones) and the estimate carried their ratio to the gemeente."""
    # vve taal/spraak and sociaal-emotioneel of the toddlers: all shown, all used, but taal/spraak
    # in De Horst (5), hidden since the audit solves all lines together: with the shown wijk
    # totals the criterion totals told that SES and sociaal-emotioneel of Oude Haven and
    # Kerkebuurt added up to 6
    assert _assert_no_hidden_cell_used() == 9


def test_a_padding_upload_makes_the_estimate_use_no_cell_hidden_by_the_contributor_rule(app_db):
    signals, _, _ = _views()
    jeugdhulp = signals[signals["signal_type"] == "jeugdhulp"]
    places = sorted(set(zip(jeugdhulp["wijk_name"], jeugdhulp["age_group"], strict=True)))
    con = store.connect(app_db)
    try:
        # the gemeente's own jeugdhulp plus a partner's padding of every cell: the contributor
        # rule hides what the padding organisation could subtract its share from
        jobs.import_registration(con, filled_template("jeugdhulp", [
            [wijk, None, "ambulant", age, PADDING] for wijk, age in places]), "jeugdhulp",
            "Padding BV", "2024", "padding.xlsx")
    finally:
        con.close()
    _clear()
    _assert_no_hidden_cell_used()


def test_the_estimate_is_the_same_whatever_a_hidden_cell_holds(app_db):
    """The pages hide a wijk's ambulant jeugdhulp of 4-12 year olds although it is at least the
    threshold (in the sample Centrum's 26); whether it holds that many or 2 children, the
    Continuüm page shows the same estimates and the same "Gebruikte signalen" for the wijk (the
    old rule used it at 26 and not at 2: both changed)."""
    signals, per_age, _ = _views()
    shown = per_age["jeugdhulp", "jeugdhulp_ambulant", "4-12"]
    target = shown[shown["hidden"]].merge(
        signals[(signals["signal_kind"] == "jeugdhulp_ambulant") & (signals["age_group"] == "4-12")],
        on="wijk_code", suffixes=("", "_raw"))
    target = target[target["children_count_raw"] >= min_count()].iloc[0]
    wijk_name = target["wijk_name"]

    def continuum_row():
        _clear()
        at = run_page("continuum")
        assert not at.exception, at.exception
        table = next(d.value for d in at.dataframe if "Gebruikte signalen" in d.value.columns)
        return table.set_index("Wijk").loc[wijk_name].to_dict()

    before = continuum_row()
    con = store.connect(app_db)
    try:
        rows = [(load_id, number, payload) for load_id, number, payload in con.execute(
            "select load_id, row_number, payload from raw_partner__registration_rows"
            " where registration_type = 'jeugdhulp' and wijk_code = ?",
            [target["wijk_code"]]).fetchall()
            if '"ambulant"' in payload and '"4-12"' in payload]
        assert len(rows) == 1  # the cell is one delivered row
        load_id, number, payload = rows[0]
        small = re.sub(r'"children_count": \d+', '"children_count": 2', payload)
        with store.transaction(con):
            con.execute("update raw_partner__registration_rows set payload = ?"
                        " where load_id = ? and row_number = ?", [small, load_id, number])
            transforms.build(con)
    finally:
        con.close()
    _, per_age_after, _ = _views()
    assert per_age_after["jeugdhulp", "jeugdhulp_ambulant", "4-12"].set_index("wijk_code").loc[
        target["wijk_code"], "hidden"]  # hidden both times: the pages tell the two apart nowhere
    assert continuum_row() == before


def _upload_brp(db: Path, small_0_2: int) -> None:
    """The sample BRP extract (registration bevolking, 2024) with Buitengebied's (WK999907) 0-2
    year olds set to `small_0_2` (buurt BU99990702's ages 0 and 1; the other buurten hold 1+1)."""
    import io

    import openpyxl

    book = openpyxl.load_workbook(Path(__file__).parents[1] / "sample_data" / "registrations" / "bevolking.xlsx")
    for row in book["Gegevens"].iter_rows(min_row=2):
        if str(row[0].value) == "BU99990702" and row[1].value in (0, 1):
            row[2].value = (small_0_2 - 2) // 2
    data = io.BytesIO()
    book.save(data)
    con = store.connect(db)
    try:
        jobs.import_registration(con, data.getvalue(), "bevolking", "Gemeente Voorbeeldstad", "2024",
                                 "brp-2024.xlsx")
    finally:
        con.close()


def _brp_model_views(db: Path, account) -> dict:
    """What the model shows of Buitengebied: the Continuüm table with the assumptions set so that
    niveau 2 is exactly the 0-2 year olds (the reviewer's attack), Tekorten's rows for 0-2 (default
    assumptions), the workbook's demand and gap sheets, and whether Overzicht hides its 0-2 cell."""
    import io

    import openpyxl

    from outputs.exports import export_workbook
    from ui.population import population_table

    _clear()
    table = population_table("GM9999", 2024)
    row = table.wijk_codes.index("WK999907")
    views = {"hidden_on_overzicht": bool(table.hidden[row, 0])}
    at = run_page("continuum", account=account)
    values = {"share_niveau_2": 100.0, "share_niveau_3": 0.0, "share_niveau_4": 0.0,
              "participation_0_2": 100.0, "participation_2_4": 0.0, "participation_4_12": 0.0}
    for name, value in values.items():
        at.slider(key=f"w_param_{name}_band").set_value((value, value))
        at.slider(key=f"w_param_{name}_mid").set_value(value)
    at.run()
    assert not at.exception, at.exception
    continuum = next(d.value for d in at.dataframe if "Niveau 2" in d.value.columns)
    views["continuum"] = continuum.to_dict("records")
    views["continuum_notes"] = [m.value for m in [*at.caption, *at.info, *at.warning]]
    at = run_page("tekorten", account=account)
    at.selectbox(key="tekorten_age").set_value("0-2").run()
    assert not at.exception, at.exception
    views["tekorten"] = [d.value.to_dict("records") for d in at.dataframe]
    views["tekorten_notes"] = [m.value for m in [*at.caption, *at.info, *at.warning]]
    con = store.connect(db)
    try:
        book = openpyxl.load_workbook(io.BytesIO(export_workbook(con, "GM9999", 2024)), read_only=True)
    finally:
        con.close()
    for sheet in ("Vraag per wijk en niveau", "Tekort per wijk en niveau"):
        views[sheet] = [row for row in book[sheet].iter_rows(values_only=True)]
    return views


def test_a_hidden_brp_cell_reaches_no_model_figure(app_db, analist):
    """Review 3, F1: Buitengebied's 0-2 year olds in the gemeente's BRP extract are 2 (hidden on
    Overzicht). The model figures (Continuüm with the assumptions set so that niveau 2 is the
    age group's count, Tekorten, the workbook's demand and gap sheets) are the same whether the
    cell holds 2 or 4: the model leaves the hidden cell out, and the pages say so."""
    _upload_brp(app_db, 2)
    small = _brp_model_views(app_db, analist)
    _upload_brp(app_db, 4)
    larger = _brp_model_views(app_db, analist)
    assert small["hidden_on_overzicht"] and larger["hidden_on_overzicht"]
    assert small == larger
    assert any("Buitengebied" in note and "afgeschermd" in note for note in small["continuum_notes"])
    assert any("Buitengebied" in note and "afgeschermd" in note for note in small["tekorten_notes"])
    # and the shown 0-2 cells are as before: a visible wijk still has its estimate
    con = store.connect(app_db)
    try:
        missing = con.execute(
            "select count(*) from continuum_by_wijk_niveau where gemeente_code = 'GM9999' and year = 2024"
            " and wijk_code = 'WK999907' and age_group = '0-2'").fetchone()[0]
        others = con.execute(
            "select count(*) from continuum_by_wijk_niveau where gemeente_code = 'GM9999' and year = 2024"
            " and wijk_code <> 'WK999907' and age_group = '0-2'").fetchone()[0]
    finally:
        con.close()
    assert missing == 0 and others > 0


def _scenario_figures(db: Path) -> dict:
    """What Scenario's computes from the model (the plan inputs per wijk and age group, both
    example scenarios with every row and key figure, also with other assumptions) and the
    workbook's model sheets (demand, gap, niveau 4, separate groups)."""
    import io

    import openpyxl

    from outputs.exports import export_workbook
    from transforms import scenarios
    from transforms.planning import Scenario

    con = store.connect(db)
    try:
        figures = {"inputs": [vars(w) for w in scenarios.plan_inputs(con, "GM9999", 2024)]}
        smaller_groups = {"reduced_group_size_0_4": 4, "reduced_group_size_bso": 5}
        for perspective, share, parameters in [("passend", 0.5, {}), ("inclusief", 0.0, {}),
                                               ("passend", 1.0, smaller_groups)]:
            plan = scenarios.compute(con, Scenario(
                name="aanval", gemeente_code="GM9999", year=2024, perspective=perspective,
                separate_share=share, catchments=scenarios.SAMPLE_CATCHMENTS,
                parameters=parameters))
            figures[perspective, share] = (plan.totals(), [vars(r) for r in plan.rows],
                                           [vars(c) for c in plan.costs])
        book = openpyxl.load_workbook(io.BytesIO(export_workbook(con, "GM9999", 2024)),
                                      read_only=True)
        for sheet in ("Vraag per wijk en niveau", "Tekort per wijk en niveau", "Niveau 4 (regionaal)",
                      "Aparte groepen (passend)"):
            figures[sheet] = [row for row in book[sheet].iter_rows(values_only=True)]
    finally:
        con.close()
    return figures


def test_a_hidden_brp_cell_reaches_no_scenario(app_db):
    """Review 6, parameters as an oracle: an analist who reads Scenario's (plans per catchment,
    with other shares or group sizes) and the model sheets of the workbook for two settings learns
    nothing of a hidden BRP cell: Buitengebied's 0-2 year olds (hidden on Overzicht) at 2 or at
    4 give the same figures, whatever the assumptions."""
    def buitengebied_0_2():
        con = store.connect(app_db)
        try:
            return con.execute("select children from population_by_wijk_age where year = 2024"
                               " and wijk_code = 'WK999907' and age_group = '0-2'").fetchone()[0]
        finally:
            con.close()

    _upload_brp(app_db, 2)
    small = _scenario_figures(app_db)
    assert small["inputs"] and all(small[key][1] for key in small if isinstance(key, tuple))
    assert buitengebied_0_2() == 2
    _upload_brp(app_db, 4)
    assert buitengebied_0_2() == 4
    assert _scenario_figures(app_db) == small


# --- row 5: the so crosstab of Analysevragen beside the signal speciaal_onderwijs ---

SO_HEADER = "Onderwijssoort en cluster"
SO_ORGANISATION = "Samenwerkingsverband PO Voorbeeldregio"  # the sample's so partner


def _deliver_so(db: Path, rows: list[tuple]) -> None:
    """The sample's so partner delivers `rows` (wijk, school type, cluster, status, pupils, and
    optionally their age group: 4-12 unless given; None for a vso pupil, who is 12 or older) for
    its period instead of the sample's rows (a later load of the same period)."""
    con = store.connect(db)
    try:
        jobs.import_registration(con, filled_template("speciaal-onderwijs", [
            [wijk, "De Brug", school_type, cluster, None, status, (*age, "4-12")[0], count, None]
            for wijk, school_type, cluster, status, count, *age in rows]), "speciaal-onderwijs",
            SO_ORGANISATION, "schooljaar 2024-2025", "so.xlsx")
    finally:
        con.close()
    _clear()


def _so_seen(account):
    """The row 5 crosstab as Analysevragen shows it, its caption, and the one protected table of
    the signal speciaal_onderwijs (wijk x status x age with every margin) from which the signal
    pages, the Kaart, Tekorten and the exports read: worst case, every visible cell is shown."""
    from transforms.partner_tables import joint_cube
    from ui import continuum

    at = run_page("analysevragen", account=account)
    assert not at.exception, at.exception
    crosstab = next(d.value for d in at.dataframe if SO_HEADER in d.value.columns)
    caption = next(c.value for c in at.caption if "(rij 5)" in c.value)
    signals = continuum.signals("GM9999", 2024)
    cube = joint_cube(signals[signals["signal_type"] == "speciaal_onderwijs"],
                      continuum.contributions("GM9999", 2024), continuum.published("GM9999", 2024))
    return crosstab, cube, caption


def _so_attack(crosstab: pd.DataFrame, cube) -> tuple[dict, set]:
    """The attacker's propagation over both: the crosstab's lines, every line of the cube, and
    the shared margins (a status total of the crosstab is the cube's gemeente total of that
    status, the crosstab's grand total the cube's). Returns (bounds per name, hidden names)."""
    variables, equations, hidden = {}, [], set()

    def cell(name, value):
        if value is None:
            hidden.add(name)
            variables.setdefault(name, [1.0, float("inf")])
        else:
            variables[name] = [value, value]

    statuses = [c for c in crosstab.columns if c not in (SO_HEADER, "Totaal")]
    soorten = [s for s in crosstab[SO_HEADER] if s != "Totaal"]
    table = crosstab.set_index(SO_HEADER)
    for soort in [*soorten, "Totaal"]:
        for status in [*statuses, "Totaal"]:
            cell(("X", soort, status), _number(table.loc[soort, status]))
    for soort in [*soorten, "Totaal"]:
        equations.append(([(("X", soort, s), 1) for s in statuses] + [(("X", soort, "Totaal"), -1)], 0))
    for status in [*statuses, "Totaal"] if soorten else []:  # only the totals: no column lines
        equations.append(([(("X", s, status), 1) for s in soorten] + [(("X", "Totaal", status), -1)], 0))
    counts, shown = cube.counts, ~cube.hidden
    for index in np.ndindex(counts.shape):
        cell(("C", *index), float(counts[index]) if shown[index] else None)
    for axis in range(counts.ndim):
        for index in np.ndindex(counts.shape):
            if index[axis] != counts.shape[axis] - 1:
                continue
            line = [(("C", *index[:axis], i, *index[axis + 1:]), 1)
                    for i in range(counts.shape[axis] - 1)]
            equations.append(([*line, (("C", *index), -1)], 0))
    every = counts.shape[0] - 1, counts.shape[2] - 1
    for k, kind in enumerate(cube.kinds):
        status = kind.removeprefix("so_").replace("_", "-")
        if status in statuses:
            equations.append(([(("X", "Totaal", status), 1), (("C", every[0], k, every[1]), -1)], 0))
    equations.append(([(("X", "Totaal", "Totaal"), 1), (("C", *(n - 1 for n in counts.shape)), -1)], 0))
    # a vso pupil is 12 or older: delivered without an age group, the signal has it in 'alle',
    # where no other pupil can be; so the vso rows are the signal's gemeente cells of 'alle'
    vso = [s for s in soorten if s.startswith("vso")]
    if vso and "alle" in cube.ages:
        alle = cube.ages.index("alle")
        for k, kind in enumerate([*cube.kinds, None]):
            status = "Totaal" if kind is None else kind.removeprefix("so_").replace("_", "-")
            if status in [*statuses, "Totaal"]:
                equations.append(([(("X", s, status), 1) for s in vso]
                                  + [(("C", every[0], k, alle), -1)], 0))
    _propagate(variables, equations)
    return variables, hidden


def _assert_nothing_narrowed(variables, hidden, truth):
    threshold = min_count()
    narrowed = []
    for name in sorted(hidden, key=repr):
        low, high = variables[name]
        small = name[0] == "X" and 0 < truth.get(name[1:], threshold) < threshold
        if (high <= low or high - low < threshold - 2 or high < threshold - 1
                or (small and low > 1)):
            narrowed.append((name, low, high))
    assert not narrowed, narrowed


@pytest.mark.parametrize("rows", [
    # the crosstab hid the thuiszitters' total (their only soort is hidden beside a small
    # count) that the signal's table shows: 6 thuiszitters in cluster 1, so its 1 pupil
    pytest.param([("Centrum", "sbo", None, "ingeschreven", 20),
                  ("Oude Haven", "sbo", None, "ingeschreven", 20),
                  ("Centrum", "so", "1", "ingeschreven", 1),
                  ("Centrum", "so", "1", "thuiszitter", 6)], id="hidden-in-the-crosstab"),
    # the signal's table hid the thuiszitters' total (Centrum's 1 pupil beside its 6
    # thuiszitters) that the crosstab shows: with Centrum's total on the Kaart, the 1 again
    pytest.param([("Centrum", "sbo", None, "ingeschreven", 1),
                  ("Oude Haven", "sbo", None, "ingeschreven", 20),
                  ("Oude Haven", "so", "4", "ingeschreven", 30),
                  ("Centrum", "so", "4", "thuiszitter", 6)], id="hidden-in-the-signal"),
])
def test_the_so_crosstab_and_the_signal_share_their_status_totals(app_db, analist, rows):
    """Row 5 (pupils per onderwijssoort and status) and the signal speciaal_onderwijs count the
    same pupils: a status total shown in one and hidden in the other gave a hidden count away."""
    _deliver_so(app_db, rows)
    crosstab, cube, caption = _so_seen(analist)
    truth = {}
    for _, school_type, cluster, status, count in rows:
        soort = school_type + (f" cluster {cluster}" if cluster else "")
        for key in [(soort, status), (soort, "Totaal"), ("Totaal", status), ("Totaal", "Totaal")]:
            truth[key] = truth.get(key, 0) + count
    variables, hidden = _so_attack(crosstab, cube)
    _assert_nothing_narrowed(variables, hidden, truth)
    assert "de totalen per status zijn die van dat signaal" in caption
    if list(crosstab[SO_HEADER]) == ["Totaal"]:  # no breakdown is safe: the page says so
        assert "alleen de totalen staan er" in caption


def test_the_so_crosstab_gives_no_vso_pupils_away_through_the_age_groups(app_db, analist):
    """The signal puts a vso pupil (12 or older: no age group) in 'alle', where no other pupil
    can be: the crosstab's vso rows are the signal's gemeente cells of 'alle'. Shared status
    totals alone did not see that: the crosstab showed the 21 vso pupils of cluster 3 and the
    signal the 23 of 'alle' it hides elsewhere, which pinned the 2 vso pupils of cluster 4."""
    rows = [("Bloemhof", "vso", "3", "ingeschreven", 1, None),
            ("Oude Haven", "vso", "3", "thuiszitter", 20, None),
            ("Oude Haven", "sbo", None, "thuiszitter", 6),
            ("Centrum", "vso", "4", "ingeschreven", 2, None)]
    _deliver_so(app_db, rows)
    crosstab, cube, caption = _so_seen(analist)
    assert "alle" in cube.ages
    variables, hidden = _so_attack(crosstab, cube)
    _assert_nothing_narrowed(variables, hidden, {("vso cluster 4", "ingeschreven"): 2,
                                                 ("vso cluster 3", "ingeschreven"): 1})
    if list(crosstab[SO_HEADER]) == ["Totaal"]:
        assert "alleen de totalen staan er" in caption


def test_the_so_crosstab_counts_the_pupils_the_signal_counts(app_db, analist):
    """The signal's table leaves out the pupils of a wijk whose children CBS keeps secret (no
    population to place them in: Buitengebied, with the sample's 1 sbo pupil, once the BRP is
    gone); the crosstab counted them, so its total minus the signal's was that 1 pupil."""
    con = store.connect(app_db)
    try:
        with store.transaction(con):
            con.execute("update raw_cbs__kerncijfers set value = null where region_code = 'WK999907'"
                        " and year = 2024 and stem = 'k_0Tot15Jaar'")
            con.execute("update loads set status = 'superseded' where dataset = 'bevolking'")
            transforms.build(con)
        assert con.execute("select wijk_code from population_unknown_by_wijk").fetchall() == [
            ("WK999907",)]
    finally:
        con.close()
    _clear()
    crosstab, cube, _ = _so_seen(analist)
    table = crosstab.set_index(SO_HEADER)
    every = cube.counts.shape[0] - 1, cube.counts.shape[2] - 1
    compared = 0
    for k, kind in enumerate([*cube.kinds, None]):
        status = "Totaal" if kind is None else kind.removeprefix("so_").replace("_", "-")
        index = (every[0], k if kind is not None else len(cube.kinds), every[1])
        cube_text = ("afgeschermd" if cube.hidden[index]
                     else format_number(cube.counts[index]))
        # the same total, hidden where the signal hides it
        assert table.loc["Totaal", status] == cube_text, status
        compared += 1
    assert compared == 3  # ingeschreven, thuiszitter and the grand total
    variables, hidden = _so_attack(crosstab, cube)
    _assert_nothing_narrowed(variables, hidden, {})


def test_a_padding_school_learns_no_small_count_from_the_so_crosstab(app_db, analist):
    """The contributor rule holds in row 5 beside the signal: a second school pads every wijk
    with 10 enrolled pupils of so cluster 4 and subtracts them from what it sees."""
    wijken = ["Bloemhof", "Buitengebied", "Centrum", "De Horst", "Kerkebuurt", "Molenwijk",
              "Nieuwland", "Oude Haven", "Vlietzoom", "Zuiderpark"]
    con = store.connect(app_db)
    try:
        jobs.import_registration(con, filled_template("speciaal-onderwijs", [
            [wijk, "SO Padding", "so", "4", "gedrag", "ingeschreven", "4-12", PADDING, None]
            for wijk in wijken]), "speciaal-onderwijs", "SO Padding", "2024", "padding.xlsx")
    finally:
        con.close()
    _clear()
    crosstab, cube, _ = _so_seen(analist)
    padded = PADDING * len(wijken)
    padding = {("so cluster 4", "ingeschreven"): padded, ("so cluster 4", "Totaal"): padded,
               ("Totaal", "ingeschreven"): padded, ("Totaal", "Totaal"): padded}
    seen = 0
    for row in crosstab.to_dict("records"):
        for status, text in row.items():
            value = _number(text) if status != SO_HEADER else None
            if value is not None:
                rest = value - padding.get((row[SO_HEADER], status), 0)
                assert rest == 0 or rest >= min_count(), (row[SO_HEADER], status, rest)
                seen += 1
    assert seen > 5
    variables, hidden = _so_attack(crosstab, cube)
    _assert_nothing_narrowed(variables, hidden, {})


@pytest.mark.parametrize("kinds", [
    # a second organisation's 3 mkd children beside the sample's 10, hidden on row 10
    [("kdc", 3, 8), ("mkd", 3, 1)],
    # its 2 moc children in one group: row 10 leaves a kind of fewer than 3 groups out
    [("kdc", 3, 8), ("moc", 1, 2)],
    # its 3 children in a kdc group without places: in row 10's kdc, not in the pool's figure
    [("kdc", 3, 8), ("mkd", 3, 8), ("kdc", 1, 3, 0)],
])
def test_row_10_kinds_cannot_be_subtracted_from_the_niveau_4_children_per_place(app_db, kinds):
    # Row 10 shows the mean placed children per group of each group kind (times its groups: the
    # kind's children); Tekorten, the workbook and the report show the KDC/MKD children per place
    # (kdc, mkd, djk and moc pooled) with its places, so their product is the pool's children.
    # The sample's Kinderopvang Zonnestraal (kdc 9, mkd 10 children, one group each) subtracts
    # the kinds row 10 shows and its own children from that pool: what is left are the other
    # organisation's children in the kinds not shown, and must not be a small count.
    from outputs import exports
    from transforms import analysis

    rows = [["Kleine Zorg", "Centrum", f"{kind} {n}.{i}", kind, "2-4", places, children, 2]
            for n, (kind, groups, children, *places_given) in enumerate(kinds)
            for places in [places_given[0] if places_given else 8] for i in range(groups)]
    con = store.connect(app_db)
    try:
        jobs.import_registration(con, filled_template("groepsgrootte", rows), "groepsgrootte",
                                 "Kleine Zorg", "2024", "groepen.xlsx")
        row10 = analysis.group_sizes(con, "GM9999", 2024)
        sheet = exports.build_sheets(con, "GM9999", 2024, ["niveau_4"])[0].frame
        own = dict(con.execute(
            "select group_kind, sum(children_count) from stg_partner__groepsgrootte"
            " where gemeente_code = 'GM9999' and year = 2024"
            " and organisation = 'Kinderopvang Zonnestraal' group by all").fetchall())
    finally:
        con.close()
    _clear()
    cpp = sheet["Kinderen per plek"].iloc[0]
    places = sheet["Plekken KDC/MKD, gelijktijdig (waargenomen)"].sum()
    assert cpp != "afgeschermd" and places > 0  # the pool's figure is shown
    pool = round(float(cpp) * places)
    shown = row10[row10["group_kind"].isin(["kdc", "mkd", "djk", "moc"]) & ~row10["children_hidden"]]
    # row 10 shows the mean to one decimal: times at most a few groups it is still exact
    visible = sum(round(round(mean, 1) * groups)
                  for mean, groups in zip(shown["children_per_group"], shown["groups"], strict=True))
    not_shown = {"kdc", "mkd", "djk", "moc"} - set(shown["group_kind"])
    rest = pool - visible - sum(own.get(kind, 0) for kind in not_shown)
    assert abs(rest) == 0 or abs(rest) >= min_count(), f"{sorted(not_shown)}: {rest} children"


@pytest.mark.parametrize("other_rows", [
    # 2 peuters among its other children
    [("Klein", "dagopvang", "0-2", 40, 20), ("Klein", "gastouderopvang", "0-2", 5, 4),
     ("Klein", "gastouderopvang", "2-4", 10, 6), ("Klein", "peuteropvang", "2-4", 2, 1)],
    # 3 babies at a location without places: in row 3's cell, not in the children per place
    [("Klein", "dagopvang", "0-2", 40, 20), ("Klein Thuis", "dagopvang", "0-2", 3, 0)],
])
def test_row_3_cells_cannot_be_subtracted_from_the_regular_children_per_place(app_db, other_rows):
    # The model pools dagopvang and peuteropvang into one observed children per place (0-4
    # years); Tekorten and the workbook show it for Bloemhof (its 0-2 places are all dagopvang),
    # and the places are public (LRK), so their product is the pool's children. Kinderopvang
    # Zonnestraal delivers its row 3 again with small locations (so the figure, shown to two
    # decimals, is exact), a small organisation delivers a few children among others;
    # Zonnestraal subtracts Analysevragen row 3's visible cells and its own children from the
    # pool.
    from outputs import exports
    from transforms import analysis

    own = [["WK999901", "Zon", care_type, age, children, places]
           for care_type, age, children, places in [("dagopvang", "0-2", 20, 10),
                                                    ("dagopvang", "2-4", 20, 10),
                                                    ("peuteropvang", "2-4", 20, 10),
                                                    ("bso", "4-12", 30, 15)]]
    other = [["WK999904", *row] for row in other_rows]
    con = store.connect(app_db)
    try:
        for organisation, rows in (("Kinderopvang Zonnestraal", own), ("Kleine Opvang", other)):
            jobs.import_registration(con, filled_template("kinderopvang-bezetting", rows),
                                     "kinderopvang-bezetting", organisation, "2024", "bezetting.xlsx")
        row3 = analysis.participation(con, "GM9999", 2024)
        sheet = exports.build_sheets(con, "GM9999", 2024, ["tekort_per_wijk_niveau"])[0].frame
        places = con.execute(  # public: the LRK places of the locations
            "select sum(places) from stg_partner__kinderopvang_bezetting where gemeente_code ="
            " 'GM9999' and year = 2024 and care_type in ('dagopvang', 'peuteropvang')").fetchone()[0]
    finally:
        con.close()
    _clear()
    regular = sheet[(sheet["Wijkcode"] == "WK999909") & sheet["Leeftijdsgroep"].str.startswith("0-2")
                    & (sheet["Onderdeel"] == "reguliere plekken voor niveau 1-3")]
    cpp = regular["Kinderen per plek"].iloc[0]
    assert cpp != "afgeschermd"  # the pool's figure is shown
    pool = round(float(cpp) * places)
    cells = row3[row3["care_type"].isin(["dagopvang", "peuteropvang"])]
    mine = {(care_type, age): children for _, _, care_type, age, children, _ in own}
    rest = (pool - cells.loc[~cells["hidden"], "children"].sum()
            - sum(mine.get((c, a), 0) for c, a in zip(cells.loc[cells["hidden"], "care_type"],
                                                      cells.loc[cells["hidden"], "age_group"],
                                                      strict=True)))
    assert abs(rest) == 0 or abs(rest) >= min_count(), f"{rest} children of Kleine Opvang recovered"


def _pupils_from_bso_estimate(text: str) -> set[int]:
    """The so/sbo pupils whose modelled BSO need Tekorten writes as `text`."""
    from transforms.privacy import estimate_range

    with store.connect(Path(__import__("os").environ["KINDKAART_DB"])) as con:
        low, high = con.execute("select low, high from stg_model__parameters"
                                " where name = 'vso_share_needing_bso'").fetchone()
    return {pupils for pupils in range(1000) if estimate_range(pupils * low, pupils * high) == text}


@pytest.mark.parametrize("vso_age", [None, "4-12"])
def test_the_modelled_bso_need_gives_no_vso_pupils_away(app_db, analist, vso_age):
    # A school delivers 2 vso pupils in Nieuwland, without an age group or as 4-12. The signal
    # counted them as 4-12 (the type's usual age group), so they were in Nieuwland's
    # so_ingeschreven cell that Tekorten shows as 'Leerlingen'; the modelled BSO need beside it
    # left vso out (past BSO age). Its range gives its pupils exactly: the shown pupils minus
    # those were the 2.
    table = _so_pupils_on_tekorten(app_db, analist, "De Brug", [
        ["Nieuwland", "De Brug", "vso", "4", None, "ingeschreven", vso_age, 2, None],
        ["Nieuwland", "De Brug", "so", "4", None, "ingeschreven", "4-12", 10, None]], "leerlingen.xlsx")
    checked = 0
    for row in table.itertuples(index=False):
        pupils, estimate = row[1], row[-1]
        if pupils == "afgeschermd" or not estimate:
            continue
        candidates = _pupils_from_bso_estimate(estimate)
        assert candidates, estimate
        left = {int(_number(pupils)) - n for n in candidates}
        # one candidate pins the pupils the estimate leaves out
        assert len(left) > 1 or not left & set(range(1, min_count())), (row.Wijk, pupils, estimate)
        checked += 1
    assert checked


def test_no_ratio_or_total_in_a_protected_signal_gives_a_hidden_gemeente_total_away():
    """The eighth review: Jeugdhulp of two wijken with 10 children each (one provider) and one with
    2 (another provider): the gemeente total 22 is hidden by the contributor rule (22 minus the
    first provider's 20 is 2), the 10s are shown. protected_signal still carried each wijk's
    ratio to the gemeente rate (1,36: with the shown rate of 10 per 100 and the 300 children, the
    gemeente rate 7,33 and so the 22, and the other provider's 2) and the total itself; a view
    that showed them gave the hidden cell away. Both are empty where the total is hidden."""
    from ui.continuum import protected_signal

    cells = {"signal_type": "jeugdhulp", "signal_kind": "jeugdhulp_ambulant", "age_group": "4-12",
             "wijk_code": ["WK1", "WK2", "WK3"]}
    whole = pd.DataFrame({
        **cells, "wijk_name": ["A", "B", "C"], "children_count": [10, 2, 10],
        "population_children": 100.0, "rate_per_100": [10.0, 2.0, 10.0],
        "gemeente_population_children": 300.0, "gemeente_rate_per_100": 100 * 22 / 300,
        "ratio_to_gemeente": [10 / (100 * 22 / 300), 2 / (100 * 22 / 300), 10 / (100 * 22 / 300)]})
    shares = pd.DataFrame({**cells, "organisation": ["X", "Y", "X"], "children_count": [10, 2, 10]})
    shown = protected_signal(whole, whole, shares)
    assert shown["gemeente_hidden"].all() and shown["gemeente_rate_hidden"].all()
    assert list(shown["hidden"]) == [False, True, False]
    assert list(shown["rate_per_100"].iloc[[0, 2]]) == [10.0, 10.0]
    assert shown["ratio_to_gemeente"].isna().all()
    assert shown["gemeente_count"].isna().all() and shown["gemeente_rate_per_100"].isna().all()


def test_tekorten_keeps_a_wijk_whose_hidden_bso_need_lost_its_pupils(app_db, analist):
    """The so partner's BSO need of Oude Haven (2) is hidden beside the 3 and 4 of two other
    wijken; its correction has no pupils in Oude Haven. Tekorten keeps the wijk's row, its
    pupils 0 and its need hidden, rather than leaving it out (the gemeente total before minus the
    one after would give the 2 back: transforms.analysis.bso_need_wijken)."""
    needs = [("Centrum", 3), ("Oude Haven", 2), ("Molenwijk", 4), ("Bloemhof", 10), ("Zuiderpark", 12)]
    tables = []
    for number, rows in enumerate((needs, [row for row in needs if row[0] != "Oude Haven"])):
        con = store.connect(app_db)
        try:
            jobs.import_registration(con, filled_template("speciaal-onderwijs", [
                [wijk, "De Brug", "sbo", None, "leren", "ingeschreven", "4-12", 20, need]
                for wijk, need in rows]), "speciaal-onderwijs", SO_ORGANISATION,
                "schooljaar 2024-2025", f"so-{number}.xlsx")
        finally:
            con.close()
        _clear()
        at = run_page("tekorten", account=analist)
        at.selectbox(key="tekorten_age").set_value("4-12").run()
        assert not at.exception, at.exception
        table = next(d.value for d in at.dataframe if "Leerlingen (waargenomen)" in d.value.columns)
        tables.append(table.set_index("Wijk"))
    column = "BSO nodig volgens partner (waargenomen)"
    first, second = tables
    assert first.loc["Oude Haven", column] == "afgeschermd"
    assert first.loc["Gemeente Voorbeeldstad", column] != "afgeschermd"
    # left out, its need was the gemeente total before minus the one after
    assert "Oude Haven" in second.index, (first.loc["Gemeente Voorbeeldstad", column],
                                          second.loc["Gemeente Voorbeeldstad", column])
    assert second.loc["Oude Haven", column] == "afgeschermd"
    assert second.loc["Oude Haven", "Leerlingen (waargenomen)"] in ("0", "afgeschermd")
