"""Excel templates generated from the schemas: instructions, a protected header, dropdowns, checks."""

from __future__ import annotations

from pathlib import Path
from typing import IO

import duckdb
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from data_sources.registrations.locations import LocationIndex
from data_sources.registrations.schemas import Column, registration_type
from data_sources.registrations.template_text import (
    COLUMNS_HEADER,
    DATA_SHEET,
    INSTRUCTIONS_SHEET,
    LISTS_SHEET,
    META_SHEET,
    column_row,
    instruction_lines,
)

TEMPLATE_ROWS = 2000  # rows below the header that are unlocked and carry the checks
META_FIELDS = (
    ("organisatie", "Naam van uw organisatie (zoals u aanlevert)."),
    ("periode", "Periode: 2024, 2024-Q3, 2024-09 of schooljaar 2024-2025."),
    ("gemeente", "Gemeente waarvoor de gegevens zijn."),
    ("peildatum", "Datum waarop de telling betrekking heeft (optioneel, bijv. 31-12-2024)."),
    ("definitie", "Welke definitie u gebruikt (bijv. doelgroepdefinitie vve van de gemeente)."),
    ("bron", "Uit welk systeem de gegevens komen (optioneel)."),
    # where the notice about a column 'Opmerking' sends the partner (validate: veld toelichting)
    ("toelichting", "Wat de gemeente verder moet weten, bijv. dat de cijfers voorlopig zijn "
                    "(optioneel; geen namen van personen)."),
)
_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_OPTIONAL_FILL = PatternFill("solid", fgColor="5B7FA6")


def write_template(
    soort: str,
    path_or_buffer: str | Path | IO[bytes],
    con: duckdb.DuckDBPyConnection | None = None,
    gemeente_code: str | None = None,
    organisation: str | None = None,
) -> None:
    """Write the Excel template of `soort`. With a connection, the wijk column gets a dropdown
    of the gemeente's wijken (the only gemeente loaded, or `gemeente_code`). `organisation` (the
    one the page delivers as: a partner's own, from its account) is filled in on the sheet
    Organisatie, so that the file and the upload name the same organisation."""
    rtype = registration_type(soort)
    index = _location_index(con, gemeente_code)
    workbook = Workbook()
    instructions = workbook.active
    instructions.title = INSTRUCTIONS_SHEET
    data = workbook.create_sheet(DATA_SHEET)
    meta = workbook.create_sheet(META_SHEET)
    lists = workbook.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"

    _write_instructions(instructions, rtype, index)
    list_column = 0
    for c, column in enumerate(rtype.columns, start=1):
        letter = get_column_letter(c)
        cell = data.cell(row=1, column=c, value=column.label)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL if column.required else _OPTIONAL_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.comment = Comment(
            ("Verplicht. " if column.required else "Optioneel. ") + column.help, "Kindkaart")
        data.column_dimensions[letter].width = max(14, min(40, len(column.label) + 6))
        area = f"{letter}2:{letter}{TEMPLATE_ROWS + 1}"
        # Whole-column style (as Excel stores 'format column'): unlocked below the locked header.
        dimension = data.column_dimensions[letter]
        dimension.protection = Protection(locked=False)
        if column.kind in ("choice", "location", "text"):
            dimension.number_format = "@"  # keeps '2-4' and '1234 AB' as typed
        elif column.kind == "date":
            dimension.number_format = "DD-MM-YYYY"
        cell.protection = Protection(locked=True)
        validation = _validation(column, lists, index, list_column)
        if validation is not None:
            if validation.type == "list" and validation.formula1.startswith(quote_sheetname(
                    LISTS_SHEET)):
                list_column += 1
            validation.add(area)
            data.add_data_validation(validation)
    data.freeze_panes = "A2"
    data.row_dimensions[1].height = 32
    data.protection.sheet = True
    # Protected header, but partners may still sort, filter, resize and insert or delete rows.
    for permission in ("formatColumns", "formatRows", "insertRows", "deleteRows", "sort",
                       "autoFilter", "formatCells"):
        setattr(data.protection, permission, False)

    meta["A1"], meta["B1"], meta["C1"] = "gegeven", "waarde", "uitleg"
    for cell in meta[1]:
        cell.font = Font(bold=True)
    for r, (name, help_text) in enumerate(META_FIELDS, start=2):
        meta.cell(row=r, column=1, value=name)
        meta.cell(row=r, column=3, value=help_text)
        # text cells, or Excel makes the period '2024-09' typed as asked the date 1-9-2024
        # (shown as sep-24), which validation must refuse: a date is no period
        meta.cell(row=r, column=2).number_format = "DD-MM-YYYY" if name == "peildatum" else "@"
    if organisation:
        named = meta.cell(row=2, column=2, value=organisation)
        named.data_type = "s"  # text, never a formula (openpyxl makes '=...' one)
    if index is not None:
        meta.cell(row=4, column=2, value=index.gemeente_name)
    meta.column_dimensions["A"].width = 16
    meta.column_dimensions["B"].width = 36
    meta.column_dimensions["C"].width = 70
    workbook.active = workbook.index(data)
    workbook.save(path_or_buffer)


def _location_index(con, gemeente_code: str | None) -> LocationIndex | None:
    if con is None:
        return None
    codes = [gemeente_code] if gemeente_code else [r[0] for r in con.execute(
        "select distinct region_code from regions where region_level = 'gemeente'").fetchall()]
    if len(codes) != 1:
        return None
    try:
        return LocationIndex(con, codes[0])
    except Exception:  # no wijken loaded yet: a template without the dropdown still works
        return None


def _validation(column: Column, lists, index: LocationIndex | None,
                list_column: int) -> DataValidation | None:
    if column.kind == "choice":
        return _list_validation(column.choices, lists, list_column, column, strict=True)
    if column.kind == "location":
        if index is None:
            return None
        return _list_validation(tuple(index.wijk_choices()), lists, list_column, column,
                                strict=False)
    if column.kind == "count":
        return DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0",
                              allow_blank=True, showErrorMessage=True,
                              errorTitle=column.label, error="Vul een heel getal van 0 of meer in.")
    if column.kind == "age":
        return DataValidation(type="whole", operator="between", formula1="0", formula2="12",
                              allow_blank=True, showErrorMessage=True,
                              errorTitle=column.label, error="Leeftijd 0 tot en met 12.")
    if column.kind == "number" and column.maximum is not None:
        return DataValidation(type="decimal", operator="between", formula1="0",
                              formula2=f"{column.maximum:g}", allow_blank=True,
                              showErrorMessage=True, errorTitle=column.label,
                              error=f"Vul een getal van 0 tot en met {column.maximum:g} in.")
    if column.kind == "number":
        return DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0",
                              allow_blank=True, showErrorMessage=True,
                              errorTitle=column.label, error="Vul een getal van 0 of meer in.")
    if column.kind == "date":
        return DataValidation(type="date", operator="greaterThan", formula1="36526",
                              allow_blank=True, showErrorMessage=True,
                              errorTitle=column.label, error="Vul een datum in (dd-mm-jjjj).")
    return None


def _list_validation(choices: tuple[str, ...], lists, list_column: int, column: Column,
                     strict: bool) -> DataValidation:
    # A list on the hidden sheet: inline lists are limited to 255 characters and break on commas.
    letter = get_column_letter(list_column + 1)
    lists.cell(row=1, column=list_column + 1, value=column.label)
    for r, choice in enumerate(choices, start=2):
        lists.cell(row=r, column=list_column + 1, value=choice).number_format = "@"
    ref = f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${len(choices) + 1}"
    validation = DataValidation(type="list", formula1=ref, allow_blank=True)
    validation.showErrorMessage = strict
    validation.errorTitle = column.label
    validation.error = "Kies een waarde uit de lijst."
    validation.showInputMessage = True
    validation.promptTitle = column.label[:32]
    validation.prompt = column.help[:250]
    return validation


def _write_instructions(sheet, rtype, index: LocationIndex | None) -> None:
    lines = instruction_lines(rtype, index.gemeente_name if index is not None else None)
    fonts = {"title": Font(bold=True, size=14), "bold": Font(bold=True)}
    for r, (text, style) in enumerate(lines, start=1):
        cell = sheet.cell(row=r, column=1, value=text)
        if style:
            cell.font = fonts[style]
    start = len(lines) + 1
    for c, head in enumerate(COLUMNS_HEADER, start=1):
        sheet.cell(row=start, column=c, value=head).font = Font(bold=True)
    for r, column in enumerate(rtype.columns, start=start + 1):
        label, required, help_text, choices = column_row(column)
        sheet.cell(row=r, column=1, value=label)
        sheet.cell(row=r, column=2, value=required)
        sheet.cell(row=r, column=3, value=help_text).alignment = Alignment(wrap_text=True)
        sheet.cell(row=r, column=4, value=choices)
    sheet.column_dimensions["A"].width = 30
    sheet.column_dimensions["B"].width = 10
    sheet.column_dimensions["C"].width = 80
    sheet.column_dimensions["D"].width = 50
