"""Recording integrity (录像完整性): is the camera recording now, are the last 24 h whole, are
enough days kept.

A recording source is one async function ``(target, settings) -> RecordingEvidence`` that gathers
what a recorder knows; RECORDING_SOURCES names them. ``timeline.build_report`` judges the evidence
(pure). A source that cannot run raises ``RecordingSourceError(reason, detail)``; the check then
reports ``error`` with ``metrics["reason"]`` (e.g. ``auth_failed``: the camera's credentials are a
liveness matter — liveness owns the ``auth_failed`` fault — so the recording result is "could not
check", never a recording fault).

Camera profile (``Camera.profile["recording"]``)::

    {"source": "onvif"}                                  # default when the camera has an onvif_url
    {"source": "onvif", "url": "http://nvr:80/onvif/device_service", "recording_token": "R1"}
    {"source": "storage", "root": "/mnt/nvr", "pattern": "{camera_id}/%Y%m%d/%H%M%S-%H%M%S.mp4"}
    {"source": "storage", "root": "/mnt/nvr", "pattern": "re:(?P<start>\\d{14})_(?P<end>\\d{14})\\.mp4"}
    {"source": "storage", "root": "/mnt/nvr", "pattern": "metadata"}   # times from the container
    plus optional "mode": "continuous" | "motion", "not_recording_after_s", "gap_threshold_s",
    "retention_days" (overrides of settings.recording and its sector_retention_days).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from camsla.kernel import Observation
from probe.recording.onvif_profile_g import fetch_onvif_evidence
from probe.recording.storage_scan import scan_storage_evidence
from probe.recording.target import ERROR_REASONS, RecordingSourceError, RecordingTarget
from probe.recording.timeline import (
    Gap,
    RecordingEvidence,
    RecordingReport,
    RecordingThresholds,
    Span,
    TimelineError,
    build_report,
)

RecordingSource = Callable[[RecordingTarget, Any], Awaitable[RecordingEvidence]]

# Sources import zeep / PyAV inside their functions, so this table is cheap to import.
RECORDING_SOURCES: dict[str, RecordingSource] = {
    "onvif": fetch_onvif_evidence,
    "storage": scan_storage_evidence,
}


def recording_source(name: str) -> RecordingSource:
    try:
        return RECORDING_SOURCES[name]
    except KeyError:
        raise RecordingSourceError(
            "bad_config", f"recording source {name!r} unknown (expected one of {', '.join(sorted(RECORDING_SOURCES))})"
        ) from None


async def inspect_recording(target: RecordingTarget, settings: Any, now: datetime | None = None) -> RecordingReport:
    """Gather evidence from the camera's recording source and judge it. Raises RecordingSourceError."""
    try:
        thresholds = RecordingThresholds.from_settings(settings.recording, target.sector_code, target.config)
    except (TimelineError, TypeError, ValueError) as e:
        raise RecordingSourceError("bad_config", f"camera {target.camera_id} profile.recording: {e}") from e
    source = recording_source(target.source)
    evidence = await source(target, settings)
    now = now or datetime.now(UTC)
    return build_report(
        target.camera_id, evidence, now, thresholds, commissioned_at=target.commissioned_at, source=target.source
    )


async def check_recording(target: RecordingTarget, settings: Any, now: datetime | None = None) -> Observation:
    """The scheduled check: one ``recording`` Observation, ``error`` when the source could not run."""
    try:
        report = await inspect_recording(target, settings, now)
    except RecordingSourceError as e:
        return error_observation(target.camera_id, e, now or datetime.now(UTC), target.source)
    return report.to_observation()


def error_observation(camera_id: str, error: RecordingSourceError, now: datetime, source: str = "") -> Observation:
    return Observation(
        camera_id=camera_id,
        ts=now,
        check="recording",
        status="error",
        metrics={"reason": error.reason, "detail": error.detail},
        source=source,
    )


__all__ = [
    "ERROR_REASONS",
    "RECORDING_SOURCES",
    "Gap",
    "RecordingEvidence",
    "RecordingReport",
    "RecordingSourceError",
    "RecordingTarget",
    "RecordingThresholds",
    "Span",
    "build_report",
    "check_recording",
    "error_observation",
    "inspect_recording",
    "recording_source",
]
