"""What every analyzer receives: the working copies of one frame and the statistics several
analyzers need, each computed once, on first use.

The full frame is touched exactly once: area-averaged halvings (fast in OpenCV only for an exact
factor of two) give the *detail* copy, (320, 640] px wide, for the measures that need fine detail
(blur, noise, stripes: exact halvings keep the noise statistics honest), and a bilinear step from
that gives the 320 px *work* copy everything else uses. The reference and previous frames (stored
as ``thumbnail()`` copies) are brought to the work copy's size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import cv2
import numpy as np

from probe.image.thresholds import Thresholds
from probe.image.workcopy import DETAIL_WIDTH, WORK_WIDTH, as_bgr, downscale, halve_to, resize_to

Metrics = dict[str, float | str | bool]
TINY_WIDTH = 80


@dataclass(frozen=True, slots=True)
class AnalyzerResult:
    faults: tuple[str, ...] = ()
    metrics: Metrics = field(default_factory=dict)


def chroma_of(lab: np.ndarray) -> np.ndarray:
    """Lab chroma (0..~180) of a uint8 Lab image, float32."""
    a = lab[:, :, 1].astype(np.float32) - 128.0
    b = lab[:, :, 2].astype(np.float32) - 128.0
    return cv2.magnitude(a, b)


def percentile_u8(values: np.ndarray, q: float) -> float:
    """The q-th percentile of uint8 values through their histogram (much faster than np.percentile)."""
    hist = np.bincount(values.ravel(), minlength=256)
    cdf = np.cumsum(hist)
    return float(np.searchsorted(cdf, q / 100.0 * cdf[-1]))


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
        self.detail_bgr = halve_to(full, DETAIL_WIDTH)
        self.frame = downscale(self.detail_bgr, WORK_WIDTH)
        self.thresholds = thresholds
        self.size = (self.frame.shape[1], self.frame.shape[0])
        self.reference = None if reference is None else resize_to(as_bgr(reference, "reference"), self.size)
        self.previous = None if previous is None else resize_to(as_bgr(previous, "previous"), self.size)
        self._night_override = night

    # -- luma ---------------------------------------------------------------------------------
    @cached_property
    def grey(self) -> np.ndarray:
        return cv2.cvtColor(self.frame, cv2.COLOR_BGR2GRAY)

    @cached_property
    def detail(self) -> np.ndarray:
        """Grey copy (320, 640] px wide, for measures that need fine detail (blur, noise, stripes)."""
        return cv2.cvtColor(self.detail_bgr, cv2.COLOR_BGR2GRAY)

    @cached_property
    def luma_cdf(self) -> np.ndarray:
        hist = np.bincount(self.grey.ravel(), minlength=256).astype(np.float64)
        return np.cumsum(hist) / hist.sum()

    def luma_percentile(self, q: float) -> float:
        return float(np.searchsorted(self.luma_cdf, q / 100.0))

    @cached_property
    def luma_mean(self) -> float:
        return float(self.grey.mean())

    @cached_property
    def noise_sigma(self) -> float:
        from probe.image.noise import noise_sigma

        return noise_sigma(self.detail)

    @cached_property
    def work_noise_sigma(self) -> float:
        """The noise sigma scaled to the work copy (resampling by s averages noise down ~1/s)."""
        return self.noise_sigma * min(1.0, self.frame.shape[1] / self.detail_bgr.shape[1])

    @cached_property
    def tiny(self) -> np.ndarray:
        """A colour copy (40, 80] px wide, for whole-picture judgements (signal loss, colour)."""
        return halve_to(self.frame, TINY_WIDTH)

    # -- colour -------------------------------------------------------------------------------
    @cached_property
    def tiny_lab(self) -> np.ndarray:
        return cv2.cvtColor(self.tiny, cv2.COLOR_BGR2LAB)

    @cached_property
    def lab(self) -> np.ndarray:
        return cv2.cvtColor(self.frame, cv2.COLOR_BGR2LAB)

    @cached_property
    def chroma(self) -> np.ndarray:
        return chroma_of(self.lab)

    @cached_property
    def chroma_p90(self) -> float:
        """90th-percentile Lab chroma, on the tiny copy (chroma is smooth; IR pictures have none)."""
        return percentile_u8(np.minimum(chroma_of(self.tiny_lab), 255).astype(np.uint8), 90)

    @cached_property
    def night(self) -> bool:
        """Monochrome (IR) picture, unless the caller knows the camera's day/night state."""
        if self._night_override is not None:
            return bool(self._night_override)
        return self.chroma_p90 <= self.thresholds.night_chroma_max

    # -- the reference ------------------------------------------------------------------------
    @cached_property
    def reference_grey(self) -> np.ndarray | None:
        return None if self.reference is None else cv2.cvtColor(self.reference, cv2.COLOR_BGR2GRAY)

    @cached_property
    def reference_lab(self) -> np.ndarray | None:
        return None if self.reference is None else cv2.cvtColor(self.reference, cv2.COLOR_BGR2LAB)

    @cached_property
    def reference_tiny(self) -> np.ndarray | None:
        return None if self.reference is None else halve_to(self.reference, TINY_WIDTH)

    @cached_property
    def reference_noise_sigma(self) -> float:
        from probe.image.noise import noise_sigma

        return 0.0 if self.reference_grey is None else noise_sigma(self.reference_grey)

    @cached_property
    def reference_is_colour(self) -> bool:
        if self.reference_tiny is None:
            return False
        lab = cv2.cvtColor(self.reference_tiny, cv2.COLOR_BGR2LAB)
        chroma = np.minimum(chroma_of(lab), 255).astype(np.uint8)
        return percentile_u8(chroma, 90) > self.thresholds.night_chroma_max

    @cached_property
    def cross_mode(self) -> bool:
        """An IR night picture judged against a day (colour) reference, or the other way round:
        surfaces render otherwise, so comparisons with the reference are less exact."""
        return self.reference is not None and self.reference_is_colour == self.night

    @cached_property
    def scene(self):
        """Comparison with the reference view (probe.image.scene.SceneMatch), or None without one."""
        if self.reference is None:
            return None
        from probe.image.scene import match

        return match(self.grey, self.reference_grey)
