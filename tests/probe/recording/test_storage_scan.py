"""Recording integrity from footage kept as files: a generated tree of real (tiny) video segments
written with PyAV, named by time as an NVR export names them, with gaps, missing days and corrupt
files."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import av
import numpy as np
import pytest

from camsla.kernel import Settings
from probe.recording import RecordingTarget, check_recording, inspect_recording
from probe.recording.storage_scan import (
    CorruptSegment,
    PatternError,
    compile_pattern,
    probe_container,
    times_from_path,
)

CAM = "34020000001320000001"
TZ = ZoneInfo("Asia/Shanghai")
SETTINGS = Settings()
PATTERN = "{camera_id}/%Y%m%d/%H%M%S-%H%M%S.mp4"
H = timedelta(hours=1)
D = timedelta(days=1)


def write_segment(path: Path, seconds: float = 1.0, creation_time: datetime | None = None, fps: int = 5) -> None:
    """A real MPEG-4 segment, 64x48, ``seconds`` long."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w", format="mp4") as c:
        if creation_time is not None:
            c.metadata["creation_time"] = creation_time.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000000Z")
        s = c.add_stream("mpeg4", rate=fps)
        s.width, s.height, s.pix_fmt = 64, 48, "yuv420p"
        for i in range(max(1, round(seconds * fps))):
            img = np.full((48, 64, 3), (i * 37) % 255, np.uint8)
            for p in s.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                c.mux(p)
        for p in s.encode():
            c.mux(p)


def named_path(root: Path, start: datetime, end: datetime) -> Path:
    a, b = start.astimezone(TZ), end.astimezone(TZ)
    return root / CAM / a.strftime("%Y%m%d") / f"{a:%H%M%S}-{b:%H%M%S}.mp4"


def build_tree(
    root: Path,
    now: datetime,
    days: int = 32,
    *,
    stop_before: timedelta = timedelta(seconds=30),
    missing_hours_ago: tuple[int, ...] = (),
    missing_days_ago: tuple[int, ...] = (),
) -> list[Path]:
    """Footage from ``days`` ago until ``now - stop_before``: 6-hour files for older days, hourly
    files for the last 24 h; the hour files starting ``missing_hours_ago`` and the whole days
    ``missing_days_ago`` are left out."""
    paths = []
    end = now - stop_before
    t = now - days * D
    recent = now - 24 * H
    while t < end:
        step = 6 * H if t < recent - 6 * H else H
        seg_end = min(t + step, end)
        days_ago = int((now - t) / D)
        hours_ago = round((now - t) / H)
        skip = days_ago in missing_days_ago or (step == H and hours_ago in missing_hours_ago)
        if not skip:
            p = named_path(root, t, seg_end)
            write_segment(p)
            paths.append(p)
        t = seg_end
    return paths


def target(root: Path, pattern: str = PATTERN, **cfg) -> RecordingTarget:
    return RecordingTarget(CAM, "public_area", None, config={"source": "storage", "root": str(root), "pattern": pattern, **cfg})


@pytest.fixture
def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


async def test_a_complete_tree_of_segments_is_ok(tmp_path, now):
    files = build_tree(tmp_path, now)
    report = await inspect_recording(target(tmp_path), SETTINGS, now)
    assert report.faults == ()
    assert report.metrics["files"] == len(files)
    assert report.metrics["corrupt_files"] == 0
    assert report.retention_days == pytest.approx(32, abs=0.01)
    assert len(report.timeline) == 1  # the segments abut: one stretch


async def test_a_missing_hour_in_the_last_day_is_a_recording_gap(tmp_path, now):
    build_tree(tmp_path, now, missing_hours_ago=(5,))
    report = await inspect_recording(target(tmp_path), SETTINGS, now)
    assert report.faults == ("recording_gap",)
    assert len(report.gaps) == 1
    assert report.gaps[0].duration_s == pytest.approx(3600, abs=2)
    assert report.gaps[0].start == pytest.approx(now - 5 * H, abs=timedelta(hours=0.6))


async def test_missing_days_show_in_the_timeline_but_are_not_last_day_gaps(tmp_path, now):
    build_tree(tmp_path, now, missing_days_ago=(10, 11, 12))
    report = await inspect_recording(target(tmp_path), SETTINGS, now)
    assert report.faults == ()
    assert len(report.timeline) == 2
    hole = report.timeline[1].start - report.timeline[0].end
    assert hole >= 2 * D
    assert report.retention_days == pytest.approx(32, abs=0.01)


async def test_footage_that_stopped_two_hours_ago_is_not_recording(tmp_path, now):
    build_tree(tmp_path, now, stop_before=2 * H)
    obs = await check_recording(target(tmp_path), SETTINGS, now)
    assert obs.faults == ("not_recording",)
    assert obs.metrics["newest_age_s"] == pytest.approx(7200, abs=1)


async def test_twelve_days_of_footage_is_retention_short(tmp_path, now):
    build_tree(tmp_path, now, days=12)
    obs = await check_recording(target(tmp_path), SETTINGS, now)
    assert obs.faults == ("retention_short",)
    assert obs.metrics["retention_days"] == pytest.approx(12, abs=0.01)


async def test_twelve_days_is_enough_for_a_camera_commissioned_twelve_days_ago(tmp_path, now):
    build_tree(tmp_path, now, days=12)
    t = RecordingTarget(CAM, "public_area", now - 12 * D, config=target(tmp_path).config)
    report = await inspect_recording(t, SETTINGS, now)
    assert report.faults == ()


async def test_a_corrupt_recent_file_is_counted_named_and_missing_from_the_timeline(tmp_path, now):
    files = build_tree(tmp_path, now)
    victim = files[-3]  # an hour file from the last day
    victim.write_bytes(b"\x00\x00\x00\x18ftypisom" + b"garbage" * 100)
    empty = files[-6]
    empty.write_bytes(b"")
    report = await inspect_recording(target(tmp_path), SETTINGS, now)
    assert report.metrics["corrupt_files"] == 2
    assert victim.name in report.metrics["corrupt"] and empty.name in report.metrics["corrupt"]
    assert "empty file" in report.metrics["corrupt"]
    assert report.faults == ("recording_gap",)
    assert report.metrics["gap_count"] == 2


async def test_old_files_are_opened_only_when_verify_is_all(tmp_path, now):
    files = build_tree(tmp_path, now)
    files[0].write_bytes(b"not a video at all" * 50)
    recent = await inspect_recording(target(tmp_path), SETTINGS, now)
    assert recent.metrics["corrupt_files"] == 0  # not opened: named times are trusted
    full = await inspect_recording(target(tmp_path, verify="all"), SETTINGS, now)
    assert full.metrics["corrupt_files"] == 1
    assert files[0].name in full.metrics["corrupt"]
    assert full.faults == ("retention_short",) or full.retention_days < recent.retention_days


async def test_times_from_container_metadata(tmp_path, now):
    t = now - 3 * D
    while t < now - 20 * timedelta(seconds=1):
        write_segment(tmp_path / CAM / f"clip_{int(t.timestamp())}.mp4", seconds=2, creation_time=t)
        t += timedelta(hours=8)
    (tmp_path / CAM / "notes.txt").write_text("not footage")
    write_segment(tmp_path / CAM / "untimed.mp4", seconds=1)
    report = await inspect_recording(target(tmp_path, "metadata", retention_days=2), SETTINGS, now)
    assert report.metrics["untimed_files"] == 1
    assert report.metrics["files"] == 10
    spans = report.timeline
    assert len(spans) == 9
    assert all(s.duration_s == pytest.approx(2, abs=0.01) for s in spans)
    assert spans[0].start == now - 3 * D
    assert "not_recording" in report.faults  # 2-second clips every 8 hours
    assert "recording_gap" in report.faults


async def test_regex_pattern_with_start_and_end_groups(tmp_path, now):
    start = (now - 2 * H).astimezone(TZ)
    end = now.astimezone(TZ)
    write_segment(tmp_path / CAM / f"ch01_{start:%Y%m%d%H%M%S}_{end:%Y%m%d%H%M%S}.mp4")
    write_segment(tmp_path / CAM / "ch01_20251301000000_20251301010000.mp4")  # month 13
    pattern = r"re:{camera_id}/ch01_(?P<start>\d{14})_(?P<end>\d{14})\.mp4"
    report = await inspect_recording(target(tmp_path, pattern, retention_days=0.05), SETTINGS, now)
    assert report.faults == ()
    assert report.timeline[0].start == now - 2 * H
    assert report.metrics["corrupt_files"] == 1 and "bad time in name" in report.metrics["corrupt"]


async def test_a_template_without_end_takes_the_end_from_the_container(tmp_path, now):
    start = (now - timedelta(seconds=30)).astimezone(TZ)
    write_segment(tmp_path / CAM / f"{start:%Y%m%d_%H%M%S}.mp4", seconds=2)
    report = await inspect_recording(
        target(tmp_path, "{camera_id}/%Y%m%d_%H%M%S.mp4"), SETTINGS, now
    )
    (span,) = report.timeline
    assert span.duration_s == pytest.approx(2, abs=0.01)


async def test_a_camera_with_no_footage_directory_is_not_recording_and_short(tmp_path, now):
    build_tree(tmp_path, now, days=2)
    other = RecordingTarget("34020000001320000999", None, None, config=target(tmp_path).config)
    obs = await check_recording(other, SETTINGS, now)
    assert obs.faults == ("not_recording", "retention_short")


async def test_a_missing_root_is_an_error_not_a_recording_fault(tmp_path, now):
    obs = await check_recording(target(tmp_path / "not-mounted"), SETTINGS, now)
    assert obs.status == "error" and obs.metrics["reason"] == "not_found"
    assert "not-mounted" in obs.metrics["detail"]


async def test_a_bad_pattern_is_a_config_error_naming_the_pattern(tmp_path, now):
    obs = await check_recording(target(tmp_path, "{camera_id}/%Q.mp4"), SETTINGS, now)
    assert obs.status == "error" and obs.metrics["reason"] == "bad_config"
    assert "%Q" in obs.metrics["detail"]


def test_filename_times_are_local_and_an_end_past_midnight_is_the_next_day():
    p = compile_pattern(PATTERN, CAM)
    assert p.walk_dir == CAM
    start, end = times_from_path(f"{CAM}/20261124/233000-000500.mp4", p, TZ)
    assert start == datetime(2026, 11, 24, 15, 30, tzinfo=UTC)
    assert end == datetime(2026, 11, 24, 16, 5, tzinfo=UTC)
    assert times_from_path(f"{CAM}/20261124/notes.mp4", p, TZ) is None
    assert times_from_path("other/20261124/233000-000500.mp4", p, TZ) is None


def test_hikvision_style_names_with_full_start_and_end_stamps():
    p = compile_pattern("{camera_id}/ch01_%Y%m%d%H%M%S_%Y%m%d%H%M%S.mp4", CAM)
    start, end = times_from_path(f"{CAM}/ch01_20261124235900_20261125000900.mp4", p, TZ)
    assert (end - start) == timedelta(minutes=10)


def test_patterns_that_cannot_name_a_time_are_refused():
    with pytest.raises(PatternError, match="strftime"):
        compile_pattern("{camera_id}/*.mp4", CAM)
    with pytest.raises(PatternError, match="needs at least"):
        compile_pattern("{camera_id}/%H%M%S.mp4", CAM)
    with pytest.raises(PatternError, match="named groups"):
        compile_pattern(r"re:(?P<start>\d+)\.mp4", CAM)
    with pytest.raises(PatternError, match="more than twice"):
        compile_pattern("%Y%m%d%H-%H-%H.mp4", CAM)


def test_probe_container_reads_duration_and_creation_time_and_refuses_junk(tmp_path):
    good = tmp_path / "a.mp4"
    write_segment(good, seconds=2, creation_time=datetime(2026, 11, 20, 1, 2, 3, tzinfo=UTC))
    info = probe_container(good)
    assert info.duration_s == pytest.approx(2)
    assert info.creation_time == datetime(2026, 11, 20, 1, 2, 3, tzinfo=UTC)
    junk = tmp_path / "b.mp4"
    junk.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 3])
    with pytest.raises(CorruptSegment):
        probe_container(junk)
