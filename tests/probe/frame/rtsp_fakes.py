"""Misbehaving RTSP servers on 127.0.0.1 for the frame-grab tests (real sockets, asyncio).

``silent``: accepts and reads, never answers. ``garbage``: answers any request with bytes that are
not RTSP. ``bad_payload``: a well-formed RTSP session (OPTIONS, DESCRIBE with an H.264 SDP, SETUP
over TCP interleaved, PLAY) whose RTP packets carry IDR slices of random bytes that cannot decode.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import struct
from collections.abc import AsyncIterator

SDP = (
    "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=fake\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=fmtp:96 packetization-mode=1\r\n"
    "a=control:track1\r\n"
)


async def _read_request(reader: asyncio.StreamReader) -> tuple[str, dict[str, str]] | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
        return None
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    return lines[0].split(" ")[0], headers


def _reply(cseq: str, extra: str = "", body: str = "") -> bytes:
    head = f"RTSP/1.0 200 OK\r\nCSeq: {cseq}\r\n{extra}"
    if body:
        head += f"Content-Type: application/sdp\r\nContent-Length: {len(body)}\r\n"
    return (head + "\r\n" + body).encode()


async def _bad_payload(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    url = "rtsp://127.0.0.1/fake"
    while True:
        req = await _read_request(reader)
        if req is None:
            return
        method, headers = req
        cseq = headers.get("cseq", "0")
        if method == "OPTIONS":
            writer.write(_reply(cseq, "Public: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN\r\n"))
        elif method == "DESCRIBE":
            writer.write(_reply(cseq, f"Content-Base: {url}/\r\n", SDP))
        elif method == "SETUP":
            writer.write(
                _reply(cseq, "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\nSession: 12345678\r\n")
            )
        elif method == "PLAY":
            writer.write(_reply(cseq, "Session: 12345678\r\n"))
            await writer.drain()
            seq, ts = 0, 0
            while True:  # 25 access units a second, each one IDR slice of noise
                payload = bytes([0x65]) + os.urandom(1200)  # NAL header: nal_ref_idc 3, type 5 (IDR)
                rtp = struct.pack(">BBHII", 0x80, 0x80 | 96, seq & 0xFFFF, ts & 0xFFFFFFFF, 0x1234) + payload
                writer.write(b"$\x00" + struct.pack(">H", len(rtp)) + rtp)
                await writer.drain()
                seq, ts = seq + 1, ts + 3600
                await asyncio.sleep(0.04)
        else:
            writer.write(_reply(cseq, "Session: 12345678\r\n"))
        await writer.drain()


async def _garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.read(1024)
    writer.write(b"\x00\x17\xfe SSH-2.0-not-rtsp \x80" + os.urandom(300) + b"\r\n\r\n")
    await writer.drain()
    await asyncio.sleep(0.2)


async def _silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while await reader.read(4096):
        pass


HANDLERS = {"silent": _silent, "garbage": _garbage, "bad_payload": _bad_payload}


@contextlib.asynccontextmanager
async def fake_rtsp_server(mode: str) -> AsyncIterator[str]:
    """Serve ``mode`` on a free loopback port; yields the rtsp:// URL."""
    handler = HANDLERS[mode]
    tasks: set[asyncio.Task] = set()

    async def on_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        tasks.add(asyncio.current_task())  # type: ignore[arg-type]
        try:
            await handler(reader, writer)
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(on_client, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"rtsp://127.0.0.1:{port}/fake"
    finally:
        server.close()
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
