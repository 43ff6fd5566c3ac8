"""The ``tcp`` liveness kind: a TCP connect to the camera's RTSP port (else its HTTP port)."""

from __future__ import annotations

import asyncio

from camsla.kernel import ProbeSettings
from probe import neterrors
from probe.liveness import net
from probe.liveness.ports import service_ports
from probe.liveness.result import KindResult, errored, failed, ok
from probe.target import Target

KIND = "tcp"


async def probe_tcp(target: Target, settings: ProbeSettings) -> KindResult:
    if not target.host:
        return errored(KIND, "no ip or URL in the inventory")
    port = service_ports(target)[0]
    transport = None
    try:
        async with asyncio.timeout(settings.timeout_s):
            transport, took = await net.connect(target.host, port)
        return ok(KIND, f"connected to {target.host}:{port}", port=port, connect_s=round(took, 6))
    except TimeoutError:
        return failed(
            KIND, "unreachable", f"no TCP connection to {target.host}:{port} within {settings.timeout_s:g} s", port=port
        )
    except OSError as e:
        fault, words = neterrors.classify_oserror(e)
        return failed(KIND, fault, f"{target.host}:{port}: {words}", port=port)
    finally:
        net.close_quietly(transport)
