"""What a caller may ask of an adapter's lists: filters and a page.

A page starts at an offset or, for paging under writes, just after a key
(:mod:`system_apis.contracts.keyset`): the sort key of the last record read, so records
created or removed before that point shift nothing and no record is read twice or skipped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from system_apis.contracts.models import CustomerDetail, DocumentStatus, OrderStatus

T = TypeVar("T")


MAX_PAGE_LIMIT = 1000
"""The largest page a list read may ask for."""


MAX_KEY_LENGTH = 200
"""The longest page key ``after`` may carry (a native id, or a date and a native id)."""


class PageRequest(BaseModel):
    """``limit`` records from ``offset``, or the ``limit`` records that follow the record
    whose page key (:mod:`system_apis.contracts.keyset`) is ``after`` in the list's order.

    ``after`` need not name a record that still exists: the page starts where it would be.
    The answer's ``offset`` then counts the matching records before the page and ``total``
    every match, as for an offset page. An adapter refuses a key it cannot have produced with
    ValidationRejected.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    offset: int = Field(default=0, ge=0)
    limit: int = Field(default=20, ge=1, le=MAX_PAGE_LIMIT)
    after: str | None = Field(default=None, min_length=1, max_length=MAX_KEY_LENGTH)

    @model_validator(mode="after")
    def _one_start(self) -> PageRequest:
        if self.after is not None and self.offset:
            raise ValueError("a page starts at an offset or after a key, not both")
        return self


class Page(BaseModel, Generic[T]):
    """One page of records in a stable order; ``total`` counts every match.

    ``stale_for`` is None for a page read from the ERP now; while the ERP is unreachable a
    connection configured for degraded reads may answer its last good page instead, and
    says here how many seconds old it is.
    """

    model_config = ConfigDict(frozen=True)

    items: tuple[T, ...]
    offset: int
    total: int
    stale_for: float | None = None

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.items) < self.total


class CustomerFilter(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    native_ids: Sequence[str] | None = None
    name_contains: str | None = None
    country: str | None = None
    # Sensitive parts to read with the customers; an adapter asks its ERP for nothing more.
    details: frozenset[CustomerDetail] = frozenset()


class ProductFilter(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    skus: Sequence[str] | None = None
    name_contains: str | None = None
    product_group: str | None = None


class InventoryFilter(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    skus: Sequence[str] | None = None
    location: str | None = None
    # Change capture: records changed at or after this instant, ordered by change time
    # (oldest first), then native id, instead of the list's usual order.
    changed_since: dt.datetime | None = None


class SalesOrderFilter(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    native_ids: Sequence[str] | None = None
    customer_native_id: str | None = None
    external_reference: str | None = None
    status: OrderStatus | None = None
    delivery_status: DocumentStatus | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    # Change capture: records changed at or after this instant, ordered by change time
    # (oldest first), then native id, instead of the list's usual order.
    changed_since: dt.datetime | None = None
    # False for a read that shows neither an order's billing status nor its status: an ERP
    # that learns the billing state from other documents (SAP: its billing documents) may
    # leave them unread, and both fields then say only what the order itself records.
    # Never False with a ``status`` filter.
    billing_state: bool = True


def _orders(single: str | None, many: Sequence[str] | None) -> list[str] | None:
    if many is None:
        return None if single is None else [single]
    unique = list(dict.fromkeys(many))
    return unique if single is None else [o for o in unique if o == single]


class DeliveryFilter(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    order_native_id: str | None = None
    # Documents of any of these orders: one call answers a whole page of orders.
    order_native_ids: Sequence[str] | None = None
    native_ids: Sequence[str] | None = None

    def orders(self) -> list[str] | None:
        """The distinct orders whose documents match (named by both order filters when both
        are set); None: any order, an empty list: none."""
        return _orders(self.order_native_id, self.order_native_ids)


class InvoiceFilter(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    native_ids: Sequence[str] | None = None
    customer_native_id: str | None = None
    order_native_id: str | None = None
    # Documents of any of these orders: one call answers a whole page of orders.
    order_native_ids: Sequence[str] | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    # Change capture: records changed at or after this instant, ordered by change time
    # (oldest first), then native id, instead of the list's usual order.
    changed_since: dt.datetime | None = None

    def orders(self) -> list[str] | None:
        """The distinct orders whose documents match (named by both order filters when both
        are set); None: any order, an empty list: none."""
        return _orders(self.order_native_id, self.order_native_ids)
