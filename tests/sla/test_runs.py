"""sla.runs.fold: observations folded into runs, reproducing the state semantics exactly."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from camsla.kernel import Observation
from sla.runs import FoldInconsistency, Run, fold, fold_window, overlaps_window
from sla.state import state_seconds
from tests.sla.brute import CAMERA, at

STALE = 300.0


def ob(s: float, status: str = "ok", faults: tuple[str, ...] = (), check: str = "liveness") -> Observation:
    return Observation(CAMERA, at(0) + timedelta(seconds=s), check, status, faults)


def run(
    first: float, last: float, n: int, status: str = "ok", faults: tuple[str, ...] = (), id: int | None = None
) -> Run:
    return Run(
        CAMERA,
        "liveness",
        status,
        faults,
        at(0) + timedelta(seconds=first),
        at(0) + timedelta(seconds=last),
        n,
        id,
    )


def shape(runs: list[Run]) -> list[tuple]:
    return [
        (
            r.status,
            r.faults,
            (r.first_ts - at(0)).total_seconds(),
            (r.last_ts - at(0)).total_seconds(),
            r.n_obs,
        )
        for r in runs
    ]


class Raws:
    """Stored raw observations of one camera/check, as a store would serve them."""

    def __init__(self, *observations: Observation, pruned_before: float | None = None) -> None:
        self.by_ts = {o.ts: o for o in observations}
        self.pruned_before = None if pruned_before is None else at(0) + timedelta(seconds=pruned_before)
        self.calls: list[tuple] = []

    def lookup(self, start, end):
        self.calls.append((start, end))
        return [
            o
            for ts, o in sorted(self.by_ts.items())
            if start <= ts <= end and (self.pruned_before is None or ts >= self.pruned_before)
        ]

    def add(self, *observations: Observation) -> None:
        for o in observations:
            cur = self.by_ts.get(o.ts)
            if cur is None or o.rank > cur.rank:
                self.by_ts[o.ts] = o


def test_first_observation_starts_a_run() -> None:
    r = fold([], [ob(0)], STALE)
    assert shape(r.runs) == [("ok", (), 0, 0, 1)]
    assert r.upserts == r.runs and r.rejected == [] and r.removed_ids == []


def test_same_result_within_stale_after_extends_the_tail_run() -> None:
    r = fold([run(0, 60, 2, id=7)], [ob(120), ob(180)], STALE)
    assert shape(r.runs) == [("ok", (), 0, 180, 4)]
    assert r.runs[0].id == 7 and r.upserts == r.runs


def test_gap_equal_to_stale_after_stays_covered() -> None:
    r = fold([], [ob(0), ob(300)], STALE)
    assert shape(r.runs) == [("ok", (), 0, 300, 2)]
    secs = state_seconds({"liveness": r.runs}, {"liveness": STALE}, [(at(0), at(600))], (at(0), at(600)))
    assert secs.unknown_us == 0 and secs.ok_us == 600 * 10**6


def test_gap_one_microsecond_longer_than_stale_after_starts_a_new_run() -> None:
    late = Observation(CAMERA, at(300) + timedelta(microseconds=1), "liveness", "ok")
    r = fold([], [ob(0), late], STALE)
    assert shape(r.runs) == [("ok", (), 0, 0, 1), ("ok", (), 300.000001, 300.000001, 1)]
    secs = state_seconds({"liveness": r.runs}, {"liveness": STALE}, [(at(0), at(600))], (at(0), at(600)))
    assert secs.unknown_us == 1


def test_different_result_starts_a_new_run() -> None:
    r = fold([], [ob(0), ob(60, "fail", ("unreachable",)), ob(120, "fail", ("timeout",))], STALE)
    assert [x[:2] for x in shape(r.runs)] == [("ok", ()), ("fail", ("unreachable",)), ("fail", ("timeout",))]


def test_duplicate_observation_is_idempotent() -> None:
    first = fold([], [ob(0), ob(60)], STALE).runs
    stored = [replace(first[0], id=1)]
    again = fold(stored, [ob(60), ob(0)], STALE, raw_lookup=Raws(ob(0), ob(60)).lookup)
    assert again.runs == stored and again.upserts == [] and again.removed_ids == []


@pytest.mark.parametrize("order", [("ok", "fail"), ("fail", "ok")])
def test_same_instant_conflict_keeps_the_worse_result_whatever_the_order(order) -> None:
    a, b = (ob(60, s, ("unreachable",) if s == "fail" else ()) for s in order)
    in_one_batch = fold([], [ob(0), a, b], STALE).runs
    raws = Raws(ob(0), a)
    in_two = fold(fold([], [ob(0), a], STALE).runs, [b], STALE, raw_lookup=raws.lookup).runs
    assert (
        shape(in_one_batch) == shape(in_two) == [("ok", (), 0, 0, 1), ("fail", ("unreachable",), 60, 60, 1)]
    )


def test_same_instant_conflict_between_fault_sets_keeps_the_larger_sorted_tuple() -> None:
    r = fold([], [ob(0, "fail", ("timeout",)), ob(0, "fail", ("auth_failed", "unreachable"))], STALE)
    assert shape(r.runs) == [("fail", ("timeout",), 0, 0, 1)]  # ("timeout",) > ("auth_failed", ...)


def test_error_outranks_ok_but_not_fail_at_the_same_instant() -> None:
    assert fold([], [ob(0), ob(0, "error")], STALE).runs[0].status == "error"
    assert fold([], [ob(0, "error"), ob(0, "fail", ("timeout",))], STALE).runs[0].status == "fail"


def test_late_observation_in_a_gap_merges_both_neighbours() -> None:
    runs = [run(0, 100, 2, id=1), run(500, 600, 2, id=2)]  # 400 s apart: not one run
    r = fold(runs, [ob(300)], STALE)
    assert shape(r.runs) == [("ok", (), 0, 600, 5)]
    assert r.runs[0].id == 1 and r.removed_ids == [2]


def test_late_observation_in_a_gap_with_another_result_stays_alone() -> None:
    runs = [run(0, 100, 2, id=1), run(500, 600, 2, id=2)]
    r = fold(runs, [ob(300, "fail", ("unreachable",))], STALE)
    assert shape(r.runs) == [
        ("ok", (), 0, 100, 2),
        ("fail", ("unreachable",), 300, 300, 1),
        ("ok", (), 500, 600, 2),
    ]
    assert r.upserts == [r.runs[1]] and r.runs[1].id is None


def test_late_observation_inside_run_splits_it() -> None:
    raws = Raws(*(ob(s) for s in range(0, 601, 60)))  # 11 ok results, one run
    r = fold([run(0, 600, 11, id=4)], [ob(250, "fail", ("stream_down",))], STALE, raw_lookup=raws.lookup)
    assert shape(r.runs) == [
        ("ok", (), 0, 240, 5),
        ("fail", ("stream_down",), 250, 250, 1),
        ("ok", (), 300, 600, 6),
    ]
    assert r.runs[0].id == 4 and r.runs[1].id is None and r.runs[2].id is None
    secs = state_seconds({"liveness": r.runs}, {"liveness": STALE}, [(at(0), at(900))], (at(0), at(900)))
    assert secs.offline_us == 50 * 10**6


def test_late_worse_result_at_the_instant_of_a_stored_one_inside_a_run_replaces_it() -> None:
    raws = Raws(*(ob(s) for s in range(0, 601, 60)))
    r = fold([run(0, 600, 11)], [ob(240, "fail", ("unreachable",))], STALE, raw_lookup=raws.lookup)
    assert shape(r.runs) == [
        ("ok", (), 0, 180, 4),
        ("fail", ("unreachable",), 240, 240, 1),
        ("ok", (), 300, 600, 6),
    ]


def test_late_better_result_at_the_instant_of_a_stored_one_changes_nothing() -> None:
    raws = Raws(*(ob(s, "fail", ("unreachable",)) for s in range(0, 601, 60)))
    runs = [run(0, 600, 11, "fail", ("unreachable",), id=1)]
    r = fold(runs, [ob(240), ob(0), ob(600)], STALE, raw_lookup=raws.lookup)
    assert r.runs == runs and r.upserts == [] and r.rejected == []


def test_late_worse_result_at_a_run_boundary_replaces_the_boundary_observation() -> None:
    raws = Raws(ob(0), ob(60), ob(120))
    r = fold([run(0, 120, 3, id=1)], [ob(120, "error")], STALE, raw_lookup=raws.lookup)
    assert shape(r.runs) == [("ok", (), 0, 60, 2), ("error", (), 120, 120, 1)]


def test_late_same_result_inside_run_counts_a_new_instant_once() -> None:
    raws = Raws(ob(0), ob(60), ob(120))
    r = fold([run(0, 120, 3, id=1)], [ob(30), ob(60)], STALE, raw_lookup=raws.lookup)
    assert shape(r.runs) == [("ok", (), 0, 120, 4)]  # 30 is new, 60 a duplicate
    assert r.upserts == r.runs


def test_split_after_a_same_result_absorbed_in_the_same_batch_sees_it() -> None:
    raws = Raws(ob(0), ob(200), ob(400))
    r = fold([run(0, 400, 3)], [ob(100), ob(150, "fail", ("timeout",))], STALE, raw_lookup=raws.lookup)
    assert shape(r.runs) == [
        ("ok", (), 0, 100, 2),
        ("fail", ("timeout",), 150, 150, 1),
        ("ok", (), 200, 400, 2),
    ]


def test_split_of_a_long_run_counts_the_shorter_stored_side() -> None:
    raws = Raws(*(ob(s) for s in range(0, 86_401, 60)))  # a day of ok results every minute
    counted: list[tuple] = []

    def count(start, end):
        counted.append((start, end))
        return len(raws.lookup(start, end))

    r = fold(
        [run(0, 86_400, 1441)],
        [ob(80_000, "fail", ("timeout",))],
        STALE,
        raw_lookup=raws.lookup,
        raw_count=count,
    )
    assert shape(r.runs) == [
        ("ok", (), 0, 79_980, 1334),
        ("fail", ("timeout",), 80_000, 80_000, 1),
        ("ok", (), 80_040, 86_400, 107),
    ]
    assert counted == [(at(80_040), at(86_400))]


def test_split_when_the_start_of_the_run_is_pruned_counts_the_stored_side() -> None:
    raws = Raws(*(ob(s) for s in range(0, 86_401, 60)), pruned_before=10_000)
    r = fold(
        [run(0, 86_400, 1441)],
        [ob(20_000, "fail", ("timeout",))],
        STALE,
        raw_lookup=raws.lookup,
        watermark=at(10_000),
    )
    assert shape(r.runs) == [
        ("ok", (), 0, 19_980, 334),
        ("fail", ("timeout",), 20_000, 20_000, 1),
        ("ok", (), 20_040, 86_400, 1107),
    ]


def test_late_observation_needing_pruned_raw_observations_is_rejected() -> None:
    raws = Raws(*(ob(s) for s in range(0, 601, 60)), pruned_before=400)
    runs = [run(0, 600, 11, id=1)]
    late = ob(250, "fail", ("timeout",))
    r = fold(runs, [late], STALE, raw_lookup=raws.lookup, watermark=at(400))
    assert r.runs == runs and r.upserts == []
    assert [x.observation for x in r.rejected] == [late]
    assert "watermark" in r.rejected[0].reason
    assert raws.calls == []  # not even asked


def test_late_observation_in_a_gap_is_accepted_even_before_the_watermark() -> None:
    runs = [run(0, 100, 2, id=1), run(1000, 1100, 2, id=2)]
    r = fold(runs, [ob(500, "fail", ("timeout",))], STALE, raw_lookup=Raws().lookup, watermark=at(5000))
    assert r.rejected == [] and len(r.runs) == 3


def test_duplicate_of_a_run_boundary_needs_no_raw_observations() -> None:
    runs = [run(0, 600, 11, id=1)]
    r = fold(runs, [ob(0), ob(600)], STALE, watermark=at(10_000))
    assert r.runs == runs and r.rejected == []


def test_split_without_raw_lookup_is_rejected() -> None:
    r = fold([run(0, 600, 11)], [ob(250, "fail", ("timeout",))], STALE)
    assert len(r.rejected) == 1 and "raw" in r.rejected[0].reason


def test_lower_ranked_observation_shares_the_rejection_of_its_instant() -> None:
    a, b = ob(250, "fail", ("timeout",)), ob(250, "error")
    r = fold([run(0, 600, 11)], [a, b], STALE)
    assert {id(x.observation) for x in r.rejected} == {id(a), id(b)}


def test_raw_observations_contradicting_the_runs_raise() -> None:
    raws = Raws(ob(0), ob(600))  # the run says 11 results every 60 s; the raws have a 600 s gap
    with pytest.raises(FoldInconsistency, match="no raw observation within stale_after"):
        fold([run(0, 600, 11)], [ob(250, "fail", ("timeout",))], STALE, raw_lookup=raws.lookup)


def test_fold_refuses_observations_of_two_cameras() -> None:
    other = Observation("34020000001320000002", at(0), "liveness", "ok")
    with pytest.raises(ValueError, match="one camera/check per call"):
        fold([], [ob(0), other], STALE)


def test_fold_refuses_overlapping_runs() -> None:
    with pytest.raises(ValueError, match="overlap"):
        fold([run(0, 100, 2), run(50, 200, 2)], [ob(60, "error")], STALE, raw_lookup=Raws().lookup)


def test_fold_window_reaches_stale_after_around_the_batch() -> None:
    lo, hi = fold_window([ob(1000), ob(400)], STALE)
    assert (lo, hi) == (at(100), at(1300))
    assert overlaps_window(run(0, 100, 2), (lo, hi)) and not overlaps_window(run(0, 99, 2), (lo, hi))


def test_append_of_many_results_extends_one_run_per_repeat() -> None:
    r = fold([], [ob(s) for s in range(0, 6000, 60)], STALE)
    assert shape(r.runs) == [("ok", (), 0, 5940, 100)]
