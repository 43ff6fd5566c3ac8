"""The evaluation gate of issue 5: on photographs the thresholds were never tuned on."""

from __future__ import annotations

import pytest

from probe.image.evaluate import GATE_NORMAL_FPR, GATE_PRECISION, GATE_RECALL, render, run


@pytest.mark.slow
def test_held_out_photographs_meet_the_gate():
    report = run("test")
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
