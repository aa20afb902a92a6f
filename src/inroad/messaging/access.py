"""Fetch and authorise in one call. Missing, never joined, left or removed all answer 404
``not_found`` alike, so ids reveal nothing to outsiders."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from inroad.accounts.tables import members
from inroad.errors import Forbidden, InroadError, NotFound
from inroad.messaging.tables import conversation_members, conversations, messages
from inroad.messaging.views import MESSAGE_COLUMNS, labelled_member_columns, unprefix
from inroad.network.tables import blocks, connections

cm = conversation_members

_STATE_COLUMNS = (
    cm.c.conversation_id,
    conversations.c.kind,
    conversations.c.title,
    conversations.c.request_state,
    conversations.c.created_by,
    conversations.c.created_at,
    cm.c.folder,
    cm.c.home,
    cm.c.muted,
    cm.c.unread_count,
    cm.c.last_read_message_id,
    cm.c.last_message_id,
)


@dataclass(frozen=True)
class ConversationState:
    """A conversation as one participant holds it."""

    conversation_id: int
    kind: str
    title: str | None
    request_state: str | None
    created_by: int | None
    created_at: datetime
    folder: str
    home: str
    muted: bool
    unread_count: int
    last_read_message_id: int
    last_message_id: int

    @classmethod
    def from_row(cls, row: Mapping[Any, Any]) -> ConversationState:
        return cls(**{c.name: row[c.name] for c in _STATE_COLUMNS})


def _state_query(actor_id: int, conversation_id: int) -> sa.Select[Any]:
    return (
        sa.select(*_STATE_COLUMNS)
        .select_from(cm.join(conversations, conversations.c.id == cm.c.conversation_id))
        .where(cm.c.member_id == actor_id, cm.c.conversation_id == conversation_id)
    )


async def access_conversation(
    conn: AsyncConnection, actor_id: int, conversation_id: int, *, lock: bool = False
) -> ConversationState:
    """The actor's state in the conversation, or 404. ``lock`` takes the conversation row
    (``FOR NO KEY UPDATE`` on PostgreSQL) so membership changes on it are serialised, without
    blocking sends (their foreign-key checks only need a key-share lock)."""
    if lock:
        await conn.execute(
            sa.select(conversations.c.id)
            .where(conversations.c.id == conversation_id)
            .with_for_update(key_share=True)
        )
    row = (await conn.execute(_state_query(actor_id, conversation_id))).mappings().first()
    if row is None:
        raise NotFound("No such conversation.")
    return ConversationState.from_row(row)


@dataclass(frozen=True)
class SendContext:
    """Everything deciding whether the actor may post into a conversation, from one query."""

    state: ConversationState
    sender: Mapping[Any, Any]  # the actor's MEMBER_COLUMNS
    other_id: int | None  # the other member of a 1:1 (None for groups, or if they are gone)
    other_handle: str | None
    other_deleted: bool
    blocked: bool
    connected: bool
    rate_edge: datetime | None  # created_at of the actor's N-th newest message (N = the limit)


def _send_context_query(with_rate: bool) -> sa.Select[Any]:
    """The statement behind ``access_for_send``, built once per variant: it runs on every send,
    and building it (aliases, labels) costs more than executing it. Parameters: ``p_actor``,
    ``p_conversation`` and, with the rate edge, ``p_rate_offset``."""
    actor = sa.bindparam("p_actor", type_=sa.BigInteger)
    other = cm.alias("other")
    other_member = members.alias("other_member")
    sender = members.alias("sender")
    blocked = sa.exists().where(
        sa.or_(
            sa.and_(blocks.c.blocker_id == actor, blocks.c.blocked_id == other.c.member_id),
            sa.and_(blocks.c.blocker_id == other.c.member_id, blocks.c.blocked_id == actor),
        )
    )
    connected = sa.exists().where(
        connections.c.member_id == actor, connections.c.other_id == other.c.member_id
    )
    columns: list[Any] = [
        *_STATE_COLUMNS,
        *labelled_member_columns(sender, "author_"),
        other.c.member_id.label("other_id"),
        other_member.c.handle.label("other_handle"),
        other_member.c.deleted_at.label("other_deleted_at"),
        blocked.label("blocked"),
        connected.label("connected"),
    ]
    if with_rate:
        columns.append(
            sa.select(messages.c.created_at)
            .where(messages.c.sender_id == actor)
            .order_by(messages.c.created_at.desc())
            .limit(1)
            .offset(sa.bindparam("p_rate_offset", type_=sa.Integer))
            .scalar_subquery()
            .label("rate_edge")
        )
    return (
        sa.select(*columns)
        .select_from(
            cm.join(conversations, conversations.c.id == cm.c.conversation_id)
            .join(sender, sender.c.id == cm.c.member_id)
            .outerjoin(
                other,
                sa.and_(
                    other.c.conversation_id == cm.c.conversation_id,
                    other.c.member_id != cm.c.member_id,
                    conversations.c.kind != "group",
                ),
            )
            .outerjoin(other_member, other_member.c.id == other.c.member_id)
        )
        .where(
            cm.c.member_id == actor,
            cm.c.conversation_id == sa.bindparam("p_conversation", type_=sa.BigInteger),
        )
        .limit(1)
        # PostgreSQL: posts into one conversation take turns from here. Each then updates every
        # participant's row; without this, two sends could lock those rows in different orders
        # and deadlock. NO KEY: inserts referencing the conversation are not held up.
        .with_for_update(of=conversations, key_share=True)
    )


_SEND_CONTEXT = {True: _send_context_query(True), False: _send_context_query(False)}


async def access_for_send(
    conn: AsyncConnection, actor_id: int, conversation_id: int, *, rate_limit: int
) -> SendContext:
    """Participant check, the 1:1 relationship (block, connection, other account deleted), the
    sender's Member columns and the rolling-window edge (when ``rate_limit`` > 0) — one indexed
    query, which also locks the conversation row until commit (sends into one conversation are
    serialised). 404 if not a participant."""
    params = {"p_actor": actor_id, "p_conversation": conversation_id}
    if rate_limit > 0:
        params["p_rate_offset"] = rate_limit - 1
    query = _SEND_CONTEXT[rate_limit > 0]
    row = (await conn.execute(query, params)).mappings().first()
    if row is None:
        raise NotFound("No such conversation.")
    return SendContext(
        state=ConversationState.from_row(row),
        sender=unprefix(row, "author_"),
        other_id=row["other_id"],
        other_handle=row["other_handle"],
        other_deleted=row["other_deleted_at"] is not None,
        blocked=bool(row["blocked"]) if row["other_id"] is not None else False,
        connected=bool(row["connected"]) if row["other_id"] is not None else False,
        rate_edge=row.get("rate_edge"),
    )


def closed_reason(ctx: SendContext, actor_id: int) -> InroadError | None:
    """Why the actor may not post here now, or None. Groups are always open to participants;
    a 1:1 closes on a block (either way), a deleted account or a declined request; an
    unanswered request holds the requester back; otherwise 1:1s are between connections."""
    state = ctx.state
    if state.kind == "group":
        return None
    closed = Forbidden(
        "conversation_closed",
        "This conversation is closed: no new messages can be sent. Its history stays readable.",
    )
    if ctx.other_id is None or ctx.other_deleted or ctx.blocked:
        return closed
    if state.request_state == "declined":
        return closed
    if state.request_state == "pending":
        if state.created_by == actor_id:
            return Forbidden(
                "request_pending",
                "Your message request has not been accepted yet; wait for a reply.",
            )
        return None
    if state.request_state == "accepted" or state.kind == "inmail":
        return None
    if not ctx.connected:
        return Forbidden(
            "not_connected", "You can message only your connections.", handles=[ctx.other_handle]
        )
    return None


@dataclass(frozen=True)
class MessageAccess:
    message: Mapping[Any, Any]  # MESSAGE_COLUMNS
    state: ConversationState


async def access_message(conn: AsyncConnection, actor_id: int, message_id: int) -> MessageAccess:
    """A message and the actor's state in its conversation, or 404 (not a participant now)."""
    query = (
        sa.select(*MESSAGE_COLUMNS, *[c for c in _STATE_COLUMNS if c.name != "conversation_id"])
        .select_from(
            messages.join(
                cm,
                sa.and_(
                    cm.c.conversation_id == messages.c.conversation_id, cm.c.member_id == actor_id
                ),
            ).join(conversations, conversations.c.id == messages.c.conversation_id)
        )
        .where(messages.c.id == message_id)
    )
    row = (await conn.execute(query)).mappings().first()
    if row is None:
        raise NotFound("No such message.")
    return MessageAccess(message=row, state=ConversationState.from_row(row))
