"""What a probe needs to know about one camera, built from plain values (the kernel maps DB rows)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

# The key of Camera.profile that overrides which liveness kinds run for one camera,
# e.g. {"liveness_kinds": ["tcp", "http"]} for a camera without RTSP.
PROFILE_KINDS_KEY = "liveness_kinds"
DEFAULT_KINDS: tuple[str, ...] = ("icmp", "rtsp")


@dataclass(frozen=True, slots=True)
class Target:
    camera_id: str
    ip: str
    rtsp_url: str | None = None
    snapshot_url: str | None = None  # the HTTP URL the ``http`` kind fetches (a snapshot JPEG)
    onvif_url: str | None = None
    username: str | None = None
    password: str | None = None
    kinds: tuple[str, ...] = DEFAULT_KINDS

    @classmethod
    def build(
        cls,
        *,
        camera_id: str,
        ip: str | None = None,
        rtsp_url: str | None = None,
        snapshot_url: str | None = None,
        onvif_url: str | None = None,
        username: str | None = None,
        password: str | None = None,
        profile: Mapping[str, Any] | None = None,
        default_kinds: Iterable[str] = DEFAULT_KINDS,
        **_ignored: Any,
    ) -> Target:
        """From inventory values: empty strings count as missing, the IP falls back to the URL's host,
        the kinds come from ``profile["liveness_kinds"]`` or else ``default_kinds``
        (``settings.probe.default_kinds``). Extra keyword arguments (other inventory columns) are ignored,
        so ``Target.build(**row_as_dict, default_kinds=...)`` works."""
        rtsp_url, snapshot_url, onvif_url = _blank(rtsp_url), _blank(snapshot_url), _blank(onvif_url)
        host = _blank(ip) or _url_host(rtsp_url) or _url_host(snapshot_url) or _url_host(onvif_url) or ""
        kinds: Iterable[str] = default_kinds
        if profile and profile.get(PROFILE_KINDS_KEY):
            raw = profile[PROFILE_KINDS_KEY]
            kinds = [raw] if isinstance(raw, str) else raw
        return cls(
            camera_id=str(camera_id),
            ip=host,
            rtsp_url=rtsp_url,
            snapshot_url=snapshot_url,
            onvif_url=onvif_url,
            username=_blank(username),
            password=password if password not in (None, "") else None,
            kinds=tuple(str(k).strip().lower() for k in kinds),
        )

    @property
    def host(self) -> str:
        """The address the per-host concurrency limit is keyed on."""
        return self.ip or _url_host(self.rtsp_url) or _url_host(self.snapshot_url) or ""


def _blank(value: str | None) -> str | None:
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def _url_host(url: str | None) -> str | None:
    if not url:
        return None
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None
