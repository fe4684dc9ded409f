"""Outcome arithmetic: percentage relief after diagnostic blocks and the follow-up schedule."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable


def percent_relief(baseline_nrs: float, post_nrs: float) -> float | None:
    """Relief against baseline; None when baseline is 0 (no pain to relieve, so relief is undefined)."""
    for v in (baseline_nrs, post_nrs):
        if not 0 <= v <= 10:
            raise ValueError(f"NRS {v} is outside 0-10")
    if baseline_nrs == 0:
        return None
    return round(100.0 * (baseline_nrs - post_nrs) / baseline_nrs, 1)


def follow_up_dates(procedure_date: dt.date, weeks: Iterable[int]) -> list[dt.date]:
    return [procedure_date + dt.timedelta(weeks=w) for w in weeks]
