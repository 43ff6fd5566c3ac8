"""What a socket error says about a camera, shared by every probe and frame source.

Refused or reset: the host is up and the service says no (``stream_down``). No route, network or
host down, or a connect the kernel gave up on: ``unreachable``. A TLS failure: the host answered
(``stream_down``). A bare timeout: ``timeout``.

``classify_oserror`` is the one table; ``find_oserror`` digs the socket error out of a library's
wrapper exceptions, ``classify_under`` does both, and ``causes`` is the walk down an exception's
chain they share with the frame sources' search for a library's own exception types."""

from __future__ import annotations

import errno
import ssl
from collections.abc import Iterator

# errno -> (fault, words for the reason)
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


# errno -> words: the monitor itself ran out of something; not the camera's fault (DESIGN "who is blind")
MONITOR_ERRNOS: dict[int, str] = {
    errno.EMFILE: "the monitor has no file descriptor left (EMFILE)",
    errno.ENFILE: "the system has no file descriptor left (ENFILE)",
    errno.ENOBUFS: "the monitor has no socket buffer left (ENOBUFS)",
    errno.ENOMEM: "the monitor is out of memory (ENOMEM)",
}


class MonitorError(Exception):
    """The monitor could not measure (its own resources ran out): the result is ``error``, the
    camera's time ``unknown`` -- never charged to the camera."""


def classify_oserror(exc: OSError) -> tuple[str, str]:
    """The fault and a short reason for a socket error; an unknown one counts as ``unreachable``.
    Raises MonitorError when the error is the monitor's own (out of descriptors, buffers, memory)."""
    if exc.errno in MONITOR_ERRNOS:
        raise MonitorError(MONITOR_ERRNOS[exc.errno]) from exc
    if isinstance(exc, ConnectionRefusedError):
        return ERRNO_FAULTS[errno.ECONNREFUSED]
    if isinstance(exc, ssl.SSLError):  # the host answered; its TLS did not satisfy us
        return "stream_down", f"TLS failure: {getattr(exc, 'reason', None) or exc}"
    if isinstance(exc, TimeoutError) and exc.errno is None:
        return "timeout", "timed out"
    if exc.errno in ERRNO_FAULTS:
        return ERRNO_FAULTS[exc.errno]
    name = errno.errorcode.get(exc.errno or 0, "")
    return "unreachable", f"socket error {name or exc.__class__.__name__}: {exc.strerror or exc}"


def causes(exc: BaseException) -> Iterator[BaseException]:
    """``exc``, then what it was raised from or during (``__cause__``, else ``__context__``), and so
    on down the chain; each exception once, so a cycle ends the walk."""
    seen: set[int] = set()
    node: BaseException | None = exc
    while node is not None and id(node) not in seen:
        yield node
        seen.add(id(node))
        node = node.__cause__ or node.__context__


def find_oserror(exc: BaseException, *, require_errno: bool = True) -> OSError | None:
    """The OSError under a library's wrapper exceptions (httpx, httpcore, anyio, aiohttp and zeep
    chain them): the first one with an errno; without ``require_errno``, else the first one at all.
    A bare TimeoutError is not a socket error and is skipped."""
    first: OSError | None = None
    for node in causes(exc):
        if isinstance(node, OSError) and not isinstance(node, TimeoutError):
            if node.errno is not None:
                return node
            first = first or node
    return None if require_errno else first


def classify_under(exc: BaseException, *, require_errno: bool = True) -> tuple[str, str] | None:
    """``classify_oserror`` of the socket error ``find_oserror`` finds under ``exc``; None when
    there is none (the caller then says what the wrapper itself means)."""
    os_error = find_oserror(exc, require_errno=require_errno)
    return None if os_error is None else classify_oserror(os_error)
