"""Fixtures for real-time tests: ``cast`` (named members) and ``ws_url`` (a real server for
WebSocket clients)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest
import uvicorn
from fastapi import FastAPI

from inroad.services import Services
from tests.conftest import People
from tests.messaging.helpers import Cast


@pytest.fixture
def cast(people: People, services: Services) -> Cast:
    return Cast(people, services)


@pytest.fixture
async def ws_url(app: FastAPI) -> AsyncIterator[str]:
    """The app served by a real uvicorn on a free loopback port (same event loop as the test,
    so the ``client`` fixture and the socket share one bus); yields ``ws://…/api/v1/events``."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, lifespan="off", log_level="warning", ws="websockets-sansio")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield f"ws://127.0.0.1:{port}/api/v1/events"
    finally:
        server.should_exit = True
        await task
        sock.close()
