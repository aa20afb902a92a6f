"""The coach's review of a draft for a signed-in sender (API.md "Coach"): the text review plus
what only the data can tell — shared context with the recipient, whether this is a first
message, and the sender's own profile strength. Read-only; the coach never blocks a send.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from inroad.accounts.actor import Actor
from inroad.coach.context import SharedItem, shared_context
from inroad.coach.review import profile_issue, review, shared_context_issue
from inroad.coach.text import CHANNELS
from inroad.errors import InvalidInput, text_limit
from inroad.messaging.access import access_conversation
from inroad.messaging.tables import conversation_members, conversations, messages
from inroad.network.access import parse_id, visible_member
from inroad.profiles import strength
from inroad.services import Services

# The coach reads drafts, it does not store them; these only turn away absurd requests (ten
# times the longest thing any channel accepts). Channel limits are issues, not errors.
MAX_REVIEW_TEXT = 20_000
MAX_REVIEW_SUBJECT = 2_000
# Conversations whose earlier messages make a draft "not the first message" to their members.
_PERSONAL_KINDS = ("direct", "inmail")


@dataclass(frozen=True, slots=True)
class Draft:
    channel: str
    text: str
    subject: str | None = None
    to: str | None = None
    conversation_id: str | None = None
    first_message: bool | None = None


def check_draft(draft: Draft) -> None:
    """422 ``invalid_channel`` for an unknown channel, ``text_too_long`` / ``subject_too_long``
    past ``MAX_REVIEW_TEXT`` / ``MAX_REVIEW_SUBJECT`` code points."""
    if draft.channel not in CHANNELS:
        raise InvalidInput(
            "invalid_channel",
            f"channel must be one of {', '.join(CHANNELS)}.",
            field="channel",
        )
    text_limit(draft.text, MAX_REVIEW_TEXT, "text_too_long", "The draft")
    text_limit(draft.subject, MAX_REVIEW_SUBJECT, "subject_too_long", "The subject")


async def review_draft(svc: Services, actor: Actor, draft: Draft) -> dict[str, Any]:
    """The API's review document: ``labels``, ``issues``, ``shared_context``, ``length`` and the
    ``first_message`` value used. 404 when ``to`` is unknown, deleted or blocked either way, or
    ``conversation_id`` is not a conversation the actor is in.

    ``first_message`` defaults to true unless the actor already sent a message in a 1:1 or
    InMail conversation with ``to``, or in ``conversation_id``. ``no_shared_context`` is added
    when ``to`` is given, the data holds shared context and the text mentions none;
    ``profile_incomplete`` whenever the actor's profile is below All-Star."""
    check_draft(draft)
    items: list[SharedItem] = []
    async with svc.db.read() as conn:
        recipient_id: int | None = None
        if draft.to is not None:
            recipient_id = int((await visible_member(conn, actor.id, draft.to))["id"])
        conversation_id: int | None = None
        if draft.conversation_id is not None:
            conversation_id = parse_id(draft.conversation_id, "That conversation")
            await access_conversation(conn, actor.id, conversation_id)
        first = draft.first_message
        if first is None:
            first = not await _has_written(conn, actor.id, recipient_id, conversation_id)
        if recipient_id is not None:
            items = await shared_context(conn, actor.id, recipient_id, now=svc.clock.now())
        sender_strength = await strength.load(conn, actor.id)
    result = review(draft.text, channel=draft.channel, first_message=first, subject=draft.subject)
    issues = list(result.issues)
    if recipient_id is not None and items and not result.labels["shared_context"]:
        issues.append(shared_context_issue())
    if sender_strength.level != "all_star":
        missing = list(sender_strength.missing)
        issues.append(profile_issue(sender_strength.level, sender_strength.score, missing))
    return {
        "labels": dict(result.labels),
        "issues": [issue.to_dict() for issue in issues],
        "shared_context": [item.to_dict() for item in items],
        "length": result.length.to_dict(),
        "first_message": first,
    }


async def _has_written(
    conn: AsyncConnection, sender_id: int, recipient_id: int | None, conversation_id: int | None
) -> bool:
    """Whether ``sender_id`` sent any message in ``conversation_id``, or in a 1:1 or InMail
    conversation that ``recipient_id`` is in. Walks the sender's conversation rows, probing the
    recipient's by primary key; each message check is one index probe."""
    sent_here = (
        sa.exists()
        .where(messages.c.conversation_id == conversation_members.c.conversation_id)
        .where(messages.c.sender_id == sender_id)
    )
    if conversation_id is not None:
        query = sa.select(sa.literal(1)).where(
            sa.exists()
            .where(messages.c.conversation_id == conversation_id)
            .where(messages.c.sender_id == sender_id)
        )
        if (await conn.execute(query)).first() is not None:
            return True
    if recipient_id is None or recipient_id == sender_id:
        return False
    theirs = conversation_members.alias("theirs")
    query = (
        sa.select(sa.literal(1))
        .select_from(conversation_members)
        .join(
            theirs,
            sa.and_(
                theirs.c.member_id == recipient_id,
                theirs.c.conversation_id == conversation_members.c.conversation_id,
            ),
        )
        .join(
            conversations,
            sa.and_(
                conversations.c.id == conversation_members.c.conversation_id,
                conversations.c.kind.in_(_PERSONAL_KINDS),
            ),
        )
        .where(conversation_members.c.member_id == sender_id, sent_here)
        .limit(1)
    )
    return (await conn.execute(query)).first() is not None
