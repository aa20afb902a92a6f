"""Scene-setting for network tests: direct database writes that bypass the flows under test.

``connect`` and ``member_id`` come from ``tests.factories``; these add bulk members and
connections (for the 30,000 cap), member updates, and API shortcuts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
import sqlalchemy as sa

from inroad.accounts.tables import members
from inroad.network.tables import connections
from inroad.profiles.tables import education, positions
from inroad.services import Services
from tests.conftest import Persona
from tests.factories import member_id

INVITATIONS = "/api/v1/invitations"
FRIEND = {"relation": "friend"}


async def set_member(services: Services, handle: str, **values: Any) -> None:
    async with services.db.write() as conn:
        await conn.execute(sa.update(members).where(members.c.handle == handle).values(**values))


async def filler_members(services: Services, n: int, prefix: str) -> list[str]:
    """``n`` members with handles ``{prefix}-1`` … ``{prefix}-n``, inserted by one recursive-CTE
    statement (no sign-up, no password)."""
    async with services.db.write() as conn:
        await conn.execute(
            sa.text(
                "WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < :n) "
                "INSERT INTO members (handle, name, created_at) "
                "SELECT CAST(:prefix AS VARCHAR(50)) || '-' || CAST(n AS VARCHAR(12)), "
                "'Filler ' || CAST(n AS VARCHAR(12)), :at "
                "FROM seq"
            ).bindparams(sa.bindparam("at", type_=members.c.created_at.type)),
            {"n": n, "prefix": prefix, "at": services.clock.now()},
        )
    return [f"{prefix}-{i}" for i in range(1, n + 1)]


async def filler_ids(services: Services, prefix: str, limit: int | None = None) -> list[int]:
    """Ids of the filler members ``{prefix}-…`` in id order (only the first ``limit``)."""
    query = sa.select(members.c.id).where(members.c.handle.like(f"{prefix}-%"))
    async with services.db.read() as conn:
        return list((await conn.execute(query.order_by(members.c.id).limit(limit))).scalars())


async def bulk_connect(services: Services, handle: str, n: int, prefix: str = "bulk") -> None:
    """Give ``handle`` ``n`` more connections to new filler members, in three set-based
    statements, keeping every ``connection_count`` right."""
    me = await member_id(services, handle)
    await filler_members(services, n, prefix)
    pattern = f"{prefix}-%"
    at = services.clock.now()
    async with services.db.write() as conn:
        fillers = sa.select(members.c.id).where(members.c.handle.like(pattern)).subquery()
        await conn.execute(
            connections.insert().from_select(
                ["member_id", "other_id", "created_at"],
                sa.select(sa.literal(me), fillers.c.id, sa.literal(at, members.c.created_at.type)),
            )
        )
        await conn.execute(
            connections.insert().from_select(
                ["member_id", "other_id", "created_at"],
                sa.select(fillers.c.id, sa.literal(me), sa.literal(at, members.c.created_at.type)),
            )
        )
        await conn.execute(
            sa.update(members).where(members.c.handle.like(pattern)).values(connection_count=1)
        )
        await conn.execute(
            sa.update(members)
            .where(members.c.id == me)
            .values(connection_count=members.c.connection_count + n)
        )


async def add_position(
    services: Services, handle: str, company: str, start: str, end: str | None = None
) -> None:
    async with services.db.write() as conn:
        await conn.execute(
            positions.insert().values(
                member_id=await member_id(services, handle),
                company=company,
                title="Engineer",
                start_month=start,
                end_month=end,
                created_at=services.clock.now(),
            )
        )


async def add_school(services: Services, handle: str, school: str) -> None:
    async with services.db.write() as conn:
        await conn.execute(
            education.insert().values(
                member_id=await member_id(services, handle),
                school=school,
                created_at=services.clock.now(),
            )
        )


async def connection_count(services: Services, handle: str) -> int:
    async with services.db.read() as conn:
        value = (
            await conn.execute(
                sa.select(members.c.connection_count).where(members.c.handle == handle)
            )
        ).scalar_one()
    return int(value)


async def invite(
    client: httpx.AsyncClient, sender: Persona, to: str, **body: Any
) -> httpx.Response:
    """POST an invitation; ``how_you_know`` defaults to "friend" (strangers need one)."""
    body.setdefault("how_you_know", FRIEND)
    return await client.post(INVITATIONS, json={"to": to, **body}, headers=sender.headers)


async def invitation_id(client: httpx.AsyncClient, sender: Persona, to: str, **body: Any) -> str:
    r = await invite(client, sender, to, **body)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def list_items(
    client: httpx.AsyncClient, who: Persona, url: str, **params: str
) -> list[dict[str, Any]]:
    """The ``items`` of one page of a list endpoint, as ``who`` sees it (asserting a 200)."""
    r = await client.get(url, params=params, headers=who.headers)
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["items"]
    return items


def at(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
