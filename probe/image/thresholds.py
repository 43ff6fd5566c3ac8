"""Analyzer thresholds: one validated model, defaults tuned on the evaluation's TUNING photographs
only (probe.image.evalset); the exposure lines are the evaluation's operator rules.

Overrides come as plain dicts (``[image] thresholds`` in camsla.toml, a sector's table, a camera's
profile) and merge global -> sector -> camera; a key that is not a threshold is rejected with its
name and the level it came from, so a typo never silently leaves a default in force.

Day and night (monochrome IR) pictures are judged with separate values where it matters
(``*_day`` / ``*_night``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class ThresholdsError(ValueError):
    """A bad threshold override; the message names the key, the level and the reason."""


class Thresholds(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # night / IR: a picture whose 90th-percentile chroma (Lab, 0..~180) is below this is monochrome
    night_chroma_max: float = Field(4.0, ge=0)

    # signal_loss: a synthetic flat colour or colour bars
    signal_flat_share_min: float = Field(0.80, gt=0, le=1)  # share of pixels at the dominant colour
    signal_flat_saturation_min: float = Field(0.45, ge=0, le=1)  # HSV saturation of that colour
    signal_bars_column_share_min: float = Field(0.90, gt=0, le=1)  # pixels equal to their column's colour
    signal_bars_hues_min: float = Field(4, ge=2)  # distinct saturated hues across the bars

    # black_screen: (nearly) nothing but black, an OSD overlay allowed
    black_luma_p95_max: float = Field(24.0, ge=0, le=255)
    black_structure_max: float = Field(2.0, ge=0)  # 10-90 % spread of the smoothed dark picture

    # too_dark: the bright end of the picture is still dark -- the operator's line of the
    # evaluation: a colour picture below a quarter of full scale, an IR picture below an eighth
    dark_luma_p95_max_day: float = Field(64.0, ge=0, le=255)
    dark_luma_p95_max_night: float = Field(32.0, ge=0, le=255)

    # too_bright: the dark end of the picture is lifted and/or much of it is clipped
    bright_luma_mean_min_day: float = Field(160.0, ge=0, le=255)
    bright_luma_mean_min_night: float = Field(160.0, ge=0, le=255)
    bright_clipped_share_min: float = Field(0.45, gt=0, le=1)
    bright_over_reference_min: float = Field(30.0, ge=0, le=255)  # with a reference: mean this much higher

    # blur: median width (pixels of the <= 640 px detail copy) of the strongest edges
    blur_edge_width_max_day: float = Field(5.3, gt=0)
    blur_edge_width_max_night: float = Field(5.5, gt=0)
    blur_width_ratio_max: float = Field(1.13, gt=1)  # with a reference: edges this much wider
    blur_width_ratio_max_night: float = Field(1.18, gt=1)  # IR night vs a day reference: softer by nature

    # occlusion: share of the view that is one flat, homogeneous region
    occlusion_share_max: float = Field(0.50, gt=0, le=1)  # without a reference frame
    occlusion_share_max_vs_reference: float = Field(0.15, gt=0, le=1)  # normals stay <= 0.10 (all tuning photos)
    occlusion_one_colour_share_max: float = Field(0.75, gt=0, le=1)  # "spray paint"

    # color_cast: with a day reference, the shift of the mean Lab chroma from the reference's;
    # without one, offset D relative to spread M (K = D / M) and the share of neutral pixels
    cast_shift_min: float = Field(0.18, ge=0)  # white-balance shift at neutral grey vs the reference (log units)
    cast_k_min: float = Field(3.0, gt=0)
    cast_offset_min: float = Field(60.0, ge=0)
    cast_neutral_share_max: float = Field(0.01, ge=0, le=1)

    # noise: robust noise sigma (grey levels) on the detail copy
    noise_sigma_max_day: float = Field(8.0, gt=0)
    noise_sigma_max_night: float = Field(11.0, gt=0)
    # with a day reference, in day mode: the working copy's sigma must also stand this much above
    # the reference's at the same scale (fine texture -- foliage, circuit boards -- reads as noise
    # to the estimator, but it reads so in the reference too)
    noise_over_reference_min: float = Field(2.0, ge=0)

    # stripes: prominence of a periodic spectral peak over its neighbourhood (log10 ratio)
    stripes_peak_min: float = Field(1.2, gt=0)
    stripes_reference_margin: float = Field(0.4, ge=0)  # the reference's peak may be this much lower
    stripes_peak_certain: float = Field(2.4, gt=0)  # so prominent it is interference whatever the layout

    # frozen: share of blocks that changed by more than re-encoding noise since the previous frame
    frozen_block_diff_max: float = Field(3.0, ge=0)  # grey levels, mean |difference| in a block
    frozen_changed_share_max: float = Field(0.01, ge=-1, le=1)  # -1 disables the check

    # scene_change: illumination-robust structural similarity to the reference (-1..1)
    scene_similarity_min: float = Field(0.635, ge=-1, le=1)
    scene_similarity_min_night: float = Field(0.55, ge=-1, le=1)  # IR night vs a day reference
    scene_min_structure: float = Field(0.02, ge=0)  # reference with less edge content is not judged

    @classmethod
    def merged(
        cls,
        global_: Mapping[str, Any] | None = None,
        sector: Mapping[str, Any] | None = None,
        camera: Mapping[str, Any] | None = None,
        /,
    ) -> Thresholds:
        """Defaults, then the global overrides, then the sector's, then the camera's."""
        values: dict[str, Any] = {}
        for level, overrides in (("global", global_), ("sector", sector), ("camera", camera)):
            for key, value in (overrides or {}).items():
                if key not in cls.model_fields:
                    raise ThresholdsError(f"unknown image threshold {key!r} in the {level} overrides")
                values[key] = value
                try:
                    cls(**{key: value})
                except ValidationError as exc:
                    reason = exc.errors()[0]["msg"]
                    raise ThresholdsError(
                        f"bad image threshold {key}={value!r} in the {level} overrides: {reason}"
                    ) from None
        return cls(**values)

    def pick(self, name: str, night: bool) -> float:
        """The day or night variant of a threshold, e.g. ``pick("noise_sigma_max", night)``."""
        return float(getattr(self, f"{name}_{'night' if night else 'day'}"))


DEFAULT_THRESHOLDS = Thresholds()
