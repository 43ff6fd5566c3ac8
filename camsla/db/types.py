"""Column types shared by the models."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """An instant, stored in UTC on every backend and always returned timezone-aware (UTC).

    SQLite has no zone-aware type: the value is stored as naive UTC there. A naive datetime
    handed in is a programming error (DESIGN.md: all instants are stored in UTC), not a guess.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} cannot be stored; give it a UTC offset")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class FaultList(TypeDecorator[tuple[str, ...]]):
    """A sorted tuple of fault codes, stored as comma-joined text ('' for none). Fault codes are
    identifiers without commas (camsla.kernel.faults), so the text form is unambiguous."""

    impl = String(400)
    cache_ok = True

    def process_bind_param(self, value, dialect: Dialect) -> str | None:  # noqa: ANN001 - tuple or list
        if value is None:
            return None
        if isinstance(value, str):
            raise TypeError(f"faults must be a sequence of codes, not the string {value!r}")
        return ",".join(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> tuple[str, ...] | None:
        if value is None:
            return None
        return tuple(value.split(",")) if value else ()
