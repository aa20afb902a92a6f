"""Browser tests: a real uvicorn server in a thread, driven by Debian's Chromium via Playwright.

Fixtures: ``live_server`` (base URL of a fresh app on its own migrated SQLite file, one per
module), ``browser`` (headless Chromium, one per module), ``page`` (a fresh 1280×800 context per
test) and ``screenshot`` (``screenshot(page, "name")`` writes ``test-artifacts/name.png``).
Tests are plain sync functions marked ``@pytest.mark.browser``: Playwright's sync API must not run
inside an asyncio loop. Without /usr/bin/chromium they are skipped, except under ``CI=true``.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright

from inroad.app import create_app
from inroad.settings import Settings
from inroad.storage.migrate import upgrade
from tests.conftest import FAST_HASHER, IN_CI, REPO

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = REPO / "test-artifacts"
DESKTOP = ViewportSize(width=1280, height=800)
PHONE = ViewportSize(width=390, height=844)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Serve a fresh app over HTTP on 127.0.0.1 in a background thread; yield its base URL."""
    folder = tmp_path_factory.mktemp("live")
    db_url = f"sqlite:///{folder / 'inroad.db'}"
    upgrade(db_url)
    settings = Settings(
        database_url=db_url,
        data_dir=folder / "data",
        secret_key="browser-test-secret",
        signup_limit_per_hour=0,
        log_json=False,
    )
    app = create_app(settings)
    app.state.services.hasher = FAST_HASHER
    port = _free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="on",
        ws="websockets-sansio",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            pytest.fail("the live server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Debian Chromium; skipped when it is not installed (a failure under CI=true)."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: install Debian's chromium package to run browser tests"
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture
def page(browser: Browser, live_server: str) -> Iterator[Page]:
    """A fresh browser context (no cookies) at laptop size, with ``live_server`` as base URL."""
    context = browser.new_context(base_url=live_server, viewport=DESKTOP)
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def save_screenshot(page: Page, name: str) -> Path:
    """Write a full-page PNG to ``test-artifacts/<name>.png`` and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def screenshot() -> Callable[[Page, str], Path]:
    return save_screenshot
