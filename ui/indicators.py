"""Indicators a page can show per wijk (map colours, rankings): a registry, one entry each."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from ui.population import TOTAL_LABEL, indicator_frame


@dataclass(frozen=True)
class Indicator:
    """One figure per wijk. `load(gemeente_code, year)` returns wijk_code, wijk_name, value
    (NaN where hidden) and hidden; `kind` says whether the value is observed or modelled."""

    key: str
    label: str
    unit: str
    kind: str  # 'waargenomen' | 'schatting' | 'model'
    load: Callable[[str, int], pd.DataFrame]
    note: str = ""


def _children(column: str) -> Callable[[str, int], pd.DataFrame]:
    return lambda gemeente_code, year: indicator_frame(gemeente_code, year, column)


INDICATORS: dict[str, Indicator] = {
    "kinderen_0_2": Indicator("kinderen_0_2", "Kinderen 0-2 jaar", "kinderen", "bevolking",
                              _children("0-2")),
    "kinderen_2_4": Indicator("kinderen_2_4", "Kinderen 2-4 jaar (peuters)", "kinderen",
                              "bevolking", _children("2-4")),
    "kinderen_4_12": Indicator("kinderen_4_12", "Kinderen 4-12 jaar (bso-leeftijd)", "kinderen",
                               "bevolking", _children("4-12")),
    "kinderen_0_12": Indicator("kinderen_0_12", "Kinderen 0-12 jaar", "kinderen", "bevolking",
                               _children(TOTAL_LABEL)),
}


def register(indicator: Indicator) -> None:
    """Add an indicator (other modules call this at import)."""
    INDICATORS[indicator.key] = indicator
