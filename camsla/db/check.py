"""`camsla db check`: the invariants every figure rests on, checked, and repaired where the raw
observations still allow it.

* The runs of one camera and check never overlap (an instant has one result) and each is a real
  interval with at least one observation.
* The current state of a camera and check is its newest run.

Repair re-folds the runs of a broken camera/check from its raw observations, from the first broken
run on: possible while those raw observations are kept (``raw_retention_days``). Older damage is
named with what to do instead (re-ingest the original results for that camera after deleting its
runs). Repaired cameras' stored rollup days are deleted, to be computed again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from camsla.db import rollup
from camsla.db.models import CurrentState, RawObservation
from camsla.db.models import Run as RunRow
from camsla.db.store import _obs_from_row, get_watermark, run_from_row
from sla import fold


@dataclass(frozen=True)
class Problem:
    camera_id: str
    check: str
    what: str
    since: datetime  # the first instant affected
    runs: bool = True  # the runs are broken (False: only the current state is)


def find_problems(session: Session) -> list[Problem]:
    t = RunRow.__table__
    q = select(t.c.camera_id, t.c.check, t.c.status, t.c.faults, t.c.first_ts, t.c.last_ts, t.c.n_obs).order_by(
        t.c.camera_id, t.c.check, t.c.first_ts)
    problems: list[Problem] = []
    broken: set[tuple[str, str]] = set()
    newest: dict[tuple[str, str], tuple] = {}
    prev = None
    for row in session.execute(q).yield_per(10_000):
        cid, check, _status, _faults, first, last, n = row
        key = (cid, check)
        if last < first or n < 1:
            problems.append(Problem(cid, check, f"run from {first.isoformat()} to {last.isoformat()} with {n} "
                                    "observation(s) is not a run", first))
            broken.add(key)
        if prev is not None and (prev[0], prev[1]) == key and first <= prev[5] and key not in broken:
            problems.append(Problem(cid, check, f"runs overlap: one ends {prev[5].isoformat()}, the next starts "
                                    f"{first.isoformat()}", prev[4]))
            broken.add(key)
        newest[key] = row
        prev = row
    currents = {(c.camera_id, c.check): c for c in session.scalars(select(CurrentState))}
    for key, row in newest.items():
        if key in broken:
            continue
        cur = currents.get(key)
        if cur is None or (cur.status, cur.faults, cur.since, cur.last_ts) != (row[2], row[3], row[4], row[5]):
            problems.append(Problem(key[0], key[1], "current state is not the newest run", row[4], runs=False))
    return problems


def repair_problems(session: Session, problems: list[Problem], stale_after: dict[str, float]) -> list[str]:
    """Repair what can be repaired; returns what could not, with the reason and what to do."""
    watermark = get_watermark(session)
    left: list[str] = []
    first_broken: dict[tuple[str, str], datetime] = {}
    rollup.lock_for_change(session)
    for p in problems:
        key = (p.camera_id, p.check)
        if p.runs:
            first_broken[key] = min(p.since, first_broken.get(key, p.since))
        else:
            _set_current(session, p.camera_id, p.check, stale_after[p.check])
    for (cid, check), since in sorted(first_broken.items()):
        if watermark is not None and since < watermark:
            left.append(f"{cid}/{check}: damage from {since.isoformat()} is older than the raw observations kept "
                        f"(from {watermark.isoformat()}); delete its runs and re-ingest its original results")
            continue
        _refold(session, cid, check, since, stale_after[check])
        rollup.invalidate_cameras(session, [cid])
    return left


def _refold(session: Session, cid: str, check: str, since: datetime, stale: float) -> None:
    """Runs of ``cid``/``check`` from ``since`` on, folded again from the raw observations."""
    t = RunRow.__table__
    mine = (t.c.camera_id == cid, t.c.check == check)
    before = session.scalars(
        select(RunRow).where(*mine, RunRow.last_ts < since).order_by(RunRow.first_ts.desc()).limit(1)).first()
    session.execute(delete(t).where(*mine, t.c.last_ts >= since))
    raws = [_obs_from_row(r) for r in session.scalars(
        select(RawObservation).where(RawObservation.camera_id == cid, RawObservation.check == check,
                                     RawObservation.ts >= since).order_by(RawObservation.ts))]
    if raws:
        window = [run_from_row(before)] if before is not None else []
        result = fold(window, raws, stale)
        for r in result.upserts:
            values = {"status": r.status, "faults": r.faults, "first_ts": r.first_ts, "last_ts": r.last_ts,
                      "n_obs": r.n_obs, "stale_after_s": r.stale_after_s}
            if r.id is None:
                session.execute(insert(t).values(camera_id=cid, check=check, **values))
            else:
                session.execute(t.update().where(t.c.id == r.id).values(**values))
    _set_current(session, cid, check, stale)


def _set_current(session: Session, cid: str, check: str, stale: float) -> None:
    """The current state of ``cid``/``check`` from its newest run (its metrics are not in runs)."""
    t = RunRow.__table__
    mine = (t.c.camera_id == cid, t.c.check == check)
    newest = session.scalars(select(RunRow).where(*mine).order_by(RunRow.first_ts.desc()).limit(1)).first()
    cur = session.get(CurrentState, (cid, check))
    if newest is None:
        if cur is not None:
            session.delete(cur)
        return
    if cur is None:
        session.add(CurrentState(camera_id=cid, check=check, status=newest.status, faults=newest.faults,
                                 since=newest.first_ts, last_ts=newest.last_ts, stale_after_s=stale, metrics=None,
                                 source=""))
    else:
        cur.status, cur.faults, cur.since, cur.last_ts = newest.status, newest.faults, newest.first_ts, newest.last_ts
