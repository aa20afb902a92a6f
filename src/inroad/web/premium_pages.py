"""Premium in the web UI: the Premium page (plan, balance, full ledger), InMail compose from a
profile, and the answers shown inside a conversation (Interested / Not interested on an InMail,
Accept / Decline on a message request — ``premium/inmail_actions.html`` and
``premium/request_actions.html``, included by the Messaging page)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from inroad.accounts.actor import Actor
from inroad.api.deps import ServicesDep
from inroad.errors import InroadError
from inroad.messaging import actions as messaging_actions
from inroad.messaging.views import parse_id
from inroad.premium import answers, inmail, queries
from inroad.premium.plans import PLANS, plan_for
from inroad.services import Services
from inroad.web.shell import CsrfDep, WebActorDep, redirect, render

router = APIRouter(include_in_schema=False)

TextField = Annotated[str, Form()]


def date_label(value: str | datetime | None) -> str:
    """ "15 Jan 2026" (UTC) from an ISO string or a datetime; "" for None."""
    if value is None:
        return ""
    at = datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else value
    return f"{at.day} {at.strftime('%b %Y')}"


def describe(entry: dict[str, Any]) -> str:
    """A ledger row in words."""
    plan = plan_for(entry["plan"]).label
    reason = entry["reason"]
    if reason == "grant":
        return f"Monthly credits · {plan}, month {entry['period'] + 1}"
    if reason == "spend":
        return "InMail sent"
    if reason == "refund":
        if entry["delta"] == 0:
            return "InMail answered · no credit back: the plan had ended"
        return "InMail answered · credit back"
    if reason == "expire":
        if entry.get("forfeited"):
            cap = plan_for(entry["plan"]).rollover_cap
            return f"Oldest credits given up to stay within the {cap}-credit cap"
        return "Unused credits expired after 90 days"
    return f"{plan} ended · remaining credits removed"


def ledger_rows(statement: dict[str, Any]) -> list[dict[str, Any]]:
    """The ledger newest first, each row with its words, date and the balance after it."""
    running = statement["balance"]
    rows = []
    for entry in statement["ledger"]:
        rows.append(
            {
                **entry,
                "text": describe(entry),
                "date": date_label(entry["at"]),
                "balance_after": running,
                "expires": date_label(entry.get("expires_at")),
            }
        )
        running -= entry["delta"]
    return rows


@router.get("/premium")
async def premium_page(request: Request, svc: ServicesDep, actor: WebActorDep) -> HTMLResponse:
    view = await queries.overview(svc, actor)
    return await render(
        request,
        "premium/index.html",
        {
            "nav": "premium",
            "view": view,
            "plan": view.plan,
            "plans": list(PLANS.values()),
            "rows": ledger_rows(view.statement),
            "waiting": [{**item, "date": date_label(item["sent_at"])} for item in view.waiting],
            "started": date_label(view.started_at),
            "next_grant": date_label(view.next_grant_at),
        },
    )


# --- InMail compose --------------------------------------------------------------------------


async def _compose(
    request: Request,
    svc: Services,
    actor: Actor,
    handle: str,
    *,
    subject: str = "",
    text: str = "",
    organization: str = "",
    client_id: str | None = None,
    error: InroadError | None = None,
) -> HTMLResponse:
    preview = await queries.preview(svc, actor, handle)
    context = {
        "nav": "messaging",
        "p": preview,
        "handle": handle,
        "subject": subject,
        "text": text,
        "organization": organization,
        "client_id": client_id or str(uuid.uuid4()),
        "error": error.message if error else None,
        "SUBJECT_LIMIT": inmail.MAX_SUBJECT,
        "TEXT_LIMIT": inmail.MAX_TEXT,
    }
    response = await render(
        request, "premium/inmail_compose.html", context, status=error.status if error else 200
    )
    if error is not None:
        response.headers.update(error.headers())
    return response


@router.get("/in/{handle}/inmail")
async def compose_page(
    request: Request, svc: ServicesDep, actor: WebActorDep, handle: str
) -> HTMLResponse:
    return await _compose(request, svc, actor, handle)


@router.post("/in/{handle}/inmail")
async def send(
    request: Request,
    svc: ServicesDep,
    actor: WebActorDep,
    _: CsrfDep,
    handle: str,
    subject: TextField = "",
    text: TextField = "",
    client_id: TextField = "",
    organization: TextField = "",
) -> Response:
    try:
        _conversation, sent = await inmail.send_inmail(
            svc,
            actor,
            to=handle,
            subject=subject,
            text=text,
            client_id=client_id,
            organization=organization or None,
        )
    except InroadError as exc:
        return await _compose(
            request,
            svc,
            actor,
            handle,
            subject=subject,
            text=text,
            organization=organization,
            client_id=client_id or None,
            error=exc,
        )
    credits_left = (
        f"{sent.credits_remaining} InMail credit{'' if sent.credits_remaining == 1 else 's'} left."
    )
    return redirect(f"/messaging/{sent.conversation_id}", notice=f"InMail sent. {credits_left}")


# --- answers inside a conversation -----------------------------------------------------------


@router.post("/inmail/{conversation_id}/respond")
async def respond(
    svc: ServicesDep,
    actor: WebActorDep,
    _: CsrfDep,
    conversation_id: str,
    interested: TextField = "",
) -> Response:
    cid = parse_id(conversation_id)
    yes = interested == "true"
    await answers.respond(svc, actor.id, cid, yes)
    notice = (
        "Marked as interested: you can now message each other."
        if yes
        else ("Marked as not interested: they cannot send you more messages here.")
    )
    return redirect(f"/messaging/{cid}", notice=notice)


@router.post("/requests/{conversation_id}/respond")
async def answer_request(
    svc: ServicesDep,
    actor: WebActorDep,
    _: CsrfDep,
    conversation_id: str,
    accept: TextField = "",
) -> Response:
    cid = parse_id(conversation_id)
    yes = accept == "true"
    await messaging_actions.answer_request(svc, actor.id, cid, yes)
    return redirect(f"/messaging/{cid}", notice="Request accepted." if yes else "Request declined.")
