"""The event bus: how committed events reach the WebSocket connections that want them.

``EventBus`` is the seam: ``InProcessBus`` fans out within one process; ``RedisBus``
(``realtime/redis_bus.py``, chosen when ``INROAD_REDIS_URL`` is set) fans out across worker
processes. The bus is not durable and need not be: every event with a cursor is already in the
``events`` table, and a subscriber that may have missed some (a full queue, a lost Redis
connection) is told so (``Lagged``) and catches up from there.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Protocol

# A subscriber this many events behind is cut loose and told to catch up from storage.
QUEUE_LIMIT = 1000


@dataclass(frozen=True, slots=True)
class Event:
    """One event for one member. ``cursor`` is None for live-only events (typing);
    ``data`` is JSON text (serialised once, sent as-is)."""

    member_id: int
    cursor: int | None
    type: str
    data: str

    def frame(self) -> str:
        """The wire form: ``{"cursor": "17", "type": "message.created", "data": {…}}``."""
        cursor = "null" if self.cursor is None else f'"{self.cursor}"'
        return f'{{"cursor":{cursor},"type":{json.dumps(self.type)},"data":{self.data}}}'


class Lagged(Exception):
    """A subscription's queue overflowed: events were dropped; read them from storage."""


class Subscription(Protocol):
    """Live events for one member, in publish order. ``__anext__`` raises ``StopAsyncIteration``
    once the bus closes and ``Lagged`` (without ending the subscription) when events may have
    been missed (a queue overflow, a lost Redis connection): read them from storage."""

    def __aiter__(self) -> Subscription: ...

    async def __anext__(self) -> Event: ...


class EventBus(Protocol):
    async def start(self) -> None:
        """Begin background work (connections, reader tasks); called from the app's lifespan."""

    async def publish(self, events: Sequence[Event]) -> None:
        """Deliver each event to the current subscribers of its member. Call after commit.
        Never raises: a failure is logged (the events are durable; clients catch up)."""

    def subscribe(self, member_id: int) -> AbstractAsyncContextManager[Subscription]:
        """Register on enter (so nothing published afterwards is missed); unregister on exit."""

    async def close(self) -> None:
        """End every subscription."""


_CLOSED = object()
_LAGGED = object()


class SubscriberQueue:
    """One subscriber's queue (shared by the bus implementations); iterate with ``__anext__``
    (``Lagged`` does not end iteration, the end of the bus does)."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[Event | object] = asyncio.Queue()

    def put(self, event: Event) -> None:
        if self.queue.qsize() >= QUEUE_LIMIT:
            # Drop what is queued and say so: the reader catches up from the events table.
            while not self.queue.empty():
                self.queue.get_nowait()
            self.queue.put_nowait(_LAGGED)
        self.queue.put_nowait(event)

    def lag(self) -> None:
        """Tell the reader that events may have been missed (it re-reads the events table)."""
        self.queue.put_nowait(_LAGGED)

    def close(self) -> None:
        """End the subscription once what is queued has been read."""
        self.queue.put_nowait(_CLOSED)

    def __aiter__(self) -> SubscriberQueue:
        return self

    async def __anext__(self) -> Event:
        item = await self.queue.get()
        if item is _CLOSED:
            self.queue.put_nowait(_CLOSED)  # stay closed for any further call
            raise StopAsyncIteration
        if item is _LAGGED:
            raise Lagged
        assert isinstance(item, Event)
        return item


class InProcessBus:
    """Fan-out to subscribers in this process. Must be used from the event loop's thread."""

    def __init__(self) -> None:
        self._subscribers: dict[int, set[SubscriberQueue]] = {}
        self._closed = False

    async def start(self) -> None:
        """Nothing to start: fan-out happens inside ``publish``."""

    async def publish(self, events: Sequence[Event]) -> None:
        subscribers = self._subscribers
        for event in events:
            for queue in subscribers.get(event.member_id, ()):
                queue.put(event)

    @asynccontextmanager
    async def _subscription(self, member_id: int) -> AsyncIterator[Subscription]:
        queue = SubscriberQueue()
        if self._closed:
            queue.close()
        else:
            self._subscribers.setdefault(member_id, set()).add(queue)
        try:
            yield queue
        finally:
            queues = self._subscribers.get(member_id)
            if queues is not None:
                queues.discard(queue)
                if not queues:
                    del self._subscribers[member_id]

    def subscribe(self, member_id: int) -> AbstractAsyncContextManager[Subscription]:
        return self._subscription(member_id)

    def subscriber_count(self, member_id: int) -> int:
        return len(self._subscribers.get(member_id, ()))

    async def close(self) -> None:
        self._closed = True
        for queues in self._subscribers.values():
            for queue in queues:
                queue.close()
