"""Read side of the network: invitations, connections, blocks, the relationship between two
members (for the profile page's actions), and the operators' moderation queue.

List paths build their Member views from a fixed number of statements, whatever the page size:
the page, the members on it, and one ``graph.degrees_and_mutuals`` call.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from inroad.accounts.actor import Actor
from inroad.accounts.tables import members
from inroad.errors import InroadError, InvalidInput, NotFound
from inroad.network import access, actions, graph, rules
from inroad.network.tables import blocks, connections, invitations, reports
from inroad.profiles.views import MEMBER_COLUMNS, member_view
from inroad.services import Services

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_QUERY = 200


def iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat().replace("+00:00", "Z")


def check_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(
            "invalid_limit", f"limit must be between 1 and {MAX_LIMIT}.", field="limit"
        )
    return limit


def encode_cursor(at: datetime, row_id: int) -> str:
    raw = json.dumps([at.isoformat(), row_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> tuple[datetime, int] | None:
    """A ``(time, id)`` keyset position; 422 ``invalid_cursor`` for anything this API did not
    hand out."""
    if not cursor:
        return None
    try:
        at, row_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        when = datetime.fromisoformat(at)
        if when.tzinfo is None or not isinstance(row_id, int) or isinstance(row_id, bool):
            raise ValueError(cursor)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise InvalidInput(
            "invalid_cursor", "That cursor is not one this list gave out.", field="cursor"
        ) from None
    return when, row_id


def newest_first(
    query: sa.Select[Any],
    at: sa.ColumnElement[Any],
    key: sa.ColumnElement[Any],
    after: tuple[datetime, int] | None,
    limit: int,
) -> sa.Select[Any]:
    """``query`` ordered newest first by ``(at, key)``, resuming after the keyset position
    ``after`` (from ``decode_cursor``), reading ``limit + 1`` rows so the caller can tell whether
    another page follows."""
    if after is not None:
        query = query.where(sa.or_(at < after[0], sa.and_(at == after[0], key < after[1])))
    return query.order_by(at.desc(), key.desc()).limit(limit + 1)


async def member_rows(conn: AsyncConnection, ids: Iterable[int]) -> dict[int, sa.RowMapping]:
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    rows = (
        await conn.execute(sa.select(*MEMBER_COLUMNS).where(members.c.id.in_(wanted)))
    ).mappings()
    return {int(r["id"]): r for r in rows}


async def member_views(
    conn: AsyncConnection, viewer_id: int, ids: Iterable[int]
) -> dict[int, dict[str, Any]]:
    """Member views as ``viewer_id`` sees them (``degree``, ``mutual_connections`` for others):
    two statements plus one ``degrees_and_mutuals`` call."""
    rows = await member_rows(conn, ids)
    seen = await graph.degrees_and_mutuals(conn, viewer_id, rows)
    views = {}
    for member_id, row in rows.items():
        if member_id == viewer_id:
            views[member_id] = member_view(row)
        else:
            degree, mutual = seen.get(member_id, (None, 0))
            views[member_id] = member_view(
                row, degree=degree, mutual_connections=mutual, seen_by_other=True
            )
    return views


# --- invitations ---------------------------------------------------------------------------


def status_seen_by(row: Mapping[Any, Any], viewer_id: int, cutoff: datetime) -> str:
    """The status ``viewer_id`` sees: the sender sees ignored and rejected as pending (silent);
    an open invitation created at or before ``cutoff`` is expired (computed, no cron job)."""
    status: str = row["status"]
    if row["withdrawn_at"] is not None:
        return rules.WITHDRAWN
    is_sender = row["sender_id"] == viewer_id
    open_for_viewer = status == rules.PENDING or (is_sender and status in rules.SENDER_PENDING)
    if open_for_viewer:
        return rules.EXPIRED if row["created_at"] <= cutoff else rules.PENDING
    return status


def invitation_view(
    row: Mapping[Any, Any],
    viewer_id: int,
    views: Mapping[int, dict[str, Any]],
    svc: Services,
    now: datetime,
) -> dict[str, Any]:
    how = None
    if row["how_relation"] is not None:
        how = {"relation": row["how_relation"], "organization": row["how_organization"]}
    cutoff = actions.expiry_cutoff(svc, now)
    return {
        "id": str(row["id"]),
        "from": views[row["sender_id"]],
        "to": views[row["recipient_id"]],
        "note": row["note"],
        "status": status_seen_by(row, viewer_id, cutoff),
        "created_at": iso(row["created_at"]),
        "expires_at": iso(row["created_at"] + (now - cutoff)),
        "how_you_know": how,
    }


async def invitation(svc: Services, actor: Actor, invitation_id: int) -> dict[str, Any]:
    """One invitation as the actor (its sender or recipient) sees it."""
    async with svc.db.read() as conn:
        row = await access.access_invitation(conn, actor.id, str(invitation_id))
        views = await member_views(conn, actor.id, (row["sender_id"], row["recipient_id"]))
    return invitation_view(row, actor.id, views, svc, svc.clock.now())


async def list_invitations(
    svc: Services,
    actor: Actor,
    *,
    direction: str = "received",
    status: str = "pending",
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> dict[str, Any]:
    """Newest first. ``status=pending`` (default): those still open as the actor sees them —
    received ones the actor has not answered, sent ones not withdrawn (ignored and rejected ones
    included, silently); never expired ones. ``status=all``: every one, each with its status."""
    if direction not in ("received", "sent"):
        raise InvalidInput("invalid_direction", "direction is received or sent.", field="direction")
    if status not in ("pending", "all"):
        raise InvalidInput("invalid_status", "status is pending or all.", field="status")
    limit = check_limit(limit)
    after = decode_cursor(cursor)
    now = svc.clock.now()
    cutoff = actions.expiry_cutoff(svc, now)
    mine = invitations.c.recipient_id if direction == "received" else invitations.c.sender_id
    query = sa.select(invitations).where(mine == actor.id)
    if status == "pending":
        query = query.where(invitations.c.created_at > cutoff, invitations.c.withdrawn_at.is_(None))
        if direction == "received":
            query = query.where(invitations.c.status == rules.PENDING)
        else:
            query = query.where(invitations.c.status.in_(rules.SENDER_PENDING))
    query = newest_first(query, invitations.c.created_at, invitations.c.id, after, limit)
    async with svc.db.read() as conn:
        rows = (await conn.execute(query)).mappings().all()
        page = rows[:limit]
        ids = {r["sender_id"] for r in page} | {r["recipient_id"] for r in page}
        views = await member_views(conn, actor.id, ids)
    items = [invitation_view(r, actor.id, views, svc, now) for r in page]
    next_cursor = (
        encode_cursor(page[-1]["created_at"], page[-1]["id"]) if len(rows) > limit else None
    )
    return {"items": items, "next_cursor": next_cursor}


async def pending_received_count(svc: Services, actor: Actor) -> int:
    """Open invitations waiting for the actor (the header badge)."""
    cutoff = actions.expiry_cutoff(svc, svc.clock.now())
    async with svc.db.read() as conn:
        count = (
            await conn.execute(
                sa.select(sa.func.count())
                .select_from(invitations)
                .where(
                    invitations.c.recipient_id == actor.id,
                    invitations.c.status == rules.PENDING,
                    invitations.c.created_at > cutoff,
                )
            )
        ).scalar_one()
    return int(count)


async def connection_total(svc: Services, actor: Actor) -> int:
    async with svc.db.read() as conn:
        count = (
            await conn.execute(
                sa.select(members.c.connection_count).where(members.c.id == actor.id)
            )
        ).scalar_one()
    return int(count)


# --- connections and blocks ----------------------------------------------------------------


def _like_pattern(q: str) -> str:
    escaped = q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def list_connections(
    svc: Services,
    actor: Actor,
    *,
    q: str | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> dict[str, Any]:
    """The actor's connections, newest first, optionally those whose name contains ``q``
    (case-insensitive). Walks the ``(member_id, created_at)`` index; a name search reads at most
    the actor's own list (≤ 30,000 rows)."""
    limit = check_limit(limit)
    after = decode_cursor(cursor)
    q = (q or "").strip()
    if len(q) > MAX_QUERY:
        raise InvalidInput(
            "field_too_long", f"The search text is over {MAX_QUERY} characters.", field="q"
        )
    query = (
        sa.select(connections.c.other_id, connections.c.created_at)
        .join(members, members.c.id == connections.c.other_id)
        .where(connections.c.member_id == actor.id)
    )
    if q:
        query = query.where(sa.func.lower(members.c.name).like(_like_pattern(q), escape="\\"))
    query = newest_first(query, connections.c.created_at, connections.c.other_id, after, limit)
    async with svc.db.read() as conn:
        rows = (await conn.execute(query)).all()
        page = rows[:limit]
        views = await member_views(conn, actor.id, [r.other_id for r in page])
    items = [{"member": views[r.other_id], "connected_at": iso(r.created_at)} for r in page]
    next_cursor = (
        encode_cursor(page[-1].created_at, page[-1].other_id) if len(rows) > limit else None
    )
    return {"items": items, "next_cursor": next_cursor}


async def list_blocks(
    svc: Services, actor: Actor, *, cursor: str | None = None, limit: int = DEFAULT_LIMIT
) -> dict[str, Any]:
    """Members the actor blocked, most recent first."""
    limit = check_limit(limit)
    after = decode_cursor(cursor)
    query = sa.select(blocks.c.blocked_id, blocks.c.created_at).where(
        blocks.c.blocker_id == actor.id
    )
    query = newest_first(query, blocks.c.created_at, blocks.c.blocked_id, after, limit)
    async with svc.db.read() as conn:
        rows = (await conn.execute(query)).all()
        page = rows[:limit]
        views = await member_views(conn, actor.id, [r.blocked_id for r in page])
    items = [{"member": views[r.blocked_id], "blocked_at": iso(r.created_at)} for r in page]
    next_cursor = (
        encode_cursor(page[-1].created_at, page[-1].blocked_id) if len(rows) > limit else None
    )
    return {"items": items, "next_cursor": next_cursor}


# --- the relationship a profile page shows -------------------------------------------------


@dataclass(frozen=True)
class Relationship:
    """Where the viewer stands with a member, for the profile page's actions.

    ``state``: ``self``, ``connected``, ``invitation_sent``, ``invitation_received`` or ``none``.
    For ``none``: ``can_invite`` and, when False, ``refusal`` (the error code sending would get)
    with ``refusal_message``; ``how_you_know_required`` and ``email_required`` say which extra
    fields the invite form must ask for; ``notes_left`` is None when unlimited.
    """

    state: str
    invitation_id: str | None = None
    can_invite: bool = False
    refusal: str | None = None
    refusal_message: str | None = None
    how_you_know_required: bool = False
    email_required: bool = False
    notes_left: int | None = None


async def relationship(svc: Services, viewer: Actor, member_id: int) -> Relationship:
    """The viewer's relationship with ``member_id`` (a member the viewer can see)."""
    if member_id == viewer.id:
        return Relationship("self")
    now = svc.clock.now()
    cutoff = actions.expiry_cutoff(svc, now)
    async with svc.db.read() as conn:
        if await graph.is_connected(conn, viewer.id, member_id):
            return Relationship("connected")
        open_rows = (
            (
                await conn.execute(
                    sa.select(invitations).where(
                        actions.pair_clause(viewer.id, member_id),
                        invitations.c.withdrawn_at.is_(None),
                        invitations.c.created_at > cutoff,
                        invitations.c.status.in_(rules.SENDER_PENDING),
                    )
                )
            )
            .mappings()
            .all()
        )
        for row in open_rows:
            if row["recipient_id"] == viewer.id and row["status"] == rules.PENDING:
                return Relationship("invitation_received", invitation_id=str(row["id"]))
            if row["sender_id"] == viewer.id:
                return Relationship("invitation_sent", invitation_id=str(row["id"]))
        recipient = (
            (await conn.execute(sa.select(members).where(members.c.id == member_id)))
            .mappings()
            .one()
        )
        notes = await actions.notes_left(conn, svc, viewer.id, now)
        try:
            await actions.check_pair_history(conn, svc, viewer.id, member_id, now)
            actions.check_cap(
                await graph.connection_counts(conn, (viewer.id, member_id)), viewer.id
            )
            policy = await actions.invite_policy(conn, svc, viewer.id, recipient)
        except InroadError as refused:
            return Relationship(
                "none", refusal=refused.code, refusal_message=refused.message, notes_left=notes
            )
    if policy.restricted:
        return Relationship(
            "none",
            refusal="invitations_restricted",
            refusal_message=(
                "This member accepts invitations only from people with a mutual connection."
            ),
            notes_left=notes,
        )
    return Relationship(
        "none",
        can_invite=True,
        how_you_know_required=policy.how_you_know_required,
        email_required=policy.email_required,
        notes_left=notes,
    )


async def relationship_for_handle(svc: Services, viewer: Actor, handle: str) -> Relationship:
    """``relationship`` for a handle: 404 when missing, deleted or blocked either way."""
    async with svc.db.read() as conn:
        member_id = int((await access.visible_member(conn, viewer.id, handle))["id"])
    return await relationship(svc, viewer, member_id)


async def member_for(svc: Services, viewer: Actor, handle: str) -> dict[str, Any]:
    """The Member ``handle`` as ``viewer`` sees it (degree, mutual connections); 404 as above."""
    async with svc.db.read() as conn:
        member_id = int((await access.visible_member(conn, viewer.id, handle))["id"])
        return (await member_views(conn, viewer.id, [member_id]))[member_id]


# --- moderation ----------------------------------------------------------------------------


def report_view(row: Mapping[Any, Any], views: Mapping[int, dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": str(row["id"]),
        "reporter": views.get(row["reporter_id"]),
        "member": views.get(row["member_id"]) if row["member_id"] is not None else None,
        "conversation_id": None if row["conversation_id"] is None else str(row["conversation_id"]),
        "message_id": None if row["message_id"] is None else str(row["message_id"]),
        "reason": row["reason"],
        "detail": row["detail"],
        "status": row["status"],
        "created_at": iso(row["created_at"]),
        "resolved_at": iso(row["resolved_at"]),
    }


async def report(svc: Services, actor: Actor, report_id: int) -> dict[str, Any]:
    """A report as its reporter (or an operator) sees it."""
    async with svc.db.read() as conn:
        row = (
            (await conn.execute(sa.select(reports).where(reports.c.id == report_id)))
            .mappings()
            .first()
        )
        if row is None or (row["reporter_id"] != actor.id and not actor.is_operator):
            raise NotFound("That report was not found.")
        views = await _plain_views(conn, (row["reporter_id"], row["member_id"]))
    return report_view(row, views)


async def _plain_views(
    conn: AsyncConnection, ids: Iterable[int | None]
) -> dict[int, dict[str, Any]]:
    rows = await member_rows(conn, [i for i in ids if i is not None])
    return {
        member_id: {**member_view(row), "id": str(member_id)} for member_id, row in rows.items()
    }


async def moderation_queue(
    svc: Services,
    actor: Actor,
    *,
    status: str = "open",
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> dict[str, Any]:
    """Reports for operators (403 ``operator_required`` otherwise), newest first; ``status`` is
    ``open`` (default), ``resolved`` or ``all``."""
    actions.require_operator(actor)
    if status not in ("open", "resolved", "all"):
        raise InvalidInput("invalid_status", "status is open, resolved or all.", field="status")
    limit = check_limit(limit)
    after = decode_cursor(cursor)
    query = sa.select(reports)
    if status != "all":
        query = query.where(reports.c.status == status)
    query = newest_first(query, reports.c.created_at, reports.c.id, after, limit)
    async with svc.db.read() as conn:
        rows = (await conn.execute(query)).mappings().all()
        page = rows[:limit]
        views = await _plain_views(
            conn, [i for r in page for i in (r["reporter_id"], r["member_id"])]
        )
    items = [report_view(r, views) for r in page]
    next_cursor = (
        encode_cursor(page[-1]["created_at"], page[-1]["id"]) if len(rows) > limit else None
    )
    return {"items": items, "next_cursor": next_cursor}


async def reported_conversation_ids(conn: AsyncConnection, reporter_id: int) -> Sequence[int]:
    """Conversations ``reporter_id`` has reported, for the messaging service to file them in the
    reporter's Spam folder (PRODUCT.md §2)."""
    rows = await conn.execute(
        sa.select(reports.c.conversation_id)
        .where(reports.c.reporter_id == reporter_id, reports.c.conversation_id.is_not(None))
        .distinct()
    )
    return [int(c) for c in rows.scalars()]
