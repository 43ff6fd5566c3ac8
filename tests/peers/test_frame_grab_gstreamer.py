"""RTSP keyframe grabs against the real GStreamer RTSP server (tests/peers/rtsp_peer.py):
MJPEG and H.264 test patterns, a black source, Digest and Basic auth, and the grab_frame fallback
from a dead snapshot URL to the stream."""

from __future__ import annotations

import socket

import cv2
import numpy as np
import pytest

from camsla.kernel import ImageSettings
from probe.frame import FrameError, grab_frame, grab_rtsp
from probe.target import Target
from tests.peers.rtsp_peer import rtsp_server

pytestmark = pytest.mark.peer
SETTINGS = ImageSettings(frame_timeout_s=10.0)


def cam(url: str, username: str | None = None, password: str | None = None, **urls: str) -> Target:
    return Target(
        camera_id="34020000001320000009",
        ip="127.0.0.1",
        rtsp_url=url,
        username=username,
        password=password,
        **urls,
    )


def luma(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)


def assert_smpte_bars(image: np.ndarray) -> None:
    """videotestsrc's SMPTE pattern: seven bars on top, white, yellow, cyan, green, magenta, red, blue."""
    assert image.shape == (360, 640, 3) and image.dtype == np.uint8
    row = image[60]
    centres = [int((i + 0.5) * 640 / 7) for i in range(7)]
    b, g, r = row[centres[1]].astype(int)  # yellow: red and green high, blue low
    assert r > 150 and g > 150 and b < 80
    b, g, r = row[centres[5]].astype(int)  # red
    assert r > 150 and g < 80 and b < 80
    b, g, r = row[centres[6]].astype(int)  # blue
    assert b > 150 and r < 80 and g < 80
    # luma falls bar by bar from white to blue
    y = luma(image)[60, centres]
    assert all(int(a) > int(c) for a, c in zip(y, y[1:], strict=False))


@pytest.mark.parametrize("codec", ["mjpeg", "h264"])
async def test_keyframe_of_the_smpte_pattern(codec: str):
    with rtsp_server("--pattern", "smpte", "--codec", codec) as peer:
        frame = await grab_rtsp(cam(peer.url), SETTINGS)
    assert_smpte_bars(frame.image)
    assert (frame.width, frame.height) == (640, 360) and frame.source == "rtsp"
    m = frame.metrics
    assert m["frame_codec"] == codec and m["frame_keyframes"] >= 1 and m["frame_bytes"] > 0
    assert 0 < m["frame_connect_s"] <= m["frame_total_s"] < SETTINGS.frame_timeout_s
    if codec == "mjpeg":  # an MJPEG packet is a whole JPEG, kept as evidence
        assert frame.encoded is not None and frame.encoded[:2] == b"\xff\xd8"
    else:
        assert frame.encoded is None


@pytest.mark.parametrize("codec", ["mjpeg", "h264"])
async def test_black_source_gives_a_black_frame(codec: str):
    with rtsp_server("--pattern", "black", "--codec", codec) as peer:
        frame = await grab_rtsp(cam(peer.url), SETTINGS)
    y = luma(frame.image)
    assert y.mean() < 20 and y.max() < 40  # video black is 16 or below; mean near 0


async def test_digest_auth_with_the_right_password():
    password = "p@ss:w/rd%"
    with rtsp_server(
        "--codec", "mjpeg", "--user", "admin", "--password", password, "--auth", "digest"
    ) as peer:
        frame = await grab_rtsp(cam(peer.url, "admin", password), SETTINGS)
    assert_smpte_bars(frame.image)


async def test_digest_auth_with_a_wrong_password_is_auth_failed():
    with rtsp_server(
        "--codec", "mjpeg", "--user", "admin", "--password", "right", "--auth", "digest"
    ) as peer:
        with pytest.raises(FrameError) as err:
            await grab_rtsp(cam(peer.url, "admin", "wrong-one"), SETTINGS)
    assert err.value.fault == "auth_failed" and err.value.source == "rtsp"
    assert "wrong-one" not in str(err.value)
    assert err.value.metrics["frame_total_s"] < 2.0


async def test_basic_auth_with_the_right_password():
    with rtsp_server("--codec", "h264", "--user", "admin", "--password", "secret", "--auth", "basic") as peer:
        frame = await grab_rtsp(cam(peer.url, "admin", "secret"), SETTINGS)
    assert_smpte_bars(frame.image)


async def test_unknown_stream_path_is_stream_down():
    with rtsp_server("--codec", "mjpeg") as peer:
        with pytest.raises(FrameError) as err:
            await grab_rtsp(cam(peer.url.replace("/test", "/nope")), SETTINGS)
    assert err.value.fault == "stream_down"


async def test_grab_frame_falls_back_from_a_dead_snapshot_to_the_stream():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
    with rtsp_server("--codec", "mjpeg") as peer:
        target = cam(peer.url, snapshot_url=f"http://127.0.0.1:{dead}/snap.jpg")
        frame = await grab_frame(target, SETTINGS)
    assert frame.source == "rtsp"
    assert frame.metrics["frame_fallbacks"] == "snapshot:stream_down"
    assert_smpte_bars(frame.image)
