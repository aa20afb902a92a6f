"""Invitations, connections, blocks, suggestions dismissal and reports: every write is one
transaction, validated by ``check_*`` and done by ``do_*`` (PRODUCT.md §2, API.md "Network").

Locking, one global order so PostgreSQL transactions never deadlock: first the two members'
rows in id order (``graph.lock_members``), then invitation rows (``FOR UPDATE``). Sending, accepting
and blocking lock the members — so racing sends between one pair, or by one sender near the weekly
limit, serialise, and two accepts can never push a member past the cap; every state change of an
invitation locks its row, so accept racing withdraw has exactly one outcome. SQLite serialises
writers anyway.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
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
from inroad.messaging import access as messaging_access
from inroad.messaging import actions as messaging_actions
from inroad.network import access, events, graph, rules
from inroad.network.context import shared_context
from inroad.network.events import NetworkEvent
from inroad.network.tables import blocks, dismissed_suggestions, invitations, reports
from inroad.realtime.outbox import Tx, transaction
from inroad.services import Services

WEEK = timedelta(days=7)


@dataclass(frozen=True)
class HowYouKnow:
    relation: str
    organization: str | None = None


@dataclass(frozen=True)
class InvitationInput:
    note: str | None
    how_you_know: HowYouKnow | None
    email: str | None


@dataclass(frozen=True)
class Outcome:
    """What an invitation action did: the invitation it touched (None when sending met a pending
    reverse invitation and connected the two at once) and the events to publish after commit."""

    invitation_id: int | None
    connected: bool = False
    events: list[NetworkEvent] = field(default_factory=list)


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def check_invitation_input(
    note: str | None, how_you_know: HowYouKnow | None, email: str | None
) -> InvitationInput:
    """Input rules that need no database: 422 ``note_too_long`` (over 300 code points after
    trimming), ``invalid_relation``, ``organization_required`` (colleague, classmate),
    ``field_too_long``. An empty note is no note."""
    note = _clean(note)
    text_limit(note, rules.NOTE_MAX, "note_too_long", "The note")
    how = None
    if how_you_know is not None:
        if how_you_know.relation not in rules.RELATIONS:
            raise InvalidInput(
                "invalid_relation",
                "How you know each other is one of: " + ", ".join(rules.RELATIONS) + ".",
                field="how_you_know.relation",
            )
        organization = _clean(how_you_know.organization)
        text_limit(
            organization,
            rules.ORGANIZATION_MAX,
            "field_too_long",
            "The organisation",
            field="how_you_know.organization",
        )
        if how_you_know.relation in rules.RELATIONS_NEEDING_ORGANIZATION and not organization:
            what = "company" if how_you_know.relation == "colleague" else "school"
            raise InvalidInput(
                "organization_required",
                f"Say at which {what} you know each other.",
                field="how_you_know.organization",
            )
        how = HowYouKnow(how_you_know.relation, organization)
    email = _clean(email)
    return InvitationInput(note, how, email.lower()[:320] if email else None)


def expiry_cutoff(svc: Services, now: datetime) -> datetime:
    """Invitations created at or before this moment have expired."""
    return now - timedelta(days=svc.settings.invitation_expiry_days)


def pair_clause(a: int, b: int) -> sa.ColumnElement[bool]:
    """Invitations between ``a`` and ``b`` in either direction (two pair-index ranges)."""
    return sa.or_(
        sa.and_(invitations.c.sender_id == a, invitations.c.recipient_id == b),
        sa.and_(invitations.c.sender_id == b, invitations.c.recipient_id == a),
    )


async def _expire_stale(
    conn: AsyncConnection, svc: Services, a: int, b: int, now: datetime
) -> None:
    """Record as ``expired`` the pair's open invitations that the clock has expired, so the
    one-pending-per-pair index and the checks below see only live ones."""
    await conn.execute(
        sa.update(invitations)
        .where(
            pair_clause(a, b),
            invitations.c.status.in_((rules.PENDING, rules.IGNORED)),
            invitations.c.withdrawn_at.is_(None),
            invitations.c.created_at <= expiry_cutoff(svc, now),
        )
        .values(status=rules.EXPIRED)
    )


def check_cap(counts: dict[int, int], actor_id: int) -> None:
    for member_id, count in sorted(counts.items(), key=lambda item: item[0] != actor_id):
        if count >= rules.CONNECTION_CAP:
            who = "You have" if member_id == actor_id else "This member has"
            raise Conflict(
                "connection_limit_reached",
                f"{who} reached the limit of {rules.CONNECTION_CAP:,} connections.",
                limit=rules.CONNECTION_CAP,
            )


async def _connect(
    conn: AsyncConnection, sender_id: int, recipient_id: int, actor_id: int, now: datetime
) -> None:
    """Lock both members, check the cap on both sides, connect them and mark every open
    invitation between them accepted."""
    check_cap(await graph.lock_members(conn, (sender_id, recipient_id)), actor_id)
    await graph.add_connection(conn, sender_id, recipient_id, now)
    await conn.execute(
        sa.update(invitations)
        .where(
            pair_clause(sender_id, recipient_id),
            invitations.c.status.in_((rules.PENDING, rules.IGNORED)),
            invitations.c.withdrawn_at.is_(None),
        )
        .values(status=rules.ACCEPTED, responded_at=now)
    )


async def _check_weekly_limit(
    conn: AsyncConnection, svc: Services, sender_id: int, now: datetime
) -> None:
    limit = svc.settings.invitations_per_week
    if limit <= 0:
        return
    window_start = now - WEEK
    in_window = (
        sa.select(invitations.c.created_at)
        .where(invitations.c.sender_id == sender_id, invitations.c.created_at > window_start)
        .order_by(invitations.c.created_at)
    )
    count = (
        await conn.execute(sa.select(sa.func.count()).select_from(in_window.subquery()))
    ).scalar_one()
    if count < limit:
        return
    # The invitation whose leaving the window brings the count back under the limit.
    freeing = (await conn.execute(in_window.offset(count - limit).limit(1))).scalar_one()
    raise TooManyRequests(
        "weekly_invitation_limit",
        f"You have sent {limit} invitations in the last 7 days, the most allowed. Try again later.",
        int((freeing + WEEK - now).total_seconds()) + 1,
        limit=limit,
    )


async def notes_left(
    conn: AsyncConnection, svc: Services, member_id: int, now: datetime
) -> int | None:
    """How many more invitation notes the member may add this calendar month (UTC); None when
    unlimited (premium plans, read from ``members.plan``)."""
    plan = (
        await conn.execute(sa.select(members.c.plan).where(members.c.id == member_id))
    ).scalar_one()
    if rules.is_premium(plan):
        return None
    month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    used = (
        await conn.execute(
            sa.select(sa.func.count())
            .select_from(invitations)
            .where(
                invitations.c.sender_id == member_id,
                invitations.c.created_at >= month_start,
                invitations.c.note.is_not(None),
            )
        )
    ).scalar_one()
    return max(0, svc.settings.free_notes_per_month - int(used))


async def _check_note_quota(
    conn: AsyncConnection, svc: Services, sender_id: int, now: datetime
) -> None:
    if await notes_left(conn, svc, sender_id, now) == 0:
        quota = svc.settings.free_notes_per_month
        raise Forbidden(
            "note_quota_exhausted",
            f"Free members can add a note to {quota} invitations a month; you have used them "
            "all. Send the invitation without a note, or upgrade to Premium.",
            quota=quota,
        )


async def _rejections(conn: AsyncConnection, sender_id: int) -> int:
    return int(
        (
            await conn.execute(
                sa.select(sa.func.count())
                .select_from(invitations)
                .where(invitations.c.sender_id == sender_id, invitations.c.status == rules.REJECTED)
            )
        ).scalar_one()
    )


@dataclass(frozen=True)
class InvitePolicy:
    """What inviting a given member asks of the sender."""

    restricted: bool  # the recipient takes invitations only with a mutual connection
    email_required: bool  # the sender must enter the recipient's email address
    how_you_know_required: bool  # no shared connection, employer or school


async def invite_policy(
    conn: AsyncConnection, svc: Services, sender_id: int, recipient: sa.RowMapping
) -> InvitePolicy:
    """The recipient's ``invitations_from`` setting, the sender's rejection record ("I don't
    know this person" answers, ``Settings.rejections_before_email_required``) and the "How do
    you know each other?" rule, for this pair."""
    context = await shared_context(conn, sender_id, recipient["id"])
    setting = recipient["invitations_from"]
    threshold = svc.settings.rejections_before_email_required
    return InvitePolicy(
        restricted=setting == "mutual_only" and not context.mutual_connection,
        email_required=(setting == "email_required" and not context.any)
        or (threshold > 0 and await _rejections(conn, sender_id) >= threshold),
        how_you_know_required=not context.any,
    )


async def _check_policy(
    conn: AsyncConnection,
    svc: Services,
    sender_id: int,
    recipient: sa.RowMapping,
    data: InvitationInput,
) -> None:
    policy = await invite_policy(conn, svc, sender_id, recipient)
    if policy.restricted:
        raise Forbidden(
            "invitations_restricted",
            "This member accepts invitations only from people with a mutual connection.",
        )
    if policy.email_required and data.email != (recipient["email"] or "").lower():
        raise Forbidden("email_required", "To invite this member, enter their email address.")
    if policy.how_you_know_required and data.how_you_know is None:
        raise InvalidInput(
            "how_you_know_required",
            "You share no connections, employer or school: say how you know each other.",
            field="how_you_know",
        )


def _emit(tx: Tx, outcome: Outcome) -> Outcome:
    """Queue the outcome's events in the transaction's outbox (published after commit)."""
    for event in outcome.events:
        tx.outbox.add((event.member_id,), event.type, event.data)
    return outcome


async def do_send_invitation(
    svc: Services,
    actor: Actor,
    to_handle: str,
    *,
    note: str | None = None,
    how_you_know: HowYouKnow | None = None,
    email: str | None = None,
) -> Outcome:
    """Invite ``to_handle``, or connect at once when they have a pending invitation to the actor.

    Raises, in this order: 422 input errors (``check_invitation_input``); 404 unknown, deleted or
    blocked either way; 422 ``cannot_invite_self``; 409 ``already_connected``; (a pending reverse
    invitation connects, subject to 409 ``connection_limit_reached``); 403
    ``invitation_rejected``; 409 ``invitation_pending``, ``reinvite_cooldown``,
    ``connection_limit_reached``; 403 ``invitations_restricted``, ``email_required``; 422
    ``how_you_know_required``; 403 ``note_quota_exhausted``; 429 ``weekly_invitation_limit``.
    Emits ``invitation.received`` (or ``invitation.accepted`` when it connected)."""
    data = check_invitation_input(note, how_you_know, email)
    now = svc.clock.now()
    try:
        async with transaction(svc) as tx:
            conn = tx.conn
            recipient = await access.visible_member(conn, actor.id, to_handle)
            rid = recipient["id"]
            if rid == actor.id:
                raise InvalidInput("cannot_invite_self", "You cannot invite yourself.")
            await graph.lock_members(conn, (actor.id, rid))
            if await graph.is_connected(conn, actor.id, rid):
                raise Conflict("already_connected", "You are already connected.")
            await _expire_stale(conn, svc, actor.id, rid, now)
            reverse = (
                (
                    await conn.execute(
                        sa.select(invitations.c.id)
                        .where(
                            invitations.c.sender_id == rid,
                            invitations.c.recipient_id == actor.id,
                            invitations.c.status.in_((rules.PENDING, rules.IGNORED)),
                            invitations.c.withdrawn_at.is_(None),
                        )
                        .with_for_update()
                    )
                )
                .scalars()
                .first()
            )
            if reverse is not None:
                await _connect(conn, rid, actor.id, actor.id, now)
                return _emit(
                    tx,
                    Outcome(
                        reverse,
                        connected=True,
                        events=events.invitation_accepted(
                            rid, actor.id, reverse, recipient["handle"], actor.handle
                        ),
                    ),
                )
            await check_pair_history(conn, svc, actor.id, rid, now)
            check_cap(await graph.connection_counts(conn, (actor.id, rid)), actor.id)
            await _check_policy(conn, svc, actor.id, recipient, data)
            if data.note is not None:
                await _check_note_quota(conn, svc, actor.id, now)
            await _check_weekly_limit(conn, svc, actor.id, now)
            how = data.how_you_know
            invitation_id = (
                await conn.execute(
                    invitations.insert()
                    .values(
                        sender_id=actor.id,
                        recipient_id=rid,
                        note=data.note,
                        how_relation=how.relation if how else None,
                        how_organization=how.organization if how else None,
                        status=rules.PENDING,
                        created_at=now,
                    )
                    .returning(invitations.c.id)
                )
            ).scalar_one()
            return _emit(
                tx,
                Outcome(
                    invitation_id,
                    events=events.invitation_received(rid, invitation_id, actor.handle),
                ),
            )
    except IntegrityError as exc:
        # Two sends to the same person raced past the checks; the pending-pair index decided.
        raise Conflict(
            "invitation_pending", "An invitation to this member is already pending."
        ) from exc


async def check_pair_history(
    conn: AsyncConnection, svc: Services, sender_id: int, recipient_id: int, now: datetime
) -> None:
    """403 ``invitation_rejected``, 409 ``invitation_pending`` or ``reinvite_cooldown`` from the
    sender's earlier invitations to this recipient (one index range)."""
    earlier = (
        await conn.execute(
            sa.select(invitations.c.status, invitations.c.withdrawn_at).where(
                invitations.c.sender_id == sender_id, invitations.c.recipient_id == recipient_id
            )
        )
    ).all()
    if any(row.status == rules.REJECTED for row in earlier):
        raise Forbidden(
            "invitation_rejected", "This member does not know you, so you cannot invite them."
        )
    if any(
        row.status in (rules.PENDING, rules.IGNORED) and row.withdrawn_at is None for row in earlier
    ):
        raise Conflict("invitation_pending", "An invitation to this member is already pending.")
    cooldown = timedelta(days=svc.settings.reinvite_cooldown_days)
    withdrawn = [row.withdrawn_at for row in earlier if row.withdrawn_at is not None]
    if withdrawn and max(withdrawn) + cooldown > now:
        available = max(withdrawn) + cooldown
        raise Conflict(
            "reinvite_cooldown",
            f"You withdrew an invitation to this member; you can invite them again after "
            f"{available:%d %B %Y}.",
            available_at=available.isoformat().replace("+00:00", "Z"),
        )


def _require_open(
    svc: Services, row: sa.RowMapping, now: datetime, allowed: tuple[str, ...]
) -> None:
    if row["withdrawn_at"] is None and row["status"] in allowed:
        if row["created_at"] <= expiry_cutoff(svc, now):
            raise Conflict("invitation_expired", "This invitation has expired.")
        return
    raise Conflict("invitation_not_pending", "This invitation is no longer pending.")


async def _respond(svc: Services, actor: Actor, invitation_id: str, status: str) -> Outcome:
    """Ignore or reject (recipient only; 403 ``not_recipient`` for the sender)."""
    now = svc.clock.now()
    async with svc.db.write() as conn:
        row = await access.access_invitation(conn, actor.id, invitation_id, lock=True)
        if row["recipient_id"] != actor.id:
            raise Forbidden("not_recipient", "Only the member invited can answer an invitation.")
        _require_open(svc, row, now, (rules.PENDING,))
        await conn.execute(
            sa.update(invitations)
            .where(invitations.c.id == row["id"])
            .values(status=status, responded_at=now)
        )
    return Outcome(row["id"])


async def do_accept(svc: Services, actor: Actor, invitation_id: str) -> Outcome:
    """Connect sender and recipient. 403 ``not_recipient`` for the sender; 409
    ``invitation_not_pending`` / ``invitation_expired``; 409 ``connection_limit_reached`` when
    either member is at the cap. Emits ``invitation.accepted``."""
    now = svc.clock.now()
    async with transaction(svc) as tx:
        conn = tx.conn
        row = await access.access_invitation(conn, actor.id, invitation_id)
        if row["recipient_id"] != actor.id:
            raise Forbidden("not_recipient", "Only the member invited can accept an invitation.")
        # Members before the invitation row (the module's lock order); then read it again locked.
        await graph.lock_members(conn, (row["sender_id"], actor.id))
        row = await access.access_invitation(conn, actor.id, invitation_id, lock=True)
        _require_open(svc, row, now, (rules.PENDING,))
        await _connect(conn, row["sender_id"], actor.id, actor.id, now)
        sender_handle = (
            await conn.execute(sa.select(members.c.handle).where(members.c.id == row["sender_id"]))
        ).scalar_one()
        return _emit(
            tx,
            Outcome(
                row["id"],
                connected=True,
                events=events.invitation_accepted(
                    row["sender_id"], actor.id, row["id"], sender_handle, actor.handle
                ),
            ),
        )


async def do_ignore(svc: Services, actor: Actor, invitation_id: str) -> Outcome:
    """Silent: the sender keeps seeing the invitation as pending."""
    return await _respond(svc, actor, invitation_id, rules.IGNORED)


async def do_reject(svc: Services, actor: Actor, invitation_id: str) -> Outcome:
    """ "I don't know this person": the sender can never invite the actor again (403
    ``invitation_rejected``) and the rejection counts against the sender."""
    return await _respond(svc, actor, invitation_id, rules.REJECTED)


async def do_withdraw(svc: Services, actor: Actor, invitation_id: str) -> Outcome:
    """Sender only (403 ``not_sender`` for the recipient). Starts the re-invite cool-down. An
    ignored or rejected invitation looks pending to the sender and can be withdrawn alike; a
    rejected one stays recorded as rejected."""
    now = svc.clock.now()
    async with svc.db.write() as conn:
        row = await access.access_invitation(conn, actor.id, invitation_id, lock=True)
        if row["sender_id"] != actor.id:
            raise Forbidden("not_sender", "Only the member who sent an invitation can withdraw it.")
        _require_open(svc, row, now, rules.SENDER_PENDING)
        status = rules.REJECTED if row["status"] == rules.REJECTED else rules.WITHDRAWN
        await conn.execute(
            sa.update(invitations)
            .where(invitations.c.id == row["id"])
            .values(status=status, withdrawn_at=now)
        )
    return Outcome(row["id"])


async def do_remove_connection(svc: Services, actor: Actor, handle: str) -> None:
    """Silent to the other member. 404 when unknown, hidden, or not a connection."""
    async with svc.db.write() as conn:
        other = await access.visible_member(conn, actor.id, handle)
        await graph.lock_members(conn, (actor.id, other["id"]))
        if not await graph.remove_connection(conn, actor.id, other["id"]):
            raise NotFound("You are not connected to this member.")


async def do_dismiss_suggestion(svc: Services, actor: Actor, handle: str) -> None:
    """Never suggest ``handle`` to the actor again (idempotent). 404 when unknown or hidden."""
    async with svc.db.write() as conn:
        other = await access.visible_member(conn, actor.id, handle)
        if other["id"] == actor.id:
            raise NotFound("You are never suggested to yourself.")
        exists = (
            await conn.execute(
                sa.select(sa.literal(1)).where(
                    dismissed_suggestions.c.member_id == actor.id,
                    dismissed_suggestions.c.dismissed_id == other["id"],
                )
            )
        ).first()
        if exists is None:
            await conn.execute(
                dismissed_suggestions.insert().values(
                    member_id=actor.id, dismissed_id=other["id"], created_at=svc.clock.now()
                )
            )


async def do_block(svc: Services, actor: Actor, handle: str) -> int:
    """Block ``handle`` (idempotent) and return their id. In the same transaction: open
    invitations between the two are deleted (history such as a rejection stays on record) and
    the connection is removed. Silent: nothing tells the blocked member. 404 when unknown or when
    they blocked the actor (they are already hidden); 422 ``cannot_block_self``."""
    now = svc.clock.now()
    async with svc.db.write() as conn:
        other = await access.live_member(conn, handle)
        oid = other["id"]
        if oid == actor.id:
            raise InvalidInput("cannot_block_self", "You cannot block yourself.")
        blocked_by_them = (
            await conn.execute(
                sa.select(sa.literal(1)).where(
                    blocks.c.blocker_id == oid, blocks.c.blocked_id == actor.id
                )
            )
        ).first()
        if blocked_by_them is not None:
            raise NotFound(access.MEMBER_NOT_FOUND)
        await graph.lock_members(conn, (actor.id, oid))
        await conn.execute(
            invitations.delete().where(
                pair_clause(actor.id, oid),
                invitations.c.status.in_((rules.PENDING, rules.IGNORED)),
                invitations.c.withdrawn_at.is_(None),
            )
        )
        await graph.remove_connection(conn, actor.id, oid)
        already = (
            await conn.execute(
                sa.select(sa.literal(1)).where(
                    blocks.c.blocker_id == actor.id, blocks.c.blocked_id == oid
                )
            )
        ).first()
        if already is None:
            await conn.execute(
                blocks.insert().values(blocker_id=actor.id, blocked_id=oid, created_at=now)
            )
    return int(oid)


async def do_unblock(svc: Services, actor: Actor, handle: str) -> None:
    """Lift the actor's block: both see each other again; the connection is not restored.
    404 when the actor has not blocked ``handle``."""
    async with svc.db.write() as conn:
        other = await access.live_member(conn, handle)
        deleted = await conn.execute(
            blocks.delete().where(
                blocks.c.blocker_id == actor.id, blocks.c.blocked_id == other["id"]
            )
        )
        if not deleted.rowcount:
            raise NotFound("You have not blocked this member.")


def check_report(reason: str, detail: str | None, has_target: bool) -> str:
    if reason not in rules.REPORT_REASONS:
        raise InvalidInput(
            "invalid_reason",
            "The reason is one of: " + ", ".join(rules.REPORT_REASONS) + ".",
            field="reason",
        )
    detail = (detail or "").strip()
    text_limit(detail, rules.REPORT_DETAIL_MAX, "field_too_long", "The detail", field="detail")
    if not has_target:
        raise InvalidInput(
            "report_target_required",
            "Say what you are reporting: a member, conversation or message.",
        )
    return detail


async def do_report(
    svc: Services,
    actor: Actor,
    *,
    reason: str,
    handle: str | None = None,
    conversation_id: str | None = None,
    message_id: str | None = None,
    detail: str | None = None,
) -> int:
    """File a report into the operator moderation queue and return its id. A member may be
    reported whatever the blocks between the two (reporting after blocking is the usual order).
    422 ``invalid_reason``, ``field_too_long``, ``report_target_required``,
    ``cannot_report_self``; 404 for an unknown member, a malformed id, or a conversation or
    message the reporter does not take part in. A reported message records its conversation too.
    A reported conversation (or the conversation of a reported message) moves to the reporter's
    Spam folder in the same transaction."""
    clean = check_report(reason, detail, bool(handle or conversation_id or message_id))
    conversation = (
        access.parse_id(conversation_id, "That conversation") if conversation_id else None
    )
    message = access.parse_id(message_id, "That message") if message_id else None
    async with transaction(svc) as tx:
        conn = tx.conn
        # Only what the reporter can see can be reported: 404 otherwise, as everywhere.
        if conversation is not None:
            await messaging_access.access_conversation(conn, actor.id, conversation)
        if message is not None:
            found = await messaging_access.access_message(conn, actor.id, message)
            in_conversation = int(found.message["conversation_id"])
            if conversation not in (None, in_conversation):
                raise NotFound("That message is not in that conversation.")
            conversation = in_conversation
        member_id = None
        if handle:
            member_id = (await access.live_member(conn, handle))["id"]
            if member_id == actor.id:
                raise InvalidInput("cannot_report_self", "You cannot report yourself.")
        report_id = (
            await conn.execute(
                reports.insert()
                .values(
                    reporter_id=actor.id,
                    member_id=member_id,
                    conversation_id=conversation,
                    message_id=message,
                    reason=reason,
                    detail=clean,
                    status="open",
                    created_at=svc.clock.now(),
                )
                .returning(reports.c.id)
            )
        ).scalar_one()
        if conversation is not None:
            await messaging_actions.move_to_spam(tx, actor.id, conversation)
    return int(report_id)


def require_operator(actor: Actor) -> None:
    if not actor.is_operator:
        raise Forbidden("operator_required", "Only operators can see the moderation queue.")


async def do_resolve_report(svc: Services, actor: Actor, report_id: str) -> None:
    """Mark a report resolved (operators only: 403 ``operator_required``; 404 unknown)."""
    require_operator(actor)
    async with svc.db.write() as conn:
        updated = await conn.execute(
            sa.update(reports)
            .where(reports.c.id == access.parse_id(report_id, "That report"))
            .values(status="resolved", resolved_at=svc.clock.now(), resolved_by=actor.id)
        )
        if not updated.rowcount:
            raise NotFound("That report was not found.")


async def forget_member(conn: AsyncConnection, member_id: int) -> None:
    """Account deletion, inside its transaction: drop the member's invitations (both ways) and
    suggestion dismissals (both ways). Reports stay for the operators; blocks no longer matter."""
    await conn.execute(
        invitations.delete().where(
            sa.or_(invitations.c.sender_id == member_id, invitations.c.recipient_id == member_id)
        )
    )
    await conn.execute(
        dismissed_suggestions.delete().where(
            sa.or_(
                dismissed_suggestions.c.member_id == member_id,
                dismissed_suggestions.c.dismissed_id == member_id,
            )
        )
    )
