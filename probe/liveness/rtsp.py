"""The ``rtsp`` liveness kind: OPTIONS then DESCRIBE on one connection (RFC 2326).

A camera passes when DESCRIBE answers 200 with an SDP that has at least one media line. Basic and
Digest credentials are sent when the camera asks for them (401); a 401 after credentials (or a 403)
is ``auth_failed``; refused is ``stream_down``; no answer in time is ``timeout``; no TCP connection
in time or no route is ``unreachable``; anything that is not RTSP is ``stream_down`` with the bytes
that came back in the reason.

The client is an ``asyncio.Protocol``: the bytes that arrive go into one buffer, ``parse_response``
cuts whole answers out of it, and one timer per probe bounds all phases together. Requests go one
at a time (DESCRIBE after OPTIONS has answered), as a camera's RTSP server expects; at 10 000
cameras a minute the probe's CPU, not the round trips, is what counts (bench/liveness_bench.py).
"""

from __future__ import annotations

import asyncio
import functools
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

from camsla.kernel import ProbeSettings
from probe import neterrors
from probe.credentials import split_credentials
from probe.liveness import auth, net
from probe.liveness.result import KindResult, errored, failed
from probe.target import Target

KIND = "rtsp"
DEFAULT_PORT = 554
USER_AGENT = "camsla-probe/0.1"
MAX_HEADER_LINES = 64
MAX_LINE = 65_536
MAX_BODY = 64_000


class RtspProtocolError(Exception):
    """The peer answered something that is not an RTSP response."""


class RtspClosed(RtspProtocolError):
    """The peer closed the connection before a whole answer."""


class RtspBodyCut(RtspClosed):
    """The peer closed the connection inside the body its Content-Length announced."""


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
    _, user, password = split_credentials(url.strip())
    return RtspUrl(parts.hostname, port, uri, user or None, password)


@dataclass(slots=True)
class RtspResponse:
    status: int
    reason: str
    headers: dict[str, list[str]] = field(default_factory=dict)
    body: bytes = b""

    def header(self, name: str) -> str | None:
        values = self.headers.get(name.lower())
        return values[0] if values else None


def _line(buf: bytes, pos: int, eof: bool) -> tuple[bytes | None, int]:
    """The line at ``pos`` with its newline and where the next begins, as ``readline`` would give it:
    at the end of the stream the last bytes without a newline, then ``b""``; None when more must come."""
    nl = buf.find(b"\n", pos)
    if nl >= 0:
        if nl - pos >= MAX_LINE:
            raise RtspProtocolError(f"line longer than {MAX_LINE} bytes: {buf[pos:pos + 60]!r}")
        return buf[pos:nl + 1], nl + 1
    if len(buf) - pos >= MAX_LINE:
        raise RtspProtocolError(f"line longer than {MAX_LINE} bytes: {buf[pos:pos + 60]!r}")
    if eof:
        return buf[pos:], len(buf)
    return None, pos


def parse_response(buf: bytes, eof: bool = False) -> tuple[RtspResponse, int] | None:
    """The first RTSP response in ``buf`` (status line, headers, body by Content-Length) and how many
    bytes it took; None when more bytes must come first. ``eof``: nothing more will come.
    Raises RtspProtocolError on what is not RTSP as soon as the offending line is whole, RtspClosed
    when the stream ends first (RtspBodyCut inside the body).

    Line by line as ``readline`` would cut them (a bare LF ends a line too, the last bytes before the
    end of the stream are a line); ``_parse_crlf`` is the same answer, faster, for the usual case."""
    fast = _parse_crlf(buf)
    if fast is not None:
        return fast
    return _parse_lines(buf, eof)


def _parse_crlf(buf: bytes) -> tuple[RtspResponse, int] | None:
    """``parse_response`` for a whole, well-formed head whose lines all end in CRLF with no other CR or
    LF in it (then cutting at CRLF is exactly what ``readline`` would do); None for anything else,
    which the line-by-line parser then judges (and names the fault of)."""
    if not buf.startswith(b"RTSP/1."):
        return None
    end = buf.find(b"\r\n\r\n")
    if end < 0 or end >= MAX_LINE:
        return None
    crlf = buf.count(b"\r\n", 0, end)
    if buf.count(b"\n", 0, end) != crlf or buf.count(b"\r", 0, end) != crlf or crlf >= MAX_HEADER_LINES:
        return None
    lines = buf[:end].decode("latin-1").split("\r\n")
    first = lines[0].strip().split(" ", 2)
    if len(first) < 2 or not (first[1].isascii() and first[1].isdigit()):
        return None
    headers: dict[str, list[str]] = {}
    for i in range(1, len(lines)):
        name, sep, value = lines[i].partition(":")
        if not sep:
            return None
        name = name.strip().lower()
        if name in headers:
            headers[name].append(value.strip())
        else:
            headers[name] = [value.strip()]
    pos = end + 4
    length = 0
    if "content-length" in headers:
        text = headers["content-length"][0]
        if not text.isdigit() or not text.isascii():
            return None
        length = int(text)
        if length > MAX_BODY:
            return None
    if len(buf) < pos + length:
        return None
    return RtspResponse(int(first[1]), first[2] if len(first) > 2 else "", headers, buf[pos:pos + length]), pos + length


def _parse_lines(buf: bytes, eof: bool) -> tuple[RtspResponse, int] | None:
    line, pos = _line(buf, 0, eof)
    if line is None:
        return None
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
        raw, pos = _line(buf, pos, eof)
        if raw is None:
            return None
        if not raw:
            raise RtspClosed("connection closed inside the headers")
        text = raw.decode("latin-1").rstrip("\r\n")
        if not text:
            break
        name, sep, value = text.partition(":")
        if not sep:
            raise RtspProtocolError(f"bad RTSP header line: {raw[:60]!r}")
        name = name.strip().lower()
        if name in headers:
            headers[name].append(value.strip())
        else:
            headers[name] = [value.strip()]
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
    end = pos + length
    if len(buf) < end:
        if eof:
            raise RtspBodyCut("connection closed inside the body")
        return None
    return RtspResponse(status, rest[0] if rest else "", headers, buf[pos:end] if length else b""), end


def sdp_media_count(body: bytes) -> int:
    """Number of ``m=`` lines in an SDP whose first line is ``v=0``; 0 when it is not an SDP."""
    text = body.decode("utf-8", "replace").lstrip()
    if not text.startswith("v="):
        return 0
    count = 0
    for line in text.splitlines():
        if line[:2] == "m=":
            count += 1
    return count


class _Connection(asyncio.Protocol):
    """One RTSP control connection: what arrives is buffered; ``waiter`` gets the next whole response
    (or why there will be none) as soon as the buffer holds it."""

    __slots__ = ("loop", "transport", "buf", "eof", "error", "waiter")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.transport: asyncio.Transport | None = None
        self.buf = b""
        self.eof = False  # the peer closed its side, or the connection is gone
        self.error: Exception | None = None  # the socket error the connection was lost on
        self.waiter: asyncio.Future[RtspResponse] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buf = self.buf + data if self.buf else data
        if self.waiter is not None:
            self._answer()

    def eof_received(self) -> None:
        self.eof = True
        if self.waiter is not None:
            self._answer()

    def connection_lost(self, exc: Exception | None) -> None:
        self.eof = True
        self.error = exc
        if self.waiter is not None:
            self._answer()

    def _answer(self) -> None:
        waiter = self.waiter
        if waiter.done():  # the probe's deadline got there first
            self.waiter = None
            return
        try:
            parsed = parse_response(self.buf, self.eof)
        except RtspClosed as e:
            self.waiter = None
            waiter.set_exception(self.error if isinstance(self.error, OSError) else e)
            return
        except RtspProtocolError as e:
            self.waiter = None
            waiter.set_exception(e)
            return
        if parsed is not None:
            self.waiter = None
            self.buf = self.buf[parsed[1]:]
            waiter.set_result(parsed[0])

    def exchange(self, request: bytes) -> asyncio.Future[RtspResponse]:
        """Send one request (unless the peer has already closed); the future of its response."""
        waiter = self.waiter = self.loop.create_future()
        if not self.eof:
            self.transport.write(request)  # type: ignore[union-attr]
        if self.buf or self.eof:
            self._answer()
        return waiter

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


class _Session:
    """The probe of one camera: its connection, CSeq, the credentials to answer a 401 with, and the one
    deadline that bounds every phase (``expire`` fails the pending answer, or cancels the connect)."""

    __slots__ = ("loop", "url", "username", "password", "cseq", "conn", "challenge", "nc", "auth_used", "task",
                 "cancelled")

    def __init__(self, loop: asyncio.AbstractEventLoop, url: RtspUrl, username: str | None,
                 password: str | None) -> None:
        self.loop = loop
        self.url = url
        self.username = username
        self.password = password
        self.cseq = 0
        self.conn: _Connection | None = None
        self.challenge: auth.Challenge | None = None
        self.nc = 0
        self.auth_used = "none"
        self.task = asyncio.current_task(loop)
        self.cancelled = False  # the deadline cancelled the task (it fell outside an answer's wait)

    def expire(self) -> None:
        waiter = self.conn.waiter if self.conn is not None else None
        if waiter is not None and not waiter.done():
            waiter.set_exception(TimeoutError())
        elif self.task is not None:
            self.cancelled = True
            self.task.cancel()

    async def connect(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None
        conn = _Connection(self.loop)
        await net.create_connection(lambda: conn, self.url.host, self.url.port)
        self.conn = conn

    def _request(self, method: str, extra: str) -> tuple[bytes, bool, str | None]:
        """The request's bytes, whether credentials go with it, and the nonce they answer."""
        self.cseq += 1
        head = f"{method} {self.url.uri} RTSP/1.0\r\nCSeq: {self.cseq}\r\nUser-Agent: {USER_AGENT}\r\n{extra}"
        if self.challenge is None or self.username is None:
            return (head + "\r\n").encode("utf-8"), False, None
        self.nc += 1
        authz = auth.authorization(
            self.challenge,
            username=self.username,
            password=self.password or "",
            method=method,
            uri=self.url.uri,
            nc=self.nc,
        )
        return f"{head}Authorization: {authz}\r\n\r\n".encode(), True, self.challenge.params.get("nonce")

    async def request(self, method: str, extra: str = "") -> RtspResponse:
        """Send; on a 401 answer the challenge, at most twice: once when no credentials were sent (or the
        camera renewed its nonce), never again for the same nonce: that is a refused password."""
        data, sent, sent_nonce = self._request(method, extra)
        resp = await self.conn.exchange(data)  # type: ignore[union-attr]
        if resp.status != 401 or self.username is None:
            return resp
        for _ in range(2):
            challenge = auth.choose(auth.parse_challenges(resp.headers.get("www-authenticate", [])))
            if challenge is None:
                return resp
            renewed = challenge.scheme == "digest" and challenge.params.get("nonce") != sent_nonce
            if sent and not renewed and challenge.params.get("stale", "").lower() != "true":
                return resp  # the same challenge again: our credentials were refused
            self.challenge, self.nc = challenge, 0
            self.auth_used = challenge.name
            if (resp.header("connection") or "").lower() == "close" or self.conn is None or self.conn.eof:
                await self.connect()
            data, sent, sent_nonce = self._request(method, extra)
            resp = await self.conn.exchange(data)  # type: ignore[union-attr]
            if resp.status != 401:
                return resp
        return resp

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


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
    loop = asyncio.get_running_loop()
    session = _Session(loop, url, username, password)
    metrics: dict = {"port": url.port}
    phase = "connect"
    deadline = loop.call_later(settings.timeout_s, session.expire)
    try:
        try:
            t0 = time.perf_counter()
            await session.connect()
            t1 = time.perf_counter()
            metrics["connect_s"] = round(t1 - t0, 6)
            phase = "options"
            opt = await session.request("OPTIONS")
            t2 = time.perf_counter()
            metrics["options_s"] = round(t2 - t1, 6)
            metrics["options_status"] = opt.status
            if opt.status in (401, 403):
                metrics["status"] = opt.status
                metrics["auth"] = session.auth_used
                fault, reason = _status_fault("OPTIONS", opt, username is not None)
                return KindResult(KIND, "fail", fault, reason, metrics)
            phase = "describe"
            desc = await session.request("DESCRIBE", "Accept: application/sdp\r\n")
            t3 = time.perf_counter()
        except asyncio.CancelledError:
            if session.cancelled and session.task is not None and session.task.uncancel() == 0:
                raise TimeoutError from None  # our deadline, not a cancel from outside
            raise
        metrics["describe_s"] = round(t3 - t2, 6)
        metrics["status"] = desc.status
        metrics["auth"] = session.auth_used
        if server := desc.header("server") or opt.header("server"):
            metrics["server"] = server[:80]
        if desc.status != 200:
            fault, reason = _status_fault("DESCRIBE", desc, username is not None)
            return KindResult(KIND, "fail", fault, reason, metrics)
        media = sdp_media_count(desc.body)
        metrics["sdp_media"] = media
        if media == 0:
            reason = f"DESCRIBE answered 200 without a usable SDP: {desc.body[:60]!r}"
            return KindResult(KIND, "fail", "stream_down", reason, metrics)
        metrics["total_s"] = round(t3 - t0, 6)
        return KindResult(KIND, "ok", None, f"DESCRIBE 200, SDP with {media} media", metrics)
    except TimeoutError:
        metrics["phase"] = phase
        if phase == "connect":
            return failed(KIND, "unreachable", f"no TCP connection to {url.host}:{url.port} within "
                          f"{settings.timeout_s:g} s", **metrics)
        return failed(KIND, "timeout", f"no answer to {phase.upper()} within {settings.timeout_s:g} s", **metrics)
    except RtspBodyCut:
        metrics["phase"] = phase
        return failed(KIND, "stream_down", f"{phase.upper()}: connection closed inside the body", **metrics)
    except RtspProtocolError as e:
        metrics["phase"] = phase
        metrics["bad_answer"] = not isinstance(e, RtspClosed)
        return failed(KIND, "stream_down", f"{phase.upper()}: {e}", **metrics)
    except OSError as e:
        metrics["phase"] = phase
        fault, words = neterrors.classify_oserror(e)
        where = f"{url.host}:{url.port}" if phase == "connect" else phase.upper()
        return failed(KIND, fault, f"{where}: {words}", **metrics)
    except auth.AuthError as e:
        metrics["phase"] = phase
        return failed(KIND, "auth_failed", f"{phase.upper()}: {e}", **metrics)
    finally:
        deadline.cancel()
        session.close()
