"""Conversations: 1:1 reuse, groups and their limits, participants, folders, requests, 404s."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from inroad.accounts.tables import members
from inroad.messaging import actions
from inroad.realtime.outbox import transaction
from inroad.services import Services
from tests.conftest import assert_error
from tests.factories import block, member_id
from tests.messaging.helpers import (
    CONVERSATIONS,
    Cast,
    bulk_connections,
    client_id,
    conversation,
    inbox,
    of_type,
    send,
    start,
    sync_events,
)


def handles_of(conv: dict[str, Any]) -> list[str]:
    return [p["handle"] for p in conv["participants"]]


async def test_direct_conversation_is_created_once_and_continued(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    alice, bob, _ = await cast.add("alice", "bob", "carol")
    await cast.connect("alice", "bob", "carol")
    first = await start(client, alice, "bob", text="Hi Bob")
    conv = first["conversation"]
    assert conv["kind"] == "direct" and conv["title"] is None
    assert handles_of(conv) == ["alice", "bob"]
    assert conv["last_message"]["text"] == "Hi Bob"
    assert conv["unread_count"] == 0 and conv["folder"] == "focused"
    assert first["message"]["sender"]["handle"] == "alice"
    # Either side starting "a new 1:1" continues the same conversation.
    again = await start(client, bob, "alice", text="Hi Alice")
    assert again["conversation"]["id"] == conv["id"]
    assert again["conversation"]["last_message"]["text"] == "Hi Alice"
    assert [c["id"] for c in (await inbox(client, alice))["items"]] == [conv["id"]]
    page = (
        await client.get(f"{CONVERSATIONS}/{conv['id']}/messages", headers=alice.headers)
    ).json()
    assert [m["text"] for m in page["items"]] == ["Hi Alice", "Hi Bob"]
    # Bob sees Alice with his degree to her; the viewer's own entry has none.
    seen_by_bob = (await conversation(client, bob, conv["id"]))["participants"]
    assert seen_by_bob[0]["degree"] == 1 and "degree" not in seen_by_bob[1]


async def test_concurrent_starts_of_the_same_direct_conversation_share_it(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    alice, bob = await cast.add("alice", "bob")
    await cast.connect("alice", "bob")
    replies = await asyncio.gather(
        *(
            client.post(
                CONVERSATIONS,
                json={"participants": [other.handle], "text": f"hi {i}", "client_id": client_id()},
                headers=me.headers,
            )
            for i, (me, other) in enumerate([(alice, bob), (bob, alice)] * 3)
        )
    )
    assert all(r.status_code == 201 for r in replies), [
        r.text for r in replies if r.status_code != 201
    ]
    assert len({r.json()["conversation"]["id"] for r in replies}) == 1


async def test_start_refusals(client: httpx.AsyncClient, cast: Cast, services: Services) -> None:
    alice, _, _, _ = await cast.add("alice", "bob", "carol", "dave")
    await cast.connect("alice", "bob", "dave")
    body = {"text": "Hi", "client_id": client_id()}

    async def start_with(*handles: str, **extra: object) -> httpx.Response:
        payload = {**body, "participants": list(handles), "client_id": client_id(), **extra}
        return await client.post(CONVERSATIONS, json=payload, headers=alice.headers)

    assert_error(await start_with("nobody-here"), 404, "not_found")
    refused = assert_error(await start_with("carol"), 403, "not_connected")
    assert refused["handles"] == ["carol"]
    refused = assert_error(await start_with("bob", "carol"), 403, "not_connected")
    assert refused["handles"] == ["carol"]
    assert_error(await start_with("alice"), 422, "invalid_input")
    assert_error(await start_with(), 422, "invalid_input")
    assert_error(await start_with("bob", title="A 1:1 has no title"), 422, "invalid_input")
    assert_error(await start_with("bob", "dave", title="x" * 201), 422, "field_too_long")
    r = await client.post(
        CONVERSATIONS, json={"participants": ["bob"], "text": "Hi"}, headers=alice.headers
    )
    assert_error(r, 422, "missing_field")
    # A block either way hides the member: 404, as for an unknown handle.
    await block(services, "dave", "alice")
    assert_error(await start_with("dave"), 404, "not_found")
    assert_error(await start_with("bob", "dave"), 404, "not_found")
    await block(services, "alice", "bob")
    assert_error(await start_with("bob"), 404, "not_found")
    assert (await inbox(client, alice))["items"] == []


async def test_group_of_fifty_members_and_not_fifty_one(
    client: httpx.AsyncClient, cast: Cast, services: Services
) -> None:
    (alice,) = await cast.add("alice")
    others = await bulk_connections(services, "alice", 50, "peer")
    created = await start(client, alice, *others[:49], text="Welcome all", title="Fifty")
    conv = created["conversation"]
    assert conv["kind"] == "group" and conv["title"] == "Fifty"
    assert len(conv["participants"]) == 50
    body = {"participants": others, "text": "Too many", "client_id": client_id()}
    refused = assert_error(
        await client.post(CONVERSATIONS, json=body, headers=alice.headers),
        422,
        "too_many_participants",
    )
    assert refused["limit"] == 50


async def test_adding_participants_up_to_fifty_members(
    client: httpx.AsyncClient, cast: Cast, services: Services
) -> None:
    alice, _ = await cast.add("alice", "zed")
    others = await bulk_connections(services, "alice", 50, "peer")
    conv = (await start(client, alice, *others[:47], text="Hi"))["conversation"]  # 48 members
    url = f"{CONVERSATIONS}/{conv['id']}/participants"
    r = await client.post(url, json={"handles": others[47:49]}, headers=alice.headers)
    assert r.status_code == 200, r.text
    assert len(r.json()["participants"]) == 50
    refused = assert_error(
        await client.post(url, json={"handles": [others[49]]}, headers=alice.headers),
        422,
        "too_many_participants",
    )
    assert refused["limit"] == 50
    # Re-adding present members is a no-op, even at the limit.
    r = await client.post(url, json={"handles": others[:3]}, headers=alice.headers)
    assert r.status_code == 200 and len(r.json()["participants"]) == 50
    refused = assert_error(
        await client.post(url, json={"handles": ["zed"]}, headers=alice.headers),
        403,
        "not_connected",
    )
    assert refused["handles"] == ["zed"]


async def test_concurrent_adds_never_pass_fifty_members(
    client: httpx.AsyncClient, cast: Cast, services: Services
) -> None:
    alice, bob = await cast.add("alice", "bob")
    await cast.connect("alice", "bob")
    others = await bulk_connections(services, "alice", 50, "peer")
    conv = (await start(client, alice, "bob", *others[:47], text="Hi"))["conversation"]  # 49
    url = f"{CONVERSATIONS}/{conv['id']}/participants"
    replies = await asyncio.gather(
        client.post(url, json={"handles": [others[47]]}, headers=alice.headers),
        client.post(url, json={"handles": [others[48]]}, headers=alice.headers),
        client.post(url, json={"handles": [others[49]]}, headers=alice.headers),
    )
    assert sorted(r.status_code for r in replies) == [200, 422, 422], [r.text for r in replies]
    assert len((await conversation(client, bob, conv["id"]))["participants"]) == 50


async def test_participants_added_removed_and_leaving(
    client: httpx.AsyncClient, cast: Cast, services: Services
) -> None:
    alice, bob, carol, dave, _ = await cast.add("alice", "bob", "carol", "dave", "erin")
    await cast.connect("alice", "bob", "carol", "dave")
    await cast.connect("bob", "erin")
    await block(services, "alice", "erin")
    conv = (await start(client, alice, "bob", "carol", text="Team"))["conversation"]
    cid = conv["id"]
    url = f"{CONVERSATIONS}/{cid}/participants"
    # Dave is Alice's connection, not Bob's: whoever adds decides.
    added = await client.post(url, json={"handles": ["dave"]}, headers=alice.headers)
    assert added.status_code == 200
    assert handles_of(added.json()) == ["alice", "bob", "carol", "dave"]
    # Dave sees the history and gets the conversation in his inbox.
    page = (await client.get(f"{CONVERSATIONS}/{cid}/messages", headers=dave.headers)).json()
    assert [m["text"] for m in page["items"]] == ["Team"]
    assert [c["id"] for c in (await inbox(client, dave))["items"]] == [cid]
    # Alice blocked Erin, so to Alice Erin does not exist.
    assert_error(
        await client.post(url, json={"handles": ["erin"]}, headers=alice.headers), 404, "not_found"
    )
    # Removal and leaving: whoever goes loses access at once.
    r = await client.delete(f"{url}/carol", headers=bob.headers)
    assert r.status_code == 204
    assert_error(
        await client.get(f"{CONVERSATIONS}/{cid}", headers=carol.headers), 404, "not_found"
    )
    removed = of_type(await sync_events(client, carol), "conversation.updated")
    assert removed[-1]["data"] == {"conversation_id": cid, "removed": True}
    assert_error(await client.delete(f"{url}/carol", headers=bob.headers), 404, "not_found")
    r = await client.post(f"{CONVERSATIONS}/{cid}/leave", headers=alice.headers)
    assert r.status_code == 204
    assert_error(
        await client.get(f"{CONVERSATIONS}/{cid}", headers=alice.headers), 404, "not_found"
    )
    remaining = await conversation(client, bob, cid)
    assert handles_of(remaining) == ["bob", "dave"]
    updates = of_type(await sync_events(client, bob), "conversation.updated")
    participants = updates[-1]["data"]["changes"]["participants"]
    assert [p["handle"] for p in participants] == ["bob", "dave"]
    await send(client, dave, cid, "still here")
    # A 1:1 has no participants to change.
    direct = (await start(client, bob, "erin"))["conversation"]["id"]
    assert_error(
        await client.post(
            f"{CONVERSATIONS}/{direct}/participants",
            json={"handles": ["alice"]},
            headers=bob.headers,
        ),
        422,
        "not_a_group",
    )
    assert_error(
        await client.post(f"{CONVERSATIONS}/{direct}/leave", headers=bob.headers),
        422,
        "not_a_group",
    )
    assert_error(
        await client.delete(f"{CONVERSATIONS}/{direct}/participants/erin", headers=bob.headers),
        422,
        "not_a_group",
    )


@pytest.mark.parametrize("outsider_kind", ["never_joined", "removed", "left"])
async def test_a_non_participant_gets_404_on_every_conversation_path(
    client: httpx.AsyncClient, cast: Cast, outsider_kind: str
) -> None:
    alice, bob, carol = await cast.add("alice", "bob", "carol")
    await cast.connect("alice", "bob", "carol")
    eve = (await cast.add("eve"))[0]
    members_ = ["bob", "carol"] + (["eve"] if outsider_kind != "never_joined" else [])
    if outsider_kind != "never_joined":
        await cast.connect("alice", "eve")
    conv = (await start(client, alice, *members_, text="Secret plans"))["conversation"]
    cid = conv["id"]
    upload = await client.post(
        "/api/v1/uploads", files={"file": ("a.txt", b"data", "text/plain")}, headers=alice.headers
    )
    message = await send(client, alice, cid, "with file", attachments=[upload.json()["id"]])
    mid = message["id"]
    await client.post(
        f"/api/v1/messages/{mid}/reactions", json={"emoji": "👍"}, headers=bob.headers
    )
    if outsider_kind == "removed":
        assert (
            await client.delete(f"{CONVERSATIONS}/{cid}/participants/eve", headers=alice.headers)
        ).status_code == 204
    elif outsider_kind == "left":
        assert (
            await client.post(f"{CONVERSATIONS}/{cid}/leave", headers=eve.headers)
        ).status_code == 204

    base = f"{CONVERSATIONS}/{cid}"
    calls = [
        ("GET", base, None),
        ("PATCH", base, {"archived": True}),
        ("GET", f"{base}/messages", None),
        ("POST", f"{base}/messages", {"text": "let me in", "client_id": client_id()}),
        ("POST", f"{base}/request-response", {"accept": True}),
        ("POST", f"{base}/read", {"message_id": mid}),
        ("POST", f"{base}/unread", None),
        ("POST", f"{base}/participants", {"handles": ["alice"]}),
        ("DELETE", f"{base}/participants/bob", None),
        ("POST", f"{base}/leave", None),
        ("PATCH", f"/api/v1/messages/{mid}", {"text": "edited"}),
        ("DELETE", f"/api/v1/messages/{mid}", None),
        ("POST", f"/api/v1/messages/{mid}/reactions", {"emoji": "👍"}),
        ("DELETE", f"/api/v1/messages/{mid}/reactions/👍", None),
        ("GET", f"/api/v1/uploads/{upload.json()['id']}", None),
    ]
    for method, url, body in calls:
        r = await client.request(method, url, json=body, headers=eve.headers)
        assert_error(r, 404, "not_found")
    # Unknown and malformed ids look the same.
    for bad in ("999999", "abc", "1" * 40, "-1"):
        assert_error(
            await client.get(f"{CONVERSATIONS}/{bad}", headers=eve.headers), 404, "not_found"
        )
        assert_error(
            await client.patch(f"/api/v1/messages/{bad}", json={"text": "x"}, headers=eve.headers),
            404,
            "not_found",
        )
    # Nothing leaked into search either.
    found = (
        await client.get("/api/v1/search/messages", params={"q": "secret"}, headers=eve.headers)
    ).json()
    assert found["items"] == []
    # And nothing changed for the participants.
    assert (await conversation(client, bob, cid))["last_message"]["text"] == "with file"
    assert carol.handle == "carol"


async def test_archive_mute_and_folders(client: httpx.AsyncClient, cast: Cast) -> None:
    alice, bob, carol = await cast.add("alice", "bob", "carol")
    await cast.connect("alice", "bob", "carol")
    direct = (await start(client, alice, "bob"))["conversation"]["id"]
    group = (await start(client, alice, "bob", "carol", title="Plans"))["conversation"]["id"]
    r = await client.patch(
        f"{CONVERSATIONS}/{direct}", json={"archived": True, "muted": True}, headers=bob.headers
    )
    assert r.status_code == 200, r.text
    assert r.json()["archived"] is True and r.json()["folder"] == "archived"
    assert r.json()["muted"] is True
    assert [c["id"] for c in (await inbox(client, bob))["items"]] == [group]
    assert [c["id"] for c in (await inbox(client, bob, folder="archived"))["items"]] == [direct]
    # Only Bob's view changed.
    assert (await conversation(client, alice, direct))["archived"] is False
    # A new message brings it back to the inbox; muting stays.
    await send(client, alice, direct, "ping")
    back = await conversation(client, bob, direct)
    assert back["folder"] == "focused" and back["archived"] is False and back["muted"] is True
    r = await client.patch(
        f"{CONVERSATIONS}/{direct}", json={"archived": True}, headers=bob.headers
    )
    r = await client.patch(
        f"{CONVERSATIONS}/{direct}", json={"archived": False}, headers=bob.headers
    )
    assert r.json()["folder"] == "focused"
    own = of_type(await sync_events(client, bob), "conversation.updated")
    assert own[0]["data"]["changes"] == {"folder": "archived", "muted": True, "archived": True}
    # Titles: groups only, for everyone, ≤ 200 characters; null clears.
    r = await client.patch(
        f"{CONVERSATIONS}/{group}", json={"title": "x" * 200}, headers=carol.headers
    )
    assert r.status_code == 200 and r.json()["title"] == "x" * 200
    assert (await conversation(client, alice, group))["title"] == "x" * 200
    assert_error(
        await client.patch(
            f"{CONVERSATIONS}/{group}", json={"title": "x" * 201}, headers=carol.headers
        ),
        422,
        "field_too_long",
    )
    r = await client.patch(f"{CONVERSATIONS}/{group}", json={"title": None}, headers=carol.headers)
    assert r.json()["title"] is None
    assert_error(
        await client.patch(f"{CONVERSATIONS}/{direct}", json={"title": "Us"}, headers=bob.headers),
        422,
        "not_a_group",
    )
    titled = of_type(await sync_events(client, alice), "conversation.updated")
    assert [e["data"]["changes"] for e in titled] == [{"title": "x" * 200}, {"title": None}]
    assert_error(
        await client.get(CONVERSATIONS, params={"folder": "junk"}, headers=bob.headers),
        422,
        "invalid_input",
    )


async def test_reported_conversation_moves_to_the_reporters_spam(
    client: httpx.AsyncClient, cast: Cast, services: Services
) -> None:
    alice, bob = await cast.add("alice", "bob")
    await cast.connect("alice", "bob")
    cid = (await start(client, alice, "bob"))["conversation"]["id"]
    async with transaction(services) as tx:
        await actions.move_to_spam(tx, await member_id(services, "bob"), int(cid))
    assert (await inbox(client, bob))["items"] == []
    spam = (await inbox(client, bob, folder="spam"))["items"]
    assert [c["id"] for c in spam] == [cid] and spam[0]["folder"] == "spam"
    await send(client, alice, cid, "are you there?")
    assert [c["id"] for c in (await inbox(client, bob, folder="spam"))["items"]] == [cid]
    assert [c["id"] for c in (await inbox(client, alice))["items"]] == [cid]
    with pytest.raises(Exception) as caught:
        async with transaction(services) as tx:
            await actions.move_to_spam(tx, await member_id(services, "bob"), 999999)
    assert getattr(caught.value, "code", None) == "not_found"


async def test_unread_counts_filter_and_pagination(
    client: httpx.AsyncClient, cast: Cast, services: Services
) -> None:
    (alice,) = await cast.add("alice")
    others = await bulk_connections(services, "alice", 25, "friend")
    ids = [(await start(client, alice, h, text=f"to {h}"))["conversation"]["id"] for h in others]
    first = await inbox(client, alice)
    assert [c["id"] for c in first["items"]] == ids[::-1][:20]
    second = await inbox(client, alice, cursor=first["next_cursor"])
    assert [c["id"] for c in second["items"]] == ids[::-1][20:]
    assert second["next_cursor"] is None
    assert (await inbox(client, alice, unread="true"))["items"] == []
    r = await client.post(f"{CONVERSATIONS}/{ids[3]}/unread", headers=alice.headers)
    assert r.status_code == 204
    unread = (await inbox(client, alice, unread="true"))["items"]
    assert [(c["id"], c["unread_count"]) for c in unread] == [(ids[3], 1)]
    assert_error(
        await client.get(CONVERSATIONS, params={"cursor": "nope"}, headers=alice.headers),
        422,
        "invalid_cursor",
    )
    assert_error(
        await client.get(CONVERSATIONS, params={"limit": 101}, headers=alice.headers),
        422,
        "invalid_input",
    )
    r = await client.get(CONVERSATIONS, params={"limit": 100}, headers=alice.headers)
    assert len(r.json()["items"]) == 25


async def _set(services: Services, handle: str, **values: object) -> None:
    async with services.db.write() as conn:
        await conn.execute(sa.update(members).where(members.c.handle == handle).values(**values))


async def test_message_request_to_an_open_profile(
    client: httpx.AsyncClient, cast: Cast, services: Services
) -> None:
    alice, dana, carol = await cast.add("alice", "dana", "carol")
    await _set(services, "dana", open_profile=True)
    created = await start(client, alice, "dana", text="Hello Dana, may I ask about your work?")
    conv = created["conversation"]
    cid = conv["id"]
    assert conv["request_state"] == "pending" and conv["requested_by"] == "alice"
    seen = await conversation(client, dana, cid)
    assert seen["folder"] == "other" and seen["request_state"] == "pending"
    assert (await inbox(client, dana))["items"] == []
    assert [c["id"] for c in (await inbox(client, dana, folder="other"))["items"]] == [cid]
    # Until accepted the sender cannot add more.
    r = await client.post(
        f"{CONVERSATIONS}/{cid}/messages",
        json={"text": "Hello?", "client_id": client_id()},
        headers=alice.headers,
    )
    assert_error(r, 403, "request_pending")
    assert_error(
        await client.post(
            f"{CONVERSATIONS}/{cid}/request-response", json={"accept": True}, headers=alice.headers
        ),
        403,
        "not_recipient",
    )
    r = await client.post(
        f"{CONVERSATIONS}/{cid}/request-response", json={"accept": True}, headers=dana.headers
    )
    assert r.status_code == 200, r.text
    assert r.json()["request_state"] == "accepted" and r.json()["folder"] == "focused"
    await send(client, alice, cid, "Thanks!")
    assert_error(
        await client.post(
            f"{CONVERSATIONS}/{cid}/request-response", json={"accept": False}, headers=dana.headers
        ),
        409,
        "request_answered",
    )
    # Declined: closed to the sender; groups are never requests.
    await _set(services, "carol", open_profile=True)
    other = (await start(client, alice, "carol", text="Hi Carol"))["conversation"]["id"]
    r = await client.post(
        f"{CONVERSATIONS}/{other}/request-response", json={"accept": False}, headers=carol.headers
    )
    assert r.json()["request_state"] == "declined"
    r = await client.post(
        f"{CONVERSATIONS}/{other}/messages",
        json={"text": "Please?", "client_id": client_id()},
        headers=alice.headers,
    )
    assert_error(r, 403, "conversation_closed")
    r = await client.post(
        CONVERSATIONS,
        json={"participants": ["carol", "dana"], "text": "x", "client_id": client_id()},
        headers=alice.headers,
    )
    assert_error(r, 403, "not_connected")


async def test_a_reply_accepts_a_message_request(
    client: httpx.AsyncClient, cast: Cast, services: Services
) -> None:
    alice, dana = await cast.add("alice", "dana")
    await _set(services, "dana", open_profile=True)
    cid = (await start(client, alice, "dana", text="Hello"))["conversation"]["id"]
    await send(client, dana, cid, "Hi Alice")
    seen = await conversation(client, dana, cid)
    assert seen["request_state"] == "accepted" and seen["folder"] == "focused"
    await send(client, alice, cid, "Great")
    updated = of_type(await sync_events(client, alice), "conversation.updated")
    assert updated[-1]["data"]["changes"] == {"request_state": "accepted"}
