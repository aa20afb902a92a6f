"""Messaging (conversations, members' state, messages, reactions, uploads, message search) and
the real-time event log (events, event_counters).

Revision ID: 0003_messaging
Revises: 0002_network
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_messaging"
down_revision = "0002_network"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Time = sa.DateTime(timezone=True)


def _fk(column: str, table: str, target: str, ondelete: str = "CASCADE") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}", ondelete=ondelete
    )


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.create_table(
        "conversations",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("title", sa.String(200), nullable=True),
        sa.Column("created_by", BigId, nullable=True),
        sa.Column("created_at", Time, nullable=False),
        sa.Column("direct_key", sa.String(41), nullable=True),
        sa.Column("request_state", sa.String(10), nullable=True),
        _fk("created_by", "conversations", "members", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_conversations"),
        sa.UniqueConstraint("direct_key", name="uq_conversations_direct_key"),
    )
    op.create_table(
        "conversation_members",
        sa.Column("member_id", BigId, nullable=False),
        sa.Column("conversation_id", BigId, nullable=False),
        sa.Column("joined_at", Time, nullable=False),
        sa.Column("last_message_id", sa.BigInteger(), nullable=False),
        sa.Column("last_read_message_id", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("unread_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("folder", sa.String(10), nullable=False),
        sa.Column("home", sa.String(10), nullable=False),
        sa.Column("muted", sa.Boolean(), server_default=sa.false(), nullable=False),
        _fk("member_id", "conversation_members", "members"),
        _fk("conversation_id", "conversation_members", "conversations"),
        sa.PrimaryKeyConstraint("member_id", "conversation_id", name="pk_conversation_members"),
        sqlite_with_rowid=False,
    )
    # The inbox: one member, one folder, newest activity first — a single index range scan.
    op.create_index(
        "ix_conversation_members_inbox",
        "conversation_members",
        ["member_id", "folder", "last_message_id"],
    )
    op.create_index(
        "uq_conversation_members_conversation_id",
        "conversation_members",
        ["conversation_id", "member_id"],
        unique=True,
    )
    op.create_table(
        "messages",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("conversation_id", BigId, nullable=False),
        sa.Column("sender_id", BigId, nullable=False),
        sa.Column("client_id", sa.String(100), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("subject", sa.String(200), nullable=True),
        sa.Column("attachments", sa.JSON(), server_default="[]", nullable=False),
        sa.Column("created_at", Time, nullable=False),
        sa.Column("edited_at", Time, nullable=True),
        sa.Column("deleted_at", Time, nullable=True),
        _fk("conversation_id", "messages", "conversations"),
        _fk("sender_id", "messages", "members"),
        sa.PrimaryKeyConstraint("id", name="pk_messages"),
        sa.UniqueConstraint("sender_id", "client_id", name="uq_messages_sender_id_client_id"),
    )
    op.create_index("ix_messages_conversation_id_id", "messages", ["conversation_id", "id"])
    op.create_index("ix_messages_sender_id_created_at", "messages", ["sender_id", "created_at"])
    op.create_table(
        "reactions",
        sa.Column("message_id", BigId, nullable=False),
        sa.Column("member_id", BigId, nullable=False),
        sa.Column("emoji", sa.String(64), nullable=False),
        sa.Column("created_at", Time, nullable=False),
        _fk("message_id", "reactions", "messages"),
        _fk("member_id", "reactions", "members"),
        sa.PrimaryKeyConstraint("message_id", "member_id", "emoji", name="pk_reactions"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "uploads",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("owner_id", BigId, nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("storage_key", sa.String(64), nullable=False),
        sa.Column("created_at", Time, nullable=False),
        sa.Column("message_id", BigId, nullable=True),
        _fk("owner_id", "uploads", "members"),
        _fk("message_id", "uploads", "messages", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_uploads"),
        sa.UniqueConstraint("storage_key", name="uq_uploads_storage_key"),
    )
    op.create_index("ix_uploads_message_id", "uploads", ["message_id"])
    op.create_index("ix_uploads_owner_id_created_at", "uploads", ["owner_id", "created_at"])
    op.create_table(
        "event_counters",
        sa.Column("member_id", BigId, nullable=False),
        sa.Column("last_cursor", sa.BigInteger(), nullable=False),
        _fk("member_id", "event_counters", "members"),
        sa.PrimaryKeyConstraint("member_id", name="pk_event_counters"),
    )
    op.create_table(
        "events",
        sa.Column("member_id", BigId, autoincrement=False, nullable=False),
        sa.Column("cursor", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("created_at", Time, nullable=False),
        sa.PrimaryKeyConstraint("member_id", "cursor", name="pk_events"),
        sqlite_with_rowid=False,
    )
    # Message search, maintained by the database itself so a send costs no extra statement.
    if sqlite:
        op.execute(
            "CREATE VIRTUAL TABLE message_search USING fts5(text, content='messages',"
            " content_rowid='id', tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')"
        )
        op.execute(
            "CREATE TRIGGER messages_search_insert AFTER INSERT ON messages BEGIN"
            " INSERT INTO message_search(rowid, text) VALUES (new.id, new.text); END"
        )
        op.execute(
            "CREATE TRIGGER messages_search_delete AFTER DELETE ON messages BEGIN"
            " INSERT INTO message_search(message_search, rowid, text)"
            " VALUES ('delete', old.id, old.text); END"
        )
        op.execute(
            "CREATE TRIGGER messages_search_update AFTER UPDATE OF text ON messages BEGIN"
            " INSERT INTO message_search(message_search, rowid, text)"
            " VALUES ('delete', old.id, old.text);"
            " INSERT INTO message_search(rowid, text) VALUES (new.id, new.text); END"
        )
    else:
        op.execute(
            "ALTER TABLE messages ADD COLUMN search tsvector GENERATED ALWAYS AS"
            " (to_tsvector('simple'::regconfig, coalesce(text, ''))) STORED"
        )
        op.execute("CREATE INDEX ix_messages_search ON messages USING GIN (search)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in (
            "messages_search_insert",
            "messages_search_delete",
            "messages_search_update",
        ):
            op.execute(f"DROP TRIGGER {trigger}")
        op.execute("DROP TABLE message_search")
    for table in (
        "events",
        "event_counters",
        "uploads",
        "reactions",
        "messages",
        "conversation_members",
        "conversations",
    ):
        op.drop_table(table)
