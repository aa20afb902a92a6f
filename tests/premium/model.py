"""An in-memory credit ledger driven by ``inroad.premium.ledger`` the way ``credits.py`` drives it
against the database — the reference the property tests compare the database with."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from inroad.premium import ledger
from inroad.premium.ledger import Account, GrantDue
from inroad.premium.plans import PLANS, plan_for


@dataclass
class Row:
    key: int
    at: datetime
    delta: int
    reason: str
    plan: str
    period: int | None = None
    lot: int | None = None  # expire: the lot expired; spend: the lot spent from
    spend: int | None = None  # refund: the spend refunded
    amount: int = 0  # grant/refund: credits the lot started with


@dataclass
class Book:
    account: Account = field(default_factory=lambda: Account(plan=PLANS["free"], started_at=None))
    rows: list[Row] = field(default_factory=list)

    def _add(self, **values: Any) -> Row:
        row = Row(key=len(self.rows) + 1, **values)
        self.rows.append(row)
        return row

    def settle(self, now: datetime) -> None:
        while (due := ledger.next_due(self.account, now)) is not None:
            if isinstance(due, GrantDue):
                self._forfeit(due.at, due.forfeits)
                row = self._add(
                    at=due.at,
                    delta=due.amount,
                    reason="grant",
                    plan=self.account.plan.key,
                    period=due.period,
                    amount=due.amount,
                )
                ledger.apply_grant(self.account, due, row.key)
            else:
                self._add(
                    at=due.at,
                    delta=-due.amount,
                    reason="expire",
                    plan=self.account.plan.key,
                    lot=due.lot_key,
                )
                ledger.apply_expiry(self.account, due)

    def _forfeit(self, at: datetime, forfeits: tuple[ledger.Forfeit, ...]) -> None:
        for forfeit in forfeits:
            self._add(
                at=at,
                delta=-forfeit.amount,
                reason="expire",
                plan=self.account.plan.key,
                lot=forfeit.lot_key,
            )

    def spend(self, now: datetime) -> Row | None:
        """The spend row, or None at a balance of 0."""
        self.settle(now)
        try:
            lot = ledger.take_one(self.account)
        except ledger.NoCredits:
            return None
        return self._add(at=now, delta=-1, reason="spend", plan=self.account.plan.key, lot=lot.key)

    def refund(self, spend_key: int, now: datetime) -> Row | None:
        """The refund row, or None when that spend was refunded before."""
        if any(row.spend == spend_key for row in self.rows):
            return None
        self.settle(now)
        amount, forfeits = ledger.plan_refund(self.account)
        self._forfeit(now, forfeits)
        row = self._add(
            at=now,
            delta=amount,
            reason="refund",
            plan=self.account.plan.key,
            spend=spend_key,
            amount=amount,
        )
        ledger.apply_refund(self.account, now, amount, forfeits, row.key)
        return row

    def set_plan(self, plan: str, now: datetime) -> None:
        self.settle(now)
        if self.account.plan.key == plan:
            return
        if self.account.plan.is_premium:
            old = self.account.plan.key
            taken = ledger.end_plan(self.account, plan_for(plan))
            self._add(at=now, delta=-taken, reason="plan_ended", plan=old)
        new = plan_for(plan)
        if new.is_premium:
            ledger.start_plan(self.account, new, now)
        else:
            self.account.plan = new
        self.settle(now)

    @property
    def balance(self) -> int:
        return sum(row.delta for row in self.rows)
