"""A test ONVIF device on loopback: real SOAP 1.2 over HTTP, checked against the official schemas.

No ONVIF device simulator is packaged on PyPI or in Debian (shared/research/test-peers.md), so this
module is one. It answers, with hand-written XML that every response is validated against (the XSD
embedded in the WSDLs that onvif-zeep-async ships, plus onvif.xsd):

- device  (/onvif/device_service): GetServices, GetCapabilities, GetDeviceInformation,
  GetSystemDateAndTime
- media   (/onvif/media_service): GetProfiles, GetSnapshotUri, GetStreamUri; the snapshot itself is
  a JPEG at /onvif/snapshot.jpg behind HTTP Digest auth (MD5, qop=auth)
- search  (/onvif/search_service): GetRecordingSummary, FindRecordings, GetRecordingSearchResults,
  GetRecordingInformation, FindEvents, GetEventSearchResults, EndSearch
- recording (/onvif/recording_service): GetRecordings, GetRecordingJobs, GetRecordingJobState

Security as the ONVIF core spec has it: GetServices, GetCapabilities, GetSystemDateAndTime are
PRE_AUTH; everything else needs a WS-Security UsernameToken (PasswordDigest or PasswordText). No
token -> HTTP 401; a wrong one -> HTTP 400 with SOAP fault env:Sender / ter:NotAuthorized.

Scenarios (``SCENARIOS``): good, gap, stopped, short_retention, failed_storage, no_profile_g.

Use::

    with onvif_device(scenario="gap", user="admin", password="pw") as dev:
        dev.url        # http://127.0.0.1:PORT/onvif/device_service
        dev.host, dev.port
        dev.scenario   # the recorded spans the device claims, for asserting

The server runs in its own thread and event loop, so it serves sync and async tests alike. With
``validate=True`` (default) every response body is validated before it is sent; a response that
does not validate is recorded in ``dev.validation_errors`` and answered with HTTP 500, so a test
cannot pass on a response the standard does not allow.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import hashlib
import os
import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from aiohttp import web
from lxml import etree

NS = {
    "env": "http://www.w3.org/2003/05/soap-envelope",
    "wsse": "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd",
    "wsu": "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd",
    "tt": "http://www.onvif.org/ver10/schema",
    "tds": "http://www.onvif.org/ver10/device/wsdl",
    "trt": "http://www.onvif.org/ver10/media/wsdl",
    "tse": "http://www.onvif.org/ver10/search/wsdl",
    "trc": "http://www.onvif.org/ver10/recording/wsdl",
    "ter": "http://www.onvif.org/ver10/error",
    "wsnt": "http://docs.oasis-open.org/wsn/b-2",
    "tns1": "http://www.onvif.org/ver10/topics",
}
PASSWORD_DIGEST = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest"
)
PRE_AUTH = {("tds", "GetServices"), ("tds", "GetCapabilities"), ("tds", "GetSystemDateAndTime")}
SERVICE_PATHS = {
    "tds": "/onvif/device_service",
    "trt": "/onvif/media_service",
    "tse": "/onvif/search_service",
    "trc": "/onvif/recording_service",
}
WSDL_FILES = {"tds": "devicemgmt.wsdl", "trt": "media.wsdl", "tse": "search.wsdl", "trc": "recording.wsdl"}
REALM = "camsla-onvif-test"


# ---------------------------------------------------------------------------------------------
# Scenarios: what the recorder has


@dataclass
class SimRecording:
    token: str
    source_id: str
    segments: list[tuple[datetime, datetime]]  # recorded stretches, oldest first
    status: str = "Recording"  # tt:RecordingStatus
    retention: timedelta = timedelta(0)  # MaximumRetentionTime, 0 = unlimited

    @property
    def earliest(self) -> datetime:
        return self.segments[0][0]

    @property
    def latest(self) -> datetime:
        return self.segments[-1][1]

    def recording_at(self, t: datetime) -> bool:
        return any(a <= t < b for a, b in self.segments)


@dataclass
class SimJob:
    token: str
    recording_token: str
    mode: str = "Active"  # configured mode
    state: str = "Active"  # tt:RecordingJobState: Idle, Active, PartiallyActive, Error


@dataclass
class Scenario:
    name: str
    now: datetime
    profile_g: bool = True
    recordings: list[SimRecording] = field(default_factory=list)
    jobs: list[SimJob] = field(default_factory=list)


def _scenario(name: str, now: datetime) -> Scenario:
    d = timedelta(days=1)
    h = timedelta(hours=1)
    tail = now - timedelta(seconds=5)  # the running segment is indexed a few seconds late
    if name == "good":
        rec = SimRecording("REC_CH1", "ch1", [(now - 40 * d, tail)])
        return Scenario(name, now, recordings=[rec], jobs=[SimJob("JOB_CH1", "REC_CH1")])
    if name == "gap":
        # 40 minutes missing 6 hours ago, and an older 2-hour hole 3 days ago (outside the 24 h window)
        segs = [
            (now - 40 * d, now - 3 * d),
            (now - 3 * d + 2 * h, now - 6 * h),
            (now - 6 * h + timedelta(minutes=40), tail),
        ]
        rec = SimRecording("REC_CH1", "ch1", segs)
        return Scenario(name, now, recordings=[rec], jobs=[SimJob("JOB_CH1", "REC_CH1")])
    if name == "stopped":
        rec = SimRecording("REC_CH1", "ch1", [(now - 40 * d, now - 2 * h)], status="Stopped")
        return Scenario(name, now, recordings=[rec], jobs=[SimJob("JOB_CH1", "REC_CH1", mode="Idle", state="Idle")])
    if name == "short_retention":
        rec = SimRecording("REC_CH1", "ch1", [(now - 12 * d, tail)], retention=12 * d)
        return Scenario(name, now, recordings=[rec], jobs=[SimJob("JOB_CH1", "REC_CH1")])
    if name == "failed_storage":
        rec = SimRecording("REC_CH1", "ch1", [(now - 40 * d, now - 3 * h)], status="Stopped")
        return Scenario(name, now, recordings=[rec], jobs=[SimJob("JOB_CH1", "REC_CH1", state="Error")])
    if name == "no_profile_g":
        return Scenario(name, now, profile_g=False)
    raise ValueError(f"unknown ONVIF test scenario {name!r} (expected one of {', '.join(SCENARIOS)})")


SCENARIOS = ("good", "gap", "stopped", "short_retention", "failed_storage", "no_profile_g")


# ---------------------------------------------------------------------------------------------
# Schema validation against the WSDL/XSD shipped with onvif-zeep-async


def wsdl_dir() -> Path:
    import onvif

    return Path(onvif.__file__).parent / "wsdl"


@cache
def service_schema(prefix: str) -> etree.XMLSchema:
    """The XML schema embedded in one service's WSDL (with onvif.xsd and what it imports)."""
    d = wsdl_dir()
    doc = etree.parse(str(d / WSDL_FILES[prefix]))
    xs = "{http://www.w3.org/2001/XMLSchema}"
    schema = doc.find(f".//{xs}schema")
    nsmap = {k: v for k, v in doc.getroot().nsmap.items() if k}
    nsmap.update({k: v for k, v in schema.nsmap.items() if k})
    standalone = etree.Element(schema.tag, nsmap=nsmap, attrib=dict(schema.attrib))
    for child in schema:
        standalone.append(copy.deepcopy(child))
    return etree.XMLSchema(etree.fromstring(etree.tostring(standalone), base_url=str(d / f"{prefix}.xsd")))


def validate_body(body_child: etree._Element) -> list[str]:
    """Errors of one SOAP body element against its service schema; [] when valid."""
    ns = etree.QName(body_child).namespace
    prefix = next((p for p, uri in NS.items() if uri == ns and p in WSDL_FILES), None)
    if prefix is None:
        return [f"no ONVIF service schema for namespace {ns}"]
    schema = service_schema(prefix)
    doc = etree.ElementTree(copy.deepcopy(body_child))
    if schema.validate(doc):
        return []
    return [f"{etree.QName(body_child).localname}: line {e.line}: {e.message}" for e in schema.error_log]


# ---------------------------------------------------------------------------------------------
# XML helpers


def _ts(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _duration(td: timedelta) -> str:
    s = int(td.total_seconds())
    days, rest = divmod(s, 86_400)
    return f"P{days}DT{rest}S" if days else f"PT{rest}S"


def _envelope(body: str) -> str:
    decls = " ".join(f'xmlns:{p}="{uri}"' for p, uri in NS.items())
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<env:Envelope {decls}><env:Body>{body}</env:Body></env:Envelope>'


def _fault(code: str, subcode: str, reason: str) -> str:
    return (
        "<env:Fault><env:Code><env:Value>" + code + "</env:Value><env:Subcode><env:Value>" + subcode
        + "</env:Value></env:Subcode></env:Code><env:Reason><env:Text xml:lang=\"en\">" + escape(reason)
        + "</env:Text></env:Reason></env:Fault>"
    )


class SoapFault(Exception):
    def __init__(self, http_status: int, code: str, subcode: str, reason: str) -> None:
        super().__init__(reason)
        self.http_status, self.code, self.subcode, self.reason = http_status, code, subcode, reason


def _not_supported(op: str) -> SoapFault:
    return SoapFault(400, "env:Receiver", "ter:ActionNotSupported", f"{op} is not supported by this device")


# ---------------------------------------------------------------------------------------------
# The device


@dataclass
class _Search:
    kind: str  # "recordings" | "events"
    items: list[str]  # rendered result elements
    cursor: int = 0


class OnvifDevice:
    def __init__(
        self,
        scenario: str = "good",
        user: str = "admin",
        password: str = "secret",
        *,
        now: datetime | None = None,
        validate: bool = True,
        snapshot_jpeg: bytes | None = None,
        rtsp_url: str = "rtsp://127.0.0.1:554/test",
        host: str = "127.0.0.1",
    ) -> None:
        self.scenario = _scenario(scenario, now or datetime.now(UTC))
        self.user, self.password = user, password
        self.validate = validate
        self.snapshot_jpeg = snapshot_jpeg if snapshot_jpeg is not None else _test_jpeg()
        self.rtsp_url = rtsp_url
        self.host = host
        self.port = 0
        self.validation_errors: list[str] = []
        self.requests: list[str] = []  # "tse:GetRecordingSummary", ... in order received
        self._searches: dict[str, _Search] = {}
        self._nonces: set[str] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._ops: dict[tuple[str, str], Callable[[etree._Element], str]] = {
            ("tds", "GetServices"): self._get_services,
            ("tds", "GetCapabilities"): self._get_capabilities,
            ("tds", "GetDeviceInformation"): self._get_device_information,
            ("tds", "GetSystemDateAndTime"): self._get_system_date_and_time,
            ("trt", "GetProfiles"): self._get_profiles,
            ("trt", "GetSnapshotUri"): self._get_snapshot_uri,
            ("trt", "GetStreamUri"): self._get_stream_uri,
            ("tse", "GetRecordingSummary"): self._get_recording_summary,
            ("tse", "FindRecordings"): self._find_recordings,
            ("tse", "GetRecordingSearchResults"): self._get_recording_search_results,
            ("tse", "GetRecordingInformation"): self._get_recording_information,
            ("tse", "FindEvents"): self._find_events,
            ("tse", "GetEventSearchResults"): self._get_event_search_results,
            ("tse", "EndSearch"): self._end_search,
            ("trc", "GetRecordings"): self._get_recordings,
            ("trc", "GetRecordingJobs"): self._get_recording_jobs,
            ("trc", "GetRecordingJobState"): self._get_recording_job_state,
        }

    # ----- lifecycle

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def url(self) -> str:
        return self.base + SERVICE_PATHS["tds"]

    @property
    def snapshot_url(self) -> str:
        return self.base + "/onvif/snapshot.jpg"

    def start(self) -> OnvifDevice:
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self._serve())
            except BaseException as e:  # reported to start()
                failure.append(e)
                ready.set()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self._runner.cleanup())
            loop.close()

        self._thread = threading.Thread(target=run, name="onvif-test-device", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("ONVIF test device did not start within 10 s")
        if failure:
            raise RuntimeError(f"ONVIF test device failed to start: {failure[0]}") from failure[0]
        return self

    def stop(self) -> None:
        if self._loop and self._thread:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)

    async def _serve(self) -> None:
        app = web.Application()
        for path in SERVICE_PATHS.values():
            app.router.add_post(path, self._handle_soap)
        app.router.add_get("/onvif/snapshot.jpg", self._handle_snapshot)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]

    # ----- HTTP handlers

    async def _handle_soap(self, request: web.Request) -> web.Response:
        raw = await request.read()
        try:
            env = etree.fromstring(raw, parser=etree.XMLParser(resolve_entities=False, no_network=True))
            body = env.find(f"{{{NS['env']}}}Body")
            op_el = body[0]
        except (etree.XMLSyntaxError, TypeError, IndexError) as e:
            return self._fault_response(SoapFault(400, "env:Sender", "ter:WellFormed", f"bad SOAP request: {e}"))
        qn = etree.QName(op_el)
        prefix = next((p for p, uri in NS.items() if uri == qn.namespace and p in WSDL_FILES), "?")
        key = (prefix, qn.localname)
        self.requests.append(f"{prefix}:{qn.localname}")
        try:
            if SERVICE_PATHS.get(prefix) != request.path:
                raise SoapFault(400, "env:Sender", "ter:InvalidArgVal", f"{qn.localname} sent to {request.path}")
            handler = self._ops.get(key)
            if handler is None:
                raise _not_supported(qn.localname)
            if prefix in ("tse", "trc") and not self.scenario.profile_g:
                raise _not_supported(qn.localname)
            if key not in PRE_AUTH:
                self._authenticate(env)
            body_xml = handler(op_el)
        except SoapFault as f:
            return self._fault_response(f)
        if self.validate:
            errors = validate_body(etree.fromstring(_envelope(body_xml).encode()).find(f"{{{NS['env']}}}Body")[0])
            if errors:
                self.validation_errors.extend(errors)
                return web.Response(status=500, text="response failed schema validation: " + "; ".join(errors))
        return web.Response(
            body=_envelope(body_xml).encode(), content_type="application/soap+xml", charset="utf-8"
        )

    def _fault_response(self, f: SoapFault) -> web.Response:
        if f.http_status == 401:
            return web.Response(
                status=401,
                headers={"WWW-Authenticate": f'Digest realm="{REALM}", qop="auth", nonce="{secrets.token_hex(16)}"'},
                text="authentication required",
            )
        return web.Response(
            status=f.http_status,
            body=_envelope(_fault(f.code, f.subcode, f.reason)).encode(),
            content_type="application/soap+xml",
            charset="utf-8",
        )

    def _authenticate(self, env: etree._Element) -> None:
        token = env.find(f".//{{{NS['wsse']}}}UsernameToken")
        if token is None:
            raise SoapFault(401, "env:Sender", "ter:NotAuthorized", "no WS-Security UsernameToken")
        user = token.findtext(f"{{{NS['wsse']}}}Username") or ""
        pw_el = token.find(f"{{{NS['wsse']}}}Password")
        given = (pw_el.text or "") if pw_el is not None else ""
        if pw_el is not None and pw_el.get("Type", "").endswith("#PasswordDigest"):
            nonce_b64 = token.findtext(f"{{{NS['wsse']}}}Nonce") or ""
            created = token.findtext(f"{{{NS['wsu']}}}Created") or ""
            try:
                nonce = base64.b64decode(nonce_b64)
            except ValueError:
                nonce = b""
            expected = base64.b64encode(
                hashlib.sha1(nonce + created.encode() + self.password.encode()).digest()
            ).decode()
            ok = user == self.user and secrets.compare_digest(given, expected) and nonce_b64 not in self._nonces
            if ok:
                self._nonces.add(nonce_b64)
        else:
            ok = user == self.user and secrets.compare_digest(given, self.password)
        if not ok:
            raise SoapFault(400, "env:Sender", "ter:NotAuthorized", "Sender not Authorized")

    async def _handle_snapshot(self, request: web.Request) -> web.Response:
        if not self._digest_ok(request):
            return web.Response(
                status=401,
                headers={
                    "WWW-Authenticate": f'Digest realm="{REALM}", qop="auth", algorithm=MD5, '
                    f'nonce="{secrets.token_hex(16)}", opaque="{secrets.token_hex(8)}"'
                },
                text="authentication required",
            )
        return web.Response(body=self.snapshot_jpeg, content_type="image/jpeg")

    def _digest_ok(self, request: web.Request) -> bool:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Digest "):
            return False
        fields = {}
        for part in _split_auth(header[len("Digest ") :]):
            k, _, v = part.partition("=")
            fields[k.strip().lower()] = v.strip().strip('"')
        if fields.get("username") != self.user or fields.get("realm") != REALM:
            return False

        def md5(s: str) -> str:
            return hashlib.md5(s.encode()).hexdigest()

        ha1 = md5(f"{self.user}:{REALM}:{self.password}")
        ha2 = md5(f"{request.method}:{fields.get('uri', '')}")
        if fields.get("qop"):
            expected = md5(f"{ha1}:{fields.get('nonce')}:{fields.get('nc')}:{fields.get('cnonce')}:{fields['qop']}:{ha2}")
        else:
            expected = md5(f"{ha1}:{fields.get('nonce')}:{ha2}")
        return secrets.compare_digest(expected, fields.get("response", ""))

    # ----- device service

    def _services(self) -> list[tuple[str, str]]:
        names = ["tds", "trt"] + (["tse", "trc"] if self.scenario.profile_g else [])
        return [(NS[p], self.base + SERVICE_PATHS[p]) for p in names]

    def _get_services(self, req: etree._Element) -> str:
        items = "".join(
            f"<tds:Service><tds:Namespace>{ns}</tds:Namespace><tds:XAddr>{escape(xaddr)}</tds:XAddr>"
            "<tds:Version><tt:Major>2</tt:Major><tt:Minor>40</tt:Minor></tds:Version></tds:Service>"
            for ns, xaddr in self._services()
        )
        return f"<tds:GetServicesResponse>{items}</tds:GetServicesResponse>"

    def _get_capabilities(self, req: etree._Element) -> str:
        b = self.base
        ext = ""
        if self.scenario.profile_g:
            ext = (
                "<tt:Extension>"
                f"<tt:Recording><tt:XAddr>{b}{SERVICE_PATHS['trc']}</tt:XAddr><tt:ReceiverSource>false</tt:ReceiverSource>"
                "<tt:MediaProfileSource>true</tt:MediaProfileSource><tt:DynamicRecordings>false</tt:DynamicRecordings>"
                "<tt:DynamicTracks>false</tt:DynamicTracks><tt:MaxStringLength>64</tt:MaxStringLength></tt:Recording>"
                f"<tt:Search><tt:XAddr>{b}{SERVICE_PATHS['tse']}</tt:XAddr><tt:MetadataSearch>false</tt:MetadataSearch></tt:Search>"
                "</tt:Extension>"
            )
        return (
            "<tds:GetCapabilitiesResponse><tds:Capabilities>"
            f"<tt:Device><tt:XAddr>{b}{SERVICE_PATHS['tds']}</tt:XAddr></tt:Device>"
            f"<tt:Media><tt:XAddr>{b}{SERVICE_PATHS['trt']}</tt:XAddr><tt:StreamingCapabilities>"
            "<tt:RTPMulticast>false</tt:RTPMulticast><tt:RTP_TCP>true</tt:RTP_TCP><tt:RTP_RTSP_TCP>true</tt:RTP_RTSP_TCP>"
            "</tt:StreamingCapabilities></tt:Media>"
            f"{ext}</tds:Capabilities></tds:GetCapabilitiesResponse>"
        )

    def _get_device_information(self, req: etree._Element) -> str:
        return (
            "<tds:GetDeviceInformationResponse><tds:Manufacturer>camsla</tds:Manufacturer>"
            f"<tds:Model>ONVIF test device ({escape(self.scenario.name)})</tds:Model>"
            "<tds:FirmwareVersion>1.0</tds:FirmwareVersion><tds:SerialNumber>CAMSLA-TEST-0001</tds:SerialNumber>"
            "<tds:HardwareId>camsla-onvif-test</tds:HardwareId></tds:GetDeviceInformationResponse>"
        )

    def _get_system_date_and_time(self, req: etree._Element) -> str:
        t = datetime.now(UTC)
        return (
            "<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime>"
            "<tt:DateTimeType>NTP</tt:DateTimeType><tt:DaylightSavings>false</tt:DaylightSavings>"
            "<tt:TimeZone><tt:TZ>CST-8</tt:TZ></tt:TimeZone>"
            f"<tt:UTCDateTime><tt:Time><tt:Hour>{t.hour}</tt:Hour><tt:Minute>{t.minute}</tt:Minute>"
            f"<tt:Second>{t.second}</tt:Second></tt:Time><tt:Date><tt:Year>{t.year}</tt:Year>"
            f"<tt:Month>{t.month}</tt:Month><tt:Day>{t.day}</tt:Day></tt:Date></tt:UTCDateTime>"
            "</tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>"
        )

    # ----- media service

    def _get_profiles(self, req: etree._Element) -> str:
        return (
            '<trt:GetProfilesResponse><trt:Profiles token="profile_1" fixed="true"><tt:Name>mainStream</tt:Name>'
            '<tt:VideoSourceConfiguration token="vsc_1"><tt:Name>vsc</tt:Name><tt:UseCount>1</tt:UseCount>'
            '<tt:SourceToken>vs_1</tt:SourceToken><tt:Bounds x="0" y="0" width="640" height="360"/>'
            "</tt:VideoSourceConfiguration></trt:Profiles></trt:GetProfilesResponse>"
        )

    def _require_profile(self, req: etree._Element) -> None:
        token = req.findtext(f"{{{NS['trt']}}}ProfileToken")
        if token != "profile_1":
            raise SoapFault(400, "env:Sender", "ter:InvalidArgVal", f"no media profile {token!r}")

    def _media_uri(self, uri: str) -> str:
        return (
            f"<trt:MediaUri><tt:Uri>{escape(uri)}</tt:Uri><tt:InvalidAfterConnect>false</tt:InvalidAfterConnect>"
            "<tt:InvalidAfterReboot>false</tt:InvalidAfterReboot><tt:Timeout>PT0S</tt:Timeout></trt:MediaUri>"
        )

    def _get_snapshot_uri(self, req: etree._Element) -> str:
        self._require_profile(req)
        return f"<trt:GetSnapshotUriResponse>{self._media_uri(self.snapshot_url)}</trt:GetSnapshotUriResponse>"

    def _get_stream_uri(self, req: etree._Element) -> str:
        self._require_profile(req)
        return f"<trt:GetStreamUriResponse>{self._media_uri(self.rtsp_url)}</trt:GetStreamUriResponse>"

    # ----- search service

    def _recording(self, token: str | None) -> SimRecording:
        for r in self.scenario.recordings:
            if r.token == token:
                return r
        raise SoapFault(400, "env:Sender", "ter:InvalidArgVal", f"no recording {token!r}")

    def _recording_information(self, r: SimRecording, tag: str) -> str:
        track = (
            "<tt:Track><tt:TrackToken>VIDEO001</tt:TrackToken><tt:TrackType>Video</tt:TrackType>"
            f"<tt:Description>main video</tt:Description><tt:DataFrom>{_ts(r.earliest)}</tt:DataFrom>"
            f"<tt:DataTo>{_ts(r.latest)}</tt:DataTo></tt:Track>"
        )
        return (
            f"<{tag}><tt:RecordingToken>{escape(r.token)}</tt:RecordingToken>"
            f"<tt:Source><tt:SourceId>{escape(r.source_id)}</tt:SourceId><tt:Name>{escape(r.source_id)}</tt:Name>"
            "<tt:Location>loopback</tt:Location><tt:Description>test camera</tt:Description>"
            "<tt:Address>http://127.0.0.1/</tt:Address></tt:Source>"
            f"<tt:EarliestRecording>{_ts(r.earliest)}</tt:EarliestRecording>"
            f"<tt:LatestRecording>{_ts(r.latest)}</tt:LatestRecording>"
            f"<tt:Content>continuous</tt:Content>{track}<tt:RecordingStatus>{r.status}</tt:RecordingStatus></{tag}>"
        )

    def _get_recording_summary(self, req: etree._Element) -> str:
        recs = self.scenario.recordings
        start = min((r.earliest for r in recs), default=self.scenario.now)
        end = max((r.latest for r in recs), default=self.scenario.now)
        return (
            f"<tse:GetRecordingSummaryResponse><tse:Summary><tt:DataFrom>{_ts(start)}</tt:DataFrom>"
            f"<tt:DataUntil>{_ts(end)}</tt:DataUntil><tt:NumberRecordings>{len(recs)}</tt:NumberRecordings>"
            "</tse:Summary></tse:GetRecordingSummaryResponse>"
        )

    def _new_search(self, kind: str, items: list[str]) -> str:
        token = "search_" + secrets.token_hex(6)
        self._searches[token] = _Search(kind, items)
        return token

    def _find_recordings(self, req: etree._Element) -> str:
        items = [self._recording_information(r, "tt:RecordingInformation") for r in self.scenario.recordings]
        token = self._new_search("recordings", items)
        return f"<tse:FindRecordingsResponse><tse:SearchToken>{token}</tse:SearchToken></tse:FindRecordingsResponse>"

    def _take(self, req: etree._Element, kind: str) -> tuple[list[str], str]:
        token = req.findtext(f"{{{NS['tse']}}}SearchToken")
        search = self._searches.get(token or "")
        if search is None or search.kind != kind:
            raise SoapFault(400, "env:Sender", "ter:InvalidArgVal", f"no {kind} search {token!r}")
        max_results = int(req.findtext(f"{{{NS['tse']}}}MaxResults") or 0) or len(search.items) or 1
        chunk = search.items[search.cursor : search.cursor + max_results]
        search.cursor += len(chunk)
        done = search.cursor >= len(search.items)
        if done:
            self._searches.pop(token, None)
        return chunk, "Completed" if done else "Searching"

    def _get_recording_search_results(self, req: etree._Element) -> str:
        chunk, state = self._take(req, "recordings")
        return (
            f"<tse:GetRecordingSearchResultsResponse><tse:ResultList><tt:SearchState>{state}</tt:SearchState>"
            f"{''.join(chunk)}</tse:ResultList></tse:GetRecordingSearchResultsResponse>"
        )

    def _get_recording_information(self, req: etree._Element) -> str:
        r = self._recording(req.findtext(f"{{{NS['tse']}}}RecordingToken"))
        info = self._recording_information(r, "tse:RecordingInformation")
        return f"<tse:GetRecordingInformationResponse>{info}</tse:GetRecordingInformationResponse>"

    @staticmethod
    def _event(r: SimRecording, t: datetime, recording: bool, start_state: bool) -> str:
        return (
            f"<tt:Result><tt:RecordingToken>{escape(r.token)}</tt:RecordingToken><tt:TrackToken></tt:TrackToken>"
            f"<tt:Time>{_ts(t)}</tt:Time><tt:Event>"
            '<wsnt:Topic Dialect="http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet">'
            "tns1:RecordingHistory/Recording/State</wsnt:Topic>"
            f'<wsnt:Message><tt:Message UtcTime="{_ts(t)}" PropertyOperation={quoteattr("Initialized" if start_state else "Changed")}>'
            f'<tt:Source><tt:SimpleItem Name="RecordingToken" Value={quoteattr(r.token)}/></tt:Source>'
            f'<tt:Data><tt:SimpleItem Name="IsRecording" Value="{"true" if recording else "false"}"/></tt:Data>'
            "</tt:Message></wsnt:Message></tt:Event>"
            f"<tt:StartStateEvent>{'true' if start_state else 'false'}</tt:StartStateEvent></tt:Result>"
        )

    def _find_events(self, req: etree._Element) -> str:
        start = _parse_ts(req.findtext(f"{{{NS['tse']}}}StartPoint"))
        end_text = req.findtext(f"{{{NS['tse']}}}EndPoint")
        end = _parse_ts(end_text) if end_text else self.scenario.now
        include_start = (req.findtext(f"{{{NS['tse']}}}IncludeStartState") or "false").strip() == "true"
        lo, hi = min(start, end), max(start, end)
        items: list[tuple[datetime, str]] = []
        for r in self.scenario.recordings:
            if include_start:
                items.append((lo, self._event(r, lo, r.recording_at(lo), True)))
            for a, b in r.segments:
                if lo < a <= hi:
                    items.append((a, self._event(r, a, True, False)))
                running_tail = b == r.latest and r.status == "Recording"
                if lo < b <= hi and not running_tail:
                    items.append((b, self._event(r, b, False, False)))
        items.sort(key=lambda x: x[0], reverse=end < start)
        token = self._new_search("events", [x for _, x in items])
        return f"<tse:FindEventsResponse><tse:SearchToken>{token}</tse:SearchToken></tse:FindEventsResponse>"

    def _get_event_search_results(self, req: etree._Element) -> str:
        chunk, state = self._take(req, "events")
        return (
            f"<tse:GetEventSearchResultsResponse><tse:ResultList><tt:SearchState>{state}</tt:SearchState>"
            f"{''.join(chunk)}</tse:ResultList></tse:GetEventSearchResultsResponse>"
        )

    def _end_search(self, req: etree._Element) -> str:
        token = req.findtext(f"{{{NS['tse']}}}SearchToken")
        if self._searches.pop(token or "", None) is None:
            raise SoapFault(400, "env:Sender", "ter:InvalidArgVal", f"no search {token!r}")
        return f"<tse:EndSearchResponse><tse:Endpoint>{_ts(self.scenario.now)}</tse:Endpoint></tse:EndSearchResponse>"

    # ----- recording service

    def _get_recordings(self, req: etree._Element) -> str:
        items = "".join(
            f"<trc:RecordingItem><tt:RecordingToken>{escape(r.token)}</tt:RecordingToken><tt:Configuration>"
            f"<tt:Source><tt:SourceId>{escape(r.source_id)}</tt:SourceId><tt:Name>{escape(r.source_id)}</tt:Name>"
            "<tt:Location>loopback</tt:Location><tt:Description>test camera</tt:Description>"
            "<tt:Address>http://127.0.0.1/</tt:Address></tt:Source><tt:Content>continuous</tt:Content>"
            f"<tt:MaximumRetentionTime>{_duration(r.retention)}</tt:MaximumRetentionTime></tt:Configuration>"
            "<tt:Tracks><tt:Track><tt:TrackToken>VIDEO001</tt:TrackToken><tt:Configuration>"
            "<tt:TrackType>Video</tt:TrackType><tt:Description>main video</tt:Description>"
            "</tt:Configuration></tt:Track></tt:Tracks></trc:RecordingItem>"
            for r in self.scenario.recordings
        )
        return f"<trc:GetRecordingsResponse>{items}</trc:GetRecordingsResponse>"

    def _job_configuration(self, j: SimJob) -> str:
        return (
            f"<tt:RecordingToken>{escape(j.recording_token)}</tt:RecordingToken><tt:Mode>{j.mode}</tt:Mode>"
            "<tt:Priority>1</tt:Priority>"
        )

    def _get_recording_jobs(self, req: etree._Element) -> str:
        items = "".join(
            f"<trc:JobItem><tt:JobToken>{escape(j.token)}</tt:JobToken><tt:JobConfiguration>"
            f"{self._job_configuration(j)}</tt:JobConfiguration></trc:JobItem>"
            for j in self.scenario.jobs
        )
        return f"<trc:GetRecordingJobsResponse>{items}</trc:GetRecordingJobsResponse>"

    def _get_recording_job_state(self, req: etree._Element) -> str:
        token = req.findtext(f"{{{NS['trc']}}}JobToken")
        job = next((j for j in self.scenario.jobs if j.token == token), None)
        if job is None:
            raise SoapFault(400, "env:Sender", "ter:InvalidArgVal", f"no recording job {token!r}")
        source_state = "Error" if job.state == "Error" else job.state
        error = "<tt:Error>disk 1 failed: I/O error writing /hdd1</tt:Error>" if job.state == "Error" else ""
        return (
            f"<trc:GetRecordingJobStateResponse><trc:State><tt:RecordingToken>{escape(job.recording_token)}"
            f"</tt:RecordingToken><tt:State>{job.state}</tt:State><tt:Sources>"
            "<tt:SourceToken><tt:Token>profile_1</tt:Token></tt:SourceToken>"
            f"<tt:State>{source_state}</tt:State><tt:Tracks><tt:Track><tt:SourceTag>V</tt:SourceTag>"
            f"<tt:Destination>VIDEO001</tt:Destination>{error}<tt:State>{source_state}</tt:State>"
            "</tt:Track></tt:Tracks></tt:Sources></trc:State></trc:GetRecordingJobStateResponse>"
        )


def _parse_ts(text: str | None) -> datetime:
    if not text:
        raise SoapFault(400, "env:Sender", "ter:InvalidArgVal", "missing time")
    t = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def _split_auth(value: str) -> Iterator[str]:
    part, quoted = "", False
    for ch in value:
        if ch == '"':
            quoted = not quoted
        if ch == "," and not quoted:
            yield part.strip()
            part = ""
        else:
            part += ch
    if part.strip():
        yield part.strip()


@cache
def _test_jpeg() -> bytes:
    import cv2
    import numpy as np

    img = np.zeros((360, 640, 3), np.uint8)
    bars = [(192, 192, 192), (0, 192, 192), (192, 192, 0), (0, 192, 0), (192, 0, 192), (0, 0, 192), (192, 0, 0)]
    w = 640 // len(bars)
    for i, c in enumerate(bars):
        img[:, i * w : (i + 1) * w] = c
    ok, buf = cv2.imencode(".jpg", img)
    assert ok
    return buf.tobytes()


@contextmanager
def onvif_device(scenario: str = "good", user: str = "admin", password: str = "secret", **kw) -> Iterator[OnvifDevice]:
    dev = OnvifDevice(scenario, user, password, **kw).start()
    try:
        yield dev
    finally:
        dev.stop()


if __name__ == "__main__":  # run by hand: python -m tests.peers.onvif_device gap
    import sys

    with onvif_device(sys.argv[1] if len(sys.argv) > 1 else "good", os.environ.get("ONVIF_USER", "admin"),
                      os.environ.get("ONVIF_PASSWORD", "secret")) as d:
        print(f"ONVIF test device ({d.scenario.name}) at {d.url}; Ctrl-C to stop", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
