"""Several kinds -> one liveness Observation; the kind table; Target built from inventory values."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from camsla.kernel import ProbeSettings, Settings
from probe import LIVENESS_PROBERS, Target, probe_liveness
from probe.liveness import combine
from probe.liveness.result import errored, failed, ok

TS = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


def test_first_failing_kind_in_camera_order_gives_the_fault() -> None:
    obs = combine("c1", TS, [ok("icmp", rtt_s=0.001), failed("rtsp", "auth_failed", "401"), failed("http", "timeout", "t")], 0.2)
    assert (obs.check, obs.status, obs.faults, obs.source) == ("liveness", "fail", ("auth_failed",), "rtsp")
    assert obs.metrics["failed_kind"] == "rtsp" and obs.metrics["reason"] == "rtsp: 401"
    assert obs.metrics["icmp_rtt_s"] == 0.001 and obs.metrics["http_result"] == "timeout"


def test_a_kind_that_could_not_run_is_error_only_when_nothing_failed() -> None:
    assert combine("c1", TS, [errored("rtsp", "no rtsp_url"), failed("icmp", "unreachable", "x")], 1).status == "fail"
    obs = combine("c1", TS, [ok("icmp"), errored("rtsp", "no rtsp_url in the inventory")], 1)
    assert (obs.status, obs.faults) == ("error", ())
    assert "rtsp could not run: no rtsp_url" in obs.metrics["reason"]


def test_all_kinds_ok_is_ok_with_every_kinds_metrics() -> None:
    obs = combine("c1", TS, [ok("icmp", method="icmp-raw"), ok("rtsp", status=200)], 0.01)
    assert (obs.status, obs.source) == ("ok", "icmp+rtsp")
    assert obs.metrics["icmp_method"] == "icmp-raw" and obs.metrics["rtsp_status"] == 200
    assert obs.metrics["kinds"] == "icmp,rtsp"


def test_the_kind_table_names_the_five_kinds() -> None:
    assert set(LIVENESS_PROBERS) == {"icmp", "tcp", "rtsp", "http", "onvif"}


async def test_unknown_kind_in_a_profile_is_error_naming_the_known_ones() -> None:
    target = Target.build(camera_id="c1", ip="127.0.0.1", profile={"liveness_kinds": ["onvif-ping"]})
    obs = await probe_liveness(target, ProbeSettings())
    assert obs.status == "error"
    assert "unknown liveness kind 'onvif-ping'" in obs.metrics["reason"] and "rtsp" in obs.metrics["reason"]


async def test_a_crashing_kind_is_error_not_an_exception(monkeypatch) -> None:
    async def broken(target, settings):
        raise RuntimeError("bug")

    monkeypatch.setitem(LIVENESS_PROBERS, "tcp", broken)
    obs = await probe_liveness(Target(camera_id="c1", ip="127.0.0.1", kinds=("tcp",)), Settings())
    assert obs.status == "error" and "RuntimeError: bug" in obs.metrics["reason"]


def test_target_from_inventory_values() -> None:
    row = {"camera_id": "34020000001320000001", "name": "东门", "sector": "campus", "ip": "",
           "rtsp_url": "rtsp://10.1.1.5:554/s", "snapshot_url": "", "username": "admin", "password": "pw"}
    t = Target.build(**row, default_kinds=["icmp", "rtsp"])
    assert (t.ip, t.snapshot_url, t.kinds, t.host) == ("10.1.1.5", None, ("icmp", "rtsp"), "10.1.1.5")
    t2 = Target.build(**row, profile={"liveness_kinds": ["TCP", "http"]})
    assert t2.kinds == ("tcp", "http")


@pytest.mark.parametrize("kinds", [(), None])
async def test_no_kinds_on_the_target_falls_back_to_settings(kinds) -> None:
    target = Target(camera_id="c1", ip="", kinds=kinds or ())
    obs = await probe_liveness(target, ProbeSettings(default_kinds=["tcp"]))
    assert obs.metrics["kinds"] == "tcp"
