"""The event log: cursors per member are gap-free and increasing under concurrent writers,
written in the change's transaction (a rolled-back change leaves no event), and published only
after commit."""

from __future__ import annotations

import asyncio

import httpx
import pytest
import sqlalchemy as sa

from inroad.realtime.outbox import transaction
from inroad.realtime.tables import events
from inroad.services import Services
from tests.factories import member_id
from tests.messaging.helpers import Cast, send, start, sync_events


async def test_concurrent_sends_give_every_member_gap_free_cursors(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    alice, bob, carol = await cast.add("alice", "bob", "carol")
    await cast.connect("alice", "bob", "carol")
    await cast.connect("bob", "carol")
    group = (await start(client, alice, "bob", "carol", text="go"))["conversation"]["id"]
    direct = (await start(client, bob, "carol", text="psst"))["conversation"]["id"]
    senders = [(alice, group), (bob, group), (carol, group), (bob, direct), (carol, direct)] * 6
    await asyncio.gather(*(send(client, who, cid, f"{i}") for i, (who, cid) in enumerate(senders)))
    for persona, expected in ((alice, 1 + 18), (bob, 2 + 30), (carol, 2 + 30)):
        log = await sync_events(client, persona)
        assert [int(e["cursor"]) for e in log] == list(range(1, expected + 1))


async def test_a_rolled_back_change_leaves_no_event_and_publishes_nothing(
    client: httpx.AsyncClient, cast: Cast, services: Services
) -> None:
    (alice,) = await cast.add("alice")
    me = await member_id(services, "alice")
    async with services.bus.subscribe(me) as live:
        with pytest.raises(RuntimeError):
            async with transaction(services) as tx:
                tx.outbox.add([me], "conversation.updated", {"conversation_id": "1"})
                raise RuntimeError("the change failed")
        async with transaction(services) as tx:
            tx.outbox.add([me, me], "conversation.updated", {"conversation_id": "2"})
        published = [await anext(live), await anext(live)]
    assert [e.cursor for e in published] == [1, 2]
    async with services.db.read() as conn:
        stored = (await conn.execute(sa.select(events.c.cursor, events.c.data))).all()
    assert stored == [(1, '{"conversation_id":"2"}'), (2, '{"conversation_id":"2"}')]
    assert [e["cursor"] for e in await sync_events(client, alice)] == ["1", "2"]


async def test_many_concurrent_sends_into_one_group_all_succeed(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    people_ = await cast.add("alice", "bob", "carol", "dave", "erin")
    await cast.connect("alice", "bob", "carol", "dave", "erin")
    cid = (await start(client, people_[0], "bob", "carol", "dave", "erin"))["conversation"]["id"]
    for _ in range(3):
        await asyncio.gather(*(send(client, people_[i % 5], cid, f"{i}") for i in range(40)))
    log = await sync_events(client, people_[4])
    assert [int(e["cursor"]) for e in log] == list(range(1, 122))
