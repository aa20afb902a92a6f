"""The people-search index: FTS5 on SQLite, ``tsvector`` + GIN on PostgreSQL.

The profile service calls ``reindex`` in the same transaction as any change to a searchable field
(name, headline, positions, schools, skills, location, industry), so the index never lags.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from inroad.accounts.tables import members
from inroad.profiles.tables import education, positions, skills


def _is_sqlite(conn: AsyncConnection) -> bool:
    return conn.dialect.name == "sqlite"


async def _document(conn: AsyncConnection, member_id: int) -> tuple[str, str, str] | None:
    row = (
        await conn.execute(
            sa.select(
                members.c.name, members.c.headline, members.c.location, members.c.industry
            ).where(members.c.id == member_id, members.c.deleted_at.is_(None))
        )
    ).first()
    if row is None:
        return None
    pos = (
        await conn.execute(
            sa.select(positions.c.company, positions.c.title).where(
                positions.c.member_id == member_id
            )
        )
    ).all()
    schools = (
        await conn.execute(
            sa.select(education.c.school, education.c.field).where(
                education.c.member_id == member_id
            )
        )
    ).all()
    skill_names = (
        (await conn.execute(sa.select(skills.c.name).where(skills.c.member_id == member_id)))
        .scalars()
        .all()
    )
    body = " ".join(
        [row.location, row.industry]
        + [f"{p.company} {p.title}" for p in pos]
        + [f"{s.school} {s.field}" for s in schools]
        + list(skill_names)
    )
    return row.name, row.headline, body


async def reindex(conn: AsyncConnection, member_id: int) -> None:
    doc = await _document(conn, member_id)
    await remove(conn, member_id)
    if doc is None:
        return
    name, headline, body = doc
    if _is_sqlite(conn):
        await conn.execute(
            sa.text(
                "INSERT INTO member_search(rowid, name, headline, body) VALUES (:id, :n, :h, :b)"
            ),
            {"id": member_id, "n": name, "h": headline, "b": body},
        )
    else:
        await conn.execute(
            sa.text(
                "INSERT INTO member_search(member_id, document) VALUES (:id,"
                " setweight(to_tsvector('simple', :n), 'A')"
                " || setweight(to_tsvector('simple', :h), 'B')"
                " || setweight(to_tsvector('simple', :b), 'C'))"
            ),
            {"id": member_id, "n": name, "h": headline, "b": body},
        )


async def remove(conn: AsyncConnection, member_id: int) -> None:
    if _is_sqlite(conn):
        await conn.execute(
            sa.text("DELETE FROM member_search WHERE rowid = :id"), {"id": member_id}
        )
    else:
        await conn.execute(
            sa.text("DELETE FROM member_search WHERE member_id = :id"), {"id": member_id}
        )


_TOKEN = re.compile(r"\w+", re.UNICODE)


def terms(q: str) -> list[str]:
    """Words of a query, capped, for building a safe prefix query (no operator injection)."""
    return [t.lower() for t in _TOKEN.findall(q)][:12]


def match_clause(conn: AsyncConnection, q: str) -> tuple[sa.TextClause, dict[str, str]] | None:
    """A ``member_id IN (…)``-able text query and its params, or None for an empty query."""
    words = terms(q)
    if not words:
        return None
    if _is_sqlite(conn):
        expr = " ".join(f'"{w}"*' for w in words)
        return sa.text(
            "SELECT rowid AS member_id, rank FROM member_search WHERE member_search MATCH :q"
        ), {"q": expr}
    expr = " & ".join(f"{w}:*" for w in words)
    return (
        sa.text(
            "SELECT member_id, -ts_rank(document, to_tsquery('simple', :q)) AS rank"
            " FROM member_search WHERE document @@ to_tsquery('simple', :q)"
        ),
        {"q": expr},
    )
