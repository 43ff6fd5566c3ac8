"""What sla/store.py does around fold, in memory: pick the window's runs, fold a batch, apply
``upserts`` / ``removed_ids`` the way a database would, keep the accepted raw observations (one per
instant, highest rank) and serve ``raw_lookup`` from them, optionally pruned below a watermark."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from camsla.kernel import CHECKS, Observation
from sla.runs import Rejection, Run, fold, fold_window, overlaps_window


class MemoryStore:
    def __init__(self, stale_after: Mapping[str, float]) -> None:
        self.stale_after = stale_after
        self.rows: dict[int, Run] = {}  # the "run" table
        self.raws: dict[str, dict[datetime, Observation]] = {k: {} for k in CHECKS}
        self.watermark: datetime | None = None
        self.accepted: list[Observation] = []
        self.rejected: list[Rejection] = []
        self._next_id = 1

    def runs(self, check: str) -> list[Run]:
        return sorted((r for r in self.rows.values() if r.check == check), key=lambda r: r.first_ts)

    def runs_by_check(self) -> dict[str, list[Run]]:
        return {k: self.runs(k) for k in CHECKS}

    def _lookup(self, check: str):
        def lookup(start: datetime, end: datetime) -> list[Observation]:
            wm = self.watermark
            return [
                o for ts, o in self.raws[check].items() if start <= ts <= end and (wm is None or ts >= wm)
            ]

        return lookup

    def ingest(self, batch: Iterable[Observation], watermark: datetime | None = None) -> None:
        if watermark is not None:
            self.watermark = watermark if self.watermark is None else max(self.watermark, watermark)
        batch = list(batch)
        for check in CHECKS:
            obs = [o for o in batch if o.check == check]
            if not obs:
                continue
            stale = self.stale_after[check]
            window = fold_window(obs, stale)
            window_runs = [r for r in self.runs(check) if overlaps_window(r, window)]
            result = fold(window_runs, obs, stale, raw_lookup=self._lookup(check), watermark=self.watermark)
            # the database's view: delete removed ids, update or insert upserts
            before = {r.id for r in window_runs}
            assert set(result.removed_ids) == before - {r.id for r in result.runs}
            unchanged = [r for r in result.runs if r not in result.upserts]
            assert all(r in window_runs for r in unchanged), "a changed run is missing from upserts"
            for rid in result.removed_ids:
                del self.rows[rid]
            for r in result.upserts:
                if r.id is None:
                    r = Run(
                        r.camera_id,
                        r.check,
                        r.status,
                        r.faults,
                        r.first_ts,
                        r.last_ts,
                        r.n_obs,
                        self._next_id,
                    )
                    self._next_id += 1
                else:
                    assert r.id in before
                self.rows[r.id] = r
            rejected = {id(x.observation) for x in result.rejected}
            self.rejected += result.rejected
            for o in obs:
                if id(o) in rejected:
                    continue
                self.accepted.append(o)
                cur = self.raws[check].get(o.ts)
                if cur is None or o.rank > cur.rank:
                    self.raws[check][o.ts] = o
