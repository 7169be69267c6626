"""SapAdapter's employee reads against the sandbox's Employee Central service (ASGI wire)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from erp_sandbox.sap.app import create_app
from erp_sandbox.sap.settings import SandboxSettings
from system_apis.contracts.errors import NotFound
from system_apis.contracts.people import (
    EmployeeDetail,
    EmployeeFilter,
    EmploymentStatus,
    PayPeriod,
    iban_is_valid,
)
from system_apis.contracts.queries import PageRequest
from system_apis.sap.adapter import SapAdapter
from system_apis.sap.client import SapODataClient
from tests.support.transports import RecordingTransport

pytestmark = pytest.mark.integration

USER, PASSWORD = "GATEWAY", "sandbox"
ALL = PageRequest(limit=1000)
EVERYTHING = frozenset(EmployeeDetail)


@pytest.fixture
async def sap(tmp_path: Path) -> AsyncIterator[tuple[SapAdapter, RecordingTransport]]:
    app = create_app(SandboxSettings(data_dir=tmp_path / "sap", username=USER, password=PASSWORD))
    async with app.router.lifespan_context(app):
        transport = RecordingTransport(httpx.ASGITransport(app=app))
        client = SapODataClient(
            "http://sap.test", username=USER, password=PASSWORD, transport=transport
        )
        adapter = SapAdapter("EU01", client)
        yield adapter, transport
        await adapter.aclose()


async def test_lists_employees_of_both_companies_with_pay_and_bank(
    sap: tuple[SapAdapter, RecordingTransport],
) -> None:
    adapter, _ = sap
    page = await adapter.list_employees(EmployeeFilter(details=EVERYTHING), ALL)
    assert 20 <= page.total == len(page.items) <= 30
    assert {e.company for e in page.items} == {"1010", "1710"}
    assert [e.native_id for e in page.items] == sorted(e.native_id for e in page.items)
    for employee in page.items:
        assert employee.id == f"EU01:{employee.native_id}"
        assert employee.last_name
        assert employee.first_name
        assert employee.job_title
        assert employee.salary is not None
        assert employee.salary.amount.amount > 0
        assert employee.bank_account is not None
        if employee.company == "1010":
            assert employee.salary.amount.currency == "EUR"
            assert employee.bank_account.iban is not None
            assert iban_is_valid(employee.bank_account.iban)
        else:
            assert employee.salary.amount.currency == "USD"
            assert employee.bank_account.iban is None
            assert employee.bank_account.account_number
            assert employee.bank_account.bank_code
    periods = {e.salary.period for e in page.items if e.salary}
    assert periods == {PayPeriod.ANNUAL, PayPeriod.MONTHLY}
    statuses = {e.status for e in page.items}
    assert statuses == set(EmploymentStatus)


async def test_without_details_pay_and_bank_are_neither_requested_nor_returned(
    sap: tuple[SapAdapter, RecordingTransport],
) -> None:
    adapter, transport = sap
    page = await adapter.list_employees(EmployeeFilter(), ALL)
    assert page.items
    assert all(e.salary is None and e.bank_account is None for e in page.items)
    one = await adapter.get_employee(page.items[0].native_id)
    assert one.salary is None
    assert one.bank_account is None
    asked = " ".join(transport.urls)
    assert "compInfoNav" not in asked
    assert "paymentInformationNav" not in asked


async def test_salary_alone_reads_no_bank_account(
    sap: tuple[SapAdapter, RecordingTransport],
) -> None:
    adapter, transport = sap
    details = frozenset({EmployeeDetail.SALARY})
    page = await adapter.list_employees(EmployeeFilter(details=details), PageRequest(limit=3))
    assert all(e.salary is not None and e.bank_account is None for e in page.items)
    assert "paymentInformationNav" not in " ".join(transport.urls)


async def test_filters_by_company_name_status_and_ids(
    sap: tuple[SapAdapter, RecordingTransport],
) -> None:
    adapter, _ = sap
    everyone = (await adapter.list_employees(EmployeeFilter(), ALL)).items
    us = await adapter.list_employees(EmployeeFilter(company="1710"), ALL)
    assert us.total == sum(1 for e in everyone if e.company == "1710") > 0
    assert all(e.company == "1710" for e in us.items)
    target = everyone[3]
    named = await adapter.list_employees(
        EmployeeFilter(name_contains=target.last_name.upper()), ALL
    )
    assert target.native_id in {e.native_id for e in named.items}
    left = await adapter.list_employees(EmployeeFilter(status=EmploymentStatus.TERMINATED), ALL)
    assert left.total >= 1
    assert all(e.status is EmploymentStatus.TERMINATED for e in left.items)
    some = await adapter.list_employees(
        EmployeeFilter(native_ids=[everyone[0].native_id, everyone[5].native_id]), ALL
    )
    assert [e.native_id for e in some.items] == [everyone[0].native_id, everyone[5].native_id]
    nobody = await adapter.list_employees(EmployeeFilter(company="9999"), ALL)
    assert nobody.total == 0
    assert nobody.items == ()


async def test_get_employee_and_not_found(sap: tuple[SapAdapter, RecordingTransport]) -> None:
    adapter, _ = sap
    first = (await adapter.list_employees(EmployeeFilter(details=EVERYTHING), ALL)).items[0]
    assert await adapter.get_employee(first.native_id, EVERYTHING) == first
    with pytest.raises(NotFound):
        await adapter.get_employee("999999")
