"""Demo data for the network: a realistic graph among existing members, and pending invitations.

Called by ``inroad demo`` after the members and their profiles exist. The graph is clustered the
way real networks are: people connect mostly with colleagues (current or past, more often when
their dates overlapped) and schoolmates, a few hubs (recruiters, community organisers) know a
large share of everyone, and a sprinkle of random links joins the clusters. Then every member gets
a pending invitation or two, with a note, from people they are not yet connected to.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from inroad.accounts.tables import members
from inroad.network import rules
from inroad.network.tables import connections, invitations
from inroad.profiles.tables import education, positions
from inroad.services import Services

CHUNK = 500  # ids per IN list and members per write transaction
HUB_SHARE = 0.02  # of members are hubs …
HUB_REACH = 0.3  # … each connected to about this share of everyone
COLLEAGUES = (2, 7)  # links per member inside each company they worked at
OVERLAP_BONUS = 3  # extra links when dates overlapped
SCHOOLMATES = (1, 4)
RANDOM_LINKS = (0, 2)
NOTES_PER_SENDER = 3
NOTES = (
    "Hi {first}, I enjoyed your post on {topic} — would love to stay in touch.",
    "Hello {first}! We overlapped at {org}; it would be great to connect.",
    "{first}, I'm building a team around {topic} and would value your perspective.",
    "Great meeting you at the {topic} meetup last week. Let's keep in touch!",
    "Hi {first}, fellow {org} alum here. Happy to connect.",
)
TOPICS = ("data platforms", "climate tech", "product design", "hiring", "open source", "fintech")


def _chunks(ids: Sequence[int], size: int = CHUNK) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


async def _profiles(
    conn: AsyncConnection, ids: Sequence[int]
) -> tuple[dict[str, list[tuple[int, str, str]]], dict[str, list[int]], dict[int, str]]:
    """Members by company (with start and end months), by school, and their first names."""
    by_company: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    by_school: dict[str, list[int]] = defaultdict(list)
    first_names: dict[int, str] = {}
    for chunk in _chunks(ids):
        jobs = await conn.execute(
            sa.select(
                positions.c.member_id,
                positions.c.company,
                positions.c.start_month,
                positions.c.end_month,
            ).where(positions.c.member_id.in_(chunk))
        )
        for member_id, company, start, end in jobs:
            by_company[company].append((int(member_id), start, end or "9999-12"))
        schools = await conn.execute(
            sa.select(education.c.member_id, education.c.school).where(
                education.c.member_id.in_(chunk)
            )
        )
        for member_id, school in schools:
            by_school[school].append(int(member_id))
        names = await conn.execute(
            sa.select(members.c.id, members.c.name).where(members.c.id.in_(chunk))
        )
        first_names.update({int(i): (name.split() or ["there"])[0] for i, name in names})
    return by_company, by_school, first_names


async def _existing_pairs(conn: AsyncConnection, ids: Sequence[int]) -> set[tuple[int, int]]:
    found: set[tuple[int, int]] = set()
    for chunk in _chunks(ids):
        rows = await conn.execute(
            sa.select(connections.c.member_id, connections.c.other_id).where(
                connections.c.member_id.in_(chunk)
            )
        )
        found.update((min(a, b), max(a, b)) for a, b in rows)
    return found


def plan_edges(
    ids: Sequence[int],
    by_company: dict[str, list[tuple[int, str, str]]],
    by_school: dict[str, list[int]],
    rng: random.Random,
) -> set[tuple[int, int]]:
    """The undirected edges (low id first) of a clustered graph with hubs; nobody past the cap."""
    edges: set[tuple[int, int]] = set()
    degree: Counter[int] = Counter()

    def link(a: int, b: int) -> None:
        pair = (min(a, b), max(a, b))
        if a == b or pair in edges:
            return
        if degree[a] >= rules.CONNECTION_CAP or degree[b] >= rules.CONNECTION_CAP:
            return
        edges.add(pair)
        degree[a] += 1
        degree[b] += 1

    for staff in by_company.values():
        if len(staff) < 2:
            continue
        for member_id, start, end in staff:
            for _ in range(rng.randint(*COLLEAGUES)):
                other, o_start, o_end = rng.choice(staff)
                link(member_id, other)
                if max(start, o_start) <= min(end, o_end) and rng.random() < 0.5:
                    for _ in range(OVERLAP_BONUS):
                        link(member_id, rng.choice(staff)[0])
    for alumni in by_school.values():
        if len(alumni) < 2:
            continue
        for member_id in alumni:
            for _ in range(rng.randint(*SCHOOLMATES)):
                link(member_id, rng.choice(alumni))
    for member_id in ids:
        for _ in range(rng.randint(*RANDOM_LINKS)):
            link(member_id, rng.choice(ids))
    # Hubs: the first member (the demo account) and a few others know many people.
    hubs = [
        ids[0],
        *rng.sample(list(ids[1:]), k=min(len(ids) - 1, max(1, int(len(ids) * HUB_SHARE)))),
    ]
    for hub in hubs:
        reach = max(1, int(len(ids) * HUB_REACH * rng.uniform(0.6, 1.2)))
        for other in rng.sample(list(ids), k=min(len(ids), reach)):
            link(hub, other)
    return edges


async def _write_edges(
    svc: Services,
    edges: set[tuple[int, int]],
    ids: Sequence[int],
    rng: random.Random,
    progress: Callable[[int], None] | None,
) -> None:
    """Insert the edges (both directions) and their counts, one transaction per chunk of
    members, each chunk holding the edges whose lower id falls in it."""
    now = svc.clock.now()
    by_low: dict[int, list[int]] = defaultdict(list)
    for a, b in edges:
        by_low[a].append(b)
    for chunk in _chunks(ids):
        rows = []
        counts: Counter[int] = Counter()
        for a in chunk:
            for b in by_low.get(a, ()):
                at = now - timedelta(days=rng.randint(1, 900), seconds=rng.randint(0, 86_399))
                rows.append({"member_id": a, "other_id": b, "created_at": at})
                rows.append({"member_id": b, "other_id": a, "created_at": at})
                counts[a] += 1
                counts[b] += 1
        if rows:
            async with svc.db.write() as conn:
                for start in range(0, len(rows), 1000):
                    await conn.execute(connections.insert(), rows[start : start + 1000])
                await conn.execute(
                    sa.update(members)
                    .where(members.c.id == sa.bindparam("mid"))
                    .values(connection_count=members.c.connection_count + sa.bindparam("n")),
                    [{"mid": m, "n": n} for m, n in sorted(counts.items())],
                )
        if progress is not None:
            progress(len(chunk))


@dataclass(frozen=True)
class PlannedInvitation:
    sender_id: int
    recipient_id: int
    note: str | None
    relation: str
    organization: str | None

    @property
    def pair(self) -> tuple[int, int]:
        return (min(self.sender_id, self.recipient_id), max(self.sender_id, self.recipient_id))


def plan_invitations(
    ids: Sequence[int],
    edges: set[tuple[int, int]],
    by_company: dict[str, list[tuple[int, str, str]]],
    first_names: dict[int, str],
    rng: random.Random,
) -> list[PlannedInvitation]:
    """One or two pending invitations to every member, from someone they are not connected to,
    most with a note (at most ``NOTES_PER_SENDER`` per sender, within the free plan's quota); no
    pair gets two, in either direction."""
    company_of: dict[int, str] = {}
    for company, staff in by_company.items():
        for member_id, _, _ in staff:
            company_of.setdefault(member_id, company)
    taken: set[tuple[int, int]] = set()
    notes_used: Counter[int] = Counter()
    planned = []
    for recipient in ids:
        for _ in range(rng.randint(1, 2)):
            sender = rng.choice(ids)
            pair = (min(sender, recipient), max(sender, recipient))
            if sender == recipient or pair in edges or pair in taken:
                continue
            taken.add(pair)
            org = company_of.get(sender)
            note = None
            if rng.random() < 0.7 and notes_used[sender] < NOTES_PER_SENDER:
                notes_used[sender] += 1
                note = rng.choice(NOTES).format(
                    first=first_names.get(recipient, "there"),
                    org=org or "Inroad",
                    topic=rng.choice(TOPICS),
                )[: rules.NOTE_MAX]
            colleagues = org is not None and org == company_of.get(recipient)
            planned.append(
                PlannedInvitation(
                    sender,
                    recipient,
                    note,
                    "colleague" if colleagues else rng.choice(("friend", "business", "other")),
                    org if colleagues else None,
                )
            )
    return planned


async def seed_network(
    svc: Services,
    member_ids: list[int],
    rng: random.Random,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Connect ``member_ids`` into a realistic graph and add pending invitations (module
    docstring). Pairs already connected are left alone; every ``connection_count`` stays right.
    ``progress(n)`` is called as connections for ``n`` more members are written (the calls add up
    to ``len(member_ids)``)."""
    ids = list(dict.fromkeys(member_ids))
    if len(ids) < 2:
        if progress is not None and ids:
            progress(len(ids))
        return
    async with svc.db.read() as conn:
        by_company, by_school, first_names = await _profiles(conn, ids)
        existing = await _existing_pairs(conn, ids)
    edges = plan_edges(ids, by_company, by_school, rng) - existing
    await _write_edges(svc, edges, ids, rng, progress)
    planned = plan_invitations(ids, edges | existing, by_company, first_names, rng)
    now = svc.clock.now()
    async with svc.db.write() as conn:
        # Skip pairs that already have an open invitation either way (a second demo run).
        open_pairs: set[tuple[int, int]] = set()
        for chunk in _chunks(ids):
            rows = await conn.execute(
                sa.select(invitations.c.sender_id, invitations.c.recipient_id).where(
                    invitations.c.recipient_id.in_(chunk),
                    invitations.c.status.in_(rules.SENDER_PENDING),
                    invitations.c.withdrawn_at.is_(None),
                )
            )
            open_pairs.update((min(a, b), max(a, b)) for a, b in rows)
        rows_out = [
            {
                "sender_id": p.sender_id,
                "recipient_id": p.recipient_id,
                "note": p.note,
                "how_relation": p.relation,
                "how_organization": p.organization,
                "status": rules.PENDING,
                "created_at": now
                - timedelta(days=rng.randint(0, 25), minutes=rng.randint(0, 1439)),
            }
            for p in planned
            if p.pair not in open_pairs
        ]
        for start in range(0, len(rows_out), 1000):
            await conn.execute(invitations.insert(), rows_out[start : start + 1000])
