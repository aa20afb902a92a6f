"""Test helpers that write straight to the database, for setting up a scene quickly.

``connect``/``block`` bypass the invitation flow on purpose (that flow has its own tests); they
keep ``members.connection_count`` right, as the network service does. Image builders make real
image bytes for upload tests.
"""

from __future__ import annotations

import io
import struct
import zlib
from typing import Any

import sqlalchemy as sa
from PIL import Image

from inroad.accounts.tables import members
from inroad.network.tables import blocks, connections
from inroad.services import Services


async def member_id(services: Services, handle: str) -> int:
    async with services.db.read() as conn:
        found = (
            await conn.execute(sa.select(members.c.id).where(members.c.handle == handle))
        ).scalar_one()
    return int(found)


async def connect(services: Services, a_handle: str, b_handle: str) -> None:
    """Make ``a`` and ``b`` 1st-degree connections (both directions, counts kept right)."""
    a, b = await member_id(services, a_handle), await member_id(services, b_handle)
    now = services.clock.now()
    async with services.db.write() as conn:
        await conn.execute(
            connections.insert(),
            [
                {"member_id": a, "other_id": b, "created_at": now},
                {"member_id": b, "other_id": a, "created_at": now},
            ],
        )
        await conn.execute(
            sa.update(members)
            .where(members.c.id.in_([a, b]))
            .values(connection_count=members.c.connection_count + 1)
        )


async def block(services: Services, blocker_handle: str, blocked_handle: str) -> None:
    """Record that ``blocker`` blocked ``blocked`` (no connection is touched)."""
    blocker, blocked = (
        await member_id(services, blocker_handle),
        await member_id(services, blocked_handle),
    )
    async with services.db.write() as conn:
        await conn.execute(
            blocks.insert().values(
                blocker_id=blocker, blocked_id=blocked, created_at=services.clock.now()
            )
        )


def image_bytes(
    fmt: str = "PNG", size: tuple[int, int] = (40, 30), color: Any = (200, 30, 30), **save: Any
) -> bytes:
    """A small solid-colour image in ``fmt`` (PNG, JPEG, WEBP, GIF, …)."""
    out = io.BytesIO()
    mode = "RGBA" if isinstance(color, tuple) and len(color) == 4 else "RGB"
    Image.new(mode, size, color).save(out, fmt, **save)
    return out.getvalue()


def png_of_exact_size(total: int, size: tuple[int, int] = (40, 30)) -> bytes:
    """A valid PNG of exactly ``total`` bytes: a small image padded with a private ancillary
    chunk (``prVt``: lowercase first letter = ancillary, so decoders skip it) before IEND."""
    base = image_bytes("PNG", size)
    iend = base.rindex(b"IEND") - 4  # the IEND chunk starts with its 4-byte length
    chunk_overhead = 12  # length + type + CRC
    padding = total - len(base) - chunk_overhead
    assert padding >= 0, "total is smaller than the bare image"
    data = b"\0" * padding
    chunk = (
        struct.pack(">I", padding) + b"prVt" + data + struct.pack(">I", zlib.crc32(b"prVt" + data))
    )
    result = base[:iend] + chunk + base[iend:]
    assert len(result) == total
    return result
