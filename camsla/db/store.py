"""The I/O edge of the state engine: observations in, runs, raw observations, current state.

``ObservationStore.add`` is the one path every observation takes (probes, collectors, `camsla
ingest`, remote agents). It is batched and append-friendly: for each (camera, check) the tail run
is loaded once and the pure ``sla.runs.fold`` extends it; late observations load the runs around
them and the raw observations needed to split a run exactly. In the same transaction it keeps the
newest result per camera and check (``current_state``, via the pure ``sla.current.advance``) and
deletes the stored rollup days the changed runs touch (``camsla.db.rollup``). It returns what it
stored and the state changes it caused, for the ticket engine.
"""

from __future__ import annotations

import json
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, bindparam, delete, func, insert, or_, select, text, update
from sqlalchemy.orm import Session

from camsla.db import rollup
from camsla.db.models import CurrentState, KeyValue, RawObservation
from camsla.db.models import Run as RunRow
from camsla.kernel import Observation, plain_metrics
from sla import DEFAULT_TIMEZONE, CurrentResult, Run, StateChange, advance, fold, fold_window, zone

WATERMARK_KEY = "raw_pruned_before"
_CHUNK = 400  # keys per IN (...) query
KEY_LOCKS = 0x63616D74  # namespace of the per-(camera, check) advisory locks on PostgreSQL


@dataclass
class StoreStats:
    received: int = 0
    stored: int = 0
    duplicates: int = 0
    rejected: list[tuple[Observation, str]] = field(default_factory=list)
    changes: list[StateChange] = field(default_factory=list)  # of the newest result per camera and check

    def __iadd__(self, other: StoreStats) -> StoreStats:
        self.received += other.received
        self.stored += other.stored
        self.duplicates += other.duplicates
        self.rejected.extend(other.rejected)
        self.changes.extend(other.changes)
        return self


def current_from_row(r: CurrentState) -> CurrentResult:
    return CurrentResult(r.camera_id, r.check, r.status, r.faults, r.since, r.last_ts, r.stale_after_s,
                         r.metrics or {}, r.source)


def run_from_row(r: RunRow) -> Run:
    """A stored run row as the pure ``sla.runs.Run``."""
    return Run(
        camera_id=r.camera_id,
        check=r.check,
        status=r.status,
        faults=r.faults,
        first_ts=r.first_ts,
        last_ts=r.last_ts,
        n_obs=r.n_obs,
        id=r.id,
        stale_after_s=r.stale_after_s,
    )


def _obs_from_row(r: RawObservation) -> Observation:
    return Observation(
        camera_id=r.camera_id,
        ts=r.ts,
        check=r.check,  # type: ignore[arg-type]
        status=r.status,  # type: ignore[arg-type]
        faults=r.faults,
        metrics=r.metrics or {},
        source=r.source,
    )


def keys_in(camera_col, check_col, keys: Iterable[tuple[str, str]]):  # noqa: ANN001, ANN201 - SQL
    """``(camera_id, check) IN keys`` as one ``check = c AND camera_id IN (...)`` per check, which the
    (camera_id, check, ...) indexes serve by lookups; a row-value IN may make PostgreSQL scan."""
    by_check: dict[str, list[str]] = defaultdict(list)
    for camera_id, check in keys:
        by_check[check].append(camera_id)
    return or_(*(and_(check_col == check, camera_col.in_(ids)) for check, ids in sorted(by_check.items())))


STALE_MAX_KEY = "stale_after_max"  # the longest stale_after any stored result was folded under, per check


def longest_stale_after(session: Session, stale_after: dict[str, float]) -> dict[str, float]:
    """Per check, the longest stale_after a stored result may be valid for: the setting in force or
    a longer one some results were folded under. How far back a reader must look for runs."""
    kv = session.get(KeyValue, STALE_MAX_KEY)
    recorded = json.loads(kv.value) if kv else {}
    return {check: max(float(s), recorded.get(check, 0.0)) for check, s in stale_after.items()}


def _record_stale_after(session: Session, stale_after: dict[str, float], checks: set[str]) -> None:
    kv = session.get(KeyValue, STALE_MAX_KEY)
    recorded = json.loads(kv.value) if kv else {}
    longer = {c: float(stale_after[c]) for c in checks if float(stale_after[c]) > recorded.get(c, 0.0)}
    if longer:
        session.merge(KeyValue(key=STALE_MAX_KEY, value=json.dumps({**recorded, **longer}, sort_keys=True)))


def get_watermark(session: Session) -> datetime | None:
    kv = session.get(KeyValue, WATERMARK_KEY)
    return datetime.fromisoformat(kv.value) if kv else None


class ObservationStore:
    """Stores batches of observations in the caller's transaction (open it with
    ``Database.session(write=True)``). ``tz``: where days are cut for the rollup; ``clock``: now."""

    def __init__(
        self, session: Session, stale_after: dict[str, float], tz: ZoneInfo | str = DEFAULT_TIMEZONE,
        clock=lambda: datetime.now(UTC),  # noqa: ANN001
    ) -> None:
        self.session = session
        self.stale_after = stale_after
        self.tz = zone(tz)
        self.clock = clock

    # -- writing -----------------------------------------------------------------------------
    def add(self, observations: Iterable[Observation]) -> StoreStats:
        stats = StoreStats()
        best: dict[tuple[str, str, datetime], Observation] = {}
        for o in observations:
            stats.received += 1
            k = (o.camera_id, o.check, o.ts)
            prev = best.get(k)
            if prev is None or o.rank > prev.rank:
                best[k] = o
        stats.duplicates += stats.received - len(best)
        groups: dict[tuple[str, str], list[Observation]] = defaultdict(list)
        for o in best.values():
            groups[(o.camera_id, o.check)].append(o)
        for obs in groups.values():
            obs.sort(key=lambda o: o.ts)
        if not groups:
            return stats
        rollup.lock_for_change(self.session)
        self._lock_keys(list(groups))
        _record_stale_after(self.session, self.stale_after, {check for _, check in groups})
        now = self.clock()
        watermark = get_watermark(self.session)
        tails = self._tails(list(groups))
        currents = self._currents(list(groups))
        raw_inserts: list[dict] = []
        run_inserts: list[dict] = []
        run_updates: list[dict] = []
        run_deletes: list[int] = []
        new_currents: dict[tuple[str, str], CurrentResult] = {}
        touched_days: list[tuple[str, date]] = []
        late = [k for k, obs in groups.items() if k in tails and obs[0].ts <= tails[k].last_ts]
        preloaded = self._preload(late, groups)
        for key, obs in groups.items():
            stale = self.stale_after[key[1]]
            tail = tails.get(key)
            if key not in preloaded:
                result = fold([tail] if tail else [], obs, stale)
                stored: dict[datetime, RawObservation] = {}
            else:
                window, raws = preloaded[key]
                stored = {r.ts: r for r in raws}
                if all((s := stored.get(o.ts)) is not None and s.status == o.status and s.faults == o.faults
                       for o in obs):  # a re-delivery of what is stored: nothing can change
                    stats.duplicates += len(obs)
                    continue
                result = fold(window, obs, stale, raw_lookup=self._raw_lookup(key, raws), watermark=watermark)
                stats.rejected.extend((r.observation, r.reason) for r in result.rejected)
            rejected_ids = {id(r.observation) for r in result.rejected}
            accepted: list[Observation] = []
            for o in obs:
                if id(o) in rejected_ids:
                    continue
                prev = stored.get(o.ts)
                if prev is None:
                    raw_inserts.append(self._raw_values(o))
                    accepted.append(o)
                    stats.stored += 1
                elif o.rank > _obs_from_row(prev).rank:  # a worse verdict for the instant replaces it
                    for k, v in self._raw_values(o).items():
                        setattr(prev, k, v)
                    accepted.append(o)
                    stats.stored += 1
                else:
                    stats.duplicates += 1
            for r in result.upserts:
                if r.id is None:
                    run_inserts.append(self._run_values(r))
                else:
                    # a run keeps its camera and check: only what can change is SET
                    values = self._run_values(r)
                    del values["camera_id"], values["check"]
                    run_updates.append({"_id": r.id, **values})
            run_deletes.extend(result.removed_ids)
            if result.upserts or result.removed_ids:
                lo, hi = fold_window(obs, stale)
                # a run's result is valid up to stale_after past its last instant
                days = rollup.closed_days(lo, hi + timedelta(seconds=stale), now, self.tz)
                touched_days.extend((key[0], d) for d in days)
            after, change = advance(currents.get(key), result.runs, accepted, stale)
            if after is not None:
                new_currents[key] = after
            if change is not None:
                stats.changes.append(change)
        self._write(raw_inserts, run_inserts, run_updates, run_deletes)
        self._write_currents(new_currents, currents)
        if touched_days:
            rollup.invalidate_days(self.session, touched_days)
        return stats

    def _lock_keys(self, keys: list[tuple[str, str]]) -> None:
        """Serialise the fold of each (camera, check) with every other writer's, so that any number
        of writers (the service, ingests, spool replays, agents) leave exactly the runs of one.

        PostgreSQL: a transaction-scoped advisory lock per key (two-int form, namespace KEY_LOCKS;
        hash collisions only serialise a little more), taken in hash order so two writers never wait
        on each other in a circle. SQLite: the write transaction already holds the database's write
        lock from its BEGIN IMMEDIATE (Database.session(write=True))."""
        if self.session.get_bind().dialect.name != "postgresql":
            return
        self.session.execute(
            text("SELECT pg_advisory_xact_lock(:ns, h) FROM (SELECT DISTINCT hashtext(k) AS h "
                 "FROM unnest(CAST(:keys AS text[])) AS k) AS hashed ORDER BY h"),
            {"ns": KEY_LOCKS, "keys": [f"{camera_id}/{check}" for camera_id, check in keys]},
        )

    def _currents(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], CurrentResult]:
        out: dict[tuple[str, str], CurrentResult] = {}
        for i in range(0, len(keys), _CHUNK):
            q = select(CurrentState).where(keys_in(CurrentState.camera_id, CurrentState.check, keys[i : i + _CHUNK]))
            for row in self.session.scalars(q):
                out[(row.camera_id, row.check)] = current_from_row(row)
        return out

    def _write_currents(
        self, new: dict[tuple[str, str], CurrentResult], old: dict[tuple[str, str], CurrentResult]
    ) -> None:
        if not new:
            return
        t = CurrentState.__table__
        rows = [
            {"camera_id": c.camera_id, "check": c.check, "status": c.status, "faults": c.faults, "since": c.since,
             "last_ts": c.last_ts, "stale_after_s": c.stale_after_s, "metrics": plain_metrics(c.metrics),
             "source": c.source[:32]}
            for c in new.values()
        ]
        conn = self.session.connection()
        inserts = [r for r in rows if (r["camera_id"], r["check"]) not in old]
        # the key travels as _cid/_check only: a parameter named like a column would be SET too
        updates = [{**{k: v for k, v in r.items() if k not in ("camera_id", "check")},
                    "_cid": r["camera_id"], "_check": r["check"]}
                   for r in rows if (r["camera_id"], r["check"]) in old]
        if updates:
            conn.execute(
                update(t).where(t.c.camera_id == bindparam("_cid"), t.c.check == bindparam("_check")).values(
                    status=bindparam("status"), faults=bindparam("faults"), since=bindparam("since"),
                    last_ts=bindparam("last_ts"), stale_after_s=bindparam("stale_after_s"),
                    metrics=bindparam("metrics"), source=bindparam("source")),
                updates,
            )
        if inserts:
            conn.execute(insert(t), inserts)

    def _tails(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], Run]:
        out: dict[tuple[str, str], Run] = {}
        for i in range(0, len(keys), _CHUNK):
            chunk = keys[i : i + _CHUNK]
            latest = (
                select(RunRow.camera_id, RunRow.check, func.max(RunRow.first_ts).label("first_ts"))
                .where(keys_in(RunRow.camera_id, RunRow.check, chunk))
                .group_by(RunRow.camera_id, RunRow.check)
                .subquery()
            )
            q = select(RunRow).join(
                latest,
                and_(
                    RunRow.camera_id == latest.c.camera_id,
                    RunRow.check == latest.c.check,
                    RunRow.first_ts == latest.c.first_ts,
                ),
            )
            for row in self.session.scalars(q):
                out[(row.camera_id, row.check)] = run_from_row(row)
        return out

    def _preload(
        self, late: list[tuple[str, str]], groups: dict[tuple[str, str], list[Observation]]
    ) -> dict[tuple[str, str], tuple[list[Run], list[RawObservation]]]:
        """For late (camera, check) groups: the runs their fold window touches and the raw
        observations stored in that window, read in a few chunked queries rather than per group."""
        out: dict[tuple[str, str], tuple[list[Run], list[RawObservation]]] = {}
        for i in range(0, len(late), _CHUNK):
            chunk = late[i : i + _CHUNK]
            windows = {k: fold_window(groups[k], self.stale_after[k[1]]) for k in chunk}
            lo = min(w[0] for w in windows.values())
            hi = max(w[1] for w in windows.values())
            runs: dict[tuple[str, str], list[Run]] = defaultdict(list)
            for r in self.session.scalars(
                select(RunRow)
                .where(keys_in(RunRow.camera_id, RunRow.check, chunk), RunRow.last_ts >= lo, RunRow.first_ts <= hi)
                .order_by(RunRow.first_ts)
            ):
                w = windows[(r.camera_id, r.check)]
                if r.last_ts >= w[0] and r.first_ts <= w[1]:
                    runs[(r.camera_id, r.check)].append(run_from_row(r))
            raws: dict[tuple[str, str], list[RawObservation]] = defaultdict(list)
            for r in self.session.scalars(
                select(RawObservation)
                .where(
                    keys_in(RawObservation.camera_id, RawObservation.check, chunk),
                    RawObservation.ts >= lo,
                    RawObservation.ts <= hi,
                )
                .order_by(RawObservation.ts)
            ):
                w = windows[(r.camera_id, r.check)]
                if w[0] <= r.ts <= w[1]:
                    raws[(r.camera_id, r.check)].append(r)
            for k in chunk:
                out[k] = (runs.get(k, []), raws.get(k, []))
        return out

    def _raw_lookup(self, key: tuple[str, str], preloaded: list[RawObservation]):
        """Raw observations in [start, end]: from the preloaded window, else from the database."""
        camera_id, check = key
        times = [r.ts for r in preloaded]
        lo = times[0] if times else None
        converted: dict[int, Observation] = {}

        def lookup(start: datetime, end: datetime) -> list[Observation]:
            if lo is not None and start >= lo and end <= times[-1]:
                a, b = bisect_left(times, start), bisect_right(times, end)
                out = []
                for j in range(a, b):
                    if j not in converted:
                        converted[j] = _obs_from_row(preloaded[j])
                    out.append(converted[j])
                return out
            rows = self.session.scalars(
                select(RawObservation)
                .where(
                    RawObservation.camera_id == camera_id,
                    RawObservation.check == check,
                    RawObservation.ts >= start,
                    RawObservation.ts <= end,
                )
                .order_by(RawObservation.ts)
            )
            return [_obs_from_row(r) for r in rows]

        return lookup

    @staticmethod
    def _run_values(r: Run) -> dict:
        return {
            "camera_id": r.camera_id,
            "check": r.check,
            "status": r.status,
            "faults": r.faults,
            "first_ts": r.first_ts,
            "last_ts": r.last_ts,
            "n_obs": r.n_obs,
            "stale_after_s": r.stale_after_s,
        }

    @staticmethod
    def _raw_values(o: Observation) -> dict:
        return {
            "camera_id": o.camera_id,
            "check": o.check,
            "ts": o.ts,
            "status": o.status,
            "faults": o.faults,
            "metrics": plain_metrics(o.metrics),
            "source": o.source[:32],
        }

    def _write(self, raw: list[dict], inserts: list[dict], updates: list[dict], deletes: list[int]) -> None:
        s = self.session
        if deletes:
            for i in range(0, len(deletes), _CHUNK):
                s.execute(delete(RunRow).where(RunRow.id.in_(deletes[i : i + _CHUNK])))
        if updates:
            stmt = (
                update(RunRow.__table__)
                .where(RunRow.__table__.c.id == bindparam("_id"))
                .values(
                    status=bindparam("status"),
                    faults=bindparam("faults"),
                    first_ts=bindparam("first_ts"),
                    last_ts=bindparam("last_ts"),
                    n_obs=bindparam("n_obs"),
                    stale_after_s=bindparam("stale_after_s"),
                )
            )
            s.connection().execute(stmt, updates)
        conn = s.connection()  # Core executemany: the ORM's per-row bookkeeping is not needed here
        if inserts:
            conn.execute(insert(RunRow.__table__), inserts)
        if raw:
            conn.execute(insert(RawObservation.__table__), raw)

    # -- housekeeping ------------------------------------------------------------------------
    def prune_raw(self, now: datetime, retention_days: float) -> int:
        """Delete raw observations older than the retention window; remember where we cut."""
        cutoff = now.astimezone(UTC) - timedelta(days=retention_days)
        n = self.session.execute(delete(RawObservation).where(RawObservation.ts < cutoff)).rowcount or 0
        current = get_watermark(self.session)
        if current is None or cutoff > current:
            self.session.merge(KeyValue(key=WATERMARK_KEY, value=cutoff.isoformat()))
        return n
