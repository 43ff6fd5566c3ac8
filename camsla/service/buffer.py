"""Observations from probes are buffered in memory and written in batches (one transaction each).

The buffer is the only writer of probe results: probes never touch the database. A clean stop
flushes it, so nothing observed is lost.

While the database cannot be written (down, locked, unreachable) a failed batch stays buffered
and is retried. Memory is bounded: past ``buffer_max`` observations, everything buffered goes to
the spool on local disk (``spool_dir``, see ``camsla.service.spool``), and so does what is left
at a stop that cannot reach the database. Once writes succeed again, the spool is replayed into
the store, oldest file first, one file per flush.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from camsla.db import Database, ObservationStore
from camsla.kernel import Observation, Settings
from camsla.service.spool import Spool
from sla import StateChange

log = logging.getLogger("camsla.buffer")
STOP_FLUSH_S = 8.0  # the last flush at a stop waits no longer (a supervisor kills at about 10 s)


async def _in_daemon_thread(fn, *args):  # noqa: ANN001, ANN202
    """``fn(*args)`` in a daemon thread: a database write that hangs must not keep the process from
    exiting at a stop (the default executor's threads are joined at exit)."""
    loop = asyncio.get_running_loop()
    future = loop.create_future()

    def settle(error: BaseException | None, result: object) -> None:
        if future.done():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)

    def run() -> None:
        error, result = None, None
        try:
            result = fn(*args)
        except BaseException as e:  # noqa: BLE001 - handed to the awaiting coroutine
            error = e
        with contextlib.suppress(RuntimeError):  # the loop is gone: the service stopped meanwhile
            loop.call_soon_threadsafe(settle, error, result)

    threading.Thread(target=run, name="camsla-store-write", daemon=True).start()
    return await future


class ObservationBuffer:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        *,
        on_stored: Callable[[list[StateChange]], None] | None = None,  # the state changes a write caused
        spool: Spool | None = None,
    ):
        self.db = db
        self.settings = settings
        self.spool = spool or Spool(Path(settings.spool_dir))
        self._items: list[Observation] = []
        self._inflight: list[Observation] = []  # the batch being written now
        self._lock = asyncio.Lock()
        self.stored = 0
        self.flushes = 0
        self.failures = 0  # write attempts that failed (the batch stayed buffered or was spooled)
        self.spooled = 0  # observations written to the spool
        self.replayed = 0  # observations stored from the spool
        self.last_error: str | None = None
        self.failing = False  # the newest write attempt failed
        self.last_flush_s: float | None = None
        self.on_stored = on_stored
        self._spool_files = len(self.spool.files())

    def __len__(self) -> int:
        return len(self._items)

    @property
    def spool_files(self) -> int:
        """Spool files waiting to be stored (as of the last write or replay)."""
        return self._spool_files

    def put(self, obs: Observation) -> None:
        self._items.append(obs)

    def extend(self, obs: Iterable[Observation]) -> None:
        self._items.extend(obs)

    def _write(self, batch: list[Observation]) -> int:
        with self.db.session(write=True) as s:
            stats = ObservationStore(s, self.settings.stale_after, self.settings.tz).add(batch)
        for o, reason in stats.rejected:
            log.warning("observation for %s at %s not stored: %s", o.camera_id, o.ts.isoformat(), reason)
        if self.on_stored and stats.changes:
            self.on_stored(stats.changes)
        return stats.stored

    def _failed(self, e: Exception, what: str) -> None:
        self.failing = True
        self.failures += 1
        cause = getattr(e, "orig", None) or e  # the driver's own words, not SQLAlchemy's wrapping
        text = " ".join(str(cause).split())
        self.last_error = f"{type(cause).__name__}: {text}"[:300]
        log.error("%s failed: %s", what, self.last_error)

    async def _spill(self) -> None:
        """Move everything buffered to a spool file (the caller holds the lock)."""
        batch, self._items = self._items, []
        await self._spill_batch(batch)

    async def _spill_batch(self, batch: list[Observation]) -> None:
        if not batch:
            return
        try:
            path = await asyncio.to_thread(self.spool.write, batch)
        except Exception:
            self._items[:0] = batch  # the disk failed too: keep them in memory, say so loudly
            log.exception("spooling %d observations to %s failed; they stay in memory", len(batch), self.spool.directory)
            return
        self.spooled += len(batch)
        self._spool_files = len(self.spool.files())
        log.warning("database not writable: %d observations spooled to %s", len(batch), path)

    async def flush(self) -> int:
        """Write what is buffered, off the event loop, then replay one spool file. On failure the
        batch goes back in the buffer (or to the spool, past ``buffer_max``) and the error is raised."""
        async with self._lock:
            n = 0
            if self._items:
                batch, self._items = self._items, []
                self._inflight = batch
                t0 = time.perf_counter()
                try:
                    n = await _in_daemon_thread(self._write, batch)
                except Exception as e:
                    self._items[:0] = batch  # keep them for the next try: nothing observed is dropped
                    self._failed(e, f"writing {len(batch)} observations")
                    if len(self._items) > self.settings.buffer_max:
                        await self._spill()
                    raise
                finally:
                    self._inflight = []
                self.failing = False
                self.stored += n
                self.flushes += 1
                self.last_flush_s = time.perf_counter() - t0
            if self._spool_files:
                n += await self._replay_one()
            return n

    async def _replay_one(self) -> int:
        files = await asyncio.to_thread(self.spool.files)
        self._spool_files = len(files)
        if not files:
            return 0
        path = files[0]
        try:
            batch, bad = await asyncio.to_thread(self.spool.read, path)
        except (OSError, UnicodeDecodeError) as e:
            self._failed(e, f"reading spool file {path}")
            await asyncio.to_thread(self.spool.set_aside, path)
            self._spool_files -= 1
            return 0
        if bad:  # written by us, so never expected: keep the file for a person, store the rest
            log.error("spool file %s: %d unreadable line(s), first: %s; set aside", path, len(bad), bad[0])
        try:
            n = await asyncio.to_thread(self._write, batch) if batch else 0
        except Exception as e:
            self._failed(e, f"replaying spool file {path}")
            return 0
        await asyncio.to_thread(self.spool.set_aside if bad else self.spool.done, path)
        self.replayed += n
        self.stored += n
        self._spool_files -= 1
        log.info("replayed %d spooled observations from %s", n, path)
        return n

    async def close(self, timeout_s: float = STOP_FLUSH_S) -> int:
        """The last flush at a stop, bounded in time whatever the database does: what cannot be
        written now -- refused, or hanging past ``timeout_s`` -- goes to the spool, not lost. (A
        write still hanging may yet complete: its spooled copy is then stored again as a no-op.)"""
        try:
            return await asyncio.wait_for(self.flush(), timeout_s)
        except TimeoutError:
            batch, self._items = self._items + self._inflight, []  # the lock is held by the hung write
            self._inflight = []
            await self._spill_batch(batch)
            return 0
        except Exception:
            async with self._lock:
                if self._items:
                    await self._spill()
            return 0
