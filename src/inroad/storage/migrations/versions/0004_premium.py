"""Premium: the credit ledger, organisations (admins, recruiter seats, followers), InMail threads.

Revision ID: 0004_premium
Revises: 0003_messaging
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_premium"
down_revision = "0003_messaging"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Time = sa.DateTime(timezone=True)


def _fk(column: str, table: str, target: str, ondelete: str = "CASCADE") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}", ondelete=ondelete
    )


def _org_member_table(name: str, *extra: sa.schema.SchemaItem) -> None:
    op.create_table(
        name,
        sa.Column("org_id", BigId, nullable=False),
        sa.Column("member_id", BigId, nullable=False),
        sa.Column("created_at", Time, nullable=False),
        *extra,
        _fk("org_id", name, "organizations"),
        _fk("member_id", name, "members"),
        sa.PrimaryKeyConstraint("org_id", "member_id", name=f"pk_{name}"),
        sqlite_with_rowid=False,
    )
    op.create_index(f"ix_{name}_member_id", name, ["member_id"])


def upgrade() -> None:
    op.create_table(
        "credit_ledger",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("member_id", BigId, nullable=False),
        sa.Column("at", Time, nullable=False),
        sa.Column("delta", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(12), nullable=False),
        sa.Column("plan", sa.String(30), nullable=False),
        # No foreign key: a member's credit history outlives any conversation.
        sa.Column("conversation_id", sa.BigInteger(), nullable=True),
        sa.Column("term", sa.Integer(), nullable=True),
        sa.Column("period", sa.Integer(), nullable=True),
        sa.Column("lot_id", BigId, nullable=True),
        sa.Column("spend_id", BigId, nullable=True),
        sa.Column("expires_at", Time, nullable=True),
        sa.Column("remaining", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "reason IN ('grant', 'spend', 'refund', 'expire', 'plan_ended')",
            name="ck_credit_ledger_reason",
        ),
        sa.CheckConstraint(
            "remaining IS NULL OR remaining >= 0", name="ck_credit_ledger_remaining"
        ),
        _fk("member_id", "credit_ledger", "members"),
        _fk("lot_id", "credit_ledger", "credit_ledger"),
        _fk("spend_id", "credit_ledger", "credit_ledger"),
        sa.PrimaryKeyConstraint("id", name="pk_credit_ledger"),
    )
    op.create_index("ix_credit_ledger_member_id_at", "credit_ledger", ["member_id", "at"])
    op.create_index("ix_credit_ledger_conversation_id", "credit_ledger", ["conversation_id"])
    # A plan's month is granted once (NULLs never collide, so other reasons are unaffected).
    op.create_index(
        "uq_credit_ledger_grant_period",
        "credit_ledger",
        ["member_id", "term", "period"],
        unique=True,
    )
    op.create_index("uq_credit_ledger_spend_id", "credit_ledger", ["spend_id"], unique=True)
    live = sa.text("remaining > 0")
    op.create_index(
        "ix_credit_ledger_live_lots",
        "credit_ledger",
        ["member_id", "expires_at"],
        sqlite_where=live,
        postgresql_where=live,
    )

    op.create_table(
        "organizations",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("slug", sa.String(100), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("logo_key", sa.String(100), nullable=True),
        sa.Column("created_by", BigId, nullable=True),
        sa.Column("created_at", Time, nullable=False),
        sa.CheckConstraint("kind IN ('company', 'university')", name="ck_organizations_kind"),
        _fk("created_by", "organizations", "members", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_organizations"),
        sa.UniqueConstraint("slug", name="uq_organizations_slug"),
    )
    _org_member_table("org_admins")
    _org_member_table(
        "org_seats",
        sa.Column("granted_by", BigId, nullable=True),
        _fk("granted_by", "org_seats", "members", "SET NULL"),
    )
    _org_member_table("org_follows")

    op.create_table(
        "inmail_threads",
        sa.Column("conversation_id", BigId, nullable=False),
        sa.Column("sender_id", BigId, nullable=False),
        sa.Column("recipient_id", BigId, nullable=False),
        sa.Column("state", sa.String(15), server_default="pending", nullable=False),
        sa.Column("created_at", Time, nullable=False),
        sa.Column("answered_at", Time, nullable=True),
        sa.CheckConstraint(
            "state IN ('pending', 'interested', 'not_interested', 'replied')",
            name="ck_inmail_threads_state",
        ),
        _fk("conversation_id", "inmail_threads", "conversations"),
        _fk("sender_id", "inmail_threads", "members"),
        _fk("recipient_id", "inmail_threads", "members"),
        sa.PrimaryKeyConstraint("conversation_id", name="pk_inmail_threads"),
        sa.UniqueConstraint(
            "sender_id", "recipient_id", name="uq_inmail_threads_sender_id_recipient_id"
        ),
    )
    op.create_index(
        "ix_inmail_threads_recipient_id_state_created_at",
        "inmail_threads",
        ["recipient_id", "state", "created_at"],
    )
    op.create_table(
        "inmails",
        sa.Column("message_id", BigId, nullable=False),
        sa.Column("conversation_id", BigId, nullable=False),
        sa.Column("org_id", BigId, nullable=True),
        sa.Column("spend_id", BigId, nullable=True),
        sa.Column("sent_at", Time, nullable=False),
        _fk("message_id", "inmails", "messages"),
        _fk("conversation_id", "inmails", "conversations"),
        _fk("org_id", "inmails", "organizations", "SET NULL"),
        _fk("spend_id", "inmails", "credit_ledger", "SET NULL"),
        sa.PrimaryKeyConstraint("message_id", name="pk_inmails"),
    )
    op.create_index("ix_inmails_conversation_id", "inmails", ["conversation_id"])


def downgrade() -> None:
    for table in (
        "inmails",
        "inmail_threads",
        "org_follows",
        "org_seats",
        "org_admins",
        "organizations",
        "credit_ledger",
    ):
        op.drop_table(table)
