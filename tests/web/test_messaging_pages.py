"""The Messaging pages over httpx: inbox and unread counts, the conversation view (escaping,
links, 404 for outsiders), and every no-JS form with and without its CSRF token."""

from __future__ import annotations

import re

import httpx
import pytest
import sqlalchemy as sa

from inroad.accounts.tables import members
from inroad.messaging.actions import MAX_TEXT
from inroad.services import Services
from tests.conftest import People, Persona
from tests.messaging.helpers import Cast, QueryCounter, conversation, inbox, send, start
from tests.web.conftest import HTML, csrf_from, web_login

XSS = "<script>alert(1)</script> and https://example.com."


@pytest.fixture
def cast(people: People, services: Services) -> Cast:
    return Cast(people, services)


def field_value(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no {name} field on the page"
    return match.group(1)


async def page(client: httpx.AsyncClient, path: str, status: int = 200) -> str:
    response = await client.get(path, headers=HTML)
    assert response.status_code == status, response.text
    return response.text


def rows(html: str) -> dict[str, str]:
    """Conversation rows of an inbox page: ``{conversation_id: row html}``."""
    found = re.findall(
        r'<li class="conv-row[^"]*" data-conversation-id="(\d+)".*?</li>', html, re.S
    )
    blocks = re.split(r'(?=<li class="conv-row)', html)[1:]
    return {cid: block.split("</li>")[0] for cid, block in zip(found, blocks, strict=True)}


def unread_badge(row_html: str) -> str | None:
    match = re.search(r'<span class="unread-badge"( hidden)?>(\d+)', row_html)
    assert match, row_html
    return None if match.group(1) else match.group(2)


def header_badge(html: str) -> str | None:
    item = re.search(r'<a href="/messaging" class="nav-item.*?</a>', html, re.S)
    assert item, "no Messaging item in the header"
    count = re.search(r'<span class="nav-badge">(\d+)', item.group(0))
    return count.group(1) if count else None


async def scene(cast: Cast, client: httpx.AsyncClient) -> dict[str, str]:
    """Alice, Bob and Carol, all connected; Alice writes Bob twice, Carol starts a group with
    both. Returns the conversation ids."""
    alice, _bob, carol = await cast.add("alice", "bob", "carol")
    await cast.connect("alice", "bob", "carol")
    await cast.connect("bob", "carol")
    direct = await start(client, alice, "bob", text="Hi Bob")
    await send(client, alice, direct["conversation"]["id"], "Are you free on Friday?")
    group = await start(client, carol, "alice", "bob", text="Team lunch?", title="Lunch club")
    return {"direct": direct["conversation"]["id"], "group": group["conversation"]["id"]}


# --- inbox ---------------------------------------------------------------------------------


async def test_inbox_lists_conversations_with_unread_counts(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    ids = await scene(cast, client)
    await web_login(client, cast["bob"])
    html = await page(client, "/messaging")
    listed = rows(html)
    assert list(listed) == [ids["group"], ids["direct"]]  # newest activity first
    assert "Lunch club" in listed[ids["group"]] and "Carol: Team lunch?" in listed[ids["group"]]
    assert "Alice" in listed[ids["direct"]] and "Are you free on Friday?" in listed[ids["direct"]]
    assert unread_badge(listed[ids["direct"]]) == "2"
    assert unread_badge(listed[ids["group"]]) == "1"
    assert header_badge(html) == "2"  # conversations with unread messages
    assert 'data-me="bob"' in html and "/static/messaging.js" in html

    # Opening a conversation reads it: its badge goes, the header counts one fewer.
    await page(client, f"/messaging/{ids['direct']}")
    html = await page(client, "/messaging")
    assert unread_badge(rows(html)[ids["direct"]]) is None
    assert unread_badge(rows(html)[ids["group"]]) == "1"
    assert header_badge(html) == "1"
    assert header_badge(await page(client, "/")) == "1"  # on every page of the site


async def test_inbox_folders_search_and_bad_input(client: httpx.AsyncClient, cast: Cast) -> None:
    ids = await scene(cast, client)
    await web_login(client, cast["bob"])
    assert rows(await page(client, "/messaging?folder=archived")) == {}
    assert "No archived conversations." in await page(client, "/messaging?folder=archived")

    html = await page(client, "/messaging?q=friday")
    assert "1 message matching" in html
    assert f'href="/messaging/{ids["direct"]}#m-' in html and "Are you free on Friday?" in html
    assert "No messages match." in await page(client, "/messaging?q=zebra")

    assert "folder is one of" in await page(client, "/messaging?folder=inbox", 422)
    await page(client, "/messaging?q=" + "x" * 200)
    assert "The search text is 201 characters" in await page(
        client, "/messaging?q=" + "x" * 201, 422
    )
    await page(client, "/messaging?cursor=abc", 422)


async def test_inbox_page_query_count_does_not_grow_with_conversations(
    client: httpx.AsyncClient, cast: Cast, services: Services
) -> None:
    bob, *others = await cast.add("bob", "ann", "cid", "dee", "eve", "fay", "gus")
    await cast.connect("bob", *[o.handle for o in others])
    await web_login(client, bob)
    counter = QueryCounter(services)

    async def statements() -> int:
        with counter.counting():
            await page(client, "/messaging")
        return counter.count

    for other in others[:2]:
        await start(client, other, "bob", text="hello")
    few = await statements()
    for other in others[2:]:
        await start(client, other, "bob", text="hello")
    assert await statements() == few


async def test_messaging_needs_a_session(client: httpx.AsyncClient) -> None:
    response = await client.get("/messaging", headers=HTML)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/messaging"


# --- the conversation view -----------------------------------------------------------------


async def test_conversation_page_shows_text_as_text_with_links(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    alice, _bob = await cast.add("alice", "bob")
    await cast.connect("alice", "bob")
    started = await start(client, alice, "bob", text="First line\nsecond line")
    cid = started["conversation"]["id"]
    await send(client, alice, cid, XSS)
    await send(client, alice, cid, "no javascript:alert(2) links, nor http:// alone")
    await web_login(client, cast["bob"])
    html = await page(client, f"/messaging/{cid}")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; and " in html
    # The URL is a link (without the sentence's full stop); nothing else is.
    assert (
        '<a href="https://example.com" rel="noopener nofollow ugc" target="_blank">https://example.com</a>.'
        in html
    )
    assert 'href="javascript' not in html and 'href="http://"' not in html
    assert "First line\nsecond line" in html  # newlines kept; CSS shows them
    assert '<h2 id="conv-title">' in html and 'href="/in/alice">Alice</a>' in html
    assert 'data-coach="dm"' in html and f'data-coach-conversation="{cid}"' in html
    assert 'data-coach-to="alice"' in html
    # Bob's messages carry the edit and unsend forms; Alice's do not.
    assert "/edit" not in html and "Unsend" not in html


async def test_outsiders_get_the_not_found_page(client: httpx.AsyncClient, cast: Cast) -> None:
    alice, _bob, carol = await cast.add("alice", "bob", "carol")
    await cast.connect("alice", "bob")
    cid = (await start(client, alice, "bob", text="private"))["conversation"]["id"]
    await web_login(client, carol)
    for path in (
        f"/messaging/{cid}",
        "/messaging/999999",
        "/messaging/abc",
        f"/messaging/{cid}/add",
    ):
        html = await page(client, path, 404)
        assert "Page not found" in html and "private" not in html
    token = csrf_from(await page(client, "/messaging"))
    response = await client.post(
        f"/messaging/{cid}/send",
        data={"csrf_token": token, "text": "let me in", "client_id": "x1"},
        headers=HTML,
    )
    assert response.status_code == 404
    assert [m["text"] for m in await messages_of(client, alice, cid)] == ["private"]


async def messages_of(client: httpx.AsyncClient, who: Persona, cid: str) -> list[dict[str, object]]:
    r = await client.get(f"/api/v1/conversations/{cid}/messages", headers=who.headers)
    assert r.status_code == 200, r.text
    items: list[dict[str, object]] = r.json()["items"]
    return items


async def test_edit_and_unsend_within_the_window(
    client: httpx.AsyncClient, cast: Cast, services: Services, clock: object
) -> None:
    alice, bob = await cast.add("alice", "bob")
    await cast.connect("alice", "bob")
    cid = (await start(client, alice, "bob", text="helo"))["conversation"]["id"]
    await web_login(client, alice)
    html = await page(client, f"/messaging/{cid}")
    mid = re.search(r'data-message-id="(\d+)"', html).group(1)  # type: ignore[union-attr]
    token = csrf_from(html)
    assert f"/messages/{mid}/edit" in html and "Unsend" in html

    r = await client.post(
        f"/messaging/{cid}/messages/{mid}/edit", data={"csrf_token": token, "text": "hello"}
    )
    assert r.status_code == 303 and r.headers["location"] == f"/messaging/{cid}#m-{mid}"
    html = await page(client, f"/messaging/{cid}")
    assert '<div class="msg-text">hello</div>' in html
    assert re.search(r'<span class="msg-edited">Edited</span>', html)

    r = await client.post(f"/messaging/{cid}/messages/{mid}/unsend", data={"csrf_token": token})
    assert r.status_code == 303
    html = await page(client, f"/messaging/{cid}")
    assert "This message was deleted" in html and "hello" not in html.split("data-msg-list")[1]
    assert (await messages_of(client, bob, cid))[0]["deleted"] is True


async def test_edit_window_closes_after_an_hour(
    client: httpx.AsyncClient, cast: Cast, clock: object
) -> None:
    from inroad.clock import FrozenClock

    assert isinstance(clock, FrozenClock)
    alice, _bob = await cast.add("alice", "bob")
    await cast.connect("alice", "bob")
    cid = (await start(client, alice, "bob", text="old news"))["conversation"]["id"]
    await web_login(client, alice)
    clock.advance(minutes=59)
    assert "Unsend" in await page(client, f"/messaging/{cid}")
    clock.advance(minutes=2)
    html = await page(client, f"/messaging/{cid}")
    assert "Unsend" not in html
    mid = re.search(r'data-message-id="(\d+)"', html).group(1)  # type: ignore[union-attr]
    r = await client.post(
        f"/messaging/{cid}/messages/{mid}/edit",
        data={"csrf_token": csrf_from(html), "text": "new"},
        headers=HTML,
    )
    assert r.status_code == 403
    assert "within 60 minutes" in r.text and "old news" in r.text


async def test_reactions_without_javascript(client: httpx.AsyncClient, cast: Cast) -> None:
    alice, bob = await cast.add("alice", "bob")
    await cast.connect("alice", "bob")
    cid = (await start(client, alice, "bob", text="Good news!"))["conversation"]["id"]
    await web_login(client, bob)
    html = await page(client, f"/messaging/{cid}")
    mid = re.search(r'data-message-id="(\d+)"', html).group(1)  # type: ignore[union-attr]
    for emoji in ("👍", "❤️", "😂", "🎉", "👏", "😮"):
        assert f'value="{emoji}"' in html
    add = f"/messaging/{cid}/messages/{mid}/reactions/add"
    r = await client.post(add, data={"csrf_token": csrf_from(html), "emoji": "🎉"})
    assert r.status_code == 303
    html = await page(client, f"/messaging/{cid}")
    assert 'class="reaction mine" aria-pressed="true"' in html
    assert (await messages_of(client, alice, cid))[0]["reactions"] == [
        {"emoji": "🎉", "count": 1, "mine": False}
    ]
    r = await client.post(
        f"/messaging/{cid}/messages/{mid}/reactions/remove",
        data={"csrf_token": csrf_from(html), "emoji": "🎉"},
    )
    assert r.status_code == 303
    assert (await messages_of(client, alice, cid))[0]["reactions"] == []
    r = await client.post(add, data={"csrf_token": csrf_from(html), "emoji": "<b>"}, headers=HTML)
    assert r.status_code == 422 and "single emoji" in r.text


# --- sending without JavaScript ------------------------------------------------------------


async def test_no_js_send_needs_csrf_and_is_idempotent(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    alice, bob = await cast.add("alice", "bob")
    await cast.connect("alice", "bob")
    cid = (await start(client, alice, "bob", text="Hi"))["conversation"]["id"]
    await web_login(client, bob)
    html = await page(client, f"/messaging/{cid}")
    token, client_id = csrf_from(html), field_value(html, "client_id")

    refused = await client.post(
        f"/messaging/{cid}/send", data={"text": "forged", "client_id": "forged-1"}, headers=HTML
    )
    assert refused.status_code == 403 and "did not come from Inroad" in refused.text
    wrong = await client.post(
        f"/messaging/{cid}/send",
        data={"csrf_token": "x" + token[1:], "text": "forged", "client_id": "forged-2"},
    )
    assert wrong.status_code == 403
    assert [m["text"] for m in await messages_of(client, alice, cid)] == ["Hi"]

    form = {"csrf_token": token, "text": "Hello <b>Alice</b>", "client_id": client_id}
    sent = await client.post(f"/messaging/{cid}/send", data=form)
    assert sent.status_code == 303
    assert re.fullmatch(rf"/messaging/{cid}#m-\d+", sent.headers["location"])
    again = await client.post(f"/messaging/{cid}/send", data=form)  # a double submit
    assert again.headers["location"] == sent.headers["location"]
    assert [m["text"] for m in await messages_of(client, alice, cid)] == [
        "Hello <b>Alice</b>",
        "Hi",
    ]
    assert "Hello &lt;b&gt;Alice&lt;/b&gt;" in await page(client, f"/messaging/{cid}")
    assert field_value(await page(client, f"/messaging/{cid}"), "client_id") != client_id


async def test_no_js_send_refusals_keep_the_draft(client: httpx.AsyncClient, cast: Cast) -> None:
    alice, bob = await cast.add("alice", "bob")
    await cast.connect("alice", "bob")
    cid = (await start(client, alice, "bob", text="Hi"))["conversation"]["id"]
    await web_login(client, bob)
    html = await page(client, f"/messaging/{cid}")
    token = csrf_from(html)

    at_limit = {"csrf_token": token, "text": "a" * MAX_TEXT, "client_id": "c-limit"}
    assert (await client.post(f"/messaging/{cid}/send", data=at_limit)).status_code == 303
    over = {"csrf_token": token, "text": "b" * (MAX_TEXT + 1), "client_id": "c-over"}
    r = await client.post(f"/messaging/{cid}/send", data=over, headers=HTML)
    assert r.status_code == 422
    assert "the limit is 8000" in r.text and "b" * (MAX_TEXT + 1) in r.text
    assert field_value(r.text, "client_id") == "c-over"  # a retry stays idempotent
    r = await client.post(
        f"/messaging/{cid}/send",
        data={"csrf_token": token, "text": "   ", "client_id": "c-blank"},
        headers=HTML,
    )
    assert r.status_code == 422 and "Write a message or attach a file." in r.text
    assert len(await messages_of(client, alice, cid)) == 2


async def test_no_js_send_with_an_attachment(client: httpx.AsyncClient, cast: Cast) -> None:
    from tests.factories import image_bytes

    alice, bob, outsider = await cast.add("alice", "bob", "olga")
    await cast.connect("alice", "bob")
    cid = (await start(client, alice, "bob", text="Hi"))["conversation"]["id"]
    await web_login(client, bob)
    token = csrf_from(await page(client, f"/messaging/{cid}"))
    r = await client.post(
        f"/messaging/{cid}/send",
        data={"csrf_token": token, "text": "", "client_id": "with-file"},
        files={"file": ("chart.png", image_bytes(), "image/png")},
    )
    assert r.status_code == 303, r.text
    r = await client.post(
        f"/messaging/{cid}/send",
        data={"csrf_token": token, "text": "notes", "client_id": "with-doc"},
        files={"file": ("notes.txt", b"plain notes", "text/plain")},
    )
    assert r.status_code == 303, r.text
    html = await page(client, f"/messaging/{cid}")
    image = re.search(r'<img class="msg-image" src="(/messaging/files/\d+)" alt="chart.png"', html)
    doc = re.search(r'<a class="msg-file" href="(/messaging/files/\d+)"[^>]*>notes.txt</a>', html)
    assert image and doc
    # The page's links work with the session cookie alone; the API's safety headers come along.
    shown = await client.get(image.group(1))
    assert shown.status_code == 200 and shown.headers["content-type"] == "image/png"
    assert shown.content == image_bytes()
    download = await client.get(doc.group(1))
    assert download.status_code == 200 and download.content == b"plain notes"
    assert download.headers["content-disposition"].startswith("attachment")
    assert download.headers["x-content-type-options"] == "nosniff"
    client.cookies.clear()
    await web_login(client, outsider)
    assert (await client.get(image.group(1), headers=HTML)).status_code == 404
    assert (await client.get("/messaging/files/abc", headers=HTML)).status_code == 404
    newest = (await messages_of(client, alice, cid))[0]
    assert newest["text"] == "notes"
    assert newest["attachments"][0]["name"] == "notes.txt"  # type: ignore[index]


# --- starting conversations ----------------------------------------------------------------


async def test_new_message_picker_and_start(client: httpx.AsyncClient, cast: Cast) -> None:
    alice, bob, carol, dave = await cast.add("alice", "bob", "carol", "dave")
    await cast.connect("alice", "bob", "carol")
    await web_login(client, alice)
    html = await page(client, "/messaging/new")
    assert 'value="bob"' in html and 'value="carol"' in html and 'value="dave"' not in html
    html = await page(client, "/messaging/new?q=car&to=bob")
    assert re.search(r'value="bob" checked', html) and 'value="carol"' in html
    assert '<input type="hidden" name="to" value="bob">' in html  # kept across searches

    token, client_id = csrf_from(html), field_value(html, "client_id")
    r = await client.post(
        "/messaging/new",
        data={
            "csrf_token": token,
            "to": "bob",
            "text": "Hi <i>Bob</i>",
            "client_id": client_id,
            "title": "ignored for a 1:1",
        },
    )
    assert r.status_code == 303
    direct = re.fullmatch(r"/messaging/(\d+)#m-\d+", r.headers["location"]).group(1)  # type: ignore[union-attr]
    assert (await conversation(client, bob, direct))["kind"] == "direct"
    # A second "new message" to Bob continues the same conversation.
    r = await client.post(
        "/messaging/new",
        data={
            "csrf_token": token,
            "to": "bob",
            "text": "again",
            "client_id": "second-1",
        },
    )
    assert r.headers["location"].startswith(f"/messaging/{direct}#")

    r = await client.post(
        "/messaging/new",
        data={
            "csrf_token": token,
            "to": ["bob", "carol"],
            "text": "Plan?",
            "client_id": "group-1",
            "title": "Project",
        },
    )
    group = re.fullmatch(r"/messaging/(\d+)#m-\d+", r.headers["location"]).group(1)  # type: ignore[union-attr]
    made = await conversation(client, carol, group)
    assert made["kind"] == "group" and made["title"] == "Project"

    r = await client.post(
        "/messaging/new",
        data={
            "csrf_token": token,
            "to": ["bob", dave.handle],
            "text": "Hi all",
            "client_id": "group-2",
        },
        headers=HTML,
    )
    assert r.status_code == 403
    assert "You can message only your connections" in r.text and "Hi all" in r.text
    assert (
        await client.post(
            "/messaging/new", data={"to": "bob", "text": "x", "client_id": "n"}, headers=HTML
        )
    ).status_code == 403


# --- conversation settings -----------------------------------------------------------------


async def test_archive_mute_and_mark_unread(client: httpx.AsyncClient, cast: Cast) -> None:
    alice, bob = await cast.add("alice", "bob")
    await cast.connect("alice", "bob")
    cid = (await start(client, alice, "bob", text="Hi"))["conversation"]["id"]
    await web_login(client, bob)
    token = csrf_from(await page(client, f"/messaging/{cid}"))
    assert (await conversation(client, bob, cid))["unread_count"] == 0

    r = await client.post(
        f"/messaging/{cid}/archive", data={"csrf_token": token, "archived": "true"}
    )
    assert r.status_code == 303
    assert cid in rows(await page(client, "/messaging?folder=archived"))
    assert cid not in rows(await page(client, "/messaging"))
    r = await client.post(
        f"/messaging/{cid}/archive", data={"csrf_token": token, "archived": "false"}
    )
    assert (await conversation(client, bob, cid))["folder"] == "focused"

    await client.post(f"/messaging/{cid}/mute", data={"csrf_token": token, "muted": "true"})
    assert (await conversation(client, bob, cid))["muted"] is True
    assert ">Unmute<" in await page(client, f"/messaging/{cid}")
    await client.post(f"/messaging/{cid}/mute", data={"csrf_token": token, "muted": "false"})
    assert (await conversation(client, bob, cid))["muted"] is False

    r = await client.post(f"/messaging/{cid}/unread", data={"csrf_token": token})
    assert r.status_code == 303 and r.headers["location"] == "/messaging?folder=focused"
    html = await page(client, "/messaging")
    assert unread_badge(rows(html)[cid]) == "1" and header_badge(html) == "1"

    for action in ("archive", "mute", "unread"):
        assert (await client.post(f"/messaging/{cid}/{action}", data={})).status_code == 403
    assert (await conversation(client, bob, cid))["unread_count"] == 1


async def test_group_rename_add_remove_and_leave(client: httpx.AsyncClient, cast: Cast) -> None:
    alice, bob, carol, dave = await cast.add("alice", "bob", "carol", "dave")
    await cast.connect("alice", "bob", "carol", "dave")
    cid = (await start(client, alice, "bob", "carol", text="Hello group"))["conversation"]["id"]
    await web_login(client, alice)
    html = await page(client, f"/messaging/{cid}")
    token = csrf_from(html)
    assert "People and group name" in html and "Leave conversation" in html

    r = await client.post(
        f"/messaging/{cid}/rename", data={"csrf_token": token, "title": "Crew <3"}
    )
    assert r.status_code == 303
    assert "Crew &lt;3" in await page(client, f"/messaging/{cid}")
    r = await client.post(
        f"/messaging/{cid}/rename", data={"csrf_token": token, "title": "t" * 201}, headers=HTML
    )
    assert r.status_code == 422 and "The title is 201 characters" in r.text

    html = await page(client, f"/messaging/{cid}/add")
    assert 'value="dave"' in html and 'value="bob"' not in html  # members are not offered
    r = await client.post(
        f"/messaging/{cid}/participants", data={"csrf_token": token, "to": "dave"}
    )
    assert r.status_code == 303, r.text
    handles = {p["handle"] for p in (await conversation(client, dave, cid))["participants"]}
    assert handles == {"alice", "bob", "carol", "dave"}

    r = await client.post(f"/messaging/{cid}/participants/carol/remove", data={"csrf_token": token})
    assert r.status_code == 303
    assert (
        await client.get(f"/api/v1/conversations/{cid}", headers=carol.headers)
    ).status_code == 404

    r = await client.post(f"/messaging/{cid}/leave", data={"csrf_token": token})
    assert r.status_code == 303 and r.headers["location"] == "/messaging"
    await page(client, f"/messaging/{cid}", 404)
    assert {p["handle"] for p in (await conversation(client, bob, cid))["participants"]} == {
        "bob",
        "dave",
    }


async def test_report_a_conversation(client: httpx.AsyncClient, cast: Cast) -> None:
    alice, bob = await cast.add("alice", "bob")
    await cast.connect("alice", "bob")
    cid = (await start(client, alice, "bob", text="Buy my course"))["conversation"]["id"]
    await web_login(client, bob)
    html = await page(client, f"/messaging/{cid}")
    for reason in ("spam", "scam", "harassment", "inappropriate", "other"):
        assert f'<option value="{reason}">' in html
    token = csrf_from(html)
    r = await client.post(f"/messaging/{cid}/report", data={"csrf_token": token, "reason": "spam"})
    assert r.status_code == 303
    r = await client.post(
        f"/messaging/{cid}/report", data={"csrf_token": token, "reason": "boring"}, headers=HTML
    )
    assert r.status_code == 422 and "The reason is one of" in r.text
    assert (
        await client.post(
            "/messaging/99999/report", data={"csrf_token": token, "reason": "spam"}, headers=HTML
        )
    ).status_code == 404
    # Bob and Alice keep their conversation; the API still answers for both.
    assert (await inbox(client, alice))["items"][0]["id"] == cid


async def test_message_request_from_a_non_connection(
    client: httpx.AsyncClient, cast: Cast, services: Services
) -> None:
    alice, bob = await cast.add("alice", "bob")
    async with services.db.write() as conn:  # Open Profile is a premium setting
        await conn.execute(
            sa.update(members).where(members.c.handle == "bob").values(open_profile=True)
        )
    cid = (await start(client, alice, "bob", text="Hello from outside"))["conversation"]["id"]
    await web_login(client, alice)
    html = await page(client, f"/messaging/{cid}")
    assert "Your message request is waiting" in html
    assert 'class="compose"' not in html  # the sender may not write again until it is accepted

    client.cookies.clear()
    await web_login(client, bob)
    assert cid not in rows(await page(client, "/messaging"))
    assert cid in rows(await page(client, "/messaging?folder=other"))
    html = await page(client, f"/messaging/{cid}")
    # Alice is not a connection: her degree and profile strength show, as a trust signal.
    heading = html.split('class="conv-sub"')[1].split("</p>")[0]
    assert "badge-degree" in heading and "3rd+" in heading
    assert "badge-strength level-beginner" in heading
    assert 'class="compose"' in html  # the recipient may answer (which accepts)
    assert f'action="/requests/{cid}/respond"' in html  # the premium pages' Accept / Decline


async def test_seen_receipt_survives_a_reload_and_is_reciprocal(
    client: httpx.AsyncClient, cast: Cast, services: Services
) -> None:
    alice, bob = await cast.add("alice", "bob")
    await cast.connect("alice", "bob")
    cid = (await start(client, alice, "bob", text="Are you coming on Friday?"))["conversation"][
        "id"
    ]
    await web_login(client, alice)
    assert '<p class="seen-receipt" data-seen hidden>' in await page(client, f"/messaging/{cid}")
    last = (await conversation(client, bob, cid))["last_message"]["id"]
    r = await client.post(
        f"/api/v1/conversations/{cid}/read", json={"message_id": last}, headers=bob.headers
    )
    assert r.status_code == 204
    assert '<p class="seen-receipt" data-seen>' in await page(client, f"/messaging/{cid}")
    # Read receipts are reciprocal: once Bob turns them off, Alice no longer sees "Seen".
    async with services.db.write() as conn:
        await conn.execute(
            sa.update(members).where(members.c.handle == "bob").values(read_receipts=False)
        )
    assert '<p class="seen-receipt" data-seen hidden>' in await page(client, f"/messaging/{cid}")
    # Nor after a newer message of hers that Bob has not read.
    async with services.db.write() as conn:
        await conn.execute(
            sa.update(members).where(members.c.handle == "bob").values(read_receipts=True)
        )
    await send(client, alice, cid, "Reply when you can")
    assert '<p class="seen-receipt" data-seen hidden>' in await page(client, f"/messaging/{cid}")
