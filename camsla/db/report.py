"""SLA figures for a period: the I/O edge that loads cameras, windows, runs and stored days as
plain values, keeps the daily rollup complete, and hands them to the pure functions of ``sla``.
This is what `camsla sla`, the web app, the exporter and the monthly report read.

A period's figures are the stored days wholly inside it that have ended (``camsla.db.rollup``),
plus the rest (a partial day, today so far) computed from the runs: month and multi-day figures
are sums of days (``sla.days.plan``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select, text
from sqlalchemy.orm import Session

from camsla.db import rollup
from camsla.db.engine import Database
from camsla.db.models import Camera, CameraDay, Contractor, KeyValue, MaintenanceWindow, Sector
from camsla.db.models import Run as RunRow
from camsla.db.store import longest_stale_after
from sla import (
    CameraRef,
    GroupKey,
    Run,
    SectorRef,
    SlaReport,
    StateSeconds,
    StateSpan,
    WindowRef,
    build_report,
    camera_seconds,
    day_bounds,
    eligible_intervals,
    figures,
    group_key,
    local_date,
    month_bounds,
    plan,
    split_days,
    split_months,
    state_seconds,
    state_timeline,
    windows_for_camera,
    zone,
)

SPLITTERS = {"day": split_days, "month": split_months}
ANALYZE_AFTER = 100_000  # camera-days stored at once, after which PostgreSQL's statistics are refreshed
_REBUILD_CHUNK = 1000  # cameras per rebuild transaction (writers wait for one chunk at most)


def sector_refs(session: Session) -> list[SectorRef]:
    return [SectorRef(s.code, s.name, s.tier, s.target) for s in session.scalars(select(Sector).order_by(Sector.code))]


def camera_ref(c: Camera) -> CameraRef:
    return CameraRef(c.camera_id, c.name, c.sector_code, c.contractor.name if c.contractor else None, c.district,
                     c.commissioned_at, c.decommissioned_at, c.contractor_id)


def in_service(start: datetime, end: datetime):  # noqa: ANN201 - a SQL condition
    """Cameras in service at some instant of [start, end): commissioned before its end and not
    decommissioned by its start (DESIGN: commissioned inclusive, decommissioned exclusive)."""
    c = Camera.__table__
    return and_(c.c.commissioned_at < end, or_(c.c.decommissioned_at.is_(None), c.c.decommissioned_at > start))


def camera_refs(
    session: Session, start: datetime, end: datetime, sector: str | None = None, ids: Sequence[str] | None = None
) -> list[CameraRef]:
    """Cameras in service at some instant of [start, end), by id (plain rows: a city has 10^5)."""
    c, k = Camera.__table__, Contractor.__table__
    q = (
        select(c.c.camera_id, c.c.name, c.c.sector_code, k.c.name, c.c.district, c.c.commissioned_at,
               c.c.decommissioned_at, c.c.contractor_id)
        .select_from(c.outerjoin(k, k.c.id == c.c.contractor_id))
        .where(in_service(start, end))
        .order_by(c.c.camera_id)
    )
    if sector is not None:
        q = q.where(c.c.sector_code == sector)
    if ids is not None:
        q = q.where(c.c.camera_id.in_(list(ids)))
    return [CameraRef(*row) for row in session.execute(q)]


def window_refs(session: Session, start: datetime, end: datetime) -> list[WindowRef]:
    t = MaintenanceWindow.__table__
    q = select(t.c.start, t.c.end, t.c.camera_id, t.c.sector_code, t.c.contractor_id).where(
        t.c.start < end, t.c.end > start).order_by(t.c.start)
    return [WindowRef(*row) for row in session.execute(q)]


def load_runs(
    session: Session, camera_ids: Sequence[str] | None, start: datetime, end: datetime, stale_after: dict[str, float]
) -> dict[str, dict[str, list[Run]]]:
    """Runs that can touch [start, end), per camera and check, in time order.

    Read as plain rows (Core), not ORM objects: a city's month is millions of runs."""
    t = RunRow.__table__
    cols = (t.c.camera_id, t.c.check, t.c.status, t.c.faults, t.c.first_ts, t.c.last_ts, t.c.n_obs, t.c.id,
            t.c.stale_after_s)
    out: dict[str, dict[str, list[Run]]] = defaultdict(lambda: defaultdict(list))
    for check, stale in longest_stale_after(session, stale_after).items():
        q = (
            select(*cols)
            .where(t.c.check == check, t.c.last_ts >= start - timedelta(seconds=stale), t.c.first_ts < end)
            .order_by(t.c.camera_id, t.c.first_ts)
        )
        wanted = None
        if camera_ids is not None:
            if not camera_ids:
                continue
            if len(camera_ids) < 1000:
                q = q.where(t.c.camera_id.in_(camera_ids))
            else:  # beyond that, a range of ids is cheaper than IN (...); the others are skipped here
                wanted = set(camera_ids)
                q = q.where(t.c.camera_id >= min(camera_ids), t.c.camera_id <= max(camera_ids))
        for cid, chk, status, faults, first, last, n, rid, folded_under in session.execute(q):
            if wanted is None or cid in wanted:
                out[cid][chk].append(Run(cid, chk, status, faults, first, last, n, rid, folded_under))
    return out


def seconds_from_runs(
    session: Session, cams: Sequence[CameraRef], pieces: Sequence[tuple[datetime, datetime]],
    stale_after: dict[str, float], now: datetime | None = None,
) -> dict[str, list[StateSeconds]]:
    """Each camera's seconds per state over each of ``pieces``, computed from its runs."""
    if not pieces or not cams:
        return {}
    lo, hi = min(p[0] for p in pieces), max(p[1] for p in pieces)
    windows = window_refs(session, lo, hi)
    runs = load_runs(session, [c.camera_id for c in cams], lo, hi, stale_after)
    return {c.camera_id: camera_seconds(c, windows, runs.get(c.camera_id, {}), stale_after, pieces, now) for c in cams}


def ensure_days(
    db: Database, cams: Sequence[CameraRef], days: Sequence[date], stale_after: dict[str, float], tz: ZoneInfo
) -> int:
    """Compute and store the days of ``days`` (ended, consecutive) these cameras have no stored
    row for; returns how many were computed."""
    return stored_sums(db, cams, days, stale_after, tz)[1]


def stored_sums(
    db: Database, cams: Sequence[CameraRef], days: Sequence[date], stale_after: dict[str, float], tz: ZoneInfo
) -> tuple[dict[str, tuple[int, StateSeconds]], int]:
    """Per camera, its stored days of ``days`` summed, after storing the missing ones; and how many
    were computed. Each chunk of cameras rebuilt is one transaction holding the rebuild lock, so no
    writer changes its runs or windows between the read and the write."""
    if not days or not cams:
        return {}, 0
    with db.session() as s:
        signed = s.get(KeyValue, rollup.SIGNATURE_KEY)
        if signed is None or signed.value != rollup.signature(stale_after, tz):
            with db.session(write=True) as w:
                rollup.lock_for_rebuild(w)
                rollup.check_signature(w, stale_after, tz)
        sums = rollup.day_sums(s, [c.camera_id for c in cams], days[0], days[-1])
    incomplete = [c.camera_id for c in cams if sums.get(c.camera_id, (0,))[0] < len(days)]
    computed = 0
    for i in range(0, len(incomplete), _REBUILD_CHUNK):
        ids = incomplete[i : i + _REBUILD_CHUNK]
        with db.session(write=True) as s:
            rollup.lock_for_rebuild(s)
            have = rollup.stored_days(s, ids, days[0], days[-1])  # under the lock: another rebuild may have run
            missing = {cid: [d for d in days if d not in have.get(cid, ())] for cid in ids}
            missing = {cid: ds for cid, ds in missing.items() if ds}
            if not missing:
                continue
            lo = day_bounds(min(ds[0] for ds in missing.values()), tz).start
            hi = day_bounds(max(ds[-1] for ds in missing.values()), tz).end
            fresh = camera_refs(s, lo, hi, ids=list(missing))  # as they are now, under the lock
            windows = window_refs(s, lo, hi)
            runs = load_runs(s, [c.camera_id for c in fresh], lo, hi, stale_after)
            rows = []
            in_service = {c.camera_id for c in fresh}
            for c in fresh:
                ds = missing[c.camera_id]
                secs = camera_seconds(c, windows, runs.get(c.camera_id, {}), stale_after,
                                      [day_bounds(d, tz) for d in ds])
                rows.extend((c.camera_id, d, x) for d, x in zip(ds, secs, strict=True))
            for cid, ds in missing.items():  # out of service over those days: all excluded
                if cid not in in_service:
                    rows.extend((cid, d, StateSeconds(excluded_us=_day_us(d, tz))) for d in ds)
            computed += rollup.store_days(s, rows)
    if computed >= ANALYZE_AFTER and db.dialect == "postgresql":
        # The planner's statistics were made with far fewer days stored (at first: none); without
        # fresh ones it sorts millions of days on disk to sum them (seen: 14 s instead of 8 s).
        with db.session() as s:
            s.execute(text("ANALYZE camera_day"))
    if incomplete:  # read again what was just stored (or another rebuild stored meanwhile)
        with db.session() as s:
            sums.update(rollup.day_sums(s, incomplete, days[0], days[-1]))
    return sums, computed


def ensure_month_so_far(db: Database, now: datetime, stale_after: dict[str, float], tz: ZoneInfo | str) -> int:
    """Store every ended day of the current local month that is missing (what the status page's
    month-to-date, the exporter and the monthly report read); cheap when nothing is missing."""
    tz = zone(tz)
    today = local_date(now, tz)
    month = month_bounds(today.year, today.month, tz)
    days, _ = plan(month.start, month.end, now, tz)
    if not days:
        return 0
    with db.session() as s:
        cams = camera_refs(s, month.start, now)
    return ensure_days(db, cams, days, stale_after, tz)


def _day_us(d: date, tz: ZoneInfo) -> int:
    a, b = day_bounds(d, tz)
    return int((b - a).total_seconds()) * 1_000_000


def _day_groups(
    session: Session, days: Sequence[date], start: datetime, end: datetime, sector: str | None
) -> dict[date, dict[GroupKey, StateSeconds]]:
    """Stored days summed per day, sector and contractor, for the cameras in service in [start, end)."""
    d, c, k = CameraDay.__table__, Camera.__table__, Contractor.__table__
    q = (
        select(d.c.day, c.c.sector_code, k.c.name, func.sum(d.c.ok_us), func.sum(d.c.degraded_us),
               func.sum(d.c.offline_us), func.sum(d.c.unknown_us), func.sum(d.c.excluded_us))
        .select_from(d.join(c, c.c.camera_id == d.c.camera_id).outerjoin(k, k.c.id == c.c.contractor_id))
        .where(d.c.day >= days[0], d.c.day <= days[-1], in_service(start, end))
        .group_by(d.c.day, c.c.sector_code, k.c.name)
    )
    if sector is not None:
        q = q.where(c.c.sector_code == sector)
    out: dict[date, dict[GroupKey, StateSeconds]] = defaultdict(dict)
    for day, code, name, *us in session.execute(q):
        out[day][(code, name or "")] = StateSeconds(*(int(x) for x in us))
    return out


def sla_report(
    db: Database,
    start: datetime,
    end: datetime,
    stale_after: dict[str, float],
    *,
    sector: str | None = None,
    now: datetime | None = None,
    by: str | None = None,
    tz: ZoneInfo | str | None = None,
) -> SlaReport:
    """Typed figures for [start, end) per sector, contractor and camera (``report.as_dict()`` is the
    `camsla sla --json` document minus "from", "to", "timezone" and "period").

    ``now`` (default: the present) cuts a period reaching past it. ``by``: "day" or "month" adds
    the same figures for each local day or month of the period (``tz``)."""
    tz = zone(tz)
    now = now or datetime.now(UTC)
    with db.session() as s:
        sectors = sector_refs(s)
        cams = camera_refs(s, start, end, sector)
    days, pieces = plan(start, end, now, tz)
    sums, _ = stored_sums(db, cams, days, stale_after, tz)
    ids = [c.camera_id for c in cams]
    with db.session() as s:
        piece_secs = seconds_from_runs(s, cams, pieces, stale_after, now)
        groups = _day_groups(s, days, start, end, sector) if by and days and ids else {}
    zero = StateSeconds()
    seconds = {cid: sums.get(cid, (0, zero))[1] + sum(piece_secs.get(cid, ()), zero) for cid in ids}
    parts = None
    if by:
        parts = []
        for _, (p_start, p_end) in SPLITTERS[by]((start, end), tz):
            totals: dict[GroupKey, StateSeconds] = defaultdict(StateSeconds)
            for d in days:
                if p_start <= day_bounds(d, tz).start < p_end:
                    for key, x in groups.get(d, {}).items():
                        totals[key] += x
            for j, (a, _) in enumerate(pieces):
                if p_start <= a < p_end:
                    for c in cams:
                        totals[group_key(c)] += piece_secs[c.camera_id][j]
            parts.append((p_start.astimezone(tz), p_end.astimezone(tz), totals))
    return build_report(sectors, cams, seconds, only_sector=sector, parts=parts)


def figures_from_runs(
    session: Session, start: datetime, end: datetime, stale_after: dict[str, float], *, now: datetime | None = None
) -> dict[str, StateSeconds]:
    """Each camera's seconds over [start, end) straight from its runs, without the rollup (the
    reference the rollup is held to in the tests)."""
    cams = camera_refs(session, start, end)
    return {cid: xs[0] for cid, xs in seconds_from_runs(session, cams, [(start, end)], stale_after, now).items()}


def camera_timeline(
    session: Session, camera: Camera, start: datetime, end: datetime, stale_after: dict[str, float],
    now: datetime | None = None,
) -> tuple[list[StateSpan], StateSeconds]:
    """Why a camera's figures are what they are: its states over [start, end) as spans, each with
    the fault codes that decided it, and the seconds they add up to."""
    ref = camera_ref(camera)
    windows = windows_for_camera(window_refs(session, start, end), ref)
    eligible = eligible_intervals(ref.commissioned_at, ref.decommissioned_at, windows, (start, end))
    runs = load_runs(session, [ref.camera_id], start, end, stale_after).get(ref.camera_id, {})
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
