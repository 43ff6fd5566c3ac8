"""Recording evidence from the camera or NVR itself, over ONVIF Profile G (onvif-zeep-async).

What is asked, in order:

1. device ``GetServices`` (``GetCapabilities`` as the client's fallback): no search service means
   no Profile G -> ``RecordingSourceError("no_profile_g")``; the check reports ``error``.
2. search ``GetRecordingSummary``; ``FindRecordings`` + ``GetRecordingSearchResults`` for the
   recording tokens; ``GetRecordingInformation`` per recording: earliest/latest data per track and
   the RecordingStatus (Recording / Stopped ...).
3. search ``FindEvents`` + ``GetEventSearchResults`` for ``tns1:RecordingHistory/Recording/State``
   (IsRecording true/false) over the gap window, to find holes. A device without event search
   still gives a result: its footage is taken as one stretch from earliest to latest and
   ``metrics["gaps_known"]`` is false.
4. recording service (when offered) ``GetRecordings`` for MaximumRetentionTime (0 = unlimited) and
   ``GetRecordingJobs`` + ``GetRecordingJobState``: a job in state ``Error`` is a
   ``storage_fault``.

Credentials refused -> ``RecordingSourceError("auth_failed")`` (an ``error`` result; the
``auth_failed`` fault belongs to liveness).

Profile keys (``Camera.profile["recording"]``): ``url`` (device service URL, else the camera's
``onvif_url``), ``recording_token`` (on an NVR: which recording is this camera's; else the recordings whose
source SourceId or Name is the camera ID, else all the device's recordings), ``timeout_s`` (whole exchange, default 4 x settings.probe.timeout_s, >= 20 s).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from probe.recording.target import RecordingSourceError, RecordingTarget
from probe.recording.timeline import RecordingEvidence, Span

SEARCH_NS = "http://www.onvif.org/ver10/search/wsdl"
RECORDING_NS = "http://www.onvif.org/ver10/recording/wsdl"
RECORDING_STATE_TOPIC = "RecordingHistory/Recording/State"
MAX_RESULT_PAGES = 200  # bound on GetRecordingSearchResults / GetEventSearchResults polling
PAGE_SIZE = 100


@dataclass(frozen=True, slots=True)
class RecordingInfo:
    token: str
    earliest: datetime | None
    latest: datetime | None
    status: str  # tt:RecordingStatus


@dataclass(frozen=True, slots=True)
class StateEvent:
    recording_token: str
    time: datetime
    is_recording: bool


def device_address(url: str) -> tuple[str, int]:
    """(host for ONVIFCamera, port) from a device service URL; the client adds /onvif/device_service."""
    parts = urlsplit(url if "://" in url else f"http://{url}")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RecordingSourceError("bad_config", f"ONVIF URL {url!r}: expected http(s)://host[:port]/...")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    host = parts.hostname if parts.scheme == "http" else f"https://{parts.hostname}"
    return host, port


def _utc(t: Any) -> datetime | None:
    if not isinstance(t, datetime):
        return None
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)


def _simple_items(node: Any) -> dict[str, str]:
    """Name -> Value of tt:SimpleItem under a parsed tt:Message part (zeep object or lxml element)."""
    out: dict[str, str] = {}
    if node is None:
        return out
    if hasattr(node, "iter") and hasattr(node, "tag"):  # lxml element (unknown to the schema)
        for el in node.iter("{*}SimpleItem"):
            out[el.get("Name", "")] = el.get("Value", "")
        return out
    for item in getattr(node, "SimpleItem", None) or []:
        out[str(item.Name)] = str(item.Value)
    return out


def parse_state_event(result: Any) -> StateEvent | None:
    """A tt:FindEventResult -> StateEvent when it is a RecordingHistory/Recording/State event."""
    event = getattr(result, "Event", None)
    topic = getattr(getattr(event, "Topic", None), "_value_1", None)
    if not isinstance(topic, str) or not topic.strip().endswith(RECORDING_STATE_TOPIC):
        return None
    message = getattr(getattr(event, "Message", None), "_value_1", None)
    if hasattr(message, "tag"):  # raw element
        data = _simple_items(message.find("{*}Data"))
    else:
        data = _simple_items(getattr(message, "Data", None))
    flag = data.get("IsRecording")
    t = _utc(getattr(result, "Time", None))
    if flag is None or t is None:
        return None
    return StateEvent(str(result.RecordingToken or ""), t, flag.strip().lower() in ("true", "1"))


def spans_from_events(
    info: RecordingInfo, events: Iterable[StateEvent], window_start: datetime
) -> list[Span]:
    """Recorded stretches of one recording: assumed whole before the window, from events inside it."""
    if info.earliest is None or info.latest is None:
        return []
    spans: list[Span] = []
    if info.earliest < window_start:
        spans.append(Span(info.earliest, min(window_start, info.latest), info.token))
    on_since: datetime | None = window_start if info.earliest <= window_start < info.latest else None
    for ev in sorted(events, key=lambda e: e.time):
        t = max(ev.time, window_start)
        if ev.is_recording and on_since is None:
            on_since = t
        elif not ev.is_recording and on_since is not None:
            if t > on_since:
                spans.append(Span(on_since, t, info.token))
            on_since = None
    if on_since is not None and info.latest > on_since:
        spans.append(Span(on_since, info.latest, info.token))
    return spans


def _classify(exc: BaseException, where: str) -> RecordingSourceError:
    import aiohttp
    import zeep.exceptions
    from onvif.exceptions import ONVIFAuthError, ONVIFError, ONVIFTimeoutError

    cause = exc
    while isinstance(cause, ONVIFError) and cause.__cause__ is not None and cause.__cause__ is not cause:
        cause = cause.__cause__
    if isinstance(cause, RecordingSourceError):
        return cause
    if isinstance(cause, ONVIFAuthError):
        return RecordingSourceError("auth_failed", f"{where}: {cause}")
    if isinstance(cause, zeep.exceptions.Fault):
        codes = " ".join(str(c) for c in ([cause.code] + list(cause.subcodes or [])))
        text = f"{codes} {cause.message or ''}"
        if "NotAuthorized" in text or "not authorized" in text.lower() or "FailedAuthentication" in text:
            return RecordingSourceError("auth_failed", f"{where}: device refused the credentials ({cause.message})")
        return RecordingSourceError("protocol_error", f"{where}: SOAP fault {codes}: {cause.message}")
    if isinstance(cause, zeep.exceptions.TransportError):
        if cause.status_code in (401, 403):
            return RecordingSourceError("auth_failed", f"{where}: HTTP {cause.status_code}")
        return RecordingSourceError("protocol_error", f"{where}: HTTP {cause.status_code}")
    if isinstance(cause, (TimeoutError, asyncio.TimeoutError, ONVIFTimeoutError)):
        return RecordingSourceError("timeout", f"{where}: no answer in time")
    if isinstance(cause, (aiohttp.ClientConnectionError, OSError)):
        return RecordingSourceError("unreachable", f"{where}: {cause}")
    return RecordingSourceError("protocol_error", f"{where}: {type(cause).__name__}: {cause}")


async def _call(where: str, coro: Any) -> Any:
    try:
        return await coro
    except RecordingSourceError:
        raise
    except Exception as e:  # everything the client can raise is classified, nothing escapes raw
        raise _classify(e, where) from e


async def _call_list(where: str, coro: Any) -> list[Any]:
    """``_call`` for an operation whose answer is a list the device may not offer: a protocol error
    (a SOAP fault, an HTTP error status...) counts as an empty list; anything else is raised."""
    try:
        return await _call(where, coro) or []
    except RecordingSourceError as e:
        if e.reason != "protocol_error":
            raise
        return []


async def _collect(service: Any, start_op: str, results_op: str, request: dict[str, Any], field: str) -> list[Any]:
    """Run a search (FindRecordings / FindEvents) and page its results until Completed."""
    token = await _call(start_op, getattr(service, start_op)(request))
    items: list[Any] = []
    for _ in range(MAX_RESULT_PAGES):
        page = await _call(
            results_op,
            getattr(service, results_op)(
                {"SearchToken": token, "MaxResults": PAGE_SIZE, "WaitTime": timedelta(seconds=2)}
            ),
        )
        items.extend(getattr(page, field, None) or [])
        if page.SearchState == "Completed":
            return items
    await _call("EndSearch", service.EndSearch({"SearchToken": token}))
    raise RecordingSourceError("protocol_error", f"{results_op}: search not completed after {MAX_RESULT_PAGES} pages")


async def _recording_service_facts(camera: Any, tokens: set[str]) -> tuple[float | None, list[str], bool | None]:
    """(configured retention s, storage faults, any job active) from the recording service."""
    import zeep.exceptions

    rec = await _call("recording service", camera.create_recording_service())
    retention: float | None = None
    for item in await _call_list("GetRecordings", rec.GetRecordings()):
        if item.RecordingToken not in tokens:
            continue
        kept = getattr(item.Configuration, "MaximumRetentionTime", None)
        if isinstance(kept, timedelta) and kept.total_seconds() > 0:
            s = kept.total_seconds()
            retention = s if retention is None else min(retention, s)
    faults: list[str] = []
    active: bool | None = None
    for job in await _call_list("GetRecordingJobs", rec.GetRecordingJobs()):
        if job.JobConfiguration.RecordingToken not in tokens:
            continue
        try:
            state = await _call("GetRecordingJobState", rec.GetRecordingJobState({"JobToken": job.JobToken}))
        except RecordingSourceError as e:
            if e.reason != "protocol_error" or isinstance(e.__cause__, zeep.exceptions.TransportError):
                raise
            continue
        if state.State == "Error":
            errors = [
                str(t.Error)
                for s in (state.Sources or [])
                for t in (getattr(s.Tracks, "Track", None) or [])
                if getattr(t, "Error", None)
            ]
            faults.append(f"recording job {job.JobToken} state Error" + (f" ({'; '.join(errors)})" if errors else ""))
        if state.State in ("Active", "PartiallyActive"):
            active = True
        elif active is None:
            active = False
    return retention, faults, active


async def fetch_onvif_evidence(target: RecordingTarget, settings: Any) -> RecordingEvidence:
    """The ``onvif`` recording source."""
    url = target.config.get("url") or target.onvif_url
    if not url:
        raise RecordingSourceError("bad_config", f"camera {target.camera_id}: no onvif_url and no profile.recording.url")
    host, port = device_address(str(url))
    probe_timeout = float(getattr(getattr(settings, "probe", None), "timeout_s", 5.0))
    timeout_s = float(target.config.get("timeout_s", max(4 * probe_timeout, 20.0)))
    window_s = float(target.config.get("gap_window_s", 86_400.0))
    try:
        return await asyncio.wait_for(_fetch(target, host, port, window_s), timeout_s)
    except TimeoutError as e:
        raise RecordingSourceError("timeout", f"ONVIF {url}: no complete answer within {timeout_s:g} s") from e


async def _fetch(target: RecordingTarget, host: str, port: int, window_s: float) -> RecordingEvidence:
    from onvif import ONVIFCamera

    camera = ONVIFCamera(host, port, target.username or "", target.password or "", no_cache=True)
    try:
        await _call("GetServices/GetCapabilities", camera.update_xaddrs())
        if SEARCH_NS not in camera.xaddrs:
            raise RecordingSourceError(
                "no_profile_g",
                f"device at {host}:{port} offers no recording search service (ONVIF Profile G); "
                f"services: {', '.join(sorted(camera.xaddrs)) or 'none'}",
            )
        search = await _call("search service", camera.create_search_service())
        summary = await _call("GetRecordingSummary", search.GetRecordingSummary())
        wanted = target.config.get("recording_token")
        if wanted:
            tokens = [str(wanted)]
        else:
            found = await _collect(
                search,
                "FindRecordings",
                "GetRecordingSearchResults",
                {"Scope": {}, "MaxMatches": PAGE_SIZE, "KeepAliveTime": timedelta(seconds=30)},
                "RecordingInformation",
            )
            tokens = sorted({str(r.RecordingToken) for r in found})
            # On an NVR, a recording whose source names this camera is the camera's own.
            own = sorted(
                {
                    str(r.RecordingToken)
                    for r in found
                    if target.camera_id in (getattr(r.Source, "SourceId", None), getattr(r.Source, "Name", None))
                }
            )
            tokens = own or tokens
        infos: list[RecordingInfo] = []
        for token in tokens:
            ri = await _call("GetRecordingInformation", search.GetRecordingInformation({"RecordingToken": token}))
            tracks = list(getattr(ri, "Track", None) or [])
            starts = [_utc(t.DataFrom) for t in tracks] + [_utc(ri.EarliestRecording)]
            ends = [_utc(t.DataTo) for t in tracks] + [_utc(ri.LatestRecording)]
            infos.append(
                RecordingInfo(
                    token,
                    min((t for t in starts if t), default=None),
                    max((t for t in ends if t), default=None),
                    str(ri.RecordingStatus),
                )
            )

        # Holes in the window from recording state history, where the device keeps it.
        now = datetime.now(UTC)
        window_start = now - timedelta(seconds=window_s)
        gaps_known = True
        events: list[StateEvent] = []
        try:
            results = await _collect(
                search,
                "FindEvents",
                "GetEventSearchResults",
                {
                    "StartPoint": window_start,
                    "EndPoint": now,
                    "Scope": {"IncludedRecordings": tokens} if wanted else {},
                    "SearchFilter": {},
                    "IncludeStartState": True,
                    "KeepAliveTime": timedelta(seconds=30),
                },
                "Result",
            )
            events = [e for e in (parse_state_event(r) for r in results) if e is not None]
        except RecordingSourceError as e:
            if e.reason != "protocol_error":
                raise
            gaps_known = False  # FindEvents not supported: footage taken as earliest..latest
        spans: list[Span] = []
        for info in infos:
            mine = [e for e in events if e.recording_token in ("", info.token)]
            if gaps_known:
                spans.extend(spans_from_events(info, mine, window_start))
            elif info.earliest and info.latest:
                spans.append(Span(info.earliest, info.latest, info.token))

        retention, storage_faults, job_active = None, [], None
        if RECORDING_NS in camera.xaddrs:
            retention, storage_faults, job_active = await _recording_service_facts(camera, set(tokens))
        statuses = {i.status for i in infos}
        if "Recording" in statuses:
            active: bool | None = True
        elif statuses & {"Stopped", "Initiated", "Removed", "Removing"}:
            active = False
        else:
            active = job_active
        return RecordingEvidence(
            spans=tuple(spans),
            recording_active=active,
            storage_faults=tuple(storage_faults),
            configured_retention_s=retention,
            details={
                "recordings": len(infos),
                "recording_status": ",".join(sorted(statuses)) or None,
                "summary_from": _iso(summary.DataFrom),
                "summary_until": _iso(summary.DataUntil),
                "gaps_known": gaps_known,
                "state_events": len(events),
            },
        )
    finally:
        try:
            await camera.close()
        except Exception:  # closing a half-open client must not hide the real result
            pass


def _iso(t: Any) -> str | None:
    u = _utc(t)
    return None if u is None else u.isoformat()
