"""What two members share: mutual connections, employers, schools.

"Shares context" decides whether an invitation needs a "How do you know each other?" answer
and whether an ``email_required`` recipient needs the sender to know their email (PRODUCT.md §2).
Company and school names match case-insensitively, ignoring surrounding spaces.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from inroad.network import graph
from inroad.profiles.tables import education, positions


@dataclass(frozen=True)
class SharedContext:
    mutual_connection: bool
    employer: bool
    school: bool

    @property
    def any(self) -> bool:
        return self.mutual_connection or self.employer or self.school


def _norm(column: sa.ColumnElement[str]) -> sa.ColumnElement[str]:
    return sa.func.lower(sa.func.trim(column))


async def shared_employer(conn: AsyncConnection, a: int, b: int) -> bool:
    """Both have (or had) a position at the same company; a handful of rows per member."""
    pa = positions.alias("pa")
    pb = positions.alias("pb")
    row = await conn.execute(
        sa.select(sa.literal(1))
        .select_from(pa)
        .join(pb, sa.and_(pb.c.member_id == b, _norm(pb.c.company) == _norm(pa.c.company)))
        .where(pa.c.member_id == a)
        .limit(1)
    )
    return row.first() is not None


async def shared_school(conn: AsyncConnection, a: int, b: int) -> bool:
    ea = education.alias("ea")
    eb = education.alias("eb")
    row = await conn.execute(
        sa.select(sa.literal(1))
        .select_from(ea)
        .join(eb, sa.and_(eb.c.member_id == b, _norm(eb.c.school) == _norm(ea.c.school)))
        .where(ea.c.member_id == a)
        .limit(1)
    )
    return row.first() is not None


async def shared_context(conn: AsyncConnection, a: int, b: int) -> SharedContext:
    """Stops early: ``mutual_connection`` is always answered; once one kind of context is found
    the kinds after it are not queried and read False."""
    if await graph.has_mutual(conn, a, b):
        return SharedContext(mutual_connection=True, employer=False, school=False)
    if await shared_employer(conn, a, b):
        return SharedContext(mutual_connection=False, employer=True, school=False)
    return SharedContext(
        mutual_connection=False, employer=False, school=await shared_school(conn, a, b)
    )
