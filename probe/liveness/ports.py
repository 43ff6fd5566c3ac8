"""Which TCP ports of a camera the tcp kind and the ICMP fallback knock on."""

from __future__ import annotations

from urllib.parse import urlsplit

from probe.target import Target

DEFAULT_PORTS = {"rtsp": 554, "http": 80, "https": 443}


def url_port(url: str | None) -> int | None:
    if not url:
        return None
    try:
        parts = urlsplit(url)
        return parts.port or DEFAULT_PORTS.get(parts.scheme.lower())
    except ValueError:
        return None


def service_ports(target: Target) -> list[int]:
    """The RTSP port, then the HTTP port, without duplicates; 554 and 80 when the inventory has no URL."""
    found = [url_port(target.rtsp_url) or 554, url_port(target.snapshot_url) or 80]
    return list(dict.fromkeys(found))
