"""Profile changes: scalar fields, positions, education and skills.

``check_*`` validate and normalise input (raising ``InvalidInput`` with the documented code and
the offending ``field``); ``do_*`` write inside ONE ``svc.db.write()`` transaction that also
recomputes ``members.profile_points`` (``strength.refresh``) and the search document
(``search.reindex``), so strength and search never disagree with the profile. Position and
education ids are opaque strings; an id that is not the actor's (another member's, deleted, or
garbage) is answered with 404 ``not_found``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from inroad.accounts.actor import Actor
from inroad.accounts.tables import members
from inroad.errors import InvalidInput, NotFound, text_limit
from inroad.profiles import search, strength
from inroad.profiles.tables import education, positions, skills
from inroad.services import Services

# Code-point limits of the scalar profile fields (PRODUCT.md §1; the rest fit their columns).
PROFILE_LIMITS = {
    "name": 200,
    "headline": 220,
    "about": 2600,
    "industry": 200,
    "location": 200,
    "postal_code": 20,
}
MULTILINE_FIELDS = frozenset({"about", "description"})
MAX_INTERESTS = 50
MAX_INTEREST_LENGTH = 100
MAX_SKILLS = 100
MAX_SKILL_LENGTH = 100
# Caps on list sections: generous for a real career, small enough that a script cannot bloat a
# profile page (and its search document) without bound.
MAX_POSITIONS = 100
MAX_EDUCATION = 50
POSITION_LIMITS = {"company": 200, "title": 200, "description": 2000, "location": 200}
EDUCATION_LIMITS = {"school": 200, "degree": 200, "field": 200}
MIN_YEAR, MAX_YEAR = 1900, 2100
MAX_ID = 2**63 - 1

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_SPACES = re.compile(r"\s+")

LABELS = {
    "name": "The name",
    "headline": "The headline",
    "about": "The about section",
    "industry": "The industry",
    "location": "The location",
    "postal_code": "The postal code",
    "company": "The company",
    "title": "The title",
    "description": "The description",
    "school": "The school",
    "degree": "The degree",
    "field": "The field of study",
}


# --- normalising text ----------------------------------------------------------------------


def clean_text(value: object, field: str, *, multiline: bool = False) -> str:
    """A trimmed string without control characters (PostgreSQL refuses NUL; none belong in a
    profile). Single-line fields have runs of whitespace folded to one space. ``None`` → ``""``.
    Raises 422 ``invalid_input`` (with ``field``) for anything that is not a string."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidInput("invalid_input", f"{field} must be text.", field=field)
    if multiline:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
        return "".join(ch for ch in value if ch in "\n\t" or not _is_control(ch)).strip()
    value = "".join(
        " " if ch.isspace() else ch for ch in value if ch.isspace() or not _is_control(ch)
    )
    return _SPACES.sub(" ", value).strip()


def _is_control(ch: str) -> bool:
    # Cc: C0/C1 controls (NUL among them); Cs: lone surrogates, which no database can store.
    return unicodedata.category(ch) in ("Cc", "Cs")


def _limited(value: object, field: str, limit: int, *, required: bool = False) -> str:
    text = clean_text(value, field, multiline=field in MULTILINE_FIELDS)
    text_limit(text, limit, "field_too_long", LABELS.get(field, field), field=field)
    if required and not text:
        raise InvalidInput("missing_field", f"{LABELS.get(field, field)} is required.", field=field)
    return text


def check_tags(
    value: object, field: str, *, max_count: int, max_length: int, too_many_code: str
) -> list[str]:
    """Free tags (skills, interests): trimmed, empties dropped, de-duplicated case-insensitively
    keeping the first spelling and order. Over ``max_count`` → 422 ``too_many_code``; a tag over
    ``max_length`` → 422 ``field_too_long`` with ``field``."""
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        raise InvalidInput("invalid_input", f"{field} must be a list of text.", field=field)
    tags: dict[str, str] = {}
    for item in value:
        if not isinstance(item, str):
            raise InvalidInput("invalid_input", f"Each of {field} must be text.", field=field)
        tag = clean_text(item, field)
        text_limit(tag, max_length, "field_too_long", f"The entry {tag[:30]!r}…", field=field)
        if tag:
            tags.setdefault(tag.casefold(), tag)
    if len(tags) > max_count:
        raise InvalidInput(
            too_many_code,
            f"{len(tags)} {field} given; a profile holds at most {max_count}.",
            field=field,
            limit=max_count,
        )
    return list(tags.values())


def check_profile_changes(changes: Mapping[str, Any]) -> dict[str, Any]:
    """Validate a partial profile update (keys absent stay unchanged; ``null`` clears text)."""
    values: dict[str, Any] = {}
    for name, value in changes.items():
        if name in PROFILE_LIMITS:
            values[name] = _limited(value, name, PROFILE_LIMITS[name], required=name == "name")
        elif name == "interests":
            values[name] = check_tags(
                value,
                "interests",
                max_count=MAX_INTERESTS,
                max_length=MAX_INTEREST_LENGTH,
                too_many_code="too_many_interests",
            )
        elif name == "open_to_work":
            if not isinstance(value, bool):
                raise InvalidInput(
                    "invalid_input", "open_to_work must be true or false.", field=name
                )
            values[name] = value
        else:
            raise InvalidInput("unknown_field", f"{name!r} is not a profile field.", field=name)
    return values


def check_skills(value: object) -> list[str]:
    return check_tags(
        value,
        "skills",
        max_count=MAX_SKILLS,
        max_length=MAX_SKILL_LENGTH,
        too_many_code="too_many_skills",
    )


def parse_month(value: object, field: str) -> str:
    """``"YYYY-MM"`` with a real month and a year in 1900–2100 → the same string."""
    match = _MONTH.fullmatch(value) if isinstance(value, str) else None
    if match is None or not (MIN_YEAR <= int(match[1]) <= MAX_YEAR and 1 <= int(match[2]) <= 12):
        raise InvalidInput(
            "invalid_month", f"{field} must be a month written YYYY-MM, like 2021-09.", field=field
        )
    return match[0]


def parse_year(value: object, field: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not MIN_YEAR <= value <= MAX_YEAR:
        raise InvalidInput(
            "invalid_year",
            f"{field} must be a year between {MIN_YEAR} and {MAX_YEAR}.",
            field=field,
        )
    return value


def parse_id(value: str) -> int:
    """An opaque id from a path; anything that is not one of ours → 404."""
    if not value.isascii() or not value.isdigit() or len(value) > 19 or int(value) > MAX_ID:
        raise NotFound()
    return int(value)


def check_position(
    data: Mapping[str, Any], existing: Mapping[Any, Any] | None = None
) -> dict[str, Any]:
    """A new position (``existing`` None) or the columns a partial update changes.

    ``start`` is required for a new position; ``end`` absent or null means current. The end
    month may not precede the start month (422 ``end_before_start``)."""
    unknown = set(data) - {*POSITION_LIMITS, "start", "end"}
    if unknown:
        field = sorted(unknown)[0]
        raise InvalidInput("unknown_field", f"{field!r} is not a position field.", field=field)
    values: dict[str, Any] = {}
    for name, limit in POSITION_LIMITS.items():
        if name in data or existing is None:
            values[name] = _limited(
                data.get(name), name, limit, required=name in ("company", "title")
            )
    if "start" in data or existing is None:
        values["start_month"] = parse_month(data.get("start"), "start")
    if "end" in data:
        values["end_month"] = None if data["end"] is None else parse_month(data["end"], "end")
    start = values.get("start_month", existing["start_month"] if existing else None)
    end = values.get("end_month", existing["end_month"] if existing else None)
    if end is not None and start is not None and end < start:
        raise InvalidInput(
            "end_before_start", "The end month is before the start month.", field="end"
        )
    return values


def check_education(
    data: Mapping[str, Any], existing: Mapping[Any, Any] | None = None
) -> dict[str, Any]:
    """A new education entry (``existing`` None) or the columns a partial update changes."""
    unknown = set(data) - {*EDUCATION_LIMITS, "start_year", "end_year"}
    if unknown:
        field = sorted(unknown)[0]
        raise InvalidInput("unknown_field", f"{field!r} is not an education field.", field=field)
    values: dict[str, Any] = {}
    for name, limit in EDUCATION_LIMITS.items():
        if name in data or existing is None:
            values[name] = _limited(data.get(name), name, limit, required=name == "school")
    for name in ("start_year", "end_year"):
        if name in data:
            values[name] = parse_year(data[name], name)
    start = values.get("start_year", existing["start_year"] if existing else None)
    end = values.get("end_year", existing["end_year"] if existing else None)
    if start is not None and end is not None and end < start:
        raise InvalidInput(
            "end_before_start", "The end year is before the start year.", field="end_year"
        )
    return values


# --- views of list sections ----------------------------------------------------------------


def position_view(row: Mapping[Any, Any]) -> dict[str, Any]:
    return {
        "id": str(row["id"]),
        "company": row["company"],
        "title": row["title"],
        "description": row["description"],
        "location": row["location"],
        "start": row["start_month"],
        "end": row["end_month"],
        "current": row["end_month"] is None,
    }


def education_view(row: Mapping[Any, Any]) -> dict[str, Any]:
    return {
        "id": str(row["id"]),
        "school": row["school"],
        "degree": row["degree"],
        "field": row["field"],
        "start_year": row["start_year"],
        "end_year": row["end_year"],
    }


# --- writes --------------------------------------------------------------------------------


async def after_change(conn: AsyncConnection, member_id: int) -> None:
    """Keep derived data right inside the transaction that changed the profile."""
    await strength.refresh(conn, member_id)
    await search.reindex(conn, member_id)


async def do_update_profile(svc: Services, actor: Actor, changes: Mapping[str, Any]) -> None:
    values = check_profile_changes(changes)
    if not values:
        return
    async with svc.db.write() as conn:
        await conn.execute(sa.update(members).where(members.c.id == actor.id).values(**values))
        await after_change(conn, actor.id)


async def _count(conn: AsyncConnection, table: sa.Table, member_id: int) -> int:
    query = sa.select(sa.func.count()).select_from(table).where(table.c.member_id == member_id)
    return int((await conn.execute(query)).scalar_one())


async def _owned_row(
    conn: AsyncConnection, table: sa.Table, member_id: int, item_id: str
) -> sa.RowMapping:
    """The actor's own row, locked for the update; 404 for anyone else's or a bad id."""
    row = (
        (
            await conn.execute(
                sa.select(table)
                .where(table.c.id == parse_id(item_id), table.c.member_id == member_id)
                .with_for_update()
            )
        )
        .mappings()
        .first()
    )
    if row is None:
        raise NotFound()
    return row


# Positions and education are both "owned rows": a member's capped list, each row addressed by
# an opaque id. The three helpers below hold the one way to add, change and remove them; the
# section functions supply the table, validation and cap (read at call time, so a test may
# lower the module constant).


async def _add_owned_row(
    svc: Services,
    member_id: int,
    table: sa.Table,
    values: Mapping[str, Any],
    *,
    limit: int,
    too_many_code: str,
    noun: str,
) -> sa.RowMapping:
    """Insert a checked row; 422 ``too_many_code`` (with ``limit``) when ``limit`` are held."""
    async with svc.db.write() as conn:
        if await _count(conn, table, member_id) >= limit:
            raise InvalidInput(
                too_many_code, f"A profile holds at most {limit} {noun}.", limit=limit
            )
        row = (
            (
                await conn.execute(
                    table.insert()
                    .values(member_id=member_id, created_at=svc.clock.now(), **values)
                    .returning(*table.c)
                )
            )
            .mappings()
            .one()
        )
        await after_change(conn, member_id)
    return row


async def _update_owned_row(
    svc: Services,
    member_id: int,
    table: sa.Table,
    item_id: str,
    data: Mapping[str, Any],
    check: Callable[[Mapping[str, Any], Mapping[Any, Any]], dict[str, Any]],
) -> sa.RowMapping:
    """Apply a partial update checked against the locked row; 404 unless the member owns it."""
    async with svc.db.write() as conn:
        existing = await _owned_row(conn, table, member_id, item_id)
        values = check(data, existing)
        if values:
            await conn.execute(
                sa.update(table).where(table.c.id == existing["id"]).values(**values)
            )
            await after_change(conn, member_id)
        return (
            (await conn.execute(sa.select(table).where(table.c.id == existing["id"])))
            .mappings()
            .one()
        )


async def _delete_owned_row(svc: Services, member_id: int, table: sa.Table, item_id: str) -> None:
    """Remove the member's own row; 404 unless the member owns it."""
    async with svc.db.write() as conn:
        existing = await _owned_row(conn, table, member_id, item_id)
        await conn.execute(table.delete().where(table.c.id == existing["id"]))
        await after_change(conn, member_id)


async def do_add_position(svc: Services, actor: Actor, data: Mapping[str, Any]) -> dict[str, Any]:
    """Add a position; 422 ``too_many_positions`` past ``MAX_POSITIONS``."""
    values = check_position(data)
    row = await _add_owned_row(
        svc,
        actor.id,
        positions,
        values,
        limit=MAX_POSITIONS,
        too_many_code="too_many_positions",
        noun="positions",
    )
    return position_view(row)


async def do_update_position(
    svc: Services, actor: Actor, position_id: str, data: Mapping[str, Any]
) -> dict[str, Any]:
    row = await _update_owned_row(svc, actor.id, positions, position_id, data, check_position)
    return position_view(row)


async def do_delete_position(svc: Services, actor: Actor, position_id: str) -> None:
    await _delete_owned_row(svc, actor.id, positions, position_id)


async def do_add_education(svc: Services, actor: Actor, data: Mapping[str, Any]) -> dict[str, Any]:
    """Add an education entry; 422 ``too_many_education`` past ``MAX_EDUCATION``."""
    values = check_education(data)
    row = await _add_owned_row(
        svc,
        actor.id,
        education,
        values,
        limit=MAX_EDUCATION,
        too_many_code="too_many_education",
        noun="schools",
    )
    return education_view(row)


async def do_update_education(
    svc: Services, actor: Actor, education_id: str, data: Mapping[str, Any]
) -> dict[str, Any]:
    row = await _update_owned_row(svc, actor.id, education, education_id, data, check_education)
    return education_view(row)


async def do_delete_education(svc: Services, actor: Actor, education_id: str) -> None:
    await _delete_owned_row(svc, actor.id, education, education_id)


async def do_replace_skills(svc: Services, actor: Actor, value: object) -> list[str]:
    """Replace the whole skills list (order kept); returns what was stored."""
    names = check_skills(value)
    async with svc.db.write() as conn:
        await write_skills(conn, actor.id, names)
        await after_change(conn, actor.id)
    return names


async def write_skills(conn: AsyncConnection, member_id: int, names: Sequence[str]) -> None:
    await conn.execute(skills.delete().where(skills.c.member_id == member_id))
    if names:
        await conn.execute(
            skills.insert(),
            [{"member_id": member_id, "ordinal": i, "name": n} for i, n in enumerate(names)],
        )
