"""``noise`` (雪花/snow): random pixel noise, judged by a robust noise-sigma estimate.

Immerkaer's estimator (1996): convolve with a mask that cancels every locally-planar signal, so
what remains is noise plus edges. It is taken per block and the estimate is a low percentile over
the blocks, because noise is everywhere while edges and texture are only in some blocks. Blocks
that are clipped black or white carry no noise and are left out. Night (IR) pictures carry more
sensor noise by nature and are judged with the night threshold.

Fine texture (foliage, gravel, a circuit board) also reads as noise to the estimator. With the
camera's day reference, in day mode, the picture must also be noisier than the reference at the
same scale (the working copy against the stored reference thumbnail): the texture reads the same
in both, added noise only now.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from probe.image.context import AnalyzerResult, FrameContext

_MASK = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], dtype=np.float32)
BLOCK = 16
PERCENTILE = 25


def noise_sigma(grey: np.ndarray) -> float:
    response = np.abs(cv2.filter2D(grey, cv2.CV_16S, _MASK)[1:-1, 1:-1]).astype(np.float32)
    core = grey[1:-1, 1:-1]
    h, w = response.shape
    bh, bw = h // BLOCK, w // BLOCK
    if bh == 0 or bw == 0:
        return float(math.sqrt(math.pi / 2) / 6 * response.mean())
    # block means (an exact-factor area resize)
    response = cv2.resize(response[: bh * BLOCK, : bw * BLOCK], (bw, bh), interpolation=cv2.INTER_AREA)
    means = cv2.resize(core[: bh * BLOCK, : bw * BLOCK], (bw, bh), interpolation=cv2.INTER_AREA)
    usable = (means > 12) & (means < 243)
    values = response[usable] if usable.sum() >= 4 else response.ravel()
    return float(math.sqrt(math.pi / 2) / 6 * np.percentile(values, PERCENTILE))


def analyze_noise(ctx: FrameContext) -> AnalyzerResult:
    sigma = ctx.noise_sigma
    limit = ctx.thresholds.pick("noise_sigma_max", ctx.night)
    metrics = {"noise_sigma": round(sigma, 3), "noise_limit": limit}
    noisy = sigma > limit
    if noisy and ctx.reference is not None and not ctx.night and not ctx.cross_mode:
        over = noise_sigma(ctx.grey) - ctx.reference_noise_sigma
        metrics["noise_over_reference"] = round(over, 3)
        noisy = over > ctx.thresholds.noise_over_reference_min
    return AnalyzerResult(("noise",) if noisy else (), metrics)
