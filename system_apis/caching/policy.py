"""``CachePolicy``: how long one connection's reads may be answered from the response cache."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class RecordKind(StrEnum):
    """The kinds of record the cache keeps apart: each has its own TTL and versions."""

    CUSTOMERS = "customers"
    PRODUCTS = "products"
    INVENTORY = "inventory"
    SALES_ORDERS = "sales_orders"
    DELIVERIES = "deliveries"
    INVOICES = "invoices"


class CachePolicy(BaseModel):
    """Per connection: whether reads are cached, and each kind's TTL in seconds.

    A cached answer is never served once older than its kind's TTL (counted from when the
    ERP was asked); 0 leaves that kind uncached. Records the gateway does not see change
    (customers, products: no change capture) get the longer defaults only where their
    master data changes rarely; stock, the shortest.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    enabled: bool = True
    customers_ttl: float = Field(default=60.0, ge=0, le=86_400)
    products_ttl: float = Field(default=300.0, ge=0, le=86_400)
    inventory_ttl: float = Field(default=10.0, ge=0, le=86_400)
    sales_orders_ttl: float = Field(default=30.0, ge=0, le=86_400)
    deliveries_ttl: float = Field(default=30.0, ge=0, le=86_400)
    invoices_ttl: float = Field(default=30.0, ge=0, le=86_400)

    def ttl(self, kind: RecordKind) -> float:
        """Seconds a read of ``kind`` may be served from the cache; 0 when not cached."""
        if not self.enabled:
            return 0.0
        ttl: float = getattr(self, f"{kind.value}_ttl")
        return ttl

    @property
    def longest_ttl(self) -> float:
        return max(self.ttl(kind) for kind in RecordKind)
