"""The daily rollup through the database: random histories around a local midnight, ingested
batch by batch (shuffled) with a clock two days on, so both days have ended and are stored. The
stored days, the report that sums them, and the report read again from the stored rows all equal
the figures from the runs and the per-second brute force -- also when part of the history
arrives late, after the days were stored (the fold deletes the days it touches). Runs on SQLite
and, with CAMSLA_TEST_DATABASE_URL set, on PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from sqlalchemy import func, select

from camsla.db.models import CameraDay
from camsla.db.report import figures_from_runs, sla_report
from camsla.db.store import ObservationStore
from sla import StateSeconds
from tests.sla.brute import BASE, CAMERA, History, expected_seconds_over
from tests.sla.strategies import histories
from tests.sla.test_store_property import _load

ROLLUP_PROPERTY = settings(max_examples=30, deadline=None,
                           suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

TZ = "UTC"  # local midnight at BASE: the histories straddle it (seconds -60 ... 1000)
DAY = timedelta(days=1)
NOW = BASE + 2 * DAY  # both days have ended
PERIOD = (BASE - DAY, BASE + DAY)


def _in_service(history: History) -> History:
    if history.commissioned_at is None:  # the inventory requires a commissioning date
        return History(history.batches, history.stale_after, BASE - 2 * DAY, None, history.windows, history.period)
    return history


def _ingest(db, history: History, batches) -> None:  # noqa: ANN001
    stale = {k: float(v) for k, v in history.stale_after.items()}
    for batch in batches:
        with db.session(write=True) as s:
            assert ObservationStore(s, stale, TZ, clock=lambda: NOW).add(batch).rejected == []


def _report(db, history: History):  # noqa: ANN001, ANN202
    stale = {k: float(v) for k, v in history.stale_after.items()}
    return sla_report(db, *PERIOD, stale, now=NOW, by="day", tz=TZ)


def _check(db, history: History) -> None:  # noqa: ANN001
    stale = {k: float(v) for k, v in history.stale_after.items()}
    want_days = [expected_seconds_over(history, (BASE - DAY, BASE)), expected_seconds_over(history, (BASE, BASE + DAY))]
    want = want_days[0] + want_days[1]
    with db.session() as s:
        assert figures_from_runs(s, *PERIOD, stale, now=NOW)[CAMERA] == want
    for _ in range(2):  # computed and stored, then read back from the stored days
        report = _report(db, history)
        assert [c.seconds for c in report.cameras] == [want]
        assert [next(x for x in p.sectors if x.code == "public_area").seconds for p in report.periods] == want_days
        assert report.sector("public_area").seconds == want
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(CameraDay)) == 2
        stored = {d.day: StateSeconds(d.ok_us, d.degraded_us, d.offline_us, d.unknown_us, d.excluded_us)
                  for d in s.scalars(select(CameraDay))}
    assert [stored[(BASE - DAY).date()], stored[BASE.date()]] == want_days


@ROLLUP_PROPERTY
@given(histories(max_obs_per_check=8, max_period_s=500))
def test_rollup_days_equal_the_runs_and_the_brute_force(db, history: History) -> None:
    history = _in_service(history)
    _load(db, history, ingest=False)
    _ingest(db, history, history.batches)
    _check(db, history)


@ROLLUP_PROPERTY
@given(histories(max_obs_per_check=8, max_period_s=500))
def test_late_results_after_the_days_were_stored_are_folded_into_them(db, history: History) -> None:
    history = _in_service(history)
    _load(db, history, ingest=False)
    half = len(history.batches) // 2
    _ingest(db, history, history.batches[:half])
    early = History(history.batches[:half], history.stale_after, history.commissioned_at,
                    history.decommissioned_at, history.windows, history.period)
    _check(db, early)  # stores both days from the early part alone
    _ingest(db, history, history.batches[half:])  # late: these must replace the stored days
    _check(db, history)
