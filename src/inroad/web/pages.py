"""Web UI routes (placeholder until the web shell lands)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response


def install(app: FastAPI) -> None:
    """Mount the web routes and static files on ``app``."""


async def render_error(request: Request, status: int, code: str, message: str) -> Response:
    return HTMLResponse(f"<h1>{status}</h1>", status_code=status)
