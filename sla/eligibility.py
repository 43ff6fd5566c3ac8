"""Eligible time of a camera: commissioned (inclusive) to decommissioned (exclusive), minus the
maintenance windows and approved exemptions covering it (DESIGN.md "Time and state semantics").

Pure: the caller selects the windows that apply to the camera (by camera, sector or contractor).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sla.periods import Period, as_period

Interval = tuple[datetime, datetime]


def merge_intervals(intervals: Iterable[Interval]) -> list[Period]:
    """Half-open intervals sorted, with overlapping or touching ones merged; empty ones dropped.

    An interval ending before it starts is a user error (a window typed backwards), reported.
    """
    items: list[Period] = []
    for iv in intervals:
        start, end = iv
        if end < start:
            raise ValueError(f"interval [{start.isoformat()}, {end.isoformat()}) ends before it starts")
        if end > start:
            items.append(as_period(iv))
    items.sort()
    out: list[Period] = []
    for start, end in items:
        if out and start <= out[-1].end:
            if end > out[-1].end:
                out[-1] = Period(out[-1].start, end)
        else:
            out.append(Period(start, end))
    return out


def eligible_intervals(
    commissioned_at: datetime | None,
    decommissioned_at: datetime | None,
    windows: Iterable[Interval],
    period: tuple[datetime, datetime],
) -> list[Period]:
    """The parts of ``period`` in which the camera counts, sorted and disjoint.

    ``commissioned_at`` is inclusive (``None``: not commissioned, never eligible),
    ``decommissioned_at`` exclusive (``None``: still in service); ``windows`` are half-open
    ``[start, end)`` excluded spans (maintenance windows, approved exemptions), possibly overlapping.
    """
    start, end = as_period(period)
    if commissioned_at is None:
        return []
    lo = max(start, commissioned_at)
    hi = end if decommissioned_at is None else min(end, decommissioned_at)
    if lo >= hi:
        return []
    out: list[Period] = []
    cursor = lo
    for w_start, w_end in merge_intervals(windows):
        if w_end <= cursor:
            continue
        if w_start >= hi:
            break
        if w_start > cursor:
            out.append(Period(cursor, w_start))
        cursor = max(cursor, w_end)
        if cursor >= hi:
            break
    if cursor < hi:
        out.append(Period(cursor, hi))
    return out


def windows_for_camera(windows: Iterable, camera) -> list[Interval]:  # noqa: ANN001 - duck-typed rows
    """The windows (anything with ``start``, ``end``, ``camera_id``, ``sector_code``,
    ``contractor_id``) that cover a camera (anything with ``camera_id``, ``sector_code`` or
    ``sector``, ``contractor_id``): by camera, by its sector or by its contractor."""
    sector = getattr(camera, "sector_code", None) or getattr(camera, "sector", None)
    return [
        (w.start, w.end)
        for w in windows
        if w.camera_id == camera.camera_id
        or (w.sector_code is not None and w.sector_code == sector)
        or (w.contractor_id is not None and w.contractor_id == camera.contractor_id)
    ]
