"""A JPEG snapshot over HTTP(S) with httpx: Basic or Digest auth (whichever the camera asks for,
answered by probe.httpauth),
a size cap enforced while streaming, a sanity check that the body is a picture, and the decode
(cv2.imdecode) off the event loop.

Faults: 401/403 -> ``auth_failed``; refused, 404 or another HTTP error -> ``stream_down``; no
answer in time -> ``timeout``; no route -> ``unreachable``; a body that is not a JPEG/PNG, will not
decode, claims absurd dimensions, or exceeds ``frame_max_bytes`` -> ``decode_error``.
"""

from __future__ import annotations

import asyncio
import struct
import time

import httpx

from camsla.kernel import ImageSettings, MetricValue, Settings
from probe import neterrors
from probe.credentials import redact_url, url_credentials_win
from probe.frame.errors import FrameError, NoFrameSource
from probe.frame.frame import Frame, FrameTarget, image_settings
from probe.httpauth import CameraAuth
from probe.liveness.auth import AuthError

SOURCE = "snapshot"
MAX_PIXELS = 64_000_000  # refuse to allocate for a header claiming more (a 12 MP camera has 12)
_BODY_SHOWN = 40  # bytes of a non-picture body quoted in the reason


async def grab_snapshot(target: FrameTarget, settings: Settings | ImageSettings) -> Frame:
    """GET ``target.snapshot_url`` and decode it. Raises FrameError (source ``snapshot``) or
    NoFrameSource when the camera has no snapshot URL."""
    if not target.snapshot_url:
        raise NoFrameSource(f"camera {target.camera_id}: no snapshot_url for an HTTP snapshot")
    return await fetch_snapshot(
        target.snapshot_url, target.username, target.password, settings, source=SOURCE
    )


async def fetch_snapshot(
    url: str,
    username: str | None,
    password: str | None,
    settings: Settings | ImageSettings,
    *,
    source: str = SOURCE,
    metrics: dict[str, MetricValue] | None = None,
) -> Frame:
    """The HTTP part, shared with the ONVIF source. Credentials in the URL win over the arguments."""
    cfg = image_settings(settings)
    bare, username, password = url_credentials_win(url, username, password)
    shown = redact_url(url)
    metrics = {**(metrics or {}), "frame_source": source}
    t0 = time.monotonic()

    def failed(fault: str, reason: str) -> FrameError:
        metrics["frame_total_s"] = round(time.monotonic() - t0, 4)
        return FrameError(fault, f"{shown}: {reason}", source=source, metrics=metrics)  # type: ignore[arg-type]

    auth = CameraAuth(username, password or "") if username else None
    body = bytearray()
    try:
        async with asyncio.timeout(cfg.frame_timeout_s):
            async with httpx.AsyncClient(
                timeout=cfg.frame_timeout_s, follow_redirects=True, max_redirects=3, trust_env=False
            ) as client:
                async with client.stream(
                    "GET", bare, auth=auth, headers={"Accept": "image/jpeg, image/*"}
                ) as resp:
                    metrics["frame_http_status"] = resp.status_code
                    metrics["frame_headers_s"] = round(time.monotonic() - t0, 4)
                    if resp.status_code in (401, 403):
                        raise failed(
                            "auth_failed",
                            f"HTTP {resp.status_code}: the camera refused "
                            + ("the credentials" if username else "a request without credentials"),
                        )
                    if resp.status_code >= 400:
                        raise failed("stream_down", f"HTTP {resp.status_code} {resp.reason_phrase}".rstrip())
                    ctype = resp.headers.get("content-type", "").split(";")[0].strip().lower()
                    metrics["frame_content_type"] = ctype
                    declared = resp.headers.get("content-length", "")
                    if declared.isdigit() and int(declared) > cfg.frame_max_bytes:
                        metrics["frame_bytes"] = 0
                        raise failed(
                            "decode_error",
                            f"the body is {int(declared)} bytes, over the cap "
                            f"of {cfg.frame_max_bytes} (frame_max_bytes); not read",
                        )
                    async for chunk in resp.aiter_bytes():
                        body += chunk
                        if len(body) > cfg.frame_max_bytes:
                            metrics["frame_bytes"] = len(body)
                            raise failed(
                                "decode_error",
                                f"the body exceeds the cap of {cfg.frame_max_bytes} "
                                "bytes (frame_max_bytes); stopped reading",
                            )
    except FrameError:
        raise
    except TimeoutError:
        metrics["frame_bytes"] = len(body)
        raise failed("timeout", f"no complete answer within {cfg.frame_timeout_s:g} s") from None
    except httpx.TimeoutException as e:
        metrics["frame_bytes"] = len(body)
        raise failed(
            "timeout", f"no complete answer within {cfg.frame_timeout_s:g} s ({type(e).__name__})"
        ) from None
    except httpx.HTTPError as e:
        metrics["frame_bytes"] = len(body)
        socket_fault = neterrors.classify_under(e)
        if socket_fault is not None:
            raise failed(*socket_fault) from None
        if isinstance(e, httpx.ConnectError):
            raise failed("unreachable", f"no connection: {e}") from None
        raise failed("stream_down", f"{type(e).__name__}: {e or 'protocol error'}") from None
    except OSError as e:
        raise failed(*neterrors.classify_oserror(e)) from None
    except AuthError as e:  # a Digest challenge this client cannot compute
        metrics["frame_bytes"] = len(body)
        raise failed("auth_failed", f"the camera's challenge cannot be answered: {e}") from None

    data = bytes(body)
    metrics["frame_bytes"] = len(data)
    kind = picture_kind(data)
    if kind is None:
        raise failed(
            "decode_error",
            f"the body is not a JPEG or PNG (content-type {ctype or 'missing'}, "
            f"{len(data)} bytes, starts {data[:_BODY_SHOWN]!r})",
        )
    size = picture_size(data)
    if size is not None and size[0] * size[1] > MAX_PIXELS:
        raise failed(
            "decode_error", f"the {kind} header claims {size[0]}x{size[1]} pixels, over {MAX_PIXELS}"
        )
    t_dec = time.monotonic()
    image = await asyncio.to_thread(decode_picture, data)
    metrics["frame_decode_s"] = round(time.monotonic() - t_dec, 4)
    if image is None:
        raise failed("decode_error", f"the {kind} body ({len(data)} bytes) does not decode")
    metrics["frame_total_s"] = round(time.monotonic() - t0, 4)
    return Frame(image=image, source=source, encoded=data, metrics=metrics)


def decode_picture(data: bytes):  # -> np.ndarray | None
    """cv2.imdecode to a BGR array; None when the bytes are not a decodable picture. Blocking."""
    import cv2
    import numpy as np

    try:
        image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR)
    except cv2.error:
        return None
    if image is None or image.ndim != 3 or image.shape[0] == 0 or image.shape[1] == 0:
        return None
    return image


def picture_kind(data: bytes) -> str | None:
    """``"JPEG"`` or ``"PNG"`` from the magic bytes, else None."""
    if data[:3] == b"\xff\xd8\xff":
        return "JPEG"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "PNG"
    return None


_SOF_MARKERS = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})


def picture_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from a JPEG SOF or PNG IHDR header, without decoding; None if not found."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24 and data[12:16] == b"IHDR":
        width, height = struct.unpack(">II", data[16:24])
        return width, height
    if data[:2] != b"\xff\xd8":
        return None
    i = 2
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in (0x01,) or 0xD0 <= marker <= 0xD8:  # markers without a length
            i += 2
            continue
        (length,) = struct.unpack(">H", data[i + 2 : i + 4])
        if marker in _SOF_MARKERS and i + 9 <= len(data):
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return width, height
        if marker == 0xDA:  # start of scan before any frame header
            return None
        i += 2 + length
    return None
