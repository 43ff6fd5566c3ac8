"""The FastAPI app of `camsla serve`: one router per resource (camsla.web.routes.*), mounted from
the ROUTERS table. A new package with pages or endpoints (alerts, dashboards) adds one line there."""

from __future__ import annotations

import importlib

from fastapi import FastAPI

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
    return app
