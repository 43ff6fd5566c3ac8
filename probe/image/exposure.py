"""Exposure faults: ``too_dark`` (even the bright end of the picture is dark) and ``too_bright``
(the picture as a whole is washed out, or much of it is clipped). Night (IR) pictures are judged
with night thresholds: a dim IR picture is normal unless it is really unusable."""

from __future__ import annotations

from probe.image.context import AnalyzerResult, FrameContext

CLIPPED_LEVEL = 250


def analyze_too_dark(ctx: FrameContext) -> AnalyzerResult:
    p95 = ctx.luma_percentile(95)
    limit = ctx.thresholds.pick("dark_luma_p95_max", ctx.night)
    metrics = {"luma_p95": p95, "luma_mean": round(ctx.luma_mean, 2), "too_dark_limit": limit}
    return AnalyzerResult(("too_dark",) if is_too_dark(ctx) else (), metrics)


def is_too_dark(ctx: FrameContext) -> bool:
    return ctx.luma_percentile(95) <= ctx.thresholds.pick("dark_luma_p95_max", ctx.night)


def is_too_bright(ctx: FrameContext) -> bool:
    """Washed out: bright overall or much of it clipped -- and, with the camera's reference, much
    brighter than its normal picture (a white wall or a sheet of paper is bright by nature)."""
    t = ctx.thresholds
    clipped = float(1.0 - ctx.luma_cdf[CLIPPED_LEVEL - 1])
    bright = ctx.luma_mean >= t.pick("bright_luma_mean_min", ctx.night)
    burnt = clipped >= t.bright_clipped_share_min
    if ctx.reference_grey is not None:
        ref = ctx.reference_grey
        bright &= ctx.luma_mean - float(ref.mean()) >= t.bright_over_reference_min
        burnt &= clipped - float((ref >= CLIPPED_LEVEL).mean()) >= t.bright_clipped_share_min / 2
    return bright or burnt


def analyze_too_bright(ctx: FrameContext) -> AnalyzerResult:
    clipped = float(1.0 - ctx.luma_cdf[CLIPPED_LEVEL - 1])
    bright = is_too_bright(ctx)
    metrics = {"luma_mean": round(ctx.luma_mean, 2), "luma_p10": ctx.luma_percentile(10), "clipped_share": round(clipped, 4)}
    return AnalyzerResult(("too_bright",) if bright else (), metrics)
