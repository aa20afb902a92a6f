"""Premium reads for the web UI: the Premium page, the InMail compose preview, the operator's
member list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from inroad.accounts.actor import Actor
from inroad.accounts.tables import members
from inroad.errors import InvalidInput, NotFound
from inroad.messaging import people
from inroad.premium import credits, ledger, orgs
from inroad.premium.actions import require_operator
from inroad.premium.inmail_views import waiting_for_answer
from inroad.premium.plans import Plan, plan_for
from inroad.premium.tables import inmail_threads
from inroad.profiles.views import MEMBER_COLUMNS, member_view
from inroad.services import Services

OPERATOR_PAGE = 50


@dataclass(frozen=True)
class Overview:
    plan: Plan
    started_at: datetime | None
    next_grant_at: datetime | None
    statement: dict[str, Any]
    waiting: list[dict[str, Any]]
    seats: list[dict[str, Any]]
    admin_of: list[dict[str, Any]]
    settings: dict[str, bool]


async def overview(svc: Services, actor: Actor) -> Overview:
    """Everything the Premium page shows: plan, when the next month's credits arrive, the full
    ledger, InMails waiting for the member's answer, their organisations, their InMail settings."""
    statement = await credits.statement(svc, actor.id)  # settles first
    async with svc.db.read() as conn:
        row = (
            await conn.execute(
                sa.select(
                    members.c.plan,
                    members.c.plan_started_at,
                    members.c.allow_inmail,
                    members.c.open_profile,
                ).where(members.c.id == actor.id)
            )
        ).one()
        seats = await orgs.seats_of(conn, actor.id)
        admin_of = await orgs.orgs_of_admin(conn, actor.id)
    plan = plan_for(row.plan)
    started_at = row.plan_started_at if plan.is_premium else None
    next_grant_at = None
    if started_at is not None:
        # The ledger is newest first and settled: the newest grant of this term is the last one
        # due, so the next falls a month of the term later.
        for entry in statement["ledger"]:
            if entry["reason"] == "plan_ended":
                break
            if entry["reason"] == "grant":
                next_grant_at = ledger.add_months(started_at, entry["period"] + 1)
                break
    return Overview(
        plan=plan,
        started_at=started_at,
        next_grant_at=next_grant_at,
        statement=statement,
        waiting=await waiting_for_answer(svc, actor.id),
        seats=seats,
        admin_of=admin_of,
        settings={"allow_inmail": row.allow_inmail, "open_profile": row.open_profile},
    )


@dataclass(frozen=True)
class Preview:
    """What sending an InMail to ``recipient`` would do now."""

    recipient: dict[str, Any]
    balance: int
    cost: int  # 0 or 1 credit
    free_because: str | None  # "open_profile" | "open_conversation"
    refusal: tuple[str, str] | None  # (code, message) of the error a send would get now
    conversation_id: int | None
    seats: list[dict[str, Any]]
    recipient_follows: list[str]  # slugs of the sender's seat organisations the recipient follows


async def preview(svc: Services, actor: Actor, handle: str) -> Preview:
    """The compose page's view of an InMail to ``handle``: cost, balance, and the refusal a send
    would meet (the send itself re-checks everything). 404 for unknown or blocked members."""
    balance = await credits.current_balance(svc, actor.id)
    async with svc.db.read() as conn:
        found = (await people.resolve_handles(conn, actor.id, [handle])).get(handle)
        if found is None or found.blocked or found.id == actor.id:
            raise NotFound("No member with that handle.")
        row = (
            (
                await conn.execute(
                    sa.select(
                        *MEMBER_COLUMNS,
                        members.c.allow_inmail,
                        members.c.open_profile,
                        members.c.plan,
                    ).where(members.c.id == found.id)
                )
            )
            .mappings()
            .one()
        )
        sender_plan = (
            await conn.execute(sa.select(members.c.plan).where(members.c.id == actor.id))
        ).scalar_one()
        degrees = await people.degrees(conn, actor.id, [found.id])
        thread = (
            await conn.execute(
                sa.select(inmail_threads.c.conversation_id, inmail_threads.c.state).where(
                    inmail_threads.c.sender_id == actor.id,
                    inmail_threads.c.recipient_id == found.id,
                )
            )
        ).first()
        seats = await orgs.seats_of(conn, actor.id)
        follows = await orgs.followed_among(conn, found.id, [s["slug"] for s in seats])
    degree, mutual = degrees.get(found.id, (None, 0))
    recipient = member_view(row, degree=degree, mutual_connections=mutual, seen_by_other=True)
    free_because = None
    if row["open_profile"] and plan_for(row["plan"]).is_premium:
        free_because = "open_profile"
    elif thread is not None and thread.state in ("interested", "replied"):
        free_because = "open_conversation"
    refusal: tuple[str, str] | None = None
    if not plan_for(sender_plan).is_premium:
        refusal = ("premium_required", "InMail needs a paid plan.")
    elif found.connected:
        refusal = ("already_connected", "You are connected: send them a message instead.")
    elif thread is not None and thread.state == "not_interested":
        refusal = ("conversation_closed", "They answered “Not interested” to your InMail.")
    elif not row["allow_inmail"] and not follows:
        refusal = ("inmail_disabled", "This member does not accept InMail.")
    elif free_because is None and balance < 1:
        refusal = ("no_credits", "You have no InMail credits left.")
    return Preview(
        recipient=recipient,
        balance=balance,
        cost=0 if free_because else 1,
        free_because=free_because,
        refusal=refusal,
        conversation_id=None if thread is None else thread.conversation_id,
        seats=seats,
        recipient_follows=follows,
    )


async def operator_members(
    svc: Services,
    actor: Actor,
    *,
    q: str = "",
    cursor: str | None = None,
    limit: int = OPERATOR_PAGE,
) -> dict[str, Any]:
    """Members for the operator's plan page, newest first, filtered by name, handle or email
    containing ``q``; 403 ``operator_only`` for anyone else. ``{items, next_cursor}``."""
    require_operator(actor)
    query = (
        sa.select(
            members.c.id,
            members.c.handle,
            members.c.name,
            members.c.email,
            members.c.plan,
            members.c.plan_started_at,
            members.c.is_operator,
        )
        .where(members.c.deleted_at.is_(None))
        .order_by(members.c.id.desc())
        .limit(limit + 1)
    )
    if q.strip():
        needle = q.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{needle}%"
        query = query.where(
            sa.or_(
                sa.func.lower(members.c.name).like(pattern, escape="\\"),
                members.c.handle.like(pattern, escape="\\"),
                members.c.email.like(pattern, escape="\\"),
            )
        )
    if cursor:
        if not cursor.isdigit() or len(cursor) > 18:
            raise InvalidInput("invalid_cursor", "That cursor is not one this list gave out.")
        query = query.where(members.c.id < int(cursor))
    async with svc.db.read() as conn:
        rows = (await conn.execute(query)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "items": [
            {
                "handle": r.handle,
                "name": r.name,
                "email": r.email,
                "plan": r.plan,
                "plan_started_at": r.plan_started_at,
                "is_operator": r.is_operator,
            }
            for r in rows
        ],
        "next_cursor": str(rows[-1].id) if more and rows else None,
    }
