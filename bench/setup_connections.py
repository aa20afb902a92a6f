"""Benchmark setup only: make pairs of members 1st-degree connections straight in the database.

Messaging needs a connection between the two members of a 1:1. Going through invitations would
benchmark the invitation rules as a side effect, so the benchmark's setup (never a measured phase)
writes both directions of each connection into ``connections`` and bumps
``members.connection_count`` for both members, exactly the rows the network code keeps, in one
transaction through ``inroad.storage``. Safe while the server runs: SQLite writers from two
processes queue on ``BEGIN IMMEDIATE`` + ``busy_timeout``; PostgreSQL takes it as any client.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa

from inroad.accounts.tables import members
from inroad.network.tables import connections
from inroad.storage.db import Database

# Keeps each statement well under SQLite's bound-parameter limit.
BATCH = 200


async def connect_pairs(database_url: str, pairs: Sequence[tuple[str, str]]) -> int:
    """Connect each ``(handle_a, handle_b)``; returns the number of pairs written.

    Raises ``LookupError`` naming any handle that does not exist. Every pair must be new (the
    benchmark only connects members it has just signed up), so a duplicate is an error, not a no-op.
    """
    if not pairs:
        return 0
    handles = sorted({h for pair in pairs for h in pair})
    db = Database(database_url, pool_size=1)
    try:
        async with db.write() as conn:
            ids: dict[str, int] = {}
            for start in range(0, len(handles), BATCH):
                chunk = handles[start : start + BATCH]
                rows = await conn.execute(
                    sa.select(members.c.handle, members.c.id).where(members.c.handle.in_(chunk))
                )
                ids.update({str(h): int(i) for h, i in rows})
            missing = [h for h in handles if h not in ids]
            if missing:
                raise LookupError(f"unknown handles: {missing[:5]}")
            now = datetime.now(UTC)
            rows_out = []
            for a, b in pairs:
                rows_out.append({"member_id": ids[a], "other_id": ids[b], "created_at": now})
                rows_out.append({"member_id": ids[b], "other_id": ids[a], "created_at": now})
            for start in range(0, len(rows_out), BATCH):
                await conn.execute(connections.insert(), rows_out[start : start + BATCH])
            bumps = Counter(ids[h] for pair in pairs for h in pair)
            for member_id, n in bumps.items():
                await conn.execute(
                    sa.update(members)
                    .where(members.c.id == member_id)
                    .values(connection_count=members.c.connection_count + n)
                )
    finally:
        await db.dispose()
    return len(pairs)
