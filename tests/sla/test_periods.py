"""sla.periods: DATE/ISO inputs, day and month bounds in the configured timezone, DST included."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sla.periods import (
    PeriodError,
    day_bounds,
    from_us,
    local_date,
    month_bounds,
    parse_bound,
    parse_period,
    split_days,
    split_months,
    to_us,
)


def utc(*a: int) -> datetime:
    return datetime(*a, tzinfo=UTC)


def test_day_in_shanghai_starts_at_16_utc_the_day_before() -> None:
    assert day_bounds(date(2024, 5, 1)) == (utc(2024, 4, 30, 16), utc(2024, 5, 1, 16))


def test_month_in_shanghai() -> None:
    assert month_bounds(2024, 2, "Asia/Shanghai") == (utc(2024, 1, 31, 16), utc(2024, 2, 29, 16))
    assert month_bounds(2024, 12) == (utc(2024, 11, 30, 16), utc(2024, 12, 31, 16))


def test_berlin_spring_forward_day_lasts_23_hours() -> None:
    start, end = day_bounds(date(2024, 3, 31), "Europe/Berlin")
    assert (start, end - start) == (utc(2024, 3, 30, 23), timedelta(hours=23))


def test_berlin_fall_back_day_lasts_25_hours() -> None:
    start, end = day_bounds(date(2024, 10, 27), "Europe/Berlin")
    assert (start, end - start) == (utc(2024, 10, 26, 22), timedelta(hours=25))


def test_berlin_month_with_a_dst_change() -> None:
    start, end = month_bounds(2024, 3, "Europe/Berlin")
    assert (start, end) == (utc(2024, 2, 29, 23), utc(2024, 3, 31, 22))
    assert end - start == timedelta(days=31) - timedelta(hours=1)


def test_midnight_skipped_by_dst_starts_the_day_at_the_first_instant_that_exists() -> None:
    # Chile springs forward at 00:00 -> 01:00 local: 2023-09-03 has no midnight
    tz = ZoneInfo("America/Santiago")
    start, end = day_bounds(date(2023, 9, 3), tz)
    assert start.astimezone(tz).replace(tzinfo=None) == datetime(2023, 9, 3, 1, 0)
    assert local_date(start - timedelta(microseconds=1), tz) == date(2023, 9, 2)
    assert end - start == timedelta(hours=23)


def test_split_days_covers_the_period_without_gaps_in_berlin() -> None:
    period = (utc(2024, 3, 29, 12), utc(2024, 4, 2, 5))
    parts = split_days(period, "Europe/Berlin")
    assert [d for d, _ in parts] == [date(2024, 3, d) for d in (29, 30, 31)] + [
        date(2024, 4, 1),
        date(2024, 4, 2),
    ]
    assert parts[0][1].start == period[0] and parts[-1][1].end == period[1]
    assert all(a[1].end == b[1].start for a, b in zip(parts, parts[1:], strict=False))
    assert parts[2][1].end - parts[2][1].start == timedelta(hours=23)


def test_split_months_cuts_at_local_month_starts() -> None:
    parts = split_months((utc(2024, 1, 15), utc(2024, 3, 10)), "Asia/Shanghai")
    assert [(d, p.start, p.end) for d, p in parts] == [
        (date(2024, 1, 1), utc(2024, 1, 15), utc(2024, 1, 31, 16)),
        (date(2024, 2, 1), utc(2024, 1, 31, 16), utc(2024, 2, 29, 16)),
        (date(2024, 3, 1), utc(2024, 2, 29, 16), utc(2024, 3, 10)),
    ]


def test_empty_period_splits_into_nothing() -> None:
    assert split_days((utc(2024, 1, 1), utc(2024, 1, 1))) == []


def test_date_input_is_local_midnight() -> None:
    assert parse_bound("2024-05-01") == utc(2024, 4, 30, 16)
    assert parse_bound("2024-05-01", "Europe/Berlin") == utc(2024, 4, 30, 22)


def test_iso_input_with_an_offset_is_that_instant() -> None:
    assert parse_bound("2024-05-01T08:30:00+08:00", "Europe/Berlin") == utc(2024, 5, 1, 0, 30)
    assert parse_bound("2024-05-01T00:30:00Z") == utc(2024, 5, 1, 0, 30)


def test_iso_input_without_offset_is_local_time() -> None:
    assert parse_bound("2024-05-01T08:00:00") == utc(2024, 5, 1, 0)


def test_period_is_half_open_from_to() -> None:
    assert parse_period("2024-05-01", "2024-06-01") == (utc(2024, 4, 30, 16), utc(2024, 5, 31, 16))


def test_bad_date_names_the_option() -> None:
    with pytest.raises(PeriodError, match="--from: '2024-13-01' is not a valid date"):
        parse_period("2024-13-01", "2024-06-01")
    with pytest.raises(PeriodError, match="--to: 'yesterday'"):
        parse_period("2024-05-01", "yesterday")


def test_period_ending_before_it_starts_is_reported() -> None:
    with pytest.raises(PeriodError, match="not after --from"):
        parse_period("2024-05-02", "2024-05-01")


def test_unknown_timezone_is_reported() -> None:
    with pytest.raises(PeriodError, match="unknown timezone 'Mars/Olympus'"):
        day_bounds(date(2024, 1, 1), "Mars/Olympus")


def test_instants_round_trip_through_integer_microseconds() -> None:
    t = datetime(2024, 5, 1, 8, 0, 0, 123_457, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert to_us(t) == 1_714_521_600_123_457
    assert from_us(to_us(t)) == t


def test_naive_instant_is_refused() -> None:
    with pytest.raises(ValueError, match="naive datetime"):
        to_us(datetime(2024, 5, 1))
