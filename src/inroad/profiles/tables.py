"""Profile sections that are lists. Scalar profile fields live on ``members``."""

from __future__ import annotations

import sqlalchemy as sa

from inroad.storage.metadata import BigId, UTCDateTime, id_column, metadata

positions = sa.Table(
    "positions",
    metadata,
    id_column(),
    sa.Column("member_id", BigId, sa.ForeignKey("members.id", ondelete="CASCADE"), nullable=False),
    sa.Column("company", sa.String(200), nullable=False),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("description", sa.Text, nullable=False, server_default=""),
    sa.Column("location", sa.String(200), nullable=False, server_default=""),
    sa.Column("start_month", sa.String(7), nullable=False),  # "YYYY-MM"
    sa.Column("end_month", sa.String(7), nullable=True),  # NULL = current
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Index("ix_positions_member_id", "member_id"),
    sa.Index("ix_positions_company", "company"),
)

education = sa.Table(
    "education",
    metadata,
    id_column(),
    sa.Column("member_id", BigId, sa.ForeignKey("members.id", ondelete="CASCADE"), nullable=False),
    sa.Column("school", sa.String(200), nullable=False),
    sa.Column("degree", sa.String(200), nullable=False, server_default=""),
    sa.Column("field", sa.String(200), nullable=False, server_default=""),
    sa.Column("start_year", sa.Integer, nullable=True),
    sa.Column("end_year", sa.Integer, nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Index("ix_education_member_id", "member_id"),
    sa.Index("ix_education_school", "school"),
)

skills = sa.Table(
    "skills",
    metadata,
    sa.Column(
        "member_id", BigId, sa.ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("ordinal", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Index("ix_skills_name", "name"),
)
