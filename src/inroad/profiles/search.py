"""The people-search index: FTS5 on SQLite, ``tsvector`` + GIN on PostgreSQL.

The profile service calls ``reindex`` in the same transaction as any change to a searchable field
(name, headline, positions, schools, skills, location, industry), so the index never lags.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from inroad.accounts.tables import members
from inroad.network import graph
from inroad.network.tables import blocks, connections
from inroad.profiles import strength
from inroad.profiles.tables import education, positions, skills
from inroad.profiles.views import MEMBER_COLUMNS


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
    """A ``member_id IN (…)``-able text query and its params, or None for an empty query.

    Every word is a prefix match and all words must match. Columns: ``member_id``; ``tier``, the
    coarse relevance — 0 when every word is in the name, 1 when every word is in the name and
    headline, 2 otherwise; ``rank``, the fine relevance (bm25 / ``ts_rank``, lower is better)."""
    words = terms(q)
    if not words:
        return None
    if _is_sqlite(conn):
        phrase = " ".join(f'"{w}"*' for w in words)
        # bm25 weights mirror PostgreSQL's A/B/C weights: a name match outranks a headline match,
        # which outranks one elsewhere in the profile.
        return (
            sa.text(
                "SELECT rowid AS member_id, bm25(member_search, 10.0, 4.0, 2.0) AS rank,"
                " CASE"
                " WHEN rowid IN (SELECT rowid FROM member_search WHERE member_search MATCH :qn)"
                " THEN 0"
                " WHEN rowid IN (SELECT rowid FROM member_search WHERE member_search MATCH :qh)"
                " THEN 1 ELSE 2 END AS tier"
                " FROM member_search WHERE member_search MATCH :q"
            ),
            {"q": phrase, "qn": f"name : ({phrase})", "qh": f"{{name headline}} : ({phrase})"},
        )
    return (
        sa.text(
            # float8, so a rank written into a cursor compares exactly when it comes back.
            "SELECT member_id, (-ts_rank(document, to_tsquery('simple', :q)))::float8 AS rank,"
            " CASE WHEN document @@ to_tsquery('simple', :qn) THEN 0"
            " WHEN document @@ to_tsquery('simple', :qh) THEN 1 ELSE 2 END AS tier"
            " FROM member_search WHERE document @@ to_tsquery('simple', :q)"
        ),
        {
            "q": " & ".join(f"{w}:*" for w in words),
            "qn": " & ".join(f"{w}:*A" for w in words),
            "qh": " & ".join(f"{w}:*AB" for w in words),
        },
    )


def body_match_clause(
    conn: AsyncConnection, text: str
) -> tuple[sa.TextClause, dict[str, str]] | None:
    """Ids (column ``member_id``) whose profile body — location, industry, companies, titles,
    schools, skills, not name or headline — has every word of ``text`` as a word prefix; None
    when ``text`` has no words. An index-driven pre-filter for the company/school/location
    filters, which then check the exact column."""
    words = terms(text)
    if not words:
        return None
    if _is_sqlite(conn):
        expr = "body : (" + " AND ".join(f'"{w}"*' for w in words) + ")"
        return (
            sa.text("SELECT rowid AS member_id FROM member_search WHERE member_search MATCH :fq"),
            {"fq": expr},
        )
    expr = " & ".join(f"{w}:*C" for w in words)
    return (
        sa.text("SELECT member_id FROM member_search WHERE document @@ to_tsquery('simple', :fq)"),
        {"fq": expr},
    )


# --- people search -------------------------------------------------------------------------

# (relevance tier, degree bucket, -mutual connections, -strength, fine relevance, member id):
# ascending order of this tuple is the ranking, and the last row's tuple is the page cursor.
SearchKey = tuple[int, int, int, int, float, int]


@dataclass(frozen=True)
class MemberQuery:
    """People-search input, already validated: ``degrees`` ⊆ {1, 2, 3} (3 = 3rd or beyond);
    empty strings mean "no filter"."""

    q: str = ""
    degrees: frozenset[int] = frozenset()
    company: str = ""
    school: str = ""
    location: str = ""


def search_key(row: Mapping[Any, Any]) -> SearchKey:
    return (
        int(row["tier"]),
        int(row["bucket"]),
        -int(row["mutuals"]),
        -int(row["strength"]),
        float(row["rank"]),
        int(row["id"]),
    )


async def search_members(
    conn: AsyncConnection, viewer: int, query: MemberQuery, *, after: SearchKey | None, limit: int
) -> Sequence[sa.RowMapping]:
    """One page of members matching ``query`` as ``viewer`` sees them, best first.

    Ranked by text relevance — where the words matched: all in the name, then in name and
    headline, then anywhere — then degree (1st, 2nd, then 3rd-and-beyond together), then mutual
    connections, then profile strength, then the engine's fine-grained score, then id. (Ranking
    on the fine score first would let bm25's length normalisation put a stranger with a shorter
    headline above a 1st-degree connection of the same name.)

    Excludes the viewer, deleted and suspended members and anyone blocked either way. Each row
    has the ``MEMBER_COLUMNS`` plus ``tier``, ``rank``, ``bucket`` (1, 2 or 3), ``mutuals`` and
    ``strength``. One statement, whatever the page size. Per candidate: a primary-key probe for
    "connected", and an exact mutual count that walks the shorter of the two connection lists
    (the candidate's or the viewer's) probing the other — never the viewer's whole 2-hop
    neighbourhood. Telling 3rd degree from beyond is left to the caller, for one page only."""
    m = members
    is_first = graph.connected_clause(viewer, m.c.id)
    theirs, mine = connections.alias("s_theirs"), connections.alias("s_mine")
    walk_theirs = (
        sa.select(sa.func.count())
        .select_from(theirs)
        .join(mine, sa.and_(mine.c.member_id == viewer, mine.c.other_id == theirs.c.other_id))
        .where(theirs.c.member_id == m.c.id)
        .scalar_subquery()
    )
    mine2, theirs2 = connections.alias("s_mine2"), connections.alias("s_theirs2")
    walk_mine = (
        sa.select(sa.func.count())
        .select_from(mine2)
        .join(
            theirs2, sa.and_(theirs2.c.member_id == m.c.id, theirs2.c.other_id == mine2.c.other_id)
        )
        .where(mine2.c.member_id == viewer)
        .scalar_subquery()
    )
    viewer_count = (
        sa.select(members.c.connection_count).where(members.c.id == viewer).scalar_subquery()
    )
    # CASE evaluates only the branch it takes, so each row pays min(|theirs|, |mine|) probes.
    mutuals = sa.case(
        (m.c.connection_count == 0, 0),
        (m.c.connection_count <= viewer_count, walk_theirs),
        else_=walk_mine,
    )
    source: sa.FromClause = m
    rank: sa.ColumnElement[float] = sa.literal(0.0, sa.Float)
    tier: sa.ColumnElement[int] = sa.literal(0, sa.Integer)
    text_match = match_clause(conn, query.q)
    if text_match is not None:
        clause, params = text_match
        matched = (
            clause.bindparams(**params)
            .columns(
                sa.column("member_id", sa.Integer),
                sa.column("rank", sa.Float),
                sa.column("tier", sa.Integer),
            )
            .subquery("text_match")
        )
        source = m.join(matched, matched.c.member_id == m.c.id)
        rank, tier = matched.c.rank, matched.c.tier
    conditions: list[sa.ColumnElement[bool]] = [
        m.c.id != viewer,
        m.c.deleted_at.is_(None),
        m.c.suspended.is_(False),
        ~sa.exists().where(blocks.c.blocker_id == viewer, blocks.c.blocked_id == m.c.id),
        ~sa.exists().where(blocks.c.blocker_id == m.c.id, blocks.c.blocked_id == viewer),
    ]
    filter_words = " ".join(f for f in (query.company, query.school, query.location) if f)
    body_match = body_match_clause(conn, filter_words)
    if body_match is not None:
        clause, params = body_match
        conditions.append(
            m.c.id.in_(clause.bindparams(**params).columns(sa.column("member_id", sa.Integer)))
        )
    if query.company:
        conditions.append(
            sa.exists().where(
                positions.c.member_id == m.c.id,
                positions.c.end_month.is_(None),
                positions.c.company.icontains(query.company, autoescape=True),
            )
        )
    if query.school:
        conditions.append(
            sa.exists().where(
                education.c.member_id == m.c.id,
                education.c.school.icontains(query.school, autoescape=True),
            )
        )
    if query.location:
        conditions.append(m.c.location.icontains(query.location, autoescape=True))
    ranked = (
        sa.select(
            *MEMBER_COLUMNS,
            tier.label("tier"),
            rank.label("rank"),
            is_first.label("is_first"),
            mutuals.label("mutuals"),
            strength.score_sql().label("strength"),
        )
        .select_from(source)
        .where(*conditions)
        .subquery("ranked")
    )
    bucket = sa.case((ranked.c.is_first, 1), (ranked.c.mutuals > 0, 2), else_=3)
    key = (ranked.c.tier, bucket, -ranked.c.mutuals, -ranked.c.strength, ranked.c.rank, ranked.c.id)
    page = sa.select(*ranked.c, bucket.label("bucket"))
    if query.degrees and query.degrees != {1, 2, 3}:
        page = page.where(bucket.in_(sorted(query.degrees)))
    if after is not None:
        page = page.where(sa.tuple_(*key) > sa.tuple_(*(sa.literal(v) for v in after)))
    page = page.order_by(*key).limit(limit)
    return (await conn.execute(page)).mappings().all()
