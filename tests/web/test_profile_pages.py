"""Profile, profile-edit and people-search pages over httpx: content, forms, inline errors, CSRF."""

from __future__ import annotations

import re

import httpx

from inroad.services import Services
from tests.conftest import People, Persona
from tests.factories import block, connect, image_bytes
from tests.web.conftest import HTML, csrf_from, web_login


async def edit_token(client: httpx.AsyncClient) -> str:
    page = await client.get("/profile/edit", headers=HTML)
    assert page.status_code == 200, page.text
    return csrf_from(page.text)


async def api_profile(client: httpx.AsyncClient, who: Persona) -> dict[str, object]:
    body: dict[str, object] = (await client.get("/api/v1/me/profile", headers=who.headers)).json()
    return body


async def test_own_profile_page_shows_strength_and_edit_button(
    client: httpx.AsyncClient, people: People
) -> None:
    jane = await people.make("Jane Doe")
    await client.patch(
        "/api/v1/me/profile",
        json={
            "headline": "Engineer <script>alert(1)</script>",
            "about": "Line one\nLine two",
            "postal_code": "4000-123",
            "interests": ["Jazz"],
        },
        headers=jane.headers,
    )
    await web_login(client, jane)
    page = await client.get(f"/in/{jane.handle}", headers=HTML)
    assert page.status_code == 200
    assert "Jane Doe" in page.text
    assert 'href="/profile/edit"' in page.text and "Edit profile" in page.text
    assert "Profile strength" in page.text and "Add a photo" in page.text and "(to do)" in page.text
    assert "<script>alert(1)</script>" not in page.text
    assert "Engineer &lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "Jazz" in page.text and "Line one\nLine two" in page.text


async def test_another_members_profile_shows_degree_and_mutuals(
    client: httpx.AsyncClient, people: People, services: Services
) -> None:
    me, friend, target = (
        await people.make("Me Myself"),
        await people.make("Fran Friend"),
        await people.make("Tara Target"),
    )
    await connect(services, me.handle, friend.handle)
    await connect(services, friend.handle, target.handle)
    await client.patch(
        "/api/v1/me/profile",
        json={"postal_code": "9999-999", "location": "Faro"},
        headers=target.headers,
    )
    await client.post(
        "/api/v1/me/positions",
        json={
            "company": "Acme",
            "title": "Chief Tinkerer",
            "start": "2020-03",
            "description": "Tinkers.",
        },
        headers=target.headers,
    )
    await web_login(client, me)
    page = await client.get(f"/in/{target.handle}", headers=HTML)
    assert page.status_code == 200
    assert 'class="badge badge-degree"' in page.text and ">2nd<" in page.text
    assert "Fran Friend" in page.text and "1 mutual connection" in page.text
    assert "Chief Tinkerer" in page.text and "Mar 2020 – Present" in page.text
    assert "Faro" in page.text and "9999-999" not in page.text
    assert "Edit profile" not in page.text and "(to do)" not in page.text
    # Signed out, the profile is public but shows no degree.
    client.cookies.clear()
    public = await client.get(f"/in/{target.handle}", headers=HTML)
    assert public.status_code == 200 and "badge-degree" not in public.text


async def test_blocked_and_unknown_profiles_are_404_pages(
    client: httpx.AsyncClient, people: People, services: Services
) -> None:
    me, blocker = await people.make("Me Myself"), await people.make("Bea Blocker")
    await block(services, blocker.handle, me.handle)
    await web_login(client, me)
    for path in (f"/in/{blocker.handle}", "/in/nobody-here"):
        page = await client.get(path, headers=HTML)
        assert page.status_code == 404 and "Page not found" in page.text


async def test_pages_need_a_session_and_forms_need_csrf(
    client: httpx.AsyncClient, people: People
) -> None:
    for path in ("/profile/edit", "/search?q=x"):
        r = await client.get(path, headers=HTML)
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
    jane = await people.make("Jane Doe")
    await web_login(client, jane)
    r = await client.post("/profile/about", data={"about": "No token"}, headers=HTML)
    assert r.status_code == 403
    assert (await api_profile(client, jane))["about"] == ""


async def test_intro_and_about_forms(client: httpx.AsyncClient, people: People) -> None:
    jane = await people.make("Jane Doe")
    await web_login(client, jane)
    token = await edit_token(client)
    r = await client.post(
        "/profile/intro",
        data={
            "csrf_token": token,
            "name": "Jane Q. Doe",
            "headline": "Data engineer",
            "location": "Porto",
            "postal_code": "4000",
            "industry": "Software",
            "interests": "Jazz, Chess\n",
            "open_to_work": "1",
        },
    )
    assert r.status_code == 303 and r.headers["location"] == "/profile/edit#intro"
    profile = await api_profile(client, jane)
    assert (
        profile["name"],
        profile["headline"],
        profile["interests"],
        profile["open_to_work"],
    ) == ("Jane Q. Doe", "Data engineer", ["Jazz", "Chess"], True)
    # Unticked checkbox = off; an over-long headline is refused inline and the typing kept.
    r = await client.post(
        "/profile/intro",
        data={
            "csrf_token": token,
            "name": "Jane Q. Doe",
            "headline": "h" * 221,
            "location": "Lisboa",
        },
    )
    assert r.status_code == 422
    assert (
        'class="form-errors"' in r.text
        and "The headline is 221 characters; the limit is 220." in r.text
    )
    assert 'value="' + "h" * 221 + '"' in r.text and 'value="Lisboa"' in r.text
    assert (await api_profile(client, jane))["headline"] == "Data engineer"
    r = await client.post("/profile/about", data={"csrf_token": token, "about": "About\r\nme"})
    assert r.status_code == 303
    assert (await api_profile(client, jane))["about"] == "About\nme"
    r = await client.post("/profile/about", data={"csrf_token": token, "about": "a" * 2601})
    assert r.status_code == 422 and "2601 characters" in r.text


async def test_positions_education_and_skills_forms(
    client: httpx.AsyncClient, people: People
) -> None:
    jane = await people.make("Jane Doe")
    await web_login(client, jane)
    token = await edit_token(client)
    r = await client.post(
        "/profile/positions",
        data={
            "csrf_token": token,
            "title": "Engineer",
            "company": "Acme",
            "start": "2021-09",
            "end": "",
            "description": "Builds things",
        },
    )
    assert r.status_code == 303
    r = await client.post(
        "/profile/positions",
        data={
            "csrf_token": token,
            "title": "Intern",
            "company": "Old Co",
            "start": "2020-05",
            "end": "2020-01",
        },
    )
    assert r.status_code == 422 and "The end month is before the start month." in r.text
    assert 'value="Old Co"' in r.text
    positions = (await api_profile(client, jane))["positions"]
    assert isinstance(positions, list) and [p["company"] for p in positions] == ["Acme"]
    assert positions[0]["end"] is None
    page = await client.get("/profile/edit", headers=HTML)
    assert f'action="/profile/positions/{positions[0]["id"]}/delete"' in page.text

    r = await client.post(
        "/profile/education",
        data={
            "csrf_token": token,
            "school": "Porto University",
            "start_year": "2010",
            "end_year": "2014",
        },
    )
    assert r.status_code == 303
    r = await client.post(
        "/profile/education", data={"csrf_token": token, "school": "X", "start_year": "20a0"}
    )
    assert r.status_code == 422 and "four digits" in r.text
    r = await client.post(
        "/profile/education", data={"csrf_token": token, "school": "X", "end_year": "1800"}
    )
    assert r.status_code == 422 and "between 1900 and 2100" in r.text
    schools = (await api_profile(client, jane))["education"]
    assert isinstance(schools, list) and [(e["school"], e["end_year"]) for e in schools] == [
        ("Porto University", 2014)
    ]

    r = await client.post(
        "/profile/skills", data={"csrf_token": token, "skills": "Python, SQL,python\nGo"}
    )
    assert r.status_code == 303
    assert (await api_profile(client, jane))["skills"] == ["Python", "SQL", "Go"]
    r = await client.post(
        "/profile/skills", data={"csrf_token": token, "skills": "Python, SQL, python"}
    )
    assert (await api_profile(client, jane))["skills"] == ["Python", "SQL"]
    r = await client.post(
        "/profile/skills",
        data={"csrf_token": token, "skills": ", ".join(f"s{i}" for i in range(101))},
    )
    assert r.status_code == 422 and "at most 100" in r.text

    r = await client.post(
        f"/profile/positions/{positions[0]['id']}/delete", data={"csrf_token": token}
    )
    assert r.status_code == 303
    r = await client.post(
        f"/profile/education/{schools[0]['id']}/delete", data={"csrf_token": token}
    )
    assert r.status_code == 303
    profile = await api_profile(client, jane)
    assert profile["positions"] == [] and profile["education"] == []
    r = await client.post(
        "/profile/education/12345/delete", data={"csrf_token": token}, headers=HTML
    )
    assert r.status_code == 404


async def test_photo_form(client: httpx.AsyncClient, people: People) -> None:
    jane = await people.make("Jane Doe")
    await web_login(client, jane)
    page = await client.get("/profile/edit", headers=HTML)
    assert re.search(
        r'<form[^>]*action="/profile/photo"[^>]*enctype="multipart/form-data"', page.text
    )
    token = csrf_from(page.text)
    r = await client.post(
        "/profile/photo",
        data={"csrf_token": token},
        files={"file": ("me.webp", image_bytes("WEBP"), "image/webp")},
    )
    assert r.status_code == 303
    url = (await api_profile(client, jane))["photo_url"]
    assert isinstance(url, str) and (await client.get(url)).status_code == 200
    r = await client.post(
        "/profile/photo",
        data={"csrf_token": token},
        files={"file": ("notes.png", b"not an image", "image/png")},
    )
    assert r.status_code == 415 and "Upload a PNG, JPEG or WebP image." in r.text
    r = await client.post(
        "/profile/photo",
        data={"csrf_token": token},
        files={"file": ("", b"", "application/octet-stream")},
    )
    assert r.status_code == 422 and "Choose a photo" in r.text
    r = await client.post("/profile/photo/delete", data={"csrf_token": token})
    assert r.status_code == 303 and (await api_profile(client, jane))["photo_url"] is None


async def test_search_page(client: httpx.AsyncClient, people: People, services: Services) -> None:
    me = await people.make("Me Myself")
    friend = await people.make("Robin Friend")
    strangers = [await people.make(f"Robin Stranger {i}") for i in range(21)]
    await connect(services, me.handle, friend.handle)
    await client.patch("/api/v1/me/profile", json={"location": "Lisbon"}, headers=friend.headers)
    await web_login(client, me)
    page = await client.get("/search", params={"q": "robin"}, headers=HTML)
    assert page.status_code == 200
    assert 'value="robin"' in page.text  # kept in the form
    cards = re.findall(r'<h3 class="member-name">\s*<a href="/in/([^"]+)"', page.text)
    assert len(cards) == 20 and cards[0] == friend.handle
    next_link = re.search(r'href="(/search\?[^"]*cursor=[^"]+)"[^>]*rel="next"', page.text)
    assert next_link
    second = await client.get(next_link.group(1).replace("&amp;", "&"), headers=HTML)
    cards2 = re.findall(r'<h3 class="member-name">\s*<a href="/in/([^"]+)"', second.text)
    assert len(cards2) == 2 and not set(cards) & set(cards2)
    assert "First page" in second.text
    page = await client.get(
        "/search", params=[("q", "robin"), ("degree", "2"), ("degree", "3")], headers=HTML
    )
    found = re.findall(r'<h3 class="member-name">\s*<a href="/in/([^"]+)"', page.text)
    assert friend.handle not in found and strangers[0].handle in found
    assert re.search(r'name="degree" value="2" checked', page.text)
    page = await client.get("/search", params={"location": "lisbon"}, headers=HTML)
    assert re.findall(r'<h3 class="member-name">\s*<a href="/in/([^"]+)"', page.text) == [
        friend.handle
    ]
    page = await client.get("/search", params={"degree": "7"}, headers=HTML)
    assert page.status_code == 422 and 'class="form-errors"' in page.text
    page = await client.get("/search", params={"q": "nobody-is-called-this"}, headers=HTML)
    assert "No one found." in page.text
    page = await client.get("/search", params={"q": "<b>bold</b>"}, headers=HTML)
    assert "<b>bold</b>" not in page.text
