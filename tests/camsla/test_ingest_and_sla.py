"""`camsla ingest`, `camsla sla --json` and `camsla maintenance` exactly as DESIGN.md says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.camsla.cli_runner import run

CAM1 = "34010000001320000001"
CAM2 = "34010000001320000002"
CAM3 = "34010000001320000003"


@pytest.fixture
def cameras(cli_env, tmp_path):
    path = tmp_path / "cams.csv"
    path.write_text(
        "camera_id,name,sector,ip,commissioned_at,contractor\n"
        f"{CAM1},广场东,public_area,10.0.0.1,2026-10-01,甲运维\n"
        f"{CAM2},广场西,public_area,10.0.0.2,2026-10-01,甲运维\n"
        f"{CAM3},一中南门,campus,10.0.0.3,2026-11-01T12:00:00+08:00,乙运维\n",
        encoding="utf-8",
    )
    assert run("inventory", "import", str(path)).exit_code == 0


def obs(camera, ts, check="liveness", status="ok", faults=()):
    return json.dumps({"camera_id": camera, "ts": ts, "check": check, "status": status, "faults": list(faults)},
                      ensure_ascii=False)


def every_minute(camera, day="2026-11-01", hours=range(24), status=lambda h, m: ("ok", ())):
    for h in hours:
        for m in range(60):
            st, faults = status(h, m)
            yield obs(camera, f"{day}T{h:02d}:{m:02d}:00+08:00", status=st, faults=faults)


def write(tmp_path: Path, lines, name="obs.jsonl") -> Path:
    p = tmp_path / name
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def sla_json(*args: str) -> dict:
    r = run("sla", *args, "--json")
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_ingest_reports_each_bad_line_by_number_and_keeps_the_good(cameras, tmp_path):
    lines = [
        obs(CAM1, "2026-11-01T00:00:00+08:00"),
        '{"camera_id": "x", ',  # line 2: not JSON
        obs("99999999999999999999", "2026-11-01T00:00:00+08:00"),  # line 3: unknown camera
        obs(CAM1, "2026-11-01 25:00"),  # line 4: bad timestamp
        obs(CAM1, "2026-11-01T00:01:00"),  # line 5: no offset
        obs(CAM1, "2026-11-01T00:01:00+08:00", check="ptz"),  # line 6: unknown check
        obs(CAM1, "2026-11-01T00:01:00+08:00", status="maybe"),  # line 7: unknown status
        obs(CAM1, "2026-11-01T00:01:00+08:00", status="fail", faults=["gremlins"]),  # line 8: unknown fault
        "[1, 2]",  # line 9: not an object
        obs(CAM1, "2026-11-01T00:02:00+08:00"),
    ]
    r = run("ingest", str(write(tmp_path, lines)))
    assert r.exit_code == 0  # bad lines are skipped and named; the good ones are kept
    assert run("ingest", "--strict", str(write(tmp_path, lines, "again.jsonl"))).exit_code == 1
    out = r.output
    for n, reason in [
        (2, "not valid JSON"),
        (3, "unknown camera 99999999999999999999"),
        (4, "is not an ISO-8601 time"),
        (5, "has no UTC offset"),
        (6, "unknown check 'ptz'"),
        (7, "unknown status 'maybe'"),
        (8, "unknown fault code(s) for check liveness: gremlins"),
        (9, "not a JSON object"),
    ]:
        assert f"line {n}: " in out and reason in out, (n, reason, out)
    assert "2 observation(s) stored" in out and "8 bad line(s)" in out


def test_reingesting_the_same_file_changes_nothing(cameras, tmp_path):
    path = write(tmp_path, every_minute(CAM1))
    assert run("ingest", str(path)).exit_code == 0
    before = sla_json("--from", "2026-11-01", "--to", "2026-11-02")
    r = run("ingest", str(path))
    assert r.exit_code == 0 and "0 observation(s) stored, 1440 duplicate(s)" in r.output
    assert sla_json("--from", "2026-11-01", "--to", "2026-11-02") == before


def test_sla_json_has_the_contract_shape_and_exact_seconds(cameras, tmp_path):
    # CAM1: down 01:00-02:00 local; CAM2: image blur 03:00-03:30 while online; CAM3 commissioned at noon.
    lines = list(every_minute(CAM1, status=lambda h, m: (("fail", ("timeout",)) if h == 1 else ("ok", ()))))
    lines += list(every_minute(CAM2))
    lines += [obs(CAM2, "2026-11-01T03:00:00+08:00", check="image", status="fail", faults=["blur"]),
              obs(CAM2, "2026-11-01T03:30:00+08:00", check="image", status="ok")]
    lines += list(every_minute(CAM3, hours=range(12, 24)))
    assert run("ingest", str(write(tmp_path, lines))).exit_code == 0
    doc = sla_json("--from", "2026-11-01", "--to", "2026-11-02")
    assert set(doc) >= {"from", "to", "timezone", "sectors", "cameras"}
    assert doc["timezone"] == "Asia/Shanghai"
    sectors = {s["code"]: s for s in doc["sectors"]}
    pa = sectors["public_area"]
    for key in ("code", "name", "tier", "target", "cameras", "eligible_s", "ok_s", "degraded_s", "offline_s",
                "unknown_s", "online_rate", "normal_rate", "coverage", "met"):
        assert key in pa
    assert (pa["tier"], pa["target"], pa["cameras"]) == ("key_public", 0.98, 2)
    assert pa["eligible_s"] == 2 * 86400
    assert pa["offline_s"] == 3600 and pa["degraded_s"] == 1800 and pa["unknown_s"] == 0
    assert pa["ok_s"] == 2 * 86400 - 3600 - 1800
    assert pa["normal_rate"] == pytest.approx((2 * 86400 - 5400) / (2 * 86400))
    assert pa["online_rate"] == pytest.approx((2 * 86400 - 3600) / (2 * 86400))
    assert pa["coverage"] == 1.0 and pa["met"] is False
    campus = sectors["campus"]
    assert campus["cameras"] == 1 and campus["eligible_s"] == 43200 and campus["normal_rate"] == 1.0 and campus["met"]
    cams = {c["camera_id"]: c for c in doc["cameras"]}
    assert cams[CAM3]["sector"] == "campus" and cams[CAM3]["ok_s"] == 43200
    assert cams[CAM2]["degraded_s"] == 1800
    empty = sectors["finance"]
    assert empty["cameras"] == 0 and empty["normal_rate"] is None and empty["online_rate"] is None
    assert empty["coverage"] is None and empty["met"] is None


def test_unknown_time_is_not_in_the_denominator(cameras, tmp_path):
    # Only the first twelve hours are observed: the rest is unknown, shown as coverage, not failure.
    assert run("ingest", str(write(tmp_path, every_minute(CAM1, hours=range(12))))).exit_code == 0
    cam = {c["camera_id"]: c for c in sla_json("--from", "2026-11-01", "--to", "2026-11-02")["cameras"]}[CAM1]
    # the 11:59 result stays valid for stale_after (300 s): until 12:04
    assert cam["unknown_s"] == 43200 - 240 and cam["ok_s"] == 43200 + 240 and cam["normal_rate"] == 1.0
    assert cam["coverage"] == pytest.approx((43200 + 240) / 86400)


def test_sector_filter_and_timezone_cut(cameras, tmp_path, monkeypatch):
    assert run("ingest", str(write(tmp_path, every_minute(CAM1)))).exit_code == 0
    doc = sla_json("--from", "2026-11-01", "--to", "2026-11-02", "--sector", "campus")
    assert [s["code"] for s in doc["sectors"]] == ["campus"]
    assert all(c["sector"] == "campus" for c in doc["cameras"])
    monkeypatch.setenv("CAMSLA_TIMEZONE", "UTC")  # the same day cut at UTC midnight instead
    doc = sla_json("--from", "2026-11-01", "--to", "2026-11-02", "--sector", "public_area")
    cam = {c["camera_id"]: c for c in doc["cameras"]}[CAM1]
    # 2026-11-01 in UTC is 08:00-08:00 local: observed until 23:59 local + 300 s = 16:04 UTC
    assert cam["ok_s"] == 16 * 3600 + 240 and cam["unknown_s"] == 8 * 3600 - 240
    assert doc["timezone"] == "UTC"


def test_maintenance_window_removes_time_from_eligibility(cameras, tmp_path):
    lines = list(every_minute(CAM1, status=lambda h, m: (("fail", ("unreachable",)) if h in (1, 2) else ("ok", ()))))
    assert run("ingest", str(write(tmp_path, lines))).exit_code == 0
    r = run("maintenance", "add", "--camera", CAM1, "--from", "2026-11-01T01:00:00+08:00",
            "--to", "2026-11-01T02:00:00+08:00", "--reason", "更换光纤")
    assert r.exit_code == 0, r.output
    cam = {c["camera_id"]: c for c in sla_json("--from", "2026-11-01", "--to", "2026-11-02")["cameras"]}[CAM1]
    assert cam["eligible_s"] == 86400 - 3600 and cam["offline_s"] == 3600
    # a sector-wide window covers every camera of the sector
    assert run("maintenance", "add", "--sector", "public_area", "--from", "2026-11-01T02:00:00+08:00",
               "--to", "2026-11-01T03:00:00+08:00", "--reason", "区域停电").exit_code == 0
    cam = {c["camera_id"]: c for c in sla_json("--from", "2026-11-01", "--to", "2026-11-02")["cameras"]}[CAM1]
    assert cam["eligible_s"] == 86400 - 7200 and cam["offline_s"] == 0 and cam["normal_rate"] == 1.0
    listed = json.loads(run("maintenance", "list", "--json").stdout)
    assert [w["scope"] for w in listed] == ["camera", "sector"]
    assert run("maintenance", "remove", str(listed[0]["id"])).exit_code == 0
    cam = {c["camera_id"]: c for c in sla_json("--from", "2026-11-01", "--to", "2026-11-02")["cameras"]}[CAM1]
    assert cam["offline_s"] == 3600


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--camera", "00000000000000000000"], "unknown camera"),
        (["--sector", "moon"], "unknown sector"),
        (["--contractor", "无名"], "unknown contractor"),
        (["--camera", CAM1, "--sector", "campus"], "exactly one of"),
    ],
)
def test_maintenance_add_rejects_bad_scopes(cameras, args, message):
    r = run("maintenance", "add", *args, "--from", "2026-11-01T00:00:00+08:00", "--to", "2026-11-02T00:00:00+08:00",
            "--reason", "x")
    assert r.exit_code == 1 and message in r.output


def test_contractor_window_and_contractor_rollup(cameras, tmp_path):
    lines = list(every_minute(CAM1)) + list(every_minute(CAM3, hours=range(12, 24)))
    assert run("ingest", str(write(tmp_path, lines))).exit_code == 0
    assert run("maintenance", "add", "--contractor", "乙运维", "--from", "2026-11-01T18:00:00+08:00",
               "--to", "2026-11-02T00:00:00+08:00", "--reason", "合同约定豁免").exit_code == 0
    doc = sla_json("--from", "2026-11-01", "--to", "2026-11-02")
    cam3 = {c["camera_id"]: c for c in doc["cameras"]}[CAM3]
    assert cam3["eligible_s"] == 6 * 3600
    by_contractor = {c["contractor"]: c for c in doc["contractors"]}
    assert by_contractor["乙运维"]["cameras"] == 1 and by_contractor["甲运维"]["cameras"] == 2


def test_bad_period_is_a_clear_error(cameras):
    r = run("sla", "--from", "2026-11-02", "--to", "2026-11-01")
    assert r.exit_code == 1 and "not after --from" in r.output
    r = run("sla", "--from", "2026-11-01", "--to", "2026-11-02", "--sector", "moon")
    assert r.exit_code == 1 and "unknown sector 'moon'" in r.output


def test_by_day_splits_the_period_at_local_midnight_and_adds_up(cameras, tmp_path):
    lines = list(every_minute(CAM1, day="2026-11-01", status=lambda h, m: (("fail", ("timeout",)) if h == 1 else ("ok", ()))))
    lines += list(every_minute(CAM1, day="2026-11-02"))
    assert run("ingest", str(write(tmp_path, lines))).exit_code == 0
    doc = sla_json("--from", "2026-11-01", "--to", "2026-11-03", "--by", "day")
    days = doc["periods"]
    assert [(d["from"], d["to"]) for d in days] == [
        ("2026-11-01T00:00:00+08:00", "2026-11-02T00:00:00+08:00"),
        ("2026-11-02T00:00:00+08:00", "2026-11-03T00:00:00+08:00"),
    ]
    pa = [next(s for s in d["sectors"] if s["code"] == "public_area") for d in days]
    whole = next(s for s in doc["sectors"] if s["code"] == "public_area")
    assert pa[0]["offline_s"] == 3600 and pa[1]["offline_s"] == 0
    assert pa[0]["met"] is False and pa[1]["met"] is True  # CAM2 never seen: unknown, not held against
    for key in ("ok_s", "offline_s", "unknown_s", "eligible_s"):
        assert pa[0][key] + pa[1][key] == whole[key]
    r = run("sla", "--from", "2026-11-01", "--to", "2026-11-03", "--by", "week")
    assert r.exit_code == 1 and "use day or month" in r.output


def test_timeline_explains_a_cameras_figures_span_by_span(cameras, tmp_path):
    lines = list(every_minute(CAM1, status=lambda h, m: (("fail", ("stream_down",)) if h == 1 else ("ok", ()))))
    assert run("ingest", str(write(tmp_path, lines))).exit_code == 0
    r = run("timeline", CAM1, "--from", "2026-11-01", "--to", "2026-11-02", "--json")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert [(s["state"], s["seconds"], s["faults"]) for s in doc["spans"]] == [
        ("ok", 3600, []), ("offline", 3600, ["stream_down"]), ("ok", 22 * 3600, []),
    ]
    assert doc["spans"][1]["from"] == "2026-11-01T01:00:00+08:00"
    assert doc["offline_s"] == 3600 and doc["normal_rate"] == pytest.approx(23 / 24) and doc["met"] is False
    text = run("timeline", CAM1, "--from", "2026-11-01", "--to", "2026-11-02").output
    assert "视频流中断(stream_down)" in text
    assert run("timeline", "00000000000000000000", "--from", "2026-11-01", "--to", "2026-11-02").exit_code == 1
