"""The specification, executed naively: DESIGN.md "Time and state semantics" evaluated at every
integer second straight from the raw observation list, and runs built by their definition.

Deliberately slow and obvious; nothing here imports the code under test except the data types
(``Run``, ``StateSeconds``) it is compared with. When every instant in a history (observation
times, stale times, commissioning, windows, period bounds) is a whole number of seconds, the state
is constant on every ``[s, s + 1)``, so counting seconds gives the exact time per state.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from camsla.kernel import Observation
from sla.runs import Run
from sla.state import StateSeconds

BASE = datetime(2024, 3, 31, 0, 0, tzinfo=UTC)
CAMERA = "34020000001320000001"


def at(seconds: int) -> datetime:
    """The instant ``seconds`` after BASE."""
    return BASE + timedelta(seconds=seconds)


@dataclass(frozen=True)
class History:
    """Everything one camera's SLA depends on, plus how its observations are delivered."""

    batches: tuple[tuple[Observation, ...], ...]  # delivery order, split into ingest batches
    stale_after: Mapping[str, int]  # seconds per check
    commissioned_at: datetime | None
    decommissioned_at: datetime | None
    windows: tuple[tuple[datetime, datetime], ...]  # maintenance windows, half-open
    period: tuple[datetime, datetime]

    @property
    def observations(self) -> list[Observation]:
        return [o for b in self.batches for o in b]


def valid_result(observations: Iterable[Observation], check: str, stale_s: int, t: datetime) -> str | None:
    """The status of the observation of ``check`` valid at ``t``, or None.

    Valid from its ts until the next observation of the check or ts + stale, whichever first:
    so the valid one is the latest at or before t, provided t < its ts + stale. Of several at one
    instant, the highest rank counts.
    """
    latest: Observation | None = None
    for o in observations:
        if o.check != check or o.ts > t:
            continue
        if latest is None or o.ts > latest.ts or (o.ts == latest.ts and o.rank > latest.rank):
            latest = o
    if latest is None or t >= latest.ts + timedelta(seconds=stale_s):
        return None
    return latest.status


def state_at(
    observations: Sequence[Observation],
    stale_after: Mapping[str, int],
    commissioned_at: datetime | None,
    decommissioned_at: datetime | None,
    windows: Iterable[tuple[datetime, datetime]],
    t: datetime,
) -> str:
    """DESIGN.md rules 1-5, literally."""
    eligible = (
        commissioned_at is not None
        and commissioned_at <= t
        and (decommissioned_at is None or t < decommissioned_at)
        and not any(a <= t < b for a, b in windows)
    )
    if not eligible:
        return "excluded"
    liveness = valid_result(observations, "liveness", stale_after["liveness"], t)
    if liveness is None or liveness == "error":
        return "unknown"
    if liveness == "fail":
        return "offline"
    if "fail" in (
        valid_result(observations, "image", stale_after["image"], t),
        valid_result(observations, "recording", stale_after["recording"], t),
    ):
        return "degraded"
    return "ok"


def brute_seconds(history: History, observations: Sequence[Observation] | None = None) -> dict[str, int]:
    """Whole seconds per state over the history's period (``observations`` default: all delivered)."""
    obs = history.observations if observations is None else list(observations)
    start, end = history.period
    counts = dict.fromkeys(("ok", "degraded", "offline", "unknown", "excluded"), 0)
    t = start
    while t < end:
        counts[
            state_at(
                obs,
                history.stale_after,
                history.commissioned_at,
                history.decommissioned_at,
                history.windows,
                t,
            )
        ] += 1
        t += timedelta(seconds=1)
    return counts


def expected_seconds(history: History, observations: Sequence[Observation] | None = None) -> StateSeconds:
    """:func:`brute_seconds` as a StateSeconds (microseconds), to compare with ``state_seconds``."""
    c = brute_seconds(history, observations)
    return StateSeconds(**{f"{s}_us": n * 1_000_000 for s, n in c.items()})


def brute_runs(observations: Iterable[Observation], check: str, stale_s: int) -> list[Run]:
    """Runs by their definition: one observation per instant (highest rank), in time order, cut
    where the key changes or the gap exceeds stale_after."""
    best: dict[datetime, Observation] = {}
    for o in observations:
        if o.check == check and (o.ts not in best or o.rank > best[o.ts].rank):
            best[o.ts] = o
    runs: list[Run] = []
    for ts in sorted(best):
        o = best[ts]
        last = runs[-1] if runs else None
        if last is not None and last.key == o.key and ts - last.last_ts <= timedelta(seconds=stale_s):
            runs[-1] = Run(o.camera_id, check, o.status, o.faults, last.first_ts, ts, last.n_obs + 1)
        else:
            runs.append(Run(o.camera_id, check, o.status, o.faults, ts, ts, 1))
    return runs


def describe(history: History) -> str:
    """A compact, readable dump of a history (seconds after BASE), for failure reports."""

    def s(t: datetime | None) -> str:
        return "-" if t is None else str(int((t - BASE).total_seconds()))

    lines = [
        f"stale_after={dict(history.stale_after)} commissioned={s(history.commissioned_at)} "
        f"decommissioned={s(history.decommissioned_at)} windows={[(s(a), s(b)) for a, b in history.windows]} "
        f"period=[{s(history.period[0])}, {s(history.period[1])})"
    ]
    for i, batch in enumerate(history.batches):
        lines.append(
            f"batch {i}: "
            + ", ".join(f"{o.check[:3]}@{s(o.ts)}:{o.status}{list(o.faults) or ''}" for o in batch)
        )
    return "\n".join(lines)


def expected_seconds_over(history: History, period: tuple[datetime, datetime],
                          observations: Sequence[Observation] | None = None) -> StateSeconds:
    """:func:`expected_seconds` over any ``period``, however long (a whole day), still per second.

    Outside ``[lo, hi)`` -- the span of every instant the history has (observations and their stale
    times, commissioning, windows) -- nothing can change, so the state there is the state at
    ``lo - 1`` (before) or at ``hi`` (after): those seconds are counted at once, the rest one by one.
    """
    obs = history.observations if observations is None else list(observations)
    instants = [o.ts for o in obs] + [o.ts + timedelta(seconds=history.stale_after[o.check]) for o in obs]
    instants += [t for t in (history.commissioned_at, history.decommissioned_at) if t is not None]
    instants += [t for w in history.windows for t in w]
    instants += list(history.period)
    lo, hi = min(instants), max(instants) + timedelta(seconds=1)
    start, end = period
    counts = dict.fromkeys(("ok", "degraded", "offline", "unknown", "excluded"), 0)

    def state(t: datetime) -> str:
        return state_at(obs, history.stale_after, history.commissioned_at, history.decommissioned_at,
                        history.windows, t)

    before = int((min(end, lo) - start).total_seconds())
    if before > 0:
        counts[state(lo - timedelta(seconds=1))] += before
    t = max(start, lo)
    while t < min(end, hi):
        counts[state(t)] += 1
        t += timedelta(seconds=1)
    after = int((end - max(start, hi)).total_seconds())
    if after > 0:
        counts[state(hi)] += after
    return StateSeconds(**{f"{s}_us": n * 1_000_000 for s, n in counts.items()})
