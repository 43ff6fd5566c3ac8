"""Recording evidence from footage kept as files (an NVR export, an NFS mount).

Per camera a tree of segment files; each segment's start/end comes from its path or, failing that,
from the container (PyAV). Profile keys (``Camera.profile["recording"]``):

- ``root``: the footage directory (required).
- ``pattern``: how a segment's path relative to ``root`` names its times. One of
  * a strftime-style template, ``{camera_id}`` substituted, ``*`` any characters within one path
    component; the first occurrence of a directive is the start, a second occurrence the end
    (end fields not repeated are taken from the start; an end before the start is the next day):
    ``{camera_id}/%Y%m%d/%H%M%S-%H%M%S.mp4``, ``{camera_id}/ch01_%Y%m%d%H%M%S_%Y%m%d%H%M%S.mp4``.
    A template without end fields takes the end from the container's duration.
  * ``re:<regex>`` with named groups ``start`` and ``end`` (``20241128153000``, ISO 8601 ...) or
    ``start`` and ``duration`` (seconds), matched against the path relative to ``root``;
    the files looked at are under ``root/<dir>`` (``dir`` default ``{camera_id}``).
  * ``metadata``: every video file under ``root/<dir>``; start = the container's ``creation_time``,
    end = start + duration.
- ``timezone``: of the times in file names (default: settings.timezone; NVR exports use local time).
- ``verify``: ``recent`` (default: open and decode a frame of each segment that ends inside the
  gap window), ``all`` or ``none``. A file that does not open or decode is *corrupt*: counted,
  named in the metrics and left out of the timeline (so it shows as missing footage), never a crash.
- ``dir``: see above.

The root missing or unreadable is ``RecordingSourceError("not_found")``: the monitor cannot see the
storage, which is not evidence that the camera is not recording.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from probe.recording.target import RecordingSourceError, RecordingTarget
from probe.recording.timeline import RecordingEvidence, Span

VIDEO_SUFFIXES = frozenset({".mp4", ".mkv", ".ts", ".avi", ".mov", ".flv", ".m4v", ".264", ".h264", ".265", ".ps"})
NAMED_CORRUPT_MAX = 20  # corrupt files named in the metrics; all are counted

_DIRECTIVES = {
    "Y": (r"\d{4}", "year"),
    "y": (r"\d{2}", "year2"),
    "m": (r"\d{2}", "month"),
    "d": (r"\d{2}", "day"),
    "H": (r"\d{2}", "hour"),
    "M": (r"\d{2}", "minute"),
    "S": (r"\d{2}", "second"),
    "f": (r"\d{1,6}", "micro"),
}


class PatternError(ValueError):
    """A footage filename pattern that cannot be used."""


@dataclass(frozen=True, slots=True)
class SegmentPattern:
    kind: str  # "strftime" | "regex" | "metadata"
    regex: re.Pattern[str] | None
    walk_dir: str  # relative to root, where segment files are looked for
    has_end: bool  # the path names the end (else: duration from the container)


def compile_pattern(pattern: str, camera_id: str, dir_template: str = "{camera_id}") -> SegmentPattern:
    """Turn a profile ``pattern`` into a matcher for paths relative to the root (``/`` separated)."""
    walk_dir = dir_template.replace("{camera_id}", camera_id).strip("/")
    if pattern == "metadata":
        return SegmentPattern("metadata", None, walk_dir, True)
    if pattern.startswith("re:"):
        try:
            rx = re.compile(pattern[3:].replace("{camera_id}", re.escape(camera_id)))
        except re.error as e:
            raise PatternError(f"pattern {pattern!r}: bad regular expression ({e})") from e
        groups = set(rx.groupindex)
        if "start" not in groups or not ({"end", "duration"} & groups):
            raise PatternError(f"pattern {pattern!r}: needs named groups 'start' and 'end' (or 'duration')")
        return SegmentPattern("regex", rx, walk_dir, "end" in groups)
    if "%" not in pattern:
        raise PatternError(
            f"pattern {pattern!r}: expected strftime fields (%Y%m%d...), 're:<regex>' or 'metadata'"
        )
    out: list[str] = []
    seen: set[str] = set()
    has_end = False
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if pattern.startswith("{camera_id}", i):
            out.append(re.escape(camera_id))
            i += len("{camera_id}")
            continue
        if ch == "%":
            d = pattern[i + 1 : i + 2]
            if d == "%":
                out.append("%")
            elif d in _DIRECTIVES:
                rx, name = _DIRECTIVES[d]
                which = "end" if name in seen else "start"
                has_end = has_end or which == "end"
                seen.add(name)
                group = f"{which}_{name}"
                if any(f"(?P<{group}>" in part for part in out):
                    raise PatternError(f"pattern {pattern!r}: %{d} appears more than twice")
                out.append(f"(?P<{group}>{rx})")
            else:
                raise PatternError(f"pattern {pattern!r}: unsupported field %{d} (use %Y %y %m %d %H %M %S %f)")
            i += 2
            continue
        out.append("[^/]*" if ch == "*" else re.escape(ch))
        i += 1
    if not ({"year", "year2"} & seen and {"month", "day", "hour"} <= seen):
        raise PatternError(f"pattern {pattern!r}: needs at least a year, %m, %d and %H for the start")
    # walk from the fixed leading directories (before the first field)
    fixed = pattern.split("%", 1)[0].replace("{camera_id}", camera_id)
    lead = fixed.rsplit("/", 1)[0] if "/" in fixed else ""
    if "*" in lead:
        lead = lead.split("*", 1)[0].rsplit("/", 1)[0] if "/" in lead.split("*", 1)[0] else ""
    return SegmentPattern("strftime", re.compile("".join(out)), lead.strip("/"), has_end)


_COMPACT_STAMP = re.compile(r"(\d{4})(\d{2})(\d{2})[T_\-]?(\d{2})(\d{2})(\d{2})(?:[.,]?(\d{1,6}))?")


def _parse_stamp(text: str, tz: tzinfo) -> datetime:
    """``20241128153000`` (also with T, _ or - between date and time, optional fraction) or ISO 8601;
    strict: a month 13 is a ValueError, not a date in the next year."""
    t = text.strip()
    m = _COMPACT_STAMP.fullmatch(t)
    if m:
        y, mo, d, hh, mm, ss = (int(x) for x in m.groups()[:6])
        micro = int((m.group(7) or "0").ljust(6, "0"))
        dt = datetime(y, mo, d, hh, mm, ss, micro)
    else:
        dt = datetime.fromisoformat(t.replace("Z", "+00:00"))
    return dt.replace(tzinfo=tz) if dt.tzinfo is None else dt


def times_from_path(rel_path: str, pattern: SegmentPattern, tz: tzinfo) -> tuple[datetime, datetime | None] | None:
    """(start, end or None) named by a relative path, None when the path does not match.

    Raises ValueError for a path that matches but names an impossible time (month 13...).
    """
    if pattern.regex is None:
        return None
    m = pattern.regex.fullmatch(rel_path)
    if m is None:
        return None
    g = m.groupdict()
    if pattern.kind == "regex":
        start = _parse_stamp(g["start"], tz)
        if g.get("end"):
            end: datetime | None = _parse_stamp(g["end"], tz)
        elif g.get("duration"):
            end = start + timedelta(seconds=float(g["duration"]))
        else:
            end = None
        return _utc(start), None if end is None else _utc(_next_day_if_before(start, end))

    def field_of(which: str, name: str) -> int | None:
        v = g.get(f"{which}_{name}")
        return None if v is None else int(v)

    def build(which: str, base: datetime | None) -> datetime:
        year = field_of(which, "year")
        if year is None and field_of(which, "year2") is not None:
            year = 2000 + field_of(which, "year2")  # type: ignore[operator]
        micro = g.get(f"{which}_micro")
        parts = {
            "year": year,
            "month": field_of(which, "month"),
            "day": field_of(which, "day"),
            "hour": field_of(which, "hour"),
            "minute": field_of(which, "minute"),
            "second": field_of(which, "second"),
            "microsecond": None if micro is None else int(micro.ljust(6, "0")),
        }
        if base is None:
            return datetime(
                parts["year"], parts["month"], parts["day"], parts["hour"],  # type: ignore[arg-type]
                parts["minute"] or 0, parts["second"] or 0, parts["microsecond"] or 0, tzinfo=tz,
            )
        return base.replace(**{k: v for k, v in parts.items() if v is not None})

    start = build("start", None)
    if not pattern.has_end:
        return _utc(start), None
    end = build("end", start)
    return _utc(start), _utc(_next_day_if_before(start, end))


def _next_day_if_before(start: datetime, end: datetime) -> datetime:
    return end + timedelta(days=1) if end < start and (start - end) < timedelta(days=1) else end


def _utc(t: datetime) -> datetime:
    return t.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class ContainerInfo:
    duration_s: float | None
    creation_time: datetime | None


class CorruptSegment(Exception):
    pass


def probe_container(path: Path, decode: bool = True) -> ContainerInfo:
    """Open a segment with PyAV; decode its first video frame. Raises CorruptSegment."""
    import av

    try:
        with av.open(str(path), mode="r", timeout=10.0) as container:
            video = next((s for s in container.streams if s.type == "video"), None)
            if video is None:
                raise CorruptSegment("no video stream")
            duration = None if container.duration is None else container.duration / 1_000_000
            if duration is None and video.duration is not None and video.time_base is not None:
                duration = float(video.duration * video.time_base)
            created = container.metadata.get("creation_time")
            created_at = None
            if created:
                try:
                    created_at = _utc(_parse_stamp(created, UTC))
                except ValueError:
                    created_at = None
            if decode:
                got = False
                for _frame in container.decode(video):
                    got = True
                    break
                if not got:
                    raise CorruptSegment("no decodable video frame")
            return ContainerInfo(duration, created_at)
    except CorruptSegment:
        raise
    except (av.error.FFmpegError, OSError, ValueError, IndexError) as e:
        raise CorruptSegment(f"{type(e).__name__}: {e}") from e


@dataclass
class StorageScan:
    spans: list[Span] = field(default_factory=list)
    corrupt: list[str] = field(default_factory=list)  # relative paths, with reason
    unmatched: int = 0  # video files whose path the pattern does not name
    untimed: int = 0  # metadata mode: files without a creation time
    files: int = 0  # segment files considered


def _walk(base: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(base, onerror=None):
        dirnames.sort()
        for name in sorted(filenames):
            yield Path(dirpath) / name


def scan_storage(
    root: Path,
    camera_id: str,
    pattern: str,
    tz: tzinfo,
    *,
    dir_template: str = "{camera_id}",
    verify: str = "recent",
    verify_since: datetime | None = None,
) -> StorageScan:
    """Blocking: walk one camera's footage and read each segment's times. See the module docstring."""
    if verify not in ("recent", "all", "none"):
        raise RecordingSourceError("bad_config", f"verify {verify!r}: expected recent, all or none")
    if not root.is_dir():
        raise RecordingSourceError("not_found", f"footage root {root} does not exist or is not a directory")
    try:
        compiled = compile_pattern(pattern, camera_id, dir_template)
    except PatternError as e:
        raise RecordingSourceError("bad_config", str(e)) from e
    base = root / compiled.walk_dir if compiled.walk_dir else root
    scan = StorageScan()
    if not base.is_dir():
        return scan  # no footage at all for this camera: the timeline says what that means
    if not os.access(base, os.R_OK | os.X_OK):
        raise RecordingSourceError("not_found", f"footage directory {base} is not readable")
    for path in _walk(base):
        rel = path.relative_to(root).as_posix()
        if path.suffix.lower() not in VIDEO_SUFFIXES:
            continue
        try:
            if compiled.kind == "metadata":
                named = None
            else:
                named = times_from_path(rel, compiled, tz)
                if named is None:
                    scan.unmatched += 1
                    continue
        except ValueError as e:
            scan.unmatched += 1
            scan.corrupt.append(f"{rel} (bad time in name: {e})")
            continue
        scan.files += 1
        start, end = named if named else (None, None)
        must_open = compiled.kind == "metadata" or end is None
        check = verify == "all" or (
            verify == "recent" and (end is None or verify_since is None or end >= verify_since)
        )
        try:
            if path.stat().st_size == 0:
                raise CorruptSegment("empty file")
            info = probe_container(path, decode=check) if (must_open or check) else None
        except CorruptSegment as e:
            scan.corrupt.append(f"{rel} ({e})")
            continue
        except OSError as e:
            scan.corrupt.append(f"{rel} (unreadable: {e})")
            continue
        if compiled.kind == "metadata":
            if info is None or info.creation_time is None or info.duration_s is None:
                scan.untimed += 1
                continue
            start, end = info.creation_time, info.creation_time + timedelta(seconds=info.duration_s)
        elif end is None:
            if info is None or info.duration_s is None:
                scan.untimed += 1
                continue
            end = start + timedelta(seconds=info.duration_s)
        try:
            scan.spans.append(Span(start, end, rel))
        except ValueError as e:
            scan.corrupt.append(f"{rel} ({e})")
    return scan


def _timezone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as e:
        raise RecordingSourceError("bad_config", f"timezone {name!r} unknown") from e


async def scan_storage_evidence(target: RecordingTarget, settings: Any) -> RecordingEvidence:
    """The ``storage`` recording source (the walk and PyAV run in a worker thread)."""
    cfg = target.config
    root = cfg.get("root")
    if not root:
        raise RecordingSourceError("bad_config", f"camera {target.camera_id}: profile.recording.root is not set")
    pattern = str(cfg.get("pattern", "{camera_id}/%Y%m%d/%H%M%S-%H%M%S.mp4"))
    tz = _timezone(str(cfg.get("timezone", getattr(settings, "timezone", "Asia/Shanghai"))))
    window_s = float(cfg.get("gap_window_s", 86_400.0))
    since = datetime.now(UTC) - timedelta(seconds=window_s)
    scan = await asyncio.to_thread(
        scan_storage,
        Path(str(root)),
        target.camera_id,
        pattern,
        tz,
        dir_template=str(cfg.get("dir", "{camera_id}")),
        verify=str(cfg.get("verify", "recent")),
        verify_since=since,
    )
    return evidence_from_scan(scan)


def evidence_from_scan(scan: StorageScan) -> RecordingEvidence:
    named = scan.corrupt[:NAMED_CORRUPT_MAX]
    more = len(scan.corrupt) - len(named)
    return RecordingEvidence(
        spans=tuple(scan.spans),
        details={
            "files": scan.files,
            "corrupt_files": len(scan.corrupt),
            "corrupt": "; ".join(named) + (f"; ... and {more} more" if more else "") if named else None,
            "unmatched_files": scan.unmatched,
            "untimed_files": scan.untimed,
        },
    )
