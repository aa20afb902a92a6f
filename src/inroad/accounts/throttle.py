"""Sliding-window throttles stored in ``rate_events`` so they hold across workers and restarts."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from inroad.accounts.tables import rate_events


async def count_since(
    conn: AsyncConnection, bucket: str, since: datetime
) -> tuple[int, datetime | None]:
    """How many events ``bucket`` holds after ``since``, and the oldest of them."""
    row = (
        await conn.execute(
            sa.select(sa.func.count(), sa.func.min(rate_events.c.at)).where(
                rate_events.c.bucket == bucket, rate_events.c.at > since
            )
        )
    ).one()
    return int(row[0]), row[1]


async def record(conn: AsyncConnection, bucket: str, at: datetime) -> None:
    await conn.execute(rate_events.insert().values(bucket=bucket, at=at))


async def clear(conn: AsyncConnection, bucket: str) -> None:
    await conn.execute(rate_events.delete().where(rate_events.c.bucket == bucket))


async def prune(conn: AsyncConnection, before: datetime) -> None:
    await conn.execute(rate_events.delete().where(rate_events.c.at < before))


def retry_after(oldest: datetime | None, window: timedelta, now: datetime) -> int:
    """Seconds until the oldest event in the window slides out of it."""
    if oldest is None:
        return int(window.total_seconds())
    return max(1, int((oldest + window - now).total_seconds()) + 1)
