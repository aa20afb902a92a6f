"""The network's tables: the connection graph and blocks (migration 0001), invitations,
dismissed suggestions and reports (0002_network). Both directions of a connection are stored, so
every graph query starts from an index on ``member_id`` (``WITHOUT ROWID`` clustering on SQLite)."""

from __future__ import annotations

import sqlalchemy as sa

from inroad.accounts.tables import members
from inroad.storage.metadata import BigId, UTCDateTime, id_column, metadata

connections = sa.Table(
    "connections",
    metadata,
    sa.Column(
        "member_id", BigId, sa.ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("other_id", BigId, sa.ForeignKey("members.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Index("ix_connections_member_id_created_at", "member_id", "created_at"),
    sqlite_with_rowid=False,
)

blocks = sa.Table(
    "blocks",
    metadata,
    sa.Column(
        "blocker_id", BigId, sa.ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column(
        "blocked_id", BigId, sa.ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Index("ix_blocks_blocked_id", "blocked_id"),
    sqlite_with_rowid=False,
)

# One row per invitation ever sent. ``status`` is what happened to it; an expired invitation stays
# ``pending`` in the table and is shown as ``expired`` from ``created_at`` and the clock (no cron
# job), and is turned into ``expired`` the next time a write touches the pair.
invitations = sa.Table(
    "invitations",
    metadata,
    id_column(),
    sa.Column("sender_id", BigId, sa.ForeignKey("members.id", ondelete="CASCADE"), nullable=False),
    sa.Column(
        "recipient_id", BigId, sa.ForeignKey("members.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("note", sa.Text, nullable=True),
    sa.Column("how_relation", sa.String(20), nullable=True),
    sa.Column("how_organization", sa.String(200), nullable=True),
    sa.Column("status", sa.String(10), nullable=False, server_default="pending"),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("responded_at", UTCDateTime, nullable=True),
    # Set by "withdraw" (the re-invite cool-down runs from it). A withdrawn invitation the
    # recipient had rejected keeps status ``rejected``, so the rejection still counts.
    sa.Column("withdrawn_at", UTCDateTime, nullable=True),
    sa.Index(
        "ix_invitations_recipient_id_status_created_at", "recipient_id", "status", "created_at"
    ),
    sa.Index("ix_invitations_sender_id_created_at", "sender_id", "created_at"),
    sa.Index("ix_invitations_sender_id_recipient_id", "sender_id", "recipient_id"),
    sa.Index(
        "uq_invitations_pending_pair",
        "sender_id",
        "recipient_id",
        unique=True,
        sqlite_where=sa.text("status = 'pending'"),
        postgresql_where=sa.text("status = 'pending'"),
    ),
)

dismissed_suggestions = sa.Table(
    "dismissed_suggestions",
    metadata,
    sa.Column(
        "member_id", BigId, sa.ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column(
        "dismissed_id", BigId, sa.ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sqlite_with_rowid=False,
)

# The operator moderation queue. conversation_id / message_id point into messaging tables that a
# later migration creates, so they carry no foreign key.
reports = sa.Table(
    "reports",
    metadata,
    id_column(),
    sa.Column(
        "reporter_id", BigId, sa.ForeignKey("members.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("member_id", BigId, sa.ForeignKey("members.id", ondelete="CASCADE"), nullable=True),
    sa.Column("conversation_id", sa.BigInteger, nullable=True),
    sa.Column("message_id", sa.BigInteger, nullable=True),
    sa.Column("reason", sa.String(20), nullable=False),
    sa.Column("detail", sa.Text, nullable=False, server_default=""),
    sa.Column("status", sa.String(10), nullable=False, server_default="open"),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("resolved_at", UTCDateTime, nullable=True),
    sa.Column(
        "resolved_by", BigId, sa.ForeignKey("members.id", ondelete="SET NULL"), nullable=True
    ),
    sa.Index("ix_reports_status_created_at", "status", "created_at"),
    sa.Index("ix_reports_member_id", "member_id"),
    sa.Index("ix_reports_reporter_id", "reporter_id"),
)

# People You May Know reads "also in <industry>" / "also in <location>" candidates newest first
# with a LIMIT; these make that a bounded index range instead of a scan of ``members``.
sa.Index("ix_members_industry_id", members.c.industry, members.c.id)
sa.Index("ix_members_location_id", members.c.location, members.c.id)
