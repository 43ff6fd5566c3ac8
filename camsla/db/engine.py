"""Engine, sessions and Alembic migrations, configured in code (no alembic.ini to ship)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from camsla.kernel import DatabaseSettings, Settings

MIGRATIONS = Path(__file__).with_name("migrations")
WRITE_OPTION = "camsla_write"  # execution option of a unit of work that reads, then writes what it read


def _normalise_url(url: str) -> str:
    # "postgresql://" means psycopg 3 here (the driver camsla installs), not psycopg2.
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_engine(url: str, limits: DatabaseSettings | None = None) -> Engine:
    """An engine whose every wait is bounded (``limits``: connect, statement and pool timeouts)."""
    limits = limits or DatabaseSettings()
    url = _normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": limits.statement_timeout_s},
                               pool_timeout=limits.pool_timeout_s)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # noqa: ANN001
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn) -> None:  # noqa: ANN001
            # A unit of work that reads, then writes what it read (Database.session(write=True)) takes
            # the write lock when it begins, so what it read cannot change before it writes. Others
            # keep the driver's way: a transaction begins at their first write, waiting for the lock.
            if conn.get_execution_options().get(WRITE_OPTION):
                conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    # Prepared statements (psycopg prepares a query after five runs) are planned for their actual
    # parameters every time: a generic plan kept from when a table was small or empty read a whole
    # month through the wrong index as camera_day filled up. (Not preparing at all cost a third of
    # the ingest rate.)
    statement_ms = int(limits.statement_timeout_s * 1000)
    return create_engine(
        url, pool_pre_ping=True, pool_timeout=limits.pool_timeout_s,
        connect_args={
            "connect_timeout": max(1, round(limits.connect_timeout_s)),
            "options": f"-c statement_timeout={statement_ms} -c lock_timeout={statement_ms} "
                       "-c plan_cache_mode=force_custom_plan",
            # a server that stops answering mid-conversation: the kernel notices within ~20 s
            "keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5, "keepalives_count": 2,
        },
    )


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    with engine.begin() as conn:
        cfg = alembic_config(engine)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def is_current(engine: Engine) -> bool:
    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision() == head


class Database:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._write_sessions = sessionmaker(engine.execution_options(**{WRITE_OPTION: True}), expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self, *, write: bool = False) -> Iterator[Session]:
        """A unit of work: committed when the block ends, rolled back whole on any error.

        ``write``: it reads and then writes what it read (storing results, rebuilding rollup days);
        on SQLite it then holds the write lock from its start, so nothing it read changes under it."""
        with (self._write_sessions if write else self._sessions)() as s:
            try:
                yield s
                s.commit()
            except BaseException:
                s.rollback()
                raise

    def ping(self) -> str | None:
        """None when the database answers a query now, else why not (one line, the driver's words)."""
        try:
            with self.engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
        except Exception as e:  # noqa: BLE001 - any failure is the answer
            cause = getattr(e, "orig", None) or e
            return f"{type(cause).__name__}: {' '.join(str(cause).split())}"[:300]
        return None

    def dispose(self) -> None:
        self.engine.dispose()


def migrate(db: Database) -> None:
    """Bring the database to the newest schema, if it is not there yet."""
    if not is_current(db.engine):
        upgrade(db.engine)


def open_db(settings: Settings, *, migrate: bool = True) -> Database:
    engine = make_engine(settings.database_url, settings.database)
    if migrate and not is_current(engine):
        upgrade(engine)
    return Database(engine)
