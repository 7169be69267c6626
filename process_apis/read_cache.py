"""Invalidating the response cache of ERP reads from what the process layer learns.

The cache (:mod:`system_apis.caching`) drops what the gateway's own writes change by
itself. Changes made elsewhere reach the gateway as change capture (records the poller
reads), inbound events (before their handler reads the ERP) and business events (each one
names its record as ``aggregate``): each drops the cached reads of its record here, so a
stock change drops the cached stock of that SKU, and with a shared cache (Redis) it is
dropped for every replica.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Protocol

from process_apis.events.model import Event
from system_apis.caching.policy import RecordKind


class ReadCache(Protocol):
    """What the process layer asks of the response cache."""

    async def invalidate(
        self, connection: str, kind: RecordKind, records: Collection[str] | None = None
    ) -> None:
        """Drop the cached reads of ``records`` of ``kind`` (native ids; SKUs for stock)
        and the lists that may hold them; every read of ``kind`` when ``records`` is None."""
        ...


async def invalidate_aggregate(cache: ReadCache, aggregate: str) -> None:
    """Drop the cached reads of the record an event aggregate names: ``order:C:N``,
    ``stock:C:SKU@LOCATION``, ``invoice:C:N``. Other aggregates name nothing cached."""
    kind, _, rest = aggregate.partition(":")
    connection, _, native = rest.partition(":")
    if not connection or not native:
        return
    if kind == "order":
        await cache.invalidate(connection, RecordKind.SALES_ORDERS, [native])
        # An order's status moves with its deliveries and invoices.
        await cache.invalidate(connection, RecordKind.DELIVERIES, ())
        await cache.invalidate(connection, RecordKind.INVOICES, ())
    elif kind == "stock":
        sku = native.rpartition("@")[0] or native
        await cache.invalidate(connection, RecordKind.INVENTORY, [sku])
    elif kind == "invoice":
        await cache.invalidate(connection, RecordKind.INVOICES, [native])


class CacheInvalidation:
    """An event sink that drops the cached reads of each published event's record.

    The composition root puts it before the other sinks, so a subscriber that reacts to an
    event by reading the record gets the ERP's answer, not the cached one.
    """

    def __init__(self, cache: ReadCache):
        self._cache = cache

    async def publish(self, events: Sequence[Event]) -> None:
        for aggregate in dict.fromkeys(event.aggregate for event in events):
            await invalidate_aggregate(self._cache, aggregate)
