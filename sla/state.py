"""The state engine: a camera's runs -> its state at every instant -> exact seconds per state.

DESIGN.md "Time and state semantics". An observation is valid from its ``ts`` until the next
observation of the same check on the same camera or ``ts + stale_after``, whichever comes first;
for runs (see ``sla.runs``) that is ``[first_ts, min(next run's first_ts, last_ts + stale_after))``.
The state at instant *t*:

1. outside eligibility -> ``excluded``;
2. no valid ``liveness`` observation, or the valid one is ``error`` -> ``unknown``;
3. valid ``liveness`` is ``fail`` -> ``offline``;
4. valid ``liveness`` is ``ok`` and a valid ``image`` or ``recording`` observation is ``fail``
   -> ``degraded``;
5. otherwise -> ``ok`` (a missing, stale or ``error`` image/recording result does not fail it).

Exactness: every instant is handled as integer microseconds since the epoch, every duration is an
integer number of microseconds (``StateSeconds.*_us``); the ``*_s`` properties are ``us / 1e6``
for display and JSON. Sums over cameras and days are sums of integers, hence exact.

Pure: runs, stale times, eligible intervals and the period (and optionally ``now``) are passed in.
``runs_by_check[k]`` must hold every run of check *k* with ``first_ts < period end`` and
``last_ts + stale_after[k] > period start`` (more is harmless): a run's validity depends on the
next run's ``first_ts``, and such a next run always satisfies the same condition.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sla.periods import as_period, from_us, seconds_to_us, to_us
from sla.runs import Key, Run

STATES: tuple[str, ...] = ("ok", "degraded", "offline", "unknown", "excluded")
STATE_CHECKS: tuple[str, ...] = ("liveness", "image", "recording")


@dataclass(frozen=True, slots=True)
class StateSeconds:
    """Time per state, in integer microseconds (exact); ``+`` and ``sum()`` add them up."""

    ok_us: int = 0
    degraded_us: int = 0
    offline_us: int = 0
    unknown_us: int = 0
    excluded_us: int = 0

    @classmethod
    def zero(cls) -> StateSeconds:
        return cls()

    def __add__(self, other: StateSeconds) -> StateSeconds:
        if not isinstance(other, StateSeconds):
            return NotImplemented
        return StateSeconds(
            self.ok_us + other.ok_us,
            self.degraded_us + other.degraded_us,
            self.offline_us + other.offline_us,
            self.unknown_us + other.unknown_us,
            self.excluded_us + other.excluded_us,
        )

    def __radd__(self, other: object) -> StateSeconds:
        if other == 0:  # sum() starts from 0
            return self
        return NotImplemented

    def us(self, state: str) -> int:
        """Microseconds in ``state`` (one of STATES, or ``eligible`` / ``measured``)."""
        return getattr(self, f"{state}_us")

    @property
    def eligible_us(self) -> int:
        """ok + degraded + offline + unknown (excluded time is not in it)."""
        return self.ok_us + self.degraded_us + self.offline_us + self.unknown_us

    @property
    def measured_us(self) -> int:
        """ok + degraded + offline: the denominator of the rates (unknown time is not in it)."""
        return self.ok_us + self.degraded_us + self.offline_us

    @property
    def ok_s(self) -> float:
        return self.ok_us / 1e6

    @property
    def degraded_s(self) -> float:
        return self.degraded_us / 1e6

    @property
    def offline_s(self) -> float:
        return self.offline_us / 1e6

    @property
    def unknown_s(self) -> float:
        return self.unknown_us / 1e6

    @property
    def excluded_s(self) -> float:
        return self.excluded_us / 1e6

    @property
    def eligible_s(self) -> float:
        return self.eligible_us / 1e6


class StateSpan(NamedTuple):
    """A stretch of constant state; ``faults`` are the fault codes that decided it (offline:
    the liveness faults; degraded: the failing image/recording faults; unknown: an error's codes)."""

    start: datetime
    end: datetime
    state: str
    faults: tuple[str, ...] = ()


_Seg = tuple[int, int, Key]  # [start_us, end_us) during which key is the valid result


def validity(runs: Sequence[Run], stale_after_s: float) -> list[_Seg]:
    """Where each run's result is valid: ``[first_ts, min(next first_ts, last_ts + stale))`` in us,
    with the run's own stale_after (the one it was folded under), else ``stale_after_s``."""
    default = seconds_to_us(stale_after_s)
    rs = sorted(runs, key=lambda r: r.first_ts)
    out: list[_Seg] = []
    for i, r in enumerate(rs):
        stale = default if r.stale_after_s is None else seconds_to_us(r.stale_after_s)
        a, b = to_us(r.first_ts), to_us(r.last_ts) + stale
        if i + 1 < len(rs):
            nxt = to_us(rs[i + 1].first_ts)
            if nxt <= to_us(r.last_ts):
                raise ValueError(
                    f"runs of {r.camera_id}/{r.check} overlap at {rs[i + 1].first_ts.isoformat()}"
                )
            b = min(b, nxt)
        out.append((a, b, r.key))
    return out


def decide(
    eligible: bool, liveness: Key | None, image: Key | None, recording: Key | None
) -> tuple[str, tuple[str, ...]]:
    """The state at one instant from the valid results there (rules 1-5), with the deciding faults."""
    if not eligible:
        return "excluded", ()  # 1
    if liveness is None:
        return "unknown", ()  # 2: no valid liveness observation
    status, faults = liveness
    if status == "error":
        return "unknown", faults  # 2: the check itself could not run
    if status == "fail":
        return "offline", faults  # 3
    failing = [k[1] for k in (image, recording) if k is not None and k[0] == "fail"]
    if failing:
        return "degraded", tuple(sorted({f for fs in failing for f in fs}))  # 4
    return "ok", ()  # 5: missing, stale or error image/recording results do not fail the camera


def _merge_us(intervals: Iterable[tuple[datetime, datetime]], lo: int, hi: int) -> list[tuple[int, int]]:
    items = sorted((max(to_us(a), lo), min(to_us(b), hi)) for a, b in (as_period(iv) for iv in intervals))
    out: list[tuple[int, int]] = []
    for a, b in items:
        if a >= b:
            continue
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


_USpan = tuple[int, int, str, tuple[str, ...]]


def _timeline_us(
    runs_by_check: Mapping[str, Sequence[Run]],
    stale_after: Mapping[str, float],
    eligible: Iterable[tuple[datetime, datetime]],
    lo: int,
    hi: int,
) -> list[_USpan]:
    if lo >= hi:
        return []
    segs = {
        k: validity(runs_by_check.get(k, ()), stale_after[k]) if runs_by_check.get(k) else []
        for k in STATE_CHECKS
    }
    elig = _merge_us(eligible, lo, hi)
    cuts = {lo, hi}
    for a, b in elig:
        cuts.add(a)
        cuts.add(b)
    for ss in segs.values():
        for a, b, _ in ss:
            if lo < a < hi:
                cuts.add(a)
            if lo < b < hi:
                cuts.add(b)
    points = sorted(cuts)
    ptr = dict.fromkeys(STATE_CHECKS, 0)
    e_ptr = 0
    out: list[_USpan] = []
    for a, b in zip(points, points[1:], strict=False):
        while e_ptr < len(elig) and elig[e_ptr][1] <= a:
            e_ptr += 1
        in_elig = e_ptr < len(elig) and elig[e_ptr][0] <= a
        valid: dict[str, Key | None] = {}
        for k in STATE_CHECKS:
            ss, j = segs[k], ptr[k]
            while j < len(ss) and ss[j][1] <= a:
                j += 1
            ptr[k] = j
            valid[k] = ss[j][2] if j < len(ss) and ss[j][0] <= a else None
        state, faults = decide(in_elig, valid["liveness"], valid["image"], valid["recording"])
        if out and out[-1][2] == state and out[-1][3] == faults and out[-1][1] == a:
            out[-1] = (out[-1][0], b, state, faults)
        else:
            out.append((a, b, state, faults))
    return out


def _bounds(period: tuple[datetime, datetime], now: datetime | None) -> tuple[int, int]:
    start, end = as_period(period)
    lo, hi = to_us(start), to_us(end)
    if now is not None:
        hi = min(hi, to_us(now))
    return lo, hi


def state_timeline(
    runs_by_check: Mapping[str, Sequence[Run]],
    stale_after: Mapping[str, float],
    eligible: Iterable[tuple[datetime, datetime]],
    period: tuple[datetime, datetime],
    now: datetime | None = None,
) -> list[StateSpan]:
    """The camera's states over ``period`` ``[start, end)`` as consecutive spans covering it.

    ``runs_by_check``: check name -> its runs (missing check: no observations); ``stale_after``:
    check name -> seconds (``Settings.stale_after``); ``eligible``: eligible intervals (see
    ``sla.eligibility.eligible_intervals``); ``now``: if given, the period is cut at ``now`` (the
    future is not known yet).
    """
    lo, hi = _bounds(period, now)
    return [
        StateSpan(from_us(a), from_us(b), s, f)
        for a, b, s, f in _timeline_us(runs_by_check, stale_after, eligible, lo, hi)
    ]


def _sum(spans: Iterable[_USpan]) -> StateSeconds:
    acc = dict.fromkeys(STATES, 0)
    for a, b, s, _ in spans:
        acc[s] += b - a
    return StateSeconds(**{f"{s}_us": v for s, v in acc.items()})


def state_seconds(
    runs_by_check: Mapping[str, Sequence[Run]],
    stale_after: Mapping[str, float],
    eligible: Iterable[tuple[datetime, datetime]],
    period: tuple[datetime, datetime],
    now: datetime | None = None,
) -> StateSeconds:
    """Exact time per state of one camera over ``period`` (arguments as :func:`state_timeline`)."""
    lo, hi = _bounds(period, now)
    return _sum(_timeline_us(runs_by_check, stale_after, eligible, lo, hi))


def state_seconds_split(
    runs_by_check: Mapping[str, Sequence[Run]],
    stale_after: Mapping[str, float],
    eligible: Iterable[tuple[datetime, datetime]],
    periods: Sequence[tuple[datetime, datetime]],
    now: datetime | None = None,
) -> list[StateSeconds]:
    """:func:`state_seconds` for each of ``periods`` (e.g. the days of a month), one timeline pass.

    ``runs_by_check`` must satisfy the module's condition for the hull of the periods.
    """
    if not periods:
        return []
    bounds = [_bounds(p, now) for p in periods]
    lo = min(a for a, _ in bounds)
    hi = max(b for _, b in bounds)
    spans = _timeline_us(runs_by_check, stale_after, eligible, lo, hi)
    ends = [b for _, b, _, _ in spans]
    out: list[StateSeconds] = []
    for a, b in bounds:
        acc = dict.fromkeys(STATES, 0)
        i = bisect_right(ends, a)
        while i < len(spans) and spans[i][0] < b:
            s_a, s_b, s, _ = spans[i]
            overlap = min(s_b, b) - max(s_a, a)
            if overlap > 0:
                acc[s] += overlap
            i += 1
        out.append(StateSeconds(**{f"{s}_us": v for s, v in acc.items()}))
    return out
