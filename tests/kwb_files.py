"""Small kwb-<year>.xlsx workbooks in the layout of CBS's download (made-up counts, real layout)."""

from __future__ import annotations

from pathlib import Path

import openpyxl

# The first columns of kwb-2024.xlsx as CBS publishes it (Toelichting variabelen kwb-2024).
KWB_COLUMNS = ["gwb_code_10", "gwb_code_8", "regio", "gm_naam", "recs", "gwb_code", "ind_wbi",
               "a_inw", "a_man", "a_vrouw", "a_00_14", "a_15_24", "a_25_44", "a_45_64", "a_65_oo",
               "a_hh", "a_hh_m_k", "a_woning", "a_jz_tn", "p_jz_tn", "g_afs_kv", "g_afs_sc"]

# Four wijken of Zwolle (codes and names as in 2024); the counts are made up, rounded to fives.
ZWOLLE = ("GM0193", "Zwolle")
ZWOLLE_WIJKEN = [
    ("WK019310", "Wijk 10 Binnenstad", 7115, 450),
    ("WK019311", "Wijk 11 Diezerpoort", 8200, 1200),
    ("WK019322", "Wijk 22 Stadshagen", 26020, 6000),
    ("WK019352", "Wijk 52 Soestweteringlanden", 55, "."),
]


def kwb_rows(gemeente=ZWOLLE, wijken=ZWOLLE_WIJKEN, gemeente_young: int | None = None,
             secret_jeugdzorg: bool = True) -> list[list]:
    """Rows of a kwb file: Nederland, the gemeente, its wijken and one buurt per wijk. The
    gemeente's 0-15 year olds default to its wijken's plus 10 (the secret wijk's children)."""
    code, name = gemeente
    gemeente_inw = sum(inw for _, _, inw, _ in wijken)
    if gemeente_young is None:
        gemeente_young = sum(young for *_, young in wijken if isinstance(young, int)) + 10
    number = code[2:]

    def row(code10, code8, regio, recs, inw, young):
        known = isinstance(young, int)
        return [code10, code8, regio, name, recs, code10, 1, inw,
                round(inw * 0.49) if inw else ".", inw - round(inw * 0.49) if inw else ".",
                young, 15 if known else ".", ".", ".", ".", round(inw / 2.1),
                round(inw / 9) if known else ".", round(inw / 2.2),
                "." if secret_jeugdzorg else 40, "." if secret_jeugdzorg else 9.5, 0.6, 0.8]

    rows = [["NL00", "0", "Nederland", "Nederland", "Land", "NL00", 1, 17942942, 8900000,
             9042942, 2770000, 2250000, 4700000, 4900000, 3500000, 8200000, 2100000, 8100000,
             480000, 11.2, 0.7, 1.0],
            row(code, str(int(number)), name, "Gemeente", gemeente_inw, gemeente_young)]
    for wijk, wijk_name, inw, young in wijken:
        rows.append(row(wijk, str(int(wijk[2:])), wijk_name, "Wijk", inw, young))
        buurt = "BU" + wijk[2:] + "00"
        rows.append(row(buurt, str(int(buurt[2:])), f"{wijk_name} buurt", "Buurt", inw, young))
    return rows


def write_kwb_xlsx(path: Path, rows: list[list] | None = None) -> Path:
    """A workbook as CBS publishes it: one sheet, short names in row 1, numbers as numbers,
    '.' as text for secret cells."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "kwb_2024"
    sheet.append(KWB_COLUMNS)
    for row in rows if rows is not None else kwb_rows():
        sheet.append(row)
    workbook.save(path)
    return path


def write_kwb_xls(path: Path, rows: list[list] | None = None) -> Path:
    """The same workbook in the older Excel 97-2003 format (.xls) in which CBS published
    kwb-2013.xls to kwb-2020.xls: numbers as numbers, '.' as text."""
    import xlwt

    workbook = xlwt.Workbook()
    sheet = workbook.add_sheet(path.stem.replace("-", "_"))
    for r, row in enumerate([KWB_COLUMNS, *(rows if rows is not None else kwb_rows())]):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    workbook.save(str(path))
    return path


def excel_number(value, decimal: str = ",", thousands: str | None = ".") -> str:
    """A number as Excel writes it into a CSV with the number format 'with thousands separator':
    17942942 -> '17.942.942', 0.6 -> '0,6' (Dutch), or '17,942,942' and '0.6' (English)."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return str(value)
    if float(value).is_integer():
        text = f"{int(value):,}" if thousands else str(int(value))
        return text.replace(",", thousands or "")
    return str(value).replace(".", decimal)


def write_kwb_csv(path: Path, rows: list[list] | None = None, *, separator: str = ";",
                  decimal: str = ",", thousands: str | None = ".") -> Path:
    """The kwb rows saved from Excel as CSV: Dutch Excel writes ';', '2,1' and '133.141', English
    Excel ',', '2.1' and "133,141" (quoted, as the value holds the separator)."""
    import csv

    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=separator, lineterminator="\r\n")
        writer.writerow(KWB_COLUMNS)
        for row in rows if rows is not None else kwb_rows():
            writer.writerow([excel_number(v, decimal, thousands) for v in row])
    return path
