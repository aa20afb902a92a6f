"""Messaging tables.

Per-member conversation state (``conversation_members``) is kept up to date on every write —
last message, unread count, folder — so an inbox page is one range scan of
``ix_conversation_members_inbox`` and a send updates every participant's row in one UPDATE.
A member who leaves or is removed loses their row (and with it all access).
Message search lives beside ``messages``: an FTS5 table kept by triggers on SQLite, a generated
``tsvector`` column with a GIN index on PostgreSQL (both created by migration 0003 only).
"""

from __future__ import annotations

import sqlalchemy as sa

from inroad.storage.metadata import BigId, UTCDateTime, id_column, metadata

KINDS = ("direct", "group", "inmail")
FOLDERS = ("focused", "other", "archived", "spam")
REQUEST_STATES = ("pending", "accepted", "declined")

conversations = sa.Table(
    "conversations",
    metadata,
    id_column(),
    sa.Column("kind", sa.String(10), nullable=False),
    sa.Column("title", sa.String(200), nullable=True),
    sa.Column("created_by", BigId, sa.ForeignKey("members.id", ondelete="SET NULL"), nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    # "minid:maxid" for a 1:1, so concurrent "start a conversation" calls find one row.
    sa.Column("direct_key", sa.String(41), nullable=True, unique=True),
    # Message requests (Open Profile): pending | accepted | declined; NULL otherwise.
    sa.Column("request_state", sa.String(10), nullable=True),
)

conversation_members = sa.Table(
    "conversation_members",
    metadata,
    sa.Column(
        "member_id", BigId, sa.ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column(
        "conversation_id",
        BigId,
        sa.ForeignKey("conversations.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("joined_at", UTCDateTime, nullable=False),
    # Denormalised pointers into messages (no foreign key: checked on every send otherwise).
    # last_message_id orders the inbox: ids grow with time and never tie.
    sa.Column("last_message_id", sa.BigInteger, nullable=False),
    sa.Column("last_read_message_id", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("unread_count", sa.Integer, nullable=False, server_default="0"),
    # The list the conversation shows in: focused | other | archived | spam ...
    sa.Column("folder", sa.String(10), nullable=False),
    # ... and where it returns when unarchived or when a new message arrives: focused | other.
    sa.Column("home", sa.String(10), nullable=False),
    sa.Column("muted", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Index("ix_conversation_members_inbox", "member_id", "folder", "last_message_id"),
    sa.Index(
        "uq_conversation_members_conversation_id", "conversation_id", "member_id", unique=True
    ),
    sqlite_with_rowid=False,
)

messages = sa.Table(
    "messages",
    metadata,
    id_column(),
    sa.Column(
        "conversation_id",
        BigId,
        sa.ForeignKey("conversations.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("sender_id", BigId, sa.ForeignKey("members.id", ondelete="CASCADE"), nullable=False),
    # Chosen by the client; unique per sender, which is what makes a send idempotent.
    sa.Column("client_id", sa.String(100), nullable=False),
    sa.Column("text", sa.Text, nullable=True),  # NULL once unsent (tombstone)
    sa.Column("subject", sa.String(200), nullable=True),  # InMail only
    # [{id, name, size, content_type}] copied from uploads at send time (fixed afterwards).
    sa.Column("attachments", sa.JSON, nullable=False, server_default="[]"),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("edited_at", UTCDateTime, nullable=True),
    sa.Column("deleted_at", UTCDateTime, nullable=True),
    sa.UniqueConstraint("sender_id", "client_id", name="uq_messages_sender_id_client_id"),
    sa.Index("ix_messages_conversation_id_id", "conversation_id", "id"),
    # The rolling-minute send limit reads at most N entries of this index.
    sa.Index("ix_messages_sender_id_created_at", "sender_id", "created_at"),
)

reactions = sa.Table(
    "reactions",
    metadata,
    sa.Column(
        "message_id", BigId, sa.ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column(
        "member_id", BigId, sa.ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("emoji", sa.String(64), primary_key=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sqlite_with_rowid=False,
)

uploads = sa.Table(
    "uploads",
    metadata,
    id_column(),
    sa.Column("owner_id", BigId, sa.ForeignKey("members.id", ondelete="CASCADE"), nullable=False),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("content_type", sa.String(100), nullable=False),
    # File name under <data_dir>/uploads/ (random; never derived from user input).
    sa.Column("storage_key", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column(
        "message_id", BigId, sa.ForeignKey("messages.id", ondelete="SET NULL"), nullable=True
    ),
    sa.Index("ix_uploads_message_id", "message_id"),
    sa.Index("ix_uploads_owner_id_created_at", "owner_id", "created_at"),
)
