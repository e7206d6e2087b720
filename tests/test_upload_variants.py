"""Partner workbooks as other programs and Excel's other formats save them: a workbook saved as
'Strict Open XML-werkmap' is read as the same workbook (with the same guards and the same checks
for personal data), and a column of first names typed in capitals is refused as names. Real
.xlsx files through the real check, the command line and the Aanleveren page."""

from __future__ import annotations

import datetime as dt
import io
import sys
import zipfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "registrations"))
from conftest import run_page, upload_registration  # noqa: E402
from support import as_strict, filled_template, plain_workbook, rezip  # noqa: E402

from data_sources.cli import main  # noqa: E402
from data_sources.errors import InputRefused  # noqa: E402
from data_sources.registrations.reading import read_workbook, transitional  # noqa: E402
from data_sources.registrations.validate import validate_workbook  # noqa: E402
from data_sources.workbooks import as_transitional  # noqa: E402

VVE = ["wijk", "leeftijdsgroep", "criterium", "aantal kinderen"]



def outcome(con, data: bytes, soort: str = "vve-indicaties", **kwargs):
    result = validate_workbook(data, soort, con, "upload.xlsx", **kwargs)
    return result.message_texts(), (sorted(map(repr, result.aggregates_df.to_dict("records")))
                                    if result.ok else None)


# -- Strict Open XML ----------------------------------------------------------------------------

def test_the_strict_copy_is_what_excel_saves():
    """The helper below changes what Excel changes: no transitional namespace is left in the
    Office parts, relationships are typed in the strict way, dates are ISO text."""
    data = as_strict(filled_template("wachtlijst-zorg", [
        ["Centrum", "Zorg BV", "behandeling", "2-4", None, None, dt.datetime(2024, 10, 2)]]))
    parts = zipfile.ZipFile(io.BytesIO(data))
    assert b"http://schemas.openxmlformats.org/spreadsheetml" not in b"".join(
        parts.read(name) for name in parts.namelist())
    assert b'conformance="strict"' in parts.read("xl/workbook.xml")
    assert b"purl.oclc.org/ooxml/officeDocument/relationships/extendedProperties" in parts.read(
        "_rels/.rels")
    assert b't="d"><v>2024-10-02T00:00:00</v>' in parts.read("xl/worksheets/sheet2.xml")


@pytest.mark.parametrize("soort, rows, meta", [
    ("vve-indicaties", [["Centrum", "2-4", "SES", 12], ["zuid eind", "2-4", "taal/spraak", "7"],
                        ["9909 aa", "2-4", "sociaal-emotioneel", None]], None),
    # a date typed in a date cell: Excel saves it as ISO text in a strict workbook
    ("wachtlijst-zorg", [["Centrum", "Zorg BV", "behandeling", "2-4", None, None,
                          dt.datetime(2024, 10, 2)],
                         ["Centrum", "Zorg BV", "behandeling", "2-4", None, None, "2024-12-25"]],
     {"peildatum": "31-12-2024"}),
])
def test_a_strict_open_xml_template_counts_as_the_same_template(gem, soort, rows, meta):
    # it was refused: 'opgeslagen als Strict Open XML-werkmap ... sla het op als gewone werkmap'
    usual = filled_template(soort, rows, meta=meta)
    messages, counted = outcome(gem, as_strict(usual), soort, period="2024")
    assert messages == []
    assert counted == outcome(gem, usual, soort, period="2024")[1]
    assert counted


@pytest.mark.parametrize("fast", [True, False])
def test_both_readers_read_a_strict_workbook_alike(fast):
    data = as_strict(filled_template("wachtlijst-zorg", [
        ["Centrum", "Zorg BV", "behandeling", "2-4", None, None, dt.datetime(2024, 10, 2)]]))
    gegevens = next(s for s in read_workbook(transitional(data), "w.xlsx", fast=fast)
                    if s.name == "Gegevens")
    assert gegevens.rows[1][0] == "Centrum"
    assert gegevens.rows[1][6] == dt.datetime(2024, 10, 2)  # openpyxl alone gave a date


def test_a_normal_workbook_is_not_copied():
    data = filled_template("vve-indicaties", [["Centrum", "2-4", "SES", 12]])
    assert transitional(data, "v.xlsx") is data


def test_personal_data_in_a_strict_workbook_is_refused_in_cells_and_notes(gem):
    names = as_strict(plain_workbook([[*VVE, "opmerking"],
                                      ["Centrum", "2-4", "SES", 2, "Sven Jansen belt terug"]]))
    messages, _ = outcome(gem, names)
    assert any("persoonsgegevens geweigerd" in m for m in messages), messages
    assert "Jansen" not in " ".join(messages)

    def note(workbook):
        from openpyxl.comments import Comment

        workbook.active["D2"].comment = Comment("Sven Jansen, geb. 12-03-2021", "medewerker")

    messages, _ = outcome(gem, as_strict(plain_workbook([VVE, ["Centrum", "2-4", "SES", 2]],
                                                        extra=note)))
    assert any("notitie of opmerking" in m and "persoonsgegevens" in m for m in messages), messages


def test_a_strict_workbook_gets_the_same_guards_against_bombs(gem):
    good = as_strict(plain_workbook([VVE, ["Centrum", "2-4", "SES", 2]]))
    sheet = "xl/worksheets/sheet1.xml"
    xml = zipfile.ZipFile(io.BytesIO(good)).read(sheet)
    bomb = rezip(good, {sheet: b'<!DOCTYPE x [<!ENTITY a "aaaa">]>' + xml})
    messages, _ = outcome(gem, bomb)
    assert any("XML-bom" in m for m in messages), messages
    # the transitional names are longer: a workbook full of strict names that fits the limit on
    # the unpacked size before the mapping does not get past it after
    strict_name = b"http://purl.oclc.org/ooxml/drawingml/main "
    notes = b"<notes>" + strict_name * 15_000 + b"</notes>"
    archive = zipfile.ZipFile(io.BytesIO(rezip(good, {"xl/notes.xml": notes})))
    size = sum(info.file_size for info in archive.infolist())
    with pytest.raises(InputRefused, match="uitgepakt .* niet gelezen"):
        as_transitional(archive, "Bestand x.xlsx", max_uncompressed=size + 1000)
    assert as_transitional(archive, "Bestand x.xlsx", max_uncompressed=2 * size)


def test_the_command_line_and_the_page_read_a_strict_workbook(app_db, tmp_path, capsys):
    data = as_strict(filled_template("vve-indicaties", [["Centrum", "2-4", "SES", 12],
                                                         ["Bloemhof", "2-4", "SES", 2]]))
    path = tmp_path / "strikt.xlsx"
    path.write_bytes(data)
    assert main(["validate", str(path), "--soort", "vve-indicaties", "--db", str(app_db)]) == 0
    assert "Strict" not in capsys.readouterr().out
    at = upload_registration(run_page("aanleveren"), "vve-indicaties", "strikt.xlsx", data)
    assert not at.exception
    assert any("strikt.xlsx is in orde" in m.value for m in at.success)
    assert [b for b in at.button if b.label == "Bevestigen en opslaan"]


# -- names in capitals --------------------------------------------------------------------------

@pytest.mark.parametrize("header", ["opmerking", "kind", None])
def test_a_column_of_first_names_in_capitals_is_refused_without_echo(gem, header):
    # as some registration systems export names; it was read and passed
    data = plain_workbook([[*VVE, header], ["Centrum", "2-4", "SES", 1, "EMMA"],
                           ["Centrum", "2-4", "taal/spraak", 1, "NOAH"],
                           ["Oude Haven", "2-4", "SES", 1, "JAN-WILLEM"]])
    messages, counted = outcome(gem, data)
    assert counted is None
    assert any("alleen een voornaam" in m and "rijen 2, 3 en 4" in m for m in messages), messages
    assert not any(name in " ".join(messages) for name in ("EMMA", "NOAH", "WILLEM"))


def test_codes_and_words_in_capitals_are_no_names(gem):
    # LEA (Lokale Educatieve Agenda), SES, VVE and places in capitals are no first names
    data = plain_workbook([[*VVE, "opmerking"], ["Centrum", "2-4", "SES", 1, "LEA"],
                           ["Centrum", "2-4", "taal/spraak", 1, "VVE"],
                           ["Oude Haven", "2-4", "SES", 1, "SES"],
                           ["Oude Haven", "2-4", "taal/spraak", 1, "CENTRUM"],
                           ["Bloemhof", "2-4", "SES", 1, "EMMA"]])
    messages, counted = outcome(gem, data)
    assert messages == [] and counted


# -- copies of other cells: a pivot table's cache, an external link's cache ---------------------

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def with_pivot_cache(data: bytes, fields: dict[str, list], records: list[list]) -> bytes:
    """`data` with a pivot cache as Excel saves it beside a pivot table: its definition (the
    fields, with the distinct texts of each as shared items) and its records (one per source row,
    a text as the index of its shared item, a number as itself). The source sheet is gone, as
    when a partner deletes the list the pivot table was made from."""
    def item(value) -> str:
        return f'<n v="{value}"/>' if isinstance(value, int) else f'<s v="{value}"/>'

    shared = {name: [x for x in items if isinstance(x, str)] for name, items in fields.items()}
    definition = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<pivotCacheDefinition '
        f'xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}" r:id="rId1" refreshOnLoad="1" '
        f'recordCount="{len(records)}"><cacheSource type="worksheet"><worksheetSource '
        f'ref="A1:C{len(records) + 1}" sheet="Kinderlijst"/></cacheSource>'
        f'<cacheFields count="{len(fields)}">'
        + "".join(f'<cacheField name="{name}" numFmtId="0"><sharedItems count="{len(items)}">'
                  + "".join(item(x) for x in items) + "</sharedItems></cacheField>"
                  if shared[name] else
                  f'<cacheField name="{name}" numFmtId="0"><sharedItems containsNumber="1"/>'
                  "</cacheField>"
                  for name, items in fields.items())
        + "</cacheFields></pivotCacheDefinition>")
    names = list(fields)
    rows = "".join(
        "<r>" + "".join(f'<x v="{shared[names[i]].index(x)}"/>' if isinstance(x, str)
                        else f'<d v="{x.isoformat()}T00:00:00"/>' if isinstance(x, dt.date)
                        else f'<n v="{x}"/>' for i, x in enumerate(record)) + "</r>"
        for record in records)
    records_xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                   f'<pivotCacheRecords xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}" '
                   f'count="{len(records)}">{rows}</pivotCacheRecords>')
    archive = zipfile.ZipFile(io.BytesIO(data))
    types = archive.read("[Content_Types].xml").replace(b"</Types>", (
        b'<Override PartName="/xl/pivotCache/pivotCacheDefinition1.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.pivotCacheDefinition+xml"/>'
        b'<Override PartName="/xl/pivotCache/pivotCacheRecords1.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.pivotCacheRecords+xml"/></Types>'))
    relations = archive.read("xl/_rels/workbook.xml.rels").replace(b"</Relationships>", (
        f'<Relationship Id="rId90" Type="{RELATIONSHIPS}/pivotCacheDefinition" '
        'Target="pivotCache/pivotCacheDefinition1.xml"/></Relationships>').encode())
    return rezip(data, {
        "[Content_Types].xml": types, "xl/_rels/workbook.xml.rels": relations,
        "xl/pivotCache/pivotCacheDefinition1.xml": definition.encode(),
        "xl/pivotCache/pivotCacheRecords1.xml": records_xml.encode(),
        "xl/pivotCache/_rels/pivotCacheDefinition1.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="'
            'http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
            f'Type="{RELATIONSHIPS}/pivotCacheRecords" Target="pivotCacheRecords1.xml"/>'
            "</Relationships>").encode()})


GOOD = [VVE, ["Centrum", "2-4", "SES", 2], ["Oude Haven", "2-4", "SES", 1]]


@pytest.mark.parametrize("fields, records, what", [
    # a list of children under a harmless field name: first names, full names, BSNs
    ({"kind": ["Emma", "Noah", "Sven", "Julia"], "wijk": ["Centrum", "Oude Haven"]},
     [["Emma", "Centrum"], ["Noah", "Centrum"], ["Sven", "Oude Haven"], ["Julia", "Centrum"]],
     "voornamen"),
    ({"wie": ["Sven Jansen", "Fatima el Amrani"], "wijk": ["Centrum"]},
     [["Sven Jansen", "Centrum"], ["Fatima el Amrani", "Centrum"]], "naam van een persoon"),
    # as Excel escapes characters in a cached text (_x0020_ a space)
    ({"wie": ["Sven_x0020_Jansen", "Fatima_x0020_el_x0020_Amrani"], "wijk": ["Centrum"]},
     [["Sven_x0020_Jansen", "Centrum"], ["Fatima_x0020_el_x0020_Amrani", "Centrum"]],
     "naam van een persoon"),
    ({"kenmerk": [], "wijk": ["Centrum"]}, [[111222333, "Centrum"], [12345672, "Centrum"]],
     "burgerservicenummers"),
    ({"Geboortedatum": [], "wijk": ["Centrum"]}, [[43831, "Centrum"]], "geboortedatums"),
])
def test_personal_data_in_a_pivot_tables_copy_is_refused(gem, fields, records, what):
    # it was read and passed: the pivot cache keeps every row of the list the table was made of
    data = with_pivot_cache(plain_workbook(GOOD), fields, records)
    messages, counted = outcome(gem, data)
    assert counted is None
    shown = " ".join(messages)
    assert "persoonsgegevens geweigerd: de draaitabel" in shown and what in shown, messages
    assert not any(secret in shown for secret in ("Emma", "Jansen", "111222333", "Amrani"))


def test_birth_dates_in_a_pivot_tables_copy_are_refused_whatever_the_field_is_called(gem):
    days = [dt.date(2021, 3, 12), dt.date(2020, 11, 5), dt.date(2022, 1, 23), dt.date(2021, 7, 9),
            dt.date(2020, 4, 17)]
    data = with_pivot_cache(plain_workbook(GOOD), {"datum": [], "wijk": ["Centrum"]},
                            [[day, "Centrum"] for day in days])
    messages, counted = outcome(gem, data)
    assert counted is None
    assert any("de draaitabel" in m and "geboortedatums" in m for m in messages), messages
    assert not any("2021" in m for m in messages)


def test_a_pivot_table_over_counting_dates_passes(gem):
    # the first or last day of each month: a series of counting dates, not birth dates
    days = [dt.date(2024, m, 1) for m in range(1, 13)] + [dt.date(2024, 1, 31), dt.date(2024, 2, 29),
                                                       dt.date(2024, 4, 30), dt.date(2024, 9, 30)]
    data = with_pivot_cache(plain_workbook(GOOD), {"peildatum": [], "wijk": ["Centrum"]},
                            [[day, "Centrum"] for day in days])
    messages, counted = outcome(gem, data)
    assert messages == [] and counted == outcome(gem, plain_workbook(GOOD))[1]


def test_a_pivot_table_of_counts_per_wijk_passes(gem):
    data = with_pivot_cache(plain_workbook(GOOD), {
        "wijk": ["Centrum", "Oude Haven"], "criterium": ["SES", "taal/spraak"],
        "aantal kinderen": []}, [["Centrum", "SES", 2], ["Oude Haven", "taal/spraak", 1]])
    messages, counted = outcome(gem, data)
    assert messages == [] and counted == outcome(gem, plain_workbook(GOOD))[1]


def test_personal_data_in_an_external_links_copy_is_refused(gem):
    link = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<externalLink '
            f'xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}"><externalBook r:id="rId1"><sheetNames>'
            '<sheetName val="Blad1"/></sheetNames><sheetDataSet><sheetData sheetId="0">'
            '<row r="2"><cell r="A2" t="str"><v>Sven Jansen</v></cell><cell r="B2"><v>3</v>'
            "</cell></row></sheetData></sheetDataSet></externalBook></externalLink>")
    data = rezip(plain_workbook(GOOD), {"xl/externalLinks/externalLink1.xml": link.encode()})
    messages, counted = outcome(gem, data)
    assert counted is None
    assert any("koppeling naar een ander bestand" in m and "naam van een persoon" in m
               for m in messages), messages
    assert "Jansen" not in " ".join(messages)


# -- other formats under a workbook's name ------------------------------------------------------

EXCEL_HTML = ('<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:'
              'office:office" xmlns:x="urn:schemas-microsoft-com:office:excel"><head><meta '
              'name=ProgId content=Excel.Sheet></head><body><table><tr><td>wijk</td><td>aantal'
              '</td></tr><tr><td>Centrum</td><td>3</td></tr></table></body></html>')


@pytest.mark.parametrize("data, what", [
    # 'Opslaan als webpagina': it was called a text file 'bijvoorbeeld CSV'
    (EXCEL_HTML.encode(), "een webpagina (HTML"),
    (EXCEL_HTML.encode("utf-16"), "een webpagina (HTML"),
    (b'MIME-Version: 1.0\r\nX-Document-Type: Workbook\r\nContent-Type: multipart/related; '
     b'boundary="----=_NextPart_01DA"\r\n\r\n------=_NextPart_01DA\r\n', "(.mht"),
    (b'<?xml version="1.0"?>\r\n<?mso-application progid="Excel.Sheet"?>\r\n<Workbook xmlns='
     b'"urn:schemas-microsoft-com:office:spreadsheet"></Workbook>', "XML-werkblad 2003"),
    # 'Unicode-tekst': it was 'geen Excel-werkmap (.xlsx)' without saying what it is
    ("wijk\tleeftijdsgroep\tcriterium\taantal kinderen\r\nCentrum\t2-4\tSES\t3\r\n".encode("utf-16"),
     "Unicode-tekst"),
])
def test_a_workbook_saved_as_text_is_named_for_what_it_is(gem, data, what):
    messages, counted = outcome(gem, data)
    assert counted is None
    assert len(messages) == 1 and what in messages[0] and "Excel-werkmap (.xlsx)" in messages[0]


@pytest.mark.parametrize("file_name", ["oud.xls", "hernoemd.xlsx"])
def test_a_real_old_excel_file_is_refused_as_such(gem, file_name):
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("Gegevens")
    for r, row in enumerate([VVE, ["Centrum", "2-4", "SES", 3]]):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    out = io.BytesIO()
    book.save(out)
    result = validate_workbook(out.getvalue(), "vve-indicaties", gem, file_name)
    assert result.message_texts() == [
        f"'{file_name}' is een oud Excel-bestand (.xls, Excel 97-2003). Open het in Excel en kies "
        "Opslaan als > Excel-werkmap (.xlsx)."]


# -- the template of an older version -----------------------------------------------------------

def older_template(soort: str, rows: list[list]) -> bytes:
    """The template of `soort` as it was before onderwijssoort had its own column (cluster held
    'sbo' and 'vso' too): today's template without that column, `rows` typed below."""
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(filled_template(soort, [])))
    sheet = workbook["Gegevens"]
    column = next(c.column for c in sheet[1] if c.value == "onderwijssoort")
    sheet.delete_cols(column)
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            sheet.cell(row=r, column=c, value=value)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_the_older_speciaal_onderwijs_template_counts_as_migration_0055_reads_it(gem):
    # it was refused: 'de verplichte kolom onderwijssoort ontbreekt'
    old = older_template("speciaal-onderwijs", [
        ["Centrum", "De Brug", "sbo", None, "ingeschreven", "4-12", 5, 1],
        ["Centrum", "De Brug", 3, None, "ingeschreven", "4-12", 4, 0],
        ["Oude Haven", "Het Anker", "vso", None, "ingeschreven", "4-12", 3, 0]])
    new = filled_template("speciaal-onderwijs", [
        ["Centrum", "De Brug", "sbo", None, None, "ingeschreven", "4-12", 5, 1],
        ["Centrum", "De Brug", "so", 3, None, "ingeschreven", "4-12", 4, 0],
        ["Oude Haven", "Het Anker", "vso", None, None, "ingeschreven", "4-12", 3, 0]])
    result = validate_workbook(old, "speciaal-onderwijs", gem, "so.xlsx", period="2024")
    assert result.ok, result.message_texts()
    assert outcome(gem, old, "speciaal-onderwijs", period="2024")[1] == outcome(
        gem, new, "speciaal-onderwijs", period="2024")[1]
    assert any("sjabloon van vóór de kolom onderwijssoort" in str(n) for n in result.notices)


def test_an_older_template_with_an_unknown_cluster_is_refused_as_before(gem):
    old = older_template("wachtlijst-so", [["Centrum", "De Brug", "sbo", None, 5, 3, None],
                                           ["Centrum", "De Brug", "cluster 5", None, 4, 2, None]])
    messages, counted = outcome(gem, old, "wachtlijst-so", period="2024")
    assert counted is None
    assert any("de verplichte kolom 'onderwijssoort' ontbreekt" in m for m in messages), messages


# -- read as typed, refused by its cell, through the command line and the page -------------------

def test_a_protected_sheet_and_counts_typed_as_text_are_counted_as_typed(gem):
    def protect(workbook):
        sheet = workbook.active
        sheet.protection.sheet = True
        sheet.protection.password = "geheim"  # sheet protection: the cells stay readable
        sheet["D3"].quotePrefix = True  # typed as '1234 in Excel

    data = plain_workbook([VVE, ["Centrum", "2-4", "SES", "1 234"], ["Oude Haven", "2-4", "SES", "12"],
                           ["Bloemhof", "2-4", "SES", "1.234"]], extra=protect)
    result = validate_workbook(data, "vve-indicaties", gem, "beveiligd.xlsx")
    assert result.ok, result.message_texts()
    counted = result.aggregates_df[["wijk_code", "children_count"]]
    assert sorted(map(tuple, counted.values.tolist())) == [
        ("WK999901", 1234), ("WK999902", 12), ("WK999909", 1234)]


def test_the_command_line_names_a_sum_a_script_wrote_without_its_value(app_db, tmp_path, capsys):
    def total(workbook):
        workbook.active["D4"] = "=SOM(D2:D3)"  # a script writes the formula, Excel never computed it

    path = tmp_path / "som.xlsx"
    path.write_bytes(plain_workbook([VVE, ["Centrum", "2-4", "SES", 2],
                                     ["Oude Haven", "2-4", "SES", 3],
                                     ["Bloemhof", "2-4", "taal/spraak"]], extra=total))
    assert main(["import", str(path), "--soort", "vve-indicaties", "--organisatie", "GGD",
                 "--periode", "2024", "--db", str(app_db)]) == 1
    shown = capsys.readouterr()
    assert ("Blad 'Gegevens', rij 4, kolom D (aantal kinderen): formule zonder berekende waarde"
            in shown.out + shown.err)
    assert "Traceback" not in shown.err


def test_the_page_refuses_a_pivot_cache_of_names_and_stores_nothing(app_db):
    data = with_pivot_cache(plain_workbook(GOOD), {"kind": ["Emma", "Noah", "Sven"]},
                            [["Emma"], ["Noah"], ["Sven"]])
    at = upload_registration(run_page("aanleveren"), "vve-indicaties", "draaitabel.xlsx", data)
    assert not at.exception
    shown = " ".join(str(m.value) for m in at.markdown)
    assert "de draaitabel in dit bestand" in shown and "Emma" not in shown
    assert not [b for b in at.button if b.label == "Bevestigen en opslaan"]


@pytest.mark.parametrize("typed, count", [
    # Excel's text mark written into the cell by a program ("''12' is geen getal" before)
    ("'12", 12), ("\u201912", 12), ("'1.234", 1234)])
def test_a_count_with_excels_text_mark_written_out_is_read(gem, typed, count):
    result = validate_workbook(plain_workbook([VVE, ["Centrum", "2-4", "SES", typed]]),
                               "vve-indicaties", gem, "v.xlsx")
    assert result.ok, result.message_texts()
    assert result.aggregates_df["children_count"].tolist() == [count]


def test_a_negative_count_with_a_typeset_minus_is_called_negative(gem):
    # '−3' (U+2212, pasted from a report) was 'geen getal'
    messages, counted = outcome(gem, plain_workbook([VVE, ["Centrum", "2-4", "SES", "\u22123"]]))
    assert counted is None
    assert messages == ["Blad 'Gegevens', rij 2, kolom D (aantal kinderen): '\u22123' is negatief; "
                        "een aantal is 0 of meer"]


def test_a_header_typed_over_two_rows_is_named_as_such(gem):
    # it was "'leeftijds-' is geen kolom van het sjabloon" and "de verplichte kolom
    # 'leeftijdsgroep' ontbreekt", which sent the partner looking for a missing column
    data = plain_workbook([["wijk", "leeftijds-", "criterium", "aantal kinderen"],
                           [None, "groep", None, None], ["Centrum", "2-4", "SES", 3]])
    messages, counted = outcome(gem, data)
    assert counted is None
    assert messages == [
        "Blad 'Gegevens', rij 1, kolom B (leeftijds-): de kopregel staat over twee rijen (rij 1 "
        "en 2); Kindkaart leest één kopregel. Zet elke kolomnaam in één cel (hier "
        "'leeftijdsgroep') en verwijder rij 2."]


# -- a DTD the check on each part's head did not see ---------------------------------------------

def _with_dtd_in(data: bytes, part: str, prolog: bytes, encoding: str = "utf-8") -> bytes:
    xml = zipfile.ZipFile(io.BytesIO(data)).read(part).decode()
    body = xml.split("?>", 1)[1] if xml.startswith("<?xml") else xml
    root = body.lstrip()[1:].split(None, 1)[0].split(">")[0]
    dtd = f'<!DOCTYPE {root} [<!ENTITY w "Centrum">]>'
    text = f'<?xml version="1.0" encoding="{encoding}"?>' + prolog.decode() + dtd + body
    return rezip(data, {part: text.encode(encoding)})


@pytest.mark.parametrize("part, prolog, encoding", [
    # a comment pads the DTD past the head that was checked (a note's part is parsed by the
    # standard library, which expands entities), also with element-like text in the comment
    ("xl/comments/comment1.xml", b"<!--" + b"x" * 5000 + b"-->", "utf-8"),
    ("xl/comments/comment1.xml", b"<!--" + b" <a>" * 1500 + b"-->", "utf-8"),
    # UTF-16: the head held '<\0!\0D\0O\0C...' and the check for '<!DOCTYPE' missed it; the
    # sheet was then read as empty
    ("xl/worksheets/sheet1.xml", b"", "utf-16"),
])
def test_a_dtd_hidden_from_the_head_check_is_refused_as_an_xml_bomb(gem, part, prolog, encoding):
    from openpyxl.comments import Comment

    def note(workbook):
        workbook.active["D2"].comment = Comment("voorlopig cijfer", "medewerker")

    data = _with_dtd_in(plain_workbook(GOOD, extra=note), part, prolog, encoding)
    messages, counted = outcome(gem, data)
    assert counted is None
    assert messages == ["'upload.xlsx' bevat verboden XML-constructies (mogelijk een 'XML-bom') en "
                        "wordt niet gelezen."]


def _with_chart_cache(data: bytes, categories: list[str]) -> bytes:
    """`data` with a chart whose categories Excel cached: a chart keeps a copy of the cells it
    shows (c:strCache), also after the sheet they were on is deleted."""
    points = "".join(f'<c:pt idx="{i}"><c:v>{name}</c:v></c:pt>' for i, name in enumerate(categories))
    chart = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<c:chartSpace xmlns:c='
             '"http://schemas.openxmlformats.org/drawingml/2006/chart"><c:chart><c:plotArea>'
             '<c:barChart><c:ser><c:idx val="0"/><c:cat><c:strRef><c:f>Kinderen!$A$2:$A$9</c:f>'
             f'<c:strCache><c:ptCount val="{len(categories)}"/>{points}</c:strCache></c:strRef>'
             '</c:cat><c:val><c:numRef><c:f>Kinderen!$B$2:$B$9</c:f><c:numCache><c:ptCount val="1"/>'
             '<c:pt idx="0"><c:v>3</c:v></c:pt></c:numCache></c:numRef></c:val></c:ser></c:barChart>'
             "</c:plotArea></c:chart></c:chartSpace>")
    return rezip(data, {"xl/charts/chart1.xml": chart.encode()})


@pytest.mark.parametrize("categories, what", [
    (["Sven Jansen", "Fatima el Amrani", "Jan de Vries"], "naam van een persoon"),
    (["Emma", "Noah", "Sven", "Julia", "Mila"], "voornamen"),
])
def test_personal_data_in_a_charts_copy_is_refused(gem, categories, what):
    # a chart of a list of children, the list deleted after: the chart still carries every name
    messages, counted = outcome(gem, _with_chart_cache(plain_workbook(GOOD), categories))
    assert counted is None
    shown = " ".join(messages)
    assert "persoonsgegevens geweigerd: een grafiek" in shown and what in shown, messages
    assert not any(name in shown for name in categories)


def test_a_chart_of_counts_per_wijk_passes(gem):
    data = _with_chart_cache(plain_workbook(GOOD), ["Centrum", "Oude Haven", "2-4", "SES"])
    messages, counted = outcome(gem, data)
    assert messages == [] and counted == outcome(gem, plain_workbook(GOOD))[1]


def _with_text_box(data: bytes, text: str) -> bytes:
    """`data` with a text box on a sheet (Invoegen > Tekstvak), as Excel keeps it in a drawing."""
    drawing = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<xdr:wsDr xmlns:xdr='
               '"http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" xmlns:a='
               '"http://schemas.openxmlformats.org/drawingml/2006/main"><xdr:twoCellAnchor>'
               '<xdr:from><xdr:col>5</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>1</xdr:row>'
               '<xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:to><xdr:col>9</xdr:col><xdr:colOff>0'
               '</xdr:colOff><xdr:row>6</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:to><xdr:sp>'
               '<xdr:nvSpPr><xdr:cNvPr id="2" name="Tekstvak 1"/><xdr:cNvSpPr txBox="1"/></xdr:nvSpPr>'
               f'<xdr:txBody><a:p><a:r><a:t>{text}</a:t></a:r></a:p></xdr:txBody></xdr:sp>'
               "<xdr:clientData/></xdr:twoCellAnchor></xdr:wsDr>")
    relations = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns='
                 '"http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id='
                 f'"rId9" Type="{RELATIONSHIPS}/drawing" Target="../drawings/drawing1.xml"/>'
                 "</Relationships>")
    assert "xl/worksheets/_rels/sheet1.xml.rels" not in zipfile.ZipFile(io.BytesIO(data)).namelist()
    return rezip(data, {"xl/drawings/drawing1.xml": drawing.encode(),
                        "xl/worksheets/_rels/sheet1.xml.rels": relations.encode()})


@pytest.mark.parametrize("text, what", [
    ("Let op: Sven Jansen (geb. 12-03-2020) telt dubbel", "geboortedatum"),
    ("Bel 06-12345678 over de aanmelding", "telefoonnummer"),
])
def test_personal_data_in_a_text_box_is_refused(gem, text, what):
    # a note in a text box beside the table, as partners write them: nothing read it
    messages, counted = outcome(gem, _with_text_box(plain_workbook(GOOD), text))
    assert counted is None
    shown = " ".join(messages)
    assert shown.startswith("Blad 'Gegevens': persoonsgegevens geweigerd: een tekstvak, vorm of "
                            "grafiektitel op dit blad"), messages
    assert what in shown and "Sven" not in shown and "12345678" not in shown


def test_a_text_box_without_personal_data_passes(gem):
    data = _with_text_box(plain_workbook(GOOD), "Voorlopige cijfers, peildatum 31-12-2024 (Centrum)")
    messages, counted = outcome(gem, data)
    assert messages == [] and counted == outcome(gem, plain_workbook(GOOD))[1]


def test_personal_data_in_a_chart_title_is_refused(gem):
    chart = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<c:chartSpace xmlns:c='
             '"http://schemas.openxmlformats.org/drawingml/2006/chart" xmlns:a='
             '"http://schemas.openxmlformats.org/drawingml/2006/main"><c:chart><c:title><c:tx>'
             '<c:rich><a:p><a:r><a:t>Wachttijd van Sven Jansen</a:t></a:r></a:p></c:rich></c:tx>'
             "</c:title><c:plotArea/></c:chart></c:chartSpace>")
    messages, counted = outcome(gem, rezip(plain_workbook(GOOD), {"xl/charts/chart1.xml": chart.encode()}))
    assert counted is None
    assert any("persoonsgegevens geweigerd: een tekstvak, vorm of grafiektitel in dit bestand" in m
               for m in messages), messages
    assert not any("Jansen" in m for m in messages)
