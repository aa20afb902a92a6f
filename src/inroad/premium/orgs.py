"""Organisations: company and university pages, their admins, recruiter seats and followers.

``access_org`` fetches by slug (404 ``not_found`` when missing); the ``do_*`` functions check who
may act (admins manage the page, seats and admins; anyone signed in may follow) and write in one
transaction. Organisation views answer what the viewer may see: seat holders are listed to
admins only.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import secrets
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from inroad.accounts import handles
from inroad.accounts.actor import Actor
from inroad.accounts.tables import members
from inroad.errors import Conflict, Forbidden, InvalidInput, NotFound, text_limit
from inroad.messaging.views import iso
from inroad.network import graph
from inroad.premium.sql import insert_ignore
from inroad.premium.tables import org_admins, org_follows, org_seats, organizations
from inroad.profiles import photos
from inroad.profiles.views import MEMBER_COLUMNS, member_view
from inroad.services import Services

KINDS = ("company", "university")
MAX_NAME = 200
MAX_DESCRIPTION = 2600
LIST_LIMIT = 100
_LOGO_FILE = re.compile(r"^([0-9a-f]{32})\.jpg$")

ORG = organizations.c


def logo_url(logo_key: str | None) -> str | None:
    return None if logo_key is None else f"/logos/{logo_key}.jpg"


def check_org_fields(name: str | None, kind: str | None, description: str | None) -> None:
    """422 ``invalid_input`` (with ``field``) for an empty name or an unknown kind; 422
    ``field_too_long`` past 200 (name) or 2,600 (description) code points."""
    if name is not None:
        if not name.strip():
            raise InvalidInput("invalid_input", "Enter the organisation's name.", field="name")
        text_limit(name.strip(), MAX_NAME, "field_too_long", "The name", field="name")
    if kind is not None and kind not in KINDS:
        raise InvalidInput("invalid_input", "kind is company or university.", field="kind")
    text_limit(
        description, MAX_DESCRIPTION, "field_too_long", "The description", field="description"
    )


async def access_org(conn: AsyncConnection, slug: str) -> Any:
    row = (await conn.execute(sa.select(organizations).where(ORG.slug == slug))).first()
    if row is None:
        raise NotFound("No organisation with that address.")
    return row


async def is_admin(conn: AsyncConnection, org_id: int, member_id: int) -> bool:
    row = await conn.execute(
        sa.select(sa.literal(1)).where(
            org_admins.c.org_id == org_id, org_admins.c.member_id == member_id
        )
    )
    return row.first() is not None


async def _access_as_admin(conn: AsyncConnection, slug: str, actor: Actor) -> Any:
    org = await access_org(conn, slug)
    if not await is_admin(conn, org.id, actor.id):
        raise Forbidden("not_admin", "Only an admin of this organisation can do this.")
    return org


async def _visible_member_id(conn: AsyncConnection, actor: Actor, handle: str) -> int:
    """The id of the live member ``handle`` the actor may see (404 if missing or blocked)."""
    member_id = (
        await conn.execute(
            sa.select(members.c.id).where(
                members.c.handle == handle, members.c.deleted_at.is_(None)
            )
        )
    ).scalar_one_or_none()
    if member_id is None or (
        member_id != actor.id and await graph.is_blocked_either_way(conn, actor.id, member_id)
    ):
        raise NotFound(f"No member with the handle {handle!r}.")
    return int(member_id)


async def _free_slug(conn: AsyncConnection, name: str) -> str:
    base = handles.slugify(name)
    candidate = base
    for _ in range(20):
        if (await conn.execute(sa.select(ORG.id).where(ORG.slug == candidate))).first() is None:
            return candidate
        candidate = handles.with_suffix(base)
    return handles.with_suffix(base) + secrets.token_hex(2)


async def do_create_org(
    svc: Services, actor: Actor, *, name: str, kind: str, description: str | None = None
) -> str:
    """Create an organisation page with ``actor`` as its first admin; returns the slug
    (generated from the name, with a short suffix when taken)."""
    check_org_fields(name, kind, description)
    now = svc.clock.now()
    for _attempt in range(3):
        try:
            async with svc.db.write() as conn:
                slug = await _free_slug(conn, name.strip())
                org_id = (
                    await conn.execute(
                        organizations.insert()
                        .values(
                            slug=slug,
                            name=name.strip(),
                            kind=kind,
                            description=(description or "").strip(),
                            created_by=actor.id,
                            created_at=now,
                        )
                        .returning(ORG.id)
                    )
                ).scalar_one()
                await conn.execute(
                    org_admins.insert().values(org_id=org_id, member_id=actor.id, created_at=now)
                )
            return slug
        except IntegrityError:
            continue  # two pages with one name raced for the slug; pick again
    raise Conflict("slug_taken", "Could not find a free address for that name; try another name.")


async def do_update_org(
    svc: Services,
    actor: Actor,
    slug: str,
    *,
    name: str | None = None,
    description: str | None = None,
) -> None:
    """Admins edit the name and description (the slug stays, so links keep working)."""
    check_org_fields(name, None, description)
    values: dict[str, Any] = {}
    if name is not None:
        values["name"] = name.strip()
    if description is not None:
        values["description"] = description.strip()
    async with svc.db.write() as conn:
        org = await _access_as_admin(conn, slug, actor)
        if values:
            await conn.execute(sa.update(organizations).where(ORG.id == org.id).values(**values))


async def do_set_logo(svc: Services, actor: Actor, slug: str, data: bytes) -> None:
    """Admins upload a logo: PNG/JPEG/WebP ≤ 5 MiB, re-encoded without metadata (the profile
    photo rules: 413 ``file_too_large``, 415 ``unsupported_image``). The old file is removed
    after the transaction commits."""
    async with svc.db.read() as conn:
        await _access_as_admin(conn, slug, actor)
    encoded = await asyncio.to_thread(photos.encode, data)
    key = secrets.token_hex(16)
    await asyncio.to_thread(_write_logo, svc, key, encoded.photo)
    try:
        async with svc.db.write() as conn:
            org = await _access_as_admin(conn, slug, actor)
            await conn.execute(
                sa.update(organizations).where(ORG.id == org.id).values(logo_key=key)
            )
    except BaseException:
        await asyncio.to_thread(_delete_logo, svc, key)
        raise
    await asyncio.to_thread(_delete_logo, svc, org.logo_key)


def _logo_dir(svc: Services) -> Path:
    return Path(svc.settings.data_dir) / "logos"


def _write_logo(svc: Services, key: str, data: bytes) -> None:
    _logo_dir(svc).mkdir(parents=True, exist_ok=True)
    (_logo_dir(svc) / f"{key}.jpg").write_bytes(data)


def _delete_logo(svc: Services, key: str | None) -> None:
    if key is not None and re.fullmatch(r"[0-9a-f]{32}", key):
        with contextlib.suppress(FileNotFoundError):
            (_logo_dir(svc) / f"{key}.jpg").unlink()


def logo_path(svc: Services, name: str) -> Path | None:
    """The file behind ``/logos/{name}``, or None when the name is not one we issue."""
    if _LOGO_FILE.fullmatch(name) is None:
        return None
    path = _logo_dir(svc) / name
    return path if path.is_file() else None


async def do_add_seat(svc: Services, actor: Actor, slug: str, handle: str) -> None:
    """Admins give ``handle`` a recruiter seat (idempotent). 403 ``not_admin``; 404 for an
    unknown organisation or member."""
    async with svc.db.write() as conn:
        org = await _access_as_admin(conn, slug, actor)
        member_id = await _visible_member_id(conn, actor, handle)
        await conn.execute(
            insert_ignore(
                conn,
                org_seats,
                org_id=org.id,
                member_id=member_id,
                created_at=svc.clock.now(),
                granted_by=actor.id,
            )
        )


async def do_remove_seat(svc: Services, actor: Actor, slug: str, handle: str) -> None:
    async with svc.db.write() as conn:
        org = await _access_as_admin(conn, slug, actor)
        member_id = await _visible_member_id(conn, actor, handle)
        await conn.execute(
            org_seats.delete().where(
                org_seats.c.org_id == org.id, org_seats.c.member_id == member_id
            )
        )


async def do_add_admin(svc: Services, actor: Actor, slug: str, handle: str) -> None:
    """Admins make another member an admin (idempotent)."""
    async with svc.db.write() as conn:
        org = await _access_as_admin(conn, slug, actor)
        member_id = await _visible_member_id(conn, actor, handle)
        await conn.execute(
            insert_ignore(
                conn, org_admins, org_id=org.id, member_id=member_id, created_at=svc.clock.now()
            )
        )


async def do_remove_admin(svc: Services, actor: Actor, slug: str, handle: str) -> None:
    """Admins remove an admin (themselves included); 409 ``last_admin`` for the only one left,
    so a page is never orphaned."""
    async with svc.db.write() as conn:
        org = await _access_as_admin(conn, slug, actor)
        member_id = await _visible_member_id(conn, actor, handle)
        admin_ids = (
            (
                await conn.execute(
                    sa.select(org_admins.c.member_id)
                    .where(org_admins.c.org_id == org.id)
                    .with_for_update()
                )
            )
            .scalars()
            .all()
        )
        if member_id not in admin_ids:
            return
        if len(admin_ids) == 1:
            raise Conflict(
                "last_admin", "An organisation needs at least one admin; add another first."
            )
        await conn.execute(
            org_admins.delete().where(
                org_admins.c.org_id == org.id, org_admins.c.member_id == member_id
            )
        )


async def do_follow(svc: Services, actor: Actor, slug: str, *, follow: bool) -> None:
    """Follow (idempotent) or unfollow an organisation. Followers receive its InMail even with
    InMail turned off."""
    async with svc.db.write() as conn:
        org = await access_org(conn, slug)
        if follow:
            await conn.execute(
                insert_ignore(
                    conn, org_follows, org_id=org.id, member_id=actor.id, created_at=svc.clock.now()
                )
            )
        else:
            await conn.execute(
                org_follows.delete().where(
                    org_follows.c.org_id == org.id, org_follows.c.member_id == actor.id
                )
            )


async def _members_of(conn: AsyncConnection, table: sa.Table, org_id: int) -> list[dict[str, Any]]:
    rows = await conn.execute(
        sa.select(*MEMBER_COLUMNS)
        .join(table, table.c.member_id == members.c.id)
        .where(table.c.org_id == org_id, members.c.deleted_at.is_(None))
        .order_by(members.c.name, members.c.id)
    )
    return [member_view(row._mapping) for row in rows]


def _summary(org: Any) -> dict[str, Any]:
    return {
        "slug": org.slug,
        "name": org.name,
        "kind": org.kind,
        "description": org.description,
        "logo_url": logo_url(org.logo_key),
        "created_at": iso(org.created_at),
    }


async def org_view(svc: Services, actor: Actor, slug: str) -> dict[str, Any]:
    """``GET /api/v1/organizations/{slug}``: the page, its follower count, whether the viewer
    follows it / is an admin / holds a seat, its admins — and, for admins, the seat holders."""
    async with svc.db.read() as conn:
        org = await access_org(conn, slug)
        followers = (
            await conn.execute(
                sa.select(sa.func.count())
                .select_from(org_follows)
                .where(org_follows.c.org_id == org.id)
            )
        ).scalar_one()
        mine = {
            name: (
                await conn.execute(
                    sa.select(sa.literal(1)).where(
                        table.c.org_id == org.id, table.c.member_id == actor.id
                    )
                )
            ).first()
            is not None
            for name, table in (
                ("following", org_follows),
                ("is_admin", org_admins),
                ("has_seat", org_seats),
            )
        }
        view = {
            **_summary(org),
            "followers": int(followers),
            **mine,
            "admins": await _members_of(conn, org_admins, org.id),
        }
        if mine["is_admin"]:
            view["seats"] = await _members_of(conn, org_seats, org.id)
    return view


async def list_orgs(
    svc: Services, *, q: str | None = None, cursor: str | None = None, limit: int = 20
) -> dict[str, Any]:
    """Organisations newest first, optionally those whose name contains ``q``:
    ``{items, next_cursor}``."""
    limit = max(1, min(limit, LIST_LIMIT))
    query = sa.select(organizations).order_by(ORG.id.desc()).limit(limit + 1)
    if q and q.strip():
        escaped = q.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(sa.func.lower(ORG.name).like(f"%{escaped}%", escape="\\"))
    if cursor:
        if not cursor.isdigit():
            raise InvalidInput("invalid_cursor", "That cursor is not one this list gave out.")
        query = query.where(ORG.id < int(cursor))
    async with svc.db.read() as conn:
        rows = (await conn.execute(query)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "items": [_summary(row) for row in rows],
        "next_cursor": str(rows[-1].id) if more and rows else None,
    }


async def seats_of(conn: AsyncConnection, member_id: int) -> list[dict[str, Any]]:
    """The organisations in which ``member_id`` holds a recruiter seat (for InMail compose)."""
    rows = await conn.execute(
        sa.select(organizations)
        .join(org_seats, org_seats.c.org_id == ORG.id)
        .where(org_seats.c.member_id == member_id)
        .order_by(ORG.name)
    )
    return [_summary(row) for row in rows]


async def followed_among(conn: AsyncConnection, member_id: int, slugs: list[str]) -> list[str]:
    """Which of the organisations ``slugs`` the member follows."""
    if not slugs:
        return []
    rows = await conn.execute(
        sa.select(ORG.slug)
        .join(org_follows, org_follows.c.org_id == ORG.id)
        .where(org_follows.c.member_id == member_id, ORG.slug.in_(slugs))
    )
    return list(rows.scalars())


async def orgs_of_admin(conn: AsyncConnection, member_id: int) -> list[dict[str, Any]]:
    rows = await conn.execute(
        sa.select(organizations)
        .join(org_admins, org_admins.c.org_id == ORG.id)
        .where(org_admins.c.member_id == member_id)
        .order_by(ORG.name)
    )
    return [_summary(row) for row in rows]
