"""The notes and comments in a partner workbook, per sheet and cell.

Excel keeps a note ('Notitie') in a comments part beside its sheet (xl/comments1.xml) and a
comment in a conversation ('Opmerking', Excel 365) in a threadedComments part. Kindkaart counts
neither, but a partner may have typed a child's name, birth date or BSN in one: the upload check
reads them like any other text (validate._personal_in_comments). The workbook has been checked as
a whole before (reading.survey_workbook: size, parts, zip bombs), so the parts are small."""

from __future__ import annotations

import io
import posixpath
import re
import xml.etree.ElementTree as ElementTree
import zipfile
from dataclasses import dataclass

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from data_sources.workbooks import DAMAGED_ZIP, ooxml_text, sheet_names

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_THREADED = "{http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments}"
_NOTE_TYPE = "/comments"
_THREADED_TYPE = "/threadedComment"
_CELL = re.compile(r"^([A-Z]{1,3})([0-9]{1,7})$")


@dataclass(frozen=True)
class CellComment:
    sheet: str
    row: int
    column: int
    text: str


def workbook_comments(data: bytes) -> list[CellComment]:
    """Every note and threaded comment of the workbook with its sheet and cell; the author's
    name that Excel puts in bold before a note's text ('Piet Jansen:') is left off: it names
    the partner's employee who wrote it, as the document's author does. An unreadable part is
    skipped (the workbook reader refuses a damaged file by itself); a part with a DTD or entities
    raises DefusedXmlException."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if not any(_is_comment_part(name) for name in names):
                return []  # most workbooks: nothing more to read
            found = []
            for part, sheet in sheet_names(archive).items():
                for target, kind in _related(archive, names, part):
                    if kind.endswith(_NOTE_TYPE):
                        found += _notes(archive, target, sheet)
                    elif kind.endswith(_THREADED_TYPE):
                        found += _threaded(archive, target, sheet)
            return found
    except DefusedXmlException:
        raise  # a ValueError too, but no damage to pass over
    except (KeyError, ElementTree.ParseError, *DAMAGED_ZIP):
        return []


def _is_comment_part(name: str) -> bool:
    base = posixpath.basename(name).lower()
    return base.startswith(("comment", "threadedcomment")) and base.endswith(".xml")


def _parse(archive: zipfile.ZipFile, name: str) -> ElementTree.Element:
    """A part, without DTD or entities (defusedxml raises DefusedXmlException): check_zip looks
    for them too, this holds wherever a part hides one."""
    return fromstring(archive.read(name), forbid_dtd=True)


def _relationships(archive: zipfile.ZipFile, names: set[str], part: str) -> list[tuple[str, str]]:
    folder, base = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", base + ".rels")
    if rels not in names:
        return []
    found = []
    for rel in _parse(archive, rels).iter(f"{_RELS}Relationship"):
        target = rel.get("Target", "")
        if rel.get("TargetMode") == "External" or not target:
            continue
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
            posixpath.join(folder, target))
        found.append((path, rel.get("Type", "")))
    return found


def _related(archive: zipfile.ZipFile, names: set[str], part: str) -> list[tuple[str, str]]:
    return [(target, kind) for target, kind in _relationships(archive, names, part) if target in names]


def _cell(ref: str | None) -> tuple[int, int] | None:
    match = _CELL.match((ref or "").upper())
    if not match:
        return None
    column = 0
    for letter in match.group(1):
        column = column * 26 + ord(letter) - 64
    return int(match.group(2)), column


def _notes(archive: zipfile.ZipFile, part: str, sheet: str) -> list[CellComment]:
    root = _parse(archive, part)
    authors = [(a.text or "").strip() for a in root.iter(f"{_MAIN}author")]
    found = []
    for comment in root.iter(f"{_MAIN}comment"):
        place = _cell(comment.get("ref"))
        text_element = comment.find(f"{_MAIN}text")
        if place is None or text_element is None:
            continue
        # a note's text is written as a cell's is: _x000D_ for a carriage return (ooxml_text)
        runs = [ooxml_text(t.text or "") for t in text_element.iter(f"{_MAIN}t")]
        author_id = comment.get("authorId", "")
        author = authors[int(author_id)] if author_id.isdecimal() and int(author_id) < len(authors) else ""
        if runs and author and runs[0].strip() == f"{author}:":
            runs = runs[1:]  # Excel's bold 'Author:' before the note
        text = "".join(runs).strip()
        if text:
            found.append(CellComment(sheet, *place, text))
    return found


def _threaded(archive: zipfile.ZipFile, part: str, sheet: str) -> list[CellComment]:
    found = []
    for comment in _parse(archive, part).iter(f"{_THREADED}threadedComment"):
        place = _cell(comment.get("ref"))
        text_element = comment.find(f"{_THREADED}text")
        # written as a note's text is (_x000D_, ooxml_text)
        text = ooxml_text(text_element.text or "").strip() if text_element is not None else ""
        if place is None or not text:
            continue
        found.append(CellComment(sheet, *place, text))
    return found
