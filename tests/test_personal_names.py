"""Names typed plainly in a partner upload ('Jan de Vries', 'Emma' in a column of first names, a
sheet 'Kinderlijst', a document property) are refused naming sheet, row and column, never echoing
the name; places and organisations named after people ('Sint Jan', 'Prins Willem-Alexanderschool')
pass. Real .xlsx files through the real check, the command line and the Aanleveren page."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import openpyxl
import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "registrations"))
from conftest import run_page, upload_registration  # noqa: E402
from support import (  # noqa: E402
    GEMEENTE,
    built_small_gemeente,
    filled_template,
    plain_workbook,
    small_gemeente,
)

from data_sources import store  # noqa: E402
from data_sources.cli import main  # noqa: E402
from data_sources.registrations import template  # noqa: E402
from data_sources.registrations import values as v  # noqa: E402
from data_sources.registrations.schemas import REGISTRATION_TYPES  # noqa: E402
from data_sources.registrations.validate import check_upload, validate_workbook  # noqa: E402

VVE = ["wijk", "leeftijdsgroep", "criterium", "aantal kinderen"]
SAMPLE = Path(__file__).resolve().parent.parent / "sample_data" / "registrations"
# wijken of the gemeente named after people, or holding a first name
PLACES_NAMED_AFTER_PEOPLE = {"WK999911": "Sint Jan", "WK999912": "Julianadorp",
                             "WK999913": "Emmen", "WK999914": "Emmapark",
                             "WK999915": "Oranjewijk", "WK999916": "Willemspark",
                             "WK999917": "Prins Hendrik Oost", "WK999918": "Sint Jan Zuid"}


@pytest.fixture
def gem(con):
    small_gemeente(con)
    for code, name in PLACES_NAMED_AFTER_PEOPLE.items():
        con.execute("insert into regions values (2024, ?, 'wijk', ?, ?, ?, 0)",
                    [code, name, GEMEENTE, code])
    return con


def texts_of(con, data: bytes, soort: str = "vve-indicaties") -> list[str]:
    result = check_upload(data, soort, con, "upload.xlsx", period="2024").result
    assert result.ok or result.aggregates_df.empty
    return result.message_texts()


def with_sheet(rows: list[list], name: str, extra_rows: list[list]) -> bytes:
    """A valid vve workbook with a second sheet `name` holding `extra_rows`."""
    def add(workbook):
        sheet = workbook.create_sheet(name)
        for row in extra_rows:
            sheet.append(row)
    return plain_workbook(rows, extra=add)


# -- the lexicon --------------------------------------------------------------------------------

def test_the_first_names_are_a_small_sourced_lowercase_list():
    lines = v._FIRST_NAMES_FILE.read_text(encoding="utf-8").splitlines()
    header = "\n".join(line for line in lines if line.startswith("#"))
    assert "Meertens" in header and "Voornamenbank" in header and "MIT" in header
    assert "Statbel" in header and "CC BY 4.0" in header
    names = [line for line in lines if line and not line.startswith("#")][1:]
    assert len(names) == len(set(names)) == len(v.first_names())
    assert 1000 < len(names) < 5000
    assert all(name == name.lower() and name.strip() == name for name in names)
    # Dutch, Moroccan, Turkish, Polish and other names given in the Netherlands
    assert {"jan", "sven", "emma", "daan", "fatima", "mohamed", "ayoub", "zeynep", "elif",
            "yusuf", "kacper", "zofia", "noah"} <= v.first_names()
    # Surinamese and Frisian names the Dutch and Belgian lists miss (Kindkaart's own addition)
    assert "Surinamese" in header and "Frisian" in header
    assert {"anjali", "radjesh", "sunita", "jerrel", "wietske", "durk", "hylke"} <= v.first_names()


def test_both_bundled_lists_are_read_by_one_rule(tmp_path):
    """first_names.csv and surnames.csv are read alike: comment lines, the header 'name' and blank
    lines are no names; surnames are lowercased as they are looked up ('de Vries' -> 'de vries')."""
    listing = tmp_path / "names.csv"
    listing.write_text("# Sources: a list\n#   name\nname\n  de Vries \n\nJansen\n   \nvan Dijk\n",
                       encoding="utf-8")
    assert v._bundled_names(listing) == ["de Vries", "Jansen", "van Dijk"]
    assert v.first_names() == frozenset(v._bundled_names(v._FIRST_NAMES_FILE))
    family = v._bundled_names(v._SURNAMES_FILE)
    assert "de Vries" in family and "name" not in family and 100 < len(family) < 1000
    assert v.surnames() == {name.lower() for name in family}
    assert {"de vries", "jansen", "van den berg"} <= v.surnames()
    assert not any(name.startswith("#") or name == "name" for name in v.surnames())


# -- refused ------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["Jan de Vries", "Sven Jansen", "Fatima el Amrani",
                                  "Jan-Willem van den Berg", "Mohamed El Amrani",
                                  # typed in capitals, as some registration systems export names
                                  "JAN DE VRIES", "FATIMA EL AMRANI", "JAN-WILLEM VAN DEN BERG",
                                  "Sven JANSEN"])
def test_a_full_name_in_a_stored_text_column_is_refused_naming_the_cell(gem, name):
    data = filled_template("jeugdhulp", [["Centrum", name, "ambulant", "0-2", 6]])
    texts = texts_of(gem, data, "jeugdhulp")
    assert texts == [
        "Blad 'Gegevens', rij 2, kolom B (aanbieder): persoonsgegevens geweigerd: de cel bevat "
        "mogelijk de naam van een persoon (zoals een voornaam met een achternaam, 'dhr. ...', "
        "'moeder van ...' of voorletters met een achternaam). Zet in tekstcellen alleen namen van "
        "organisaties, locaties, scholen en groepen, geen namen van kinderen, ouders of "
        "medewerkers, en lever het bestand opnieuw aan; er is niets opgeslagen."]


@pytest.mark.parametrize("name", ["Jansen, P.", "de Vries, J.P.", "Vries, J. de", "Bakker, Emma",
                                  "de Vries, Jan", "JANSEN, SOPHIE", "El Amrani, Fatima",
                                  "Fam. Jansen", "familie Bakker", "kind van Jansen",
                                  "pleegkind van Bakker"])
def test_a_name_as_a_register_sorts_it_surname_first_is_refused(gem, name):
    """'Jansen, P.' and 'de Vries, Jan', as class lists and client registers sort names, passed:
    only initials or a first name before the surname were recognised; so did a family ('Fam.
    Jansen') and a child of a named parent ('kind van Jansen')."""
    data = filled_template("jeugdhulp", [["Centrum", name, "ambulant", "0-2", 6]])
    texts = texts_of(gem, data, "jeugdhulp")
    assert len(texts) == 1 and texts[0].startswith(
        "Blad 'Gegevens', rij 2, kolom B (aanbieder): persoonsgegevens geweigerd: de cel bevat "
        "mogelijk de naam van een persoon"), texts
    assert not any(part in texts[0] for part in name.replace(",", " ").split()
                   if len(part) > 2 and part[0].isupper())


@pytest.mark.parametrize("header", ["Opmerking", None])
def test_a_name_in_a_remark_is_refused_without_echo(gem, header):
    remark = "Jan de Vries heeft een indicatie"
    data = plain_workbook([[*VVE, header], ["Centrum", "2-4", "SES", 5, None],
                           ["Bloemhof", "2-4", "SES", 3, remark]])
    texts = texts_of(gem, data)
    assert len(texts) == 1, texts
    assert texts[0].startswith("Blad 'Gegevens', kolom E")
    assert "naam van een persoon" in texts[0] and "(rij 3)" in texts[0]
    assert "Jan" not in texts[0] and "Vries" not in texts[0]


@pytest.mark.parametrize("name", ["Anjali Ramdin", "Radjesh Mahabier", "Wietske de Vries",
                                  "Durk Hoekstra", "Jerrel Pinas"])
def test_surinamese_and_frisian_full_names_are_refused(gem, name):
    data = filled_template("jeugdhulp", [["Centrum", name, "ambulant", "0-2", 6]])
    texts = texts_of(gem, data, "jeugdhulp")
    assert len(texts) == 1 and "naam van een persoon" in texts[0], texts
    assert not any(part in texts[0] for part in name.split() if part[0].isupper())


def test_a_column_of_first_names_is_refused_naming_its_rows(gem):
    rows = [[*VVE, "kind"]] + [["Centrum", "2-4", "SES", 1, name]
                               for name in ("Emma", "Daan", "Fatima", "Sven", "Zeynep")]
    texts = texts_of(gem, plain_workbook(rows))
    assert len(texts) == 1, texts
    assert texts[0].startswith("Blad 'Gegevens', kolom E (kind): persoonsgegevens geweigerd: 5 "
                               "cel(len) met alleen een voornaam")
    assert "rijen 2, 3, 4, 5 en 6" in texts[0]
    assert not any(name in texts[0] for name in ("Emma", "Daan", "Fatima", "Sven", "Zeynep"))


def test_a_sheet_kinderlijst_with_names_and_ages_refuses_the_workbook(gem):
    data = with_sheet([VVE, ["Centrum", "2-4", "SES", 3]], "Kinderlijst",
                      [["Kind", "Leeftijd"], ["Emma", 3], ["Daan", 2], ["Sven", 4], ["Noah", 3]])
    texts = texts_of(gem, data)
    assert len(texts) == 1, texts
    assert texts[0].startswith("Blad 'Kinderlijst', kolom A: persoonsgegevens geweigerd: 4 "
                               "cel(len) met mogelijk een voornaam, in een kolom die een lijst met "
                               "namen lijkt (rijen 2, 3, 4 en 5). Ook een blad dat Kindkaart niet "
                               "telt, mag geen persoonsgegevens bevatten.")
    assert "Emma" not in texts[0]


def test_full_names_in_a_sheet_kindkaart_does_not_count_are_refused(gem):
    data = with_sheet([VVE, ["Centrum", "2-4", "SES", 3]], "Overzicht",
                      [["Wie", "Wijk"], ["Sven Jansen", "Centrum"], ["Fatima el Amrani", "Bloemhof"]])
    texts = texts_of(gem, data)
    assert len(texts) == 1 and texts[0].startswith(
        "Blad 'Overzicht', kolom A: persoonsgegevens geweigerd: 2 cel(len) met mogelijk de naam "
        "van een persoon (rijen 2 en 3)"), texts
    assert "Jansen" not in texts[0] and "Amrani" not in texts[0]


def test_a_note_beside_the_table_with_a_name_is_refused(gem):
    data = plain_workbook([VVE, ["Centrum", "2-4", "SES", 3],
                           ["Bloemhof", "2-4", "SES", 2, None, None, "Emma Bakker belt nog"]])
    texts = texts_of(gem, data)
    assert len(texts) == 1 and texts[0].startswith("Blad 'Gegevens', kolom G: persoonsgegevens "
                                                   "geweigerd"), texts
    assert "(rij 3)" in texts[0] and "Bakker" not in texts[0]


def test_a_name_in_the_wijk_column_is_refused_without_echo(gem):
    data = filled_template("vve-indicaties", [["Sven Jansen", "2-4", "SES", 5],
                                              ["Emma", "2-4", "SES", 5]])
    texts = texts_of(gem, data)
    assert [t[:43] for t in texts] == ["Blad 'Gegevens', rij 2, kolom A (wijk): per",
                                       "Blad 'Gegevens', rij 3, kolom A (wijk): per"], texts
    assert all("mogelijk de naam van een persoon" in t for t in texts)
    assert not any("Jansen" in t or "Emma" in t for t in texts)


def test_a_name_in_the_organisatie_bron_is_refused(gem):
    data = filled_template("jeugdhulp", [["Centrum", "Zorg BV", "ambulant", "0-2", 6]],
                           meta={"organisatie": "Zorg BV", "periode": "2024",
                                 "bron": "Export van Sven Jansen"})
    texts = texts_of(gem, data, "jeugdhulp")
    assert len(texts) == 1 and "Blad 'Organisatie', rij" in texts[0], texts
    assert "het veld 'bron' bevat mogelijk de naam van een persoon" in texts[0]
    assert "Jansen" not in texts[0]


def with_properties(data: bytes, **properties) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(data))
    for key, value in properties.items():
        setattr(book.properties, key, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(("prop", "field"), [("title", "Titel"), ("subject", "Onderwerp"),
                                             ("description", "Opmerkingen"), ("keywords", "Labels")])
def test_a_name_in_a_document_property_refuses_the_workbook(gem, prop, field):
    good = filled_template("vve-indicaties", [["Centrum", "2-4", "SES", 5]])
    data = with_properties(good, **{prop: "Kinderlijst Sven Jansen"})
    texts = texts_of(gem, data)
    assert texts == [
        f"persoonsgegevens geweigerd: de documenteigenschap '{field}' bevat mogelijk de naam van "
        "een persoon. Ook de eigenschappen van het bestand mogen geen persoonsgegevens bevatten: "
        "pas ze aan in Excel (Bestand > Info > Eigenschappen) of maak de werkmap opnieuw vanuit "
        "het sjabloon. Kindkaart neemt geen burgerservicenummers, namen, adressen of "
        "geboortedatums aan. Verwijder deze gegevens en lever het bestand opnieuw aan; er is "
        "niets opgeslagen."]


def with_book(data: bytes, change) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(data))
    change(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def custom_properties(**values):
    """A change for with_book: custom document properties (Bestand > Info > Eigenschappen >
    Geavanceerde eigenschappen > Aangepast), as Excel writes them to docProps/custom.xml."""
    import datetime as dt

    from openpyxl.packaging.custom import DateTimeProperty, StringProperty

    def change(book):
        for name, value in values.items():
            kind = DateTimeProperty if isinstance(value, dt.datetime) else StringProperty
            book.custom_doc_props.append(kind(name=name, value=value))
    return change


def defined_names(**values):
    """A change for with_book: names as Formules > Namen beheren stores them in xl/workbook.xml."""
    from openpyxl.workbook.defined_name import DefinedName

    def change(book):
        for name, value in values.items():
            book.defined_names[name] = DefinedName(name, attr_text=value)
    return change


CUSTOM_REFUSAL = (
    "persoonsgegevens geweigerd: een aangepaste documenteigenschap (Bestand > Info > "
    "Eigenschappen > Geavanceerde eigenschappen > Aangepast) bevat mogelijk {kind}. Ook de "
    "eigenschappen van het bestand mogen geen persoonsgegevens bevatten: pas ze aan in Excel "
    "(Bestand > Info > Eigenschappen) of maak de werkmap opnieuw vanuit het sjabloon. Kindkaart "
    "neemt geen burgerservicenummers, namen, adressen of geboortedatums aan. Verwijder deze "
    "gegevens en lever het bestand opnieuw aan; er is niets opgeslagen.")
NAME_REFUSAL = (
    "persoonsgegevens geweigerd: een naam in Namen beheren (Formules > Namen beheren) is of bevat "
    "mogelijk {kind}. Verwijder die naam, of maak de werkmap opnieuw vanuit het sjabloon. "
    "Kindkaart neemt geen burgerservicenummers, namen, adressen of geboortedatums aan. Verwijder "
    "deze gegevens en lever het bestand opnieuw aan; er is niets opgeslagen.")


@pytest.mark.parametrize(("values", "kind"), [
    ({"Kind": "Sven Jansen"}, "de naam van een persoon"),
    ({"Contactpersoon": "Jansen, P."}, "de naam van een persoon"),
    ({"Dossier": "123456782"}, "een burgerservicenummer"),
    ({"Geboortedatum": "onbekend"}, "een geboortedatum"),
    ({"Ouder": "06-12345678"}, "een telefoonnummer"),
])
def test_personal_data_in_a_custom_document_property_refuses_the_workbook(gem, values, kind):
    """Only Titel, Onderwerp, Opmerkingen, Labels and Categorie were checked: a custom property
    ('Kind: Sven Jansen') went in unseen."""
    good = filled_template("vve-indicaties", [["Centrum", "2-4", "SES", 5]])
    texts = texts_of(gem, with_book(good, custom_properties(**values)))
    assert texts == [CUSTOM_REFUSAL.format(kind=kind)]


@pytest.mark.parametrize(("values", "kind"), [
    ({"Sven_Jansen": "Gegevens!$D$2"}, "de naam van een persoon"),
    ({"kind_3": '"Jansen, P."'}, "de naam van een persoon"),
    ({"bsn": "123456782"}, "een burgerservicenummer"),
    ({"contact": '"j.devries@example.nl"', "Emma_Bakker": "Gegevens!$A$2"}, "een e-mailadres"),
])
def test_personal_data_in_a_defined_name_refuses_the_workbook(gem, values, kind):
    """A named range (Formules > Namen beheren) named after a child, or a name holding a constant
    with a name or BSN, went in unseen; one message, never the name itself."""
    good = filled_template("vve-indicaties", [["Centrum", "2-4", "SES", 5]])
    texts = texts_of(gem, with_book(good, defined_names(**values)))
    assert texts == [NAME_REFUSAL.format(kind=kind)]


def test_a_sensitivity_label_and_ordinary_names_pass(gem):
    """What real workbooks carry: a sensitivity label of Microsoft Purview (a GUID, the moment it
    was set as text), SharePoint's content type, a date property, and names of ranges."""
    import datetime as dt

    label = "MSIP_Label_72f988bf-86f1-41af-91ab-2d7cd011db47"
    good = filled_template("vve-indicaties", [["Centrum", "2-4", "SES", 5]])
    data = with_book(with_book(good, custom_properties(**{
        f"{label}_Enabled": "true", f"{label}_SetDate": "2024-03-04T10:15:00Z",
        f"{label}_Method": "Standard", f"{label}_Name": "Intern",
        f"{label}_SiteId": "72f988bf-86f1-41af-91ab-2d7cd011db47",
        f"{label}_ActionId": "0a1b2c3d-1234-5678-9abc-def012345678",
        "ContentTypeId": "0x0101009C3B4F123456789ABCDEF0", "Peildatum": dt.datetime(2024, 1, 1),
        # SharePoint's document ID: its nine digits pass the elfproef; Outlook's review
        "_dlc_DocId": "GEMDOC-111222333-4", "_AuthorEmail": "j.devries@voorbeeldstad.nl",
        "Status": "Definitief"})),
        defined_names(wijken="Lijsten!$A$2:$A$10", totaal="SUM(Gegevens!$D$2:$D$9)",
                      peiljaar="2024", Sint_Jan="Gegevens!$A$2"))
    assert texts_of(gem, data) == []


def test_the_page_refuses_a_custom_property_without_echo(app_db):
    good = filled_template("vve-indicaties", [["Centrum", "2-4", "SES", 5]])
    data = with_book(good, custom_properties(Kind="Fatima el Amrani"))
    at = upload_registration(run_page("aanleveren"), "vve-indicaties", "vve.xlsx", data)
    assert not at.exception
    shown = " ".join(str(m.value) for m in [*at.markdown, *at.error])
    assert "aangepaste documenteigenschap" in shown and "Amrani" not in shown
    assert not [b for b in at.button if b.label == "Bevestigen en opslaan"]


@pytest.mark.parametrize(("part", "text", "where", "kind"), [
    ("oddHeader", "Kinderlijst Sven Jansen", "koptekst", "de naam van een persoon"),
    ("oddFooter", "BSN 123456782", "voettekst", "een burgerservicenummer"),
    ("firstHeader", "Jansen, P. (tel. 06-12345678)", "koptekst", "de naam van een persoon"),
])
def test_personal_data_in_a_header_or_footer_is_refused_naming_the_sheet(gem, part, text, where,
                                                                         kind):
    """What a sheet prints on every page (Pagina-indeling > Kop- en voettekst) went in unseen."""
    def change(book):
        getattr(book["Gegevens"], part).center.text = text
        book["Gegevens"].oddFooter.right.text = "Pagina &P van &N"  # Excel's codes: no data
    good = filled_template("vve-indicaties", [["Centrum", "2-4", "SES", 5]])
    texts = texts_of(gem, with_book(good, change))
    assert texts == [
        f"Blad 'Gegevens': persoonsgegevens geweigerd: de {where} van dit blad (Pagina-indeling > "
        f"Kop- en voettekst) bevat mogelijk {kind}. Maak de {where} leeg of zet er alleen de naam "
        "van de organisatie in. Kindkaart neemt geen burgerservicenummers, namen, adressen of "
        "geboortedatums aan. Verwijder deze gegevens en lever het bestand opnieuw aan; er is "
        "niets opgeslagen."]


def _sheet_xml_changed(data: bytes, change) -> bytes:
    """The workbook with the XML of its sheet 'Gegevens' (xl/worksheets/sheet2.xml) passed
    through `change`."""
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            part = source.read(info)
            target.writestr(info, change(part) if info.filename == "xl/worksheets/sheet2.xml"
                            else part)
    return out.getvalue()


def test_a_footer_outside_the_usual_place_is_read_as_well(gem):
    # the check reads only what lies outside the cells (a sixth of an upload went to searching
    # 20,000 rows of cells for a footer): a footer moved before the cells, and one whose text
    # says 'sheetData', are still read
    def before_the_cells(xml: bytes) -> bytes:
        begin, end = xml.index(b"<headerFooter"), xml.index(b"</headerFooter>") + 15
        footer = xml[begin:end]
        xml = xml[:begin] + xml[end:]
        at = xml.index(b"<sheetData")
        return xml[:at] + footer + xml[at:]

    good = filled_template("vve-indicaties", [["Centrum", "2-4", "SES", 5]])
    for footer, change in (("BSN 123456782", before_the_cells),
                           ("sheetData> BSN 123456782 </sheetData>", lambda xml: xml)):
        def add_footer(book, footer=footer):
            book["Gegevens"].oddFooter.center.text = footer
        data = _sheet_xml_changed(with_book(good, add_footer), change)
        texts = texts_of(gem, data)
        assert len(texts) == 1 and "de voettekst van dit blad" in texts[0], (footer, texts)
        assert "een burgerservicenummer" in texts[0]


@pytest.mark.parametrize("name", ["Sven Jansen", "Jansen, P.", "123456782"])
def test_a_sheet_named_after_a_child_is_refused_without_its_name(gem, name):
    """A sheet per child, named after it: nothing looked at sheet names, and every message about
    that sheet showed its name ('Blad 'Sven Jansen', ...')."""
    def change(book):
        book.create_sheet(name).append(["aantal", 3])
    good = filled_template("vve-indicaties", [["Centrum", "2-4", "SES", 5]])
    texts = texts_of(gem, with_book(good, change))
    assert len(texts) == 1 and texts[0].startswith(
        "persoonsgegevens geweigerd: de naam van het 5e blad van de werkmap bevat mogelijk "), texts
    assert not any(part in texts[0] for part in ("Sven", "Jansen", "123456782"))


def test_a_chart_sheet_named_after_a_child_is_refused_too(gem):
    """A chart on a sheet of its own (Excel: Grafiek verplaatsen > Nieuw blad) is a chart sheet,
    not a worksheet: its name was not checked, so a chart per child named after the child passed.
    Numbered as Excel shows the tabs: the chart sheet first, Gegevens after it."""
    from openpyxl.chart import BarChart, Reference

    def chart_per_child(workbook):
        chart = BarChart()
        chart.add_data(Reference(workbook["Gegevens"], min_col=4, min_row=1, max_row=2))
        workbook.create_chartsheet("Sven Jansen", 0).add_chart(chart)

    data = filled_template("vve-indicaties", [["Centrum", "2-4", "SES", 5]])
    book = openpyxl.load_workbook(io.BytesIO(data))
    chart_per_child(book)
    out = io.BytesIO()
    book.save(out)
    texts = validate_workbook(out.getvalue(), "vve-indicaties", gem, "v.xlsx").message_texts()
    assert len(texts) == 1 and texts[0].startswith(
        "persoonsgegevens geweigerd: de naam van het 1e blad van de werkmap bevat mogelijk"), texts
    assert "Sven" not in texts[0]


def test_sheets_named_after_dates_places_and_groups_pass(gem):
    def change(book):
        for name in ("31-12-2024", "Sint Jan Zuid", "Groep Emma", "BSO Jan Ligthart", "Blad1"):
            book.create_sheet(name).append(["aantal", 3])
        book["Gegevens"].oddHeader.center.text = "&\"Arial,Vet\"Vve-indicaties &D"
        book["Gegevens"].oddFooter.left.text = "&F - &A, peildatum 31-12-2024 &&  Sint Jan"
    good = filled_template("vve-indicaties", [["Centrum", "2-4", "SES", 5]])
    assert texts_of(gem, with_book(good, change)) == []


@pytest.mark.parametrize(("target", "kind"), [
    ("mailto:sven.jansen@example.nl?subject=Aanmelding", "een e-mailadres"),
    ("tel:+31612345678", "een telefoonnummer"),
])
def test_personal_data_behind_a_link_in_a_cell_is_refused_naming_the_cell(gem, target, kind):
    """A cell showing 'Zorg BV' with a link to a parent's e-mail address (copied from Outlook):
    the shown text was checked, the link's address went in unseen."""
    def change(book):
        book["Gegevens"]["B2"].hyperlink = target
        book["Gegevens"]["B3"].hyperlink = ("https://gemeente.sharepoint.com/sites/jeugd/GEMDOC-"
                                            "111222333-4/2024/03/04?contact=j.devries@example.nl")
    good = filled_template("jeugdhulp", [["Centrum", "Zorg BV", "ambulant", "0-2", 6],
                                         ["Bloemhof", "Zorg BV", "ambulant", "0-2", 6]])
    texts = texts_of(gem, with_book(good, change), "jeugdhulp")
    assert texts == [
        f"Blad 'Gegevens', rij 2, kolom B: persoonsgegevens geweigerd: de koppeling (hyperlink) "
        f"in deze cel bevat mogelijk {kind}. Verwijder de koppeling (rechtermuisknop op de cel > "
        "Koppeling verwijderen). Kindkaart neemt geen burgerservicenummers, namen, adressen of "
        "geboortedatums aan. Verwijder deze gegevens en lever het bestand opnieuw aan; er is niets "
        "opgeslagen."]


def test_a_choice_list_of_names_in_a_cell_check_is_refused(gem):
    """A partner's own drop-down of the children ('Sven Jansen,Emma Bakker', Gegevens >
    Gegevensvalidatie) is kept in the workbook even when no cell shows a name."""
    from openpyxl.worksheet.datavalidation import DataValidation

    def change(book, items):
        check = DataValidation(type="list", formula1=f'"{items}"')
        book["Gegevens"].add_data_validation(check)
        check.add("E2:E20")
    good = filled_template("vve-indicaties", [["Centrum", "2-4", "SES", 5]])
    texts = texts_of(gem, with_book(good, lambda book: change(book, "Sven Jansen,Emma Bakker")))
    assert texts == [
        "Blad 'Gegevens': persoonsgegevens geweigerd: de keuzelijst van cel(len) E2:E20 (Gegevens "
        "> Gegevensvalidatie) bevat mogelijk de naam van een persoon. Verwijder die keuzelijst of "
        "zet er alleen keuzes zonder persoonsgegevens in. Kindkaart neemt geen "
        "burgerservicenummers, namen, adressen of geboortedatums aan. Verwijder deze gegevens en "
        "lever het bestand opnieuw aan; er is niets opgeslagen."]
    assert texts_of(gem, with_book(good, lambda book: change(book, "ja,nee,Sint Jan,Groep Emma"))) == []


def test_the_author_of_the_file_is_no_refused_name(gem):
    # the author is the partner's employee who saved the file; Kindkaart neither checks nor
    # stores it (README, privacy)
    good = filled_template("vve-indicaties", [["Centrum", "2-4", "SES", 5]])
    data = with_properties(good, creator="Jan de Vries", lastModifiedBy="Fatima el Amrani",
                           title="Vve-indicaties 2024")
    assert texts_of(gem, data) == []


def test_the_command_line_refuses_a_name_and_stores_nothing(tmp_path, capsys):
    db = built_small_gemeente(tmp_path / "k.duckdb")
    path = tmp_path / "namen.xlsx"
    path.write_bytes(plain_workbook([[*VVE, "opmerking"],
                                     ["Centrum", "2-4", "SES", 2, "Sven Jansen belt terug"]]))
    assert main(["validate", str(path), "--soort", "vve-indicaties", "--db", str(db)]) == 1
    out = capsys.readouterr()
    shown = out.out + out.err
    assert "persoonsgegevens geweigerd" in shown and "naam van een persoon" in shown
    assert "Jansen" not in shown
    assert main(["import", str(path), "--soort", "vve-indicaties", "--organisatie", "GGD",
                 "--periode", "2024", "--db", str(db)]) == 1
    con = store.connect(db, read_only=True)
    try:
        assert con.execute("select count(*) from loads where dataset = 'vve-indicaties'"
                           ).fetchone()[0] == 0
    finally:
        con.close()


def test_the_page_refuses_a_name_without_echo(app_db):
    data = filled_template("jeugdhulp", [["Centrum", "Fatima el Amrani", "ambulant", "0-2", 6]])
    at = upload_registration(run_page("aanleveren"), "jeugdhulp", "jeugdhulp.xlsx", data)
    assert not at.exception
    shown = " ".join(str(m.value) for m in at.markdown)
    assert "naam van een persoon" in shown and "Amrani" not in shown
    assert not [b for b in at.button if b.label == "Bevestigen en opslaan"]


# -- accepted -----------------------------------------------------------------------------------

ORGANISATIONS = ["Stichting Kinderopvang Sara", "Basisschool De Regenboog", "KDV Pippeloentje",
                 "Sint-Jozefschool", "Prins Willem-Alexanderschool", "Prins Willem Alexander",
                 "Kindcentrum Anne Frank", "Anne Frankschool", "Anne Frank Huis",
                 "Willem de Zwijgerlaan", "Jan van Galenstraat", "Koningin Julianaschool",
                 "BSO Emma", "Peuterspeelzaal Sara", "Jeugdzorg Emma Noord", "Kinderopvang De Zon"]


@pytest.mark.parametrize("provider", ORGANISATIONS + [o.upper() for o in ORGANISATIONS]
                         + ["LEA OVERLEG", "LEA Voorbeeldstad", "GGD Jansen"])
def test_organisations_named_after_people_pass(gem, provider):
    # also in capitals; 'LEA' (Lokale Educatieve Agenda) is a code in capitals, not the name Lea
    data = filled_template("jeugdhulp", [["Centrum", provider, "ambulant", "0-2", 6]])
    assert texts_of(gem, data, "jeugdhulp") == []


@pytest.mark.parametrize("provider", ["Zorg BV, J.", "Zuid, A.", "Groep A, B.", "Oude Haven, Emma",
                                      "Locatie Noord, Emma", "Stichting Bakker, Emma",
                                      "Peuters, Sara", "Sint Jan, Emma", "Familiehuis Centrum",
                                      "Gezinshuis De Boog", "kind van de rekening"])
def test_a_place_or_organisation_before_a_comma_is_no_surname(gem, provider):
    data = filled_template("jeugdhulp", [["Centrum", provider, "ambulant", "0-2", 6]])
    assert texts_of(gem, data, "jeugdhulp") == []


@pytest.mark.parametrize("wijk", sorted(PLACES_NAMED_AFTER_PEOPLE.values()))
def test_wijken_named_after_people_pass_in_every_column(gem, wijk):
    # as the wijk, and as a remark in a column Kindkaart does not count
    data = plain_workbook([[*VVE, None], [wijk, "2-4", "SES", 5, wijk],
                           ["Centrum", "2-4", "SES", 2, wijk], ["Bloemhof", "2-4", "SES", 2, wijk]])
    result = validate_workbook(data, "vve-indicaties", gem, "vve.xlsx", period="2024")
    assert result.ok, result.message_texts()


def test_months_and_a_lone_name_beside_a_table_pass(gem):
    # a column of months (Jan is a name, and short for januari), and one lone 'Emma' (no list)
    rows = [[*VVE, None]] + [[wijk, "2-4", "SES", n, month] for wijk, n, month in
                             (("Centrum", 1, "Jan"), ("Bloemhof", 2, "Feb"), ("Oude Haven", 3, "Mrt"),
                              ("Zuid-Éind", 4, "Apr"), ("Sint Jan", 5, "Mei"))]
    assert validate_workbook(plain_workbook(rows), "vve-indicaties", gem, "v.xlsx",
                             period="2024").ok
    data = with_sheet([VVE, ["Centrum", "2-4", "SES", 3]], "Notities",
                      [["Bron", "eigen registratie"], ["Gecontroleerd", "Emma"],
                       ["Stand", "december 2024"]])
    assert validate_workbook(data, "vve-indicaties", gem, "v.xlsx", period="2024").ok


@pytest.mark.parametrize("soort", sorted(REGISTRATION_TYPES))
def test_the_templates_own_texts_hold_no_name(gem, soort):
    buffer = io.BytesIO()
    template.write_template(soort, buffer, gem, gemeente_code=GEMEENTE)
    book = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    texts = [cell for sheet in book for row in sheet.iter_rows(values_only=True)
             for cell in row if isinstance(cell, str)]
    assert texts
    assert [t for t in texts if v.names_in_text(t)] == []
    messages = validate_workbook(buffer.getvalue(), soort, gem, "sjabloon.xlsx",
                                 period="2024").message_texts()
    assert not any("persoonsgegevens" in m for m in messages), messages


@pytest.mark.parametrize("path", sorted(SAMPLE.glob("*.xlsx")), ids=lambda p: p.stem)
def test_every_sample_workbook_still_passes(sample_con, path):
    result = validate_workbook(path.read_bytes(), path.stem, sample_con, path.name)
    assert result.ok, result.message_texts()[:5]


def test_a_row_of_first_names_beside_the_table_is_refused(gem):
    data = plain_workbook([VVE, ["Centrum", "2-4", "SES", 3, None, "Emma", "Daan", "Sven"],
                           ["Bloemhof", "2-4", "SES", 2]])
    texts = texts_of(gem, data)
    assert texts == [
        "Blad 'Gegevens', rij 2: persoonsgegevens geweigerd: 3 cel(len) met alleen een voornaam "
        "(kolommen F, G en H): de rij lijkt een lijst met namen. Kindkaart neemt geen "
        "burgerservicenummers, namen, adressen of geboortedatums aan. Verwijder deze gegevens en "
        "lever het bestand opnieuw aan; er is niets opgeslagen."]


def test_a_row_of_first_names_on_another_sheet_is_refused(gem):
    data = with_sheet([VVE, ["Centrum", "2-4", "SES", 3]], "Groep",
                      [["Groep 1"], ["Kinderen", "Emma", "Daan", "Fatima", "Noah"]])
    texts = texts_of(gem, data)
    assert len(texts) == 1 and texts[0].startswith(
        "Blad 'Groep', rij 2: persoonsgegevens geweigerd: 4 cel(len) met alleen een voornaam "
        "(kolommen B, C, D en E)"), texts
    assert "Ook een blad dat Kindkaart niet telt" in texts[0] and "Emma" not in texts[0]
