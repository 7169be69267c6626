"""Customers: the GraphQL type and the ``customers`` query.

``creditLimit`` is a guarded field (see :mod:`.field_access`): without ``credit:read`` it is
null, listed under ``extensions.redactedFields``, and was never read from the ERP; every
limit handed out is recorded in the audit log. This holds wherever a customer appears (the
``customers`` list and the customer of an order or invoice, read through the loader).
"""

from __future__ import annotations

import datetime as dt

import strawberry

from experience_api.schema.authorization import guarded, require, requires, visible_connections
from experience_api.schema.common import (
    After,
    Connection,
    ConnectionName,
    ConnectionScope,
    First,
    Money,
    Source,
    connection_from_page,
    page_request,
)
from experience_api.schema.context import Info
from experience_api.schema.errors import client_errors
from experience_api.schema.field_access import customer_details
from experience_api.security.permissions import Scope
from system_apis.contracts import models
from system_apis.contracts.queries import CustomerFilter as CanonicalCustomerFilter


@strawberry.type
class Address:
    street: str | None
    postal_code: str | None
    city: str | None
    region: str | None
    country: str | None = strawberry.field(description="ISO 3166-1 alpha-2 code.")

    @classmethod
    def from_model(cls, address: models.Address) -> Address:
        return cls(
            street=address.street,
            postal_code=address.postal_code,
            city=address.city,
            region=address.region,
            country=address.country,
        )


@strawberry.type(description="The credit a customer is granted in its ERP's credit management.")
class CreditLimit:
    amount: Money
    credit_segment: str | None = strawberry.field(
        description="The ERP's credit segment the limit belongs to (SAP)."
    )
    valid_to: dt.date | None = strawberry.field(description="Last day the limit applies.")
    blocked: bool = strawberry.field(
        description="Credit management has blocked the customer's credit account."
    )

    @classmethod
    def from_model(cls, limit: models.CreditLimit) -> CreditLimit:
        return cls(
            amount=Money.from_model(limit.amount),
            credit_segment=limit.credit_segment,
            valid_to=limit.valid_to,
            blocked=limit.blocked,
        )


def _credit_limit(root: Customer, info: Info) -> CreditLimit | None:
    limit = guarded(info, Scope.CREDIT_READ, "Customer.creditLimit", root.id, root.credit)
    return None if limit is None else CreditLimit.from_model(limit)


@strawberry.type
class Customer:
    id: strawberry.ID = strawberry.field(description="Gateway id: `<connection>:<nativeId>`.")
    native_id: str
    source: Source
    name: str
    is_organization: bool
    blocked: bool
    address: Address | None
    created_at: dt.datetime | None
    credit: strawberry.Private[models.CreditLimit | None]
    credit_limit: CreditLimit | None = strawberry.field(
        resolver=_credit_limit, description="Credit limit; null without the scope `credit:read`."
    )

    @classmethod
    def from_model(cls, customer: models.Customer) -> Customer:
        return cls(
            id=strawberry.ID(customer.id),
            native_id=customer.native_id,
            source=Source.from_model(customer.source),
            name=customer.name,
            is_organization=customer.is_organization,
            blocked=customer.blocked,
            address=None if customer.address is None else Address.from_model(customer.address),
            created_at=customer.created_at,
            credit=customer.credit_limit,
        )


async def load_customer(info: Info, customer_id: str) -> Customer | None:
    """The customer of a document, through the request's batching loader."""
    require(info, Scope.CUSTOMERS_READ)
    customer = await info.context.loaders.customer.load(customer_id)
    return None if customer is None else Customer.from_model(customer)


@strawberry.input
class CustomerFilter:
    ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Gateway ids; all must belong to one connection."
    )
    name_contains: str | None = None
    country: str | None = strawberry.field(default=None, description="ISO 3166-1 alpha-2 code.")


async def resolve_customers(
    info: Info,
    filter: CustomerFilter | None = None,
    first: First = None,
    after: After = None,
    connection: ConnectionName = None,
) -> Connection[Customer]:
    services = info.context.services
    page = page_request(services.paging, first, after, services.connections, "customers")
    scope = ConnectionScope(services.connections, connection)
    details = customer_details(info.context.principal, info.context.field_access.asked)
    canonical = CanonicalCustomerFilter(details=details)
    if filter is not None:
        native_ids = (
            None if filter.ids is None else [scope.native_id(i, "filter.ids") for i in filter.ids]
        )
        canonical = CanonicalCustomerFilter(
            native_ids=native_ids,
            name_contains=filter.name_contains,
            country=filter.country,
            details=details,
        )
    with client_errors():
        result = await services.catalog.customers(
            canonical, page, scope.name, visible_connections(info, scope.name)
        )
    return connection_from_page(result, Customer.from_model, "customers")


@strawberry.type
class CustomerQueries:
    customers: Connection[Customer] = strawberry.field(
        resolver=resolve_customers,
        permission_classes=[requires(Scope.CUSTOMERS_READ)],
        description="Customers of one ERP connection (the default one if omitted).",
    )
