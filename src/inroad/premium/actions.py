"""Plans: granted and ended by the operator (CLI ``inroad admin plan``, the operator web UI)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from inroad.accounts.actor import Actor
from inroad.accounts.tables import members
from inroad.errors import Forbidden, InvalidInput, NotFound
from inroad.premium import credits
from inroad.premium.events import CREDITS_CHANGED
from inroad.premium.plans import PLANS
from inroad.realtime.outbox import transaction
from inroad.services import Services
from inroad.settings import Settings


@dataclass(frozen=True)
class PlanChange:
    member_id: int
    handle: str
    plan: str
    changed: bool
    balance: int


def check_plan(plan: str) -> str:
    if plan not in PLANS:
        raise InvalidInput(
            "unknown_plan", f"There is no plan {plan!r}. Plans: {', '.join(PLANS)}.", field="plan"
        )
    return plan


def require_operator(actor: Actor) -> None:
    if not actor.is_operator:
        raise Forbidden("operator_only", "Only an operator can do this.")


async def do_set_plan(svc: Services, handle: str, plan: str) -> PlanChange:
    """Give the member ``handle`` the plan ``plan`` (``free`` ends a plan), in one transaction:
    due grants and expiries are settled first, then ``credits.change_plan`` ends the old plan
    (``plan_ended`` takes the balance) and starts the new one (first month granted at once).
    Setting the plan a member already has changes nothing. Raises 422 ``unknown_plan``,
    404 for an unknown or deleted member. Emits ``credits.changed`` to the member on a change."""
    check_plan(plan)
    now = svc.clock.now()
    async with transaction(svc) as tx:
        conn = tx.conn
        member_id = (
            await conn.execute(
                sa.select(members.c.id).where(
                    members.c.handle == handle, members.c.deleted_at.is_(None)
                )
            )
        ).scalar_one_or_none()
        if member_id is None:
            raise NotFound(f"No member with the handle {handle!r}.")
        changed = await credits.change_plan(conn, member_id, plan, now)
        statement = await credits.plan_and_balance(conn, member_id)
        if changed:
            tx.outbox.add([member_id], CREDITS_CHANGED, statement)
    return PlanChange(member_id, handle, plan, changed, statement["balance"])


async def do_operator_set_plan(svc: Services, actor: Actor, handle: str, plan: str) -> PlanChange:
    """``do_set_plan`` for the operator web UI: 403 ``operator_only`` for anyone else."""
    require_operator(actor)
    return await do_set_plan(svc, handle, plan)


async def set_plan_from_cli(settings: Settings, handle: str, plan: str) -> PlanChange:
    """``inroad admin plan HANDLE PLAN``: ``do_set_plan`` with services of its own."""
    svc = Services.create(settings)
    try:
        return await do_set_plan(svc, handle, plan)
    finally:
        await svc.close()
