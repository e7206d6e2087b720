"""The `python -m data_sources` command line: one module per command in data_sources/commands/."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import logging
import os
import pkgutil
import sys

import duckdb

import data_sources.commands as commands_package
from data_sources.config import db_path
from data_sources.errors import InputRefused, SourceUnavailable
from data_sources.store import (
    DAMAGED_MESSAGE,
    DatabaseRefused,
    check_path,
    connect,
    is_damage,
    is_interrupt,
    os_reason,
    schema_differences,
    schema_refused,
    write_failure_reason,
    write_refused,
)
from data_sources.text import storable

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2
INTERRUPTED = "Afgebroken."

# argparse's own texts, keyed by the message ids it passes to gettext (as in Python 3.11). An id
# a later Python adds stays English; tests/test_cli.py checks the common ones in a real run.
ARGPARSE_DUTCH = {
    "usage: ": "gebruik: ",
    "positional arguments": "argumenten",
    "options": "opties",
    "show this help message and exit": "toon deze hulp en stop",
    "the following arguments are required: %s": "deze argumenten ontbreken: %s",
    "unrecognized arguments: %s": "onbekende argumenten: %s",
    "argument %(argument_name)s: %(message)s": "argument %(argument_name)s: %(message)s",
    "invalid choice: %(value)r (choose from %(choices)s)":
        "ongeldige keuze: %(value)r (kies uit %(choices)s)",
    "invalid %(type)s value: %(value)r": "ongeldige waarde: %(value)r",
    "expected one argument": "verwacht één waarde",
    "expected at most one argument": "verwacht hoogstens één waarde",
    "expected at least one argument": "verwacht minstens één waarde",
    "expected %s argument": "verwacht %s waarde",
    "expected %s arguments": "verwacht %s waarden",
    "ambiguous option: %(option)s could match %(matches)s":
        "dubbelzinnige optie: %(option)s kan %(matches)s zijn",
    "one of the arguments %s is required": "een van de argumenten %s is verplicht",
    "not allowed with argument %s": "niet toegestaan samen met argument %s",
    "ignored explicit argument %r": "overbodige waarde %r",
    "unexpected option string: %s": "onverwachte optie: %s",
}


@contextlib.contextmanager
def _argparse_in_dutch():
    # argparse looks each text up through its module's `_` and `ngettext` at the moment it needs
    # it, and Python ships no Dutch catalogue; swapping the two only while our parser works
    # leaves every other argparse user in the process (pytest, streamlit) in English.
    saved = argparse._, argparse.ngettext
    argparse._ = lambda message: ARGPARSE_DUTCH.get(message, message)
    argparse.ngettext = lambda singular, plural, n: ARGPARSE_DUTCH.get(
        singular if n == 1 else plural, singular if n == 1 else plural)
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved


class DutchArgumentParser(argparse.ArgumentParser):
    """argparse speaking Dutch: usage, help, group titles and errors (exit code 2)."""

    def __init__(self, *args, **kwargs) -> None:
        with _argparse_in_dutch():
            super().__init__(*args, **kwargs)

    def parse_args(self, args=None, namespace=None):
        with _argparse_in_dutch():
            return super().parse_args(args, namespace)

    def parse_known_args(self, args=None, namespace=None):
        with _argparse_in_dutch():
            return super().parse_known_args(args, namespace)

    def format_usage(self) -> str:
        with _argparse_in_dutch():
            return super().format_usage()

    def format_help(self) -> str:
        with _argparse_in_dutch():
            return super().format_help()

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


class _MessageOnly(logging.Formatter):
    """Log lines on the command line without a traceback: the Dutch refusal already says what
    went wrong. With KINDKAART_DEBUG=1 the traceback is printed too (for the beheerder)."""

    def format(self, record: logging.LogRecord) -> str:
        if os.environ.get("KINDKAART_DEBUG") != "1":
            record = logging.makeLogRecord({**record.__dict__, "exc_info": None, "exc_text": None})
        return super().format(record)


def _log_messages_only() -> None:
    root = logging.getLogger()
    if not root.handlers:  # a caller (a test, an embedding program) that set up logging decides
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(_MessageOnly("%(message)s"))
        root.addHandler(handler)
        root.setLevel(logging.WARNING)


class OutputFailed(BaseException):
    """Writing the command's own report to stdout failed (`> uit.txt` on a full disk, /dev/full):
    not its work. A BaseException, as KeyboardInterrupt, so that no handler on the way takes it
    for a database or file that cannot be written ("Er is niets gewijzigd" after a commit)."""

    def __init__(self, error: OSError) -> None:
        super().__init__(error)
        self.error = error


class _GuardedStdout:
    """sys.stdout whose write errors (but a closed pipe) become OutputFailed."""

    def __init__(self, stream) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            raise
        except OSError as error:
            raise OutputFailed(error) from None

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            raise
        except OSError as error:
            raise OutputFailed(error) from None

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the exit code (0 ok, 1 input refused, 2 wrong usage). A reader
    that stops early (`history | head`) ends the command quietly, whichever command it is; output
    that cannot be written (a full disk) is said on stderr, and what was stored stays stored."""
    _log_messages_only()
    _echo_bytes_as_given()
    given = sys.stdout
    if given is not None:  # closed (`>&-`): print() writes nothing, and nothing needs guarding
        sys.stdout = _GuardedStdout(given)
    try:
        code = _main(argv)
        if sys.stdout is not None:
            sys.stdout.flush()  # buffered output meets a closed pipe here, not at interpreter exit
        return code
    except KeyboardInterrupt:
        # Ctrl-C while the command modules load (a second or more on a busy machine), before
        # _main's own handlers: nothing was opened yet
        print(INTERRUPTED)
        return EXIT_REFUSED
    except BrokenPipeError:
        # Python ignores SIGPIPE, so a closed pipe is an exception at the next write, and again
        # when the interpreter flushes stdout at exit: send the rest to /dev/null instead.
        _rest_to_devnull(given)
        return EXIT_REFUSED
    except OutputFailed as failed:
        _rest_to_devnull(given)
        with contextlib.suppress(OSError, ValueError, AttributeError):  # stderr on the same disk
            print(f"De uitvoer van de opdracht kon niet worden geschreven: {os_reason(failed.error)}. "
                  "Wat de opdracht in de database opsloeg, blijft bewaard (zie `history` of "
                  "`users list`); maak ruimte of stuur de uitvoer ergens anders heen.",
                  file=sys.stderr, flush=True)
        return EXIT_REFUSED
    finally:
        if given is not None:
            sys.stdout = given


def _rest_to_devnull(stream) -> None:
    # what is still buffered would fail again when the interpreter flushes stdout at exit
    with contextlib.suppress(OSError, ValueError, AttributeError):  # a stream without a file (a test)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)


# The arguments that name a file or folder: kept as given (bytes that are no UTF-8 included), so
# that a file with such a name can still be read or written.
PATH_ARGUMENTS = frozenset({"db", "bestand", "file", "cache", "output", "uitvoer"})


def _storable_arguments(args) -> None:
    # Every other argument (an organisation, login, gemeente, period) with bytes that are no UTF-8
    # as text.storable makes it: DuckDB refused Python's lone surrogates with an English traceback
    # wherever such a value reached a query; now it is a name the commands refuse or store.
    for name, value in vars(args).items():
        if name in PATH_ARGUMENTS:
            continue
        if isinstance(value, str):
            setattr(args, name, storable(value))
        elif isinstance(value, list):
            setattr(args, name, [storable(v) if isinstance(v, str) else v for v in value])


def _echo_bytes_as_given() -> None:
    # A path on the command line may hold bytes that are no UTF-8 (a name from another system);
    # Python keeps them as lone surrogates, which a UTF-8 locale's stdout (nl_NL.UTF-8: 'strict')
    # refused to print after the work was done. Written back as the bytes they were.
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(AttributeError, ValueError, OSError):
            stream.reconfigure(errors="surrogateescape")


def _main(argv: list[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _storable_arguments(args)
    if not getattr(args, "run", None):
        parser.print_help()
        return EXIT_USAGE
    database = db_path(args.db) if hasattr(args, "db") else None
    try:
        if getattr(args, "db", None) and args.db.endswith(("/", os.sep)):
            raise DatabaseRefused("Het opgegeven databasepad eindigt op een '/': dat is een map, geen "
                                  "databasebestand. Er is niets veranderd; geef de naam van het bestand "
                                  "(KINDKAART_DB of --db).", database)
        if database is not None:
            check_path(database)  # a folder this user may not enter: refused before any look
        # a symlink at the path is the beheerder's, even when it leads nowhere: never removed
        new_database = database is not None and not database.exists() and not database.is_symlink()
        result = _run_keeping_no_new_database(args, database if new_database else None)
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
    except (KeyboardInterrupt, duckdb.InterruptException):
        # Ctrl-C; during a query DuckDB says it with its own exception. The transaction of the
        # command was rolled back (or had been committed): no file is blamed
        print(INTERRUPTED)
        return EXIT_REFUSED
    except (duckdb.Error, OSError) as error:
        if (reason := write_failure_reason(error)) is not None:
            # a full disk or a folder without write rights, wherever the command writes
            print(write_refused(reason).messages[0])
            return EXIT_REFUSED
        # a damaged block shows only where a command reads it (the checks on open read the
        # catalog, not every block): the Dutch sentence instead of DuckDB's English traceback
        if not isinstance(error, duckdb.Error) or not is_damage(error):
            if _said_schema_differences(database):
                return EXIT_REFUSED
            raise
        print(DAMAGED_MESSAGE)
        print(f"Database: {db_path(args.db)}")
        return EXIT_REFUSED
    except Exception as error:
        if is_interrupt(error):  # Ctrl-C while DuckDB handed over rows ('Query interrupted')
            print(INTERRUPTED)
            return EXIT_REFUSED
        # a table with other column types than Kindkaart makes (a value that is no number where a
        # command counts): say that, not Python's error; anything else is a bug, raised
        if _said_schema_differences(database):
            return EXIT_REFUSED
        raise
    return EXIT_OK if result is None else int(result)


def _said_schema_differences(database) -> bool:
    """After an unforeseen error: print the Dutch refusal when the database's tables have other
    column types than the migrations make (store.schema_differences), or a model that the build
    makes is gone (transforms.missing_models); whether it did."""
    try:
        if database is None or not database.is_file():
            return False
    except OSError:  # a name too long, a file on the way: not a database that was opened
        return False
    import transforms

    try:
        con = connect(database, read_only=True, create=False)
        try:
            differences = schema_differences(con)
            missing = [] if differences else transforms.missing_models(con)
        finally:
            con.close()
    except Exception:  # noqa: BLE001 - the original error is the one to raise
        return False
    if differences:
        print(schema_refused(differences).messages[0])
    elif missing:
        # a mart or view dropped by hand: `export` and the app build it again themselves (the
        # models are then not up to date); a command that only reads says how
        shown = ", ".join(missing[:3]) + (f" en nog {len(missing) - 3}" if len(missing) > 3 else "")
        print(f"In de database ontbreken tabellen die Kindkaart bouwt ({shown}): ze zijn met de hand "
              "of door een ander programma weggehaald. Er is niets geschreven. Bouw ze opnieuw met "
              "`python -m data_sources init` (zonder --sample: de gegevens blijven), of open de "
              "database eenmaal in de app; probeer het daarna opnieuw.")
    else:
        return False
    print(f"Database: {database}")
    return True


def _run_keeping_no_new_database(args, new_database):
    """args.run(args); when it fails and made the database file `new_database` (a path that did
    not exist before), remove that file again: a refused import on a new path leaves nothing
    behind, not an empty database the app would then take for a gemeente's."""
    try:
        return args.run(args)
    except OutputFailed:
        raise  # the work is done: only its report could not be written
    except BaseException:
        if new_database is not None:
            for leftover in (new_database, new_database.with_name(new_database.name + ".wal")):
                with contextlib.suppress(OSError):  # a path that cannot hold a file holds none
                    leftover.unlink(missing_ok=True)
        raise
