"""Several liveness kinds on one camera -> one ``liveness`` Observation. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from camsla.kernel import MetricValue, Observation
from probe.liveness.result import KindResult


def combine(camera_id: str, ts: datetime, results: Sequence[KindResult], duration_s: float) -> Observation:
    """``fail`` with the fault of the first failing kind (in the camera's kind order); else ``error`` when
    a kind could not run; else ``ok``. Every kind's metrics are kept, prefixed with the kind name, with
    ``failed_kind`` and ``reason`` saying why."""
    metrics: dict[str, MetricValue] = {"kinds": ",".join([r.kind for r in results]),
                                       "duration_s": round(duration_s, 6)}
    failing = broken = None
    for r in results:
        kind = r.kind
        for name, value in r.metrics.items():
            metrics[f"{kind}_{name}"] = value
        metrics[f"{kind}_result"] = r.fault or r.status
        if r.reason:
            metrics[f"{kind}_reason"] = r.reason
        if r.status == "fail":
            failing = failing or r
        elif r.status == "error":
            broken = broken or r
    if failing is not None:
        metrics["failed_kind"] = failing.kind
        metrics["reason"] = f"{failing.kind}: {failing.reason}"
        return Observation(camera_id, ts, "liveness", "fail", (failing.fault or "unreachable",), metrics, failing.kind)
    if broken is not None:
        metrics["failed_kind"] = broken.kind
        metrics["reason"] = f"{broken.kind} could not run: {broken.reason}"
        return Observation(camera_id, ts, "liveness", "error", (), metrics, broken.kind)
    if not results:
        metrics["reason"] = "no liveness kinds configured for this camera"
        return Observation(camera_id, ts, "liveness", "error", (), metrics, "")
    if len(results) == 1:
        metrics["reason"] = f"{results[0].kind}: {results[0].reason}" if results[0].reason else ""
        return Observation(camera_id, ts, "liveness", "ok", (), metrics, results[0].kind)
    metrics["reason"] = "; ".join([f"{r.kind}: {r.reason}" for r in results if r.reason])
    return Observation(camera_id, ts, "liveness", "ok", (), metrics, "+".join([r.kind for r in results]))
