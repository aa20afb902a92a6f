"""The Redis bus: events cross worker processes (PRODUCT.md §6).

Unit tests drive two ``RedisBus`` instances ("workers") directly; the end-to-end tests serve two
apps on the same database and Redis, each by its own uvicorn in its own thread (its own event
loop, as a separate process would have), and check that a member connected to worker A receives,
at once and exactly once, what was sent through worker B.

Needs ``INROAD_TEST_REDIS_URL`` (skipped without it; a failure under ``CI=true``). The bus stores
no keys, so there is nothing to flush: unit tests use random member ids (channels are per member)
and their own connection names, so runs sharing a Redis server do not see each other.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import socket
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from redis.asyncio import Redis
from websockets.asyncio.client import ClientConnection, connect

from inroad.app import create_app
from inroad.realtime.bus import Event, InProcessBus, Lagged, Subscription
from inroad.realtime.redis_bus import RedisBus, decode, encode
from inroad.services import Services
from inroad.settings import Settings
from tests.conftest import FAST_HASHER, REDIS_URL, People, Persona, require_service
from tests.messaging.helpers import Cast, send, start

WAIT = 5.0  # the bound on "at once": generous for a loaded CI machine
QUIET = 0.3  # seconds of silence that show nothing more is coming


@pytest.fixture
def redis_url() -> str:
    return require_service(REDIS_URL, "Redis", "INROAD_TEST_REDIS_URL")


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    """A plain client for looking at the server (subscriber counts, connections)."""
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()


@dataclass
class Workers:
    a: RedisBus
    b: RedisBus
    names: tuple[str, str]


@pytest.fixture
async def workers(redis_url: str) -> AsyncIterator[Workers]:
    token = uuid.uuid4().hex[:12]
    names = (f"inroad-test-{token}-a", f"inroad-test-{token}-b")
    a, b = RedisBus(redis_url, client_name=names[0]), RedisBus(redis_url, client_name=names[1])
    await a.start()
    await b.start()
    try:
        yield Workers(a, b, names)
    finally:
        await a.close()
        await b.close()


def member() -> int:
    """A member id no other test run uses at the same time."""
    return random.randrange(10**12, 10**13)


def event(member_id: int, cursor: int | None, type_: str = "message.created") -> Event:
    return Event(member_id, cursor, type_, json.dumps({"n": cursor, "text": "a\nb"}))


async def next_event(sub: Subscription) -> Event:
    return await asyncio.wait_for(anext(sub), WAIT)


async def assert_nothing_more(sub: Subscription) -> None:
    with pytest.raises(TimeoutError):
        extra = await asyncio.wait_for(anext(sub), QUIET)
        pytest.fail(f"unexpected {extra!r}")


async def subscribers(redis: Redis, bus: RedisBus, member_id: int) -> int:
    [(_, count)] = await redis.pubsub_numsub(bus.channel(member_id))
    return int(count)


async def eventually(condition: Any, *args: Any) -> None:
    deadline = time.monotonic() + WAIT
    while not await condition(*args):
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


async def sub_connections(redis: Redis, name: str) -> list[dict[str, Any]]:
    return [c for c in await redis.client_list() if c.get("name") == f"{name}:sub"]


def test_the_wire_format_round_trips() -> None:
    for original in (event(7, 12), event(7, None, "typing"), Event(7, 1, "x", "")):
        assert decode(7, encode(original).encode()) == original


async def test_an_event_published_on_one_worker_reaches_a_subscriber_on_another(
    workers: Workers,
) -> None:
    me = member()
    async with workers.b.subscribe(me) as sub:
        published = [event(me, 1), event(me, None, "typing"), event(me, 2)]
        await workers.a.publish(published)
        assert [await next_event(sub) for _ in range(3)] == published
        await assert_nothing_more(sub)


async def test_each_member_gets_only_their_own_events(workers: Workers) -> None:
    first, second, third = member(), member(), member()
    async with (
        workers.b.subscribe(first) as one,
        workers.b.subscribe(first) as one_again,
        workers.a.subscribe(second) as two,
    ):
        await workers.a.publish([event(first, 1), event(second, 1), event(third, 1)])
        await workers.b.publish([event(first, 2)])
        for sub in (one, one_again):
            assert [await next_event(sub) for _ in range(2)] == [event(first, 1), event(first, 2)]
            await assert_nothing_more(sub)
        assert await next_event(two) == event(second, 1)
        await assert_nothing_more(two)


async def test_one_shared_connection_and_unsubscribe_when_the_last_local_subscriber_leaves(
    workers: Workers, redis: Redis
) -> None:
    me, other = member(), member()
    bus = workers.b
    async with bus.subscribe(me), bus.subscribe(other):
        async with bus.subscribe(me):
            # Two local subscribers, one Redis subscription, one pub/sub connection.
            assert await subscribers(redis, bus, me) == 1
            assert len(await sub_connections(redis, workers.names[1])) == 1
        assert await subscribers(redis, bus, me) == 1

    async def unsubscribed(member_id: int) -> bool:
        return await subscribers(redis, bus, member_id) == 0

    await eventually(unsubscribed, me)
    await eventually(unsubscribed, other)
    # Coming back subscribes again.
    async with bus.subscribe(me) as sub:
        assert await subscribers(redis, bus, me) == 1
        await workers.a.publish([event(me, 5)])
        assert await next_event(sub) == event(me, 5)


async def test_after_a_lost_connection_the_reader_resubscribes_and_tells_subscribers_to_catch_up(
    workers: Workers, redis: Redis
) -> None:
    me = member()
    async with workers.b.subscribe(me) as sub:
        [conn] = await sub_connections(redis, workers.names[1])
        await redis.client_kill_filter(_id=conn["id"])
        # Whatever was published meanwhile is in the events table: the subscriber is told to
        # read it from there once the channel is subscribed again …
        with pytest.raises(Lagged):
            await next_event(sub)
        assert await subscribers(redis, workers.b, me) == 1
        # … and live events flow again.
        await workers.a.publish([event(me, 9)])
        assert await next_event(sub) == event(me, 9)
        await assert_nothing_more(sub)


async def test_an_unreachable_redis_is_logged_not_raised() -> None:
    bus = RedisBus("redis://127.0.0.1:1/0", client_name=f"inroad-test-{uuid.uuid4().hex[:12]}")
    await bus.start()  # the first attempt fails; retried in the background
    me = member()
    async with bus.subscribe(me) as sub:  # registers locally; does not wait for Redis
        await bus.publish([event(me, 1)])  # logged
        await bus.close()
        with pytest.raises(StopAsyncIteration):
            await next_event(sub)


async def test_close_ends_every_subscription(workers: Workers) -> None:
    me = member()
    async with workers.b.subscribe(me) as sub:
        waiting = asyncio.create_task(anext(sub))
        await asyncio.sleep(0)
        await workers.b.close()
        with pytest.raises(StopAsyncIteration):
            await asyncio.wait_for(waiting, WAIT)
    async with workers.b.subscribe(me) as late:
        with pytest.raises(StopAsyncIteration):
            await next_event(late)
    await workers.b.publish([event(me, 1)])  # after close: dropped quietly


async def test_the_bus_is_chosen_by_the_redis_url(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'x.db'}", data_dir=tmp_path)
    for redis_url, kind in ((None, InProcessBus), ("redis://127.0.0.1:6379/5", RedisBus)):
        services = Services.create(settings.with_(redis_url=redis_url))
        assert type(services.bus) is kind
        await services.close()


# --- End to end: two workers sharing one database and one Redis ---------------------------------


@contextmanager
def serve_in_thread(app: FastAPI) -> Iterator[str]:
    """Serve ``app`` on a free loopback port from its own thread (and event loop), lifespan
    included; yields ``127.0.0.1:PORT``."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, log_level="warning", access_log=False, lifespan="on", ws="websockets-sansio"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    try:
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
            time.sleep(0.02)
        yield f"127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()
        assert not thread.is_alive(), "the server did not stop"


@dataclass
class Cluster:
    """Two workers; ``http_a``/``http_b`` call their REST APIs, ``ws_a``/``ws_b`` are their
    WebSocket URLs; ``cast`` signs members up through worker B."""

    http_a: httpx.AsyncClient
    http_b: httpx.AsyncClient
    ws_a: str
    ws_b: str
    cast: Cast


@pytest.fixture
async def cluster(settings: Settings, redis_url: str) -> AsyncIterator[Cluster]:
    shared = settings.with_(redis_url=redis_url)
    apps = [create_app(shared), create_app(shared)]
    for app in apps:
        app.state.services.hasher = FAST_HASHER
    # Scene-setting that bypasses the API (connections) uses its own engine, in this loop.
    setup = Services.create(settings)
    with serve_in_thread(apps[0]) as host_a, serve_in_thread(apps[1]) as host_b:
        async with (
            httpx.AsyncClient(base_url=f"http://{host_a}") as http_a,
            httpx.AsyncClient(base_url=f"http://{host_b}") as http_b,
        ):
            yield Cluster(
                http_a,
                http_b,
                f"ws://{host_a}/api/v1/events",
                f"ws://{host_b}/api/v1/events",
                Cast(People(http_b), setup),
            )
    await setup.close()


def ws_url(base: str, persona: Persona, **params: str) -> str:
    return f"{base}?{httpx.QueryParams({'token': persona.token, **params})}"


async def receive(ws: ClientConnection) -> dict[str, Any]:
    frame: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), WAIT))
    return frame


async def assert_silent(ws: ClientConnection) -> None:
    with pytest.raises(TimeoutError):
        extra = await asyncio.wait_for(ws.recv(), QUIET)
        pytest.fail(f"unexpected frame {extra!r}")


async def test_a_member_on_worker_a_receives_what_was_sent_through_worker_b(
    cluster: Cluster,
) -> None:
    alice, bob = await cluster.cast.add("alice", "bob")
    await cluster.cast.connect("alice", "bob")
    cid = (await start(cluster.http_b, alice, "bob", text="first"))["conversation"]["id"]
    async with connect(ws_url(cluster.ws_a, bob, since="0")) as bob_on_a:
        # The replay shows the socket is subscribed (it subscribes before replaying).
        replayed = await receive(bob_on_a)
        assert (replayed["cursor"], replayed["data"]["message"]["text"]) == ("1", "first")

        sent = await send(cluster.http_b, alice, cid, "through B")
        frame = await receive(bob_on_a)
        assert frame["cursor"] == "2" and frame["type"] == "message.created"
        assert frame["data"] == {"conversation_id": cid, "message": sent}
        await assert_silent(bob_on_a)

        # And the other way round: Bob sends through A, Alice listens on B.
        async with connect(ws_url(cluster.ws_b, alice)) as alice_on_b:
            await asyncio.sleep(QUIET)  # no replay to wait for: give the socket time to subscribe
            await send(cluster.http_a, bob, cid, "through A")
            frame = await receive(alice_on_b)
            assert frame["cursor"] == "3" and frame["data"]["message"]["text"] == "through A"
            await assert_silent(alice_on_b)
        # Bob's own copy of his message, on his socket at A.
        frame = await receive(bob_on_a)
        assert frame["cursor"] == "3" and frame["data"]["message"]["text"] == "through A"
        await assert_silent(bob_on_a)


async def test_typing_crosses_workers(cluster: Cluster) -> None:
    alice, bob = await cluster.cast.add("alice", "bob")
    await cluster.cast.connect("alice", "bob")
    cid = (await start(cluster.http_b, alice, "bob", text="hi"))["conversation"]["id"]
    async with (
        connect(ws_url(cluster.ws_a, bob, since="0")) as bob_on_a,
        connect(ws_url(cluster.ws_b, alice, since="0")) as alice_on_b,
    ):
        assert (await receive(bob_on_a))["cursor"] == "1"
        assert (await receive(alice_on_b))["cursor"] == "1"
        await alice_on_b.send(json.dumps({"type": "typing", "conversation_id": cid}))
        frame = await receive(bob_on_a)
        assert frame == {
            "cursor": None,
            "type": "typing",
            "data": {"conversation_id": cid, "member": alice.member},
        }
        await assert_silent(bob_on_a)
        await assert_silent(alice_on_b)  # not echoed to the typist


async def test_a_lost_redis_connection_loses_no_event(cluster: Cluster, redis: Redis) -> None:
    alice, bob = await cluster.cast.add("alice", "bob")
    await cluster.cast.connect("alice", "bob")
    cid = (await start(cluster.http_b, alice, "bob", text="one"))["conversation"]["id"]
    async with connect(ws_url(cluster.ws_a, bob, since="0")) as bob_on_a:
        assert (await receive(bob_on_a))["cursor"] == "1"
        # Both workers' pub/sub connections (this process's) are cut; sends go on meanwhile.
        cut = await sub_connections(redis, f"inroad-events-{os.getpid()}")
        assert len(cut) == 2
        for conn in cut:
            await redis.client_kill_filter(_id=conn["id"])
        for text in ("two", "three"):
            await send(cluster.http_b, alice, cid, text)
        frames = [await receive(bob_on_a) for _ in range(2)]
        assert [(f["cursor"], f["data"]["message"]["text"]) for f in frames] == [
            ("2", "two"),
            ("3", "three"),
        ]
        await assert_silent(bob_on_a)
        await send(cluster.http_b, alice, cid, "four")
        assert (await receive(bob_on_a))["cursor"] == "4"
        await assert_silent(bob_on_a)
