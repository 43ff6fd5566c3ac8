"""Observations from probes are buffered in memory and written in batches (one transaction each).

The buffer is the only writer of probe results: probes never touch the database. A clean stop
flushes it, so nothing observed is lost."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable

from camsla.db import Database
from camsla.observation import Observation
from camsla.settings import Settings

log = logging.getLogger("camsla.buffer")


class ObservationBuffer:
    def __init__(self, db: Database, settings: Settings, *, on_stored: Callable[[list[Observation]], None] | None = None):
        self.db = db
        self.settings = settings
        self._items: list[Observation] = []
        self._lock = asyncio.Lock()
        self.stored = 0
        self.flushes = 0
        self.failures = 0  # write attempts that failed (the batch stayed buffered)
        self.last_error: str | None = None
        self.last_flush_s: float | None = None
        self.on_stored = on_stored

    def __len__(self) -> int:
        return len(self._items)

    def put(self, obs: Observation) -> None:
        self._items.append(obs)

    def extend(self, obs: Iterable[Observation]) -> None:
        self._items.extend(obs)

    def _write(self, batch: list[Observation]) -> int:
        from sla.store import ObservationStore

        with self.db.session() as s:
            stats = ObservationStore(s, self.settings.stale_after).add(batch)
        for o, reason in stats.rejected:
            log.warning("observation for %s at %s not stored: %s", o.camera_id, o.ts.isoformat(), reason)
        return stats.stored

    async def flush(self) -> int:
        """Write what is buffered, off the event loop; on failure the batch goes back in the buffer."""
        async with self._lock:
            if not self._items:
                return 0
            batch, self._items = self._items, []
            t0 = time.perf_counter()
            try:
                n = await asyncio.to_thread(self._write, batch)
            except Exception as e:
                self._items[:0] = batch  # keep them for the next try: nothing observed is dropped
                self.failures += 1
                self.last_error = f"{type(e).__name__}: {e}"[:300]
                log.exception("writing %d observations failed; will retry", len(batch))
                raise
            self.stored += n
            self.flushes += 1
            self.last_flush_s = time.perf_counter() - t0
            if self.on_stored:
                self.on_stored(batch)
            return n
