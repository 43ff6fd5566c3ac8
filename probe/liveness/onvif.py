"""The ``onvif`` liveness kind: does the camera's ONVIF device service answer, and accept us?

Two small SOAP 1.2 calls over httpx, written by hand rather than through onvif-zeep-async: loading
the WSDLs costs ~0.3 s per client, too much for a check that runs every minute on every camera.

1. ``GetSystemDateAndTime`` (ONVIF allows it before authentication): the service is up, and the
   camera's clock, which the WS-Security token must match.
2. With credentials, ``GetDeviceInformation`` under a WS-Security UsernameToken (PasswordDigest,
   ``Created`` in the camera's time): the credentials work; manufacturer, model, serial and firmware
   go into the metrics, so a replaced device shows.

401 or a ``NotAuthorized`` fault is ``auth_failed``; a refused connection or an answer that is not
the expected SOAP is ``stream_down``; no connection in time ``unreachable``; no answer ``timeout``.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
import time
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import httpx

from camsla.kernel import ProbeSettings
from probe.liveness.http import TOTAL_MARGIN_S, transport_failure
from probe.liveness.result import KindResult, errored, failed, ok
from probe.target import Target

KIND = "onvif"
DEFAULT_PATH = "/onvif/device_service"
SOAP = "http://www.w3.org/2003/05/soap-envelope"
TDS = "http://www.onvif.org/ver10/device/wsdl"
TT = "http://www.onvif.org/ver10/schema"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
DIGEST = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest"
B64 = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-soap-message-security-1.0#Base64Binary"
MAX_ANSWER = 65_536
INFO_FIELDS = ("Manufacturer", "Model", "FirmwareVersion", "SerialNumber", "HardwareId")


class _BadAnswer(Exception):
    """The answer is not the SOAP the operation promises."""


class _NotAuthorized(Exception):
    pass


def device_url(target: Target) -> str:
    return target.onvif_url or f"http://{target.host}{DEFAULT_PATH}"


def username_token(username: str, password: str, now: datetime) -> str:
    """A WS-Security UsernameToken with PasswordDigest = Base64(SHA-1(nonce + created + password))."""
    nonce = os.urandom(16)
    created = now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    digest = base64.b64encode(hashlib.sha1(nonce + created.encode() + password.encode()).digest()).decode()
    return (
        f'<wsse:Security xmlns:wsse="{WSSE}" xmlns:wsu="{WSU}" env:mustUnderstand="true"><wsse:UsernameToken>'
        f"<wsse:Username>{_xml(username)}</wsse:Username>"
        f'<wsse:Password Type="{DIGEST}">{digest}</wsse:Password>'
        f'<wsse:Nonce EncodingType="{B64}">{base64.b64encode(nonce).decode()}</wsse:Nonce>'
        f"<wsu:Created>{created}</wsu:Created></wsse:UsernameToken></wsse:Security>"
    )


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def envelope(operation: str, header: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="{SOAP}" xmlns:tds="{TDS}">'
        f"<env:Header>{header}</env:Header><env:Body><tds:{operation}/></env:Body></env:Envelope>"
    ).encode()


async def _call(client: httpx.AsyncClient, url: str, operation: str, header: str = "") -> ET.Element:
    """POST one operation; its response element, or _NotAuthorized / _BadAnswer."""
    resp = await client.post(
        url, content=envelope(operation, header),
        headers={"Content-Type": f'application/soap+xml; charset=utf-8; action="{TDS}/{operation}"'},
    )
    if resp.status_code in (401, 403):
        raise _NotAuthorized(f"HTTP {resp.status_code}")
    body = resp.content[:MAX_ANSWER]
    try:
        root = ET.fromstring(body)
    except ET.ParseError as e:
        raise _BadAnswer(f"HTTP {resp.status_code}, not XML ({e})") from None
    fault = root.find(f"{{{SOAP}}}Body/{{{SOAP}}}Fault")
    if fault is not None:
        text = " ".join(t.strip() for t in fault.itertext() if t.strip())
        if "NotAuthorized" in text:
            raise _NotAuthorized(f"SOAP fault: {text[:120]}")
        raise _BadAnswer(f"SOAP fault: {text[:160]}")
    answer = root.find(f"{{{SOAP}}}Body/{{{TDS}}}{operation}Response")
    if answer is None:
        raise _BadAnswer(f"HTTP {resp.status_code} without a {operation}Response")
    return answer


def camera_clock(answer: ET.Element) -> datetime | None:
    """The camera's UTC clock from a GetSystemDateAndTimeResponse, if it gives one."""
    utc = answer.find(f".//{{{TT}}}UTCDateTime")
    if utc is None:
        return None
    try:
        d, t = utc.find(f"{{{TT}}}Date"), utc.find(f"{{{TT}}}Time")
        parts = [int(d.findtext(f"{{{TT}}}{k}")) for k in ("Year", "Month", "Day")]
        parts += [int(t.findtext(f"{{{TT}}}{k}")) for k in ("Hour", "Minute", "Second")]
        return datetime(*parts, tzinfo=UTC)
    except (AttributeError, TypeError, ValueError):
        return None


async def probe_onvif(target: Target, settings: ProbeSettings) -> KindResult:
    url = device_url(target)
    try:
        parts = httpx.URL(url)
        if parts.scheme not in ("http", "https") or not parts.host:
            raise ValueError("scheme must be http:// or https:// with a host")
    except (ValueError, httpx.InvalidURL) as e:
        return errored(KIND, f"bad onvif_url {url!r}: {e}")
    metrics: dict = {}
    t0 = time.perf_counter()
    try:
        async with asyncio.timeout(settings.timeout_s + TOTAL_MARGIN_S), httpx.AsyncClient(
            timeout=httpx.Timeout(settings.timeout_s), verify=False, trust_env=False
        ) as client:
            answer = await _call(client, url, "GetSystemDateAndTime")
            metrics["rtt_s"] = round(time.perf_counter() - t0, 6)
            clock = camera_clock(answer)
            now = datetime.now(UTC)
            if clock is not None:
                metrics["clock_offset_s"] = round((clock - now).total_seconds(), 1)
            if not target.username:
                return ok(KIND, "device service answers (no credentials in the inventory to try)", **metrics)
            camera_now = now + timedelta(seconds=metrics.get("clock_offset_s", 0.0))
            info = await _call(client, url, "GetDeviceInformation",
                               username_token(target.username, target.password or "", camera_now))
            for name in INFO_FIELDS:
                value = info.findtext(f"{{{TDS}}}{name}")
                if value:
                    metrics[name.lower()] = value.strip()[:64]
            metrics["total_s"] = round(time.perf_counter() - t0, 6)
            return ok(KIND, "device service answers and accepts the credentials", **metrics)
    except _NotAuthorized as e:
        why = "after credentials were sent" if target.username else "and the inventory has no credentials"
        return failed(KIND, "auth_failed", f"ONVIF refused {why}: {e}", **metrics)
    except _BadAnswer as e:
        return failed(KIND, "stream_down", f"not an ONVIF device service: {e}", **metrics)
    except TimeoutError:
        return failed(KIND, "timeout", f"no complete answer to the ONVIF requests within {settings.timeout_s:g} s",
                      phase="total", **metrics)
    except (httpx.TimeoutException, httpx.ConnectError) as e:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        return transport_failure(KIND, e, parts.host, port, settings.timeout_s, "the ONVIF request", metrics)
    except httpx.HTTPError as e:
        return failed(KIND, "stream_down", f"HTTP error: {e.__class__.__name__}: {e}", **metrics)
