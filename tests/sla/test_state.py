"""sla.state and sla.eligibility: the state rules of DESIGN.md, exact to the microsecond."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sla.eligibility import eligible_intervals, merge_intervals
from sla.rollup import rates
from sla.runs import Run
from sla.state import StateSeconds, StateSpan, state_seconds, state_seconds_split, state_timeline
from tests.sla.brute import CAMERA, at

STALE = {"liveness": 300.0, "image": 10_800.0, "recording": 93_600.0}
PERIOD = (at(0), at(3600))
ALL = [PERIOD]
S = 1_000_000  # microseconds in a second


def run(check: str, first: float, last: float, status: str = "ok", faults: tuple[str, ...] = ()) -> Run:
    return Run(
        CAMERA, check, status, faults, at(0) + timedelta(seconds=first), at(0) + timedelta(seconds=last), 1
    )


def live_ok_all_hour() -> list[Run]:
    return [run("liveness", 0, 3600)]


def secs(runs: dict[str, list[Run]], eligible=ALL, period=PERIOD, **kw) -> StateSeconds:
    return state_seconds(runs, STALE, eligible, period, **kw)


def test_no_liveness_observation_is_unknown() -> None:
    assert secs({"image": [run("image", 0, 0, "fail", ("blur",))]}) == StateSeconds(unknown_us=3600 * S)


def test_liveness_error_is_unknown() -> None:
    assert secs({"liveness": [run("liveness", 0, 3600, "error")]}).unknown_us == 3600 * S


def test_liveness_fail_is_offline_whatever_the_image_says() -> None:
    s = secs(
        {
            "liveness": [run("liveness", 0, 3600, "fail", ("unreachable",))],
            "image": [run("image", 0, 0, "fail", ("blur",))],
        }
    )
    assert s == StateSeconds(offline_us=3600 * S)


def test_image_fail_degrades_an_online_camera() -> None:
    s = secs({"liveness": live_ok_all_hour(), "image": [run("image", 600, 600, "fail", ("black_screen",))]})
    assert s == StateSeconds(ok_us=600 * S, degraded_us=3000 * S)


def test_recording_fail_degrades_an_online_camera() -> None:
    s = secs(
        {"liveness": live_ok_all_hour(), "recording": [run("recording", 0, 0, "fail", ("not_recording",))]}
    )
    assert s == StateSeconds(degraded_us=3600 * S)


def test_error_image_result_does_not_degrade() -> None:
    s = secs({"liveness": live_ok_all_hour(), "image": [run("image", 0, 0, "error", ("decode_error",))]})
    assert s == StateSeconds(ok_us=3600 * S)


def test_stale_image_fail_does_not_degrade() -> None:
    stale = {**STALE, "image": 900.0}
    s = state_seconds(
        {"liveness": live_ok_all_hour(), "image": [run("image", 0, 0, "fail", ("blur",))]}, stale, ALL, PERIOD
    )
    assert s == StateSeconds(ok_us=2700 * S, degraded_us=900 * S)


def test_image_fail_ends_at_the_next_image_result() -> None:
    s = secs(
        {
            "liveness": live_ok_all_hour(),
            "image": [run("image", 0, 0, "fail", ("blur",)), run("image", 100, 100)],
        }
    )
    assert s == StateSeconds(ok_us=3500 * S, degraded_us=100 * S)


def test_observation_is_valid_until_the_next_one_even_before_stale_after() -> None:
    s = secs({"liveness": [run("liveness", 0, 0, "fail", ("timeout",)), run("liveness", 10, 3600)]})
    assert s == StateSeconds(offline_us=10 * S, ok_us=3590 * S)


def test_last_observation_is_valid_for_stale_after_then_unknown() -> None:
    s = secs({"liveness": [run("liveness", 0, 1000)]})
    assert s == StateSeconds(ok_us=1300 * S, unknown_us=2300 * S)


def test_run_before_the_period_carries_into_it() -> None:
    s = secs({"liveness": [run("liveness", -500, -100, "fail", ("unreachable",))]})
    assert s == StateSeconds(offline_us=200 * S, unknown_us=3400 * S)


def test_time_outside_eligibility_is_excluded() -> None:
    eligible = eligible_intervals(at(600), at(3000), [(at(1000), at(1200))], PERIOD)
    s = secs({"liveness": live_ok_all_hour()}, eligible=eligible)
    assert s == StateSeconds(ok_us=2200 * S, excluded_us=1400 * S)
    assert s.eligible_us == 2200 * S


def test_unknown_time_is_not_in_the_denominator() -> None:
    s = secs({"liveness": [run("liveness", 0, 1500, "fail", ("unreachable",)), run("liveness", 1800, 2400)]})
    # offline [0, 1800), ok [1800, 2700), unknown [2700, 3600)
    assert s == StateSeconds(offline_us=1800 * S, ok_us=900 * S, unknown_us=900 * S)
    r = rates(s)
    assert r.normal_rate == pytest.approx(900 / 2700) and r.coverage == pytest.approx(2700 / 3600)


def test_seconds_are_exact_to_the_microsecond() -> None:
    live = [
        Run(
            CAMERA,
            "liveness",
            "ok",
            (),
            at(0) + timedelta(microseconds=7),
            at(0) + timedelta(microseconds=7),
            1,
        )
    ]
    s = state_seconds({"liveness": live}, {**STALE, "liveness": 0.000_013}, ALL, PERIOD)
    assert s.ok_us == 13 and s.unknown_us == 3600 * S - 13 and s.ok_s == 13e-6


def test_state_seconds_add_exactly_across_cameras() -> None:
    one = StateSeconds(ok_us=1, degraded_us=2, offline_us=3, unknown_us=4, excluded_us=5)
    total = sum([one] * 10**6)
    assert total == StateSeconds(10**6, 2 * 10**6, 3 * 10**6, 4 * 10**6, 5 * 10**6)
    assert total.eligible_us == 10 * 10**6 and total.measured_us == 6 * 10**6


def test_now_cuts_the_period() -> None:
    s = secs({"liveness": live_ok_all_hour()}, now=at(1000))
    assert s == StateSeconds(ok_us=1000 * S)


def test_timeline_explains_each_state_with_its_fault_codes() -> None:
    spans = state_timeline(
        {
            "liveness": [
                run("liveness", 0, 600),
                run("liveness", 700, 700, "fail", ("unreachable",)),
                run("liveness", 800, 3600),
            ],
            "image": [run("image", 300, 300, "fail", ("blur",)), run("image", 400, 400)],
            "recording": [run("recording", 350, 350, "fail", ("recording_gap",)), run("recording", 380, 380)],
        },
        STALE,
        eligible_intervals(at(0), None, [(at(3000), at(3600))], PERIOD),
        PERIOD,
    )
    assert spans == [
        StateSpan(at(0), at(300), "ok"),
        StateSpan(at(300), at(350), "degraded", ("blur",)),
        StateSpan(at(350), at(380), "degraded", ("blur", "recording_gap")),
        StateSpan(at(380), at(400), "degraded", ("blur",)),
        StateSpan(at(400), at(700), "ok"),
        StateSpan(at(700), at(800), "offline", ("unreachable",)),
        StateSpan(at(800), at(3000), "ok"),
        StateSpan(at(3000), at(3600), "excluded"),
    ]


def test_seconds_split_by_day_sum_to_the_whole() -> None:
    runs = {"liveness": [run("liveness", 0, 1000), run("liveness", 2000, 2000, "fail", ("timeout",))]}
    parts = [(at(0), at(1234)), (at(1234), at(2500)), (at(2500), at(3600))]
    split = state_seconds_split(runs, STALE, ALL, parts)
    assert sum(split) == secs(runs)
    assert split[0] == StateSeconds(ok_us=1234 * S)


def test_overlapping_runs_are_refused() -> None:
    with pytest.raises(ValueError, match="overlap"):
        secs({"liveness": [run("liveness", 0, 100), run("liveness", 50, 200, "fail", ("timeout",))]})


def test_commissioned_is_inclusive_and_decommissioned_exclusive() -> None:
    assert eligible_intervals(at(10), at(20), [], PERIOD) == [(at(10), at(20))]


def test_never_commissioned_camera_is_never_eligible() -> None:
    assert eligible_intervals(None, None, [], PERIOD) == []


def test_decommissioned_before_the_period_is_never_eligible() -> None:
    assert eligible_intervals(at(-100), at(0), [], PERIOD) == []


def test_overlapping_maintenance_windows_are_merged() -> None:
    windows = [(at(100), at(300)), (at(200), at(400)), (at(400), at(500)), (at(50), at(60))]
    assert merge_intervals(windows) == [(at(50), at(60)), (at(100), at(500))]
    assert eligible_intervals(at(0), None, windows, PERIOD) == [
        (at(0), at(50)),
        (at(60), at(100)),
        (at(500), at(3600)),
    ]


def test_window_covering_all_eligible_time_leaves_none() -> None:
    assert eligible_intervals(at(0), None, [(at(-10), at(4000))], PERIOD) == []


def test_window_typed_backwards_is_reported() -> None:
    with pytest.raises(ValueError, match="ends before it starts"):
        eligible_intervals(at(0), None, [(at(300), at(200))], PERIOD)
