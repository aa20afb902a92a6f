"""Imports every domain's tables so ``metadata`` is complete (used by tests and tooling)."""

from inroad.accounts import tables as accounts_tables
from inroad.messaging import tables as messaging_tables
from inroad.network import tables as network_tables
from inroad.premium import tables as premium_tables
from inroad.profiles import tables as profiles_tables
from inroad.realtime import tables as realtime_tables
from inroad.storage.metadata import metadata

__all__ = ["accounts_tables", "messaging_tables", "metadata", "network_tables", "premium_tables",
           "profiles_tables", "realtime_tables"]
