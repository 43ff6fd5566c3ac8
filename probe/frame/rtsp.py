"""One keyframe from a camera's RTSP stream, decoded with PyAV (FFmpeg).

RTSP over TCP (interleaved), FFmpeg's socket I/O timeout and PyAV's interrupt callback for the
open and each read, a cap on the bytes demuxed, and the first decodable keyframe only: the decoder
runs with ``skip_frame=NONKEY``, so predicted frames cost almost nothing and never come out.

PyAV blocks, so the grab runs in its own daemon thread (not ``asyncio.to_thread``: the shared
default executor has a handful of workers, and a queue in front of it would eat the deadline while
a hung camera starved every other ``to_thread`` user). The thread polls a cancel flag between
packets and ends by itself within one read timeout of its deadline; the coroutine stops waiting at
the deadline (plus a small grace) whatever the thread does, so a hung stream never blocks the loop.

Faults: 401/403 -> ``auth_failed``; refused, 404, a non-RTSP answer or a stream without video ->
``stream_down``; no answer or no keyframe in time -> ``timeout``; keyframes that will not decode
(or none in ``frame_max_bytes``) -> ``decode_error``.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from camsla.kernel import ImageSettings, MetricValue, Settings
from probe import neterrors
from probe.credentials import redact_url, scrub, with_credentials
from probe.frame.errors import FrameError, NoFrameSource
from probe.frame.frame import Frame, FrameTarget, image_settings

SOURCE = "rtsp"
GRACE_S = 1.0  # the coroutine waits this long past the deadline for the thread's own verdict
# Probing a live stream: enough to learn the codec, not the 5 s FFmpeg spends by default.
PROBE_OPTIONS = {"analyzeduration": "500000", "probesize": "65536", "fpsprobesize": "0"}

_T = TypeVar("_T")


async def grab_rtsp(target: FrameTarget, settings: Settings | ImageSettings) -> Frame:
    """The first decodable keyframe of ``target.rtsp_url`` (credentials from the target injected
    percent-encoded unless the URL has its own), within ``frame_timeout_s`` and ``frame_max_bytes``.
    Raises FrameError (source ``rtsp``) or NoFrameSource when the camera has no RTSP URL."""
    if not target.rtsp_url:
        raise NoFrameSource(f"camera {target.camera_id}: no rtsp_url for an RTSP frame grab")
    cfg = image_settings(settings)
    url = with_credentials(target.rtsp_url, target.username, target.password)
    cancel = threading.Event()
    t0 = time.monotonic()
    try:
        return await asyncio.wait_for(
            run_in_thread(
                lambda: read_keyframe(
                    url,
                    timeout_s=cfg.frame_timeout_s,
                    max_bytes=cfg.frame_max_bytes,
                    cancel=cancel,
                    password=target.password,
                )
            ),
            cfg.frame_timeout_s + GRACE_S,
        )
    except TimeoutError:
        elapsed = time.monotonic() - t0
        raise FrameError(
            "timeout",
            f"{redact_url(url)}: no keyframe within {cfg.frame_timeout_s:g} s (the reader was abandoned)",
            source=SOURCE,
            metrics={"frame_total_s": round(elapsed, 4)},
        ) from None
    finally:
        cancel.set()  # a reader still running stops at its next packet


async def run_in_thread(fn: Callable[[], _T]) -> _T:
    """Run blocking ``fn`` in a fresh daemon thread; cancelling the await abandons the thread."""
    loop = asyncio.get_running_loop()
    fut: asyncio.Future[_T] = loop.create_future()

    def settle(value: Any, error: BaseException | None) -> None:
        if fut.done():  # the caller stopped waiting
            return
        if error is not None:
            fut.set_exception(error)
        else:
            fut.set_result(value)

    def work() -> None:
        try:
            value = fn()
        except BaseException as e:  # noqa: BLE001 - handed to the awaiting coroutine
            try:
                loop.call_soon_threadsafe(settle, None, e)
            except RuntimeError:  # the loop closed meanwhile
                pass
            return
        try:
            loop.call_soon_threadsafe(settle, value, None)
        except RuntimeError:
            pass

    threading.Thread(target=work, name="camsla-rtsp-grab", daemon=True).start()
    return await fut


def read_keyframe(
    url: str,
    *,
    timeout_s: float,
    max_bytes: int,
    cancel: threading.Event | None = None,
    password: str | None = None,
) -> Frame:
    """Blocking: open ``url`` with PyAV and decode its first keyframe. Raises FrameError only."""
    import av

    cancel = cancel or threading.Event()
    shown = redact_url(url)
    t0 = time.monotonic()
    deadline = t0 + timeout_s
    metrics: dict[str, MetricValue] = {"frame_source": SOURCE}

    def failed(fault: str, reason: str) -> FrameError:
        metrics["frame_total_s"] = round(time.monotonic() - t0, 4)
        return FrameError(fault, f"{shown}: {scrub(reason, url, password)}", source=SOURCE, metrics=metrics)  # type: ignore[arg-type]

    # FFmpeg >= 5 (PyAV 18 bundles 8): ``timeout`` is the RTSP socket I/O timeout in microseconds
    # (``stimeout`` is gone and silently ignored; before 5, ``timeout`` made FFmpeg *listen*).
    # PyAV's own ``timeout=(open, read)`` adds an interrupt callback that aborts a blocked call.
    options = {
        "rtsp_transport": "tcp",
        "allowed_media_types": "video",  # SETUP the video track only: no audio bytes to read
        "timeout": str(int(timeout_s * 1_000_000)),
        **PROBE_OPTIONS,
    }
    try:
        container = av.open(url, options=options, timeout=(timeout_s, timeout_s))
    except Exception as e:  # noqa: BLE001 - every FFmpeg error is a verdict
        raise _open_fault(e, time.monotonic() - t0, timeout_s, failed) from None
    metrics["frame_connect_s"] = round(time.monotonic() - t0, 4)

    with container:
        if not container.streams.video:
            raise failed("stream_down", "the stream has no video track")
        stream = container.streams.video[0]
        try:
            ctx = stream.codec_context
            ctx.skip_frame = "NONKEY"  # the decoder drops predicted frames unseen
            ctx.thread_count = 1  # one frame wanted: threads would only delay it
            metrics["frame_codec"] = ctx.name
        except Exception as e:  # noqa: BLE001 - a codec this FFmpeg cannot decode
            raise failed("decode_error", f"no decoder for the stream's video codec ({e})") from None
        nbytes = npackets = keypackets = bad = 0
        last_error = ""

        def progress() -> None:
            metrics.update(
                frame_bytes=nbytes,
                frame_packets=npackets,
                frame_keyframes=keypackets,
                frame_decode_errors=bad,
            )

        def picture(frames: Any, packet: Any) -> Frame | None:
            nonlocal bad, last_error
            for frame in frames:
                if not frame.key_frame:
                    continue
                if frame.is_corrupt:
                    bad += 1
                    last_error = "the decoder marked the keyframe corrupt"
                    continue
                try:
                    image = frame.to_ndarray(format="bgr24")
                except Exception as e:  # noqa: BLE001
                    bad += 1
                    last_error = f"keyframe conversion failed: {e}"
                    continue
                progress()
                metrics["frame_total_s"] = round(time.monotonic() - t0, 4)
                encoded = bytes(packet) if packet is not None and ctx.name == "mjpeg" else None
                return Frame(image=image, source=SOURCE, encoded=encoded, metrics=metrics)
            return None

        try:
            for packet in container.demux(stream):
                if cancel.is_set():
                    progress()
                    raise failed("timeout", f"abandoned after {timeout_s:g} s")
                if packet.size == 0 and packet.dts is None:  # the demuxer's end-of-stream packet
                    break
                npackets += 1
                nbytes += packet.size
                if packet.is_keyframe:
                    keypackets += 1
                try:
                    got = picture(ctx.decode(packet), packet)
                except av.error.FFmpegError as e:
                    bad += 1
                    last_error = f"keyframe did not decode: {e.strerror or e}"
                    got = None
                if got is not None:
                    return got
                if nbytes > max_bytes:
                    progress()
                    if keypackets:
                        raise failed(
                            "decode_error",
                            f"{keypackets} keyframe(s) in the first {nbytes} bytes, "
                            f"none decodable ({last_error or 'no picture out of the decoder'})",
                        )
                    raise failed("decode_error", f"no keyframe in the first {nbytes} bytes (cap {max_bytes})")
                if time.monotonic() > deadline:
                    progress()
                    if bad or keypackets:
                        raise failed(
                            "decode_error",
                            f"{keypackets} keyframe(s) within {timeout_s:g} s, none "
                            f"decodable ({last_error or 'no picture out of the decoder'})",
                        )
                    raise failed(
                        "timeout", f"no keyframe within {timeout_s:g} s ({npackets} packets, {nbytes} bytes)"
                    )
            try:  # end of stream: a decoder with delay may still hold the keyframe
                got = picture(ctx.decode(None), None)
            except av.error.FFmpegError:
                got = None
            if got is not None:
                return got
        except FrameError:
            raise
        except Exception as e:  # noqa: BLE001 - a read error mid-stream
            try:  # a decoder with delay may hold the keyframe that came before the break
                got = picture(ctx.decode(None), None) if keypackets else None
            except av.error.FFmpegError:
                got = None
            if got is not None:
                return got
            progress()
            if bad or keypackets:
                raise failed(
                    "decode_error", f"no decodable keyframe ({last_error or 'no picture'}); then {e}"
                ) from None
            if time.monotonic() >= deadline - 0.05 or _is_timeout(e):
                raise failed("timeout", f"the stream stalled: {e}") from None
            raise failed("stream_down", f"the stream broke after {npackets} packets: {e}") from None
        progress()
        if bad or keypackets:
            raise failed(
                "decode_error",
                f"the stream ended without a decodable keyframe ({last_error or 'no picture'})",
            )
        raise failed("stream_down", f"the stream ended after {npackets} packets without a keyframe")


def _is_timeout(e: BaseException) -> bool:
    import av

    return isinstance(e, (av.error.ExitError, TimeoutError))


def _open_fault(
    e: BaseException, elapsed: float, timeout_s: float, failed: Callable[[str, str], FrameError]
) -> FrameError:
    """What a failed ``av.open`` means: FFmpeg maps RTSP 401/403/404 to its HTTP errors."""
    import av

    text = getattr(e, "strerror", None) or str(e)
    if isinstance(e, (av.error.HTTPUnauthorizedError, av.error.HTTPForbiddenError)):
        return failed("auth_failed", f"the camera refused the credentials ({text})")
    if isinstance(e, av.error.HTTPNotFoundError):
        return failed("stream_down", f"no such stream path ({text})")
    if isinstance(e, av.error.HTTPError):
        return failed("stream_down", f"the camera answered an error ({text})")
    if _is_timeout(e) or elapsed >= timeout_s * 0.95:
        return failed("timeout", f"no answer within {timeout_s:g} s ({text})")
    if isinstance(e, OSError) and e.errno is not None and not isinstance(e, av.error.InvalidDataError):
        fault, words = neterrors.classify_oserror(e)
        return failed(fault, words)
    if isinstance(e, av.error.InvalidDataError):
        return failed("stream_down", f"the answer is not a usable RTSP stream ({text})")
    return failed("stream_down", f"{type(e).__name__}: {text}")
