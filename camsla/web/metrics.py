"""Prometheus exposition of the service's own counters (scheduler, buffer, latest verdicts), read
through the AppContext (camsla.web.deps); the route is camsla.web.routes.metrics."""

from __future__ import annotations

from datetime import UTC, datetime

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from camsla.db import counts_by_status
from camsla.web.deps import AppContext


class ServiceCollector:
    def __init__(self, context: AppContext) -> None:
        self.context = context

    def collect(self):  # noqa: ANN201 - prometheus_client collector protocol
        ctx = self.context
        s = ctx.runtime
        runs = CounterMetricFamily("camsla_job_runs", "Scheduled job runs", labels=["job"])
        missed = CounterMetricFamily("camsla_job_missed", "Job starts missed (misfire)", labels=["job"])
        skipped = CounterMetricFamily("camsla_job_skipped", "Job starts skipped: previous run still going", labels=["job"])
        late = GaugeMetricFamily("camsla_job_max_late_seconds", "Worst lateness of a job start", labels=["job"])
        for name, js in s.scheduler_stats.jobs.items():
            runs.add_metric([name], js.runs)
            missed.add_metric([name], js.missed)
            skipped.add_metric([name], js.skipped)
            late.add_metric([name], js.max_late_s)
        yield from (runs, missed, skipped, late)
        b = s.buffer
        for family, name, doc, value in (
            (CounterMetricFamily, "camsla_observations_stored", "Observations written to the store", b.stored),
            (CounterMetricFamily, "camsla_store_write_failures", "Batches that could not be written (kept, retried)",
             b.failures),
            (GaugeMetricFamily, "camsla_observations_buffered", "Observations waiting to be written", len(b)),
            (CounterMetricFamily, "camsla_observations_spooled",
             "Observations spilled to the local spool (database not writable)", b.spooled),
            (GaugeMetricFamily, "camsla_spool_files", "Spool files waiting to be stored", b.spool_files),
        ):
            yield family(name, doc, value=value)
        cycle = s.last_cycle.get("liveness")
        if cycle is not None:
            last = GaugeMetricFamily("camsla_liveness_last_cycle", "The last liveness cycle", labels=["what"])
            for what in ("count", "ok", "fail", "error", "duration_s", "max_start_lag_s", "overran"):
                last.add_metric([what], float(getattr(cycle, what)))
            yield last
        verdicts = GaugeMetricFamily(
            "camsla_cameras_by_status", "Cameras by their newest result per check", labels=["check", "status"]
        )
        with ctx.db.session() as session:
            counts = counts_by_status(session, datetime.now(UTC), ctx.settings.stale_after)
        for (check, status), n in sorted(counts.items()):
            verdicts.add_metric([check, status], n)
        yield verdicts


def render(context: AppContext) -> bytes:
    registry = CollectorRegistry()
    registry.register(ServiceCollector(context))
    return generate_latest(registry)
