"""An S/4 connection paired with a SuccessFactors connection, both configured with real
addresses: the gateway reaches the sandbox over HTTP (uvicorn in a thread), the S/4 system
as its communication user and SuccessFactors as ``<username>@<company_id>``, each with its
own password."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from erp_sandbox.sap import SandboxSettings, create_app
from experience_api.bootstrap import build_gateway
from experience_api.settings import Settings
from system_apis.contracts import errors
from system_apis.contracts.people import EmployeeDetail, EmployeeFilter
from system_apis.contracts.queries import CustomerFilter, PageRequest
from tests.integration.sandbox.test_faults_http import served

pytestmark = pytest.mark.integration


@pytest.fixture
def sandbox_url(tmp_path: Path) -> Iterator[str]:
    app = create_app(SandboxSettings(data_dir=tmp_path / "sap", sf_password="sf-secret"))
    with served(app) as url:
        yield url


def settings(tmp_path: Path, url: str, sf_password: str) -> Settings:
    s4: dict[str, Any] = {
        "name": "EU01",
        "base_url": url,
        "username": "GATEWAY",
        "password": "sandbox",
        "employees_from": "SF01",
    }
    sf: dict[str, Any] = {
        "name": "SF01",
        "kind": "successfactors",
        "base_url": url,
        "company_id": "SFSANDBOX",
        "username": "sfapi",
        "password": sf_password,
    }
    return Settings(data_dir=tmp_path / "gateway", connections=[s4, sf])


async def test_employees_come_from_the_paired_tenant_under_the_s4_connection(
    tmp_path: Path, sandbox_url: str
) -> None:
    gateway = await build_gateway(settings(tmp_path, sandbox_url, "sf-secret"))
    try:
        assert gateway.services.connections.names == ("EU01",)
        eu01 = gateway.services.connections.get("EU01")
        page = await eu01.list_employees(
            EmployeeFilter(details=frozenset(EmployeeDetail)), PageRequest(limit=100)
        )
        one = await eu01.get_employee(page.items[0].native_id, frozenset(EmployeeDetail))
    finally:
        await gateway.aclose()
    assert page.total == len(page.items) == 24
    assert {e.source.connection for e in page.items} == {"EU01"}
    assert {e.source.erp for e in page.items} == {"successfactors"}
    assert one == page.items[0]
    assert one.id == f"EU01:{one.native_id}"
    assert one.salary is not None


async def test_a_wrong_successfactors_password_fails_employees_only(
    tmp_path: Path, sandbox_url: str
) -> None:
    gateway = await build_gateway(settings(tmp_path, sandbox_url, "wrong"))
    try:
        eu01 = gateway.services.connections.get("EU01")
        customers = await eu01.list_customers(CustomerFilter(), PageRequest(limit=5))
        with pytest.raises(errors.AuthenticationFailed):
            await eu01.list_employees(EmployeeFilter(), PageRequest(limit=5))
    finally:
        await gateway.aclose()
    assert customers.items
