"""``GET /api/v1/sync?since=&limit=`` — the member's events after a cursor (API.md "Real-time")."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from inroad.api.deps import ActorDep, ServicesDep
from inroad.realtime.store import events_after, parse_since, position

router = APIRouter(prefix="/api/v1", tags=["real-time"])

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


@router.get("/sync")
async def sync(
    actor: ActorDep,
    svc: ServicesDep,
    since: str | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
) -> Response:
    """``{events, next_cursor, has_more}``, oldest first. Without ``since`` there are no events and
    ``next_cursor`` is the member's current position ("from now"); a ``since`` beyond it (e.g. a
    cursor from before a database restore) is answered with the current position too. Two
    queries whatever the page size; event data is sent as stored, never re-encoded."""
    after = parse_since(since)
    async with svc.db.read() as conn:
        current = await position(conn, actor.id)
        batch = [] if after is None else list(await events_after(conn, actor.id, after, limit + 1))
    has_more = len(batch) > limit
    batch = batch[:limit]
    if batch:
        next_cursor = batch[-1].cursor
    elif after is None or after > current:
        next_cursor = current
    else:
        next_cursor = after
    more = "true" if has_more else "false"
    body = (
        '{"events":[' + ",".join(e.frame() for e in batch) + "],"
        f'"next_cursor":{json.dumps(str(next_cursor))},"has_more":{more}}}'
    )
    return Response(body, media_type="application/json")
