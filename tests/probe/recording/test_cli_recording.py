"""`camsla recording check CAMERA [--json]` against the test database, the ONVIF test device and a
footage tree."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from camsla.db.models import Camera
from tests.camsla.cli_runner import run
from tests.peers.onvif_device import onvif_device
from tests.probe.recording.test_storage_scan import PATTERN, build_tree

CAM = "34020000001320000001"


def add_camera(db, **kw) -> None:
    now = datetime.now(UTC)
    fields = dict(
        camera_id=CAM, name="东门广场", sector_code="public_area", ip="127.0.0.1",
        commissioned_at=now - timedelta(days=400), updated_at=now, profile={},
    )
    fields.update(kw)
    with db.session() as s:
        s.add(Camera(**fields))


@pytest.mark.peer
def test_onvif_camera_with_a_gap_prints_timeline_gap_and_verdict(cli_env, db):
    with onvif_device("gap", "admin", "pw") as dev:
        add_camera(db, onvif_url=dev.url, username="admin", password="pw")
        result = run("recording", "check", CAM)
    assert result.exit_code == 1, result.output
    out = result.output
    assert out.index("录像缺失 / gaps") < out.index("存储天数 / retention")
    assert "录像缺失 recording_gap" in out
    assert "40 分钟 / min" in out
    assert "东门广场" in out


@pytest.mark.peer
def test_onvif_camera_json_has_timeline_gaps_retention_and_faults(cli_env, db):
    with onvif_device("short_retention", "admin", "pw") as dev:
        add_camera(db, onvif_url=dev.url, username="admin", password="pw")
        result = run("recording", "check", CAM, "--json")
    data = json.loads(result.output)
    assert result.exit_code == 1
    assert data["faults"] == ["retention_short"]
    assert data["retention_days"] == pytest.approx(12, abs=0.01)
    assert data["required_days"] == 30
    assert data["timeline"] and data["gaps"] == []
    assert data["timeline"][0]["start"].endswith("+08:00")  # shown in the configured zone


@pytest.mark.peer
def test_wrong_password_exits_2_with_reason(cli_env, db):
    with onvif_device("good", "admin", "pw") as dev:
        add_camera(db, onvif_url=dev.url, username="admin", password="nope")
        result = run("recording", "check", CAM, "--json")
    assert result.exit_code == 2
    data = json.loads(result.output)
    assert data["status"] == "error" and data["reason"] == "auth_failed"


def test_storage_profile_camera_is_scanned_and_ok(cli_env, db, tmp_path):
    now = datetime.now(UTC).replace(microsecond=0)
    build_tree(tmp_path / "nvr", now, days=31)
    add_camera(db, profile={"recording": {"source": "storage", "root": str(tmp_path / "nvr"), "pattern": PATTERN}})
    result = run("recording", "check", CAM)
    assert result.exit_code == 0, result.output
    assert "结论 / verdict: 正常 / ok" in result.output
    assert "录像来源 / source: storage" in result.output


def test_unknown_camera_is_named(cli_env, db):
    result = run("recording", "check", "34020000009999999999")
    assert result.exit_code == 2
    assert "34020000009999999999" in result.output


def test_camera_without_any_recording_source_is_a_config_error_naming_it(cli_env, db):
    add_camera(db)
    result = run("recording", "check", CAM)
    assert result.exit_code == 2
    assert "bad_config" in result.output and CAM in result.output
