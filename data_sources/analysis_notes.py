"""Status and note per gemeente for the analysis questions only people can answer."""

from __future__ import annotations

import duckdb

STATUSES = ("open", "in bespreking", "beantwoord")


def notes(con: duckdb.DuckDBPyConnection, gemeente_code: str) -> dict[str, tuple[str, str, str]]:
    """question_key -> (status, note, 'dd-mm-jjjj door wie') for the gemeente."""
    rows = con.execute(
        "select question_key, status, coalesce(note, ''), updated_at, coalesce(updated_by, '')"
        " from analysis_notes where gemeente_code = ?", [gemeente_code]).fetchall()
    return {key: (status, note, f"{at:%d-%m-%Y}" + (f" door {by}" if by else ""))
            for key, status, note, at, by in rows}


def save_note(con: duckdb.DuckDBPyConnection, gemeente_code: str, question_key: str, status: str,
              note: str, updated_by: str | None = None) -> None:
    """Store the status and note of one question (replacing the previous one)."""
    if status not in STATUSES:
        raise ValueError(f"Onbekende status: {status}.")
    con.execute(
        "insert or replace into analysis_notes (gemeente_code, question_key, status, note,"
        " updated_by, updated_at) values (?, ?, ?, ?, ?, current_timestamp)",
        [gemeente_code, question_key, status, note.strip() or None, updated_by])
