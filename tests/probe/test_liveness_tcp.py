"""The tcp liveness kind on real loopback sockets (unreachable through the one connect seam)."""

from __future__ import annotations

import asyncio
import errno
import socket

import pytest

from camsla.kernel import ProbeSettings
from probe import neterrors
from probe.liveness import net
from probe.liveness.tcp import probe_tcp
from probe.target import Target

FAST = ProbeSettings(timeout_s=0.5)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_listening_rtsp_port_is_ok_with_connect_time() -> None:
    server = await asyncio.start_server(lambda r, w: w.close(), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        result = await probe_tcp(Target(camera_id="1", ip="127.0.0.1", rtsp_url=f"rtsp://127.0.0.1:{port}/s"), FAST)
    finally:
        server.close()
    assert result.status == "ok" and result.metrics["port"] == port
    assert 0 <= result.metrics["connect_s"] < 0.5


async def test_refused_port_is_stream_down_because_the_host_answered() -> None:
    port = closed_port()
    result = await probe_tcp(Target(camera_id="1", ip="127.0.0.1", rtsp_url=f"rtsp://127.0.0.1:{port}/s"), FAST)
    assert (result.status, result.fault) == ("fail", "stream_down")


async def test_http_port_is_used_when_there_is_no_rtsp_url() -> None:
    port = closed_port()
    result = await probe_tcp(Target(camera_id="1", ip="127.0.0.1", snapshot_url=f"http://127.0.0.1:{port}/a.jpg"), FAST)
    assert result.metrics["port"] == port


async def test_host_unreachable_is_unreachable(monkeypatch) -> None:
    async def no_route(protocol_factory, host, port):
        raise OSError(errno.EHOSTUNREACH, "No route to host")

    monkeypatch.setattr(net, "create_connection", no_route)
    result = await probe_tcp(Target(camera_id="1", ip="10.9.9.9"), FAST)
    assert (result.fault, result.metrics["port"]) == ("unreachable", 554)
    assert "no route" in result.reason


def test_socket_errors_map_to_liveness_faults() -> None:
    assert neterrors.classify_oserror(ConnectionRefusedError(errno.ECONNREFUSED, "x"))[0] == "stream_down"
    assert neterrors.classify_oserror(OSError(errno.ENETUNREACH, "x"))[0] == "unreachable"
    assert neterrors.classify_oserror(OSError(errno.EHOSTUNREACH, "x"))[0] == "unreachable"
    assert neterrors.classify_oserror(OSError(errno.EHOSTDOWN, "x"))[0] == "unreachable"
    fault, reason = neterrors.classify_oserror(OSError(errno.EPROTO, "weird"))
    assert fault == "unreachable" and "EPROTO" in reason


async def test_no_address_in_the_inventory_is_error() -> None:
    result = await probe_tcp(Target(camera_id="1", ip=""), FAST)
    assert result.status == "error"


def test_same_verdicts_on_uvloop() -> None:
    uvloop = pytest.importorskip("uvloop")
    for case in (test_listening_rtsp_port_is_ok_with_connect_time, test_refused_port_is_stream_down_because_the_host_answered):
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            runner.run(case())
