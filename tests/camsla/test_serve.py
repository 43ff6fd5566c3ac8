"""`camsla serve` as a process: probes a camera, serves the pages, and a SIGTERM flushes what is
buffered so nothing observed is lost."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests.camsla.cli_runner import run

CAM = "34010000001320000001"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rtsp_listener() -> socket.socket:
    """A port that accepts connections (the camera's RTSP port; the tcp kind only needs the connect)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(64)
    return s


@pytest.mark.slow
def test_sigterm_flushes_buffered_observations(cli_env, db_url, tmp_path: Path):
    cam_port = rtsp_listener()
    port = free_port()
    csv = tmp_path / "cams.csv"
    csv.write_text(
        "camera_id,name,sector,ip,commissioned_at,rtsp_url\n"
        f"{CAM},测试,public_area,127.0.0.1,2026-01-01,rtsp://127.0.0.1:{cam_port.getsockname()[1]}/ch1\n",
        encoding="utf-8",
    )
    assert run("inventory", "import", str(csv)).exit_code == 0
    env = {
        **os.environ,
        "CAMSLA_DATABASE_URL": db_url,
        "CAMSLA_PROBE__LIVENESS_INTERVAL_S": "1",
        "CAMSLA_PROBE__TIMEOUT_S": "1",
        "CAMSLA_PROBE__DEFAULT_KINDS": '["tcp"]',
        "CAMSLA_FLUSH_INTERVAL_S": "3600",  # nothing is written until the stop
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "camsla", "serve", "--port", str(port)],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        deadline = time.monotonic() + 30
        buffered = 0.0
        while time.monotonic() < deadline:  # probed, held in memory (the current state is stored with them)
            try:
                metrics = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2).text
                buffered = float(re.search(r"^camsla_observations_buffered (\S+)$", metrics, re.M).group(1))
                if buffered:
                    break
            except (httpx.HTTPError, AttributeError):
                pass
            time.sleep(0.3)
        assert buffered >= 1
        time.sleep(2.5)  # a few more cycles, still only in memory
        engine = create_engine(db_url.replace("postgresql://", "postgresql+psycopg://"))
        with engine.connect() as c:
            assert c.execute(text("select count(*) from raw_observation")).scalar() == 0
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=20)
        assert proc.returncode == 0, out
        with engine.connect() as c:
            n = c.execute(text("select count(*) from raw_observation")).scalar()
            runs = c.execute(text("select status, n_obs from run")).all()
        engine.dispose()
        assert n >= 3, out
        assert runs == [("ok", n)]
    finally:
        if proc.poll() is None:
            proc.kill()
        cam_port.close()
