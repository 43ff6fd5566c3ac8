"""The icmp liveness kind: a real echo to 127.0.0.1, and the TCP fallback where ICMP is not allowed."""

from __future__ import annotations

import errno
import socket

from camsla.kernel import ProbeSettings
from probe.liveness import icmp, net
from probe.liveness.icmp import probe_icmp, unprivileged_icmp_allowed
from probe.target import Target

FAST = ProbeSettings(timeout_s=1.0)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_loopback_answers_and_the_method_is_named() -> None:
    result = await probe_icmp(Target(camera_id="1", ip="127.0.0.1"), FAST)
    assert result.status == "ok", result.reason
    assert result.metrics["method"] == icmp.icmp_method()
    assert result.metrics["rtt_s"] >= 0


async def test_fallback_counts_a_refused_port_as_a_live_host(monkeypatch) -> None:
    monkeypatch.setattr(icmp, "icmp_method", lambda: "tcp-connect")
    port = closed_port()
    result = await probe_icmp(Target(camera_id="1", ip="127.0.0.1", rtsp_url=f"rtsp://127.0.0.1:{port}/s",
                                     snapshot_url=f"http://127.0.0.1:{closed_port()}/a.jpg"), FAST)
    assert result.status == "ok" and result.metrics["method"] == "tcp-connect"
    assert "refused" in result.reason


async def test_fallback_without_route_is_unreachable(monkeypatch) -> None:
    async def no_route(protocol_factory, host, port):
        raise OSError(errno.ENETUNREACH, "Network is unreachable")

    monkeypatch.setattr(icmp, "icmp_method", lambda: "tcp-connect")
    monkeypatch.setattr(net, "create_connection", no_route)
    result = await probe_icmp(Target(camera_id="1", ip="10.0.0.1"), FAST)
    assert (result.fault, result.metrics["method"]) == ("unreachable", "tcp-connect")
    assert "554/80" in result.reason


def test_ping_group_range_decides_unprivileged_icmp(tmp_path) -> None:
    allowed, closed = tmp_path / "allowed", tmp_path / "closed"
    allowed.write_text("0\t2147483647\n")
    closed.write_text("1\t0\n")  # the kernel default: nobody
    assert unprivileged_icmp_allowed(str(allowed)) is True
    assert unprivileged_icmp_allowed(str(closed)) is False
    assert unprivileged_icmp_allowed(str(tmp_path / "missing")) is False
