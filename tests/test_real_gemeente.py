"""A real gemeente from CBS downloads: choosing it by name or code, what is loaded without buurten
or postcodes, and what a user sees when something is missing."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "registrations"))
from support import GEMEENTE, WIJKEN  # noqa: E402

from data_sources.registrations.locations import LocationIndex, UnknownLocation  # noqa: E402


@pytest.fixture
def wijken_only(con):
    """A gemeente as a kwb file without buurt rows and without the postcode file leaves it."""
    con.execute("insert into loads (load_id, source, dataset) values (0, 'cbs', 'regio')")
    con.execute("insert into regions values (2024, ?, 'gemeente', 'Voorbeeldstad', ?, null, 0)",
                [GEMEENTE, GEMEENTE])
    for code, name in WIJKEN.items():
        con.execute("insert into regions values (2024, ?, 'wijk', ?, ?, ?, 0)", [code, name, GEMEENTE, code])
    return con


def test_a_buurtcode_counts_for_its_wijk_when_buurten_are_not_loaded(wijken_only):
    index = LocationIndex(wijken_only, GEMEENTE)
    assert index.resolve("BU99990201").wijk_code == "WK999902"
    with pytest.raises(UnknownLocation, match="geen buurtcode"):
        index.resolve("BU99990801")  # its wijk WK999908 does not exist


@pytest.mark.parametrize("postcode", ["9901 AA", "9901"])
def test_a_postcode_without_the_postcode_file_says_which_file_and_where(wijken_only, postcode):
    with pytest.raises(UnknownLocation) as refused:
        LocationIndex(wijken_only, GEMEENTE).resolve(postcode)
    message = str(refused.value)
    assert "pc6hnr" in message and "Gemeente laden" in message and "import-cbs" in message
    assert "Voorbeeldstad" in message
