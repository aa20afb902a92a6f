"""The Redis event bus: live events shared by every worker process (PRODUCT.md §6).

With ``INROAD_REDIS_URL`` set, each worker runs one ``RedisBus``:

- ``publish`` sends each committed event to its member's channel, ``inroad:{db}:ev:{member_id}``
  (``{db}`` is the URL's database number: Redis channels are global to the server, so the number
  keeps two deployments sharing one Redis apart). The events of one transaction go out in one
  pipelined round trip, in order. Failures are logged, never raised: the events are already in
  the ``events`` table.
- ``subscribe`` registers a local queue; the first local subscriber for a member SUBSCRIBEs the
  member's channel and the last one to leave UNSUBSCRIBEs it. One pub/sub connection per worker,
  read by one task that dispatches each message to the member's local queues.

Nothing is missed, because the WebSocket subscribes before it replays from the events table:

- ``subscribe`` returns only once Redis has confirmed the SUBSCRIBE, so every event published
  afterwards reaches the queue (and anything earlier is in the table the socket then reads).
- If the connection is lost, the reader reconnects with backoff, re-subscribes every member that
  has local subscribers and, once Redis confirms, puts ``Lagged`` in each of their queues: the
  WebSocket then re-reads the events table from its last cursor, so events published while the
  connection was down are delivered without the client having to reconnect. A subscriber that
  arrives while the connection is down is registered locally and covered the same way.
- Events from different workers may arrive out of cursor order; the WebSocket reads any gap from
  the table (see ``ws.py``). Typing events (no cursor) are live-only and simply lost in an outage.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import os
import socket
from collections import deque
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any

from redis.asyncio import ConnectionPool, Redis
from redis.asyncio.connection import AbstractConnection
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff, NoBackoff
from redis.exceptions import RedisError

from inroad.realtime.bus import Event, SubscriberQueue, Subscription

log = logging.getLogger("inroad.realtime")

# Reconnection backoff for the pub/sub connection: doubles from MIN to MAX; back to MIN once a
# connection has lasted MAX seconds.
MIN_BACKOFF = 0.1
MAX_BACKOFF = 5.0
# How long ``start`` waits for the first connection, and a subscriber for Redis to confirm its
# SUBSCRIBE. Past that the connection is presumed dead and replaced (everyone then catches up).
CONNECT_WAIT = 5.0
SUBSCRIBE_WAIT = 5.0
# Publishing happens after commit, while the client waits for its response: fail fast.
PUBLISH_TIMEOUT = 2.0
# The pub/sub connection is mostly silent, so a peer that vanished (host down, a NAT dropping the
# flow) is only noticed by TCP keepalive: probe after 30 s idle, give up after 3 missed probes.
KEEPALIVE = {
    option: value
    for name, value in (("TCP_KEEPIDLE", 30), ("TCP_KEEPINTVL", 10), ("TCP_KEEPCNT", 3))
    if (option := getattr(socket, name, None)) is not None
}


def encode(event: Event) -> str:
    """``cursor\\ntype\\ndata`` (an empty cursor for live-only events). Neither the cursor nor
    the type contains a newline, so the data (JSON text) needs no escaping."""
    cursor = "" if event.cursor is None else str(event.cursor)
    return f"{cursor}\n{event.type}\n{event.data}"


def decode(member_id: int, payload: bytes) -> Event:
    """The inverse of ``encode``; ``ValueError`` for anything else."""
    cursor, type_, data = payload.decode().split("\n", 2)
    return Event(member_id, int(cursor) if cursor else None, type_, data)


@dataclass(slots=True)
class _Pending:
    """A SUBSCRIBE sent and not yet confirmed. ``resync``: after a reconnect, the member's
    subscribers may have missed events and are sent ``Lagged`` on confirmation."""

    member_id: int
    confirmed: asyncio.Future[None]
    resync: bool


class RedisBus:
    """The ``EventBus`` over Redis pub/sub. Use from one event loop; ``start`` in the app's
    lifespan (``subscribe`` also starts it), ``close`` at shutdown."""

    def __init__(self, url: str, *, client_name: str | None = None) -> None:
        # Connection names (CLIENT LIST) say whose they are: ``…:pub`` publishes, ``…:sub`` reads.
        name = client_name or f"inroad-events-{os.getpid()}"
        self._publisher = Redis.from_url(
            url,
            client_name=f"{name}:pub",
            socket_connect_timeout=PUBLISH_TIMEOUT,
            socket_timeout=PUBLISH_TIMEOUT,
            # One quick retry covers a pooled connection that went stale (a Redis restart).
            retry=Retry(ExponentialBackoff(cap=0.2, base=0.05), 1),
        )
        # RESP2 and no retries: the reader owns this connection's life — it must see every loss,
        # because a silent reconnect would drop the subscriptions without anyone catching up.
        self._pool = ConnectionPool.from_url(
            url,
            protocol=2,
            max_connections=1,
            client_name=f"{name}:sub",
            socket_connect_timeout=CONNECT_WAIT,
            socket_keepalive=True,
            socket_keepalive_options=KEEPALIVE,
            retry=Retry(NoBackoff(), 0),
        )
        self._prefix = f"inroad:{self._pool.connection_kwargs.get('db', 0)}:ev:"
        self._local: dict[int, set[SubscriberQueue]] = {}
        # Per member with local subscribers: resolved once Redis confirmed its SUBSCRIBE (or the
        # connection was lost, after which the reconnect resyncs them).
        self._ready: dict[int, asyncio.Future[None]] = {}
        # Per channel, SUBSCRIBEs in the order sent: Redis confirms them in that order.
        self._pending: dict[bytes, deque[_Pending]] = {}
        self._conn: AbstractConnection | None = None  # set while the pub/sub connection is up
        self._reader: asyncio.Task[None] | None = None
        self._attempted = asyncio.Event()  # the reader's first connection attempt has finished
        self._closed = False

    def channel(self, member_id: int) -> bytes:
        return f"{self._prefix}{member_id}".encode()

    async def start(self) -> None:
        """Start the reader and wait (up to ``CONNECT_WAIT``) for its first connection attempt;
        an unreachable Redis is logged and retried in the background, not raised."""
        self._start_reader()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._attempted.wait(), CONNECT_WAIT)

    def _start_reader(self) -> None:
        if self._reader is None and not self._closed:
            self._reader = asyncio.get_running_loop().create_task(
                self._run(), name="inroad-redis-bus"
            )

    async def publish(self, events: Sequence[Event]) -> None:
        if not events or self._closed:
            return
        try:
            async with self._publisher.pipeline(transaction=False) as pipe:
                for event in events:
                    pipe.publish(self.channel(event.member_id), encode(event))
                await pipe.execute()
        except Exception as exc:
            log.error(
                "publishing %d events to Redis failed (%s); clients will catch up via sync",
                len(events),
                exc,
            )

    def subscribe(self, member_id: int) -> AbstractAsyncContextManager[Subscription]:
        return self._subscription(member_id)

    @asynccontextmanager
    async def _subscription(self, member_id: int) -> AsyncIterator[Subscription]:
        queue = SubscriberQueue()
        if self._closed:
            queue.close()
            yield queue
            return
        self._start_reader()
        queues = self._local.setdefault(member_id, set())
        first = not queues
        queues.add(queue)
        try:
            if first:
                conn = self._conn
                self._ready[member_id] = self._expect_confirmation(member_id, resync=False)
                if conn is not None:
                    await self._send(conn, "SUBSCRIBE", self.channel(member_id))
            await self._confirmed(member_id)
            yield queue
        finally:
            queues.discard(queue)
            if not queues and self._local.get(member_id) is queues:
                del self._local[member_id]
                self._ready.pop(member_id, None)
                conn = self._conn
                if conn is not None:
                    await self._send(conn, "UNSUBSCRIBE", self.channel(member_id))

    def _expect_confirmation(self, member_id: int, *, resync: bool) -> asyncio.Future[None]:
        """Note a SUBSCRIBE about to be sent on the current connection; the future resolves when
        Redis confirms it. Without a connection it is resolved at once: the reader subscribes
        every local member when it connects, and resyncs them. Synchronous, so that whoever
        arrives next for the member finds the future to wait on."""
        confirmed = asyncio.get_running_loop().create_future()
        if self._conn is None:
            confirmed.set_result(None)
        else:
            channel = self.channel(member_id)
            waiting = self._pending.setdefault(channel, deque())
            waiting.append(_Pending(member_id, confirmed, resync))
        return confirmed

    async def _confirmed(self, member_id: int) -> None:
        ready = self._ready.get(member_id)
        if ready is None or ready.done():
            return
        try:
            await asyncio.wait_for(asyncio.shield(ready), SUBSCRIBE_WAIT)
        except TimeoutError:
            # Redis accepted the command but never answered: treat the connection as lost, so
            # the reader reconnects and every subscriber (this one too) catches up.
            log.warning("Redis did not confirm a SUBSCRIBE in %.0fs; reconnecting", SUBSCRIBE_WAIT)
            conn = self._conn
            if conn is not None:
                await conn.disconnect(nowait=True)

    async def _send(self, conn: AbstractConnection, *args: Any) -> None:
        """A command on the pub/sub connection (its reply is read by the reader). A failure means
        the connection is gone, which the reader sees and repairs."""
        if self._conn is not conn or not conn.is_connected:
            return  # lost meanwhile: the reader's reconnect subscribes whoever is still here
        try:
            await conn.send_command(*args)
        except Exception as exc:
            log.warning("Redis pub/sub command %s failed: %s", args[0], exc)

    async def _run(self) -> None:
        """Connect, listen, and on any failure reconnect with backoff — until cancelled."""
        loop = asyncio.get_running_loop()
        delay = MIN_BACKOFF
        lost = False
        while True:
            conn: AbstractConnection | None = None
            connected_at = loop.time()
            try:
                conn = await self._pool.get_connection()  # type: ignore[no-untyped-call]
                connected_at = loop.time()
                if lost:
                    log.warning("Redis pub/sub connection restored; subscribers catch up")
                await self._listen(conn)
            except (RedisError, OSError) as exc:
                if conn is None:
                    log.warning("Redis pub/sub unavailable (%s); retrying in %.1fs", exc, delay)
                else:
                    log.warning("Redis pub/sub connection lost (%s); reconnecting", exc)
            except Exception:
                log.exception("the Redis bus reader failed; reconnecting")
            finally:
                self._disconnected()
                if conn is not None:
                    await conn.disconnect(nowait=True)
                    await self._pool.release(conn)
            self._attempted.set()
            lost = True
            if conn is not None and loop.time() - connected_at >= MAX_BACKOFF:
                delay = MIN_BACKOFF
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_BACKOFF)

    async def _listen(self, conn: AbstractConnection) -> None:
        # From here on, first subscribers send their own SUBSCRIBE on this connection; members
        # already registered are re-subscribed here in one command, and resynced once confirmed.
        self._conn = conn
        members = list(self._local)
        for member_id in members:
            self._ready[member_id] = self._expect_confirmation(member_id, resync=True)
        if members:
            await conn.send_command("SUBSCRIBE", *(self.channel(m) for m in members))
        self._attempted.set()
        while True:
            reply = await conn.read_response(timeout=math.inf)
            self._dispatch(reply)

    def _dispatch(self, reply: Any) -> None:
        if not isinstance(reply, list) or len(reply) != 3:
            return
        kind, channel, payload = reply
        if kind == b"message":
            try:
                member_id = int(channel[len(self._prefix) :])
                queues = self._local.get(member_id)
                if queues:
                    event = decode(member_id, payload)
                    for queue in queues:
                        queue.put(event)
            except ValueError:
                log.warning("ignoring a malformed message on Redis channel %r", channel)
        elif kind == b"subscribe":
            waiting = self._pending.get(channel)
            if not waiting:
                return
            pending = waiting.popleft()
            if not waiting:
                del self._pending[channel]
            if not pending.confirmed.done():
                pending.confirmed.set_result(None)
            if pending.resync:
                for queue in self._local.get(pending.member_id, ()):
                    queue.lag()

    def _disconnected(self) -> None:
        """The connection is gone: release everyone waiting for a confirmation (the reconnect
        re-subscribes and resyncs them)."""
        self._conn = None
        for waiting in self._pending.values():
            for pending in waiting:
                if not pending.confirmed.done():
                    pending.confirmed.set_result(None)
        self._pending.clear()

    async def close(self) -> None:
        """End every subscription, stop the reader, close both connections."""
        if self._closed:
            return
        self._closed = True
        for queues in self._local.values():
            for queue in queues:
                queue.close()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        self._disconnected()
        await self._pool.aclose()
        await self._publisher.aclose()
