"""Degrees and mutual connections over the ``connections`` table (both directions stored).

These run on every profile view and search page, for members up to the 30,000-connection cap, so
each is a bounded number of index range scans: never a scan of the whole table.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from inroad.network.tables import blocks, connections

c1 = connections.alias("c1")
c2 = connections.alias("c2")


async def is_connected(conn: AsyncConnection, a: int, b: int) -> bool:
    row = await conn.execute(
        sa.select(sa.literal(1)).where(connections.c.member_id == a, connections.c.other_id == b)
    )
    return row.first() is not None


async def is_blocked_either_way(conn: AsyncConnection, a: int, b: int) -> bool:
    row = await conn.execute(
        sa.select(sa.literal(1)).where(
            sa.or_(
                sa.and_(blocks.c.blocker_id == a, blocks.c.blocked_id == b),
                sa.and_(blocks.c.blocker_id == b, blocks.c.blocked_id == a),
            )
        )
    )
    return row.first() is not None


def mutual_ids_query(a: int, b: int) -> sa.Select[tuple[int]]:
    """Ids connected to both ``a`` and ``b``: a range scan of a's list, a PK probe into b's."""
    return sa.select(c1.c.other_id).join(
        c2, sa.and_(c2.c.member_id == b, c2.c.other_id == c1.c.other_id)
    ).where(c1.c.member_id == a)


async def mutual_count(conn: AsyncConnection, a: int, b: int) -> int:
    sub = mutual_ids_query(a, b).subquery()
    return int((await conn.execute(sa.select(sa.func.count()).select_from(sub))).scalar_one())


async def degrees_and_mutuals(
    conn: AsyncConnection, viewer: int, others: Iterable[int]
) -> dict[int, tuple[int | None, int]]:
    """``{other: (degree, mutual_count)}`` as ``viewer`` sees each of ``others``.

    Degree 1 = connected, 2 = has a mutual connection, 3 = one of the viewer's 2nd-degree members
    is connected to them, None = beyond. Mutual counts come from one grouped query.
    """
    ids = [o for o in dict.fromkeys(others) if o != viewer]
    if not ids:
        return {}
    direct = set(
        (
            await conn.execute(
                sa.select(connections.c.other_id).where(
                    connections.c.member_id == viewer, connections.c.other_id.in_(ids)
                )
            )
        ).scalars()
    )
    mutual_rows = await conn.execute(
        sa.select(c2.c.member_id, sa.func.count())
        .select_from(c1)
        .join(c2, c2.c.other_id == c1.c.other_id)
        .where(c1.c.member_id == viewer, c2.c.member_id.in_(ids))
        .group_by(c2.c.member_id)
    )
    mutuals = {int(m): int(n) for m, n in mutual_rows}
    result: dict[int, tuple[int | None, int]] = {}
    third_candidates = []
    for other in ids:
        if other in direct:
            result[other] = (1, mutuals.get(other, 0))
        elif mutuals.get(other):
            result[other] = (2, mutuals[other])
        else:
            third_candidates.append(other)
    for other in third_candidates:
        result[other] = (3 if await _is_third(conn, viewer, other) else None, 0)
    return result


async def _is_third(conn: AsyncConnection, viewer: int, other: int) -> bool:
    """Is a connection of ``other`` connected to a connection of ``viewer``?"""
    c3 = connections.alias("c3")
    row = await conn.execute(
        sa.select(sa.literal(1))
        .select_from(c1)
        .join(c2, c2.c.member_id == c1.c.other_id)
        .join(c3, sa.and_(c3.c.member_id == other, c3.c.other_id == c2.c.other_id))
        .where(c1.c.member_id == viewer)
        .limit(1)
    )
    return row.first() is not None


async def remove_all_connections(conn: AsyncConnection, member_id: int) -> None:
    """Drop every connection of ``member_id`` (account deletion), keeping the others' counts right."""
    from inroad.accounts.tables import members

    others = sa.select(connections.c.other_id).where(connections.c.member_id == member_id)
    await conn.execute(
        sa.update(members)
        .where(members.c.id.in_(others))
        .values(connection_count=members.c.connection_count - 1)
    )
    await conn.execute(
        connections.delete().where(
            sa.or_(connections.c.member_id == member_id, connections.c.other_id == member_id)
        )
    )
    await conn.execute(
        sa.update(members).where(members.c.id == member_id).values(connection_count=0)
    )
