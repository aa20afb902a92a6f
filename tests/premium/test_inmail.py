"""InMail end to end through the API: sending, every error code at its boundary, answers and
refunds (once, even under concurrent answers), organisations' seats, Open Profile, reminders."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from tests.conftest import People, Persona, assert_error
from tests.factories import block, connect

from inroad.clock import FrozenClock
from inroad.premium.actions import do_set_plan
from inroad.services import Services

INMAIL = "/api/v1/inmail"
CREDITS = "/api/v1/me/credits"


def body(to: str, **extra: Any) -> dict[str, Any]:
    return {
        "to": to,
        "subject": "A role at Acme",
        "text": "Hello — would you like to talk?",
        "client_id": str(uuid.uuid4()),
        **extra,
    }


async def balance(client: httpx.AsyncClient, who: Persona) -> int:
    return int((await client.get(CREDITS, headers=who.headers)).json()["balance"])


async def ledger(client: httpx.AsyncClient, who: Persona) -> list[tuple[str, int, str | None]]:
    """Oldest first: (reason, delta, conversation_id)."""
    entries = (await client.get(CREDITS, headers=who.headers)).json()["ledger"]
    return [(e["reason"], e["delta"], e["conversation_id"]) for e in reversed(entries)]


async def events(client: httpx.AsyncClient, who: Persona, kind: str) -> list[dict[str, Any]]:
    response = await client.get(
        "/api/v1/sync", params={"since": "0", "limit": 100}, headers=who.headers
    )
    assert response.status_code == 200, response.text
    return [e["data"] for e in response.json()["events"] if e["type"] == kind]


@pytest.fixture
async def recruiter(people: People, services: Services) -> Persona:
    maria = await people.make("Maria Lopez")
    await do_set_plan(services, maria.handle, "recruiter_lite")  # 30 credits
    return maria


@pytest.fixture
async def candidate(people: People) -> Persona:
    return await people.make("Carl Candidate")


async def send(
    client: httpx.AsyncClient, sender: Persona, to: Persona, **extra: Any
) -> dict[str, Any]:
    response = await client.post(INMAIL, json=body(to.handle, **extra), headers=sender.headers)
    assert response.status_code == 201, response.text
    sent: dict[str, Any] = response.json()
    return sent


async def test_an_inmail_costs_a_credit_and_lands_in_the_recipients_other_folder(
    client: httpx.AsyncClient, recruiter: Persona, candidate: Persona
) -> None:
    sent = await send(client, recruiter, candidate)
    conversation, message = sent["conversation"], sent["message"]
    assert sent["credits_remaining"] == 29
    assert conversation["kind"] == "inmail" and conversation["inmail_state"] == "pending"
    assert conversation["folder"] == "focused"  # the sender's own copy
    assert (
        message["subject"] == "A role at Acme"
        and message["text"] == "Hello — would you like to talk?"
    )
    assert await ledger(client, recruiter) == [
        ("grant", 30, None),
        ("spend", -1, conversation["id"]),
    ]
    other = (
        await client.get(
            "/api/v1/conversations", params={"folder": "other"}, headers=candidate.headers
        )
    ).json()["items"]
    assert [c["id"] for c in other] == [conversation["id"]]
    seen = other[0]
    assert seen["unread_count"] == 1 and seen["inmail_state"] == "pending"
    them = next(p for p in seen["participants"] if p["handle"] == recruiter.handle)
    # The recipient sees the sender's profile strength and their mutual connections.
    assert them["strength_level"] == "beginner" and them["mutual_connections"] == 0
    assert them["degree"] is None
    focused = (await client.get("/api/v1/conversations", headers=candidate.headers)).json()["items"]
    assert focused == []
    created = await events(client, candidate, "message.created")
    assert created[0]["message"]["subject"] == "A role at Acme"
    assert (await events(client, recruiter, "credits.changed"))[-1] == {
        "plan": "recruiter_lite",
        "balance": 29,
    }


async def test_mutual_connections_are_shown_to_the_recipient(
    client: httpx.AsyncClient,
    people: People,
    services: Services,
    recruiter: Persona,
    candidate: Persona,
) -> None:
    friend = await people.make("Fran Friend")
    await connect(services, recruiter.handle, friend.handle)
    await connect(services, candidate.handle, friend.handle)
    sent = await send(client, recruiter, candidate)
    seen = (
        await client.get(
            f"/api/v1/conversations/{sent['conversation']['id']}", headers=candidate.headers
        )
    ).json()
    them = next(p for p in seen["participants"] if p["handle"] == recruiter.handle)
    assert them["degree"] == 2 and them["mutual_connections"] == 1


async def test_a_retried_inmail_is_sent_and_charged_once(
    client: httpx.AsyncClient, recruiter: Persona, candidate: Persona
) -> None:
    payload = body(candidate.handle)
    first = await client.post(INMAIL, json=payload, headers=recruiter.headers)
    again = await client.post(INMAIL, json=payload, headers=recruiter.headers)
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["message"]["id"] == first.json()["message"]["id"]
    assert again.json()["credits_remaining"] == 29
    assert await balance(client, recruiter) == 29


async def test_subject_and_body_limits_at_their_boundaries(
    client: httpx.AsyncClient, recruiter: Persona, candidate: Persona
) -> None:
    def post(**fields: Any) -> Any:
        return client.post(INMAIL, json=body(candidate.handle, **fields), headers=recruiter.headers)

    assert_error(await post(subject=""), 422, "subject_required")
    assert_error(await post(subject="   "), 422, "subject_required")
    missing = body(candidate.handle)
    del missing["subject"]
    assert_error(
        await client.post(INMAIL, json=missing, headers=recruiter.headers), 422, "missing_field"
    )
    assert_error(await post(subject="s" * 201), 422, "subject_too_long")
    assert_error(await post(text="t" * 1901), 422, "text_too_long")
    assert_error(await post(text="  "), 422, "empty_message")
    assert await balance(client, recruiter) == 30  # nothing refused was charged
    ok = await post(subject="s" * 200, text="é" * 1900)  # code points, not bytes
    assert ok.status_code == 201, ok.text
    assert ok.json()["message"]["subject"] == "s" * 200


async def test_premium_required_no_credits_inmail_disabled_already_connected(
    client: httpx.AsyncClient, people: People, services: Services, candidate: Persona
) -> None:
    free = await people.make("Fred Free")
    assert_error(
        await client.post(INMAIL, json=body(candidate.handle), headers=free.headers),
        403,
        "premium_required",
    )
    career = await people.make("Cara Career")
    await do_set_plan(services, career.handle, "career")
    targets = [await people.make(f"Target {n}") for n in range(6)]
    for target in targets[:5]:
        await send(client, career, target)
    refused = await client.post(INMAIL, json=body(targets[5].handle), headers=career.headers)
    assert_error(refused, 402, "no_credits")
    assert (await client.get("/api/v1/conversations", headers=targets[5].headers)).json()[
        "items"
    ] == []

    recruiter = await people.make("Rita Recruiter")
    await do_set_plan(services, recruiter.handle, "business")
    patched = await client.patch(
        "/api/v1/me/settings", json={"allow_inmail": False}, headers=candidate.headers
    )
    assert patched.status_code == 200
    assert_error(
        await client.post(INMAIL, json=body(candidate.handle), headers=recruiter.headers),
        403,
        "inmail_disabled",
    )
    peer = await people.make("Pat Peer")
    await connect(services, recruiter.handle, peer.handle)
    assert_error(
        await client.post(INMAIL, json=body(peer.handle), headers=recruiter.headers),
        409,
        "already_connected",
    )
    assert_error(
        await client.post(INMAIL, json=body("no-such-person"), headers=recruiter.headers),
        404,
        "not_found",
    )
    await block(services, peer.handle, recruiter.handle)
    assert_error(
        await client.post(INMAIL, json=body(peer.handle), headers=recruiter.headers),
        404,
        "not_found",
    )
    assert_error(
        await client.post(INMAIL, json=body(recruiter.handle), headers=recruiter.headers),
        422,
        "invalid_input",
    )
    assert await balance(client, recruiter) == 15


async def test_interested_refunds_opens_the_conversation_and_first_answer_wins(
    client: httpx.AsyncClient, recruiter: Persona, candidate: Persona
) -> None:
    sent = await send(client, recruiter, candidate)
    cid = sent["conversation"]["id"]
    respond = f"/api/v1/conversations/{cid}/inmail-response"
    assert_error(
        await client.post(respond, json={"interested": True}, headers=recruiter.headers),
        403,
        "not_recipient",
    )
    # Before an answer the sender cannot add a plain message (another InMail costs a credit).
    early = await client.post(
        f"/api/v1/conversations/{cid}/messages",
        json={"text": "Following up", "client_id": "f1"},
        headers=recruiter.headers,
    )
    assert_error(early, 403, "inmail_pending")
    answered = await client.post(respond, json={"interested": True}, headers=candidate.headers)
    assert answered.status_code == 200
    assert (
        answered.json()["inmail_state"] == "interested" and answered.json()["folder"] == "focused"
    )
    # A second answer changes nothing: the first answer wins, the refund happened once.
    again = await client.post(respond, json={"interested": False}, headers=candidate.headers)
    assert again.json()["inmail_state"] == "interested"
    assert await ledger(client, recruiter) == [
        ("grant", 30, None),
        ("spend", -1, cid),
        ("refund", 1, cid),
    ]
    ok = await client.post(
        f"/api/v1/conversations/{cid}/messages",
        json={"text": "Great, when suits you?", "client_id": "f2"},
        headers=recruiter.headers,
    )
    assert ok.status_code == 201, ok.text
    answered_events = await events(client, recruiter, "inmail.answered")
    assert [(e["conversation_id"], e["inmail_state"]) for e in answered_events] == [
        (cid, "interested")
    ]
    assert (await events(client, candidate, "inmail.answered"))[0]["inmail_state"] == "interested"
    assert (await events(client, recruiter, "credits.changed"))[-1]["balance"] == 30
    # An InMail into an open conversation is an ordinary message: no credit.
    more = await send(client, recruiter, candidate)
    assert more["conversation"]["id"] == cid and more["credits_remaining"] == 30


async def test_not_interested_refunds_and_closes_the_conversation_to_the_sender(
    client: httpx.AsyncClient, recruiter: Persona, candidate: Persona
) -> None:
    cid = (await send(client, recruiter, candidate))["conversation"]["id"]
    answered = await client.post(
        f"/api/v1/conversations/{cid}/inmail-response",
        json={"interested": False},
        headers=candidate.headers,
    )
    assert (
        answered.json()["inmail_state"] == "not_interested" and answered.json()["folder"] == "other"
    )
    assert await balance(client, recruiter) == 30
    closed = await client.post(
        f"/api/v1/conversations/{cid}/messages",
        json={"text": "Are you sure?", "client_id": "x1"},
        headers=recruiter.headers,
    )
    assert_error(closed, 403, "conversation_closed")
    assert_error(
        await client.post(INMAIL, json=body(candidate.handle), headers=recruiter.headers),
        403,
        "conversation_closed",
    )
    assert await balance(client, recruiter) == 30
    messages = (
        await client.get(f"/api/v1/conversations/{cid}/messages", headers=recruiter.headers)
    ).json()
    assert len(messages["items"]) == 1  # the refused post was never written


async def test_a_second_inmail_costs_another_credit_and_a_reply_refunds_both(
    client: httpx.AsyncClient, recruiter: Persona, candidate: Persona, clock: FrozenClock
) -> None:
    first = await send(client, recruiter, candidate)
    clock.advance(days=5)
    second = await send(client, recruiter, candidate, subject="Following up")
    cid = first["conversation"]["id"]
    assert second["conversation"]["id"] == cid and second["credits_remaining"] == 28
    reply = await client.post(
        f"/api/v1/conversations/{cid}/messages",
        json={"text": "Happy to talk.", "client_id": "r1"},
        headers=candidate.headers,
    )
    assert reply.status_code == 201, reply.text
    view = (await client.get(f"/api/v1/conversations/{cid}", headers=candidate.headers)).json()
    assert view["inmail_state"] == "replied" and view["folder"] == "focused"
    assert [row[:2] for row in await ledger(client, recruiter)] == [
        ("grant", 30),
        ("spend", -1),
        ("spend", -1),
        ("refund", 1),
        ("refund", 1),
    ]
    # Later replies refund nothing more.
    await client.post(
        f"/api/v1/conversations/{cid}/messages",
        json={"text": "Tuesday?", "client_id": "r2"},
        headers=candidate.headers,
    )
    assert await balance(client, recruiter) == 30


async def test_an_answer_after_90_days_refunds_nothing(
    client: httpx.AsyncClient, recruiter: Persona, candidate: Persona, clock: FrozenClock
) -> None:
    cid = (await send(client, recruiter, candidate))["conversation"]["id"]
    clock.advance(days=90, seconds=1)
    answered = await client.post(
        f"/api/v1/conversations/{cid}/inmail-response",
        json={"interested": True},
        headers=candidate.headers,
    )
    assert answered.json()["inmail_state"] == "interested"
    assert not [row for row in await ledger(client, recruiter) if row[0] == "refund"]


async def test_concurrent_interested_and_reply_refund_exactly_once(
    client: httpx.AsyncClient, recruiter: Persona, candidate: Persona
) -> None:
    cid = (await send(client, recruiter, candidate))["conversation"]["id"]
    results = await asyncio.gather(
        client.post(
            f"/api/v1/conversations/{cid}/inmail-response",
            json={"interested": True},
            headers=candidate.headers,
        ),
        client.post(
            f"/api/v1/conversations/{cid}/messages",
            json={"text": "Yes!", "client_id": "c1"},
            headers=candidate.headers,
        ),
        client.post(
            f"/api/v1/conversations/{cid}/inmail-response",
            json={"interested": True},
            headers=candidate.headers,
        ),
    )
    assert [r.status_code for r in results] == [200, 201, 200]
    refunds = [row for row in await ledger(client, recruiter) if row[0] == "refund"]
    assert refunds == [("refund", 1, cid)]
    state = (await client.get(f"/api/v1/conversations/{cid}", headers=candidate.headers)).json()[
        "inmail_state"
    ]
    assert state in ("interested", "replied")
    assert len(await events(client, recruiter, "inmail.answered")) == 1


async def test_inmail_response_errors(
    client: httpx.AsyncClient,
    people: People,
    services: Services,
    recruiter: Persona,
    candidate: Persona,
) -> None:
    cid = (await send(client, recruiter, candidate))["conversation"]["id"]
    outsider = await people.make("Olly Outsider")
    path = f"/api/v1/conversations/{cid}/inmail-response"
    assert_error(
        await client.post(path, json={"interested": True}, headers=outsider.headers),
        404,
        "not_found",
    )
    assert_error(
        await client.post(
            "/api/v1/conversations/abc/inmail-response",
            json={"interested": True},
            headers=candidate.headers,
        ),
        404,
        "not_found",
    )
    assert_error(await client.post(path, json={}, headers=candidate.headers), 422, "missing_field")
    friend = await people.make("Fran Friend")
    await connect(services, candidate.handle, friend.handle)
    dm = await client.post(
        "/api/v1/conversations",
        json={"participants": [friend.handle], "text": "hi", "client_id": "dm1"},
        headers=candidate.headers,
    )
    dm_id = dm.json()["conversation"]["id"]
    assert_error(
        await client.post(
            f"/api/v1/conversations/{dm_id}/inmail-response",
            json={"interested": True},
            headers=friend.headers,
        ),
        422,
        "not_inmail",
    )


async def test_an_open_profile_receives_inmail_free(
    client: httpx.AsyncClient, people: People, services: Services, recruiter: Persona
) -> None:
    open_member = await people.make("Opal Open")
    await do_set_plan(services, open_member.handle, "career")
    r = await client.patch(
        "/api/v1/me/settings", json={"open_profile": True}, headers=open_member.headers
    )
    assert r.status_code == 200
    sent = await send(client, recruiter, open_member)
    assert sent["credits_remaining"] == 30
    assert [row[0] for row in await ledger(client, recruiter)] == ["grant"]
    # Once their plan ends, Open Profile ends with it: InMail costs a credit again.
    await do_set_plan(services, open_member.handle, "free")
    other = await people.make("Otto Other")
    await do_set_plan(services, other.handle, "free")
    assert (await send(client, recruiter, other))["credits_remaining"] == 29


async def test_organisation_inmail_needs_a_seat_and_reaches_followers_with_inmail_off(
    client: httpx.AsyncClient,
    people: People,
    services: Services,
    recruiter: Persona,
    candidate: Persona,
) -> None:
    admin = await people.make("Ada Admin")
    org = await client.post(
        "/api/v1/organizations", json={"name": "Acme", "kind": "company"}, headers=admin.headers
    )
    slug = org.json()["slug"]
    assert_error(
        await client.post(
            INMAIL, json=body(candidate.handle, organization=slug), headers=recruiter.headers
        ),
        403,
        "seat_required",
    )
    assert_error(
        await client.post(
            INMAIL, json=body(candidate.handle, organization="nope"), headers=recruiter.headers
        ),
        404,
        "not_found",
    )
    seat = await client.post(
        f"/api/v1/organizations/{slug}/seats",
        json={"handle": recruiter.handle},
        headers=admin.headers,
    )
    assert seat.status_code == 201
    await client.patch(
        "/api/v1/me/settings", json={"allow_inmail": False}, headers=candidate.headers
    )
    assert_error(
        await client.post(
            INMAIL, json=body(candidate.handle, organization=slug), headers=recruiter.headers
        ),
        403,
        "inmail_disabled",
    )
    await client.post(f"/api/v1/organizations/{slug}/follow", headers=candidate.headers)
    assert_error(
        await client.post(INMAIL, json=body(candidate.handle), headers=recruiter.headers),
        403,
        "inmail_disabled",
    )  # following Acme lets in Acme's InMail only
    sent = await send(client, recruiter, candidate, organization=slug)
    seen = (
        await client.get(
            f"/api/v1/conversations/{sent['conversation']['id']}", headers=candidate.headers
        )
    ).json()
    assert seen["inmail"]["organization"] == {"slug": slug, "name": "Acme"}
    assert seen["inmail"]["sent_as"] == "Maria Lopez · Recruiter at Acme"
    assert seen["inmail"]["sender"] == recruiter.handle


async def test_reminder_after_three_days_unanswered(
    client: httpx.AsyncClient, recruiter: Persona, candidate: Persona, clock: FrozenClock
) -> None:
    cid = (await send(client, recruiter, candidate))["conversation"]["id"]
    waiting = "/api/v1/inmail/waiting"
    clock.advance(days=3)
    clock.advance(seconds=-1)
    assert (await client.get(waiting, headers=candidate.headers)).json()["items"] == []
    clock.advance(seconds=1)
    items = (await client.get(waiting, headers=candidate.headers)).json()["items"]
    assert [(i["conversation_id"], i["from"]["handle"]) for i in items] == [(cid, recruiter.handle)]
    assert (await client.get(waiting, headers=recruiter.headers)).json()["items"] == []
    await client.post(
        f"/api/v1/conversations/{cid}/inmail-response",
        json={"interested": False},
        headers=candidate.headers,
    )
    assert (await client.get(waiting, headers=candidate.headers)).json()["items"] == []


async def test_concurrent_inmails_with_one_credit_spend_it_once(
    client: httpx.AsyncClient, people: People, services: Services, clock: FrozenClock
) -> None:
    sender = await people.make("Sam Sender")
    await do_set_plan(services, sender.handle, "career")
    targets = [await people.make(f"T {n}") for n in range(4)]
    for target in targets[:4]:
        await send(client, sender, target)
    assert await balance(client, sender) == 1
    late = [await people.make(f"L {n}") for n in range(3)]
    results = await asyncio.gather(
        *(client.post(INMAIL, json=body(t.handle), headers=sender.headers) for t in late)
    )
    assert sorted(r.status_code for r in results) == [201, 402, 402]
    assert await balance(client, sender) == 0
    clock.advance(days=timedelta(days=31).days)
    assert await balance(client, sender) == 5


async def test_a_follow_up_inmail_racing_the_answer_is_refunded_or_free(
    client: httpx.AsyncClient, recruiter: Persona, candidate: Persona
) -> None:
    """Whichever commits first, the sender ends with every credit back and nothing deadlocks."""
    cid = (await send(client, recruiter, candidate))["conversation"]["id"]
    results = await asyncio.gather(
        client.post(
            INMAIL, json=body(candidate.handle, subject="Follow-up"), headers=recruiter.headers
        ),
        client.post(
            f"/api/v1/conversations/{cid}/messages",
            json={"text": "Sure", "client_id": "c1"},
            headers=candidate.headers,
        ),
        client.post(
            f"/api/v1/conversations/{cid}/inmail-response",
            json={"interested": True},
            headers=candidate.headers,
        ),
    )
    assert [r.status_code for r in results] == [201, 201, 200]
    rows = await ledger(client, recruiter)
    spends = [r for r in rows if r[0] == "spend"]
    refunds = [r for r in rows if r[0] == "refund"]
    assert len(spends) in (1, 2) and len(refunds) == len(spends)
    assert await balance(client, recruiter) == 30
