"""Foundation done-when: in Chromium, sign up, fill the profile to All-Star-minus-connections
and watch the strength meter climb item by item."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_shell import sign_up
from tests.factories import image_bytes

pytestmark = pytest.mark.browser


def score(page: Page) -> int:
    value = page.locator(".strength .meter").get_attribute("aria-valuenow")
    assert value is not None
    return int(value)


def add_position(
    page: Page, title: str, company: str, start: str, end: str | None, description: str
) -> None:
    # After the first position the form folds away behind "Add a position".
    if not page.locator("#pos-title").is_visible():
        page.locator("summary", has_text="Add a position").click()
    page.fill("#pos-title", title)
    page.fill("#pos-company", company)
    page.fill("#pos-start", start)
    if end:
        page.fill("#pos-end", end)
    page.fill("#pos-description", description)
    page.get_by_role("button", name="Add position").click()


def test_profile_to_all_star_minus_connections(
    page: Page, tmp_path: Path, screenshot: Callable[[Page, str], Path]
) -> None:
    sign_up(page, "Katherine Johnson", "katherine@example.com")
    page.goto("/profile/edit")
    expect(page.locator(".strength .badge-strength")).to_have_text("Beginner")
    assert score(page) == 0

    photo = tmp_path / "me.jpg"
    photo.write_bytes(image_bytes("JPEG"))
    page.set_input_files("#photo-file", str(photo))
    page.get_by_role("button", name="Upload photo").click()
    expect(page.locator(".strength .meter")).to_have_attribute("aria-valuenow", "1")

    page.fill("#headline", "Research mathematician · orbital mechanics")
    page.fill("#location", "Hampton, VA")
    page.fill("#industry", "Aerospace")
    page.get_by_role("button", name="Save intro").click()
    expect(page.locator(".strength .meter")).to_have_attribute("aria-valuenow", "4")
    expect(page.locator(".strength .badge-strength")).to_have_text("Intermediate")

    page.fill("#about-text", "I calculate trajectories and check the machines' work.")
    page.get_by_role("button", name="Save about").click()
    expect(page.locator(".strength .meter")).to_have_attribute("aria-valuenow", "5")

    add_position(page, "Mathematician", "NASA", "1958-10", None, "Trajectory analysis for Mercury.")
    expect(page.locator(".strength .meter")).to_have_attribute("aria-valuenow", "6")
    expect(page.locator(".strength .badge-strength")).to_have_text("Advanced")
    add_position(page, "Computer", "NACA", "1953-06", "1958-09", "Flight research data.")
    assert score(page) == 6  # one past position is not yet "two past positions"
    add_position(page, "Teacher", "Marion school", "1937-09", "1953-05", "Mathematics and French.")
    expect(page.locator(".strength .meter")).to_have_attribute("aria-valuenow", "7")

    page.fill("#edu-school", "West Virginia State College")
    page.fill("#edu-degree", "BSc")
    page.fill("#edu-field", "Mathematics")
    page.fill("#edu-start", "1933")
    page.fill("#edu-end", "1937")
    page.get_by_role("button", name="Add education").click()
    expect(page.locator(".strength .meter")).to_have_attribute("aria-valuenow", "8")
    expect(page.locator(".strength .badge-strength")).to_have_text("Expert")

    page.fill(
        "#skills-text", "Orbital mechanics, Analytic geometry, FORTRAN, Numerical methods, Teaching"
    )
    page.get_by_role("button", name="Save skills").click()
    expect(page.locator(".strength .meter")).to_have_attribute("aria-valuenow", "9")
    # Only connections remain: the checklist says so, and the level is still Expert.
    expect(page.locator(".strength .checklist li.todo")).to_have_count(1)
    expect(page.locator(".strength .badge-strength")).to_have_text("Expert")
    screenshot(page, "profile-edit-all-star-minus-connections")

    page.goto("/in/katherine-johnson")
    expect(page.locator(".strength .meter")).to_have_attribute("aria-valuenow", "9")
    expect(page).to_have_url(re.compile(r"/in/katherine-johnson$"))
    screenshot(page, "profile-view-owner")
