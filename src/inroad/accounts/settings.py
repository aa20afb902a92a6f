"""Member settings (API.md "GET/PATCH /api/v1/me/settings").

``do_update_settings`` validates every change before writing any (422 ``unknown_setting`` for a
name that is not a setting, 422 ``invalid_setting`` for a value outside its choices, both with
``field``) and applies them in one transaction. Turning ``open_profile`` on needs a paid plan:
on the free plan it is 403 ``premium_required`` (turning it off is always allowed).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from inroad.accounts.actor import Actor
from inroad.accounts.tables import members
from inroad.errors import Forbidden, InvalidInput
from inroad.services import Services

FREE_PLAN = "free"
CHOICES: dict[str, tuple[str, ...]] = {
    "invitations_from": ("everyone", "email_required", "mutual_only"),
    "email_notifications": ("off", "instant", "daily"),
}
FLAGS = ("allow_inmail", "open_profile", "read_receipts")
NAMES = ("invitations_from", "allow_inmail", "open_profile", "read_receipts", "email_notifications")


def check_settings(changes: Mapping[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, value in changes.items():
        if name in CHOICES:
            if not isinstance(value, str) or value not in CHOICES[name]:
                raise InvalidInput(
                    "invalid_setting",
                    f"{name} must be one of: {', '.join(CHOICES[name])}.",
                    field=name,
                )
        elif name in FLAGS:
            if not isinstance(value, bool):
                raise InvalidInput("invalid_setting", f"{name} must be true or false.", field=name)
        else:
            raise InvalidInput("unknown_setting", f"{name!r} is not a setting.", field=name)
        values[name] = value
    return values


def _view(row: Mapping[Any, Any]) -> dict[str, Any]:
    return {name: row[name] for name in NAMES}


async def get_settings(svc: Services, actor: Actor) -> dict[str, Any]:
    async with svc.db.read() as conn:
        row = (
            (
                await conn.execute(
                    sa.select(*(members.c[n] for n in NAMES)).where(members.c.id == actor.id)
                )
            )
            .mappings()
            .one()
        )
    return _view(row)


async def do_update_settings(
    svc: Services, actor: Actor, changes: Mapping[str, Any]
) -> dict[str, Any]:
    """Apply ``changes`` (a subset of the settings) and return all settings as stored."""
    values = check_settings(changes)
    async with svc.db.write() as conn:
        # The plan is read in the transaction (not from the token's actor) so a plan that just
        # ended cannot be used to switch Open Profile on.
        plan = (
            await conn.execute(
                sa.select(members.c.plan).where(members.c.id == actor.id).with_for_update()
            )
        ).scalar_one()
        if values.get("open_profile") is True and plan == FREE_PLAN:
            raise Forbidden(
                "premium_required", "Open Profile is a premium feature: it needs a paid plan."
            )
        if values:
            await conn.execute(sa.update(members).where(members.c.id == actor.id).values(**values))
        row = (
            (
                await conn.execute(
                    sa.select(*(members.c[n] for n in NAMES)).where(members.c.id == actor.id)
                )
            )
            .mappings()
            .one()
        )
    return _view(row)
