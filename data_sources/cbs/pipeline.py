"""Load everything Kindkaart takes from CBS and PDOK for one, several or all gemeenten."""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

from data_sources import geo, store
from data_sources.cbs import fetch, pdok
from data_sources.cbs.columns import KERNCIJFERS_STEMS
from data_sources.cbs.http import HttpClient, NotFound, Progress, no_progress
from data_sources.cbs.jeugdzorg import JEUGDMONITOR_TABLES, store_jeugdzorg
from data_sources.cbs.loading import (
    KERNCIJFERS_TABLES,
    POPULATION_BY_AGE_TABLE,
    new_loads_per_gemeente,
    store_kerncijfers,
    store_population_by_age,
)
from data_sources.cbs.odata import read_table_dir
from data_sources.config import PROJECT_ROOT, db_path
from data_sources.errors import InputRefused, SourceUnavailable
from data_sources.text import table_shown

GEMEENTE_CODE = re.compile(r"^GM\d{4}$")
# 03759ned: both sexes (T001038), every marital status (T001019); the measure in the v4 API.
POPULATION_TOTALS = "Geslacht eq 'T001038' and BurgerlijkeStaat eq 'T001019'"
POPULATION_V4_MEASURE = "M000352"


def default_cache_dir(database: str | os.PathLike | None = None) -> Path:
    """Where raw CBS/PDOK responses are kept: $KINDKAART_CBS_CACHE, else next to the database."""
    if os.environ.get("KINDKAART_CBS_CACHE"):
        return Path(os.environ["KINDKAART_CBS_CACHE"])
    if str(database) == ":memory:":
        return PROJECT_ROOT / "data" / "cbs_cache"
    return db_path(database).parent / "cbs_cache"


def check_gemeenten(wanted: Iterable[str]) -> list[str]:
    """GM codes of the gemeenten asked for by code ('GM0193', '0193') or by name ('Zwolle',
    "'s-Hertogenbosch"), as `template` and `export` take them; refuses (Dutch, InputRefused) a
    code that is not GM + 4 digits and an unknown or ambiguous name, naming the candidates."""
    from data_sources.gemeentenamen import bundled_names, resolve

    checked, wrong, refusals = [], [], []
    former = False  # a name that is no gemeente of 2024 may be one of before a herindeling
    for text in wanted:
        code = text.strip().upper()
        if re.fullmatch(r"\d{4}", code):
            code = "GM" + code
        if GEMEENTE_CODE.match(code):
            checked.append(code)
        elif re.fullmatch(r"GM[\w ]*", code) or any(ch.isdigit() for ch in code):
            wrong.append(code)  # a mistyped code, not a name
        else:
            try:
                checked.append(resolve(text, bundled_names()))
            except InputRefused as refused:
                refusals.extend(refused.messages)
                former = True
    if wrong:
        refusals.insert(0, f"Onbekende gemeentecode(s): {', '.join(wrong)}. "
                           "Gebruik GM gevolgd door vier cijfers, bijvoorbeeld GM0344, of de naam.")
    if former:
        refusals.append("Namen komen uit de lijst van gemeenten van 2024. Een gemeente van vóór een "
                        "herindeling (zoals Heerhugowaard, sinds 2022 deel van Dijk en Waard) geeft u "
                        "met haar CBS-code, bijvoorbeeld --gemeente GM0398.")
    if refusals:
        raise InputRefused(refusals)
    return sorted(set(checked))


@dataclass
class LoadedTable:
    """One table stored by a run: what, for which year, and how old the data are."""

    table_id: str
    dataset: str
    year: int
    retrieved_at: datetime | None
    from_cache: bool
    load_ids: list[int]


@dataclass
class LoadReport:
    """What a run stored and what it could not (Dutch warnings)."""

    loaded: list[LoadedTable] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class CbsLoader:
    """Fetches (or takes from the cache) and stores CBS and PDOK data for gemeenten and years."""

    con: duckdb.DuckDBPyConnection
    cache_dir: Path
    client: HttpClient = field(default_factory=HttpClient)
    endpoints: fetch.Endpoints = field(default_factory=fetch.Endpoints.from_environment)
    progress: Progress = no_progress
    refresh: bool = False
    offline: bool = False

    @contextmanager
    def _storing(self) -> Iterator[None]:
        """Where one table is stored. Inside the caller's transaction (jobs.load_cbs: every table,
        the marts and the audit line in one) that is all. Alone, a transaction of its own that
        also marks the marts stale, so that they are rebuilt on the next opening
        (store.mark_models_stale)."""
        if store.in_transaction(self.con):
            yield
            return
        with store.transaction(self.con):
            store.mark_models_stale(self.con)
            yield

    def _store_table(self, report, store_table, table_id, dataset, year, gemeenten, directory,
                     meta, cached) -> list[int]:
        # the one way a fetched CBS table is stored (kerncijfers, ages, Jeugdmonitor): read from
        # its directory, stored where _storing says, its loads recorded in the report
        table = _read_cached(directory, table_id)
        retrieved_at = fetch.retrieved_at(meta)
        with self._storing():
            ids = store_table(self.con, table, gemeenten=gemeenten, retrieved_at=retrieved_at)
        report.loaded.append(LoadedTable(table_id, dataset, year, retrieved_at, cached, ids))
        return ids

    def _cached_table(self, table_id: str, key: str, **fetch_args) -> tuple[Path, dict, bool]:
        """A table directory from the cache or freshly fetched; falls back to an older cached
        copy when the source is down (a warning is added by the caller)."""
        directory = Path(self.cache_dir) / "cbs" / table_id / key
        meta = fetch.cached_meta(directory)
        if meta and (self.offline or not self.refresh):
            return directory, meta, True
        if self.offline:
            self.uncached.append(f"CBS-tabel {table_id} ({key}) staat niet in de opgeslagen kopie "
                                 "en er wordt zonder netwerk gewerkt.")
            raise SourceUnavailable(self.uncached[-1])
        try:
            if self.cbs_down:
                # CBS already failed in this run: do not wait for every table's retries again.
                raise SourceUnavailable(self.cbs_down)
            meta = fetch.fetch_table(self.client, self.endpoints, table_id, directory, **fetch_args)
            return directory, meta, False
        except NotFound:
            raise
        except SourceUnavailable as exc:
            self.cbs_down = self.cbs_down or str(exc)
            if meta:
                self.stale.append(
                    f"CBS was niet bereikbaar; voor tabel {table_id} is de opgeslagen kopie van "
                    f"{meta['retrieved_at'][:10]} gebruikt."
                )
                return directory, meta, True
            raise

    def run(self, gemeenten: list[str] | None, years: list[int]) -> LoadReport:
        """Load kerncijfers, ages (03759ned), Jeugdmonitor and geometries for every year.
        gemeenten None means the whole country. Raises SourceUnavailable only when nothing at
        all could be loaded; partial problems become warnings in the report."""
        report = LoadReport()
        self.stale: list[str] = []
        self.cbs_down: str | None = None
        self.uncached: list[str] = []  # offline: what the offline copy lacks (jobs.load_cbs)
        key = _cache_key(gemeenten)
        steps = len(years) * 4
        done = 0
        failures: list[str] = []

        # inside jobs.load_cbs's transaction this pass stores what the fetching pass brought in
        verb = "opslaan" if store.in_transaction(self.con) else "ophalen"

        def step(message: str) -> None:
            nonlocal done
            self.progress(min(done / steps, 1.0), message)
            done += 1

        for year in sorted(years):
            table_id = KERNCIJFERS_TABLES.get(year)
            if table_id is None:
                report.warnings.append(f"Voor {year} is geen tabel Kerncijfers wijken en buurten "
                                       "bekend; dat jaar is overgeslagen.")
                done += 4
                continue
            step(f"Kerncijfers wijken en buurten {year} ({table_id}) {verb}")
            try:
                directory, meta, cached = self._cached_table(
                    table_id, key,
                    data_filter=fetch.region_filter("WijkenEnBuurten", gemeenten),
                    dimension_filters={"WijkenEnBuurten": fetch.region_filter("Key", gemeenten)},
                )
                ids = self._store_table(report, store_kerncijfers, table_id, "kerncijfers", year,
                                        gemeenten, directory, meta, cached)
                self._warn_missing(report, table_id, year, directory, ids)
            except (SourceUnavailable, InputRefused) as exc:
                failures.append(_text(exc))
                report.warnings.append(_text(exc))

            step(f"Bevolking naar leeftijd {year} ({POPULATION_BY_AGE_TABLE}) {verb}")
            self._load_population(report, failures, gemeenten, year, key)

            jeugd_table = JEUGDMONITOR_TABLES.get(year)
            step(f"Jeugdmonitor per wijk {year} {verb}" if jeugd_table else
                 f"Geen Jeugdmonitor-tabel per wijk voor {year}")
            if jeugd_table:
                self._load_jeugdmonitor(report, gemeenten, year, jeugd_table, key)

            step(f"Wijk- en buurtgrenzen {year} (PDOK) {verb}")
            self._load_geometries(report, gemeenten, year)

        report.warnings.extend(self.stale)
        if not report.loaded and failures:
            raise SourceUnavailable(failures[0])
        return report

    def _warn_missing(self, report, table_id, year, directory, load_ids) -> None:
        stems = fetch.topic_stems(directory)
        missing = [s for s in KERNCIJFERS_STEMS if s not in stems]
        if missing:
            report.warnings.append(f"Tabel {table_id} ({year}) heeft geen kolom(men) "
                                   f"{', '.join(missing)}; die cijfers ontbreken voor {year}.")
        if not load_ids:
            report.warnings.append(f"Tabel {table_id} ({year}) bevat geen gegevens voor deze "
                                   "gemeente(n).")

    def _load_population(self, report, failures, gemeenten, year, key) -> None:
        period = f"{year}JJ00"
        if gemeenten:
            regions = " or ".join(f"startswith(RegioS,'{g}')" for g in gemeenten)
            regions_v4 = " or ".join(f"RegioS eq '{g}'" for g in gemeenten)
            region_dim = " or ".join(f"startswith(Key,'{g}')" for g in gemeenten)
        else:
            regions = regions_v4 = "startswith(RegioS,'GM')"
            region_dim = "startswith(Key,'GM')"
        try:
            directory, meta, cached = self._cached_table(
                POPULATION_BY_AGE_TABLE, f"{key}_{year}",
                data_filter=f"{POPULATION_TOTALS} and Perioden eq '{period}' and ({regions})",
                v4_data_filter=(f"Measure eq '{POPULATION_V4_MEASURE}' and {POPULATION_TOTALS}"
                                f" and Perioden eq '{period}' and ({regions_v4})"),
                dimension_filters={"RegioS": region_dim, "Perioden": f"Key eq '{period}'"},
            )
            self._store_table(report, store_population_by_age, POPULATION_BY_AGE_TABLE,
                              "bevolking-leeftijd", year, gemeenten, directory, meta, cached)
        except InputRefused:
            report.warnings.append(
                f"CBS heeft (nog) geen leeftijden per gemeente voor {year} (tabel "
                f"{POPULATION_BY_AGE_TABLE}); de verdeling naar 0-2, 2-4 en 4-12 jaar ontbreekt "
                f"voor {year}.")
        except SourceUnavailable as exc:
            failures.append(_text(exc))
            report.warnings.append(_text(exc))

    def _load_jeugdmonitor(self, report, gemeenten, year, table_id, key) -> None:
        try:
            geo_key = self._geo_key(table_id, key)
            directory, meta, cached = self._cached_table(
                table_id, key,
                data_filter=fetch.region_filter(geo_key, gemeenten),
                dimension_filters={geo_key: fetch.region_filter("Key", gemeenten)},
            )
            self._store_table(report, store_jeugdzorg, table_id, "jeugdzorg-wijk", year,
                              gemeenten, directory, meta, cached)
        except (SourceUnavailable, InputRefused) as exc:
            report.warnings.append(f"Jeugdmonitor per wijk {year} ({table_id}) niet geladen: "
                                   f"{_text(exc)}")

    def _geo_key(self, table_id: str, key: str) -> str:
        """The region dimension of a table whose layout is not fixed (Jeugdmonitor): read from
        its DataProperties before filtering on it; WijkenEnBuurten when that cannot be read."""
        cached = Path(self.cache_dir) / "cbs" / table_id / key / "DataProperties.json"
        try:
            if cached.exists() and not self.refresh:
                props = json.loads(cached.read_text(encoding="utf-8"))
            elif self.offline or self.cbs_down:
                return "WijkenEnBuurten"
            else:
                props = fetch.metadata(self.client, self.endpoints, table_id, "DataProperties")
        except SourceUnavailable:
            return "WijkenEnBuurten"
        return next((p["Key"] for p in props if p.get("Type") in {"GeoDetail", "GeoDimension"}),
                    "WijkenEnBuurten")

    def _load_geometries(self, report, gemeenten, year) -> None:
        features: list[dict] = []
        retrieved = None
        cached_all = True
        try:
            for level in ("gemeente", "wijk", "buurt"):
                if self.offline:
                    path = Path(self.cache_dir) / "pdok" / f"{level}_{year}.geojson"
                    if not path.exists():
                        self.uncached.append(f"Geen opgeslagen {level}grenzen voor {year}.")
                        raise SourceUnavailable(self.uncached[-1])
                collection, retrieved, cached = pdok.fetch_layer_cached(
                    self.client, self.endpoints, self.cache_dir, year, level,
                    refresh=self.refresh and not self.offline,
                    # pages within one layer: a message, the overall fraction stays
                    progress=lambda _fraction, message: self.progress(None, message),
                )
                cached_all = cached_all and cached
                features += pdok.features_of(collection, gemeenten)
        except SourceUnavailable as exc:
            report.warnings.append(f"Grenzen {year} niet geladen; de kaart blijft leeg waar ze "
                                   f"ontbreken. {_text(exc)}")
            return
        shapeless = pdok.shapeless_codes(features)
        if shapeless:
            more = f" en nog {len(shapeless) - 10}" if len(shapeless) > 10 else ""
            has, stands = ("heeft", "staat") if len(shapeless) == 1 else ("hebben", "staan")
            report.warnings.append(
                f"Grenzen {year}: {len(shapeless)} gebied(en) ({', '.join(shapeless[:10])}{more}) "
                f"{has} bij PDOK geen vlak (geometrie leeg) en {stands} niet op de kaart; de "
                "andere grenzen zijn opgeslagen.")
        fix = ("Een herstelde grens (uit de wijk- en buurtkaart, of hersteld in een "
               "GIS-programma) leest u in met CBS-bestand inlezen of import-cbs.")
        report.warnings += [f"Grenzen {year}: {note}" for note in
                            geo.crossing_notes(geo.crossing_codes(features), " bij PDOK", fix)]
        with self._storing():
            ids = store_geometries(self.con, features, year=year, retrieved_at=retrieved)
        if ids:
            report.loaded.append(LoadedTable("pdok-gebiedsindelingen", "geometrie", year,
                                             retrieved, cached_all, ids))


def store_geometries(
    con: duckdb.DuckDBPyConnection,
    features: list[dict],
    *,
    year: int,
    retrieved_at: datetime | None = None,
    file_name: str | None = None,
    file_hash: str | None = None,
) -> list[int]:
    """Store PDOK polygons of every level in one transaction, one load per gemeente (as
    data_sources.geo.store_geometries records it), replacing the same regions of that year and
    superseding the gemeente's earlier PDOK load. Returns the load ids."""
    frame = geo.features_frame({"type": "FeatureCollection", "features": features})
    if frame.empty:
        return []
    frame["gemeente_code"] = "GM" + frame["region_code"].str[2:6]
    with store.transaction(con):
        # Bulk statements: a national layer has 342 gemeenten and 17,000 polygons.
        load_ids = new_loads_per_gemeente(
            con, frame.groupby("gemeente_code").size().astype(int).to_dict(), source="pdok",
            dataset="geometrie", table_id="cbs-gebiedsindelingen", year=year, period=str(year),
            retrieved_at=retrieved_at,
            file_name=file_name, file_hash=file_hash,
        )
        frame["load_id"] = frame["gemeente_code"].map(load_ids)
        frame["year"] = year
        con.register("_pdok_frame", frame)
        con.execute("delete from geometries where year = ? and region_code in"
                    " (select region_code from _pdok_frame)", [year])
        con.execute("insert into geometries (year, region_code, region_level, geometry_json,"
                    " load_id) select year, region_code, region_level, geometry_json, load_id"
                    " from _pdok_frame")
        con.unregister("_pdok_frame")
        # Gemeente outlines replace gemeente outlines, not the wijk boundaries of the same year.
        store.supersede_emptied(con, load_ids, "geometries", source="pdok", dataset="geometrie",
                                year=year)
    return list(load_ids.values())


def _read_cached(directory: Path, table_id: str):
    """A fetched table from its copy in the cache; a copy that cannot be read is named as the
    table it is a copy of, not by the cache's folder (a path on the server), with what to do."""
    try:
        return read_table_dir(directory, copy_of=table_id)
    except InputRefused as refused:
        raise InputRefused([*refused.messages,
                            "Haal de tabel opnieuw op: Vernieuwen bij CBS op de pagina Gemeente "
                            "laden, of met python -m data_sources load-cbs --vernieuw."]) from None


def _cache_key(gemeenten: list[str] | None) -> str:
    if not gemeenten:
        return "alle"
    if len(gemeenten) <= 5:
        return "_".join(gemeenten)
    digest = hashlib.sha256(",".join(gemeenten).encode()).hexdigest()[:12]
    return f"{len(gemeenten)}-gemeenten-{digest}"


def _text(exc: Exception) -> str:
    if isinstance(exc, InputRefused):
        return " ".join(exc.messages)
    return str(exc)


def data_dates(con: duckdb.DuckDBPyConnection, gemeente_code: str) -> list[tuple]:
    """Per table and year the active CBS/PDOK loads of a gemeente: (source, dataset, table,
    year, retrieved_at, loaded_at), newest year first. `table` as data_sources.text.table_shown
    names it, of the file or folder loaded last."""
    rows = con.execute(
        "select source, dataset, table_id, coalesce(year, try_cast(split_part(period, '-', 2)"
        " as integer)) as year, max(retrieved_at), max(loaded_at),"
        " arg_max(file_name, loaded_at) from loads"
        " where gemeente_code = ? and status = 'active' and source in ('cbs', 'pdok')"
        " group by all order by year desc nulls last, dataset",
        [gemeente_code],
    ).fetchall()
    return [(source, dataset, table_shown(dataset, table_id, file_name), year, retrieved, loaded)
            for source, dataset, table_id, year, retrieved, loaded, file_name in rows]
