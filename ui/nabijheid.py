"""Map indicators of nearby childcare and schools per wijk (CBS Nabijheid voorzieningen, kwb)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pandas as pd

from transforms.labels import LoadHint
from ui.data import query
from ui.indicators import Indicator

NOTE = ("Bron: CBS Nabijheid voorzieningen (gemiddelde over de inwoners van de wijk, over de weg); "
        "waar die tabel niet is geladen de kolom uit de kerncijfers wijken en buurten (kwb).")
NABIJHEID_CSV = LoadHint("Nabijheid voorzieningen als StatLine-CSV", "CBS-bestand inlezen")

MEASURES = {
    "afstand_kinderdagverblijf": ("Afstand tot kinderdagverblijf (km)", "km"),
    "kinderdagverblijven_1km": ("Kinderdagverblijven binnen 1 km (gemiddeld)", "aantal"),
    "kinderdagverblijven_3km": ("Kinderdagverblijven binnen 3 km (gemiddeld)", "aantal"),
    "afstand_bso": ("Afstand tot buitenschoolse opvang (km)", "km"),
    "bso_1km": ("Bso-locaties binnen 1 km (gemiddeld)", "aantal"),
    "bso_3km": ("Bso-locaties binnen 3 km (gemiddeld)", "aantal"),
    "afstand_basisschool": ("Afstand tot basisschool (km)", "km"),
    "basisscholen_1km": ("Basisscholen binnen 1 km (gemiddeld)", "aantal"),
    "basisscholen_3km": ("Basisscholen binnen 3 km (gemiddeld)", "aantal"),
}


_SQL = """
    select n.wijk_code, coalesce(r.region_name, n.wijk_code) as wijk_name, n.value
    from nabijheid_by_wijk as n
    left join stg_region_names as r on r.region_code = n.wijk_code
    where n.year = ? and n.measure = ? {gemeente}
    order by n.wijk_code
"""


def nearby(measure: str) -> Callable[[str, int], pd.DataFrame]:
    """load(gemeente_code, year) for one measure: wijk_code, wijk_name, value, hidden. These are
    averages over all inhabitants, not counts of children: nothing to suppress."""

    def load(gemeente_code: str, year: int) -> pd.DataFrame:
        frame = query(_SQL.format(gemeente="and n.gemeente_code = ?"), [year, measure, gemeente_code])
        return frame.assign(hidden=False)

    return load


def nearby_national(measure: str) -> Callable[[int], pd.DataFrame]:
    """The same measure for every wijk of the country (the national map)."""
    return lambda year: query(_SQL.format(gemeente=""), [year, measure]).assign(hidden=False)


# The map indicators of Nabijheid voorzieningen (ui.map_indicators lists every indicator).
NABIJHEID_INDICATORS = [
    Indicator(f"nabijheid_{key}", label, unit, "waargenomen", nearby(key), note=NOTE,
              load_national=nearby_national(key), note_hint=NABIJHEID_CSV,
              missing="Dit cijfer komt uit de CBS-tabel Nabijheid voorzieningen (per wijk).",
              missing_hints=(replace(NABIJHEID_CSV, command="python -m data_sources import-cbs "
                                                            "BESTAND.csv --gemeente {gemeente}"),))
    for key, (label, unit) in MEASURES.items()
]
