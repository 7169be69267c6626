"""The SAP connector builds its adapter from a connection's flat settings: every option
reaches SAP's requests, and bad values are refused at start-up, naming the field."""

from __future__ import annotations

import json
from decimal import Decimal
from urllib.parse import parse_qsl

import httpx
import pytest
from sap_payloads import SALES_ORDER

from experience_api.connection_settings import ConnectionSettings
from system_apis.contracts.commands import OrderLineDraft, SalesOrderDraft
from system_apis.contracts.connector import Endpoint
from system_apis.contracts.port import Capability
from system_apis.registry import installed_connectors
from system_apis.sap.settings import SapSettings

pytestmark = pytest.mark.unit


async def test_every_sales_order_option_reaches_sap() -> None:
    sent: list[httpx.Request] = []

    def sap(request: httpx.Request) -> httpx.Response:
        if request.headers.get("X-CSRF-Token") == "Fetch":
            return httpx.Response(200, json={"d": {}}, headers={"X-CSRF-Token": "tok"})
        sent.append(request)
        return httpx.Response(201, json={"d": SALES_ORDER})

    conn = ConnectionSettings.model_validate(
        {
            "name": "S4",
            "sap_client": "100",
            "service_path": "/gw/odata/sap",
            "sales_organization": "1710",
            "distribution_channel": "20",
            "division": "01",
            "order_type": "TA",
        }
    )
    endpoint = Endpoint("https://s4.example.com", httpx.MockTransport(sap), "GATEWAY", "pw")
    adapter = installed_connectors().get(conn.kind).build(conn.name, conn.erp, endpoint)
    try:
        await adapter.create_sales_order(
            SalesOrderDraft(
                customer_native_id="17100001",
                lines=(OrderLineDraft(sku="TG11", quantity=Decimal(2)),),
            )
        )
    finally:
        await adapter.aclose()

    [post] = sent
    assert post.url.path.startswith("/gw/odata/sap/API_SALES_ORDER_SRV/")
    assert dict(parse_qsl(post.url.query.decode()))["sap-client"] == "100"
    body = json.loads(post.content)
    assert (body["SalesOrderType"], body["SalesOrganization"]) == ("TA", "1710")
    assert (body["DistributionChannel"], body["OrganizationDivision"]) == ("20", "01")
    assert adapter.source.connection == "S4"
    assert adapter.source.erp == "sap"


def test_a_connection_without_kind_is_sap_with_the_defaults_of_before() -> None:
    conn = ConnectionSettings.model_validate({"name": "EU01"})
    assert conn.kind == "sap"
    assert conn.erp == SapSettings()
    assert conn.erp.embedded
    assert conn.capture_policy.enabled


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ({"timeout_seconds": 0}, "timeout_seconds: Input should be greater than 0"),
        ({"issue_movement_type": "999"}, "issue_movement_type: Input should be '201' or '551'"),
        ({"time_zone": "Mars/Olympus"}, "time_zone: Value error, unknown time zone"),
        ({"currency": "euro"}, "currency: String should match pattern"),
        ({"base_url": "s4.example.com"}, "base_url: String should match pattern"),
        ({"sales_org": "1710"}, "sales_org: is not a setting of a sap connection"),
    ],
)
def test_a_bad_sap_setting_names_the_connection_and_the_field(
    setting: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match="connection 'EU02' \\(sap\\): ") as raised:
        ConnectionSettings.model_validate({"name": "EU02", "password": "hunter2", **setting})
    assert message in str(raised.value)
    assert "hunter2" not in str(raised.value)


SUCCESSFACTORS = {
    "base_url": "https://api4.sf.example",
    "company_id": "ACME",
    "username": "sfapi",
    "password": "sf-secret",
}


def test_a_successfactors_block_pairs_the_connection_with_its_own_system() -> None:
    conn = ConnectionSettings.model_validate(
        {"name": "EU01", "base_url": "https://s4.example.com", "successfactors": SUCCESSFACTORS}
    )
    assert isinstance(conn.erp, SapSettings)
    assert conn.erp.successfactors is not None
    assert conn.erp.successfactors.base_url == "https://api4.sf.example"
    assert conn.erp.successfactors.secret() == "sf-secret"
    adapter = installed_connectors().get(conn.kind).build(conn.name, conn.erp)
    assert Capability.READ_EMPLOYEES in adapter.capabilities


def test_a_connection_with_no_successfactors_system_reads_no_employees() -> None:
    conn = ConnectionSettings.model_validate({"name": "EU01", "base_url": "https://s4.example"})
    adapter = installed_connectors().get(conn.kind).build(conn.name, conn.erp)
    assert Capability.READ_EMPLOYEES not in adapter.capabilities
    assert Capability.READ_SALES_ORDERS in adapter.capabilities


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ({"base_url": "https://api4.sf.example"}, "successfactors.company_id: Field required"),
        ({**SUCCESSFACTORS, "base_url": "api4"}, "successfactors.base_url: String should match"),
        ({**SUCCESSFACTORS, "client": "100"}, "successfactors.client"),
    ],
)
def test_a_bad_successfactors_block_names_the_field(block: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match="connection 'EU02' \\(sap\\): ") as raised:
        ConnectionSettings.model_validate({"name": "EU02", "successfactors": block})
    assert message in str(raised.value)
    assert "sf-secret" not in str(raised.value)
