"""Frame acquisition for the image check: one decoded picture per camera.

Every source is ``async def grab_<source>(target, settings) -> Frame`` and raises ``FrameError``
(a stable fault code and a reason) when it gets no picture; ``FRAME_SOURCES`` names them. A source
whose URL the camera lacks raises ``NoFrameSource`` (configuration, not a camera fault).
``grab_frame`` tries the camera's configured sources in order (ONVIF snapshot, HTTP snapshot, RTSP
keyframe) and returns the first picture.

``target``: ``probe.target.Target`` or anything with camera_id, rtsp_url, snapshot_url, onvif_url,
username, password. ``settings``: ``camsla.kernel.settings.Settings`` or its ``ImageSettings`` section
(``frame_timeout_s`` bounds each source's attempt, ``frame_max_bytes`` the bytes it reads).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace

from camsla.kernel import ImageSettings, Settings
from probe.frame.errors import FRAME_FAULTS, FrameError, FrameFault, NoFrameSource
from probe.frame.frame import Frame, FrameTarget
from probe.frame.onvif import grab_onvif
from probe.frame.rtsp import grab_rtsp
from probe.frame.snapshot import grab_snapshot

GrabFn = Callable[[FrameTarget, Settings | ImageSettings], Awaitable[Frame]]


@dataclass(frozen=True, slots=True)
class FrameSource:
    grab: GrabFn
    url_attr: str  # the target attribute this source needs; a camera without it skips the source

    def configured(self, target: FrameTarget) -> bool:
        return bool(getattr(target, self.url_attr, None))


# Tried in this order by grab_frame: a snapshot is one cheap HTTP GET of a full-quality JPEG; the
# RTSP keyframe costs a stream setup and up to one GOP of waiting.
FRAME_SOURCES: dict[str, FrameSource] = {
    "onvif": FrameSource(grab_onvif, "onvif_url"),
    "snapshot": FrameSource(grab_snapshot, "snapshot_url"),
    "rtsp": FrameSource(grab_rtsp, "rtsp_url"),
}

# When every source fails, the verdict is the failure that got furthest: a picture that would not
# decode says more about the camera than a refused login, which says more than a timeout.
FAULT_PRECEDENCE: tuple[FrameFault, ...] = (
    "decode_error",
    "auth_failed",
    "stream_down",
    "timeout",
    "unreachable",
)


async def grab_frame(
    target: FrameTarget, settings: Settings | ImageSettings, order: Sequence[str] | None = None
) -> Frame:
    """The first picture from the camera's configured sources, tried one after another in
    ``order`` (default: the FRAME_SOURCES order). A success after failures lists them in
    ``metrics["frame_fallbacks"]`` (``"onvif:auth_failed,snapshot:timeout"``). When all fail,
    raises FrameError with the furthest-reaching fault and every attempt in ``.attempts``;
    raises NoFrameSource when the camera has none of the URLs."""
    names = tuple(order) if order is not None else tuple(FRAME_SOURCES)
    unknown = [n for n in names if n not in FRAME_SOURCES]
    if unknown:
        raise ValueError(f"unknown frame source(s) {', '.join(unknown)} (known: {', '.join(FRAME_SOURCES)})")
    usable = [n for n in names if FRAME_SOURCES[n].configured(target)]
    if not usable:
        raise NoFrameSource(
            f"camera {target.camera_id}: none of "
            + ", ".join(FRAME_SOURCES[n].url_attr for n in names)
            + " is set, so no frame can be grabbed"
        )
    failures: list[FrameError] = []
    for name in usable:
        try:
            frame = await FRAME_SOURCES[name].grab(target, settings)
        except FrameError as e:
            failures.append(e if e.source else FrameError(e.fault, e.reason, source=name, metrics=e.metrics))
            continue
        if failures:
            fallbacks = ",".join(f"{f.source}:{f.fault}" for f in failures)
            frame = replace(frame, metrics={**frame.metrics, "frame_fallbacks": fallbacks})
        return frame
    worst = min(failures, key=lambda f: FAULT_PRECEDENCE.index(f.fault))
    raise FrameError(
        worst.fault,
        "; ".join(f"{f.source}: {f.fault}: {f.reason}" for f in failures),
        source=worst.source,
        metrics={**worst.metrics, "frame_fallbacks": ",".join(f"{f.source}:{f.fault}" for f in failures)},
        attempts=tuple(failures),
    )


__all__ = [
    "FAULT_PRECEDENCE",
    "FRAME_FAULTS",
    "FRAME_SOURCES",
    "Frame",
    "FrameError",
    "FrameFault",
    "FrameSource",
    "FrameTarget",
    "NoFrameSource",
    "grab_frame",
    "grab_onvif",
    "grab_rtsp",
    "grab_snapshot",
]
