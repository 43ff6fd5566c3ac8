"""TCP connections for the probes (what a socket error says about the camera is probe.neterrors).

``create_connection`` is the one seam the tests replace to see how an unreachable host is classified
(nothing on 127.0.0.0/8 answers EHOSTUNREACH); everything else runs on real sockets. The kinds use
``asyncio.Protocol`` transports, not streams: a probe reads a few hundred bytes, and a StreamReader,
a StreamWriter and a readline per header line cost more CPU than the probe's own logic.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine
from typing import Any


def create_connection(
    protocol_factory: Callable[[], asyncio.Protocol], host: str, port: int
) -> Coroutine[Any, Any, tuple[asyncio.Transport, asyncio.Protocol]]:
    """The seam (tests may replace it): the running loop's ``create_connection``."""
    return asyncio.get_running_loop().create_connection(protocol_factory, host, port)


async def connect(host: str, port: int) -> tuple[asyncio.BaseTransport, float]:
    """Open a TCP connection that ignores what arrives; returns the transport and the connect time in
    seconds. The caller bounds the time (``asyncio.timeout``) and closes the transport."""
    t0 = time.perf_counter()
    transport, _ = await create_connection(asyncio.Protocol, host, port)
    return transport, time.perf_counter() - t0


def close_quietly(transport: asyncio.BaseTransport | None) -> None:
    if transport is None:
        return
    try:
        transport.close()
    except Exception:  # noqa: BLE001 - closing a broken socket must not mask the verdict
        pass
