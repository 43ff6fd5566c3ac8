"""camsla.db.store through the database: the append path, late delivery, same-instant conflicts,
pruning of raw observations and what a late observation then can and cannot change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from camsla.db.models import Camera, RawObservation, Run
from camsla.db.store import ObservationStore, get_watermark
from camsla.kernel import Observation

CAM = "34010000001320000001"
T0 = datetime(2026, 11, 1, tzinfo=UTC)
STALE = {"liveness": 300.0, "image": 10_800.0, "recording": 93_600.0}


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def live(minutes: float, status: str = "ok", faults: tuple[str, ...] = ()) -> Observation:
    return Observation(CAM, at(minutes), "liveness", status, faults)


def add(db, *obs: Observation):
    with db.session() as s:
        return ObservationStore(s, STALE).add(obs)


def runs(db) -> list[tuple[str, datetime, datetime, int]]:
    with db.session() as s:
        return [(r.status, r.first_ts, r.last_ts, r.n_obs) for r in s.scalars(select(Run).order_by(Run.first_ts))]


def setup_camera(db) -> None:
    with db.session() as s:
        s.add(Camera(camera_id=CAM, name="x", sector_code="public_area", ip="10.0.0.1", commissioned_at=T0,
                     profile={}, updated_at=T0))


def test_results_that_repeat_extend_one_run(db):
    setup_camera(db)
    add(db, *(live(m) for m in range(10)))
    add(db, *(live(m) for m in range(10, 20)))
    assert runs(db) == [("ok", at(0), at(19), 20)]


def test_a_late_failure_inside_a_run_splits_it(db):
    setup_camera(db)
    add(db, *(live(m) for m in range(10)))
    stats = add(db, live(4.5, "fail", ("timeout",)))
    assert stats.stored == 1 and stats.rejected == []
    assert runs(db) == [("ok", at(0), at(4), 5), ("fail", at(4.5), at(4.5), 1), ("ok", at(5), at(9), 5)]


def test_a_worse_result_for_the_same_instant_replaces_the_stored_one(db):
    setup_camera(db)
    add(db, *(live(m) for m in range(5)))
    stats = add(db, live(2, "fail", ("unreachable",)))
    assert stats.stored == 1
    assert runs(db) == [("ok", at(0), at(1), 2), ("fail", at(2), at(2), 1), ("ok", at(3), at(4), 2)]
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(RawObservation)) == 5
    again = add(db, live(2))  # the better verdict for that instant does not win it back
    assert again.duplicates == 1 and runs(db)[1][0] == "fail"


def test_after_pruning_a_late_observation_that_needs_pruned_detail_is_rejected_with_the_reason(db):
    setup_camera(db)
    add(db, *(live(m) for m in range(0, 600)))  # ten hours of ok
    with db.session() as s:
        deleted = ObservationStore(s, STALE).prune_raw(at(600), retention_days=1 / 24)
    assert deleted == 540  # raws before 09:00 gone; the run itself is kept whole
    with db.session() as s:
        assert get_watermark(s) == at(540)
    assert runs(db) == [("ok", at(0), at(599), 600)]
    stats = add(db, live(100, "fail", ("timeout",)))  # inside the run, in the pruned part
    assert stats.stored == 0 and len(stats.rejected) == 1
    assert "watermark" in stats.rejected[0][1]
    assert runs(db) == [("ok", at(0), at(599), 600)]  # nothing approximated
    ok = add(db, live(580, "fail", ("timeout",)))  # recent enough: its neighbours are still stored
    assert ok.stored == 1 and [r[0] for r in runs(db)] == ["ok", "fail", "ok"]


def test_numpy_and_odd_metric_values_are_stored_as_plain_json(db):
    import numpy as np

    from camsla.db.models import RawObservation

    setup_camera(db)
    o = Observation(CAM, at(0), "image", "fail", ("blur",),
                    {"blur_ratio": np.float32(1.5), "night": np.bool_(True), "n": np.int64(3), "shape": (2, 3),
                     "sharpness": float("nan"), "gain": np.float64("inf")})
    assert add(db, o).stored == 1
    with db.session() as s:
        m = s.scalars(select(RawObservation.metrics)).one()
    assert m == {"blur_ratio": 1.5, "night": True, "n": 3, "shape": "(2, 3)", "sharpness": "nan", "gain": "inf"}
