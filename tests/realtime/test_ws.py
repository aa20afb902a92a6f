"""The WebSocket at /api/v1/events over a real server: the 401 handshake, replay after a
reconnect (each missed event exactly once, in order, then live ones), typing."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from inroad.accounts.tables import members
from inroad.realtime import bus as bus_module
from inroad.realtime.bus import Event
from inroad.realtime.outbox import Outbox
from inroad.services import Services
from tests.conftest import Persona
from tests.factories import member_id
from tests.messaging.helpers import Cast, send, start

QUIET = 0.3  # seconds of silence that show nothing more is coming


async def receive(ws: ClientConnection) -> dict[str, Any]:
    frame: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), 5))
    return frame


async def assert_silent(ws: ClientConnection) -> None:
    with pytest.raises(TimeoutError):
        extra = await asyncio.wait_for(ws.recv(), QUIET)
        pytest.fail(f"unexpected frame {extra!r}")


def url_for(ws_url: str, persona: Persona | None = None, **params: str) -> str:
    query = dict(params)
    if persona is not None:
        query["token"] = persona.token
    return f"{ws_url}?{httpx.QueryParams(query)}" if query else ws_url


async def test_handshake_without_a_valid_token_is_refused_with_401(ws_url: str, cast: Cast) -> None:
    (alice,) = await cast.add("alice")
    attempts: list[tuple[str, dict[str, str]]] = [
        (ws_url, {}),
        (f"{ws_url}?token=not-a-token", {}),
        (ws_url, {"Authorization": "Bearer not-a-token"}),
        (ws_url, {"Authorization": f"Basic {alice.token}"}),
    ]
    for url, headers in attempts:
        with pytest.raises(InvalidStatus) as refused:
            async with connect(url, additional_headers=headers):
                pass
        response = refused.value.response
        assert response.status_code == 401
        assert json.loads(response.body or b"{}")["error"]["code"] == "not_signed_in"
    with pytest.raises(InvalidStatus) as refused:
        async with connect(url_for(ws_url, alice, since="soon")):
            pass
    assert refused.value.response.status_code == 422


async def test_token_by_header_or_query_and_live_events(
    client: httpx.AsyncClient, ws_url: str, cast: Cast
) -> None:
    alice, bob = await cast.add("alice", "bob")
    await cast.connect("alice", "bob")
    async with (
        connect(ws_url, additional_headers=bob.headers) as by_header,
        connect(url_for(ws_url, bob)) as by_query,
    ):
        created = await start(client, alice, "bob", text="live!")
        for ws in (by_header, by_query):
            frame = await receive(ws)
            assert frame["type"] == "message.created" and frame["cursor"] == "1"
            assert frame["data"]["message"] == created["message"]
            await assert_silent(ws)


async def test_reconnect_with_since_replays_each_missed_event_once_then_streams_live(
    client: httpx.AsyncClient, ws_url: str, cast: Cast
) -> None:
    alice, bob, carol = await cast.add("alice", "bob", "carol")
    await cast.connect("alice", "bob", "carol")
    cid = (await start(client, alice, "bob", "carol", text="before"))["conversation"]["id"]
    async with connect(url_for(ws_url, bob, since="0")) as ws:
        replay = await receive(ws)
        await send(client, carol, cid, "seen live")
        live = await receive(ws)
        assert [replay["data"]["message"]["text"], live["data"]["message"]["text"]] == [
            "before",
            "seen live",
        ]
    last = live["cursor"]

    # Disconnected: things happen.
    missed_texts = [f"missed {i}" for i in range(5)]
    for text in missed_texts:
        await send(client, alice, cid, text)
    message = (await send(client, carol, cid, "react to me"))["id"]
    await client.post(
        f"/api/v1/messages/{message}/reactions", json={"emoji": "👍"}, headers=alice.headers
    )
    await client.post(
        f"/api/v1/conversations/{cid}/read", json={"message_id": message}, headers=alice.headers
    )

    async with connect(url_for(ws_url, bob, since=last)) as ws:
        replayed = [await receive(ws) for _ in range(8)]
        assert [int(f["cursor"]) for f in replayed] == list(range(int(last) + 1, int(last) + 9))
        assert [f["type"] for f in replayed] == ["message.created"] * 6 + [
            "reaction.added",
            "conversation.read",
        ]
        texts = [f["data"]["message"]["text"] for f in replayed[:6]]
        assert texts == [*missed_texts, "react to me"]
        # Then live ones, continuing the sequence, and nothing twice.
        await send(client, alice, cid, "live again")
        live = await receive(ws)
        assert live["cursor"] == str(int(last) + 9)
        assert live["data"]["message"]["text"] == "live again"
        await assert_silent(ws)


async def test_a_socket_without_since_starts_from_now(
    client: httpx.AsyncClient, ws_url: str, cast: Cast
) -> None:
    alice, bob = await cast.add("alice", "bob")
    await cast.connect("alice", "bob")
    cid = (await start(client, alice, "bob", text="old news"))["conversation"]["id"]
    async with connect(url_for(ws_url, bob)) as ws:
        await assert_silent(ws)
        await send(client, alice, cid, "new")
        frame = await receive(ws)
        assert frame["cursor"] == "2" and frame["data"]["message"]["text"] == "new"
    async with connect(url_for(ws_url, bob, since="0")) as ws:
        assert [(await receive(ws))["cursor"] for _ in range(2)] == ["1", "2"]
        await assert_silent(ws)


async def test_replay_racing_live_sends_delivers_every_event_exactly_once_in_order(
    client: httpx.AsyncClient, ws_url: str, cast: Cast
) -> None:
    alice, bob, carol = await cast.add("alice", "bob", "carol")
    await cast.connect("alice", "bob", "carol")
    cid = (await start(client, alice, "bob", "carol", text="0"))["conversation"]["id"]
    for i in range(20):
        await send(client, alice, cid, f"backlog {i}")

    async def chatter() -> None:
        await asyncio.gather(
            *(send(client, (alice, carol)[i % 2], cid, f"during {i}") for i in range(30))
        )

    async with connect(url_for(ws_url, bob, since="0")) as ws:
        sending = asyncio.create_task(chatter())
        cursors = [int((await receive(ws))["cursor"]) for _ in range(51)]
        await sending
        assert cursors == list(range(1, 52))
        await assert_silent(ws)


async def _receipts(services: Services, handle: str, on: bool) -> None:
    async with services.db.write() as conn:
        await conn.execute(
            sa.update(members).where(members.c.handle == handle).values(read_receipts=on)
        )


async def test_typing_is_relayed_live_to_participants_with_read_receipts(
    client: httpx.AsyncClient, ws_url: str, cast: Cast, services: Services
) -> None:
    alice, bob, carol = await cast.add("alice", "bob", "carol")
    await cast.connect("alice", "bob", "carol")
    cid = (await start(client, alice, "bob", "carol", text="hi"))["conversation"]["id"]
    await _receipts(services, "carol", False)
    async with (
        connect(url_for(ws_url, alice)) as alice_ws,
        connect(url_for(ws_url, bob)) as bob_ws,
        connect(url_for(ws_url, carol)) as carol_ws,
    ):
        await alice_ws.send(json.dumps({"type": "typing", "conversation_id": cid}))
        frame = await receive(bob_ws)
        assert frame == {
            "cursor": None,
            "type": "typing",
            "data": {"conversation_id": cid, "member": alice.member},
        }
        await assert_silent(carol_ws)  # receipts off: sees no one typing
        await assert_silent(alice_ws)  # not echoed to the typist
        # Carol (off) typing is shown to nobody; junk frames are ignored.
        await carol_ws.send(json.dumps({"type": "typing", "conversation_id": cid}))
        for junk in (
            "not json",
            "[]",
            '{"type": "typing"}',
            '{"type": "typing", "conversation_id": "x"}',
            '{"type": "typing", "conversation_id": "999999"}',
            '{"type": "dance"}',
        ):
            await bob_ws.send(junk)
        await assert_silent(alice_ws)
        await assert_silent(bob_ws)
        # Typing is never stored.
        log = (await client.get("/api/v1/sync", params={"since": "0"}, headers=bob.headers)).json()
        assert "typing" not in [e["type"] for e in log["events"]]


async def _write_unpublished(services: Services, member: int, n: int) -> list[Event]:
    """Events committed to the log but not (yet) handed to the bus."""
    async with services.db.write() as conn:
        outbox = Outbox(services.clock.now())
        for i in range(n):
            outbox.add([member], "conversation.updated", {"conversation_id": str(i)})
        return await outbox.flush(conn)


async def test_out_of_order_publishing_is_delivered_in_order_exactly_once(
    ws_url: str, cast: Cast, services: Services
) -> None:
    (bob,) = await cast.add("bob")
    me = await member_id(services, "bob")
    async with connect(url_for(ws_url, bob)) as ws:
        await asyncio.sleep(0.1)  # the socket has subscribed
        first, second = await _write_unpublished(services, me, 2)
        await services.bus.publish([second])  # arrives first: the gap is read from the log
        assert [(await receive(ws))["cursor"] for _ in range(2)] == ["1", "2"]
        await services.bus.publish([first, second])  # late duplicates are dropped
        await assert_silent(ws)


async def test_a_subscriber_that_falls_behind_catches_up_from_the_log(
    ws_url: str, cast: Cast, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bus_module, "QUEUE_LIMIT", 3)
    (bob,) = await cast.add("bob")
    me = await member_id(services, "bob")
    async with connect(url_for(ws_url, bob)) as ws:
        await asyncio.sleep(0.1)
        written = await _write_unpublished(services, me, 10)
        await services.bus.publish(written)  # overflows the queue before the socket reads it
        assert [(await receive(ws))["cursor"] for _ in range(10)] == [str(c) for c in range(1, 11)]
        await assert_silent(ws)


async def test_the_session_cookie_signs_in_only_from_this_sites_pages(
    ws_url: str, cast: Cast
) -> None:
    (alice,) = await cast.add("alice")
    cookie = {"Cookie": f"inroad_session={alice.token}"}
    site = ws_url.replace("ws://", "http://").removesuffix("/api/v1/events")
    async with connect(ws_url, additional_headers={**cookie, "Origin": site}) as ws:
        await assert_silent(ws)
    for origin in ("http://evil.example", "null", None):
        headers = {**cookie, **({"Origin": origin} if origin else {})}
        with pytest.raises(InvalidStatus) as refused:
            async with connect(ws_url, additional_headers=headers, origin=None):
                pass
        assert refused.value.response.status_code == 401


async def test_a_since_from_the_future_starts_from_the_members_position(
    client: httpx.AsyncClient, ws_url: str, cast: Cast
) -> None:
    alice, bob = await cast.add("alice", "bob")
    await cast.connect("alice", "bob")
    cid = (await start(client, alice, "bob", text="one"))["conversation"]["id"]
    async with connect(url_for(ws_url, bob, since="500")) as ws:
        await assert_silent(ws)
        await send(client, alice, cid, "two")
        assert (await receive(ws))["cursor"] == "2"


async def test_logging_out_closes_that_tokens_sockets_only(
    client: httpx.AsyncClient, ws_url: str, cast: Cast
) -> None:
    alice, bob = await cast.add("alice", "bob")
    await cast.connect("alice", "bob")
    login = await client.post(
        "/api/v1/auth/login", json={"email": bob.email, "password": bob.password}
    )
    other_token = login.json()["token"]
    async with (
        connect(url_for(ws_url, bob)) as first,
        connect(f"{ws_url}?token={other_token}") as second,
    ):
        assert (await client.post("/api/v1/auth/logout", headers=bob.headers)).status_code == 204
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(first.recv(), 5)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401
        # The other session keeps streaming.
        created = await start(client, alice, "bob", text="still here?")
        frame = await receive(second)
        assert frame["data"]["message"]["id"] == created["message"]["id"]
        await assert_silent(second)


async def test_deleting_the_account_closes_every_socket(
    client: httpx.AsyncClient, ws_url: str, cast: Cast
) -> None:
    (bob,) = await cast.add("bob")
    login = await client.post(
        "/api/v1/auth/login", json={"email": bob.email, "password": bob.password}
    )
    async with (
        connect(url_for(ws_url, bob)) as first,
        connect(f"{ws_url}?token={login.json()['token']}") as second,
    ):
        r = await client.request(
            "DELETE", "/api/v1/me", json={"password": bob.password}, headers=bob.headers
        )
        assert r.status_code == 204
        for ws in (first, second):
            with pytest.raises(ConnectionClosed) as closed:
                await asyncio.wait_for(ws.recv(), 5)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401
