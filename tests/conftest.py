"""Shared fixtures. The database under test is SQLite by default; set CAMSLA_TEST_DATABASE_URL
(e.g. postgresql://postgres@127.0.0.1:5432/test) to run the same tests on PostgreSQL: a throwaway
database is created on that server for the session and dropped afterwards."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, delete, text
from sqlalchemy.engine import make_url

from camsla.db import Database, open_db
from camsla.db.models import Base, Sector
from camsla.kernel import BUILTIN_SECTORS, Settings, load_settings

PG_ENV = "CAMSLA_TEST_DATABASE_URL"


def _psycopg(url: str) -> str:
    return "postgresql+psycopg://" + url.split("://", 1)[1] if url.startswith("postgresql://") else url


@pytest.fixture(scope="session")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    base = os.environ.get(PG_ENV)
    if not base:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'camsla.db'}"
        return
    server = make_url(_psycopg(base))
    name = f"camsla_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def settings(db_url: str, tmp_path) -> Settings:
    return load_settings(
        environ={"CAMSLA_DATABASE_URL": db_url, "CAMSLA_TIMEZONE": "Asia/Shanghai",
                 "CAMSLA_IMAGE__EVIDENCE_DIR": str(tmp_path / "evidence")},
    )


@pytest.fixture(scope="session")
def _session_db(db_url: str) -> Iterator[Database]:
    s = load_settings(environ={"CAMSLA_DATABASE_URL": db_url})
    db = open_db(s)
    yield db
    db.dispose()


def _reset(db: Database) -> None:
    with db.session() as s:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name != "sector":
                s.execute(delete(table))
        s.execute(delete(Sector).where(Sector.builtin.is_(False)))
        for d in BUILTIN_SECTORS:
            sec = s.get(Sector, d.code)
            sec.name, sec.name_en, sec.tier, sec.target, sec.lead_unit = d.name, d.name_en, d.tier, d.target, ""


@pytest.fixture
def db(_session_db: Database) -> Iterator[Database]:
    """A migrated database with only the built-in sectors in it; emptied again after the test."""
    _reset(_session_db)
    yield _session_db
    _reset(_session_db)


@pytest.fixture
def cli_env(db, db_url: str, tmp_path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Environment for running the CLI in-process against the test database."""
    monkeypatch.chdir(tmp_path)
    env = {"CAMSLA_DATABASE_URL": db_url, "CAMSLA_TIMEZONE": "Asia/Shanghai"}
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    return env
