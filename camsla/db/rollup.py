"""The daily rollup (table ``camera_day``): exact seconds per state per camera and local day.

A stored day is always what the runs say (the property tests hold this to the brute force):

* only days that have ended are stored;
* every change that can alter a stored day deletes its row in the same transaction -- a fold
  that changes runs (``invalidate_days``, called by the store for the days its fold window
  touches), a maintenance window added or removed, a camera's commissioning dates changed
  (``invalidate_cameras``), a change of ``stale_after`` or of the timezone (``check_signature``);
* a missing day is computed from the runs again when it is read (``ensure_days``) and stored.

Rebuilding a day reads runs, windows and the camera, then writes the row: it must not interleave
with a writer that changes them. On PostgreSQL every writer holds a shared advisory lock for its
transaction and a rebuild the exclusive one; on SQLite the rebuild's write transaction holds the
database's write lock from its start (``Database.session(write=True)``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, delete, func, select, text
from sqlalchemy.orm import Session

from camsla.db.models import CameraDay, KeyValue
from sla import StateSeconds, day_bounds, local_date

ROLLUP_LOCK = 0x63616D73  # "cams": the advisory lock key of the rollup on PostgreSQL
SIGNATURE_KEY = "rollup_signature"
_CHUNK = 400


def lock_for_change(session: Session) -> None:
    """Taken by a transaction that changes runs or eligibility (PostgreSQL; SQLite writers are
    serialised by the database itself). Writers do not wait for each other, only for a rebuild."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock_shared(:k)"), {"k": ROLLUP_LOCK})


def lock_for_rebuild(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": ROLLUP_LOCK})


def closed_days(start: datetime, end: datetime, now: datetime, tz: ZoneInfo) -> list[date]:
    """The local days meeting ``[start, end]`` that have ended by ``now`` (those that may be stored)."""
    out = []
    d = local_date(start, tz)
    last = local_date(min(end, now), tz)
    while d <= last:
        if day_bounds(d, tz).end <= now:
            out.append(d)
        d += timedelta(days=1)
    return out


def invalidate_days(session: Session, pairs: Iterable[tuple[str, date]]) -> None:
    """Delete the stored days ``(camera_id, day)``: they are computed again when next read."""
    by_day: dict[date, set[str]] = {}
    for cid, d in pairs:
        by_day.setdefault(d, set()).add(cid)
    t = CameraDay.__table__
    for d, cids in sorted(by_day.items()):  # per day: an index lookup, where a row-value IN may scan
        ids = sorted(cids)
        for i in range(0, len(ids), _CHUNK):
            session.execute(delete(t).where(t.c.day == d, t.c.camera_id.in_(ids[i : i + _CHUNK])))


def invalidate_cameras(
    session: Session, camera_ids: Sequence[str] | None, start: datetime | None = None, end: datetime | None = None,
    tz: ZoneInfo | str | None = None,
) -> None:
    """Delete the stored days of these cameras (``None``: of every camera), optionally only the
    local days meeting ``[start, end)``: their eligibility changed."""
    lock_for_change(session)
    t = CameraDay.__table__
    cond = []
    if start is not None and end is not None:
        assert tz is not None
        cond.append(and_(t.c.day >= local_date(start, tz), t.c.day <= local_date(end, tz)))
    if camera_ids is None:
        session.execute(delete(t).where(*cond))
        return
    ids = sorted(set(camera_ids))
    for i in range(0, len(ids), _CHUNK):
        session.execute(delete(t).where(t.c.camera_id.in_(ids[i : i + _CHUNK]), *cond))


def signature(stale_after: dict[str, float], tz: ZoneInfo) -> str:
    return json.dumps({"stale_after": {k: float(v) for k, v in sorted(stale_after.items())}, "timezone": tz.key},
                      sort_keys=True)


def check_signature(session: Session, stale_after: dict[str, float], tz: ZoneInfo) -> None:
    """Stored days were computed under one ``stale_after`` and timezone; under others, none holds."""
    want = signature(stale_after, tz)
    kv = session.get(KeyValue, SIGNATURE_KEY)
    if kv is not None and kv.value == want:
        return
    session.execute(delete(CameraDay.__table__))
    session.merge(KeyValue(key=SIGNATURE_KEY, value=want))


def day_sums(
    session: Session, camera_ids: Sequence[str] | None, first: date, last: date
) -> dict[str, tuple[int, StateSeconds]]:
    """Per camera: how many days of ``[first, last]`` are stored, and their seconds summed."""
    t = CameraDay.__table__
    cols = (t.c.camera_id, func.count(), func.sum(t.c.ok_us), func.sum(t.c.degraded_us), func.sum(t.c.offline_us),
            func.sum(t.c.unknown_us), func.sum(t.c.excluded_us))
    out: dict[str, tuple[int, StateSeconds]] = {}
    base = select(*cols).where(t.c.day >= first, t.c.day <= last).group_by(t.c.camera_id)
    chunks: list[Sequence[str] | None] = [None] if camera_ids is None or len(camera_ids) > 5000 else [
        camera_ids[i : i + _CHUNK] for i in range(0, len(camera_ids), _CHUNK)]
    wanted = None if camera_ids is None else set(camera_ids)
    for chunk in chunks:
        q = base if chunk is None else base.where(t.c.camera_id.in_(chunk))
        for cid, n, ok, deg, off, unk, exc in session.execute(q).all():
            if wanted is None or cid in wanted:
                out[cid] = (int(n), StateSeconds(int(ok), int(deg), int(off), int(unk), int(exc)))
    return out


def stored_days(session: Session, camera_ids: Sequence[str], first: date, last: date) -> dict[str, set[date]]:
    t = CameraDay.__table__
    out: dict[str, set[date]] = {}
    for i in range(0, len(camera_ids), _CHUNK):
        q = select(t.c.camera_id, t.c.day).where(
            t.c.camera_id.in_(camera_ids[i : i + _CHUNK]), t.c.day >= first, t.c.day <= last)
        for cid, d in session.execute(q):
            out.setdefault(cid, set()).add(d)
    return out


def store_days(session: Session, rows: Iterable[tuple[str, date, StateSeconds]]) -> int:
    """Insert computed days. The caller holds the rebuild lock and found them missing under it, so
    no other rebuild or writer can have stored them meanwhile."""
    values = [
        {"camera_id": cid, "day": d, "ok_us": s.ok_us, "degraded_us": s.degraded_us, "offline_us": s.offline_us,
         "unknown_us": s.unknown_us, "excluded_us": s.excluded_us}
        for cid, d, s in rows
    ]
    if values:
        session.connection().execute(CameraDay.__table__.insert(), values)
    return len(values)
