"""The cycle runner: limits, jitter, time bounds, delivery. Probes go over real loopback sockets to a
slow RTSP responder that counts the requests it is answering per address."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import time

import pytest

from camsla.kernel import ProbeSettings
from probe import Target, iter_cycle, run_cycle, start_offset
from probe import runner as runner_mod

SDP = b"v=0\r\ns=t\r\nt=0 0\r\nm=video 0 RTP/AVP 96\r\n"
PORT = 18_654


class SlowCameras:
    """RTSP responders on 127.0.0.<1..hosts>:PORT answering each request after ``delay`` seconds
    (or never, when ``silent``), recording concurrency per address and when each camera was first seen."""

    def __init__(self, hosts: int, delay: float = 0.03, silent: bool = False) -> None:
        self.hosts, self.delay, self.silent = hosts, delay, silent
        self.busy: collections.Counter[str] = collections.Counter()
        self.peak: collections.Counter[str] = collections.Counter()
        self.total_busy = self.total_peak = 0
        self.first_seen: dict[str, float] = {}
        self.servers: list[asyncio.AbstractServer] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        addr = writer.get_extra_info("sockname")[0]
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                path = head.split(b" ")[1].decode()
                self.first_seen.setdefault(path.rsplit("/", 1)[1], time.monotonic())
                self.busy[addr] += 1
                self.total_busy += 1
                self.peak[addr] = max(self.peak[addr], self.busy[addr])
                self.total_peak = max(self.total_peak, self.total_busy)
                try:
                    if self.silent:
                        await reader.read()  # until the prober hangs up
                        return
                    await asyncio.sleep(self.delay)
                finally:
                    self.busy[addr] -= 1
                    self.total_busy -= 1
                cseq = next(ln[5:].strip() for ln in head.split(b"\r\n") if ln.lower().startswith(b"cseq:"))
                body = SDP if head.startswith(b"DESCRIBE") else b""
                writer.write(b"RTSP/1.0 200 OK\r\nCSeq: " + cseq + b"\r\nContent-Length: "
                             + str(len(body)).encode() + b"\r\n\r\n" + body)
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def __aenter__(self) -> SlowCameras:
        for h in range(1, self.hosts + 1):
            self.servers.append(await asyncio.start_server(self.handle, f"127.0.0.{h}", PORT))
        return self

    async def __aexit__(self, *exc) -> None:
        for s in self.servers:
            s.close()

    def targets(self, per_host: int) -> list[Target]:
        return [
            Target(camera_id=f"cam-{h}-{i}", ip=f"127.0.0.{h}", rtsp_url=f"rtsp://127.0.0.{h}:{PORT}/cam-{h}-{i}",
                   kinds=("rtsp",))
            for h in range(1, self.hosts + 1)
            for i in range(per_host)
        ]


async def test_per_host_concurrency_is_never_exceeded() -> None:
    settings = ProbeSettings(timeout_s=5, concurrency=100, per_host_concurrency=3)
    async with SlowCameras(hosts=2) as cams:
        stats = await run_cycle(cams.targets(per_host=15), settings, spread_s=0)
    assert (stats.count, stats.ok) == (30, 30)
    assert max(cams.peak.values()) == 3  # reached, never exceeded


async def test_global_concurrency_is_never_exceeded() -> None:
    settings = ProbeSettings(timeout_s=5, concurrency=5, per_host_concurrency=4)
    async with SlowCameras(hosts=10) as cams:
        stats = await run_cycle(cams.targets(per_host=4), settings, spread_s=0)
    assert stats.ok == 40
    assert cams.total_peak == 5
    assert stats.max_start_lag_s > 0.05  # saturated: the stats say so


async def test_jitter_spreads_start_times_over_the_spread_in_hash_order() -> None:
    settings = ProbeSettings(timeout_s=5, concurrency=100, per_host_concurrency=100)
    async with SlowCameras(hosts=1, delay=0) as cams:
        targets = cams.targets(per_host=40)
        t0 = time.monotonic()
        stats = await run_cycle(targets, settings, spread_s=1.0)
    seen = {cid: t - t0 for cid, t in cams.first_seen.items()}
    assert stats.ok == 40 and len(seen) == 40
    for t in targets:
        planned = start_offset(t.camera_id, 1.0)
        assert planned - 0.01 <= seen[t.camera_id] <= planned + 0.25
    assert max(seen.values()) - min(seen.values()) > 0.6
    assert stats.duration_s < 1.5


def test_start_offsets_are_stable_and_even() -> None:
    assert start_offset("34020000001320000001", 60) == start_offset("34020000001320000001", 60)
    assert start_offset("x", 0) == 0.0
    buckets = collections.Counter(int(start_offset(f"{i:020d}", 10.0)) for i in range(10_000))
    assert set(buckets) == set(range(10))
    assert all(850 < n < 1150 for n in buckets.values())


async def test_silent_cameras_are_timeouts_and_the_cycle_is_bounded() -> None:
    settings = ProbeSettings(timeout_s=0.3, concurrency=100, per_host_concurrency=25)
    async with SlowCameras(hosts=2, silent=True) as cams:
        stats = await run_cycle(cams.targets(per_host=20), settings, spread_s=0)
    assert (stats.fail, stats.faults["timeout"]) == (40, 40)
    assert stats.duration_s < 1.0  # 40 probes, one timeout's worth of wall time


async def test_a_probe_that_overruns_is_cut_off_as_error(monkeypatch) -> None:
    monkeypatch.setattr(runner_mod, "GRACE_S", 0.05)

    async def hangs(target, settings):
        await asyncio.sleep(30)

    t0 = time.monotonic()
    stats = await run_cycle([Target(camera_id="c1", ip="127.0.0.1")], ProbeSettings(timeout_s=0.1), probe=hangs,
                            spread_s=0)
    assert (stats.error, stats.overran) == (1, 1)
    assert time.monotonic() - t0 < 0.5


async def test_a_crashing_probe_or_sink_does_not_stop_the_cycle() -> None:
    async def crashes_for_c1(target, settings):
        if target.camera_id == "c1":
            raise ValueError("boom")
        from probe import probe_liveness
        return await probe_liveness(target, settings)

    got = []

    async def sink(obs):
        got.append(obs)
        if obs.camera_id == "c2":
            raise RuntimeError("database down")

    targets = [Target(camera_id=c, ip="127.0.0.1", kinds=("tcp",)) for c in ("c1", "c2", "c3")]
    stats = await run_cycle(targets, ProbeSettings(timeout_s=0.5), sink, probe=crashes_for_c1, spread_s=0)
    assert stats.count == 3 and stats.sink_errors == 1 and len(got) == 3
    c1 = next(o for o in got if o.camera_id == "c1")
    assert c1.status == "error" and "ValueError: boom" in c1.metrics["reason"]


async def test_observations_arrive_as_they_complete_through_the_iterator() -> None:
    settings = ProbeSettings(timeout_s=5, concurrency=100, per_host_concurrency=10)
    async with SlowCameras(hosts=1, delay=0.01) as cams:
        arrivals = [(o.camera_id, time.monotonic()) async for o in iter_cycle(cams.targets(per_host=10), settings,
                                                                              spread_s=0.5)]
    assert len(arrivals) == 10
    assert arrivals[-1][1] - arrivals[0][1] > 0.2  # delivered over the spread, not all at the end


@pytest.mark.parametrize("jitter, expected", [(1.0, 60.0), (0.5, 30.0)])
def test_default_spread_is_a_share_of_the_interval(jitter, expected) -> None:
    assert runner_mod.default_spread_s(ProbeSettings(liveness_interval_s=60, jitter=jitter)) == expected


async def test_stopping_the_cycle_cancels_probes_in_flight() -> None:
    settings = ProbeSettings(timeout_s=5, concurrency=100, per_host_concurrency=10)
    async with SlowCameras(hosts=1, silent=True) as cams:
        task = asyncio.create_task(run_cycle(cams.targets(per_host=5), settings, spread_s=0))
        await asyncio.sleep(0.1)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await asyncio.sleep(0.05)
        assert cams.total_busy == 0



async def test_stopping_the_cycle_while_probes_wait_for_their_host_is_a_clean_cancel() -> None:
    settings = ProbeSettings(timeout_s=5, concurrency=100, per_host_concurrency=1)
    async with SlowCameras(hosts=1, silent=True) as cams:
        task = asyncio.create_task(run_cycle(cams.targets(per_host=6), settings, spread_s=0))
        await asyncio.sleep(0.1)
        assert cams.total_busy == 1  # one probing, five waiting for the address
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await asyncio.sleep(0.05)
        assert cams.total_busy == 0
        again = await run_cycle(cams.targets(per_host=1), ProbeSettings(timeout_s=0.2, per_host_concurrency=1),
                                spread_s=0)
    assert (again.count, again.faults["timeout"]) == (1, 1)

# camsla serve runs on uvloop (camsla/cli/serve.py): the same limits and bounds there.
ON_UVLOOP = [
    test_per_host_concurrency_is_never_exceeded,
    test_global_concurrency_is_never_exceeded,
    test_silent_cameras_are_timeouts_and_the_cycle_is_bounded,
    test_observations_arrive_as_they_complete_through_the_iterator,
    test_stopping_the_cycle_cancels_probes_in_flight,
    test_stopping_the_cycle_while_probes_wait_for_their_host_is_a_clean_cancel,
]


@pytest.mark.parametrize("case", ON_UVLOOP, ids=lambda case: case.__name__.removeprefix("test_"))
def test_same_behaviour_on_uvloop(case) -> None:
    uvloop = pytest.importorskip("uvloop")
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(case())
