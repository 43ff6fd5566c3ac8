"""The periodic work of `camsla serve`, on an APScheduler 3 asyncio scheduler.

Each job is one row of JOBS: an async function of the Service and its cadence. Every job runs
with ``max_instances=1`` and ``coalesce=True``: a cycle that overruns is never stacked behind
itself, the skipped start is counted instead (``skipped``), as are misfires (``missed``) and how
late each start was (``late_s``). Those counters (camsla.service.stats) feed the status page and
/metrics."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MAX_INSTANCES,
    EVENT_JOB_MISSED,
    EVENT_JOB_SUBMITTED,
    JobExecutionEvent,
    JobSubmissionEvent,
)
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from camsla.service.context import Service
from camsla.service.stats import JobStats, SchedulerStats

__all__ = ["JobSpec", "JobStats", "SchedulerStats", "build_scheduler"]

log = logging.getLogger("camsla.scheduler")


@dataclass(frozen=True)
class JobSpec:
    name: str
    run: Callable[[Service], Awaitable[object]]
    interval_s: Callable[[Service], float]
    first_delay_s: float | None = None  # None: one interval after the start


def build_scheduler(service: Service, specs: tuple[JobSpec, ...]) -> AsyncIOScheduler:
    sched = AsyncIOScheduler(timezone=UTC)
    stats = service.scheduler_stats

    def wrap(spec: JobSpec) -> Callable[[], Awaitable[None]]:
        async def job() -> None:
            js = stats.job(spec.name)
            started = datetime.now(UTC)
            js.last_start = started
            try:
                await spec.run(service)
            except asyncio.CancelledError:  # the service is stopping; not a failure of the job
                log.info("job %s interrupted by shutdown", spec.name)
            finally:
                js.runs += 1
                js.last_duration_s = (datetime.now(UTC) - started).total_seconds()

        job.__name__ = f"camsla_{spec.name}"
        return job

    now = datetime.now(UTC)
    for spec in specs:
        interval = spec.interval_s(service)
        sched.add_job(
            wrap(spec),
            "interval",
            seconds=interval,
            id=spec.name,
            name=spec.name,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=max(1, int(interval / 2)),
            next_run_time=now + timedelta(seconds=interval if spec.first_delay_s is None else spec.first_delay_s),
        )

    def on_event(event) -> None:  # noqa: ANN001 - APScheduler's event classes
        js = stats.job(event.job_id)
        if isinstance(event, JobSubmissionEvent):
            if event.code == EVENT_JOB_MAX_INSTANCES:
                js.skipped += 1
                log.warning("job %s still running; this start is skipped", event.job_id)
                return
            late = max((datetime.now(UTC) - t).total_seconds() for t in event.scheduled_run_times)
            js.last_late_s = late
            js.max_late_s = max(js.max_late_s, late)
        elif isinstance(event, JobExecutionEvent):
            if event.code == EVENT_JOB_MISSED:
                js.missed += 1
                log.warning("job %s missed its start at %s", event.job_id, event.scheduled_run_time)
            elif event.code == EVENT_JOB_ERROR:
                js.errors += 1
                js.last_error = repr(event.exception)
                log.error("job %s failed: %r", event.job_id, event.exception)

    sched.add_listener(
        on_event,
        EVENT_JOB_SUBMITTED | EVENT_JOB_MAX_INSTANCES | EVENT_JOB_MISSED | EVENT_JOB_ERROR | EVENT_JOB_EXECUTED,
    )
    return sched
