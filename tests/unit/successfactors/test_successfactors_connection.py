"""A SuccessFactors connection is its own kind that an S/4HANA connection is paired with:
its settings, the pairing checks at start-up, the requests its adapter sends, and the port
methods it refuses."""

from __future__ import annotations

import base64
import logging
import re
from pathlib import Path

import httpx
import pytest

from experience_api.connection_settings import ConnectionSettings
from experience_api.settings import Settings
from system_apis.contracts import errors
from system_apis.contracts.people import EmployeeFilter
from system_apis.contracts.port import Capability
from system_apis.contracts.queries import CustomerFilter, InvoiceFilter, PageRequest
from system_apis.registry import installed_connectors
from system_apis.successfactors.adapter import SuccessFactorsAdapter
from system_apis.successfactors.connector import tenant_client
from system_apis.successfactors.settings import SuccessFactorsSettings

pytestmark = pytest.mark.unit

TENANT = {
    "name": "SF01",
    "kind": "successfactors",
    "base_url": "https://api4.sf.example",
    "company_id": "ACME",
    "username": "sfapi",
    "password": "sf-secret",
}
S4 = {"name": "EU01", "base_url": "https://s4.example.com", "employees_from": "SF01"}


def test_a_successfactors_connection_reads_its_tenant() -> None:
    conn = ConnectionSettings.model_validate(TENANT)
    assert isinstance(conn.erp, SuccessFactorsSettings)
    assert not conn.erp.embedded
    assert conn.erp.secret() == "sf-secret"
    assert ConnectionSettings.model_validate(
        {"name": "SF02", "kind": "successfactors"}
    ).erp.embedded


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"company_id": None}, "company_id required with base_url"),
        ({"username": None, "company_id": None}, "company_id and username required"),
        ({"base_url": "api4"}, "base_url: String should match"),
        ({"timeout_seconds": 0}, "timeout_seconds: Input should be greater than 0"),
        ({"sap_client": "100"}, "sap_client: is not a setting of a successfactors connection"),
    ],
)
def test_bad_settings_name_the_connection_and_field(
    fields: dict[str, object], message: str
) -> None:
    given = {k: v for k, v in {**TENANT, **fields}.items() if v is not None}
    with pytest.raises(ValueError, match="connection 'SF01' \\(successfactors\\): ") as raised:
        ConnectionSettings.model_validate(given)
    assert message in str(raised.value)
    assert "sf-secret" not in str(raised.value)


def test_an_s4_connection_names_the_connection_it_reads_employees_from(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, connections=[S4, TENANT])
    assert settings.connections[0].erp.employees_from == "SF01"


@pytest.mark.parametrize(
    ("connections", "message"),
    [
        ([S4], "connection 'EU01' (sap): employees_from: 'SF01' is not a connection of kind"),
        (
            [S4, {"name": "SF01", "base_url": "https://s4b.example.com"}],
            "connection 'EU01' (sap): employees_from: 'SF01' is not a connection of kind "
            "successfactors",
        ),
        ([{"name": "EU01"}, TENANT], "connection 'SF01' (successfactors) serves no connection"),
        (
            [
                {
                    **S4,
                    "successfactors": {
                        k: TENANT[k] for k in ("base_url", "company_id", "username")
                    },
                },
                TENANT,
            ],
            "employees_from and the deprecated successfactors block exclude each other",
        ),
    ],
)
def test_a_bad_pairing_is_refused_at_start_up(
    tmp_path: Path, connections: list[dict[str, object]], message: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        Settings(data_dir=tmp_path, connections=connections)


def test_the_embedded_default_pairs_its_sap_connection_with_a_successfactors_one(
    tmp_path: Path,
) -> None:
    kinds = {c.name: (c.kind, c.erp.embedded) for c in Settings(data_dir=tmp_path).connections}
    assert kinds == {"EU01": ("sap", True), "SF01": ("successfactors", True)}
    assert Settings(data_dir=tmp_path).connections[0].erp.employees_from == "SF01"


async def test_the_adapter_reads_employees_of_the_tenant_as_user_at_company() -> None:
    sent: list[httpx.Request] = []

    def successfactors(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={"d": {"results": [], "__count": "0"}})

    conn = ConnectionSettings.model_validate(TENANT)
    assert isinstance(conn.erp, SuccessFactorsSettings)
    client = tenant_client(conn.erp, httpx.MockTransport(successfactors))
    adapter = SuccessFactorsAdapter("EU01", client)
    try:
        page = await adapter.list_employees(EmployeeFilter(), PageRequest(limit=5))
    finally:
        await adapter.aclose()
    assert page.total == 0
    assert adapter.source.connection == "EU01"
    (request,) = sent
    assert request.url.host == "api4.sf.example"
    assert request.url.path == "/odata/v2/EmpEmployment"
    expected = base64.b64encode(b"sfapi@ACME:sf-secret").decode()
    assert request.headers["authorization"] == f"Basic {expected}"


async def test_the_adapter_refuses_what_successfactors_does_not_hold() -> None:
    conn = ConnectionSettings.model_validate(TENANT)
    adapter = installed_connectors().get(conn.kind).build("SF01", conn.erp)
    try:
        assert adapter.capabilities == {Capability.READ_EMPLOYEES}
        with pytest.raises(errors.NotSupported, match="employees only, no customers"):
            await adapter.list_customers(CustomerFilter(), PageRequest(limit=1))
        with pytest.raises(errors.NotSupported, match="no sales orders"):
            await adapter.get_sales_order("1")
        with pytest.raises(errors.NotSupported, match="no invoices"):
            async for _chunk in adapter.stream_invoices(InvoiceFilter()):
                pass
    finally:
        await adapter.aclose()


def test_the_deprecated_successfactors_block_still_pairs_and_warns(
    caplog: pytest.LogCaptureFixture,
) -> None:
    block = {k: TENANT[k] for k in ("base_url", "company_id", "username", "password")}
    conn = ConnectionSettings.model_validate(
        {**S4, "employees_from": None, "successfactors": block}
    )
    with caplog.at_level(logging.WARNING):
        adapter = installed_connectors().get(conn.kind).build(conn.name, conn.erp)
    assert Capability.READ_EMPLOYEES in adapter.capabilities
    assert "connection EU01: the successfactors block is deprecated" in caplog.text
