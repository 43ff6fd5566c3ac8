"""Periods: parsing ``--from``/``--to`` inputs, day and month bounds cut in the configured timezone,
and the integer-microsecond instants the SLA math works in.

All instants handed out are timezone-aware UTC. Days and months are cut at *local* midnight in the
given zone (DESIGN.md: all instants are stored in UTC; days and months are cut in the configured
timezone, default ``Asia/Shanghai``), so in a zone with daylight saving a day lasts 23 or 25 hours.
A local midnight that does not exist (a DST gap starting at 00:00) starts the day at the first
instant that does; an ambiguous one starts it at its first occurrence.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_TIMEZONE = "Asia/Shanghai"

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)


class PeriodError(ValueError):
    """A period input a user got wrong; the message names the input and the reason."""


class Period(NamedTuple):
    """A half-open span of time ``[start, end)`` between two aware UTC instants."""

    start: datetime
    end: datetime


# --- instants as integer microseconds (exact sums, fast comparisons) -------------------------------


def to_us(instant: datetime) -> int:
    """An aware instant as integer microseconds since the Unix epoch (exact, no float)."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"naive datetime {instant!r}: SLA instants must carry a UTC offset")
    d = instant - _EPOCH
    return (d.days * 86_400 + d.seconds) * 1_000_000 + d.microseconds


def from_us(us: int) -> datetime:
    """The aware UTC instant ``us`` microseconds after the Unix epoch."""
    return _EPOCH + timedelta(microseconds=us)


def seconds_to_us(seconds: float) -> int:
    """A duration in seconds (e.g. a ``stale_after`` setting) as integer microseconds."""
    return round(seconds * 1_000_000)


# --- timezones and calendar bounds ----------------------------------------------------------------


def zone(tz: ZoneInfo | str | None = None) -> ZoneInfo:
    """A ZoneInfo from a name (``None`` -> the default ``Asia/Shanghai``)."""
    if isinstance(tz, ZoneInfo):
        return tz
    name = tz or DEFAULT_TIMEZONE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as e:
        raise PeriodError(f"unknown timezone {name!r}") from e


def local_midnight(d: date, tz: ZoneInfo | str | None = None) -> datetime:
    """The UTC instant at which local date ``d`` begins in ``tz``."""
    z = zone(tz)
    # fold=0 takes the offset in force *before* a transition: for a midnight inside a DST gap
    # that is exactly the transition instant, for an ambiguous midnight its first occurrence.
    return datetime.combine(d, time(0), tzinfo=z).astimezone(UTC)


def local_date(instant: datetime, tz: ZoneInfo | str | None = None) -> date:
    """The calendar date of ``instant`` in ``tz``."""
    return instant.astimezone(zone(tz)).date()


def day_bounds(d: date, tz: ZoneInfo | str | None = None) -> Period:
    """Local day ``d`` in ``tz`` as UTC ``[start, end)``."""
    return Period(local_midnight(d, tz), local_midnight(d + timedelta(days=1), tz))


def _next_month(d: date) -> date:
    return date(d.year + d.month // 12, d.month % 12 + 1, 1)


def month_bounds(year: int, month: int, tz: ZoneInfo | str | None = None) -> Period:
    """Local calendar month ``year-month`` in ``tz`` as UTC ``[start, end)``."""
    if not 1 <= month <= 12:
        raise PeriodError(f"month {month} is not 1..12")
    first = date(year, month, 1)
    return Period(local_midnight(first, tz), local_midnight(_next_month(first), tz))


def as_period(period: tuple[datetime, datetime]) -> Period:
    """``(start, end)`` checked (aware, not reversed) and converted to a UTC :class:`Period`."""
    start, end = period
    for name, v in (("start", start), ("end", end)):
        if v.tzinfo is None or v.utcoffset() is None:
            raise ValueError(f"period {name} {v!r} has no UTC offset")
    if end < start:
        raise PeriodError(f"period ends ({end.isoformat()}) before it starts ({start.isoformat()})")
    return Period(start.astimezone(UTC), end.astimezone(UTC))


def split_days(
    period: tuple[datetime, datetime], tz: ZoneInfo | str | None = None
) -> list[tuple[date, Period]]:
    """``period`` cut at local midnights: ``(local date, its part of the period)``, in order.

    The first and last parts are clipped to the period; an empty period gives ``[]``.
    """
    start, end = as_period(period)
    out: list[tuple[date, Period]] = []
    d = local_date(start, tz)
    while True:
        a, b = day_bounds(d, tz)
        a, b = max(a, start), min(b, end)
        if a >= end:
            break
        if a < b:
            out.append((d, Period(a, b)))
        d += timedelta(days=1)
    return out


def split_months(
    period: tuple[datetime, datetime], tz: ZoneInfo | str | None = None
) -> list[tuple[date, Period]]:
    """``period`` cut at local month starts: ``(first day of the month, its part)``, in order."""
    start, end = as_period(period)
    out: list[tuple[date, Period]] = []
    d = local_date(start, tz).replace(day=1)
    while True:
        a, b = month_bounds(d.year, d.month, tz)
        a, b = max(a, start), min(b, end)
        if a >= end:
            break
        if a < b:
            out.append((d, Period(a, b)))
        d = _next_month(d)
    return out


# --- user input -----------------------------------------------------------------------------------


def parse_bound(text: str, tz: ZoneInfo | str | None = None, name: str = "date") -> datetime:
    """A ``--from``/``--to`` value as a UTC instant.

    ``YYYY-MM-DD`` is local midnight starting that date in ``tz``; an ISO-8601 date-time with an
    offset (or ``Z``) is that instant; an ISO-8601 date-time without offset is local time in ``tz``.
    """
    s = text.strip()
    if not s:
        raise PeriodError(f"{name}: empty; expected a date YYYY-MM-DD or an ISO-8601 date-time")
    if len(s) == 10:
        try:
            return local_midnight(date.fromisoformat(s), tz)
        except ValueError as e:
            raise PeriodError(f"{name}: {text!r} is not a valid date YYYY-MM-DD ({e})") from e
    try:
        dt = datetime.fromisoformat(s.replace("z", "Z"))
    except ValueError as e:
        raise PeriodError(f"{name}: {text!r} is neither a date YYYY-MM-DD nor an ISO-8601 date-time") from e
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=zone(tz))
    return dt.astimezone(UTC)


def parse_period(from_text: str, to_text: str, tz: ZoneInfo | str | None = None) -> Period:
    """``--from``/``--to`` as the half-open UTC period ``[from, to)``; ``to`` must be after ``from``."""
    start = parse_bound(from_text, tz, "--from")
    end = parse_bound(to_text, tz, "--to")
    if end <= start:
        raise PeriodError(
            f"--to {to_text!r} is not after --from {from_text!r}: the period [from, to) would be empty"
        )
    return Period(start, end)
