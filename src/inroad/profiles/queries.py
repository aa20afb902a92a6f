"""Read-side of profiles: Member and Profile views, ``/me``, mutual connections, people search.

Visibility: a profile that is missing, deleted, or between members where either blocked the other
is answered with 404 ``not_found`` alike. List paths build their Member views from a fixed
number of statements whatever the page size.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Mapping, Sequence
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from inroad.accounts.actor import Actor
from inroad.accounts.tables import members
from inroad.errors import InvalidInput, NotFound, text_limit
from inroad.network import graph
from inroad.network.tables import blocks
from inroad.profiles import search, strength
from inroad.profiles.actions import clean_text, education_view, position_view
from inroad.profiles.tables import education, positions, skills
from inroad.profiles.views import MEMBER_COLUMNS, member_view
from inroad.services import Services

SETTINGS_COLUMNS = (
    "invitations_from",
    "allow_inmail",
    "open_profile",
    "read_receipts",
    "email_notifications",
)
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_QUERY_LENGTH = 200


async def member_by_id(svc: Services, member_id: int) -> dict[str, Any]:
    """The member's own view of themselves (no degree)."""
    async with svc.db.read() as conn:
        row = (
            (await conn.execute(sa.select(*MEMBER_COLUMNS).where(members.c.id == member_id)))
            .mappings()
            .one()
        )
    return member_view(row)


async def me(svc: Services, actor: Actor) -> dict[str, Any]:
    async with svc.db.read() as conn:
        row = (
            (await conn.execute(sa.select(members).where(members.c.id == actor.id)))
            .mappings()
            .one()
        )
        member_strength = await strength.load(conn, actor.id)
    return {
        "member": member_view(row),
        "plan": row["plan"],
        "settings": {name: row[name] for name in SETTINGS_COLUMNS},
        "strength": member_strength.as_dict(),
    }


async def my_strength(svc: Services, actor: Actor) -> dict[str, Any]:
    async with svc.db.read() as conn:
        return (await strength.load(conn, actor.id)).as_dict()


# --- profiles ------------------------------------------------------------------------------


async def _profile_view(
    conn: AsyncConnection, row: Mapping[Any, Any], viewer_id: int | None
) -> dict[str, Any]:
    member_id = row["id"]
    own = viewer_id == member_id
    position_rows = (
        (
            await conn.execute(
                sa.select(positions)
                .where(positions.c.member_id == member_id)
                .order_by(
                    sa.nulls_first(positions.c.end_month.desc()),
                    positions.c.start_month.desc(),
                    positions.c.id.desc(),
                )
            )
        )
        .mappings()
        .all()
    )
    school_rows = (
        (
            await conn.execute(
                sa.select(education)
                .where(education.c.member_id == member_id)
                .order_by(
                    sa.nulls_first(education.c.end_year.desc()),
                    sa.nulls_last(education.c.start_year.desc()),
                    education.c.id.desc(),
                )
            )
        )
        .mappings()
        .all()
    )
    skill_names = list(
        (
            await conn.execute(
                sa.select(skills.c.name)
                .where(skills.c.member_id == member_id)
                .order_by(skills.c.ordinal)
            )
        ).scalars()
    )
    degree: int | None = None
    mutual = 0
    if viewer_id is not None and not own:
        degree, mutual = (await graph.degrees_and_mutuals(conn, viewer_id, [member_id]))[member_id]
    member_strength = strength.evaluate(row, position_rows, len(school_rows), len(skill_names))
    return {
        **member_view(
            row,
            degree=degree,
            mutual_connections=mutual,
            seen_by_other=not own and viewer_id is not None,
        ),
        "about": row["about"],
        # The postal code only places the member; other people see the location text.
        "postal_code": row["postal_code"] if own else None,
        "interests": list(row["interests"] or []),
        "open_to_work": row["open_to_work"],
        "positions": [position_view(p) for p in position_rows],
        "education": [education_view(e) for e in school_rows],
        "skills": skill_names,
        "strength": member_strength.as_dict(),
        "is_me": own,
    }


async def _visible_member(
    conn: AsyncConnection, viewer_id: int | None, handle: str
) -> sa.RowMapping:
    """A live member as ``viewer_id`` may see them; 404 when missing, deleted or blocked."""
    row = (
        (
            await conn.execute(
                sa.select(members).where(members.c.handle == handle, members.c.deleted_at.is_(None))
            )
        )
        .mappings()
        .first()
    )
    if row is None or (
        viewer_id is not None
        and viewer_id != row["id"]
        and await graph.is_blocked_either_way(conn, viewer_id, row["id"])
    ):
        raise NotFound("No member with that handle.")
    return row


async def profile(svc: Services, viewer_id: int | None, handle: str) -> dict[str, Any]:
    """The Profile of ``handle`` as ``viewer_id`` sees it (None: a signed-out web visitor).

    Another member's view carries ``degree`` and ``mutual_connections``; the owner's does not and
    alone includes ``postal_code`` (null for others). ``is_me`` (an addition to the contract) says
    which of the two it is."""
    async with svc.db.read() as conn:
        row = await _visible_member(conn, viewer_id, handle)
        return await _profile_view(conn, row, viewer_id)


async def own_profile(svc: Services, member_id: int) -> dict[str, Any]:
    async with svc.db.read() as conn:
        row = (
            (await conn.execute(sa.select(members).where(members.c.id == member_id)))
            .mappings()
            .one()
        )
        return await _profile_view(conn, row, member_id)


# --- pagination ----------------------------------------------------------------------------


def encode_cursor(values: Sequence[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(values)).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, types: Sequence[type]) -> tuple[Any, ...] | None:
    """The values a cursor carries, checked against ``types``; 422 ``invalid_cursor`` otherwise."""
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        values = None
    if (
        not isinstance(values, list)
        or len(values) != len(types)
        or not all(_fits(v, t) for v, t in zip(values, types, strict=True))
    ):
        raise InvalidInput(
            "invalid_cursor", "That cursor is not one this list gave out.", field="cursor"
        )
    return tuple(float(v) if t is float else v for v, t in zip(values, types, strict=True))


def _fits(value: object, kind: type) -> bool:
    if isinstance(value, bool):
        return False
    if kind is float:
        return isinstance(value, int | float) and math.isfinite(value)
    return isinstance(value, kind)


def check_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(
            "invalid_limit", f"limit must be between 1 and {MAX_LIMIT}.", field="limit"
        )
    return limit


# --- mutual connections --------------------------------------------------------------------


async def mutual_connections(
    svc: Services, viewer: Actor, handle: str, *, cursor: str | None, limit: int = DEFAULT_LIMIT
) -> dict[str, Any]:
    """Members connected to both the viewer and ``handle``, oldest member first (the order the
    graph pages the intersection in cheaply); 404 as for the profile. Asking about oneself gives
    an empty list (nobody is a mutual connection of oneself)."""
    limit = check_limit(limit)
    after = decode_cursor(cursor, (int,))
    async with svc.db.read() as conn:
        target = await _visible_member(conn, viewer.id, handle)
        if target["id"] == viewer.id:
            return {"items": [], "next_cursor": None}
        ids = await graph.mutual_ids(
            conn, viewer.id, target["id"], after=after[0] if after else None, limit=limit + 1
        )
        page_ids = ids[:limit]
        rows = {
            r["id"]: r
            for r in (
                await conn.execute(
                    sa.select(*MEMBER_COLUMNS).where(
                        members.c.id.in_(page_ids),
                        members.c.deleted_at.is_(None),
                        ~sa.exists().where(
                            blocks.c.blocker_id == viewer.id, blocks.c.blocked_id == members.c.id
                        ),
                        ~sa.exists().where(
                            blocks.c.blocker_id == members.c.id, blocks.c.blocked_id == viewer.id
                        ),
                    )
                )
            ).mappings()
        }
        seen = await graph.degrees_and_mutuals(conn, viewer.id, list(rows))
    items = [
        member_view(rows[i], degree=seen[i][0], mutual_connections=seen[i][1], seen_by_other=True)
        for i in page_ids
        if i in rows
    ]
    next_cursor = encode_cursor([page_ids[-1]]) if len(ids) > limit else None
    return {"items": items, "next_cursor": next_cursor}


# --- people search -------------------------------------------------------------------------


def parse_degrees(value: str | None) -> frozenset[int]:
    """``"1,2,3"`` → {1, 2, 3}; empty means any degree. 422 ``invalid_degree`` otherwise."""
    if value is None or not value.strip():
        return frozenset()
    parts = [p.strip() for p in value.split(",") if p.strip()]
    if not parts or any(p not in ("1", "2", "3") for p in parts):
        raise InvalidInput(
            "invalid_degree",
            "degree is a comma-separated list of 1, 2 and 3 (3 = 3rd and beyond).",
            field="degree",
        )
    return frozenset(int(p) for p in parts)


def check_member_query(
    *,
    q: str | None,
    degree: str | None,
    company: str | None,
    school: str | None,
    location: str | None,
) -> search.MemberQuery:
    texts: dict[str, str] = {}
    for field, value in (
        ("q", q),
        ("company", company),
        ("school", school),
        ("location", location),
    ):
        text = clean_text(value, field)
        text_limit(
            text, MAX_QUERY_LENGTH, "field_too_long", f"The {field} search text", field=field
        )
        texts[field] = text
    return search.MemberQuery(degrees=parse_degrees(degree), **texts)


async def search_members(
    svc: Services,
    viewer: Actor,
    query: search.MemberQuery,
    *,
    cursor: str | None,
    limit: int = DEFAULT_LIMIT,
) -> dict[str, Any]:
    """A page of Members for ``query`` (see ``search.search_members`` for the ranking); each with
    the viewer's ``degree`` and ``mutual_connections``. A fixed number of statements per page:
    the ranked page, then the graph's batched 3rd-degree test for the members on it that are
    neither 1st nor 2nd degree."""
    limit = check_limit(limit)
    after = cast(search.SearchKey | None, decode_cursor(cursor, (int, int, int, int, float, int)))
    async with svc.db.read() as conn:
        rows = await search.search_members(conn, viewer.id, query, after=after, limit=limit + 1)
        page = rows[:limit]
        # 3rd degree or beyond, for this page only: the graph's budgeted, batched test.
        far = await graph.degrees_and_mutuals(
            conn, viewer.id, [r["id"] for r in page if r["bucket"] == 3]
        )
    items = []
    for r in page:
        degree = r["bucket"] if r["bucket"] < 3 else far[r["id"]][0]
        items.append(
            member_view(r, degree=degree, mutual_connections=r["mutuals"], seen_by_other=True)
        )
    next_cursor = encode_cursor(search.search_key(page[-1])) if len(rows) > limit else None
    return {"items": items, "next_cursor": next_cursor}
