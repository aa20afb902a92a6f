"""Profile strength: the 10-point checklist and its five levels (PRODUCT.md §1).

Nine items depend on the profile alone and are stored as ``members.profile_points`` whenever the
profile changes; the tenth (50 connections) is read from ``connection_count``, so a new
connection never has to rewrite anyone's strength.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from inroad.accounts.tables import members
from inroad.profiles.tables import education, positions, skills

ITEMS = (
    "photo",
    "headline",
    "about",
    "industry",
    "location",
    "current_position",
    "past_positions",
    "education",
    "skills",
    "connections",
)
CONNECTIONS_NEEDED = 50
SKILLS_NEEDED = 5
PAST_POSITIONS_NEEDED = 2


def level_for(score: int) -> str:
    if score >= 10:
        return "all_star"
    if score >= 8:
        return "expert"
    if score >= 6:
        return "advanced"
    if score >= 3:
        return "intermediate"
    return "beginner"


def score_of(profile_points: int, connection_count: int) -> int:
    return profile_points + (1 if connection_count >= CONNECTIONS_NEEDED else 0)


def score_sql() -> sa.ColumnElement[int]:
    """The same score as a SQL expression over ``members`` (for ranking)."""
    return members.c.profile_points + sa.case(
        (members.c.connection_count >= CONNECTIONS_NEEDED, 1), else_=0
    )


@dataclass(frozen=True)
class Strength:
    completed: tuple[str, ...]
    missing: tuple[str, ...]

    @property
    def score(self) -> int:
        return len(self.completed)

    @property
    def level(self) -> str:
        return level_for(self.score)

    def as_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "score": self.score,
            "completed": list(self.completed),
            "missing": list(self.missing),
        }


def evaluate(
    member: Mapping[Any, Any],
    member_positions: Sequence[Mapping[Any, Any]],
    schools: int,
    skill_count: int,
) -> Strength:
    current = [p for p in member_positions if p["end_month"] is None]
    done = {
        "photo": member["photo_key"] is not None,
        "headline": bool(member["headline"].strip()),
        "about": bool(member["about"].strip()),
        "industry": bool(member["industry"].strip()),
        "location": bool(member["location"].strip()),
        "current_position": any(p["description"].strip() for p in current),
        "past_positions": len(member_positions) - len(current) >= PAST_POSITIONS_NEEDED,
        "education": schools > 0,
        "skills": skill_count >= SKILLS_NEEDED,
        "connections": member["connection_count"] >= CONNECTIONS_NEEDED,
    }
    return Strength(
        completed=tuple(i for i in ITEMS if done[i]),
        missing=tuple(i for i in ITEMS if not done[i]),
    )


async def load(conn: AsyncConnection, member_id: int) -> Strength:
    member = (
        (await conn.execute(sa.select(members).where(members.c.id == member_id))).mappings().one()
    )
    pos = (
        (
            await conn.execute(
                sa.select(positions.c.end_month, positions.c.description).where(
                    positions.c.member_id == member_id
                )
            )
        )
        .mappings()
        .all()
    )
    schools = (
        await conn.execute(
            sa.select(sa.func.count())
            .select_from(education)
            .where(education.c.member_id == member_id)
        )
    ).scalar_one()
    skill_count = (
        await conn.execute(
            sa.select(sa.func.count()).select_from(skills).where(skills.c.member_id == member_id)
        )
    ).scalar_one()
    return evaluate(member, pos, int(schools), int(skill_count))


async def refresh(conn: AsyncConnection, member_id: int) -> Strength:
    """Recompute and store ``profile_points``; call it inside the transaction that changed the
    profile."""
    strength = await load(conn, member_id)
    points = sum(1 for item in strength.completed if item != "connections")
    await conn.execute(
        sa.update(members).where(members.c.id == member_id).values(profile_points=points)
    )
    return strength
