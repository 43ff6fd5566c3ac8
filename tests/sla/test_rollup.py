"""sla.rollup: the rates of DESIGN.md, None without a denominator, exact verdicts and sums."""

from __future__ import annotations

from fractions import Fraction

from sla.rollup import Rates, figures, group, group_by, meets, meets_target, rates, total
from sla.state import StateSeconds

S = 1_000_000


def test_rates_follow_the_design_formulas() -> None:
    s = StateSeconds(ok_us=90 * S, degraded_us=5 * S, offline_us=5 * S, unknown_us=100 * S, excluded_us=7 * S)
    assert rates(s) == Rates(online_rate=0.95, normal_rate=0.9, coverage=0.5)


def test_excluded_time_counts_neither_for_nor_against() -> None:
    with_excluded = StateSeconds(ok_us=3 * S, offline_us=1 * S, excluded_us=10**9 * S)
    assert rates(with_excluded) == rates(StateSeconds(ok_us=3 * S, offline_us=1 * S))


def test_rates_are_none_without_measured_time_never_zero_or_one() -> None:
    r = rates(StateSeconds(unknown_us=3600 * S))
    assert r.online_rate is None and r.normal_rate is None
    assert r.coverage == 0.0  # eligible but blind: coverage shows it


def test_coverage_is_none_without_eligible_time() -> None:
    assert rates(StateSeconds(excluded_us=3600 * S)) == Rates(None, None, None)
    assert rates(StateSeconds()) == Rates(None, None, None)


def test_meets_is_none_without_a_rate() -> None:
    assert meets(None, 0.98) is None
    assert meets_target(StateSeconds(unknown_us=S), 0.98) is None


def test_rate_exactly_at_target_meets_it() -> None:
    s = StateSeconds(ok_us=98 * S, degraded_us=2 * S)
    assert meets(rates(s).normal_rate, 0.98) is True
    assert meets_target(s, 0.98) is True


def test_one_microsecond_below_target_fails_even_across_a_huge_fleet() -> None:
    # 100 000 cameras x 31 days: the exact ratio is below 0.98 by less than a float can tell
    measured = 100_000 * 31 * 86_400 * S
    ok = measured * 98 // 100 - 1
    s = StateSeconds(ok_us=ok, offline_us=measured - ok)
    assert meets_target(s, 0.98) is False
    assert Fraction(ok, measured) < Fraction(98, 100)


def test_total_and_group_sum_exactly_per_key() -> None:
    a = StateSeconds(ok_us=1, offline_us=2)
    b = StateSeconds(ok_us=10, unknown_us=3)
    assert total([]) == StateSeconds()
    assert total([a, b]) == StateSeconds(ok_us=11, offline_us=2, unknown_us=3)
    assert group([("public_area", a), ("finance", b), ("public_area", b)]) == {
        "public_area": StateSeconds(ok_us=11, offline_us=2, unknown_us=3),
        "finance": b,
    }


def test_group_by_maps_cameras_to_their_sector_or_contractor() -> None:
    sector_of = {"c1": "campus", "c2": "campus", "c3": "finance"}
    rows = [("c1", StateSeconds(ok_us=1)), ("c2", StateSeconds(ok_us=2)), ("c3", StateSeconds(offline_us=4))]
    assert group_by(rows, sector_of.__getitem__) == {
        "campus": StateSeconds(ok_us=3),
        "finance": StateSeconds(offline_us=4),
    }


def test_per_day_rows_group_by_sector_and_day() -> None:
    rows = [
        (("campus", "2024-05-01"), StateSeconds(ok_us=5)),
        (("campus", "2024-05-01"), StateSeconds(ok_us=6)),
        (("campus", "2024-05-02"), StateSeconds(ok_us=7)),
    ]
    assert group(rows) == {
        ("campus", "2024-05-01"): StateSeconds(ok_us=11),
        ("campus", "2024-05-02"): StateSeconds(ok_us=7),
    }


def test_figures_give_the_sla_json_fields() -> None:
    s = StateSeconds(ok_us=97 * S, degraded_us=1 * S, offline_us=2 * S, unknown_us=0, excluded_us=5 * S)
    d = figures(s, target=0.98, cameras=3).as_dict()
    assert d == {
        "cameras": 3,
        "target": 0.98,
        "eligible_s": 100.0,
        "ok_s": 97.0,
        "degraded_s": 1.0,
        "offline_s": 2.0,
        "unknown_s": 0.0,
        "excluded_s": 5.0,  # shown beside the figures; not part of eligible time
        "online_rate": 0.98,
        "normal_rate": 0.97,
        "coverage": 1.0,
        "met": False,
    }
