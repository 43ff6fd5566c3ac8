"""Maintenance windows and approved exemptions: time excluded from the SLA (DESIGN.md)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from camsla.db import rollup
from camsla.db.models import Camera, Contractor, MaintenanceWindow, Sector


class MaintenanceError(ValueError):
    """A window that cannot be added; the message says why."""


def add_window(
    session: Session,
    *,
    start: datetime,
    end: datetime,
    reason: str,
    camera_id: str | None = None,
    sector_code: str | None = None,
    contractor: str | None = None,
    kind: str = "maintenance",
) -> MaintenanceWindow:
    scopes = [x for x in (camera_id, sector_code, contractor) if x is not None]
    if len(scopes) != 1:
        raise MaintenanceError("give exactly one of --camera, --sector, --contractor")
    if start.tzinfo is None or end.tzinfo is None:
        raise MaintenanceError("--from and --to need a UTC offset, e.g. 2026-11-01T08:00:00+08:00")
    if not start < end:
        raise MaintenanceError(f"--from {start.isoformat()} is not before --to {end.isoformat()}")
    if not reason.strip():
        raise MaintenanceError("--reason is empty")
    if kind not in ("maintenance", "exemption"):
        raise MaintenanceError(f"kind {kind!r} must be maintenance or exemption")
    contractor_id = None
    if camera_id is not None and session.get(Camera, camera_id) is None:
        raise MaintenanceError(f"unknown camera {camera_id}")
    if sector_code is not None and session.get(Sector, sector_code) is None:
        raise MaintenanceError(f"unknown sector {sector_code!r}")
    if contractor is not None:
        c = session.scalar(select(Contractor).where(Contractor.name == contractor))
        if c is None:
            raise MaintenanceError(f"unknown contractor {contractor!r}")
        contractor_id = c.id
    window = MaintenanceWindow(
        camera_id=camera_id,
        sector_code=sector_code,
        contractor_id=contractor_id,
        start=start,
        end=end,
        reason=reason.strip(),
        kind=kind,
        created_at=datetime.now(UTC),
    )
    session.add(window)
    session.flush()
    _invalidate(session, window)
    return window


def _invalidate(session: Session, w: MaintenanceWindow) -> None:
    """The stored rollup days the window covers no longer hold. Days are cut in the configured
    timezone, which this function does not know: a day either side covers every zone."""
    q = select(Camera.camera_id)
    if w.camera_id is not None:
        q = q.where(Camera.camera_id == w.camera_id)
    elif w.sector_code is not None:
        q = q.where(Camera.sector_code == w.sector_code)
    else:
        q = q.where(Camera.contractor_id == w.contractor_id)
    rollup.invalidate_cameras(session, list(session.scalars(q)), w.start - timedelta(days=1),
                              w.end + timedelta(days=1), "UTC")


def list_windows(session: Session, *, active_at: datetime | None = None) -> Sequence[MaintenanceWindow]:
    q = select(MaintenanceWindow).order_by(MaintenanceWindow.start)
    if active_at is not None:
        q = q.where(MaintenanceWindow.start <= active_at, MaintenanceWindow.end > active_at)
    return session.scalars(q).all()


def remove_window(session: Session, window_id: int) -> MaintenanceWindow:
    w = session.get(MaintenanceWindow, window_id)
    if w is None:
        raise MaintenanceError(f"no maintenance window with id {window_id}")
    _invalidate(session, w)
    session.delete(w)
    return w


__all__ = [
    "MaintenanceError",
    "add_window",
    "list_windows",
    "remove_window",
]
