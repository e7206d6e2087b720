"""Store a validated registration in one transaction; a re-upload supersedes the earlier one."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from data_sources import store
from data_sources.errors import InputRefused
from data_sources.registrations import values as v
from data_sources.registrations.schemas import RegistrationType, registration_type
from data_sources.registrations.validate import CheckedUpload, ValidationResult, validate_workbook
from data_sources.text import file_name_shown, normalise

MAX_ORGANISATION_LENGTH = 100


@dataclass
class ImportResult:
    """What an import did: the active load, whether it was new, and what it replaced."""

    load_id: int
    status: str                      # 'imported' | 'identical'
    superseded: list[int] = field(default_factory=list)
    row_count: int = 0
    validation: ValidationResult | None = None
    note: str = ""                   # a Dutch sentence after the summary ('' for none)

    def summary(self, number: Callable[[int], int] | None = None) -> str:
        """One Dutch line for the user; `number`: how an upload is named to this user (a partner:
        its own numbering, history.own_numbers), else by its load_id."""
        name = number or (lambda load_id: load_id)
        if self.status == "identical":
            return (f"Dit bestand is al aangeleverd (upload {name(self.load_id)}); er is niets "
                    "gewijzigd.")
        replaced = (f"; vervangt upload {', '.join(str(name(i)) for i in self.superseded)}"
                    if self.superseded else "")
        rows = "1 rij" if self.row_count == 1 else f"{self.row_count} rijen"
        return (f"Opgeslagen als upload {name(self.load_id)}: {rows}{replaced}."
                + (f" {self.note}" if self.note else ""))


def source_of(rtype: RegistrationType) -> str:
    """The loads.source of uploads of this type."""
    return "brp" if rtype.target == "brp" else "partner"


def check_organisation(organisation: str) -> str:
    """The organisation name, trimmed; raises InputRefused when empty or too long."""
    name = " ".join(str(organisation or "").split())
    if not name:
        raise InputRefused("Geef de naam van de organisatie op die de gegevens aanlevert.")
    if len(name) > MAX_ORGANISATION_LENGTH:
        raise InputRefused(
            f"De naam van de organisatie is langer dan {MAX_ORGANISATION_LENGTH} tekens.")
    return name


def check_period(period: str) -> tuple[str, int]:
    """(cleaned period, reference year); raises InputRefused with the accepted forms, and for a
    period that has not begun: a typo ('2042' for 2024) stored the figures under a year no page
    shows, and they were missing where they belonged."""
    try:
        text, year, _end = v.parse_period(period)
    except v.BadValue as bad:
        raise InputRefused(f"Periode: {bad}.") from None
    if v.period_start(text) > dt.date.today():
        raise InputRefused(
            f"Periode: '{text}' is nog niet begonnen; geef de periode op waarin geteld is "
            f"(bijvoorbeeld {dt.date.today().year - 1} of {dt.date.today().year}).")
    return text, year


def import_workbook(
    con: duckdb.DuckDBPyConnection,
    data: bytes,
    soort: str,
    organisation: str,
    period: str,
    file_name: str,
    loaded_by: str | None = None,
    gemeente_code: str | None = None,
) -> int:
    """Validate and store a workbook in one transaction (or as part of the caller's); returns the
    active load_id. Raises InputRefused with every Dutch message when the file or the arguments
    are refused; the database is then unchanged. The marts are not rebuilt here: the caller
    (data_sources.jobs) does that in the same transaction. See import_workbook_detailed."""
    return import_workbook_detailed(
        con, data, soort, organisation, period, file_name, loaded_by, gemeente_code,
    ).load_id


def import_workbook_detailed(
    con: duckdb.DuckDBPyConnection,
    data: bytes,
    soort: str,
    organisation: str,
    period: str,
    file_name: str,
    loaded_by: str | None = None,
    gemeente_code: str | None = None,
    checked: CheckedUpload | None = None,
) -> ImportResult:
    """Like import_workbook, returning an ImportResult (identical file, superseded uploads).
    `checked`: the check of this file made before (validate.check_upload, the page's check when
    the file went in), used instead of checking it again when nothing it read has changed."""
    rtype = registration_type(soort)
    organisation = check_organisation(organisation)
    store.refuse_other_spelling(con, organisation)
    period, year = check_period(period)
    file_hash = store.file_sha256(data)
    result = checked.reused(con, file_hash, soort, file_name, gemeente_code, period) if checked else None
    if result is None:
        result = validate_workbook(data, soort, con, file_name, gemeente_code, period)
    if not result.ok:
        raise InputRefused(result.message_texts())
    _check_meta(result, organisation, period)
    source = source_of(rtype)
    key = dict(source=source, dataset=rtype.key, gemeente_code=result.gemeente_code,
               organisation=organisation, period=period)
    same = con.execute(
        "select load_id from loads where status = 'active' and file_hash = ? and source = ?"
        " and dataset = ? and gemeente_code = ? and organisation = ? and period = ?",
        [file_hash, *key.values()],
    ).fetchone()
    if same:
        return ImportResult(same[0], "identical", validation=result)
    frame = result.aggregates_df
    with store.transaction(con):
        load_id = store.new_load(
            con, source=source, dataset=rtype.key, table_id=rtype.key,
            gemeente_code=result.gemeente_code, organisation=organisation, period=period,
            year=year, file_name=file_name_shown(file_name), file_hash=file_hash, loaded_by=loaded_by,
            row_count=len(frame), note=_note(result),
        )
        if rtype.target == "brp":
            _insert_brp(con, frame, year, load_id)
        else:
            _insert_partner(con, rtype, frame, load_id)
        # the uploads this one replaces: those it marks (no other status changes in between)
        superseded = set(store.superseded_loads(con, keep_load_id=load_id, **key))
        note = ""
        if rtype.target == "brp":
            # One BRP per gemeente and year: a later extract of the same year replaces every
            # earlier one, also under another period (2024, then 2024-09) or organisation; two
            # extracts of the same children are never added up (stg_brp__population)
            others = con.execute(
                "select string_agg(distinct period, ', ' order by period) from loads"
                " where status = 'active' and load_id <> ? and source = ? and dataset = ?"
                " and gemeente_code is not distinct from ? and year = ? and period <> ?",
                [load_id, source, rtype.key, result.gemeente_code, year, period]).fetchone()[0]
            superseded.update(store.superseded_loads(
                con, keep_load_id=load_id, source=source, dataset=rtype.key,
                gemeente_code=result.gemeente_code, year=year))
            if others:
                note = (f"Deze BRP-telling vervangt de eerdere BRP-telling van {year} (periode "
                        f"{others}): per jaar telt één BRP-levering, de nieuwste; ze worden niet "
                        "opgeteld.")
    return ImportResult(load_id, "imported", sorted(superseded), len(frame), result, note)


def _check_meta(result: ValidationResult, organisation: str, period: str) -> None:
    """A template filled in for another organisation or period is refused, never stored under the
    wrong name: two organisations must never overwrite each other."""
    problems = []
    named = result.meta.get("organisatie")
    if named and normalise(str(named)) != normalise(organisation):
        problems.append(
            f"Blad 'Organisatie': het bestand is ingevuld voor '{v.show(named)}', maar wordt "
            f"aangeleverd als '{organisation}'. Kies de juiste organisatie of pas het blad aan.")
    given = result.meta.get("periode")
    if given not in (None, ""):
        try:
            cleaned = v.parse_period(str(v.cell_text(given)))[0]
        except v.BadValue:
            cleaned = str(given)
        if cleaned != period and isinstance(given, (dt.date, dt.datetime)):
            # Excel made a date of the period, or a date was typed: which period is meant (the
            # year, the quarter, the month) is not for Kindkaart to guess
            problems.append(
                f"Blad 'Organisatie': bij periode staat de datum '{v.show(given)}', geen periode; "
                f"het bestand wordt aangeleverd voor '{period}'. Typ bij periode {period} (als "
                "tekst, bijvoorbeeld 2024, 2024-Q3 of schooljaar 2024-2025) en zet een telmoment "
                "bij peildatum.")
        elif cleaned != period:
            problems.append(
                f"Blad 'Organisatie': het bestand is ingevuld voor periode '{v.show(given)}', "
                f"maar wordt aangeleverd voor '{period}'.")
    if problems:
        raise InputRefused(problems)


def _note(result: ValidationResult) -> str | None:
    parts = [f"{k}: {v.cell_text(result.meta[k])}" for k in ("definitie", "bron", "toelichting")
             if result.meta.get(k)]
    return "; ".join(parts)[:1000] or None


def _json_value(value: object) -> object:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def _insert_partner(con: duckdb.DuckDBPyConnection, rtype: RegistrationType,
                    frame: pd.DataFrame, load_id: int) -> None:
    names = [c.name for c in rtype.stored_columns]
    records = frame.to_dict("records")
    payloads = [json.dumps({n: _json_value(record[n]) for n in names}, ensure_ascii=False)
                for record in records]
    store.insert_frame(con, "raw_partner__registration_rows", pd.DataFrame({
        "load_id": load_id,
        "registration_type": rtype.key,
        "row_number": range(1, len(records) + 1),
        "gemeente_code": [r["gemeente_code"] for r in records],
        "wijk_code": [r["wijk_code"] for r in records],
        "buurt_code": pd.Series([_json_value(r["buurt_code"]) for r in records], dtype=object),
        "payload": payloads,
    }))


def _insert_brp(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, year: int,
                load_id: int) -> None:
    # A postcode or buurt gives a buurt code; a wijk only its wijk code (stg_brp reads both).
    records = frame.to_dict("records")
    store.insert_frame(con, "raw_brp__population", pd.DataFrame({
        "year": year,
        "region_code": [_json_value(r["buurt_code"]) or r["wijk_code"] for r in records],
        "age": [int(r["age"]) for r in records],
        "children": [int(r["children_count"]) for r in records],
        "load_id": load_id,
    }))
