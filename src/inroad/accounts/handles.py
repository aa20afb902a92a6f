"""Handles: URL slugs like ``jane-doe-4b2`` (API.md: ``^[a-z0-9]+(-[a-z0-9]+)*$``, 3–100 chars)."""

from __future__ import annotations

import re
import secrets
import unicodedata

HANDLE_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
MIN_LEN, MAX_LEN = 3, 100


def is_valid(handle: str) -> bool:
    return MIN_LEN <= len(handle) <= MAX_LEN and HANDLE_RE.fullmatch(handle) is not None


def slugify(name: str) -> str:
    """ASCII-fold, lowercase, join words with ``-``; ``member`` when nothing is left."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    words = re.findall(r"[a-z0-9]+", folded)
    slug = "-".join(words)[: MAX_LEN - 4].strip("-")
    if len(slug) < MIN_LEN:
        slug = f"{slug}-member".strip("-") if slug else "member"
    return slug


def with_suffix(base: str) -> str:
    return f"{base}-{secrets.token_hex(2)[:3]}"
