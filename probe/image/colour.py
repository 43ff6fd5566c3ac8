"""``color_cast`` (图像偏色): the whole picture is tinted (white balance lost, IR-cut filter stuck).

Measured in CIE Lab on the working copy. With a day (colour) reference frame the question is
simply whether the colour balance (log R/G, log B/G of the mean) moved away from the reference's:
a scene that is warm by nature (brick, wood, sand) stays as warm as its reference, and a change
of exposure leaves the balance alone. Without a reference the picture
is judged on its own, necessarily more leniently: D is the offset of the mean chroma from
neutral, M the spread around it (the equivalent-circle K = D / M), and the share of near-neutral
pixels, which a real scene (road, walls, shadows) nearly always has and a tinted picture loses.
A monochrome IR night picture is grey by nature and is not judged.
"""

from __future__ import annotations

import cv2
import numpy as np

from probe.image.context import AnalyzerResult, FrameContext

NEUTRAL_CHROMA = 6.0


def chroma_stats(lab: np.ndarray) -> tuple[float, float, float, float]:
    """(mean a, mean b, spread M, share of near-neutral pixels) of a uint8 Lab picture, over
    pixels neither black nor clipped."""
    lab = lab.astype(np.float32)
    lum = lab[:, :, 0]
    usable = (lum > 30) & (lum < 245)
    if usable.sum() < 0.05 * lum.size:
        usable = np.ones_like(usable)
    a, b = lab[:, :, 1][usable] - 128.0, lab[:, :, 2][usable] - 128.0
    ma, mb = float(a.mean()), float(b.mean())
    m = float(np.sqrt(((a - ma) ** 2).mean() + ((b - mb) ** 2).mean()))
    neutral = float((np.hypot(a, b) < NEUTRAL_CHROMA).mean())
    return ma, mb, m, neutral


def analyze_color_cast(ctx: FrameContext) -> AnalyzerResult:
    if ctx.night:
        return AnalyzerResult((), {"color_cast_judged": False})
    t = ctx.thresholds
    ma, mb, m, neutral = chroma_stats(ctx.tiny_lab)
    d = float(np.hypot(ma, mb))
    k = d / max(m, 1.0)
    metrics: dict[str, float | str | bool] = {
        "color_cast_judged": True,
        "cast_k": round(k, 3),
        "cast_offset": round(d, 2),
        "neutral_share": round(neutral, 4),
    }
    ref = ctx.reference
    if ref is not None and ctx.reference_is_colour:
        shift = balance_shift(ctx.tiny, ctx.reference_tiny)
        metrics["cast_shift_vs_reference"] = round(shift, 2)
        cast = shift >= t.cast_shift_min
    else:
        cast = neutral <= t.cast_neutral_share_max and (k >= t.cast_k_min or d >= t.cast_offset_min)
    return AnalyzerResult(("color_cast",) if cast else (), metrics)


def channel_balance(bgr: np.ndarray) -> tuple[float, float]:
    """(log(mean R / mean G), log(mean B / mean G)) over pixels neither black nor clipped: what a
    white-balance fault changes and a change of exposure does not."""
    f = bgr.reshape(-1, 3).astype(np.float32)
    usable = (f.max(axis=1) < 250) & (f.min(axis=1) > 15)
    if usable.sum() >= 0.05 * len(f):
        f = f[usable]
    b, g, r = (float(c) + 1.0 for c in f.mean(axis=0))
    return float(np.log(r / g)), float(np.log(b / g))


def _unclipped(bgr: np.ndarray) -> np.ndarray:
    b, g, r = cv2.split(bgr)
    return (cv2.min(cv2.min(b, g), r) > 12) & (cv2.max(cv2.max(b, g), r) < 245)


def balance_shift(frame: np.ndarray, reference: np.ndarray) -> float:
    """How far the white balance moved from the reference's, at neutral grey.

    Per cell, the change of log(R/G) (and log(B/G)) against its value in the reference is fitted
    with a line: a white-balance fault multiplies a channel, which shifts every cell by the same
    amount (the intercept), whereas a change of gamma or contrast scales the log ratios (the slope)
    and leaves neutral grey alone. Same view assumed (a moved view is scene_change)."""
    size = (40, max(4, round(40 * frame.shape[0] / frame.shape[1])))
    frame = cv2.resize(frame, size, interpolation=cv2.INTER_AREA)
    reference = cv2.resize(reference, size, interpolation=cv2.INTER_AREA)
    usable = _unclipped(frame) & _unclipped(reference)
    if usable.sum() < 20:
        usable = np.ones(usable.shape, bool)
    cur = [c[usable].astype(np.float32) + 1.0 for c in cv2.split(frame)]
    ref = [c[usable].astype(np.float32) + 1.0 for c in cv2.split(reference)]
    shifts = []
    for channel in (2, 0):  # R, B against G
        x = np.log(ref[channel] / ref[1])
        y = np.log(cur[channel] / cur[1]) - x
        if x.std() > 0.05:  # least squares y = slope * x + intercept
            slope = float(((x - x.mean()) * (y - y.mean())).sum() / ((x - x.mean()) ** 2).sum())
            shifts.append(float(y.mean() - slope * x.mean()))
        else:
            shifts.append(float(np.median(y)))
    return float(np.hypot(*shifts))
