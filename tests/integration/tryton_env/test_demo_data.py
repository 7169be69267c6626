"""The built Tryton holds the promised demo data, read back over JSON-RPC."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from erp_sandbox.tryton import catalog
from tests.tryton_env import TrytonRpc, TrytonRpcError


def test_company_is_gateway_americas_in_usd(tryton_rpc: TrytonRpc) -> None:
    (company,) = tryton_rpc.search_read(
        "company.company", [], ["party.name", "currency.code", "party.addresses"]
    )
    assert company["party."]["name"] == "Gateway Americas Inc."
    assert company["currency."]["code"] == "USD"
    (address,) = tryton_rpc.search_read(
        "party.address", [("party.name", "=", "Gateway Americas Inc.")], ["country.code"]
    )
    assert address["country."]["code"] == "US"
    assert tryton_rpc.context["company"] == company["id"]


def test_customers_have_full_us_or_canadian_addresses(tryton_rpc: TrytonRpc) -> None:
    names = [c.name for c in catalog.CUSTOMERS]
    parties = tryton_rpc.search_read(
        "party.party", [("name", "in", names)], ["name", "email", "addresses"]
    )
    assert len(parties) == len(names) >= 20
    assert sum(1 for p in parties if p["email"]) >= 10
    assert any(not p["email"] for p in parties)
    addresses = tryton_rpc.search_read(
        "party.address",
        [("party.name", "in", names)],
        ["street", "city", "postal_code", "country.code", "subdivision.code"],
    )
    assert len(addresses) == len(names)
    for address in addresses:
        assert address["street"]
        assert address["city"]
        assert address["postal_code"]
        assert address["country."]["code"] in {"US", "CA"}
        assert address["subdivision."]["code"].startswith(address["country."]["code"] + "-")
    assert {a["country."]["code"] for a in addresses} == {"US", "CA"}


def test_products_are_salable_goods_with_codes_prices_and_accounts(
    tryton_rpc: TrytonRpc,
) -> None:
    templates = tryton_rpc.search_read(
        "product.template",
        [("code", "like", "US-%")],
        ["code", "type", "salable", "list_price", "default_uom.name", "account_category"],
        order=[("code", "ASC")],
    )
    assert [t["code"] for t in templates] == [p.code for p in catalog.PRODUCTS]
    assert len(templates) >= 30
    prices = {p.code: p.list_price for p in catalog.PRODUCTS}
    for template in templates:
        assert template["type"] == "goods"
        # Booleans read from SQLite arrive as 0 / 1.
        assert template["salable"]
        assert template["default_uom."]["name"] == "Unit"
        assert template["list_price"] == prices[template["code"]]
        assert isinstance(template["list_price"], Decimal)
    categories = {t["account_category"] for t in templates}
    (category,) = tryton_rpc.search_read(
        "product.category",
        [("id", "in", list(categories))],
        ["account_revenue.type.revenue", "account_expense.type.expense"],
    )
    assert category["account_revenue."]["type."]["revenue"]
    assert category["account_expense."]["type."]["expense"]


def test_every_product_has_stock_in_the_warehouse_storage(tryton_rpc: TrytonRpc) -> None:
    storage = tryton_rpc.location_id(catalog.STORAGE_CODE)
    rows = tryton_rpc.search_read(
        "product.product", [("code", "like", "US-%")], ["code", "quantity"],
        context={"locations": [storage]},
    )  # fmt: skip
    quantities = {row["code"]: row["quantity"] for row in rows}
    assert len(quantities) == len(catalog.PRODUCTS)
    assert all(quantity > 0 for quantity in quantities.values())
    for code in catalog.LOW_STOCK_CODES:
        assert quantities[code] <= 3
    # 240 received, 10 shipped on the paid historic sale.
    assert tryton_rpc.stock("US-1001") == Decimal(230)
    assert tryton_rpc.stock("US-1001", catalog.WAREHOUSE_CODE) == Decimal(230)
    assert tryton_rpc.stock("US-1001", catalog.CUSTOMER_LOCATION_CODE) == Decimal(10)


EXPECTED_STATES = {
    # kind: (sale state, shipment state, invoice state)
    "draft": ("draft", "none", "none"),
    "quotation": ("quotation", "none", "none"),
    "confirmed": ("processing", "waiting", "none"),
    "assigned": ("processing", "waiting", "none"),
    "invoiced": ("processing", "sent", "awaiting payment"),
    "paid": ("done", "sent", "paid"),
}


def test_historic_sales_reached_their_states(tryton_rpc: TrytonRpc) -> None:
    sales = tryton_rpc.search_read(
        "sale.sale",
        [],
        ["reference", "state", "shipment_state", "invoice_state", "invoice_method", "sale_date"],
    )
    by_reference = {sale["reference"]: sale for sale in sales}
    assert set(by_reference) == {spec.reference for spec in catalog.HISTORIC_SALES}
    build_days = set()
    for spec in catalog.HISTORIC_SALES:
        sale = by_reference[spec.reference]
        states = (sale["state"], sale["shipment_state"], sale["invoice_state"])
        assert states == EXPECTED_STATES[spec.kind], spec.reference
        assert sale["invoice_method"] == "fulfillment"
        build_days.add(sale["sale_date"] + dt.timedelta(days=spec.days_ago))
    # Sale dates count back from the day of the build, which a cached database predates.
    (build_day,) = build_days
    assert build_day <= dt.date.today()


def test_shipments_and_posted_invoices_follow_the_sales(tryton_rpc: TrytonRpc) -> None:
    shipments = tryton_rpc.search_read("stock.shipment.out", [], ["state"])
    states = sorted(s["state"] for s in shipments)
    assert states == ["assigned", "done", "done", "done", "done", "waiting"]
    invoices = tryton_rpc.search_read(
        "account.invoice",
        [("type", "=", "out")],
        ["state", "untaxed_amount", "tax_amount", "total_amount", "sales.reference"],
    )
    assert sorted(i["state"] for i in invoices) == ["paid", "posted", "posted", "posted"]
    prices = {p.code: p.list_price for p in catalog.PRODUCTS}
    for invoice in invoices:
        (sale,) = invoice["sales."]
        (spec,) = (s for s in catalog.HISTORIC_SALES if s.reference == sale["reference"])
        net = sum(prices[code] * qty for code, qty in spec.lines)
        assert invoice["untaxed_amount"] == net
        assert invoice["tax_amount"] == (net * catalog.SALES_TAX_RATE).quantize(Decimal("0.01"))
        assert invoice["total_amount"] == net + invoice["tax_amount"]


def test_products_and_sales_carry_the_sales_tax(tryton_rpc: TrytonRpc) -> None:
    (tax,) = tryton_rpc.search_read(
        "account.tax", [("name", "=", catalog.SALES_TAX_NAME)], ["type", "rate"]
    )
    assert (tax["type"], tax["rate"]) == ("percentage", catalog.SALES_TAX_RATE)
    templates = tryton_rpc.search_read(
        "product.template", [("code", "like", "US-%")], ["account_category.customer_taxes"]
    )
    assert all(t["account_category."]["customer_taxes"] == [tax["id"]] for t in templates)
    lines = tryton_rpc.search_read("sale.line", [("type", "=", "line")], ["taxes"])
    assert lines
    assert all(line["taxes"] == [tax["id"]] for line in lines)


def test_fiscal_year_is_the_current_calendar_year(tryton_rpc: TrytonRpc) -> None:
    (year,) = tryton_rpc.search_read("account.fiscalyear", [], ["start_date", "end_date", "state"])
    today = dt.date.today()
    assert year["start_date"] == dt.date(today.year, 1, 1)
    assert year["end_date"] == dt.date(today.year, 12, 31)
    assert year["state"] == "open"


def test_buttons_refused_by_tryton_raise_its_user_error(tryton_rpc: TrytonRpc) -> None:
    (draft,) = tryton_rpc.search_read("sale.sale", [("state", "=", "draft")], ["id"])
    with pytest.raises(TrytonRpcError) as caught:
        tryton_rpc.model("sale.sale", "confirm", [draft["id"]])
    assert caught.value.kind == "UserError"
    assert "confirm" in caught.value.message
