"""Sending InMail (API.md ``POST /api/v1/inmail``).

An InMail goes to a member the sender is not connected to, from a paid plan, and costs one credit
(none to an Open Profile). There is one InMail conversation per (sender, recipient): it lands in
the recipient's Other folder; a second InMail while it is unanswered joins it and costs another
credit; after Interested or a reply it is open, and an InMail into it is an ordinary message
(free); after Not interested it is closed to the sender. From a recruiter seat the InMail names
the organisation, and reaches followers of that organisation even with InMail turned off.

The whole send is one transaction that first locks the sender (``credits.settle``), so a
member's sends, spends and ``client_id`` retries take turns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from inroad.accounts.actor import Actor
from inroad.accounts.tables import members
from inroad.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    TooManyRequests,
    text_limit,
)
from inroad.messaging import events as messaging_events
from inroad.messaging import people, queries
from inroad.messaging.actions import check_client_id
from inroad.messaging.tables import conversation_members, conversations, messages
from inroad.messaging.views import message_view
from inroad.premium import credits, orgs
from inroad.premium.answers import closed_to_sender, credits_changed
from inroad.premium.plans import plan_for
from inroad.premium.tables import inmail_threads, inmails, org_follows, org_seats
from inroad.profiles.views import MEMBER_COLUMNS, member_view
from inroad.realtime.outbox import Tx, transaction
from inroad.services import Services

MAX_SUBJECT = 200
MAX_TEXT = 1900
SEND_WINDOW = timedelta(minutes=1)
cm = conversation_members
T = inmail_threads.c


def check_inmail(subject: str, text: str, client_id: str) -> str:
    """422 ``subject_required`` (blank), ``subject_too_long`` (> 200), ``text_too_long``
    (> 1,900), ``empty_message`` (blank body), ``invalid_input`` (client_id, NUL characters).
    Returns the subject trimmed."""
    check_client_id(client_id)
    for field, value in (("subject", subject), ("text", text)):
        if "\x00" in value:
            raise InvalidInput("invalid_input", f"{field} contains a NUL character.", field=field)
    subject = subject.strip()
    if not subject:
        raise InvalidInput("subject_required", "An InMail needs a subject.", field="subject")
    text_limit(subject, MAX_SUBJECT, "subject_too_long", "The subject")
    text_limit(text, MAX_TEXT, "text_too_long", "The InMail")
    if not text.strip():
        raise InvalidInput("empty_message", "Write your InMail.", field="text")
    return subject


@dataclass(frozen=True)
class InMailSent:
    conversation_id: int
    message: dict[str, Any]
    credits_remaining: int
    created: bool  # False: an idempotent retry (200)


async def _recipient(conn: AsyncConnection, actor: Actor, handle: str) -> Any:
    """The live, unblocked member ``handle`` with what decides an InMail to them (404 else)."""
    if handle.strip().lower() == actor.handle:
        raise InvalidInput("invalid_input", "You cannot send InMail to yourself.", field="to")
    resolved = (await people.resolve_handles(conn, actor.id, [handle.strip().lower()])).get(
        handle.strip().lower()
    )
    if resolved is None or resolved.blocked:
        raise NotFound("No member with that handle.")
    row = (
        await conn.execute(
            sa.select(members.c.allow_inmail, members.c.open_profile, members.c.plan).where(
                members.c.id == resolved.id
            )
        )
    ).one()
    return resolved, row


async def _seat_org(
    conn: AsyncConnection, actor: Actor, slug: str, recipient_id: int
) -> tuple[Any, bool]:
    """The organisation the actor sends from (404 unknown; 403 ``seat_required`` without a seat
    there) and whether the recipient follows it."""
    org = await orgs.access_org(conn, slug)
    seat = await conn.execute(
        sa.select(sa.literal(1)).where(
            org_seats.c.org_id == org.id, org_seats.c.member_id == actor.id
        )
    )
    if seat.first() is None:
        raise Forbidden(
            "seat_required",
            f"Sending InMail as {org.name} needs a recruiter seat there; ask one of its admins.",
        )
    follows = await conn.execute(
        sa.select(sa.literal(1)).where(
            org_follows.c.org_id == org.id, org_follows.c.member_id == recipient_id
        )
    )
    return org, follows.first() is not None


async def _check_rate(conn: AsyncConnection, svc: Services, sender_id: int) -> None:
    """Messaging's per-member send limit (an InMail is a message): 429 ``too_many_messages``."""
    limit = svc.settings.send_limit_per_minute
    if limit <= 0:
        return
    now = svc.clock.now()
    edge = (
        await conn.execute(
            sa.select(messages.c.created_at)
            .where(messages.c.sender_id == sender_id)
            .order_by(messages.c.created_at.desc())
            .limit(1)
            .offset(limit - 1)
        )
    ).scalar_one_or_none()
    if edge is not None and edge > now - SEND_WINDOW:
        raise TooManyRequests(
            "too_many_messages",
            "You are sending messages too quickly. Wait a moment, then try again.",
            int((edge + SEND_WINDOW - now).total_seconds()) + 1,
        )


async def do_send_inmail(
    tx: Tx,
    svc: Services,
    actor: Actor,
    *,
    to: str,
    subject: str,
    text: str,
    client_id: str,
    organization: str | None = None,
) -> InMailSent:
    """Send an InMail (see the module docstring). Raises 422 (input), 404 (unknown, blocked),
    403 ``premium_required`` / ``inmail_disabled`` / ``seat_required`` / ``conversation_closed``,
    409 ``already_connected``, 402 ``no_credits``, 429 ``too_many_messages``. A ``client_id``
    the sender already used returns that message (``created`` False) and spends nothing."""
    subject = check_inmail(subject, text, client_id)
    conn = tx.conn
    now = svc.clock.now()
    account = await credits.settle(conn, actor.id, now)  # locks the sender
    existing = await queries.message_by_client_id(conn, actor.id, client_id)
    if existing is not None:
        return InMailSent(
            int(existing["conversation_id"]), existing, account.balance, created=False
        )
    resolved, recipient = await _recipient(conn, actor, to)
    if not account.plan.is_premium:
        raise Forbidden("premium_required", "InMail needs a paid plan. See the Premium page.")
    if resolved.connected:
        raise Conflict(
            "already_connected", "You are connected: send them a message instead of an InMail."
        )
    org, follows_org = (None, False)
    if organization:
        org, follows_org = await _seat_org(conn, actor, organization, resolved.id)
    if not recipient.allow_inmail and not follows_org:
        raise Forbidden("inmail_disabled", "This member does not accept InMail.")
    thread = (
        await conn.execute(
            sa.select(T.conversation_id, T.state).where(
                T.sender_id == actor.id, T.recipient_id == resolved.id
            )
        )
    ).first()
    if thread is not None and thread.state == "not_interested":
        raise closed_to_sender()
    await _check_rate(conn, svc, actor.id)
    open_profile = recipient.open_profile and plan_for(recipient.plan).is_premium
    answered = thread is not None and thread.state != "pending"
    if thread is None:
        conversation_id = (
            await conn.execute(
                conversations.insert()
                .values(kind="inmail", created_by=actor.id, created_at=now)
                .returning(conversations.c.id)
            )
        ).scalar_one()
        await conn.execute(
            inmail_threads.insert().values(
                conversation_id=conversation_id,
                sender_id=actor.id,
                recipient_id=resolved.id,
                created_at=now,
            )
        )
    else:
        conversation_id = thread.conversation_id
    spend_id = None
    if not open_profile and not answered:
        spend_id = (
            await credits.spend(conn, actor.id, now, conversation_id=conversation_id)
        ).spend_id
    message_id = (
        await conn.execute(
            messages.insert()
            .values(
                conversation_id=conversation_id,
                sender_id=actor.id,
                client_id=client_id,
                text=text,
                subject=subject,
                attachments=[],
                created_at=now,
            )
            .returning(messages.c.id)
        )
    ).scalar_one()
    await conn.execute(
        inmails.insert().values(
            message_id=message_id,
            conversation_id=conversation_id,
            org_id=None if org is None else org.id,
            spend_id=spend_id,
            sent_at=now,
        )
    )
    if thread is None:
        await _add_members(conn, conversation_id, actor.id, resolved.id, message_id, now)
    else:
        await _advance_members(conn, conversation_id, actor.id, message_id)
    sender_row = (
        (await conn.execute(sa.select(*MEMBER_COLUMNS).where(members.c.id == actor.id)))
        .mappings()
        .one()
    )
    view = message_view(
        {
            "id": message_id,
            "conversation_id": conversation_id,
            "sender_id": actor.id,
            "client_id": client_id,
            "text": text,
            "subject": subject,
            "attachments": [],
            "created_at": now,
            "edited_at": None,
            "deleted_at": None,
        },
        member_view(sender_row),
        [],
    )
    tx.outbox.add(
        [actor.id, resolved.id],
        messaging_events.MESSAGE_CREATED,
        {"conversation_id": str(conversation_id), "message": view},
    )
    if spend_id is not None:
        await credits_changed(tx, actor.id)
    balance = await credits.ledger_balance(conn, actor.id)
    return InMailSent(conversation_id, view, balance, created=True)


async def _add_members(
    conn: AsyncConnection,
    conversation_id: int,
    sender_id: int,
    recipient_id: int,
    message_id: int,
    now: datetime,
) -> None:
    """The two participants of a new InMail: Focused for the sender, Other for the recipient."""
    common = {
        "conversation_id": conversation_id,
        "joined_at": now,
        "last_message_id": message_id,
        "muted": False,
    }
    await conn.execute(
        cm.insert(),
        [
            {
                **common,
                "member_id": sender_id,
                "last_read_message_id": message_id,
                "unread_count": 0,
                "folder": "focused",
                "home": "focused",
            },
            {
                **common,
                "member_id": recipient_id,
                "last_read_message_id": 0,
                "unread_count": 1,
                "folder": "other",
                "home": "other",
            },
        ],
    )


async def _advance_members(
    conn: AsyncConnection, conversation_id: int, sender_id: int, message_id: int
) -> None:
    """A further InMail in the conversation: the same bookkeeping as a message send (unread
    for the others, read for the sender, back from Archived; Spam stays Spam)."""
    is_sender = cm.c.member_id == sender_id
    await conn.execute(
        sa.update(cm)
        .where(cm.c.conversation_id == conversation_id)
        .values(
            last_message_id=message_id,
            unread_count=sa.case((is_sender, 0), else_=cm.c.unread_count + 1),
            last_read_message_id=sa.case((is_sender, message_id), else_=cm.c.last_read_message_id),
            folder=sa.case((cm.c.folder == "archived", cm.c.home), else_=cm.c.folder),
        )
    )


async def send_inmail(
    svc: Services,
    actor: Actor,
    *,
    to: str,
    subject: str,
    text: str,
    client_id: str,
    organization: str | None = None,
) -> tuple[dict[str, Any], InMailSent]:
    """``do_send_inmail`` in its own transaction; returns the Conversation as the sender sees
    it, and what was sent."""
    async with transaction(svc) as tx:
        sent = await do_send_inmail(
            tx,
            svc,
            actor,
            to=to,
            subject=subject,
            text=text,
            client_id=client_id,
            organization=organization,
        )
    conversation = await queries.get_conversation(svc, actor.id, sent.conversation_id)
    return conversation, sent
