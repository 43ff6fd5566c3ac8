"""Current state: the newest result of one check on one camera, and the changes of it.

Pure: the store hands in what it had (``CurrentResult`` or ``None``), the runs of the fold window
after a fold and the batch's accepted observations; :func:`advance` returns what the current
result is now and, when its result changed, the :class:`StateChange` for the ticket engine.

The current result is the one of the newest run (``since`` = its first instant, ``last_ts`` = its
last). It only moves forward: a late result older than the newest one changes nothing here, except
when it splits the newest run (then ``since`` moves to where the newest result began).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from camsla.kernel import MetricValue, Observation
from sla.runs import Run


@dataclass(frozen=True, slots=True)
class CurrentResult:
    camera_id: str
    check: str
    status: str
    faults: tuple[str, ...]
    since: datetime  # start of the current run
    last_ts: datetime  # the newest result
    stale_after_s: float  # the newest result is valid on [last_ts, last_ts + stale_after_s)
    metrics: Mapping[str, MetricValue] = field(default_factory=dict)
    source: str = ""

    @property
    def key(self) -> tuple[str, tuple[str, ...]]:
        return (self.status, self.faults)

    def valid_at(self, now: datetime) -> bool:
        """Whether the newest result still stands at ``now`` (DESIGN: valid until ts + stale_after)."""
        return self.last_ts <= now < self.last_ts + timedelta(seconds=self.stale_after_s)


@dataclass(frozen=True, slots=True)
class StateChange:
    """The result of one check on one camera changed: ``before`` -> ``after`` at ``at``.

    ``before`` is ``None`` for a camera/check seen for the first time. ``at`` is the instant of the
    first result of the new run."""

    camera_id: str
    check: str
    before: tuple[str, tuple[str, ...]] | None
    after: tuple[str, tuple[str, ...]]
    at: datetime


def advance(
    current: CurrentResult | None,
    window_runs: Sequence[Run],
    accepted: Sequence[Observation],
    stale_after_s: float,
) -> tuple[CurrentResult | None, StateChange | None]:
    """The current result after a fold, and the change it made (``None``: no change of result).

    ``window_runs``: the fold's replacement runs of its window (sorted); ``accepted``: the batch's
    observations that were stored (any order). Returns ``(None, None)`` when nothing is new."""
    if not window_runs:
        return None, None
    tail = window_runs[-1]
    if current is not None and tail.last_ts < current.last_ts:
        return None, None  # the window did not reach the newest run: the current result stands
    newest = None
    for o in accepted:
        if o.ts == tail.last_ts and (newest is None or o.rank > newest.rank):
            newest = o
    if current is not None and newest is None and tail.first_ts == current.since and tail.key == current.key:
        return None, None  # nothing new at the head
    after = CurrentResult(
        camera_id=tail.camera_id,
        check=tail.check,
        status=tail.status,
        faults=tail.faults,
        since=tail.first_ts,
        last_ts=tail.last_ts,
        stale_after_s=stale_after_s if newest is not None or current is None else current.stale_after_s,
        metrics=dict(newest.metrics) if newest is not None else dict(current.metrics) if current else {},
        source=newest.source if newest is not None else current.source if current else "",
    )
    change = None
    if current is None or current.key != after.key:
        change = StateChange(tail.camera_id, tail.check, None if current is None else current.key, after.key,
                             tail.first_ts)
    return after, change
