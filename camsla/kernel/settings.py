"""Settings: built-in defaults, then camsla.toml (or --config FILE), then CAMSLA_* environment variables.

Validated once at the edge; a bad file or variable fails at start naming the key and the reason.
Nested keys come from TOML tables (``[probe] timeout_s = 3``) or from double underscores in the
environment (``CAMSLA_PROBE__TIMEOUT_S=3``).
"""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

ENV_PREFIX = "CAMSLA_"
TEST_PREFIX = "CAMSLA_TEST_"  # reserved for the test suite (e.g. CAMSLA_TEST_DATABASE_URL)
DEFAULT_CONFIG_FILE = "camsla.toml"


class SettingsError(Exception):
    """A bad settings file or variable; the message names the key and the reason."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProbeSettings(_Section):
    liveness_interval_s: float = Field(60.0, gt=0)
    timeout_s: float = Field(5.0, gt=0)
    concurrency: int = Field(2000, ge=1)  # probes in flight at once, all hosts
    per_host_concurrency: int = Field(4, ge=1)  # probes in flight at once towards one address
    jitter: float = Field(1.0, ge=0, le=1)  # spread a cycle's probes over this share of the interval
    default_kinds: list[str] = Field(default_factory=lambda: ["icmp", "rtsp"])


class ImageSettings(_Section):
    interval_s: float = Field(900.0, gt=0)
    sector_interval_s: dict[str, float] = Field(default_factory=dict)
    workers: int = Field(1, ge=1)  # processes for image analysis
    thresholds: dict[str, float] = Field(default_factory=dict)  # global overrides of analyzer defaults
    sector_thresholds: dict[str, dict[str, float]] = Field(default_factory=dict)
    evidence_dir: str = "evidence"
    evidence_max_bytes: int = Field(64_000, ge=1_000)
    evidence_retention_days: float = Field(90.0, gt=0)
    frame_timeout_s: float = Field(10.0, gt=0)
    frame_max_bytes: int = Field(8_000_000, ge=10_000)


class RecordingSettings(_Section):
    interval_s: float = Field(21_600.0, gt=0)
    not_recording_after_s: float = Field(600.0, gt=0)
    gap_threshold_s: float = Field(300.0, gt=0)
    retention_days: float = Field(30.0, gt=0)
    sector_retention_days: dict[str, float] = Field(default_factory=lambda: {"finance": 90.0})


class DatabaseSettings(_Section):
    """Bounded waiting: no call to the database waits longer than these."""

    connect_timeout_s: float = Field(5.0, gt=0)  # a server that does not answer
    statement_timeout_s: float = Field(60.0, gt=0)  # one statement (SQLite: waiting for its write lock)
    pool_timeout_s: float = Field(10.0, gt=0)  # waiting for a free connection of the pool


class WebSettings(_Section):
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=0, le=65535)
    # the status page's figures are recomputed in the background once older than these
    status_day_refresh_s: float = Field(30.0, gt=0)
    status_month_refresh_s: float = Field(300.0, gt=0)


# One definition of each check's stale_after default (DESIGN.md "Time and state semantics").
DEFAULT_STALE_AFTER: dict[str, float] = {"liveness": 300.0, "image": 10_800.0, "recording": 93_600.0}


class Settings(_Section):
    database_url: str = "sqlite:///camsla.db"
    timezone: str = "Asia/Shanghai"
    stale_after: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_STALE_AFTER))
    raw_retention_days: float = Field(7.0, gt=0)
    flush_interval_s: float = Field(2.0, gt=0)  # how often buffered probe results are written
    # while the database cannot be written: observations kept in memory, and where the rest go
    buffer_max: int = Field(200_000, ge=1)
    spool_dir: str = "camsla-spool"
    # the inventory last read, kept so that probing goes on (and can start) while the database is down
    inventory_snapshot: str = "camsla-inventory.json"
    probe: ProbeSettings = Field(default_factory=ProbeSettings)
    image: ImageSettings = Field(default_factory=ImageSettings)
    recording: RecordingSettings = Field(default_factory=RecordingSettings)
    web: WebSettings = Field(default_factory=WebSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError) as e:
            raise ValueError(f"unknown timezone {v!r}") from e
        return v

    @field_validator("stale_after")
    @classmethod
    def _all_checks(cls, v: dict[str, float]) -> dict[str, float]:
        merged = dict(DEFAULT_STALE_AFTER)
        for k, s in v.items():
            if k not in merged:
                raise ValueError(f"unknown check {k!r}")
            if s <= 0:
                raise ValueError(f"stale_after for {k} must be > 0")
            merged[k] = float(s)
        return merged

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def _env_overrides(environ: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, raw in environ.items():
        if not name.startswith(ENV_PREFIX) or name == ENV_PREFIX + "CONFIG" or name.startswith(TEST_PREFIX):
            continue
        path = name[len(ENV_PREFIX) :].lower().split("__")
        value: Any = raw
        if raw[:1] in "[{":  # lists and tables as JSON
            try:
                value = json.loads(raw)
            except json.JSONDecodeError as e:
                raise SettingsError(f"environment variable {name}: not valid JSON ({e.msg})") from e
        node = out
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = value
    return out


def _deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    result = dict(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(result.get(k), dict):
            result[k] = _deep_merge(result[k], v)
        else:
            result[k] = v
    return result


def load_settings(config: str | Path | None = None, environ: dict[str, str] | None = None) -> Settings:
    """Defaults < camsla.toml (or ``config``) < CAMSLA_* variables."""
    environ = dict(os.environ if environ is None else environ)
    explicit = config is not None or ENV_PREFIX + "CONFIG" in environ
    path = Path(config or environ.get(ENV_PREFIX + "CONFIG") or DEFAULT_CONFIG_FILE)
    data: dict[str, Any] = {}
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            raise SettingsError(f"{path}: {e}") from e
    elif explicit:
        raise SettingsError(f"{path}: no such settings file")
    data = _deep_merge(data, _env_overrides(environ))
    try:
        return Settings.model_validate(data)
    except ValidationError as e:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(top)'}: {err['msg']}" for err in e.errors()
        )
        raise SettingsError(f"{path if path.exists() else 'settings'}: {problems}") from e
