"""The first page a person sees imports only what it draws: heavy modules wait for their page."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Loaders, exports, the map and pandas: each costs a tenth of a second or more to import (pandas
# half a second), and none of them is needed to draw Overzicht from an existing database.
NOT_FOR_OVERZICHT = [
    "data_sources.sample", "data_sources.registrations", "data_sources.cbs", "data_sources.geo",
    "openpyxl", "python_calamine", "pydeck", "plotly.express", "outputs.report",
    "outputs.exports", "pandas", "pyarrow",
]

RUN_DEFAULT_PAGE = """
import json, sys
from streamlit.testing.v1 import AppTest
at = AppTest.from_file("app.py", default_timeout=60)
at.run()
assert not at.exception, at.exception
print(json.dumps({"title": at.title[0].value, "modules": sorted(sys.modules)}))
"""


def test_default_page_does_not_import_loaders_exports_map_or_pandas(app_db):
    env = {**os.environ, "STREAMLIT_LOGGER_LEVEL": "error"}
    result = subprocess.run([sys.executable, "-c", RUN_DEFAULT_PAGE], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120, check=True)
    shown = json.loads(result.stdout.strip().splitlines()[-1])
    assert shown["title"].startswith("Overzicht Voorbeeldstad")
    imported = [name for name in NOT_FOR_OVERZICHT if name in shown["modules"]]
    assert imported == []


def test_missing_default_database_is_built_from_the_sample_on_first_visit(tmp_path, monkeypatch):
    from conftest import run_page

    from data_sources import config

    path = tmp_path / "nieuw" / "kindkaart.duckdb"
    monkeypatch.delenv("KINDKAART_DB", raising=False)
    monkeypatch.setattr(config, "DEFAULT_DB_PATH", path)  # `make run` on a new machine
    at = run_page()
    assert not at.exception, at.exception
    assert at.title[0].value.startswith("Overzicht Voorbeeldstad")
    assert path.exists()


def test_a_mistyped_database_path_is_an_error_not_the_sample(tmp_path, monkeypatch):
    from conftest import run_page

    path = tmp_path / "typo" / "kindkaart.duckdb"
    monkeypatch.setenv("KINDKAART_DB", str(path))
    at = run_page()
    assert not at.exception
    assert "De database bestaat nog niet" in at.error[0].value
    assert str(tmp_path) not in at.error[0].value  # no server paths
    assert not path.exists() and not path.parent.exists()


# One thread imports pandas slowly (its module is in sys.modules, still empty, until it is let go:
# as on a freshly started two-core server where another session's page imports it); meanwhile
# Overzicht builds its chart, the way pages/overzicht.py does. Without the wait the import is let go
# only after the chart, so that the race is certain however busy the machine; with it, 1.5 s on.
HALF_IMPORTED_PANDAS = """
import importlib.abc, sys, threading
sys.path.insert(0, ".")
WAIT = {wait}
started, release = threading.Event(), threading.Event()

class SlowPandas(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name != "pandas":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec("pandas")
        real = spec.loader.exec_module
        def slow(module):
            started.set()
            release.wait(60)
            real(module)
        spec.loader.exec_module = slow
        return spec

import importlib.util
import plotly.graph_objects as go
from ui.safe import pandas_settled
sys.meta_path.insert(0, SlowPandas())
importer = threading.Thread(target=lambda: __import__("pandas"))
importer.start()
assert started.wait(60) and "pandas" in sys.modules
if WAIT:
    threading.Timer(1.5, release.set).start()
    pandas_settled()
try:
    figure = go.Figure()
    figure.add_bar(x=["Centrum", "Noord"], y=[815, 620], name="0-2 jaar")
    figure.to_json()
finally:
    release.set()
importer.join()
print("ok")
"""


def test_a_chart_waits_for_pandas_that_another_session_is_importing():
    """The faults review: on a fresh server, people opening pages at once got "partially
    initialized module 'pandas'" from Overzicht's chart. Without the wait the same script fails,
    so the test sees the race it guards against."""
    env = {**os.environ, "STREAMLIT_LOGGER_LEVEL": "error"}
    waited = subprocess.run([sys.executable, "-c", HALF_IMPORTED_PANDAS.format(wait=True)], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=120)
    assert waited.returncode == 0 and waited.stdout.strip() == "ok", waited.stderr[-2000:]
    raced = subprocess.run([sys.executable, "-c", HALF_IMPORTED_PANDAS.format(wait=False)], cwd=ROOT,
                           env=env, capture_output=True, text=True, timeout=120)
    assert raced.returncode != 0 and "pandas" in raced.stderr, raced.stdout
