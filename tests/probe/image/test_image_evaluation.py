"""The evaluation gate of issue 5: on photographs the thresholds were never tuned on."""

from __future__ import annotations

import pytest

from probe.image.evaluate import GATE_NORMAL_FPR, GATE_PRECISION, GATE_RECALL, render, run


@pytest.mark.slow
def test_held_out_photographs_judged_with_their_reference_meet_the_gate():
    report = run("test", mode="reference")
    text = render(report)
    assert report.macro_recall >= GATE_RECALL, text
    assert report.macro_precision >= GATE_PRECISION, text
    assert report.normal_fpr <= GATE_NORMAL_FPR, text


def test_evaluation_set_is_deterministic():
    from probe.image.evalset import samples

    first = [(s.name, s.data[:64]) for s, _ in zip(samples("tuning"), range(12), strict=False)]
    again = [(s.name, s.data[:64]) for s, _ in zip(samples("tuning"), range(12), strict=False)]
    assert first == again


def test_tuning_and_test_photographs_differ():
    from probe.image.evalset import TEST_PHOTOS, TUNING_PHOTOS

    assert not set(TUNING_PHOTOS) & set(TEST_PHOTOS)


def test_every_sample_carries_its_cameras_reference():
    from probe.image.evalset import samples

    assert all(s.reference is not None for s, _ in zip(samples("tuning"), range(40), strict=False))


def test_a_scene_change_is_normal_without_the_reference():
    from probe.image.evalset import samples

    moved = next(s for s in samples("tuning") if s.kind.startswith("scene_pan"))
    assert "scene_change" in moved.label
    assert "scene_change" not in moved.label_no_reference
