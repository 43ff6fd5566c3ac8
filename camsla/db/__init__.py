"""The database: engine, sessions and migrations. Any command opens it through ``open_db``,
which migrates a fresh or older database to the newest schema first (DESIGN.md)."""

from __future__ import annotations

from camsla.db.engine import Database, open_db, upgrade

__all__ = ["Database", "open_db", "upgrade"]
