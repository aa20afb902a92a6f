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


async def _same_name(conn: AsyncConnection, table: sa.Table, column: str, a: int, b: int) -> bool:
    """Both members have a row in ``table`` whose ``column`` names the same thing; a handful of
    rows per member."""
    ta = table.alias()
    tb = table.alias()
    row = await conn.execute(
        sa.select(sa.literal(1))
        .select_from(ta)
        .join(tb, sa.and_(tb.c.member_id == b, _norm(tb.c[column]) == _norm(ta.c[column])))
        .where(ta.c.member_id == a)
        .limit(1)
    )
    return row.first() is not None


async def shared_employer(conn: AsyncConnection, a: int, b: int) -> bool:
    """Both have (or had) a position at the same company."""
    return await _same_name(conn, positions, "company", a, b)


async def shared_school(conn: AsyncConnection, a: int, b: int) -> bool:
    return await _same_name(conn, education, "school", a, b)


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
