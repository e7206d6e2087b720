"""The registration commands: template, validate, import, history, restore; exit codes 0/1/2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "registrations"))
from support import built_small_gemeente, filled_template, stored_content  # noqa: E402

from data_sources import store  # noqa: E402
from data_sources.cli import main  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def db(tmp_path) -> Path:
    return built_small_gemeente(tmp_path / "k.duckdb")


def write(tmp_path, name, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_template_then_validate_then_import_then_history_and_restore(db, tmp_path, capsys):
    template = tmp_path / "sjabloon.xlsx"
    assert main(["template", "--soort", "vve-indicaties", "-o", str(template), "--db", str(db)]) == 0
    assert openpyxl.load_workbook(template)["Gegevens"]["A1"].value == "wijk"

    good = write(tmp_path, "vve.xlsx", filled_template(
        "vve-indicaties", [["Centrum", "2-4", "SES", 12], ["Bloemhof", "2-4", "SES", 30]]))
    assert main(["validate", good, "--soort", "vve-indicaties", "--db", str(db)]) == 0
    assert "in orde: 2 rijen" in capsys.readouterr().out

    args = ["--soort", "vve-indicaties", "--organisatie", "GGD", "--periode", "2024",
            "--db", str(db)]
    assert main(["import", good, *args]) == 0
    assert "Opgeslagen als upload" in capsys.readouterr().out
    assert main(["import", good, *args]) == 0
    assert "al aangeleverd" in capsys.readouterr().out
    newer = write(tmp_path, "vve2.xlsx", filled_template(
        "vve-indicaties", [["Centrum", "2-4", "SES", 14]]))
    assert main(["import", newer, *args]) == 0
    out = capsys.readouterr().out
    assert "vervangt upload" in out

    assert main(["history", "--db", str(db)]) == 0
    listing = capsys.readouterr().out
    assert "vervangen" in listing and "actief" in listing and "vve2.xlsx" in listing
    con = store.connect(db, read_only=True)
    first = con.execute("select min(load_id) from loads where dataset = 'vve-indicaties'"
                        ).fetchone()[0]
    con.close()
    assert main(["restore", str(first), "--db", str(db)]) == 0
    con = store.connect(db, read_only=True)
    assert con.execute("select sum(children_count) from stg_partner__vve_indicaties"
                       ).fetchone() == (42,)
    con.close()


@pytest.mark.parametrize("period", ["99999999999", "2099", "kwartaal 5"])
def test_validate_judges_the_period_as_import_does(db, tmp_path, capsys, period):
    # validate said 'in orde' for a period import refuses
    good = write(tmp_path, "vve.xlsx", filled_template("vve-indicaties", [["Centrum", "2-4", "SES", 12]]))
    args = ["--soort", "vve-indicaties", "--periode", period, "--db", str(db)]
    assert main(["validate", good, *args]) != 0
    said = capsys.readouterr().out
    assert "in orde" not in said and said.startswith("Periode: ")
    assert main(["import", good, *args, "--organisatie", "GGD"]) != 0
    assert capsys.readouterr().out.startswith("Periode: ")


def test_invalid_file_exits_1_with_messages_and_stores_nothing(db, tmp_path, capsys):
    bad = write(tmp_path, "vve.xlsx", filled_template(
        "vve-indicaties", [["Noordeinde", "2-4", "SES", 5], ["Centrum", "2-4", "SES", -1]]))
    before = stored_content(db)
    assert main(["validate", bad, "--soort", "vve-indicaties", "--db", str(db)]) == 1
    out = capsys.readouterr().out
    assert ("Blad 'Gegevens', rij 2, kolom A (wijk): 'Noordeinde' is geen wijk van Voorbeeldstad"
            in out)
    assert "rij 3, kolom D (aantal kinderen): '-1' is negatief" in out
    assert main(["import", bad, "--soort", "vve-indicaties", "--organisatie", "GGD",
                 "--periode", "2024", "--db", str(db)]) == 1
    assert stored_content(db) == before


def test_a_period_that_has_not_begun_exits_1_and_stores_nothing(db, tmp_path, capsys):
    good = write(tmp_path, "vve.xlsx", filled_template("vve-indicaties", [["Centrum", "2-4", "SES", 5]]))
    before = stored_content(db)
    assert main(["import", good, "--soort", "vve-indicaties", "--organisatie", "GGD",
                 "--periode", "2099-Q1", "--db", str(db)]) == 1
    out = capsys.readouterr().out
    assert "Periode: '2099-Q1' is nog niet begonnen" in out and "Traceback" not in out
    assert stored_content(db) == before


@pytest.mark.parametrize("argv", [
    ["validate", "x.xlsx"],                                         # --soort missing
    ["validate", "x.xlsx", "--soort", "onbekend"],
    ["import", "x.xlsx", "--soort", "vve-indicaties"],              # organisation, period
    ["template", "-o", "x.xlsx"],                                   # --soort missing
    ["template", "vve-indicaties", "-o", "x.xlsx"],                 # --soort, as everywhere
    ["restore", "drie"],
])
def test_wrong_usage_exits_2(argv, db, capsys):
    with pytest.raises(SystemExit) as stopped:
        main([*argv, "--db", str(db)])
    assert stopped.value.code == 2
    assert "Fout in de opdracht" in capsys.readouterr().err


def test_missing_file_and_unknown_upload_exit_1(db, capsys):
    assert main(["validate", "/nergens.xlsx", "--soort", "jeugdhulp", "--db", str(db)]) == 1
    assert main(["restore", "999", "--db", str(db)]) == 1
    out = capsys.readouterr().out
    assert "bestaat niet" in out and "Upload 999" in out


def test_as_a_program(db, tmp_path):
    bad = write(tmp_path, "x.xlsx", b"wijk;aantal\nCentrum;5\n")
    done = subprocess.run(
        [sys.executable, "-m", "data_sources", "validate", bad, "--soort", "jeugdhulp",
         "--db", str(db)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "tekstbestand" in done.stdout and "Traceback" not in done.stderr


def test_history_never_prints_the_control_characters_of_an_uploaded_file_name(db, capsys):
    """The file name of an upload is the partner's (the browser sends it; a partner can send any
    bytes): escape sequences in it reached the terminal of the beheerder who ran `history` (ESC ]52
    writes the clipboard, ESC [8m hides what follows) and a line break printed a made-up line."""
    from data_sources import jobs

    name = ("vve\x1b]52;c;ZWNobyBoYWNr\x07\x1b[8m.xlsx\n    99  actief     vve-indicaties"
            "\u202e\x9b2J")
    con = store.connect(db)
    try:
        jobs.import_registration(con, filled_template("vve-indicaties", [["Centrum", "2-4", "SES", 12]]),
                                 "vve-indicaties", "GGD", "2024", name, actor="ggd")
        stored = con.execute("select file_name from loads where organisation = 'GGD'").fetchone()[0]
        logged = con.execute("select detail from audit_log where action = 'upload'").fetchone()[0]
        # an upload from before, stored as it came
        con.execute("update loads set file_name = ? where organisation = 'GGD'", [name])
    finally:
        con.close()
    assert stored == "vve]52;c;ZWNobyBoYWNr[8m.xlsx 99 actief vve-indicaties2J"
    assert stored in logged
    capsys.readouterr()
    assert main(["history", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert not any(ord(c) < 32 and c != "\n" or 0x7f <= ord(c) <= 0x9f or c == "\u202e" for c in out)
    assert len(out.splitlines()) == 2  # the header and the one upload
