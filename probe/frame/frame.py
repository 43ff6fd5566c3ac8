"""The result of a successful grab, and what a grab needs from the camera and the settings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from camsla.kernel import ImageSettings, MetricValue, Settings

if TYPE_CHECKING:
    import numpy as np


class FrameTarget(Protocol):
    """What a frame source reads from a camera; ``probe.target.Target`` satisfies it."""

    camera_id: str
    rtsp_url: str | None
    snapshot_url: str | None
    onvif_url: str | None
    username: str | None
    password: str | None


@dataclass(frozen=True, slots=True, eq=False)
class Frame:
    """One decoded picture from one camera.

    ``image``: H x W x 3 uint8 array in BGR order (OpenCV's), decoded once here.
    ``source``: the frame source that produced it (``onvif``, ``snapshot``, ``rtsp``).
    ``encoded``: the compressed picture exactly as the camera sent it when it is a whole JPEG/PNG
    (snapshots; RTSP MJPEG packets), else ``None`` (an H.264 keyframe is not a picture on its own).
    ``metrics``: ``frame_*`` measurements for the observation (timings in seconds, bytes read,
    codec, HTTP status...), so an operator can see how the picture was had.
    """

    image: np.ndarray
    source: str
    encoded: bytes | None = None
    metrics: Mapping[str, MetricValue] = field(default_factory=dict)

    @property
    def width(self) -> int:
        return int(self.image.shape[1])

    @property
    def height(self) -> int:
        return int(self.image.shape[0])


def image_settings(settings: Settings | ImageSettings) -> ImageSettings:
    """Grabs take the whole Settings (as every probe does) or just its ``image`` section."""
    return settings.image if isinstance(settings, Settings) else settings
