"""Fixtures for messaging tests: ``cast`` signs up named members (see ``helpers.Cast``)."""

from __future__ import annotations

import pytest

from inroad.services import Services
from tests.conftest import People
from tests.messaging.helpers import Cast, QueryCounter


@pytest.fixture
def cast(people: People, services: Services) -> Cast:
    return Cast(people, services)


@pytest.fixture
def queries(services: Services) -> QueryCounter:
    return QueryCounter(services)
