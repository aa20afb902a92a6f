"""Shared context found in the data: what a sender and a recipient have in common.

``shared_context(conn, sender_id, recipient_id)`` lists it as ready-to-use phrases, strongest
first: mutual connections by name, the same employer (overlapping years before merely the same
company), the same school, shared skills, interests, location and industry. Each item has
``text`` — addressed to the sender ("You both studied at NYU, 2012–2016") — and ``insert`` —
the same fact in the sender's voice, ready to drop into the message ("We both studied at NYU,
2012–2016").

Every query is bounded, whatever the network's size: mutual connections walk the *smaller* of the
two connection lists (members may have 30,000) against the larger one's key and stop after
``MUTUAL_WINDOW`` hits, then name the best-connected of those; profile lists are read with a
``LIMIT``. Company and school names match
case-insensitively, ignoring surrounding and repeated spaces. Visibility (blocks, deleted
members) is the caller's to check: this module only reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from inroad.accounts.tables import members
from inroad.network import graph
from inroad.network.tables import connections
from inroad.profiles.tables import education, positions, skills

KINDS: tuple[str, ...] = (
    "mutual_connection", "company", "school", "skill", "interest", "location", "industry",
)
# Mutual connections named (the strongest few) and how many mutuals they are chosen from: at
# most this many rows are ranked however large the two networks are.
MUTUALS_SHOWN = 3
MUTUAL_WINDOW = 500
COMPANIES_SHOWN = 3
SCHOOLS_SHOWN = 2
TAGS_SHOWN = 3  # skills, interests
# A member's own profile lists are small; the limit only guards against the pathological.
_PROFILE_ROWS = 200


@dataclass(frozen=True, slots=True)
class SharedItem:
    """One thing sender and recipient share. ``kind`` is one of ``KINDS``."""

    kind: str
    text: str
    insert: str

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "text": self.text, "insert": self.insert}


async def shared_context(
    conn: AsyncConnection, sender_id: int, recipient_id: int, *, now: datetime | None = None
) -> list[SharedItem]:
    """What ``sender_id`` and ``recipient_id`` share, strongest first (see the module docstring).
    ``now`` (default: the wall clock) closes the date ranges of current positions."""
    if sender_id == recipient_id:
        return []
    current = (now or datetime.now(UTC)).strftime("%Y-%m")
    people = await _people(conn, (sender_id, recipient_id))
    if sender_id not in people or recipient_id not in people:
        return []
    sender, recipient = people[sender_id], people[recipient_id]
    items = await _mutuals(conn, sender_id, recipient_id)
    items += _companies(
        await _positions(conn, sender_id), await _positions(conn, recipient_id), current
    )
    items += _schools(
        await _schools_of(conn, sender_id),
        await _schools_of(conn, recipient_id),
        _first_name(recipient["name"]),
    )
    items += _skills(await _skills_of(conn, sender_id), await _skills_of(conn, recipient_id))
    items += _interests(sender["interests"], recipient["interests"])
    items += _location(sender["location"], recipient["location"])
    items += _industry(sender["industry"], recipient["industry"])
    return items


# --- reading ---------------------------------------------------------------------------------


async def _people(conn: AsyncConnection, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    rows = await conn.execute(
        sa.select(
            members.c.id, members.c.name, members.c.location, members.c.industry,
            members.c.interests,
        ).where(members.c.id.in_(ids), members.c.deleted_at.is_(None))
    )
    return {int(r.id): dict(r._mapping) for r in rows}


async def _mutuals(conn: AsyncConnection, a: int, b: int) -> list[SharedItem]:
    """The best-connected few (ties: the newest member first) of up to ``MUTUAL_WINDOW`` mutual
    connections: the smaller list is walked in key order against the larger one's key, like
    ``graph.mutual_count``, and the walk stops once the window is full."""
    counts = await graph.connection_counts(conn, (a, b))
    if not counts.get(a) or not counts.get(b):
        return []
    small, large = (a, b) if counts[a] <= counts[b] else (b, a)
    mine = connections.alias("mine")
    theirs = connections.alias("theirs")
    window = (
        sa.select(mine.c.other_id.label("id"))
        .select_from(mine)
        .join(theirs, sa.and_(theirs.c.member_id == large, theirs.c.other_id == mine.c.other_id))
        .where(mine.c.member_id == small)
        .order_by(mine.c.other_id)
        .limit(MUTUAL_WINDOW)
        .subquery()
    )
    query = (
        sa.select(members.c.name)
        .select_from(window)
        .join(members, members.c.id == window.c.id)
        .where(members.c.deleted_at.is_(None))
        .order_by(members.c.connection_count.desc(), members.c.id.desc())
        .limit(MUTUALS_SHOWN)
    )
    async with graph.index_plans(conn):
        names = [str(name) for name in (await conn.execute(query)).scalars()]
    return [
        SharedItem(
            "mutual_connection",
            f"You're both connected to {name}",
            f"We're both connected to {name}",
        )
        for name in names
    ]


async def _positions(conn: AsyncConnection, member_id: int) -> list[tuple[str, str, str | None]]:
    rows = await conn.execute(
        sa.select(positions.c.company, positions.c.start_month, positions.c.end_month)
        .where(positions.c.member_id == member_id)
        .order_by(positions.c.start_month.desc(), positions.c.id)
        .limit(_PROFILE_ROWS)
    )
    return [(str(r.company), str(r.start_month), r.end_month) for r in rows]


async def _schools_of(
    conn: AsyncConnection, member_id: int
) -> list[tuple[str, int | None, int | None]]:
    rows = await conn.execute(
        sa.select(education.c.school, education.c.start_year, education.c.end_year)
        .where(education.c.member_id == member_id)
        .order_by(education.c.id)
        .limit(_PROFILE_ROWS)
    )
    return [(str(r.school), r.start_year, r.end_year) for r in rows]


async def _skills_of(conn: AsyncConnection, member_id: int) -> list[str]:
    rows = await conn.execute(
        sa.select(skills.c.name)
        .where(skills.c.member_id == member_id)
        .order_by(skills.c.ordinal)
        .limit(_PROFILE_ROWS)
    )
    return [str(name) for name in rows.scalars()]


# --- matching and phrasing (pure) ------------------------------------------------------------


def _key(value: str) -> str:
    return " ".join(value.split()).casefold()


def _first_name(name: str) -> str:
    words = name.split()
    return words[0] if words else "them"


def _span(start: str, end: str) -> str:
    """"2019–2021", or "2019" when both ends fall in one year."""
    return start if start == end else f"{start}–{end}"


def _join(names: Sequence[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def _companies(
    mine: Iterable[tuple[str, str, str | None]],
    theirs: Iterable[tuple[str, str, str | None]],
    current: str,
) -> list[SharedItem]:
    """Shared employers: overlapping tenures first (the longest-running overlap's end first),
    then companies both worked at in different years. Months are ``"YYYY-MM"``; an open end is
    ``current``."""
    theirs_by_key: dict[str, list[tuple[str, str, str | None]]] = {}
    for row in theirs:
        theirs_by_key.setdefault(_key(row[0]), []).append(row)
    overlapping: list[tuple[str, SharedItem]] = []
    apart: list[SharedItem] = []
    seen: set[str] = set()
    for company, start, end in mine:
        key = _key(company)
        if key in seen or key not in theirs_by_key:
            continue
        seen.add(key)
        best: tuple[str, str, bool] | None = None  # (overlap end, overlap start, both current)
        for _, their_start, their_end in theirs_by_key[key]:
            lo = max(start, their_start)
            hi = min(end or current, their_end or current)
            if lo <= hi and (best is None or (hi, lo) > (best[0], best[1])):
                best = (hi, lo, end is None and their_end is None)
        name = theirs_by_key[key][0][0].strip()
        if best is None:
            apart.append(
                SharedItem(
                    "company", f"You've both worked at {name}", f"We've both worked at {name}"
                )
            )
            continue
        hi, lo, both_current = best
        if both_current:
            text = f"You both work at {name}, since {lo[:4]}"
            insert = f"We both work at {name}"
        else:
            years = _span(lo[:4], hi[:4])
            text = f"You both worked at {name}, {years}"
            insert = f"We both worked at {name} ({years})"
        overlapping.append((hi, SharedItem("company", text, insert)))
    overlapping.sort(key=lambda pair: pair[0], reverse=True)
    return ([item for _, item in overlapping] + apart)[:COMPANIES_SHOWN]


def _schools(
    mine: Iterable[tuple[str, int | None, int | None]],
    theirs: Iterable[tuple[str, int | None, int | None]],
    their_first_name: str,
) -> list[SharedItem]:
    """Shared schools with years: the overlap when both attended at once, each one's years when
    they did not, no years when either left them out."""
    theirs_by_key: dict[str, list[tuple[str, int | None, int | None]]] = {}
    for row in theirs:
        theirs_by_key.setdefault(_key(row[0]), []).append(row)
    together: list[SharedItem] = []
    apart: list[SharedItem] = []
    seen: set[str] = set()
    for school, start, end in mine:
        key = _key(school)
        if key in seen or key not in theirs_by_key:
            continue
        seen.add(key)
        name = theirs_by_key[key][0][0].strip()
        overlap: tuple[int, int] | None = None
        known: tuple[int, int, int, int] | None = None
        for _, their_start, their_end in theirs_by_key[key]:
            if None in (start, end, their_start, their_end):
                continue
            assert start is not None and end is not None
            assert their_start is not None and their_end is not None
            lo, hi = max(start, their_start), min(end, their_end)
            if lo <= hi:
                overlap = (lo, hi)
                break
            known = known or (start, end, their_start, their_end)
        if overlap is not None:
            years = _span(str(overlap[0]), str(overlap[1]))
            together.append(
                SharedItem(
                    "school",
                    f"You both studied at {name}, {years}",
                    f"We both studied at {name} ({years})",
                )
            )
        elif known is not None:
            mine_years = _span(str(known[0]), str(known[1]))
            their_years = _span(str(known[2]), str(known[3]))
            apart.append(
                SharedItem(
                    "school",
                    f"You both studied at {name} (you {mine_years}, {their_first_name} "
                    f"{their_years})",
                    f"We both studied at {name}",
                )
            )
        else:
            apart.append(
                SharedItem("school", f"You both studied at {name}", f"We both studied at {name}")
            )
    return (together + apart)[:SCHOOLS_SHOWN]


def _common(mine: Iterable[str], theirs: Iterable[str]) -> list[str]:
    """Tags in both lists (case-insensitive), in the recipient's order and spelling."""
    keys = {_key(t) for t in mine if t.strip()}
    found: dict[str, str] = {}
    for tag in theirs:
        key = _key(tag)
        if key in keys and key not in found:
            found[key] = " ".join(tag.split())
    return list(found.values())[:TAGS_SHOWN]


def _skills(mine: Sequence[str], theirs: Sequence[str]) -> list[SharedItem]:
    shared = _common(mine, theirs)
    if not shared:
        return []
    listed = _join(shared)
    noun = "a skill" if len(shared) == 1 else "skills"
    return [SharedItem("skill", f"You both list {listed} as {noun}", f"We both work with {listed}")]


def _interests(mine: object, theirs: object) -> list[SharedItem]:
    shared = _common(_strings(mine), _strings(theirs))
    if not shared:
        return []
    listed = _join(shared)
    return [
        SharedItem(
            "interest",
            f"You're both interested in {listed}",
            f"I see we're both interested in {listed}",
        )
    ]


def _strings(value: object) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _location(mine: str, theirs: str) -> list[SharedItem]:
    """Same place when the first part ("Lagos" of "Lagos, Nigeria") matches."""
    here, there = mine.split(",")[0], theirs.split(",")[0]
    if not _key(here) or _key(here) != _key(there):
        return []
    place = " ".join(there.split())
    return [SharedItem("location", f"You're both based in {place}", f"We're both in {place}")]


def _industry(mine: str, theirs: str) -> list[SharedItem]:
    if not _key(mine) or _key(mine) != _key(theirs):
        return []
    field = " ".join(theirs.split())
    return [SharedItem("industry", f"You both work in {field}", f"We both work in {field}")]
