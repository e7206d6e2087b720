"""What a beheerder is told after loading a real kind of CBS file: the file named as it was read
(an OData JSON is no kwb file, 'odata-2024' is no name the user gave), the advice fitting its kind
and year, and a file of Nederland alone said to be that, also when a gemeente was chosen. Small
files in the formats of ../shared/real_data (kwb2024_odata_85984NED, the StatLine Nabijheid CSV)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from conftest import app_db_with_files, run_page_as_analist
from kwb_files import KWB_COLUMNS, kwb_rows
from test_cbs_nabijheid import HEADER, rows
from test_cbs_real_variants import write_sheet

from data_sources import cli

# DataProperties.json as cbsodata saves it beside the data of 85984NED (the real entries of the
# topics below; the real file describes 128 topics, k_0Tot15Jaar_8 among them)
DATA_PROPERTIES = [
    {"odata.type": "Cbs.OData.GeoDetail", "ID": 0, "Position": 0, "ParentID": None, "Type": "GeoDetail",
     "Key": "WijkenEnBuurten", "Title": "Wijken en buurten", "Description": "", "MapYear": 2024},
    {"odata.type": "Cbs.OData.Topic", "ID": 2, "Position": 1, "ParentID": 1, "Type": "Topic",
     "Key": "Gemeentenaam_1", "Title": "Gemeentenaam", "Description": None, "Datatype": "String",
     "Unit": "naam", "Decimals": 0, "Default": "Impossible", "PresentationType": ""},
    {"odata.type": "Cbs.OData.Topic", "ID": 7, "Position": 5, "ParentID": 6, "Type": "Topic",
     "Key": "AantalInwoners_5", "Title": "Aantal inwoners", "Description": None, "Datatype": "Long",
     "Unit": "aantal", "Decimals": 0, "Default": "Impossible", "PresentationType": "Absolute"},
    {"odata.type": "Cbs.OData.Topic", "ID": 12, "Position": 8, "ParentID": 11, "Type": "Topic",
     "Key": "k_0Tot15Jaar_8", "Title": "0 tot 15 jaar", "Description": None, "Datatype": "Long",
     "Unit": "aantal", "Decimals": 0, "Default": "Impossible", "PresentationType": "Absolute"},
    {"odata.type": "Cbs.OData.Topic", "ID": 47, "Position": 35, "ParentID": 46, "Type": "Topic",
     "Key": "Woningvoorraad_35", "Title": "Woningvoorraad", "Description": None, "Datatype": "Long",
     "Unit": "aantal", "Decimals": 0, "Default": "Impossible", "PresentationType": "Absolute"},
]


def odata_json(folder: Path, **changed) -> Path:
    """stripped_filtered_data_2024.json: 2024 figures of Aa en Hunze and two of its wijken keyed by
    stripped code, without the ages (as in the real file), beside its DataProperties.json;
    `changed` replaces a value of WK168001."""
    folder.mkdir()
    values = {"GM1680": {"AantalInwoners_5": 25845, "Woningvoorraad_35": 11500},
              "WK168000": {"AantalInwoners_5": 3590, "Woningvoorraad_35": 1663},
              "WK168001": {"AantalInwoners_5": 1460, "Woningvoorraad_35": 602, **changed}}
    (folder / "DataProperties.json").write_text(json.dumps(DATA_PROPERTIES), encoding="utf-8")
    path = folder / "stripped_filtered_data_2024.json"
    path.write_text(json.dumps(values, indent=2), encoding="utf-8")
    return path


def import_cbs(tmp_path: Path, path: Path, *options: str, capsys) -> tuple[int, str]:
    code = cli.main(["import-cbs", str(path), *options, "--db", str(tmp_path / "k.duckdb")])
    return code, capsys.readouterr().out


def test_a_2024_odata_file_without_the_ages_is_told_what_fits_it(tmp_path, capsys):
    """Before: a 2024 JSON file was told that kwb files up to 2016 give only the percentage, and
    to load a kwb of 2017 or later."""
    code, out = import_cbs(tmp_path, odata_json(tmp_path / "85984NED"), "--gemeente", "GM1680",
                           capsys=capsys)
    assert code == 0
    assert (
        "Let op: Dit bestand heeft geen aantal kinderen van 0 tot 15 jaar (in OData het onderwerp "
        "k_0Tot15Jaar): de andere cijfers zijn opgeslagen, maar voor 2024 maakt Kindkaart hiermee "
        "geen kinderen per wijk. Het OData-bestand heeft een deel van de onderwerpen van tabel "
        "85984NED: download tabel 85984NED opnieuw met k_0Tot15Jaar erbij (of haal de hele tabel op "
        "bij CBS: knop Laden op Gemeente laden, of load-cbs), of laad kwb-2024.xlsx van cbs.nl."
    ) in out.splitlines()
    assert "2016" not in out and "p_00_14" not in out


@pytest.mark.parametrize(("year", "advice"), [
    (2024, "Laad kwb-2024.xlsx van cbs.nl zoals CBS het publiceert (met de kolom a_00_14), of de "
           "kerncijfers van 2024 uit StatLine met het onderwerp '0 tot 15 jaar'."),
    (2016, "Kwb-bestanden tot en met 2016 geven alleen het percentage (p_00_14); dat rekent "
           "Kindkaart niet om naar een aantal. Laad een kwb van 2017 of later, of de kolom '0 tot "
           "15 jaar' uit StatLine."),
])
def test_a_kwb_without_the_ages_is_told_about_percentages_only_up_to_2016(tmp_path, capsys, year, advice):
    at = KWB_COLUMNS.index("a_00_14")
    columns = KWB_COLUMNS[:at] + KWB_COLUMNS[at + 1:]
    path = write_sheet(tmp_path / f"kwb-{year}.xlsx", columns, [row[:at] + row[at + 1:] for row in kwb_rows()])
    code, out = import_cbs(tmp_path, path, "--gemeente", "GM0193", capsys=capsys)
    assert code == 0, out
    assert (f"Let op: Dit bestand heeft geen aantal kinderen van 0 tot 15 jaar (kwb-kolom a_00_14): "
            f"de andere cijfers zijn opgeslagen, maar voor {year} maakt Kindkaart hiermee geen "
            f"kinderen per wijk. {advice}") in out.splitlines()


def test_overzicht_names_the_json_file_loaded_not_a_kwb_file(tmp_path, monkeypatch):
    """Before: 'Het geladen kwb-bestand van 2024 heeft per wijk wel andere kolommen' after an
    OData JSON file."""
    app_db_with_files(tmp_path, monkeypatch, odata_json(tmp_path / "85984NED"))
    at = run_page_as_analist("overzicht", params={"gemeente": "GM1680", "jaar": "2024"})
    assert not at.exception, at.exception
    warnings = " ".join(str(w.value) for w in at.warning)
    assert ("Het geladen bestand stripped_filtered_data_2024.json heeft per wijk wel andere "
            "kolommen, maar niet a_00_14.") in warnings, warnings
    assert "kwb-bestand" not in warnings


def test_an_unreadable_value_names_the_file_not_a_made_up_table_id(tmp_path, capsys):
    """Before: 'Tabel odata-2024, regio WK168001, ...': an id the user never saw."""
    path = odata_json(tmp_path / "85984NED", Woningvoorraad_35="onbekend")
    code, out = import_cbs(tmp_path, path, "--gemeente", "GM1680", capsys=capsys)
    assert code == 1
    assert out.splitlines() == [
        "Bestand stripped_filtered_data_2024.json, regio WK168001, onderwerp Woningvoorraad_35: "
        "'onbekend' is geen getal en geen teken van het CBS ('.' of 'x' geheim, '-' niet "
        "beschikbaar, leeg). Er is niets opgeslagen."]


def nederland_only(tmp_path: Path) -> Path:
    """The StatLine download of Nabijheid voorzieningen 2023 with only the Nederland row (as
    statline_nabijheid_voorzieningen_2023_header.csv): BOM, ';', quoted, padded."""
    text = io.StringIO()
    csv.writer(text, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows([HEADER, rows()[0]])
    path = tmp_path / "statline_nabijheid_voorzieningen_2023_header.csv"
    path.write_text(text.getvalue(), encoding="utf-8-sig")
    return path


@pytest.mark.parametrize("gemeente", [[], ["--gemeente", "GM0193"]])
def test_a_file_of_nederland_alone_says_so_with_or_without_a_gemeente(tmp_path, capsys, gemeente):
    """Before, with a gemeente: 'GM0193 staat niet in het bestand (het bestand heeft geen
    gemeente)'."""
    code, out = import_cbs(tmp_path, nederland_only(tmp_path), *gemeente, capsys=capsys)
    assert code == 1
    assert out.splitlines() == [
        "Bestand statline_nabijheid_voorzieningen_2023_header.csv: alleen Nederland, geen gemeente, "
        "wijk of buurt gevonden. Download de tabel opnieuw met de regio's van uw gemeente (in "
        "StatLine bij 'Wijken en buurten' de gemeente en haar wijken). Er is niets opgeslagen."]


def test_a_word_among_the_numbers_of_a_file_without_its_description_is_refused_too(tmp_path, capsys):
    """Uploaded alone (no DataProperties.json beside it, as on Gemeente laden), the file's types
    are guessed: one 'onbekend' made Woningvoorraad_35 a text topic, left out for every region
    without a word. Now the word is refused as it is with the description beside the file."""
    path = odata_json(tmp_path / "85984NED", Woningvoorraad_35="onbekend")
    (path.parent / "DataProperties.json").unlink()
    code, out = import_cbs(tmp_path, path, "--gemeente", "GM1680", capsys=capsys)
    assert code == 1
    assert out.splitlines() == [
        "Bestand stripped_filtered_data_2024.json, regio WK168001, onderwerp Woningvoorraad_35: "
        "'onbekend' is geen getal en geen teken van het CBS ('.' of 'x' geheim, '-' niet "
        "beschikbaar, leeg). Er is niets opgeslagen."]
    # a text topic stays text: names in every row are no numbers to refuse
    named = odata_json(tmp_path / "named", Woningvoorraad_35=602)
    rows = json.loads(named.read_text(encoding="utf-8"))
    for code_, row in rows.items():
        row["Gemeentenaam_1"] = "Aa en Hunze" if code_ == "GM1680" else "Gieten"
    named.write_text(json.dumps(rows), encoding="utf-8")
    (named.parent / "DataProperties.json").unlink()
    code, out = import_cbs(tmp_path, named, "--gemeente", "GM1680", capsys=capsys)
    assert code == 0, out
