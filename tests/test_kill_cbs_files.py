"""Killed with kill -9 at random moments, `import-cbs` of the newer CBS files (a zipped GeoJSON, the
Jeugdmonitor per wijk, an OData UntypedDataSet.json, a zip of the new open data's Observations.csv,
a zipped cbsodata folder) over an earlier version of the file leaves the old state (the earlier
version whole) or the new, no scratch folder after the next import, and a working app."""

from __future__ import annotations

import json
import random
import shutil
import signal
import subprocess
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import REAL_DATA, ROOT, run_page
from test_kill import _command, _kill_after
from test_kill_loads import startup_seconds, whole_state

from data_sources import store
from data_sources.cli import main

KILLS = 4
DOWNLOADS = ROOT / "tests" / "fixtures" / "cbs" / "downloads"
# every wijk of Nederland in 2024 (real, 1.4 MB), else the sample's
WIJKGRENZEN = next(path for path in (REAL_DATA / "geo" / "wijk_2024_wgs84_cartomap.geojson",
                                     ROOT / "sample_data" / "geo" / "wijken.geojson") if path.exists())


def _zipped_geojson(folder: Path, earlier: bool) -> Path:
    # earlier: only the wijken of the first gemeente in the file, without its last wijk (the
    # sample's boundaries, where ../shared is not at hand, are of one gemeente only)
    archive = folder / "wijk_2024.zip"
    geojson = json.loads(WIJKGRENZEN.read_text(encoding="utf-8"))
    if earlier:
        first = geojson["features"][0]["properties"]["statcode"][2:6]
        geojson["features"] = [f for f in geojson["features"]
                               if f["properties"]["statcode"][2:6] == first][:-1]
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("wijk_2024.geojson", json.dumps(geojson))
    return archive


def _jeugdmonitor(folder: Path, earlier: bool) -> Path:
    from test_cbs_jeugdmonitor import write_jeugdmonitor

    path = write_jeugdmonitor(folder)
    if earlier:  # 120 children of 4-12 with jeugdzorg in Diezerpoort, not 140
        text = path.read_text(encoding="utf-8-sig")
        assert text.count('"     140"') == 1
        path.write_text(text.replace('"     140"', '"     120"'), encoding="utf-8-sig")
    return path


def _untyped_json(folder: Path, earlier: bool) -> Path:
    # the kwb of Den Haag 2019 (84583NED) as OData v3's UntypedDataSet: every figure padded text;
    # earlier: 50 children of 0-14 fewer in its first wijk that has more than 100
    import csv

    with (DOWNLOADS / "84583NED_UntypedDataSet_GM0518.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    if earlier:
        wijk = next(row for row in rows if row["Codering_3"].startswith("WK")
                    and row["k_0Tot15Jaar_8"].strip().isdigit() and int(row["k_0Tot15Jaar_8"]) > 100)
        wijk["k_0Tot15Jaar_8"] = str(int(wijk["k_0Tot15Jaar_8"]) - 50).rjust(8)
    path = folder / "UntypedDataSet.json"
    path.write_text(json.dumps({
        "odata.metadata": "https://opendata.cbs.nl/ODataApi/OData/84583NED/$metadata"
                          "#Cbs.OData.WebAPI.UntypedDataSet", "value": rows}), encoding="utf-8")
    return path


def _observations_zip(folder: Path, earlier: bool) -> Path:
    from test_cbs_real_variants import write_download

    download = write_download(folder / "86165NED")
    if earlier:  # 7000 inhabitants where there are 7115
        observations = download / "Observations.csv"
        text = observations.read_text(encoding="utf-8-sig")
        assert ";7115;" in text
        observations.write_text(text.replace(";7115;", ";7000;"), encoding="utf-8-sig")
    archive = folder / "86165NED.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for member in sorted(download.iterdir()):
            zipped.write(member, f"86165NED/{member.name}")
    return archive


def _cbsodata_zip(folder: Path, earlier: bool) -> Path:
    # the kerncijfers 2024 of Utrecht as cbsodata saves them, the folder zipped to be mailed on;
    # earlier: 100 children of 0-14 fewer in its first wijk
    download = folder / "85984NED"
    shutil.copytree(DOWNLOADS.parent / "odata_v3" / "85984NED", download)
    if earlier:
        rows = json.loads((download / "TypedDataSet.json").read_text(encoding="utf-8"))
        wijk = next(row for row in rows if row["WijkenEnBuurten"].startswith("WK0344"))
        wijk["k_0Tot15Jaar_8"] -= 100
        (download / "TypedDataSet.json").write_text(json.dumps(rows), encoding="utf-8")
    archive = folder / "85984NED.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for member in sorted(download.iterdir()):
            zipped.write(member, f"85984NED/{member.name}")
    return archive


# name: (write the file (or an earlier version of it) into a folder, extra arguments, the figure
# the import changes, the page and query parameters that show it)
FILES: dict[str, tuple[Callable[[Path, bool], Path], list[str], str, dict[str, str]]] = {
    "zipped geojson": (_zipped_geojson, ["--jaar", "2024"],
                       # the boundaries that came from the file (a wijk it leaves out keeps
                       # the sample's: the count of all boundaries can be the same)
                       "select count(*), count(distinct g.region_code) from geometries as g"
                       " join loads as l using (load_id) where g.year = 2024"
                       " and l.file_name = 'wijk_2024.geojson' and l.status = 'active'",
                       {}),
    "jeugdmonitor": (_jeugdmonitor, [],
                     "select count(*), sum(young_people_count) from cbs_jeugdzorg_by_wijk",
                     {"gemeente": "GM0193", "jaar": "2021"}),
    "untyped json": (_untyped_json, [],
                     "select count(*), round(sum(children), 6) from population_by_wijk_age"
                     " where gemeente_code = 'GM0518'", {"gemeente": "GM0518", "jaar": "2019"}),
    "cbsodata zip": (_cbsodata_zip, [],
                     "select count(*), round(sum(value), 6) from raw_cbs__kerncijfers"
                     " where region_code like '%0344%'", {}),
    "observations zip": (_observations_zip, [],
                         "select count(*), round(sum(value), 6) from raw_cbs__kerncijfers"
                         " where region_code like '%0193%'", {}),
}


def _scratch(folder: Path, temporary: Path) -> list[str]:
    """What killed runs left: beside the database anything but it, and Kindkaart's scratch folders
    in the temporary files (docs/storingen.md "Tijdelijke bestanden": the next such command removes them)."""
    return sorted([p.name for p in folder.iterdir() if p.name != "kindkaart.duckdb"]
                  + [p.name for p in temporary.iterdir() if p.name.startswith(store.SCRATCH_PREFIX)])


def _kill_when_unpacking(command: list[str], temporary: Path) -> bool:
    """Start the command and kill -9 it as soon as its scratch folder is in `temporary`; False
    when it ended before the folder was seen (on a busy machine the folder can come and go
    between two looks)."""
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while not any(p.name.startswith(store.SCRATCH_PREFIX) for p in temporary.iterdir()):
            if process.poll() is not None:
                return False
            time.sleep(0.001)
        process.send_signal(signal.SIGKILL)
        return True
    finally:
        process.wait()


@pytest.mark.parametrize("name", sorted(FILES))
def test_a_killed_import_cbs_of_a_newer_file_leaves_the_old_state_or_the_new(tmp_path, sample_db, name,
                                                                           monkeypatch, capsys):
    import tempfile

    write, arguments, figure_query, params = FILES[name]
    inputs, folder, temporary = (tmp_path / "in", tmp_path / "db", tmp_path / "tmp")
    for made in (inputs, folder, temporary):
        made.mkdir()
    # the unpacked zips go here, for the commands and for the in-process runs alike
    monkeypatch.setenv("TMPDIR", str(temporary))
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    path = folder / "kindkaart.duckdb"
    # the old state: the sample with an earlier version of the file, which the new one replaces
    earlier = tmp_path / "eerder" / "kindkaart.duckdb"
    earlier.parent.mkdir()
    (inputs / "eerder").mkdir()
    shutil.copy(sample_db, earlier)
    assert main(["import-cbs", str(write(inputs / "eerder", True)), *arguments, "--db", str(earlier)]) == 0
    command = _command("import-cbs", str(write(inputs, False)), *arguments, "--db", str(path))

    def fresh() -> None:
        path.with_name(path.name + ".wal").unlink(missing_ok=True)
        shutil.copy(earlier, path)

    def state() -> tuple:
        """(loads, audit log) after checking every mart equals a full build of them, and the figure."""
        loads, audit = whole_state(path)
        con = store.connect(path, read_only=True)
        try:
            return loads, audit, con.execute(figure_query).fetchall()
        finally:
            con.close()

    def complete() -> None:
        capsys.readouterr()  # (what an AppTest run logged before)
        assert main(command[3:]) == 0
        out = capsys.readouterr()
        assert "Traceback" not in out.err, out.err

    fresh()
    old = state()
    duration = _kill_after(command, 600)
    new = state()
    assert new != old and new[2] != old[2], (old, new)
    floor = min(startup_seconds(), duration) * 0.8
    chance = random.Random(f"import-cbs {name}")
    outcomes = []

    def killed_after(seconds: float) -> float | None:
        fresh()
        finished = _kill_after(command, seconds)
        outcome = state()
        assert outcome in (old, new), f"neither the old state nor the new: {outcome}"
        outcomes.append("old" if outcome == old else "new")
        if outcome == old:
            complete()  # the same command completes it, and removes what the killed run left
            assert state() == new
            assert _scratch(folder, temporary) == []
        return finished

    for _ in range(KILLS):
        duration = killed_after(chance.uniform(floor, duration)) or duration
    for share in (0.5, 0.25, 0.1):  # every random moment after the commit on a busy machine
        if "old" in outcomes:
            break
        killed_after(floor * share)
    assert "old" in outcomes
    if name.endswith("zip"):
        # and killed while its zip is unpacked in the temporary files (the moments above are
        # mostly Python's start and DuckDB's work): the old state, a folder the next run removes
        for _ in range(5):
            fresh()
            if _kill_when_unpacking(command, temporary):
                break
        else:
            pytest.fail("in five runs the import never was caught while unpacking its zip")
        assert state() == old
        assert _scratch(folder, temporary) != []
        complete()
        assert state() == new
        assert _scratch(folder, temporary) == []

    # killed once more while it works, the app opens what it left and shows the page
    fresh()
    _kill_after(command, chance.uniform(floor, duration))
    monkeypatch.setenv("KINDKAART_DB", str(path))
    at = run_page(params=params, timeout=120)
    assert not at.exception, at.exception
    # and the next import of the file removes every scratch folder the killed ones left
    fresh()
    complete()
    assert state() == new
    assert _scratch(folder, temporary) == []
