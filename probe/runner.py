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
import collections
import contextlib
import hashlib
import logging
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from camsla.kernel import Observation, ProbeSettings, Settings
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
        if obs.faults:
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
    """At most ``limit`` probes at once per address, first come first served. Taking a free slot does
    not suspend; a waiter is handed its slot by the probe that gives it back."""

    def __init__(self, limit: int, loop: asyncio.AbstractEventLoop) -> None:
        self.limit = limit
        self.loop = loop
        self._busy: dict[str, int] = {}
        self._waiting: dict[str, collections.deque[asyncio.Future[None]]] = {}

    def try_take(self, host: str) -> bool:
        busy = self._busy.get(host, 0)
        if busy < self.limit and host not in self._waiting:
            self._busy[host] = busy + 1
            return True
        return False

    async def take(self, host: str) -> None:
        if self.try_take(host):
            return
        slot = self.loop.create_future()
        queue = self._waiting.setdefault(host, collections.deque())
        queue.append(slot)
        try:
            await slot
        except asyncio.CancelledError:
            if slot.done() and not slot.cancelled():
                self.give_back(host)  # handed over just as we were cancelled: pass it on
            else:  # a slot given back meanwhile skipped this cancelled waiter and may have dropped it already
                with contextlib.suppress(ValueError):
                    queue.remove(slot)
                if not queue and self._waiting.get(host) is queue:
                    del self._waiting[host]
            raise

    def give_back(self, host: str) -> None:
        queue = self._waiting.get(host)
        while queue:
            slot = queue.popleft()
            if not queue:
                del self._waiting[host]
            if not slot.done():
                slot.set_result(None)  # the slot goes to the next in line: busy stays as it is
                return
        busy = self._busy[host] - 1
        if busy:
            self._busy[host] = busy
        else:
            del self._busy[host]


class _Slots:
    """The global limit: a count of probes in flight that the cycle's loop waits on."""

    def __init__(self, limit: int, loop: asyncio.AbstractEventLoop) -> None:
        self.limit = max(1, limit)
        self.loop = loop
        self.used = 0
        self._freed: asyncio.Future[None] | None = None

    async def wait_below(self, n: int) -> None:
        """Until fewer than ``n`` slots are used."""
        while self.used >= n:
            self._freed = self.loop.create_future()
            await self._freed

    def give_back(self) -> None:
        self.used -= 1
        freed = self._freed
        if freed is not None and not freed.done():
            freed.set_result(None)


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
    the concurrency limits).

    Per probe this costs one task and no timer: one ``watchdog`` task cuts off the probes that overrun
    their budget (probes start in order, so their deadlines are in order too)."""
    ps = _probe_settings(settings)
    spread = default_spread_s(ps) if spread_s is None else max(0.0, spread_s)
    budget = ps.timeout_s + GRACE_S
    loop = asyncio.get_running_loop()
    stats = CycleStats()
    todo = list(targets)
    offsets = [start_offset(t.camera_id, spread) for t in todo] if spread > 0 else [0.0] * len(todo)
    order = sorted(range(len(todo)), key=offsets.__getitem__) if spread > 0 else range(len(todo))
    slots = _Slots(ps.concurrency, loop)
    hosts = _HostLimits(ps.per_host_concurrency, loop)
    tasks: set[asyncio.Task[None]] = set()
    deadlines: dict[asyncio.Task[None], float] = {}  # probes running, in start order
    cut_off: set[asyncio.Task[None]] = set()
    t0 = loop.time()

    async def one(target: Target, planned: float) -> None:
        me = asyncio.current_task(loop)
        assert me is not None
        host = target.host
        try:
            if not hosts.try_take(host):
                await hosts.take(host)
            try:
                started = loop.time()
                if started - planned > stats.max_start_lag_s:
                    stats.max_start_lag_s = started - planned
                deadlines[me] = started + budget
                try:
                    obs = await probe(target, ps)
                except asyncio.CancelledError:
                    if me not in cut_off or me.uncancel() > 0:
                        raise
                    stats.overran += 1
                    obs = _error(target, _started_at(loop, started),
                                 f"probe overran its {budget:g} s budget and was cut off")
                except Exception as e:  # noqa: BLE001
                    log.exception("liveness probe crashed for camera %s", target.camera_id)
                    obs = _error(target, _started_at(loop, started), f"probe crashed: {e.__class__.__name__}: {e}")
                finally:
                    deadlines.pop(me, None)
                    cut_off.discard(me)
            finally:
                hosts.give_back(host)
        finally:
            slots.give_back()
            tasks.discard(me)
        stats.add(obs)
        if sink is None:
            return
        try:
            result = sink(obs)
            if result is not None and (asyncio.iscoroutine(result) or isinstance(result, asyncio.Future)):
                await result
        except Exception:  # noqa: BLE001 - a failing sink must not stop the other cameras' probes
            stats.sink_errors += 1
            log.exception("liveness sink failed for camera %s", obs.camera_id)

    async def watchdog() -> None:
        tick = min(0.25, budget / 8)
        while True:
            await asyncio.sleep(tick)
            now = loop.time()
            late = []
            for task, deadline in deadlines.items():
                if deadline > now:
                    break
                late.append(task)
            for task in late:
                del deadlines[task]
                cut_off.add(task)
                task.cancel()

    guard = loop.create_task(watchdog())
    try:
        for i in order:
            target = todo[i]
            planned = t0 + offsets[i]
            delay = planned - loop.time()
            if delay > 0.001:
                await asyncio.sleep(delay)
            if slots.used >= slots.limit:
                await slots.wait_below(slots.limit)  # a slot is taken before the task exists: memory stays bounded
            slots.used += 1
            tasks.add(loop.create_task(one(target, planned)))
        await slots.wait_below(1)
    finally:
        guard.cancel()
        for task in tasks:
            task.cancel()
    stats.duration_s = loop.time() - t0
    return stats


def _started_at(loop: asyncio.AbstractEventLoop, started: float) -> datetime:
    return datetime.now(UTC) - timedelta(seconds=loop.time() - started)


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
