"""Liveness checks per second against N loopback targets, for the tcp and rtsp kinds.

The targets (one listener per address 127.88.x.y, answering RTSP OPTIONS/DESCRIBE) run in a separate
process on the same event loop, so the numbers are the probing process's. Each run is one
``probe.run_cycle`` with no spread (everything as fast as the concurrency limits allow). By default
the probing process runs as ``camsla serve`` does (camsla/cli/serve.py ``run_async``): uvloop, and
``gc.freeze()`` after start-up.

The table shows checks/s (wall), the CPU milliseconds the probing process (and the target process)
spent per check, and how many came back not ok; "checks per prober cpu-s" is what one core would
sustain for the prober alone. Wall rates depend on what else the machine runs; CPU per check much
less so. With ``--repeat`` the summary gives the best run and the spread.

    python bench/liveness_bench.py                       # N = 1 000 and 10 000, kinds tcp and rtsp
    python bench/liveness_bench.py --targets 10000 --kinds rtsp --repeat 3
    python bench/liveness_bench.py --loop asyncio --gc default   # the stock event loop, GC untouched
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import multiprocessing as mp
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PORT = 9554
MAX_TARGETS = 20_000
SDP = (
    b"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=bench\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\n"
    b"m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:trackID=1\r\n"
)


def raise_nofile() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def address(i: int) -> str:
    return f"127.88.{i // 250}.{i % 250 + 1}"


def use_loop(name: str) -> None:
    if name == "uvloop":
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())


# --- the target process ---------------------------------------------------------------------------


class _Rtsp(asyncio.Protocol):
    """A minimal RTSP responder: as little CPU per request as possible, so the prober is what is measured."""

    def connection_made(self, transport):
        self.t, self.buf = transport, b""

    def data_received(self, data):
        buf = self.buf + data if self.buf else data
        while (end := buf.find(b"\r\n\r\n")) >= 0:
            head, buf = buf[:end], buf[end + 4:]
            cseq = b"0"
            if (at := head.find(b"CSeq:")) >= 0:
                eol = head.find(b"\r\n", at)
                cseq = head[at + 5:eol if eol >= 0 else len(head)].strip()
            self.t.write((DESCRIBE if head.startswith(b"DESCRIBE") else OPTIONS) % cseq)
        self.buf = buf


OPTIONS = b"RTSP/1.0 200 OK\r\nCSeq: %s\r\nPublic: OPTIONS, DESCRIBE\r\n\r\n"
DESCRIBE = (b"RTSP/1.0 200 OK\r\nCSeq: %s\r\nContent-Type: application/sdp\r\nContent-Length: "
            + str(len(SDP)).encode() + b"\r\n\r\n" + SDP.replace(b"%", b"%%"))


def serve(n: int, loop_name: str, conn) -> None:
    raise_nofile()
    use_loop(loop_name)

    async def main():
        loop = asyncio.get_running_loop()
        servers = []
        for i in range(n):
            servers.append(await loop.create_server(_Rtsp, address(i), PORT, backlog=512))
        conn.send(("ready", len(servers)))
        while (msg := await loop.run_in_executor(None, conn.recv)) != "stop":
            if msg == "cpu":  # CPU seconds this process spent, to show which side is the limit
                conn.send(time.process_time())

    asyncio.run(main())


# --- the probing process --------------------------------------------------------------------------


def target_cpu(conn) -> float:
    conn.send("cpu")
    return conn.recv()


async def one_run(n: int, kind: str, concurrency: int, per_host: int, timeout: float, conn) -> dict:
    from camsla.kernel import ProbeSettings
    from probe import Target, run_cycle

    settings = ProbeSettings(timeout_s=timeout, concurrency=concurrency, per_host_concurrency=per_host)
    targets = [
        Target(camera_id=f"bench{i:06d}", ip=address(i), rtsp_url=f"rtsp://{address(i)}:{PORT}/live", kinds=(kind,))
        for i in range(n)
    ]
    reasons: dict[str, int] = {}

    def sink(obs):
        if obs.status != "ok":
            why = str(obs.metrics.get("reason", ""))[:70]
            reasons[why] = reasons.get(why, 0) + 1

    server0 = target_cpu(conn)
    cpu0, t0 = time.process_time(), time.perf_counter()
    stats = await run_cycle(targets, settings, sink, spread_s=0)
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    server_cpu = target_cpu(conn) - server0
    return {
        "n": n, "kind": kind, "wall_s": wall, "rate": stats.count / wall, "cpu_per_1k": cpu / stats.count * 1000,
        "cpu_rate": stats.count / cpu, "server_per_1k": server_cpu / stats.count * 1000,
        "ok": stats.ok, "not_ok": stats.fail + stats.error, "reasons": reasons,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--targets", type=int, nargs="+", default=[1000, 10_000])
    ap.add_argument("--kinds", nargs="+", default=["tcp", "rtsp"], choices=["tcp", "rtsp"])
    ap.add_argument("--loop", choices=["asyncio", "uvloop"], default="uvloop",
                    help="the probing (and target) process's event loop; uvloop as camsla serve runs (default)")
    ap.add_argument("--concurrency", type=int, default=1000)
    ap.add_argument("--per-host", type=int, default=4)
    ap.add_argument("--timeout", type=float, default=5.0)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--gc", choices=["default", "freeze"], default="freeze",
                    help="freeze: gc.freeze() after start-up, as camsla serve does (default); default: GC untouched")
    args = ap.parse_args()
    if max(args.targets) > MAX_TARGETS:
        ap.error(f"--targets: at most {MAX_TARGETS}")
    limit = raise_nofile()
    use_loop(args.loop)
    n_max = max(args.targets)
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=serve, args=(n_max, args.loop, child), daemon=True)
    proc.start()
    try:
        if not parent.poll(120):
            raise SystemExit("target process did not start within 120 s")
        print(f"targets listening: {parent.recv()[1]} on 127.88.x.y:{PORT}; loop={args.loop}; "
              f"RLIMIT_NOFILE={limit}; concurrency={args.concurrency}, per-host={args.per_host}; gc={args.gc}", flush=True)
        rows = []
        if args.gc == "freeze":
            import camsla.kernel.settings  # noqa: F401 - import what the runs need before freezing
            import probe  # noqa: F401

            gc.collect()
            gc.freeze()
        for n in args.targets:
            for kind in args.kinds:
                for _ in range(args.repeat):
                    rows.append(asyncio.run(one_run(n, kind, args.concurrency, args.per_host, args.timeout, parent)))
                    time.sleep(0.5)
        print(f"\n{'targets':>8} {'kind':>5} {'wall s':>7} {'checks/s':>9} {'prober cpu ms/check':>20} "
              f"{'checks per prober cpu-s':>24} {'targets cpu ms/check':>21} {'ok':>6} {'not ok':>6}")
        for r in rows:
            print(f"{r['n']:>8} {r['kind']:>5} {r['wall_s']:>7.2f} {r['rate']:>9.0f} {r['cpu_per_1k']:>20.3f} "
                  f"{r['cpu_rate']:>24.0f} {r['server_per_1k']:>21.3f} {r['ok']:>6} {r['not_ok']:>6}")
            for why, count in sorted(r["reasons"].items(), key=lambda kv: -kv[1])[:3]:
                print(f"{'':>16} {count} x {why}")
        if args.repeat > 1:
            print(f"\nsummary over {args.repeat} runs each (best, then the range)")
            print(f"{'targets':>8} {'kind':>5} {'best checks/s':>14} {'checks/s range':>16} "
                  f"{'best prober cpu ms/check':>25} {'prober cpu ms range':>20}")
            for n in args.targets:
                for kind in args.kinds:
                    same = [r for r in rows if r["n"] == n and r["kind"] == kind]
                    rates, cpus = [r["rate"] for r in same], [r["cpu_per_1k"] for r in same]
                    print(f"{n:>8} {kind:>5} {max(rates):>14.0f} {min(rates):>7.0f}-{max(rates):<8.0f} "
                          f"{min(cpus):>25.3f} {min(cpus):>10.3f}-{max(cpus):<9.3f}")
    finally:
        parent.send("stop")
        proc.join(10)
        if proc.is_alive():
            proc.kill()


if __name__ == "__main__":
    main()
