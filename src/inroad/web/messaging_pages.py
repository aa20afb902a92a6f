"""The Messaging pages: inbox with folders and search, a conversation, compose, group settings.

Server-rendered over the same messaging ``queries``/``actions`` the REST API uses; every page
works without JavaScript (forms post to the routes below, each with CSRF). ``messaging.js`` adds
the live layer: the ``/api/v1/events`` WebSocket, in-page sends and reactions through the REST
API. Message text reaches templates as ``linkify`` segments and is autoescaped there: it is
never HTML.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from inroad.accounts.actor import Actor
from inroad.api.deps import ServicesDep
from inroad.errors import InroadError, InvalidInput, text_limit
from inroad.messaging import actions, people, queries, uploads
from inroad.messaging import api as messaging_api
from inroad.messaging.tables import FOLDERS as FOLDER_KEYS
from inroad.messaging.views import parse_cursor, parse_id
from inroad.network import actions as network_actions
from inroad.network import queries as network_queries
from inroad.network import rules as network_rules
from inroad.premium.inmail_views import waiting_for_answer
from inroad.profiles.views import member_view
from inroad.realtime.store import position
from inroad.services import Services
from inroad.web.shell import (
    TEMPLATES_DIR,
    CsrfDep,
    WebActorDep,
    act,
    redirect,
    register_badges,
    render,
)

router = APIRouter(include_in_schema=False)

FOLDERS = (("focused", "Focused"), ("other", "Other"), ("archived", "Archived"), ("spam", "Spam"))
assert tuple(key for key, _ in FOLDERS) == FOLDER_KEYS
EMPTY_FOLDER = {
    "focused": "No conversations yet. Start one with a connection.",
    "other": "Nothing here. InMail and message requests from outside your network land here.",
    "archived": "No archived conversations.",
    "spam": "No conversations in Spam.",
}
REPORT_REASONS = (
    ("spam", "Spam"),
    ("scam", "Scam or fraud"),
    ("harassment", "Harassment"),
    ("inappropriate", "Inappropriate"),
    ("other", "Something else"),
)
assert tuple(key for key, _ in REPORT_REASONS) == network_rules.REPORT_REASONS
# The reactions offered in the message menu (the API accepts any single emoji).
EMOJIS = ("👍", "❤️", "😂", "🎉", "👏", "😮")
MESSAGES_PER_PAGE = 50
CONVERSATIONS_PER_PAGE = 30
SEARCH_RESULTS = 50
PICKER_SIZE = 50
QUERY_LIMIT = 200
GROUP_GAP = timedelta(minutes=5)
# Optional includes from the premium pages: answer an InMail, answer a message request.
INMAIL_ACTIONS = "premium/inmail_actions.html"
REQUEST_ACTIONS = "premium/request_actions.html"

URL = re.compile(r"https?://[^\s<>\"']+")
TRAILING_PUNCTUATION = ".,;:!?)]}'\""

OptionalText = Annotated[str, Form()]
Handles = Annotated[list[str] | None, Form()]


# --- presentation helpers ------------------------------------------------------------------


def linkify(text: str) -> list[tuple[str, str]]:
    """``text`` split into ``("text", …)`` and ``("link", url)`` segments. Only http(s) URLs
    become links (so never ``javascript:``); trailing punctuation stays text. The template
    escapes every segment; messaging.js's ``appendLinkified`` splits the same way."""
    segments: list[tuple[str, str]] = []
    last = 0
    for match in URL.finditer(text):
        url = match.group(0).rstrip(TRAILING_PUNCTUATION)
        if len(url) <= len(url.split("://", 1)[0]) + 3:
            continue
        start = match.start()
        if start > last:
            segments.append(("text", text[last:start]))
        segments.append(("link", url))
        last = start + len(url)
    if last < len(text):
        segments.append(("text", text[last:]))
    return segments


def _parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _clock(at: datetime) -> str:
    return at.strftime("%H:%M")


def day_label(at: datetime, now: datetime) -> str:
    """"Today", "Yesterday", else "Mon, Mar 4" (with the year when it is not this year).
    Server times are UTC; messaging.js relabels in the reader's time zone."""
    if at.date() == now.date():
        return "Today"
    if at.date() == (now - timedelta(days=1)).date():
        return "Yesterday"
    label = f"{at:%a}, {at:%b} {at.day}"
    return label if at.year == now.year else f"{label}, {at.year}"


def row_time_label(at: datetime, now: datetime) -> str:
    if at.date() == now.date():
        return _clock(at)
    if now - at < timedelta(days=6):
        return f"{at:%a}"
    return f"{at:%b} {at.day}"


def size_label(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{round(size / 1024)} KB"
    return f"{size} B"


def conversation_name(conversation: dict[str, Any], others: list[dict[str, Any]]) -> str:
    if conversation.get("title"):
        return str(conversation["title"])
    names = [str(m["name"]) for m in others]
    if not names:
        return "Just you"
    if len(names) > 3:
        return f"{', '.join(names[:3])} and {len(names) - 3} more"
    return ", ".join(names)


def snippet(conversation: dict[str, Any], me: str) -> str:
    """The inbox line under a conversation's name (messaging.js ``snippet`` mirrors it)."""
    message = conversation.get("last_message")
    if not message:
        return ""
    if message["deleted"]:
        text = "This message was deleted"
    else:
        text = " ".join((message.get("text") or "").split())
        if not text and message["attachments"]:
            text = "Sent an attachment"
    sender = message["sender"]
    if sender.get("handle") == me:
        return f"You: {text}"
    if conversation["kind"] == "group":
        return f"{str(sender['name']).split(' ')[0]}: {text}"
    return text


@dataclass(frozen=True)
class Row:
    """A conversation as the inbox list and the conversation header show it."""

    id: str
    kind: str
    name: str
    others: list[dict[str, Any]]
    snippet: str
    unread: int
    muted: bool
    time_iso: str | None
    time_label: str


def conversation_row(conversation: dict[str, Any], me: str, now: datetime) -> Row:
    others = [p for p in conversation["participants"] if p.get("handle") != me]
    last = conversation.get("last_message")
    at = _parse_time(last["created_at"]) if last else None
    return Row(
        id=conversation["id"],
        kind=conversation["kind"],
        name=conversation_name(conversation, others),
        others=others,
        snippet=snippet(conversation, me),
        unread=int(conversation["unread_count"]),
        muted=bool(conversation["muted"]),
        time_iso=last["created_at"] if last else None,
        time_label=row_time_label(at, now) if at else "",
    )


@dataclass(frozen=True)
class MessageItem:
    message: dict[str, Any]
    mine: bool
    segments: list[tuple[str, str]]
    attachments: list[dict[str, Any]]
    time_iso: str
    time_label: str
    editable: bool
    continued: bool
    day: None = None


@dataclass(frozen=True)
class DaySeparator:
    day: str
    day_key: str


def timeline(
    messages: list[dict[str, Any]], me: str, now: datetime
) -> list[MessageItem | DaySeparator]:
    """Oldest-first messages with a separator before each new day; a message follows on from
    the one before (no repeated name and avatar) when the same person sent it within minutes."""
    items: list[MessageItem | DaySeparator] = []
    previous: dict[str, Any] | None = None
    previous_at: datetime | None = None
    for message in messages:
        at = _parse_time(message["created_at"])
        new_day = previous_at is None or at.date() != previous_at.date()
        if new_day:
            items.append(DaySeparator(day_label(at, now), at.date().isoformat()))
        continued = (
            not new_day
            and previous is not None
            and previous_at is not None
            and previous["sender"].get("handle") == message["sender"].get("handle")
            and at - previous_at < GROUP_GAP
        )
        mine = message["sender"].get("handle") == me
        items.append(
            MessageItem(
                message=message,
                mine=mine,
                segments=linkify(message["text"] or ""),
                attachments=[
                    {
                        **a,
                        "url": file_url(a["id"]),
                        "inline": a["content_type"] in uploads.INLINE_TYPES,
                        "size_label": size_label(int(a["size"])),
                    }
                    for a in message["attachments"]
                ],
                time_iso=message["created_at"],
                time_label=_clock(at),
                editable=mine
                and not message["deleted"]
                and now - at < actions.EDIT_WINDOW,
                continued=continued,
            )
        )
        previous, previous_at = message, at
    return items


@dataclass
class SearchHit:
    message: dict[str, Any]
    time_iso: str
    time_label: str


def _template_exists(name: str) -> bool:
    return (TEMPLATES_DIR / name).is_file()


def _new_client_id() -> str:
    return str(uuid.uuid4())


# --- shared page context -------------------------------------------------------------------


def check_folder(folder: str) -> str:
    if folder not in FOLDER_KEYS:
        raise InvalidInput(
            "invalid_folder", "The folder is one of: " + ", ".join(FOLDER_KEYS) + ".",
            field="folder",
        )
    return folder


def check_query(q: str | None) -> str:
    q = (q or "").strip()
    text_limit(q, QUERY_LIMIT, "field_too_long", "The search text", field="q")
    return q


@dataclass
class Sidebar:
    """What the left column needs, and the event cursor the page is current as of."""

    folder: str
    rows: list[Row]
    next_cursor: str | None
    cursor: int
    q: str = ""
    results: list[SearchHit] = field(default_factory=list)
    # InMails received 3+ days ago and still unanswered (the in-app reminder).
    waiting: list[dict[str, Any]] = field(default_factory=list)

    def context(self) -> dict[str, Any]:
        return {
            "waiting": self.waiting,
            "folder": self.folder,
            "rows": self.rows,
            "next_cursor": self.next_cursor,
            "cursor": str(self.cursor),
            "q": self.q,
            "results": self.results,
        }


async def _sidebar(
    svc: Services, actor: Actor, folder: str, *, cursor: str | None = None, q: str = ""
) -> Sidebar:
    # The event position is read first: the WebSocket replays from it, so nothing that happens
    # while the page is being built is missed.
    async with svc.db.read() as conn:
        at = await position(conn, actor.id)
    now = svc.clock.now()
    if q:
        page = await queries.search_messages(svc, actor.id, q, cursor=None, limit=SEARCH_RESULTS)
        hits = [
            SearchHit(m, m["created_at"], row_time_label(_parse_time(m["created_at"]), now))
            for m in page.items
        ]
        return Sidebar(folder, [], None, at, q=q, results=hits)
    inbox = await queries.inbox(
        svc, actor.id, folder=folder, cursor=parse_cursor(cursor), limit=CONVERSATIONS_PER_PAGE
    )
    rows = [conversation_row(c, actor.handle, now) for c in inbox.items]
    waiting = await waiting_for_answer(svc, actor.id)
    return Sidebar(folder, rows, inbox.next_cursor, at, waiting=waiting)


def _constants() -> dict[str, Any]:
    return {
        "nav": "messaging",
        "FOLDERS": FOLDERS,
        "EMPTY_FOLDER": EMPTY_FOLDER,
        "EMOJIS": EMOJIS,
        "REPORT_REASONS": REPORT_REASONS,
        "TEXT_LIMIT": actions.MAX_TEXT,
        "TITLE_LIMIT": actions.MAX_TITLE,
        "GROUP_LIMIT": actions.MAX_MEMBERS,
        "QUERY_LIMIT": QUERY_LIMIT,
        "ATTACHMENT_LIMIT_MIB": uploads.MAX_UPLOAD // (1024 * 1024),
    }


async def _render(
    request: Request,
    template: str,
    context: dict[str, Any],
    status: int = 200,
    error: InroadError | None = None,
) -> HTMLResponse:
    response = await render(request, template, {**_constants(), **context}, status=status)
    if error is not None:
        response.headers.update(error.headers())
    return response


# --- inbox ---------------------------------------------------------------------------------


@router.get("/messaging")
async def inbox_page(
    request: Request,
    svc: ServicesDep,
    actor: WebActorDep,
    folder: str = "focused",
    q: str | None = None,
    cursor: str | None = None,
) -> HTMLResponse:
    sidebar = await _sidebar(svc, actor, check_folder(folder), cursor=cursor, q=check_query(q))
    return await _render(request, "messaging/inbox.html", {**sidebar.context(), "has_pane": False})


# --- new conversation ----------------------------------------------------------------------


async def _picker(
    svc: Services, actor: Actor, selected: list[str], q: str, exclude: set[str] | None = None
) -> tuple[list[dict[str, Any]], list[str], bool]:
    """Connections to pick from: the chosen ones first (kept checked whatever the search), then
    up to ``PICKER_SIZE`` connections whose name matches ``q``. Returns the members, the chosen
    handles that are real, and whether the member has any connection at all."""
    exclude = exclude or set()
    chosen = list(dict.fromkeys(h.strip().lower() for h in selected if h.strip()))
    chosen = chosen[: actions.MAX_HANDLES]
    async with svc.db.read() as conn:
        resolved = await people.resolve_handles(conn, actor.id, chosen)
        visible = {h: r for h, r in resolved.items() if not r.blocked and r.connected}
        rows = await people.member_rows(conn, [r.id for r in visible.values()])
    chosen = [h for h in chosen if h in visible]
    first = [member_view(rows[visible[h].id]) for h in chosen]
    found = await network_queries.list_connections(svc, actor, q=q or None, limit=PICKER_SIZE)
    rest = [
        item["member"]
        for item in found["items"]
        if item["member"]["handle"] not in chosen and item["member"]["handle"] not in exclude
    ]
    has_connections = bool(found["items"]) or bool(q) or bool(chosen)
    return first + rest, chosen, has_connections


async def _new_page(
    request: Request,
    svc: Services,
    actor: Actor,
    *,
    selected: list[str],
    q: str = "",
    title: str = "",
    text: str = "",
    client_id: str | None = None,
    error: InroadError | None = None,
) -> HTMLResponse:
    sidebar = await _sidebar(svc, actor, "focused")
    candidates, chosen, has_connections = await _picker(svc, actor, selected, q)
    context = {
        **sidebar.context(),
        "has_pane": True,
        "candidates": candidates,
        "selected": chosen,
        "has_connections": has_connections,
        "picker_q": q,
        "title": title,
        "text": text,
        "client_id": client_id or _new_client_id(),
        "error": error.message if error else None,
    }
    return await _render(
        request, "messaging/new.html", context, status=error.status if error else 200, error=error
    )


@router.get("/messaging/new")
async def new_page(
    request: Request,
    svc: ServicesDep,
    actor: WebActorDep,
    to: Annotated[list[str] | None, Query()] = None,
    q: str | None = None,
) -> HTMLResponse:
    return await _new_page(request, svc, actor, selected=to or [], q=check_query(q))


@router.post("/messaging/new")
async def new_conversation(
    request: Request,
    svc: ServicesDep,
    actor: WebActorDep,
    _: CsrfDep,
    to: Handles = None,
    text: OptionalText = "",
    title: OptionalText = "",
    client_id: OptionalText = "",
) -> Response:
    handles = to or []
    try:
        started = await actions.start_conversation(
            svc,
            actor,
            handles=handles,
            text=text,
            client_id=client_id,
            # A title only means something for a group; a 1:1 form may still carry the field.
            title=(title or None) if len(set(handles)) > 1 else None,
        )
    except InroadError as exc:
        return await _new_page(
            request, svc, actor, selected=handles, title=title, text=text,
            client_id=client_id or None, error=exc,
        )
    return redirect(f"/messaging/{started.conversation_id}#m-{started.message['id']}")


# --- a conversation ------------------------------------------------------------------------


async def _conversation_page(
    request: Request,
    svc: Services,
    actor: Actor,
    conversation_id: int,
    *,
    before: str | None = None,
    draft: str = "",
    client_id: str | None = None,
    error: InroadError | None = None,
    details_open: bool = False,
) -> HTMLResponse:
    conversation = await queries.get_conversation(svc, actor.id, conversation_id)
    last = conversation.get("last_message")
    if conversation["unread_count"] and last is not None:
        # Opening a conversation reads it (mark-unread sends the member back to the inbox).
        await actions.read(svc, actor.id, conversation_id, parse_id(last["id"]))
        conversation["unread_count"] = 0
    sidebar = await _sidebar(svc, actor, conversation["folder"])
    page = await queries.messages_page(
        svc, actor.id, conversation_id, cursor=parse_cursor(before), limit=MESSAGES_PER_PAGE
    )
    now = svc.clock.now()
    seen = False
    if last is not None and last["sender"]["handle"] == actor.handle:
        seen = await queries.seen_by_others(svc, actor.id, conversation_id, parse_id(last["id"]))
    context = {
        **sidebar.context(),
        "has_pane": True,
        "seen": seen,
        "conversation": conversation,
        "view": conversation_row(conversation, actor.handle, now),
        "timeline": timeline(list(reversed(page.items)), actor.handle, now),
        "older_cursor": page.next_cursor,
        "draft": draft,
        "client_id": client_id or _new_client_id(),
        "error": error.message if error else None,
        "details_open": details_open,
        "inmail_actions_template": INMAIL_ACTIONS if _template_exists(INMAIL_ACTIONS) else None,
        "request_actions_template": REQUEST_ACTIONS if _template_exists(REQUEST_ACTIONS) else None,
    }
    return await _render(
        request, "messaging/conversation.html", context,
        status=error.status if error else 200, error=error,
    )


@router.get("/messaging/{conversation_id}")
async def conversation_page(
    request: Request,
    svc: ServicesDep,
    actor: WebActorDep,
    conversation_id: str,
    before: str | None = None,
) -> HTMLResponse:
    return await _conversation_page(request, svc, actor, parse_id(conversation_id), before=before)


@router.post("/messaging/{conversation_id}/send")
async def send(
    request: Request,
    svc: ServicesDep,
    actor: WebActorDep,
    _: CsrfDep,
    conversation_id: str,
    text: OptionalText = "",
    client_id: OptionalText = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    cid = parse_id(conversation_id)
    try:
        upload_ids: list[int] = []
        if file is not None and file.filename:
            stored = await uploads.store_upload(
                svc, actor.id, file.file, file.filename, file.content_type
            )
            upload_ids.append(parse_id(stored["id"]))
        sent = await actions.send_message(
            svc, actor.id, cid, text=text, client_id=client_id, upload_ids=upload_ids
        )
    except InroadError as exc:
        return await _conversation_page(
            request, svc, actor, cid, draft=text, client_id=client_id or None, error=exc
        )
    return redirect(f"/messaging/{cid}#m-{sent.message['id']}")


def _show_again(
    request: Request, svc: Services, actor: Actor, cid: int, **extra: Any
) -> Callable[[InroadError], Awaitable[Response]]:
    """For ``act``: a refused action shows the conversation again, with the service's message."""

    async def show(error: InroadError) -> Response:
        return await _conversation_page(request, svc, actor, cid, error=error, **extra)

    return show


@router.post("/messaging/{conversation_id}/archive")
async def archive(
    request: Request,
    svc: ServicesDep,
    actor: WebActorDep,
    _: CsrfDep,
    conversation_id: str,
    archived: OptionalText = "true",
) -> Response:
    cid = parse_id(conversation_id)
    on = archived != "false"
    await actions.update_conversation(svc, actor.id, cid, archived=on)
    if on:
        return redirect("/messaging", notice="Conversation archived.")
    return redirect(f"/messaging/{cid}", notice="Moved back to your inbox.")


@router.post("/messaging/{conversation_id}/mute")
async def mute(
    request: Request,
    svc: ServicesDep,
    actor: WebActorDep,
    _: CsrfDep,
    conversation_id: str,
    muted: OptionalText = "true",
) -> Response:
    cid = parse_id(conversation_id)
    on = muted != "false"
    await actions.update_conversation(svc, actor.id, cid, muted=on)
    notice = "Conversation muted." if on else "Conversation unmuted."
    return redirect(f"/messaging/{cid}", notice=notice)


@router.post("/messaging/{conversation_id}/unread")
async def mark_unread(
    request: Request, svc: ServicesDep, actor: WebActorDep, _: CsrfDep, conversation_id: str
) -> Response:
    cid = parse_id(conversation_id)
    await actions.mark_unread(svc, actor.id, cid)
    # Back to the list: showing the conversation again would read it.
    conversation = await queries.get_conversation(svc, actor.id, cid)
    return redirect(f"/messaging?folder={conversation['folder']}", notice="Marked as unread.")


@router.post("/messaging/{conversation_id}/leave")
async def leave(
    request: Request, svc: ServicesDep, actor: WebActorDep, _: CsrfDep, conversation_id: str
) -> Response:
    cid = parse_id(conversation_id)
    return await act(
        lambda: actions.remove_participant(svc, actor.id, cid, None),
        "/messaging",
        notice="You left the conversation.",
        refused=_show_again(request, svc, actor, cid),
    )


@router.post("/messaging/{conversation_id}/rename")
async def rename(
    request: Request,
    svc: ServicesDep,
    actor: WebActorDep,
    _: CsrfDep,
    conversation_id: str,
    title: OptionalText = "",
) -> Response:
    cid = parse_id(conversation_id)
    return await act(
        lambda: actions.update_conversation(svc, actor.id, cid, title=title),
        f"/messaging/{cid}",
        notice="Group name saved.",
        refused=_show_again(request, svc, actor, cid, details_open=True),
    )


@router.get("/messaging/{conversation_id}/add")
async def add_people_page(
    request: Request,
    svc: ServicesDep,
    actor: WebActorDep,
    conversation_id: str,
    to: Annotated[list[str] | None, Query()] = None,
    q: str | None = None,
) -> HTMLResponse:
    return await _add_people_page(
        request, svc, actor, parse_id(conversation_id), selected=to or [], q=check_query(q)
    )


async def _add_people_page(
    request: Request,
    svc: Services,
    actor: Actor,
    cid: int,
    *,
    selected: list[str],
    q: str = "",
    error: InroadError | None = None,
) -> HTMLResponse:
    conversation = await queries.get_conversation(svc, actor.id, cid)
    present = {str(p["handle"]) for p in conversation["participants"] if p.get("handle")}
    sidebar = await _sidebar(svc, actor, conversation["folder"])
    candidates, chosen, _ = await _picker(svc, actor, selected, q, exclude=present)
    context = {
        **sidebar.context(),
        "has_pane": True,
        "conversation": conversation,
        "view": conversation_row(conversation, actor.handle, svc.clock.now()),
        "candidates": candidates,
        "selected": chosen,
        "picker_q": q,
        "error": error.message if error else None,
    }
    return await _render(
        request, "messaging/add_people.html", context,
        status=error.status if error else 200, error=error,
    )


@router.post("/messaging/{conversation_id}/participants")
async def add_people(
    request: Request,
    svc: ServicesDep,
    actor: WebActorDep,
    _: CsrfDep,
    conversation_id: str,
    to: Handles = None,
) -> Response:
    cid = parse_id(conversation_id)

    async def show_again(error: InroadError) -> Response:
        return await _add_people_page(request, svc, actor, cid, selected=to or [], error=error)

    return await act(
        lambda: actions.add_participants(svc, actor, cid, to or []),
        f"/messaging/{cid}",
        notice="Added to the conversation.",
        refused=show_again,
    )


@router.post("/messaging/{conversation_id}/participants/{handle}/remove")
async def remove_person(
    request: Request,
    svc: ServicesDep,
    actor: WebActorDep,
    _: CsrfDep,
    conversation_id: str,
    handle: str,
) -> Response:
    cid = parse_id(conversation_id)
    return await act(
        lambda: actions.remove_participant(svc, actor.id, cid, handle),
        f"/messaging/{cid}",
        notice="Removed from the conversation.",
        refused=_show_again(request, svc, actor, cid, details_open=True),
    )


@router.post("/messaging/{conversation_id}/report")
async def report(
    request: Request,
    svc: ServicesDep,
    actor: WebActorDep,
    _: CsrfDep,
    conversation_id: str,
    reason: OptionalText = "",
    detail: OptionalText = "",
) -> Response:
    cid = parse_id(conversation_id)
    # do_report answers 404 to anyone but a participant, and so does the page shown on refusal.
    return await act(
        lambda: network_actions.do_report(
            svc, actor, reason=reason, conversation_id=str(cid), detail=detail or None
        ),
        "/messaging",
        notice="Thank you. Your report was sent to the moderators.",
        refused=_show_again(request, svc, actor, cid),
    )


# --- a message -----------------------------------------------------------------------------


@router.post("/messaging/{conversation_id}/messages/{message_id}/reactions/{op}")
async def react(
    request: Request,
    svc: ServicesDep,
    actor: WebActorDep,
    _: CsrfDep,
    conversation_id: str,
    message_id: str,
    op: str,
    emoji: OptionalText = "",
) -> Response:
    cid, mid = parse_id(conversation_id), parse_id(message_id)

    async def change() -> None:
        if op == "add":
            await actions.add_reaction(svc, actor.id, mid, emoji)
        elif op == "remove":
            await actions.remove_reaction(svc, actor.id, mid, emoji)
        else:
            raise InvalidInput("invalid_input", "A reaction is added or removed.", field="op")

    return await act(
        change, f"/messaging/{cid}#m-{mid}", refused=_show_again(request, svc, actor, cid)
    )


@router.post("/messaging/{conversation_id}/messages/{message_id}/edit")
async def edit(
    request: Request,
    svc: ServicesDep,
    actor: WebActorDep,
    _: CsrfDep,
    conversation_id: str,
    message_id: str,
    text: OptionalText = "",
) -> Response:
    cid, mid = parse_id(conversation_id), parse_id(message_id)
    return await act(
        lambda: actions.edit_message(svc, actor.id, mid, text),
        f"/messaging/{cid}#m-{mid}",
        refused=_show_again(request, svc, actor, cid),
    )


@router.post("/messaging/{conversation_id}/messages/{message_id}/unsend")
async def unsend(
    request: Request,
    svc: ServicesDep,
    actor: WebActorDep,
    _: CsrfDep,
    conversation_id: str,
    message_id: str,
) -> Response:
    cid, mid = parse_id(conversation_id), parse_id(message_id)
    return await act(
        lambda: actions.delete_message(svc, actor.id, mid),
        f"/messaging/{cid}#m-{mid}",
        refused=_show_again(request, svc, actor, cid),
    )


# --- attachments ---------------------------------------------------------------------------


def file_url(upload_id: str) -> str:
    """Where a page fetches an attachment: plain GETs (``<img>``, links) carry the session
    cookie but no CSRF header, which the API rightly asks of cookie callers."""
    return f"/messaging/files/{upload_id}"


@router.get("/messaging/files/{upload_id}")
async def attachment(upload_id: str, svc: ServicesDep, actor: WebActorDep) -> Response:
    """The API's download (same access rule and safety headers), for the signed-in browser."""
    return await messaging_api.download(upload_id, actor, svc)


# --- header badge --------------------------------------------------------------------------


async def unread_badge(svc: Services, actor: Actor) -> dict[str, int]:
    """The header's Messaging count: conversations with unread messages."""
    return {"messaging": await queries.unread_conversation_count(svc, actor.id)}


def install(app: FastAPI) -> None:
    """Include the pages and register the header badge (one call from ``pages.install``)."""
    app.include_router(router)
    register_badges(app, unread_badge)
