"""The status page (sectors against target, cameras down now, cameras that cannot be checked,
cameras awaiting a reference, the store and the scheduler) and the liveness endpoint."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, PlainTextResponse
from sqlalchemy import select

from camsla.db import failing_now, valid_results
from camsla.db.models import Camera
from camsla.kernel import FAULT_LABELS_ZH
from camsla.web.deps import TEMPLATES, AppContext, ContextDep
from camsla.web.i18n import translator
from sla import day_bounds, local_date, month_bounds

router = APIRouter(tags=["status"])

DOWN_SHOWN = 300  # rows of "cameras down now" on the page (offline first); the API has them all


async def _database_state(ctx: AppContext) -> str | None:
    """None when the database answers, else why not; never waits past the connect timeout."""
    limit = ctx.settings.database.connect_timeout_s + 1.0
    try:
        return await asyncio.wait_for(asyncio.to_thread(ctx.db.ping), limit)
    except TimeoutError:
        return f"no answer within {limit:g} s"


@router.get("/healthz", response_class=PlainTextResponse)
async def healthz(ctx: ContextDep) -> str:
    """The process is alive (200 always), and the database's state on the second line."""
    problem = await _database_state(ctx)
    return "ok\ndatabase: " + ("ok" if problem is None else f"unreachable ({problem})")


@router.get("/readyz", response_class=PlainTextResponse)
async def readyz(ctx: ContextDep) -> PlainTextResponse:
    """503 while results cannot be stored: the database does not answer, or the last write failed
    (results then wait in memory and in the spool)."""
    problem = await _database_state(ctx)
    buffer = ctx.runtime.buffer
    if problem is None and buffer.failing:
        problem = f"the last write failed: {buffer.last_error}"
    if problem is not None:
        return PlainTextResponse(f"not ready: {problem}", status_code=503)
    return PlainTextResponse("ready")


@router.get("/", response_class=HTMLResponse)
async def status_page(request: Request, ctx: ContextDep, lang: str = "zh") -> HTMLResponse:
    tz = ctx.settings.tz
    now = datetime.now(UTC)
    today = local_date(now, tz)
    day = day_bounds(today, tz)
    month = month_bounds(today.year, today.month, tz)
    # While the database is away the page shows what the service has in memory, with a banner.
    database_error = None
    sectors: list[dict[str, Any]] = []
    day_as_of = month_as_of = None
    try:
        (doc_day, day_as_of), (doc_month, month_as_of) = await asyncio.gather(
            ctx.figures.get("day", day.start, day.end), ctx.figures.get("month", month.start, month.end)
        )
        month_by_code = {r["code"]: r for r in doc_month["sectors"]}
        sectors = [
            {**r, "month": month_by_code.get(r["code"], {})} for r in doc_day["sectors"] if r["cameras"]
        ]
    except Exception as e:  # noqa: BLE001 - no figures yet and the database does not answer
        database_error = _reason(e)
    down: list[dict[str, Any]] = []
    blind: list[dict[str, Any]] = []
    awaiting: dict[str, Any] = {"count": 0, "examples": []}
    try:
        down = await asyncio.to_thread(cameras_down, ctx, now)
        blind = await asyncio.to_thread(cameras_blind, ctx, now)
        awaiting = await asyncio.to_thread(cameras_awaiting_reference, ctx, now)
    except Exception as e:  # noqa: BLE001
        database_error = _reason(e)
    t = translator(lang)
    runtime = ctx.runtime
    buffer = runtime.buffer
    return TEMPLATES.TemplateResponse(
        request,
        "status.html",
        {
            "t": t, "lang": lang, "sectors": sectors, "down": down, "now": now.astimezone(tz),
            "day_as_of": day_as_of and day_as_of.astimezone(tz), "month_as_of": month_as_of and month_as_of.astimezone(tz),
            "database_error": database_error,
            "jobs": runtime.scheduler_stats.jobs, "labels": FAULT_LABELS_ZH if lang != "en" else {},
            "cycle": runtime.last_cycle.get("liveness"), "down_shown": DOWN_SHOWN, "blind": blind,
            "awaiting": awaiting,
            "store": {"failing": buffer.failing, "buffered": len(buffer),
                      "spool_files": buffer.spool_files, "last_error": buffer.last_error},
        },
    )


def _reason(e: Exception) -> str:
    cause = getattr(e, "orig", None) or e
    return f"{type(cause).__name__}: {' '.join(str(cause).split())}"[:300]


def cameras_down(ctx: AppContext, now: datetime) -> list[dict[str, Any]]:
    """Cameras offline or degraded now (the durable current state, decided by sla.decide)."""
    tz = ctx.settings.tz
    with ctx.db.session() as s:
        bad = failing_now(s, now, ctx.settings.stale_after)
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


def cameras_blind(ctx: AppContext, now: datetime) -> list[dict[str, Any]]:
    """Cameras the monitor cannot check now (newest liveness result is ``error``), by reason:
    their time is unknown, left out of the SLA but shown as lost coverage, so it must be fixed."""
    with ctx.db.session() as s:
        errs = valid_results(s, now, ctx.settings.stale_after, checks=("liveness",), statuses=("error",))
    by_reason: dict[str, list[str]] = {}
    for c in errs:
        by_reason.setdefault(str(c.metrics.get("reason") or "unknown reason"), []).append(c.camera_id)
    return sorted(
        ({"reason": r, "count": len(ids), "examples": sorted(ids)[:5]} for r, ids in by_reason.items()),
        key=lambda x: -x["count"],
    )


def cameras_awaiting_reference(ctx: AppContext, now: datetime) -> dict[str, Any]:
    """Cameras whose newest image check waits for a person to accept a reference picture (see
    camsla.service.image): their picture is not judged until then."""
    with ctx.db.session() as s:
        errs = valid_results(s, now, ctx.settings.stale_after, checks=("image",), statuses=("error",))
    ids = sorted(c.camera_id for c in errs if "unconfirmed_faults" in c.metrics)
    return {"count": len(ids), "examples": ids[:20]}
