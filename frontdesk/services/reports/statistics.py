"""Small statistics: percentiles by linear interpolation between the sorted values (as
PostgreSQL's ``percentile_cont`` and numpy do), and the minutes between two moments.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear interpolation between closest ranks; ``values`` need not be sorted."""
    if not values:
        return None
    return interpolate(sorted(values), q)


def interpolate(ordered: Sequence[float], q: float) -> float:
    """The q-th percentile of values already sorted (at least one)."""
    position = (len(ordered) - 1) * q
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass(frozen=True)
class Stats:
    """Minutes: how many, mean, median and 90th percentile (None when there are none)."""

    count: int = 0
    mean: float | None = None
    median: float | None = None
    p90: float | None = None

    @classmethod
    def of(cls, values: Sequence[float]) -> Stats:
        if not values:
            return cls()
        ordered = sorted(values)  # once for both percentiles
        return cls(
            len(values),
            sum(values) / len(values),
            interpolate(ordered, 0.5),
            interpolate(ordered, 0.9),
        )


def minutes_between(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return (end - start).total_seconds() / 60


def change(now: int, before: int) -> float | None:
    """The relative change from ``before`` to ``now`` (None when there was nothing before)."""
    return None if before == 0 else (now - before) / before
