"""The scheduler's counters per job, read by the status page and /metrics (see scheduler.py).

Plain data at the bottom of the service package, so that the Service (context.py) can hold them
without importing the scheduler, which runs jobs of the Service."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class JobStats:
    runs: int = 0
    errors: int = 0
    missed: int = 0  # starts that came too late to run at all (misfire)
    skipped: int = 0  # starts dropped because the previous run of the job was still going
    last_late_s: float = 0.0
    max_late_s: float = 0.0
    last_start: datetime | None = None
    last_duration_s: float | None = None
    last_error: str | None = None


@dataclass
class SchedulerStats:
    jobs: dict[str, JobStats] = field(default_factory=dict)

    def job(self, name: str) -> JobStats:
        return self.jobs.setdefault(name, JobStats())
