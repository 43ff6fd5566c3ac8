"""Typed SQLAlchemy 2 models: the schema of camsla. Changes here need an Alembic migration."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from camsla.db.types import FaultList, UTCDateTime

# BigInteger primary keys that still autoincrement on SQLite (which only does so for INTEGER).
BigId = BigInteger().with_variant(Integer, "sqlite")


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON()}


class Sector(Base):
    """行业/领域网: a group of points with one availability target and one lead unit."""

    __tablename__ = "sector"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100), default="")
    tier: Mapped[str] = mapped_column(String(16))
    target: Mapped[float] = mapped_column(Float)
    lead_unit: Mapped[str] = mapped_column(String(100), default="")
    builtin: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (
        CheckConstraint("tier in ('key_public', 'key_industry')", name="sector_tier"),
        CheckConstraint("target > 0 and target <= 1", name="sector_target_range"),
    )


class Contractor(Base):
    """运维单位: maintains a set of sectors/areas under a contract."""

    __tablename__ = "contractor"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(50))


class Camera(Base):
    """点位: one video channel, identified by its 20-digit GB/T 28181 device ID."""

    __tablename__ = "camera"
    camera_id: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    sector_code: Mapped[str] = mapped_column(ForeignKey("sector.code"), index=True)
    contractor_id: Mapped[int | None] = mapped_column(ForeignKey("contractor.id"), index=True)
    camera_class: Mapped[int | None] = mapped_column(Integer)
    ip: Mapped[str] = mapped_column(String(64))
    district: Mapped[str | None] = mapped_column(String(100))
    rtsp_url: Mapped[str | None] = mapped_column(Text)
    onvif_url: Mapped[str | None] = mapped_column(Text)
    snapshot_url: Mapped[str | None] = mapped_column(Text)
    username: Mapped[str | None] = mapped_column(String(100))
    password: Mapped[str | None] = mapped_column(String(200))
    switch: Mapped[str | None] = mapped_column(String(100))
    switch_port: Mapped[str | None] = mapped_column(String(50))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    commissioned_at: Mapped[datetime]
    decommissioned_at: Mapped[datetime | None]
    # Per-camera profile: {"liveness": ["icmp", "rtsp"], "thresholds": {...}, "recording": {...}}
    profile: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime]

    sector: Mapped[Sector] = relationship(lazy="joined")
    contractor: Mapped[Contractor | None] = relationship(lazy="joined")

    __table_args__ = (CheckConstraint("camera_class is null or camera_class in (1, 2, 3)", name="camera_class"),)


class MaintenanceWindow(Base):
    """Excluded time (maintenance or an approved exemption) for a camera, a sector or a contractor."""

    __tablename__ = "maintenance_window"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    camera_id: Mapped[str | None] = mapped_column(ForeignKey("camera.camera_id", ondelete="CASCADE"), index=True)
    sector_code: Mapped[str | None] = mapped_column(ForeignKey("sector.code"))
    contractor_id: Mapped[int | None] = mapped_column(ForeignKey("contractor.id"))
    start: Mapped[datetime]
    end: Mapped[datetime]
    reason: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16), default="maintenance")
    created_at: Mapped[datetime]

    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN camera_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN sector_code IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN contractor_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="maintenance_one_scope",
        ),
        CheckConstraint("start < \"end\"", name="maintenance_positive"),
        CheckConstraint("kind in ('maintenance', 'exemption')", name="maintenance_kind"),
    )


class RawObservation(Base):
    """检测结果 as received, kept only for the raw-retention window (troubleshooting, late folds)."""

    __tablename__ = "raw_observation"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    camera_id: Mapped[str] = mapped_column(String(20))
    check: Mapped[str] = mapped_column(String(16))
    ts: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(8))
    faults: Mapped[tuple[str, ...]] = mapped_column(FaultList(), default=())
    metrics: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(String(32), default="")

    __table_args__ = (
        UniqueConstraint("camera_id", "check", "ts", name="raw_observation_one_per_instant"),
        Index("raw_observation_ts", "ts"),
    )


class Run(Base):
    """Consecutive equal results of one check on one camera: what SLA rollups read."""

    __tablename__ = "run"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    camera_id: Mapped[str] = mapped_column(String(20))
    check: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(8))
    faults: Mapped[tuple[str, ...]] = mapped_column(FaultList(), default=())
    first_ts: Mapped[datetime]
    last_ts: Mapped[datetime]
    n_obs: Mapped[int] = mapped_column(Integer, default=1)
    # the stale_after its results were folded under; NULL: from before it was recorded (migration 0003)
    stale_after_s: Mapped[float | None] = mapped_column(Float)

    __table_args__ = (
        Index("run_camera_check_first", "camera_id", "check", "first_ts"),
        Index("run_last_ts", "last_ts"),
    )


class CurrentState(Base):
    """The newest result per camera and check, durable: written in the same transaction as the
    runs by every path that stores results (probes through the service, `camsla ingest`, agents).
    ``since`` is the start of the current run, ``last_ts`` the newest result's instant; the result
    is valid until ``last_ts + stale_after`` (the ``stale_after_s`` it was folded under)."""

    __tablename__ = "current_state"
    camera_id: Mapped[str] = mapped_column(String(20), primary_key=True)
    check: Mapped[str] = mapped_column(String(16), primary_key=True)
    status: Mapped[str] = mapped_column(String(8))
    faults: Mapped[tuple[str, ...]] = mapped_column(FaultList(), default=())
    since: Mapped[datetime]
    last_ts: Mapped[datetime]
    stale_after_s: Mapped[float] = mapped_column(Float)
    metrics: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(String(32), default="")

    __table_args__ = (Index("current_state_status", "status"),)


class CameraDay(Base):
    """The daily rollup: exact time per state of one camera over one local day (microseconds).

    Only days that have ended are stored. A change of runs, eligibility or settings that touches
    a stored day deletes its row in the same transaction; missing days are computed from the runs
    again when read (camsla.db.rollup), so month figures are sums of days."""

    __tablename__ = "camera_day"
    camera_id: Mapped[str] = mapped_column(String(20), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    ok_us: Mapped[int] = mapped_column(BigInteger)
    degraded_us: Mapped[int] = mapped_column(BigInteger)
    offline_us: Mapped[int] = mapped_column(BigInteger)
    unknown_us: Mapped[int] = mapped_column(BigInteger)
    excluded_us: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (Index("camera_day_day", "day"),)


class Baseline(Base):
    """A camera's reference frame (for scene_change / occlusion) or its previous frame (for frozen)."""

    __tablename__ = "baseline"
    camera_id: Mapped[str] = mapped_column(
        ForeignKey("camera.camera_id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)  # reference | previous
    image: Mapped[bytes] = mapped_column(LargeBinary)  # small encoded thumbnail (PNG/JPEG)
    taken_at: Mapped[datetime]
    source: Mapped[str] = mapped_column(String(32), default="")


class Evidence(Base):
    """The failing frame's thumbnail, kept (bounded size and age) as evidence for a ticket."""

    __tablename__ = "evidence"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    camera_id: Mapped[str] = mapped_column(ForeignKey("camera.camera_id", ondelete="CASCADE"), index=True)
    ts: Mapped[datetime]
    check: Mapped[str] = mapped_column(String(16))
    faults: Mapped[tuple[str, ...]] = mapped_column(FaultList(), default=())
    image: Mapped[bytes] = mapped_column(LargeBinary)
    metrics: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class KeyValue(Base):
    """Small persistent facts, e.g. the raw-observation prune watermark."""

    __tablename__ = "kv"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
