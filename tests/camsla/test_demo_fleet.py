"""The simulated fleet of `camsla demo`: inventory rows, live responders that the real probes judge
as the mode says, and a schedule that moves the figures within a minute."""

from __future__ import annotations

import collections
import re
from datetime import datetime

import httpx
import pytest

from camsla.demo import Fleet
from camsla.demo.fleet import scheduled_mode, scheduled_picture
from camsla.kernel import BUILTIN_SECTORS, ProbeSettings
from probe import Target, run_cycle

REQUIRED = {"camera_id", "name", "sector", "ip", "commissioned_at"}
OPTIONAL = {"class", "contractor", "district", "rtsp_url", "snapshot_url", "username", "password", "switch",
            "switch_port", "lat", "lon", "onvif_url"}
# Off the demo's own 127.77.x.y:8554/8880, so the tests may run beside a running `camsla demo`.
TEST_NET = {"base_ip": "127.78", "rtsp_port": 18_554, "http_port": 18_880}
FAST = ProbeSettings(timeout_s=0.4, concurrency=200, per_host_concurrency=4)


def test_inventory_rows_have_the_import_columns_and_valid_ids() -> None:
    rows = Fleet(300, seed=7, **TEST_NET).cameras
    assert len(rows) == 300
    assert all(REQUIRED <= set(r) and set(r) <= REQUIRED | OPTIONAL for r in rows)
    ids = [r["camera_id"] for r in rows]
    assert len(set(ids)) == 300 and all(re.fullmatch(r"\d{20}", i) for i in ids)
    assert all(i[10:13] == "132" for i in ids)  # GB/T 28181 type code: IP camera
    assert {r["sector"] for r in rows} == {s.code for s in BUILTIN_SECTORS}
    assert len({r["ip"] for r in rows}) == 300 and all(r["ip"].startswith("127.78.") for r in rows)
    assert all(re.search(r"[\u4e00-\u9fff]", r["name"]) for r in rows)
    assert all(datetime.fromisoformat(r["commissioned_at"]).utcoffset() is not None for r in rows)


def test_same_seed_same_fleet_other_seed_other_fleet() -> None:
    assert Fleet(40, seed=1).cameras == Fleet(40, seed=1).cameras
    assert Fleet(40, seed=1).cameras != Fleet(40, seed=2).cameras


def test_schedule_moves_within_a_minute_and_shows_every_fault() -> None:
    fleet = Fleet(300, seed=7)
    modes = [list(fleet.schedule_at(slot).values()) for slot in range(3)]  # 3 slots of 20 s
    counts = [collections.Counter(m) for m in modes]
    assert all(0.75 < c["ok"] / 300 < 0.99 for c in counts)
    assert {"down", "silent", "refuse_auth"} <= set().union(*counts)
    changed = sum(a != b for a, b in zip(modes[0], modes[1], strict=True))
    assert changed >= 5
    assert modes == [list(Fleet(300, seed=7).schedule_at(slot).values()) for slot in range(3)]
    assert scheduled_mode(7, 0, 5, 0.0) == "ok" and scheduled_mode(7, 0, 5, 1.0) != "ok"
    pictures = collections.Counter(scheduled_picture(7, i, s) for i in range(300) for s in range(10))
    assert pictures["normal"] > 2500 and len(pictures) >= 3


@pytest.fixture
async def fleet():
    f = await Fleet(12, seed=3, schedule=False, **TEST_NET).start()
    try:
        yield f
    finally:
        await f.stop()


def targets(fleet: Fleet) -> list[Target]:
    return [Target.build(**row, default_kinds=["rtsp", "http"]) for row in fleet.cameras]


async def probe_all(fleet: Fleet) -> dict[str, tuple[str, tuple[str, ...]]]:
    got = {}
    await run_cycle(targets(fleet), FAST, lambda o: got.__setitem__(o.camera_id, (o.status, o.faults)), spread_s=0)
    return got


async def test_every_camera_answers_rtsp_and_http_with_its_credentials(fleet: Fleet) -> None:
    got = await probe_all(fleet)
    assert set(got.values()) == {("ok", ())}


async def test_each_mode_is_judged_as_the_real_probes_would_see_it(fleet: Fleet) -> None:
    ids = [r["camera_id"] for r in fleet.cameras]
    for cid, mode in zip(ids, ["down", "silent", "refuse_auth"], strict=False):
        await fleet.set_mode(cid, mode)
    got = await probe_all(fleet)
    assert got[ids[0]] == ("fail", ("stream_down",))
    assert got[ids[1]] == ("fail", ("timeout",))
    assert got[ids[2]] == ("fail", ("auth_failed",))
    assert all(got[i] == ("ok", ()) for i in ids[3:])
    await fleet.set_mode(ids[0], None)  # comes back
    assert (await probe_all(fleet))[ids[0]] == ("ok", ())


async def test_snapshot_is_a_jpeg_behind_the_cameras_auth(fleet: Fleet) -> None:
    basic = fleet.cameras[0]  # every fourth camera uses Basic, the others Digest
    digest = fleet.cameras[1]
    async with httpx.AsyncClient(trust_env=False) as client:
        assert (await client.get(digest["snapshot_url"])).status_code == 401
        r = await client.get(digest["snapshot_url"], auth=httpx.DigestAuth(digest["username"], digest["password"]))
        assert r.status_code == 200 and r.content[:2] == b"\xff\xd8"
        r = await client.get(basic["snapshot_url"], auth=(basic["username"], basic["password"]))
        assert r.status_code == 200 and r.headers["content-type"] == "image/jpeg"


async def test_unknown_mode_is_refused() -> None:
    fleet = Fleet(2, seed=1)
    with pytest.raises(ValueError, match="unknown mode"):
        await fleet.set_mode(fleet.cameras[0]["camera_id"], "exploded")
