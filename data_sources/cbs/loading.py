"""Store CBS tables (kerncijfers wijken en buurten, bevolking naar leeftijd) with provenance."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

import duckdb
import pandas as pd

from data_sources import store
from data_sources.cbs.columns import INDELING_STEM, KWB_STEMS
from data_sources.cbs.odata import (
    CbsTable,
    clean,
    is_unreadable,
    region_figures,
    region_level,
    to_number,
    unreadable_message,
)
from data_sources.errors import InputRefused, WouldEmptyValues
from data_sources.gemeentenamen import bundled_names, gemeente_code_for
from data_sources.offline_boundaries import bundled_region_names
from data_sources.text import straight_apostrophes

# Kerncijfers wijken en buurten: one table per year (check against the CBS catalogue when online).
KERNCIJFERS_TABLES: dict[int, str] = {
    2025: "86165NED",
    2024: "85984NED",
    2023: "85618NED",
    2022: "85318NED",
    2021: "85039NED",
    2020: "84799NED",
    2019: "84583NED",
}
POPULATION_BY_AGE_TABLE = "03759ned"


def kerncijfers_year(table: CbsTable) -> int:
    """The reference year of a kerncijfers table, from its Period or its title."""
    for text in (table.period, table.title):
        match = re.search(r"(19|20)\d{2}", text or "")
        if match:
            return int(match.group(0))
    by_id = {v.upper(): k for k, v in KERNCIJFERS_TABLES.items()}
    if table.table_id.upper() in by_id:
        return by_id[table.table_id.upper()]
    raise InputRefused(f"{table.named()}: het jaar van de tabel is onbekend.")


def new_loads_per_gemeente(
    con: duckdb.DuckDBPyConnection, row_counts: dict[str, int], **provenance
) -> dict[str, int]:
    """One `loads` row per gemeente with the same provenance (source, dataset, table_id, year,
    period, file_name, file_hash, retrieved_at, note), in one statement; gemeente -> load_id."""
    columns = ["source", "dataset", "table_id", "year", "period", "file_name", "file_hash",
               "retrieved_at", "note"]
    unknown = set(provenance) - set(columns)
    if unknown:
        raise ValueError(f"unknown load columns {sorted(unknown)}")
    frame = pd.DataFrame({"gemeente_code": list(row_counts),
                          "row_count": list(row_counts.values())})
    for column in columns:
        frame[column] = provenance.get(column)
    frame["retrieved_at"] = pd.to_datetime(frame["retrieved_at"])
    frame["year"] = frame["year"].astype("Int64")
    con.register("_new_loads", frame)
    rows = con.execute(
        f"insert into loads (gemeente_code, row_count, {', '.join(columns)})"
        f" select gemeente_code, row_count, {', '.join(columns)} from _new_loads"
        " returning gemeente_code, load_id"
    ).fetchall()
    con.unregister("_new_loads")
    return dict(rows)


def kerncijfers_frames(
    table: CbsTable, gemeenten: Iterable[str] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Regions and long-form values of a kerncijfers table, padding stripped, secrets as null.

    regions: year, region_code, region_level, region_name, gemeente_code, wijk_code
    values:  year, region_code, region_level, stem, value
    """
    year = kerncijfers_year(table)
    keys = table.topic_keys()
    code_key = keys.get("Codering")
    name_key = keys.get("Gemeentenaam")
    geo_key = next(iter(table.dimension_keys()), "WijkenEnBuurten")
    geo_titles = table.dimensions.get(geo_key, {})
    numeric = {k: s for k, s in table.numeric_topics().items() if s != "ID"}
    if INDELING_STEM in keys:
        numeric[keys[INDELING_STEM]] = INDELING_STEM  # a text topic in OData ('1   '), read as its number
    wanted = {g.strip().upper() for g in gemeenten} if gemeenten else None

    region_rows, value_rows = [], []
    unreadable: list[str] = []
    for record in table.records:
        dim_value = clean(record.get(geo_key, ""))
        code = clean(record.get(code_key)) if code_key else None
        code = code or dim_value
        level = region_level(code)
        if level is None:
            continue
        gemeente = "GM" + code[2:6]
        if wanted and gemeente not in wanted:
            continue
        name = geo_titles.get(dim_value)
        if name is None and dim_value and dim_value != code:
            name = dim_value  # get_data replaced the code by its title
        if name is None and level == "gemeente" and name_key:
            name = clean(record.get(name_key))
        if not name:
            # Without a dimension file the codes come bare: the bundled 2024 names (wijken from
            # the boundaries, gemeenten from the list) are better than a code on every page.
            name = bundled_region_names().get(code)
        if isinstance(name, str):
            name = straight_apostrophes(name)  # "’s-Hertogenbosch" saved again by Excel
        wijk = "WK" + code[2:8] if level in {"wijk", "buurt"} else None
        region_rows.append((year, code, level, name, gemeente, wijk))
        for _key, topic_stem, number in region_figures(table, record, code, numeric, unreadable):
            value_rows.append((year, code, level, topic_stem, number))
    if unreadable:
        raise InputRefused(unreadable)
    regions = pd.DataFrame(
        region_rows,
        columns=["year", "region_code", "region_level", "region_name", "gemeente_code", "wijk_code"],
    ).drop_duplicates(["year", "region_code"])
    values = pd.DataFrame(value_rows, columns=["year", "region_code", "region_level", "stem", "value"])
    return regions, values


def gemeenten_in_table(table: CbsTable) -> set[str]:
    """The gemeente codes of the regions of a table of values per region (kerncijfers, Nabijheid,
    Jeugdmonitor), from the region codes of its rows."""
    code_key = table.topic_keys().get("Codering")
    geo_key = next(iter(table.dimension_keys()), "WijkenEnBuurten")
    found = set()
    for record in table.records:
        code = (clean(record.get(code_key)) if code_key else None) or clean(record.get(geo_key, ""))
        if isinstance(code, str) and region_level(code):
            found.add("GM" + code[2:6])
    return found


def absent_gemeenten(wanted: Iterable[str], present: Iterable[str]) -> str | None:
    """'GM0363 staat niet in het bestand (wel: GM0193 Zwolle)' for the wanted gemeenten a file
    does not hold, None when it holds them all."""
    present = sorted(set(present) - {NATIONAL_CODE})
    missing = sorted({g.strip().upper() for g in wanted} - set(present))
    if not missing:
        return None
    names = bundled_names()
    shown = ", ".join(f"{code} {names.get(code, '')}".strip() for code in present[:5])
    more = f" en nog {len(present) - 5}" if len(present) > 5 else ""
    holds = f"wel: {shown}{more}" if present else "het bestand heeft geen gemeente"
    subject = missing[0] if len(missing) == 1 else ", ".join(missing[:-1]) + " en " + missing[-1]
    verb = "staat" if len(missing) == 1 else "staan"
    # a file of before a herindeling (Heerhugowaard GM0398 in a kwb of 2021, now Dijk en Waard)
    from data_sources.config import SAMPLE_GEMEENTE_CODE

    former = [code for code in present if code not in names and code != SAMPLE_GEMEENTE_CODE][:5]
    why = (f" {_listed(former)} {'is geen gemeente' if len(former) == 1 else 'zijn geen gemeenten'} "
           "van 2024: het bestand is van vóór een gemeentelijke herindeling en heeft de gemeenten "
           "van toen; lees het in voor die gemeente(n), met hun code.") if former else ""
    return f"{subject} {verb} niet in het bestand ({holds}).{why}"


def _listed(codes: list[str]) -> str:
    return codes[0] if len(codes) == 1 else ", ".join(codes[:-1]) + " en " + codes[-1]


def no_regions_refused(table: CbsTable, file_name: str | None) -> InputRefused:
    """A table without a gemeente, wijk or buurt, named by its file (a StatLine download of
    Nederland alone was 'Tabel statline-2023: geen gemeente, wijk of buurt gevonden'), read for
    a gemeente or not (with one it was 'GM0193 staat niet in het bestand (het bestand heeft
    geen gemeente)')."""
    code_key = table.topic_keys().get("Codering")
    geo_key = next(iter(table.dimension_keys()), "WijkenEnBuurten")
    national = any(str(clean((record.get(code_key) if code_key else None) or record.get(geo_key, ""))
                       ).upper().startswith("NL") for record in table.records)
    return InputRefused(
        (f"Bestand {file_name}" if file_name else f"Tabel {table.table_id}")
        + (": alleen Nederland, geen" if national else ": geen") + " gemeente, wijk of buurt "
        "gevonden. Download de tabel opnieuw met de regio's van uw gemeente (in StatLine bij "
        "'Wijken en buurten' de gemeente en haar wijken). Er is niets opgeslagen.")


def store_kerncijfers(
    con: duckdb.DuckDBPyConnection,
    table: CbsTable,
    *,
    gemeenten: Iterable[str] | None = None,
    source: str = "cbs",
    file_name: str | None = None,
    file_hash: str | None = None,
    retrieved_at: datetime | None = None,
    dataset: str = "kerncijfers",
    replace: bool = False,
) -> list[int]:
    """Store a table of values per region (kerncijfers, or `dataset` nabijheid) per gemeente, one
    load each. It replaces the values of the same dataset, year, gemeenten and region levels;
    other datasets and levels stay. A table that would empty values an earlier load had is
    refused (WouldEmptyValues, naming the columns) unless `replace`. Call inside a transaction.
    Returns the new load ids."""
    regions, values = kerncijfers_frames(table, gemeenten)
    if regions.empty:
        raise no_regions_refused(table, file_name)
    year = int(regions["year"].iloc[0])
    gemeente_of = dict(zip(regions["region_code"], regions["gemeente_code"], strict=True))
    values = values.assign(gemeente_code=values["region_code"].map(gemeente_of))
    con.register("_kerncijfers_regions", regions)
    con.register("_kerncijfers_frame", values)
    # The values this table replaces: the same dataset and year, the regions it has and the other
    # regions of its gemeenten at the levels it has (a wijk gone after a boundary change).
    replaced = """
        select k.region_code, k.stem, k.value, k.load_id
        from raw_cbs__kerncijfers as k
        inner join loads as l on l.load_id = k.load_id and l.dataset = ?
        where k.year = ? and (k.region_code in (select region_code from _kerncijfers_regions)
            or k.region_code in (select r.region_code from regions as r
                                 where r.year = ? and r.gemeente_code in
                                     (select gemeente_code from _kerncijfers_regions)
                                   and r.region_level in
                                     (select distinct region_level from _kerncijfers_regions)))
    """
    if not replace:
        emptied = con.execute(
            f"select old.stem, count(distinct old.region_code), any_value(l.file_name),"
            f" any_value(l.table_id) from ({replaced}) as old"
            " inner join loads as l using (load_id)"
            " left join _kerncijfers_frame as new"
            "   on new.region_code = old.region_code and new.stem = old.stem"
            " where old.value is not null and new.value is null"
            " group by old.stem order by old.stem",
            [dataset, year, year],
        ).fetchall()
        if emptied:
            con.unregister("_kerncijfers_regions")
            con.unregister("_kerncijfers_frame")
            asked = _emptied_message(table, emptied, year, file_name)
            raise WouldEmptyValues(asked + " " + EMPTIED_ON_THE_COMMAND_LINE,
                                   on_page=asked + " " + EMPTIED_ON_THE_PAGE)
    value_counts = values.groupby("gemeente_code").size()
    # One load per gemeente, but bulk statements: a national table has 342 gemeenten and
    # 17,000 regions, and per-gemeente statements would take minutes.
    load_ids = new_loads_per_gemeente(
        con, {g: int(value_counts.get(g, 0)) for g in sorted(regions["gemeente_code"].unique())},
        source=source, dataset=dataset, table_id=table.table_id, year=year,
        period=str(year), file_name=file_name, file_hash=file_hash, retrieved_at=retrieved_at,
        note=table.title,
    )
    regions = regions.assign(load_id=regions["gemeente_code"].map(load_ids))
    values = values.assign(table_id=table.table_id,
                           load_id=values["gemeente_code"].map(load_ids))
    con.unregister("_kerncijfers_regions")
    con.unregister("_kerncijfers_frame")
    con.register("_kerncijfers_regions", regions)
    con.register("_kerncijfers_frame", values)
    con.execute(
        "delete from raw_cbs__kerncijfers where (region_code, stem, load_id) in"
        f" (select region_code, stem, load_id from ({replaced}))",
        [dataset, year, year],
    )
    # Regions: the kerncijfers define a year's regions (a wijk gone after a boundary change goes);
    # other tables only add theirs. A name already known is kept when the table has none.
    old_names = con.execute(
        "select region_code, region_name from regions where year = ? and region_code in"
        " (select region_code from _kerncijfers_regions)", [year]).fetchall()
    if dataset == "kerncijfers":
        con.execute(
            "delete from regions where year = ? and region_code not in"
            " (select region_code from _kerncijfers_regions) and gemeente_code in"
            " (select gemeente_code from _kerncijfers_regions) and region_level in"
            " (select distinct region_level from _kerncijfers_regions)",
            [year],
        )
    con.execute("delete from regions where year = ? and region_code in"
                " (select region_code from _kerncijfers_regions)", [year])
    con.register("_old_region_names", pd.DataFrame(old_names, columns=["region_code", "old_name"],
                                                   dtype=object))
    con.execute(
        "insert into regions (year, region_code, region_level, region_name, gemeente_code,"
        " wijk_code, load_id) select r.year, r.region_code, r.region_level,"
        " coalesce(r.region_name, o.old_name), r.gemeente_code, r.wijk_code, r.load_id"
        " from _kerncijfers_regions as r left join _old_region_names as o using (region_code)"
    )
    con.unregister("_old_region_names")
    con.execute(
        "insert into raw_cbs__kerncijfers (table_id, year, region_code, region_level, stem,"
        " value, load_id) select table_id, year, region_code, region_level, stem, value, load_id"
        " from _kerncijfers_frame"
    )
    con.unregister("_kerncijfers_regions")
    con.unregister("_kerncijfers_frame")
    store.supersede_emptied(con, load_ids, "raw_cbs__kerncijfers", dataset=dataset, year=year)
    return list(load_ids.values())


def _emptied_message(table: CbsTable, emptied: list[tuple], year: int, file_name: str | None) -> str:
    kwb_names = {stem: short for short, stem in KWB_STEMS.items()}
    columns = ", ".join(f"{kwb_names[stem]} ({stem})" if stem in kwb_names else stem
                        for stem, *_ in emptied)
    regions = max(count for _, count, *_ in emptied)
    earlier = next((f or t for _, _, f, t in emptied if f or t), "een eerdere lading")
    return (f"Bestand {file_name or table.table_id}: dit zou waarden van {year} leegmaken die "
            f"{earlier} wel had, in de kolommen {columns} (tot {regions} gebieden). Er is niets "
            "opgeslagen. Is dit bewust (bijvoorbeeld een gecorrigeerde CBS-versie)?")


# How to replace anyway: on the command line, and on the page Gemeente laden (its box to tick)
EMPTIED_ON_THE_COMMAND_LINE = ("Lees het bestand dan opnieuw in met --vervang, of bevestig het "
                               "vervangen op de pagina Gemeente laden.")
EMPTIED_ON_THE_PAGE = ("Vink dan hieronder het vervangen aan en klik nog eens op Bestand "
                       "inlezen.")


_AGE_TITLE = re.compile(r"^(\d+) jaar$")


# 03759ned's region code of Nederland: its ages are the national age profile.
NATIONAL_CODE = "NL01"


def population_by_age_frame(table: CbsTable, gemeenten: Iterable[str] | None = None) -> pd.DataFrame:
    """Single years of age per gemeente and year from 03759ned (totals over sex and marital status).

    Returns columns year, gemeente_code, age, persons: ages 0-14 (the ages of kwb's a_00_14), per
    gemeente and for Nederland (NATIONAL_CODE, the age profile of gemeenten without their own;
    kept whatever `gemeenten` asks). Region names that are no gemeente of 2024 are left out
    (population_by_age_notes says which); a table with only such names is refused.
    """
    return _population_by_age(table, gemeenten)[0]


def population_by_age_notes(table: CbsTable) -> list[str]:
    """Dutch notes on what population_by_age_frame leaves out: region names that are not
    gemeenten of the bundled 2024 list (Heerhugowaard, merged in 2022)."""
    unresolved = _population_by_age(table, None)[1]
    if not unresolved:
        return []
    names = ", ".join(sorted(unresolved))
    return [f"Niet opgeslagen: {names} ({_count(len(unresolved), 'regio', 'regio')}) "
            f"{'is geen gemeente' if len(unresolved) == 1 else 'zijn geen gemeenten'} van de "
            "lijst van 2024 (data_sources/gemeenten_2024.csv), bijvoorbeeld na een "
            "samenvoeging. Download de tabel met regiocodes (GM0193) om ze te bewaren."]


def _count(number: int, one: str, more: str) -> str:
    return f"{number} {one if number == 1 else more}"


def _population_by_age(table: CbsTable, gemeenten: Iterable[str] | None) -> tuple[pd.DataFrame, set[str]]:
    keys = table.topic_keys()
    value_key = keys.get("BevolkingOp1Januari") or next(iter(table.numeric_topics()), None)
    if value_key is None:
        raise InputRefused(f"{table.named()}: kolom BevolkingOp1Januari ontbreekt.")
    wanted = {g.strip().upper() for g in gemeenten} if gemeenten else None

    def title(dimension: str, value: object) -> str:
        value = clean(value) or ""
        return table.dimensions.get(dimension, {}).get(value, value)

    rows = []
    unresolved: set[str] = set()
    # the parts that are no total (Mannen, Ongehuwd): what a file of only those lacks
    parts: dict[str, set[str]] = {"Geslacht": set(), "Burgerlijke staat": set()}
    totals = False
    for record in table.records:
        sex = title("Geslacht", record.get("Geslacht", "Totaal"))
        if "Geslacht" in record and not _is_total(sex):
            parts["Geslacht"].add(str(sex))
            continue
        status = title("BurgerlijkeStaat", record.get("BurgerlijkeStaat", "Totaal"))
        if "BurgerlijkeStaat" in record and not _is_total(status):
            parts["Burgerlijke staat"].add(str(status))
            continue
        totals = True
        age = _age(title("Leeftijd", record.get("Leeftijd")))
        if age is None or age > 14:
            continue
        region_title = clean(record.get("RegioS", ""))
        if region_title == NATIONAL_CODE or region_title.lower() == "nederland":
            region_title = NATIONAL_CODE
        region = (region_title if region_title.startswith("GM") or region_title == NATIONAL_CODE
                  else _region_code_from_title(table, region_title))
        if region is None:
            # A StatLine CSV with titles names regions ("Zwolle (gemeente)"): the bundled list
            # of gemeenten gives the code; provinces and Nederland are not gemeenten.
            region = gemeente_code_for(region_title)
            if region is None:
                if region_title and not _NOT_A_GEMEENTE.search(region_title) \
                        and not _OTHER_REGION_CODE.match(region_title):
                    unresolved.add(region_title)
                continue
        if wanted and region not in wanted and region != NATIONAL_CODE:
            continue
        year_match = re.match(r"(\d{4})", clean(record.get("Perioden", "")))
        if not year_match:
            continue
        persons = to_number(record.get(value_key))
        if is_unreadable(record.get(value_key), persons):
            raise InputRefused(unreadable_message(
                table, f"regio {region}, leeftijd {age}", record.get(value_key)))
        rows.append((int(year_match.group(1)), region, age, persons))
    if not rows and unresolved:
        names = ", ".join(sorted(unresolved)[:5])
        raise InputRefused(f"{table.named()}: de regio's {names} zijn geen gemeenten van de "
                           "lijst van 2024 (data_sources/gemeenten_2024.csv); download de tabel "
                           "met regiocodes (GM0193) of met de gemeentenamen van 2024.")
    if not rows and not totals and any(parts.values()):
        # StatLine selected 'Mannen' or 'Ongehuwd' instead of the totals: refused as having no
        # ages 0-14, which the file had
        said = "; ".join(f"{dimension}: " + ", ".join(f"code {v}" if v.isdigit() else v
                                                      for v in sorted(values)[:4])
                         for dimension, values in parts.items() if values)
        raise InputRefused(f"{table.named()}: het bestand heeft de leeftijden alleen voor "
                           f"een deel van de kinderen ({said}), niet voor het totaal. Kindkaart telt "
                           "alle kinderen: download de tabel opnieuw met bij Geslacht 'Totaal mannen "
                           "en vrouwen' en bij Burgerlijke staat 'Totaal burgerlijke staat'. Er is "
                           "niets opgeslagen.")
    return pd.DataFrame(rows, columns=["year", "gemeente_code", "age", "persons"]), unresolved


# Regions of 03759ned that are not gemeenten: landsdelen, provinces, COROP areas (Nederland is
# NATIONAL_CODE).
_NOT_A_GEMEENTE = re.compile(r"\((PV|LD|CR)\)$", re.IGNORECASE)
# Their codes in a table downloaded with codes (PV23, LD01, CR22).
_OTHER_REGION_CODE = re.compile(r"^(PV|LD|CR)\d{2}$", re.IGNORECASE)


def _is_total(title_or_code: str) -> bool:
    # Titles start with "Totaal"; without the dimension file the code is a total code (T001038).
    return title_or_code.lower().startswith("totaal") or title_or_code.startswith("T00")


# 03759ned Leeftijd codes, for when the dimension file with titles is missing:
# 10010 = 0 jaar, 10100 = 1 jaar, ..., 10000 + 100 * n = n jaar (10000 itself is the total).
_AGE_CODE = re.compile(r"^1(\d{2})00$")


def _age(title_or_code: str) -> int | None:
    match = _AGE_TITLE.match(title_or_code)
    if match:
        return int(match.group(1))
    if title_or_code == "10010":
        return 0
    match = _AGE_CODE.match(title_or_code)
    if match and title_or_code != "10000":
        return int(match.group(1))
    return None


def _region_code_from_title(table: CbsTable, title: str) -> str | None:
    for key, region_title in table.dimensions.get("RegioS", {}).items():
        if region_title == title and key.startswith("GM"):
            return key
    return None


def former_gemeenten(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame) -> dict[str, list[int]]:
    """Gemeente codes of a population_by_age_frame that are no gemeente in their year: not in the
    loaded kerncijfers of that year, nor in the bundled 2024 list (a gemeente merged away in a
    herindeling, GM0398 Heerhugowaard). code -> its years. The sample gemeente is always known."""
    from data_sources.config import SAMPLE_GEMEENTE_CODE

    known: dict[int, set[str]] = {}
    for year, code in con.execute(
            "select distinct year, region_code from regions where region_level = 'gemeente'").fetchall():
        known.setdefault(int(year), set()).add(code)
    current = set(bundled_names()) | {SAMPLE_GEMEENTE_CODE, NATIONAL_CODE}
    former: dict[str, set[int]] = {}
    for year, code in frame[["year", "gemeente_code"]].drop_duplicates().itertuples(index=False):
        if code not in current and code not in known.get(int(year), set()):
            former.setdefault(code, set()).add(int(year))
    return {code: sorted(years) for code, years in sorted(former.items())}


def former_gemeenten_note(table_id: str, former: dict[str, list[int]]) -> str:
    """Dutch: which codes were not stored and why (a herindeling), and what would store them."""
    shown = ", ".join(f"{code} ({', '.join(map(str, years))})" for code, years in list(former.items())[:8])
    more = f" en nog {len(former) - 8}" if len(former) > 8 else ""
    return (f"Tabel {table_id}: niet opgeslagen: {shown}{more}. "
            f"{'Deze code is' if len(former) == 1 else 'Deze codes zijn'} geen gemeente in de geladen "
            "kerncijfers van dat jaar en niet in de gemeentelijst van 2024: een gemeente van vóór een "
            "herindeling, zonder wijken en zonder kaart. Laad eerst de kerncijfers (kwb) van dat jaar "
            "als u die jaren wilt bewaren.")


def store_population_by_age(
    con: duckdb.DuckDBPyConnection,
    table: CbsTable,
    *,
    gemeenten: Iterable[str] | None = None,
    source: str = "cbs",
    file_name: str | None = None,
    file_hash: str | None = None,
    retrieved_at: datetime | None = None,
    notes: list[str] | None = None,
) -> list[int]:
    """Store single years of age per gemeente (03759ned), one load per gemeente, replacing
    earlier loads of that gemeente. Call inside a transaction. Rows of a former gemeente (a code
    neither in the loaded kerncijfers of its year nor in the 2024 list: merged away) are not
    stored, so that it does not become a gemeente without wijken; `notes` gets which."""
    frame = population_by_age_frame(table, gemeenten)
    former = former_gemeenten(con, frame)
    if former:
        frame = frame[~frame["gemeente_code"].isin(former)]
        message = former_gemeenten_note(table.table_id, former)
        if frame.empty or set(frame["gemeente_code"]) <= {NATIONAL_CODE}:
            raise InputRefused(message)
        if notes is not None:
            notes.append(message)
    if frame.empty:
        raise InputRefused(f"{table.named()}: geen leeftijden 0-14 per gemeente of voor "
                           "Nederland gevonden.")
    load_ids = []
    for gemeente, rows in frame.groupby("gemeente_code"):
        years = sorted(rows["year"].unique())
        load_id = store.new_load(
            con, source=source, dataset="bevolking-leeftijd", table_id=table.table_id,
            gemeente_code=gemeente, period=f"{years[0]}-{years[-1]}", file_name=file_name,
            file_hash=file_hash, retrieved_at=retrieved_at, row_count=len(rows), note=table.title,
        )
        con.execute(
            "delete from raw_cbs__population_by_age where gemeente_code = ? and year in "
            "(select unnest(?::integer[]))",
            [gemeente, [int(y) for y in years]],
        )
        con.register("_population_frame", rows.assign(table_id=table.table_id, load_id=load_id))
        con.execute(
            "insert into raw_cbs__population_by_age (table_id, year, gemeente_code, age, persons,"
            " load_id) select table_id, year, gemeente_code, age, persons, load_id"
            " from _population_frame"
        )
        con.unregister("_population_frame")
        # An earlier load stays active while some of its years are still stored.
        con.execute(
            "update loads set status = 'superseded', status_changed_at = current_timestamp"
            " where dataset = 'bevolking-leeftijd' and gemeente_code = ? and status = 'active'"
            " and load_id <> ? and load_id not in"
            " (select distinct load_id from raw_cbs__population_by_age)",
            [gemeente, load_id],
        )
        load_ids.append(load_id)
    return load_ids
