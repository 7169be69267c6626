"""TrytonAdapter over an in-memory trytond endpoint: the calls it makes and the rules it applies.

The rows are real trytond answers (tryton_payloads); handlers script what Tryton answers to each
method, and the tests check the methods, domains and number of calls the adapter sends.
"""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from typing import Any

import httpx
import pytest

from system_apis.contracts.commands import OrderLineDraft, SalesOrderDraft
from system_apis.contracts.errors import (
    InsufficientStock,
    NotFound,
    Unavailable,
    ValidationRejected,
)
from system_apis.contracts.models import OrderStatus
from system_apis.contracts.port import Capability, ErpAdapter
from system_apis.contracts.queries import (
    CustomerFilter,
    DeliveryFilter,
    InventoryFilter,
    InvoiceFilter,
    PageRequest,
    SalesOrderFilter,
)
from system_apis.tryton.adapter import TrytonAdapter
from system_apis.tryton.client import TrytonClient
from tests.unit.tryton.fake_tryton import DATABASE, FakeTryton, RpcError
from tests.unit.tryton.tryton_payloads import (
    CUSTOMERS,
    INVOICES,
    ON_CHANGE_PARTY,
    ON_CHANGE_PRODUCT,
    SALES,
    SHIPMENTS,
    STOCK,
    WAREHOUSES,
    result,
)

pytestmark = pytest.mark.unit

COMPANY = {"id": 1, "party": 1, "currency.": {"id": 1, "code": "EUR"}}


def script(*answers: Any) -> Callable[[list[Any]], Any]:
    """A handler answering ``answers`` one after the other (the last one from then on)."""
    queue = list(answers)

    def handler(params: list[Any]) -> Any:
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(answer, Exception):
            raise answer
        return answer

    return handler


@pytest.fixture
def fake() -> FakeTryton:
    return FakeTryton(
        {
            "model.company.company.read": lambda params: [COMPANY],
            "model.stock.location.search_read": lambda params: result(WAREHOUSES),
        }
    )


@pytest.fixture
async def adapter(fake: FakeTryton) -> AsyncIterator[TrytonAdapter]:
    client = TrytonClient(
        "http://tryton.test", DATABASE, "gateway", "secret", transport=httpx.MockTransport(fake)
    )
    adapter = TrytonAdapter("T1", client)
    yield adapter
    await adapter.aclose()


def params_of(fake: FakeTryton, method: str, index: int = -1) -> list[Any]:
    return [params for name, params in fake.calls if name == method][index]


def test_satisfies_the_port(adapter: TrytonAdapter) -> None:
    assert isinstance(adapter, ErpAdapter)
    assert adapter.capabilities == frozenset(Capability)
    assert adapter.source.erp == "tryton"


async def test_customers_exclude_the_company_and_page_in_one_call(
    fake: FakeTryton, adapter: TrytonAdapter
) -> None:
    fake.handlers["model.party.party.search_read"] = lambda params: result(CUSTOMERS)
    page = await adapter.list_customers(CustomerFilter(country="de"), PageRequest(limit=10))
    assert [c.id for c in page.items] == ["T1:2", "T1:3"]
    assert page.total == 2
    domain, offset, limit, order, _fields, _context = params_of(
        fake, "model.party.party.search_read"
    )
    assert domain == [["id", "not in", [1]], ["addresses.country.code", "=", "DE"]]
    assert (offset, limit, order) == (0, 10, [["id", "ASC"]])
    assert fake.count("model.party.party.search_count") == 0


async def test_full_page_is_counted(fake: FakeTryton, adapter: TrytonAdapter) -> None:
    fake.handlers["model.party.party.search_read"] = lambda params: result(CUSTOMERS)
    fake.handlers["model.party.party.search_count"] = lambda params: 30
    page = await adapter.list_customers(CustomerFilter(), PageRequest(offset=4, limit=2))
    assert (page.total, page.offset, page.has_next) == (30, 4, True)
    assert params_of(fake, "model.party.party.search_count")[0] == [["id", "not in", [1]]]


async def test_customer_batch_is_one_call_including_archived(
    fake: FakeTryton, adapter: TrytonAdapter
) -> None:
    fake.handlers["model.party.party.search_read"] = lambda params: result(CUSTOMERS)
    await adapter.list_customers(CustomerFilter(native_ids=["3", "2", "x"]), PageRequest())
    assert fake.count("model.party.party.search_read") == 1
    domain, *_rest, context = params_of(fake, "model.party.party.search_read")
    assert ["id", "in", [3, 2]] in domain
    assert context["active_test"] is False


async def test_filters_that_match_nothing_cost_no_call(
    fake: FakeTryton, adapter: TrytonAdapter
) -> None:
    empty = await adapter.list_sales_orders(SalesOrderFilter(native_ids=["x"]), PageRequest())
    assert (empty.items, empty.total) == ((), 0)
    await adapter.list_deliveries(DeliveryFilter(native_ids=[]), PageRequest())
    await adapter.list_invoices(InvoiceFilter(order_native_id="SO-1"), PageRequest())
    await adapter.list_customers(CustomerFilter(native_ids=["C-1"]), PageRequest())
    await adapter.list_inventory(InventoryFilter(skus=[]), PageRequest())
    assert fake.calls == []


async def test_orders_newest_first_by_reference(fake: FakeTryton, adapter: TrytonAdapter) -> None:
    fake.handlers["model.sale.sale.search_read"] = lambda params: result(SALES)
    page = await adapter.list_sales_orders(
        SalesOrderFilter(external_reference="PO-1", status=OrderStatus.SHIPPED), PageRequest()
    )
    assert page.items[0].lines
    domain, _offset, _limit, order, fields, _context = params_of(
        fake, "model.sale.sale.search_read"
    )
    assert order == [["sale_date", "DESC"], ["id", "DESC"]]
    assert ["reference", "=", "PO-1"] in domain
    assert ["shipment_state", "=", "sent"] in domain
    assert "lines.product.code" in fields
    assert fake.methods == [
        "common.db.login",
        "model.res.user.get_preferences",
        "model.sale.sale.search_read",
    ]


async def test_unknown_order_is_not_found(fake: FakeTryton, adapter: TrytonAdapter) -> None:
    fake.handlers["model.sale.sale.search_read"] = lambda params: []
    with pytest.raises(NotFound) as caught:
        await adapter.get_sales_order("999")
    assert caught.value.connection == "T1"
    with pytest.raises(NotFound):
        await adapter.get_sales_order("SO-1")


async def test_unreadable_row_is_unavailable(fake: FakeTryton, adapter: TrytonAdapter) -> None:
    broken = dict(result(SALES)[0], party=None)
    fake.handlers["model.sale.sale.search_read"] = lambda params: [broken]
    with pytest.raises(Unavailable, match="cannot read"):
        await adapter.get_sales_order("4")


async def test_inventory_pages_across_warehouses(fake: FakeTryton, adapter: TrytonAdapter) -> None:
    second = copy.deepcopy(result(WAREHOUSES)[0])
    second.update({"id": 50, "code": "WH2", "storage_location.": {"id": 51, "code": "STO"}})
    fake.handlers["model.stock.location.search_read"] = lambda params: [
        second,
        *result(WAREHOUSES),
    ]
    stock = [dict(result(STOCK)[0], id=n, code=f"SKU-00{n}") for n in (1, 2, 3)]
    fake.handlers["model.product.product.search_count"] = lambda params: 3
    fake.handlers["model.product.product.search_read"] = lambda params: stock[
        params[1] : params[1] + params[2]
    ]
    page = await adapter.list_inventory(InventoryFilter(), PageRequest(offset=2, limit=2))
    assert [level.native_id for level in page.items] == ["SKU-003@WH/STO", "SKU-001@WH2/STO"]
    assert page.total == 6
    reads = [p for name, p in fake.calls if name == "model.product.product.search_read"]
    assert [(p[1], p[2], p[-1]["locations"]) for p in reads] == [(2, 2, [3]), (0, 1, [51])]
    assert all(p[-1]["with_childs"] for p in reads)


async def test_inventory_of_one_location(fake: FakeTryton, adapter: TrytonAdapter) -> None:
    fake.handlers["model.product.product.search_read"] = lambda params: result(STOCK)[:1]
    page = await adapter.list_inventory(
        InventoryFilter(skus=["SKU-001"], location="WH/STO"), PageRequest()
    )
    assert [(lv.sku, lv.quantity.value) for lv in page.items] == [("SKU-001", Decimal("101.0"))]
    domain = params_of(fake, "model.product.product.search_read")[0]
    assert ["quantity", "!=", 0] in domain
    assert ["code", "in", ["SKU-001"]] in domain
    nowhere = await adapter.list_inventory(InventoryFilter(location="XX"), PageRequest())
    assert nowhere.total == 0


DRAFT = SalesOrderDraft(
    customer_native_id="2",
    external_reference="PO-1",
    lines=(OrderLineDraft(sku="SKU-003", quantity=Decimal(2), location="WH/STO"),),
)


def order_handlers(fake: FakeTryton, **overrides: Any) -> None:
    fake.handlers.update(
        {
            "model.party.party.search_read": lambda params: [{"id": 2}],
            "model.product.product.search_read": lambda params: [{"id": 3, "code": "SKU-003"}],
            "model.sale.sale.on_change": lambda params: result(ON_CHANGE_PARTY),
            "model.sale.line.on_change": lambda params: result(ON_CHANGE_PRODUCT),
            "model.sale.sale.create": lambda params: [4],
            "model.sale.sale.quote": lambda params: None,
            "model.sale.sale.confirm": lambda params: None,
            "model.sale.sale.read": lambda params: [{"id": 4, "state": "processing"}],
            # No sale of an earlier attempt carries the reference; reads by id find the sale.
            "model.sale.sale.search_read": lambda params: (
                [] if ["reference", "=", "PO-1"] in params[0] else result(SALES)
            ),
            **overrides,
        }
    )


async def test_create_order_fills_the_sale_like_trytons_clients(
    fake: FakeTryton, adapter: TrytonAdapter
) -> None:
    order_handlers(fake)
    order = await adapter.create_sales_order(DRAFT)
    assert order.native_id == "4"
    (values,) = params_of(fake, "model.sale.sale.create")[0]
    assert values["party"] == 2
    assert values["warehouse"] == 5
    assert values["reference"] == "PO-1"
    assert values["invoice_address"] == 2
    (line,) = values["lines"][0][1]
    assert line["unit_price"] == Decimal("13.0000")
    assert line["taxes"] == [["add", [1]]]
    assert line["quantity"] == 2.0
    buttons = [m for m in fake.methods if m.endswith((".quote", ".confirm", ".process"))]
    assert buttons == ["model.sale.sale.quote", "model.sale.sale.confirm"]


async def test_confirmed_but_unprocessed_sale_is_processed(
    fake: FakeTryton, adapter: TrytonAdapter
) -> None:
    order_handlers(
        fake,
        **{
            "model.sale.sale.read": lambda params: [{"id": 4, "state": "confirmed"}],
            "model.sale.sale.process": lambda params: None,
        },
    )
    await adapter.create_sales_order(DRAFT)
    assert fake.count("model.sale.sale.process") == 1


async def test_unknown_product_or_party_is_rejected_before_any_write(
    fake: FakeTryton, adapter: TrytonAdapter
) -> None:
    order_handlers(fake, **{"model.product.product.search_read": lambda params: []})
    with pytest.raises(ValidationRejected, match="SKU-003"):
        await adapter.create_sales_order(DRAFT)
    order_handlers(fake, **{"model.party.party.search_read": lambda params: []})
    with pytest.raises(ValidationRejected, match="party 2"):
        await adapter.create_sales_order(DRAFT)
    assert fake.count("model.sale.sale.create") == 0


async def test_refused_confirmation_leaves_no_draft(
    fake: FakeTryton, adapter: TrytonAdapter
) -> None:
    refusal = RpcError(["UserError", ["The sale needs an invoice address.", "", None]])
    order_handlers(
        fake,
        **{
            "model.sale.sale.confirm": script(refusal),
            "model.sale.sale.cancel": lambda params: None,
            "model.sale.sale.delete": lambda params: None,
        },
    )
    with pytest.raises(ValidationRejected, match="invoice address"):
        await adapter.create_sales_order(DRAFT)
    assert params_of(fake, "model.sale.sale.delete")[0] == [4]


def progress(state: str, *, partial: bool = False, same: bool = False) -> list[dict[str, Any]]:
    return [
        {
            "id": 3,
            "number": "3",
            "state": state,
            "warehouse_storage": 3,
            "warehouse_output": 3 if same else 2,
            "partially_assigned": partial,
            "moves.": [{"id": 22, "state": "draft", "product.": {"id": 3, "code": "SKU-003"}}],
        }
    ]


def shipment_handlers(fake: FakeTryton, *states: list[dict[str, Any]]) -> None:
    search = script(*states, result(SHIPMENTS))
    fake.handlers["model.stock.shipment.out.search_read"] = search
    for button in ("wait", "assign_try", "pick", "pack", "do"):
        fake.handlers[f"model.stock.shipment.out.{button}"] = lambda params: None


def buttons(fake: FakeTryton) -> list[str]:
    return [m.rsplit(".", 1)[-1] for m in fake.methods if m.startswith("model.stock.shipment.out.")
            and not m.endswith("search_read")]  # fmt: skip


async def test_goods_issue_walks_the_workflow(fake: FakeTryton, adapter: TrytonAdapter) -> None:
    shipment_handlers(fake, progress("waiting"), progress("assigned"))
    delivery = await adapter.post_goods_issue("3")
    assert delivery.goods_issued
    assert buttons(fake) == ["assign_try", "pick", "pack", "do"]


async def test_goods_issue_without_picking_zone(fake: FakeTryton, adapter: TrytonAdapter) -> None:
    shipment_handlers(fake, progress("draft", same=True), progress("assigned", same=True))
    await adapter.post_goods_issue("3")
    assert buttons(fake) == ["wait", "assign_try", "pack", "do"]


async def test_goods_issue_resumes_and_done_is_done(
    fake: FakeTryton, adapter: TrytonAdapter
) -> None:
    shipment_handlers(fake, progress("packed"))
    await adapter.post_goods_issue("3")
    assert buttons(fake) == ["do"]
    fake.calls.clear()
    shipment_handlers(fake, progress("done"))
    await adapter.post_goods_issue("3")
    assert buttons(fake) == []


async def test_unassignable_shipment_is_insufficient_stock(
    fake: FakeTryton, adapter: TrytonAdapter
) -> None:
    shipment_handlers(fake, progress("waiting"), progress("waiting", partial=True))
    with pytest.raises(InsufficientStock, match="SKU-003"):
        await adapter.post_goods_issue("3")
    assert buttons(fake) == ["assign_try", "wait"]


async def test_create_delivery_processes_a_sale_without_shipment(
    fake: FakeTryton, adapter: TrytonAdapter
) -> None:
    sale = {"id": 4, "number": "3", "state": "confirmed", "shipment_method": "order"}
    fake.handlers.update(
        {
            "model.sale.sale.search_read": script(
                [dict(sale, **{"shipments.": []})],
                [dict(sale, **{"shipments.": [{"id": 3, "state": "draft"}]})],
            ),
            "model.sale.sale.process": lambda params: None,
        }
    )
    shipment_handlers(fake)
    delivery = await adapter.create_delivery("4")
    assert delivery.native_id == "3"
    assert fake.count("model.sale.sale.process") == 1
    assert buttons(fake) == ["wait"]


async def test_nothing_left_to_deliver(fake: FakeTryton, adapter: TrytonAdapter) -> None:
    sale = {"id": 4, "state": "done", "shipment_method": "order"}
    fake.handlers.update(
        {
            "model.sale.sale.search_read": lambda params: [
                dict(sale, **{"shipments.": [{"id": 3, "state": "done"}]})
            ],
            "model.sale.sale.process": lambda params: None,
        }
    )
    with pytest.raises(ValidationRejected, match="no open lines"):
        await adapter.create_delivery("4")


async def test_create_invoice_posts_the_waiting_invoice(
    fake: FakeTryton, adapter: TrytonAdapter
) -> None:
    sale = {"id": 4, "state": "processing", "invoice_method": "fulfillment"}
    fake.handlers.update(
        {
            "model.sale.sale.search_read": lambda params: [
                dict(sale, **{"invoices.": [{"id": 2, "state": "draft"}]})
            ],
            "model.account.invoice.post": lambda params: None,
            "model.account.invoice.search_read": lambda params: result(INVOICES),
        }
    )
    invoice = await adapter.create_invoice("4")
    assert invoice.gross_amount.amount == Decimal("47.60")
    assert params_of(fake, "model.account.invoice.post")[0] == [2]
    assert fake.count("model.sale.sale.process") == 0


@pytest.mark.parametrize(
    ("invoices", "reason"),
    [([{"id": 2, "state": "posted"}], "already billed"), ([], "nothing to bill")],
)
async def test_nothing_to_post(
    fake: FakeTryton, adapter: TrytonAdapter, invoices: list[Any], reason: str
) -> None:
    sale = {"id": 4, "state": "processing", "invoice_method": "fulfillment"}
    fake.handlers.update(
        {
            "model.sale.sale.search_read": lambda params: [dict(sale, **{"invoices.": invoices})],
            "model.sale.sale.process": lambda params: None,
        }
    )
    with pytest.raises(ValidationRejected, match=reason):
        await adapter.create_invoice("4")
    assert fake.count("model.sale.sale.process") == 1


async def test_deliveries_and_invoices_of_an_order(
    fake: FakeTryton, adapter: TrytonAdapter
) -> None:
    fake.handlers["model.stock.shipment.out.search_read"] = lambda params: result(SHIPMENTS)
    fake.handlers["model.account.invoice.search_read"] = lambda params: result(INVOICES)
    deliveries = await adapter.list_deliveries(DeliveryFilter(order_native_id="4"), PageRequest())
    invoices = await adapter.list_invoices(InvoiceFilter(order_native_id="4"), PageRequest())
    assert deliveries.items[0].order_ids == invoices.items[0].order_ids == ("T1:4",)
    assert params_of(fake, "model.stock.shipment.out.search_read")[0] == [
        ["state", "!=", "cancelled"],
        ["moves.sale", "in", [4]],
    ]
    assert ["sales", "in", [4]] in params_of(fake, "model.account.invoice.search_read")[0]
    assert fake.count("model.stock.shipment.out.search_count") == 0
