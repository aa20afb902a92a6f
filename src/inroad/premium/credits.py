"""The credit ledger in the database: settle, spend, refund, end a plan, read the balance.

Every function taking a ``conn`` runs inside the caller's ``svc.db.write()`` transaction and
starts by locking the member's row (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite serialises
writers anyway), so two requests for one member take turns. The unique indexes on
``credit_ledger`` are a second line: a period is granted, a lot expired and a spend refunded at
most once even if the lock were bypassed (inserts use ``ON CONFLICT DO NOTHING`` and re-read).

There is no cron job: ``settle`` applies every grant and expiry that fell due since the member's
ledger was last touched, each row stamped with the moment it fell due, in time order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from inroad.accounts.tables import members
from inroad.errors import NotFound, PaymentRequired
from inroad.messaging.views import iso
from inroad.premium import ledger
from inroad.premium.events import CREDITS_CHANGED
from inroad.premium.ledger import Account, ExpiryDue, Forfeit, Lot
from inroad.premium.plans import plan_for
from inroad.premium.sql import insert_ignore
from inroad.premium.tables import credit_ledger
from inroad.realtime.outbox import transaction
from inroad.services import Services

L = credit_ledger.c


@dataclass(frozen=True)
class Spent:
    spend_id: int
    balance: int


async def _member_plan(conn: AsyncConnection, member_id: int, *, lock: bool) -> Any:
    query = sa.select(members.c.plan, members.c.plan_started_at).where(members.c.id == member_id)
    row = (await conn.execute(query.with_for_update() if lock else query)).first()
    if row is None:
        raise NotFound("No such member.")
    return row


async def _load(conn: AsyncConnection, member_id: int, *, lock: bool) -> tuple[Account, int]:
    """The member's account as the arithmetic sees it (plan, next period to grant, live lots)
    and the current plan term: the number of plans ended before it, which keys its grants."""
    member = await _member_plan(conn, member_id, lock=lock)
    plan = plan_for(member.plan)
    started_at = member.plan_started_at if plan.is_premium else None
    term = (
        await conn.execute(
            sa.select(sa.func.count()).where(L.member_id == member_id, L.reason == "plan_ended")
        )
    ).scalar_one()
    next_period = 0
    if started_at is not None:
        last = (
            await conn.execute(
                sa.select(sa.func.max(L.period)).where(
                    L.member_id == member_id, L.term == term, L.period.is_not(None)
                )
            )
        ).scalar_one()
        next_period = 0 if last is None else int(last) + 1
    lots = [
        Lot(row.id, row.expires_at, row.remaining)
        for row in await conn.execute(
            sa.select(L.id, L.expires_at, L.remaining).where(
                L.member_id == member_id, L.remaining > 0
            )
        )
    ]
    return Account(plan=plan, started_at=started_at, next_period=next_period, lots=lots), int(term)


async def settle(conn: AsyncConnection, member_id: int, now: datetime) -> Account:
    """Lock the member and write every grant and expiry due at ``now``; returns the account."""
    account, term = await _load(conn, member_id, lock=True)
    while (due := ledger.next_due(account, now)) is not None:
        if isinstance(due, ExpiryDue):
            await _write_expiry(conn, member_id, account, due.at, due.lot_key, due.amount)
            ledger.apply_expiry(account, due)
            continue
        await _write_forfeits(conn, member_id, account, due.at, due.forfeits)
        inserted = await conn.execute(
            insert_ignore(
                conn,
                credit_ledger,
                member_id=member_id,
                at=due.at,
                delta=due.amount,
                reason="grant",
                plan=account.plan.key,
                term=term,
                period=due.period,
                expires_at=due.at + ledger.LOT_LIFETIME,
                remaining=due.amount,
            ).returning(L.id)
        )
        row_id = inserted.scalar_one_or_none()
        if row_id is None:
            # The period was granted by someone else: unreachable while the member row is
            # locked, but if it ever happens the transaction must not commit half a story.
            raise RuntimeError(f"credit grant for member {member_id} period {due.period} raced")
        ledger.apply_grant(account, due, row_id)
    return account


async def _write_expiry(
    conn: AsyncConnection, member_id: int, account: Account, at: datetime, lot_key: int, amount: int
) -> None:
    """An ``expire`` row taking ``amount`` from the lot ``lot_key`` (at its 90 days, or earlier
    when forfeited to make room under the cap)."""
    await conn.execute(
        credit_ledger.insert().values(
            member_id=member_id,
            at=at,
            delta=-amount,
            reason="expire",
            plan=account.plan.key,
            lot_id=lot_key,
        )
    )
    await conn.execute(
        sa.update(credit_ledger).where(L.id == lot_key).values(remaining=L.remaining - amount)
    )


async def _write_forfeits(
    conn: AsyncConnection,
    member_id: int,
    account: Account,
    at: datetime,
    forfeits: tuple[Forfeit, ...],
) -> None:
    for forfeit in forfeits:
        await _write_expiry(conn, member_id, account, at, forfeit.lot_key, forfeit.amount)


async def spend(
    conn: AsyncConnection, member_id: int, now: datetime, *, conversation_id: int
) -> Spent:
    """Take one credit for an InMail in ``conversation_id`` from the lot expiring first.
    Raises 402 ``no_credits`` at a balance of 0 (nothing is written then)."""
    account = await settle(conn, member_id, now)
    try:
        lot = ledger.take_one(account)
    except ledger.NoCredits:
        raise PaymentRequired(
            "no_credits",
            "You have no InMail credits left. Credits arrive monthly with your plan; a credit "
            "comes back when a recipient answers within 90 days.",
        ) from None
    spend_id = (
        await conn.execute(
            credit_ledger.insert()
            .values(
                member_id=member_id,
                at=now,
                delta=-1,
                reason="spend",
                plan=account.plan.key,
                conversation_id=conversation_id,
                lot_id=lot.key,
            )
            .returning(L.id)
        )
    ).scalar_one()
    await conn.execute(
        sa.update(credit_ledger).where(L.id == lot.key).values(remaining=lot.remaining)
    )
    return Spent(spend_id=spend_id, balance=account.balance)


async def refund(conn: AsyncConnection, spend_id: int, now: datetime) -> int | None:
    """Refund the spend ``spend_id`` (once, ever): one credit as a new lot, the oldest credits
    forfeited if the cap is full (0 once the plan has ended). Returns the refund's delta, or
    None when that spend was already refunded (nothing is written then)."""
    spent = (
        await conn.execute(
            sa.select(L.member_id, L.conversation_id).where(L.id == spend_id, L.reason == "spend")
        )
    ).first()
    if spent is None:
        raise NotFound("No such spend.")
    account = await settle(conn, spent.member_id, now)
    already = await conn.execute(sa.select(L.id).where(L.spend_id == spend_id))
    if already.first() is not None:
        return None
    amount, forfeits = ledger.plan_refund(account)
    await _write_forfeits(conn, spent.member_id, account, now, forfeits)
    refund_id = (
        await conn.execute(
            insert_ignore(
                conn,
                credit_ledger,
                member_id=spent.member_id,
                at=now,
                delta=amount,
                reason="refund",
                plan=account.plan.key,
                conversation_id=spent.conversation_id,
                spend_id=spend_id,
                expires_at=now + ledger.LOT_LIFETIME if amount else None,
                remaining=amount if amount else None,
            ).returning(L.id)
        )
    ).scalar_one_or_none()
    if refund_id is None:
        # Refunded concurrently (unreachable under the member lock): undo the forfeits too.
        raise RuntimeError(f"refund of spend {spend_id} raced")
    ledger.apply_refund(account, now, amount, forfeits, refund_id)
    return amount


async def change_plan(conn: AsyncConnection, member_id: int, plan_key: str, now: datetime) -> bool:
    """Switch the member to ``plan_key`` at ``now``. Ending a premium plan (for free or for
    another plan) writes ``plan_ended`` taking the whole balance; starting a premium plan sets
    ``plan_started_at`` and grants its first month. Returns False when it is already the plan."""
    account = await settle(conn, member_id, now)
    current = (await _member_plan(conn, member_id, lock=False)).plan
    if current == plan_key:
        return False
    new_plan = plan_for(plan_key)
    if account.plan.is_premium:
        taken = ledger.end_plan(account, new_plan)
        await conn.execute(
            credit_ledger.insert().values(
                member_id=member_id, at=now, delta=-taken, reason="plan_ended", plan=current
            )
        )
        await conn.execute(
            sa.update(credit_ledger)
            .where(L.member_id == member_id, L.remaining > 0)
            .values(remaining=0)
        )
    values: dict[str, Any] = {"plan": new_plan.key, "plan_started_at": None}
    if new_plan.is_premium:
        values["plan_started_at"] = now
    else:
        # Open Profile is a premium setting: it stops with the plan.
        values["open_profile"] = False
    await conn.execute(sa.update(members).where(members.c.id == member_id).values(**values))
    if new_plan.is_premium:
        await settle(conn, member_id, now)
    return True


async def ledger_balance(conn: AsyncConnection, member_id: int) -> int:
    """The balance as the ledger states it: the sum of every row's delta."""
    total = (
        await conn.execute(
            sa.select(sa.func.coalesce(sa.func.sum(L.delta), 0)).where(L.member_id == member_id)
        )
    ).scalar_one()
    return int(total)


async def plan_and_balance(conn: AsyncConnection, member_id: int) -> dict[str, Any]:
    """``{plan, balance}``: the data of a ``credits.changed`` event."""
    plan = (await _member_plan(conn, member_id, lock=False)).plan
    return {"plan": plan, "balance": await ledger_balance(conn, member_id)}


async def settle_if_due(svc: Services, member_id: int) -> None:
    """Bring the ledger up to ``svc.clock.now()``, taking the write path only when something
    fell due (a read-only check first keeps page views off SQLite's single writer); what falls
    due is announced to the member as ``credits.changed`` when it is written."""
    now = svc.clock.now()
    async with svc.db.read() as conn:
        account, _term = await _load(conn, member_id, lock=False)
        due = ledger.next_due(account, now)
    if due is not None:
        async with transaction(svc) as tx:
            await settle(tx.conn, member_id, now)
            tx.outbox.add([member_id], CREDITS_CHANGED, await plan_and_balance(tx.conn, member_id))


async def current_balance(svc: Services, member_id: int) -> int:
    await settle_if_due(svc, member_id)
    async with svc.db.read() as conn:
        return await ledger_balance(conn, member_id)


async def statement(svc: Services, member_id: int) -> dict[str, Any]:
    """``GET /api/v1/me/credits``: ``{plan, balance, ledger}`` with the ledger newest first."""
    await settle_if_due(svc, member_id)
    lot = credit_ledger.alias("lot")
    async with svc.db.read() as conn:
        plan = (await _member_plan(conn, member_id, lock=False)).plan
        rows = (
            await conn.execute(
                sa.select(
                    L.id,
                    L.at,
                    L.delta,
                    L.reason,
                    L.plan,
                    L.conversation_id,
                    L.period,
                    L.expires_at,
                    L.remaining,
                    lot.c.expires_at.label("lot_expires_at"),
                )
                .outerjoin(lot, lot.c.id == L.lot_id)
                .where(L.member_id == member_id)
                .order_by(L.at.desc(), L.id.desc())
            )
        ).all()
    return {
        "plan": plan,
        "balance": sum(row.delta for row in rows),
        "ledger": [entry_view(row) for row in rows],
    }


def entry_view(row: Any) -> dict[str, Any]:
    """One ledger row for clients: the contract's fields (``at, delta, reason,
    conversation_id``) plus ``id`` and ``plan``; a grant adds ``period`` (0 = the plan's first
    month); credits that can expire add ``expires_at`` and ``remaining``; an expiry adds
    ``forfeited`` (true when the credits went before their 90 days, to stay under the cap)."""
    view: dict[str, Any] = {
        "id": str(row.id),
        "at": iso(row.at),
        "delta": row.delta,
        "reason": row.reason,
        "plan": row.plan,
        "conversation_id": None if row.conversation_id is None else str(row.conversation_id),
    }
    if row.reason == "grant":
        view["period"] = row.period
    if row.expires_at is not None:
        view["expires_at"] = iso(row.expires_at)
        view["remaining"] = row.remaining
    if row.reason == "expire":
        view["forfeited"] = row.lot_expires_at is not None and row.at < row.lot_expires_at
    return view
