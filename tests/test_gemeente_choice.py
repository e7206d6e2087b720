"""A real gemeente from CBS downloads: choosing it by name or code, what is loaded without buurten
or postcodes, and what a user sees when something is missing."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "registrations"))
from support import GEMEENTE, WIJKEN, filled_template  # noqa: E402

from data_sources import store  # noqa: E402
from data_sources.registrations.locations import LocationIndex, UnknownLocation  # noqa: E402


@pytest.fixture
def wijken_only(con):
    """A gemeente as a kwb file without buurt rows and without the postcode file leaves it."""
    con.execute("insert into loads (load_id, source, dataset) values (0, 'cbs', 'regio')")
    con.execute("insert into regions values (2024, ?, 'gemeente', 'Voorbeeldstad', ?, null, 0)",
                [GEMEENTE, GEMEENTE])
    for code, name in WIJKEN.items():
        con.execute("insert into regions values (2024, ?, 'wijk', ?, ?, ?, 0)", [code, name, GEMEENTE, code])
    return con


def test_a_buurtcode_counts_for_its_wijk_when_buurten_are_not_loaded(wijken_only):
    index = LocationIndex(wijken_only, GEMEENTE)
    assert index.resolve("BU99990201").wijk_code == "WK999902"
    with pytest.raises(UnknownLocation, match="geen buurtcode"):
        index.resolve("BU99990801")  # its wijk WK999908 does not exist


@pytest.mark.parametrize("postcode", ["9901 AA", "9901"])
def test_a_postcode_without_the_postcode_file_says_which_file_and_where(wijken_only, postcode):
    with pytest.raises(UnknownLocation) as refused:
        LocationIndex(wijken_only, GEMEENTE).resolve(postcode)
    message = str(refused.value)
    # which file, where it comes from and who loads it on which page; no command: the partner who
    # reads it has no command line (session 40's walkthrough)
    assert "pc6hnr" in message and "Gemeente laden" in message and "beheerder of een analist" in message
    assert "import-cbs" not in message and "python -m" not in message
    assert "Voorbeeldstad" in message


# --- choosing the gemeente on the command line: by name or code, never silently one of several

BERGEN_NH = ("GM0373", "Bergen (NH.)")
BERGEN_L = ("GM0893", "Bergen (L.)")


def _wijken(code: str) -> list[tuple]:
    return [(f"WK{code[2:]}01", "Centrum", 5000, 600), (f"WK{code[2:]}02", "Buiten", 3000, 400)]


@pytest.fixture
def three_gemeenten(tmp_path) -> Path:
    """Zwolle and both Bergens from one kwb-2024.xlsx with all of them, as a real download."""
    from kwb_files import kwb_rows, write_kwb_xlsx

    from data_sources.cli import main

    rows = kwb_rows()
    for gemeente in (BERGEN_NH, BERGEN_L):
        rows += kwb_rows(gemeente, _wijken(gemeente[0]))[1:]
    source = write_kwb_xlsx(tmp_path / "kwb-2024.xlsx", rows)
    db = tmp_path / "gemeente.duckdb"
    assert main(["import-cbs", str(source), "--db", str(db)]) == 0
    return db


sys.path.insert(0, str(Path(__file__).parent))


@pytest.mark.parametrize("command", ["export", "template"])
def test_several_gemeenten_loaded_and_none_given_is_refused_listing_them(three_gemeenten, tmp_path,
                                                                          capsys, command):
    from data_sources.cli import main

    output = tmp_path / "uit.xlsx"
    extra = ["--soort", "vve-indicaties"] if command == "template" else []
    assert main([command, *extra, "-o", str(output), "--db", str(three_gemeenten)]) == 1
    said = capsys.readouterr().out
    assert "3 gemeenten geladen" in said and "--gemeente" in said
    assert "Zwolle (GM0193)" in said and "Bergen (L.) (GM0893)" in said
    assert not output.exists()


@pytest.mark.parametrize("wanted", ["Zwolle", "zwolle", "GM0193", "0193"])
def test_export_and_template_take_a_name_or_a_code(three_gemeenten, tmp_path, capsys, wanted):
    import openpyxl

    from data_sources.cli import main

    out = tmp_path / "kinderen.xlsx"
    assert main(["export", "-o", str(out), "--gemeente", wanted, "--db", str(three_gemeenten)]) == 0
    # the gemeente by name (it printed "(GM0193, 2024)"), the year from the data
    assert "(Zwolle (GM0193), 2024)." in capsys.readouterr().out
    template = tmp_path / "sjabloon.xlsx"
    assert main(["template", "--soort", "vve-indicaties", "-o", str(template), "--gemeente", wanted,
                 "--db", str(three_gemeenten)]) == 0
    lists = openpyxl.load_workbook(template)["Lijsten"]
    assert "Wijk 22 Stadshagen" in {c.value for row in lists.iter_rows() for c in row}


@pytest.mark.parametrize(("wanted", "said"), [
    ("Bergen", "past bij meer gemeenten: Bergen (NH.) (GM0373), Bergen (L.) (GM0893)"),
    ("Zwole", "Onbekende gemeente 'Zwole'"),
    ("Amsterdam", "Amsterdam (GM0363) is niet geladen. Geladen: Zwolle (GM0193), Bergen (NH.) (GM0373)"),
])
@pytest.mark.parametrize("command", ["export", "template"])
def test_unknown_or_ambiguous_names_are_refused_in_dutch(three_gemeenten, tmp_path, capsys,
                                                         wanted, said, command):
    from data_sources.cli import main

    extra = ["--soort", "vve-indicaties"] if command == "template" else []
    output = tmp_path / "uit.xlsx"
    assert main([command, *extra, "-o", str(output), "--gemeente", wanted,
                 "--db", str(three_gemeenten)]) == 1
    assert said in capsys.readouterr().out
    assert not output.exists()


def test_bergen_by_its_full_name(three_gemeenten, tmp_path, capsys):
    from data_sources.cli import main

    assert main(["export", "-o", str(tmp_path / "b.csv"), "--gemeente", "bergen (l.)",
                 "--db", str(three_gemeenten)]) == 0
    assert "(Bergen (L.) (GM0893), 2024)." in capsys.readouterr().out


# --- a fresh installation, history and scenarios name the gemeente, description files refused


@pytest.mark.parametrize("command", [["export", "-o", "uit.xlsx"], ["scenario", "list"], ["history"]])
def test_a_fresh_installation_points_to_gemeente_laden_and_the_command(tmp_path, capsys, monkeypatch,
                                                                       command):
    from data_sources.cli import main

    monkeypatch.chdir(tmp_path)
    assert main([*command, "--db", str(tmp_path / "nieuw.duckdb")]) == 1
    said = capsys.readouterr().out
    assert "pagina Gemeente laden" in said and "python -m data_sources import-cbs kwb-2024.xlsx" in said
    assert not (tmp_path / "nieuw.duckdb").exists()


def test_export_names_the_gemeente_and_the_wijk_it_wrote(app_db, tmp_path, capsys):
    """`export` printed '(GM0088, 2024)': the gemeente by code alone."""
    from data_sources.cli import main

    factsheet = tmp_path / "factsheet.html"
    assert main(["export", "-o", str(factsheet), "--wijk", "WK999905", "--db", str(app_db)]) == 0
    assert capsys.readouterr().out.strip() == (
        f"Geschreven: {factsheet} (Voorbeeldstad (GM9999, fictief), 2024, De Horst (WK999905)).")


def test_history_shows_the_gemeente_and_takes_one_by_name(sample_db, capsys):
    from data_sources.cli import main

    assert main(["history", "--gemeente", "voorbeeldstad", "--db", str(sample_db)]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert "gemeente" in listing[0]
    assert len(listing) > 2 and all("Voorbeeldstad (GM9999, fictief)" in line for line in listing[1:])
    assert main(["history", "--gemeente", "Zwolle", "--db", str(sample_db)]) == 1
    assert "Zwolle (GM0193) is niet geladen" in capsys.readouterr().out


def test_scenarios_name_their_gemeente(sample_db, capsys):
    from data_sources.cli import main

    assert main(["scenario", "list", "--gemeente", "Voorbeeldstad", "--db", str(sample_db)]) == 0
    assert capsys.readouterr().out.splitlines()[0].split("\t")[2] == "Voorbeeldstad (GM9999, fictief)"
    assert main(["scenario", "show", "1", "--db", str(sample_db)]) == 0
    assert "(Voorbeeldstad (GM9999, fictief), 2024)" in capsys.readouterr().out.splitlines()[0]


# the first record of each as cbsodata writes them (85984NED, 2024)
DESCRIPTIONS = {
    "DataProperties.json": [{"odata.type": "Cbs.OData.GeoDetail", "ID": 0, "Position": 0, "ParentID": None,
                             "Type": "GeoDetail", "Key": "WijkenEnBuurten", "Title": "Wijken en buurten",
                             "Description": "", "MapYear": 2024}],
    "TableInfos.json": [{"ID": 0, "Title": "Kerncijfers wijken en buurten 2024",
                         "ShortTitle": "Kerncijfers wijken en buurten 2024", "Identifier": "85984NED"}],
}


@pytest.mark.parametrize("name", list(DESCRIPTIONS))
@pytest.mark.parametrize("saved_as", ["{name}", "85984NED_{name}"])
def test_cbsodata_description_files_are_refused_as_data(tmp_path, capsys, name, saved_as):
    import json

    from data_sources.cli import main

    path = tmp_path / saved_as.format(name=name)
    path.write_text(json.dumps(DESCRIPTIONS[name], indent=2), encoding="utf-8")
    db = tmp_path / "k.duckdb"
    assert main(["import-cbs", str(path), "--jaar", "2024", "--db", str(db)]) == 1
    said = capsys.readouterr().out
    assert "beschrijft een CBS-tabel" in said and "geen cijfers" in said and "TypedDataSet.json" in said
    assert not db.exists()


# --- page Gemeente laden: a file with all gemeenten, the user chooses what is kept


def _kwb_of_two(tmp_path) -> bytes:
    from kwb_files import kwb_rows, write_kwb_xlsx

    rows = kwb_rows() + kwb_rows(BERGEN_L, _wijken(BERGEN_L[0]))[1:]
    return write_kwb_xlsx(tmp_path / "kwb-2024.xlsx", rows).read_bytes()


@pytest.mark.parametrize(("keep_all", "stored"), [(False, ["GM0193"]), (True, ["GM0193", "GM0893"])])
def test_upload_keeps_only_the_chosen_gemeente_or_all_and_the_sidebar_lists_it_at_once(
        app_db, analist, tmp_path, keep_all, stored):
    from conftest import run_page

    from data_sources import store

    at = run_page("gemeente_laden", account=analist)
    at.selectbox(key="laden_gemeente").set_value("GM0193").run()
    at.file_uploader(key="laden_bestand").set_value(("kwb-2024.xlsx", _kwb_of_two(tmp_path), "application/"
                                                     "vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    at.run()
    choice = at.radio(key="laden_bestand_bereik")
    assert choice.options == ["Alleen Zwolle (GM0193)", "Alle gemeenten in het bestand"]
    assert choice.value is False  # only the chosen gemeente unless the user asks for all
    choice.set_value(keep_all).run()
    next(b for b in at.button if b.label == "Bestand inlezen").click()
    at.run()
    assert not at.exception and not at.error
    assert any("kwb-2024.xlsx is ingelezen" in s.value for s in at.success)
    con = store.connect(app_db, read_only=True)
    try:
        assert [c for (c,) in con.execute(
            "select distinct gemeente_code from regions where gemeente_code <> 'GM9999' order by 1"
        ).fetchall()] == stored
    finally:
        con.close()
    # the gemeente lists of the same session (the page's ✓ and the sidebar, both drawn before the
    # click is handled) are drawn again after the load, without a restart: AppTest shows no
    # sidebar after switch_page, so the page's own list stands for both
    offered = at.selectbox(key="laden_gemeente").options
    assert "Zwolle (GM0193) ✓" in offered and "Voorbeeldstad (GM9999, fictief) ✓" in offered
    assert ("Bergen (L.) (GM0893) ✓" in offered) == keep_all


# --- herindeling: 03759ned rows of a gemeente that no longer exists make no ghost gemeente

KEY_HEADER = ('"ID";"Geslacht";"Leeftijd";"BurgerlijkeStaat";"RegioS";"Perioden";'
              '"BevolkingOp1Januari_1";"GemiddeldeBevolking_2"')


def _ages_with_codes(tmp_path, regions: list[tuple[str, str]]) -> Path:
    """03759ned 'met codes': (code, year) blocks of ages 0-14."""
    rows, i = [], 0
    for code, year in regions:
        for age in range(15):
            rows.append(f'"{i}";"T001038";"{10010 if age == 0 else 10000 + 100 * age}";"T001019";'
                        f'"{code}  ";"{year}JJ00";"{1000 + age}";"."')
            i += 1
    path = tmp_path / "03759ned.csv"
    path.write_text("\n".join([KEY_HEADER, *rows]) + "\n", encoding="utf-8-sig")
    return path


def _gemeenten(con) -> list[str]:
    from transforms.population import LOADED_GEMEENTEN_SQL

    return [c for (c,) in con.execute(f"{LOADED_GEMEENTEN_SQL} order by 1").fetchall()]


def test_ages_of_a_former_gemeente_are_named_not_stored(con, tmp_path):
    from data_sources.jobs import import_cbs_file

    # GM0398 Heerhugowaard: merged into Dijk en Waard (GM1980) in 2022
    path = _ages_with_codes(tmp_path, [("GM0193", "2024"), ("GM0398", "2021"), ("NL01", "2024")])
    stored = import_cbs_file(con, path)
    assert "GM0398" not in _gemeenten(con) and "GM0193" in _gemeenten(con)
    assert any("niet opgeslagen: GM0398 (2021)" in note and "herindeling" in note for note in stored.notes)


def test_a_file_of_former_gemeenten_only_is_refused_and_nothing_stored(con, tmp_path):
    from data_sources.errors import InputRefused
    from data_sources.jobs import import_cbs_file

    with pytest.raises(InputRefused, match="GM0398 \\(2021\\).*herindeling"):
        import_cbs_file(con, _ages_with_codes(tmp_path, [("GM0398", "2021"), ("NL01", "2021")]))
    assert con.execute("select count(*) from loads").fetchone() == (0,)


def test_a_former_gemeente_in_the_kerncijfers_of_its_year_is_kept(con, tmp_path):
    from kwb_files import kwb_rows, write_kwb_xlsx

    from data_sources.jobs import import_cbs_file

    heerhugowaard = ("GM0398", "Heerhugowaard")
    kwb = write_kwb_xlsx(tmp_path / "kwb-2021.xlsx", kwb_rows(heerhugowaard, _wijken("GM0398")))
    import_cbs_file(con, kwb)
    stored = import_cbs_file(con, _ages_with_codes(tmp_path, [("GM0398", "2021"), ("NL01", "2021")]))
    # nothing left out; the made-up ages (15.105 of 0-14) are not the kwb's 1.010, and that is said
    assert [note for note in stored.notes if "passen niet bij elkaar" not in note] == []
    assert any("15.105" in note and "1.010" in note for note in stored.notes)
    assert con.execute("select count(*) from raw_cbs__population_by_age where gemeente_code = 'GM0398'"
                       ).fetchone() == (15,)


# --- validate and import take the gemeente by name too, with the same refusals


def _vve_file(tmp_path) -> Path:
    path = tmp_path / "vve.xlsx"
    path.write_bytes(filled_template("vve-indicaties", [["WK019310", "2-4", "SES", 12],
                                                        ["WK019322", "2-4", "SES", 30]]))
    return path


def _uploads(db: Path) -> list[tuple]:
    con = store.connect(db, read_only=True)
    try:
        return con.execute("select gemeente_code, dataset from loads where source = 'partner'"
                           " and status = 'active'").fetchall()
    finally:
        con.close()


@pytest.mark.parametrize("wanted", ["Zwolle", "zwolle", "GM0193", "0193"])
def test_validate_and_import_take_a_name_or_a_code(three_gemeenten, tmp_path, capsys, wanted):
    from data_sources.cli import main

    upload = str(_vve_file(tmp_path))
    assert main(["validate", upload, "--soort", "vve-indicaties", "--gemeente", wanted,
                 "--db", str(three_gemeenten)]) == 0
    assert "in orde: 2 rijen" in capsys.readouterr().out
    assert main(["import", upload, "--soort", "vve-indicaties", "--organisatie", "GGD",
                 "--periode", "2024", "--gemeente", wanted, "--db", str(three_gemeenten)]) == 0
    assert _uploads(three_gemeenten) == [("GM0193", "vve-indicaties")]


@pytest.mark.parametrize(("wanted", "said"), [
    ("Bergen", "past bij meer gemeenten: Bergen (NH.) (GM0373), Bergen (L.) (GM0893)"),
    ("Zwole", "Onbekende gemeente 'Zwole': geef een gemeentenaam of een code als GM0193. Bedoelt u: Zwolle"),
    ("Amsterdam", "Amsterdam (GM0363) is niet geladen. Geladen: Zwolle (GM0193), Bergen (NH.) (GM0373)"),
])
@pytest.mark.parametrize("command", ["validate", "import"])
def test_validate_and_import_refuse_unknown_or_ambiguous_names_in_dutch(three_gemeenten, tmp_path,
                                                                       capsys, wanted, said, command):
    from data_sources.cli import main

    extra = ["--organisatie", "GGD", "--periode", "2024"] if command == "import" else []
    assert main([command, str(_vve_file(tmp_path)), "--soort", "vve-indicaties", *extra,
                 "--gemeente", wanted, "--db", str(three_gemeenten)]) == 1
    assert said in capsys.readouterr().out
    assert _uploads(three_gemeenten) == []


def test_the_page_counts_nederland_apart_from_the_gemeenten(app_db, analist):
    """03759ned as the README downloads it (the gemeente and Nederland): the page said '2
    gemeente(n)', the number of loads; Nederland (the national age profile) is no gemeente."""
    from conftest import run_page
    from test_cbs_statline_ages import TITLE_HEADER, title_rows

    csv = "\n".join([TITLE_HEADER, *title_rows("Zwolle (gemeente)"), *title_rows("Nederland")]) + "\n"
    at = run_page("gemeente_laden", account=analist)
    at.file_uploader(key="laden_bestand").set_value(
        ("Bevolking__geslacht__leeftijd_en_burgerlijke_staat__1_januari_05122026.csv",
         csv.encode("utf-8-sig"), "text/csv"))
    at.run()
    next(b for b in at.button if b.label == "Bestand inlezen").click()
    at.run()
    assert not at.exception and not at.error
    said = [s.value for s in at.success]
    assert any("(Bevolking naar leeftijd (gemeente), 1 gemeente(n) en Nederland)" in s for s in said), said


@pytest.mark.parametrize(("shown", "offered"), [("GM0193", "GM0193"), ("GM9999", None)])
def test_gemeente_laden_starts_at_the_gemeente_the_sidebar_shows(app_db, analist, tmp_path, shown, offered):
    """A new user with Zwolle in the sidebar read the national kwb-2024.xlsx on Gemeente laden
    and kept all 342 gemeenten: the page's own box started empty, and empty means all. It now
    starts at the sidebar's gemeente (not at the fictional sample), so 'Alleen Zwolle' is the
    default; choosing nothing is still possible."""
    from conftest import run_page
    from kwb_files import write_kwb_xlsx

    from data_sources import jobs, store

    con = store.connect(app_db)
    try:
        jobs.import_cbs_file(con, write_kwb_xlsx(tmp_path / "kwb-2024.xlsx"))
    finally:
        con.close()
    at = run_page("gemeente_laden", account=analist, params={"gemeente": shown})
    assert not at.exception
    assert at.selectbox(key="laden_gemeente").value == offered


@pytest.mark.parametrize(("linked", "offered"), [("GM0518", "GM0518"), ("GM9999", None), ("Den Haag", None)])
def test_gemeente_laden_in_an_empty_database_starts_at_the_gemeente_of_the_link(tmp_path, monkeypatch,
                                                                                 linked, offered):
    """A link with ?gemeente=GM0518 to a fresh installation: the sidebar has no gemeente yet, and
    the page's box started empty, so the user had to pick 's-Gravenhage again. The fictional
    sample and anything that is no gemeente code are not offered."""
    from conftest import add_account, run_page

    from data_sources.accounts import Account

    path = tmp_path / "kindkaart.duckdb"
    add_account(path, "beheer", "beheerder")
    monkeypatch.setenv("KINDKAART_DB", str(path))
    at = run_page("gemeente_laden", account=Account("beheer", "beheerder", None),
                  params={"gemeente": linked, "jaar": "2024"})
    assert not at.exception
    assert at.selectbox(key="laden_gemeente").value == offered


# --- names as people type them: Den Haag, Den Bosch, without accents, hyphens or apostrophes


@pytest.mark.parametrize(("typed", "code"), [
    ("Den Haag", "GM0518"), ("den haag", "GM0518"), ("Den Bosch", "GM0796"),
    ("s Gravenhage", "GM0518"), ("'s Hertogenbosch", "GM0796"), ("’s-Hertogenbosch", "GM0796"),
    ("Sudwest-Fryslan", "GM1900"), ("Sudwest Fryslan", "GM1900"), ("SUDWESTFRYSLAN", "GM1900"),
    ("Noardeast Fryslân", "GM1970"), ("Nuenen Gerwen en Nederwetten", "GM0820"), ("Bergen L", "GM0893"),
])
def test_load_cbs_takes_common_names_and_names_typed_without_accents_or_hyphens(typed, code):
    """`load-cbs --gemeente "Den Haag"` was refused without a suggestion, 'Sudwest-Fryslan' and
    'Sudwest Fryslan' with one: where exactly one gemeente fits, it is that one."""
    from data_sources.cbs.pipeline import check_gemeenten

    assert check_gemeenten([typed]) == [code]


@pytest.mark.parametrize(("typed", "said"), [
    ("Bergen", "'Bergen' past bij meer gemeenten: Bergen (NH.) (GM0373), Bergen (L.) (GM0893)"),
    ("bergen", "past bij meer gemeenten: Bergen (NH.) (GM0373), Bergen (L.) (GM0893)"),
    ("Den Hag", "Onbekende gemeente 'Den Hag'"),
])
def test_a_name_that_fits_none_or_several_is_still_refused_with_suggestions(typed, said):
    from data_sources.cbs.pipeline import check_gemeenten
    from data_sources.errors import InputRefused

    with pytest.raises(InputRefused) as refused:
        check_gemeenten([typed])
    message = " ".join(refused.value.messages)
    assert said in message
    if typed == "Den Hag":
        assert "Bedoelt u: Den Haag (GM0518)" in message


def test_import_cbs_keeps_den_haag_and_sudwest_fryslan_typed_as_people_do(tmp_path, capsys):
    """A kwb file of 's-Gravenhage, Súdwest-Fryslân and Zwolle read with --gemeente "Den Haag"
    --gemeente "Sudwest Fryslan": those two are kept, Zwolle is not."""
    from kwb_files import kwb_rows, write_kwb_xlsx

    from data_sources.cli import main

    den_haag = kwb_rows(("GM0518", "'s-Gravenhage"), [("WK051801", "Wijk 01 Scheveningen", 30000, 4500)])
    fryslan = kwb_rows(("GM1900", "Súdwest-Fryslân"), [("WK190001", "Wijk 01 Sneek", 34000, 5000)])
    rows = [*den_haag, *fryslan[1:], *kwb_rows()[1:]]  # one Nederland row
    path = tmp_path / "kindkaart.duckdb"
    kwb = write_kwb_xlsx(tmp_path / "kwb-2024.xlsx", rows)
    assert main(["import-cbs", str(kwb), "--gemeente", "Den Haag", "--gemeente", "Sudwest Fryslan",
                 "--db", str(path)]) == 0, capsys.readouterr().out
    con = store.connect(path, read_only=True)
    try:
        assert con.execute("select distinct gemeente_code from regions order by 1").fetchall() == [
            ("GM0518",), ("GM1900",)]
    finally:
        con.close()


def test_gemeente_laden_finds_den_haag_by_its_common_name(app_db, analist):
    """The page's box filters on what is typed: 's-Gravenhage's label carries Den Haag too."""
    from conftest import run_page

    at = run_page("gemeente_laden", account=analist)
    box = at.selectbox(key="laden_gemeente")
    labels = list(box.options)  # as the browser shows them, and filters them on what is typed
    assert any("Den Haag" in text and "'s-Gravenhage" in text for text in labels), labels[:5]
    assert any("Den Bosch" in text and "'s-Hertogenbosch" in text for text in labels)
