"""``frozen`` (画面冻结): the picture has not changed since the previous frame.

What can honestly be told apart from two frames minutes apart:

- a frozen stream repeats the same image: identical, or differing only by re-encoding (JPEG/H.264
  quantisation) noise, which is fine-grained and small everywhere;
- a live camera shows *some* local change: the OSD clock, people, vehicles, leaves, light.

Both frames are lightly smoothed (which removes most quantisation and sensor noise), cut into
blocks, and the share of blocks that changed by more than re-encoding can explain decides. A
handful of changed blocks is allowed, because a recorder can keep stamping a ticking OSD clock
over a frozen picture.

What cannot be told apart: a live camera watching a perfectly still scene (nothing moves, light
constant, only the clock ticks and the sensor adds its small noise) is, frame for frame, the same
as a frozen one at the minutes-apart cadence of an image check; it will be reported ``frozen``.
Set ``frozen_changed_share_max`` to -1 for such a camera to disable the check. The grabber's own
repeat detection (same bitstream, same PTS) is stronger evidence where it exists.
"""

from __future__ import annotations

import cv2
import numpy as np

from probe.image.context import AnalyzerResult, FrameContext

BLOCK = 8


def block_change(current: np.ndarray, previous: np.ndarray) -> np.ndarray:
    """Mean |difference| per block between two same-size grey images, after light smoothing."""
    a = cv2.GaussianBlur(current.astype(np.float32), (5, 5), 0)
    b = cv2.GaussianBlur(previous.astype(np.float32), (5, 5), 0)
    diff = cv2.absdiff(a, b)
    h, w = diff.shape
    blocks = cv2.resize(diff, (max(1, w // BLOCK), max(1, h // BLOCK)), interpolation=cv2.INTER_AREA)
    return blocks


def analyze_frozen(ctx: FrameContext) -> AnalyzerResult:
    if ctx.previous is None:
        return AnalyzerResult((), {"frozen_judged": False})
    previous = cv2.cvtColor(ctx.previous, cv2.COLOR_BGR2GRAY)
    t = ctx.thresholds
    blocks = block_change(ctx.grey, previous)
    changed = float((blocks > t.frozen_block_diff_max).mean())
    metrics = {
        "frozen_judged": True,
        "frozen_changed_share": round(changed, 4),
        "frozen_mean_diff": round(float(blocks.mean()), 3),
        "frozen_max_block_diff": round(float(blocks.max()), 3),
    }
    return AnalyzerResult(("frozen",) if changed <= t.frozen_changed_share_max else (), metrics)
