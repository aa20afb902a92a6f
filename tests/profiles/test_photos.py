"""Profile photos: content sniffing, size limit at its boundary, re-encoding, metadata stripping,
decompression bombs, serving, replacing and removing."""

from __future__ import annotations

import io
from pathlib import Path

import httpx
import pytest
from PIL import Image

from inroad.accounts.actions import authenticate
from inroad.profiles import photos
from inroad.services import Services
from tests.conftest import People, Persona, assert_error
from tests.factories import image_bytes, png_of_exact_size

PHOTO = "/api/v1/me/photo"
MIB = 1024 * 1024


async def upload(
    client: httpx.AsyncClient,
    who: Persona,
    data: bytes,
    name: str = "me.png",
    ctype: str = "image/png",
) -> httpx.Response:
    return await client.put(PHOTO, files={"file": (name, data, ctype)}, headers=who.headers)


def photo_files(services: Services) -> set[str]:
    folder = Path(services.settings.data_dir) / "photos"
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


async def fetch_image(client: httpx.AsyncClient, url: str) -> tuple[httpx.Response, Image.Image]:
    r = await client.get(url)
    assert r.status_code == 200, r.text
    return r, Image.open(io.BytesIO(r.content))


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
async def test_upload_is_reencoded_and_served(
    client: httpx.AsyncClient, people: People, services: Services, fmt: str
) -> None:
    jane = await people.make("Jane Doe")
    r = await upload(client, jane, image_bytes(fmt, (2000, 1000)))
    assert r.status_code == 200, r.text
    body = r.json()
    url = body["photo_url"]
    assert url.startswith("/media/photos/") and url.endswith(".jpg")
    assert "photo" in body["strength"]["completed"]
    response, full = await fetch_image(client, url)
    assert response.headers["content-type"] == "image/jpeg"
    assert "immutable" in response.headers["cache-control"]
    assert full.format == "JPEG" and full.size == (800, 400)
    _, thumb = await fetch_image(client, url.replace(".jpg", "-thumb.jpg"))
    assert thumb.format == "JPEG" and thumb.size == (160, 160)
    assert len(photo_files(services)) == 2
    me = (await client.get("/api/v1/me", headers=jane.headers)).json()
    assert me["member"]["photo_url"] == url


async def test_small_images_are_not_enlarged_and_transparency_is_flattened(
    client: httpx.AsyncClient, people: People
) -> None:
    jane = await people.make("Jane Doe")
    r = await upload(client, jane, image_bytes("PNG", (300, 200), (0, 0, 255, 0)))
    _, full = await fetch_image(client, r.json()["photo_url"])
    assert full.size == (300, 200) and full.mode == "RGB"
    assert full.getpixel((150, 100)) == pytest.approx((255, 255, 255), abs=3)  # transparent → white


async def test_detects_by_content_not_by_name_or_type(
    client: httpx.AsyncClient, people: People
) -> None:
    jane = await people.make("Jane Doe")
    r = await upload(client, jane, image_bytes("PNG"), name="notes.txt", ctype="text/plain")
    assert r.status_code == 200, r.text
    assert_error(
        await upload(client, jane, b"just some text, honest" * 10), 415, "unsupported_image"
    )
    assert_error(
        await upload(
            client, jane, b"<svg xmlns='http://www.w3.org/2000/svg'/>", "x.svg", "image/svg+xml"
        ),
        415,
        "unsupported_image",
    )
    assert_error(await upload(client, jane, image_bytes("GIF"), "x.png"), 415, "unsupported_image")
    assert_error(await upload(client, jane, image_bytes("BMP"), "x.png"), 415, "unsupported_image")
    png = image_bytes("PNG", (200, 200), (1, 2, 3))
    assert_error(
        await upload(client, jane, png[: len(png) // 2]), 415, "unsupported_image"
    )  # truncated
    assert_error(await upload(client, jane, b""), 415, "unsupported_image")


async def test_five_mib_exactly_is_accepted_one_byte_more_is_413(
    client: httpx.AsyncClient, people: People, services: Services
) -> None:
    jane = await people.make("Jane Doe")
    exact = png_of_exact_size(5 * MIB)
    assert len(exact) == 5 * MIB
    r = await upload(client, jane, exact)
    assert r.status_code == 200, r.text
    assert r.json()["photo_url"]
    before = photo_files(services)
    error = assert_error(
        await upload(client, jane, png_of_exact_size(5 * MIB + 1)), 413, "file_too_large"
    )
    assert error["limit"] == 5 * MIB
    assert photo_files(services) == before


async def test_exif_gps_is_stripped_and_orientation_applied(
    client: httpx.AsyncClient, people: People
) -> None:
    jane = await people.make("Jane Doe")
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    exif[0x010F] = "SpyCam"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (38.0, 42.0, 5.0), "W", (9.0, 8.0, 20.0)
    source = image_bytes("JPEG", (60, 20), exif=exif.tobytes())
    assert Image.open(io.BytesIO(source)).getexif().get_ifd(0x8825)  # the fixture does carry GPS
    r = await upload(client, jane, source, "gps.jpg", "image/jpeg")
    assert r.status_code == 200, r.text
    response, full = await fetch_image(client, r.json()["photo_url"])
    assert full.size == (20, 60)  # rotated upright before the metadata went
    assert not full.getexif()
    assert b"Exif" not in response.content and b"SpyCam" not in response.content
    assert "exif" not in full.info and "icc_profile" not in full.info
    response, _ = await fetch_image(client, r.json()["photo_url"].replace(".jpg", "-thumb.jpg"))
    assert b"Exif" not in response.content


async def test_decompression_bombs_are_refused_without_decoding(
    client: httpx.AsyncClient, people: People
) -> None:
    jane = await people.make("Jane Doe")
    over_ours = image_bytes("PNG", (10_000, 6_000), 0)  # 60 MP, tiny file
    assert len(over_ours) < 1 * MIB
    assert_error(await upload(client, jane, over_ours), 422, "image_too_large")
    bomb = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(bomb, "PNG")  # 400 MP: Pillow's own bomb limit
    assert_error(await upload(client, jane, bomb.getvalue()), 422, "image_too_large")


async def test_replacing_deletes_old_files_and_delete_removes_photo(
    client: httpx.AsyncClient, people: People, services: Services
) -> None:
    jane = await people.make("Jane Doe")
    first = (await upload(client, jane, image_bytes("PNG"))).json()["photo_url"]
    second = (await upload(client, jane, image_bytes("JPEG"), "b.jpg", "image/jpeg")).json()[
        "photo_url"
    ]
    assert first != second
    assert (await client.get(first)).status_code == 404
    assert (await client.get(second)).status_code == 200
    assert len(photo_files(services)) == 2
    r = await client.delete(PHOTO, headers=jane.headers)
    assert r.status_code == 200 and r.json()["photo_url"] is None
    assert "photo" in r.json()["strength"]["missing"]
    assert photo_files(services) == set()
    assert (await client.get(second)).status_code == 404
    assert (await client.delete(PHOTO, headers=jane.headers)).status_code == 200  # idempotent


async def test_a_failed_transaction_leaves_no_new_files(
    client: httpx.AsyncClient, people: People, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    jane = await people.make("Jane Doe")
    await upload(client, jane, image_bytes("PNG"))
    before = photo_files(services)

    async def broken(*_args: object) -> None:
        raise RuntimeError("database went away")

    actor = await authenticate(services, jane.token)
    assert actor is not None
    monkeypatch.setattr(photos.strength, "refresh", broken)
    with pytest.raises(RuntimeError):
        await photos.do_set_photo(services, actor, image_bytes("PNG"))
    assert photo_files(services) == before


async def test_media_paths_are_safe(client: httpx.AsyncClient) -> None:
    for path in (
        "/media/photos/../secret_key",
        "/media/photos/%2e%2e%2fsecret_key",
        "/media/photos/x.jpg",
        "/media/photos/" + "0" * 32 + ".jpg",
        "/media/photos/" + "A" * 32 + ".jpg",
        "/media/photos/" + "0" * 32 + ".png",
    ):
        assert (await client.get(path)).status_code == 404, path


async def test_upload_errors(client: httpx.AsyncClient, people: People) -> None:
    jane = await people.make("Jane Doe")
    assert_error(await client.put(PHOTO, headers=jane.headers), 422, "missing_field")
    assert_error(
        await client.put(
            PHOTO, files={"other": ("a.png", image_bytes("PNG"), "image/png")}, headers=jane.headers
        ),
        422,
        "missing_field",
    )
    assert_error(
        await client.put(PHOTO, files={"file": ("a.png", image_bytes("PNG"), "image/png")}),
        401,
        "not_signed_in",
    )
