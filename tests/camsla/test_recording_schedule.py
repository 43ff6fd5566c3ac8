"""The service's recording checks: scheduled per camera with a recording source, and re-run for a
camera that comes back online — against the ONVIF test device over real SOAP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from camsla.db.models import Camera, RawObservation
from camsla.kernel import Observation
from camsla.service.app import Service
from camsla.service.buffer import ObservationBuffer
from camsla.service.recording import recording_job, recording_recovered_job
from tests.peers.onvif_device import onvif_device

CAM_ONVIF, CAM_PLAIN = "34010000001320000001", "34010000001320000002"


@pytest.fixture
def service(db, settings):
    return Service(settings=settings, db=db, buffer=ObservationBuffer(db, settings))


def add_cameras(db, onvif_url: str) -> None:
    now = datetime.now(UTC)
    with db.session() as s:
        s.add(Camera(camera_id=CAM_ONVIF, name="有录像", sector_code="public_area", ip="127.0.0.1",
                     onvif_url=onvif_url, username="admin", password="secret",
                     commissioned_at=now - timedelta(days=400), profile={}, updated_at=now))
        s.add(Camera(camera_id=CAM_PLAIN, name="无录像源", sector_code="public_area", ip="127.0.0.2",
                     commissioned_at=now - timedelta(days=400), profile={}, updated_at=now))


def stored(db) -> list[RawObservation]:
    with db.session() as s:
        return list(s.scalars(select(RawObservation).where(RawObservation.check == "recording")))


async def test_recording_job_checks_cameras_with_a_source_and_stores_the_verdict(db, service):
    with onvif_device("gap") as dev:
        add_cameras(db, dev.url)
        await recording_job(service)
        await service.buffer.flush()
    rows = stored(db)
    assert [r.camera_id for r in rows] == [CAM_ONVIF]
    assert rows[0].status == "fail" and "recording_gap" in rows[0].faults


async def test_a_camera_back_online_gets_its_recording_rechecked(db, service):
    with onvif_device("good") as dev:
        add_cameras(db, dev.url)
        t = datetime.now(UTC)
        service.observe(Observation(CAM_ONVIF, t - timedelta(seconds=60), "liveness", "fail", ("unreachable",)))
        await service.buffer.flush()  # state changes come from the store
        await recording_recovered_job(service)
        assert stored(db) == []  # still down: nothing to re-check
        service.observe(Observation(CAM_ONVIF, t, "liveness", "ok"))
        await service.buffer.flush()
        assert service.recovered == {CAM_ONVIF}
        await recording_recovered_job(service)
        await service.buffer.flush()
    rows = stored(db)
    assert [(r.camera_id, r.status) for r in rows] == [(CAM_ONVIF, "ok")]
    assert service.recovered == set()
