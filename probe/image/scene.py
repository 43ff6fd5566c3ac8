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

import cv2
import numpy as np

from probe.image.context import AnalyzerResult, FrameContext

WIDTH = 160
SHAKE = 0.02  # share of the picture size still counted as "the same view"


def orientation_field(bgr: np.ndarray) -> tuple[np.ndarray, float]:
    """(complex field w * exp(2i theta), mean gradient magnitude in grey levels per pixel)."""
    grey = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY).astype(np.float32)
    h, w = grey.shape
    size = (WIDTH, max(8, round(h * WIDTH / w)))
    grey = cv2.resize(grey, size, interpolation=cv2.INTER_AREA)
    grey = cv2.GaussianBlur(grey, (5, 5), 1.2)
    gx = cv2.Sobel(grey, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(grey, cv2.CV_32F, 0, 1, ksize=3)
    mag2 = gx * gx + gy * gy
    mag = np.sqrt(mag2)
    scale = float(np.percentile(mag, 75)) + 1e-3
    weight = mag / (mag + scale)
    z = (gx * gx - gy * gy + 2j * gx * gy) / (mag2 + 1e-6) * weight
    return z.astype(np.complex64), float(mag.mean() / 8.0)


def similarity(
    current: np.ndarray, reference: np.ndarray, keep: np.ndarray | None = None
) -> tuple[float, float, float, float]:
    """(similarity within the shake allowance, best similarity anywhere, its dx, dy as shares).

    ``keep`` (a boolean grid of any size) limits the comparison to part of the picture."""
    za, _ = orientation_field(current)
    zb, _ = orientation_field(reference)
    if keep is not None:
        grid = cv2.resize(keep.astype(np.uint8), (za.shape[1], za.shape[0]), interpolation=cv2.INTER_NEAREST)
        za = za * grid
        zb = zb * grid
    fa = np.fft.fft2(za)
    fb = np.fft.fft2(zb)
    corr = np.real(np.fft.ifft2(fa * np.conj(fb)))
    norm = float(np.sqrt((np.abs(za) ** 2).sum() * (np.abs(zb) ** 2).sum())) + 1e-9
    corr /= norm
    h, w = corr.shape
    ry, rx = max(1, round(SHAKE * h)), max(1, round(SHAKE * w))
    rolled = np.roll(np.roll(corr, ry, axis=0), rx, axis=1)
    local = float(rolled[: 2 * ry + 1, : 2 * rx + 1].max())
    iy, ix = np.unravel_index(int(np.argmax(corr)), corr.shape)
    dy = (iy if iy <= h // 2 else iy - h) / h
    dx = (ix if ix <= w // 2 else ix - w) / w
    return local, float(corr.max()), float(dx), float(dy)


def analyze_scene_change(ctx: FrameContext) -> AnalyzerResult:
    if ctx.reference is None:
        return AnalyzerResult((), {"scene_judged": False})
    t = ctx.thresholds
    _, structure = orientation_field(ctx.reference)
    if structure < t.scene_min_structure:
        return AnalyzerResult((), {"scene_judged": False, "reference_structure": round(structure, 4)})
    local, best, dx, dy = similarity(ctx.frame, ctx.reference)
    metrics = {
        "scene_judged": True,
        "scene_similarity": round(local, 4),
        "scene_best_similarity": round(best, 4),
        "scene_shift_x": round(dx, 3),
        "scene_shift_y": round(dy, 3),
    }
    return AnalyzerResult(("scene_change",) if local < t.scene_similarity_min else (), metrics)
