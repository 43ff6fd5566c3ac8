"""Recording integrity as a pure judgement: recorded spans + now + thresholds -> RecordingReport.

No I/O here. Sources (ONVIF Profile G, a storage scan) gather ``RecordingEvidence``; this module
decides which recording faults it shows:

- ``not_recording``: the newest footage is older than ``not_recording_after_s`` (continuous
  recording), or the recorder itself says it is not recording (motion-only recording, where old
  footage is normal in a quiet scene).
- ``recording_gap``: a hole longer than ``gap_threshold_s`` in the last ``gap_window_s`` (24 h).
  The tail between the newest footage and *now* is not a gap: recorders index the running segment
  late, and a tail long enough to matter is ``not_recording``. Likewise the time before the oldest
  footage is a retention matter, and time before commissioning is never a gap. Motion-only cameras have holes by design, so their holes are counted but not faulted.
- ``retention_short``: fewer days kept than required. A camera commissioned 10 days ago cannot have
  30 days, so the requirement is capped at the days since commissioning (the false alarm Milestone
  users report for new cameras). For motion-only cameras the oldest clip says little (a quiet week
  leaves nothing to keep), so only a configured retention shorter than required is faulted.
- ``storage_fault``: the recorder reports a failed disk or a recording job in error.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from camsla.kernel import MetricValue, Observation

DAY_S = 86_400.0


class TimelineError(ValueError):
    """Bad input to the pure judgement (naive instants, a span that ends before it starts)."""


def _aware(t: datetime, what: str) -> datetime:
    if t.tzinfo is None or t.utcoffset() is None:
        raise TimelineError(f"{what} {t.isoformat()} has no UTC offset")
    return t


@dataclass(frozen=True, slots=True)
class Span:
    """A stretch of recorded footage, [start, end)."""

    start: datetime
    end: datetime
    label: str = ""  # where it came from: a file name, a recording/track token

    def __post_init__(self) -> None:
        _aware(self.start, "span start")
        _aware(self.end, "span end")
        if self.end < self.start:
            raise TimelineError(
                f"span {self.label or ''} ends ({self.end.isoformat()}) before it starts ({self.start.isoformat()})"
            )

    @property
    def duration_s(self) -> float:
        return (self.end - self.start).total_seconds()


@dataclass(frozen=True, slots=True)
class Gap:
    """A hole in the footage, [start, end)."""

    start: datetime
    end: datetime

    @property
    def duration_s(self) -> float:
        return (self.end - self.start).total_seconds()


@dataclass(frozen=True, slots=True)
class RecordingThresholds:
    not_recording_after_s: float = 600.0
    gap_threshold_s: float = 300.0
    retention_days: float = 30.0  # required days kept
    gap_window_s: float = DAY_S  # gaps are looked for in [now - window, newest footage]
    retention_slack_s: float = 3_600.0  # recorders delete oldest footage in blocks
    merge_within_s: float = 1.0  # spans this close are one stretch in the timeline
    continuous: bool = True  # False: motion/event-only recording

    @classmethod
    def from_settings(
        cls,
        recording: Any,
        sector_code: str | None = None,
        overrides: Mapping[str, Any] | None = None,
    ) -> RecordingThresholds:
        """From ``Settings.recording`` (duck-typed), the camera's sector and its profile overrides.

        ``overrides`` is the camera's ``profile["recording"]`` table; keys it may carry:
        ``not_recording_after_s``, ``gap_threshold_s``, ``retention_days``, ``mode``
        ("continuous" | "motion").
        """
        overrides = dict(overrides or {})
        days = float(recording.retention_days)
        if sector_code is not None:
            days = float(recording.sector_retention_days.get(sector_code, days))
        mode = overrides.get("mode", "continuous")
        if mode not in ("continuous", "motion"):
            raise TimelineError(f"recording mode {mode!r}: expected 'continuous' or 'motion'")
        return cls(
            not_recording_after_s=float(overrides.get("not_recording_after_s", recording.not_recording_after_s)),
            gap_threshold_s=float(overrides.get("gap_threshold_s", recording.gap_threshold_s)),
            retention_days=float(overrides.get("retention_days", days)),
            continuous=mode == "continuous",
        )


@dataclass(frozen=True, slots=True)
class RecordingEvidence:
    """What a source found; every field but ``spans`` is optional knowledge."""

    spans: tuple[Span, ...] = ()
    recording_active: bool | None = None  # the recorder's own statement (ONVIF RecordingStatus / job state)
    storage_faults: tuple[str, ...] = ()  # human-readable: "recording job J1 state Error", "disk 2 failed"
    configured_retention_s: float | None = None  # the recorder's retention setting, None: unknown/unlimited
    details: Mapping[str, MetricValue] = field(default_factory=dict)  # source-specific counts for metrics


@dataclass(frozen=True, slots=True)
class RecordingReport:
    camera_id: str
    now: datetime
    timeline: tuple[Span, ...]  # merged, oldest first
    gaps: tuple[Gap, ...]  # above threshold, inside the gap window
    retention_days: float | None  # days of footage kept (now - oldest), None when nothing is kept
    required_days: float  # the requirement after capping at days since commissioning
    faults: tuple[str, ...]
    metrics: Mapping[str, MetricValue]
    source: str = ""

    @property
    def status(self) -> str:
        return "fail" if self.faults else "ok"

    def to_observation(self) -> Observation:
        return Observation(
            camera_id=self.camera_id,
            ts=self.now,
            check="recording",
            status="fail" if self.faults else "ok",
            faults=self.faults,
            metrics=dict(self.metrics),
            source=self.source,
        )


def merge_spans(spans: Iterable[Span], within_s: float = 0.0) -> tuple[Span, ...]:
    """Sorted, overlapping or nearly touching spans joined; labels of joined spans are dropped."""
    ordered = sorted(spans, key=lambda s: (s.start, s.end))
    out: list[Span] = []
    tol = timedelta(seconds=within_s)
    for s in ordered:
        if out and s.start <= out[-1].end + tol:
            last = out[-1]
            if s.end > last.end:
                out[-1] = Span(last.start, s.end)
        else:
            out.append(Span(s.start, s.end))
    return tuple(out)


def find_gaps(
    timeline: Sequence[Span], window_start: datetime, window_end: datetime, threshold_s: float
) -> tuple[Gap, ...]:
    """Holes longer than ``threshold_s`` inside [window_start, window_end) of a merged timeline.

    A hole that began before the window is clipped to it; the caller chooses ``window_end`` (the
    newest footage), so the tail to *now* is not a hole here.
    """
    if window_end <= window_start:
        return ()
    gaps: list[Gap] = []
    cursor = window_start
    for s in timeline:
        if s.end <= cursor:
            continue
        if s.start >= window_end:
            break
        if s.start > cursor:
            gaps.append(Gap(cursor, s.start))
        cursor = max(cursor, s.end)
    if cursor < window_end:
        gaps.append(Gap(cursor, window_end))
    return tuple(g for g in gaps if g.duration_s > threshold_s)


def build_report(
    camera_id: str,
    evidence: RecordingEvidence,
    now: datetime,
    thresholds: RecordingThresholds,
    *,
    commissioned_at: datetime | None = None,
    source: str = "",
) -> RecordingReport:
    _aware(now, "now")
    if commissioned_at is not None:
        _aware(commissioned_at, "commissioned_at")
    th = thresholds
    # Footage "from the future" (recorder clock ahead) is clipped to now.
    clipped = [Span(s.start if s.start <= now else now, min(s.end, now), s.label) for s in evidence.spans]
    timeline = merge_spans(clipped, th.merge_within_s)
    faults: set[str] = set()
    metrics: dict[str, MetricValue] = {
        "spans": len(evidence.spans),
        "continuous": th.continuous,
        "gap_threshold_s": th.gap_threshold_s,
        "not_recording_after_s": th.not_recording_after_s,
    }

    in_service_s = None if commissioned_at is None else max(0.0, (now - commissioned_at).total_seconds())
    metrics["in_service_days"] = None if in_service_s is None else round(in_service_s / DAY_S, 3)

    # --- recording now
    newest = timeline[-1].end if timeline else None
    newest_age_s = None if newest is None else (now - newest).total_seconds()
    metrics["newest_age_s"] = None if newest_age_s is None else round(newest_age_s, 1)
    metrics["newest"] = None if newest is None else newest.isoformat()
    metrics["recording_active"] = evidence.recording_active
    if th.continuous:
        # A camera younger than the threshold cannot be judged by footage age yet.
        too_new = in_service_s is not None and in_service_s <= th.not_recording_after_s
        if not too_new and (newest_age_s is None or newest_age_s > th.not_recording_after_s):
            faults.add("not_recording")
    elif evidence.recording_active is False:
        faults.add("not_recording")

    # --- gaps in the last window
    window_start = now - timedelta(seconds=th.gap_window_s)
    if commissioned_at is not None and commissioned_at > window_start:
        window_start = commissioned_at
    if timeline and timeline[0].start > window_start:
        window_start = timeline[0].start  # before the oldest footage is a retention matter, not a hole
    all_gaps = find_gaps(timeline, window_start, newest, th.gap_threshold_s) if newest else ()
    metrics["gap_count"] = len(all_gaps)
    metrics["largest_gap_s"] = round(max((g.duration_s for g in all_gaps), default=0.0), 1)
    metrics["gap_total_s"] = round(sum(g.duration_s for g in all_gaps), 1)
    if all_gaps and th.continuous:
        faults.add("recording_gap")

    # --- retention
    oldest = timeline[0].start if timeline else None
    retention_s = None if oldest is None else (now - oldest).total_seconds()
    required_s = th.retention_days * DAY_S
    if in_service_s is not None:
        required_s = min(required_s, in_service_s)
    metrics["oldest"] = None if oldest is None else oldest.isoformat()
    metrics["retention_days"] = None if retention_s is None else round(retention_s / DAY_S, 3)
    metrics["required_days"] = round(required_s / DAY_S, 3)
    metrics["policy_retention_days"] = th.retention_days
    metrics["configured_retention_days"] = (
        None if evidence.configured_retention_s is None else round(evidence.configured_retention_s / DAY_S, 3)
    )
    configured_short = (
        evidence.configured_retention_s is not None
        and evidence.configured_retention_s + th.retention_slack_s < th.retention_days * DAY_S
    )
    if configured_short:
        faults.add("retention_short")
    if th.continuous and required_s > th.retention_slack_s:
        kept_s = retention_s or 0.0
        if kept_s + th.retention_slack_s < required_s:
            faults.add("retention_short")

    # --- storage
    if evidence.storage_faults:
        faults.add("storage_fault")
        metrics["storage_detail"] = "; ".join(evidence.storage_faults)

    for k, v in evidence.details.items():
        metrics.setdefault(k, v)

    return RecordingReport(
        camera_id=camera_id,
        now=now,
        timeline=timeline,
        gaps=all_gaps,
        retention_days=None if retention_s is None else retention_s / DAY_S,
        required_days=required_s / DAY_S,
        faults=tuple(sorted(faults)),
        metrics=metrics,
        source=source,
    )
