"""`camsla ingest FILE.jsonl`: parse observation lines, one JSON object a line (DESIGN.md).

Parsing is separate from storing: a bad line is reported with its number and skipped, the good
lines go on to the store in batches."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from camsla.kernel.observation import MetricValue, Observation, ObservationError

REQUIRED_KEYS = ("camera_id", "ts", "check", "status")


@dataclass(frozen=True)
class LineError:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


MAX_LINE_CHARS = 65_536  # a result with its metrics is a few hundred bytes
MAX_CAMERA_ID_CHARS = 64
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)  # no camera network reported before this
FUTURE_TOLERANCE = timedelta(hours=1)  # a sender's clock may run ahead, not by more


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number JSON allows")


_DECODER = json.JSONDecoder(parse_constant=_no_constant)  # one for all lines (json.loads with an argument builds one a call)


def _loads(text: str) -> object:
    try:
        return _DECODER.decode(text)
    except json.JSONDecodeError as e:
        raise ValueError(f"not valid JSON ({e.msg} at column {e.colno})") from None
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


def _metrics(value: object) -> dict[str, MetricValue]:
    # Any JSON object: probes record lists and tables too (and the spool writes them back); the
    # numbers in it are finite, as _loads refuses NaN and Infinity.
    if not isinstance(value, dict):
        raise ValueError("metrics is not a JSON object")
    return value  # type: ignore[return-value]


def _instant(value: object, now: datetime | None) -> datetime:
    if not isinstance(value, str):
        raise ValueError("ts is not a string")
    try:
        ts = datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
    except ValueError:
        raise ValueError(f"ts {value!r} is not an ISO-8601 time") from None
    if ts.tzinfo is None or ts.utcoffset() is None:
        raise ValueError(f"ts {value!r} has no UTC offset")
    try:
        ts = ts.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"ts {value!r} is outside the range of times") from None
    if ts < EARLIEST:
        raise ValueError(f"ts {value!r} is before {EARLIEST.date().isoformat()}")
    if now is not None and ts > now + FUTURE_TOLERANCE:
        raise ValueError(f"ts {value!r} is in the future (now is {now.isoformat(timespec='seconds')})")
    return ts


def parse_line(text: str, now: datetime | None = None) -> Observation:
    """One JSONL line to an Observation; raises ValueError with the reason, for any input.

    ``now``: results later than it (beyond a clock-skew tolerance) are refused."""
    if len(text) > MAX_LINE_CHARS:
        raise ValueError(f"line longer than {MAX_LINE_CHARS} characters")
    obj = _loads(text)
    if not isinstance(obj, dict):
        raise ValueError("not a JSON object")
    missing = [k for k in REQUIRED_KEYS if k not in obj]
    if missing:
        raise ValueError(f"missing key(s): {', '.join(missing)}")
    camera_id = obj["camera_id"]
    if not isinstance(camera_id, str) or not camera_id:
        raise ValueError("camera_id is not a non-empty string")
    if len(camera_id) > MAX_CAMERA_ID_CHARS:
        raise ValueError(f"camera_id longer than {MAX_CAMERA_ID_CHARS} characters")
    for key in ("check", "status"):
        if not isinstance(obj[key], str):
            raise ValueError(f"{key} is not a string")
    ts = _instant(obj["ts"], now)
    faults = obj.get("faults", [])
    if faults is None:
        faults = []
    if not isinstance(faults, list) or not all(isinstance(f, str) for f in faults):
        raise ValueError("faults is not a list of strings")
    metrics = _metrics(obj.get("metrics") or {})
    source = obj.get("source") or "ingest"
    if not isinstance(source, str):
        raise ValueError("source is not a string")
    try:
        return Observation(
            camera_id=camera_id,
            ts=ts,
            check=obj["check"],
            status=obj["status"],
            faults=tuple(faults),
            metrics=metrics,
            source=source[:32],
        )
    except ObservationError as e:
        raise ValueError(str(e)) from None


_PLAIN = (str, int, float, bool, type(None))


def plain_metrics(metrics: Mapping[str, object] | None) -> dict[str, MetricValue] | None:
    """Metrics as JSON-safe values, for the database and for JSONL: NumPy scalars (from the image
    analyzers) become Python ones, non-finite numbers and anything else their text, so one odd
    value can never block a batch from being written or spooled; ``None`` when there are none."""
    if not metrics:
        return None
    out = {}
    for k, v in metrics.items():
        if not isinstance(v, _PLAIN):
            item = getattr(v, "item", None)
            v = item() if callable(item) else str(v)
            if not isinstance(v, _PLAIN):
                v = str(v)
        if isinstance(v, float) and not math.isfinite(v):
            v = str(v)  # "nan", "inf": JSON has no such numbers and PostgreSQL refuses them
        out[k] = v
    return out


def to_line(obs: Observation) -> str:
    """One Observation as a JSONL line that ``parse_line`` reads back to an equal Observation."""
    obj = {
        "camera_id": obs.camera_id,
        "ts": obs.ts.isoformat(),
        "check": obs.check,
        "status": obs.status,
        "faults": list(obs.faults),
    }
    if obs.metrics:
        obj["metrics"] = plain_metrics(obs.metrics)
    if obs.source:
        obj["source"] = obs.source
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def parse_lines(
    lines: Iterable[str], now: datetime | None = None
) -> Iterator[tuple[int, Observation | LineError]]:
    """(line number from 1, Observation or LineError) for each non-blank line."""
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            yield number, parse_line(text, now)
        except ValueError as e:
            yield number, LineError(number, str(e))
