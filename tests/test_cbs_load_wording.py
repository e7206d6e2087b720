"""What a beheerder is told after loading a real kind of CBS file: the file named as it was read
(an OData JSON is no kwb file, 'odata-2024' is no name the user gave), the advice fitting its kind
and year, and a file of Nederland alone said to be that, also when a gemeente was chosen. Small
files in the formats of ../shared/real_data (kwb2024_odata_85984NED, the StatLine Nabijheid CSV)."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import app_db_with_files, run_page_as_analist

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
