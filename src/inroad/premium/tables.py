"""Premium: the credit ledger, organisations, their admins, recruiter seats and followers."""

from __future__ import annotations

import sqlalchemy as sa

from inroad.storage.metadata import BigId, UTCDateTime, id_column, metadata

# Every change to a member's InMail credits is one row; the balance is SUM(delta) (see
# premium/ledger.py for the arithmetic). Rows that add credits (grants, refunds with delta > 0)
# are also "lots": ``remaining`` counts what is left of them and ``expires_at`` when what is left
# expires. Writers lock the member's row first (premium/credits.py); the unique indexes are the
# backstop that makes double work impossible to commit: a plan period is granted once, a spend is
# refunded once.
credit_ledger = sa.Table(
    "credit_ledger",
    metadata,
    id_column(),
    sa.Column("member_id", BigId, sa.ForeignKey("members.id", ondelete="CASCADE"), nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("delta", sa.Integer, nullable=False),
    sa.Column("reason", sa.String(12), nullable=False),  # grant|spend|refund|expire|plan_ended
    sa.Column("plan", sa.String(30), nullable=False),  # the plan in force when the row was written
    sa.Column("conversation_id", sa.BigInteger, nullable=True),  # spend and refund rows
    # grant rows: which of the member's plan terms (the number of plans ended before it) and
    # which month of it (0 = the term's start).
    sa.Column("term", sa.Integer, nullable=True),
    sa.Column("period", sa.Integer, nullable=True),
    # expire rows: the lot that expired (or forfeited to the cap); spend rows: the lot spent from.
    sa.Column(
        "lot_id", BigId, sa.ForeignKey("credit_ledger.id", ondelete="CASCADE"), nullable=True
    ),
    # refund rows: the spend refunded.
    sa.Column(
        "spend_id", BigId, sa.ForeignKey("credit_ledger.id", ondelete="CASCADE"), nullable=True
    ),
    sa.Column("expires_at", UTCDateTime, nullable=True),
    sa.Column("remaining", sa.Integer, nullable=True),
    sa.CheckConstraint(
        "reason IN ('grant', 'spend', 'refund', 'expire', 'plan_ended')", name="reason"
    ),
    sa.CheckConstraint("remaining IS NULL OR remaining >= 0", name="remaining"),
    sa.Index("ix_credit_ledger_member_id_at", "member_id", "at"),
    sa.Index("ix_credit_ledger_conversation_id", "conversation_id"),
    sa.Index("uq_credit_ledger_grant_period", "member_id", "term", "period", unique=True),
    sa.Index("uq_credit_ledger_spend_id", "spend_id", unique=True),
    sa.Index(
        "ix_credit_ledger_live_lots",
        "member_id",
        "expires_at",
        sqlite_where=sa.text("remaining > 0"),
        postgresql_where=sa.text("remaining > 0"),
    ),
)

organizations = sa.Table(
    "organizations",
    metadata,
    id_column(),
    sa.Column("slug", sa.String(100), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("kind", sa.String(10), nullable=False),  # company | university
    sa.Column("description", sa.Text, nullable=False, server_default=""),
    sa.Column("logo_key", sa.String(100), nullable=True),
    sa.Column("created_by", BigId, sa.ForeignKey("members.id", ondelete="SET NULL"), nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.CheckConstraint("kind IN ('company', 'university')", name="kind"),
)


def _org_member_table(name: str, *extra: sa.Column[object]) -> sa.Table:
    """A (org, member) relation with a timestamp; the member-side index serves "my seats"."""
    return sa.Table(
        name,
        metadata,
        sa.Column(
            "org_id", BigId, sa.ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column(
            "member_id", BigId, sa.ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("created_at", UTCDateTime, nullable=False),
        *extra,
        sa.Index(f"ix_{name}_member_id", "member_id"),
        sqlite_with_rowid=False,
    )


org_admins = _org_member_table("org_admins")
org_seats = _org_member_table(
    "org_seats",
    sa.Column("granted_by", BigId, sa.ForeignKey("members.id", ondelete="SET NULL"), nullable=True),
)
org_follows = _org_member_table("org_follows")

# One InMail conversation per (sender, recipient): a second InMail while unanswered goes into the
# same conversation (and costs another credit). ``state`` is the first answer (it never changes
# once answered): pending | interested | not_interested | replied.
inmail_threads = sa.Table(
    "inmail_threads",
    metadata,
    sa.Column(
        "conversation_id",
        BigId,
        sa.ForeignKey("conversations.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("sender_id", BigId, sa.ForeignKey("members.id", ondelete="CASCADE"), nullable=False),
    sa.Column(
        "recipient_id", BigId, sa.ForeignKey("members.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("state", sa.String(15), nullable=False, server_default="pending"),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("answered_at", UTCDateTime, nullable=True),
    sa.CheckConstraint(
        "state IN ('pending', 'interested', 'not_interested', 'replied')", name="state"
    ),
    sa.UniqueConstraint("sender_id", "recipient_id"),
    # "N InMails waiting for an answer": the recipient's pending threads by age.
    sa.Index(
        "ix_inmail_threads_recipient_id_state_created_at", "recipient_id", "state", "created_at"
    ),
)

# One row per InMail message: the seat it was sent from, the credit it cost (NULL when it was
# free, to an Open Profile), so the first answer can refund each InMail exactly once.
inmails = sa.Table(
    "inmails",
    metadata,
    sa.Column(
        "message_id", BigId, sa.ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column(
        "conversation_id",
        BigId,
        sa.ForeignKey("conversations.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column(
        "org_id", BigId, sa.ForeignKey("organizations.id", ondelete="SET NULL"), nullable=True
    ),
    sa.Column(
        "spend_id", BigId, sa.ForeignKey("credit_ledger.id", ondelete="SET NULL"), nullable=True
    ),
    sa.Column("sent_at", UTCDateTime, nullable=False),
    sa.Index("ix_inmails_conversation_id", "conversation_id"),
)
