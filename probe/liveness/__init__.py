"""Liveness: is the camera there and serving? One function per kind, one table that names them.

Every kind is ``async def probe_<kind>(target: Target, settings: ProbeSettings) -> KindResult``;
``probe_liveness`` runs a camera's kinds at once and combines them into one ``liveness`` Observation.
Adding a kind is one module and one line in PROBERS.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime

from camsla.kernel import Observation, ProbeSettings, Settings
from probe.liveness.combine import combine
from probe.liveness.http import probe_http
from probe.liveness.icmp import probe_icmp
from probe.liveness.onvif import probe_onvif
from probe.liveness.result import KindResult, errored
from probe.liveness.rtsp import probe_rtsp
from probe.liveness.tcp import probe_tcp
from probe.neterrors import MonitorError
from probe.target import Target

KindProbe = Callable[[Target, ProbeSettings], Awaitable[KindResult]]

PROBERS: Mapping[str, KindProbe] = {
    "icmp": probe_icmp,
    "tcp": probe_tcp,
    "rtsp": probe_rtsp,
    "http": probe_http,
    "onvif": probe_onvif,
}


# A kind that fails later than its deadline plus this was not served by the monitor in time (its
# event loop lagged): the verdict is the monitor's, not the camera's (DESIGN "who is blind").
LAG_BOUND_S = 0.5


async def _run_kind(kind: str, target: Target, settings: ProbeSettings) -> KindResult:
    """One kind within its total deadline (``settings.timeout_s``, kept by the kind itself): a
    camera that does not answer in time is ``fail``; ``error`` only when the monitor could not
    measure -- a crash, its own resources exhausted, or its event loop too late to keep the deadline."""
    prober = PROBERS.get(kind)
    if prober is None:
        return _unknown(kind)
    started = time.perf_counter()
    try:
        result = await prober(target, settings)
    except asyncio.CancelledError:
        raise
    except MonitorError as e:
        return errored(kind, str(e), monitor=True)
    except Exception as e:  # noqa: BLE001 - a probe bug must be visible as `error`, not kill the cycle
        return _crashed(kind, e)
    took = time.perf_counter() - started
    if result.status == "fail" and took > settings.timeout_s + LAG_BOUND_S:
        return errored(kind, f"the monitor lagged: the probe took {took:.1f} s for its {settings.timeout_s:g} s "
                       f"deadline (camera said: {result.reason})", monitor=True, took_s=round(took, 3))
    return result


def _unknown(kind: str) -> KindResult:
    return errored(kind, f"unknown liveness kind {kind!r} (known: {', '.join(PROBERS)})")


def _crashed(kind: str, e: Exception) -> KindResult:
    return errored(kind, f"probe crashed: {e.__class__.__name__}: {e}")


async def probe_liveness(target: Target, settings: ProbeSettings | Settings) -> Observation:
    """Run the target's kinds concurrently and combine them into one ``liveness`` Observation."""
    probe_settings = settings.probe if isinstance(settings, Settings) else settings
    ts = datetime.now(UTC)
    t0 = time.perf_counter()
    kinds = target.kinds or tuple(probe_settings.default_kinds)
    if len(kinds) == 1:  # the usual case, without gather
        results = [await _run_kind(kinds[0], target, probe_settings)]
    else:
        results = list(await asyncio.gather(*(_run_kind(k, target, probe_settings) for k in kinds)))
    return combine(target.camera_id, ts, results, time.perf_counter() - t0)


__all__ = ["PROBERS", "KindProbe", "KindResult", "probe_liveness", "combine"]
