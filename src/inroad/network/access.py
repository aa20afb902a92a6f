"""Fetch and authorise in one call. Missing, deleted and hidden (blocked either way) all answer
404 ``not_found`` alike, so a blocked member cannot tell a block from a missing account."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from inroad.accounts.tables import members
from inroad.errors import NotFound
from inroad.network import graph
from inroad.network.tables import invitations

MEMBER_NOT_FOUND = "No member with that handle."


def parse_id(raw: str | int, what: str = "That item") -> int:
    """An id a client sent back (ids are opaque strings); anything else is 404, never 500."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        value = raw
    elif isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) <= 18:
        value = int(raw)
    else:
        raise NotFound(f"{what} was not found.")
    if value <= 0:
        raise NotFound(f"{what} was not found.")
    return value


async def live_member(conn: AsyncConnection, handle: str) -> sa.RowMapping:
    """A member who exists and is not deleted (blocks not considered); 404 otherwise."""
    row = (
        (
            await conn.execute(
                sa.select(members).where(members.c.handle == handle, members.c.deleted_at.is_(None))
            )
        )
        .mappings()
        .first()
    )
    if row is None:
        raise NotFound(MEMBER_NOT_FOUND)
    return row


async def visible_member(conn: AsyncConnection, viewer_id: int, handle: str) -> sa.RowMapping:
    """A live member ``viewer_id`` may see: 404 when missing, deleted or blocked either way."""
    row = await live_member(conn, handle)
    if row["id"] != viewer_id and await graph.is_blocked_either_way(conn, viewer_id, row["id"]):
        raise NotFound(MEMBER_NOT_FOUND)
    return row


async def access_invitation(
    conn: AsyncConnection, actor_id: int, invitation_id: str, *, lock: bool = False
) -> sa.RowMapping:
    """The invitation if ``actor_id`` sent or received it, else 404. ``lock`` takes the row lock
    (``FOR UPDATE`` on PostgreSQL; SQLite writers are serialised) so that state changes racing on
    one invitation (accept vs withdraw) happen one after the other."""
    query = sa.select(invitations).where(
        invitations.c.id == parse_id(invitation_id, "That invitation")
    )
    if lock:
        query = query.with_for_update()
    row = (await conn.execute(query)).mappings().first()
    if row is None or actor_id not in (row["sender_id"], row["recipient_id"]):
        raise NotFound("That invitation was not found.")
    return row
