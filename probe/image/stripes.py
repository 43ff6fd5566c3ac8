"""``stripes`` (条纹干扰): periodic interference bars or lines across the picture.

Interference adds a periodic pattern over the whole frame, which is a sharp, isolated peak in the
2-D spectrum, whereas natural content has a smooth, roughly 1/f spectrum. The measure is the
largest peak's power over that of the ring of frequencies around it (log10 of the ratio), outside the
lowest frequencies (lighting gradients, vignetting). A scene can be periodic itself (a brick wall,
a fence, a facade); with a reference frame a peak that the reference has too is not a fault, and
a moderate peak counts only while the coarse layout still is the reference's (else another view's
own periodic structure: scene_change). A peak of stripes_peak_certain or more that the reference
does not have counts whatever the layout: strong bars over an IR picture can spoil its coarse
likeness to a day reference (the only views of the evaluation photographs with such a peak of
their own -- a scanned photograph's halftone -- have it in their reference too).
"""

from __future__ import annotations

import cv2
import numpy as np

from probe.image.context import AnalyzerResult, FrameContext

LOW_FREQ = 4  # bins around DC left out: shading and vignetting, not stripes
NEIGHBOURHOOD = 15


def half_power(grey: np.ndarray) -> np.ndarray:
    """Power spectrum of the windowed picture for fx >= 0 (a real picture's spectrum is symmetric),
    rows fy centred on h // 2. From OpenCV's packed (CCS) real DFT, the fastest one."""
    h, w = grey.shape
    h, w = h - h % 2, w - w % 2
    img = grey[:h, :w].astype(np.float32)
    img -= img.mean()
    img *= cv2.createHanningWindow((w, h), cv2.CV_32F)
    ccs = cv2.dft(img)
    power = np.empty((h, w // 2), np.float32)
    re, im = ccs[:, 1 : w - 1 : 2], ccs[:, 2 : w - 1 : 2]
    power[:, 1:] = re * re + im * im
    col = ccs[:, 0]  # fx = 0: itself packed along the rows
    pairs = col[1 : h - 1 : 2] ** 2 + col[2 : h - 1 : 2] ** 2  # fy = 1 .. h/2 - 1
    power[0, 0] = col[0] ** 2
    power[h // 2, 0] = col[h - 1] ** 2
    power[1 : h // 2, 0] = pairs
    power[h // 2 + 1 :, 0] = pairs[::-1]
    return np.roll(power, h // 2, axis=0)


def prominence_map(grey: np.ndarray) -> np.ndarray:
    """log10 power of each frequency (fx >= 0, fy centred) over its surrounding ring; the lowest
    frequencies and the redundant half of the fx = 0 column are -inf."""
    power = half_power(grey)
    peak = cv2.blur(power, (3, 3)) * 9  # a peak leaks into its neighbours through the window
    inner = cv2.blur(power, (5, 5)) * 25
    outer = cv2.blur(power, (NEIGHBOURHOOD, NEIGHBOURHOOD)) * NEIGHBOURHOOD**2
    background = (outer - inner) * (9 / (NEIGHBOURHOOD**2 - 25))  # the ring around it, same area
    prominence = np.log10((peak + 1e-3) / (np.maximum(background, 0) + 1e-3))
    cy = power.shape[0] // 2
    prominence[cy - LOW_FREQ : cy + LOW_FREQ + 1, : LOW_FREQ + 1] = -np.inf
    prominence[: cy + 1, 0] = -np.inf
    return prominence


def stripe_peak(grey: np.ndarray) -> tuple[float, float, float]:
    """(peak prominence, its frequency as cycles per picture width fx and height fy)."""
    prominence = prominence_map(grey)
    iy, ix = np.unravel_index(int(np.argmax(prominence)), prominence.shape)
    return float(prominence[iy, ix]), float(ix), float(iy - prominence.shape[0] // 2)


def prominence_at(grey: np.ndarray, fx: float, fy: float) -> float:
    """The largest prominence within one bin of the frequency (fx, fy) cycles per picture."""
    prominence = prominence_map(grey)
    h, w = grey.shape
    if abs(fx) > w / 2.5 or abs(fy) > h / 2.5:
        return float("nan")  # not representable at this size
    if fx < 0 or (fx == 0 and fy < 0):
        fx, fy = -fx, -fy
    x, y = round(fx), round(prominence.shape[0] // 2 + fy)
    window = prominence[max(0, y - 1) : y + 2, max(0, x - 1) : x + 2]
    finite = window[np.isfinite(window)]
    return float(finite.max()) if finite.size else float("nan")


CROP = 384  # px: interference covers the whole picture, so a central window of the detail copy shows it


def central(grey: np.ndarray, size: int = CROP) -> np.ndarray:
    h, w = grey.shape
    y, x = max(0, (h - size) // 2), max(0, (w - size) // 2)
    return grey[y : y + size, x : x + size]


def analyze_stripes(ctx: FrameContext) -> AnalyzerResult:
    t = ctx.thresholds
    window = central(ctx.detail)
    peak, fx, fy = stripe_peak(window)
    h, w = window.shape
    period = 1.0 / max(float(np.hypot(fx / w, fy / h)), 1e-6)
    metrics: dict[str, float | str | bool] = {"stripes_peak": round(peak, 3), "stripes_period_px": round(period, 1)}
    striped = peak >= t.stripes_peak_min
    if striped and ctx.reference is not None:
        # a regular structure of the scene itself (brick, fence, facade) is in the reference too
        # (its frequency in cycles per whole picture, which is the same at the reference's size)
        full_h, full_w = ctx.detail.shape
        ref = prominence_at(ctx.reference_grey, fx * full_w / w, fy * full_h / h)
        if np.isfinite(ref):
            metrics["stripes_peak_in_reference"] = round(ref, 3)
            striped = ref < t.stripes_peak_min - t.stripes_reference_margin
        if striped and peak < t.stripes_peak_certain:
            # interference is a fine pattern over the same view: the coarse layout still matches
            # the reference; if it does not, the periodic structure is another view's own
            # (a moved or replaced view: scene_change)
            from probe.image.scene import coarse_similarity

            coarse = coarse_similarity(ctx.grey, ctx.reference_grey)
            metrics["stripes_coarse_similarity"] = round(coarse, 4)
            striped = coarse >= (t.scene_similarity_min_night if ctx.cross_mode else t.scene_similarity_min)
    return AnalyzerResult(("stripes",) if striped else (), metrics)
