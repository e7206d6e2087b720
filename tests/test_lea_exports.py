"""What the presentation lets each role take home: the LEA view only the slides, no exports."""

from __future__ import annotations

import duckdb
import pytest
from conftest import add_account, run_page

from data_sources import store
from data_sources.accounts import Account


def downloads(at) -> list[str]:
    return [button.label for button in at.get("download_button")]


def test_the_lea_gets_no_report_workbook_or_factsheet(app_db):
    # Before, "Downloads voor de Planvorming" gave the LEA the workbook with a sheet Databronnen
    # listing every partner upload (organisation, file name, rows), the report and the factsheet.
    add_account(app_db, "lea", "lea")
    at = run_page(account=Account("lea", "lea"))  # the LEA starts on the presentation
    assert not at.exception
    assert at.title[0].value == "Kerncijfers"
    assert downloads(at) == []
    assert not [e for e in at.expander if "Downloads" in e.label]
    # the wijk of the slide 'Wijk in beeld' is still chosen on the page
    at.selectbox(key="_wijk_choice").set_value("WK999905").run()
    assert not at.exception
    assert at.query_params["wijk"] == "WK999905"
    assert downloads(at) == []
    con = duckdb.connect(str(app_db), config=store.CONNECT_CONFIG)
    try:
        assert con.execute("select count(*) from audit_log where action = 'export'").fetchone() == (0,)
    finally:
        con.close()


@pytest.mark.parametrize("role", ["analist", "beheerder"])
def test_the_gemeente_takes_home_report_workbook_and_factsheet(app_db, role):
    add_account(app_db, role, role)
    at = run_page("presentatie", account=Account(role, role))
    assert not at.exception
    assert downloads(at) == ["Gemeenterapport (HTML)", "Werkboek (Excel)"]
    at.selectbox(key="_wijk_choice").set_value("WK999905").run()
    assert "Wijkfactsheet De Horst (HTML)" in downloads(at)
