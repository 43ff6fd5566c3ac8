"""Reading the durable current state (table ``current_state``): the newest result per camera and
check, whichever path stored it (probes, `camsla ingest`, agents), surviving restarts.

A result stands from its instant for ``stale_after`` (the one it was folded under); after that
the camera's check has no valid result (DESIGN.md), so "now" lists read only those still valid.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from camsla.db.models import CurrentState
from camsla.db.store import current_from_row, longest_stale_after
from sla import CurrentResult, decide


def _valid_query(session: Session, now: datetime, stale_after: dict[str, float]):  # noqa: ANN202
    # A cheap superset in SQL, then the exact test on each row with the stale_after its result was
    # folded under.
    longest = max([*longest_stale_after(session, stale_after).values(), 0.0])
    return select(CurrentState).where(CurrentState.last_ts > now - timedelta(seconds=longest),
                                      CurrentState.last_ts <= now)


def valid_results(
    session: Session, now: datetime, stale_after: dict[str, float], *, checks: Sequence[str] | None = None,
    statuses: Sequence[str] | None = None, camera_ids: Iterable[str] | None = None,
) -> list[CurrentResult]:
    """The newest result of each camera and check that is still valid at ``now``."""
    q = _valid_query(session, now, stale_after)
    if checks is not None:
        q = q.where(CurrentState.check.in_(list(checks)))
    if statuses is not None:
        q = q.where(CurrentState.status.in_(list(statuses)))
    if camera_ids is not None:
        q = q.where(CurrentState.camera_id.in_(list(camera_ids)))
    return [c for c in map(current_from_row, session.scalars(q)) if c.valid_at(now)]


def latest_of_camera(session: Session, camera_id: str) -> dict[str, CurrentResult]:
    """A camera's newest result per check, valid or not (the camera page shows how old it is)."""
    rows = session.scalars(select(CurrentState).where(CurrentState.camera_id == camera_id))
    return {r.check: current_from_row(r) for r in rows}


def latest_liveness(session: Session, camera_ids: Sequence[str]) -> dict[str, CurrentResult]:
    out: dict[str, CurrentResult] = {}
    for i in range(0, len(camera_ids), 400):
        q = select(CurrentState).where(CurrentState.check == "liveness",
                                       CurrentState.camera_id.in_(camera_ids[i : i + 400]))
        out.update((r.camera_id, current_from_row(r)) for r in session.scalars(q))
    return out


def failing_now(session: Session, now: datetime, stale_after: dict[str, float]) -> dict[str, tuple[str, tuple[str, ...], datetime]]:
    """Cameras offline or degraded now, decided by the state engine's own rules (``sla.decide``)
    from each camera's valid newest results: camera -> (state, deciding faults, newest instant)."""
    bad_ids = {c.camera_id for c in valid_results(session, now, stale_after, statuses=("fail",))}
    if not bad_ids:
        return {}
    by_camera: dict[str, dict[str, CurrentResult]] = {}
    for c in valid_results(session, now, stale_after, camera_ids=sorted(bad_ids)):
        by_camera.setdefault(c.camera_id, {})[c.check] = c
    out = {}
    for cid, by_check in by_camera.items():
        keys = {k: c.key for k, c in by_check.items()}
        state, faults = decide(True, keys.get("liveness"), keys.get("image"), keys.get("recording"))
        if state in ("offline", "degraded"):
            out[cid] = (state, faults, max(c.last_ts for c in by_check.values()))
    return out


def counts_by_status(session: Session, now: datetime, stale_after: dict[str, float]) -> Counter[tuple[str, str]]:
    """How many cameras' valid newest result per check has each status."""
    conds = [
        (CurrentState.check == check) & (CurrentState.last_ts > now - timedelta(seconds=stale))
        for check, stale in longest_stale_after(session, stale_after).items()
    ]
    q = select(CurrentState.check, CurrentState.status, CurrentState.last_ts, CurrentState.stale_after_s).where(
        or_(*conds), CurrentState.last_ts <= now)
    out: Counter[tuple[str, str]] = Counter()
    for check, status, last_ts, stale in session.execute(q):
        if now < last_ts + timedelta(seconds=stale):
            out[(check, status)] += 1
    return out
