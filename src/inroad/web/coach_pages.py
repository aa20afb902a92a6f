"""The Message coach page (/coach): draft a message to someone and get advice before sending.

With JavaScript the review updates live as the member types (coach.js, the same widget as every
compose box); without it, "Review" posts the draft and the page shows the same review rendered on
the server. Nothing is sent or stored from here.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse

from inroad.accounts.actor import Actor
from inroad.api.deps import ServicesDep
from inroad.coach.queries import Draft, review_draft
from inroad.coach.text import CHANNELS
from inroad.errors import InroadError
from inroad.services import Services
from inroad.web.shell import CsrfDep, WebActorDep, render

router = APIRouter(include_in_schema=False)

# In CHANNELS order: the choices on the page.
CHANNEL_LABELS = {"dm": "Message", "inmail": "InMail", "invite_note": "Invitation note"}


def _clean(value: str | None) -> str:
    return (value or "").strip()


async def _page(
    request: Request, form: dict[str, str], extra: dict[str, Any] | None = None, status: int = 200
) -> HTMLResponse:
    context = {"form": form, "channels": CHANNEL_LABELS, **(extra or {})}
    return await render(request, "coach/page.html", context, status=status)


@router.get("/coach")
async def coach_page(
    request: Request,
    actor: WebActorDep,
    to: Annotated[str | None, Query(max_length=100)] = None,
    channel: Annotated[str | None, Query(max_length=20)] = None,
) -> HTMLResponse:
    chosen = channel if channel in CHANNELS else "inmail"
    return await _page(request, {"to": _clean(to), "channel": chosen, "subject": "", "text": ""})


@router.post("/coach")
async def coach_review_page(
    request: Request,
    svc: ServicesDep,
    actor: WebActorDep,
    _: CsrfDep,
    channel: Annotated[str, Form()] = "inmail",
    to: Annotated[str | None, Form()] = None,
    subject: Annotated[str | None, Form()] = None,
    text: Annotated[str, Form()] = "",
) -> HTMLResponse:
    form = {"to": _clean(to), "channel": channel, "subject": subject or "", "text": text}
    return await _reviewed(request, svc, actor, form)


async def _reviewed(
    request: Request, svc: Services, actor: Actor, form: dict[str, str]
) -> HTMLResponse:
    draft = Draft(
        channel=form["channel"],
        text=form["text"],
        # A subject belongs to InMail only; one left over from switching channel is ignored.
        subject=(form["subject"] or None) if form["channel"] == "inmail" else None,
        to=form["to"] or None,
    )
    try:
        result = await review_draft(svc, actor, draft)
    except InroadError as exc:
        if form["channel"] not in CHANNELS:
            form["channel"] = "inmail"
        return await _page(request, form, {"error": exc.message}, status=exc.status)
    return await _page(request, form, {"review": result})
