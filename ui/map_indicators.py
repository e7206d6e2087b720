"""Every map indicator, in the order the Kaart, Trends and the slides offer them: one plain list."""

from __future__ import annotations

from ui.indicators import POPULATION_INDICATORS, Indicator
from ui.nabijheid import NABIJHEID_INDICATORS
from ui.wijkprofiel import MODEL_INDICATORS

INDICATORS: dict[str, Indicator] = {
    indicator.key: indicator
    for indicator in [*POPULATION_INDICATORS.values(), *MODEL_INDICATORS, *NABIJHEID_INDICATORS]
}
