"""Accounts, profiles, the connection graph, blocks and people search.

Revision ID: 0001_accounts_profiles_graph
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_accounts_profiles_graph"
down_revision = None
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Time = sa.DateTime(timezone=True)


def _member_fk(column: str, table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["members.id"], name=f"fk_{table}_{column}_members", ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "members",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("handle", sa.String(100), nullable=True),
        sa.Column("email", sa.String(320), nullable=True),
        sa.Column("password_hash", sa.String(200), nullable=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("headline", sa.String(220), server_default="", nullable=False),
        sa.Column("about", sa.Text(), server_default="", nullable=False),
        sa.Column("industry", sa.String(200), server_default="", nullable=False),
        sa.Column("location", sa.String(200), server_default="", nullable=False),
        sa.Column("postal_code", sa.String(20), server_default="", nullable=False),
        sa.Column("interests", sa.JSON(), server_default="[]", nullable=False),
        sa.Column("open_to_work", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("photo_key", sa.String(100), nullable=True),
        sa.Column("connection_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("profile_points", sa.Integer(), server_default="0", nullable=False),
        sa.Column("plan", sa.String(30), server_default="free", nullable=False),
        sa.Column("plan_started_at", Time, nullable=True),
        sa.Column("is_operator", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("suspended", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("invitations_from", sa.String(20), server_default="everyone", nullable=False),
        sa.Column("allow_inmail", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("open_profile", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("read_receipts", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("email_notifications", sa.String(10), server_default="instant", nullable=False),
        sa.Column("created_at", Time, nullable=False),
        sa.Column("deleted_at", Time, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_members"),
        sa.UniqueConstraint("email", name="uq_members_email"),
        sa.UniqueConstraint("handle", name="uq_members_handle"),
    )
    op.create_table(
        "rate_events",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("bucket", sa.String(400), nullable=False),
        sa.Column("at", Time, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_rate_events"),
    )
    op.create_index("ix_rate_events_bucket_at", "rate_events", ["bucket", "at"])
    op.create_table(
        "auth_tokens",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("member_id", BigId, nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("created_at", Time, nullable=False),
        _member_fk("member_id", "auth_tokens"),
        sa.PrimaryKeyConstraint("id", name="pk_auth_tokens"),
        sa.UniqueConstraint("token_hash", name="uq_auth_tokens_token_hash"),
    )
    op.create_index("ix_auth_tokens_member_id", "auth_tokens", ["member_id"])
    op.create_table(
        "blocks",
        sa.Column("blocker_id", BigId, nullable=False),
        sa.Column("blocked_id", BigId, nullable=False),
        sa.Column("created_at", Time, nullable=False),
        _member_fk("blocker_id", "blocks"),
        _member_fk("blocked_id", "blocks"),
        sa.PrimaryKeyConstraint("blocker_id", "blocked_id", name="pk_blocks"),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_blocks_blocked_id", "blocks", ["blocked_id"])
    op.create_table(
        "connections",
        sa.Column("member_id", BigId, nullable=False),
        sa.Column("other_id", BigId, nullable=False),
        sa.Column("created_at", Time, nullable=False),
        _member_fk("member_id", "connections"),
        _member_fk("other_id", "connections"),
        sa.PrimaryKeyConstraint("member_id", "other_id", name="pk_connections"),
        sqlite_with_rowid=False,
    )
    op.create_index(
        "ix_connections_member_id_created_at", "connections", ["member_id", "created_at"]
    )
    op.create_table(
        "education",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("member_id", BigId, nullable=False),
        sa.Column("school", sa.String(200), nullable=False),
        sa.Column("degree", sa.String(200), server_default="", nullable=False),
        sa.Column("field", sa.String(200), server_default="", nullable=False),
        sa.Column("start_year", sa.Integer(), nullable=True),
        sa.Column("end_year", sa.Integer(), nullable=True),
        sa.Column("created_at", Time, nullable=False),
        _member_fk("member_id", "education"),
        sa.PrimaryKeyConstraint("id", name="pk_education"),
    )
    op.create_index("ix_education_member_id", "education", ["member_id"])
    op.create_index("ix_education_school", "education", ["school"])
    op.create_table(
        "positions",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("member_id", BigId, nullable=False),
        sa.Column("company", sa.String(200), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("location", sa.String(200), server_default="", nullable=False),
        sa.Column("start_month", sa.String(7), nullable=False),
        sa.Column("end_month", sa.String(7), nullable=True),
        sa.Column("created_at", Time, nullable=False),
        _member_fk("member_id", "positions"),
        sa.PrimaryKeyConstraint("id", name="pk_positions"),
    )
    op.create_index("ix_positions_company", "positions", ["company"])
    op.create_index("ix_positions_member_id", "positions", ["member_id"])
    op.create_table(
        "skills",
        sa.Column("member_id", BigId, nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        _member_fk("member_id", "skills"),
        sa.PrimaryKeyConstraint("member_id", "ordinal", name="pk_skills"),
    )
    op.create_index("ix_skills_name", "skills", ["name"])
    # People search: FTS5 on SQLite; a tsvector with a GIN index on PostgreSQL. rowid/member_id
    # is the member's id; the document is rebuilt by the profile service on every change.
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE member_search USING fts5("
            "name, headline, body, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')"
        )
    else:
        op.execute(
            "CREATE TABLE member_search ("
            " member_id BIGINT PRIMARY KEY REFERENCES members(id) ON DELETE CASCADE,"
            " document TSVECTOR NOT NULL)"
        )
        op.execute("CREATE INDEX ix_member_search_document ON member_search USING GIN (document)")


def downgrade() -> None:
    op.execute("DROP TABLE member_search")
    for table in (
        "skills",
        "positions",
        "education",
        "connections",
        "blocks",
        "auth_tokens",
        "rate_events",
        "members",
    ):
        op.drop_table(table)
