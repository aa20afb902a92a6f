"""Storage: engines, transactions, dialect quirks and the migration history."""

from inroad.storage.db import Database

__all__ = ["Database"]
