"""Honest partner workbooks with real Dutch place and organisation names, each a real .xlsx built
from the real template: wijk names that are first names (Tilburg's Fatima and Theresia, Hollands
Kroon's Anna Paulowna), gemeente names that are a first or family name (Lisse, Hoogeveen), a list
of locations with street names under 'straat' and organisation names named after a family under
'naam', and LRK numbers that pass the elfproef by chance. They are accepted, while a list of
persons under the same headers is still refused. The second part runs every wijk and gemeente of
the Netherlands (../shared/real_data, skipped when absent) through the same check."""

from __future__ import annotations

import collections
import io
import json
import sys
from pathlib import Path

import openpyxl
import pytest

from data_sources import store
from data_sources.gemeentenamen import bundled_names
from data_sources.registrations.template import write_template
from data_sources.registrations.validate import validate_workbook

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "registrations"))
from support import small_gemeente  # noqa: E402

REAL_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "real_data"

# Real wijken of 2024 (CBS/PDOK wijk_2024, codes of 85984NED) whose names are persons' names too
TILBURG = ("GM0855", "Tilburg", {"WK085514": "Fatima", "WK085527": "Theresia",
                                 "WK085519": "Sint Anna", "WK085536": "Zorgvlied",
                                 "WK085522": "Bouwmeester", "WK085513": "Jeruzalem"})
HOLLANDS_KROON = ("GM1911", "Hollands Kroon", {"WK191101": "Anna Paulowna"})
LISSE = ("GM0553", "Lisse", {"WK055301": "Lisse Noord", "WK055302": "Centrum",
                             "WK055303": "Lisse Zuid"})
# organisations named after a family, as partners name them (no person among them)
ORGANISATIONS = ["Kinderopvang Smit & Co", "BSO De Vries", "Gastouderbureau Jansen",
                 "Kindcentrum De Bakker", "Basisschool Molenaar", "Kinderdagverblijf Visser",
                 "Peuterspeelzaal Mulder", "Stichting Kinderopvang Meijer"]
STREETS = ["Kerkstraat", "Jan van Galenstraat", "Molenlaan", "Bakkerstraat", "Dorpsweg",
           "Willem de Zwijgerlaan"]
SURNAMES = ["Jansen", "de Vries", "Bakker"]


def real_store(gemeenten) -> object:
    """A fresh in-memory store with `gemeenten` (code, name, {wijk code: name})."""
    con = store.connect(":memory:")
    con.execute("insert into loads (load_id, source, dataset) values (0, 'cbs', 'regio')")
    for code, name, wijken in gemeenten:
        con.execute("insert into regions values (2024, ?, 'gemeente', ?, ?, null, 0)", [code, name, code])
        con.executemany("insert into regions values (2024, ?, 'wijk', ?, ?, ?, 0)",
                        [[wijk, wijk_name, code, wijk] for wijk, wijk_name in wijken.items()])
    return con


@pytest.fixture
def tilburg():
    con = real_store([TILBURG, HOLLANDS_KROON, LISSE])
    yield con
    con.close()


def honest_workbook(gemeente: str, wijken: list[str], sheets: dict[str, list[list]] | None = None,
                    organisatie: str = "Kinderopvang Smit & Co", toelichting: str | None = None) -> bytes:
    """The real vve-indicaties template: one row per wijk, the Organisatie sheet filled in, and
    extra `sheets` (name -> rows) a partner keeps beside the data."""
    buffer = io.BytesIO()
    write_template("vve-indicaties", buffer, None)
    book = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    data = book["Gegevens"]
    for r, wijk in enumerate(wijken, start=2):
        for c, value in enumerate([wijk, "2-4", "SES", 5], start=1):
            data.cell(r, c, value)
    info = book["Organisatie"]
    fields = {"organisatie": organisatie, "periode": "2024", "gemeente": gemeente,
              "toelichting": toelichting}
    for r in range(2, info.max_row + 1):
        if info.cell(r, 1).value in fields:
            info.cell(r, 2, fields[info.cell(r, 1).value])
    for name, rows in (sheets or {}).items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def accepted(con, data: bytes, children: int) -> None:
    result = validate_workbook(data, "vve-indicaties", con, "vve.xlsx")
    assert result.ok, result.message_texts()
    assert int(result.aggregates_df["children_count"].sum()) == children


def refused(con, data: bytes, start: str) -> str:
    result = validate_workbook(data, "vve-indicaties", con, "vve.xlsx")
    texts = result.message_texts()
    assert not result.ok and result.aggregates_df.empty and len(texts) == 1, texts
    text = texts[0]
    assert text.startswith(start) and "er is niets opgeslagen" in text, text
    for name in SURNAMES + ["Jansen", "Dorpsstraat", "Bakker"]:
        assert name not in text, text  # the rows, never the values
    return text


# --- real names written into the test (no real_data needed) ---------------------------------------

def test_wijken_named_as_persons_are_accepted_in_the_wijk_column_and_a_list(tilburg):
    wijken = list(TILBURG[2].values())
    sheets = {"Wijken": [[wijk] for wijk in wijken],
              "Locaties": [["locatie", "straat", "wijk"]] + [
                  [ORGANISATIONS[i], STREETS[i], wijk] for i, wijk in enumerate(wijken)]}
    accepted(tilburg, honest_workbook("Tilburg", wijken, sheets,
                                      toelichting="Cijfers voor " + ", ".join(wijken) + "."), 30)
    accepted(tilburg, honest_workbook("Hollands Kroon", ["Anna Paulowna"],
                                      {"Wijken": [["Anna Paulowna"]] * 4}), 5)


@pytest.mark.parametrize("loaded", [True, False], ids=["gemeente-loaded", "bundled-list-only"])
def test_gemeente_names_that_are_a_first_or_family_name_are_accepted(tilburg, loaded):
    # before: four times 'Lisse' in a column made a list of first names (and 'Hoogeveen' is a
    # family name); gemeente names are places, from the store and the bundled list of 2024
    if not loaded:
        tilburg.execute("delete from regions where gemeente_code = 'GM0553' and region_level = 'gemeente'")
    rows = [["gemeente", "wijk"]] + [["Lisse", w] for w in LISSE[2].values()] + [
        ["Lisse", "Buitengebied"], ["Hoogeveen", "Centrum"], ["Hoogeveen", "Noord"]]
    accepted(tilburg, honest_workbook("Tilburg", ["Fatima"], {"Regio": rows}), 5)
    accepted(tilburg, honest_workbook("Tilburg", ["Fatima"], {
        "Regio": [["Lisse"], ["Lisse"], ["Lisse"], ["Hoogeveen"]]}), 5)


def test_street_names_without_a_number_under_straat_are_accepted(tilburg):
    # before: the header 'straat' refused every list of locations as addresses
    for header in ("straat", "Straatnaam"):
        rows = [["locatie", header, "wijk"]] + [[o, s, "Fatima"] for o, s in zip(
            ORGANISATIONS, STREETS, strict=False)]
        accepted(tilburg, honest_workbook("Tilburg", ["Fatima"], {"Locaties": rows}), 5)


@pytest.mark.parametrize("cells", [["Kerkstraat", "Dorpsstraat 12"], ["Kerkstraat", "Jansen"],
                                   ["Kerkstraat", 12]],
                         ids=["house-number", "family-name", "number"])
def test_straat_over_anything_but_street_names_is_still_refused(tilburg, cells):
    rows = [["locatie", "straat"]] + [[o, c] for o, c in zip(ORGANISATIONS, cells, strict=False)]
    text = refused(tilburg, honest_workbook("Tilburg", ["Fatima"], {"Locaties": rows}),
                   "Blad 'Locaties', ")
    assert "persoonsgegevens geweigerd" in text and "adres" in text, text


def test_organisations_named_after_a_family_under_naam_are_accepted(tilburg):
    # before: the header 'naam' refused a partner's list of its locations
    rows = [["naam", "wijk", "aantal kindplaatsen"]] + [[o, "Theresia", 16] for o in ORGANISATIONS]
    accepted(tilburg, honest_workbook("Tilburg", ["Fatima"], {"Locaties": rows}), 5)
    accepted(tilburg, honest_workbook("Tilburg", ["Fatima"], {
        "Locaties": [["naam"], ["Fatima"], ["Sint Anna"], ["Team Jeugd gemeente Tilburg"]]}), 5)


@pytest.mark.parametrize("cells", [SURNAMES, ["Kinderopvang Smit & Co", "Jansen"],
                                   ["Gastouder Jansen", "Gastouder de Vries"],
                                   ["BSO De Vries", "Yusuf Özdemir"],
                                   ["Groep 3 Sanne", "Groep 4 Daan"],
                                   ["BSO Sanne de Vries", "Kinderopvang Smit & Co"],
                                   ["Team Emma", "Huis van Daan"]],
                         ids=["family-names", "one-person", "gastouders", "unlisted-name",
                              "class-and-child", "child-at-an-organisation", "first-names"])
def test_naam_over_persons_is_still_refused(tilburg, cells):
    # a gastouder is a person, and a name of no list is only told by its header
    rows = [["naam", "wijk"]] + [[c, "Fatima"] for c in cells]
    refused(tilburg, honest_workbook("Tilburg", ["Fatima"], {"Locaties": rows}),
            "Blad 'Locaties', rij 1, kolom A (naam): persoonsgegevens geweigerd: de kolomnaam wijst "
            "op namen.")


def test_family_names_without_a_header_are_still_refused(tilburg):
    rows = [[name, "Fatima"] for name in SURNAMES]
    refused(tilburg, honest_workbook("Tilburg", ["Fatima"], {"Locaties": rows}),
            "Blad 'Locaties', kolom A: persoonsgegevens geweigerd: 3 cel(len) met mogelijk een "
            "achternaam, in een kolom die een lijst met namen lijkt")


# nine-digit LRK numbers; 100000009 and 100000022 pass the elfproef by chance, the others fail
LRK_NUMBERS = [100000009, 100000022, 123456789, 234567891, 345678912, 456789123]


def test_lrk_numbers_that_pass_the_elfproef_by_chance_are_accepted(tilburg):
    from data_sources.registrations.values import elfproef
    assert [elfproef(str(n)) for n in LRK_NUMBERS] == [True, True, False, False, False, False]
    for header in ("LRK-nummer", "lrk_id", "Registratienummer LRK"):
        rows = [["locatie", header]] + [[o, n] for o, n in zip(ORGANISATIONS, LRK_NUMBERS, strict=False)]
        accepted(tilburg, honest_workbook("Tilburg", ["Fatima"], {"Locaties": rows}), 5)
        rows = [["locatie", header]] + [[o, str(n)] for o, n in zip(ORGANISATIONS, LRK_NUMBERS, strict=False)]
        accepted(tilburg, honest_workbook("Tilburg", ["Fatima"], {"Locaties": rows}), 5)


@pytest.mark.parametrize("header,numbers", [
    ("LRK-nummer", [100000009, 100000022, 100000034]),          # every number passes: BSNs
    ("LRK-nummer", [100000009, 123456789]),                     # too few to tell
    ("nummer", [100000009, 123456789, 234567891, 345678912]),   # no header of an LRK number
], ids=["all-pass", "too-few", "other-header"])
def test_bsns_under_an_lrk_header_are_still_refused(tilburg, header, numbers):
    rows = [["locatie", header]] + [[o, n] for o, n in zip(ORGANISATIONS, numbers, strict=False)]
    text = refused(tilburg, honest_workbook("Tilburg", ["Fatima"], {"Locaties": rows}),
                   "Blad 'Locaties', kolom B")
    assert "burgerservicenummer" in text, text


def test_the_small_gemeente_of_the_other_tests_accepts_a_list_of_locations(con):
    small_gemeente(con)
    rows = [["naam", "straat", "wijk"], ["Kinderopvang Smit & Co", "Kerkstraat", "Centrum"],
            ["BSO De Vries", "Havenkade", "Oude Haven"]]
    accepted(con, honest_workbook("Voorbeeldstad", ["Centrum"], {"Locaties": rows}), 5)


# --- every wijk and gemeente of the Netherlands (../shared/real_data) -----------------------------

needs_real_data = pytest.mark.skipif(not REAL_DATA.exists(), reason="../shared/real_data ontbreekt")


@pytest.fixture(scope="module")
def national():
    """A store with every gemeente and wijk of 2024, and the wijk names by gemeente."""
    features = json.loads((REAL_DATA / "geo" / "wijk_2024_wgs84_cartomap.geojson").read_text(
        encoding="utf-8"))["features"]
    wijken: dict[str, dict[str, str]] = collections.defaultdict(dict)
    for feature in features:
        code, name = feature["properties"]["statcode"], feature["properties"]["name"]
        wijken["GM" + code[2:6]][code] = name
    names = bundled_names()
    con = real_store([(code, names[code], wijken[code]) for code in sorted(wijken)])
    yield con, wijken
    con.close()


@needs_real_data
def test_every_wijk_and_gemeente_name_in_a_list_of_locations_is_accepted(national):
    con, wijken = national
    assert len(wijken) == 342 and sum(map(len, wijken.values())) == 3393
    names = bundled_names()
    rows = [["locatie", "straat", "wijk", "gemeente"]] + [
        [ORGANISATIONS[i % len(ORGANISATIONS)], STREETS[i % len(STREETS)], wijk, names[code]]
        for i, (code, wijk) in enumerate((code, wijk) for code in sorted(wijken)
                                         for wijk in wijken[code].values())]
    amsterdam = list(wijken["GM0363"].values())
    accepted(con, honest_workbook("Amsterdam", amsterdam, {
        "Locaties": rows, "Gemeenten": [[name] for name in names.values()]}), 5 * len(amsterdam))


@needs_real_data
def test_the_gemeenten_with_wijken_named_as_persons_accept_their_wijken(national):
    from data_sources.registrations import values as v
    con, wijken = national
    named = {code for code, own in wijken.items() for wijk in own.values()
             if v.is_first_name(wijk, capitals=True) or v.is_surname(wijk)
             or v.personal_in_text(wijk)}
    assert {"GM0855", "GM1911"} <= named  # Fatima, Theresia; Anna Paulowna
    for code in sorted(named):
        own = list(wijken[code].values())
        accepted(con, honest_workbook(bundled_names()[code], own, {"Wijken": [[w] for w in own]},
                                      toelichting="Cijfers per wijk: " + ", ".join(own[:10])),
                 5 * len(own))
