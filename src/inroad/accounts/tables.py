"""Members and their credentials. Profile columns live on ``members`` too: one row per person."""

from __future__ import annotations

import sqlalchemy as sa

from inroad.storage.metadata import BigId, UTCDateTime, id_column, metadata

members = sa.Table(
    "members",
    metadata,
    id_column(),
    # handle and email are NULL once the account is deleted ("Former member").
    sa.Column("handle", sa.String(100), nullable=True, unique=True),
    sa.Column("email", sa.String(320), nullable=True, unique=True),
    sa.Column("password_hash", sa.String(200), nullable=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("headline", sa.String(220), nullable=False, server_default=""),
    sa.Column("about", sa.Text, nullable=False, server_default=""),
    sa.Column("industry", sa.String(200), nullable=False, server_default=""),
    sa.Column("location", sa.String(200), nullable=False, server_default=""),
    sa.Column("postal_code", sa.String(20), nullable=False, server_default=""),
    sa.Column("interests", sa.JSON, nullable=False, server_default="[]"),
    sa.Column("open_to_work", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("photo_key", sa.String(100), nullable=True),
    # Kept up to date on write so Member views and ranking need no aggregate query;
    # profile_points counts the 9 strength items other than connections (profiles.strength).
    sa.Column("connection_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("profile_points", sa.Integer, nullable=False, server_default="0"),
    sa.Column("plan", sa.String(30), nullable=False, server_default="free"),
    sa.Column("plan_started_at", UTCDateTime, nullable=True),
    sa.Column("is_operator", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("suspended", sa.Boolean, nullable=False, server_default=sa.false()),
    # Settings (API.md "GET/PATCH /api/v1/me/settings").
    sa.Column("invitations_from", sa.String(20), nullable=False, server_default="everyone"),
    sa.Column("allow_inmail", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("open_profile", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("read_receipts", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("email_notifications", sa.String(10), nullable=False, server_default="instant"),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("deleted_at", UTCDateTime, nullable=True),
)

auth_tokens = sa.Table(
    "auth_tokens",
    metadata,
    id_column(),
    sa.Column("member_id", BigId, sa.ForeignKey("members.id", ondelete="CASCADE"), nullable=False),
    # SHA-256 of the token: a leaked table does not leak working tokens.
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("kind", sa.String(10), nullable=False),  # "api" | "web"
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Index("ix_auth_tokens_member_id", "member_id"),
)

# Sliding-window counters for throttles (login failures per email and per IP, sign-ups per IP).
rate_events = sa.Table(
    "rate_events",
    metadata,
    id_column(),
    sa.Column("bucket", sa.String(400), nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Index("ix_rate_events_bucket_at", "bucket", "at"),
)
