"""Network: invitations, dismissed suggestions, reports (moderation queue).

Revision ID: 0002_network
Revises: 0001_accounts_profiles_graph
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_network"
down_revision = "0001_accounts_profiles_graph"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Time = sa.DateTime(timezone=True)


def _member_fk(column: str, table: str, ondelete: str = "CASCADE") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["members.id"], name=f"fk_{table}_{column}_members", ondelete=ondelete
    )


def upgrade() -> None:
    op.create_table(
        "invitations",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("sender_id", BigId, nullable=False),
        sa.Column("recipient_id", BigId, nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("how_relation", sa.String(20), nullable=True),
        sa.Column("how_organization", sa.String(200), nullable=True),
        sa.Column("status", sa.String(10), server_default="pending", nullable=False),
        sa.Column("created_at", Time, nullable=False),
        sa.Column("responded_at", Time, nullable=True),
        sa.Column("withdrawn_at", Time, nullable=True),
        _member_fk("sender_id", "invitations"),
        _member_fk("recipient_id", "invitations"),
        sa.PrimaryKeyConstraint("id", name="pk_invitations"),
    )
    # Recipient's pending list, newest first.
    op.create_index(
        "ix_invitations_recipient_id_status_created_at",
        "invitations",
        ["recipient_id", "status", "created_at"],
    )
    # Sender's rolling-7-day count, calendar-month note count and sent list.
    op.create_index(
        "ix_invitations_sender_id_created_at", "invitations", ["sender_id", "created_at"]
    )
    # Pair lookups: cool-down after withdraw, "I don't know" rejection, reverse pending.
    op.create_index(
        "ix_invitations_sender_id_recipient_id", "invitations", ["sender_id", "recipient_id"]
    )
    # At most one pending invitation per ordered pair, whatever races happen.
    pending = sa.text("status = 'pending'")
    op.create_index(
        "uq_invitations_pending_pair",
        "invitations",
        ["sender_id", "recipient_id"],
        unique=True,
        sqlite_where=pending,
        postgresql_where=pending,
    )
    op.create_table(
        "dismissed_suggestions",
        sa.Column("member_id", BigId, nullable=False),
        sa.Column("dismissed_id", BigId, nullable=False),
        sa.Column("created_at", Time, nullable=False),
        _member_fk("member_id", "dismissed_suggestions"),
        _member_fk("dismissed_id", "dismissed_suggestions"),
        sa.PrimaryKeyConstraint("member_id", "dismissed_id", name="pk_dismissed_suggestions"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "reports",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("reporter_id", BigId, nullable=False),
        sa.Column("member_id", BigId, nullable=True),
        # Messaging tables come in a later migration: plain ids, no foreign keys.
        sa.Column("conversation_id", sa.BigInteger(), nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("reason", sa.String(20), nullable=False),
        sa.Column("detail", sa.Text(), server_default="", nullable=False),
        sa.Column("status", sa.String(10), server_default="open", nullable=False),
        sa.Column("created_at", Time, nullable=False),
        sa.Column("resolved_at", Time, nullable=True),
        sa.Column("resolved_by", BigId, nullable=True),
        _member_fk("reporter_id", "reports"),
        _member_fk("member_id", "reports"),
        _member_fk("resolved_by", "reports", ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_reports"),
    )
    op.create_index("ix_reports_status_created_at", "reports", ["status", "created_at"])
    op.create_index("ix_reports_member_id", "reports", ["member_id"])
    op.create_index("ix_reports_reporter_id", "reports", ["reporter_id"])
    # People You May Know: "also in <industry>/<location>" candidates, newest first, bounded.
    op.create_index("ix_members_industry_id", "members", ["industry", "id"])
    op.create_index("ix_members_location_id", "members", ["location", "id"])


def downgrade() -> None:
    op.drop_index("ix_members_location_id", "members")
    op.drop_index("ix_members_industry_id", "members")
    op.drop_table("reports")
    op.drop_table("dismissed_suggestions")
    op.drop_table("invitations")
