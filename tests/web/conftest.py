"""Helpers for web-page tests over httpx: CSRF tokens from forms, signing up and in by form."""

from __future__ import annotations

import re

import httpx

from tests.conftest import Persona

HTML = {"Accept": "text/html"}
PASSWORD = "correct horse battery"


def csrf_from(html: str) -> str:
    """The CSRF token of the first form on a page."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has no CSRF field"
    return match.group(1)


async def form_token(client: httpx.AsyncClient, path: str = "/signup") -> str:
    """Load ``path`` as a browser would (setting its cookies) and return its form's CSRF token."""
    page = await client.get(path, headers=HTML)
    assert page.status_code == 200, page.text
    return csrf_from(page.text)


async def web_signup(
    client: httpx.AsyncClient, name: str = "Jane Doe", email: str = "jane@example.com"
) -> httpx.Response:
    """Sign up through the form; the client then holds the session cookie."""
    token = await form_token(client)
    return await client.post(
        "/signup", data={"csrf_token": token, "name": name, "email": email, "password": PASSWORD}
    )


async def web_login(client: httpx.AsyncClient, persona: Persona) -> None:
    """Log ``persona`` (from the ``people`` fixture) in through the form."""
    token = await form_token(client, "/login")
    response = await client.post(
        "/login",
        data={"csrf_token": token, "email": persona.email, "password": persona.password},
    )
    assert response.status_code == 303, response.text


def set_cookie_header(response: httpx.Response, name: str) -> str:
    for header in response.headers.get_list("set-cookie"):
        if header.startswith(f"{name}="):
            return header
    raise AssertionError(f"no {name} cookie set: {response.headers.get_list('set-cookie')}")
