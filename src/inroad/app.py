"""The application factory: ``create_app(settings)`` builds a fresh, independent app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from inroad import __version__, logs
from inroad.api import errors, middleware
from inroad.clock import Clock
from inroad.services import Services
from inroad.settings import Settings


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    services = Services.create(settings, clock)
    logs.configure(settings.log_json)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await services.start()
        yield
        await services.close()

    app = FastAPI(
        title="Inroad API",
        version=__version__,
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.services = services
    app.state.registry = CollectorRegistry()

    from inroad.accounts.api import router as accounts_router
    from inroad.accounts.settings_api import router as settings_router
    from inroad.coach.api import router as coach_router
    from inroad.messaging.api import router as messaging_router
    from inroad.network.api import router as network_router
    from inroad.ops import router as ops_router
    from inroad.premium import api as premium_api
    from inroad.profiles.api import router as profiles_router
    from inroad.realtime import sync, ws
    from inroad.web import pages

    # Starlette tries routes in order: the hot paths (send, inbox, sync) come first.
    hot = (messaging_router, sync.router, ws.router)
    rest = (ops_router, accounts_router, profiles_router, settings_router, premium_api.api,
            premium_api.media, network_router, coach_router)
    for router in (*hot, *rest):
        app.include_router(router)
    pages.install(app)
    errors.install(app, html_error=pages.render_error)
    app.add_middleware(middleware.Metrics, registry=app.state.registry)
    app.add_middleware(middleware.BodyLimit)
    return app
