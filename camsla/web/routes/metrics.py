"""Prometheus metrics of the service itself (camsla.web.metrics)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse

from camsla.web.deps import ContextDep
from camsla.web.metrics import render

router = APIRouter(tags=["metrics"])


@router.get("/metrics", response_class=PlainTextResponse)
async def metrics(ctx: ContextDep) -> PlainTextResponse:
    return PlainTextResponse(render(ctx), media_type="text/plain; version=0.0.4")
