"""Invitations: sending, answering, withdrawing, expiry, and every limit at its boundary."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from inroad.clock import FrozenClock
from inroad.network import events
from inroad.services import Services
from tests.conftest import People, Persona, assert_error
from tests.factories import block, connect
from tests.network.helpers import (
    FRIEND,
    INVITATIONS,
    add_position,
    add_school,
    connection_count,
    filler_members,
    invitation_id,
    invite,
    list_items,
    set_member,
)


async def received(client: httpx.AsyncClient, who: Persona, **params: str) -> list[dict[str, Any]]:
    return await list_items(client, who, INVITATIONS, direction="received", **params)


async def sent(client: httpx.AsyncClient, who: Persona, **params: str) -> list[dict[str, Any]]:
    return await list_items(client, who, INVITATIONS, direction="sent", **params)


async def test_invite_with_note_then_accept(
    client: httpx.AsyncClient, people: People, services: Services
) -> None:
    ana = await people.make("Ana Sender")
    bo = await people.make("Bo Recipient")
    await client.patch(
        "/api/v1/me/profile", json={"headline": "Data engineer"}, headers=ana.headers
    )
    r = await invite(
        client,
        ana,
        bo.handle,
        note="Hi Bo, we met at PyCon.",
        how_you_know={"relation": "colleague", "organization": "Acme"},
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert isinstance(body["id"], str)
    assert body["status"] == "pending"
    assert body["note"] == "Hi Bo, we met at PyCon."
    assert body["from"]["handle"] == ana.handle
    assert body["to"]["handle"] == bo.handle
    assert body["how_you_know"] == {"relation": "colleague", "organization": "Acme"}

    [item] = await received(client, bo)
    assert item["id"] == body["id"]
    assert item["note"] == "Hi Bo, we met at PyCon."
    sender = item["from"]
    assert isinstance(sender, dict)
    assert sender["headline"] == "Data engineer"
    assert sender["strength_level"] == "beginner"
    assert sender["degree"] is None and sender["mutual_connections"] == 0
    assert item["how_you_know"] == {"relation": "colleague", "organization": "Acme"}
    assert [i["id"] for i in await sent(client, ana)] == [body["id"]]

    r = await client.post(f"{INVITATIONS}/{body['id']}/accept", headers=bo.headers)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "accepted"
    assert await received(client, bo) == []
    assert await sent(client, ana) == []
    assert await connection_count(services, ana.handle) == 1
    assert await connection_count(services, bo.handle) == 1
    profile = await client.get(f"/api/v1/members/{bo.handle}", headers=ana.headers)
    assert profile.json()["degree"] == 1
    assert_error(await invite(client, ana, bo.handle), 409, "already_connected")


async def test_actions_return_events_for_the_realtime_layer(
    people: People, services: Services
) -> None:
    from inroad.accounts.actions import authenticate
    from inroad.network import actions

    ana = await people.make("Ana")
    bo = await people.make("Bo")
    ana_actor = await authenticate(services, ana.token)
    bo_actor = await authenticate(services, bo.token)
    assert ana_actor and bo_actor
    sent_outcome = await actions.do_send_invitation(
        services, ana_actor, bo.handle, how_you_know=actions.HowYouKnow("friend")
    )
    [received_event] = sent_outcome.events
    assert (received_event.member_id, received_event.type) == (
        bo_actor.id,
        events.INVITATION_RECEIVED,
    )
    assert received_event.data == {
        "invitation_id": str(sent_outcome.invitation_id),
        "from": ana.handle,
    }
    accepted = await actions.do_accept(services, bo_actor, str(sent_outcome.invitation_id))
    assert {(e.member_id, e.type) for e in accepted.events} == {
        (ana_actor.id, events.INVITATION_ACCEPTED),
        (bo_actor.id, events.INVITATION_ACCEPTED),
    }
    # Ignoring is silent: nothing is published.
    cy = await people.make("Cy")
    cy_actor = await authenticate(services, cy.token)
    assert cy_actor
    again = await actions.do_send_invitation(
        services, cy_actor, ana.handle, how_you_know=actions.HowYouKnow("friend")
    )
    assert (await actions.do_ignore(services, ana_actor, str(again.invitation_id))).events == []


async def test_note_length_boundary(client: httpx.AsyncClient, people: People) -> None:
    ana = await people.make("Ana")
    bo, cy = await people.make("Bo"), await people.make("Cy")
    assert_error(await invite(client, ana, bo.handle, note="é" * 301), 422, "note_too_long")
    r = await invite(client, ana, cy.handle, note="é" * 300)
    assert r.status_code == 201, r.text
    assert len(r.json()["note"]) == 300
    # An empty or blank note is no note (and uses no quota).
    r = await invite(client, ana, bo.handle, note="   ")
    assert r.status_code == 201 and r.json()["note"] is None


async def test_free_member_note_quota_per_calendar_month(
    client: httpx.AsyncClient, people: People, services: Services, clock: FrozenClock
) -> None:
    clock.at = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    ana = await people.make("Ana")
    others = await filler_members(services, 8, "quota")
    for handle in others[:5]:
        r = await invite(client, ana, handle, note="Hello")
        assert r.status_code == 201, r.text
    error = assert_error(
        await invite(client, ana, others[5], note="Hello"), 403, "note_quota_exhausted"
    )
    assert error["quota"] == 5
    # Without a note the invitation still goes.
    assert (await invite(client, ana, others[5])).status_code == 201
    # Still March at its last second; April resets.
    clock.at = datetime(2026, 3, 31, 23, 59, 59, tzinfo=UTC)
    assert_error(await invite(client, ana, others[6], note="Hello"), 403, "note_quota_exhausted")
    clock.at = datetime(2026, 4, 1, 0, 0, tzinfo=UTC)
    assert (await invite(client, ana, others[6], note="Hello")).status_code == 201


async def test_premium_plan_has_unlimited_notes(
    client: httpx.AsyncClient, people: People, services: Services
) -> None:
    ana = await people.make("Ana")
    await set_member(services, ana.handle, plan="career")
    for handle in await filler_members(services, 7, "premium"):
        assert (await invite(client, ana, handle, note="Hello")).status_code == 201
    # Back on the free plan, this month's 7 notes are over the free quota.
    await set_member(services, ana.handle, plan="free")
    [extra] = await filler_members(services, 1, "later")
    assert_error(await invite(client, ana, extra, note="Hello"), 403, "note_quota_exhausted")


async def test_weekly_invitation_limit_with_retry_after(
    client: httpx.AsyncClient, people: People, services: Services, clock: FrozenClock
) -> None:
    ana = await people.make("Ana")
    start = clock.now()
    targets = await filler_members(services, 102, "weekly")
    for handle in targets[:100]:
        r = await invite(client, ana, handle)
        assert r.status_code == 201, r.text
        clock.advance(minutes=1)
    r = await invite(client, ana, targets[100])
    assert_error(r, 429, "weekly_invitation_limit")
    # The first invitation leaves the 7-day window at start + 7 days.
    expected = (start + timedelta(days=7) - clock.now()).total_seconds()
    assert abs(int(r.headers["Retry-After"]) - expected) <= 1
    # Withdrawn invitations still count as sent.
    first = (await sent(client, ana))[-1]
    assert (
        await client.post(f"{INVITATIONS}/{first['id']}/withdraw", headers=ana.headers)
    ).status_code == 200
    assert_error(await invite(client, ana, targets[100]), 429, "weekly_invitation_limit")
    clock.at = start + timedelta(days=7, seconds=1)
    assert (await invite(client, ana, targets[100])).status_code == 201
    assert_error(await invite(client, ana, targets[101]), 429, "weekly_invitation_limit")


async def test_weekly_limit_is_configurable(
    client: httpx.AsyncClient, people: People, services: Services
) -> None:
    services.settings = services.settings.with_(invitations_per_week=2)
    ana = await people.make("Ana")
    a, b, c = await filler_members(services, 3, "conf")
    assert (await invite(client, ana, a)).status_code == 201
    assert (await invite(client, ana, b)).status_code == 201
    assert_error(await invite(client, ana, c), 429, "weekly_invitation_limit")


async def test_withdraw_then_reinvite_cooldown_day_20_vs_22(
    client: httpx.AsyncClient, people: People, clock: FrozenClock
) -> None:
    ana, bo = await people.make("Ana"), await people.make("Bo")
    iid = await invitation_id(client, ana, bo.handle)
    assert_error(
        await client.post(f"{INVITATIONS}/{iid}/withdraw", headers=bo.headers), 403, "not_sender"
    )
    r = await client.post(f"{INVITATIONS}/{iid}/withdraw", headers=ana.headers)
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"
    assert await received(client, bo) == []
    assert_error(
        await client.post(f"{INVITATIONS}/{iid}/withdraw", headers=ana.headers),
        409,
        "invitation_not_pending",
    )
    assert_error(
        await client.post(f"{INVITATIONS}/{iid}/accept", headers=bo.headers),
        409,
        "invitation_not_pending",
    )
    assert_error(await invite(client, ana, bo.handle), 409, "reinvite_cooldown")
    clock.advance(days=20)
    error = assert_error(await invite(client, ana, bo.handle), 409, "reinvite_cooldown")
    assert "available_at" in error
    clock.advance(days=2)
    assert (await invite(client, ana, bo.handle)).status_code == 201


async def test_cooldown_is_configurable(
    client: httpx.AsyncClient, people: People, services: Services, clock: FrozenClock
) -> None:
    services.settings = services.settings.with_(reinvite_cooldown_days=1)
    ana, bo = await people.make("Ana"), await people.make("Bo")
    iid = await invitation_id(client, ana, bo.handle)
    await client.post(f"{INVITATIONS}/{iid}/withdraw", headers=ana.headers)
    clock.advance(hours=23)
    assert_error(await invite(client, ana, bo.handle), 409, "reinvite_cooldown")
    clock.advance(hours=2)
    assert (await invite(client, ana, bo.handle)).status_code == 201


async def test_ignore_is_silent(client: httpx.AsyncClient, people: People) -> None:
    ana, bo = await people.make("Ana"), await people.make("Bo")
    iid = await invitation_id(client, ana, bo.handle)
    r = await client.post(f"{INVITATIONS}/{iid}/ignore", headers=bo.headers)
    assert r.status_code == 200 and r.json()["status"] == "ignored"
    assert await received(client, bo) == []
    [seen] = await sent(client, ana)
    assert seen["status"] == "pending"
    assert_error(await invite(client, ana, bo.handle), 409, "invitation_pending")
    # The sender may still withdraw what looks pending to them.
    r = await client.post(f"{INVITATIONS}/{iid}/withdraw", headers=ana.headers)
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"


async def test_reject_blocks_further_invitations_from_that_sender(
    client: httpx.AsyncClient, people: People, clock: FrozenClock
) -> None:
    ana, bo = await people.make("Ana"), await people.make("Bo")
    iid = await invitation_id(client, ana, bo.handle)
    r = await client.post(f"{INVITATIONS}/{iid}/reject", headers=bo.headers)
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    [seen] = await sent(client, ana)
    assert seen["status"] == "pending"
    # Withdrawing it looks like any withdraw, yet the rejection stands, even after the cool-down.
    r = await client.post(f"{INVITATIONS}/{iid}/withdraw", headers=ana.headers)
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"
    clock.advance(days=60)
    assert_error(await invite(client, ana, bo.handle), 403, "invitation_rejected")
    # Bo may still invite Ana.
    assert (await invite(client, bo, ana.handle)).status_code == 201


async def test_rejections_count_against_the_sender(
    client: httpx.AsyncClient, people: People, services: Services
) -> None:
    services.settings = services.settings.with_(rejections_before_email_required=2)
    spammer = await people.make("Spammer")
    victims = [await people.make(f"Victim {i}") for i in range(3)]
    for victim in victims[:2]:
        iid = await invitation_id(client, spammer, victim.handle)
        assert (
            await client.post(f"{INVITATIONS}/{iid}/reject", headers=victim.headers)
        ).status_code == 200
    assert_error(await invite(client, spammer, victims[2].handle), 403, "email_required")
    r = await invite(client, spammer, victims[2].handle, email=victims[2].email.upper())
    assert r.status_code == 201, r.text


async def test_answering_rules(client: httpx.AsyncClient, people: People) -> None:
    ana, bo, cy = await people.make("Ana"), await people.make("Bo"), await people.make("Cy")
    iid = await invitation_id(client, ana, bo.handle)
    for action in ("accept", "ignore", "reject"):
        assert_error(
            await client.post(f"{INVITATIONS}/{iid}/{action}", headers=ana.headers),
            403,
            "not_recipient",
        )
        assert_error(
            await client.post(f"{INVITATIONS}/{iid}/{action}", headers=cy.headers), 404, "not_found"
        )
    for bad in ("abc", "0", "-1", "99999999", "１２"):
        assert_error(
            await client.post(f"{INVITATIONS}/{bad}/accept", headers=bo.headers), 404, "not_found"
        )
    assert (await client.post(f"{INVITATIONS}/{iid}/ignore", headers=bo.headers)).status_code == 200
    assert_error(
        await client.post(f"{INVITATIONS}/{iid}/accept", headers=bo.headers),
        409,
        "invitation_not_pending",
    )
    assert_error(
        await client.post(f"{INVITATIONS}/{iid}/reject", headers=bo.headers),
        409,
        "invitation_not_pending",
    )


async def test_send_errors(client: httpx.AsyncClient, people: People, services: Services) -> None:
    ana, bo, cy = await people.make("Ana"), await people.make("Bo"), await people.make("Cy")
    assert_error(await invite(client, ana, "nobody-here"), 404, "not_found")
    assert_error(await invite(client, ana, ana.handle), 422, "cannot_invite_self")
    assert (await invite(client, ana, bo.handle)).status_code == 201
    assert_error(await invite(client, ana, bo.handle), 409, "invitation_pending")
    await block(services, cy.handle, ana.handle)
    assert_error(await invite(client, ana, cy.handle), 404, "not_found")
    assert_error(await invite(client, cy, ana.handle), 404, "not_found")
    assert_error(
        await invite(client, ana, bo.handle, how_you_know={"relation": "enemy"}),
        422,
        "invalid_relation",
    )
    r = await client.post(INVITATIONS, json={"note": "x"}, headers=ana.headers)
    assert r.status_code == 422
    assert_error(await client.post(INVITATIONS, json={"to": bo.handle}), 401, "not_signed_in")


async def test_reverse_pending_invitation_connects_both(
    client: httpx.AsyncClient, people: People, services: Services
) -> None:
    ana, bo = await people.make("Ana"), await people.make("Bo")
    iid = await invitation_id(client, ana, bo.handle)
    r = await invite(client, bo, ana.handle, note="Likewise!")
    assert r.status_code == 200, r.text
    assert r.json() == {"connected": True}
    assert await connection_count(services, ana.handle) == 1
    assert await connection_count(services, bo.handle) == 1
    all_sent = await sent(client, ana, status="all")
    assert [(i["id"], i["status"]) for i in all_sent] == [(iid, "accepted")]
    assert await sent(client, bo, status="all") == []


async def test_expiry_after_180_days(
    client: httpx.AsyncClient, people: People, clock: FrozenClock
) -> None:
    ana, bo = await people.make("Ana"), await people.make("Bo")
    iid = await invitation_id(client, ana, bo.handle)
    clock.advance(days=180, seconds=-1)
    assert [i["id"] for i in await received(client, bo)] == [iid]
    clock.advance(seconds=1)
    assert await received(client, bo) == []
    assert await sent(client, ana) == []
    [old] = await received(client, bo, status="all")
    assert old["status"] == "expired"
    assert_error(
        await client.post(f"{INVITATIONS}/{iid}/accept", headers=bo.headers),
        409,
        "invitation_expired",
    )
    assert_error(
        await client.post(f"{INVITATIONS}/{iid}/withdraw", headers=ana.headers),
        409,
        "invitation_expired",
    )
    # An expired invitation neither blocks a new one nor connects a reverse one.
    r = await invite(client, bo, ana.handle)
    assert r.status_code == 201, r.text
    assert (await invite(client, ana, bo.handle)).status_code == 200


async def test_ignored_invitations_expire_for_the_sender(
    client: httpx.AsyncClient, people: People, clock: FrozenClock
) -> None:
    ana, bo = await people.make("Ana"), await people.make("Bo")
    iid = await invitation_id(client, ana, bo.handle)
    await client.post(f"{INVITATIONS}/{iid}/ignore", headers=bo.headers)
    clock.advance(days=180)
    [seen] = await sent(client, ana, status="all")
    assert seen["status"] == "expired"
    assert (await invite(client, ana, bo.handle)).status_code == 201


async def test_email_required_for_strangers(
    client: httpx.AsyncClient, people: People, services: Services
) -> None:
    ana, bo, friend = await people.make("Ana"), await people.make("Bo"), await people.make("Friend")
    await set_member(services, bo.handle, invitations_from="email_required")
    assert_error(await invite(client, ana, bo.handle), 403, "email_required")
    assert_error(
        await invite(client, ana, bo.handle, email="wrong@example.com"), 403, "email_required"
    )
    r = await invite(client, ana, bo.handle, email=f"  {bo.email.upper()} ")
    assert r.status_code == 201, r.text
    # Someone sharing context (a mutual connection) needs no email.
    await connect(services, friend.handle, bo.handle)
    cy = await people.make("Cy")
    await connect(services, cy.handle, friend.handle)
    assert (await invite(client, cy, bo.handle)).status_code == 201


async def test_mutual_only(client: httpx.AsyncClient, people: People, services: Services) -> None:
    ana, bo, friend = await people.make("Ana"), await people.make("Bo"), await people.make("Friend")
    await set_member(services, bo.handle, invitations_from="mutual_only")
    assert_error(
        await invite(client, ana, bo.handle, email=bo.email), 403, "invitations_restricted"
    )
    # A shared employer is not enough: it takes a mutual connection.
    await add_position(services, ana.handle, "Acme", "2020-01")
    await add_position(services, bo.handle, "Acme", "2021-01")
    assert_error(await invite(client, ana, bo.handle), 403, "invitations_restricted")
    await connect(services, ana.handle, friend.handle)
    await connect(services, bo.handle, friend.handle)
    assert (
        await client.post(INVITATIONS, json={"to": bo.handle}, headers=ana.headers)
    ).status_code == 201


async def test_how_you_know_required_without_shared_context(
    client: httpx.AsyncClient, people: People, services: Services
) -> None:
    ana, bo, cy, di = [await people.make(n) for n in ("Ana", "Bo", "Cy", "Di")]
    error = assert_error(
        await client.post(INVITATIONS, json={"to": bo.handle}, headers=ana.headers),
        422,
        "how_you_know_required",
    )
    assert error["field"] == "how_you_know"
    for relation in ("colleague", "classmate"):
        for org in (None, "", "   "):
            r = await invite(
                client, ana, bo.handle, how_you_know={"relation": relation, "organization": org}
            )
            assert_error(r, 422, "organization_required")
    assert_error(
        await invite(
            client, ana, bo.handle, how_you_know={"relation": "other", "organization": "x" * 201}
        ),
        422,
        "field_too_long",
    )
    assert (
        await invite(client, ana, bo.handle, how_you_know={"relation": "business"})
    ).status_code == 201
    # A shared employer (any dates, any letter case) or school is shared context.
    await add_position(services, ana.handle, "Acme Corp", "2015-01", "2016-01")
    await add_position(services, cy.handle, " acme corp", "2020-01")
    assert (
        await client.post(INVITATIONS, json={"to": cy.handle}, headers=ana.headers)
    ).status_code == 201
    await add_school(services, ana.handle, "NYU")
    await add_school(services, di.handle, "NYU")
    assert (
        await client.post(INVITATIONS, json={"to": di.handle}, headers=ana.headers)
    ).status_code == 201


async def test_connection_cap_30000th_vs_30001st(
    client: httpx.AsyncClient, people: People, services: Services
) -> None:
    from tests.network.helpers import bulk_connect

    hub = await people.make("Hub")
    p, q, r, s = [await people.make(n) for n in ("P", "Q", "R", "S")]
    await bulk_connect(services, hub.handle, 29_999)
    assert await connection_count(services, hub.handle) == 29_999
    first = await invitation_id(client, p, hub.handle)
    second = await invitation_id(client, q, hub.handle)
    # The 30,000th connection is allowed …
    assert (
        await client.post(f"{INVITATIONS}/{first}/accept", headers=hub.headers)
    ).status_code == 200
    assert await connection_count(services, hub.handle) == 30_000
    # … the 30,001st is not, from either side.
    error = assert_error(
        await client.post(f"{INVITATIONS}/{second}/accept", headers=hub.headers),
        409,
        "connection_limit_reached",
    )
    assert error["limit"] == 30_000
    assert_error(await invite(client, r, hub.handle), 409, "connection_limit_reached")
    assert_error(await invite(client, hub, s.handle), 409, "connection_limit_reached")
    # A member at the cap cannot accept; neither can anyone accept an invitation from them.
    assert await connection_count(services, hub.handle) == 30_000
    assert await connection_count(services, q.handle) == 0
    # Removing one connection makes room again.
    assert (
        await client.delete(f"/api/v1/connections/{p.handle}", headers=hub.headers)
    ).status_code == 204
    assert (
        await client.post(f"{INVITATIONS}/{second}/accept", headers=hub.headers)
    ).status_code == 200
    assert await connection_count(services, hub.handle) == 30_000


@pytest.mark.parametrize("round_", range(3))
async def test_concurrent_accept_and_withdraw_have_one_outcome(
    client: httpx.AsyncClient, people: People, services: Services, round_: int
) -> None:
    import asyncio

    ana, bo = await people.make("Ana"), await people.make("Bo")
    iid = await invitation_id(client, ana, bo.handle)
    accept_call = client.post(f"{INVITATIONS}/{iid}/accept", headers=bo.headers)
    withdraw_call = client.post(f"{INVITATIONS}/{iid}/withdraw", headers=ana.headers)
    pair = (accept_call, withdraw_call) if round_ % 2 == 0 else (withdraw_call, accept_call)
    first, second = await asyncio.gather(*pair)
    results = sorted([first.status_code, second.status_code])
    assert results == [200, 409], (first.text, second.text)
    loser = first if first.status_code == 409 else second
    assert loser.json()["error"]["code"] == "invitation_not_pending"
    winner = first if first.status_code == 200 else second
    accepted = winner.json()["status"] == "accepted"
    assert await connection_count(services, ana.handle) == int(accepted)
    assert await connection_count(services, bo.handle) == int(accepted)
    [final] = await sent(client, ana, status="all")
    assert final["status"] == ("accepted" if accepted else "withdrawn")


async def test_two_members_inviting_each_other_at_once_end_connected_once(
    client: httpx.AsyncClient, people: People, services: Services
) -> None:
    import asyncio

    ana, bo = await people.make("Ana"), await people.make("Bo")
    one, two = await asyncio.gather(
        invite(client, ana, bo.handle, how_you_know=FRIEND),
        invite(client, bo, ana.handle, how_you_know=FRIEND),
    )
    # The second send, whichever it is, meets the first and connects the two.
    assert sorted([one.status_code, two.status_code]) == [200, 201], (one.text, two.text)
    assert await connection_count(services, ana.handle) == 1
    assert await connection_count(services, bo.handle) == 1


async def test_list_pagination_and_validation(
    client: httpx.AsyncClient, people: People, services: Services, clock: FrozenClock
) -> None:
    ana = await people.make("Ana")
    handles = await filler_members(services, 5, "page")
    for handle in handles:
        await invitation_id(client, ana, handle)
        clock.advance(seconds=1)
    r = await client.get(INVITATIONS, params={"direction": "sent", "limit": 2}, headers=ana.headers)
    body = r.json()
    seen = [i["to"]["handle"] for i in body["items"]]
    while body["next_cursor"]:
        r = await client.get(
            INVITATIONS,
            params={"direction": "sent", "limit": 2, "cursor": body["next_cursor"]},
            headers=ana.headers,
        )
        body = r.json()
        seen += [i["to"]["handle"] for i in body["items"]]
    assert seen == list(reversed(handles))
    assert_error(
        await client.get(INVITATIONS, params={"cursor": "garbage"}, headers=ana.headers),
        422,
        "invalid_cursor",
    )
    assert_error(
        await client.get(INVITATIONS, params={"limit": 101}, headers=ana.headers),
        422,
        "invalid_limit",
    )
    assert_error(
        await client.get(INVITATIONS, params={"limit": 0}, headers=ana.headers),
        422,
        "invalid_limit",
    )
    r = await client.get(INVITATIONS, params={"direction": "sideways"}, headers=ana.headers)
    assert r.status_code == 422
