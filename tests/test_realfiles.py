"""Partner workbooks as people really fill them in, and CBS's symbols in every CBS reader."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sys
import zipfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "registrations"))
from conftest import run_page, upload_registration  # noqa: E402
from kwb_files import KWB_COLUMNS, kwb_rows, write_kwb_csv, write_kwb_xlsx  # noqa: E402
from support import filled_template, plain_workbook, small_gemeente  # noqa: E402
from test_cbs_real_variants import kwb_observations, write_download  # noqa: E402
from test_registrations_page import loads_of, messages_of  # noqa: E402

from data_sources.cbs.formats import read_cbs_file  # noqa: E402
from data_sources.cbs.loading import kerncijfers_frames  # noqa: E402
from data_sources.errors import InputRefused  # noqa: E402
from data_sources.registrations.importing import import_workbook  # noqa: E402
from data_sources.registrations.validate import validate_workbook  # noqa: E402

VVE = ["wijk", "leeftijdsgroep", "criterium", "aantal kinderen"]



def check(con, rows, header=VVE, soort="vve-indicaties", **kwargs):
    return validate_workbook(plain_workbook([header, *rows]), soort, con, "partner.xlsx",
                             period=kwargs.pop("period", "2024"), **kwargs)


def counts(result) -> list[tuple]:
    frame = result.aggregates_df
    return sorted(zip(frame["wijk_code"], frame["children_count"], strict=True))


# --- item 1: what partners type -------------------------------------------------------------

@pytest.mark.parametrize("note", ["Bron: eigen registratie JGZ 2024", "* voorlopige cijfers",
                                  "NB: excl. kinderen zonder BSN", "Peildatum 31-12-2024"])
def test_a_note_under_the_table_is_refused_naming_its_row(gem, note):
    result = check(gem, [["Centrum", "2-4", "SES", 5], [], [note]])
    assert result.message_texts() == [
        f"Blad 'Gegevens', rij 4: dit lijkt een notitie ('{note}'), geen rij met gegevens. "
        "Verwijder de regel uit dit blad; een bron of toelichting hoort in het blad Organisatie "
        "(velden bron en toelichting), en voorlopige cijfers meldt u daar bij toelichting."]
    assert result.aggregates_df.empty


def test_a_note_above_the_table_is_passed_over_with_a_notice(gem):
    data = plain_workbook([["Bron: JGZ, stand 2024"], VVE, ["Centrum", "2-4", "SES", 5]])
    result = validate_workbook(data, "vve-indicaties", gem, "p.xlsx", period="2024")
    assert result.ok, result.message_texts()
    assert counts(result) == [("WK999901", 5)]
    assert any("de kopregel staat op rij 2" in str(n) for n in result.notices)


@pytest.mark.parametrize("total", [
    ["Totaal", None, None, 10], [None, None, "Eindtotaal", 10], [None, None, None, 10],
    # a subtotal per wijk and a total named for the gemeente: was 'is geen wijk' plus two empty
    # cells, which sent the partner looking for the right wijk name
    ["Subtotaal Centrum", None, None, 10], ["Sub-totaal", None, None, 10],
    ["Gemeente totaal", None, None, 10], ["Voorbeeldstad totaal", "2-4", "SES", 10]])
def test_a_total_row_with_or_without_its_label_is_refused(gem, total):
    result = check(gem, [["Centrum", "2-4", "SES", 5], ["Oude Haven", "2-4", "SES", 5], total])
    assert result.message_texts() == [
        "Blad 'Gegevens', rij 4: dit lijkt een totaalrij. Verwijder totaal- en subtotaalrijen: "
        "Kindkaart telt zelf op."]


@pytest.mark.parametrize(("typed", "count"), [
    (12.0, 12), ("12 ", 12), (" 12", 12), ("12,0", 12), ("1.234", 1234), ("1 234", 1234),
    ("1.234,0", 1234), ("0", 0), (0, 0)])
def test_counts_typed_as_people_type_them_are_read(gem, typed, count):
    result = check(gem, [["Centrum", "2-4", "SES", typed]])
    assert result.ok, result.message_texts()
    assert counts(result) == [("WK999901", count)]


NO_CHILDREN = ("Zijn er geen kinderen, vul dan 0 in; is het aantal onbekend of niet van "
               "toepassing, verwijder dan de rij (een rij zonder aantal telt als één kind)")


@pytest.mark.parametrize(("typed", "message"), [
    ("1,234", "'1,234' is dubbelzinnig: 1234 (met ',' tussen de duizendtallen) of 1,234 (met ',' "
              "als decimaalteken). Typ het getal zonder scheidingsteken voor duizendtallen: 1234"),
    ("n.v.t.", f"'n.v.t.' is geen getal. {NO_CHILDREN}"),
    ("nvt", f"'nvt' is geen getal. {NO_CHILDREN}"),
    ("-", f"'-' is geen getal. {NO_CHILDREN}"),
    ("onbekend", f"'onbekend' is geen getal. {NO_CHILDREN}"),
    ("12*", "'12*': een sterretje (voorlopig cijfer) hoort niet in de cel. Typ 12 en meld in het "
            "blad Organisatie (veld toelichting) dat de cijfers voorlopig zijn"),
    ("12%", "'12%' is een percentage; vul het aantal zelf in (een heel getal), niet het "
            "percentage"),
    (0.12, "'0.12' is geen heel getal; is het een percentage (12%)? Vul het aantal in, niet het "
           "percentage"),
])
def test_ambiguous_counts_are_refused_saying_what_to_type(gem, typed, message):
    result = check(gem, [["Centrum", "2-4", "SES", typed]])
    assert result.message_texts() == [
        f"Blad 'Gegevens', rij 2, kolom D (aantal kinderen): {message}"]


def test_an_optional_count_says_to_leave_an_unknown_empty(gem):
    header = ["wijk", "soort opvang", "leeftijdsgroep", "aantal kinderen", "kindplaatsen"]
    result = check(gem, [["Centrum", "dagopvang", "0-2", 10, "n.v.t."]], header,
                   "kinderopvang-bezetting")
    assert result.message_texts() == [
        "Blad 'Gegevens', rij 2, kolom E (kindplaatsen): 'n.v.t.' is geen getal. Zijn er geen, "
        "vul dan 0 in; is het onbekend of niet van toepassing, laat de cel dan leeg"]


@pytest.mark.parametrize("typed", ["1.234", "1,234"])
def test_hours_with_one_separator_and_three_digits_are_refused(gem, typed):
    header = ["wijk", "soort ondersteuning", "leeftijdsgroep", "aantal kinderen", "uren"]
    result = check(gem, [["Centrum", "logopedie", "2-4", 3, typed]], header,
                   "ondersteuningstrajecten")
    assert len(result.messages) == 1
    assert f"kolom E (uren): '{typed}' is dubbelzinnig: 1234" in result.message_texts()[0]
    assert result.message_texts()[0].endswith(", of met een komma voor decimalen")


def test_an_empty_count_among_counts_is_named_in_a_notice(gem):
    result = check(gem, [["Centrum", "2-4", "SES", 5], ["Oude Haven", "2-4", "SES", None]])
    assert result.ok and counts(result) == [("WK999901", 5), ("WK999902", 1)]
    assert [str(n) for n in result.notices] == [
        "Blad 'Gegevens', kolom D (aantal kinderen): rij 3 heeft geen aantal kinderen en telt als "
        "één kind, terwijl andere rijen een aantal hebben. Klopt dat niet, vul dan het aantal in "
        "(0 als er geen kinderen zijn) of verwijder de rij."]


def test_wijk_names_as_partners_type_them(gem):
    result = check(gem, [["  centrum ", "2-4", "SES", 1], ["Wijk 01 Centrum", "2-4", "SES", 2],
                         ["wijk 9 bloemhof", "2-4", "SES", 4], ["wk999902", "2-4", "SES", 8],
                         ["Centrum Noord", "2-4", "taal/spraak", 16]])
    assert result.ok, result.message_texts()
    assert counts(result) == [("WK999901", 3), ("WK999901", 16), ("WK999902", 8),
                              ("WK999909", 4)]


def test_a_numbered_wijk_name_from_the_cbs_file_matches_the_name_without_number(con):
    small_gemeente(con)
    con.execute("update regions set region_name = 'Wijk 02 Oude Haven' where region_code = 'WK999902'")
    result = check(con, [["Oude Haven", "2-4", "SES", 3]])
    assert result.ok and counts(result) == [("WK999902", 3)]


def test_a_former_wijk_name_is_read_as_the_wijk(con):
    small_gemeente(con)
    con.execute("insert into regions values (2020, 'WK999902', 'wijk', 'Havenkwartier', 'GM9999',"
                " 'WK999902', 0)")
    result = check(con, [["Havenkwartier", "2-4", "SES", 3]])
    assert result.ok and counts(result) == [("WK999902", 3)]


@pytest.mark.parametrize(("typed", "message"), [
    ("Wijk 02 Centrum", "'Wijk 02 Centrum': het wijknummer 02 past niet bij Centrum (WK999901); "
                        "gebruik de wijknaam uit de keuzelijst of de CBS-wijkcode"),
    ("Centrm", "'Centrm' is geen wijk van Voorbeeldstad; bedoelt u 'Centrum'?"),
    ("WK099901", "'WK099901' is geen wijkcode van Voorbeeldstad"),
    ("Noordeinde", "'Noordeinde' is geen wijk van Voorbeeldstad; kies een wijk uit de keuzelijst "
                   "van het sjabloon (blad Lijsten) of gebruik de CBS-wijkcode (WK…)"),
])
def test_a_wijk_that_is_not_one_says_what_to_type(gem, typed, message):
    result = check(gem, [[typed, "2-4", "SES", 3]])
    assert result.message_texts() == [f"Blad 'Gegevens', rij 2, kolom A (wijk): {message}"]


def test_columns_reordered_and_a_remark_column_are_read_and_named(gem):
    header = ["aantal kinderen", "Opmerking", "criterium", "wijk", "leeftijdsgroep"]
    result = check(gem, [[7, "nieuw dit jaar", "SES", "Centrum", "2-4"]], header)
    assert result.ok, result.message_texts()
    assert counts(result) == [("WK999901", 7)]
    assert "Opmerking" not in result.aggregates_df.columns
    assert [str(n) for n in result.notices] == [
        "Blad 'Gegevens', rij 1, kolom B (Opmerking): de kolom 'Opmerking' is geen kolom van het "
        "sjabloon; Kindkaart leest en bewaart haar niet. Wat erin staat, telt dus niet mee: zet "
        "een toelichting die ertoe doet in het blad Organisatie (veld toelichting)."]


@pytest.mark.parametrize("remark", ["dhr. Jansen belt terug", "moeder van Sven", "J. de Vries",
                                    "via mevr. Bakker"])
def test_a_name_in_a_remark_column_is_refused_without_echo(gem, remark):
    result = check(gem, [["Centrum", "2-4", "SES", 5, remark]], [*VVE, "Opmerking"])
    texts = result.message_texts()
    assert len(texts) == 1 and "kolom E (Opmerking): persoonsgegevens geweigerd" in texts[0]
    assert "naam van een persoon" in texts[0] and "(rij 2)" in texts[0]
    assert remark not in texts[0]


@pytest.mark.parametrize("name", ["J. de Vries", "dhr. Jansen", "moeder van Sven"])
def test_a_name_in_a_stored_text_column_is_refused_naming_the_cell(gem, name):
    data = filled_template("jeugdhulp", [["Centrum", name, "ambulant", "0-2", 6]])
    result = validate_workbook(data, "jeugdhulp", gem, "j.xlsx", period="2024")
    assert result.message_texts() == [
        "Blad 'Gegevens', rij 2, kolom B (aanbieder): persoonsgegevens geweigerd: de cel bevat "
        "mogelijk de naam van een persoon (zoals een voornaam met een achternaam, 'dhr. ...', "
        "'moeder van ...' of voorletters met een achternaam). Zet in tekstcellen alleen namen van "
        "organisaties, locaties, scholen en "
        "groepen, geen namen van kinderen, ouders of medewerkers, en lever het bestand opnieuw "
        "aan; er is niets opgeslagen."]


@pytest.mark.parametrize("provider", [
    "Zorggroep De Vries", "Van der Valk Jeugdzorg", "Burgemeester de Vrieslaan", "Jan van Galenstraat",
    "J.P. Coenschool", "Mr. J.C. van Oosterhout school", "Kindcentrum A. Frank", "Oude Haven",
    "Zuid-Éind", "Wijk 01 Centrum", "KDV Het Speelhof 2", "Groep 3", "Zorg B.V."])
def test_organisation_street_and_wijk_names_are_no_names_of_people(gem, provider):
    data = filled_template("jeugdhulp", [["Centrum", provider, "ambulant", "0-2", 6]])
    result = validate_workbook(data, "jeugdhulp", gem, "j.xlsx", period="2024")
    assert result.ok, result.message_texts()


@pytest.mark.parametrize("location", ["Kinderopvang De Zon, Dorpsstraat 12",
                                      "De Zon, Dorpsstraat 12, 9901 AA Voorbeeldstad"])
def test_an_address_with_the_location_is_refused_with_the_reason(gem, location):
    header = ["wijk", "locatie kinderopvang", "soort opvang", "leeftijdsgroep", "aantal kinderen"]
    result = check(gem, [["Centrum", location, "dagopvang", "0-2", 12]], header,
                   "kinderopvang-bezetting")
    texts = result.message_texts()
    assert len(texts) == 1 and location not in texts[0]
    assert texts[0].startswith("Blad 'Gegevens', rij 2, kolom B (locatie kinderopvang): "
                               "persoonsgegevens geweigerd: de cel bevat mogelijk een adres (")
    assert texts[0].endswith(
        "Kindkaart neemt geen adressen aan: het adres van een gastouder is een woonadres (een "
        "persoonsgegeven) en de kolom wijk zegt al waar de rij telt. Vul alleen de naam van de "
        "locatie of organisatie in ('Kinderopvang De Zon', eventueel met het LRK-nummer) en lever "
        "het bestand opnieuw aan; er is niets opgeslagen.")
    # the name alone, and a street without a number, are fine
    fine = check(gem, [["Centrum", "Kinderopvang De Zon (Dorpsstraat)", "dagopvang", "0-2", 12]],
                 header, "kinderopvang-bezetting")
    assert fine.ok, fine.message_texts()


def test_an_unreadable_peildatum_is_named_by_its_cell(gem):
    """A definition typed one row too high, in the peildatum: the page's table of messages gets
    the row and column of the cell, as for every cell of the sheet Gegevens."""
    data = filled_template("vve-indicaties", [["Centrum", "2-4", "SES", 5]],
                           meta={"periode": "2024", "peildatum": "doelgroepdefinitie vve 2024"})
    result = validate_workbook(data, "vve-indicaties", gem, "vve.xlsx")
    assert [m.as_dict() for m in result.messages] == [{
        "blad": "Organisatie", "rij": 5, "kolom": "B", "kolomnaam": "peildatum",
        "melding": "'doelgroepdefinitie vve 2024' is geen datum; schrijf bijvoorbeeld 31-12-2024 "
                   "of gebruik een Excel-datum"}]


def test_a_period_typed_as_a_date_is_refused_not_taken_for_today(gem):
    data = filled_template("vve-indicaties", [["Centrum", "2-4", "SES", 5]],
                           meta={"periode": dt.datetime(2024, 12, 31)})
    result = validate_workbook(data, "vve-indicaties", gem, "vve.xlsx")
    assert result.message_texts() == [
        "Blad 'Organisatie', rij 3, kolom B (periode): '31-12-2024' is geen periode; schrijf "
        "bijvoorbeeld 2024, 2024-Q3, 2024-09 of schooljaar 2024-2025 (een datum hoort bij peildatum)"]
    with pytest.raises(InputRefused) as refused:
        import_workbook(gem, data, "vve-indicaties", "JGZ", "2024", "vve.xlsx")
    assert refused.value.messages == [
        "Blad 'Organisatie': bij periode staat de datum '31-12-2024', geen periode; het bestand "
        "wordt aangeleverd voor '2024'. Typ bij periode 2024 (als tekst, bijvoorbeeld 2024, "
        "2024-Q3 of schooljaar 2024-2025) en zet een telmoment bij peildatum."]


@pytest.mark.parametrize("period", [2024, "2024", " 2024 "])
def test_a_period_as_number_or_text_is_read(gem, period):
    data = filled_template("vve-indicaties", [["Centrum", "2-4", "SES", 5]],
                           meta={"periode": period})
    result = validate_workbook(data, "vve-indicaties", gem, "vve.xlsx")
    assert result.ok, result.message_texts()


def test_the_page_shows_each_problem_of_a_real_partner_file_and_stores_nothing(app_db):
    before = loads_of(app_db, "vve-indicaties")
    data = filled_template("vve-indicaties", [
        ["Wijk 01 Bloemhof", "2-4", "SES", "1,234"],
        ["Bloemhof", "2-4", "taal/spraak", "n.v.t."],
        [None, None, None, None],
        ["Bron: eigen registratie"],
    ])
    at = upload_registration(run_page("aanleveren"), "vve-indicaties", "vve.xlsx", data)
    assert not at.exception
    messages = messages_of(at)
    assert [(m["rij"], m["kolom"]) for m in messages] == [("2", "A"), ("2", "D"), ("3", "D"),
                                                          ("5", "")]
    assert "dubbelzinnig" in messages[1]["melding"] and "vul dan 0 in" in messages[2]["melding"]
    assert "notitie" in messages[3]["melding"]
    assert loads_of(app_db, "vve-indicaties") == before


# --- item 2: CBS's symbols in every reader ---------------------------------------------------

def values_of(path: Path) -> dict[tuple[str, str], float | None]:
    """(region, stem) -> value as stored; an unknown value (NaN in the frame) is None."""
    _, values = kerncijfers_frames(read_cbs_file(path).table)
    return {(r.region_code, r.stem): None if r.value != r.value else r.value
            for r in values.itertuples()}


def kwb_with_symbols() -> list[list]:
    """Zwolle's kwb rows with '-' (not available that year) in a wijk's jeugdzorg count, '.'
    (secret) in another's,
    and a provisional mark on a third."""
    rows = kwb_rows(secret_jeugdzorg=False)
    jeugdzorg = KWB_COLUMNS.index("a_jz_tn")
    codes = [row[0] for row in rows]
    rows[codes.index("WK019310")][jeugdzorg] = "-"
    rows[codes.index("WK019311")][jeugdzorg] = "."
    rows[codes.index("WK019322")][jeugdzorg] = "40*"
    return rows


@pytest.mark.parametrize("write", ["xlsx", "csv"])
def test_kwb_reads_a_dash_and_secret_as_unknown_and_provisional_as_its_figure(tmp_path, write):
    path = (write_kwb_xlsx(tmp_path / "kwb-2024.xlsx", kwb_with_symbols()) if write == "xlsx"
            else write_kwb_csv(tmp_path / "kwb-2024.csv", kwb_with_symbols()))
    values = values_of(path)
    stem = next(s for (code, s) in values if code == "WK019310" and "Jeugdzorg" in s)
    # '-': not available that year in the kwb (nihil elsewhere): unknown, never an invented 0
    assert values.get(("WK019310", stem)) is None
    assert values.get(("WK019311", stem)) is None
    assert values[("WK019322", stem)] == 40


def test_statline_csv_reads_a_dash_secret_and_provisional(tmp_path):
    header = ["Wijken en buurten", "Regioaanduiding/Codering (code)",
              "Kinderopvang/Kinderdagverblijf/Afstand tot kinderdagverblijf (km)",
              "Kinderopvang/Kinderdagverblijf/Aantal kinderdagverblijven/Binnen 1 km (aantal)"]
    rows = [["Wijk 10 Binnenstad", "WK019310  ", "     0.3", "       -"],
            ["Wijk 11 Diezerpoort", "WK019311  ", "       .", "       x"],
            ["Wijk 22 Stadshagen", "WK019322  ", "    0.6*", "      4*"]]
    text = io.StringIO()
    csv.writer(text, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(
        [header, *rows])
    path = tmp_path / "Nabijheid_voorzieningen__afstand_locatie__wijk-_en_buurtcijfers_2023.csv"
    path.write_text(text.getvalue(), encoding="utf-8-sig")
    values = values_of(path)
    assert values.get(("WK019310", "NabijheidKinderdagverblijvenBinnen1Km")) is None
    assert values.get(("WK019311", "NabijheidKinderdagverblijvenBinnen1Km")) is None
    assert values.get(("WK019311", "NabijheidAfstandKinderdagverblijf")) is None
    assert values[("WK019322", "NabijheidAfstandKinderdagverblijf")] == 0.6
    assert values[("WK019322", "NabijheidKinderdagverblijvenBinnen1Km")] == 4


def test_odata_reads_a_dash_secret_and_provisional(tmp_path):
    directory = tmp_path / "85984NED"
    directory.mkdir()
    props = [{"ID": 0, "Type": "GeoDetail", "Key": "WijkenEnBuurten", "Title": "Wijken en buurten"},
             {"ID": 1, "Type": "Topic", "Key": "Codering_3", "Title": "Codering", "Datatype": "String"},
             {"ID": 2, "Type": "Topic", "Key": "k_0Tot15Jaar_8", "Title": "0 tot 15 jaar",
              "Datatype": "Long"}]
    records = [{"WijkenEnBuurten": "WK019310  ", "Codering_3": "WK019310  ", "k_0Tot15Jaar_8": "-"},
               {"WijkenEnBuurten": "WK019311  ", "Codering_3": "WK019311  ", "k_0Tot15Jaar_8": "."},
               {"WijkenEnBuurten": "WK019322  ", "Codering_3": "WK019322  ", "k_0Tot15Jaar_8": "6000*"}]
    (directory / "DataProperties.json").write_text(json.dumps(props), encoding="utf-8")
    (directory / "TypedDataSet.json").write_text(json.dumps(records), encoding="utf-8")
    (directory / "TableInfos.json").write_text(json.dumps([{
        "Identifier": "85984NED", "Title": "Kerncijfers wijken en buurten 2024", "Period": "2024",
        "Modified": "2025-06-30T02:00:00"}]), encoding="utf-8")
    values = values_of(directory)
    stem = next(s for (_code, s) in values)
    assert values.get(("WK019310", stem)) is None
    assert values.get(("WK019311", stem)) is None
    assert values[("WK019322", stem)] == 6000


def test_observations_read_zero_as_zero_and_a_confidential_value_or_dash_as_unknown(tmp_path):
    # the v4 download (Observations with ValueAttribute): Value 0 is nihil or less than half the
    # unit, no Value (ValueAttribute Confidential) is secret, a '-' given as text is unknown
    rows = [(code, measure, {"WK019310": 0, "WK019311": None, "GM0193": "-"}.get(code, value))
            if measure == "M000352" else (code, measure, value)
            for code, measure, value in kwb_observations()]
    values = values_of(write_download(tmp_path / "86165NED", observations=rows))
    assert values[("WK019310", "k_0Tot15Jaar")] == 0
    assert values[("WK019311", "k_0Tot15Jaar")] is None
    assert values.get(("GM0193", "k_0Tot15Jaar")) is None


def test_statline_csv_refuses_a_word_that_is_no_cbs_symbol(tmp_path):
    header = ["Wijken en buurten", "Regioaanduiding/Codering (code)",
              "Kinderopvang/Kinderdagverblijf/Afstand tot kinderdagverblijf (km)"]
    text = io.StringIO()
    csv.writer(text, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(
        [header, ["Wijk 10 Binnenstad", "WK019310  ", "  n.v.t."]])
    path = tmp_path / "Nabijheid_voorzieningen__afstand_locatie__wijk-_en_buurtcijfers_2023.csv"
    path.write_text(text.getvalue(), encoding="utf-8-sig")
    with pytest.raises(InputRefused) as refused:
        values_of(path)
    assert len(refused.value.messages) == 1
    assert refused.value.messages[0].endswith(
        "regio WK019310, onderwerp NabijheidAfstandKinderdagverblijf: 'n.v.t.' is geen getal en "
        "geen teken van het CBS ('.' of 'x' geheim, '-' niet beschikbaar, leeg). Er is niets opgeslagen.")


def percent_formatted(workbook):
    """Column D shown as a percentage, as a partner who calculated shares leaves it: D2 holds 1
    (Excel shows 100%), D3 0.25 (25%), and the empty cells below are formatted too."""
    sheet = workbook.active
    for row in range(2, 40):
        sheet.cell(row=row, column=4).number_format = "0%" if row != 3 else "0.00%"


def test_a_count_in_a_cell_shown_as_a_percentage_is_refused_by_its_place(gem):
    data = plain_workbook([VVE, ["Centrum", "2-4", "SES", 1], ["Oude Haven", "2-4", "SES", 0.25]],
                          extra=percent_formatted)
    result = validate_workbook(data, "vve-indicaties", gem, "p.xlsx", period="2024")
    assert result.message_texts() == [
        f"Blad 'Gegevens', rij {row}, kolom D (aantal kinderen): de cel is opgemaakt als "
        f"percentage (Excel toont {shown}%); een aantal is geen percentage. Vul het aantal in en "
        "geef de cel de opmaak Standaard of Getal (Start > Getal)."
        for row, shown in ((2, 100), (3, 25))]


def test_a_percentage_cell_is_found_whatever_the_order_of_its_attributes(gem):
    """Excel writes <c r="D2" s="1">; other writers may put the style first (<c s="1" r="D2">):
    the cell is the same, and so is the refusal."""
    import re

    from support import rezip

    data = plain_workbook([VVE, ["Centrum", "2-4", "SES", 1], ["Oude Haven", "2-4", "SES", 0.25]],
                          extra=percent_formatted)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    swapped = re.sub(rb'<c r="([A-Z]+[0-9]+)" s="([0-9]+)"', rb'<c s="\2" r="\1"', sheet)
    assert swapped != sheet
    data = rezip(data, {"xl/worksheets/sheet1.xml": swapped})
    result = validate_workbook(data, "vve-indicaties", gem, "p.xlsx", period="2024")
    assert [m.split(":")[0] for m in result.message_texts()] == [
        "Blad 'Gegevens', rij 2, kolom D (aantal kinderen)",
        "Blad 'Gegevens', rij 3, kolom D (aantal kinderen)"]


def test_an_empty_column_formatted_as_percentage_is_no_problem(gem):
    data = plain_workbook([VVE, ["Centrum", "2-4", "SES", None]], extra=percent_formatted)
    result = validate_workbook(data, "vve-indicaties", gem, "p.xlsx", period="2024")
    assert result.ok, result.message_texts()
    assert counts(result) == [("WK999901", 1)]


def statline_03759ned(tmp_path: Path, values: dict[int, str]) -> Path:
    """03759ned as StatLine's CSV with titles, Zwolle's ages 0-14 with `values` for some ages."""
    header = ('"Geslacht";"Leeftijd";"Burgerlijke staat";"Regio\'s";"Perioden";'
              '"Bevolking op 1 januari (aantal)";"Gemiddelde bevolking (aantal)"')
    rows = [f'"Totaal mannen en vrouwen";"{age} jaar";"Totaal burgerlijke staat";'
            f'"Zwolle (gemeente)";"2024";"{values.get(age, 1000 + age)}";"1000"' for age in range(15)]
    path = tmp_path / "Bevolking__geslacht__leeftijd_en_burgerlijke_staat__1_januari_03122026.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8-sig")
    return path


def test_statline_03759ned_reads_a_dash_secret_and_provisional(tmp_path):
    from data_sources.cbs.loading import population_by_age_frame

    path = statline_03759ned(tmp_path, {0: "-", 1: ".", 2: "1002*"})
    frame = population_by_age_frame(read_cbs_file(path).table)
    persons = dict(zip(frame["age"], frame["persons"], strict=True))
    assert persons[0] != persons[0] and persons[1] != persons[1] and persons[2] == 1002
    assert persons[3] == 1003


def test_statline_03759ned_refuses_a_word_that_is_no_cbs_symbol(tmp_path):
    from data_sources.cbs.loading import population_by_age_frame

    path = statline_03759ned(tmp_path, {4: "onbekend"})
    with pytest.raises(InputRefused) as refused:
        population_by_age_frame(read_cbs_file(path).table)
    assert refused.value.messages == [
        "Bestand Bevolking__geslacht__leeftijd_en_burgerlijke_staat__1_januari_03122026.csv, regio "
        "GM0193, leeftijd 4: 'onbekend' is geen getal en geen teken van het "
        "CBS ('.' of 'x' geheim, '-' niet beschikbaar, leeg). Er is niets opgeslagen."]
