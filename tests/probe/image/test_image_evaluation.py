"""The evaluation gate of issue 5: on photographs the thresholds were never tuned on."""

from __future__ import annotations

import os

import pytest

from probe.image.evalset import opencv_samples
from probe.image.evaluate import GATE_NORMAL_FPR, GATE_PRECISION, GATE_RECALL, render, run


@pytest.fixture(autouse=True)
def photographs():
    """The evaluation photographs come from packages: scikit-image (a test dependency) and
    OpenCV's samples (Debian package opencv-doc, which .ci/run installs). In CI their absence is
    a broken setup, not a reason to skip."""
    try:
        opencv_samples()
    except FileNotFoundError as exc:
        if "CI" in os.environ:
            pytest.fail(str(exc))
        pytest.skip(str(exc))


@pytest.mark.slow
def test_held_out_photographs_judged_with_their_reference_meet_the_gate():
    """The gate, on the round-3 TEST split: nine surveillance-like photographs the thresholds
    were never tuned on (first and only look: macro recall 0.965, precision 0.982, FPR 0.000)."""
    report = run("test", mode="reference")
    text = render(report)
    assert report.macro_recall >= GATE_RECALL, text
    assert report.macro_precision >= GATE_PRECISION, text
    assert report.normal_fpr <= GATE_NORMAL_FPR, text


@pytest.mark.slow
def test_tuning_photographs_judged_with_their_reference_meet_the_gate():
    """A regression guard on the photographs the thresholds were chosen on (not a claim about
    photographs never seen: that is the held-out test above)."""
    report = run("tuning", mode="reference")
    text = render(report)
    assert report.macro_recall >= GATE_RECALL, text
    assert report.macro_precision >= GATE_PRECISION, text
    assert report.normal_fpr <= GATE_NORMAL_FPR, text


def test_leave_one_photo_out_folds_judge_each_photograph_on_its_own_samples():
    from probe.image.evalset import Sample
    from probe.image.evaluate import Outcome, Report, by_photo

    def outcome(photo: str, label: set[str], predicted: set[str]) -> Outcome:
        sample = Sample(name=photo, split="tuning", photo=photo, kind="k", label=frozenset(label), data=b"")
        return Outcome(sample, frozenset(label), frozenset(predicted), {})

    report = Report("tuning")
    report.outcomes += [outcome("a", {"blur"}, {"blur"}), outcome("a", set(), set())]
    report.outcomes += [outcome("b", {"blur"}, set()), outcome("b", set(), {"noise"})]
    folds = by_photo(report)
    assert sorted(folds) == ["a", "b"]
    assert folds["a"].passed and folds["a"].normal_fpr == 0.0
    assert folds["b"].recall("blur") == 0.0 and folds["b"].normal_fpr == 1.0


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
