"""Real gemeenten in shapes the other tests do not load: a gemeente of before a herindeling."""

from __future__ import annotations

from conftest import app_db_with_files
from conftest import run_page_as_analist as run_page
from kwb_files import kwb_rows, write_kwb_xlsx

# Heerhugowaard (GM0398) and Langedijk (GM0416) as in a kwb of 2021; since 2022 they are Dijk en
# Waard (GM1980), so the bundled boundaries of 2024 have neither. Counts made up, codes real.
HEERHUGOWAARD = ("GM0398", "Heerhugowaard")
HEERHUGOWAARD_WIJKEN = [("WK039801", "Wijk 01 Centrum", 9000, 1500), ("WK039802", "Wijk 02 Zuid", 12000, 2100)]


def test_a_gemeente_of_before_a_herindeling_says_where_to_load_its_map(tmp_path, monkeypatch):
    """The Kaart and the map slide of Heerhugowaard 2021 said only 'Voor deze gemeente zijn nog
    geen wijkgrenzen geladen.': not why the bundled boundaries do not help, nor where to load."""
    app_db_with_files(tmp_path, monkeypatch,
                      write_kwb_xlsx(tmp_path / "kwb-2021.xlsx", kwb_rows(HEERHUGOWAARD, HEERHUGOWAARD_WIJKEN)))
    at = run_page("kaart")
    assert not at.exception
    assert not at.get("deck_gl_json_chart")
    warnings = " ".join(str(w.value) for w in at.warning)
    assert "Voor Heerhugowaard zijn nog geen wijkgrenzen geladen." in warnings
    assert "gemeenten van 2024; Heerhugowaard (GM0398) is daar niet bij" in warnings
    assert "Laad de grenzen van 2021 op de pagina **Gemeente laden**" in warnings
    # the figures are there all the same: the table under the map
    assert "Wijk 02 Zuid" in " ".join(str(m.value) for m in at.markdown)
    # and the profile of a wijk, which was offered only for wijken on the map
    at.selectbox(key="_profiel_wijk_choice").set_value("WK039802").run()
    assert not at.exception
    assert [h.value for h in at.header if "Wijkprofiel" in h.value] == ["Wijkprofiel Wijk 02 Zuid"]

    slide = run_page("presentatie", params={"gemeente": "GM0398", "jaar": "2021", "dia": "kaart"})
    assert not slide.exception
    warnings = " ".join(str(w.value) for w in slide.warning)
    assert "Heerhugowaard (GM0398) is daar niet bij" in warnings and "Gemeente laden" in warnings


def test_a_former_gemeente_by_name_is_refused_saying_to_give_its_code(tmp_path, capsys):
    """`--gemeente Heerhugowaard` on a kwb of 2021 said only 'Onbekende gemeente', while the
    gemeente is in the file: names come from the 2024 list, a former gemeente needs its code."""
    from data_sources.cli import main

    kwb = write_kwb_xlsx(tmp_path / "kwb-2021.xlsx", kwb_rows(HEERHUGOWAARD, HEERHUGOWAARD_WIJKEN))
    db = str(tmp_path / "k.duckdb")
    assert main(["import-cbs", str(kwb), "--gemeente", "Heerhugowaard", "--db", db]) == 1
    said = capsys.readouterr().out
    assert "Onbekende gemeente 'Heerhugowaard'" in said
    assert "Een gemeente van vóór een herindeling" in said and "--gemeente GM0398" in said
    assert main(["import-cbs", str(kwb), "--gemeente", "GM0398", "--db", db]) == 0
    assert "ingelezen voor 1 gemeente(n)" in capsys.readouterr().out
    # the gemeente of today is not in a file of before the herindeling: the message says why
    assert main(["import-cbs", str(kwb), "--gemeente", "GM1980", "--db", db]) == 1
    assert ("GM1980 staat niet in het bestand (wel: GM0398). GM0398 is geen gemeente van 2024: het "
            "bestand is van vóór een gemeentelijke herindeling") in capsys.readouterr().out


def test_the_page_asks_for_the_year_of_an_export_and_says_when_its_content_shows_a_later_one(app_db):
    """The register's export holds no date of its own. Without a year in its name the page asks
    for the box Jaar; read as 2023, the sample export of 2024 has locations registered in 2024:
    they do not count in 2023 and the page says which year the file shows."""
    from conftest import ROOT, add_account, run_page

    from data_sources.accounts import Account

    data = (ROOT / "sample_data" / "lrk" / "lrk_export_GM9999_2024.csv").read_bytes()
    add_account(app_db, "beheer", "beheerder")
    at = run_page("gemeente_laden", account=Account("beheer", "beheerder"))
    at.file_uploader(key="laden_lrk").set_value(("LRK-export.csv", data, "text/csv"))
    at.run()
    next(b for b in at.button if b.label == "LRK-export inlezen").click()
    at.run()
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == [
        "LRK-export.csv is niet ingelezen; er is niets opgeslagen.",
        "Bestand LRK-export.csv: geef het jaar van de export op (het vak Jaar), het staat niet in de "
        "bestandsnaam."]
    at.number_input(key="laden_lrk_jaar").set_value(2023)
    next(b for b in at.button if b.label == "LRK-export inlezen").click()
    at.run()
    assert not at.exception, at.exception
    assert not at.error
    assert "jaar 2023" in at.success[0].value
    # a warning (the file may be of another year), not only information
    warnings = " ".join(w.value for w in at.warning)
    assert "9 locatie(s) zijn pas na 2023 ingeschreven" in warnings
    assert "de laatste op 01-12-2024): ze tellen niet mee in 2023. Is dit een export van 2024, lees " \
           "hem dan in met dat jaar (het vak Jaar 2024)." in warnings


def test_a_wijk_renumbered_between_two_kwb_years_is_two_rows_named_by_their_codes(tmp_path, monkeypatch):
    """CBS gave Diezerpoort another code in 2024 than in 2023: Trends showed two rows and lines
    both called 'Wijk 11 Diezerpoort', one empty in 2023 and one empty in 2024, with no word why."""
    import json

    w23 = [("WK019310", "Wijk 10 Binnenstad", 7000, 440), ("WK019312", "Wijk 11 Diezerpoort", 8100, 1150)]
    w24 = [("WK019310", "Wijk 10 Binnenstad", 7115, 450), ("WK019311", "Wijk 11 Diezerpoort", 8200, 1200)]
    app_db_with_files(tmp_path, monkeypatch, write_kwb_xlsx(tmp_path / "kwb-2023.xlsx", kwb_rows(wijken=w23)),
                      write_kwb_xlsx(tmp_path / "kwb-2024.xlsx", kwb_rows(wijken=w24)))
    at = run_page("trends")
    assert not at.exception
    table = " ".join(str(m.value) for m in at.markdown)
    assert "Wijk 11 Diezerpoort (WK019311)" in table and "Wijk 11 Diezerpoort (WK019312)" in table
    assert "Wijk 10 Binnenstad</td>" in table  # a name under one code stays as it is
    lines = sorted(trace["name"] for trace in json.loads(at.get("plotly_chart")[0].proto.spec)["data"]
                   if trace.get("name"))
    assert "Wijk 11 Diezerpoort (WK019311)" in lines and "Wijk 11 Diezerpoort (WK019312)" in lines
    assert any("Wijk 11 Diezerpoort: dezelfde naam onder meer wijkcodes" in str(c.value) for c in at.caption)


def test_an_lrk_export_of_a_year_whose_wijken_the_postcodes_do_not_know_says_so(tmp_path):
    """Only the postcode file of 2024 is loaded, and CBS renumbered Diezerpoort (WK019312 in 2021,
    WK019311 in 2024). An LRK export of 2021 put its location there in WK019311, a wijk 2021 does
    not have: Tekorten showed Diezerpoort with no places and a shortage, and the import said
    nothing."""
    import pandas as pd

    from data_sources import jobs, store

    con = store.connect(tmp_path / "k.duckdb")
    w21 = [("WK019310", "Wijk 10 Binnenstad", 7000, 440), ("WK019312", "Wijk 11 Diezerpoort", 8100, 1150)]
    jobs.import_cbs_file(con, write_kwb_xlsx(tmp_path / "kwb-2021.xlsx", kwb_rows(wijken=w21)))
    load_id = store.new_load(con, source="cbs", dataset="postcodes", year=2024)
    con.register("_pc", pd.DataFrame({
        "year": 2024, "pc6": ["8011AA", "8012AB"], "buurt_code": ["BU01931000", "BU01931100"],
        "wijk_code": ["WK019310", "WK019311"], "gemeente_code": "GM0193", "load_id": load_id}))
    con.execute("insert into postcodes select year, pc6, buurt_code, wijk_code, gemeente_code, load_id from _pc")
    con.unregister("_pc")
    export = tmp_path / "lrk_2021.csv"
    export.write_text(
        "lrk_id;type_oko;actuele_naam_oko;aantal_kindplaatsen;status;inschrijfdatum;uitschrijfdatum;"
        "opvanglocatie_postcode;verantwoordelijke_gemeente\n"
        "111111111;KDV;A;50;Ingeschreven;01-01-2015;;8011AA;Zwolle\n"
        "222222222;KDV;B;60;Ingeschreven;01-01-2015;;8012AB;Zwolle\n", encoding="utf-8")
    result = jobs.import_lrk(con, export)
    assert (result.locations, result.places, result.unmapped_postcodes) == (2, 110, [])
    assert result.notes == [
        "1 locatie(s) liggen volgens de postcodes van 2024 in wijken die er in 2021 niet zijn "
        "(WK019311; CBS heeft de wijken tussen die jaren anders ingedeeld): hun plekken tellen in "
        "geen wijk van 2021, dus hun wijk lijkt een groter tekort te hebben. Lees het CBS-bestand "
        "Buurt, wijk en gemeente 2021 voor postcode-huisnummer in: de locaties van deze export worden "
        "dan opnieuw geplaatst"]
    # as the note says: the postcode file of 2021 places the export's locations again, and
    # Diezerpoort's places count in its wijk of 2021
    postcodes_2021 = tmp_path / "pc6hnr20210801_gwb.csv"
    postcodes_2021.write_text("PC6;Huisnummer;Buurt2021;Wijk2021;Gemeente2021\n"
                              "8011AA;1;01931000;019310;0193\n8012AB;4;01931200;019312;0193\n", encoding="utf-8")
    assert any("2 LRK-locatie(s) opnieuw in een wijk geplaatst" in note
               for note in jobs.import_cbs_file(con, postcodes_2021).notes)
    assert con.execute("select wijk_code, places from supply_by_wijk where year = 2021 order by 1").fetchall() == [
        ("WK019310", 50), ("WK019312", 60)]
    # read as 2024, whose wijken are not loaded, there is nothing to compare and nothing is said
    assert jobs.import_lrk(con, export, year=2024).notes == []
    con.close()
