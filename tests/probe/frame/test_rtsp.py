"""RTSP keyframe grabs against misbehaving servers on 127.0.0.1 (real sockets; the GStreamer
server cases are in tests/peers/test_frame_grab_gstreamer.py)."""

from __future__ import annotations

import asyncio
import socket
import threading
import time

import pytest

from camsla.kernel import ImageSettings
from probe.frame import FrameError, NoFrameSource, grab_rtsp
from probe.target import Target
from tests.probe.frame.rtsp_fakes import fake_rtsp_server


def cam(url: str | None, username: str | None = None, password: str | None = None) -> Target:
    return Target(
        camera_id="34020000001320000003", ip="127.0.0.1", rtsp_url=url, username=username, password=password
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_refused_port_is_stream_down_at_once():
    with pytest.raises(FrameError) as err:
        await grab_rtsp(cam(f"rtsp://127.0.0.1:{free_port()}/live"), ImageSettings(frame_timeout_s=3))
    assert err.value.fault == "stream_down" and "refused" in err.value.reason
    assert err.value.metrics["frame_total_s"] < 1.0


async def test_silent_server_is_timeout_and_the_loop_keeps_running():
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.05)
            ticks += 1

    task = asyncio.create_task(ticker())
    t0 = time.monotonic()
    try:
        async with fake_rtsp_server("silent") as url:
            with pytest.raises(FrameError) as err:
                await grab_rtsp(cam(url), ImageSettings(frame_timeout_s=1.5))
    finally:
        task.cancel()
    elapsed = time.monotonic() - t0
    assert err.value.fault == "timeout" and err.value.source == "rtsp"
    assert 1.4 <= elapsed < 1.5 + 1.5  # the deadline, plus at most the grace
    assert ticks >= 0.6 * elapsed / 0.05  # the event loop was never blocked
    # and the reader thread does not outlive its deadline by more than a moment
    for _ in range(40):
        if not any(t.name == "camsla-rtsp-grab" for t in threading.enumerate()):
            break
        await asyncio.sleep(0.05)
    assert not any(t.name == "camsla-rtsp-grab" for t in threading.enumerate())


async def test_server_that_answers_garbage_is_stream_down():
    async with fake_rtsp_server("garbage") as url:
        with pytest.raises(FrameError) as err:
            await grab_rtsp(cam(url), ImageSettings(frame_timeout_s=3))
    assert err.value.fault == "stream_down" and "not a usable RTSP stream" in err.value.reason


async def test_stream_of_undecodable_keyframes_is_decode_error_not_a_crash():
    async with fake_rtsp_server("bad_payload") as url:
        with pytest.raises(FrameError) as err:
            await grab_rtsp(cam(url), ImageSettings(frame_timeout_s=4, frame_max_bytes=20_000))
    assert err.value.fault == "decode_error"
    m = err.value.metrics
    assert m["frame_codec"] == "h264" and m["frame_keyframes"] >= 1
    assert m["frame_bytes"] > 0


async def test_byte_cap_bounds_what_is_read_from_a_bad_stream():
    async with fake_rtsp_server("bad_payload") as url:
        with pytest.raises(FrameError) as err:
            await grab_rtsp(cam(url), ImageSettings(frame_timeout_s=8, frame_max_bytes=20_000))
    assert err.value.fault == "decode_error" and "first" in err.value.reason
    assert 20_000 < err.value.metrics["frame_bytes"] <= 20_000 + 4 * 1205  # a packet or two past the cap
    assert err.value.metrics["frame_total_s"] < 8


async def test_credentials_stay_out_of_the_reason():
    with pytest.raises(FrameError) as err:
        await grab_rtsp(
            cam(f"rtsp://127.0.0.1:{free_port()}/live", "admin", "hunter2!"), ImageSettings(frame_timeout_s=2)
        )
    assert "hunter2" not in str(err.value) and "admin:***@" in err.value.reason


async def test_camera_without_rtsp_url_is_a_configuration_error():
    with pytest.raises(NoFrameSource, match="34020000001320000003"):
        await grab_rtsp(cam(None), ImageSettings())
