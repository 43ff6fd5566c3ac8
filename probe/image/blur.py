"""``blur``: loss of focus, judged by the width of the picture's strongest edges.

At the strongest few percent of gradients (real edges: noise and flat areas never get there) the
edge width is the local intensity range divided by the gradient: a crisp edge rises within 1-3
pixels, a defocused one spreads over many. The width is independent of brightness and contrast,
and a scene with little texture is judged by the few edges it has -- a plain wall or a foggy sky
is "low texture", not "blurry". Measured on the detail copy (<= 640 px wide), so thresholds are in
pixels of that copy; a smaller frame (a CIF sub-stream) is judged at its own resolution. With the
camera's reference frame the edges are compared with the reference's instead, so a scene that is
soft by nature (fog, a plain surface) is judged against itself -- and at the reference's own
strongest edges outside the OSD bands, so that neither sensor noise in flat parts (IR night, a
night sky) nor the burnt-in OSD text, which stays crisp when the lens does not, decides.
"""

from __future__ import annotations

import cv2
import numpy as np

from probe.image.context import AnalyzerResult, FrameContext

EDGE_SHARE = 3.0  # percent of pixels with the strongest gradients
MIN_GRADIENT = 1.0  # grey levels per pixel: weaker than this is no edge at all
WINDOW = np.ones((11, 11), np.uint8)


def edge_width(grey: np.ndarray) -> tuple[float, float]:
    """(median width in pixels of the strongest edges, their median gradient); (0, 0) without edges."""
    g = cv2.GaussianBlur(grey, (0, 0), 1.0)
    gx = cv2.Sobel(g, cv2.CV_32F, 1, 0, ksize=3, scale=1 / 8)
    gy = cv2.Sobel(g, cv2.CV_32F, 0, 1, ksize=3, scale=1 / 8)
    mag = cv2.magnitude(gx, gy)
    flat = mag.ravel()
    k = int(flat.size * (1 - EDGE_SHARE / 100))
    threshold = max(float(np.partition(flat, k)[k]), MIN_GRADIENT)
    strong = mag >= threshold
    if strong.sum() < 20:
        return 0.0, 0.0
    local_range = cv2.subtract(cv2.dilate(g, WINDOW), cv2.erode(g, WINDOW))
    return float(np.median(local_range[strong] / mag[strong])), float(np.median(mag[strong]))


OSD_BAND = 0.12  # share of the height at the top and the bottom where cameras burn in their OSD
SAME_EDGE = np.ones((5, 5), np.uint8)  # the reference's edge may sit ~2 px away (shake)


def _smoothed_gradient(grey: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    g = cv2.GaussianBlur(grey, (0, 0), 1.0)
    gx = cv2.Sobel(g, cv2.CV_32F, 1, 0, ksize=3, scale=1 / 8)
    gy = cv2.Sobel(g, cv2.CV_32F, 0, 1, ksize=3, scale=1 / 8)
    return g, cv2.magnitude(gx, gy)


def width_ratio_at_reference_edges(grey: np.ndarray, reference_grey: np.ndarray) -> tuple[float, float, float]:
    """(edge width now / in the reference, both measured at the reference's strongest edges
    outside the OSD bands; the width now in pixels; the current gradient there). Measuring at the places where the camera's view has its real
    edges keeps sensor noise (IR night) and flat parts (sky, night background) out: their
    strongest "edges" are noise, whose width says nothing about focus; the burnt-in OSD text is
    left out too, because it stays crisp when the lens is out of focus (in a low-texture view it
    would be most of the strongest edges). (1, 0, 0) without edges."""
    g_ref, mag_ref = _smoothed_gradient(reference_grey)
    flat = mag_ref.ravel()
    k = int(flat.size * (1 - EDGE_SHARE / 100))
    strong = mag_ref >= max(float(np.partition(flat, k)[k]), MIN_GRADIENT)
    band = int(OSD_BAND * strong.shape[0])
    strong[:band] = False
    strong[strong.shape[0] - band :] = False
    if strong.sum() < 20:
        return 1.0, 0.0, 0.0
    g_now, mag_now = _smoothed_gradient(grey)
    # the strongest gradient near each edge point (shake), over the local range there
    peak_now = cv2.dilate(mag_now, SAME_EDGE)[strong]
    peak_ref = cv2.dilate(mag_ref, SAME_EDGE)[strong]
    range_now = cv2.subtract(cv2.dilate(g_now, WINDOW), cv2.erode(g_now, WINDOW))[strong]
    range_ref = cv2.subtract(cv2.dilate(g_ref, WINDOW), cv2.erode(g_ref, WINDOW))[strong]
    ok = peak_now > MIN_GRADIENT / 4
    if ok.sum() < 20:
        return 1.0, 0.0, 0.0
    now = float(np.median(range_now[ok] / peak_now[ok]))
    before = float(np.median(range_ref[ok] / peak_ref[ok]))
    return (now / before if before > 0 else 1.0), now, float(np.median(peak_now))


def analyze_blur(ctx: FrameContext) -> AnalyzerResult:
    t = ctx.thresholds
    if ctx.reference is None:
        width, gradient = edge_width(ctx.detail)
        metrics: dict[str, float | str | bool] = {"edge_width_px": round(width, 3), "edge_gradient": round(gradient, 2)}
        limit = t.pick("blur_edge_width_max", ctx.night)
        metrics["blur_limit"] = limit
        return AnalyzerResult(("blur",) if width > limit else (), metrics)
    # with a reference: edges wider than this camera's own edges (a soft scene stays as soft),
    # measured where the reference has its edges, at the reference thumbnail's size
    ratio, now, gradient = width_ratio_at_reference_edges(ctx.grey, ctx.reference_grey)
    metrics = {
        "edge_width_px": round(now, 3),  # here in pixels of the working copy
        "edge_gradient": round(gradient, 2),
        "edge_width_ratio_vs_reference": round(ratio, 3),
    }
    limit = t.blur_width_ratio_max_night if ctx.cross_mode else t.blur_width_ratio_max
    metrics["blur_ratio_limit"] = limit
    return AnalyzerResult(("blur",) if ratio > limit else (), metrics)
