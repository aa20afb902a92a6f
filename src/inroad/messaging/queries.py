"""Messaging reads: the inbox, one conversation, a messages page, message search, typing targets.

Every list is a fixed number of queries whatever its length: the page itself (one indexed range
scan joined to what each row needs), then one query each for participants, reactions and the
viewer's degrees to the members shown.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from inroad.accounts.tables import members
from inroad.errors import NotFound
from inroad.messaging import people
from inroad.messaging.access import access_conversation
from inroad.messaging.tables import conversation_members, conversations, messages, reactions
from inroad.messaging.views import (
    MESSAGE_COLUMNS,
    iso,
    labelled_member_columns,
    message_view,
    participant_views,
    reactions_view,
    state_fields,
    unprefix,
)
from inroad.premium.inmail_views import add_inmail_fields
from inroad.profiles.views import MEMBER_COLUMNS, member_view
from inroad.services import Services

cm = conversation_members
sender = members.alias("sender")
SENDER_COLUMNS = labelled_member_columns(sender, "author_")
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_SEARCH_TERMS = 12


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    next_cursor: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"items": self.items, "next_cursor": self.next_cursor}


async def reaction_pairs(
    conn: AsyncConnection, message_ids: Sequence[int]
) -> dict[int, list[tuple[str, int]]]:
    """``{message_id: [(emoji, member_id)]}`` in reaction order, one query."""
    if not message_ids:
        return {}
    rows = await conn.execute(
        sa.select(reactions.c.message_id, reactions.c.emoji, reactions.c.member_id)
        .where(reactions.c.message_id.in_(list(message_ids)))
        .order_by(
            reactions.c.message_id, reactions.c.created_at, reactions.c.emoji, reactions.c.member_id
        )
    )
    pairs: dict[int, list[tuple[str, int]]] = {}
    for message_id, emoji, member_id in rows:
        pairs.setdefault(message_id, []).append((emoji, member_id))
    return pairs


def _sender_view(
    row: Mapping[Any, Any], viewer: int, degrees: Mapping[int, tuple[int | None, int]]
) -> dict[str, Any]:
    member = unprefix(row, "author_")
    if member["id"] == viewer:
        return member_view(member)
    degree, mutual = degrees.get(member["id"], (None, 0))
    return member_view(member, degree=degree, mutual_connections=mutual, seen_by_other=True)


async def message_views(
    conn: AsyncConnection, viewer: int, rows: Sequence[Mapping[Any, Any]]
) -> list[dict[str, Any]]:
    """Messages from rows holding MESSAGE_COLUMNS and SENDER_COLUMNS, as ``viewer`` sees them."""
    pairs = await reaction_pairs(conn, [r["id"] for r in rows])
    degrees = await people.degrees(conn, viewer, (r["sender_id"] for r in rows))
    return [
        message_view(
            r, _sender_view(r, viewer, degrees), reactions_view(pairs.get(r["id"], []), viewer)
        )
        for r in rows
    ]


async def message_by_client_id(
    conn: AsyncConnection, sender_id: int, client_id: str
) -> dict[str, Any] | None:
    """The message a sender already sent with ``client_id`` (an idempotent retry), if any."""
    row = (
        (
            await conn.execute(
                sa.select(*MESSAGE_COLUMNS, *SENDER_COLUMNS)
                .join_from(messages, sender, sender.c.id == messages.c.sender_id)
                .where(messages.c.sender_id == sender_id, messages.c.client_id == client_id)
            )
        )
        .mappings()
        .first()
    )
    if row is None:
        return None
    return (await message_views(conn, sender_id, [row]))[0]


async def participant_rows(
    conn: AsyncConnection, conversation_ids: Sequence[int]
) -> dict[int, list[Mapping[Any, Any]]]:
    """Current participants (MEMBER_COLUMNS) of each conversation, in joining order."""
    if not conversation_ids:
        return {}
    rows = await conn.execute(
        sa.select(cm.c.conversation_id, *MEMBER_COLUMNS)
        .join_from(cm, members, members.c.id == cm.c.member_id)
        .where(cm.c.conversation_id.in_(list(conversation_ids)))
        .order_by(cm.c.conversation_id, cm.c.joined_at, cm.c.member_id)
    )
    result: dict[int, list[Mapping[Any, Any]]] = {}
    for row in rows.mappings():
        result.setdefault(row["conversation_id"], []).append(row)
    return result


_LAST = messages.alias("last")
_LAST_COLUMNS = [_LAST.c[c.name].label("last_" + c.name) for c in MESSAGE_COLUMNS]
_CONVERSATION_COLUMNS = (
    cm.c.conversation_id,
    cm.c.folder,
    cm.c.unread_count,
    cm.c.muted,
    cm.c.last_message_id,
    conversations.c.kind,
    conversations.c.title,
    conversations.c.request_state,
    conversations.c.created_by,
    conversations.c.created_at,
)


def _conversation_select() -> sa.Select[Any]:
    return sa.select(*_CONVERSATION_COLUMNS, *_LAST_COLUMNS, *SENDER_COLUMNS).select_from(
        cm.join(conversations, conversations.c.id == cm.c.conversation_id)
        .join(_LAST, _LAST.c.id == cm.c.last_message_id)
        .join(sender, sender.c.id == _LAST.c.sender_id)
    )


async def conversation_views(
    conn: AsyncConnection, viewer: int, rows: Sequence[Mapping[Any, Any]]
) -> list[dict[str, Any]]:
    """Conversations from ``_conversation_select`` rows: three or four more queries in all."""
    ids = [r["conversation_id"] for r in rows]
    participants = await participant_rows(conn, ids)
    last_rows = [{c.name: r["last_" + c.name] for c in MESSAGE_COLUMNS} for r in rows]
    pairs = await reaction_pairs(conn, [r["id"] for r in last_rows])
    shown = [p["id"] for ps in participants.values() for p in ps]
    shown += [r["sender_id"] for r in last_rows]
    degrees = await people.degrees(conn, viewer, shown)
    views = []
    for row, last in zip(rows, last_rows, strict=True):
        members_here = participants.get(row["conversation_id"], [])
        view: dict[str, Any] = {
            "id": str(row["conversation_id"]),
            "kind": row["kind"],
            "title": row["title"],
            "participants": participant_views(members_here, viewer, degrees),
            "last_message": message_view(
                last,
                _sender_view(row, viewer, degrees),
                reactions_view(pairs.get(last["id"], []), viewer),
            ),
            **state_fields(row["folder"], row["unread_count"], row["muted"]),
            "created_at": iso(row["created_at"]),
        }
        if row["request_state"] is not None:
            view["request_state"] = row["request_state"]
            by = next((m for m in members_here if m["id"] == row["created_by"]), None)
            view["requested_by"] = by["handle"] if by is not None else None
        views.append(view)
    await add_inmail_fields(conn, views)  # premium: inmail_state and the seat's organisation
    return views


async def conversation_in(
    conn: AsyncConnection, viewer: int, conversation_id: int
) -> dict[str, Any]:
    """One Conversation as ``viewer`` sees it; 404 when not a participant."""
    row = (
        (
            await conn.execute(
                _conversation_select().where(
                    cm.c.member_id == viewer, cm.c.conversation_id == conversation_id
                )
            )
        )
        .mappings()
        .first()
    )
    if row is None:
        raise NotFound("No such conversation.")
    return (await conversation_views(conn, viewer, [row]))[0]


async def get_conversation(svc: Services, viewer: int, conversation_id: int) -> dict[str, Any]:
    async with svc.db.read() as conn:
        return await conversation_in(conn, viewer, conversation_id)


async def seen_by_others(svc: Services, viewer: int, conversation_id: int, message_id: int) -> bool:
    """Has another participant read up to ``message_id`` (the viewer's latest message)? Read
    receipts are reciprocal: False unless the viewer and that reader both have them on."""
    reader = members.alias("reader")
    viewer_row = members.alias("viewer")
    async with svc.db.read() as conn:
        row = await conn.execute(
            sa.select(sa.literal(1))
            .select_from(cm)
            .join(reader, reader.c.id == cm.c.member_id)
            .join(viewer_row, viewer_row.c.id == viewer)
            .where(
                cm.c.conversation_id == conversation_id,
                cm.c.member_id != viewer,
                cm.c.last_read_message_id >= message_id,
                reader.c.read_receipts.is_(True),
                viewer_row.c.read_receipts.is_(True),
            )
            .limit(1)
        )
        return row.first() is not None


async def inbox(
    svc: Services,
    viewer: int,
    *,
    folder: str = "focused",
    unread_only: bool = False,
    cursor: int | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Page:
    """One folder, newest activity first: a range scan of ``ix_conversation_members_inbox``."""
    query = _conversation_select().where(cm.c.member_id == viewer, cm.c.folder == folder)
    if unread_only:
        query = query.where(cm.c.unread_count > 0)
    if cursor is not None:
        query = query.where(cm.c.last_message_id < cursor)
    query = query.order_by(cm.c.last_message_id.desc()).limit(limit + 1)
    async with svc.db.read() as conn:
        rows = (await conn.execute(query)).mappings().all()
        more = len(rows) > limit
        rows = rows[:limit]
        items = await conversation_views(conn, viewer, rows)
    next_cursor = str(rows[-1]["last_message_id"]) if more else None
    return Page(items, next_cursor)


async def unread_conversation_count(svc: Services, viewer: int) -> int:
    """Conversations in Focused or Other with unread messages, muted ones aside: the web
    header's Messaging badge. One query over the viewer's range of the inbox index."""
    async with svc.db.read() as conn:
        count = await conn.execute(
            sa.select(sa.func.count())
            .select_from(cm)
            .where(
                cm.c.member_id == viewer,
                cm.c.folder.in_(("focused", "other")),
                cm.c.unread_count > 0,
                cm.c.muted.is_(False),
            )
        )
        return int(count.scalar_one())


async def _newest_messages(
    conn: AsyncConnection, viewer: int, query: sa.Select[Any], *, cursor: int | None, limit: int
) -> Page:
    """One page of ``query`` (message and sender columns) newest first, older than the message
    id ``cursor``; ``next_cursor`` continues with older messages."""
    if cursor is not None:
        query = query.where(messages.c.id < cursor)
    rows = (
        (await conn.execute(query.order_by(messages.c.id.desc()).limit(limit + 1))).mappings().all()
    )
    more = len(rows) > limit
    rows = rows[:limit]
    items = await message_views(conn, viewer, rows)
    return Page(items, str(rows[-1]["id"]) if more else None)


async def messages_page(
    svc: Services, viewer: int, conversation_id: int, *, cursor: int | None, limit: int
) -> Page:
    """Newest first; ``next_cursor`` continues with older messages. 404 for non-participants."""
    async with svc.db.read() as conn:
        await access_conversation(conn, viewer, conversation_id)
        query = (
            sa.select(*MESSAGE_COLUMNS, *SENDER_COLUMNS)
            .join_from(messages, sender, sender.c.id == messages.c.sender_id)
            .where(messages.c.conversation_id == conversation_id)
        )
        return await _newest_messages(conn, viewer, query, cursor=cursor, limit=limit)


_WORD = re.compile(r"[^\W_]+")


def search_terms(q: str) -> list[str]:
    """Letters-and-digits words of a query, lowercased and capped; operators never pass."""
    return [w.lower() for w in _WORD.findall(q)][:MAX_SEARCH_TERMS]


async def search_messages(
    svc: Services, viewer: int, q: str, *, cursor: int | None, limit: int
) -> Page:
    """Messages matching every word (as a prefix) in conversations the viewer is in now,
    newest first. Unsent messages never match."""
    words = search_terms(q)
    if not words:
        return Page([], None)
    async with svc.db.read() as conn:
        if conn.dialect.name == "sqlite":
            expr = " ".join(f'"{w}"*' for w in words)
            match: sa.ColumnElement[bool] = messages.c.id.in_(
                sa.text("SELECT rowid FROM message_search WHERE message_search MATCH :q")
                .bindparams(q=expr)
                .columns(sa.column("rowid", sa.Integer))
            )
        else:
            expr = " & ".join(f"{w}:*" for w in words)
            # messages.search is the generated tsvector column (migration 0003, PostgreSQL only).
            match = sa.literal_column("messages.search").bool_op("@@")(
                sa.func.to_tsquery(sa.literal_column("'simple'"), expr)
            )
        query = (
            sa.select(*MESSAGE_COLUMNS, *SENDER_COLUMNS)
            .select_from(
                messages.join(
                    cm,
                    sa.and_(
                        cm.c.conversation_id == messages.c.conversation_id, cm.c.member_id == viewer
                    ),
                ).join(sender, sender.c.id == messages.c.sender_id)
            )
            .where(match, messages.c.deleted_at.is_(None))
        )
        return await _newest_messages(conn, viewer, query, cursor=cursor, limit=limit)


@dataclass(frozen=True)
class TypingTargets:
    member: dict[str, Any]  # the typist's Member view
    recipients: list[int]


async def typing_targets(
    conn: AsyncConnection, actor_id: int, conversation_id: int
) -> TypingTargets | None:
    """Who should see the actor typing: the other participants with read receipts on — nobody
    (None) when the actor has them off or is not a participant. One query."""
    rows = (
        (
            await conn.execute(
                sa.select(members.c.read_receipts, *MEMBER_COLUMNS)
                .join_from(cm, members, members.c.id == cm.c.member_id)
                .where(cm.c.conversation_id == conversation_id)
            )
        )
        .mappings()
        .all()
    )
    me = next((r for r in rows if r["id"] == actor_id), None)
    if me is None or not me["read_receipts"]:
        return None
    return TypingTargets(
        member=member_view(me),
        recipients=[r["id"] for r in rows if r["id"] != actor_id and r["read_receipts"]],
    )
