"""Why a frame could not be had: one exception type carrying a stable fault code.

Every frame source either returns a :class:`~probe.frame.frame.Frame` or raises :class:`FrameError`;
nothing else escapes a grab (a library error is translated here, never re-raised raw). The fault is
one of DESIGN.md's codes: ``decode_error`` is an image fault (the camera delivered something that is
not a picture); the other four are the liveness codes, meaning no picture could be fetched.
"""

from __future__ import annotations

import errno
import ssl
from collections.abc import Mapping
from typing import Literal

from camsla.observation import MetricValue

FrameFault = Literal["decode_error", "stream_down", "auth_failed", "timeout", "unreachable"]
FRAME_FAULTS: tuple[FrameFault, ...] = (
    "decode_error",
    "stream_down",
    "auth_failed",
    "timeout",
    "unreachable",
)


class FrameError(Exception):
    """A grab that produced no frame.

    ``fault``: one of FRAME_FAULTS. ``reason``: one line for an operator, naming the place
    (URL without credentials, phase). ``source``: the frame source that failed (``rtsp``,
    ``snapshot``, ``onvif``). ``metrics``: what was measured before it failed (elapsed seconds,
    bytes read...). ``attempts``: for :func:`probe.frame.grab_frame`, every source's own error.
    """

    def __init__(
        self,
        fault: FrameFault,
        reason: str,
        *,
        source: str = "",
        metrics: Mapping[str, MetricValue] | None = None,
        attempts: tuple[FrameError, ...] = (),
    ) -> None:
        if fault not in FRAME_FAULTS:
            raise ValueError(
                f"FrameError: unknown fault {fault!r} (expected one of {', '.join(FRAME_FAULTS)})"
            )
        super().__init__(f"{source + ': ' if source else ''}{fault}: {reason}")
        self.fault: FrameFault = fault
        self.reason = reason
        self.source = source
        self.metrics: dict[str, MetricValue] = dict(metrics or {})
        self.attempts = attempts


class NoFrameSource(ValueError):
    """The camera has no URL for the requested source (a configuration problem, not a camera fault)."""


# errno -> (fault, words). Refused or reset: the host is up and the service says no.
_ERRNO_FAULTS: dict[int, tuple[FrameFault, str]] = {
    errno.ECONNREFUSED: ("stream_down", "connection refused"),
    errno.ECONNRESET: ("stream_down", "connection reset"),
    errno.ECONNABORTED: ("stream_down", "connection aborted"),
    errno.EPIPE: ("stream_down", "connection closed"),
    errno.EHOSTUNREACH: ("unreachable", "no route to host"),
    errno.ENETUNREACH: ("unreachable", "network unreachable"),
    errno.EHOSTDOWN: ("unreachable", "host is down"),
    errno.ENETDOWN: ("unreachable", "network is down"),
    errno.EADDRNOTAVAIL: ("unreachable", "address not available"),
    errno.ETIMEDOUT: ("timeout", "timed out"),
}


def classify_oserror(exc: OSError) -> tuple[FrameFault, str]:
    """The fault and a few words for a socket error; an unknown one counts as ``unreachable``."""
    if isinstance(exc, ConnectionRefusedError):
        return _ERRNO_FAULTS[errno.ECONNREFUSED]
    if isinstance(exc, ssl.SSLError):  # the host answered; its TLS did not satisfy us
        return "stream_down", f"TLS failure: {getattr(exc, 'reason', None) or exc}"
    if isinstance(exc, TimeoutError) and exc.errno is None:
        return "timeout", "timed out"
    if exc.errno in _ERRNO_FAULTS:
        return _ERRNO_FAULTS[exc.errno]
    name = errno.errorcode.get(exc.errno or 0, "")
    return "unreachable", f"socket error {name or type(exc).__name__}: {exc.strerror or exc}"


def find_oserror(exc: BaseException) -> OSError | None:
    """The OSError under a library's wrapper exception (httpx, aiohttp and zeep chain them)."""
    seen: set[int] = set()
    node: BaseException | None = exc
    while node is not None and id(node) not in seen:
        if isinstance(node, OSError) and node.errno is not None:
            return node
        seen.add(id(node))
        node = node.__cause__ or node.__context__
    return None
