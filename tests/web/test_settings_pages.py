"""The settings page: current values, saving the form through the settings service, deletion."""

from __future__ import annotations

import re

import httpx
import pytest

from inroad.services import Services
from inroad.web import shell
from tests.conftest import People
from tests.web.conftest import HTML, PASSWORD, csrf_from, web_login, web_signup

EVERYTHING_OFF = {
    "invitations_from": "mutual_only",
    "email_notifications": "off",
}


def checked(html: str, name: str, value: str = "1") -> bool:
    pattern = rf'<input[^>]*name="{name}" value="{value}"[^>]*>'
    tag = re.search(pattern, html)
    assert tag, f"no {name}={value} input"
    return " checked" in tag.group(0)


async def api_settings(client: httpx.AsyncClient) -> dict[str, object]:
    token = client.cookies[shell.SESSION_COOKIE]
    response = await client.get("/api/v1/me/settings", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    body: dict[str, object] = response.json()
    return body


async def test_settings_form_shows_the_current_settings(client: httpx.AsyncClient) -> None:
    await web_signup(client)
    page = await client.get("/settings", headers=HTML)
    assert page.status_code == 200
    assert checked(page.text, "invitations_from", "everyone")
    assert not checked(page.text, "invitations_from", "mutual_only")
    assert checked(page.text, "email_notifications", "instant")
    assert checked(page.text, "allow_inmail") and checked(page.text, "read_receipts")
    assert not checked(page.text, "open_profile")
    # Open Profile is premium: on the free plan its box cannot be ticked.
    assert re.search(r'<input[^>]*name="open_profile"[^>]*disabled', page.text)


async def test_saving_the_form_updates_every_setting(client: httpx.AsyncClient) -> None:
    await web_signup(client)
    token = csrf_from((await client.get("/settings", headers=HTML)).text)
    # Unticked checkboxes are not sent at all: they mean "off".
    saved = await client.post("/settings", data={"csrf_token": token, **EVERYTHING_OFF})
    assert saved.status_code == 303 and saved.headers["location"] == "/settings"
    assert await api_settings(client) == {
        "invitations_from": "mutual_only",
        "allow_inmail": False,
        "open_profile": False,
        "read_receipts": False,
        "email_notifications": "off",
    }
    page = await client.get("/settings", headers=HTML)
    assert "Your settings were saved." in page.text
    assert checked(page.text, "invitations_from", "mutual_only")
    assert not checked(page.text, "read_receipts")
    back_on = {
        "csrf_token": token,
        "invitations_from": "email_required",
        "email_notifications": "daily",
        "allow_inmail": "1",
        "read_receipts": "1",
    }
    assert (await client.post("/settings", data=back_on)).status_code == 303
    assert await api_settings(client) == {
        "invitations_from": "email_required",
        "allow_inmail": True,
        "open_profile": False,
        "read_receipts": True,
        "email_notifications": "daily",
    }


@pytest.mark.parametrize(
    ("fields", "status", "message"),
    [
        ({"invitations_from": "nobody"}, 422, "invitations_from must be one of"),
        ({"email_notifications": ""}, 422, "email_notifications must be one of"),
        ({"open_profile": "1"}, 403, "Open Profile is a premium feature"),
    ],
)
async def test_refused_settings_are_shown_inline_and_nothing_changes(
    client: httpx.AsyncClient, fields: dict[str, str], status: int, message: str
) -> None:
    await web_signup(client)
    token = csrf_from((await client.get("/settings", headers=HTML)).text)
    data = {"csrf_token": token, **EVERYTHING_OFF, "read_receipts": "1", **fields}
    response = await client.post("/settings", data=data)
    assert response.status_code == status
    assert 'class="form-errors"' in response.text and message in response.text
    settings = await api_settings(client)
    assert settings["invitations_from"] == "everyone"
    assert settings["allow_inmail"] is True


async def test_premium_member_can_turn_open_profile_on(
    client: httpx.AsyncClient, people: People, services: Services
) -> None:
    from inroad.accounts.tables import members

    jane = await people.make("Jane Doe")
    async with services.db.write() as conn:
        await conn.execute(
            members.update().where(members.c.handle == jane.handle).values(plan="career")
        )
    await web_login(client, jane)
    page = await client.get("/settings", headers=HTML)
    assert not re.search(r'<input[^>]*name="open_profile"[^>]*disabled', page.text)
    data = {"csrf_token": csrf_from(page.text), **EVERYTHING_OFF, "open_profile": "1"}
    assert (await client.post("/settings", data=data)).status_code == 303
    assert (await api_settings(client))["open_profile"] is True


async def test_settings_need_a_session_and_a_csrf_token(client: httpx.AsyncClient) -> None:
    anonymous = await client.post("/settings", data=EVERYTHING_OFF, headers=HTML)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/login?next=/"
    await web_signup(client)
    forged = await client.post("/settings", data=EVERYTHING_OFF, headers=HTML)
    assert forged.status_code == 403
    assert (await api_settings(client))["invitations_from"] == "everyone"


async def test_delete_account_needs_the_password(client: httpx.AsyncClient) -> None:
    await web_signup(client)
    page = await client.get("/settings", headers=HTML)
    token = csrf_from(page.text)
    wrong = await client.post(
        "/settings/delete-account", data={"csrf_token": token, "password": "nope"}
    )
    assert wrong.status_code == 403
    assert "That password is not right" in wrong.text
    deleted = await client.post(
        "/settings/delete-account", data={"csrf_token": token, "password": PASSWORD}
    )
    assert deleted.status_code == 303 and deleted.headers["location"] == "/"
    assert shell.SESSION_COOKIE not in client.cookies
    landing = await client.get("/", headers=HTML)
    assert "Your account has been deleted." in landing.text
    login = await client.post(
        "/login",
        data={
            "csrf_token": csrf_from((await client.get("/login", headers=HTML)).text),
            "email": "jane@example.com",
            "password": PASSWORD,
        },
    )
    assert login.status_code == 401
