"""SAP's own Python OData client (pyodata, requests-based) against the sandbox over HTTP.

The sandbox runs under uvicorn on a free loopback port in a background thread.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal

import pyodata
import pytest
import requests
import uvicorn
from pyodata.v2.service import HttpError

from erp_sandbox.sap import Sandbox, SandboxSettings, create_app
from tests.integration.sandbox.support import ANCHOR, BILLING_V4, CREATE_ACTION, PASSWORD, USER

ROOT = "/sap/opu/odata/sap"


class ServerThread:
    """uvicorn serving an app on an already bound loopback socket, in a daemon thread."""

    def __init__(self, settings: SandboxSettings) -> None:
        self.app = create_app(settings)
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        config = uvicorn.Config(self.app, log_level="warning", lifespan="off", access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("sandbox server did not start")
            time.sleep(0.01)
        assert requests.get(f"{self.url}/sandbox/health", timeout=5).status_code == 200

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.socket.close()
        self.app.state.sandbox.close()


@pytest.fixture(scope="module")
def server() -> Iterator[ServerThread]:
    running = ServerThread(SandboxSettings(seed_anchor=ANCHOR))
    running.start()
    yield running
    running.stop()


@pytest.fixture
def session(server: ServerThread) -> Iterator[requests.Session]:
    with requests.Session() as http:
        http.auth = (USER, PASSWORD)
        yield http


def _client(server: ServerThread, session: requests.Session, service: str) -> pyodata.Client:
    return pyodata.Client(f"{server.url}{ROOT}/{service}/", session)


def test_pyodata_reads_sales_orders(server: ServerThread, session: requests.Session) -> None:
    client = _client(server, session, "API_SALES_ORDER_SRV")
    assert {entity_set.name for entity_set in client.schema.entity_sets} == {
        "A_SalesOrder",
        "A_SalesOrderItem",
    }
    orders = (
        client.entity_sets.A_SalesOrder.get_entities()
        .filter("OverallSDProcessStatus eq 'C'")
        .top(3)
        .count(inline=True)
        .execute()
    )
    assert orders.total_count == 10
    assert len(orders) == 3
    assert all(order.OverallSDProcessStatus == "C" for order in orders)
    assert isinstance(orders[0].SalesOrderDate, datetime)

    order = client.entity_sets.A_SalesOrder.get_entity("4").expand("to_Item").execute()
    assert order.SalesOrder == "4"
    assert order.etag.startswith("W/")
    assert isinstance(order.LastChangeDateTime, datetime)
    total = sum((Decimal(item.NetAmount) for item in order.to_Item), Decimal(0))
    assert total == Decimal(order.TotalNetAmount)

    item = client.entity_sets.A_SalesOrderItem.get_entity(SalesOrder="4", SalesOrderItem="10")
    assert item.execute().Material

    with pytest.raises(HttpError) as raised:
        client.entity_sets.A_SalesOrder.get_entity("424242").execute()
    assert raised.value.response.status_code == 404


def test_pyodata_deep_insert_and_goods_issue(
    server: ServerThread, session: requests.Session
) -> None:
    sandbox: Sandbox = server.app.state.sandbox
    fetched = session.head(
        f"{server.url}{ROOT}/API_SALES_ORDER_SRV/", headers={"X-CSRF-Token": "Fetch"}
    )
    session.headers["X-CSRF-Token"] = fetched.headers["x-csrf-token"]
    orders = _client(server, session, "API_SALES_ORDER_SRV")
    created = (
        orders.entity_sets.A_SalesOrder.create_entity()
        .set(
            SalesOrderType="OR",
            SalesOrganization="1010",
            DistributionChannel="10",
            OrganizationDivision="00",
            SoldToParty="10100007",
            PurchaseOrderByCustomer="PYODATA-1",
            to_Item=[{"Material": "FG20", "RequestedQuantity": "2.5"}],
        )
        .execute()
    )
    number = created.SalesOrder
    assert int(number) > 30
    assert Decimal(created.TotalNetAmount) == sandbox.price("FG20") * Decimal("2.5")

    deliveries = _client(server, session, "API_OUTBOUND_DELIVERY_SRV;v=0002")
    delivery = (
        deliveries.entity_sets.A_OutbDeliveryHeader.create_entity()
        .set(
            to_DeliveryDocumentItem=[
                {"ReferenceSDDocument": number, "ReferenceSDDocumentItem": "10"}
            ]
        )
        .execute()
    )
    [line] = sandbox.rows("A_OutbDeliveryItem")[-1:]
    before = sandbox.stock("FG20", line["Plant"], line["StorageLocation"])
    # PickAllItems and PostGoodsIssue answer Collection(PickingReport) without an entity set,
    # as in SAP's metadata; pyodata 1.x resolves an entity set for every collection it
    # answers, so these two are called over plain HTTP.
    csrf = session.get(
        f"{server.url}{ROOT}/API_OUTBOUND_DELIVERY_SRV;v=0002/", headers={"X-CSRF-Token": "Fetch"}
    ).headers["x-csrf-token"]
    picking = session.post(
        f"{server.url}{ROOT}/API_OUTBOUND_DELIVERY_SRV;v=0002/PickAllItems",
        params={"DeliveryDocument": f"'{delivery.DeliveryDocument}'"},
        headers={"If-Match": delivery.etag, "X-CSRF-Token": csrf},
        timeout=5,
    )
    assert picking.status_code == 200, picking.text
    picked = deliveries.entity_sets.A_OutbDeliveryHeader.get_entity(
        delivery.DeliveryDocument
    ).execute()
    assert picked.OverallPickingStatus == "C"
    issued_before = sandbox.rows("A_OutbDeliveryHeader")[-1]
    assert issued_before["OverallGoodsMovementStatus"] == "A"
    goods_issue = session.post(
        f"{server.url}{ROOT}/API_OUTBOUND_DELIVERY_SRV;v=0002/PostGoodsIssue",
        params={"DeliveryDocument": f"'{delivery.DeliveryDocument}'"},
        headers={"If-Match": picked.etag},
        timeout=5,
    )
    assert goods_issue.status_code == 200, goods_issue.text
    posted = deliveries.entity_sets.A_OutbDeliveryHeader.get_entity(
        delivery.DeliveryDocument
    ).execute()
    assert posted.OverallGoodsMovementStatus == "C"
    after = sandbox.stock("FG20", line["Plant"], line["StorageLocation"])
    assert after == before - Decimal("2.5")

    v4 = f"{server.url}{BILLING_V4}"
    token = session.get(f"{v4}/", headers={"X-CSRF-Token": "Fetch"}, timeout=5)
    billed = session.post(
        f"{v4}/{CREATE_ACTION}",
        json={"_Control": {}, "_Reference": [{"SDDocument": delivery.DeliveryDocument}]},
        headers={"X-CSRF-Token": token.headers["x-csrf-token"]},
        timeout=5,
    )
    assert billed.status_code == 200, billed.text
    billing = _client(server, session, "API_BILLING_DOCUMENT_SRV")
    number = billed.json()["value"][0]["BillingDocument"]
    invoice = billing.entity_sets.A_BillingDocument.get_entity(number).execute()
    assert Decimal(invoice.TotalGrossAmount) == Decimal(invoice.TotalNetAmount) + Decimal(
        invoice.TaxAmount
    )
    pdf = billing.functions.GetPDF.parameter("BillingDocument", number).execute()
    assert pdf["GetPDF"]["BillingDocumentBinary"]
    cancelling = session.post(
        f"{server.url}{ROOT}/API_BILLING_DOCUMENT_SRV/Cancel",
        params={"BillingDocument": f"'{number}'"},
        headers={"X-CSRF-Token": csrf},
        timeout=5,
    )
    assert cancelling.status_code == 200, cancelling.text
    cancelled = billing.entity_sets.A_BillingDocument.get_entity(number).execute()
    assert cancelled.BillingDocumentIsCancelled is True


def test_pyodata_reads_master_data(server: ServerThread, session: requests.Session) -> None:
    partners = _client(server, session, "API_BUSINESS_PARTNER")
    customers = (
        partners.entity_sets.A_BusinessPartner.get_entities()
        .filter("Customer ne '' and BusinessPartnerCategory eq '1'")
        .expand("to_BusinessPartnerAddress")
        .execute()
    )
    assert customers
    for customer in customers:
        [address] = customer.to_BusinessPartnerAddress
        assert len(address.Country) == 2
    products = _client(server, session, "API_PRODUCT_SRV")
    product = products.entity_sets.A_Product.get_entity("FG19").execute()
    assert product.BaseUnit == "KG"
    stock = _client(server, session, "API_MATERIAL_STOCK_SRV")
    rows = (
        stock.entity_sets.A_MatlStkInAcctMod.get_entities().filter("Material eq 'TG35'").execute()
    )
    assert sorted(Decimal(row.MatlWrhsStkQtyInMatlBaseUnit) for row in rows) == [1, 3]
