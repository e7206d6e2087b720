"""Every map indicator, in the order the Kaart, Trends and the slides offer them: one plain list."""

from __future__ import annotations

from ui.indicators import POPULATION_INDICATORS, Indicator
from ui.jeugdmonitor import JEUGDMONITOR_INDICATORS
from ui.nabijheid import NABIJHEID_INDICATORS
from ui.wijkprofiel import MODEL_INDICATORS

INDICATORS: dict[str, Indicator] = {
    indicator.key: indicator
    for indicator in [*POPULATION_INDICATORS.values(), *MODEL_INDICATORS, *NABIJHEID_INDICATORS,
                      *JEUGDMONITOR_INDICATORS]
}
# Keys of indicators that are gone, for the links that still name them: 'vve_per_100' added the
# vve criteria up (a child with two counted twice); its first criterion stands in its place.
ALIASES = {"vve_per_100": "vve_taal_spraak_per_100"}


def resolved(key: str | None) -> str | None:
    """An indicator key from a link or the session: a former key as its successor."""
    return ALIASES.get(key, key) if key is not None else None
