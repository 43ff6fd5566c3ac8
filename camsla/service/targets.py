"""Inventory rows -> probe targets (the only place the kernel maps its Camera model for probe/)."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from camsla.db import Database
from camsla.db.models import Camera
from camsla.kernel import Settings
from probe import Target

log = logging.getLogger("camsla.targets")


def camera_target(cam: Camera, settings: Settings) -> Target:
    return Target.build(
        camera_id=cam.camera_id,
        ip=cam.ip,
        rtsp_url=cam.rtsp_url,
        snapshot_url=cam.snapshot_url,
        onvif_url=cam.onvif_url,
        username=cam.username,
        password=cam.password,
        profile=cam.profile or {},
        default_kinds=settings.probe.default_kinds,
    )


def active_cameras(session: Session, now: datetime) -> list[Camera]:
    """Cameras in service now: commissioned and not yet decommissioned."""
    q = select(Camera).where(
        Camera.commissioned_at <= now,
        or_(Camera.decommissioned_at.is_(None), Camera.decommissioned_at > now),
    )
    return list(session.scalars(q))


def load_targets(session: Session, settings: Settings, now: datetime) -> list[Target]:
    return [camera_target(c, settings) for c in active_cameras(session, now)]


class NoInventory(RuntimeError):
    """Neither the database nor a local snapshot can say which cameras to probe."""


class TargetCache:
    """The targets last loaded from the inventory, kept in memory and in a local snapshot file, so
    that monitoring goes on while the database cannot be read -- and can start while it is down.

    The snapshot holds what probing needs, camera credentials included: it is written with mode
    0600, whole (temp file, fsync, rename), and only when the targets changed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.targets: list[Target] | None = None
        self.loaded_at: datetime | None = None
        self.source = ""  # "database", or where the targets in use come from while it is away

    def available(self) -> bool:
        return self.targets is not None or self.path.exists()

    def load(self, db: Database, settings: Settings, now: datetime) -> list[Target]:
        try:
            with db.session() as s:
                targets = load_targets(s, settings, now)
        except Exception as e:  # noqa: BLE001 - whatever the database does, monitoring goes on
            return self.fallback(str(e))
        if targets != self.targets:
            try:
                self._write(targets, now)
            except OSError:
                log.exception("could not write the inventory snapshot %s", self.path)
        self.targets, self.loaded_at, self.source = targets, now, "database"
        return targets

    def fallback(self, why: str) -> list[Target]:
        """The targets last loaded (in memory, else from the snapshot file), the database being away."""
        if self.targets is None:
            if not self.path.exists():
                raise NoInventory(f"database unreachable ({why}) and no inventory snapshot at {self.path}")
            self.targets, self.loaded_at = self._read()
        assert self.loaded_at is not None
        self.source = f"inventory as of {self.loaded_at.isoformat(timespec='seconds')}"
        log.warning("database unreachable (%s); probing the %d cameras of the %s", why, len(self.targets), self.source)
        return self.targets

    def _write(self, targets: list[Target], now: datetime) -> None:
        doc = {"saved_at": now.isoformat(), "targets": [{**asdict(t), "kinds": list(t.kinds)} for t in targets]}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(doc, f, ensure_ascii=False)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)

    def _read(self) -> tuple[list[Target], datetime]:
        doc = json.loads(self.path.read_text(encoding="utf-8"))
        targets = [Target(**{**t, "kinds": tuple(t["kinds"])}) for t in doc["targets"]]
        return targets, datetime.fromisoformat(doc["saved_at"])
