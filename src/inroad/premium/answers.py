"""Answering an InMail: Interested, Not interested, or a reply — the first answer wins.

The first answer (``record_answer``) is decided by one conditional UPDATE of the thread
(``… WHERE state = 'pending'``): of two concurrent answers exactly one changes the row, and only
that one refunds. It refunds every InMail of the conversation sent within ``REFUND_WINDOW`` before
the answer, each once (``credits.refund`` is keyed by the spend). Interested or a reply opens the
conversation for normal messaging and moves it to the recipient's Focused folder; Not interested
closes it to the sender (403 ``conversation_closed``).

``before_post`` is messaging's hook: ``messaging.actions.do_send_message`` calls it just before
posting, inside the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from inroad.errors import Forbidden, InvalidInput
from inroad.messaging.access import access_conversation
from inroad.messaging.events import CONVERSATION_UPDATED
from inroad.messaging.queries import get_conversation
from inroad.messaging.tables import conversation_members, messages
from inroad.messaging.views import iso
from inroad.premium import credits
from inroad.premium.events import CREDITS_CHANGED, INMAIL_ANSWERED
from inroad.premium.tables import inmail_threads, inmails
from inroad.realtime.outbox import Tx, transaction
from inroad.services import Services

if TYPE_CHECKING:
    from inroad.messaging.access import ConversationState

REFUND_WINDOW = timedelta(days=90)
T = inmail_threads.c
cm = conversation_members


@dataclass(frozen=True)
class Thread:
    conversation_id: int
    sender_id: int
    recipient_id: int
    state: str
    created_at: datetime


async def thread_of(conn: AsyncConnection, conversation_id: int) -> Thread | None:
    row = (
        await conn.execute(
            sa.select(T.conversation_id, T.sender_id, T.recipient_id, T.state, T.created_at).where(
                T.conversation_id == conversation_id
            )
        )
    ).first()
    return None if row is None else Thread(*row)


def closed_to_sender() -> Forbidden:
    return Forbidden(
        "conversation_closed",
        "They answered “Not interested”: this conversation is closed to new messages from you.",
    )


async def record_answer(tx: Tx, thread: Thread, answer: str, now: datetime) -> bool:
    """Make ``answer`` (interested | not_interested | replied) the thread's first answer and
    refund its InMails. Returns False, changing nothing, when it was answered before.

    Locks in a fixed order — the thread row, then the sender's member row (in
    ``credits.settle``), then the recipient's conversation row — the order every InMail path
    keeps (a send locks the sender, then conversation rows), so answers and sends never
    deadlock on PostgreSQL."""
    conn = tx.conn
    changed = await conn.execute(
        sa.update(inmail_threads)
        .where(T.conversation_id == thread.conversation_id, T.state == "pending")
        .values(state=answer, answered_at=now)
        .returning(T.conversation_id)
    )
    if changed.first() is None:
        return False
    cid = str(thread.conversation_id)
    # With the sender locked, every InMail they sent into this conversation is committed and
    # listed here: one being sent right now waits, and then finds the thread answered.
    await credits.settle(conn, thread.sender_id, now)
    spend_ids = (
        (
            await conn.execute(
                sa.select(inmails.c.spend_id)
                .where(
                    inmails.c.conversation_id == thread.conversation_id,
                    inmails.c.spend_id.is_not(None),
                    inmails.c.sent_at >= now - REFUND_WINDOW,
                )
                .order_by(inmails.c.message_id)
            )
        )
        .scalars()
        .all()
    )
    refunded = [s for s in spend_ids if await credits.refund(conn, s, now) is not None]
    if answer != "not_interested":
        moved = await conn.execute(
            sa.update(cm)
            .where(
                cm.c.member_id == thread.recipient_id,
                cm.c.conversation_id == thread.conversation_id,
            )
            .values(
                home="focused",
                folder=sa.case((cm.c.folder == "other", "focused"), else_=cm.c.folder),
            )
            .returning(cm.c.folder)
        )
        folder = moved.scalar_one_or_none()
        if folder is not None:
            tx.outbox.add(
                [thread.recipient_id],
                CONVERSATION_UPDATED,
                {"conversation_id": cid, "changes": {"folder": folder, "inmail_state": answer}},
            )
    tx.outbox.add(
        [thread.sender_id, thread.recipient_id],
        INMAIL_ANSWERED,
        {"conversation_id": cid, "inmail_state": answer, "answered_at": iso(now)},
    )
    if refunded:
        await credits_changed(tx, thread.sender_id)
    return True


async def credits_changed(tx: Tx, member_id: int) -> None:
    """Queue ``credits.changed`` with the member's plan and balance as this transaction
    leaves them."""
    statement = await credits.plan_and_balance(tx.conn, member_id)
    tx.outbox.add([member_id], CREDITS_CHANGED, statement)


async def before_post(
    tx: Tx, state: ConversationState, actor_id: int, *, client_id: str, now: datetime
) -> None:
    """Messaging's hook, called before a message is posted into ``state``'s conversation. In an
    InMail conversation the sender may post only once it is open (403 ``inmail_pending`` while
    unanswered — another InMail costs a credit —, 403 ``conversation_closed`` after Not
    interested); the recipient's first reply answers it. Nothing happens for other kinds of
    conversation, or for a ``client_id`` the actor already used (a retry, answered 200)."""
    if state.kind != "inmail":
        return
    thread = await thread_of(tx.conn, state.conversation_id)
    if thread is None or await _used(tx.conn, actor_id, client_id):
        return
    if actor_id == thread.sender_id:
        if thread.state == "pending":
            raise Forbidden(
                "inmail_pending",
                "They have not answered your InMail yet. Wait for an answer, or send another "
                "InMail (it costs a credit).",
            )
        if thread.state == "not_interested":
            raise closed_to_sender()
    elif actor_id == thread.recipient_id and thread.state == "pending":
        await record_answer(tx, thread, "replied", now)


async def _used(conn: AsyncConnection, sender_id: int, client_id: str) -> bool:
    found = await conn.execute(
        sa.select(messages.c.id).where(
            messages.c.sender_id == sender_id, messages.c.client_id == client_id
        )
    )
    return found.first() is not None


async def do_respond(
    tx: Tx, svc: Services, actor_id: int, conversation_id: int, interested: bool
) -> None:
    """Interested / Not interested, by the recipient only: 404 for non-participants, 403
    ``not_recipient`` for the sender, 422 ``not_inmail`` for other conversations. Answering an
    answered InMail changes nothing (the first answer wins)."""
    await access_conversation(tx.conn, actor_id, conversation_id)
    thread = await thread_of(tx.conn, conversation_id)
    if thread is None:
        raise InvalidInput("not_inmail", "This conversation is not an InMail.")
    if actor_id != thread.recipient_id:
        raise Forbidden("not_recipient", "Only the recipient of an InMail can answer it.")
    await record_answer(
        tx, thread, "interested" if interested else "not_interested", svc.clock.now()
    )


async def respond(
    svc: Services, actor_id: int, conversation_id: int, interested: bool
) -> dict[str, Any]:
    """``POST /conversations/{id}/inmail-response``: answer, then the Conversation."""
    async with transaction(svc) as tx:
        await do_respond(tx, svc, actor_id, conversation_id, interested)
    return await get_conversation(svc, actor_id, conversation_id)
