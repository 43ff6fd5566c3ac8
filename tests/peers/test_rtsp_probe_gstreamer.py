"""The rtsp liveness kind against GStreamer's real RTSP server (gst-rtsp-server): no auth, Basic,
Digest, wrong credentials, wrong path; and a whole liveness check (icmp + tcp + rtsp)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from camsla.kernel import ProbeSettings
from probe import Target, probe_liveness
from probe.liveness.rtsp import probe_rtsp
from tests.peers.rtsp_peer import RtspPeer, rtsp_server

pytestmark = pytest.mark.peer

SETTINGS = ProbeSettings(timeout_s=5.0)
USER, PASSWORD = "admin", "Hk12345!"


@pytest.fixture(scope="module")
def open_peer() -> Iterator[RtspPeer]:
    with rtsp_server("--pattern", "smpte", "--codec", "mjpeg") as peer:
        yield peer


@pytest.fixture(scope="module")
def basic_peer() -> Iterator[RtspPeer]:
    with rtsp_server("--user", USER, "--password", PASSWORD, "--auth", "basic") as peer:
        yield peer


@pytest.fixture(scope="module")
def digest_peer() -> Iterator[RtspPeer]:
    with rtsp_server("--user", USER, "--password", PASSWORD, "--auth", "digest") as peer:
        yield peer


def target(url: str, username: str | None = None, password: str | None = None, kinds=("rtsp",)) -> Target:
    return Target.build(camera_id="34020000001320000001", ip="127.0.0.1", rtsp_url=url, username=username,
                        password=password, default_kinds=kinds)


async def test_stream_without_auth_is_ok(open_peer: RtspPeer) -> None:
    result = await probe_rtsp(target(open_peer.url), SETTINGS)
    assert result.status == "ok", result.reason
    assert result.metrics["status"] == 200 and result.metrics["sdp_media"] >= 1
    assert result.metrics["auth"] == "none"
    assert "GStreamer" in str(result.metrics.get("server"))


async def test_correct_basic_credentials_are_ok(basic_peer: RtspPeer) -> None:
    result = await probe_rtsp(target(basic_peer.url, USER, PASSWORD), SETTINGS)
    assert result.status == "ok", result.reason
    assert result.metrics["auth"] == "basic"


async def test_correct_digest_credentials_are_ok(digest_peer: RtspPeer) -> None:
    result = await probe_rtsp(target(digest_peer.url, USER, PASSWORD), SETTINGS)
    assert result.status == "ok", result.reason
    assert result.metrics["auth"] == "digest-md5"


@pytest.mark.parametrize("which", ["basic", "digest"])
async def test_wrong_password_is_auth_failed(which: str, basic_peer: RtspPeer, digest_peer: RtspPeer) -> None:
    peer = basic_peer if which == "basic" else digest_peer
    result = await probe_rtsp(target(peer.url, USER, "wrong"), SETTINGS)
    assert (result.status, result.fault) == ("fail", "auth_failed")
    assert result.metrics["status"] == 401 and result.metrics["auth"].startswith(which)
    assert "after credentials" in result.reason


async def test_missing_credentials_are_auth_failed(digest_peer: RtspPeer) -> None:
    result = await probe_rtsp(target(digest_peer.url), SETTINGS)
    assert result.fault == "auth_failed" and "no credentials" in result.reason


async def test_wrong_stream_path_is_stream_down(open_peer: RtspPeer) -> None:
    result = await probe_rtsp(target(open_peer.url.replace("/test", "/nosuch")), SETTINGS)
    assert (result.fault, result.metrics["status"]) == ("stream_down", 404)


async def test_whole_liveness_check_is_one_ok_observation_that_explains_itself(digest_peer: RtspPeer) -> None:
    obs = await probe_liveness(target(digest_peer.url, USER, PASSWORD, kinds=("icmp", "tcp", "rtsp")), SETTINGS)
    assert (obs.check, obs.status, obs.faults) == ("liveness", "ok", ())
    assert obs.metrics["rtsp_status"] == 200 and obs.metrics["tcp_result"] == "ok"
    assert obs.metrics["icmp_method"] in ("icmp", "icmp-raw", "tcp-connect")
    assert isinstance(obs.metrics["icmp_rtt_s"], float)


async def test_whole_liveness_check_with_a_wrong_password_fails_on_rtsp(basic_peer: RtspPeer) -> None:
    obs = await probe_liveness(target(basic_peer.url, USER, "nope", kinds=("icmp", "rtsp")), SETTINGS)
    assert (obs.status, obs.faults, obs.source) == ("fail", ("auth_failed",), "rtsp")
    assert obs.metrics["failed_kind"] == "rtsp" and obs.metrics["icmp_result"] == "ok"
