"""Run one liveness cycle over many cameras: spread in time, bounded in concurrency, delivered as done.

Each camera starts at a fixed offset inside the cycle (a hash of its camera_id times ``spread_s``),
so 10 000 probes do not fire in the same millisecond and each camera is probed at the same phase
every cycle (constant spacing between its observations). At most ``concurrency`` probes are in
flight at once and at most ``per_host_concurrency`` towards one address (an NVR or encoder serving
many channels is not hammered). A probe that overruns its time budget, or crashes, becomes an
``error`` observation; the cycle always finishes.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from camsla.observation import Observation
from camsla.settings import ProbeSettings, Settings
from probe.liveness import probe_liveness
from probe.target import Target

log = logging.getLogger(__name__)

Sink = Callable[[Observation], Awaitable[None] | None]
Probe = Callable[[Target, ProbeSettings], Awaitable[Observation]]

GRACE_S = 1.0  # how long past settings.timeout_s the runner waits before it cuts a probe off


@dataclass
class CycleStats:
    count: int = 0
    ok: int = 0
    fail: int = 0
    error: int = 0
    duration_s: float = 0.0
    max_start_lag_s: float = 0.0  # worst delay of a probe behind its planned start: > 0 means saturated
    overran: int = 0  # probes cut off by the runner's time budget (counted in `error`)
    sink_errors: int = 0  # observations the sink raised on (logged)
    faults: Counter[str] = field(default_factory=Counter)

    def add(self, obs: Observation) -> None:
        self.count += 1
        setattr(self, obs.status, getattr(self, obs.status) + 1)
        self.faults.update(obs.faults)


def start_offset(camera_id: str, spread_s: float) -> float:
    """Where in ``[0, spread_s)`` this camera's probe starts: stable across cycles, processes and hosts."""
    if spread_s <= 0:
        return 0.0
    h = int.from_bytes(hashlib.blake2b(camera_id.encode("utf-8"), digest_size=8).digest(), "big")
    return spread_s * (h / 2**64)


def default_spread_s(settings: ProbeSettings) -> float:
    return settings.liveness_interval_s * settings.jitter


def _probe_settings(settings: ProbeSettings | Settings) -> ProbeSettings:
    return settings.probe if isinstance(settings, Settings) else settings


def _error(target: Target, ts: datetime, reason: str) -> Observation:
    return Observation(target.camera_id, ts, "liveness", "error", (), {"reason": reason}, "runner")


class _HostLimits:
    """One semaphore per address, dropped when nothing for that address is waiting or running."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._sems: dict[str, tuple[asyncio.Semaphore, int]] = {}

    def take(self, host: str) -> asyncio.Semaphore:
        sem, users = self._sems.get(host, (None, 0))
        if sem is None:
            sem = asyncio.Semaphore(self.limit)
        self._sems[host] = (sem, users + 1)
        return sem

    def give_back(self, host: str) -> None:
        sem, users = self._sems[host]
        if users <= 1:
            del self._sems[host]
        else:
            self._sems[host] = (sem, users - 1)


async def run_cycle(
    targets: Iterable[Target],
    settings: ProbeSettings | Settings,
    sink: Sink | None = None,
    *,
    spread_s: float | None = None,
    probe: Probe = probe_liveness,
) -> CycleStats:
    """Probe every target once; call ``sink(observation)`` (sync or async) as each completes.

    ``spread_s`` defaults to ``liveness_interval_s * jitter``; 0 starts everything at once (bounded by
    the concurrency limits)."""
    ps = _probe_settings(settings)
    spread = default_spread_s(ps) if spread_s is None else max(0.0, spread_s)
    budget = ps.timeout_s + GRACE_S
    loop = asyncio.get_running_loop()
    stats = CycleStats()
    plan = sorted(((start_offset(t.camera_id, spread), i, t) for i, t in enumerate(targets)))
    in_flight = asyncio.Semaphore(ps.concurrency)
    hosts = _HostLimits(ps.per_host_concurrency)
    tasks: set[asyncio.Task[None]] = set()
    t0 = loop.time()

    async def deliver(obs: Observation) -> None:
        stats.add(obs)
        if sink is None:
            return
        try:
            result = sink(obs)
            if asyncio.iscoroutine(result) or isinstance(result, asyncio.Future):
                await result
        except Exception:  # noqa: BLE001 - a failing sink must not stop the other cameras' probes
            stats.sink_errors += 1
            log.exception("liveness sink failed for camera %s", obs.camera_id)

    async def one(target: Target, planned: float) -> None:
        host = target.host
        host_sem = hosts.take(host)
        try:
            async with host_sem:
                stats.max_start_lag_s = max(stats.max_start_lag_s, loop.time() - planned)
                ts = datetime.now(UTC)
                try:
                    async with asyncio.timeout(budget):
                        obs = await probe(target, ps)
                except TimeoutError:
                    stats.overran += 1
                    obs = _error(target, ts, f"probe overran its {budget:g} s budget and was cut off")
                except Exception as e:  # noqa: BLE001
                    log.exception("liveness probe crashed for camera %s", target.camera_id)
                    obs = _error(target, ts, f"probe crashed: {e.__class__.__name__}: {e}")
        finally:
            hosts.give_back(host)
            in_flight.release()
        await deliver(obs)

    try:
        for offset, _, target in plan:
            planned = t0 + offset
            delay = planned - loop.time()
            if delay > 0.001:
                await asyncio.sleep(delay)
            await in_flight.acquire()  # a slot is taken before the task exists: memory stays bounded
            task = asyncio.create_task(one(target, planned))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        while tasks:
            await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
    stats.duration_s = loop.time() - t0
    return stats


async def iter_cycle(
    targets: Iterable[Target],
    settings: ProbeSettings | Settings,
    *,
    spread_s: float | None = None,
    probe: Probe = probe_liveness,
) -> AsyncIterator[Observation]:
    """The same cycle as an async iterator of observations in completion order."""
    queue: asyncio.Queue[Observation | None] = asyncio.Queue()
    runner = asyncio.create_task(run_cycle(targets, settings, queue.put_nowait, spread_s=spread_s, probe=probe))
    runner.add_done_callback(lambda _: queue.put_nowait(None))
    try:
        while (obs := await queue.get()) is not None:
            yield obs
        await runner  # re-raise what stopped the cycle, if anything
    finally:
        if not runner.done():
            runner.cancel()
