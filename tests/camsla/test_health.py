"""/healthz says whether the database answers and /readyz fails while results cannot be stored --
against the test database, a port that refuses connections and a server that accepts and never
answers; neither waits past the connect timeout."""

from __future__ import annotations

import socket
import threading
import time

from fastapi.testclient import TestClient

from camsla.db import Database, make_engine
from camsla.kernel import load_settings
from camsla.service.app import Service
from camsla.service.buffer import ObservationBuffer
from camsla.web import create_app


def _client(db: Database, settings) -> TestClient:  # noqa: ANN001
    return TestClient(create_app(Service(settings=settings, db=db, buffer=ObservationBuffer(db, settings))))


def test_a_database_that_answers_is_ready(db, settings) -> None:
    client = _client(db, settings)
    assert client.get("/healthz").text == "ok\ndatabase: ok"
    assert client.get("/readyz").status_code == 200


def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_a_database_that_refuses_is_reported_and_not_ready(tmp_path) -> None:
    settings = load_settings(environ={"CAMSLA_DATABASE_URL": f"postgresql://postgres@127.0.0.1:{_closed_port()}/x",
                                      "CAMSLA_SPOOL_DIR": str(tmp_path / "spool")})
    client = _client(Database(make_engine(settings.database_url, settings.database)), settings)
    health = client.get("/healthz")
    assert health.status_code == 200 and health.text.startswith("ok\ndatabase: unreachable (")
    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.text.startswith("not ready:")


def test_a_hung_database_costs_at_most_the_connect_timeout(tmp_path) -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept_and_say_nothing() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except (TimeoutError, OSError):  # OSError: closed at the end of the test
                pass

    acceptor = threading.Thread(target=accept_and_say_nothing, daemon=True)
    acceptor.start()
    try:
        settings = load_settings(environ={
            "CAMSLA_DATABASE_URL": f"postgresql://postgres@127.0.0.1:{server.getsockname()[1]}/x",
            "CAMSLA_DATABASE__CONNECT_TIMEOUT_S": "1", "CAMSLA_SPOOL_DIR": str(tmp_path / "spool")})
        client = _client(Database(make_engine(settings.database_url, settings.database)), settings)
        t0 = time.monotonic()
        assert client.get("/readyz").status_code == 503
        assert "unreachable" in client.get("/healthz").text
        assert time.monotonic() - t0 < 2 * (settings.database.connect_timeout_s + 1.0) + 1.0
    finally:
        stop.set()
        acceptor.join()
        server.close()
        for s in held:
            s.close()
