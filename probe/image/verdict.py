"""Run the analyzer table over one frame and combine the results into one verdict."""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from probe.image.context import FrameContext, Metrics
from probe.image.registry import ANALYZERS, SUPPRESSES, TERMINAL
from probe.image.thresholds import DEFAULT_THRESHOLDS, Thresholds


@dataclass(frozen=True, slots=True)
class ImageVerdict:
    faults: tuple[str, ...]
    metrics: Metrics = field(default_factory=dict)
    night: bool = False

    @property
    def ok(self) -> bool:
        return not self.faults


def analyze(
    frame: np.ndarray,
    *,
    reference: np.ndarray | None = None,
    previous: np.ndarray | None = None,
    thresholds: Thresholds | None = None,
    night: bool | None = None,
) -> ImageVerdict:
    """Diagnose one decoded BGR (or grey) uint8 frame.

    ``reference`` and ``previous`` may be full frames or ``thumbnail()`` copies. ``night`` forces
    the day/night judgement when the caller knows the camera's IR state; by default a monochrome
    picture is taken as IR night.
    """
    ctx = FrameContext(
        frame,
        thresholds=thresholds or DEFAULT_THRESHOLDS,
        reference=reference,
        previous=previous,
        night=night,
    )
    found: list[str] = []
    metrics: Metrics = {}
    for analyzer in ANALYZERS.values():
        result = analyzer(ctx)
        metrics.update(result.metrics)
        found.extend(result.faults)
        if TERMINAL.intersection(result.faults):
            break
    kept: list[str] = []
    for fault in found:  # table order is priority order: only a kept fault masks later ones
        if not any(fault in SUPPRESSES.get(k, frozenset()) for k in kept):
            kept.append(fault)
    faults = tuple(kept)
    suppressed = sorted(set(found) - set(faults))
    metrics["night"] = ctx.night
    metrics["chroma_p90"] = round(ctx.chroma_p90, 2)
    metrics["width"], metrics["height"] = float(ctx.full_size[0]), float(ctx.full_size[1])
    if suppressed:
        metrics["suppressed"] = ",".join(suppressed)
    return ImageVerdict(faults=faults, metrics=metrics, night=ctx.night)


def decode(data: bytes) -> np.ndarray | None:
    """A BGR frame from encoded image bytes, or None when they are not a complete image."""
    if not data:
        return None
    if data[:2] == b"\xff\xd8" and b"\xff\xd9" not in data[-64:]:
        return None  # a JPEG cut short: OpenCV would fill the missing part with grey
    buf = np.frombuffer(data, dtype=np.uint8)
    frame = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    if frame is None or frame.size == 0:
        return None
    return frame


def analyze_bytes(
    data: bytes,
    *,
    reference: np.ndarray | None = None,
    previous: np.ndarray | None = None,
    thresholds: Thresholds | None = None,
    night: bool | None = None,
) -> ImageVerdict:
    """Like ``analyze`` on encoded bytes (JPEG, PNG, ...); bytes that do not decode to a complete
    image give the fault ``decode_error`` instead of an exception."""
    frame = decode(data)
    if frame is None:
        return ImageVerdict(faults=("decode_error",), metrics={"bytes": float(len(data))})
    return analyze(frame, reference=reference, previous=previous, thresholds=thresholds, night=night)
