"""Monitoring does not depend on the database being up. The service runs in-process against the
real PostgreSQL through a TCP proxy the test controls, probing loopback cameras every second:

* the database refuses connections for a while, then comes back;
* the database accepts connections and never answers, then comes back;
* the service starts while the database is down (from its inventory snapshot);
* it is stopped while the database hangs: it stops within 10 s and spools what it holds.

Each ends with the figures an undisturbed run gives: every camera measured all along (no unknown
time), the camera that is up all ok, the one that is down all offline. PostgreSQL only: the proxy
stands between the service and a server (CAMSLA_TEST_DATABASE_URL)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from camsla.db import sla_report
from camsla.kernel import load_settings
from camsla.service.app import make_service, run_service
from tests.camsla.cli_runner import run

pytestmark = pytest.mark.slow
needs_pg = pytest.mark.skipif(not os.environ.get("CAMSLA_TEST_DATABASE_URL"),
                              reason="the proxy stands in front of the PostgreSQL test server")
sqlite_only = pytest.mark.skipif(bool(os.environ.get("CAMSLA_TEST_DATABASE_URL")), reason="SQLite's own outage")
UP, DOWN = "34010000001320000001", "34010000001320000002"
STALE_S = 4.0  # short, so that any gap in measuring would show as unknown time


class Proxy:
    """A TCP proxy to the database: ``up`` forwards, ``refuse`` closes the port, ``hang`` accepts
    and never answers (and stalls the connections it has)."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.mode = "up"
        self.server: asyncio.AbstractServer | None = None
        self.port = 0
        self.conns: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)
        self.port = self.server.sockets[0].getsockname()[1]

    async def set(self, mode: str) -> None:
        """``stall``: like ``hang``, but the connections already open stay open and go silent."""
        self.mode = mode
        if mode == "stall":
            return
        for w in list(self.conns):
            w.close()
        self.conns.clear()
        if mode == "refuse" and self.server is not None:
            self.server.close()
            self.server = None
        elif mode != "refuse" and self.server is None:
            await self.start()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.conns.add(writer)
        if self.mode in ("hang", "stall"):
            with contextlib.suppress(Exception):
                while await reader.read(65536):
                    pass
            return
        try:
            up_r, up_w = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        self.conns.add(up_w)

        async def pipe(r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
            with contextlib.suppress(Exception):
                while data := await r.read(65536):
                    if self.mode in ("hang", "stall"):
                        await asyncio.sleep(3600)
                    w.write(data)
                    await w.drain()
            w.close()

        await asyncio.gather(pipe(reader, up_w), pipe(up_r, writer))


def _settings(db_url: str, proxy_port: int | None, tmp_path: Path):  # noqa: ANN202
    if proxy_port is not None:
        url = make_url(db_url.replace("postgresql://", "postgresql+psycopg://")).set(host="127.0.0.1", port=proxy_port)
        db_url = url.render_as_string(hide_password=False)
    return load_settings(environ={
        "CAMSLA_DATABASE_URL": db_url, "CAMSLA_TIMEZONE": "UTC",
        "CAMSLA_PROBE__LIVENESS_INTERVAL_S": "1", "CAMSLA_PROBE__TIMEOUT_S": "0.5",
        "CAMSLA_PROBE__DEFAULT_KINDS": '["tcp"]', "CAMSLA_PROBE__JITTER": "0",
        "CAMSLA_STALE_AFTER": f'{{"liveness": {STALE_S}}}', "CAMSLA_FLUSH_INTERVAL_S": "0.5",
        "CAMSLA_DATABASE__CONNECT_TIMEOUT_S": "1", "CAMSLA_DATABASE__STATEMENT_TIMEOUT_S": "5",
        "CAMSLA_SPOOL_DIR": str(tmp_path / "spool"), "CAMSLA_INVENTORY_SNAPSHOT": str(tmp_path / "inventory.json"),
        "CAMSLA_WEB__PORT": "0", "CAMSLA_IMAGE__EVIDENCE_DIR": str(tmp_path / "evidence"),
    })


@contextlib.contextmanager
def cameras():  # noqa: ANN201
    """One camera that accepts TCP (up) and the address of one that refuses (down)."""
    up = socket.socket()
    up.bind(("127.0.0.1", 0))
    up.listen(64)
    down = socket.socket()
    down.bind(("127.0.0.1", 0))
    try:
        yield up.getsockname()[1], down.getsockname()[1]
    finally:
        up.close()
        down.close()


def _import(tmp_path: Path, up_port: int, down_port: int) -> None:
    inv = tmp_path / "cams.csv"
    inv.write_text(
        "camera_id,name,sector,ip,commissioned_at,rtsp_url\n"
        f"{UP},在线,public_area,127.0.0.1,2026-01-01,rtsp://127.0.0.1:{up_port}/ch1\n"
        f"{DOWN},离线,public_area,127.0.0.1,2026-01-01,rtsp://127.0.0.1:{down_port}/ch1\n", encoding="utf-8")
    assert run("inventory", "import", str(inv)).exit_code == 0


async def _serve_through(settings, disturb, *, service=None) -> tuple[datetime, datetime]:  # noqa: ANN001
    """Run the service while ``disturb()`` plays out; returns the span in which it probed."""
    stop = asyncio.Event()
    service = service or await asyncio.to_thread(make_service, settings)
    task = asyncio.create_task(run_service(settings, service=service, stop=stop))
    await asyncio.sleep(2.5)
    first = datetime.now(UTC) - timedelta(seconds=1.5)
    await disturb()
    await asyncio.sleep(3)
    last = datetime.now(UTC) - timedelta(seconds=1)
    stop.set()
    await asyncio.wait_for(task, 30)
    return first, last


def _assert_undisturbed(db, settings, span: tuple[datetime, datetime]) -> None:  # noqa: ANN001
    report = sla_report(db, span[0], span[1], settings.stale_after, now=span[1], tz="UTC")
    seconds = {c.camera_id: c.seconds for c in report.cameras}
    length_us = round((span[1] - span[0]).total_seconds() * 1e6)
    assert seconds[UP].unknown_us == 0 and seconds[DOWN].unknown_us == 0, seconds  # measured all along
    assert seconds[UP].ok_us == length_us and seconds[DOWN].offline_us == length_us, seconds


@pytest.fixture
async def rig(db, db_url, cli_env, tmp_path):  # noqa: ANN001, ANN201
    """The proxy in front of the test database, two cameras imported, the service's settings."""
    pg = make_url(db_url)
    proxy = Proxy(pg.host or "127.0.0.1", pg.port or 5432)
    await proxy.start()
    with cameras() as (up, down):
        _import(tmp_path, up, down)
        yield proxy, _settings(db_url, proxy.port, tmp_path)


def _outage(proxy: Proxy, mode: str, seconds: float):  # noqa: ANN202
    async def disturb() -> None:
        await proxy.set(mode)
        await asyncio.sleep(seconds)
        await proxy.set("up")

    return disturb


@needs_pg
async def test_the_database_refusing_then_back_loses_nothing(db, rig) -> None:
    proxy, settings = rig
    span = await _serve_through(settings, _outage(proxy, "refuse", 3 * STALE_S))
    _assert_undisturbed(db, settings, span)


@needs_pg
async def test_a_database_that_accepts_and_never_answers_loses_nothing(db, rig) -> None:
    proxy, settings = rig
    span = await _serve_through(settings, _outage(proxy, "hang", 3 * STALE_S))
    _assert_undisturbed(db, settings, span)


@needs_pg
async def test_the_service_starts_with_the_database_down_and_stores_everything_later(db, rig) -> None:
    proxy, settings = rig
    await _serve_through(settings, lambda: asyncio.sleep(0.5))  # a first run leaves the inventory snapshot
    assert Path(settings.inventory_snapshot).exists()
    await proxy.set("refuse")
    service = await asyncio.to_thread(make_service, settings)  # starts anyway, from the snapshot
    assert service.schema_pending

    async def come_back() -> None:
        await asyncio.sleep(2 * STALE_S)
        await proxy.set("up")

    span = await _serve_through(settings, come_back, service=service)
    _assert_undisturbed(db, settings, span)


@needs_pg
async def test_sigterm_while_the_database_hangs_stops_within_10_s_and_spools(rig) -> None:
    proxy, settings = rig
    stop = asyncio.Event()
    service = await asyncio.to_thread(make_service, settings)
    task = asyncio.create_task(run_service(settings, service=service, stop=stop))
    await asyncio.sleep(2)
    await proxy.set("hang")
    await asyncio.sleep(3)
    t0 = time.monotonic()
    stop.set()
    await asyncio.wait_for(task, 15)
    assert time.monotonic() - t0 < 10
    spooled = sorted(Path(settings.spool_dir).glob("*.jsonl"))
    assert spooled, "what could not be stored at the stop is on disk"
    await proxy.set("up")
    for f in spooled:
        assert run("ingest", str(f)).exit_code == 0


@sqlite_only
async def test_a_sqlite_database_that_cannot_be_written_loses_nothing(db, db_url, cli_env, tmp_path) -> None:
    """SQLite's outage: another process holds the write lock; results wait, then all are stored."""
    import sqlite3

    with cameras() as (up, down):
        _import(tmp_path, up, down)
        settings = _settings(db_url, None, tmp_path)
        path = make_url(db_url).database

        async def locked() -> None:
            holder = sqlite3.connect(path, isolation_level=None)
            holder.execute("BEGIN IMMEDIATE")
            try:
                await asyncio.sleep(3 * STALE_S)
            finally:
                holder.execute("ROLLBACK")
                holder.close()

        span = await _serve_through(settings, locked)
    _assert_undisturbed(db, settings, span)
