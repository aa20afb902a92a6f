"""Messaging writes.

``check_*`` validate input and raise 422s. ``do_*`` run inside one ``Tx`` (one write
transaction): they authorise through ``access``, write, and add the events they cause to the
transaction's outbox, which is flushed before commit and published after it. The plain-named
functions at the bottom open that transaction; routes and web pages call those.

Send cost (the hot path): one authorisation query (participant, 1:1 relationship, sender's
Member columns and the rolling-minute edge), one INSERT … ON CONFLICT DO NOTHING of the message,
one UPDATE of every participant's state RETURNING who they are, then the event counters and
events — five statements in one transaction.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from inroad.accounts import throttle
from inroad.accounts.actor import Actor
from inroad.accounts.tables import members
from inroad.errors import (
    Conflict,
    Forbidden,
    InroadError,
    InvalidInput,
    NotFound,
    TooManyRequests,
    text_limit,
)
from inroad.messaging import events as ev
from inroad.messaging import people, queries, uploads
from inroad.messaging.access import (
    ConversationState,
    access_conversation,
    access_for_send,
    access_message,
    closed_reason,
)
from inroad.messaging.tables import (
    conversation_members,
    conversations,
    messages,
    reactions,
)
from inroad.messaging.tables import uploads as uploads_table
from inroad.messaging.views import message_view, parse_id, reactions_view
from inroad.premium import answers as inmail_answers
from inroad.profiles.views import MEMBER_COLUMNS, member_view
from inroad.realtime.outbox import Tx, transaction
from inroad.services import Services

cm = conversation_members

MAX_TEXT = 8000
MAX_MEMBERS = 50  # per conversation, the creator included (fixed)
MAX_HANDLES = MAX_MEMBERS - 1
EDIT_WINDOW = timedelta(minutes=60)
SEND_WINDOW = timedelta(minutes=1)
MAX_CLIENT_ID = 100
MAX_TITLE = 200
MAX_ATTACHMENTS = 10
MAX_EMOJI = 16  # code points: enough for ZWJ sequences, flags and skin tones
MAX_REACTIONS_PER_MEMBER = 20  # distinct emoji one member may put on one message


# ---------------------------------------------------------------------------------------------
# Validation


def _plain_text(value: str, field: str) -> None:
    """Text the databases can store: no NUL (PostgreSQL refuses it), no lone surrogates."""
    if "\x00" in value:
        raise InvalidInput("invalid_input", f"{field} contains a NUL character.", field=field)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput(
            "invalid_input", f"{field} is not valid Unicode text.", field=field
        ) from None


def check_text(text: str, *, has_attachments: bool) -> None:
    """≤ 8,000 code points, stored verbatim; blank only when files are attached."""
    _plain_text(text, "text")
    text_limit(text, MAX_TEXT, "text_too_long", "The message")
    if not text.strip() and not has_attachments:
        raise InvalidInput("empty_message", "Write a message or attach a file.", field="text")


def check_client_id(client_id: str) -> None:
    _plain_text(client_id, "client_id")
    if not client_id or len(client_id) > MAX_CLIENT_ID:
        raise InvalidInput(
            "invalid_input",
            f"client_id must be 1–{MAX_CLIENT_ID} characters, unique per message (e.g. a UUID).",
            field="client_id",
        )


def check_title(title: str | None) -> str | None:
    """A trimmed group title (≤ 200); blank clears it."""
    if title is None:
        return None
    _plain_text(title, "title")
    title = title.strip()
    text_limit(title, MAX_TITLE, "field_too_long", "The title", field="title")
    return title or None


def check_emoji(emoji: str) -> str:
    """One emoji (sequences, flags, keycaps and skin tones allowed), not words or markup."""
    _plain_text(emoji, "emoji")
    ok = 0 < len(emoji) <= MAX_EMOJI and any(
        unicodedata.category(ch) in ("So", "Me") for ch in emoji
    )
    for ch in emoji:
        category = unicodedata.category(ch)
        if (
            ch.isspace()
            or category.startswith("L")
            or (category.startswith("C") and category != "Cf")
        ):
            ok = False
    if not ok:
        raise InvalidInput("invalid_emoji", "React with a single emoji.", field="emoji")
    return emoji


def check_handles(handles: Sequence[str], actor_handle: str) -> list[str]:
    """Distinct handles other than the actor's, at most 49 (50 members with the actor)."""
    wanted: list[str] = []
    for raw in handles:
        handle = raw.strip().lower()
        if handle and handle != actor_handle and handle not in wanted:
            wanted.append(handle)
    if len(wanted) > MAX_HANDLES:
        raise InvalidInput(
            "too_many_participants",
            f"A conversation holds at most {MAX_MEMBERS} members including you "
            f"({MAX_HANDLES} others); {len(wanted)} were given.",
            limit=MAX_MEMBERS,
        )
    if not wanted:
        raise InvalidInput(
            "invalid_input", "Name at least one other member by handle.", field="participants"
        )
    return wanted


def parse_upload_ids(raw: Sequence[str] | None) -> list[int]:
    ids: list[int] = []
    for item in raw or ():
        try:
            upload_id = parse_id(item)
        except NotFound:
            raise InvalidInput(
                "invalid_attachment", f"{item!r} is not an upload id.", field="attachments"
            ) from None
        if upload_id not in ids:
            ids.append(upload_id)
    if len(ids) > MAX_ATTACHMENTS:
        raise InvalidInput(
            "too_many_attachments",
            f"Attach at most {MAX_ATTACHMENTS} files to one message.",
            limit=MAX_ATTACHMENTS,
        )
    return ids


def _check_rate(edge: datetime | None, now: datetime) -> None:
    """``edge`` is when the actor sent their N-th newest message (N = the limit): if that is
    inside the rolling minute, N messages already are, and this one would be one too many."""
    if edge is not None and edge > now - SEND_WINDOW:
        raise TooManyRequests(
            "too_many_messages",
            "You are sending messages too quickly. Wait a moment, then try again.",
            throttle.retry_after(edge, SEND_WINDOW, now),
        )


# ---------------------------------------------------------------------------------------------
# Shared steps


def _insert(conn: AsyncConnection, table: sa.Table) -> Any:
    return (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(table)


async def _claimable_uploads(
    conn: AsyncConnection, owner_id: int, upload_ids: Sequence[int]
) -> list[dict[str, Any]]:
    """The owner's unattached uploads, in the order given; 422 ``invalid_attachment`` if any
    id is unknown, someone else's or already sent."""
    if not upload_ids:
        return []
    rows = await conn.execute(
        sa.select(
            uploads_table.c.id,
            uploads_table.c.name,
            uploads_table.c.size,
            uploads_table.c.content_type,
        ).where(
            uploads_table.c.id.in_(list(upload_ids)),
            uploads_table.c.owner_id == owner_id,
            uploads_table.c.message_id.is_(None),
        )
    )
    found = {r.id: dict(r._mapping) for r in rows}
    missing = [str(i) for i in upload_ids if i not in found]
    if missing:
        raise InvalidInput(
            "invalid_attachment",
            "Attach your own uploads, each to one message only.",
            field="attachments",
            ids=missing,
        )
    return [found[i] for i in upload_ids]


async def _attach(
    conn: AsyncConnection, files: Sequence[Mapping[Any, Any]], message_id: int
) -> None:
    if not files:
        return
    ids = [f["id"] for f in files]
    result = await conn.execute(
        sa.update(uploads_table)
        .where(uploads_table.c.id.in_(ids), uploads_table.c.message_id.is_(None))
        .values(message_id=message_id)
    )
    if result.rowcount != len(ids):  # another send attached one of them meanwhile
        raise InvalidInput(
            "invalid_attachment",
            "One of those files was just sent in another message.",
            field="attachments",
        )


# The send path's statements are built once (parameters bound per call): building a statement
# costs more than running it on SQLite.
_INSERT_MESSAGE = {
    name: dialect.insert(messages)
    .on_conflict_do_nothing(index_elements=[messages.c.sender_id, messages.c.client_id])
    .returning(messages.c.id)
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}
_IS_SENDER = cm.c.member_id == sa.bindparam("p_actor", type_=sa.BigInteger)
_NEW_MESSAGE_ID = sa.bindparam("p_message", type_=sa.BigInteger)
_POST_TO_MEMBERS = (
    sa.update(cm)
    .where(cm.c.conversation_id == sa.bindparam("p_conversation", type_=sa.BigInteger))
    .values(
        last_message_id=_NEW_MESSAGE_ID,
        unread_count=sa.case((_IS_SENDER, 0), else_=cm.c.unread_count + 1),
        last_read_message_id=sa.case(
            (_IS_SENDER, _NEW_MESSAGE_ID), else_=cm.c.last_read_message_id
        ),
        # A new message brings an archived conversation back (spam stays spam).
        folder=sa.case((cm.c.folder == "archived", cm.c.home), else_=cm.c.folder),
    )
    .returning(cm.c.member_id)
)


async def _insert_message(
    conn: AsyncConnection,
    *,
    conversation_id: int,
    sender_id: int,
    client_id: str,
    text: str,
    files: Sequence[Mapping[Any, Any]],
    now: datetime,
) -> int | None:
    """The new message's id, or None when this sender already used ``client_id``. On
    PostgreSQL a concurrent insert of the same key waits for the other transaction and then
    yields None (its row is visible to our next statement)."""
    values = {
        "conversation_id": conversation_id,
        "sender_id": sender_id,
        "client_id": client_id,
        "text": text,
        "attachments": [dict(f) for f in files],
        "created_at": now,
    }
    return (await conn.execute(_INSERT_MESSAGE[conn.dialect.name], values)).scalar_one_or_none()


def _new_message_view(
    *,
    message_id: int,
    conversation_id: int,
    sender: Mapping[Any, Any],
    client_id: str,
    text: str,
    files: Sequence[Mapping[Any, Any]],
    now: datetime,
) -> dict[str, Any]:
    row = {
        "id": message_id,
        "conversation_id": conversation_id,
        "sender_id": sender["id"],
        "client_id": client_id,
        "text": text,
        "subject": None,
        "attachments": list(files),
        "created_at": now,
        "edited_at": None,
        "deleted_at": None,
    }
    return message_view(row, member_view(sender), [])


async def _participant_ids(conn: AsyncConnection, conversation_id: int) -> list[int]:
    return list(
        (
            await conn.execute(
                sa.select(cm.c.member_id).where(cm.c.conversation_id == conversation_id)
            )
        ).scalars()
    )


async def _participants_changed(tx: Tx, conversation_id: int) -> list[int]:
    """Tell every current participant the new participant list; returns their ids."""
    rows = (await queries.participant_rows(tx.conn, [conversation_id])).get(conversation_id, [])
    ids = [r["id"] for r in rows]
    tx.outbox.add(
        ids,
        ev.CONVERSATION_UPDATED,
        {
            "conversation_id": str(conversation_id),
            "changes": {"participants": [member_view(r) for r in rows]},
        },
    )
    return ids


def _updated(conversation_id: int, **changes: Any) -> dict[str, Any]:
    return {"conversation_id": str(conversation_id), "changes": changes}


# ---------------------------------------------------------------------------------------------
# Sending


@dataclass(frozen=True)
class Sent:
    """``created`` is False for an idempotent retry (answer 200 with the original)."""

    message: dict[str, Any]
    created: bool


async def _post(
    tx: Tx,
    state: ConversationState,
    sender: Mapping[Any, Any],
    *,
    text: str,
    client_id: str,
    files: Sequence[Mapping[Any, Any]],
    now: datetime,
) -> Sent:
    conn = tx.conn
    actor_id = sender["id"]
    conversation_id = state.conversation_id
    message_id = await _insert_message(
        conn,
        conversation_id=conversation_id,
        sender_id=actor_id,
        client_id=client_id,
        text=text,
        files=files,
        now=now,
    )
    if message_id is None:
        existing = await queries.message_by_client_id(conn, actor_id, client_id)
        assert existing is not None  # the conflicting row is committed and visible
        return Sent(existing, created=False)
    await _attach(conn, files, message_id)
    params = {"p_actor": actor_id, "p_message": message_id, "p_conversation": conversation_id}
    member_ids = list((await conn.execute(_POST_TO_MEMBERS, params)).scalars())
    if state.request_state == "pending" and state.created_by != actor_id:
        await _set_request_state(tx, state, actor_id, "accepted", member_ids)
    view = _new_message_view(
        message_id=message_id,
        conversation_id=conversation_id,
        sender=sender,
        client_id=client_id,
        text=text,
        files=files,
        now=now,
    )
    tx.outbox.add(
        member_ids, ev.MESSAGE_CREATED, {"conversation_id": str(conversation_id), "message": view}
    )
    return Sent(view, created=True)


async def do_send_message(
    tx: Tx,
    svc: Services,
    actor_id: int,
    conversation_id: int,
    *,
    text: str,
    client_id: str,
    upload_ids: Sequence[int] = (),
) -> Sent:
    """Post into a conversation the actor is in. A ``client_id`` the actor already used returns
    that message (``created=False``) — even when the send itself would now be refused.
    Raises 404, 403 ``conversation_closed``/``request_pending``/``not_connected``, 422, 429."""
    check_client_id(client_id)
    check_text(text, has_attachments=bool(upload_ids))
    conn = tx.conn
    now = svc.clock.now()
    try:
        ctx = await access_for_send(
            conn, actor_id, conversation_id, rate_limit=svc.settings.send_limit_per_minute
        )
        reason = closed_reason(ctx, actor_id)
        if reason is not None:
            raise reason
        _check_rate(ctx.rate_edge, now)
        files = await _claimable_uploads(conn, actor_id, upload_ids)
    except InroadError:
        # Checked only on the way out: a retry of a send that went through is answered 200.
        existing = await queries.message_by_client_id(conn, actor_id, client_id)
        if existing is not None:
            return Sent(existing, created=False)
        raise
    # InMail rules (premium): the sender may not post while unanswered or after Not interested;
    # the recipient's first reply answers the InMail and refunds the sender.
    await inmail_answers.before_post(tx, ctx.state, actor_id, client_id=client_id, now=now)
    return await _post(
        tx, ctx.state, ctx.sender, text=text, client_id=client_id, files=files, now=now
    )


@dataclass(frozen=True)
class Started:
    conversation_id: int
    message: dict[str, Any]
    created: bool  # False: an idempotent retry (200)


class _DuplicateClientId(Exception):
    """A concurrent create with the same client_id won; roll this one back."""


async def do_start_conversation(
    tx: Tx,
    svc: Services,
    actor: Actor,
    *,
    handles: Sequence[str],
    text: str,
    client_id: str,
    title: str | None = None,
    upload_ids: Sequence[int] = (),
) -> Started:
    """A 1:1 (continuing the existing one with that member if there is one) or a new group.
    Everyone named must be a live, unblocked connection (404 / 403 ``not_connected`` with
    ``handles``) — except that a single non-connection with an Open Profile gets a message
    request (``request_state: pending``, in their Other folder)."""
    check_client_id(client_id)
    check_text(text, has_attachments=bool(upload_ids))
    wanted = check_handles(handles, actor.handle)
    title = check_title(title)
    if title is not None and len(wanted) == 1:
        raise InvalidInput("invalid_input", "Only group conversations have a title.", field="title")
    conn = tx.conn
    now = svc.clock.now()
    existing = await queries.message_by_client_id(conn, actor.id, client_id)
    if existing is not None:
        return Started(int(existing["conversation_id"]), existing, created=False)
    resolved = await people.resolve_handles(conn, actor.id, wanted)
    hidden = [h for h in wanted if h not in resolved or resolved[h].blocked]
    if hidden:
        raise NotFound("No member with that handle.", handles=hidden)
    strangers = [h for h in wanted if not resolved[h].connected]
    request = False
    if strangers:
        if len(wanted) == 1 and resolved[wanted[0]].open_profile:
            request = True
        else:
            raise Forbidden(
                "not_connected",
                "You can message only your connections. Invite them to connect first.",
                handles=strangers,
            )
    limit = svc.settings.send_limit_per_minute
    columns: list[Any] = list(MEMBER_COLUMNS)
    if limit > 0:
        columns.append(
            sa.select(messages.c.created_at)
            .where(messages.c.sender_id == actor.id)
            .order_by(messages.c.created_at.desc())
            .limit(1)
            .offset(limit - 1)
            .scalar_subquery()
            .label("rate_edge")
        )
    me = (await conn.execute(sa.select(*columns).where(members.c.id == actor.id))).mappings().one()
    _check_rate(me.get("rate_edge"), now)
    files = await _claimable_uploads(conn, actor.id, upload_ids)
    sender = {c.name: me[c.name] for c in MEMBER_COLUMNS}
    other_ids = [resolved[h].id for h in wanted]

    if len(wanted) == 1:
        low, high = sorted((actor.id, other_ids[0]))
        key = f"{low}:{high}"
        conversation_id = (
            await conn.execute(
                _insert(conn, conversations)
                .values(
                    kind="direct",
                    created_by=actor.id,
                    created_at=now,
                    direct_key=key,
                    request_state="pending" if request else None,
                )
                .on_conflict_do_nothing(index_elements=[conversations.c.direct_key])
                .returning(conversations.c.id)
            )
        ).scalar_one_or_none()
        if conversation_id is None:
            # The 1:1 exists: this is a send into it, under its own rules.
            conversation_id = (
                await conn.execute(
                    sa.select(conversations.c.id).where(conversations.c.direct_key == key)
                )
            ).scalar_one()
            ctx = await access_for_send(conn, actor.id, conversation_id, rate_limit=0)
            reason = closed_reason(ctx, actor.id)
            if reason is not None:
                raise reason
            sent = await _post(
                tx, ctx.state, ctx.sender, text=text, client_id=client_id, files=files, now=now
            )
            return Started(conversation_id, sent.message, sent.created)
    else:
        conversation_id = (
            await conn.execute(
                conversations.insert()
                .values(kind="group", title=title, created_by=actor.id, created_at=now)
                .returning(conversations.c.id)
            )
        ).scalar_one()

    message_id = await _insert_message(
        conn,
        conversation_id=conversation_id,
        sender_id=actor.id,
        client_id=client_id,
        text=text,
        files=files,
        now=now,
    )
    if message_id is None:
        raise _DuplicateClientId
    await _attach(conn, files, message_id)
    their_folder = "other" if request else "focused"
    await conn.execute(
        cm.insert(),
        [
            {
                "member_id": actor.id,
                "conversation_id": conversation_id,
                "joined_at": now,
                "last_message_id": message_id,
                "last_read_message_id": message_id,
                "unread_count": 0,
                "folder": "focused",
                "home": "focused",
                "muted": False,
            },
            *(
                {
                    "member_id": other,
                    "conversation_id": conversation_id,
                    "joined_at": now,
                    "last_message_id": message_id,
                    "last_read_message_id": 0,
                    "unread_count": 1,
                    "folder": their_folder,
                    "home": their_folder,
                    "muted": False,
                }
                for other in other_ids
            ),
        ],
    )
    view = _new_message_view(
        message_id=message_id,
        conversation_id=conversation_id,
        sender=sender,
        client_id=client_id,
        text=text,
        files=files,
        now=now,
    )
    tx.outbox.add(
        [actor.id, *other_ids],
        ev.MESSAGE_CREATED,
        {"conversation_id": str(conversation_id), "message": view},
    )
    return Started(conversation_id, view, created=True)


# ---------------------------------------------------------------------------------------------
# Conversation state


async def do_read(tx: Tx, actor_id: int, conversation_id: int, message_id: int) -> None:
    """Mark read up to ``message_id`` (never backwards); the unread count becomes the others'
    live messages after it. ``conversation.read`` goes to the reader, and to the participants
    who like the reader have read receipts on."""
    conn = tx.conn
    state = await access_conversation(conn, actor_id, conversation_id)
    in_conversation = (
        await conn.execute(
            sa.select(messages.c.id).where(
                messages.c.id == message_id, messages.c.conversation_id == conversation_id
            )
        )
    ).first()
    if in_conversation is None:
        raise NotFound("No such message in this conversation.")
    last_read = max(state.last_read_message_id, message_id)
    unread = (
        sa.select(sa.func.count())
        .select_from(messages)
        .where(
            messages.c.conversation_id == conversation_id,
            messages.c.id > last_read,
            messages.c.sender_id != actor_id,
            messages.c.deleted_at.is_(None),
        )
        .scalar_subquery()
    )
    unread_count = (
        await conn.execute(
            sa.update(cm)
            .where(cm.c.member_id == actor_id, cm.c.conversation_id == conversation_id)
            .values(last_read_message_id=last_read, unread_count=unread)
            .returning(cm.c.unread_count)
        )
    ).scalar_one()
    if last_read == state.last_read_message_id and unread_count == state.unread_count:
        return
    rows = (
        await conn.execute(
            sa.select(members.c.id, members.c.handle, members.c.read_receipts)
            .join_from(cm, members, members.c.id == cm.c.member_id)
            .where(cm.c.conversation_id == conversation_id)
        )
    ).all()
    reader = next(r for r in rows if r.id == actor_id)
    data = {
        "conversation_id": str(conversation_id),
        "message_id": str(last_read),
        "handle": reader.handle,
    }
    tx.outbox.add([actor_id], ev.CONVERSATION_READ, {**data, "unread_count": unread_count})
    if reader.read_receipts:
        tx.outbox.add(
            [r.id for r in rows if r.id != actor_id and r.read_receipts], ev.CONVERSATION_READ, data
        )


async def do_mark_unread(tx: Tx, actor_id: int, conversation_id: int) -> None:
    """Show the conversation as unread (count at least 1) until the member reads it again."""
    state = await access_conversation(tx.conn, actor_id, conversation_id)
    if state.unread_count > 0:
        return
    await tx.conn.execute(
        sa.update(cm)
        .where(cm.c.member_id == actor_id, cm.c.conversation_id == conversation_id)
        .values(unread_count=1)
    )
    tx.outbox.add([actor_id], ev.CONVERSATION_UPDATED, _updated(conversation_id, unread_count=1))


_UNSET: Any = object()


async def do_update_conversation(
    tx: Tx,
    actor_id: int,
    conversation_id: int,
    *,
    archived: bool | None = None,
    muted: bool | None = None,
    title: str | None = _UNSET,
) -> None:
    """Archive/unarchive and mute for the actor alone; retitle a group for everyone (``None`` or
    blank clears it; 422 ``not_a_group`` on a 1:1)."""
    conn = tx.conn
    if title is not _UNSET:
        title = check_title(title)
    state = await access_conversation(conn, actor_id, conversation_id)
    own: dict[str, Any] = {}
    folder = state.folder
    if archived is True and folder != "archived":
        folder = "archived"
    elif archived is False and folder == "archived":
        folder = state.home
    if folder != state.folder:
        own["folder"] = folder
    if muted is not None and muted != state.muted:
        own["muted"] = muted
    if own:
        await conn.execute(
            sa.update(cm)
            .where(cm.c.member_id == actor_id, cm.c.conversation_id == conversation_id)
            .values(**own)
        )
        changes = dict(own)
        if "folder" in own:
            changes["archived"] = folder == "archived"
        tx.outbox.add([actor_id], ev.CONVERSATION_UPDATED, _updated(conversation_id, **changes))
    if title is not _UNSET and title != state.title:
        if state.kind != "group":
            raise InvalidInput(
                "not_a_group", "Only group conversations have a title.", field="title"
            )
        await conn.execute(
            sa.update(conversations)
            .where(conversations.c.id == conversation_id)
            .values(title=title)
        )
        tx.outbox.add(
            await _participant_ids(conn, conversation_id),
            ev.CONVERSATION_UPDATED,
            _updated(conversation_id, title=title),
        )


async def move_to_spam(tx: Tx, member_id: int, conversation_id: int) -> None:
    """Move a conversation to the member's Spam folder (a report of it does this). 404 when the
    member is not a participant. It stays there when new messages arrive."""
    result = await tx.conn.execute(
        sa.update(cm)
        .where(cm.c.member_id == member_id, cm.c.conversation_id == conversation_id)
        .values(folder="spam")
        .returning(cm.c.member_id)
    )
    if result.first() is None:
        raise NotFound("No such conversation.")
    tx.outbox.add(
        [member_id],
        ev.CONVERSATION_UPDATED,
        _updated(conversation_id, folder="spam", archived=False),
    )


async def _set_request_state(
    tx: Tx,
    state: ConversationState,
    recipient_id: int,
    request_state: str,
    member_ids: Sequence[int],
) -> None:
    conversation_id = state.conversation_id
    await tx.conn.execute(
        sa.update(conversations)
        .where(conversations.c.id == conversation_id)
        .values(request_state=request_state)
    )
    changes: dict[int, dict[str, Any]] = {
        m: _updated(conversation_id, request_state=request_state) for m in member_ids
    }
    if request_state == "accepted":
        # An accepted request belongs with the recipient's connections' conversations.
        await tx.conn.execute(
            sa.update(cm)
            .where(cm.c.member_id == recipient_id, cm.c.conversation_id == conversation_id)
            .values(
                home="focused",
                folder=sa.case((cm.c.folder == "other", "focused"), else_=cm.c.folder),
            )
        )
        if state.folder == "other":
            changes[recipient_id]["changes"]["folder"] = "focused"
    tx.outbox.add_each(ev.CONVERSATION_UPDATED, changes)


async def do_answer_request(tx: Tx, actor_id: int, conversation_id: int, accept: bool) -> None:
    """The recipient of a message request accepts or declines it (once; repeating the same
    answer is a no-op). 403 ``not_recipient`` for anyone else, 409 ``request_answered`` for a
    different second answer."""
    state = await access_conversation(tx.conn, actor_id, conversation_id, lock=True)
    if state.request_state is None or state.created_by == actor_id:
        raise Forbidden("not_recipient", "Only the recipient of a message request can answer it.")
    answer = "accepted" if accept else "declined"
    if state.request_state == answer:
        return
    if state.request_state != "pending":
        raise Conflict("request_answered", f"This request was already {state.request_state}.")
    await _set_request_state(
        tx, state, actor_id, answer, await _participant_ids(tx.conn, conversation_id)
    )


# ---------------------------------------------------------------------------------------------
# Group membership


def _not_a_group() -> InvalidInput:
    return InvalidInput("not_a_group", "Only group conversations have participants to change.")


async def do_add_participants(
    tx: Tx, actor: Actor, conversation_id: int, handles: Sequence[str]
) -> None:
    """Add connections of the actor to a group (already-present members are skipped).
    404 unknown/blocked, 403 ``not_connected`` (with ``handles``), 422 ``too_many_participants``
    past 50 members. The new members see the history."""
    conn = tx.conn
    state = await access_conversation(conn, actor.id, conversation_id, lock=True)
    if state.kind != "group":
        raise _not_a_group()
    wanted = check_handles(handles, actor.handle)
    resolved = await people.resolve_handles(conn, actor.id, wanted)
    hidden = [h for h in wanted if h not in resolved or resolved[h].blocked]
    if hidden:
        raise NotFound("No member with that handle.", handles=hidden)
    current = set(await _participant_ids(conn, conversation_id))
    new = [resolved[h] for h in wanted if resolved[h].id not in current]
    strangers = [r.handle for r in new if not r.connected]
    if strangers:
        raise Forbidden(
            "not_connected", "You can add only your own connections.", handles=strangers
        )
    if len(current) + len(new) > MAX_MEMBERS:
        raise InvalidInput(
            "too_many_participants",
            f"A conversation holds at most {MAX_MEMBERS} members; it has {len(current)}.",
            limit=MAX_MEMBERS,
        )
    if not new:
        return
    now = tx.outbox.now
    await conn.execute(
        cm.insert(),
        [
            {
                "member_id": r.id,
                "conversation_id": conversation_id,
                "joined_at": now,
                "last_message_id": state.last_message_id,
                "last_read_message_id": state.last_message_id,
                "unread_count": 0,
                "folder": "focused",
                "home": "focused",
                "muted": False,
            }
            for r in new
        ],
    )
    await _participants_changed(tx, conversation_id)


async def do_remove_participant(
    tx: Tx, actor_id: int, conversation_id: int, handle: str | None
) -> None:
    """Remove a participant from a group (``None`` = the actor leaves). Whoever goes loses all
    access (404 from then on) and gets ``conversation.updated`` with ``removed: true``."""
    conn = tx.conn
    state = await access_conversation(conn, actor_id, conversation_id, lock=True)
    if state.kind != "group":
        raise _not_a_group()
    if handle is None:
        target = actor_id
    else:
        found = (
            await conn.execute(
                sa.select(cm.c.member_id)
                .join_from(cm, members, members.c.id == cm.c.member_id)
                .where(cm.c.conversation_id == conversation_id, members.c.handle == handle)
            )
        ).scalar_one_or_none()
        if found is None:
            raise NotFound("That member is not in this conversation.")
        target = found
    await conn.execute(
        cm.delete().where(cm.c.member_id == target, cm.c.conversation_id == conversation_id)
    )
    tx.outbox.add(
        [target],
        ev.CONVERSATION_UPDATED,
        {"conversation_id": str(conversation_id), "removed": True},
    )
    await _participants_changed(tx, conversation_id)


# ---------------------------------------------------------------------------------------------
# Editing, unsending, reactions


def _own_recent(message: Mapping[Any, Any], actor_id: int, now: datetime) -> None:
    if message["sender_id"] != actor_id:
        raise Forbidden("not_sender", "Only the sender can change this message.")
    if now - message["created_at"] > EDIT_WINDOW:
        raise Forbidden(
            "edit_window_passed", "Messages can be edited or unsent within 60 minutes of sending."
        )


def _message_deleted() -> Forbidden:
    return Forbidden("message_deleted", "This message was deleted.")


async def _require_open(
    conn: AsyncConnection, actor_id: int, conversation_id: int
) -> Mapping[Any, Any]:
    """403 when the actor may not post here now; returns the actor's Member columns."""
    ctx = await access_for_send(conn, actor_id, conversation_id, rate_limit=0)
    reason = closed_reason(ctx, actor_id)
    if reason is not None:
        raise reason
    return ctx.sender


async def _message_events(
    tx: Tx,
    type_: str,
    message: Mapping[Any, Any],
    sender: Mapping[Any, Any],
    pairs: list[tuple[str, int]],
    extra: Mapping[Any, Any] | None = None,
) -> None:
    """One event per participant carrying the Message as they see it (``mine`` differs)."""
    conversation_id = message["conversation_id"]
    member_ids = await _participant_ids(tx.conn, conversation_id)
    sender_view = member_view(sender)
    base = {"conversation_id": str(conversation_id), **(extra or {})}
    if not pairs or message["deleted_at"] is not None:
        view = message_view(message, sender_view, [])
        tx.outbox.add(member_ids, type_, {**base, "message": view})
        return
    tx.outbox.add_each(
        type_,
        {
            m: {**base, "message": message_view(message, sender_view, reactions_view(pairs, m))}
            for m in member_ids
        },
    )


async def do_edit_message(
    tx: Tx, svc: Services, actor_id: int, message_id: int, text: str
) -> dict[str, Any]:
    """Replace the text of the actor's own message within 60 minutes (403 ``not_sender``,
    ``edit_window_passed``, ``message_deleted``; ``conversation_closed`` on a closed 1:1)."""
    conn = tx.conn
    found = await access_message(conn, actor_id, message_id)
    message = found.message
    if message["sender_id"] == actor_id and message["deleted_at"] is not None:
        raise _message_deleted()
    _own_recent(message, actor_id, svc.clock.now())
    check_text(text, has_attachments=bool(message["attachments"]))
    sender = await _require_open(conn, actor_id, message["conversation_id"])
    pairs = (await queries.reaction_pairs(conn, [message_id])).get(message_id, [])
    if text == message["text"]:
        return message_view(message, member_view(sender), reactions_view(pairs, actor_id))
    edited_at = svc.clock.now()
    await conn.execute(
        sa.update(messages)
        .where(messages.c.id == message_id)
        .values(text=text, edited_at=edited_at)
    )
    updated = {**message, "text": text, "edited_at": edited_at}
    await _message_events(tx, ev.MESSAGE_EDITED, updated, sender, pairs)
    return message_view(updated, member_view(sender), reactions_view(pairs, actor_id))


async def do_delete_message(tx: Tx, svc: Services, actor_id: int, message_id: int) -> list[str]:
    """Unsend: within 60 minutes the sender turns the message into a tombstone for everyone
    (text, attachments and reactions go; it stops counting as unread). Unsending twice is a
    no-op. Returns the storage keys of files to delete once committed."""
    conn = tx.conn
    found = await access_message(conn, actor_id, message_id)
    message = found.message
    if message["sender_id"] == actor_id and message["deleted_at"] is not None:
        return []
    now = svc.clock.now()
    _own_recent(message, actor_id, now)
    conversation_id = message["conversation_id"]
    await conn.execute(
        sa.update(messages)
        .where(messages.c.id == message_id)
        .values(text=None, deleted_at=now, attachments=[])
    )
    await conn.execute(reactions.delete().where(reactions.c.message_id == message_id))
    keys = list(
        (
            await conn.execute(
                uploads_table.delete()
                .where(uploads_table.c.message_id == message_id)
                .returning(uploads_table.c.storage_key)
            )
        ).scalars()
    )
    await conn.execute(
        sa.update(cm)
        .where(
            cm.c.conversation_id == conversation_id,
            cm.c.member_id != actor_id,
            cm.c.last_read_message_id < message_id,
            cm.c.unread_count > 0,
        )
        .values(unread_count=cm.c.unread_count - 1)
    )
    sender = (await people.member_rows(conn, [actor_id]))[actor_id]
    tombstone = {**message, "text": None, "deleted_at": now, "attachments": []}
    await _message_events(tx, ev.MESSAGE_DELETED, tombstone, sender, [])
    return keys


async def _message_for_reaction(
    tx: Tx, actor_id: int, message_id: int
) -> tuple[Mapping[Any, Any], list[tuple[str, int]]]:
    found = await access_message(tx.conn, actor_id, message_id)
    if found.message["deleted_at"] is not None:
        raise _message_deleted()
    pairs = (await queries.reaction_pairs(tx.conn, [message_id])).get(message_id, [])
    return found.message, pairs


async def _reaction_response(
    conn: AsyncConnection, actor_id: int, message: Mapping[Any, Any], pairs: list[tuple[str, int]]
) -> tuple[dict[str, Any], Mapping[Any, Any]]:
    """The Message as the actor sees it, and the sender's Member columns."""
    sender_id = message["sender_id"]
    sender = (await people.member_rows(conn, [sender_id]))[sender_id]
    if sender_id == actor_id:
        sender_view = member_view(sender)
    else:
        degree, mutual = (await people.degrees(conn, actor_id, [sender_id]))[sender_id]
        sender_view = member_view(
            sender, degree=degree, mutual_connections=mutual, seen_by_other=True
        )
    return message_view(message, sender_view, reactions_view(pairs, actor_id)), sender


async def do_add_reaction(tx: Tx, actor_id: int, message_id: int, emoji: str) -> dict[str, Any]:
    """React (once per emoji; again is a no-op). 403 ``message_deleted``, ``conversation_closed``
    on a closed 1:1; 422 ``invalid_emoji``, ``too_many_reactions``."""
    emoji = check_emoji(emoji)
    conn = tx.conn
    message, pairs = await _message_for_reaction(tx, actor_id, message_id)
    await _require_open(conn, actor_id, message["conversation_id"])
    if (emoji, actor_id) not in pairs:
        if sum(1 for _, m in pairs if m == actor_id) >= MAX_REACTIONS_PER_MEMBER:
            raise InvalidInput(
                "too_many_reactions",
                f"You can add at most {MAX_REACTIONS_PER_MEMBER} different reactions to a message.",
                limit=MAX_REACTIONS_PER_MEMBER,
            )
        await conn.execute(
            _insert(conn, reactions)
            .values(
                message_id=message_id, member_id=actor_id, emoji=emoji, created_at=tx.outbox.now
            )
            .on_conflict_do_nothing()
        )
        pairs.append((emoji, actor_id))
        view, sender = await _reaction_response(conn, actor_id, message, pairs)
        await _message_events(
            tx,
            ev.REACTION_ADDED,
            message,
            sender,
            pairs,
            {
                "message_id": str(message_id),
                "emoji": emoji,
                "handle": await _handle(conn, actor_id),
            },
        )
        return view
    view, _ = await _reaction_response(conn, actor_id, message, pairs)
    return view


async def do_remove_reaction(tx: Tx, actor_id: int, message_id: int, emoji: str) -> None:
    """Take back one's own reaction (absent: a no-op)."""
    conn = tx.conn
    found = await access_message(conn, actor_id, message_id)
    message = found.message
    removed = await conn.execute(
        reactions.delete()
        .where(
            reactions.c.message_id == message_id,
            reactions.c.member_id == actor_id,
            reactions.c.emoji == emoji,
        )
        .returning(reactions.c.emoji)
    )
    if removed.first() is None:
        return
    pairs = (await queries.reaction_pairs(conn, [message_id])).get(message_id, [])
    sender = (await people.member_rows(conn, [message["sender_id"]]))[message["sender_id"]]
    await _message_events(
        tx,
        ev.REACTION_REMOVED,
        message,
        sender,
        pairs,
        {"message_id": str(message_id), "emoji": emoji, "handle": await _handle(conn, actor_id)},
    )


async def _handle(conn: AsyncConnection, member_id: int) -> str | None:
    return (
        await conn.execute(sa.select(members.c.handle).where(members.c.id == member_id))
    ).scalar_one_or_none()


# ---------------------------------------------------------------------------------------------
# Entry points: one transaction each, events published after commit.


async def send_message(
    svc: Services,
    actor_id: int,
    conversation_id: int,
    *,
    text: str,
    client_id: str,
    upload_ids: Sequence[int] = (),
) -> Sent:
    async with transaction(svc) as tx:
        return await do_send_message(
            tx,
            svc,
            actor_id,
            conversation_id,
            text=text,
            client_id=client_id,
            upload_ids=upload_ids,
        )


async def start_conversation(
    svc: Services,
    actor: Actor,
    *,
    handles: Sequence[str],
    text: str,
    client_id: str,
    title: str | None = None,
    upload_ids: Sequence[int] = (),
) -> Started:
    try:
        async with transaction(svc) as tx:
            return await do_start_conversation(
                tx,
                svc,
                actor,
                handles=handles,
                text=text,
                client_id=client_id,
                title=title,
                upload_ids=upload_ids,
            )
    except _DuplicateClientId:
        async with svc.db.read() as conn:
            existing = await queries.message_by_client_id(conn, actor.id, client_id)
        assert existing is not None
        return Started(int(existing["conversation_id"]), existing, created=False)


async def read(svc: Services, actor_id: int, conversation_id: int, message_id: int) -> None:
    async with transaction(svc) as tx:
        await do_read(tx, actor_id, conversation_id, message_id)


async def mark_unread(svc: Services, actor_id: int, conversation_id: int) -> None:
    async with transaction(svc) as tx:
        await do_mark_unread(tx, actor_id, conversation_id)


async def update_conversation(
    svc: Services,
    actor_id: int,
    conversation_id: int,
    *,
    archived: bool | None = None,
    muted: bool | None = None,
    title: str | None = _UNSET,
) -> None:
    async with transaction(svc) as tx:
        await do_update_conversation(
            tx, actor_id, conversation_id, archived=archived, muted=muted, title=title
        )


async def answer_request(svc: Services, actor_id: int, conversation_id: int, accept: bool) -> None:
    async with transaction(svc) as tx:
        await do_answer_request(tx, actor_id, conversation_id, accept)


async def add_participants(
    svc: Services, actor: Actor, conversation_id: int, handles: Sequence[str]
) -> None:
    async with transaction(svc) as tx:
        await do_add_participants(tx, actor, conversation_id, handles)


async def remove_participant(
    svc: Services, actor_id: int, conversation_id: int, handle: str | None
) -> None:
    async with transaction(svc) as tx:
        await do_remove_participant(tx, actor_id, conversation_id, handle)


async def edit_message(svc: Services, actor_id: int, message_id: int, text: str) -> dict[str, Any]:
    async with transaction(svc) as tx:
        return await do_edit_message(tx, svc, actor_id, message_id, text)


async def delete_message(svc: Services, actor_id: int, message_id: int) -> None:
    async with transaction(svc) as tx:
        keys = await do_delete_message(tx, svc, actor_id, message_id)
    await uploads.remove_files(svc, keys)


async def add_reaction(svc: Services, actor_id: int, message_id: int, emoji: str) -> dict[str, Any]:
    async with transaction(svc) as tx:
        return await do_add_reaction(tx, actor_id, message_id, emoji)


async def remove_reaction(svc: Services, actor_id: int, message_id: int, emoji: str) -> None:
    async with transaction(svc) as tx:
        await do_remove_reaction(tx, actor_id, message_id, emoji)
