"""The order-to-invoice flow, step by step as a front end or an agent calls it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from process_apis.connections import Connections
from process_apis.erp_errors import translated
from process_apis.errors import (
    ConcurrentChange,
    InvalidInput,
    InvalidState,
    OutcomeUnknown,
    StockShortfall,
)
from process_apis.events.documents import invoice_issued, order_status_changed
from process_apis.events.model import Event
from process_apis.events.port import Outbox
from process_apis.idempotency.port import IdempotencyStore, KeyRecord
from process_apis.metrics.port import FlowObserver, observed
from process_apis.observability import flow_step
from process_apis.order_to_invoice.cancelling import CancelOrder, OrderCancellation
from process_apis.order_to_invoice.commands import PlaceOrder
from process_apis.order_to_invoice.placing import OrderPlacement, Resumed
from process_apis.quarantine.port import QuarantineStore
from process_apis.quarantine.schedule import RetrySchedule
from system_apis.contracts.models import (
    Delivery,
    DocumentStatus,
    Invoice,
    InvoiceStatus,
    OrderStatus,
    SalesOrder,
    split_id,
)
from system_apis.contracts.port import ErpAdapter
from system_apis.contracts.queries import DeliveryFilter, InvoiceFilter, PageRequest


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
        if self.order.status is OrderStatus.CANCELLED:
            return OrderStatus.CANCELLED
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
        quarantine: QuarantineStore,
        *,
        key_retention: dt.timedelta = dt.timedelta(hours=24),
        in_flight_timeout: dt.timedelta = dt.timedelta(minutes=2),
        outbox: Outbox | None = None,
        retries: RetrySchedule | None = None,
        observer: FlowObserver | None = None,
    ):
        self._connections = connections
        # Told how each place, fulfil and invoice step ended (for metrics).
        self._observer = observer
        self._keys = idempotency
        # Events of goods issues and invoices; the ones of placed orders are staged with
        # the idempotency key. None records none (tests of other concerns).
        self._outbox = outbox
        self._in_flight_timeout = in_flight_timeout
        self._placement = OrderPlacement(
            connections,
            idempotency,
            quarantine,
            key_retention=key_retention,
            in_flight_timeout=in_flight_timeout,
            retries=retries,
        )
        self._cancellation = OrderCancellation(
            connections,
            idempotency,
            key_retention=key_retention,
            in_flight_timeout=in_flight_timeout,
        )

    @flow_step("order_to_invoice.place_order")
    async def place_order(self, command: PlaceOrder) -> SalesOrder:
        """Create the order once per idempotency key; a repeat returns the first result.

        When the ERP cannot take it the order is kept in the quarantine and the client gets
        :class:`~process_apis.quarantine.errors.OrderPending` (retried automatically, with
        ``retries``) or :class:`~process_apis.quarantine.errors.OrderQuarantined` (for review),
        with the record's id.
        """
        with observed(self._observer, "place_order", self._connection_of(command.customer_id)):
            return await self._placement.place(command)

    @flow_step("order_to_invoice.replay_order")
    async def replay_order(self, command: PlaceOrder) -> SalesOrder:
        """Place a quarantined order; only the quarantine review, holding its lease, calls it."""
        return await self._placement.replay(command)

    @property
    def keys(self) -> IdempotencyStore:
        """The store orders claim their idempotency keys in (the recovery reads it)."""
        return self._keys

    @property
    def in_flight_timeout(self) -> dt.timedelta:
        """How long a claim may stay untouched before its request counts as dead."""
        return self._in_flight_timeout

    async def resume_order(
        self, claim: KeyRecord, command: PlaceOrder, stale_before: dt.datetime
    ) -> Resumed:
        """Finish an order whose request died after claiming its key; only the recovery calls it."""
        return await self._placement.resume(claim, command, stale_before)

    async def release_order_key(self, connection: str, idempotency_key: str) -> None:
        """Free the idempotency key of a quarantined order that was discarded."""
        await self._placement.release(connection, idempotency_key)

    @flow_step("order_to_invoice.fulfil_order")
    async def fulfil_order(self, order_id: str) -> Delivery:
        """Deliver every open line and post the goods issue; stock goes down in the ERP."""
        with observed(self._observer, "fulfil_order", self._connection_of(order_id)):
            return await self._fulfil(order_id)

    @flow_step("order_to_invoice.cancel_order")
    async def cancel_order(self, command: CancelOrder) -> SalesOrder:
        """Cancel the order in the ERP once per idempotency key (see :mod:`.cancelling`);
        refused with NotCancellable once goods left or it is billed."""
        with observed(self._observer, "cancel_order", self._connection_of(command.order_id)):
            return await self._cancellation.cancel(command)

    @flow_step("order_to_invoice.invoice_order")
    async def invoice_order(self, order_id: str) -> Invoice:
        """Bill what was shipped; a second call returns the invoice already issued."""
        with observed(self._observer, "invoice_order", self._connection_of(order_id)):
            return await self._invoice(order_id)

    def _connection_of(self, record_id: str) -> str:
        """The connection a canonical id names, as a metrics label (``unknown`` if none)."""
        try:
            name, _ = split_id(record_id)
        except ValueError:
            return "unknown"
        return name if name in self._connections.names else "unknown"

    async def _fulfil(self, order_id: str) -> Delivery:
        adapter, native = self._connections.resolve(order_id, field="order_id")
        order = await self._order(adapter, native, order_id)
        deliveries = await self._deliveries(adapter, native, order_id)
        pending = next((d for d in deliveries if not d.goods_issued), None)
        covers_all = order.delivery_status is DocumentStatus.COMPLETE
        if pending is None:
            if covers_all and deliveries:
                # Done before; announcing it again is a no-op unless the first call died
                # between the goods issue and recording its event.
                await self._announce(_shipped(order, deliveries, covers_all))
                return deliveries[-1]
            try:
                with translated("sales order", order_id):
                    pending = await adapter.create_delivery(native)
            except _MAYBE_DONE_BEFORE:
                # An earlier call's delivery the ERP made meanwhile (slow answer, lost
                # answer): carry on with it rather than refusing the retry.
                deliveries = await self._deliveries(adapter, native, order_id)
                if not deliveries:
                    raise
                pending = next((d for d in deliveries if not d.goods_issued), deliveries[-1])
                if pending.goods_issued:  # nothing left to deliver: all of it left before
                    await self._announce(_shipped(order, deliveries, True))
                    return pending
            covers_all = True  # a new delivery takes every open line
        try:
            with translated("delivery", pending.id):
                issued = await adapter.post_goods_issue(pending.native_id)
        except StockShortfall as exc:
            raise InvalidState(
                f"order {order_id} cannot be shipped: {exc.reason}", field="order_id", erp=exc.erp
            ) from exc
        except _MAYBE_DONE_BEFORE:
            now = await self._deliveries(adapter, native, order_id)
            done = next((d for d in now if d.id == pending.id and d.goods_issued), None)
            if done is None:
                raise
            issued, deliveries = done, now
        others = [d for d in deliveries if d.id != issued.id]
        await self._announce(_shipped(order, [*others, issued], covers_all))
        return issued

    async def _invoice(self, order_id: str) -> Invoice:
        adapter, native = self._connections.resolve(order_id, field="order_id")
        order = await self._order(adapter, native, order_id)
        deliveries = await self._deliveries(adapter, native, order_id)
        if not any(d.goods_issued for d in deliveries):
            raise InvalidState(
                f"order {order_id} has not been shipped yet; fulfil it first", field="order_id"
            )
        fully_shipped = order.delivery_status is DocumentStatus.COMPLETE and all(
            d.goods_issued for d in deliveries
        )
        if order.billing_status is DocumentStatus.COMPLETE:
            invoices = await self._invoices(adapter, native, order_id)
            if invoices:
                await self._announce(_invoiced(order, invoices[-1], fully_shipped))
                return invoices[-1]
        try:
            with translated("sales order", order_id):
                invoice = await adapter.create_invoice(native)
        except _MAYBE_DONE_BEFORE:
            # Nothing left to bill, or the answer was lost: an earlier call (whose answer came
            # late, or never) billed what was shipped; its invoice is the answer, not an error.
            billed = [
                i
                for i in await self._invoices(adapter, native, order_id)
                if i.status is not InvoiceStatus.CANCELLED
            ]
            if not billed:
                raise
            invoice = billed[-1]
        await self._announce(_invoiced(order, invoice, fully_shipped))
        return invoice

    async def progress(self, order_id: str) -> OrderProgress:
        """The order with its deliveries and invoices."""
        adapter, native = self._connections.resolve(order_id, field="order_id")
        order = await self._order(adapter, native, order_id)
        return OrderProgress(
            order=order,
            deliveries=await self._deliveries(adapter, native, order_id),
            invoices=await self._invoices(adapter, native, order_id),
        )

    async def _announce(self, events: Event | list[Event]) -> None:
        if self._outbox is not None:
            await self._outbox.append(events if isinstance(events, list) else [events])

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


_MAYBE_DONE_BEFORE = (InvalidInput, InvalidState, ConcurrentChange, OutcomeUnknown)
"""Failures of a fulfil or invoice write that an earlier call of the same step explains."""


def _shipped(order: SalesOrder, deliveries: Sequence[Delivery], covers_all: bool) -> Event:
    """The status event after a goods issue: shipped once every line left, else partially."""
    done = covers_all and bool(deliveries) and all(d.goods_issued for d in deliveries)
    status = OrderStatus.SHIPPED if done else OrderStatus.PARTIALLY_SHIPPED
    return order_status_changed(order.id, order.number, order.source.connection, status)


def _invoiced(order: SalesOrder, invoice: Invoice, fully_shipped: bool) -> list[Event]:
    """The invoice, and the order's new status when the invoice bills all of it."""
    events = [invoice_issued(invoice)]
    if fully_shipped:
        events.append(
            order_status_changed(
                order.id, order.number, order.source.connection, OrderStatus.INVOICED
            )
        )
    return events
