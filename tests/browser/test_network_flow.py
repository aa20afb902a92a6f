"""Two members in two browser contexts: one invites with a note, the other accepts, and each
then sees the other as a 1st-degree connection."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
NOTE = "Hi Grace, we met at the compilers meetup <3 — let's keep in touch!"


def sign_up(page: Page, name: str, email: str) -> str:
    """Sign up through the form; returns the new member's handle."""
    page.goto("/signup")
    page.fill("#name", name)
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator(".me-link")).to_be_visible()
    href = page.locator(".me-link").get_attribute("href")
    assert href and href.startswith("/in/")
    return href.removeprefix("/in/")


def test_invite_with_a_note_accept_and_both_see_first_degree(
    browser: Browser, live_server: str, screenshot: Callable[[Page, str], Path]
) -> None:
    ada_context = browser.new_context(base_url=live_server, viewport=DESKTOP)
    grace_context = browser.new_context(base_url=live_server, viewport=PHONE)
    for context in (ada_context, grace_context):
        context.set_default_timeout(10_000)
    try:
        ada, grace = ada_context.new_page(), grace_context.new_page()
        ada_handle = sign_up(ada, "Ada Lovelace", "ada.net@example.com")
        grace_handle = sign_up(grace, "Grace Hopper", "grace.net@example.com")

        # Ada finds Grace's profile and connects, with a note and how they know each other.
        ada.goto(f"/in/{grace_handle}")
        ada.get_by_role("link", name="Connect", exact=True).click()
        expect(ada).to_have_url(re.compile(rf"/in/{grace_handle}/connect$"))
        expect(ada.get_by_text("How do you know Grace Hopper?")).to_be_visible()
        ada.get_by_text("Add a note").click()
        note = ada.locator("#note")
        note.fill(NOTE)
        counter = ada.locator("#note-count")
        expect(counter).to_have_text(f"{len(NOTE)} / 300")
        note.fill("x" * 301)
        expect(counter).to_have_text("301 / 300")
        expect(counter).to_have_class(re.compile(r"\bover\b"))
        note.fill(NOTE)
        ada.get_by_label("Friend").check()
        screenshot(ada, "network-connect")
        ada.get_by_role("button", name="Send invitation").click()
        expect(ada).to_have_url(re.compile(rf"/in/{grace_handle}$"))
        expect(ada.locator(".notice")).to_contain_text("Invitation sent")
        expect(ada.get_by_role("button", name="Pending · Withdraw")).to_be_visible()

        # Grace sees it on My Network, with the note, and accepts.
        grace.goto("/network")
        expect(grace.locator(".nav-badge").first).to_contain_text("1")
        invitation = grace.locator(".invitation").first
        expect(invitation).to_contain_text("Ada Lovelace")
        expect(invitation.locator(".invitation-note")).to_have_text(NOTE)
        expect(invitation).to_contain_text("How you know each other: Friend")
        screenshot(grace, "network-invitation-phone")
        invitation.get_by_role("button", name="Accept").click()
        expect(grace.locator(".notice")).to_contain_text("You are now connected")
        expect(grace.get_by_text("No pending invitations.")).to_be_visible()

        # Both now see each other as 1st degree.
        for viewer, other_handle, other_name in (
            (grace, ada_handle, "Ada Lovelace"),
            (ada, grace_handle, "Grace Hopper"),
        ):
            viewer.goto(f"/in/{other_handle}")
            expect(viewer.get_by_role("heading", name=re.compile(other_name))).to_be_visible()
            expect(viewer.locator(".profile-name .badge-degree")).to_have_text("1st")
            expect(viewer.locator(".badge-connected")).to_have_text("Connected")
            viewer.goto("/network/connections")
            expect(viewer.locator(".people-list")).to_contain_text(other_name)
    finally:
        ada_context.close()
        grace_context.close()
