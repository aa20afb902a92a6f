"""The graph functions other domains call: degrees, mutual counts, connection upkeep."""

from __future__ import annotations

import itertools

import pytest
import sqlalchemy as sa

from inroad.accounts.tables import members
from inroad.network import graph
from inroad.services import Services
from tests.conftest import People
from tests.factories import connect, member_id
from tests.network.helpers import bulk_connect, connection_count, filler_ids


async def chain(people: People, services: Services, *names: str) -> list[int]:
    """Members connected in a line: names[0] – names[1] – …; returns their ids."""
    handles = [(await people.make(n)).handle for n in names]
    for a, b in itertools.pairwise(handles):
        await connect(services, a, b)
    return [await member_id(services, h) for h in handles]


async def test_degrees_along_a_chain(people: People, services: Services) -> None:
    me, d1, d2, d3, d4 = await chain(people, services, "Me", "One", "Two", "Three", "Four")
    lonely = await member_id(services, (await people.make("Lonely")).handle)
    async with services.db.read() as conn:
        seen = await graph.degrees_and_mutuals(conn, me, [d1, d2, d3, d4, lonely, me, d2])
        assert seen == {d1: (1, 0), d2: (2, 1), d3: (3, 0), d4: (None, 0), lonely: (None, 0)}
        # Symmetric from the far end.
        assert (await graph.degrees_and_mutuals(conn, d3, [me]))[me] == (3, 0)
        assert await graph.degrees_and_mutuals(conn, me, []) == {}


async def test_mutual_counts_for_connected_and_unconnected(
    people: People, services: Services
) -> None:
    a, b, c, d, e = await chain(people, services, "A", "B", "C", "D", "E")
    async with services.db.read() as conn:
        rows = await conn.execute(
            sa.select(members.c.id, members.c.handle).where(members.c.id.in_([a, c, d]))
        )
        handles = {i: h for i, h in rows}
    # Add a–c and a–d: now a and c share b and d.
    await connect(services, handles[a], handles[c])
    await connect(services, handles[a], handles[d])
    async with services.db.read() as conn:
        assert await graph.mutual_count(conn, a, c) == 2  # b and d
        assert await graph.mutual_count(conn, c, a) == 2
        assert await graph.mutual_count(conn, a, a) == 0
        assert await graph.has_mutual(conn, a, e)  # d
        assert not await graph.has_mutual(conn, b, e)
        assert await graph.mutual_ids(conn, a, c) == sorted([b, d])
        assert await graph.mutual_ids(conn, a, c, after=min(b, d)) == [max(b, d)]
        assert await graph.mutual_ids(conn, a, c, limit=1) == [min(b, d)]
        seen = await graph.degrees_and_mutuals(conn, a, [c, e])
        assert seen == {c: (1, 2), e: (2, 1)}


async def test_clauses_for_search_filters(people: People, services: Services) -> None:
    me, one, two, _three = await chain(people, services, "Me", "One", "Two", "Three")
    async with services.db.read() as conn:
        first = (
            (
                await conn.execute(
                    sa.select(members.c.id)
                    .where(graph.connected_clause(me, members.c.id))
                    .order_by(members.c.id)
                )
            )
            .scalars()
            .all()
        )
        assert first == [one]
        with_mutual = (
            (
                await conn.execute(
                    sa.select(members.c.id)
                    .where(graph.has_mutual_clause(me, members.c.id))
                    .order_by(members.c.id)
                )
            )
            .scalars()
            .all()
        )
        # The viewer shares every connection with themself: callers leave the viewer out.
        assert with_mutual == [me, two]


async def test_third_degree_budget_gives_none_when_spent(
    people: People, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    me, _, _, far = await chain(people, services, "Me", "One", "Two", "Far")
    async with services.db.read() as conn:
        assert (await graph.degrees_and_mutuals(conn, me, [far]))[far] == (3, 0)
    # With no budget to walk, a real 3rd-degree member reads as beyond (never as 1st or 2nd).
    monkeypatch.setattr(graph, "THIRD_DEGREE_BUDGET", 0)
    monkeypatch.setattr(graph, "MIN_THIRD_DEGREE_SHARE", 0)
    async with services.db.read() as conn:
        assert (await graph.degrees_and_mutuals(conn, me, [far]))[far] == (None, 0)


async def test_add_and_remove_connection_keep_counts(people: People, services: Services) -> None:
    a_p, b_p = await people.make("A"), await people.make("B")
    a, b = await member_id(services, a_p.handle), await member_id(services, b_p.handle)
    now = services.clock.now()
    async with services.db.write() as conn:
        assert await graph.add_connection(conn, a, b, now)
        assert not await graph.add_connection(conn, b, a, now)
        assert not await graph.add_connection(conn, a, a, now)
    assert await connection_count(services, a_p.handle) == 1
    assert await connection_count(services, b_p.handle) == 1
    async with services.db.read() as conn:
        assert await graph.is_connected(conn, a, b) and await graph.is_connected(conn, b, a)
    async with services.db.write() as conn:
        assert await graph.remove_connection(conn, b, a)
        assert not await graph.remove_connection(conn, a, b)
    assert await connection_count(services, a_p.handle) == 0
    assert await connection_count(services, b_p.handle) == 0


async def test_graph_queries_with_a_member_at_the_cap(people: People, services: Services) -> None:
    """Correct (not timed: bench/bench_graph.py times it) for a member with 30,000 connections."""
    hub_p, peer_p = await people.make("Hub"), await people.make("Peer")
    await bulk_connect(services, hub_p.handle, 30_000)
    hub, peer = await member_id(services, hub_p.handle), await member_id(services, peer_p.handle)
    fillers = await filler_ids(services, "bulk", 3)
    for filler in fillers:
        async with services.db.write() as conn:
            await graph.add_connection(conn, peer, filler, services.clock.now())
    async with services.db.read() as conn:
        assert await graph.mutual_count(conn, hub, peer) == 3
        assert await graph.mutual_ids(conn, peer, hub) == list(fillers)
        seen = await graph.degrees_and_mutuals(conn, hub, [peer, *fillers])
        assert seen[peer] == (2, 3)
        assert all(seen[f][0] == 1 for f in fillers)
        assert seen[fillers[0]][1] == 0  # the peer is not connected to the hub


async def test_remove_all_connections(people: People, services: Services) -> None:
    me, a, b = await chain(people, services, "Me", "A", "B")
    async with services.db.write() as conn:
        await graph.remove_all_connections(conn, a)
    async with services.db.read() as conn:
        counts = await graph.connection_counts(conn, [me, a, b])
    assert counts == {me: 0, a: 0, b: 0}


async def test_two_long_lists_merge_with_the_same_answers(
    people: People, services: Services
) -> None:
    """Members with long lists of similar length take the merge path (``graph.merges``)."""
    one_p, two_p = await people.make("One"), await people.make("Two")
    await bulk_connect(services, one_p.handle, 1_200, prefix="first")
    await bulk_connect(services, two_p.handle, 1_100, prefix="second")
    one, two = await member_id(services, one_p.handle), await member_id(services, two_p.handle)
    shared = await filler_ids(services, "first", 5)
    async with services.db.write() as conn:
        for filler in shared:
            await graph.add_connection(conn, two, filler, services.clock.now())
    async with services.db.read() as conn:
        counts = await graph.connection_counts(conn, [one, two])
        assert graph.merges(one, two, counts)
        assert await graph.mutual_count(conn, one, two) == 5
        assert await graph.mutual_count(conn, two, one) == 5
        assert await graph.has_mutual(conn, one, two)
        assert await graph.mutual_ids(conn, one, two) == list(shared)
        assert await graph.mutual_ids(conn, one, two, limit=2) == list(shared[:2])
        assert await graph.mutual_ids(conn, two, one, after=shared[1], limit=2) == list(shared[2:4])
        seen = await graph.degrees_and_mutuals(conn, one, [two, shared[0]])
        assert seen == {two: (2, 5), shared[0]: (1, 0)}
