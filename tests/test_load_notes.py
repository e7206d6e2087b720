"""Notes after a CBS load: the loader says which only inform (what was left out as asked, where
the figures show) and which warn (data missing, tables that disagree). Gemeente laden showed every
note as a warning and the command marked every one 'Let op:', so that a real problem looked like
the routine ones around it."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import add_account, run_page

from data_sources import cli, jobs, store
from data_sources.accounts import Account
from data_sources.errors import severity

FIXTURES = Path(__file__).parent / "fixtures" / "cbs"
LEFT_OUT = ("Het bestand heeft ook 1 andere gemeente(n) (GM0345); alleen de gekozen gemeente(n) zijn "
            "opgeslagen, van de andere niets.")
NO_CHILDREN = "Dit bestand heeft geen aantal kinderen van 0 tot 15 jaar (kwb-kolom a_00_14"


def _kwb_without_children(tmp_path) -> Path:
    """kwb-2024.csv of Utrecht and Amersfoort (the recorded fixture) without its column a_00_14."""
    lines = (FIXTURES / "kwb-2024.csv").read_text(encoding="utf-8").splitlines()
    column = lines[0].split(";").index("a_00_14")
    path = tmp_path / "kwb-2024.csv"
    path.write_text("\n".join(";".join(cell for i, cell in enumerate(line.split(";")) if i != column)
                              for line in lines) + "\n", encoding="utf-8")
    return path


def test_the_loader_marks_each_note(tmp_path):
    con = store.connect(tmp_path / "k.duckdb")
    try:
        _kind, _loads, notes = jobs.import_cbs_file(con, _kwb_without_children(tmp_path), gemeenten=["GM0344"])
    finally:
        con.close()
    assert len(notes) == 2
    by_severity = {severity(note): note for note in notes}
    assert by_severity["info"] == LEFT_OUT
    assert by_severity["warning"].startswith(NO_CHILDREN)


def test_the_command_marks_only_the_warnings(tmp_path, capsys):
    assert cli.main(["import-cbs", str(_kwb_without_children(tmp_path)), "--gemeente", "GM0344",
                     "--db", str(tmp_path / "k.duckdb")]) == 0
    _stored, warning, informing = capsys.readouterr().out.strip().splitlines()
    assert warning.startswith(f"Let op: {NO_CHILDREN}")  # what to act on first
    assert informing == LEFT_OUT


@pytest.fixture
def analist(app_db):
    add_account(app_db, "analist", "analist")
    return Account("analist", "analist", None)


def test_gemeente_laden_shows_information_as_information_and_warnings_as_warnings(app_db, analist, tmp_path):
    path = _kwb_without_children(tmp_path)
    at = run_page("gemeente_laden", 120, account=analist, params={"laden": "GM0344"})
    at.file_uploader(key="laden_bestand").set_value((path.name, path.read_bytes(), "text/csv"))
    at.run()
    assert at.radio(key="laden_bestand_bereik").value is False  # only the chosen gemeente
    next(b for b in at.button if b.label == "Bestand inlezen").click()
    at.run(timeout=120)
    assert not at.exception, at.exception
    assert not at.error
    assert any(str(s.value).startswith("kwb-2024.csv is ingelezen") for s in at.success)
    warnings = [str(w.value) for w in at.warning]
    informing = [str(i.value) for i in at.info]
    assert [w for w in warnings if w.startswith(NO_CHILDREN)] != []
    assert LEFT_OUT in informing and LEFT_OUT not in warnings
    assert not any(text.startswith(NO_CHILDREN) for text in informing)
