"""`camsla ingest FILE.jsonl`: parse observation lines, one JSON object a line (DESIGN.md).

Parsing is separate from storing: a bad line is reported with its number and skipped, the good
lines go on to the store in batches."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from camsla.kernel.observation import Observation, ObservationError

REQUIRED_KEYS = ("camera_id", "ts", "check", "status")


@dataclass(frozen=True)
class LineError:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


def parse_line(text: str) -> Observation:
    """One JSONL line to an Observation; raises ValueError with the reason."""
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as e:
        raise ValueError(f"not valid JSON ({e.msg} at column {e.colno})") from None
    if not isinstance(obj, dict):
        raise ValueError("not a JSON object")
    missing = [k for k in REQUIRED_KEYS if k not in obj]
    if missing:
        raise ValueError(f"missing key(s): {', '.join(missing)}")
    camera_id = obj["camera_id"]
    if not isinstance(camera_id, str) or not camera_id:
        raise ValueError("camera_id is not a non-empty string")
    ts_text = obj["ts"]
    if not isinstance(ts_text, str):
        raise ValueError("ts is not a string")
    try:
        ts = datetime.fromisoformat(ts_text.replace("Z", "+00:00") if ts_text.endswith("Z") else ts_text)
    except ValueError:
        raise ValueError(f"ts {ts_text!r} is not an ISO-8601 time") from None
    if ts.tzinfo is None:
        raise ValueError(f"ts {ts_text!r} has no UTC offset")
    faults = obj.get("faults", [])
    if faults is None:
        faults = []
    if not isinstance(faults, list) or not all(isinstance(f, str) for f in faults):
        raise ValueError("faults is not a list of strings")
    metrics = obj.get("metrics") or {}
    if not isinstance(metrics, dict):
        raise ValueError("metrics is not a JSON object")
    status = obj["status"]
    try:
        return Observation(
            camera_id=camera_id,
            ts=ts,
            check=obj["check"],
            status=status,
            faults=tuple(faults),
            metrics=metrics,
            source=str(obj.get("source") or "ingest")[:32],
        )
    except ObservationError as e:
        raise ValueError(str(e)) from None


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
        obj["metrics"] = dict(obs.metrics)
    if obs.source:
        obj["source"] = obs.source
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def parse_lines(lines: Iterable[str]) -> Iterator[tuple[int, Observation | LineError]]:
    """(line number from 1, Observation or LineError) for each non-blank line."""
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            yield number, parse_line(text)
        except ValueError as e:
            yield number, LineError(number, str(e))
