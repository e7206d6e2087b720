"""The ninth privacy review: the routes earlier reviews touched least (README "Privacy").

Scenario's with every choice an analist has, each format of `python -m data_sources export` for
every year, and the Analysevragen, Trends and presentation downloads are read as an attacker who
has two databases that differ only inside hidden cells (tests/test_privacy_hidden_cells.py: a
child moved between hidden cells of two wijken and two kinds of five partner signals and of the
gemeente's BRP, every margin the same). Whatever differs between the two would tell what a hidden
cell holds."""

from __future__ import annotations

import re
import subprocess
import sys
from itertools import product

import pytest
from conftest import ROOT
from test_privacy_hidden_cells import BRP_SMALL, HIDDEN_SWAPS, _changed, _with_brp
from test_privacy_sent import _download_text

from data_sources import store

GEMEENTE = "GM9999"


@pytest.fixture(scope="module")
def two_dbs(sample_db, tmp_path_factory):
    """The sample with a BRP (small cells BRP_SMALL before), and the same with those cells swapped
    and HIDDEN_SWAPS made: equal outside hidden cells."""
    base = _with_brp(sample_db, tmp_path_factory.mktemp("routes-base") / "brp", BRP_SMALL["before"])
    folder = tmp_path_factory.mktemp("routes-swapped")
    swapped = _changed(_with_brp(sample_db, folder / "brp", BRP_SMALL["after"]), folder, HIDDEN_SWAPS)
    return base, swapped


def _scenarios(wijken: list[str]):
    """Scenario's an analist can make to isolate a wijk: each wijk its own catchment, the separate
    share from 5% to 100%, every estimate, every building block, and every parameter at the low
    and at the high end of its range (one at a time would be many more; the ends move every figure
    of the plan at once)."""
    from transforms.planning import BUILDING_BLOCKS, Scenario, default_parameters

    parameters = default_parameters()
    ends = {"laag": {name: p.low for name, p in parameters.items()},
            "hoog": {name: p.high for name, p in parameters.items()},
            "standaard": {}}
    for (end, values), perspective, share, estimate in product(
            ends.items(), ("passend", "inclusief"), (0.05, 0.5, 1.0), ("laag", "midden", "hoog")):
        if perspective == "inclusief" and share != 0.5:
            continue
        yield Scenario(name=f"{perspective} {share} {estimate} {end}", gemeente_code=GEMEENTE, year=2024,
                       perspective=perspective, separate_share=share if perspective == "passend" else 0.0,
                       estimate=estimate, catchments={code: [code] for code in wijken},
                       building_blocks=list(BUILDING_BLOCKS), parameters=values)


def _plans(db) -> dict[str, str]:
    """Every scenario of _scenarios as its workbook's text, its printable page and the chart's
    figures (outputs.plan, what the page, the slides and `scenario export` show)."""
    from outputs import plan as plan_output
    from transforms import scenarios
    from transforms.planning import validate

    con = store.connect(db, read_only=True)
    try:
        inputs = scenarios.plan_inputs(con, GEMEENTE, 2024)
        wijken = sorted({w.wijk_code for w in inputs})
        shown = {}
        for scenario in _scenarios(wijken):
            assert not validate(scenario, wijken), validate(scenario, wijken)
            plan = scenarios.compute(con, scenario, inputs)
            # The moment it was made ('Gemaakt op 05-12-2026 03:49') differs when the two runs
            # straddle a minute.
            shown[scenario.name] = re.sub(r"\d\d-\d\d-\d{4},? \d\d:\d\d(:\d\d)?", "<moment>", "\n".join([
                _download_text(plan_output.plan_workbook(plan, "Voorbeeldstad", inputs=inputs)),
                plan_output.plan_html(plan, "Voorbeeldstad", inputs=inputs),
                plan_output.comparison_long([plan]).to_csv()]))
        return shown
    finally:
        con.close()


def test_no_scenario_an_analist_can_choose_tells_what_hidden_cells_hold(two_dbs, sample_db):
    # Scenario's are arithmetic on the model's figures per wijk (groups = floor(children × share ÷
    # children per place ÷ group size)), and an analist chooses the share, the group sizes and the
    # catchments: with each wijk its own catchment and the ends of every range, a scenario could
    # pin a figure the pages round or hide. The model leaves hidden BRP cells out and uses only
    # shown signals, so every scenario is the same on both databases.
    first, second = (_plans(db) for db in two_dbs)
    assert len(first) == 36
    differing = {name: sorted(set(first[name].splitlines()) ^ set(second[name].splitlines()))[:4]
                 for name in first if first[name] != second[name]}
    assert not differing, differing
    # the comparison sees a difference where there is one: without the BRP the children differ
    without_brp = _plans(sample_db)
    assert sum(without_brp[name] != first[name] for name in first) >= 30


def _export_texts(db, folder, years) -> dict[str, str]:
    folder.mkdir()
    texts = {}
    for year, suffix in product(years, ("xlsx", "csv", "html")):
        out = folder / f"{year}.{suffix}"
        subprocess.run([sys.executable, "-m", "data_sources", "export", "--db", str(db), "-o", str(out),
                        "--jaar", str(year)], check=True, capture_output=True, cwd=ROOT)
        text = _download_text(out.read_bytes())
        texts[out.name] = re.sub(r"\d\d-\d\d-\d{4},? \d\d:\d\d(:\d\d)?", "<moment>", text)
    return texts


def test_no_export_of_any_year_or_format_tells_what_hidden_cells_hold(two_dbs, tmp_path):
    # tests/test_privacy_hidden_cells.py reads the exports of the newest year; a year before it
    # carries the trend of every figure (the report's lines over the years) and the deliveries
    years = [2023, 2024]
    first, second = (_export_texts(db, tmp_path / name, years) for name, db in zip(("a", "b"), two_dbs,
                                                                                      strict=True))
    assert len(first) == 6
    differing = {name: sorted(set(first[name].splitlines()) ^ set(second[name].splitlines()))[:4]
                 for name in first if first[name] != second[name]}
    assert not differing, differing
