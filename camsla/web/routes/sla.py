"""SLA figures over a period (per sector, or one sector) and one camera's timeline (JSON)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Query

from camsla.db import timeline_document
from camsla.db.models import Camera, Sector
from camsla.web.deps import AppContext, ContextDep
from sla import PeriodError, parse_period

router = APIRouter(tags=["sla"])


@router.get("/api/sla")
async def api_sla(
    ctx: ContextDep, from_: str = Query(..., alias="from"), to: str = Query(...), sector: str | None = None
) -> dict:
    try:
        period = parse_period(from_, to, ctx.settings.tz)
    except PeriodError as e:
        raise HTTPException(400, str(e)) from None
    if sector is not None:
        def exists() -> bool:
            with ctx.db.session() as s:
                return s.get(Sector, sector) is not None
        if not await asyncio.to_thread(exists):
            raise HTTPException(404, f"unknown sector {sector!r}")
    doc = await asyncio.to_thread(ctx.report, period.start, period.end, sector)
    return {"from": from_, "to": to, "timezone": ctx.settings.timezone, **doc}


def camera_timeline(ctx: AppContext, camera_id: str, start: datetime, end: datetime) -> dict[str, Any] | None:
    """The camera's states over [start, end) (blocking); None for an unknown camera."""
    with ctx.db.session() as s:
        cam = s.get(Camera, camera_id)
        if cam is None:
            return None
        return timeline_document(s, cam, start, end, ctx.settings.stale_after, ctx.settings.tz, now=datetime.now(UTC))


@router.get("/api/cameras/{camera_id}/timeline")
async def api_timeline(
    ctx: ContextDep, camera_id: str, from_: str = Query(..., alias="from"), to: str = Query(...)
) -> dict:
    """The camera's states over [from, to), each span with the faults that decided it."""
    try:
        period = parse_period(from_, to, ctx.settings.tz)
    except PeriodError as e:
        raise HTTPException(400, str(e)) from None
    doc = await asyncio.to_thread(camera_timeline, ctx, camera_id, period.start, period.end)
    if doc is None:
        raise HTTPException(404, f"unknown camera {camera_id}")
    return {"camera_id": camera_id, "from": from_, "to": to, "timezone": ctx.settings.timezone, **doc}
