"""Read-side of profiles: Member and Profile views, ``/me``, settings."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from inroad.accounts.actor import Actor
from inroad.accounts.tables import members
from inroad.profiles import strength
from inroad.profiles.views import MEMBER_COLUMNS, member_view
from inroad.services import Services

SETTINGS_COLUMNS = ("invitations_from", "allow_inmail", "open_profile", "read_receipts", "email_notifications")


async def member_by_id(svc: Services, member_id: int) -> dict[str, Any]:
    """The member's own view of themselves (no degree)."""
    async with svc.db.read() as conn:
        row = (await conn.execute(sa.select(*MEMBER_COLUMNS).where(members.c.id == member_id))).mappings().one()
    return member_view(row)


async def me(svc: Services, actor: Actor) -> dict[str, Any]:
    async with svc.db.read() as conn:
        row = (await conn.execute(sa.select(members).where(members.c.id == actor.id))).mappings().one()
        member_strength = await strength.load(conn, actor.id)
    return {
        "member": member_view(row),
        "plan": row["plan"],
        "settings": {name: row[name] for name in SETTINGS_COLUMNS},
        "strength": member_strength.as_dict(),
    }
