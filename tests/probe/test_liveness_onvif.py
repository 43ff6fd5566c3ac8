"""The onvif liveness kind against the ONVIF test device over real SOAP on loopback."""

from __future__ import annotations

import asyncio
import socket

import pytest

from camsla.kernel import ProbeSettings
from probe import Target, probe_liveness
from probe.liveness.onvif import probe_onvif
from tests.peers.onvif_device import onvif_device

SETTINGS = ProbeSettings(timeout_s=2.0)


def target(url: str, user: str | None = "admin", password: str | None = "secret") -> Target:
    return Target.build(camera_id="34010000001320000001", onvif_url=url, username=user, password=password,
                        profile={"liveness_kinds": ["onvif"]})


async def test_answering_device_with_right_credentials_is_ok_and_identifies_itself():
    with onvif_device("good") as dev:
        r = await probe_onvif(target(dev.url), SETTINGS)
        assert r.status == "ok", r.reason
        assert r.metrics["manufacturer"] and r.metrics["serialnumber"]
        assert abs(r.metrics["clock_offset_s"]) < 5
        assert dev.requests[-2:] == ["tds:GetSystemDateAndTime", "tds:GetDeviceInformation"]


async def test_wrong_password_is_auth_failed():
    with onvif_device("good") as dev:
        r = await probe_onvif(target(dev.url, password="wrong"), SETTINGS)
    assert (r.status, r.fault) == ("fail", "auth_failed") and "NotAuthorized" in r.reason


async def test_without_credentials_only_the_service_is_checked():
    with onvif_device("good") as dev:
        r = await probe_onvif(target(dev.url, user=None, password=None), SETTINGS)
        assert r.status == "ok" and dev.requests == ["tds:GetSystemDateAndTime"]


async def test_refused_port_is_stream_down_and_silence_is_timeout():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    r = await probe_onvif(target(f"http://127.0.0.1:{port}/onvif/device_service"), SETTINGS)
    assert (r.status, r.fault) == ("fail", "stream_down")

    async def silent(reader, writer):
        await asyncio.sleep(10)

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        r = await probe_onvif(target(f"http://127.0.0.1:{port}/onvif/device_service"), ProbeSettings(timeout_s=0.5))
    finally:
        server.close()
    assert (r.status, r.fault) == ("fail", "timeout")


@pytest.mark.parametrize("body", [b"<html>router login</html>", b"\x00\x01garbage"])
async def test_an_answer_that_is_not_onvif_soap_is_stream_down(body):
    async def web(reader, writer):
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(web, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        r = await probe_onvif(target(f"http://127.0.0.1:{port}/onvif/device_service"), SETTINGS)
    finally:
        server.close()
    assert (r.status, r.fault) == ("fail", "stream_down") and "not an ONVIF device service" in r.reason


async def test_onvif_kind_through_the_camera_profile():
    with onvif_device("good") as dev:
        obs = await probe_liveness(target(dev.url), SETTINGS)
    assert obs.status == "ok" and obs.metrics["onvif_manufacturer"]
