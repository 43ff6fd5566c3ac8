"""The SLA property through the database: random histories ingested batch by batch through
camsla.db.store.ObservationStore (one transaction per batch, shuffled delivery), the figures read back
through camsla.db.report — equal, second for second, to the brute force. Runs on SQLite and, with
CAMSLA_TEST_DATABASE_URL set, on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from sqlalchemy import delete

from camsla.db.models import Camera, CameraDay, CurrentState, MaintenanceWindow, RawObservation, Run
from camsla.db.report import figures_from_runs
from camsla.db.store import ObservationStore
from sla.state import StateSeconds
from tests.sla.brute import CAMERA, History, expected_seconds
from tests.sla.strategies import histories

DB_PROPERTY = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def _load(db, history: History, *, ingest: bool = True) -> None:
    with db.session() as s:
        for table in (RawObservation, Run, CurrentState, CameraDay, MaintenanceWindow, Camera):
            s.execute(delete(table))
        s.add(
            Camera(
                camera_id=CAMERA,
                name="测试点位",
                sector_code="public_area",
                ip="127.0.0.1",
                commissioned_at=history.commissioned_at,
                decommissioned_at=history.decommissioned_at,
                profile={},
                updated_at=datetime.now(UTC),
            )
        )
        s.flush()
        for start, end in history.windows:
            if start < end:
                s.add(MaintenanceWindow(camera_id=CAMERA, start=start, end=end, reason="test",
                                        created_at=datetime.now(UTC)))
    if not ingest:
        return
    stale = {k: float(v) for k, v in history.stale_after.items()}
    for batch in history.batches:
        with db.session(write=True) as s:
            stats = ObservationStore(s, stale).add(batch)
            assert stats.rejected == []


@DB_PROPERTY
@given(histories(max_obs_per_check=8, max_period_s=500))
def test_ingest_through_the_database_equals_the_brute_force(db, history: History) -> None:
    if history.commissioned_at is None:  # the inventory requires a commissioning date
        history = History(history.batches, history.stale_after, history.period[0], history.decommissioned_at
                          if history.decommissioned_at and history.decommissioned_at > history.period[0] else None,
                          history.windows, history.period)
    _load(db, history)
    stale = {k: float(v) for k, v in history.stale_after.items()}
    with db.session() as s:
        got = figures_from_runs(s, history.period[0], history.period[1], stale).get(CAMERA)
    want = expected_seconds(history)
    if got is None:  # camera not in service at all during the period: all of it is excluded
        assert want == StateSeconds(excluded_us=want.excluded_us)
    else:
        assert got == want
