"""The ledger arithmetic: month-by-month examples, then properties over random histories."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from tests.premium.model import Book

from inroad.premium.ledger import LOT_LIFETIME, add_months
from inroad.premium.plans import PLANS, plan_for

START = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def test_add_months_clamps_to_the_month_end_without_drifting() -> None:
    jan31 = datetime(2026, 1, 31, 9, 30, tzinfo=UTC)
    assert add_months(jan31, 1) == datetime(2026, 2, 28, 9, 30, tzinfo=UTC)
    assert add_months(jan31, 2) == datetime(2026, 3, 31, 9, 30, tzinfo=UTC)
    assert add_months(jan31, 13) == datetime(2027, 2, 28, 9, 30, tzinfo=UTC)
    assert add_months(datetime(2027, 1, 31, tzinfo=UTC), 13) == datetime(2028, 2, 29, tzinfo=UTC)
    assert add_months(START, 12) == datetime(2027, 1, 15, 12, 0, tzinfo=UTC)


def test_career_grants_5_10_15_and_then_holds_at_the_cap() -> None:
    book = Book()
    book.set_plan("career", START)
    seen = [book.balance]
    for month in range(1, 13):
        book.settle(add_months(START, month))
        seen.append(book.balance)
    assert seen == [5, 10, 15] + [15] * 10
    # Month 3 falls exactly 90 days after month 0 (Jan 15 → Apr 15): month 0's grant expires
    # first, then month 3's arrives.
    month3 = [r for r in book.rows if r.at == add_months(START, 3)]
    assert [(r.reason, r.delta) for r in month3] == [("expire", -5), ("grant", 5)]
    # Month 4 (May 15) is only 89 days after month 1 (Feb 15): at the cap, month 1's credits are
    # forfeited a day early to make room, so the new grant is kept whole.
    month4 = [r for r in book.rows if r.at == add_months(START, 4)]
    assert [(r.reason, r.delta, r.lot) for r in month4] == [("expire", -5, 2), ("grant", 5, None)]


def test_a_refund_at_the_cap_forfeits_the_oldest_credit() -> None:
    book = Book()
    book.set_plan("career", START)
    book.settle(add_months(START, 2))
    assert book.balance == 15
    spend = book.spend(add_months(START, 2))
    assert spend is not None and spend.lot == 1 and book.balance == 14
    book.settle(add_months(START, 3))  # month 0's lot expires with 4 left; month 3 brings 5
    assert book.balance == 15
    refund = book.refund(spend.key, add_months(START, 3))
    assert refund is not None and refund.delta == 1
    forfeit = book.rows[-2]
    assert (forfeit.reason, forfeit.delta, forfeit.lot) == ("expire", -1, 2)  # month 1's lot
    assert book.balance == 15
    assert book.refund(spend.key, add_months(START, 3)) is None  # once per spend


def test_a_grant_due_before_an_expiry_keeps_the_balance_at_the_cap() -> None:
    # Jan 31 start: month 3 (Apr 30) comes a day before month 0's 90-day expiry (May 1).
    jan31 = datetime(2026, 1, 31, tzinfo=UTC)
    book = Book()
    book.set_plan("career", jan31)
    book.settle(add_months(jan31, 3))
    assert [(r.reason, r.delta, r.lot) for r in book.rows][-2:] == [
        ("expire", -5, 1),
        ("grant", 5, None),
    ]
    assert book.balance == 15
    book.settle(jan31 + LOT_LIFETIME)  # month 0's lot is already empty: nothing more expires
    assert book.balance == 15 and book.rows[-1].reason == "grant"


def test_unspent_part_of_a_grant_expires_after_90_days() -> None:
    book = Book()
    book.set_plan("business", START)  # 15
    for _ in range(4):
        assert book.spend(START + timedelta(days=1)) is not None
    assert book.balance == 11
    book.settle(START + timedelta(days=89, hours=23))
    assert book.balance == 11 + 15 + 15  # months 1 and 2 arrived, nothing expired yet
    book.settle(START + LOT_LIFETIME)
    expiries = [r for r in book.rows if r.reason == "expire"]
    assert [(e.at, e.delta) for e in expiries] == [(START + LOT_LIFETIME, -11)]


def test_spends_take_from_the_oldest_grant_first() -> None:
    book = Book()
    book.set_plan("recruiter_lite", START)  # 30 a month, cap 120: the cap never binds here
    book.settle(add_months(START, 1))
    for _ in range(35):
        assert book.spend(add_months(START, 1)) is not None
    # Month 0's lot gave all 30, month 1's gave 5: at day 90 nothing of month 0 is left to expire.
    book.settle(START + LOT_LIFETIME)
    assert not [r for r in book.rows if r.reason == "expire"]
    book.settle(add_months(START, 1) + LOT_LIFETIME)
    expiries = [(r.at, r.delta, r.lot) for r in book.rows if r.reason == "expire"]
    assert expiries == [(add_months(START, 1) + LOT_LIFETIME, -25, 2)]
    assert book.balance == 3 * 30


def test_plan_end_takes_the_whole_balance_and_refunds_after_it_add_nothing() -> None:
    book = Book()
    book.set_plan("sales_navigator", START)
    spend = book.spend(START + timedelta(days=3))
    assert spend is not None and book.balance == 49
    book.set_plan("free", START + timedelta(days=10))
    assert book.rows[-1].reason == "plan_ended" and book.rows[-1].delta == -49
    assert book.balance == 0
    refund = book.refund(spend.key, START + timedelta(days=11))
    assert refund is not None and refund.delta == 0
    book.settle(START + timedelta(days=400))
    assert book.balance == 0 and book.rows[-1].reason == "refund"


def test_switching_plans_ends_one_and_starts_the_other() -> None:
    book = Book()
    book.set_plan("career", START)
    book.set_plan("recruiter_lite", START + timedelta(days=5))
    assert [(r.reason, r.delta, r.plan) for r in book.rows] == [
        ("grant", 5, "career"),
        ("plan_ended", -5, "career"),
        ("grant", 30, "recruiter_lite"),
    ]
    book.set_plan("recruiter_lite", START + timedelta(days=6))  # same plan: nothing
    assert len(book.rows) == 3


# --- properties ------------------------------------------------------------------------------

PLAN_KEYS = sorted(PLANS)
# (kind, n): kinds weighted towards time passing and spending, so histories run for months and
# reach the cap, expiries and forfeits; plan changes are rarer, as in life.
KINDS = ["advance"] * 4 + ["spend"] * 3 + ["answer"] * 2 + ["plan"]
operations = st.lists(
    st.tuples(st.sampled_from(KINDS), st.integers(min_value=0, max_value=100_000)),
    min_size=1,
    max_size=80,
)


def run(first_plan: str, ops: list[tuple[str, int]], book: Book) -> None:
    """Start ``first_plan`` at START, then apply ``ops``, checking the invariants after each."""
    now = START
    book.set_plan(first_plan, now)
    for kind, n in ops:
        if kind == "advance":
            now += timedelta(hours=n % (40 * 24))  # up to 40 days: every month boundary is hit
            book.settle(now)
        elif kind == "spend":
            for _ in range(n % 4):
                book.spend(now)
        elif kind == "answer":
            spends = [r for r in book.rows if r.reason == "spend"]
            if spends:
                book.refund(spends[n % len(spends)].key, now)
        else:
            book.set_plan(PLAN_KEYS[n % len(PLAN_KEYS)], now)
        check_invariants(book, now)


def check_invariants(book: Book, now: datetime) -> None:
    account = book.account
    # The balance is the ledger's sum, equals what the lots hold, and stays within the cap.
    assert book.balance == account.balance
    assert 0 <= book.balance <= account.plan.rollover_cap
    # Read in order, the running balance never leaves [0, cap of the plan then in force].
    running = 0
    for row in book.rows:
        running += row.delta
        assert 0 <= running <= plan_for(row.plan).rollover_cap, row
    # Settling again at the same moment writes nothing: everything due was applied.
    count = len(book.rows)
    book.settle(now)
    assert len(book.rows) == count
    assert all(lot.expires_at > now for lot in account.lots)
    # No spend is refunded twice; every spend is a real −1 (refused at 0, never overdrawn).
    refunds = Counter(row.spend for row in book.rows if row.reason == "refund")
    assert all(n == 1 for n in refunds.values())
    assert all(r.delta == -1 for r in book.rows if r.reason == "spend")
    # Each lot: what it started with = spent from it + expired or forfeited + what is left —
    # unless a plan end emptied it.
    left = {lot.key: lot.remaining for lot in account.lots}
    for lot in (r for r in book.rows if r.reason in ("grant", "refund") and r.amount > 0):
        spent = sum(1 for r in book.rows if r.reason == "spend" and r.lot == lot.key)
        expiries = [r for r in book.rows if r.reason == "expire" and r.lot == lot.key]
        gone = -sum(r.delta for r in expiries)
        natural = [r for r in expiries if r.at == lot.at + LOT_LIFETIME]
        assert len(natural) <= 1
        for forfeit in (r for r in expiries if r.at != lot.at + LOT_LIFETIME):
            # A forfeit is made for a grant or refund at that same moment, right after it.
            assert forfeit.at < lot.at + LOT_LIFETIME
            following = next(r for r in book.rows[forfeit.key :] if r.reason != "expire")
            assert following.reason in ("grant", "refund") and following.at == forfeit.at
        if lot.amount != spent + gone + left.get(lot.key, 0):
            ended = [r for r in book.rows if r.reason == "plan_ended" and r.key > lot.key]
            assert ended and lot.key not in left, lot


PREMIUM = [key for key in PLAN_KEYS if key != "free"]


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(PREMIUM), operations)
def test_ledger_properties_over_random_histories(
    first_plan: str, ops: list[tuple[str, int]]
) -> None:
    run(first_plan, ops, Book())


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(PREMIUM),
    st.integers(min_value=1, max_value=40),
    st.integers(min_value=0, max_value=27),
)
def test_grants_are_complete_and_idempotent_under_repeated_settles(
    plan: str, months: int, day: int
) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=day)
    once, often = Book(), Book()
    for book in (once, often):
        book.set_plan(plan, start)
    end = add_months(start, months) + timedelta(hours=1)
    once.settle(end)
    moment = start
    while moment < end:
        moment = min(end, moment + timedelta(days=7))
        often.settle(moment)
        often.settle(moment)  # a second look at the same moment writes nothing
    assert [(r.at, r.delta, r.reason) for r in once.rows] == [
        (r.at, r.delta, r.reason) for r in often.rows
    ]
    periods = [r.period for r in once.rows if r.reason == "grant"]
    assert periods == list(range(months + 1))
