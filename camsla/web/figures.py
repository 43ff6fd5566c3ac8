"""The status page's figures, kept in memory and refreshed in the background.

A month-to-date report over tens of thousands of cameras takes seconds to a minute, so a page
view never waits for a recompute once figures exist: older than their refresh age, they are
served as they are (with the time they are as of) while one background refresh per period runs.
Only the very first view of a period waits, and concurrent first views share one computation.
A refresh that fails keeps the figures there were (and is logged); a later view tries again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

log = logging.getLogger("camsla.web")

Compute = Callable[[datetime, datetime], dict[str, Any]]  # (start, end) -> report, run in a thread


@dataclass
class _Entry:
    start: datetime
    end: datetime  # the period's end; figures are computed up to min(end, now)
    doc: dict[str, Any] | None = None
    as_of: datetime | None = None
    computed: float = 0.0  # time.monotonic() of the newest figures
    task: asyncio.Task | None = None


class FigureCache:
    def __init__(self, compute: Compute, refresh_s: dict[str, float]) -> None:
        self._compute = compute
        self._refresh_s = refresh_s
        self._entries: dict[str, _Entry] = {}
        self.computations = 0

    async def get(self, key: str, start: datetime, end: datetime) -> tuple[dict[str, Any], datetime]:
        """(figures, the instant they are as of) for the period [start, end) named ``key``."""
        entry = self._entries.get(key)
        if entry is None or entry.start != start:  # first view, or a new day or month began
            entry = self._entries[key] = _Entry(start, end)
        if entry.doc is not None:
            if time.monotonic() - entry.computed >= self._refresh_s[key] and entry.task is None:
                entry.task = asyncio.create_task(self._refresh(entry))
            return entry.doc, entry.as_of  # type: ignore[return-value]
        if entry.task is None:
            entry.task = asyncio.create_task(self._refresh(entry))
        await asyncio.shield(entry.task)
        if entry.doc is None:  # the first computation failed: say why
            raise RuntimeError(f"the {key} figures could not be computed; see the log")
        return entry.doc, entry.as_of  # type: ignore[return-value]

    async def _refresh(self, entry: _Entry) -> None:
        try:
            now = datetime.now(UTC)
            self.computations += 1
            doc = await asyncio.to_thread(self._compute, entry.start, min(entry.end, now))
            entry.doc, entry.as_of, entry.computed = doc, now, time.monotonic()
        except Exception:
            log.exception("computing status figures for %s failed; the previous ones stay", entry.start.isoformat())
        finally:
            entry.task = None
