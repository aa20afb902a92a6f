"""The per-member event log and the counters that number it.

``events`` holds every durable change a member should see, keyed by ``(member_id, cursor)``; the
cursor comes from ``event_counters`` in the same transaction as the change, so per member it is
gap-free, strictly increasing, and committed in cursor order (the counter row stays locked until
commit on PostgreSQL; SQLite serialises writers).
"""

from __future__ import annotations

import sqlalchemy as sa

from inroad.storage.metadata import BigId, UTCDateTime, metadata

event_counters = sa.Table(
    "event_counters",
    metadata,
    sa.Column(
        "member_id", BigId, sa.ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("last_cursor", sa.BigInteger, nullable=False),
)

events = sa.Table(
    "events",
    metadata,
    # No foreign key: the counter row (which has one) is written first in the same transaction,
    # and skipping the check saves a probe per recipient on every send.
    sa.Column("member_id", BigId, primary_key=True, autoincrement=False),
    sa.Column("cursor", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("type", sa.String(40), nullable=False),
    # JSON text, serialised once per change and served as-is by sync and the WebSocket.
    sa.Column("data", sa.Text, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sqlite_with_rowid=False,
)
