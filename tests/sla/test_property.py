"""The fold + state engine against the per-second brute force (tests/sla/brute.py), on random
histories delivered in random order and batches."""

from __future__ import annotations

from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from camsla.kernel import CHECKS
from sla.eligibility import eligible_intervals
from sla.periods import split_days
from sla.state import state_seconds, state_seconds_split
from tests.sla.brute import History, at, brute_runs, describe, expected_seconds
from tests.sla.memory_store import MemoryStore
from tests.sla.strategies import histories

PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def fold_history(history: History, watermarks: list[int | None] | None = None) -> MemoryStore:
    note(describe(history) + (f"\nwatermarks={watermarks}" if watermarks else ""))
    store = MemoryStore(history.stale_after)
    for i, batch in enumerate(history.batches):
        wm = (
            None
            if watermarks is None or watermarks[i % len(watermarks)] is None
            else at(watermarks[i % len(watermarks)])
        )
        store.ingest(batch, watermark=wm)
    return store


def seconds_of(history: History, store: MemoryStore):
    eligible = eligible_intervals(
        history.commissioned_at, history.decommissioned_at, history.windows, history.period
    )
    return state_seconds(store.runs_by_check(), history.stale_after, eligible, history.period)


def _without_ids(runs):
    return [(r.status, r.faults, r.first_ts, r.last_ts, r.n_obs) for r in runs]


@PROPERTY
@given(histories())
def test_fold_then_state_seconds_equals_the_brute_force_second_by_second(history: History) -> None:
    store = fold_history(history)
    assert store.rejected == []
    assert seconds_of(history, store) == expected_seconds(history)


@PROPERTY
@given(histories())
def test_runs_do_not_depend_on_delivery_order_or_batches(history: History) -> None:
    store = fold_history(history)
    for check in CHECKS:
        expected = brute_runs(history.observations, check, history.stale_after[check])
        assert _without_ids(store.runs(check)) == _without_ids(expected)


def _ascending(watermarks: list[int | None]) -> list[int | None]:
    return sorted(watermarks, key=lambda w: -(10**9) if w is None else w)


WATERMARKS = st.lists(st.one_of(st.none(), st.integers(-100, 400)), min_size=1, max_size=5).map(_ascending)


@PROPERTY
@given(histories(), WATERMARKS)
def test_with_pruned_raw_observations_runs_match_exactly_what_was_accepted(
    history: History, watermarks
) -> None:
    store = fold_history(history, watermarks)
    for check in CHECKS:
        expected = brute_runs(store.accepted, check, history.stale_after[check])
        assert _without_ids(store.runs(check)) == _without_ids(expected)
    assert seconds_of(history, store) == expected_seconds(history, store.accepted)
    for r in store.rejected:
        assert "watermark" in r.reason


@settings(max_examples=100, deadline=None)
@given(histories())
def test_seconds_split_into_days_add_up_to_the_whole_period(history: History) -> None:
    store = fold_history(history)
    eligible = eligible_intervals(
        history.commissioned_at, history.decommissioned_at, history.windows, history.period
    )
    # cut the period at "days" of a zone whose midnight falls on odd instants relative to BASE
    parts = [p for _, p in split_days(history.period, "Pacific/Chatham")] or [history.period]
    split = state_seconds_split(store.runs_by_check(), history.stale_after, eligible, parts)
    assert sum(split) == state_seconds(store.runs_by_check(), history.stale_after, eligible, history.period)
