"""Who a recording check is about, and how a recording source says it could not run."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

ERROR_REASONS = (
    "auth_failed",  # credentials refused (WS-Security NotAuthorized / HTTP 401)
    "no_profile_g",  # the device has no recording search service: cannot check over ONVIF
    "unreachable",  # connection refused / no route
    "timeout",
    "protocol_error",  # a SOAP fault or a reply the client could not read
    "bad_config",  # the camera's recording profile is incomplete or wrong
    "not_found",  # the footage directory or recording does not exist
)


class RecordingSourceError(Exception):
    """The recording check could not run; ``reason`` is one of ERROR_REASONS."""

    def __init__(self, reason: str, detail: str) -> None:
        if reason not in ERROR_REASONS:
            raise ValueError(f"unknown recording error reason {reason!r}")
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True, slots=True)
class RecordingTarget:
    """What a recording source needs to know about one camera."""

    camera_id: str
    sector_code: str | None = None
    commissioned_at: datetime | None = None
    onvif_url: str | None = None
    username: str | None = None
    password: str | None = None
    config: Mapping[str, Any] = field(default_factory=dict)  # Camera.profile["recording"]

    @property
    def source(self) -> str:
        return str(self.config.get("source", "onvif"))

    @classmethod
    def from_camera(cls, camera: Any) -> RecordingTarget:
        """From a ``camsla.db.models.Camera`` (or anything with its attributes)."""
        profile = getattr(camera, "profile", None) or {}
        return cls(
            camera_id=camera.camera_id,
            sector_code=getattr(camera, "sector_code", None),
            commissioned_at=getattr(camera, "commissioned_at", None),
            onvif_url=getattr(camera, "onvif_url", None),
            username=getattr(camera, "username", None),
            password=getattr(camera, "password", None),
            config=dict(profile.get("recording") or {}),
        )


