"""The rtsp liveness kind against small RTSP servers on 127.0.0.1 (real sockets).

The GStreamer server tests (tests/peers/test_rtsp_probe_gstreamer.py) cover real auth; these cover
what a real camera may do that GStreamer does not: answer garbage, stay silent, hang up, 404, no SDP.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import errno
import socket
import struct
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from camsla.kernel import ProbeSettings
from probe.liveness import net
from probe.liveness.rtsp import parse_response, parse_rtsp_url, probe_rtsp, sdp_media_count
from probe.target import Target

SDP = b"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=t\r\nt=0 0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n"
FAST = ProbeSettings(timeout_s=0.5)


@contextlib.asynccontextmanager
async def rtsp_like_server(answer):
    """A server that calls ``answer(request_head: bytes) -> bytes | None`` per request (None: say nothing)."""
    seen: list[bytes] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                seen.append(head)
                out = answer(head)
                if out is None:
                    await asyncio.sleep(30)
                    return
                writer.write(out)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield port, seen
    finally:
        server.close()


def cseq(head: bytes) -> bytes:
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"cseq:"):
            return line[5:].strip()
    return b"0"


def reply(status: str, head: bytes, body: bytes = b"", extra: bytes = b"") -> bytes:
    out = b"RTSP/1.0 " + status.encode() + b"\r\nCSeq: " + cseq(head) + b"\r\n" + extra
    if body:
        out += b"Content-Length: " + str(len(body)).encode() + b"\r\n"
    return out + b"\r\n" + body


def camera(port: int, path: str = "/live", **kw) -> Target:
    return Target(camera_id="34020000001320000001", ip="127.0.0.1", rtsp_url=f"rtsp://127.0.0.1:{port}{path}",
                  kinds=("rtsp",), **kw)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_describe_with_sdp_is_ok_and_reports_phases() -> None:
    def answer(head: bytes) -> bytes:
        return reply("200 OK", head, SDP if head.startswith(b"DESCRIBE") else b"")

    async with rtsp_like_server(answer) as (port, seen):
        result = await probe_rtsp(camera(port), FAST)
    assert result.status == "ok", result
    assert result.metrics["status"] == 200 and result.metrics["sdp_media"] == 1
    assert {"connect_s", "options_s", "describe_s"} <= result.metrics.keys()
    assert [h.split(b" ")[0] for h in seen] == [b"OPTIONS", b"DESCRIBE"]


async def test_garbage_answer_is_stream_down_with_the_bytes_in_the_reason() -> None:
    async with rtsp_like_server(lambda head: b"HTTP/1.1 400 Bad Request\r\n\r\n") as (port, _):
        result = await probe_rtsp(camera(port), FAST)
    assert (result.status, result.fault) == ("fail", "stream_down")
    assert result.metrics["bad_answer"] is True
    assert "HTTP/1.1 400" in result.reason


async def test_silent_port_is_timeout_within_the_budget() -> None:
    async with rtsp_like_server(lambda head: None) as (port, _):
        t0 = time.monotonic()
        result = await probe_rtsp(camera(port), ProbeSettings(timeout_s=0.3))
        took = time.monotonic() - t0
    assert (result.status, result.fault) == ("fail", "timeout")
    assert result.metrics["phase"] == "options"
    assert 0.25 < took < 1.0


async def test_refused_port_is_stream_down() -> None:
    result = await probe_rtsp(camera(closed_port()), FAST)
    assert (result.status, result.fault) == ("fail", "stream_down")
    assert "refused" in result.reason


async def test_hang_up_before_answering_is_stream_down() -> None:
    async def handle(reader, writer):
        await reader.readuntil(b"\r\n\r\n")
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    try:
        result = await probe_rtsp(camera(server.sockets[0].getsockname()[1]), FAST)
    finally:
        server.close()
    assert (result.status, result.fault) == ("fail", "stream_down")
    assert "closed" in result.reason and result.metrics["bad_answer"] is False


@pytest.mark.parametrize("code", [errno.EHOSTUNREACH, errno.ENETUNREACH])
async def test_no_route_to_the_camera_is_unreachable(monkeypatch, code) -> None:
    async def no_route(protocol_factory, host, port):
        raise OSError(code, "no route")

    monkeypatch.setattr(net, "create_connection", no_route)
    result = await probe_rtsp(camera(554), FAST)
    assert (result.status, result.fault) == ("fail", "unreachable")
    assert result.metrics["phase"] == "connect"


async def test_no_tcp_connection_in_time_is_unreachable_not_timeout(monkeypatch) -> None:
    async def black_hole(protocol_factory, host, port):
        await asyncio.sleep(30)

    monkeypatch.setattr(net, "create_connection", black_hole)
    result = await probe_rtsp(camera(554), ProbeSettings(timeout_s=0.2))
    assert (result.status, result.fault) == ("fail", "unreachable")
    assert "no TCP connection" in result.reason


async def test_unknown_stream_path_is_stream_down_with_404() -> None:
    def answer(head: bytes) -> bytes:
        return reply("404 Not Found", head) if head.startswith(b"DESCRIBE") else reply("200 OK", head)

    async with rtsp_like_server(answer) as (port, _):
        result = await probe_rtsp(camera(port), FAST)
    assert (result.fault, result.metrics["status"]) == ("stream_down", 404)
    assert "404" in result.reason


async def test_describe_200_without_sdp_is_stream_down() -> None:
    def answer(head: bytes) -> bytes:
        return reply("200 OK", head, b"hello" if head.startswith(b"DESCRIBE") else b"")

    async with rtsp_like_server(answer) as (port, _):
        result = await probe_rtsp(camera(port), FAST)
    assert result.fault == "stream_down" and "SDP" in result.reason


async def test_forbidden_is_auth_failed() -> None:
    async with rtsp_like_server(lambda head: reply("403 Forbidden", head)) as (port, _):
        result = await probe_rtsp(camera(port, username="admin", password="x"), FAST)
    assert result.fault == "auth_failed" and result.metrics["status"] == 403


async def test_credentials_in_the_url_are_used_and_never_sent_in_the_request_uri() -> None:
    good = "Basic " + base64.b64encode(b"admin:p@ss:word").decode()

    def answer(head: bytes) -> bytes:
        if head.startswith(b"OPTIONS"):
            return reply("200 OK", head)
        if good.encode() in head:
            return reply("200 OK", head, SDP)
        return reply("401 Unauthorized", head, extra=b'WWW-Authenticate: Basic realm="cam"\r\n')

    async with rtsp_like_server(answer) as (port, seen):
        target = Target(camera_id="1", ip="127.0.0.1", rtsp_url=f"rtsp://admin:p%40ss%3Aword@127.0.0.1:{port}/live")
        result = await probe_rtsp(target, FAST)
    assert result.status == "ok", result
    assert result.metrics["auth"] == "basic"
    assert all(b"admin" not in h.split(b"\r\n")[0] for h in seen)


async def test_camera_asking_for_credentials_the_inventory_lacks_is_auth_failed() -> None:
    def answer(head: bytes) -> bytes:
        return reply("401 Unauthorized", head, extra=b'WWW-Authenticate: Digest realm="c", nonce="n1"\r\n')

    async with rtsp_like_server(answer) as (port, seen):
        result = await probe_rtsp(camera(port), FAST)
    assert result.fault == "auth_failed" and "no credentials" in result.reason
    assert len(seen) == 1  # nothing to answer the challenge with: no retry


def digest_camera(password: str, renew_once: bool = False, rotate: bool = False):
    """A Digest camera (checked with hashlib here, not the probe's code) that may issue a new nonce on
    the first answer (``renew_once``) or on every 401 (``rotate``)."""
    import hashlib
    import re

    md5 = lambda s: hashlib.md5(s.encode()).hexdigest()  # noqa: E731
    state = {"nonce": 0, "describes": 0}

    def answer(head: bytes) -> bytes:
        if head.startswith(b"OPTIONS"):
            return reply("200 OK", head)
        state["describes"] += 1
        text = head.decode()
        p = dict(re.findall(r'(\w+)="?([^",\r]*)"?', text.split("Authorization: Digest ", 1)[-1])) if "Authorization" in text else {}
        nonce = f"n{state['nonce']}"
        if p:
            ha1, ha2 = md5(f"admin:cam:{password}"), md5(f"DESCRIBE:{p['uri']}")
            good = p.get("nonce") == nonce and p.get("response") == md5(f"{ha1}:{nonce}:{ha2}")
            if renew_once and state["nonce"] == 0:
                good = False
            if good:
                return reply("200 OK", head, SDP)
            if rotate or (renew_once and state["nonce"] == 0):
                state["nonce"] += 1
        challenge = f'WWW-Authenticate: Digest realm="cam", nonce="n{state["nonce"]}"\r\n'.encode()
        return reply("401 Unauthorized", head, extra=challenge)

    return answer, state


async def test_renewed_nonce_is_answered_again() -> None:
    answer, state = digest_camera("right", renew_once=True)
    async with rtsp_like_server(answer) as (port, _):
        result = await probe_rtsp(camera(port, username="admin", password="right"), FAST)
    assert result.status == "ok", result.reason
    assert state["describes"] == 3  # no credentials, an expired nonce, then accepted


async def test_wrong_password_against_rotating_nonces_gives_up_after_two_answers() -> None:
    answer, state = digest_camera("right", rotate=True)
    async with rtsp_like_server(answer) as (port, _):
        result = await probe_rtsp(camera(port, username="admin", password="wrong"), FAST)
    assert result.fault == "auth_failed" and result.metrics["auth"] == "digest-md5"
    assert state["describes"] == 3


@pytest.mark.parametrize(
    "url, words",
    [(None, "no rtsp_url"), ("http://127.0.0.1/live", "scheme"), ("rtsp://:554/x", "no host"), ("rtsp://h:99999/", "Port")],
)
async def test_unusable_url_in_the_inventory_is_error_not_a_camera_fault(url, words) -> None:
    result = await probe_rtsp(Target(camera_id="1", ip="127.0.0.1", rtsp_url=url), FAST)
    assert result.status == "error" and result.fault is None
    assert words in result.reason


def test_request_uri_drops_credentials_and_keeps_the_query() -> None:
    u = parse_rtsp_url("rtsp://admin:pw@10.1.2.3/Streaming/Channels/101?transportmode=unicast")
    assert (u.host, u.port, u.username, u.password) == ("10.1.2.3", 554, "admin", "pw")
    assert u.uri == "rtsp://10.1.2.3/Streaming/Channels/101?transportmode=unicast"


def test_sdp_media_lines_are_counted_only_in_an_sdp() -> None:
    assert sdp_media_count(SDP) == 1
    assert sdp_media_count(b"m=video 0 RTP/AVP 96\r\n") == 0


async def test_answer_arriving_a_few_bytes_at_a_time_is_ok() -> None:
    async def handle(reader, writer):
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                out = reply("200 OK", head, SDP if head.startswith(b"DESCRIBE") else b"", extra=b"Server: slow\r\n")
                for i in range(0, len(out), 7):
                    writer.write(out[i:i + 7])
                    await writer.drain()
                    await asyncio.sleep(0.001)
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    try:
        result = await probe_rtsp(camera(server.sockets[0].getsockname()[1]), FAST)
    finally:
        server.close()
    assert result.status == "ok", result.reason
    assert (result.metrics["sdp_media"], result.metrics["server"]) == (1, "slow")


async def test_answer_with_bare_line_feeds_is_read_like_crlf() -> None:
    def answer(head: bytes) -> bytes:
        body = SDP if head.startswith(b"DESCRIBE") else b""
        return reply("200 OK", head)[:-2].replace(b"\r\n", b"\n") + (
            b"Content-Length: %d\n\n" % len(body) + body if body else b"\n")

    async with rtsp_like_server(answer) as (port, _):
        result = await probe_rtsp(camera(port), FAST)
    assert result.status == "ok", result.reason


async def test_silence_after_options_is_timeout_in_describe_within_one_budget() -> None:
    def answer(head: bytes) -> bytes | None:
        return reply("200 OK", head) if head.startswith(b"OPTIONS") else None

    async with rtsp_like_server(answer) as (port, _):
        t0 = time.monotonic()
        result = await probe_rtsp(camera(port), ProbeSettings(timeout_s=0.3))
        took = time.monotonic() - t0
    assert (result.fault, result.metrics["phase"]) == ("timeout", "describe")
    assert "DESCRIBE" in result.reason and 0.25 < took < 1.0


async def test_connection_reset_instead_of_an_answer_is_stream_down() -> None:
    async def handle(reader, writer):
        await reader.readuntil(b"\r\n\r\n")
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close with RST
        writer.transport.abort()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    try:
        result = await probe_rtsp(camera(server.sockets[0].getsockname()[1]), FAST)
    finally:
        server.close()
    assert (result.status, result.fault, result.metrics["phase"]) == ("fail", "stream_down", "options")
    assert "reset" in result.reason or "closed" in result.reason


_token = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-", min_size=1, max_size=12)
_value = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=255, exclude_characters="\x7f\x85"),
                 max_size=30)


@settings(max_examples=300, deadline=None)
@given(
    status=st.integers(100, 599),
    reason=st.text(alphabet="abcdefghijklmnopqrstuvwxyz ", max_size=20),
    headers=st.lists(st.tuples(_token, _value), max_size=8),
    body=st.binary(max_size=200),
    trailing=st.binary(max_size=20),
)
def test_crlf_and_bare_lf_answers_parse_the_same(status, reason, headers, body, trailing) -> None:
    """CRLF answers take the parser's fast path, bare-LF ones the line-by-line path: same result."""
    lines = [f"RTSP/1.0 {status} {reason}"] + [f"{n}: {v}" for n, v in headers if n.lower() != "content-length"]
    lines.append(f"Content-Length: {len(body)}")

    def parse(eol: str):
        data = (eol.join(lines) + eol + eol).encode("latin-1") + body
        got = parse_response(data + trailing)
        assert got is not None and got[1] == len(data)
        for cut in (0, len(data) // 2, len(data) - 1):  # a part of the answer is not an answer yet
            assert parse_response(data[:cut]) is None
        return got[0]

    crlf, lf = parse("\r\n"), parse("\n")
    assert crlf == lf
    assert (crlf.status, crlf.body, crlf.header("content-length")) == (status, body, str(len(body)))


# camsla serve runs on uvloop (camsla/cli/serve.py): the same cases, the same verdicts there.
ON_UVLOOP = [
    test_describe_with_sdp_is_ok_and_reports_phases,
    test_garbage_answer_is_stream_down_with_the_bytes_in_the_reason,
    test_silent_port_is_timeout_within_the_budget,
    test_refused_port_is_stream_down,
    test_hang_up_before_answering_is_stream_down,
    test_unknown_stream_path_is_stream_down_with_404,
    test_forbidden_is_auth_failed,
    test_credentials_in_the_url_are_used_and_never_sent_in_the_request_uri,
    test_camera_asking_for_credentials_the_inventory_lacks_is_auth_failed,
    test_renewed_nonce_is_answered_again,
    test_wrong_password_against_rotating_nonces_gives_up_after_two_answers,
    test_answer_arriving_a_few_bytes_at_a_time_is_ok,
    test_answer_with_bare_line_feeds_is_read_like_crlf,
    test_silence_after_options_is_timeout_in_describe_within_one_budget,
    test_connection_reset_instead_of_an_answer_is_stream_down,
]


@pytest.mark.parametrize("case", ON_UVLOOP, ids=lambda case: case.__name__.removeprefix("test_"))
def test_same_verdict_on_uvloop(case) -> None:
    uvloop = pytest.importorskip("uvloop")
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(case())
