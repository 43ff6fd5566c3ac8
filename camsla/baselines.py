"""Per-camera picture baselines: the reference frame (what the camera should see: used for
scene_change and to make occlusion/blur relative) and the previous frame (for frozen), stored as
small JPEG thumbnails; and the failing frame kept as evidence for a ticket."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import cv2
import numpy as np
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from camsla.db.models import Baseline, Evidence

REFERENCE = "reference"
PREVIOUS = "previous"
JPEG_QUALITY = 90


class BaselineError(ValueError):
    """An image that cannot serve as a baseline; the message names it."""


def encode_jpeg(image: np.ndarray, max_bytes: int | None = None) -> bytes:
    """JPEG bytes of a BGR image; with ``max_bytes``, lower quality (then size) until it fits."""
    quality, img = JPEG_QUALITY, image
    while True:
        ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])
        if not ok:  # pragma: no cover - OpenCV encodes any uint8 BGR image
            raise BaselineError("could not encode the image as JPEG")
        data = buf.tobytes()
        if max_bytes is None or len(data) <= max_bytes:
            return data
        if quality > 40:
            quality -= 15
        else:
            img = cv2.resize(img, (max(16, img.shape[1] * 3 // 4), max(16, img.shape[0] * 3 // 4)),
                             interpolation=cv2.INTER_AREA)


def decode_image(data: bytes) -> np.ndarray | None:
    arr = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR) if data else None
    return arr


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
    from probe.image import thumbnail

    img = decode_image(image_bytes)
    if img is None:
        raise BaselineError(f"{name}: not a readable image (JPEG, PNG, BMP...)")
    return encode_jpeg(thumbnail(img))


def add_evidence(
    session: Session, camera_id: str, ts: datetime, check: str, faults: tuple[str, ...], image_jpeg: bytes,
    metrics: dict[str, Any] | None,
) -> None:
    session.add(Evidence(camera_id=camera_id, ts=ts, check=check, faults=",".join(faults), image=image_jpeg,
                         metrics=metrics))


def latest_evidence(session: Session, camera_id: str) -> Evidence | None:
    return session.scalar(select(Evidence).where(Evidence.camera_id == camera_id).order_by(Evidence.ts.desc()).limit(1))


def prune_evidence(session: Session, now: datetime, retention_days: float) -> int:
    cutoff = now.astimezone(UTC) - timedelta(days=retention_days)
    return session.execute(delete(Evidence).where(Evidence.ts < cutoff)).rowcount or 0
