"""The ``rtsp`` liveness kind: OPTIONS then DESCRIBE over a hand-written asyncio stream (RFC 2326).

A camera passes when DESCRIBE answers 200 with an SDP that has at least one media line. Basic and
Digest credentials are sent when the camera asks for them (401); a 401 after credentials (or a 403)
is ``auth_failed``; refused is ``stream_down``; no answer in time is ``timeout``; no TCP connection
in time or no route is ``unreachable``; anything that is not RTSP is ``stream_down`` with the bytes
that came back in the reason.
"""

from __future__ import annotations

import asyncio
import functools
import time
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit, urlunsplit

from camsla.settings import ProbeSettings
from probe.liveness import auth, net
from probe.liveness.result import KindResult, errored, failed, ok
from probe.target import Target

KIND = "rtsp"
DEFAULT_PORT = 554
USER_AGENT = "camsla-probe/0.1"
MAX_HEADER_LINES = 64
MAX_BODY = 64_000


class RtspProtocolError(Exception):
    """The peer answered something that is not an RTSP response."""


class RtspClosed(RtspProtocolError):
    """The peer closed the connection before a whole answer."""


@dataclass(frozen=True)
class RtspUrl:
    host: str
    port: int
    uri: str  # the request URI: the URL without credentials
    username: str | None
    password: str | None


@functools.lru_cache(maxsize=65_536)
def parse_rtsp_url(url: str | None) -> RtspUrl:
    """Split an inventory RTSP URL; ValueError with a readable message when it is unusable."""
    if not url:
        raise ValueError("no rtsp_url in the inventory")
    try:
        parts = urlsplit(url.strip())
        port = parts.port or DEFAULT_PORT
    except ValueError as e:
        raise ValueError(f"bad rtsp_url {url!r}: {e}") from e
    if parts.scheme.lower() != "rtsp":
        raise ValueError(f"bad rtsp_url {url!r}: scheme must be rtsp://")
    if not parts.hostname:
        raise ValueError(f"bad rtsp_url {url!r}: no host")
    netloc = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    if parts.port:
        netloc += f":{parts.port}"
    uri = urlunsplit(("rtsp", netloc, parts.path or "/", parts.query, ""))
    user = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password is not None else None
    return RtspUrl(parts.hostname, port, uri, user, password)


@dataclass
class RtspResponse:
    status: int
    reason: str
    headers: dict[str, list[str]] = field(default_factory=dict)
    body: bytes = b""

    def header(self, name: str) -> str | None:
        values = self.headers.get(name.lower())
        return values[0] if values else None


async def read_response(reader: asyncio.StreamReader) -> RtspResponse:
    """One RTSP response: status line, headers, body by Content-Length."""
    line = await reader.readline()
    if not line:
        raise RtspClosed("connection closed before an answer")
    if not line.startswith(b"RTSP/1."):
        raise RtspProtocolError(f"not an RTSP answer: {line[:60]!r}")
    try:
        _, code, *rest = line.decode("latin-1").strip().split(" ", 2)
        status = int(code)
    except ValueError as e:
        raise RtspProtocolError(f"bad RTSP status line: {line[:60]!r}") from e
    headers: dict[str, list[str]] = {}
    for _ in range(MAX_HEADER_LINES):
        raw = await reader.readline()
        if not raw:
            raise RtspClosed("connection closed inside the headers")
        text = raw.decode("latin-1").rstrip("\r\n")
        if not text:
            break
        name, sep, value = text.partition(":")
        if not sep:
            raise RtspProtocolError(f"bad RTSP header line: {raw[:60]!r}")
        headers.setdefault(name.strip().lower(), []).append(value.strip())
    else:
        raise RtspProtocolError(f"more than {MAX_HEADER_LINES} header lines")
    length = 0
    if "content-length" in headers:
        try:
            length = int(headers["content-length"][0])
        except ValueError as e:
            raise RtspProtocolError(f"bad Content-Length {headers['content-length'][0]!r}") from e
        if not 0 <= length <= MAX_BODY:
            raise RtspProtocolError(f"Content-Length {length} out of range")
    body = await reader.readexactly(length) if length else b""
    return RtspResponse(status, rest[0] if rest else "", headers, body)


def sdp_media_count(body: bytes) -> int:
    """Number of ``m=`` lines in an SDP whose first line is ``v=0``; 0 when it is not an SDP."""
    text = body.decode("utf-8", "replace").lstrip()
    if not text.startswith("v="):
        return 0
    return sum(1 for line in text.splitlines() if line.startswith("m="))


class _Session:
    """One RTSP control connection with CSeq and the credentials to answer a 401."""

    def __init__(self, url: RtspUrl, username: str | None, password: str | None) -> None:
        self.url = url
        self.username = username
        self.password = password
        self.cseq = 0
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.challenge: auth.Challenge | None = None
        self.nc = 0
        self.auth_used = "none"

    async def connect(self) -> float:
        net.close_quietly(self.writer)
        self.reader, self.writer, took = await net.connect(self.url.host, self.url.port)
        return took

    def _authorization(self, method: str) -> str | None:
        if self.challenge is None or self.username is None:
            return None
        self.nc += 1
        return auth.authorization(
            self.challenge,
            username=self.username,
            password=self.password or "",
            method=method,
            uri=self.url.uri,
            nc=self.nc,
        )

    async def _send(self, method: str, extra: str) -> tuple[RtspResponse, bool, str | None]:
        """The response, whether credentials went with the request, and the nonce they answered."""
        assert self.reader is not None and self.writer is not None
        self.cseq += 1
        head = f"{method} {self.url.uri} RTSP/1.0\r\nCSeq: {self.cseq}\r\nUser-Agent: {USER_AGENT}\r\n{extra}"
        authz = self._authorization(method)
        if authz:
            head += f"Authorization: {authz}\r\n"
        self.writer.write((head + "\r\n").encode("utf-8"))
        nonce = self.challenge.params.get("nonce") if authz and self.challenge else None
        return await read_response(self.reader), authz is not None, nonce

    async def request(self, method: str, extra: str = "") -> RtspResponse:
        """Send; on a 401 answer the challenge, at most twice: once when no credentials were sent (or the
        camera renewed its nonce), never again for the same nonce: that is a refused password."""
        resp, sent, sent_nonce = await self._send(method, extra)
        for _ in range(2):
            if resp.status != 401 or self.username is None:
                return resp
            challenge = auth.choose(auth.parse_challenges(resp.headers.get("www-authenticate", [])))
            if challenge is None:
                return resp
            renewed = challenge.scheme == "digest" and challenge.params.get("nonce") != sent_nonce
            if sent and not renewed and challenge.params.get("stale", "").lower() != "true":
                return resp  # the same challenge again: our credentials were refused
            self.challenge, self.nc = challenge, 0
            self.auth_used = challenge.scheme + (f"-{challenge.algorithm.lower()}" if challenge.algorithm else "")
            if (resp.header("connection") or "").lower() == "close" or (self.reader and self.reader.at_eof()):
                await self.connect()
            resp, sent, sent_nonce = await self._send(method, extra)
        return resp


def _status_fault(method: str, resp: RtspResponse, has_credentials: bool) -> tuple[str, str]:
    if resp.status == 401:
        if has_credentials:
            return "auth_failed", f"{method} answered 401 after credentials were sent"
        return "auth_failed", f"{method} answered 401 and the inventory has no credentials"
    if resp.status == 403:
        return "auth_failed", f"{method} answered 403 Forbidden"
    if resp.status == 404:
        return "stream_down", f"{method} answered 404: no such stream path"
    return "stream_down", f"{method} answered {resp.status} {resp.reason}".rstrip()


async def probe_rtsp(target: Target, settings: ProbeSettings) -> KindResult:
    try:
        url = parse_rtsp_url(target.rtsp_url)
    except ValueError as e:
        return errored(KIND, str(e))
    username = target.username if target.username is not None else url.username
    password = target.password if target.password is not None else url.password
    session = _Session(url, username, password)
    metrics: dict = {"port": url.port}
    phase = "connect"
    t0 = time.perf_counter()
    try:
        async with asyncio.timeout(settings.timeout_s):
            metrics["connect_s"] = round(await session.connect(), 6)
            phase = "options"
            t = time.perf_counter()
            opt = await session.request("OPTIONS")
            metrics["options_s"] = round(time.perf_counter() - t, 6)
            metrics["options_status"] = opt.status
            if opt.status in (401, 403):
                metrics["status"] = opt.status
                metrics["auth"] = session.auth_used
                fault, reason = _status_fault("OPTIONS", opt, username is not None)
                return failed(KIND, fault, reason, **metrics)
            phase = "describe"
            t = time.perf_counter()
            desc = await session.request("DESCRIBE", "Accept: application/sdp\r\n")
            metrics["describe_s"] = round(time.perf_counter() - t, 6)
            metrics["status"] = desc.status
            metrics["auth"] = session.auth_used
            if server := desc.header("server") or opt.header("server"):
                metrics["server"] = server[:80]
            if desc.status != 200:
                fault, reason = _status_fault("DESCRIBE", desc, username is not None)
                return failed(KIND, fault, reason, **metrics)
            media = sdp_media_count(desc.body)
            metrics["sdp_media"] = media
            if media == 0:
                return failed(
                    KIND, "stream_down", f"DESCRIBE answered 200 without a usable SDP: {desc.body[:60]!r}", **metrics
                )
            metrics["total_s"] = round(time.perf_counter() - t0, 6)
            return ok(KIND, f"DESCRIBE 200, SDP with {media} media", **metrics)
    except TimeoutError:
        metrics["phase"] = phase
        if phase == "connect":
            return failed(KIND, "unreachable", f"no TCP connection to {url.host}:{url.port} within "
                          f"{settings.timeout_s:g} s", **metrics)
        return failed(KIND, "timeout", f"no answer to {phase.upper()} within {settings.timeout_s:g} s", **metrics)
    except RtspProtocolError as e:
        metrics["phase"] = phase
        metrics["bad_answer"] = not isinstance(e, RtspClosed)
        return failed(KIND, "stream_down", f"{phase.upper()}: {e}", **metrics)
    except (OSError, asyncio.IncompleteReadError) as e:
        metrics["phase"] = phase
        if isinstance(e, asyncio.IncompleteReadError):
            fault, words = "stream_down", "connection closed inside the body"
        else:
            fault, words = net.classify_oserror(e)
        where = f"{url.host}:{url.port}" if phase == "connect" else phase.upper()
        return failed(KIND, fault, f"{where}: {words}", **metrics)
    except auth.AuthError as e:
        metrics["phase"] = phase
        return failed(KIND, "auth_failed", f"{phase.upper()}: {e}", **metrics)
    finally:
        net.close_quietly(session.writer)
