"""Reading the event log: a member's position and the events after a cursor."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from inroad.errors import InvalidInput
from inroad.realtime.bus import Event
from inroad.realtime.tables import event_counters, events

_MAX_DIGITS = 18


def parse_since(raw: str | None) -> int | None:
    """A cursor the client got from us (an event's or ``next_cursor``); 422 ``invalid_cursor``."""
    if raw is None or raw == "":
        return None
    if not raw.isascii() or not raw.isdigit() or len(raw) > _MAX_DIGITS:
        raise InvalidInput("invalid_cursor", "since must be a cursor from an event or next_cursor.")
    return int(raw)


async def position(conn: AsyncConnection, member_id: int) -> int:
    """The member's newest cursor (0 before their first event)."""
    value = (
        await conn.execute(
            sa.select(event_counters.c.last_cursor).where(event_counters.c.member_id == member_id)
        )
    ).scalar_one_or_none()
    return int(value or 0)


async def events_after(
    conn: AsyncConnection, member_id: int, after: int, limit: int, upto: int | None = None
) -> Sequence[Event]:
    """Up to ``limit`` events with ``after < cursor (<= upto)``, oldest first (a PK range scan)."""
    query = sa.select(events.c.cursor, events.c.type, events.c.data).where(
        events.c.member_id == member_id, events.c.cursor > after
    )
    if upto is not None:
        query = query.where(events.c.cursor <= upto)
    rows = await conn.execute(query.order_by(events.c.cursor).limit(limit))
    return [Event(member_id, int(c), t, d) for c, t, d in rows]
