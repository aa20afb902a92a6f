"""The /coach page: signed-in only, the live widget's hooks, and the server-rendered review for
browsers without JavaScript."""

from __future__ import annotations

import httpx

from tests.coach.test_api import add_school
from tests.conftest import People
from tests.web.conftest import HTML, csrf_from, web_login

JOB_ASK_INMAIL = "Hi Bea, is your team hiring? Could you refer me for the analyst role?"


async def test_signed_out_is_sent_to_log_in(client: httpx.AsyncClient) -> None:
    response = await client.get("/coach", headers=HTML)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


async def test_page_carries_the_widget_hooks(client: httpx.AsyncClient, people: People) -> None:
    ana = await people.make("Ana Diaz")
    await web_login(client, ana)
    page = await client.get("/coach?to=bea-kim&channel=dm", headers=HTML)
    assert page.status_code == 200, page.text
    assert 'data-coach="dm"' in page.text and 'data-coach-to="bea-kim"' in page.text
    assert 'data-coach-subject="#coach-subject"' in page.text
    assert '/static/coach.js' in page.text and '/static/coach.css' in page.text
    # An unknown channel falls back to InMail; a hostile value is escaped, never markup.
    page = await client.get('/coach?channel=fax&to="><script>x</script>', headers=HTML)
    assert 'data-coach="inmail"' in page.text
    assert "<script>x</script>" not in page.text


async def test_review_without_javascript(client: httpx.AsyncClient, people: People) -> None:
    ana, bea = await people.make("Ana Diaz"), await people.make("<b>Bea</b> Kim")
    await add_school(client, ana, "Makerere University", 2010, 2014)
    await add_school(client, bea, "Makerere University", 2012, 2016)
    await add_school(client, ana, "Kampala Film School", 2005, 2006)
    await add_school(client, bea, "Kampala Film School", 2018, 2019)
    await web_login(client, ana)
    token = csrf_from((await client.get("/coach", headers=HTML)).text)
    form = {"csrf_token": token, "channel": "inmail", "to": bea.handle, "subject": "Hello",
            "text": JOB_ASK_INMAIL}
    page = await client.post("/coach", data=form, headers=HTML)
    assert page.status_code == 200, page.text
    assert 'data-code="job_ask"' in page.text
    assert "You both studied at Makerere University, 2012–2014" in page.text
    # Names come from members: the phrase naming Bea is escaped text.
    assert "(you 2005–2006, &lt;b&gt;Bea&lt;/b&gt; 2018–2019)" in page.text
    assert "<b>Bea</b>" not in page.text
    missing = await client.post("/coach", data={**form, "to": "no-such-member"}, headers=HTML)
    assert missing.status_code == 404
    assert "No member with that handle." in missing.text
    forged = await client.post("/coach", data={**form, "csrf_token": "forged"}, headers=HTML)
    assert forged.status_code == 403
