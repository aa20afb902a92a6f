"""Profile photos: validate by content, re-encode, store, serve.

An upload is accepted only if Pillow recognises it as PNG, JPEG or WebP from its bytes (the
filename and declared content type are ignored), it is at most ``MAX_PHOTO_BYTES``, and its pixel
count stays under ``MAX_PIXELS`` (checked from the header before any pixel is decoded, so a
decompression bomb never allocates). It is re-encoded to a fresh JPEG — orientation applied
first, then every piece of metadata (EXIF with GPS, XMP, ICC, comments) left behind — at most
``MAX_SIDE`` pixels on its long side, plus a ``THUMB_SIDE`` square thumbnail.

Files live in ``settings.data_dir / "photos"`` as ``{key}.jpg`` and ``{key}-thumb.jpg`` under a
random key; a new photo gets a new key, so URLs can be cached forever and the old files are
deleted only after the transaction that replaced them commits.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import re
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from PIL import Image, ImageOps, UnidentifiedImageError

from inroad.accounts.actor import Actor
from inroad.accounts.tables import members
from inroad.errors import InvalidInput, TooLarge, UnsupportedMedia
from inroad.profiles import strength
from inroad.services import Services

MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 50_000_000  # e.g. 8,660 × 5,773: any real camera photo, far below a bomb
MAX_SIDE = 800
THUMB_SIDE = 160
JPEG_QUALITY = 85
FORMATS = ("PNG", "JPEG", "WEBP")
_FILE_NAME = re.compile(r"^([0-9a-f]{32})(-thumb)?\.jpg$")


@dataclass(frozen=True)
class Encoded:
    photo: bytes
    thumb: bytes


def photo_dir(svc: Services) -> Path:
    return Path(svc.settings.data_dir) / "photos"


def check_size(data: bytes) -> None:
    """413 ``file_too_large`` over 5 MiB (callers read at most one byte more than the limit)."""
    if len(data) > MAX_PHOTO_BYTES:
        raise TooLarge("file_too_large", "A photo may be at most 5 MiB.", limit=MAX_PHOTO_BYTES)


def _unsupported() -> UnsupportedMedia:
    return UnsupportedMedia("unsupported_image", "Upload a PNG, JPEG or WebP image.")


def encode(data: bytes) -> Encoded:
    """Decode ``data`` (PNG/JPEG/WebP only) and re-encode it as a clean JPEG and a thumbnail.

    Raises 415 ``unsupported_image`` for anything else (including a truncated or corrupt image)
    and 422 ``image_too_large`` for images over ``MAX_PIXELS``. CPU-bound: run it in a thread."""
    check_size(data)
    with warnings.catch_warnings():
        # Pillow's own bomb check warns below 2× its limit; make that an error too.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=FORMATS) as source:
                width, height = source.size
                if width * height > MAX_PIXELS:
                    raise InvalidInput(
                        "image_too_large",
                        f"The image is {width}×{height} pixels; upload one under "
                        f"{MAX_PIXELS // 1_000_000} megapixels.",
                    )
                source.seek(0)  # the first frame of an animated PNG or WebP
                source.load()
                transposed = ImageOps.exif_transpose(source)
                image = transposed if transposed is not None else source.copy()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise InvalidInput("image_too_large", "The image has too many pixels.") from exc
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
            raise _unsupported() from exc
    rgb = _flatten(image)
    rgb.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    thumb = ImageOps.fit(rgb, (THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
    return Encoded(photo=_jpeg(rgb), thumb=_jpeg(thumb))


def _flatten(image: Image.Image) -> Image.Image:
    """A fresh RGB image with no ``info`` carried over; transparency composited onto white."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        clean = Image.new("RGB", rgba.size, (255, 255, 255))
        clean.paste(rgba, mask=rgba.getchannel("A"))
        return clean
    clean = Image.new("RGB", image.size)
    clean.paste(image.convert("RGB"))
    return clean


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    # No exif=/icc_profile= arguments: the encoder writes pixels and nothing else.
    image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return out.getvalue()


def file_path(svc: Services, name: str) -> Path | None:
    """The file behind ``/media/photos/{name}``, or None when the name is not one we issue."""
    if _FILE_NAME.fullmatch(name) is None:
        return None
    path = photo_dir(svc) / name
    return path if path.is_file() else None


def _paths(svc: Services, key: str) -> tuple[Path, Path]:
    folder = photo_dir(svc)
    return folder / f"{key}.jpg", folder / f"{key}-thumb.jpg"


def _write(svc: Services, key: str, encoded: Encoded) -> None:
    photo_dir(svc).mkdir(parents=True, exist_ok=True)
    full, thumb = _paths(svc, key)
    full.write_bytes(encoded.photo)
    thumb.write_bytes(encoded.thumb)


def delete_files(svc: Services, key: str | None) -> None:
    if key is None or not re.fullmatch(r"[0-9a-f]{32}", key):
        return
    for path in _paths(svc, key):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


async def _set_photo(svc: Services, actor: Actor, key: str | None) -> str | None:
    """Point the member at ``key`` in one transaction; returns the key it replaced."""
    async with svc.db.write() as conn:
        old: str | None = (
            await conn.execute(
                sa.select(members.c.photo_key).where(members.c.id == actor.id).with_for_update()
            )
        ).scalar_one()
        await conn.execute(sa.update(members).where(members.c.id == actor.id).values(photo_key=key))
        await strength.refresh(conn, actor.id)
    return old


async def do_set_photo(svc: Services, actor: Actor, data: bytes) -> None:
    """Validate, re-encode and store a new photo, then switch the member to it.

    The new files are written before the transaction (and removed if it fails); the old files
    are removed only after it commits, so a failure never leaves the member without a photo."""
    encoded = await asyncio.to_thread(encode, data)
    key = secrets.token_hex(16)
    await asyncio.to_thread(_write, svc, key, encoded)
    try:
        old = await _set_photo(svc, actor, key)
    except BaseException:
        await asyncio.to_thread(delete_files, svc, key)
        raise
    if old != key:
        await asyncio.to_thread(delete_files, svc, old)


async def do_remove_photo(svc: Services, actor: Actor) -> None:
    old = await _set_photo(svc, actor, None)
    await asyncio.to_thread(delete_files, svc, old)
