"""Attachments: upload limits, attaching by id, who may fetch, and how files are served."""

from __future__ import annotations

import httpx

from inroad.services import Services
from tests.conftest import assert_error
from tests.factories import image_bytes
from tests.messaging.helpers import CONVERSATIONS, Cast, client_id, send, start

UPLOADS = "/api/v1/uploads"
MiB = 1024 * 1024


async def upload(
    client: httpx.AsyncClient, headers: dict[str, str], name: str, data: bytes, content_type: str
) -> dict[str, object]:
    r = await client.post(UPLOADS, files={"file": (name, data, content_type)}, headers=headers)
    assert r.status_code == 201, r.text
    body: dict[str, object] = r.json()
    return body


async def test_upload_limit_is_20_mib(
    client: httpx.AsyncClient, cast: Cast, services: Services
) -> None:
    (alice,) = await cast.add("alice")
    exact = await upload(client, alice.headers, "big.bin", b"\1" * (20 * MiB), "application/zip")
    assert exact["size"] == 20 * MiB and exact["content_type"] == "application/zip"
    over = await client.post(
        UPLOADS,
        files={"file": ("big.bin", b"\1" * (20 * MiB + 1), "application/zip")},
        headers=alice.headers,
    )
    assert_error(over, 413, "file_too_large")
    stored = list((services.settings.data_dir / "uploads").rglob("*"))
    assert len([p for p in stored if p.is_file()]) == 1  # the refused file left nothing behind
    assert_error(await client.post(UPLOADS, headers=alice.headers), 422, "missing_field")


async def test_attachments_are_served_to_participants_only(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    alice, bob, carol = await cast.add("alice", "bob", "carol")
    await cast.connect("alice", "bob", "carol")
    cid = (await start(client, alice, "bob"))["conversation"]["id"]
    png = image_bytes("PNG")
    photo = await upload(client, alice.headers, "../../etc/photo.png", png, "image/png")
    assert photo["name"] == "photo.png" and photo["content_type"] == "image/png"
    # The uploader can preview it before sending; nobody else can.
    assert (await client.get(f"{UPLOADS}/{photo['id']}", headers=alice.headers)).status_code == 200
    assert_error(
        await client.get(f"{UPLOADS}/{photo['id']}", headers=bob.headers), 404, "not_found"
    )
    message = await send(client, alice, cid, "", attachments=[photo["id"]])
    assert message["attachments"] == [
        {
            "id": photo["id"],
            "name": "photo.png",
            "size": len(png),
            "content_type": "image/png",
            "url": f"{UPLOADS}/{photo['id']}",
        }
    ]
    r = await client.get(f"{UPLOADS}/{photo['id']}", headers=bob.headers)
    assert r.status_code == 200 and r.content == png
    assert r.headers["content-type"] == "image/png"
    assert r.headers["content-disposition"].startswith("inline")
    assert r.headers["x-content-type-options"] == "nosniff"
    assert_error(
        await client.get(f"{UPLOADS}/{photo['id']}", headers=carol.headers), 404, "not_found"
    )
    page = (await client.get(f"{CONVERSATIONS}/{cid}/messages", headers=bob.headers)).json()
    assert page["items"][0]["attachments"][0]["id"] == photo["id"]
    # An upload goes with one message only, and only its owner's.
    for ids in ([photo["id"]], ["424242"], ["not-an-id"]):
        r = await client.post(
            f"{CONVERSATIONS}/{cid}/messages",
            json={"text": "again", "client_id": client_id(), "attachments": ids},
            headers=alice.headers,
        )
        assert_error(r, 422, "invalid_attachment")
    bobs = await upload(client, bob.headers, "b.txt", b"bob's", "text/plain")
    r = await client.post(
        f"{CONVERSATIONS}/{cid}/messages",
        json={"text": "steal", "client_id": client_id(), "attachments": [bobs["id"]]},
        headers=alice.headers,
    )
    assert_error(r, 422, "invalid_attachment")
    many = [
        str((await upload(client, alice.headers, f"{i}.txt", b"x", "text/plain"))["id"])
        for i in range(11)
    ]
    r = await client.post(
        f"{CONVERSATIONS}/{cid}/messages",
        json={"text": "lots", "client_id": client_id(), "attachments": many},
        headers=alice.headers,
    )
    assert_error(r, 422, "too_many_attachments")
    ten = await send(client, alice, cid, "ten files", attachments=many[:10])
    assert len(ten["attachments"]) == 10
    # Unsending removes the files.
    assert (
        await client.delete(f"/api/v1/messages/{message['id']}", headers=alice.headers)
    ).status_code == 204
    assert_error(
        await client.get(f"{UPLOADS}/{photo['id']}", headers=bob.headers), 404, "not_found"
    )


async def test_active_content_is_never_served_inline(client: httpx.AsyncClient, cast: Cast) -> None:
    alice, bob = await cast.add("alice", "bob")
    await cast.connect("alice", "bob")
    cid = (await start(client, alice, "bob"))["conversation"]["id"]
    html = await upload(
        client, alice.headers, "page.html", b"<script>alert(1)</script>", "text/html"
    )
    fake = await upload(client, alice.headers, "fake.png", b"<svg onload=alert(1)>", "image/png")
    svg = await upload(client, alice.headers, "i.svg", b"<svg onload=alert(1)/>", "image/svg+xml")
    assert fake["content_type"] == "application/octet-stream"
    await send(client, alice, cid, "files", attachments=[html["id"], fake["id"], svg["id"]])
    for item in (html, fake, svg):
        r = await client.get(f"{UPLOADS}/{item['id']}", headers=bob.headers)
        assert r.status_code == 200
        assert r.headers["content-disposition"].startswith("attachment")
        assert r.headers["x-content-type-options"] == "nosniff"
        assert "sandbox" in r.headers["content-security-policy"]
    # A JPEG is recognised by its bytes, whatever it was declared as.
    jpeg = await upload(
        client, alice.headers, "photo", image_bytes("JPEG"), "application/octet-stream"
    )
    assert jpeg["content_type"] == "image/jpeg"
