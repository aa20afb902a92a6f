"""Profile edits through the API: scalar fields, positions, education, skills, at every limit."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import People, Persona, assert_error

PROFILE = "/api/v1/me/profile"
POSITIONS = "/api/v1/me/positions"
EDUCATION = "/api/v1/me/education"
SKILLS = "/api/v1/me/skills"


async def patch_profile(client: httpx.AsyncClient, who: Persona, **body: object) -> httpx.Response:
    return await client.patch(PROFILE, json=body, headers=who.headers)


async def test_patch_profile_returns_the_profile(client: httpx.AsyncClient, people: People) -> None:
    jane = await people.make("Jane Doe")
    r = await patch_profile(
        client,
        jane,
        headline="  Data engineer  ",
        about="Line one\r\nLine two",
        industry="Software",
        location="Lisbon,   Portugal",
        postal_code="1000-001",
        interests=["Chess", "chess ", " Jazz"],
        open_to_work=True,
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["handle"] == jane.handle
    assert body["headline"] == "Data engineer"
    assert body["about"] == "Line one\nLine two"
    assert body["location"] == "Lisbon, Portugal"
    assert body["postal_code"] == "1000-001"
    assert body["interests"] == ["Chess", "Jazz"]
    assert body["open_to_work"] is True
    assert body["positions"] == [] and body["education"] == [] and body["skills"] == []
    assert body["strength"]["score"] == 4
    assert "degree" not in body
    # Absent keys stay as they were; null clears a text field.
    r = await patch_profile(client, jane, headline=None)
    assert r.json()["headline"] == "" and r.json()["industry"] == "Software"


@pytest.mark.parametrize(
    ("field", "limit"),
    [
        ("headline", 220),
        ("about", 2600),
        ("industry", 200),
        ("location", 200),
        ("postal_code", 20),
        ("name", 200),
    ],
)
async def test_profile_text_limits(
    client: httpx.AsyncClient, people: People, field: str, limit: int
) -> None:
    jane = await people.make("Jane Doe")
    ok = await patch_profile(client, jane, **{field: "é" * limit})
    assert ok.status_code == 200, ok.text
    assert ok.json()[field] == "é" * limit
    error = assert_error(
        await patch_profile(client, jane, **{field: "é" * (limit + 1)}), 422, "field_too_long"
    )
    assert error["field"] == field
    assert (await patch_profile(client, jane)).json()[field] == "é" * limit


async def test_interests_are_capped(client: httpx.AsyncClient, people: People) -> None:
    jane = await people.make("Jane Doe")
    fifty = [f"Interest {i}" for i in range(50)]
    assert (await patch_profile(client, jane, interests=fifty)).json()["interests"] == fifty
    assert_error(
        await patch_profile(client, jane, interests=[*fifty, "One more"]), 422, "too_many_interests"
    )
    error = assert_error(
        await patch_profile(client, jane, interests=["x" * 101]), 422, "field_too_long"
    )
    assert error["field"] == "interests"
    assert (await patch_profile(client, jane, interests=["x" * 100])).status_code == 200


async def test_bad_profile_input_is_4xx(client: httpx.AsyncClient, people: People) -> None:
    jane = await people.make("Jane Doe")
    r = await client.patch(
        PROFILE, content=b"{not json", headers={**jane.headers, "content-type": "application/json"}
    )
    assert_error(r, 400, "invalid_json")
    assert_error(await patch_profile(client, jane, headline=12), 422, "invalid_input")
    assert_error(await patch_profile(client, jane, open_to_work="yes"), 422, "invalid_input")
    assert_error(await patch_profile(client, jane, open_to_work=None), 422, "invalid_input")
    assert_error(await patch_profile(client, jane, interests="chess"), 422, "invalid_input")
    assert_error(await patch_profile(client, jane, name="   "), 422, "missing_field")
    error = assert_error(await patch_profile(client, jane, shoe_size="42"), 422, "unknown_field")
    assert error["field"] == "shoe_size"
    assert_error(
        await client.patch(PROFILE, json=["headline"], headers=jane.headers), 422, "invalid_input"
    )
    assert_error(await client.patch(PROFILE, json={"headline": "x"}), 401, "not_signed_in")
    # Control characters (NUL would break PostgreSQL) are dropped, never a 500.
    r = await patch_profile(client, jane, headline="Head\x00line\x07", about="A\x00b\tc")
    assert r.status_code == 200, r.text
    assert r.json()["headline"] == "Headline" and r.json()["about"] == "Ab\tc"


async def test_name_change_is_searchable(client: httpx.AsyncClient, people: People) -> None:
    jane, viewer = await people.make("Jane Doe"), await people.make("Viewer")
    await patch_profile(client, jane, name="Janet Quixote")
    r = await client.get("/api/v1/search/members", params={"q": "quixote"}, headers=viewer.headers)
    assert [m["handle"] for m in r.json()["items"]] == [jane.handle]


# --- positions -----------------------------------------------------------------------------


async def test_position_lifecycle(client: httpx.AsyncClient, people: People) -> None:
    jane = await people.make("Jane Doe")
    r = await client.post(
        POSITIONS,
        json={
            "company": "Acme",
            "title": "Engineer",
            "description": "Builds things",
            "location": "Lisbon",
            "start": "2021-09",
        },
        headers=jane.headers,
    )
    assert r.status_code == 201, r.text
    position = r.json()
    assert isinstance(position["id"], str)
    assert position | {"id": "x"} == {
        "id": "x",
        "company": "Acme",
        "title": "Engineer",
        "description": "Builds things",
        "location": "Lisbon",
        "start": "2021-09",
        "end": None,
        "current": True,
    }
    url = f"{POSITIONS}/{position['id']}"
    r = await client.patch(
        url, json={"end": "2023-02", "title": "Senior Engineer"}, headers=jane.headers
    )
    assert r.status_code == 200, r.text
    assert (
        r.json()["end"] == "2023-02"
        and r.json()["current"] is False
        and r.json()["company"] == "Acme"
    )
    # PATCH may make it current again.
    r = await client.patch(url, json={"end": None}, headers=jane.headers)
    assert r.json()["end"] is None and r.json()["current"] is True
    profile = (await client.get(PROFILE, headers=jane.headers)).json()
    assert [p["title"] for p in profile["positions"]] == ["Senior Engineer"]
    assert (await client.delete(url, headers=jane.headers)).status_code == 204
    assert_error(await client.delete(url, headers=jane.headers), 404, "not_found")
    assert (await client.get(PROFILE, headers=jane.headers)).json()["positions"] == []


async def test_positions_are_listed_current_first_then_newest(
    client: httpx.AsyncClient, people: People
) -> None:
    jane = await people.make("Jane Doe")
    for company, start, end in [
        ("Old", "2010-01", "2012-12"),
        ("Now", "2020-01", None),
        ("Mid", "2013-01", "2019-12"),
    ]:
        body = {"company": company, "title": "T", "start": start} | ({"end": end} if end else {})
        assert (await client.post(POSITIONS, json=body, headers=jane.headers)).status_code == 201
    profile = (await client.get(PROFILE, headers=jane.headers)).json()
    assert [p["company"] for p in profile["positions"]] == ["Now", "Mid", "Old"]


async def test_position_validation(client: httpx.AsyncClient, people: People) -> None:
    jane = await people.make("Jane Doe")
    base = {"company": "Acme", "title": "Engineer", "start": "2021-09"}

    async def post(**changes: object) -> httpx.Response:
        return await client.post(POSITIONS, json=base | changes, headers=jane.headers)

    for bad in (
        "2021-13",
        "2021-00",
        "21-09",
        "2021-9",
        "1899-12",
        "2101-01",
        "September 2021",
        "",
    ):
        assert assert_error(await post(start=bad), 422, "invalid_month")["field"] == "start"
    assert assert_error(await post(end="2021/10"), 422, "invalid_month")["field"] == "end"
    assert assert_error(await post(end="2021-08"), 422, "end_before_start")["field"] == "end"
    assert (await post(end="2021-09")).status_code == 201  # same month is fine
    assert assert_error(await post(company=""), 422, "missing_field")["field"] == "company"
    assert assert_error(await post(title=None), 422, "missing_field")["field"] == "title"
    assert_error(
        await client.post(POSITIONS, json={"company": "Acme", "title": "E"}, headers=jane.headers),
        422,
        "invalid_month",
    )
    assert_error(await post(start=202109), 422, "invalid_input")
    assert_error(await post(colour="red"), 422, "unknown_field")
    assert (
        assert_error(await post(description="d" * 2001), 422, "field_too_long")["field"]
        == "description"
    )
    assert (await post(description="d" * 2000)).status_code == 201
    assert assert_error(await post(company="c" * 201), 422, "field_too_long")["field"] == "company"
    # A PATCH is checked against the stored dates.
    pid = (await post(end="2022-01")).json()["id"]
    assert_error(
        await client.patch(f"{POSITIONS}/{pid}", json={"start": "2022-02"}, headers=jane.headers),
        422,
        "end_before_start",
    )
    assert_error(
        await client.patch(f"{POSITIONS}/{pid}", json={"start": None}, headers=jane.headers),
        422,
        "invalid_month",
    )
    assert_error(
        await client.patch(f"{POSITIONS}/{pid}", json={"company": ""}, headers=jane.headers),
        422,
        "missing_field",
    )


async def test_position_ids_of_others_or_garbage_are_not_found(
    client: httpx.AsyncClient, people: People
) -> None:
    jane, mallory = await people.make("Jane Doe"), await people.make("Mallory")
    pid = (
        await client.post(
            POSITIONS,
            json={"company": "Acme", "title": "E", "start": "2020-01"},
            headers=jane.headers,
        )
    ).json()["id"]
    for bad in (pid, "abc", "-1", "99999999999999999999999", "1.0", "٣"):
        assert_error(
            await client.patch(
                f"{POSITIONS}/{bad}", json={"title": "Hacked"}, headers=mallory.headers
            ),
            404,
            "not_found",
        )
        assert_error(
            await client.delete(f"{POSITIONS}/{bad}", headers=mallory.headers), 404, "not_found"
        )
    assert (await client.get(PROFILE, headers=jane.headers)).json()["positions"][0]["title"] == "E"


async def test_position_count_is_capped(client: httpx.AsyncClient, people: People) -> None:
    from inroad.profiles import actions

    jane = await people.make("Jane Doe")
    original = actions.MAX_POSITIONS
    actions.MAX_POSITIONS = 3
    try:
        for _ in range(3):
            r = await client.post(
                POSITIONS,
                json={"company": "A", "title": "T", "start": "2020-01"},
                headers=jane.headers,
            )
            assert r.status_code == 201
        r = await client.post(
            POSITIONS, json={"company": "A", "title": "T", "start": "2020-01"}, headers=jane.headers
        )
        assert_error(r, 422, "too_many_positions")
    finally:
        actions.MAX_POSITIONS = original


# --- education -----------------------------------------------------------------------------


async def test_education_lifecycle_and_validation(
    client: httpx.AsyncClient, people: People
) -> None:
    jane, mallory = await people.make("Jane Doe"), await people.make("Mallory")
    r = await client.post(
        EDUCATION,
        json={
            "school": "University of Porto",
            "degree": "MSc",
            "field": "Physics",
            "start_year": 2010,
            "end_year": 2015,
        },
        headers=jane.headers,
    )
    assert r.status_code == 201, r.text
    entry = r.json()
    assert entry | {"id": "x"} == {
        "id": "x",
        "school": "University of Porto",
        "degree": "MSc",
        "field": "Physics",
        "start_year": 2010,
        "end_year": 2015,
    }
    url = f"{EDUCATION}/{entry['id']}"
    r = await client.patch(url, json={"end_year": None, "degree": "PhD"}, headers=jane.headers)
    assert r.status_code == 200 and r.json()["end_year"] is None and r.json()["degree"] == "PhD"
    assert_error(
        await client.patch(url, json={"end_year": 2009}, headers=jane.headers),
        422,
        "end_before_start",
    )
    assert (
        await client.patch(url, json={"end_year": 2010}, headers=jane.headers)
    ).status_code == 200
    for bad in (1899, 2101):
        r = await client.post(
            EDUCATION, json={"school": "S", "start_year": bad}, headers=jane.headers
        )
        assert assert_error(r, 422, "invalid_year")["field"] == "start_year"
    for ok in (1900, 2100):
        assert (
            await client.post(EDUCATION, json={"school": "S", "end_year": ok}, headers=jane.headers)
        ).status_code == 201
    assert_error(
        await client.post(
            EDUCATION, json={"school": "S", "start_year": "soon"}, headers=jane.headers
        ),
        422,
        "invalid_input",
    )
    assert_error(
        await client.post(EDUCATION, json={"degree": "BSc"}, headers=jane.headers),
        422,
        "missing_field",
    )
    assert_error(
        await client.post(EDUCATION, json={"school": "s" * 201}, headers=jane.headers),
        422,
        "field_too_long",
    )
    assert_error(
        await client.patch(url, json={"school": "Mine now"}, headers=mallory.headers),
        404,
        "not_found",
    )
    assert_error(await client.delete(url, headers=mallory.headers), 404, "not_found")
    assert_error(await client.delete(f"{EDUCATION}/nope", headers=jane.headers), 404, "not_found")
    assert (await client.delete(url, headers=jane.headers)).status_code == 204
    schools = (await client.get(PROFILE, headers=jane.headers)).json()["education"]
    assert [e["end_year"] for e in schools] == [2100, 1900]  # latest first


# --- skills --------------------------------------------------------------------------------


async def test_skills_replace_trim_and_dedupe(client: httpx.AsyncClient, people: People) -> None:
    jane = await people.make("Jane Doe")
    r = await client.put(
        SKILLS, json={"skills": [" Python ", "SQL", "python", "", "  ", "Go"]}, headers=jane.headers
    )
    assert r.status_code == 200, r.text
    assert r.json() == {"skills": ["Python", "SQL", "Go"]}
    r = await client.put(SKILLS, json={"skills": ["Rust"]}, headers=jane.headers)
    assert r.json() == {"skills": ["Rust"]}
    assert (await client.get(PROFILE, headers=jane.headers)).json()["skills"] == ["Rust"]


async def test_skills_limits(client: httpx.AsyncClient, people: People) -> None:
    jane = await people.make("Jane Doe")
    hundred = [f"Skill {i}" for i in range(100)]
    r = await client.put(SKILLS, json={"skills": hundred}, headers=jane.headers)
    assert r.status_code == 200 and len(r.json()["skills"]) == 100
    assert_error(
        await client.put(SKILLS, json={"skills": [*hundred, "Skill 100"]}, headers=jane.headers),
        422,
        "too_many_skills",
    )
    # Duplicates do not count against the limit.
    r = await client.put(SKILLS, json={"skills": [*hundred, "SKILL 0"]}, headers=jane.headers)
    assert r.status_code == 200 and len(r.json()["skills"]) == 100
    error = assert_error(
        await client.put(SKILLS, json={"skills": ["k" * 101]}, headers=jane.headers),
        422,
        "field_too_long",
    )
    assert error["field"] == "skills"
    assert (
        await client.put(SKILLS, json={"skills": ["k" * 100]}, headers=jane.headers)
    ).status_code == 200
    assert_error(
        await client.put(SKILLS, json={"skills": "Python"}, headers=jane.headers),
        422,
        "invalid_input",
    )
    assert_error(
        await client.put(SKILLS, json={"skills": [1, 2]}, headers=jane.headers),
        422,
        "invalid_input",
    )
    assert_error(await client.put(SKILLS, json={}, headers=jane.headers), 422, "missing_field")
