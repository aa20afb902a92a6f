"""The operators' moderation queue: reports from members, newest first, with Resolve.

Authorisation is the service's (``queries.moderation_queue`` and ``actions.do_resolve_report``
answer 403 ``operator_required`` to anyone else), so a member who guesses the URL gets the
error page, never the queue.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from inroad.api.deps import ServicesDep
from inroad.network import actions, queries
from inroad.web.shell import CsrfDep, WebActorDep, act, redirect, render, safe_next

router = APIRouter(include_in_schema=False)

STATUSES = {"open": "Open", "resolved": "Resolved", "all": "All"}


@router.get("/operator")
async def operator_home(actor: WebActorDep) -> Response:
    """The header's Operator item: the moderation queue is the operator's first stop."""
    actions.require_operator(actor)
    return redirect("/operator/reports")


@router.get("/operator/reports")
async def reports_page(
    request: Request,
    svc: ServicesDep,
    actor: WebActorDep,
    status: str = "open",
    cursor: str | None = None,
) -> HTMLResponse:
    if status not in STATUSES:
        status = "open"
    page = await queries.moderation_queue(svc, actor, status=status, cursor=cursor)
    context = {"nav": "operator", "page": page, "status": status, "statuses": STATUSES}
    return await render(request, "operator/reports.html", context)


@router.post("/operator/reports/{report_id}/resolve")
async def resolve(
    report_id: str,
    svc: ServicesDep,
    actor: WebActorDep,
    _: CsrfDep,
    next: Annotated[str | None, Form()] = None,
) -> Response:
    actions.require_operator(actor)
    return await act(
        lambda: actions.do_resolve_report(svc, actor, report_id),
        safe_next(next, "/operator/reports"),
        notice="Report marked resolved.",
    )
