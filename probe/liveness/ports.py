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
    """The port of the URL the inventory has (RTSP first), then the other service's; 554, 80 by default."""
    rtsp, http = url_port(target.rtsp_url), url_port(target.snapshot_url)
    found = [rtsp or 554, http or 80] if rtsp or not http else [http, 554]
    return list(dict.fromkeys(found))
