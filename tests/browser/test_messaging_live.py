"""Messaging live in two browsers: one member sends, the other sees it arrive without reloading,
as text; typing indicator, reactions, screenshots at laptop and phone widths; and the event
WebSocket's cookie sign-in, refused from another origin."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Dialog,
    Page,
    ViewportSize,
    WebSocketRoute,
    expect,
)
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect as ws_connect

from tests.browser.conftest import DESKTOP, PHONE
from tests.factories import image_bytes

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
XSS = "<script>alert(1)</script> and https://example.com"


@dataclass
class Member:
    handle: str
    name: str
    email: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def api(base: str, method: str, path: str, who: Member | None = None, **kw: Any) -> Any:
    response = httpx.request(method, base + path, headers=who.headers if who else None, **kw)
    assert response.status_code < 300, response.text
    return response.json() if response.content else None


def sign_up(base: str, name: str, email: str) -> Member:
    body = api(
        base,
        "POST",
        "/api/v1/auth/signup",
        json={"email": email, "password": PASSWORD, "name": name},
    )
    return Member(body["member"]["handle"], name, email, body["token"])


def connect_by_invitation(base: str, a: Member, b: Member) -> None:
    api(
        base,
        "POST",
        "/api/v1/invitations",
        a,
        json={"to": b.handle, "how_you_know": {"relation": "friend"}},
    )
    received = api(base, "GET", "/api/v1/invitations?direction=received", b)["items"]
    api(base, "POST", f"/api/v1/invitations/{received[0]['id']}/accept", b)


@dataclass
class Scene:
    ada: Member
    ben: Member
    cleo: Member
    direct: str
    group: str


@pytest.fixture(scope="module")
def scene(live_server: str) -> Scene:
    ada = sign_up(live_server, "Ada Okafor", "ada@example.com")
    ben = sign_up(live_server, "Ben Marsh", "ben@example.com")
    cleo = sign_up(live_server, "Cleo Duarte-Whitfield", "cleo@example.com")
    connect_by_invitation(live_server, ada, ben)
    connect_by_invitation(live_server, cleo, ben)
    connect_by_invitation(live_server, cleo, ada)
    group = api(
        live_server,
        "POST",
        "/api/v1/conversations",
        cleo,
        json={
            "participants": [ada.handle, ben.handle],
            "title": "Conference crew",
            "text": "Who is going to the Lisbon meetup? Tickets: https://example.org/tickets",
            "client_id": "scene-group",
        },
    )["conversation"]["id"]
    direct = api(
        live_server,
        "POST",
        "/api/v1/conversations",
        ada,
        json={
            "participants": [ben.handle],
            "text": "Hi Ben! Do you have a minute for a quick question?",
            "client_id": "scene-direct",
        },
    )["conversation"]["id"]
    api(
        live_server,
        "POST",
        f"/api/v1/conversations/{direct}/messages",
        ben,
        json={"text": "Sure, go ahead.\nI am around all afternoon.", "client_id": "scene-reply"},
    )
    upload = api(
        live_server,
        "POST",
        "/api/v1/uploads",
        ada,
        files={
            "file": ("chart.png", image_bytes(size=(360, 200), color=(40, 110, 190)), "image/png")
        },
    )
    api(
        live_server,
        "POST",
        f"/api/v1/conversations/{direct}/messages",
        ada,
        json={
            "text": "Here is the chart I mentioned.",
            "client_id": "scene-chart",
            "attachments": [upload["id"]],
        },
    )
    return Scene(ada, ben, cleo, direct, group)


def log_in(context: BrowserContext, who: Member) -> Page:
    page = context.new_page()
    page.goto("/login")
    page.fill("#email", who.email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.get_by_role("heading", name=re.compile("Welcome"))).to_be_visible()
    return page


@pytest.fixture
def contexts(browser: Browser, live_server: str) -> Iterator[Callable[..., BrowserContext]]:
    made: list[BrowserContext] = []

    def new(viewport: ViewportSize = DESKTOP) -> BrowserContext:
        context = browser.new_context(base_url=live_server, viewport=viewport)
        context.set_default_timeout(10_000)
        made.append(context)
        return context

    yield new
    for context in made:
        context.close()


def wait_live(page: Page) -> None:
    expect(page.locator("[data-messaging]")).to_have_attribute("data-live", "on")


def test_a_message_arrives_live_as_text(
    scene: Scene, contexts: Callable[..., BrowserContext]
) -> None:
    ada_page = log_in(contexts(), scene.ada)
    ben_page = log_in(contexts(), scene.ben)
    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:  # an alert() would mean the script ran
        dialogs.append(dialog.message)
        dialog.dismiss()

    ben_page.on("dialog", on_dialog)

    ben_page.goto(f"/messaging/{scene.direct}")
    ada_page.goto(f"/messaging/{scene.direct}")
    expect(ben_page.locator(".conv-heading h2")).to_have_text("Ada Okafor")
    wait_live(ben_page)
    wait_live(ada_page)
    ben_page.evaluate("window.__sameDocument = true")

    # Ada types: Ben sees the indicator while she does.
    box = ada_page.locator("#compose-text")
    box.press_sequentially("<script>alert(1)</script> and ", delay=20)
    expect(ben_page.locator("[data-typing]")).to_have_text("Ada Okafor is typing…")
    box.press_sequentially("https://example.com", delay=5)
    box.press("Enter")

    mine = ada_page.locator(".msg.msg-mine").last
    expect(mine.locator(".msg-text")).to_have_text(XSS)
    expect(box).to_have_value("")

    arrived = ben_page.locator(".msg").last
    expect(arrived.locator(".msg-text")).to_have_text(XSS)
    expect(arrived.locator(".msg-sender")).to_have_text("Ada Okafor")
    link = arrived.locator(".msg-text a")
    expect(link).to_have_count(1)
    expect(link).to_have_attribute("href", "https://example.com")
    expect(link).to_have_attribute("rel", "noopener nofollow ugc")
    assert ben_page.locator(".msg-list script").count() == 0
    assert ben_page.evaluate("window.__sameDocument") is True  # no reload happened
    expect(ben_page.locator("[data-typing]")).to_be_hidden()  # the message ends the indicator
    row = ben_page.locator(f'.conv-row[data-conversation-id="{scene.direct}"]')
    expect(row.locator(".conv-snippet")).to_have_text(
        "<script>alert(1)</script> and https://example.com"
    )
    # Ada sees that Ben, who had the conversation open, read it.
    expect(ada_page.locator("[data-seen]")).to_be_visible()

    # Ben reacts; Ada sees the reaction arrive.
    arrived.hover()
    arrived.locator(".msg-menu > summary").click()
    arrived.locator(".emoji-picker button", has_text="👏").click()
    expect(arrived.locator(".reaction.mine")).to_contain_text("👏 1")
    ada_message = ada_page.locator(".msg.msg-mine").last
    expect(ada_message.locator(".reaction")).to_contain_text("👏 1")
    expect(ada_message.locator(".reaction")).not_to_have_class(re.compile("mine"))
    arrived.locator(".reaction.mine").click()  # taking it back
    expect(arrived.locator(".msg-reactions")).to_be_hidden()
    expect(ada_message.locator(".msg-reactions")).to_be_hidden()

    # Ada edits, then unsends, from the message's menu: Ben's copy follows.
    ada_message.hover()
    ada_message.locator(".msg-menu > summary").click()
    ada_message.locator(".msg-edit-form textarea").fill("Scratch that, see https://example.com")
    ada_message.locator(".msg-edit-form button").click()
    expect(arrived.locator(".msg-text")).to_have_text("Scratch that, see https://example.com")
    expect(arrived.locator(".msg-edited")).to_be_visible()
    ada_page.once("dialog", lambda d: d.accept())
    ada_message = ada_page.locator(".msg.msg-mine").last
    ada_message.hover()
    ada_message.locator(".msg-menu > summary").click()
    ada_message.locator(".msg-unsend-form button").click()
    expect(arrived.locator(".msg-tombstone")).to_have_text("This message was deleted")
    expect(arrived.locator(".msg-text")).to_have_count(0)
    expect(ada_message.locator(".msg-tombstone")).to_be_visible()
    assert dialogs == []


def test_reconnect_replays_what_was_missed(
    scene: Scene, contexts: Callable[..., BrowserContext], live_server: str
) -> None:
    ben_page = log_in(contexts(), scene.ben)
    sockets: list[WebSocketRoute] = []

    def relay(ws: WebSocketRoute) -> None:
        ws.connect_to_server()
        sockets.append(ws)

    ben_page.route_web_socket(re.compile(r"/api/v1/events"), relay)
    ben_page.goto(f"/messaging/{scene.group}")
    wait_live(ben_page)
    ben_page.evaluate("window.__sameDocument = true")
    # Drop Ben's connection and send while he is away: the client reconnects by itself with
    # since = the last cursor it saw, and the server replays the message.
    sockets[0].close()
    expect(ben_page.locator("[data-messaging]")).to_have_attribute("data-live", "off")
    api(
        live_server,
        "POST",
        f"/api/v1/conversations/{scene.group}/messages",
        scene.cleo,
        json={"text": "Sent while Ben was away", "client_id": "while-away"},
    )
    expect(ben_page.locator(".msg").last.locator(".msg-text")).to_have_text(
        "Sent while Ben was away", timeout=15_000
    )
    assert len(sockets) == 2 and "since=" in sockets[1].url
    assert ben_page.evaluate("window.__sameDocument") is True


def test_the_inbox_follows_new_messages(
    scene: Scene, contexts: Callable[..., BrowserContext], live_server: str
) -> None:
    ben_page = log_in(contexts(), scene.ben)
    ben_page.goto(f"/messaging/{scene.direct}")  # reads the 1:1
    ben_page.goto("/messaging")
    wait_live(ben_page)
    header = ben_page.locator('.main-nav a[href="/messaging"] .nav-badge')
    before = int(header.inner_text().split()[0]) if header.count() else 0
    row = ben_page.locator(f'.conv-row[data-conversation-id="{scene.direct}"]')
    expect(row.locator(".unread-badge")).to_be_hidden()

    api(
        live_server,
        "POST",
        f"/api/v1/conversations/{scene.direct}/messages",
        scene.ada,
        json={"text": "One more <b>thing</b>", "client_id": "inbox-bump"},
    )
    expect(ben_page.locator(".conv-row").first).to_have_attribute(
        "data-conversation-id", scene.direct
    )
    expect(row.locator(".unread-badge")).to_have_text("1 unread")
    expect(row.locator(".conv-snippet")).to_have_text("One more <b>thing</b>")
    expect(header).to_have_text(f"{before + 1} new")


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_messaging_screens(
    scene: Scene,
    contexts: Callable[..., BrowserContext],
    screenshot: Callable[[Page, str], Path],
    size: str,
) -> None:
    viewport = DESKTOP if size == "desktop" else PHONE
    page = log_in(contexts(viewport), scene.ben)
    page.goto("/messaging")
    expect(page.locator(".conv-row")).to_have_count(2)
    screenshot(page, f"messaging-inbox-{size}")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    if size == "phone":
        expect(page.locator(".msg-pane")).to_be_hidden()
    page.locator(f'.conv-row[data-conversation-id="{scene.direct}"] a').click()
    expect(page).to_have_url(re.compile(rf"/messaging/{scene.direct}$"))
    if size == "phone":
        expect(page.locator(".msg-sidebar")).to_be_hidden()
    image = page.locator(".msg-image")
    expect(image).to_have_attribute("alt", "chart.png")
    assert image.evaluate("img => img.decode().then(() => img.naturalWidth)") == 360
    expect(page.locator(".compose textarea")).to_be_in_viewport()
    screenshot(page, f"messaging-conversation-{size}")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    page.locator(".conv-menu > summary").click()
    expect(page.locator(".conv-menu-body")).to_be_visible()
    expect(page.locator(".conv-menu-body .btn-danger")).to_be_in_viewport()
    screenshot(page, f"messaging-conversation-menu-{size}")
    page.locator(".conv-heading").click()  # a click elsewhere closes it
    expect(page.locator(".conv-menu-body")).to_be_hidden()
    own = page.locator(".msg.msg-mine").first
    own.hover()
    own.locator(".msg-menu > summary").click()
    expect(own.locator(".emoji-picker")).to_be_in_viewport()
    screenshot(page, f"messaging-message-menu-{size}")
    page.goto("/messaging/new")
    expect(page.locator(".picker-row")).to_have_count(2)
    screenshot(page, f"messaging-new-{size}")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


def test_event_socket_takes_the_session_cookie_only_from_this_site(
    scene: Scene, live_server: str
) -> None:
    url = live_server.replace("http://", "ws://") + "/api/v1/events?since=0"
    cookie = f"inroad_session={scene.ben.token}"
    with ws_connect(url, additional_headers={"Cookie": cookie, "Origin": live_server}) as ws:
        first = json.loads(ws.recv(timeout=5))
        assert first["type"] == "invitation.accepted" or first["cursor"] == "1"
    for origin in ("http://evil.example", "null", None):
        headers = {"Cookie": cookie, **({"Origin": origin} if origin else {})}
        with pytest.raises(InvalidStatus) as refused:
            ws_connect(url, additional_headers=headers).close()
        assert refused.value.response.status_code == 401
