"""The ``http`` liveness kind: an httpx GET of the camera's snapshot URL (else ``http://<ip>/``).

Basic or Digest credentials are sent when the camera asks (401), by probe.httpauth (the challenge code
RTSP answers with too); the inventory's username and password each win over the URL's. 2xx is ok;
401/403 after credentials is ``auth_failed``; any other status or a refused connection is
``stream_down``; no connection in time is ``unreachable``; no answer in time ``timeout``.
"""

from __future__ import annotations

import asyncio
import functools
import ssl
import time
from urllib.parse import urlsplit

import httpx

from camsla.kernel import ProbeSettings
from probe import httpauth, neterrors  # the module, not the class: probe.httpauth imports this package
from probe.credentials import split_credentials
from probe.liveness.auth import AuthError
from probe.liveness.result import KindResult, errored, failed, ok
from probe.target import Target

KIND = "http"
READ_AT_MOST = 256_000  # enough to see a snapshot start arriving; liveness does not need all of it


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    # Cameras serve self-signed certificates; liveness asks "does it answer", not "is it who it says".
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


TOTAL_MARGIN_S = 0.05  # the total deadline fires just after httpx's own step timeouts of the same length


def transport_failure(
    kind: str, e: httpx.TimeoutException | httpx.ConnectError, host: str, port: int, timeout_s: float, what: str,
    metrics: dict,
) -> KindResult:
    """An httpx connect or timeout error as a liveness fault (shared by the http and onvif kinds):
    no connection in time is ``unreachable``, no answer in time ``timeout``, a socket error what
    probe.neterrors says."""
    if isinstance(e, httpx.ConnectTimeout):
        return failed(kind, "unreachable", f"no TCP connection to {host} within {timeout_s:g} s", phase="connect",
                      **metrics)
    if isinstance(e, httpx.TimeoutException):
        return failed(kind, "timeout", f"no answer to {what} within {timeout_s:g} s", phase="answer", **metrics)
    fault, words = neterrors.classify_under(e, require_errno=False) or ("unreachable", str(e) or "connect failed")
    return failed(kind, fault, f"{host}:{port}: {words}", phase="connect", **metrics)


def snapshot_url(target: Target) -> str:
    return target.snapshot_url or f"http://{target.host}/"


async def probe_http(target: Target, settings: ProbeSettings) -> KindResult:
    url = snapshot_url(target)
    try:
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise ValueError("scheme must be http:// or https:// with a host")
        _ = parts.port
    except ValueError as e:
        return errored(KIND, f"bad snapshot_url {url!r}: {e}")
    bare, url_user, url_password = split_credentials(url)  # credentials go in the auth exchange, not the URL
    username = target.username if target.username is not None else (url_user or None)
    password = target.password if target.password is not None else url_password
    cam_auth = httpauth.CameraAuth(username, password or "") if username else None
    timeout = httpx.Timeout(settings.timeout_s)
    metrics: dict = {}
    t0 = time.perf_counter()
    try:
        # httpx's timeouts bound each step (connect, each read); this bounds the whole exchange, so a
        # camera dribbling bytes is judged at the deadline like one that is silent.
        async with asyncio.timeout(settings.timeout_s + TOTAL_MARGIN_S), httpx.AsyncClient(
            timeout=timeout, verify=_ssl_context(), trust_env=False, follow_redirects=True
        ) as client:
            async with client.stream("GET", bare, auth=cam_auth) as resp:
                metrics["rtt_s"] = round(time.perf_counter() - t0, 6)
                metrics["status"] = resp.status_code
                metrics["auth"] = cam_auth.used if cam_auth else "none"
                if ctype := resp.headers.get("content-type"):
                    metrics["content_type"] = ctype[:60]
                if resp.status_code in (401, 403):
                    why = "after credentials were sent" if username else "and the inventory has no credentials"
                    return failed(KIND, "auth_failed", f"GET answered {resp.status_code} {why}", **metrics)
                if not 200 <= resp.status_code < 300:
                    return failed(KIND, "stream_down", f"GET answered {resp.status_code}", **metrics)
                got = 0
                async for chunk in resp.aiter_bytes():
                    got += len(chunk)
                    if got >= READ_AT_MOST:
                        break
                metrics["bytes"] = got
                metrics["total_s"] = round(time.perf_counter() - t0, 6)
                return ok(KIND, f"GET {resp.status_code}, {got} bytes", **metrics)
    except TimeoutError:
        return failed(KIND, "timeout", f"no complete answer to GET within {settings.timeout_s:g} s",
                      phase="total", **metrics)
    except (httpx.TimeoutException, httpx.ConnectError) as e:
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
        return transport_failure(KIND, e, parts.hostname, port, settings.timeout_s, "GET", metrics)
    except AuthError as e:  # a challenge no client can answer is the camera's answer, as in the rtsp kind
        return failed(KIND, "auth_failed", f"GET: {e}", **metrics)
    except (httpx.RemoteProtocolError, httpx.DecodingError, httpx.ReadError) as e:
        return failed(KIND, "stream_down", f"bad HTTP answer: {e or e.__class__.__name__}", bad_answer=True,
                      **metrics)
    except httpx.HTTPError as e:
        return failed(KIND, "stream_down", f"HTTP error: {e.__class__.__name__}: {e}", **metrics)

