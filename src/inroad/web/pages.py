"""Mounts the web UI on an app: static files, the shell's state, every page router."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from inroad.web import shell

STATIC_DIR = Path(__file__).parent / "static"
ERROR_TITLES = {
    400: "That request did not work",
    401: "Please log in",
    403: "Not allowed",
    404: "Page not found",
    405: "Not allowed",
    409: "That conflicts with something",
    413: "That is too large",
    422: "Please check what you entered",
    429: "Slow down a little",
}


def install(app: FastAPI) -> None:
    """Mount ``/static``, register the shell's state and handlers, include the page routers."""
    from inroad.web import auth_pages, home_pages, profile_pages, search_pages, settings_pages

    shell.install(app)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    # One line per page module.
    app.include_router(home_pages.router)
    app.include_router(auth_pages.router)
    app.include_router(settings_pages.router)
    app.include_router(profile_pages.router)
    app.include_router(search_pages.router)
    from inroad.web import messaging_pages  # routes and the header's unread badge
    messaging_pages.install(app)
    from inroad.web import network_pages  # My Network, Connect/Block/Report, operator reports
    network_pages.install(app)
    from inroad.web import coach_pages  # the Message coach page (/coach)
    app.include_router(coach_pages.router)
    from inroad.web import operator_plans_pages, org_pages, premium_pages  # Premium, InMail, orgs
    for premium_router in (premium_pages.router, org_pages.router, operator_plans_pages.router):
        app.include_router(premium_router)


async def render_error(request: Request, status: int, code: str, message: str) -> HTMLResponse:
    """A friendly error page in the site's layout (used for web requests that fail)."""
    title = ERROR_TITLES.get(status, "Something went wrong")
    context = {"status": status, "code": code, "title": title, "message": message}
    return await shell.render(request, "error.html", context, status=status)
