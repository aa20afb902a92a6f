"""Operator administration used by the CLI."""

from __future__ import annotations

import sqlalchemy as sa

from inroad.accounts import actions
from inroad.accounts.tables import members
from inroad.errors import InroadError
from inroad.services import Services
from inroad.settings import Settings


async def make_operator(settings: Settings, *, email: str, name: str, password: str) -> str:
    """Promote the member with ``email``, or sign one up; returns the handle."""
    svc = Services.create(settings)
    try:
        email = actions.normalise_email(email)
        async with svc.db.read() as conn:
            existing = (
                await conn.execute(
                    sa.select(members.c.id, members.c.handle).where(
                        members.c.email == email, members.c.deleted_at.is_(None)
                    )
                )
            ).first()
        if existing is None:
            try:
                session = await actions.do_signup(svc, email=email, password=password, name=name)
            except InroadError as exc:
                raise ValueError(exc.message) from exc
            member_id = session.member_id
        else:
            member_id = existing.id
        async with svc.db.write() as conn:
            await conn.execute(
                sa.update(members).where(members.c.id == member_id).values(is_operator=True)
            )
            handle: str = (
                await conn.execute(sa.select(members.c.handle).where(members.c.id == member_id))
            ).scalar_one()
        return handle
    finally:
        await svc.close()
