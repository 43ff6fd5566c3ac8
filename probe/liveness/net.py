"""TCP connections for the probes, and what a socket error says about the camera.

``open_connection`` is the one seam the tests replace to see how an unreachable host is classified
(nothing on 127.0.0.0/8 answers EHOSTUNREACH); everything else runs on real sockets.
"""

from __future__ import annotations

import asyncio
import time

from probe import neterrors

open_connection = asyncio.open_connection  # the seam: tests may replace it

def classify_oserror(exc: OSError) -> tuple[str, str]:
    """The liveness fault and a short reason for a socket error (see probe.neterrors)."""
    return neterrors.classify_oserror(exc)


def find_oserror(exc: BaseException) -> OSError | None:
    """The OSError under a library's wrapper exceptions: the first with an errno, else the first."""
    return neterrors.find_oserror(exc, require_errno=False)


async def connect(host: str, port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter, float]:
    """Open a TCP connection; returns reader, writer and the connect time in seconds.
    The caller bounds the time (``asyncio.timeout``)."""
    t0 = time.perf_counter()
    reader, writer = await open_connection(host, port)
    return reader, writer, time.perf_counter() - t0


def close_quietly(writer: asyncio.StreamWriter | None) -> None:
    if writer is None:
        return
    try:
        writer.close()
    except Exception:  # noqa: BLE001 - closing a broken socket must not mask the verdict
        pass
