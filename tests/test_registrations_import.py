"""Import, supersede, restore and the generated staging views: a round trip per registration type."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "registrations"))
from support import filled_template, small_gemeente, table_content  # noqa: E402

import transforms  # noqa: E402
from data_sources import jobs  # noqa: E402
from data_sources.errors import InputRefused  # noqa: E402
from data_sources.registrations import history  # noqa: E402
from data_sources.registrations.importing import (  # noqa: E402
    import_workbook,
    import_workbook_detailed,
)
from data_sources.registrations.schemas import REGISTRATION_TYPES, view_columns  # noqa: E402


@pytest.fixture
def gem(con):
    small_gemeente(con)
    transforms.build(con)
    return con


# soort -> (rows in template column order, view columns to check, expected rows of the view)
ROUND_TRIPS = {
    "extra-ondersteuning": (
        [["9901AA", "Zon", "2-4", "gedrag", "3", None],     # per child
         ["9901 AA", "Zon", "2-4", "gedrag", None, None],
         ["Bloemhof", None, "0-2", "taal/spraak", None, 4]],
        ["wijk_code", "buurt_code", "location_name", "age_group", "support_need", "niveau",
         "children_count"],
        [("WK999901", "BU99990101", "Zon", "2-4", "gedrag", "3", 1),
         ("WK999901", "BU99990101", "Zon", "2-4", "gedrag", None, 1),
         ("WK999909", None, None, "0-2", "taal/spraak", None, 4)],
    ),
    "kinderopvang-bezetting": (
        [["Centrum", "Zon", "dagopvang", "0-2", 40, 44], ["Centrum", "Zon", "bso", "4-12", 60, None]],
        ["wijk_code", "care_type", "age_group", "children_count", "places"],
        [("WK999901", "bso", "4-12", 60, None), ("WK999901", "dagopvang", "0-2", 40, 44)],
    ),
    "vve-indicaties": (
        [["Centrum", "2-4", "SES", 12], ["Bloemhof", "2-4", "SES", 30],
         ["Bloemhof", "2-4", "taal/spraak", 25]],
        ["wijk_code", "age_group", "criterion", "children_count"],
        [("WK999901", "2-4", "SES", 12), ("WK999909", "2-4", "SES", 30),
         ("WK999909", "2-4", "taal/spraak", 25)],
    ),
    "speciaal-onderwijs": (
        [["Bloemhof", "SO De Wissel", "so", 4, "gedrag", "ingeschreven", "4-12", 9, 4],
         ["Bloemhof", None, "sbo", None, None, "thuiszitter", None, 2, None]],
        ["wijk_code", "school", "school_type", "cluster", "referral_reason", "enrolment_status",
         "age_group", "children_count", "bso_needed_count"],
        [("WK999909", "SO De Wissel", "so", "4", "gedrag", "ingeschreven", "4-12", 9, 4),
         ("WK999909", None, "sbo", None, None, "thuiszitter", None, 2, None)],
    ),
    "wachtlijst-so": (
        [["Centrum", None, "so", "4", "gedrag", 3, "10", None],
         ["9909AA", None, "so", "3", None, None, None, "03-12-2024"],   # per child: 4 weeks
         ["9909AA", None, "so", "3", None, None, None, "19-11-2024"]],  # 6 weeks
        ["wijk_code", "buurt_code", "school_type", "cluster", "children_count", "waiting_weeks"],
        [("WK999901", None, "so", "4", 3, 10.0), ("WK999909", "BU99990901", "so", "3", 2, 5.0)],
    ),
    "ondersteuningstrajecten": (
        [["Centrum", "De Linde", "logopedie", "2-4", 5, 7, "120,5"]],
        ["wijk_code", "provider", "support_type", "age_group", "children_count",
         "trajectories_count", "support_hours"],
        [("WK999901", "De Linde", "logopedie", "2-4", 5, 7, 120.5)],
    ),
    "jeugdhulp": (
        [["WK999902", "Jeugdhulp BV", "ambulant", "4-12", 11],
         ["WK999902", "Jeugdhulp BV", "pleegzorg", "4-12", 1]],
        ["wijk_code", "provider", "youth_care_type", "age_group", "children_count"],
        [("WK999902", "Jeugdhulp BV", "ambulant", "4-12", 11),
         ("WK999902", "Jeugdhulp BV", "pleegzorg", "4-12", 1)],
    ),
    "wachtlijst-zorg": (
        [["Centrum", None, "kdc/mkd", "0-2", 4, 12, None],
         ["9901AC", None, "kdc/mkd", "0-2", 2, 6, None]],   # same wijk: weighted mean
        ["wijk_code", "buurt_code", "request_kind", "children_count", "waiting_weeks"],
        [("WK999901", "BU99990101", "kdc/mkd", 2, 6.0), ("WK999901", None, "kdc/mkd", 4, 12.0)],
    ),
    "groepsgrootte": (
        [["Zon Centrum", "9901AA", "groep 1", "regulier", "0-2", 12, 11, 3],
         ["Zon Centrum", "9901AA", "plus", "plusgroep", "2-4", 10, 9, 2]],
        ["wijk_code", "location_name", "group_name", "group_kind", "age_group", "places",
         "children_count", "professionals_count"],
        [("WK999901", "Zon Centrum", "groep 1", "regulier", "0-2", 12, 11, 3),
         ("WK999901", "Zon Centrum", "plus", "plusgroep", "2-4", 10, 9, 2)],
    ),
}


def view_rows(con, view, columns):
    rows = con.execute(f"select {', '.join(columns)} from {view}").fetchall()
    return sorted(rows, key=repr)


def test_every_partner_type_has_a_round_trip():
    partner = {k for k, t in REGISTRATION_TYPES.items() if t.target == "partner"}
    assert set(ROUND_TRIPS) == partner


@pytest.mark.parametrize("soort", list(ROUND_TRIPS))
def test_round_trip_template_to_staging_view(gem, soort):
    rows, columns, expected = ROUND_TRIPS[soort]
    data = filled_template(soort, rows, con=gem)
    load_id = import_workbook(gem, data, soort, "Partner A", "2024", f"{soort}.xlsx")
    view = REGISTRATION_TYPES[soort].view_name
    assert view_rows(gem, view, columns) == sorted(expected, key=repr)
    described = gem.execute(f"describe {view}").fetchall()
    assert [(r[0], r[1].lower()) for r in described] == [
        (name, sql_type) for name, sql_type in view_columns(REGISTRATION_TYPES[soort])]
    fixed = gem.execute(
        f"select distinct load_id, organisation, period, year, gemeente_code from {view}"
    ).fetchall()
    assert fixed == [(load_id, "Partner A", "2024", 2024, "GM9999")]


def test_bevolking_lands_in_the_brp_table_and_the_population_mart(gem):
    rows = [["BU99990101", 0, 10], ["BU99990101", 1, 12], ["WK999909", 2, 20],
            ["9909AA", 3, None], ["9909 AA", 3, None]]            # per child, by postcode
    load_id = jobs.import_registration(gem, filled_template("bevolking", rows), "bevolking",
                                       "Gemeente Voorbeeldstad", "2024", "brp.xlsx").load_id
    assert gem.execute(
        "select region_code, age, children from raw_brp__population where load_id = ?"
        " order by 1, 2", [load_id]).fetchall() == [
        ("BU99990101", 0, 10), ("BU99990101", 1, 12), ("BU99990901", 3, 2), ("WK999909", 2, 20)]
    mart = gem.execute(
        "select wijk_code, age_group, children, population_source from population_by_wijk_age"
        " order by 1, 2").fetchall()
    assert mart == [("WK999901", "0-2", 22.0, "brp"), ("WK999909", "2-4", 22.0, "brp")]
    assert gem.execute("select source from loads where load_id = ?", [load_id]).fetchone() == (
        "brp",)


def vve_file(count: int) -> bytes:
    return filled_template("vve-indicaties", [["Centrum", "2-4", "SES", count]])


def vve_total(con) -> list:
    return con.execute(
        "select organisation, sum(children_count) from stg_partner__vve_indicaties"
        " group by 1 order by 1").fetchall()


def test_reupload_supersedes_restore_brings_back_and_organisations_stay_apart(gem):
    first = import_workbook(gem, vve_file(10), "vve-indicaties", "GGD", "2024", "v1.xlsx")
    other = import_workbook(gem, vve_file(99), "vve-indicaties", "Andere GGD", "2024", "a.xlsx")
    other_period = import_workbook(gem, vve_file(5), "vve-indicaties", "GGD", "2023", "v0.xlsx")
    second = import_workbook_detailed(gem, vve_file(20), "vve-indicaties", "GGD", "2024",
                                      "v2.xlsx", loaded_by="Jan (GGD)")
    assert second.status == "imported" and second.superseded == [first]
    assert vve_total(gem) == [("Andere GGD", 99), ("GGD", 25)]
    uploads = history.uploads(gem, soort="vve-indicaties")
    status = dict(zip(uploads["load_id"], uploads["status"], strict=True))
    assert status == {first: "superseded", other: "active", other_period: "active",
                      second.load_id: "active"}
    latest = uploads[uploads["load_id"] == second.load_id].iloc[0]
    assert (latest["file_name"], latest["loaded_by"], latest["row_count"]) == (
        "v2.xlsx", "Jan (GGD)", 1)
    assert len(latest["file_hash"]) == 64

    assert history.restore(gem, first) == [second.load_id]
    assert vve_total(gem) == [("Andere GGD", 99), ("GGD", 15)]
    with pytest.raises(InputRefused, match="al de actieve versie"):
        history.restore(gem, first)
    with pytest.raises(InputRefused, match="bestaat niet"):
        history.restore(gem, 0)   # the region load, not an upload
    # a partner knows an upload by its own number (history.own_numbers), never the database's
    with pytest.raises(InputRefused) as refused:
        history.restore(gem, first, shown_as=1)
    assert refused.value.messages == ["Upload 1 is al de actieve versie; er is niets hersteld."]


def test_identical_file_twice_is_recognised(gem):
    data = vve_file(10)
    first = import_workbook_detailed(gem, data, "vve-indicaties", "GGD", "2024", "v.xlsx")
    again = import_workbook_detailed(gem, data, "vve-indicaties", "GGD", "2024", "kopie.xlsx")
    assert again.status == "identical" and again.load_id == first.load_id
    assert "al aangeleverd" in again.summary()
    assert gem.execute("select count(*) from loads where dataset = 'vve-indicaties'"
                       ).fetchone() == (1,)


@pytest.mark.parametrize("data, organisation, period, expected", [
    (vve_file(-1), "GGD", "2024", "negatief"),
    (b"not excel", "GGD", "2024", "geen Excel-werkmap"),
    (vve_file(1), "", "2024", "organisatie"),
    (vve_file(1), "GGD", "ooit", "geen periode"),
    (vve_file(1), "GGD", "2099", "'2099' is nog niet begonnen"),
    (vve_file(1), "GGD", "schooljaar 2098-2099", "'schooljaar 2098-2099' is nog niet begonnen"),
    (filled_template("vve-indicaties", [["Centrum", "2-4", "SES", 1]],
                     meta={"organisatie": "Andere GGD"}), "GGD", "2024", "ingevuld voor"),
    (filled_template("vve-indicaties", [["Centrum", "2-4", "SES", 1]],
                     meta={"periode": "2023"}), "GGD", "2024", "periode '2023'"),
    (vve_file(10**20), "GGD", "2024", "geen aannemelijk aantal"),
    # the organisation of v1.xlsx with other capitals: it stood beside it, both counted
    (vve_file(1), "ggd", "2024", "al bekend als 'GGD'"),
    (filled_template("vve-indicaties", [["Centrum", "2-4", "SES", 1]],
                     meta={"definitie": "zonder Jan (BSN 111222333)"}), "GGD", "2024",
     "persoonsgegevens geweigerd"),
])
def test_refused_import_leaves_the_database_unchanged(gem, data, organisation, period, expected):
    import_workbook(gem, vve_file(10), "vve-indicaties", "GGD", "2024", "v1.xlsx")
    before = table_content(gem)
    with pytest.raises(InputRefused) as refused:
        import_workbook(gem, data, "vve-indicaties", organisation, period, "x.xlsx")
    assert any(expected in m for m in refused.value.messages), refused.value.messages
    assert table_content(gem) == before


@pytest.mark.parametrize("soort, data, expected", [
    ("vve-indicaties", filled_template("vve-indicaties", [["Centrum", "2-4", "SES", 1]],
                                       meta={"gemeente": "Zwolle"}), "gemeente 'Zwolle'"),
    ("jeugdhulp", filled_template("jeugdhulp", [["Centrum", "BSN 111222333", "ambulant", "0-2", 1]]),
     "persoonsgegevens geweigerd"),
])
def test_refused_upload_for_a_given_gemeente_leaves_the_database_unchanged(gem, soort, data,
                                                                           expected):
    """As the app uploads: always for a given gemeente."""
    import_workbook(gem, vve_file(10), "vve-indicaties", "GGD", "2024", "v1.xlsx",
                    gemeente_code="GM9999")
    before = table_content(gem)
    with pytest.raises(InputRefused) as refused:
        import_workbook(gem, data, soort, "GGD", "2024", "x.xlsx", gemeente_code="GM9999")
    assert any(expected in m for m in refused.value.messages), refused.value.messages
    assert "111222333" not in " ".join(refused.value.messages)
    assert table_content(gem) == before


@pytest.mark.parametrize("hours, shown", [
    (10**15, "1000000000000000"),  # a long number pasted into the column: no DECIMAL(18,3) holds it
    (1_000_001, "1000001"),
])
def test_implausible_hours_are_refused_naming_the_cell_and_store_nothing(gem, hours, shown):
    """Hours are a number like a count: at most a million in one cell. Before, 10**15 hours passed
    the check and the import failed in the marts with DuckDB's English 'Conversion Error'."""
    import_workbook(gem, vve_file(10), "vve-indicaties", "GGD", "2024", "v1.xlsx")
    before = table_content(gem)
    data = filled_template("ondersteuningstrajecten",
                           [["Centrum", "De Linde", "logopedie", "2-4", 5, 7, hours]])
    with pytest.raises(InputRefused) as refused:
        jobs.import_registration(gem, data, "ondersteuningstrajecten", "De Linde", "2024", "t.xlsx")
    assert refused.value.messages == [
        f"Blad 'Gegevens', rij 2, kolom G (uren): '{shown}' is geen aannemelijk getal; Kindkaart "
        "neemt hoogstens 1.000.000 per cel aan"]
    assert table_content(gem) == before


def _with_hours_written_as(data: bytes, written: str) -> bytes:
    """The workbook with cell G2 of Gegevens holding `written` as a program writes it (openpyxl
    itself writes an empty cell for NaN and infinity)."""
    import io
    import re
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            part = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet2.xml":
                part, n = re.subn(rb'<c r="G2"[^>]*?(/>|>.*?</c>)',
                                  b'<c r="G2" t="n"><v>' + written.encode() + b"</v></c>", part)
                assert n == 1
            target.writestr(item, part)
    return out.getvalue()


@pytest.mark.parametrize("written, expected", [
    ("INF", "'inf' is geen aannemelijk getal; Kindkaart neemt hoogstens 1.000.000 per cel aan"),
    ("1e999", "'inf' is geen aannemelijk getal; Kindkaart neemt hoogstens 1.000.000 per cel aan"),
    ("NaN", "'nan' is geen getal"),  # was read as an empty cell
])
def test_hours_that_are_no_number_or_infinite_are_refused_naming_the_cell(gem, written, expected):
    data = _with_hours_written_as(filled_template(
        "ondersteuningstrajecten", [["Centrum", "De Linde", "logopedie", "2-4", 5, 7, 3]]), written)
    before = table_content(gem)
    with pytest.raises(InputRefused) as refused:
        jobs.import_registration(gem, data, "ondersteuningstrajecten", "De Linde", "2024", "t.xlsx")
    assert refused.value.messages == [f"Blad 'Gegevens', rij 2, kolom G (uren): {expected}"]
    assert table_content(gem) == before


def test_a_million_hours_are_still_hours(gem):
    data = filled_template("ondersteuningstrajecten",
                           [["Centrum", "De Linde", "logopedie", "2-4", 5, 7, 1_000_000]])
    jobs.import_registration(gem, data, "ondersteuningstrajecten", "De Linde", "2024", "t.xlsx")
    assert gem.execute("select support_hours from stg_partner__ondersteuningstrajecten"
                       ).fetchall() == [(1_000_000.0,)]


def test_failure_while_storing_rolls_everything_back(gem):
    before = table_content(gem)
    # The rows cannot be inserted (their table is away) after the load row was written.
    gem.execute("alter table raw_partner__registration_rows rename to raw_hidden")
    with pytest.raises(Exception):  # noqa: B017 - any database error
        import_workbook(gem, vve_file(3), "vve-indicaties", "GGD", "2024", "v.xlsx")
    gem.execute("alter table raw_hidden rename to raw_partner__registration_rows")
    assert table_content(gem) == before


def test_sample_workbooks_import(con):
    jobs.load_sample(con)
    loads = con.execute(
        "select dataset, organisation, period, status from loads"
        " where source in ('partner', 'brp') order by dataset").fetchall()
    assert [r[0] for r in loads] == sorted(REGISTRATION_TYPES)
    assert all(r[3] == "active" for r in loads)
    # vve-indicaties: 10-25 % of 2-4 year olds, highest share in Bloemhof (deprived)
    share = dict(con.execute("""
        select v.wijk_code, v.vve / p.children
        from (select wijk_code, sum(children_count) as vve from stg_partner__vve_indicaties
              group by 1) as v
        join population_by_wijk_age as p
          on p.wijk_code = v.wijk_code and p.year = 2024 and p.age_group = '2-4'
        where p.children >= 50
    """).fetchall())
    assert all(0.08 <= s <= 0.27 for s in share.values()), share
    assert max(share, key=share.get) == "WK999909"
    for rtype in REGISTRATION_TYPES.values():
        if rtype.target == "partner":
            assert con.execute(f"select count(*) from {rtype.view_name}").fetchone()[0] > 0


def test_sample_workbooks_are_generated_deterministically_and_up_to_date(tmp_path):
    import importlib.util
    import shutil

    sample_dir = Path(__file__).resolve().parent.parent / "sample_data"
    for part in ("geo", "postcodes", "lrk"):  # row 3 stays within the LRK places
        shutil.copytree(sample_dir / part, tmp_path / part)
    shutil.copy(sample_dir / "population_by_buurt_age.csv", tmp_path)
    spec = importlib.util.spec_from_file_location(
        "generate_registrations", sample_dir / "generate_registrations.py")
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    generator.main(tmp_path)
    written = sorted(p.name for p in (tmp_path / "registrations").glob("*.xlsx"))
    assert written == sorted(f"{key}.xlsx" for key in REGISTRATION_TYPES)
    for name in written:
        assert (tmp_path / "registrations" / name).read_bytes() == (
            sample_dir / "registrations" / name).read_bytes(), f"regenerate {name}"


def test_saving_reuses_the_check_made_when_the_file_went_in_until_its_regions_change(gem, monkeypatch):
    from data_sources.registrations import importing, validate

    data = filled_template("wachtlijst-zorg", [["Centrum", None, "behandeling", "2-4", 3, 6.5]])
    check = validate.check_upload(data, "wachtlijst-zorg", gem, "lijst.xlsx", "GM9999", "2024")
    assert check.result.ok
    calls = []
    real = importing.validate_workbook
    monkeypatch.setattr(importing, "validate_workbook", lambda *a, **k: calls.append(a) or real(*a, **k))
    # another organisation's upload in between changes nothing a check reads: no second check
    jobs.import_registration(gem, filled_template("wachtlijst-zorg", [["Bloemhof", None, "jeugdhulp", "0-2", 5, 2]]),
                             "wachtlijst-zorg", "Zorggroep B", "2024", "b.xlsx", gemeente_code="GM9999")
    calls.clear()
    result = jobs.import_registration(gem, data, "wachtlijst-zorg", "Zorggroep A", "2024", "lijst.xlsx",
                                      gemeente_code="GM9999", checked=check)
    assert result.status == "imported" and calls == []
    # another file, name or period than the one checked: checked again
    other = filled_template("wachtlijst-zorg", [["Centrum", None, "behandeling", "2-4", 4, 6.5]])
    jobs.import_registration(gem, other, "wachtlijst-zorg", "Zorggroep A", "2024", "lijst.xlsx",
                             gemeente_code="GM9999", checked=check)
    assert len(calls) == 1
    # a wijk renamed after the check (a new kwb): the old check no longer counts
    check = validate.check_upload(data, "wachtlijst-zorg", gem, "lijst.xlsx", "GM9999", "2024")
    gem.execute("update regions set region_name = 'Stadshart' where region_code = 'WK999901'")
    calls.clear()
    with pytest.raises(InputRefused, match="Centrum"):
        jobs.import_registration(gem, data, "wachtlijst-zorg", "Zorggroep A", "2024", "lijst.xlsx",
                                 gemeente_code="GM9999", checked=check)
    assert len(calls) == 1
