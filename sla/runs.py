"""Runs: observations folded on arrival (DESIGN.md "Scale"), reproducing the state semantics exactly.

A **run** is a maximal sequence of consecutive observations of one check on one camera — in ``ts``
order, after keeping one observation per instant (the highest rank, see ``Observation.rank``) —
with the same key ``(status, faults)`` and every gap between consecutive observations
``<= stale_after``.

Why ``<=``: an observation at ``ts`` is valid on ``[ts, min(next ts, ts + stale_after))``. When the
next observation comes exactly ``stale_after`` later, the first one is valid up to (excluding) the
instant the next one starts: no instant is left uncovered, so both belong to one run. Hence:

* every instant of ``[first_ts, last_ts]`` is covered by the run's key;
* the run's last observation is valid until ``min(next run's first_ts, last_ts + stale_after)``,
  where "next run" is the next run of the same camera and check, whatever its key.

Each run records the ``stale_after`` it was folded under (``Run.stale_after_s``; DESIGN: changing
the setting changes the future, never the past): a result folded under another setting never
extends it but starts a run of its own, and every validity above uses the run's own value.

``n_obs`` is the number of distinct instants folded into the run (duplicates and same-instant
losers do not count).

:func:`fold` is pure: the store hands it the runs of ONE (camera, check) that overlap
:func:`fold_window` of the batch, and a lookup into the raw observations it already folded; it
returns the replacement list for that window. The result depends only on the set of observations
accepted, never on delivery order or batch split.

Contract with the store (``sla/store.py``):

* ``runs``: every stored run of the camera/check with ``first_ts <= hi`` and ``last_ts >= lo`` for
  ``(lo, hi) = fold_window(observations, stale_after_s)`` (any contiguous superset also works).
* ``raw_lookup(start, end)``: the raw observations of that camera/check with
  ``start <= ts <= end`` (both inclusive) that were stored *before this call* (not the batch being
  folded). At most one per instant is expected; if several are returned the highest rank is used.
* ``watermark``: raw observations with ``ts < watermark`` may have been pruned; those at or after it
  are all present. ``None``: nothing was ever pruned.
* After the call the store replaces the window: ``FoldResult.removed_ids`` are deleted,
  ``FoldResult.upserts`` are updated (``id`` set) or inserted (``id is None``); every *accepted*
  observation is stored as raw, keeping per instant the highest-ranked one (``rejected``
  observations are not stored).

Late observations: one that falls in a gap between runs (or before/after all of them) never needs
raw observations and is always accepted, whatever its age; so is one at the first or last instant
of a run that is an exact duplicate of it or outranked by it. Any other late observation (inside a
run, or outranking a run's first/last observation) needs the stored raw observations of that run
within ``stale_after`` of it; if those may have been pruned (they start before ``watermark``), or no
``raw_lookup`` was given, the observation is returned in ``rejected`` with the reason, never
approximated.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from camsla.kernel import STATUS_RANK, Observation
from sla.periods import Period, from_us, seconds_to_us, to_us

Key = tuple[str, tuple[str, ...]]
RawLookup = Callable[[datetime, datetime], Iterable[Observation]]
RawCount = Callable[[datetime, datetime], int]


@dataclass(frozen=True, slots=True)
class Run:
    """Consecutive equal results of one check on one camera (see the module docstring)."""

    camera_id: str
    check: str
    status: str
    faults: tuple[str, ...]
    first_ts: datetime
    last_ts: datetime
    n_obs: int
    id: int | None = None  # the store's row id; None for a run not stored yet
    # The stale_after its results were folded under (DESIGN: changing the setting changes the
    # future, never the past). None: folded before camsla recorded it; the setting in force applies.
    stale_after_s: float | None = None

    @property
    def key(self) -> Key:
        return (self.status, self.faults)


@dataclass(frozen=True, slots=True)
class Rejection:
    """An observation :func:`fold` refused, and why (for the ingest report)."""

    observation: Observation
    reason: str


@dataclass(frozen=True, slots=True)
class FoldResult:
    runs: list[Run]  # the replacement for the window's runs, sorted by first_ts
    rejected: list[Rejection] = field(default_factory=list)
    upserts: list[Run] = field(default_factory=list)  # new (id None) or changed (id kept) runs
    removed_ids: list[int] = field(default_factory=list)  # ids of window runs that no longer exist


class FoldInconsistency(RuntimeError):
    """The stored runs and raw observations contradict each other (e.g. raws pruned too early)."""


def fold_window(observations: Sequence[Observation], stale_after_s: float) -> Period:
    """``[min ts - stale_after, max ts + stale_after]`` (inclusive): the runs :func:`fold` needs."""
    if not observations:
        raise ValueError("fold_window of an empty batch")
    stale = timedelta(microseconds=seconds_to_us(stale_after_s))
    lo = min(o.ts for o in observations)
    hi = max(o.ts for o in observations)
    return Period(lo - stale, hi + stale)


def overlaps_window(run: Run, window: tuple[datetime, datetime]) -> bool:
    """Whether :func:`fold` needs ``run`` for a batch with this :func:`fold_window`."""
    return run.first_ts <= window[1] and run.last_ts >= window[0]


def _rank(key: Key) -> tuple[int, tuple[str, ...]]:
    return (STATUS_RANK[key[0]], key[1])


# A run being rebuilt: [first_us, last_us, key, n_obs, id, first_dt, last_dt, stale_us]
_Item = list


def fold(
    runs: Sequence[Run],
    observations: Iterable[Observation],
    stale_after_s: float,
    raw_lookup: RawLookup | None = None,
    watermark: datetime | None = None,
    raw_count: RawCount | None = None,
) -> FoldResult:
    """Fold a batch of observations of one camera/check into the runs of its window.

    ``raw_count(start, end)`` optionally counts stored raw observations (inclusive bounds) so that
    ``n_obs`` of a run split by a late observation is found without reading every raw row; without
    it ``raw_lookup`` is used. See the module docstring for the store contract.
    """
    stale = seconds_to_us(stale_after_s)
    if stale <= 0:
        raise ValueError(f"stale_after must be > 0 s, got {stale_after_s!r}")
    obs = observations if isinstance(observations, list | tuple) else list(observations)
    if not obs:
        return FoldResult(list(runs))
    camera_id, check = obs[0].camera_id, obs[0].check

    # One observation per instant: the highest rank wins (DESIGN.md same-instant rule). The
    # others at that instant share the winner's fate: no-ops if it is accepted, rejected with it.
    losers: dict[int, list[Observation]] = {}
    if len(obs) == 1:
        batch = [(to_us(obs[0].ts), obs[0])]
    else:
        best: dict[int, Observation] = {}
        for o in obs:
            if o.camera_id != camera_id or o.check != check:
                raise ValueError(
                    f"fold takes one camera/check per call: got {o.camera_id}/{o.check} "
                    f"with {camera_id}/{check}"
                )
            t = to_us(o.ts)
            cur = best.get(t)
            if cur is None:
                best[t] = o
                continue
            if o.rank > cur.rank:
                best[t], o = o, cur
            losers.setdefault(t, []).append(o)
        batch = sorted(best.items())

    for r in runs:
        if r.camera_id != camera_id or r.check != check:
            raise ValueError(f"run {r.camera_id}/{r.check} given to a fold of {camera_id}/{check}")
    if any(runs[i].first_ts > runs[i + 1].first_ts for i in range(len(runs) - 1)):
        runs = sorted(runs, key=lambda r: r.first_ts)

    if not runs or batch[0][0] > to_us(runs[-1].last_ts):
        return _append(runs, batch, stale, camera_id, check)
    return _Refold(runs, stale, camera_id, check, raw_lookup, watermark, raw_count, losers).run(batch)


def _append(
    runs: Sequence[Run], batch: list[tuple[int, Observation]], stale: int, camera_id: str, check: str
) -> FoldResult:
    """The common case: every observation is after the last run. O(1) per observation."""
    out = list(runs)
    upserts: list[Run] = []
    # The open run, as plain values: key, last instant (us), n_obs, id, first/last datetimes.
    stale_s = stale / 1e6
    # A tail folded under another stale_after stays a run of its own; the batch starts a new one.
    if out and out[-1].stale_after_s in (None, stale_s):
        tail = out.pop()
        c_key, c_last, c_n, c_id = tail.key, to_us(tail.last_ts), tail.n_obs, tail.id
        c_first_dt, c_last_dt, c_stale = tail.first_ts, tail.last_ts, tail.stale_after_s
        changed = False
    else:
        t, o = batch[0]
        c_key, c_last, c_n, c_id, c_first_dt, c_last_dt = (o.status, o.faults), t, 1, None, o.ts, o.ts
        c_stale, changed = stale_s, True
        batch = batch[1:]
    for t, o in batch:
        key = (o.status, o.faults)
        if key == c_key and t - c_last <= stale:
            c_last, c_last_dt, c_n = t, o.ts, c_n + 1
            c_stale, changed = stale_s, True  # a run from before stale_after was recorded gets it here
            continue
        run = Run(camera_id, check, c_key[0], c_key[1], c_first_dt, c_last_dt, c_n, c_id, c_stale)
        out.append(run)
        if changed:
            upserts.append(run)
        c_key, c_last, c_n, c_id, c_first_dt, c_last_dt = key, t, 1, None, o.ts, o.ts
        c_stale, changed = stale_s, True
    run = Run(camera_id, check, c_key[0], c_key[1], c_first_dt, c_last_dt, c_n, c_id, c_stale)
    out.append(run)
    if changed:
        upserts.append(run)
    return FoldResult(out, [], upserts, [])


class _Refold:
    """The general case: late observations among the window's runs (gaps, splits, conflicts)."""

    def __init__(
        self,
        runs: Sequence[Run],
        stale: int,
        camera_id: str,
        check: str,
        raw_lookup: RawLookup | None,
        watermark: datetime | None,
        raw_count: RawCount | None,
        losers: dict[int, list[Observation]],
    ) -> None:
        self.runs = runs
        self.losers = losers
        self.stale = stale
        self.camera_id = camera_id
        self.check = check
        self.raw_lookup = raw_lookup
        self.raw_count = raw_count
        self.watermark = None if watermark is None else to_us(watermark)
        self.items: list[_Item] = [
            [to_us(r.first_ts), to_us(r.last_ts), r.key, r.n_obs, r.id, r.first_ts, r.last_ts,
             None if r.stale_after_s is None else seconds_to_us(r.stale_after_s)]
            for r in runs
        ]
        for a, b in zip(self.items, self.items[1:], strict=False):
            if b[0] <= a[1]:
                raise ValueError(
                    f"runs of {camera_id}/{check} overlap: one ends {a[6].isoformat()}, "
                    f"the next starts {b[5].isoformat()}"
                )
        self.firsts = [it[0] for it in self.items]
        self.rejected: list[Rejection] = []
        # Observations of this batch absorbed inside a run (same result, new instant): not stored
        # as raw yet, but neighbours and counts of a later split in this batch must see them.
        self.pending: dict[int, datetime] = {}

    def run(self, batch: list[tuple[int, Observation]]) -> FoldResult:
        for t, o in batch:
            i = bisect_right(self.firsts, t) - 1
            if i >= 0 and self.items[i][1] >= t:
                self._into_run(i, t, o)
            else:  # in a gap, before or after every run: a point, merged below if it may
                self._put(i + 1, [[t, t, (o.status, o.faults), 1, None, o.ts, o.ts, self.stale]])
        return self._result(self._merge())

    def _put(self, i: int, items: list[_Item], replace: int = 0) -> None:
        self.items[i : i + replace] = items
        self.firsts[i : i + replace] = [it[0] for it in items]

    def _reject(self, o: Observation, reason: str) -> None:
        self.rejected.append(Rejection(o, reason))
        for other in self.losers.get(to_us(o.ts), ()):
            self.rejected.append(Rejection(other, reason + " (same instant as a rejected observation)"))

    def _into_run(self, i: int, t: int, o: Observation) -> None:
        first, last, K, n, run_id, first_dt, last_dt, folded_under = self.items[i]
        run_stale = self._stale(folded_under)
        key = (o.status, o.faults)
        boundary = t == first or t == last
        if boundary:
            if key == K or _rank(key) < _rank(K):
                return  # duplicate of, or outranked by, the run's first/last observation
            if first == last:  # a one-observation run replaced by a higher-ranked result
                self.items[i] = [t, t, key, 1, run_id, o.ts, o.ts, self.stale]
                return
        # neighbours inside the run are within the stale_after it was folded under
        lo, hi = max(first, t - run_stale), min(last, t + run_stale)
        if self.raw_lookup is None:
            self._reject(o, "late observation inside an existing run; no raw observations to split it by")
            return
        if self.watermark is not None and lo < self.watermark:
            self._reject(
                o,
                f"late observation inside a run of {self.check} results; the raw observations "
                f"needed to place it (from {from_us(lo).isoformat()}) are older than the raw "
                f"retention watermark {from_us(self.watermark).isoformat()}",
            )
            return
        raws = self._raws(lo, hi, K)
        at = raws.get(t)
        if boundary and at is None:
            self._inconsistent(f"no raw observation at the run boundary {o.ts.isoformat()}")
        if key == K:
            if at is None:
                self.items[i][3] = n + 1  # a new observation inside the run, same result
                self.pending[t] = o.ts
            return
        if at is not None and _rank(key) < _rank(K):
            return  # outranked by the stored observation at the same instant
        removed = 0 if at is None else 1
        before = [u for u in raws if u < t]
        after = [u for u in raws if u > t]
        pieces: list[_Item] = []
        n_left = n_right = 0
        if t > first:
            if not before:
                self._inconsistent(f"no raw observation within stale_after before {o.ts.isoformat()}")
            p = max(before)
        if t < last:
            if not after:
                self._inconsistent(f"no raw observation within stale_after after {o.ts.isoformat()}")
            q = min(after)
        if first < t < last:
            if first >= lo:
                n_left = len(before)
            elif last <= hi:
                n_left = n - removed - len(after)
            else:
                n_left = self._count_left(first, p, q, last, n - removed)
            n_right = n - removed - n_left
            if n_left < 1 or n_right < 1:
                self._inconsistent(f"n_obs {n} of the run does not match its raw observations")
        elif t == first:
            n_right = n - removed
        else:
            n_left = n - removed
        if t > first:
            pieces.append([first, p, K, n_left, run_id, first_dt, raws[p][1], folded_under])
            run_id = None
        pieces.append([t, t, key, 1, None, o.ts, o.ts, self.stale])
        if t < last:
            pieces.append([q, last, K, n_right, run_id, raws[q][1], last_dt, folded_under])
        self._put(i, pieces, replace=1)

    def _raws(self, lo: int, hi: int, K: Key) -> dict[int, tuple[Key, datetime]]:
        """Stored raw observations in [lo, hi] (all inside one run), one per instant."""
        assert self.raw_lookup is not None
        found: dict[int, tuple[Key, datetime, tuple[int, tuple[str, ...]]]] = {}
        for r in self.raw_lookup(from_us(lo), from_us(hi)):
            if r.camera_id != self.camera_id or r.check != self.check:
                raise ValueError(
                    f"raw_lookup returned {r.camera_id}/{r.check} for a fold of {self.camera_id}/{self.check}"
                )
            u = to_us(r.ts)
            if not lo <= u <= hi:
                continue
            cur = found.get(u)
            if cur is None or r.rank > cur[2]:
                found[u] = ((r.status, r.faults), r.ts, r.rank)
        for k, ts, _ in found.values():
            if k != K:
                self._inconsistent(
                    f"stored raw observation at {ts.isoformat()} is {k[0]} {list(k[1])} inside a run of "
                    f"{K[0]} {list(K[1])}"
                )
        raws = {u: (k, ts) for u, (k, ts, _) in found.items()}
        for u, ts in self.pending.items():
            if lo <= u <= hi:
                raws[u] = (K, ts)
        return raws

    def _count(self, lo: int, hi: int) -> int:
        pending = sum(1 for u in self.pending if lo <= u <= hi)
        if self.raw_count is not None:
            return self.raw_count(from_us(lo), from_us(hi)) + pending
        assert self.raw_lookup is not None
        return len({to_us(r.ts) for r in self.raw_lookup(from_us(lo), from_us(hi))}) + pending

    def _count_left(self, first: int, p: int, q: int, last: int, total: int) -> int:
        """Observations in [first, p], counting whichever side of the split is stored and shorter."""
        left_stored = self.watermark is None or first >= self.watermark
        if left_stored and p - first <= last - q:
            return self._count(first, p)
        return total - self._count(q, last)  # q > t >= watermark: the right side is all stored

    def _stale(self, folded_under: int | None) -> int:
        """A run's stale_after (us): the one it was folded under, else this fold's."""
        return self.stale if folded_under is None else folded_under

    def _inconsistent(self, what: str) -> None:
        raise FoldInconsistency(f"{self.camera_id}/{self.check}: {what}")

    def _merge(self) -> list[_Item]:
        merged: list[_Item] = []
        for it in self.items:
            if merged:
                m = merged[-1]
                stale = self._stale(it[7])
                if m[2] == it[2] and self._stale(m[7]) == stale and it[0] - m[1] <= stale:
                    m[7] = stale
                    m[1], m[6], m[3] = it[1], it[6], m[3] + it[3]
                    if m[4] is None:
                        m[4] = it[4]
                    continue
            merged.append(list(it))
        return merged

    def _result(self, merged: list[_Item]) -> FoldResult:
        before = set(self.runs)
        out: list[Run] = []
        upserts: list[Run] = []
        for _first, _last, key, n, run_id, first_dt, last_dt, stale in merged:
            run = Run(self.camera_id, self.check, key[0], key[1], first_dt, last_dt, n, run_id,
                      None if stale is None else stale / 1e6)
            out.append(run)
            if run not in before:
                upserts.append(run)
        kept = {r.id for r in out}
        removed = [r.id for r in self.runs if r.id is not None and r.id not in kept]
        return FoldResult(out, self.rejected, upserts, removed)
