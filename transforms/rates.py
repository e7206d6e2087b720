"""The minimum base of a rate: no rate per 100 (or percentage) over fewer children than min_base."""

from __future__ import annotations

import numpy as np

from data_sources.config import min_base

# What a page, map, table or export shows instead of such a rate. It names the reason, which is
# public (the base is the population cell the pages show), and says nothing of the count.
BASE_TOO_SMALL_LABEL = "basis te klein"


def base_too_small(population, threshold: int | None = None) -> np.ndarray:
    """Per value of `population` (the children a rate divides by): whether it is below the minimum
    base ($KINDKAART_MIN_BASE), so that the rate is not shown. An unknown (NaN) population is not
    'too small': its rate is unknown or hidden by the other rules."""
    values = np.asarray(population, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.nan_to_num(values, nan=np.inf) < (threshold or min_base())
