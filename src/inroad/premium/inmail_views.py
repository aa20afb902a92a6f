"""What InMail adds to reads: Conversation fields, and the recipient's "waiting for an answer"
reminder. Kept free of messaging imports so ``messaging.queries`` can call it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from inroad.accounts.tables import members
from inroad.messaging.views import iso
from inroad.premium.tables import inmail_threads, inmails, organizations
from inroad.services import Services

REMINDER_AFTER = timedelta(days=3)
T = inmail_threads.c


def sent_as(name: str, organization: str | None) -> str | None:
    """How a seat's InMail introduces its sender: "Maria Lopez · Recruiter at Acme"."""
    return None if organization is None else f"{name} · Recruiter at {organization}"


async def add_inmail_fields(conn: AsyncConnection, views: Sequence[dict[str, Any]]) -> None:
    """Give every InMail Conversation in ``views`` its ``inmail_state`` (API.md) and an
    ``inmail`` object: ``{sender, recipient, answered_at, organization: {slug, name} | null,
    sent_as}`` — the organisation of the newest InMail sent from a recruiter seat. Two queries
    whatever the number of views; nothing for other kinds."""
    ids = [int(view["id"]) for view in views if view.get("kind") == "inmail"]
    if not ids:
        return
    sender = members.alias("inmail_sender")
    recipient = members.alias("inmail_recipient")
    threads = {
        row.conversation_id: row
        for row in await conn.execute(
            sa.select(
                T.conversation_id,
                T.state,
                T.answered_at,
                sender.c.handle.label("sender_handle"),
                sender.c.name.label("sender_name"),
                recipient.c.handle.label("recipient_handle"),
            )
            .join(sender, sender.c.id == T.sender_id)
            .join(recipient, recipient.c.id == T.recipient_id)
            .where(T.conversation_id.in_(ids))
        )
    }
    newest = (
        sa.select(sa.func.max(inmails.c.message_id))
        .where(inmails.c.conversation_id.in_(ids))
        .group_by(inmails.c.conversation_id)
    )
    orgs = {
        row.conversation_id: row
        for row in await conn.execute(
            sa.select(inmails.c.conversation_id, organizations.c.slug, organizations.c.name)
            .join(organizations, organizations.c.id == inmails.c.org_id)
            .where(inmails.c.message_id.in_(newest))
        )
    }
    for view in views:
        thread = threads.get(int(view["id"])) if view.get("kind") == "inmail" else None
        if thread is None:
            continue
        org = orgs.get(thread.conversation_id)
        view["inmail_state"] = thread.state
        view["inmail"] = {
            "sender": thread.sender_handle,
            "recipient": thread.recipient_handle,
            "answered_at": iso(thread.answered_at),
            "organization": None if org is None else {"slug": org.slug, "name": org.name},
            "sent_as": sent_as(thread.sender_name, None if org is None else org.name),
        }


async def waiting_for_answer(svc: Services, member_id: int) -> list[dict[str, Any]]:
    """InMails the member received that have waited ``REMINDER_AFTER`` (3 days) or more without
    an answer, oldest first: the in-app reminder, computed when looked at (no job runs)."""
    now = svc.clock.now()
    sender = members.alias("inmail_sender")
    async with svc.db.read() as conn:
        rows = await conn.execute(
            sa.select(T.conversation_id, T.created_at, sender.c.name, sender.c.handle)
            .join(sender, sender.c.id == T.sender_id)
            .where(
                T.recipient_id == member_id,
                T.state == "pending",
                T.created_at <= now - REMINDER_AFTER,
            )
            .order_by(T.created_at)
        )
        return [
            {
                "conversation_id": str(row.conversation_id),
                "from": {"handle": row.handle, "name": row.name},
                "sent_at": iso(row.created_at),
            }
            for row in rows
        ]
