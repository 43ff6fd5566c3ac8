"""Start GStreamer's RTSP server (tests/peers/gst_rtsp_server.py) as a subprocess for a test."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SCRIPT = Path(__file__).with_name("gst_rtsp_server.py")
SYSTEM_PYTHON = "/usr/bin/python3"


def gst_available() -> bool:
    if not Path(SYSTEM_PYTHON).exists():
        return False
    probe = subprocess.run(
        [SYSTEM_PYTHON, "-c", "import gi; gi.require_version('GstRtspServer','1.0')"],
        capture_output=True,
    )
    return probe.returncode == 0


@dataclass
class RtspPeer:
    port: int
    path: str
    proc: subprocess.Popen

    @property
    def url(self) -> str:
        return f"rtsp://127.0.0.1:{self.port}{self.path}"


@contextlib.contextmanager
def rtsp_server(*args: str, path: str = "/test", timeout: float = 20.0) -> Iterator[RtspPeer]:
    """Run the server with extra CLI args (e.g. ``"--pattern", "black"``); yields once it listens."""
    if not gst_available():  # pragma: no cover - .ci/run installs it; a dev box may not have it
        if shutil.which("apt-get") and "CI" in __import__("os").environ:
            pytest.fail("GStreamer RTSP server is not installed (python3-gi, gir1.2-gst-rtsp-server-1.0)")
        pytest.skip("GStreamer RTSP server not installed")
    proc = subprocess.Popen(
        [SYSTEM_PYTHON, str(SCRIPT), "--path", path, *args],
        stdout=subprocess.PIPE,
        stderr=sys.stderr,
        text=True,
    )
    try:
        deadline = time.monotonic() + timeout
        line = ""
        while time.monotonic() < deadline:
            line = proc.stdout.readline() if proc.stdout else ""
            if line.startswith("READY") or not line:
                break
        if not line.startswith("READY"):
            raise RuntimeError(f"RTSP server did not start: {line!r}")
        yield RtspPeer(port=int(line.split()[1]), path=path, proc=proc)
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
