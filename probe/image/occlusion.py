"""``occlusion`` (视频遮挡): part or most of the view covered by something close to the lens
(hand, bag, cloth, leaves, tape, spray paint).

Something at the lens is far out of focus, so it shows as one large, connected, flat region of one
colour (shaded gradually at most). The picture is cut into cells; a cell is flat when its (lightly
smoothed) luma varies no more than the picture's own noise explains; flat neighbours whose colours
differ only a little are grown into regions, and the largest one is the covered share.

- Without a reference frame the covered share must be large (sky, walls and road are big flat
  regions in normal views too), or the picture must be mostly one saturated colour (spray paint);
  a view that is mostly sky or plain wall is then reported covered -- give the camera a reference.
- With the camera's reference frame (the production case: every camera gets one at commissioning)
  only cells of that flat region that clearly had texture in the reference, or (in the
  reference's own day/IR mode) now look other than there beyond a picture-wide change of light,
  count -- so a view that always had a large sky or wall is not "covered", while a hand over that
  wall is; and the part that is not covered must still look like the reference (else the view
  moved or zoomed: scene_change).
- An underexposed picture is flat in its dark parts: below the too_dark line it is not judged
  covered (too_dark) -- without a reference, unless it is mostly one saturated colour (paint).
  An overexposed one is not judged at all (too_bright).

- "Looks other" is judged on lightness (against a smooth change of light, below) and on
  chromaticity (log channel ratios against the picture-wide change): white balance and colour
  casts are a gain per colour channel, so a cast alone recolours nothing.
- The cover is the flat region with the most new cells, not simply the largest (a sky beside a
  hand is larger but old). "Looks other than in the reference" allows for a change of light that
  is smooth over the view (IR hot spot, vignetting) and for a change of tone curve (gamma).
- A cover over a part that was already flat (sky, a plain wall) is not new there, but it hides the
  structure along its edge: when the view as a whole no longer matches the reference while the
  part outside the flat region still does, the flat region explains the mismatch: covered, not
  moved.

- A flat region (with its soft edge) that leaves nothing of the view uncovered is a cover: no
  part is left that could show a moved view.
- Translucent covers (paint, film, dirt) leave the scene's own edges faintly in place, so their
  cells are not flat by the noise limit; with the reference, a connected part whose texture fell
  below VEIL of the reference's (after the picture-wide change of contrast) is such a cover,
  provided the rest still is the reference view.

Weak: a cover over a part of the view that was already flat and of about the same lightness
(dusk sky, a plain surface at night) that hides no structure is hard to tell from the view
itself; a lens covered almost entirely by something as flat as a low-texture scene at night.
"""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np

from probe.image.context import AnalyzerResult, FrameContext
from probe.image.exposure import is_too_bright, is_too_dark
from probe.image.workcopy import halve

CELL_HALVINGS = 3
CELL = 2**CELL_HALVINGS  # working-copy pixels per cell side
SAME_COLOUR = 12.0  # Lab distance within which cells are "the same colour"
STEP = 4  # Lab units between neighbouring cells of one region: a cover may be shaded, not patchy
PAINT_CHROMA = 12.0
MOSTLY_COVERED = 0.5  # vs the reference: so much newly flat is a cover even if the rest differs
CHANGED_COLOUR = 10.0  # Lab distance from the reference cell: a flat cell that now looks other
CHANGED_CHROMATICITY = 0.25  # log channel ratio beyond the picture-wide colour balance change
TEXTURE_MARGIN = 2.0  # a reference cell had texture when its std is this many times the flat limit
REST_SLACK_CROSS_MODE = 0.1  # the uncovered rest of an IR picture vs a day reference: this much less similar


FLAT_STD = 1.5  # grey levels of cell std that count as flat in a noise-free picture
FLAT_PER_NOISE = 0.6  # plus this much per grey level of the picture's noise sigma


def cells(bgr: np.ndarray, grey: np.ndarray, noise: float) -> tuple[np.ndarray, np.ndarray, float]:
    """(Lab of the cell means (gh, gw, 3) float, cell luma std (gh, gw), the flat-cell std limit)."""
    lab_cells = cv2.cvtColor(_pool(bgr), cv2.COLOR_BGR2LAB).astype(np.float32)
    return (lab_cells, *cell_std(grey, noise))


def cell_std(grey: np.ndarray, noise: float) -> tuple[np.ndarray, float]:
    """(cell luma std (gh, gw) of the lightly smoothed picture, the flat-cell std limit)."""
    g = cv2.GaussianBlur(grey, (3, 3), 0).astype(np.float32)
    mean = _pool(g)
    mean_sq = _pool(g * g)
    std = np.sqrt(np.maximum(mean_sq - mean * mean, 0.0))
    return std, FLAT_STD + FLAT_PER_NOISE * noise


def _pool(image: np.ndarray) -> np.ndarray:
    """Cell means: CELL_HALVINGS exact area halvings (OpenCV's fast path), at least 2x2 cells."""
    for _ in range(CELL_HALVINGS):
        if min(image.shape[:2]) < 4:
            break
        image = halve(image)
    return image


def _dominant(lab_cells: np.ndarray) -> np.ndarray:
    pts = lab_cells.reshape(-1, 3)
    q = (pts // np.array([16.0, 8.0, 8.0], np.float32)).astype(np.int64)
    keys = q[:, 0] * 1024 + q[:, 1] * 32 + q[:, 2]
    counts = np.bincount(keys - keys.min())
    top = int(np.argmax(counts)) + keys.min()
    return pts[keys == top].mean(axis=0)


def flat_regions(lab_cells: np.ndarray, flat: np.ndarray) -> tuple[np.ndarray, int]:
    """(label per cell, number of labels) of the 8-connected sets of flat cells whose colour
    changes only gradually (at most STEP Lab units per channel between neighbours); label 0 is
    "not flat". Connected components on a lattice with a node per cell and a link node between
    neighbours that are both flat and close in colour."""
    h, w = flat.shape
    lattice = np.zeros((2 * h - 1, 2 * w - 1), np.uint8)
    lattice[::2, ::2] = flat

    def close(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return (np.abs(a - b) <= STEP).all(axis=-1)

    lattice[::2, 1::2] = flat[:, :-1] & flat[:, 1:] & close(lab_cells[:, :-1], lab_cells[:, 1:])
    lattice[1::2, ::2] = flat[:-1] & flat[1:] & close(lab_cells[:-1], lab_cells[1:])
    diag = flat[:-1, :-1] & flat[1:, 1:] & close(lab_cells[:-1, :-1], lab_cells[1:, 1:])
    anti = flat[:-1, 1:] & flat[1:, :-1] & close(lab_cells[:-1, 1:], lab_cells[1:, :-1])
    lattice[1::2, 1::2] = diag | anti
    n, labels = cv2.connectedComponents(lattice, connectivity=8)
    return labels[::2, ::2], n


def largest_region(lab_cells: np.ndarray, flat: np.ndarray, weight: np.ndarray | None = None) -> np.ndarray:
    """The flat region (see ``flat_regions``) with the most cells, or with the most ``weight``ed
    cells: with the reference, the region with the most cells that are new, which is the cover
    rather than a larger sky or wall beside it."""
    nodes, n = flat_regions(lab_cells, flat)
    if n <= 1:
        return np.zeros_like(flat)
    sizes = np.bincount(nodes.ravel(), weights=None if weight is None else weight.ravel().astype(np.float64), minlength=n)
    sizes[0] = 0
    return nodes == int(np.argmax(sizes))


@lru_cache(maxsize=8)
def _surface(h: int, w: int) -> np.ndarray:
    """Quadratic surface terms (1, x, y, x^2, y^2, xy) per cell of an h x w grid, (h, w, 6)."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    xx, yy = xx / max(w - 1, 1) - 0.5, yy / max(h - 1, 1) - 0.5
    return np.stack([np.ones_like(xx), xx, yy, xx * xx, yy * yy, xx * yy], axis=-1)


def _fit(a: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Least squares through the (small, 7 x 7) normal equations, slightly regularised."""
    ata = a.T @ a
    ata[np.diag_indices_from(ata)] += 1e-4 * len(y)
    return np.linalg.solve(ata, a.T @ y)


def smooth_gain(log_ratio: np.ndarray, base: np.ndarray, log_level: np.ndarray) -> np.ndarray:
    """The change of light as a gain per cell: exp of a fit (least squares, then once more
    without the worst-fitting quarter, over the ``base`` cells) of ``log_ratio`` by a quadratic
    surface in the cell position (IR hot spot, vignetting, light from one side) plus a term in
    the reference's log level (a change of gamma: exposure and tone curve)."""
    h, w = log_ratio.shape
    level = (log_level - float(log_level.mean())).astype(np.float32)
    design = np.concatenate([_surface(h, w), level[:, :, None]], axis=-1)
    a, y = design[base].astype(np.float64), log_ratio[base].astype(np.float64)
    if len(y) < 12:
        return np.full(log_ratio.shape, float(np.exp(np.median(y))) if len(y) else 1.0, np.float32)
    coef = _fit(a, y)
    resid = np.abs(a @ coef - y)
    keep = resid <= np.partition(resid, (3 * len(resid)) // 4)[(3 * len(resid)) // 4]
    coef = _fit(a[keep], y[keep])
    return np.exp(design @ coef.astype(np.float32)).astype(np.float32)


def _recoloured(now: np.ndarray, ref: np.ndarray, base: np.ndarray) -> np.ndarray:
    """Cells that look other than in the reference beyond a picture-wide change of lighting or
    white balance: lightness against the ratio to the reference, chroma against the shift, both
    taken over the ``base`` cells (those still textured: not under a cover). Only meaningful in
    the reference's mode (IR renders surfaces other than daylight does)."""
    if base.sum() < 12:  # (nearly) everything flat: no cells to tell the light by
        base = np.ones_like(base)
    lum_now, lum_ref = now[:, :, 0] + 8.0, ref[:, :, 0] + 8.0
    # lighting varies smoothly over a view (IR hot spot, vignetting, sun on one side): the change
    # of light is a smooth gain surface, fitted over the base cells, not one number
    expected = smooth_gain(np.log(lum_now / lum_ref), base, np.log(lum_ref)) * lum_ref
    changed = (np.abs(lum_now - expected) > CHANGED_COLOUR) & (np.abs(np.log(lum_now / expected)) > 0.25)
    # white balance and colour casts are a gain per colour channel, which moves every colour's
    # a/b differently: the chromaticity (log channel ratios) against the picture-wide change
    d_chroma = _log_chromaticity(now) - _log_chromaticity(ref)
    d_chroma -= np.median(d_chroma[base], axis=0)
    changed |= np.abs(d_chroma).max(axis=-1) > CHANGED_CHROMATICITY
    return changed


def _log_chromaticity(lab_cells: np.ndarray) -> np.ndarray:
    """log(B/G), log(R/G) of cells given in (OpenCV 8-bit) Lab, offset against dark noise."""
    bgr = cv2.cvtColor(np.clip(lab_cells, 0, 255).astype(np.uint8), cv2.COLOR_LAB2BGR).astype(np.float32) + 12.0
    return np.log(bgr[:, :, [0, 2]] / bgr[:, :, 1:2])


VEIL = 0.25  # a cover lets through at most this share of the scene's contrast (paint: 0-15 %)
VEIL_GAIN_QUANTILE = 80  # the picture-wide contrast change, read from the least-veiled cells


def veiled(std: np.ndarray, ref_std: np.ndarray, noise_limit: float) -> np.ndarray:
    """Cells whose texture is (nearly) gone compared with the reference: their contrast fell
    below VEIL of the reference's, after the picture-wide change of contrast (light, gain, IR;
    read from the upper quantile of the cells that had texture, since a cover may hide most of
    them) is allowed for. Translucent paint, film or
    a dirty cover over the lens leaves the scene's own edges faintly in place -- not flat by
    the noise limit, but veiled."""
    had = ref_std > TEXTURE_MARGIN * noise_limit
    if had.sum() < 12:
        return np.zeros_like(had)
    ratio = std[had] / ref_std[had]
    k = (len(ratio) * VEIL_GAIN_QUANTILE) // 100
    gain = float(np.partition(ratio, k)[k])
    out = np.zeros_like(had)
    out[had] = ratio < VEIL * gain
    return out


def analyze_occlusion(ctx: FrameContext) -> AnalyzerResult:
    t = ctx.thresholds
    lab_cells, std, flat_limit = cells(ctx.frame, ctx.grey, ctx.work_noise_sigma)
    flat = std <= flat_limit
    n = flat.size
    metrics: dict[str, float | str | bool] = {
        "flat_share": round(float(flat.mean()), 4),
        "flat_cell_std_limit": round(flat_limit, 3),
    }

    nodes, n_regions = flat_regions(lab_cells, flat)
    sizes = np.bincount(nodes.ravel(), minlength=n_regions)
    sizes[0] = 0
    region = nodes == int(np.argmax(sizes)) if n_regions > 1 else np.zeros_like(flat)
    covered = float(region.sum() / n)
    metrics["covered_share"] = round(covered, 4)

    overall = _dominant(lab_cells)
    one_colour = float((np.linalg.norm(lab_cells - overall, axis=-1) <= SAME_COLOUR).mean())
    chroma = float(np.hypot(overall[1] - 128.0, overall[2] - 128.0))
    metrics["one_colour_share"] = round(one_colour, 4)
    metrics["dominant_chroma"] = round(chroma, 2)

    # an under- or overexposed picture is flat in its dark or clipped parts without any cover
    dim = is_too_dark(ctx)
    if is_too_bright(ctx) or (dim and ctx.reference is not None):
        # a washed-out picture is too_bright, a picture too dark to see too_dark, whatever may be
        # in front: a cover cannot be told from the dark (that was the case for 2 covers and 10
        # merely dark pictures of the tuning set), and the ticket sends someone out either way
        return AnalyzerResult((), {**metrics, "occlusion_judged": False})
    if ctx.reference is None:
        # on its own the picture can only be judged leniently: a view that is mostly sky or a
        # plain wall looks the same as a covered lens, and an underexposed view as a dark cover
        occluded = covered >= t.occlusion_share_max and not dim
        occluded |= one_colour >= t.occlusion_one_colour_share_max and chroma >= PAINT_CHROMA
    elif covered < t.occlusion_share_max_vs_reference:
        # no flat region is large enough to be a cover, whatever the reference shows there
        occluded = False
        metrics["occlusion_vs_reference_judged"] = False
    else:
        # the reference says what this camera normally sees: only parts that are newly flat, or
        # flat in another colour than before, count
        ref_cells, ref_std, ref_limit = cells(ctx.reference, ctx.reference_grey, ctx.reference_noise_sigma)
        had_texture = ref_std > TEXTURE_MARGIN * ref_limit  # clearly, not just above its noise
        if ctx.reference_is_colour != ctx.night:  # same mode: day vs day, or IR vs IR reference
            had_texture |= _recoloured(lab_cells, ref_cells, ~flat)
        # the cover is the flat region with the most new cells (a larger sky beside it is older)
        if n_regions > 1:
            new_cells = np.bincount(nodes.ravel(), weights=had_texture.ravel().astype(np.float64), minlength=n_regions)
            new_cells[0] = 0
            if new_cells.max() > 0:
                region = nodes == int(np.argmax(new_cells))
        newly = float((region & had_texture).sum() / n)
        metrics["covered_share_vs_reference"] = round(newly, 4)
        same_view = t.scene_similarity_min_night if ctx.cross_mode else t.scene_similarity_min
        # the part left uncovered of an IR picture matches a day reference less well than a
        # whole view does (fewer cells, edges cut at the cover, IR renders surfaces otherwise)
        rest_view = same_view - (REST_SLACK_CROSS_MODE if ctx.cross_mode else 0.0)
        occluded = False
        rest = None
        if newly >= t.occlusion_share_max_vs_reference or (
            # a cover over a part that was already flat (sky, a plain wall) is not new there, but
            # it hides the structure at its edge: the view as a whole no longer matches the
            # reference while the part outside the flat region still does -- the mismatch is
            # explained by the flat region, not by a moved view
            region.mean() >= t.occlusion_share_max_vs_reference
            and newly > 0
            and ctx.scene.similarity < same_view
        ):
            # covered means the rest is still the reference view; if the rest is another view
            # too, the camera was moved or zoomed (scene_change), not covered
            # (the cover's own edge is left out of that comparison)
            near_cover = cv2.dilate(region.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
            # nothing left uncovered: no part of the view could show it moved -- the flat region
            # over all of a view that was not all flat is a cover
            nothing_left = bool(near_cover.all())
            rest = 1.0 if nothing_left else ctx.scene.similarity_where(~near_cover)
            metrics["uncovered_similarity"] = round(rest, 4)
            metrics["uncovered_share"] = round(float(1.0 - near_cover.mean()), 4)
            if newly >= t.occlusion_share_max_vs_reference:
                occluded = rest >= rest_view or newly >= MOSTLY_COVERED
            else:
                occluded = rest >= rest_view
    if not occluded and ctx.reference is not None and ctx.scene is not None:
        occluded = _veiled_cover(ctx, std, flat_limit, metrics)
    return AnalyzerResult(("occlusion",) if occluded else (), metrics)


def _veiled_cover(ctx: FrameContext, std: np.ndarray, limit: float, metrics: dict) -> bool:
    """A translucent cover (paint, film, dirt): one connected part of the view, large enough to
    be a cover, whose texture is veiled (see ``veiled``) while the rest still is the reference
    view (else the view moved: scene_change)."""
    t = ctx.thresholds
    # the reference's texture must stand clearly above this picture's own noise to be seen
    # veiled here: the current flat limit serves (and saves estimating the reference's noise)
    ref_std, _ = cell_std(ctx.reference_grey, 0.0)
    veil = veiled(std, ref_std, limit)
    n, labels = cv2.connectedComponents(veil.astype(np.uint8), connectivity=8)
    if n <= 1:
        return False
    sizes = np.bincount(labels.ravel())
    sizes[0] = 0
    region = labels == int(np.argmax(sizes))
    share = float(region.mean())
    metrics["veiled_share"] = round(share, 4)
    if share < t.occlusion_share_max_vs_reference:
        return False
    same_view = t.scene_similarity_min_night if ctx.cross_mode else t.scene_similarity_min
    near = cv2.dilate(region.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    rest = ctx.scene.similarity_where(~near)
    metrics["unveiled_similarity"] = round(rest, 4)
    return rest >= same_view
