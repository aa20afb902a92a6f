"""The WebSocket at ``/api/v1/events`` (API.md "Real-time").

Handshake: the token comes from ``?token=`` or ``Authorization: Bearer`` — or, for the web UI,
the session cookie when ``Origin`` is this site; without a valid one the
upgrade is refused with an HTTP 401 (the ASGI WebSocket denial-response extension; a server
without it gets a 1008 close instead). ``?since=`` replays what was missed, then events stream
live.

Exactly-once, in-order delivery: the connection subscribes to the bus *before* replaying from
the events table, and remembers the last cursor it sent. A live event at or below it is a
duplicate and dropped; one that skips ahead means others were published out of order (several
writers) or dropped (an overflowing queue), so the gap is read from the table first — a cursor
is only ever visible once every smaller one for that member is committed, because the counter
row is locked until commit.

Client frames: ``{"type": "typing", "conversation_id": "…"}`` is relayed live (never stored) to
the other participants, when the typist and they have read receipts on; anything else is
ignored.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from fastapi import APIRouter, WebSocket
from fastapi.responses import JSONResponse
from starlette.websockets import WebSocketDisconnect, WebSocketState

from inroad.accounts.actions import SESSION_REVOKED, authenticate
from inroad.accounts.actor import Actor
from inroad.errors import InvalidInput, NotFound
from inroad.messaging import queries as messaging_queries
from inroad.messaging.events import TYPING
from inroad.messaging.views import parse_id
from inroad.realtime.bus import Event, Lagged, Subscription
from inroad.realtime.outbox import dumps
from inroad.realtime.store import events_after, parse_since, position
from inroad.services import Services
from inroad.web.shell import SESSION_COOKIE

router = APIRouter()
log = logging.getLogger("inroad.realtime")

REPLAY_BATCH = 500
# A client repeating "typing" while the member types is relayed at most this often per
# conversation (each relay costs a query).
TYPING_INTERVAL = timedelta(seconds=2)
# Close codes: 1012 "service restart" when the server shuts the bus down.
CLOSE_RESTART = 1012
# The token was revoked (log-out, account deleted): the client should not reconnect with it.
CLOSE_REVOKED = 4401


def _token(websocket: WebSocket, base_url: str) -> str | None:
    token = websocket.query_params.get("token")
    if token:
        return token
    scheme, _, value = websocket.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    # A browser cannot put a token on a WebSocket, so the web UI's session cookie counts too —
    # but only from a page of this site: browsers send cookies on cross-site WebSockets, so
    # without the Origin check any site could read a signed-in member's events (CSWSH).
    cookie = websocket.cookies.get(SESSION_COOKIE)
    if cookie and _same_origin(websocket, base_url):
        return cookie
    return None


def _same_origin(websocket: WebSocket, base_url: str) -> bool:
    """The handshake's ``Origin`` is this server: the ``Host`` it was sent to, or the configured
    base URL (behind a proxy that rewrites ``Host``)."""
    origin = urlsplit(websocket.headers.get("origin", ""))
    if origin.scheme not in ("http", "https") or not origin.netloc:
        return False
    base = urlsplit(base_url)
    host = websocket.headers.get("host", "")
    return origin.netloc == host or (origin.scheme, origin.netloc) == (base.scheme, base.netloc)


async def _deny(websocket: WebSocket, status: int, code: str, message: str) -> None:
    if "websocket.http.response" in websocket.scope.get("extensions", {}):
        await websocket.send_denial_response(
            JSONResponse({"error": {"code": code, "message": message}}, status_code=status)
        )
    else:
        await websocket.close(code=1008, reason=code)


@router.websocket("/api/v1/events")
async def events_socket(websocket: WebSocket) -> None:
    svc: Services = websocket.app.state.services
    token = _token(websocket, svc.settings.base_url)
    actor = await authenticate(svc, token) if token else None
    if actor is None:
        await _deny(
            websocket,
            401,
            "not_signed_in",
            "Sign in first: pass ?token=TOKEN or 'Authorization: Bearer TOKEN'.",
        )
        return
    try:
        since = parse_since(websocket.query_params.get("since"))
    except InvalidInput as exc:
        await _deny(websocket, 422, exc.code, exc.message)
        return
    await websocket.accept()
    await _Connection(svc, websocket, actor).run(since)


class _Connection:
    def __init__(self, svc: Services, websocket: WebSocket, actor: Actor) -> None:
        self.svc = svc
        self.websocket = websocket
        self.actor = actor
        self.last = 0  # the newest cursor this client has been sent
        self.typing_sent: dict[int, datetime] = {}
        self.revoked = False

    async def run(self, since: int | None) -> None:
        async with self.svc.bus.subscribe(self.actor.id) as subscription:
            async with self.svc.db.read() as conn:
                current = await position(conn, self.actor.id)
            # No since: from now. A since beyond the member's position (a cursor from before a
            # database restore) starts from the position too, as sync does, or newer events
            # with smaller cursors would be dropped as duplicates.
            self.last = current if since is None else min(since, current)
            await self._catch_up(None)
            pump = asyncio.create_task(self._pump(subscription))
            reader = asyncio.create_task(self._read())
            try:
                done, _ = await asyncio.wait({pump, reader}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for task in (pump, reader):
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect):
                        await task
            for task in done:
                error = task.exception()
                if error is not None and not isinstance(error, WebSocketDisconnect | OSError):
                    log.error("event socket for member %s failed", self.actor.id, exc_info=error)
        if self.websocket.application_state == WebSocketState.CONNECTED:
            with contextlib.suppress(Exception):
                await self.websocket.close(code=CLOSE_REVOKED if self.revoked else CLOSE_RESTART)

    async def _catch_up(self, upto: int | None) -> None:
        """Send stored events after ``self.last`` (up to ``upto``), in order."""
        while True:
            async with self.svc.db.read() as conn:
                batch = await events_after(conn, self.actor.id, self.last, REPLAY_BATCH, upto)
            for event in batch:
                await self.websocket.send_text(event.frame())
                self.last = event.cursor or self.last
            if len(batch) < REPLAY_BATCH:
                return

    async def _pump(self, subscription: Subscription) -> None:
        while True:
            try:
                event = await anext(subscription)
            except StopAsyncIteration:
                return
            except Lagged:
                await self._catch_up(None)
                continue
            if event.type == SESSION_REVOKED:
                revoked = json.loads(event.data)["token_id"]
                if revoked is None or revoked == self.actor.token_id:
                    self.revoked = True
                    return
                continue
            if event.cursor is None:
                await self.websocket.send_text(event.frame())
                continue
            if event.cursor <= self.last:
                continue
            if event.cursor > self.last + 1:
                await self._catch_up(event.cursor - 1)
                if event.cursor <= self.last:
                    continue
            await self.websocket.send_text(event.frame())
            self.last = event.cursor

    async def _read(self) -> None:
        while True:
            message = await self.websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
            text = message.get("text")
            if not text:
                continue
            try:
                frame = json.loads(text)
            except ValueError:
                continue
            if isinstance(frame, dict) and frame.get("type") == TYPING:
                await self._typing(frame.get("conversation_id"))

    async def _typing(self, raw_id: object) -> None:
        if not isinstance(raw_id, str | int):
            return
        try:
            conversation_id = parse_id(raw_id)
        except NotFound:
            return
        now = self.svc.clock.now()
        previous = self.typing_sent.get(conversation_id)
        if previous is not None and now - previous < TYPING_INTERVAL:
            return
        self.typing_sent[conversation_id] = now
        async with self.svc.db.read() as conn:
            targets = await messaging_queries.typing_targets(conn, self.actor.id, conversation_id)
        if targets is None or not targets.recipients:
            return
        data = dumps({"conversation_id": str(conversation_id), "member": targets.member})
        await self.svc.bus.publish([Event(m, None, TYPING, data) for m in targets.recipients])
