"""Editing and unsending within 60 minutes, reactions, reading and unread counts."""

from __future__ import annotations

import httpx
import sqlalchemy as sa

from inroad.accounts.tables import members
from inroad.clock import FrozenClock
from inroad.services import Services
from tests.conftest import assert_error
from tests.factories import block
from tests.messaging.helpers import (
    CONVERSATIONS,
    Cast,
    conversation,
    of_type,
    send,
    start,
    sync_events,
)

MESSAGES = "/api/v1/messages"


async def group_of_three(client: httpx.AsyncClient, cast: Cast) -> str:
    await cast.add("alice", "bob", "carol")
    await cast.connect("alice", "bob", "carol")
    return str(
        (await start(client, cast["alice"], "bob", "carol", text="Kick-off"))["conversation"]["id"]
    )


async def test_edit_within_sixty_minutes(
    client: httpx.AsyncClient, cast: Cast, clock: FrozenClock
) -> None:
    cid = await group_of_three(client, cast)
    alice, bob = cast["alice"], cast["bob"]
    early = await send(client, alice, cid, "first draft")
    late = await send(client, alice, cid, "too late to fix")
    clock.advance(minutes=59)
    r = await client.patch(
        f"{MESSAGES}/{early['id']}", json={"text": "final <b>draft</b>"}, headers=alice.headers
    )
    assert r.status_code == 200, r.text
    edited = r.json()
    assert edited["text"] == "final <b>draft</b>" and edited["edited_at"] == "2026-01-15T12:59:00Z"
    assert edited["id"] == early["id"] and edited["created_at"] == early["created_at"]
    assert_error(
        await client.patch(
            f"{MESSAGES}/{early['id']}", json={"text": "mine now"}, headers=bob.headers
        ),
        403,
        "not_sender",
    )
    assert_error(
        await client.patch(
            f"{MESSAGES}/{early['id']}", json={"text": "x" * 8001}, headers=alice.headers
        ),
        422,
        "text_too_long",
    )
    clock.advance(minutes=1)  # exactly 60 minutes: still within the window
    r = await client.patch(
        f"{MESSAGES}/{late['id']}", json={"text": "just in time"}, headers=alice.headers
    )
    assert r.status_code == 200
    clock.advance(minutes=1)  # 61 minutes
    assert_error(
        await client.patch(
            f"{MESSAGES}/{late['id']}", json={"text": "again"}, headers=alice.headers
        ),
        403,
        "edit_window_passed",
    )
    page = (await client.get(f"{CONVERSATIONS}/{cid}/messages", headers=bob.headers)).json()
    assert [m["text"] for m in page["items"]] == ["just in time", "final <b>draft</b>", "Kick-off"]
    assert page["items"][0]["edited_at"] is not None and page["items"][2]["edited_at"] is None
    edits = of_type(await sync_events(client, bob), "message.edited")
    assert [e["data"]["message"]["text"] for e in edits] == ["final <b>draft</b>", "just in time"]
    assert edits[0]["data"]["conversation_id"] == cid


async def test_unsend_leaves_a_tombstone(
    client: httpx.AsyncClient, cast: Cast, clock: FrozenClock
) -> None:
    cid = await group_of_three(client, cast)
    alice, bob, carol = cast["alice"], cast["bob"], cast["carol"]
    message = await send(client, alice, cid, "oops, wrong chat")
    await client.post(
        f"{MESSAGES}/{message['id']}/reactions", json={"emoji": "😮"}, headers=bob.headers
    )
    assert (await conversation(client, carol, cid))["unread_count"] == 2
    assert_error(
        await client.delete(f"{MESSAGES}/{message['id']}", headers=bob.headers), 403, "not_sender"
    )
    clock.advance(minutes=59)
    assert (
        await client.delete(f"{MESSAGES}/{message['id']}", headers=alice.headers)
    ).status_code == 204
    page = (await client.get(f"{CONVERSATIONS}/{cid}/messages", headers=carol.headers)).json()
    tombstone = page["items"][0]
    assert tombstone["id"] == message["id"]
    assert tombstone["text"] is None and tombstone["deleted"] is True
    assert tombstone["reactions"] == [] and tombstone["attachments"] == []
    # It no longer counts as unread for whoever had not read it.
    assert (await conversation(client, carol, cid))["unread_count"] == 1
    assert (await conversation(client, carol, cid))["last_message"]["deleted"] is True
    deleted = of_type(await sync_events(client, carol), "message.deleted")
    assert len(deleted) == 1 and deleted[0]["data"]["message"]["text"] is None
    # Unsending again is a no-op; a tombstone cannot be edited or reacted to.
    assert (
        await client.delete(f"{MESSAGES}/{message['id']}", headers=alice.headers)
    ).status_code == 204
    assert len(of_type(await sync_events(client, carol), "message.deleted")) == 1
    assert_error(
        await client.patch(
            f"{MESSAGES}/{message['id']}", json={"text": "x"}, headers=alice.headers
        ),
        403,
        "message_deleted",
    )
    assert_error(
        await client.post(
            f"{MESSAGES}/{message['id']}/reactions", json={"emoji": "👍"}, headers=bob.headers
        ),
        403,
        "message_deleted",
    )
    old = await send(client, alice, cid, "permanent")
    clock.advance(minutes=61)
    assert_error(
        await client.delete(f"{MESSAGES}/{old['id']}", headers=alice.headers),
        403,
        "edit_window_passed",
    )


async def test_reactions_with_counts_and_mine(
    client: httpx.AsyncClient, cast: Cast, clock: FrozenClock
) -> None:
    cid = await group_of_three(client, cast)
    alice, bob, carol = cast["alice"], cast["bob"], cast["carol"]
    message = await send(client, alice, cid, "Shipped!")
    url = f"{MESSAGES}/{message['id']}/reactions"
    r = await client.post(url, json={"emoji": "👍"}, headers=bob.headers)
    assert r.status_code == 201, r.text
    assert r.json()["reactions"] == [{"emoji": "👍", "count": 1, "mine": True}]
    clock.advance(seconds=1)  # reactions are listed in order of first use
    await client.post(url, json={"emoji": "👍"}, headers=carol.headers)
    clock.advance(seconds=1)
    await client.post(url, json={"emoji": "🎉"}, headers=bob.headers)
    again = await client.post(url, json={"emoji": "👍"}, headers=bob.headers)
    assert again.status_code == 201
    assert again.json()["reactions"] == [
        {"emoji": "👍", "count": 2, "mine": True},
        {"emoji": "🎉", "count": 1, "mine": True},
    ]
    assert again.json()["sender"]["degree"] == 1
    page = (await client.get(f"{CONVERSATIONS}/{cid}/messages", headers=alice.headers)).json()
    assert page["items"][0]["reactions"] == [
        {"emoji": "👍", "count": 2, "mine": False},
        {"emoji": "🎉", "count": 1, "mine": False},
    ]
    assert (await client.delete(f"{url}/👍", headers=bob.headers)).status_code == 204
    assert (await client.delete(f"{url}/👍", headers=bob.headers)).status_code == 204
    page = (await client.get(f"{CONVERSATIONS}/{cid}/messages", headers=carol.headers)).json()
    assert page["items"][0]["reactions"] == [
        {"emoji": "👍", "count": 1, "mine": True},
        {"emoji": "🎉", "count": 1, "mine": False},
    ]
    # Events: each participant's copy says whether the reaction is theirs.
    added = of_type(await sync_events(client, carol), "reaction.added")
    assert [e["data"]["emoji"] for e in added] == ["👍", "👍", "🎉"]
    assert added[1]["data"]["handle"] == "carol"
    assert added[1]["data"]["message"]["reactions"] == [{"emoji": "👍", "count": 2, "mine": True}]
    removed = of_type(await sync_events(client, alice), "reaction.removed")
    assert len(removed) == 1 and removed[0]["data"]["message_id"] == message["id"]
    for bad in ("", "abc", "👍 👍", "<b>", "a👍", "👍" * 17):
        assert_error(
            await client.post(url, json={"emoji": bad}, headers=bob.headers), 422, "invalid_emoji"
        )
    for good in ("👍🏽", "🇫🇷", "1️⃣", "👩‍👩‍👧"):
        assert (
            await client.post(url, json={"emoji": good}, headers=alice.headers)
        ).status_code == 201


async def test_twenty_reactions_per_member_per_message(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    cid = await group_of_three(client, cast)
    message = await send(client, cast["alice"], cid, "React!")
    url = f"{MESSAGES}/{message['id']}/reactions"
    emoji = [chr(0x1F600 + i) for i in range(21)]
    for e in emoji[:20]:
        assert (
            await client.post(url, json={"emoji": e}, headers=cast["bob"].headers)
        ).status_code == 201
    error = assert_error(
        await client.post(url, json={"emoji": emoji[20]}, headers=cast["bob"].headers),
        422,
        "too_many_reactions",
    )
    assert error["limit"] == 20
    assert (
        await client.post(url, json={"emoji": emoji[20]}, headers=cast["carol"].headers)
    ).status_code == 201


async def test_read_up_to_a_message_and_mark_unread(client: httpx.AsyncClient, cast: Cast) -> None:
    cid = await group_of_three(client, cast)
    alice, bob, carol = cast["alice"], cast["bob"], cast["carol"]
    second = await send(client, alice, cid, "two")
    await send(client, bob, cid, "three")
    last = await send(client, alice, cid, "four")
    assert (await conversation(client, carol, cid))["unread_count"] == 4
    read = f"{CONVERSATIONS}/{cid}/read"
    assert (
        await client.post(read, json={"message_id": second["id"]}, headers=carol.headers)
    ).status_code == 204
    assert (await conversation(client, carol, cid))["unread_count"] == 2
    # Never backwards.
    first_id = str(int(second["id"]) - 1)
    await client.post(read, json={"message_id": first_id}, headers=carol.headers)
    assert (await conversation(client, carol, cid))["unread_count"] == 2
    await client.post(read, json={"message_id": last["id"]}, headers=carol.headers)
    assert (await conversation(client, carol, cid))["unread_count"] == 0
    assert (
        await client.post(f"{CONVERSATIONS}/{cid}/unread", headers=carol.headers)
    ).status_code == 204
    assert (await conversation(client, carol, cid))["unread_count"] == 1
    await client.post(read, json={"message_id": last["id"]}, headers=carol.headers)
    assert (await conversation(client, carol, cid))["unread_count"] == 0
    # Bob's own messages never count for him.
    await client.post(read, json={"message_id": second["id"]}, headers=bob.headers)
    assert (await conversation(client, bob, cid))["unread_count"] == 1
    other = (await start(client, alice, "bob", text="elsewhere"))["message"]["id"]
    assert_error(
        await client.post(read, json={"message_id": other}, headers=carol.headers), 404, "not_found"
    )
    assert_error(
        await client.post(read, json={"message_id": "nope"}, headers=carol.headers),
        404,
        "not_found",
    )
    assert_error(await client.post(read, json={}, headers=carol.headers), 422, "missing_field")


async def _read_receipts(services: Services, handle: str, on: bool) -> None:
    async with services.db.write() as conn:
        await conn.execute(
            sa.update(members).where(members.c.handle == handle).values(read_receipts=on)
        )


async def test_read_events_honour_read_receipts_both_ways(
    client: httpx.AsyncClient, cast: Cast, services: Services
) -> None:
    cid = await group_of_three(client, cast)
    alice, bob, carol = cast["alice"], cast["bob"], cast["carol"]
    message = await send(client, alice, cid, "Seen?")
    await _read_receipts(services, "bob", False)
    read = f"{CONVERSATIONS}/{cid}/read"
    await client.post(read, json={"message_id": message["id"]}, headers=carol.headers)
    # Alice (receipts on) sees Carol's read; Bob (off) does not; Carol's own sessions do.
    seen_by_alice = of_type(await sync_events(client, alice), "conversation.read")
    assert [e["data"] for e in seen_by_alice] == [
        {"conversation_id": cid, "message_id": message["id"], "handle": "carol"}
    ]
    assert of_type(await sync_events(client, bob), "conversation.read") == []
    own = of_type(await sync_events(client, carol), "conversation.read")
    assert own[0]["data"]["unread_count"] == 0
    # Bob (off) reading is told to nobody else, but to his own sessions.
    await client.post(read, json={"message_id": message["id"]}, headers=bob.headers)
    assert len(of_type(await sync_events(client, alice), "conversation.read")) == 1
    assert len(of_type(await sync_events(client, bob), "conversation.read")) == 1
    # Reading again changes nothing and says nothing.
    await client.post(read, json={"message_id": message["id"]}, headers=carol.headers)
    assert len(of_type(await sync_events(client, carol), "conversation.read")) == 1


async def test_blocked_direct_conversation_refuses_edits_and_reactions(
    client: httpx.AsyncClient, cast: Cast, services: Services
) -> None:
    alice, bob = await cast.add("alice", "bob")
    await cast.connect("alice", "bob")
    message = (await start(client, alice, "bob", text="hello"))["message"]
    await block(services, "bob", "alice")
    assert_error(
        await client.patch(
            f"{MESSAGES}/{message['id']}", json={"text": "nasty"}, headers=alice.headers
        ),
        403,
        "conversation_closed",
    )
    assert_error(
        await client.post(
            f"{MESSAGES}/{message['id']}/reactions", json={"emoji": "👎"}, headers=bob.headers
        ),
        403,
        "conversation_closed",
    )
    # Taking one's words back is always allowed within the window.
    assert (
        await client.delete(f"{MESSAGES}/{message['id']}", headers=alice.headers)
    ).status_code == 204
