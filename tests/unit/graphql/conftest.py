"""Fixtures for schema tests: services over an in-memory ERP, and a query runner."""

from __future__ import annotations

import pytest
import strawberry

from experience_api.schema import build_schema
from experience_api.services import Services
from tests.fakes.memory_erp import MemoryErp
from tests.unit.graphql.support import Run, make_erp, make_services, runner


@pytest.fixture(scope="session")
def schema() -> strawberry.Schema:
    return build_schema()


@pytest.fixture
def erp() -> MemoryErp:
    return make_erp()


@pytest.fixture
def services(erp: MemoryErp) -> Services:
    return make_services({"EU01": erp})


@pytest.fixture
def gql(schema: strawberry.Schema, services: Services) -> Run:
    return runner(schema, services)
