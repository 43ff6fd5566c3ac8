"""Working copies: every analyzer looks at a small downscaled copy, never the full frame.

``thumbnail(frame)`` is also the stored form of a camera's previous and reference frames: the
frozen and scene_change analyzers accept either a full frame or such a thumbnail, because both
are brought to the size of the current working copy before they are compared.
"""

from __future__ import annotations

import cv2
import numpy as np

WORK_WIDTH = 320  # the working copy most analyzers use
DETAIL_WIDTH = 640  # blur, noise and stripes need finer detail than the working copy keeps


class FrameError(ValueError):
    """Not an image array the analyzers can read."""


def as_bgr(frame: np.ndarray, what: str = "frame") -> np.ndarray:
    """A BGR uint8 view of a grey, BGR or BGRA uint8 array; anything else is a FrameError."""
    if not isinstance(frame, np.ndarray):
        raise FrameError(f"{what} is not an image array (got {type(frame).__name__})")
    if frame.dtype != np.uint8:
        raise FrameError(f"{what} must be uint8, got {frame.dtype}")
    if frame.ndim == 2:
        frame = cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)
    elif frame.ndim == 3 and frame.shape[2] == 4:
        frame = cv2.cvtColor(frame, cv2.COLOR_BGRA2BGR)
    elif frame.ndim == 3 and frame.shape[2] == 1:
        frame = cv2.cvtColor(frame[:, :, 0], cv2.COLOR_GRAY2BGR)
    elif not (frame.ndim == 3 and frame.shape[2] == 3):
        raise FrameError(f"{what} has shape {frame.shape}; expected HxW, HxWx3 or HxWx4")
    if frame.shape[0] < 16 or frame.shape[1] < 16:
        raise FrameError(f"{what} is too small to judge ({frame.shape[1]}x{frame.shape[0]})")
    return frame


def halve(frame: np.ndarray) -> np.ndarray:
    """Half the size, area-averaged (an odd last row or column is dropped)."""
    h, w = frame.shape[:2]
    return cv2.resize(frame[: h - h % 2, : w - w % 2], (w // 2, h // 2), interpolation=cv2.INTER_AREA)


def halve_to(frame: np.ndarray, width: int) -> np.ndarray:
    """Area-averaged halvings while the frame is wider than ``width``: (width/2, width] px wide.

    OpenCV's area resize is fast (SIMD) only for an exact factor of two: 1920x1080 -> 960 -> 480
    costs ~0.5 ms where one 1920 -> 640 step costs ~2 ms."""
    while frame.shape[1] > width:
        frame = halve(frame)
    return frame


def downscale(frame: np.ndarray, width: int) -> np.ndarray:
    """An anti-aliased copy at most ``width`` pixels wide, aspect kept; smaller frames are kept.

    Fast area halvings first; the last step (a factor below two) is bilinear, which is then
    close to an area average."""
    while frame.shape[1] >= 2 * width:
        frame = halve(frame)
    h, w = frame.shape[:2]
    if w <= width:
        return frame
    height = max(1, round(h * width / w))
    return cv2.resize(frame, (width, height), interpolation=cv2.INTER_LINEAR)


def resize_to(frame: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """``frame`` at exactly ``size`` = (width, height), however it was stored."""
    if (frame.shape[1], frame.shape[0]) == size:
        return frame
    shrinking = frame.shape[1] > size[0]
    return cv2.resize(frame, size, interpolation=cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR)


def thumbnail(frame: np.ndarray) -> np.ndarray:
    """The small colour copy (<= 320 px wide) kept as a camera's previous or reference frame."""
    return downscale(as_bgr(frame), WORK_WIDTH).copy()


JPEG_QUALITY = 90


def encode_jpeg(image: np.ndarray, max_bytes: int | None = None) -> bytes:
    """JPEG bytes of a BGR image (how thumbnails are stored); with ``max_bytes``, lower quality
    (then size) until it fits."""
    quality, img = JPEG_QUALITY, image
    while True:
        ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])
        if not ok:  # pragma: no cover - OpenCV encodes any uint8 BGR image
            raise FrameError("could not encode the image as JPEG")
        data = buf.tobytes()
        if max_bytes is None or len(data) <= max_bytes:
            return data
        if quality > 40:
            quality -= 15
        else:
            img = cv2.resize(img, (max(16, img.shape[1] * 3 // 4), max(16, img.shape[0] * 3 // 4)),
                             interpolation=cv2.INTER_AREA)


def decode_image(data: bytes) -> np.ndarray | None:
    """A stored or uploaded picture (JPEG, PNG, BMP...) as a BGR array; None when unreadable."""
    return cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR) if data else None
