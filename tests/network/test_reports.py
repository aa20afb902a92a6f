"""Reports and the operators' moderation queue."""

from __future__ import annotations

import httpx

from inroad.services import Services
from tests.conftest import People, assert_error
from tests.network.helpers import set_member

REPORTS = "/api/v1/reports"
QUEUE = "/api/v1/operator/reports"


async def test_report_a_member_into_the_operator_queue(
    client: httpx.AsyncClient, people: People, services: Services
) -> None:
    reporter, spammer, op = (
        await people.make("Rita"),
        await people.make("Spammy"),
        await people.make("Oscar Op"),
    )
    await set_member(services, op.handle, is_operator=True)
    r = await client.post(
        REPORTS,
        json={"handle": spammer.handle, "reason": "spam", "detail": "Sells crypto"},
        headers=reporter.headers,
    )
    assert r.status_code == 201, r.text
    report = r.json()
    assert (
        report["status"] == "open"
        and report["reason"] == "spam"
        and report["detail"] == "Sells crypto"
    )
    assert isinstance(report["id"], str)

    assert_error(await client.get(QUEUE, headers=reporter.headers), 403, "operator_required")
    assert_error(
        await client.post(f"{QUEUE}/{report['id']}/resolve", headers=reporter.headers),
        403,
        "operator_required",
    )
    queue = (await client.get(QUEUE, headers=op.headers)).json()
    [item] = queue["items"]
    assert item["member"]["handle"] == spammer.handle
    assert item["reporter"]["handle"] == reporter.handle
    r = await client.post(f"{QUEUE}/{report['id']}/resolve", headers=op.headers)
    assert r.status_code == 200 and r.json()["status"] == "resolved"
    assert (await client.get(QUEUE, headers=op.headers)).json()["items"] == []
    assert [
        i["id"]
        for i in (
            await client.get(QUEUE, params={"status": "resolved"}, headers=op.headers)
        ).json()["items"]
    ] == [report["id"]]
    assert_error(await client.post(f"{QUEUE}/999999/resolve", headers=op.headers), 404, "not_found")
    assert_error(await client.post(f"{QUEUE}/nope/resolve", headers=op.headers), 404, "not_found")


async def test_report_validation(client: httpx.AsyncClient, people: People) -> None:
    me, other = await people.make("Me"), await people.make("Other")
    assert_error(
        await client.post(
            REPORTS, json={"handle": other.handle, "reason": "boring"}, headers=me.headers
        ),
        422,
        "invalid_reason",
    )
    assert_error(
        await client.post(REPORTS, json={"reason": "spam"}, headers=me.headers),
        422,
        "report_target_required",
    )
    assert_error(
        await client.post(
            REPORTS, json={"handle": me.handle, "reason": "spam"}, headers=me.headers
        ),
        422,
        "cannot_report_self",
    )
    assert_error(
        await client.post(
            REPORTS, json={"handle": "no-one-here", "reason": "spam"}, headers=me.headers
        ),
        404,
        "not_found",
    )
    assert_error(
        await client.post(
            REPORTS, json={"conversation_id": "abc", "reason": "spam"}, headers=me.headers
        ),
        404,
        "not_found",
    )
    over = await client.post(
        REPORTS,
        json={"handle": other.handle, "reason": "other", "detail": "x" * 2001},
        headers=me.headers,
    )
    assert_error(over, 422, "field_too_long")
    at_limit = await client.post(
        REPORTS,
        json={"handle": other.handle, "reason": "other", "detail": "x" * 2000},
        headers=me.headers,
    )
    assert at_limit.status_code == 201


async def test_a_blocked_member_can_still_be_reported(
    client: httpx.AsyncClient, people: People
) -> None:
    me, troll = await people.make("Me"), await people.make("Troll")
    await client.post("/api/v1/blocks", json={"handle": troll.handle}, headers=me.headers)
    r = await client.post(
        REPORTS, json={"handle": troll.handle, "reason": "harassment"}, headers=me.headers
    )
    assert r.status_code == 201


async def test_reporting_a_conversation_or_message_the_reporter_takes_part_in(
    client: httpx.AsyncClient, people: People, services: Services
) -> None:
    from inroad.network.queries import reported_conversation_ids
    from tests.factories import connect, member_id

    me, scammer, outsider = (
        await people.make("Me"),
        await people.make("Scammer"),
        await people.make("Outsider"),
    )
    await connect(services, me.handle, scammer.handle)
    r = await client.post(
        "/api/v1/conversations",
        json={"participants": [me.handle], "text": "Send me gift cards", "client_id": "c-1"},
        headers=scammer.headers,
    )
    assert r.status_code == 201, r.text
    conversation_id = r.json()["conversation"]["id"]
    message_id = r.json()["message"]["id"]

    r = await client.post(
        REPORTS, json={"message_id": message_id, "reason": "scam"}, headers=me.headers
    )
    assert r.status_code == 201, r.text
    # A reported message records its conversation.
    assert (r.json()["conversation_id"], r.json()["message_id"]) == (conversation_id, message_id)
    r = await client.post(
        REPORTS, json={"conversation_id": conversation_id, "reason": "spam"}, headers=me.headers
    )
    assert r.status_code == 201, r.text
    async with services.db.read() as conn:
        assert await reported_conversation_ids(conn, await member_id(services, me.handle)) == [
            int(conversation_id)
        ]
    # Outsiders cannot report what they cannot see; ids must match.
    for body in (
        {"conversation_id": conversation_id},
        {"message_id": message_id},
        {"conversation_id": "999999", "message_id": message_id},
        {"conversation_id": "abc"},
    ):
        who = outsider if "999999" not in str(body) else me
        r = await client.post(REPORTS, json={**body, "reason": "spam"}, headers=who.headers)
        assert_error(r, 404, "not_found")
