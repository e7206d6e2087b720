"""Kindkaart at national scale: generate, load, measure, print a table and write results/latest.md.

`python -m benchmarks.run` (or `make benchmark`). Each measurement is the median of several runs
and is divided by a floor measured in the same run on the same machine. A measurement whose part
of the product is not there yet is skipped with the reason, never faked.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import importlib
import importlib.metadata
import importlib.util
import io
import os
import platform
import secrets
import shutil
import statistics
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# AppTest outside a server warns on every cache call; the table is what matters here.
os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import generate_national  # noqa: E402
from data_sources.accounts import Account  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "latest.md"
CACHE = ROOT / "benchmarks" / ".cache"
MEASUREMENTS = ("first_render", "interaction", "upload", "readers", "transforms", "payload", "scenario",
                "concurrency")
UPLOAD_ROWS = 20_000
PACKAGES = ("streamlit", "duckdb", "pandas", "pyarrow", "pydeck", "plotly", "python-calamine",
            "openpyxl", "playwright")


class Skip(Exception):
    """A measurement that cannot run yet; the message says why (in the table)."""


@dataclass
class Row:
    """One line of the results table."""

    measurement: str
    case: str
    value: float | None
    unit: str
    floor: float | None = None
    floor_name: str = ""
    target: str = ""
    ok: bool | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.floor:
            return None
        return self.value / self.floor


@dataclass
class Context:
    """What the measurements share: the national database, its summary and the settings."""

    db_path: Path
    summary: generate_national.Summary | None
    repeats: int
    work_dir: Path
    load_seconds: float | None = None
    notes: list[str] = field(default_factory=list)


def median_seconds(action: Callable[[], object], repeats: int, setup: Callable[[], object] | None = None) -> float:
    """Median wall time of `action` over `repeats` runs (setup runs untimed before each)."""
    times = []
    for _ in range(repeats):
        if setup:
            setup()
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _source_hash(gemeenten: int) -> str:
    """Changes when the generator or any loader changes: the cached database is then rebuilt."""
    digest = hashlib.sha256(f"{gemeenten}-{generate_national.SEED}".encode())
    paths = [ROOT / "benchmarks" / "generate_national.py", ROOT / "sample_data" / "generate.py"]
    paths += sorted((ROOT / "data_sources").rglob("*.py")) + sorted((ROOT / "data_sources").rglob("*.sql"))
    paths += sorted((ROOT / "sample_data").rglob("*.json"))
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def national_database(work_dir: Path, gemeenten: int, fresh: bool,
                      use_cache: bool = True) -> tuple[Path, generate_national.Summary, float | None]:
    """A database with the sample gemeente and `gemeenten` synthetic ones, loaded through the real
    loaders. Reused from benchmarks/.cache when the generator and loaders are unchanged (the
    national load itself takes minutes), with the models rebuilt by this code; returns (path of a
    private copy, summary, load seconds or None when cached)."""
    import transforms
    from data_sources import sample, store

    data_dir = work_dir / "national_data"
    cached = CACHE / f"national-{gemeenten}-{_source_hash(gemeenten)}.duckdb"
    target = work_dir / "kindkaart.duckdb"
    if use_cache and cached.exists() and not fresh:
        summary = generate_national.Summary(
            gemeenten=gemeenten, wijken=0, buurten=0, years=[], largest_gemeente="GM0001",
            largest_gemeente_wijken=0, folder=data_dir)
        shutil.copy(cached, target)
        # the cache holds the loads; the models (and their macros) are this code's
        con = store.connect(target)
        try:
            transforms.build(con)
        finally:
            con.close()
        _fill_summary(target, summary)
        return target, summary, None
    summary = generate_national.generate(data_dir, gemeenten)
    start = time.perf_counter()
    con = store.connect(target)
    try:
        sample.load_sample(con)
        generate_national.load_national(con, data_dir)
    finally:
        con.close()
    seconds = time.perf_counter() - start
    if not use_cache:
        return target, summary, seconds
    CACHE.mkdir(parents=True, exist_ok=True)
    for old in CACHE.glob(f"national-{gemeenten}-*.duckdb"):
        old.unlink()
    shutil.copy(target, cached)
    return target, summary, seconds


def _fill_summary(path: Path, summary: generate_national.Summary) -> None:
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        wijken, buurten = con.execute(
            "select count(*) filter (where region_level = 'wijk'),"
            " count(*) filter (where region_level = 'buurt') from regions"
            " where year = (select max(year) from regions) and gemeente_code <> 'GM9999'"
        ).fetchone()
        years = [r[0] for r in con.execute("select distinct year from regions order by 1").fetchall()]
        largest = con.execute(
            "select count(*) from regions where region_level = 'wijk' and gemeente_code = ?"
            " and year = (select max(year) from regions)", [summary.largest_gemeente]
        ).fetchone()[0]
    finally:
        con.close()
    summary.wijken, summary.buurten, summary.years = wijken, buurten, years
    summary.largest_gemeente_wijken = largest


def measure_transforms(ctx: Context) -> list[Row]:
    """Rebuilding every view and mart for the whole country, against reading every raw table once."""
    import transforms
    from data_sources import store

    path = ctx.work_dir / "transforms.duckdb"
    shutil.copy(ctx.db_path, path)
    os.sync()  # the copy's unwritten pages are not the rebuild's to write (each commit fsyncs)
    con = store.connect(path)
    try:
        raw_tables = [r[0] for r in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'main'"
            " and (table_name like 'raw_%' or table_name in ('regions', 'loads'))").fetchall()]

        def read_everything() -> None:
            for table in raw_tables:
                con.execute(f"create or replace temp table _floor as select * from {table}")

        seconds = median_seconds(lambda: transforms.build(con), ctx.repeats)
        floor = median_seconds(read_everything, ctx.repeats)
        models = len(transforms.all_models())
    finally:
        con.close()
    return [Row("Transformaties", f"alle marts, heel Nederland ({models} modellen)", seconds, "s",
                floor, "ruwe tabellen één keer lezen", "< 2 s", seconds < 2)]


BENCHMARK_ACCOUNT = Account("benchmark", "analist", None)


@contextlib.contextmanager
def app_database(ctx: Context, name: str):
    """Point the app at a private copy of the national database for an in-process AppTest."""
    path = ctx.work_dir / f"{name}.duckdb"
    shutil.copy(ctx.db_path, path)
    # Signed in as an analist (_app_test): without any account the app shows only the sample
    # gemeente (demo mode), and the benchmark needs every gemeente and the national map.
    from data_sources import accounts, store

    con = store.connect(path)
    try:
        accounts.add_account(con, BENCHMARK_ACCOUNT.login, BENCHMARK_ACCOUNT.role,
                             secrets.token_urlsafe(24))
    finally:
        con.close()
    old = os.environ.get("KINDKAART_DB")
    os.environ["KINDKAART_DB"] = str(path)
    try:
        yield path
    finally:
        if old is None:
            os.environ.pop("KINDKAART_DB", None)
        else:
            os.environ["KINDKAART_DB"] = old


def _app_test(script: Path):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(script), default_timeout=600)
    at.session_state["kindkaart_account"] = BENCHMARK_ACCOUNT
    return at


def _check(at, what: str) -> None:
    if at.exception:
        raise RuntimeError(f"{what}: {at.exception[0].message}")


def _selectbox(at, key: str):
    # After a page switch AppTest lists the sidebar's widgets under at.sidebar only.
    for tree in (at, at.sidebar):
        try:
            return tree.selectbox(key=key)
        except KeyError:
            continue
    raise KeyError(key)


def _choose(at, key: str, value) -> None:
    try:
        _selectbox(at, key).set_value(value)
    except KeyError:
        # The sidebar's persistent selectboxes keep their value in a key of their own
        # ('_year_choice' -> 'year'); setting it is what their on_change does.
        at.session_state[key.removeprefix("_").removesuffix("_choice")] = value


def _years(ctx: Context, gemeente_code: str) -> list[int]:
    import duckdb

    con = duckdb.connect(str(ctx.db_path), read_only=True)
    try:
        return [r[0] for r in con.execute(
            "select distinct year from population_by_wijk_age where gemeente_code = ? order by 1 desc",
            [gemeente_code]).fetchall()]
    finally:
        con.close()


def _gemeenten(ctx: Context) -> list[str]:
    import duckdb

    con = duckdb.connect(str(ctx.db_path), read_only=True)
    try:
        return [r[0] for r in con.execute(
            "select distinct gemeente_code from population_by_wijk_age order by 1").fetchall()]
    finally:
        con.close()


def _kaart(ctx: Context):
    at = _app_test(ROOT / "app.py")
    at.run()
    _check(at, "start")
    at.switch_page("pages/kaart.py")
    at.run()
    _check(at, "Kaart")
    return at


def measure_interaction(ctx: Context) -> list[Row]:
    """Server time from a changed gemeente, year or indicator to the redrawn Kaart page, for the
    sample gemeente, the largest gemeente and the national wijk view; cold (page caches emptied
    before every change, as for a view nobody asked for yet) and warm (asked before)."""
    import streamlit as st

    rows = []
    floor = _minimal_rerun_seconds(ctx)
    with app_database(ctx, "interaction"):
        at = _kaart(ctx)
        # The children per age group, and the model's estimates, gaps, partner signals and places
        indicators = [k for k in _indicator_keys() if k.startswith("kinderen_")]
        model_indicators = [k for k in _indicator_keys() if not k.startswith("kinderen_")]
        gemeenten = _gemeenten(ctx)
        national = _has_key(at, "_gebied_choice")
        largest = ctx.summary.largest_gemeente if ctx.summary else gemeenten[0]
        other = next(g for g in gemeenten if g not in {"GM9999", largest} and g)
        scopes = [("Voorbeeldstad (GM9999)", "GM9999", False, "< 300 ms", 0.3),
                  (f"grootste gemeente ({largest}, {ctx.summary.largest_gemeente_wijken} wijken)",
                   largest, False, "< 300 ms", 0.3)]
        scopes.append(("Nederland, alle wijken", "GM9999", True, "< 1,5 s", 1.5))
        for label, gemeente, national_view, target, limit in scopes:
            if national_view and not national:
                rows.append(Row("Interactie", label, None, "ms", note="overgeslagen: geen landelijke weergave"))
                continue
            _set_scope(at, gemeente, national_view)
            years = _years(ctx, gemeente)
            turn = {"jaar": 0, "indicator": 0, "model": 0}

            def change_year(years=years, turn=turn):
                turn["jaar"] += 1
                _choose(at, "_year_choice", years[turn["jaar"] % len(years)])

            def change_indicator(turn=turn):
                turn["indicator"] += 1
                _choose(at, "_indicator_choice", indicators[turn["indicator"] % len(indicators)])

            def change_model_indicator(turn=turn):
                turn["model"] += 1
                _choose(at, "_indicator_choice",
                        model_indicators[turn["model"] % len(model_indicators)])

            actions = [("jaar", change_year), ("indicator", change_indicator)]
            if model_indicators:
                actions.append(("modelindicator", change_model_indicator))
            if not national_view:
                def change_gemeente(gemeente=gemeente):
                    _choose(at, "_gemeente_code_choice", other)
                    at.run()
                    _choose(at, "_gemeente_code_choice", gemeente)
                actions.insert(0, ("gemeente", change_gemeente))
            for action_name, action in actions:
                cold = _timed_changes(at, action, ctx.repeats, clear=st.cache_data.clear)
                # the same changes again, each asked once before (the cold pass emptied the caches
                # before every change, so only its last choice was still kept)
                for _ in range(2):
                    turn.update(jaar=0, indicator=0, model=0)
                    warm = _timed_changes(at, action, ctx.repeats, clear=None)
                rows.append(Row("Interactie", f"{label}: {action_name} (koud)", cold * 1000, "ms",
                                floor * 1000, "minimale app opnieuw", target, cold < limit,
                                note=f"warm {warm * 1000:.0f} ms"))
    return rows


def _indicator_keys() -> list[str]:
    from ui.map_indicators import INDICATORS

    return list(INDICATORS)


def _has_key(at, key: str) -> bool:
    try:
        _selectbox(at, key)
    except KeyError:
        return False
    return True


def _set_scope(at, gemeente: str, national_view: bool) -> None:
    _choose(at, "_gemeente_code_choice", gemeente)
    at.run()
    if _has_key(at, "_gebied_choice"):
        _choose(at, "_gebied_choice", "nederland" if national_view else "gemeente")
        at.run()
    _check(at, f"{gemeente} {'landelijk' if national_view else ''}")


def _timed_changes(at, action, repeats: int, clear) -> float:
    times = []
    for _ in range(repeats):
        if clear:
            clear()
        action()
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
        _check(at, "interactie")
    return statistics.median(times)


def _minimal_rerun_seconds(ctx: Context) -> float:
    at = _app_test(ROOT / "benchmarks" / "minimal_app.py")
    at.run()
    return median_seconds(at.run, max(3, ctx.repeats))


def measure_payload(ctx: Context) -> list[Row]:
    """Bytes the browser receives for the national wijk map (the deck spec and its tooltip),
    against the wijk geometries as stored."""
    import duckdb

    with app_database(ctx, "payload"):
        at = _kaart(ctx)
        if not _has_key(at, "_gebied_choice"):
            raise Skip("geen landelijke weergave (minder dan twee gemeenten geladen)")
        _choose(at, "_gebied_choice", "nederland")
        at.run()
        _check(at, "landelijke kaart")
        year = int(at.session_state["year"])
        charts = at.get("deck_gl_json_chart")
        if not charts:
            raise RuntimeError("de landelijke kaart werd niet getekend")
        proto = charts[0].proto
        payload = len(proto.json.encode()) + len(proto.tooltip.encode())
        con = duckdb.connect(str(ctx.db_path), read_only=True)  # the app holds `path` open
        try:
            stored, wijken = con.execute(
                "select sum(strlen(geometry_json)), count(*) from geometries"
                " where region_level = 'wijk' and year = ?", [year]).fetchone()
        finally:
            con.close()
    return [Row("Kaartgegevens", f"landelijke wijkkaart ({wijken} wijken, {year})", payload / 1e6,
                "MB", stored / 1e6, "opgeslagen wijkgrenzen", "< 5 MB", payload < 5e6)]


def measure_upload(ctx: Context) -> list[Row]:
    """Validating and importing a 20,000-row partner workbook, against reading its cells with
    python-calamine."""
    if importlib.util.find_spec("data_sources.registrations") is None:
        raise Skip("de import van partnerbestanden (data_sources.registrations) is er nog niet")
    upload = importlib.import_module("benchmarks.upload")
    return upload.measure(ctx, UPLOAD_ROWS, Row, median_seconds)


def measure_readers(ctx: Context) -> list[Row]:
    """Reading a national LRK export and checking the bundled wijk boundaries, against reading
    their files."""
    readers = importlib.import_module("benchmarks.readers")
    return readers.measure(ctx, Row, median_seconds)


def measure_first_render(ctx: Context) -> list[Row]:
    """From `streamlit run` to the first chart (Overzicht) and to the map (Kaart) drawn in
    headless Chromium, against the same for a minimal app with one plotly chart."""
    sys.path.insert(0, str(ROOT / "tests"))
    try:
        import browser
    except ImportError as exc:
        raise Skip(f"browserhulp niet beschikbaar: {exc}") from None
    if not os.access(browser.CHROMIUM, os.X_OK):
        raise Skip(f"{browser.CHROMIUM} ontbreekt (make browser)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        raise Skip("playwright ontbreekt (requirements-dev.txt)") from None

    plot = ".js-plotly-plot .main-svg"
    canvas = "[data-testid='stDeckGlJsonChart'] canvas"

    def wait_chart(page) -> None:
        page.wait_for_selector(plot, timeout=120_000)

    def wait_map(page) -> None:
        # A WebGL canvas cannot be read back reliably; a screenshot of it shows what is drawn.
        from PIL import Image

        page.wait_for_selector(canvas, timeout=120_000)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with contextlib.suppress(Exception):
                shot = page.locator(canvas).first.screenshot(timeout=5_000)
                colours = Image.open(io.BytesIO(shot)).convert("RGB").getcolors(maxcolors=64)
                if colours is None or len(colours) > 4:  # polygons in several fill colours
                    return
            time.sleep(0.05)
        raise TimeoutError("de kaart werd niet getekend")

    def start_app(page, script: Path, then=None) -> list[float]:
        """Seconds from `streamlit run` to the first chart drawn (and, with `then`, to what it
        waits for after its navigation)."""
        db = ctx.work_dir / "render.duckdb"
        shutil.copy(ctx.db_path, db)
        os.sync()  # the copy's dirty pages are written now, not during the measurement
        start = time.perf_counter()
        # The health check is asked every 10 ms, so that its wait does not blur the ratio.
        with browser.streamlit_server(db, script=script, timeout=120, poll_seconds=0.01) as url:
            page.goto(url + "/", wait_until="commit")
            wait_chart(page)
            times = [time.perf_counter() - start]
            if then:
                then(page)
                times.append(time.perf_counter() - start)
            if page.locator("[data-testid='stException']").count():
                raise RuntimeError(f"uitzondering in {script.name}")
            # Leave the page before the server stops: a Streamlit page that lost its server keeps
            # trying to reconnect, and would do so while the next run's server starts.
            page.goto("about:blank")
        return times

    def to_kaart(page) -> None:
        # Through the sidebar, as a person does: on a fresh server a deep link (/kaart) reaches
        # pages/kaart.py before app.py has declared its navigation.
        page.locator("[data-testid='stSidebarNavLink']", has_text="Kaart").first.click()
        wait_map(page)

    minimal = ROOT / "benchmarks" / "minimal_app.py"
    with browser.chromium_page() as page:
        start_app(page, minimal)  # warm the OS file caches once
        # Floor and app take turns, so that a busy moment on the machine weighs on both alike.
        floors, runs = [], []
        for _ in range(ctx.repeats):
            floors.append(start_app(page, minimal)[0])
            runs.append(start_app(page, ROOT / "app.py", then=to_kaart))
    floor = statistics.median(floors)
    chart = statistics.median(r[0] for r in runs)
    kaart = statistics.median(r[1] for r in runs)
    return [Row("Eerste weergave", "eerste grafiek (Overzicht, Voorbeeldstad)", chart, "s", floor,
                "minimale app (één grafiek)", "≤ 1,3 × vloer", chart <= 1.3 * floor),
            Row("Eerste weergave", "daarna de kaart (via de zijbalk naar Kaart)", kaart, "s", floor,
                "minimale app (één grafiek)", "–", None,
                note=f"kaart {kaart - chart:.2f} s na de grafiek")]


def scenario_timings(con, gemeente_code: str, year: int, repeats: int) -> dict[str, float]:
    """Seconds for a scenario of one gemeente: recomputed after a change of its choices (the page
    keeps the model's figures per data version, so this is the arithmetic, the tariffs and the
    stale check), computed from the gap mart, and the floor (one trivial query)."""
    from transforms import scenarios
    from transforms.planning import Scenario

    inputs = scenarios.plan_inputs(con, gemeente_code, year)
    codes = [w.wijk_code for w in inputs]
    unique = list(dict.fromkeys(codes))
    # catchments of about five neighbouring wijken (by code), the way an LEA groups them
    catchments = {f"gebied {i // 5 + 1}": unique[i:i + 5] for i in range(0, len(unique), 5)}
    shares = iter([0.25, 0.5, 0.75] * (repeats + 2))
    scenario = Scenario(name="benchmark", gemeente_code=gemeente_code, year=year, catchments=catchments,
                        building_blocks=["plusgroepen", "extra_medewerker", "coaching_advies",
                                         "specialist_op_groep", "minder_kinderen"])

    def recompute() -> None:
        scenario.separate_share = next(shares)  # the change
        plan = scenarios.compute(con, scenario, inputs)
        scenarios.status(con, scenario)
        plan.totals()

    def from_marts() -> None:
        scenarios.compute(con, scenario).totals()

    return {"recompute": median_seconds(recompute, repeats), "cold": median_seconds(from_marts, repeats),
            "floor": median_seconds(lambda: con.execute("select count(*) from scenarios").fetchall(),
                                    repeats), "wijken": len(unique), "catchments": len(catchments)}


def measure_scenario(ctx: Context) -> list[Row]:
    """Server time to recompute a scenario after a change, for the gemeente with the most wijken."""
    from data_sources import store

    con = store.connect(ctx.db_path)
    try:
        found = con.execute(
            "select gemeente_code, max(year), count(distinct wijk_code) as wijken from population_by_wijk_age"
            " group by gemeente_code order by wijken desc, gemeente_code limit 1").fetchone()
        if found is None:
            raise Skip("geen gemeente geladen")
        gemeente_code, year, _ = found
        timings = scenario_timings(con, gemeente_code, int(year), ctx.repeats)
    finally:
        con.close()
    case = f"{gemeente_code} ({timings['wijken']} wijken, {timings['catchments']} verzorgingsgebieden)"
    return [Row("Scenario", f"opnieuw berekenen na een wijziging, {case}", timings["recompute"] * 1000, "ms",
                timings["floor"] * 1000, "één triviale query", "< 300 ms", timings["recompute"] < 0.3),
            Row("Scenario", f"eerste berekening uit de tekortmart, {case}", timings["cold"] * 1000, "ms",
                timings["floor"] * 1000, "één triviale query", "< 300 ms", timings["cold"] < 0.3)]

def measure_concurrency(ctx: Context) -> list[Row]:
    """Five browser sessions at once (an LEA view and four partners uploading) against one alone."""
    sys.path.insert(0, str(ROOT / "tests"))
    import browser

    if not os.access(browser.CHROMIUM, os.X_OK):
        raise Skip(f"{browser.CHROMIUM} ontbreekt (make browser)")
    concurrency = importlib.import_module("benchmarks.concurrency")
    return concurrency.measure(ctx, Row)


RUNNERS = {
    "first_render": measure_first_render,
    "interaction": measure_interaction,
    "upload": measure_upload,
    "readers": measure_readers,
    "transforms": measure_transforms,
    "payload": measure_payload,
    "scenario": measure_scenario,
    "concurrency": measure_concurrency,
}


def _format(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    digits = 0 if unit == "ms" else 2
    return f"{value:,.{digits}f} {unit}".replace(",", " ")


def table(rows: list[Row]) -> str:
    """The results as a markdown table."""
    lines = ["| meting | geval | waarde | vloer | verhouding | doel | gehaald | opmerking |",
             "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        floor = f"{_format(r.floor, r.unit)} ({r.floor_name})" if r.floor is not None else "–"
        ratio = f"{r.ratio:.2f}×" if r.ratio is not None else "–"
        ok = "–" if r.ok is None else ("ja" if r.ok else "**nee**")
        lines.append(f"| {r.measurement} | {r.case} | {_format(r.value, r.unit)} | {floor} | {ratio} "
                     f"| {r.target} | {ok} | {r.note} |")
    return "\n".join(lines)


def machine() -> list[str]:
    """The machine the benchmark ran on: cores, memory, CPU model, Python and package versions."""
    cpu = platform.processor() or "onbekend"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = "onbekend"
    with contextlib.suppress(OSError, ValueError, IndexError):
        kb = int(Path("/proc/meminfo").read_text().split("\n")[0].split()[1])
        memory = f"{kb / 1024 / 1024:.1f} GB"
    versions = []
    for package in PACKAGES:
        try:
            versions.append(f"{package} {importlib.metadata.version(package)}")
        except importlib.metadata.PackageNotFoundError:
            versions.append(f"{package} ontbreekt")
    return [f"- CPU: {cpu}, {os.cpu_count()} kernen; geheugen {memory}",
            f"- {platform.system()} {platform.release()}; Python {platform.python_version()}",
            f"- pakketten: {', '.join(versions)}"]


def report(ctx: Context, rows: list[Row], skipped: list[tuple[str, str]], started: datetime) -> str:
    """The markdown results file."""
    s = ctx.summary
    data = (f"{s.gemeenten} synthetische gemeenten, {s.wijken} wijken, {s.buurten} buurten met "
            f"geometrie, jaren {s.years[0]}-{s.years[-1]}, plus Voorbeeldstad" if s and s.years else "")
    load = (f"geladen via de echte laders in {ctx.load_seconds:.0f} s" if ctx.load_seconds is not None
            else "database uit benchmarks/.cache (zelfde generator en laders)")
    lines = [
        "# Snelheidsmeting Kindkaart", "",
        f"Gedraaid op {started:%Y-%m-%d %H:%M} UTC met `python -m benchmarks.run` (`make benchmark`) "
        f"(mediaan van {ctx.repeats} herhalingen per meting).", "",
        f"Gegevens: {data}; {load}.", "",
        "## Machine", "", *machine(), "",
        "## Resultaten", "", table(rows), "",
    ]
    if skipped:
        lines += ["## Overgeslagen", ""] + [f"- {name}: {reason}" for name, reason in skipped] + [""]
    lines += ["Interactie is servertijd (Streamlit AppTest, de pagina Kaart); 'koud' betekent dat de "
              "paginacaches vóór elke wijziging zijn geleegd, 'warm' dat dezelfde keuze al eens "
              "gevraagd was.", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; returns 0 (also when targets are missed: the table says so)."""
    parser = argparse.ArgumentParser(description="Snelheidsmeting van Kindkaart op landelijke schaal.")
    parser.add_argument("--gemeenten", type=int, default=generate_national.GEMEENTEN,
                        help="aantal synthetische gemeenten (standaard 342)")
    parser.add_argument("--repeats", type=int, default=5, help="herhalingen per meting (mediaan)")
    parser.add_argument("--only", default=",".join(MEASUREMENTS),
                        help=f"komma-gescheiden selectie uit {', '.join(MEASUREMENTS)}")
    parser.add_argument("--fresh", action="store_true", help="database opnieuw genereren en laden")
    parser.add_argument("--no-cache", action="store_true",
                        help="benchmarks/.cache niet lezen of schrijven (voor de rooktest)")
    parser.add_argument("--output", type=Path, default=RESULTS, help="resultatenbestand (markdown)")
    args = parser.parse_args(argv)
    chosen = [m.strip() for m in args.only.split(",") if m.strip()]
    unknown = set(chosen) - set(MEASUREMENTS)
    if unknown:
        parser.error(f"onbekende meting(en): {', '.join(sorted(unknown))}")

    started = datetime.now(UTC)
    with tempfile.TemporaryDirectory(prefix="kindkaart-bench-") as tmp:
        work_dir = Path(tmp)
        print(f"Landelijke gegevens voorbereiden ({args.gemeenten} gemeenten)…", flush=True)
        db_path, summary, load_seconds = national_database(work_dir, args.gemeenten, args.fresh,
                                                           use_cache=not args.no_cache)
        ctx = Context(db_path=db_path, summary=summary, repeats=args.repeats, work_dir=work_dir,
                      load_seconds=load_seconds)
        rows: list[Row] = []
        skipped: list[tuple[str, str]] = []
        for name in chosen:
            print(f"Meting: {name}…", flush=True)
            try:
                rows.extend(RUNNERS[name](ctx))
            except Skip as reason:
                print(f"  overgeslagen: {reason}")
                skipped.append((name, str(reason)))
            except Exception as error:  # a broken measurement is reported, the others still run
                print(f"  FOUT: {type(error).__name__}: {error}")
                if os.environ.get("KINDKAART_BENCHMARK_TRACE"):
                    traceback.print_exc()
                rows.append(Row(name, "fout", None, "", note=f"{type(error).__name__}: {error}"[:200]))
        text = report(ctx, rows, skipped, started)
    print()
    print(table(rows))
    for name, reason in skipped:
        print(f"overgeslagen: {name}: {reason}")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(f"\nResultaten geschreven naar {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
