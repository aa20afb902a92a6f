"""An in-loop SQLite connection for SQLAlchemy's ``sqlite+aiosqlite`` dialect.

aiosqlite runs every call on a helper thread: SQLAlchemy's adapter makes four thread round trips
per statement (cursor, execute, fetch, close), which cost far more than the indexed statements
themselves (a send is ~30 round trips). SQLite answers such statements in microseconds, so this
shim runs them directly on the event loop, behind the same awaitable interface that the dialect
drives (``async_creator``). Writes are serialised by ``Database``'s lock, and WAL readers never
wait for writers, so the loop blocks only as long as a statement runs — or up to
``busy_timeout`` when *another process* holds the write lock (run one process on SQLite; use
PostgreSQL for several workers).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any


class InlineCursor:
    """The subset of ``aiosqlite.Cursor`` SQLAlchemy's adapter uses, executed inline."""

    __slots__ = ("_cursor",)

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    async def __aenter__(self) -> InlineCursor:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self._cursor.close()

    async def execute(self, sql: str, parameters: Sequence[Any] = ()) -> InlineCursor:
        self._cursor.execute(sql, parameters)
        return self

    async def executemany(self, sql: str, seq: Iterable[Sequence[Any]]) -> InlineCursor:
        self._cursor.executemany(sql, seq)
        return self

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(size if size is not None else self._cursor.arraysize)

    async def close(self) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value


class InlineConnection:
    """The subset of ``aiosqlite.Connection`` SQLAlchemy's adapter uses, executed inline."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        # The adapter checks ``_connection`` for "still open" and ``_conn`` for the raw handle.
        self._connection: sqlite3.Connection | None = connection
        self._conn = connection

    def cursor(self) -> InlineCursor:
        return InlineCursor(self._conn.cursor())

    async def commit(self) -> None:
        self._conn.commit()

    async def rollback(self) -> None:
        self._conn.rollback()

    async def close(self) -> None:
        if self._connection is not None:
            self._connection = None
            self._conn.close()

    def stop(self) -> None:
        """Force-close (the dialect's terminate)."""
        if self._connection is not None:
            self._connection = None
            self._conn.close()

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._conn.create_function(*args, **kwargs)

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level


def creator(path: str) -> Any:
    """An ``async_creator`` for ``create_async_engine``: autocommit mode, so SQLAlchemy's
    ``begin`` hook owns transactions (``BEGIN`` / ``BEGIN IMMEDIATE``)."""

    async def connect() -> InlineConnection:
        return InlineConnection(
            sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        )

    return connect
