"""The demo graph: clustered, with hubs, counts right, and pending invitations for everyone."""

from __future__ import annotations

import random
from collections import Counter

import sqlalchemy as sa

from inroad.accounts.tables import members
from inroad.network import rules
from inroad.network.demo import seed_network
from inroad.network.tables import connections, invitations
from inroad.profiles.tables import education, positions
from inroad.services import Services
from tests.network.helpers import filler_ids, filler_members


async def make_cast(services: Services, n: int) -> list[int]:
    await filler_members(services, n, "demo")
    ids = await filler_ids(services, "demo")
    now = services.clock.now()
    async with services.db.write() as conn:
        companies = [f"Company {c}" for c in "ABCDEFGHIJKL"]
        schools = ["NYU", "MIT", "ETH", "EPFL", "UCL", "TUM"]
        await conn.execute(
            positions.insert(),
            [
                {
                    "member_id": m,
                    "company": companies[i % len(companies)],
                    "title": "Engineer",
                    "start_month": "2018-01",
                    "end_month": None,
                    "created_at": now,
                }
                for i, m in enumerate(ids)
            ],
        )
        await conn.execute(
            education.insert(),
            [
                {"member_id": m, "school": schools[i % len(schools)], "created_at": now}
                for i, m in enumerate(ids)
            ],
        )
    return ids


async def counts_are_right(services: Services) -> None:
    async with services.db.read() as conn:
        stored = dict(
            (await conn.execute(sa.select(members.c.id, members.c.connection_count))).all()
        )
        actual = Counter((await conn.execute(sa.select(connections.c.member_id))).scalars())
        symmetric = (
            await conn.execute(
                sa.select(sa.func.count())
                .select_from(connections.alias("x"))
                .where(
                    ~sa.exists().where(
                        connections.c.member_id == sa.literal_column("x.other_id"),
                        connections.c.other_id == sa.literal_column("x.member_id"),
                    )
                )
            )
        ).scalar_one()
    assert symmetric == 0
    assert all(stored[m] == actual.get(m, 0) for m in stored)


async def test_seed_network_builds_a_clustered_graph_with_invitations(services: Services) -> None:
    ids = await make_cast(services, 300)
    advanced: list[int] = []
    await seed_network(services, ids, random.Random(3), advanced.append)
    assert sum(advanced) == len(ids)
    await counts_are_right(services)
    async with services.db.read() as conn:
        degree = dict(
            (
                await conn.execute(
                    sa.select(members.c.id, members.c.connection_count).where(members.c.id.in_(ids))
                )
            ).all()
        )
        company = dict(
            (await conn.execute(sa.select(positions.c.member_id, positions.c.company))).all()
        )
        edges = (
            await conn.execute(sa.select(connections.c.member_id, connections.c.other_id))
        ).all()
        pending = (
            await conn.execute(
                sa.select(
                    invitations.c.sender_id, invitations.c.recipient_id, invitations.c.note
                ).where(invitations.c.status == rules.PENDING)
            )
        ).all()
    # Clustered: many links join colleagues (one pair in twelve would, at random).
    same_company = sum(1 for a, b in edges if company[a] == company[b])
    assert same_company / len(edges) > 0.3
    # Hubs: the first member (the demo account) knows far more people than the median member.
    assert degree[ids[0]] > 3 * sorted(degree.values())[len(ids) // 2]
    # Invitations: most members have one waiting, some with notes; never to a connection or twice.
    connected = {(a, b) for a, b in edges}
    assert len({r for _, r, _ in pending}) > len(ids) // 2
    assert any(note for _, _, note in pending)
    pairs = [(min(s, r), max(s, r)) for s, r, _ in pending]
    assert len(pairs) == len(set(pairs))
    assert not any((s, r) in connected for s, r, _ in pending)

    # A second run adds to the graph without breaking counts or duplicating open invitations.
    await seed_network(services, ids, random.Random(4))
    await counts_are_right(services)
