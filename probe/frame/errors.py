"""Why a frame could not be had: one exception type carrying a stable fault code.

Every frame source either returns a :class:`~probe.frame.frame.Frame` or raises :class:`FrameError`;
nothing else escapes a grab (a library error is translated here, never re-raised raw). The fault is
one of DESIGN.md's codes: ``decode_error`` is an image fault (the camera delivered something that is
not a picture); the other four are the liveness codes, meaning no picture could be fetched. What a
socket error means is probe.neterrors' one table, shared with the liveness kinds.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from camsla.kernel import MetricValue

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

