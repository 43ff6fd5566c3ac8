"""Scheduled recording-integrity checks: every ``recording.interval_s`` for each camera with a
recording source, and again soon after a camera comes back online (its recorder may have lost
footage while it was down)."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from camsla.service.context import Service
from camsla.service.targets import active_cameras

log = logging.getLogger("camsla.recording")
CONCURRENCY = 8  # recorders are slow and few: a handful of searches at a time
RECOVERY_TICK_S = 5.0


def has_recording_source(camera) -> bool:  # noqa: ANN001 - camsla.db.models.Camera
    return bool(camera.onvif_url or (camera.profile or {}).get("recording"))


async def check_cameras(service: Service, only: set[str] | None = None) -> int:
    from probe.recording import RecordingTarget, check_recording

    def targets():
        with service.db.session() as s:
            return [
                RecordingTarget.from_camera(c)
                for c in active_cameras(s, datetime.now(UTC))
                if has_recording_source(c) and (only is None or c.camera_id in only)
            ]

    batch = await asyncio.to_thread(targets)
    sem = asyncio.Semaphore(CONCURRENCY)

    async def one(target) -> None:  # noqa: ANN001
        async with sem:
            service.observe(await check_recording(target, service.settings))

    await asyncio.gather(*(one(t) for t in batch))
    return len(batch)


async def recording_job(service: Service) -> None:
    n = await check_cameras(service)
    log.info("recording checks: %d camera(s)", n)


async def recording_recovered_job(service: Service) -> None:
    """Cameras that came back online since the last tick get their recording checked now."""
    if not service.recovered:
        return
    ids, service.recovered = service.recovered, set()
    n = await check_cameras(service, ids)
    if n:
        log.info("recording re-checked for %d camera(s) back online", n)
