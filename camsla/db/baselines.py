"""Per-camera picture baselines: the reference frame (what the camera should see: used for
scene_change and to make occlusion/blur relative) and the previous frame (for frozen), stored as
small JPEG thumbnails; and the failing frame kept as evidence for a ticket."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from camsla.db.models import Baseline, Evidence
from probe.image import decode_image, encode_jpeg, thumbnail

REFERENCE = "reference"
PREVIOUS = "previous"


class BaselineError(ValueError):
    """An image that cannot serve as a baseline; the message names it."""


def load(session: Session, camera_id: str, kind: str) -> np.ndarray | None:
    row = session.get(Baseline, (camera_id, kind))
    return decode_image(row.image) if row else None


def load_bytes(session: Session, camera_id: str, kind: str) -> bytes | None:
    row = session.get(Baseline, (camera_id, kind))
    return row.image if row else None


def store(session: Session, camera_id: str, kind: str, thumb_jpeg: bytes, taken_at: datetime, source: str) -> None:
    row = session.get(Baseline, (camera_id, kind))
    if row is None:
        session.add(Baseline(camera_id=camera_id, kind=kind, image=thumb_jpeg, taken_at=taken_at, source=source))
    else:
        row.image, row.taken_at, row.source = thumb_jpeg, taken_at, source


def reference_from_image(image_bytes: bytes, name: str) -> bytes:
    """An operator's reference picture (any size) -> the stored thumbnail JPEG."""
    img = decode_image(image_bytes)
    if img is None:
        raise BaselineError(f"{name}: not a readable image (JPEG, PNG, BMP...)")
    return encode_jpeg(thumbnail(img))


def add_evidence(
    session: Session, camera_id: str, ts: datetime, check: str, faults: tuple[str, ...], image_jpeg: bytes,
    metrics: dict[str, Any] | None,
) -> None:
    session.add(Evidence(camera_id=camera_id, ts=ts, check=check, faults=tuple(faults), image=image_jpeg,
                         metrics=metrics))


def latest_evidence(session: Session, camera_id: str) -> Evidence | None:
    return session.scalar(select(Evidence).where(Evidence.camera_id == camera_id).order_by(Evidence.ts.desc()).limit(1))


def prune_evidence(session: Session, now: datetime, retention_days: float) -> int:
    cutoff = now.astimezone(UTC) - timedelta(days=retention_days)
    return session.execute(delete(Evidence).where(Evidence.ts < cutoff)).rowcount or 0
