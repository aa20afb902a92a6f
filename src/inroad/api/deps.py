"""FastAPI dependencies: the service context and the signed-in member."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from inroad.accounts.actions import authenticate
from inroad.accounts.actor import Actor
from inroad.errors import Unauthorized
from inroad.services import Services


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


async def current_actor(request: Request, svc: Annotated[Services, Depends(get_services)]) -> Actor:
    token = bearer_token(request)
    actor = await authenticate(svc, token) if token else None
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
