"""The `python -m data_sources` command line: one module per command in data_sources/commands/."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

import data_sources.commands as commands_package
from data_sources.errors import InputRefused, SourceUnavailable
from data_sources.store import DatabaseRefused

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2


class DutchArgumentParser(argparse.ArgumentParser):
    """argparse with Dutch usage errors (exit code 2)."""

    def error(self, message: str) -> None:  # noqa: D401 - argparse API
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"Fout in de opdracht: {message}\n")


def command_modules() -> list:
    """Every command module, in alphabetical order; each has NAME, HELP, add_arguments and run."""
    modules = []
    for info in pkgutil.iter_modules(commands_package.__path__):
        if not info.name.startswith("_"):
            modules.append(importlib.import_module(f"data_sources.commands.{info.name}"))
    return sorted(modules, key=lambda m: m.NAME)


def build_parser() -> argparse.ArgumentParser:
    """The parser with every command as a subcommand; every command takes --db."""
    parser = DutchArgumentParser(
        prog="python -m data_sources",
        description="Kindkaart: gegevens laden, controleren en exporteren.",
    )
    sub = parser.add_subparsers(dest="command", metavar="OPDRACHT", parser_class=DutchArgumentParser)
    for module in command_modules():
        command = sub.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        command.add_argument(
            "--db", metavar="PAD",
            help="DuckDB-bestand (standaard: $KINDKAART_DB, anders data/kindkaart.duckdb)",
        )
        module.add_arguments(command)
        command.set_defaults(run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the exit code (0 ok, 1 input refused, 2 wrong usage)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        result = args.run(args)
    except DatabaseRefused as refused:
        # the command line may name the file (the app never does)
        for message in refused.messages:
            print(message)
        if refused.path is not None:
            print(f"Database: {refused.path}")
        return EXIT_REFUSED
    except InputRefused as refused:
        for message in refused.messages:
            print(message)
        return EXIT_REFUSED
    except SourceUnavailable as unavailable:
        print(str(unavailable))
        return EXIT_REFUSED
    except KeyboardInterrupt:
        print("Afgebroken.")
        return EXIT_REFUSED
    return EXIT_OK if result is None else int(result)
