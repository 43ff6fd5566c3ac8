"""Who is blind, the camera or the monitor (DESIGN.md): every kind has one total deadline; a camera
that does not complete within it is `fail` with `timeout` -- it is the camera's time. `error` is
only the monitor's own inability: its event loop too late to keep the deadline, its resources
exhausted. Real loopback servers, through the cycle runner as the service uses it."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import time

import pytest

from camsla.kernel import ProbeSettings
from probe import Target, run_cycle
from probe.neterrors import MonitorError, classify_oserror

TIMEOUT = ProbeSettings(timeout_s=1.0, jitter=0)


@contextlib.asynccontextmanager
async def server(handler):  # noqa: ANN001, ANN201
    srv = await asyncio.start_server(handler, "127.0.0.1", 0)
    try:
        yield srv.sockets[0].getsockname()[1]
    finally:
        srv.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(srv.wait_closed(), 1)


async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Accepts the connection, reads what comes, never answers."""
    with contextlib.suppress(Exception):
        while await reader.read(4096):
            pass
    writer.close()


async def dribbling(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """An HTTP snapshot that starts at once and then sends one byte every 0.3 s."""
    with contextlib.suppress(Exception):
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nContent-Length: 100000\r\n\r\n")
        for _ in range(100):
            writer.write(b"x")
            await writer.drain()
            await asyncio.sleep(0.3)
    writer.close()


async def one(target: Target):  # noqa: ANN201
    got = []
    await run_cycle([target], TIMEOUT, got.append, spread_s=0)
    return got[0]


async def test_a_camera_that_accepts_tcp_and_never_answers_rtsp_is_offline_with_timeout() -> None:
    async with server(silent) as port:
        obs = await one(Target(camera_id="c1", ip="127.0.0.1", rtsp_url=f"rtsp://127.0.0.1:{port}/ch1",
                               kinds=("rtsp",)))
    assert (obs.status, obs.faults) == ("fail", ("timeout",))


async def test_a_snapshot_dribbling_bytes_is_offline_with_timeout_at_the_deadline() -> None:
    async with server(dribbling) as port:
        t0 = time.monotonic()
        obs = await one(Target(camera_id="c1", ip="127.0.0.1", snapshot_url=f"http://127.0.0.1:{port}/snap.jpg",
                               kinds=("http",)))
    assert (obs.status, obs.faults) == ("fail", ("timeout",))
    assert time.monotonic() - t0 < TIMEOUT.timeout_s + 0.5


async def test_a_silent_onvif_service_is_offline_with_timeout() -> None:
    async with server(silent) as port:
        obs = await one(Target(camera_id="c1", ip="127.0.0.1", onvif_url=f"http://127.0.0.1:{port}/onvif/device_service",
                               kinds=("onvif",)))
    assert (obs.status, obs.faults) == ("fail", ("timeout",))


async def test_a_starved_event_loop_is_the_monitors_error_not_the_cameras_time() -> None:
    loop = asyncio.get_running_loop()
    async with server(silent) as port:
        loop.call_later(0.2, time.sleep, 2.0)  # something hogs the monitor's loop during the probe
        obs = await one(Target(camera_id="c1", ip="127.0.0.1", rtsp_url=f"rtsp://127.0.0.1:{port}/ch1",
                               kinds=("rtsp",)))
    assert obs.status == "error" and obs.faults == ()


@pytest.mark.parametrize("code", [errno.EMFILE, errno.ENFILE, errno.ENOBUFS])
def test_running_out_of_descriptors_or_buffers_is_the_monitors(code: int) -> None:
    with pytest.raises(MonitorError):
        classify_oserror(OSError(code, "no more"))
