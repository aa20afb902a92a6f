"""Scene-setting and probes for messaging and real-time tests.

- ``Cast``: named, signed-up members (``await cast.add("alice", "bob")``), connected on request;
- ``bulk_connections``: many connected members without sign-ups (for the 50-member limits);
- ``start``/``send``: API shortcuts that assert success;
- ``QueryCounter``: counts SQL statements on both engines (query-count guards);
- ``sync_events``: a member's events through ``GET /api/v1/sync``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import sqlalchemy as sa

from inroad.accounts.tables import members
from inroad.network.tables import connections
from inroad.services import Services
from tests.conftest import People, Persona
from tests.factories import connect, member_id

CONVERSATIONS = "/api/v1/conversations"
_ids = itertools.count(1)


def client_id() -> str:
    return f"cid-{next(_ids)}"


class Cast:
    """Members by first name: ``cast["alice"]`` is a Persona whose handle is ``alice``."""

    def __init__(self, people: People, services: Services) -> None:
        self.people = people
        self.services = services
        self.members: dict[str, Persona] = {}

    async def add(self, *names: str) -> list[Persona]:
        made = []
        for name in names:
            persona = await self.people.make(name.title(), handle=name)
            self.members[name] = persona
            made.append(persona)
        return made

    async def connect(self, a: str, *others: str) -> None:
        for other in others:
            await connect(self.services, a, other)

    def __getitem__(self, name: str) -> Persona:
        return self.members[name]


async def bulk_connections(services: Services, handle: str, n: int, prefix: str) -> list[str]:
    """``n`` new members (``{prefix}-1`` …, no password) each connected to ``handle``."""
    me = await member_id(services, handle)
    now = services.clock.now()
    handles = [f"{prefix}-{i}" for i in range(1, n + 1)]
    async with services.db.write() as conn:
        await conn.execute(
            members.insert(),
            [
                {"handle": h, "name": f"Filler {h}", "created_at": now, "connection_count": 1}
                for h in handles
            ],
        )
        ids = (
            (await conn.execute(sa.select(members.c.id).where(members.c.handle.in_(handles))))
            .scalars()
            .all()
        )
        await conn.execute(
            connections.insert(),
            [{"member_id": me, "other_id": i, "created_at": now} for i in ids]
            + [{"member_id": i, "other_id": me, "created_at": now} for i in ids],
        )
        await conn.execute(
            sa.update(members)
            .where(members.c.id == me)
            .values(connection_count=members.c.connection_count + n)
        )
    return handles


async def start(
    client: httpx.AsyncClient, sender: Persona, *handles: str, text: str = "Hello", **extra: Any
) -> dict[str, Any]:
    """Start (or continue) a conversation; returns ``{conversation, message}``."""
    body = {"participants": list(handles), "text": text, "client_id": client_id(), **extra}
    r = await client.post(CONVERSATIONS, json=body, headers=sender.headers)
    assert r.status_code == 201, r.text
    result: dict[str, Any] = r.json()
    return result


async def send(
    client: httpx.AsyncClient,
    sender: Persona,
    conversation_id: str,
    text: str = "Hi",
    **extra: Any,
) -> dict[str, Any]:
    body = {"text": text, "client_id": client_id(), **extra}
    r = await client.post(
        f"{CONVERSATIONS}/{conversation_id}/messages", json=body, headers=sender.headers
    )
    assert r.status_code == 201, r.text
    message: dict[str, Any] = r.json()
    return message


async def conversation(
    client: httpx.AsyncClient, persona: Persona, conversation_id: str
) -> dict[str, Any]:
    r = await client.get(f"{CONVERSATIONS}/{conversation_id}", headers=persona.headers)
    assert r.status_code == 200, r.text
    result: dict[str, Any] = r.json()
    return result


async def inbox(client: httpx.AsyncClient, persona: Persona, **params: Any) -> dict[str, Any]:
    r = await client.get(CONVERSATIONS, params=params, headers=persona.headers)
    assert r.status_code == 200, r.text
    result: dict[str, Any] = r.json()
    return result


async def sync_events(
    client: httpx.AsyncClient, persona: Persona, since: str = "0", limit: int = 1000
) -> list[dict[str, Any]]:
    r = await client.get(
        "/api/v1/sync", params={"since": since, "limit": limit}, headers=persona.headers
    )
    assert r.status_code == 200, r.text
    events: list[dict[str, Any]] = r.json()["events"]
    return events


def of_type(events: list[dict[str, Any]], type_: str) -> list[dict[str, Any]]:
    return [e for e in events if e["type"] == type_]


class QueryCounter:
    """Counts statements sent to the database by either engine while active."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.count = 0
        self.statements: list[str] = []

    def _on_execute(self, *args: Any) -> None:
        self.count += 1
        self.statements.append(str(args[2]))

    @contextmanager
    def counting(self) -> Iterator[QueryCounter]:
        db = self.services.db
        engines = {id(e): e for e in (db.read_engine, db.write_engine)}.values()
        self.count = 0
        self.statements = []
        for engine in engines:
            sa.event.listen(engine.sync_engine, "before_cursor_execute", self._on_execute)
        try:
            yield self
        finally:
            for engine in engines:
                sa.event.remove(engine.sync_engine, "before_cursor_execute", self._on_execute)
