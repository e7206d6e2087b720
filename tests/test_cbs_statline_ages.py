"""03759ned downloaded as a StatLine CSV: titles or keys, regions by name, ages as '0 jaar'."""

from __future__ import annotations

import pytest
from conftest import refusal
from kwb_files import write_kwb_xlsx

from data_sources.cbs.formats import read_cbs_file
from data_sources.cbs.loading import population_by_age_frame
from data_sources.errors import InputRefused
from data_sources.gemeentenamen import bundled_names, gemeente_code_for
from data_sources.jobs import import_cbs_file as import_file

# The StatLine download "CSV" of 03759ned with titles: UTF-8 with BOM, ';', every value quoted.
TITLE_HEADER = ('"Geslacht";"Leeftijd";"Burgerlijke staat";"Regio\'s";"Perioden";'
                '"Bevolking op 1 januari (aantal)";"Gemiddelde bevolking (aantal)"')
KEY_HEADER = ('"ID";"Geslacht";"Leeftijd";"BurgerlijkeStaat";"RegioS";"Perioden";'
              '"BevolkingOp1Januari_1";"GemiddeldeBevolking_2"')


def title_rows(region: str, year: str = "2024") -> list[str]:
    rows = []
    for age in range(15):
        rows.append(f'"Totaal mannen en vrouwen";"{age} jaar";"Totaal burgerlijke staat";"{region}";'
                    f'"{year}";"{1000 + age}";"{1001 + age}"')
        rows.append(f'"Mannen";"{age} jaar";"Totaal burgerlijke staat";"{region}";"{year}";"500";"500"')
    rows.append(f'"Totaal mannen en vrouwen";"Totaal leeftijd";"Totaal burgerlijke staat";"{region}";'
                f'"{year}";"133141";"133000"')
    return rows


def write(tmp_path, header: str, rows: list[str], name: str) -> object:
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8-sig")
    return path


def test_the_bundled_list_names_all_342_gemeenten():
    names = bundled_names()
    assert len(names) == 342 and all(names.values())
    assert names["GM0193"] == "Zwolle" and names["GM1992"] == "Voorne aan Zee"


@pytest.mark.parametrize(("title", "code"), [
    ("Zwolle (gemeente)", "GM0193"), ("Zwolle", "GM0193"), ("Utrecht (gemeente)", "GM0344"),
    ("Utrecht (PV)", None), ("Nederland", None), ("'s-Gravenhage (gemeente)", "GM0518"),
    ("Bergen (NH.)", "GM0373"), ("Súdwest-Fryslân", "GM1900"), ("GM0014", "GM0014"),
    ("Atlantis (gemeente)", None),
])
def test_region_titles_resolve_to_codes(title, code):
    assert gemeente_code_for(title) == code


def test_statline_csv_with_titles_and_region_names(tmp_path):
    rows = title_rows("Zwolle (gemeente)") + title_rows("Overijssel (PV)") + title_rows("Nederland")
    path = write(tmp_path, TITLE_HEADER, rows,
                 "Bevolking__geslacht__leeftijd_en_burgerlijke_staat__1_januari_03122026.csv")
    cbs_file = read_cbs_file(path)
    assert cbs_file.kind == "bevolking-leeftijd"
    frame = population_by_age_frame(cbs_file.table)
    # the province is no gemeente; Nederland is the national profile
    assert set(frame["gemeente_code"]) == {"GM0193", "NL01"}
    zwolle = frame[frame["gemeente_code"] == "GM0193"]
    assert zwolle.sort_values("age")["persons"].tolist() == [1000 + age for age in range(15)]
    assert set(frame["year"]) == {2024}


def test_statline_csv_with_a_title_above_and_the_source_below(tmp_path):
    # the lines StatLine may put around the table: read as the table alone, nothing refused or added
    rows = ['"Bevolking; geslacht, leeftijd, burgerlijke staat en regio, 1 januari"', TITLE_HEADER,
            *title_rows("Zwolle (gemeente)"), "", '"Bron: CBS"']
    path = tmp_path / "03759ned.csv"
    path.write_text("\r\n".join(rows) + "\r\n", encoding="utf-8-sig")
    cbs_file = read_cbs_file(path)
    assert len(cbs_file.table.records) == 31
    frame = population_by_age_frame(cbs_file.table)
    assert frame.sort_values("age")["persons"].tolist() == [1000 + age for age in range(15)]


def test_statline_csv_with_keys(tmp_path):
    rows = [f'"{i}";"T001038";"{10010 if age == 0 else 10000 + 100 * age}";"T001019";"GM0193  ";'
            f'"2024JJ00";"{1000 + age}";"."' for i, age in enumerate(range(15))]
    frame = population_by_age_frame(read_cbs_file(write(tmp_path, KEY_HEADER, rows, "03759ned.csv")).table)
    assert frame.sort_values("age")["persons"].tolist() == [1000 + age for age in range(15)]


def test_unknown_region_names_are_refused_by_name(con, tmp_path):
    path = write(tmp_path, TITLE_HEADER, title_rows("Atlantis (gemeente)"), "03759ned.csv")
    with pytest.raises(InputRefused, match="Atlantis \\(gemeente\\) zijn geen gemeenten"):
        import_file(con, path)
    assert con.execute("select count(*) from loads").fetchone() == (0,)


def test_kwb_and_a_statline_age_table_make_the_03759ned_estimate(con, tmp_path):
    import_file(con, write_kwb_xlsx(tmp_path / "kwb-2024.xlsx"))
    import_file(con, write(tmp_path, TITLE_HEADER, title_rows("Zwolle (gemeente)"), "03759ned.csv"))
    sources = con.execute("select distinct population_source from population_by_wijk_age").fetchall()
    assert sources == [("cbs-schatting",)]
    total = con.execute("select sum(children) from population_by_wijk_age").fetchone()[0]
    ages_0_11 = sum(1000 + age for age in range(12))
    # the secret wijk's share (10 of 7660) is not spread over the others
    assert total == pytest.approx(ages_0_11 * 7650 / 7660)


def test_without_its_own_ages_a_gemeente_takes_the_national_profile(con, tmp_path):
    import_file(con, write_kwb_xlsx(tmp_path / "kwb-2024.xlsx"))
    # Nederland: 1000 + age persons at each age 0-14 (and a row of men, and the total, skipped)
    import_file(con, write(tmp_path, TITLE_HEADER, title_rows("Nederland"), "03759ned.csv"))
    stored = con.execute("select gemeente_code, count(*) from raw_cbs__population_by_age"
                         " group by all").fetchall()
    assert stored == [("NL01", 15)]
    rows = con.execute("select wijk_code, population_source, sum(children)"
                       " from population_by_wijk_age group by all order by 1").fetchall()
    # Stadshagen: its 6000 children under 15 spread as Nederland's ages; 0-11 of 0-14
    share_0_11 = sum(1000 + age for age in range(12)) / sum(1000 + age for age in range(15))
    assert [(code, source) for code, source, _ in rows] == [
        ("WK019310", "cbs-landelijk-profiel"), ("WK019311", "cbs-landelijk-profiel"),
        ("WK019322", "cbs-landelijk-profiel")]
    assert rows[2][2] == pytest.approx(6000 * share_0_11)
    babies = con.execute("select children from population_by_wijk_age"
                         " where wijk_code = 'WK019322' and age_group = '0-2'").fetchone()[0]
    assert babies == pytest.approx(6000 * (1000 + 1001) / sum(1000 + age for age in range(15)))
    # the gemeente's own ages go first
    import_file(con, write(tmp_path, TITLE_HEADER, title_rows("Zwolle (gemeente)"), "zwolle.csv"))
    assert con.execute("select distinct population_source from population_by_wijk_age").fetchall() \
        == [("cbs-schatting",)]


def test_the_pages_name_the_national_profile(tmp_path, monkeypatch):
    from conftest import app_db_with_files
    from conftest import run_page_as_analist as run_page

    national = write(tmp_path, TITLE_HEADER, title_rows("Nederland"), "03759ned.csv")
    app_db_with_files(tmp_path, monkeypatch, write_kwb_xlsx(tmp_path / "kwb-2024.xlsx"), national)
    at = run_page()
    assert not at.exception
    text = " ".join(str(e.value) for e in [*at.markdown, *at.caption, *at.info, *at.warning])
    assert "kwb × landelijk profiel (03759ned)" in text
    assert "verdeeld zoals in heel Nederland (CBS, tabel 03759ned, regio Nederland" in text
    at.switch_page("pages/databronnen.py")
    at.run()
    datasets = [value for frame in at.dataframe if "Gegevens" in frame.value
                for value in frame.value["Gegevens"]]
    assert "bevolking-leeftijd (Nederland)" in datasets


def test_names_that_are_no_gemeente_of_2024_are_named_not_dropped(con, tmp_path, capsys):
    from data_sources import cli

    rows = (title_rows("Nederland") + title_rows("Zwolle (gemeente)") + title_rows("Groningen (PV)")
            + title_rows("Heerhugowaard") + title_rows("Hengelo (O.)"))
    path = write(tmp_path, TITLE_HEADER, rows,
                 "Bevolking__geslacht__leeftijd__burgerlijke_staat_en_regio__1_januari_gemengd.csv")
    kind, _, notes = import_file(con, path)
    assert kind == "bevolking-leeftijd"
    assert notes == [
        "Niet opgeslagen: Heerhugowaard (1 regio) is geen gemeente van de lijst van 2024 "
        "(data_sources/gemeenten_2024.csv), bijvoorbeeld na een samenvoeging. Download de tabel "
        "met regiocodes (GM0193) om ze te bewaren."]
    assert con.execute("select distinct gemeente_code from raw_cbs__population_by_age order by 1"
                       ).fetchall() == [("GM0164",), ("GM0193",), ("NL01",)]
    # the command line says it too
    db = tmp_path / "k.duckdb"
    assert cli.main(["import-cbs", str(path), "--db", str(db)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1] == f"Let op: {notes[0]}"


def test_a_gemeente_asked_for_but_not_in_the_file_is_refused(con, tmp_path, capsys):
    from data_sources import cli

    import_file(con, write(tmp_path, TITLE_HEADER, title_rows("Zwolle (gemeente)"), "eerder.csv"))
    before = con.execute("select * from raw_cbs__population_by_age order by all").fetchall()
    path = write(tmp_path, TITLE_HEADER, title_rows("Zwolle (gemeente)") + title_rows("Nederland"),
                 "Bevolking__geslacht__leeftijd__burgerlijke_staat_en_regio__1_januari_zwolle.csv")
    with pytest.raises(InputRefused) as refused:
        import_file(con, path, gemeenten=["GM0363"])
    assert refused.value.messages == [
        f"Bestand {path.name}: GM0363 staat niet in het bestand (wel: GM0193 Zwolle)."]
    assert con.execute("select * from raw_cbs__population_by_age order by all").fetchall() == before
    assert con.execute("select count(*) from loads where file_name = ?", [path.name]).fetchone() == (0,)
    db = tmp_path / "k.duckdb"
    assert cli.main(["import-cbs", str(path), "--gemeente", "GM0363", "--db", str(db)]) == 1
    assert "GM0363 staat niet in het bestand (wel: GM0193 Zwolle)." in capsys.readouterr().out


def test_the_command_counts_nederland_apart_from_the_gemeenten(tmp_path, capsys):
    """The README's 03759ned download (the gemeente and Nederland) said 'ingelezen voor 2
    gemeente(n)': Nederland, the national age profile, is no gemeente."""
    from data_sources.cli import main

    rows = title_rows("Zwolle (gemeente)") + title_rows("Nederland")
    path = write(tmp_path, TITLE_HEADER, rows,
                 "Bevolking__geslacht__leeftijd_en_burgerlijke_staat__1_januari_05122026.csv")
    assert main(["import-cbs", str(path), "--db", str(tmp_path / "k.duckdb")]) == 0
    said = capsys.readouterr().out
    assert "ingelezen voor 1 gemeente(n) en Nederland:" in said, said


@pytest.mark.parametrize(("sex", "status", "said"), [
    ("Mannen", "Totaal burgerlijke staat", "(Geslacht: Mannen)"),
    ("Totaal mannen en vrouwen", "Ongehuwd", "(Burgerlijke staat: Ongehuwd)"),
])
def test_a_download_of_only_boys_or_one_marital_status_says_to_choose_the_totals(
        con, tmp_path, sex, status, said):
    # before: 'geen leeftijden 0-14 per gemeente of voor Nederland gevonden', while the file had them
    rows = [f'"{sex}";"{age} jaar";"{status}";"Zwolle (gemeente)";"2024";"{500 + age}";"500"'
            for age in range(15)]
    path = write(tmp_path, TITLE_HEADER, rows, "03759ned.csv")
    message = refusal(con, lambda: import_file(con, path))
    assert message == (
        f"Bestand 03759ned.csv: het bestand heeft de leeftijden alleen voor een deel van de kinderen {said}, "
        "niet voor het totaal. Kindkaart telt alle kinderen: download de tabel opnieuw met bij "
        "Geslacht 'Totaal mannen en vrouwen' en bij Burgerlijke staat 'Totaal burgerlijke staat'. "
        "Er is niets opgeslagen.")


def test_a_download_with_keys_names_the_code_it_has_instead_of_the_total(con, tmp_path):
    rows = [f'"{i}";"3000";"{10010 if age == 0 else 10000 + 100 * age}";"T001019";"GM0193  ";'
            f'"2024JJ00";"{500 + age}";"."' for i, age in enumerate(range(15))]
    path = write(tmp_path, KEY_HEADER, rows, "03759ned.csv")
    assert "(Geslacht: code 3000), niet voor het totaal" in refusal(con, lambda: import_file(con, path))
