"""People You May Know: ranked by mutual connections, then shared employers (overlapping dates
first), schools, industry and location (PRODUCT.md §2); each suggestion says why.

Bounded at any scale: candidates come from index ranges with a LIMIT each —
- friends of friends: the connections of the member's ``FRIENDS_SAMPLED`` most recent
  connections, at most ``FOF_ROWS`` rows read, the ``FOF_CANDIDATES`` most frequent kept;
- the same company / school (``ix_positions_company``, ``ix_education_school``), ``ORG_ROWS`` each;
- the same industry / location, newest members first (``ix_members_industry_id``,
  ``ix_members_location_id``);
then a preliminary ranking on what is known, keeping ``PRELIMINARY_CANDIDATES``; exclusions (self,
connections, open invitations either way, blocks either way, dismissed, deleted or suspended) in
one statement over those; and exact mutual counts and degrees for the best ``EXACT_CANDIDATES``.
A friend of a friend beyond the sampled connections can be missed; the ranking among those found
is exact.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from inroad.accounts.actor import Actor
from inroad.accounts.tables import members
from inroad.network import graph, rules
from inroad.network.queries import check_limit, member_rows
from inroad.network.tables import blocks, connections, dismissed_suggestions, invitations
from inroad.profiles.tables import education, positions
from inroad.profiles.views import member_view
from inroad.services import Services

FRIENDS_SAMPLED = 200
FOF_ROWS = 20_000
FOF_CANDIDATES = 300
ORG_ROWS = 400
ATTRIBUTE_ROWS = 100
PRELIMINARY_CANDIDATES = 200
EXACT_CANDIDATES = 60
CURRENT = "9999-12"  # sorts after every "YYYY-MM": an open end month


@dataclass
class Candidate:
    member_id: int
    approx_mutual: int = 0
    mutual: int = 0
    degree: int | None = None
    # Per shared company: whether the dates overlapped, and the overlap as (start, end) months.
    employers: dict[str, tuple[bool, str, str]] = field(default_factory=dict)
    schools: set[str] = field(default_factory=set)
    industry: bool = False
    location: bool = False

    @property
    def employer_rank(self) -> int:
        if any(overlap for overlap, _, _ in self.employers.values()):
            return 2
        return 1 if self.employers else 0

    def key(self, mutual: int) -> tuple[int, int, int, int, int, int]:
        return (
            mutual,
            self.employer_rank,
            int(bool(self.schools)),
            int(self.industry),
            int(self.location),
            self.member_id,
        )


def _norm(text: str) -> str:
    return text.strip().lower()


def _overlap(a: tuple[str, str | None], b: tuple[str, str | None]) -> tuple[bool, str, str]:
    start = max(a[0], b[0])
    end = min(a[1] or CURRENT, b[1] or CURRENT)
    return start <= end, start, end


def employer_reason(company: str, overlap: bool, start: str, end: str) -> str:
    """ "You both worked at Acme (2019–2021)", "You both work at Acme (since 2021)", or without
    dates when the two were there at different times."""
    if not overlap:
        return f"You both worked at {company}"
    if end == CURRENT:
        return f"You both work at {company} (since {start[:4]})"
    years = start[:4] if start[:4] == end[:4] else f"{start[:4]}–{end[:4]}"
    return f"You both worked at {company} ({years})"


def reasons_for(c: Candidate, me: sa.RowMapping) -> list[str]:
    reasons = []
    if c.mutual:
        reasons.append(f"{c.mutual} mutual connection{'s' if c.mutual != 1 else ''}")
    if c.employers:
        company, (overlap, start, end) = max(
            c.employers.items(), key=lambda item: (item[1][0], item[1][2])
        )
        reasons.append(employer_reason(company, overlap, start, end))
    for school in sorted(c.schools)[:1]:
        reasons.append(f"You both studied at {school}")
    if c.industry:
        reasons.append(f"Also in {me['industry']}")
    if c.location:
        reasons.append(f"Also in {me['location']}")
    return reasons


async def _friends_of_friends(conn: AsyncConnection, viewer: int) -> dict[int, int]:
    recent = (
        sa.select(connections.c.other_id)
        .where(connections.c.member_id == viewer)
        .order_by(connections.c.created_at.desc())
        .limit(FRIENDS_SAMPLED)
        .subquery("recent")
    )
    hop = connections.alias("hop")
    reached = (
        sa.select(hop.c.other_id.label("x"))
        .select_from(recent)
        .join(hop, hop.c.member_id == recent.c.other_id)
        .limit(FOF_ROWS)
        .subquery("reached")
    )
    counted = (
        sa.select(reached.c.x, sa.func.count().label("n")).group_by(reached.c.x).subquery("counted")
    )
    direct = connections.alias("direct")
    rows = await conn.execute(
        sa.select(counted.c.x, counted.c.n)
        .where(
            counted.c.x != viewer,
            ~sa.exists().where(direct.c.member_id == viewer, direct.c.other_id == counted.c.x),
        )
        .order_by(counted.c.n.desc(), counted.c.x.desc())
        .limit(FOF_CANDIDATES)
    )
    return {int(x): int(n) for x, n in rows}


async def _excluded(conn: AsyncConnection, viewer: int, ids: Sequence[int]) -> set[int]:
    """Candidates never to suggest: connected, open invitation either way, blocked either way,
    dismissed, deleted or suspended."""
    if not ids:
        return set()
    out: set[int] = set()
    statements = [
        sa.select(connections.c.other_id).where(
            connections.c.member_id == viewer, connections.c.other_id.in_(ids)
        ),
        sa.select(invitations.c.recipient_id).where(
            invitations.c.sender_id == viewer,
            invitations.c.recipient_id.in_(ids),
            invitations.c.status.in_(rules.SENDER_PENDING),
            invitations.c.withdrawn_at.is_(None),
        ),
        sa.select(invitations.c.sender_id).where(
            invitations.c.recipient_id == viewer,
            invitations.c.sender_id.in_(ids),
            invitations.c.status == rules.PENDING,
        ),
        sa.select(blocks.c.blocked_id).where(
            blocks.c.blocker_id == viewer, blocks.c.blocked_id.in_(ids)
        ),
        sa.select(blocks.c.blocker_id).where(
            blocks.c.blocked_id == viewer, blocks.c.blocker_id.in_(ids)
        ),
        sa.select(dismissed_suggestions.c.dismissed_id).where(
            dismissed_suggestions.c.member_id == viewer,
            dismissed_suggestions.c.dismissed_id.in_(ids),
        ),
        sa.select(members.c.id).where(
            members.c.id.in_(ids), sa.or_(members.c.deleted_at.is_not(None), members.c.suspended)
        ),
    ]
    rows = await conn.execute(sa.union(*statements))
    out.update(int(i) for i in rows.scalars())
    return out


async def _shared_orgs(
    conn: AsyncConnection,
    viewer: int,
    ids: Sequence[int] | None,
    my_positions: Sequence[Any],
    my_schools: Sequence[str],
    found: dict[int, Candidate],
) -> None:
    """Record shared employers and schools on candidates: all members sharing one (bounded by
    ``ORG_ROWS``) when ``ids`` is None, else just ``ids``."""
    companies = sorted({p.company for p in my_positions})
    if companies:
        query = sa.select(
            positions.c.member_id,
            positions.c.company,
            positions.c.start_month,
            positions.c.end_month,
        ).where(positions.c.company.in_(companies), positions.c.member_id != viewer)
        query = (
            query.where(positions.c.member_id.in_(ids))
            if ids is not None
            else query.order_by(positions.c.id.desc()).limit(ORG_ROWS)
        )
        for row in await conn.execute(query):
            c = found.setdefault(int(row.member_id), Candidate(int(row.member_id)))
            for mine in my_positions:
                if _norm(mine.company) != _norm(row.company):
                    continue
                overlap = _overlap(
                    (mine.start_month, mine.end_month), (row.start_month, row.end_month)
                )
                best = c.employers.get(mine.company)
                if best is None or (overlap[0], overlap[2]) > (best[0], best[2]):
                    c.employers[mine.company] = overlap
    if my_schools:
        schools = sa.select(education.c.member_id, education.c.school).where(
            education.c.school.in_(my_schools), education.c.member_id != viewer
        )
        schools = (
            schools.where(education.c.member_id.in_(ids))
            if ids is not None
            else schools.order_by(education.c.id.desc()).limit(ORG_ROWS)
        )
        for member_id, school in await conn.execute(schools):
            found.setdefault(int(member_id), Candidate(int(member_id))).schools.add(school)


async def _same_attribute(
    conn: AsyncConnection, viewer: int, column: sa.Column[str], value: str
) -> list[int]:
    if not value.strip():
        return []
    rows = await conn.execute(
        sa.select(members.c.id)
        .where(column == value, members.c.id != viewer, members.c.deleted_at.is_(None))
        .order_by(members.c.id.desc())
        .limit(ATTRIBUTE_ROWS)
    )
    return [int(i) for i in rows.scalars()]


async def suggestions(svc: Services, actor: Actor, *, limit: int = 20) -> dict[str, Any]:
    """``{items: [{member, reasons}], next_cursor: null}``: up to ``limit`` people, best first,
    each with at least one reason. A fixed number of statements, each bounded (module docstring)."""
    limit = check_limit(limit)
    viewer = actor.id
    async with svc.db.read() as conn:
        me = (await conn.execute(sa.select(members).where(members.c.id == viewer))).mappings().one()
        my_positions = (
            await conn.execute(
                sa.select(
                    positions.c.company, positions.c.start_month, positions.c.end_month
                ).where(positions.c.member_id == viewer)
            )
        ).all()
        my_schools = sorted(
            set(
                (
                    await conn.execute(
                        sa.select(education.c.school).where(education.c.member_id == viewer)
                    )
                ).scalars()
            )
        )
        found: dict[int, Candidate] = {}
        async with graph.index_plans(conn):
            for member_id, n in (await _friends_of_friends(conn, viewer)).items():
                found[member_id] = Candidate(member_id, approx_mutual=n)
        await _shared_orgs(conn, viewer, None, my_positions, my_schools, found)
        for member_id in await _same_attribute(conn, viewer, members.c.industry, me["industry"]):
            found.setdefault(member_id, Candidate(member_id)).industry = True
        for member_id in await _same_attribute(conn, viewer, members.c.location, me["location"]):
            found.setdefault(member_id, Candidate(member_id)).location = True
        found.pop(viewer, None)
        # Rank on what is known so far and keep the best few hundred: exclusions, profile rows
        # and exact counts are then read for a bounded set.
        ranked = sorted(found.values(), key=lambda c: c.key(c.approx_mutual), reverse=True)
        kept = {c.member_id: c for c in ranked[:PRELIMINARY_CANDIDATES]}
        for member_id in await _excluded(conn, viewer, list(kept)):
            kept.pop(member_id, None)
        rows = await member_rows(conn, kept)
        for member_id, c in kept.items():
            row = rows[member_id]
            c.industry = bool(me["industry"].strip()) and row["industry"] == me["industry"]
            c.location = bool(me["location"].strip()) and row["location"] == me["location"]
        best = sorted(kept.values(), key=lambda c: c.key(c.approx_mutual), reverse=True)
        best = best[: max(limit, min(EXACT_CANDIDATES, 3 * limit))]
        ids = [c.member_id for c in best]
        # Friends of friends found by count may share an employer or school too.
        await _shared_orgs(
            conn, viewer, ids, my_positions, my_schools, {c.member_id: c for c in best}
        )
        seen = await graph.degrees_and_mutuals(conn, viewer, ids)
    for c in best:
        c.degree, c.mutual = seen.get(c.member_id, (None, 0))
    best.sort(key=lambda c: c.key(c.mutual), reverse=True)
    items = []
    for c in best:
        reasons = reasons_for(c, me)
        if not reasons:
            continue
        view = member_view(
            rows[c.member_id], degree=c.degree, mutual_connections=c.mutual, seen_by_other=True
        )
        items.append({"member": view, "reasons": reasons})
        if len(items) == limit:
            break
    return {"items": items, "next_cursor": None}
