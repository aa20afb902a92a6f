"""Network changes reach members as real-time events, and a report moves a conversation to Spam."""

from __future__ import annotations

import httpx

from inroad.services import Services
from tests.conftest import People
from tests.factories import connect
from tests.messaging.helpers import inbox, start, sync_events
from tests.network.helpers import invitation_id


async def test_invitation_received_and_accepted_events(
    client: httpx.AsyncClient, people: People
) -> None:
    ann, bob = await people.make("Ann"), await people.make("Bob")
    iid = await invitation_id(client, ann, bob.handle, note="Hello from the conference")
    received = [e for e in await sync_events(client, bob) if e["type"] == "invitation.received"]
    assert [e["data"]["invitation_id"] for e in received] == [iid]
    assert received[0]["data"]["from"] == ann.handle
    assert not [e for e in await sync_events(client, ann) if e["type"] == "invitation.received"]

    r = await client.post(f"/api/v1/invitations/{iid}/accept", headers=bob.headers)
    assert r.status_code == 200, r.text
    for who in (ann, bob):
        accepted = [e for e in await sync_events(client, who) if e["type"] == "invitation.accepted"]
        assert [e["data"]["invitation_id"] for e in accepted] == [iid]


async def test_a_refused_invitation_emits_nothing(
    client: httpx.AsyncClient, people: People
) -> None:
    ann, bob = await people.make("Ann"), await people.make("Bob")
    await invitation_id(client, ann, bob.handle)
    again = await client.post(
        "/api/v1/invitations",
        json={"to": bob.handle, "how_you_know": {"relation": "friend"}},
        headers=ann.headers,
    )
    assert again.status_code == 409
    received = [e for e in await sync_events(client, bob) if e["type"] == "invitation.received"]
    assert len(received) == 1


async def test_reporting_a_conversation_moves_it_to_the_reporters_spam(
    client: httpx.AsyncClient, people: People, services: Services
) -> None:
    ann, bob = await people.make("Ann"), await people.make("Bob")
    await connect(services, ann.handle, bob.handle)
    cid = (await start(client, bob, ann.handle, text="Buy my course"))["conversation"]["id"]
    r = await client.post(
        "/api/v1/reports", json={"conversation_id": cid, "reason": "spam"}, headers=ann.headers
    )
    assert r.status_code == 201, r.text
    assert [c["id"] for c in (await inbox(client, ann, folder="spam"))["items"]] == [cid]
    assert (await inbox(client, ann, folder="focused"))["items"] == []
    # Only the reporter's copy moves; the reported member is not told.
    assert [c["id"] for c in (await inbox(client, bob, folder="focused"))["items"]] == [cid]
    updated = [e for e in await sync_events(client, ann) if e["type"] == "conversation.updated"]
    assert updated and updated[-1]["data"]["changes"]["folder"] == "spam"
