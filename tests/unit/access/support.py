"""Two in-memory companies with employees and credit limits, and principals for every role."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import strawberry
from strawberry.types import ExecutionResult

from experience_api.schema import build_context
from experience_api.security.permissions import scopes_for
from experience_api.security.principal import Principal
from experience_api.services import Services
from system_apis.contracts.people import EmployeeFilter
from system_apis.contracts.queries import CustomerFilter
from tests.fakes.memory_erp import MemoryErp
from tests.unit.graphql.support import make_erp, make_services

# Distinctive values: any of them in a response is a leak, whatever field it sits in.
EMPLOYEES = {
    "EU01": (
        ("5001", "Anna", "Schneider", "1010", "87345.17", "DE89370400440532013000"),
        ("5002", "Lukas", "Fischer", "1010", "64211.93", "DE02120300000000202051"),
    ),
    "US01": (
        ("7001", "Olivia", "Johnson", "1710", "112907.41", "GB29NWBK60161331926819"),
        ("7002", "Liam", "Garcia", "1710", "98765.29", "FR1420041010050500013M02606"),
    ),
}
SALARIES = [row[4] for rows in EMPLOYEES.values() for row in rows]
IBANS = [row[5] for rows in EMPLOYEES.values() for row in rows]
CREDIT_LIMITS = {
    "EU01": {"100": "431977.23", "200": "58213.67"},
    "US01": {"100": "276541.89", "300": "19873.41"},
}
"""Credit limits of the seeded customers (customer 300 of EU01 and 200 of US01 have none)."""
LIMITS = [amount for limits in CREDIT_LIMITS.values() for amount in limits.values()]


class RecordingErp(MemoryErp):
    """Remembers which employee and customer details each read asked the ERP for."""

    def __init__(self, connection: str) -> None:
        super().__init__(connection)
        self.asked: list[frozenset[Any]] = []
        self.asked_customers: list[frozenset[Any]] = []

    async def list_customers(self, filter: CustomerFilter, page: Any) -> Any:
        self.asked_customers.append(filter.details)
        return await super().list_customers(filter, page)

    async def list_employees(self, filter: EmployeeFilter, page: Any) -> Any:
        self.asked.append(filter.details)
        return await super().list_employees(filter, page)

    async def get_employee(self, native_id: str, details: frozenset[Any] = frozenset()) -> Any:
        self.asked.append(details)
        return await super().get_employee(native_id, details)


def company(connection: str) -> RecordingErp:
    erp = RecordingErp(connection)
    seeded = make_erp(connection)
    erp.customers, erp.products, erp.stock = seeded.customers, seeded.products, seeded.stock
    for native, first, last, code, salary, iban in EMPLOYEES[connection]:
        erp.add_employee(native, last, first_name=first, company=code, salary=salary, iban=iban)
    for native, amount in CREDIT_LIMITS[connection].items():
        erp.set_credit_limit(native, amount)
    return erp


def two_companies() -> tuple[Services, dict[str, RecordingErp]]:
    erps = {name: company(name) for name in EMPLOYEES}
    return make_services(erps), erps


def principal(
    roles: Iterable[str] = (), scopes: Iterable[str] = (), connections: Iterable[str] | None = None
) -> Principal:
    roles = frozenset(roles)
    return Principal(
        subject="user-1",
        client_id="client-1",
        roles=roles,
        scopes=scopes_for(roles, scopes),
        connections=None if connections is None else frozenset(connections),
    )


async def run(
    schema: strawberry.Schema,
    services: Services,
    caller: Principal,
    query: str,
    variables: dict[str, Any] | None = None,
) -> tuple[ExecutionResult, Any]:
    context = build_context(services, principal=caller)
    result = await schema.execute(query, variable_values=variables, context_value=context)
    return result, context
