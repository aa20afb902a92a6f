"""The one dialect difference premium needs: an INSERT that skips what a unique key holds."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection


def insert_ignore(conn: AsyncConnection, table: sa.Table, **values: Any) -> Any:
    """``INSERT … ON CONFLICT DO NOTHING`` on PostgreSQL and SQLite (only unique-key conflicts are
    skipped; NOT NULL, CHECK and foreign-key failures still raise)."""
    dialect: Any = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(table).values(**values).on_conflict_do_nothing()
