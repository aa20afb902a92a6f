"""The service context every action receives: database, settings, clock, event bus."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from argon2 import PasswordHasher

from inroad.clock import Clock
from inroad.realtime.bus import EventBus, InProcessBus
from inroad.realtime.redis_bus import RedisBus
from inroad.settings import Settings
from inroad.storage.db import Database


@dataclass
class Services:
    settings: Settings
    db: Database
    clock: Clock = field(default_factory=Clock)
    hasher: PasswordHasher = field(default_factory=PasswordHasher)
    # At most two argon2 computations at once (64 MiB each); the dummy hash for unknown emails.
    hash_slots: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(2))
    dummy_hash: str | None = None
    bus: EventBus = field(default_factory=InProcessBus)

    @classmethod
    def create(cls, settings: Settings, clock: Clock | None = None) -> Services:
        """With ``redis_url`` set, live events cross worker processes through Redis; otherwise
        they fan out within this process only."""
        bus: EventBus = RedisBus(settings.redis_url) if settings.redis_url else InProcessBus()
        return cls(
            settings=settings,
            db=Database(settings.database_url),
            clock=clock or Clock(),
            bus=bus,
        )

    async def start(self) -> None:
        await self.bus.start()

    async def close(self) -> None:
        await self.bus.close()
        await self.db.dispose()
