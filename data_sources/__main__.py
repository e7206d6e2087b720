"""Command-line interface: `python -m data_sources <command>` (see `--help`)."""

try:
    from data_sources.cli import main
except KeyboardInterrupt:  # Ctrl-C while Python loads DuckDB and pandas: nothing was done yet
    print("Afgebroken.")
    raise SystemExit(1) from None

raise SystemExit(main())
