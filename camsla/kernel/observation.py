"""One timestamped result of one check on one camera: the unit that flows from probes to the SLA."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from camsla.kernel.faults import FAULTS_BY_CHECK, SECURITY_FAULTS

Check = Literal["liveness", "image", "recording"]
Status = Literal["ok", "fail", "error"]
CHECKS: tuple[Check, ...] = ("liveness", "image", "recording")
STATUSES: tuple[Status, ...] = ("ok", "fail", "error")

# For two different results of one check on one camera at the same instant, the one
# with the higher rank is kept (then the larger sorted fault tuple), whatever the
# delivery order: a worse verdict is never hidden by a duplicate.
STATUS_RANK: dict[str, int] = {"ok": 0, "error": 1, "fail": 2}

MetricValue = float | int | str | bool | None


class ObservationError(ValueError):
    """An observation that breaks the contract (unknown check, status or fault, naive time)."""


@dataclass(frozen=True, slots=True)
class Observation:
    camera_id: str
    ts: datetime
    check: Check
    status: Status
    faults: tuple[str, ...] = ()
    metrics: Mapping[str, MetricValue] = field(default_factory=dict)
    source: str = ""  # which probe kind / collector produced it, e.g. "rtsp", "tcp", "ingest"

    def __post_init__(self) -> None:
        if self.check not in FAULTS_BY_CHECK:
            raise ObservationError(f"unknown check {self.check!r} (expected one of {', '.join(CHECKS)})")
        if self.status not in STATUS_RANK:
            raise ObservationError(f"unknown status {self.status!r} (expected ok, fail or error)")
        if self.ts.tzinfo is None or self.ts.utcoffset() is None:
            raise ObservationError("timestamp has no UTC offset")
        allowed = FAULTS_BY_CHECK[self.check] + SECURITY_FAULTS
        bad = [f for f in self.faults if f not in allowed]
        if bad:
            raise ObservationError(f"unknown fault code(s) for check {self.check}: {', '.join(bad)}")
        object.__setattr__(self, "faults", tuple(sorted(set(self.faults))))
        object.__setattr__(self, "ts", self.ts.astimezone(UTC))

    @property
    def key(self) -> tuple[str, tuple[str, ...]]:
        """What a run is made of: results with the same key extend the same run."""
        return (self.status, self.faults)

    @property
    def rank(self) -> tuple[int, tuple[str, ...]]:
        return (STATUS_RANK[self.status], self.faults)
