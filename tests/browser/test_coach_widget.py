"""The coach widget live in Chromium: typing a first InMail that asks for a job brings up the
warning, a shared-context chip inserts its phrase at the cursor, and nothing blocks sending."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
JOB_ASK = (
    "Hi Bea, I'm a data analyst with five years in logistics. I saw Kestrel is growing its "
    "analytics team. Is your team hiring? Could you refer me for the analyst role?"
)


def api(base: str, method: str, path: str, token: str | None = None, **kw: Any) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else None
    response = httpx.request(method, base + path, headers=headers, **kw)
    assert response.status_code < 300, response.text
    return response.json() if response.content else None


def sign_up(base: str, name: str, email: str) -> tuple[str, str]:
    body = api(base, "POST", "/api/v1/auth/signup",
               json={"email": email, "password": PASSWORD, "name": name})
    return body["member"]["handle"], body["token"]


@pytest.fixture(scope="module")
def scene(live_server: str) -> dict[str, str]:
    """Ana writes to Bea, whom she is not connected to; both studied at the University of Leeds
    (overlapping years) and worked at Acme at the same time."""
    ana, ana_token = sign_up(live_server, "Ana Diaz", "ana.coach@example.com")
    bea, bea_token = sign_up(live_server, "Bea Kim", "bea.coach@example.com")
    for token, start, end in ((ana_token, 2012, 2016), (bea_token, 2014, 2018)):
        api(live_server, "POST", "/api/v1/me/education", token,
            json={"school": "University of Leeds", "start_year": start, "end_year": end})
    tenures = ((ana_token, "2017-01", "2020-06"), (bea_token, "2019-03", "2022-01"))
    for token, first, last in tenures:
        api(live_server, "POST", "/api/v1/me/positions", token,
            json={"company": "Acme", "title": "Analyst", "start": first, "end": last})
    return {"ana": ana, "bea": bea, "ana_email": "ana.coach@example.com"}


def log_in(page: Page, email: str) -> None:
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.get_by_role("heading", name=re.compile("Welcome"))).to_be_visible()


def test_first_inmail_job_ask_warns_and_a_chip_inserts_the_shared_context(
    browser: Browser, live_server: str, scene: dict[str, str],
    screenshot: Callable[[Page, str], Path],
) -> None:
    context = browser.new_context(base_url=live_server, viewport=DESKTOP)
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        log_in(page, scene["ana_email"])
        page.goto(f"/coach?to={scene['bea']}&channel=inmail")
        panel = page.locator(".coach-panel")
        # Before typing, the recipient alone brings up what they share.
        school = "You both studied at University of Leeds, 2014–2016"
        chip = panel.locator(".coach-chip", has_text=school)
        expect(chip).to_be_visible()
        company = panel.locator(".coach-chip", has_text="You both worked at Acme, 2019–2020")
        expect(company).to_be_visible()

        page.fill("#coach-subject", "Analyst role at Kestrel")
        box = page.locator("#coach-text")
        box.click()
        box.press_sequentially(JOB_ASK, delay=2)
        warning = panel.locator(".coach-issue[data-code=job_ask]")
        expect(warning).to_be_visible()
        expect(warning).to_contain_text("first message")
        expect(panel.locator(".coach-issue[data-code=no_shared_context]")).to_be_visible()
        expect(panel.locator(".coach-length")).to_contain_text("InMails under 400 get more replies")
        screenshot(page, "coach-widget-warning")

        # Put the cursor after the greeting and insert the shared school with one click.
        box.evaluate("el => { el.focus(); el.setSelectionRange(7, 7); }")
        chip.click()
        expect(box).to_have_value(re.compile(r"^Hi Bea, we both studied at University of Leeds "
                                             r"\(2014–2016\)\. I'm a data analyst"))
        # The text now mentions shared context, so the suggestion to do so goes away.
        expect(panel.locator(".coach-issue[data-code=no_shared_context]")).to_have_count(0)
        screenshot(page, "coach-widget-inserted")

        # The coach never blocks: the form still submits (here, to the no-JS review).
        page.get_by_role("button", name="Review").click()
        expect(page.locator(".server-review .coach-issue[data-code=job_ask]")).to_be_visible()
    finally:
        context.close()


def test_widget_at_phone_width(
    browser: Browser, live_server: str, scene: dict[str, str],
    screenshot: Callable[[Page, str], Path],
) -> None:
    context = browser.new_context(base_url=live_server, viewport=PHONE)
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        log_in(page, scene["ana_email"])
        page.goto(f"/coach?to={scene['bea']}&channel=invite_note")
        page.locator("#coach-text").press_sequentially(
            "You have a lovely smile in your photo. Drinks sometime, just us?", delay=2
        )
        expect(page.locator(".coach-issue[data-code=romantic]")).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], "the coach panel overflows a phone screen"
        screenshot(page, "coach-widget-phone")
    finally:
        context.close()


def test_widget_under_a_conversation_compose_box(
    browser: Browser, live_server: str, scene: dict[str, str],
    screenshot: Callable[[Page, str], Path],
) -> None:
    cy, cy_token = sign_up(live_server, "Cy Lu", "cy.coach@example.com")
    ana_token = api(live_server, "POST", "/api/v1/auth/login",
                    json={"email": scene["ana_email"], "password": PASSWORD})["token"]
    api(live_server, "POST", "/api/v1/invitations", ana_token,
        json={"to": cy, "how_you_know": {"relation": "friend"}})
    received = api(live_server, "GET", "/api/v1/invitations?direction=received", cy_token)
    api(live_server, "POST", f"/api/v1/invitations/{received['items'][0]['id']}/accept", cy_token)
    conversation = api(live_server, "POST", "/api/v1/conversations", ana_token, json={
        "participants": [cy], "text": "Hi Cy, good to be connected!", "client_id": "coach-dm",
    })["conversation"]["id"]
    context = browser.new_context(base_url=live_server, viewport=DESKTOP)
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        log_in(page, scene["ana_email"])
        page.goto(f"/messaging/{conversation}")
        page.locator("textarea[data-coach]").press_sequentially(
            "Honestly you looked gorgeous at the offsite. Dinner Friday, just the two of us?",
            delay=2,
        )
        expect(page.locator(".coach-issue[data-code=romantic]")).to_be_visible()
        screenshot(page, "coach-widget-conversation")
    finally:
        context.close()
