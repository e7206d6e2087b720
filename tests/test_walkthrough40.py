"""Round 40 of the walkthrough as real users: a real gemeente (Zwolle's kwb layout) with nothing but
its CBS figures, a partner who delivers, the LEA slides. What they tripped over, pinned."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from conftest import (
    app_db_with_files,
    run_page_as_analist,
)
from kwb_files import write_kwb_xlsx

from data_sources.accounts import Account

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "registrations"))

PARTNER = Account("kdv", "partner", "Kinderopvang Zwolle")


@pytest.fixture
def zwolle_db(tmp_path, monkeypatch) -> Path:
    """The app's database with nothing but kwb-2024.xlsx of Zwolle: no LRK, no postcodes, no
    partner data, one year."""
    return app_db_with_files(tmp_path, monkeypatch, write_kwb_xlsx(tmp_path / "kwb-2024.xlsx"))


def test_analysevragen_names_each_table_that_was_not_delivered(zwolle_db):
    at = run_page_as_analist("analysevragen")
    assert not at.exception, at.exception
    captions = [c.value for c in at.caption]
    # three bare 'Niet geleverd voor dit jaar.' did not say which table was missing
    assert "Niet geleverd voor dit jaar." not in captions
    assert {"Geen kinderen met extra ondersteuning geleverd voor dit jaar (rij 2).",
            "Geen jeugdhulp geleverd voor dit jaar (rij 8).",
            "Geen leerlingen in (v)so en sbo geleverd voor dit jaar (rij 5)."} <= set(captions)


def test_the_continuum_trend_of_one_year_has_no_empty_years_on_its_axis(zwolle_db):
    at = run_page_as_analist("continuum")
    assert not at.exception, at.exception
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    trend = next(c for c in charts
                 if "per jaar" in c["layout"]["title"]["text"])
    # one loaded year drew 2023 and 2025 beside it, years with nothing loaded (Trends had it right)
    assert trend["layout"]["xaxis"]["tickvals"] == [2024]
