"""Member settings: reading, changing, every unknown value refused, Open Profile needs premium."""

from __future__ import annotations

import httpx
import sqlalchemy as sa

from inroad.accounts.tables import members
from inroad.services import Services
from tests.conftest import People, assert_error

SETTINGS = "/api/v1/me/settings"
DEFAULTS = {
    "invitations_from": "everyone",
    "allow_inmail": True,
    "open_profile": False,
    "read_receipts": True,
    "email_notifications": "instant",
}


async def test_defaults_and_changes(client: httpx.AsyncClient, people: People) -> None:
    jane = await people.make("Jane Doe")
    r = await client.get(SETTINGS, headers=jane.headers)
    assert r.status_code == 200 and r.json() == DEFAULTS
    changes = {
        "invitations_from": "mutual_only",
        "allow_inmail": False,
        "read_receipts": False,
        "email_notifications": "daily",
    }
    r = await client.patch(SETTINGS, json=changes, headers=jane.headers)
    assert r.status_code == 200, r.text
    assert r.json() == DEFAULTS | changes
    assert (await client.get(SETTINGS, headers=jane.headers)).json() == DEFAULTS | changes
    assert (await client.get("/api/v1/me", headers=jane.headers)).json()[
        "settings"
    ] == DEFAULTS | changes
    # A partial change leaves the rest; an empty one changes nothing.
    r = await client.patch(
        SETTINGS, json={"invitations_from": "email_required"}, headers=jane.headers
    )
    assert r.json() == DEFAULTS | changes | {"invitations_from": "email_required"}
    assert (await client.patch(SETTINGS, json={}, headers=jane.headers)).json() == r.json()
    for value in ("off", "instant", "daily"):
        r = await client.patch(SETTINGS, json={"email_notifications": value}, headers=jane.headers)
        assert r.json()["email_notifications"] == value
    for value in ("everyone", "email_required", "mutual_only"):
        r = await client.patch(SETTINGS, json={"invitations_from": value}, headers=jane.headers)
        assert r.json()["invitations_from"] == value


async def test_unknown_values_are_refused_and_nothing_changes(
    client: httpx.AsyncClient, people: People
) -> None:
    jane = await people.make("Jane Doe")
    bad = [
        ({"invitations_from": "friends"}, "invitations_from"),
        ({"invitations_from": "Everyone"}, "invitations_from"),
        ({"invitations_from": None}, "invitations_from"),
        ({"email_notifications": "weekly"}, "email_notifications"),
        ({"allow_inmail": None}, "allow_inmail"),
    ]
    for body, field in bad:
        error = assert_error(
            await client.patch(SETTINGS, json=body, headers=jane.headers), 422, "invalid_setting"
        )
        assert error["field"] == field
    for body in ({"allow_inmail": "yes"}, {"read_receipts": 1}, {"email_notifications": 3}):
        assert_error(
            await client.patch(SETTINGS, json=body, headers=jane.headers), 422, "invalid_input"
        )
    error = assert_error(
        await client.patch(SETTINGS, json={"dark_mode": True}, headers=jane.headers),
        422,
        "unknown_setting",
    )
    assert error["field"] == "dark_mode"
    # One bad value spoils the whole change.
    r = await client.patch(
        SETTINGS,
        json={"allow_inmail": False, "email_notifications": "hourly"},
        headers=jane.headers,
    )
    assert_error(r, 422, "invalid_setting")
    assert (await client.get(SETTINGS, headers=jane.headers)).json() == DEFAULTS
    r = await client.patch(
        SETTINGS, content=b"{", headers={**jane.headers, "content-type": "application/json"}
    )
    assert_error(r, 400, "invalid_json")
    assert_error(
        await client.patch(SETTINGS, json=["allow_inmail"], headers=jane.headers),
        422,
        "invalid_input",
    )
    assert_error(await client.get(SETTINGS), 401, "not_signed_in")
    assert_error(await client.patch(SETTINGS, json={}), 401, "not_signed_in")


async def test_open_profile_needs_a_paid_plan(
    client: httpx.AsyncClient, people: People, services: Services
) -> None:
    jane = await people.make("Jane Doe")
    r = await client.patch(
        SETTINGS, json={"open_profile": True, "allow_inmail": False}, headers=jane.headers
    )
    assert_error(r, 403, "premium_required")
    assert (await client.get(SETTINGS, headers=jane.headers)).json() == DEFAULTS
    assert (
        await client.patch(SETTINGS, json={"open_profile": False}, headers=jane.headers)
    ).status_code == 200
    async with services.db.write() as conn:
        await conn.execute(
            sa.update(members).where(members.c.handle == jane.handle).values(plan="career")
        )
    r = await client.patch(SETTINGS, json={"open_profile": True}, headers=jane.headers)
    assert r.status_code == 200 and r.json()["open_profile"] is True
    r = await client.patch(SETTINGS, json={"open_profile": False}, headers=jane.headers)
    assert r.json()["open_profile"] is False


async def test_do_update_settings_directly(people: People, services: Services) -> None:
    from inroad.accounts.actions import authenticate
    from inroad.accounts.settings import do_update_settings

    jane = await people.make("Jane Doe")
    actor = await authenticate(services, jane.token)
    assert actor is not None
    result = await do_update_settings(services, actor, {"read_receipts": False})
    assert result == DEFAULTS | {"read_receipts": False}
