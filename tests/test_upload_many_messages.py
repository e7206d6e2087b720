"""A partner workbook with more problems than the page lists (validate.MAX_MESSAGES): the count
it gives is the count of problems, not of lines shown. A real .xlsx through the check, the
command line and the Aanleveren page."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "registrations"))
from conftest import run_page, upload_registration  # noqa: E402
from support import built_small_gemeente, filled_template, stored_content  # noqa: E402

from data_sources.cli import main  # noqa: E402
from data_sources.registrations.validate import MAX_MESSAGES, validate_workbook  # noqa: E402

# 300 rows, each wrong in all four columns: 1,200 problems
BAD_ROWS = [[f"Nergenshuizen {i}", "5-6", "xx", -1] for i in range(300)]


def test_the_count_is_of_problems_not_of_lines_shown(gem):
    result = validate_workbook(filled_template("vve-indicaties", BAD_ROWS), "vve-indicaties", gem,
                               "vve.xlsx", period="2024")
    assert len(result.messages) == MAX_MESSAGES + 1
    assert result.message_texts()[-1] == ("... en nog 1000 meldingen. Verbeter eerst de meldingen "
                                          "hierboven.")
    assert result.count_text() == "1.200 meldingen; de eerste 200 staan hieronder"


def test_a_few_problems_are_counted_as_they_are(gem):
    result = validate_workbook(filled_template("vve-indicaties", BAD_ROWS[:2]), "vve-indicaties",
                               gem, "vve.xlsx", period="2024")
    assert result.count_text() == "8 melding(en)"


def test_the_page_says_how_many_problems_there_are_and_stores_nothing(app_db):
    """It said '201 melding(en)' above 200 messages and a line '... en nog 1000 meldingen'."""
    before = stored_content(app_db)
    at = run_page("aanleveren")
    upload_registration(at, "vve-indicaties", "vve-jgz.xlsx", filled_template("vve-indicaties", BAD_ROWS))
    assert not at.exception
    assert ("vve-jgz.xlsx is niet in orde (1.200 meldingen; de eerste 200 staan hieronder). Er is "
            "niets opgeslagen. Verbeter het bestand en upload het opnieuw."
            in [e.value for e in at.error]), [e.value for e in at.error]
    assert stored_content(app_db) == before


def test_the_command_line_says_how_many_problems_there_are(tmp_path, capsys):
    db = built_small_gemeente(tmp_path / "k.duckdb")
    path = tmp_path / "vve.xlsx"
    path.write_bytes(filled_template("vve-indicaties", BAD_ROWS))
    assert main(["validate", str(path), "--soort", "vve-indicaties", "--db", str(db)]) == 1
    assert capsys.readouterr().out.splitlines()[-1] == (
        "vve.xlsx is niet in orde: 1.200 meldingen; de eerste 200 staan hierboven. Er is niets "
        "opgeslagen.")
