"""Paths and settings shared by loaders, transforms and pages (environment overrides)."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DIR = PROJECT_ROOT / "sample_data"
DEFAULT_DB_PATH = PROJECT_ROOT / "data" / "kindkaart.duckdb"

SAMPLE_GEMEENTE_CODE = "GM9999"
SAMPLE_GEMEENTE_NAME = "Voorbeeldstad"
# Where a fresh installation (no database, no data) gets a gemeente: said wherever nothing is there.
LOAD_HINT = ("Laad uw gemeente op de pagina Gemeente laden, of met `python -m data_sources import-cbs "
             "kwb-2024.xlsx --gemeente GM0193` (het kwb-bestand van cbs.nl, met uw gemeentecode). "
             "`python -m data_sources init --sample` maakt de fictieve voorbeeldgemeente.")

AGE_GROUPS: dict[str, tuple[int, int]] = {
    # label: (first age, last age) inclusive, as in the handreiking
    "0-2": (0, 1),
    "2-4": (2, 3),
    "4-12": (4, 11),
}


def db_path(explicit: str | os.PathLike | None = None) -> Path:
    """The DuckDB file to use: an explicit path, else $KINDKAART_DB, else data/kindkaart.duckdb."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("KINDKAART_DB")
    return Path(env) if env else DEFAULT_DB_PATH


def _at_least_one(variable: str, default: int) -> int:
    # a setting that is no whole number falls back to the default; below 1 it would show every
    # count or divide by nothing
    try:
        value = int(os.environ.get(variable, str(default)))
    except ValueError:
        value = default
    return max(value, 1)


def min_count() -> int:
    """Smallest count of children shown as is; smaller counts are suppressed ($KINDKAART_MIN_COUNT)."""
    return _at_least_one("KINDKAART_MIN_COUNT", 5)


def min_base() -> int:
    """Smallest number of children a rate per 100 (or a percentage) of a wijk or the gemeente may
    divide by; over fewer the rate is not shown ('basis te klein', $KINDKAART_MIN_BASE). Over 8
    children one child moves the rate by 12,5 per 100 and "8 of 8" says every child has the
    signal; CBS likewise shows percentages only above a minimum base (README, Privacy)."""
    return _at_least_one("KINDKAART_MIN_BASE", 20)


def background_map() -> bool:
    """Whether the map draws PDOK's BRT-Achtergrondkaart (grijs) under the wijken by default:
    $KINDKAART_ACHTERGRONDKAART=brt-grijs. Off unless asked: the tiles come from PDOK's servers."""
    return os.environ.get("KINDKAART_ACHTERGRONDKAART", "").strip().lower() in {"brt-grijs", "1", "ja"}


def tracebacks_shown() -> bool:
    """KINDKAART_TRACEBACKS=1: an unexpected error in the app is raised, so that Streamlit shows
    its traceback (developers, and the tests, which must see a bug as one). Otherwise the page
    shows a Dutch sentence with an error number and the traceback goes to the server's log."""
    return os.environ.get("KINDKAART_TRACEBACKS") == "1"
