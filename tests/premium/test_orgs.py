"""Organisations: pages, admins, recruiter seats, following, logos — and the CLI for plans."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from tests.conftest import People, assert_error
from tests.factories import block, image_bytes
from typer.testing import CliRunner

from inroad.cli import app as cli_app
from inroad.services import Services
from inroad.settings import Settings

ORGS = "/api/v1/organizations"


async def make_org(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    name: str = "Acme Corp",
    kind: str = "company",
) -> dict[str, Any]:
    response = await client.post(
        ORGS, json={"name": name, "kind": kind, "description": "We make things."}, headers=headers
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_create_view_and_slug_generation(client: httpx.AsyncClient, people: People) -> None:
    maria = await people.make("Maria Lopez")
    org = await make_org(client, maria.headers)
    assert {k: org[k] for k in ("slug", "name", "kind", "description")} == {
        "slug": "acme-corp",
        "name": "Acme Corp",
        "kind": "company",
        "description": "We make things.",
    }
    assert org["is_admin"] is True and org["logo_url"] is None and org["seats"] == []
    assert [a["handle"] for a in org["admins"]] == [maria.handle]
    second = await make_org(client, maria.headers, "Acme Corp", "university")
    assert second["slug"] != "acme-corp" and str(second["slug"]).startswith("acme-corp-")
    # Anyone signed in sees the page, but not who holds seats.
    john = await people.make("John")
    seen = (await client.get(f"{ORGS}/acme-corp", headers=john.headers)).json()
    assert seen["is_admin"] is False and "seats" not in seen and seen["followers"] == 0
    assert_error(await client.get(f"{ORGS}/no-such-org", headers=john.headers), 404, "not_found")
    assert_error(await client.get(f"{ORGS}/acme-corp"), 401, "not_signed_in")
    listed = (await client.get(ORGS, params={"q": "acme"}, headers=john.headers)).json()
    assert [o["slug"] for o in listed["items"]] == [second["slug"], "acme-corp"]
    page = (await client.get(ORGS, params={"limit": 1}, headers=john.headers)).json()
    assert len(page["items"]) == 1 and page["next_cursor"]
    rest = (
        await client.get(
            ORGS, params={"limit": 1, "cursor": page["next_cursor"]}, headers=john.headers
        )
    ).json()
    assert [o["slug"] for o in rest["items"]] == ["acme-corp"] and rest["next_cursor"] is None


async def test_create_validation_at_the_limits(client: httpx.AsyncClient, people: People) -> None:
    maria = await people.make("Maria")
    ok = await client.post(
        ORGS,
        json={"name": "n" * 200, "kind": "company", "description": "d" * 2600},
        headers=maria.headers,
    )
    assert ok.status_code == 201
    long_name = await client.post(
        ORGS, json={"name": "n" * 201, "kind": "company"}, headers=maria.headers
    )
    assert assert_error(long_name, 422, "field_too_long")["field"] == "name"
    long_description = await client.post(
        ORGS,
        json={"name": "Fine", "kind": "company", "description": "d" * 2601},
        headers=maria.headers,
    )
    assert assert_error(long_description, 422, "field_too_long")["field"] == "description"
    assert_error(
        await client.post(ORGS, json={"name": "  ", "kind": "company"}, headers=maria.headers),
        422,
        "invalid_input",
    )
    assert_error(
        await client.post(ORGS, json={"name": "X Y Z", "kind": "club"}, headers=maria.headers),
        422,
        "invalid_input",
    )
    assert_error(
        await client.post(ORGS, json={"kind": "company"}, headers=maria.headers),
        422,
        "missing_field",
    )


async def test_seats_are_managed_by_admins_only(client: httpx.AsyncClient, people: People) -> None:
    maria, john, ann = (
        await people.make("Maria"),
        await people.make("John"),
        await people.make("Ann"),
    )
    await make_org(client, maria.headers)
    seats = f"{ORGS}/acme-corp/seats"
    assert_error(
        await client.post(seats, json={"handle": ann.handle}, headers=john.headers),
        403,
        "not_admin",
    )
    assert_error(
        await client.post(seats, json={"handle": "nobody-here"}, headers=maria.headers),
        404,
        "not_found",
    )
    assert_error(
        await client.post(f"{ORGS}/nope/seats", json={"handle": ann.handle}, headers=maria.headers),
        404,
        "not_found",
    )
    for _ in range(2):  # idempotent
        added = await client.post(seats, json={"handle": john.handle}, headers=maria.headers)
        assert added.status_code == 201
        assert [m["handle"] for m in added.json()["seats"]] == [john.handle]
    mine = (await client.get(f"{ORGS}/acme-corp", headers=john.headers)).json()
    assert mine["has_seat"] is True and mine["is_admin"] is False
    assert_error(
        await client.delete(f"{seats}/{john.handle}", headers=john.headers), 403, "not_admin"
    )
    assert (await client.delete(f"{seats}/{john.handle}", headers=maria.headers)).status_code == 204
    assert (await client.get(f"{ORGS}/acme-corp", headers=john.headers)).json()["has_seat"] is False


async def test_admins_and_the_last_admin_rule(client: httpx.AsyncClient, people: People) -> None:
    maria, john = await people.make("Maria"), await people.make("John")
    await make_org(client, maria.headers)
    admins = f"{ORGS}/acme-corp/admins"
    assert_error(
        await client.delete(f"{admins}/{maria.handle}", headers=maria.headers), 409, "last_admin"
    )
    assert (
        await client.post(admins, json={"handle": john.handle}, headers=maria.headers)
    ).status_code == 201
    assert (
        await client.delete(f"{admins}/{maria.handle}", headers=john.headers)
    ).status_code == 204
    assert_error(
        await client.post(admins, json={"handle": maria.handle}, headers=maria.headers),
        403,
        "not_admin",
    )
    patched = await client.patch(
        f"{ORGS}/acme-corp", json={"description": "New."}, headers=john.headers
    )
    assert patched.status_code == 200 and patched.json()["description"] == "New."
    assert_error(
        await client.patch(f"{ORGS}/acme-corp", json={"name": "X"}, headers=maria.headers),
        403,
        "not_admin",
    )


async def test_blocked_members_cannot_be_given_seats(
    client: httpx.AsyncClient, people: People, services: Services
) -> None:
    maria, john = await people.make("Maria"), await people.make("John")
    await make_org(client, maria.headers)
    await block(services, john.handle, maria.handle)
    r = await client.post(
        f"{ORGS}/acme-corp/seats", json={"handle": john.handle}, headers=maria.headers
    )
    assert_error(r, 404, "not_found")


async def test_follow_and_unfollow(client: httpx.AsyncClient, people: People) -> None:
    maria, john = await people.make("Maria"), await people.make("John")
    await make_org(client, maria.headers)
    follow = f"{ORGS}/acme-corp/follow"
    for _ in range(2):
        r = await client.post(follow, headers=john.headers)
        assert r.status_code == 201 and r.json()["following"] is True and r.json()["followers"] == 1
    assert (await client.delete(follow, headers=john.headers)).status_code == 204
    assert (await client.delete(follow, headers=john.headers)).status_code == 204
    view = (await client.get(f"{ORGS}/acme-corp", headers=john.headers)).json()
    assert view["following"] is False and view["followers"] == 0
    assert_error(
        await client.post(f"{ORGS}/missing/follow", headers=john.headers), 404, "not_found"
    )


async def test_logo_upload_is_re_encoded_and_served(
    client: httpx.AsyncClient, people: People
) -> None:
    maria, john = await people.make("Maria"), await people.make("John")
    await make_org(client, maria.headers)
    logo = f"{ORGS}/acme-corp/logo"
    files = {"file": ("logo.png", image_bytes("PNG", (64, 64)), "image/png")}
    assert_error(await client.put(logo, files=files, headers=john.headers), 403, "not_admin")
    r = await client.put(logo, files=files, headers=maria.headers)
    assert r.status_code == 200, r.text
    url = r.json()["logo_url"]
    assert url.startswith("/logos/") and url.endswith(".jpg")
    served = await client.get(url)
    assert served.status_code == 200 and served.content[:3] == b"\xff\xd8\xff"
    bad = {"file": ("logo.gif", image_bytes("GIF"), "image/gif")}
    assert_error(await client.put(logo, files=bad, headers=maria.headers), 415, "unsupported_image")
    assert (await client.get("/logos/../secret_key")).status_code == 404
    assert (await client.get("/logos/" + "0" * 32 + ".jpg")).status_code == 404


def test_cli_admin_plan(db_url: str, tmp_path: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INROAD_DATABASE_URL", db_url)
    monkeypatch.setenv("INROAD_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("INROAD_SECRET_KEY", "cli-test")
    import asyncio

    from inroad.accounts.actions import do_signup
    from inroad.services import Services

    async def signup() -> str:
        svc = Services.create(Settings.from_env())
        try:
            await do_signup(
                svc, email="jane@example.com", password="correct horse", name="Jane Doe"
            )
        finally:
            await svc.close()
        return "jane-doe"

    handle = asyncio.run(signup())
    runner = CliRunner()
    ok = runner.invoke(cli_app, ["admin", "plan", handle, "recruiter_lite"])
    assert ok.exit_code == 0, ok.output
    assert "recruiter_lite" in ok.stdout and "30" in ok.stdout
    same = runner.invoke(cli_app, ["admin", "plan", handle, "recruiter_lite"])
    assert same.exit_code == 0 and "already had" in same.stdout
    unknown_member = runner.invoke(cli_app, ["admin", "plan", "nobody-at-all", "career"])
    assert unknown_member.exit_code == 1 and "nobody-at-all" in unknown_member.stderr
    unknown_plan = runner.invoke(cli_app, ["admin", "plan", handle, "gold"])
    assert unknown_plan.exit_code == 1 and "gold" in unknown_plan.stderr
    ended = runner.invoke(cli_app, ["admin", "plan", handle, "free"])
    assert ended.exit_code == 0 and "credits: 0" in ended.stdout
