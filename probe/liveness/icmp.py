"""The ``icmp`` liveness kind: one echo request with icmplib.

Unprivileged ICMP sockets when the kernel allows this process's group
(``/proc/sys/net/ipv4/ping_group_range``), raw sockets when the process may open them (root /
CAP_NET_RAW), else a TCP connect to the RTSP and HTTP ports, where a refusal also proves the host is
up. ``icmp_method`` in the metrics says which one answered.
"""

from __future__ import annotations

import asyncio
import functools
import os
import socket
import time

from camsla.kernel import ProbeSettings
from probe import neterrors
from probe.liveness import net
from probe.liveness.ports import service_ports
from probe.liveness.result import KindResult, errored, failed, ok
from probe.target import Target

KIND = "icmp"
PING_GROUP_RANGE = "/proc/sys/net/ipv4/ping_group_range"


def unprivileged_icmp_allowed(path: str = PING_GROUP_RANGE) -> bool:
    """Whether one of this process's groups is inside the kernel's ping_group_range."""
    try:
        with open(path) as f:
            low, high = (int(x) for x in f.read().split()[:2])
    except (OSError, ValueError):
        return False
    return any(low <= g <= high for g in {os.getgid(), os.getegid(), *os.getgroups()})


def _raw_icmp_allowed() -> bool:
    try:
        socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP).close()
        return True
    except OSError:
        return False


@functools.cache
def icmp_method() -> str:
    """``icmp`` (unprivileged datagram socket), ``icmp-raw`` or ``tcp-connect`` (fallback)."""
    try:
        import icmplib  # noqa: F401
    except ImportError:  # pragma: no cover - a declared dependency
        return "tcp-connect"
    if unprivileged_icmp_allowed():
        return "icmp"
    if _raw_icmp_allowed():
        return "icmp-raw"
    return "tcp-connect"


async def _ping(host: str, timeout: float, privileged: bool, method: str) -> KindResult:
    import icmplib

    try:
        reply = await icmplib.async_ping(host, count=1, interval=0, timeout=timeout, privileged=privileged)
    except icmplib.NameLookupError:
        return errored(KIND, f"cannot resolve host {host!r} from the inventory", method=method)
    except icmplib.ICMPLibError as e:
        return failed(KIND, "unreachable", f"ICMP to {host}: {e}", method=method)
    if reply.is_alive:
        rtt = reply.avg_rtt / 1000.0
        return ok(KIND, f"echo reply from {host}", method=method, rtt_s=round(rtt, 6))
    return failed(
        KIND, "unreachable", f"no ICMP echo reply from {host} within {timeout:g} s", method=method
    )


async def _knock(host: str, port: int) -> tuple[bool, str]:
    """True when the host answered (SYN-ACK or RST); False when it did not answer or has no route."""
    transport = None
    try:
        transport, _ = await net.connect(host, port)
        return True, "connected"
    except OSError as e:
        fault, words = neterrors.classify_oserror(e)
        return fault == "stream_down", words
    finally:
        net.close_quietly(transport)


async def _tcp_fallback(target: Target, timeout: float) -> KindResult:
    ports = service_ports(target)
    t0 = time.perf_counter()
    tasks = {asyncio.ensure_future(_knock(target.host, p)): p for p in ports}
    last = "no answer"
    try:
        async with asyncio.timeout(timeout):
            for fut in asyncio.as_completed(tasks):
                alive, words = await fut
                if alive:
                    return ok(KIND, f"host {target.host} answered TCP ({words})", method="tcp-connect",
                              rtt_s=round(time.perf_counter() - t0, 6))
                last = words
    except TimeoutError:
        last = f"no answer within {timeout:g} s"
    finally:
        for t in tasks:
            t.cancel()
    ports_s = "/".join(str(p) for p in ports)
    return failed(KIND, "unreachable", f"{target.host} TCP {ports_s}: {last}", method="tcp-connect")


async def probe_icmp(target: Target, settings: ProbeSettings) -> KindResult:
    if not target.host:
        return errored(KIND, "no ip or URL in the inventory")
    method = icmp_method()
    if method == "tcp-connect":
        return await _tcp_fallback(target, settings.timeout_s)
    return await _ping(target.host, settings.timeout_s, method == "icmp-raw", method)
