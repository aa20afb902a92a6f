"""Blocks: mutual, silent, immediate; and unblocking."""

from __future__ import annotations

import httpx

from inroad.services import Services
from tests.conftest import People, Persona, assert_error
from tests.factories import connect
from tests.network.helpers import INVITATIONS, connection_count, invitation_id, invite

BLOCKS = "/api/v1/blocks"


async def search(client: httpx.AsyncClient, viewer: Persona, q: str) -> list[str]:
    r = await client.get("/api/v1/search/members", params={"q": q}, headers=viewer.headers)
    assert r.status_code == 200, r.text
    return [m["handle"] for m in r.json()["items"]]


async def test_block_hides_both_ways_and_removes_the_connection(
    client: httpx.AsyncClient, people: People, services: Services
) -> None:
    ana = await people.make("Ana Blocker")
    bo = await people.make("Bo Blocked")
    friend = await people.make("Fay Friend")
    await connect(services, ana.handle, bo.handle)
    await connect(services, ana.handle, friend.handle)
    await connect(services, bo.handle, friend.handle)
    assert (
        await client.get(f"/api/v1/members/{bo.handle}", headers=ana.headers)
    ).status_code == 200
    assert bo.handle in await search(client, ana, "Bo")

    r = await client.post(BLOCKS, json={"handle": bo.handle}, headers=ana.headers)
    assert r.status_code == 201, r.text
    assert await connection_count(services, ana.handle) == 1
    assert await connection_count(services, bo.handle) == 1
    for viewer, other in ((ana, bo), (bo, ana)):
        assert_error(
            await client.get(f"/api/v1/members/{other.handle}", headers=viewer.headers),
            404,
            "not_found",
        )
        assert other.handle not in await search(client, viewer, other.handle.split("-")[0])
        assert_error(await invite(client, viewer, other.handle), 404, "not_found")
        suggested = (
            await client.get("/api/v1/network/suggestions", headers=viewer.headers)
        ).json()["items"]
        assert other.handle not in [s["member"]["handle"] for s in suggested]
    # The blocked member is told nothing: their own view of the world just lacks Ana.
    assert (await client.get("/api/v1/connections", headers=bo.headers)).json()["items"][0][
        "member"
    ]["handle"] == friend.handle
    listed = (await client.get(BLOCKS, headers=ana.headers)).json()["items"]
    assert [b["member"]["handle"] for b in listed] == [bo.handle]
    assert (await client.get(BLOCKS, headers=bo.headers)).json()["items"] == []


async def test_block_drops_open_invitations_both_ways(
    client: httpx.AsyncClient, people: People, services: Services
) -> None:
    ana, bo, cy = await people.make("Ana"), await people.make("Bo"), await people.make("Cy")
    to_bo = await invitation_id(client, ana, bo.handle)
    from_cy = await invitation_id(client, cy, ana.handle)
    assert (
        await client.post(BLOCKS, json={"handle": bo.handle}, headers=ana.headers)
    ).status_code == 201
    assert (
        await client.post(BLOCKS, json={"handle": cy.handle}, headers=ana.headers)
    ).status_code == 201
    assert (await client.get(INVITATIONS, headers=bo.headers)).json()["items"] == []
    assert (await client.get(INVITATIONS, params={"direction": "sent"}, headers=cy.headers)).json()[
        "items"
    ] == []
    assert_error(
        await client.post(f"{INVITATIONS}/{to_bo}/accept", headers=bo.headers), 404, "not_found"
    )
    assert_error(
        await client.post(f"{INVITATIONS}/{from_cy}/accept", headers=ana.headers), 404, "not_found"
    )


async def test_unblock_restores_visibility_not_the_connection(
    client: httpx.AsyncClient, people: People, services: Services
) -> None:
    ana, bo = await people.make("Ana"), await people.make("Bo")
    await connect(services, ana.handle, bo.handle)
    await client.post(BLOCKS, json={"handle": bo.handle}, headers=ana.headers)
    # Blocking twice is harmless; the blocked member cannot block back (Ana is hidden from Bo).
    assert (
        await client.post(BLOCKS, json={"handle": bo.handle}, headers=ana.headers)
    ).status_code == 201
    assert_error(
        await client.post(BLOCKS, json={"handle": ana.handle}, headers=bo.headers), 404, "not_found"
    )
    assert_error(
        await client.delete(f"{BLOCKS}/{ana.handle}", headers=bo.headers), 404, "not_found"
    )
    r = await client.delete(f"{BLOCKS}/{bo.handle}", headers=ana.headers)
    assert r.status_code == 204
    for viewer, other in ((ana, bo), (bo, ana)):
        profile = await client.get(f"/api/v1/members/{other.handle}", headers=viewer.headers)
        assert profile.status_code == 200
        assert profile.json()["degree"] is None
    assert await connection_count(services, ana.handle) == 0
    assert (await invite(client, bo, ana.handle)).status_code == 201
    assert_error(
        await client.delete(f"{BLOCKS}/{bo.handle}", headers=ana.headers), 404, "not_found"
    )


async def test_block_errors(client: httpx.AsyncClient, people: People) -> None:
    ana = await people.make("Ana")
    assert_error(
        await client.post(BLOCKS, json={"handle": ana.handle}, headers=ana.headers),
        422,
        "cannot_block_self",
    )
    assert_error(
        await client.post(BLOCKS, json={"handle": "nobody-at-all"}, headers=ana.headers),
        404,
        "not_found",
    )
    assert (await client.post(BLOCKS, json={}, headers=ana.headers)).status_code == 422


async def test_a_rejection_survives_block_and_unblock(
    client: httpx.AsyncClient, people: People
) -> None:
    ana, bo = await people.make("Ana"), await people.make("Bo")
    iid = await invitation_id(client, ana, bo.handle)
    await client.post(f"{INVITATIONS}/{iid}/reject", headers=bo.headers)
    await client.post(BLOCKS, json={"handle": ana.handle}, headers=bo.headers)
    await client.delete(f"{BLOCKS}/{ana.handle}", headers=bo.headers)
    assert_error(await invite(client, ana, bo.handle), 403, "invitation_rejected")
