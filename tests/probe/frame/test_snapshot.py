"""HTTP snapshot grabs against a real HTTP server on 127.0.0.1 (tests/probe/frame/http_camera.py)."""

from __future__ import annotations

import socket

import numpy as np
import pytest

from camsla.kernel import ImageSettings, Settings
from probe.frame import FrameError, NoFrameSource, grab_snapshot
from probe.frame.snapshot import picture_size
from probe.target import Target
from tests.probe.frame.http_camera import _bomb_header, http_camera, jpeg, sample_picture

FAST = ImageSettings(frame_timeout_s=2.0)


def cam(url: str | None, username: str | None = None, password: str | None = None) -> Target:
    return Target(
        camera_id="34020000001320000001",
        ip="127.0.0.1",
        snapshot_url=url,
        username=username,
        password=password,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_snapshot_decodes_the_cameras_jpeg_to_bgr():
    async with http_camera() as camera:
        frame = await grab_snapshot(cam(camera.url()), FAST)
    want = sample_picture()
    assert (frame.width, frame.height) == (320, 180)
    assert frame.image.shape == (180, 320, 3) and frame.image.dtype == np.uint8
    assert frame.source == "snapshot"
    assert frame.encoded is not None and frame.encoded[:2] == b"\xff\xd8"
    # the red square is red in BGR order, the ramp is a ramp
    assert tuple(int(v) for v in frame.image[30, 30]) == pytest.approx((0, 0, 255), abs=12)
    assert np.abs(frame.image.astype(int) - want.astype(int)).mean() < 3
    m = frame.metrics
    assert m["frame_http_status"] == 200 and m["frame_content_type"] == "image/jpeg"
    assert m["frame_bytes"] == len(frame.encoded)
    assert 0 < m["frame_total_s"] < 2 and m["frame_decode_s"] >= 0


async def test_snapshot_takes_whole_settings_too():
    async with http_camera() as camera:
        frame = await grab_snapshot(cam(camera.url()), Settings())
    assert frame.width == 320


async def test_snapshot_png_is_accepted():
    async with http_camera() as camera:
        frame = await grab_snapshot(cam(camera.url("/snap.png")), FAST)
    assert (frame.width, frame.height) == (320, 180)


async def test_snapshot_over_digest_auth_with_special_characters_in_the_password():
    async with http_camera(auth="digest", password="s3cr:t@/%") as camera:
        frame = await grab_snapshot(cam(camera.url(), "admin", "s3cr:t@/%"), FAST)
        auth_headers = [h.get("authorization", "") for _, h in camera.requests]
    assert frame.width == 320
    assert auth_headers[0] == ""  # nothing sent before the camera asked
    assert auth_headers[-1].startswith("Digest ")


async def test_snapshot_over_basic_auth():
    async with http_camera(auth="basic") as camera:
        frame = await grab_snapshot(cam(camera.url(), camera.username, camera.password), FAST)
    assert frame.width == 320


async def test_credentials_in_the_snapshot_url_win_and_stay_out_of_messages():
    async with http_camera(auth="digest", password="p:w@") as camera:
        url = f"http://admin:p%3Aw%40@127.0.0.1:{camera.port}/snap.jpg"
        frame = await grab_snapshot(cam(url, "someone", "else"), FAST)
        assert frame.width == 320
        with pytest.raises(FrameError) as err:
            await grab_snapshot(cam(f"http://admin:wrongpass@127.0.0.1:{camera.port}/snap.jpg"), FAST)
    assert err.value.fault == "auth_failed"
    assert "wrongpass" not in str(err.value) and "admin:***@" in err.value.reason


async def test_wrong_digest_password_is_auth_failed():
    async with http_camera(auth="digest") as camera:
        with pytest.raises(FrameError) as err:
            await grab_snapshot(cam(camera.url(), "admin", "wrong"), FAST)
    assert err.value.fault == "auth_failed" and err.value.source == "snapshot"
    assert err.value.metrics["frame_http_status"] == 401


async def test_missing_credentials_is_auth_failed():
    async with http_camera(auth="basic") as camera:
        with pytest.raises(FrameError) as err:
            await grab_snapshot(cam(camera.url()), FAST)
    assert err.value.fault == "auth_failed"
    assert "without credentials" in err.value.reason


async def test_html_page_instead_of_a_picture_is_decode_error():
    async with http_camera() as camera:
        with pytest.raises(FrameError) as err:
            await grab_snapshot(cam(camera.url("/page")), FAST)
    assert err.value.fault == "decode_error"
    assert "text/html" in err.value.reason and "<html>" in err.value.reason


async def test_jpeg_header_on_noise_is_decode_error_not_a_crash():
    async with http_camera() as camera:
        with pytest.raises(FrameError) as err:
            await grab_snapshot(cam(camera.url("/fake.jpg")), FAST)
    assert err.value.fault == "decode_error"


async def test_header_claiming_huge_dimensions_is_refused_before_decoding():
    async with http_camera() as camera:
        with pytest.raises(FrameError) as err:
            await grab_snapshot(cam(camera.url("/bomb.jpg")), FAST)
    assert err.value.fault == "decode_error" and "60000x60000" in err.value.reason


async def test_oversize_streamed_body_is_cut_at_the_cap():
    settings = ImageSettings(frame_timeout_s=5.0, frame_max_bytes=200_000)
    async with http_camera() as camera:
        with pytest.raises(FrameError) as err:
            await grab_snapshot(cam(camera.url("/big")), settings)
    assert err.value.fault == "decode_error" and "cap" in err.value.reason
    read = err.value.metrics["frame_bytes"]
    assert 200_000 < read < 200_000 + 2 * 70_000  # stopped within a chunk or so of the cap


async def test_oversize_declared_body_is_not_read():
    settings = ImageSettings(frame_timeout_s=5.0, frame_max_bytes=200_000)
    async with http_camera() as camera:
        with pytest.raises(FrameError) as err:
            await grab_snapshot(cam(camera.url("/big-declared")), settings)
    assert err.value.fault == "decode_error" and "1000000000 bytes" in err.value.reason
    assert err.value.metrics["frame_total_s"] < 1.0


async def test_404_is_stream_down():
    async with http_camera() as camera:
        with pytest.raises(FrameError) as err:
            await grab_snapshot(cam(camera.url("/nope.jpg")), FAST)
    assert err.value.fault == "stream_down" and "404" in err.value.reason


async def test_refused_port_is_stream_down():
    with pytest.raises(FrameError) as err:
        await grab_snapshot(cam(f"http://127.0.0.1:{free_port()}/snap.jpg"), FAST)
    assert err.value.fault == "stream_down" and "refused" in err.value.reason


async def test_silent_server_is_timeout_within_the_deadline():
    settings = ImageSettings(frame_timeout_s=0.5)
    async with http_camera() as camera:
        with pytest.raises(FrameError) as err:
            await grab_snapshot(cam(camera.url("/silent")), settings)
    assert err.value.fault == "timeout"
    assert 0.45 <= err.value.metrics["frame_total_s"] < 1.5


async def test_camera_without_snapshot_url_is_a_configuration_error():
    with pytest.raises(NoFrameSource, match="34020000001320000001"):
        await grab_snapshot(cam(None), FAST)


def test_picture_size_reads_jpeg_and_png_headers_without_decoding():
    assert picture_size(jpeg(sample_picture(64, 48))) == (64, 48)
    assert picture_size(_bomb_header()) == (60000, 60000)
    assert picture_size(b"not a picture") is None
    assert picture_size(b"\xff\xd8\xff") is None
