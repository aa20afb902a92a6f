"""Attachments: files stored under ``<data_dir>/uploads`` by a random key, attached to one
message by id, served only to that conversation's participants (and to the uploader until sent).

Only PNG, JPEG, GIF and WebP whose bytes say so are ever served inline; everything else —
HTML and SVG included — is served as a download with ``nosniff`` and a sandboxing CSP, so a
participant's file can never run script in this origin.
"""

from __future__ import annotations

import asyncio
import re
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import sqlalchemy as sa

from inroad.errors import NotFound, TooLarge
from inroad.messaging.tables import conversation_members, messages, uploads
from inroad.services import Services

MAX_UPLOAD = 20 * 1024 * 1024  # 20 MiB
MAX_NAME = 255
_CHUNK = 1024 * 1024
INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
_MIME = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$")


def sniff_image(head: bytes) -> str | None:
    """The image type the leading bytes prove, if any."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def stored_content_type(declared: str | None, head: bytes) -> str:
    """A sniffed image type wins; a declared type is kept only if well-formed and not claiming
    an inline image type the bytes do not bear out."""
    sniffed = sniff_image(head)
    if sniffed:
        return sniffed
    kind = (declared or "").split(";")[0].strip().lower()
    if len(kind) > 100 or not _MIME.fullmatch(kind) or kind in INLINE_TYPES:
        return "application/octet-stream"
    return kind


def clean_name(raw: str | None) -> str:
    """The last path segment, without control characters, at most 255 code points."""
    name = re.split(r"[\\/]", raw or "")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    name = name.encode("utf-8", "ignore").decode("utf-8")
    return name[:MAX_NAME] or "file"


def _path(svc: Services, key: str) -> Path:
    return svc.settings.data_dir / "uploads" / key[:2] / key


def _copy_limited(source: IO[bytes], target: Path) -> tuple[int, bytes]:
    """Copy at most MAX_UPLOAD bytes (raising TooLarge beyond); returns size and first bytes."""
    target.parent.mkdir(parents=True, exist_ok=True)
    size = 0
    head = b""
    partial = target.with_suffix(".part")
    try:
        with partial.open("wb") as out:
            while chunk := source.read(_CHUNK):
                if not head:
                    head = chunk[:16]
                size += len(chunk)
                if size > MAX_UPLOAD:
                    raise TooLarge(
                        "file_too_large", "Files can be at most 20 MiB.", limit=MAX_UPLOAD
                    )
                out.write(chunk)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return size, head


async def store_upload(
    svc: Services, owner_id: int, source: IO[bytes], filename: str | None, content_type: str | None
) -> dict[str, Any]:
    """Save a file for the owner to attach later: ``{id, name, size, content_type, url}``.
    413 ``file_too_large`` over 20 MiB."""
    key = secrets.token_hex(16)
    path = _path(svc, key)
    size, head = await asyncio.to_thread(_copy_limited, source, path)
    name = clean_name(filename)
    kind = stored_content_type(content_type, head)
    try:
        async with svc.db.write() as conn:
            upload_id = (
                await conn.execute(
                    uploads.insert()
                    .values(
                        owner_id=owner_id,
                        name=name,
                        size=size,
                        content_type=kind,
                        storage_key=key,
                        created_at=svc.clock.now(),
                    )
                    .returning(uploads.c.id)
                )
            ).scalar_one()
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return {
        "id": str(upload_id),
        "name": name,
        "size": size,
        "content_type": kind,
        "url": f"/api/v1/uploads/{upload_id}",
    }


@dataclass(frozen=True)
class StoredFile:
    path: Path
    name: str
    content_type: str

    @property
    def inline(self) -> bool:
        return self.content_type in INLINE_TYPES


async def access_upload(svc: Services, actor_id: int, upload_id: int) -> StoredFile:
    """The file if the actor may fetch it — the uploader before it is sent, then the current
    participants of its message's conversation — else 404."""
    mine = sa.and_(uploads.c.owner_id == actor_id, uploads.c.message_id.is_(None))
    participant = sa.exists().where(
        messages.c.id == uploads.c.message_id,
        conversation_members.c.conversation_id == messages.c.conversation_id,
        conversation_members.c.member_id == actor_id,
    )
    async with svc.db.read() as conn:
        row = (
            await conn.execute(
                sa.select(uploads.c.storage_key, uploads.c.name, uploads.c.content_type).where(
                    uploads.c.id == upload_id, sa.or_(mine, participant)
                )
            )
        ).first()
    if row is None:
        raise NotFound("No such file.")
    path = _path(svc, row.storage_key)
    if not path.is_file():
        raise NotFound("No such file.")
    return StoredFile(path, row.name, row.content_type)


async def remove_files(svc: Services, keys: list[str]) -> None:
    """Delete stored files (after the rows that named them are gone)."""

    def remove() -> None:
        for key in keys:
            _path(svc, key).unlink(missing_ok=True)

    if keys:
        await asyncio.to_thread(remove)
