"""The list of gemeenten to choose from: bundled codes, names from CBS and from loaded data."""

from __future__ import annotations

import contextlib
import json
import os
import re
from datetime import UTC, datetime
from pathlib import Path

from data_sources import store
from data_sources.cbs.fetch import Endpoints
from data_sources.cbs.http import HttpClient
from data_sources.cbs.loading import KERNCIJFERS_TABLES
from data_sources.errors import InputRefused
from data_sources.gemeentenamen import bundled_names

# The 342 gemeenten of 2024 with their names (data_sources.gemeentenamen); names fetched from CBS
# (fetch_names) or from a loaded table come on top.
BUNDLED_YEAR = 2024


def bundled() -> dict[str, str]:
    """code -> name of the gemeenten of 2024."""
    return dict(bundled_names())


def _names_path(cache_dir: Path, year: int) -> Path:
    return Path(cache_dir) / "cbs" / f"gemeentenamen_{year}.json"


def cached_names(cache_dir: Path, year: int = BUNDLED_YEAR) -> dict[str, str]:
    """Names fetched earlier from CBS (empty when never fetched)."""
    path = _names_path(cache_dir, year)
    try:
        return dict(json.loads(path.read_text(encoding="utf-8"))["names"])
    except (OSError, ValueError, KeyError, TypeError):  # none, or cut off by an older version
        return {}


def fetch_names(client: HttpClient, endpoints: Endpoints, cache_dir: Path,
                year: int = BUNDLED_YEAR) -> dict[str, str]:
    """Fetch the gemeente names of a year from the kerncijfers' region dimension and cache them."""
    table_id = KERNCIJFERS_TABLES[year]
    url = f"{endpoints.cbs_v3}/{table_id}/WijkenEnBuurten"
    body = client.get_json(url, {"$filter": "startswith(Key,'GM')", "$format": "json"})
    rows = body.get("value", []) if isinstance(body, dict) else body
    names = {str(r["Key"]).strip(): str(r.get("Title", "")).strip() for r in rows
             if str(r.get("Key", "")).strip().startswith("GM")}
    path = _names_path(cache_dir, year)
    scratch = path.with_name(f"{path.name}.{os.getpid()}.deel")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # beside it, then in place: a run killed while writing leaves the earlier list, not half a one
        store.remove_leftovers(path.parent, ".deel", stem=path.name)
        scratch.write_text(json.dumps({
            "table_id": table_id,
            "retrieved_at": datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="seconds"),
            "names": names,
        }, ensure_ascii=False), encoding="utf-8")
        os.replace(scratch, path)
    except OSError as error:
        # a full disk or a folder without write rights: Python's OSError (with the server's path)
        # was the page's
        with contextlib.suppress(OSError):
            scratch.unlink(missing_ok=True)
        raise InputRefused(f"De opgehaalde gemeentenamen konden niet worden bewaard in de map voor de "
                           f"opgeslagen kopieën: {store.os_reason(error)}. De lijst is ongewijzigd. Vraag "
                           "de beheerder om daar ruimte te maken of schrijfrechten te geven "
                           "(KINDKAART_CBS_CACHE).") from None
    return names


def choices(cache_dir: Path, loaded: dict[str, str] | None = None) -> dict[str, str]:
    """Every gemeente that can be chosen, code -> label name: the bundled 2024 list, names from
    CBS where fetched, names of loaded gemeenten (also those of other years) on top."""
    names = bundled()
    names.update({k: v for k, v in cached_names(cache_dir).items() if v})
    names.update({k: v for k, v in (loaded or {}).items() if v})
    return dict(sorted(names.items(), key=lambda item: (_sort_name(item[1]), item[0])))


def _sort_name(name: str) -> str:
    # 's-Gravenhage and 's-Hertogenbosch are looked for under G and H; no name sorts last.
    return re.sub(r"^'(s|t)[- ]", "", name).lower() if name else "~"
