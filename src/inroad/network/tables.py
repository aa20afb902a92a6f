"""The connection graph and blocks. Both directions of a connection are stored, so every graph
query starts from an index on ``member_id`` (``WITHOUT ROWID`` clustering on SQLite)."""

from __future__ import annotations

import sqlalchemy as sa

from inroad.storage.metadata import BigId, UTCDateTime, metadata

connections = sa.Table(
    "connections",
    metadata,
    sa.Column("member_id", BigId, sa.ForeignKey("members.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("other_id", BigId, sa.ForeignKey("members.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Index("ix_connections_member_id_created_at", "member_id", "created_at"),
    sqlite_with_rowid=False,
)

blocks = sa.Table(
    "blocks",
    metadata,
    sa.Column("blocker_id", BigId, sa.ForeignKey("members.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("blocked_id", BigId, sa.ForeignKey("members.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Index("ix_blocks_blocked_id", "blocked_id"),
    sqlite_with_rowid=False,
)
