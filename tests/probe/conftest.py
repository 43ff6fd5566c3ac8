"""The liveness probes and the cycle runner are tested on both event loops: the stock one, and uvloop,
which ``camsla serve`` runs on (camsla/cli/serve.py). Other tests under tests/probe keep the default."""

from __future__ import annotations

import asyncio
from pathlib import Path

BOTH_LOOPS = {"test_liveness_rtsp.py", "test_liveness_tcp.py", "test_runner.py"}


def pytest_asyncio_loop_factories(config, item):  # noqa: ANN001, ANN201 - a pytest-asyncio hook
    if Path(str(item.path)).name not in BOTH_LOOPS:
        return None
    factories = {"asyncio": asyncio.new_event_loop}
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is a dependency except on Windows
        return factories
    factories["uvloop"] = uvloop.new_event_loop
    return factories
