"""Map indicators of young people with jeugdzorg per wijk (CBS Jeugdmonitor per wijk)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pandas as pd

from transforms.labels import LoadHint
from ui.data import query
from ui.indicators import Indicator

NOTE = ("Bron: CBS Jeugdmonitor per wijk (jongeren met jeugdzorg in natura: jeugdhulp, "
        "jeugdbescherming of jeugdreclassering; alle vormen samen, een jongere telt één keer). "
        "CBS rondt af op vijftallen en houdt kleine aantallen geheim. Waargenomen aantallen, geen "
        "percentage: vergelijk wijken met hun aantal kinderen.")
JEUGDMONITOR_CSV = LoadHint("de Jeugdmonitor per wijk (CBS-tabel 'Jongeren met jeugdzorg en "
                            "jeugdzorgtrajecten in natura; wijken') als StatLine-CSV",
                            "CBS-bestand inlezen")

AGE_GROUPS = {
    "0-4": "Kinderen 0-4 jaar met jeugdzorg (CBS Jeugdmonitor)",
    "4-12": "Kinderen 4-12 jaar met jeugdzorg (CBS Jeugdmonitor)",
    "tot 23": "Jongeren tot 23 jaar met jeugdzorg (CBS Jeugdmonitor)",
}

_SQL = """
    select j.wijk_code, coalesce(r.region_name, j.wijk_code) as wijk_name,
           j.young_people_count as value
    from cbs_jeugdzorg_by_wijk as j
    left join stg_region_names as r on r.region_code = j.wijk_code
    where j.year = ? and j.age_group = ? {gemeente}
    order by j.wijk_code
"""


def young_people(age_group: str) -> Callable[[str, int], pd.DataFrame]:
    """load(gemeente_code, year) for one age group: wijk_code, wijk_name, value, hidden, unknown.
    CBS published these counts rounded and with its own secret cells: nothing further to
    suppress. A secret cell (a row without a count) is unknown, 'onbekend (CBS geheim)'; a wijk
    without a row has no figures."""

    def load(gemeente_code: str, year: int) -> pd.DataFrame:
        return _published(query(_SQL.format(gemeente="and j.gemeente_code = ?"), [year, age_group, gemeente_code]))

    return load


def young_people_national(age_group: str) -> Callable[[int], pd.DataFrame]:
    """The same age group for every wijk of the country (the national map)."""
    return lambda year: _published(query(_SQL.format(gemeente=""), [year, age_group]))


def _published(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(hidden=False, unknown=frame["value"].isna())


# The map indicators of the Jeugdmonitor (ui.map_indicators lists every indicator).
JEUGDMONITOR_INDICATORS = [
    Indicator(f"jeugdmonitor_{key.replace(' ', '_').replace('-', '_')}", label, "aantal",
              "waargenomen", young_people(key), note=NOTE,
              load_national=young_people_national(key),
              missing="Dit cijfer komt uit de CBS Jeugdmonitor per wijk (85685NED voor 2023, "
                      "85075NED voor 2021; CBS publiceert er één tabel per jaar).",
              missing_hints=(replace(JEUGDMONITOR_CSV, command="python -m data_sources import-cbs "
                                                               "BESTAND.csv --gemeente {gemeente}"),))
    for key, label in AGE_GROUPS.items()
]
