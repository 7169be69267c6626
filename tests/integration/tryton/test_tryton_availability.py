"""An order takes only the stock Tryton can still reserve for it.

In the demo data the assigned sale HIST-05 holds 6 of the 85 Bicycle Helmets (US-1025) in the
warehouse: 79 are free for a new order, though the on-hand quantity reads 85.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from system_apis.contracts.commands import OrderLineDraft, SalesOrderDraft
from system_apis.contracts.errors import InsufficientStock
from system_apis.contracts.queries import CustomerFilter, PageRequest
from tests.integration.tryton.tryton_support import make_adapter

pytestmark = pytest.mark.integration


def helmets(customer: str, quantity: int) -> SalesOrderDraft:
    return SalesOrderDraft(
        customer_native_id=customer,
        lines=(OrderLineDraft(sku="US-1025", quantity=Decimal(quantity), unit="u"),),
    )


async def test_stock_reserved_for_another_shipment_is_not_sold_again(tryton_fresh: Any) -> None:
    adapter = make_adapter(tryton_fresh)
    (customer,) = (
        await adapter.list_customers(CustomerFilter(name_contains="Lone Star"), PageRequest())
    ).items
    with tryton_fresh.rpc() as rpc:
        assert rpc.stock("US-1025") == 85
        sales_before = rpc.search_count("sale.sale", [])

        with pytest.raises(InsufficientStock, match=r"US-1025 \(79 free, 85 ordered\)"):
            await adapter.create_sales_order(helmets(customer.native_id, 85))
        assert rpc.search_count("sale.sale", []) == sales_before

        order = await adapter.create_sales_order(helmets(customer.native_id, 79))
        delivery = await adapter.create_delivery(order.native_id)
        assert (await adapter.post_goods_issue(delivery.native_id)).goods_issued
        assert rpc.stock("US-1025") == 6
    await adapter.aclose()
