"""Operational endpoints: liveness, readiness, Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from inroad.api.deps import ServicesDep

router = APIRouter(include_in_schema=False)


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(svc: ServicesDep) -> Response:
    try:
        await svc.db.ping()
    except Exception as exc:  # any database failure means "not ready", never a 500
        return JSONResponse(
            {
                "error": {
                    "code": "database_unavailable",
                    "message": f"Database check failed: {type(exc).__name__}",
                }
            },
            status_code=503,
        )
    return JSONResponse({"status": "ready", "database": svc.db.dialect})


@router.get("/metrics")
async def metrics(request: Request) -> Response:
    return Response(generate_latest(request.app.state.registry), media_type=CONTENT_TYPE_LATEST)
