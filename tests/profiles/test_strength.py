"""Profile strength moves through its levels as the checklist fills (PRODUCT.md §1)."""

from __future__ import annotations

import httpx

from inroad.services import Services
from tests.conftest import People, Persona
from tests.factories import connect, image_bytes

STRENGTH = "/api/v1/me/strength"


async def strength_of(client: httpx.AsyncClient, who: Persona) -> dict[str, object]:
    r = await client.get(STRENGTH, headers=who.headers)
    assert r.status_code == 200, r.text
    body: dict[str, object] = r.json()
    return body


async def test_strength_levels_as_items_are_added(
    client: httpx.AsyncClient, people: People, services: Services
) -> None:
    jane = await people.make("Jane Doe")
    h = jane.headers
    s = await strength_of(client, jane)
    assert s == {
        "level": "beginner",
        "score": 0,
        "completed": [],
        "missing": [
            "photo",
            "headline",
            "about",
            "industry",
            "location",
            "current_position",
            "past_positions",
            "education",
            "skills",
            "connections",
        ],
    }

    await client.put(
        "/api/v1/me/photo", files={"file": ("a.png", image_bytes("PNG"), "image/png")}, headers=h
    )
    await client.patch(
        "/api/v1/me/profile", json={"headline": "Engineer", "about": "About me"}, headers=h
    )
    s = await strength_of(client, jane)
    assert (s["level"], s["score"]) == ("intermediate", 3)
    await client.patch(
        "/api/v1/me/profile", json={"industry": "Software", "location": "Porto"}, headers=h
    )
    assert (await strength_of(client, jane))["score"] == 5

    # A current position without a description does not count; adding one does.
    r = await client.post(
        "/api/v1/me/positions",
        json={"company": "Acme", "title": "Dev", "start": "2022-01"},
        headers=h,
    )
    current_id = r.json()["id"]
    s = await strength_of(client, jane)
    assert "current_position" in s["missing"] and s["score"] == 5
    await client.patch(
        f"/api/v1/me/positions/{current_id}", json={"description": "Ships features"}, headers=h
    )
    s = await strength_of(client, jane)
    assert "current_position" in s["completed"] and (s["level"], s["score"]) == ("advanced", 6)

    # Two past positions: one is not enough.
    await client.post(
        "/api/v1/me/positions",
        json={"company": "Old", "title": "Dev", "start": "2015-01", "end": "2018-01"},
        headers=h,
    )
    assert "past_positions" in (await strength_of(client, jane))["missing"]
    await client.post(
        "/api/v1/me/positions",
        json={"company": "Older", "title": "Intern", "start": "2014-01", "end": "2014-12"},
        headers=h,
    )
    s = await strength_of(client, jane)
    assert "past_positions" in s["completed"] and (s["level"], s["score"]) == ("advanced", 7)

    await client.post("/api/v1/me/education", json={"school": "Porto University"}, headers=h)
    s = await strength_of(client, jane)
    assert (s["level"], s["score"]) == ("expert", 8)
    await client.put("/api/v1/me/skills", json={"skills": ["a", "b", "c", "d"]}, headers=h)
    assert "skills" in (await strength_of(client, jane))["missing"]
    await client.put("/api/v1/me/skills", json={"skills": ["a", "b", "c", "d", "e"]}, headers=h)
    s = await strength_of(client, jane)
    assert (s["level"], s["score"]) == ("expert", 9)

    friends = [await people.make(f"Friend {i}") for i in range(50)]
    for friend in friends[:49]:
        await connect(services, jane.handle, friend.handle)
    assert "connections" in (await strength_of(client, jane))["missing"]
    await connect(services, jane.handle, friends[49].handle)
    s = await strength_of(client, jane)
    assert s == {"level": "all_star", "score": 10, "completed": s["completed"], "missing": []}
    me = (await client.get("/api/v1/me", headers=h)).json()
    assert me["member"]["strength_level"] == "all_star"

    # Making the current job a past one loses the current-position item again.
    await client.patch(f"/api/v1/me/positions/{current_id}", json={"end": "2025-12"}, headers=h)
    s = await strength_of(client, jane)
    assert s["missing"] == ["current_position"] and s["level"] == "expert"
    # Others see the level on the Member view.
    viewer = friends[0]
    r = await client.get(f"/api/v1/members/{jane.handle}", headers=viewer.headers)
    assert r.json()["strength_level"] == "expert" and r.json()["strength"]["score"] == 9
