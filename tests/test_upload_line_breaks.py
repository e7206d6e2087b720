"""A line break typed in a header cell (Alt+Enter in Excel): the header is read where it is
unambiguous, and a message that quotes a header or a sheet's name shows it on one line."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "registrations"))
from support import plain_workbook  # noqa: E402

from data_sources.registrations.validate import validate_workbook  # noqa: E402

ROWS = [["Centrum", "2-4", "SES", 12], ["Oude Haven", "0-2", "taal/spraak", 7]]


def aggregates(result) -> list[tuple]:
    return sorted(map(tuple, result.aggregates_df.astype(str).to_numpy().tolist()))


def test_a_header_broken_over_two_lines_in_its_cell_is_read_as_the_column(gem):
    typed = validate_workbook(plain_workbook(
        [["wijk", "leeftijdsgroep", "criterium", "aantal kinderen"], *ROWS]), "vve-indicaties", gem)
    broken = validate_workbook(plain_workbook(
        [["wijk", "leeftijds-\ngroep", "criterium", "aantal\r\nkinderen"], *ROWS]), "vve-indicaties", gem)
    assert typed.ok, [str(m) for m in typed.messages]
    assert broken.ok, [str(m) for m in broken.messages]
    assert len(aggregates(typed)) == 2 and aggregates(broken) == aggregates(typed)


def test_a_header_with_a_line_break_is_quoted_on_one_line(gem):
    # 'leeftijdsklasse' is no name of the column either way: refused, the name as the cell reads
    result = validate_workbook(plain_workbook(
        [["wijk", "leeftijds-\nklasse", "criterium", "aantal kinderen"], *ROWS]), "vve-indicaties", gem)
    refusal = next(m for m in result.messages if m.column == 2)
    assert str(refusal) == (
        "Blad 'Gegevens', rij 1, kolom B (leeftijds- klasse): 'leeftijds- klasse' is geen kolom van "
        "het sjabloon vve-indicaties. Hernoem de kolom naar een van: 'leeftijdsgroep' of verwijder hem.")
    shown = refusal.as_dict()
    assert shown["kolomnaam"] == "leeftijds- klasse"
    assert "\n" not in shown["melding"] and "'leeftijds- klasse'" in shown["melding"]
    assert all("\n" not in str(m) and "\r" not in str(m) for m in result.messages)


def test_a_sheet_name_with_a_line_break_is_quoted_on_one_line(gem):
    def rename(workbook):
        workbook.active.title = "Gegevens\n2024"

    result = validate_workbook(plain_workbook(
        [["wijk", "leeftijdsgroep", "criterium", "aantal kinderen"], ["Centrum", "2-4", "SES", "veel"]],
        extra=rename), "vve-indicaties", gem)
    assert result.messages
    assert all(str(m).startswith("Blad 'Gegevens 2024', rij 2") for m in result.messages), \
        [str(m) for m in result.messages]
    assert {m.as_dict()["blad"] for m in result.messages} == {"Gegevens 2024"}
