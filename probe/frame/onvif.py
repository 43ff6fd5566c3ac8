"""A snapshot through ONVIF: ask the device (onvif-zeep-async) for its media profiles and the
snapshot URI of the first one (Media ``GetSnapshotUri``), then fetch that URI with the HTTP
snapshot code (Digest or Basic, whichever the camera asks for).

The device service must live at ``/onvif/device_service`` on the host and port of
``target.onvif_url`` (the library builds that address itself). The device's clock offset is
measured first (``GetSystemDateAndTime``), so WS-Security works against cameras whose clock drifts.

Faults: a SOAP ``NotAuthorized`` fault or HTTP 401/403 -> ``auth_failed``; refused, another SOAP
fault, no media profile or no snapshot URI -> ``stream_down``; no answer in time -> ``timeout``;
no route -> ``unreachable``; then the snapshot's own faults.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from urllib.parse import urlsplit

from camsla.kernel import ImageSettings, MetricValue, Settings
from probe import neterrors
from probe.credentials import redact_url, url_credentials_win
from probe.frame.errors import FrameError, FrameFault, NoFrameSource
from probe.frame.frame import Frame, FrameTarget, image_settings
from probe.frame.snapshot import fetch_snapshot

SOURCE = "onvif"
MIN_FETCH_S = 0.5  # below this much time left after the SOAP calls, the snapshot is not tried
_AUTH_WORDS = ("notauthorized", "not authorized", "unauthorized", "authority failure", "authentication")


async def grab_onvif(target: FrameTarget, settings: Settings | ImageSettings) -> Frame:
    """GetProfiles + GetSnapshotUri on ``target.onvif_url``, then the snapshot, all within
    ``frame_timeout_s``. Raises FrameError (source ``onvif``) or NoFrameSource without an ONVIF URL."""
    if not target.onvif_url:
        raise NoFrameSource(f"camera {target.camera_id}: no onvif_url for an ONVIF snapshot")
    cfg = image_settings(settings)
    bare, username, password = url_credentials_win(target.onvif_url, target.username, target.password)
    parts = urlsplit(bare)
    shown = redact_url(target.onvif_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise NoFrameSource(f"camera {target.camera_id}: onvif_url {shown!r} is not an http(s) URL")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    host = parts.hostname if parts.scheme == "http" else f"https://{parts.hostname}"
    if ":" in parts.hostname and parts.scheme == "http":
        host = f"[{parts.hostname}]"
    metrics: dict[str, MetricValue] = {"frame_source": SOURCE}
    t0 = time.monotonic()

    def failed(fault: FrameFault, reason: str) -> FrameError:
        metrics["frame_onvif_s"] = metrics["frame_total_s"] = round(time.monotonic() - t0, 4)
        return FrameError(fault, f"{shown}: {reason}", source=SOURCE, metrics=metrics)

    from onvif import ONVIFCamera

    # The library cannot build a UsernameToken from None: an empty one is refused as NotAuthorized.
    camera = ONVIFCamera(host, port, username or "", password or "", no_cache=True, adjust_time=True)
    try:
        async with asyncio.timeout(cfg.frame_timeout_s):
            await camera.update_xaddrs()
            media = await camera.create_media_service()
            profiles = await media.GetProfiles()
            if not profiles:
                raise failed("stream_down", "the device has no media profile")
            token = profiles[0].token
            answer = await media.GetSnapshotUri({"ProfileToken": token})
            uri = getattr(answer, "Uri", None)
            if not uri:
                raise failed("stream_down", f"GetSnapshotUri for profile {token!r} returned no URI")
    except FrameError:
        raise
    except TimeoutError:
        raise failed("timeout", f"no ONVIF answer within {cfg.frame_timeout_s:g} s") from None
    except Exception as e:  # noqa: BLE001 - every library error is translated into a fault
        fault, words = _classify(e)
        if fault == "auth_failed" and not username:
            words += " (no username is configured for this camera)"
        raise failed(fault, words) from None
    finally:
        try:
            await camera.close()
        except Exception:  # noqa: BLE001 - closing must not mask the verdict
            pass

    onvif_s = round(time.monotonic() - t0, 4)
    metrics.update(frame_onvif_s=onvif_s, frame_profile=str(token), frame_snapshot_uri=redact_url(uri))
    remaining = cfg.frame_timeout_s - (time.monotonic() - t0)
    if remaining < MIN_FETCH_S:
        raise failed("timeout", f"the snapshot URI came after {onvif_s:g} s; no time left to fetch it")
    fetch_cfg = cfg.model_copy(update={"frame_timeout_s": remaining})
    try:
        frame = await fetch_snapshot(uri, username, password, fetch_cfg, source=SOURCE, metrics=metrics)
    except FrameError as e:
        e.metrics["frame_total_s"] = round(time.monotonic() - t0, 4)
        raise
    return replace(frame, metrics={**frame.metrics, "frame_total_s": round(time.monotonic() - t0, 4)})


def _classify(e: BaseException) -> tuple[FrameFault, str]:
    """The fault for an error out of onvif-zeep-async / zeep / aiohttp."""
    import zeep.exceptions
    from onvif.exceptions import ONVIFAuthError, ONVIFTimeoutError

    if isinstance(e, ONVIFAuthError):
        return "auth_failed", f"the device refused the credentials ({e})"
    if isinstance(e, ONVIFTimeoutError):
        return "timeout", f"no ONVIF answer in time ({e})"
    fault = e if isinstance(e, zeep.exceptions.Fault) else _cause(e, zeep.exceptions.Fault)
    if fault is not None:
        text = " ".join(str(x) for x in (fault.message, fault.code, fault.subcodes) if x)
        if any(w in text.lower() for w in _AUTH_WORDS):
            return "auth_failed", f"SOAP fault: {fault.message or text}"
        return "stream_down", f"SOAP fault: {fault.message or text}"
    transport = (
        e if isinstance(e, zeep.exceptions.TransportError) else _cause(e, zeep.exceptions.TransportError)
    )
    if transport is not None:
        if transport.status_code in (401, 403):
            return "auth_failed", f"HTTP {transport.status_code}: the device refused the credentials"
        return "stream_down", f"HTTP {transport.status_code} from the ONVIF service"
    socket_fault = neterrors.classify_under(e)
    if socket_fault is not None:
        return socket_fault  # type: ignore[return-value]
    if _cause(e, TimeoutError) is not None:
        return "timeout", "no ONVIF answer in time"
    return "stream_down", f"not a usable ONVIF answer ({type(e).__name__}: {e})"


def _cause(e: BaseException, kind: type[BaseException]) -> BaseException | None:
    return next((node for node in neterrors.causes(e) if isinstance(node, kind)), None)
