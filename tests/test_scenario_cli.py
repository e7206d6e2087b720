"""`python -m data_sources scenario`: list (id first), show, export to .xlsx and .html."""

from __future__ import annotations

import openpyxl

from data_sources.cli import main


def test_list_gives_one_scenario_a_line_id_first(sample_db, capsys):
    assert main(["scenario", "list", "--db", str(sample_db)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split("\t")[0] for line in lines] == ["1", "2"]
    assert "Voorbeeld passend" in lines[0] and lines[0].endswith("actueel")
    assert "inclusief" in lines[1]


def test_show_gives_figures_per_catchment_and_the_risks(sample_db, capsys):
    assert main(["scenario", "show", "1", "--db", str(sample_db)]) == 0
    out = capsys.readouterr().out
    assert "Noord en Midden:" in out and "Zuid:" in out and "Gemeente:" in out
    assert "Nieuwe BSO-plusgroepen: 0" in out and "Fte totaal: 19,9" in out
    assert "000:L157" in out and "000:L1644" in out and "000:L893" in out
    assert "geen tarieven" in out


def test_export_writes_workbook_and_printable_plan_with_sources(app_db, tmp_path, capsys):
    # app_db, a private copy: an export writes its audit line into the database
    xlsx, html = tmp_path / "plan.xlsx", tmp_path / "plan.html"
    assert main(["scenario", "export", "2", "-o", str(xlsx), "--db", str(app_db)]) == 0
    assert main(["scenario", "export", "2", "-o", str(html), "--db", str(app_db)]) == 0
    workbook = openpyxl.load_workbook(xlsx)
    assert {"Scenario", "Kerncijfers", "Per verzorgingsgebied", "Aannames", "Risico's", "Tarieven",
            "Wijken"} <= set(workbook.sheetnames)
    sources = [row[6] for row in workbook["Aannames"].iter_rows(min_row=2, values_only=True)]
    assert all(sources) and any("000:L1733" in s for s in sources)
    text = html.read_text(encoding="utf-8")
    assert "Voorbeeld inclusief" in text and "3,5 m²" in text and "Schatting" in text


def test_unknown_id_and_wrong_suffix_are_refused(sample_db, tmp_path, capsys):
    assert main(["scenario", "show", "99", "--db", str(sample_db)]) == 1
    assert "bestaat niet" in capsys.readouterr().out
    assert main(["scenario", "export", "1", "-o", str(tmp_path / "plan.pdf"), "--db", str(sample_db)]) == 1
    assert "kies .xlsx of .html" in capsys.readouterr().out


def test_export_is_in_the_audit_log_as_the_other_exports(app_db, tmp_path, capsys):
    import duckdb

    assert main(["scenario", "export", "1", "-o", str(tmp_path / "plan.xlsx"), "--db", str(app_db)]) == 0
    assert main(["scenario", "export", "2", "-o", str(tmp_path / "plan.html"), "--db", str(app_db)]) == 0
    # refused (no file written): no line
    assert main(["scenario", "export", "99", "-o", str(tmp_path / "x.xlsx"), "--db", str(app_db)]) == 1
    con = duckdb.connect(str(app_db), read_only=True)
    try:
        log = con.execute("select actor, action, detail, gemeenten from audit_log"
                          " where action = 'export' order by event_id").fetchall()
    finally:
        con.close()
    assert log == [("opdrachtregel", "export", "plan.xlsx (scenario 1, GM9999, 2024)", ["GM9999"]),
                   ("opdrachtregel", "export", "plan.html (scenario 2, GM9999, 2024)", ["GM9999"])]
    assert "niet in het logboek" not in capsys.readouterr().out


def test_export_of_a_read_only_database_is_written_and_says_it_is_not_logged(app_db, tmp_path, capsys):
    import subprocess

    import pytest

    if subprocess.run(["chattr", "+i", str(app_db)], capture_output=True).returncode:
        pytest.skip("chattr +i is not available here")
    output = tmp_path / "plan.xlsx"
    try:
        assert main(["scenario", "export", "1", "-o", str(output), "--db", str(app_db)]) == 0
    finally:
        subprocess.run(["chattr", "-i", str(app_db)], capture_output=True)
    assert "niet in het logboek" in capsys.readouterr().out
    assert output.stat().st_size > 0
