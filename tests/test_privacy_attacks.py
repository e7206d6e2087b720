"""The attacks of issue 16 against the shown figures: padding uploads, rates, cross-page margins, markers."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import run_page

from data_sources import jobs, store
from data_sources.config import min_count
from transforms.privacy import protect_contributions

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
    labels = {value for frame in at.dataframe for column in frame.value.columns
              for value in frame.value[column].astype(str) if value.startswith("<")}
    assert labels <= {f"< {min_count()}"}  # one label for every hidden cell
