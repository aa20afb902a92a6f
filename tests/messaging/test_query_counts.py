"""Query-count guards: list pages cost the same number of statements at 5 items as at 20, and a
send stays a handful of statements (it is latency-budgeted)."""

from __future__ import annotations

import httpx

from inroad.services import Services
from tests.messaging.helpers import (
    CONVERSATIONS,
    Cast,
    QueryCounter,
    bulk_connections,
    client_id,
    send,
    start,
)


async def statements(queries: QueryCounter, request: object) -> int:
    with queries.counting():
        response = await request  # type: ignore[misc]
    assert response.status_code in (200, 201), response.text
    return queries.count


async def test_inbox_page_costs_the_same_at_5_and_20_conversations(
    client: httpx.AsyncClient, cast: Cast, services: Services, queries: QueryCounter
) -> None:
    alice, _, _ = await cast.add("alice", "bob", "carol")
    await cast.connect("alice", "bob", "carol")
    peers = await bulk_connections(services, "alice", 20, "peer")

    async def make(i: int) -> None:
        if i % 2:
            conv = await start(client, alice, peers[i], "bob", "carol", text=f"group {i}")
        else:
            conv = await start(client, alice, peers[i], text=f"direct {i}")
        mid = conv["message"]["id"]
        await client.post(
            f"/api/v1/messages/{mid}/reactions", json={"emoji": "👍"}, headers=alice.headers
        )

    for i in range(5):
        await make(i)
    five = await statements(queries, client.get(CONVERSATIONS, headers=alice.headers))
    for i in range(5, 20):
        await make(i)
    r = await client.get(CONVERSATIONS, headers=alice.headers)
    assert len(r.json()["items"]) == 20
    twenty = await statements(queries, client.get(CONVERSATIONS, headers=alice.headers))
    assert twenty == five, queries.statements


async def test_messages_page_costs_the_same_at_5_and_20_messages(
    client: httpx.AsyncClient, cast: Cast, queries: QueryCounter
) -> None:
    alice, bob, carol = await cast.add("alice", "bob", "carol")
    await cast.connect("alice", "bob", "carol")
    cid = (await start(client, alice, "bob", "carol", text="0"))["conversation"]["id"]

    async def burst(n: int) -> None:
        for i in range(n):
            sender = (alice, bob, carol)[i % 3]
            upload = await client.post(
                "/api/v1/uploads",
                files={"file": ("f.txt", b"x", "text/plain")},
                headers=sender.headers,
            )
            message = await send(client, sender, cid, f"m{i}", attachments=[upload.json()["id"]])
            await client.post(
                f"/api/v1/messages/{message['id']}/reactions",
                json={"emoji": "🎉"},
                headers=alice.headers,
            )

    url = f"{CONVERSATIONS}/{cid}/messages"
    await burst(4)
    five = await statements(queries, client.get(url, headers=bob.headers))
    await burst(15)
    twenty = await statements(queries, client.get(url, headers=bob.headers))
    assert twenty == five, queries.statements


async def test_sync_costs_the_same_at_5_and_20_events(
    client: httpx.AsyncClient, cast: Cast, queries: QueryCounter
) -> None:
    alice, bob = await cast.add("alice", "bob")
    await cast.connect("alice", "bob")
    cid = (await start(client, alice, "bob", text="0"))["conversation"]["id"]
    for i in range(4):
        await send(client, alice, cid, str(i))
    five = await statements(
        queries, client.get("/api/v1/sync", params={"since": "0"}, headers=bob.headers)
    )
    for i in range(15):
        await send(client, alice, cid, str(i))
    r = await client.get("/api/v1/sync", params={"since": "0"}, headers=bob.headers)
    assert len(r.json()["events"]) == 20
    twenty = await statements(
        queries, client.get("/api/v1/sync", params={"since": "0"}, headers=bob.headers)
    )
    assert twenty == five, queries.statements


async def test_search_costs_the_same_at_5_and_20_results(
    client: httpx.AsyncClient, cast: Cast, queries: QueryCounter
) -> None:
    alice, bob = await cast.add("alice", "bob")
    await cast.connect("alice", "bob")
    cid = (await start(client, alice, "bob", text="needle 0"))["conversation"]["id"]
    for i in range(4):
        await send(client, bob, cid, f"needle {i}")
    params = {"q": "needle"}
    five = await statements(
        queries, client.get("/api/v1/search/messages", params=params, headers=alice.headers)
    )
    for i in range(15):
        await send(client, bob, cid, f"needle {i}")
    twenty = await statements(
        queries, client.get("/api/v1/search/messages", params=params, headers=alice.headers)
    )
    assert twenty == five, queries.statements


async def test_a_send_is_a_handful_of_statements(
    client: httpx.AsyncClient, cast: Cast, queries: QueryCounter
) -> None:
    alice, _, _ = await cast.add("alice", "bob", "carol")
    await cast.connect("alice", "bob", "carol")
    cid = (await start(client, alice, "bob", "carol"))["conversation"]["id"]
    body = {"text": "hot path", "client_id": client_id()}
    count = await statements(
        queries,
        client.post(f"{CONVERSATIONS}/{cid}/messages", json=body, headers=alice.headers),
    )
    # Token lookup; authorise+rate; insert; update members RETURNING; counters; events
    # (+ BEGIN on SQLite, where SQLAlchemy's begin hook issues it as a statement).
    writes = [s for s in queries.statements if not s.startswith(("BEGIN", "SELECT"))]
    assert len(writes) == 4, queries.statements
    assert count <= 8, queries.statements
