"""Routes: the status page (sectors against target, cameras down now), JSON endpoints for cameras,
observations and SLA, a liveness endpoint and Prometheus metrics."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import select

from camsla.db import failing_now, latest_liveness, latest_of_camera, valid_results
from camsla.db.models import Camera, RawObservation, Sector
from camsla.kernel import FAULT_LABELS_ZH
from camsla.web.figures import FigureCache
from camsla.web.i18n import translator

if TYPE_CHECKING:
    from camsla.service.app import Service

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))
DOWN_SHOWN = 300  # rows of "cameras down now" on the page (offline first); the API has them all


def _camera_json(c: Camera, tz) -> dict[str, Any]:  # noqa: ANN001
    return {
        "camera_id": c.camera_id,
        "name": c.name,
        "sector": c.sector_code,
        "class": c.camera_class,
        "contractor": c.contractor.name if c.contractor else None,
        "district": c.district,
        "ip": c.ip,
        "rtsp_url": c.rtsp_url,
        "onvif_url": c.onvif_url,
        "snapshot_url": c.snapshot_url,
        "commissioned_at": c.commissioned_at.astimezone(tz).isoformat(),
        "decommissioned_at": c.decommissioned_at.astimezone(tz).isoformat() if c.decommissioned_at else None,
        "lat": c.lat,
        "lon": c.lon,
    }


def create_app(service: Service) -> FastAPI:
    from camsla.db.report import sla_report
    from sla.periods import PeriodError, day_bounds, local_date, month_bounds, parse_period

    settings = service.settings
    tz = settings.tz
    app = FastAPI(title="camsla", version="0.1.0", description="视频监控点位运维监测与 SLA 服务")

    def report(start: datetime, end: datetime, sector: str | None = None) -> dict[str, Any]:
        return sla_report(service.db, start, end, settings.stale_after, sector=sector, now=datetime.now(UTC),
                          tz=tz).as_dict()

    figures = FigureCache(
        report, {"day": settings.web.status_day_refresh_s, "month": settings.web.status_month_refresh_s}
    )

    @app.get("/healthz", response_class=PlainTextResponse)
    async def healthz() -> str:
        return "ok"

    @app.get("/", response_class=HTMLResponse)
    async def status_page(request: Request, lang: str = "zh") -> HTMLResponse:
        now = datetime.now(UTC)
        today = local_date(now, tz)
        day = day_bounds(today, tz)
        month = month_bounds(today.year, today.month, tz)
        (doc_day, day_as_of), (doc_month, month_as_of) = await asyncio.gather(
            figures.get("day", day.start, day.end), figures.get("month", month.start, month.end)
        )
        month_by_code = {r["code"]: r for r in doc_month["sectors"]}
        sectors = [
            {**r, "month": month_by_code.get(r["code"], {})} for r in doc_day["sectors"] if r["cameras"]
        ]
        down = await asyncio.to_thread(cameras_down, now)
        blind = await asyncio.to_thread(cameras_blind, now)
        awaiting = await asyncio.to_thread(cameras_awaiting_reference, now)
        t = translator(lang)
        return TEMPLATES.TemplateResponse(
            request,
            "status.html",
            {
                "t": t, "lang": lang, "sectors": sectors, "down": down, "now": now.astimezone(tz),
                "day_as_of": day_as_of.astimezone(tz), "month_as_of": month_as_of.astimezone(tz),
                "jobs": service.scheduler_stats.jobs, "labels": FAULT_LABELS_ZH if lang != "en" else {},
                "cycle": service.last_cycle.get("liveness"), "down_shown": DOWN_SHOWN, "blind": blind,
                "awaiting": awaiting,
                "store": {"failing": service.buffer.failing, "buffered": len(service.buffer),
                          "spool_files": service.buffer.spool_files, "last_error": service.buffer.last_error},
            },
        )

    def cameras_down(now: datetime) -> list[dict[str, Any]]:
        """Cameras offline or degraded now (the durable current state, decided by sla.decide)."""
        with service.db.session() as s:
            bad = failing_now(s, now, settings.stale_after)
            if not bad:
                return []
            cams = {c.camera_id: c for c in s.scalars(select(Camera).where(Camera.camera_id.in_(list(bad))))}
        rows = []
        for cid, (state, faults, ts) in bad.items():
            c = cams.get(cid)
            rows.append({
                "camera_id": cid, "state": state, "faults": list(faults), "ts": ts.astimezone(tz),
                "name": c.name if c else "", "sector": c.sector_code if c else "",
                "district": c.district if c else "", "contractor": c.contractor.name if c and c.contractor else "",
            })
        rows.sort(key=lambda r: (r["state"] != "offline", r["sector"], r["camera_id"]))
        return rows

    def cameras_blind(now: datetime) -> list[dict[str, Any]]:
        """Cameras the monitor cannot check now (newest liveness result is ``error``), by reason:
        their time is unknown, left out of the SLA but shown as lost coverage, so it must be fixed."""
        with service.db.session() as s:
            errs = valid_results(s, now, settings.stale_after, checks=("liveness",), statuses=("error",))
        by_reason: dict[str, list[str]] = {}
        for c in errs:
            by_reason.setdefault(str(c.metrics.get("reason") or "unknown reason"), []).append(c.camera_id)
        return sorted(
            ({"reason": r, "count": len(ids), "examples": sorted(ids)[:5]} for r, ids in by_reason.items()),
            key=lambda x: -x["count"],
        )

    def cameras_awaiting_reference(now: datetime) -> dict[str, Any]:
        """Cameras whose newest image check waits for a person to accept a reference picture (see
        camsla.service.image): their picture is not judged until then."""
        with service.db.session() as s:
            errs = valid_results(s, now, settings.stale_after, checks=("image",), statuses=("error",))
        ids = sorted(c.camera_id for c in errs if "unconfirmed_faults" in c.metrics)
        return {"count": len(ids), "examples": ids[:20]}

    @app.get("/api/cameras")
    async def api_cameras(sector: str | None = None, limit: int = Query(1000, le=100_000), offset: int = 0) -> dict:
        def q():
            with service.db.session() as s:
                stmt = select(Camera).order_by(Camera.camera_id).limit(limit).offset(offset)
                if sector:
                    stmt = stmt.where(Camera.sector_code == sector)
                cams = [_camera_json(c, tz) for c in s.scalars(stmt)]
                live = latest_liveness(s, [c["camera_id"] for c in cams])
            for c in cams:
                cur = live.get(c["camera_id"])
                c["liveness"] = (
                    {"status": cur.status, "faults": list(cur.faults), "ts": cur.last_ts.astimezone(tz).isoformat()}
                    if cur else None
                )
            return cams

        cams = await asyncio.to_thread(q)
        return {"cameras": cams, "limit": limit, "offset": offset}

    @app.get("/api/cameras/{camera_id}")
    async def api_camera(camera_id: str) -> dict:
        def q():
            with service.db.session() as s:
                c = s.get(Camera, camera_id)
                return _camera_json(c, tz) if c else None

        cam = await asyncio.to_thread(q)
        if cam is None:
            raise HTTPException(404, f"unknown camera {camera_id}")
        return cam

    @app.get("/api/observations")
    async def api_observations(
        camera_id: str, check: str | None = None, since: datetime | None = None, limit: int = Query(500, le=10_000)
    ) -> dict:
        def q():
            with service.db.session() as s:
                stmt = (
                    select(RawObservation)
                    .where(RawObservation.camera_id == camera_id)
                    .order_by(RawObservation.ts.desc())
                    .limit(limit)
                )
                if check:
                    stmt = stmt.where(RawObservation.check == check)
                if since:
                    stmt = stmt.where(RawObservation.ts >= (since if since.tzinfo else since.replace(tzinfo=tz)))
                return [
                    {"camera_id": r.camera_id, "ts": r.ts.isoformat(), "check": r.check, "status": r.status,
                     "faults": list(r.faults), "metrics": r.metrics or {},
                     "source": r.source}
                    for r in s.scalars(stmt)
                ]

        return {"observations": await asyncio.to_thread(q)}

    @app.get("/api/sla")
    async def api_sla(from_: str = Query(..., alias="from"), to: str = Query(...), sector: str | None = None) -> dict:
        try:
            period = parse_period(from_, to, tz)
        except PeriodError as e:
            raise HTTPException(400, str(e)) from None
        if sector is not None:
            def exists() -> bool:
                with service.db.session() as s:
                    return s.get(Sector, sector) is not None
            if not await asyncio.to_thread(exists):
                raise HTTPException(404, f"unknown sector {sector!r}")
        doc = await asyncio.to_thread(report, period.start, period.end, sector)
        return {"from": from_, "to": to, "timezone": settings.timezone, **doc}

    def timeline(camera_id: str, start: datetime, end: datetime) -> dict[str, Any] | None:
        from camsla.db.report import timeline_document

        with service.db.session() as s:
            cam = s.get(Camera, camera_id)
            if cam is None:
                return None
            return timeline_document(s, cam, start, end, settings.stale_after, tz, now=datetime.now(UTC))

    @app.get("/api/cameras/{camera_id}/timeline")
    async def api_timeline(camera_id: str, from_: str = Query(..., alias="from"), to: str = Query(...)) -> dict:
        """The camera's states over [from, to), each span with the faults that decided it."""
        try:
            period = parse_period(from_, to, tz)
        except PeriodError as e:
            raise HTTPException(400, str(e)) from None
        doc = await asyncio.to_thread(timeline, camera_id, period.start, period.end)
        if doc is None:
            raise HTTPException(404, f"unknown camera {camera_id}")
        return {"camera_id": camera_id, "from": from_, "to": to, "timezone": settings.timezone, **doc}

    @app.get("/cameras/{camera_id}", response_class=HTMLResponse)
    async def camera_page(request: Request, camera_id: str, lang: str = "zh") -> HTMLResponse:
        from camsla.db.models import Baseline, Evidence

        def q():
            with service.db.session() as s:
                c = s.get(Camera, camera_id)
                if c is None:
                    return None
                base = {b.kind: b.taken_at.astimezone(tz) for b in s.scalars(select(Baseline).where(Baseline.camera_id == camera_id))}
                ev = s.scalars(
                    select(Evidence).where(Evidence.camera_id == camera_id).order_by(Evidence.ts.desc()).limit(5)
                ).all()
                recent = s.scalars(
                    select(RawObservation).where(RawObservation.camera_id == camera_id)
                    .order_by(RawObservation.ts.desc()).limit(30)
                ).all()
                return (
                    _camera_json(c, tz) | {"sector_name": c.sector.name},
                    base,
                    [{"id": e.id, "ts": e.ts.astimezone(tz), "faults": list(e.faults)} for e in ev],
                    [{"ts": r.ts.astimezone(tz), "check": r.check, "status": r.status,
                      "faults": list(r.faults), "metrics": r.metrics or {}} for r in recent],
                    latest_of_camera(s, camera_id),
                )

        found = await asyncio.to_thread(q)
        if found is None:
            raise HTTPException(404, f"unknown camera {camera_id}")
        cam, base, evidence, recent, current = found
        now = datetime.now(UTC)
        day = day_bounds(local_date(now, tz), tz)
        today = await asyncio.to_thread(timeline, camera_id, day.start, min(day.end, now))
        latest: dict[str, Any] = {}
        for check in ("liveness", "image", "recording"):  # the current state, else the newest raw result
            cur = current.get(check)
            stored = next((r for r in recent if r["check"] == check), None)
            latest[check] = (
                {"status": cur.status, "faults": cur.faults, "ts": cur.last_ts.astimezone(tz), "metrics": cur.metrics}
                if cur else stored
            )
            if latest[check]:  # awaiting a person's reference picture (camsla.service.image)
                unconfirmed = (latest[check].get("metrics") or {}).get("unconfirmed_faults")
                latest[check] = {**latest[check], "unconfirmed": str(unconfirmed).split(",") if unconfirmed else []}
        return TEMPLATES.TemplateResponse(
            request, "camera.html",
            {"t": translator(lang), "lang": lang, "cam": cam, "baselines": base, "evidence": evidence,
             "recent": recent, "latest": latest, "labels": FAULT_LABELS_ZH if lang != "en" else {},
             "today": today},
        )

    @app.get("/cameras/{camera_id}/{kind}.jpg")
    async def baseline_image(camera_id: str, kind: str) -> Response:
        from camsla.db import baselines

        if kind not in (baselines.REFERENCE, baselines.PREVIOUS):
            raise HTTPException(404, "no such picture")

        def q():
            with service.db.session() as s:
                return baselines.load_bytes(s, camera_id, kind)

        data = await asyncio.to_thread(q)
        if data is None:
            raise HTTPException(404, f"camera {camera_id} has no {kind} frame")
        return Response(data, media_type="image/jpeg", headers={"Cache-Control": "no-store"})

    @app.get("/evidence/{evidence_id}.jpg")
    async def evidence_image(evidence_id: int) -> Response:
        from camsla.db.models import Evidence

        def q():
            with service.db.session() as s:
                e = s.get(Evidence, evidence_id)
                return e.image if e else None

        data = await asyncio.to_thread(q)
        if data is None:
            raise HTTPException(404, f"no evidence {evidence_id}")
        return Response(data, media_type="image/jpeg")

    def set_reference(camera_id: str, image: bytes | None) -> str:
        """From uploaded picture bytes, or (None) from the camera's latest frame."""
        from camsla.db import baselines

        with service.db.session() as s:
            if s.get(Camera, camera_id) is None:
                raise HTTPException(404, f"unknown camera {camera_id}")
            if image is None:
                prev = baselines.load_bytes(s, camera_id, baselines.PREVIOUS)
                if prev is None:
                    raise HTTPException(409, f"camera {camera_id} has no frame yet; upload a picture instead")
                thumb, source = prev, "operator:latest_frame"
            else:
                try:
                    thumb = baselines.reference_from_image(image, "uploaded picture")
                except baselines.BaselineError as e:
                    raise HTTPException(400, str(e)) from None
                source = "operator:upload"
            baselines.store(s, camera_id, baselines.REFERENCE, thumb, datetime.now(UTC), source)
        return source

    @app.post("/cameras/{camera_id}/baseline")
    async def baseline_form(camera_id: str, lang: str = "zh") -> RedirectResponse:
        """The camera page's button: the latest frame becomes the reference."""
        await asyncio.to_thread(set_reference, camera_id, None)
        return RedirectResponse(f"/cameras/{camera_id}?lang={lang}", status_code=303)

    @app.put("/api/cameras/{camera_id}/baseline")
    async def baseline_api(camera_id: str, request: Request) -> dict:
        """Body: a picture (JPEG/PNG) to use as the reference; empty body: the latest frame."""
        body = await request.body()
        source = await asyncio.to_thread(set_reference, camera_id, body or None)
        return {"camera_id": camera_id, "reference": source}

    @app.get("/metrics", response_class=PlainTextResponse)
    async def metrics() -> PlainTextResponse:
        from camsla.web.metrics import render

        return PlainTextResponse(render(service), media_type="text/plain; version=0.0.4")

    return app
