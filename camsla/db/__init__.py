"""The database: the schema (``models``), engine, sessions and migrations, and every query.

Any command opens it through ``open_db``, which migrates a fresh or older database to the newest
schema first (DESIGN.md). Results enter through one path, ``ObservationStore.add`` (runs, raw
results, current state and rollup upkeep in one transaction, returning the state changes); SLA
figures come out through ``sla_report`` (typed, from the daily rollup and the runs) and the
current state through the readers of ``camsla.db.current``.
"""

from __future__ import annotations

from camsla.db import models
from camsla.db.check import Problem, find_problems, repair_problems
from camsla.db.current import counts_by_status, failing_now, latest_liveness, latest_of_camera, valid_results
from camsla.db.engine import Database, make_engine, migrate, open_db, upgrade
from camsla.db.report import (
    ensure_days,
    ensure_month_so_far,
    figures_from_runs,
    sla_report,
    timeline_document,
)
from camsla.db.rollup import invalidate_cameras
from camsla.db.store import ObservationStore, StoreStats

__all__ = [
    "Database",
    "Problem",
    "ObservationStore",
    "StoreStats",
    "counts_by_status",
    "ensure_days",
    "ensure_month_so_far",
    "failing_now",
    "figures_from_runs",
    "find_problems",
    "invalidate_cameras",
    "latest_liveness",
    "latest_of_camera",
    "make_engine",
    "migrate",
    "models",
    "open_db",
    "repair_problems",
    "sla_report",
    "timeline_document",
    "upgrade",
    "valid_results",
]
