"""REST routes for credits and organisations (API.md "InMail, plans, credits, organisations").

Additions to the contract (extensions only): ``GET /organizations`` (list), ``PATCH`` and
``PUT …/logo`` on an organisation, ``DELETE …/seats/{handle}``, ``POST``/``DELETE …/admins``,
``GET /inmail/waiting`` (InMails received and unanswered for 3 days or more).
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, File, Response, UploadFile
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel

from inroad.api.deps import ActorDep, ServicesDep
from inroad.errors import NotFound
from inroad.messaging.views import parse_id
from inroad.premium import answers, credits, inmail, inmail_views, orgs
from inroad.profiles import photos

api = APIRouter(prefix="/api/v1", tags=["premium"])
media = APIRouter(tags=["media"])


class OrgIn(BaseModel):
    name: str
    kind: Literal["company", "university"]
    description: str | None = None


class OrgPatch(BaseModel):
    name: str | None = None
    description: str | None = None


class HandleIn(BaseModel):
    handle: str


class InMailIn(BaseModel):
    to: str
    subject: str
    text: str
    client_id: str
    organization: str | None = None


class InMailResponseIn(BaseModel):
    interested: bool


@api.post("/inmail", status_code=201)
async def send_inmail(body: InMailIn, actor: ActorDep, svc: ServicesDep) -> JSONResponse:
    conversation, sent = await inmail.send_inmail(
        svc,
        actor,
        to=body.to,
        subject=body.subject,
        text=body.text,
        client_id=body.client_id,
        organization=body.organization,
    )
    return JSONResponse(
        {
            "conversation": conversation,
            "message": sent.message,
            "credits_remaining": sent.credits_remaining,
        },
        status_code=201 if sent.created else 200,
    )


@api.post("/conversations/{conversation_id}/inmail-response")
async def inmail_response(
    conversation_id: str, body: InMailResponseIn, actor: ActorDep, svc: ServicesDep
) -> dict[str, Any]:
    return await answers.respond(svc, actor.id, parse_id(conversation_id), body.interested)


@api.get("/inmail/waiting")
async def inmail_waiting(actor: ActorDep, svc: ServicesDep) -> dict[str, Any]:
    # The whole list: it holds only InMails still waiting, so it stays short.
    return {"items": await inmail_views.waiting_for_answer(svc, actor.id), "next_cursor": None}


@api.get("/me/credits")
async def my_credits(actor: ActorDep, svc: ServicesDep) -> dict[str, Any]:
    return await credits.statement(svc, actor.id)


@api.post("/organizations", status_code=201)
async def create_org(body: OrgIn, actor: ActorDep, svc: ServicesDep) -> dict[str, Any]:
    slug = await orgs.do_create_org(
        svc, actor, name=body.name, kind=body.kind, description=body.description
    )
    return await orgs.org_view(svc, actor, slug)


@api.get("/organizations")
async def list_orgs(
    actor: ActorDep,
    svc: ServicesDep,
    q: str | None = None,
    cursor: str | None = None,
    limit: int = 20,
) -> dict[str, Any]:
    return await orgs.list_orgs(svc, q=q, cursor=cursor, limit=limit)


@api.get("/organizations/{slug}")
async def get_org(slug: str, actor: ActorDep, svc: ServicesDep) -> dict[str, Any]:
    return await orgs.org_view(svc, actor, slug)


@api.patch("/organizations/{slug}")
async def update_org(
    slug: str, body: OrgPatch, actor: ActorDep, svc: ServicesDep
) -> dict[str, Any]:
    await orgs.do_update_org(svc, actor, slug, name=body.name, description=body.description)
    return await orgs.org_view(svc, actor, slug)


@api.put("/organizations/{slug}/logo")
async def set_logo(
    slug: str, actor: ActorDep, svc: ServicesDep, file: UploadFile = File(...)
) -> dict[str, Any]:
    # One byte past the limit is enough to know it is too large; never read the rest.
    await orgs.do_set_logo(svc, actor, slug, await file.read(photos.MAX_PHOTO_BYTES + 1))
    return await orgs.org_view(svc, actor, slug)


@api.post("/organizations/{slug}/seats", status_code=201)
async def add_seat(slug: str, body: HandleIn, actor: ActorDep, svc: ServicesDep) -> dict[str, Any]:
    await orgs.do_add_seat(svc, actor, slug, body.handle)
    return await orgs.org_view(svc, actor, slug)


@api.delete("/organizations/{slug}/seats/{handle}", status_code=204)
async def remove_seat(slug: str, handle: str, actor: ActorDep, svc: ServicesDep) -> Response:
    await orgs.do_remove_seat(svc, actor, slug, handle)
    return Response(status_code=204)


@api.post("/organizations/{slug}/admins", status_code=201)
async def add_admin(slug: str, body: HandleIn, actor: ActorDep, svc: ServicesDep) -> dict[str, Any]:
    await orgs.do_add_admin(svc, actor, slug, body.handle)
    return await orgs.org_view(svc, actor, slug)


@api.delete("/organizations/{slug}/admins/{handle}", status_code=204)
async def remove_admin(slug: str, handle: str, actor: ActorDep, svc: ServicesDep) -> Response:
    await orgs.do_remove_admin(svc, actor, slug, handle)
    return Response(status_code=204)


@api.post("/organizations/{slug}/follow", status_code=201)
async def follow(slug: str, actor: ActorDep, svc: ServicesDep) -> dict[str, Any]:
    await orgs.do_follow(svc, actor, slug, follow=True)
    return await orgs.org_view(svc, actor, slug)


@api.delete("/organizations/{slug}/follow", status_code=204)
async def unfollow(slug: str, actor: ActorDep, svc: ServicesDep) -> Response:
    await orgs.do_follow(svc, actor, slug, follow=False)
    return Response(status_code=204)


@media.get("/logos/{name}")
async def logo_file(name: str, svc: ServicesDep) -> FileResponse:
    path = orgs.logo_path(svc, name)
    if path is None:
        raise NotFound()
    # A new logo gets a new key, so a file never changes: cache it for good.
    return FileResponse(
        path,
        media_type="image/jpeg",
        headers={"Cache-Control": "public, max-age=31536000, immutable"},
    )
