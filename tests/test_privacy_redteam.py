"""The tenth privacy review, as an attacker with fresh eyes (README "Privacy"): routes the earlier
reviews did not take. Each test is an attack on the sample gemeente through the app or the
command line; it recovered hidden counts before the fix it names, and recovers nothing now."""

from __future__ import annotations

import sys
from pathlib import Path

from conftest import add_account, run_page, upload_registration
from test_privacy_attacks import PADDING, SO_HEADER, _clear, _deliver_so, _number, _so_seen, _views

from data_sources import jobs, store
from data_sources.accounts import Account
from data_sources.config import min_count

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "registrations"))
from support import filled_template  # noqa: E402

# known organisations of the sample that deliver no jeugdhulp (the sample's jeugdhulp is the
# gemeente's own)
PADDERS = ("Kinderopvang Zonnestraal", "Zorggroep De Linde")


def _deliver_as(at, organisation: str, rows: list[list]) -> None:
    """On Aanleveren as the beheerder: deliver jeugdhulp 2024 for `organisation`."""
    at.selectbox(key="aanleveren_organisatie_keuze").set_value(organisation).run()
    at.text_input(key="aanleveren_periode").set_value("2024")
    upload_registration(at, "jeugdhulp", f"{organisation}.xlsx", filled_template("jeugdhulp", rows))
    [button for button in at.button if button.label == "Bevestigen en opslaan"][0].click()
    at.run()
    assert not at.exception, at.exception
    assert any("Opgeslagen" in s.value for s in at.success), [e.value for e in at.error]


def test_a_beheerder_padding_as_two_organisations_learns_no_small_count(app_db):
    # The contributor rule hid a cell when its remainder after the largest organisation's share
    # was small: against one partner subtracting its own padding. The beheerder delivers for
    # every known organisation; padding 10 as each of two of them made every small jeugdhulp
    # cell of the gemeente 20 + n, with a remainder of 10 + n after the largest share: shown,
    # and minus 20 it gave all 64 small counts back exactly.
    add_account(app_db, "beheer", "beheerder")
    signals, _, _ = _views()
    jeugdhulp = signals[signals["signal_type"] == "jeugdhulp"]
    original = jeugdhulp.set_index(["signal_kind", "wijk_name", "age_group"])["children_count"]
    small = original[(original > 0) & (original < min_count())]
    assert len(small) >= 20
    places = sorted(set(zip(jeugdhulp["wijk_name"], jeugdhulp["age_group"], strict=True)))
    kinds = sorted(set(jeugdhulp["signal_kind"]))
    rows = [[wijk, None, kind.removeprefix("jeugdhulp_"), age, PADDING]
            for wijk, age in places for kind in kinds]
    at = run_page("aanleveren", account=Account("beheer", "beheerder", None))
    for organisation in PADDERS:
        _deliver_as(at, organisation, rows)
    _clear()
    _, after, totals = _views()
    padding = PADDING * len(PADDERS)
    recovered = {}
    for (signal_type, kind, group), shown in after.items():
        if signal_type == "jeugdhulp":
            recovered |= {(kind, row.wijk_name, group): row.children_count - padding
                          for row in shown.itertuples(index=False) if not row.hidden}
    assert len(recovered) >= 10  # the padded cells that are safe are shown
    leaked = {key: recovered[key] for key in small.index if key in recovered}
    assert not leaked, leaked
    # every shown cell minus both paddings is 0 or at least the threshold; so the wijk totals
    assert all(value == 0 or value >= min_count() for value in recovered.values())
    per_wijk = padding * len(kinds) * len({age for _, age in places})
    for row in totals["jeugdhulp"].itertuples(index=False):
        if not row.hidden:
            rest = row.children_count - per_wijk
            assert rest == 0 or rest >= min_count(), row.wijk_name
    # and what the whole table says (every cell and margin, as the pages and exports take them
    # from it) about the gemeente's own table, the paddings subtracted, narrows no small count
    _assert_only_table_left_wide("jeugdhulp", PADDERS)


def _assert_only_table_left_wide(signal_type: str, known: tuple[str, ...]) -> None:
    """The one protected table of `signal_type` minus the shares of the `known` organisations is
    the table of the rest: the attacker's bounds on it (every hidden cell at least 1 where no
    known share is in it) leave every small count of the rest as wide as 'hidden'."""
    import numpy as np

    from transforms.partner_tables import joint_cube
    from transforms.privacy import bounds_from_margins
    from ui import continuum

    _clear()
    whole = continuum.signals("GM9999", 2024)
    shares = continuum.contributions("GM9999", 2024)
    cube = joint_cube(whole[whole["signal_type"] == signal_type], shares,
                      continuum.published("GM9999", 2024))
    kind_of = {kind: k for k, kind in enumerate(cube.kinds)}
    age_of = {age: a for a, age in enumerate(cube.ages)}
    own = np.zeros(tuple(n - 1 for n in cube.counts.shape))
    mine = shares[shares["organisation"].isin(known) & (shares["signal_type"] == signal_type)]
    for row in mine.itertuples(index=False):
        own[cube.row_of[row.wijk_code], kind_of[row.signal_kind], age_of[row.age_group]] += row.children_count
    for axis in range(own.ndim):
        own = np.concatenate([own, own.sum(axis=axis, keepdims=True)], axis=axis)
    rest = cube.counts - own
    floor = np.where(cube.hidden & (own == 0), 1.0, 0.0)
    low, high = bounds_from_margins(rest, cube.hidden, low=np.where(cube.hidden, floor, rest),
                                    high=np.where(cube.hidden, np.inf, rest))
    threshold = min_count()
    small = cube.hidden & (rest > 0) & (rest < threshold)
    assert small.any()
    narrowed = small & ((high - low < threshold - 2) | (high < threshold - 1))
    assert not narrowed.any(), [(index, rest[index], low[index], high[index])
                                for index in zip(*np.nonzero(narrowed), strict=True)][:5]
    assert not (~cube.hidden & (rest > 0) & (rest < threshold)).any()


def test_two_padding_schools_learn_no_small_count_from_the_so_crosstab(app_db, analist):
    # Row 5 on Analysevragen (pupils per onderwijssoort and status) has the contributor rule of
    # its own (protect_beside). Two schools (or the beheerder as two organisations) padding every
    # wijk with 10 enrolled pupils of every soort read so cluster 1 as 203 and cluster 2 as 222:
    # the sample's 3 pupils and the 22 hidden beside them.
    wijken = ["Bloemhof", "Buitengebied", "Centrum", "De Horst", "Kerkebuurt", "Molenwijk",
              "Nieuwland", "Oude Haven", "Vlietzoom", "Zuiderpark"]
    soorten = [("so", "1"), ("so", "2"), ("so", "3"), ("so", "4"), ("sbo", None)]
    before, _, _ = _so_seen(analist)
    hidden_before = {row[SO_HEADER] for row in before.to_dict("records")
                     if row["ingeschreven"] == "afgeschermd"}
    assert {"so cluster 1", "so cluster 2"} <= hidden_before
    con = store.connect(app_db)
    try:
        for school in ("SO Padding", "SO Opvulling"):
            jobs.import_registration(con, filled_template("speciaal-onderwijs", [
                [wijk, school, school_type, cluster, "gedrag", "ingeschreven", "4-12", PADDING, None]
                for wijk in wijken for school_type, cluster in soorten]), "speciaal-onderwijs",
                school, "2024", "padding.xlsx")
    finally:
        con.close()
    _clear()
    crosstab, _, _ = _so_seen(analist)
    padded = 2 * PADDING * len(wijken)
    rests = {}
    for row in crosstab.to_dict("records"):
        soort = row[SO_HEADER]
        padding = {"ingeschreven": padded, "Totaal": padded * (len(soorten) if soort == "Totaal" else 1)}
        for status in ("ingeschreven", "Totaal"):
            if (value := _number(row[status])) is not None:
                rests[soort, status] = value - padding[status]
    assert len(rests) >= 6
    # no cell hidden before is shown now, and nothing shown minus the padding is a small count
    assert not {soort for soort, _ in rests} & hidden_before, rests
    assert all(rest == 0 or rest >= min_count() for rest in rests.values()), rests


def test_the_so_crosstab_hides_a_second_cell_the_other_schools_cannot_fill_in(app_db, analist):
    # The second cell hidden beside a small one in row 5 was the smallest shown, chosen in the
    # whole table and in each organisation's view: here so cluster 4, which only two padding
    # schools (or the beheerder as two organisations) filled. They know their own 20 + 10 in
    # cluster 1 and 4, so the column total minus the shown cells left the sample's school with 3
    # pupils in those two: its 3 of cluster 1 bounded to 1-3. Now each school's own share is also
    # protected as if it stood alone, which hides its cluster 3 beside its 3.
    _deliver_so(app_db, [("Centrum", "so", "1", "ingeschreven", 3),
                         ("Centrum", "so", "3", "ingeschreven", 10),
                         ("Oude Haven", "sbo", None, "ingeschreven", 20)])
    padding = {"so cluster 1": 20, "so cluster 3": 20, "so cluster 4": 10}
    con = store.connect(app_db)
    try:
        for school in ("SO Padding", "SO Opvulling"):
            jobs.import_registration(con, filled_template("speciaal-onderwijs", [
                ["Molenwijk", school, "so", cluster, "gedrag", "ingeschreven", "4-12", pupils, None]
                for cluster, pupils in (("1", 10), ("3", 10), ("4", 5))]),
                "speciaal-onderwijs", school, "2024", "padding.xlsx")
    finally:
        con.close()
    _clear()
    crosstab, _, _ = _so_seen(analist)
    column = crosstab.set_index(SO_HEADER)["ingeschreven"]
    assert _number(column["Totaal"]) == 83
    assert _number(column["so cluster 1"]) is None
    shown = {soort: _number(text) for soort, text in column.items()
             if soort != "Totaal" and _number(text) is not None}
    # the sample school's pupils in the hidden cells of the column (the schools' own share in
    # them may be all of a hidden cell: the school's part there is at least 0)
    rest = 83 - sum(padding.values()) - sum(n - padding.get(soort, 0) for soort, n in shown.items())
    assert rest >= min_count() - 1, f"the school's 3 of cluster 1 bounded to 1-{rest:.0f}"


def test_known_shares_of_others_give_no_small_count_away_through_children_per_place(app_db, tmp_path):
    # The beheerder delivers for every known organisation, also a new version of one that
    # delivered already: it replaced the sample's kinderopvang-bezetting (Kinderopvang
    # Zonnestraal) with 40 BSO children of its own making and delivered 40 more as a second
    # organisation, beside a small BSO's 3 children. The model's children per BSO place (the
    # contributor rule in int_supply__children_per_place: a remainder of 43 after the largest
    # share) was 83 over the known places, and every need in places computed from it (the
    # workbook's tekort sheet) differed with the small BSO's count; now the small share keeps
    # the parameter, and nothing differs.
    import shutil

    from outputs import exports

    other = tmp_path / "other.duckdb"
    shutil.copy(app_db, other)
    sheets, sources = [], []
    for path, children in ((app_db, 3), (other, 1)):
        con = store.connect(path)
        try:
            for organisation, rows in (
                    ("Kinderopvang Zonnestraal", [["WK999901", "BSO Bekend", "bso", "4-12", 40, 20]]),
                    ("Zorggroep De Linde", [["WK999902", "BSO Opvulling", "bso", "4-12", 40, 20]]),
                    ("BSO De Kleine", [["WK999904", "BSO De Kleine", "bso", "4-12", children, 4]])):
                jobs.import_registration(con, filled_template("kinderopvang-bezetting", rows),
                                         "kinderopvang-bezetting", organisation, "2024", "bso.xlsx")
            sources += con.execute(
                "select children_per_place_source from int_supply__children_per_place"
                " where gemeente_code = 'GM9999' and year = 2024 and provision_type = 'bso'").fetchall()
            sheets.append(exports.build_sheets(con, "GM9999", 2024, ["tekort_per_wijk_niveau"])[0].frame)
        finally:
            con.close()
    _clear()
    assert sheets[0].equals(sheets[1]), sheets[0].compare(sheets[1]).head()
    assert sources == [("parameter",)] * 2
