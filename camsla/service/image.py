"""Scheduled image checks (视频质量诊断): grab one frame per camera on its sector's cadence, analyse
it in a process pool off the event loop (liveness probing never stalls), and store the verdict as
an ``image`` observation, the frame's thumbnail as the camera's previous frame, the first good
frame as its reference when it has none, and a failing frame's thumbnail as evidence."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import time
from concurrent.futures import Executor, ProcessPoolExecutor
from datetime import UTC, datetime
from typing import Any

from camsla.db import baselines, latest_liveness
from camsla.kernel import Observation, Settings
from camsla.service.context import Service
from camsla.service.targets import active_cameras, camera_target
from probe import start_offset

log = logging.getLogger("camsla.image")
IMAGE_TICK_S = 30.0
GRAB_CONCURRENCY = 32


def make_pool(settings: Settings) -> Executor:
    # spawn: a forked child of a process running an event loop and threads is not safe
    return ProcessPoolExecutor(max_workers=settings.image.workers, mp_context=multiprocessing.get_context("spawn"))


def thresholds_for(settings: Settings, sector_code: str, profile: dict[str, Any] | None):
    """Defaults < [image] thresholds < [image.sector_thresholds.<sector>] < camera profile "thresholds"."""
    from probe.image import Thresholds

    return Thresholds.merged(
        settings.image.thresholds,
        settings.image.sector_thresholds.get(sector_code, {}),
        (profile or {}).get("thresholds", {}),
    )


def validate_thresholds(settings: Settings) -> None:
    """At start: a bad threshold in the settings stops the service with its key named."""
    for sector in settings.image.sector_thresholds or {"": {}}:
        thresholds_for(settings, sector, None)


# Faults that, judged without the camera's reference frame, are guesses about what it should see.
REFERENCE_RELATIVE = frozenset({"occlusion", "blur", "scene_change"})
# Faults that without a reference may be the view's own nature -- a bright or one-coloured scene,
# a facade's regular pattern, fine texture -- as often as a fault (about one normal picture in
# eight of the evaluation's held-out photographs judged without a reference): at commissioning
# they hold the adoption for a person to decide, and the check is `error` (not judged), so a
# camera is never counted degraded on a guess. Signal loss, a black or too dark picture and a
# frozen one need no reference and fail as always.
NATURE_WITHOUT_REFERENCE = frozenset({"too_bright", "stripes", "color_cast", "noise"})


def analyse_frame(
    image: Any, encoded: bytes | None, reference: bytes | None, previous: bytes | None, thresholds: Any,
    evidence_max_bytes: int,
) -> dict[str, Any]:
    """Runs in a worker process: decode if needed, analyse, make the thumbnails to keep.

    A camera with no reference frame yet (commissioning) adopts this frame as its reference when
    it shows at most reference-relative faults (occlusion, blur, scene_change: guesses without a
    reference), which are then judged against it, as VQD products do from the picture accepted at
    commissioning. A frame that shows only faults that may be the view's nature (too bright,
    stripes, colour cast, noise) is not adopted but "awaiting" a person's decision; a frame with
    a fault that needs no reference (no signal, black, too dark, frozen) fails. Operators set or
    replace a reference with `camsla baseline set` or on the camera page."""
    from probe.image import analyze, decode, decode_image, encode_jpeg, thumbnail

    frame = image if image is not None else decode(encoded or b"")
    if frame is None:
        return {"faults": ("decode_error",), "metrics": {"reason": "frame did not decode"}, "thumb": None,
                "evidence": None, "adopted": False, "awaiting": False}
    ref = decode_image(reference) if reference else None
    prev = decode_image(previous) if previous else None
    verdict = analyze(frame, reference=ref, previous=prev, thresholds=thresholds)
    thumb = thumbnail(frame)
    adopted = awaiting = False
    faults = tuple(verdict.faults)
    metrics = {**verdict.metrics, "night": verdict.night}
    if ref is None and set(faults) <= REFERENCE_RELATIVE:
        adopted = True
        verdict = analyze(frame, reference=thumb, previous=prev, thresholds=thresholds)
        faults, metrics = tuple(verdict.faults), {**verdict.metrics, "night": verdict.night}
    elif ref is None and set(faults) <= REFERENCE_RELATIVE | NATURE_WITHOUT_REFERENCE:
        awaiting = True
        metrics["unconfirmed_faults"] = ",".join(faults)
        faults = ()
    return {
        "faults": faults,
        "metrics": metrics,
        "thumb": encode_jpeg(thumb),
        "evidence": encode_jpeg(thumb, evidence_max_bytes) if faults else None,
        "adopted": adopted,
        "awaiting": awaiting,
    }


def interval_for(settings: Settings, sector_code: str) -> float:
    return settings.image.sector_interval_s.get(sector_code, settings.image.interval_s)


class ImageChecker:
    """Which cameras are due, and one check of one camera."""

    def __init__(self, service: Service, pool: Executor) -> None:
        self.service = service
        self.pool = pool
        self.last: dict[str, float] = {}  # camera -> monotonic time of its last image check
        self.started = time.monotonic()

    def due(self, camera_id: str, sector_code: str, now: float) -> bool:
        interval = interval_for(self.service.settings, sector_code)
        last = self.last.get(camera_id)
        if last is None:  # first round: spread over one interval, like the liveness jitter
            return now - self.started >= start_offset(camera_id, interval)
        return now - last >= interval


    async def check(self, cam: Any) -> Observation | None:
        from probe.frame import FrameError, NoFrameSource, grab_frame

        settings = self.service.settings
        target = camera_target(cam, settings)
        ts = datetime.now(UTC)
        try:
            frame = await grab_frame(target, settings)
        except NoFrameSource:
            return None
        except FrameError as e:
            metrics = {**e.metrics, "reason": e.reason, "frame_fault": e.fault}
            if e.fault == "decode_error":  # the camera sent a picture that is not one
                return Observation(cam.camera_id, ts, "image", "fail", ("decode_error",), metrics, "frame")
            # no picture to judge: the check could not run (liveness owns reachability and auth)
            return Observation(cam.camera_id, ts, "image", "error", (), metrics, "frame")

        def load() -> tuple[bytes | None, bytes | None]:
            with self.service.db.session() as s:
                return (baselines.load_bytes(s, cam.camera_id, baselines.REFERENCE),
                        baselines.load_bytes(s, cam.camera_id, baselines.PREVIOUS))

        reference, previous = await asyncio.to_thread(load)
        thresholds = thresholds_for(settings, cam.sector_code, cam.profile)
        loop = asyncio.get_running_loop()
        result = await loop.run_in_executor(
            self.pool, analyse_frame, None if frame.encoded else frame.image, frame.encoded, reference, previous,
            thresholds, settings.image.evidence_max_bytes,
        )
        faults = result["faults"]
        metrics = {**frame.metrics, **result["metrics"], "has_reference": reference is not None,
                   "reference_adopted": result["adopted"]}
        if result["awaiting"]:  # not judged: the picture may be the view's nature; a person decides
            metrics["reason"] = (
                f"awaiting a reference picture: judged without one it looks {metrics['unconfirmed_faults']}; "
                "accept the latest frame on the camera page or with `camsla baseline set`"
            )
        status = "error" if result["awaiting"] else "fail" if faults else "ok"
        obs = Observation(cam.camera_id, ts, "image", status, faults, metrics, frame.source)

        def keep() -> None:
            with self.service.db.session() as s:
                if result["thumb"] is not None:
                    baselines.store(s, cam.camera_id, baselines.PREVIOUS, result["thumb"], ts, frame.source)
                    if result["adopted"]:  # commissioning: the first usable picture
                        baselines.store(s, cam.camera_id, baselines.REFERENCE, result["thumb"], ts, "first_good_frame")
                if result["evidence"] is not None:
                    baselines.add_evidence(s, cam.camera_id, ts, "image", faults, result["evidence"], metrics)

        await asyncio.to_thread(keep)
        return obs

    async def tick(self) -> int:
        def cameras():
            # A camera whose newest liveness result failed is skipped: no picture can be had now
            # (the grab would only time out); it is checked on the first tick after it is back.
            with self.service.db.session() as s:
                cams = [c for c in active_cameras(s, datetime.now(UTC)) if c.snapshot_url or c.onvif_url or c.rtsp_url]
                live = latest_liveness(s, [c.camera_id for c in cams])
            return [c for c in cams if not (c.camera_id in live and live[c.camera_id].status == "fail")]

        now = time.monotonic()
        batch = [c for c in await asyncio.to_thread(cameras) if self.due(c.camera_id, c.sector_code, now)]
        sem = asyncio.Semaphore(GRAB_CONCURRENCY)

        async def one(cam: Any) -> None:
            async with sem:
                self.last[cam.camera_id] = time.monotonic()
                try:
                    obs = await self.check(cam)
                except Exception:  # noqa: BLE001 - one camera's surprise must not stop the others
                    log.exception("image check of %s failed", cam.camera_id)
                    return
                if obs is not None:
                    self.service.observe(obs)

        await asyncio.gather(*(one(c) for c in batch))
        return len(batch)


async def image_job(service: Service) -> None:
    if service.image is None:
        return
    n = await service.image.tick()
    if n:
        log.info("image checks: %d camera(s)", n)
