"""POST /api/v1/coach/review: shape, first-message rules, issues, shared context from the data."""

from __future__ import annotations

import re
from typing import Any

import httpx
import sqlalchemy as sa

from inroad.accounts.tables import members
from inroad.coach.queries import MAX_REVIEW_SUBJECT, MAX_REVIEW_TEXT
from inroad.services import Services
from tests.conftest import People, Persona, assert_error
from tests.factories import block, connect, image_bytes

REVIEW = "/api/v1/coach/review"
JOB_ASK = (
    "Hi, I'm a backend engineer with six years of Go experience. Is your team hiring? "
    "Could you refer me for the platform role?"
)
PLAIN = "Hi Bea, congrats on the launch last week."
ALL_ITEMS = [
    "photo", "headline", "about", "industry", "location", "current_position",
    "past_positions", "education", "skills", "connections",
]


async def post_review(client: httpx.AsyncClient, who: Persona, **body: Any) -> dict[str, Any]:
    response = await client.post(REVIEW, json=body, headers=who.headers)
    assert response.status_code == 200, response.text
    doc: dict[str, Any] = response.json()
    return doc


def codes(doc: dict[str, Any]) -> list[str]:
    return [issue["code"] for issue in doc["issues"]]


def context_texts(doc: dict[str, Any], kind: str | None = None) -> list[str]:
    return [item["text"] for item in doc["shared_context"] if kind in (None, item["kind"])]


async def add_position(
    client: httpx.AsyncClient, who: Persona, company: str, start: str, end: str | None = None,
    description: str = "",
) -> None:
    body = {"company": company, "title": "Engineer", "start": start, "description": description}
    if end is not None:
        body["end"] = end
    response = await client.post("/api/v1/me/positions", json=body, headers=who.headers)
    assert response.status_code == 201, response.text


async def add_school(
    client: httpx.AsyncClient, who: Persona, school: str, start: int | None, end: int | None
) -> None:
    body = {"school": school, "start_year": start, "end_year": end}
    response = await client.post("/api/v1/me/education", json=body, headers=who.headers)
    assert response.status_code == 201, response.text


async def patch_profile(client: httpx.AsyncClient, who: Persona, **changes: Any) -> None:
    response = await client.patch("/api/v1/me/profile", json=changes, headers=who.headers)
    assert response.status_code == 200, response.text


async def set_skills(client: httpx.AsyncClient, who: Persona, skills: list[str]) -> None:
    response = await client.put("/api/v1/me/skills", json={"skills": skills}, headers=who.headers)
    assert response.status_code == 200, response.text


async def delete_account(client: httpx.AsyncClient, who: Persona) -> None:
    r = await client.request(
        "DELETE", "/api/v1/me", json={"password": who.password}, headers=who.headers
    )
    assert r.status_code == 204, r.text


# --- access and validation -------------------------------------------------------------------


async def test_signed_out_is_401(client: httpx.AsyncClient) -> None:
    response = await client.post(REVIEW, json={"channel": "dm", "text": "Hi"})
    assert_error(response, 401, "not_signed_in")


async def test_unknown_deleted_or_blocked_recipient_is_404(
    client: httpx.AsyncClient, people: People, services: Services
) -> None:
    ana, ben, cy = [await people.make(n) for n in ("Ana Diaz", "Ben Ode", "Cy Lu")]
    body = {"channel": "inmail", "text": PLAIN}
    r = await client.post(REVIEW, json={**body, "to": "nobody-here"}, headers=ana.headers)
    assert_error(r, 404, "not_found")
    await block(services, ben.handle, ana.handle)  # blocked by the recipient
    r = await client.post(REVIEW, json={**body, "to": ben.handle}, headers=ana.headers)
    assert_error(r, 404, "not_found")
    await block(services, ana.handle, cy.handle)  # the sender blocked the recipient
    r = await client.post(REVIEW, json={**body, "to": cy.handle}, headers=ana.headers)
    assert_error(r, 404, "not_found")
    await delete_account(client, cy)
    dee = await people.make("Dee Moss")
    r = await client.post(REVIEW, json={**body, "to": cy.handle}, headers=dee.headers)
    assert_error(r, 404, "not_found")


async def test_bad_input_is_a_clear_4xx(client: httpx.AsyncClient, people: People) -> None:
    ana = await people.make("Ana Diaz")
    r = await client.post(REVIEW, json={"channel": "email", "text": "Hi"}, headers=ana.headers)
    assert_error(r, 422, "invalid_channel")
    r = await client.post(REVIEW, json={"channel": "dm"}, headers=ana.headers)
    assert_error(r, 422, "missing_field")
    r = await client.post(REVIEW, json={"channel": "dm", "text": 5}, headers=ana.headers)
    assert r.status_code == 422
    r = await client.post(
        REVIEW, json={"channel": "dm", "text": "Hi", "first_message": "yes"}, headers=ana.headers
    )
    assert r.status_code == 422
    r = await client.post(
        REVIEW, content=b"{not json", headers={**ana.headers, "content-type": "application/json"}
    )
    assert_error(r, 400, "invalid_json")


async def test_text_and_subject_limits_at_the_boundary(
    client: httpx.AsyncClient, people: People
) -> None:
    ana = await people.make("Ana Diaz")
    at_limit = "é" * MAX_REVIEW_TEXT  # code points, not bytes
    doc = await post_review(client, ana, channel="dm", text=at_limit)
    assert doc["length"]["chars"] == MAX_REVIEW_TEXT
    r = await client.post(
        REVIEW, json={"channel": "dm", "text": at_limit + "é"}, headers=ana.headers
    )
    assert_error(r, 422, "text_too_long")
    subject = "s" * MAX_REVIEW_SUBJECT
    await post_review(client, ana, channel="inmail", text="Hi", subject=subject)
    r = await client.post(
        REVIEW, json={"channel": "inmail", "text": "Hi", "subject": subject + "s"},
        headers=ana.headers,
    )
    assert_error(r, 422, "subject_too_long")


async def test_channel_limits_are_issues_not_errors(
    client: httpx.AsyncClient, people: People
) -> None:
    ana = await people.make("Ana Diaz")
    note = "Hi Bea, " + "x" * 292
    assert len(note) == 300
    doc = await post_review(client, ana, channel="invite_note", text=note)
    assert "over_limit" not in codes(doc)
    doc = await post_review(client, ana, channel="invite_note", text=note + "!")
    issue = next(i for i in doc["issues"] if i["code"] == "over_limit")
    assert issue["severity"] == "warning" and "300" in issue["message"]
    body = "y" * 1_900
    assert "over_limit" not in codes(await post_review(client, ana, channel="inmail", text=body))
    assert "over_limit" in codes(await post_review(client, ana, channel="inmail", text=body + "y"))
    doc = await post_review(client, ana, channel="inmail", text="Hi", subject="s" * 201)
    assert "over_limit" in codes(doc)
    assert "over_limit" not in codes(
        await post_review(client, ana, channel="inmail", text="Hi", subject="s" * 200)
    )


# --- shape and issue rules -------------------------------------------------------------------


async def test_shape_matches_the_contract(client: httpx.AsyncClient, people: People) -> None:
    ana = await people.make("Ana Diaz")
    doc = await post_review(client, ana, channel="dm", text="Hi 👋🏽 there\n\nSecond para")
    assert {"labels", "issues", "shared_context", "length"} <= set(doc)
    assert set(doc["labels"]) == {
        "job_ask", "sales_pitch", "romantic", "lengthy", "call_to_action", "shared_context",
    }
    assert all(isinstance(v, bool) for v in doc["labels"].values())
    assert doc["length"] == {"chars": 24, "words": 5, "paragraphs": 2}
    assert doc["shared_context"] == []
    assert doc["first_message"] is True
    for issue in doc["issues"]:
        assert {"code", "severity", "message"} <= set(issue)
        assert issue["severity"] in ("warning", "suggestion") and issue["message"]


async def test_job_ask_and_pitch_warn_only_in_a_first_message_romantic_always(
    client: httpx.AsyncClient, people: People
) -> None:
    ana = await people.make("Ana Diaz")
    first = await post_review(client, ana, channel="inmail", text=JOB_ASK)
    assert first["labels"]["job_ask"] and "job_ask" in codes(first)
    later = await post_review(client, ana, channel="inmail", text=JOB_ASK, first_message=False)
    assert later["labels"]["job_ask"] and "job_ask" not in codes(later)
    assert later["first_message"] is False
    pitch = (
        "Hi Lee, our invoicing platform cuts month-end close by 40% for agencies like yours, "
        "from $49/month. Free for 15 minutes on Tuesday for a quick demo?"
    )
    doc = await post_review(client, ana, channel="dm", text=pitch, first_message=False)
    assert doc["labels"]["sales_pitch"] and "sales_pitch" not in codes(doc)
    assert "sales_pitch" in codes(await post_review(client, ana, channel="dm", text=pitch))
    flirt = "You have beautiful eyes. Dinner Friday, just the two of us?"
    for first_message in (True, False):
        doc = await post_review(
            client, ana, channel="dm", text=flirt, first_message=first_message
        )
        issue = next(i for i in doc["issues"] if i["code"] == "romantic")
        assert issue["severity"] == "warning"


async def test_no_call_to_action_is_a_suggestion(client: httpx.AsyncClient, people: People) -> None:
    ana = await people.make("Ana Diaz")
    doc = await post_review(client, ana, channel="dm", text=PLAIN)
    issue = next(i for i in doc["issues"] if i["code"] == "no_call_to_action")
    assert issue["severity"] == "suggestion"
    doc = await post_review(client, ana, channel="dm", text="Free for a call on Thursday?")
    assert "no_call_to_action" not in codes(doc)


async def test_profile_incomplete_says_what_is_missing(
    client: httpx.AsyncClient, people: People
) -> None:
    ana = await people.make("Ana Diaz")
    doc = await post_review(client, ana, channel="dm", text=PLAIN)
    issue = next(i for i in doc["issues"] if i["code"] == "profile_incomplete")
    assert issue["missing"] == ALL_ITEMS
    assert "Beginner (0/10)" in issue["message"] and "add a photo" in issue["message"]
    await patch_profile(client, ana, headline="Data engineer", about="I build pipelines.")
    doc = await post_review(client, ana, channel="dm", text=PLAIN)
    issue = next(i for i in doc["issues"] if i["code"] == "profile_incomplete")
    assert "headline" not in issue["missing"] and "about" not in issue["missing"]
    assert "write a headline" not in issue["message"] and "add a photo" in issue["message"]


async def test_all_star_sender_gets_no_profile_issue(
    client: httpx.AsyncClient, people: People, services: Services
) -> None:
    ana = await people.make("Ana Diaz")
    r = await client.put(
        "/api/v1/me/photo", files={"file": ("me.png", image_bytes(), "image/png")},
        headers=ana.headers,
    )
    assert r.status_code == 200, r.text
    await patch_profile(
        client, ana, headline="Data engineer", about="I build pipelines.",
        industry="Software", location="Leeds",
    )
    await add_position(client, ana, "Acme", "2022-01", description="Lead data engineer.")
    await add_position(client, ana, "Globex", "2018-01", "2021-12")
    await add_position(client, ana, "Initech", "2015-01", "2017-12")
    await add_school(client, ana, "University of Leeds", 2011, 2014)
    await set_skills(client, ana, ["Python", "SQL", "Airflow", "dbt", "Spark"])
    doc = await post_review(client, ana, channel="dm", text=PLAIN)
    issue = next(i for i in doc["issues"] if i["code"] == "profile_incomplete")
    assert issue["missing"] == ["connections"] and "Expert (9/10)" in issue["message"]
    # The tenth item is 50 connections; the denormalised count is what strength reads.
    async with services.db.write() as conn:
        await conn.execute(
            sa.update(members).where(members.c.handle == ana.handle).values(connection_count=50)
        )
    doc = await post_review(client, ana, channel="dm", text=PLAIN)
    assert "profile_incomplete" not in codes(doc)


# --- first_message defaults ------------------------------------------------------------------


async def test_first_message_defaults_from_what_the_sender_already_sent(
    client: httpx.AsyncClient, people: People, services: Services
) -> None:
    ana, ben, cy = [await people.make(n) for n in ("Ana Diaz", "Ben Ode", "Cy Lu")]
    await connect(services, ana.handle, ben.handle)
    await connect(services, ana.handle, cy.handle)
    await connect(services, ben.handle, cy.handle)
    assert (await post_review(client, ana, channel="dm", text=JOB_ASK, to=ben.handle))[
        "first_message"
    ] is True
    r = await client.post(
        "/api/v1/conversations",
        json={"participants": [ben.handle], "text": "Hello Ben!", "client_id": "c-1"},
        headers=ana.headers,
    )
    assert r.status_code == 201, r.text
    direct_id = r.json()["conversation"]["id"]
    doc = await post_review(client, ana, channel="dm", text=JOB_ASK, to=ben.handle)
    assert doc["first_message"] is False and "job_ask" not in codes(doc)
    # Ben has not written to Ana yet: for him it is still a first message.
    doc = await post_review(client, ben, channel="dm", text=JOB_ASK, to=ana.handle)
    assert doc["first_message"] is True and "job_ask" in codes(doc)
    doc = await post_review(client, ben, channel="dm", text=JOB_ASK, conversation_id=direct_id)
    assert doc["first_message"] is True
    doc = await post_review(client, ana, channel="dm", text=JOB_ASK, conversation_id=direct_id)
    assert doc["first_message"] is False
    # An explicit value wins over the history.
    doc = await post_review(
        client, ana, channel="dm", text=JOB_ASK, to=ben.handle, first_message=True
    )
    assert doc["first_message"] is True and "job_ask" in codes(doc)
    # Writing in a group with Cy does not make a first message to Cy a later one.
    r = await client.post(
        "/api/v1/conversations",
        json={"participants": [ben.handle, cy.handle], "text": "Team!", "client_id": "g-1"},
        headers=ana.headers,
    )
    assert r.status_code == 201, r.text
    group_id = r.json()["conversation"]["id"]
    assert (await post_review(client, ana, channel="dm", text="Hi", to=cy.handle))[
        "first_message"
    ] is True
    assert (await post_review(client, ana, channel="dm", text="Hi", conversation_id=group_id))[
        "first_message"
    ] is False


async def test_conversation_the_sender_is_not_in_is_404(
    client: httpx.AsyncClient, people: People, services: Services
) -> None:
    ana, ben, cy = [await people.make(n) for n in ("Ana Diaz", "Ben Ode", "Cy Lu")]
    await connect(services, ana.handle, ben.handle)
    r = await client.post(
        "/api/v1/conversations",
        json={"participants": [ben.handle], "text": "Hello Ben!", "client_id": "c-1"},
        headers=ana.headers,
    )
    conversation_id = r.json()["conversation"]["id"]
    for bad in (conversation_id, "not-an-id", "0", "99999999"):
        r = await client.post(
            REVIEW, json={"channel": "dm", "text": "Hi", "conversation_id": bad},
            headers=cy.headers,
        )
        assert_error(r, 404, "not_found")


# --- shared context from the data ------------------------------------------------------------


async def test_same_school_with_overlapping_and_separate_years(
    client: httpx.AsyncClient, people: People
) -> None:
    ana, bea = await people.make("Ana Diaz"), await people.make("Bea Kim")
    await add_school(client, ana, "New York University", 2012, 2016)
    await add_school(client, bea, "new york  university ", 2014, 2018)
    await add_school(client, ana, "Leeds College of Music", 2005, 2007)
    await add_school(client, bea, "Leeds College of Music", 2009, 2010)
    await add_school(client, ana, "Open University", None, None)
    doc = await post_review(client, ana, channel="inmail", text=PLAIN, to=bea.handle)
    assert context_texts(doc, "school") == [
        "You both studied at new york university, 2014–2016",
        "You both studied at Leeds College of Music (you 2005–2007, Bea 2009–2010)",
    ]
    inserts = [i["insert"] for i in doc["shared_context"] if i["kind"] == "school"]
    assert inserts[0] == "We both studied at new york university (2014–2016)"


async def test_same_employer_with_overlapping_and_non_overlapping_years(
    client: httpx.AsyncClient, people: People
) -> None:
    ana, bea = await people.make("Ana Diaz"), await people.make("Bea Kim")
    await add_position(client, ana, "Acme", "2019-03", "2021-06")
    await add_position(client, bea, "ACME", "2020-01", "2022-02")
    await add_position(client, ana, "Globex", "2010-01", "2012-12")
    await add_position(client, bea, "Globex", "2015-05", "2016-04")
    await add_position(client, ana, "Initech", "2022-01")
    await add_position(client, bea, "Initech", "2023-09")
    await add_position(client, bea, "Umbrella", "2001-01", "2002-01")
    doc = await post_review(client, ana, channel="inmail", text=PLAIN, to=bea.handle)
    assert context_texts(doc, "company") == [
        "You both work at Initech, since 2023",
        "You both worked at ACME, 2020–2021",
        "You've both worked at Globex",
    ]


async def test_mutual_connections_by_name_strongest_three(
    client: httpx.AsyncClient, people: People, services: Services
) -> None:
    ana, bea = await people.make("Ana Diaz"), await people.make("Bea Kim")
    mutuals = [await people.make(name) for name in ("Priya Shah", "Tom Ng", "Lea Roy", "Max Orr")]
    for m in mutuals:
        await connect(services, ana.handle, m.handle)
        await connect(services, bea.handle, m.handle)
    # Give each mutual a different reach: Lea 3, Tom 2, Priya 1 more connections, Max none.
    extra = [await people.make(f"Extra Person {i}") for i in range(3)]
    for m, reach in zip(mutuals, (1, 2, 3, 0), strict=True):
        for e in extra[:reach]:
            await connect(services, m.handle, e.handle)
    doc = await post_review(client, ana, channel="dm", text=PLAIN, to=bea.handle)
    assert context_texts(doc, "mutual_connection") == [
        "You're both connected to Lea Roy",
        "You're both connected to Tom Ng",
        "You're both connected to Priya Shah",
    ]
    assert doc["shared_context"][0]["insert"] == "We're both connected to Lea Roy"
    # A deleted mutual is not named.
    lea = mutuals[2]
    await delete_account(client, lea)
    doc = await post_review(client, ana, channel="dm", text=PLAIN, to=bea.handle)
    assert "You're both connected to Lea Roy" not in context_texts(doc)
    assert len(context_texts(doc, "mutual_connection")) == 3


async def test_skills_interests_location_industry(
    client: httpx.AsyncClient, people: People
) -> None:
    ana, bea = await people.make("Ana Diaz"), await people.make("Bea Kim")
    await set_skills(client, ana, ["python", "Go", "SQL", "Kafka", "Figma"])
    await set_skills(client, bea, ["Kafka", "Python", "Rust", "sql", "Figma"])
    await patch_profile(
        client, ana, interests=["New York Yankees", "chess"], location="Lagos, Nigeria",
        industry="Renewable Energy",
    )
    await patch_profile(
        client, bea, interests=["Chess", "sailing"], location="Lagos", industry="renewable energy"
    )
    doc = await post_review(client, ana, channel="dm", text=PLAIN, to=bea.handle)
    assert [(i["kind"], i["text"]) for i in doc["shared_context"]] == [
        ("skill", "You both list Kafka, Python and sql as skills"),
        ("interest", "You're both interested in Chess"),
        ("location", "You're both based in Lagos"),
        ("industry", "You both work in renewable energy"),
    ]


async def test_no_shared_context_issue_only_when_the_data_has_some_and_the_text_none(
    client: httpx.AsyncClient, people: People
) -> None:
    ana, bea, cy = [await people.make(n) for n in ("Ana Diaz", "Bea Kim", "Cy Lu")]
    await add_school(client, ana, "University of Ghana", 2010, 2014)
    await add_school(client, bea, "University of Ghana", 2012, 2016)
    doc = await post_review(client, ana, channel="inmail", text=PLAIN, to=bea.handle)
    assert not doc["labels"]["shared_context"]
    issue = next(i for i in doc["issues"] if i["code"] == "no_shared_context")
    assert issue["severity"] == "suggestion"
    mentions = "Hi Bea, fellow University of Ghana alum here! Free for a call on Friday?"
    doc = await post_review(client, ana, channel="inmail", text=mentions, to=bea.handle)
    assert doc["labels"]["shared_context"] and "no_shared_context" not in codes(doc)
    # Nothing shared with Cy, and no recipient at all: nothing to suggest.
    doc = await post_review(client, ana, channel="inmail", text=PLAIN, to=cy.handle)
    assert doc["shared_context"] == [] and "no_shared_context" not in codes(doc)
    doc = await post_review(client, ana, channel="inmail", text=PLAIN)
    assert "no_shared_context" not in codes(doc)


# --- the web UI's session --------------------------------------------------------------------


async def test_web_session_cookie_works_only_with_its_csrf_token(
    client: httpx.AsyncClient, people: People
) -> None:
    ana = await people.make("Ana Diaz")
    client.cookies.set("inroad_session", ana.token)
    page = await client.get("/", headers={"accept": "text/html"})
    assert page.status_code == 200, page.text
    match = re.search(r'<meta name="csrf-token" content="([^"]+)">', page.text)
    assert match
    token = match.group(1)
    body = {"channel": "dm", "text": "Hi"}
    assert_error(await client.post(REVIEW, json=body), 401, "not_signed_in")
    assert_error(
        await client.post(REVIEW, json=body, headers={"X-CSRF-Token": "forged"}),
        401, "not_signed_in",
    )
    assert_error(
        await client.post(REVIEW, json=body, headers={b"X-CSRF-Token": "naïve-ü".encode()}),
        401, "not_signed_in",
    )
    r = await client.post(REVIEW, json=body, headers={"X-CSRF-Token": token})
    assert r.status_code == 200, r.text
    # The token belongs to that session: another member's session cannot use it.
    ben = await people.make("Ben Ode")
    client.cookies.set("inroad_session", ben.token)
    assert_error(
        await client.post(REVIEW, json=body, headers={"X-CSRF-Token": token}),
        401, "not_signed_in",
    )
