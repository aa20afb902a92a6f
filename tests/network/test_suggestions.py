"""People You May Know: ranking, reasons, exclusions, dismissal."""

from __future__ import annotations

from typing import Any

import httpx

from inroad.services import Services
from tests.conftest import People, Persona, assert_error
from tests.factories import block, connect
from tests.network.helpers import add_position, add_school, invite, list_items, set_member

SUGGESTIONS = "/api/v1/network/suggestions"


async def suggested(client: httpx.AsyncClient, who: Persona) -> list[dict[str, Any]]:
    return await list_items(client, who, SUGGESTIONS)


async def test_ranked_by_mutuals_then_employer_school_industry_location(
    client: httpx.AsyncClient, people: People, services: Services
) -> None:
    me = await people.make("Me")
    f1, f2, f3 = [await people.make(f"Friend {i}") for i in range(3)]
    two_mutual, one_mutual = await people.make("Two Mutual"), await people.make("One Mutual")
    colleague, old_colleague = (
        await people.make("Colleague Now"),
        await people.make("Colleague Before"),
    )
    classmate, same_industry, same_city = (
        await people.make("Classmate"),
        await people.make("Fintech Person"),
        await people.make("Berliner"),
    )
    for f in (f1, f2, f3):
        await connect(services, me.handle, f.handle)
    await connect(services, two_mutual.handle, f1.handle)
    await connect(services, two_mutual.handle, f2.handle)
    await connect(services, one_mutual.handle, f3.handle)
    await add_position(services, me.handle, "Acme", "2019-01", "2021-06")
    await add_position(services, me.handle, "Initech", "2022-01")
    await add_position(services, colleague.handle, "Initech", "2023-03")
    await add_position(services, old_colleague.handle, "Acme", "2015-01", "2018-01")
    await add_school(services, me.handle, "NYU")
    await add_school(services, classmate.handle, "NYU")
    await set_member(services, me.handle, industry="Fintech", location="Berlin")
    await set_member(services, same_industry.handle, industry="Fintech")
    await set_member(services, same_city.handle, location="Berlin")

    items = await suggested(client, me)
    order = [i["member"]["handle"] for i in items]
    assert order == [
        two_mutual.handle,
        one_mutual.handle,
        colleague.handle,
        old_colleague.handle,
        classmate.handle,
        same_industry.handle,
        same_city.handle,
    ]
    reasons = {i["member"]["handle"]: i["reasons"] for i in items}
    assert reasons[two_mutual.handle] == ["2 mutual connections"]
    assert reasons[one_mutual.handle] == ["1 mutual connection"]
    assert reasons[colleague.handle] == ["You both work at Initech (since 2023)"]
    assert reasons[old_colleague.handle] == ["You both worked at Acme"]
    assert reasons[classmate.handle] == ["You both studied at NYU"]
    assert reasons[same_industry.handle] == ["Also in Fintech"]
    assert reasons[same_city.handle] == ["Also in Berlin"]
    assert items[0]["member"]["degree"] == 2 and items[0]["member"]["mutual_connections"] == 2
    assert all(i["reasons"] for i in items)


async def test_overlapping_dates_reason(
    client: httpx.AsyncClient, people: People, services: Services
) -> None:
    me, peer = await people.make("Me"), await people.make("Peer")
    await add_position(services, me.handle, "Acme", "2018-03", "2021-06")
    await add_position(services, peer.handle, "Acme", "2019-01", "2022-01")
    [item] = await suggested(client, me)
    assert item["reasons"] == ["You both worked at Acme (2019–2021)"]


async def test_exclusions_and_dismiss(
    client: httpx.AsyncClient, people: People, services: Services
) -> None:
    me = await people.make("Me")
    await set_member(services, me.handle, industry="Fintech")
    names = [
        "Connected",
        "Invited",
        "Inviter",
        "Blocked",
        "Blocker",
        "Dismissed",
        "Deleted",
        "Kept",
    ]
    cast = {n: await people.make(n) for n in names}
    for persona in cast.values():
        await set_member(services, persona.handle, industry="Fintech")
    await connect(services, me.handle, cast["Connected"].handle)
    assert (await invite(client, me, cast["Invited"].handle)).status_code == 201
    assert (await invite(client, cast["Inviter"], me.handle)).status_code == 201
    await block(services, me.handle, cast["Blocked"].handle)
    await block(services, cast["Blocker"].handle, me.handle)
    r = await client.request(
        "DELETE",
        "/api/v1/me",
        json={"password": cast["Deleted"].password},
        headers=cast["Deleted"].headers,
    )
    assert r.status_code == 204
    assert (
        await client.post(f"{SUGGESTIONS}/{cast['Dismissed'].handle}/dismiss", headers=me.headers)
    ).status_code == 204
    assert (
        await client.post(f"{SUGGESTIONS}/{cast['Dismissed'].handle}/dismiss", headers=me.headers)
    ).status_code == 204
    assert [i["member"]["handle"] for i in await suggested(client, me)] == [cast["Kept"].handle]
    assert_error(
        await client.post(f"{SUGGESTIONS}/no-such-person/dismiss", headers=me.headers),
        404,
        "not_found",
    )
    assert_error(
        await client.post(f"{SUGGESTIONS}/{cast['Blocker'].handle}/dismiss", headers=me.headers),
        404,
        "not_found",
    )


async def test_nothing_to_suggest(client: httpx.AsyncClient, people: People) -> None:
    me = await people.make("Lonely")
    await people.make("Someone Else")
    r = await client.get(SUGGESTIONS, headers=me.headers)
    assert r.json() == {"items": [], "next_cursor": None}
    assert_error(
        await client.get(SUGGESTIONS, params={"limit": 101}, headers=me.headers),
        422,
        "invalid_limit",
    )
