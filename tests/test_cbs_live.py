"""Talks to the real CBS and PDOK services; skipped without network (pytest -m live)."""

from __future__ import annotations

import socket

import pytest

from data_sources import store
from data_sources.cbs import fetch, pdok
from data_sources.cbs.http import HttpClient
from data_sources.cbs.loading import store_kerncijfers, store_population_by_age
from data_sources.cbs.odata import read_table_dir
from data_sources.cbs.pipeline import POPULATION_TOTALS

pytestmark = pytest.mark.live


def _reachable(host: str) -> bool:
    try:
        socket.create_connection((host, 443), timeout=3).close()
        return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def online():
    if not _reachable("opendata.cbs.nl"):
        pytest.skip("geen netwerk: opendata.cbs.nl is niet bereikbaar")


def test_kerncijfers_and_ages_of_one_gemeente(online, tmp_path):
    client, endpoints = HttpClient(read_timeout=120), fetch.Endpoints()
    kwb = tmp_path / "85984NED"
    fetch.fetch_table(client, endpoints, "85984NED", kwb,
                      data_filter=fetch.region_filter("WijkenEnBuurten", ["GM1680"]),
                      dimension_filters={"WijkenEnBuurten": fetch.region_filter("Key", ["GM1680"])})
    table = read_table_dir(kwb)
    assert {"k_0Tot15Jaar", "JongerenMetJeugdzorgInNatura"} <= set(table.topic_keys())
    ages = tmp_path / "03759ned"
    fetch.fetch_table(client, endpoints, "03759ned", ages,
                      data_filter=f"{POPULATION_TOTALS} and Perioden eq '2024JJ00'"
                                  " and startswith(RegioS,'GM1680')",
                      dimension_filters={"RegioS": "startswith(Key,'GM1680')",
                                         "Perioden": "Key eq '2024JJ00'"})
    con = store.connect(":memory:")
    with store.transaction(con):
        store_kerncijfers(con, table, gemeenten=["GM1680"])
        store_population_by_age(con, read_table_dir(ages), gemeenten=["GM1680"])
    assert con.execute("select count(*) from regions where region_level = 'wijk'"
                       ).fetchone()[0] > 0
    assert con.execute("select count(distinct age) from raw_cbs__population_by_age"
                       ).fetchone()[0] == 13


def test_jeugdmonitor_table_has_a_region_dimension(online):
    props = HttpClient().get_json(f"{fetch.Endpoints().cbs_v3}/85685NED/DataProperties")["value"]
    assert any(p.get("Type") in {"GeoDetail", "GeoDimension"} for p in props)


def test_pdok_gemeenten_2024(online):
    if not _reachable("service.pdok.nl"):
        pytest.skip("service.pdok.nl is niet bereikbaar")
    collection = pdok.fetch_layer(HttpClient(read_timeout=120), fetch.Endpoints(), 2024,
                                  "gemeente")
    assert len(collection["features"]) == 342
