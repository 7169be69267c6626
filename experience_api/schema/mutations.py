"""Order-to-invoice mutations: place, fulfil, invoice and cancel an order.

Expected failures come back as typed user errors in the payload's ``errors`` (empty on
success); only unexpected ones surface as a masked GraphQL error.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Annotated

import strawberry

from experience_api.schema.authorization import require, require_record, requires
from experience_api.schema.context import Info
from experience_api.schema.deliveries import Delivery
from experience_api.schema.errors import client_errors
from experience_api.schema.invoices import Invoice
from experience_api.schema.orders import SalesOrder
from experience_api.schema.user_errors import UserError, user_error
from experience_api.security.permissions import Scope
from process_apis.errors import FlowError
from process_apis.order_to_invoice.cancelling import CancelOrder
from process_apis.order_to_invoice.commands import PlaceOrder
from process_apis.quarantine.errors import OrderPending


@strawberry.input
class OrderLineInput:
    sku: str
    quantity: Decimal = strawberry.field(description="In the product's base unit; above 0.")
    location: str | None = strawberry.field(
        default=None, description="Ship from here; omitted: the location with most stock."
    )


@strawberry.input
class PlaceOrderInput:
    idempotency_key: str = strawberry.field(
        description="Client-chosen key; repeating the same request with it returns the "
        "first order instead of creating another one."
    )
    customer_id: strawberry.ID
    lines: list[OrderLineInput]


@strawberry.enum(description="Where a placeOrder request stands.")
class PlaceOrderStatus(Enum):
    PLACED = strawberry.enum_value("placed", description="The order exists in the ERP: `order`.")
    PENDING = strawberry.enum_value(
        "pending",
        description="Accepted; the ERP cannot take it right now, so the gateway keeps it and "
        "retries it by itself (`pending`). Sending the request again with the same "
        "idempotency key returns its current state; order events (subscription, webhooks) "
        "announce the order once placed.",
    )
    NOT_PLACED = strawberry.enum_value(
        "not_placed", description="Refused or kept for review: see `errors`."
    )


@strawberry.type(description="A request the gateway accepted and retries until the ERP takes it.")
class PendingOrder:
    id: strawberry.ID = strawberry.field(description="The pending quarantine record's id.")
    retry_at: datetime | None = strawberry.field(description="When it is next tried.")
    reason: str = strawberry.field(description="Why the ERP could not take it yet.")


@strawberry.type
class PlaceOrderPayload:
    order: SalesOrder | None
    errors: list[UserError]
    status: PlaceOrderStatus = strawberry.field(
        default=PlaceOrderStatus.NOT_PLACED, description="Placed, pending or not placed."
    )
    pending: PendingOrder | None = strawberry.field(
        default=None, description="Set when the status is PENDING."
    )


async def _order_after_fulfilment(root: FulfillOrderPayload, info: Info) -> SalesOrder | None:
    if root.order_id is None:
        return None
    require(info, Scope.ORDERS_READ)
    with client_errors():
        order = await info.context.services.catalog.sales_order(root.order_id)
    return SalesOrder.from_model(order)


@strawberry.type
class FulfillOrderPayload:
    delivery: Delivery | None
    errors: list[UserError]
    order_id: strawberry.Private[str | None]

    order: SalesOrder | None = strawberry.field(
        resolver=_order_after_fulfilment,
        description="The order as it stands after the goods issue.",
    )


@strawberry.type
class InvoiceOrderPayload:
    invoice: Invoice | None
    errors: list[UserError]


async def resolve_place_order(
    info: Info, data: Annotated[PlaceOrderInput, strawberry.argument(name="input")]
) -> PlaceOrderPayload:
    require_record(info, data.customer_id)
    try:
        command = PlaceOrder.parse(
            idempotency_key=data.idempotency_key,
            customer_id=data.customer_id,
            lines=[
                {"sku": line.sku, "quantity": line.quantity, "location": line.location}
                for line in data.lines
            ],
        )
        order = await info.context.services.orders.place_order(command)
    except OrderPending as exc:
        kept = PendingOrder(
            id=strawberry.ID(exc.quarantine_id), retry_at=exc.retry_at, reason=exc.message
        )
        return PlaceOrderPayload(
            order=None, errors=[], status=PlaceOrderStatus.PENDING, pending=kept
        )
    except FlowError as exc:
        return PlaceOrderPayload(order=None, errors=[user_error(exc)])
    return PlaceOrderPayload(
        order=SalesOrder.from_model(order), errors=[], status=PlaceOrderStatus.PLACED
    )


async def resolve_fulfill_order(info: Info, order_id: strawberry.ID) -> FulfillOrderPayload:
    require_record(info, order_id)
    try:
        delivery = await info.context.services.orders.fulfil_order(order_id)
    except FlowError as exc:
        return FulfillOrderPayload(delivery=None, errors=[user_error(exc)], order_id=None)
    return FulfillOrderPayload(delivery=Delivery.from_model(delivery), errors=[], order_id=order_id)


async def resolve_invoice_order(info: Info, order_id: strawberry.ID) -> InvoiceOrderPayload:
    require_record(info, order_id)
    try:
        invoice = await info.context.services.orders.invoice_order(order_id)
    except FlowError as exc:
        return InvoiceOrderPayload(invoice=None, errors=[user_error(exc)])
    return InvoiceOrderPayload(invoice=Invoice.from_model(invoice), errors=[])


@strawberry.type
class CancelOrderPayload:
    order: SalesOrder | None = strawberry.field(description="The order, status CANCELLED.")
    errors: list[UserError]


async def resolve_cancel_order(
    info: Info,
    order_id: strawberry.ID,
    idempotency_key: Annotated[
        str,
        strawberry.argument(
            description="Client-chosen key; repeating the same request with it answers the "
            "first result."
        ),
    ],
    reason: Annotated[
        str | None,
        strawberry.argument(description="Why; kept where the ERP has room for a text."),
    ] = None,
) -> CancelOrderPayload:
    require_record(info, order_id)
    try:
        command = CancelOrder.parse(
            idempotency_key=idempotency_key, order_id=order_id, reason=reason
        )
        order = await info.context.services.orders.cancel_order(command)
    except FlowError as exc:
        return CancelOrderPayload(order=None, errors=[user_error(exc)])
    return CancelOrderPayload(order=SalesOrder.from_model(order), errors=[])


@strawberry.type
class OrderMutations:
    place_order: PlaceOrderPayload = strawberry.mutation(
        resolver=resolve_place_order,
        permission_classes=[requires(Scope.ORDERS_WRITE)],
        description="Create a sales order in the ERP once per idempotency key.",
    )
    fulfill_order: FulfillOrderPayload = strawberry.mutation(
        resolver=resolve_fulfill_order,
        permission_classes=[requires(Scope.ORDERS_WRITE)],
        description="Deliver every open line of the order and post the goods issue. "
        "Repeating it after success returns the same delivery.",
    )
    invoice_order: InvoiceOrderPayload = strawberry.mutation(
        resolver=resolve_invoice_order,
        permission_classes=[requires(Scope.INVOICES_WRITE)],
        description="Bill what was shipped. Repeating it returns the invoice already issued.",
    )
    cancel_order: CancelOrderPayload = strawberry.mutation(
        resolver=resolve_cancel_order,
        permission_classes=[requires(Scope.ORDERS_WRITE)],
        description="Close an order that will not be fulfilled (the ERP's own way: SAP rejects "
        "its items, Tryton cancels its waiting shipments). Refused with NOT_CANCELLABLE once "
        "goods left or it is billed; an order cancelled already is answered as it is.",
    )
