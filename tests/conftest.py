"""Fixtures: every storage test runs on SQLite and on PostgreSQL (when configured).

``INROAD_TEST_POSTGRES_URL`` turns the PostgreSQL variants on; without it they are skipped with a
reason — except under ``CI=true``, where a missing server is a failure.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from inroad.app import create_app
from inroad.clock import FrozenClock
from inroad.services import Services
from inroad.settings import Settings
from inroad.storage.migrate import upgrade

POSTGRES_URL = os.environ.get("INROAD_TEST_POSTGRES_URL")
REDIS_URL = os.environ.get("INROAD_TEST_REDIS_URL")
IN_CI = os.environ.get("CI", "").lower() == "true"
REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"

# Cheap hashing keeps a suite that signs up hundreds of members fast; production uses defaults.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def require_service(url: str | None, name: str, variable: str) -> str:
    if url:
        return url
    if IN_CI:
        pytest.fail(f"{variable} is not set: in CI the {name} variant must run, not be skipped")
    pytest.skip(f"{name} variant skipped: set {variable} to run it")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (migrating once is what keeps tests fast)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


_pg_migrated = False


def _postgres_fresh(url: str) -> None:
    """Migrate once per session, then empty every table before each test."""
    global _pg_migrated
    import asyncio

    import asyncpg

    async def run() -> None:
        conn = await asyncpg.connect(url)
        try:
            if not _pg_migrated:
                await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
            else:
                tables = await conn.fetch(
                    "SELECT tablename FROM pg_tables"
                    " WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
                )
                names = ", ".join(f'"{t["tablename"]}"' for t in tables)
                if names:
                    await conn.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        finally:
            await conn.close()

    asyncio.run(run())
    if not _pg_migrated:
        upgrade(url)
        _pg_migrated = True


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "inroad.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    url = require_service(POSTGRES_URL, "PostgreSQL", "INROAD_TEST_POSTGRES_URL")
    _postgres_fresh(url)
    return url


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=db_url,
        data_dir=tmp_path / "data",
        secret_key="test-secret",
        signup_limit_per_hour=0,
        log_json=False,
    )


@pytest.fixture
async def app(settings: Settings, clock: FrozenClock) -> AsyncIterator[FastAPI]:
    application = create_app(settings, clock=clock)
    application.state.services.hasher = FAST_HASHER
    async with LifespanManager(application):
        yield application


@pytest.fixture
def services(app: FastAPI) -> Services:
    svc: Services = app.state.services
    return svc


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@dataclass
class Persona:
    """A signed-up member: use ``headers`` on API calls."""

    handle: str
    token: str
    email: str
    password: str
    member: dict[str, Any]

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


class People:
    """Signs up named members on demand: ``await people.make("Jane Doe")``."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.count = 0

    async def make(self, name: str = "Test Member", **extra: Any) -> Persona:
        self.count += 1
        email = extra.pop("email", f"member{self.count}@example.com")
        password = extra.pop("password", "correct horse battery")
        response = await self.client.post(
            "/api/v1/auth/signup",
            json={"email": email, "password": password, "name": name, **extra},
        )
        assert response.status_code == 201, response.text
        body = response.json()
        return Persona(body["member"]["handle"], body["token"], email, password, body["member"])


@pytest.fixture
def people(client: httpx.AsyncClient) -> People:
    return People(client)


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The product error shape with the expected status and code."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}, body
    assert body["error"]["code"] == code, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    error: dict[str, Any] = body["error"]
    return error


@pytest.fixture(autouse=True)
def _no_leaked_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tests build Settings explicitly; a developer's INROAD_* variables must not leak in."""
    for key in list(os.environ):
        if key.startswith("INROAD_") and not key.startswith("INROAD_TEST_"):
            monkeypatch.delenv(key)
    yield
