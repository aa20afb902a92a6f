"""Sending: text limits, verbatim storage, idempotency (retries, races, restarts, other
workers), the rolling-minute limit, and who may post where."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import sqlalchemy as sa
from asgi_lifespan import LifespanManager

from inroad.app import create_app
from inroad.clock import FrozenClock
from inroad.messaging.tables import messages
from inroad.network.tables import connections
from inroad.services import Services
from inroad.settings import Settings
from tests.conftest import FAST_HASHER, assert_error
from tests.factories import block, member_id
from tests.messaging.helpers import (
    CONVERSATIONS,
    Cast,
    client_id,
    conversation,
    of_type,
    send,
    start,
    sync_events,
)


async def message_count(services: Services) -> int:
    async with services.db.read() as conn:
        return int(
            (await conn.execute(sa.select(sa.func.count()).select_from(messages))).scalar_one()
        )


async def post(
    client: httpx.AsyncClient, headers: dict[str, str], cid: str, **body: object
) -> httpx.Response:
    return await client.post(f"{CONVERSATIONS}/{cid}/messages", json=body, headers=headers)


async def test_text_limit_is_8000_code_points(client: httpx.AsyncClient, cast: Cast) -> None:
    alice, _ = await cast.add("alice", "bob")
    await cast.connect("alice", "bob")
    cid = (await start(client, alice, "bob"))["conversation"]["id"]
    r = await post(client, alice.headers, cid, text="a" * 8000, client_id=client_id())
    assert r.status_code == 201 and len(r.json()["text"]) == 8000
    # Code points, not bytes or UTF-16 units: 8,000 astral emoji fit.
    r = await post(client, alice.headers, cid, text="😀" * 8000, client_id=client_id())
    assert r.status_code == 201
    error = assert_error(
        await post(client, alice.headers, cid, text="a" * 8001, client_id=client_id()),
        422,
        "text_too_long",
    )
    assert error["limit"] == 8000
    assert_error(
        await post(client, alice.headers, cid, text="😀" * 8001, client_id=client_id()),
        422,
        "text_too_long",
    )
    r = await client.post(
        CONVERSATIONS,
        json={"participants": ["bob"], "text": "a" * 8001, "client_id": client_id()},
        headers=alice.headers,
    )
    assert_error(r, 422, "text_too_long")
    assert_error(
        await post(client, alice.headers, cid, text=" \n ", client_id=client_id()),
        422,
        "empty_message",
    )
    assert_error(
        await post(client, alice.headers, cid, text="a\x00b", client_id=client_id()),
        422,
        "invalid_input",
    )
    assert_error(
        await post(client, alice.headers, cid, text="hi", client_id=""), 422, "invalid_input"
    )
    assert_error(
        await post(client, alice.headers, cid, text="hi", client_id="x" * 101), 422, "invalid_input"
    )
    assert (
        await post(client, alice.headers, cid, text="hi", client_id="x" * 100)
    ).status_code == 201
    assert_error(await post(client, alice.headers, cid, text="hi"), 422, "missing_field")
    assert_error(
        await post(client, alice.headers, cid, text=5, client_id=client_id()), 422, "invalid_input"
    )


async def test_text_is_stored_and_returned_verbatim(client: httpx.AsyncClient, cast: Cast) -> None:
    alice, bob = await cast.add("alice", "bob")
    await cast.connect("alice", "bob")
    cid = (await start(client, alice, "bob"))["conversation"]["id"]
    text = "  <script>alert('x')</script> & <b>bold</b>\n\tsee https://example.com/?a=1&b=2  "
    sent = await send(client, alice, cid, text)
    assert sent["text"] == text
    page = (await client.get(f"{CONVERSATIONS}/{cid}/messages", headers=bob.headers)).json()
    assert page["items"][0]["text"] == text
    created = of_type(await sync_events(client, bob), "message.created")
    assert created[-1]["data"]["message"]["text"] == text


async def test_a_retry_returns_the_original_message(
    client: httpx.AsyncClient, cast: Cast, services: Services
) -> None:
    alice, bob = await cast.add("alice", "bob")
    await cast.connect("alice", "bob")
    cid = (await start(client, alice, "bob"))["conversation"]["id"]
    body = {"text": "Only once", "client_id": "double-click-1"}
    first = await post(client, alice.headers, cid, **body)
    second = await post(client, alice.headers, cid, **body)
    assert first.status_code == 201 and second.status_code == 200
    assert second.json() == first.json()
    assert await message_count(services) == 2
    assert len(of_type(await sync_events(client, bob), "message.created")) == 2
    assert (await conversation(client, bob, cid))["unread_count"] == 2
    # The same client_id from another sender is a different message.
    other = await post(client, bob.headers, cid, **body)
    assert other.status_code == 201 and other.json()["id"] != first.json()["id"]


async def test_concurrent_sends_with_one_client_id_make_one_message(
    client: httpx.AsyncClient, cast: Cast, services: Services
) -> None:
    alice, bob = await cast.add("alice", "bob")
    await cast.connect("alice", "bob")
    cid = (await start(client, alice, "bob"))["conversation"]["id"]
    for round_ in range(3):
        body = {"text": f"race {round_}", "client_id": f"race-{round_}"}
        replies = await asyncio.gather(
            *(post(client, alice.headers, cid, **body) for _ in range(4))
        )
        statuses = sorted(r.status_code for r in replies)
        assert statuses == [200, 200, 200, 201], [r.text for r in replies]
        assert len({r.json()["id"] for r in replies}) == 1
    assert await message_count(services) == 4
    assert len(of_type(await sync_events(client, bob), "message.created")) == 4


async def test_concurrent_conversation_starts_with_one_client_id(
    client: httpx.AsyncClient, cast: Cast, services: Services
) -> None:
    alice, _, _ = await cast.add("alice", "bob", "carol")
    await cast.connect("alice", "bob", "carol")
    body = {"participants": ["bob", "carol"], "text": "Group hello", "client_id": "new-group-1"}
    replies = await asyncio.gather(
        *(client.post(CONVERSATIONS, json=body, headers=alice.headers) for _ in range(4))
    )
    assert sorted(r.status_code for r in replies) == [200, 200, 200, 201], [r.text for r in replies]
    assert len({r.json()["conversation"]["id"] for r in replies}) == 1
    assert len({r.json()["message"]["id"] for r in replies}) == 1
    assert await message_count(services) == 1
    again = await client.post(CONVERSATIONS, json=body, headers=alice.headers)
    assert again.status_code == 200
    assert again.json()["message"] == replies[0].json()["message"]


@asynccontextmanager
async def another_worker(
    settings: Settings, clock: FrozenClock
) -> AsyncIterator[httpx.AsyncClient]:
    """A second app on the same database: another worker process, or this one after a restart."""
    app = create_app(settings, clock=clock)
    app.state.services.hasher = FAST_HASHER
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http


async def test_retries_across_restarts_and_workers(
    client: httpx.AsyncClient,
    cast: Cast,
    services: Services,
    settings: Settings,
    clock: FrozenClock,
) -> None:
    alice, _ = await cast.add("alice", "bob")
    await cast.connect("alice", "bob")
    cid = (await start(client, alice, "bob"))["conversation"]["id"]
    body = {"text": "Survives restarts", "client_id": "restart-1"}
    first = await post(client, alice.headers, cid, **body)
    async with another_worker(settings, clock) as restarted:
        retry = await post(restarted, alice.headers, cid, **body)
        assert retry.status_code == 200 and retry.json()["id"] == first.json()["id"]
        # Two workers racing on one client_id still make one message.
        race = {"text": "Two workers", "client_id": "workers-1"}
        replies = await asyncio.gather(
            post(client, alice.headers, cid, **race),
            post(restarted, alice.headers, cid, **race),
            post(client, alice.headers, cid, **race),
            post(restarted, alice.headers, cid, **race),
        )
        assert sorted(r.status_code for r in replies) == [200, 200, 200, 201]
        assert len({r.json()["id"] for r in replies}) == 1
    assert await message_count(services) == 3


async def test_rolling_minute_limit(
    client: httpx.AsyncClient, cast: Cast, services: Services, clock: FrozenClock
) -> None:
    alice, bob, _ = await cast.add("alice", "bob", "carol")
    await cast.connect("alice", "bob", "carol")
    assert services.settings.send_limit_per_minute == 120
    # The first message of a conversation counts.
    cid = (await start(client, alice, "bob", text="1"))["conversation"]["id"]
    clock.advance(seconds=1)
    known = await post(client, alice.headers, cid, text="2", client_id="known")
    for i in range(3, 121):
        await send(client, alice, cid, str(i))
    clock.advance(seconds=58)
    limited = await post(client, alice.headers, cid, text="121", client_id=client_id())
    assert_error(limited, 429, "too_many_messages")
    assert limited.headers["Retry-After"] == "2"
    r = await client.post(
        CONVERSATIONS,
        json={"participants": ["carol"], "text": "new", "client_id": client_id()},
        headers=alice.headers,
    )
    assert_error(r, 429, "too_many_messages")
    # A retry of a message that went through is still answered.
    retry = await post(client, alice.headers, cid, text="2", client_id="known")
    assert retry.status_code == 200 and retry.json() == known.json()
    # Bob has his own budget.
    await send(client, bob, cid, "I can talk")
    clock.advance(seconds=1)  # the first message is now exactly a minute old
    await send(client, alice, cid, "121")
    assert_error(
        await post(client, alice.headers, cid, text="122", client_id=client_id()),
        429,
        "too_many_messages",
    )
    services.settings = services.settings.with_(send_limit_per_minute=0)
    for i in range(3):
        await send(client, alice, cid, f"unlimited {i}")


async def test_a_retry_is_answered_even_when_the_send_would_now_be_refused(
    client: httpx.AsyncClient, cast: Cast, services: Services
) -> None:
    alice, _ = await cast.add("alice", "bob")
    await cast.connect("alice", "bob")
    cid = (await start(client, alice, "bob"))["conversation"]["id"]
    body = {"text": "sent before the block", "client_id": "before-block"}
    first = await post(client, alice.headers, cid, **body)
    services.settings = services.settings.with_(send_limit_per_minute=2)
    retry = await post(client, alice.headers, cid, **body)
    assert retry.status_code == 200 and retry.json()["id"] == first.json()["id"]
    await block(services, "bob", "alice")
    retry = await post(client, alice.headers, cid, **body)
    assert retry.status_code == 200 and retry.json()["id"] == first.json()["id"]
    start_body = {"participants": ["bob"], "text": "x", "client_id": "before-block"}
    replay = await client.post(CONVERSATIONS, json=start_body, headers=alice.headers)
    assert replay.status_code == 200 and replay.json()["message"]["id"] == first.json()["id"]


async def test_a_block_closes_a_direct_conversation_both_ways(
    client: httpx.AsyncClient, cast: Cast, services: Services
) -> None:
    alice, bob = await cast.add("alice", "bob")
    await cast.connect("alice", "bob")
    cid = (await start(client, alice, "bob", text="before"))["conversation"]["id"]
    await block(services, "bob", "alice")
    for sender in (alice, bob):
        assert_error(
            await post(client, sender.headers, cid, text="x", client_id=client_id()),
            403,
            "conversation_closed",
        )
        page = (await client.get(f"{CONVERSATIONS}/{cid}/messages", headers=sender.headers)).json()
        assert [m["text"] for m in page["items"]] == ["before"]


async def test_direct_messages_need_a_connection(
    client: httpx.AsyncClient, cast: Cast, services: Services
) -> None:
    alice, bob = await cast.add("alice", "bob")
    await cast.connect("alice", "bob")
    cid = (await start(client, alice, "bob"))["conversation"]["id"]
    a, b = await member_id(services, "alice"), await member_id(services, "bob")
    async with services.db.write() as conn:
        await conn.execute(connections.delete().where(connections.c.member_id.in_([a, b])))
    refused = assert_error(
        await post(client, bob.headers, cid, text="x", client_id=client_id()), 403, "not_connected"
    )
    assert refused["handles"] == ["alice"]


async def test_a_deleted_members_messages_stay_as_former_member(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    alice, bob, carol = await cast.add("alice", "bob", "carol")
    await cast.connect("alice", "bob", "carol")
    direct = (await start(client, alice, "bob", text="from alice"))["conversation"]["id"]
    group = (await start(client, alice, "bob", "carol", text="group"))["conversation"]["id"]
    r = await client.request(
        "DELETE", "/api/v1/me", json={"password": alice.password}, headers=alice.headers
    )
    assert r.status_code == 204
    page = (await client.get(f"{CONVERSATIONS}/{direct}/messages", headers=bob.headers)).json()
    assert page["items"][0]["text"] == "from alice"
    assert page["items"][0]["sender"]["name"] == "Former member"
    assert page["items"][0]["sender"]["handle"] is None
    assert_error(
        await post(client, bob.headers, direct, text="hello?", client_id=client_id()),
        403,
        "conversation_closed",
    )
    await send(client, carol, group, "the group goes on")
    names = [p["name"] for p in (await conversation(client, bob, group))["participants"]]
    assert names == ["Former member", "Bob", "Carol"]


async def test_sender_and_recipients_state_after_a_send(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    alice, bob, carol = await cast.add("alice", "bob", "carol")
    await cast.connect("alice", "bob", "carol")
    cid = (await start(client, alice, "bob", "carol", text="one"))["conversation"]["id"]
    await send(client, alice, cid, "two")
    await send(client, bob, cid, "three")
    assert (await conversation(client, alice, cid))["unread_count"] == 1
    assert (await conversation(client, bob, cid))["unread_count"] == 0
    carol_view = await conversation(client, carol, cid)
    assert carol_view["unread_count"] == 3 and carol_view["last_message"]["text"] == "three"
    for persona in (alice, bob, carol):
        texts = [
            e["data"]["message"]["text"]
            for e in of_type(await sync_events(client, persona), "message.created")
        ]
        assert texts == ["one", "two", "three"]
