"""My Network (invitations, connections, suggestions, blocked members), the Connect flow, and
Block / Report from a profile. Every form calls the same ``inroad.network`` action as the API.

A refused action on a list page (an invitation someone else already answered, say) sends the
member back to the page they came from with the reason as the notice; the Connect and Report
forms are shown again with the message and what was typed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, Response

from inroad.accounts.actor import Actor
from inroad.api.deps import ServicesDep
from inroad.errors import InroadError
from inroad.network import access, actions, queries, rules, suggestions
from inroad.services import Services
from inroad.web import operator_pages
from inroad.web.shell import (
    CsrfDep,
    WebActorDep,
    act,
    redirect,
    register_badges,
    render,
    safe_next,
)

router = APIRouter(include_in_schema=False)

OptionalField = Annotated[str | None, Form()]
RELATION_LABELS = {
    "colleague": "Colleague",
    "classmate": "Classmate",
    "business": "We've done business together",
    "friend": "Friend",
    "other": "Other",
}
REASON_LABELS = {
    "spam": "Spam",
    "scam": "Scam or fraud",
    "harassment": "Harassment",
    "inappropriate": "Inappropriate content",
    "other": "Something else",
}
SUGGESTIONS_ON_HOME = 12


def install(app: FastAPI) -> None:
    """Include the network and operator pages and the header's invitations badge."""
    app.include_router(router)
    app.include_router(operator_pages.router)
    register_badges(app, invitations_badge)


async def invitations_badge(svc: Services, actor: Actor) -> dict[str, int]:
    return {"network": await queries.pending_received_count(svc, actor)}


async def _act(
    next_url: str | None, default: str, notice: str, action: Callable[[], Awaitable[object]]
) -> Response:
    """Run ``action`` and go back to the page it was started from, saying what happened."""
    return await act(action, safe_next(next_url, default), notice=notice)


# --- My Network ---------------------------------------------------------------------------


@router.get("/network")
async def network_home(
    request: Request, svc: ServicesDep, actor: WebActorDep, cursor: str | None = None
) -> HTMLResponse:
    received = await queries.list_invitations(svc, actor, direction="received", cursor=cursor)
    people = await suggestions.suggestions(svc, actor, limit=SUGGESTIONS_ON_HOME)
    context = {
        "nav": "network",
        "section": "home",
        "received": received,
        "suggestions": people["items"],
        "connection_total": await queries.connection_total(svc, actor),
        "relations": RELATION_LABELS,
    }
    return await render(request, "network/home.html", context)


@router.get("/network/connections")
async def connections_page(
    request: Request,
    svc: ServicesDep,
    actor: WebActorDep,
    q: str | None = None,
    cursor: str | None = None,
) -> HTMLResponse:
    try:
        page = await queries.list_connections(svc, actor, q=q, cursor=cursor)
        error = None
    except InroadError as refused:
        page, error = {"items": [], "next_cursor": None}, refused.message
    context = {
        "nav": "network",
        "section": "connections",
        "page": page,
        "q": q or "",
        "error": error,
    }
    return await render(request, "network/connections.html", context)


@router.get("/network/sent")
async def sent_page(
    request: Request, svc: ServicesDep, actor: WebActorDep, cursor: str | None = None
) -> HTMLResponse:
    page = await queries.list_invitations(svc, actor, direction="sent", cursor=cursor)
    context = {"nav": "network", "section": "sent", "page": page, "relations": RELATION_LABELS}
    return await render(request, "network/sent.html", context)


@router.get("/network/blocked")
async def blocked_page(
    request: Request, svc: ServicesDep, actor: WebActorDep, cursor: str | None = None
) -> HTMLResponse:
    page = await queries.list_blocks(svc, actor, cursor=cursor)
    return await render(
        request, "network/blocked.html", {"nav": "network", "section": "blocked", "page": page}
    )


@router.post("/network/invitations/{invitation_id}/{verb}")
async def answer_invitation(
    invitation_id: str,
    verb: str,
    svc: ServicesDep,
    actor: WebActorDep,
    _: CsrfDep,
    next: OptionalField = None,
) -> Response:
    doings = {
        "accept": (actions.do_accept, "Invitation accepted. You are now connected."),
        "ignore": (actions.do_ignore, "Invitation ignored."),
        "reject": (actions.do_reject, "Got it: they cannot invite you again."),
        "withdraw": (actions.do_withdraw, "Invitation withdrawn."),
    }
    if verb not in doings:
        return redirect("/network", notice="That is not something you can do to an invitation.")
    do, notice = doings[verb]
    return await _act(next, "/network", notice, lambda: do(svc, actor, invitation_id))


@router.post("/network/connections/{handle}/remove")
async def remove_connection(
    handle: str, svc: ServicesDep, actor: WebActorDep, _: CsrfDep, next: OptionalField = None
) -> Response:
    return await _act(
        next,
        "/network/connections",
        "Connection removed.",
        lambda: actions.do_remove_connection(svc, actor, handle),
    )


@router.post("/network/suggestions/{handle}/dismiss")
async def dismiss_suggestion(
    handle: str, svc: ServicesDep, actor: WebActorDep, _: CsrfDep, next: OptionalField = None
) -> Response:
    return await _act(
        next,
        "/network",
        "We won't suggest them again.",
        lambda: actions.do_dismiss_suggestion(svc, actor, handle),
    )


@router.post("/network/blocked/{handle}/unblock")
async def unblock(handle: str, svc: ServicesDep, actor: WebActorDep, _: CsrfDep) -> Response:
    return await _act(
        None,
        "/network/blocked",
        "Unblocked. You can see each other again.",
        lambda: actions.do_unblock(svc, actor, handle),
    )


# --- Connect from a profile ----------------------------------------------------------------


async def _connect_page(
    request: Request,
    svc: Services,
    actor: Actor,
    handle: str,
    *,
    form: dict[str, str] | None = None,
    error: InroadError | None = None,
) -> HTMLResponse:
    member = await queries.member_for(svc, actor, handle)
    relation = await queries.relationship_for_handle(svc, actor, handle)
    needs_how = relation.how_you_know_required or (
        error is not None
        and error.code in ("how_you_know_required", "organization_required", "invalid_relation")
    )
    context = {
        "nav": "network",
        "member": member,
        "relation": relation,
        "form": form or {},
        "error": error.message if error else None,
        "error_code": error.code if error else None,
        "needs_how": needs_how,
        "needs_email": relation.email_required
        or (error is not None and error.code == "email_required"),
        "relations": RELATION_LABELS,
        "note_max": rules.NOTE_MAX,
        "organization_max": rules.ORGANIZATION_MAX,
    }
    return await render(
        request, "network/connect.html", context, status=error.status if error else 200
    )


@router.get("/in/{handle}/connect")
async def connect_page(
    request: Request, handle: str, svc: ServicesDep, actor: WebActorDep
) -> HTMLResponse:
    return await _connect_page(request, svc, actor, handle)


@router.post("/in/{handle}/connect")
async def connect(
    request: Request,
    handle: str,
    svc: ServicesDep,
    actor: WebActorDep,
    _: CsrfDep,
    note: OptionalField = None,
    relation: OptionalField = None,
    organization: OptionalField = None,
    email: OptionalField = None,
) -> Response:
    form = {
        "note": note or "",
        "relation": relation or "",
        "organization": organization or "",
        "email": email or "",
    }
    how = actions.HowYouKnow(relation, organization) if relation else None
    try:
        outcome = await actions.do_send_invitation(
            svc, actor, handle, note=note, how_you_know=how, email=email
        )
    except InroadError as refused:
        if refused.status == 404:
            raise
        return await _connect_page(request, svc, actor, handle, form=form, error=refused)
    if outcome.connected:
        return redirect(f"/in/{handle}", notice="They had invited you too: you are now connected.")
    return redirect(f"/in/{handle}", notice="Invitation sent.")


# --- Block and report ----------------------------------------------------------------------


@router.get("/in/{handle}/block")
async def block_page(
    request: Request, handle: str, svc: ServicesDep, actor: WebActorDep
) -> HTMLResponse:
    member = await queries.member_for(svc, actor, handle)
    return await render(request, "network/block.html", {"nav": "network", "member": member})


@router.post("/in/{handle}/block")
async def block(handle: str, svc: ServicesDep, actor: WebActorDep, _: CsrfDep) -> Response:
    try:
        await actions.do_block(svc, actor, handle)
    except InroadError as refused:
        return redirect("/network", notice=refused.message)
    return redirect("/network/blocked", notice="Blocked. Neither of you can see the other now.")


async def _report_page(
    request: Request,
    svc: Services,
    actor: Actor,
    handle: str,
    *,
    form: dict[str, str] | None = None,
    error: InroadError | None = None,
) -> HTMLResponse:
    async with svc.db.read() as conn:
        row = await access.live_member(conn, handle)
    context = {
        "nav": "network",
        "member": {"handle": row["handle"], "name": row["name"]},
        "reasons": REASON_LABELS,
        "form": form or {},
        "error": error.message if error else None,
        "detail_max": rules.REPORT_DETAIL_MAX,
    }
    return await render(
        request, "network/report.html", context, status=error.status if error else 200
    )


@router.get("/in/{handle}/report")
async def report_page(
    request: Request, handle: str, svc: ServicesDep, actor: WebActorDep
) -> HTMLResponse:
    return await _report_page(request, svc, actor, handle)


@router.post("/in/{handle}/report")
async def report(
    request: Request,
    handle: str,
    svc: ServicesDep,
    actor: WebActorDep,
    _: CsrfDep,
    reason: OptionalField = None,
    detail: OptionalField = None,
    block_too: OptionalField = None,
) -> Response:
    form = {"reason": reason or "", "detail": detail or "", "block_too": "1" if block_too else ""}
    try:
        await actions.do_report(svc, actor, reason=reason or "", handle=handle, detail=detail)
        if block_too:
            await actions.do_block(svc, actor, handle)
    except InroadError as refused:
        if refused.status == 404:
            raise
        return await _report_page(request, svc, actor, handle, form=form, error=refused)
    if block_too:
        return redirect(
            "/network/blocked", notice="Thanks, we will review your report. You have blocked them."
        )
    return redirect(f"/in/{handle}", notice="Thanks, we will review your report.")
