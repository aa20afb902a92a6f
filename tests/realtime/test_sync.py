"""GET /api/v1/sync: from now, after a cursor, in pages."""

from __future__ import annotations

import httpx

from tests.conftest import assert_error
from tests.messaging.helpers import Cast, send, start

SYNC = "/api/v1/sync"


async def test_sync_without_since_starts_from_now(client: httpx.AsyncClient, cast: Cast) -> None:
    alice, bob = await cast.add("alice", "bob")
    await cast.connect("alice", "bob")
    empty = (await client.get(SYNC, headers=bob.headers)).json()
    assert empty == {"events": [], "next_cursor": "0", "has_more": False}
    cid = (await start(client, alice, "bob", text="one"))["conversation"]["id"]
    await send(client, alice, cid, "two")
    now = (await client.get(SYNC, headers=bob.headers)).json()
    assert now == {"events": [], "next_cursor": "2", "has_more": False}
    await send(client, alice, cid, "three")
    later = (
        await client.get(SYNC, params={"since": now["next_cursor"]}, headers=bob.headers)
    ).json()
    assert [e["data"]["message"]["text"] for e in later["events"]] == ["three"]
    assert later["events"][0]["cursor"] == "3" and later["next_cursor"] == "3"
    assert later["events"][0]["type"] == "message.created"
    assert later["events"][0]["data"]["conversation_id"] == cid
    caught_up = (await client.get(SYNC, params={"since": "3"}, headers=bob.headers)).json()
    assert caught_up == {"events": [], "next_cursor": "3", "has_more": False}


async def test_sync_pages_with_limit(client: httpx.AsyncClient, cast: Cast) -> None:
    alice, bob = await cast.add("alice", "bob")
    await cast.connect("alice", "bob")
    cid = (await start(client, alice, "bob", text="0"))["conversation"]["id"]
    for i in range(1, 5):
        await send(client, alice, cid, str(i))
    seen: list[str] = []
    since = "0"
    while True:
        page = (
            await client.get(SYNC, params={"since": since, "limit": 2}, headers=bob.headers)
        ).json()
        seen += [e["data"]["message"]["text"] for e in page["events"]]
        since = page["next_cursor"]
        if not page["has_more"]:
            break
    assert seen == ["0", "1", "2", "3", "4"] and since == "5"
    # Each member has their own cursors: Alice's log is hers.
    assert [
        e["cursor"]
        for e in (await client.get(SYNC, params={"since": "0"}, headers=alice.headers)).json()[
            "events"
        ]
    ] == ["1", "2", "3", "4", "5"]


async def test_sync_refusals_and_a_cursor_from_the_future(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    (alice,) = await cast.add("alice")
    for bad in ("abc", "-1", "1.5", "9" * 19):
        assert_error(
            await client.get(SYNC, params={"since": bad}, headers=alice.headers),
            422,
            "invalid_cursor",
        )
    for limit in (0, 1001):
        assert_error(
            await client.get(SYNC, params={"limit": limit}, headers=alice.headers),
            422,
            "invalid_input",
        )
    assert (
        await client.get(SYNC, params={"limit": 1000}, headers=alice.headers)
    ).status_code == 200
    assert_error(await client.get(SYNC), 401, "not_signed_in")
    # A cursor beyond the member's position (a restored database) resets to the position.
    future = (await client.get(SYNC, params={"since": "500"}, headers=alice.headers)).json()
    assert future == {"events": [], "next_cursor": "0", "has_more": False}
