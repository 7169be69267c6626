"""Deliveries in Tryton: the customer shipments (``stock.shipment.out``) of a sale.

Tryton creates a sale's shipment itself when it processes the sale, so *creating* a delivery
returns the sale's open shipment, after asking Tryton to process the sale (``process``, or
``manual_shipment`` for the manual shipment method) when it has none, and moving a draft
shipment to ``waiting``. Several open shipments (lines planned on different dates) are all
listed by ``list_deliveries``; ``create_delivery`` answers the first.

Posting the goods issue walks the shipment through Tryton's workflow from wherever it stands:
``wait`` (draft), ``assign_try`` (waiting → assigned), ``pick`` (only when the warehouse's
storage and output locations differ), ``pack``, ``do`` (→ done: the moves are done and stock
leaves the warehouse). A failed step leaves the shipment where it stopped and the next call
resumes from there, so retrying after UnknownOutcome is safe.

InsufficientStock: Tryton lets stock go negative on ``do`` unless moves are assigned first, so
the rule is the assignment. ``assign_try`` reserves what the storage location holds; when the
shipment is still ``waiting`` afterwards, some move could not be reserved and the goods issue
is refused with InsufficientStock. A partial reservation is released again (``wait``) so the
failed goods issue holds no stock.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import suppress
from typing import Any

from system_apis.contracts.errors import ErpError, InsufficientStock, ValidationRejected
from system_apis.contracts.models import Delivery, Source
from system_apis.contracts.queries import DeliveryFilter, Page, PageRequest
from system_apis.tryton.client import Row, TrytonClient
from system_apis.tryton.errors import guard
from system_apis.tryton.mapping.deliveries import DELIVERY_FIELDS, delivery_from_tryton
from system_apis.tryton.mapping.readers import many2one, nested_list, nested_text, record_id
from system_apis.tryton.mapping.status import ORDER_STATES
from system_apis.tryton.queries import BY_ID, delivery_domain
from system_apis.tryton.reads import by_id_after, find_one, read_page

SHIPMENT = "stock.shipment.out"
CLOSED = ("done", "cancelled")
SALE_SHIPPING_FIELDS = ("number", "state", "shipment_method", "to_ship", "shipments.state")
PROGRESS_FIELDS = (
    "number",
    "state",
    "warehouse_storage",
    "warehouse_output",
    "partially_assigned",
    "moves.state",
    "moves.product.code",
)


class Shipping:
    """Deliveries of one Tryton connection."""

    def __init__(self, client: TrytonClient, source: Source) -> None:
        self._client = client
        self._source = source

    @property
    def _connection(self) -> str:
        return self._source.connection

    async def list_deliveries(self, filter: DeliveryFilter, page: PageRequest) -> Page[Delivery]:
        domain = delivery_domain(filter)
        if domain is None:
            return Page[Delivery](items=(), offset=page.offset, total=0)
        rows, offset, total = await read_page(
            self._client, SHIPMENT, domain, DELIVERY_FIELDS, page, order=BY_ID, after=by_id_after
        )
        items = guard(self._connection).mapped(
            lambda: [delivery_from_tryton(r, self._source) for r in rows]
        )
        return Page[Delivery](items=tuple(items), offset=offset, total=total)

    async def get_delivery(self, native_id: str) -> Delivery:
        row = await find_one(self._client, SHIPMENT, native_id, DELIVERY_FIELDS, what="shipment")
        return guard(self._connection).mapped(lambda: delivery_from_tryton(row, self._source))

    async def create_delivery(self, order_native_id: str) -> Delivery:
        sale = await self._sale(order_native_id)
        shipment = _first_open(sale)
        if shipment is None:
            manual = sale.get("shipment_method") == "manual"
            if manual and sale.get("to_ship"):
                await self._client.button("sale.sale", "manual_shipment", [record_id(sale)])
            elif not manual:
                await self._client.button("sale.sale", "process", [record_id(sale)])
            sale = await self._sale(order_native_id)
            shipment = _first_open(sale)
        if shipment is None:
            raise ValidationRejected(
                f"Tryton sale {order_native_id} has no open lines to deliver",
                connection=self._connection,
            )
        if shipment.get("state") == "draft":
            await self._client.button(SHIPMENT, "wait", [record_id(shipment)])
        native = str(record_id(shipment))
        return await guard(self._connection).read_back(
            self.get_delivery(native), f"shipment {native}"
        )

    async def post_goods_issue(self, delivery_native_id: str) -> Delivery:
        """Runs the shipment to ``done``; a shipment already done is returned as it is."""
        row = await self._progress(delivery_native_id)
        shipment = [record_id(row)]
        state = row.get("state")
        if state == "done":
            return await self.get_delivery(delivery_native_id)
        if state == "cancelled":
            raise ValidationRejected(
                f"Tryton shipment {delivery_native_id} is cancelled", connection=self._connection
            )
        if state == "draft":
            await self._client.button(SHIPMENT, "wait", shipment)
            state = "waiting"
        if state == "waiting":
            await self._client.button(SHIPMENT, "assign_try", shipment)
            row = await self._progress(delivery_native_id)
            state = row.get("state")
            if state == "waiting":
                await self._refuse_short(row)
        if state == "assigned" and many2one(row, "warehouse_storage") != many2one(
            row, "warehouse_output"
        ):
            await self._client.button(SHIPMENT, "pick", shipment)
            state = "picked"
        if state in ("assigned", "picked"):
            await self._client.button(SHIPMENT, "pack", shipment)
            state = "packed"
        if state in ("packed", "shipped"):
            await self._client.button(SHIPMENT, "do", shipment)
        return await guard(self._connection).read_back(
            self.get_delivery(delivery_native_id),
            f"the goods issue of shipment {delivery_native_id}",
        )

    async def _refuse_short(self, row: Row) -> None:
        """Releases a partial reservation and raises InsufficientStock."""
        if row.get("partially_assigned"):
            with suppress(ErpError):
                await self._client.button(SHIPMENT, "wait", [record_id(row)])
        short = sorted(
            {
                nested_text(move, "product.code") or "?"
                for move in nested_list(row, "moves")
                if move.get("state") in ("draft", "staging")
            }
        )
        number = row.get("number") or row.get("id")
        raise InsufficientStock(
            f"Tryton cannot reserve the stock of shipment {number}: "
            f"not enough {', '.join(short) or 'stock'} in the warehouse",
            connection=self._connection,
        )

    async def _progress(self, native_id: str) -> Row:
        return await find_one(self._client, SHIPMENT, native_id, PROGRESS_FIELDS, what="shipment")

    async def _sale(self, native_id: str) -> Row:
        return await find_one(
            self._client,
            "sale.sale",
            native_id,
            SALE_SHIPPING_FIELDS,
            what="sales order",
            domain=[("state", "in", list(ORDER_STATES))],
        )


def _first_open(sale: Row) -> Mapping[str, Any] | None:
    """The open shipment of the sale with the lowest id (Tryton lists them by id)."""
    return next((s for s in nested_list(sale, "shipments") if s.get("state") not in CLOSED), None)
