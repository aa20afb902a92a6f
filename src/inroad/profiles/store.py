"""SQL on the profile tables that other domains need."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from inroad.profiles.tables import education, positions, skills


async def erase(conn: AsyncConnection, member_id: int) -> None:
    """Remove every profile section of a member (account deletion)."""
    for table in (positions, education, skills):
        await conn.execute(table.delete().where(table.c.member_id == member_id))
