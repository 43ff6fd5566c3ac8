"""The FastAPI app of `camsla serve`: one router per resource (camsla.web.routes.*), mounted from
the ROUTERS table. A new package with pages or endpoints (alerts, dashboards) adds one line there."""

from __future__ import annotations

import importlib

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse
from sqlalchemy.exc import DBAPIError

from camsla.web.deps import AppContext, RunningService

ROUTERS: tuple[str, ...] = (
    "camsla.web.routes.status",
    "camsla.web.routes.cameras",
    "camsla.web.routes.observations",
    "camsla.web.routes.sla",
    "camsla.web.routes.metrics",
)


def create_app(service: RunningService | AppContext) -> FastAPI:
    """The app over a running service (anything with settings, db, buffer, scheduler_stats and
    last_cycle, e.g. camsla.service.app.Service) or over a ready AppContext."""
    context = service if isinstance(service, AppContext) else AppContext.of(service)
    app = FastAPI(title="camsla", version="0.1.0", description="视频监控点位运维监测与 SLA 服务")
    app.state.context = context
    for name in ROUTERS:
        app.include_router(importlib.import_module(name).router)
    app.add_exception_handler(DBAPIError, _database_unavailable)
    return app


async def _database_unavailable(request: Request, exc: Exception) -> PlainTextResponse:
    """A page or endpoint that needs the database while it is down: 503 with the reason, not 500."""
    cause = getattr(exc, "orig", None) or exc
    text = " ".join(str(cause).split())[:300]
    return PlainTextResponse(f"数据库暂不可用 / database unavailable: {type(cause).__name__}: {text}",
                             status_code=503)
