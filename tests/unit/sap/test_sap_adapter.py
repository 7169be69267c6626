"""SapAdapter over a scripted SAP (httpx.MockTransport): requests sent and records returned."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, unquote

import httpx
import pytest
from sap_payloads import (
    BILLING_DOCUMENT,
    BUSINESS_PARTNER,
    DELIVERY,
    PRODUCT,
    SALES_ORDER,
    clone,
    sap_error,
    stock_row,
)

from system_apis.contracts.commands import OrderLineDraft, SalesOrderDraft
from system_apis.contracts.errors import (
    InsufficientStock,
    NotFound,
    Unavailable,
    UnknownOutcome,
    ValidationRejected,
)
from system_apis.contracts.models import DocumentStatus, OrderStatus, Source
from system_apis.contracts.port import Capability, ErpAdapter
from system_apis.contracts.queries import (
    CustomerFilter,
    DeliveryFilter,
    InventoryFilter,
    InvoiceFilter,
    PageRequest,
    ProductFilter,
    SalesOrderFilter,
)
from system_apis.sap.adapter import SapAdapter
from system_apis.sap.client import SapODataClient
from system_apis.sap.mapping.selects import CUSTOMER_SELECT
from tests.unit.sap.scripted_batch import answer_batch

pytestmark = pytest.mark.unit

Route = Callable[[httpx.Request], httpx.Response]
PAGE = PageRequest(offset=0, limit=20)


def odata(payload: Any, status: int = 200, **headers: str) -> httpx.Response:
    return httpx.Response(status, json={"d": payload}, headers=headers)


def collection(*entities: dict[str, Any], count: int | None = None) -> httpx.Response:
    payload: dict[str, Any] = {"results": list(entities)}
    if count is not None:
        payload["__count"] = str(count)
    return odata(payload)


class ScriptedSap:
    """Answers by ``(method, resource)`` where resource is the path after the service root."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], Route] = {}
        self.requests: list[httpx.Request] = []
        """The requests answered, a batch's reads one by one."""
        self.batches: list[httpx.Request] = []

    def on(self, method: str, resource: str, answer: httpx.Response | Route) -> None:
        self.routes[(method, resource)] = answer if callable(answer) else (lambda r: answer)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.headers.get("X-CSRF-Token") == "Fetch":
            return httpx.Response(200, json={"d": {}}, headers={"X-CSRF-Token": "tok"})
        path = unquote(request.url.path)
        resource = path.split("/", 6)[-1]
        if request.method == "POST" and resource == "$batch":
            self.batches.append(request)
            return answer_batch(request, self)
        self.requests.append(request)
        route = self.routes.get((request.method, resource))
        if route is None:
            return httpx.Response(404, json=sap_error("/IWBEP/CM_MGW_RT/020", f"no {resource}"))
        return route(request)


def query(request: httpx.Request) -> dict[str, str]:
    return dict(parse_qsl(request.url.query.decode(), keep_blank_values=True))


@pytest.fixture
def sap() -> ScriptedSap:
    return ScriptedSap()


@pytest.fixture
async def adapter(sap: ScriptedSap):
    client = SapODataClient(
        "https://s4.example.com",
        username="GATEWAY",
        password="secret",
        transport=httpx.MockTransport(sap),
    )
    adapter = SapAdapter("s4", client, sales_organization="1710")
    yield adapter
    await adapter.aclose()


def test_adapter_satisfies_the_port(adapter: SapAdapter) -> None:
    assert isinstance(adapter, ErpAdapter)
    assert adapter.source == Source(connection="s4", erp="sap")
    # paired with no SuccessFactors system, the connection reads no employees
    assert adapter.capabilities == frozenset(Capability) - {Capability.READ_EMPLOYEES}


async def test_list_customers_is_one_request_with_expand_paging_and_count(
    adapter: SapAdapter, sap: ScriptedSap
) -> None:
    sap.on("GET", "A_BusinessPartner", collection(BUSINESS_PARTNER, count=31))
    page = await adapter.list_customers(
        CustomerFilter(name_contains="O'Neill"), PageRequest(offset=20, limit=10)
    )
    assert [c.id for c in page.items] == ["s4:17100001"]
    assert page.total == 31
    assert page.offset == 20
    assert page.items[0].address is not None
    assert len(sap.requests) == 1
    sent = query(sap.requests[0])
    assert sent.pop("$select").split(",") == list(CUSTOMER_SELECT)
    assert sent == {
        "$filter": "Customer ne '' and substringof('o''neill',tolower(BusinessPartnerFullName))",
        "$expand": "to_BusinessPartnerAddress",
        "$orderby": "Customer",
        "$top": "10",
        "$skip": "20",
        "$inlinecount": "allpages",
        "$format": "json",
    }


async def test_customers_by_ids_cost_one_request(adapter: SapAdapter, sap: ScriptedSap) -> None:
    sap.on("GET", "A_BusinessPartner", collection(BUSINESS_PARTNER, count=1))
    await adapter.list_customers(CustomerFilter(native_ids=["1", "2", "3"]), PAGE)
    assert len(sap.requests) == 1
    assert query(sap.requests[0])["$filter"] == (
        "Customer ne '' and (Customer eq '1' or Customer eq '2' or Customer eq '3')"
    )
    empty = await adapter.list_customers(CustomerFilter(native_ids=[]), PAGE)
    assert empty.items == ()
    assert empty.total == 0
    assert len(sap.requests) == 1


async def test_customers_by_country_read_address_keys_first(
    adapter: SapAdapter, sap: ScriptedSap
) -> None:
    sap.on(
        "GET",
        "A_BusinessPartnerAddress",
        collection({"BusinessPartner": "17100001"}, {"BusinessPartner": "17100001"}),
    )
    sap.on("GET", "A_BusinessPartner", collection(BUSINESS_PARTNER, count=1))
    page = await adapter.list_customers(CustomerFilter(country="de"), PAGE)
    assert page.total == 1
    keys, partners = sap.requests
    assert query(keys)["$filter"] == "Country eq 'DE'"
    assert query(keys)["$select"] == "BusinessPartner"
    assert query(partners)["$filter"] == "Customer ne '' and BusinessPartner eq '17100001'"


async def test_customers_by_numbers_and_country_keep_every_filter_within_a_chunk(
    adapter: SapAdapter, sap: ScriptedSap
) -> None:
    in_country = [{"BusinessPartner": f"{17100001 + n}"} for n in range(0, 200, 2)]
    sap.on("GET", "A_BusinessPartnerAddress", collection(*in_country))

    def partners(request: httpx.Request) -> httpx.Response:
        if query(request)["$select"] == "BusinessPartner":  # the partners of named customers
            return collection({"BusinessPartner": "17100001"}, {"BusinessPartner": "17100002"})
        return collection(BUSINESS_PARTNER, count=1)

    sap.on("GET", "A_BusinessPartner", partners)
    numbers = [f"{17100001 + n}" for n in range(1, 200, 2)] + ["17100001"]

    page = await adapter.list_customers(CustomerFilter(native_ids=numbers, country="DE"), PAGE)

    assert [c.native_id for c in page.items] == ["17100001"]
    filters = [query(r)["$filter"] for r in sap.requests]
    assert max(f.count(" eq ") for f in filters) <= 40, "no or-list beyond one chunk"
    assert filters[-1] == "Customer ne '' and BusinessPartner eq '17100001'"


async def test_customers_of_a_country_without_addresses(
    adapter: SapAdapter, sap: ScriptedSap
) -> None:
    sap.on("GET", "A_BusinessPartnerAddress", collection())
    page = await adapter.list_customers(CustomerFilter(country="FR"), PAGE)
    assert page.total == 0
    assert len(sap.requests) == 1


async def test_list_products_by_skus_and_group(adapter: SapAdapter, sap: ScriptedSap) -> None:
    sap.on("GET", "A_Product", collection(PRODUCT, count=1))
    page = await adapter.list_products(
        ProductFilter(skus=["TG11", "TG12"], product_group="L001"), PAGE
    )
    assert page.items[0].name == "Trading Good 11"
    assert query(sap.requests[0])["$filter"] == (
        "ProductGroup eq 'L001' and (Product eq 'TG11' or Product eq 'TG12')"
    )
    assert query(sap.requests[0])["$expand"] == "to_Description"


async def test_products_by_name_read_description_keys_first(
    adapter: SapAdapter, sap: ScriptedSap
) -> None:
    sap.on("GET", "A_ProductDescription", collection({"Product": "TG11"}))
    sap.on("GET", "A_Product", collection(PRODUCT, count=1))
    await adapter.list_products(ProductFilter(name_contains="Good"), PAGE)
    keys, products = sap.requests
    assert query(keys)["$filter"] == (
        "Language eq 'EN' and substringof('good',tolower(ProductDescription))"
    )
    assert query(products)["$filter"] == "Product eq 'TG11'"


async def test_list_inventory_by_location(adapter: SapAdapter, sap: ScriptedSap) -> None:
    rows = [
        stock_row("TG11", "1010", "0001", "4", batch="A"),
        stock_row("TG11", "1010", "0001", "6", batch="B"),
    ]
    sap.on("GET", "A_MatlStkInAcctMod", collection(*rows, count=2))
    page = await adapter.list_inventory(InventoryFilter(location="1010/0001", skus=["TG11"]), PAGE)
    assert [(lvl.sku, lvl.location, lvl.quantity.value) for lvl in page.items] == [
        ("TG11", "1010/0001", Decimal("10"))
    ]
    sent = query(sap.requests[0])
    assert sent["$filter"] == (
        "InventoryStockType eq '01' and Material eq 'TG11' and Plant eq '1010'"
        " and StorageLocation eq '0001'"
    )
    assert sent["$orderby"] == "Material,Plant,StorageLocation,Batch"
    assert sent["$inlinecount"] == "allpages"


async def test_inventory_location_of_another_shape_is_rejected(
    adapter: SapAdapter, sap: ScriptedSap
) -> None:
    with pytest.raises(ValidationRejected, match="location"):
        await adapter.list_inventory(InventoryFilter(location="1010/0001/x"), PAGE)
    assert sap.requests == []


def sent_to(sap: ScriptedSap, resource: str) -> list[dict[str, str]]:
    """The query options of the requests sent to ``resource``, in order."""
    return [query(r) for r in sap.requests if unquote(r.url.path).endswith("/" + resource)]


def billing_item(order: str, item: str, quantity: str, **header: Any) -> dict[str, Any]:
    """An ``A_BillingDocumentItem`` row as the billed-quantity read selects it."""
    return {
        "BillingDocument": "90000001",
        "SalesDocument": order,
        "SalesDocumentItem": item,
        "ReferenceSDDocument": "80000001",
        "ReferenceSDDocumentItem": item,
        "BillingQuantity": quantity,
        "to_BillingDocument": {
            "BillingDocumentIsCancelled": False,
            "SDDocumentCategory": "M",
            **header,
        },
    }


async def test_list_sales_orders_newest_first_with_filters(
    adapter: SapAdapter, sap: ScriptedSap
) -> None:
    sap.on("GET", "A_SalesOrder", collection(SALES_ORDER, count=1))
    sap.on("GET", "A_BillingDocumentItem", collection({"SalesDocument": "4700"}))
    page = await adapter.list_sales_orders(
        SalesOrderFilter(
            customer_native_id="17100001",
            external_reference="PO-2024-001",
            status=OrderStatus.SHIPPED,
            date_from=dt.date(2024, 3, 1),
            date_to=dt.date(2024, 3, 31),
        ),
        PAGE,
    )
    assert page.items[0].lines[0].sku == "TG11"
    [sent] = sent_to(sap, "A_SalesOrder")
    assert sent["$filter"] == (
        "SoldToParty eq '17100001' and PurchaseOrderByCustomer eq 'PO-2024-001'"
        " and OverallTotalDeliveryStatus eq 'C' and OverallOrdReltdBillgStatus ne 'C'"
        " and SalesOrder ne '4700' and OverallSDDocumentRejectionSts ne 'C'"
        " and SalesOrderDate ge datetime'2024-03-01T00:00:00'"
        " and SalesOrderDate le datetime'2024-03-31T00:00:00'"
    )
    assert sent["$orderby"] == "SalesOrderDate desc,SalesOrder desc"
    assert sent["$expand"] == "to_Item"


@pytest.mark.parametrize(
    ("status", "billed", "expected"),
    [
        (
            OrderStatus.INVOICED,
            [],
            "OverallOrdReltdBillgStatus eq 'C' and OverallSDDocumentRejectionSts ne 'C'",
        ),
        (
            OrderStatus.INVOICED,
            ["4711", "4712"],
            "((OverallOrdReltdBillgStatus eq 'C') or (OverallTotalDeliveryStatus eq 'C'"
            " and (SalesOrder eq '4711' or SalesOrder eq '4712')))"
            " and OverallSDDocumentRejectionSts ne 'C'",
        ),
        (
            OrderStatus.PARTIALLY_SHIPPED,
            [],
            "OverallTotalDeliveryStatus eq 'B' and OverallOrdReltdBillgStatus ne 'C'"
            " and OverallSDDocumentRejectionSts ne 'C'",
        ),
        (
            OrderStatus.ORDERED,
            [],
            "OverallTotalDeliveryStatus ne 'C' and OverallTotalDeliveryStatus ne 'B'"
            " and OverallOrdReltdBillgStatus ne 'C' and OverallSDDocumentRejectionSts ne 'C'",
        ),
        (OrderStatus.CANCELLED, [], "OverallSDDocumentRejectionSts eq 'C'"),
    ],
)
async def test_order_status_filters(
    adapter: SapAdapter, sap: ScriptedSap, status: OrderStatus, billed: list[str], expected: str
) -> None:
    sap.on("GET", "A_SalesOrder", collection(count=0))
    sap.on("GET", "A_BillingDocumentItem", collection(*({"SalesDocument": n} for n in billed)))
    await adapter.list_sales_orders(SalesOrderFilter(status=status), PAGE)
    assert sent_to(sap, "A_SalesOrder")[0]["$filter"] == expected


@pytest.mark.parametrize(
    ("billed", "status"),
    [
        ([], OrderStatus.ORDERED),
        ([billing_item("4711", "10", "2")], OrderStatus.ORDERED),
        ([billing_item("4711", "10", "2"), billing_item("4711", "20", "1")], OrderStatus.INVOICED),
        (
            [
                billing_item("4711", "10", "2"),
                billing_item("4711", "20", "1", BillingDocumentIsCancelled=True),
            ],
            OrderStatus.ORDERED,
        ),
        (
            [
                billing_item("4711", "10", "2"),
                billing_item("4711", "20", "1"),
                billing_item("4711", "20", "1", SDDocumentCategory="N"),
            ],
            OrderStatus.INVOICED,
        ),
    ],
)
async def test_an_order_billed_from_its_deliveries_is_invoiced_by_its_billing_documents(
    adapter: SapAdapter,
    sap: ScriptedSap,
    billed: list[dict[str, Any]],
    status: OrderStatus,
) -> None:
    sap.on("GET", "A_SalesOrder('4711')", odata(SALES_ORDER))
    sap.on("GET", "A_BillingDocumentItem", collection(*billed))
    order = await adapter.get_sales_order("4711")
    assert order.status is status
    [sent] = sent_to(sap, "A_BillingDocumentItem")
    assert sent["$filter"] == "SalesDocument eq '4711'"
    assert sent["$expand"] == "to_BillingDocument"


async def test_a_list_read_without_billing_state_reads_no_billing_documents(
    adapter: SapAdapter, sap: ScriptedSap
) -> None:
    sap.on("GET", "A_SalesOrder", collection(SALES_ORDER, count=1))
    sap.on(
        "GET",
        "A_BillingDocumentItem",
        collection(billing_item("4711", "10", "2"), billing_item("4711", "20", "2")),
    )
    full = await adapter.list_sales_orders(SalesOrderFilter(), PAGE)
    assert full.items[0].status is OrderStatus.INVOICED
    assert len(sent_to(sap, "A_BillingDocumentItem")) == 1

    sparse = await adapter.list_sales_orders(SalesOrderFilter(billing_state=False), PAGE)
    assert len(sent_to(sap, "A_BillingDocumentItem")) == 1  # none more
    assert sparse.items[0].billing_status is not DocumentStatus.COMPLETE
    assert sparse.items[0].model_dump(exclude={"status", "billing_status"}) == full.items[
        0
    ].model_dump(exclude={"status", "billing_status"})

    # A status filter needs the billing state, whatever the read shows.
    await adapter.list_sales_orders(
        SalesOrderFilter(billing_state=False, status=OrderStatus.ORDERED), PAGE
    )
    assert len(sent_to(sap, "A_BillingDocumentItem")) == 2


async def test_order_related_billing_status_needs_no_billing_documents(
    adapter: SapAdapter, sap: ScriptedSap
) -> None:
    order = clone(SALES_ORDER)
    order["OverallOrdReltdBillgStatus"] = "C"
    sap.on("GET", "A_SalesOrder('4711')", odata(order))
    assert (await adapter.get_sales_order("4711")).status is OrderStatus.INVOICED
    assert len(sap.requests) == 1


async def test_get_sales_order_not_found(adapter: SapAdapter) -> None:
    with pytest.raises(NotFound) as caught:
        await adapter.get_sales_order("999")
    assert caught.value.connection == "s4"


async def test_get_sales_order_with_an_unreadable_payload(
    adapter: SapAdapter, sap: ScriptedSap
) -> None:
    broken = clone(SALES_ORDER)
    broken["TotalNetAmount"] = "lots"
    sap.on("GET", "A_SalesOrder('4711')", odata(broken))
    sap.on("GET", "A_BillingDocumentItem", collection())
    with pytest.raises(Unavailable, match="cannot read"):
        await adapter.get_sales_order("4711")


async def test_create_sales_order_deep_inserts(adapter: SapAdapter, sap: ScriptedSap) -> None:
    sap.on("POST", "A_SalesOrder", odata(SALES_ORDER, status=201))
    order = await adapter.create_sales_order(
        SalesOrderDraft(
            customer_native_id="17100001",
            external_reference="PO-2024-001",
            lines=(OrderLineDraft(sku="TG11", quantity=Decimal(2), unit="PC"),),
        )
    )
    assert order.id == "s4:4711"
    body = json.loads(sap.requests[0].content)
    assert body["SalesOrganization"] == "1710"
    assert body["to_Item"] == {
        "results": [{"Material": "TG11", "RequestedQuantity": "2", "RequestedQuantityUnit": "PC"}]
    }


async def test_create_sales_order_reads_back_when_items_are_not_returned(
    adapter: SapAdapter, sap: ScriptedSap
) -> None:
    header = {k: v for k, v in SALES_ORDER.items() if k != "to_Item"}
    sap.on("POST", "A_SalesOrder", odata(header, status=201))
    sap.on("GET", "A_SalesOrder('4711')", odata(SALES_ORDER))
    sap.on("GET", "A_BillingDocumentItem", collection())
    order = await adapter.create_sales_order(
        SalesOrderDraft(customer_native_id="1", lines=(OrderLineDraft(sku="TG11", quantity=1),))
    )
    assert len(order.lines) == 2


async def test_create_sales_order_with_bad_material(adapter: SapAdapter, sap: ScriptedSap) -> None:
    sap.on(
        "POST",
        "A_SalesOrder",
        httpx.Response(400, json=sap_error("V1/382", "Material NOPE does not exist")),
    )
    with pytest.raises(ValidationRejected, match="NOPE"):
        await adapter.create_sales_order(
            SalesOrderDraft(customer_native_id="1", lines=(OrderLineDraft(sku="NOPE", quantity=1),))
        )


async def test_create_delivery_references_the_open_items(
    adapter: SapAdapter, sap: ScriptedSap
) -> None:
    order = clone(SALES_ORDER)
    order["to_Item"]["results"][0]["DeliveryStatus"] = "C"
    sap.on("GET", "A_SalesOrder('4711')", odata(order))
    sap.on("POST", "A_OutbDeliveryHeader", odata(DELIVERY, status=201))
    delivery = await adapter.create_delivery("4711")
    assert delivery.id == "s4:80000001"
    post = sap.requests[1]
    assert post.url.path.endswith("API_OUTBOUND_DELIVERY_SRV;v=0002/A_OutbDeliveryHeader")
    assert json.loads(post.content) == {
        "to_DeliveryDocumentItem": {
            "results": [{"ReferenceSDDocument": "4711", "ReferenceSDDocumentItem": "10"}]
        }
    }


async def test_create_delivery_for_a_delivered_order_is_rejected(
    adapter: SapAdapter, sap: ScriptedSap
) -> None:
    order = clone(SALES_ORDER)
    for item in order["to_Item"]["results"]:
        item["DeliveryStatus"] = "C"
    sap.on("GET", "A_SalesOrder('4711')", odata(order))
    with pytest.raises(ValidationRejected, match="no open items"):
        await adapter.create_delivery("4711")
    assert len(sap.requests) == 1


class ScriptedDelivery:
    """Delivery 80000001 whose ETag is its ``DeliveryVersion``; picking and goods issue change it.

    ``PostGoodsIssue`` answers a collection of messages, as SAP does.
    """

    def __init__(self, sap: ScriptedSap, picking: str) -> None:
        self.state = clone(DELIVERY)
        self.state.update(DeliveryVersion="0001", OverallPickingStatus=picking)
        sap.on("GET", "A_OutbDeliveryHeader('80000001')", self.read)
        sap.on("POST", "PickAllItems", self.pick)
        sap.on("POST", "PostGoodsIssue", self.post)

    @property
    def etag(self) -> str:
        return f"W/\"'{self.state['DeliveryVersion']}'\""

    def _change(self, **values: Any) -> None:
        self.state.update(values, DeliveryVersion=f"{int(self.state['DeliveryVersion']) + 1:04d}")

    def _stale(self, request: httpx.Request) -> httpx.Response | None:
        if request.headers.get("If-Match") == self.etag:
            return None
        return httpx.Response(412, json=sap_error("/IWBEP/CM_MGW_RT/022", "ETag mismatch"))

    def read(self, request: httpx.Request) -> httpx.Response:
        return odata(self.state, ETag=self.etag)

    def pick(self, request: httpx.Request) -> httpx.Response:
        if refused := self._stale(request):
            return refused
        self._change(OverallPickingStatus="C")
        return odata(self.state, ETag=self.etag)

    def post(self, request: httpx.Request) -> httpx.Response:
        if refused := self._stale(request):
            return refused
        if self.state["OverallPickingStatus"] not in ("", "C"):
            return httpx.Response(400, json=sap_error("VL/609", "Picking is not complete"))
        self._change(
            OverallGoodsMovementStatus="C", ActualGoodsMovementDate="/Date(1709769600000)/"
        )
        return odata({"results": [{"SystemMessageType": "S", "SystemMessageText": "posted"}]})


@pytest.mark.parametrize("picking", ["A", "B"])
async def test_post_goods_issue_picks_first_with_each_current_etag(
    adapter: SapAdapter, sap: ScriptedSap, picking: str
) -> None:
    scripted = ScriptedDelivery(sap, picking)
    delivery = await adapter.post_goods_issue("80000001")
    assert delivery.goods_issued is True
    assert delivery.goods_issue_date == dt.date(2024, 3, 7)
    assert len(delivery.lines) == 2
    writes = [r for r in sap.requests if r.method == "POST"]
    assert [r.url.path.rsplit("/", 1)[-1] for r in writes] == ["PickAllItems", "PostGoodsIssue"]
    assert [r.headers["If-Match"] for r in writes] == ["W/\"'0001'\"", "W/\"'0002'\""]
    assert all(query(r) == {"DeliveryDocument": "'80000001'"} for r in writes)
    assert "DeliveryVersion" in query(sap.requests[0])["$select"].split(",")
    assert scripted.state["DeliveryVersion"] == "0003"


async def test_post_goods_issue_without_picking_relevance_posts_at_once(
    adapter: SapAdapter, sap: ScriptedSap
) -> None:
    ScriptedDelivery(sap, "")
    delivery = await adapter.post_goods_issue("80000001")
    assert delivery.goods_issued is True
    writes = [r for r in sap.requests if r.method == "POST"]
    assert [r.url.path.rsplit("/", 1)[-1] for r in writes] == ["PostGoodsIssue"]


async def test_post_goods_issue_twice_posts_once(adapter: SapAdapter, sap: ScriptedSap) -> None:
    issued = clone(DELIVERY)
    issued["OverallGoodsMovementStatus"] = "C"
    sap.on("GET", "A_OutbDeliveryHeader('80000001')", odata(issued))
    delivery = await adapter.post_goods_issue("80000001")
    assert delivery.goods_issued is True
    assert [r.method for r in sap.requests] == ["GET"]


async def test_post_goods_issue_without_stock(adapter: SapAdapter, sap: ScriptedSap) -> None:
    sap.on("GET", "A_OutbDeliveryHeader('80000001')", odata(DELIVERY))
    sap.on(
        "POST",
        "PostGoodsIssue",
        httpx.Response(
            400, json=sap_error("M7/021", "Deficit of SL Unrestricted-use 2 PC : TG11 1010 0001")
        ),
    )
    with pytest.raises(InsufficientStock):
        await adapter.post_goods_issue("80000001")


CREATE_BILLING = "srvd_a2x/sap/billingdocument/0001/BillingDocument/SAP__self.CreateFromSDDocument"


def script_due_delivery(sap: ScriptedSap, *billed: dict[str, Any]) -> None:
    """Order 4711 delivered in 80000001 (items 10, 20, goods issued) and 80000002 (not)."""
    sap.on(
        "GET",
        "A_OutbDeliveryItem",
        collection(
            {"DeliveryDocument": "80000001", "DeliveryDocumentItem": "10"},
            {"DeliveryDocument": "80000001", "DeliveryDocumentItem": "20"},
            {"DeliveryDocument": "80000002", "DeliveryDocumentItem": "10"},
        ),
    )
    sap.on(
        "GET",
        "A_OutbDeliveryHeader",
        collection(
            {"DeliveryDocument": "80000001", "OverallGoodsMovementStatus": "C"},
            {"DeliveryDocument": "80000002", "OverallGoodsMovementStatus": "A"},
        ),
    )
    sap.on("GET", "A_BillingDocumentItem", collection(*billed))


async def test_create_invoice_bills_the_goods_issued_deliveries_with_the_v4_action(
    adapter: SapAdapter, sap: ScriptedSap
) -> None:
    script_due_delivery(sap)
    sap.on(
        "POST",
        CREATE_BILLING,
        httpx.Response(200, json={"value": [{"BillingDocument": "90000001"}]}),
    )
    sap.on("GET", "A_BillingDocument('90000001')", odata(BILLING_DOCUMENT))
    invoice = await adapter.create_invoice("4711")
    assert invoice.id == "s4:90000001"
    assert len(invoice.lines) == 2
    [call] = [r for r in sap.requests if r.method == "POST"]
    assert call.url.path == (
        "/sap/opu/odata4/sap/api_billingdocument/srvd_a2x/sap/billingdocument/0001/"
        "BillingDocument/SAP__self.CreateFromSDDocument"
    )
    assert call.headers["X-CSRF-Token"] == "tok"
    assert json.loads(call.content) == {
        "_Control": {},
        "_Reference": [{"SDDocument": "80000001"}],
    }
    [billed] = sent_to(sap, "A_BillingDocumentItem")
    assert billed["$filter"] == "ReferenceSDDocument eq '80000001'"
    assert sent_to(sap, "A_BillingDocument('90000001')")[0]["$expand"] == "to_Item"


async def test_create_invoice_with_everything_billed_writes_nothing(
    adapter: SapAdapter, sap: ScriptedSap
) -> None:
    script_due_delivery(sap, billing_item("4711", "10", "2"), billing_item("4711", "20", "1"))
    with pytest.raises(ValidationRejected, match="due for billing"):
        await adapter.create_invoice("4711")
    assert all(r.method == "GET" for r in sap.requests)


async def test_create_invoice_rebills_what_a_cancelled_document_billed(
    adapter: SapAdapter, sap: ScriptedSap
) -> None:
    script_due_delivery(
        sap,
        billing_item("4711", "10", "2", BillingDocumentIsCancelled=True),
        billing_item("4711", "20", "1", BillingDocumentIsCancelled=True),
    )
    sap.on(
        "POST",
        CREATE_BILLING,
        httpx.Response(
            400,
            json={"error": {"code": "VF/016", "message": "No billable items", "details": []}},
        ),
    )
    with pytest.raises(ValidationRejected, match="No billable items") as caught:
        await adapter.create_invoice("4711")
    assert caught.value.code == "VF/016"


async def test_deliveries_of_an_order_take_two_requests(
    adapter: SapAdapter, sap: ScriptedSap
) -> None:
    sap.on(
        "GET",
        "A_OutbDeliveryItem",
        collection({"DeliveryDocument": "80000001"}, {"DeliveryDocument": "80000002"}),
    )
    sap.on("GET", "A_OutbDeliveryHeader", collection(DELIVERY, count=1))
    page = await adapter.list_deliveries(DeliveryFilter(order_native_id="4711"), PAGE)
    assert page.items[0].order_ids == ("s4:4711",)
    items, headers = sap.requests
    assert query(items)["$filter"] == "ReferenceSDDocument eq '4711'"
    assert query(items)["$select"] == "DeliveryDocument"
    assert query(headers)["$filter"] == (
        "(DeliveryDocument eq '80000001' or DeliveryDocument eq '80000002')"
    )
    assert query(headers)["$expand"] == "to_DeliveryDocumentItem"


async def test_deliveries_of_many_orders_are_read_in_bounded_requests(
    adapter: SapAdapter, sap: ScriptedSap
) -> None:
    # Order 1000+n has delivery 8000000+n; the scripted SAP answers each $filter's keys.
    def keys_in(request: httpx.Request) -> list[str]:
        return re.findall(r"eq '(\d+)'", query(request)["$filter"])

    def items(request: httpx.Request) -> httpx.Response:
        numbers = [str(8000000 + int(order) - 1000) for order in keys_in(request)]
        return collection(*({"DeliveryDocument": n} for n in reversed(numbers)))

    def headers(request: httpx.Request) -> httpx.Response:
        found = [{**clone(DELIVERY), "DeliveryDocument": n} for n in sorted(keys_in(request))]
        return collection(*found)

    sap.on("GET", "A_OutbDeliveryItem", items)
    sap.on("GET", "A_OutbDeliveryHeader", headers)
    orders = [str(1000 + n) for n in range(90, 0, -1)]

    page = await adapter.list_deliveries(
        DeliveryFilter(order_native_ids=orders), PageRequest(offset=35, limit=10)
    )

    assert [d.native_id for d in page.items] == [str(8000000 + n) for n in range(36, 46)]
    assert page.total == 90
    sent = [(unquote(r.url.path).rsplit("/", 1)[-1], len(keys_in(r))) for r in sap.requests]
    assert sent == [
        ("A_OutbDeliveryItem", 40),
        ("A_OutbDeliveryItem", 40),
        ("A_OutbDeliveryItem", 10),
        ("A_OutbDeliveryHeader", 40),
        ("A_OutbDeliveryHeader", 40),
        ("A_OutbDeliveryHeader", 10),
    ]
    assert len(sap.batches) == 2, "the chunks of each read travel in one $batch"


async def test_documents_of_orders_and_ids_are_those_named_by_both(
    adapter: SapAdapter, sap: ScriptedSap
) -> None:
    sap.on(
        "GET",
        "A_BillingDocumentItem",
        collection({"BillingDocument": "90000002"}, {"BillingDocument": "90000001"}),
    )
    sap.on("GET", "A_BillingDocument", collection(BILLING_DOCUMENT, count=1))
    page = await adapter.list_invoices(
        InvoiceFilter(order_native_ids=["4711", "4712"], native_ids=["90000001", "90000009"]),
        PAGE,
    )
    assert page.total == 1
    items, documents = sap.requests
    assert query(items)["$filter"] == "(SalesDocument eq '4711' or SalesDocument eq '4712')"
    assert query(documents)["$filter"] == "BillingDocument eq '90000001'"
    assert query(documents)["$top"] == "20"


async def test_invoices_of_an_order_take_two_requests(
    adapter: SapAdapter, sap: ScriptedSap
) -> None:
    sap.on("GET", "A_BillingDocumentItem", collection({"BillingDocument": "90000001"}))
    sap.on("GET", "A_BillingDocument", collection(BILLING_DOCUMENT, count=1))
    page = await adapter.list_invoices(
        InvoiceFilter(order_native_id="4711", customer_native_id="17100001"), PAGE
    )
    assert page.total == 1
    items, documents = sap.requests
    assert query(items)["$filter"] == "SalesDocument eq '4711'"
    assert query(documents)["$filter"] == (
        "SoldToParty eq '17100001' and BillingDocument eq '90000001'"
    )


async def test_invoices_of_an_order_without_billing(adapter: SapAdapter, sap: ScriptedSap) -> None:
    sap.on("GET", "A_BillingDocumentItem", collection())
    page = await adapter.list_invoices(InvoiceFilter(order_native_id="4711"), PAGE)
    assert page.total == 0
    assert len(sap.requests) == 1


async def test_failed_read_back_after_a_write_is_an_unknown_outcome(
    adapter: SapAdapter, sap: ScriptedSap
) -> None:
    script_due_delivery(sap)
    sap.on(
        "POST",
        CREATE_BILLING,
        httpx.Response(200, json={"value": [{"BillingDocument": "90000001"}]}),
    )
    sap.on(
        "GET",
        "A_BillingDocument('90000001')",
        httpx.Response(503, json=sap_error("/IWFND/CM_BEC/001", "Backend unavailable")),
    )
    with pytest.raises(UnknownOutcome, match="90000001"):
        await adapter.create_invoice("4711")


async def test_an_action_answer_without_a_number_is_an_unknown_outcome(
    adapter: SapAdapter, sap: ScriptedSap
) -> None:
    script_due_delivery(sap)
    sap.on("POST", CREATE_BILLING, httpx.Response(200, json={"d": {}}))
    with pytest.raises(UnknownOutcome):
        await adapter.create_invoice("4711")
