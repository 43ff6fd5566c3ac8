from __future__ import annotations

import pytest

from probe.image import Thresholds, ThresholdsError


def test_overrides_merge_global_then_sector_then_camera():
    t = Thresholds.merged({"noise_sigma_max_day": 9, "blur_width_ratio_max": 1.5}, {"noise_sigma_max_day": 10}, {"blur_width_ratio_max": 1.8})
    assert t.noise_sigma_max_day == 10
    assert t.blur_width_ratio_max == 1.8
    assert t.dark_luma_p95_max_day == Thresholds().dark_luma_p95_max_day


def test_unknown_key_is_rejected_naming_the_key_and_level():
    with pytest.raises(ThresholdsError, match=r"'nosie_sigma_max_day'.*sector"):
        Thresholds.merged({}, {"nosie_sigma_max_day": 9}, {})


def test_bad_value_is_rejected_naming_the_key():
    with pytest.raises(ThresholdsError, match="occlusion_share_max.*camera"):
        Thresholds.merged(None, None, {"occlusion_share_max": 3})


def test_no_overrides_are_the_defaults():
    assert Thresholds.merged() == Thresholds()


def test_day_and_night_variants_are_picked():
    t = Thresholds()
    assert t.pick("noise_sigma_max", True) == t.noise_sigma_max_night
    assert t.pick("noise_sigma_max", False) == t.noise_sigma_max_day
