"""Sign up, log in, log out in the browser: the API's account actions, with a cookie session."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from inroad.accounts import actions
from inroad.api.deps import ServicesDep, client_ip
from inroad.errors import InroadError, TooManyRequests
from inroad.web.shell import (
    CsrfDep,
    OptionalWebActorDep,
    end_session,
    redirect,
    render,
    safe_next,
    start_session,
)

router = APIRouter(include_in_schema=False)

FormText = Annotated[str, Form()]
OptionalFormText = Annotated[str | None, Form()]


def _error_message(exc: InroadError) -> str:
    if isinstance(exc, TooManyRequests):
        minutes = max(1, round(exc.retry_after / 60))
        unit = "minute" if minutes == 1 else "minutes"
        return f"{exc.message} You can try again in about {minutes} {unit}."
    return exc.message


async def _form_error(
    request: Request, template: str, exc: InroadError, context: dict[str, Any]
) -> HTMLResponse:
    """Re-render the form with the service's message, answering with the error's status."""
    response = await render(
        request,
        template,
        {**context, "error": _error_message(exc), "error_code": exc.code},
        status=exc.status,
    )
    response.headers.update(exc.headers())
    return response


@router.get("/signup")
async def signup_form(
    request: Request, actor: OptionalWebActorDep, next: str | None = None
) -> Response:
    if actor is not None:
        return redirect(safe_next(next))
    return await render(request, "auth/signup.html", {"next": safe_next(next, "")})


@router.post("/signup")
async def signup(
    request: Request,
    svc: ServicesDep,
    _: CsrfDep,
    name: FormText = "",
    email: FormText = "",
    password: FormText = "",
    next: OptionalFormText = None,
) -> Response:
    target = safe_next(next)
    try:
        session = await actions.do_signup(
            svc, email=email, password=password, name=name, ip=client_ip(request), kind="web"
        )
    except InroadError as exc:
        return await _form_error(
            request,
            "auth/signup.html",
            exc,
            {"name": name, "email": email, "next": safe_next(next, "")},
        )
    response = redirect(target, notice="Welcome to Inroad! Start by completing your profile.")
    start_session(request, response, session.token)
    return response


@router.get("/login")
async def login_form(
    request: Request, actor: OptionalWebActorDep, next: str | None = None
) -> Response:
    if actor is not None:
        return redirect(safe_next(next))
    return await render(request, "auth/login.html", {"next": safe_next(next, "")})


@router.post("/login")
async def login(
    request: Request,
    svc: ServicesDep,
    _: CsrfDep,
    email: FormText = "",
    password: FormText = "",
    next: OptionalFormText = None,
) -> Response:
    try:
        session = await actions.do_login(
            svc, email=email, password=password, ip=client_ip(request), kind="web"
        )
    except InroadError as exc:
        return await _form_error(
            request, "auth/login.html", exc, {"email": email, "next": safe_next(next, "")}
        )
    response = redirect(safe_next(next))
    start_session(request, response, session.token)
    return response


@router.post("/logout")
async def logout(svc: ServicesDep, actor: OptionalWebActorDep, _: CsrfDep) -> Response:
    if actor is not None:
        await actions.do_logout(svc, actor)
    response = redirect("/", notice="You have logged out.")
    end_session(response)
    return response
