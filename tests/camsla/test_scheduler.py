"""The scheduler never stacks an overrunning job behind itself and counts what it skipped."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

from camsla.service.scheduler import JobSpec, SchedulerStats, build_scheduler


async def test_an_overrunning_cycle_never_piles_up_and_skips_are_counted():
    running = 0
    peak = 0

    async def slow(_service) -> None:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(1.3)
        running -= 1

    service = SimpleNamespace(scheduler_stats=SchedulerStats())
    sched = build_scheduler(service, (JobSpec("slow", slow, lambda s: 0.5, first_delay_s=0),))
    sched.start()
    await asyncio.sleep(3.2)
    sched.shutdown(wait=False)
    await asyncio.sleep(0)
    js = service.scheduler_stats.jobs["slow"]
    assert peak == 1
    assert 2 <= js.runs <= 3
    assert js.skipped >= 2  # the 0.5 s starts that fell while a 1.3 s run was going
    assert js.errors == 0


async def test_a_failing_job_is_counted_and_keeps_its_schedule():
    calls = 0

    async def broken(_service) -> None:
        nonlocal calls
        calls += 1
        raise RuntimeError("camera table locked")

    service = SimpleNamespace(scheduler_stats=SchedulerStats())
    sched = build_scheduler(service, (JobSpec("broken", broken, lambda s: 0.3, first_delay_s=0),))
    sched.start()
    await asyncio.sleep(1.0)
    sched.shutdown(wait=False)
    js = service.scheduler_stats.jobs["broken"]
    assert calls >= 3 and js.errors == calls
    assert "camera table locked" in js.last_error
