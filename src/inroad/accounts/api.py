"""REST routes for accounts (API.md "Accounts")."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel

from inroad.accounts import actions
from inroad.api.deps import ActorDep, ServicesDep, client_ip
from inroad.profiles import queries

router = APIRouter(prefix="/api/v1", tags=["accounts"])


class SignupIn(BaseModel):
    email: str
    password: str
    name: str
    handle: str | None = None


class LoginIn(BaseModel):
    email: str
    password: str


class DeleteIn(BaseModel):
    password: str


async def _session_body(svc: Any, session: actions.Session) -> dict[str, Any]:
    return {"member": await queries.member_by_id(svc, session.member_id), "token": session.token}


@router.post("/auth/signup", status_code=201)
async def signup(body: SignupIn, request: Request, svc: ServicesDep) -> dict[str, Any]:
    session = await actions.do_signup(
        svc,
        email=body.email,
        password=body.password,
        name=body.name,
        handle=body.handle,
        ip=client_ip(request),
    )
    return await _session_body(svc, session)


@router.post("/auth/login")
async def login(body: LoginIn, request: Request, svc: ServicesDep) -> dict[str, Any]:
    session = await actions.do_login(
        svc, email=body.email, password=body.password, ip=client_ip(request)
    )
    return await _session_body(svc, session)


@router.post("/auth/logout", status_code=204)
async def logout(actor: ActorDep, svc: ServicesDep) -> Response:
    await actions.do_logout(svc, actor)
    return Response(status_code=204)


@router.get("/me")
async def me(actor: ActorDep, svc: ServicesDep) -> dict[str, Any]:
    return await queries.me(svc, actor)


@router.delete("/me", status_code=204)
async def delete_me(body: DeleteIn, actor: ActorDep, svc: ServicesDep) -> Response:
    await actions.do_delete_account(svc, actor, body.password)
    return Response(status_code=204)
