"""The status page's figure cache: a page view never waits for a recompute once figures exist,
and concurrent views share one computation."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from camsla.web.figures import FigureCache

START = datetime(2026, 11, 1, tzinfo=UTC)
END = START + timedelta(days=30)


class SlowReport:
    def __init__(self, seconds: float = 0.2) -> None:
        self.seconds = seconds
        self.calls = 0
        self.fail = False
        self.lock = threading.Lock()

    def __call__(self, start: datetime, end: datetime) -> dict:
        with self.lock:
            self.calls += 1
            n = self.calls
        time.sleep(self.seconds)
        if self.fail:
            raise RuntimeError("database went away")
        return {"n": n, "end": end}


async def test_concurrent_first_views_share_one_computation():
    report = SlowReport()
    cache = FigureCache(report, {"month": 300})
    results = await asyncio.gather(*(cache.get("month", START, END) for _ in range(5)))
    assert report.calls == 1
    assert {doc["n"] for doc, _ in results} == {1}
    doc, as_of = results[0]
    assert doc["end"] <= END and as_of <= datetime.now(UTC)


async def test_stale_figures_are_served_at_once_while_one_refresh_runs():
    report = SlowReport(0.3)
    cache = FigureCache(report, {"day": 0.05})
    first, _ = await cache.get("day", START, END)
    await asyncio.sleep(0.06)
    t0 = time.perf_counter()
    stale = [await cache.get("day", START, END) for _ in range(3)]
    assert time.perf_counter() - t0 < 0.2  # nobody waited for the 0.3 s recompute
    assert all(doc["n"] == 1 for doc, _ in stale)
    await asyncio.sleep(0.4)
    fresh, _ = await cache.get("day", START, END)
    assert fresh["n"] == 2 and report.calls == 2  # three stale views started one refresh


async def test_a_failed_refresh_keeps_the_figures_there_were():
    report = SlowReport(0.01)
    cache = FigureCache(report, {"day": 0.01})
    await cache.get("day", START, END)
    report.fail = True
    await asyncio.sleep(0.02)
    await cache.get("day", START, END)  # starts the refresh that fails
    await asyncio.sleep(0.05)
    doc, _ = await cache.get("day", START, END)
    assert doc["n"] == 1


async def test_a_first_computation_that_fails_says_so():
    report = SlowReport(0.01)
    report.fail = True
    with pytest.raises(RuntimeError, match="day figures could not be computed"):
        await FigureCache(report, {"day": 30}).get("day", START, END)


async def test_a_new_period_is_computed_afresh():
    report = SlowReport(0.01)
    cache = FigureCache(report, {"day": 3600})
    await cache.get("day", START, END)
    doc, _ = await cache.get("day", END, END + timedelta(days=1))
    assert doc["n"] == 2
