"""Events written in the same transaction as the change, published only after it commits.

Usage (any domain)::

    async with transaction(svc) as tx:
        ... change rows with tx.conn ...
        tx.outbox.add(member_ids, "conversation.updated", {"conversation_id": "12", ...})
    # committed here; then the events went to the bus

Cursors are allocated once per transaction, as its last statements (one upsert on
``event_counters`` in member-id order, one multi-row insert into ``events``). Doing it last and in
a fixed order keeps the counter rows' locks short and deadlock-free on PostgreSQL.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from inroad.realtime.bus import Event
from inroad.realtime.tables import event_counters, events

if TYPE_CHECKING:
    from inroad.services import Services

log = logging.getLogger("inroad.realtime")


def dumps(data: Any) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def _upsert_counters(insert: Any) -> Any:
    # Executed with one parameter set per member: SQLAlchemy sends them as one multi-row
    # INSERT, in the order given (sorted member ids: the lock order).
    return insert.on_conflict_do_update(
        index_elements=[event_counters.c.member_id],
        set_={"last_cursor": event_counters.c.last_cursor + insert.excluded.last_cursor},
    ).returning(event_counters.c.member_id, event_counters.c.last_cursor)


_UPSERT_COUNTERS = {
    "postgresql": _upsert_counters(postgresql.insert(event_counters)),
    "sqlite": _upsert_counters(sqlite.insert(event_counters)),
}


@dataclass
class Outbox:
    """Events a transaction will write; ``flush`` gives them cursors and inserts them."""

    now: datetime
    _pending: list[tuple[int, str, str]] = field(default_factory=list)

    def add(self, member_ids: Iterable[int], type_: str, data: Mapping[str, Any] | str) -> None:
        """The same event for each member (the data is serialised once)."""
        text = data if isinstance(data, str) else dumps(data)
        self._pending.extend((member_id, type_, text) for member_id in member_ids)

    def add_each(self, type_: str, data_by_member: Mapping[int, Mapping[str, Any] | str]) -> None:
        """A per-member variant of one event (e.g. reactions with each member's ``mine``)."""
        for member_id, data in data_by_member.items():
            self.add((member_id,), type_, data)

    def __len__(self) -> int:
        return len(self._pending)

    async def flush(self, conn: AsyncConnection) -> list[Event]:
        """Allocate cursors and insert the events; call as the transaction's last step."""
        if not self._pending:
            return []
        counts = Counter(member_id for member_id, _, _ in self._pending)
        rows = [{"member_id": m, "last_cursor": counts[m]} for m in sorted(counts)]
        upsert = _UPSERT_COUNTERS[conn.dialect.name]
        last = {int(m): int(c) for m, c in (await conn.execute(upsert, rows)).all()}
        next_cursor = {m: last[m] - counts[m] + 1 for m in counts}
        written: list[Event] = []
        for member_id, type_, data in self._pending:
            cursor = next_cursor[member_id]
            next_cursor[member_id] = cursor + 1
            written.append(Event(member_id, cursor, type_, data))
        await conn.execute(
            events.insert(),
            [
                {
                    "member_id": e.member_id,
                    "cursor": e.cursor,
                    "type": e.type,
                    "data": e.data,
                    "created_at": self.now,
                }
                for e in written
            ],
        )
        self._pending.clear()
        return written


@dataclass
class Tx:
    """One write transaction and the events it will publish."""

    conn: AsyncConnection
    outbox: Outbox


@asynccontextmanager
async def transaction(svc: Services) -> AsyncIterator[Tx]:
    """One ``svc.db.write()`` transaction; its outbox is flushed inside it and published after
    commit. Nothing is published when the block raises (everything is rolled back)."""
    async with svc.db.write() as conn:
        tx = Tx(conn, Outbox(svc.clock.now()))
        yield tx
        written = await tx.outbox.flush(conn)
    await publish(svc, written)


async def publish(svc: Services, written: list[Event]) -> None:
    """Hand committed events to the bus. A bus failure is logged, not raised: the change is
    durable and every subscriber catches up from the events table on reconnect."""
    if not written:
        return
    try:
        await svc.bus.publish(written)
    except Exception:
        log.exception("publishing %d events failed; clients will catch up via sync", len(written))
