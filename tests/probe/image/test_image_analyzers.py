"""Each analyzer on generated frames: one behaviour per test."""

from __future__ import annotations

import cv2
import numpy as np

from probe.image import ANALYZERS, analyze, analyze_bytes, thumbnail
from probe.image.evalset import (
    black,
    blue_screen,
    colour_bars,
    cover,
    exposure,
    ir_night,
    jpeg,
    moved_object,
    sensor,
    view,
)


def test_a_normal_day_frame_has_no_fault(scene):
    verdict = analyze(scene, reference=thumbnail(scene))
    assert verdict.faults == ()
    assert verdict.night is False


def test_every_image_fault_but_decode_error_has_an_analyzer():
    from camsla.kernel import IMAGE_FAULTS

    assert set(ANALYZERS) == set(IMAGE_FAULTS) - {"decode_error"}


def test_every_analyzer_reports_metrics(scene):
    verdict = analyze(scene, reference=thumbnail(scene), previous=thumbnail(scene))
    for key in ("luma_p95", "noise_sigma", "edge_width_px", "stripes_peak", "covered_share",
                "scene_similarity", "cast_shift_vs_reference", "frozen_changed_share", "signal_flat_share"):
        assert key in verdict.metrics


def test_blue_no_signal_screen_is_signal_loss(rng):
    assert analyze(blue_screen((360, 640, 3), rng)).faults == ("signal_loss",)


def test_colour_bars_are_signal_loss(rng):
    assert analyze(colour_bars((360, 640, 3), rng)).faults == ("signal_loss",)


def test_black_frame_is_black_screen_only(rng):
    assert analyze(black((360, 640, 3), rng)).faults == ("black_screen",)


def test_underexposed_frame_is_too_dark(photo, rng):
    dim = sensor(exposure(view(photo), 0.2, 1.2), rng, 2.0)
    assert analyze(dim).faults == ("too_dark",)


def test_overexposed_frame_is_too_bright(scene):
    assert analyze(exposure(scene, 2.5, 0.9, 50)).faults == ("too_bright",)


def test_defocused_frame_is_blur(photo, rng):
    soft = cv2.GaussianBlur(view(photo), (0, 0), 4.0)
    verdict = analyze(sensor(soft, rng, 1.5))
    assert "blur" in verdict.faults, verdict.metrics


def test_blur_is_judged_against_the_reference_when_there_is_one(photo, rng):
    sharp = sensor(view(photo), rng, 1.5)
    soft = sensor(cv2.GaussianBlur(view(photo), (0, 0), 3.0), rng, 1.5)
    assert analyze(soft, reference=thumbnail(sharp)).faults == ("blur",)
    assert analyze(sharp, reference=thumbnail(sharp)).faults == ()


def test_a_flat_low_texture_scene_is_not_blur(rng):
    wall = np.full((360, 640, 3), (120, 130, 140), np.uint8)
    wall = sensor(cv2.GaussianBlur(wall, (0, 0), 3), rng, 1.5)
    cv2.rectangle(wall, (300, 150), (340, 250), (60, 60, 60), -1)  # a door: one crisp edge
    assert "blur" not in analyze(wall).faults


def test_snow_noise_is_noise(scene, rng):
    noisy = np.clip(scene.astype(np.float32) + rng.normal(0, 25, scene.shape), 0, 255).astype(np.uint8)
    assert analyze(noisy).faults == ("noise",)


def test_horizontal_interference_bars_are_stripes(scene):
    h, w = scene.shape[:2]
    bars = np.sin(2 * np.pi * np.arange(h) / 12.0)[:, None, None] * 15
    striped = np.clip(scene.astype(np.float32) + bars, 0, 255).astype(np.uint8)
    assert analyze(striped).faults == ("stripes",)


def test_white_balance_shift_is_color_cast_against_the_reference(scene):
    warm = np.clip(scene.astype(np.float32) * np.array([0.75, 1.0, 1.35]), 0, 255).astype(np.uint8)
    assert analyze(warm, reference=thumbnail(scene)).faults == ("color_cast",)


def test_magenta_tint_without_reference_is_color_cast(scene, rng):
    tinted = np.clip(scene.astype(np.float32) * np.array([1.4, 0.6, 1.4]), 0, 255).astype(np.uint8)
    assert "color_cast" in analyze(tinted).faults


def test_most_of_the_view_covered_is_occlusion(photo, rng):
    covered, _ = cover(view(photo), rng, 0.8)
    assert analyze(covered, reference=thumbnail(sensor(view(photo), rng, 1.5))).faults == ("occlusion",)


def test_same_frame_again_is_frozen(scene):
    again = cv2.imdecode(np.frombuffer(jpeg(scene, 75), np.uint8), cv2.IMREAD_COLOR)
    assert analyze(again, previous=thumbnail(scene)).faults == ("frozen",)


def test_a_live_scene_with_something_moving_is_not_frozen(photo, rng):
    before = sensor(view(photo), rng, 2.0)
    after = sensor(moved_object(view(photo), rng), rng, 2.0)
    assert "frozen" not in analyze(after, previous=thumbnail(before)).faults


def test_frozen_accepts_a_full_frame_or_a_thumbnail(scene):
    assert analyze(scene, previous=scene).faults == analyze(scene, previous=thumbnail(scene)).faults == ("frozen",)


def test_panned_view_is_scene_change(photo, rng):
    reference = thumbnail(sensor(view(photo), rng, 1.5))
    panned = sensor(view(photo, 0.18, 0), rng, 1.5)
    verdict = analyze(panned, reference=reference)
    assert verdict.faults == ("scene_change",)
    assert verdict.metrics["scene_shift_x"] != 0


def test_other_lighting_is_not_scene_change(photo, rng):
    reference = thumbnail(sensor(view(photo), rng, 1.5))
    dusk = sensor(exposure(view(photo), 0.6, 1.3), rng, 2.0)
    assert "scene_change" not in analyze(dusk, reference=reference).faults


def test_ir_night_frame_is_night_and_normal(photo, rng):
    reference = thumbnail(sensor(view(photo), rng, 1.5))
    night = ir_night(view(photo), rng)
    verdict = analyze(night, reference=reference)
    assert verdict.night is True
    assert verdict.faults == ()


def test_ir_grey_is_not_color_cast(photo, rng):
    verdict = analyze(ir_night(view(photo), rng))
    assert "color_cast" not in verdict.faults
    assert verdict.metrics["color_cast_judged"] is False


def test_caller_can_force_night_thresholds(photo, rng):
    dim = sensor(exposure(view(photo), 0.25), rng, 2.0)  # p95 ~55: below the day line, above the night one
    assert "too_dark" in analyze(dim, night=False).faults
    assert "too_dark" not in analyze(dim, night=True).faults


def test_undecodable_bytes_are_decode_error():
    assert analyze_bytes(b"<html>401</html>").faults == ("decode_error",)


def test_truncated_jpeg_is_decode_error(scene):
    data = jpeg(scene, 85)
    assert analyze_bytes(data[: len(data) // 2]).faults == ("decode_error",)


def test_thumbnail_is_small_colour_copy(scene):
    thumb = thumbnail(np.repeat(np.repeat(scene, 4, axis=0), 4, axis=1))
    assert thumb.shape[1] == 320 and thumb.ndim == 3


def _white_notice_board(rng) -> np.ndarray:
    board = np.full((360, 640, 3), 215, np.uint8)
    for i in range(8):
        cv2.putText(board, "NOTICE 2024 - PUBLIC AREA", (30, 50 + 38 * i), cv2.FONT_HERSHEY_SIMPLEX, 0.9, (40, 40, 40), 2)
    return sensor(board, rng, 1.5)


def test_a_scene_bright_by_nature_is_not_too_bright_against_its_reference(rng):
    board = _white_notice_board(rng)
    assert "too_bright" not in analyze(board, reference=thumbnail(board)).faults


def test_washed_out_against_the_reference_is_too_bright(scene):
    assert "too_bright" in analyze(exposure(scene, 2.2, 0.9, 50), reference=thumbnail(scene)).faults


def test_a_dimmed_view_is_too_dark_not_covered(photo, rng):
    reference = thumbnail(sensor(view(photo), rng, 1.5))
    dim = sensor(exposure(view(photo), 0.2, 1.2), rng, 2.0)
    assert analyze(dim, reference=reference).faults == ("too_dark",)


def test_interference_bars_are_stripes_not_blur(scene):
    h, w = scene.shape[:2]
    bars = np.sin(2 * np.pi * np.arange(w) / 9.0)[None, :, None] * 18
    striped = np.clip(scene.astype(np.float32) + bars, 0, 255).astype(np.uint8)
    assert analyze(striped, reference=thumbnail(scene)).faults == ("stripes",)


def test_a_full_hd_frame_is_judged_on_small_copies():
    from probe.image import FrameContext, Thresholds

    ctx = FrameContext(np.zeros((1080, 1920, 3), np.uint8), thresholds=Thresholds())
    assert ctx.frame.shape[1] == 320
    assert 320 < ctx.detail.shape[1] <= 640


def _osd_text(frame: np.ndarray, text: str) -> np.ndarray:
    out = frame.copy()
    for colour, thick in (((0, 0, 0), 3), ((255, 255, 255), 1)):
        cv2.putText(out, text, (10, 24), cv2.FONT_HERSHEY_SIMPLEX, 0.6, colour, thick, cv2.LINE_AA)
    return out


def test_crisp_osd_text_does_not_hide_a_defocused_lens_from_the_reference_comparison(photo, rng):
    # the OSD is burnt in after the lens: it stays crisp when the view is out of focus, and
    # three lines of it would otherwise be much of the picture's strongest edges
    def stamped(frame: np.ndarray, lines: int) -> np.ndarray:
        out = frame.copy()
        for i in range(lines):
            for colour, thick in (((0, 0, 0), 4), ((255, 255, 255), 2)):
                cv2.putText(out, "2024-05-01 12:00:00 CAM-0371", (20, 40 + 36 * i), cv2.FONT_HERSHEY_SIMPLEX, 0.9, colour, thick, cv2.LINE_AA)
        return out

    sharp, soft = sensor(view(photo), rng, 1.5), sensor(cv2.GaussianBlur(view(photo), (0, 0), 3.0), rng, 1.5)
    plain = analyze(soft, reference=thumbnail(sharp)).metrics["edge_width_ratio_vs_reference"]
    with_osd = analyze(stamped(soft, 3), reference=thumbnail(stamped(sharp, 3))).metrics["edge_width_ratio_vs_reference"]
    assert plain > 1.3
    assert with_osd >= 0.8 * plain, (with_osd, plain)


def test_a_translucent_cover_over_part_of_the_view_is_occlusion(photo, rng):
    reference = thumbnail(sensor(view(photo), rng, 1.5))
    frame = view(photo).astype(np.float32)
    w = frame.shape[1]
    # translucent paint over the left 40 %: the scene shows through at 20 % of its contrast,
    # too much for those cells to be flat, too little for a view that is merely dimmed
    frame[:, : int(0.4 * w)] = 0.2 * frame[:, : int(0.4 * w)] + 0.8 * np.array([40.0, 160.0, 60.0])
    painted = sensor(np.clip(frame, 0, 255).astype(np.uint8), rng, 1.5)
    assert analyze(painted, reference=reference).faults == ("occlusion",)


def test_a_cover_leaving_nothing_of_the_view_is_occlusion_not_scene_change(photo):
    # an IR night camera, a hand over 97 % of the lens: its soft edge takes the rest, so no
    # part of the view is left that could show it moved (this draw covers under half of the
    # reference's textured cells, so only the "nothing left" rule decides)
    rng = np.random.default_rng(3)
    reference = thumbnail(ir_night(view(photo), rng))
    covered, _ = cover(view(photo), rng, 0.97)
    verdict = analyze(ir_night(covered, rng), reference=reference)
    assert verdict.faults == ("occlusion",), verdict.metrics
    assert verdict.metrics["uncovered_share"] == 0.0


def test_a_small_change_in_the_picture_is_live_but_a_ticking_clock_alone_is_frozen(photo, rng):
    still = sensor(view(photo), rng, 1.0)
    previous = thumbnail(_osd_text(still, "2024-05-01 12:00:00"))
    clock_only = _osd_text(still, "2024-05-01 12:15:00")
    assert "frozen" in analyze(clock_only, previous=previous).faults
    someone = clock_only.copy()
    h, w = someone.shape[:2]
    # a small figure walks into the middle of the picture: ~0.5 % of it changes
    cv2.rectangle(someone, (w // 2, h // 2), (w // 2 + w // 30, h // 2 + h // 12), (20, 20, 20), -1)
    assert "frozen" not in analyze(someone, previous=previous).faults


def _textured(scene: np.ndarray, seed: int) -> np.ndarray:
    """The scene with a fine, fixed surface texture (gravel, foliage, a circuit board): it is
    part of the view, in the reference as much as now."""
    grain = np.random.default_rng(seed).normal(0, 16, scene.shape[:2]).astype(np.float32)
    return np.clip(scene.astype(np.float32) + grain[:, :, None], 0, 255).astype(np.uint8)


def test_fine_texture_that_the_reference_has_too_is_not_noise(scene, rng):
    view_ = _textured(scene, 3)
    reference = thumbnail(sensor(view_, rng, 1.5))
    now = sensor(view_, rng, 1.5)
    assert "noise" in analyze(now).faults  # on its own the texture reads as noise ...
    verdict = analyze(now, reference=reference)
    assert "noise" not in verdict.faults  # ... but the camera always looked like this
    assert verdict.metrics["noise_over_reference"] < 2.0


def test_noise_over_a_textured_view_is_still_noise(scene, rng):
    view_ = _textured(scene, 3)
    reference = thumbnail(sensor(view_, rng, 1.5))
    snowy = sensor(view_, rng, 24.0)
    verdict = analyze(snowy, reference=reference)
    assert "noise" in verdict.faults
    assert verdict.metrics["noise_over_reference"] > 2.0


def _with_sky(scene: np.ndarray) -> np.ndarray:
    out = scene.copy()
    h = out.shape[0]
    top = int(h * 0.45)
    ramp = np.linspace(0.8, 1.0, top, dtype=np.float32)[:, None, None]
    out[:top] = np.clip(np.array([215, 160, 90], np.float32) * ramp, 0, 255).astype(np.uint8)  # BGR blue sky
    return out


def test_a_colour_cast_over_a_view_with_sky_is_a_cast_not_a_cover(scene, rng):
    view_ = _with_sky(scene)
    reference = thumbnail(sensor(view_, rng, 1.5))
    warm = np.clip(view_.astype(np.float32) * np.array([0.75, 1.0, 1.35], np.float32), 0, 255).astype(np.uint8)
    verdict = analyze(sensor(warm, rng, 1.5), reference=reference)
    assert verdict.faults == ("color_cast",)


def test_a_picture_too_dark_to_see_is_too_dark_not_covered(scene, rng):
    from probe.image.evalset import dimmed_to

    reference = thumbnail(scene)
    dark = sensor(dimmed_to(scene, 20.0), rng, 2.0)
    verdict = analyze(dark, reference=reference)
    assert verdict.faults == ("too_dark",)
    assert verdict.metrics["occlusion_judged"] is False
