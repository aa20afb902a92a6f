"""Connections: the list (newest first, paginated, searchable by name), removal, counts."""

from __future__ import annotations

import httpx

from inroad.clock import FrozenClock
from inroad.services import Services
from tests.conftest import People, assert_error
from tests.factories import connect
from tests.network.helpers import connection_count, invite

CONNECTIONS = "/api/v1/connections"


async def test_list_newest_first_with_pages_and_mutual_counts(
    client: httpx.AsyncClient, people: People, services: Services, clock: FrozenClock
) -> None:
    me = await people.make("Me Myself")
    names = ["Alice Smith", "Bob Jones", "Carol Smithers", "Dan Brown"]
    others = [await people.make(n) for n in names]
    for other in others:
        await connect(services, me.handle, other.handle)
        clock.advance(minutes=1)
    # Alice and Bob know each other: each is a mutual connection of the other, seen from me.
    await connect(services, others[0].handle, others[1].handle)
    r = await client.get(CONNECTIONS, params={"limit": 3}, headers=me.headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert [i["member"]["name"] for i in body["items"]] == [
        "Dan Brown",
        "Carol Smithers",
        "Bob Jones",
    ]
    assert all(i["member"]["degree"] == 1 for i in body["items"])
    assert body["items"][2]["member"]["mutual_connections"] == 1
    assert body["items"][0]["connected_at"].endswith("Z")
    rest = (
        await client.get(
            CONNECTIONS, params={"limit": 3, "cursor": body["next_cursor"]}, headers=me.headers
        )
    ).json()
    assert [i["member"]["name"] for i in rest["items"]] == ["Alice Smith"]
    assert rest["next_cursor"] is None


async def test_search_by_name(
    client: httpx.AsyncClient, people: People, services: Services
) -> None:
    me = await people.make("Me")
    for name in ("Alice Smith", "Bob Jones", "Carol Smithers", "Ann 100% Real"):
        await connect(services, me.handle, (await people.make(name)).handle)
    stranger = await people.make("Sam Smith")
    found = (await client.get(CONNECTIONS, params={"q": "SMITH"}, headers=me.headers)).json()[
        "items"
    ]
    assert sorted(i["member"]["name"] for i in found) == ["Alice Smith", "Carol Smithers"]
    assert stranger.handle not in [i["member"]["handle"] for i in found]
    # LIKE wildcards in the query are taken literally.
    found = (await client.get(CONNECTIONS, params={"q": "%"}, headers=me.headers)).json()["items"]
    assert [i["member"]["name"] for i in found] == ["Ann 100% Real"]
    found = (await client.get(CONNECTIONS, params={"q": "_"}, headers=me.headers)).json()["items"]
    assert found == []
    assert_error(
        await client.get(CONNECTIONS, params={"q": "x" * 201}, headers=me.headers),
        422,
        "field_too_long",
    )


async def test_remove_is_silent_and_keeps_counts(
    client: httpx.AsyncClient, people: People, services: Services
) -> None:
    me, you, other = await people.make("Me"), await people.make("You"), await people.make("Other")
    await connect(services, me.handle, you.handle)
    await connect(services, you.handle, other.handle)
    r = await client.delete(f"{CONNECTIONS}/{you.handle}", headers=me.headers)
    assert r.status_code == 204 and r.content == b""
    assert await connection_count(services, me.handle) == 0
    assert await connection_count(services, you.handle) == 1
    assert (await client.get(CONNECTIONS, headers=you.headers)).json()["items"][0]["member"][
        "handle"
    ] == other.handle
    assert_error(
        await client.delete(f"{CONNECTIONS}/{you.handle}", headers=me.headers), 404, "not_found"
    )
    assert_error(
        await client.delete(f"{CONNECTIONS}/no-such-member", headers=me.headers), 404, "not_found"
    )
    # Nothing stops them from connecting again.
    r = await invite(client, me, you.handle)
    assert r.status_code == 201, r.text


async def test_list_uses_a_fixed_number_of_statements(
    client: httpx.AsyncClient, people: People, services: Services
) -> None:
    import sqlalchemy as sa

    me = await people.make("Me")
    for i in range(3):
        await connect(services, me.handle, (await people.make(f"Friend {i}")).handle)

    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    engine = services.db.read_engine.sync_engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        await client.get(CONNECTIONS, headers=me.headers)
        small = len(statements)
        for i in range(12):
            await connect(services, me.handle, (await people.make(f"More {i}")).handle)
        statements.clear()
        await client.get(CONNECTIONS, headers=me.headers)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert len(statements) == small
