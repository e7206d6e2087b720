"""Mutation fuzzing of every kind of file Kindkaart reads: a valid file, damaged at random (but
deterministically, per seed), either loads or is refused in Dutch, and a refusal stores nothing."""

from __future__ import annotations

import datetime
import io
import json
import random
import re
import sqlite3
import sys
import threading
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest

from data_sources import jobs
from data_sources.errors import InputRefused

sys.path.insert(0, str(Path(__file__).parent))
import kwb_files  # noqa: E402

ROOT = Path(__file__).parent.parent
SAMPLE = ROOT / "sample_data"
CBS_FIXTURES = ROOT / "tests" / "fixtures" / "cbs"
# Mutations per kind of file: enough to meet every mutation family several times, few enough that
# the whole file runs in under a minute (a file that loads rebuilds the marts, ~0.4 s, and about a
# third of the mutated files load). A run of 200 per kind found no more than the cases below.
MUTATIONS = 25
# A guard against a reader that never returns (a loop without end on a hostile file): generous,
# so that it says 'hangs', never 'slow'.
HANG_GUARD_SECONDS = 120
# What a message to a user must never hold: the reader's own traceback or class names, a path of
# the server, or the safety net's 'unknown shape' (jobs.refused_unforeseen: a reader did not
# foresee the file, and the message names no sheet, row or column).
LEAKS = re.compile(r"Traceback|File \"|\b\w+(Error|Exception)\b|<\w+ object at|/tmp/|/work/|"
                   r"opbouw die Kindkaart niet kent|"
                   # the English of Python, zipfile, zlib, SQLite, pandas and calamine
                   r"\b(error|invalid|malformed|cannot|codec|expected|unexpected|not a|no such|"
                   r"negative|unsupported|missing)\b", re.IGNORECASE)


# ---- mutations: each takes a random generator and bytes and returns (what it did, new bytes)

HOSTILE_CELLS = [
    "tien", "", " ", "12,5", "1.000", "-3", "1e400", "NaN", "inf", "#DIV/0!", "#N/A", "#REF!",
    "=1/0", "=A1", "=SUM(D:D)", "=HYPERLINK(\"http://example.com\")", True, False, 0, -7, 2.5,
    1e20, 10 ** 30, datetime.datetime(2024, 1, 1), datetime.date(1900, 1, 1), datetime.time(12, 0),
    "x" * 40_000, "Centrum\u200b", "\u202eCentrum", "😀", "'0123", "2-4", "Oude Haven",
]
HOSTILE_FIELDS = ["tien", "", " ", "12,5", "1.000", "1.000,5", "-3", "1e400", "NaN", "#DIV/0!",
                  "=1+1", "TRUE", "2024-01-01", "01-13-2024", "99-99-9999", '"', '""', "'",
                  "\x00", "x" * 5_000, "😀", "Café", "\u202e", "1" * 40, "0", "9" * 19]
HOSTILE_JSON = [None, "", "x", [], {}, [1, [2]], True, 0, -1, 1.5, 1e308, 10 ** 40, "NaN", "1e400",
                "x" * 100_000, {"a": {"b": None}}, "\x00", "😀"]


def truncate(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    at = rng.randrange(len(data))
    return f"truncated at byte {at}", data[:at]


def flip_bytes(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    raw = bytearray(data)
    places = sorted(rng.randrange(len(raw)) for _ in range(rng.choice([1, 3, 20])))
    for at in places:
        raw[at] = rng.randrange(256)
    return f"bytes at {places[:5]}... changed", bytes(raw)


def nul_bytes(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    at = rng.randrange(len(data))
    return f"NUL bytes at {at}", data[:at] + b"\x00" * rng.choice([1, 4, 1000]) + data[at:]


def _members(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    return [(info, archive.read(info)) for info in archive.infolist()]


def _zip(members: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members:
            archive.writestr(name, content)
    return out.getvalue()


def delete_member(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    members = _members(data)
    gone = rng.randrange(len(members))
    return (f"member {members[gone][0].filename} deleted",
            _zip([(i.filename, d) for n, (i, d) in enumerate(members) if n != gone]))


def duplicate_member(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    import warnings

    members = [(i.filename, d) for i, d in _members(data)]
    name, content = rng.choice(members)
    other = rng.choice([content, b"", rng.choice(members)[1]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns of the duplicate name: it is the point
        return f"member {name} twice", _zip([*members, (name, other)])


def _change_member(rng: random.Random, data: bytes,
                   change: Callable[[random.Random, bytes], tuple[str, bytes]]) -> tuple[str, bytes]:
    members = [(i.filename, d) for i, d in _members(data)]
    xml = [n for n, (name, _) in enumerate(members) if name.endswith((".xml", ".rels", ".csv", ".json"))]
    at = rng.choice(xml or range(len(members)))
    name, content = members[at]
    what, new = change(rng, content)
    members[at] = (name, new)
    return f"{name}: {what}", _zip(members)


def _cut_tag(rng: random.Random, xml: bytes) -> tuple[str, bytes]:
    tags = [m.start() for m in re.finditer(rb"<", xml)] or [0]
    at = rng.choice(tags) + rng.randrange(1, 6)
    return f"cut inside a tag at {at}", xml[:at] + xml[at + rng.randrange(1, 40):]


def _wrong_encoding(rng: random.Random, xml: bytes) -> tuple[str, bytes]:
    declared = rng.choice([b"UTF-16", b"ISO-8859-1", b"EBCDIC-bogus", b"UTF-32", b"ascii"])
    body = re.sub(rb"^<\?xml[^>]*\?>", b"", xml.lstrip(b"\xef\xbb\xbf"))
    if rng.random() < 0.5:
        body = body.replace(b">", ">\xc3\xa9\xff".encode("latin-1"), 3)
    return f"declared {declared.decode()}", b'<?xml version="1.0" encoding="' + declared + b'"?>' + body


def _huge_attribute(rng: random.Random, xml: bytes) -> tuple[str, bytes]:
    root = re.search(rb"<([A-Za-z][\w:]*)", re.sub(rb"^<\?xml[^>]*\?>", b"", xml) or b"<a")
    size = rng.choice([100_000, 2_000_000])
    if root is None:
        return "no tag", xml
    at = xml.find(root.group(0)) + len(root.group(0))
    return f"attribute of {size} bytes", xml[:at] + b' huge="' + b"A" * size + b'"' + xml[at:]


def _nested_entity(rng: random.Random, xml: bytes) -> tuple[str, bytes]:
    body = re.sub(rb"^<\?xml[^>]*\?>", b"", xml)
    root = re.search(rb"<([A-Za-z][\w:]*)", body)
    name = root.group(1) if root else b"a"
    doctype = (b'<!DOCTYPE ' + name + b' [<!ENTITY a0 "lol">'
               + b"".join(b'<!ENTITY a%d "&a%d;&a%d;&a%d;&a%d;&a%d;&a%d;&a%d;&a%d;&a%d;&a%d;">'
                          % (i, *([i - 1] * 10)) for i in range(1, 10)) + b"]>")
    if rng.random() < 0.5:  # an external entity: a file of the server
        doctype = b'<!DOCTYPE ' + name + b' [<!ENTITY a9 SYSTEM "file:///etc/passwd">]>'
    close = body.find(b">", root.end()) if root else -1
    body = body[:close + 1] + b"&a9;" + body[close + 1:] if close >= 0 else body
    return "nested entities", b'<?xml version="1.0" encoding="UTF-8"?>' + doctype + body


def _flip_text(rng: random.Random, content: bytes) -> tuple[str, bytes]:
    return flip_bytes(rng, content) if content else ("empty", content)


XML_DAMAGE = [_cut_tag, _wrong_encoding, _huge_attribute, _nested_entity, _flip_text, truncate]


def damage_member_xml(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    return _change_member(rng, data, rng.choice(XML_DAMAGE))


def workbook_change(change: Callable[[random.Random, openpyxl.Workbook], str]):
    def mutation(rng: random.Random, data: bytes) -> tuple[str, bytes]:
        book = openpyxl.load_workbook(io.BytesIO(data))
        what = change(rng, book)
        out = io.BytesIO()
        book.save(out)
        return what, out.getvalue()
    mutation.__name__ = change.__name__
    return mutation


def _data_sheet(book: openpyxl.Workbook):
    return book["Gegevens"] if "Gegevens" in book.sheetnames else book.worksheets[0]


def swap_cells(rng: random.Random, book: openpyxl.Workbook) -> str:
    sheet = _data_sheet(book)
    done = []
    for _ in range(rng.choice([1, 2, 5])):
        row, column = rng.randint(1, sheet.max_row), rng.randint(1, sheet.max_column)
        value = rng.choice(HOSTILE_CELLS)
        sheet.cell(row, column).value = value
        done.append(f"{sheet.cell(row, column).coordinate}={str(value)[:20]!r}")
    return "cells " + ", ".join(done)


def empty_sheet(rng: random.Random, book: openpyxl.Workbook) -> str:
    sheet = rng.choice(book.worksheets)
    keep = rng.choice([0, 1])  # nothing, or the header only
    sheet.delete_rows(keep + 1, sheet.max_row)
    return f"sheet {sheet.title} emptied below row {keep}"


def extra_columns(rng: random.Random, book: openpyxl.Workbook) -> str:
    sheet = _data_sheet(book)
    column = sheet.max_column + rng.choice([1, 1, 30])
    header = rng.choice(["opmerking", None, "aantal kinderen", sheet.cell(1, 1).value, "x" * 300])
    sheet.cell(1, column).value = header
    for row in range(2, sheet.max_row + 1):
        sheet.cell(row, column).value = rng.choice(HOSTILE_CELLS[:25])
    return f"extra column {column} headed {str(header)[:20]!r}"


def drop_column(rng: random.Random, book: openpyxl.Workbook) -> str:
    sheet = _data_sheet(book)
    column = rng.randint(1, sheet.max_column)
    sheet.delete_cols(column)
    return f"column {column} deleted"


def sheet_shape(rng: random.Random, book: openpyxl.Workbook) -> str:
    sheet = _data_sheet(book)
    choice = rng.randrange(5)
    if choice == 0:
        sheet.insert_rows(1, rng.choice([1, 3]))
        return "rows above the header"
    if choice == 1:
        sheet.merge_cells(start_row=2, start_column=1, end_row=3, end_column=2)
        return "cells merged"
    if choice == 2 and len(book.worksheets) > 1:
        book.remove(rng.choice(book.worksheets))
        return "a sheet removed"
    if choice == 3:
        sheet.title = rng.choice(["Blad1", "gegevens ", "Gegevens (2)", "x" * 31])
        return f"sheet renamed {sheet.title!r}"
    sheet.append([rng.choice(HOSTILE_CELLS) for _ in range(sheet.max_column)])
    return "a row of hostile values appended"


CELL_MUTATIONS = [workbook_change(f) for f in (swap_cells, swap_cells, swap_cells, empty_sheet,
                                               extra_columns, drop_column, sheet_shape)]
XLSX_MUTATIONS = [truncate, flip_bytes, delete_member, duplicate_member, damage_member_xml,
                  damage_member_xml, damage_member_xml, *CELL_MUTATIONS]


def csv_text(change: Callable[[random.Random, list[str]], str]):
    """A mutation of the lines of a CSV file (decoded as the file was written)."""
    def mutation(rng: random.Random, data: bytes) -> tuple[str, bytes]:
        encoding = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            encoding, text = "cp1252", data.decode("cp1252")
        newline = "\r\n" if "\r\n" in text else "\n"
        lines = text.split(newline)
        what = change(rng, lines)
        return what, newline.join(lines).encode(encoding, errors="replace")
    mutation.__name__ = change.__name__
    return mutation


def _separator(lines: list[str]) -> str:
    return ";" if lines[0].count(";") >= lines[0].count(",") else ","


def hostile_field(rng: random.Random, lines: list[str]) -> str:
    done = []
    for _ in range(rng.choice([1, 3])):
        row = rng.randrange(len(lines))
        fields = lines[row].split(_separator(lines))
        column = rng.randrange(len(fields))
        fields[column] = rng.choice(HOSTILE_FIELDS)
        lines[row] = _separator(lines).join(fields)
        done.append(f"row {row + 1} column {column + 1}={fields[column][:20]!r}")
    return "fields " + ", ".join(done)


def change_delimiter(rng: random.Random, lines: list[str]) -> str:
    old, new = _separator(lines), rng.choice([",", "\t", "|", " ", ";;"])
    rows = range(len(lines)) if rng.random() < 0.5 else [rng.randrange(len(lines))]
    for row in rows:
        lines[row] = lines[row].replace(old, new)
    return f"delimiter {old!r} -> {new!r} in {len(rows)} row(s)"


def csv_extra_column(rng: random.Random, lines: list[str]) -> str:
    separator = _separator(lines)
    where = rng.choice(["all", "header", "one row"])
    for row in range(len(lines)):
        if where == "all" or (where == "header" and row == 0) or (where == "one row" and row == 2):
            lines[row] += separator + ("opmerking" if row == 0 else rng.choice(HOSTILE_FIELDS))
    return f"extra column in {where}"


def csv_drop_column(rng: random.Random, lines: list[str]) -> str:
    separator = _separator(lines)
    column = rng.randrange(lines[0].count(separator) + 1)
    for row, line in enumerate(lines):
        fields = line.split(separator)
        if column < len(fields) and (row == 0 or rng.random() < 0.9):
            del fields[column]
        lines[row] = separator.join(fields)
    return f"column {column + 1} deleted"


def csv_lines(rng: random.Random, lines: list[str]) -> str:
    choice = rng.randrange(6)
    row = rng.randrange(len(lines))
    if choice == 0:
        lines[row] = lines[row] + rng.choice(["x", '"x', "a;b"]) * rng.choice([10_000, 70_000])
        return f"very long line {row + 1}"
    if choice == 1:
        del lines[row]
        return f"line {row + 1} deleted"
    if choice == 2:
        lines.insert(row, lines[row])
        return f"line {row + 1} twice"
    if choice == 3:
        lines.insert(row, rng.choice(["", "sep=;", "Bron: CBS", '"', "\x00\x00"]))
        return f"odd line before {row + 1}"
    if choice == 4:
        del lines[1:]
        return "header only"
    lines[row] = '"' + lines[row]
    return f"quote opened in line {row + 1}"


def encoding_change(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252")
    encoding = rng.choice(["utf-8-sig", "utf-8", "utf-16", "utf-16-le", "cp1252", "latin-1",
                           "utf-32", "cp437"])
    text = text.replace("e", "é", rng.choice([0, 5]))
    if rng.random() < 0.5:
        text = text.replace("\r\n", "\n").replace("\n", rng.choice(["\r", "\r\n", "\n\n"]))
    return f"encoded as {encoding}", text.encode(encoding, errors="replace")


CSV_MUTATIONS = [truncate, flip_bytes, nul_bytes, encoding_change,
                 *(csv_text(f) for f in (hostile_field, hostile_field, hostile_field,
                                         change_delimiter, csv_extra_column, csv_drop_column,
                                         csv_lines, csv_lines))]


def _json_places(node, path=()):
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _json_places(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node[:50]):
            yield from _json_places(value, (*path, index))


def json_change(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    document = json.loads(data.decode("utf-8-sig"))
    done = []
    for _ in range(rng.choice([1, 3, 10])):
        places = [p for p in _json_places(document) if p]
        path = rng.choice(places)
        parent = document
        for step in path[:-1]:
            parent = parent[step]
        if isinstance(parent, dict) and rng.random() < 0.25:
            del parent[path[-1]]
            done.append(f"{'/'.join(map(str, path))} deleted")
        else:
            value = rng.choice(HOSTILE_JSON)
            parent[path[-1]] = value
            done.append(f"{'/'.join(map(str, path))}={str(value)[:20]!r}")
    text = json.dumps(document, ensure_ascii=rng.random() < 0.5)
    return "; ".join(done[:4]), text.encode("utf-8")


def json_nesting(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    depth = rng.choice([100, 1_000, 100_000])
    at = data.find(b"[") + 1 or 1
    return f"nested {depth} deep", data[:at] + b"[" * depth + b"]" * depth + b"," + data[at:]


JSON_MUTATIONS = [truncate, flip_bytes, nul_bytes, encoding_change, json_nesting,
                  json_change, json_change, json_change, json_change]


def gpkg_change(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "m.gpkg"
        path.write_bytes(data)
        con = sqlite3.connect(path)
        tables = [r[0] for r in con.execute("select name from sqlite_master where type = 'table'")]
        table = rng.choice(tables)
        columns = [r[1] for r in con.execute(f"pragma table_info('{table}')") if not r[5]]
        choice = rng.randrange(4) if columns else 0
        if choice == 0:
            con.execute(f"drop table '{table}'")
            what = f"table {table} dropped"
        elif choice == 1:
            con.execute(f"delete from '{table}'")
            what = f"table {table} emptied"
        else:
            column = rng.choice(columns)
            value = rng.choice([None, "", "x", -1, 10 ** 15, 1.5, b"", b"GP\x00\x01",
                                bytes(rng.randrange(256) for _ in range(40)), "GM0193", "WK019310"])
            con.execute(f"update '{table}' set \"{column}\" = ? where rowid in "
                        f"(select rowid from '{table}' order by random() limit {rng.choice([1, 3])})",
                        [value])
            what = f"{table}.{column}={str(value)[:20]!r}"
        con.commit()
        con.close()
        return what, path.read_bytes()


GPKG_MUTATIONS = [truncate, flip_bytes, gpkg_change, gpkg_change, gpkg_change, gpkg_change]
ZIP_MUTATIONS = [truncate, flip_bytes, delete_member, duplicate_member,
                 *(lambda rng, data, m=m: _change_member(rng, data, m) for m in CSV_MUTATIONS)]


# ---- the kinds of file: how to build a valid one, and how the app reads it

@dataclass
class Kind:
    name: str
    file_name: str
    build: Callable[[Path], bytes]
    read: Callable[[object, Path], object]
    mutations: list


def _registration(con, path: Path):
    return jobs.import_registration(con, path.read_bytes(), "vve-indicaties",
                                    "GGD Voorbeeldregio (JGZ)", "2024", path.name,
                                    gemeente_code="GM9999")


def _lrk_xlsx(folder: Path) -> bytes:
    import csv

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "export_opendata_lrk"
    text = (SAMPLE / "lrk" / "lrk_export_GM9999_2024.csv").read_bytes().decode("cp1252")
    for row in csv.reader(io.StringIO(text), delimiter=";"):
        sheet.append([int(v) if v.isdigit() and len(v) < 5 else v for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _gpkg(folder: Path) -> bytes:
    from test_cbs_geopackage import cbs_map

    path = folder / "built.gpkg"
    cbs_map(path)
    return path.read_bytes()


def _open_data_zip(folder: Path) -> bytes:
    from test_cbs_real_variants import write_download

    download = write_download(folder / "86165NED")
    return _zip([(f"86165NED/{f.name}", f.read_bytes()) for f in sorted(download.iterdir())])


def _lrk(con, path):
    return jobs.import_lrk(con, path, year=2024)


def _cbs(con, path):
    return jobs.import_cbs_file(con, path)


KINDS = {kind.name: kind for kind in [
    Kind("registration-xlsx", "vve.xlsx",
         lambda folder: (SAMPLE / "registrations" / "vve-indicaties.xlsx").read_bytes(),
         _registration, XLSX_MUTATIONS),
    Kind("lrk-csv", "lrk_export_GM9999_2024.csv",
         lambda folder: (SAMPLE / "lrk" / "lrk_export_GM9999_2024.csv").read_bytes(),
         _lrk, CSV_MUTATIONS),
    Kind("lrk-xlsx", "lrk_export_GM9999_2024.xlsx", _lrk_xlsx, _lrk, XLSX_MUTATIONS),
    Kind("kwb-xlsx", "kwb-2024.xlsx",
         lambda folder: kwb_files.write_kwb_xlsx(folder / "built.xlsx").read_bytes(),
         _cbs, XLSX_MUTATIONS),
    Kind("kwb-csv", "kwb-2024.csv",
         lambda folder: kwb_files.write_kwb_csv(folder / "built.csv").read_bytes(),
         _cbs, CSV_MUTATIONS),
    Kind("statline-csv", "statline_85984NED.csv",
         lambda folder: (CBS_FIXTURES / "statline_85984NED.csv").read_bytes(), _cbs, CSV_MUTATIONS),
    Kind("odata-json", "odata_85984NED_TypedDataSet.json",
         lambda folder: (CBS_FIXTURES / "odata_85984NED_TypedDataSet.json").read_bytes(),
         _cbs, JSON_MUTATIONS),
    Kind("geojson", "wijk_2024.geojson",
         lambda folder: (SAMPLE / "geo" / "wijken.geojson").read_bytes(), _cbs, JSON_MUTATIONS),
    Kind("geopackage", "wijkenbuurten_2024_v1.gpkg", _gpkg, _cbs, GPKG_MUTATIONS),
    Kind("open-data-zip", "86165NED.zip", _open_data_zip, _cbs, ZIP_MUTATIONS),
]}


# ---- what must hold for every mutated file

def fingerprint(con) -> dict[str, tuple]:
    """Each table's row count and a hash of its rows: any row added, removed or changed shows."""
    tables = [name for (name,) in con.execute(
        "select table_name from duckdb_tables() where database_name = current_database()"
        " and schema_name = 'main' order by 1").fetchall()]
    return {name: con.execute(f'select count(*), coalesce(sum(hash(t)), 0) from "{name}" t').fetchone()
            for name in tables}


def run_guarded(call: Callable[[], object]) -> tuple[object, BaseException | None]:
    """Run call() in a thread and wait until it ends; a reader that never ends fails the case."""
    outcome: dict[str, object] = {}

    def target():
        try:
            outcome["result"] = call()
        except BaseException as error:  # noqa: BLE001 - handed to the test to judge
            outcome["error"] = error

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(HANG_GUARD_SECONDS)
    assert not thread.is_alive(), "the reader did not end: it hangs on this file"
    return outcome.get("result"), outcome.get("error")  # type: ignore[return-value]


def check(con, kind: Kind, folder: Path, what: str, data: bytes) -> str | None:
    """None when the file was read or refused as it should be; else what went wrong."""
    path = folder / kind.file_name
    path.write_bytes(data)
    before = fingerprint(con)
    _result, error = run_guarded(lambda: kind.read(con, path))
    if error is None:
        return None
    if not isinstance(error, InputRefused):
        return f"{what}: {type(error).__name__}: {str(error)[:300]}"
    text = " ".join(error.messages)
    if LEAKS.search(text) or str(folder) in text:
        return f"{what}: message leaks: {text[:400]}"
    after = fingerprint(con)
    if after != before:
        changed = sorted(name for name in after if after[name] != before.get(name))
        return f"{what}: refused, yet tables changed: {changed}"
    return None


def mutated(kind: Kind, valid: bytes, seed: int) -> tuple[str, bytes]:
    rng = random.Random(f"{kind.name}-{seed}")
    mutation = rng.choice(kind.mutations)
    what, data = mutation(rng, valid)
    return f"{kind.name} seed {seed} ({getattr(mutation, '__name__', 'member')}: {what})", data


@pytest.mark.filterwarnings("ignore:Duplicate name")  # a zip with a member twice: zipfile warns
@pytest.mark.parametrize("name", list(KINDS))
def test_damaged_files_are_read_or_refused_in_dutch_and_a_refusal_stores_nothing(
        sample_copy, tmp_path, name):
    kind = KINDS[name]
    valid = kind.build(tmp_path)
    (tmp_path / kind.file_name).write_bytes(valid)
    kind.read(sample_copy, tmp_path / kind.file_name)  # undamaged, it loads
    problems = [problem for seed in range(MUTATIONS)
                if (problem := check(sample_copy, kind, tmp_path, *mutated(kind, valid, seed)))]
    assert not problems, "\n".join(problems)


# ---- the crashes the fuzzing found, each kept as a named case (with what a reader says now)

def zip_version_unknown(data: bytes) -> bytes:
    """The zip with its first central-directory entry needing 'version 21.3' to extract, as a
    flipped byte makes it: zipfile raised NotImplementedError, which no reader caught."""
    raw = bytearray(data)
    raw[data.find(b"PK\x01\x02") + 6] = 213
    return bytes(raw)


def broken_deflate(member: str):
    def damage(data: bytes) -> bytes:
        """One member's packed bytes reversed, its header intact: zlib.error on unpacking."""
        from test_damaged_files import broken_member

        return broken_member(data, member)
    return damage


def wijk_set(assignment: str, value=None):
    def damage(data: bytes) -> bytes:
        """Wijk WK019310 with `assignment` (SQLite keeps any type in any column)."""
        import tempfile

        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "m.gpkg"
            path.write_bytes(data)
            con = sqlite3.connect(path)
            con.execute(f"update wijken set {assignment} where wijkcode = 'WK019310'",
                        [] if value is None else [value])
            con.commit()
            con.close()
            return path.read_bytes()
    return damage


def corner_blob(far: float) -> bytes:
    """A GeoPackage geometry of a square with one corner at x = `far` (flipped bytes of a double)."""
    from test_cbs_geopackage import gpkg_blob

    x, y = 203_000.0, 503_000.0
    return gpkg_blob([[[[x, y], [far, y], [x + 500, y + 500], [x, y + 500], [x, y]]]])


def odata_code_as(value):
    def damage(data: bytes) -> bytes:
        """The fifth record's region code `value` (true, 344) where CBS writes text: the reader's
        code[:2] raised TypeError."""
        document = json.loads(data)
        document["value"][4]["Codering_3"] = value
        return json.dumps(document).encode("utf-8")
    return damage


REGRESSIONS = {
    "registration-xlsx, zip version 21.3 (NotImplementedError)": (
        "registration-xlsx", zip_version_unknown,
        "'vve.xlsx' is beschadigd en kan niet worden gelezen. Sla het in Excel opnieuw op als .xlsx."),
    "lrk-xlsx, zip version 21.3 (NotImplementedError; the reader itself reads it)": (
        "lrk-xlsx", zip_version_unknown, None),
    "open-data-zip, zip version 21.3 (NotImplementedError)": (
        "open-data-zip", zip_version_unknown,
        "Bestand 86165NED.zip: het zip-bestand is niet te lezen: het bestand is beschadigd of heeft "
        "een onverwachte opbouw. Er is niets opgeslagen."),
    "open-data-zip, a member's deflate stream broken (zlib.error)": (
        "open-data-zip", broken_deflate("86165NED/Observations.csv"),
        "Bestand 86165NED.zip: 86165NED/Observations.csv in de zip is beschadigd en niet uit te "
        "pakken (onvolledig gedownload?). Download het bestand opnieuw. Er is niets opgeslagen."),
    "odata-json, a region code true (TypeError)": (
        "odata-json", odata_code_as(True),
        "Bestand odata_85984NED_TypedDataSet.json: rij 5 van 'value', sleutel Codering_3: "
        "waar/onwaar waar een regiocode (tekst, zoals GM0344) hoort. Er is niets opgeslagen."),
    "odata-json, a region code 344 (TypeError)": (
        "odata-json", odata_code_as(344),
        "Bestand odata_85984NED_TypedDataSet.json: rij 5 van 'value', sleutel Codering_3: "
        "een getal waar een regiocode (tekst, zoals GM0344) hoort. Er is niets opgeslagen."),
    "geopackage, cut short (SQLite's English 'database disk image is malformed')": (
        "geopackage", lambda data: data[:16842],
        "Bestand wijkenbuurten_2024_v1.gpkg: de GeoPackage is beschadigd of onvolledig (de opbouw "
        "van de database in het bestand klopt niet). Download de wijk- en buurtkaart opnieuw bij "
        "CBS of PDOK. Er is niets opgeslagen."),
    "geopackage, a geometry of its 4-byte header only (IndexError)": (
        "geopackage", wijk_set("geom = ?", b"GP\x00\x01"),
        "Bestand wijkenbuurten_2024_v1.gpkg: de grens van WK019310 in de laag 'wijken' is niet te "
        "lezen (de geometrie houdt eerder op dan haar opbouw zegt). Download de kaart opnieuw. Er "
        "is niets opgeslagen."),
    "geopackage, a corner at 1e300 (OverflowError when straightening)": (
        "geopackage", wijk_set("geom = ?", corner_blob(1e300)),
        "Bestand wijkenbuurten_2024_v1.gpkg: de grens van WK019310 in de laag 'wijken' is niet te "
        "lezen (een coördinaat is geen eindig getal of veel te groot). Download de kaart opnieuw. "
        "Er is niets opgeslagen."),
    "geopackage, a corner that is NaN": (
        "geopackage", wijk_set("geom = ?", corner_blob(float("nan"))),
        "Bestand wijkenbuurten_2024_v1.gpkg: de grens van WK019310 in de laag 'wijken' is niet te "
        "lezen (een coördinaat is geen eindig getal of veel te groot). Download de kaart opnieuw. "
        "Er is niets opgeslagen."),
    "geopackage, a name that is no UTF-8 (UnicodeDecodeError)": (
        "geopackage", wijk_set("wijknaam = cast(x'ff41' as text)"),
        "Bestand wijkenbuurten_2024_v1.gpkg: de GeoPackage is beschadigd of onvolledig (een tekst "
        "erin is geen UTF-8). Download de wijk- en buurtkaart opnieuw bij CBS of PDOK. Er is niets "
        "opgeslagen."),
    "geopackage, a text where a geometry belongs (TypeError)": (
        "geopackage", wijk_set("geom = ?", ""),
        "Bestand wijkenbuurten_2024_v1.gpkg: de grens van WK019310 in de laag 'wijken' is niet te "
        "lezen (de kolom 'geom' bevat daar een tekst in plaats van een geometrie). Download de "
        "kaart opnieuw. Er is niets opgeslagen."),
    "geopackage, a number where a geometry belongs (ValueError 'negative count', in English)": (
        "geopackage", wijk_set("geom = ?", -1),
        "Bestand wijkenbuurten_2024_v1.gpkg: de grens van WK019310 in de laag 'wijken' is niet te "
        "lezen (de kolom 'geom' bevat daar een getal in plaats van een geometrie). Download de "
        "kaart opnieuw. Er is niets opgeslagen."),
}


@pytest.mark.parametrize("case", list(REGRESSIONS))
def test_a_damage_the_fuzzing_found_is_refused_in_dutch_or_read(sample_copy, tmp_path, case):
    name, damage, said = REGRESSIONS[case]
    kind = KINDS[name]
    path = tmp_path / kind.file_name
    path.write_bytes(damage(kind.build(tmp_path)))
    before = fingerprint(sample_copy)
    if said is None:
        kind.read(sample_copy, path)
        return
    with pytest.raises(InputRefused) as refused:
        kind.read(sample_copy, path)
    assert " ".join(refused.value.messages) == said
    assert fingerprint(sample_copy) == before


# The seeds past MUTATIONS whose mutation found a crash (a longer run found them; each is named
# above as a case of its own too): kept so that the very file that found it is still tried.
FOUND_BY_SEED = [("open-data-zip", 37), ("lrk-xlsx", 120), ("odata-json", 78), ("geopackage", 51), ("geopackage", 75),
                 ("geopackage", 121), ("geopackage", 186)]


@pytest.mark.parametrize(("name", "seed"), FOUND_BY_SEED)
def test_the_mutation_that_found_a_crash_is_read_or_refused_in_dutch(sample_copy, tmp_path, name, seed):
    kind = KINDS[name]
    assert check(sample_copy, kind, tmp_path, *mutated(kind, kind.build(tmp_path), seed)) is None
