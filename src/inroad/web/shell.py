"""What every web page module shares: templates, the session cookie, CSRF, redirects, flashes.

Contract for page modules::

    from inroad.web.shell import CsrfDep, WebActorDep, redirect, render

    @router.get("/things")
    async def things(request: Request, actor: WebActorDep) -> HTMLResponse:
        return await render(request, "things/list.html", {"nav": "network", "things": ...})

    @router.post("/things")
    async def add(request: Request, actor: WebActorDep, _: CsrfDep) -> Response:
        ...
        return redirect("/things", notice="Added.")

- ``WebActorDep`` is the signed-in ``Actor``; without a valid session the request is answered with
  a 303 to ``/login?next=<this page>`` (``LoginRequired``).
- ``CsrfDep`` must be on every state-changing route. It accepts the ``csrf_token`` form field or
  the ``X-CSRF-Token`` header and answers 403 (a friendly page, or the JSON error shape for
  callers that accept JSON) when it does not match (``CsrfFailed``).
- ``act(action, to, notice=, refused=)`` is the usual body of a form POST: run the service call,
  303 to ``to`` with ``notice``; on an ``InroadError`` show ``refused(error)`` (the form again,
  with the reason) or, without ``refused``, 303 to ``to`` with the reason as the notice.
- Templates import the macros with context so ``csrf_field()`` sees the token:
  ``{% import "macros.html" as ui with context %}``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Annotated, Any, NoReturn
from urllib.parse import quote, unquote, urlsplit

import jinja2
from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from inroad.accounts.actions import authenticate
from inroad.accounts.actor import Actor
from inroad.errors import InroadError
from inroad.profiles import queries
from inroad.services import Services

SESSION_COOKIE = "inroad_session"
ANON_CSRF_COOKIE = "inroad_csrf"
NOTICE_COOKIE = "inroad_notice"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SESSION_MAX_AGE = 30 * 24 * 3600
TEMPLATES_DIR = Path(__file__).parent / "templates"
STRENGTH_LEVELS = {
    "beginner": "Beginner",
    "intermediate": "Intermediate",
    "advanced": "Advanced",
    "expert": "Expert",
    "all_star": "All-Star",
}
# What each strength item asks the member to do (labels for inroad.profiles.strength.ITEMS).
STRENGTH_ITEMS = {
    "photo": "Add a photo",
    "headline": "Write a headline",
    "about": "Write an about section",
    "industry": "Add your industry",
    "location": "Add your location",
    "current_position": "Describe your current position",
    "past_positions": "Add two past positions",
    "education": "Add your education",
    "skills": "List at least 5 skills",
    "connections": "Reach 50 connections",
}
# Header navigation: (key for ``nav``/badges, path, label); "operator" shows to operators only.
NAV_ITEMS = (
    ("home", "/", "Home"),
    ("network", "/network", "My Network"),
    ("messaging", "/messaging", "Messaging"),
    ("premium", "/premium", "Premium"),
    ("settings", "/settings", "Settings"),
    ("operator", "/operator", "Operator"),
)
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

BadgeProvider = Callable[[Services, Actor], Awaitable[Mapping[str, int]]]


class LoginRequired(Exception):
    """Raised by ``WebActorDep`` when nobody is signed in; answered with a 303 to log in."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


class CsrfFailed(Exception):
    """Raised by ``CsrfDep`` when a state-changing request lacks a valid CSRF token."""


# --- templates -------------------------------------------------------------------------------


def initials(name: str | None) -> str:
    """Up to two initials for an avatar placeholder ("Jane van Doe" → "JD")."""
    words = [w for w in (name or "").split() if w[:1].isalnum()]
    if not words:
        return "?"
    picked = [words[0], words[-1]] if len(words) > 1 else [words[0]]
    return "".join(w[0] for w in picked).upper()


def degree_label(degree: int | None) -> str:
    return {1: "1st", 2: "2nd", 3: "3rd"}.get(degree or 0, "3rd+")


def _missing_csrf_context() -> NoReturn:
    raise RuntimeError(
        "csrf_field() needs the page context: import macros with "
        "'{% import \"macros.html\" as ui with context %}'"
    )


def build_templates() -> jinja2.Environment:
    """A Jinja2 environment over ``web/templates`` with autoescaping on for every template."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.Undefined,
    )
    env.globals.update(
        NAV_ITEMS=NAV_ITEMS,
        STRENGTH_LEVELS=STRENGTH_LEVELS,
        STRENGTH_ITEMS=STRENGTH_ITEMS,
        missing_csrf_context=_missing_csrf_context,
    )
    env.filters.update(initials=initials, degree_label=degree_label)
    return env


def install(app: FastAPI) -> None:
    """Put the shell's state on ``app.state`` and register its exception handlers."""
    app.state.templates = build_templates()
    app.state.badge_providers = []

    async def on_login_required(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, LoginRequired)
        response = RedirectResponse(f"/login?next={quote(exc.next_url, safe='/')}", status_code=303)
        if request.cookies.get(SESSION_COOKIE):
            response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    async def on_csrf_failed(request: Request, exc: Exception) -> Response:
        message = (
            "This form expired or did not come from Inroad. Go back, reload the page and try again."
        )
        if "application/json" in request.headers.get("accept", ""):
            return JSONResponse(
                {"error": {"code": "csrf_failed", "message": message}}, status_code=403
            )
        return await render(
            request,
            "error.html",
            {
                "status": 403,
                "code": "csrf_failed",
                "title": "Please try that again",
                "message": message,
            },
            status=403,
        )

    app.add_exception_handler(LoginRequired, on_login_required)
    app.add_exception_handler(CsrfFailed, on_csrf_failed)


def register_badges(app: FastAPI, provider: BadgeProvider) -> None:
    """Add a source of header badge counts: ``provider(svc, actor)`` returns e.g.
    ``{"messaging": 3}``, keyed by nav item; ``render`` merges every provider's counts."""
    app.state.badge_providers.append(provider)


def _services(request: Request) -> Services:
    svc: Services = request.app.state.services
    return svc


async def render(
    request: Request, template: str, context: dict[str, Any], status: int = 200
) -> HTMLResponse:
    """Render ``template`` with ``context`` plus ``request``, ``actor`` (Actor | None), ``me``
    (the signed-in member's Member view, for the header), ``csrf_token``, ``nav`` (the active
    header item: home, network, messaging, premium, settings — from ``context["nav"]``),
    ``badges`` (header counts by nav item) and ``notice`` (a one-time flash message)."""
    actor = await web_actor(request)
    svc = _services(request)
    badges: dict[str, int] = {}
    me = None
    if actor is not None:
        me = await queries.member_by_id(svc, actor.id)
        for provider in request.app.state.badge_providers:
            badges.update(await provider(svc, actor))
    notice = _read_notice(request)
    full: dict[str, Any] = {
        "nav": None,
        **context,
        "request": request,
        "actor": actor,
        "me": me,
        "csrf_token": csrf_token(request),
        "badges": badges,
        "notice": context.get("notice") or notice,
    }
    env: jinja2.Environment = request.app.state.templates
    html = env.get_template(template).render(full)
    response = HTMLResponse(html, status_code=status)
    _attach_anonymous_csrf(request, response)
    if notice is not None:
        response.delete_cookie(NOTICE_COOKIE, path="/")
    return response


# --- sessions --------------------------------------------------------------------------------


async def web_actor(request: Request) -> Actor | None:
    """The member whose session cookie came with the request (looked up once per request)."""
    if hasattr(request.state, "web_actor"):
        cached: Actor | None = request.state.web_actor
        return cached
    token = request.cookies.get(SESSION_COOKIE)
    actor = await authenticate(_services(request), token) if token else None
    request.state.web_actor = actor
    return actor


async def _require_actor(request: Request) -> Actor:
    actor = await web_actor(request)
    if actor is None:
        target = request.url.path
        if request.url.query:
            target += "?" + request.url.query
        raise LoginRequired(target if request.method in _SAFE_METHODS else "/")
    return actor


WebActorDep = Annotated[Actor, Depends(_require_actor)]
OptionalWebActorDep = Annotated[Actor | None, Depends(web_actor)]


def start_session(request: Request, response: Response, token: str) -> None:
    """Hand the browser its session: an HTTP-only, SameSite=Lax cookie holding the token."""
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=SESSION_MAX_AGE,
        path="/",
        httponly=True,
        samesite="lax",
        secure=_services(request).settings.secure_cookies,
    )


def end_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")


def safe_next(value: str | None, default: str = "/") -> str:
    """``value`` when it is a path on this site, else ``default`` (no open redirects)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or any(ord(ch) < 32 for ch in value):
        return default
    return value


def redirect(url: str, notice: str | None = None) -> RedirectResponse:
    """A 303 (so a POST becomes a GET) to ``url``; ``notice`` is shown once on the next page."""
    response = RedirectResponse(url, status_code=303)
    if notice:
        response.set_cookie(
            NOTICE_COOKIE, quote(notice), max_age=60, path="/", httponly=True, samesite="lax"
        )
    return response


async def act(
    action: Callable[[], Awaitable[object]],
    to: str,
    *,
    notice: str | None = None,
    refused: Callable[[InroadError], Awaitable[Response]] | None = None,
) -> Response:
    """Run ``action`` (a service call) and answer a 303 to ``to`` with ``notice``. When the
    service refuses (``InroadError``) answer ``refused(error)`` — typically the page again with
    the reason — or, without ``refused``, the same 303 with the reason as the notice."""
    try:
        await action()
    except InroadError as exc:
        if refused is None:
            return redirect(to, notice=exc.message)
        return await refused(exc)
    return redirect(to, notice=notice)


def _read_notice(request: Request) -> str | None:
    raw = request.cookies.get(NOTICE_COOKIE)
    return unquote(raw)[:500] if raw else None


# --- CSRF ------------------------------------------------------------------------------------


def _sign(secret: str, purpose: str, value: str) -> str:
    return hmac.new(secret.encode(), f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def csrf_token(request: Request) -> str:
    """The token forms must send back. Signed in: HMAC of the session token. Signed out: HMAC of a
    random nonce kept in an HTTP-only cookie (signed double submit), issued by ``render``."""
    secret = _services(request).settings.secret_key
    actor = getattr(request.state, "web_actor", None)
    session = request.cookies.get(SESSION_COOKIE)
    if actor is not None and session:
        return _sign(secret, "session", session)
    nonce = request.cookies.get(ANON_CSRF_COOKIE) or getattr(request.state, "new_csrf_nonce", None)
    if not nonce:
        nonce = secrets.token_urlsafe(24)
        request.state.new_csrf_nonce = nonce
    return _sign(secret, "anon", nonce)


def _attach_anonymous_csrf(request: Request, response: Response) -> None:
    nonce = getattr(request.state, "new_csrf_nonce", None)
    if nonce:
        response.set_cookie(
            ANON_CSRF_COOKIE,
            nonce,
            path="/",
            httponly=True,
            samesite="lax",
            secure=_services(request).settings.secure_cookies,
        )


async def _verify_csrf(request: Request) -> None:
    if request.method in _SAFE_METHODS:
        return
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not sent:
        raise CsrfFailed()
    secret = _services(request).settings.secret_key
    # A signed-in request must carry its session's token; the anonymous one only counts while
    # signed out, so a token leaked from a log-in page cannot drive a member's account.
    actor = await web_actor(request)
    session = request.cookies.get(SESSION_COOKIE)
    if actor is not None and session:
        expected = _sign(secret, "session", session)
    else:
        nonce = request.cookies.get(ANON_CSRF_COOKIE)
        if not nonce:
            raise CsrfFailed()
        expected = _sign(secret, "anon", nonce)
    if not hmac.compare_digest(sent, expected):
        raise CsrfFailed()


CsrfDep = Annotated[None, Depends(_verify_csrf)]
