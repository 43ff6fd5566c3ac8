"""The result of one liveness kind on one camera, before the kinds are combined into an Observation."""

from __future__ import annotations

from dataclasses import dataclass, field

from camsla.kernel import MetricValue, Status


@dataclass(frozen=True, slots=True)
class KindResult:
    """``ok``; ``fail`` with one liveness fault code; or ``error`` when the kind could not run at all
    (a bad URL in the inventory, an unknown kind): never ``error`` for a camera that fails.
    ``metrics`` are the measured values (rtt per phase in seconds, status codes, method used),
    ``reason`` says in one line why it was judged so."""

    kind: str
    status: Status
    fault: str | None = None
    reason: str = ""
    metrics: dict[str, MetricValue] = field(default_factory=dict)


def ok(kind: str, reason: str = "", **metrics: MetricValue) -> KindResult:
    return KindResult(kind, "ok", None, reason, metrics)


def failed(kind: str, fault: str, reason: str, **metrics: MetricValue) -> KindResult:
    return KindResult(kind, "fail", fault, reason, metrics)


def errored(kind: str, reason: str, **metrics: MetricValue) -> KindResult:
    return KindResult(kind, "error", None, reason, metrics)
