"""FastAPI dependencies: the service context and the signed-in member."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request

from inroad.accounts.actions import authenticate
from inroad.accounts.actor import Actor
from inroad.errors import Unauthorized
from inroad.services import Services


async def get_services(request: Request) -> Services:
    # async: FastAPI would run a plain ``def`` dependency in a worker thread on every request.
    services: Services = request.app.state.services
    return services


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


async def session_actor(request: Request) -> Actor | None:
    """The web UI's signed-in member, for API calls made by its own pages: the session cookie
    counts only together with that session's CSRF token in ``X-CSRF-Token`` (what
    ``csrfFetch`` in inroad.js sends), so another site can never act through a visitor's cookie."""
    from inroad.web import shell  # imported late: the API must not need the web layer at import

    sent = request.headers.get(shell.CSRF_HEADER)
    if not sent or not request.cookies.get(shell.SESSION_COOKIE):
        return None
    actor = await shell.web_actor(request)
    if actor is None:
        return None
    # Bytes, not str: compare_digest refuses non-ASCII text, and a header may carry any.
    expected = shell.csrf_token(request).encode()
    return actor if hmac.compare_digest(sent.encode("utf-8", "replace"), expected) else None


async def current_actor(request: Request, svc: Annotated[Services, Depends(get_services)]) -> Actor:
    token = bearer_token(request)
    actor = await authenticate(svc, token) if token else await session_actor(request)
    if actor is None:
        raise Unauthorized(
            "not_signed_in",
            "Sign in first: send 'Authorization: Bearer TOKEN' from /api/v1/auth/login.",
        )
    return actor


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


ServicesDep = Annotated[Services, Depends(get_services)]
ActorDep = Annotated[Actor, Depends(current_actor)]
