"""Search over one's own messages: FTS5 on SQLite, tsvector on PostgreSQL."""

from __future__ import annotations

import httpx

from tests.conftest import assert_error
from tests.messaging.helpers import CONVERSATIONS, Cast, send, start

SEARCH = "/api/v1/search/messages"


async def found(
    client: httpx.AsyncClient, headers: dict[str, str], q: str, **params: str | int
) -> list[str]:
    r = await client.get(SEARCH, params={"q": q, **params}, headers=headers)
    assert r.status_code == 200, r.text
    return [m["text"] for m in r.json()["items"]]


async def test_search_finds_only_the_members_own_messages(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    alice, bob, carol, _ = await cast.add("alice", "bob", "carol", "dave")
    await cast.connect("alice", "bob", "carol")
    await cast.connect("carol", "dave")
    mine = (await start(client, alice, "bob", text="Quarterly planning meeting"))["conversation"][
        "id"
    ]
    await send(client, bob, mine, "Let us plan the offsite")
    await send(client, bob, mine, "Unrelated chatter about the café")
    await start(client, carol, "dave", text="Secret planning without Alice")
    group = (await start(client, alice, "bob", "carol", text="Group planning"))["conversation"][
        "id"
    ]

    assert await found(client, alice.headers, "plan") == [
        "Group planning",
        "Let us plan the offsite",
        "Quarterly planning meeting",
    ]
    assert await found(client, alice.headers, "PLANNING meet") == ["Quarterly planning meeting"]
    assert await found(client, alice.headers, "café") == ["Unrelated chatter about the café"]
    assert await found(client, alice.headers, "secret") == []
    assert await found(client, carol.headers, "secret") == ["Secret planning without Alice"]
    # Paging.
    r = await client.get(SEARCH, params={"q": "plan", "limit": 2}, headers=alice.headers)
    first = r.json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    rest = await found(client, alice.headers, "plan", cursor=first["next_cursor"])
    assert rest == ["Quarterly planning meeting"]
    # Leaving a group takes its messages out of one's search.
    assert (
        await client.post(f"{CONVERSATIONS}/{group}/leave", headers=alice.headers)
    ).status_code == 204
    assert await found(client, alice.headers, "group") == []


async def test_search_follows_edits_and_unsends(client: httpx.AsyncClient, cast: Cast) -> None:
    alice, bob = await cast.add("alice", "bob")
    await cast.connect("alice", "bob")
    cid = (await start(client, alice, "bob", text="typo in this mesage"))["conversation"]["id"]
    message = await send(client, alice, cid, "delete me later")
    first = (await client.get(f"{CONVERSATIONS}/{cid}/messages", headers=alice.headers)).json()
    typo = first["items"][-1]["id"]
    await client.patch(
        f"/api/v1/messages/{typo}", json={"text": "fixed this message"}, headers=alice.headers
    )
    assert await found(client, bob.headers, "mesage") == []
    assert await found(client, bob.headers, "message") == ["fixed this message"]
    await client.delete(f"/api/v1/messages/{message['id']}", headers=alice.headers)
    assert await found(client, bob.headers, "delete") == []


async def test_search_input_is_never_a_query_language(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    alice, _ = await cast.add("alice", "bob")
    await cast.connect("alice", "bob")
    await start(client, alice, "bob", text="near the end or not")
    for q in ('"near', "NEAR(a b)", "or OR and", "a* -b ^c", "':* & | !", "___", "   ", ""):
        r = await client.get(SEARCH, params={"q": q}, headers=alice.headers)
        assert r.status_code == 200, (q, r.text)
    assert await found(client, alice.headers, "NEAR(end") == ["near the end or not"]
    assert_error(
        await client.get(SEARCH, params={"q": "x", "cursor": "?"}, headers=alice.headers),
        422,
        "invalid_cursor",
    )
