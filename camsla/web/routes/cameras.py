"""Cameras: the inventory as JSON, one camera's page (state, pictures, today's timeline), its
reference and previous frames, evidence pictures, and setting the reference picture (form
button or API upload)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, tzinfo
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from camsla.db import baselines, latest_liveness, latest_of_camera
from camsla.db.models import Baseline, Camera, Evidence, RawObservation
from camsla.kernel import FAULT_LABELS_ZH
from camsla.web.deps import TEMPLATES, AppContext, ContextDep
from camsla.web.i18n import translator
from camsla.web.routes.sla import camera_timeline
from sla import day_bounds, local_date

router = APIRouter(tags=["cameras"])


def camera_json(c: Camera, tz: tzinfo) -> dict[str, Any]:
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


@router.get("/api/cameras")
async def api_cameras(
    ctx: ContextDep, sector: str | None = None, limit: int = Query(1000, le=100_000), offset: int = 0
) -> dict:
    tz = ctx.settings.tz

    def q():
        with ctx.db.session() as s:
            stmt = select(Camera).order_by(Camera.camera_id).limit(limit).offset(offset)
            if sector:
                stmt = stmt.where(Camera.sector_code == sector)
            cams = [camera_json(c, tz) for c in s.scalars(stmt)]
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


@router.get("/api/cameras/{camera_id}")
async def api_camera(ctx: ContextDep, camera_id: str) -> dict:
    def q():
        with ctx.db.session() as s:
            c = s.get(Camera, camera_id)
            return camera_json(c, ctx.settings.tz) if c else None

    cam = await asyncio.to_thread(q)
    if cam is None:
        raise HTTPException(404, f"unknown camera {camera_id}")
    return cam


@router.get("/cameras/{camera_id}", response_class=HTMLResponse)
async def camera_page(request: Request, ctx: ContextDep, camera_id: str, lang: str = "zh") -> HTMLResponse:
    tz = ctx.settings.tz

    def q():
        with ctx.db.session() as s:
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
                camera_json(c, tz) | {"sector_name": c.sector.name},
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
    today = await asyncio.to_thread(camera_timeline, ctx, camera_id, day.start, min(day.end, now))
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


@router.get("/cameras/{camera_id}/{kind}.jpg")
async def baseline_image(ctx: ContextDep, camera_id: str, kind: str) -> Response:
    if kind not in (baselines.REFERENCE, baselines.PREVIOUS):
        raise HTTPException(404, "no such picture")

    def q():
        with ctx.db.session() as s:
            return baselines.load_bytes(s, camera_id, kind)

    data = await asyncio.to_thread(q)
    if data is None:
        raise HTTPException(404, f"camera {camera_id} has no {kind} frame")
    return Response(data, media_type="image/jpeg", headers={"Cache-Control": "no-store"})


@router.get("/evidence/{evidence_id}.jpg")
async def evidence_image(ctx: ContextDep, evidence_id: int) -> Response:
    def q():
        with ctx.db.session() as s:
            e = s.get(Evidence, evidence_id)
            return e.image if e else None

    data = await asyncio.to_thread(q)
    if data is None:
        raise HTTPException(404, f"no evidence {evidence_id}")
    return Response(data, media_type="image/jpeg")


def set_reference(ctx: AppContext, camera_id: str, image: bytes | None) -> str:
    """From uploaded picture bytes, or (None) from the camera's latest frame."""
    with ctx.db.session() as s:
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


@router.post("/cameras/{camera_id}/baseline")
async def baseline_form(ctx: ContextDep, camera_id: str, lang: str = "zh") -> RedirectResponse:
    """The camera page's button: the latest frame becomes the reference."""
    await asyncio.to_thread(set_reference, ctx, camera_id, None)
    return RedirectResponse(f"/cameras/{camera_id}?lang={lang}", status_code=303)


@router.put("/api/cameras/{camera_id}/baseline")
async def baseline_api(ctx: ContextDep, camera_id: str, request: Request) -> dict:
    """Body: a picture (JPEG/PNG) to use as the reference; empty body: the latest frame."""
    body = await request.body()
    source = await asyncio.to_thread(set_reference, ctx, camera_id, body or None)
    return {"camera_id": camera_id, "reference": source}
