"""SapAdapter's employee reads from the sandbox's SuccessFactors API, a system of its own
beside S/4HANA (``/odata/v2``, its own user), over the ASGI wire."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from erp_sandbox.sap.app import create_app
from erp_sandbox.sap.settings import SandboxSettings
from experience_api.connection_settings import ConnectionSettings
from system_apis.contracts.errors import AuthenticationFailed, NotFound, NotSupported
from system_apis.contracts.people import (
    EmployeeDetail,
    EmployeeFilter,
    EmploymentStatus,
    PayPeriod,
    iban_is_valid,
)
from system_apis.contracts.port import Capability
from system_apis.contracts.queries import PageRequest
from system_apis.registry import installed_connectors
from system_apis.sap.adapter import SapAdapter
from system_apis.sap.client import SapODataClient
from system_apis.sap.successfactors import API_ROOT
from tests.integration.sandbox.test_pyodata_client import ServerThread
from tests.support.transports import RecordingTransport

pytestmark = pytest.mark.integration

USER, PASSWORD = "GATEWAY", "sandbox"
SF_USER, SF_PASSWORD = "sfapi@ACME", "sf-secret"
ALL = PageRequest(limit=1000)
EVERYTHING = frozenset(EmployeeDetail)


@pytest.fixture
async def sap(tmp_path: Path) -> AsyncIterator[tuple[SapAdapter, RecordingTransport]]:
    settings = SandboxSettings(
        data_dir=tmp_path / "sap",
        username=USER,
        password=PASSWORD,
        sf_username=SF_USER,
        sf_password=SF_PASSWORD,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = RecordingTransport(httpx.ASGITransport(app=app))
        client = SapODataClient(
            "http://s4.test", username=USER, password=PASSWORD, transport=transport
        )
        employees = SapODataClient(
            "http://sf.test",
            username=SF_USER,
            password=SF_PASSWORD,
            transport=transport,
            service_path=API_ROOT,
        )
        adapter = SapAdapter("EU01", client, successfactors=employees)
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


async def test_employees_are_read_from_the_successfactors_api_only(
    sap: tuple[SapAdapter, RecordingTransport],
) -> None:
    adapter, transport = sap
    await adapter.list_employees(EmployeeFilter(company="1010"), PageRequest(limit=2))
    assert transport.urls
    assert all(url.startswith("http://sf.test/odata/v2/") for url in transport.urls)
    gateway = httpx.AsyncClient(transport=transport, base_url="http://s4.test")
    async with gateway:
        old_path = await gateway.get(
            "/sap/opu/odata/sap/SFSF_EC_EMPLOYEE/EmpEmployment", auth=(USER, PASSWORD)
        )
        s4_user = await gateway.get("/odata/v2/EmpEmployment", auth=(USER, PASSWORD))
        sf_user = await gateway.get(
            "/odata/v2/EmpEmployment?$top=1&$format=json", auth=(SF_USER, SF_PASSWORD)
        )
    assert old_path.status_code == 404
    assert s4_user.status_code == 401
    assert sf_user.status_code == 200
    assert sf_user.json()["d"]["results"][0]["__metadata"]["uri"].startswith(
        "http://s4.test/odata/v2/EmpEmployment("
    )


async def test_the_successfactors_shapes_of_pay_and_bank_records(
    sap: tuple[SapAdapter, RecordingTransport],
) -> None:
    _, transport = sap
    async with httpx.AsyncClient(transport=transport, base_url="http://sf.test") as sf:
        metadata = (await sf.get("/odata/v2/$metadata", auth=(SF_USER, SF_PASSWORD))).text
        pay = await sf.get(
            "/odata/v2/EmpPayCompRecurring?$top=1&$format=json", auth=(SF_USER, SF_PASSWORD)
        )
    assert '<PropertyRef Name="externalCode"/>' in metadata
    assert 'Name="paycompvalue" Type="Edm.Double"' in metadata
    assert 'Name="personIdExternal" Type="Edm.String" Nullable="false" MaxLength="32"' in metadata
    assert isinstance(pay.json()["d"]["results"][0]["paycompvalue"], float)


async def test_a_wrong_successfactors_password_is_an_authentication_failure(
    tmp_path: Path,
) -> None:
    app = create_app(SandboxSettings(data_dir=tmp_path / "sap"))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        client = SapODataClient("http://s4.test", username="GATEWAY", transport=transport)
        wrong = SapODataClient(
            "http://sf.test",
            username="sfapi@SFSANDBOX",
            password="wrong",
            transport=transport,
            service_path=API_ROOT,
        )
        adapter = SapAdapter("EU01", client, successfactors=wrong)
        with pytest.raises(AuthenticationFailed):
            await adapter.list_employees(EmployeeFilter(), ALL)
        await adapter.aclose()


async def test_without_a_successfactors_system_employees_are_not_supported(
    tmp_path: Path,
) -> None:
    app = create_app(SandboxSettings(data_dir=tmp_path / "sap"))
    async with app.router.lifespan_context(app):
        client = SapODataClient(
            "http://s4.test",
            username=USER,
            password=PASSWORD,
            transport=httpx.ASGITransport(app=app),
        )
        adapter = SapAdapter("EU01", client)
        assert Capability.READ_EMPLOYEES not in adapter.capabilities
        with pytest.raises(NotSupported, match="SuccessFactors"):
            await adapter.list_employees(EmployeeFilter(), ALL)
        await adapter.aclose()


async def test_a_configured_connection_reads_employees_from_its_successfactors_system() -> None:
    settings = SandboxSettings(
        username=USER, password=PASSWORD, sf_username="sfapi@ACME", sf_password=SF_PASSWORD
    )
    server = ServerThread(settings)
    server.start()
    try:
        conn = ConnectionSettings.model_validate(
            {
                "name": "EU01",
                "base_url": server.url,
                "username": USER,
                "password": PASSWORD,
                "successfactors": {
                    "base_url": server.url,
                    "company_id": "ACME",
                    "username": "sfapi",
                    "password": SF_PASSWORD,
                },
            }
        )
        adapter = installed_connectors().get(conn.kind).build(conn.name, conn.erp)
        try:
            page = await adapter.list_employees(EmployeeFilter(details=EVERYTHING), ALL)
        finally:
            await adapter.aclose()
    finally:
        server.stop()
    assert page.total == len(page.items) > 0
    assert all(e.salary is not None and e.bank_account is not None for e in page.items)
