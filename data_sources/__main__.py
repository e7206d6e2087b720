"""Command-line interface: `python -m data_sources <command>` (see `--help`)."""

from data_sources.cli import main

raise SystemExit(main())
