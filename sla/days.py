"""Which parts of a period come from the daily rollup and which from the runs (pure).

A report over ``[start, end)`` measured up to ``now`` is the local days wholly inside it that have
ended (stored in the rollup, summed) plus the rest -- a partial first or last day, today so far --
computed from the runs. Month and multi-day figures are thus sums of days.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sla.eligibility import eligible_intervals, windows_for_camera
from sla.periods import Period, as_period, day_bounds, local_date
from sla.runs import Run
from sla.state import StateSeconds, state_seconds_split


def plan(start: datetime, end: datetime, now: datetime | None, tz: ZoneInfo) -> tuple[list[date], list[Period]]:
    """``(days, pieces)``: the ended local days wholly in ``[start, end)`` (consecutive) and the
    rest of ``[start, min(end, now))`` as periods, in order."""
    start, end = as_period((start, end))
    stop = end if now is None else min(end, now)
    days: list[date] = []
    pieces: list[Period] = []
    cursor = start
    d = local_date(start, tz)
    while cursor < stop:
        a, b = day_bounds(d, tz)
        if a >= start and b <= end and b <= stop:
            days.append(d)
        else:
            piece = Period(max(a, cursor), min(b, stop))
            if piece.start < piece.end:
                pieces.append(piece)
        cursor = b
        d += timedelta(days=1)
    return days, pieces


def camera_seconds(
    camera,  # noqa: ANN001 - anything with camera_id, sector, contractor_id, commissioned_at, decommissioned_at
    windows: Iterable,
    runs_by_check: Mapping[str, Sequence[Run]],
    stale_after: Mapping[str, float],
    pieces: Sequence[tuple[datetime, datetime]],
    now: datetime | None = None,
) -> list[StateSeconds]:
    """One camera's exact seconds per state over each of ``pieces`` (one timeline pass)."""
    if not pieces:
        return []
    hull = (min(p[0] for p in pieces), max(p[1] for p in pieces))
    eligible = eligible_intervals(camera.commissioned_at, camera.decommissioned_at,
                                  windows_for_camera(windows, camera), hull)
    return state_seconds_split(runs_by_check, stale_after, eligible, pieces, now=now)
