"""TCP connections for the probes, and what a socket error says about the camera.

``open_connection`` is the one seam the tests replace to see how an unreachable host is classified
(nothing on 127.0.0.0/8 answers EHOSTUNREACH); everything else runs on real sockets.
"""

from __future__ import annotations

import asyncio
import errno
import time

open_connection = asyncio.open_connection  # the seam: tests may replace it

# errno -> (fault, words for the reason). Refused means the host is up and the service says no.
ERRNO_FAULTS: dict[int, tuple[str, str]] = {
    errno.ECONNREFUSED: ("stream_down", "connection refused"),
    errno.ECONNRESET: ("stream_down", "connection reset"),
    errno.ECONNABORTED: ("stream_down", "connection aborted"),
    errno.EPIPE: ("stream_down", "connection closed"),
    errno.EHOSTUNREACH: ("unreachable", "no route to host"),
    errno.ENETUNREACH: ("unreachable", "network unreachable"),
    errno.EHOSTDOWN: ("unreachable", "host is down"),
    errno.ENETDOWN: ("unreachable", "network is down"),
    errno.ETIMEDOUT: ("unreachable", "connection timed out in the kernel"),
    errno.EADDRNOTAVAIL: ("unreachable", "address not available"),
}


def classify_oserror(exc: OSError) -> tuple[str, str]:
    """The liveness fault and a short reason for a socket error; unknown errors count as unreachable."""
    if isinstance(exc, ConnectionRefusedError):
        return ERRNO_FAULTS[errno.ECONNREFUSED]
    if exc.errno in ERRNO_FAULTS:
        return ERRNO_FAULTS[exc.errno]
    name = errno.errorcode.get(exc.errno or 0, "")
    return "unreachable", f"socket error {name or exc.__class__.__name__}: {exc.strerror or exc}"


def find_oserror(exc: BaseException) -> OSError | None:
    """The OSError under a library's wrapper exceptions (httpx/httpcore/anyio chain them): the first one
    with an errno, else the first one at all."""
    seen: set[int] = set()
    first: OSError | None = None
    node: BaseException | None = exc
    while node is not None and id(node) not in seen:
        if isinstance(node, OSError) and not isinstance(node, TimeoutError):
            if node.errno is not None:
                return node
            first = first or node
        seen.add(id(node))
        node = node.__cause__ or node.__context__
    return first


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
