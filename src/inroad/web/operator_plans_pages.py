"""The operator's members and plans page: find members, grant or end their plan."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from inroad.api.deps import ServicesDep
from inroad.premium import actions, queries
from inroad.premium.plans import PLANS
from inroad.web.premium_pages import date_label
from inroad.web.shell import CsrfDep, WebActorDep, redirect, render, safe_next

router = APIRouter(include_in_schema=False)


@router.get("/operator/members")
async def members_page(
    request: Request, svc: ServicesDep, actor: WebActorDep, q: str = "", cursor: str | None = None
) -> HTMLResponse:
    page = await queries.operator_members(svc, actor, q=q[:200], cursor=cursor)
    more = None
    if page["next_cursor"]:
        more = "/operator/members?" + urlencode({"q": q, "cursor": page["next_cursor"]})
    items = [{**m, "since": date_label(m["plan_started_at"])} for m in page["items"]]
    return await render(
        request,
        "premium/operator_members.html",
        {
            "nav": "operator",
            "items": items,
            "q": q,
            "more": more,
            "plans": list(PLANS.values()),
            "here": str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""),
        },
    )


@router.post("/operator/members/{handle}/plan")
async def set_plan(
    svc: ServicesDep,
    actor: WebActorDep,
    _: CsrfDep,
    handle: str,
    plan: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    change = await actions.do_operator_set_plan(svc, actor, handle, plan)
    label = PLANS[change.plan].label
    notice = (
        f"{handle} now has {label} ({change.balance} credits)."
        if change.changed
        else f"{handle} already had {label}."
    )
    return redirect(safe_next(next, "/operator/members"), notice=notice)
