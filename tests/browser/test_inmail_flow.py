"""InMail in Chromium: the operator grants a recruiter a plan, the recruiter gives herself a seat at
her organisation and sends an InMail from it, the recipient clicks Interested, and the
recruiter's Premium page shows the spend, then the refund."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from playwright.sync_api import Browser, BrowserContext, Page, expect

from inroad.app import create_app
from inroad.settings import Settings
from tests.browser import conftest as browser_conftest
from tests.browser.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
BODY = "Hi Carl — your compilers work caught my eye. Would you talk about a role at Acme this week?"


@pytest.fixture(scope="module")
def live_apps() -> Iterator[list[FastAPI]]:
    """Records the app ``live_server`` builds, so the test knows its database (an operator
    account is made with the CLI, against that database)."""
    apps: list[FastAPI] = []

    def recording(*args: Any, **kwargs: Any) -> FastAPI:
        app = create_app(*args, **kwargs)
        apps.append(app)
        return app

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(browser_conftest, "create_app", recording)
        yield apps


@pytest.fixture(scope="module")
def live_server(live_apps: list[FastAPI], live_server: str) -> str:
    """The shared live server, started after ``live_apps`` is recording."""
    return live_server


@pytest.fixture(scope="module")
def live_settings(live_apps: list[FastAPI], live_server: str) -> Settings:
    settings: Settings = live_apps[-1].state.services.settings
    return settings


def create_operator(settings: Settings, email: str) -> None:
    """The way an operator account is made: ``inroad admin create-operator`` on the server."""
    env = {
        **os.environ,
        "INROAD_DATABASE_URL": settings.database_url,
        "INROAD_DATA_DIR": str(settings.data_dir),
        "INROAD_SECRET_KEY": settings.secret_key,
    }
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "inroad",
            "admin",
            "create-operator",
            "--email",
            email,
            "--name",
            "Olga Operator",
            "--password",
            PASSWORD,
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def sign_up(page: Page, name: str, email: str) -> str:
    page.goto("/signup")
    page.fill("#name", name)
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator(".me-link")).to_be_visible()
    href = page.locator(".me-link").get_attribute("href")
    assert href and href.startswith("/in/")
    return href.removeprefix("/in/")


def log_in(page: Page, email: str) -> None:
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator(".me-link")).to_be_visible()


def context(browser: Browser, base: str, phone: bool = False) -> BrowserContext:
    made = browser.new_context(base_url=base, viewport=PHONE if phone else DESKTOP)
    made.set_default_timeout(10_000)
    return made


def test_recruiter_inmail_from_a_seat_interested_and_refund(
    browser: Browser,
    live_server: str,
    live_settings: Settings,
    screenshot: Callable[[Page, str], Path],
) -> None:
    operator_context = context(browser, live_server)
    maria_context = context(browser, live_server)
    carl_context = context(browser, live_server, phone=True)
    try:
        maria, carl, operator = (
            maria_context.new_page(),
            carl_context.new_page(),
            operator_context.new_page(),
        )
        maria_handle = sign_up(maria, "Maria Lopez", "maria@example.com")
        carl_handle = sign_up(carl, "Carl Candidate", "carl@example.com")

        # The operator grants Maria a Recruiter Lite plan on the members page.
        create_operator(live_settings, "ops@example.com")
        log_in(operator, "ops@example.com")
        operator.goto("/operator/members?q=maria")
        row = operator.locator(f'tr[data-handle="{maria_handle}"]')
        row.get_by_label("Plan for Maria Lopez").select_option("recruiter_lite")
        row.get_by_role("button", name="Set plan").click()
        expect(operator.locator(".notice")).to_contain_text("now has Recruiter Lite (30 credits)")
        screenshot(operator, "operator-members")

        # Maria creates Acme's page and gives herself a recruiter seat there.
        maria.goto("/org")
        maria.fill("#org-name", "Acme")
        maria.get_by_role("button", name="Create page").click()
        expect(maria.get_by_role("heading", name="Acme", exact=True)).to_be_visible()
        maria.fill("#seat-handle", maria_handle)
        maria.get_by_role("button", name="Give a seat").click()
        expect(maria.locator(".notice")).to_contain_text("now has a recruiter seat")
        screenshot(maria, "org-page")

        # She writes the InMail from Carl's compose page: cost, balance and live counters.
        maria.goto(f"/in/{carl_handle}/inmail")
        expect(maria.locator(".cost-line")).to_contain_text("1 credit")
        expect(maria.locator(".cost-line [data-balance]")).to_have_text("30")
        maria.get_by_label("Send as").select_option(label="Maria Lopez · Recruiter at Acme")
        maria.fill("#inmail-subject", "A compilers role at Acme")
        expect(maria.locator("#inmail-subject-count")).to_have_text(
            f"{len('A compilers role at Acme')} / 200"
        )
        maria.fill("#inmail-text", BODY)
        expect(maria.locator("#inmail-text-count")).to_have_text(f"{len(BODY)} / 1900")
        screenshot(maria, "inmail-compose")
        maria.get_by_role("button", name=re.compile(r"Send InMail")).click()
        expect(maria).to_have_url(re.compile(r"/messaging/\d+$"))
        expect(maria.locator(".notice")).to_contain_text("InMail sent. 29 InMail credits left.")

        # Carl finds it in Other, sees who sent it and from where, and is interested.
        carl.goto("/messaging?folder=other")
        carl.locator(".conv-row a.conv-link").first.click()
        expect(carl.locator(".inmail-from")).to_contain_text(
            "Maria Lopez · Recruiter at Acme sent you an InMail"
        )
        screenshot(carl, "inmail-received-phone")
        carl.get_by_role("button", name="Interested", exact=True).click()
        expect(carl.locator(".notice")).to_contain_text("Marked as interested")
        expect(carl.get_by_role("button", name="Interested", exact=True)).to_have_count(0)

        # Maria's ledger: the grant, the spend for the InMail, then its refund (newest first).
        maria.goto("/premium")
        expect(maria.locator(".balance [data-balance]")).to_have_text("30")
        rows = maria.locator("table.ledger tbody tr")
        expect(rows).to_have_count(3)
        assert [rows.nth(i).get_attribute("data-reason") for i in range(3)] == [
            "refund",
            "spend",
            "grant",
        ]
        expect(rows.nth(0)).to_contain_text("InMail answered · credit back")
        expect(rows.nth(0).locator(".delta")).to_have_text("+1")
        expect(rows.nth(1)).to_contain_text("InMail sent")
        expect(rows.nth(1).locator(".delta")).to_have_text("-1")
        screenshot(maria, "premium-ledger")
    finally:
        for made in (operator_context, maria_context, carl_context):
            made.close()
