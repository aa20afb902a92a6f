"""The plans of PRODUCT.md §4 as data: InMail credits granted a month and the rollover cap."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Plan:
    key: str
    label: str
    monthly_credits: int
    rollover_cap: int

    @property
    def is_premium(self) -> bool:
        return self.key != FREE


FREE = "free"

PLANS: dict[str, Plan] = {
    plan.key: plan
    for plan in (
        Plan(FREE, "Free", 0, 0),
        Plan("career", "Premium Career", 5, 15),
        Plan("business", "Premium Business", 15, 45),
        Plan("sales_navigator", "Sales Navigator", 50, 150),
        Plan("recruiter_lite", "Recruiter Lite", 30, 120),
    )
}


def plan_for(key: str) -> Plan:
    """The plan named ``key``; an unknown key in the database (e.g. a plan that was removed from
    this table) counts as free, so a member is never granted credits by a plan nobody defined."""
    return PLANS.get(key, PLANS[FREE])


def is_premium(key: str) -> bool:
    return plan_for(key).is_premium
