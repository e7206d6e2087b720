"""Fetching from CBS and PDOK against a real local HTTP server serving recorded responses."""

from __future__ import annotations

import importlib.util
import json
import socket
from pathlib import Path

import pytest

from data_sources import cli, jobs, store
from data_sources.cbs import fetch, pdok
from data_sources.cbs.http import HttpClient
from data_sources.cbs.odata import read_table_dir
from data_sources.cbs.pipeline import CbsLoader
from data_sources.errors import SourceUnavailable

FIXTURES = Path(__file__).parent / "fixtures" / "cbs"
_spec = importlib.util.spec_from_file_location("cbs_fixture_server", FIXTURES / "server.py")
_server_module = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_server_module)
CbsServer = _server_module.CbsServer


def fast_client(**overrides) -> HttpClient:
    settings = {"connect_timeout": 1.0, "read_timeout": 1.0, "retries": 2, "backoff": 0.0}
    return HttpClient(**{**settings, **overrides})


@pytest.fixture
def server():
    with CbsServer() as running:
        yield running


def test_v3_table_is_fetched_with_filter_and_paging(server, tmp_path):
    directory = tmp_path / "85984NED"
    meta = fetch.fetch_table(
        fast_client(), server.endpoints(), "85984NED", directory,
        data_filter=fetch.region_filter("WijkenEnBuurten", ["GM0344"]),
    )
    assert meta["api"] == "v3"
    table = read_table_dir(directory)
    recorded = json.loads((FIXTURES / "odata_v3/85984NED/TypedDataSet.json").read_text())
    assert len(table.records) == len(recorded)  # all pages were followed
    data_requests = server.paths("/feed/85984NED/TypedDataSet")
    assert len(data_requests) == -(-len(recorded) // _server_module.PAGE_SIZE)
    assert "startswith(WijkenEnBuurten,'GM0344')" in data_requests[0][1]["$filter"]
    assert "startswith(WijkenEnBuurten,'BU0344')" in data_requests[0][1]["$filter"]
    assert fetch.cached_meta(directory)["retrieved_at"] == meta["retrieved_at"]


def test_server_errors_are_retried(server, tmp_path):
    server.failures["/v3/85984NED/TableInfos"] = [500, 503]
    meta = fetch.fetch_table(fast_client(retries=2), server.endpoints(), "85984NED",
                             tmp_path / "t")
    assert meta["api"] == "v3"
    assert len(server.paths("/v3/85984NED/TableInfos")) == 3


def test_v3_down_falls_back_to_v4(server, tmp_path):
    server.always_fail["/v3/03759ned"] = 500
    directory = tmp_path / "03759ned"
    meta = fetch.fetch_table(fast_client(), server.endpoints(), "03759ned", directory)
    assert meta["api"] == "v4"
    table = read_table_dir(directory)
    assert "BevolkingOp1Januari" in table.topic_keys()
    from data_sources.cbs.loading import population_by_age_frame

    frame = population_by_age_frame(table, ["GM0344"])
    assert sorted(frame["age"].unique()) == list(range(14))  # the recorded response has ages 0-13
    assert set(frame["year"]) == {2023, 2024}


def test_timeout_gives_dutch_message_and_keeps_old_cache(server, tmp_path):
    directory = tmp_path / "85984NED"
    fetch.fetch_table(fast_client(), server.endpoints(), "85984NED", directory)
    before = (directory / "TypedDataSet.json").read_text()
    server.failures["/v3/85984NED/TableInfos"] = [0, 0, 0]
    server.failures["/v4/85984NED"] = [0, 0, 0]
    with pytest.raises(SourceUnavailable) as caught:
        fetch.fetch_table(fast_client(read_timeout=0.1), server.endpoints(), "85984NED", directory)
    assert "niet bereikbaar" in str(caught.value)
    assert "geen antwoord binnen de wachttijd" in str(caught.value)
    assert (directory / "TypedDataSet.json").read_text() == before


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_unreachable_cbs_gives_dutch_message(tmp_path):
    base = f"http://127.0.0.1:{_closed_port()}"
    endpoints = fetch.Endpoints(cbs_v3=base, cbs_v3_feed=base, cbs_v4=base,
                                pdok_wfs=base + "/{year}")
    con = store.connect(":memory:")
    loader = CbsLoader(con, cache_dir=tmp_path, client=fast_client(), endpoints=endpoints)
    with pytest.raises(SourceUnavailable) as caught:
        loader.run(["GM0344"], [2024])
    message = str(caught.value)
    assert message.startswith("CBS is op dit moment niet bereikbaar (geen verbinding")
    assert "import-cbs" in message
    assert con.execute("select count(*) from loads").fetchone()[0] == 0


def test_pdok_layer_is_paged_and_simplified(server):
    collection = pdok.fetch_layer(fast_client(), server.endpoints(), 2024, "wijk", page_size=2)
    recorded = json.loads((FIXTURES / "pdok/wijk_gegeneraliseerd.json").read_text())
    assert len(collection["features"]) == len(recorded["features"])
    wfs = server.paths("/wfs/2024")
    assert [q["startIndex"] for _, q in wfs] == ["0", "2", "4"][: len(wfs)]
    assert all(q["srsName"] == "EPSG:4326" and q["typeNames"] == "wijk_gegeneraliseerd"
               and q["sortBy"] == "statcode ASC" for _, q in wfs)
    # The recorded server orders every other page differently unless asked to sort: each wijk once.
    assert sorted(f["properties"]["statcode"] for f in collection["features"]) == sorted(
        f["properties"]["statcode"] for f in recorded["features"])
    first = collection["features"][0]
    original = recorded["features"][0]["geometry"]["coordinates"][0]
    simplified = first["geometry"]["coordinates"][0]
    # Straight sides keep only their corners.
    assert len(simplified) == 5 < len(original)
    assert first["properties"] == {"statcode": "WK034401", "statnaam": "Binnenstad"}


def test_a_pdok_boundary_without_a_shape_is_named_in_the_load(server, tmp_path):
    """PDOK answers a wijk with 'geometry': null (an empty shape): the load names it, as a
    GeoJSON file's regions without a polygon are, instead of storing the others without a word."""
    layer = json.loads((FIXTURES / "pdok/wijk_gegeneraliseerd.json").read_text())
    for feature in layer["features"]:
        if feature["properties"]["statcode"] == "WK034402":
            feature["geometry"] = None
    server.layers["wijk_gegeneraliseerd"] = layer
    con = store.connect(tmp_path / "k.duckdb")
    loader = CbsLoader(con, cache_dir=tmp_path / "cache", client=fast_client(),
                       endpoints=server.endpoints())
    report = loader.run(["GM0344"], [2024])
    named = [w for w in report.warnings if "WK034402" in w]
    assert named and "geen vlak" in named[0] and "Grenzen 2024: 1 gebied(en)" in named[0], report.warnings
    assert not any("WK034401" in w or "WK034403" in w for w in report.warnings)
    wijken = con.execute("select region_code from geometries where region_level = 'wijk'"
                         " order by all").fetchall()
    assert wijken == [("WK034401",), ("WK034403",)]
    # the cached layer keeps it: the next run from the cache names it too
    offline = CbsLoader(con, cache_dir=tmp_path / "cache", client=fast_client(),
                        endpoints=server.endpoints(), offline=True)
    assert any("WK034402" in w for w in offline.run(["GM0344"], [2024]).warnings)
    # another gemeente's shapeless wijk is not named for this one
    assert not any("WK034402" in w for w in loader.run(["GM0345"], [2024]).warnings)
    con.close()


def test_a_pdok_boundary_that_crosses_itself_is_stored_and_named_in_the_load(server, tmp_path):
    layer = json.loads((FIXTURES / "pdok/wijk_gegeneraliseerd.json").read_text())
    for feature in layer["features"]:
        if feature["properties"]["statcode"] == "WK034403":
            points = [p for ring in feature["geometry"]["coordinates"] for p in ring]
            west, east = min(p[0] for p in points), max(p[0] for p in points)
            south, north = min(p[1] for p in points), max(p[1] for p in points)
            feature["geometry"] = {"type": "Polygon", "coordinates": [[
                [west, south], [east, north], [east, south], [west, north], [west, south]]]}
    server.layers["wijk_gegeneraliseerd"] = layer
    con = store.connect(tmp_path / "k.duckdb")
    loader = CbsLoader(con, cache_dir=tmp_path / "cache", client=fast_client(),
                       endpoints=server.endpoints())
    report = loader.run(["GM0344"], [2024])
    assert [w for w in report.warnings if "snijdt zichzelf" in w] == [
        "Grenzen 2024: De grens van WK034403 snijdt zichzelf bij PDOK (twee zijden van een ring "
        "kruisen elkaar). Ze is opgeslagen zoals ze is en staat op de kaart, maar het oppervlak en "
        "de plaats van de naam kunnen bij de kruising niet kloppen. Een herstelde grens (uit de "
        "wijk- en buurtkaart, of hersteld in een GIS-programma) leest u in met CBS-bestand "
        "inlezen of import-cbs."]
    assert con.execute("select count(*) from geometries where region_level = 'wijk'").fetchone() == (3,)
    con.close()


def test_loader_stores_everything_with_provenance_then_works_offline(server, tmp_path):
    con = store.connect(tmp_path / "k.duckdb")
    progress = []
    loader = CbsLoader(con, cache_dir=tmp_path / "cache", client=fast_client(),
                       endpoints=server.endpoints(),
                       progress=lambda f, m: progress.append((f, m)))
    report = jobs.load_cbs(loader, ["GM0344"], [2023, 2024])
    loaded = {(t.table_id, t.year) for t in report.loaded}
    assert {("85984NED", 2024), ("85618NED", 2023), ("03759ned", 2024), ("03759ned", 2023),
            ("85685NED", 2023), ("pdok-gebiedsindelingen", 2024)} <= loaded
    assert any("LeerlingenPo" in w and "2023" in w for w in report.warnings)  # missing column
    assert progress[-1] == (1.0, "Klaar")
    assert all(f is None or 0 <= f <= 1 for f, _ in progress)
    # fetching, then storing (all tables in one transaction) on one bar that never goes back
    fractions = [f for f, _ in progress if f is not None]
    assert fractions == sorted(fractions)
    assert (None, "Opslaan in de database") in progress
    storing = progress.index((None, "Opslaan in de database"))
    # each table is named twice on the bar: fetched before, stored after
    assert ("Kerncijfers wijken en buurten 2024 (85984NED) ophalen"
            in [m for _, m in progress[:storing]])
    assert [m for _, m in progress[storing + 1:] if "ophalen" in m] == []
    assert "Kerncijfers wijken en buurten 2024 (85984NED) opslaan" in [m for _, m in progress[storing:]]

    rows = con.execute(
        "select wijk_code, age_group, children from population_by_wijk_age"
        " where gemeente_code = 'GM0344' and year = 2024 order by all"
    ).fetchall()
    assert {r[0] for r in rows} == {"WK034401", "WK034402", "WK034403"}
    assert con.execute("select count(*) from regions where gemeente_code = 'GM0345'"
                       ).fetchone()[0] == 0  # only the chosen gemeente
    drift = con.execute(
        "select year, value from raw_cbs__kerncijfers where region_code = 'WK034402'"
        " and stem = 'JongerenMetJeugdzorgInNatura' order by year").fetchall()
    assert drift == [(2023, 640.0), (2024, 640.0)]  # _91 and _98 resolve to the same stem
    geometries = con.execute(
        "select region_level, count(*) from geometries where year = 2024 group by all"
    ).fetchall()
    assert dict(geometries) == {"gemeente": 1, "wijk": 3, "buurt": 4}
    provenance = con.execute(
        "select table_id, year, retrieved_at is not null from loads where status = 'active'"
        " and dataset = 'kerncijfers' order by year").fetchall()
    assert provenance == [("85618NED", 2023, True), ("85984NED", 2024, True)]
    assert (tmp_path / "cache/cbs/85984NED/GM0344/TypedDataSet.json").exists()
    jeugd = con.execute("select count(distinct stem) from stg_cbs__jeugdzorg").fetchone()[0]
    assert jeugd == 4
    # The Jeugdmonitor's region dimension is read from its DataProperties before filtering.
    jeugd_filter = server.paths("/feed/85685NED/TypedDataSet")[0][1]["$filter"]
    assert "startswith(WijkenEnBuurten,'GM0344')" in jeugd_filter

    # The next start without network: everything comes from the cache.
    server.always_fail["/"] = 503
    before = len(server.requests)
    offline = CbsLoader(con, cache_dir=tmp_path / "cache", client=fast_client(),
                        endpoints=server.endpoints(), offline=True)
    again = offline.run(["GM0344"], [2024])
    assert all(t.from_cache for t in again.loaded)
    assert len(server.requests) == before
    # A refresh while CBS is down keeps the stored data and says which copy was used.
    stale = CbsLoader(con, cache_dir=tmp_path / "cache", client=fast_client(retries=0),
                      endpoints=server.endpoints(), refresh=True)
    report = stale.run(["GM0344"], [2024])
    assert any("opgeslagen kopie van" in w for w in report.warnings)
    assert con.execute("select count(*) from population_by_wijk_age where gemeente_code ="
                       " 'GM0344' and year = 2024").fetchone()[0] == 9
    con.close()


def test_load_cbs_command(server, tmp_path, monkeypatch, capsys):
    endpoints = server.endpoints()
    monkeypatch.setenv("KINDKAART_CBS_V3_URL", endpoints.cbs_v3)
    monkeypatch.setenv("KINDKAART_CBS_V3_FEED_URL", endpoints.cbs_v3_feed)
    monkeypatch.setenv("KINDKAART_CBS_V4_URL", endpoints.cbs_v4)
    monkeypatch.setenv("KINDKAART_PDOK_WFS_URL", endpoints.pdok_wfs)
    db = tmp_path / "k.duckdb"
    code = cli.main(["load-cbs", "--gemeente", "GM0344", "--jaar", "2024", "--db", str(db),
                     "--cache", str(tmp_path / "cache")])
    out = capsys.readouterr()
    assert code == 0
    assert "85984NED 2024: 1 gemeente(n)" in out.out
    assert "Kerncijfers wijken en buurten 2024" in out.err  # progress
    # by name, as template and export take it; a mistyped code or name is refused with candidates
    assert cli.main(["load-cbs", "--gemeente", "Utrecht", "--jaar", "2024", "--db", str(db),
                     "--cache", str(tmp_path / "cache")]) == 0
    assert "85984NED 2024: 1 gemeente(n)" in capsys.readouterr().out
    assert cli.main(["load-cbs", "--gemeente", "GM344", "--db", str(db)]) == 1
    assert "Onbekende gemeentecode(s): GM344" in capsys.readouterr().out
    assert cli.main(["load-cbs", "--gemeente", "Utrect", "--db", str(db)]) == 1
    assert "Bedoelt u: Utrecht (GM0344)" in capsys.readouterr().out
    assert cli.main(["load-cbs", "--db", str(db)]) == 1


def test_whole_country_is_stored_per_gemeente(server, tmp_path):
    con = store.connect(":memory:")
    report = jobs.load_cbs(CbsLoader(con, cache_dir=tmp_path, client=fast_client(),
                                     endpoints=server.endpoints()), None, [2024])
    kerncijfers = next(t for t in report.loaded if t.table_id == "85984NED")
    assert len(kerncijfers.load_ids) == 2
    assert "$filter" not in server.paths("/feed/85984NED/TypedDataSet")[0][1]
    ages_filter = server.paths("/feed/03759ned/TypedDataSet")[0][1]["$filter"]
    assert "startswith(RegioS,'GM')" in ages_filter and "Perioden eq '2024JJ00'" in ages_filter
    assert con.execute("select distinct gemeente_code from population_by_wijk_age order by 1"
                       ).fetchall() == [("GM0344",), ("GM0345",)]
    assert (tmp_path / "cbs/85984NED/alle/TypedDataSet.json").exists()


def test_gemeente_names_are_fetched_and_cached(server, tmp_path):
    from data_sources.cbs import gemeenten

    names = gemeenten.fetch_names(fast_client(), server.endpoints(), tmp_path)
    assert names == {"GM0344": "Utrecht", "GM0345": "Veenendaal"}
    choices = gemeenten.choices(tmp_path, loaded={"GM9999": "Voorbeeldstad"})
    assert choices["GM0344"] == "Utrecht" and choices["GM9999"] == "Voorbeeldstad"
    assert len(choices) == 343
    assert list(choices)[:2] == ["GM1680", "GM0358"]  # Aa en Hunze, Aalsmeer: sorted by name
    assert list(choices).index("GM0518") < list(choices).index("GM0014")  # 's-Gravenhage under G


def test_a_table_cbs_does_not_have(server, tmp_path):
    from data_sources.cbs.http import NotFound

    with pytest.raises(NotFound) as caught:
        fetch.fetch_table(fast_client(), server.endpoints(), "99999NED", tmp_path / "x")
    assert str(caught.value) == "CBS kent tabel 99999NED niet (OData v3 en v4)."
    assert not (tmp_path / "x").exists()
    # A year whose tables are missing is reported, not fatal, when other years load.
    con = store.connect(":memory:")
    report = CbsLoader(con, cache_dir=tmp_path, client=fast_client(),
                       endpoints=server.endpoints()).run(["GM0344"], [2021, 2024])
    assert any("85039NED" in w for w in report.warnings)
    assert any(w.startswith("Jeugdmonitor per wijk 2021 (85075NED) niet geladen") for w in
               report.warnings)
    assert {t.year for t in report.loaded if t.dataset == "kerncijfers"} == {2024}


def test_a_load_warns_once_why_a_table_is_missing(server, tmp_path):
    # fetched first, then stored from the offline copy: the storing pass's "not in the offline
    # copy" is no news after the fetching pass said why (CBS does not know the table)
    con = store.connect(":memory:")
    report = jobs.load_cbs(CbsLoader(con, cache_dir=tmp_path, client=fast_client(),
                                     endpoints=server.endpoints()), ["GM0344"], [2021, 2024])
    assert any("85039NED" in w for w in report.warnings)
    assert not any("zonder netwerk" in w for w in report.warnings), report.warnings
    assert {t.year for t in report.loaded if t.dataset == "kerncijfers"} == {2024}
    assert not any(t.from_cache for t in report.loaded)  # all fetched now, none from an older copy
    con.close()


def test_load_cbs_offline_without_a_cached_copy(tmp_path, capsys):
    db = tmp_path / "k.duckdb"
    code = cli.main(["load-cbs", "--gemeente", "GM0344", "--offline", "--db", str(db),
                     "--cache", str(tmp_path / "leeg")])
    assert code == 1
    assert "staat niet in de opgeslagen kopie en er wordt zonder netwerk gewerkt" in \
        capsys.readouterr().out
    assert cli.main(["load-cbs", "--alle", "--gemeente", "GM0344", "--db", str(db)]) == 1
    assert "Kies --gemeente of --alle, niet allebei." in capsys.readouterr().out


def test_a_dimension_longer_than_the_v3_row_cap_is_fetched_in_pages(server, tmp_path, monkeypatch):
    recorded = json.loads((FIXTURES / "odata_v3/85984NED/WijkenEnBuurten.json").read_text())
    assert len(recorded) > 2
    server.metadata_cap = 2  # as CBS answers at most 10,000 rows, here 2
    monkeypatch.setattr(fetch, "V3_ROW_CAP", 2)
    fetch.fetch_table_v3(fast_client(), server.endpoints(), "85984NED", tmp_path)
    stored = json.loads((tmp_path / "WijkenEnBuurten.json").read_text())
    assert [r["Key"] for r in stored] == [r["Key"] for r in recorded]
    skips = [q["$skip"] for path, q in server.paths("/v3/85984NED/WijkenEnBuurten")]
    assert skips == [str(n) for n in range(0, len(recorded) + 1, 2)]


def test_the_v4_base_is_the_documented_one_and_kwb_2025_is_known():
    from data_sources.cbs.loading import KERNCIJFERS_TABLES

    assert fetch.Endpoints().cbs_v4 == "https://datasets.cbs.nl/odata/v1/CBS"
    assert KERNCIJFERS_TABLES[2025] == "86165NED"


def test_a_refetch_killed_while_the_old_copy_goes_leaves_a_whole_copy(server, tmp_path, monkeypatch):
    # The old copy was removed file by file in place: killed halfway, the folder kept its
    # metadata (and DataProperties) and counted as a usable copy, without the rows it had.
    directory = tmp_path / "85984NED"
    fetch.fetch_table(fast_client(), server.endpoints(), "85984NED", directory)
    whole = sorted(p.name for p in directory.iterdir())
    real_rmtree = fetch.shutil.rmtree

    def killed_halfway(folder, *args, **kwargs):
        folder = Path(folder)
        if folder.is_dir() and (folder / "TypedDataSet.json").exists():
            (folder / "TypedDataSet.json").unlink()  # the first file gone, then the kill
            raise KeyboardInterrupt
        real_rmtree(folder, *args, **kwargs)

    monkeypatch.setattr(fetch.shutil, "rmtree", killed_halfway)
    with pytest.raises(KeyboardInterrupt):
        fetch.fetch_table(fast_client(), server.endpoints(), "85984NED", directory)
    monkeypatch.setattr(fetch.shutil, "rmtree", real_rmtree)
    assert fetch.cached_meta(directory) is not None
    assert sorted(p.name for p in directory.iterdir()) == whole  # the new copy, whole
    assert read_table_dir(directory).records
    # the next fetch removes what the killed one left
    fetch.fetch_table(fast_client(), server.endpoints(), "85984NED", directory)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["85984NED"]


def test_a_copy_killed_between_old_aside_and_new_in_place_is_the_old_one(server, tmp_path):
    directory = tmp_path / "85984NED"
    meta = fetch.fetch_table(fast_client(), server.endpoints(), "85984NED", directory)
    directory.rename(tmp_path / "85984NED.oud")
    assert fetch.cached_meta(directory) == meta
    assert read_table_dir(directory).records


def test_gemeente_names_cut_off_by_a_killed_run_count_as_not_fetched(server, tmp_path):
    from data_sources.cbs import gemeenten

    gemeenten.fetch_names(fast_client(), server.endpoints(), tmp_path)
    path = next((tmp_path / "cbs").glob("gemeentenamen_*.json"))
    path.write_bytes(path.read_bytes()[:20])  # written in place by an older version, then killed
    assert gemeenten.cached_names(tmp_path) == {}
    assert len(gemeenten.choices(tmp_path)) == 342  # the bundled list; no traceback
    # written beside and put in place: only the whole list under its name, no scratch file left
    gemeenten.fetch_names(fast_client(), server.endpoints(), tmp_path)
    assert gemeenten.cached_names(tmp_path) == {"GM0344": "Utrecht", "GM0345": "Veenendaal"}
    assert [p.name for p in (tmp_path / "cbs").iterdir()] == [path.name]


def test_a_pdok_layer_is_cached_whole_and_what_a_killed_fetch_left_goes(server, tmp_path):
    import subprocess
    import sys

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True).stdout.strip()
    folder = tmp_path / "pdok"
    folder.mkdir()
    (folder / f"wijk_2024.{dead}.partial").write_text('{"type": "FeatureCollection", "feat')
    collection, _, cached = pdok.fetch_layer_cached(fast_client(), server.endpoints(), tmp_path, 2024, "wijk")
    assert not cached and collection["features"]
    assert [p.name for p in folder.iterdir()] == ["wijk_2024.geojson"]
    assert pdok.fetch_layer_cached(fast_client(), server.endpoints(), tmp_path, 2024, "wijk")[2]


def test_a_load_interrupted_before_the_rebuild_stores_none_of_its_tables(server, tmp_path, sample_db,
                                                                       monkeypatch):
    # Every table, the rebuild of the marts and the audit line are one transaction: a run stopped
    # in the rebuild (once each table had a transaction of its own, and load-cbs killed at random
    # moments left new kerncijfers beside old ages) stores nothing, and the figures stay current.
    import shutil

    import transforms

    cache = tmp_path / "cache"
    jobs.fetch_cbs(["GM0344"], [2024], cache_dir=cache, client=fast_client(),
                   endpoints=server.endpoints())
    path = tmp_path / "kindkaart.duckdb"
    shutil.copy(sample_db, path)

    def killed(*args, **kwargs):
        raise KeyboardInterrupt

    con = store.connect(path)
    monkeypatch.setattr(transforms, "build", killed)
    with pytest.raises(KeyboardInterrupt):
        jobs.load_cbs(CbsLoader(con, cache_dir=cache, offline=True), ["GM0344"], [2024])
    monkeypatch.undo()
    con.close()
    con = store.connect(path)
    try:
        assert con.execute("select count(*) from loads where gemeente_code = 'GM0344'").fetchone()[0] == 0
        assert con.execute("select count(*) from audit_log where action = 'cbs-lading'").fetchone()[0] == 0
        assert transforms.up_to_date(con)
        assert not jobs.ensure_current_models(con)
        # the same load, not interrupted, stores every table with the figures
        report = jobs.load_cbs(CbsLoader(con, cache_dir=cache, offline=True), ["GM0344"], [2024])
        assert {t.dataset for t in report.loaded} == {"kerncijfers", "bevolking-leeftijd", "geometrie"}
        assert con.execute("select count(*) from population_by_wijk_age where gemeente_code = 'GM0344'"
                           " and year = 2024").fetchone()[0] == 9
        assert transforms.up_to_date(con)
    finally:
        con.close()
