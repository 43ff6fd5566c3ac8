"""Inventory rows -> probe targets (the only place the kernel maps its Camera model for probe/)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from camsla.db.models import Camera
from camsla.kernel import Settings
from probe import Target


def camera_target(cam: Camera, settings: Settings) -> Target:
    return Target.build(
        camera_id=cam.camera_id,
        ip=cam.ip,
        rtsp_url=cam.rtsp_url,
        snapshot_url=cam.snapshot_url,
        onvif_url=cam.onvif_url,
        username=cam.username,
        password=cam.password,
        profile=cam.profile or {},
        default_kinds=settings.probe.default_kinds,
    )


def active_cameras(session: Session, now: datetime) -> list[Camera]:
    """Cameras in service now: commissioned and not yet decommissioned."""
    q = select(Camera).where(
        Camera.commissioned_at <= now,
        or_(Camera.decommissioned_at.is_(None), Camera.decommissioned_at > now),
    )
    return list(session.scalars(q))


def load_targets(session: Session, settings: Settings, now: datetime) -> list[Target]:
    return [camera_target(c, settings) for c in active_cameras(session, now)]
