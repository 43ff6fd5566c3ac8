"""The http liveness kind against a local HTTP camera on 127.0.0.1 (real sockets).

The server checks Digest answers with its own few lines of hashlib (RFC 2617 qop=auth), independent
of the probe's code, so a wrong computation on our side fails here."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import re
import socket

import pytest

from camsla.kernel import ProbeSettings
from probe.liveness.http import probe_http
from probe.target import Target

FAST = ProbeSettings(timeout_s=0.5)
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 2000 + b"\xff\xd9"
USER, PASSWORD, REALM, NONCE = "admin", "Ab12345!", "IP Camera(C1234)", "6d8f2a9b01"


def md5(s: str) -> str:
    return hashlib.md5(s.encode()).hexdigest()


def digest_ok(header: str, method: str, password: str) -> bool:
    p = dict(re.findall(r'(\w+)="?([^",]*)"?', header.removeprefix("Digest ")))
    if p.get("username") != USER or p.get("nonce") != NONCE or p.get("qop") != "auth":
        return False
    ha1, ha2 = md5(f"{USER}:{REALM}:{password}"), md5(f"{method}:{p['uri']}")
    return p.get("response") == md5(f"{ha1}:{NONCE}:{p['nc']}:{p['cnonce']}:auth:{ha2}")


@contextlib.asynccontextmanager
async def http_camera(scheme: str = "digest", status: int = 200, silent: bool = False, password: str = PASSWORD):
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = (await reader.readuntil(b"\r\n\r\n")).decode()
            if silent:
                await asyncio.sleep(30)
                return
            method = head.split(" ", 1)[0]
            authz = next((ln.split(":", 1)[1].strip() for ln in head.split("\r\n") if ln.lower().startswith("authorization:")), "")
            if scheme == "digest":
                good = authz.startswith("Digest ") and digest_ok(authz, method, password)
                challenge = f'Digest realm="{REALM}", nonce="{NONCE}", qop="auth"'
            elif scheme == "bogus-qop":  # a Digest no client here can answer
                good, challenge = False, f'Digest realm="{REALM}", nonce="{NONCE}", qop="auth-bogus"'
            elif scheme == "basic":
                good = authz == "Basic " + base64.b64encode(f"{USER}:{password}".encode()).decode()
                challenge = f'Basic realm="{REALM}"'
            else:
                good, challenge = True, ""
            if not good:
                writer.write(f"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: {challenge}\r\nContent-Length: 0\r\n\r\n".encode())
            else:
                body = JPEG if status == 200 else b"oops"
                writer.write(f"HTTP/1.1 {status} X\r\nContent-Type: image/jpeg\r\nContent-Length: {len(body)}\r\n"
                             "Connection: close\r\n\r\n".encode() + body)
                await writer.drain()
                writer.close()
                return
            await writer.drain()
            await handle(reader, writer)  # keep-alive: the client answers the challenge on this connection
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    try:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/ISAPI/Streaming/channels/101/picture?x=1"
    finally:
        server.close()


def camera(url: str, username: str | None = USER, password: str | None = PASSWORD) -> Target:
    return Target(camera_id="1", ip="127.0.0.1", snapshot_url=url, username=username, password=password, kinds=("http",))


@pytest.mark.parametrize("scheme", ["digest", "basic"])
async def test_snapshot_with_correct_credentials_is_ok(scheme: str) -> None:
    async with http_camera(scheme) as url:
        result = await probe_http(camera(url), FAST)
    assert result.status == "ok", result.reason
    assert result.metrics["status"] == 200 and result.metrics["bytes"] == len(JPEG)
    assert result.metrics["auth"].startswith(scheme) and result.metrics["content_type"] == "image/jpeg"


@pytest.mark.parametrize("scheme", ["digest", "basic"])
async def test_wrong_password_is_auth_failed(scheme: str) -> None:
    async with http_camera(scheme) as url:
        result = await probe_http(camera(url, password="wrong"), FAST)
    assert (result.status, result.fault, result.metrics["status"]) == ("fail", "auth_failed", 401)


async def test_credentials_in_the_snapshot_url_are_used() -> None:
    async with http_camera("digest") as url:
        result = await probe_http(camera(url.replace("//", f"//{USER}:{PASSWORD.replace('!', '%21')}@"), None, None), FAST)
    assert result.status == "ok", result.reason


async def test_no_credentials_for_a_camera_that_asks_is_auth_failed() -> None:
    async with http_camera("digest") as url:
        result = await probe_http(camera(url, None, None), FAST)
    assert result.fault == "auth_failed" and "no credentials" in result.reason


async def test_server_error_is_stream_down() -> None:
    async with http_camera("none", status=503) as url:
        result = await probe_http(camera(url), FAST)
    assert (result.fault, result.metrics["status"]) == ("stream_down", 503)


async def test_silent_camera_is_timeout() -> None:
    async with http_camera("none", silent=True) as url:
        result = await probe_http(camera(url), FAST)
    assert result.fault == "timeout"


async def test_refused_port_is_stream_down() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = await probe_http(camera(f"http://127.0.0.1:{port}/snap.jpg"), FAST)
    assert result.fault == "stream_down" and "refused" in result.reason


async def test_unusable_snapshot_url_is_error() -> None:
    result = await probe_http(camera("ftp://127.0.0.1/snap.jpg"), FAST)
    assert result.status == "error" and "snapshot_url" in result.reason


async def test_a_challenge_no_client_can_answer_is_auth_failed_not_a_crash() -> None:
    async with http_camera("bogus-qop") as url:
        r = await probe_http(camera(url), FAST)
    assert (r.status, r.fault) == ("fail", "auth_failed") and "qop" in r.reason
