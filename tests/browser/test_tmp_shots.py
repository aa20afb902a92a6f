import re
import httpx
import pytest
from playwright.sync_api import Browser, expect
from tests.browser.conftest import DESKTOP, PHONE, save_screenshot
pytestmark = pytest.mark.browser

def test_shots(browser: Browser, live_server: str) -> None:
    api = httpx.Client(base_url=live_server)
    toks = {}
    for n in ("Olga Operator", "Rita Reporter", "Sam Spammer", "Fay Friend", "Finn Fof", "Gus Guest"):
        r = api.post("/api/v1/auth/signup", json={"email": n.split()[0].lower()+"@x.com", "password": "correct horse battery", "name": n})
        toks[n] = (r.json()["token"], r.json()["member"]["handle"])
    h = lambda n: {"Authorization": f"Bearer {toks[n][0]}"}
    api.patch("/api/v1/me/profile", json={"headline": "Growth hacker | Crypto | DM me"}, headers=h("Sam Spammer"))
    api.post("/api/v1/invitations", json={"to": toks["Rita Reporter"][1], "note": "Hi Rita! I have an amazing opportunity for you, let's connect.", "how_you_know": {"relation": "business"}}, headers=h("Sam Spammer"))
    api.post("/api/v1/invitations", json={"to": toks["Fay Friend"][1], "how_you_know": {"relation": "friend"}}, headers=h("Rita Reporter"))
    iid = api.get("/api/v1/invitations", headers=h("Fay Friend")).json()["items"][0]["id"]
    api.post(f"/api/v1/invitations/{iid}/accept", headers=h("Fay Friend"))
    api.post("/api/v1/invitations", json={"to": toks["Finn Fof"][1], "how_you_know": {"relation": "friend"}}, headers=h("Fay Friend"))
    iid = api.get("/api/v1/invitations", headers=h("Finn Fof")).json()["items"][0]["id"]
    api.post(f"/api/v1/invitations/{iid}/accept", headers=h("Finn Fof"))
    api.post("/api/v1/reports", json={"handle": toks["Sam Spammer"][1], "reason": "spam", "detail": "Sends crypto pitches to everyone."}, headers=h("Rita Reporter"))
    page = browser.new_context(base_url=live_server, viewport=DESKTOP).new_page()
    page.goto("/login"); page.fill("#email", "rita@x.com"); page.fill("#password", "correct horse battery"); page.click("button[type=submit]")
    page.goto("/network"); save_screenshot(page, "tmp-network-desktop")
    page.goto(f"/in/{toks['Gus Guest'][1]}"); page.click("summary.btn"); save_screenshot(page, "tmp-profile-actions")
    page.goto("/network/connections"); save_screenshot(page, "tmp-connections")
    import sqlite3
