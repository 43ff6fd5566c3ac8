"""The observation buffer while the database cannot be written: bounded memory, a durable local
spool, and a replay that stores everything once the database is back -- against a real database
that refuses connections (nothing listens on the port), not a stand-in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from camsla.db import open_db
from camsla.db.models import Camera, RawObservation
from camsla.kernel import Observation, Settings, parse_line, to_line
from camsla.service.buffer import ObservationBuffer
from camsla.service.spool import Spool

CAM = "34010000001320000077"
UNREACHABLE = "postgresql://camsla@127.0.0.1:9/nowhere"  # the discard port: nothing listens there


@pytest.fixture
def camera(db):
    now = datetime.now(UTC)
    with db.session() as s:
        s.add(Camera(camera_id=CAM, name="北门", sector_code="public_area", ip="10.0.0.7",
                     commissioned_at=now - timedelta(days=3), profile={}, updated_at=now))
    return CAM


def _settings(settings: Settings, tmp_path: Path, **kw) -> Settings:
    return settings.model_copy(update={"spool_dir": str(tmp_path / "spool"), **kw})


def _obs(n: int, start: datetime) -> list[Observation]:
    return [
        Observation(CAM, start + timedelta(seconds=60 * i), "liveness", "fail" if i % 3 == 0 else "ok",
                    ("stream_down",) if i % 3 == 0 else (), {"rtt_ms": 1.5 + i}, "rtsp")
        for i in range(n)
    ]


def _stored(db) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(RawObservation).where(RawObservation.camera_id == CAM))


def test_a_jsonl_line_reads_back_to_the_same_observation():
    obs = Observation("点位-01", datetime(2026, 11, 25, 8, 0, 1, 250_000, tzinfo=UTC), "image", "fail",
                      ("blur", "noise"), {"edge_width_px": 6.5, "night": False, "note": "模糊"}, "snapshot")
    assert parse_line(to_line(obs)) == obs


def test_analyzer_metrics_spool_as_they_are_stored():
    """NumPy scalars and non-finite numbers from the analyzers neither break the spool line nor
    make it unreadable: they are written as the store writes them."""
    import numpy as np

    obs = Observation("点位-01", datetime(2026, 11, 25, 8, tzinfo=UTC), "image", "fail", ("blur",),
                      {"ratio": np.float32(1.5), "night": np.bool_(True), "sharpness": float("nan")}, "rtsp")
    back = parse_line(to_line(obs))
    assert back.metrics == {"ratio": 1.5, "night": True, "sharpness": "nan"}
    assert (back.camera_id, back.ts, back.faults) == (obs.camera_id, obs.ts, obs.faults)


def test_spool_files_are_whole_and_come_back_oldest_first(tmp_path):
    spool = Spool(tmp_path / "spool")
    start = datetime(2026, 11, 25, tzinfo=UTC)
    first = spool.write(_obs(3, start))
    second = spool.write(_obs(2, start + timedelta(hours=1)))
    assert spool.files() == [first, second]
    assert not list((tmp_path / "spool").glob(".*"))  # no temporary file left behind
    good, bad = spool.read(first)
    assert good == _obs(3, start) and bad == []


async def test_past_the_memory_bound_a_dead_database_spills_to_disk_and_nothing_is_lost(
    db, settings, camera, tmp_path
):
    cfg = _settings(settings, tmp_path, buffer_max=10)
    dead = open_db(cfg.model_copy(update={"database_url": UNREACHABLE}), migrate=False)
    buffer = ObservationBuffer(dead, cfg)
    start = datetime.now(UTC) - timedelta(hours=1)
    observed = _obs(25, start)
    for i, o in enumerate(observed):
        buffer.put(o)
        if i % 4 == 3:
            with pytest.raises(Exception, match="(?i)connect|refused"):
                await buffer.flush()
            assert len(buffer) <= cfg.buffer_max  # memory stays bounded while the database is down
    assert buffer.failing and buffer.spooled > 0 and buffer.spool_files >= 1
    assert buffer.spooled + len(buffer) == len(observed)

    buffer.db = db  # the database is back
    while len(buffer) or buffer.spool_files:
        await buffer.flush()
    assert not buffer.failing
    assert buffer.replayed == buffer.spooled
    assert _stored(db) == len(observed)
    assert Spool(cfg.spool_dir).files() == []
    dead.dispose()


async def test_a_stop_without_the_database_spools_the_rest_and_the_next_start_stores_it(
    db, settings, camera, tmp_path
):
    cfg = _settings(settings, tmp_path)
    dead = open_db(cfg.model_copy(update={"database_url": UNREACHABLE}), migrate=False)
    before = ObservationBuffer(dead, cfg)
    before.extend(_obs(7, datetime.now(UTC) - timedelta(minutes=30)))
    assert await before.close() == 0
    assert len(before) == 0 and before.spool_files == 1
    dead.dispose()

    after = ObservationBuffer(db, cfg)  # the next start finds the spool ...
    assert after.spool_files == 1
    assert await after.flush() == 7  # ... and stores it with its first flush
    assert _stored(db) == 7 and after.spool_files == 0


async def test_replaying_a_file_that_was_already_stored_stores_nothing_twice(db, settings, camera, tmp_path):
    cfg = _settings(settings, tmp_path)
    observed = _obs(5, datetime.now(UTC) - timedelta(minutes=20))
    buffer = ObservationBuffer(db, cfg)
    buffer.extend(observed)
    await buffer.flush()
    Spool(cfg.spool_dir).write(observed)  # a crash between storing a spool file and deleting it
    replay = ObservationBuffer(db, cfg)
    await replay.flush()
    assert _stored(db) == 5 and replay.spool_files == 0


async def test_a_spool_file_with_a_broken_line_is_stored_but_set_aside_for_a_person(db, settings, camera, tmp_path):
    cfg = _settings(settings, tmp_path)
    path = Spool(cfg.spool_dir).write(_obs(3, datetime.now(UTC) - timedelta(minutes=10)))
    with open(path, "a", encoding="utf-8") as f:
        f.write('{"camera_id": "x", "ts": "yesterday"}\n')
    buffer = ObservationBuffer(db, cfg)
    assert await buffer.flush() == 3
    assert _stored(db) == 3
    assert not path.exists() and path.with_suffix(".bad").exists()


async def test_the_status_page_and_metrics_say_results_wait_for_the_database(db, settings, camera, tmp_path):
    from fastapi.testclient import TestClient

    from camsla.service.app import Service
    from camsla.web import create_app

    cfg = _settings(settings, tmp_path, buffer_max=2)
    dead = open_db(cfg.model_copy(update={"database_url": UNREACHABLE}), migrate=False)
    service = Service(settings=cfg, db=db, buffer=ObservationBuffer(dead, cfg))
    for o in _obs(3, datetime.now(UTC) - timedelta(minutes=5)):
        service.observe(o)
    with pytest.raises(Exception, match="(?i)connect|refused"):
        await service.buffer.flush()
    client = TestClient(create_app(service))
    page = client.get("/").text
    assert "检测结果暂时无法写入数据库" in page and "1 个文件暂存在本地磁盘" in page
    metrics = client.get("/metrics").text
    assert "camsla_observations_spooled_total 3.0" in metrics and "camsla_spool_files 1.0" in metrics
    dead.dispose()
