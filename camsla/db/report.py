"""SLA figures for a period: the I/O edge that loads cameras, windows and runs, and hands them to
the pure functions of sla.state / sla.rollup. This is what `camsla sla`, the web app and the
monthly report read."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from camsla.db.maintenance import windows_for_camera, windows_overlapping
from camsla.db.models import Camera, Sector
from camsla.db.models import Run as RunRow
from sla.eligibility import eligible_intervals
from sla.periods import split_days, split_months
from sla.rollup import figures
from sla.runs import Run
from sla.state import StateSeconds, StateSpan, state_seconds, state_seconds_split, state_timeline

SECONDS_KEYS = ("eligible_s", "ok_s", "degraded_s", "offline_s", "unknown_s")


@dataclass
class CameraFigures:
    camera: Camera
    seconds: StateSeconds
    parts: list[StateSeconds] = field(default_factory=list)  # per sub-period (day/month), when asked


def load_runs(
    session: Session, camera_ids: Sequence[str] | None, start: datetime, end: datetime, stale_after: dict[str, float]
) -> dict[str, dict[str, list[Run]]]:
    """Runs that can touch [start, end), per camera and check, in time order.

    Read as plain rows (Core), not ORM objects: a city's month is millions of runs."""
    t = RunRow.__table__
    cols = (t.c.camera_id, t.c.check, t.c.status, t.c.faults, t.c.first_ts, t.c.last_ts, t.c.n_obs, t.c.id)
    faults_of: dict[str, tuple[str, ...]] = {}
    out: dict[str, dict[str, list[Run]]] = defaultdict(lambda: defaultdict(list))
    for check, stale in stale_after.items():
        q = (
            select(*cols)
            .where(t.c.check == check, t.c.last_ts >= start - timedelta(seconds=stale), t.c.first_ts < end)
            .order_by(t.c.camera_id, t.c.first_ts)
        )
        if camera_ids is not None:
            if not camera_ids:
                continue
            if len(camera_ids) < 1000:  # beyond that, reading the check's runs whole is cheaper than IN (...)
                q = q.where(t.c.camera_id.in_(camera_ids))
        for cid, chk, status, faults, first, last, n, rid in session.execute(q):
            f = faults_of.get(faults)
            if f is None:
                f = faults_of[faults] = tuple(faults.split(",")) if faults else ()
            out[cid][chk].append(Run(cid, chk, status, f, first, last, n, rid))
    return out


def cameras_in_period(session: Session, start: datetime, end: datetime, sector: str | None = None) -> list[Camera]:
    q = select(Camera).where(
        Camera.commissioned_at < end,
        or_(Camera.decommissioned_at.is_(None), Camera.decommissioned_at > start),
    )
    if sector is not None:
        q = q.where(Camera.sector_code == sector)
    return list(session.scalars(q.order_by(Camera.camera_id)))


def camera_figures(
    session: Session,
    start: datetime,
    end: datetime,
    stale_after: dict[str, float],
    sector: str | None = None,
    now: datetime | None = None,
    parts: Sequence[tuple[datetime, datetime]] = (),
) -> list[CameraFigures]:
    """Seconds per state of every camera in service during [start, end) (and per sub-period of
    ``parts`` when given); time after ``now`` (the future) is not counted at all."""
    cams = cameras_in_period(session, start, end, sector)
    windows = windows_overlapping(session, start, end)
    runs = load_runs(session, [c.camera_id for c in cams], start, end, stale_after)
    out = []
    for cam in cams:
        eligible = eligible_intervals(cam.commissioned_at, cam.decommissioned_at, windows_for_camera(windows, cam), (start, end))
        cam_runs = runs.get(cam.camera_id, {})
        secs = state_seconds(cam_runs, stale_after, eligible, (start, end), now=now)
        split = state_seconds_split(cam_runs, stale_after, eligible, parts, now=now) if parts else []
        out.append(CameraFigures(cam, secs, split))
    return out


def camera_timeline(
    session: Session, camera: Camera, start: datetime, end: datetime, stale_after: dict[str, float],
    now: datetime | None = None,
) -> tuple[list[StateSpan], StateSeconds]:
    """Why a camera's figures are what they are: its states over [start, end) as spans, each with
    the fault codes that decided it, and the seconds they add up to."""
    windows = windows_for_camera(windows_overlapping(session, start, end), camera)
    eligible = eligible_intervals(camera.commissioned_at, camera.decommissioned_at, windows, (start, end))
    runs = load_runs(session, [camera.camera_id], start, end, stale_after).get(camera.camera_id, {})
    return (
        state_timeline(runs, stale_after, eligible, (start, end), now=now),
        state_seconds(runs, stale_after, eligible, (start, end), now=now),
    )


def timeline_document(
    session: Session, camera: Camera, start: datetime, end: datetime, stale_after: dict[str, float], tz: ZoneInfo,
    now: datetime | None = None,
) -> dict[str, Any]:
    """`camsla timeline --json` and /api/cameras/{id}/timeline: the camera's figures for the period,
    then its spans in local time, each with its seconds, state and deciding faults."""
    spans, secs = camera_timeline(session, camera, start, end, stale_after, now=now)
    return {
        **figures(secs, camera.sector.target).as_dict(),
        "spans": [
            {"from": sp.start.astimezone(tz).isoformat(), "to": sp.end.astimezone(tz).isoformat(),
             "seconds": (sp.end - sp.start).total_seconds(), "state": sp.state, "faults": list(sp.faults)}
            for sp in spans
        ],
    }


def sla_report(
    session: Session,
    start: datetime,
    end: datetime,
    stale_after: dict[str, float],
    *,
    sector: str | None = None,
    now: datetime | None = None,
    by: str | None = None,
    tz: ZoneInfo | None = None,
) -> dict[str, Any]:
    """The `camsla sla --json` document minus "from"/"to"/"timezone" (the caller adds them).

    ``now``: the present; a period reaching past it is measured only up to it. ``by``: "day" or
    "month" adds "periods", the same rollups for each local day or month of the period (``tz``)."""
    sectors = {s.code: s for s in session.scalars(select(Sector).order_by(Sector.code))}
    splitter = SPLITTERS[by] if by else None
    parts = [p for _, p in splitter((start, end), tz)] if splitter else []
    per_camera = camera_figures(session, start, end, stale_after, sector, now, parts)
    by_sector: dict[str, list[CameraFigures]] = defaultdict(list)
    by_contractor: dict[str, list[CameraFigures]] = defaultdict(list)
    for cf in per_camera:
        by_sector[cf.camera.sector_code].append(cf)
        by_contractor[cf.camera.contractor.name if cf.camera.contractor else ""].append(cf)
    codes = [sector] if sector is not None else list(sectors)
    sector_rows = []
    for code in codes:
        sec = sectors[code]
        members = by_sector.get(code, [])
        total = sum((m.seconds for m in members), StateSeconds())
        sector_rows.append(
            {"code": code, "name": sec.name, "tier": sec.tier, **figures(total, sec.target, len(members)).as_dict()}
        )
    camera_rows = [
        {"camera_id": cf.camera.camera_id, "name": cf.camera.name, "sector": cf.camera.sector_code,
         "contractor": cf.camera.contractor.name if cf.camera.contractor else None,
         "district": cf.camera.district, **figures(cf.seconds, sectors[cf.camera.sector_code].target).as_dict()}
        for cf in per_camera
    ]
    contractor_rows = [
        {"contractor": name or None, **figures(sum((m.seconds for m in members), StateSeconds()), None, len(members)).as_dict()}
        for name, members in sorted(by_contractor.items())
    ]
    doc: dict[str, Any] = {"sectors": sector_rows, "contractors": contractor_rows, "cameras": camera_rows}
    if parts:
        doc["periods"] = [
            {
                "from": p_start.astimezone(tz).isoformat(),
                "to": p_end.astimezone(tz).isoformat(),
                "sectors": [
                    {"code": code, **figures(sum((m.parts[i] for m in by_sector.get(code, [])), StateSeconds()),
                                             sectors[code].target, len(by_sector.get(code, []))).as_dict()}
                    for code in codes
                ],
                "contractors": [
                    {"contractor": name or None,
                     **figures(sum((m.parts[i] for m in members), StateSeconds()), None, len(members)).as_dict()}
                    for name, members in sorted(by_contractor.items())
                ],
            }
            for i, (p_start, p_end) in enumerate(parts)
        ]
    return doc


SPLITTERS = {"day": split_days, "month": split_months}
