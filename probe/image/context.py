"""What every analyzer receives: the working copies of one frame, computed once and shared."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import cv2
import numpy as np

from probe.image.thresholds import Thresholds
from probe.image.thumbnail import DETAIL_WIDTH, WORK_WIDTH, as_bgr, downscale, resize_to

Metrics = dict[str, float | str | bool]


@dataclass(frozen=True, slots=True)
class AnalyzerResult:
    faults: tuple[str, ...] = ()
    metrics: Metrics = field(default_factory=dict)


class FrameContext:
    """One frame's working copies and shared statistics; attributes are computed on first use."""

    def __init__(
        self,
        frame: np.ndarray,
        *,
        thresholds: Thresholds,
        reference: np.ndarray | None = None,
        previous: np.ndarray | None = None,
        night: bool | None = None,
    ) -> None:
        full = as_bgr(frame)
        self.full_size = (full.shape[1], full.shape[0])
        self.frame = downscale(full, WORK_WIDTH)
        self._detail_source = full
        self.thresholds = thresholds
        size = (self.frame.shape[1], self.frame.shape[0])
        self.reference = None if reference is None else resize_to(as_bgr(reference, "reference"), size)
        self.previous = None if previous is None else resize_to(as_bgr(previous, "previous"), size)
        self._night_override = night

    # -- luma ---------------------------------------------------------------------------------
    @cached_property
    def grey(self) -> np.ndarray:
        return cv2.cvtColor(self.frame, cv2.COLOR_BGR2GRAY)

    @cached_property
    def detail(self) -> np.ndarray:
        """Grey copy at most 640 px wide, for measures that need fine detail (blur, noise, stripes)."""
        small = downscale(self._detail_source, DETAIL_WIDTH)
        self._detail_source = None  # the full frame is not needed any more
        return cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)

    @cached_property
    def luma_cdf(self) -> np.ndarray:
        hist = np.bincount(self.grey.ravel(), minlength=256).astype(np.float64)
        return np.cumsum(hist) / hist.sum()

    def luma_percentile(self, q: float) -> float:
        return float(np.searchsorted(self.luma_cdf, q / 100.0))

    @cached_property
    def luma_mean(self) -> float:
        return float(self.grey.mean())

    # -- colour -------------------------------------------------------------------------------
    @cached_property
    def lab(self) -> np.ndarray:
        return cv2.cvtColor(self.frame, cv2.COLOR_BGR2LAB)

    @cached_property
    def chroma_ab(self) -> tuple[np.ndarray, np.ndarray]:
        lab = self.lab.astype(np.float32)
        return lab[:, :, 1] - 128.0, lab[:, :, 2] - 128.0

    @cached_property
    def chroma(self) -> np.ndarray:
        a, b = self.chroma_ab
        return cv2.magnitude(a, b)

    @cached_property
    def chroma_p90(self) -> float:
        return float(np.percentile(self.chroma, 90))

    @cached_property
    def night(self) -> bool:
        """Monochrome (IR) picture, unless the caller knows the camera's day/night state."""
        if self._night_override is not None:
            return bool(self._night_override)
        return self.chroma_p90 <= self.thresholds.night_chroma_max
