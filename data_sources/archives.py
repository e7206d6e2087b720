"""Files inside a zip that a user gave (a CBS download, an LRK export sent on): unpacked with limits."""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

from data_sources import store
from data_sources.errors import InputRefused, refuse_encrypted, refuse_outside, unreadable
from data_sources.workbooks import DAMAGED_ZIP

_CHUNK = 1024 * 1024
# Beside the files of a zip: what a zip program or a download adds (a readme, a licence), not a
# file to read.
ZIP_EXTRAS = (".txt", ".pdf", ".md", ".html", ".htm", ".ds_store")


def data_members(path: Path) -> list[str]:
    """The names of the files in the zip at `path` that are not folders, a Mac's __MACOSX copies
    or ZIP_EXTRAS; [] for a zip that cannot be read (its readers say so in their own words)."""
    try:
        with zipfile.ZipFile(path) as archive:
            return [info.filename for info in archive.infolist() if not info.is_dir()
                    and not info.filename.startswith("__MACOSX/")
                    and not info.filename.lower().endswith(ZIP_EXTRAS)]
    except DAMAGED_ZIP:
        return []


def data_date(path: Path) -> datetime | None:
    """When the data files of the zip at `path` were written (the newest of their dates, as
    data_members picks them): the moment of the CBS download, where the zip's own modification
    date is when it was saved from a mail or uploaded. A zip date has no time zone (read as local
    time, as a file's modification time is) and carries no usable date when a tool zeroed it
    (1980-01-01, or the impossible 1980-00-00), or when it lies in the future; None when no
    member has one (and for a zip that cannot be read). Only ZIP_EXTRAS beside each other (a CSV
    saved as .txt, read as itself): their dates."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except DAMAGED_ZIP:
        return None
    # a zip of only a CSV saved as .txt (read as itself): its date is the data's
    files = [info for info in infos if not info.is_dir() and not info.filename.startswith("__MACOSX/")]
    names = set(data_members(path)) or {info.filename for info in files}
    dates = [date for info in files if info.filename in names
             and (date := _usable_date(info.date_time)) is not None]
    return max(dates, default=None)


# a zip member's date on or before this day is no date: what a tool writes that zeroes it
_NO_DATE_UNTIL = datetime(1980, 1, 2)


def _usable_date(date_time: tuple[int, ...]) -> datetime | None:
    try:
        date = datetime(*date_time)
    except ValueError:  # month or day 0, second 60: a zeroed or damaged date
        return None
    # a day ahead is still the time zone of the one who zipped it; later is a wrong clock
    if date < _NO_DATE_UNTIL or date > datetime.now() + timedelta(days=1):
        return None
    return date


def folder_and_name(member: str) -> tuple[str, str]:
    """The folder ('' at the top of the zip) and the last name of the zip member named `member`;
    a backslash counts as a folder's separator (Windows' own zip tools wrote it so for years)."""
    folder, _, name = member.replace("\\", "/").rpartition("/")
    return folder, name


def _size(max_bytes: int) -> str:
    return f"{max_bytes // 1024 ** 3} GB" if max_bytes >= 1024 ** 3 else f"{max_bytes // 1024 ** 2} MB"


def too_large(file_name: str, member: str | None, max_bytes: int, noun: str) -> InputRefused:
    """The refusal of a packed file (`member` of the zip `file_name`, or the gzip itself) that
    unpacks to more than `max_bytes`; `noun` says what it should have been ('LRK-export')."""
    what = f"{member} pakt" if member else "pakt"
    return InputRefused(f"Bestand {file_name}: {what} uit tot meer dan {_size(max_bytes)}; zo groot "
                        f"leest Kindkaart geen {noun}. Er is niets opgeslagen.")


@contextmanager
def unpacked(path: Path, wanted: Callable[[zipfile.ZipInfo], bool], *, noun: str,
             max_bytes: int) -> Iterator[Path]:
    """A scratch folder holding the files of the zip at `path` that `wanted` picks (the folders
    are left out: a member is there by its own name; a Mac's __MACOSX copies are never unpacked).
    Two picked members with the same name (in different folders of the zip, or twice the same
    path; case aside, as Windows and macOS see a name) are refused naming both: unpacked side by
    side, the one would silently replace the other. Each is counted while it is unpacked (a zip
    may say less than it holds) and refused above `max_bytes`, naming it and `noun`, what the user
    gave ('CBS-bestand', 'LRK-export'); a member locked with a password, a damaged member, a zip
    that cannot be read and one with any member whose name points outside it (a sign of a crafted
    file: errors.refuse_outside) are refused in Dutch as well."""
    try:
        archive = zipfile.ZipFile(path)
        infos = archive.infolist()
        members = [info for info in infos if not info.is_dir()
                   and not info.filename.startswith("__MACOSX/") and wanted(info)]
    except DAMAGED_ZIP as exc:
        raise InputRefused(f"Bestand {path.name}: het zip-bestand is niet te lezen: "
                           f"{unreadable(exc)}. Er is niets opgeslagen.") from None
    with archive, store.scratch_folder() as folder:
        for info in infos:
            refuse_outside(path.name, info)
        _refuse_same_names(path.name, members)
        for info in members:
            if info.file_size > max_bytes:
                raise too_large(path.name, info.filename, max_bytes, noun)
            refuse_encrypted(path.name, info)
            _copy(archive, info, folder / folder_and_name(info.filename)[1], path.name, noun,
                  max_bytes)
        yield folder


def _refuse_same_names(file_name: str, members: list[zipfile.ZipInfo]) -> None:
    # by the name each is unpacked as (unpacked's target), case aside
    seen: dict[str, zipfile.ZipInfo] = {}
    for info in members:
        name = folder_and_name(info.filename)[1]
        first = seen.setdefault(name.casefold(), info)
        if first is info:
            continue
        both = (f"{info.filename} twee keer" if first.filename == info.filename
                else f"twee bestanden met de naam {name}: {first.filename} en {info.filename}")
        raise InputRefused(f"Bestand {file_name}: de zip bevat {both}. Kindkaart pakt de bestanden "
                           "naast elkaar uit, dus het ene zou het andere ongemerkt vervangen. Pak het "
                           "zip-bestand uit en lees het juiste bestand apart in. Er is niets "
                           "opgeslagen.")


def _copy(archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, file_name: str,
          noun: str, max_bytes: int) -> None:
    # only the unpacking is damage: a full disk while writing is the store's to say
    copied = 0
    with target.open("wb") as sink:
        try:
            source = archive.open(info)
        except DAMAGED_ZIP:
            raise _damaged(file_name, info) from None
        with source:
            while True:
                try:
                    chunk = source.read(_CHUNK)
                except DAMAGED_ZIP:
                    raise _damaged(file_name, info) from None
                if not chunk:
                    break
                copied += len(chunk)
                if copied > max_bytes:
                    raise too_large(file_name, info.filename, max_bytes, noun)
                sink.write(chunk)


def _damaged(file_name: str, info: zipfile.ZipInfo) -> InputRefused:
    # zlib's and zipfile's own words (a CRC, 'invalid code') are English
    return InputRefused(f"Bestand {file_name}: {info.filename} in de zip is beschadigd en niet uit "
                        "te pakken (onvolledig gedownload?). Download het bestand opnieuw. Er is "
                        "niets opgeslagen.")
