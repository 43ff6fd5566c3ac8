"""History stays put: the stale_after in force when results were folded is stored with their run
and used when figures are read, so changing the setting changes only what is folded afterwards."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from camsla.db import sla_report
from camsla.db.models import Camera
from camsla.db.store import ObservationStore
from camsla.kernel import Observation

CAM = "34010000001320000001"
T0 = datetime(2026, 11, 1, 1, tzinfo=UTC)
NOW = T0 + timedelta(days=3)


def stale(liveness: float) -> dict[str, float]:
    return {"liveness": liveness, "image": 10_800.0, "recording": 93_600.0}


def at(s: int) -> datetime:
    return T0 + timedelta(seconds=s)


def _camera(db) -> None:  # noqa: ANN001
    with db.session() as s:
        s.add(Camera(camera_id=CAM, name="测试", sector_code="public_area", ip="127.0.0.1",
                     commissioned_at=T0 - timedelta(days=1), profile={}, updated_at=T0))


def _fold(db, liveness_stale: float, *seconds: int) -> None:  # noqa: ANN001
    with db.session(write=True) as s:
        ObservationStore(s, stale(liveness_stale), "UTC", clock=lambda: NOW).add(
            [Observation(CAM, at(x), "liveness", "ok") for x in seconds])


def _ok_s(db, liveness_stale: float) -> float:  # noqa: ANN001
    report = sla_report(db, at(0), at(1000), stale(liveness_stale), now=NOW, tz="UTC")
    return report.cameras[0].seconds.ok_s


def test_figures_keep_the_stale_after_their_results_were_folded_under(db) -> None:
    _camera(db)
    _fold(db, 300, 0, 250)
    assert _ok_s(db, 300) == 550
    assert _ok_s(db, 100) == 550  # not 350: the setting changed, these results did not


def test_results_folded_after_a_change_use_the_new_setting(db) -> None:
    _camera(db)
    _fold(db, 300, 0, 250)
    _fold(db, 100, 500)  # within the old 300 s of 250, but folded under 100 s: a run of its own
    assert _ok_s(db, 100) == 500 + 100  # [0, 500) by the first run, [500, 600) by the new one
    assert _ok_s(db, 300) == 600  # and changing the setting back rewrites nothing either


def test_a_run_is_extended_only_under_the_stale_after_it_was_folded_under() -> None:
    from sla import fold

    first = fold([], [Observation(CAM, at(0), "liveness", "ok"), Observation(CAM, at(250), "liveness", "ok")], 300)
    (run,) = first.runs
    assert run.stale_after_s == 300
    later = fold(first.runs, [Observation(CAM, at(500), "liveness", "ok")], 100)
    assert [(r.first_ts, r.last_ts, r.stale_after_s) for r in later.runs] == [
        (at(0), at(250), 300), (at(500), at(500), 100)]
    same = fold(first.runs, [Observation(CAM, at(500), "liveness", "ok")], 300)
    assert [(r.first_ts, r.last_ts, r.n_obs) for r in same.runs] == [(at(0), at(500), 3)]
