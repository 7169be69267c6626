"""The catalog's row-level boundary, without GraphQL in between."""

from __future__ import annotations

import pytest

from process_apis.errors import InvalidInput, RecordNotFound
from process_apis.merging import Window
from system_apis.contracts.people import EmployeeDetail, EmployeeFilter
from system_apis.contracts.queries import CustomerFilter
from tests.unit.access.support import two_companies

pytestmark = pytest.mark.unit


async def test_lists_read_only_the_visible_connections() -> None:
    services, erps = two_companies()
    page = await services.catalog.employees(EmployeeFilter(), Window(limit=50), None, ["US01"])
    assert {e.source.connection for e in page.items} == {"US01"}
    assert erps["EU01"].calls["list_employees"] == 0
    customers = await services.catalog.customers(CustomerFilter(), Window(limit=50), None, ["EU01"])
    assert {c.source.connection for c in customers.items} == {"EU01"}
    assert erps["US01"].calls["list_customers"] == 0


async def test_a_named_connection_outside_the_boundary_is_unknown() -> None:
    services, erps = two_companies()
    with pytest.raises(InvalidInput, match="unknown connection 'US01'"):
        await services.catalog.employees(EmployeeFilter(), Window(limit=5), "US01", ["EU01"])
    assert erps["US01"].calls["list_employees"] == 0


async def test_gets_outside_the_boundary_are_not_found_without_asking_the_erp() -> None:
    services, erps = two_companies()
    with pytest.raises(RecordNotFound) as hidden:
        await services.catalog.employee("US01:7001", frozenset(EmployeeDetail), ["EU01"])
    with pytest.raises(RecordNotFound) as missing:
        await services.catalog.employee("EU01:nobody", frozenset(EmployeeDetail), ["EU01"])
    assert hidden.value.code == missing.value.code
    assert erps["US01"].calls["get_employee"] == 0
    with pytest.raises(RecordNotFound):
        await services.catalog.sales_order("US01:1", ["EU01"])
    assert await services.catalog.customers_by_id(["US01:100", "EU01:100"], ["EU01"]) == [
        None,
        (await services.catalog.customers_by_id(["EU01:100"]))[0],
    ]
    assert erps["US01"].calls["list_customers"] == 0
    assert await services.catalog.products_by_sku([("US01", "P-1")], ["EU01"]) == [None]


async def test_details_not_asked_for_are_absent() -> None:
    services, _ = two_companies()
    plain = await services.catalog.employee("EU01:5001")
    assert plain.salary is None
    assert plain.bank_account is None
    full = await services.catalog.employee("EU01:5001", frozenset(EmployeeDetail))
    assert full.salary is not None
    assert full.bank_account is not None
