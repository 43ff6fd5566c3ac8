"""The web app through HTTP: status page (zh-CN default, English second), JSON API, metrics."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from camsla.db.models import Camera
from camsla.kernel import Observation
from camsla.service.app import Service
from camsla.service.buffer import ObservationBuffer
from camsla.web import create_app

CAM1, CAM2 = "34010000001320000001", "34010000001320000002"


@pytest.fixture
def service(db, settings):
    now = datetime.now(UTC)
    with db.session() as s:
        for cid, name in ((CAM1, "人民广场东"), (CAM2, "人民广场西")):
            s.add(Camera(camera_id=cid, name=name, sector_code="public_area", ip="10.0.0.1",
                         district="庐阳区", commissioned_at=now - timedelta(days=30), profile={}, updated_at=now))
    return Service(settings=settings, db=db, buffer=ObservationBuffer(db, settings))


async def observe(service: Service, *obs: Observation) -> None:
    for o in obs:
        service.observe(o)
    await service.buffer.flush()


async def test_status_page_shows_sectors_and_cameras_down_in_chinese_by_default(service):
    now = datetime.now(UTC)
    await observe(
        service,
        Observation(CAM1, now - timedelta(seconds=30), "liveness", "ok"),
        Observation(CAM2, now - timedelta(seconds=30), "liveness", "fail", ("stream_down",), {"rtsp_status": 503}),
    )
    client = TestClient(create_app(service))
    page = client.get("/")
    assert page.status_code == 200
    html = page.text
    assert "当前故障点位 (1)" in html and "人民广场西" in html and "视频流中断" in html
    assert "重点公共区域" in html and "98%" in html
    assert "数据截至" in html  # the figures say when they were computed
    en = client.get("/?lang=en").text
    assert "Cameras down now (1)" in en and "stream_down" in en and "Figures as of" in en


async def test_json_endpoints_for_cameras_observations_and_sla(service):
    now = datetime.now(UTC)
    await observe(service, Observation(CAM1, now - timedelta(seconds=5), "liveness", "ok", (), {"rtt_s": 0.004}))
    client = TestClient(create_app(service))
    cams = client.get("/api/cameras").json()["cameras"]
    assert [c["camera_id"] for c in cams] == [CAM1, CAM2]
    assert cams[0]["liveness"]["status"] == "ok" and cams[1]["liveness"] is None
    assert client.get(f"/api/cameras/{CAM1}").json()["name"] == "人民广场东"
    assert client.get("/api/cameras/00000000000000000000").status_code == 404
    obs = client.get("/api/observations", params={"camera_id": CAM1}).json()["observations"]
    assert obs[0]["metrics"] == {"rtt_s": 0.004} and obs[0]["check"] == "liveness"
    today = now.date().isoformat()
    tomorrow = (now + timedelta(days=2)).date().isoformat()
    doc = client.get("/api/sla", params={"from": today, "to": tomorrow, "sector": "public_area"}).json()
    assert doc["sectors"][0]["code"] == "public_area" and doc["sectors"][0]["cameras"] == 2
    assert client.get("/api/sla", params={"from": tomorrow, "to": today}).status_code == 400
    assert client.get("/api/sla", params={"from": today, "to": tomorrow, "sector": "moon"}).status_code == 404


async def test_metrics_expose_scheduler_and_store_counters(service):
    await observe(service, Observation(CAM1, datetime.now(UTC), "liveness", "fail", ("timeout",)))
    text = TestClient(create_app(service)).get("/metrics").text
    assert "camsla_observations_stored_total 1.0" in text
    assert 'camsla_cameras_by_status{check="liveness",status="fail"} 1.0' in text


async def test_camera_page_shows_state_pictures_and_sets_the_reference(service, db):
    import cv2
    import numpy as np

    from camsla.db import baselines

    now = datetime.now(UTC)
    await observe(service, Observation(CAM1, now, "image", "fail", ("blur",), {"blur_edge_width": 4.2}))
    frame = cv2.imencode(".jpg", np.full((90, 160, 3), 128, np.uint8))[1].tobytes()
    with db.session() as s:
        baselines.store(s, CAM1, baselines.PREVIOUS, frame, now, "snapshot")
        baselines.add_evidence(s, CAM1, now, "image", ("blur",), frame, {})
    client = TestClient(create_app(service))
    page = client.get(f"/cameras/{CAM1}").text
    assert "人民广场东" in page and "图像模糊" in page and "blur_edge_width=4.2" in page
    assert "基准画面: 暂无画面" in page and "以最近画面作为基准画面" in page
    assert client.get(f"/cameras/{CAM1}/reference.jpg").status_code == 404
    r = client.post(f"/cameras/{CAM1}/baseline", follow_redirects=False)
    assert r.status_code == 303
    assert client.get(f"/cameras/{CAM1}/reference.jpg").content == frame
    from sqlalchemy import select

    from camsla.db.models import Evidence

    with db.session() as s:
        evidence_id = s.scalars(select(Evidence.id)).one()
    assert f'/evidence/{evidence_id}.jpg' in page
    assert client.get(f"/evidence/{evidence_id}.jpg").content == frame
    assert client.get(f"/evidence/{evidence_id + 1}.jpg").status_code == 404
    # an uploaded picture becomes the reference (as a thumbnail)
    big = cv2.imencode(".png", np.full((720, 1280, 3), 30, np.uint8))[1].tobytes()
    r = client.put(f"/api/cameras/{CAM1}/baseline", content=big)
    assert r.json() == {"camera_id": CAM1, "reference": "operator:upload"}
    ref = cv2.imdecode(np.frombuffer(client.get(f"/cameras/{CAM1}/reference.jpg").content, np.uint8), 1)
    assert ref.shape[1] <= 320
    assert client.put(f"/api/cameras/{CAM1}/baseline", content=b"junk").status_code == 400
    assert client.post(f"/cameras/{CAM2}/baseline").status_code == 409  # no frame yet
    assert client.get("/cameras/00000000000000000000").status_code == 404


async def test_timeline_api_and_camera_page_explain_the_day(service):
    now = datetime.now(UTC)
    await observe(
        service,
        Observation(CAM1, now - timedelta(seconds=200), "liveness", "fail", ("timeout",)),
        Observation(CAM1, now - timedelta(seconds=100), "liveness", "ok"),
    )
    client = TestClient(create_app(service))
    day = now.astimezone(service.settings.tz).date()
    doc = client.get(f"/api/cameras/{CAM1}/timeline",
                     params={"from": day.isoformat(), "to": (day + timedelta(days=1)).isoformat()}).json()
    states = [s["state"] for s in doc["spans"]]
    assert states[-2:] == ["offline", "ok"] and doc["spans"][-2]["faults"] == ["timeout"]
    assert doc["offline_s"] == pytest.approx(100, abs=1)
    assert client.get("/api/cameras/00000000000000000000/timeline",
                      params={"from": "2026-11-01", "to": "2026-11-02"}).status_code == 404
    page = client.get(f"/cameras/{CAM1}").text
    assert "今日状态时间线" in page and 'class="st-offline"' in page and "响应超时" in page


def test_last_liveness_cycle_is_shown_and_exported(service):
    from probe import CycleStats

    service.last_cycle["liveness"] = CycleStats(count=300, ok=290, fail=9, error=1, duration_s=7.5, max_start_lag_s=0.02)
    client = TestClient(create_app(service))
    assert "上一轮在线检测: 300" in client.get("/").text
    assert 'camsla_liveness_last_cycle{what="fail"} 9.0' in client.get("/metrics").text


async def test_a_failed_write_keeps_the_observations_and_is_counted(service, monkeypatch):
    obs = Observation(CAM1, datetime.now(UTC), "liveness", "ok")
    service.observe(obs)

    def broken(batch):
        raise RuntimeError("database is down")

    monkeypatch.setattr(service.buffer, "_write", broken)
    with pytest.raises(RuntimeError):
        await service.buffer.flush()
    assert len(service.buffer) == 1 and service.buffer.failures == 1
    assert "camsla_store_write_failures_total 1.0" in TestClient(create_app(service)).get("/metrics").text
    monkeypatch.undo()
    assert await service.buffer.flush() == 1 and len(service.buffer) == 0


async def test_status_page_lists_cameras_the_monitor_cannot_check(service):
    now = datetime.now(UTC)
    await observe(service, Observation(CAM2, now, "liveness", "error", (), {"reason": "rtsp: no rtsp_url in the inventory"}))
    page = TestClient(create_app(service)).get("/").text
    assert "无法检测的点位 (不计入正常率, 降低监测覆盖率) (1)" in page
    assert "no rtsp_url in the inventory" in page and CAM2 in page


async def test_cameras_down_follow_the_state_rules(service):
    now = datetime.now(UTC)
    await observe(
        service,
        # liveness could not run: the camera's state is unknown, not degraded, whatever its picture says
        Observation(CAM1, now, "liveness", "error", (), {"reason": "bad rtsp_url"}),
        Observation(CAM1, now, "image", "fail", ("blur",)),
        Observation(CAM2, now, "liveness", "ok"),
        Observation(CAM2, now, "image", "fail", ("occlusion",)),
    )
    html = TestClient(create_app(service)).get("/").text
    assert "当前故障点位 (1)" in html and "视频遮挡" in html and "图像/录像异常" in html
