"""`export`: write the workbook (.xlsx), a table (.csv) or the report/factsheet (.html) of a gemeente."""

from __future__ import annotations

import datetime
from pathlib import Path

from data_sources import accounts, store
from data_sources.commands._registration_args import year
from data_sources.config import LOAD_HINT, db_path
from data_sources.errors import InputRefused

NAME = "export"
HELP = ("Schrijf de tabellen van een gemeente en jaar naar Excel (.xlsx) of CSV (.csv), of het "
        "gemeenterapport / een wijkfactsheet (.html), met dezelfde afscherming als op het scherm.")
SUFFIXES = (".xlsx", ".csv", ".html", ".htm")


def add_arguments(parser) -> None:
    parser.add_argument("-o", "--output", required=True, metavar="BESTAND",
                        help="doelbestand; de extensie kiest de vorm: .xlsx, .csv of .html")
    parser.add_argument("--gemeente", metavar="NAAM of GMxxxx",
                        help="gemeentenaam of -code (nodig als er meer gemeenten geladen zijn)")
    parser.add_argument("--jaar", type=year, metavar="JAAR",
                        help="jaar (standaard het nieuwste met gegevens van de gemeente)")
    parser.add_argument("--wijk", metavar="WKxxxxxx", help="met .html: de factsheet van deze wijk")


def _choose_gemeente(con, wanted: str | None, year: int | None) -> str:
    from data_sources.commands import _gemeente
    from outputs import exports

    loaded = _gemeente.loaded_gemeenten(con)
    if not loaded:
        raise InputRefused([f"Er zijn nog geen gegevens geladen; er valt niets te exporteren. {LOAD_HINT}"])
    # by name or code; of several gemeenten loaded none is picked silently
    code = _gemeente.choose(con, wanted, loaded)
    with_children = {c for (c,) in con.execute(
        "select distinct gemeente_code from population_by_wijk_age").fetchall()}
    if code in with_children:
        return code
    # No children for the gemeente: a gemeente loaded from CBS without the ages (kwb column
    # a_00_14) is told what is missing and where to load it, as on its pages.
    raise InputRefused([exports.population_missing(con, code, year or _newest_year(con, code))
                        + " Er valt voor deze gemeente nog niets te exporteren."])


def _newest_year(con, gemeente_code: str) -> int:
    # the newest year of the gemeente's regions (kwb) or loads, as the app's year choice
    [(year,)] = con.execute(
        "select max(year) from (select year from regions where gemeente_code = ?"
        " union select year from loads where gemeente_code = ? and status = 'active')",
        [gemeente_code, gemeente_code]).fetchall()
    return int(year) if year is not None else datetime.date.today().year


def _ensure_current_models(database) -> None:
    # As the app does on opening: never export marts made by other rules, or none at all (a
    # database migrated but never built). The rebuild is a write, so only when it is needed.
    import transforms

    # A mart or view dropped since (by hand, by another program) counts as not current too: it
    # is built again, not read as missing (transforms.missing_models).
    con = store.connect(database, read_only=True)
    try:
        current = transforms.up_to_date(con)
        missing = [] if current else transforms.missing_models(con)
    finally:
        con.close()
    if current:
        return
    if not store.writable(database):
        what = (f"In deze database ontbreken tabellen die Kindkaart bouwt ({_listed(missing)})"
                if missing else "De tabellen van deze database zijn niet gebouwd met deze versie van "
                "Kindkaart")
        raise InputRefused([f"{what}, en de database is alleen te lezen, dus Kindkaart kan ze niet "
                            "opnieuw bouwen. Er is niets geschreven. Bouw ze met schrijfrechten "
                            "opnieuw (`python -m data_sources init`, zonder --sample: de gegevens "
                            "blijven) en exporteer daarna."])
    from data_sources import jobs

    con = store.connect(database, create=False)
    try:
        jobs.ensure_current_models(con, "opdrachtregel")
    finally:
        con.close()


def _listed(names: list[str]) -> str:
    return ", ".join(names[:3]) + (f" en nog {len(names) - 3}" if len(names) > 3 else "")


def run(args) -> int:
    from data_sources.commands._gemeente import loaded_gemeenten
    from data_sources.gemeentenamen import label
    from outputs import exports, files

    output = Path(args.output)
    if output.suffix.lower() not in SUFFIXES:
        raise InputRefused([f"Onbekende bestandsvorm '{output.suffix or '(geen extensie)'}' in {output}: "
                            "kies .xlsx, .csv of .html."])
    if args.wijk is not None and not args.wijk.strip():
        # an empty --wijk wrote the gemeente report, as if no factsheet had been asked for
        raise InputRefused(["--wijk is leeg: geef de code van de wijk, bijvoorbeeld WK019301. Er is "
                            "niets geschreven."])
    if args.wijk and output.suffix.lower() not in (".html", ".htm"):
        raise InputRefused(["--wijk hoort bij een factsheet: kies een .html-bestand."])
    database = db_path(args.db)
    if not database.exists():
        raise InputRefused([f"De database {database} bestaat niet. {LOAD_HINT}"])
    # where nothing can be written (no folder, /proc, no rights): refused before any work
    store.check_output(args.output, "Er is niets geschreven.", database=database)
    _ensure_current_models(database)
    con = store.connect(database, read_only=True)
    try:
        gemeente_code = _choose_gemeente(con, args.gemeente, args.jaar)
        years = exports.years(con, gemeente_code)
        year = args.jaar if args.jaar is not None else years[-1]
        if year not in years:
            raise InputRefused([f"{exports.population_missing(con, gemeente_code, year)} Met kinderen per wijk "
                                f"geladen: {', '.join(map(str, years))}."])
        wijk_code = None
        if args.wijk:
            wijk_code = args.wijk.strip().upper()
            known = exports.wijken(con, gemeente_code, year)
            if wijk_code not in known and wijk_code in (secret := exports.unknown_wijken(con, gemeente_code, year)):
                raise InputRefused([
                    f"Voor {secret[wijk_code]} ({wijk_code}) in {year} houdt CBS het aantal kinderen van 0 tot "
                    "15 jaar geheim ('.' in de kerncijfers: kwb-kolom a_00_14, in StatLine '0 tot 15 jaar'): er is "
                    "geen factsheet met cijfers te maken. Lever de BRP-telling per wijk aan op de pagina "
                    "Aanleveren (soort bevolking). "
                    "Er is niets geschreven."])
            if wijk_code not in known:
                raise InputRefused([f"Wijk {wijk_code} hoort niet bij {gemeente_code} in {year}. "
                                    f"Bekend: {', '.join(known)}."])
        data = files.export_bytes(con, output, gemeente_code, year, wijk_code)
        # 'Bergen (L.) (GM0893), 2024': the gemeente by name, as the other commands say it
        what = f"{label(gemeente_code, loaded_gemeenten(con))}, {year}" + (
            f", {known[wijk_code]} ({wijk_code})" if wijk_code else "")
    finally:
        con.close()
    if not store.writable(database):
        # a read-only database (a mount, permissions) takes no audit line; the export is written
        files.write_whole(output, data)
        print(f"Geschreven: {output} ({what}). De database is alleen te lezen: deze "
              "export staat niet in het logboek.")
        return 0
    files.write_whole(output, data, before_placing=lambda: log_export(
        database, f"{output.name} ({gemeente_code}, {year}{', ' + wijk_code if wijk_code else ''})",
        [gemeente_code]))
    print(f"Geschreven: {output} ({what}).")
    return 0


def log_export(database: Path, detail: str, gemeenten: list[str]) -> None:
    """The audit line of an export made on the command line: one short write of its own (the
    export was made read-only, beside other readers), committed once the file is complete and
    before it takes its place (outputs.files.write_whole): killed in between, a line without a
    file (its scratch the next export of that name removes), never a file without its line; a
    database in use for longer than others wait for it leaves no file."""
    con = store.connect(database, create=False)
    try:
        with store.transaction(con):
            accounts.audit(con, "opdrachtregel", "export", detail, gemeenten)
    finally:
        con.close()
