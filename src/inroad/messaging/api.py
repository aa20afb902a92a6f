"""REST routes for messaging (API.md "Messaging"). Thin: parse, call actions/queries, shape.

Responses are built as JSON directly (``JSONResponse``) rather than through FastAPI's
response-model encoding: the views are already plain JSON types, and the send and inbox paths
are latency-budgeted.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Query, UploadFile
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import BaseModel

from inroad.api.deps import ActorDep, ServicesDep
from inroad.messaging import actions, queries, uploads
from inroad.messaging.views import parse_cursor, parse_id

router = APIRouter(prefix="/api/v1", tags=["messaging"])

Limit = Annotated[int, Query(ge=1, le=queries.MAX_LIMIT)]
AnyId = str | int


class StartIn(BaseModel):
    participants: list[str]
    text: str
    client_id: str
    title: str | None = None
    attachments: list[AnyId] | None = None


class SendIn(BaseModel):
    text: str
    client_id: str
    attachments: list[AnyId] | None = None


class PatchConversationIn(BaseModel):
    archived: bool | None = None
    muted: bool | None = None
    title: str | None = None


class ReadIn(BaseModel):
    message_id: AnyId


class HandlesIn(BaseModel):
    handles: list[str]


class RequestResponseIn(BaseModel):
    accept: bool


class EditIn(BaseModel):
    text: str


class ReactionIn(BaseModel):
    emoji: str


def _json(body: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status)


def _no_content() -> Response:
    return Response(status_code=204)


def _upload_ids(raw: list[AnyId] | None) -> list[int]:
    return actions.parse_upload_ids([str(item) for item in raw or ()])


@router.post("/conversations", status_code=201)
async def start_conversation(body: StartIn, actor: ActorDep, svc: ServicesDep) -> Response:
    started = await actions.start_conversation(
        svc,
        actor,
        handles=body.participants,
        text=body.text,
        client_id=body.client_id,
        title=body.title,
        upload_ids=_upload_ids(body.attachments),
    )
    conversation = await queries.get_conversation(svc, actor.id, started.conversation_id)
    return _json(
        {"conversation": conversation, "message": started.message},
        201 if started.created else 200,
    )


@router.get("/conversations")
async def list_conversations(
    actor: ActorDep,
    svc: ServicesDep,
    folder: Literal["focused", "other", "archived", "spam"] = "focused",
    unread: bool = False,
    cursor: str | None = None,
    limit: Limit = queries.DEFAULT_LIMIT,
) -> Response:
    page = await queries.inbox(
        svc, actor.id, folder=folder, unread_only=unread, cursor=parse_cursor(cursor), limit=limit
    )
    return _json(page.as_dict())


@router.get("/conversations/{conversation_id}")
async def get_conversation(conversation_id: str, actor: ActorDep, svc: ServicesDep) -> Response:
    return _json(await queries.get_conversation(svc, actor.id, parse_id(conversation_id)))


@router.patch("/conversations/{conversation_id}")
async def patch_conversation(
    conversation_id: str, body: PatchConversationIn, actor: ActorDep, svc: ServicesDep
) -> Response:
    cid = parse_id(conversation_id)
    changes: dict[str, Any] = {"archived": body.archived, "muted": body.muted}
    if "title" in body.model_fields_set:
        changes["title"] = body.title
    await actions.update_conversation(svc, actor.id, cid, **changes)
    return _json(await queries.get_conversation(svc, actor.id, cid))


@router.get("/conversations/{conversation_id}/messages")
async def list_messages(
    conversation_id: str,
    actor: ActorDep,
    svc: ServicesDep,
    cursor: str | None = None,
    limit: Limit = queries.DEFAULT_LIMIT,
) -> Response:
    page = await queries.messages_page(
        svc, actor.id, parse_id(conversation_id), cursor=parse_cursor(cursor), limit=limit
    )
    return _json(page.as_dict())


@router.post("/conversations/{conversation_id}/messages", status_code=201)
async def send_message(
    conversation_id: str, body: SendIn, actor: ActorDep, svc: ServicesDep
) -> Response:
    sent = await actions.send_message(
        svc,
        actor.id,
        parse_id(conversation_id),
        text=body.text,
        client_id=body.client_id,
        upload_ids=_upload_ids(body.attachments),
    )
    return _json(sent.message, 201 if sent.created else 200)


@router.post("/conversations/{conversation_id}/request-response")
async def request_response(
    conversation_id: str, body: RequestResponseIn, actor: ActorDep, svc: ServicesDep
) -> Response:
    cid = parse_id(conversation_id)
    await actions.answer_request(svc, actor.id, cid, body.accept)
    return _json(await queries.get_conversation(svc, actor.id, cid))


@router.post("/conversations/{conversation_id}/read", status_code=204)
async def read(conversation_id: str, body: ReadIn, actor: ActorDep, svc: ServicesDep) -> Response:
    await actions.read(svc, actor.id, parse_id(conversation_id), parse_id(body.message_id))
    return _no_content()


@router.post("/conversations/{conversation_id}/unread", status_code=204)
async def unread(conversation_id: str, actor: ActorDep, svc: ServicesDep) -> Response:
    await actions.mark_unread(svc, actor.id, parse_id(conversation_id))
    return _no_content()


@router.post("/conversations/{conversation_id}/participants")
async def add_participants(
    conversation_id: str, body: HandlesIn, actor: ActorDep, svc: ServicesDep
) -> Response:
    cid = parse_id(conversation_id)
    await actions.add_participants(svc, actor, cid, body.handles)
    return _json(await queries.get_conversation(svc, actor.id, cid))


@router.delete("/conversations/{conversation_id}/participants/{handle}", status_code=204)
async def remove_participant(
    conversation_id: str, handle: str, actor: ActorDep, svc: ServicesDep
) -> Response:
    await actions.remove_participant(svc, actor.id, parse_id(conversation_id), handle)
    return _no_content()


@router.post("/conversations/{conversation_id}/leave", status_code=204)
async def leave(conversation_id: str, actor: ActorDep, svc: ServicesDep) -> Response:
    await actions.remove_participant(svc, actor.id, parse_id(conversation_id), None)
    return _no_content()


@router.patch("/messages/{message_id}")
async def edit_message(
    message_id: str, body: EditIn, actor: ActorDep, svc: ServicesDep
) -> Response:
    return _json(await actions.edit_message(svc, actor.id, parse_id(message_id), body.text))


@router.delete("/messages/{message_id}", status_code=204)
async def delete_message(message_id: str, actor: ActorDep, svc: ServicesDep) -> Response:
    await actions.delete_message(svc, actor.id, parse_id(message_id))
    return _no_content()


@router.post("/messages/{message_id}/reactions", status_code=201)
async def add_reaction(
    message_id: str, body: ReactionIn, actor: ActorDep, svc: ServicesDep
) -> Response:
    return _json(await actions.add_reaction(svc, actor.id, parse_id(message_id), body.emoji), 201)


@router.delete("/messages/{message_id}/reactions/{emoji}", status_code=204)
async def remove_reaction(
    message_id: str, emoji: str, actor: ActorDep, svc: ServicesDep
) -> Response:
    await actions.remove_reaction(svc, actor.id, parse_id(message_id), emoji)
    return _no_content()


@router.post("/uploads", status_code=201)
async def upload(
    file: Annotated[UploadFile, File()], actor: ActorDep, svc: ServicesDep
) -> Response:
    stored = await uploads.store_upload(svc, actor.id, file.file, file.filename, file.content_type)
    return _json(stored, 201)


@router.get("/uploads/{upload_id}")
async def download(upload_id: str, actor: ActorDep, svc: ServicesDep) -> Response:
    stored = await uploads.access_upload(svc, actor.id, parse_id(upload_id))
    return FileResponse(
        stored.path,
        media_type=stored.content_type,
        filename=stored.name,
        content_disposition_type="inline" if stored.inline else "attachment",
        headers={
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cache-Control": "private, max-age=3600",
        },
    )


@router.get("/search/messages")
async def search_messages(
    actor: ActorDep,
    svc: ServicesDep,
    q: str = "",
    cursor: str | None = None,
    limit: Limit = queries.DEFAULT_LIMIT,
) -> Response:
    page = await queries.search_messages(svc, actor.id, q, cursor=parse_cursor(cursor), limit=limit)
    return _json(page.as_dict())
