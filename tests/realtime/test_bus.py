"""The in-process bus: fan-out by member, registration on enter, overflow, shutdown."""

from __future__ import annotations

import asyncio

import pytest

from inroad.realtime import bus as bus_module
from inroad.realtime.bus import Event, InProcessBus, Lagged


def event(member_id: int, cursor: int | None, type_: str = "message.created") -> Event:
    return Event(member_id, cursor, type_, f'{{"n":{cursor or 0}}}')


async def test_events_reach_only_their_members_subscribers() -> None:
    bus = InProcessBus()
    async with bus.subscribe(1) as first, bus.subscribe(1) as second, bus.subscribe(2) as other:
        await bus.publish([event(1, 1), event(2, 1), event(1, 2)])
        assert [await anext(first), await anext(first)] == [event(1, 1), event(1, 2)]
        assert [await anext(second), await anext(second)] == [event(1, 1), event(1, 2)]
        assert await anext(other) == event(2, 1)
    assert bus.subscriber_count(1) == 0
    await bus.publish([event(1, 3)])  # nobody listening: dropped, no error


async def test_frame_is_the_event_json() -> None:
    assert event(1, 7).frame() == '{"cursor":"7","type":"message.created","data":{"n":7}}'
    assert event(1, None, "typing").frame() == '{"cursor":null,"type":"typing","data":{"n":0}}'


async def test_overflow_raises_lagged_and_the_subscription_continues(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(bus_module, "QUEUE_LIMIT", 3)
    bus = InProcessBus()
    async with bus.subscribe(1) as sub:
        await bus.publish([event(1, c) for c in range(1, 6)])
        with pytest.raises(Lagged):
            await anext(sub)
        # What was published after the overflow is still delivered.
        assert await anext(sub) == event(1, 4)
        assert await anext(sub) == event(1, 5)


async def test_close_ends_every_subscription() -> None:
    bus = InProcessBus()
    async with bus.subscribe(1) as sub:
        waiting = asyncio.create_task(anext(sub))
        await asyncio.sleep(0)
        await bus.close()
        with pytest.raises(StopAsyncIteration):
            await waiting
        with pytest.raises(StopAsyncIteration):
            await anext(sub)
    async with bus.subscribe(1) as late:
        with pytest.raises(StopAsyncIteration):
            await anext(late)
