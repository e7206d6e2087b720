"""`scenario`: list, show and export the Planvorming scenarios (plan as .xlsx or .html)."""

from __future__ import annotations

import argparse
from pathlib import Path

from data_sources import store
from data_sources.commands._gemeente import choose, loaded_gemeenten
from data_sources.commands.export import log_export
from data_sources.config import LOAD_HINT, db_path
from data_sources.errors import InputRefused
from data_sources.gemeentenamen import label
from outputs.files import write_whole

NAME = "scenario"
HELP = ("Scenario's voor de Planvorming: 'list' toont ze (één per regel, id eerst), 'show ID' de "
        "kerncijfers per verzorgingsgebied, 'export ID -o BESTAND' het plan als Excel (.xlsx) of "
        "afdrukbare pagina (.html).")
SUFFIXES = (".xlsx", ".html", ".htm")


def add_arguments(parser) -> None:
    actions = parser.add_subparsers(dest="actie", metavar="ACTIE", required=True)
    listing = actions.add_parser("list", help="toon alle scenario's, één per regel, id eerst",
                                 description="Toon alle scenario's, één per regel, id eerst.")
    listing.add_argument("--gemeente", metavar="NAAM of GMxxxx",
                         help="alleen de scenario's van deze gemeente (naam of code)")
    show = actions.add_parser("show", help="toon de keuzes en kerncijfers van één scenario",
                              description="Toon de keuzes en kerncijfers van één scenario.")
    show.add_argument("id", type=int, metavar="ID", help="het id uit 'scenario list'")
    export = actions.add_parser("export", help="schrijf het plan van één scenario naar .xlsx of .html",
                                description="Schrijf het plan van één scenario naar Excel (.xlsx) of "
                                            "een afdrukbare pagina (.html), met alle aannames en bronnen.")
    export.add_argument("id", type=int, metavar="ID", help="het id uit 'scenario list'")
    export.add_argument("-o", "--output", required=True, metavar="BESTAND",
                        help="doelbestand; de extensie kiest de vorm: .xlsx of .html")
    for action in (listing, show, export):
        # --db also after the action (`scenario list --db PAD`), without hiding one given before it
        action.add_argument("--db", metavar="PAD", default=argparse.SUPPRESS,
                            help="DuckDB-bestand (standaard: $KINDKAART_DB, anders data/kindkaart.duckdb)")


def _open(args):
    database = db_path(args.db)
    if not database.exists():
        raise InputRefused([f"De database {database} bestaat niet. {LOAD_HINT}"])
    con = store.connect(database, read_only=True)
    if not con.execute("select count(*) from duckdb_tables() where table_name = 'scenarios'").fetchone()[0]:
        con.close()
        raise InputRefused([f"De database {database} kent nog geen scenario's: open hem eenmaal met de "
                            "app of een opdracht die schrijft (bijvoorbeeld `init`), dan wordt hij "
                            "bijgewerkt."])
    return con


def _scenario(con, scenario_id: int):
    from transforms import scenarios

    found = scenarios.load_scenario(con, scenario_id)
    if found is None:
        known = ", ".join(str(s.scenario_id) for s in scenarios.list_scenarios(con)) or "geen"
        raise InputRefused([f"Scenario {scenario_id} bestaat niet. Bekend: {known}."])
    return found


def run(args) -> int:
    from outputs import exports, plan
    from transforms import scenarios
    from transforms.labels import on_the_pages

    if args.actie == "export":
        output = Path(args.output)
        if output.suffix.lower() not in SUFFIXES:
            raise InputRefused([f"Onbekende bestandsvorm '{output.suffix or '(geen extensie)'}' in "
                                f"{output}: kies .xlsx of .html."])
        # where nothing can be written (no folder, /proc, no rights): refused before any work
        store.check_output(args.output, "Er is niets geschreven.", database=db_path(args.db))
    con = _open(args)
    try:
        if args.actie == "list":
            gemeenten = loaded_gemeenten(con)
            found = scenarios.list_scenarios(con, choose(con, args.gemeente, gemeenten)
                                             if args.gemeente else None)
            if not found:
                print("Er zijn nog geen scenario's.")
                return 0
            fingerprints = {}
            for s in found:
                fingerprint = fingerprints.setdefault(
                    s.gemeente_code, scenarios.input_fingerprint(con, s.gemeente_code))
                print(f"{s.scenario_id}\t{s.name}\t{label(s.gemeente_code, gemeenten)}\t{s.year}\t{s.perspective}\t"
                      f"{s.horizon} jaar\t{scenarios.status(con, s, fingerprint)}")
            return 0
        scenario = _scenario(con, args.id)
        inputs = scenarios.plan_inputs(con, scenario.gemeente_code, scenario.year)
        if missing := scenarios.population_missing(con, scenario.gemeente_code, scenario.year,
                                                   exports.gemeente_name(con, scenario.gemeente_code),
                                                   inputs, where=on_the_pages):
            raise InputRefused([f"Scenario {scenario.scenario_id} ({scenario.name}) is niet te berekenen. "
                                f"{missing}" + (" Er is niets geschreven." if args.actie == "export" else "")])
        computed = scenarios.compute(con, scenario, inputs)
        status = scenarios.status(con, scenario)
        if args.actie == "show":
            lines = plan.summary_lines(computed, status)
            # the gemeente by name (a sample one marked fictief), not its bare code
            lines[0] = lines[0].replace(f"({scenario.gemeente_code}, ",
                                        f"({label(scenario.gemeente_code, loaded_gemeenten(con))}, ", 1)
            for line in lines:
                print(line)
            return 0
        name = exports.gemeente_name(con, scenario.gemeente_code)
        tariffs = scenarios.list_tariffs(con, scenario.gemeente_code)
        if output.suffix.lower() == ".xlsx":
            data = plan.plan_workbook(computed, name, tariffs, inputs, status)
        else:
            data = plan.plan_html(computed, name, tariffs, inputs, status).encode("utf-8")
    finally:
        con.close()
    written = f"Geschreven: {output} (scenario {scenario.scenario_id}: {scenario.name})."
    database = db_path(args.db)
    if not store.writable(database):
        # a read-only database (a mount, permissions) takes no audit line; the plan is written
        write_whole(output, data)
        print(f"{written} De database is alleen te lezen: deze export staat niet in het logboek.")
        return 0
    # its audit line before the file takes its place, as `export` does
    write_whole(output, data, before_placing=lambda: log_export(
        database, f"{output.name} (scenario {scenario.scenario_id}, {scenario.gemeente_code}, {scenario.year})",
        [scenario.gemeente_code]))
    print(written)
    return 0
