"""The credit ledger in the database (SQLite and PostgreSQL): the API's statement month by month,
the database against the in-memory reference over random histories, and concurrency."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.conftest import People, assert_error
from tests.factories import member_id
from tests.premium.model import Book
from tests.premium.test_ledger import PLAN_KEYS, PREMIUM, START, operations

from inroad.accounts.tables import members
from inroad.clock import FrozenClock
from inroad.messaging.views import iso
from inroad.premium import credits
from inroad.premium.actions import do_set_plan
from inroad.premium.ledger import LOT_LIFETIME, add_months
from inroad.premium.tables import credit_ledger
from inroad.services import Services
from inroad.settings import Settings

CREDITS = "/api/v1/me/credits"


async def balance_of(client: httpx.AsyncClient, headers: dict[str, str]) -> int:
    response = await client.get(CREDITS, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["balance"] == sum(entry["delta"] for entry in body["ledger"])
    return int(body["balance"])


async def test_free_member_has_an_empty_statement(
    client: httpx.AsyncClient, people: People
) -> None:
    jane = await people.make("Jane")
    body = (await client.get(CREDITS, headers=jane.headers)).json()
    assert body == {"plan": "free", "balance": 0, "ledger": []}
    assert_error(await client.get(CREDITS), 401, "not_signed_in")


async def test_career_month_by_month_without_a_cron_job(
    client: httpx.AsyncClient, people: People, services: Services, clock: FrozenClock
) -> None:
    jane = await people.make("Jane")
    start = clock.now()
    change = await do_set_plan(services, jane.handle, "career")
    assert change.changed and change.balance == 5
    seen = [await balance_of(client, jane.headers)]
    for month in range(1, 7):
        clock.at = add_months(start, month)
        seen.append(await balance_of(client, jane.headers))
    assert seen == [5, 10, 15, 15, 15, 15, 15]
    body = (await client.get(CREDITS, headers=jane.headers)).json()
    assert body["plan"] == "career"
    ledger = body["ledger"]
    # Newest first; each grant carries when its unspent credits expire.
    assert [e["at"] for e in ledger] == sorted((e["at"] for e in ledger), reverse=True)
    oldest = ledger[-1]
    assert (
        oldest["reason"] == "grant" and oldest["delta"] == 5 and oldest["conversation_id"] is None
    )
    assert oldest["at"] == iso(start)
    assert oldest["expires_at"] == iso(start + LOT_LIFETIME)
    reasons = Counter(e["reason"] for e in ledger)
    assert reasons == {"grant": 7, "expire": 4}


async def test_unspent_credits_expire_after_90_days_and_plan_end_zeroes(
    client: httpx.AsyncClient, people: People, services: Services, clock: FrozenClock
) -> None:
    jane = await people.make("Jane")
    start = clock.now()
    await do_set_plan(services, jane.handle, "business")
    jane_id = await member_id(services, jane.handle)
    async with services.db.write() as conn:
        for n in range(4):
            spent = await credits.spend(
                conn, jane_id, start + timedelta(days=1), conversation_id=n + 1
            )
    assert spent.balance == 11
    clock.at = start + LOT_LIFETIME - timedelta(seconds=1)
    assert await balance_of(client, jane.headers) == 11 + 15 + 15
    clock.at = start + LOT_LIFETIME  # also month 3: the expiry comes first, then the grant
    assert await balance_of(client, jane.headers) == 30 + 15
    ledger = (await client.get(CREDITS, headers=jane.headers)).json()["ledger"]
    expiry = next(e for e in ledger if e["reason"] == "expire")
    assert expiry["delta"] == -11 and expiry["at"] == iso(start + LOT_LIFETIME)
    spends = [e for e in ledger if e["reason"] == "spend"]
    assert sorted(e["conversation_id"] for e in spends) == ["1", "2", "3", "4"]
    clock.advance(days=3)
    ended = await do_set_plan(services, jane.handle, "free")
    assert ended.changed and ended.balance == 0
    body = (await client.get(CREDITS, headers=jane.headers)).json()
    assert body["plan"] == "free" and body["balance"] == 0
    assert body["ledger"][0]["reason"] == "plan_ended" and body["ledger"][0]["delta"] == -45
    clock.advance(days=200)
    assert await balance_of(client, jane.headers) == 0


async def test_set_plan_is_idempotent_and_checks_its_input(
    people: People, services: Services
) -> None:
    jane = await people.make("Jane")
    first = await do_set_plan(services, jane.handle, "sales_navigator")
    again = await do_set_plan(services, jane.handle, "sales_navigator")
    assert (first.changed, first.balance) == (True, 50)
    assert (again.changed, again.balance) == (False, 50)
    from inroad.errors import InvalidInput, NotFound

    with pytest.raises(InvalidInput) as bad_plan:
        await do_set_plan(services, jane.handle, "gold")
    assert bad_plan.value.code == "unknown_plan"
    with pytest.raises(NotFound):
        await do_set_plan(services, "no-such-member", "career")


async def test_no_credits_is_402_and_writes_nothing(people: People, services: Services) -> None:
    jane = await people.make("Jane")
    jane_id = await member_id(services, jane.handle)
    from inroad.errors import PaymentRequired

    with pytest.raises(PaymentRequired) as refused:
        async with services.db.write() as conn:
            await credits.spend(conn, jane_id, services.clock.now(), conversation_id=1)
    assert refused.value.code == "no_credits" and refused.value.status == 402
    async with services.db.read() as conn:
        assert await credits.ledger_balance(conn, jane_id) == 0


async def test_concurrent_looks_grant_each_month_once(
    client: httpx.AsyncClient, people: People, services: Services, clock: FrozenClock
) -> None:
    jane = await people.make("Jane")
    start = clock.now()
    await do_set_plan(services, jane.handle, "recruiter_lite")
    jane_id = await member_id(services, jane.handle)
    clock.at = add_months(start, 7) + timedelta(hours=1)

    async def settle_once() -> None:
        async with services.db.write() as conn:
            await credits.settle(conn, jane_id, clock.now())

    await asyncio.gather(
        *(settle_once() for _ in range(4)),
        *(client.get(CREDITS, headers=jane.headers) for _ in range(4)),
    )
    async with services.db.read() as conn:
        periods = (
            (
                await conn.execute(
                    sa.select(credit_ledger.c.period).where(
                        credit_ledger.c.member_id == jane_id, credit_ledger.c.reason == "grant"
                    )
                )
            )
            .scalars()
            .all()
        )
        expiries = (
            await conn.execute(
                sa.select(sa.func.count()).where(
                    credit_ledger.c.member_id == jane_id, credit_ledger.c.reason == "expire"
                )
            )
        ).scalar_one()
    assert sorted(periods) == list(range(8))
    assert expiries == 5  # months 0..4 are past their 90 days
    assert await balance_of(client, jane.headers) == 3 * 30


async def test_concurrent_refunds_of_one_spend_refund_once(
    people: People, services: Services
) -> None:
    jane = await people.make("Jane")
    await do_set_plan(services, jane.handle, "career")
    jane_id = await member_id(services, jane.handle)
    now = services.clock.now()
    async with services.db.write() as conn:
        spent = await credits.spend(conn, jane_id, now, conversation_id=7)

    async def refund_once() -> int | None:
        async with services.db.write() as conn:
            return await credits.refund(conn, spent.spend_id, now)

    results = await asyncio.gather(*(refund_once() for _ in range(6)))
    assert sorted(results, key=lambda r: r is None) == [1] + [None] * 5
    async with services.db.read() as conn:
        assert await credits.ledger_balance(conn, jane_id) == 5


async def test_a_second_grant_of_one_period_cannot_be_committed(
    people: People, services: Services
) -> None:
    """The unique key is the backstop behind the member lock."""
    jane = await people.make("Jane")
    await do_set_plan(services, jane.handle, "career")
    jane_id = await member_id(services, jane.handle)
    async with services.db.read() as conn:
        grant = (
            await conn.execute(sa.select(credit_ledger).where(credit_ledger.c.member_id == jane_id))
        ).one()
    values = {k: v for k, v in grant._mapping.items() if k != "id"}
    with pytest.raises(sa.exc.IntegrityError):
        async with services.db.write() as conn:
            await conn.execute(credit_ledger.insert().values(**values))


# --- the database against the in-memory reference ---------------------------------------------


async def replay_in_database(
    url: str, data_dir: Path, first_plan: str, ops: list[tuple[str, int]]
) -> Book:
    """Run the history against the database through ``credits`` and the in-memory model side by
    side; assert they wrote the same rows and hold the same balance."""
    clock = FrozenClock(START)
    svc = Services.create(Settings(database_url=url, data_dir=data_dir, secret_key="x"), clock)
    book = Book()
    try:
        async with svc.db.write() as conn:
            member = (
                await conn.execute(
                    members.insert().values(name="Model", created_at=START).returning(members.c.id)
                )
            ).scalar_one()
            await credits.change_plan(conn, member, first_plan, START)
        book.set_plan(first_plan, START)
        spends: list[tuple[int, int]] = []  # (database spend id, model spend key)
        conversation = 0
        for kind, n in ops:
            now = clock.now()
            async with svc.db.write() as conn:
                if kind == "advance":
                    clock.advance(hours=n % (40 * 24))
                    await credits.settle(conn, member, clock.now())
                    book.settle(clock.now())
                elif kind == "spend":
                    for _ in range(n % 4):
                        conversation += 1
                        row = book.spend(now)
                        if row is None:
                            with pytest.raises(Exception, match="no InMail credits"):
                                await credits.spend(conn, member, now, conversation_id=conversation)
                        else:
                            spent = await credits.spend(
                                conn, member, now, conversation_id=conversation
                            )
                            spends.append((spent.spend_id, row.key))
                elif kind == "answer" and spends:
                    db_spend, model_spend = spends[n % len(spends)]
                    refunded = await credits.refund(conn, db_spend, now)
                    expected = book.refund(model_spend, now)
                    assert (refunded is None) == (expected is None)
                elif kind == "plan":
                    plan = PLAN_KEYS[n % len(PLAN_KEYS)]
                    await credits.change_plan(conn, member, plan, now)
                    book.set_plan(plan, now)
        async with svc.db.read() as conn:
            rows = (
                await conn.execute(
                    sa.select(credit_ledger.c.at, credit_ledger.c.delta, credit_ledger.c.reason)
                    .where(credit_ledger.c.member_id == member)
                    .order_by(credit_ledger.c.id)
                )
            ).all()
            balance = await credits.ledger_balance(conn, member)
        assert [tuple(r) for r in rows] == [(r.at, r.delta, r.reason) for r in book.rows]
        assert balance == book.balance == book.account.balance
        statement = await credits.statement(svc, member)
        assert statement["balance"] == balance
        assert 0 <= balance <= book.account.plan.rollover_cap
        return book
    finally:
        await svc.close()


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(first_plan=st.sampled_from(PREMIUM), ops=operations)
def test_database_matches_the_reference_over_random_histories(
    db_url: str, tmp_path: Path, first_plan: str, ops: list[tuple[str, int]]
) -> None:
    asyncio.run(replay_in_database(db_url, tmp_path, first_plan, ops))


async def test_lazily_applied_grants_are_announced_and_cap_forfeits_are_marked(
    client: httpx.AsyncClient, people: People, services: Services, clock: FrozenClock
) -> None:
    jane = await people.make("Jane")
    start = clock.now()
    await do_set_plan(services, jane.handle, "career")
    clock.at = add_months(start, 4)  # May 15: 89 days after Feb 15
    assert await balance_of(client, jane.headers) == 15
    ledger = (await client.get(CREDITS, headers=jane.headers)).json()["ledger"]
    expiries = [(e["at"], e["forfeited"]) for e in ledger if e["reason"] == "expire"]
    # Month 0's credits expired at their 90 days; month 1's were given up a day early, at the
    # cap, so month 4's grant could arrive whole.
    assert expiries == [(iso(add_months(start, 4)), True), (iso(add_months(start, 3)), False)]
    grants = [e["period"] for e in ledger if e["reason"] == "grant"]
    assert grants == [4, 3, 2, 1, 0]
    sync = await client.get("/api/v1/sync", params={"since": "0"}, headers=jane.headers)
    changes = [e["data"] for e in sync.json()["events"] if e["type"] == "credits.changed"]
    assert changes == [{"plan": "career", "balance": 5}, {"plan": "career", "balance": 15}]


async def test_premium_members_add_notes_to_any_number_of_invitations(
    client: httpx.AsyncClient, people: People, services: Services
) -> None:
    """The network's note quota (5 a month on the free plan) reads the plan set here."""
    jane = await people.make("Jane")
    others = [await people.make(f"Other {n}") for n in range(7)]

    async def invite(who: str) -> httpx.Response:
        return await client.post(
            "/api/v1/invitations",
            json={"to": who, "note": "Hello!", "how_you_know": {"relation": "friend"}},
            headers=jane.headers,
        )

    for other in others[:5]:
        assert (await invite(other.handle)).status_code == 201
    assert_error(await invite(others[5].handle), 403, "note_quota_exhausted")
    await do_set_plan(services, jane.handle, "career")
    assert (await invite(others[5].handle)).status_code == 201
    await do_set_plan(services, jane.handle, "free")
    assert_error(await invite(others[6].handle), 403, "note_quota_exhausted")


async def test_ending_a_plan_turns_open_profile_off(
    client: httpx.AsyncClient, people: People, services: Services
) -> None:
    jane = await people.make("Jane")
    await do_set_plan(services, jane.handle, "business")
    on = await client.patch(
        "/api/v1/me/settings", json={"open_profile": True}, headers=jane.headers
    )
    assert on.json()["open_profile"] is True
    await do_set_plan(services, jane.handle, "free")
    settings_now = (await client.get("/api/v1/me/settings", headers=jane.headers)).json()
    assert settings_now["open_profile"] is False
