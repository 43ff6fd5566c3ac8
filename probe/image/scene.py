"""``scene_change`` (场景变更): the view is not the camera's reference view any more (panned,
tilted, zoomed or replaced).

Lighting alone (gain, gamma, day vs IR night, where surfaces can even swap from darker to lighter
than their surroundings) must not count. So the pictures are compared by edge *orientation*: at
each pixel the gradient direction as a doubled angle (so a contrast inversion is the same edge),
weighted by edge strength relative to the picture's own typical edge (so gain does not matter).
The similarity is the normalised correlation of the two orientation fields, allowing a small
shake of a few percent; a moved or replaced view has its edges elsewhere and scores near 0.
The best whole-picture shift is reported as well, so an operator sees "moved right by 18 %".
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from probe.image.context import AnalyzerResult, FrameContext

WIDTH = 96  # px: coarse enough that sensor noise (IR night) does not decide, fine enough for a 10 % pan
SHAKE = 0.02  # share of the picture size still counted as "the same view"


def _grey(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image


COARSE_WIDTH = 56  # px: fine interference (stripes, a few % of the width per period) averages out


def orientation_field(image: np.ndarray, width: int = WIDTH) -> tuple[np.ndarray, float]:
    """(complex field w * exp(2i theta), mean gradient magnitude in grey levels per pixel) of a
    BGR or grey picture, at ``width`` px."""
    grey = _grey(image)
    h, w = grey.shape
    size = (width, max(8, round(h * width / w)))
    grey = cv2.resize(grey, size, interpolation=cv2.INTER_AREA).astype(np.float32)
    grey = cv2.GaussianBlur(grey, (5, 5), 1.2)
    gx = cv2.Sobel(grey, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(grey, cv2.CV_32F, 0, 1, ksize=3)
    mag2 = gx * gx + gy * gy
    mag = np.sqrt(mag2)
    flat = mag.ravel()
    k = int(flat.size * 0.75)
    scale = float(np.partition(flat, k)[k]) + 1e-3
    weight = mag / (mag + scale) / (mag2 + 1e-6)
    z = np.empty(grey.shape, np.complex64)
    z.real = (gx * gx - gy * gy) * weight
    z.imag = 2 * gx * gy * weight
    return z, float(mag.mean() / 8.0)


def _correlate(za: np.ndarray, zb: np.ndarray) -> tuple[float, float, float, float]:
    """Circular cross-correlation of two complex fields (OpenCV's DFT, much faster than numpy's)."""
    fa = cv2.dft(np.dstack([za.real, za.imag]), flags=cv2.DFT_COMPLEX_OUTPUT)
    fb = cv2.dft(np.dstack([zb.real, zb.imag]), flags=cv2.DFT_COMPLEX_OUTPUT)
    corr = cv2.idft(cv2.mulSpectrums(fa, fb, 0, conjB=True), flags=cv2.DFT_SCALE)[:, :, 0]
    norm = float(np.sqrt(float((np.abs(za) ** 2).sum()) * float((np.abs(zb) ** 2).sum()))) + 1e-9
    corr /= norm
    h, w = corr.shape
    ry, rx = max(1, round(SHAKE * h)), max(1, round(SHAKE * w))
    rolled = np.roll(np.roll(corr, ry, axis=0), rx, axis=1)
    local = float(rolled[: 2 * ry + 1, : 2 * rx + 1].max())
    iy, ix = np.unravel_index(int(np.argmax(corr)), corr.shape)
    dy = (iy if iy <= h // 2 else iy - h) / h
    dx = (ix if ix <= w // 2 else ix - w) / w
    return local, float(corr.max()), float(dx), float(dy)


def _masked(z: np.ndarray, keep: np.ndarray | None) -> np.ndarray:
    if keep is None:
        return z
    grid = cv2.resize(keep.astype(np.uint8), (z.shape[1], z.shape[0]), interpolation=cv2.INTER_NEAREST)
    return z * grid


@dataclass(frozen=True)
class SceneMatch:
    """How the current picture compares with the reference view."""

    similarity: float  # within the shake allowance
    best: float  # anywhere
    dx: float
    dy: float
    reference_structure: float
    current_field: np.ndarray
    reference_field: np.ndarray

    def similarity_where(self, keep: np.ndarray) -> float:
        """The similarity over part of the picture only (``keep``: a boolean grid of any size)."""
        return _correlate(_masked(self.current_field, keep), _masked(self.reference_field, keep))[0]


def match(current: np.ndarray, reference: np.ndarray) -> SceneMatch:
    za, _ = orientation_field(current)
    zb, structure = orientation_field(reference)
    local, best, dx, dy = _correlate(za, zb)
    return SceneMatch(local, best, dx, dy, structure, za, zb)


def coarse_similarity(current: np.ndarray, reference: np.ndarray) -> float:
    """The similarity (within the shake allowance) of the coarse layout only, at COARSE_WIDTH px:
    interference bars or lines over the same view leave it, another view does not."""
    za, _ = orientation_field(current, COARSE_WIDTH)
    zb, _ = orientation_field(reference, COARSE_WIDTH)
    return _correlate(za, zb)[0]


def similarity(
    current: np.ndarray, reference: np.ndarray, keep: np.ndarray | None = None
) -> tuple[float, float, float, float]:
    """(similarity within the shake allowance, best similarity anywhere, its dx, dy as shares).

    ``keep`` (a boolean grid of any size) limits the comparison to part of the picture."""
    za, _ = orientation_field(current)
    zb, _ = orientation_field(reference)
    return _correlate(_masked(za, keep), _masked(zb, keep))


def analyze_scene_change(ctx: FrameContext) -> AnalyzerResult:
    m = ctx.scene
    if m is None:
        return AnalyzerResult((), {"scene_judged": False})
    t = ctx.thresholds
    if m.reference_structure < t.scene_min_structure:
        return AnalyzerResult((), {"scene_judged": False, "reference_structure": round(m.reference_structure, 4)})
    metrics = {
        "scene_judged": True,
        "scene_similarity": round(m.similarity, 4),
        "scene_best_similarity": round(m.best, 4),
        "scene_shift_x": round(m.dx, 3),
        "scene_shift_y": round(m.dy, 3),
    }
    limit = t.scene_similarity_min_night if ctx.cross_mode else t.scene_similarity_min
    metrics["scene_limit"] = limit
    return AnalyzerResult(("scene_change",) if m.similarity < limit else (), metrics)
