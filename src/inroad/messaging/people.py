"""Members as messaging sees them: handle resolution with the actor's relationship to each, and
degrees for Member views — every function a fixed number of queries, whatever the list size."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from inroad.accounts.tables import members
from inroad.network.tables import blocks, connections
from inroad.profiles.views import MEMBER_COLUMNS

# Aliases are built once: materialising an alias's columns is not free.
c1 = connections.alias("c1")
c2 = connections.alias("c2")
c3 = connections.alias("c3")
hop = connections.alias("hop")
mine = connections.alias("mine")


@dataclass(frozen=True)
class Resolved:
    """A handle as the actor sees it."""

    id: int
    handle: str
    connected: bool
    blocked: bool  # either way
    open_profile: bool


async def resolve_handles(
    conn: AsyncConnection, actor_id: int, handles: Sequence[str]
) -> dict[str, Resolved]:
    """Live members among ``handles`` (deleted accounts have no handle), in one query."""
    if not handles:
        return {}
    connected = sa.exists().where(
        connections.c.member_id == actor_id, connections.c.other_id == members.c.id
    )
    blocked = sa.exists().where(
        sa.or_(
            sa.and_(blocks.c.blocker_id == actor_id, blocks.c.blocked_id == members.c.id),
            sa.and_(blocks.c.blocker_id == members.c.id, blocks.c.blocked_id == actor_id),
        )
    )
    rows = await conn.execute(
        sa.select(
            members.c.id,
            members.c.handle,
            members.c.open_profile,
            connected.label("connected"),
            blocked.label("blocked"),
        ).where(members.c.handle.in_(list(handles)), members.c.deleted_at.is_(None))
    )
    return {
        r.handle: Resolved(r.id, r.handle, bool(r.connected), bool(r.blocked), bool(r.open_profile))
        for r in rows
    }


async def member_rows(conn: AsyncConnection, ids: Iterable[int]) -> dict[int, Mapping[Any, Any]]:
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    rows = await conn.execute(sa.select(*MEMBER_COLUMNS).where(members.c.id.in_(wanted)))
    return {r["id"]: r for r in rows.mappings()}


async def degrees(
    conn: AsyncConnection, viewer: int, others: Iterable[int]
) -> dict[int, tuple[int | None, int]]:
    """``{id: (degree, mutual_connections)}`` for each of ``others`` as ``viewer`` sees them.

    Same meaning as ``inroad.network.graph.degrees_and_mutuals`` (1 connected, 2 a mutual
    connection, 3 connected to a 2nd, None beyond) but the 3rd-degree test is one batched query
    rather than one per member, so inbox and message pages stay at a fixed query count.
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
    candidates = []
    for other in ids:
        if other in direct:
            result[other] = (1, mutuals.get(other, 0))
        elif mutuals.get(other):
            result[other] = (2, mutuals[other])
        else:
            candidates.append(other)
    if candidates:
        # Candidate C is 3rd degree when one of C's connections X has a connection Y that is a
        # connection of the viewer (both directions are stored, so every hop is a PK range scan).
        second = (
            sa.exists()
            .where(hop.c.member_id == c3.c.other_id)
            .where(sa.exists().where(mine.c.member_id == viewer, mine.c.other_id == hop.c.other_id))
        )
        third = set(
            (
                await conn.execute(
                    sa.select(c3.c.member_id)
                    .distinct()
                    .where(c3.c.member_id.in_(candidates), second)
                )
            ).scalars()
        )
        for other in candidates:
            result[other] = (3 if other in third else None, 0)
    return result
