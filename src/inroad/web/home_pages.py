"""The home page: a landing page for visitors, the member's start page once signed in."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from inroad.api.deps import ServicesDep
from inroad.profiles import queries
from inroad.web.shell import OptionalWebActorDep, render

router = APIRouter(include_in_schema=False)


@router.get("/")
async def home(request: Request, svc: ServicesDep, actor: OptionalWebActorDep) -> HTMLResponse:
    if actor is None:
        return await render(request, "landing.html", {})
    mine = await queries.me(svc, actor)
    return await render(
        request,
        "home.html",
        {
            "nav": "home",
            "member": mine["member"],
            "strength": mine["strength"],
            "plan": mine["plan"],
        },
    )
