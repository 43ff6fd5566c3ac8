"""What every route gets: the AppContext (settings, database, the running service's state, the
status figures), as the typed dependency ``ContextDep``.

The web package sits below camsla.service: it never imports it. What a page reads of the running
service is spelled out by the protocols here (``Runtime``); camsla.service.context.Service
satisfies them, and so does any stand-in a test builds."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Protocol

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates

from camsla.db import Database, sla_report
from camsla.kernel import Settings
from camsla.web.figures import FigureCache

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))


class BufferState(Protocol):
    """The observation buffer as the pages see it (camsla.service.buffer.ObservationBuffer)."""

    @property
    def failing(self) -> bool: ...  # the newest write attempt failed
    @property
    def last_error(self) -> str | None: ...
    @property
    def stored(self) -> int: ...
    @property
    def failures(self) -> int: ...
    @property
    def spooled(self) -> int: ...
    @property
    def spool_files(self) -> int: ...
    def __len__(self) -> int: ...  # observations waiting to be written


class JobState(Protocol):
    """One scheduled job's counters (camsla.service.stats.JobStats)."""

    @property
    def runs(self) -> int: ...
    @property
    def missed(self) -> int: ...
    @property
    def skipped(self) -> int: ...
    @property
    def max_late_s(self) -> float: ...
    @property
    def last_duration_s(self) -> float | None: ...


class SchedulerState(Protocol):
    @property
    def jobs(self) -> Mapping[str, JobState]: ...


class Runtime(Protocol):
    """What the pages read from the running service: buffer, scheduler counters, the newest
    cycle per job (``last_cycle["liveness"]``: probe.CycleStats)."""

    @property
    def buffer(self) -> BufferState: ...
    @property
    def scheduler_stats(self) -> SchedulerState: ...
    @property
    def last_cycle(self) -> Mapping[str, object]: ...


class RunningService(Runtime, Protocol):
    """What create_app is given: the runtime plus the settings and database it runs with."""

    @property
    def settings(self) -> Settings: ...
    @property
    def db(self) -> Database: ...


@dataclass
class AppContext:
    settings: Settings
    db: Database
    runtime: Runtime
    figures: FigureCache = field(init=False)  # the status page's day and month figures

    def __post_init__(self) -> None:
        web = self.settings.web
        self.figures = FigureCache(
            self.report, {"day": web.status_day_refresh_s, "month": web.status_month_refresh_s}
        )

    @classmethod
    def of(cls, service: RunningService) -> AppContext:
        return cls(settings=service.settings, db=service.db, runtime=service)

    def report(self, start: datetime, end: datetime, sector: str | None = None) -> dict[str, Any]:
        """The SLA report over [start, end) as JSON (blocking: run it in a thread)."""
        return sla_report(self.db, start, end, self.settings.stale_after, sector=sector, now=datetime.now(UTC),
                          tz=self.settings.tz).as_dict()


def get_context(request: Request) -> AppContext:
    return request.app.state.context


ContextDep = Annotated[AppContext, Depends(get_context)]
