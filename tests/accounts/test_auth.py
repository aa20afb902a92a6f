"""Accounts: sign-up, log-in, tokens, throttling and deletion, at every documented boundary."""

from __future__ import annotations

import httpx
import pytest
import sqlalchemy as sa

from inroad.accounts.tables import members
from inroad.clock import FrozenClock
from inroad.profiles import photos
from inroad.services import Services
from tests.conftest import People, assert_error
from tests.factories import connect, image_bytes

SIGNUP = "/api/v1/auth/signup"
LOGIN = "/api/v1/auth/login"


async def test_signup_returns_member_and_working_token(client: httpx.AsyncClient) -> None:
    r = await client.post(
        SIGNUP, json={"email": "Jane@Example.com", "password": "12345678", "name": "Jane Doe"}
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["member"]["handle"] == "jane-doe"
    assert body["member"]["name"] == "Jane Doe"
    assert body["member"]["strength_level"] == "beginner"
    assert body["member"]["photo_url"] is None
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200
    assert me.json()["plan"] == "free"
    assert me.json()["settings"]["invitations_from"] == "everyone"
    assert me.json()["strength"]["score"] == 0


async def test_generated_handles_are_unique_and_ascii_folded(people: People) -> None:
    first = await people.make("José Müller")
    second = await people.make("José Müller")
    assert first.handle == "jose-muller"
    assert second.handle.startswith("jose-muller-") and second.handle != first.handle


async def test_signup_errors(client: httpx.AsyncClient, people: People) -> None:
    await people.make("Taken", email="taken@example.com", handle="taken-handle")
    base = {"email": "new@example.com", "password": "12345678", "name": "New"}
    assert_error(
        await client.post(SIGNUP, json={**base, "email": "TAKEN@example.com"}), 409, "email_taken"
    )
    assert_error(
        await client.post(SIGNUP, json={**base, "handle": "taken-handle"}), 409, "handle_taken"
    )
    assert_error(
        await client.post(SIGNUP, json={**base, "email": "not-an-email"}), 422, "invalid_email"
    )
    assert_error(
        await client.post(SIGNUP, json={**base, "password": "1234567"}), 422, "weak_password"
    )
    assert_error(
        await client.post(SIGNUP, json={**base, "handle": "Bad Handle"}), 422, "invalid_handle"
    )
    assert_error(await client.post(SIGNUP, json={**base, "name": "x" * 201}), 422, "field_too_long")
    r = await client.post(SIGNUP, json={**base, "password": "12345678"})
    assert r.status_code == 201


async def test_signup_rate_limit_per_ip(
    app: object, client: httpx.AsyncClient, services: Services
) -> None:
    services.settings = services.settings.with_(signup_limit_per_hour=3)
    for i in range(3):
        r = await client.post(
            SIGNUP, json={"email": f"s{i}@example.com", "password": "12345678", "name": "S"}
        )
        assert r.status_code == 201
    r = await client.post(
        SIGNUP, json={"email": "s4@example.com", "password": "12345678", "name": "S"}
    )
    assert_error(r, 429, "too_many_signups")
    assert int(r.headers["Retry-After"]) > 0


async def test_login_same_answer_for_unknown_email_and_wrong_password(
    client: httpx.AsyncClient, people: People
) -> None:
    jane = await people.make("Jane")
    wrong = await client.post(LOGIN, json={"email": jane.email, "password": "wrong password"})
    unknown = await client.post(
        LOGIN, json={"email": "nobody@example.com", "password": "wrong password"}
    )
    assert_error(wrong, 401, "invalid_credentials")
    assert_error(unknown, 401, "invalid_credentials")
    assert wrong.json() == unknown.json()
    ok = await client.post(LOGIN, json={"email": jane.email.upper(), "password": jane.password})
    assert ok.status_code == 200
    assert ok.json()["member"]["handle"] == jane.handle


async def test_login_locks_after_ten_failures_for_fifteen_minutes(
    client: httpx.AsyncClient, people: People, clock: FrozenClock
) -> None:
    jane = await people.make("Jane")
    for _ in range(9):
        assert_error(
            await client.post(LOGIN, json={"email": jane.email, "password": "nope-nope"}),
            401,
            "invalid_credentials",
        )
    # The 10th failure is still judged; after it the email is locked, even with the right password.
    assert_error(
        await client.post(LOGIN, json={"email": jane.email, "password": "nope-nope"}),
        401,
        "invalid_credentials",
    )
    locked = await client.post(LOGIN, json={"email": jane.email, "password": jane.password})
    assert_error(locked, 429, "too_many_attempts")
    assert 0 < int(locked.headers["Retry-After"]) <= 15 * 60 + 1
    clock.advance(minutes=15, seconds=1)
    assert (
        await client.post(LOGIN, json={"email": jane.email, "password": jane.password})
    ).status_code == 200


async def test_logout_revokes_only_that_token(client: httpx.AsyncClient, people: People) -> None:
    jane = await people.make("Jane")
    second = (
        await client.post(LOGIN, json={"email": jane.email, "password": jane.password})
    ).json()["token"]
    assert (await client.post("/api/v1/auth/logout", headers=jane.headers)).status_code == 204
    assert_error(await client.get("/api/v1/me", headers=jane.headers), 401, "not_signed_in")
    assert (
        await client.get("/api/v1/me", headers={"Authorization": f"Bearer {second}"})
    ).status_code == 200


@pytest.mark.parametrize(
    "header", ["", "Bearer", "Bearer nonsense", "Basic abc", "Bearer " + "x" * 500]
)
async def test_bad_tokens_get_401(client: httpx.AsyncClient, header: str) -> None:
    assert_error(
        await client.get("/api/v1/me", headers={"Authorization": header}), 401, "not_signed_in"
    )


async def test_delete_account(client: httpx.AsyncClient, people: People) -> None:
    jane = await people.make("Jane")
    r = await client.request(
        "DELETE", "/api/v1/me", json={"password": "wrong-password"}, headers=jane.headers
    )
    assert_error(r, 403, "invalid_password")
    r = await client.request(
        "DELETE", "/api/v1/me", json={"password": jane.password}, headers=jane.headers
    )
    assert r.status_code == 204
    assert_error(await client.get("/api/v1/me", headers=jane.headers), 401, "not_signed_in")
    assert_error(
        await client.post(LOGIN, json={"email": jane.email, "password": jane.password}),
        401,
        "invalid_credentials",
    )
    # The email is free again.
    again = await client.post(
        SIGNUP, json={"email": jane.email, "password": "12345678", "name": "Jane"}
    )
    assert again.status_code == 201
    assert again.json()["member"]["handle"] == "jane"


async def test_malformed_requests_get_error_shape(client: httpx.AsyncClient) -> None:
    assert_error(
        await client.post(
            SIGNUP, content=b"{not json", headers={"Content-Type": "application/json"}
        ),
        400,
        "invalid_json",
    )
    assert_error(
        await client.post(SIGNUP, json={"email": 5, "password": [], "name": None}),
        422,
        "invalid_input",
    )
    assert_error(await client.post(SIGNUP, json={"email": "a@b.co"}), 422, "missing_field")
    assert_error(await client.post(SIGNUP, json=["a"]), 422, "invalid_input")
    assert_error(await client.get("/api/v1/no-such-thing"), 404, "not_found")
    assert_error(await client.put("/api/v1/auth/login"), 405, "method_not_allowed")
    big = b'{"email": "' + b"a" * (1024 * 1024) + b'"}'
    assert_error(
        await client.post(SIGNUP, content=big, headers={"Content-Type": "application/json"}),
        413,
        "body_too_large",
    )


async def test_delete_account_removes_photo_files_and_connections(
    client: httpx.AsyncClient, people: People, services: Services
) -> None:
    jane, joe = await people.make("Jane"), await people.make("Joe")
    await connect(services, jane.handle, joe.handle)
    upload = await client.put(
        "/api/v1/me/photo",
        files={"file": ("me.png", image_bytes("PNG"), "image/png")},
        headers=jane.headers,
    )
    assert upload.status_code == 200, upload.text
    folder = photos.photo_dir(services)
    assert len(list(folder.iterdir())) == 2  # the photo and its thumbnail
    r = await client.request(
        "DELETE", "/api/v1/me", json={"password": jane.password}, headers=jane.headers
    )
    assert r.status_code == 204
    assert list(folder.iterdir()) == []
    assert_error(
        await client.get(f"/api/v1/members/{jane.handle}", headers=joe.headers), 404, "not_found"
    )
    me = (await client.get("/api/v1/me", headers=joe.headers)).json()
    assert "connections" in me["strength"]["missing"]
    async with services.db.read() as conn:
        count = (
            await conn.execute(
                sa.select(members.c.connection_count).where(members.c.handle == joe.handle)
            )
        ).scalar_one()
    assert count == 0
