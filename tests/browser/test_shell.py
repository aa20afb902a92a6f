"""The web shell in a real browser: sign up, home, log out, log in, settings, CSRF, layouts."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"


def sign_up(page: Page, name: str, email: str) -> None:
    page.goto("/signup")
    page.fill("#name", name)
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")


def test_sign_up_log_out_log_in_and_settings(page: Page) -> None:
    page.goto("/")
    expect(page.get_by_role("link", name="Join now")).to_be_visible()

    sign_up(page, "Ada Lovelace", "ada@example.com")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", name="Welcome, Ada Lovelace")).to_be_visible()
    expect(page.locator(".notice")).to_contain_text("Welcome to Inroad")
    expect(page.locator(".strength .badge-strength")).to_have_text("Beginner")
    expect(page.locator(".checklist li.todo")).to_have_count(10)
    expect(page.locator(".main-nav .nav-item.active")).to_contain_text("Home")
    expect(page.locator(".me-link")).to_have_attribute("href", "/in/ada-lovelace")

    page.get_by_role("button", name="Log out").click()
    expect(page.locator(".notice")).to_contain_text("logged out")
    expect(page.get_by_role("link", name="Join now")).to_be_visible()

    # A members-only page sends the visitor to log in and back again afterwards.
    page.goto("/settings")
    expect(page).to_have_url(re.compile(r"/login\?next=/settings$"))
    page.fill("#email", "ada@example.com")
    page.fill("#password", "wrong password")
    page.click("button[type=submit]")
    expect(page.locator(".form-errors")).to_contain_text("The email or password is not right.")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/settings$"))
    expect(page.get_by_role("heading", name="Settings", exact=True)).to_be_visible()
    expect(page.locator(".main-nav .nav-item.active")).to_contain_text("Settings")
    expect(page.locator("#preferences")).to_contain_text("Everyone")


def test_post_without_csrf_token_is_refused(page: Page) -> None:
    sign_up(page, "Grace Hopper", "grace@example.com")
    expect(page.get_by_role("heading", name="Welcome, Grace Hopper")).to_be_visible()
    # The browser's own cookies go with it, as they would from a forged cross-site form.
    response = page.request.post("/logout", form={"next": "/"}, headers={"Accept": "text/html"})
    assert response.status == 403
    assert "did not come from Inroad" in response.text()
    page.reload()
    expect(page.get_by_role("heading", name="Welcome, Grace Hopper")).to_be_visible()
    # The page's token, sent as a header the way csrfFetch() does, is accepted.
    status = page.evaluate(
        "async () => (await csrfFetch('/logout', {method: 'POST', redirect: 'manual'})).type"
    )
    assert status == "opaqueredirect"
    page.goto("/settings")
    expect(page).to_have_url(re.compile(r"/login"))


def test_character_counter_enhances_limited_fields(page: Page) -> None:
    page.goto("/login")
    page.evaluate(
        """() => {
          const t = document.createElement('textarea');
          t.id = 'note'; t.dataset.maxlength = '5';
          document.querySelector('form').append(t);
          window.inroadEnhance(document);
        }"""
    )
    page.fill("#note", "héllo")
    expect(page.locator("#note-count")).to_have_text("5 / 5")
    expect(page.locator("#note-count")).not_to_have_class(re.compile("over"))
    page.fill("#note", "héllo!")
    expect(page.locator("#note-count")).to_have_text("6 / 5")
    expect(page.locator("#note-count")).to_have_class(re.compile("over"))


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_pages_fit_the_screen(
    browser: Browser, live_server: str, screenshot: Callable[[Page, str], Path], size: str
) -> None:
    """Landing, sign-up, home and settings: no sideways scrolling, screenshots for a human."""
    viewport = DESKTOP if size == "desktop" else PHONE
    context = browser.new_context(base_url=live_server, viewport=viewport)
    try:
        page = context.new_page()
        for name, path in [("landing", "/"), ("signup", "/signup")]:
            page.goto(path)
            screenshot(page, f"{name}-{size}")
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        sign_up(page, "Katherine Johnson-Goble", f"katherine-{size}@example.com")
        expect(page.get_by_role("heading", name=re.compile("Welcome"))).to_be_visible()
        for name, path in [("home", "/"), ("settings", "/settings")]:
            page.goto(path)
            screenshot(page, f"{name}-{size}")
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    finally:
        context.close()
