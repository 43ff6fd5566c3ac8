"""ONVIF snapshots (GetProfiles, GetSnapshotUri, then the Digest-protected JPEG) through
onvif-zeep-async against the schema-validating test device (tests/peers/onvif_device.py)."""

from __future__ import annotations

import socket

import numpy as np
import pytest

from camsla.kernel import ImageSettings
from probe.frame import FrameError, NoFrameSource, grab_onvif
from probe.target import Target
from tests.peers.onvif_device import onvif_device

pytestmark = pytest.mark.peer
FAST = ImageSettings(frame_timeout_s=8.0)


def cam(url: str | None, username: str | None = "admin", password: str | None = "secret") -> Target:
    return Target(
        camera_id="34020000001320000002", ip="127.0.0.1", onvif_url=url, username=username, password=password
    )


async def test_onvif_snapshot_comes_through_get_snapshot_uri_and_digest():
    with onvif_device(user="admin", password="p@ss:w/rd") as dev:
        frame = await grab_onvif(cam(dev.url, "admin", "p@ss:w/rd"), FAST)
        assert dev.validation_errors == []
        assert "trt:GetProfiles" in dev.requests and "trt:GetSnapshotUri" in dev.requests
    assert frame.source == "onvif"
    assert (frame.width, frame.height) == (640, 360)
    assert frame.encoded is not None and frame.encoded[:2] == b"\xff\xd8"
    # the device's colour bars: the first bar is light grey, the sixth red (BGR 0,0,192)
    assert np.allclose(frame.image[180, 45], (192, 192, 192), atol=12)
    assert np.allclose(frame.image[180, 5 * 91 + 45], (0, 0, 192), atol=12)
    m = frame.metrics
    assert m["frame_snapshot_uri"].endswith("/onvif/snapshot.jpg")
    assert m["frame_profile"] and m["frame_http_status"] == 200
    assert 0 < m["frame_onvif_s"] <= m["frame_total_s"] < 8


async def test_onvif_wrong_password_is_auth_failed():
    with onvif_device(user="admin", password="secret") as dev:
        with pytest.raises(FrameError) as err:
            await grab_onvif(cam(dev.url, "admin", "wrong"), FAST)
    assert err.value.fault == "auth_failed" and err.value.source == "onvif"
    assert "wrong" not in str(err.value)


async def test_onvif_refused_port_is_stream_down():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(FrameError) as err:
        await grab_onvif(cam(f"http://127.0.0.1:{port}/onvif/device_service"), FAST)
    assert err.value.fault == "stream_down" and "refused" in err.value.reason


async def test_onvif_url_that_is_not_http_is_a_configuration_error():
    with pytest.raises(NoFrameSource, match="not an http"):
        await grab_onvif(cam("rtsp://127.0.0.1/onvif"), FAST)


async def test_onvif_silent_device_is_timeout_within_the_deadline():
    from tests.probe.frame.rtsp_fakes import fake_rtsp_server  # accepts and reads, never answers

    async with fake_rtsp_server("silent") as url:
        port = url.split(":")[2].split("/")[0]
        with pytest.raises(FrameError) as err:
            await grab_onvif(
                cam(f"http://127.0.0.1:{port}/onvif/device_service"), ImageSettings(frame_timeout_s=1.0)
            )
    assert err.value.fault == "timeout"
    assert 0.95 <= err.value.metrics["frame_total_s"] < 2.0


async def test_onvif_without_configured_credentials_is_auth_failed_and_says_so():
    with onvif_device() as dev:
        with pytest.raises(FrameError) as err:
            await grab_onvif(cam(dev.url, None, None), FAST)
    assert err.value.fault == "auth_failed" and "no username" in err.value.reason
