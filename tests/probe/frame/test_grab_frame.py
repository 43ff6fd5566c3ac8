"""grab_frame: the camera's configured sources tried in table order, first picture wins, and the
furthest-reaching fault when none gives one (real servers on 127.0.0.1)."""

from __future__ import annotations

import socket

import pytest

from camsla.kernel import ImageSettings
from probe.frame import FRAME_SOURCES, FrameError, NoFrameSource, grab_frame
from probe.target import Target
from tests.probe.frame.http_camera import http_camera

FAST = ImageSettings(frame_timeout_s=2.0)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cam(**urls: str) -> Target:
    return Target(camera_id="34020000001320000004", ip="127.0.0.1", **urls)


def test_sources_are_tried_onvif_then_snapshot_then_rtsp():
    assert tuple(FRAME_SOURCES) == ("onvif", "snapshot", "rtsp")
    assert {n: s.url_attr for n, s in FRAME_SOURCES.items()} == {
        "onvif": "onvif_url",
        "snapshot": "snapshot_url",
        "rtsp": "rtsp_url",
    }


async def test_only_configured_sources_are_tried():
    async with http_camera() as camera:
        frame = await grab_frame(cam(snapshot_url=camera.url()), FAST)
    assert frame.source == "snapshot" and "frame_fallbacks" not in frame.metrics


async def test_a_failed_source_falls_back_to_the_next_and_says_so():
    async with http_camera() as camera:
        target = cam(
            onvif_url=f"http://127.0.0.1:{free_port()}/onvif/device_service", snapshot_url=camera.url()
        )
        frame = await grab_frame(target, FAST)
    assert frame.source == "snapshot"
    assert frame.metrics["frame_fallbacks"] == "onvif:stream_down"


async def test_order_can_be_given():
    async with http_camera() as camera:
        target = cam(rtsp_url=f"rtsp://127.0.0.1:{free_port()}/live", snapshot_url=camera.url())
        frame = await grab_frame(target, FAST, order=["rtsp", "snapshot"])
    assert frame.source == "snapshot" and frame.metrics["frame_fallbacks"] == "rtsp:stream_down"


async def test_when_all_fail_the_furthest_reaching_fault_is_reported_with_every_attempt():
    async with http_camera() as camera:
        target = cam(snapshot_url=camera.url("/page"), rtsp_url=f"rtsp://127.0.0.1:{free_port()}/live")
        with pytest.raises(FrameError) as err:
            await grab_frame(target, FAST)
    e = err.value
    assert e.fault == "decode_error" and e.source == "snapshot"  # a non-picture beats a refused stream
    assert [(a.source, a.fault) for a in e.attempts] == [
        ("snapshot", "decode_error"),
        ("rtsp", "stream_down"),
    ]
    assert "snapshot: decode_error" in e.reason and "rtsp: stream_down" in e.reason
    assert e.metrics["frame_fallbacks"] == "snapshot:decode_error,rtsp:stream_down"


async def test_camera_without_any_frame_url_is_a_configuration_error():
    with pytest.raises(NoFrameSource, match="34020000001320000004"):
        await grab_frame(cam(), FAST)


async def test_unknown_source_name_is_refused():
    with pytest.raises(ValueError, match="unknown frame source"):
        await grab_frame(cam(snapshot_url="http://127.0.0.1/x"), FAST, order=["snapshot", "webrtc"])
