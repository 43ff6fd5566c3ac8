"""Inventory import (validate everything, then upsert in one transaction) and export."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from camsla.db import invalidate_cameras
from camsla.db.models import Camera, Contractor, Sector
from camsla.inventory.files import read_rows, write_rows
from camsla.inventory.rows import ALL_COLUMNS, CameraRow, RowError, check_header, validate_row
from probe import PROFILE_KINDS_KEY

_ABSENT = object()  # the file has no liveness_kinds column: keep what the camera has


@dataclass
class ImportReport:
    path: Path
    header_problems: list[str] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (row number, reason)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.header_problems and not self.errors


def sector_spellings(session: Session) -> dict[str, str]:
    out: dict[str, str] = {}
    for s in session.scalars(select(Sector)):
        out[s.code] = s.code
        out[s.name] = s.code
    return out


def import_inventory(session: Session, path: Path, tz: ZoneInfo, *, partial: bool = False) -> ImportReport:
    """Validate every row; write nothing if any row is bad unless ``partial`` (then the good ones)."""
    report = ImportReport(path)
    header, rows = read_rows(path)
    report.header_problems = check_header(header)
    if report.header_problems:
        return report
    spellings = sector_spellings(session)
    good: list[CameraRow] = []
    seen: dict[str, int] = {}
    for number, raw in rows:
        if "__error__" in raw:
            report.errors.append((number, raw["__error__"]))
            continue
        try:
            row = validate_row(number, raw, sectors=spellings, tz=tz)
        except RowError as e:
            report.errors.append((number, str(e)))
            continue
        cid = row.values["camera_id"]
        if cid in seen:
            report.errors.append((number, f"camera_id {cid} already appears in row {seen[cid]}"))
            continue
        seen[cid] = number
        good.append(row)
    if report.errors and not partial:
        return report
    _upsert(session, good, report)
    report.written = True
    return report


# What a camera's eligible time (and so its stored rollup days) depends on: its service dates, and
# the sector and contractor that maintenance windows may be scoped to.
ELIGIBILITY_COLUMNS = frozenset({"commissioned_at", "decommissioned_at", "sector_code", "contractor_id"})


def _upsert(session: Session, rows: list[CameraRow], report: ImportReport) -> None:
    contractors = {c.name: c for c in session.scalars(select(Contractor))}
    existing = {
        c.camera_id: c
        for c in session.scalars(select(Camera).where(Camera.camera_id.in_([r.values["camera_id"] for r in rows])))
    } if rows else {}
    now = datetime.now(UTC)
    eligibility_changed: list[str] = []
    for row in rows:
        values: dict[str, Any] = dict(row.values)
        kinds = values.pop("liveness_kinds", _ABSENT)
        if "contractor" in row.columns:
            if row.contractor is None:
                values["contractor_id"] = None
            else:
                c = contractors.get(row.contractor)
                if c is None:
                    c = Contractor(name=row.contractor)
                    session.add(c)
                    session.flush()
                    contractors[c.name] = c
                values["contractor_id"] = c.id
        cam = existing.get(values["camera_id"])
        if cam is None:
            profile = {PROFILE_KINDS_KEY: kinds} if kinds not in (_ABSENT, None) else {}
            session.add(Camera(**values, profile=profile, updated_at=now))
            report.created += 1
            continue
        if kinds is not _ABSENT:
            profile = dict(cam.profile or {})
            if kinds is None:
                profile.pop(PROFILE_KINDS_KEY, None)
            else:
                profile[PROFILE_KINDS_KEY] = kinds
            values["profile"] = profile
        changed = False
        for k, v in values.items():
            if getattr(cam, k) != v:
                setattr(cam, k, v)
                changed = True
                if k in ELIGIBILITY_COLUMNS:
                    eligibility_changed.append(cam.camera_id)
        if changed:
            cam.updated_at = now
            report.updated += 1
        else:
            report.unchanged += 1
    if eligibility_changed:  # the stored days of these cameras no longer hold
        invalidate_cameras(session, eligibility_changed)


def _local(dt: datetime | None, tz: ZoneInfo) -> str | None:
    return dt.astimezone(tz).isoformat() if dt else None


def export_inventory(session: Session, path: Path, tz: ZoneInfo, *, with_secrets: bool = False) -> int:
    """Write every camera with the import columns, so that the file imports back unchanged."""
    header = [c for c in ALL_COLUMNS if with_secrets or c != "password"]
    rows: list[list[Any]] = []
    for cam in session.scalars(select(Camera).order_by(Camera.camera_id)):
        record = {
            "camera_id": cam.camera_id,
            "name": cam.name,
            "sector": cam.sector_code,
            "ip": cam.ip,
            "commissioned_at": _local(cam.commissioned_at, tz),
            "class": cam.camera_class,
            "contractor": cam.contractor.name if cam.contractor else None,
            "decommissioned_at": _local(cam.decommissioned_at, tz),
            "district": cam.district,
            "rtsp_url": cam.rtsp_url,
            "onvif_url": cam.onvif_url,
            "snapshot_url": cam.snapshot_url,
            "username": cam.username,
            "password": cam.password,
            "switch": cam.switch,
            "switch_port": cam.switch_port,
            "lat": cam.lat,
            "lon": cam.lon,
            "liveness_kinds": ";".join((cam.profile or {}).get(PROFILE_KINDS_KEY) or []) or None,
        }
        rows.append([record[c] for c in header])
    write_rows(path, header, rows)
    return len(rows)
