"""Sales orders: the GraphQL types, their progress, and the order queries."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable, Coroutine
from enum import Enum
from typing import Any

import strawberry

from experience_api.schema.authorization import (
    may_see_record,
    require,
    requires,
    visible_connections,
)
from experience_api.schema.common import (
    After,
    Connection,
    ConnectionName,
    ConnectionScope,
    First,
    Money,
    Quantity,
    Source,
    check_date_range,
    connection_from_page,
    page_request,
)
from experience_api.schema.context import Info
from experience_api.schema.customers import Customer, load_customer
from experience_api.schema.deliveries import Delivery
from experience_api.schema.errors import client_errors, none_if_not_found
from experience_api.schema.invoices import Invoice
from experience_api.schema.lookahead import selected_paths
from experience_api.schema.preload import Preloaded, preload
from experience_api.schema.products import Product, load_product
from experience_api.security.permissions import Scope
from process_apis.order_to_invoice.flow import OrderProgress as CanonicalOrderProgress
from system_apis.contracts import models
from system_apis.contracts.queries import SalesOrderFilter as CanonicalSalesOrderFilter


@strawberry.enum(description="End-to-end status of a sales order, as the customer sees it.")
class OrderStatus(Enum):
    ORDERED = "ordered"
    PARTIALLY_SHIPPED = "partially_shipped"
    SHIPPED = "shipped"
    INVOICED = "invoiced"
    CANCELLED = "cancelled"

    @classmethod
    def from_model(cls, status: models.OrderStatus) -> OrderStatus:
        return cls(status.value)

    def to_model(self) -> models.OrderStatus:
        return models.OrderStatus(self.value)


@strawberry.enum(description="How far the follow-up documents (delivery, billing) have come.")
class DocumentStatus(Enum):
    NOT_RELEVANT = "not_relevant"
    OPEN = "open"
    PARTIAL = "partial"
    COMPLETE = "complete"

    @classmethod
    def from_model(cls, status: models.DocumentStatus) -> DocumentStatus:
        return cls(status.value)


def _line_product(root: SalesOrderLine, info: Info) -> Product | Awaitable[Product | None] | None:
    if root.preloaded_product is None:
        return load_product(info, root.connection, root.sku)
    require(info, Scope.PRODUCTS_READ)
    return root.preloaded_product.get()


def _order_customer(root: SalesOrder, info: Info) -> Customer | Awaitable[Customer | None] | None:
    if root.preloaded_customer is None:
        return load_customer(info, root.customer_id)
    require(info, Scope.CUSTOMERS_READ)
    return root.preloaded_customer.get()


@strawberry.type
class SalesOrderLine:
    line_number: str
    sku: str
    description: str | None
    quantity: Quantity
    net_amount: Money | None
    tax_amount: Money | None = strawberry.field(
        description="Tax on this line as the ERP computes it; null when the ERP does not say."
    )
    location: str | None
    connection: strawberry.Private[str]
    preloaded_product: strawberry.Private[Preloaded[Product] | None] = None

    @classmethod
    def from_model(cls, line: models.SalesOrderLine, connection: str) -> SalesOrderLine:
        return cls(
            line_number=line.line_number,
            sku=line.sku,
            description=line.description,
            quantity=Quantity.from_model(line.quantity),
            net_amount=Money.maybe(line.net_amount),
            tax_amount=Money.maybe(line.tax_amount),
            location=line.location,
            connection=connection,
        )

    # Sync resolvers: a preloaded answer is a plain value (no awaitable for graphql-core).
    product = strawberry.field(resolver=_line_product, graphql_type=Product | None)


async def _load_deliveries(root: SalesOrder, info: Info) -> list[Delivery] | None:
    require(info, Scope.ORDERS_READ)
    found = await info.context.loaders.deliveries.load(root.id)
    return [Delivery.from_model(delivery) for delivery in found]


def _order_deliveries(
    root: SalesOrder, info: Info
) -> list[Delivery] | Awaitable[list[Delivery] | None] | None:
    if root.preloaded_deliveries is None:
        return _load_deliveries(root, info)
    require(info, Scope.ORDERS_READ)
    return root.preloaded_deliveries.get()


async def _load_invoices(root: SalesOrder, info: Info) -> list[Invoice] | None:
    require(info, Scope.INVOICES_READ)
    found = await info.context.loaders.invoices.load(root.id)
    return [Invoice.from_model(invoice) for invoice in found]


def _order_invoices(
    root: SalesOrder, info: Info
) -> list[Invoice] | Awaitable[list[Invoice] | None] | None:
    if root.preloaded_invoices is None:
        return _load_invoices(root, info)
    require(info, Scope.INVOICES_READ)
    return root.preloaded_invoices.get()


@strawberry.type
class SalesOrder:
    id: strawberry.ID
    native_id: str
    source: Source
    number: str
    external_reference: str | None
    order_date: dt.date
    created_at: dt.datetime | None
    net_amount: Money
    tax_amount: Money | None = strawberry.field(
        description="Tax on the order as the ERP computes it; null when the ERP does not say."
    )
    gross_amount: Money | None = strawberry.field(
        description="Net amount plus tax; null when the tax is not known."
    )
    status: OrderStatus
    delivery_status: DocumentStatus
    billing_status: DocumentStatus
    customer_id: strawberry.ID
    lines: list[SalesOrderLine]
    # Nullable: when one order's documents cannot be read, the rest of the page survives.
    deliveries = strawberry.field(
        resolver=_order_deliveries,
        graphql_type=list[Delivery] | None,
        description="Deliveries of this order, oldest first; null when they could not be read.",
    )
    invoices = strawberry.field(
        resolver=_order_invoices,
        graphql_type=list[Invoice] | None,
        description="Invoices of this order, oldest first; null when they could not be read.",
    )
    customer = strawberry.field(resolver=_order_customer, graphql_type=Customer | None)
    preloaded_customer: strawberry.Private[Preloaded[Customer] | None] = None
    preloaded_deliveries: strawberry.Private[Preloaded[list[Delivery]] | None] = None
    preloaded_invoices: strawberry.Private[Preloaded[list[Invoice]] | None] = None

    @classmethod
    def from_model(cls, order: models.SalesOrder) -> SalesOrder:
        return cls(
            id=strawberry.ID(order.id),
            native_id=order.native_id,
            source=Source.from_model(order.source),
            number=order.number,
            external_reference=order.external_reference,
            order_date=order.order_date,
            created_at=order.created_at,
            net_amount=Money.from_model(order.net_amount),
            tax_amount=Money.maybe(order.tax_amount),
            gross_amount=Money.maybe(order.gross_amount),
            status=OrderStatus.from_model(order.status),
            delivery_status=DocumentStatus.from_model(order.delivery_status),
            billing_status=DocumentStatus.from_model(order.billing_status),
            customer_id=strawberry.ID(order.customer_id),
            lines=[
                SalesOrderLine.from_model(line, order.source.connection) for line in order.lines
            ],
        )


@strawberry.type(description="Where an order stands end to end, with its follow-up documents.")
class OrderProgress:
    order: SalesOrder
    status: OrderStatus
    deliveries: list[Delivery]
    invoices: list[Invoice]

    @classmethod
    def from_model(cls, progress: CanonicalOrderProgress) -> OrderProgress:
        return cls(
            order=SalesOrder.from_model(progress.order),
            status=OrderStatus.from_model(progress.status),
            deliveries=[Delivery.from_model(d) for d in progress.deliveries],
            invoices=[Invoice.from_model(i) for i in progress.invoices],
        )


@strawberry.input
class SalesOrderFilter:
    customer_id: strawberry.ID | None = None
    status: OrderStatus | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


async def resolve_sales_orders(
    info: Info,
    filter: SalesOrderFilter | None = None,
    first: First = None,
    after: After = None,
    connection: ConnectionName = None,
) -> Connection[SalesOrder]:
    services = info.context.services
    page = page_request(services.paging, first, after, services.connections, "orders")
    scope = ConnectionScope(services.connections, connection)
    paths = selected_paths(info, "nodes", "edges")

    def wants(*tail: str) -> bool:
        return ("nodes", *tail) in paths or ("edges", "node", *tail) in paths

    # An order's status and billing status are the only fields its billing documents
    # change: when the operation shows neither, the ERP need not read them.
    billing_state = wants("status") or wants("billingStatus")
    canonical = CanonicalSalesOrderFilter(billing_state=billing_state)
    if filter is not None:
        check_date_range(filter.date_from, filter.date_to)
        canonical = CanonicalSalesOrderFilter(
            customer_native_id=None
            if filter.customer_id is None
            else scope.native_id(filter.customer_id, "filter.customerId"),
            status=None if filter.status is None else filter.status.to_model(),
            date_from=filter.date_from,
            date_to=filter.date_to,
            billing_state=billing_state or filter.status is not None,
        )
    with client_errors():
        result = await services.catalog.sales_orders(
            canonical, page, scope.name, visible_connections(info, scope.name)
        )
    page_of_orders = connection_from_page(result, SalesOrder.from_model, "orders")
    await _preload_nested(info, page_of_orders.nodes, wants)
    return page_of_orders


async def _preload_nested(info: Info, orders: list[SalesOrder], wants: Callable[..., bool]) -> None:
    """Reads what the operation selects below the page's orders (``wants(*path)``), for
    all of them at once, so their nested fields resolve without an awaitable each (see
    :mod:`.preload`)."""
    caller, loaders = info.context.principal, info.context.loaders
    reads: list[Coroutine[Any, Any, None]] = []
    if wants("customer") and caller.has(Scope.CUSTOMERS_READ):
        reads.append(
            preload(
                loaders.customer,
                orders,
                lambda order: order.customer_id,
                lambda found: None if found is None else Customer.from_model(found),
                lambda order, answer: setattr(order, "preloaded_customer", answer),
            )
        )
    if wants("lines", "product") and caller.has(Scope.PRODUCTS_READ):
        reads.append(
            preload(
                loaders.product,
                [line for order in orders for line in order.lines],
                lambda line: (line.connection, line.sku),
                lambda found: None if found is None else Product.from_model(found),
                lambda line, answer: setattr(line, "preloaded_product", answer),
            )
        )
    if wants("deliveries"):
        reads.append(
            preload(
                loaders.deliveries,
                orders,
                lambda order: str(order.id),
                lambda found: [Delivery.from_model(d) for d in found],
                lambda order, answer: setattr(order, "preloaded_deliveries", answer),
            )
        )
    if wants("invoices") and caller.has(Scope.INVOICES_READ):
        reads.append(
            preload(
                loaders.invoices,
                orders,
                lambda order: str(order.id),
                lambda found: [Invoice.from_model(i) for i in found],
                lambda order, answer: setattr(order, "preloaded_invoices", answer),
            )
        )
    await asyncio.gather(*reads)


async def resolve_sales_order(info: Info, id: strawberry.ID) -> SalesOrder | None:
    if not may_see_record(info, id):
        return None  # another company's order does not exist for this caller
    order = None
    with none_if_not_found():
        order = await info.context.services.catalog.sales_order(id)
    return None if order is None else SalesOrder.from_model(order)


async def resolve_order_status(info: Info, order_id: strawberry.ID) -> OrderProgress | None:
    if not may_see_record(info, order_id):
        return None
    progress = None
    with none_if_not_found():
        progress = await info.context.services.orders.progress(order_id)
    if progress is None:
        return None
    # The nested order's own `deliveries`/`invoices` fields reuse what was just read.
    info.context.loaders.deliveries.prime(progress.order.id, progress.deliveries)
    info.context.loaders.invoices.prime(progress.order.id, progress.invoices)
    return OrderProgress.from_model(progress)


@strawberry.type
class OrderQueries:
    sales_orders: Connection[SalesOrder] = strawberry.field(
        resolver=resolve_sales_orders,
        permission_classes=[requires(Scope.ORDERS_READ)],
        description="Sales orders of one ERP connection, newest first. The connection is "
        "the one of `filter.customerId` when given, else the default one.",
    )
    sales_order: SalesOrder | None = strawberry.field(
        resolver=resolve_sales_order,
        permission_classes=[requires(Scope.ORDERS_READ)],
        description="One sales order by gateway id; null when it does not exist.",
    )
    order_status: OrderProgress | None = strawberry.field(
        resolver=resolve_order_status,
        permission_classes=[requires(Scope.ORDERS_READ)],
        description="An order with its deliveries and invoices; null when it does not exist.",
    )
