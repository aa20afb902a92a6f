"""People search: what it finds, its filters, its ranking, who it hides, its pages, its cost."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from inroad.services import Services
from tests.conftest import People, Persona, assert_error
from tests.factories import block, connect, image_bytes

SEARCH = "/api/v1/search/members"


async def build(
    client: httpx.AsyncClient,
    who: Persona,
    *,
    positions: list[dict[str, Any]] | None = None,
    education: list[dict[str, Any]] | None = None,
    skills: list[str] | None = None,
    photo: bool = False,
    **profile: Any,
) -> None:
    h = who.headers
    if profile:
        assert (
            await client.patch("/api/v1/me/profile", json=profile, headers=h)
        ).status_code == 200
    for position in positions or []:
        assert (
            await client.post("/api/v1/me/positions", json=position, headers=h)
        ).status_code == 201
    for school in education or []:
        assert (
            await client.post("/api/v1/me/education", json=school, headers=h)
        ).status_code == 201
    if skills:
        assert (
            await client.put("/api/v1/me/skills", json={"skills": skills}, headers=h)
        ).status_code == 200
    if photo:
        r = await client.put(
            "/api/v1/me/photo",
            files={"file": ("p.png", image_bytes("PNG"), "image/png")},
            headers=h,
        )
        assert r.status_code == 200


async def find(client: httpx.AsyncClient, viewer: Persona, **params: Any) -> list[str]:
    r = await client.get(SEARCH, params=params, headers=viewer.headers)
    assert r.status_code == 200, r.text
    return [m["handle"] for m in r.json()["items"]]


@pytest.fixture
async def cast(client: httpx.AsyncClient, people: People) -> dict[str, Persona]:
    viewer = await people.make("Vera Viewer")
    jane = await people.make("Jane Doe")
    await build(
        client,
        jane,
        headline="Kubernetes whisperer",
        location="Lisbon, Portugal",
        positions=[{"company": "Acme Corp", "title": "Platform Engineer", "start": "2021-01"}],
        education=[{"school": "University of Coimbra", "field": "Informatics"}],
        skills=["Terraform", "Go"],
    )
    omar = await people.make("Omar Haddad")
    await build(
        client,
        omar,
        headline="Accountant",
        location="Porto",
        positions=[
            {"company": "Acme Corp", "title": "Auditor", "start": "2015-01", "end": "2019-12"},
            {"company": "Globex", "title": "Controller", "start": "2020-01"},
        ],
        education=[{"school": "Porto Business School"}],
    )
    lin = await people.make("Lin Chen")
    await build(
        client,
        lin,
        headline="Designer",
        location="Lisbon",
        industry="Design",
        positions=[{"company": "Globex", "title": "Product Designer", "start": "2022-03"}],
        education=[{"school": "University of Coimbra"}],
        skills=["Figma"],
    )
    return {"viewer": viewer, "jane": jane, "omar": omar, "lin": lin}


async def test_finds_by_name_headline_company_school_skill_location(
    client: httpx.AsyncClient, cast: dict[str, Persona]
) -> None:
    v, jane, omar, lin = cast["viewer"], cast["jane"], cast["omar"], cast["lin"]
    assert await find(client, v, q="jan") == [jane.handle]  # word prefix
    assert await find(client, v, q="Jane Doe") == [jane.handle]
    assert await find(client, v, q="kubernetes") == [jane.handle]
    assert sorted(await find(client, v, q="acme")) == sorted(
        [jane.handle, omar.handle]
    )  # past jobs too
    assert sorted(await find(client, v, q="coimbra")) == sorted([jane.handle, lin.handle])
    assert await find(client, v, q="terraform") == [jane.handle]
    assert await find(client, v, q="figma") == [lin.handle]
    assert sorted(await find(client, v, q="lisbon")) == sorted([jane.handle, lin.handle])
    assert await find(client, v, q="designer") == [lin.handle]
    assert await find(client, v, q="nobody-matches-this") == []
    assert await find(client, v, q="vera") == []  # never the viewer


async def test_filters(client: httpx.AsyncClient, cast: dict[str, Persona]) -> None:
    v, jane, omar, lin = cast["viewer"], cast["jane"], cast["omar"], cast["lin"]
    # Current company only: Omar left Acme.
    assert await find(client, v, company="acme") == [jane.handle]
    assert await find(client, v, company="ACME CORP") == [jane.handle]
    assert sorted(await find(client, v, company="globex")) == sorted([omar.handle, lin.handle])
    assert sorted(await find(client, v, school="coimbra")) == sorted([jane.handle, lin.handle])
    assert await find(client, v, school="porto business") == [omar.handle]
    assert sorted(await find(client, v, location="lisbon")) == sorted([jane.handle, lin.handle])
    assert sorted(await find(client, v, location="Lis")) == sorted([jane.handle, lin.handle])
    assert await find(client, v, location="portugal") == [jane.handle]
    assert await find(client, v, location="porto") == [omar.handle]
    # Filters combine with each other and with the text.
    assert await find(client, v, location="lisbon", company="globex") == [lin.handle]
    assert await find(client, v, q="designer", school="coimbra") == [lin.handle]
    assert await find(client, v, q="jane", company="globex") == []
    # A filter's words must match its own field, not another part of the profile.
    assert await find(client, v, location="acme") == []
    assert await find(client, v, company="coimbra") == []
    # LIKE wildcards are literal.
    assert await find(client, v, company="%") == []
    assert await find(client, v, location="_") == []


async def test_ranking_degree_then_mutuals_then_strength(
    client: httpx.AsyncClient, people: People, services: Services
) -> None:
    viewer = await people.make("Vera Viewer")
    a, b, c = [await people.make(n) for n in ("Link One", "Link Two", "Link Three")]
    for link in (a, b):
        await connect(services, viewer.handle, link.handle)
    far = await people.make("Far Away")
    # The same searchable text for everyone below, so relevance ties and the other keys decide.
    first, two_mutuals, one_mutual, third, beyond_strong, beyond_weak = [
        await people.make(f"Pat Sample {suffix}") for suffix in ("aa", "bb", "cc", "dd", "ee", "ff")
    ]
    await connect(services, viewer.handle, first.handle)
    await connect(services, two_mutuals.handle, a.handle)
    await connect(services, two_mutuals.handle, b.handle)
    await connect(services, one_mutual.handle, a.handle)
    await connect(services, c.handle, a.handle)  # c is 2nd degree …
    await connect(services, third.handle, c.handle)  # … so third is 3rd degree
    await connect(services, beyond_weak.handle, far.handle)
    await build(client, beyond_strong, about="Strong profile", photo=True)
    await build(client, third, about="Some profile")
    expected = [first, two_mutuals, one_mutual, beyond_strong, third, beyond_weak]
    r = await client.get(SEARCH, params={"q": "sample"}, headers=viewer.headers)
    items = r.json()["items"]
    assert [m["handle"] for m in items] == [p.handle for p in expected]
    assert [(m["degree"], m["mutual_connections"]) for m in items] == [
        (1, 0),
        (2, 2),
        (2, 1),
        (None, 0),
        (3, 0),
        (None, 0),
    ]
    # Empty q with a filter ranks by the other keys.
    for person in expected:
        await build(client, person, location="Braga")
    assert await find(client, viewer, location="braga") == [p.handle for p in expected]
    # Degree filter; 3 means 3rd or beyond.
    assert await find(client, viewer, q="sample", degree="1") == [first.handle]
    assert await find(client, viewer, q="sample", degree="2") == [
        two_mutuals.handle,
        one_mutual.handle,
    ]
    assert await find(client, viewer, q="sample", degree="3") == [
        beyond_strong.handle,
        third.handle,
        beyond_weak.handle,
    ]
    assert await find(client, viewer, q="sample", degree="1,2") == [p.handle for p in expected[:3]]
    assert await find(client, viewer, q="sample", degree="3, 1") == [
        first.handle,
        beyond_strong.handle,
        third.handle,
        beyond_weak.handle,
    ]
    assert await find(client, viewer, q="sample", degree="1,2,3") == [p.handle for p in expected]


async def test_relevance_comes_before_degree(
    client: httpx.AsyncClient, people: People, services: Services
) -> None:
    viewer = await people.make("Vera Viewer")
    by_name = await people.make("Pilot Person")
    by_headline = await people.make("Friendly Friend")
    await build(client, by_headline, headline="Pilot")
    await connect(services, viewer.handle, by_headline.handle)
    assert await find(client, viewer, q="pilot") == [by_name.handle, by_headline.handle]


async def test_where_the_words_match_comes_first_then_the_network(
    client: httpx.AsyncClient, people: People, services: Services
) -> None:
    viewer = await people.make("Vera Viewer")
    stranger = await people.make("Robin Short")
    friend = await people.make("Robin Friendly Longname")
    await build(client, friend, headline="Many words in this headline make the document longer")
    await connect(services, viewer.handle, friend.handle)
    # Both match in the name: the 1st-degree connection wins over bm25's preference for short.
    assert await find(client, viewer, q="robin") == [friend.handle, stranger.handle]
    in_headline = await people.make("Jo Jones")
    await build(client, in_headline, headline="Welder")
    elsewhere = await people.make("Jo Smith")
    await build(
        client, elsewhere, positions=[{"company": "Forge", "title": "Welder", "start": "2020-01"}]
    )
    await connect(services, viewer.handle, elsewhere.handle)
    assert await find(client, viewer, q="jo welder") == [in_headline.handle, elsewhere.handle]


async def test_blocked_and_deleted_members_are_invisible(
    client: httpx.AsyncClient, people: People, services: Services
) -> None:
    viewer = await people.make("Vera Viewer")
    blocker, blocked, gone, visible = [
        await people.make(f"Quinn {n}") for n in ("Blocker", "Blocked", "Gone", "Visible")
    ]
    await block(services, blocker.handle, viewer.handle)
    await block(services, viewer.handle, blocked.handle)
    assert sorted(await find(client, viewer, q="quinn")) == sorted([visible.handle, gone.handle])
    r = await client.request(
        "DELETE", "/api/v1/me", json={"password": gone.password}, headers=gone.headers
    )
    assert r.status_code == 204
    assert await find(client, viewer, q="quinn") == [visible.handle]
    assert await find(client, viewer) == [visible.handle]  # no query, no filter: everyone visible
    # Blocked members are visible to third parties.
    other = await people.make("Other")
    assert sorted(await find(client, other, q="quinn")) == sorted(
        [blocker.handle, blocked.handle, visible.handle]
    )
    # A blocked member cannot find the viewer either.
    assert viewer.handle not in await find(client, blocked, q="vera")


async def test_pagination_with_cursor(
    client: httpx.AsyncClient, people: People, services: Services
) -> None:
    viewer = await people.make("Vera Viewer")
    crowd = [await people.make(f"Robin Crowd {i}") for i in range(7)]
    for person in crowd[:2]:
        await connect(services, viewer.handle, person.handle)
    everything = await find(client, viewer, q="robin", limit=100)
    assert len(everything) == 7
    pages: list[list[str]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"q": "robin", "limit": 3} | ({"cursor": cursor} if cursor else {})
        r = await client.get(SEARCH, params=params, headers=viewer.headers)
        assert r.status_code == 200, r.text
        pages.append([m["handle"] for m in r.json()["items"]])
        cursor = r.json()["next_cursor"]
        if cursor is None:
            break
    assert [len(p) for p in pages] == [3, 3, 1]
    assert [h for p in pages for h in p] == everything
    # Empty q pages the same way.
    r = await client.get(SEARCH, params={"limit": 5}, headers=viewer.headers)
    assert len(r.json()["items"]) == 5 and r.json()["next_cursor"]
    r2 = await client.get(
        SEARCH, params={"limit": 5, "cursor": r.json()["next_cursor"]}, headers=viewer.headers
    )
    assert len(r2.json()["items"]) == 2 and r2.json()["next_cursor"] is None
    assert not {m["handle"] for m in r.json()["items"]} & {m["handle"] for m in r2.json()["items"]}


async def test_bad_parameters_are_4xx(client: httpx.AsyncClient, people: People) -> None:
    viewer = await people.make("Vera Viewer")
    await people.make("Robin Crowd")
    h = viewer.headers
    for limit in (0, 101, -1):
        assert_error(
            await client.get(SEARCH, params={"limit": limit}, headers=h), 422, "invalid_limit"
        )
    assert (await client.get(SEARCH, params={"limit": 100}, headers=h)).status_code == 200
    assert (await client.get(SEARCH, params={"limit": 1}, headers=h)).status_code == 200
    assert_error(await client.get(SEARCH, params={"limit": "ten"}, headers=h), 422, "invalid_input")
    for degree in ("4", "0", "first", "1;2", ",", "1,,x"):
        assert_error(
            await client.get(SEARCH, params={"degree": degree}, headers=h), 422, "invalid_degree"
        )
    for cursor in ("%%%", "bm90IGpzb24", "WzEsMiwzXQ", "WyJhIiwxLDEsMSwxXQ", "W3RydWUsMSwxLDEsMV0"):
        assert_error(
            await client.get(SEARCH, params={"cursor": cursor}, headers=h), 422, "invalid_cursor"
        )
    assert_error(
        await client.get(SEARCH, params={"q": "x" * 201}, headers=h), 422, "field_too_long"
    )
    assert (await client.get(SEARCH, params={"q": "x" * 200}, headers=h)).status_code == 200
    assert_error(
        await client.get(SEARCH, params={"location": "x" * 201}, headers=h), 422, "field_too_long"
    )
    assert_error(await client.get(SEARCH), 401, "not_signed_in")
    # Query syntax of either engine is just text here.
    for q in (
        '"',
        "*",
        'robin" OR "x',
        "name:robin",
        "robin & !x | y",
        "(",
        "NEAR(robin)",
        "a\x00b",
        "'",
        "-robin",
        "robin:*",
        "\\",
        "ü",
        "%_",
    ):
        r = await client.get(
            SEARCH, params={"q": q, "company": q, "school": q, "location": q}, headers=h
        )
        assert r.status_code == 200, (q, r.text)
    assert await find(client, viewer, q='robin" OR "zzz') == []


@contextmanager
def count_statements(services: Services) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    engine = services.db.read_engine.sync_engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


async def test_a_page_costs_the_same_number_of_statements_whatever_its_size(
    client: httpx.AsyncClient, people: People, services: Services
) -> None:
    viewer = await people.make("Vera Viewer")
    hub, bridge, far = (
        await people.make("Hub"),
        await people.make("Bridge"),
        await people.make("Far"),
    )
    await connect(services, viewer.handle, hub.handle)
    await connect(services, hub.handle, bridge.handle)
    # "crowd" in the name (the first relevance tier) for the 3rd-degree-or-beyond members, in the
    # headline for the others: so both pages hold the costliest kind to describe.
    crowd = [await people.make(f"Sam {'Crowd' if i % 4 >= 2 else 'Person'} {i}") for i in range(25)]
    for i, person in enumerate(crowd):
        if i % 4 == 0:
            await connect(services, viewer.handle, person.handle)
        elif i % 4 == 1:
            await connect(services, hub.handle, person.handle)
        elif i % 4 == 2:
            await connect(services, bridge.handle, person.handle)  # 3rd degree
        else:
            await connect(services, far.handle, person.handle)
        if i % 4 < 2:
            await build(client, person, headline="Crowd")
    counts = {}
    for limit, kinds in ((20, {1, 2, 3, None}), (5, {3, None})):
        with count_statements(services) as statements:
            r = await client.get(
                SEARCH, params={"q": "crowd", "limit": limit}, headers=viewer.headers
            )
        assert r.status_code == 200 and len(r.json()["items"]) == limit
        assert {m["degree"] for m in r.json()["items"]} == kinds
        counts[limit] = len(statements)
    # Token check, the ranked page, the graph's batched degree test (a few statements, plus
    # planner settings on PostgreSQL and a BEGIN per connection on SQLite): never one per member.
    assert counts[20] == counts[5] < 10, counts
    for limit in (20, 5):
        with count_statements(services) as statements:
            r = await client.get(
                f"/api/v1/members/{hub.handle}/mutual-connections",
                params={"limit": limit},
                headers=crowd[1].headers,
            )
        assert r.status_code == 200
        counts[limit] = len(statements)
    assert counts[20] == counts[5], counts
