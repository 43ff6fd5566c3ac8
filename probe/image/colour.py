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


def chroma_stats(bgr: np.ndarray) -> tuple[float, float, float, float]:
    """(mean a, mean b, spread M, share of near-neutral pixels) over pixels neither black nor clipped."""
    lab = cv2.cvtColor(bgr, cv2.COLOR_BGR2LAB).astype(np.float32)
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
    ma, mb, m, neutral = chroma_stats(ctx.frame)
    d = float(np.hypot(ma, mb))
    k = d / max(m, 1.0)
    metrics: dict[str, float | str | bool] = {
        "color_cast_judged": True,
        "cast_k": round(k, 3),
        "cast_offset": round(d, 2),
        "neutral_share": round(neutral, 4),
    }
    ref = ctx.reference
    if ref is not None and _is_colour(ref, t.night_chroma_max):
        shift = balance_shift(ctx.frame, ref)
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


def balance_shift(frame: np.ndarray, reference: np.ndarray) -> float:
    """How far the white balance moved from the reference's, at neutral grey.

    Per cell, the change of log(R/G) (and log(B/G)) against its value in the reference is fitted
    with a line: a white-balance fault multiplies a channel, which shifts every cell by the same
    amount (the intercept), whereas a change of gamma or contrast scales the log ratios (the slope)
    and leaves neutral grey alone. Same view assumed (a moved view is scene_change)."""
    size = (40, max(4, round(40 * frame.shape[0] / frame.shape[1])))
    cur = cv2.resize(frame, size, interpolation=cv2.INTER_AREA).reshape(-1, 3).astype(np.float32)
    ref = cv2.resize(reference, size, interpolation=cv2.INTER_AREA).reshape(-1, 3).astype(np.float32)
    usable = (cur.min(axis=1) > 12) & (cur.max(axis=1) < 245) & (ref.min(axis=1) > 12) & (ref.max(axis=1) < 245)
    if usable.sum() < 20:
        usable = np.ones(len(cur), bool)
    cur, ref = cur[usable] + 1.0, ref[usable] + 1.0
    shifts = []
    for channel in (2, 0):  # R, B against G
        x = np.log(ref[:, channel] / ref[:, 1])
        y = np.log(cur[:, channel] / cur[:, 1]) - x
        if x.std() > 0.05:
            slope, intercept = np.polyfit(x, y, 1)
            shifts.append(float(intercept))
        else:
            shifts.append(float(np.median(y)))
    return float(np.hypot(*shifts))


def _is_colour(bgr: np.ndarray, night_chroma_max: float) -> bool:
    lab = cv2.cvtColor(bgr, cv2.COLOR_BGR2LAB).astype(np.float32)
    chroma = np.hypot(lab[:, :, 1] - 128.0, lab[:, :, 2] - 128.0)
    return float(np.percentile(chroma, 90)) > night_chroma_max
