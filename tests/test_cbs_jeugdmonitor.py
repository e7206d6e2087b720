"""The CBS Jeugdmonitor per wijk as StatLine downloads it ('Jongeren met jeugdzorg en
jeugdzorgtrajecten in natura; wijken', 85075NED for 2021): read, and shown on the Kaart."""

from __future__ import annotations

import pytest
from conftest import app_db_with_files, shown_text
from conftest import run_page_as_analist as run_page
from kwb_files import write_kwb_xlsx

from data_sources.errors import severity
from data_sources.jobs import import_cbs_file as import_file

# The table's layout on cbs.nl: the dimensions Vormen van jeugdzorg, Wijken and Perioden, the
# Regioaanduiding (Gemeentenaam, Soort regio, Codering), and the young people with jeugdzorg in
# natura in total and by age. Counts made up, rounded to fives; '.' secret.
FORMS = [("T001171", "Totaal alle jeugdzorg in natura"), ("A028851", "Jeugdhulp zonder verblijf")]
REGIONS = [("GM0193", "Zwolle", "Gemeente"), ("WK019310", "Wijk 10 Binnenstad", "Wijk"),
           ("WK019311", "Wijk 11 Diezerpoort", "Wijk")]
# per form: total, 0-4, 4-12, 12-18, 18-23 (a form never has more than all forms together)
COUNTS = {
    "T001171": {"GM0193": [2000, 300, 900, 600, 200], "WK019310": [95, ".", 40, 35, 15],
                "WK019311": [300, 50, 140, 80, 30]},
    "A028851": {"GM0193": [1600, 250, 700, 500, 150], "WK019310": [70, ".", 30, 25, 10],
                "WK019311": [240, 40, 110, 65, 25]},
}
KEY_HEADER = ["ID", "VormenVanJeugdzorg", "Wijken", "Perioden", "Gemeentenaam_1", "SoortRegio_2",
              "Codering_3", "TotaalJongerenMetJeugdzorgInNatura_4", "k_0Tot4Jaar_5",
              "k_4Tot12Jaar_6", "k_12Tot18Jaar_7", "k_18Tot23Jaar_8"]
TITLE_HEADER = ["Vormen van jeugdzorg", "Wijken", "Perioden", "Regioaanduiding/Gemeentenaam (naam)",
                "Regioaanduiding/Soort regio (omschrijving)", "Regioaanduiding/Codering (code)",
                "Jongeren met jeugdzorg in natura/Totaal jongeren met jeugdzorg in natura (aantal)",
                "Jongeren met jeugdzorg in natura/Leeftijd/0 tot 4 jaar (aantal)",
                "Jongeren met jeugdzorg in natura/Leeftijd/4 tot 12 jaar (aantal)",
                "Jongeren met jeugdzorg in natura/Leeftijd/12 tot 18 jaar (aantal)",
                "Jongeren met jeugdzorg in natura/Leeftijd/18 tot 23 jaar (aantal)"]


def quoted(values) -> str:
    return ";".join('"' + str(v) + '"' for v in values)


def write_jeugdmonitor(folder, titles: bool = False):
    """The StatLine download 'CSV met codes' (named after the table) or 'met titels' (named after
    its title): UTF-8 with BOM, ';', every value quoted and padded."""
    lines = [quoted(TITLE_HEADER if titles else KEY_HEADER)]
    number = 0
    for form, form_title in FORMS:
        for code, name, kind in REGIONS:
            counts = [str(v).rjust(8) for v in COUNTS[form][code]]
            regio = [name if titles else code.ljust(10), "2021" if titles else "2021JJ00",
                     "Zwolle".ljust(40), kind.ljust(10), code.ljust(10)]
            lines.append(quoted([form_title, *regio, *counts] if titles
                                else [number, form, *regio, *counts]))
            number += 1
    name = ("Jongeren_met_jeugdzorg_en_jeugdzorgtrajecten_in_natura__wijken__2021_06122026_120000.csv"
            if titles else "85075NED_UntypedDataSet_06122026_120000.csv")
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return path


@pytest.mark.parametrize("titles", [False, True])
def test_the_statline_download_is_read_per_wijk_and_age(con, tmp_path, titles):
    # before: 'geen regio-indeling (wijken/buurten) gevonden' (codes), 'geen tabel die Kindkaart
    # kent' (titles): the regions are the dimension Wijken, not WijkenEnBuurten
    stored = import_file(con, write_jeugdmonitor(tmp_path, titles))
    assert stored.kind == "jeugdzorg-wijk"
    rows = con.execute("select wijk_code, year, age_group, young_people_count from cbs_jeugdzorg_by_wijk"
                       " order by 1, 3").fetchall()
    # the count of all forms together; the secret 0-4 year olds of Binnenstad stay unknown
    assert rows == [("WK019310", 2021, "0-4", None), ("WK019310", 2021, "4-12", 40.0),
                    ("WK019310", 2021, "tot 23", 95.0), ("WK019311", 2021, "0-4", 50.0),
                    ("WK019311", 2021, "4-12", 140.0), ("WK019311", 2021, "tot 23", 300.0)]
    assert stored.notes == [
        "Te zien op de Kaart (2021): kies de indicator 'Kinderen 0-4 jaar met jeugdzorg (CBS "
        "Jeugdmonitor)' of 'Kinderen 4-12 jaar met jeugdzorg (CBS Jeugdmonitor)' of 'Jongeren tot "
        "23 jaar met jeugdzorg (CBS Jeugdmonitor)'."]
    assert severity(stored.notes[0]) == "info"  # where it shows: nothing to act on


def test_the_kaart_shows_the_jeugdmonitor_per_wijk(tmp_path, monkeypatch):
    # before: stored in raw_cbs__jeugdzorg and shown on no page
    app_db_with_files(tmp_path, monkeypatch, write_kwb_xlsx(tmp_path / "kwb-2021.xlsx"),
                      write_jeugdmonitor(tmp_path))
    at = run_page("kaart")
    indicator = at.selectbox(key="_indicator_choice")
    assert "Kinderen 4-12 jaar met jeugdzorg (CBS Jeugdmonitor)" in indicator.options
    indicator.set_value("jeugdmonitor_4_12")
    at.run()
    assert not at.exception
    text = shown_text(at)
    assert ("het hoogst in Wijk 11 Diezerpoort (140), het laagst in Wijk 10 Binnenstad (40)"
            in text)
    assert any("Bron: CBS Jeugdmonitor per wijk" in str(c.value) for c in at.caption)


def test_a_jeugdmonitor_without_the_young_people_per_wijk_says_it_shows_nothing(con, tmp_path):
    # only the trajecten of the gemeente: stored, and said that nothing of it is shown
    path = tmp_path / "85075NED_UntypedDataSet_06122026_120000.csv"
    path.write_text("\n".join([
        quoted(["ID", "VormenVanJeugdzorg", "Wijken", "Perioden", "TotaalTrajectenInNatura_9"]),
        quoted([0, "T001171", "GM0193    ", "2021JJ00", "    2500"])]) + "\n", encoding="utf-8-sig")
    stored = import_file(con, path)
    assert stored.kind == "jeugdzorg-wijk"
    assert stored.notes[0].startswith(
        "Dit bestand heeft geen wijken met het aantal jongeren met jeugdzorg in natura")
    assert "Download de tabel in StatLine opnieuw" in stored.notes[0]
    assert severity(stored.notes[0]) == "warning"  # stored, but shows nothing: act on it
