"""Sign-up, log-in, tokens and account deletion. Every write is one transaction."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from inroad.accounts import handles, throttle
from inroad.accounts.actor import Actor
from inroad.accounts.tables import auth_tokens, members
from inroad.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    TooManyRequests,
    Unauthorized,
    text_limit,
)
from inroad.network import actions as network_actions
from inroad.network import graph
from inroad.profiles import photos, search
from inroad.profiles import store as profile_store
from inroad.realtime.bus import Event
from inroad.services import Services

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 8
MAX_PASSWORD = 1024  # argon2 hashes anything, but a megabyte password is an attack, not a password
MAX_NAME = 200
SIGNUP_WINDOW = timedelta(hours=1)
# Verifying against a real hash keeps "unknown email" as slow as "wrong password".
_DUMMY_HASH_SOURCE = "inroad-timing-equaliser"


@dataclass(frozen=True)
class Session:
    member_id: int
    token: str


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_signup(email: str, password: str, name: str, handle: str | None) -> tuple[str, str]:
    email = normalise_email(email)
    if len(email) > 320 or not EMAIL_RE.fullmatch(email):
        raise InvalidInput("invalid_email", "Enter a valid email address, like jane@example.com.")
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(
            "weak_password", f"Choose a password of at least {MIN_PASSWORD} characters."
        )
    text_limit(password, MAX_PASSWORD, "field_too_long", "The password", field="password")
    name = name.strip()
    if not name:
        raise InvalidInput("invalid_name", "Enter your name.", field="name")
    text_limit(name, MAX_NAME, "field_too_long", "The name", field="name")
    if handle is not None and not handles.is_valid(handle):
        raise InvalidInput(
            "invalid_handle",
            "A handle is 3–100 lowercase letters, digits and single hyphens, like jane-doe.",
            field="handle",
        )
    return email, name


async def _issue_token(conn: AsyncConnection, svc: Services, member_id: int, kind: str) -> str:
    token = secrets.token_urlsafe(32)
    await conn.execute(
        auth_tokens.insert().values(
            member_id=member_id, token_hash=hash_token(token), kind=kind, created_at=svc.clock.now()
        )
    )
    return token


async def _free_handle(conn: AsyncConnection, base: str) -> str:
    candidate = base
    for _ in range(20):
        taken = await conn.execute(sa.select(members.c.id).where(members.c.handle == candidate))
        if taken.first() is None:
            return candidate
        candidate = handles.with_suffix(base)
    return handles.with_suffix(base) + secrets.token_hex(2)


async def do_signup(
    svc: Services,
    *,
    email: str,
    password: str,
    name: str,
    handle: str | None = None,
    ip: str | None = None,
    kind: str = "api",
) -> Session:
    """Create a member and a first token.

    Raises 409 ``email_taken``/``handle_taken``, 429 ``too_many_signups`` per IP.
    """
    email, name = check_signup(email, password, name, handle)
    password_hash = await hash_password(svc, password)
    now = svc.clock.now()
    limit = svc.settings.signup_limit_per_hour
    try:
        async with svc.db.write() as conn:
            if limit and ip:
                bucket = f"signup:ip:{ip}"
                count, oldest = await throttle.count_since(conn, bucket, now - SIGNUP_WINDOW)
                if count >= limit:
                    raise TooManyRequests(
                        "too_many_signups",
                        "Too many accounts were created from this address. Try again later.",
                        throttle.retry_after(oldest, SIGNUP_WINDOW, now),
                    )
                await throttle.record(conn, bucket, now)
            if (
                await conn.execute(sa.select(members.c.id).where(members.c.email == email))
            ).first():
                raise Conflict(
                    "email_taken", "An account with this email already exists. Log in instead."
                )
            if handle is not None:
                if (
                    await conn.execute(sa.select(members.c.id).where(members.c.handle == handle))
                ).first():
                    raise Conflict(
                        "handle_taken", f"The handle {handle!r} is taken. Choose another."
                    )
            else:
                handle = await _free_handle(conn, handles.slugify(name))
            member_id = (
                await conn.execute(
                    members.insert()
                    .values(
                        email=email,
                        password_hash=password_hash,
                        name=name,
                        handle=handle,
                        created_at=now,
                    )
                    .returning(members.c.id)
                )
            ).scalar_one()
            await search.reindex(conn, member_id)
            token = await _issue_token(conn, svc, member_id, kind)
    except IntegrityError as exc:
        # Two sign-ups raced past the checks above; the unique index decided.
        text = str(exc.orig).lower()
        if "email" in text:
            raise Conflict("email_taken", "An account with this email already exists.") from exc
        raise Conflict("handle_taken", "That handle is taken. Choose another.") from exc
    return Session(member_id=member_id, token=token)


async def hash_password(svc: Services, password: str) -> str:
    """Argon2 off the event loop, a few at a time: each hash takes 64 MiB of memory."""
    async with svc.hash_slots:
        return await asyncio.to_thread(svc.hasher.hash, password)


async def check_password(svc: Services, password_hash: str | None, password: str) -> bool:
    """Verify off the event loop. A missing hash is checked against a dummy one, so an unknown
    email takes as long as a wrong password."""
    if svc.dummy_hash is None:
        svc.dummy_hash = await hash_password(svc, _DUMMY_HASH_SOURCE)

    def verify() -> bool:
        try:
            return svc.hasher.verify(password_hash or svc.dummy_hash or "", password)
        except (VerificationError, InvalidHashError):
            return False

    async with svc.hash_slots:
        ok = await asyncio.to_thread(verify)
    return ok and password_hash is not None


async def do_login(
    svc: Services, *, email: str, password: str, ip: str | None = None, kind: str = "api"
) -> Session:
    """Check credentials; 401 ``invalid_credentials`` alike for an unknown email and a wrong
    password; 429 ``too_many_attempts`` after too many failures for the email (or the IP)."""
    email = normalise_email(email)[:320]
    now = svc.clock.now()
    window = timedelta(seconds=svc.settings.login_window_seconds)
    buckets = [(f"login:email:{email}", svc.settings.login_max_failures)]
    if ip:
        buckets.append((f"login:ip:{ip}", svc.settings.login_ip_max_failures))
    async with svc.db.read() as conn:
        for bucket, limit in buckets:
            count, oldest = await throttle.count_since(conn, bucket, now - window)
            if count >= limit:
                raise TooManyRequests(
                    "too_many_attempts",
                    "Too many failed log-in attempts. Wait a while, then try again.",
                    throttle.retry_after(oldest, window, now),
                )
        row = (
            await conn.execute(
                sa.select(members.c.id, members.c.password_hash, members.c.suspended).where(
                    members.c.email == email, members.c.deleted_at.is_(None)
                )
            )
        ).first()
    ok = await check_password(svc, row.password_hash if row else None, password[:1024])
    if not ok or row is None:
        async with svc.db.write() as conn:
            for bucket, _ in buckets:
                await throttle.record(conn, bucket, now)
        raise Unauthorized("invalid_credentials", "The email or password is not right.")
    async with svc.db.write() as conn:
        if row.suspended:
            raise Forbidden("account_suspended", "This account is suspended. Contact the operator.")
        token = await _issue_token(conn, svc, row.id, kind)
    return Session(member_id=row.id, token=token)


async def authenticate(svc: Services, token: str) -> Actor | None:
    """The member a token belongs to, or None (unknown, revoked, deleted or suspended)."""
    if not token or len(token) > 200:
        return None
    async with svc.db.read() as conn:
        row = (
            await conn.execute(
                sa.select(
                    members.c.id,
                    members.c.handle,
                    members.c.name,
                    members.c.plan,
                    members.c.is_operator,
                    auth_tokens.c.id.label("token_id"),
                )
                .join(auth_tokens, auth_tokens.c.member_id == members.c.id)
                .where(
                    auth_tokens.c.token_hash == hash_token(token),
                    members.c.deleted_at.is_(None),
                    members.c.suspended.is_(False),
                )
            )
        ).first()
    if row is None:
        return None
    return Actor(
        id=row.id,
        handle=row.handle,
        name=row.name,
        plan=row.plan,
        is_operator=row.is_operator,
        token_id=row.token_id,
    )


SESSION_REVOKED = "session.revoked"


async def _end_live_sessions(svc: Services, member_id: int, token_id: int | None) -> None:
    """Tell open event sockets (on every worker, through the bus) that a token stopped working:
    ``token_id`` None means all of the member's. Live-only: it is never stored or replayed."""
    data = json.dumps({"token_id": token_id})
    await svc.bus.publish([Event(member_id, None, SESSION_REVOKED, data)])


async def do_logout(svc: Services, actor: Actor) -> None:
    """Revoke the token; event sockets opened with it are closed."""
    async with svc.db.write() as conn:
        await conn.execute(auth_tokens.delete().where(auth_tokens.c.id == actor.token_id))
    await _end_live_sessions(svc, actor.id, actor.token_id)


async def do_delete_account(svc: Services, actor: Actor, password: str) -> None:
    """Remove the profile and credentials; keep the row as "Former member" for message history.
    403 ``invalid_password`` when the password is wrong."""
    async with svc.db.read() as conn:
        password_hash = (
            await conn.execute(sa.select(members.c.password_hash).where(members.c.id == actor.id))
        ).scalar_one()
    if not await check_password(svc, password_hash, password[:1024]):
        raise Forbidden(
            "invalid_password", "That password is not right; the account was not deleted."
        )
    async with svc.db.write() as conn:
        photo_key = (
            await conn.execute(sa.select(members.c.photo_key).where(members.c.id == actor.id))
        ).scalar_one()
        await graph.remove_all_connections(conn, actor.id)
        await network_actions.forget_member(conn, actor.id)
        await profile_store.erase(conn, actor.id)
        await conn.execute(auth_tokens.delete().where(auth_tokens.c.member_id == actor.id))
        await conn.execute(
            sa.update(members)
            .where(members.c.id == actor.id)
            .values(
                handle=None,
                email=None,
                password_hash=None,
                name="Former member",
                headline="",
                about="",
                industry="",
                location="",
                postal_code="",
                interests=[],
                open_to_work=False,
                photo_key=None,
                profile_points=0,
                deleted_at=svc.clock.now(),
            )
        )
        await search.remove(conn, actor.id)
    # Files go only once the row no longer points at them (after commit).
    photos.delete_files(svc, photo_key)
    await _end_live_sessions(svc, actor.id, None)
