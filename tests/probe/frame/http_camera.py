"""A small HTTP camera on 127.0.0.1 for the snapshot tests: real sockets, asyncio, HTTP/1.1.

Routes: ``/snap.jpg`` (a JPEG), ``/snap.png``, ``/page`` (an HTML page with status 200),
``/fake.jpg`` (``image/jpeg`` whose bytes are a JPEG header and noise), ``/big`` (a JPEG padded past
any cap, chunked, no Content-Length), ``/big-declared`` (a Content-Length of 1 GB, then nothing),
``/silent`` (never answers), ``/bomb.jpg`` (a JPEG header claiming 60000x60000 pixels).
``auth`` is ``None``, ``"basic"`` or ``"digest"`` (RFC 7616, MD5, qop=auth, checked for real).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import os
import struct
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from urllib.request import parse_http_list, parse_keqv_list

import cv2
import numpy as np

REALM = "camsla-test-camera"


def sample_picture(width: int = 320, height: int = 180) -> np.ndarray:
    """A BGR picture with known content: a horizontal grey ramp plus a red square top-left."""
    ramp = np.tile(np.linspace(0, 255, width, dtype=np.uint8), (height, 1))
    image = cv2.merge([ramp, ramp, ramp])
    image[10:50, 10:50] = (0, 0, 255)
    return image


def jpeg(image: np.ndarray) -> bytes:
    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 90])
    assert ok
    return buf.tobytes()


def png(image: np.ndarray) -> bytes:
    ok, buf = cv2.imencode(".png", image)
    assert ok
    return buf.tobytes()


def _bomb_header() -> bytes:
    """SOI, then a baseline SOF0 claiming 60000 x 60000 pixels, 3 components, then noise."""
    sof = struct.pack(">BBHBHHB", 0xFF, 0xC0, 17, 8, 60000, 60000, 3) + bytes(
        [1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]
    )
    return b"\xff\xd8" + sof + os.urandom(200)


@dataclass
class HttpCamera:
    port: int
    username: str | None
    password: str | None
    auth: str | None
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def url(self, path: str = "/snap.jpg") -> str:
        return f"http://127.0.0.1:{self.port}{path}"


def _digest_ok(header: str, method: str, username: str, password: str, nonce: str) -> bool:
    if not header.lower().startswith("digest "):
        return False
    fields = parse_keqv_list(parse_http_list(header[7:]))
    if fields.get("username") != username or fields.get("nonce") != nonce or fields.get("realm") != REALM:
        return False
    ha1 = hashlib.md5(f"{username}:{REALM}:{password}".encode()).hexdigest()
    ha2 = hashlib.md5(f"{method}:{fields.get('uri', '')}".encode()).hexdigest()
    want = hashlib.md5(
        f"{ha1}:{nonce}:{fields.get('nc', '')}:{fields.get('cnonce', '')}:{fields.get('qop', '')}:{ha2}".encode()
    ).hexdigest()
    return fields.get("response") == want


@contextlib.asynccontextmanager
async def http_camera(
    auth: str | None = None,
    username: str = "admin",
    password: str = "s3cr:t@/%",
    picture: bytes | None = None,
) -> AsyncIterator[HttpCamera]:
    body_jpeg = picture if picture is not None else jpeg(sample_picture())
    nonce = os.urandom(8).hex()
    tasks: set[asyncio.Task] = set()
    camera: HttpCamera

    def authorized(headers: dict[str, str], method: str) -> bool:
        given = headers.get("authorization", "")
        if auth is None:
            return True
        if auth == "basic":
            want = base64.b64encode(f"{username}:{password}".encode()).decode()
            return given == f"Basic {want}"
        return _digest_ok(given, method, username, password, nonce)

    def challenge() -> str:
        if auth == "basic":
            return f'WWW-Authenticate: Basic realm="{REALM}"\r\n'
        return f'WWW-Authenticate: Digest realm="{REALM}", nonce="{nonce}", qop="auth", algorithm=MD5\r\n'

    async def respond(
        writer: asyncio.StreamWriter, status: str, ctype: str, body: bytes, extra: str = ""
    ) -> None:
        writer.write(
            f"HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n{extra}\r\n".encode()
            + body
        )
        await writer.drain()

    async def on_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        tasks.add(asyncio.current_task())  # type: ignore[arg-type]
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                lines = head.decode("latin-1").split("\r\n")
                method, path, _ = lines[0].split(" ", 2)
                headers = {}
                for line in lines[1:]:
                    name, sep, value = line.partition(":")
                    if sep:
                        headers[name.strip().lower()] = value.strip()
                camera.requests.append((path, headers))
                if path == "/silent":
                    await asyncio.sleep(3600)
                if not authorized(headers, method):
                    await respond(writer, "401 Unauthorized", "text/plain", b"401", challenge())
                    continue
                if path == "/snap.jpg":
                    await respond(writer, "200 OK", "image/jpeg", body_jpeg)
                elif path == "/snap.png":
                    await respond(writer, "200 OK", "image/png", png(sample_picture()))
                elif path == "/page":
                    await respond(writer, "200 OK", "text/html", b"<html><body>Login first</body></html>")
                elif path == "/fake.jpg":
                    await respond(writer, "200 OK", "image/jpeg", b"\xff\xd8\xff\xe0" + os.urandom(5000))
                elif path == "/bomb.jpg":
                    await respond(writer, "200 OK", "image/jpeg", _bomb_header())
                elif path == "/big-declared":
                    writer.write(
                        b"HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nContent-Length: 1000000000\r\n\r\n"
                    )
                    await writer.drain()
                    await asyncio.sleep(3600)
                elif path == "/big":
                    writer.write(
                        b"HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nTransfer-Encoding: chunked\r\n\r\n"
                    )
                    chunk = body_jpeg + b"\x00" * 65536
                    for _ in range(10_000):  # ~650 MB if nobody stops reading
                        writer.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                        await writer.drain()
                    writer.write(b"0\r\n\r\n")
                    await writer.drain()
                else:
                    await respond(writer, "404 Not Found", "text/plain", b"no such page")
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(on_client, "127.0.0.1", 0)
    camera = HttpCamera(
        port=server.sockets[0].getsockname()[1], username=username, password=password, auth=auth
    )
    try:
        yield camera
    finally:
        server.close()
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
