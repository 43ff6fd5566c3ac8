"""`camsla serve`: scheduler, probes, web and metrics in one asyncio process.

The runner: the table of jobs (JOBS), make_service and run_service. The Service object (what the
jobs and the web pages share) lives in camsla.service.context, below the job modules, and is
re-exported here. The web app (camsla.web) never imports this package: it reads the running
service through the protocol in camsla.web.deps."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from datetime import UTC, datetime
from pathlib import Path

from camsla.db import Database, ObservationStore, ensure_month_so_far, make_engine, migrate, open_db
from camsla.db.baselines import prune_evidence
from camsla.kernel import Settings
from camsla.service.buffer import ObservationBuffer
from camsla.service.context import Service
from camsla.service.image import IMAGE_TICK_S, ImageChecker, image_job, make_pool, validate_thresholds
from camsla.service.recording import RECOVERY_TICK_S, recording_job, recording_recovered_job
from camsla.service.scheduler import JobSpec, build_scheduler
from camsla.service.targets import NoInventory, TargetCache
from camsla.web import create_app
from probe import run_cycle

__all__ = ["JOBS", "Service", "liveness_spread_s", "make_service", "run_service"]

log = logging.getLogger("camsla.serve")

PRUNE_INTERVAL_S = 3600.0
ROLLUP_INTERVAL_S = 600.0
SCHEMA_RETRY_S = 5.0


def liveness_spread_s(settings: Settings) -> float:
    """Spread one cycle's probes over the interval, leaving room for the last probes to time out."""
    p = settings.probe
    room = p.liveness_interval_s - p.timeout_s - 2.0
    return max(0.0, min(p.liveness_interval_s * p.jitter, room))


async def liveness_job(service: Service) -> None:
    # the inventory from the database, else the one last read: monitoring does not stop with it --
    # not even for a connection that went silent mid-conversation (no client-side bound but this)
    s = service.settings
    limit = s.database.connect_timeout_s + min(s.database.statement_timeout_s, 10.0)
    try:
        batch = await asyncio.wait_for(
            asyncio.to_thread(service.targets.load, service.db, s, datetime.now(UTC)), limit)
    except TimeoutError:
        batch = service.targets.fallback(f"no answer within {limit:g} s")
    stats = await run_cycle(batch, service.settings.probe, service.observe, spread_s=liveness_spread_s(service.settings))
    service.last_cycle["liveness"] = stats
    log.info("liveness cycle: %d probed, %d ok, %d fail, %d error in %.1fs",
             stats.count, stats.ok, stats.fail, stats.error, stats.duration_s)


async def flush_job(service: Service) -> None:
    await service.buffer.flush()


async def prune_job(service: Service) -> None:
    def prune() -> int:
        now = datetime.now(UTC)
        with service.db.session() as s:
            prune_evidence(s, now, service.settings.image.evidence_retention_days)
            return ObservationStore(s, service.settings.stale_after).prune_raw(now, service.settings.raw_retention_days)

    n = await asyncio.to_thread(prune)
    if n:
        log.info("pruned %d raw observations older than %g days", n, service.settings.raw_retention_days)


async def rollup_job(service: Service) -> None:
    """Keep the daily rollup of the month so far complete: a day that has just ended, or one a late
    result or a new maintenance window deleted, is stored again from the runs."""
    s = service.settings
    n = await asyncio.to_thread(ensure_month_so_far, service.db, datetime.now(UTC), s.stale_after, s.tz)
    if n:
        log.info("daily rollup: %d camera-day(s) stored", n)


async def schema_job(service: Service) -> None:
    """Started while the database was down: bring it to the newest schema once it answers."""
    if not service.schema_pending:
        return
    await asyncio.to_thread(migrate, service.db)
    service.schema_pending = False
    log.info("database reachable again and at the newest schema")


JOBS: tuple[JobSpec, ...] = (
    JobSpec("liveness", liveness_job, lambda s: s.settings.probe.liveness_interval_s, first_delay_s=0.5),
    JobSpec("flush", flush_job, lambda s: s.settings.flush_interval_s),
    JobSpec("schema", schema_job, lambda s: SCHEMA_RETRY_S, first_delay_s=1.0),
    JobSpec("prune", prune_job, lambda s: PRUNE_INTERVAL_S, first_delay_s=60.0),
    JobSpec("rollup", rollup_job, lambda s: ROLLUP_INTERVAL_S, first_delay_s=20.0),
    JobSpec("image", image_job, lambda s: IMAGE_TICK_S, first_delay_s=1.0),
    JobSpec("recording", recording_job, lambda s: s.settings.recording.interval_s, first_delay_s=30.0),
    JobSpec("recording_recovered", recording_recovered_job, lambda s: RECOVERY_TICK_S),
)


def make_service(settings: Settings) -> Service:
    """The service on the configured database; with the database down, on the inventory snapshot
    it last read (results wait in memory and in the spool). Refuses only when there is neither."""
    try:
        db = open_db(settings)
    except Exception as e:  # noqa: BLE001 - down, hung, refusing: any of them
        cache = TargetCache(Path(settings.inventory_snapshot))
        cause = " ".join(str(getattr(e, "orig", None) or e).split())[:300]
        if not cache.available():
            raise NoInventory(f"database unreachable ({cause}) and no inventory snapshot at {cache.path}: "
                              "start once with the database up") from e
        log.warning("database unreachable (%s): starting from the inventory snapshot %s; results are kept "
                    "in memory and in %s until it answers", cause, cache.path, settings.spool_dir)
        db = Database(make_engine(settings.database_url, settings.database))
        service = Service(settings=settings, db=db, buffer=ObservationBuffer(db, settings))
        service.schema_pending = True
        return service
    return Service(settings=settings, db=db, buffer=ObservationBuffer(db, settings))


async def run_service(
    settings: Settings,
    *,
    jobs: tuple[JobSpec, ...] = JOBS,
    on_ready=None,  # noqa: ANN001 - callable(url) once the web server listens
    service: Service | None = None,
    stop: asyncio.Event | None = None,
) -> Service:
    """Run until SIGINT/SIGTERM (or ``stop`` is set); then stop the scheduler and flush the buffer."""
    import uvicorn

    class _Server(uvicorn.Server):
        # uvicorn re-raises SIGTERM/SIGINT once it has stopped, which would kill the process before
        # the buffer is flushed; the service owns the signals instead (see below).
        @contextlib.contextmanager
        def capture_signals(self):  # noqa: ANN202
            yield

    validate_thresholds(settings)
    service = service or make_service(settings)
    pool = make_pool(settings)
    if service.image is None:
        service.image = ImageChecker(service, pool)
    scheduler = build_scheduler(service, jobs)
    app = create_app(service)
    config = uvicorn.Config(app, host=settings.web.host, port=settings.web.port, log_level="warning",
                            lifespan="off")
    server = _Server(config)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()

    def on_signal(signum: int) -> None:
        if stop.is_set():  # a second Ctrl-C: stop now, without waiting for open connections
            server.force_exit = True
        log.info("signal %s: stopping", signal.Signals(signum).name)
        stop.set()

    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(signum, on_signal, signum)
    scheduler.start()

    async def announce() -> None:
        while not server.started:
            await asyncio.sleep(0.05)
            if server.should_exit:
                return
        port = server.servers[0].sockets[0].getsockname()[1] if server.servers else settings.web.port
        url = f"http://{settings.web.host}:{port}/"
        service.last_cycle["url"] = url
        if on_ready:
            on_ready(url)

    async def stopper() -> None:
        await stop.wait()
        server.should_exit = True

    helpers = [asyncio.create_task(announce()), asyncio.create_task(stopper())]
    try:
        await server.serve()
    finally:
        for h in helpers:
            h.cancel()
        for signum in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.remove_signal_handler(signum)
        scheduler.shutdown(wait=False)
        n = len(service.buffer)
        await service.buffer.close()
        log.info("stopped; flushed %d buffered observation(s)%s", n,
                 f", {service.buffer.spool_files} spool file(s) wait for the database" if service.buffer.spool_files else "")
        pool.shutdown(wait=False, cancel_futures=True)
        service.db.dispose()
    return service
