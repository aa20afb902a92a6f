"""The credit ledger's arithmetic, free of I/O: what is due, and what each operation writes.

The model (PRODUCT.md §4; ``docs/premium.md`` has the long form):

- Credits live in **lots**. A monthly grant is a lot; so is a refund. A lot holds ``remaining``
  credits and expires ``LOT_LIFETIME`` (90 days) after it was created.
- The balance is the sum of the live lots' ``remaining`` — which is also the sum of every
  ledger row's ``delta``, because every change to a lot is written as a row.
- Grants fall due on calendar months from the plan's start (``add_months``; period 0 at the
  start itself) and always bring the plan's monthly credits.
- The balance never passes the plan's rollover cap: when a grant or a refund would push it over,
  the **oldest** credits are forfeited first to make room (``expire`` rows written just before
  the grant or refund, at the same moment). Forfeiting the oldest rather than refusing the new
  keeps a member who never spends at the cap: three months are 89 to 92 days, so a month's grant
  can fall due a day before the grant of three months earlier expires.
- A lot that reaches its expiry expires only to the extent it is unspent (``remaining``).
- A spend takes one credit from the lot that expires first (FIFO; ties by key, i.e. age).
- A refund adds one credit as a new lot — none once the plan has ended (a free member holds no
  credits; the refund row is still written, with delta 0, so the InMail counts as refunded).
- Ending a plan takes the whole balance (``plan_ended``) and empties every lot.
- Due events are applied in time order; an expiry and a grant at the same instant apply the
  expiry first, so a grant is not clamped by credits that leave at that very moment.

Callers (``inroad.premium.credits`` against the database; the tests against memory) drive it the
same way: ``next_due`` → write the row → ``apply_*``, until nothing is due.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from inroad.premium.plans import Plan

LOT_LIFETIME = timedelta(days=90)


class NoCredits(Exception):
    """A spend with a balance of 0."""


def add_months(start: datetime, months: int) -> datetime:
    """``start`` moved by whole calendar months, the day clamped to the month's last day
    (Jan 31 + 1 month = Feb 28 or 29); always computed from ``start``, so days do not drift."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return start.replace(year=year, month=month, day=day)


@dataclass
class Lot:
    """Credits that arrived together. ``key`` is the ledger row's id (or a test's counter)."""

    key: int
    expires_at: datetime
    remaining: int


@dataclass
class Account:
    """What the arithmetic needs to know about one member right now."""

    plan: Plan
    started_at: datetime | None
    next_period: int = 0
    lots: list[Lot] = field(default_factory=list)

    @property
    def balance(self) -> int:
        return sum(lot.remaining for lot in self.lots)

    def oldest_first(self) -> list[Lot]:
        return sorted(
            (lot for lot in self.lots if lot.remaining > 0),
            key=lambda lot: (lot.expires_at, lot.key),
        )


@dataclass(frozen=True)
class Forfeit:
    """Credits of an old lot given up to make room under the cap (written as ``expire``)."""

    lot_key: int
    amount: int


@dataclass(frozen=True)
class GrantDue:
    at: datetime
    period: int
    amount: int
    forfeits: tuple[Forfeit, ...]


@dataclass(frozen=True)
class ExpiryDue:
    at: datetime
    lot_key: int
    amount: int


def grant_time(account: Account, period: int) -> datetime | None:
    if not account.plan.is_premium or account.started_at is None:
        return None
    return add_months(account.started_at, period)


def next_due(account: Account, now: datetime) -> GrantDue | ExpiryDue | None:
    """The earliest event due at or before ``now`` that has not been applied, or None.

    Correct only if every earlier event has been applied — which holds when callers apply
    what this returns before asking again."""
    live = account.oldest_first()
    expiring = live[0] if live else None
    grant_at = grant_time(account, account.next_period)
    if (
        expiring is not None
        and expiring.expires_at <= now
        and (grant_at is None or expiring.expires_at <= grant_at)
    ):
        return ExpiryDue(expiring.expires_at, expiring.key, expiring.remaining)
    if grant_at is not None and grant_at <= now:
        amount = account.plan.monthly_credits
        return GrantDue(grant_at, account.next_period, amount, make_room(account, amount))
    return None


def make_room(account: Account, amount: int) -> tuple[Forfeit, ...]:
    """What must be forfeited, oldest credits first, so ``amount`` more fits under the cap."""
    excess = account.balance + amount - account.plan.rollover_cap
    forfeits = []
    for lot in account.oldest_first():
        if excess <= 0:
            break
        taken = min(lot.remaining, excess)
        forfeits.append(Forfeit(lot.key, taken))
        excess -= taken
    return tuple(forfeits)


def apply_forfeits(account: Account, forfeits: tuple[Forfeit, ...]) -> None:
    for forfeit in forfeits:
        for lot in account.lots:
            if lot.key == forfeit.lot_key:
                lot.remaining -= forfeit.amount
    account.lots = [lot for lot in account.lots if lot.remaining > 0]


def apply_grant(account: Account, due: GrantDue, key: int) -> None:
    """Record a written grant (its forfeits included); ``key`` names its lot."""
    apply_forfeits(account, due.forfeits)
    account.next_period = due.period + 1
    account.lots.append(Lot(key, due.at + LOT_LIFETIME, due.amount))


def apply_expiry(account: Account, due: ExpiryDue) -> None:
    for lot in account.lots:
        if lot.key == due.lot_key:
            lot.remaining = 0
    account.lots = [lot for lot in account.lots if lot.remaining > 0]


def take_one(account: Account) -> Lot:
    """Spend one credit from the lot that expires first; returns that lot (already
    decremented). Raises ``NoCredits`` at a balance of 0. Settle before calling."""
    live = account.oldest_first()
    if not live:
        raise NoCredits()
    lot = live[0]
    lot.remaining -= 1
    account.lots = [item for item in account.lots if item.remaining > 0]
    return lot


def plan_refund(account: Account) -> tuple[int, tuple[Forfeit, ...]]:
    """A refund's amount (1, or 0 once the plan has ended) and what it forfeits at the cap."""
    amount = 1 if account.plan.is_premium else 0
    return amount, make_room(account, amount)


def apply_refund(
    account: Account, at: datetime, amount: int, forfeits: tuple[Forfeit, ...], key: int
) -> None:
    apply_forfeits(account, forfeits)
    if amount > 0:
        account.lots.append(Lot(key, at + LOT_LIFETIME, amount))


def end_plan(account: Account, new_plan: Plan) -> int:
    """Empty every lot and switch to ``new_plan`` (not yet started); returns what was taken."""
    taken = account.balance
    account.lots = []
    account.plan = new_plan
    account.started_at = None
    account.next_period = 0
    return taken


def start_plan(account: Account, plan: Plan, at: datetime) -> None:
    """Begin ``plan`` at ``at``: period 0 falls due at once (the caller settles next)."""
    account.plan = plan
    account.started_at = at
    account.next_period = 0
