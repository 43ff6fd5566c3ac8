"""``frozen`` (画面冻结): the picture has not changed since the previous frame.

What can honestly be told apart from two frames minutes apart:

- a frozen stream repeats the same image: identical, or differing only by re-encoding (JPEG/H.264
  quantisation) noise, which is fine-grained and small everywhere;
- a live camera shows *some* local change: the OSD clock, people, vehicles, leaves, light.

Both frames are lightly smoothed (which removes most quantisation and sensor noise), cut into
blocks, and the share of blocks that changed by more than re-encoding can explain decides. A
handful of changed blocks is allowed, because a recorder can keep stamping a ticking OSD clock
over a frozen picture -- but only in the OSD bands (top and bottom of the picture): a change of
more than a couple of blocks in the picture itself is a live scene (a person walking into a
corner of a still view changes few blocks, but not where the clock is).

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
OSD_BAND = 0.12  # share of the height at the top and the bottom where cameras burn in their OSD
PICTURE_BLOCKS_MAX = 2  # changed blocks outside the OSD bands still taken as re-encoding excursions


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
    moved = blocks > t.frozen_block_diff_max
    changed = float(moved.mean())
    # the allowance for a few changed blocks is for the OSD clock a recorder may keep stamping;
    # a change in the picture itself (outside the OSD bands), however small, is a live scene
    band = int(round(OSD_BAND * moved.shape[0]))
    in_picture = int(moved[band : moved.shape[0] - band].sum())
    frozen = changed <= t.frozen_changed_share_max and in_picture <= PICTURE_BLOCKS_MAX
    metrics = {
        "frozen_judged": True,
        "frozen_changed_share": round(changed, 4),
        "frozen_picture_blocks_changed": float(in_picture),
        "frozen_mean_diff": round(float(blocks.mean()), 3),
        "frozen_max_block_diff": round(float(blocks.max()), 3),
    }
    return AnalyzerResult(("frozen",) if frozen else (), metrics)
