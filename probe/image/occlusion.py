"""``occlusion`` (视频遮挡): part or most of the view covered by something close to the lens
(hand, bag, cloth, leaves, tape, spray paint).

Something at the lens is far out of focus, so it shows as one large, connected, flat region of one
colour (shaded gradually at most). The picture is cut into cells; a cell is flat when its (lightly
smoothed) luma varies no more than the picture's own noise explains; flat neighbours whose colours
differ only a little are grown into regions, and the largest one is the covered share.

- Without a reference frame the covered share must be large (sky, walls and road are big flat
  regions in normal views too), or the picture must be mostly one saturated colour (spray paint);
  a view that is mostly sky or plain wall is then reported covered -- give the camera a reference.
- With the camera's reference frame (the normal case) only cells that had texture in the reference and are now
  part of that flat region count, so a view that always had a large sky is not "covered"; and the
  part that is not covered must still look like the reference (else the view moved or zoomed).
"""

from __future__ import annotations

import cv2
import numpy as np

from probe.image.context import AnalyzerResult, FrameContext
from probe.image.noise import noise_sigma
from probe.image.scene import similarity

CELL = 8  # working-copy pixels per cell side
SAME_COLOUR = 12.0  # Lab distance within which cells are "the same colour"
STEP = 4  # Lab units between neighbouring cells of one region: a cover may be shaded, not patchy
PAINT_CHROMA = 12.0
MOSTLY_COVERED = 0.5  # vs the reference: so much newly flat is a cover even if the rest differs


FLAT_STD = 1.5  # grey levels of cell std that count as flat in a noise-free picture
FLAT_PER_NOISE = 0.6  # plus this much per grey level of the picture's noise sigma


def _cells(frame: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """(cell mean Lab (gh, gw, 3) float, cell luma std (gh, gw), the flat-cell std limit)."""
    h, w = frame.shape[:2]
    gh, gw = max(2, h // CELL), max(2, w // CELL)
    lab = cv2.cvtColor(frame, cv2.COLOR_BGR2LAB).astype(np.float32)
    lab_cells = cv2.resize(lab, (gw, gh), interpolation=cv2.INTER_AREA)
    raw = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    grey = cv2.GaussianBlur(raw.astype(np.float32), (3, 3), 0)
    mean = cv2.resize(grey, (gw, gh), interpolation=cv2.INTER_AREA)
    mean_sq = cv2.resize(grey * grey, (gw, gh), interpolation=cv2.INTER_AREA)
    std = np.sqrt(np.maximum(mean_sq - mean * mean, 0.0))
    return lab_cells, std, FLAT_STD + FLAT_PER_NOISE * noise_sigma(raw)


def _dominant(lab_cells: np.ndarray, mask: np.ndarray) -> np.ndarray | None:
    pts = lab_cells[mask]
    if len(pts) == 0:
        return None
    q = (pts // np.array([16.0, 8.0, 8.0])).astype(np.int64)
    keys = q[:, 0] * 1024 + q[:, 1] * 32 + q[:, 2]
    values, counts = np.unique(keys, return_counts=True)
    top = values[np.argmax(counts)]
    return pts[keys == top].mean(axis=0)


def _largest_region(lab_cells: np.ndarray, flat: np.ndarray) -> np.ndarray:
    """The largest connected set of flat cells whose colour changes only gradually."""
    image = np.clip(lab_cells, 0, 255).astype(np.uint8)
    h, w = flat.shape
    mask = np.ones((h + 2, w + 2), np.uint8)
    mask[1:-1, 1:-1][flat] = 0  # non-flat cells are walls
    best = np.zeros_like(flat)
    best_size = 0
    todo = flat.copy()
    for label in range(2, 256):  # each region gets its own value in the (shared) mask
        seeds = np.flatnonzero(todo)
        if len(seeds) <= best_size:
            break
        y, x = divmod(int(seeds[0]), w)
        cv2.floodFill(image, mask, (x, y), (0, 0, 0), (STEP,) * 3, (STEP,) * 3,
                      8 | cv2.FLOODFILL_MASK_ONLY | (label << 8))
        region = mask[1:-1, 1:-1] == label
        todo &= ~region
        size = int(region.sum())
        if size > best_size:
            best, best_size = region, size
    return best


def analyze_occlusion(ctx: FrameContext) -> AnalyzerResult:
    t = ctx.thresholds
    lab_cells, std, flat_limit = _cells(ctx.frame)
    flat = std <= flat_limit
    n = flat.size
    metrics: dict[str, float | str | bool] = {
        "flat_share": round(float(flat.mean()), 4),
        "flat_cell_std_limit": round(flat_limit, 3),
    }

    region = _largest_region(lab_cells, flat)
    covered = float(region.sum() / n)
    metrics["covered_share"] = round(covered, 4)

    overall = _dominant(lab_cells, np.ones_like(flat))
    one_colour = float((np.linalg.norm(lab_cells - overall, axis=-1) <= SAME_COLOUR).mean())
    chroma = float(np.hypot(overall[1] - 128.0, overall[2] - 128.0))
    metrics["one_colour_share"] = round(one_colour, 4)
    metrics["dominant_chroma"] = round(chroma, 2)

    if ctx.reference is None:
        # on its own the picture can only be judged leniently: a view that is mostly sky or a
        # plain wall looks the same as a covered lens
        occluded = covered >= t.occlusion_share_max
        occluded |= one_colour >= t.occlusion_one_colour_share_max and chroma >= PAINT_CHROMA
    else:
        # the reference says what this camera normally sees: only newly flat parts count
        _, ref_std, ref_limit = _cells(ctx.reference)
        had_texture = ref_std > ref_limit
        newly = float((region & had_texture).sum() / n)
        metrics["covered_share_vs_reference"] = round(newly, 4)
        occluded = False
        if newly >= t.occlusion_share_max_vs_reference:
            # covered means the rest is still the reference view; if the rest is another view
            # too, the camera was moved or zoomed (scene_change), not covered
            # (the cover's own edge is left out of that comparison)
            near_cover = cv2.dilate(region.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
            rest, _, _, _ = similarity(ctx.frame, ctx.reference, keep=~near_cover)
            metrics["uncovered_similarity"] = round(rest, 4)
            occluded = rest >= t.scene_similarity_min or newly >= MOSTLY_COVERED
    return AnalyzerResult(("occlusion",) if occluded else (), metrics)
