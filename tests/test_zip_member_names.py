"""A zip whose member names point outside it ('../', a full path, a NUL; in a workbook also a
backslash) is refused naming the file and the member, before anything in it is read or stored:
no zip program writes such a name, a crafted file does."""

import io
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import refusal

from data_sources import jobs

sys.path.insert(0, str(Path(__file__).parent))
from kwb_files import write_kwb_xlsx  # noqa: E402
from test_cbs_geopackage import cbs_map  # noqa: E402

ROOT = Path(__file__).parent.parent
VVE = ROOT / "sample_data" / "registrations" / "vve-indicaties.xlsx"
LRK = ROOT / "sample_data" / "lrk" / "lrk_export_GM9999_2024.csv"
NUL = "\0"


def named(name: str) -> zipfile.ZipInfo:
    # ZipInfo cuts a name at its NUL and writes strips a leading slash: the name is set as is
    info = zipfile.ZipInfo("placeholder")
    info.filename = name
    return info


def zip_with(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(named(name), content)
    return path


def workbook_with_part(data: bytes, name: str) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            archive.writestr(info, source.read(info))
        archive.writestr(named(name), b'<?xml version="1.0"?><x/>')
    return out.getvalue()


@pytest.mark.parametrize("name, shown", [
    ("../../kindkaart.xml", "../../kindkaart.xml"),
    ("/etc/kindkaart.xml", "/etc/kindkaart.xml"),
    ("C:/Users/kindkaart.xml", "C:/Users/kindkaart.xml"),
    ("xl\\worksheets\\sheet9.xml", "xl\\worksheets\\sheet9.xml"),
    (f"xl/worksheets/sheet9.xml{NUL}.txt", "xl/worksheets/sheet9.xml<U+0000>.txt"),
])
def test_a_partner_workbook_with_a_part_named_outside_it_is_refused(sample_copy, name, shown):
    text = refusal(sample_copy, lambda: jobs.import_registration(
        sample_copy, workbook_with_part(VVE.read_bytes(), name), "vve-indicaties",
        "GGD Voorbeeldregio (JGZ)", "2024", "vve.xlsx", gemeente_code="GM9999"))
    assert text == (
        f"'vve.xlsx' is geen gewone werkmap: het onderdeel '{shown}' heeft een naam die buiten de "
        "werkmap wijst (met '..', '\\', een volledig pad of een nul-teken), zoals Excel die nooit "
        "schrijft. Kindkaart leest het bestand daarom niet; sla het in Excel opnieuw op als .xlsx.")


def outside(file_name: str, shown: str) -> str:
    return (f"Bestand {file_name}: het onderdeel '{shown}' in de zip heeft een naam die buiten de "
            "zip wijst (met '..', een volledig pad of een nul-teken). Geen zip-programma schrijft "
            "zo'n naam; Kindkaart leest dit bestand daarom niet. Download het opnieuw bij de bron. "
            "Er is niets opgeslagen.")


@pytest.mark.parametrize("members, shown", [
    (["../kwb-2024.xlsx"], "../kwb-2024.xlsx"),
    (["/tmp/kwb-2024.xlsx"], "/tmp/kwb-2024.xlsx"),
    (["..\\..\\kwb-2024.xlsx"], "..\\..\\kwb-2024.xlsx"),
    (["C:kwb-2024.xlsx"], "C:kwb-2024.xlsx"),
    ([f"kwb-2024.xlsx{NUL}.txt"], "kwb-2024.xlsx<U+0000>.txt"),
    # beside the file that is read, a readme crafted to land elsewhere: the whole zip is refused
    (["kwb-2024.xlsx", "../../LEESMIJ.txt"], "../../LEESMIJ.txt"),
])
def test_a_zipped_cbs_file_with_a_member_named_outside_the_zip_is_refused(sample_copy, tmp_path,
                                                                         members, shown):
    kwb = write_kwb_xlsx(tmp_path / "kwb.xlsx").read_bytes()
    path = zip_with(tmp_path / "kwb-2024.zip", {name: kwb for name in members})
    assert refusal(sample_copy, lambda: jobs.import_cbs_file(sample_copy, path)) == outside(
        "kwb-2024.zip", shown)


def test_a_zipped_cbs_file_with_windows_backslashes_is_read(sample_copy, tmp_path):
    # Windows' own zip tools wrote a folder's separator as a backslash for years: no sign of harm
    kwb = write_kwb_xlsx(tmp_path / "kwb.xlsx").read_bytes()
    path = zip_with(tmp_path / "kwb-2024.zip", {"download\\kwb-2024.xlsx": kwb})
    assert jobs.import_cbs_file(sample_copy, path).kind == "kerncijfers"


def test_a_zipped_wijk_en_buurtkaart_with_a_member_named_outside_the_zip_is_refused(
        sample_copy, tmp_path):
    inner = tmp_path / "wijkenbuurten_2023_v1.gpkg"
    cbs_map(inner)
    path = zip_with(tmp_path / "WijkBuurtkaart_2023_v1.zip", {
        "WijkBuurtkaart_2023_v1/../../wijkenbuurten_2023_v1.gpkg": inner.read_bytes()})
    assert refusal(sample_copy, lambda: jobs.import_cbs_file(sample_copy, path)) == outside(
        "WijkBuurtkaart_2023_v1.zip", "WijkBuurtkaart_2023_v1/../../wijkenbuurten_2023_v1.gpkg")


def test_a_zipped_postcode_file_with_a_member_named_outside_the_zip_is_refused(sample_copy,
                                                                              tmp_path):
    path = zip_with(tmp_path / "pc6hnr20240801_gwb.zip", {
        "/var/tmp/pc6hnr20240801_gwb.csv": b"PC6;Huisnummer;Buurt2024;Wijk2024;Gemeente2024\n"
                                          b"3511AA;1;3440101;34401;344\n"})
    assert refusal(sample_copy, lambda: jobs.import_cbs_file(sample_copy, path)) == outside(
        "pc6hnr20240801_gwb.zip", "/var/tmp/pc6hnr20240801_gwb.csv")


def test_a_zipped_lrk_export_with_a_member_named_outside_the_zip_is_refused(sample_copy,
                                                                           tmp_path):
    path = zip_with(tmp_path / "lrk_export.zip", {"../lrk_export.csv": LRK.read_bytes()})
    assert refusal(sample_copy, lambda: jobs.import_lrk(sample_copy, path, year=2024)) == outside(
        "lrk_export.zip", "../lrk_export.csv")


def _same_name(file_name: str, name: str, first: str, second: str) -> str:
    return (f"Bestand {file_name}: de zip bevat twee bestanden met de naam {name}: {first} en {second}. "
            "Kindkaart pakt de bestanden naast elkaar uit, dus het ene zou het andere ongemerkt "
            "vervangen. Pak het zip-bestand uit en lees het juiste bestand apart in. Er is niets "
            "opgeslagen.")


@pytest.mark.parametrize("other", ["oud/Observations.csv", "oud/observations.csv"])
def test_a_zipped_cbs_download_with_two_observations_in_different_folders_is_refused(
        sample_copy, tmp_path, other):
    """A CBS open-data download zipped beside an older Observations.csv in another folder: both
    were unpacked into one folder by their last name, the later replaced the first, and the old
    figures were read and stored without a word (the 'more than one file' refusal comes only
    after a zip without Observations). Windows and macOS see two names that differ in case as one."""
    from test_cbs_real_variants import kwb_observations, write_download

    current = write_download(tmp_path / "86165NED")
    older = write_download(tmp_path / "oud", observations=[
        (code, measure, 1 if measure == "T001036" else value) for code, measure, value in kwb_observations()])
    path = tmp_path / "86165NED.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for member in sorted(current.iterdir()):
            archive.write(member, f"86165NED/{member.name}")
        archive.write(older / "Observations.csv", other)
    assert refusal(sample_copy, lambda: jobs.import_cbs_file(sample_copy, path)) == _same_name(
        "86165NED.zip", Path(other).name, "86165NED/Observations.csv", other)


def test_a_zip_with_one_member_twice_is_refused_naming_it(sample_copy, tmp_path):
    """A zip may hold one path twice (zip programs that append); unpacked, the second replaced the
    first. The wijk- en buurtkaart picks its GeoPackage by its path, so both were unpacked."""
    import warnings

    first, second = tmp_path / "eerste.gpkg", tmp_path / "tweede.gpkg"
    cbs_map(first)
    cbs_map(second)
    path = tmp_path / "WijkBuurtkaart_2023_v1.zip"
    with warnings.catch_warnings(), zipfile.ZipFile(path, "w") as archive:
        warnings.simplefilter("ignore")  # zipfile warns of the duplicate name it writes
        for copy in (first, second):
            archive.write(copy, "WijkBuurtkaart_2023_v1/wijkenbuurten_2023_v1.gpkg")
    text = refusal(sample_copy, lambda: jobs.import_cbs_file(sample_copy, path))
    assert "WijkBuurtkaart_2023_v1/wijkenbuurten_2023_v1.gpkg twee keer" in text, text


def test_a_cbs_download_zipped_on_a_mac_is_read(sample_copy, tmp_path):
    """A Mac's zip holds a __MACOSX/._<name> copy of every file: never unpacked beside the files
    (its ._Observations.csv sorted before Observations.csv, and same-named copies of two folders
    would be refused as two files of one name)."""
    from test_cbs_real_variants import write_download

    folder = write_download(tmp_path / "86165NED")
    path = tmp_path / "86165NED.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for member in sorted(folder.iterdir()):
            archive.write(member, f"86165NED/{member.name}")
            archive.writestr(f"__MACOSX/86165NED/._{member.name}", b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X")
            archive.writestr(f"__MACOSX/oud/._{member.name}", b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X")
    assert jobs.import_cbs_file(sample_copy, path, gemeenten=["GM0193"]).kind == "kerncijfers"


def _two_downloads_zip(path: Path, tmp_path: Path, other_name: str, *, properties: bool = True,
                       same: bool = False) -> Path:
    """A CBS open-data download of 86165NED zipped (with its Properties.json when `properties`),
    and beside its Observations.csv `other_name`: an older download's figures (1 inhabitant per
    region; as a v4 answer when `other_name` is .json), or an identical copy when `same`."""
    import json

    from test_cbs_real_variants import kwb_observations, write_download

    current = write_download(tmp_path / "86165NED")
    if properties:
        (current / "Properties.json").write_text(json.dumps({
            "Identifier": "86165NED", "Title": "Kerncijfers wijken en buurten 2025"}), encoding="utf-8")
    json_observations = other_name.endswith(".json")
    older = write_download(tmp_path / "oud", json_observations=json_observations,
                           observations=None if same else [
        (code, measure, 1 if measure == "T001036" else value) for code, measure, value in kwb_observations()])
    with zipfile.ZipFile(path, "w") as archive:
        for member in sorted(current.iterdir()):
            archive.write(member, f"86165NED/{member.name}")
        archive.write(older / ("Observations.json" if json_observations else "Observations.csv"),
                      f"86165NED/{other_name}")
    return path


def test_a_zipped_cbs_download_with_a_second_observations_file_is_refused_naming_which_to_keep(
        sample_copy, tmp_path):
    """Observations.csv beside 86165NED_Observations.csv in one download: the first by name
    (86165NED_…) was read without a word, here an older download's figures. Properties names the
    table, so the refusal says which file carries its name."""
    path = _two_downloads_zip(tmp_path / "86165NED.zip", tmp_path, "86165NED_Observations.csv")
    assert refusal(sample_copy, lambda: jobs.import_cbs_file(sample_copy, path)) == (
        "Bestand 86165NED.zip: het zip-bestand bevat twee verschillende bestanden die elk "
        "Observations van de CBS-download kunnen zijn (86165NED_Observations.csv en "
        "Observations.csv); welke Kindkaart moet lezen, is niet zeker. Volgens Properties.json is "
        "de download tabel 86165NED, en 86165NED_Observations.csv draagt die naam: pak het "
        "zip-bestand uit, haal Observations.csv weg en lees de map (of een nieuwe zip) in. Er is "
        "niets opgeslagen.")


@pytest.mark.parametrize("other", ["Observations.json", "86165NED_Observations.csv",
                                   "85984NED_Observations.csv"])
def test_a_zipped_cbs_download_without_properties_and_two_observations_is_refused(
        sample_copy, tmp_path, other):
    path = _two_downloads_zip(tmp_path / "86165NED.zip", tmp_path, other, properties=False)
    shown = (f"{other} en Observations.csv" if other < "Observations.csv"
             else f"Observations.csv en {other}")
    assert refusal(sample_copy, lambda: jobs.import_cbs_file(sample_copy, path)) == (
        "Bestand 86165NED.zip: het zip-bestand bevat twee verschillende bestanden die elk "
        f"Observations van de CBS-download kunnen zijn ({shown}); welke Kindkaart moet lezen, is "
        "niet zeker. Pak het zip-bestand uit, houd alleen het bestand van de download die u bedoelt "
        "(met hetzelfde tabelnummer als de andere bestanden, of het nieuwste) en lees de map (of "
        "een nieuwe zip) in. Er is niets opgeslagen.")


def test_a_cbs_download_folder_with_two_measure_codes_is_refused(sample_copy, tmp_path):
    """MeasureCodes.csv beside 86165NED_MeasureCodes.csv of another state of the table, in which
    M000352 is Aantal inwoners: which code is which topic is not certain, so nothing is read."""
    from test_cbs_real_variants import KWB_MEASURES, write_download

    folder = write_download(tmp_path / "86165NED")
    other = write_download(tmp_path / "ander", measures=[
        (code, {"T001036": "0 tot 15 jaar", "M000352": "Aantal inwoners"}.get(code, title), group, kind)
        for code, title, group, kind in KWB_MEASURES])
    (folder / "86165NED_MeasureCodes.csv").write_bytes((other / "MeasureCodes.csv").read_bytes())
    assert refusal(sample_copy, lambda: jobs.import_cbs_file(sample_copy, folder)) == (
        "Map 86165NED: de map bevat twee verschillende bestanden die elk MeasureCodes van de "
        "CBS-download kunnen zijn (86165NED_MeasureCodes.csv en MeasureCodes.csv); welke Kindkaart "
        "moet lezen, is niet zeker. Houd in de map alleen het bestand van de download die u bedoelt "
        "(met hetzelfde tabelnummer als de andere bestanden, of het nieuwste) en lees opnieuw in. "
        "Er is niets opgeslagen.")


def test_a_zipped_cbs_download_with_an_identical_copy_of_its_observations_is_read(sample_copy,
                                                                                 tmp_path):
    # the same file under the table's name too (copied, or renamed and kept): nothing to choose
    path = _two_downloads_zip(tmp_path / "86165NED.zip", tmp_path, "86165NED_Observations.csv",
                              same=True)
    load_ids = jobs.import_cbs_file(sample_copy, path, gemeenten=["GM0193"]).load_ids
    assert sample_copy.execute(
        "select region_code, value from raw_cbs__kerncijfers where stem = 'AantalInwoners'"
        " and load_id in (select unnest(?::integer[])) order by 1", [load_ids]).fetchall() == [
        ("GM0193", 7115), ("WK019310", 7115), ("WK019311", 7115)]
