"""REST routes for the network (API.md "Network") and the operators' moderation queue."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from inroad.api.deps import ActorDep, ServicesDep
from inroad.network import actions, queries, suggestions
from inroad.network.actions import Outcome

router = APIRouter(prefix="/api/v1", tags=["network"])


class HowYouKnowIn(BaseModel):
    relation: str
    organization: str | None = None


class InvitationIn(BaseModel):
    to: str
    note: str | None = None
    how_you_know: HowYouKnowIn | None = None
    email: str | None = None


class HandleIn(BaseModel):
    handle: str


class ReportIn(BaseModel):
    handle: str | None = None
    conversation_id: str | int | None = None
    message_id: str | int | None = None
    reason: str
    detail: str | None = None


async def _invitation(svc: Any, actor: Any, outcome: Outcome) -> dict[str, Any]:
    assert outcome.invitation_id is not None
    return await queries.invitation(svc, actor, outcome.invitation_id)


@router.post("/invitations", status_code=201, response_model=None)
async def send_invitation(body: InvitationIn, actor: ActorDep, svc: ServicesDep) -> Any:
    how = body.how_you_know
    outcome = await actions.do_send_invitation(
        svc,
        actor,
        body.to,
        note=body.note,
        email=body.email,
        how_you_know=actions.HowYouKnow(how.relation, how.organization) if how else None,
    )
    if outcome.connected:
        return JSONResponse({"connected": True}, status_code=200)
    return await _invitation(svc, actor, outcome)


@router.get("/invitations")
async def list_invitations(
    actor: ActorDep,
    svc: ServicesDep,
    direction: Literal["received", "sent"] = "received",
    status: Literal["pending", "all"] = "pending",
    cursor: str | None = None,
    limit: int = queries.DEFAULT_LIMIT,
) -> dict[str, Any]:
    return await queries.list_invitations(
        svc, actor, direction=direction, status=status, cursor=cursor, limit=limit
    )


@router.post("/invitations/{invitation_id}/accept")
async def accept(invitation_id: str, actor: ActorDep, svc: ServicesDep) -> dict[str, Any]:
    return await _invitation(svc, actor, await actions.do_accept(svc, actor, invitation_id))


@router.post("/invitations/{invitation_id}/ignore")
async def ignore(invitation_id: str, actor: ActorDep, svc: ServicesDep) -> dict[str, Any]:
    return await _invitation(svc, actor, await actions.do_ignore(svc, actor, invitation_id))


@router.post("/invitations/{invitation_id}/withdraw")
async def withdraw(invitation_id: str, actor: ActorDep, svc: ServicesDep) -> dict[str, Any]:
    return await _invitation(svc, actor, await actions.do_withdraw(svc, actor, invitation_id))


@router.post("/invitations/{invitation_id}/reject")
async def reject(invitation_id: str, actor: ActorDep, svc: ServicesDep) -> dict[str, Any]:
    return await _invitation(svc, actor, await actions.do_reject(svc, actor, invitation_id))


@router.get("/connections")
async def list_connections(
    actor: ActorDep,
    svc: ServicesDep,
    q: str | None = None,
    cursor: str | None = None,
    limit: int = queries.DEFAULT_LIMIT,
) -> dict[str, Any]:
    return await queries.list_connections(svc, actor, q=q, cursor=cursor, limit=limit)


@router.delete("/connections/{handle}", status_code=204)
async def remove_connection(handle: str, actor: ActorDep, svc: ServicesDep) -> Response:
    await actions.do_remove_connection(svc, actor, handle)
    return Response(status_code=204)


@router.get("/network/suggestions")
async def list_suggestions(
    actor: ActorDep, svc: ServicesDep, limit: int = queries.DEFAULT_LIMIT
) -> dict[str, Any]:
    return await suggestions.suggestions(svc, actor, limit=limit)


@router.post("/network/suggestions/{handle}/dismiss", status_code=204)
async def dismiss_suggestion(handle: str, actor: ActorDep, svc: ServicesDep) -> Response:
    await actions.do_dismiss_suggestion(svc, actor, handle)
    return Response(status_code=204)


@router.post("/blocks", status_code=201)
async def block(body: HandleIn, actor: ActorDep, svc: ServicesDep) -> dict[str, Any]:
    await actions.do_block(svc, actor, body.handle)
    return {"handle": body.handle, "blocked": True}


@router.get("/blocks")
async def list_blocks(
    actor: ActorDep, svc: ServicesDep, cursor: str | None = None, limit: int = queries.DEFAULT_LIMIT
) -> dict[str, Any]:
    return await queries.list_blocks(svc, actor, cursor=cursor, limit=limit)


@router.delete("/blocks/{handle}", status_code=204)
async def unblock(handle: str, actor: ActorDep, svc: ServicesDep) -> Response:
    await actions.do_unblock(svc, actor, handle)
    return Response(status_code=204)


@router.post("/reports", status_code=201)
async def report(body: ReportIn, actor: ActorDep, svc: ServicesDep) -> dict[str, Any]:
    report_id = await actions.do_report(
        svc,
        actor,
        reason=body.reason,
        handle=body.handle,
        detail=body.detail,
        conversation_id=None if body.conversation_id is None else str(body.conversation_id),
        message_id=None if body.message_id is None else str(body.message_id),
    )
    return await queries.report(svc, actor, report_id)


@router.get("/operator/reports")
async def moderation_queue(
    actor: ActorDep,
    svc: ServicesDep,
    status: Literal["open", "resolved", "all"] = "open",
    cursor: str | None = None,
    limit: int = queries.DEFAULT_LIMIT,
) -> dict[str, Any]:
    return await queries.moderation_queue(svc, actor, status=status, cursor=cursor, limit=limit)


@router.post("/operator/reports/{report_id}/resolve")
async def resolve_report(report_id: str, actor: ActorDep, svc: ServicesDep) -> dict[str, Any]:
    await actions.do_resolve_report(svc, actor, report_id)
    return await queries.report(svc, actor, int(report_id))
