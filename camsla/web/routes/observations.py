"""Raw observations of one camera, newest first (JSON)."""

from __future__ import annotations

import asyncio
from datetime import datetime

from fastapi import APIRouter, Query
from sqlalchemy import select

from camsla.db.models import RawObservation
from camsla.web.deps import ContextDep

router = APIRouter(tags=["observations"])


@router.get("/api/observations")
async def api_observations(
    ctx: ContextDep, camera_id: str, check: str | None = None, since: datetime | None = None,
    limit: int = Query(500, le=10_000),
) -> dict:
    tz = ctx.settings.tz

    def q():
        with ctx.db.session() as s:
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
