"""The order-to-invoice flow, step by step as a front end or an agent calls it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from process_apis.connections import Connections
from process_apis.erp_errors import translated
from process_apis.errors import (
    ErpUnavailable,
    FlowError,
    IdempotencyConflict,
    InvalidInput,
    InvalidState,
    OutOfStock,
    RecordNotFound,
)
from process_apis.idempotency.port import IdempotencyStore, KeyState
from process_apis.order_to_invoice.commands import PlaceOrder
from system_apis.contracts import errors as erp
from system_apis.contracts.commands import OrderLineDraft, SalesOrderDraft
from system_apis.contracts.models import (
    Delivery,
    DocumentStatus,
    InventoryLevel,
    Invoice,
    InvoiceStatus,
    OrderStatus,
    SalesOrder,
)
from system_apis.contracts.port import ErpAdapter
from system_apis.contracts.queries import (
    CustomerFilter,
    DeliveryFilter,
    InventoryFilter,
    InvoiceFilter,
    PageRequest,
    ProductFilter,
    SalesOrderFilter,
)

SCOPE = "place_order"


@dataclass(frozen=True)
class OrderProgress:
    """Where an order stands end to end, with the documents that followed it."""

    order: SalesOrder
    deliveries: tuple[Delivery, ...]
    invoices: tuple[Invoice, ...]

    @property
    def status(self) -> OrderStatus:
        """Read from the documents: shipped means goods issued, invoiced means billed.

        An ERP's order header may call an order delivered as soon as a delivery document
        exists; the customer's view is whether goods left and whether a bill went out.
        """
        billed = [i for i in self.invoices if i.status is not InvoiceStatus.CANCELLED]
        if billed and self.order.billing_status is DocumentStatus.COMPLETE:
            return OrderStatus.INVOICED
        issued = [d for d in self.deliveries if d.goods_issued]
        if not issued:
            return OrderStatus.ORDERED
        if len(issued) == len(self.deliveries) and (
            self.order.delivery_status is DocumentStatus.COMPLETE
        ):
            return OrderStatus.SHIPPED
        return OrderStatus.PARTIALLY_SHIPPED


class OrderToInvoice:
    """Place → fulfil → invoice. Every step checks before it writes and can be repeated."""

    def __init__(
        self,
        connections: Connections,
        idempotency: IdempotencyStore,
        *,
        key_retention: dt.timedelta = dt.timedelta(hours=24),
        in_flight_timeout: dt.timedelta = dt.timedelta(minutes=2),
    ):
        self._connections = connections
        self._keys = idempotency
        self._retention = key_retention
        self._in_flight_timeout = in_flight_timeout

    async def place_order(self, command: PlaceOrder) -> SalesOrder:
        """Create the order once per idempotency key; a repeat returns the first result."""
        adapter, customer_native = self._connections.resolve(
            command.customer_id, field="customer_id"
        )
        scope = f"{SCOPE}:{adapter.source.connection}"
        existing = await self._keys.claim(
            scope, command.idempotency_key, command.fingerprint(), self._retention
        )
        if existing is not None:
            if existing.fingerprint != command.fingerprint():
                raise IdempotencyConflict(
                    "this idempotency key was used for a different order", field="idempotency_key"
                )
            if existing.state is KeyState.COMPLETED and existing.response is not None:
                return SalesOrder.model_validate_json(existing.response)
            # Claimed but not completed: another request is running, or one died after
            # claiming. If the ERP has the order, the earlier attempt did write it.
            found = await self._find_by_reference(adapter, command.external_reference())
            if found is not None:
                await self._keys.complete(scope, command.idempotency_key, found.model_dump_json())
                return found
            stale_before = dt.datetime.now(dt.UTC) - self._in_flight_timeout
            if not await self._keys.reclaim(scope, command.idempotency_key, stale_before):
                raise IdempotencyConflict(
                    "an order with this idempotency key is being placed; retry shortly",
                    field="idempotency_key",
                )
        try:
            draft = await self._checked_draft(adapter, customer_native, command)
            order = await self._create(adapter, draft)
        except (FlowError, erp.ErpError) as exc:
            if not _outcome_unknown(exc):
                # Nothing was written: free the key so a corrected request may use it.
                await self._keys.release(scope, command.idempotency_key)
            raise
        await self._keys.complete(scope, command.idempotency_key, order.model_dump_json())
        return order

    async def fulfil_order(self, order_id: str) -> Delivery:
        """Deliver every open line and post the goods issue; stock goes down in the ERP."""
        adapter, native = self._connections.resolve(order_id, field="order_id")
        order = await self._order(adapter, native, order_id)
        deliveries = await self._deliveries(adapter, native, order_id)
        pending = next((d for d in deliveries if not d.goods_issued), None)
        if pending is None:
            if order.delivery_status is DocumentStatus.COMPLETE and deliveries:
                return deliveries[-1]
            with translated("sales order", order_id):
                pending = await adapter.create_delivery(native)
        try:
            with translated("delivery", pending.id):
                return await adapter.post_goods_issue(pending.native_id)
        except InvalidInput as exc:
            cause = exc.__cause__
            if isinstance(cause, erp.InsufficientStock):
                raise InvalidState(
                    f"order {order_id} cannot be shipped: {cause.message}", field="order_id"
                ) from exc
            raise

    async def invoice_order(self, order_id: str) -> Invoice:
        """Bill what was shipped; a second call returns the invoice already issued."""
        adapter, native = self._connections.resolve(order_id, field="order_id")
        order = await self._order(adapter, native, order_id)
        deliveries = await self._deliveries(adapter, native, order_id)
        if not any(d.goods_issued for d in deliveries):
            raise InvalidState(
                f"order {order_id} has not been shipped yet; fulfil it first", field="order_id"
            )
        if order.billing_status is DocumentStatus.COMPLETE:
            invoices = await self._invoices(adapter, native, order_id)
            if invoices:
                return invoices[-1]
        with translated("sales order", order_id):
            return await adapter.create_invoice(native)

    async def progress(self, order_id: str) -> OrderProgress:
        """The order with its deliveries and invoices."""
        adapter, native = self._connections.resolve(order_id, field="order_id")
        order = await self._order(adapter, native, order_id)
        return OrderProgress(
            order=order,
            deliveries=await self._deliveries(adapter, native, order_id),
            invoices=await self._invoices(adapter, native, order_id),
        )

    async def _checked_draft(
        self, adapter: ErpAdapter, customer_native: str, command: PlaceOrder
    ) -> SalesOrderDraft:
        with translated():
            customers = await adapter.list_customers(
                CustomerFilter(native_ids=[customer_native]), PageRequest(limit=1)
            )
        if not customers.items:
            raise RecordNotFound("customer", command.customer_id, field="customer_id")
        if customers.items[0].blocked:
            raise InvalidState(f"customer {command.customer_id} is blocked", field="customer_id")
        skus = [line.sku for line in command.lines]
        with translated():
            products = await adapter.list_products(
                ProductFilter(skus=skus), PageRequest(limit=len(skus))
            )
            stock = await adapter.list_inventory(
                InventoryFilter(skus=skus), PageRequest(limit=1000)
            )
        known = {p.sku: p for p in products.items}
        drafts = []
        for index, line in enumerate(command.lines):
            field = f"lines.{index}"
            product = known.get(line.sku)
            if product is None or product.deleted:
                raise RecordNotFound("product", line.sku, field=f"{field}.sku")
            location = _pick_location(stock.items, line.sku, line.quantity, line.location, field)
            drafts.append(
                OrderLineDraft(
                    sku=line.sku, quantity=line.quantity, unit=product.base_unit, location=location
                )
            )
        return SalesOrderDraft(
            customer_native_id=customer_native,
            external_reference=command.external_reference(),
            lines=tuple(drafts),
        )

    async def _create(self, adapter: ErpAdapter, draft: SalesOrderDraft) -> SalesOrder:
        try:
            with translated():
                return await adapter.create_sales_order(draft)
        except ErpUnavailable as exc:
            if not isinstance(exc.__cause__, erp.UnknownOutcome):
                raise
            # The ERP may have created the order before the answer was lost: look first.
            assert draft.external_reference is not None
            found = await self._find_by_reference(adapter, draft.external_reference)
            if found is None:
                raise
            return found

    async def _find_by_reference(self, adapter: ErpAdapter, reference: str) -> SalesOrder | None:
        with translated():
            page = await adapter.list_sales_orders(
                SalesOrderFilter(external_reference=reference), PageRequest(limit=1)
            )
        return page.items[0] if page.items else None

    async def _order(self, adapter: ErpAdapter, native: str, order_id: str) -> SalesOrder:
        with translated("sales order", order_id):
            return await adapter.get_sales_order(native)

    async def _deliveries(
        self, adapter: ErpAdapter, native: str, order_id: str
    ) -> tuple[Delivery, ...]:
        with translated("sales order", order_id):
            page = await adapter.list_deliveries(
                DeliveryFilter(order_native_id=native), PageRequest(limit=100)
            )
        return page.items

    async def _invoices(
        self, adapter: ErpAdapter, native: str, order_id: str
    ) -> tuple[Invoice, ...]:
        with translated("sales order", order_id):
            page = await adapter.list_invoices(
                InvoiceFilter(order_native_id=native), PageRequest(limit=100)
            )
        return page.items


def _pick_location(
    levels: tuple[InventoryLevel, ...],
    sku: str,
    quantity: Decimal,
    wanted: str | None,
    field: str,
) -> str:
    """The location that ships the line: the one asked for, else the one with most stock."""
    at = {lvl.location: lvl.quantity.value for lvl in levels if lvl.sku == sku}
    if wanted is not None:
        if wanted not in at:
            raise InvalidInput(f"{sku!r} is not stocked at location {wanted!r}", field=field)
        candidates = {wanted: at[wanted]}
    else:
        candidates = at
    best = max(candidates.items(), key=lambda item: item[1], default=None)
    available = best[1] if best else Decimal(0)
    if best is None or available < quantity:
        raise OutOfStock(sku, quantity, available, field=f"{field}.quantity")
    return best[0]


def _outcome_unknown(exc: BaseException) -> bool:
    """True when the ERP may have applied the write although the call failed."""
    return isinstance(exc, erp.UnknownOutcome) or isinstance(exc.__cause__, erp.UnknownOutcome)
