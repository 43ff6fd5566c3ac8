"""Whole-screen faults: ``signal_loss`` (a synthetic blue/flat colour or colour-bar picture that an
encoder or recorder shows when it has no video) and ``black_screen`` (nothing but black)."""

from __future__ import annotations

import cv2
import numpy as np

from probe.image.context import AnalyzerResult, FrameContext

FLAT_TOLERANCE = 6  # grey levels per channel: a generated picture is flat up to compression noise
BARS_TOLERANCE = 12


def _flat_colour(frame: np.ndarray) -> tuple[float, float, float]:
    """(share of pixels at the dominant colour, its saturation, its brightness)."""
    channels = cv2.split(frame)
    colour = [int(np.median(c)) for c in channels]
    near = np.ones(frame.shape[:2], bool)
    for c, v in zip(channels, colour, strict=True):
        near &= cv2.absdiff(c, v).reshape(c.shape) <= FLAT_TOLERANCE
    hi, lo = max(colour), min(colour)
    sat = (hi - lo) / hi if hi > 0 else 0.0
    return float(near.mean()), float(sat), float(hi)


def _bars(frame: np.ndarray) -> tuple[float, int]:
    """(share of the upper picture equal to its column's colour, distinct saturated hues in it)."""
    top = frame[: max(4, int(frame.shape[0] * 0.6))]
    columns = np.median(top, axis=0).astype(np.int16)  # (w, 3)
    dist = np.abs(top.astype(np.int16) - columns[None]).max(axis=-1)
    column_share = float((dist <= BARS_TOLERANCE).mean())
    cols = columns.astype(np.uint8)[None]
    hsv = cv2.cvtColor(cols, cv2.COLOR_BGR2HSV)[0]
    vivid = (hsv[:, 1] >= 90) & (hsv[:, 2] >= 60)
    hist = np.bincount((hsv[vivid, 0].astype(int) + 7) // 15 % 12, minlength=12)
    hues = int((hist >= max(2, 0.04 * frame.shape[1])).sum())
    return column_share, hues


# a generated screen is flat or barred at any size: it is judged on the context's tiny copy


def analyze_signal_loss(ctx: FrameContext) -> AnalyzerResult:
    t = ctx.thresholds
    small = ctx.tiny
    share, sat, value = _flat_colour(small)
    column_share, hues = _bars(small)
    flat = share >= t.signal_flat_share_min and sat >= t.signal_flat_saturation_min and value >= 60
    bars = column_share >= t.signal_bars_column_share_min and hues >= t.signal_bars_hues_min
    metrics = {
        "signal_flat_share": round(share, 4),
        "signal_flat_saturation": round(sat, 3),
        "signal_bars_column_share": round(column_share, 4),
        "signal_bars_hues": float(hues),
    }
    return AnalyzerResult(("signal_loss",) if flat or bars else (), metrics)


def dark_structure(grey: np.ndarray) -> float:
    """Spread (90th - 10th percentile) of the smoothed picture: a black screen has only noise,
    which the smoothing removes, an underexposed scene still has its shapes. Percentiles leave an
    OSD overlay (a few % of the picture) out."""
    smooth = cv2.GaussianBlur(grey.astype(np.float32), (0, 0), 2.0)
    lo, hi = np.percentile(smooth, [10, 90])
    return float(hi - lo)


def analyze_black_screen(ctx: FrameContext) -> AnalyzerResult:
    t = ctx.thresholds
    p95 = ctx.luma_percentile(95)
    metrics: dict[str, float | str | bool] = {"luma_mean": round(ctx.luma_mean, 2), "luma_p95": p95}
    black = False
    if p95 <= t.black_luma_p95_max:
        structure = dark_structure(ctx.grey)
        metrics["dark_structure"] = round(structure, 3)
        black = structure <= t.black_structure_max
    return AnalyzerResult(("black_screen",) if black else (), metrics)
