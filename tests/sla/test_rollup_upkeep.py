"""Keeping the daily rollup current: ended days of the month are stored by the rollup job, a
maintenance window deletes the days it covers, and the job stores them again with the window's
time excluded -- the month's figures equal those computed from the runs alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from camsla.db import ensure_month_so_far, figures_from_runs, sla_report
from camsla.db.maintenance import add_window
from camsla.db.models import Camera, CameraDay
from camsla.db.store import ObservationStore
from camsla.kernel import Observation

TZ = "Asia/Shanghai"
STALE = {"liveness": 300.0, "image": 10_800.0, "recording": 93_600.0}
MONTH = datetime(2026, 10, 31, 16, tzinfo=UTC)  # 2026-11-01 00:00 in Shanghai
NOW = MONTH + timedelta(days=3, hours=5)  # three days have ended
CAMS = ["34010000001320000001", "34010000001320000002"]


def _load(db) -> None:  # noqa: ANN001
    with db.session() as s:
        for cid in CAMS:
            s.add(Camera(camera_id=cid, name="点位", sector_code="public_area", ip="127.0.0.1",
                         commissioned_at=MONTH - timedelta(days=30), profile={}, updated_at=MONTH))
    obs = []
    t = MONTH
    while t < NOW:
        for i, cid in enumerate(CAMS):
            down = i == 1 and MONTH + timedelta(days=1) <= t < MONTH + timedelta(days=1, hours=2)
            obs.append(Observation(cid, t, "liveness", "fail" if down else "ok", ("timeout",) if down else ()))
        t += timedelta(minutes=4)
    with db.session(write=True) as s:
        ObservationStore(s, STALE, TZ, clock=lambda: NOW).add(obs)


def _stored(db) -> int:  # noqa: ANN001
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(CameraDay))


def test_the_rollup_job_stores_each_ended_day_once(db) -> None:
    _load(db)
    assert ensure_month_so_far(db, NOW, STALE, TZ) == 2 * 3
    assert ensure_month_so_far(db, NOW, STALE, TZ) == 0
    assert _stored(db) == 6


def test_a_maintenance_window_deletes_the_days_it_covers_and_the_job_stores_them_excluded(db) -> None:
    _load(db)
    ensure_month_so_far(db, NOW, STALE, TZ)
    with db.session() as s:
        add_window(s, start=MONTH + timedelta(days=1), end=MONTH + timedelta(days=1, hours=3), reason="更换镜头",
                   camera_id=CAMS[1])
    assert _stored(db) < 6
    assert ensure_month_so_far(db, NOW, STALE, TZ) > 0
    report = sla_report(db, MONTH, MONTH + timedelta(days=3), STALE, now=NOW, tz=TZ)
    with db.session() as s:
        from_runs = figures_from_runs(s, MONTH, MONTH + timedelta(days=3), STALE, now=NOW)
    assert {c.camera_id: c.seconds for c in report.cameras} == from_runs
    second = next(c for c in report.cameras if c.camera_id == CAMS[1])
    assert second.seconds.excluded_us == 3 * 3600 * 1_000_000 and second.seconds.offline_us == 0
