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
