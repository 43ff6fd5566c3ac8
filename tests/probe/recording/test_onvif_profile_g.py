"""Recording integrity over ONVIF Profile G: the real onvif-zeep-async client against the ONVIF test
device (tests/peers/onvif_device.py) over SOAP 1.2 on loopback. Every response the device sends is
validated against the WSDL/XSD shipped with onvif-zeep-async before it leaves the device."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta

import pytest
from lxml import etree

from camsla.kernel import Settings
from probe.recording import RecordingTarget, check_recording, inspect_recording
from probe.recording.onvif_profile_g import RecordingInfo, StateEvent, device_address, spans_from_events
from probe.recording.target import RecordingSourceError
from tests.peers.onvif_device import NS, SCENARIOS, onvif_device, validate_body

CAM = "34020000001320000001"
SETTINGS = Settings()


def target(dev, password: str = "pw", **config) -> RecordingTarget:
    return RecordingTarget(CAM, "public_area", None, dev.url, "admin", password, config)


@pytest.fixture(params=SCENARIOS)
def any_device(request):
    with onvif_device(request.param, "admin", "pw") as dev:
        yield dev


@pytest.mark.peer
async def test_every_response_of_every_scenario_validates_against_the_onvif_schema(any_device):
    obs = await check_recording(target(any_device), SETTINGS)
    assert obs.check == "recording"
    assert any_device.validation_errors == []
    if any_device.scenario.profile_g:
        for op in ("tse:GetRecordingSummary", "tse:FindRecordings", "tse:GetRecordingSearchResults",
                   "tse:GetRecordingInformation", "tse:FindEvents", "tse:GetEventSearchResults",
                   "trc:GetRecordings", "trc:GetRecordingJobs", "trc:GetRecordingJobState"):
            assert op in any_device.requests


def test_the_schema_check_rejects_a_response_the_standard_does_not_allow():
    bad_status = etree.fromstring(
        f'<tse:GetRecordingSummaryResponse xmlns:tse="{NS["tse"]}" xmlns:tt="{NS["tt"]}"><tse:Summary>'
        "<tt:DataFrom>2026-01-01T00:00:00Z</tt:DataFrom><tt:NumberRecordings>1</tt:NumberRecordings>"
        "</tse:Summary></tse:GetRecordingSummaryResponse>"
    )
    errors = validate_body(bad_status)
    assert errors and "DataUntil" in " ".join(errors)
    good = etree.fromstring(
        f'<tse:GetRecordingSummaryResponse xmlns:tse="{NS["tse"]}" xmlns:tt="{NS["tt"]}"><tse:Summary>'
        "<tt:DataFrom>2026-01-01T00:00:00Z</tt:DataFrom><tt:DataUntil>2026-01-02T00:00:00Z</tt:DataUntil>"
        "<tt:NumberRecordings>1</tt:NumberRecordings></tse:Summary></tse:GetRecordingSummaryResponse>"
    )
    assert validate_body(good) == []


@pytest.mark.peer
async def test_all_good_device_is_ok():
    with onvif_device("good", "admin", "pw") as dev:
        report = await inspect_recording(target(dev), SETTINGS)
    assert report.faults == ()
    assert report.retention_days == pytest.approx(40, abs=0.01)
    assert report.metrics["recording_status"] == "Recording"
    assert report.metrics["gaps_known"] is True
    assert report.metrics["newest_age_s"] < 60


@pytest.mark.peer
async def test_gap_in_the_last_day_is_found_from_recording_state_events():
    with onvif_device("gap", "admin", "pw") as dev:
        report = await inspect_recording(target(dev), SETTINGS)
        now = dev.scenario.now
    assert report.faults == ("recording_gap",)
    assert len(report.gaps) == 1  # the 2-hour hole 3 days ago is outside the 24 h window
    gap = report.gaps[0]
    assert abs((gap.start - (now - timedelta(hours=6))).total_seconds()) < 1
    assert gap.duration_s == pytest.approx(40 * 60, abs=1)


@pytest.mark.peer
async def test_stopped_recording_is_not_recording():
    with onvif_device("stopped", "admin", "pw") as dev:
        obs = await check_recording(target(dev), SETTINGS)
    assert obs.status == "fail"
    assert obs.faults == ("not_recording",)
    assert obs.metrics["recording_active"] is False
    assert obs.metrics["newest_age_s"] == pytest.approx(7200, abs=30)


@pytest.mark.peer
async def test_short_retention_is_retention_short_with_configured_and_kept_days():
    with onvif_device("short_retention", "admin", "pw") as dev:
        obs = await check_recording(target(dev), SETTINGS)
    assert obs.faults == ("retention_short",)
    assert obs.metrics["retention_days"] == pytest.approx(12, abs=0.01)
    assert obs.metrics["configured_retention_days"] == pytest.approx(12)


@pytest.mark.peer
async def test_short_retention_is_fine_for_a_camera_commissioned_twelve_days_ago_if_config_allows():
    with onvif_device("short_retention", "admin", "pw") as dev:
        t = RecordingTarget(CAM, "public_area", dev.scenario.now - timedelta(days=12), dev.url, "admin", "pw")
        report = await inspect_recording(t, SETTINGS)
    # footage since commissioning is complete, but the recorder is set to delete after 12 days
    assert report.required_days == pytest.approx(12, abs=0.01)
    assert report.faults == ("retention_short",)
    assert report.metrics["configured_retention_days"] == pytest.approx(12)


@pytest.mark.peer
async def test_failed_storage_is_storage_fault_and_not_recording():
    with onvif_device("failed_storage", "admin", "pw") as dev:
        obs = await check_recording(target(dev), SETTINGS)
    assert obs.faults == ("not_recording", "storage_fault")
    assert "disk 1 failed" in obs.metrics["storage_detail"]


@pytest.mark.peer
async def test_wrong_password_is_an_error_with_reason_auth_failed():
    with onvif_device("good", "admin", "pw") as dev:
        obs = await check_recording(target(dev, password="wrong"), SETTINGS)
    assert obs.status == "error"
    assert obs.faults == ()  # auth_failed is a liveness fault; the recording check could not run
    assert obs.metrics["reason"] == "auth_failed"


@pytest.mark.peer
async def test_device_without_profile_g_is_an_error_naming_the_missing_service():
    with onvif_device("no_profile_g", "admin", "pw") as dev:
        obs = await check_recording(target(dev), SETTINGS)
        with pytest.raises(RecordingSourceError) as e:
            await inspect_recording(target(dev), SETTINGS)
    assert obs.status == "error" and obs.metrics["reason"] == "no_profile_g"
    assert "Profile G" in e.value.detail
    assert "tse:GetRecordingSummary" not in dev.requests


@pytest.mark.peer
async def test_recording_token_in_the_profile_selects_one_recording():
    with onvif_device("good", "admin", "pw") as dev:
        report = await inspect_recording(target(dev, recording_token="REC_CH1"), SETTINGS)
        assert "tse:FindRecordings" not in dev.requests
        with pytest.raises(RecordingSourceError) as e:
            await inspect_recording(target(dev, recording_token="NOPE"), SETTINGS)
    assert report.faults == ()
    assert e.value.reason == "protocol_error" and "GetRecordingInformation" in e.value.detail


async def test_closed_port_is_an_error_with_reason_unreachable():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    t = RecordingTarget(CAM, None, None, f"http://127.0.0.1:{port}/onvif/device_service", "a", "b")
    obs = await check_recording(t, SETTINGS)
    assert obs.status == "error" and obs.metrics["reason"] == "unreachable"


async def test_camera_without_onvif_url_is_a_config_error():
    obs = await check_recording(RecordingTarget(CAM), SETTINGS)
    assert obs.status == "error" and obs.metrics["reason"] == "bad_config"
    assert CAM in obs.metrics["detail"]


@pytest.mark.peer
async def test_snapshot_uri_and_digest_protected_jpeg_through_the_real_client():
    from onvif import ONVIFCamera
    from onvif.exceptions import ONVIFAuthError

    with onvif_device("good", "admin", "pw") as dev:
        cam = ONVIFCamera("127.0.0.1", dev.port, "admin", "pw", no_cache=True)
        await cam.update_xaddrs()
        media = await cam.create_media_service()
        profiles = await media.GetProfiles()
        jpeg = await cam.get_snapshot(profiles[0].token)
        await cam.close()
        wrong = ONVIFCamera("127.0.0.1", dev.port, "admin", "nope", no_cache=True)
        await wrong.update_xaddrs()  # PRE_AUTH: works with any credentials
        with pytest.raises(Exception) as refused:
            await (await wrong.create_media_service()).GetProfiles()
        await wrong.close()
        digest_only = ONVIFCamera("127.0.0.1", dev.port, "admin", "nope", no_cache=True)
        digest_only._snapshot_uris[profiles[0].token] = dev.snapshot_url
        with pytest.raises(ONVIFAuthError):
            await digest_only.get_snapshot(profiles[0].token)
        await digest_only.close()
    assert jpeg[:2] == b"\xff\xd8"
    assert "NotAuthorized" in str(refused.value) or "not Authorized" in str(refused.value)
    assert dev.validation_errors == []


def test_device_address_accepts_the_usual_url_shapes():
    assert device_address("http://10.0.0.5/onvif/device_service") == ("10.0.0.5", 80)
    assert device_address("http://10.0.0.5:8000/onvif/device_service") == ("10.0.0.5", 8000)
    assert device_address("10.0.0.5:8080") == ("10.0.0.5", 8080)
    with pytest.raises(RecordingSourceError, match="ftp://x"):
        device_address("ftp://x")


def test_state_events_cut_the_window_into_recorded_stretches():
    now = datetime(2026, 11, 25, 12, tzinfo=UTC)
    w = now - timedelta(hours=24)
    info = RecordingInfo("R", now - timedelta(days=30), now, "Recording")
    events = [
        StateEvent("R", w, True),  # start state
        StateEvent("R", now - timedelta(hours=6), False),
        StateEvent("R", now - timedelta(hours=5), True),
    ]
    spans = spans_from_events(info, events, w)
    assert [(s.start, s.end) for s in spans] == [
        (now - timedelta(days=30), w),
        (w, now - timedelta(hours=6)),
        (now - timedelta(hours=5), now),
    ]


def test_a_start_state_of_not_recording_opens_the_window_with_a_hole():
    now = datetime(2026, 11, 25, 12, tzinfo=UTC)
    w = now - timedelta(hours=24)
    info = RecordingInfo("R", now - timedelta(days=30), now, "Recording")
    spans = spans_from_events(info, [StateEvent("R", w, False), StateEvent("R", w + timedelta(hours=1), True)], w)
    assert [(s.start, s.end) for s in spans] == [(now - timedelta(days=30), w), (w + timedelta(hours=1), now)]


def test_http_401_and_soap_not_authorized_both_classify_as_auth_failed():
    import zeep.exceptions

    from probe.recording.onvif_profile_g import _classify

    assert _classify(zeep.exceptions.TransportError(status_code=401), "x").reason == "auth_failed"
    fault = zeep.exceptions.Fault("Sender not Authorized", code="env:Sender", subcodes=["ter:NotAuthorized"])
    assert _classify(fault, "x").reason == "auth_failed"
    other = zeep.exceptions.Fault("nope", code="env:Receiver", subcodes=["ter:ActionNotSupported"])
    assert _classify(other, "x").reason == "protocol_error"
    assert _classify(zeep.exceptions.TransportError(status_code=500), "x").reason == "protocol_error"


@pytest.mark.peer
async def test_a_device_response_that_breaks_the_schema_is_refused_by_the_device_itself():
    with onvif_device("good", "admin", "pw") as dev:
        dev._ops[("tse", "GetRecordingSummary")] = lambda req: "<tse:GetRecordingSummaryResponse/>"
        obs = await check_recording(target(dev), SETTINGS)
    assert obs.status == "error" and obs.metrics["reason"] == "protocol_error"
    assert dev.validation_errors and "GetRecordingSummaryResponse" in dev.validation_errors[0]


@pytest.mark.peer
async def test_without_event_search_the_footage_is_one_stretch_and_gaps_are_unknown():
    with onvif_device("gap", "admin", "pw") as dev:
        del dev._ops[("tse", "FindEvents")]  # answered with ter:ActionNotSupported
        report = await inspect_recording(target(dev), SETTINGS)
    assert report.metrics["gaps_known"] is False
    assert report.faults == ()
    assert len(report.timeline) == 1


@pytest.mark.peer
async def test_on_an_nvr_the_recording_whose_source_is_the_camera_is_judged():
    from tests.peers.onvif_device import SimRecording

    with onvif_device("good", "admin", "pw") as dev:
        now = dev.scenario.now
        dev.scenario.recordings.append(
            SimRecording("REC_CH2", CAM, [(now - timedelta(days=40), now - timedelta(hours=3))], status="Stopped")
        )
        report = await inspect_recording(target(dev), SETTINGS)
        other = await inspect_recording(
            RecordingTarget("34020000001320000002", None, None, dev.url, "admin", "pw"), SETTINGS
        )
    assert report.faults == ("not_recording",)
    assert report.metrics["recordings"] == 1
    assert other.metrics["recordings"] == 2  # no recording names that camera: all of them
    assert dev.validation_errors == []
