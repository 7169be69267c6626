"""The Tryton domains of ``TrytonAdapter``: what each list reads and how port filters translate.

A domain is a list of ``(field, operator, value)`` clauses, and-joined, with nested
``["OR", ...]`` lists. The ``*_domain`` functions answer None when the filter can match nothing
(an empty id list, ids that are not Tryton ids) and the adapter then answers an empty page
without a request. Lookups by id or SKU also find archived records (context
``active_test: False``) so that a batch of known ids is answered whole; searches see active
records only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from system_apis.contracts.models import DocumentStatus, OrderStatus
from system_apis.contracts.queries import (
    CustomerFilter,
    DeliveryFilter,
    InvoiceFilter,
    ProductFilter,
    SalesOrderFilter,
)
from system_apis.tryton.mapping.status import (
    OPEN_SHIPMENT_STATES,
    ORDER_STATES,
    POSTED_INVOICE_STATES,
)

Clause = Any
ALL_RECORDS = {"active_test": False}


@dataclass(frozen=True)
class Search:
    """A domain with the context it needs."""

    domain: list[Clause]
    context: dict[str, Any] = field(default_factory=dict)


BY_ID = (("id", "ASC"),)
BY_CODE = (("code", "ASC"), ("id", "ASC"))
NEWEST_FIRST = (("sale_date", "DESC"), ("id", "DESC"))


def record_ids(native_ids: Iterable[str]) -> list[int]:
    """The Tryton ids among native ids; other strings cannot name a Tryton record."""
    return list(dict.fromkeys(int(n) for n in native_ids if n.strip().isdigit()))


def record_id(native_id: str) -> int | None:
    found = record_ids([native_id])
    return found[0] if found else None


class _NothingMatches(Exception):
    """A filter names no id Tryton can hold: the answer is an empty page, with no request."""


def _ids_in(field: str, native_ids: Iterable[str]) -> Clause:
    wanted = record_ids(native_ids)
    if not wanted:
        raise _NothingMatches
    return (field, "in", wanted)


def _id_is(field: str, native_id: str) -> Clause:
    found = record_id(native_id)
    if found is None:
        raise _NothingMatches
    return (field, "=", found)


def _date_range(field: str, start: date | None, end: date | None) -> list[Clause]:
    return [
        (field, operator, bound)
        for operator, bound in ((">=", start), ("<=", end))
        if bound is not None
    ]


def contains(text: str) -> str:
    """An ``ilike`` pattern for ``text`` anywhere, with LIKE's wildcards escaped."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def customer_search(filter: CustomerFilter, company_parties: Sequence[int]) -> Search | None:
    """Parties other than the companies' own."""
    domain: list[Clause] = []
    context: dict[str, Any] = {}
    if company_parties:
        domain.append(("id", "not in", list(company_parties)))
    if filter.native_ids is not None:
        try:
            domain.append(_ids_in("id", filter.native_ids))
        except _NothingMatches:
            return None
        context = dict(ALL_RECORDS)
    if filter.name_contains:
        domain.append(("name", "ilike", contains(filter.name_contains)))
    if filter.country:
        domain.append(("addresses.country.code", "=", filter.country.upper()))
    return Search(domain, context)


def product_search(filter: ProductFilter) -> Search | None:
    domain: list[Clause] = [("code", "!=", None)]
    context: dict[str, Any] = {}
    if filter.skus is not None:
        if not filter.skus:
            return None
        domain.append(("code", "in", list(dict.fromkeys(filter.skus))))
        context = dict(ALL_RECORDS)
    if filter.name_contains:
        domain.append(("name", "ilike", contains(filter.name_contains)))
    if filter.product_group:
        domain.append(("categories.name", "=", filter.product_group))
    return Search(domain, context)


def stock_domain(skus: Sequence[str] | None) -> list[Clause] | None:
    """Products with stock (``quantity`` ≠ 0 in the context's locations), by SKU if given."""
    domain: list[Clause] = [("code", "!=", None), ("quantity", "!=", 0)]
    if skus is not None:
        if not skus:
            return None
        domain.append(("code", "in", list(dict.fromkeys(skus))))
    return domain


def sales_order_domain(filter: SalesOrderFilter) -> list[Clause] | None:
    try:
        return _sales_order_domain(filter)
    except _NothingMatches:
        return None


def _sales_order_domain(filter: SalesOrderFilter) -> list[Clause]:
    domain: list[Clause] = [("state", "in", list(ORDER_STATES))]
    if filter.native_ids is not None:
        domain.append(_ids_in("id", filter.native_ids))
    if filter.customer_native_id is not None:
        domain.append(_id_is("party", filter.customer_native_id))
    if filter.external_reference is not None:
        domain.append(("reference", "=", filter.external_reference))
    if filter.status is not None:
        domain.extend(order_status_domain(filter.status))
    if filter.delivery_status is not None:
        domain.extend(delivery_status_domain(filter.delivery_status))
    domain.extend(_date_range("sale_date", filter.date_from, filter.date_to))
    return domain


def order_status_domain(status: OrderStatus) -> list[Clause]:
    """Clauses selecting the orders :func:`~.mapping.status.order_status` gives ``status``."""
    posted = ("invoice_state", "in", list(POSTED_INVOICE_STATES))
    not_posted = ("invoice_state", "not in", list(POSTED_INVOICE_STATES))
    closed: list[Clause] = [
        ("state", "=", "done"),
        ("shipment_state", "=", "none"),
        ("invoice_state", "=", "none"),
    ]
    kept: list[Any] = [
        "OR",
        ("state", "!=", "done"),
        ("shipment_state", "!=", "none"),
        ("invoice_state", "!=", "none"),
    ]
    if status is OrderStatus.CANCELLED:
        return closed
    if status is OrderStatus.INVOICED:
        return [posted, ("shipment_state", "!=", "partially shipped")]
    if status is OrderStatus.SHIPPED:
        return [("shipment_state", "=", "sent"), not_posted]
    if status is OrderStatus.PARTIALLY_SHIPPED:
        return [("shipment_state", "=", "partially shipped")]
    return [("shipment_state", "not in", ["sent", "partially shipped"]), not_posted, kept]


def delivery_status_domain(status: DocumentStatus) -> list[Clause]:
    """Clauses selecting the orders :func:`~.mapping.status.delivery_status` gives ``status``."""
    if status is DocumentStatus.COMPLETE:
        return [("shipment_state", "=", "sent")]
    if status is DocumentStatus.PARTIAL:
        return [("shipment_state", "=", "partially shipped")]
    not_processed = [("shipment_state", "=", "none"), ("state", "=", "confirmed")]
    if status is DocumentStatus.OPEN:
        return [["OR", ("shipment_state", "in", list(OPEN_SHIPMENT_STATES)), not_processed]]
    return [("shipment_state", "=", "none"), ("state", "!=", "confirmed")]


def delivery_domain(filter: DeliveryFilter) -> list[Clause] | None:
    """Customer shipments; a cancelled one (of a cancelled order, say) is no delivery."""
    domain: list[Clause] = [("state", "!=", "cancelled")]
    try:
        if filter.native_ids is not None:
            domain.append(_ids_in("id", filter.native_ids))
        if (orders := filter.orders()) is not None:
            domain.append(_ids_in("moves.sale", orders))
    except _NothingMatches:
        return None
    return domain


def invoice_domain(filter: InvoiceFilter) -> list[Clause] | None:
    """Customer invoices (``type = out``); credit notes are invoices with negative totals."""
    domain: list[Clause] = [("type", "=", "out")]
    try:
        if filter.native_ids is not None:
            domain.append(_ids_in("id", filter.native_ids))
        if filter.customer_native_id is not None:
            domain.append(_id_is("party", filter.customer_native_id))
        if (orders := filter.orders()) is not None:
            domain.append(_ids_in("sales", orders))
    except _NothingMatches:
        return None
    domain.extend(_date_range("invoice_date", filter.date_from, filter.date_to))
    return domain
