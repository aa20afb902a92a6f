"""The web UI: Premium page, InMail compose, answers inside a conversation, organisation pages,
the operator's plan page — rendered over httpx with session cookies and CSRF tokens."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from tests.conftest import People, Persona
from tests.web.conftest import HTML, csrf_from, web_login

from inroad.accounts.tables import members
from inroad.clock import FrozenClock
from inroad.premium.actions import do_set_plan
from inroad.premium.ledger import add_months
from inroad.services import Services

Login = Callable[[Persona], Awaitable[httpx.AsyncClient]]


@pytest.fixture
async def login(app: FastAPI) -> AsyncIterator[Login]:
    """``await login(persona)``: a browser-like client (own cookie jar) signed in as them."""
    opened: list[httpx.AsyncClient] = []

    async def make(persona: Persona) -> httpx.AsyncClient:
        web = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        )
        opened.append(web)
        await web_login(web, persona)
        return web

    yield make
    for web in opened:
        await web.aclose()


async def page(web: httpx.AsyncClient, path: str, status: int = 200) -> str:
    response = await web.get(path, headers=HTML)
    assert response.status_code == status, response.text[:2000]
    return response.text


async def post(
    web: httpx.AsyncClient, path: str, data: dict[str, str], token_from: str
) -> httpx.Response:
    token = csrf_from(await page(web, token_from))
    return await web.post(path, data={"csrf_token": token, **data}, headers=HTML)


async def test_premium_page_for_a_free_member(people: People, login: Login) -> None:
    web = await login(await people.make("Fred Free"))
    html = await page(web, "/premium")
    assert "Your plan: Free" in html
    assert re.search(r"data-balance>\s*0\s*<", html)
    assert "No credits yet" in html


async def test_premium_page_shows_plan_balance_and_the_full_ledger(
    people: People, services: Services, clock: FrozenClock, login: Login, client: httpx.AsyncClient
) -> None:
    maria = await people.make("Maria Lopez")
    start = clock.now()
    await do_set_plan(services, maria.handle, "career")
    target = await people.make("Carl Candidate")
    sent = await client.post(
        "/api/v1/inmail",
        json={"to": target.handle, "subject": "Hi", "text": "Hello", "client_id": "p1"},
        headers=maria.headers,
    )
    cid = sent.json()["conversation"]["id"]
    clock.at = add_months(start, 1) + timedelta(hours=1)
    web = await login(maria)
    html = await page(web, "/premium")
    assert "Your plan: Premium Career" in html
    assert re.search(r"data-balance>\s*9\s*<", html)
    assert "Monthly credits · Premium Career, month 1" in html
    assert "Monthly credits · Premium Career, month 2" in html
    assert "InMail sent" in html and f'href="/messaging/{cid}"' in html
    assert (
        f"Next credits on {add_months(start, 2).day} {add_months(start, 2).strftime('%b %Y')}"
        in html
    )
    reasons = re.findall(r'data-reason="(\w+)"', html)
    assert reasons == ["grant", "spend", "grant"]  # newest first


async def test_reminder_on_the_premium_page_after_three_days(
    people: People, services: Services, clock: FrozenClock, login: Login, client: httpx.AsyncClient
) -> None:
    maria = await people.make("Maria Lopez")
    await do_set_plan(services, maria.handle, "business")
    carl = await people.make("Carl Candidate")
    await client.post(
        "/api/v1/inmail",
        json={"to": carl.handle, "subject": "Hi", "text": "Hello", "client_id": "r1"},
        headers=maria.headers,
    )
    web = await login(carl)
    assert "waiting for an answer" not in await page(web, "/premium")
    clock.advance(days=3)
    assert "You have 1 InMail waiting for an answer" in await page(web, "/premium")
    # The same reminder heads the Messaging inbox, naming the sender.
    inbox = await page(web, "/messaging?folder=other")
    assert "You have 1 InMail waiting for an answer" in inbox
    assert "Maria Lopez</a>" in inbox


async def test_compose_shows_cost_balance_counters_and_coach_hook(
    people: People, services: Services, login: Login, client: httpx.AsyncClient
) -> None:
    maria = await people.make("Maria Lopez")
    await do_set_plan(services, maria.handle, "recruiter_lite")
    carl = await people.make("Carl Candidate")
    admin = await people.make("Ada Admin")
    slug = (
        await client.post(
            "/api/v1/organizations", json={"name": "Acme", "kind": "company"}, headers=admin.headers
        )
    ).json()["slug"]
    await client.post(
        f"/api/v1/organizations/{slug}/seats", json={"handle": maria.handle}, headers=admin.headers
    )
    web = await login(maria)
    html = await page(web, f"/in/{carl.handle}/inmail")
    assert 'data-cost="1"' in html and re.search(r"data-balance>\s*30\s*<", html)
    assert re.search(r'<input[^>]*name="subject"[^>]*data-maxlength="200"', html)
    assert re.search(r'<textarea[^>]*name="text"[^>]*data-maxlength="1900"', html)
    assert 'data-coach="inmail"' in html and f'data-coach-to="{carl.handle}"' in html
    assert 'data-coach-subject="#inmail-subject"' in html
    assert f'<option value="{slug}">Maria Lopez · Recruiter at Acme</option>' in html
    # Too long a subject: the page comes back with the draft and the reason, nothing is spent.
    token = csrf_from(html)
    found = re.search(r'name="client_id" value="([^"]+)"', html)
    assert found is not None
    client_id = found.group(1)
    form = {
        "csrf_token": token,
        "client_id": client_id,
        "subject": "s" * 201,
        "text": "My draft",
        "organization": slug,
    }
    refused = await web.post(f"/in/{carl.handle}/inmail", data=form, headers=HTML)
    assert (
        refused.status_code == 422 and "My draft" in refused.text and "limit is 200" in refused.text
    )
    sent = await web.post(
        f"/in/{carl.handle}/inmail", data={**form, "subject": "A role"}, headers=HTML
    )
    assert sent.status_code == 303 and sent.headers["location"].startswith("/messaging/")
    again = await web.post(
        f"/in/{carl.handle}/inmail", data={**form, "subject": "A role"}, headers=HTML
    )
    assert again.headers["location"] == sent.headers["location"]  # a double submit sends once
    assert (await client.get("/api/v1/me/credits", headers=maria.headers)).json()["balance"] == 29


async def test_compose_explains_refusals_and_free_inmail(
    people: People, services: Services, login: Login, client: httpx.AsyncClient
) -> None:
    fred = await people.make("Fred Free")
    carl = await people.make("Carl Candidate")
    web = await login(fred)
    html = await page(web, f"/in/{carl.handle}/inmail")
    assert 'data-refusal="premium_required"' in html
    await do_set_plan(services, carl.handle, "career")
    await client.patch("/api/v1/me/settings", json={"open_profile": True}, headers=carl.headers)
    await do_set_plan(services, fred.handle, "career")
    html = await page(web, f"/in/{carl.handle}/inmail")
    assert 'data-cost="0"' in html and "has an Open Profile" in html and "data-refusal" not in html
    await page(web, "/in/nobody-here/inmail", status=404)


async def test_inmail_answer_buttons_in_the_conversation(
    people: People, services: Services, login: Login, client: httpx.AsyncClient
) -> None:
    maria = await people.make("Maria Lopez")
    await do_set_plan(services, maria.handle, "recruiter_lite")
    carl = await people.make("Carl Candidate")
    cid = (
        await client.post(
            "/api/v1/inmail",
            json={"to": carl.handle, "subject": "Hi", "text": "Hello", "client_id": "a1"},
            headers=maria.headers,
        )
    ).json()["conversation"]["id"]
    sender_web = await login(maria)
    assert "Waiting for an answer to your InMail" in await page(sender_web, f"/messaging/{cid}")
    web = await login(carl)
    html = await page(web, f"/messaging/{cid}")
    assert "Maria Lopez</strong> sent you an InMail" in html
    assert ">Interested</button>" in html and ">Not interested</button>" in html
    answered = await post(
        web, f"/inmail/{cid}/respond", {"interested": "true"}, f"/messaging/{cid}"
    )
    assert answered.status_code == 303 and answered.headers["location"] == f"/messaging/{cid}"
    view = (await client.get(f"/api/v1/conversations/{cid}", headers=carl.headers)).json()
    assert view["inmail_state"] == "interested"
    assert ">Interested</button>" not in await page(web, f"/messaging/{cid}")
    # The sender cannot answer their own InMail.
    refused = await post(sender_web, f"/inmail/{cid}/respond", {"interested": "true"}, "/premium")
    assert refused.status_code == 403


async def test_message_request_accept_from_the_conversation(
    people: People, services: Services, login: Login, client: httpx.AsyncClient
) -> None:
    opal = await people.make("Opal Open")
    await do_set_plan(services, opal.handle, "career")
    await client.patch("/api/v1/me/settings", json={"open_profile": True}, headers=opal.headers)
    sam = await people.make("Sam Stranger")
    started = await client.post(
        "/api/v1/conversations",
        json={"participants": [opal.handle], "text": "Hello!", "client_id": "q1"},
        headers=sam.headers,
    )
    cid = started.json()["conversation"]["id"]
    sam_web = await login(sam)
    assert "Your message request is waiting" in await page(sam_web, f"/messaging/{cid}")
    web = await login(opal)
    html = await page(web, f"/messaging/{cid}")
    assert ">Accept</button>" in html and ">Decline</button>" in html
    accepted = await post(web, f"/requests/{cid}/respond", {"accept": "true"}, f"/messaging/{cid}")
    assert accepted.status_code == 303
    view = (await client.get(f"/api/v1/conversations/{cid}", headers=opal.headers)).json()
    assert view["request_state"] == "accepted"


async def test_operator_members_page_sets_plans(
    people: People, services: Services, login: Login, client: httpx.AsyncClient
) -> None:
    oscar = await people.make("Oscar Operator")
    jane = await people.make("Jane Member")
    await people.make("John Other")
    plain = await login(jane)
    await page(plain, "/operator/members", status=403)
    async with services.db.write() as conn:
        await conn.execute(
            sa.update(members).where(members.c.handle == oscar.handle).values(is_operator=True)
        )
    web = await login(oscar)
    html = await page(web, "/operator/members?q=jane")
    assert f'data-handle="{jane.handle}"' in html and 'data-handle="john-other"' not in html
    done = await post(
        web,
        f"/operator/members/{jane.handle}/plan",
        {"plan": "sales_navigator", "next": "/operator/members?q=jane"},
        "/operator/members",
    )
    assert done.status_code == 303 and done.headers["location"] == "/operator/members?q=jane"
    statement = (await client.get("/api/v1/me/credits", headers=jane.headers)).json()
    assert (statement["plan"], statement["balance"]) == ("sales_navigator", 50)
    bad = await post(
        web, f"/operator/members/{jane.handle}/plan", {"plan": "gold"}, "/operator/members"
    )
    assert bad.status_code == 422
    no_csrf = await web.post(
        f"/operator/members/{jane.handle}/plan", data={"plan": "free"}, headers=HTML
    )
    assert no_csrf.status_code == 403
    refused = await post(
        plain, f"/operator/members/{jane.handle}/plan", {"plan": "free"}, "/premium"
    )
    assert refused.status_code == 403
    assert (await client.get("/api/v1/me/credits", headers=jane.headers)).json()[
        "plan"
    ] == "sales_navigator"


async def test_organisation_pages_create_follow_and_manage_seats(
    people: People, login: Login, client: httpx.AsyncClient
) -> None:
    ada, carl = await people.make("Ada Admin"), await people.make("Carl Candidate")
    web = await login(ada)
    created = await post(
        web,
        "/org",
        {
            "name": "Acme <b>Labs</b>",
            "kind": "company",
            "description": "We build <script>x</script> things.",
        },
        "/org",
    )
    assert created.status_code == 303
    slug = created.headers["location"].removeprefix("/org/")
    html = await page(web, f"/org/{slug}")
    assert "Acme &lt;b&gt;Labs&lt;/b&gt;" in html and "<script>x</script>" not in html
    assert "Give a seat" in html
    seat = await post(web, f"/org/{slug}/seats", {"handle": carl.handle}, f"/org/{slug}")
    assert seat.status_code == 303
    assert f'href="/in/{carl.handle}"' in await page(web, f"/org/{slug}")
    missing = await post(web, f"/org/{slug}/seats", {"handle": "no-one-here"}, f"/org/{slug}")
    assert missing.status_code == 404 and "No member with the handle" in missing.text
    carl_web = await login(carl)
    carl_html = await page(carl_web, f"/org/{slug}")
    assert "Give a seat" not in carl_html and "Your recruiter seat" in carl_html
    followed = await post(carl_web, f"/org/{slug}/follow", {"follow": "true"}, f"/org/{slug}")
    assert followed.status_code == 303
    assert "1 follower" in await page(carl_web, f"/org/{slug}")
    not_admin = await post(carl_web, f"/org/{slug}/seats", {"handle": ada.handle}, f"/org/{slug}")
    assert not_admin.status_code == 403
    listed = await page(carl_web, "/org?q=acme")
    assert f'href="/org/{slug}"' in listed
    too_long = await post(web, "/org", {"name": "n" * 201, "kind": "company"}, "/org")
    assert too_long.status_code == 422 and "limit is 200" in too_long.text
