"""Web sign-up, log-in and log-out pages, CSRF, redirects and escaping, over httpx."""

from __future__ import annotations

import httpx
import pytest

from inroad.profiles import strength
from inroad.services import Services
from inroad.web import shell
from tests.conftest import People
from tests.web.conftest import HTML, PASSWORD, csrf_from, form_token, set_cookie_header, web_signup


async def test_signup_form_starts_a_cookie_session(client: httpx.AsyncClient) -> None:
    response = await web_signup(client)
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    cookie = set_cookie_header(response, shell.SESSION_COOKIE).lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/" in cookie
    assert "secure" not in cookie  # settings.secure_cookies is off in tests
    home = await client.get("/", headers=HTML)
    assert home.status_code == 200
    assert "Welcome, Jane Doe" in home.text
    assert "Welcome to Inroad! Start by completing your profile." in home.text
    # The session is an ordinary token: the API accepts it too.
    token = client.cookies[shell.SESSION_COOKIE]
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["member"]["name"] == "Jane Doe"
    # The notice is shown once.
    again = await client.get("/", headers=HTML)
    assert "Start by completing your profile" not in again.text


async def test_session_cookie_is_secure_when_configured(
    client: httpx.AsyncClient, services: Services
) -> None:
    services.settings = services.settings.with_(secure_cookies=True)
    # Secure cookies only travel over HTTPS, so this visit is made over https.
    page = await client.get("https://testserver/signup", headers=HTML)
    assert "secure" in set_cookie_header(page, shell.ANON_CSRF_COOKIE).lower()
    response = await client.post(
        "https://testserver/signup",
        data={
            "csrf_token": csrf_from(page.text),
            "name": "Jane",
            "email": "jane@example.com",
            "password": PASSWORD,
        },
    )
    assert response.status_code == 303
    assert "secure" in set_cookie_header(response, shell.SESSION_COOKIE).lower()


@pytest.mark.parametrize(
    ("fields", "status", "message"),
    [
        ({"password": "1234567"}, 422, "at least 8 characters"),
        ({"email": "not-an-email"}, 422, "Enter a valid email address"),
        ({"name": "   "}, 422, "Enter your name."),
        ({"name": "x" * 201}, 422, "The name is 201 characters; the limit is 200."),
    ],
)
async def test_signup_errors_are_shown_inline(
    client: httpx.AsyncClient, fields: dict[str, str], status: int, message: str
) -> None:
    token = await form_token(client)
    data = {
        "csrf_token": token,
        "name": "Jane Doe",
        "email": "jane@example.com",
        "password": PASSWORD,
        **fields,
    }
    response = await client.post("/signup", data=data)
    assert response.status_code == status
    assert 'class="form-errors"' in response.text
    assert message in response.text
    assert shell.SESSION_COOKIE not in response.headers.get("set-cookie", "")
    # What the member typed (but never the password) is kept in the form.
    assert f'value="{data["email"]}"' in response.text
    assert PASSWORD not in response.text


async def test_signup_with_taken_email_is_a_conflict(
    client: httpx.AsyncClient, people: People
) -> None:
    await people.make("Taken", email="taken@example.com")
    response = await web_signup(client, email="TAKEN@example.com")
    assert response.status_code == 409
    assert "An account with this email already exists" in response.text


async def test_signup_rate_limit_is_a_friendly_message(
    client: httpx.AsyncClient, services: Services
) -> None:
    services.settings = services.settings.with_(signup_limit_per_hour=1)
    assert (await web_signup(client, email="one@example.com")).status_code == 303
    client.cookies.delete(shell.SESSION_COOKIE)
    response = await web_signup(client, email="two@example.com")
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert "Too many accounts were created from this address" in response.text
    assert "You can try again in about 60 minutes." in response.text


async def test_login_and_logout(client: httpx.AsyncClient, people: People) -> None:
    jane = await people.make("Jane Doe", password=PASSWORD)
    token = await form_token(client, "/login")
    wrong = await client.post(
        "/login", data={"csrf_token": token, "email": jane.email, "password": "nope"}
    )
    assert wrong.status_code == 401
    assert "The email or password is not right." in wrong.text
    assert f'value="{jane.email}"' in wrong.text

    ok = await client.post(
        "/login", data={"csrf_token": token, "email": jane.email, "password": PASSWORD}
    )
    assert ok.status_code == 303
    session = client.cookies[shell.SESSION_COOKIE]
    home = await client.get("/", headers=HTML)
    assert "Welcome, Jane Doe" in home.text

    out = await client.post("/logout", data={"csrf_token": csrf_from(home.text)})
    assert out.status_code == 303 and out.headers["location"] == "/"
    assert shell.SESSION_COOKIE not in client.cookies
    # The token itself is revoked, not merely forgotten by the browser.
    client.cookies.set(shell.SESSION_COOKIE, session)
    settings_page = await client.get("/settings", headers=HTML)
    assert settings_page.status_code == 303
    assert settings_page.headers["location"] == "/login?next=/settings"


async def test_login_lockout_is_a_friendly_message(
    client: httpx.AsyncClient, people: People
) -> None:
    jane = await people.make("Jane Doe", password=PASSWORD)
    token = await form_token(client, "/login")
    for _ in range(10):
        r = await client.post(
            "/login", data={"csrf_token": token, "email": jane.email, "password": "nope"}
        )
        assert r.status_code == 401
    locked = await client.post(
        "/login", data={"csrf_token": token, "email": jane.email, "password": PASSWORD}
    )
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) > 0
    assert "Too many failed log-in attempts" in locked.text
    assert 'class="form-errors"' in locked.text


@pytest.mark.parametrize(
    ("next_value", "location"),
    [
        ("/settings", "/settings"),
        ("/in/jane-doe?tab=about", "/in/jane-doe?tab=about"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("", "/"),
    ],
)
async def test_login_next_goes_only_to_local_paths(
    client: httpx.AsyncClient, people: People, next_value: str, location: str
) -> None:
    jane = await people.make("Jane Doe", password=PASSWORD)
    token = await form_token(client, "/login")
    response = await client.post(
        "/login",
        data={"csrf_token": token, "email": jane.email, "password": PASSWORD, "next": next_value},
    )
    assert response.status_code == 303
    assert response.headers["location"] == location


async def test_members_only_page_sends_visitors_to_log_in_and_back(
    client: httpx.AsyncClient, people: People
) -> None:
    jane = await people.make("Jane Doe", password=PASSWORD)
    bounce = await client.get("/settings?tab=privacy", headers=HTML)
    assert bounce.status_code == 303
    assert bounce.headers["location"] == "/login?next=/settings%3Ftab%3Dprivacy"
    login_page = await client.get(bounce.headers["location"], headers=HTML)
    assert 'name="next" value="/settings?tab=privacy"' in login_page.text
    ok = await client.post(
        "/login",
        data={
            "csrf_token": csrf_from(login_page.text),
            "email": jane.email,
            "password": PASSWORD,
            "next": "/settings?tab=privacy",
        },
    )
    assert ok.headers["location"] == "/settings?tab=privacy"
    # Signed in, the log-in and sign-up pages step aside.
    for path in ("/login?next=/settings", "/signup?next=/settings"):
        r = await client.get(path, headers=HTML)
        assert r.status_code == 303 and r.headers["location"] == "/settings"


async def test_forms_without_a_valid_csrf_token_are_refused(client: httpx.AsyncClient) -> None:
    fields = {"name": "Jane Doe", "email": "jane@example.com", "password": PASSWORD}
    missing = await client.post("/signup", data=fields, headers=HTML)
    assert missing.status_code == 403
    assert "did not come from Inroad" in missing.text
    await form_token(client)  # the visitor now has the anonymous CSRF cookie
    forged = await client.post("/signup", data={**fields, "csrf_token": "0" * 64}, headers=HTML)
    assert forged.status_code == 403
    as_json = await client.post("/signup", data=fields, headers={"Accept": "application/json"})
    assert as_json.status_code == 403
    assert as_json.json()["error"]["code"] == "csrf_failed"
    # No account was created by any of the refused posts.
    token = await form_token(client, "/login")
    login = await client.post(
        "/login", data={"csrf_token": token, "email": "jane@example.com", "password": PASSWORD}
    )
    assert login.status_code == 401


async def test_csrf_token_is_bound_to_the_session(client: httpx.AsyncClient) -> None:
    anonymous_token = await form_token(client)
    await web_signup(client)
    home = await client.get("/", headers=HTML)
    session_token = csrf_from(home.text)
    assert session_token != anonymous_token
    # The page's token also arrives as <meta name="csrf-token"> for fetch() calls.
    assert f'<meta name="csrf-token" content="{session_token}">' in home.text
    # A signed-in member's forms need the session's token; the anonymous one no longer counts.
    refused = await client.post("/logout", data={"csrf_token": anonymous_token}, headers=HTML)
    assert refused.status_code == 403
    assert "Welcome, Jane Doe" in (await client.get("/", headers=HTML)).text
    by_header = await client.post("/logout", headers={"X-CSRF-Token": session_token})
    assert by_header.status_code == 303
    assert "Join now" in (await client.get("/", headers=HTML)).text


async def test_user_text_is_escaped(client: httpx.AsyncClient) -> None:
    name = '<script>alert("x")</script> & Co'
    assert (await web_signup(client, name=name)).status_code == 303
    home = await client.get("/", headers=HTML)
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co" in home.text
    assert "<script>alert" not in home.text
    settings_page = await client.get("/settings", headers=HTML)
    assert "<script>alert" not in settings_page.text


async def test_unknown_page_renders_the_friendly_error_page(client: httpx.AsyncClient) -> None:
    response = await client.get("/no/such/page", headers=HTML)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "Page not found" in response.text and 'href="/signup"' in response.text
    api = await client.get("/api/v1/no-such-endpoint", headers=HTML)
    assert api.json()["error"]["code"] == "not_found"


def test_every_strength_item_has_a_label() -> None:
    assert tuple(shell.STRENGTH_ITEMS) == strength.ITEMS
    assert set(shell.STRENGTH_LEVELS) == {strength.level_for(score) for score in range(11)}


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Jane Doe", "JD"), ("jane van der berg", "JB"), ("Plato", "P"), ("  ", "?"), ("— Ann", "A")],
)
def test_initials(name: str, expected: str) -> None:
    assert shell.initials(name) == expected
