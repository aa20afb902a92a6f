"""Engines and transactions.

SQLite: one write connection, writes serialised by an asyncio lock and ``BEGIN IMMEDIATE`` (so a
second process waits on ``busy_timeout`` instead of failing mid-transaction); reads on a small
pool (WAL). Statements run inline on the event loop (``sqlite_inline``), not on helper threads.
PostgreSQL: one asyncpg pool for both.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from inroad.storage import sqlite_inline


def async_url(url: str) -> str:
    """Map the user-facing URL (``sqlite:///…``, ``postgresql://…``) to its async driver."""
    parsed = make_url(url)
    if parsed.drivername in ("sqlite", "sqlite+aiosqlite"):
        return parsed.set(drivername="sqlite+aiosqlite").render_as_string(hide_password=False)
    if parsed.drivername in ("postgresql", "postgres", "postgresql+asyncpg"):
        return parsed.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)
    raise ValueError(f"unsupported database URL {url!r}: use sqlite:/// or postgresql://")


def _sqlite_pragmas(engine: AsyncEngine, begin: str) -> None:
    @sa.event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # The connection is in autocommit mode (``sqlite_inline.creator``), so SQLAlchemy's
        # "begin" hook below owns transactions (pysqlite's own BEGIN is deferred-only).
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()

    @sa.event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        conn.exec_driver_sql(begin)


class Database:
    """Owns the engines; hands out read connections and write transactions."""

    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        self.url = url
        target = async_url(url)
        self.dialect = make_url(target).get_backend_name()
        self._write_lock: asyncio.Lock | None = None
        if self.dialect == "sqlite":
            path = make_url(target).database
            if not path or path == ":memory:":
                raise ValueError("SQLite needs a database file (WAL mode), not :memory:")
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            connect = sqlite_inline.creator(path)
            self.write_engine = create_async_engine(
                target, pool_size=1, max_overflow=0, async_creator=connect
            )
            self.read_engine = create_async_engine(
                target, pool_size=4, max_overflow=4, async_creator=connect
            )
            _sqlite_pragmas(self.write_engine, "BEGIN IMMEDIATE")
            _sqlite_pragmas(self.read_engine, "BEGIN")
            self._write_lock = asyncio.Lock()
        else:
            self.write_engine = create_async_engine(
                target, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=False
            )
            self.read_engine = self.write_engine

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        """A connection for reads; its implicit transaction is rolled back on exit."""
        async with self.read_engine.connect() as conn:
            yield conn

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        if self._write_lock is None:
            async with self.write_engine.begin() as conn:
                yield conn
            return
        async with self._write_lock, self.write_engine.begin() as conn:
            yield conn

    async def ping(self) -> None:
        async with self.read() as conn:
            await conn.execute(sa.text("SELECT 1"))

    async def dispose(self) -> None:
        await self.write_engine.dispose()
        if self.read_engine is not self.write_engine:
            await self.read_engine.dispose()
