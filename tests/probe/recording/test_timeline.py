"""The pure recording judgement: spans + now + thresholds -> faults and metrics."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from camsla.kernel import Settings
from probe.recording.timeline import (
    RecordingEvidence,
    RecordingThresholds,
    Span,
    TimelineError,
    build_report,
    find_gaps,
    merge_spans,
)

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
D = timedelta(days=1)
H = timedelta(hours=1)
M = timedelta(minutes=1)
TH = RecordingThresholds()
CAM = "34020000001320000001"


def span(a: timedelta, b: timedelta) -> Span:
    """A span from NOW - a to NOW - b."""
    return Span(NOW - a, NOW - b)


def report(*spans: Span, th: RecordingThresholds = TH, **kw):
    evidence = kw.pop("evidence", None) or RecordingEvidence(spans=spans)
    return build_report(CAM, evidence, NOW, th, **kw)


def test_continuous_footage_for_40_days_is_ok():
    r = report(span(40 * D, 30 * timedelta(seconds=1)))
    assert r.faults == ()
    assert r.status == "ok"
    assert r.metrics["gap_count"] == 0
    assert r.retention_days == pytest.approx(40, abs=1e-3)
    assert r.to_observation().status == "ok"


def test_newest_footage_older_than_threshold_is_not_recording():
    r = report(span(40 * D, 11 * M))
    assert r.faults == ("not_recording",)
    assert r.metrics["newest_age_s"] == 660.0


def test_newest_footage_just_under_threshold_is_still_recording():
    assert "not_recording" not in report(span(40 * D, 9 * M)).faults


def test_no_footage_at_all_is_not_recording_and_retention_short():
    r = report()
    assert r.faults == ("not_recording", "retention_short")
    assert r.retention_days is None
    assert r.metrics["newest_age_s"] is None


def test_a_gap_over_threshold_in_the_last_day_is_a_recording_gap():
    r = report(span(40 * D, 6 * H), span(6 * H - 10 * M, 0 * M))
    assert r.faults == ("recording_gap",)
    assert len(r.gaps) == 1
    assert r.gaps[0].start == NOW - 6 * H and r.gaps[0].duration_s == 600
    assert r.metrics["largest_gap_s"] == 600.0


def test_a_gap_under_threshold_is_not_a_fault():
    r = report(span(40 * D, 6 * H), span(6 * H - 4 * M, 0 * M))
    assert r.faults == ()
    assert r.metrics["gap_count"] == 0


def test_a_gap_older_than_the_window_is_not_counted():
    r = report(span(40 * D, 3 * D), span(3 * D - 2 * H, 0 * M))
    assert r.faults == ()


def test_a_gap_straddling_the_window_start_is_clipped_to_the_window():
    r = report(span(40 * D, 25 * H), span(23 * H, 0 * M))
    assert r.faults == ("recording_gap",)
    assert r.gaps[0].start == NOW - 24 * H
    assert r.gaps[0].duration_s == pytest.approx(3600)


def test_the_tail_to_now_is_not_a_gap_but_not_recording():
    r = report(span(40 * D, 8 * M))  # 8 min tail: over the 5 min gap threshold, under 10 min
    assert r.faults == ()
    r = report(span(40 * D, 30 * M))
    assert r.faults == ("not_recording",)


def test_touching_and_overlapping_segments_merge_into_one_stretch():
    spans = [span(3 * H, 2 * H), span(2 * H, 1 * H), span(90 * M, 0 * M), span(5 * H, 4 * H)]
    merged = merge_spans(spans, within_s=1.0)
    assert [(s.start, s.end) for s in merged] == [(NOW - 5 * H, NOW - 4 * H), (NOW - 3 * H, NOW)]


def test_segments_one_second_apart_are_one_stretch_in_the_timeline():
    spans = [Span(NOW - H + i * 61 * timedelta(seconds=1), NOW - H + (i * 61 + 60) * timedelta(seconds=1)) for i in range(59)]
    assert len(report(*spans, commissioned_at=NOW - 2 * H).timeline) == 1


def test_find_gaps_reports_holes_over_threshold_inside_window():
    tl = merge_spans([span(10 * H, 8 * H), span(7 * H, 5 * H), span(5 * H - 2 * M, 1 * H)])
    gaps = find_gaps(tl, NOW - 9 * H, NOW - 1 * H, threshold_s=300)
    assert [(g.start, g.end) for g in gaps] == [(NOW - 8 * H, NOW - 7 * H)]


def test_retention_shorter_than_required_is_retention_short():
    r = report(span(12 * D, 0 * M))
    assert r.faults == ("retention_short",)
    assert r.metrics["retention_days"] == pytest.approx(12.0)
    assert r.required_days == 30


def test_sector_retention_override_requires_90_days_for_finance():
    s = Settings()
    th = RecordingThresholds.from_settings(s.recording, "finance")
    assert th.retention_days == 90
    r = report(span(40 * D, 0 * M), th=th)
    assert r.faults == ("retention_short",)
    assert report(span(40 * D, 0 * M), th=RecordingThresholds.from_settings(s.recording, "public_area")).faults == ()


def test_camera_profile_overrides_sector_and_global_thresholds():
    s = Settings()
    th = RecordingThresholds.from_settings(
        s.recording, "finance", {"retention_days": 7, "gap_threshold_s": 60, "not_recording_after_s": 120}
    )
    assert (th.retention_days, th.gap_threshold_s, th.not_recording_after_s) == (7, 60, 120)


def test_unknown_recording_mode_is_refused_by_name():
    with pytest.raises(TimelineError, match="recording mode 'sometimes'"):
        RecordingThresholds.from_settings(Settings().recording, None, {"mode": "sometimes"})


def test_a_camera_commissioned_ten_days_ago_is_not_short_of_thirty_days():
    r = report(span(10 * D - H, 0 * M), commissioned_at=NOW - 10 * D)
    assert r.faults == ()
    assert r.required_days == pytest.approx(10)
    assert r.metrics["in_service_days"] == pytest.approx(10)


def test_a_new_camera_missing_footage_since_commissioning_is_still_short():
    r = report(span(4 * D, 0 * M), commissioned_at=NOW - 10 * D)
    assert r.faults == ("retention_short",)


def test_time_before_commissioning_is_never_a_gap():
    r = report(span(3 * H, 0 * M), commissioned_at=NOW - 3 * H - 2 * M)
    assert r.faults == ()


def test_a_camera_commissioned_minutes_ago_is_not_judged_not_recording():
    r = report(commissioned_at=NOW - 5 * M)
    assert r.faults == ()


def test_motion_only_camera_holes_are_counted_not_faulted():
    th = RecordingThresholds(continuous=False)
    r = report(span(40 * D, 20 * H), span(19 * H, 18 * H), span(2 * H, 90 * M), th=th)
    assert r.faults == ()
    assert r.metrics["gap_count"] == 2


def test_motion_only_camera_is_not_recording_when_the_recorder_says_so():
    th = RecordingThresholds(continuous=False)
    ev = RecordingEvidence(spans=(span(40 * D, 5 * H),), recording_active=False)
    assert report(th=th, evidence=ev).faults == ("not_recording",)


def test_motion_only_camera_retention_is_judged_from_the_configured_retention():
    th = RecordingThresholds(continuous=False)
    quiet = RecordingEvidence(spans=(span(20 * D, 19 * D),), configured_retention_s=None)
    assert report(th=th, evidence=quiet).faults == ()
    configured_short = RecordingEvidence(spans=(span(20 * D, 19 * D),), configured_retention_s=(14 * D).total_seconds())
    assert report(th=th, evidence=configured_short).faults == ("retention_short",)


def test_configured_retention_shorter_than_required_is_retention_short_even_with_old_footage():
    ev = RecordingEvidence(spans=(span(40 * D, 0 * M),), configured_retention_s=(7 * D).total_seconds())
    r = report(evidence=ev)
    assert r.faults == ("retention_short",)
    assert r.metrics["configured_retention_days"] == 7


def test_recorder_reporting_a_failed_disk_is_storage_fault():
    ev = RecordingEvidence(spans=(span(40 * D, 0 * M),), storage_faults=("disk 2 failed",))
    r = report(evidence=ev)
    assert r.faults == ("storage_fault",)
    assert r.metrics["storage_detail"] == "disk 2 failed"
    obs = r.to_observation()
    assert obs.check == "recording" and obs.status == "fail" and obs.faults == ("storage_fault",)


def test_footage_stamped_in_the_future_is_clipped_to_now():
    r = report(Span(NOW - 40 * D, NOW + H))
    assert r.timeline[-1].end == NOW
    assert r.metrics["newest_age_s"] == 0


def test_instants_in_other_offsets_are_compared_correctly():
    cst = timezone(timedelta(hours=8))
    r = report(Span((NOW - 40 * D).astimezone(cst), NOW.astimezone(cst)))
    assert r.faults == ()


def test_naive_instants_are_refused():
    with pytest.raises(TimelineError, match="no UTC offset"):
        Span(datetime(2026, 1, 1), NOW)


def test_a_span_ending_before_it_starts_is_refused():
    with pytest.raises(TimelineError, match="ends"):
        Span(NOW, NOW - H, "x.mp4")


def test_source_details_appear_in_metrics_without_overwriting_judged_values():
    ev = RecordingEvidence(spans=(span(40 * D, 0 * M),), details={"files": 12, "gap_count": 99})
    r = report(evidence=ev)
    assert r.metrics["files"] == 12
    assert r.metrics["gap_count"] == 0


def test_time_before_the_oldest_footage_is_retention_not_a_gap():
    r = report(span(3 * H, 0 * M))
    assert r.faults == ("retention_short",)
    assert r.gaps == ()
