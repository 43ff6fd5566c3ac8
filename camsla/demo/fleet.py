"""A simulated camera fleet on loopback for ``camsla demo``.

Each camera is a small RTSP responder (OPTIONS, DESCRIBE with a valid SDP, Basic or Digest auth) and
an HTTP responder (a snapshot JPEG behind the same auth), bound to its own loopback address
127.77.x.y (Linux routes all of 127/8 to lo). On a deterministic schedule (seed + time slot) some
cameras go ``down`` (listeners closed: connections refused), go ``silent`` (accept, never answer:
timeout), ``refuse_auth`` (401 whatever the password) and come back; a few serve a bad picture
(black, blurred, colour bars) for a while. Everything is plain asyncio protocols on one event loop:
300 cameras probed every 10-60 s cost next to nothing.

    fleet = await Fleet(300, seed=7).start()
    fleet.cameras      # inventory rows (the columns of ``camsla inventory import``)
    fleet.set_mode(camera_id, "down")   # or None to follow the schedule again
    await fleet.stop()
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import random
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from camsla.kernel import BUILTIN_SECTORS
from probe import camera_auth as auth

MODES: tuple[str, ...] = ("ok", "down", "silent", "refuse_auth")
PICTURES: tuple[str, ...] = ("normal", "black", "blur", "color_bars")
RTSP_PATH = "/live/main"
SNAPSHOT_PATH = "/snapshot.jpg"
CST = timezone(timedelta(hours=8))
MAX_EPISODE_SLOTS = 3
MAX_REQUEST = 16_384

# Health classes: share of cameras, chance per slot that a fault episode starts.
HEALTH: tuple[tuple[str, float, float], ...] = (("steady", 0.80, 0.01), ("flaky", 0.16, 0.20), ("bad", 0.04, 0.70))
FAULT_WEIGHTS: tuple[tuple[str, float], ...] = (("down", 0.5), ("silent", 0.3), ("refuse_auth", 0.2))
PICTURE_FAULT_P = 0.03  # chance per slot that a camera's picture goes bad for an episode
# Sectors that are harder to keep up (wireless, remote): their cameras are more often flaky.
HARD_SECTORS = {"mobile": 2.5, "forest_reservoir": 2.0, "township": 1.5}
SECTOR_WEIGHTS = {
    "public_area": 30, "residential": 14, "township": 8, "campus": 6, "enterprise": 6, "finance": 5,
    "checkpoint": 4, "hazardous": 3, "entertainment": 4, "government": 4, "service": 5, "healthcare": 4,
    "forest_reservoir": 3, "other_industry": 2, "mobile": 2,
}
# GB/T 28181 industry code (digits 9-10 of the device id) per sector, approximately.
INDUSTRY_CODE = {
    "public_area": "00", "township": "00", "checkpoint": "05", "residential": "01", "forest_reservoir": "40",
    "hazardous": "42", "campus": "54", "enterprise": "42", "finance": "49", "entertainment": "56",
    "government": "57", "service": "48", "healthcare": "55", "other_industry": "03", "mobile": "08",
}
DISTRICTS: tuple[tuple[str, str], ...] = (
    ("330102", "上城区"), ("330105", "拱墅区"), ("330106", "西湖区"), ("330108", "滨江区"),
    ("330109", "萧山区"), ("330110", "余杭区"),
)
CONTRACTORS: tuple[str, ...] = ("城联安防运维有限公司", "天网智联工程有限公司", "慧眼视频技术服务有限公司", "安和通信工程有限公司")
ROADS = ("文三路", "学院路", "莫干山路", "解放路", "江南大道", "滨盛路", "湖墅南路", "延安路", "天目山路", "建国北路")
PLACE_WORDS = {
    "public_area": ("路口东北角", "广场南侧", "公园正门", "公交站台", "地铁站B口"),
    "township": ("村委会门口", "镇中心路口", "集市入口", "村道桥头"),
    "checkpoint": ("检查站入城方向", "检查站出城方向", "卡口车道"),
    "residential": ("小区东门", "小区地下车库入口", "小区北门", "单元楼大堂"),
    "forest_reservoir": ("水库大坝", "景区入口", "林区防火瞭望点"),
    "hazardous": ("危化品仓库", "加油站加油区", "储罐区"),
    "campus": ("中学校门", "小学操场", "大学图书馆入口"),
    "enterprise": ("企业厂区大门", "企业仓储区", "企业周界"),
    "finance": ("银行营业厅", "ATM机", "金库通道"),
    "entertainment": ("KTV大厅", "网吧入口", "影城售票处"),
    "government": ("政务中心大厅", "机关大院门岗"),
    "service": ("宾馆前台", "物流分拣中心", "汽修厂"),
    "healthcare": ("医院急诊入口", "门诊大厅", "社区卫生服务中心"),
    "other_industry": ("农贸市场", "建筑工地"),
    "mobile": ("移动布控球", "巡逻车车载"),
}


def _unit(*parts: object) -> float:
    """A deterministic number in [0, 1) from the parts (stable across processes, unlike hash())."""
    raw = "|".join(str(p) for p in parts).encode()
    return int.from_bytes(hashlib.blake2b(raw, digest_size=8).digest(), "big") / 2**64


def episode_at(seed: int, index: int, slot: int, p_start: float, what: str, kinds: tuple[tuple[str, float], ...]) -> str | None:
    """The fault kind of the episode covering ``slot``, if any: an episode starts in a slot with chance
    ``p_start`` and lasts 1..MAX_EPISODE_SLOTS slots. Pure."""
    for back in range(MAX_EPISODE_SLOTS):
        s = slot - back
        if s < 0:
            break
        if _unit(seed, index, s, what, "start") < p_start:
            length = 1 + int(_unit(seed, index, s, what, "len") * MAX_EPISODE_SLOTS)
            if back < length:
                r = _unit(seed, index, s, what, "kind") * sum(w for _, w in kinds)
                for name, w in kinds:
                    r -= w
                    if r < 0:
                        return name
                return kinds[-1][0]
    return None


def scheduled_mode(seed: int, index: int, slot: int, p_fault: float) -> str:
    return episode_at(seed, index, slot, p_fault, "mode", FAULT_WEIGHTS) or "ok"


def scheduled_picture(seed: int, index: int, slot: int) -> str:
    bad = (("black", 1.0), ("blur", 1.0), ("color_bars", 1.0))
    return episode_at(seed, index, slot, PICTURE_FAULT_P, "picture", bad) or "normal"


# --- inventory ------------------------------------------------------------------------------------


def _gb28181_id(district_code: str, industry: str, serial: int, network: str = "0") -> str:
    """20 digits: centre code (8) + industry (2) + type 132 = IP camera (3) + network (1) + serial (6)."""
    return f"{district_code}00{industry}132{network}{serial:06d}"


def make_inventory(n: int, seed: int, address: Callable[[int], tuple[str, int, int]]) -> list[dict]:
    rng = random.Random(seed)
    codes = [s.code for s in BUILTIN_SECTORS]
    sectors = codes[: min(n, len(codes))] + rng.choices(codes, [SECTOR_WEIGHTS.get(c, 1) for c in codes], k=max(0, n - len(codes)))
    rng.shuffle(sectors)
    rows: list[dict] = []
    for i, sector in enumerate(sectors):
        dcode, dname = DISTRICTS[rng.randrange(len(DISTRICTS))]
        ip, rtsp_port, http_port = address(i)
        road = rng.choice(ROADS)
        place = rng.choice(PLACE_WORDS.get(sector, ("监控点",)))
        commissioned = datetime(2023, 1, 1, tzinfo=CST) + timedelta(days=rng.randrange(0, 900))
        rows.append({
            "camera_id": _gb28181_id(dcode, INDUSTRY_CODE.get(sector, "03"), i + 1),
            "name": f"{dname}{road}{place}{i + 1:03d}",
            "sector": sector,
            "class": 1 if sector in ("public_area", "checkpoint", "township") else (2 if sector == "government" else 3),
            "ip": ip,
            "rtsp_url": f"rtsp://{ip}:{rtsp_port}{RTSP_PATH}",
            "snapshot_url": f"http://{ip}:{http_port}{SNAPSHOT_PATH}",
            "onvif_url": "",
            "username": "admin",
            "password": f"Demo{rng.randrange(10_000):04d}",
            "contractor": CONTRACTORS[hash_index(dcode + sector, len(CONTRACTORS))],
            "district": dname,
            "switch": f"SW-{dcode}-{i // 24 + 1:02d}",
            "switch_port": i % 24 + 1,
            "lat": round(30.27 + rng.uniform(-0.12, 0.12), 6),
            "lon": round(120.15 + rng.uniform(-0.15, 0.15), 6),
            "commissioned_at": commissioned.isoformat(),
        })
    return rows


def hash_index(key: str, n: int) -> int:
    return int(_unit(key) * n)


# --- pictures -------------------------------------------------------------------------------------


def make_jpegs(seed: int, variants: int = 6, frames: int = 4) -> dict[str, list[list[bytes]]]:
    """Snapshot JPEGs: per picture kind, a few scenes, each as a few live frames (traffic moves, the
    OSD clock ticks, the sensor is noisy), so consecutive snapshots differ as a live camera's do and
    a frozen-picture check sees a live scene. OpenCV is imported here only."""
    import cv2
    import numpy as np

    rng = np.random.default_rng(seed)
    h, w = 288, 352  # CIF
    enc = lambda im: cv2.imencode(".jpg", im, [cv2.IMWRITE_JPEG_QUALITY, 80])[1].tobytes()  # noqa: E731

    def live(scene: np.ndarray, k: int) -> np.ndarray:
        img = scene.copy()
        for lane, (colour, speed) in enumerate((((40, 40, 200), 60), ((200, 200, 200), 85), ((30, 30, 30), 45))):
            x = (k * speed + lane * 97) % (w - 60)
            y = h - 40 - lane * 32
            cv2.rectangle(img, (x, y), (x + 56, y + 24), colour, -1)  # a car crossing the view
        noise = rng.normal(0, 3, img.shape)
        img = np.clip(img + noise, 0, 255).astype(np.uint8)
        cv2.putText(img, f"2026-11-26 08:00:{k:02d}", (8, 18), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (255, 255, 255), 1)
        return img

    scenes: list[np.ndarray] = []
    for _ in range(variants):
        y, x = np.mgrid[0:h, 0:w]
        base = np.dstack([(x * 0.4 + 60), (y * 0.5 + 70), (x * 0.2 + y * 0.2 + 50)]).astype(np.uint8)
        img = base.copy()
        for _ in range(25):  # buildings, cars, signs: edges for a sharp picture
            x0, y0 = int(rng.integers(0, w - 40)), int(rng.integers(0, h - 40))
            x1, y1 = x0 + int(rng.integers(15, 90)), y0 + int(rng.integers(15, 90))
            colour = tuple(int(c) for c in rng.integers(30, 230, 3))
            cv2.rectangle(img, (x0, y0), (x1, y1), colour, -1)
        for _ in range(12):
            p0 = (int(rng.integers(0, w)), int(rng.integers(0, h)))
            p1 = (int(rng.integers(0, w)), int(rng.integers(0, h)))
            cv2.line(img, p0, p1, (235, 235, 235), 2)
        scenes.append(img)
    black = np.zeros((h, w, 3), np.uint8)
    bars = np.zeros((h, w, 3), np.uint8)
    colours = [(192, 192, 192), (0, 192, 192), (192, 192, 0), (0, 192, 0), (192, 0, 192), (0, 0, 192), (192, 0, 0)]
    for k, c in enumerate(colours):
        bars[:, k * w // 7 : (k + 1) * w // 7] = c
    return {
        "normal": [[enc(live(sc, k)) for k in range(frames)] for sc in scenes],
        "blur": [[enc(cv2.GaussianBlur(live(sc, k), (0, 0), 9)) for k in range(frames)] for sc in scenes],
        "black": [[enc(black)]],
        "color_bars": [[enc(bars)]],
    }


# --- the responders -------------------------------------------------------------------------------


@dataclass
class SimCamera:
    index: int
    row: dict
    scheme: str  # "digest" or "basic"
    p_fault: float
    realm: str
    mode: str = "ok"
    picture: str = "normal"
    override: str | None = None
    rtsp_server: asyncio.AbstractServer | None = None
    http_server: asyncio.AbstractServer | None = None
    conns: set[asyncio.Transport] = field(default_factory=set)
    requests: int = 0
    snapshots: int = 0

    @property
    def camera_id(self) -> str:
        return self.row["camera_id"]

    def authorized(self, method: str, header: str | None, nonces: set[str]) -> bool:
        if self.mode == "refuse_auth" or not header:
            return False
        got = auth.parse_authorization(header)
        if got is None or got.scheme != self.scheme:
            return False
        user, password = self.row["username"], self.row["password"]
        if got.scheme == "basic":
            return got.params.get("token") == base64.b64encode(f"{user}:{password}".encode()).decode()
        p = got.params
        if p.get("username") != user or p.get("nonce") not in nonces:
            return False
        try:
            want = auth.digest_response(
                algorithm=p.get("algorithm", "MD5"), username=user, realm=self.realm, password=password,
                method=method, uri=p.get("uri", ""), nonce=p["nonce"], nc=p.get("nc", ""),
                cnonce=p.get("cnonce", ""), qop=p.get("qop", ""),
            )
        except auth.AuthError:
            return False
        return want == p.get("response")

    def challenge(self, nonce: str) -> str:
        if self.scheme == "basic":
            return f'Basic realm="{self.realm}"'
        return f'Digest realm="{self.realm}", nonce="{nonce}", qop="auth", algorithm=MD5'


def _split_request(data: bytes) -> tuple[str, str, dict[str, str]] | None:
    try:
        head = data.decode("latin-1")
        first, *lines = head.split("\r\n")
        method, uri, _ = first.split(" ", 2)
    except ValueError:
        return None
    headers = {}
    for line in lines:
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    return method.upper(), uri, headers


class _Responder(asyncio.Protocol):
    """Shared plumbing: buffer requests, track the connection, stay silent when told."""

    def __init__(self, cam: SimCamera) -> None:
        self.cam = cam
        self.buf = b""
        self.transport: asyncio.Transport | None = None
        self.nonce = secrets.token_hex(12)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # a stream transport (uvloop's does not subclass asyncio.Transport, so no isinstance check)
        self.transport = transport  # type: ignore[assignment]
        self.cam.conns.add(transport)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.transport is not None:
            self.cam.conns.discard(self.transport)

    def data_received(self, data: bytes) -> None:
        if self.cam.mode == "silent":
            return  # swallow: the probe must time out
        self.buf += data
        if len(self.buf) > MAX_REQUEST:
            self.transport.close()
            return
        while b"\r\n\r\n" in self.buf:
            head, self.buf = self.buf.split(b"\r\n\r\n", 1)
            parsed = _split_request(head)
            self.cam.requests += 1
            if parsed is None:
                self.bad_request()
                return
            self.handle(*parsed)

    def bad_request(self) -> None:
        self.transport.close()

    def handle(self, method: str, uri: str, headers: dict[str, str]) -> None:  # pragma: no cover
        raise NotImplementedError


class _RtspResponder(_Responder):
    def reply(self, cseq: str, status: str, extra: str = "", body: bytes = b"") -> None:
        head = f"RTSP/1.0 {status}\r\nCSeq: {cseq}\r\nServer: camsla-demo-camera\r\n{extra}"
        if body:
            head += f"Content-Length: {len(body)}\r\n"
        self.transport.write(head.encode() + b"\r\n" + body)

    def bad_request(self) -> None:
        self.transport.write(b"RTSP/1.0 400 Bad Request\r\n\r\n")
        self.transport.close()

    def handle(self, method: str, uri: str, headers: dict[str, str]) -> None:
        cseq = headers.get("cseq", "0")
        if method == "OPTIONS":
            self.reply(cseq, "200 OK", "Public: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN\r\n")
            return
        if method != "DESCRIBE":
            self.reply(cseq, "501 Not Implemented")
            return
        if not uri.split("?")[0].endswith(RTSP_PATH):
            self.reply(cseq, "404 Not Found")
            return
        if not self.cam.authorized(method, headers.get("authorization"), {self.nonce}):
            self.reply(cseq, "401 Unauthorized", f"WWW-Authenticate: {self.cam.challenge(self.nonce)}\r\n")
            return
        ip = self.cam.row["ip"]
        sdp = (
            f"v=0\r\no=- {1000 + self.cam.index} 1 IN IP4 {ip}\r\ns=camsla demo camera\r\nc=IN IP4 0.0.0.0\r\n"
            "t=0 0\r\na=control:*\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n"
            "a=fmtp:96 packetization-mode=1\r\na=control:trackID=1\r\n"
        ).encode()
        base = f"Content-Base: {uri.rstrip('/')}/\r\nContent-Type: application/sdp\r\n"
        self.reply(cseq, "200 OK", base, sdp)


class _HttpResponder(_Responder):
    fleet: Fleet

    def __init__(self, cam: SimCamera, fleet: Fleet) -> None:
        super().__init__(cam)
        self.fleet = fleet

    def reply(self, status: str, extra: str = "", body: bytes = b"", ctype: str = "text/plain") -> None:
        head = (
            f"HTTP/1.1 {status}\r\nServer: camsla-demo-camera\r\nContent-Type: {ctype}\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n{extra}\r\n"
        )
        self.transport.write(head.encode() + body)
        self.transport.close()

    def bad_request(self) -> None:
        self.reply("400 Bad Request")

    def handle(self, method: str, uri: str, headers: dict[str, str]) -> None:
        if method not in ("GET", "HEAD"):
            self.reply("405 Method Not Allowed")
        elif uri.split("?")[0] != SNAPSHOT_PATH:
            self.reply("404 Not Found")
        elif not self.cam.authorized(method, headers.get("authorization"), {self.nonce, self.fleet.http_nonce}):
            self.reply("401 Unauthorized", f"WWW-Authenticate: {self.cam.challenge(self.fleet.http_nonce)}\r\n")
        else:
            body = self.fleet.snapshot(self.cam)
            self.reply("200 OK", body=b"" if method == "HEAD" else body, ctype="image/jpeg")


class Fleet:
    """``n`` simulated cameras on loopback; ``seed`` fixes the inventory and the fault schedule."""

    def __init__(
        self,
        n: int = 300,
        seed: int = 1,
        *,
        slot_s: float = 20.0,
        base_ip: str = "127.77",
        rtsp_port: int = 8554,
        http_port: int = 8880,
        schedule: bool = True,
    ) -> None:
        if n < 1:
            raise ValueError("a fleet needs at least one camera")
        if n > 250 * 256:
            raise ValueError(f"at most {250 * 256} cameras fit in {base_ip}.0.0/16")
        self.n, self.seed, self.slot_s, self.schedule = n, seed, slot_s, schedule
        self.base_ip, self.rtsp_port, self.http_port = base_ip, rtsp_port, http_port
        self.http_nonce = secrets.token_hex(12)  # HTTP closes after each answer: one nonce for the fleet
        self.cameras: list[dict] = make_inventory(n, seed, self._address)
        rng = random.Random(seed + 1)
        self._cams: list[SimCamera] = []
        for i, row in enumerate(self.cameras):
            r, acc, p_fault = rng.random(), 0.0, HEALTH[0][2]
            for _, share, p in HEALTH:
                acc += share
                if r < acc:
                    p_fault = p
                    break
            p_fault = min(0.9, p_fault * HARD_SECTORS.get(row["sector"], 1.0))
            scheme = "digest" if i % 4 else "basic"
            self._cams.append(SimCamera(i, row, scheme, p_fault, realm=f"IPCamera_{row['camera_id'][-6:]}"))
        self._by_id = {c.camera_id: c for c in self._cams}
        self._jpegs: dict[str, list[list[bytes]]] = {}
        self._t0 = 0.0
        self._slot = -1
        self._ticker: asyncio.Task | None = None

    def _address(self, i: int) -> tuple[str, int, int]:
        return f"{self.base_ip}.{i // 250}.{i % 250 + 1}", self.rtsp_port, self.http_port

    # -- control ---------------------------------------------------------------------------------

    async def start(self) -> Fleet:
        self._jpegs = await asyncio.get_running_loop().run_in_executor(None, make_jpegs, self.seed)
        self._t0 = time.monotonic()
        await self._apply(0)
        if self.schedule:
            self._ticker = asyncio.create_task(self._tick())
        return self

    async def stop(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            try:
                await self._ticker
            except asyncio.CancelledError:
                pass
            self._ticker = None
        await asyncio.gather(*(self._close(c) for c in self._cams))

    async def __aenter__(self) -> Fleet:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def mode_of(self, camera_id: str) -> str:
        return self._by_id[camera_id].mode

    def picture_of(self, camera_id: str) -> str:
        return self._by_id[camera_id].picture

    async def set_mode(self, camera_id: str, mode: str | None) -> None:
        """Force a camera into a mode (``None``: follow the schedule again) and apply it now."""
        if mode is not None and mode not in MODES:
            raise ValueError(f"unknown mode {mode!r} (expected one of {', '.join(MODES)})")
        cam = self._by_id[camera_id]
        cam.override = mode
        await self._set(cam, mode or self._scheduled(cam, max(self._slot, 0)))

    def schedule_at(self, slot: int) -> dict[str, str]:
        """Each camera's scheduled mode in ``slot`` (pure: what the ticker applies then, overrides aside)."""
        return {c.camera_id: self._scheduled(c, slot) for c in self._cams}

    def modes(self) -> dict[str, int]:
        out = dict.fromkeys(MODES, 0)
        for c in self._cams:
            out[c.mode] += 1
        return out

    @property
    def slot(self) -> int:
        return self._slot

    # -- internals -------------------------------------------------------------------------------

    def _scheduled(self, cam: SimCamera, slot: int) -> str:
        return scheduled_mode(self.seed, cam.index, slot, cam.p_fault) if self.schedule else "ok"

    def snapshot(self, cam: SimCamera) -> bytes:
        """The camera's scene (fixed per camera), the next live frame of it on each request."""
        scenes = self._jpegs[cam.picture]
        frames = scenes[cam.index % len(scenes)]
        cam.snapshots += 1
        return frames[cam.snapshots % len(frames)]

    async def _tick(self) -> None:
        while True:
            slot = int((time.monotonic() - self._t0) / self.slot_s)
            if slot != self._slot:
                await self._apply(slot)
            await asyncio.sleep(min(1.0, self.slot_s / 4))

    async def _apply(self, slot: int) -> None:
        self._slot = slot
        jobs = []
        for cam in self._cams:
            cam.picture = scheduled_picture(self.seed, cam.index, slot) if self.schedule else "normal"
            jobs.append(self._set(cam, cam.override or self._scheduled(cam, slot)))
        results = await asyncio.gather(*jobs, return_exceptions=True)
        errors = [r for r in results if isinstance(r, BaseException)]
        if errors:
            raise errors[0]

    async def _set(self, cam: SimCamera, mode: str) -> None:
        previous, cam.mode = cam.mode, mode
        listening = cam.rtsp_server is not None
        if mode == "down" and listening:
            await self._close(cam)
        elif mode != "down" and not listening:
            await self._open(cam)
        if previous != mode and mode in ("silent", "refuse_auth"):
            for t in list(cam.conns):  # a camera changing state drops what was open, as a reboot would
                t.abort()

    async def _open(self, cam: SimCamera) -> None:
        loop = asyncio.get_running_loop()
        ip = cam.row["ip"]
        try:
            cam.rtsp_server = await loop.create_server(lambda: _RtspResponder(cam), ip, self.rtsp_port)
            cam.http_server = await loop.create_server(lambda: _HttpResponder(cam, self), ip, self.http_port)
        except OSError as e:
            await self._close(cam)
            raise OSError(e.errno, f"demo camera {cam.camera_id} cannot listen on {ip}: {e.strerror}") from e

    async def _close(self, cam: SimCamera) -> None:
        for attr in ("rtsp_server", "http_server"):
            server = getattr(cam, attr)
            if server is not None:
                server.close()
                setattr(cam, attr, None)
        for t in list(cam.conns):
            t.abort()
        cam.conns.clear()
