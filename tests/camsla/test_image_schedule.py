"""The service's image checks against a real HTTP snapshot camera: a verdict per frame, the
reference taken from the first good frame, the previous frame kept, evidence for a failing frame;
and `camsla baseline set` from a file and from the camera."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import cv2
import numpy as np
import pytest
from skimage import data
from sqlalchemy import func, select

from camsla.db import baselines, latest_of_camera
from camsla.db.models import Camera, Evidence
from camsla.service.app import Service
from camsla.service.buffer import ObservationBuffer
from camsla.service.image import ImageChecker, make_pool
from probe.image import decode_image
from tests.camsla.cli_runner import run

CAM = "34010000001320000001"


class SnapshotCamera:
    """An HTTP camera whose snapshot body the test sets."""

    def __init__(self) -> None:
        self.body = b""
        cam = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                self.send_response(200)
                self.send_header("Content-Type", "image/jpeg")
                self.send_header("Content-Length", str(len(cam.body)))
                self.end_headers()
                self.wfile.write(cam.body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/snapshot.jpg"

    def show(self, bgr: np.ndarray) -> None:
        self.body = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def camera():
    c = SnapshotCamera()
    yield c
    c.close()


@pytest.fixture(scope="module")
def pool():
    from camsla.kernel import load_settings

    p = make_pool(load_settings(environ={}))
    yield p
    p.shutdown()


def scene() -> np.ndarray:
    return cv2.resize(cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR), (1280, 720))


def add_camera(db, url: str) -> Camera:
    now = datetime.now(UTC)
    with db.session() as s:
        cam = Camera(camera_id=CAM, name="广场", sector_code="public_area", ip="127.0.0.1", snapshot_url=url,
                     commissioned_at=now - timedelta(days=10), profile={}, updated_at=now)
        s.add(cam)
    with db.session() as s:
        return s.get(Camera, CAM)


@pytest.mark.slow
async def test_image_check_keeps_reference_previous_and_evidence(db, settings, camera, pool):
    service = Service(settings=settings, db=db, buffer=ObservationBuffer(db, settings))
    checker = ImageChecker(service, pool)
    cam = add_camera(db, camera.url)

    camera.show(scene())
    good = await checker.check(cam)
    assert (good.check, good.status, good.faults) == ("image", "ok", ())
    assert good.metrics["has_reference"] is False and good.metrics["reference_adopted"] is True
    assert "frame_bytes" in good.metrics
    with db.session() as s:
        assert baselines.load(s, CAM, baselines.REFERENCE) is not None  # first good frame
        assert baselines.load(s, CAM, baselines.PREVIOUS).shape[1] <= 320

    camera.show(np.zeros((720, 1280, 3), np.uint8))
    black = await checker.check(cam)
    assert black.metrics["has_reference"] is True
    assert black.status == "fail" and "black_screen" in black.faults
    with db.session() as s:
        ev = s.scalars(select(Evidence)).one()
        assert ev.faults == black.faults and len(ev.image) <= settings.image.evidence_max_bytes
        assert decode_image(ev.image) is not None

    camera.body = b"\xff\xd8 this is not a picture"
    broken = await checker.check(cam)
    assert broken.status == "fail" and broken.faults == ("decode_error",)


async def test_unreachable_snapshot_is_an_error_not_a_fault(db, settings, pool):
    service = Service(settings=settings, db=db, buffer=ObservationBuffer(db, settings))
    cam = add_camera(db, "http://127.0.0.1:9/snapshot.jpg")
    obs = await ImageChecker(service, pool).check(cam)
    assert obs.status == "error" and obs.faults == () and obs.metrics["frame_fault"] in ("stream_down", "unreachable")


def test_baseline_set_from_a_file_and_from_the_camera(cli_env, db, camera, tmp_path):
    add_camera(db, camera.url)
    picture = tmp_path / "ref.png"
    cv2.imwrite(str(picture), scene())
    r = run("baseline", "set", CAM, str(picture))
    assert r.exit_code == 0 and "reference frame set (file:ref.png" in r.output, r.output
    camera.show(scene()[::-1].copy())
    r = run("baseline", "set", CAM)
    assert r.exit_code == 0 and "camera:snapshot" in r.output, r.output
    r = run("baseline", "show", CAM, "--out", str(tmp_path / "out.jpg"))
    assert r.exit_code == 0 and "reference" in r.output
    assert cv2.imread(str(tmp_path / "out.jpg")) is not None
    (tmp_path / "junk.jpg").write_bytes(b"junk")
    r = run("baseline", "set", CAM, str(tmp_path / "junk.jpg"))
    assert r.exit_code == 1 and "junk.jpg: not a readable image" in r.output
    r = run("baseline", "set", "00000000000000000000", str(picture))
    assert r.exit_code == 1 and "unknown camera" in r.output
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Evidence)) == 0


async def test_a_black_first_frame_is_not_adopted_as_the_reference(db, settings, camera, pool):
    service = Service(settings=settings, db=db, buffer=ObservationBuffer(db, settings))
    cam = add_camera(db, camera.url)
    camera.show(np.zeros((720, 1280, 3), np.uint8))
    obs = await ImageChecker(service, pool).check(cam)
    assert "black_screen" in obs.faults and obs.metrics["reference_adopted"] is False
    with db.session() as s:
        assert baselines.load(s, CAM, baselines.REFERENCE) is None


async def test_offline_cameras_are_not_grabbed_until_they_are_back(db, settings, camera, pool):
    from camsla.kernel import Observation

    service = Service(settings=settings, db=db, buffer=ObservationBuffer(db, settings))
    add_camera(db, camera.url)
    camera.show(scene())
    checker = ImageChecker(service, pool)
    checker.started -= 10_000  # past every camera's first-round offset
    service.observe(Observation(CAM, datetime.now(UTC), "liveness", "fail", ("unreachable",)))
    await service.buffer.flush()  # the current state is what the store holds
    assert await checker.tick() == 0
    service.observe(Observation(CAM, datetime.now(UTC), "liveness", "ok"))
    await service.buffer.flush()
    assert await checker.tick() == 1
    await service.buffer.flush()
    with db.session() as s:
        assert latest_of_camera(s, CAM)["image"].status == "ok"


async def test_a_first_frame_that_may_be_the_scene_itself_waits_for_a_person(db, settings, camera, pool):
    """A bright view judged without a reference looks too_bright -- it may just be a bright scene.
    The check is not judged (error, not fail: no degraded time on a guess) until a person accepts
    the picture as the reference on the camera page; from then on it is judged against it."""
    from fastapi.testclient import TestClient

    from camsla.web import create_app

    service = Service(settings=settings, db=db, buffer=ObservationBuffer(db, settings))
    checker = ImageChecker(service, pool)
    cam = add_camera(db, camera.url)
    bright = (255 * (scene() / 255.0) ** 0.4).astype(np.uint8)  # a bright scene, deep shadows kept
    camera.show(bright)
    waiting = await checker.check(cam)
    assert (waiting.status, waiting.faults) == ("error", ())
    assert waiting.metrics["unconfirmed_faults"] == "too_bright"
    assert waiting.metrics["reference_adopted"] is False and "awaiting a reference picture" in waiting.metrics["reason"]
    with db.session() as s:
        assert baselines.load(s, CAM, baselines.REFERENCE) is None
        assert baselines.load(s, CAM, baselines.PREVIOUS) is not None
    service.observe(waiting)
    await service.buffer.flush()

    client = TestClient(create_app(service))
    assert "待确认基准画面的点位 (1)" in client.get("/").text
    page = client.get(f"/cameras/{CAM}").text
    assert "待确认基准画面" in page and "画面过亮" in page and "以最近画面作为基准画面" in page
    assert client.post(f"/cameras/{CAM}/baseline", follow_redirects=False).status_code in (303, 302)
    from probe.image.evalset import moved_object

    camera.show(moved_object(bright, np.random.default_rng(3)))  # the live scene a check later
    judged = await checker.check(cam)
    assert (judged.status, judged.faults) == ("ok", ()) and judged.metrics["has_reference"] is True
