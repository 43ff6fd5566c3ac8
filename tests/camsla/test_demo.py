"""`camsla demo` end to end: a simulated fleet on loopback, the real probes and scheduler, the
embedded database, the page's URL printed and the figures served."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import time

import httpx
import pytest


@pytest.mark.slow
def test_demo_prints_its_url_serves_figures_and_stores_results(tmp_path):
    db = tmp_path / "demo.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAMSLA_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "camsla", "demo", "--cameras", "40", "--interval", "2", "--port", "0",
         "--duration", "40", "--database", f"sqlite:///{db}"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        url = None
        deadline = time.monotonic() + 30
        while url is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            m = re.search(r"camsla demo: open (http://127\.0\.0\.1:\d+/)", line)
            url = m.group(1) if m else None
        assert url, "the demo did not print its URL"
        time.sleep(8)  # a few liveness cycles
        page = httpx.get(url, timeout=10)
        assert page.status_code == 200 and "行业/领域网" in page.text
        cams = httpx.get(url + "api/cameras", timeout=10).json()["cameras"]
        assert len(cams) == 40 and sum(1 for c in cams if c["liveness"]) >= 30
    finally:
        proc.terminate()
        out = proc.communicate(timeout=30)[0]
    assert proc.returncode == 0, out
    con = sqlite3.connect(db)
    statuses = dict(con.execute("select status, count(*) from raw_observation where \"check\"='liveness' group by 1"))
    con.close()
    assert statuses.get("ok", 0) > 40  # several cycles of mostly healthy cameras
