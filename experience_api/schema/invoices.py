"""Invoices: the GraphQL types and the ``invoices`` query."""

from __future__ import annotations

import datetime as dt
from enum import Enum

import strawberry

from experience_api.schema.authorization import requires, visible_connections
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
from experience_api.schema.errors import client_errors
from experience_api.security.permissions import Scope
from system_apis.contracts import models
from system_apis.contracts.queries import InvoiceFilter as CanonicalInvoiceFilter


@strawberry.enum
class InvoiceStatus(Enum):
    DRAFT = "draft"
    POSTED = "posted"
    PAID = "paid"
    CANCELLED = "cancelled"

    @classmethod
    def from_model(cls, status: models.InvoiceStatus) -> InvoiceStatus:
        return cls(status.value)


@strawberry.type
class InvoiceLine:
    line_number: str
    sku: str
    quantity: Quantity
    net_amount: Money
    tax_amount: Money | None
    order_id: strawberry.ID | None
    delivery_id: strawberry.ID | None

    @classmethod
    def from_model(cls, line: models.InvoiceLine) -> InvoiceLine:
        return cls(
            line_number=line.line_number,
            sku=line.sku,
            quantity=Quantity.from_model(line.quantity),
            net_amount=Money.from_model(line.net_amount),
            tax_amount=Money.maybe(line.tax_amount),
            order_id=None if line.order_id is None else strawberry.ID(line.order_id),
            delivery_id=None if line.delivery_id is None else strawberry.ID(line.delivery_id),
        )


@strawberry.type
class Invoice:
    id: strawberry.ID
    native_id: str
    source: Source
    number: str
    invoice_date: dt.date
    net_amount: Money
    tax_amount: Money
    gross_amount: Money
    status: InvoiceStatus
    order_ids: list[strawberry.ID]
    lines: list[InvoiceLine]
    customer_id: strawberry.ID

    @classmethod
    def from_model(cls, invoice: models.Invoice) -> Invoice:
        return cls(
            id=strawberry.ID(invoice.id),
            native_id=invoice.native_id,
            source=Source.from_model(invoice.source),
            number=invoice.number,
            invoice_date=invoice.invoice_date,
            net_amount=Money.from_model(invoice.net_amount),
            tax_amount=Money.from_model(invoice.tax_amount),
            gross_amount=Money.from_model(invoice.gross_amount),
            status=InvoiceStatus.from_model(invoice.status),
            order_ids=[strawberry.ID(order_id) for order_id in invoice.order_ids],
            lines=[InvoiceLine.from_model(line) for line in invoice.lines],
            customer_id=strawberry.ID(invoice.customer_id),
        )

    @strawberry.field
    async def customer(self, info: Info) -> Customer | None:
        return await load_customer(info, self.customer_id)


@strawberry.input
class InvoiceFilter:
    customer_id: strawberry.ID | None = None
    order_id: strawberry.ID | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


async def resolve_invoices(
    info: Info,
    filter: InvoiceFilter | None = None,
    first: First = None,
    after: After = None,
    connection: ConnectionName = None,
) -> Connection[Invoice]:
    services = info.context.services
    page = page_request(services.paging, first, after, services.connections, "invoices")
    scope = ConnectionScope(services.connections, connection)
    canonical = CanonicalInvoiceFilter()
    if filter is not None:
        check_date_range(filter.date_from, filter.date_to)
        canonical = CanonicalInvoiceFilter(
            customer_native_id=None
            if filter.customer_id is None
            else scope.native_id(filter.customer_id, "filter.customerId"),
            order_native_id=None
            if filter.order_id is None
            else scope.native_id(filter.order_id, "filter.orderId"),
            date_from=filter.date_from,
            date_to=filter.date_to,
        )
    with client_errors():
        result = await services.catalog.invoices(
            canonical, page, scope.name, visible_connections(info, scope.name)
        )
    return connection_from_page(result, Invoice.from_model, "invoices")


@strawberry.type
class InvoiceQueries:
    invoices: Connection[Invoice] = strawberry.field(
        resolver=resolve_invoices,
        permission_classes=[requires(Scope.INVOICES_READ)],
        description="Invoices of one ERP connection (the default one if omitted).",
    )
