"""Viewing profiles and mutual connections: degrees, visibility, blocks, deletion, pagination."""

from __future__ import annotations

import httpx

from inroad.services import Services
from tests.conftest import People, assert_error
from tests.factories import block, connect


async def test_own_profile_has_no_degree_and_shows_postal_code(
    client: httpx.AsyncClient, people: People
) -> None:
    jane = await people.make("Jane Doe")
    await client.patch(
        "/api/v1/me/profile", json={"postal_code": "4000-123", "about": "Hi"}, headers=jane.headers
    )
    r = await client.get(f"/api/v1/members/{jane.handle}", headers=jane.headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert "degree" not in body and "mutual_connections" not in body
    assert body["postal_code"] == "4000-123" and body["about"] == "Hi" and body["is_me"] is True
    assert set(body) >= {
        "handle",
        "name",
        "headline",
        "photo_url",
        "location",
        "industry",
        "strength_level",
        "about",
        "postal_code",
        "interests",
        "open_to_work",
        "positions",
        "education",
        "skills",
        "strength",
    }
    assert (await client.get("/api/v1/me/profile", headers=jane.headers)).json() == body


async def test_degrees_and_mutuals_as_another_member_sees_them(
    client: httpx.AsyncClient, people: People, services: Services
) -> None:
    me, friend, fof, far, farther = [
        await people.make(n) for n in ("Me", "Friend", "Fof", "Far", "Farther")
    ]
    other_friend = await people.make("Other Friend")
    await connect(services, me.handle, friend.handle)
    await connect(services, me.handle, other_friend.handle)
    await connect(services, friend.handle, fof.handle)
    await connect(services, other_friend.handle, fof.handle)
    await connect(services, fof.handle, far.handle)
    await connect(services, far.handle, farther.handle)

    async def seen(handle: str) -> dict[str, object]:
        r = await client.get(f"/api/v1/members/{handle}", headers=me.headers)
        assert r.status_code == 200, r.text
        body: dict[str, object] = r.json()
        return body

    assert (
        (await seen(friend.handle))["degree"],
        (await seen(friend.handle))["mutual_connections"],
    ) == (1, 0)
    fof_view = await seen(fof.handle)
    assert (fof_view["degree"], fof_view["mutual_connections"], fof_view["postal_code"]) == (
        2,
        2,
        None,
    )
    assert (fof_view["is_me"]) is False
    assert ((await seen(far.handle))["degree"], (await seen(far.handle))["mutual_connections"]) == (
        3,
        0,
    )
    assert (await seen(farther.handle))["degree"] is None

    r = await client.get(f"/api/v1/members/{fof.handle}/mutual-connections", headers=me.headers)
    assert r.status_code == 200
    items = r.json()["items"]
    # Oldest member first.
    assert [m["handle"] for m in items] == [friend.handle, other_friend.handle]
    assert all(m["degree"] == 1 for m in items)
    assert [m["mutual_connections"] for m in items] == [0, 0]
    await connect(services, friend.handle, other_friend.handle)
    r = await client.get(f"/api/v1/members/{fof.handle}/mutual-connections", headers=me.headers)
    assert [m["mutual_connections"] for m in r.json()["items"]] == [1, 1]
    assert r.json()["next_cursor"] is None


async def test_mutual_connections_paginate(
    client: httpx.AsyncClient, people: People, services: Services
) -> None:
    me, target = await people.make("Me"), await people.make("Target")
    shared = [await people.make(f"Shared {chr(65 + i)}") for i in range(5)]
    for person in shared:
        await connect(services, me.handle, person.handle)
        await connect(services, target.handle, person.handle)
    handles: list[str] = []
    cursor = None
    for _ in range(3):
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        r = await client.get(
            f"/api/v1/members/{target.handle}/mutual-connections", params=params, headers=me.headers
        )
        assert r.status_code == 200, r.text
        handles += [m["handle"] for m in r.json()["items"]]
        cursor = r.json()["next_cursor"]
    assert handles == [p.handle for p in shared] and cursor is None
    url = f"/api/v1/members/{target.handle}/mutual-connections"
    for bad in ({"limit": 0}, {"limit": 101}):
        assert_error(await client.get(url, params=bad, headers=me.headers), 422, "invalid_limit")
    assert (await client.get(url, params={"limit": 100}, headers=me.headers)).status_code == 200
    assert_error(
        await client.get(url, params={"limit": "x"}, headers=me.headers), 422, "invalid_input"
    )
    assert_error(
        await client.get(url, params={"cursor": "garbage!"}, headers=me.headers),
        422,
        "invalid_cursor",
    )
    assert_error(
        await client.get(url, params={"cursor": "WzEsMiwzXQ"}, headers=me.headers),
        422,
        "invalid_cursor",
    )
    r = await client.get(f"/api/v1/members/{me.handle}/mutual-connections", headers=me.headers)
    assert r.json() == {"items": [], "next_cursor": None}


async def test_blocked_missing_and_deleted_profiles_are_not_found(
    client: httpx.AsyncClient, people: People, services: Services
) -> None:
    me, blocker, blocked, gone = [
        await people.make(n) for n in ("Me", "Blocker", "Blocked", "Gone")
    ]
    await block(services, blocker.handle, me.handle)
    await block(services, me.handle, blocked.handle)
    for handle in (blocker.handle, blocked.handle, "no-such-member", "x" * 300):
        assert_error(
            await client.get(f"/api/v1/members/{handle}", headers=me.headers), 404, "not_found"
        )
        assert_error(
            await client.get(f"/api/v1/members/{handle}/mutual-connections", headers=me.headers),
            404,
            "not_found",
        )
    # A third party still sees both.
    third = await people.make("Third")
    assert (
        await client.get(f"/api/v1/members/{blocker.handle}", headers=third.headers)
    ).status_code == 200
    r = await client.request(
        "DELETE", "/api/v1/me", json={"password": gone.password}, headers=gone.headers
    )
    assert r.status_code == 204
    assert_error(
        await client.get(f"/api/v1/members/{gone.handle}", headers=me.headers), 404, "not_found"
    )
    assert_error(await client.get(f"/api/v1/members/{me.handle}"), 401, "not_signed_in")
