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
from probe.target import Target

KindProbe = Callable[[Target, ProbeSettings], Awaitable[KindResult]]

PROBERS: Mapping[str, KindProbe] = {
    "icmp": probe_icmp,
    "tcp": probe_tcp,
    "rtsp": probe_rtsp,
    "http": probe_http,
    "onvif": probe_onvif,
}


async def _run_kind(kind: str, target: Target, settings: ProbeSettings) -> KindResult:
    prober = PROBERS.get(kind)
    if prober is None:
        return _unknown(kind)
    try:
        return await prober(target, settings)
    except asyncio.CancelledError:
        raise
    except Exception as e:  # noqa: BLE001 - a probe bug must be visible as `error`, not kill the cycle
        return _crashed(kind, e)


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
    if len(kinds) == 1:  # the usual case, without a coroutine in between (see _run_kind)
        kind = kinds[0]
        prober = PROBERS.get(kind)
        if prober is None:
            result = _unknown(kind)
        else:
            try:
                result = await prober(target, probe_settings)
            except asyncio.CancelledError:
                raise
            except Exception as e:  # noqa: BLE001 - a probe bug must be visible as `error`, not kill the cycle
                result = _crashed(kind, e)
        results = [result]
    else:
        results = list(await asyncio.gather(*(_run_kind(k, target, probe_settings) for k in kinds)))
    return combine(target.camera_id, ts, results, time.perf_counter() - t0)


__all__ = ["PROBERS", "KindProbe", "KindResult", "probe_liveness", "combine"]
