"""The Service object: what the jobs and the web pages share while `camsla serve` runs -- settings,
the database, the observation buffer, the scheduler counters and the newest liveness cycle.

The bottom of the service package: it imports only the kernel, camsla.db, sla, the buffer and the
scheduler's counters. The job modules (image, recording, scheduler) import the Service from here,
and camsla.service.app (the runner) imports them, so no import goes in a circle."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from camsla.db import Database
from camsla.kernel import Observation, Settings
from camsla.service.buffer import ObservationBuffer
from camsla.service.stats import SchedulerStats
from camsla.service.targets import TargetCache
from sla import StateChange


class ImageTicker(Protocol):
    """What the image job needs of the image checker (camsla.service.image.ImageChecker)."""

    async def tick(self) -> int: ...


@dataclass
class Service:
    settings: Settings
    db: Database
    buffer: ObservationBuffer
    scheduler_stats: SchedulerStats = field(default_factory=SchedulerStats)
    last_cycle: dict[str, object] = field(default_factory=dict)  # "liveness": CycleStats, "url": the page
    recovered: set[str] = field(default_factory=set)  # cameras back online since the last recording tick
    image: ImageTicker | None = None  # set by run_service (it owns the process pool)
    targets: TargetCache = field(init=False)  # the cameras to probe, also while the database is away
    schema_pending: bool = False  # started without the database: migrate it once it answers

    def __post_init__(self) -> None:
        self.buffer.on_stored = self.on_changes
        self.targets = TargetCache(Path(self.settings.inventory_snapshot))

    def observe(self, obs: Observation) -> None:
        """Every probe result passes here, queued for the store (which keeps the current state)."""
        self.buffer.put(obs)

    def on_changes(self, changes: list[StateChange]) -> None:
        """State changes the store reported: a camera whose liveness went from fail to ok is due
        for a recording check (its recorder may have lost footage while it was down)."""
        for c in changes:
            if c.check == "liveness" and c.after[0] == "ok" and c.before is not None and c.before[0] == "fail":
                self.recovered.add(c.camera_id)
