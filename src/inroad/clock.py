"""Time comes from a clock object so tests can move it (injected, never a global)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class Clock:
    """The real UTC clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock(Clock):
    """A clock tests set and advance by hand."""

    def __init__(self, at: datetime | None = None) -> None:
        self.at = at or datetime(2026, 1, 15, 12, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)
