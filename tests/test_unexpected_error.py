"""A bug in a page of the served app: a Dutch sentence with an error number on the page, the
traceback only in the server's log under that number; never a traceback or a server path on the
page. With KINDKAART_TRACEBACKS=1 (developers; the test suite, see conftest) it is raised."""

from __future__ import annotations

import logging
import re

from conftest import ROOT
from streamlit.testing.v1 import AppTest

SECRET_PATH = "/srv/kindkaart/geheim/pad.py"


def _broken_sidebar(monkeypatch) -> None:
    """app.py draws the sidebar of every page with ui.state.sidebar: make it fail as a bug would."""
    from ui import state

    def sidebar() -> None:
        raise RuntimeError(f"onverwacht in {SECRET_PATH}")

    monkeypatch.setattr(state, "sidebar", sidebar)


def test_a_bug_shows_a_dutch_sentence_with_a_number_and_logs_the_traceback(app_db, monkeypatch, caplog):
    monkeypatch.delenv("KINDKAART_TRACEBACKS", raising=False)
    _broken_sidebar(monkeypatch)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    with caplog.at_level(logging.ERROR, logger="kindkaart"):
        at.run()
    assert not at.exception
    [error] = [e.value for e in at.error]
    number = re.search(r"foutnummer ([0-9A-F]{6}), \d{2}-\d{2}-\d{4} \d{2}:\d{2}\)", error)
    assert number, error
    assert "beheerder" in error and "Ververs de pagina" in error
    assert SECRET_PATH not in error and "RuntimeError" not in error and "Traceback" not in error
    [record] = [r for r in caplog.records if r.name == "kindkaart"]
    assert number.group(1) in record.getMessage()
    assert record.exc_info is not None and SECRET_PATH in str(record.exc_info[1])


def test_with_tracebacks_asked_for_the_bug_is_raised(app_db, monkeypatch):
    monkeypatch.setenv("KINDKAART_TRACEBACKS", "1")
    _broken_sidebar(monkeypatch)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    assert at.exception and SECRET_PATH in at.exception[0].message
    assert not at.error


def test_a_bug_in_a_part_that_reruns_alone_is_said_in_dutch_too(app_db, monkeypatch):
    """Aanleveren's upload part is a fragment: its own reruns do not pass app.py's handling, so
    its decorator (ui.data.showing_refusals) says a bug the same way, with a button to try again."""
    from conftest import run_page

    from data_sources.registrations import importing

    monkeypatch.delenv("KINDKAART_TRACEBACKS", raising=False)

    def check_period(value):
        raise RuntimeError(f"onverwacht in {SECRET_PATH}")

    monkeypatch.setattr(importing, "check_period", check_period)
    at = run_page("aanleveren")
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any(re.search(r"foutnummer [0-9A-F]{6}", error) for error in errors), errors
    assert not any(SECRET_PATH in error for error in errors)
    assert any(button.label == "Opnieuw proberen" for button in at.button)
