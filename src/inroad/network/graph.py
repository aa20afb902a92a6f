"""Degrees and mutual connections over the ``connections`` table (both directions stored).

These run on every profile view and search page, for members up to the 30,000-connection cap, so
each is a bounded number of index range scans and primary-key probes, never a scan of the table:

- **Mutual count of a and b**: walk the *smaller* member's connection list (a range of the
  ``(member_id, other_id)`` primary key) and probe the larger member's key for each id — cost
  ``min(|a|, |b|)`` probes. When both lists are long and of comparable length (``merges``),
  PostgreSQL instead merges the two sorted key ranges, several times cheaper than 30,000 probes;
  ``index_plans`` pins these plans (no hash joins, parallel plans, Memoize or generic plans,
  which cost more than they save here). SQLite has no merge join, but runs an INTERSECT with
  ORDER BY as a merge of the two sorted ranges, which the same rule picks there.
- **Degree 3** (a connection of mine is connected to a connection of theirs) is a
  meet-in-the-middle test: from the member with fewer connections walk two hops, probing the other
  member's connection list for each member reached, and stop at the first hit. The walk is
  capped at ``THIRD_DEGREE_BUDGET`` rows per call (shared among the members checked), so it is
  bounded even at the cap, where an exhaustive check would explore 30,000 × 30,000 pairs. The
  trade-off: when the budget runs out before a path is found the answer is ``None`` ("beyond
  3rd", shown as "3rd+"), never a wrong 1 or 2. Real 3rd-degree members at the cap have many
  paths, so the first hit comes early; the budget only bites for members who are genuinely far
  apart or whose paths run only through the unexplored part of a huge neighbourhood.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from inroad.accounts.tables import members
from inroad.network.tables import blocks, connections

# Rows one ``degrees_and_mutuals`` call may walk for 3rd-degree tests: each row is an index step
# plus a primary-key probe (about 0.35 µs on SQLite, 0.8 µs on PostgreSQL on the benchmark
# machine), so the whole budget costs roughly 4 ms and 8 ms. See the module docstring for what
# happens when it runs out.
THIRD_DEGREE_BUDGET = 10_000
# Each member tested for 3rd degree gets at least this much of the budget.
MIN_THIRD_DEGREE_SHARE = 1_000

c1 = connections.alias("c1")
c2 = connections.alias("c2")

# PostgreSQL planner settings for graph queries: at tens of thousands of rows per member, a hash
# join (and a parallel plan) costs several times a merge join or index probes; a LIMIT on an
# exploration query tempts the planner into a sequential scan; Memoize in front of index probes
# with all-distinct keys only adds cost; and a cached generic plan, made without knowing whose
# list is long, picks the wrong join (measured: 40 ms instead of 3 ms). Transaction-local and
# restored.
_PG_PLAN_SETTINGS = {
    "enable_hashjoin": "off",
    "enable_seqscan": "off",
    "enable_memoize": "off",
    "max_parallel_workers_per_gather": "0",
    "plan_cache_mode": "force_custom_plan",
}
# Two long lists of comparable length intersect fastest as a merge of their sorted primary-key
# ranges (60,000 sequential index reads for 30,000 × 30,000, about 2 ms); a short list probing a
# long one is fastest as a nested loop. ``merges`` decides which, and on PostgreSQL the merge is
# then forced (nested loops off) rather than left to row estimates.
MERGE_MIN_SIDE = 1_000
MERGE_MAX_RATIO = 8


def merges(a: int, b: int, counts: dict[int, int]) -> bool:
    """Whether the lists of ``a`` and ``b`` are both long and of comparable length."""
    small, large = sorted((counts.get(a, 0), counts.get(b, 0)))
    return small >= MERGE_MIN_SIDE and small * MERGE_MAX_RATIO >= large


@asynccontextmanager
async def index_plans(conn: AsyncConnection, *, merge: bool = False) -> AsyncIterator[None]:
    """Run the block's queries with ``_PG_PLAN_SETTINGS`` on PostgreSQL (no-op on SQLite);
    ``merge`` also turns nested loops off, so joins of two connection lists merge.

    The settings are set with ``set_config(..., is_local => true)`` and put back afterwards (scopes
    nest), so the rest of the caller's transaction plans as usual. If the block raises, the
    transaction is being abandoned and the settings die with it.
    """
    if conn.dialect.name != "postgresql":
        yield
        return
    wanted = {**_PG_PLAN_SETTINGS, **({"enable_nestloop": "off"} if merge else {})}
    names = list(wanted)
    previous = (
        await conn.execute(
            sa.select(
                *[sa.func.current_setting(name) for name in names],
                *[sa.func.set_config(name, value, True) for name, value in wanted.items()],
            )
        )
    ).one()
    yield
    await conn.execute(
        sa.select(*[sa.func.set_config(name, previous[i], True) for i, name in enumerate(names)])
    )


async def is_connected(conn: AsyncConnection, a: int, b: int) -> bool:
    row = await conn.execute(
        sa.select(sa.literal(1)).where(connections.c.member_id == a, connections.c.other_id == b)
    )
    return row.first() is not None


async def is_blocked_either_way(conn: AsyncConnection, a: int, b: int) -> bool:
    row = await conn.execute(
        sa.select(sa.literal(1)).where(
            sa.or_(
                sa.and_(blocks.c.blocker_id == a, blocks.c.blocked_id == b),
                sa.and_(blocks.c.blocker_id == b, blocks.c.blocked_id == a),
            )
        )
    )
    return row.first() is not None


async def connection_counts(conn: AsyncConnection, ids: Iterable[int]) -> dict[int, int]:
    """``members.connection_count`` for each id (primary-key lookups; missing ids are absent)."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    rows = await conn.execute(
        sa.select(members.c.id, members.c.connection_count).where(members.c.id.in_(wanted))
    )
    return {int(i): int(n) for i, n in rows}


def mutual_ids_query(a: int, b: int) -> sa.Select[int]:
    """Ids connected to both ``a`` and ``b``: a range scan of a's list, a PK probe into b's.
    Pass the member with fewer connections as ``a``."""
    return (
        sa.select(c1.c.other_id)
        .join(c2, sa.and_(c2.c.member_id == b, c2.c.other_id == c1.c.other_id))
        .where(c1.c.member_id == a)
    )


def _mutual_count_query(
    small: int | sa.BindParameter[int], large: int | sa.BindParameter[int], *, intersect: bool
) -> sa.Select[int]:
    """The count of ids on both lists. ``intersect``: as SQLite's merge of the two sorted
    primary-key ranges (a compound INTERSECT with ORDER BY runs as a merge of two co-routines);
    otherwise a join, the smaller list driving."""
    if intersect:
        both = sa.intersect(
            sa.select(c1.c.other_id).where(c1.c.member_id == small),
            sa.select(c2.c.other_id).where(c2.c.member_id == large),
        ).order_by("other_id")
        return sa.select(sa.func.count()).select_from(both.subquery("both_lists"))
    # FROM order matters on SQLite: without statistics its planner keeps the first table as the
    # outer loop, so the smaller list drives and the larger one is probed.
    return (
        sa.select(sa.func.count())
        .select_from(c1)
        .join(c2, sa.and_(c2.c.member_id == large, c2.c.other_id == c1.c.other_id))
        .where(c1.c.member_id == small)
    )


def _intersects(conn: AsyncConnection, merge: bool) -> bool:
    """Whether to merge by INTERSECT: SQLite only (PostgreSQL merges the join itself)."""
    return merge and conn.dialect.name == "sqlite"


def _ordered(a: int, b: int, counts: dict[int, int]) -> tuple[int, int]:
    return (a, b) if counts.get(a, 0) <= counts.get(b, 0) else (b, a)


async def mutual_count(conn: AsyncConnection, a: int, b: int) -> int:
    """How many members are connected to both ``a`` and ``b``; ``min(|a|, |b|)`` probes at most."""
    if a == b:
        return 0
    counts = await connection_counts(conn, (a, b))
    small, large = _ordered(a, b, counts)
    merge = merges(a, b, counts)
    query = _mutual_count_query(small, large, intersect=_intersects(conn, merge))
    async with index_plans(conn, merge=merge):
        count = (await conn.execute(query)).scalar_one()
    return int(count)


async def has_mutual(conn: AsyncConnection, a: int, b: int) -> bool:
    """Whether ``a`` and ``b`` share at least one connection; stops at the first one found."""
    if a == b:
        return False
    counts = await connection_counts(conn, (a, b))
    if not counts.get(a) or not counts.get(b):
        return False
    small, large = _ordered(a, b, counts)
    query = (
        sa.select(sa.literal(1))
        .select_from(c1)
        .join(c2, sa.and_(c2.c.member_id == large, c2.c.other_id == c1.c.other_id))
        .where(c1.c.member_id == small)
        .limit(1)
    )
    async with index_plans(conn):
        return (await conn.execute(query)).first() is not None


async def mutual_ids(
    conn: AsyncConnection, a: int, b: int, *, after: int | None = None, limit: int = 20
) -> list[int]:
    """Up to ``limit`` ids connected to both, in id order, after ``after`` (a keyset page).

    The smaller list is walked in primary-key order and stops once the page is full, so a page
    costs about ``limit × (smaller list / mutual count)`` probes, not the whole intersection.
    """
    if a == b or limit <= 0:
        return []
    counts = await connection_counts(conn, (a, b))
    small, large = _ordered(a, b, counts)
    merge = merges(a, b, counts)
    floor = -1 if after is None else after
    query: sa.Select[int] | sa.CompoundSelect[int]
    if _intersects(conn, merge):
        query = (
            sa.intersect(
                sa.select(c1.c.other_id).where(c1.c.member_id == small, c1.c.other_id > floor),
                sa.select(c2.c.other_id).where(c2.c.member_id == large, c2.c.other_id > floor),
            )
            .order_by("other_id")
            .limit(limit)
        )
    else:
        query = (
            sa.select(c1.c.other_id)
            .select_from(c1)
            .join(c2, sa.and_(c2.c.member_id == large, c2.c.other_id == c1.c.other_id))
            .where(c1.c.member_id == small, c1.c.other_id > floor)
            .order_by(c1.c.other_id)
            .limit(limit)
        )
    async with index_plans(conn, merge=merge):
        return [int(i) for i in (await conn.execute(query)).scalars()]


def connected_clause(viewer: int, member_id: sa.ColumnElement[int]) -> sa.ColumnElement[bool]:
    """SQL true when ``member_id`` is a 1st-degree connection of ``viewer`` (one PK probe);
    for search filters (``degree=1``)."""
    c = connections.alias("cc")
    return sa.exists().where(c.c.member_id == viewer, c.c.other_id == member_id)


def has_mutual_clause(viewer: int, member_id: sa.ColumnElement[int]) -> sa.ColumnElement[bool]:
    """SQL true when ``member_id`` shares at least one connection with ``viewer`` (2nd degree
    unless connected): walks the member's list, probing the viewer's, and stops at the first hit."""
    s = connections.alias("ms")
    v = connections.alias("mv")
    return (
        sa.exists()
        .select_from(s)
        .where(s.c.member_id == member_id)
        .where(sa.exists().where(v.c.member_id == viewer, v.c.other_id == s.c.other_id))
    )


async def degrees_and_mutuals(
    conn: AsyncConnection, viewer: int, others: Iterable[int]
) -> dict[int, tuple[int | None, int]]:
    """``{other: (degree, mutual_count)}`` as ``viewer`` sees each of ``others`` (the viewer
    itself is left out).

    Degree 1 = connected, 2 = has a mutual connection, 3 = a connection of the viewer is connected
    to a connection of theirs, None = beyond 3rd (or not found within ``THIRD_DEGREE_BUDGET``;
    see the module docstring). Mutual counts are exact. Three or four statements: connection
    counts; direct connections and mutual counts together (a second statement for members whose
    list merges with the viewer's, see ``merges``); the 3rd-degree tests together.
    """
    ids = [o for o in dict.fromkeys(others) if o != viewer]
    if not ids:
        return {}
    counts = await connection_counts(conn, [viewer, *ids])
    # A member without connections is beyond every degree: no query needed.
    linked = [o for o in ids if counts.get(o, 0) and counts.get(viewer, 0)]
    result: dict[int, tuple[int | None, int]] = dict.fromkeys(ids, (None, 0))
    if not linked:
        return result
    async with index_plans(conn):
        probed = [o for o in linked if not merges(viewer, o, counts)]
        merged = [o for o in linked if merges(viewer, o, counts)]
        found = await _direct_and_mutual(conn, viewer, probed, counts) if probed else []
        if merged:
            async with index_plans(conn, merge=True):
                found += await _direct_and_mutual(conn, viewer, merged, counts, merge=True)
        third_candidates = []
        for other, mutuals, connected in found:
            if connected:
                result[other] = (1, mutuals)
            elif mutuals:
                result[other] = (2, mutuals)
            else:
                third_candidates.append(other)
        for other in await _third_degree(conn, viewer, third_candidates, counts):
            result[other] = (3, 0)
    return result


# The per-member statements below differ only in their parameters, so each shape (one per page
# size) is built once and SQLAlchemy's compiled cache reuses its SQL; building 20–60 subqueries
# afresh on every call cost more Python time than the queries themselves.
ID = sa.BigInteger()


@functools.lru_cache(maxsize=256)
def _direct_and_mutual_statement(
    n: int, intersect: bool
) -> sa.Select[Any] | sa.CompoundSelect[Any]:
    """For i < n: ``(:o_i, mutual count of :s_i and :l_i, :viewer connected to :o_i)``."""
    direct = connections.alias("d")
    viewer = sa.bindparam("viewer", type_=ID)
    parts = []
    for i in range(n):
        other = sa.bindparam(f"o{i}", type_=ID)
        small, large = sa.bindparam(f"s{i}", type_=ID), sa.bindparam(f"l{i}", type_=ID)
        count = _mutual_count_query(small, large, intersect=intersect).scalar_subquery()
        connected = sa.exists().where(direct.c.member_id == viewer, direct.c.other_id == other)
        parts.append(
            sa.select(other.label("other"), count.label("n"), connected.label("connected"))
        )
    return sa.union_all(*parts) if n > 1 else parts[0]


@functools.lru_cache(maxsize=128)
def _third_degree_statement(n: int) -> sa.Select[Any] | sa.CompoundSelect[Any]:
    """For i < n: ``(:o_i, 1 or NULL)``: whether a member two hops from :near_i (at most
    :budget_i rows walked) is connected to :far_i."""
    first = connections.alias("t1")
    second = connections.alias("t2")
    probe = connections.alias("t3")
    parts = []
    for i in range(n):
        near, far = sa.bindparam(f"near{i}", type_=ID), sa.bindparam(f"far{i}", type_=ID)
        reach = (
            sa.select(second.c.other_id.label("x"))
            .select_from(first)
            .join(second, second.c.member_id == first.c.other_id)
            .where(first.c.member_id == near)
            .limit(sa.bindparam(f"budget{i}", type_=sa.Integer()))
            .subquery("reach")
        )
        hit = (
            sa.select(sa.literal(1))
            .select_from(reach)
            .join(probe, sa.and_(probe.c.member_id == far, probe.c.other_id == reach.c.x))
            .limit(1)
            .scalar_subquery()
        )
        parts.append(sa.select(sa.bindparam(f"o{i}", type_=ID).label("other"), hit.label("hit")))
    return sa.union_all(*parts) if n > 1 else parts[0]


async def _direct_and_mutual(
    conn: AsyncConnection,
    viewer: int,
    ids: Sequence[int],
    counts: dict[int, int],
    *,
    merge: bool = False,
) -> list[tuple[int, int, bool]]:
    """``(other, exact mutual count, connected)`` per id in one statement; each count is driven
    by the smaller of the two lists, or (``merge``) merges them."""
    params: dict[str, int] = {"viewer": viewer}
    for i, other in enumerate(ids):
        params[f"o{i}"] = other
        params[f"s{i}"], params[f"l{i}"] = _ordered(viewer, other, counts)
    statement = _direct_and_mutual_statement(len(ids), _intersects(conn, merge))
    rows = await conn.execute(statement, params)
    return [(int(o), int(n), bool(c)) for o, n, c in rows]


async def _third_degree(
    conn: AsyncConnection, viewer: int, ids: Sequence[int], counts: dict[int, int]
) -> set[int]:
    """The ids (none connected to the viewer, none sharing a connection) at 3rd degree, each
    test walking its share of ``THIRD_DEGREE_BUDGET`` rows at most."""
    if not ids:
        return set()
    share = max(MIN_THIRD_DEGREE_SHARE, THIRD_DEGREE_BUDGET // len(ids))
    params: dict[str, int] = {}
    for i, other in enumerate(ids):
        params[f"o{i}"] = other
        params[f"near{i}"], params[f"far{i}"] = _ordered(viewer, other, counts)
        params[f"budget{i}"] = share
    rows = await conn.execute(_third_degree_statement(len(ids)), params)
    return {int(o) for o, hit in rows if hit is not None}


async def lock_members(conn: AsyncConnection, ids: Iterable[int]) -> dict[int, int]:
    """Lock the members' rows (in id order, so two transactions never deadlock on them) and return
    their connection counts. Call before a connection-count check that must hold until commit."""
    wanted = sorted(set(ids))
    rows = await conn.execute(
        sa.select(members.c.id, members.c.connection_count)
        .where(members.c.id.in_(wanted))
        .order_by(members.c.id)
        .with_for_update()
    )
    return {int(i): int(n) for i, n in rows}


async def add_connection(conn: AsyncConnection, a: int, b: int, at: datetime) -> bool:
    """Connect ``a`` and ``b`` (both directions) and add one to both counts; False and no change
    when they are already connected. Caps are the caller's to check (``lock_members`` first)."""
    if a == b or await is_connected(conn, a, b):
        return False
    await conn.execute(
        connections.insert(),
        [
            {"member_id": a, "other_id": b, "created_at": at},
            {"member_id": b, "other_id": a, "created_at": at},
        ],
    )
    await conn.execute(
        sa.update(members)
        .where(members.c.id.in_(sorted((a, b))))
        .values(connection_count=members.c.connection_count + 1)
    )
    return True


async def remove_connection(conn: AsyncConnection, a: int, b: int) -> bool:
    """Disconnect ``a`` and ``b`` and take one off both counts; False when not connected."""
    deleted = await conn.execute(
        connections.delete().where(
            sa.or_(
                sa.and_(connections.c.member_id == a, connections.c.other_id == b),
                sa.and_(connections.c.member_id == b, connections.c.other_id == a),
            )
        )
    )
    if not deleted.rowcount:
        return False
    await conn.execute(
        sa.update(members)
        .where(members.c.id.in_(sorted((a, b))))
        .values(connection_count=members.c.connection_count - 1)
    )
    return True


async def remove_all_connections(conn: AsyncConnection, member_id: int) -> None:
    """Drop every connection of ``member_id`` (account deletion), keeping all counts right."""
    others = sa.select(connections.c.other_id).where(connections.c.member_id == member_id)
    await conn.execute(
        sa.update(members)
        .where(members.c.id.in_(others))
        .values(connection_count=members.c.connection_count - 1)
    )
    await conn.execute(
        connections.delete().where(
            sa.or_(connections.c.member_id == member_id, connections.c.other_id == member_id)
        )
    )
    await conn.execute(
        sa.update(members).where(members.c.id == member_id).values(connection_count=0)
    )
