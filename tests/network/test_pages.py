"""The web UI of the network: My Network, Connect, Block, Report and the operators' queue."""

from __future__ import annotations

import html
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from inroad.services import Services
from tests.conftest import People
from tests.factories import connect
from tests.network.helpers import INVITATIONS, invitation_id, invite, set_member
from tests.web.conftest import HTML, csrf_from, web_login


@pytest.fixture
async def browser_b(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A second cookie jar on the same app: another member's browser."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


async def page(client: httpx.AsyncClient, path: str, status: int = 200) -> str:
    r = await client.get(path, headers=HTML)
    assert r.status_code == status, r.text[:2000]
    return html.unescape(r.text)


async def post_form(
    client: httpx.AsyncClient, from_path: str, action: str, **data: str
) -> httpx.Response:
    token = csrf_from((await client.get(from_path, headers=HTML)).text)
    return await client.post(action, data={"csrf_token": token, **data}, headers=HTML)


async def test_my_network_shows_invitation_details_and_accepts(
    client: httpx.AsyncClient, browser_b: httpx.AsyncClient, people: People, services: Services
) -> None:
    ana, bo, mutual = (
        await people.make("Ana Sender"),
        await people.make("Bo Recipient"),
        await people.make("Mo Mutual"),
    )
    await client.patch(
        "/api/v1/me/profile", json={"headline": "Staff engineer at Acme"}, headers=ana.headers
    )
    await connect(services, ana.handle, mutual.handle)
    await connect(services, bo.handle, mutual.handle)
    iid = await invitation_id(
        client,
        ana,
        bo.handle,
        note="Loved your <talk> & slides",
        how_you_know={"relation": "colleague", "organization": "Acme"},
    )
    await web_login(browser_b, bo)
    text = await page(browser_b, "/network")
    assert "Ana Sender" in text
    assert "Staff engineer at Acme" in text
    assert "Loved your <talk> & slides" in text
    raw = (await browser_b.get("/network", headers=HTML)).text
    assert "<talk>" not in raw  # user text is escaped
    assert "Beginner" in text
    assert "1 mutual connection" in text
    assert "Colleague · Acme" in text
    assert "I don't know this person" in text
    assert 'class="nav-badge">1' in raw

    r = await post_form(
        browser_b, "/network", f"/network/invitations/{iid}/accept", next="/network"
    )
    assert r.status_code == 303 and r.headers["location"] == "/network"
    text = await page(browser_b, "/network")
    assert "You are now connected" in text
    assert "No pending invitations." in text
    profile = await client.get(f"/api/v1/members/{bo.handle}", headers=ana.headers)
    assert profile.json()["degree"] == 1


async def test_ignore_and_reject_from_the_page(
    client: httpx.AsyncClient, browser_b: httpx.AsyncClient, people: People
) -> None:
    ana, cy, bo = await people.make("Ana"), await people.make("Cy"), await people.make("Bo")
    first = await invitation_id(client, ana, bo.handle)
    second = await invitation_id(client, cy, bo.handle)
    await web_login(browser_b, bo)
    assert (
        await post_form(
            browser_b, "/network", f"/network/invitations/{first}/ignore", next="/network"
        )
    ).status_code == 303
    assert (
        await post_form(
            browser_b, "/network", f"/network/invitations/{second}/reject", next="/network"
        )
    ).status_code == 303
    assert "No pending invitations." in await page(browser_b, "/network")
    # Acting twice tells the member why instead of failing.
    r = await post_form(
        browser_b, "/network", f"/network/invitations/{first}/accept", next="/network"
    )
    assert r.status_code == 303
    assert "no longer pending" in await page(browser_b, "/network")
    # Only known verbs.
    r = await post_form(browser_b, "/network", f"/network/invitations/{first}/explode")
    assert r.status_code == 303


async def test_connect_page_note_counter_and_how_you_know_step(
    client: httpx.AsyncClient, people: People, services: Services
) -> None:
    ana, bo = await people.make("Ana"), await people.make("Bo Stranger")
    await web_login(client, ana)
    text = await page(client, f"/in/{bo.handle}/connect")
    assert 'data-maxlength="300"' in text
    assert f'data-coach="invite_note" data-coach-to="{bo.handle}"' in text  # the live coach
    assert "How do you know Bo Stranger?" in text
    assert "5 notes left this month" in text
    assert 'name="email"' not in text

    r = await post_form(client, f"/in/{bo.handle}/connect", f"/in/{bo.handle}/connect", note="Hi")
    assert r.status_code == 422
    assert "say how you know each other" in html.unescape(r.text)
    r = await post_form(
        client,
        f"/in/{bo.handle}/connect",
        f"/in/{bo.handle}/connect",
        note="x" * 301,
        relation="friend",
    )
    assert r.status_code == 422
    assert "301 characters; the limit is 300" in r.text
    assert "x" * 301 in r.text  # what was typed is kept
    r = await post_form(
        client,
        f"/in/{bo.handle}/connect",
        f"/in/{bo.handle}/connect",
        note="x" * 300,
        relation="colleague",
        organization="",
    )
    assert r.status_code == 422 and "Say at which company" in r.text
    r = await post_form(
        client,
        f"/in/{bo.handle}/connect",
        f"/in/{bo.handle}/connect",
        note="Met at PyCon",
        relation="colleague",
        organization="Acme",
    )
    assert r.status_code == 303 and r.headers["location"] == f"/in/{bo.handle}"
    [sent] = (
        await client.get(INVITATIONS, params={"direction": "sent"}, headers=ana.headers)
    ).json()["items"]
    assert sent["note"] == "Met at PyCon"
    assert sent["how_you_know"] == {"relation": "colleague", "organization": "Acme"}
    text = await page(client, f"/in/{bo.handle}/connect")
    assert "Your invitation is waiting for an answer" in text


async def test_connect_page_asks_for_email_and_explains_refusals(
    client: httpx.AsyncClient, people: People, services: Services
) -> None:
    ana, bo, cy = await people.make("Ana"), await people.make("Bo"), await people.make("Cy")
    await set_member(services, bo.handle, invitations_from="email_required")
    await set_member(services, cy.handle, invitations_from="mutual_only")
    await web_login(client, ana)
    assert 'name="email"' in await page(client, f"/in/{bo.handle}/connect")
    r = await post_form(
        client,
        f"/in/{bo.handle}/connect",
        f"/in/{bo.handle}/connect",
        relation="friend",
        email="nope@example.com",
    )
    assert r.status_code == 403 and "enter their email address" in r.text
    r = await post_form(
        client,
        f"/in/{bo.handle}/connect",
        f"/in/{bo.handle}/connect",
        relation="friend",
        email=bo.email,
    )
    assert r.status_code == 303
    text = await page(client, f"/in/{cy.handle}/connect")
    assert "only from people with a mutual connection" in text
    assert "Send invitation" not in text


async def test_connections_sent_and_blocked_pages(
    client: httpx.AsyncClient, people: People, services: Services
) -> None:
    me, alice, bob, carl = [
        await people.make(n) for n in ("Me", "Alice Smith", "Bob Jones", "Carl")
    ]
    await connect(services, me.handle, alice.handle)
    await connect(services, me.handle, bob.handle)
    await invitation_id(client, me, carl.handle, note="Hello Carl")
    await web_login(client, me)
    text = await page(client, "/network/connections?q=smith")
    assert "Alice Smith" in text and "Bob Jones" not in text
    r = await post_form(
        client,
        "/network/connections",
        f"/network/connections/{alice.handle}/remove",
        next="/network/connections",
    )
    assert r.status_code == 303
    text = await page(client, "/network/connections")
    assert "Connection removed." in text and "Alice Smith" not in text

    text = await page(client, "/network/sent")
    assert "Carl" in text and "Hello Carl" in text
    sent = (await client.get(INVITATIONS, params={"direction": "sent"}, headers=me.headers)).json()[
        "items"
    ]
    r = await post_form(
        client,
        "/network/sent",
        f"/network/invitations/{sent[0]['id']}/withdraw",
        next="/network/sent",
    )
    assert r.status_code == 303
    assert "No pending invitations sent." in await page(client, "/network/sent")

    text = await page(client, f"/in/{bob.handle}/block")
    assert "Block Bob Jones?" in text
    r = await post_form(client, f"/in/{bob.handle}/block", f"/in/{bob.handle}/block")
    assert r.status_code == 303 and r.headers["location"] == "/network/blocked"
    assert "Bob Jones" in await page(client, "/network/blocked")
    await page(client, f"/in/{bob.handle}", status=404)
    r = await post_form(client, "/network/blocked", f"/network/blocked/{bob.handle}/unblock")
    assert r.status_code == 303
    await page(client, f"/in/{bob.handle}")


async def test_report_page_and_operator_queue(
    client: httpx.AsyncClient, browser_b: httpx.AsyncClient, people: People, services: Services
) -> None:
    me, troll, op = (
        await people.make("Me"),
        await people.make("Troll Person"),
        await people.make("Olga Operator"),
    )
    await set_member(services, op.handle, is_operator=True)
    await web_login(client, me)
    assert "Report Troll Person" in await page(client, f"/in/{troll.handle}/report")
    r = await post_form(
        client, f"/in/{troll.handle}/report", f"/in/{troll.handle}/report", detail="no reason given"
    )
    assert r.status_code == 422
    r = await post_form(
        client,
        f"/in/{troll.handle}/report",
        f"/in/{troll.handle}/report",
        reason="harassment",
        detail="Rude <b>messages</b>",
        block_too="1",
    )
    assert r.status_code == 303 and r.headers["location"] == "/network/blocked"
    await page(client, "/operator/reports", status=403)

    await web_login(browser_b, op)
    text = await page(browser_b, "/operator/reports")
    assert "Troll Person" in text and "Rude <b>messages</b>" in text and "harassment" in text
    assert "<b>messages" not in (await browser_b.get("/operator/reports", headers=HTML)).text
    reports = (await client.get("/api/v1/operator/reports", headers=op.headers)).json()["items"]
    r = await post_form(
        browser_b,
        "/operator/reports",
        f"/operator/reports/{reports[0]['id']}/resolve",
        next="/operator/reports",
    )
    assert r.status_code == 303
    assert "No open reports." in await page(browser_b, "/operator/reports")
    assert "Troll Person" in await page(browser_b, "/operator/reports?status=resolved")


async def test_suggestions_on_my_network(
    client: httpx.AsyncClient, people: People, services: Services
) -> None:
    me, friend, fof = (
        await people.make("Me"),
        await people.make("Friend"),
        await people.make("Fiona Fof"),
    )
    await connect(services, me.handle, friend.handle)
    await connect(services, friend.handle, fof.handle)
    await web_login(client, me)
    text = await page(client, "/network")
    assert "People you may know" in text and "Fiona Fof" in text and "1 mutual connection" in text
    r = await post_form(
        client, "/network", f"/network/suggestions/{fof.handle}/dismiss", next="/network"
    )
    assert r.status_code == 303
    assert "Fiona Fof" not in await page(client, "/network")


async def test_pages_need_a_session(client: httpx.AsyncClient, people: People) -> None:
    bo = await people.make("Bo")
    for path in (
        "/network",
        "/network/connections",
        f"/in/{bo.handle}/connect",
        "/operator/reports",
    ):
        r = await client.get(path, headers=HTML)
        assert r.status_code == 303 and r.headers["location"].startswith("/login")


async def test_forms_need_csrf(client: httpx.AsyncClient, people: People) -> None:
    ana, bo = await people.make("Ana"), await people.make("Bo")
    iid = await invitation_id(client, bo, ana.handle)
    await web_login(client, ana)
    r = await client.post(
        f"/network/invitations/{iid}/accept", data={"next": "/network"}, headers=HTML
    )
    assert r.status_code == 403
    assert (
        await invite(client, bo, ana.handle)
    ).status_code == 409  # still pending: nothing happened


async def test_profile_page_actions_follow_the_relationship(
    client: httpx.AsyncClient, browser_b: httpx.AsyncClient, people: People
) -> None:
    ana, bo = await people.make("Ana"), await people.make("Bo")
    await web_login(client, ana)
    await web_login(browser_b, bo)
    text = await page(client, f"/in/{bo.handle}")
    assert f'href="/in/{bo.handle}/connect">Connect</a>' in text
    assert f'href="/in/{bo.handle}/inmail">InMail</a>' in text  # not connected: InMail offered
    assert "/messaging/new?to=" not in text
    assert f'href="/in/{bo.handle}/report"' in text and f'href="/in/{bo.handle}/block"' in text
    assert "network-actions" not in await page(client, f"/in/{ana.handle}")  # one's own profile
    iid = await invitation_id(client, ana, bo.handle, note="Hi Bo")
    assert "Pending · Withdraw" in await page(client, f"/in/{bo.handle}")
    assert "Accept invitation" in await page(browser_b, f"/in/{ana.handle}")
    r = await post_form(
        browser_b,
        f"/in/{ana.handle}",
        f"/network/invitations/{iid}/accept",
        next=f"/in/{ana.handle}",
    )
    assert r.status_code == 303 and r.headers["location"] == f"/in/{ana.handle}"
    for viewer, other in ((client, bo), (browser_b, ana)):
        text = await page(viewer, f"/in/{other.handle}")
        assert "Connected" in text and "Remove connection" in text
        assert f'href="/messaging/new?to={other.handle}">Message</a>' in text
        assert "/inmail\">InMail</a>" not in text
        assert 'title="Connection degree">1st<' in text


async def test_operator_home_leads_to_the_moderation_queue(
    client: httpx.AsyncClient, people: People, services: Services
) -> None:
    member, op = await people.make("Mo"), await people.make("Opal")
    await set_member(services, op.handle, is_operator=True)
    await web_login(client, member)
    assert (await client.get("/operator", headers=HTML)).status_code == 403
    client.cookies.clear()
    await web_login(client, op)
    r = await client.get("/operator", headers=HTML)
    assert r.status_code == 303 and r.headers["location"] == "/operator/reports"
