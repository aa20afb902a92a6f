"""Imports every domain's tables so ``metadata`` is complete (used by tests and tooling)."""

from inroad.accounts import tables as accounts_tables
from inroad.network import tables as network_tables
from inroad.profiles import tables as profiles_tables
from inroad.storage.metadata import metadata

__all__ = ["accounts_tables", "metadata", "network_tables", "profiles_tables"]
