"""Validation of inventory rows (DESIGN.md `camsla inventory import` columns), pure."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

REQUIRED_COLUMNS: tuple[str, ...] = ("camera_id", "name", "sector", "ip", "commissioned_at")
OPTIONAL_COLUMNS: tuple[str, ...] = (
    "class",
    "contractor",
    "decommissioned_at",
    "district",
    "rtsp_url",
    "onvif_url",
    "snapshot_url",
    "username",
    "password",
    "switch",
    "switch_port",
    "lat",
    "lon",
    "liveness_kinds",  # camsla's extension: the camera's liveness probe kinds, e.g. "tcp;http"
)
ALL_COLUMNS: tuple[str, ...] = REQUIRED_COLUMNS + OPTIONAL_COLUMNS

CAMERA_ID = re.compile(r"^\d{20}$")
CLASS_WORDS = {"1": 1, "2": 2, "3": 3, "一类": 1, "二类": 2, "三类": 3}
URL_SCHEMES = {"rtsp_url": ("rtsp://", "rtsps://"), "onvif_url": ("http://", "https://"),
               "snapshot_url": ("http://", "https://")}


class RowError(ValueError):
    """One reason a row is bad."""


@dataclass
class CameraRow:
    """A validated row: the camera's fields, plus which columns the file gave (for the upsert)."""

    row_number: int
    values: dict[str, Any]
    contractor: str | None = None
    columns: frozenset[str] = field(default_factory=frozenset)


def check_header(header: list[str]) -> list[str]:
    """Problems with the header row; empty when it is usable."""
    problems = []
    names = [h.strip() for h in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        problems.append(f"missing required column(s): {', '.join(missing)}")
    unknown = [h for h in names if h and h not in ALL_COLUMNS]
    if unknown:
        problems.append(f"unknown column(s): {', '.join(unknown)} (known: {', '.join(ALL_COLUMNS)})")
    dup = sorted({h for h in names if h and names.count(h) > 1})
    if dup:
        problems.append(f"duplicate column(s): {', '.join(dup)}")
    return problems


def _text(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    s = str(v).strip()
    return s or None


def parse_instant(value: Any, tz: ZoneInfo, column: str) -> datetime:
    """A date or datetime cell: date-only means local midnight; no offset means the configured zone."""
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, date):
        dt = datetime.combine(value, time())
    else:
        s = _text(value)
        if s is None:
            raise RowError(f"{column} is empty")
        try:
            dt = datetime.fromisoformat(s.replace("/", "-"))
        except ValueError:
            raise RowError(f"{column} {s!r} is not a date or ISO-8601 time") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=tz)
    return dt


def validate_row(
    row_number: int, raw: dict[str, Any], *, sectors: dict[str, str], tz: ZoneInfo
) -> CameraRow:
    """Validate one row; raise RowError listing every reason it is bad.

    ``sectors`` maps every accepted spelling (code, Chinese name) to the sector code.
    """
    errors: list[str] = []
    values: dict[str, Any] = {}

    camera_id = raw.get("camera_id")
    if isinstance(camera_id, float):
        errors.append("camera_id is a number in the spreadsheet and has lost digits; format the column as text")
    else:
        cid = _text(camera_id)
        if cid is None:
            errors.append("camera_id is empty")
        elif not CAMERA_ID.match(cid):
            errors.append(f"camera_id {cid!r} is not a 20-digit GB/T 28181 device ID")
        else:
            values["camera_id"] = cid

    name = _text(raw.get("name"))
    if name is None:
        errors.append("name is empty")
    else:
        values["name"] = name

    sector = _text(raw.get("sector"))
    if sector is None:
        errors.append("sector is empty")
    elif sector not in sectors:
        errors.append(f"unknown sector {sector!r} (see `camsla sectors list`)")
    else:
        values["sector_code"] = sectors[sector]

    ip = _text(raw.get("ip"))
    if ip is None:
        errors.append("ip is empty")
    else:
        try:
            values["ip"] = str(ipaddress.ip_address(ip))
        except ValueError:
            errors.append(f"ip {ip!r} is not an IPv4 or IPv6 address")

    for column, required in (("commissioned_at", True), ("decommissioned_at", False)):
        if column not in raw:
            continue
        if _text(raw.get(column)) is None and not isinstance(raw.get(column), date):
            if required:
                errors.append(f"{column} is empty")
            else:
                values[column] = None
            continue
        try:
            values[column] = parse_instant(raw[column], tz, column)
        except RowError as e:
            errors.append(str(e))
    if values.get("decommissioned_at") and values.get("commissioned_at"):
        if values["decommissioned_at"] <= values["commissioned_at"]:
            errors.append("decommissioned_at is not after commissioned_at")

    if "class" in raw:
        c = _text(raw.get("class"))
        if c is None:
            values["camera_class"] = None
        elif c in CLASS_WORDS:
            values["camera_class"] = CLASS_WORDS[c]
        else:
            errors.append(f"class {c!r} is not 1, 2 or 3")

    for column in ("district", "username", "password", "switch", "switch_port"):
        if column in raw:
            values[column] = _text(raw.get(column))

    for column, schemes in URL_SCHEMES.items():
        if column not in raw:
            continue
        url = _text(raw.get(column))
        if url is not None and not url.lower().startswith(schemes):
            errors.append(f"{column} {url!r} does not start with {' or '.join(schemes)}")
        values[column] = url

    for column, bound in (("lat", 90.0), ("lon", 180.0)):
        if column not in raw:
            continue
        v = _text(raw.get(column))
        if v is None:
            values[column] = None
            continue
        try:
            f = float(v)
        except ValueError:
            errors.append(f"{column} {v!r} is not a number")
            continue
        if not -bound <= f <= bound:
            errors.append(f"{column} {f} is outside ±{bound:g}")
        values[column] = f

    if "liveness_kinds" in raw:
        text = _text(raw.get("liveness_kinds"))
        if text is None:
            values["liveness_kinds"] = None
        else:
            from probe import LIVENESS_PROBERS

            kinds = [k.strip().lower() for k in re.split(r"[;,\s]+", text) if k.strip()]
            unknown = [k for k in kinds if k not in LIVENESS_PROBERS]
            if unknown:
                errors.append(
                    f"liveness_kinds {', '.join(unknown)} unknown (known: {', '.join(sorted(LIVENESS_PROBERS))})"
                )
            values["liveness_kinds"] = kinds

    contractor = _text(raw.get("contractor")) if "contractor" in raw else None
    if errors:
        raise RowError("; ".join(errors))
    return CameraRow(row_number, values, contractor, frozenset(raw))
